//! The repair path of a breach: naming it, understanding it, the apology,
//! asking what would help, and both committing to repair.
//!
//! Roles belong to a breach, not to an account: `breaches.broke_trust` names
//! one of the two people and the other one is the person who was hurt. Each
//! step belongs to one of them; anyone else gets a 403 and nothing changes.
//! Every step is written with its record entry (the full text in the body)
//! in one transaction, claims the form's `once` key first, and reads the path
//! again inside the transaction to check the step is still possible.

pub mod apology;
pub mod hints;
pub mod path;
pub mod steps;
pub mod store;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::json;
use sqlx::{Sqlite, Transaction};

use crate::app::{AppState, Route};
use crate::auth::CurrentPerson;
use crate::error::{AppError, Result};
use crate::ledger;
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout, flash, once};
pub use path::{RepairPath, Status};

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/breaches", list),
        Route::page("/breaches/new", new_form),
        Route::action("/breaches", create),
        Route::page("/breaches/{id}", show),
        Route::action("/breaches/{id}/disclosure", steps::answer_disclosure),
        Route::page("/breaches/{id}/other-view", steps::other_view_form),
        Route::action("/breaches/{id}/other-view", steps::add_other_view),
        Route::page("/breaches/{id}/impact", steps::impact_form),
        Route::action("/breaches/{id}/impact", steps::write_impact),
        Route::page("/breaches/{id}/explanation", steps::explanation_form),
        Route::action("/breaches/{id}/explanation", steps::explain),
        Route::page("/breaches/{id}/understanding", steps::answer_form),
        Route::action("/breaches/{id}/understanding", steps::answer_understanding),
        Route::page("/breaches/{id}/apology", apology::form),
        Route::action("/breaches/{id}/apology", apology::preview_or_send),
        Route::page("/breaches/{id}/apologies/{apology_id}", apology::show),
        Route::action("/breaches/{id}/apologies/{apology_id}/open", apology::open),
        Route::action(
            "/breaches/{id}/apologies/{apology_id}/answer",
            apology::answer,
        ),
        Route::page("/breaches/{id}/ask", steps::ask_form),
        Route::action("/breaches/{id}/ask", steps::ask),
        Route::page("/breaches/{id}/requests", steps::request_form),
        Route::action("/breaches/{id}/requests", steps::request),
        Route::action("/breaches/{id}/repair/propose", steps::propose),
        Route::action("/breaches/{id}/repair/confirm", steps::confirm),
        Route::page("/breaches/{id}/repair/not-now", steps::not_now_form),
        Route::action("/breaches/{id}/repair/not-now", steps::not_now),
        Route::page("/breaches/{id}/repair/step-away", steps::step_away_form),
        Route::action("/breaches/{id}/repair/step-away", steps::step_away),
    ]
}

// --- Shared helpers for the steps ------------------------------------------

/// Reads a breach's path for a page.
pub(crate) async fn load(state: &AppState, breach_id: i64) -> Result<RepairPath> {
    let mut conn = state.db.readers.acquire().await?;
    RepairPath::load(&mut conn, breach_id).await
}

/// Refuses a step that belongs to the other person (or to nobody now).
pub(crate) fn only(allowed: bool, message: impl Into<String>) -> Result<()> {
    if allowed {
        Ok(())
    } else {
        Err(AppError::forbidden(message))
    }
}

/// A step the path does not allow at this point.
pub(crate) fn not_possible(message: impl Into<String>) -> AppError {
    AppError::Conflict(message.into())
}

/// Starts a step's write: claims the form's key and reads the path again.
/// `None` means this form was already sent; nothing more should happen.
pub(crate) async fn begin(
    state: &AppState,
    person: &CurrentPerson,
    once_key: &str,
    breach_id: i64,
) -> Result<Option<(Transaction<'static, Sqlite>, RepairPath)>> {
    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, once_key, state.clock.now()).await? {
        return Ok(None);
    }
    let path = RepairPath::load(&mut tx, breach_id).await?;
    Ok(Some((tx, path)))
}

