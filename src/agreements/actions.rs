//! Every change to an agreement: starting a draft, saving a revision,
//! proposing, signing, declining, amending and ending. Each runs in one
//! `BEGIN IMMEDIATE` transaction with its entry on the record, and checks
//! the agreement's state again inside it.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use super::content::{CommitmentDraft, Content};
use super::form::{self, EditForm};
use super::pages::{self, EditMode};
use super::store::{self, Agreement};
use crate::app::AppState;
use crate::auth::CurrentPerson;
use crate::clock;
use crate::commitments::{self, schedule};
use crate::error::{AppError, Result};
use crate::ledger;
use crate::web::fields::{self, limits};
use crate::web::{Form, FormErrors, Layout, flash, once};

/// A commitment as the record tells it: names and words, not only ids.
#[derive(Serialize)]
struct CommitmentBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    owner: String,
    text: String,
    schedule: schedule::Schedule,
    when: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    change: Option<&'static str>,
}

/// The full content of a revision, for the record.
#[derive(Serialize)]
pub(super) struct ContentBody {
    agreement: i64,
    revision: i64,
    content_hash: String,
    title: String,
    text: String,
    ends_on: Option<String>,
    commitments: Vec<CommitmentBody>,
}

pub(super) fn content_body(
    agreement: i64,
    revision: i64,
    content: &Content,
    names: &HashMap<i64, String>,
) -> ContentBody {
    ContentBody {
        agreement,
        revision,
        content_hash: content.hash(),
        title: content.title.clone(),
        text: content.body.clone(),
        ends_on: content.ends_on.map(|d| d.to_string()),
        commitments: content
            .commitments
            .iter()
            .map(|c| CommitmentBody {
                id: c.carries,
                owner: names.get(&c.owner).cloned().unwrap_or_default(),
                text: c.text.clone(),
                when: c.schedule.describe(),
                schedule: c.schedule.clone(),
                change: None,
            })
            .collect(),
    }
}

async fn today(state: &AppState) -> Result<Date> {
    let tz = crate::web::time::zone(&crate::auth::store::time_zone(&state.db.readers).await?);
    Ok(schedule::today(state.clock.now(), &tz))
}

async fn people_ids(state: &AppState) -> Result<Vec<i64>> {
    Ok(super::names(&state.db.readers).await?.into_keys().collect())
}

/// The commitments an amendment may carry: those of the version in force.
async fn carried(state: &AppState, agreement: &Agreement) -> Result<form::Carried> {
    let mut map = form::Carried::new();
    if agreement.state != "active" {
        return Ok(map);
    }
    for c in commitments::store::all_of_agreement(&state.db.readers, agreement.id).await? {
        if c.until_version.is_some() {
            continue;
        }
        if let Ok(schedule) = serde_json::from_str(&c.schedule) {
            map.insert(
                c.id,
                CommitmentDraft {
                    carries: Some(c.id),
                    request: None,
                    owner: c.owner_id,
                    text: c.text,
                    schedule,
                },
            );
        }
    }
    Ok(map)
}

fn done(message: &str, to: &str) -> Response {
    (flash::set(message), Redirect::to(to)).into_response()
}

/// `POST /agreements`: starts a draft.
pub async fn create(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let breach = pairs
        .iter()
        .find(|(k, _)| k == "breach_id")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let mut form = EditForm::from_pairs(pairs);
    let today = today(&state).await?;
    if form.action == "more" {
        let form = form.with_blank_rows(1, person.id, today);
        return pages::render_edit(&state, layout, EditMode::New, form, FormErrors::new(), None)
            .await;
    }
    let mut errors = FormErrors::new();
    let breach_id = match breach.as_str() {
        "" => None,
        value => match value.parse::<i64>() {
            Ok(id) if breach_exists(&state, id).await => Some(id),
            _ => {
                errors.add("breach", "That breach could not be found.");
                None
            }
        },
    };
    let people = people_ids(&state).await?;
    let content = form::check(
        &mut form,
        &people,
        &form::Carried::new(),
        &form::Requests::new(),
        today,
        &mut errors,
    );
    let Some(content) = content.filter(|_| errors.is_empty()) else {
        return pages::render_edit(&state, layout, EditMode::New, form, errors, None).await;
    };
    let names = super::names(&state.db.readers).await?;
    let now = state.clock.now();
    let at = clock::format(now);
    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to("/agreements").into_response());
    }
    let id = store::insert_agreement(&mut tx, &content.title, breach_id, person.id, &at).await?;
    let (revision_id, number) =
        store::insert_revision(&mut tx, id, None, false, &content, person.id, &at).await?;
    store::set_seen(&mut tx, id, person.id, revision_id).await?;
    #[derive(Serialize)]
    struct Started {
        #[serde(flatten)]
        content: ContentBody,
        breach: Option<i64>,
        started_by: String,
    }
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "agreement.draft_started",
        &format!("agreement/{id}"),
        &Started {
            content: content_body(id, number, &content, &names),
            breach: breach_id,
            started_by: person.name.clone(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        "Your draft is saved. The other person can now read and edit it.",
        &format!("/agreements/{id}"),
    ))
}

