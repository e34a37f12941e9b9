//! Signing in and out.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::{self, ClientAddress, Device};
use super::throttle::{self, Outcome};
use super::{CurrentPerson, notices, password, recovery, store};
use crate::app::AppState;
use crate::error::Result;
use crate::web::fields::limits;
use crate::web::links::is_local_path;
use crate::web::{Form, Layout, flash};

/// What was typed is sent back with the form, up to this many characters.
const ECHO_LIMIT: usize = 1000;

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
    let device = Device::from_request(&headers, &address);
    // The session this browser had (signed in as anyone): ended at sign-in,
    // so a cookie planted before sign-in is never the one used after.
    let planted = layout.person.as_ref().map(|p| p.session_hash.clone());
    let refuse = |message: &str| {
        render(
            &state,
            layout.clone(),
            name.chars().take(ECHO_LIMIT).collect(),
            remember,
            next.clone(),
            Some(message.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if name.is_empty() || form.password.is_empty() {
        return refuse("Please enter your name and your password.");
    }
    if name.chars().any(char::is_control) {
        return refuse("The name contains invisible control characters; please type it again.");
    }
    if name.chars().count() > limits::NAME {
        return refuse("Names here are at most 60 characters; please check the name.");
    }
    if form.password.chars().count() > password::MAX_LENGTH {
        return refuse("Passwords here are at most 256 characters; please check the password.");
    }
    let person = store::person_by_name(&state.db.readers, &name).await?;
    let person_id = person.as_ref().map(|p| p.id);
    let keys = recovery::attempt_keys(&state, &headers, person_id, &name, &address).await?;
    if let Err(wait) = throttle::begin_attempt(&state, &keys).await? {
        throttle::log_attempt(&state, person_id, &name, &device, Outcome::SlowedDown).await?;
        return Ok(throttle::slowed_down(wait));
    }
    let stored = person.as_ref().map(|p| p.password_hash.clone());
    let matches = password::verify(form.password.clone(), stored).await?;
    let person = match person {
        Some(person) if matches && person.closed_at.is_none() => person,
        _ => {
            throttle::log_attempt(&state, person_id, &name, &device, Outcome::WrongPassword)
                .await?;
            return refuse("That name and password do not match an account here.");
        }
    };
    let now = state.clock.now();
    let tz = crate::web::time::zone(&store::time_zone(&state.db.readers).await?);
    let mut tx = state.db.begin_write().await?;
    // A session cookie planted before sign-in is never reused: drop it.
    if let Some(old) = &planted {
        session::end(&mut tx, old).await?;
    }
    let cookie =
        session::start(&mut tx, &state.settings, now, person.id, remember, &device).await?;
    let device_cookie =
        throttle::remember_device(&mut tx, &state.settings, &headers, person.id, now).await?;
    throttle::clear(&mut tx, &keys).await?;
    throttle::insert_log(
        &mut tx,
        now,
        Some(person.id),
        &name,
        &device,
        Outcome::SignedIn,
    )
    .await?;
    let notice = notices::take(&mut tx, person.id, &tz).await?;
    tx.commit().await?;
    tracing::info!(person = person.id, "signed in");
    let mut cookies = vec![(SET_COOKIE, cookie)];
    cookies.extend(device_cookie.map(|c| (SET_COOKIE, c)));
    if let Some(notice) = notice {
        let [flash] = flash::set(&notice);
        cookies.push(flash);
    }
    Ok((AppendHeaders(cookies), Redirect::to(&next)).into_response())
}

/// `POST /logout`
pub async fn sign_out(State(state): State<AppState>, person: CurrentPerson) -> Result<Response> {
    let mut tx = state.db.begin_write().await?;
    session::end(&mut tx, &person.session_hash).await?;
    tx.commit().await?;
    let [flash] = flash::set("You are signed out.");
    Ok((
        AppendHeaders([
            (SET_COOKIE, session::removal_cookie(&state.settings)),
            (SET_COOKIE, recovery::codes_removal(&state.settings)),
            flash,
        ]),
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
