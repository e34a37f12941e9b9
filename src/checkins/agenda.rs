//! What a check-in has to talk about, gathered from every feature that can
//! leave something waiting. Each source is a small function returning its
//! items; [`agenda`] calls them in order. The same list is shown when a
//! check-in is prepared and stored (as labels) with the check-in recorded.

use jiff::{Timestamp, ToSpan};
use sqlx::SqlitePool;

use super::store;
use crate::error::Result;
use crate::ledger::describe::Names;

/// What kind of thing an agenda item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgendaKind {
    /// A proposed check-in rhythm nobody has answered.
    RhythmProposal,
    /// A recent check-in where someone has not written how they felt.
    FeelingMissing,
    /// A question the hurt person asked that has no answer yet.
    UnansweredQuestion,
    /// An apology sent and not answered yet.
    ApologyWaiting,
}

impl AgendaKind {
    pub fn label(self) -> &'static str {
        match self {
            AgendaKind::RhythmProposal => "Check-in rhythm",
            AgendaKind::FeelingMissing => "Check-in",
            AgendaKind::UnansweredQuestion => "Question",
            AgendaKind::ApologyWaiting => "Apology",
        }
    }
}

/// One thing to talk about, with where to find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    pub label: String,
    pub href: String,
    pub kind: AgendaKind,
}

/// Everything waiting that both people can see, for the next check-in.
///
/// Sources still to be added by the features that own them (each a function
/// like [`rhythm_proposal`] returning `Vec<AgendaItem>`, with a new
/// [`AgendaKind`] variant, appended below in this order):
/// 1. open disputes of commitment records (`commitment.disputed` not settled);
/// 2. pattern flags not yet talked about (`commitment.pattern_flagged`);
/// 3. unanswered questions, with how long they have waited
///    ([`unanswered_questions`], added);
/// 4. amendments of agreements waiting for a signature;
/// 5. apologies waiting for an answer ([`waiting_apologies`], added).
///
/// Every source must be bounded by an index and a LIMIT like the ones here,
/// so preparing a check-in costs the same after ten years.
pub async fn agenda(
    pool: &SqlitePool,
    tz: &jiff::tz::TimeZone,
    now: Timestamp,
) -> Result<Vec<AgendaItem>> {
    let names = Names::load(pool).await?;
    let mut items = Vec::new();
    items.extend(rhythm_proposal(pool, &names).await?);
    items.extend(missing_feelings(pool, &names, tz, now).await?);
    // (1. disputes and 2. pattern flags go here, from the commitments.)
    items.extend(unanswered_questions(pool, &names, now).await?);
    // (4. amendments waiting for a signature go here, from the agreements.)
    items.extend(waiting_apologies(pool, &names).await?);
    Ok(items)
}

/// A proposed rhythm waiting for the other person's answer.
async fn rhythm_proposal(pool: &SqlitePool, names: &Names) -> Result<Vec<AgendaItem>> {
    let Some(open) = store::rhythm_in_state(pool, "proposed").await? else {
        return Ok(Vec::new());
    };
    let Some(every) =
        super::rhythm::Every::from_parts(&open.every, open.weekday.as_deref(), open.day_of_month)
    else {
        return Ok(Vec::new());
    };
    Ok(vec![AgendaItem {
        label: format!(
            "{} proposed check-ins {}; {} has not answered yet",
            names.of(Some(open.proposed_by)),
            every.describe(),
            names.other_than(Some(open.proposed_by)),
        ),
        href: "/checkins".into(),
        kind: AgendaKind::RhythmProposal,
    }])
}

/// Check-ins of the last 60 days where someone's feeling is not written yet.
async fn missing_feelings(
    pool: &SqlitePool,
    names: &Names,
    tz: &jiff::tz::TimeZone,
    now: Timestamp,
) -> Result<Vec<AgendaItem>> {
    let today = crate::web::time::today(now, tz);
    let since = today
        .checked_sub(60.days())
        .unwrap_or(jiff::civil::Date::MIN)
        .to_string();
    Ok(store::missing_feelings(pool, &since)
        .await?
        .into_iter()
        .map(|(id, held_on, person)| AgendaItem {
            label: format!(
                "How {} felt at the check-in of {} is not written yet",
                names.of(Some(person)),
                held_on
                    .parse::<jiff::civil::Date>()
                    .map(crate::web::time::long_date)
                    .unwrap_or(held_on),
            ),
            href: format!("/checkins/{id}"),
            kind: AgendaKind::FeelingMissing,
        })
        .collect())
}

/// The most questions or apologies one source puts on the agenda.
const SOURCE_LIMIT: i64 = 20;

/// Questions still waiting for an answer, oldest first, with how long.
async fn unanswered_questions(
    pool: &SqlitePool,
    names: &Names,
    now: Timestamp,
) -> Result<Vec<AgendaItem>> {
    let mut conn = pool.acquire().await?;
    let rows = crate::questions::store::unanswered(&mut conn, SOURCE_LIMIT).await?;
    Ok(rows
        .into_iter()
        .map(|q| AgendaItem {
            label: format!(
                "{} asked {} a question about “{}” {} ago, not answered yet",
                names.of(Some(q.asked_by)),
                names.of(Some(q.broke_trust)),
                q.breach_title,
                crate::questions::waited(&q.asked_at, now),
            ),
            href: format!("/questions/{}", q.id),
            kind: AgendaKind::UnansweredQuestion,
        })
        .collect())
}

/// Apologies sent and not answered yet. Said gently: an apology is opened
/// and answered when its reader is ready, and the agenda only says it waits.
async fn waiting_apologies(pool: &SqlitePool, names: &Names) -> Result<Vec<AgendaItem>> {
    let mut conn = pool.acquire().await?;
    let rows = crate::repair::store::unanswered_apologies(&mut conn, SOURCE_LIMIT).await?;
    Ok(rows
        .into_iter()
        .map(|a| {
            let reader = names.other_than(Some(a.written_by));
            let state = if a.opened_at.is_some() {
                format!("{reader} has opened it and can answer when ready")
            } else {
                format!("it waits, sealed, until {reader} is ready")
            };
            AgendaItem {
                label: format!(
                    "{}'s apology about “{}”: {state}",
                    names.of(Some(a.written_by)),
                    a.breach_title,
                ),
                href: format!("/breaches/{}/apologies/{}", a.breach_id, a.id),
                kind: AgendaKind::ApologyWaiting,
            }
        })
        .collect())
}
