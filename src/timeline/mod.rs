//! The timeline: every entry of the record, newest first, in plain
//! sentences, filtered by person, category and period, and paged by keyset
//! (`?before=SEQ`), so no entry is skipped or shown twice while new ones
//! arrive between pages.

pub mod store;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::{AppState, Route};
use crate::auth::CurrentPerson;
use crate::clock;
use crate::commitments::schedule;
use crate::error::Result;
use crate::ledger::Entry;
use crate::ledger::describe::{self, Category, Names};
use crate::web::{FormErrors, Layout};

/// Entries per page.
pub const PAGE: i64 = 50;

pub fn routes() -> Vec<Route> {
    vec![Route::page("/timeline", show)]
}

/// Where an entry's subject lives in the app, with a label for the link.
/// Unknown subjects have no link.
pub fn subject_link(subject: &str) -> Option<(String, &'static str)> {
    if subject == "pair" {
        return Some(("/settings".into(), "Settings"));
    }
    let (noun, id) = subject.split_once('/')?;
    let id: i64 = id.parse().ok().filter(|id| *id > 0)?;
    Some(match noun {
        "breach" => (format!("/breaches/{id}"), "Open the breach"),
        "agreement" => (format!("/agreements/{id}"), "Open the agreement"),
        "commitment" => (format!("/commitments/{id}"), "Open the commitment"),
        "checkin" => (format!("/checkins/{id}"), "Open the check-in"),
        "question" => (format!("/questions/{id}"), "Open the question"),
        "action" => (format!("/actions/{id}"), "Open the repair action"),
        "rhythm" => ("/checkins".into(), "Check-ins"),
        // Keyset paging makes any noticed change reachable at the top of a page.
        "noticed" => (
            format!("/noticed?before={}#noticed-{id}", id + 1),
            "See it among noticed changes",
        ),
        "person" => ("/settings".into(), "Settings"),
        _ => return None,
    })
}

/// The query string of the timeline. Everything is text so a hand-edited
/// address gets a message, not an error page.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct TimelineQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub person: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub category: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub to: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub before: String,
}

impl TimelineQuery {
    /// The query string for the same filters at another keyset position.
    fn with_before(&self, before: Option<i64>) -> String {
        let query = TimelineQuery {
            before: before.map(|b| b.to_string()).unwrap_or_default(),
            ..self.clone()
        };
        let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
        if encoded.is_empty() {
            "/timeline".into()
        } else {
            format!("/timeline?{encoded}")
        }
    }

