//! What the records of a commitment add up to, derived when read: the
//! standing of each record (confirmed, waiting, disputed, counted …), the
//! occurrences due and unrecorded, and the pattern rule. Nothing here is
//! stored or runs in the background; the same inputs always give the same
//! answer, whenever they are read.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp, Unit};

use super::schedule::{self, Pause, Schedule};
use super::store::{AnswerRow, RecordRow, Terms};

/// Days the other person has to answer a record before it counts as it was
/// recorded (a kept claim as kept, an observed break as broken).
pub const ANSWER_DAYS: i64 = 7;
/// Two counted breaks of one commitment this many days apart or fewer make a
/// pattern.
pub const PATTERN_DAYS: i64 = 30;

/// Where a record stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A later record corrects it; it no longer counts.
    Corrected,
    KeptConfirmed,
    /// Kept, recorded less than 7 days ago, not answered yet.
    KeptWaiting,
    /// Kept, nobody disputed it within 7 days: counts, but unconfirmed.
    KeptUnconfirmed,
    /// The owner accepted the other's dispute: not counted as kept.
    KeptWithdrawn,
    BrokenSelfReported,
    BrokenAcknowledged,
    /// An observed break, less than 7 days old, not answered yet.
    BrokenWaiting,
    /// An observed break nobody disputed within 7 days: counts.
    BrokenUndisputed,
    /// The observer accepted the owner's dispute: not counted.
    BrokenWithdrawn,
    /// Disputed and not settled yet: counts neither way.
    Disputed,
    StillKeeping,
}

impl Status {
    pub fn counts_as_kept(self) -> bool {
        matches!(self, Status::KeptConfirmed | Status::KeptUnconfirmed)
    }

    pub fn counts_as_broken(self) -> bool {
        matches!(
            self,
            Status::BrokenSelfReported | Status::BrokenAcknowledged | Status::BrokenUndisputed
        )
    }

    /// Words for the page: plain, calm, never a verdict on a person.
    pub fn label(self) -> &'static str {
        match self {
            Status::Corrected => "Corrected by a later entry",
            Status::KeptConfirmed => "Kept · confirmed",
            Status::KeptWaiting => "Kept · waiting for confirmation",
            Status::KeptUnconfirmed => "Kept · not confirmed (no dispute within 7 days)",
            Status::KeptWithdrawn => "Kept claim withdrawn after a dispute",
            Status::BrokenSelfReported => "Broken · self-reported",
            Status::BrokenAcknowledged => "Broken · acknowledged",
            Status::BrokenWaiting => "Break recorded · waiting for an answer",
            Status::BrokenUndisputed => "Broken · not disputed within 7 days",
            Status::BrokenWithdrawn => "Break withdrawn after a dispute",
            Status::Disputed => "Disputed · to talk through together",
            Status::StillKeeping => "Still keeping this",
        }
    }

    /// A CSS class for the status tag.
    pub fn class(self) -> &'static str {
        match self {
            Status::KeptConfirmed | Status::StillKeeping => "status-kept",
            Status::KeptUnconfirmed | Status::KeptWaiting => "status-kept-unconfirmed",
            Status::BrokenSelfReported | Status::BrokenAcknowledged | Status::BrokenUndisputed => {
                "status-broken"
            }
            Status::Disputed | Status::BrokenWaiting => "status-open",
            Status::Corrected | Status::KeptWithdrawn | Status::BrokenWithdrawn => "status-void",
        }
    }
}

fn older_than_answer_window(created_at: &str, now: Timestamp) -> bool {
    crate::clock::parse(created_at)
        .is_some_and(|at| now.duration_since(at) >= SignedDuration::from_hours(24 * ANSWER_DAYS))
}

/// Whether a record can still be disputed (the 7 days have not passed).
pub fn within_answer_window(record: &RecordRow, now: Timestamp) -> bool {
    !older_than_answer_window(&record.created_at, now)
}

