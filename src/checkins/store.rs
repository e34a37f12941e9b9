//! SQL for check-ins, their rhythm and the feelings written at them.

use sqlx::{SqliteConnection, SqlitePool};

use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RhythmRow {
    pub id: i64,
    pub proposed_by: i64,
    pub every: String,
    pub weekday: Option<String>,
    pub day_of_month: Option<i64>,
    pub state: String,
    pub proposed_at: String,
    pub starts_on: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckinRow {
    pub id: i64,
    pub held_on: String,
    pub notes: String,
    pub agenda: String,
    pub recorded_by: i64,
    pub recorded_at: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeelingRow {
    pub person_id: i64,
    pub feeling: String,
    pub written_at: String,
}

/// The rhythm in a state ('proposed' or 'agreed'; at most one of each exists).
pub async fn rhythm_in_state(pool: &SqlitePool, state: &str) -> Result<Option<RhythmRow>> {
    Ok(sqlx::query_as(
        "SELECT id, proposed_by, every, weekday, day_of_month, state, proposed_at, starts_on FROM checkin_rhythms WHERE state = ?",
    )
        .bind(state)
        .fetch_optional(pool)
        .await?)
}

pub async fn rhythm_in_state_tx(
    tx: &mut SqliteConnection,
    state: &str,
) -> Result<Option<RhythmRow>> {
    Ok(sqlx::query_as(
        "SELECT id, proposed_by, every, weekday, day_of_month, state, proposed_at, starts_on FROM checkin_rhythms WHERE state = ?",
    )
        .bind(state)
        .fetch_optional(tx)
        .await?)
}

pub async fn rhythm_by_id_tx(tx: &mut SqliteConnection, id: i64) -> Result<Option<RhythmRow>> {
    Ok(sqlx::query_as(
        "SELECT id, proposed_by, every, weekday, day_of_month, state, proposed_at, starts_on FROM checkin_rhythms WHERE id = ?",
    )
        .bind(id)
        .fetch_optional(tx)
        .await?)
}

pub async fn insert_proposal(
    tx: &mut SqliteConnection,
    by: i64,
    (every, weekday, day): (&str, Option<&str>, Option<i64>),
    at: &str,
) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO checkin_rhythms (proposed_by, every, weekday, day_of_month, state, proposed_at)
         VALUES (?, ?, ?, ?, 'proposed', ?)",
    )
    .bind(by)
    .bind(every)
    .bind(weekday)
    .bind(day)
    .bind(at)
    .execute(tx)
    .await?
    .last_insert_rowid())
}

/// Moves a rhythm from one state to another; `false` if it was not in `from`.
pub async fn set_rhythm_state(
    tx: &mut SqliteConnection,
    id: i64,
    from: &str,
    to: &str,
    by: i64,
    at: &str,
    starts_on: Option<&str>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE checkin_rhythms
         SET state = ?, answered_by = ?, answered_at = ?, starts_on = COALESCE(?, starts_on)
         WHERE id = ? AND state = ?",
    )
    .bind(to)
    .bind(by)
    .bind(at)
    .bind(starts_on)
    .bind(id)
    .bind(from)
    .execute(tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The day of the latest check-in held, by one index seek.
pub async fn latest_held_on(pool: &SqlitePool) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT MAX(held_on) FROM checkins")
        .fetch_one(pool)
        .await?)
}

pub async fn insert_checkin(
    tx: &mut SqliteConnection,
    held_on: &str,
    notes: &str,
    agenda: &str,
    by: i64,
    at: &str,
) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO checkins (held_on, notes, agenda, recorded_by, recorded_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(held_on)
    .bind(notes)
    .bind(agenda)
    .bind(by)
    .bind(at)
    .execute(tx)
    .await?
    .last_insert_rowid())
}

/// Writes a person's feeling; `false` if they already wrote one.
pub async fn insert_feeling(
    tx: &mut SqliteConnection,
    checkin_id: i64,
    person_id: i64,
    feeling: &str,
    at: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO checkin_feelings (checkin_id, person_id, feeling, written_at)
         VALUES (?, ?, ?, ?) ON CONFLICT (checkin_id, person_id) DO NOTHING",
    )
    .bind(checkin_id)
    .bind(person_id)
    .bind(feeling)
    .bind(at)
    .execute(tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn checkin(pool: &SqlitePool, id: i64) -> Result<Option<CheckinRow>> {
    Ok(sqlx::query_as(
        "SELECT id, held_on, notes, agenda, recorded_by, recorded_at FROM checkins WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

pub async fn checkin_tx(tx: &mut SqliteConnection, id: i64) -> Result<Option<CheckinRow>> {
    Ok(sqlx::query_as(
        "SELECT id, held_on, notes, agenda, recorded_by, recorded_at FROM checkins WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(tx)
    .await?)
}

pub async fn feelings(pool: &SqlitePool, checkin_id: i64) -> Result<Vec<FeelingRow>> {
    Ok(sqlx::query_as(
        "SELECT person_id, feeling, written_at FROM checkin_feelings
         WHERE checkin_id = ? ORDER BY written_at",
    )
    .bind(checkin_id)
    .fetch_all(pool)
    .await?)
}

/// Check-ins newest recorded first, those with `id < before`, at most `limit`.
pub async fn page(pool: &SqlitePool, before: Option<i64>, limit: i64) -> Result<Vec<CheckinRow>> {
    Ok(sqlx::query_as(
        "SELECT id, held_on, notes, agenda, recorded_by, recorded_at FROM checkins WHERE id < ? ORDER BY id DESC LIMIT ?",
    )
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(pool)
        .await?)
}

/// Among the latest few check-ins held on or after `since`: which person has
/// not yet written how they felt, as (check-in id, held_on, person id).
pub async fn missing_feelings(pool: &SqlitePool, since: &str) -> Result<Vec<(i64, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.held_on, p.id
         FROM (SELECT id, held_on FROM checkins WHERE held_on >= ?
               ORDER BY held_on DESC, id DESC LIMIT 5) AS c
         CROSS JOIN people AS p
         WHERE p.closed_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM checkin_feelings f
                           WHERE f.checkin_id = c.id AND f.person_id = p.id)
         ORDER BY c.held_on DESC, c.id DESC, p.id",
    )
    .bind(since)
    .fetch_all(pool)
    .await?)
}
