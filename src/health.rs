//! `GET /healthz`: whether the database answers, and how long the record is.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::app::{AppState, Route};
use crate::ledger;

pub fn routes() -> Vec<Route> {
    vec![Route::public_page("/healthz", check)]
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    database: &'static str,
    entries: i64,
    record: &'static str,
}

async fn check(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let record = if state.record.problem().is_some() {
        "broken"
    } else {
        "intact"
    };
    match ledger::fingerprint(&state.db.readers).await {
        Ok(fingerprint) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                database: "ok",
                entries: fingerprint.seq,
                record,
            }),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unavailable",
                database: "unreadable",
                entries: 0,
                record,
            }),
        ),
    }
}
