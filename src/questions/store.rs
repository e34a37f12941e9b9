//! SQL for questions and their follow-ups. Functions take a connection, so
//! the same one serves a page and a step's write transaction.

use sqlx::SqliteConnection;

use crate::error::Result;

/// A question as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Question {
    pub id: i64,
    pub breach_id: i64,
    pub asked_by: i64,
    pub text: String,
    pub asked_at: String,
    pub answered_by: Option<i64>,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
}

/// A follow-up to an answered question.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FollowUp {
    pub id: i64,
    pub question_id: i64,
    pub written_by: i64,
    pub text: String,
    pub written_at: String,
}

/// A question in a list across breaches, with its breach.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub breach_id: i64,
    pub breach_title: String,
    /// The one who broke trust in that breach: the one who answers.
    pub broke_trust: i64,
    pub asked_by: i64,
    pub text: String,
    pub asked_at: String,
    pub answered_at: Option<String>,
}

pub async fn insert(
    conn: &mut SqliteConnection,
    breach_id: i64,
    asked_by: i64,
    text: &str,
    at: &str,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO questions (breach_id, asked_by, text, asked_at) VALUES (?, ?, ?, ?)
         RETURNING id",
    )
    .bind(breach_id)
    .bind(asked_by)
    .bind(text)
    .bind(at)
    .fetch_one(conn)
    .await?)
}

pub async fn question(conn: &mut SqliteConnection, id: i64) -> Result<Option<Question>> {
    Ok(sqlx::query_as(
        "SELECT id, breach_id, asked_by, text, asked_at, answered_by, answer, answered_at
         FROM questions WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Writes the answer if there is none yet; `false` if it was already answered.
pub async fn answer(
    conn: &mut SqliteConnection,
    id: i64,
    by: i64,
    answer: &str,
    at: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE questions SET answered_by = ?, answer = ?, answered_at = ?
         WHERE id = ? AND answer IS NULL",
    )
    .bind(by)
    .bind(answer)
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_follow_up(
    conn: &mut SqliteConnection,
    question_id: i64,
    by: i64,
    text: &str,
    at: &str,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO question_follow_ups (question_id, written_by, text, written_at)
         VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(question_id)
    .bind(by)
    .bind(text)
    .bind(at)
    .fetch_one(conn)
    .await?)
}

/// The follow-ups of a question, in the order they were written.
pub async fn follow_ups(conn: &mut SqliteConnection, question_id: i64) -> Result<Vec<FollowUp>> {
    Ok(sqlx::query_as(
        "SELECT id, question_id, written_by, text, written_at FROM question_follow_ups
         WHERE question_id = ? ORDER BY id LIMIT 1000",
    )
    .bind(question_id)
    .fetch_all(conn)
    .await?)
}

/// A breach's questions, newest first (at most `limit`).
pub async fn by_breach(
    conn: &mut SqliteConnection,
    breach_id: i64,
    limit: i64,
) -> Result<Vec<Question>> {
    Ok(sqlx::query_as(
        "SELECT id, breach_id, asked_by, text, asked_at, answered_by, answer, answered_at
         FROM questions WHERE breach_id = ? ORDER BY id DESC LIMIT ?",
    )
    .bind(breach_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// How many follow-ups each of these questions has, in one query per page.
pub async fn follow_up_count(conn: &mut SqliteConnection, question_id: i64) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM question_follow_ups WHERE question_id = ?")
            .bind(question_id)
            .fetch_one(conn)
            .await?,
    )
}

/// Unanswered questions across all breaches, oldest first (partial index).
pub async fn unanswered(conn: &mut SqliteConnection, limit: i64) -> Result<Vec<Listed>> {
    Ok(sqlx::query_as(
        "SELECT q.id, q.breach_id, b.title AS breach_title, b.broke_trust, q.asked_by, q.text,
                q.asked_at, q.answered_at
         FROM questions q INDEXED BY questions_unanswered
         JOIN breaches b ON b.id = q.breach_id
         WHERE q.answer IS NULL
         ORDER BY q.asked_at, q.id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// How many questions wait for an answer in one breach.
pub async fn unanswered_in_breach(conn: &mut SqliteConnection, breach_id: i64) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM questions WHERE breach_id = ? AND answer IS NULL")
            .bind(breach_id)
            .fetch_one(conn)
            .await?,
    )
}

/// Answered questions across all breaches, newest first, before `before`.
pub async fn answered_page(
    conn: &mut SqliteConnection,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Listed>> {
    Ok(sqlx::query_as(
        "SELECT q.id, q.breach_id, b.title AS breach_title, b.broke_trust, q.asked_by, q.text,
                q.asked_at, q.answered_at
         FROM questions q JOIN breaches b ON b.id = q.breach_id
         WHERE q.answer IS NOT NULL AND q.id < ?
         ORDER BY q.id DESC LIMIT ?",
    )
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
