//! SQL for agreements, their revisions, signatures and versions.

use sqlx::{SqliteConnection, SqlitePool};

use super::content::{CommitmentDraft, Content};
use crate::error::{AppError, Result};

/// An agreement as stored (across all its versions).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Agreement {
    pub id: i64,
    pub title: String,
    pub breach_id: Option<i64>,
    pub state: String,
    pub draft_open: i64,
    pub current_revision_id: Option<i64>,
    pub proposed_revision_id: Option<i64>,
    pub proposed_by: Option<i64>,
    pub active_version: Option<i64>,
    pub ends_on: Option<String>,
    pub end_proposed_by: Option<i64>,
    pub end_proposed_at: Option<String>,
    pub end_note: Option<String>,
    pub ended_at: Option<String>,
    pub created_by: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl Agreement {
    pub fn has_draft(&self) -> bool {
        self.draft_open == 1
    }

    /// Whether the draft's current revision is proposed for signing.
    pub fn is_proposed(&self) -> bool {
        self.has_draft()
            && self.proposed_revision_id.is_some()
            && self.proposed_revision_id == self.current_revision_id
    }
}

macro_rules! agreement_select {
    () => {
        "SELECT id, title, breach_id, state, draft_open, current_revision_id, \
     proposed_revision_id, proposed_by, active_version, ends_on, end_proposed_by, end_proposed_at, \
     end_note, ended_at, created_by, created_at, updated_at FROM agreements"
    };
}

/// A revision as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RevisionRow {
    pub id: i64,
    pub agreement_id: i64,
    pub number: i64,
    pub based_on: Option<i64>,
    pub amendment: i64,
    pub title: String,
    pub body: String,
    pub ends_on: Option<String>,
    pub commitments: String,
    pub content_hash: String,
    pub author: i64,
    pub created_at: String,
}

impl RevisionRow {
    /// The content, read back from the stored columns.
    pub fn content(&self) -> Result<Content> {
        let commitments: Vec<CommitmentDraft> = serde_json::from_str(&self.commitments)
            .map_err(|e| AppError::internal(format!("reading revision {}: {e}", self.id)))?;
        Ok(Content {
            title: self.title.clone(),
            body: self.body.clone(),
            ends_on: self.ends_on.as_deref().and_then(|d| d.parse().ok()),
            commitments,
        })
    }
}

macro_rules! revision_select {
    () => {
        "SELECT id, agreement_id, number, based_on, amendment, title, body, \
     ends_on, commitments, content_hash, author, created_at FROM agreement_revisions"
    };
}

/// A signature as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Signature {
    pub id: i64,
    pub agreement_id: i64,
    pub revision_id: i64,
    pub purpose: String,
    pub person_id: i64,
    pub content_hash: String,
    pub signed_at: String,
    pub record_seq: i64,
    pub record_hash: String,
    pub cleared_at: Option<String>,
}

macro_rules! signature_select {
    () => {
        "SELECT id, agreement_id, revision_id, purpose, person_id, \
     content_hash, signed_at, record_seq, record_hash, cleared_at FROM agreement_signatures"
    };
}

/// A version: a revision both signed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Version {
    pub agreement_id: i64,
    pub number: i64,
    pub revision_id: i64,
    pub activated_at: String,
    pub superseded_at: Option<String>,
    pub record_seq: i64,
    pub record_hash: String,
}

macro_rules! version_select {
    () => {
        "SELECT agreement_id, number, revision_id, activated_at, \
     superseded_at, record_seq, record_hash FROM agreement_versions"
    };
}

pub async fn insert_agreement(
    tx: &mut SqliteConnection,
    title: &str,
    breach_id: Option<i64>,
    person: i64,
    at: &str,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agreements (title, breach_id, state, draft_open, created_by, created_at, updated_at)
         VALUES (?, ?, 'draft', 1, ?, ?, ?) RETURNING id",
    )
    .bind(title)
    .bind(breach_id)
    .bind(person)
    .bind(at)
    .bind(at)
    .fetch_one(tx)
    .await?;
    Ok(id)
}

/// Stores a revision and makes it the draft's current one (withdrawing any
/// proposal: a changed draft must be proposed again). Returns (id, number).
pub async fn insert_revision(
    tx: &mut SqliteConnection,
    agreement_id: i64,
    based_on: Option<i64>,
    amendment: bool,
    content: &Content,
    author: i64,
    at: &str,
) -> Result<(i64, i64)> {
    let number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM agreement_revisions WHERE agreement_id = ?",
    )
    .bind(agreement_id)
    .fetch_one(&mut *tx)
    .await?;
    let commitments = serde_json::to_string(&content.commitments)
        .map_err(|e| AppError::internal(format!("serialising commitments: {e}")))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agreement_revisions
           (agreement_id, number, based_on, amendment, title, body, ends_on, commitments,
            content_hash, author, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(agreement_id)
    .bind(number)
    .bind(based_on)
    .bind(i64::from(amendment))
    .bind(&content.title)
    .bind(&content.body)
    .bind(content.ends_on.map(|d| d.to_string()))
    .bind(commitments)
    .bind(content.hash())
    .bind(author)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE agreements SET current_revision_id = ?, draft_open = 1, proposed_revision_id = NULL,
           proposed_by = NULL, title = CASE WHEN state = 'draft' THEN ? ELSE title END,
           updated_at = ?
         WHERE id = ?",
    )
    .bind(id)
    .bind(&content.title)
    .bind(at)
    .bind(agreement_id)
    .execute(&mut *tx)
    .await?;
    Ok((id, number))
}

