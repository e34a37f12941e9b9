//! Questions: the person who was hurt by a breach asks; the one who broke
//! trust answers. An answer is never edited (the table refuses it); either
//! person can add follow-ups afterwards, in order. Unanswered questions stay
//! visible everywhere with how long they have waited: on the breach, on
//! `/questions`, on Today ([`open_questions`]) and on the check-in agenda.

pub mod store;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;
use sqlx::{SqliteConnection, SqlitePool};

use crate::app::{AppState, Route};
use crate::auth::CurrentPerson;
use crate::error::{AppError, Result};
use crate::repair::{RepairPath, load, only};
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout, flash, once};
use crate::{clock, ledger};

pub use store::{FollowUp, Question};

/// Answered questions per page of `/questions`.
pub const PAGE: i64 = 20;
/// The most unanswered questions any list shows at once.
pub const OPEN_LIMIT: i64 = 50;
/// Questions shown in a breach's section (the page of the breach has all).
pub const SECTION: i64 = 3;

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/questions", list),
        Route::page("/questions/{id}", show),
        Route::action("/questions/{id}/answer", answer),
        Route::action("/questions/{id}/follow-ups", follow_up),
        Route::page("/breaches/{id}/questions", breach_page),
        Route::action("/breaches/{id}/questions", ask),
    ]
}

// --- How long something has waited ------------------------------------------

/// "3 days", "2 weeks": how long since a stored time, in calm words.
pub fn waited(since: &str, now: Timestamp) -> String {
    let Some(since) = clock::parse(since) else {
        return "a while".into();
    };
    let hours = (now.as_second() - since.as_second()).max(0) / 3600;
    let days = hours / 24;
    let plural = |n: i64, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    if hours < 1 {
        "less than an hour".into()
    } else if hours < 24 {
        plural(hours, "hour", "hours")
    } else if days < 14 {
        plural(days, "day", "days")
    } else if days < 60 {
        plural(days / 7, "week", "weeks")
    } else if days < 730 {
        plural(days / 30, "month", "months")
    } else {
        plural(days / 365, "year", "years")
    }
}

// --- For Today ----------------------------------------------------------------

/// An unanswered question, for Today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenQuestion {
    pub id: i64,
    pub breach_id: i64,
    pub breach_title: String,
    pub text: String,
    pub asked_by: i64,
    pub asked_at: String,
    /// "3 days": how long it has waited for an answer.
    pub waited: String,
    /// True when the answer is `person_id`'s to give (they broke trust in
    /// that breach); false for the questions they asked and wait on.
    pub waits_on_me: bool,
    /// `/questions/ID`.
    pub href: String,
}

/// Every unanswered question (at most [`OPEN_LIMIT`], by one index seek):
/// first the ones waiting on `person_id`'s answer, then the ones they asked,
/// each oldest first. Both people see both kinds, since unanswered questions
/// stay visible to both; `waits_on_me` says which is which.
pub async fn open_questions(
    pool: &SqlitePool,
    person_id: i64,
    now: Timestamp,
) -> Result<Vec<OpenQuestion>> {
    let mut conn = pool.acquire().await?;
    let rows = store::unanswered(&mut conn, OPEN_LIMIT).await?;
    let mut out: Vec<OpenQuestion> = rows
        .into_iter()
        .map(|q| OpenQuestion {
            href: format!("/questions/{}", q.id),
            waited: waited(&q.asked_at, now),
            waits_on_me: q.broke_trust == person_id,
            id: q.id,
            breach_id: q.breach_id,
            breach_title: q.breach_title,
            text: q.text,
            asked_by: q.asked_by,
            asked_at: q.asked_at,
        })
        .collect();
    // Stable: keeps oldest first within each group.
    out.sort_by_key(|q| !q.waits_on_me);
    Ok(out)
}

// --- The section on a breach's page -------------------------------------------

/// One question as the breach page lists it.
pub struct Item {
    pub question: Question,
    pub waited: String,
}

/// The questions part of a breach page.
pub struct Section {
    pub latest: Vec<Item>,
    pub unanswered: i64,
}

impl Section {
    pub async fn load(conn: &mut SqliteConnection, breach_id: i64, now: Timestamp) -> Result<Self> {
        let latest = store::by_breach(conn, breach_id, SECTION)
            .await?
            .into_iter()
            .map(|question| Item {
                waited: waited(&question.asked_at, now),
                question,
            })
            .collect();
        Ok(Section {
            latest,
            unanswered: store::unanswered_in_breach(conn, breach_id).await?,
        })
    }
}

// --- Forms ------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct TextForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub once: String,
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

fn who_in(path: &RepairPath, me: i64, id: i64) -> String {
    if id == me {
        "you".into()
    } else {
        path.name(id).to_string()
    }
}

// --- A breach's questions -----------------------------------------------------

#[derive(Template)]
#[template(path = "questions/breach.html")]
struct BreachQuestions {
    layout: Layout,
    path: RepairPath,
    me: i64,
    items: Vec<Item>,
    form: TextForm,
    errors: FormErrors,
    once: String,
}

