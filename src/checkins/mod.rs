//! Check-ins: the pair agrees on a rhythm, prepares each check-in with an
//! agenda of what is waiting, and records that it took place, its notes and
//! how each of them felt (each in their own words). A check-in that was due
//! and not recorded is shown plainly, without blame.

pub mod agenda;
pub mod rhythm;
pub mod store;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

use crate::app::{AppState, Route};
use crate::auth::CurrentPerson;
use crate::error::{AppError, Result};
use crate::ledger::describe::Names;
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout, flash, once, time};
use crate::{clock, ledger};

pub use agenda::{AgendaItem, AgendaKind, agenda};
use rhythm::{Every, Rhythm, Status, day_with_weekday};

/// Check-ins per page of the list.
pub const PAGE: i64 = 20;

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/checkins", overview),
        Route::action("/checkins", record),
        Route::page("/checkins/new", prepare),
        Route::page("/checkins/{id}", show),
        Route::action("/checkins/{id}/feeling", add_feeling),
        Route::action("/checkins/rhythm", propose),
        Route::action("/checkins/rhythm/{id}/accept", accept),
        Route::action("/checkins/rhythm/{id}/decline", decline),
        Route::action("/checkins/rhythm/{id}/withdraw", withdraw),
    ]
}

/// The agreed rhythm and where the pair stands with it.
#[derive(Debug, Clone)]
pub struct NextCheckin {
    /// "every week on Sunday".
    pub rhythm: String,
    pub status: Status,
}

/// A rhythm one person proposed and the other has not answered yet:
/// (who proposed it, "every week on Sunday").
pub async fn open_proposal(pool: &SqlitePool) -> Result<Option<(i64, String)>> {
    Ok(store::rhythm_in_state(pool, "proposed")
        .await?
        .map(|row| (row.proposed_by, describe_row(&row))))
}

/// The next check-in for Today: `None` until a rhythm is agreed.
pub async fn next_due(
    pool: &SqlitePool,
    tz: &jiff::tz::TimeZone,
    now: Timestamp,
) -> Result<Option<NextCheckin>> {
    let Some(agreed) = store::rhythm_in_state(pool, "agreed").await? else {
        return Ok(None);
    };
    let Some(rhythm) = to_rhythm(&agreed) else {
        return Ok(None);
    };
    let latest = store::latest_held_on(pool)
        .await?
        .and_then(|d| d.parse::<Date>().ok());
    let today = time::today(now, tz);
    Ok(Some(NextCheckin {
        rhythm: rhythm.every.describe(),
        status: rhythm.status(today, latest),
    }))
}

fn every_of(row: &store::RhythmRow) -> Option<Every> {
    Every::from_parts(&row.every, row.weekday.as_deref(), row.day_of_month)
}

fn to_rhythm(row: &store::RhythmRow) -> Option<Rhythm> {
    Some(Rhythm {
        every: every_of(row)?,
        starts_on: row.starts_on.as_deref()?.parse().ok()?,
    })
}

fn describe_row(row: &store::RhythmRow) -> String {
    every_of(row)
        .map(Every::describe)
        .unwrap_or_else(|| "at a rhythm this version does not know".into())
}

fn long(day: &str) -> String {
    day.parse::<Date>()
        .map(time::long_date)
        .unwrap_or_else(|_| day.to_string())
}

// ---------------------------------------------------------------- overview

#[derive(Debug, Default, Deserialize)]
pub struct RhythmForm {
    #[serde(default)]
    pub every: String,
    #[serde(default)]
    pub weekday: String,
    #[serde(default)]
    pub day_of_month: String,
    #[serde(default)]
    pub once: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct OnceForm {
    #[serde(default)]
    pub once: String,
}

struct ProposalView {
    id: i64,
    by: String,
    description: String,
    mine: bool,
    when: String,
}

struct StatusView {
    rhythm: String,
    since: String,
    next: String,
    next_is_today: bool,
    missed: u32,
    first_missed: String,
    last_missed: String,
}

struct CheckinSummary {
    id: i64,
    day: String,
    by: String,
    feelings: usize,
}

#[derive(Template)]
#[template(path = "checkins/index.html")]
struct OverviewPage {
    layout: Layout,
    other: Option<String>,
    status: Option<StatusView>,
    proposal: Option<ProposalView>,
    /// Not while the other person's proposal waits for this person's answer.
    can_propose: bool,
    open_form: bool,
    form: RhythmForm,
    errors: FormErrors,
    once: String,
    answer_once: String,
    weekdays: Vec<(&'static str, &'static str)>,
    checkins: Vec<CheckinSummary>,
    older: Option<String>,
    paged: bool,
}

const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    before: String,
}

