//! What Today gathers for one person: what is due and overdue for them,
//! what waits on them, the next check-in, the latest noticed change, plain
//! facts since the last break of each repair, and the weekly chart. Every
//! part is bounded by indexes and the week cache, not by history.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use sqlx::SqlitePool;

use crate::app::AppState;
use crate::charts::{self, BarsChart, LineChart, WeekCounts};
use crate::commitments::records::{self, OccurrenceState};
use crate::commitments::schedule::{self, Schedule};
use crate::commitments::weeks::{self, Counts};
use crate::commitments::{pages as commitment_pages, store as commitment_store};
use crate::error::Result;
use crate::repair;

/// How far back an unrecorded occurrence is still listed as overdue.
const OVERDUE_DAYS: i64 = 7;

/// Something of mine that is due, or was due and is still unrecorded.
pub struct DueItem {
    pub text: String,
    pub when: String,
    pub overdue: bool,
    pub href: String,
}

/// Something that waits on me, with where to do it.
pub struct WaitItem {
    pub text: String,
    pub href: String,
    pub action: String,
}

/// Waiting items of one kind, a few shown and the rest counted, so a
/// fortnight of claims to confirm does not bury everything else.
pub struct WaitGroup {
    pub shown: Vec<WaitItem>,
    pub more: usize,
}

/// How many items of one kind Today lists before summing up the rest.
const SHOWN_PER_KIND: usize = 3;

