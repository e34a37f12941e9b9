//! Trust levels: the hurt person's own word, 0 to 10, with an optional note,
//! private unless they share it. Recording a level writes nothing to the
//! record (see the module above); changing whether it is shared does, with
//! no value in it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::store::{self, TrustLevel};
use crate::app::AppState;
use crate::auth::CurrentPerson;
use crate::charts::LineChart;
use crate::clock;
use crate::error::{AppError, Result};
use crate::repair::{RepairPath, back_to, begin, load, only, record as record_entry};
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout, once, time};

/// The most levels listed on the trust page.
pub const LISTED: i64 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct LevelForm {
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub once: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SharingForm {
    #[serde(default)]
    pub shared: String,
    #[serde(default)]
    pub once: String,
}

/// A level as typed: a whole number from 0 to 10.
pub fn parse_level(input: &str) -> std::result::Result<u8, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("Please choose a number from 0 to 10.".into());
    }
    match text.parse::<u8>() {
        Ok(level) if level <= 10 => Ok(level),
        _ => Err(
            "Please give a whole number from 0 (no trust at all) to 10 (complete trust).".into(),
        ),
    }
}

#[derive(Template)]
#[template(path = "trust/page.html")]
struct TrustPage {
    layout: Layout,
    path: RepairPath,
    is_hurt: bool,
    shared: bool,
    chart: Option<LineChart>,
    levels: Vec<TrustLevel>,
    form: LevelForm,
    errors: FormErrors,
    once: String,
}

impl TrustPage {
    fn date(&self, stored: &str) -> String {
        crate::repair::long_date(stored)
    }
    fn fresh(&self) -> String {
        once::new_key()
    }
}

/// `GET /breaches/{id}/trust`
pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    render(
        &state,
        id,
        &person,
        layout,
        LevelForm::default(),
        FormErrors::new(),
    )
    .await
}

async fn render(
    state: &AppState,
    id: i64,
    person: &CurrentPerson,
    layout: Layout,
    form: LevelForm,
    errors: FormErrors,
) -> Result<Response> {
    let path = load(state, id).await?;
    let mut conn = state.db.readers.acquire().await?;
    let section =
        super::Section::load(&mut conn, &path, person.id, &layout.tz, state.clock.now()).await?;
    let levels = if section.chart.is_some() {
        store::levels(&mut conn, id, path.hurt.id, LISTED).await?
    } else {
        Vec::new()
    };
    drop(conn);
    let once = if form.once.is_empty() {
        once::new_key()
    } else {
        form.once.clone()
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TrustPage {
        layout,
        is_hurt: section.is_hurt,
        shared: section.shared,
        chart: section.chart,
        path,
        levels,
        form,
        errors,
        once,
    };
    Ok((status, Html(page.render()?)).into_response())
}

fn only_hurt(path: &RepairPath, person: &CurrentPerson, what: &str) -> Result<()> {
    only(
        person.id == path.hurt.id,
        format!("Only {} {what}.", path.hurt.name),
    )
}

/// `POST /breaches/{id}/trust`: the hurt person records a level. Nothing
/// goes on the record: the value is theirs.
pub async fn record(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<LevelForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_hurt(
        &path,
        &person,
        "records how much they trust here; it is their word alone",
    )?;
    let mut errors = FormErrors::new();
    let level = errors.check("level", parse_level(&form.level));
    let note = errors.check("note", fields::optional(&form.note, limits::NOTE));
    let (Some(level), Some(note)) = (level, note) else {
        return render(&state, id, &person, layout, form, errors).await;
    };
    let now = state.clock.now();
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, "Written down, for you."));
    };
    let day = time::today(now, &layout.tz).to_string();
    store::insert_level(
        &mut tx,
        &store::NewLevel {
            breach_id: id,
            person_id: path.hurt.id,
            level,
            note: note.as_deref(),
            recorded_on: &day,
            recorded_at: &clock::format(now),
        },
    )
    .await?;
    let shared = store::shared(&mut tx, id).await?;
    tx.commit().await?;
    let message = if shared {
        format!("Written down. You share these with {}.", path.broke.name)
    } else {
        "Written down. Only you can see it.".to_string()
    };
    Ok(back_to(id, &message))
}

/// `POST /breaches/{id}/trust/sharing`: the hurt person shares their levels
/// with the other person, or stops. The record says only which.
pub async fn sharing(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    Form(form): Form<SharingForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_hurt(
        &path,
        &person,
        "decides whether their trust levels are shared",
    )?;
    let shared = match form.shared.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Please choose whether to share, with one of the two buttons.".into(),
            ));
        }
    };
    let broke = path.broke.name.clone();
    let message = if shared {
        format!("{broke} can now see your trust levels and notes for this breach.")
    } else {
        format!("Your trust levels for this breach are private again; {broke} no longer sees them.")
    };
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    if store::shared(&mut tx, id).await? == shared {
        tx.rollback().await?;
        return Ok(back_to(id, &message));
    }
    store::set_shared(
        &mut tx,
        id,
        person.id,
        shared,
        &clock::format(state.clock.now()),
    )
    .await?;
    record_entry(
        &mut tx,
        &state,
        &person,
        "trust.sharing_changed",
        &path,
        json!({
            "shared": shared,
            "with": { "id": path.broke.id, "name": path.broke.name },
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}

#[cfg(test)]
mod tests {
    use super::parse_level;

    #[test]
    fn levels_are_whole_numbers_from_0_to_10() {
        assert_eq!(parse_level("0"), Ok(0));
        assert_eq!(parse_level(" 10 "), Ok(10));
        for bad in ["", "11", "-1", "7.5", "seven", "1e1", "0x5", "256", "\0"] {
            assert!(parse_level(bad).is_err(), "{bad:?}");
        }
    }
}