/// The standing of one record, from its answers (oldest first) at `now`.
pub fn status(record: &RecordRow, answers: &[AnswerRow], now: Timestamp) -> Status {
    if record.corrected_by.is_some() {
        return Status::Corrected;
    }
    let has = |kind: &str| answers.iter().any(|a| a.kind == kind);
    let disputed = has("disputed");
    let withdrawn = has("dispute_withdrawn");
    let accepted = has("dispute_accepted");
    let old = older_than_answer_window(&record.created_at, now);
    match record.kind.as_str() {
        "still_keeping" => Status::StillKeeping,
        "kept" => {
            if disputed && accepted {
                Status::KeptWithdrawn
            } else if disputed && !withdrawn {
                Status::Disputed
            } else if has("confirmed") || withdrawn {
                Status::KeptConfirmed
            } else if old {
                Status::KeptUnconfirmed
            } else {
                Status::KeptWaiting
            }
        }
        _ => {
            if record.self_reported == 1 {
                Status::BrokenSelfReported
            } else if disputed && accepted {
                Status::BrokenWithdrawn
            } else if disputed && !withdrawn {
                Status::Disputed
            } else if has("acknowledged") || withdrawn {
                Status::BrokenAcknowledged
            } else if old {
                Status::BrokenUndisputed
            } else {
                Status::BrokenWaiting
            }
        }
    }
}

/// A pattern: a counted break with an earlier counted break of the same
/// commitment no more than 30 days before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub record_id: i64,
    pub day: Date,
    pub earlier_id: i64,
    pub earlier_day: Date,
}

/// Patterns among a commitment's breaks, given each break's status.
pub fn patterns(breaks: &[(RecordRow, Status)]) -> Vec<Pattern> {
    let mut counted: Vec<(Date, i64)> = breaks
        .iter()
        .filter(|(_, s)| s.counts_as_broken())
        .filter_map(|(r, _)| r.day.parse::<Date>().ok().map(|d| (d, r.id)))
        .collect();
    counted.sort();
    let mut found = Vec::new();
    for i in 1..counted.len() {
        let (day, id) = counted[i];
        let (earlier_day, earlier_id) = counted[i - 1];
        if days_between(earlier_day, day) <= PATTERN_DAYS {
            found.push(Pattern {
                record_id: id,
                day,
                earlier_id,
                earlier_day,
            });
        }
    }
    found
}

/// Whole days from `a` to `b`.
pub fn days_between(a: Date, b: Date) -> i64 {
    a.until((Unit::Day, b))
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(i64::MAX)
}

pub fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(Span::new().days(n)).unwrap_or(d)
}

/// A stretch of days under one set of terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// First day these terms applied.
    pub from: Date,
    /// Last day they applied, if they stopped.
    pub to: Option<Date>,
    pub schedule: Schedule,
}

/// The stretches of a commitment's life under each of its terms. `last_day`
/// is the last day it was in force (it ended, or its agreement did).
pub fn segments(terms: &[Terms], last_day: Option<Date>) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    for t in terms {
        let (Ok(from), Ok(schedule)) = (
            t.effective_from.parse::<Date>(),
            serde_json::from_str::<Schedule>(&t.schedule),
        ) else {
            continue;
        };
        if let Some(prev) = out.last_mut() {
            if prev.schedule == schedule {
                continue;
            }
            prev.to = Some(add_days(from, -1));
        }
        out.push(Segment {
            from,
            to: None,
            schedule,
        });
    }
    if let (Some(last), Some(end)) = (out.last_mut(), last_day) {
        last.to = Some(last.to.map_or(end, |t| t.min(end)));
    }
    out.retain(|s| s.to.is_none_or(|to| to >= s.from));
    out
}

/// The schedule in force on a day, if any.
pub fn schedule_on(segments: &[Segment], d: Date) -> Option<&Schedule> {
    segments
        .iter()
        .rev()
        .find(|s| s.from <= d && s.to.is_none_or(|to| d <= to))
        .map(|s| &s.schedule)
}

