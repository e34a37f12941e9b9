//! The record: an append-only, hash-chained log in the `ledger` table.
//!
//! [`append`] is the one write path for everything either person relies on:
//! a feature changes its own tables and appends the entry describing the
//! change in the same `BEGIN IMMEDIATE` transaction, so the two can never
//! disagree. Triggers refuse UPDATE and DELETE on the table itself.

pub mod chain;
pub mod describe;

use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};

use crate::clock::{self, Clock};
use crate::error::{AppError, Result};
pub use chain::{Break, Entry, Head};

/// The latest entry's number and hash: what people compare by eye.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub seq: i64,
    pub hash: String,
}

impl Fingerprint {
    /// The short form shown in the footer, e.g. `#42 · 3fa9c0d1e2b4`.
    pub fn short_hash(&self) -> &str {
        chain::short(&self.hash)
    }
}

/// Writes one entry at the end of the chain inside the caller's transaction.
///
/// The body is serialised once; those exact bytes are hashed and stored.
/// The entry's time is never earlier than the one before it, even if the
/// system clock stepped back.
pub async fn append<B: Serialize + ?Sized>(
    tx: &mut SqliteConnection,
    clock: &Clock,
    author: Option<i64>,
    kind: &str,
    subject: &str,
    body: &B,
) -> Result<Entry> {
    let body = serde_json::to_string(body)
        .map_err(|e| AppError::internal(format!("serialising a record body: {e}")))?;
    let last: Option<(i64, String, String)> =
        sqlx::query_as("SELECT seq, hash, at FROM ledger ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    let (prev_seq, prev_hash, prev_at) =
        last.unwrap_or((0, chain::GENESIS_HASH.to_string(), String::new()));
    let now = clock::format(clock.now());
    let at = if now < prev_at { prev_at } else { now };
    let seq = prev_seq + 1;
    let hash = chain::hash_fields(seq, &prev_hash, &at, author, kind, subject, &body);
    sqlx::query(
        "INSERT INTO ledger (seq, at, author, kind, subject, body, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(seq)
    .bind(&at)
    .bind(author)
    .bind(kind)
    .bind(subject)
    .bind(body.as_bytes())
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *tx)
    .await?;
    Ok(Entry {
        seq,
        at,
        author,
        kind: kind.to_string(),
        subject: subject.to_string(),
        body,
        prev_hash,
        hash,
    })
}

/// The record's fingerprint, read from the last row (no counting).
pub async fn fingerprint(pool: &SqlitePool) -> Result<Fingerprint> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")
            .fetch_optional(pool)
            .await?;
    Ok(match last {
        Some((seq, hash)) => Fingerprint { seq, hash },
        None => Fingerprint {
            seq: 0,
            hash: chain::GENESIS_HASH.to_string(),
        },
    })
}

/// Reads entries with `seq > after`, oldest first, at most `limit` of them.
pub async fn entries_after(pool: &SqlitePool, after: i64, limit: i64) -> Result<Vec<Entry>> {
    let rows: Vec<StoredEntry> = sqlx::query_as(
        "SELECT seq, at, author, kind, subject, body, prev_hash, hash
         FROM ledger WHERE seq > ? ORDER BY seq LIMIT ?",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(StoredEntry::into_entry).collect())
}

/// Every entry from the first through `through`, oldest first, read a page
/// at a time (what a copy of the record holds).
pub async fn entries_through(pool: &SqlitePool, through: i64) -> Result<Vec<Entry>> {
    const PAGE: i64 = 5000;
    let mut all = Vec::with_capacity(usize::try_from(through.max(0)).unwrap_or(0));
    let mut after = 0;
    loop {
        let rows: Vec<StoredEntry> = sqlx::query_as(
            "SELECT seq, at, author, kind, subject, body, prev_hash, hash
             FROM ledger WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
        )
        .bind(after)
        .bind(through)
        .bind(PAGE)
        .fetch_all(pool)
        .await?;
        let Some(last) = rows.last() else {
            return Ok(all);
        };
        after = last.seq;
        all.extend(rows.into_iter().map(StoredEntry::into_entry));
    }
}

/// The entry with number `seq`, if there is one.
pub async fn entry_at(pool: &SqlitePool, seq: i64) -> Result<Option<Entry>> {
    Ok(entries_after(pool, seq - 1, 1)
        .await?
        .into_iter()
        .find(|e| e.seq == seq))
}

/// A row as stored: the body is raw bytes, so that bytes changed behind the
/// app's back (even into invalid UTF-8) still reach the hash check.
#[derive(sqlx::FromRow)]
struct StoredEntry {
    seq: i64,
    at: String,
    author: Option<i64>,
    kind: String,
    subject: String,
    body: Vec<u8>,
    prev_hash: String,
    hash: String,
}

impl StoredEntry {
    fn into_entry(self) -> Entry {
        let body = match String::from_utf8(self.body) {
            Ok(text) => text,
            // Invalid bytes cannot be what was hashed; the lossy text will
            // fail the hash check and name this entry.
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        };
        Entry {
            seq: self.seq,
            at: self.at,
            author: self.author,
            kind: self.kind,
            subject: self.subject,
            body,
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

/// What verifying the stored chain found.
#[derive(Debug)]
pub enum Verdict {
    Intact(Head),
    Broken(Break),
}

/// Re-computes the whole chain from the stored bytes, a page at a time.
pub async fn verify(pool: &SqlitePool) -> Result<Verdict> {
    const PAGE: i64 = 2000;
    let mut head = Head::genesis();
    loop {
        let page = entries_after(pool, head.seq, PAGE).await?;
        if page.is_empty() {
            return Ok(Verdict::Intact(head));
        }
        for entry in &page {
            match chain::check_next(&head, entry) {
                Ok(next) => head = next,
                Err(problem) => return Ok(Verdict::Broken(problem)),
            }
        }
    }
}
