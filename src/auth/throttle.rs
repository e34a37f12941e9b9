//! Slowing down guesses at sign-in and at "forgot password", never locking
//! anyone out.
//!
//! Each attempt is counted, before the password is checked, against the name
//! tried and the client's address (or, for a browser that has signed in to
//! that account before, against that browser alone). The first five are
//! free; after that each attempt must wait a little longer after the one
//! before (10 s, 20 s, 40 s, then 60 s at most), so at most about 70 attempts
//! an hour can reach an account, and a patient person always gets through.
//! A success clears the counters it was checked against; a quiet hour
//! forgets them.
//!
//! A known browser keeps a long-lived random token in a cookie (only its hash
//! is stored). It is counted only by its own failures, so one person guessing
//! the other's password cannot slow the other's own browser down.
//!
//! Every failure is one log line in a stable format for fail2ban:
//! `sign-in failed: address=ADDR via=password|recovery-code name="…"`.

use jiff::{SignedDuration, Timestamp};
use sqlx::{SqliteConnection, SqlitePool};

use super::session::{self, Device, hash_token, new_token};
use crate::app::{AppState, Settings};
use crate::clock;
use crate::error::{AppError, ErrorMessage, Result};
use crate::web::cookies;

/// Attempts allowed before any wait.
pub const FREE_ATTEMPTS: i64 = 5;
/// The first wait; each further attempt doubles it, up to [`MAX_WAIT`].
const FIRST_WAIT: SignedDuration = SignedDuration::from_secs(10);
/// The longest wait between two attempts: never a lockout.
pub const MAX_WAIT: SignedDuration = SignedDuration::from_secs(60);
/// A counter with no attempt for this long starts again from zero.
const FORGET_AFTER: SignedDuration = SignedDuration::from_hours(1);
/// How long a known-browser cookie lasts (browsers cap cookies at 400 days).
const DEVICE_COOKIE_SECS: i64 = 400 * 24 * 3600;
/// Sign-in log rows are kept this long.
const LOG_KEPT: SignedDuration = SignedDuration::from_hours(24 * 90);

/// What an attempt is counted against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    scope: &'static str,
    key: String,
}

impl Key {
    /// The name tried, whether or not an account has it (so a wait never
    /// tells whether a name exists).
    pub fn account(name: &str) -> Self {
        Key {
            scope: "account",
            key: name.trim().to_lowercase().chars().take(60).collect(),
        }
    }

    pub fn address(address: &str) -> Self {
        Key {
            scope: "address",
            key: address.to_string(),
        }
    }

    pub fn device(token_hash: &str) -> Self {
        Key {
            scope: "device",
            key: token_hash.to_string(),
        }
    }
}

/// How long to wait after the last of `attempts` counted attempts.
pub fn wait_after(attempts: i64) -> SignedDuration {
    if attempts < FREE_ATTEMPTS {
        return SignedDuration::ZERO;
    }
    let doublings = u32::try_from(attempts - FREE_ATTEMPTS)
        .unwrap_or(u32::MAX)
        .min(8);
    let wait = FIRST_WAIT.checked_mul(1 << doublings).unwrap_or(MAX_WAIT);
    wait.min(MAX_WAIT)
}

#[derive(sqlx::FromRow)]
struct Counter {
    failures: i64,
    last_failure_at: String,
}

/// Counts an attempt against every key, unless one of them must still wait:
/// then nothing is counted and the seconds to wait are returned. Runs in its
/// own write transaction, so simultaneous attempts are counted one by one.
pub async fn begin_attempt(state: &AppState, keys: &[Key]) -> Result<Result<(), u64>> {
    let now = state.clock.now();
    let forget_before = clock::format(now.checked_sub(FORGET_AFTER).unwrap_or(now));
    let mut tx = state.db.begin_write().await?;
    let mut wait_secs = 0u64;
    for key in keys {
        let counter: Option<Counter> = sqlx::query_as(
            "SELECT failures, last_failure_at FROM signin_throttle WHERE scope = ? AND key = ?",
        )
        .bind(key.scope)
        .bind(&key.key)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(counter) = counter else { continue };
        if counter.last_failure_at < forget_before {
            continue;
        }
        let last = clock::parse(&counter.last_failure_at).unwrap_or(now);
        let until = last
            .checked_add(wait_after(counter.failures))
            .unwrap_or(last);
        if until > now {
            let remaining = until.duration_since(now).as_secs_f64().ceil();
            // `remaining` is at most MAX_WAIT, so this fits.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let remaining = remaining.max(1.0) as u64;
            wait_secs = wait_secs.max(remaining);
        }
    }
    if wait_secs > 0 {
        tx.rollback().await?;
        return Ok(Err(wait_secs));
    }
    let at = clock::format(now);
    for key in keys {
        sqlx::query(
            "INSERT INTO signin_throttle (scope, key, failures, last_failure_at) VALUES (?, ?, 1, ?)
             ON CONFLICT (scope, key) DO UPDATE SET
               failures = CASE WHEN last_failure_at < ? THEN 1 ELSE failures + 1 END,
               last_failure_at = excluded.last_failure_at",
        )
        .bind(key.scope)
        .bind(&key.key)
        .bind(&at)
        .bind(&forget_before)
        .execute(&mut *tx)
        .await?;
    }
    // Forget quiet counters, so the table stays small.
    sqlx::query("DELETE FROM signin_throttle WHERE last_failure_at < ?")
        .bind(&forget_before)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Clears the counters an attempt that succeeded was checked against.
pub async fn clear(tx: &mut SqliteConnection, keys: &[Key]) -> Result<()> {
    for key in keys {
        sqlx::query("DELETE FROM signin_throttle WHERE scope = ? AND key = ?")
            .bind(key.scope)
            .bind(&key.key)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// The 429 answer, with `Retry-After` and a calm explanation.
pub fn slowed_down(retry_after_secs: u64) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = AppError::TooManyRequests { retry_after_secs }.into_response();
    response.extensions_mut().insert(ErrorMessage(format!(
        "There were several unsuccessful attempts, so the next one has to wait about {retry_after_secs} seconds. \
         Nobody is locked out: please wait, then go back and try again. A browser you have signed in with \
         before is not slowed down by other people's attempts."
    )));
    response
}

/// The known-browser cookie's name; `__Host-` (which requires Secure) behind https.
pub fn device_cookie_name(settings: &Settings) -> &'static str {
    if settings.secure_cookies() {
        "__Host-amends_device"
    } else {
        "amends_device"
    }
}

/// The hash of this browser's known-browser token, if it sent a well-formed one.
pub fn device_hash(settings: &Settings, headers: &axum::http::HeaderMap) -> Option<String> {
    let token = cookies::get(headers, device_cookie_name(settings))?;
    (token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hash_token(token))
}

/// Whether this browser has signed in to this account before.
pub async fn is_known(pool: &SqlitePool, device_hash: &str, person_id: i64) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT person_id FROM known_devices WHERE token_hash = ? AND person_id = ?",
    )
    .bind(device_hash)
    .bind(person_id)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// Remembers this browser for this account after a successful sign-in.
