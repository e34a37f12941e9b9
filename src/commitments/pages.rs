//! The commitment page (its terms, occurrences and full history), recording
//! kept and broken, and answering a record (confirm, dispute, acknowledge,
//! settle a dispute).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use super::records::{self, OccurrenceState, Segment, Status};
use super::schedule::{self, Schedule};
use super::store::{self, AnswerRow, CommitmentRow, RecordRow};
use crate::agreements::{self, store::Agreement};
use crate::app::AppState;
use crate::auth::CurrentPerson;
use crate::clock::{self, Clock};
use crate::error::{AppError, Result};
use crate::ledger;
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout, flash, once};

/// Days of occurrences shown at once on a commitment page.
const WINDOW_DAYS: i64 = 28;
/// Records listed on a commitment page.
const RECORDS_SHOWN: i64 = 50;

/// A commitment with what every page about it needs.
pub struct Ctx {
    pub c: CommitmentRow,
    pub agreement: Agreement,
    pub names: HashMap<i64, String>,
    pub schedule: Schedule,
    pub segments: Vec<Segment>,
    pub today: Date,
    pub from: Date,
    /// The last day it is (or was) in force, if it has one.
    pub last_day: Option<Date>,
    pub in_force: bool,
    pub pauses: Vec<schedule::Pause>,
}

impl Ctx {
    pub fn owner_name(&self) -> String {
        self.name(self.c.owner_id)
    }

    pub fn other_id(&self) -> i64 {
        if self.c.owner_id == 1 { 2 } else { 1 }
    }

    pub fn name(&self, id: i64) -> String {
        self.names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| "the other person".into())
    }

    /// The last day occurrences can be listed for (today at the latest).
    fn last_listed(&self) -> Date {
        self.last_day.map_or(self.today, |d| d.min(self.today))
    }

    /// Whether a record may be made about `day`; the reason if not.
    fn check_day(&self, day: Date, outcome: &str) -> Result<(), String> {
        let long = schedule::long_date(day);
        if day < self.from {
            return Err(format!("This commitment was not in force yet on {long}."));
        }
        if let Some(last) = self.last_day
            && day > last
        {
            return Err(format!("This commitment was no longer in force on {long}."));
        }
        if outcome == "still_keeping" || self.schedule.is_standing() {
            if day > self.today {
                return Err(format!("{long} has not come yet."));
            }
            return Ok(());
        }
        match records::schedule_on(&self.segments, day) {
            Some(Schedule::OneOff { by }) if *by == day => Ok(()),
            Some(_) if day > self.today => Err(format!("{long} has not come yet.")),
            Some(_) if !records::due_days(&self.segments, day, day, &self.pauses).is_empty() => {
                Ok(())
            }
            _ => Err(format!("Nothing was due on {long}.")),
        }
    }
}

pub async fn load(state: &AppState, id: i64) -> Result<Ctx> {
    let c = store::commitment(&state.db.readers, id).await?;
    let agreement = agreements::store::agreement(&state.db.readers, c.agreement_id).await?;
    let names = agreements::names(&state.db.readers).await?;
    let tz = crate::web::time::zone(&crate::auth::store::time_zone(&state.db.readers).await?);
    let today = schedule::today(state.clock.now(), &tz);
    let schedule: Schedule = serde_json::from_str(&c.schedule)
        .map_err(|e| AppError::internal(format!("commitment {id} schedule: {e}")))?;
    let from: Date = c
        .in_force_from
        .parse()
        .map_err(|e| AppError::internal(format!("commitment {id} start: {e}")))?;
    let until = c
        .in_force_until
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok());
    let agreed_end = agreement
        .ends_on
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok());
    let last_day = match (until, agreed_end) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let in_force = agreement.state == "active"
        && c.until_version.is_none()
        && last_day.is_none_or(|d| today <= d);
    let terms = store::terms(&state.db.readers, id).await?;
    let segments = records::segments(&terms, last_day);
    let pauses = super::pauses_for(&state.db.readers, id).await?;
    Ok(Ctx {
        c,
        agreement,
        names,
        schedule,
        segments,
        today,
        from,
        last_day,
        in_force,
        pauses,
    })
}

