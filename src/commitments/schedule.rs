//! When a commitment falls due, and which day it is for the pair.
//!
//! Due and unrecorded occurrences are never stored: they are derived from a
//! commitment's [`Schedule`] whenever a page is read, so nothing depends on a
//! background job or on the server having been running at midnight. That only
//! works if "which day is it" is answered one way everywhere, so this module
//! also owns the pair's calendar: days begin and end at local midnight in the
//! pair's IANA time zone (a day is 23 or 25 hours long when the clocks change),
//! and all date arithmetic goes through jiff rather than by hand.
//!
//! A pause of the repair suspends recurring occurrences only; a standing
//! commitment ("I will not …") and a one-off promise stay in force.

use std::fmt;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, Unit};
use serde::{Deserialize, Serialize};

/// The longest gap, in days, an every-N-days commitment may have.
pub const MAX_INTERVAL_DAYS: u16 = 365;

/// How often a commitment falls due.
///
/// Stored as JSON with a `kind` tag, e.g.
/// `{"kind":"weekdays","from":"2026-03-02","days":["mon","thu"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// Always in force and never "due": "I will not contact X".
    Standing,
    /// Due every day from `from` on.
    Daily {
        /// The first day it is due.
        from: Date,
    },
    /// Due on the chosen days of the week, from `from` on.
    Weekdays {
        /// No occurrence falls before this day.
        from: Date,
        /// Sorted Monday first, without duplicates; build it with
        /// [`Schedule::weekdays`] to keep it so. Stored as `"mon"` … `"sun"`.
        #[serde(with = "weekday_list")]
        days: Vec<Weekday>,
    },
    /// Due on `from`, then every `n` days after it.
    EveryNDays {
        /// The first day it is due.
        from: Date,
        /// Days between occurrences, 1 to [`MAX_INTERVAL_DAYS`].
        n: u16,
    },
    /// Due once, on the day it must be done by.
    OneOff {
        /// The last day to do it; the occurrence falls on this day.
        by: Date,
    },
}

/// Why a new commitment's schedule was refused. Each message is shown to the
/// person next to the form field, so it says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleError {
    /// "Every 0 days".
    ZeroDayInterval,
    /// More than [`MAX_INTERVAL_DAYS`] days between occurrences.
    IntervalTooLong {
        /// The number of days asked for.
        n: u16,
    },
    /// A weekly commitment with no day of the week ticked.
    NoWeekdayChosen,
    /// A one-off commitment whose date has already gone by.
    DateInPast {
        /// The date asked for.
        by: Date,
    },
    /// A recurring commitment starting more than a year from today.
    StartTooFar {
        /// The start date asked for.
        from: Date,
        /// The latest start date that would be accepted.
        latest: Date,
    },
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ZeroDayInterval => f.write_str("Choose a number of days from 1 to 365."),
            Self::IntervalTooLong { n } => write!(
                f,
                "{n} days is too long between times. Choose a number of days from 1 to 365."
            ),
            Self::NoWeekdayChosen => f.write_str("Choose at least one day of the week."),
            Self::DateInPast { by } => write!(
                f,
                "{} has already passed. Choose today or a later date.",
                long_date(*by)
            ),
            Self::StartTooFar { from, latest } => write!(
                f,
                "{} is more than a year away. Choose a start date no later than {}.",
                long_date(*from),
                long_date(*latest)
            ),
        }
    }
}

impl std::error::Error for ScheduleError {}

impl Schedule {
    /// A weekly schedule, with the days sorted Monday first and deduplicated.
    pub fn weekdays(from: Date, days: impl IntoIterator<Item = Weekday>) -> Self {
        Self::Weekdays {
            from,
            days: normalise_weekdays(days.into_iter().collect()),
        }
    }

    /// The checks made when a commitment is created (not when an existing one
    /// is read back: a one-off date that has since passed is still valid).
    pub fn validate_new(&self, today: Date) -> Result<(), ScheduleError> {
        match self {
            Self::Standing => Ok(()),
            Self::Daily { from } => check_start(*from, today),
            Self::Weekdays { from, days } => {
                if days.is_empty() {
                    return Err(ScheduleError::NoWeekdayChosen);
                }
                check_start(*from, today)
            }
            Self::EveryNDays { from, n } => {
                if *n == 0 {
                    return Err(ScheduleError::ZeroDayInterval);
                }
                if *n > MAX_INTERVAL_DAYS {
                    return Err(ScheduleError::IntervalTooLong { n: *n });
                }
                check_start(*from, today)
            }
            Self::OneOff { by } => {
                if *by < today {
                    return Err(ScheduleError::DateInPast { by: *by });
                }
                Ok(())
            }
        }
    }

    /// Daily, weekly or every N days: the kinds a pause suspends.
    pub fn is_recurring(&self) -> bool {
        matches!(
            self,
            Self::Daily { .. } | Self::Weekdays { .. } | Self::EveryNDays { .. }
        )
    }

    /// "I will not …": in force all the time, never due on a particular day.
    pub fn is_standing(&self) -> bool {
        matches!(self, Self::Standing)
    }

