//! The agreement form: title, text, end date and a list of commitments.
//! Commitment rows use indexed field names (`c0_text`, `c0_owner`, …), so
//! the form works without JavaScript; "Add another commitment" sends the
//! form back with one more empty row.

use std::collections::HashMap;

use jiff::civil::Date;

use super::content::{COMMITMENT_LIMIT, CommitmentDraft, Content, MAX_COMMITMENTS, TEXT_LIMIT};
use crate::commitments::schedule::{self, Schedule};
use crate::web::FormErrors;
use crate::web::fields::{self, limits};

/// Rows read from one form at most (beyond this, fields are ignored).
const MAX_ROWS: usize = 200;
/// Empty rows offered on a new form.
pub const BLANK_ROWS: usize = 2;

/// The schedule kinds a person can choose, with their labels.
pub const KINDS: [(&str, &str); 5] = [
    (
        "standing",
        "Standing (always in force, e.g. \"I will not …\")",
    ),
    ("daily", "Every day"),
    ("weekdays", "On chosen days of the week"),
    ("every_n_days", "Every N days"),
    ("one_off", "Once, by a date"),
];

/// Weekday values and labels, Monday first.
pub const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "Mon"),
    ("tue", "Tue"),
    ("wed", "Wed"),
    ("thu", "Thu"),
    ("fri", "Fri"),
    ("sat", "Sat"),
    ("sun", "Sun"),
];

/// One commitment row as typed.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub carries: String,
    pub request: String,
    pub owner: String,
    pub text: String,
    pub kind: String,
    pub from: String,
    pub n: String,
    pub by: String,
    pub days: Vec<String>,
    pub text_error: Option<String>,
    pub owner_error: Option<String>,
    pub schedule_error: Option<String>,
}

impl Row {
    pub fn has_day(&self, day: &str) -> bool {
        self.days.iter().any(|d| d == day)
    }

    pub fn has_error(&self) -> bool {
        self.text_error.is_some() || self.owner_error.is_some() || self.schedule_error.is_some()
    }

    fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// A row filled in from a commitment already written.
    pub fn from_draft(c: &CommitmentDraft) -> Row {
        let mut row = Row {
            carries: c.carries.map(|id| id.to_string()).unwrap_or_default(),
            request: c.request.map(|id| id.to_string()).unwrap_or_default(),
            owner: c.owner.to_string(),
            text: c.text.clone(),
            ..Row::default()
        };
        match &c.schedule {
            Schedule::Standing => row.kind = "standing".into(),
            Schedule::Daily { from } => {
                row.kind = "daily".into();
                row.from = from.to_string();
            }
            Schedule::Weekdays { from, days } => {
                row.kind = "weekdays".into();
                row.from = from.to_string();
                row.days = days
                    .iter()
                    .map(|d| schedule::weekday_form_value(*d).to_string())
                    .collect();
            }
            Schedule::EveryNDays { from, n } => {
                row.kind = "every_n_days".into();
                row.from = from.to_string();
                row.n = n.to_string();
            }
            Schedule::OneOff { by } => {
                row.kind = "one_off".into();
                row.by = by.to_string();
            }
        }
        row
    }
}

/// The whole form as typed.
#[derive(Debug, Clone, Default)]
pub struct EditForm {
    pub once: String,
    pub base_revision: String,
    pub title: String,
    pub body: String,
    pub ends_on: String,
    pub rows: Vec<Row>,
    /// "save" or "more" (add a row and show the form again).
    pub action: String,
}

