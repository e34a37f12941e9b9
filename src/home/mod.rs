//! The start page: for a signed-in person it is Today — what matters now
//! and how the repair has gone over time; before anyone has an account it
//! says the server is waiting for its first person.

pub mod today;

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::app::{AppState, Route};
use crate::auth::{self, CurrentPerson};
use crate::charts::BarsChart;
use crate::commitments::{schedule, weeks};
use crate::error::Result;
use crate::web::Layout;
use today::{DueItem, WaitGroup, WaitItem};

pub fn routes() -> Vec<Route> {
    vec![Route::public_page("/", show)]
}

#[derive(Template)]
#[template(path = "pages/waiting.html")]
struct WaitingPage {
    layout: Layout,
}

/// The latest noticed change, ready to show.
struct NoticedLine {
    text: String,
    by: String,
    about: String,
    day: String,
}

#[derive(Template)]
#[template(path = "home/today.html")]
struct TodayPage {
    layout: Layout,
    date: String,
    alone: bool,
    due: Vec<DueItem>,
    waiting: Vec<WaitGroup>,
    proposal_line: Option<String>,
    next_checkin: Option<String>,
    missed_checkins: Option<String>,
    noticed: Option<NoticedLine>,
    facts: Vec<String>,
    kept_chart: Option<BarsChart>,
    trust_charts: Vec<today::TrustLine>,
    questions: Vec<crate::questions::OpenQuestion>,
}

async fn show(State(state): State<AppState>, layout: Layout) -> Result<Response> {
    let Some(person) = layout.person.clone() else {
        if auth::store::count_people(&state.db.readers).await? == 0 {
            return Ok(Html(WaitingPage { layout }.render()?).into_response());
        }
        return Ok(Redirect::to("/login").into_response());
    };
    Ok(Html(today_page(&state, person, layout).await?.render()?).into_response())
}

async fn today_page(state: &AppState, person: CurrentPerson, layout: Layout) -> Result<TodayPage> {
    let now = state.clock.now();
    let tz = layout.tz.clone();
    let pool = &state.db.readers;
    let people = auth::store::people(pool).await?;
    let name_of = |id: i64| {
        people
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let (next_checkin, missed_checkins) = match crate::checkins::next_due(pool, &tz, now).await? {
        Some(next) => {
            let when = if next.status.next == schedule::today(now, &tz) {
                "today".to_string()
            } else {
                schedule::long_date(next.status.next)
            };
            let missed = (next.status.missed > 0).then(|| match next.status.missed {
                1 => "One planned check-in was not recorded.".to_string(),
                n => format!("{n} planned check-ins were not recorded."),
            });
            (
                Some(format!("The next check-in is {when} ({}).", next.rhythm)),
                missed,
            )
        }
        None => (None, None),
    };
    let proposal = crate::checkins::open_proposal(pool).await?;
    let (mut waiting, trust_charts) = today::from_breaches(state, person.id, now, &tz).await?;
    let proposal_line = match proposal {
        Some((by, rhythm)) if by == person.id => Some(format!(
            "You proposed check-ins {rhythm}; the other person can agree or decline."
        )),
        Some((by, rhythm)) => {
            waiting.insert(
                0,
                WaitItem {
                    action: "Answer".into(),
                    text: format!("{} proposed check-ins {rhythm}.", name_of(by)),
                    href: "/checkins".into(),
                },
            );
            None
        }
        None => None,
    };
    let noticed = crate::noticed::latest(pool).await?.map(|n| NoticedLine {
        by: name_of(n.author),
        about: name_of(n.about),
        day: n
            .happened_on
            .parse()
            .map(schedule::long_date)
            .unwrap_or(n.happened_on),
        text: n.text,
    });
    let weeks = weeks::weeks(pool, &state.db.writer, now, &tz).await?;
    let d = today::due_for(state, person.id, now, &tz).await?;
    let f = today::facts(pool, &weeks, now, &tz).await?;
    let kc = today::kept_chart(&weeks.totals);
    let oq = crate::questions::open_questions(pool, person.id, now).await?;
    Ok(TodayPage {
        date: now
            .to_zoned(tz.clone())
            .strftime("%A, %-d %B %Y")
            .to_string(),
        alone: people.len() < 2,
        due: d,
        waiting: today::grouped(waiting),
        proposal_line,
        next_checkin,
        missed_checkins,
        noticed,
        facts: f,
        kept_chart: kc,
        trust_charts,
        questions: oq,
        layout,
    })
}
