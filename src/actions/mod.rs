//! Visible repair actions: the one who broke trust writes down something
//! they did to repair it (what, on which day, and optionally which of the
//! hurt person's requests it serves). The other can mark it "I saw this",
//! with an optional word. Nothing is hidden: actions nobody has marked as
//! seen are shown as such, to both.

pub mod store;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::SqliteConnection;

use crate::app::{AppState, Route};
use crate::auth::CurrentPerson;
use crate::error::{AppError, Result};
use crate::repair::{RepairPath, load, long_date, only};
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout, flash, once, time};
use crate::{clock, ledger};

pub use store::Action;

/// Actions per page of a list.
pub const PAGE: i64 = 20;
/// Actions shown in a breach's section.
pub const SECTION: i64 = 3;

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/actions", list),
        Route::page("/actions/{id}", show),
        Route::action("/actions/{id}/seen", seen),
        Route::page("/breaches/{id}/actions", breach_page),
        Route::action("/breaches/{id}/actions", log),
    ]
}

/// The actions part of a breach page.
pub struct Section {
    pub latest: Vec<Action>,
    pub unseen: i64,
}

impl Section {
    pub async fn load(conn: &mut SqliteConnection, breach_id: i64) -> Result<Self> {
        Ok(Section {
            latest: store::by_breach(conn, breach_id, None, SECTION).await?,
            unseen: store::unseen_in_breach(conn, breach_id).await?,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LogForm {
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub done_on: String,
    #[serde(default)]
    pub request: String,
    #[serde(default)]
    pub once: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SeenForm {
    #[serde(default)]
    pub word: String,
    #[serde(default)]
    pub once: String,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    before: String,
}

fn before_of(raw: Option<String>) -> Result<Option<i64>> {
    let query: PageQuery = crate::web::form::parse(raw.unwrap_or_default().as_bytes())?;
    if query.before.is_empty() {
        return Ok(None);
    }
    query
        .before
        .parse::<i64>()
        .map(Some)
        .map_err(|_| AppError::BadRequest("This page address is not one Amends made.".into()))
}

fn key(once_key: &str) -> String {
    if once_key.is_empty() {
        once::new_key()
    } else {
        once_key.to_string()
    }
}

fn status(errors: &FormErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Keeps a page of `PAGE + 1` rows to `PAGE`, with the link to older ones.
fn paged(mut rows: Vec<Action>, base: &str) -> (Vec<Action>, Option<String>) {
    if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        let older = rows.last().map(|a| format!("{base}?before={}", a.id));
        (rows, older)
    } else {
        (rows, None)
    }
}

// --- A breach's actions -------------------------------------------------------

#[derive(Template)]
#[template(path = "actions/breach.html")]
struct BreachActions {
    layout: Layout,
    path: RepairPath,
    me: i64,
    actions: Vec<Action>,
    older: Option<String>,
    paged: bool,
    form: LogForm,
    errors: FormErrors,
    once: String,
    today: String,
}

impl BreachActions {
    fn is_broke(&self) -> bool {
        self.me == self.path.broke.id
    }
    fn who(&self, id: &i64) -> String {
        if *id == self.me {
            "You".into()
        } else {
            self.path.name(*id).to_string()
        }
    }
    fn date(&self, stored: &str) -> String {
        long_date(stored)
    }
    fn chosen(&self, id: &i64) -> bool {
        self.form.request == id.to_string()
    }
}

/// `GET /breaches/{id}/actions`
async fn breach_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let before = before_of(raw)?;
    let today = time::today(state.clock.now(), &layout.tz).to_string();
    let form = LogForm {
        done_on: today,
        ..LogForm::default()
    };
    render_breach(&state, id, &person, layout, form, FormErrors::new(), before).await
}

async fn render_breach(
    state: &AppState,
    id: i64,
    person: &CurrentPerson,
    layout: Layout,
    form: LogForm,
    errors: FormErrors,
    before: Option<i64>,
) -> Result<Response> {
    let path = load(state, id).await?;
    let mut conn = state.db.readers.acquire().await?;
    let rows = store::by_breach(&mut conn, id, before, PAGE + 1).await?;
    drop(conn);
    let (actions, older) = paged(rows, &format!("/breaches/{id}/actions"));
    let today = time::today(state.clock.now(), &layout.tz).to_string();
    let page = BreachActions {
        layout,
        me: person.id,
        actions,
        older,
        paged: before.is_some(),
        once: key(&form.once),
        form,
        errors,
        path,
        today,
    };
    Ok((status(&page.errors), Html(page.render()?)).into_response())
}

/// `POST /breaches/{id}/actions`: the one who broke trust logs an action.
async fn log(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<LogForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only(
        person.id == path.broke.id,
        format!(
            "Repair actions on this breach are {}'s to write down; you can mark them as seen.",
            path.broke.name
        ),
    )?;
    let now = state.clock.now();
    let today = time::today(now, &layout.tz);
    let mut errors = FormErrors::new();
    let what = errors.check(
        "what",
        fields::required(&form.what, limits::NOTE, "what you did"),
    );
    let done_on = errors.check("done_on", crate::noticed::check_day(&form.done_on, today));
    let request = match form.request.trim() {
        "" => Some(None),
        text => match text
            .parse::<i64>()
            .ok()
            .and_then(|rid| path.requests.iter().find(|r| r.id == rid))
        {
            Some(request) => Some(Some(request.clone())),
            None => {
                errors.add(
                    "request",
                    "Please choose one of the requests listed, or none.",
                );
                None
            }
        },
    };
    let (Some(what), Some(done_on), Some(request)) = (what, done_on, request) else {
        return render_breach(&state, id, &person, layout, form, errors, None).await;
    };
    let message = format!("Written down. {} can see what you did now.", path.hurt.name);
    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(done(&format!("/breaches/{id}/actions"), &message));
    }
    let day = done_on.to_string();
    let aid = store::insert(
        &mut tx,
        &store::NewAction {
            breach_id: id,
            logged_by: person.id,
            what: &what,
            done_on: &day,
            request_id: request.as_ref().map(|r| r.id),
            logged_at: &clock::format(now),
        },
    )
    .await?;
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "action.logged",
        &format!("action/{aid}"),
        &json!({
            "breach": { "id": id, "title": path.breach.title },
            "by": { "id": person.id, "name": person.name },
            "what": what,
            "done_on": day,
            "request": request.as_ref().map(|r| json!({ "id": r.id, "text": r.text })),
            "commitment": null,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&format!("/breaches/{id}/actions"), &message))
}

fn done(to: &str, message: &str) -> Response {
    (flash::set(message), Redirect::to(to)).into_response()
}

// --- One action ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "actions/show.html")]
struct ActionPage {
    layout: Layout,
    path: RepairPath,
    me: i64,
    action: Action,
    form: SeenForm,
    errors: FormErrors,
    once: String,
}

impl ActionPage {
    fn who(&self, id: &i64) -> String {
        if *id == self.me {
            "You".into()
        } else {
            self.path.name(*id).to_string()
        }
    }
    fn date(&self, stored: &str) -> String {
        long_date(stored)
    }
    fn can_mark_seen(&self) -> bool {
        self.action.seen_at.is_none() && self.me == self.path.hurt.id
    }
}

async fn load_action(state: &AppState, id: i64) -> Result<(Action, RepairPath)> {
    let mut conn = state.db.readers.acquire().await?;
    let action = store::action(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let path = load(state, action.breach_id).await?;
    Ok((action, path))
}

async fn render_action(
    state: &AppState,
    id: i64,
    person: &CurrentPerson,
    layout: Layout,
    form: SeenForm,
    errors: FormErrors,
) -> Result<Response> {
    let (action, path) = load_action(state, id).await?;
    let page = ActionPage {
        layout,
        me: person.id,
        action,
        path,
        once: key(&form.once),
        form,
        errors,
    };
    Ok((status(&page.errors), Html(page.render()?)).into_response())
}

/// `GET /actions/{id}`
async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    render_action(
        &state,
        id,
        &person,
        layout,
        SeenForm::default(),
        FormErrors::new(),
    )
    .await
}

/// `POST /actions/{id}/seen`: the hurt person marks "I saw this".
async fn seen(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<SeenForm>,
) -> Result<Response> {
    let (action, path) = load_action(&state, id).await?;
    only(
        person.id == path.hurt.id,
        format!(
            "Only {} can say they saw this; it was yours to do.",
            path.hurt.name
        ),
    )?;
    let mut errors = FormErrors::new();
    let Some(word) = errors.check("word", fields::optional(&form.word, limits::NOTE)) else {
        return render_action(&state, id, &person, layout, form, errors).await;
    };
    let now = state.clock.now();
    let to = format!("/actions/{id}");
    let message = format!("{} can see that you saw it.", path.broke.name);
    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(done(&to, &message));
    }
    if !store::mark_seen(&mut tx, id, person.id, word.as_deref(), &clock::format(now)).await? {
        return Err(AppError::Conflict(
            "You already marked this as seen.".into(),
        ));
    }
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "action.seen",
        &format!("action/{id}"),
        &json!({
            "breach": { "id": path.id(), "title": path.breach.title },
            "by": { "id": person.id, "name": person.name },
            "logged_by": { "id": action.logged_by, "name": path.name(action.logged_by) },
            "what": action.what,
            "done_on": action.done_on,
            "word": word,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&to, &message))
}

// --- All actions --------------------------------------------------------------

#[derive(Template)]
#[template(path = "actions/index.html")]
struct ListPage {
    layout: Layout,
    me: i64,
    names: ledger::describe::Names,
    actions: Vec<Action>,
    older: Option<String>,
    paged: bool,
}

impl ListPage {
    fn who(&self, id: &i64) -> String {
        if *id == self.me {
            "You".into()
        } else {
            self.names.of(Some(*id)).to_string()
        }
    }
    fn date(&self, stored: &str) -> String {
        long_date(stored)
    }
}

/// `GET /actions`: every repair action, newest first.
async fn list(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let before = before_of(raw)?;
    let names = ledger::describe::Names::load(&state.db.readers).await?;
    let mut conn = state.db.readers.acquire().await?;
    let rows = store::page(&mut conn, before, PAGE + 1).await?;
    drop(conn);
    let (actions, older) = paged(rows, "/actions");
    let page = ListPage {
        layout,
        me: person.id,
        names,
        actions,
        older,
        paged: before.is_some(),
    };
    Ok(Html(page.render()?).into_response())
}
