//! Settings: my password, my sessions (and ending any of them), my recovery
//! codes, the pair's time zone, my recent sign-ins and failed attempts, and
//! the invite while the other person has not joined yet.

pub mod store;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::app::{AppState, Route};
use crate::auth::notices::{self, Notice};
use crate::auth::{CurrentPerson, accounts, password, recovery, session};
use crate::error::Result;
use crate::ledger;
use crate::web::{Form, FormErrors, Layout, flash, once};

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/settings", show),
        Route::action("/settings/password", change_password),
        Route::action("/settings/sessions/{id}/end", end_session),
        Route::action("/settings/recovery-codes", renew_codes),
        Route::action("/settings/time-zone", change_time_zone),
    ]
}

/// A session as the page shows it.
pub struct SessionView {
    pub id: i64,
    pub browser: String,
    pub address: String,
    pub last_seen_at: String,
    pub created_at: String,
    pub persistent: bool,
    pub this_device: bool,
}

/// A sign-in log row as the page shows it.
pub struct SignInView {
    pub at: String,
    pub what: &'static str,
    pub failed: bool,
    pub address: String,
    pub browser: String,
}

#[derive(Template)]
#[template(path = "settings/index.html")]
struct SettingsPage {
    layout: Layout,
    once_password: String,
    once_codes: String,
    once_time_zone: String,
    errors: FormErrors,
    sessions: Vec<SessionView>,
    sign_ins: Vec<SignInView>,
    zones: Vec<String>,
    time_zone: String,
    unused_codes: i64,
    can_invite: bool,
}

/// `GET /settings`
pub async fn show(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let zone = crate::auth::store::time_zone(&state.db.readers).await?;
    render(&state, &person, layout, FormErrors::new(), zone).await
}