/// A record with its answers and where it stands, for templates.
pub struct RecordView {
    pub row: RecordRow,
    pub answers: Vec<AnswerView>,
    pub status: Status,
    pub by: String,
    pub pattern: bool,
}

pub struct AnswerView {
    pub label: String,
    pub note: String,
    pub at: String,
}

impl RecordView {
    pub fn day_long(&self) -> String {
        self.row
            .day
            .parse::<Date>()
            .map(schedule::long_date)
            .unwrap_or_else(|_| self.row.day.clone())
    }

    pub fn what(&self) -> &'static str {
        match (self.row.kind.as_str(), self.row.self_reported) {
            ("kept", _) => "recorded it as kept",
            ("still_keeping", _) => "said they are still keeping this",
            (_, 1) => "recorded it as broken (self-reported)",
            _ => "recorded a break they saw",
        }
    }
}

fn answer_label(kind: &str, who: &str) -> String {
    match kind {
        "confirmed" => format!("{who} confirmed it."),
        "disputed" => format!("{who} disputed it."),
        "acknowledged" => format!("{who} acknowledged the break."),
        "dispute_withdrawn" => format!("{who} withdrew their dispute."),
        "dispute_accepted" => format!("{who} accepted the dispute; this record no longer counts."),
        _ => format!("{who} answered."),
    }
}

async fn view(
    state: &AppState,
    ctx: &Ctx,
    row: RecordRow,
    now: Timestamp,
    patterns: &[records::Pattern],
    layout: &Layout,
) -> Result<RecordView> {
    let answers = store::answers(&state.db.readers, row.id).await?;
    let status = records::status(&row, &answers, now);
    Ok(RecordView {
        answers: answers
            .iter()
            .map(|a| AnswerView {
                label: answer_label(&a.kind, &ctx.name(a.person_id)),
                note: a.note.clone(),
                at: layout.when(&a.created_at),
            })
            .collect(),
        status,
        by: ctx.name(row.recorded_by),
        pattern: patterns.iter().any(|p| p.record_id == row.id),
        row,
    })
}

/// The patterns of a commitment, derived from all its breaks.
async fn patterns_of(state: &AppState, id: i64, now: Timestamp) -> Result<Vec<records::Pattern>> {
    let mut with_status = Vec::new();
    for row in store::breaks(&state.db.readers, id).await? {
        let answers = store::answers(&state.db.readers, row.id).await?;
        let status = records::status(&row, &answers, now);
        with_status.push((row, status));
    }
    Ok(records::patterns(&with_status))
}

pub struct OccurrenceView {
    pub day: Date,
    pub state: OccurrenceState,
    pub records: Vec<RecordView>,
}

impl OccurrenceView {
    pub fn day_long(&self) -> String {
        schedule::long_date(self.day)
    }
}

pub struct TermsView {
    pub version: i64,
    pub text: String,
    pub owner: String,
    pub schedule: String,
    pub changed: bool,
    pub from: String,
}

pub struct PatternView {
    pub day: String,
    pub earlier_day: String,
    pub record_id: i64,
}

#[derive(Template)]
#[template(path = "commitments/show.html")]
struct ShowPage {
    layout: Layout,
    ctx: Ctx,
    me: i64,
    terms: Vec<TermsView>,
    occurrences: Vec<OccurrenceView>,
    records: Vec<RecordView>,
    patterns: Vec<PatternView>,
    earlier: Option<String>,
    once: String,
    kept_this_week: bool,
    from_request: Option<crate::agreements::requests::RequestRow>,
}

#[derive(Deserialize)]
pub struct ShowQuery {
    until: Option<String>,
}