    /// Whether an occurrence falls on `d` (ignoring pauses; see
    /// [`due_dates_outside_pauses`]).
    pub fn is_due_on(&self, d: Date) -> bool {
        match self {
            Self::Standing => false,
            Self::Daily { from } => d >= *from,
            Self::Weekdays { from, days } => d >= *from && days.contains(&d.weekday()),
            Self::EveryNDays { from, n } => {
                // n == 0 can only come from data that skipped validate_new;
                // such a schedule is never due rather than a division by zero.
                d >= *from
                    && *n > 0
                    && days_between(*from, d).is_some_and(|days| days % i64::from(*n) == 0)
            }
            Self::OneOff { by } => d == *by,
        }
    }

    /// Every day in `from..=to_inclusive` with an occurrence, in order.
    ///
    /// The cost follows the range asked for, never the distance from the
    /// schedule's start: every-N-days jumps straight to its first occurrence
    /// in range. Iteration simply stops at the end of jiff's date range.
    pub fn due_dates(&self, from: Date, to_inclusive: Date) -> Vec<Date> {
        if from > to_inclusive {
            return Vec::new();
        }
        let to = to_inclusive;
        match self {
            Self::Standing => Vec::new(),
            Self::OneOff { by } => {
                if (from..=to).contains(by) {
                    vec![*by]
                } else {
                    Vec::new()
                }
            }
            Self::Daily { from: start } => stride(from.max(*start), 1, to),
            Self::Weekdays { from: start, days } => {
                let lo = from.max(*start);
                let mut dates: Vec<Date> = Vec::new();
                for day in normalise_weekdays(days.clone()) {
                    let ahead = i64::from(lo.weekday().until(day));
                    if let Ok(first) = lo.checked_add(Span::new().days(ahead)) {
                        dates.extend(stride(first, 7, to));
                    }
                }
                dates.sort_unstable();
                dates
            }
            Self::EveryNDays { from: start, n } => {
                if *n == 0 {
                    return Vec::new();
                }
                let n = i64::from(*n);
                let lo = from.max(*start);
                let Some(offset) = days_between(*start, lo) else {
                    return Vec::new();
                };
                let behind = offset % n;
                let ahead = if behind == 0 { 0 } else { n - behind };
                match lo.checked_add(Span::new().days(ahead)) {
                    Ok(first) => stride(first, n, to),
                    Err(_) => Vec::new(),
                }
            }
        }
    }

    /// A phrase that follows "I will …": "every day", "on Mondays and
    /// Thursdays", "every 3 days", "by 14 March 2027", "always".
    pub fn describe(&self) -> String {
        match self {
            Self::Standing => "always".to_owned(),
            Self::Daily { .. } => "every day".to_owned(),
            Self::Weekdays { days, .. } => {
                let days = normalise_weekdays(days.clone());
                if days.len() == 7 {
                    return "every day".to_owned();
                }
                let names: Vec<&str> = days.iter().map(|d| plural_weekday(*d)).collect();
                match names.split_last() {
                    None => "on no day of the week".to_owned(),
                    Some((last, [])) => format!("on {last}"),
                    Some((last, rest)) => format!("on {} and {last}", rest.join(", ")),
                }
            }
            Self::EveryNDays { n: 1, .. } => "every day".to_owned(),
            Self::EveryNDays { n, .. } => format!("every {n} days"),
            Self::OneOff { by } => format!("by {}", long_date(*by)),
        }
    }
}

/// A stretch during which the repair was paused. Recurring commitments are
/// not due on any day it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    /// The first paused day.
    pub from: Date,
    /// The first day no longer paused (exclusive); `None` while still paused.
    pub until: Option<Date>,
}

impl Pause {
    /// Whether `d` falls within this pause.
    pub fn covers(&self, d: Date) -> bool {
        d >= self.from && self.until.is_none_or(|until| d < until)
    }
}

/// [`Schedule::due_dates`] with recurring occurrences inside any pause left
/// out: those are suspended, neither due nor unrecorded. One-off and standing
/// commitments are unaffected by pauses.
pub fn due_dates_outside_pauses(s: &Schedule, from: Date, to: Date, pauses: &[Pause]) -> Vec<Date> {
    let mut dates = s.due_dates(from, to);
    if s.is_recurring() && !pauses.is_empty() {
        dates.retain(|d| !pauses.iter().any(|p| p.covers(*d)));
    }
    dates
}

/// The pair's date at the instant `now`.
pub fn today(now: Timestamp, tz: &TimeZone) -> Date {
    tz.to_datetime(now).date()
}

/// The first instant of `d` in `tz`: local midnight, or the first moment after
/// it when the clocks skip midnight. Dates too close to the edge of jiff's
/// range to be placed on the timeline give `Timestamp::MIN` or `Timestamp::MAX`.
pub fn day_start(d: Date, tz: &TimeZone) -> Timestamp {
    match d.to_zoned(tz.clone()) {
        Ok(zoned) => zoned.timestamp(),
        Err(_) if d.year() < 0 => Timestamp::MIN,
        Err(_) => Timestamp::MAX,
    }
}

/// The instant `d` ends, which is the start of the next day: 23 or 25 hours
/// after [`day_start`] on the days the clocks change.
pub fn day_end(d: Date, tz: &TimeZone) -> Timestamp {
    match d.tomorrow() {
        Ok(next) => day_start(next, tz),
        Err(_) => Timestamp::MAX,
    }
}

