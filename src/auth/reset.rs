//! The reset link that `amends reset-link NAME` prints, for when both the
//! password and the recovery codes are lost: single use, valid 24 hours.
//! The reset ends every session of the account, goes on the record, and
//! its owner is told at their next sign-in.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::links::{self, Purpose};
use super::notices::{self, Notice};
use super::{password, session, store};
use crate::app::AppState;
use crate::error::{AppError, Result};
use crate::ledger;
use crate::web::{Form, FormErrors, Layout, flash};

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    layout: Layout,
    name: String,
    action: String,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

#[derive(Serialize)]
struct PasswordReset<'a> {
    name: &'a str,
    with: &'a str,
}

/// The person a valid reset link is for.
async fn person_for(state: &AppState, token: &str) -> Result<store::Person> {
    let link = links::find_valid(&state.db.readers, Purpose::Reset, token, state.clock.now())
        .await?
        .ok_or(AppError::NotFound)?;
    let id = link.person_id.ok_or(AppError::NotFound)?;
    store::person_by_id(&state.db.readers, id)
        .await?
        .filter(|p| p.closed_at.is_none())
        .ok_or(AppError::NotFound)
}

/// `GET /reset/{token}`
pub async fn form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    layout: Layout,
) -> Result<Response> {
    let person = person_for(&state, &token).await?;
    render(layout, person.name, &token, FormErrors::new())
}

/// `POST /reset/{token}`
pub async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    layout: Layout,
    Form(form): Form<ResetForm>,
) -> Result<Response> {
    let person = person_for(&state, &token).await?;
    let mut errors = FormErrors::new();
    errors.check(
        "password",
        password::check_new(&form.password, &person.name),
    );
    if form.password != form.password_again {
        errors.add("password_again", "The two passwords are not the same.");
    }
    if !errors.is_empty() {
        return render(layout, person.name, &token, errors);
    }
    let password_hash = password::hash(form.password.clone()).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    // Checked again: the link may have been used while the password was hashed.
    let link = links::find_valid_tx(&mut tx, Purpose::Reset, &token, now)
        .await?
        .filter(|l| l.person_id == Some(person.id))
        .ok_or(AppError::NotFound)?;
    links::mark_used(&mut tx, &link.token_hash, now).await?;
    store::set_password(&mut tx, person.id, &password_hash).await?;
    session::end_all_for(&mut tx, person.id, None).await?;
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "account.password_reset",
        &format!("person/{}", person.id),
        &PasswordReset {
            name: &person.name,
            with: "reset_link",
        },
    )
    .await?;
    notices::add(&mut tx, person.id, Notice::PasswordResetWithLink, now).await?;
    tx.commit().await?;
    tracing::info!(person = person.id, "password reset with a reset link");
    Ok((
        flash::set(
            "The new password is set and every earlier session has ended. Please sign in with it.",
        ),
        Redirect::to("/login"),
    )
        .into_response())
}

fn render(layout: Layout, name: String, token: &str, errors: FormErrors) -> Result<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ResetPage {
        layout,
        name,
        action: format!("/reset/{token}"),
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}