/// `GET /commitments/{id}`
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<ShowQuery>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let ctx = load(&state, id).await?;
    let now = state.clock.now();
    let pattern_list = patterns_of(&state, id, now).await?;
    let mut hi = ctx.last_listed();
    if let Some(until) = query.until.as_deref().and_then(|u| u.parse::<Date>().ok()) {
        hi = hi.min(until);
    }
    let lo = records::add_days(hi, -(WINDOW_DAYS - 1)).max(ctx.from);
    let mut days = if ctx.schedule.is_standing() {
        Vec::new()
    } else {
        records::due_days(&ctx.segments, lo, hi, &ctx.pauses)
    };
    // A one-off still ahead is listed as open: it can be done any day until then.
    if let Schedule::OneOff { by } = ctx.schedule
        && by > hi
        && ctx.in_force
        && query.until.is_none()
    {
        days.push(by);
    }
    let listed_to = days.last().copied().unwrap_or(hi).max(hi);
    let rows = store::records_between(
        &state.db.readers,
        id,
        &lo.to_string(),
        &listed_to.to_string(),
    )
    .await?;
    let mut by_day: HashMap<String, Vec<RecordView>> = HashMap::new();
    let tz = layout.tz.clone();
    for row in rows {
        let v = view(&state, &ctx, row, now, &pattern_list, &layout).await?;
        by_day.entry(v.row.day.clone()).or_default().push(v);
    }
    let mut occurrences: Vec<OccurrenceView> = days
        .into_iter()
        .map(|day| {
            let records = by_day.remove(&day.to_string()).unwrap_or_default();
            let statuses: Vec<Status> = records.iter().map(|r| r.status).collect();
            OccurrenceView {
                day,
                state: records::occurrence_state(day, &statuses, now, &tz),
                records,
            }
        })
        .collect();
    occurrences.reverse();
    let mut history = Vec::new();
    for row in store::latest_records(&state.db.readers, id, RECORDS_SHOWN).await? {
        history.push(view(&state, &ctx, row, now, &pattern_list, &layout).await?);
    }
    let week = schedule::week_start(ctx.today);
    let kept_this_week = history.iter().any(|r| {
        r.row.kind == "still_keeping"
            && r.status != Status::Corrected
            && r.row.day.parse::<Date>().is_ok_and(|d| d >= week)
    });
    let terms = store::terms(&state.db.readers, id)
        .await?
        .into_iter()
        .map(|t| TermsView {
            version: t.version,
            owner: ctx.name(t.owner_id),
            schedule: serde_json::from_str::<Schedule>(&t.schedule)
                .map(|s| s.describe())
                .unwrap_or_default(),
            text: t.text,
            changed: t.changed == 1,
            from: t
                .effective_from
                .parse::<Date>()
                .map(schedule::long_date)
                .unwrap_or(t.effective_from),
        })
        .collect();
    let earlier = (lo > ctx.from && !ctx.schedule.is_standing())
        .then(|| records::add_days(lo, -1).to_string());
    let page = ShowPage {
        layout,
        me: person.id,
        terms,
        occurrences,
        records: history,
        patterns: pattern_list
            .iter()
            .map(|p| PatternView {
                day: schedule::long_date(p.day),
                earlier_day: schedule::long_date(p.earlier_day),
                record_id: p.record_id,
            })
            .collect(),
        earlier,
        once: once::new_key(),
        kept_this_week,
        from_request: crate::agreements::requests::request_for_commitment(&state.db.readers, id)
            .await?,
        ctx,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize, Default)]
pub struct RecordQuery {
    day: Option<String>,
    corrects: Option<i64>,
}

/// What the record form sends.
#[derive(Debug, Default, Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    once: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    corrects: String,
}

#[derive(Template)]
#[template(path = "commitments/record.html")]
struct RecordFormPage {
    layout: Layout,
    ctx: Ctx,
    me: i64,
    form: RecordForm,
    errors: FormErrors,
    corrects: Option<RecordView>,
    day_long: String,
}

impl RecordFormPage {
    fn is_owner(&self) -> bool {
        self.me == self.ctx.c.owner_id
    }
}

/// `GET /commitments/{id}/record?day=…&corrects=…`
pub async fn record_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<RecordQuery>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let ctx = load(&state, id).await?;
    let form = RecordForm {
        once: once::new_key(),
        day: query.day.unwrap_or_else(|| ctx.today.to_string()),
        outcome: String::new(),
        note: String::new(),
        corrects: query.corrects.map(|c| c.to_string()).unwrap_or_default(),
    };
    render_record_form(&state, ctx, person.id, layout, form, FormErrors::new()).await
}

