//! Trust over time, per breach, and all of it the hurt person's word:
//!
//! - **Trust levels** ([`levels`]): only the person who was hurt records how
//!   much they trust, 0 to 10, with an optional note, whenever they like.
//!   Private by default. The levels are *not* on the record: every record
//!   entry is visible to both people and goes into both copies, so a private
//!   value must never be written there. They live in `trust_levels`, owned by
//!   that person; the record only says when sharing was switched on or off
//!   (`trust.sharing_changed`, never a value). While sharing is on, the other
//!   person sees the levels in the app. The app never calculates a trust
//!   number of its own anywhere.
//! - **Pauses** ([`pause`]): the hurt person pauses a repair and resumes it;
//!   the one who broke trust can ask for a pause, which the hurt person
//!   accepts or declines. Everyone sees that it is paused, since when and why.
//!   [`pauses`] gives the paused days for the commitments' schedules.
//! - **Trust restored** ([`restored`]): only the hurt person declares it, and
//!   can take it back; the breach's status follows (the `breach_status` view).

pub mod levels;
pub mod pause;
pub mod restored;
pub mod store;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use sqlx::{SqliteConnection, SqlitePool};

use crate::app::Route;
use crate::charts::{Event, EventKind, LineChart, LineInput, Point};
use crate::commitments::schedule::Pause;
use crate::error::Result;
use crate::repair::RepairPath;
use crate::repair::path::Waiting;
use crate::web::once;

pub use store::{PauseRequest, PauseRow, Restoration, TrustLevel};

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/breaches/{id}/trust", levels::page),
        Route::action("/breaches/{id}/trust", levels::record),
        Route::action("/breaches/{id}/trust/sharing", levels::sharing),
        Route::page("/breaches/{id}/pause", pause::pause_form),
        Route::action("/breaches/{id}/pause", pause::start),
        Route::page("/breaches/{id}/pause/request", pause::request_form),
        Route::action("/breaches/{id}/pause/request", pause::request),
        Route::action("/breaches/{id}/pause/accept", pause::accept),
        Route::page("/breaches/{id}/pause/decline", pause::decline_form),
        Route::action("/breaches/{id}/pause/decline", pause::decline),
        Route::action("/breaches/{id}/pause/resume", pause::resume),
        Route::page("/breaches/{id}/restored", restored::declare_form),
        Route::action("/breaches/{id}/restored", restored::declare),
        Route::page("/breaches/{id}/restored/withdraw", restored::withdraw_form),
        Route::action("/breaches/{id}/restored/withdraw", restored::withdraw),
    ]
}

/// The form every optional-note step sends.
#[derive(Debug, Default, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub once: String,
}

impl NoteForm {
    fn key(&self) -> String {
        if self.once.is_empty() {
            once::new_key()
        } else {
            self.once.clone()
        }
    }
}

// --- For Today and the commitments ----------------------------------------------

/// The trust levels of a breach, one per day (the last recorded that day),
/// oldest first, for whoever may see them: always the person who was hurt,
/// and the other person only while it is shared. `None` when `viewer_id`
/// may not see them (or there is no such breach).
pub async fn trust_series(
    pool: &SqlitePool,
    breach_id: i64,
    viewer_id: i64,
) -> Result<Option<Vec<(Date, u8)>>> {
    let mut conn = pool.acquire().await?;
    series_for(&mut conn, breach_id, viewer_id).await
}

