//! SQL for the repair path. Reads and writes take a connection, so the same
//! function serves a page (a reader) and a step's write transaction, where
//! the path is read again to check the step is still possible.

use sqlx::SqliteConnection;

use crate::error::Result;

/// A breach as stored, with its derived status.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Breach {
    pub id: i64,
    pub title: String,
    pub what_happened: String,
    pub happened_on: String,
    pub seriousness: String,
    pub broke_trust: i64,
    pub recorded_by: i64,
    pub self_disclosure: String,
    pub disclosure_answered_at: Option<String>,
    pub created_at: String,
    pub status: String,
}

/// What a new breach holds.
pub struct NewBreach<'a> {
    pub title: &'a str,
    pub what_happened: &'a str,
    pub happened_on: &'a str,
    pub seriousness: &'a str,
    pub broke_trust: i64,
    pub recorded_by: i64,
    pub self_disclosure: &'a str,
    pub created_at: &'a str,
}

/// One person's text on a breach (the other view, the impact).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Written {
    pub written_by: i64,
    pub text: String,
    pub created_at: String,
}

/// One round of understanding.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Round {
    pub id: i64,
    pub round: i64,
    pub written_by: i64,
    pub what_and_why: String,
    pub their_feelings: String,
    pub created_at: String,
    pub answer: Option<String>,
    pub answer_note: Option<String>,
    pub answered_at: Option<String>,
}

/// One sent apology.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Apology {
    pub id: i64,
    pub breach_id: i64,
    pub written_by: i64,
    pub text: String,
    pub took_responsibility: bool,
    pub named_harm: bool,
    pub offered_repair: bool,
    pub sent_at: String,
    pub opened_at: Option<String>,
    pub answer: Option<String>,
    pub answer_note: Option<String>,
    pub answered_at: Option<String>,
}

/// "What can I do to regain your trust?"
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ask {
    pub asked_by: i64,
    pub note: Option<String>,
    pub created_at: String,
}

/// One of the hurt person's requests.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Request {
    pub id: i64,
    pub breach_id: i64,
    pub text: String,
    pub created_by: i64,
    pub created_at: String,
    /// The agreement it was carried into, if any (see src/agreements/requests.rs).
    pub agreement_id: Option<i64>,
}

/// A proposal to commit to repair, and what became of it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Repair {
    pub id: i64,
    pub state: String,
    pub proposed_by: i64,
    pub proposed_at: String,
    pub answered_by: Option<i64>,
    pub answered_at: Option<String>,
    pub declined_note: Option<String>,
    pub ended_by: Option<i64>,
    pub ended_at: Option<String>,
    pub ended_note: Option<String>,
}

/// Every breach, newest first, with its status.
pub async fn breaches(conn: &mut SqliteConnection) -> Result<Vec<Breach>> {
    Ok(sqlx::query_as(
        "SELECT b.id, b.title, b.what_happened, b.happened_on, b.seriousness, b.broke_trust,
                b.recorded_by, b.self_disclosure, b.disclosure_answered_at, b.created_at, s.status
         FROM breaches b JOIN breach_status s ON s.breach_id = b.id
         ORDER BY b.happened_on DESC, b.id DESC",
    )
    .fetch_all(conn)
    .await?)
}

