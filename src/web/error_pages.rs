//! Turns every error answer (ours, axum's rejections, the body limit, the
//! cross-site check, the fallback) into a page in the layout, so a person
//! never sees a bare "403" or a plain-text parser message.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, HeaderValue};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::app::AppState;
use crate::error::ErrorMessage;
use crate::web::Layout;

#[derive(Template)]
#[template(path = "pages/error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub status: u16,
    pub title: String,
    pub message: String,
}

/// Middleware: renders error answers that are not already pages.
pub async fn render(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let for_layout = parts.clone();
    let response = next.run(Request::from_parts(parts, body)).await;
    let status = response.status();
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_html {
        return response;
    }
    let custom = response.extensions().get::<ErrorMessage>().cloned();
    let (title, default_message) = describe(status);
    let message = custom
        .map(|m| m.0)
        .unwrap_or_else(|| default_message.to_string());
    let layout = match Layout::build(&state, &for_layout).await {
        Ok(layout) => layout,
        // The database may be what failed; show the page without it.
        Err(_) => Layout {
            person: None,
            fingerprint: crate::ledger::Fingerprint {
                seq: 0,
                hash: String::new(),
            },
            flash: None,
            record_problem: state.record.problem(),
            path: for_layout.uri.path().to_string(),
            tz: jiff::tz::TimeZone::UTC,
            departure: None,
        },
    };
    let page = ErrorPage {
        layout,
        status: status.as_u16(),
        title: title.to_string(),
        message,
    };
    let (mut parts, _) = response.into_parts();
    let html = match page.render() {
        Ok(html) => html,
        Err(error) => {
            tracing::error!(%error, "rendering an error page");
            format!("{} {}", status.as_u16(), title)
        }
    };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    (parts, Html(html)).into_response()
}

fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => (
            "That request could not be read",
            "Something in what was sent did not arrive in the expected form. Nothing was saved.",
        ),
        StatusCode::UNAUTHORIZED => (
            "Please sign in",
            "You need to be signed in to do that. Nothing was changed.",
        ),
        StatusCode::FORBIDDEN => (
            "This was not accepted",
            "The request did not come from a page of this app, or this step is not yours to take. Nothing was changed.",
        ),
        StatusCode::NOT_FOUND => (
            "Nothing here",
            "There is no page at this address. It may have been a link that is no longer valid.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "That was too large to accept",
            "What was sent is larger than this server accepts (1 MiB). Nothing was saved. Please shorten it and try again.",
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            "Please wait a little",
            "There were too many attempts. Please wait a while and try again.",
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "That took too long",
            "The server took too long to answer. Please try again.",
        ),
        StatusCode::CONFLICT => (
            "This changed in the meantime",
            "Someone changed this since the page was opened. Please reload and try again.",
        ),
        s if s.is_server_error() => (
            "Something went wrong on the server",
            "The server could not complete this. Nothing was half-saved: either all of it was written or none of it. Please try again; if it keeps happening, the server's log says more.",
        ),
        _ => (
            "Something was not right",
            "This request could not be completed.",
        ),
    }
}