fn parse_before(raw: Option<String>) -> Result<Option<i64>> {
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

/// `GET /checkins`
async fn overview(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let before = parse_before(raw)?;
    let form = RhythmForm {
        every: "week".into(),
        weekday: "sun".into(),
        day_of_month: "1".into(),
        once: String::new(),
    };
    render_overview(&state, &person, layout, form, FormErrors::new(), before).await
}

async fn render_overview(
    state: &AppState,
    person: &CurrentPerson,
    layout: Layout,
    form: RhythmForm,
    errors: FormErrors,
    before: Option<i64>,
) -> Result<Response> {
    let pool = &state.db.readers;
    let names = Names::load(pool).await?;
    let other = crate::auth::store::other_person(pool, person.id)
        .await?
        .map(|p| p.name);
    let agreed = store::rhythm_in_state(pool, "agreed").await?;
    let status = match next_due(pool, &layout.tz, state.clock.now()).await? {
        Some(next) => {
            let today = time::today(state.clock.now(), &layout.tz);
            let s = next.status;
            Some(StatusView {
                rhythm: next.rhythm,
                since: agreed
                    .as_ref()
                    .and_then(|a| a.starts_on.as_deref())
                    .map(long)
                    .unwrap_or_default(),
                next: day_with_weekday(s.next),
                next_is_today: s.next == today,
                missed: s.missed,
                first_missed: s.first_missed.map(day_with_weekday).unwrap_or_default(),
                last_missed: s.last_missed.map(day_with_weekday).unwrap_or_default(),
            })
        }
        None => None,
    };
    let proposal = store::rhythm_in_state(pool, "proposed")
        .await?
        .map(|p| ProposalView {
            id: p.id,
            by: names.of(Some(p.proposed_by)).to_string(),
            description: describe_row(&p),
            mine: p.proposed_by == person.id,
            when: layout.when(&p.proposed_at),
        });
    let mut rows = store::page(pool, before, PAGE + 1).await?;
    let older = if rows.len() > PAGE as usize {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| format!("/checkins?before={}", r.id))
    } else {
        None
    };
    let mut checkins = Vec::new();
    for row in rows {
        checkins.push(CheckinSummary {
            feelings: store::feelings(pool, row.id).await?.len(),
            id: row.id,
            day: long(&row.held_on),
            by: names.of(Some(row.recorded_by)).to_string(),
        });
    }
    let status_code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let can_propose = proposal.as_ref().is_none_or(|p| p.mine);
    let open_form = !errors.is_empty() || (status.is_none() && proposal.is_none());
    let page = OverviewPage {
        layout,
        other,
        can_propose,
        open_form,
        status,
        proposal,
        form,
        errors,
        once: once::new_key(),
        answer_once: once::new_key(),
        weekdays: WEEKDAYS.to_vec(),
        checkins,
        older,
        paged: before.is_some(),
    };
    Ok((status_code, Html(page.render()?)).into_response())
}

// ------------------------------------------------------------------ rhythm

#[derive(Serialize)]
struct RhythmBody<'a> {
    rhythm: &'a str,
    every: &'a str,
    weekday: Option<&'a str>,
    day_of_month: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proposal: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    starts_on: Option<&'a str>,
    /// The earlier proposal or rhythm this one takes the place of.
    #[serde(skip_serializing_if = "Option::is_none")]
    replaces: Option<i64>,
}

fn check_rhythm(form: &RhythmForm, errors: &mut FormErrors) -> Option<Every> {
    let weekday = || crate::commitments::schedule::parse_weekday(&form.weekday);
    match form.every.as_str() {
        "week" | "two_weeks" => {
            let Some(day) = weekday() else {
                errors.add("weekday", "Please choose a day of the week.");
                return None;
            };
            Some(if form.every == "week" {
                Every::Week(day)
            } else {
                Every::TwoWeeks(day)
            })
        }
        "month" => match form.day_of_month.trim().parse::<i8>() {
            Ok(n) if (1..=31).contains(&n) => Some(Every::Month(n)),
            _ => {
                errors.add(
                    "day_of_month",
                    "Please choose a day of the month from 1 to 31.",
                );
                None
            }
        },
        _ => {
            errors.add("every", "Please choose how often to check in.");
            None
        }
    }
}

