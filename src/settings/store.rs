//! SQL for the settings page: a person's sessions and their sign-in log.

use sqlx::{SqliteConnection, SqlitePool};

use crate::error::Result;

/// One of my sessions, as settings lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub token_hash: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub persistent: bool,
    pub user_agent: String,
    pub address: String,
}

/// A person's sessions, most recently used first.
pub async fn sessions_of(pool: &SqlitePool, person_id: i64) -> Result<Vec<SessionRow>> {
    Ok(sqlx::query_as(
        "SELECT rowid AS id, token_hash, created_at, last_seen_at, persistent, user_agent, address
         FROM sessions WHERE person_id = ? ORDER BY last_seen_at DESC LIMIT 50",
    )
    .bind(person_id)
    .fetch_all(pool)
    .await?)
}

/// Ends one of a person's sessions; returns its token hash if there was one
/// (another person's session is never touched).
pub async fn end_session(
    tx: &mut SqliteConnection,
    person_id: i64,
    id: i64,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "DELETE FROM sessions WHERE rowid = ? AND person_id = ? RETURNING token_hash",
    )
    .bind(id)
    .bind(person_id)
    .fetch_optional(tx)
    .await?)
}

/// One row of the sign-in log.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignInRow {
    pub at: String,
    pub address: String,
    pub user_agent: String,
    pub outcome: String,
}

/// A person's most recent sign-ins and failed attempts.
pub async fn recent_sign_ins(pool: &SqlitePool, person_id: i64) -> Result<Vec<SignInRow>> {
    Ok(sqlx::query_as(
        "SELECT at, address, user_agent, outcome FROM signin_log
         WHERE person_id = ? ORDER BY id DESC LIMIT 20",
    )
    .bind(person_id)
    .fetch_all(pool)
    .await?)
}

/// The pair's time zone, read inside the transaction that changes it.
pub async fn time_zone_tx(tx: &mut SqliteConnection) -> Result<String> {
    let zone: Option<String> = sqlx::query_scalar("SELECT time_zone FROM pair WHERE id = 1")
        .fetch_optional(tx)
        .await?;
    Ok(zone.unwrap_or_else(|| "UTC".to_string()))
}
