//! Pausing a repair. The hurt person pauses and resumes; the one who broke
//! trust can ask for a pause, which the hurt person accepts or declines.
//! A pause is of a repair under way; resuming is always possible.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use super::store::{self, NewPause};
use super::{NoteForm, pause_days};
use crate::app::AppState;
use crate::auth::CurrentPerson;
use crate::clock;
use crate::error::Result;
use crate::repair::{
    Field, RepairPath, StepPage, back_to, begin, load, not_possible, only, record,
};
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout};

fn repair_active(path: &RepairPath) -> bool {
    path.open_repair().is_some_and(|r| r.state == "active")
}

fn only_hurt(path: &RepairPath, person: &CurrentPerson, what: &str) -> Result<()> {
    only(
        person.id == path.hurt.id,
        format!("Only {} can {what}.", path.hurt.name),
    )
}

/// What a one-field step page says.
struct Wording {
    heading: String,
    intro: Vec<String>,
    label: String,
    hint: String,
    submit: String,
}

/// A one-field step page with an optional note.
fn note_page(
    layout: Layout,
    path: &RepairPath,
    action: &str,
    wording: Wording,
    form: &NoteForm,
    errors: FormErrors,
) -> StepPage {
    let Wording {
        heading,
        intro,
        label,
        hint,
        submit,
    } = wording;
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
            hint,
            value: form.note.clone(),
            multiline: true,
            max: limits::NOTE,
        }],
        submit,
        errors,
        once: form.key(),
    }
}

fn checked_note(form: &NoteForm) -> (FormErrors, Option<Option<String>>) {
    let mut errors = FormErrors::new();
    let note = errors.check("note", fields::optional(&form.note, limits::NOTE));
    (errors, note)
}

// --- Pausing ------------------------------------------------------------------

fn pause_page(layout: Layout, path: &RepairPath, form: &NoteForm, errors: FormErrors) -> StepPage {
    note_page(
        layout,
        path,
        "pause",
        Wording {
            heading: "Pause this repair".into(),
            intro: vec![
                format!(
                    "You can take space whenever you need it. While the repair is paused, {}'s recurring commitments are suspended: nothing is due and nothing counts as missed. Standing commitments stay in force.",
                    path.broke.name
                ),
                "You can resume whenever you are ready.".into(),
            ],
            label: "Why you are pausing".into(),
            hint: format!(
                "Optional, up to 2,000 characters. {} will see it.",
                path.broke.name
            ),
            submit: "Pause the repair".into(),
        },
        form,
        errors,
    )
}

fn check_can_pause(path: &RepairPath) -> Result<()> {
    if !repair_active(path) {
        return Err(not_possible(
            "A repair can be paused while it is under way, once you have both committed to it.",
        ));
    }
    Ok(())
}

/// `GET /breaches/{id}/pause`
pub async fn pause_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_hurt(&path, &person, "pause this repair")?;
    check_can_pause(&path)?;
    pause_page(layout, &path, &NoteForm::default(), FormErrors::new()).respond()
}

