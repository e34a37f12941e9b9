//! `amends demo`: a new data directory holding two demo people and a
//! made-up history of some years that ends today, so Amends can be seen in
//! a minute with something in it.
//!
//! Nothing here writes to the database itself. The story ([`story`]) is
//! played by two in-process "browsers" sending the app's own forms, with
//! the fields its pages would send, to the real router (the same one
//! `serve` uses), one request at a time through `tower::ServiceExt::oneshot`:
//! no network, no HTTP client. So every entry goes through the one write
//! path, the record verifies, and every page agrees with it. Time is a
//! manual [`Clock`] that the story sets forward, entry by entry, from the
//! first day to now; it exists only here, and only while the directory is
//! new and no server runs on it.

mod story;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{Method, Request, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use rand::seq::IndexedRandom;
use tower::ServiceExt;

use crate::app::{self, AppState, RecordStatus, Settings};
use crate::auth::links::{self, Purpose};
use crate::clock::Clock;
use crate::db::Db;
use crate::ledger;

/// The seed used when none is given: the same seed on the same day gives
/// the same story.
pub const DEFAULT_SEED: u64 = 20_260_301;

/// What to make.
#[derive(Debug, Clone)]
pub struct Options {
    /// A directory without an `amends.db` (created if missing).
    pub data_dir: PathBuf,
    /// How many days of history, ending today (at least 90).
    pub days: u32,
    pub seed: u64,
    /// The pair's zone; the system's when `None`.
    pub time_zone: Option<String>,
}

/// One demo person, with the password to sign in with.
#[derive(Debug, Clone)]
pub struct DemoPerson {
    pub name: String,
    pub password: String,
}

/// What was made.
#[derive(Debug, Clone)]
pub struct Made {
    pub people: Vec<DemoPerson>,
    /// Entries in the record, and its head hash.
    pub entries: i64,
    pub head: String,
    /// Requests sent to the app.
    pub requests: u64,
    pub elapsed: Duration,
}

/// "1 year", "3 years", "120 days".
pub fn span_words(days: u32) -> String {
    match (days % 365, days / 365) {
        (0, 1) => "1 year".to_string(),
        (0, years) => format!("{years} years"),
        _ => format!("{days} days"),
    }
}

/// Makes the data directory and plays the story into it.
pub async fn create(options: &Options) -> anyhow::Result<Made> {
    let started = Instant::now();
    if options.days < 90 {
        bail!("a demo history needs at least 90 days");
    }
    refuse_existing(&options.data_dir)?;
    let zone = match &options.time_zone {
        Some(name) => crate::auth::accounts::check_time_zone(name)
            .map_err(|_| anyhow::anyhow!("{name:?} is not a time zone this program knows"))?,
        None => jiff::tz::TimeZone::system()
            .iana_name()
            .map(str::to_string)
            .unwrap_or_else(|| "UTC".to_string()),
    };
    let tz = crate::web::time::zone(&zone);
    let real_now = Timestamp::now();
    let today = crate::web::time::today(real_now, &tz);
    let first_day = today
        .checked_sub(jiff::Span::new().days(i64::from(options.days)))
        .context("the history would start before the calendar does")?;
    let start = story::at(first_day, 8, 0, &tz);
    let clock = Arc::new(Clock::manual(start));
    let db = Db::open(&options.data_dir, &clock).await?;
    let state = AppState {
        db: db.clone(),
        clock: clock.clone(),
        settings: Arc::new(Settings::default()),
        record: Arc::new(RecordStatus::default()),
    };
    let mut driver = Driver {
        router: app::router(state.clone()),
        state,
        real_now,
        requests: 0,
        visitors: Vec::new(),
    };
    let people = vec![
        DemoPerson {
            name: story::HURT.to_string(),
            password: new_password(),
        },
        DemoPerson {
            name: story::BROKE.to_string(),
            password: new_password(),
        },
    ];
    let played = story::play(&mut driver, &people, &zone, first_day, today, options.seed).await;
    let verdict = ledger::verify(&db.readers).await;
    db.close().await;
    played?;
    let head = match verdict.map_err(|e| anyhow::anyhow!("{e}"))? {
        ledger::Verdict::Intact(head) => head,
        ledger::Verdict::Broken(problem) => {
            bail!("the demo record does not verify: {problem}")
        }
    };
    Ok(Made {
        people,
        entries: head.seq,
        head: head.hash,
        requests: driver.requests,
        elapsed: started.elapsed(),
    })
}

/// A demo never touches a directory that already holds a database.
fn refuse_existing(dir: &Path) -> anyhow::Result<()> {
    for name in ["amends.db", "amends.db-wal", "amends.db-journal"] {
        let file = dir.join(name);
        if file.exists() {
            bail!(
                "{} already holds data ({}); the demo only writes into a new directory. \
                 Choose another --data-dir.",
                dir.display(),
                file.display()
            );
        }
    }
    Ok(())
}

/// Four unrelated words: long, easy to type, and different every time (not
/// from the story's seed, so no two demo directories share a password).
fn new_password() -> String {
    const WORDS: [&str; 48] = [
        "amber", "basket", "candle", "cedar", "cobalt", "copper", "dune", "ember", "fable", "fern",
        "garnet", "harbor", "hazel", "indigo", "juniper", "kettle", "lantern", "linen", "maple",
        "meadow", "mosaic", "nectar", "oat", "orchard", "pebble", "pepper", "quartz", "quill",
        "raven", "river", "saffron", "sage", "shore", "sorrel", "spruce", "tangle", "thistle",
        "timber", "tulip", "umber", "velvet", "walnut", "willow", "wren", "yarrow", "zephyr",
        "harvest", "clover",
    ];
    let mut rng = rand::rng();
    let words: Vec<&str> = (0..4)
        .filter_map(|_| WORDS.choose(&mut rng).copied())
        .collect();
    words.join("-")
}

/// One of the two people's browser: their session cookie and password.
struct Visitor {
    name: String,
    password: String,
    cookie: Option<String>,
}

/// Which of the two people acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Person 1: set up the instance; the one who was hurt.
    Hurt,
    /// Person 2: joined by invite; the one who broke trust.
    Broke,
}

