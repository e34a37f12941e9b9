//! SQL for the timeline. Every query is bounded by an index and a LIMIT, so
//! a page costs the same with ten years of history as with one month:
//!
//! - no kind filter: the primary key (or `ledger_by_author`) walked newest
//!   first from the keyset position;
//! - a category: the distinct kinds are found by jumping through
//!   `ledger_by_kind` (one seek per kind), then each kind's newest entries are
//!   read from `ledger_by_kind` / `ledger_by_author_kind` with their own LIMIT
//!   and the few results merged, instead of sorting a whole category;
//! - a period: times never go backwards along the chain, so the dates become
//!   a range of entry numbers through `ledger_by_at`.

use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use crate::error::Result;
use crate::ledger::Entry;

/// What the timeline shows. `kinds: Some(empty)` matches nothing.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub person: Option<i64>,
    pub kinds: Option<Vec<String>>,
    /// Entries with `seq >= from_seq` (start of the period).
    pub from_seq: Option<i64>,
    /// Entries with `seq < before` (end of the period or the keyset position).
    pub before: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    seq: i64,
    at: String,
    author: Option<i64>,
    kind: String,
    subject: String,
    body: Vec<u8>,
}

impl Row {
    fn into_entry(self) -> Entry {
        Entry {
            seq: self.seq,
            at: self.at,
            author: self.author,
            kind: self.kind,
            subject: self.subject,
            body: String::from_utf8_lossy(&self.body).into_owned(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }
}

/// Up to `limit` entries matching `filter`, newest first.
pub async fn page(pool: &SqlitePool, filter: &Filter, limit: i64) -> Result<Vec<Entry>> {
    let mut q: QueryBuilder<Sqlite> =
        QueryBuilder::new("SELECT seq, at, author, kind, subject, body FROM ledger WHERE ");
    match &filter.kinds {
        None => {
            q.push("1 = 1");
            push_bounds(&mut q, filter);
        }
        Some(kinds) if kinds.is_empty() => return Ok(Vec::new()),
        Some(kinds) => {
            q.push("seq IN (");
            for (i, kind) in kinds.iter().enumerate() {
                if i > 0 {
                    q.push(" UNION ALL ");
                }
                q.push("SELECT seq FROM (SELECT seq FROM ledger WHERE kind = ");
                q.push_bind(kind.clone());
                push_bounds(&mut q, filter);
                q.push(" ORDER BY seq DESC LIMIT ");
                q.push_bind(limit);
                q.push(")");
            }
            q.push(")");
        }
    }
    q.push(" ORDER BY seq DESC LIMIT ");
    q.push_bind(limit);
    let rows: Vec<Row> = q.build_query_as().fetch_all(pool).await?;
    Ok(rows.into_iter().map(Row::into_entry).collect())
}

fn push_bounds(q: &mut QueryBuilder<Sqlite>, filter: &Filter) {
    if let Some(person) = filter.person {
        q.push(" AND author = ");
        q.push_bind(person);
    }
    if let Some(from) = filter.from_seq {
        q.push(" AND seq >= ");
        q.push_bind(from);
    }
    if let Some(before) = filter.before {
        q.push(" AND seq < ");
        q.push_bind(before);
    }
}

/// Every distinct kind in the record, by jumping through `ledger_by_kind`
/// (one index seek per kind, never a scan of the entries).
pub async fn distinct_kinds(pool: &SqlitePool) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "WITH RECURSIVE kinds(kind) AS (
             SELECT MIN(kind) FROM ledger
             UNION ALL
             SELECT (SELECT MIN(kind) FROM ledger WHERE kind > kinds.kind)
             FROM kinds WHERE kinds.kind IS NOT NULL
         )
         SELECT kind FROM kinds WHERE kind IS NOT NULL",
    )
    .fetch_all(pool)
    .await?)
}

/// The first entry written at or after `at` (a stored UTC time), if any.
pub async fn first_seq_at_or_after(pool: &SqlitePool, at: &str) -> Result<Option<i64>> {
    Ok(
        // `MIN(seq)` would walk the primary key from the first entry; the
        // index on `at` finds the first entry at or after the time directly.
        sqlx::query_scalar(
            "SELECT seq FROM ledger INDEXED BY ledger_by_at WHERE at >= ? ORDER BY at, seq LIMIT 1",
        )
        .bind(at)
        .fetch_optional(pool)
        .await?,
    )
}

/// The entries with these numbers (for quoting what a correction corrects).
pub async fn by_seqs(pool: &SqlitePool, seqs: &[i64]) -> Result<Vec<Entry>> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let mut q: QueryBuilder<Sqlite> =
        QueryBuilder::new("SELECT seq, at, author, kind, subject, body FROM ledger WHERE seq IN (");
    let mut list = q.separated(", ");
    for seq in seqs {
        list.push_bind(*seq);
    }
    q.push(")");
    let rows: Vec<Row> = q.build_query_as().fetch_all(pool).await?;
    Ok(rows.into_iter().map(Row::into_entry).collect())
}

/// For entries on a page: the later entries that correct them, as
/// (correcting seq, corrected seq). Uses the `ledger_by_corrects` index, whose
/// expression this query repeats exactly (named, because almost every entry
/// has no value there and the planner could otherwise prefer a scan).
pub async fn corrections_of(pool: &SqlitePool, seqs: &[i64]) -> Result<Vec<(i64, i64)>> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT seq, (CASE WHEN json_valid(CAST(body AS TEXT)) \
         THEN json_extract(CAST(body AS TEXT), '$.corrects') END) AS corrects \
         FROM ledger INDEXED BY ledger_by_corrects WHERE (CASE WHEN json_valid(CAST(body AS TEXT)) \
         THEN json_extract(CAST(body AS TEXT), '$.corrects') END) IN (",
    );
    let mut list = q.separated(", ");
    for seq in seqs {
        list.push_bind(*seq);
    }
    q.push(") ORDER BY seq LIMIT 500");
    Ok(q.build_query_as().fetch_all(pool).await?)
}