/// `POST /checkins/rhythm`: proposes a rhythm (replacing one's own open
/// proposal, if any).
async fn propose(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<RhythmForm>,
) -> Result<Response> {
    let other = crate::auth::store::other_person(&state.db.readers, person.id)
        .await?
        .ok_or_else(|| {
            AppError::Conflict(
                "Check-ins need both of you; the other person has not joined yet.".into(),
            )
        })?;
    let mut errors = FormErrors::new();
    let Some(every) = check_rhythm(&form, &mut errors) else {
        return render_overview(&state, &person, layout, form, errors, None).await;
    };
    let now = state.clock.now();
    let at = clock::format(now);
    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to("/checkins").into_response());
    }
    let mut replaces = None;
    if let Some(open) = store::rhythm_in_state_tx(&mut tx, "proposed").await? {
        if open.proposed_by != person.id {
            tx.rollback().await?;
            return Err(AppError::Conflict(format!(
                "{} has proposed a rhythm. Please accept or decline it first; then you can propose another.",
                other.name
            )));
        }
        store::set_rhythm_state(
            &mut tx,
            open.id,
            "proposed",
            "withdrawn",
            person.id,
            &at,
            None,
        )
        .await?;
        replaces = Some(open.id);
    }
    let parts = every.parts();
    let id = store::insert_proposal(&mut tx, person.id, parts, &at).await?;
    let description = every.describe();
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "checkin.rhythm_proposed",
        &format!("rhythm/{id}"),
        &RhythmBody {
            rhythm: &description,
            every: parts.0,
            weekday: parts.1,
            day_of_month: parts.2,
            proposal: None,
            starts_on: None,
            replaces,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        flash::set(&format!(
            "You proposed check-ins {description}. {} can accept or decline.",
            other.name
        )),
        Redirect::to("/checkins"),
    )
        .into_response())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Accept,
    Decline,
    Withdraw,
}

/// `POST /checkins/rhythm/{id}/accept`
async fn accept(
    state: State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    path: Path<i64>,
    form: Form<OnceForm>,
) -> Result<Response> {
    answer(state, person, layout, path, form, Answer::Accept).await
}

/// `POST /checkins/rhythm/{id}/decline`
async fn decline(
    state: State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    path: Path<i64>,
    form: Form<OnceForm>,
) -> Result<Response> {
    answer(state, person, layout, path, form, Answer::Decline).await
}

/// `POST /checkins/rhythm/{id}/withdraw`
async fn withdraw(
    state: State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    path: Path<i64>,
    form: Form<OnceForm>,
) -> Result<Response> {
    answer(state, person, layout, path, form, Answer::Withdraw).await
}

async fn answer(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    Path(id): Path<i64>,
    Form(form): Form<OnceForm>,
    answer: Answer,
) -> Result<Response> {
    let names = Names::load(&state.db.readers).await?;
    let now = state.clock.now();
    let at = clock::format(now);
    let mut tx = state.db.begin_write().await?;
    let proposal = store::rhythm_by_id_tx(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mine = proposal.proposed_by == person.id;
    let proposer = names.of(Some(proposal.proposed_by)).to_string();
    match answer {
        Answer::Accept | Answer::Decline if mine => {
            return Err(AppError::forbidden(format!(
                "This is your own proposal; only {} can accept or decline it.",
                names.other_than(Some(person.id))
            )));
        }
        Answer::Withdraw if !mine => {
            return Err(AppError::forbidden(format!(
                "Only {proposer} can withdraw their proposal; you can accept or decline it."
            )));
        }
        _ => {}
    }
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to("/checkins").into_response());
    }
    if proposal.state != "proposed" {
        tx.rollback().await?;
        return Err(AppError::Conflict(
            "This proposal was already answered or withdrawn. Nothing was changed.".into(),
        ));
    }
    let description = describe_row(&proposal);
    let today = time::today(now, &layout.tz).to_string();
    let (to, kind, message, replaces) = match answer {
        Answer::Accept => {
            let previous = store::rhythm_in_state_tx(&mut tx, "agreed").await?;
            if let Some(previous) = &previous {
                store::set_rhythm_state(
                    &mut tx,
                    previous.id,
                    "agreed",
                    "replaced",
                    person.id,
                    &at,
                    None,
                )
                .await?;
            }
            (
                "agreed",
                "checkin.rhythm_accepted",
                format!("You both agreed: check-ins {description}."),
                previous.map(|p| p.id),
            )
        }
        Answer::Decline => (
            "declined",
            "checkin.rhythm_declined",
            format!(
                "You declined check-ins {description}. Either of you can propose another rhythm."
            ),
            None,
        ),
        Answer::Withdraw => (
            "withdrawn",
            "checkin.rhythm_withdrawn",
            "You withdrew your proposal.".to_string(),
            None,
        ),
    };
    let starts_on = (answer == Answer::Accept).then_some(today.as_str());
    store::set_rhythm_state(&mut tx, id, "proposed", to, person.id, &at, starts_on).await?;
    let parts = (
        proposal.every.as_str(),
        proposal.weekday.as_deref(),
        proposal.day_of_month,
    );
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        kind,
        &format!("rhythm/{id}"),
        &RhythmBody {
            rhythm: &description,
            every: parts.0,
            weekday: parts.1,
            day_of_month: parts.2,
            proposal: Some(id),
            starts_on,
            replaces,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((flash::set(&message), Redirect::to("/checkins")).into_response())
}