async fn breach_exists(state: &AppState, id: i64) -> bool {
    // The repair path's table may not exist yet in this build; then no
    // breach can be named.
    sqlx::query_scalar::<_, i64>("SELECT id FROM breaches WHERE id = ?")
        .bind(id)
        .fetch_optional(&state.db.readers)
        .await
        .ok()
        .flatten()
        .is_some()
}

/// `POST /agreements/{id}/edit`: saves a revision of the open draft.
pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let agreement = store::agreement(&state.db.readers, id).await?;
    if !agreement.has_draft() {
        return Err(AppError::Conflict(
            "This agreement has no open draft, so nothing can be edited. What both of you \
             signed stays as it is; to change it, start an amendment."
                .into(),
        ));
    }
    let mut form = EditForm::from_pairs(pairs);
    let today = today(&state).await?;
    if form.action == "more" {
        let form = form.with_blank_rows(1, person.id, today);
        return pages::render_edit(
            &state,
            layout,
            EditMode::Edit(id),
            form,
            FormErrors::new(),
            None,
        )
        .await;
    }
    let mut errors = FormErrors::new();
    let people = people_ids(&state).await?;
    let carried = carried(&state, &agreement).await?;
    let requests = super::requests::requests_of_agreement(&state.db.readers, id).await?;
    let content = form::check(&mut form, &people, &carried, &requests, today, &mut errors);
    let Some(content) = content.filter(|_| errors.is_empty()) else {
        return pages::render_edit(&state, layout, EditMode::Edit(id), form, errors, None).await;
    };
    let base: Option<i64> = form.base_revision.trim().parse().ok();
    let names = super::names(&state.db.readers).await?;
    let now = state.clock.now();
    let at = clock::format(now);
    let mut tx = state.db.begin_write().await?;
    let agreement = store::agreement_tx(&mut tx, id).await?;
    let Some(current) = agreement
        .current_revision_id
        .filter(|_| agreement.has_draft())
    else {
        return Err(AppError::Conflict(
            "The draft was closed while you were editing (it was signed by both). \
             Nothing was saved; start an amendment to change it."
                .into(),
        ));
    };
    if base != Some(current) {
        // Someone saved since this form was opened: refuse, show their
        // changes, keep what this person typed.
        tx.rollback().await?;
        return pages::render_edit(
            &state,
            layout,
            EditMode::Edit(id),
            form,
            FormErrors::new(),
            Some((base, current)),
        )
        .await;
    }
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/agreements/{id}")).into_response());
    }
    let current_row = store::revision_tx(&mut tx, current).await?;
    if current_row.content_hash == content.hash() {
        tx.rollback().await?;
        return Ok(done(
            "Nothing had changed, so no new revision was saved.",
            &format!("/agreements/{id}"),
        ));
    }
    let amendment = current_row.amendment == 1;
    let (revision_id, number) = store::insert_revision(
        &mut tx,
        id,
        Some(current),
        amendment,
        &content,
        person.id,
        &at,
    )
    .await?;
    let cleared = store::clear_signatures(&mut tx, id, "version", &at).await?;
    store::set_seen(&mut tx, id, person.id, revision_id).await?;
    #[derive(Serialize)]
    struct Revised {
        #[serde(flatten)]
        content: ContentBody,
        based_on: i64,
        revised_by: String,
        signatures_cleared: Vec<String>,
    }
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "agreement.revised",
        &format!("agreement/{id}"),
        &Revised {
            content: content_body(id, number, &content, &names),
            based_on: current_row.number,
            revised_by: person.name.clone(),
            signatures_cleared: cleared
                .iter()
                .map(|p| names.get(p).cloned().unwrap_or_default())
                .collect(),
        },
    )
    .await?;
    tx.commit().await?;
    let message = if cleared.is_empty() {
        format!("Saved as revision {number}.")
    } else {
        format!(
            "Saved as revision {number}. The signatures on the earlier revision were cleared; \
             it needs to be proposed and signed again."
        )
    };
    Ok(done(&message, &format!("/agreements/{id}")))
}