/// Every day in `lo..=hi` with an occurrence, under the terms of the day,
/// leaving out recurring occurrences inside any pause.
pub fn due_days(segments: &[Segment], lo: Date, hi: Date, pauses: &[Pause]) -> Vec<Date> {
    let mut days = Vec::new();
    for s in segments {
        let from = lo.max(s.from);
        let to = s.to.map_or(hi, |t| t.min(hi));
        if from > to {
            continue;
        }
        days.extend(schedule::due_dates_outside_pauses(
            &s.schedule,
            from,
            to,
            pauses,
        ));
    }
    days.sort_unstable();
    days.dedup();
    days
}

/// Where one occurrence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OccurrenceState {
    /// A one-off not yet due: it can be done any day until its date.
    Open,
    DueToday,
    /// Its day ended with nothing recorded: neither kept nor broken.
    Unrecorded,
    Kept,
    KeptUnconfirmed,
    KeptWaiting,
    Broken,
    Disputed,
    BreakWaiting,
}

impl OccurrenceState {
    pub fn label(self) -> &'static str {
        match self {
            OccurrenceState::Open => "Open",
            OccurrenceState::DueToday => "Due today",
            OccurrenceState::Unrecorded => "Unrecorded",
            OccurrenceState::Kept => "Kept · confirmed",
            OccurrenceState::KeptUnconfirmed => "Kept · unconfirmed",
            OccurrenceState::KeptWaiting => "Kept · waiting for confirmation",
            OccurrenceState::Broken => "Broken",
            OccurrenceState::Disputed => "Disputed",
            OccurrenceState::BreakWaiting => "Break recorded · waiting for an answer",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            OccurrenceState::Kept => "status-kept",
            OccurrenceState::KeptUnconfirmed | OccurrenceState::KeptWaiting => {
                "status-kept-unconfirmed"
            }
            OccurrenceState::Broken => "status-broken",
            OccurrenceState::Disputed | OccurrenceState::BreakWaiting => "status-open",
            OccurrenceState::Open | OccurrenceState::DueToday => "status-due",
            OccurrenceState::Unrecorded => "status-void",
        }
    }

    /// Whether the owner may still record it (nothing counted on it yet).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OccurrenceState::Open | OccurrenceState::DueToday | OccurrenceState::Unrecorded
        )
    }
}

