//! From requests to commitments: a request the hurt person made on the
//! repair path is carried into an agreement draft (a new one or an open one)
//! as a commitment of the one who broke trust. The request then links to the
//! agreement (and, once signed, to the commitment it became), and the
//! commitment links back to the request.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use sqlx::{SqliteConnection, SqlitePool};

use super::actions::{ContentBody, content_body};
use super::content::{CommitmentDraft, Content, MAX_COMMITMENTS};
use super::store;
use crate::app::AppState;
use crate::auth::CurrentPerson;
use crate::clock;
use crate::commitments::schedule::Schedule;
use crate::error::{AppError, Result};
use crate::ledger;
use crate::web::{Form, Layout, flash, once};

/// A request with the breach it belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub breach_id: i64,
    pub text: String,
    pub breach_title: String,
    pub broke_trust: i64,
}

/// Where a request went.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Link {
    pub request_id: i64,
    pub agreement_id: i64,
    pub revision_id: i64,
    pub commitment_id: Option<i64>,
}

pub async fn request(pool: &SqlitePool, id: i64) -> Result<RequestRow> {
    sqlx::query_as(
        "SELECT r.id, r.breach_id, r.text, b.title AS breach_title, b.broke_trust
         FROM repair_requests r JOIN breaches b ON b.id = r.breach_id WHERE r.id = ?",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)
}

pub async fn link_of(conn: &mut SqliteConnection, request_id: i64) -> Result<Option<Link>> {
    Ok(sqlx::query_as(
        "SELECT request_id, agreement_id, revision_id, commitment_id FROM request_commitments
         WHERE request_id = ?",
    )
    .bind(request_id)
    .fetch_optional(conn)
    .await?)
}

/// The requests carried into an agreement.
pub async fn requests_of_agreement(pool: &SqlitePool, agreement_id: i64) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT request_id FROM request_commitments WHERE agreement_id = ?")
            .bind(agreement_id)
            .fetch_all(pool)
            .await?,
    )
}

/// The request a commitment came from, if any.
pub async fn request_of_commitment(
    conn: &mut SqliteConnection,
    commitment_id: i64,
) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT request_id FROM request_commitments WHERE commitment_id = ?")
            .bind(commitment_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// The request a commitment came from, with its text and breach.
pub async fn request_for_commitment(
    pool: &SqlitePool,
    commitment_id: i64,
) -> Result<Option<RequestRow>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.breach_id, r.text, b.title AS breach_title, b.broke_trust
         FROM request_commitments l JOIN repair_requests r ON r.id = l.request_id
         JOIN breaches b ON b.id = r.breach_id WHERE l.commitment_id = ?",
    )
    .bind(commitment_id)
    .fetch_optional(pool)
    .await?)
}

/// Once signed: the request now names the commitment it became.
pub async fn link_commitment(
    tx: &mut SqliteConnection,
    request_id: i64,
    commitment_id: i64,
) -> Result<()> {
    sqlx::query("UPDATE request_commitments SET commitment_id = ? WHERE request_id = ?")
        .bind(commitment_id)
        .bind(request_id)
        .execute(tx)
        .await?;
    Ok(())
}

pub struct DraftChoice {
    pub id: i64,
    pub title: String,
}

#[derive(Template)]
#[template(path = "agreements/carry.html")]
struct CarryPage {
    layout: Layout,
    request: RequestRow,
    owner: String,
    link: Option<Link>,
    agreement_title: String,
    drafts: Vec<DraftChoice>,
    once: String,
}

/// `GET /requests/{id}/agreement`: where a request went, or where it can go.
pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    layout: Layout,
) -> Result<Response> {
    let pool = &state.db.readers;
    let request = request(pool, id).await?;
    let mut conn = pool.acquire().await?;
    let link = link_of(&mut conn, id).await?;
    drop(conn);
    let agreement_title = match &link {
        Some(l) => store::agreement(pool, l.agreement_id).await?.title,
        None => String::new(),
    };
    let drafts = store::all_agreements(pool)
        .await?
        .into_iter()
        .filter(|a| a.has_draft())
        .map(|a| DraftChoice {
            id: a.id,
            title: a.title,
        })
        .collect();
    let names = super::names(pool).await?;
    let page = CarryPage {
        layout,
        owner: names.get(&request.broke_trust).cloned().unwrap_or_default(),
        request,
        link,
        agreement_title,
        drafts,
        once: once::new_key(),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct CarryForm {
    #[serde(default)]
    once: String,
    /// "new", or the id of an agreement with an open draft.
    #[serde(default)]
    target: String,
}

#[derive(Serialize)]
struct CarriedRequest<'a> {
    id: i64,
    text: &'a str,
    breach: i64,
    breach_title: &'a str,
}

#[derive(Serialize)]
struct CarriedBody<'a> {
    #[serde(flatten)]
    content: ContentBody,
    carried_request: CarriedRequest<'a>,
    by: &'a str,
    breach: i64,
    signatures_cleared: Vec<String>,
}