/// A form that names the revision it is about.
#[derive(Debug, Default, Deserialize)]
pub struct RevisionForm {
    #[serde(default)]
    pub once: String,
    #[serde(default)]
    pub revision: String,
    #[serde(default)]
    pub note: String,
}

fn stale() -> AppError {
    AppError::Conflict(
        "This revision is no longer the current one: the draft was changed after you opened \
         the page. Nothing was signed. Please read the current revision; it needs to be \
         proposed again before anyone signs it."
            .into(),
    )
}

/// `POST /agreements/{id}/propose`
pub async fn propose(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    Form(form): Form<RevisionForm>,
) -> Result<Response> {
    let names = super::names(&state.db.readers).await?;
    let now = state.clock.now();
    let at = clock::format(now);
    let mut tx = state.db.begin_write().await?;
    let agreement = store::agreement_tx(&mut tx, id).await?;
    let revision: Option<i64> = form.revision.trim().parse().ok();
    if !agreement.has_draft() || revision.is_none() || revision != agreement.current_revision_id {
        return Err(stale());
    }
    if agreement.is_proposed() {
        tx.rollback().await?;
        return Ok(done(
            "This revision is already proposed.",
            &format!("/agreements/{id}"),
        ));
    }
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/agreements/{id}")).into_response());
    }
    let rev = store::revision_tx(&mut tx, revision.unwrap_or_default()).await?;
    let content = rev.content()?;
    store::set_proposed(&mut tx, id, Some(rev.id), Some(person.id), &at).await?;
    #[derive(Serialize)]
    struct Proposed {
        what: &'static str,
        #[serde(flatten)]
        content: ContentBody,
        proposed_by: String,
    }
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "agreement.proposed",
        &format!("agreement/{id}"),
        &Proposed {
            what: if rev.amendment == 1 {
                "amendment"
            } else {
                "version"
            },
            content: content_body(id, rev.number, &content, &names),
            proposed_by: person.name.clone(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        &format!(
            "Revision {} is proposed. Each of you can now sign it.",
            rev.number
        ),
        &format!("/agreements/{id}"),
    ))
}

#[derive(Serialize)]
struct Signed<'a> {
    what: &'a str,
    agreement: i64,
    title: &'a str,
    revision: i64,
    content_hash: &'a str,
    signed_by: &'a str,
}

/// `POST /agreements/{id}/sign`: signs the proposed, current revision; the
/// second signature makes it the version in force.
pub async fn sign(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    Form(form): Form<RevisionForm>,
) -> Result<Response> {
    let names = super::names(&state.db.readers).await?;
    let today = today(&state).await?;
    let now = state.clock.now();
    let at = clock::format(now);
    let mut tx = state.db.begin_write().await?;
    let agreement = store::agreement_tx(&mut tx, id).await?;
    let revision: Option<i64> = form.revision.trim().parse().ok();
    if !agreement.is_proposed() || revision.is_none() || revision != agreement.current_revision_id {
        return Err(stale());
    }
    let rev = store::revision_tx(&mut tx, revision.unwrap_or_default()).await?;
    let signed = store::live_signatures_tx(&mut tx, rev.id, "version").await?;
    if signed.iter().any(|s| s.person_id == person.id) {
        tx.rollback().await?;
        return Ok(done(
            "You have already signed this revision.",
            &format!("/agreements/{id}"),
        ));
    }
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/agreements/{id}")).into_response());
    }
    let content = rev.content()?;
    // The stored hash must still describe the stored content.
    if content.hash() != rev.content_hash {
        return Err(AppError::internal(format!(
            "revision {} does not match its content hash",
            rev.id
        )));
    }
    let entry = ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "agreement.signed",
        &format!("agreement/{id}"),
        &Signed {
            what: "version",
            agreement: id,
            title: &content.title,
            revision: rev.number,
            content_hash: &rev.content_hash,
            signed_by: &person.name,
        },
    )
    .await?;
    store::insert_signature(
        &mut tx,
        id,
        rev.id,
        "version",
        person.id,
        &rev.content_hash,
        &at,
        entry.seq,
        &entry.hash,
    )
    .await?;
    let signed = store::live_signatures_tx(&mut tx, rev.id, "version").await?;
    let both = names
        .keys()
        .all(|p| signed.iter().any(|s| s.person_id == *p))
        && names.len() == 2;
    let message = if both {
        let version = activate(&mut tx, &state, &agreement, &rev, &content, &names, today).await?;
        format!("Both of you have signed. Version {version} is now in force.")
    } else {
        "You signed this revision. It is in force once both of you have signed.".to_string()
    };
    tx.commit().await?;
    Ok(done(&message, &format!("/agreements/{id}")))
}

