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
    /// A commitment record one person disputed, not settled yet.
    Dispute,
    /// A second counted break within 30 days, flagged since the last check-in.
    Pattern,
    /// An amendment of an agreement in force, proposed and waiting for signatures.
    Amendment,
}

impl AgendaKind {
    pub fn label(self) -> &'static str {
        match self {
            AgendaKind::RhythmProposal => "Check-in rhythm",
            AgendaKind::FeelingMissing => "Check-in",
            AgendaKind::UnansweredQuestion => "Question",
            AgendaKind::ApologyWaiting => "Apology",
            AgendaKind::Dispute => "Dispute",
            AgendaKind::Pattern => "Pattern",
            AgendaKind::Amendment => "Amendment",
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
/// The sources, in order: open disputes of commitment records, pattern
/// flags raised since the last check-in, unanswered questions (with how long
/// they have waited), amendments waiting for signatures, and apologies
/// waiting for an answer. Each is a small function returning `AgendaItem`s.
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
    items.extend(open_disputes(pool, &names).await?);
    items.extend(recent_patterns(pool).await?);
    items.extend(unanswered_questions(pool, &names, now).await?);
    items.extend(waiting_amendments(pool).await?);
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

/// Commitment records one person disputed and nobody has settled.
async fn open_disputes(pool: &SqlitePool, names: &Names) -> Result<Vec<AgendaItem>> {
    let rows = crate::commitments::store::open_disputes(pool).await?;
    Ok(rows
        .into_iter()
        .take(usize::try_from(SOURCE_LIMIT).unwrap_or(20))
        .map(|r| {
            let what = if r.kind == "kept" { "kept" } else { "broken" };
            AgendaItem {
                label: format!(
                    "{} recorded “{}” as {what} on {}, and it was disputed",
                    names.of(Some(r.recorded_by)),
                    r.text,
                    r.day
                        .parse::<jiff::civil::Date>()
                        .map(crate::web::time::long_date)
                        .unwrap_or_else(|_| r.day.clone())
                ),
                href: format!("/commitments/records/{}", r.id),
                kind: AgendaKind::Dispute,
            }
        })
        .collect())
}

/// Pattern flags raised since the last check-in was held.
async fn recent_patterns(pool: &SqlitePool) -> Result<Vec<AgendaItem>> {
    let since = store::latest_held_on(pool).await?.unwrap_or_default();
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT p.commitment_id, c.text, p.flagged_at
         FROM commitment_patterns p JOIN commitments c ON c.id = p.commitment_id
         WHERE p.flagged_at >= ? ORDER BY p.flagged_at DESC LIMIT ?",
    )
    .bind(since)
    .bind(SOURCE_LIMIT)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, text, _)| AgendaItem {
            label: format!("“{text}” was broken twice within 30 days: a pattern to talk about"),
            href: format!("/commitments/{id}"),
            kind: AgendaKind::Pattern,
        })
        .collect())
}

/// Amendments of agreements in force that are proposed and not yet signed
/// by both.
async fn waiting_amendments(pool: &SqlitePool) -> Result<Vec<AgendaItem>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, title FROM agreements
         WHERE state = 'active' AND draft_open = 1
           AND proposed_revision_id IS NOT NULL AND proposed_revision_id = current_revision_id
         ORDER BY id LIMIT ?",
    )
    .bind(SOURCE_LIMIT)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, title)| AgendaItem {
            label: format!("An amendment of “{title}” waits for both signatures"),
            href: format!("/agreements/{id}"),
            kind: AgendaKind::Amendment,
        })
        .collect())
}