/// Appends a step's record entry about a breach.
pub(crate) async fn record(
    tx: &mut Transaction<'static, Sqlite>,
    state: &AppState,
    person: &CurrentPerson,
    kind: &str,
    path: &RepairPath,
    mut body: serde_json::Value,
) -> Result<()> {
    if let Some(map) = body.as_object_mut() {
        map.insert(
            "breach".into(),
            json!({ "id": path.id(), "title": path.breach.title }),
        );
        map.insert("by".into(), json!({ "id": person.id, "name": person.name }));
    }
    ledger::append(
        tx,
        &state.clock,
        Some(person.id),
        kind,
        &path.subject(),
        &body,
    )
    .await?;
    Ok(())
}

/// Back to the breach page with a message.
pub(crate) fn back_to(breach_id: i64, message: &str) -> Response {
    (
        flash::set(message),
        Redirect::to(&format!("/breaches/{breach_id}")),
    )
        .into_response()
}

pub(crate) fn status_of(errors: &FormErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// A stored calendar date as "21 November 2026".
pub(crate) fn long_date(stored: &str) -> String {
    stored
        .parse::<Date>()
        .map(crate::web::time::long_date)
        .unwrap_or_else(|_| stored.to_string())
}

// --- The generic one-step form ----------------------------------------------

/// A quoted text shown above a step's form, for context.
pub struct Context {
    pub label: String,
    pub text: String,
}

/// A group of radio buttons.
pub struct Choice {
    pub name: &'static str,
    pub legend: String,
    pub options: Vec<(String, String)>,
    pub selected: String,
}

/// One text field.
pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub multiline: bool,
    pub max: usize,
}

/// Most steps are one short form: a heading, some context, a few fields.
#[derive(Template)]
#[template(path = "repair/step_form.html")]
pub struct StepPage {
    pub layout: Layout,
    pub breach_id: i64,
    pub breach_title: String,
    pub heading: String,
    pub intro: Vec<String>,
    pub context: Vec<Context>,
    pub action: String,
    pub choice: Option<Choice>,
    pub fields: Vec<Field>,
    pub submit: String,
    pub errors: FormErrors,
    pub once: String,
}

impl StepPage {
    pub fn respond(self) -> Result<Response> {
        let status = status_of(&self.errors);
        Ok((status, Html(self.render()?)).into_response())
    }
}

// --- The list --------------------------------------------------------------

struct ListItem {
    id: i64,
    title: String,
    happened_on: String,
    broke_name: String,
    hurt_name: String,
    serious: bool,
    self_disclosed: bool,
}

struct Group {
    id: &'static str,
    label: &'static str,
    items: Vec<ListItem>,
}

#[derive(Template)]
#[template(path = "repair/list.html")]
struct ListPage {
    layout: Layout,
    groups: Vec<Group>,
    total: usize,
}