async fn activate(
    tx: &mut SqliteConnection,
    state: &AppState,
    agreement: &Agreement,
    rev: &store::RevisionRow,
    content: &Content,
    names: &HashMap<i64, String>,
    today: Date,
) -> Result<i64> {
    let id = agreement.id;
    let at = clock::format(state.clock.now());
    let version = agreement.active_version.unwrap_or(0) + 1;
    let applied =
        commitments::apply_version(tx, id, version, &content.commitments, today, &at).await?;
    for (draft, made) in content.commitments.iter().zip(&applied) {
        if let Some(request) = draft.request {
            super::requests::link_commitment(tx, request, made.id).await?;
        }
    }
    let signatures = store::live_signatures_tx(tx, rev.id, "version").await?;
    #[derive(Serialize)]
    struct SignatureBody {
        name: String,
        signed_at: String,
        record_entry: i64,
    }
    #[derive(Serialize)]
    struct Activated {
        version: i64,
        agreement: i64,
        revision: i64,
        content_hash: String,
        title: String,
        text: String,
        ends_on: Option<String>,
        commitments: Vec<CommitmentBody>,
        signatures: Vec<SignatureBody>,
        in_force_from: String,
    }
    let entry = ledger::append(
        tx,
        &state.clock,
        None,
        "agreement.activated",
        &format!("agreement/{id}"),
        &Activated {
            version,
            agreement: id,
            revision: rev.number,
            content_hash: rev.content_hash.clone(),
            title: content.title.clone(),
            text: content.body.clone(),
            ends_on: content.ends_on.map(|d| d.to_string()),
            commitments: applied
                .iter()
                .map(|a| CommitmentBody {
                    id: Some(a.id),
                    owner: names.get(&a.owner).cloned().unwrap_or_default(),
                    text: a.text.clone(),
                    when: a.schedule.describe(),
                    schedule: a.schedule.clone(),
                    change: Some(a.change),
                })
                .collect(),
            signatures: signatures
                .iter()
                .map(|s| SignatureBody {
                    name: names.get(&s.person_id).cloned().unwrap_or_default(),
                    signed_at: s.signed_at.clone(),
                    record_entry: s.record_seq,
                })
                .collect(),
            in_force_from: today.to_string(),
        },
    )
    .await?;
    store::insert_version(
        tx,
        id,
        version,
        rev.id,
        &at,
        entry.seq,
        &entry.hash,
        content.ends_on.map(|d| d.to_string()),
        &content.title,
    )
    .await?;
    Ok(version)
}

