//! The agreement pages: the list (with what waits on you), one agreement
//! with its draft, versions and revisions, the editing form, a single
//! revision with its changes, a version with its signatures, and the print
//! view each person keeps.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use jiff::civil::Date;

use super::content::{self, DiffPart, SafeHtml};
use super::form::{self, EditForm, Row};
use super::store::{self, Agreement, RevisionRow, Signature};
use super::{WaitingItem, waiting_for};
use crate::app::AppState;
use crate::auth::CurrentPerson;
use crate::commitments::{self, schedule};
use crate::error::{AppError, Result};
use crate::ledger::chain;
use crate::web::{FormErrors, Layout, once};

/// One commitment line as shown in a revision or version.
pub struct CommitmentLine {
    pub owner: String,
    pub text: String,
    pub when: String,
    /// The commitment's page, once it exists (a signed version).
    pub link: Option<String>,
    /// "new", "changed", "unchanged" or "" (drafts).
    pub change: String,
    /// Carried from a repair request.
    pub from_request: bool,
}

/// A revision ready to show.
pub struct RevisionView {
    pub id: i64,
    pub number: i64,
    pub author: String,
    pub at: String,
    pub title: String,
    pub html: SafeHtml,
    pub ends_on: Option<String>,
    pub commitments: Vec<CommitmentLine>,
    pub hash: String,
    pub amendment: bool,
}

impl RevisionView {
    pub fn short_hash(&self) -> &str {
        chain::short(&self.hash)
    }
}

fn revision_view(
    row: &RevisionRow,
    names: &HashMap<i64, String>,
    layout: &Layout,
) -> Result<RevisionView> {
    let content = row.content()?;
    Ok(RevisionView {
        id: row.id,
        number: row.number,
        author: name_of(names, row.author),
        at: layout.when(&row.created_at),
        html: content::render_markdown(&content.body),
        ends_on: content.ends_on.map(schedule::long_date),
        commitments: content
            .commitments
            .iter()
            .map(|c| CommitmentLine {
                owner: name_of(names, c.owner),
                text: c.text.clone(),
                when: c.schedule.describe(),
                link: c.carries.map(|id| format!("/commitments/{id}")),
                change: String::new(),
                from_request: c.request.is_some(),
            })
            .collect(),
        title: content.title,
        hash: row.content_hash.clone(),
        amendment: row.amendment == 1,
    })
}

fn name_of(names: &HashMap<i64, String>, id: i64) -> String {
    names.get(&id).cloned().unwrap_or_else(|| "someone".into())
}

/// A signature ready to show.
pub struct SignatureView {
    pub name: String,
    pub at: String,
    pub hash: String,
    pub record_seq: i64,
    pub record_hash: String,
    pub cleared: bool,
    pub purpose: String,
}

impl SignatureView {
    pub fn short_hash(&self) -> &str {
        chain::short(&self.hash)
    }
}

fn signature_view(s: &Signature, names: &HashMap<i64, String>, layout: &Layout) -> SignatureView {
    SignatureView {
        name: name_of(names, s.person_id),
        at: layout.when(&s.signed_at),
        hash: s.content_hash.clone(),
        record_seq: s.record_seq,
        record_hash: chain::short(&s.record_hash).to_string(),
        cleared: s.cleared_at.is_some(),
        purpose: s.purpose.clone(),
    }
}

/// Where an agreement stands, in words, and whether it ended by its date.
fn status_of(a: &Agreement, today: Date) -> (&'static str, bool) {
    let by_date = a.state == "active"
        && a.ends_on
            .as_deref()
            .and_then(|d| d.parse::<Date>().ok())
            .is_some_and(|d| d < today);
    let label = match a.state.as_str() {
        "ended" => "Ended",
        _ if by_date => "Ended on its agreed date",
        "active" if a.is_proposed() => "In force · an amendment waits for signatures",
        "active" if a.has_draft() => "In force · an amendment is being written",
        "active" => "In force",
        _ if a.is_proposed() => "Waiting for signatures",
        _ => "Draft",
    };
    (label, by_date)
}

async fn today(state: &AppState) -> Result<Date> {
    let tz = crate::web::time::zone(&crate::auth::store::time_zone(&state.db.readers).await?);
    Ok(schedule::today(state.clock.now(), &tz))
}