/// `GET /breaches`: every breach, grouped by where it stands.
pub async fn list(State(state): State<AppState>, layout: Layout) -> Result<Response> {
    let mut conn = state.db.readers.acquire().await?;
    let breaches = store::breaches(&mut conn).await?;
    let people = store::people(&mut conn).await?;
    drop(conn);
    let name = |id: i64| {
        people
            .iter()
            .find(|(pid, _)| *pid == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let other = |id: i64| {
        people
            .iter()
            .find(|(pid, _)| *pid != id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let total = breaches.len();
    let mut groups: Vec<Group> = [Status::Open, Status::BeingRepaired, Status::TrustRestored]
        .into_iter()
        .map(|status| Group {
            id: status.as_str(),
            label: status.label(),
            items: Vec::new(),
        })
        .collect();
    for breach in breaches {
        let status = Status::from_stored(&breach.status);
        let item = ListItem {
            id: breach.id,
            happened_on: long_date(&breach.happened_on),
            broke_name: name(breach.broke_trust),
            hurt_name: other(breach.broke_trust),
            serious: breach.seriousness == "serious",
            self_disclosed: breach.self_disclosure == "confirmed",
            title: breach.title,
        };
        if let Some(group) = groups.iter_mut().find(|g| g.id == status.as_str()) {
            group.items.push(item);
        }
    }
    groups.retain(|g| !g.items.is_empty());
    Ok(Html(
        ListPage {
            layout,
            groups,
            total,
        }
        .render()?,
    )
    .into_response())
}

// --- Naming a breach ---------------------------------------------------------

/// What the breach form sends.
#[derive(Debug, Default, Deserialize)]
pub struct BreachForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub what_happened: String,
    #[serde(default)]
    pub happened_on: String,
    #[serde(default)]
    pub seriousness: String,
    #[serde(default)]
    pub broke_trust: String,
    #[serde(default)]
    pub first_telling: Option<String>,
    #[serde(default)]
    pub once: String,
}

#[derive(Template)]
#[template(path = "repair/new.html")]
struct NewPage {
    layout: Layout,
    form: BreachForm,
    errors: FormErrors,
    me: (i64, String),
    other: (i64, String),
    today: String,
    once: String,
}

async fn the_two(state: &AppState, me: &CurrentPerson) -> Result<((i64, String), (i64, String))> {
    let other = crate::auth::store::other_person(&state.db.readers, me.id)
        .await?
        .ok_or_else(|| {
            not_possible(
                "A breach is between the two of you, so the other person needs an account first. \
                 You can invite them from the invite page.",
            )
        })?;
    Ok(((me.id, me.name.clone()), (other.id, other.name)))
}

async fn today(state: &AppState) -> Result<Date> {
    let zone = crate::auth::store::time_zone(&state.db.readers).await?;
    Ok(crate::web::time::today(
        state.clock.now(),
        &crate::web::time::zone(&zone),
    ))
}

/// `GET /breaches/new`
pub async fn new_form(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let (me, other) = the_two(&state, &person).await?;
    let today = today(&state).await?.to_string();
    let page = NewPage {
        layout,
        form: BreachForm {
            happened_on: today.clone(),
            ..BreachForm::default()
        },
        errors: FormErrors::new(),
        me,
        other,
        today,
        once: once::new_key(),
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /breaches`
pub async fn create(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<BreachForm>,
) -> Result<Response> {
    let (me, other) = the_two(&state, &person).await?;
    let today = today(&state).await?;
    let mut errors = FormErrors::new();
    let title = errors.check(
        "title",
        fields::single_line(&form.title, limits::TITLE, "a short title"),
    );
    let what = errors.check(
        "what_happened",
        fields::required(&form.what_happened, limits::TEXT, "what happened"),
    );
    let happened_on = match form.happened_on.trim().parse::<Date>() {
        Ok(date) if date > today => {
            errors.add(
                "happened_on",
                "This date is in the future; please choose the day it happened.",
            );
            None
        }
        Ok(date) => Some(date),
        Err(_) => {
            errors.add(
                "happened_on",
                "Please give the date it happened (year, month and day).",
            );
            None
        }
    };
    let seriousness = match form.seriousness.as_str() {
        "lapse" | "serious" => Some(form.seriousness.clone()),
        _ => {
            errors.add("seriousness", "Please choose how serious it was.");
            None
        }
    };
    let broke_trust = match form.broke_trust.parse::<i64>() {
        Ok(id) if id == me.0 || id == other.0 => Some(id),
        _ => {
            errors.add("broke_trust", "Please choose who broke trust.");
            None
        }
    };
    let first_telling = form.first_telling.is_some();
    if first_telling && broke_trust.is_some_and(|id| id != me.0) {
        errors.add(
            "first_telling",
            format!(
                "Only {} can say they are telling this for the first time. Please untick this, or choose yourself above.",
                other.1
            ),
        );
    }
    let (Some(title), Some(what), Some(happened_on), Some(seriousness), Some(broke_trust)) =
        (title, what, happened_on, seriousness, broke_trust)
    else {
        return render_new(layout, form, errors, me, other, today);
    };
    if !errors.is_empty() {
        return render_new(layout, form, errors, me, other, today);
    }

    let now = state.clock.now();
    let at = crate::clock::format(now);
    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        return Ok(Redirect::to("/breaches").into_response());
    }
    let self_disclosure = if first_telling {
        "claimed"
    } else {
        "not_claimed"
    };
    let happened = happened_on.to_string();
    let id = store::insert_breach(
        &mut tx,
        &store::NewBreach {
            title: &title,
            what_happened: &what,
            happened_on: &happened,
            seriousness: &seriousness,
            broke_trust,
            recorded_by: person.id,
            self_disclosure,
            created_at: &at,
        },
    )
    .await?;
    let (broke, hurt) = if broke_trust == me.0 {
        (&me, &other)
    } else {
        (&other, &me)
    };
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "breach.recorded",
        &format!("breach/{id}"),
        &json!({
            "breach": { "id": id, "title": title },
            "by": { "id": person.id, "name": person.name },
            "title": title,
            "what_happened": what,
            "happened_on": happened,
            "seriousness": seriousness,
            "broke_trust": { "id": broke.0, "name": broke.1 },
            "hurt": { "id": hurt.0, "name": hurt.1 },
            "first_telling": first_telling,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(
        id,
        "The breach was recorded. Both of you can see it now.",
    ))
}

fn render_new(
    layout: Layout,
    form: BreachForm,
    errors: FormErrors,
    me: (i64, String),
    other: (i64, String),
    today: Date,
) -> Result<Response> {
    let once = if form.once.is_empty() {
        once::new_key()
    } else {
        form.once.clone()
    };
    let page = NewPage {
        layout,
        form,
        errors,
        me,
        other,
        today: today.to_string(),
        once,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

// --- One breach --------------------------------------------------------------

#[derive(Template)]
#[template(path = "repair/show.html")]
struct BreachPage {
    layout: Layout,
    path: RepairPath,
    me: i64,
    mine: Vec<String>,
    theirs: Vec<String>,
    hold_until: Option<String>,
    can_send_apology: bool,
    /// Living with the breach: questions, repair actions, trust, pauses and
    /// "trust restored" (src/questions, src/actions, src/trust).
    questions: crate::questions::Section,
    actions: crate::actions::Section,
    trust: crate::trust::Section,
}

impl BreachPage {
    /// A fresh key for each form on the page, so one form never makes
    /// another look already sent.
    fn once(&self) -> String {
        once::new_key()
    }

    fn is_broke(&self) -> bool {
        self.me == self.path.broke.id
    }

    fn is_hurt(&self) -> bool {
        self.me == self.path.hurt.id
    }

    /// "you" for the viewer, otherwise the person's name.
    fn who(&self, id: &i64) -> String {
        if *id == self.me {
            "You".to_string()
        } else {
            self.path.name(*id).to_string()
        }
    }

    /// "you" for the viewer (inside a sentence), otherwise the name.
    fn who_in(&self, id: &i64) -> String {
        if *id == self.me {
            "you".to_string()
        } else {
            self.path.name(*id).to_string()
        }
    }

    fn date(&self, stored: &str) -> String {
        long_date(stored)
    }

    fn answer_label(&self, answer: &str) -> &'static str {
        apology::answer_label(answer)
    }
}

/// `GET /breaches/{id}`: where the breach stands and what each can do next.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let path = load(&state, id).await?;
    let now = state.clock.now();
    let mut conn = state.db.readers.acquire().await?;
    let questions = crate::questions::Section::load(&mut conn, id, now).await?;
    let actions = crate::actions::Section::load(&mut conn, id).await?;
    let trust = crate::trust::Section::load(&mut conn, &path, person.id, &layout.tz, now).await?;
    drop(conn);
    let mut waiting = path.waiting(now);
    waiting.extend(crate::trust::waiting(&path, &questions, &actions, &trust));
    let mine = waiting
        .iter()
        .filter(|w| w.who == person.id)
        .map(|w| w.for_them.clone())
        .collect();
    let theirs = waiting
        .iter()
        .filter(|w| w.who != person.id)
        .map(|w| w.for_other.clone())
        .collect::<Vec<_>>();
    let hold_until = path
        .apology_hold_until(now)
        .map(|ts| layout.when(&crate::clock::format(ts)));
    let can_send_apology = path.can_send_apology(now);
    let page = BreachPage {
        layout,
        me: person.id,
        mine,
        theirs,
        hold_until,
        can_send_apology,
        questions,
        actions,
        trust,
        path,
    };
    Ok(Html(page.render()?).into_response())
}
