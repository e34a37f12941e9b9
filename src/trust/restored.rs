//! "Trust restored": only the person who was hurt declares it, with an
//! optional note, and can take it back. The breach's status follows.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use super::NoteForm;
use super::store;
use crate::app::AppState;
use crate::auth::CurrentPerson;
use crate::clock;
use crate::error::Result;
use crate::repair::{
    Field, RepairPath, StepPage, back_to, begin, load, not_possible, only, record,
};
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout};

fn only_hurt(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    only(
        person.id == path.hurt.id,
        format!("Only {} can say whether trust is restored.", path.hurt.name),
    )
}

fn page(
    layout: Layout,
    path: &RepairPath,
    withdraw: bool,
    form: &NoteForm,
    errors: FormErrors,
) -> StepPage {
    let broke = &path.broke.name;
    let (action, heading, intro, label, submit) = if withdraw {
        (
            "restored/withdraw",
            "Take back “trust restored”".to_string(),
            vec![format!(
                "If trust no longer feels restored, you can take it back. The breach goes back to where it stood, and both the declaration and this stay on the record. {broke} will see it."
            )],
            "A note".to_string(),
            "Take it back".to_string(),
        )
    } else {
        (
            "restored",
            "Trust restored".to_string(),
            vec![
                format!(
                    "Only you can say this. When you feel that your trust in {broke} is restored, you can say so here; it is marked on the breach and on the timeline for both of you."
                ),
                "You can take it back later if that changes.".to_string(),
            ],
            format!("A note for {broke}"),
            "Say trust is restored".to_string(),
        )
    };
    StepPage {
        layout,
        breach_id: path.id(),
        breach_title: path.breach.title.clone(),
        heading,
        intro,
        context: Vec::new(),
        action: format!("/breaches/{}/{action}", path.id()),
        choice: None,
        fields: vec![Field {
            name: "note",
            label,
            hint: "Optional, up to 2,000 characters.".into(),
            value: form.note.clone(),
            multiline: true,
            max: limits::NOTE,
        }],
        submit,
        errors,
        once: form.key(),
    }
}

/// `GET /breaches/{id}/restored`
pub async fn declare_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_hurt(&path, &person)?;
    page(
        layout,
        &path,
        false,
        &NoteForm::default(),
        FormErrors::new(),
    )
    .respond()
}

/// `POST /breaches/{id}/restored`
pub async fn declare(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<NoteForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_hurt(&path, &person)?;
    let mut errors = FormErrors::new();
    let Some(note) = errors.check("note", fields::optional(&form.note, limits::NOTE)) else {
        return page(layout, &path, false, &form, errors).respond();
    };
    let message = format!(
        "You said trust is restored. {} can see it now.",
        path.broke.name
    );
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    if store::current_restoration(&mut tx, id).await?.is_some() {
        return Err(not_possible("You already said trust is restored here."));
    }
    let at = clock::format(state.clock.now());
    store::insert_restoration(&mut tx, id, person.id, note.as_deref(), &at).await?;
    record(
        &mut tx,
        &state,
        &person,
        "trust.restored",
        &path,
        json!({ "note": note, "with": { "id": path.broke.id, "name": path.broke.name } }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}

/// `GET /breaches/{id}/restored/withdraw`
pub async fn withdraw_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_hurt(&path, &person)?;
    page(layout, &path, true, &NoteForm::default(), FormErrors::new()).respond()
}

/// `POST /breaches/{id}/restored/withdraw`
pub async fn withdraw(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<NoteForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_hurt(&path, &person)?;
    let mut errors = FormErrors::new();
    let Some(note) = errors.check("note", fields::optional(&form.note, limits::NOTE)) else {
        return page(layout, &path, true, &form, errors).respond();
    };
    let message = format!(
        "You took back that trust is restored. {} can see it.",
        path.broke.name
    );
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    let Some(current) = store::current_restoration(&mut tx, id).await? else {
        return Err(not_possible("Trust is not marked as restored here."));
    };
    let at = clock::format(state.clock.now());
    store::withdraw(&mut tx, current.id, note.as_deref(), &at).await?;
    record(
        &mut tx,
        &state,
        &person,
        "trust.restoration_withdrawn",
        &path,
        json!({ "note": note, "declared_at": current.declared_at, "declared_note": current.note }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}