async fn render_record_form(
    state: &AppState,
    ctx: Ctx,
    me: i64,
    layout: Layout,
    form: RecordForm,
    errors: FormErrors,
) -> Result<Response> {
    let corrects = match form.corrects.parse::<i64>() {
        Ok(rid) => {
            let row = store::record(&state.db.readers, rid).await?;
            if row.commitment_id != ctx.c.id {
                return Err(AppError::NotFound);
            }
            Some(view(state, &ctx, row, state.clock.now(), &[], &layout).await?)
        }
        Err(_) => None,
    };
    let day_long = form
        .day
        .parse::<Date>()
        .map(schedule::long_date)
        .unwrap_or_else(|_| form.day.clone());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = RecordFormPage {
        layout,
        ctx,
        me,
        form,
        errors,
        corrects,
        day_long,
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Serialize)]
struct RecordBody<'a> {
    record: i64,
    commitment: i64,
    commitment_text: &'a str,
    owner: &'a str,
    day: &'a str,
    outcome: &'a str,
    self_reported: bool,
    recorded_by: &'a str,
    note: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    corrects: Option<i64>,
}

/// `POST /commitments/{id}/record`
pub async fn record(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<RecordForm>,
) -> Result<Response> {
    let ctx = load(&state, id).await?;
    let me = person.id;
    let is_owner = me == ctx.c.owner_id;
    let outcome = form.outcome.as_str();
    if !matches!(outcome, "kept" | "broken" | "still_keeping") {
        let mut errors = FormErrors::new();
        errors.add("outcome", "Please choose what to record.");
        return render_record_form(&state, ctx, me, layout, form, errors).await;
    }
    if (outcome == "kept" || outcome == "still_keeping") && !is_owner {
        return Err(AppError::forbidden(format!(
            "Only {} can record their own commitment as kept. You can record a break you saw.",
            ctx.owner_name()
        )));
    }
    let mut errors = FormErrors::new();
    if outcome == "kept" && ctx.schedule.is_standing() {
        errors.add(
            "outcome",
            "A standing commitment is kept by not breaking it; use “still keeping this” instead.",
        );
    }
    if outcome == "still_keeping" && !ctx.schedule.is_standing() {
        errors.add(
            "outcome",
            "“Still keeping this” is for standing commitments.",
        );
    }
    let note = errors
        .check("note", fields::optional(&form.note, limits::NOTE))
        .map(Option::unwrap_or_default);
    let day = match form.day.trim().parse::<Date>() {
        Ok(day) => errors.check("day", ctx.check_day(day, outcome).map(|()| day)),
        Err(_) => {
            errors.add("day", "Please give the day as a date.");
            None
        }
    };
    let corrects = match form.corrects.trim() {
        "" => None,
        value => Some(value.parse::<i64>().map_err(|_| {
            AppError::BadRequest("The record to correct was not understood.".into())
        })?),
    };
    let (Some(note), Some(day)) = (note, day) else {
        return render_record_form(&state, ctx, me, layout, form, errors).await;
    };
    if !errors.is_empty() {
        return render_record_form(&state, ctx, me, layout, form, errors).await;
    }
    let now = state.clock.now();
    let at = clock::format(now);
    let day_text = day.to_string();
    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, me, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/commitments/{id}")).into_response());
    }
    if let Some(old) = corrects {
        let old_row = store::record_tx(&mut tx, old).await?;
        if old_row.commitment_id != id {
            return Err(AppError::NotFound);
        }
        if old_row.recorded_by != me {
            return Err(AppError::forbidden(
                "Only the person who made a record can correct it.",
            ));
        }
        if old_row.corrected_by.is_some() {
            return Err(AppError::Conflict(
                "That record was already corrected; correct the newer entry instead.".into(),
            ));
        }
    }
    if outcome == "still_keeping" {
        let week = schedule::week_start(day);
        for d in 0..7 {
            let other_day = records::add_days(week, d).to_string();
            let same_week = store::records_on_day_tx(&mut tx, id, &other_day).await?;
            if same_week.iter().any(|r| {
                r.kind == "still_keeping" && r.corrected_by.is_none() && Some(r.id) != corrects
            }) {
                return Err(AppError::Conflict(
                    "You already said you are still keeping this, this week.".into(),
                ));
            }
        }
    } else {
        let same_day = store::records_on_day_tx(&mut tx, id, &day_text).await?;
        let duplicate = same_day.iter().any(|r| {
            r.recorded_by == me
                && r.corrected_by.is_none()
                && Some(r.id) != corrects
                && r.kind != "still_keeping"
        });
        if duplicate {
            return Err(AppError::Conflict(format!(
                "You already recorded {}. To change what you recorded, correct that entry.",
                schedule::long_date(day)
            )));
        }
    }
    let record_id = store::next_record_id(&mut tx).await?;
    let self_reported = is_owner && outcome == "broken";
    let kind = if corrects.is_some() {
        "commitment.corrected".to_string()
    } else {
        format!("commitment.{outcome}")
    };
    let owner_name = ctx.owner_name();
    let entry = ledger::append(
        &mut tx,
        &state.clock,
        Some(me),
        &kind,
        &format!("commitment/{id}"),
        &RecordBody {
            record: record_id,
            commitment: id,
            commitment_text: &ctx.c.text,
            owner: &owner_name,
            day: &day_text,
            outcome,
            self_reported,
            recorded_by: &person.name,
            note: &note,
            corrects,
        },
    )
    .await?;
    let inserted = store::insert_record(
        &mut tx,
        id,
        outcome,
        &day_text,
        me,
        self_reported,
        &note,
        corrects,
        &at,
        entry.seq,
    )
    .await?;
    if inserted != record_id {
        return Err(AppError::internal("record id changed during the write"));
    }
    sync_patterns(&mut tx, &state.clock, &ctx, now).await?;
    tx.commit().await?;
    let message = match (outcome, self_reported) {
        ("kept", _) => format!(
            "Recorded as kept. {} can confirm it; without a dispute it counts after 7 days.",
            ctx.name(ctx.other_id())
        ),
        ("still_keeping", _) => "Noted: you are still keeping this.".to_string(),
        (_, true) => "Recorded as broken, self-reported. Thank you for saying so.".to_string(),
        _ => format!("The break you saw is recorded. {owner_name} can acknowledge or dispute it."),
    };
    Ok((
        flash::set(&message),
        Redirect::to(&format!("/commitments/{id}")),
    )
        .into_response())
}