/// One breach with its status.
pub async fn breach(conn: &mut SqliteConnection, id: i64) -> Result<Option<Breach>> {
    Ok(sqlx::query_as(
        "SELECT b.id, b.title, b.what_happened, b.happened_on, b.seriousness, b.broke_trust,
                b.recorded_by, b.self_disclosure, b.disclosure_answered_at, b.created_at, s.status
         FROM breaches b JOIN breach_status s ON s.breach_id = b.id
         WHERE b.id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn insert_breach(conn: &mut SqliteConnection, new: &NewBreach<'_>) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO breaches (title, what_happened, happened_on, seriousness, broke_trust,
                               recorded_by, self_disclosure, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.title)
    .bind(new.what_happened)
    .bind(new.happened_on)
    .bind(new.seriousness)
    .bind(new.broke_trust)
    .bind(new.recorded_by)
    .bind(new.self_disclosure)
    .bind(new.created_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Records the hurt person's answer to a claimed first telling; `false` if
/// it was already answered.
pub async fn answer_disclosure(
    conn: &mut SqliteConnection,
    breach_id: i64,
    answer: &str,
    at: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE breaches SET self_disclosure = ?, disclosure_answered_at = ?
         WHERE id = ? AND self_disclosure = 'claimed'",
    )
    .bind(answer)
    .bind(at)
    .bind(breach_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn other_view(conn: &mut SqliteConnection, breach_id: i64) -> Result<Option<Written>> {
    Ok(sqlx::query_as(
        "SELECT written_by, text, created_at FROM breach_other_views WHERE breach_id = ?",
    )
    .bind(breach_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn insert_other_view(
    conn: &mut SqliteConnection,
    breach_id: i64,
    by: i64,
    text: &str,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO breach_other_views (breach_id, written_by, text, created_at) VALUES (?, ?, ?, ?)",
    )
    .bind(breach_id)
    .bind(by)
    .bind(text)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn impact(conn: &mut SqliteConnection, breach_id: i64) -> Result<Option<Written>> {
    Ok(sqlx::query_as(
        "SELECT written_by, text, created_at FROM breach_impacts WHERE breach_id = ?",
    )
    .bind(breach_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn insert_impact(
    conn: &mut SqliteConnection,
    breach_id: i64,
    by: i64,
    text: &str,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO breach_impacts (breach_id, written_by, text, created_at) VALUES (?, ?, ?, ?)",
    )
    .bind(breach_id)
    .bind(by)
    .bind(text)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The rounds of understanding, in order.
pub async fn rounds(conn: &mut SqliteConnection, breach_id: i64) -> Result<Vec<Round>> {
    Ok(sqlx::query_as(
        "SELECT id, round, written_by, what_and_why, their_feelings, created_at, answer,
                answer_note, answered_at
         FROM understanding_rounds WHERE breach_id = ? ORDER BY round",
    )
    .bind(breach_id)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_round(
    conn: &mut SqliteConnection,
    breach_id: i64,
    round: i64,
    by: i64,
    what_and_why: &str,
    their_feelings: &str,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO understanding_rounds
             (breach_id, round, written_by, what_and_why, their_feelings, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(breach_id)
    .bind(round)
    .bind(by)
    .bind(what_and_why)
    .bind(their_feelings)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Answers a round once; `false` if it already had an answer.
pub async fn answer_round(
    conn: &mut SqliteConnection,
    round_id: i64,
    answer: &str,
    note: Option<&str>,
    at: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE understanding_rounds SET answer = ?, answer_note = ?, answered_at = ?
         WHERE id = ? AND answer IS NULL",
    )
    .bind(answer)
    .bind(note)
    .bind(at)
    .bind(round_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The apologies of a breach, oldest first.
pub async fn apologies(conn: &mut SqliteConnection, breach_id: i64) -> Result<Vec<Apology>> {
    Ok(sqlx::query_as(
        "SELECT id, breach_id, written_by, text, took_responsibility, named_harm, offered_repair,
                sent_at, opened_at, answer, answer_note, answered_at
         FROM apologies WHERE breach_id = ? ORDER BY id",
    )
    .bind(breach_id)
    .fetch_all(conn)
    .await?)
}

/// What a sent apology holds.
pub struct NewApology<'a> {
    pub breach_id: i64,
    pub written_by: i64,
    pub text: &'a str,
    pub took_responsibility: bool,
    pub named_harm: bool,
    pub offered_repair: bool,
    pub sent_at: &'a str,
}

pub async fn insert_apology(conn: &mut SqliteConnection, new: &NewApology<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO apologies (breach_id, written_by, text, took_responsibility, named_harm,
                                offered_repair, sent_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.breach_id)
    .bind(new.written_by)
    .bind(new.text)
    .bind(new.took_responsibility)
    .bind(new.named_harm)
    .bind(new.offered_repair)
    .bind(new.sent_at)
    .fetch_one(conn)
    .await?)
}

/// Marks an apology opened; `false` if it already was.
pub async fn open_apology(conn: &mut SqliteConnection, id: i64, at: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE apologies SET opened_at = ? WHERE id = ? AND opened_at IS NULL")
        .bind(at)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Answers an opened apology once; `false` if it was not open or answered.
pub async fn answer_apology(
    conn: &mut SqliteConnection,
    id: i64,
    answer: &str,
    note: Option<&str>,
    at: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE apologies SET answer = ?, answer_note = ?, answered_at = ?
         WHERE id = ? AND opened_at IS NOT NULL AND answer IS NULL",
    )
    .bind(answer)
    .bind(note)
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn ask(conn: &mut SqliteConnection, breach_id: i64) -> Result<Option<Ask>> {
    Ok(
        sqlx::query_as("SELECT asked_by, note, created_at FROM repair_asks WHERE breach_id = ?")
            .bind(breach_id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn insert_ask(
    conn: &mut SqliteConnection,
    breach_id: i64,
    by: i64,
    note: Option<&str>,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO repair_asks (breach_id, asked_by, note, created_at) VALUES (?, ?, ?, ?)",
    )
    .bind(breach_id)
    .bind(by)
    .bind(note)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The requests of a breach, in the order they were made.
pub async fn requests(conn: &mut SqliteConnection, breach_id: i64) -> Result<Vec<Request>> {
    Ok(sqlx::query_as(
        "SELECT id, breach_id, text, created_by, created_at,
           (SELECT l.agreement_id FROM request_commitments l WHERE l.request_id = repair_requests.id)
             AS agreement_id
         FROM repair_requests WHERE breach_id = ? ORDER BY id",
    )
    .bind(breach_id)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_request(
    conn: &mut SqliteConnection,
    breach_id: i64,
    by: i64,
    text: &str,
    at: &str,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO repair_requests (breach_id, text, created_by, created_at)
         VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(breach_id)
    .bind(text)
    .bind(by)
    .bind(at)
    .fetch_one(conn)
    .await?)
}

/// Proposals to commit to repair, oldest first.
pub async fn repairs(conn: &mut SqliteConnection, breach_id: i64) -> Result<Vec<Repair>> {
    Ok(sqlx::query_as(
        "SELECT id, state, proposed_by, proposed_at, answered_by, answered_at, declined_note,
                ended_by, ended_at, ended_note
         FROM repairs WHERE breach_id = ? ORDER BY id",
    )
    .bind(breach_id)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_proposal(
    conn: &mut SqliteConnection,
    breach_id: i64,
    by: i64,
    at: &str,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO repairs (breach_id, state, proposed_by, proposed_at)
         VALUES (?, 'proposed', ?, ?) RETURNING id",
    )
    .bind(breach_id)
    .bind(by)
    .bind(at)
    .fetch_one(conn)
    .await?)
}

/// Confirms ("active") or declines a waiting proposal; `false` if it was
/// no longer waiting.
pub async fn answer_proposal(
    conn: &mut SqliteConnection,
    repair_id: i64,
    by: i64,
    confirmed: bool,
    note: Option<&str>,
    at: &str,
) -> Result<bool> {
    let state = if confirmed { "active" } else { "declined" };
    let done = sqlx::query(
        "UPDATE repairs SET state = ?, answered_by = ?, answered_at = ?, declined_note = ?
         WHERE id = ? AND state = 'proposed'",
    )
    .bind(state)
    .bind(by)
    .bind(at)
    .bind(note)
    .bind(repair_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends an active repair; `false` if it was not active.
pub async fn step_away(
    conn: &mut SqliteConnection,
    repair_id: i64,
    by: i64,
    note: Option<&str>,
    at: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE repairs SET state = 'ended', ended_by = ?, ended_at = ?, ended_note = ?
         WHERE id = ? AND state = 'active'",
    )
    .bind(by)
    .bind(at)
    .bind(note)
    .bind(repair_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Both people's ids and names, in id order.
pub async fn people(conn: &mut SqliteConnection) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as("SELECT id, name FROM people ORDER BY id")
        .fetch_all(conn)
        .await?)
}

/// An apology sent and not yet answered, with its breach, for the check-in
/// agenda.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitingApology {
    pub id: i64,
    pub breach_id: i64,
    pub breach_title: String,
    pub written_by: i64,
    pub sent_at: String,
    pub opened_at: Option<String>,
}

/// Apologies waiting for an answer, oldest first, by the partial index
/// `apologies_unanswered` (at most `limit`).
pub async fn unanswered_apologies(
    conn: &mut SqliteConnection,
    limit: i64,
) -> Result<Vec<WaitingApology>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.breach_id, b.title AS breach_title, a.written_by, a.sent_at, a.opened_at
         FROM apologies a INDEXED BY apologies_unanswered
         JOIN breaches b ON b.id = a.breach_id
         WHERE a.answer IS NULL
         ORDER BY a.sent_at, a.id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