/// Whether `d` is over at `now`: after this, an occurrence on `d` that nobody
/// recorded shows as unrecorded.
pub fn has_day_ended(d: Date, now: Timestamp, tz: &TimeZone) -> bool {
    now >= day_end(d, tz)
}

/// The Monday of `d`'s ISO week (clamped to jiff's earliest date).
pub fn week_start(d: Date) -> Date {
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(Span::new().days(back)).unwrap_or(Date::MIN)
}

/// Reads a weekday from a form value: `"mon"` … `"sun"` (full names and any
/// letter case are accepted too).
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let s = s.trim().to_ascii_lowercase();
    let day = match s.as_str() {
        "mon" | "monday" => Weekday::Monday,
        "tue" | "tuesday" => Weekday::Tuesday,
        "wed" | "wednesday" => Weekday::Wednesday,
        "thu" | "thursday" => Weekday::Thursday,
        "fri" | "friday" => Weekday::Friday,
        "sat" | "saturday" => Weekday::Saturday,
        "sun" | "sunday" => Weekday::Sunday,
        _ => return None,
    };
    Some(day)
}

/// The form value for a weekday, the inverse of [`parse_weekday`].
pub fn weekday_form_value(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "mon",
        Weekday::Tuesday => "tue",
        Weekday::Wednesday => "wed",
        Weekday::Thursday => "thu",
        Weekday::Friday => "fri",
        Weekday::Saturday => "sat",
        Weekday::Sunday => "sun",
    }
}

/// A date as people write it: "14 March 2027".
pub fn long_date(d: Date) -> String {
    let month = match d.month() {
        1 => "January",
        2 => "February",
        3 => "March",
        4 => "April",
        5 => "May",
        6 => "June",
        7 => "July",
        8 => "August",
        9 => "September",
        10 => "October",
        11 => "November",
        _ => "December",
    };
    format!("{} {month} {}", d.day(), d.year())
}

fn check_start(from: Date, today: Date) -> Result<(), ScheduleError> {
    // Near the end of jiff's range there is no "a year from now" to exceed.
    let Ok(latest) = today.checked_add(Span::new().years(1)) else {
        return Ok(());
    };
    if from > latest {
        return Err(ScheduleError::StartTooFar { from, latest });
    }
    Ok(())
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
fn days_between(a: Date, b: Date) -> Option<i64> {
    a.until((Unit::Day, b))
        .ok()
        .map(|span| i64::from(span.get_days()))
}

/// `first`, then every `step` days, up to and including `to`.
fn stride(first: Date, step: i64, to: Date) -> Vec<Date> {
    first
        .series(Span::new().days(step))
        .take_while(|d| *d <= to)
        .collect()
}

fn normalise_weekdays(mut days: Vec<Weekday>) -> Vec<Weekday> {
    days.sort_unstable_by_key(|d| d.to_monday_zero_offset());
    days.dedup();
    days
}

fn plural_weekday(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "Mondays",
        Weekday::Tuesday => "Tuesdays",
        Weekday::Wednesday => "Wednesdays",
        Weekday::Thursday => "Thursdays",
        Weekday::Friday => "Fridays",
        Weekday::Saturday => "Saturdays",
        Weekday::Sunday => "Sundays",
    }
}