async fn series_for(
    conn: &mut SqliteConnection,
    breach_id: i64,
    viewer_id: i64,
) -> Result<Option<Vec<(Date, u8)>>> {
    let broke: Option<i64> = sqlx::query_scalar("SELECT broke_trust FROM breaches WHERE id = ?")
        .bind(breach_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(broke) = broke else {
        return Ok(None);
    };
    let hurt: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE id <> ? ORDER BY id")
        .bind(broke)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(hurt) = hurt else {
        return Ok(None);
    };
    let may_see =
        viewer_id == hurt || (viewer_id == broke && store::shared(conn, breach_id).await?);
    if !may_see {
        return Ok(None);
    }
    let mut out: Vec<(Date, u8)> = Vec::new();
    for (day, level) in store::series(conn, breach_id, hurt).await? {
        let (Ok(day), Ok(level)) = (day.parse::<Date>(), u8::try_from(level)) else {
            continue;
        };
        match out.last_mut() {
            Some(last) if last.0 == day => last.1 = level,
            _ => out.push((day, level)),
        }
    }
    Ok(Some(out))
}

/// The paused stretches of a breach's repair, oldest first, as days in the
/// pair's zone: `from` is the first paused day, `until` the day it was
/// resumed (exclusive), `None` while still paused. Recurring commitments
/// are suspended on these days; standing and one-off ones stay in force.
pub async fn pauses(pool: &SqlitePool, breach_id: i64) -> Result<Vec<Pause>> {
    let mut conn = pool.acquire().await?;
    Ok(store::pauses(&mut conn, breach_id)
        .await?
        .iter()
        .filter_map(as_pause)
        .collect())
}

fn as_pause(row: &PauseRow) -> Option<Pause> {
    Some(Pause {
        from: row.from_date.parse().ok()?,
        until: match &row.until_date {
            Some(day) => Some(day.parse().ok()?),
            None => None,
        },
    })
}

/// The days a pause covers, from the instants it was started and resumed:
/// the day it started (in `tz`) is the first paused day, and the day it was
/// resumed is the first day in force again. The same day for both means
/// nothing was suspended.
pub fn pause_days(started: Timestamp, resumed: Option<Timestamp>, tz: &TimeZone) -> Pause {
    let from = crate::commitments::schedule::today(started, tz);
    let until = resumed.map(|r| crate::commitments::schedule::today(r, tz).max(from));
    Pause { from, until }
}

// --- The section on a breach's page -----------------------------------------------

/// Trust, pause and "trust restored" on a breach page, as the viewer may
/// see them.
pub struct Section {
    pub is_hurt: bool,
    pub shared: bool,
    /// The trust line, when the viewer may see it (the hurt person, or the
    /// other while shared). Drawn with pauses shaded and "trust restored"
    /// marked.
    pub chart: Option<LineChart>,
    /// The latest level, when the viewer may see it.
    pub latest: Option<TrustLevel>,
    pub repair_active: bool,
    pub pause: Option<PauseRow>,
    pub request: Option<PauseRequest>,
    /// Ended pauses, newest first (a few).
    pub past_pauses: Vec<PauseRow>,
    /// Answered requests, newest first (a few).
    pub past_requests: Vec<PauseRequest>,
    pub restoration: Option<Restoration>,
    /// Declarations taken back, newest first.
    pub withdrawn: Vec<Restoration>,
    /// Today in the pair's zone, `YYYY-MM-DD`.
    pub today: String,
}

impl Section {
    pub async fn load(
        conn: &mut SqliteConnection,
        path: &RepairPath,
        me: i64,
        tz: &TimeZone,
        now: Timestamp,
    ) -> Result<Section> {
        let id = path.id();
        let is_hurt = me == path.hurt.id;
        let shared = store::shared(conn, id).await?;
        let all_pauses = store::pauses(conn, id).await?;
        let restorations = store::restorations(conn, id).await?;
        let today = crate::web::time::today(now, tz);
        let series = series_for(conn, id, me).await?;
        let breaks = if series.is_some() {
            crate::commitments::counted_break_days(conn, id, now).await?
        } else {
            Vec::new()
        };
        let latest = if series.is_some() {
            store::levels(conn, id, path.hurt.id, 1).await?.pop()
        } else {
            None
        };
        let chart = series.map(|series| {
            chart(
                path,
                is_hurt,
                &series,
                Marks {
                    pauses: &all_pauses,
                    restorations: &restorations,
                    breaks: &breaks,
                },
                today,
                tz,
            )
        });
        let pause = all_pauses.iter().find(|p| p.resumed_at.is_none()).cloned();
        let past_pauses = all_pauses
            .iter()
            .rev()
            .filter(|p| p.resumed_at.is_some())
            .take(3)
            .cloned()
            .collect();
        Ok(Section {
            is_hurt,
            shared,
            chart,
            latest,
            repair_active: path.open_repair().is_some_and(|r| r.state == "active"),
            pause,
            past_pauses,
            request: store::waiting_request(conn, id).await?,
            past_requests: store::answered_requests(conn, id, 3).await?,
            restoration: restorations
                .iter()
                .find(|r| r.withdrawn_at.is_none())
                .cloned(),
            withdrawn: restorations
                .iter()
                .rev()
                .filter(|r| r.withdrawn_at.is_some())
                .cloned()
                .collect(),
            today: today.to_string(),
        })
    }

    /// A fresh key for each form, so one never makes another look sent.
    pub fn once(&self) -> String {
        once::new_key()
    }

    /// "3 May 2026" for a stored date.
    pub fn date(&self, stored: &str) -> String {
        crate::repair::long_date(stored)
    }
}

/// What questions, repair actions and pauses wait for on a breach, and on
/// whom, for the breach page's "What is waiting".
pub fn waiting(
    path: &RepairPath,
    questions: &crate::questions::Section,
    actions: &crate::actions::Section,
    trust: &Section,
) -> Vec<Waiting> {
    let broke = &path.broke.name;
    let hurt = &path.hurt.name;
    let mut out = Vec::new();
    match questions.unanswered {
        0 => {}
        1 => out.push(Waiting {
            who: path.broke.id,
            for_them: format!("Answer {hurt}'s question."),
            for_other: format!("{broke} to answer your question."),
        }),
        n => out.push(Waiting {
            who: path.broke.id,
            for_them: format!("Answer {hurt}'s {n} questions."),
            for_other: format!("{broke} to answer your {n} questions."),
        }),
    }
    if trust.request.is_some() {
        out.push(Waiting {
            who: path.hurt.id,
            for_them: format!("Answer {broke}'s request for a pause."),
            for_other: format!("{hurt} to answer your request for a pause."),
        });
    }
    match actions.unseen {
        0 => {}
        1 => out.push(Waiting {
            who: path.hurt.id,
            for_them: format!("See what {broke} did to repair this, when you like."),
            for_other: format!("{hurt} to see a repair action of yours."),
        }),
        n => out.push(Waiting {
            who: path.hurt.id,
            for_them: format!("See {n} things {broke} did to repair this, when you like."),
            for_other: format!("{hurt} to see {n} of your repair actions."),
        }),
    }
    out
}

/// Over more than a year, the line shows the last level recorded in each
/// week (still the person's own word, never an average), so a long history
/// draws as many points as fit, not one per day.
fn thinned(series: &[(Date, u8)]) -> impl Iterator<Item = &(Date, u8)> {
    let long = match (series.first(), series.last()) {
        (Some((first, _)), Some((last, _))) => (*last - *first).get_days() > 366,
        _ => false,
    };
    series.iter().enumerate().filter_map(move |(i, point)| {
        let next_same_week = series.get(i + 1).is_some_and(|(next, _)| {
            crate::commitments::schedule::week_start(*next)
                == crate::commitments::schedule::week_start(point.0)
        });
        (!long || !next_same_week).then_some(point)
    })
}

/// What is marked on a trust line besides the levels.
struct Marks<'a> {
    pauses: &'a [PauseRow],
    restorations: &'a [Restoration],
    breaks: &'a [Date],
}

