//! SQL for commitments, their terms per version, their records and the
//! answers to those records.

use sqlx::{SqliteConnection, SqlitePool};

use crate::error::{AppError, Result};

/// A commitment of a signed version.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommitmentRow {
    pub id: i64,
    pub agreement_id: i64,
    pub owner_id: i64,
    pub text: String,
    pub schedule: String,
    pub since_version: i64,
    pub in_force_from: String,
    pub until_version: Option<i64>,
    pub in_force_until: Option<String>,
    pub created_at: String,
}

macro_rules! commitment_select {
    () => {
        "SELECT id, agreement_id, owner_id, text, schedule, since_version, in_force_from, \
         until_version, in_force_until, created_at FROM commitments"
    };
}

/// The terms of a commitment in one version.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Terms {
    pub commitment_id: i64,
    pub version: i64,
    pub owner_id: i64,
    pub text: String,
    pub schedule: String,
    pub changed: i64,
    pub effective_from: String,
}

/// One record about a commitment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordRow {
    pub id: i64,
    pub commitment_id: i64,
    pub kind: String,
    pub day: String,
    pub recorded_by: i64,
    pub self_reported: i64,
    pub note: String,
    pub corrects: Option<i64>,
    pub created_at: String,
    pub record_seq: i64,
    /// The record that corrects this one, if any.
    pub corrected_by: Option<i64>,
}

macro_rules! record_select {
    () => {
        "SELECT r.id, r.commitment_id, r.kind, r.day, r.recorded_by, r.self_reported, r.note, \
         r.corrects, r.created_at, r.record_seq, \
         (SELECT c.id FROM commitment_records c WHERE c.corrects = r.id) AS corrected_by \
         FROM commitment_records r"
    };
}

/// An answer to a record.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnswerRow {
    pub id: i64,
    pub record_id: i64,
    pub kind: String,
    pub person_id: i64,
    pub note: String,
    pub created_at: String,
}

