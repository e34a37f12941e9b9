//! Agreements written together and signed by both.
//!
//! Either person starts a draft; both edit it, each save a revision
//! ([`store::insert_revision`]); a save based on an older revision is refused
//! with the other's changes shown. One proposes the current revision, each
//! signs that exact revision (its content hash), and when both have signed it
//! becomes the version in force. An amendment is a new draft starting from
//! the version in force; the old version stays in force until the new one is
//! signed. Ending takes both signatures, or happens after an agreed end date.
//! Every change is written with its entry on the record, in one transaction.

pub mod actions;
pub mod content;
pub mod form;
pub mod pages;
pub mod requests;
pub mod store;

use std::collections::HashMap;

use jiff::Timestamp;
use sqlx::SqlitePool;

use crate::app::Route;
use crate::commitments;
use crate::error::Result;

pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/agreements", pages::list),
        Route::page("/agreements/new", pages::new_form),
        Route::action("/agreements", actions::create),
        Route::page("/agreements/{id}", pages::show),
        Route::page("/agreements/{id}/edit", pages::edit_form),
        Route::action("/agreements/{id}/edit", actions::save),
        Route::action("/agreements/{id}/propose", actions::propose),
        Route::action("/agreements/{id}/sign", actions::sign),
        Route::action("/agreements/{id}/decline", actions::decline),
        Route::action("/agreements/{id}/amend", actions::amend),
        Route::action("/agreements/{id}/end", actions::end_propose),
        Route::action("/agreements/{id}/end/sign", actions::end_sign),
        Route::action("/agreements/{id}/end/decline", actions::end_decline),
        Route::page("/agreements/{id}/revisions/{number}", pages::revision),
        Route::page("/agreements/{id}/versions/{number}", pages::version),
        Route::page("/agreements/{id}/versions/{number}/print", pages::print),
        Route::page("/requests/{id}/agreement", requests::page),
        Route::action("/requests/{id}/agreement", requests::carry),
    ]
}

/// Both people's names by id.
pub async fn names(pool: &SqlitePool) -> Result<HashMap<i64, String>> {
    Ok(crate::auth::store::people(pool)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

/// What kind of step waits on a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitingKind {
    /// Sign a proposed revision, or an agreed ending.
    Sign,
    /// Confirm (or dispute) a commitment recorded as kept.
    Confirm,
    /// Acknowledge (or dispute) a break the other person recorded.
    Acknowledge,
    /// A dispute to settle together at the next conversation.
    Settle,
}

impl WaitingKind {
    pub fn verb(self) -> &'static str {
        match self {
            WaitingKind::Sign => "Sign",
            WaitingKind::Confirm => "Confirm",
            WaitingKind::Acknowledge => "Acknowledge",
            WaitingKind::Settle => "Talk through",
        }
    }
}

/// One thing waiting on a person, with where to do it.
#[derive(Debug, Clone)]
pub struct WaitingItem {
    pub kind: WaitingKind,
    /// What it is about, in a sentence.
    pub title: String,
    /// The page where the step is taken.
    pub href: String,
}

/// What waits on `person_id` at `now`: revisions and endings to sign, kept
/// claims to confirm, observed breaks to acknowledge (within their 7 days),
/// and disputes to settle together. For the Today page and the agreements
/// list; bounded by indexes, not by history.
pub async fn waiting_for(
    pool: &SqlitePool,
    person_id: i64,
    now: Timestamp,
) -> Result<Vec<WaitingItem>> {
    let names = names(pool).await?;
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let mut items = Vec::new();
    for a in store::all_agreements(pool).await? {
        if a.is_proposed()
            && let Some(rev) = a.current_revision_id
        {
            let signed = store::live_signatures(pool, rev, "version").await?;
            if !signed.iter().any(|s| s.person_id == person_id) {
                items.push(WaitingItem {
                    kind: WaitingKind::Sign,
                    title: format!("“{}” is proposed for signing.", a.title),
                    href: format!("/agreements/{}", a.id),
                });
            }
        }
        if a.state == "active"
            && let Some(by) = a.end_proposed_by
            && by != person_id
        {
            items.push(WaitingItem {
                kind: WaitingKind::Sign,
                title: format!("{} proposed ending “{}”.", name(by), a.title),
                href: format!("/agreements/{}#ending", a.id),
            });
        }
    }
    let since = crate::clock::format(
        now.checked_sub(jiff::SignedDuration::from_hours(
            24 * commitments::records::ANSWER_DAYS,
        ))
        .unwrap_or(now),
    );
    for r in commitments::store::unanswered_since(pool, &since).await? {
        if r.recorded_by == person_id {
            continue;
        }
        let day = r
            .day
            .parse()
            .map(commitments::schedule::long_date)
            .unwrap_or(r.day.clone());
        if r.kind == "kept" {
            items.push(WaitingItem {
                kind: WaitingKind::Confirm,
                title: format!(
                    "{} recorded “{}” as kept on {day}.",
                    name(r.recorded_by),
                    r.text
                ),
                href: format!("/commitments/records/{}", r.id),
            });
        } else if r.owner_id == person_id {
            items.push(WaitingItem {
                kind: WaitingKind::Acknowledge,
                title: format!(
                    "{} recorded a break of “{}” on {day}.",
                    name(r.recorded_by),
                    r.text
                ),
                href: format!("/commitments/records/{}", r.id),
            });
        }
    }
    for r in commitments::store::open_disputes(pool).await? {
        let day = r
            .day
            .parse()
            .map(commitments::schedule::long_date)
            .unwrap_or(r.day.clone());
        items.push(WaitingItem {
            kind: WaitingKind::Settle,
            title: format!(
                "A dispute about “{}” ({day}) is open, to settle together.",
                r.text
            ),
            href: format!("/commitments/records/{}", r.id),
        });
    }
    Ok(items)
}