// ---------------------------------------------------------------- check-ins

#[derive(Debug, Default, Deserialize)]
pub struct CheckinForm {
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub feeling: String,
    #[serde(default)]
    pub once: String,
}

#[derive(Serialize)]
struct HeldBody<'a> {
    held_on: &'a str,
    notes: &'a str,
    agenda: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    feeling: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "checkins/new.html")]
struct PreparePage {
    layout: Layout,
    agenda: Vec<AgendaItem>,
    form: CheckinForm,
    errors: FormErrors,
    once: String,
    today: String,
    next: Option<String>,
}

/// `GET /checkins/new`: the agenda and the form to record the check-in.
async fn prepare(
    State(state): State<AppState>,
    _person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let today = time::today(state.clock.now(), &layout.tz);
    let form = CheckinForm {
        held_on: today.to_string(),
        ..CheckinForm::default()
    };
    render_prepare(&state, layout, form, FormErrors::new()).await
}

async fn render_prepare(
    state: &AppState,
    layout: Layout,
    form: CheckinForm,
    errors: FormErrors,
) -> Result<Response> {
    let now = state.clock.now();
    let agenda = agenda(&state.db.readers, &layout.tz, now).await?;
    let next = next_due(&state.db.readers, &layout.tz, now)
        .await?
        .map(|n| day_with_weekday(n.status.next));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PreparePage {
        today: time::today(now, &layout.tz).to_string(),
        layout,
        agenda,
        form,
        errors,
        once: once::new_key(),
        next,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// A check-in's day: today or earlier, within the last year; today if empty.
pub fn check_held_on(input: &str, today: Date) -> std::result::Result<Date, String> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(today);
    }
    let day: Date = input
        .parse()
        .map_err(|_| "Please give the day as a date, like 2026-03-14.".to_string())?;
    if day > today {
        return Err("This day has not come yet. Record a check-in once it has taken place.".into());
    }
    if day < today.checked_sub(1.year()).unwrap_or(Date::MIN) {
        return Err("Please choose a day within the last year.".into());
    }
    Ok(day)
}

/// `POST /checkins`: records that a check-in took place.
async fn record(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<CheckinForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let today = time::today(now, &layout.tz);
    let mut errors = FormErrors::new();
    let held_on = errors.check("held_on", check_held_on(&form.held_on, today));
    let notes = errors.check("notes", fields::optional(&form.notes, limits::TEXT));
    let feeling = errors.check("feeling", fields::optional(&form.feeling, limits::NOTE));
    let (Some(held_on), Some(notes), Some(feeling)) = (held_on, notes, feeling) else {
        return render_prepare(&state, layout, form, errors).await;
    };
    let items = agenda(&state.db.readers, &layout.tz, now).await?;
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    let agenda_json = serde_json::to_string(&labels)
        .map_err(|e| AppError::internal(format!("serialising an agenda: {e}")))?;
    let notes = notes.unwrap_or_default();
    let day = held_on.to_string();
    let at = clock::format(now);

    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to("/checkins").into_response());
    }
    let id = store::insert_checkin(&mut tx, &day, &notes, &agenda_json, person.id, &at).await?;
    if let Some(feeling) = &feeling {
        store::insert_feeling(&mut tx, id, person.id, feeling, &at).await?;
    }
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "checkin.held",
        &format!("checkin/{id}"),
        &HeldBody {
            held_on: &day,
            notes: &notes,
            agenda: labels,
            feeling: feeling.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        flash::set("The check-in is recorded. Each of you can add how you felt on its page."),
        Redirect::to(&format!("/checkins/{id}")),
    )
        .into_response())
}

