//! When check-ins fall due. The pair agrees a rhythm (every week on a day,
//! every two weeks on a day, every month on a date); its occurrences are
//! computed, never stored. A check-in held on a day counts for the occurrence
//! nearest to that day (so one held a day early or a few days late still
//! counts); occurrences before today that no check-in counted for are missed,
//! and are shown as such.

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

use crate::commitments::schedule::{long_date, weekday_form_value};

/// How often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Week(Weekday),
    TwoWeeks(Weekday),
    /// Day 1–31 of each month; in shorter months, the month's last day.
    Month(i8),
}

impl Every {
    /// From the stored columns.
    pub fn from_parts(every: &str, weekday: Option<&str>, day: Option<i64>) -> Option<Every> {
        let wd = || weekday.and_then(crate::commitments::schedule::parse_weekday);
        match every {
            "week" => wd().map(Every::Week),
            "two_weeks" => wd().map(Every::TwoWeeks),
            "month" => day
                .filter(|d| (1..=31).contains(d))
                .and_then(|d| i8::try_from(d).ok())
                .map(Every::Month),
            _ => None,
        }
    }

    /// (every, weekday, day_of_month) for storing.
    pub fn parts(self) -> (&'static str, Option<&'static str>, Option<i64>) {
        match self {
            Every::Week(d) => ("week", Some(weekday_form_value(d)), None),
            Every::TwoWeeks(d) => ("two_weeks", Some(weekday_form_value(d)), None),
            Every::Month(n) => ("month", None, Some(i64::from(n))),
        }
    }

    /// "every week on Sunday", "every month on the 31st (or the month's last day)".
    pub fn describe(self) -> String {
        match self {
            Every::Week(d) => format!("every week on {}", weekday_name(d)),
            Every::TwoWeeks(d) => format!("every two weeks on {}", weekday_name(d)),
            Every::Month(n) if n > 28 => {
                format!(
                    "every month on the {} (or the month's last day)",
                    ordinal(n)
                )
            }
            Every::Month(n) => format!("every month on the {}", ordinal(n)),
        }
    }
}

/// An agreed rhythm: how often, from which day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rhythm {
    pub every: Every,
    pub starts_on: Date,
}

/// Where the pair stands with its check-ins on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The next check-in: today or later.
    pub next: Date,
    /// Occurrences before today that no check-in counted for.
    pub missed: u32,
    /// The earliest and latest of those.
    pub first_missed: Option<Date>,
    pub last_missed: Option<Date>,
}

/// Iterations are capped so a malformed rhythm can never loop for long
/// (ten years of weekly check-ins is ~520).
const MAX_STEPS: u32 = 5000;

impl Rhythm {
    /// The first occurrence of the rhythm.
    pub fn first(&self) -> Date {
        self.on_or_after(self.starts_on)
    }

    /// The first occurrence on or after `d` (never before the rhythm starts).
    pub fn on_or_after(&self, d: Date) -> Date {
        let d = d.max(self.starts_on);
        match self.every {
            Every::Week(wd) => weekday_on_or_after(d, wd),
            Every::TwoWeeks(wd) => {
                let anchor = weekday_on_or_after(self.starts_on, wd);
                if d <= anchor {
                    return anchor;
                }
                let days = (d - anchor).get_days();
                let steps = (days + 13) / 14;
                anchor.checked_add((steps * 14).days()).unwrap_or(Date::MAX)
            }
            Every::Month(n) => {
                let here = in_month(d.year(), d.month(), n);
                if here >= d {
                    here
                } else {
                    let next = d
                        .first_of_month()
                        .checked_add(1.month())
                        .unwrap_or(Date::MAX);
                    in_month(next.year(), next.month(), n)
                }
            }
        }
    }

    /// The occurrence after `occurrence`.
    pub fn after(&self, occurrence: Date) -> Date {
        occurrence
            .tomorrow()
            .map(|d| self.on_or_after(d))
            .unwrap_or(Date::MAX)
    }

    /// The last occurrence on or before `d`, if the rhythm had started.
    pub fn on_or_before(&self, d: Date) -> Option<Date> {
        let first = self.first();
        if d < first {
            return None;
        }
        let candidate = match self.every {
            Every::Week(wd) => d
                .checked_sub(6.days())
                .ok()
                .map(|from| weekday_on_or_after(from, wd)),
            Every::TwoWeeks(_) => {
                let days = (d - first).get_days();
                first.checked_add(((days / 14) * 14).days()).ok()
            }
            Every::Month(n) => {
                let here = in_month(d.year(), d.month(), n);
                if here <= d {
                    Some(here)
                } else {
                    let prev = d.first_of_month().checked_sub(1.month()).ok()?;
                    Some(in_month(prev.year(), prev.month(), n))
                }
            }
        };
        candidate.map(|c| c.max(first))
    }

    /// The occurrence a check-in held on `held` counts for: the nearest one
    /// (the earlier on a tie). A check-in before the rhythm started counts
    /// for none.
    pub fn counted_for(&self, held: Date) -> Option<Date> {
        if held < self.starts_on {
            return None;
        }
        let next = self.on_or_after(held);
        let Some(prev) = self.on_or_before(held) else {
            return Some(next);
        };
        let to_prev = (held - prev).get_days();
        let to_next = (next - held).get_days();
        Some(if to_prev <= to_next { prev } else { next })
    }

