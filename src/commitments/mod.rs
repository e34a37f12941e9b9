//! Commitments: what each person promised in an agreement, when it is due,
//! and the records of it being kept or broken.
//!
//! A commitment exists (has a row) once a version of its agreement is signed
//! by both; before that it lives only in the draft's revisions and is not in
//! force. Due and unrecorded occurrences are derived from its schedule when
//! a page is read ([`records`]); records are never changed, answers and
//! corrections are new rows, each written with its entry on the record.

pub mod pages;
pub mod records;
pub mod schedule;
pub mod store;
pub mod weeks;

use jiff::civil::Date;
use serde::Serialize;
use sqlx::SqliteConnection;

use crate::agreements::content::CommitmentDraft;
use crate::app::Route;
use crate::error::Result;

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/commitments/{id}", pages::show),
        Route::page("/commitments/{id}/record", pages::record_form),
        Route::action("/commitments/{id}/record", pages::record),
        Route::page("/commitments/records/{id}", pages::record_page),
        Route::action("/commitments/records/{id}/answer", pages::answer),
    ]
}

/// What happened to one commitment when a version was signed.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub id: i64,
    pub owner: i64,
    pub text: String,
    pub schedule: schedule::Schedule,
    /// "new", "unchanged", "changed" or "ended".
    pub change: &'static str,
}

/// Brings the commitments of an agreement in line with a newly signed
/// version: carried ones keep their row (and history), changed ones get new
/// terms marked as changed, new ones get a row, and those left out end
/// (their last day in force is `today`). Runs inside the signing transaction.
pub async fn apply_version(
    tx: &mut SqliteConnection,
    agreement_id: i64,
    version: i64,
    drafts: &[CommitmentDraft],
    today: Date,
    at: &str,
) -> Result<Vec<Applied>> {
    let live = store::live_of_agreement(tx, agreement_id).await?;
    let day = today.to_string();
    let mut applied = Vec::new();
    let mut kept_ids = Vec::new();
    for draft in drafts {
        let schedule_json = serde_json::to_string(&draft.schedule)
            .map_err(|e| crate::error::AppError::internal(format!("schedule: {e}")))?;
        let existing = draft
            .carries
            .and_then(|id| live.iter().find(|c| c.id == id));
        let (id, change) = match existing {
            Some(row) => {
                let same = row.owner_id == draft.owner
                    && row.text == draft.text
                    && serde_json::from_str::<schedule::Schedule>(&row.schedule).ok()
                        == Some(draft.schedule.clone());
                if !same {
                    store::update_terms(tx, row.id, draft.owner, &draft.text, &schedule_json)
                        .await?;
                }
                (row.id, if same { "unchanged" } else { "changed" })
            }
            None => {
                let id = store::insert_commitment(
                    tx,
                    agreement_id,
                    draft.owner,
                    &draft.text,
                    &schedule_json,
                    version,
                    &day,
                    at,
                )
                .await?;
                (id, "new")
            }
        };
        store::insert_terms(
            tx,
            id,
            version,
            draft.owner,
            &draft.text,
            &schedule_json,
            change == "changed",
            &day,
        )
        .await?;
        kept_ids.push(id);
        applied.push(Applied {
            id,
            owner: draft.owner,
            text: draft.text.clone(),
            schedule: draft.schedule.clone(),
            change,
        });
    }
    for row in live.iter().filter(|c| !kept_ids.contains(&c.id)) {
        store::end_commitment(tx, row.id, version, &day).await?;
        applied.push(Applied {
            id: row.id,
            owner: row.owner_id,
            text: row.text.clone(),
            schedule: serde_json::from_str(&row.schedule).unwrap_or(schedule::Schedule::Standing),
            change: "ended",
        });
    }
    Ok(applied)
}

/// Ends every commitment of an agreement still in force (the agreement
/// ended); `today` is their last day.
pub async fn end_all(
    tx: &mut SqliteConnection,
    agreement_id: i64,
    version: i64,
    today: Date,
) -> Result<()> {
    for row in store::live_of_agreement(tx, agreement_id).await? {
        store::end_commitment(tx, row.id, version, &today.to_string()).await?;
    }
    Ok(())
}

/// Pauses of the repair a commitment belongs to (through its agreement's
/// breach): recurring occurrences inside them are neither due nor
/// unrecorded. An agreement that belongs to no breach is never paused.
pub async fn pauses_for(
    pool: &sqlx::SqlitePool,
    commitment_id: i64,
) -> Result<Vec<schedule::Pause>> {
    let breach: Option<i64> = sqlx::query_scalar(
        "SELECT a.breach_id FROM commitments c JOIN agreements a ON a.id = c.agreement_id
         WHERE c.id = ?",
    )
    .bind(commitment_id)
    .fetch_optional(pool)
    .await?
    .flatten();
    match breach {
        Some(breach_id) => crate::trust::pauses(pool, breach_id).await,
        None => Ok(Vec::new()),
    }
}

/// The days of counted breaks (self-reported, acknowledged or undisputed)
/// of the commitments of a breach's agreements, for marking on its trust
/// line. Bounded: breaks are few, and at most the latest 500 are read.
pub async fn counted_break_days(
    conn: &mut SqliteConnection,
    breach_id: i64,
    now: jiff::Timestamp,
) -> Result<Vec<Date>> {
    let breaks: Vec<store::RecordRow> = sqlx::query_as(
        "SELECT r.id, r.commitment_id, r.kind, r.day, r.recorded_by, r.self_reported, r.note,
                r.corrects, r.created_at, r.record_seq,
                (SELECT c2.id FROM commitment_records c2 WHERE c2.corrects = r.id) AS corrected_by
         FROM commitment_records r
         JOIN commitments c ON c.id = r.commitment_id
         JOIN agreements a ON a.id = c.agreement_id
         WHERE a.breach_id = ? AND r.kind = 'broken'
         ORDER BY r.day DESC LIMIT 500",
    )
    .bind(breach_id)
    .fetch_all(&mut *conn)
    .await?;
    // All their answers in one query, not one per break.
    let answers: Vec<store::AnswerRow> = sqlx::query_as(
        "SELECT a.id, a.record_id, a.kind, a.person_id, a.note, a.created_at
         FROM commitment_answers a
         JOIN commitment_records r ON r.id = a.record_id
         JOIN commitments c ON c.id = r.commitment_id
         JOIN agreements g ON g.id = c.agreement_id
         WHERE g.breach_id = ? AND r.kind = 'broken'
         ORDER BY a.id",
    )
    .bind(breach_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_record: std::collections::HashMap<i64, Vec<store::AnswerRow>> =
        std::collections::HashMap::new();
    for answer in answers {
        by_record.entry(answer.record_id).or_default().push(answer);
    }
    let mut days = Vec::new();
    for row in breaks {
        let answers = by_record.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
        if records::status(&row, answers, now).counts_as_broken()
            && let Ok(day) = row.day.parse::<Date>()
        {
            days.push(day);
        }
    }
    days.sort_unstable();
    days.dedup();
    Ok(days)
}