impl Who {
    fn index(self) -> usize {
        match self {
            Who::Hurt => 0,
            Who::Broke => 1,
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Who::Hurt => 1,
            Who::Broke => 2,
        }
    }

    pub fn other(self) -> Who {
        match self {
            Who::Hurt => Who::Broke,
            Who::Broke => Who::Hurt,
        }
    }
}

/// A form's fields, in the order a browser sends them.
pub type Fields = Vec<(String, String)>;

/// Sends the app's forms to its router, as the two people's browsers would.
pub struct Driver {
    router: Router,
    pub state: AppState,
    /// The real time when the demo started: the story never goes past it.
    real_now: Timestamp,
    requests: u64,
    visitors: Vec<Visitor>,
}

impl Driver {
    /// Moves the clock to `to` (never back, never past the real now).
    /// Returns false when `to` is still in the future.
    pub fn set_time(&self, to: Timestamp) -> bool {
        if to > self.real_now {
            return false;
        }
        if to > self.state.clock.now() {
            self.state.clock.set(to);
        }
        true
    }

    pub fn now(&self) -> Timestamp {
        self.state.clock.now()
    }

    /// A person's browser, signed out until they sign in.
    pub fn add_visitor(&mut self, person: &DemoPerson) {
        self.visitors.push(Visitor {
            name: person.name.clone(),
            password: person.password.clone(),
            cookie: None,
        });
    }

    /// A fresh one-time setup link's path, as `serve` would print it.
    pub async fn setup_path(&self) -> anyhow::Result<String> {
        let mut tx = self.state.db.begin_write().await?;
        let (token, _) = links::create(&mut tx, Purpose::Setup, None, self.state.clock.now())
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        tx.commit().await?;
        Ok(format!("/setup/{token}"))
    }