impl BreachQuestions {
    fn who_in(&self, id: &i64) -> String {
        who_in(&self.path, self.me, *id)
    }
    fn is_hurt(&self) -> bool {
        self.me == self.path.hurt.id
    }
}

/// `GET /breaches/{id}/questions`
async fn breach_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    render_breach(
        &state,
        id,
        &person,
        layout,
        TextForm::default(),
        FormErrors::new(),
    )
    .await
}

async fn render_breach(
    state: &AppState,
    id: i64,
    person: &CurrentPerson,
    layout: Layout,
    form: TextForm,
    errors: FormErrors,
) -> Result<Response> {
    let path = load(state, id).await?;
    let now = state.clock.now();
    let mut conn = state.db.readers.acquire().await?;
    let items = store::by_breach(&mut conn, id, 500)
        .await?
        .into_iter()
        .map(|question| Item {
            waited: waited(&question.asked_at, now),
            question,
        })
        .collect();
    drop(conn);
    let page = BreachQuestions {
        layout,
        me: person.id,
        items,
        once: key(&form.once),
        form,
        path,
        errors,
    };
    Ok((status(&page.errors), Html(page.render()?)).into_response())
}

/// `POST /breaches/{id}/questions`: the hurt person asks.
async fn ask(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<TextForm>,
) -> Result<Response> {
    let path = load(&state, id).await?;
    only(
        person.id == path.hurt.id,
        format!(
            "Questions about this breach are {}'s to ask, and yours to answer.",
            path.hurt.name
        ),
    )?;
    let mut errors = FormErrors::new();
    let Some(text) = errors.check(
        "text",
        fields::required(&form.text, limits::NOTE, "your question"),
    ) else {
        return render_breach(&state, id, &person, layout, form, errors).await;
    };
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let message = format!(
        "Your question was sent. {} can answer it now.",
        path.broke.name
    );
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(done(&format!("/breaches/{id}/questions"), &message));
    }
    let qid = store::insert(&mut tx, id, person.id, &text, &clock::format(now)).await?;
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "question.asked",
        &format!("question/{qid}"),
        &json!({
            "breach": { "id": id, "title": path.breach.title },
            "by": { "id": person.id, "name": person.name },
            "to": { "id": path.broke.id, "name": path.broke.name },
            "text": text,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&format!("/questions/{qid}"), &message))
}

fn done(to: &str, message: &str) -> Response {
    (flash::set(message), Redirect::to(to)).into_response()
}

// --- One question -------------------------------------------------------------

#[derive(Template)]
#[template(path = "questions/show.html")]
struct QuestionPage {
    layout: Layout,
    path: RepairPath,
    me: i64,
    question: Question,
    follow_ups: Vec<FollowUp>,
    waited: String,
    answer_text: String,
    follow_up_text: String,
    errors: FormErrors,
    once: String,
}

impl QuestionPage {
    fn who(&self, id: &i64) -> String {
        if *id == self.me {
            "You".into()
        } else {
            self.path.name(*id).to_string()
        }
    }
    fn can_answer(&self) -> bool {
        self.question.answer.is_none() && self.me == self.path.broke.id
    }
    fn can_follow_up(&self) -> bool {
        self.question.answer.is_some()
    }
}

struct Drafts {
    answer: String,
    follow_up: String,
    once: String,
}

async fn load_question(state: &AppState, id: i64) -> Result<(Question, RepairPath)> {
    let mut conn = state.db.readers.acquire().await?;
    let question = store::question(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let path = load(state, question.breach_id).await?;
    Ok((question, path))
}

async fn render_question(
    state: &AppState,
    id: i64,
    person: &CurrentPerson,
    layout: Layout,
    drafts: Drafts,
    errors: FormErrors,
) -> Result<Response> {
    let (question, path) = load_question(state, id).await?;
    let mut conn = state.db.readers.acquire().await?;
    let follow_ups = store::follow_ups(&mut conn, id).await?;
    drop(conn);
    let page = QuestionPage {
        layout,
        me: person.id,
        waited: waited(&question.asked_at, state.clock.now()),
        question,
        follow_ups,
        path,
        answer_text: drafts.answer,
        follow_up_text: drafts.follow_up,
        once: key(&drafts.once),
        errors,
    };
    Ok((status(&page.errors), Html(page.render()?)).into_response())
}

/// `GET /questions/{id}`
async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let drafts = Drafts {
        answer: String::new(),
        follow_up: String::new(),
        once: String::new(),
    };
    render_question(&state, id, &person, layout, drafts, FormErrors::new()).await
}