/// `POST /breaches/{id}/pause`: the hurt person pauses.
pub async fn start(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<NoteForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_hurt(&path, &person, "pause this repair")?;
    let (errors, note) = checked_note(&form);
    let Some(reason) = note else {
        return pause_page(layout, &path, &form, errors).respond();
    };
    let message = format!(
        "The repair is paused. {} can see that it is, and why if you said.",
        path.broke.name
    );
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    check_can_pause(&path)?;
    if store::open_pause(&mut tx, id).await?.is_some() {
        return Err(not_possible("This repair is already paused."));
    }
    if store::waiting_request(&mut tx, id).await?.is_some() {
        return Err(not_possible(format!(
            "{} asked for a pause; please accept or decline it on the breach's page.",
            path.broke.name
        )));
    }
    let now = state.clock.now();
    let from = pause_days(now, None, &layout.tz).from.to_string();
    store::insert_pause(
        &mut tx,
        &NewPause {
            breach_id: id,
            started_by: person.id,
            reason: reason.as_deref(),
            request_id: None,
            started_at: &clock::format(now),
            from_date: &from,
        },
    )
    .await?;
    record(
        &mut tx,
        &state,
        &person,
        "pause.started",
        &path,
        json!({ "reason": reason, "from": from }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}

// --- Asking for a pause -------------------------------------------------------

fn request_page(
    layout: Layout,
    path: &RepairPath,
    form: &NoteForm,
    errors: FormErrors,
) -> StepPage {
    note_page(
        layout,
        path,
        "pause/request",
        Wording {
            heading: "Ask for a pause".into(),
            intro: vec![format!(
                "If you need some space, you can ask {} to pause the repair. It is theirs to accept or decline.",
                path.hurt.name
            )],
            label: "Why you are asking".into(),
            hint: format!(
                "Optional, up to 2,000 characters. {} will see it.",
                path.hurt.name
            ),
            submit: format!("Ask {}", path.hurt.name),
        },
        form,
        errors,
    )
}

fn only_broke(path: &RepairPath, person: &CurrentPerson) -> Result<()> {
    only(
        person.id == path.broke.id,
        format!(
            "{} can ask for a pause; you can pause the repair yourself.",
            path.broke.name
        ),
    )
}

/// `GET /breaches/{id}/pause/request`
pub async fn request_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_broke(&path, &person)?;
    check_can_pause(&path)?;
    request_page(layout, &path, &NoteForm::default(), FormErrors::new()).respond()
}

/// `POST /breaches/{id}/pause/request`: the one who broke trust asks.
pub async fn request(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<NoteForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_broke(&path, &person)?;
    let (errors, note) = checked_note(&form);
    let Some(reason) = note else {
        return request_page(layout, &path, &form, errors).respond();
    };
    let message = format!(
        "You asked {} for a pause. It is theirs to answer.",
        path.hurt.name
    );
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    check_can_pause(&path)?;
    if store::open_pause(&mut tx, id).await?.is_some() {
        return Err(not_possible("This repair is already paused."));
    }
    if store::waiting_request(&mut tx, id).await?.is_some() {
        return Err(not_possible(format!(
            "You already asked; {} has not answered yet.",
            path.hurt.name
        )));
    }
    let now = clock::format(state.clock.now());
    store::insert_request(&mut tx, id, person.id, reason.as_deref(), &now).await?;
    record(
        &mut tx,
        &state,
        &person,
        "pause.requested",
        &path,
        json!({ "reason": reason, "to": { "id": path.hurt.id, "name": path.hurt.name } }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}

// --- Answering a request ------------------------------------------------------

/// `POST /breaches/{id}/pause/accept`: the hurt person accepts; the pause
/// begins now, with the request's reason.
pub async fn accept(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<NoteForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_hurt(&path, &person, "answer a request for a pause")?;
    let message = format!(
        "You accepted. The repair is paused, and {} can see it.",
        path.broke.name
    );
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    let Some(waiting) = store::waiting_request(&mut tx, id).await? else {
        return Err(not_possible("There is no request for a pause waiting."));
    };
    let now = state.clock.now();
    let at = clock::format(now);
    store::answer_request(&mut tx, waiting.id, "accepted", None, &at).await?;
    let from = pause_days(now, None, &layout.tz).from.to_string();
    if store::open_pause(&mut tx, id).await?.is_some() {
        return Err(not_possible("This repair is already paused."));
    }
    store::insert_pause(
        &mut tx,
        &NewPause {
            breach_id: id,
            started_by: person.id,
            reason: waiting.reason.as_deref(),
            request_id: Some(waiting.id),
            started_at: &at,
            from_date: &from,
        },
    )
    .await?;
    record(
        &mut tx,
        &state,
        &person,
        "pause.request_accepted",
        &path,
        json!({
            "request": {
                "id": waiting.id,
                "requested_by": { "id": waiting.requested_by, "name": path.name(waiting.requested_by) },
                "reason": waiting.reason,
            },
            "reason": waiting.reason,
            "from": from,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}

fn decline_page(
    layout: Layout,
    path: &RepairPath,
    form: &NoteForm,
    errors: FormErrors,
) -> StepPage {
    note_page(
        layout,
        path,
        "pause/decline",
        Wording {
            heading: "Decline the pause".into(),
            intro: vec![format!(
                "The repair goes on as it is. You can say why, if you like; {} will see it.",
                path.broke.name
            )],
            label: "A note".into(),
            hint: "Optional, up to 2,000 characters.".into(),
            submit: "Decline the pause".into(),
        },
        form,
        errors,
    )
}

/// `GET /breaches/{id}/pause/decline`
pub async fn decline_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_hurt(&path, &person, "answer a request for a pause")?;
    decline_page(layout, &path, &NoteForm::default(), FormErrors::new()).respond()
}

/// `POST /breaches/{id}/pause/decline`
pub async fn decline(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<NoteForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_hurt(&path, &person, "answer a request for a pause")?;
    let (errors, note) = checked_note(&form);
    let Some(note) = note else {
        return decline_page(layout, &path, &form, errors).respond();
    };
    let message = format!(
        "You declined the pause. {} can see your answer.",
        path.broke.name
    );
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    let Some(waiting) = store::waiting_request(&mut tx, id).await? else {
        return Err(not_possible("There is no request for a pause waiting."));
    };
    let at = clock::format(state.clock.now());
    store::answer_request(&mut tx, waiting.id, "declined", note.as_deref(), &at).await?;
    record(
        &mut tx,
        &state,
        &person,
        "pause.request_declined",
        &path,
        json!({
            "request": {
                "id": waiting.id,
                "requested_by": { "id": waiting.requested_by, "name": path.name(waiting.requested_by) },
                "reason": waiting.reason,
            },
            "note": note,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}

// --- Resuming -----------------------------------------------------------------

/// `POST /breaches/{id}/pause/resume`: the hurt person resumes.
pub async fn resume(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<NoteForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only_hurt(&path, &person, "resume this repair")?;
    let message = format!(
        "The repair is resumed. {}'s commitments are in force again from today.",
        path.broke.name
    );
    let Some((mut tx, path)) = begin(&state, &person, &form.once, id).await? else {
        return Ok(back_to(id, &message));
    };
    let Some(open) = store::open_pause(&mut tx, id).await? else {
        return Err(not_possible("This repair is not paused."));
    };
    let now = state.clock.now();
    let started = clock::parse(&open.started_at).unwrap_or(now);
    let days = pause_days(started, Some(now), &layout.tz);
    // The first paused day is what was recorded; the resume day follows it.
    let until = days
        .until
        .unwrap_or(days.from)
        .to_string()
        .max(open.from_date.clone());
    store::resume(&mut tx, open.id, person.id, &clock::format(now), &until).await?;
    record(
        &mut tx,
        &state,
        &person,
        "pause.resumed",
        &path,
        json!({
            "paused_since": open.from_date,
            "until": until,
            "reason": open.reason,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(id, &message))
}