async fn render(
    state: &AppState,
    person: &CurrentPerson,
    layout: Layout,
    errors: FormErrors,
    time_zone: String,
) -> Result<Response> {
    let pool = &state.db.readers;
    let sessions = store::sessions_of(pool, person.id)
        .await?
        .into_iter()
        .map(|s| SessionView {
            id: s.id,
            browser: describe_browser(&s.user_agent),
            address: s.address,
            last_seen_at: s.last_seen_at,
            created_at: s.created_at,
            persistent: s.persistent,
            this_device: s.token_hash == person.session_hash,
        })
        .collect();
    let sign_ins = store::recent_sign_ins(pool, person.id)
        .await?
        .into_iter()
        .map(|row| {
            let (what, failed) = match row.outcome.as_str() {
                "signed_in" => ("Signed in", false),
                "wrong_password" => ("Wrong password", true),
                "wrong_recovery_code" => ("Wrong recovery code", true),
                _ => ("Asked to wait (too many attempts)", true),
            };
            SignInView {
                at: row.at,
                what,
                failed,
                address: row.address,
                browser: describe_browser(&row.user_agent),
            }
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SettingsPage {
        layout,
        once_password: once::new_key(),
        once_codes: once::new_key(),
        once_time_zone: once::new_key(),
        errors,
        sessions,
        sign_ins,
        zones: accounts::time_zones(),
        time_zone,
        unused_codes: crate::auth::store::unused_recovery_codes(pool, person.id).await?,
        can_invite: crate::auth::store::count_people(pool).await? < 2,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// "Firefox on Linux" from a User-Agent header, or a plain fallback.
pub fn describe_browser(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") {
        "Opera"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("CriOS/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        ""
    };
    let system = if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "macOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        ""
    };
    match (browser, system) {
        ("", "") if ua.trim().is_empty() => "An unknown browser".to_string(),
        ("", "") => ua.chars().take(60).collect(),
        ("", system) => format!("A browser on {system}"),
        (browser, "") => browser.to_string(),
        (browser, system) => format!("{browser} on {system}"),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    once: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

#[derive(Serialize)]
struct PersonNamed<'a> {
    name: &'a str,
}

/// `POST /settings/password`: ends all my other sessions.
pub async fn change_password(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    let mut errors = FormErrors::new();
    if form.current_password.is_empty() {
        errors.add("current_password", "Please enter your current password.");
    } else if form.current_password.chars().count() > password::MAX_LENGTH {
        errors.add(
            "current_password",
            "Passwords here are at most 256 characters; please check this one.",
        );
    }
    errors.check(
        "password",
        password::check_new(&form.password, &person.name),
    );
    if form.password != form.password_again {
        errors.add("password_again", "The two new passwords are not the same.");
    }
    if errors.is_empty() {
        let stored = crate::auth::store::person_by_id(&state.db.readers, person.id)
            .await?
            .map(|p| p.password_hash);
        if !password::verify(form.current_password.clone(), stored).await? {
            errors.add(
                "current_password",
                "That is not your current password. Nothing was changed.",
            );
        }
    }
    if !errors.is_empty() {
        let zone = crate::auth::store::time_zone(&state.db.readers).await?;
        return render(&state, &person, layout, errors, zone).await;
    }
    let password_hash = password::hash(form.password.clone()).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to("/settings").into_response());
    }
    crate::auth::store::set_password(&mut tx, person.id, &password_hash).await?;
    let ended = session::end_all_for(&mut tx, person.id, Some(&person.session_hash)).await?;
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "account.password_changed",
        &format!("person/{}", person.id),
        &PersonNamed { name: &person.name },
    )
    .await?;
    notices::add(&mut tx, person.id, Notice::PasswordChanged, now).await?;
    tx.commit().await?;
    let message = match ended {
        0 => "Your password was changed.".to_string(),
        1 => "Your password was changed, and your one other session was ended.".to_string(),
        n => format!("Your password was changed, and your {n} other sessions were ended."),
    };
    Ok((flash::set(&message), Redirect::to("/settings")).into_response())
}

/// `POST /settings/sessions/{id}/end`: ends one of my sessions (this one
/// signs me out).
pub async fn end_session(
    State(state): State<AppState>,
    person: CurrentPerson,
    Path(id): Path<i64>,
) -> Result<Response> {
    let mut tx = state.db.begin_write().await?;
    let ended = store::end_session(&mut tx, person.id, id).await?;
    tx.commit().await?;
    match ended {
        Some(hash) if hash == person.session_hash => {
            let [flash] = flash::set("You are signed out.");
            Ok((
                AppendHeaders([
                    (SET_COOKIE, session::removal_cookie(&state.settings)),
                    flash,
                ]),
                Redirect::to("/login"),
            )
                .into_response())
        }
        Some(_) => Ok((
            flash::set("That session was ended; that browser is signed out."),
            Redirect::to("/settings"),
        )
            .into_response()),
        None => Ok((
            flash::set("That session had already ended."),
            Redirect::to("/settings"),
        )
            .into_response()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct OnceForm {
    #[serde(default)]
    once: String,
}

#[derive(Serialize)]
struct CodesRenewed<'a> {
    name: &'a str,
    count: usize,
}

/// `POST /settings/recovery-codes`: ten new codes, shown once; the earlier
/// unused ones stop working. The record notes the renewal, never the codes.
pub async fn renew_codes(
    State(state): State<AppState>,
    person: CurrentPerson,
    Form(form): Form<OnceForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to("/recovery-codes").into_response());
    }
    let codes = recovery::replace_codes(&mut tx, person.id, now).await?;
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "account.recovery_codes_renewed",
        &format!("person/{}", person.id),
        &CodesRenewed {
            name: &person.name,
            count: codes.len(),
        },
    )
    .await?;
    notices::add(&mut tx, person.id, Notice::RecoveryCodesRenewed, now).await?;
    tx.commit().await?;
    Ok((
        AppendHeaders([(
            SET_COOKIE,
            recovery::codes_cookie(&state.settings, person.id, &codes),
        )]),
        Redirect::to("/recovery-codes"),
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct TimeZoneForm {
    #[serde(default)]
    once: String,
    #[serde(default)]
    time_zone: String,
}

#[derive(Serialize)]
struct TimeZoneChanged<'a> {
    from: &'a str,
    to: &'a str,
}

/// `POST /settings/time-zone`: the pair's zone; the change goes on the record.
pub async fn change_time_zone(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<TimeZoneForm>,
) -> Result<Response> {
    let mut errors = FormErrors::new();
    let Some(zone) = errors.check("time_zone", accounts::check_time_zone(&form.time_zone)) else {
        let typed: String = form.time_zone.chars().take(64).collect();
        return render(&state, &person, layout, errors, typed).await;
    };
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let current = store::time_zone_tx(&mut tx).await?;
    if current == zone {
        tx.rollback().await?;
        return Ok((
            flash::set(&format!("The time zone stays {zone}.")),
            Redirect::to("/settings"),
        )
            .into_response());
    }
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to("/settings").into_response());
    }
    crate::auth::store::set_time_zone(&mut tx, &zone).await?;
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "pair.time_zone_changed",
        "pair",
        &TimeZoneChanged {
            from: &current,
            to: &zone,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        flash::set(&format!(
            "The time zone is now {zone} for both of you; the change is on the record."
        )),
        Redirect::to("/settings"),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::describe_browser;

    #[test]
    fn browsers_are_described_plainly() {
        assert_eq!(
            describe_browser(
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
            ),
            "Firefox on Linux"
        );
        assert_eq!(
            describe_browser(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
            ),
            "Safari on iOS"
        );
        assert_eq!(describe_browser(""), "An unknown browser");
    }
}
