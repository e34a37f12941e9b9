//! Creating the two accounts: the first through the one-time setup link the
//! server prints, the second through the invite the first person makes.
//! The database refuses a third; creation runs in one `BEGIN IMMEDIATE`
//! transaction, so fifty simultaneous uses of one link make one account.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::links::{self, Purpose};
use super::session::{self, ClientAddress, Device};
use super::throttle::{self, Outcome};
use super::{password, recovery, store};
use crate::app::AppState;
use crate::error::{AppError, Result};
use crate::ledger;
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout};

#[derive(Template)]
#[template(path = "auth/account_form.html")]
struct AccountPage {
    layout: Layout,
    is_setup: bool,
    action: String,
    form: AccountForm,
    errors: FormErrors,
    zones: Vec<String>,
    other_name: String,
}

/// What the setup and join forms send. Passwords are never sent back.
#[derive(Debug, Default, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing)]
    pub password: String,
    #[serde(default, skip_serializing)]
    pub password_again: String,
    #[serde(default)]
    pub time_zone: String,
}

#[derive(Serialize)]
struct AccountCreated<'a> {
    name: &'a str,
    via: &'a str,
}

#[derive(Serialize)]
struct TimeZoneSet<'a> {
    time_zone: &'a str,
}

/// `GET /setup/{token}`
pub async fn setup_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    layout: Layout,
) -> Result<Response> {
    check_link(&state, Purpose::Setup, &token).await?;
    let form = AccountForm {
        time_zone: default_time_zone(),
        ..AccountForm::default()
    };
    render(
        layout,
        Purpose::Setup,
        &token,
        form,
        FormErrors::new(),
        String::new(),
    )
}

/// `GET /join/{token}`
pub async fn join_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    layout: Layout,
) -> Result<Response> {
    check_link(&state, Purpose::Invite, &token).await?;
    let other = first_name(&state).await?;
    render(
        layout,
        Purpose::Invite,
        &token,
        AccountForm::default(),
        FormErrors::new(),
        other,
    )
}

/// `POST /setup/{token}`
pub async fn setup(
    state: State<AppState>,
    path: Path<String>,
    headers: HeaderMap,
    address: Option<axum::Extension<ClientAddress>>,
    layout: Layout,
    form: Form<AccountForm>,
) -> Result<Response> {
    create(state, path, headers, address, layout, form, Purpose::Setup).await
}

/// `POST /join/{token}`
pub async fn join(
    state: State<AppState>,
    path: Path<String>,
    headers: HeaderMap,
    address: Option<axum::Extension<ClientAddress>>,
    layout: Layout,
    form: Form<AccountForm>,
) -> Result<Response> {
    create(state, path, headers, address, layout, form, Purpose::Invite).await
}

