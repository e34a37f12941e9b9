//! SQL for leaving: closing an account and the notice the other person sees.

use sqlx::{SqliteConnection, SqlitePool};

use crate::error::Result;

/// The other person closed their account; shown until dismissed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Departure {
    pub name: String,
    pub closed_at: String,
}

/// Marks the account closed; `false` if it already was.
pub async fn close_account(tx: &mut SqliteConnection, person_id: i64, at: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE people SET closed_at = ? WHERE id = ? AND closed_at IS NULL")
        .bind(at)
        .bind(person_id)
        .execute(tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The other person's closing, if it happened and `me` has not put its
/// notice away.
pub async fn departure_for(pool: &SqlitePool, me: i64) -> Result<Option<Departure>> {
    Ok(sqlx::query_as(
        "SELECT p.name, p.closed_at FROM people p
         WHERE p.id <> ? AND p.closed_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM departure_notices_seen d
                           WHERE d.person_id = ? AND d.closed_at = p.closed_at)
         ORDER BY p.id LIMIT 1",
    )
    .bind(me)
    .bind(me)
    .fetch_optional(pool)
    .await?)
}

/// Puts the notice about every current closing away for `me`.
pub async fn dismiss_departure(tx: &mut SqliteConnection, me: i64, at: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO departure_notices_seen (person_id, closed_at, seen_at)
         SELECT ?, closed_at, ? FROM people WHERE id <> ? AND closed_at IS NOT NULL
         ON CONFLICT DO NOTHING",
    )
    .bind(me)
    .bind(at)
    .bind(me)
    .execute(tx)
    .await?;
    Ok(())
}

/// One copy taken, as the record says.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CopyTaken {
    pub at: String,
    pub author: Option<i64>,
}

/// The latest copies taken, newest first (from the record, by its kind index).
pub async fn recent_copies(pool: &SqlitePool, limit: i64) -> Result<Vec<CopyTaken>> {
    Ok(sqlx::query_as(
        "SELECT at, author FROM ledger WHERE kind = 'copy.taken' ORDER BY seq DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
