//! SQL for trust levels and their sharing, pauses and pause requests, and
//! "trust restored".

use sqlx::SqliteConnection;

use crate::error::Result;

/// One trust level, as its owner recorded it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrustLevel {
    pub id: i64,
    pub level: i64,
    pub note: Option<String>,
    pub recorded_on: String,
    pub recorded_at: String,
}

/// One pause of a breach's repair.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PauseRow {
    pub id: i64,
    pub started_by: i64,
    pub reason: Option<String>,
    pub request_id: Option<i64>,
    pub started_at: String,
    pub from_date: String,
    pub resumed_by: Option<i64>,
    pub resumed_at: Option<String>,
    pub until_date: Option<String>,
}

/// A request for a pause, and its answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PauseRequest {
    pub id: i64,
    pub requested_by: i64,
    pub reason: Option<String>,
    pub requested_at: String,
    pub answer: Option<String>,
    pub answer_note: Option<String>,
    pub answered_at: Option<String>,
}

/// A declaration that trust is restored (perhaps taken back later).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Restoration {
    pub id: i64,
    pub declared_by: i64,
    pub note: Option<String>,
    pub declared_at: String,
    pub withdrawn_at: Option<String>,
    pub withdrawn_note: Option<String>,
}

// --- Trust levels ---------------------------------------------------------------

pub struct NewLevel<'a> {
    pub breach_id: i64,
    pub person_id: i64,
    pub level: u8,
    pub note: Option<&'a str>,
    pub recorded_on: &'a str,
    pub recorded_at: &'a str,
}

pub async fn insert_level(conn: &mut SqliteConnection, new: &NewLevel<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO trust_levels (breach_id, person_id, level, note, recorded_on, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.breach_id)
    .bind(new.person_id)
    .bind(i64::from(new.level))
    .bind(new.note)
    .bind(new.recorded_on)
    .bind(new.recorded_at)
    .fetch_one(conn)
    .await?)
}

/// The owner's levels for a breach, newest first (at most `limit`).
pub async fn levels(
    conn: &mut SqliteConnection,
    breach_id: i64,
    person_id: i64,
    limit: i64,
) -> Result<Vec<TrustLevel>> {
    Ok(sqlx::query_as(
        "SELECT id, level, note, recorded_on, recorded_at FROM trust_levels
         WHERE breach_id = ? AND person_id = ?
         ORDER BY recorded_on DESC, id DESC LIMIT ?",
    )
    .bind(breach_id)
    .bind(person_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// The owner's levels for a breach in time order: (day, level).
pub async fn series(
    conn: &mut SqliteConnection,
    breach_id: i64,
    person_id: i64,
) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT recorded_on, level FROM trust_levels
         WHERE breach_id = ? AND person_id = ? ORDER BY recorded_on, id",
    )
    .bind(breach_id)
    .bind(person_id)
    .fetch_all(conn)
    .await?)
}

/// Whether the hurt person shares their levels of this breach.
pub async fn shared(conn: &mut SqliteConnection, breach_id: i64) -> Result<bool> {
    let shared: Option<i64> =
        sqlx::query_scalar("SELECT shared FROM trust_sharing WHERE breach_id = ?")
            .bind(breach_id)
            .fetch_optional(conn)
            .await?;
    Ok(shared == Some(1))
}

pub async fn set_shared(
    conn: &mut SqliteConnection,
    breach_id: i64,
    person_id: i64,
    shared: bool,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO trust_sharing (breach_id, person_id, shared, changed_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (breach_id) DO UPDATE SET
             person_id = excluded.person_id, shared = excluded.shared,
             changed_at = excluded.changed_at",
    )
    .bind(breach_id)
    .bind(person_id)
    .bind(i64::from(shared))
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

// --- Pauses -------------------------------------------------------------------

/// Every pause of a breach, oldest first.
pub async fn pauses(conn: &mut SqliteConnection, breach_id: i64) -> Result<Vec<PauseRow>> {
    Ok(sqlx::query_as(
        "SELECT id, started_by, reason, request_id, started_at, from_date, resumed_by,
                resumed_at, until_date
         FROM pauses WHERE breach_id = ? ORDER BY id",
    )
    .bind(breach_id)
    .fetch_all(conn)
    .await?)
}

pub async fn open_pause(conn: &mut SqliteConnection, breach_id: i64) -> Result<Option<PauseRow>> {
    Ok(sqlx::query_as(
        "SELECT id, started_by, reason, request_id, started_at, from_date, resumed_by,
                resumed_at, until_date
         FROM pauses WHERE breach_id = ? AND resumed_at IS NULL",
    )
    .bind(breach_id)
    .fetch_optional(conn)
    .await?)
}

pub struct NewPause<'a> {
    pub breach_id: i64,
    pub started_by: i64,
    pub reason: Option<&'a str>,
    pub request_id: Option<i64>,
    pub started_at: &'a str,
    pub from_date: &'a str,
}