pub struct ListItem {
    pub id: i64,
    pub title: String,
    pub status: &'static str,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "agreements/list.html")]
struct ListPage {
    layout: Layout,
    waiting: Vec<WaitingItem>,
    drafts: Vec<ListItem>,
    proposed: Vec<ListItem>,
    active: Vec<ListItem>,
    ended: Vec<ListItem>,
}

impl ListPage {
    fn sections(&self) -> Vec<(&'static str, &Vec<ListItem>)> {
        vec![
            ("Drafts", &self.drafts),
            ("Waiting for signatures", &self.proposed),
            ("In force", &self.active),
            ("Ended", &self.ended),
        ]
    }
}

/// `GET /agreements`
pub async fn list(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let today = today(&state).await?;
    let waiting = waiting_for(&state.db.readers, person.id, state.clock.now()).await?;
    let mut page = ListPage {
        waiting,
        drafts: Vec::new(),
        proposed: Vec::new(),
        active: Vec::new(),
        ended: Vec::new(),
        layout,
    };
    for a in store::all_agreements(&state.db.readers).await? {
        let (status, by_date) = status_of(&a, today);
        let item = ListItem {
            id: a.id,
            title: a.title.clone(),
            status,
            updated: page.layout.when(&a.updated_at),
        };
        match a.state.as_str() {
            "ended" => page.ended.push(item),
            "active" if by_date => page.ended.push(item),
            "active" => page.active.push(item),
            _ if a.is_proposed() => page.proposed.push(item),
            _ => page.drafts.push(item),
        }
    }
    Ok(Html(page.render()?).into_response())
}

/// Whether the form makes a new agreement or edits one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditMode {
    New,
    Edit(i64),
}

/// What a refused save shows: the changes the other person made meanwhile.
pub struct Conflict {
    pub by: String,
    pub number: i64,
    pub diff: Vec<DiffPart>,
}

#[derive(Template)]
#[template(path = "agreements/edit.html")]
struct EditPage {
    layout: Layout,
    mode: EditMode,
    action: String,
    form: EditForm,
    errors: FormErrors,
    people: Vec<(i64, String)>,
    kinds: &'static [(&'static str, &'static str)],
    weekdays: &'static [(&'static str, &'static str)],
    conflict: Option<Conflict>,
    signed_by: Vec<String>,
    proposed: bool,
    amendment: bool,
    title_of: String,
}

impl EditPage {
    fn is_new(&self) -> bool {
        self.mode == EditMode::New
    }

    fn row_error(&self, row: &Row) -> bool {
        row.has_error()
    }
}

