//! Recovery without e-mail: ten one-time recovery codes per person, and the
//! "forgot password" page that takes a name, one code and a new password.
//!
//! Codes are 16 random characters (about 79 bits), so a plain SHA-256 is
//! stored. They are shown once: the response that makes them carries them
//! to the browser in a short-lived HttpOnly cookie, the codes page shows
//! them until the person says they have saved them, and the server never
//! keeps them in plain text.

use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect, Response};
use jiff::Timestamp;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use super::notices::{self, Notice};
use super::session::{self, ClientAddress, Device, hash_token};
use super::throttle::{self, Key, Outcome};
use super::{CurrentPerson, password, store};
use crate::app::{AppState, Settings};
use crate::error::Result;
use crate::ledger;
use crate::web::cookies;
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout, flash};

/// How many codes a person has at a time.
pub const COUNT: usize = 10;
/// Letters and digits that cannot be mistaken for one another.
const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
const CODE_CHARS: usize = 16;
/// How long the codes stay on the codes page before "I have saved them".
const SHOW_FOR_SECS: i64 = 30 * 60;

/// A fresh code, e.g. `k7m2-x9qp-...`, grouped by four for reading.
fn new_code() -> String {
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..CODE_CHARS)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed, without spaces or dashes and lower-cased; `None` if it
/// cannot be one of ours.
pub fn normalise(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .flat_map(char::to_lowercase)
        .collect();
    (code.chars().count() == CODE_CHARS && code.bytes().all(|b| ALPHABET.contains(&b)))
        .then_some(code)
}

/// Replaces a person's codes with ten new ones (earlier unused ones stop
/// working) and returns them, to be shown once.
pub async fn replace_codes(
    tx: &mut SqliteConnection,
    person_id: i64,
    now: Timestamp,
) -> Result<Vec<String>> {
    let codes: Vec<String> = (0..COUNT).map(|_| new_code()).collect();
    let hashes: Vec<String> = codes
        .iter()
        .filter_map(|code| normalise(code))
        .map(|code| hash_token(&code))
        .collect();
    store::replace_recovery_codes(tx, person_id, &hashes, &crate::clock::format(now)).await?;
    Ok(codes)
}

fn codes_cookie_name(settings: &Settings) -> &'static str {
    if settings.secure_cookies() {
        "__Host-amends_codes"
    } else {
        "amends_codes"
    }
}

/// The `Set-Cookie` value that carries new codes to the codes page.
pub fn codes_cookie(settings: &Settings, person_id: i64, codes: &[String]) -> String {
    let value = format!("{person_id}.{}", codes.join("."));
    cookies::set(
        codes_cookie_name(settings),
        &value,
        Some(SHOW_FOR_SECS),
        &session::cookie_options(settings),
    )
}

fn codes_from_cookie(settings: &Settings, headers: &HeaderMap, person_id: i64) -> Vec<String> {
    let Some(value) = cookies::get(headers, codes_cookie_name(settings)) else {
        return Vec::new();
    };
    let mut parts = value.split('.');
    if parts.next() != Some(person_id.to_string().as_str()) {
        return Vec::new();
    }
    let codes: Vec<String> = parts
        .filter(|code| normalise(code).is_some())
        .map(str::to_string)
        .take(COUNT)
        .collect();
    codes
}

/// The `Set-Cookie` value that removes the codes from the browser.
pub fn codes_removal(settings: &Settings) -> String {
    cookies::remove(
        codes_cookie_name(settings),
        &session::cookie_options(settings),
    )
}

#[derive(Template)]
#[template(path = "auth/recovery_codes.html")]
struct CodesPage {
    layout: Layout,
    codes: Vec<String>,
    unused: i64,
    once: String,
}