#[derive(Serialize)]
struct PatternBody<'a> {
    commitment: i64,
    commitment_text: &'a str,
    owner: &'a str,
    record: i64,
    day: String,
    earlier_record: i64,
    earlier_day: String,
    meaning: &'a str,
}

/// The words used wherever a pattern is named.
pub const PATTERN_MEANING: &str = "This commitment was broken twice within 30 days. \
     Twice in a short time is more than a slip: it is worth talking about together, calmly, \
     at your next conversation.";

/// Raises any pattern flag not yet raised for a commitment, each with its
/// entry on the record. Called in every write that can make a break count.
async fn sync_patterns(
    tx: &mut SqliteConnection,
    clock: &Clock,
    ctx: &Ctx,
    now: Timestamp,
) -> Result<()> {
    let id = ctx.c.id;
    let mut with_status = Vec::new();
    for row in store::breaks_tx(tx, id).await? {
        let answers = store::answers_tx(tx, row.id).await?;
        let status = records::status(&row, &answers, now);
        with_status.push((row, status));
    }
    let raised = store::patterns_tx(tx, id).await?;
    let owner = ctx.owner_name();
    for p in records::patterns(&with_status) {
        if raised.iter().any(|(r, _)| *r == p.record_id) {
            continue;
        }
        store::insert_pattern(tx, id, p.record_id, p.earlier_id, &clock::format(now)).await?;
        ledger::append(
            tx,
            clock,
            None,
            "commitment.pattern_flagged",
            &format!("commitment/{id}"),
            &PatternBody {
                commitment: id,
                commitment_text: &ctx.c.text,
                owner: &owner,
                record: p.record_id,
                day: p.day.to_string(),
                earlier_record: p.earlier_id,
                earlier_day: p.earlier_day.to_string(),
                meaning: PATTERN_MEANING,
            },
        )
        .await?;
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "commitments/record_page.html")]
struct RecordPage {
    layout: Layout,
    ctx: Ctx,
    record: RecordView,
    can: Allowed,
    note: String,
    errors: FormErrors,
    once: String,
}