/// Renders the form: fresh, with errors (422), or after a refused save
/// (`conflict` = the base the person edited and the current revision; 409).
pub async fn render_edit(
    state: &AppState,
    layout: Layout,
    mode: EditMode,
    mut form: EditForm,
    errors: FormErrors,
    conflict: Option<(Option<i64>, i64)>,
) -> Result<Response> {
    let names = super::names(&state.db.readers).await?;
    let mut people: Vec<(i64, String)> = names.clone().into_iter().collect();
    people.sort();
    let mut signed_by = Vec::new();
    let mut proposed = false;
    let mut amendment = false;
    let mut title_of = String::new();
    if let EditMode::Edit(id) = mode {
        let a = store::agreement(&state.db.readers, id).await?;
        title_of = a.title.clone();
        proposed = a.is_proposed();
        if let Some(current) = a.current_revision_id {
            amendment = store::revision(&state.db.readers, current).await?.amendment == 1;
            signed_by = store::live_signatures(&state.db.readers, current, "version")
                .await?
                .iter()
                .map(|s| name_of(&names, s.person_id))
                .collect();
        }
    }
    let conflict_view = match conflict {
        Some((base, current)) => {
            let current_row = store::revision(&state.db.readers, current).await?;
            let old_text = match base {
                Some(b) => match store::revision(&state.db.readers, b).await {
                    Ok(row) if row.agreement_id == current_row.agreement_id => {
                        row.content()?.as_plain_text(&names)
                    }
                    _ => String::new(),
                },
                None => String::new(),
            };
            form.base_revision = current.to_string();
            Some(Conflict {
                by: name_of(&names, current_row.author),
                number: current_row.number,
                diff: content::word_diff(&old_text, &current_row.content()?.as_plain_text(&names)),
            })
        }
        None => None,
    };
    let status = if conflict_view.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    if !errors.is_empty() || conflict_view.is_some() {
        // Keep the one-time key: nothing was saved under it.
        if form.once.is_empty() {
            form.once = once::new_key();
        }
    } else if form.once.is_empty() {
        form.once = once::new_key();
    }
    let action = match mode {
        EditMode::New => "/agreements".to_string(),
        EditMode::Edit(id) => format!("/agreements/{id}/edit"),
    };
    let page = EditPage {
        layout,
        mode,
        action,
        form,
        errors,
        people,
        kinds: &form::KINDS,
        weekdays: &form::WEEKDAYS,
        conflict: conflict_view,
        signed_by,
        proposed,
        amendment,
        title_of,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /agreements/new`
pub async fn new_form(
    State(state): State<AppState>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let today = today(&state).await?;
    let form = EditForm {
        once: once::new_key(),
        ..EditForm::default()
    }
    .with_blank_rows(form::BLANK_ROWS, person.id, today);
    render_edit(&state, layout, EditMode::New, form, FormErrors::new(), None).await
}

/// `GET /agreements/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    let a = store::agreement(&state.db.readers, id).await?;
    let Some(current) = a.current_revision_id.filter(|_| a.has_draft()) else {
        return Err(AppError::Conflict(
            "This agreement has no open draft. What both of you signed stays as it is; \
             to change it, start an amendment from the agreement's page."
                .into(),
        ));
    };
    let row = store::revision(&state.db.readers, current).await?;
    let content = row.content()?;
    let today = today(&state).await?;
    let form = EditForm {
        once: once::new_key(),
        base_revision: current.to_string(),
        title: content.title.clone(),
        body: content.body.clone(),
        ends_on: content.ends_on.map(|d| d.to_string()).unwrap_or_default(),
        rows: content.commitments.iter().map(Row::from_draft).collect(),
        action: String::new(),
    }
    .with_blank_rows(1, person.id, today);
    render_edit(
        &state,
        layout,
        EditMode::Edit(id),
        form,
        FormErrors::new(),
        None,
    )
    .await
}

/// Typed text and messages for the forms on the agreement page.
#[derive(Default)]
pub struct ShowForms {
    pub decline_note: String,
    pub end_note: String,
    pub errors: FormErrors,
}

impl ShowForms {
    pub fn decline(note: String, errors: FormErrors) -> Self {
        ShowForms {
            decline_note: note,
            errors,
            ..ShowForms::default()
        }
    }

    pub fn end(note: String, errors: FormErrors) -> Self {
        ShowForms {
            end_note: note,
            errors,
            ..ShowForms::default()
        }
    }
}

pub struct VersionLine {
    pub number: i64,
    pub activated: String,
    pub superseded: Option<String>,
}

pub struct RevisionLine {
    pub number: i64,
    pub author: String,
    pub at: String,
    pub amendment: bool,
    pub signed: bool,
}

pub struct InForce {
    pub number: i64,
    pub revision: RevisionView,
    pub activated: String,
}

#[derive(Template)]
#[template(path = "agreements/show.html")]
struct ShowPage {
    layout: Layout,
    a: Agreement,
    status: &'static str,
    ended_by_date: bool,
    draft: Option<RevisionView>,
    draft_signatures: Vec<SignatureView>,
    i_signed: bool,
    proposed_by: Option<String>,
    changes: Option<(String, Vec<DiffPart>)>,
    in_force: Option<InForce>,
    versions: Vec<VersionLine>,
    revisions: Vec<RevisionLine>,
    end_proposed_by: Option<String>,
    i_signed_ending: bool,
    forms: ShowForms,
    errors: FormErrors,
    once: String,
}

/// `GET /agreements/{id}`
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    person: CurrentPerson,
    layout: Layout,
) -> Result<Response> {
    render_show(&state, layout, &person, id, ShowForms::default()).await
}