/// Clears every live signature of one purpose on an agreement; returns whose.
pub async fn clear_signatures(
    tx: &mut SqliteConnection,
    agreement_id: i64,
    purpose: &str,
    at: &str,
) -> Result<Vec<i64>> {
    let people: Vec<i64> = sqlx::query_scalar(
        "UPDATE agreement_signatures SET cleared_at = ?
         WHERE agreement_id = ? AND purpose = ? AND cleared_at IS NULL RETURNING person_id",
    )
    .bind(at)
    .bind(agreement_id)
    .bind(purpose)
    .fetch_all(tx)
    .await?;
    Ok(people)
}

pub async fn agreement(pool: &SqlitePool, id: i64) -> Result<Agreement> {
    let sql = concat!(agreement_select!(), " WHERE id = ?");
    sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn agreement_tx(tx: &mut SqliteConnection, id: i64) -> Result<Agreement> {
    let sql = concat!(agreement_select!(), " WHERE id = ?");
    sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(tx)
        .await?
        .ok_or(AppError::NotFound)
}

/// Every agreement, most recently changed first (a pair has a handful).
pub async fn all_agreements(pool: &SqlitePool) -> Result<Vec<Agreement>> {
    let sql = concat!(
        agreement_select!(),
        " ORDER BY updated_at DESC, id DESC LIMIT 500"
    );
    Ok(sqlx::query_as(sql).fetch_all(pool).await?)
}

pub async fn revision(pool: &SqlitePool, id: i64) -> Result<RevisionRow> {
    let sql = concat!(revision_select!(), " WHERE id = ?");
    sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn revision_tx(tx: &mut SqliteConnection, id: i64) -> Result<RevisionRow> {
    let sql = concat!(revision_select!(), " WHERE id = ?");
    sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(tx)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn revision_by_number(
    pool: &SqlitePool,
    agreement_id: i64,
    number: i64,
) -> Result<RevisionRow> {
    let sql = concat!(revision_select!(), " WHERE agreement_id = ? AND number = ?");
    sqlx::query_as(sql)
        .bind(agreement_id)
        .bind(number)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)
}

/// The revisions of an agreement, newest first.
pub async fn revisions(pool: &SqlitePool, agreement_id: i64) -> Result<Vec<RevisionRow>> {
    let sql = concat!(
        revision_select!(),
        " WHERE agreement_id = ? ORDER BY number DESC LIMIT 200"
    );
    Ok(sqlx::query_as(sql)
        .bind(agreement_id)
        .fetch_all(pool)
        .await?)
}

/// Live (not cleared) signatures of one purpose on a revision.
pub async fn live_signatures(
    pool: &SqlitePool,
    revision_id: i64,
    purpose: &str,
) -> Result<Vec<Signature>> {
    let sql = concat!(
        signature_select!(),
        " WHERE revision_id = ? AND purpose = ? AND cleared_at IS NULL ORDER BY id"
    );
    Ok(sqlx::query_as(sql)
        .bind(revision_id)
        .bind(purpose)
        .fetch_all(pool)
        .await?)
}

pub async fn live_signatures_tx(
    tx: &mut SqliteConnection,
    revision_id: i64,
    purpose: &str,
) -> Result<Vec<Signature>> {
    let sql = concat!(
        signature_select!(),
        " WHERE revision_id = ? AND purpose = ? AND cleared_at IS NULL ORDER BY id"
    );
    Ok(sqlx::query_as(sql)
        .bind(revision_id)
        .bind(purpose)
        .fetch_all(tx)
        .await?)
}

/// Every signature ever made on a revision (cleared ones too).
pub async fn all_signatures(pool: &SqlitePool, revision_id: i64) -> Result<Vec<Signature>> {
    let sql = concat!(signature_select!(), " WHERE revision_id = ? ORDER BY id");
    Ok(sqlx::query_as(sql)
        .bind(revision_id)
        .fetch_all(pool)
        .await?)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_signature(
    tx: &mut SqliteConnection,
    agreement_id: i64,
    revision_id: i64,
    purpose: &str,
    person: i64,
    content_hash: &str,
    at: &str,
    record_seq: i64,
    record_hash: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO agreement_signatures
           (agreement_id, revision_id, purpose, person_id, content_hash, signed_at, record_seq, record_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(agreement_id)
    .bind(revision_id)
    .bind(purpose)
    .bind(person)
    .bind(content_hash)
    .bind(at)
    .bind(record_seq)
    .bind(record_hash)
    .execute(tx)
    .await?;
    Ok(())
}

pub async fn set_proposed(
    tx: &mut SqliteConnection,
    agreement_id: i64,
    revision_id: Option<i64>,
    person: Option<i64>,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE agreements SET proposed_revision_id = ?, proposed_by = ?, updated_at = ? WHERE id = ?",
    )
    .bind(revision_id)
    .bind(person)
    .bind(at)
    .bind(agreement_id)
    .execute(tx)
    .await?;
    Ok(())
}

pub async fn versions(pool: &SqlitePool, agreement_id: i64) -> Result<Vec<Version>> {
    let sql = concat!(
        version_select!(),
        " WHERE agreement_id = ? ORDER BY number DESC"
    );
    Ok(sqlx::query_as(sql)
        .bind(agreement_id)
        .fetch_all(pool)
        .await?)
}

pub async fn version(pool: &SqlitePool, agreement_id: i64, number: i64) -> Result<Version> {
    let sql = concat!(version_select!(), " WHERE agreement_id = ? AND number = ?");
    sqlx::query_as(sql)
        .bind(agreement_id)
        .bind(number)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn version_tx(
    tx: &mut SqliteConnection,
    agreement_id: i64,
    number: i64,
) -> Result<Version> {
    let sql = concat!(version_select!(), " WHERE agreement_id = ? AND number = ?");
    sqlx::query_as(sql)
        .bind(agreement_id)
        .bind(number)
        .fetch_optional(tx)
        .await?
        .ok_or(AppError::NotFound)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_version(
    tx: &mut SqliteConnection,
    agreement_id: i64,
    number: i64,
    revision_id: i64,
    at: &str,
    record_seq: i64,
    record_hash: &str,
    ends_on: Option<String>,
    title: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE agreement_versions SET superseded_at = ? WHERE agreement_id = ? AND superseded_at IS NULL",
    )
    .bind(at)
    .bind(agreement_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO agreement_versions (agreement_id, number, revision_id, activated_at, record_seq, record_hash)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(agreement_id)
    .bind(number)
    .bind(revision_id)
    .bind(at)
    .bind(record_seq)
    .bind(record_hash)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE agreements SET state = 'active', draft_open = 0, proposed_revision_id = NULL,
           proposed_by = NULL, active_version = ?, ends_on = ?, title = ?, updated_at = ?
         WHERE id = ?",
    )
    .bind(number)
    .bind(ends_on)
    .bind(title)
    .bind(at)
    .bind(agreement_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn set_end_proposal(
    tx: &mut SqliteConnection,
    agreement_id: i64,
    person: Option<i64>,
    note: Option<&str>,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE agreements SET end_proposed_by = ?, end_proposed_at = CASE WHEN ? IS NULL THEN NULL ELSE ? END,
           end_note = ?, updated_at = ? WHERE id = ?",
    )
    .bind(person)
    .bind(person)
    .bind(at)
    .bind(note)
    .bind(at)
    .bind(agreement_id)
    .execute(tx)
    .await?;
    Ok(())
}

pub async fn mark_ended(tx: &mut SqliteConnection, agreement_id: i64, at: &str) -> Result<()> {
    sqlx::query(
        "UPDATE agreements SET state = 'ended', draft_open = 0, proposed_revision_id = NULL,
           proposed_by = NULL, end_proposed_by = NULL, ended_at = ?, updated_at = ? WHERE id = ?",
    )
    .bind(at)
    .bind(at)
    .bind(agreement_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE agreement_versions SET superseded_at = ? WHERE agreement_id = ? AND superseded_at IS NULL",
    )
    .bind(at)
    .bind(agreement_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The revision a person last saw of an agreement.
pub async fn seen(pool: &SqlitePool, agreement_id: i64, person: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT revision_id FROM agreement_seen WHERE agreement_id = ? AND person_id = ?",
    )
    .bind(agreement_id)
    .bind(person)
    .fetch_optional(pool)
    .await?)
}

pub async fn set_seen(
    tx: &mut SqliteConnection,
    agreement_id: i64,
    person: i64,
    revision_id: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO agreement_seen (agreement_id, person_id, revision_id) VALUES (?, ?, ?)
         ON CONFLICT (agreement_id, person_id) DO UPDATE SET revision_id = excluded.revision_id",
    )
    .bind(agreement_id)
    .bind(person)
    .bind(revision_id)
    .execute(tx)
    .await?;
    Ok(())
}