/// The state of the occurrence on `day` from the statuses of the records
/// about that day.
pub fn occurrence_state(
    day: Date,
    statuses: &[Status],
    now: Timestamp,
    tz: &TimeZone,
) -> OccurrenceState {
    let any = |f: fn(Status) -> bool| statuses.iter().any(|s| f(*s));
    if any(Status::counts_as_broken) {
        OccurrenceState::Broken
    } else if any(|s| s == Status::Disputed) {
        OccurrenceState::Disputed
    } else if any(|s| s == Status::BrokenWaiting) {
        OccurrenceState::BreakWaiting
    } else if any(|s| s == Status::KeptConfirmed) {
        OccurrenceState::Kept
    } else if any(|s| s == Status::KeptUnconfirmed) {
        OccurrenceState::KeptUnconfirmed
    } else if any(|s| s == Status::KeptWaiting) {
        OccurrenceState::KeptWaiting
    } else if schedule::has_day_ended(day, now, tz) {
        OccurrenceState::Unrecorded
    } else if schedule::today(now, tz) == day {
        OccurrenceState::DueToday
    } else {
        OccurrenceState::Open
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::{Weekday, date};
    use proptest::prelude::*;

    fn record(id: i64, kind: &str, day: &str, self_reported: bool, created: &str) -> RecordRow {
        RecordRow {
            id,
            commitment_id: 1,
            kind: kind.into(),
            day: day.into(),
            recorded_by: if self_reported { 1 } else { 2 },
            self_reported: i64::from(self_reported),
            note: String::new(),
            corrects: None,
            created_at: created.into(),
            record_seq: 1,
            corrected_by: None,
        }
    }

    fn answer(kind: &str) -> AnswerRow {
        AnswerRow {
            id: 1,
            record_id: 1,
            kind: kind.into(),
            person_id: 1,
            note: String::new(),
            created_at: "2026-03-02T00:00:00.000000Z".into(),
        }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    const CREATED: &str = "2026-03-01T12:00:00.000000Z";

    #[test]
    fn a_kept_claim_counts_after_seven_days_without_a_dispute_but_stays_unconfirmed() {
        let r = record(1, "kept", "2026-03-01", true, CREATED);
        assert_eq!(
            status(&r, &[], ts("2026-03-08T11:59:59Z")),
            Status::KeptWaiting
        );
        assert_eq!(
            status(&r, &[], ts("2026-03-08T12:00:00Z")),
            Status::KeptUnconfirmed
        );
        assert!(Status::KeptUnconfirmed.counts_as_kept());
        assert_eq!(
            status(&r, &[answer("confirmed")], ts("2026-03-02T00:00:00Z")),
            Status::KeptConfirmed
        );
        assert_eq!(
            status(&r, &[answer("disputed")], ts("2026-04-01T00:00:00Z")),
            Status::Disputed
        );
    }

    #[test]
    fn a_disputed_break_does_not_count_until_settled() {
        let r = record(1, "broken", "2026-03-01", false, CREATED);
        let later = ts("2026-05-01T00:00:00Z");
        assert_eq!(status(&r, &[answer("disputed")], later), Status::Disputed);
        assert!(!Status::Disputed.counts_as_broken());
        assert_eq!(
            status(
                &r,
                &[answer("disputed"), answer("dispute_withdrawn")],
                later
            ),
            Status::BrokenAcknowledged
        );
        assert_eq!(
            status(&r, &[answer("disputed"), answer("dispute_accepted")], later),
            Status::BrokenWithdrawn
        );
        assert_eq!(status(&r, &[], later), Status::BrokenUndisputed);
    }

    #[test]
    fn a_second_counted_break_within_thirty_days_is_a_pattern() {
        let now = ts("2026-06-01T00:00:00Z");
        let a = record(1, "broken", "2026-03-01", true, CREATED);
        let b = record(2, "broken", "2026-03-31", true, CREATED);
        let c = record(3, "broken", "2026-05-15", true, CREATED);
        let with = |rs: Vec<RecordRow>| -> Vec<(RecordRow, Status)> {
            rs.into_iter()
                .map(|r| {
                    let s = status(&r, &[], now);
                    (r, s)
                })
                .collect()
        };
        let found = patterns(&with(vec![a.clone(), b.clone(), c]));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].record_id, 2);
        assert_eq!(found[0].earlier_id, 1);
        // A disputed break does not count towards a pattern.
        let disputed = vec![(a, Status::BrokenSelfReported), (b, Status::Disputed)];
        assert!(patterns(&disputed).is_empty());
    }

    fn terms(version: i64, schedule: &Schedule, from: &str) -> Terms {
        Terms {
            commitment_id: 1,
            version,
            owner_id: 1,
            text: "t".into(),
            schedule: serde_json::to_string(schedule).unwrap(),
            changed: 0,
            effective_from: from.into(),
        }
    }

    #[test]
    fn a_changed_schedule_applies_from_the_day_it_took_effect() {
        let daily = Schedule::Daily {
            from: date(2026, 3, 1),
        };
        let every3 = Schedule::EveryNDays {
            from: date(2026, 3, 10),
            n: 3,
        };
        let segs = segments(
            &[
                terms(1, &daily, "2026-03-01"),
                terms(2, &every3, "2026-03-10"),
            ],
            None,
        );
        assert_eq!(segs.len(), 2);
        let due = due_days(&segs, date(2026, 3, 8), date(2026, 3, 16), &[]);
        assert_eq!(
            due,
            vec![
                date(2026, 3, 8),
                date(2026, 3, 9),
                date(2026, 3, 10),
                date(2026, 3, 13),
                date(2026, 3, 16)
            ]
        );
    }

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    #[test]
    fn an_unrecorded_occurrence_shows_only_after_its_day_ends() {
        let tz = berlin();
        let day = date(2026, 3, 29); // clocks go forward in Berlin
        let end = schedule::day_end(day, &tz);
        let just_before = end - SignedDuration::from_nanos(1);
        assert_eq!(
            occurrence_state(day, &[], just_before, &tz),
            OccurrenceState::DueToday
        );
        assert_eq!(
            occurrence_state(day, &[], end, &tz),
            OccurrenceState::Unrecorded
        );
    }

    fn any_schedule() -> impl Strategy<Value = Schedule> {
        let start = (0i64..800).prop_map(|o| add_days(date(2026, 1, 1), o));
        prop_oneof![
            start.clone().prop_map(|from| Schedule::Daily { from }),
            (start.clone(), proptest::collection::vec(0i8..7, 1..7)).prop_map(|(from, ds)| {
                Schedule::weekdays(
                    from,
                    ds.into_iter()
                        .map(|i| Weekday::from_monday_zero_offset(i).unwrap()),
                )
            }),
            (start, 1u16..40).prop_map(|(from, n)| Schedule::EveryNDays { from, n }),
        ]
    }

    proptest! {
        // Occurrences as the commitment page derives them, read at any instant
        // of 2026–2028 (two daylight-saving changes a year in both zones and
        // the leap day of 2028): every due day up to today is listed once,
        // each on the right weekday / interval, the leap day included when
        // due; days already over are unrecorded, today's is due.
        #[test]
        fn occurrences_are_right_across_daylight_saving_and_the_leap_day(
            s in any_schedule(),
            secs in 1_767_225_600i64..1_861_920_000, // 2026-01-01 .. 2029-01-01
            zone in prop_oneof![Just("Europe/Berlin"), Just("America/New_York")],
        ) {
            let tz = TimeZone::get(zone).unwrap();
            let now = Timestamp::from_second(secs).unwrap();
            let today = schedule::today(now, &tz);
            let in_force = date(2026, 1, 1);
            let segs = segments(&[terms(1, &s, "2026-01-01")], None);
            let lo = add_days(today, -60).max(in_force);
            let due = due_days(&segs, lo, today, &[]);
            // Exactly the days the schedule names, checked one day at a time.
            let by_day: Vec<Date> = lo
                .series(Span::new().days(1))
                .take_while(|d| *d <= today)
                .filter(|d| s.is_due_on(*d))
                .collect();
            prop_assert_eq!(&due, &by_day);
            for d in &due {
                let state = occurrence_state(*d, &[], now, &tz);
                if *d == today {
                    prop_assert_eq!(state, OccurrenceState::DueToday);
                } else {
                    prop_assert_eq!(state, OccurrenceState::Unrecorded);
                }
                match &s {
                    Schedule::Weekdays { days, .. } => prop_assert!(days.contains(&d.weekday())),
                    Schedule::EveryNDays { from, n } => {
                        prop_assert_eq!(days_between(*from, *d) % i64::from(*n), 0)
                    }
                    _ => {}
                }
            }
            if let Schedule::Daily { from } = &s {
                let leap = date(2028, 2, 29);
                if *from <= leap && lo <= leap && leap <= today {
                    prop_assert!(due.contains(&leap));
                }
                // One occurrence per local day, whatever the day's length.
                let first = lo.max(*from);
                if first <= today {
                    prop_assert_eq!(due.len() as i64, days_between(first, today) + 1);
                }
            }
        }
    }
}
