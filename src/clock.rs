//! Time, from one place. Features ask the [`Clock`] in the app state instead
//! of calling `now()` themselves, so tests can move time. Moving a running
//! server's clock is only possible in builds with the `test-clock` feature,
//! which release builds never enable.
//!
//! There is one other kind of clock: a *manual* one ([`Clock::manual`]),
//! which shows whatever time it was last [`set`](Clock::set) to. Only
//! `amends demo` makes one, to write a made-up past history into an empty
//! data directory before any server runs on it; `serve` never constructs
//! it, and no HTTP route can reach it.

use jiff::Timestamp;

/// The server's source of "now".
#[derive(Debug, Default)]
pub struct Clock {
    /// How far the test clock has been moved, in microseconds.
    #[cfg(feature = "test-clock")]
    offset_micros: std::sync::atomic::AtomicI64,
    /// Set only on a manual clock: the time it shows, in microseconds.
    manual_micros: Option<std::sync::atomic::AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// A clock that shows `start` until it is [`set`](Clock::set) to another
    /// time. Used only by `amends demo`, to build a past history in an empty
    /// data directory; never by `serve`.
    pub fn manual(start: Timestamp) -> Self {
        Clock {
            #[cfg(feature = "test-clock")]
            offset_micros: std::sync::atomic::AtomicI64::new(0),
            manual_micros: Some(std::sync::atomic::AtomicI64::new(start.as_microsecond())),
        }
    }

    /// Sets a manual clock to `to`. Does nothing on the system clock (the
    /// only clock a server runs with), so it can never move a server's time.
    pub fn set(&self, to: Timestamp) {
        if let Some(manual) = &self.manual_micros {
            manual.store(to.as_microsecond(), std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Whether this is a manual clock (see [`Clock::manual`]).
    pub fn is_manual(&self) -> bool {
        self.manual_micros.is_some()
    }

    /// The current time (moved by the test offset in test builds).
    pub fn now(&self) -> Timestamp {
        if let Some(manual) = &self.manual_micros {
            let micros = manual.load(std::sync::atomic::Ordering::SeqCst);
            return Timestamp::from_microsecond(micros).unwrap_or(Timestamp::UNIX_EPOCH);
        }
        let now = Timestamp::now();
        #[cfg(feature = "test-clock")]
        {
            let offset = self.offset_micros.load(std::sync::atomic::Ordering::SeqCst);
            if let Ok(moved) = now.checked_add(jiff::SignedDuration::from_micros(offset)) {
                return moved;
            }
        }
        now
    }

    /// Moves the clock forward (or back, with a negative amount).
    #[cfg(feature = "test-clock")]
    pub fn advance(&self, by: jiff::SignedDuration) {
        let micros = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        self.offset_micros
            .fetch_add(micros, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Formats a time the way the database and the record store it: UTC with
/// microseconds and a fixed width, so that text order is time order.
pub fn format(ts: Timestamp) -> String {
    // Round down to whole microseconds so parsing back gives the same value.
    let micros = ts.as_microsecond();
    let ts = Timestamp::from_microsecond(micros).unwrap_or(ts);
    ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Parses a stored time; `None` if it is not one of ours.
pub fn parse(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

/// `POST /_test/clock` with `advance_seconds=N` moves the server's clock;
/// `GET /_test/error` answers a 500.
/// Compiled only into test builds, so a release server has no such route.
#[cfg(feature = "test-clock")]
pub fn test_routes() -> Vec<crate::app::Route> {
    use axum::extract::State;

    #[derive(serde::Deserialize)]
    struct Advance {
        advance_seconds: i64,
    }

    async fn advance(
        State(state): State<crate::app::AppState>,
        crate::web::Form(form): crate::web::Form<Advance>,
    ) -> String {
        state
            .clock
            .advance(jiff::SignedDuration::from_secs(form.advance_seconds));
        format(state.clock.now())
    }

    /// Fails on purpose, so tests can see what a 500 looks like.
    async fn fail() -> crate::error::Result<()> {
        Err(crate::error::AppError::internal(
            "a failure asked for by a test",
        ))
    }

    vec![
        crate::app::Route::public_action("/_test/clock", advance),
        crate::app::Route::public_page("/_test/error", fail),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_have_a_fixed_width_and_round_trip() {
        let ts: Timestamp = "2026-03-01T09:05:07.5Z".parse().unwrap();
        let text = format(ts);
        assert_eq!(text, "2026-03-01T09:05:07.500000Z");
        assert_eq!(parse(&text), Some(ts));
        let whole: Timestamp = "2026-03-01T09:05:07Z".parse().unwrap();
        assert_eq!(format(whole).len(), 27);
    }

    #[test]
    fn a_manual_clock_shows_what_it_was_set_to_and_the_system_clock_ignores_set() {
        let start: Timestamp = "2020-01-01T08:00:00Z".parse().unwrap();
        let manual = Clock::manual(start);
        assert!(manual.is_manual());
        assert_eq!(manual.now(), start);
        let later: Timestamp = "2021-06-30T20:15:00.25Z".parse().unwrap();
        manual.set(later);
        assert_eq!(manual.now(), later);

        let system = Clock::new();
        assert!(!system.is_manual());
        system.set(start);
        assert!(system.now() > later, "the system clock cannot be set");
    }
}