/// `GET /recovery-codes`: the new codes, until "I have saved them".
pub async fn show(
    State(state): State<AppState>,
    person: CurrentPerson,
    headers: HeaderMap,
    layout: Layout,
) -> Result<Response> {
    let codes = codes_from_cookie(&state.settings, &headers, person.id);
    let unused = store::unused_recovery_codes(&state.db.readers, person.id).await?;
    let page = CodesPage {
        layout,
        codes,
        unused,
        once: crate::web::once::new_key(),
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /recovery-codes/saved`: forgets the codes in this browser.
pub async fn saved(State(state): State<AppState>, _person: CurrentPerson) -> Result<Response> {
    let people = store::count_people(&state.db.readers).await?;
    let next = if people < 2 { "/invite" } else { "/" };
    Ok((
        AppendHeaders([(SET_COOKIE, codes_removal(&state.settings))]),
        Redirect::to(next),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    layout: Layout,
    name: String,
    errors: FormErrors,
    mismatch: Option<String>,
}

/// What the forgot-password form sends. Only the name is ever sent back.
#[derive(Debug, Default, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

#[derive(Serialize)]
struct PasswordReset<'a> {
    name: &'a str,
    with: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    recovery_codes_left: Option<i64>,
}

/// `GET /forgot`
pub async fn forgot_form(layout: Layout) -> Result<Response> {
    render_forgot(
        layout,
        String::new(),
        FormErrors::new(),
        None,
        StatusCode::OK,
    )
}

/// `POST /forgot`
pub async fn forgot(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: Option<axum::Extension<ClientAddress>>,
    layout: Layout,
    Form(form): Form<ForgotForm>,
) -> Result<Response> {
    let address = address.map(|a| a.0.0.to_string()).unwrap_or_default();
    let device = Device::from_request(&headers, &address);
    let typed_name: String = form.name.trim().chars().take(1000).collect();
    let mut errors = FormErrors::new();
    let name = errors.check(
        "name",
        fields::single_line(&form.name, limits::NAME, "your name"),
    );
    let code = if form.code.trim().is_empty() {
        errors.add("code", "Please enter one of your recovery codes.");
        None
    } else if form.code.chars().count() > 60 {
        errors.add(
            "code",
            "A recovery code has 16 letters and digits; this is much longer.",
        );
        None
    } else {
        let code = normalise(&form.code);
        if code.is_none() {
            errors.add(
                "code",
                "A recovery code has 16 letters and digits, like 7k2m-x9qp-4hvd-c3nf.",
            );
        }
        code
    };
    errors.check(
        "password",
        password::check_new(&form.password, name.as_deref().unwrap_or("")),
    );
    if form.password != form.password_again {
        errors.add("password_again", "The two passwords are not the same.");
    }
    let (Some(name), Some(code)) = (name, code) else {
        return render_forgot(
            layout,
            typed_name,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    if !errors.is_empty() {
        return render_forgot(
            layout,
            typed_name,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }

    let person = store::person_by_name(&state.db.readers, &name)
        .await?
        .filter(|p| p.closed_at.is_none());
    let keys = attempt_keys(
        &state,
        &headers,
        person.as_ref().map(|p| p.id),
        &name,
        &address,
    )
    .await?;
    if let Err(wait) = throttle::begin_attempt(&state, &keys).await? {
        throttle::log_attempt(
            &state,
            person.as_ref().map(|p| p.id),
            &name,
            &device,
            Outcome::SlowedDown,
        )
        .await?;
        return Ok(throttle::slowed_down(wait));
    }
    let person_id = person.as_ref().map(|p| p.id);
    let code_hash = hash_token(&code);
    let matches = match &person {
        Some(person) => {
            store::recovery_code_is_unused(&state.db.readers, person.id, &code_hash).await?
        }
        None => false,
    };
    let mismatch = "That name and recovery code do not match an unused code here. \
                    Each code works once; please check it and try again.";
    let Some(person) = person.filter(|_| matches) else {
        throttle::log_attempt(
            &state,
            person_id,
            &name,
            &device,
            Outcome::WrongRecoveryCode,
        )
        .await?;
        return render_forgot(
            layout,
            typed_name,
            FormErrors::new(),
            Some(mismatch.into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };

    let password_hash = password::hash(form.password.clone()).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !store::use_recovery_code(&mut tx, person.id, &code_hash, &crate::clock::format(now)).await?
    {
        // Used by a simultaneous request while the password was hashed.
        tx.rollback().await?;
        return render_forgot(
            layout,
            typed_name,
            FormErrors::new(),
            Some(mismatch.into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    store::set_password(&mut tx, person.id, &password_hash).await?;
    session::end_all_for(&mut tx, person.id, None).await?;
    let left = store::unused_recovery_codes_tx(&mut tx, person.id).await?;
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "account.password_reset",
        &format!("person/{}", person.id),
        &PasswordReset {
            name: &person.name,
            with: "recovery_code",
            recovery_codes_left: Some(left),
        },
    )
    .await?;
    notices::add(&mut tx, person.id, Notice::PasswordResetWithCode, now).await?;
    throttle::clear(&mut tx, &keys).await?;
    tx.commit().await?;
    tracing::info!(person = person.id, "password reset with a recovery code");
    let message = format!(
        "Your new password is set and every earlier session has ended. Please sign in with it. \
         You have {left} unused recovery {} left.",
        if left == 1 { "code" } else { "codes" }
    );
    Ok((flash::set(&message), Redirect::to("/login")).into_response())
}

/// What an attempt at an account is counted against: a browser that has
/// signed in to that account before only by itself, anyone else by the
/// name tried and their address.
pub async fn attempt_keys(
    state: &AppState,
    headers: &HeaderMap,
    person_id: Option<i64>,
    name: &str,
    address: &str,
) -> Result<Vec<Key>> {
    if let (Some(id), Some(hash)) = (person_id, throttle::device_hash(&state.settings, headers))
        && throttle::is_known(&state.db.readers, &hash, id).await?
    {
        return Ok(vec![Key::device(&hash)]);
    }
    Ok(vec![Key::account(name), Key::address(address)])
}

fn render_forgot(
    layout: Layout,
    name: String,
    errors: FormErrors,
    mismatch: Option<String>,
    status: StatusCode,
) -> Result<Response> {
    let page = ForgotPage {
        layout,
        name,
        errors,
        mismatch,
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_read_back_however_they_are_typed() {
        let code = new_code();
        assert_eq!(code.len(), 19);
        let plain = normalise(&code).unwrap();
        assert_eq!(plain.len(), 16);
        assert_eq!(
            normalise(&code.to_uppercase().replace('-', " ")),
            Some(plain)
        );
        assert_eq!(normalise("not a code"), None);
        assert_eq!(normalise("0000-0000-0000-0000"), None);
    }
}