impl EditForm {
    /// Reads the submitted pairs; unknown fields are ignored.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> EditForm {
        let mut form = EditForm::default();
        let mut rows: HashMap<usize, Row> = HashMap::new();
        for (key, value) in pairs {
            match key.as_str() {
                "once" => form.once = value,
                "base_revision" => form.base_revision = value,
                "title" => form.title = value,
                "body" => form.body = value,
                "ends_on" => form.ends_on = value,
                "action" => form.action = value,
                _ => {
                    let Some((index, field)) = key
                        .strip_prefix('c')
                        .and_then(|rest| rest.split_once('_'))
                        .and_then(|(i, f)| i.parse::<usize>().ok().map(|i| (i, f)))
                    else {
                        continue;
                    };
                    if index >= MAX_ROWS {
                        continue;
                    }
                    let row = rows.entry(index).or_default();
                    match field {
                        "carries" => row.carries = value,
                        "request" => row.request = value,
                        "owner" => row.owner = value,
                        "text" => row.text = value,
                        "kind" => row.kind = value,
                        "from" => row.from = value,
                        "n" => row.n = value,
                        "by" => row.by = value,
                        "day" => row.days.push(value),
                        _ => {}
                    }
                }
            }
        }
        let mut indexed: Vec<(usize, Row)> = rows.into_iter().collect();
        indexed.sort_by_key(|(i, _)| *i);
        form.rows = indexed.into_iter().map(|(_, r)| r).collect();
        form
    }

    /// Drops empty rows and adds `blank` empty ones at the end.
    pub fn with_blank_rows(mut self, blank: usize, default_owner: i64, today: Date) -> Self {
        self.rows.retain(|r| !r.is_blank() || r.has_error());
        for _ in 0..blank {
            self.rows.push(Row {
                owner: default_owner.to_string(),
                kind: "daily".into(),
                from: today.to_string(),
                ..Row::default()
            });
        }
        self
    }
}

/// What a commitment carried from the version in force looked like, so an
/// unchanged one is not checked as if new (its one-off date may have passed).
pub type Carried = HashMap<i64, CommitmentDraft>;

/// Repair requests carried into this agreement: a row may keep its link to
/// one of these, and to nothing else.
pub type Requests = Vec<i64>;

/// Checks the form. Returns the content when everything is right; otherwise
/// the messages are in `errors` and on the rows.
pub fn check(
    form: &mut EditForm,
    people: &[i64],
    carried: &Carried,
    requests: &Requests,
    today: Date,
    errors: &mut FormErrors,
) -> Option<Content> {
    let title = errors.check(
        "title",
        fields::single_line(&form.title, limits::TITLE, "a title"),
    );
    let body = errors.check(
        "body",
        fields::required(&form.body, TEXT_LIMIT, "what you agree on"),
    );
    let ends_on = if form.ends_on.trim().is_empty() {
        Some(None)
    } else {
        match form.ends_on.trim().parse::<Date>() {
            Ok(d) if d < today => {
                errors.add(
                    "ends_on",
                    format!(
                        "{} has already passed. Choose a later date, or leave it empty.",
                        schedule::long_date(d)
                    ),
                );
                None
            }
            Ok(d) => Some(Some(d)),
            Err(_) => {
                errors.add(
                    "ends_on",
                    "Please give the end date as a date, or leave it empty.",
                );
                None
            }
        }
    };
    let filled = form.rows.iter().filter(|r| !r.is_blank()).count();
    if filled > MAX_COMMITMENTS {
        errors.add(
            "commitments",
            format!(
                "An agreement can hold at most {MAX_COMMITMENTS} commitments; this one has {filled}. \
                 Please remove {} or make a second agreement.",
                filled - MAX_COMMITMENTS
            ),
        );
    }
    let mut commitments = Vec::new();
    for row in form.rows.iter_mut() {
        if row.is_blank() {
            continue;
        }
        if let Some(c) = check_row(row, people, carried, requests, today) {
            commitments.push(c);
        }
    }
    if form.rows.iter().any(Row::has_error) {
        errors.add(
            "commitments",
            "One or more commitments need attention; the message is next to each.",
        );
    }
    if !errors.is_empty() {
        return None;
    }
    Some(Content {
        title: title?,
        body: body?,
        ends_on: ends_on?,
        commitments,
    })
}