/// `POST /questions/{id}/answer`: the one who broke trust answers, once.
async fn answer(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<TextForm>,
) -> Result<Response> {
    let (question, path) = load_question(&state, id).await?;
    only(
        person.id == path.broke.id,
        format!(
            "This question is for {} to answer; yours was to ask it.",
            path.broke.name
        ),
    )?;
    let to = format!("/questions/{id}");
    let mut errors = FormErrors::new();
    let Some(text) = errors.check(
        "answer",
        fields::required(&form.text, limits::NOTE, "your answer"),
    ) else {
        let drafts = Drafts {
            answer: form.text,
            follow_up: String::new(),
            once: form.once,
        };
        return render_question(&state, id, &person, layout, drafts, errors).await;
    };
    let now = state.clock.now();
    let message = format!("Your answer was sent to {}.", path.hurt.name);
    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(done(&to, &message));
    }
    if !store::answer(&mut tx, id, person.id, &text, &clock::format(now)).await? {
        return Err(AppError::Conflict(
            "This question already has its answer. Answers are never changed; you can add a follow-up instead."
                .into(),
        ));
    }
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "question.answered",
        &format!("question/{id}"),
        &json!({
            "breach": { "id": path.id(), "title": path.breach.title },
            "by": { "id": person.id, "name": person.name },
            "asked_by": { "id": question.asked_by, "name": path.name(question.asked_by) },
            "question": question.text,
            "answer": text,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&to, &message))
}

/// `POST /questions/{id}/follow-ups`: either person adds to an answered question.
async fn follow_up(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<TextForm>,
) -> Result<Response> {
    let (question, path) = load_question(&state, id).await?;
    if question.answer.is_none() {
        return Err(AppError::Conflict(format!(
            "Follow-ups come after the answer; {} has not answered yet.",
            path.broke.name
        )));
    }
    let to = format!("/questions/{id}");
    let mut errors = FormErrors::new();
    let Some(text) = errors.check(
        "follow_up",
        fields::required(&form.text, limits::NOTE, "your follow-up"),
    ) else {
        let drafts = Drafts {
            answer: String::new(),
            follow_up: form.text,
            once: form.once,
        };
        return render_question(&state, id, &person, layout, drafts, errors).await;
    };
    let now = state.clock.now();
    let message = format!(
        "Your follow-up was added. {} can see it now.",
        path.other_name(person.id)
    );
    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(done(&to, &message));
    }
    let fid = store::insert_follow_up(&mut tx, id, person.id, &text, &clock::format(now)).await?;
    let number = store::follow_up_count(&mut tx, id).await?;
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "question.followed_up",
        &format!("question/{id}"),
        &json!({
            "breach": { "id": path.id(), "title": path.breach.title },
            "by": { "id": person.id, "name": person.name },
            "question": question.text,
            "follow_up": { "id": fid, "number": number },
            "text": text,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(&format!("{to}#follow-up-{fid}"), &message))
}

// --- All questions ------------------------------------------------------------

pub struct ListItem {
    pub row: store::Listed,
    pub waited: String,
}

#[derive(Template)]
#[template(path = "questions/index.html")]
struct ListPage {
    layout: Layout,
    me: i64,
    names: ledger::describe::Names,
    open: Vec<ListItem>,
    answered: Vec<ListItem>,
    older: Option<String>,
    paged: bool,
}

impl ListPage {
    fn name(&self, id: &i64) -> String {
        if *id == self.me {
            "you".into()
        } else {
            self.names.of(Some(*id)).to_string()
        }
    }
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    before: String,
}

/// `GET /questions`: what waits for an answer, then the answered ones.
async fn list(
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
    let now = state.clock.now();
    let names = ledger::describe::Names::load(&state.db.readers).await?;
    let mut conn = state.db.readers.acquire().await?;
    let open = if before.is_none() {
        store::unanswered(&mut conn, OPEN_LIMIT).await?
    } else {
        Vec::new()
    };
    let answered = store::answered_page(&mut conn, before, PAGE + 1).await?;
    drop(conn);
    let wrap = |row: store::Listed| ListItem {
        waited: waited(&row.asked_at, now),
        row,
    };
    let mut answered: Vec<ListItem> = answered.into_iter().map(wrap).collect();
    let older = if answered.len() as i64 > PAGE {
        answered.truncate(PAGE as usize);
        answered
            .last()
            .map(|i| format!("/questions?before={}", i.row.id))
    } else {
        None
    };
    let page = ListPage {
        layout,
        me: person.id,
        names,
        open: open.into_iter().map(wrap).collect(),
        answered,
        older,
        paged: before.is_some(),
    };
    Ok(Html(page.render()?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_reads_in_calm_units() {
        let at = "2026-03-01T09:00:00.000000Z";
        let after = |secs: i64| {
            clock::parse(at)
                .unwrap()
                .checked_add(jiff::SignedDuration::from_secs(secs))
                .unwrap()
        };
        assert_eq!(waited(at, after(60)), "less than an hour");
        assert_eq!(waited(at, after(3600)), "1 hour");
        assert_eq!(waited(at, after(5 * 3600)), "5 hours");
        assert_eq!(waited(at, after(86_400)), "1 day");
        assert_eq!(waited(at, after(13 * 86_400)), "13 days");
        assert_eq!(waited(at, after(21 * 86_400)), "3 weeks");
        assert_eq!(waited(at, after(90 * 86_400)), "3 months");
        assert_eq!(waited(at, after(800 * 86_400)), "2 years");
        assert_eq!(waited(at, after(-100)), "less than an hour");
        assert_eq!(waited("garbage", after(0)), "a while");
    }
}