/// Which answers the person looking may give.
#[derive(Debug, Default, Clone, Copy)]
pub struct Allowed {
    pub confirm: bool,
    pub dispute: bool,
    pub acknowledge: bool,
    pub withdraw_dispute: bool,
    pub accept_dispute: bool,
    pub correct: bool,
}

impl Allowed {
    pub fn any(&self) -> bool {
        self.confirm
            || self.dispute
            || self.acknowledge
            || self.withdraw_dispute
            || self.accept_dispute
    }
}

fn allowed(ctx: &Ctx, row: &RecordRow, answers: &[AnswerRow], me: i64, now: Timestamp) -> Allowed {
    if row.corrected_by.is_some() {
        return Allowed::default();
    }
    let owner = ctx.c.owner_id;
    let disputer = answers
        .iter()
        .find(|a| a.kind == "disputed")
        .map(|a| a.person_id);
    let settled = answers
        .iter()
        .any(|a| a.kind == "dispute_withdrawn" || a.kind == "dispute_accepted");
    let fresh = answers.is_empty() && records::within_answer_window(row, now);
    let unanswered = answers.is_empty();
    let open_dispute = disputer.is_some() && !settled;
    match row.kind.as_str() {
        "kept" => Allowed {
            confirm: me != row.recorded_by && unanswered,
            dispute: me != row.recorded_by && fresh,
            withdraw_dispute: open_dispute && disputer == Some(me),
            accept_dispute: open_dispute && row.recorded_by == me,
            correct: row.recorded_by == me && !open_dispute,
            ..Allowed::default()
        },
        "broken" if row.self_reported == 0 => Allowed {
            acknowledge: me == owner && unanswered,
            dispute: me == owner && fresh,
            withdraw_dispute: open_dispute && disputer == Some(me),
            accept_dispute: open_dispute && row.recorded_by == me,
            correct: row.recorded_by == me && !open_dispute,
            ..Allowed::default()
        },
        _ => Allowed {
            correct: row.recorded_by == me,
            ..Allowed::default()
        },
    }
}

/// `GET /commitments/records/{id}`
pub async fn record_page(
    State(state): State<AppState>,
    Path(rid): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    render_record_page(
        &state,
        rid,
        person.id,
        layout,
        String::new(),
        FormErrors::new(),
    )
    .await
}