    /// The status on `today`, given the day of the latest check-in held.
    pub fn status(&self, today: Date, latest_held: Option<Date>) -> Status {
        let pending_from = match latest_held.and_then(|h| self.counted_for(h)) {
            Some(counted) => self.after(counted),
            None => self.first(),
        };
        let mut missed = 0;
        let mut first_missed = None;
        let mut last_missed = None;
        let mut d = pending_from;
        let mut steps = 0;
        while d < today && steps < MAX_STEPS {
            missed += 1;
            first_missed.get_or_insert(d);
            last_missed = Some(d);
            d = self.after(d);
            steps += 1;
        }
        Status {
            next: self.on_or_after(today.max(pending_from)),
            missed,
            first_missed,
            last_missed,
        }
    }
}

fn weekday_on_or_after(d: Date, wd: Weekday) -> Date {
    if d.weekday() == wd {
        d
    } else {
        d.nth_weekday(1, wd).unwrap_or(Date::MAX)
    }
}

/// Day `n` of a month, or the month's last day when it is shorter.
fn in_month(year: i16, month: i8, n: i8) -> Date {
    let first = Date::new(year, month, 1).unwrap_or(Date::MAX);
    let day = n.min(first.days_in_month());
    Date::new(year, month, day).unwrap_or(Date::MAX)
}

pub fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

fn ordinal(n: i8) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// "Sunday 3 May 2026".
pub fn day_with_weekday(d: Date) -> String {
    format!("{} {}", weekday_name(d.weekday()), long_date(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn weekly_sunday() -> Rhythm {
        // Wednesday 29 April 2026; the first Sunday is 3 May.
        Rhythm {
            every: Every::Week(Weekday::Sunday),
            starts_on: date(2026, 4, 29),
        }
    }

    #[test]
    fn weekly_falls_on_the_chosen_day() {
        let r = weekly_sunday();
        assert_eq!(r.first(), date(2026, 5, 3));
        assert_eq!(r.after(date(2026, 5, 3)), date(2026, 5, 10));
        assert_eq!(r.on_or_before(date(2026, 5, 9)), Some(date(2026, 5, 3)));
        assert_eq!(r.on_or_before(date(2026, 5, 2)), None);
    }

    #[test]
    fn before_any_check_in_the_first_is_next() {
        let s = weekly_sunday().status(date(2026, 4, 30), None);
        assert_eq!(s.next, date(2026, 5, 3));
        assert_eq!(s.missed, 0);
        // On the day itself it is due today, not missed.
        let s = weekly_sunday().status(date(2026, 5, 3), None);
        assert_eq!((s.next, s.missed), (date(2026, 5, 3), 0));
    }

    #[test]
    fn a_check_in_a_day_early_or_late_counts_for_that_week() {
        let r = weekly_sunday();
        let early = r.status(date(2026, 5, 4), Some(date(2026, 5, 2)));
        assert_eq!((early.next, early.missed), (date(2026, 5, 10), 0));
        let late = r.status(date(2026, 5, 6), Some(date(2026, 5, 5)));
        assert_eq!((late.next, late.missed), (date(2026, 5, 10), 0));
    }

    #[test]
    fn missed_check_ins_are_counted_not_hidden() {
        let r = weekly_sunday();
        // Held on 3 May, then nothing until Wednesday 20 May.
        let s = r.status(date(2026, 5, 20), Some(date(2026, 5, 3)));
        assert_eq!(s.missed, 2);
        assert_eq!(s.first_missed, Some(date(2026, 5, 10)));
        assert_eq!(s.last_missed, Some(date(2026, 5, 17)));
        assert_eq!(s.next, date(2026, 5, 24));
        // Never held at all.
        let s = r.status(date(2026, 5, 20), None);
        assert_eq!(s.missed, 3);
    }

    #[test]
    fn every_two_weeks_keeps_its_anchor() {
        let r = Rhythm {
            every: Every::TwoWeeks(Weekday::Sunday),
            starts_on: date(2026, 4, 29),
        };
        assert_eq!(r.first(), date(2026, 5, 3));
        assert_eq!(r.after(date(2026, 5, 3)), date(2026, 5, 17));
        assert_eq!(r.on_or_after(date(2026, 5, 4)), date(2026, 5, 17));
        assert_eq!(r.on_or_before(date(2026, 5, 16)), Some(date(2026, 5, 3)));
        let s = r.status(date(2026, 5, 18), Some(date(2026, 5, 3)));
        assert_eq!((s.next, s.missed), (date(2026, 5, 31), 1));
    }

    #[test]
    fn monthly_on_the_31st_uses_the_last_day_of_shorter_months() {
        let r = Rhythm {
            every: Every::Month(31),
            starts_on: date(2026, 1, 15),
        };
        assert_eq!(r.first(), date(2026, 1, 31));
        assert_eq!(r.after(date(2026, 1, 31)), date(2026, 2, 28));
        assert_eq!(r.after(date(2026, 2, 28)), date(2026, 3, 31));
        assert_eq!(r.on_or_before(date(2026, 3, 30)), Some(date(2026, 2, 28)));
        assert_eq!(
            Every::Month(31).describe(),
            "every month on the 31st (or the month's last day)"
        );
        assert_eq!(Every::Month(2).describe(), "every month on the 2nd");
        assert_eq!(Every::Month(12).describe(), "every month on the 12th");
    }

    #[test]
    fn ten_years_without_a_check_in_is_counted_quickly() {
        let r = weekly_sunday();
        let s = r.status(date(2036, 5, 1), None);
        assert!(s.missed > 500 && s.missed < 530, "{}", s.missed);
    }

    #[test]
    fn stored_parts_round_trip() {
        for every in [
            Every::Week(Weekday::Monday),
            Every::TwoWeeks(Weekday::Sunday),
            Every::Month(15),
        ] {
            let (e, w, d) = every.parts();
            assert_eq!(Every::from_parts(e, w, d), Some(every));
        }
        assert_eq!(Every::from_parts("month", None, Some(0)), None);
        assert_eq!(Every::from_parts("week", Some("xyz"), None), None);
    }
}
