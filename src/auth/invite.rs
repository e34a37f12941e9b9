//! The first person invites the second: a single-use link, valid 7 days,
//! shown once as text to copy and as a QR code to scan with the other
//! person's phone. Revocable; stored hashed.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::links::{self, Purpose};
use super::{CurrentPerson, store};
use crate::app::AppState;
use crate::error::Result;
use crate::web::{Layout, flash, links::base_url};

#[derive(Template)]
#[template(path = "auth/invite.html")]
struct InvitePage {
    layout: Layout,
    complete: bool,
    other_name: String,
    link: Option<String>,
    /// The link as a QR code: an `<svg>` element drawn by the `qrcode` crate.
    qr: Option<QrSvg>,
    active_until: Option<String>,
}

/// `GET /invite`
pub async fn show(State(state): State<AppState>, layout: Layout) -> Result<Response> {
    let people = store::people(&state.db.readers).await?;
    let active = links::active_invite(&state.db.readers, state.clock.now()).await?;
    let page = InvitePage {
        layout,
        complete: people.len() >= 2,
        other_name: people.get(1).map(|p| p.name.clone()).unwrap_or_default(),
        link: None,
        qr: None,
        active_until: active,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /invite`: a new link (any earlier one stops working).
pub async fn create(
    State(state): State<AppState>,
    _person: CurrentPerson,
    headers: HeaderMap,
    layout: Layout,
) -> Result<Response> {
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if store::count_people_tx(&mut tx).await? >= 2 {
        return Ok(Redirect::to("/invite").into_response());
    }
    let (token, expires) = links::create(&mut tx, Purpose::Invite, None, now).await?;
    tx.commit().await?;
    let link = format!(
        "{}/join/{token}",
        base_url(state.settings.public_url.as_deref(), &headers)
    );
    let page = InvitePage {
        layout,
        complete: false,
        other_name: String::new(),
        qr: qr_svg(&link),
        link: Some(link),
        active_until: Some(crate::clock::format(expires)),
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /invite/revoke`
pub async fn revoke(State(state): State<AppState>, _person: CurrentPerson) -> Result<Response> {
    let mut tx = state.db.begin_write().await?;
    links::revoke_all(&mut tx, Purpose::Invite, state.clock.now()).await?;
    tx.commit().await?;
    Ok((
        flash::set("The invite link was withdrawn; it no longer works."),
        Redirect::to("/invite"),
    )
        .into_response())
}

/// The link as an inline `<svg>` QR code. The crate draws only a `<rect>`
/// and one `<path>` with presentation attributes (no `style`, which the CSP
/// would refuse); its XML prologue is dropped and a role and label added so
/// the element can sit in the page. Nothing typed by a person is in it:
/// the drawing is only path data computed from the link.
/// An `<svg>` drawn by the `qrcode` crate from a link: only rectangles and
/// the crate's own attributes, never text a person typed, so templates may
/// print it as it is.
pub struct QrSvg(String);

impl std::fmt::Display for QrSvg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::filters::HtmlSafe for QrSvg {}

pub fn qr_svg(link: &str) -> Option<QrSvg> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(link.as_bytes()).ok()?;
    let drawn = code
        .render::<svg::Color>()
        .quiet_zone(true)
        .min_dimensions(240, 240)
        .build();
    let start = drawn.find("<svg")?;
    let element = &drawn[start..];
    if element.contains("style") || element.contains("<script") {
        return None;
    }
    Some(QrSvg(element.replacen(
        "<svg",
        "<svg role=\"img\" aria-label=\"The invite link as a QR code\" focusable=\"false\"",
        1,
    )))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_qr_code_is_an_svg_element_without_style() {
        let svg = super::qr_svg("http://192.168.1.20:3000/join/0123456789abcdef0123456789abcdef")
            .unwrap()
            .to_string();
        assert!(svg.starts_with("<svg role=\"img\""));
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("style"));
        assert!(!svg.contains("<?xml"));
    }
}