/// `POST /agreements/{id}/decline`: declines the proposed revision with a
/// note; the draft stays a draft and its signatures are cleared.
pub async fn decline(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<RevisionForm>,
) -> Result<Response> {
    let mut errors = FormErrors::new();
    let note = errors.check(
        "decline_note",
        fields::required(&form.note, limits::NOTE, "why you are not signing yet"),
    );
    let Some(note) = note else {
        return pages::render_show(
            &state,
            layout,
            &person,
            id,
            pages::ShowForms::decline(form.note, errors),
        )
        .await;
    };
    let now = state.clock.now();
    let at = clock::format(now);
    let mut tx = state.db.begin_write().await?;
    let agreement = store::agreement_tx(&mut tx, id).await?;
    let revision: Option<i64> = form.revision.trim().parse().ok();
    if !agreement.is_proposed() || revision != agreement.current_revision_id {
        return Err(stale());
    }
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/agreements/{id}")).into_response());
    }
    let rev = store::revision_tx(&mut tx, revision.unwrap_or_default()).await?;
    store::set_proposed(&mut tx, id, None, None, &at).await?;
    let cleared = store::clear_signatures(&mut tx, id, "version", &at).await?;
    let names = super::names(&state.db.readers).await?;
    #[derive(Serialize)]
    struct Declined {
        what: &'static str,
        agreement: i64,
        title: String,
        revision: i64,
        content_hash: String,
        declined_by: String,
        note: String,
        signatures_cleared: Vec<String>,
    }
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "agreement.declined",
        &format!("agreement/{id}"),
        &Declined {
            what: "version",
            agreement: id,
            title: rev.title.clone(),
            revision: rev.number,
            content_hash: rev.content_hash.clone(),
            declined_by: person.name.clone(),
            note,
            signatures_cleared: cleared
                .iter()
                .map(|p| names.get(p).cloned().unwrap_or_default())
                .collect(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        "You declined to sign this revision for now; your note is on the record. The draft stays open to edit.",
        &format!("/agreements/{id}"),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct OnceForm {
    #[serde(default)]
    pub once: String,
    #[serde(default)]
    pub note: String,
}

/// Whether an active agreement is past its agreed end date.
fn ended_by_date(agreement: &Agreement, today: Date) -> bool {
    agreement
        .ends_on
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok())
        .is_some_and(|d| d < today)
}

/// `POST /agreements/{id}/amend`: starts an amendment from the version in force.
pub async fn amend(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    Form(form): Form<OnceForm>,
) -> Result<Response> {
    let names = super::names(&state.db.readers).await?;
    let today = today(&state).await?;
    let now = state.clock.now();
    let at = clock::format(now);
    let mut tx = state.db.begin_write().await?;
    let agreement = store::agreement_tx(&mut tx, id).await?;
    if agreement.has_draft() {
        tx.rollback().await?;
        return Ok(done(
            "An amendment is already being written.",
            &format!("/agreements/{id}/edit"),
        ));
    }
    if agreement.state != "active" || ended_by_date(&agreement, today) {
        return Err(AppError::Conflict(
            "Only an agreement in force can be amended.".into(),
        ));
    }
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/agreements/{id}/edit")).into_response());
    }
    let version = store::version_tx(&mut tx, id, agreement.active_version.unwrap_or(0)).await?;
    let in_force = store::revision_tx(&mut tx, version.revision_id).await?;
    let base = in_force.content()?;
    let mut drafts = Vec::new();
    for c in commitments::store::live_of_agreement(&mut tx, id).await? {
        if let Ok(schedule) = serde_json::from_str(&c.schedule) {
            let request = super::requests::request_of_commitment(&mut tx, c.id).await?;
            drafts.push(CommitmentDraft {
                carries: Some(c.id),
                request,
                owner: c.owner_id,
                text: c.text,
                schedule,
            });
        }
    }
    let content = Content {
        commitments: drafts,
        ..base
    };
    let (revision_id, number) = store::insert_revision(
        &mut tx,
        id,
        Some(in_force.id),
        true,
        &content,
        person.id,
        &at,
    )
    .await?;
    store::set_seen(&mut tx, id, person.id, revision_id).await?;
    #[derive(Serialize)]
    struct Started {
        #[serde(flatten)]
        content: ContentBody,
        from_version: i64,
        started_by: String,
    }
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "agreement.amendment_started",
        &format!("agreement/{id}"),
        &Started {
            content: content_body(id, number, &content, &names),
            from_version: version.number,
            started_by: person.name.clone(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        &format!(
            "An amendment is open, starting from version {}. That version stays in force until both of you sign the new one.",
            version.number
        ),
        &format!("/agreements/{id}/edit"),
    ))
}

#[derive(Serialize)]
struct EndingBody<'a> {
    what: &'static str,
    agreement: i64,
    title: &'a str,
    version: i64,
    by: &'a str,
    note: &'a str,
}

/// `POST /agreements/{id}/end`: proposes ending the agreement, signed by
/// the person proposing it.
pub async fn end_propose(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
    Form(form): Form<OnceForm>,
) -> Result<Response> {
    let mut errors = FormErrors::new();
    let note = errors
        .check("end_note", fields::optional(&form.note, limits::NOTE))
        .map(Option::unwrap_or_default);
    let Some(note) = note else {
        return pages::render_show(
            &state,
            layout,
            &person,
            id,
            pages::ShowForms::end(form.note, errors),
        )
        .await;
    };
    let today = today(&state).await?;
    let now = state.clock.now();
    let at = clock::format(now);
    let mut tx = state.db.begin_write().await?;
    let agreement = store::agreement_tx(&mut tx, id).await?;
    if agreement.state != "active" || ended_by_date(&agreement, today) {
        return Err(AppError::Conflict("This agreement is not in force.".into()));
    }
    if agreement.end_proposed_by.is_some() {
        return Err(AppError::Conflict(
            "Ending this agreement is already proposed.".into(),
        ));
    }
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/agreements/{id}")).into_response());
    }
    let number = agreement.active_version.unwrap_or(0);
    let version = store::version_tx(&mut tx, id, number).await?;
    let rev = store::revision_tx(&mut tx, version.revision_id).await?;
    store::set_end_proposal(&mut tx, id, Some(person.id), Some(&note), &at).await?;
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "agreement.proposed",
        &format!("agreement/{id}"),
        &EndingBody {
            what: "ending",
            agreement: id,
            title: &agreement.title,
            version: number,
            by: &person.name,
            note: &note,
        },
    )
    .await?;
    let entry = ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "agreement.signed",
        &format!("agreement/{id}"),
        &Signed {
            what: "ending",
            agreement: id,
            title: &agreement.title,
            revision: rev.number,
            content_hash: &rev.content_hash,
            signed_by: &person.name,
        },
    )
    .await?;
    store::insert_signature(
        &mut tx,
        id,
        rev.id,
        "ending",
        person.id,
        &rev.content_hash,
        &at,
        entry.seq,
        &entry.hash,
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        "You signed to end this agreement. It ends when the other person signs too; until then it stays in force.",
        &format!("/agreements/{id}#ending"),
    ))
}

