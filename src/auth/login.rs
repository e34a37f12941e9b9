//! Signing in and out.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::{self, ClientAddress, Device};
use super::{CurrentPerson, password, store};
use crate::app::AppState;
use crate::error::Result;
use crate::web::fields::limits;
use crate::web::links::is_local_path;
use crate::web::{Form, Layout, flash};

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    name: String,
    remember: bool,
    next: String,
    error: Option<String>,
    unencrypted: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct NextParam {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    remember: Option<String>,
    #[serde(default)]
    next: String,
}

/// `GET /login`
pub async fn form(
    State(state): State<AppState>,
    Query(params): Query<NextParam>,
    layout: Layout,
) -> Result<Response> {
    if layout.person.is_some() {
        return Ok(Redirect::to(&safe_next(params.next.as_deref())).into_response());
    }
    render(
        &state,
        layout,
        String::new(),
        false,
        safe_next(params.next.as_deref()),
        None,
        StatusCode::OK,
    )
}

/// `POST /login`
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: Option<axum::Extension<ClientAddress>>,
    layout: Layout,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let next = safe_next(Some(&form.next));
    let name = form.name.trim().to_string();
    let remember = form.remember.is_some();
    let address = address.map(|a| a.0.0.to_string()).unwrap_or_default();
    let refuse = |message: &str| {
        render(
            &state,
            layout.clone(),
            name.chars().take(limits::NAME).collect(),
            remember,
            next.clone(),
            Some(message.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if name.is_empty() || form.password.is_empty() {
        return refuse("Please enter your name and your password.");
    }
    if name.chars().count() > limits::NAME || form.password.chars().count() > password::MAX_LENGTH {
        return refuse("That name and password do not match an account here.");
    }
    let person = store::person_by_name(&state.db.readers, &name).await?;
    let stored = person.as_ref().map(|p| p.password_hash.clone());
    let matches = password::verify(form.password.clone(), stored).await?;
    let person = match person {
        Some(person) if matches && person.closed_at.is_none() => person,
        _ => {
            tracing::warn!(
                target: "amends::signin",
                "sign-in failed: name={:?} address={}",
                name,
                address
            );
            return refuse("That name and password do not match an account here.");
        }
    };
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    // A session cookie planted before sign-in is never reused: drop it.
    if let Some(old) = super::session::resolve(&state, &headers).await? {
        session::end(&mut tx, &old.session_hash).await?;
    }
    let cookie = session::start(
        &mut tx,
        &state.settings,
        now,
        person.id,
        remember,
        &Device::from_request(&headers, &address),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(person = person.id, "signed in");
    Ok(([(SET_COOKIE, cookie)], Redirect::to(&next)).into_response())
}

/// `POST /logout`
pub async fn sign_out(State(state): State<AppState>, person: CurrentPerson) -> Result<Response> {
    let mut tx = state.db.begin_write().await?;
    session::end(&mut tx, &person.session_hash).await?;
    tx.commit().await?;
    let removal = session::removal_cookie(&state.settings);
    Ok((
        [(SET_COOKIE, removal)],
        flash::set("You are signed out."),
        Redirect::to("/login"),
    )
        .into_response())
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if is_local_path(path) && !path.starts_with("/login") => path.to_string(),
        _ => "/".to_string(),
    }
}

fn render(
    state: &AppState,
    layout: Layout,
    name: String,
    remember: bool,
    next: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response> {
    let page = LoginPage {
        layout,
        name,
        remember,
        next,
        error,
        unencrypted: !state.settings.secure_cookies(),
    };
    Ok((status, Html(page.render()?)).into_response())
}