/// jiff's `Weekday` has no serde support; store the form values instead, and
/// sort and deduplicate on the way back in so stored data keeps the invariant.
mod weekday_list {
    use jiff::civil::Weekday;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(days: &[Weekday], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(days.iter().map(|d| super::weekday_form_value(*d)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        let days = names
            .iter()
            .map(|name| {
                super::parse_weekday(name)
                    .ok_or_else(|| D::Error::custom(format!("unknown weekday {name:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(super::normalise_weekdays(days))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use jiff::SignedDuration;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).expect("the system time zone database has this zone")
    }

    fn days(d: Date, n: i64) -> Date {
        d.checked_add(Span::new().days(n)).unwrap()
    }

    fn hours(h: i64) -> SignedDuration {
        SignedDuration::from_hours(h)
    }

    const NANO: SignedDuration = SignedDuration::from_nanos(1);

    // --- Each kind over a month ---

    #[test]
    fn a_daily_commitment_is_due_every_day_of_a_month_from_its_start() {
        let s = Schedule::Daily {
            from: date(2026, 4, 10),
        };
        let due = s.due_dates(date(2026, 4, 1), date(2026, 4, 30));
        assert_eq!(due.len(), 21);
        assert_eq!(due.first(), Some(&date(2026, 4, 10)));
        assert_eq!(due.last(), Some(&date(2026, 4, 30)));
        assert!(!s.is_due_on(date(2026, 4, 9)));
    }

    #[test]
    fn a_weekday_commitment_is_due_only_on_its_chosen_days() {
        let s = Schedule::weekdays(date(2026, 3, 1), [Weekday::Thursday, Weekday::Monday]);
        let due = s.due_dates(date(2026, 3, 1), date(2026, 3, 31));
        let expected: Vec<Date> = [2, 5, 9, 12, 16, 19, 23, 26, 30]
            .into_iter()
            .map(|d| date(2026, 3, d))
            .collect();
        assert_eq!(due, expected);
        assert!(
            due.iter()
                .all(|d| matches!(d.weekday(), Weekday::Monday | Weekday::Thursday))
        );
    }

    #[test]
    fn a_weekday_commitment_does_not_fall_due_before_its_start() {
        let s = Schedule::weekdays(date(2026, 3, 11), [Weekday::Monday]);
        assert_eq!(
            s.due_dates(date(2026, 3, 1), date(2026, 3, 20)),
            vec![date(2026, 3, 16)]
        );
    }

    #[test]
    fn weekdays_built_with_the_constructor_are_sorted_and_deduplicated() {
        let s = Schedule::weekdays(
            date(2026, 1, 1),
            [
                Weekday::Sunday,
                Weekday::Monday,
                Weekday::Sunday,
                Weekday::Wednesday,
            ],
        );
        let Schedule::Weekdays { days, .. } = s else {
            panic!("not weekly")
        };
        assert_eq!(
            days,
            vec![Weekday::Monday, Weekday::Wednesday, Weekday::Sunday]
        );
    }

    #[test]
    fn an_every_n_days_commitment_counts_from_its_start_not_from_the_range() {
        let s = Schedule::EveryNDays {
            from: date(2026, 2, 20),
            n: 3,
        };
        // 20 Feb + 3k: 23, 26 Feb, 1 Mar, 4 Mar … (2026 is not a leap year)
        let due = s.due_dates(date(2026, 3, 1), date(2026, 3, 31));
        let expected: Vec<Date> = (0..11).map(|k| days(date(2026, 3, 1), 3 * k)).collect();
        assert_eq!(due, expected);
        assert_eq!(due.last(), Some(&date(2026, 3, 31)));
    }

    #[test]
    fn an_every_n_days_commitment_starting_mid_month_begins_on_its_start() {
        let s = Schedule::EveryNDays {
            from: date(2026, 5, 12),
            n: 7,
        };
        assert_eq!(
            s.due_dates(date(2026, 5, 1), date(2026, 5, 31)),
            vec![date(2026, 5, 12), date(2026, 5, 19), date(2026, 5, 26)]
        );
    }

    #[test]
    fn an_every_n_days_commitment_over_ten_years_far_from_its_start_is_cheap_and_right() {
        let s = Schedule::EveryNDays {
            from: date(1900, 1, 1),
            n: 10,
        };
        let due = s.due_dates(date(2030, 1, 1), date(2039, 12, 31));
        assert!(due.len() >= 365 && due.len() <= 366);
        assert!(due.iter().all(|d| s.is_due_on(*d)));
        assert!(days(due[0], -10) < date(2030, 1, 1));
    }

    #[test]
    fn a_one_off_commitment_is_due_only_on_its_date_and_only_when_in_range() {
        let s = Schedule::OneOff {
            by: date(2027, 3, 14),
        };
        assert_eq!(
            s.due_dates(date(2027, 3, 1), date(2027, 3, 31)),
            vec![date(2027, 3, 14)]
        );
        assert!(s.due_dates(date(2027, 4, 1), date(2027, 4, 30)).is_empty());
        assert!(s.is_due_on(date(2027, 3, 14)));
        assert!(!s.is_due_on(date(2027, 3, 13)));
    }

    #[test]
    fn a_standing_commitment_is_never_due_on_a_day() {
        let s = Schedule::Standing;
        assert!(s.due_dates(date(2026, 1, 1), date(2026, 12, 31)).is_empty());
        assert!(!s.is_due_on(date(2026, 6, 1)));
        assert!(s.is_standing() && !s.is_recurring());
    }

    #[test]
    fn a_reversed_range_has_no_due_dates() {
        let s = Schedule::Daily {
            from: date(2026, 1, 1),
        };
        assert!(s.due_dates(date(2026, 2, 1), date(2026, 1, 1)).is_empty());
    }

    #[test]
    fn recurring_kinds_are_recurring_and_the_others_are_not() {
        let d = date(2026, 1, 1);
        assert!(Schedule::Daily { from: d }.is_recurring());
        assert!(Schedule::weekdays(d, [Weekday::Monday]).is_recurring());
        assert!(Schedule::EveryNDays { from: d, n: 2 }.is_recurring());
        assert!(!Schedule::OneOff { by: d }.is_recurring());
        assert!(!Schedule::Standing.is_recurring());
    }

    #[test]
    fn iteration_stops_quietly_at_the_end_of_the_calendar() {
        let s = Schedule::EveryNDays {
            from: date(9999, 12, 1),
            n: 7,
        };
        let due = s.due_dates(date(9999, 12, 1), Date::MAX);
        assert_eq!(due.last(), Some(&date(9999, 12, 29)));
        let daily = Schedule::Daily {
            from: date(9999, 12, 30),
        };
        assert_eq!(
            daily.due_dates(Date::MIN, Date::MAX),
            vec![date(9999, 12, 30), Date::MAX]
        );
        let weekly = Schedule::weekdays(Date::MIN, [Weekday::Sunday]);
        assert!(!weekly.due_dates(date(9999, 12, 1), Date::MAX).is_empty());
        let ny = tz("America/New_York");
        assert_eq!(day_end(Date::MAX, &ny), Timestamp::MAX);
        assert_eq!(day_start(Date::MIN, &ny), Timestamp::MIN);
        assert_eq!(week_start(Date::MIN), Date::MIN);
    }

    // --- describe ---

    #[test]
    fn schedules_describe_themselves_in_plain_words() {
        let d = date(2026, 1, 1);
        assert_eq!(Schedule::Daily { from: d }.describe(), "every day");
        assert_eq!(
            Schedule::weekdays(d, [Weekday::Thursday, Weekday::Monday]).describe(),
            "on Mondays and Thursdays"
        );
        assert_eq!(
            Schedule::weekdays(d, [Weekday::Friday]).describe(),
            "on Fridays"
        );
        assert_eq!(
            Schedule::weekdays(d, [Weekday::Monday, Weekday::Wednesday, Weekday::Friday])
                .describe(),
            "on Mondays, Wednesdays and Fridays"
        );
        assert_eq!(
            Schedule::EveryNDays { from: d, n: 3 }.describe(),
            "every 3 days"
        );
        assert_eq!(
            Schedule::EveryNDays { from: d, n: 1 }.describe(),
            "every day"
        );
        assert_eq!(
            Schedule::OneOff {
                by: date(2027, 3, 14)
            }
            .describe(),
            "by 14 March 2027"
        );
        assert_eq!(Schedule::Standing.describe(), "always");
    }

    // --- validate_new ---

    #[test]
    fn every_zero_days_is_refused_with_the_allowed_range() {
        let today = date(2026, 6, 1);
        let err = Schedule::EveryNDays { from: today, n: 0 }
            .validate_new(today)
            .unwrap_err();
        assert_eq!(err, ScheduleError::ZeroDayInterval);
        assert_eq!(err.to_string(), "Choose a number of days from 1 to 365.");
    }

    #[test]
    fn more_than_365_days_between_times_is_refused() {
        let today = date(2026, 6, 1);
        let err = Schedule::EveryNDays {
            from: today,
            n: 366,
        }
        .validate_new(today)
        .unwrap_err();
        assert_eq!(err, ScheduleError::IntervalTooLong { n: 366 });
        assert_eq!(
            err.to_string(),
            "366 days is too long between times. Choose a number of days from 1 to 365."
        );
        assert!(
            Schedule::EveryNDays {
                from: today,
                n: 365
            }
            .validate_new(today)
            .is_ok()
        );
        assert!(
            Schedule::EveryNDays { from: today, n: 1 }
                .validate_new(today)
                .is_ok()
        );
    }

    #[test]
    fn a_weekly_commitment_without_a_day_is_refused() {
        let today = date(2026, 6, 1);
        let err = Schedule::weekdays(today, [])
            .validate_new(today)
            .unwrap_err();
        assert_eq!(err, ScheduleError::NoWeekdayChosen);
        assert_eq!(err.to_string(), "Choose at least one day of the week.");
    }

    #[test]
    fn a_one_off_date_in_the_past_is_refused_but_today_is_fine() {
        let today = date(2026, 6, 1);
        let err = Schedule::OneOff {
            by: date(2026, 5, 31),
        }
        .validate_new(today)
        .unwrap_err();
        assert_eq!(
            err,
            ScheduleError::DateInPast {
                by: date(2026, 5, 31)
            }
        );
        assert_eq!(
            err.to_string(),
            "31 May 2026 has already passed. Choose today or a later date."
        );
        assert!(Schedule::OneOff { by: today }.validate_new(today).is_ok());
    }

    #[test]
    fn a_start_more_than_a_year_away_is_refused_but_a_year_to_the_day_is_fine() {
        let today = date(2026, 6, 1);
        let err = Schedule::Daily {
            from: date(2027, 6, 2),
        }
        .validate_new(today)
        .unwrap_err();
        assert_eq!(
            err,
            ScheduleError::StartTooFar {
                from: date(2027, 6, 2),
                latest: date(2027, 6, 1)
            }
        );
        assert_eq!(
            err.to_string(),
            "2 June 2027 is more than a year away. Choose a start date no later than 1 June 2027."
        );
        assert!(
            Schedule::Daily {
                from: date(2027, 6, 1)
            }
            .validate_new(today)
            .is_ok()
        );
        assert!(
            Schedule::weekdays(date(2028, 1, 1), [Weekday::Monday])
                .validate_new(today)
                .is_err()
        );
        assert!(
            Schedule::EveryNDays {
                from: date(2028, 1, 1),
                n: 2
            }
            .validate_new(today)
            .is_err()
        );
    }

    #[test]
    fn a_standing_commitment_is_always_valid() {
        assert!(Schedule::Standing.validate_new(date(2026, 6, 1)).is_ok());
    }

    // --- weekdays and form values ---

    #[test]
    fn weekday_form_values_parse_and_round_trip() {
        for (s, d) in [
            ("mon", Weekday::Monday),
            ("tue", Weekday::Tuesday),
            ("wed", Weekday::Wednesday),
            ("thu", Weekday::Thursday),
            ("fri", Weekday::Friday),
            ("sat", Weekday::Saturday),
            ("sun", Weekday::Sunday),
        ] {
            assert_eq!(parse_weekday(s), Some(d));
            assert_eq!(weekday_form_value(d), s);
        }
        assert_eq!(parse_weekday(" Thursday "), Some(Weekday::Thursday));
        assert_eq!(parse_weekday("MON"), Some(Weekday::Monday));
        assert_eq!(parse_weekday("moon"), None);
        assert_eq!(parse_weekday(""), None);
    }

    #[test]
    fn a_week_starts_on_its_monday() {
        assert_eq!(week_start(date(2026, 3, 2)), date(2026, 3, 2)); // a Monday
        assert_eq!(week_start(date(2026, 3, 8)), date(2026, 3, 2)); // a Sunday
        assert_eq!(week_start(date(2027, 1, 1)), date(2026, 12, 28)); // across the year
    }

    #[test]
    fn a_schedule_is_stored_as_tagged_json_with_weekday_names() {
        let s = Schedule::weekdays(date(2026, 3, 2), [Weekday::Thursday, Weekday::Monday]);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"weekdays","from":"2026-03-02","days":["mon","thu"]}"#
        );
        assert_eq!(serde_json::from_str::<Schedule>(&json).unwrap(), s);

        let every = Schedule::EveryNDays {
            from: date(2026, 3, 2),
            n: 3,
        };
        let json = serde_json::to_string(&every).unwrap();
        assert_eq!(json, r#"{"kind":"every_n_days","from":"2026-03-02","n":3}"#);
        assert_eq!(serde_json::from_str::<Schedule>(&json).unwrap(), every);
        assert_eq!(
            serde_json::to_string(&Schedule::Standing).unwrap(),
            r#"{"kind":"standing"}"#
        );
    }

    #[test]
    fn stored_weekdays_are_sorted_on_reading_and_unknown_names_are_rejected() {
        let s: Schedule = serde_json::from_str(
            r#"{"kind":"weekdays","from":"2026-03-02","days":["sun","mon","sun"]}"#,
        )
        .unwrap();
        assert_eq!(
            s,
            Schedule::weekdays(date(2026, 3, 2), [Weekday::Monday, Weekday::Sunday])
        );
        assert!(
            serde_json::from_str::<Schedule>(
                r#"{"kind":"weekdays","from":"2026-03-02","days":["someday"]}"#
            )
            .is_err()
        );
    }

    // --- leap day ---

    #[test]
    fn every_n_days_crosses_the_leap_day_of_2028() {
        let s = Schedule::EveryNDays {
            from: date(2028, 2, 25),
            n: 2,
        };
        assert_eq!(
            s.due_dates(date(2028, 2, 24), date(2028, 3, 4)),
            vec![
                date(2028, 2, 25),
                date(2028, 2, 27),
                date(2028, 2, 29),
                date(2028, 3, 2),
                date(2028, 3, 4)
            ]
        );
        let s = Schedule::EveryNDays {
            from: date(2028, 2, 26),
            n: 3,
        };
        assert_eq!(
            s.due_dates(date(2028, 2, 27), date(2028, 3, 5)),
            vec![date(2028, 2, 29), date(2028, 3, 3)]
        );
    }

    #[test]
    fn a_daily_commitment_in_february_2028_includes_the_29th() {
        let s = Schedule::Daily {
            from: date(2028, 1, 1),
        };
        let due = s.due_dates(date(2028, 2, 1), date(2028, 2, 29));
        assert_eq!(due.len(), 29);
        assert!(due.contains(&date(2028, 2, 29)));
        assert_eq!(s.due_dates(date(2028, 2, 28), date(2028, 3, 1)).len(), 3);
    }

    #[test]
    fn a_one_off_on_the_leap_day_is_due_that_day() {
        let s = Schedule::OneOff {
            by: date(2028, 2, 29),
        };
        assert_eq!(
            s.due_dates(date(2028, 2, 1), date(2028, 3, 31)),
            vec![date(2028, 2, 29)]
        );
        assert_eq!(s.describe(), "by 29 February 2028");
        assert!(s.validate_new(date(2028, 2, 28)).is_ok());
        assert!(s.validate_new(date(2028, 3, 1)).is_err());
    }

    #[test]
    fn a_year_from_the_leap_day_is_the_28th_of_february() {
        let today = date(2028, 2, 29);
        assert!(
            Schedule::Daily {
                from: date(2029, 2, 28)
            }
            .validate_new(today)
            .is_ok()
        );
        assert!(
            Schedule::Daily {
                from: date(2029, 3, 1)
            }
            .validate_new(today)
            .is_err()
        );
    }

    // --- pauses ---

    #[test]
    fn a_pause_suspends_a_daily_commitment_for_its_days_only() {
        let s = Schedule::Daily {
            from: date(2026, 3, 1),
        };
        let pause = Pause {
            from: date(2026, 3, 10),
            until: Some(date(2026, 3, 15)),
        };
        let due = due_dates_outside_pauses(&s, date(2026, 3, 1), date(2026, 3, 31), &[pause]);
        assert_eq!(due.len(), 31 - 5);
        assert!(due.contains(&date(2026, 3, 9)));
        assert!(!due.contains(&date(2026, 3, 10)));
        assert!(!due.contains(&date(2026, 3, 14)));
        assert!(due.contains(&date(2026, 3, 15)));
    }

    #[test]
    fn an_open_pause_suspends_recurring_commitments_from_its_start_on() {
        let pause = Pause {
            from: date(2026, 3, 10),
            until: None,
        };
        for s in [
            Schedule::weekdays(date(2026, 3, 1), [Weekday::Monday, Weekday::Friday]),
            Schedule::EveryNDays {
                from: date(2026, 3, 1),
                n: 2,
            },
        ] {
            let due = due_dates_outside_pauses(&s, date(2026, 3, 1), date(2026, 12, 31), &[pause]);
            assert!(!due.is_empty());
            assert!(due.iter().all(|d| *d < date(2026, 3, 10)), "{s:?}: {due:?}");
        }
    }

    #[test]
    fn a_pause_does_not_touch_a_one_off_or_a_standing_commitment() {
        let pause = Pause {
            from: date(2026, 3, 1),
            until: None,
        };
        let one_off = Schedule::OneOff {
            by: date(2026, 3, 20),
        };
        assert_eq!(
            due_dates_outside_pauses(&one_off, date(2026, 3, 1), date(2026, 3, 31), &[pause]),
            vec![date(2026, 3, 20)]
        );
        assert!(
            due_dates_outside_pauses(
                &Schedule::Standing,
                date(2026, 3, 1),
                date(2026, 3, 31),
                &[pause]
            )
            .is_empty()
        );
    }

    #[test]
    fn several_pauses_each_suspend_their_own_days() {
        let s = Schedule::Daily {
            from: date(2026, 1, 1),
        };
        let pauses = [
            Pause {
                from: date(2026, 1, 2),
                until: Some(date(2026, 1, 3)),
            },
            Pause {
                from: date(2026, 1, 5),
                until: Some(date(2026, 1, 7)),
            },
        ];
        assert_eq!(
            due_dates_outside_pauses(&s, date(2026, 1, 1), date(2026, 1, 8), &pauses),
            vec![
                date(2026, 1, 1),
                date(2026, 1, 3),
                date(2026, 1, 4),
                date(2026, 1, 7),
                date(2026, 1, 8)
            ]
        );
    }

    // --- time zones and daylight saving ---

    /// (zone, spring-forward day, fall-back day) in 2026.
    const DST_2026: [(&str, Date, Date); 2] = [
        ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
        ("Europe/Berlin", date(2026, 3, 29), date(2026, 10, 25)),
    ];

    #[test]
    fn the_spring_forward_day_lasts_23_hours_and_the_fall_back_day_25() {
        for (name, spring, fall) in DST_2026 {
            let zone = tz(name);
            assert_eq!(
                day_end(spring, &zone).duration_since(day_start(spring, &zone)),
                hours(23),
                "{name}"
            );
            assert_eq!(
                day_end(fall, &zone).duration_since(day_start(fall, &zone)),
                hours(25),
                "{name}"
            );
            let ordinary = date(2026, 6, 15);
            assert_eq!(
                day_end(ordinary, &zone).duration_since(day_start(ordinary, &zone)),
                hours(24)
            );
        }
    }

    #[test]
    fn new_york_days_start_at_local_midnight_on_either_side_of_the_change() {
        let ny = tz("America/New_York");
        // Before spring forward the offset is -05:00, after it -04:00.
        assert_eq!(
            day_start(date(2026, 3, 8), &ny),
            "2026-03-08T05:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            day_end(date(2026, 3, 8), &ny),
            "2026-03-09T04:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            day_start(date(2026, 11, 1), &ny),
            "2026-11-01T04:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            day_end(date(2026, 11, 1), &ny),
            "2026-11-02T05:00:00Z".parse::<Timestamp>().unwrap()
        );
    }

    #[test]
    fn today_turns_over_exactly_at_local_midnight_across_the_changes() {
        for (name, spring, fall) in DST_2026 {
            let zone = tz(name);
            for day in [spring, fall] {
                for boundary_of in [day, day.tomorrow().unwrap()] {
                    let midnight = day_start(boundary_of, &zone);
                    assert_eq!(
                        today(midnight - NANO, &zone),
                        boundary_of.yesterday().unwrap()
                    );
                    assert_eq!(today(midnight, &zone), boundary_of);
                    assert_eq!(today(midnight + hours(1) - NANO, &zone), boundary_of);
                }
                let end = day_end(day, &zone);
                assert!(!has_day_ended(day, end - NANO, &zone), "{name} {day}");
                assert!(has_day_ended(day, end, &zone), "{name} {day}");
            }
        }
    }

    #[test]
    fn just_after_midnight_in_new_york_is_already_the_next_day_after_spring_forward() {
        // 00:30 EDT on 9 March is 04:30Z; a fixed -05:00 offset would still
        // call it 8 March.
        let ny = tz("America/New_York");
        let now: Timestamp = "2026-03-09T04:30:00Z".parse().unwrap();
        assert_eq!(today(now, &ny), date(2026, 3, 9));
        assert!(has_day_ended(date(2026, 3, 8), now, &ny));
    }

    #[test]
    fn a_daily_commitment_has_exactly_one_occurrence_per_local_day_across_the_changes() {
        let s = Schedule::Daily {
            from: date(2026, 1, 1),
        };
        for (name, spring, fall) in DST_2026 {
            let zone = tz(name);
            for change in [spring, fall] {
                let (lo, hi) = (days(change, -2), days(change, 2));
                let due = s.due_dates(lo, hi);
                assert_eq!(due.len(), 5);
                // Walk the timeline in 15-minute steps: every instant lies in
                // exactly one occurrence's day, with no gap and no overlap.
                let mut t = day_start(lo, &zone);
                let stop = day_end(hi, &zone);
                let mut seen = Vec::new();
                while t < stop {
                    let holding: Vec<&Date> = due
                        .iter()
                        .filter(|d| day_start(**d, &zone) <= t && t < day_end(**d, &zone))
                        .collect();
                    assert_eq!(holding.len(), 1, "{name} at {t}");
                    assert_eq!(*holding[0], today(t, &zone));
                    if seen.last() != Some(holding[0]) {
                        seen.push(*holding[0]);
                    }
                    t += SignedDuration::from_mins(15);
                }
                assert_eq!(seen, due, "{name}");
            }
        }
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_at_the_first_moment_that_exists() {
        // Brazil moved its clocks forward at midnight, so 4 November 2018 began at 01:00.
        let sp = tz("America/Sao_Paulo");
        let d = date(2018, 11, 4);
        assert_eq!(
            day_start(d, &sp),
            "2018-11-04T03:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(today(day_start(d, &sp), &sp), d);
        assert_eq!(today(day_start(d, &sp) - NANO, &sp), date(2018, 11, 3));
        assert_eq!(day_end(d, &sp).duration_since(day_start(d, &sp)), hours(23));
    }

    // --- properties ---

    fn any_date() -> impl Strategy<Value = Date> {
        (-40_000i64..40_000).prop_map(|off| days(date(2026, 1, 1), off))
    }

    fn any_weekday() -> impl Strategy<Value = Weekday> {
        (0i8..7).prop_map(|i| Weekday::from_monday_zero_offset(i).unwrap())
    }

    fn any_schedule() -> impl Strategy<Value = Schedule> {
        prop_oneof![
            Just(Schedule::Standing),
            any_date().prop_map(|from| Schedule::Daily { from }),
            (any_date(), proptest::collection::vec(any_weekday(), 0..9))
                .prop_map(|(from, days)| Schedule::weekdays(from, days)),
            (any_date(), 0u16..=400).prop_map(|(from, n)| Schedule::EveryNDays { from, n }),
            any_date().prop_map(|by| Schedule::OneOff { by }),
        ]
    }

    fn any_range() -> impl Strategy<Value = (Date, Date)> {
        (any_date(), -5i64..1_500).prop_map(|(from, len)| (from, days(from, len)))
    }

    fn any_pause() -> impl Strategy<Value = Pause> {
        (any_date(), proptest::option::of(0i64..400)).prop_map(|(from, len)| Pause {
            from,
            until: len.map(|l| days(from, l)),
        })
    }

    proptest! {
        #[test]
        fn due_dates_are_sorted_unique_in_range_and_each_is_due(
            s in any_schedule(),
            (from, to) in any_range(),
        ) {
            let due = s.due_dates(from, to);
            prop_assert!(due.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(due.iter().all(|d| from <= *d && *d <= to));
            prop_assert!(due.iter().all(|d| s.is_due_on(*d)));
        }

        #[test]
        fn due_dates_miss_no_day_that_is_due(
            s in any_schedule(),
            from in any_date(),
            len in 0i64..120,
        ) {
            let to = days(from, len);
            let by_day: Vec<Date> = from
                .series(Span::new().days(1))
                .take_while(|d| *d <= to)
                .filter(|d| s.is_due_on(*d))
                .collect();
            prop_assert_eq!(s.due_dates(from, to), by_day);
        }

        #[test]
        fn pauses_only_remove_recurring_dates_and_only_those_they_cover(
            s in any_schedule(),
            (from, to) in any_range(),
            pauses in proptest::collection::vec(any_pause(), 0..4),
        ) {
            let all = s.due_dates(from, to);
            let kept = due_dates_outside_pauses(&s, from, to, &pauses);
            if s.is_recurring() {
                let expected: Vec<Date> = all
                    .into_iter()
                    .filter(|d| !pauses.iter().any(|p| p.covers(*d)))
                    .collect();
                prop_assert_eq!(kept, expected);
            } else {
                prop_assert_eq!(kept, all);
            }
        }

        #[test]
        fn every_instant_belongs_to_the_day_that_today_names(
            secs in 1_500_000_000i64..2_200_000_000,
            zone in prop_oneof![Just("America/New_York"), Just("Europe/Berlin")],
        ) {
            let zone = tz(zone);
            let now = Timestamp::from_second(secs).unwrap();
            let d = today(now, &zone);
            prop_assert!(day_start(d, &zone) <= now && now < day_end(d, &zone));
            prop_assert!(!has_day_ended(d, now, &zone));
            prop_assert!(has_day_ended(d.yesterday().unwrap(), now, &zone));
            let length = day_end(d, &zone).duration_since(day_start(d, &zone));
            prop_assert!([hours(23), hours(24), hours(25)].contains(&length));
        }

        #[test]
        fn a_week_starts_on_a_monday_no_more_than_six_days_earlier(d in any_date()) {
            let monday = week_start(d);
            prop_assert_eq!(monday.weekday(), Weekday::Monday);
            prop_assert!(monday <= d && days(monday, 6) >= d);
        }
    }
}
