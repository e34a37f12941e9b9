//! Server-side sessions in our own table — a small layer of our own rather
//! than tower-sessions, whose published SQL stores are built on sqlx 0.8.
//! The cookie holds a random token; the table holds only its SHA-256.

use axum::extract::{ConnectInfo, Request, State};
use std::net::IpAddr;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE, USER_AGENT};
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

pub fn cookie_options(settings: &Settings) -> CookieOptions {
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
    Ok(resolve_with_renewal(state, headers)
        .await?
        .map(|(person, _)| person))
}

/// Like [`resolve`], and also the `Set-Cookie` value that renews a "keep me
/// signed in" cookie's Max-Age when the session was just touched (rolling).
async fn resolve_with_renewal(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(CurrentPerson, Option<String>)>> {
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
    let mut renewal = None;
    if idle > TOUCH_EVERY {
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?")
            .bind(clock::format(now))
            .bind(&token_hash)
            .execute(&state.db.writer)
            .await?;
        if found.persistent {
            renewal = Some(cookies::set(
                cookie_name(&state.settings),
                token,
                Some(PERSISTENT_IDLE.as_secs()),
                &cookie_options(&state.settings),
            ));
        }
    }
    Ok(Some((
        CurrentPerson {
            id: found.person_id,
            name: found.name,
            session_hash: token_hash,
        },
        renewal,
    )))
}

/// Middleware: puts `Option<CurrentPerson>` and the [`ClientAddress`] into
/// every request, renews a rolling cookie, and marks every page
/// `Cache-Control: no-store` so a shared browser's cache never holds
/// someone's pages.
pub async fn load(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let (person, renewal) = match resolve_with_renewal(&state, request.headers()).await {
        Ok(Some((person, renewal))) => (Some(person), renewal),
        Ok(None) => (None, None),
        Err(error) => {
            tracing::warn!(?error, "could not read the session; treating as signed out");
            (None, None)
        }
    };
    let peer = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    if let Some(address) = client_address(&state.settings, peer, request.headers()) {
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
    if let Some(renewal) = renewal {
        // Not when the handler itself set or removed the session cookie.
        let name = cookie_name(&state.settings);
        let handler_set_it = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .any(|v| v.as_bytes().starts_with(format!("{name}=").as_bytes()));
        if !handler_set_it && let Ok(value) = HeaderValue::from_str(&renewal) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

/// The client's address: the socket's peer, or, when that peer is the
/// trusted reverse proxy, the right-most `X-Forwarded-For` entry (the one
/// that proxy added; entries further left are whatever the client sent).
pub fn client_address(
    settings: &Settings,
    peer: Option<IpAddr>,
    headers: &HeaderMap,
) -> Option<IpAddr> {
    let peer = peer?;
    let Some(proxy) = settings.trusted_proxy else {
        return Some(peer);
    };
    if !same_address(peer, proxy) {
        return Some(peer);
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .rfind(|entry| !entry.is_empty())
        .and_then(|entry| {
            entry
                .parse::<IpAddr>()
                .ok()
                .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
        });
    Some(forwarded.unwrap_or(peer))
}

/// Equal addresses, also when one is an IPv4-mapped IPv6 address.
fn same_address(a: IpAddr, b: IpAddr) -> bool {
    a.to_canonical() == b.to_canonical()
}

/// The address of the client, as the socket saw it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub std::net::IpAddr);
