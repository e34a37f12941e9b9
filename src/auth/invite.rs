//! The first person invites the second: a single-use link, valid 7 days,
//! shown once as text to copy. Revocable; stored hashed.

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
