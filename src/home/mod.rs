//! The start page: for a signed-in person it is Today; before anyone has an
//! account it says the server is waiting for its first person.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::app::{AppState, Route};
use crate::auth;
use crate::error::Result;
use crate::web::Layout;

pub fn routes() -> Vec<Route> {
    vec![Route::public_page("/", show)]
}

#[derive(Template)]
#[template(path = "pages/waiting.html")]
struct WaitingPage {
    layout: Layout,
}

#[derive(Template)]
#[template(path = "home/today.html")]
struct TodayPage {
    layout: Layout,
    name: String,
}

async fn show(State(state): State<AppState>, layout: Layout) -> Result<Response> {
    if let Some(person) = layout.person.clone() {
        return Ok(Html(
            TodayPage {
                layout,
                name: person.name,
            }
            .render()?,
        )
        .into_response());
    }
    if auth::store::count_people(&state.db.readers).await? == 0 {
        return Ok(Html(WaitingPage { layout }.render()?).into_response());
    }
    Ok(Redirect::to("/login").into_response())
}