    fn is_filtered(&self) -> bool {
        !(self.person.is_empty()
            && self.category.is_empty()
            && self.from.is_empty()
            && self.to.is_empty())
    }
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// One entry as shown.
struct EntryView {
    seq: i64,
    /// The stored UTC time, for `<time datetime>`.
    at: String,
    /// The time of day in the pair's zone (the day is the group's heading).
    time: String,
    sentence: String,
    category: &'static str,
    link: Option<(String, &'static str)>,
    /// The entry this one corrects, quoted next to it.
    corrects: Option<Quoted>,
    /// Later entries that correct this one.
    corrected_by: Vec<Quoted>,
    /// A moment the timeline marks clearly ("trust restored").
    milestone: bool,
}

struct Quoted {
    seq: i64,
    time: String,
    sentence: String,
    href: String,
}

struct DayGroup {
    day: String,
    entries: Vec<EntryView>,
}

#[derive(Template)]
#[template(path = "timeline/index.html")]
struct TimelinePage {
    layout: Layout,
    query: TimelineQuery,
    people: Vec<Choice>,
    categories: Vec<Choice>,
    days: Vec<DayGroup>,
    errors: FormErrors,
    older: Option<String>,
    newest: Option<String>,
    filtered: bool,
}

/// `GET /timeline`
async fn show(
    State(state): State<AppState>,
    _person: CurrentPerson,
    layout: Layout,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let query: TimelineQuery = crate::web::form::parse(raw.unwrap_or_default().as_bytes())?;
    let pool = &state.db.readers;
    let names = Names::load(pool).await?;
    let people_rows = crate::auth::store::people(pool).await?;

    let mut errors = FormErrors::new();
    let mut filter = store::Filter::default();
    if !query.person.is_empty() {
        match query.person.parse::<i64>() {
            Ok(id) if people_rows.iter().any(|p| p.id == id) => filter.person = Some(id),
            _ => errors.add(
                "person",
                "Please choose one of the two people, or everyone.",
            ),
        }
    }
    if !query.category.is_empty() {
        match Category::from_slug(&query.category) {
            Some(category) => {
                let kinds = store::distinct_kinds(pool).await?;
                filter.kinds = Some(
                    kinds
                        .into_iter()
                        .filter(|k| describe::category(k) == category)
                        .collect(),
                );
            }
            None => errors.add("category", "Please choose a kind of entry from the list."),
        }
    }
    let from = errors.check("from", parse_date(&query.from));
    let to = errors.check("to", parse_date(&query.to));
    if let (Some(Some(from)), Some(Some(to))) = (from, to)
        && from > to
    {
        errors.add(
            "to",
            "This is before the start of the period; please swap them.",
        );
    }
    let before = if query.before.is_empty() {
        None
    } else {
        match query.before.parse::<i64>() {
            Ok(seq) if seq > 0 => Some(seq),
            _ => {
                errors.add("before", "This page address is not one the timeline made.");
                None
            }
        }
    };

    let mut entries = Vec::new();
    let mut older = None;
    if errors.is_empty() {
        // The period in the pair's zone, as a range of entry numbers.
        let mut empty = false;
        if let Some(Some(from)) = from {
            let start = clock::format(schedule::day_start(from, &layout.tz));
            match store::first_seq_at_or_after(pool, &start).await? {
                Some(seq) => filter.from_seq = Some(seq),
                None => empty = true,
            }
        }
        let mut upper = before;
        if let Some(Some(to)) = to {
            let end = clock::format(schedule::day_end(to, &layout.tz));
            if let Some(seq) = store::first_seq_at_or_after(pool, &end).await? {
                upper = Some(upper.map_or(seq, |b| b.min(seq)));
            }
        }
        filter.before = upper;
        if !empty {
            entries = store::page(pool, &filter, PAGE + 1).await?;
        }
        if entries.len() > PAGE as usize {
            entries.truncate(PAGE as usize);
            older = entries.last().map(|e| query.with_before(Some(e.seq)));
        }
    }

    let days = views(pool, &layout, &names, entries).await?;
    let people = std::iter::once(Choice {
        value: String::new(),
        label: "Both of you".into(),
        selected: query.person.is_empty(),
    })
    .chain(people_rows.iter().map(|p| Choice {
        value: p.id.to_string(),
        label: p.name.clone(),
        selected: query.person == p.id.to_string(),
    }))
    .collect();
    let categories = std::iter::once(Choice {
        value: String::new(),
        label: "Everything".into(),
        selected: query.category.is_empty(),
    })
    .chain(Category::ALL.into_iter().map(|c| Choice {
        value: c.slug().into(),
        label: c.label().into(),
        selected: query.category == c.slug(),
    }))
    .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TimelinePage {
        layout,
        newest: before.map(|_| query.with_before(None)),
        filtered: query.is_filtered(),
        query,
        people,
        categories,
        days,
        errors,
        older,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// An optional `YYYY-MM-DD` from a date field.
fn parse_date(input: &str) -> std::result::Result<Option<Date>, String> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    input
        .parse::<Date>()
        .map(Some)
        .map_err(|_| "Please give a date like 2026-03-14.".to_string())
}

/// The number an entry's body says it corrects (`"corrects": SEQ`).
fn corrects(entry: &Entry) -> Option<i64> {
    serde_json::from_str::<Value>(&entry.body)
        .ok()?
        .get("corrects")?
        .as_i64()
        .filter(|seq| *seq > 0 && *seq < entry.seq)
}

fn quote(entry: &Entry, layout: &Layout, names: &Names) -> Quoted {
    Quoted {
        seq: entry.seq,
        time: layout.when(&entry.at),
        sentence: describe::sentence(entry, names),
        href: format!("/timeline?before={}#entry-{}", entry.seq + 1, entry.seq),
    }
}

/// Entries grouped by day in the pair's zone, with corrections beside what
/// they correct (both ways).
async fn views(
    pool: &sqlx::SqlitePool,
    layout: &Layout,
    names: &Names,
    entries: Vec<Entry>,
) -> Result<Vec<DayGroup>> {
    let wanted: Vec<i64> = entries.iter().filter_map(corrects).collect();
    let corrected: HashMap<i64, Entry> = store::by_seqs(pool, &wanted)
        .await?
        .into_iter()
        .map(|e| (e.seq, e))
        .collect();
    let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    let pairs = store::corrections_of(pool, &seqs).await?;
    let correcting: HashMap<i64, Entry> =
        store::by_seqs(pool, &pairs.iter().map(|(by, _)| *by).collect::<Vec<_>>())
            .await?
            .into_iter()
            .map(|e| (e.seq, e))
            .collect();

    let mut days: Vec<DayGroup> = Vec::new();
    for entry in entries {
        let day = layout.day(&entry.at);
        let view = EntryView {
            seq: entry.seq,
            time: clock::parse(&entry.at)
                .map(|ts| ts.to_zoned(layout.tz.clone()).strftime("%H:%M").to_string())
                .unwrap_or_else(|| entry.at.clone()),
            at: entry.at.clone(),
            sentence: describe::sentence(&entry, names),
            category: describe::category(&entry.kind).label(),
            link: subject_link(&entry.subject),
            milestone: entry.kind == "trust.restored",
            corrects: corrects(&entry)
                .and_then(|seq| corrected.get(&seq))
                .map(|e| quote(e, layout, names)),
            corrected_by: pairs
                .iter()
                .filter(|(_, of)| *of == entry.seq)
                .filter_map(|(by, _)| correcting.get(by))
                .map(|e| quote(e, layout, names))
                .collect(),
        };
        match days.last_mut() {
            Some(group) if group.day == day => group.entries.push(view),
            _ => days.push(DayGroup {
                day,
                entries: vec![view],
            }),
        }
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_link_to_their_pages() {
        assert_eq!(subject_link("breach/3").unwrap().0, "/breaches/3");
        assert_eq!(subject_link("agreement/2").unwrap().0, "/agreements/2");
        assert_eq!(subject_link("commitment/5").unwrap().0, "/commitments/5");
        assert_eq!(subject_link("checkin/1").unwrap().0, "/checkins/1");
        assert_eq!(
            subject_link("noticed/7").unwrap().0,
            "/noticed?before=8#noticed-7"
        );
        assert_eq!(subject_link("pair").unwrap().0, "/settings");
        assert_eq!(subject_link("person/2").unwrap().0, "/settings");
        assert!(subject_link("breach/x").is_none());
        assert!(subject_link("breach/-1").is_none());
        assert!(subject_link("mystery/1").is_none());
        assert!(subject_link("").is_none());
    }
}