fn check_row(
    row: &mut Row,
    people: &[i64],
    carried: &Carried,
    requests: &Requests,
    today: Date,
) -> Option<CommitmentDraft> {
    let request = row
        .request
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| requests.contains(id));
    let text = match fields::single_line(&row.text, COMMITMENT_LIMIT, "what will be done") {
        Ok(text) => Some(text),
        Err(message) => {
            row.text_error = Some(message);
            None
        }
    };
    let owner = match row.owner.trim().parse::<i64>() {
        Ok(id) if people.contains(&id) => Some(id),
        _ => {
            row.owner_error = Some("Please choose whose commitment this is.".into());
            None
        }
    };
    let carries = match row.carries.trim() {
        "" => None,
        value => match value.parse::<i64>() {
            Ok(id) if carried.contains_key(&id) => Some(id),
            _ => {
                row.text_error = Some(
                    "This refers to a commitment that is not part of the version in force. \
                     Please reload the page."
                        .into(),
                );
                None
            }
        },
    };
    let schedule = match parse_schedule(row) {
        Ok(schedule) => Some(schedule),
        Err(message) => {
            row.schedule_error = Some(message);
            None
        }
    };
    if let Some(schedule) = &schedule {
        let unchanged = carries
            .and_then(|id| carried.get(&id))
            .is_some_and(|old| &old.schedule == schedule);
        if !unchanged && let Err(problem) = schedule.validate_new(today) {
            row.schedule_error = Some(problem.to_string());
            return None;
        }
    }
    Some(CommitmentDraft {
        carries,
        request,
        owner: owner?,
        text: text?,
        schedule: schedule?,
    })
}

fn parse_date(value: &str, what: &str) -> Result<Date, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("Please choose {what}."));
    }
    value
        .parse::<Date>()
        .map_err(|_| format!("Please give {what} as a date (year-month-day)."))
}

fn parse_schedule(row: &Row) -> Result<Schedule, String> {
    match row.kind.as_str() {
        "standing" => Ok(Schedule::Standing),
        "daily" => Ok(Schedule::Daily {
            from: parse_date(&row.from, "the first day")?,
        }),
        "weekdays" => {
            let from = parse_date(&row.from, "the first day")?;
            let mut days = Vec::new();
            for value in &row.days {
                days.push(
                    schedule::parse_weekday(value).ok_or_else(|| {
                        "Please choose days of the week from the list.".to_string()
                    })?,
                );
            }
            Ok(Schedule::weekdays(from, days))
        }
        "every_n_days" => {
            let from = parse_date(&row.from, "the first day")?;
            let n = row
                .n
                .trim()
                .parse::<u16>()
                .map_err(|_| "Write a whole number of days from 1 to 365.".to_string())?;
            Ok(Schedule::EveryNDays { from, n })
        }
        "one_off" => Ok(Schedule::OneOff {
            by: parse_date(&row.by, "the date it is due by")?,
        }),
        _ => Err("Please choose how often this is due.".into()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn rows_are_read_by_index_with_several_weekdays() {
        let form = EditForm::from_pairs(pairs(&[
            ("title", "T"),
            ("c1_text", "second"),
            ("c0_text", "first"),
            ("c0_day", "mon"),
            ("c0_day", "thu"),
            ("c9999_text", "ignored"),
        ]));
        assert_eq!(form.rows.len(), 2);
        assert_eq!(form.rows[0].text, "first");
        assert_eq!(form.rows[0].days, vec!["mon", "thu"]);
        assert_eq!(form.rows[1].text, "second");
    }

    #[test]
    fn impossible_schedules_are_refused_with_a_reason() {
        let today = date(2026, 3, 10);
        let mut errors = FormErrors::new();
        let mut form = EditForm::from_pairs(pairs(&[
            ("title", "T"),
            ("body", "B"),
            ("c0_text", "a"),
            ("c0_owner", "1"),
            ("c0_kind", "every_n_days"),
            ("c0_from", "2026-03-10"),
            ("c0_n", "0"),
            ("c1_text", "b"),
            ("c1_owner", "2"),
            ("c1_kind", "weekdays"),
            ("c1_from", "2026-03-10"),
            ("c2_text", "c"),
            ("c2_owner", "1"),
            ("c2_kind", "one_off"),
            ("c2_by", "2026-03-09"),
        ]));
        assert!(
            check(
                &mut form,
                &[1, 2],
                &Carried::new(),
                &Requests::new(),
                today,
                &mut errors
            )
            .is_none()
        );
        assert_eq!(
            form.rows[0].schedule_error.as_deref(),
            Some("Choose a number of days from 1 to 365.")
        );
        assert_eq!(
            form.rows[1].schedule_error.as_deref(),
            Some("Choose at least one day of the week.")
        );
        assert!(
            form.rows[2]
                .schedule_error
                .as_deref()
                .unwrap()
                .contains("has already passed")
        );
    }
}