/// The agreement page, also shown again (422) when a form on it was refused.
pub async fn render_show(
    state: &AppState,
    layout: Layout,
    person: &CurrentPerson,
    id: i64,
    forms: ShowForms,
) -> Result<Response> {
    let pool = &state.db.readers;
    let a = store::agreement(pool, id).await?;
    let names = super::names(pool).await?;
    let today = today(state).await?;
    let (status, ended_by_date) = status_of(&a, today);

    let mut draft = None;
    let mut draft_signatures = Vec::new();
    let mut changes = None;
    let mut seen_update = None;
    if let Some(current) = a.current_revision_id.filter(|_| a.has_draft()) {
        let row = store::revision(pool, current).await?;
        draft_signatures = store::live_signatures(pool, current, "version")
            .await?
            .iter()
            .map(|s| signature_view(s, &names, &layout))
            .collect();
        let seen = store::seen(pool, id, person.id).await?;
        if let Some(seen) = seen
            && seen != current
            && let Ok(old) = store::revision(pool, seen).await
        {
            let diff = content::word_diff(
                &old.content()?.as_plain_text(&names),
                &row.content()?.as_plain_text(&names),
            );
            if content::has_changes(&diff) {
                changes = Some((format!("revision {}", old.number), diff));
            }
        }
        if seen != Some(current) {
            seen_update = Some(current);
        }
        draft = Some(revision_view(&row, &names, &layout)?);
    }
    let i_signed = draft_signatures
        .iter()
        .any(|s| Some(&s.name) == names.get(&person.id));

    let mut in_force = None;
    if let Some(number) = a.active_version {
        let v = store::version(pool, id, number).await?;
        let row = store::revision(pool, v.revision_id).await?;
        let mut revision = revision_view(&row, &names, &layout)?;
        revision.commitments = commitment_lines(state, &a, number, &names).await?;
        in_force = Some(InForce {
            number,
            revision,
            activated: layout.when(&v.activated_at),
        });
    }
    let versions = store::versions(pool, id)
        .await?
        .iter()
        .map(|v| VersionLine {
            number: v.number,
            activated: layout.when(&v.activated_at),
            superseded: v.superseded_at.as_deref().map(|s| layout.when(s)),
        })
        .collect();
    let signed_revisions: Vec<i64> = store::versions(pool, id)
        .await?
        .iter()
        .map(|v| v.revision_id)
        .collect();
    let revisions = store::revisions(pool, id)
        .await?
        .iter()
        .map(|r| RevisionLine {
            number: r.number,
            author: name_of(&names, r.author),
            at: layout.when(&r.created_at),
            amendment: r.amendment == 1,
            signed: signed_revisions.contains(&r.id),
        })
        .collect();
    let mut i_signed_ending = false;
    if a.end_proposed_by.is_some()
        && let Some(v) = a.active_version
    {
        let version = store::version(pool, id, v).await?;
        i_signed_ending = store::live_signatures(pool, version.revision_id, "ending")
            .await?
            .iter()
            .any(|s| s.person_id == person.id);
    }
    if let Some(current) = seen_update {
        let mut tx = state.db.begin_write().await?;
        store::set_seen(&mut tx, id, person.id, current).await?;
        tx.commit().await?;
    }
    let status_code = if forms.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ShowPage {
        layout,
        status,
        ended_by_date,
        draft,
        draft_signatures,
        i_signed,
        proposed_by: a
            .proposed_by
            .filter(|_| a.is_proposed())
            .map(|p| name_of(&names, p)),
        changes,
        in_force,
        versions,
        revisions,
        end_proposed_by: a.end_proposed_by.map(|p| name_of(&names, p)),
        i_signed_ending,
        errors: forms.errors.clone(),
        forms,
        once: once::new_key(),
        a,
    };
    Ok((status_code, Html(page.render()?)).into_response())
}

/// The commitments of a version, with links and what changed.
async fn commitment_lines(
    state: &AppState,
    a: &Agreement,
    version: i64,
    names: &HashMap<i64, String>,
) -> Result<Vec<CommitmentLine>> {
    let terms = commitments::store::terms_of_version(&state.db.readers, a.id, version).await?;
    let mut lines = Vec::new();
    for t in terms {
        let first = commitments::store::terms(&state.db.readers, t.commitment_id)
            .await?
            .first()
            .map(|f| f.version)
            == Some(version);
        lines.push(CommitmentLine {
            owner: name_of(names, t.owner_id),
            when: serde_json::from_str::<schedule::Schedule>(&t.schedule)
                .map(|s| s.describe())
                .unwrap_or_default(),
            text: t.text,
            link: Some(format!("/commitments/{}", t.commitment_id)),
            from_request: false,
            change: if first && version > 1 {
                "new".into()
            } else if first {
                String::new()
            } else if t.changed == 1 {
                "changed".into()
            } else {
                "unchanged".into()
            },
        });
    }
    Ok(lines)
}

