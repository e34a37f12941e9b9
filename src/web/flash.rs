//! One-time messages ("Your apology was sent.") carried across a redirect in
//! a short-lived cookie and cleared once a page has shown them.

use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::cookies::{self, CookieOptions};

const COOKIE: &str = "amends_flash";

/// The message carried by this request, if any (set by [`middleware`]).
#[derive(Debug, Clone, Default)]
pub struct Flash(pub Option<String>);

/// A header that shows `message` on the next page, for a handler's response.
pub fn set(message: &str) -> [(HeaderName, String); 1] {
    let value = utf8_percent_encode(message, NON_ALPHANUMERIC).to_string();
    [(
        SET_COOKIE,
        cookies::set(COOKIE, &value, Some(300), &CookieOptions { secure: false }),
    )]
}

/// Reads the flash cookie into the request and clears it once an HTML page
/// (which shows it) is answered.
pub async fn middleware(mut request: Request, next: Next) -> Response {
    let message = cookies::get(request.headers(), COOKIE)
        .map(|raw| percent_decode_str(raw).decode_utf8_lossy().into_owned())
        .filter(|m| !m.is_empty())
        .map(|m| m.chars().take(300).collect::<String>());
    let had_flash = message.is_some();
    request.extensions_mut().insert(Flash(message));
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let sets_new = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(COOKIE.as_bytes()));
    if had_flash && is_page && !sets_new {
        let removal = cookies::remove(COOKIE, &CookieOptions { secure: false });
        if let Ok(value) = HeaderValue::from_str(&removal) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}
