//! SQL for noticed changes.

use sqlx::{SqliteConnection, SqlitePool};

use crate::error::Result;

/// One good change, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Noticed {
    pub id: i64,
    pub author: i64,
    pub about: i64,
    pub text: String,
    /// `YYYY-MM-DD` in the pair's zone.
    pub happened_on: String,
    pub written_at: String,
}

pub async fn insert(
    tx: &mut SqliteConnection,
    author: i64,
    about: i64,
    text: &str,
    happened_on: &str,
    written_at: &str,
) -> Result<i64> {
    let id = sqlx::query(
        "INSERT INTO noticed (author, about, text, happened_on, written_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(author)
    .bind(about)
    .bind(text)
    .bind(happened_on)
    .bind(written_at)
    .execute(tx)
    .await?
    .last_insert_rowid();
    Ok(id)
}

/// Newest first, those with `id < before`, at most `limit`.
pub async fn page(pool: &SqlitePool, before: Option<i64>, limit: i64) -> Result<Vec<Noticed>> {
    Ok(sqlx::query_as(
        "SELECT id, author, about, text, happened_on, written_at FROM noticed
         WHERE id < ? ORDER BY id DESC LIMIT ?",
    )
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
