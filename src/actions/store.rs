//! SQL for visible repair actions.

use sqlx::SqliteConnection;

use crate::error::Result;

/// A repair action as stored, with its breach's title and the text of the
/// request it serves (if any).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Action {
    pub id: i64,
    pub breach_id: i64,
    pub breach_title: String,
    pub logged_by: i64,
    pub what: String,
    pub done_on: String,
    pub request_id: Option<i64>,
    pub request_text: Option<String>,
    /// Reserved for the commitments feature (no form field yet).
    pub commitment_id: Option<i64>,
    pub logged_at: String,
    pub seen_by: Option<i64>,
    pub seen_word: Option<String>,
    pub seen_at: Option<String>,
}

/// What a new action holds.
pub struct NewAction<'a> {
    pub breach_id: i64,
    pub logged_by: i64,
    pub what: &'a str,
    pub done_on: &'a str,
    pub request_id: Option<i64>,
    pub logged_at: &'a str,
}

/// The one SELECT every read shares, completed with a literal tail, so the
/// SQL stays a static string.
macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT a.id, a.breach_id, b.title AS breach_title, a.logged_by, a.what,
        a.done_on, a.request_id, r.text AS request_text, a.commitment_id, a.logged_at,
        a.seen_by, a.seen_word, a.seen_at
 FROM repair_actions a
 JOIN breaches b ON b.id = a.breach_id
 LEFT JOIN repair_requests r ON r.id = a.request_id ",
            $tail
        )
    };
}

pub async fn insert(conn: &mut SqliteConnection, new: &NewAction<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO repair_actions (breach_id, logged_by, what, done_on, request_id, logged_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.breach_id)
    .bind(new.logged_by)
    .bind(new.what)
    .bind(new.done_on)
    .bind(new.request_id)
    .bind(new.logged_at)
    .fetch_one(conn)
    .await?)
}

pub async fn action(conn: &mut SqliteConnection, id: i64) -> Result<Option<Action>> {
    Ok(sqlx::query_as(select!("WHERE a.id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// A breach's actions, newest first, before `before` (at most `limit`).
pub async fn by_breach(
    conn: &mut SqliteConnection,
    breach_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Action>> {
    Ok(sqlx::query_as(select!(
        "WHERE a.breach_id = ? AND a.id < ? ORDER BY a.id DESC LIMIT ?"
    ))
    .bind(breach_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Every action, newest first, before `before` (at most `limit`).
pub async fn page(
    conn: &mut SqliteConnection,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Action>> {
    Ok(
        sqlx::query_as(select!("WHERE a.id < ? ORDER BY a.id DESC LIMIT ?"))
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(conn)
            .await?,
    )
}

/// How many actions of a breach nobody has marked as seen yet.
pub async fn unseen_in_breach(conn: &mut SqliteConnection, breach_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM repair_actions WHERE breach_id = ? AND seen_at IS NULL",
    )
    .bind(breach_id)
    .fetch_one(conn)
    .await?)
}

/// Marks an action seen, once; `false` if it already was.
pub async fn mark_seen(
    conn: &mut SqliteConnection,
    id: i64,
    by: i64,
    word: Option<&str>,
    at: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE repair_actions SET seen_by = ?, seen_word = ?, seen_at = ?
         WHERE id = ? AND seen_at IS NULL",
    )
    .bind(by)
    .bind(word)
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