/// `POST /requests/{id}/agreement`: carries the request into a draft.
pub async fn carry(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    Form(form): Form<CarryForm>,
) -> Result<Response> {
    let request = request(&state.db.readers, id).await?;
    let names = super::names(&state.db.readers).await?;
    let target = match form.target.trim() {
        "new" => None,
        value => Some(value.parse::<i64>().map_err(|_| {
            AppError::BadRequest("Please choose which agreement to carry it into.".into())
        })?),
    };
    let now = state.clock.now();
    let at = clock::format(now);
    let mut tx = state.db.begin_write().await?;
    if !once::claim(&mut tx, person.id, &form.once, now).await? {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/requests/{id}/agreement")).into_response());
    }
    if let Some(link) = link_of(&mut tx, id).await? {
        return Err(AppError::Conflict(format!(
            "This request is already part of an agreement (number {}); it goes into one only.",
            link.agreement_id
        )));
    }
    let commitment = CommitmentDraft {
        carries: None,
        request: Some(id),
        owner: request.broke_trust,
        text: request.text.clone(),
        schedule: Schedule::Standing,
    };
    let carried = CarriedRequest {
        id,
        text: &request.text,
        breach: request.breach_id,
        breach_title: &request.breach_title,
    };
    let (agreement_id, revision_id, kind, content, number, cleared) = match target {
        None => {
            let title: String = format!("What we agree after “{}”", request.breach_title)
                .chars()
                .take(200)
                .collect();
            let content = Content {
                title,
                body: format!(
                    "What we agree to do after “{}”, starting from the request: {}",
                    request.breach_title, request.text
                ),
                ends_on: None,
                commitments: vec![commitment],
            };
            let agreement_id = store::insert_agreement(
                &mut tx,
                &content.title,
                Some(request.breach_id),
                person.id,
                &at,
            )
            .await?;
            let (revision_id, number) = store::insert_revision(
                &mut tx,
                agreement_id,
                None,
                false,
                &content,
                person.id,
                &at,
            )
            .await?;
            (
                agreement_id,
                revision_id,
                "agreement.draft_started",
                content,
                number,
                Vec::new(),
            )
        }
        Some(agreement_id) => {
            let agreement = store::agreement_tx(&mut tx, agreement_id).await?;
            let Some(current) = agreement
                .current_revision_id
                .filter(|_| agreement.has_draft())
            else {
                return Err(AppError::Conflict(
                    "That agreement has no open draft to carry the request into.".into(),
                ));
            };
            let row = store::revision_tx(&mut tx, current).await?;
            let mut content = row.content()?;
            if content.commitments.len() >= MAX_COMMITMENTS {
                return Err(AppError::Conflict(format!(
                    "That draft already holds {MAX_COMMITMENTS} commitments, the most one agreement can hold."
                )));
            }
            content.commitments.push(commitment);
            let (revision_id, number) = store::insert_revision(
                &mut tx,
                agreement_id,
                Some(current),
                row.amendment == 1,
                &content,
                person.id,
                &at,
            )
            .await?;
            let cleared = store::clear_signatures(&mut tx, agreement_id, "version", &at).await?;
            (
                agreement_id,
                revision_id,
                "agreement.revised",
                content,
                number,
                cleared,
            )
        }
    };
    sqlx::query(
        "INSERT INTO request_commitments (request_id, agreement_id, revision_id, carried_by, carried_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(agreement_id)
    .bind(revision_id)
    .bind(person.id)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    store::set_seen(&mut tx, agreement_id, person.id, revision_id).await?;
    ledger::append(
        &mut tx,
        &state.clock,
        Some(person.id),
        kind,
        &format!("agreement/{agreement_id}"),
        &CarriedBody {
            content: content_body(agreement_id, number, &content, &names),
            carried_request: carried,
            by: &person.name,
            breach: request.breach_id,
            signatures_cleared: cleared
                .iter()
                .map(|p| names.get(p).cloned().unwrap_or_default())
                .collect(),
        },
    )
    .await?;
    tx.commit().await?;
    let owner = names.get(&request.broke_trust).cloned().unwrap_or_default();
    Ok((
        flash::set(&format!(
            "The request is now a commitment of {owner} in the draft. It is in force once both of you sign; you can edit how often it is due."
        )),
        Redirect::to(&format!("/agreements/{agreement_id}")),
    )
        .into_response())
}
