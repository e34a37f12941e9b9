//! Server-side sessions in our own table — a small layer of our own rather
//! than tower-sessions, whose published SQL stores are built on sqlx 0.8.
//! The cookie holds a random token; the table holds only its SHA-256.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;

use super::CurrentPerson;
use crate::app::{AppState, Settings};
use crate::clock;
use crate::error::Result;
use crate::web::cookies::{self, CookieOptions};

/// "Keep me signed in on this device": rolling, renewed by use.
pub const PERSISTENT_IDLE: SignedDuration = SignedDuration::from_hours(24 * 30);
/// Otherwise a session ends after this long without use.
pub const SHORT_IDLE: SignedDuration = SignedDuration::from_hours(12);
/// "Last seen" is written at most this often, not on every page view.
const TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);

/// The cookie's name; `__Host-` (which requires Secure) behind https.
pub fn cookie_name(settings: &Settings) -> &'static str {
    if settings.secure_cookies() {
        "__Host-amends_session"
    } else {
        "amends_session"
    }
}

fn cookie_options(settings: &Settings) -> CookieOptions {
    CookieOptions {
        secure: settings.secure_cookies(),
    }
}

/// A new random token: 256 bits, hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What is stored for a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Details recorded with a session, shown in settings.
#[derive(Debug, Clone, Default)]
pub struct Device {
    pub user_agent: String,
    pub address: String,
}

impl Device {
    pub fn from_request(headers: &HeaderMap, address: &str) -> Self {
        Device {
            user_agent: headers
                .get(USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .chars()
                .take(300)
                .collect(),
            address: address.to_string(),
        }
    }
}

/// Starts a new session (always a new token, so a cookie planted before
/// sign-in is never the one used after) and returns its `Set-Cookie` value.
pub async fn start(
    tx: &mut SqliteConnection,
    settings: &Settings,
    now: Timestamp,
    person_id: i64,
    persistent: bool,
    device: &Device,
) -> Result<String> {
    let token = new_token();
    let at = clock::format(now);
    sqlx::query(
        "INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at, persistent, user_agent, address)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(hash_token(&token))
    .bind(person_id)
    .bind(&at)
    .bind(&at)
    .bind(persistent)
    .bind(&device.user_agent)
    .bind(&device.address)
    .execute(tx)
    .await?;
    let max_age = persistent.then(|| PERSISTENT_IDLE.as_secs());
    Ok(cookies::set(
        cookie_name(settings),
        &token,
        max_age,
        &cookie_options(settings),
    ))
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn removal_cookie(settings: &Settings) -> String {
    cookies::remove(cookie_name(settings), &cookie_options(settings))
}

/// Deletes one session.
pub async fn end(tx: &mut SqliteConnection, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash)
        .execute(tx)
        .await?;
    Ok(())
}

/// Deletes every session of a person except `keep` (if given).
pub async fn end_all_for(
    tx: &mut SqliteConnection,
    person_id: i64,
    keep: Option<&str>,
) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE person_id = ? AND token_hash <> ?")
        .bind(person_id)
        .bind(keep.unwrap_or(""))
        .execute(tx)
        .await?;
    Ok(done.rows_affected())
}

#[derive(sqlx::FromRow)]
struct Found {
    person_id: i64,
    name: String,
    last_seen_at: String,
    persistent: bool,
}

/// Finds the signed-in person for a request, if its cookie names a live
/// session of an open account.
pub async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Option<CurrentPerson>> {
    let Some(token) = cookies::get(headers, cookie_name(&state.settings)) else {
        return Ok(None);
    };
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let token_hash = hash_token(token);
    let found: Option<Found> = sqlx::query_as(
        "SELECT s.person_id, p.name, s.last_seen_at, s.persistent
         FROM sessions s JOIN people p ON p.id = s.person_id
         WHERE s.token_hash = ? AND p.closed_at IS NULL",
    )
    .bind(&token_hash)
    .fetch_optional(&state.db.readers)
    .await?;
    let Some(found) = found else {
        return Ok(None);
    };
    let now = state.clock.now();
    let last_seen = clock::parse(&found.last_seen_at).unwrap_or(Timestamp::UNIX_EPOCH);
    let idle_limit = if found.persistent {
        PERSISTENT_IDLE
    } else {
        SHORT_IDLE
    };
    let idle = now.duration_since(last_seen);
    if idle > idle_limit {
        let mut tx = state.db.begin_write().await?;
        end(&mut tx, &token_hash).await?;
        tx.commit().await?;
        return Ok(None);
    }
    if idle > TOUCH_EVERY {
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?")
            .bind(clock::format(now))
            .bind(&token_hash)
            .execute(&state.db.writer)
            .await?;
    }
    Ok(Some(CurrentPerson {
        id: found.person_id,
        name: found.name,
        session_hash: token_hash,
    }))
}

/// Middleware: puts `Option<CurrentPerson>` into every request, and marks
/// every page `Cache-Control: no-store` so a shared browser's cache never
/// holds someone's pages.
pub async fn load(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let person = match resolve(&state, request.headers()).await {
        Ok(person) => person,
        Err(error) => {
            tracing::warn!(?error, "could not read the session; treating as signed out");
            None
        }
    };
    let address = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    if let Some(address) = address {
        request.extensions_mut().insert(ClientAddress(address));
    }
    request.extensions_mut().insert(person);
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_page && !response.headers().contains_key(CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The address of the client, as the socket saw it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub std::net::IpAddr);