pub async fn commitment(pool: &SqlitePool, id: i64) -> Result<CommitmentRow> {
    sqlx::query_as(concat!(commitment_select!(), " WHERE id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn commitment_tx(tx: &mut SqliteConnection, id: i64) -> Result<CommitmentRow> {
    sqlx::query_as(concat!(commitment_select!(), " WHERE id = ?"))
        .bind(id)
        .fetch_optional(tx)
        .await?
        .ok_or(AppError::NotFound)
}

/// The commitments of an agreement still part of its latest version.
pub async fn live_of_agreement(
    tx: &mut SqliteConnection,
    agreement_id: i64,
) -> Result<Vec<CommitmentRow>> {
    Ok(sqlx::query_as(concat!(
        commitment_select!(),
        " WHERE agreement_id = ? AND until_version IS NULL ORDER BY id"
    ))
    .bind(agreement_id)
    .fetch_all(tx)
    .await?)
}

/// Every commitment an agreement ever had, in order.
pub async fn all_of_agreement(pool: &SqlitePool, agreement_id: i64) -> Result<Vec<CommitmentRow>> {
    Ok(sqlx::query_as(concat!(
        commitment_select!(),
        " WHERE agreement_id = ? ORDER BY id LIMIT 1000"
    ))
    .bind(agreement_id)
    .fetch_all(pool)
    .await?)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_commitment(
    tx: &mut SqliteConnection,
    agreement_id: i64,
    owner: i64,
    text: &str,
    schedule: &str,
    version: i64,
    from_day: &str,
    at: &str,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO commitments
           (agreement_id, owner_id, text, schedule, since_version, in_force_from, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(agreement_id)
    .bind(owner)
    .bind(text)
    .bind(schedule)
    .bind(version)
    .bind(from_day)
    .bind(at)
    .fetch_one(tx)
    .await?)
}

pub async fn update_terms(
    tx: &mut SqliteConnection,
    id: i64,
    owner: i64,
    text: &str,
    schedule: &str,
) -> Result<()> {
    sqlx::query("UPDATE commitments SET owner_id = ?, text = ?, schedule = ? WHERE id = ?")
        .bind(owner)
        .bind(text)
        .bind(schedule)
        .bind(id)
        .execute(tx)
        .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_terms(
    tx: &mut SqliteConnection,
    commitment_id: i64,
    version: i64,
    owner: i64,
    text: &str,
    schedule: &str,
    changed: bool,
    effective_from: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO commitment_terms
           (commitment_id, version, owner_id, text, schedule, changed, effective_from)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(commitment_id)
    .bind(version)
    .bind(owner)
    .bind(text)
    .bind(schedule)
    .bind(i64::from(changed))
    .bind(effective_from)
    .execute(tx)
    .await?;
    Ok(())
}

/// Ends a commitment: `last_day` is the last day it was in force.
pub async fn end_commitment(
    tx: &mut SqliteConnection,
    id: i64,
    version: i64,
    last_day: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE commitments SET until_version = ?, in_force_until = ? WHERE id = ? AND until_version IS NULL",
    )
    .bind(version)
    .bind(last_day)
    .bind(id)
    .execute(tx)
    .await?;
    Ok(())
}

/// The terms of a commitment, oldest version first.
pub async fn terms(pool: &SqlitePool, commitment_id: i64) -> Result<Vec<Terms>> {
    Ok(sqlx::query_as(
        "SELECT commitment_id, version, owner_id, text, schedule, changed, effective_from
         FROM commitment_terms WHERE commitment_id = ? ORDER BY version",
    )
    .bind(commitment_id)
    .fetch_all(pool)
    .await?)
}

pub async fn terms_tx(tx: &mut SqliteConnection, commitment_id: i64) -> Result<Vec<Terms>> {
    Ok(sqlx::query_as(
        "SELECT commitment_id, version, owner_id, text, schedule, changed, effective_from
         FROM commitment_terms WHERE commitment_id = ? ORDER BY version",
    )
    .bind(commitment_id)
    .fetch_all(tx)
    .await?)
}

/// The terms of every commitment in one version of an agreement.
pub async fn terms_of_version(
    pool: &SqlitePool,
    agreement_id: i64,
    version: i64,
) -> Result<Vec<Terms>> {
    Ok(sqlx::query_as(
        "SELECT t.commitment_id, t.version, t.owner_id, t.text, t.schedule, t.changed, t.effective_from
         FROM commitment_terms t JOIN commitments c ON c.id = t.commitment_id
         WHERE c.agreement_id = ? AND t.version = ? ORDER BY t.commitment_id",
    )
    .bind(agreement_id)
    .bind(version)
    .fetch_all(pool)
    .await?)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_record(
    tx: &mut SqliteConnection,
    commitment_id: i64,
    kind: &str,
    day: &str,
    recorded_by: i64,
    self_reported: bool,
    note: &str,
    corrects: Option<i64>,
    at: &str,
    record_seq: i64,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO commitment_records
           (commitment_id, kind, day, recorded_by, self_reported, note, corrects, created_at, record_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(commitment_id)
    .bind(kind)
    .bind(day)
    .bind(recorded_by)
    .bind(i64::from(self_reported))
    .bind(note)
    .bind(corrects)
    .bind(at)
    .bind(record_seq)
    .fetch_one(&mut *tx)
    .await?;
    // The week's cached counts no longer hold.
    super::weeks::forget_week(tx, commitment_id, day).await?;
    Ok(id)
}

/// The id the next record will get (so its entry on the record can name it).
pub async fn next_record_id(tx: &mut SqliteConnection) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM commitment_records")
            .fetch_one(tx)
            .await?,
    )
}

pub async fn record(pool: &SqlitePool, id: i64) -> Result<RecordRow> {
    sqlx::query_as(concat!(record_select!(), " WHERE r.id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn record_tx(tx: &mut SqliteConnection, id: i64) -> Result<RecordRow> {
    sqlx::query_as(concat!(record_select!(), " WHERE r.id = ?"))
        .bind(id)
        .fetch_optional(tx)
        .await?
        .ok_or(AppError::NotFound)
}

/// Records of a commitment on days in `from..=to`, in day order.
pub async fn records_between(
    pool: &SqlitePool,
    commitment_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<RecordRow>> {
    Ok(sqlx::query_as(concat!(
        record_select!(),
        " WHERE r.commitment_id = ? AND r.day >= ? AND r.day <= ? ORDER BY r.day, r.id"
    ))
    .bind(commitment_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?)
}

/// Records of a commitment on one day (for checks inside a write).
pub async fn records_on_day_tx(
    tx: &mut SqliteConnection,
    commitment_id: i64,
    day: &str,
) -> Result<Vec<RecordRow>> {
    Ok(sqlx::query_as(concat!(
        record_select!(),
        " WHERE r.commitment_id = ? AND r.day = ? ORDER BY r.id"
    ))
    .bind(commitment_id)
    .bind(day)
    .fetch_all(tx)
    .await?)
}

/// The latest records of a commitment, newest first.
pub async fn latest_records(
    pool: &SqlitePool,
    commitment_id: i64,
    limit: i64,
) -> Result<Vec<RecordRow>> {
    Ok(sqlx::query_as(concat!(
        record_select!(),
        " WHERE r.commitment_id = ? ORDER BY r.id DESC LIMIT ?"
    ))
    .bind(commitment_id)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Every break recorded of a commitment (for the pattern rule).
pub async fn breaks_tx(tx: &mut SqliteConnection, commitment_id: i64) -> Result<Vec<RecordRow>> {
    Ok(sqlx::query_as(concat!(
        record_select!(),
        " WHERE r.commitment_id = ? AND r.kind = 'broken' ORDER BY r.day, r.id"
    ))
    .bind(commitment_id)
    .fetch_all(tx)
    .await?)
}

pub async fn breaks(pool: &SqlitePool, commitment_id: i64) -> Result<Vec<RecordRow>> {
    Ok(sqlx::query_as(concat!(
        record_select!(),
        " WHERE r.commitment_id = ? AND r.kind = 'broken' ORDER BY r.day, r.id"
    ))
    .bind(commitment_id)
    .fetch_all(pool)
    .await?)
}

pub async fn answers(pool: &SqlitePool, record_id: i64) -> Result<Vec<AnswerRow>> {
    Ok(sqlx::query_as(
        "SELECT id, record_id, kind, person_id, note, created_at FROM commitment_answers
         WHERE record_id = ? ORDER BY id",
    )
    .bind(record_id)
    .fetch_all(pool)
    .await?)
}

pub async fn answers_tx(tx: &mut SqliteConnection, record_id: i64) -> Result<Vec<AnswerRow>> {
    Ok(sqlx::query_as(
        "SELECT id, record_id, kind, person_id, note, created_at FROM commitment_answers
         WHERE record_id = ? ORDER BY id",
    )
    .bind(record_id)
    .fetch_all(tx)
    .await?)
}

pub async fn insert_answer(
    tx: &mut SqliteConnection,
    record_id: i64,
    kind: &str,
    person: i64,
    note: &str,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO commitment_answers (record_id, kind, person_id, note, created_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(record_id)
    .bind(kind)
    .bind(person)
    .bind(note)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    // The answered record's week has to be counted again.
    let about: Option<(i64, String)> =
        sqlx::query_as("SELECT commitment_id, day FROM commitment_records WHERE id = ?")
            .bind(record_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((commitment_id, day)) = about {
        super::weeks::forget_week(tx, commitment_id, &day).await?;
    }
    Ok(())
}

/// Pattern flags already raised for a commitment: (record, earlier record).
pub async fn patterns_tx(tx: &mut SqliteConnection, commitment_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT record_id, earlier_id FROM commitment_patterns WHERE commitment_id = ?",
    )
    .bind(commitment_id)
    .fetch_all(tx)
    .await?)
}

pub async fn insert_pattern(
    tx: &mut SqliteConnection,
    commitment_id: i64,
    record_id: i64,
    earlier_id: i64,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO commitment_patterns (commitment_id, record_id, earlier_id, flagged_at)
         VALUES (?, ?, ?, ?) ON CONFLICT (record_id) DO NOTHING",
    )
    .bind(commitment_id)
    .bind(record_id)
    .bind(earlier_id)
    .bind(at)
    .execute(tx)
    .await?;
    Ok(())
}

/// A record somebody may need to answer, with what it is about.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenRecord {
    pub id: i64,
    pub commitment_id: i64,
    pub kind: String,
    pub day: String,
    pub recorded_by: i64,
    pub owner_id: i64,
    pub text: String,
    pub created_at: String,
}

/// Kept claims and observed breaks made since `since` that nobody has
/// answered and nobody corrected.
pub async fn unanswered_since(pool: &SqlitePool, since: &str) -> Result<Vec<OpenRecord>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.commitment_id, r.kind, r.day, r.recorded_by, c.owner_id, c.text, r.created_at
         FROM commitment_records r JOIN commitments c ON c.id = r.commitment_id
         WHERE r.created_at >= ? AND r.self_reported = 0 AND r.kind IN ('kept', 'broken')
           AND NOT EXISTS (SELECT 1 FROM commitment_answers a WHERE a.record_id = r.id)
           AND NOT EXISTS (SELECT 1 FROM commitment_records x WHERE x.corrects = r.id)
         ORDER BY r.created_at LIMIT 200",
    )
    .bind(since)
    .fetch_all(pool)
    .await?)
}

/// Records with a dispute nobody has settled yet.
pub async fn open_disputes(pool: &SqlitePool) -> Result<Vec<OpenRecord>> {
    // Driven from the disputes (few, and found by index), not from all records.
    Ok(sqlx::query_as(
        "SELECT DISTINCT r.id, r.commitment_id, r.kind, r.day, r.recorded_by, c.owner_id, c.text,
                r.created_at
         FROM commitment_answers d
         JOIN commitment_records r ON r.id = d.record_id
         JOIN commitments c ON c.id = r.commitment_id
         WHERE d.kind = 'disputed'
           AND NOT EXISTS (SELECT 1 FROM commitment_answers a WHERE a.record_id = r.id
                           AND a.kind IN ('dispute_withdrawn', 'dispute_accepted'))
           AND NOT EXISTS (SELECT 1 FROM commitment_records x WHERE x.corrects = r.id)
         ORDER BY r.created_at LIMIT 200",
    )
    .fetch_all(pool)
    .await?)
}
