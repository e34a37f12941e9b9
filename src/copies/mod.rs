//! Each keeps a copy. The server is usually run by one of the two people, who
//! could rewrite the database and even recompute the chain; what keeps the
//! record honest is that each person can take a copy off the server and later
//! check a newer record against it without trusting the server.
//!
//! - `/copy`: the "My copy" page and its one-click download (a ZIP built by
//!   [`export`], with the readable [`archive`] and the offline checker).
//! - `/record/since`: the entries a browser has not seen yet, for the
//!   tripwire script (static/js/tripwire.js).
//! - [`leaving`]: closing one's own account.
//! - [`compare`]: reading copies back and checking one against another, for
//!   `amends verify --against`.

pub mod archive;
pub mod compare;
pub mod export;
pub mod leaving;
pub mod store;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::app::{AppState, Route};
use crate::auth::CurrentPerson;
use crate::error::{AppError, Result};
use crate::ledger::{self, Entry};
use crate::web::{Form, Layout, once};
use export::Taker;

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/copy", show),
        Route::action("/copy", download),
        Route::page("/record/since", since),
        Route::page("/account/close", leaving::confirm),
        Route::action("/account/close", leaving::close),
        Route::action("/account/notice/dismiss", leaving::dismiss),
    ]
}

/// A copy taken, for the list on the page.
pub struct TakenLine {
    pub who: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "copies/copy.html")]
struct CopyPage {
    layout: Layout,
    once: String,
    taken: Vec<TakenLine>,
}

/// `GET /copy`
async fn show(State(state): State<AppState>, layout: Layout) -> Result<Response> {
    let taken = taken_lines(&state, &layout).await?;
    let page = CopyPage {
        layout,
        once: once::new_key(),
        taken,
    };
    Ok(Html(page.render()?).into_response())
}

/// The latest copies either person took, for both to see.
pub async fn taken_lines(state: &AppState, layout: &Layout) -> Result<Vec<TakenLine>> {
    let people = crate::auth::store::people(&state.db.readers).await?;
    let name = |id: Option<i64>| match id {
        Some(id) => people
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| format!("Person {id}"), |p| p.name.clone()),
        None => "The server's command line".to_string(),
    };
    Ok(store::recent_copies(&state.db.readers, 10)
        .await?
        .into_iter()
        .map(|c| TakenLine {
            who: name(c.author),
            when: layout.when(&c.at),
        })
        .collect())
}

/// The hidden exactly-once key of a form that changes nothing else.
#[derive(Debug, Default, Deserialize)]
pub struct OnceForm {
    #[serde(default)]
    pub once: String,
}

/// `POST /copy`: records that this person took a copy, then sends it.
/// A replayed form records nothing twice but still gets its file.
async fn download(
    State(state): State<AppState>,
    person: CurrentPerson,
    Form(form): Form<OnceForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let taker = Taker::Person {
        id: person.id,
        name: person.name.clone(),
    };
    let mut tx = state.db.begin_write().await?;
    let through = if once::claim(&mut tx, person.id, &form.once, now).await? {
        let entry = export::record_taking(&mut tx, &state.clock, &taker).await?;
        tx.commit().await?;
        entry.seq
    } else {
        tx.rollback().await?;
        ledger::fingerprint(&state.db.readers).await?.seq
    };
    let started = std::time::Instant::now();
    let copy = export::build_from(&state.db.readers, through, taker, now).await?;
    tracing::info!(
        person = person.id,
        entries = copy.entries,
        bytes = copy.bytes.len(),
        millis = started.elapsed().as_millis() as u64,
        "a copy of the record was taken"
    );
    Ok((
        [
            (CONTENT_TYPE, "application/zip".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", copy.file_name),
            ),
            (CACHE_CONTROL, "no-store".to_string()),
        ],
        copy.bytes,
    )
        .into_response())
}

/// How many entries `/record/since` answers at once.
pub const SINCE_PAGE: i64 = 500;

#[derive(Debug, Deserialize)]
pub struct SinceParams {
    #[serde(default)]
    seq: String,
}

#[derive(Serialize)]
struct Since {
    /// The latest entry now.
    head: Head,
    /// The entry at the asked-for number, so the browser can check it still
    /// has the hash it remembers (`null` for 0 or past the end).
    anchor: Option<Entry>,
    /// Entries after it, oldest first, at most [`SINCE_PAGE`].
    entries: Vec<Entry>,
    /// More entries follow; ask again from the last one.
    more: bool,
}

#[derive(Serialize)]
struct Head {
    seq: i64,
    hash: String,
}

/// `GET /record/since?seq=N`: for the tripwire, the entry at N and those
/// after it, in the shape of `record.jsonl`.
async fn since(
    State(state): State<AppState>,
    Query(params): Query<SinceParams>,
) -> Result<Response> {
    let seq: i64 = params
        .seq
        .trim()
        .parse()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| {
            AppError::BadRequest("seq must be the number of an entry, 0 or more".into())
        })?;
    let head = ledger::fingerprint(&state.db.readers).await?;
    let anchor = if seq > 0 {
        ledger::entry_at(&state.db.readers, seq).await?
    } else {
        None
    };
    let mut entries = ledger::entries_after(&state.db.readers, seq, SINCE_PAGE + 1).await?;
    let more = entries.len() as i64 > SINCE_PAGE;
    entries.truncate(SINCE_PAGE as usize);
    let body = Since {
        head: Head {
            seq: head.seq,
            hash: head.hash,
        },
        anchor,
        entries,
        more,
    };
    Ok(([(CACHE_CONTROL, "no-store")], axum::Json(body)).into_response())
}