pub async fn insert_pause(conn: &mut SqliteConnection, new: &NewPause<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO pauses (breach_id, started_by, reason, request_id, started_at, from_date)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.breach_id)
    .bind(new.started_by)
    .bind(new.reason)
    .bind(new.request_id)
    .bind(new.started_at)
    .bind(new.from_date)
    .fetch_one(conn)
    .await?)
}

/// Ends the open pause; `false` if none was open.
pub async fn resume(
    conn: &mut SqliteConnection,
    id: i64,
    by: i64,
    at: &str,
    until: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE pauses SET resumed_by = ?, resumed_at = ?, until_date = ?
         WHERE id = ? AND resumed_at IS NULL",
    )
    .bind(by)
    .bind(at)
    .bind(until)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn waiting_request(
    conn: &mut SqliteConnection,
    breach_id: i64,
) -> Result<Option<PauseRequest>> {
    Ok(sqlx::query_as(
        "SELECT id, requested_by, reason, requested_at, answer, answer_note, answered_at
         FROM pause_requests WHERE breach_id = ? AND answer IS NULL",
    )
    .bind(breach_id)
    .fetch_optional(conn)
    .await?)
}

/// The latest answered requests of a breach, newest first.
pub async fn answered_requests(
    conn: &mut SqliteConnection,
    breach_id: i64,
    limit: i64,
) -> Result<Vec<PauseRequest>> {
    Ok(sqlx::query_as(
        "SELECT id, requested_by, reason, requested_at, answer, answer_note, answered_at
         FROM pause_requests WHERE breach_id = ? AND answer IS NOT NULL
         ORDER BY id DESC LIMIT ?",
    )
    .bind(breach_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_request(
    conn: &mut SqliteConnection,
    breach_id: i64,
    by: i64,
    reason: Option<&str>,
    at: &str,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO pause_requests (breach_id, requested_by, reason, requested_at)
         VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(breach_id)
    .bind(by)
    .bind(reason)
    .bind(at)
    .fetch_one(conn)
    .await?)
}

/// Answers a waiting request; `false` if it was already answered.
pub async fn answer_request(
    conn: &mut SqliteConnection,
    id: i64,
    answer: &str,
    note: Option<&str>,
    at: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE pause_requests SET answer = ?, answer_note = ?, answered_at = ?
         WHERE id = ? AND answer IS NULL",
    )
    .bind(answer)
    .bind(note)
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// --- Trust restored -------------------------------------------------------------

/// Every declaration for a breach, oldest first.
pub async fn restorations(conn: &mut SqliteConnection, breach_id: i64) -> Result<Vec<Restoration>> {
    Ok(sqlx::query_as(
        "SELECT id, declared_by, note, declared_at, withdrawn_at, withdrawn_note
         FROM trust_restorations WHERE breach_id = ? ORDER BY id LIMIT 100",
    )
    .bind(breach_id)
    .fetch_all(conn)
    .await?)
}

pub async fn current_restoration(
    conn: &mut SqliteConnection,
    breach_id: i64,
) -> Result<Option<Restoration>> {
    Ok(sqlx::query_as(
        "SELECT id, declared_by, note, declared_at, withdrawn_at, withdrawn_note
         FROM trust_restorations WHERE breach_id = ? AND withdrawn_at IS NULL",
    )
    .bind(breach_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn insert_restoration(
    conn: &mut SqliteConnection,
    breach_id: i64,
    by: i64,
    note: Option<&str>,
    at: &str,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO trust_restorations (breach_id, declared_by, note, declared_at)
         VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(breach_id)
    .bind(by)
    .bind(note)
    .bind(at)
    .fetch_one(conn)
    .await?)
}

/// Takes a declaration back; `false` if it already was.
pub async fn withdraw(
    conn: &mut SqliteConnection,
    id: i64,
    note: Option<&str>,
    at: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE trust_restorations SET withdrawn_at = ?, withdrawn_note = ?
         WHERE id = ? AND withdrawn_at IS NULL",
    )
    .bind(at)
    .bind(note)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
