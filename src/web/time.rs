//! Showing stored UTC times and dates to people, in the pair's time zone.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// "21 Nov 2026, 09:05" in the given zone; the stored text if unparsable.
pub fn date_time(stored: &str, tz: &TimeZone) -> String {
    match crate::clock::parse(stored) {
        Some(ts) => ts
            .to_zoned(tz.clone())
            .strftime("%-d %b %Y, %H:%M")
            .to_string(),
        None => stored.to_string(),
    }
}

/// "21 Nov 2026" for a stored time, in the given zone.
pub fn date_of(stored: &str, tz: &TimeZone) -> String {
    match crate::clock::parse(stored) {
        Some(ts) => ts.to_zoned(tz.clone()).strftime("%-d %b %Y").to_string(),
        None => stored.to_string(),
    }
}

/// "21 November 2026" for a calendar date.
pub fn long_date(date: Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

/// Today's date in the zone.
pub fn today(now: Timestamp, tz: &TimeZone) -> Date {
    now.to_zoned(tz.clone()).date()
}

/// The pair's zone by name, UTC if the name is unknown.
pub fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}