struct FeelingView {
    name: String,
    feeling: Option<String>,
    written: String,
}

#[derive(Template)]
#[template(path = "checkins/show.html")]
struct CheckinPage {
    layout: Layout,
    id: i64,
    day: String,
    by: String,
    recorded: String,
    notes: String,
    agenda: Vec<String>,
    feelings: Vec<FeelingView>,
    can_add: bool,
    form: FeelingForm,
    errors: FormErrors,
    once: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct FeelingForm {
    #[serde(default)]
    pub feeling: String,
    #[serde(default)]
    pub once: String,
}

#[derive(Serialize)]
struct FeelingBody<'a> {
    checkin: i64,
    held_on: &'a str,
    feeling: &'a str,
}

/// `GET /checkins/{id}`
async fn show(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    Path(id): Path<i64>,
) -> Result<Response> {
    render_checkin(
        &state,
        &person,
        layout,
        id,
        FeelingForm::default(),
        FormErrors::new(),
    )
    .await
}

async fn render_checkin(
    state: &AppState,
    person: &CurrentPerson,
    layout: Layout,
    id: i64,
    form: FeelingForm,
    errors: FormErrors,
) -> Result<Response> {
    let pool = &state.db.readers;
    let row = store::checkin(pool, id).await?.ok_or(AppError::NotFound)?;
    let names = Names::load(pool).await?;
    let written = store::feelings(pool, id).await?;
    let people = crate::auth::store::people(pool).await?;
    let feelings: Vec<FeelingView> = people
        .iter()
        .map(|p| {
            let mine = written.iter().find(|f| f.person_id == p.id);
            FeelingView {
                name: p.name.clone(),
                feeling: mine.map(|f| f.feeling.clone()),
                written: mine.map(|f| layout.when(&f.written_at)).unwrap_or_default(),
            }
        })
        .collect();
    let can_add = !written.iter().any(|f| f.person_id == person.id);
    let agenda: Vec<String> = serde_json::from_str(&row.agenda).unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CheckinPage {
        id,
        day: row
            .held_on
            .parse::<Date>()
            .map(day_with_weekday)
            .unwrap_or(row.held_on.clone()),
        by: names.of(Some(row.recorded_by)).to_string(),
        recorded: layout.when(&row.recorded_at),
        layout,
        notes: row.notes,
        agenda,
        feelings,
        can_add,
        form,
        errors,
        once: once::new_key(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `POST /checkins/{id}/feeling`: the signed-in person adds their own line.
async fn add_feeling(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    Path(id): Path<i64>,
    Form(form): Form<FeelingForm>,
) -> Result<Response> {
    let row = store::checkin(&state.db.readers, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FormErrors::new();
    let Some(feeling) = errors.check(
        "feeling",
        fields::required(&form.feeling, limits::NOTE, "how you felt"),
    ) else {
        return render_checkin(&state, &person, layout, id, form, errors).await;
    };
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/checkins/{id}")).into_response());
    }
    store::checkin_tx(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !store::insert_feeling(&mut tx, id, person.id, &feeling, &clock::format(now)).await? {
        tx.rollback().await?;
        return Err(AppError::Conflict(
            "You already wrote how you felt at this check-in; it stays as you wrote it.".into(),
        ));
    }
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "checkin.feeling_added",
        &format!("checkin/{id}"),
        &FeelingBody {
            checkin: id,
            held_on: &row.held_on,
            feeling: &feeling,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        flash::set("Your words are added to the check-in."),
        Redirect::to(&format!("/checkins/{id}")),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_check_in_day_is_today_or_earlier_within_a_year() {
        let today = date(2026, 5, 3);
        assert_eq!(check_held_on("", today), Ok(today));
        assert!(check_held_on("2026-05-04", today).is_err());
        assert!(check_held_on("2025-05-02", today).is_err());
        assert!(check_held_on("2026-02-30", today).is_err());
        assert_eq!(check_held_on(" 2026-05-01 ", today), Ok(date(2026, 5, 1)));
    }
}
