//! SQL for people, sessions and one-time links.

use sqlx::{SqliteConnection, SqlitePool};

use crate::error::Result;

/// One of the two people.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub password_hash: String,
    pub closed_at: Option<String>,
}

pub async fn count_people(pool: &SqlitePool) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM people")
        .fetch_one(pool)
        .await?)
}

pub async fn count_people_tx(tx: &mut SqliteConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM people")
        .fetch_one(tx)
        .await?)
}

pub async fn person_by_name(pool: &SqlitePool, name: &str) -> Result<Option<Person>> {
    Ok(sqlx::query_as(
        "SELECT id, name, password_hash, closed_at FROM people WHERE name = ? COLLATE NOCASE",
    )
    .bind(name)
    .fetch_optional(pool)
    .await?)
}

pub async fn person_by_id(pool: &SqlitePool, id: i64) -> Result<Option<Person>> {
    Ok(
        sqlx::query_as("SELECT id, name, password_hash, closed_at FROM people WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// Both people, in id order.
pub async fn people(pool: &SqlitePool) -> Result<Vec<Person>> {
    Ok(
        sqlx::query_as("SELECT id, name, password_hash, closed_at FROM people ORDER BY id")
            .fetch_all(pool)
            .await?,
    )
}

/// Inserts a person with the given id (1 or 2; the table refuses others).
pub async fn insert_person(
    tx: &mut SqliteConnection,
    id: i64,
    name: &str,
    password_hash: &str,
    at: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO people (id, name, password_hash, created_at) VALUES (?, ?, ?, ?)")
        .bind(id)
        .bind(name)
        .bind(password_hash)
        .bind(at)
        .execute(tx)
        .await?;
    Ok(())
}

pub async fn set_time_zone(tx: &mut SqliteConnection, time_zone: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO pair (id, time_zone) VALUES (1, ?)
         ON CONFLICT (id) DO UPDATE SET time_zone = excluded.time_zone",
    )
    .bind(time_zone)
    .execute(&mut *tx)
    .await?;
    // Days begin and end at other moments now: recount every week.
    crate::commitments::weeks::forget_all(tx).await?;
    Ok(())
}

/// The pair's time zone name (UTC until setup has chosen one).
pub async fn time_zone(pool: &SqlitePool) -> Result<String> {
    let zone: Option<String> = sqlx::query_scalar("SELECT time_zone FROM pair WHERE id = 1")
        .fetch_optional(pool)
        .await?;
    Ok(zone.unwrap_or_else(|| "UTC".to_string()))
}

/// The other one of the two people, if they have joined.
pub async fn other_person(pool: &SqlitePool, me: i64) -> Result<Option<Person>> {
    Ok(sqlx::query_as(
        "SELECT id, name, password_hash, closed_at FROM people WHERE id <> ? ORDER BY id LIMIT 1",
    )
    .bind(me)
    .fetch_optional(pool)
    .await?)
}

/// Sets a person's password hash.
pub async fn set_password(tx: &mut SqliteConnection, id: i64, password_hash: &str) -> Result<()> {
    sqlx::query("UPDATE people SET password_hash = ? WHERE id = ?")
        .bind(password_hash)
        .bind(id)
        .execute(tx)
        .await?;
    Ok(())
}

/// Replaces a person's recovery codes: unused earlier ones are removed
/// (used ones stay, as a trace of when they were used).
pub async fn replace_recovery_codes(
    tx: &mut SqliteConnection,
    person_id: i64,
    hashes: &[String],
    at: &str,
) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE person_id = ? AND used_at IS NULL")
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    for hash in hashes {
        sqlx::query(
            "INSERT INTO recovery_codes (code_hash, person_id, created_at) VALUES (?, ?, ?)",
        )
        .bind(hash)
        .bind(person_id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

const UNUSED_CODES: &str =
    "SELECT COUNT(*) FROM recovery_codes WHERE person_id = ? AND used_at IS NULL";

/// How many unused recovery codes a person has.
pub async fn unused_recovery_codes(pool: &SqlitePool, person_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(UNUSED_CODES)
        .bind(person_id)
        .fetch_one(pool)
        .await?)
}

pub async fn unused_recovery_codes_tx(tx: &mut SqliteConnection, person_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(UNUSED_CODES)
        .bind(person_id)
        .fetch_one(tx)
        .await?)
}

/// Whether this hash is one of the person's unused codes.
pub async fn recovery_code_is_unused(
    pool: &SqlitePool,
    person_id: i64,
    code_hash: &str,
) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM recovery_codes WHERE person_id = ? AND code_hash = ? AND used_at IS NULL",
    )
    .bind(person_id)
    .bind(code_hash)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// Uses a code; `false` if it was already used (or is not theirs).
pub async fn use_recovery_code(
    tx: &mut SqliteConnection,
    person_id: i64,
    code_hash: &str,
    at: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = ?
         WHERE person_id = ? AND code_hash = ? AND used_at IS NULL",
    )
    .bind(at)
    .bind(person_id)
    .bind(code_hash)
    .execute(tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