/// `POST /agreements/{id}/end/sign`: the second signature ends it.
pub async fn end_sign(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    Form(form): Form<OnceForm>,
) -> Result<Response> {
    let today = today(&state).await?;
    let now = state.clock.now();
    let at = clock::format(now);
    let mut tx = state.db.begin_write().await?;
    let agreement = store::agreement_tx(&mut tx, id).await?;
    let Some(proposer) = agreement
        .end_proposed_by
        .filter(|_| agreement.state == "active")
    else {
        return Err(AppError::Conflict(
            "Nobody has proposed ending this agreement.".into(),
        ));
    };
    if proposer == person.id {
        tx.rollback().await?;
        return Ok(done(
            "You have already signed to end it; it waits for the other person.",
            &format!("/agreements/{id}#ending"),
        ));
    }
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/agreements/{id}")).into_response());
    }
    let number = agreement.active_version.unwrap_or(0);
    let version = store::version_tx(&mut tx, id, number).await?;
    let rev = store::revision_tx(&mut tx, version.revision_id).await?;
    let entry = ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "agreement.signed",
        &format!("agreement/{id}"),
        &Signed {
            what: "ending",
            agreement: id,
            title: &agreement.title,
            revision: rev.number,
            content_hash: &rev.content_hash,
            signed_by: &person.name,
        },
    )
    .await?;
    store::insert_signature(
        &mut tx,
        id,
        rev.id,
        "ending",
        person.id,
        &rev.content_hash,
        &at,
        entry.seq,
        &entry.hash,
    )
    .await?;
    commitments::end_all(&mut tx, id, number, today).await?;
    store::mark_ended(&mut tx, id, &at).await?;
    ledger::append(
        &mut tx,
        &state.clock,
        None,
        "agreement.ended",
        &format!("agreement/{id}"),
        &EndingBody {
            what: "ended by both signatures",
            agreement: id,
            title: &agreement.title,
            version: number,
            by: "both",
            note: agreement.end_note.as_deref().unwrap_or(""),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        "Both of you signed: the agreement has ended. Every version stays readable.",
        &format!("/agreements/{id}"),
    ))
}

/// `POST /agreements/{id}/end/decline`: the other person declines ending
/// (or the proposer withdraws it); it stays in force.
pub async fn end_decline(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    Form(form): Form<OnceForm>,
) -> Result<Response> {
    let note = fields::optional(&form.note, limits::NOTE)
        .map_err(AppError::BadRequest)?
        .unwrap_or_default();
    let now = state.clock.now();
    let at = clock::format(now);
    let mut tx = state.db.begin_write().await?;
    let agreement = store::agreement_tx(&mut tx, id).await?;
    if agreement.end_proposed_by.is_none() || agreement.state != "active" {
        return Err(AppError::Conflict(
            "Nobody has proposed ending this agreement.".into(),
        ));
    }
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/agreements/{id}")).into_response());
    }
    store::clear_signatures(&mut tx, id, "ending", &at).await?;
    store::set_end_proposal(&mut tx, id, None, None, &at).await?;
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        "agreement.declined",
        &format!("agreement/{id}"),
        &EndingBody {
            what: "ending",
            agreement: id,
            title: &agreement.title,
            version: agreement.active_version.unwrap_or(0),
            by: &person.name,
            note: &note,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        "The agreement stays in force; ending it is no longer proposed.",
        &format!("/agreements/{id}"),
    ))
}
