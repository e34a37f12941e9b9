//! Leaving: either person can close their own account. They are offered
//! their copy first and confirm with their password; sign-in is disabled,
//! their sessions end, and the other person is told on their next visit.
//! Nothing on the record is altered or removed; the closing is recorded.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::store;
use crate::app::AppState;
use crate::auth::{self, CurrentPerson, password, session};
use crate::error::{AppError, Result};
use crate::ledger;
use crate::web::{Form, FormErrors, Layout, flash, once};

#[derive(Template)]
#[template(path = "copies/close.html")]
struct ClosePage {
    layout: Layout,
    once: String,
    copy_once: String,
    errors: FormErrors,
    other_name: Option<String>,
}

/// What the closing form sends. The password is never sent back.
#[derive(Debug, Default, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    once: String,
}

#[derive(Serialize)]
struct AccountClosed<'a> {
    name: &'a str,
}

/// `GET /account/close`
pub async fn confirm(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    render(&state, &person, layout, FormErrors::new(), once::new_key()).await
}

/// `POST /account/close`
pub async fn close(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<CloseForm>,
) -> Result<Response> {
    let mut errors = FormErrors::new();
    if form.password.is_empty() {
        errors.add("password", "Please enter your password to confirm.");
    } else if form.password.chars().count() > password::MAX_LENGTH {
        errors.add(
            "password",
            "That is not your password. Nothing was changed.",
        );
    } else {
        let stored = auth::store::person_by_id(&state.db.readers, person.id)
            .await?
            .map(|p| p.password_hash);
        if !password::verify(form.password.clone(), stored).await? {
            errors.add(
                "password",
                "That is not your password. Nothing was changed.",
            );
        }
    }
    if !errors.is_empty() {
        return render(&state, &person, layout, errors, form.once).await;
    }

    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if once::claim(&mut tx, person.id, &form.once, now).await?
        && store::close_account(&mut tx, person.id, &crate::clock::format(now)).await?
    {
        session::end_all_for(&mut tx, person.id, None).await?;
        ledger::append(
            &mut tx,
            &state.clock,
            Some(person.id),
            "account.closed",
            &format!("person/{}", person.id),
            &AccountClosed { name: &person.name },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(person = person.id, "account closed");
    } else {
        tx.rollback().await?;
    }
    Ok((
        [(SET_COOKIE, session::removal_cookie(&state.settings))],
        flash::set(
            "Your account is closed and you are signed out. Everything on the record stays as it was.",
        ),
        Redirect::to("/login"),
    )
        .into_response())
}

/// `POST /account/notice/dismiss`: puts away the notice that the other
/// person closed their account.
pub async fn dismiss(State(state): State<AppState>, person: CurrentPerson) -> Result<Response> {
    let mut tx = state.db.begin_write().await?;
    store::dismiss_departure(&mut tx, person.id, &crate::clock::format(state.clock.now())).await?;
    tx.commit().await?;
    Ok(Redirect::to("/").into_response())
}

async fn render(
    state: &AppState,
    person: &CurrentPerson,
    layout: Layout,
    errors: FormErrors,
    once: String,
) -> Result<Response> {
    let other_name = auth::store::other_person(&state.db.readers, person.id)
        .await?
        .filter(|p| p.closed_at.is_none())
        .map(|p| p.name);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let once = if once.is_empty() {
        once::new_key()
    } else {
        once
    };
    let page = ClosePage {
        layout,
        once,
        copy_once: once::new_key(),
        errors,
        other_name,
    };
    Ok((status, Html(page.render().map_err(AppError::from)?)).into_response())
}