    /// One request through the real router; keeps the session cookie.
    async fn send(
        &mut self,
        who: Who,
        method: Method,
        path: &str,
        fields: &[(String, String)],
    ) -> anyhow::Result<Response> {
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(path)
            .header("host", "demo.localhost")
            .header("user-agent", "amends demo")
            .extension(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 0))));
        if let Some(cookie) = &self.visitors[who.index()].cookie {
            builder = builder.header(COOKIE, cookie);
        }
        let body = if method == Method::POST {
            builder = builder
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin");
            let encoded = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .finish();
            Body::from(encoded)
        } else {
            Body::empty()
        };
        let request = builder.body(body)?;
        self.requests += 1;
        let response = match self.router.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let session = crate::auth::session::cookie_name(&self.state.settings);
        for value in response.headers().get_all(SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let Some(pair) = text.split(';').next() else {
                continue;
            };
            if let Some(token) = pair.strip_prefix(&format!("{session}=")) {
                self.visitors[who.index()].cookie = if token.is_empty() {
                    None
                } else {
                    Some(pair.to_string())
                };
            }
        }
        Ok(response)
    }

    /// Signs `who` in with "keep me signed in on this device".
    pub async fn sign_in(&mut self, who: Who) -> anyhow::Result<()> {
        let visitor = &self.visitors[who.index()];
        let fields = form(&[
            ("name", visitor.name.as_str()),
            ("password", visitor.password.as_str()),
            ("remember", "on"),
            ("next", "/"),
        ]);
        let response = self.send(who, Method::POST, "/login", &fields).await?;
        if response.status() != StatusCode::SEE_OTHER {
            bail!("signing in answered {}", response.status());
        }
        Ok(())
    }

    /// POSTs a form as `who` and expects the app's usual redirect; returns
    /// where it points. A session that ended (long quiet spells) is renewed
    /// by signing in again, as a person would.
    pub async fn post(&mut self, who: Who, path: &str, fields: Fields) -> anyhow::Result<String> {
        let mut fields = fields;
        if !fields.iter().any(|(k, _)| k == "once") {
            fields.push(("once".into(), crate::web::once::new_key()));
        }
        let mut response = self.send(who, Method::POST, path, &fields).await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            self.sign_in(who).await?;
            response = self.send(who, Method::POST, path, &fields).await?;
        }
        if response.status() != StatusCode::SEE_OTHER {
            let status = response.status();
            let text = body_text(response).await;
            bail!(
                "POST {path} as person {} at {} answered {status}: {}",
                who.id(),
                self.now(),
                summary(&text)
            );
        }
        Ok(location(&response))
    }

    /// POSTs a form that answers with a page (200), returning its text.
    pub async fn post_for_page(
        &mut self,
        who: Who,
        path: &str,
        fields: Fields,
    ) -> anyhow::Result<String> {
        let response = self.send(who, Method::POST, path, &fields).await?;
        let status = response.status();
        let text = body_text(response).await;
        if status != StatusCode::OK {
            bail!("POST {path} answered {status}: {}", summary(&text));
        }
        Ok(text)
    }

    /// GETs a page as `who`, expecting a 200.
    pub async fn page(&mut self, who: Who, path: &str) -> anyhow::Result<String> {
        let response = self.send(who, Method::GET, path, &[]).await?;
        let status = response.status();
        let text = body_text(response).await;
        if status != StatusCode::OK {
            bail!("GET {path} answered {status}: {}", summary(&text));
        }
        Ok(text)
    }

    /// One number read back (an id the app just made), from the readers.
    pub async fn scalar(&self, sql: &'static str, bind: i64) -> anyhow::Result<i64> {
        let value: Option<i64> = sqlx::query_scalar(sql)
            .bind(bind)
            .fetch_one(&self.state.db.readers)
            .await
            .with_context(|| format!("reading back: {sql}"))?;
        value.with_context(|| format!("nothing found for: {sql}"))
    }
}

/// Builds a form from string pairs.
pub fn form(pairs: &[(&str, &str)]) -> Fields {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn location(response: &Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn body_text(response: Response) -> String {
    match axum::body::to_bytes(response.into_body(), 4 * 1024 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    }
}

/// The readable part of an error page, for a message.
fn summary(page: &str) -> String {
    let text = regex::Regex::new(r"(?s)<[^>]*>")
        .map(|tags| tags.replace_all(page, " ").into_owned())
        .unwrap_or_else(|_| page.to_string());
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    joined.chars().take(600).collect()
}