async fn render_record_page(
    state: &AppState,
    rid: i64,
    me: i64,
    layout: Layout,
    note: String,
    errors: FormErrors,
) -> Result<Response> {
    let row = store::record(&state.db.readers, rid).await?;
    let ctx = load(state, row.commitment_id).await?;
    let now = state.clock.now();
    let answers = store::answers(&state.db.readers, rid).await?;
    let can = allowed(&ctx, &row, &answers, me, now);
    let patterns = patterns_of(state, ctx.c.id, now).await?;
    let record = view(state, &ctx, row, now, &patterns, &layout).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = RecordPage {
        layout,
        ctx,
        record,
        can,
        note,
        errors,
        once: once::new_key(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    once: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    note: String,
}

#[derive(Serialize)]
struct AnswerBody<'a> {
    record: i64,
    commitment: i64,
    commitment_text: &'a str,
    owner: &'a str,
    day: &'a str,
    recorded: &'a str,
    answer: &'a str,
    by: &'a str,
    note: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    acknowledges: Option<&'a str>,
}

/// `POST /commitments/records/{id}/answer`
pub async fn answer(
    State(state): State<AppState>,
    Path(rid): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<AnswerForm>,
) -> Result<Response> {
    let me = person.id;
    let row = store::record(&state.db.readers, rid).await?;
    let ctx = load(&state, row.commitment_id).await?;
    let answer = form.answer.as_str();
    let kind = match answer {
        "confirm" => "confirmed",
        "dispute" => "disputed",
        "acknowledge" => "acknowledged",
        "withdraw_dispute" => "dispute_withdrawn",
        "accept_dispute" => "dispute_accepted",
        _ => {
            return Err(AppError::BadRequest(
                "That answer was not understood.".into(),
            ));
        }
    };
    let mut errors = FormErrors::new();
    let note = if answer == "dispute" {
        errors.check(
            "note",
            fields::required(&form.note, limits::NOTE, "what you saw differently"),
        )
    } else {
        errors
            .check("note", fields::optional(&form.note, limits::NOTE))
            .map(Option::unwrap_or_default)
    };
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    // Checked inside the write: the other person may have answered meanwhile.
    let row = store::record_tx(&mut tx, rid).await?;
    let answers = store::answers_tx(&mut tx, rid).await?;
    let can = allowed(&ctx, &row, &answers, me, now);
    let permitted = match answer {
        "confirm" => can.confirm,
        "dispute" => can.dispute,
        "acknowledge" => can.acknowledge,
        "withdraw_dispute" => can.withdraw_dispute,
        _ => can.accept_dispute,
    };
    if !permitted {
        tx.rollback().await?;
        let other = ctx.name(if row.recorded_by == 1 { 2 } else { 1 });
        let mine_to_answer = match answer {
            "confirm" => row.kind == "kept" && me != row.recorded_by,
            "dispute" => {
                (row.kind == "kept" && me != row.recorded_by)
                    || (row.kind == "broken" && row.self_reported == 0 && me == ctx.c.owner_id)
            }
            "acknowledge" => row.kind == "broken" && row.self_reported == 0 && me == ctx.c.owner_id,
            "withdraw_dispute" => answers
                .iter()
                .any(|a| a.kind == "disputed" && a.person_id == me),
            _ => row.recorded_by == me,
        };
        if !mine_to_answer {
            return Err(AppError::forbidden(format!(
                "This answer is not yours to give: only {other} can answer what you recorded, \
                 and each of you settles a dispute only from your own side. Nothing was changed."
            )));
        }
        return Err(AppError::Conflict(
            "This record was already answered, was corrected, or its 7 days to dispute have \
             passed. Nothing was changed; the page shows where it stands."
                .into(),
        ));
    }
    let Some(note) = note.filter(|_| errors.is_empty()) else {
        tx.rollback().await?;
        return render_record_page(&state, rid, me, layout, form.note, errors).await;
    };
    if !once::claim(&mut tx, me, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/commitments/records/{rid}")).into_response());
    }
    let ledger_kind = match kind {
        "dispute_accepted" => "commitment.acknowledged",
        other => match other {
            "confirmed" => "commitment.confirmed",
            "disputed" => "commitment.disputed",
            "acknowledged" => "commitment.acknowledged",
            _ => "commitment.dispute_withdrawn",
        },
    };
    let owner = ctx.owner_name();
    ledger::append(
        &mut tx,
        &state.clock,
        Some(me),
        ledger_kind,
        &format!("commitment/{}", ctx.c.id),
        &AnswerBody {
            record: rid,
            commitment: ctx.c.id,
            commitment_text: &ctx.c.text,
            owner: &owner,
            day: &row.day,
            recorded: &row.kind,
            answer: kind,
            by: &person.name,
            note: &note,
            acknowledges: match kind {
                "acknowledged" => Some("the break"),
                "dispute_accepted" => Some("the dispute"),
                _ => None,
            },
        },
    )
    .await?;
    store::insert_answer(&mut tx, rid, kind, me, &note, &clock::format(now)).await?;
    sync_patterns(&mut tx, &state.clock, &ctx, now).await?;
    tx.commit().await?;
    let message = match kind {
        "confirmed" => "Confirmed. Thank you for noticing.",
        "disputed" => "Your dispute is recorded. It is listed for your next conversation.",
        "acknowledged" => "Acknowledged. It counts as broken.",
        "dispute_withdrawn" => "You withdrew your dispute; the record stands as it was made.",
        _ => "You accepted the dispute; this record no longer counts.",
    };
    Ok((
        flash::set(message),
        Redirect::to(&format!("/commitments/records/{rid}")),
    )
        .into_response())
}
