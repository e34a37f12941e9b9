//! `spawn_app()` and a small browser stand-in for the API tests.

#![allow(dead_code)]

use std::sync::Arc;

use amends::app::{self, AppState, RecordStatus, Settings};
use amends::auth::links::{self, Purpose};
use amends::clock::Clock;
use amends::db::Db;
use reqwest::redirect::Policy;
use tempfile::TempDir;

/// A running server on a fresh data directory.
pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub dir: TempDir,
}

/// A password long enough for the rules, used by every test person.
pub const PASSWORD: &str = "correct walnut lantern ferry";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Settings::default()).await
}

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(Clock::new());
    let db = Db::open(dir.path(), &clock).await.expect("open db");
    let state = AppState {
        db,
        clock,
        settings: Arc::new(settings),
        record: Arc::new(RecordStatus::default()),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(app::serve(listener, state.clone()));
    TestApp {
        address,
        state,
        dir,
    }
}

/// One browser: its own cookies, never following redirects on its own.
#[derive(Clone)]
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

impl TestApp {
    pub fn browser(&self) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .expect("client"),
            base: self.address.clone(),
        }
    }

    /// A fresh one-time setup link's path, as the server would print it.
    pub async fn setup_path(&self) -> String {
        let mut tx = self.state.db.begin_write().await.expect("tx");
        let (token, _) = links::create(&mut tx, Purpose::Setup, None, self.state.clock.now())
            .await
            .expect("setup link");
        tx.commit().await.expect("commit");
        format!("/setup/{token}")
    }

    /// Creates the first account through the setup page; returns its browser.
    pub async fn first_person(&self, name: &str) -> Browser {
        let browser = self.browser();
        let path = self.setup_path().await;
        let response = browser
            .post_form(
                &path,
                &[
                    ("name", name),
                    ("password", PASSWORD),
                    ("password_again", PASSWORD),
                    ("time_zone", "Europe/Berlin"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "setup should redirect");
        browser
    }

    /// Makes an invite as `inviter` and returns the `/join/…` path.
    pub async fn invite_path(&self, inviter: &Browser) -> String {
        let page = inviter
            .post_form("/invite", &[])
            .await
            .text()
            .await
            .expect("text");
        let start = page.find("/join/").expect("invite link on the page");
        page[start..start + "/join/".len() + 32].to_string()
    }

    /// Both people, signed in in their own browsers: Sam set up, Alex joined.
    pub async fn pair(&self) -> (Browser, Browser) {
        let sam = self.first_person("Sam").await;
        let path = self.invite_path(&sam).await;
        let alex = self.browser();
        let response = alex
            .post_form(
                &path,
                &[
                    ("name", "Alex"),
                    ("password", PASSWORD),
                    ("password_again", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "joining should redirect");
        (sam, alex)
    }

    /// Moves the server's clock forward.
    pub fn advance(&self, seconds: i64) {
        self.state
            .clock
            .advance(jiff::SignedDuration::from_secs(seconds));
    }

    /// How many entries the record holds.
    pub async fn record_len(&self) -> i64 {
        amends::ledger::fingerprint(&self.state.db.readers)
            .await
            .expect("fingerprint")
            .seq
    }

    /// Runs one SQL statement directly, as someone with the database file could.
    pub async fn sql(&self, statement: &'static str) -> Result<(), sqlx::Error> {
        sqlx::query(statement)
            .execute(&self.state.db.writer)
            .await
            .map(|_| ())
    }
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// GET and return the body, asserting a 200.
    pub async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        let status = response.status();
        let body = response.text().await.expect("text");
        assert_eq!(status, 200, "GET {path} answered {status}: {body}");
        body
    }

    /// POSTs a form the way a page of the app would (same-origin).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("Sec-Fetch-Site", "same-origin")
            .header("Origin", &self.base)
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// POSTs a raw body with a form content type (for malformed input).
    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("Sec-Fetch-Site", "same-origin")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// POSTs as a page on another site would.
    pub async fn post_cross_site(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("Sec-Fetch-Site", "cross-site")
            .header("Origin", "https://evil.example")
            .form(fields)
            .send()
            .await
            .expect("POST")
    }
}

/// Where a redirect points.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}