#[derive(Template)]
#[template(path = "agreements/revision.html")]
struct RevisionPage {
    layout: Layout,
    a: Agreement,
    revision: RevisionView,
    previous: Option<i64>,
    diff: Vec<DiffPart>,
    signatures: Vec<SignatureView>,
}

/// `GET /agreements/{id}/revisions/{number}`
pub async fn revision(
    State(state): State<AppState>,
    Path((id, number)): Path<(i64, i64)>,
    layout: Layout,
) -> Result<Response> {
    let pool = &state.db.readers;
    let a = store::agreement(pool, id).await?;
    let names = super::names(pool).await?;
    let row = store::revision_by_number(pool, id, number).await?;
    let (previous, diff) = match row.based_on {
        Some(base) => {
            let old = store::revision(pool, base).await?;
            (
                Some(old.number),
                content::word_diff(
                    &old.content()?.as_plain_text(&names),
                    &row.content()?.as_plain_text(&names),
                ),
            )
        }
        None => (None, Vec::new()),
    };
    let signatures = store::all_signatures(pool, row.id)
        .await?
        .iter()
        .map(|s| signature_view(s, &names, &layout))
        .collect();
    let page = RevisionPage {
        revision: revision_view(&row, &names, &layout)?,
        a,
        previous,
        diff,
        signatures,
        layout,
    };
    Ok(Html(page.render()?).into_response())
}

/// A version with its signatures, for the version page and the print view.
pub struct VersionData {
    a: Agreement,
    number: i64,
    revision: RevisionView,
    signatures: Vec<SignatureView>,
    activated: String,
    activated_seq: i64,
    activated_hash: String,
    superseded: Option<String>,
    in_force: bool,
}

async fn version_data(
    state: &AppState,
    id: i64,
    number: i64,
    layout: &Layout,
) -> Result<VersionData> {
    let pool = &state.db.readers;
    let a = store::agreement(pool, id).await?;
    let names = super::names(pool).await?;
    let v = store::version(pool, id, number).await?;
    let row = store::revision(pool, v.revision_id).await?;
    let mut revision = revision_view(&row, &names, layout)?;
    revision.commitments = commitment_lines(state, &a, number, &names).await?;
    let signatures = store::all_signatures(pool, row.id)
        .await?
        .iter()
        .filter(|s| s.purpose == "version" && s.cleared_at.is_none())
        .map(|s| signature_view(s, &names, layout))
        .collect();
    let today = today(state).await?;
    let (_, ended_by_date) = status_of(&a, today);
    Ok(VersionData {
        in_force: v.superseded_at.is_none() && a.state == "active" && !ended_by_date,
        number,
        revision,
        signatures,
        activated: layout.when(&v.activated_at),
        activated_seq: v.record_seq,
        activated_hash: chain::short(&v.record_hash).to_string(),
        superseded: v.superseded_at.as_deref().map(|s| layout.when(s)),
        a,
    })
}

/// `GET /agreements/{id}/versions/{number}`
pub async fn version(
    State(state): State<AppState>,
    Path((id, number)): Path<(i64, i64)>,
    layout: Layout,
) -> Result<Response> {
    let v = version_data(&state, id, number, &layout).await?;
    Ok(Html(VersionPage { layout, v }.render()?).into_response())
}

#[derive(Template)]
#[template(path = "agreements/version.html")]
struct VersionPage {
    layout: Layout,
    v: VersionData,
}

#[derive(Template)]
#[template(path = "agreements/print.html")]
struct PrintPage {
    layout: Layout,
    v: VersionData,
}

/// `GET /agreements/{id}/versions/{number}/print`
pub async fn print(
    State(state): State<AppState>,
    Path((id, number)): Path<(i64, i64)>,
    layout: Layout,
) -> Result<Response> {
    let v = version_data(&state, id, number, &layout).await?;
    Ok(Html(PrintPage { layout, v }.render()?).into_response())
}
