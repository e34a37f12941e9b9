//! Noticed: either person writes down a good change they saw in the other,
//! so the story they tell about each other can change. A page of them, newest
//! first, and the latest for Today.

pub mod store;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

use crate::app::{AppState, Route};
use crate::auth::CurrentPerson;
use crate::error::{AppError, Result};
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout, flash, once, time};
use crate::{clock, ledger};

pub use store::Noticed;

/// Noticed changes per page.
pub const PAGE: i64 = 20;

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/noticed", show),
        Route::action("/noticed", write),
    ]
}

/// The most recent noticed change, for Today.
pub async fn latest(pool: &SqlitePool) -> Result<Option<Noticed>> {
    Ok(store::page(pool, None, 1).await?.into_iter().next())
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticedForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub happened_on: String,
    #[serde(default)]
    pub once: String,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    before: String,
}

#[derive(Serialize)]
struct Written<'a> {
    text: &'a str,
    happened_on: &'a str,
    about: i64,
    about_name: &'a str,
}

struct Item {
    id: i64,
    by: String,
    about: String,
    text: String,
    happened: String,
    written: String,
}

#[derive(Template)]
#[template(path = "noticed/index.html")]
struct NoticedPage {
    layout: Layout,
    other: Option<String>,
    form: NoticedForm,
    errors: FormErrors,
    once: String,
    today: String,
    items: Vec<Item>,
    older: Option<String>,
    paged: bool,
}

/// `GET /noticed`
async fn show(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let query: PageQuery = crate::web::form::parse(raw.unwrap_or_default().as_bytes())?;
    let before = if query.before.is_empty() {
        None
    } else {
        Some(query.before.parse::<i64>().map_err(|_| {
            AppError::BadRequest("This page address is not one Amends made.".into())
        })?)
    };
    let today = time::today(state.clock.now(), &layout.tz);
    let form = NoticedForm {
        happened_on: today.to_string(),
        ..NoticedForm::default()
    };
    render(&state, &person, layout, form, FormErrors::new(), before).await
}

/// `POST /noticed`
async fn write(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<NoticedForm>,
) -> Result<Response> {
    let other = crate::auth::store::other_person(&state.db.readers, person.id)
        .await?
        .ok_or_else(|| {
            AppError::Conflict(
                "The other person has not joined yet, so there is no one to notice.".into(),
            )
        })?;
    let now = state.clock.now();
    let today = time::today(now, &layout.tz);
    let mut errors = FormErrors::new();
    let text = errors.check(
        "text",
        fields::required(&form.text, limits::NOTE, "what you noticed"),
    );
    let happened_on = errors.check("happened_on", check_day(&form.happened_on, today));
    let (Some(text), Some(happened_on)) = (text, happened_on) else {
        return render(&state, &person, layout, form, errors, None).await;
    };

    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to("/noticed").into_response());
    }
    let day = happened_on.to_string();
    let id = store::insert(
        &mut tx,
        person.id,
        other.id,
        &text,
        &day,
        &clock::format(now),
    )
    .await?;
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "noticed.written",
        &format!("noticed/{id}"),
        &Written {
            text: &text,
            happened_on: &day,
            about: other.id,
            about_name: &other.name,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        flash::set(&format!("Written down. {} can see it now.", other.name)),
        Redirect::to("/noticed"),
    )
        .into_response())
}

/// A day on or before today, within the last ten years; today when empty.
pub fn check_day(input: &str, today: Date) -> std::result::Result<Date, String> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(today);
    }
    let day: Date = input
        .parse()
        .map_err(|_| "Please give the day as a date, like 2026-03-14.".to_string())?;
    if day > today {
        return Err("This day has not come yet; please choose today or an earlier day.".into());
    }
    let earliest = today.checked_sub(10.years()).unwrap_or(Date::MIN);
    if day < earliest {
        return Err("Please choose a day within the last ten years.".into());
    }
    Ok(day)
}

async fn render(
    state: &AppState,
    person: &CurrentPerson,
    layout: Layout,
    form: NoticedForm,
    errors: FormErrors,
    before: Option<i64>,
) -> Result<Response> {
    let pool = &state.db.readers;
    let names = crate::ledger::describe::Names::load(pool).await?;
    let other = crate::auth::store::other_person(pool, person.id)
        .await?
        .map(|p| p.name);
    let mut rows = store::page(pool, before, PAGE + 1).await?;
    let older = if rows.len() > PAGE as usize {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| format!("/noticed?before={}", r.id))
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|r| Item {
            id: r.id,
            by: names.of(Some(r.author)).to_string(),
            about: names.of(Some(r.about)).to_string(),
            happened: r
                .happened_on
                .parse::<Date>()
                .map(time::long_date)
                .unwrap_or(r.happened_on),
            written: layout.when(&r.written_at),
            text: r.text,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let today = time::today(state.clock.now(), &layout.tz).to_string();
    let page = NoticedPage {
        layout,
        other,
        form,
        errors,
        once: once::new_key(),
        today,
        items,
        older,
        paged: before.is_some(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_day_defaults_to_today_and_is_never_in_the_future() {
        let today = date(2026, 5, 3);
        assert_eq!(check_day("", today), Ok(today));
        assert_eq!(check_day("2026-05-01", today), Ok(date(2026, 5, 1)));
        assert!(check_day("2026-05-04", today).is_err());
        assert!(check_day("2015-01-01", today).is_err());
        assert!(check_day("yesterday", today).is_err());
    }
}