/// The trust line of a breach with its breaks, pauses and "trust restored"
/// marked.
fn chart(
    path: &RepairPath,
    is_hurt: bool,
    series: &[(Date, u8)],
    marks: Marks<'_>,
    today: Date,
    tz: &TimeZone,
) -> LineChart {
    let Marks {
        pauses,
        restorations,
        breaks,
    } = marks;
    let hurt = &path.hurt.name;
    let mut events: Vec<Event> = pauses
        .iter()
        .filter_map(|row| {
            let pause = as_pause(row)?;
            let label = match pause.until {
                Some(until) => format!(
                    "Paused from {} until {}",
                    crate::web::time::long_date(pause.from),
                    crate::web::time::long_date(until)
                ),
                None => format!("Paused since {}", crate::web::time::long_date(pause.from)),
            };
            Some(Event {
                date: pause.from,
                kind: EventKind::Pause { until: pause.until },
                label,
            })
        })
        .collect();
    for day in breaks {
        events.push(Event {
            date: *day,
            kind: EventKind::Break,
            label: format!(
                "A commitment was broken on {}",
                crate::web::time::long_date(*day)
            ),
        });
    }
    for r in restorations {
        let Some(at) = crate::clock::parse(&r.declared_at) else {
            continue;
        };
        let date = crate::web::time::today(at, tz);
        let label = if r.withdrawn_at.is_some() {
            format!("{hurt} said trust is restored (later taken back)")
        } else {
            format!("{hurt} said trust is restored")
        };
        events.push(Event {
            date,
            kind: EventKind::Restored,
            label,
        });
    }
    let title = if is_hurt {
        "Your trust level".to_string()
    } else {
        format!("{hurt}'s trust level")
    };
    let desc = if is_hurt {
        "How much you said you trust, from 0 to 10, on each day you recorded it. Only your own words; the app never calculates it.".to_string()
    } else {
        format!(
            "How much {hurt} said they trust, from 0 to 10, on each day they recorded it. {hurt} chose to share this with you."
        )
    };
    LineChart::new(LineInput {
        id: format!("trust-{}", path.id()),
        title,
        desc,
        points: thinned(series)
            .map(|(date, level)| Point {
                date: *date,
                value: f64::from(*level),
            })
            .collect(),
        events,
        until: Some(today),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commitments::schedule::{Schedule, due_dates_outside_pauses};

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn a_pause_across_the_spring_change_covers_the_local_days() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        // 00:30 in Berlin on 27 March (still winter time, UTC+1): the UTC
        // date is the 26th, the pair's is the 27th.
        let started = at("2026-03-26T23:30:00Z");
        // 00:30 in Berlin on 2 April (summer time since 29 March, UTC+2):
        // the UTC date is the 1st, the pair's is the 2nd.
        let resumed = at("2026-04-01T22:30:00Z");
        let pause = pause_days(started, Some(resumed), &berlin);
        assert_eq!(pause.from, day("2026-03-27"));
        assert_eq!(pause.until, Some(day("2026-04-02")));
        // A daily commitment is suspended on the six days 27 March – 1 April,
        // including the 23-hour day of the change, and due again on the 2nd.
        let daily = Schedule::Daily {
            from: day("2026-03-20"),
        };
        let due = due_dates_outside_pauses(&daily, day("2026-03-25"), day("2026-04-03"), &[pause]);
        let due: Vec<String> = due.iter().map(ToString::to_string).collect();
        assert_eq!(
            due,
            ["2026-03-25", "2026-03-26", "2026-04-02", "2026-04-03"]
        );
        // A standing commitment is never "due", paused or not.
        assert!(
            due_dates_outside_pauses(
                &Schedule::Standing,
                day("2026-03-25"),
                day("2026-04-03"),
                &[pause]
            )
            .is_empty()
        );
    }

    #[test]
    fn a_pause_still_running_has_no_end_and_same_day_resumes_cover_nothing() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let open = pause_days(at("2026-03-28T22:59:00Z"), None, &berlin);
        // 23:59 on the 28th in Berlin (UTC+1 until 01:00 UTC on the 29th).
        assert_eq!(open.from, day("2026-03-28"));
        assert_eq!(open.until, None);
        assert!(open.covers(day("2030-01-01")));
        let brief = pause_days(
            at("2026-03-29T08:00:00Z"),
            Some(at("2026-03-29T18:00:00Z")),
            &berlin,
        );
        assert_eq!(brief.from, brief.until.unwrap());
        assert!(!brief.covers(day("2026-03-29")));
    }

    #[test]
    fn the_autumn_change_is_handled_the_same_way() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        // 23:30 on 24 October (UTC+2) and 00:30 on 26 October (UTC+1, after
        // the 25-hour day of 25 October).
        let pause = pause_days(
            at("2026-10-24T21:30:00Z"),
            Some(at("2026-10-25T23:30:00Z")),
            &berlin,
        );
        assert_eq!(pause.from, day("2026-10-24"));
        assert_eq!(pause.until, Some(day("2026-10-26")));
    }
}