/// Returns a `Set-Cookie` value when the browser needs a (new) token.
pub async fn remember_device(
    tx: &mut SqliteConnection,
    settings: &Settings,
    headers: &axum::http::HeaderMap,
    person_id: i64,
    now: Timestamp,
) -> Result<Option<String>> {
    let at = clock::format(now);
    let (hash, cookie) = match device_hash(settings, headers) {
        Some(hash) => (hash, None),
        None => {
            let token = new_token();
            let cookie = cookies::set(
                device_cookie_name(settings),
                &token,
                Some(DEVICE_COOKIE_SECS),
                &session::cookie_options(settings),
            );
            (hash_token(&token), Some(cookie))
        }
    };
    sqlx::query(
        "INSERT INTO known_devices (token_hash, person_id, created_at, last_used_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (token_hash, person_id) DO UPDATE SET last_used_at = excluded.last_used_at",
    )
    .bind(&hash)
    .bind(person_id)
    .bind(&at)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    Ok(cookie)
}

/// What happened at one attempt, for the sign-in log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    SignedIn,
    WrongPassword,
    WrongRecoveryCode,
    SlowedDown,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::SignedIn => "signed_in",
            Outcome::WrongPassword => "wrong_password",
            Outcome::WrongRecoveryCode => "wrong_recovery_code",
            Outcome::SlowedDown => "slowed_down",
        }
    }
}

/// Writes one row of the sign-in log (and the fail2ban line for a failure).
pub async fn log_attempt(
    state: &AppState,
    person_id: Option<i64>,
    name_tried: &str,
    device: &Device,
    outcome: Outcome,
) -> Result<()> {
    let name: String = name_tried.chars().take(60).collect();
    let address = if device.address.is_empty() {
        "unknown"
    } else {
        device.address.as_str()
    };
    match outcome {
        Outcome::WrongPassword => {
            tracing::warn!("sign-in failed: address={address} via=password name={name:?}");
        }
        Outcome::WrongRecoveryCode => {
            tracing::warn!("sign-in failed: address={address} via=recovery-code name={name:?}");
        }
        Outcome::SlowedDown => {
            tracing::warn!("sign-in slowed down: address={address} name={name:?}");
        }
        Outcome::SignedIn => {}
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    insert_log(&mut tx, now, person_id, &name, device, outcome).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes a log row inside the caller's transaction (for a success).
pub async fn insert_log(
    tx: &mut SqliteConnection,
    now: Timestamp,
    person_id: Option<i64>,
    name_tried: &str,
    device: &Device,
    outcome: Outcome,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO signin_log (at, person_id, name_tried, address, user_agent, outcome)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(clock::format(now))
    .bind(person_id)
    .bind(name_tried)
    .bind(&device.address)
    .bind(&device.user_agent)
    .bind(outcome.as_str())
    .execute(&mut *tx)
    .await?;
    let cutoff = clock::format(now.checked_sub(LOG_KEPT).unwrap_or(now));
    sqlx::query("DELETE FROM signin_log WHERE at < ?")
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_and_is_capped() {
        assert_eq!(wait_after(4), SignedDuration::ZERO);
        assert_eq!(wait_after(5), SignedDuration::from_secs(10));
        assert_eq!(wait_after(6), SignedDuration::from_secs(20));
        assert_eq!(wait_after(7), SignedDuration::from_secs(40));
        assert_eq!(wait_after(8), MAX_WAIT);
        assert_eq!(wait_after(10_000), MAX_WAIT);
    }

    #[test]
    fn at_most_about_seventy_attempts_an_hour_reach_an_account() {
        // An attacker who tries again the moment each wait ends.
        let mut elapsed = SignedDuration::ZERO;
        let mut attempts = 0;
        while elapsed < SignedDuration::from_hours(1) {
            attempts += 1;
            elapsed += wait_after(attempts);
        }
        assert!(attempts <= 100, "{attempts} attempts in an hour");
        assert!(
            attempts >= 50,
            "never a lockout: {attempts} attempts in an hour"
        );
    }
}