/// Groups waiting items by what they ask for, keeping their order.
pub fn grouped(items: Vec<WaitItem>) -> Vec<WaitGroup> {
    let mut groups: Vec<(String, WaitGroup)> = Vec::new();
    for item in items {
        let at = match groups.iter().position(|(action, _)| *action == item.action) {
            Some(at) => at,
            None => {
                groups.push((
                    item.action.clone(),
                    WaitGroup {
                        shown: Vec::new(),
                        more: 0,
                    },
                ));
                groups.len() - 1
            }
        };
        let group = &mut groups[at].1;
        if group.shown.len() < SHOWN_PER_KIND {
            group.shown.push(item);
        } else {
            group.more += 1;
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

/// A trust line with the breach it is about, for its heading.
pub struct TrustLine {
    pub breach: String,
    pub chart: LineChart,
}

/// Due and overdue occurrences of my commitments in force.
pub async fn due_for(
    state: &AppState,
    person_id: i64,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<Vec<DueItem>> {
    let today = schedule::today(now, tz);
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT c.id FROM commitments c JOIN agreements a ON a.id = c.agreement_id
         WHERE c.owner_id = ? AND c.until_version IS NULL AND a.state = 'active'
         ORDER BY c.id LIMIT 200",
    )
    .bind(person_id)
    .fetch_all(&state.db.readers)
    .await?;
    let mut items = Vec::new();
    for id in ids {
        let ctx = commitment_pages::load(state, id).await?;
        if !ctx.in_force || ctx.schedule.is_standing() {
            continue;
        }
        let lo = records::add_days(today, -OVERDUE_DAYS).max(ctx.from);
        let mut days = records::due_days(&ctx.segments, lo, today, &ctx.pauses);
        if let Schedule::OneOff { by } = ctx.schedule
            && by > today
        {
            days.push(by);
        }
        if days.is_empty() {
            continue;
        }
        let hi = days.iter().max().copied().unwrap_or(today);
        let rows = commitment_store::records_between(
            &state.db.readers,
            id,
            &lo.to_string(),
            &hi.to_string(),
        )
        .await?;
        for day in days {
            let mut statuses = Vec::new();
            for row in rows.iter().filter(|r| r.day == day.to_string()) {
                let answers = commitment_store::answers(&state.db.readers, row.id).await?;
                statuses.push(records::status(row, &answers, now));
            }
            let (when, overdue) = match records::occurrence_state(day, &statuses, now, tz) {
                OccurrenceState::DueToday => ("today".to_string(), false),
                OccurrenceState::Open => (format!("by {}", schedule::long_date(day)), false),
                OccurrenceState::Unrecorded => (schedule::long_date(day), true),
                _ => continue,
            };
            items.push(DueItem {
                text: ctx.c.text.clone(),
                when,
                overdue,
                href: format!("/commitments/{id}/record?day={day}"),
            });
        }
    }
    items.sort_by_key(|i| !i.overdue);
    Ok(items)
}

/// Steps that wait on me across agreements and the repair paths, and the
/// trust lines I may see (the hurt person's own, or one they share).
pub async fn from_breaches(
    state: &AppState,
    person_id: i64,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<(Vec<WaitItem>, Vec<TrustLine>)> {
    let mut items: Vec<WaitItem> =
        crate::agreements::waiting_for(&state.db.readers, person_id, now)
            .await?
            .into_iter()
            .map(|w| WaitItem {
                action: w.kind.verb().to_string(),
                text: w.title,
                href: w.href,
            })
            .collect();
    let mut charts = Vec::new();
    let mut conn = state.db.readers.acquire().await?;
    let breaches = repair::store::breaches(&mut conn).await?;
    for breach in breaches.iter().take(50) {
        let path = repair::path::RepairPath::load(&mut conn, breach.id).await?;
        let questions = crate::questions::Section::load(&mut conn, breach.id, now).await?;
        let actions = crate::actions::Section::load(&mut conn, breach.id).await?;
        let section = crate::trust::Section::load(&mut conn, &path, person_id, tz, now).await?;
        let mut waits = path.waiting(now);
        waits.extend(crate::trust::waiting(&path, &questions, &actions, &section));
        for wait in waits.into_iter().filter(|w| w.who == person_id) {
            items.push(WaitItem {
                action: "Open".to_string(),
                text: format!("{} — {}", breach.title, wait.for_them),
                href: format!("/breaches/{}", breach.id),
            });
        }
        if let Some(chart) = section.chart.filter(|c| !c.is_empty()) {
            charts.push(TrustLine {
                breach: breach.title.clone(),
                chart,
            });
        }
    }
    Ok((items, charts))
}

/// "Since 14 March 2026: 43 kept, none broken." for each repair (or
/// agreement) with commitments: plain facts, never a score.
pub async fn facts(
    pool: &SqlitePool,
    weeks: &weeks::Weeks,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<Vec<String>> {
    // One line per repair (the breach an agreement belongs to), or per
    // agreement where it belongs to none.
    let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT COALESCE(a.breach_id, -a.id), COALESCE(b.title, a.title), c.id, c.in_force_from
         FROM commitments c JOIN agreements a ON a.id = c.agreement_id
         LEFT JOIN breaches b ON b.id = a.breach_id
         ORDER BY 1, c.id LIMIT 500",
    )
    .fetch_all(pool)
    .await?;
    let mut per_breach: BTreeMap<i64, (String, Vec<i64>, Option<Date>)> = BTreeMap::new();
    for (breach_id, title, commitment_id, from) in rows {
        let entry = per_breach
            .entry(breach_id)
            .or_insert((title, Vec::new(), None));
        entry.1.push(commitment_id);
        if let Ok(from) = from.parse::<Date>() {
            entry.2 = Some(entry.2.map_or(from, |d: Date| d.min(from)));
        }
    }
    let mut out = Vec::new();
    for (title, ids, first_day) in per_breach.into_values() {
        let last_break = weeks::last_break(pool, weeks, &ids, now).await?;
        let (since, why) = match (last_break, first_day) {
            (Some(day), _) => (day, "the most recent counted break"),
            (None, Some(day)) => (records::add_days(day, -1), "the commitments began"),
            (None, None) => continue,
        };
        let kept = weeks::kept_since(pool, weeks, &ids, since, now, tz).await?;
        let shown = if last_break.is_some() {
            since
        } else {
            records::add_days(since, 1)
        };
        let kept_words = match kept {
            0 => "nothing recorded as kept yet".to_string(),
            1 => "1 kept".to_string(),
            n => format!("{n} kept"),
        };
        out.push(format!(
            "{title}: since {} ({why}), {kept_words}, none broken.",
            schedule::long_date(shown)
        ));
    }
    Ok(out)
}

/// The kept / broken / unrecorded chart over the whole history: weeks for
/// about half a year, months beyond.
pub fn kept_chart(totals: &BTreeMap<Date, Counts>) -> Option<BarsChart> {
    let weeks: Vec<WeekCounts> = totals
        .iter()
        .map(|(week, c)| WeekCounts {
            week_start: *week,
            kept: c.kept,
            broken: c.broken,
            unrecorded: c.unrecorded,
        })
        .collect();
    if weeks.iter().all(|w| w.kept + w.broken + w.unrecorded == 0) {
        return None;
    }
    let periods = charts::periods(&weeks);
    let by_month = weeks.len() > charts::bars::WEEKS_BEFORE_MONTHS;
    let (title, desc) = if by_month {
        (
            "Commitments per month",
            "Kept, broken and unrecorded occurrences of both people's commitments, month by month.",
        )
    } else {
        (
            "Commitments per week",
            "Kept, broken and unrecorded occurrences of both people's commitments, week by week.",
        )
    };
    Some(BarsChart::new("kept-chart", title, desc, periods))
}