async fn create(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    address: Option<axum::Extension<ClientAddress>>,
    layout: Layout,
    Form(form): Form<AccountForm>,
    purpose: Purpose,
) -> Result<Response> {
    check_link(&state, purpose, &token).await?;
    let other = if purpose == Purpose::Invite {
        first_name(&state).await?
    } else {
        String::new()
    };
    let mut errors = FormErrors::new();
    let name = errors.check(
        "name",
        fields::single_line(
            &form.name,
            limits::NAME,
            "the name the other person knows you by",
        ),
    );
    if let Some(name) = &name
        && !other.is_empty()
        && name.eq_ignore_ascii_case(&other)
    {
        errors.add(
            "name",
            format!("{other} already uses that name; please choose another."),
        );
    }
    errors.check(
        "password",
        password::check_new(&form.password, name.as_deref().unwrap_or("")),
    );
    if form.password != form.password_again {
        errors.add("password_again", "The two passwords are not the same.");
    }
    let time_zone = if purpose == Purpose::Setup {
        errors.check("time_zone", check_time_zone(&form.time_zone))
    } else {
        None
    };
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return render(layout, purpose, &token, form, errors, other);
    };

    let password_hash = password::hash(form.password.clone()).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    // Checked again inside the transaction: another request may have used
    // the link while the password was being hashed.
    let link = links::find_valid_tx(&mut tx, purpose, &token, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let existing = store::count_people_tx(&mut tx).await?;
    let expected = if purpose == Purpose::Setup { 0 } else { 1 };
    if existing != expected {
        return Err(AppError::NotFound);
    }
    let id = existing + 1;
    store::insert_person(
        &mut tx,
        id,
        &name,
        &password_hash,
        &crate::clock::format(now),
    )
    .await?;
    links::mark_used(&mut tx, &link.token_hash, now).await?;
    let via = if purpose == Purpose::Setup {
        "setup"
    } else {
        "invite"
    };
    ledger::append(
        &mut tx,
        &state.clock,
        Some(id),
        "account.created",
        &format!("person/{id}"),
        &AccountCreated { name: &name, via },
    )
    .await?;
    if let Some(zone) = &time_zone {
        store::set_time_zone(&mut tx, zone).await?;
        ledger::append(
            &mut tx,
            &state.clock,
            Some(id),
            "pair.time_zone_set",
            "pair",
            &TimeZoneSet { time_zone: zone },
        )
        .await?;
    }
    if id == 2 {
        // Two accounts exist: no setup or invite link may work any more.
        links::revoke_all(&mut tx, Purpose::Invite, now).await?;
        links::revoke_all(&mut tx, Purpose::Setup, now).await?;
    }
    let address = address.map(|a| a.0.0.to_string()).unwrap_or_default();
    let device = Device::from_request(&headers, &address);
    let cookie = session::start(&mut tx, &state.settings, now, id, false, &device).await?;
    let device_cookie =
        throttle::remember_device(&mut tx, &state.settings, &headers, id, now).await?;
    throttle::insert_log(&mut tx, now, Some(id), &name, &device, Outcome::SignedIn).await?;
    let codes = recovery::replace_codes(&mut tx, id, now).await?;
    tx.commit().await?;
    tracing::info!(person = id, via, "account created");
    let mut cookies = vec![
        (SET_COOKIE, cookie),
        (
            SET_COOKIE,
            recovery::codes_cookie(&state.settings, id, &codes),
        ),
    ];
    cookies.extend(device_cookie.map(|c| (SET_COOKIE, c)));
    // The recovery codes are shown once, right away.
    Ok((AppendHeaders(cookies), Redirect::to("/recovery-codes")).into_response())
}

async fn check_link(state: &AppState, purpose: Purpose, token: &str) -> Result<()> {
    links::find_valid(&state.db.readers, purpose, token, state.clock.now())
        .await?
        .ok_or(AppError::NotFound)?;
    let people = store::count_people(&state.db.readers).await?;
    let open = match purpose {
        Purpose::Setup => people == 0,
        Purpose::Invite => people == 1,
        Purpose::Reset => true,
    };
    if open {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

async fn first_name(state: &AppState) -> Result<String> {
    Ok(store::person_by_id(&state.db.readers, 1)
        .await?
        .map(|p| p.name)
        .unwrap_or_default())
}

fn render(
    layout: Layout,
    purpose: Purpose,
    token: &str,
    form: AccountForm,
    errors: FormErrors,
    other_name: String,
) -> Result<Response> {
    let is_setup = purpose == Purpose::Setup;
    let action = if is_setup {
        format!("/setup/{token}")
    } else {
        format!("/join/{token}")
    };
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AccountPage {
        layout,
        is_setup,
        action,
        form: AccountForm {
            password: String::new(),
            password_again: String::new(),
            ..form
        },
        errors,
        zones: if is_setup { time_zones() } else { Vec::new() },
        other_name,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// Every time zone name the bundled database knows, sorted.
pub fn time_zones() -> Vec<String> {
    let mut zones: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_string())
        .filter(|name| name.contains('/') || name == "UTC")
        .collect();
    zones.sort();
    zones
}

/// A valid IANA time zone name, or a message.
pub fn check_time_zone(input: &str) -> Result<String, String> {
    let zone = input.trim();
    if zone.is_empty() || zone.len() > 64 || jiff::tz::TimeZone::get(zone).is_err() {
        return Err("Please choose your time zone from the list.".into());
    }
    Ok(zone.to_string())
}

fn default_time_zone() -> String {
    jiff::tz::TimeZone::system()
        .iana_name()
        .map(str::to_string)
        .unwrap_or_else(|| "UTC".to_string())
}
