//! Two people and nobody else: setup, invites, signing in and out.

use crate::helpers::{PASSWORD, location, spawn_app};

#[tokio::test]
async fn setup_creates_the_first_account_and_signs_it_in() {
    let app = spawn_app().await;
    let sam = app.first_person("Sam").await;
    let today = sam.page("/").await;
    assert!(today.contains("Sam"));
    assert_eq!(app.record_len().await, 2, "account and time zone recorded");
}

#[tokio::test]
async fn without_a_valid_token_setup_is_404() {
    let app = spawn_app().await;
    let browser = app.browser();
    assert_eq!(
        browser
            .get("/setup/00000000000000000000000000000000")
            .await
            .status(),
        404
    );
    assert_eq!(browser.get("/setup/nonsense").await.status(), 404);
}

#[tokio::test]
async fn a_third_account_cannot_be_created() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    // No invite can be made any more, and the database refuses a third row.
    let page = sam.post_form("/invite", &[]).await;
    assert_eq!(location(&page), "/invite");
    let insert = app
        .sql("INSERT INTO people (id, name, password_hash, created_at) VALUES (3, 'Mallory', 'x', '2026-01-01T00:00:00.000000Z')")
        .await;
    assert!(insert.is_err());
}

#[tokio::test]
async fn fifty_simultaneous_uses_of_one_invite_make_one_account() {
    let app = spawn_app().await;
    let sam = app.first_person("Sam").await;
    let path = app.invite_path(&sam).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let browser = app.browser();
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            let name = format!("Person {i}");
            browser
                .post_form(
                    &path,
                    &[
                        ("name", &name),
                        ("password", PASSWORD),
                        ("password_again", PASSWORD),
                    ],
                )
                .await
                .status()
                .as_u16()
        }));
    }
    let mut created = 0;
    for task in tasks {
        if task.await.unwrap() == 303 {
            created += 1;
        }
    }
    assert_eq!(created, 1);
    let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    assert_eq!(people, 2);
}

#[tokio::test]
async fn both_people_sign_out_and_in_again() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    for (browser, name) in [(sam, "Sam"), (alex, "Alex")] {
        let out = browser.post_form("/logout", &[]).await;
        assert_eq!(location(&out), "/login");
        assert_eq!(browser.get("/invite").await.status(), 303);
        let back = browser
            .post_form(
                "/login",
                &[("name", name), ("password", PASSWORD), ("next", "/invite")],
            )
            .await;
        assert_eq!(location(&back), "/invite");
        assert!(browser.page("/").await.contains(name));
    }
}

#[tokio::test]
async fn a_wrong_password_keeps_the_name_but_never_the_password() {
    let app = spawn_app().await;
    let sam = app.first_person("Sam").await;
    sam.post_form("/logout", &[]).await;
    let response = sam
        .post_form(
            "/login",
            &[("name", "Sam"), ("password", "not the password at all")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("value=\"Sam\""));
    assert!(!body.contains("not the password at all"));
}

#[tokio::test]
async fn next_with_an_absolute_url_is_ignored() {
    let app = spawn_app().await;
    let sam = app.first_person("Sam").await;
    sam.post_form("/logout", &[]).await;
    let response = sam
        .post_form(
            "/login",
            &[
                ("name", "Sam"),
                ("password", PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/");
}

// ---------------------------------------------------------------------------
// Sessions, throttling, recovery and settings.

use std::net::{IpAddr, Ipv4Addr};

use amends::app::Settings;
use amends::auth::links::{self, Purpose};

use crate::authorization::snapshot;
use crate::helpers::{Browser, TestApp, spawn_app_with};

const NEW_PASSWORD: &str = "a brand new heron umbrella";

/// A client without a cookie jar, to see and send cookies by hand.
fn raw(app: &TestApp) -> reqwest::Client {
    let _ = app;
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value a response sets for a cookie, if it sets one.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

fn cookie_value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap();
    pair.split_once('=').unwrap().1.to_string()
}

/// Signs in by hand; returns the response (its cookies are not kept).
async fn sign_in_raw(
    app: &TestApp,
    cookie: Option<&str>,
    name: &str,
    password: &str,
    remember: bool,
) -> reqwest::Response {
    let mut fields = vec![("name", name), ("password", password)];
    if remember {
        fields.push(("remember", "1"));
    }
    let mut request = raw(app)
        .post(format!("{}/login", app.address))
        .header("Sec-Fetch-Site", "same-origin")
        .form(&fields);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    request.send().await.unwrap()
}

async fn get_with(app: &TestApp, cookie: &str, path: &str) -> reqwest::Response {
    raw(app)
        .get(format!("{}{path}", app.address))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap()
}

async fn sign_in(browser: &Browser, name: &str, password: &str) -> reqwest::Response {
    browser
        .post_form("/login", &[("name", name), ("password", password)])
        .await
}

/// The recovery codes shown on a codes page.
fn codes_on(page: &str) -> Vec<String> {
    let start = page
        .find("id=\"recovery-codes\"")
        .expect("codes on the page");
    let end = start + page[start..].find("</ol>").unwrap();
    page[start..end]
        .split("<li>")
        .skip(1)
        .map(|li| li.split("</li>").next().unwrap().trim().to_string())
        .collect()
}

async fn last_entry(app: &TestApp) -> (String, String) {
    sqlx::query_as("SELECT kind, CAST(body AS TEXT) FROM ledger ORDER BY seq DESC LIMIT 1")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_cookie_planted_before_sign_in_is_not_the_one_after() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    sam.post_form("/logout", &[]).await;
    let planted = format!("amends_session={}", "ab".repeat(32));
    let response = sign_in_raw(&app, Some(&planted), "Sam", PASSWORD, false).await;
    assert_eq!(response.status(), 303);
    let token = cookie_value(&set_cookie(&response, "amends_session").unwrap());
    assert_ne!(token, "ab".repeat(32));
    assert_eq!(get_with(&app, &planted, "/settings").await.status(), 303);
    let fresh = format!("amends_session={token}");
    assert_eq!(get_with(&app, &fresh, "/settings").await.status(), 200);

    // A real session planted into another browser is ended, not reused.
    let alex_in = sign_in_raw(&app, None, "Alex", PASSWORD, false).await;
    let alex_cookie = format!(
        "amends_session={}",
        cookie_value(&set_cookie(&alex_in, "amends_session").unwrap())
    );
    let response = sign_in_raw(&app, Some(&alex_cookie), "Sam", PASSWORD, false).await;
    let sams = cookie_value(&set_cookie(&response, "amends_session").unwrap());
    assert_ne!(format!("amends_session={sams}"), alex_cookie);
    assert_eq!(
        get_with(&app, &alex_cookie, "/settings").await.status(),
        303
    );
    drop(alex);
}

#[tokio::test]
async fn a_cookie_replayed_after_sign_out_no_longer_works() {
    let app = spawn_app().await;
    let _pair = app.pair().await;
    let response = sign_in_raw(&app, None, "Sam", PASSWORD, false).await;
    let set = set_cookie(&response, "amends_session").unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"));
    assert!(!set.contains("Max-Age"), "a browser-session cookie: {set}");
    let cookie = format!("amends_session={}", cookie_value(&set));
    let out = raw(&app)
        .post(format!("{}/logout", app.address))
        .header("Sec-Fetch-Site", "same-origin")
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let removal = set_cookie(&out, "amends_session").expect("the cookie is removed");
    assert!(removal.contains("Max-Age=0"), "{removal}");
    assert_eq!(get_with(&app, &cookie, "/settings").await.status(), 303);
}

#[tokio::test]
async fn a_session_ends_after_twelve_idle_hours_unless_kept_signed_in() {
    let app = spawn_app().await;
    let _pair = app.pair().await;
    let short = sign_in_raw(&app, None, "Sam", PASSWORD, false).await;
    let short = format!(
        "amends_session={}",
        cookie_value(&set_cookie(&short, "amends_session").unwrap())
    );
    let kept = sign_in_raw(&app, None, "Sam", PASSWORD, true).await;
    let kept_set = set_cookie(&kept, "amends_session").unwrap();
    assert!(kept_set.contains("Max-Age=2592000"), "{kept_set}");
    let kept = format!("amends_session={}", cookie_value(&kept_set));

    app.advance(11 * 3600);
    assert_eq!(get_with(&app, &short, "/settings").await.status(), 200);
    app.advance(12 * 3600 + 60);
    assert_eq!(get_with(&app, &short, "/settings").await.status(), 303);

    // The kept session rolls: each use renews the cookie for 30 more days.
    let renewed = get_with(&app, &kept, "/settings").await;
    assert_eq!(renewed.status(), 200);
    let rolled = set_cookie(&renewed, "amends_session").expect("renewed cookie");
    assert!(rolled.contains("Max-Age=2592000"), "{rolled}");
    app.advance(29 * 24 * 3600);
    assert_eq!(get_with(&app, &kept, "/settings").await.status(), 200);
    app.advance(31 * 24 * 3600);
    assert_eq!(get_with(&app, &kept, "/settings").await.status(), 303);
}

#[tokio::test]
async fn changing_the_password_ends_my_other_sessions_and_is_recorded() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let other = app.browser();
    assert_eq!(sign_in(&other, "Sam", PASSWORD).await.status(), 303);
    let page = sam.page("/settings").await;
    assert!(page.contains("this device"));
    let once = hidden(&page, "/settings/password");
    let before = app.record_len().await;
    let response = sam
        .post_form(
            "/settings/password",
            &[
                ("once", &once),
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&response), "/settings");
    assert_eq!(app.record_len().await, before + 1);
    let (kind, body) = last_entry(&app).await;
    assert_eq!(kind, "account.password_changed");
    assert!(!body.contains(PASSWORD) && !body.contains(NEW_PASSWORD));
    assert!(
        sam.page("/settings")
            .await
            .contains("other session was ended")
    );
    assert_eq!(other.get("/settings").await.status(), 303);
    assert_eq!(
        alex.get("/settings").await.status(),
        200,
        "Alex is untouched"
    );

    // The same form sent again records nothing twice.
    sam.post_form(
        "/settings/password",
        &[
            ("once", &once),
            ("current_password", NEW_PASSWORD),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ],
    )
    .await;
    assert_eq!(app.record_len().await, before + 1);

    // At the next sign-in elsewhere, Sam is told.
    assert_eq!(sign_in(&other, "Sam", NEW_PASSWORD).await.status(), 303);
    assert!(
        other
            .page("/")
            .await
            .contains("Your password was changed on")
    );
    other.post_form("/logout", &[]).await;
    sign_in(&other, "Sam", NEW_PASSWORD).await;
    assert!(!other.page("/").await.contains("Your password was changed"));
}

/// The `once` key of the form posting to `action` on a page.
fn hidden(page: &str, action: &str) -> String {
    let start = page
        .find(&format!("action=\"{action}\""))
        .expect("the form");
    let rest = &page[start..];
    let value = rest.find("name=\"once\" value=\"").unwrap() + "name=\"once\" value=\"".len();
    rest[value..value + 32].to_string()
}

#[tokio::test]
async fn the_sixth_wrong_password_waits_while_sams_own_browser_still_signs_in() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let attacker = app.browser();
    for attempt in 1..=5 {
        let response = sign_in(&attacker, "Sam", "guessing the password now").await;
        assert_eq!(response.status(), 422, "attempt {attempt}");
    }
    let sixth = sign_in(&attacker, "Sam", "guessing the password now").await;
    assert_eq!(sixth.status(), 429);
    let retry: u64 = sixth.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert!(sixth.text().await.unwrap().contains("Nobody is locked out"));
    // Even the right password waits from the attacker's browser and address.
    assert_eq!(sign_in(&attacker, "Sam", PASSWORD).await.status(), 429);
    // Alex's browser is known, but not for Sam's account.
    assert_eq!(
        sign_in(&alex, "Sam", "alex guessing too").await.status(),
        429
    );

    // Sam's browser has signed in to Sam's account before: not slowed down.
    sam.post_form("/logout", &[]).await;
    assert_eq!(
        sign_in(&sam, "Sam", "a typo in my password").await.status(),
        422
    );
    let back = sign_in(&sam, "Sam", PASSWORD).await;
    assert_eq!(back.status(), 303);
    assert!(sam.page("/settings").await.contains("Wrong password"));

    // Never a lockout: after the wait, the attacker may try again.
    app.advance(i64::try_from(retry).unwrap() + 1);
    assert_eq!(
        sign_in(&attacker, "Sam", "guessing the password now")
            .await
            .status(),
        422
    );
    assert_eq!(
        sign_in(&attacker, "Sam", "guessing the password now")
            .await
            .status(),
        429,
        "and the wait grows"
    );
}

#[tokio::test]
async fn a_forged_forwarded_for_header_changes_nothing_without_a_trusted_proxy() {
    let app = spawn_app().await;
    let _pair = app.pair().await;
    let attacker = app.browser();
    for attempt in 1..=6 {
        let response = attacker
            .client
            .post(attacker.url("/login"))
            .header("Sec-Fetch-Site", "same-origin")
            .header("X-Forwarded-For", format!("203.0.113.{attempt}"))
            .form(&[
                ("name", format!("Nobody {attempt}")),
                ("password", "x".repeat(12)),
            ])
            .send()
            .await
            .unwrap();
        let expected = if attempt <= 5 { 422 } else { 429 };
        assert_eq!(response.status(), expected, "attempt {attempt}");
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_counted() {
    let app = spawn_app_with(Settings {
        trusted_proxy: Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        ..Settings::default()
    })
    .await;
    let _pair = app.pair().await;
    let client = app.browser();
    let attempt = |name: String, forwarded: &'static str| {
        let client = client.clone();
        async move {
            client
                .client
                .post(client.url("/login"))
                .header("Sec-Fetch-Site", "same-origin")
                .header("X-Forwarded-For", forwarded)
                .form(&[("name", name), ("password", "x".repeat(12))])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Six different clients behind the proxy: nobody waits.
    let clients = [
        "198.51.100.1, 203.0.113.1",
        "198.51.100.1, 203.0.113.2",
        "203.0.113.3",
        "203.0.113.4",
        "203.0.113.5",
        "203.0.113.6",
    ];
    for (i, forwarded) in clients.into_iter().enumerate() {
        assert_eq!(attempt(format!("Nobody {i}"), forwarded).await, 422);
    }
    // One client (the right-most entry; what it put further left does not count).
    for i in 0..5 {
        let forged: &'static str = ["1.1.1.1, 203.0.113.9", "2.2.2.2, 203.0.113.9"][i % 2];
        assert_eq!(attempt(format!("Someone {i}"), forged).await, 422);
    }
    assert_eq!(
        attempt("Someone 6".into(), "3.3.3.3, 203.0.113.9").await,
        429
    );
    let log: Vec<String> = sqlx::query_scalar("SELECT address FROM signin_log ORDER BY id")
        .fetch_all(&app.state.db.readers)
        .await
        .unwrap();
    assert!(log.contains(&"203.0.113.9".to_string()), "{log:?}");
}

#[tokio::test]
async fn setup_and_invite_links_expire_and_work_once() {
    let app = spawn_app().await;
    let expired = app.setup_path().await;
    app.advance(24 * 3600 + 60);
    let stranger = app.browser();
    assert_eq!(stranger.get(&expired).await.status(), 404);
    let fields = [
        ("name", "Sam"),
        ("password", PASSWORD),
        ("password_again", PASSWORD),
        ("time_zone", "Europe/Berlin"),
    ];
    assert_eq!(stranger.post_form(&expired, &fields).await.status(), 404);
    assert_eq!(app.record_len().await, 0);

    let setup = app.setup_path().await;
    let sam = app.browser();
    assert_eq!(sam.post_form(&setup, &fields).await.status(), 303);
    let again = app.browser();
    assert_eq!(again.post_form(&setup, &fields).await.status(), 404);
    assert_eq!(again.get(&setup).await.status(), 404);

    let join = [
        ("name", "Alex"),
        ("password", PASSWORD),
        ("password_again", PASSWORD),
    ];
    let old_invite = app.invite_path(&sam).await;
    app.advance(7 * 24 * 3600 + 60);
    let before = app.record_len().await;
    assert_eq!(stranger.get(&old_invite).await.status(), 404);
    assert_eq!(stranger.post_form(&old_invite, &join).await.status(), 404);
    assert_eq!(app.record_len().await, before);

    // Sam's session ended in the idle week; Sam signs in and makes a new link.
    assert_eq!(sign_in(&sam, "Sam", PASSWORD).await.status(), 303);
    let invite = app.invite_path(&sam).await;
    let alex = app.browser();
    assert_eq!(alex.post_form(&invite, &join).await.status(), 303);
    let third = app.browser();
    let mallory = [
        ("name", "Mallory"),
        ("password", PASSWORD),
        ("password_again", PASSWORD),
    ];
    assert_eq!(third.post_form(&invite, &mallory).await.status(), 404);
    assert_eq!(app.record_len().await, before + 1);
}

#[tokio::test]
async fn the_invite_is_shown_as_a_link_and_as_a_qr_code() {
    let app = spawn_app().await;
    let sam = app.first_person("Sam").await;
    let page = sam.post_form("/invite", &[]).await.text().await.unwrap();
    assert!(page.contains("/join/"));
    let svg = &page[page.find("<svg").expect("an inline svg")..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    assert!(svg.contains("aria-label"));
    assert!(!svg.contains("style"), "the CSP allows no style attributes");
    assert!(sam.page("/settings").await.contains("href=\"/invite\""));
}

#[tokio::test]
async fn recovery_codes_are_shown_once_after_setup_and_after_joining() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    for browser in [&sam, &alex] {
        let page = browser.page("/recovery-codes").await;
        let codes = codes_on(&page);
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 19));
        let saved = browser.post_form("/recovery-codes/saved", &[]).await;
        assert_eq!(saved.status(), 303);
        let after = browser.page("/recovery-codes").await;
        assert!(!after.contains(&codes[0]));
        assert!(after.contains("shown only once"));
    }
    // Nothing in the database holds a code in plain text.
    let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes")
        .fetch_all(&app.state.db.readers)
        .await
        .unwrap();
    assert_eq!(stored.len(), 20);
}

#[tokio::test]
async fn a_recovery_code_works_once_is_recorded_and_shown_to_its_owner() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let codes = codes_on(&sam.page("/recovery-codes").await);
    let forgetful = app.browser();
    assert!(
        app.browser()
            .page("/login")
            .await
            .contains("href=\"/forgot\"")
    );
    let before = app.record_len().await;
    let fields = |code: &str| {
        vec![
            ("name".to_string(), "sam".to_string()),
            ("code".to_string(), code.to_uppercase().replace('-', " ")),
            ("password".to_string(), NEW_PASSWORD.to_string()),
            ("password_again".to_string(), NEW_PASSWORD.to_string()),
        ]
    };
    let form: Vec<(String, String)> = fields(&codes[0]);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = forgetful.post_form("/forgot", &pairs).await;
    assert_eq!(location(&response), "/login");
    assert_eq!(app.record_len().await, before + 1);
    let (kind, body) = last_entry(&app).await;
    assert_eq!(kind, "account.password_reset");
    assert!(body.contains("recovery_code") && body.contains("\"recovery_codes_left\":9"));
    assert!(!body.contains(&codes[0]) && !body.contains(NEW_PASSWORD));
    assert_eq!(
        sam.get("/settings").await.status(),
        303,
        "all sessions ended"
    );

    // The same code a second time: refused, nothing written.
    let again = forgetful.post_form("/forgot", &pairs).await;
    assert_eq!(again.status(), 422);
    let page = again.text().await.unwrap();
    assert!(page.contains("do not match an unused code"));
    assert!(page.contains("value=\"sam\""));
    assert!(!page.contains(NEW_PASSWORD) && !page.contains(&codes[0]));
    assert_eq!(app.record_len().await, before + 1);

    // Sam is told at the next sign-in, once.
    assert_eq!(sign_in(&sam, "Sam", NEW_PASSWORD).await.status(), 303);
    assert!(
        sam.page("/")
            .await
            .contains("reset with a recovery code on")
    );
    assert!(
        !sam.page("/")
            .await
            .contains("reset with a recovery code on")
    );
}

#[tokio::test]
async fn renewing_recovery_codes_replaces_them_and_is_recorded_without_them() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let old = codes_on(&sam.page("/recovery-codes").await);
    let page = sam.page("/settings").await;
    let once = hidden(&page, "/settings/recovery-codes");
    let before = app.record_len().await;
    let response = sam
        .post_form("/settings/recovery-codes", &[("once", &once)])
        .await;
    assert_eq!(location(&response), "/recovery-codes");
    let new = codes_on(&sam.page("/recovery-codes").await);
    assert_eq!(new.len(), 10);
    assert!(new.iter().all(|c| !old.contains(c)));
    let (kind, body) = last_entry(&app).await;
    assert_eq!(kind, "account.recovery_codes_renewed");
    assert!(
        new.iter()
            .chain(old.iter())
            .all(|c| !body.contains(c.as_str()))
    );
    // A replayed renewal changes nothing.
    sam.post_form("/settings/recovery-codes", &[("once", &once)])
        .await;
    assert_eq!(app.record_len().await, before + 1);
    // An old code no longer works.
    let response = app
        .browser()
        .post_form(
            "/forgot",
            &[
                ("name", "Sam"),
                ("code", &old[1]),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
}

async fn reset_path(app: &TestApp, person: i64) -> String {
    let mut tx = app.state.db.begin_write().await.unwrap();
    let (token, _) = links::create(&mut tx, Purpose::Reset, Some(person), app.state.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    format!("/reset/{token}")
}

#[tokio::test]
async fn a_reset_link_works_once_expires_and_is_shown_to_its_owner() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let path = reset_path(&app, 2).await;
    let browser = app.browser();
    assert!(
        browser
            .page(&path)
            .await
            .contains("Set a new password for Alex")
    );
    let before = app.record_len().await;
    let fields = [("password", NEW_PASSWORD), ("password_again", NEW_PASSWORD)];
    let response = browser.post_form(&path, &fields).await;
    assert_eq!(location(&response), "/login");
    assert_eq!(app.record_len().await, before + 1);
    let (kind, body) = last_entry(&app).await;
    assert_eq!(kind, "account.password_reset");
    assert!(body.contains("reset_link") && !body.contains(NEW_PASSWORD));
    assert_eq!(alex.get("/settings").await.status(), 303);
    assert_eq!(
        sam.get("/settings").await.status(),
        200,
        "only Alex's sessions end"
    );
    // Single use.
    assert_eq!(browser.get(&path).await.status(), 404);
    assert_eq!(browser.post_form(&path, &fields).await.status(), 404);
    assert_eq!(app.record_len().await, before + 1);
    // Alex is told at the next sign-in.
    assert_eq!(sign_in(&alex, "Alex", NEW_PASSWORD).await.status(), 303);
    assert!(
        alex.page("/")
            .await
            .contains("reset with a reset link from the server")
    );

    // A link not used within 24 hours no longer works.
    let late = reset_path(&app, 1).await;
    app.advance(24 * 3600 + 60);
    assert_eq!(browser.get(&late).await.status(), 404);
    assert_eq!(browser.post_form(&late, &fields).await.status(), 404);
    assert_eq!(app.record_len().await, before + 1);
}

#[tokio::test]
async fn the_time_zone_change_is_recorded() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let page = sam.page("/settings").await;
    let once = hidden(&page, "/settings/time-zone");
    let response = sam
        .post_form(
            "/settings/time-zone",
            &[("once", &once), ("time_zone", "Asia/Tokyo")],
        )
        .await;
    assert_eq!(location(&response), "/settings");
    let (kind, body) = last_entry(&app).await;
    assert_eq!(kind, "pair.time_zone_changed");
    assert!(body.contains("Europe/Berlin") && body.contains("Asia/Tokyo"));
    assert!(
        alex.page("/settings")
            .await
            .contains("<option value=\"Asia/Tokyo\" selected>")
    );
}

#[tokio::test]
async fn ending_a_session_from_settings_signs_that_browser_out() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let phone = app.browser();
    sign_in(&phone, "Sam", PASSWORD).await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT rowid FROM sessions WHERE person_id = 1")
        .fetch_all(&app.state.db.readers)
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    let alex_session: i64 = sqlx::query_scalar("SELECT rowid FROM sessions WHERE person_id = 2")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    // Sam cannot end Alex's session.
    sam.post_form(&format!("/settings/sessions/{alex_session}/end"), &[])
        .await;
    assert_eq!(alex.get("/settings").await.status(), 200);
    // Sam ends the phone's session (the newer one).
    let phone_id = *ids.iter().max().unwrap();
    let response = sam
        .post_form(&format!("/settings/sessions/{phone_id}/end"), &[])
        .await;
    assert_eq!(location(&response), "/settings");
    assert_eq!(phone.get("/settings").await.status(), 303);
    assert_eq!(sam.get("/settings").await.status(), 200);
}

#[tokio::test]
async fn with_an_https_public_url_the_cookie_is_secure_with_a_host_prefix() {
    let app = spawn_app_with(Settings {
        public_url: Some("https://amends.example".into()),
        ..Settings::default()
    })
    .await;
    let path = app.setup_path().await;
    let response = app
        .browser()
        .post_form(
            &path,
            &[
                ("name", "Sam"),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
                ("time_zone", "Europe/Berlin"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let cookie = set_cookie(&response, "__Host-amends_session").expect("__Host- cookie");
    assert!(cookie.contains("; Secure") && cookie.contains("Path=/"));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(set_cookie(&response, "__Host-amends_device").is_some());
    assert!(!app.browser().page("/login").await.contains("not encrypted"));
}

#[tokio::test]
async fn on_plain_http_the_sign_in_page_says_the_connection_is_not_encrypted() {
    let app = spawn_app().await;
    assert!(app.browser().page("/login").await.contains("not encrypted"));
}

// ---------------------------------------------------------------------------
// Hostile input on every form of this feature.

/// The database minus the sign-in log and counters, which record every real
/// attempt at signing in by design.
async fn lasting_state(app: &TestApp) -> Vec<(String, i64, String)> {
    snapshot(app)
        .await
        .into_iter()
        .filter(|(table, _, _)| !table.starts_with("signin_"))
        .collect()
}

struct FormUnderTest<'a> {
    path: &'a str,
    /// Valid values for every field.
    valid: Vec<(&'static str, &'static str)>,
    name_field: Option<&'static str>,
    password_fields: Vec<&'static str>,
}

fn with(
    valid: &[(&'static str, &'static str)],
    changes: &[(&'static str, String)],
) -> Vec<(String, String)> {
    valid
        .iter()
        .map(|(k, v)| {
            let value = changes
                .iter()
                .find(|(ck, _)| ck == k)
                .map(|(_, cv)| cv.clone())
                .unwrap_or_else(|| (*v).to_string());
            ((*k).to_string(), value)
        })
        .collect()
}

async fn post(browser: &Browser, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post_form(path, &pairs).await
}

async fn assert_refused(
    app: &TestApp,
    browser: &Browser,
    form: &FormUnderTest<'_>,
    label: &str,
    fields: Vec<(String, String)>,
    expect_in_page: &[&str],
) {
    let before = lasting_state(app).await;
    let record = app.record_len().await;
    let response = post(browser, form.path, &fields).await;
    let status = response.status();
    let page = response.text().await.unwrap();
    assert_eq!(status, 422, "{} {label}: {page}", form.path);
    assert!(
        page.contains("<form"),
        "{} {label}: the form comes back",
        form.path
    );
    for expected in expect_in_page {
        assert!(
            page.contains(expected),
            "{} {label}: {expected:?} missing",
            form.path
        );
    }
    for password_field in &form.password_fields {
        let typed = &fields.iter().find(|(k, _)| k == password_field).unwrap().1;
        if !typed.is_empty() {
            assert!(
                !page.contains(typed.as_str()),
                "{} {label}: a password was sent back",
                form.path
            );
        }
    }
    assert_eq!(app.record_len().await, record, "{} {label}", form.path);
    assert_eq!(lasting_state(app).await, before, "{} {label}", form.path);
}

async fn check_hostile_input(app: &TestApp, browser: &Browser, form: FormUnderTest<'_>) {
    let empty: Vec<(&'static str, String)> = form
        .valid
        .iter()
        .map(|(k, _)| (*k, String::new()))
        .collect();
    assert_refused(
        app,
        browser,
        &form,
        "empty",
        with(&form.valid, &empty),
        &["Please"],
    )
    .await;

    let long_password = "p".repeat(257);
    let changes: Vec<(&'static str, String)> = form
        .password_fields
        .iter()
        .map(|f| (*f, long_password.clone()))
        .collect();
    assert_refused(
        app,
        browser,
        &form,
        "an over-long password",
        with(&form.valid, &changes),
        &["at most 256 characters"],
    )
    .await;

    if let Some(name) = form.name_field {
        let too_long = "N".repeat(61);
        assert_refused(
            app,
            browser,
            &form,
            "an over-long name",
            with(&form.valid, &[(name, too_long.clone())]),
            &[&format!("value=\"{too_long}\"")],
        )
        .await;
        assert_refused(
            app,
            browser,
            &form,
            "a NUL byte in the name",
            with(&form.valid, &[(name, "Sa\0m".into())]),
            &["control characters"],
        )
        .await;
        // A script in the name (with a password too short, so the form is
        // refused and the name shown back), escaped when shown.
        let mut changes = vec![(name, "<script>alert(1)</script>".to_string())];
        changes.extend(
            form.password_fields
                .iter()
                .map(|f| (*f, "short".to_string())),
        );
        let response = post(browser, form.path, &with(&form.valid, &changes)).await;
        assert_eq!(response.status(), 422, "{}: script in the name", form.path);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("&#60;script&#62;alert(1)") || page.contains("&lt;script&gt;alert(1)"),
            "{}",
            form.path
        );
        assert!(!page.contains("<script>alert(1)"), "{}", form.path);
    }

    let record = app.record_len().await;
    let before = lasting_state(app).await;
    let response = browser
        .post_raw(
            form.path,
            b"name=%FF%FE&password=%00%FF&time_zone=%C3".to_vec(),
        )
        .await;
    assert_eq!(response.status(), 400, "{}: invalid UTF-8", form.path);
    assert!(response.text().await.unwrap().contains("not valid UTF-8"));
    let huge = format!("name={}", "a".repeat(10 * 1024 * 1024));
    let response = browser.post_raw(form.path, huge.into_bytes()).await;
    assert_eq!(response.status(), 413, "{}: 10 MB", form.path);
    assert!(response.text().await.unwrap().contains("too large"));
    assert_eq!(app.record_len().await, record);
    assert_eq!(lasting_state(app).await, before);
}

#[tokio::test]
async fn hostile_input_on_the_setup_and_join_forms_is_refused_with_the_form_back() {
    let app = spawn_app().await;
    let setup = app.setup_path().await;
    let stranger = app.browser();
    check_hostile_input(
        &app,
        &stranger,
        FormUnderTest {
            path: &setup,
            valid: vec![
                ("name", "Sam"),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
                ("time_zone", "Europe/Berlin"),
            ],
            name_field: Some("name"),
            password_fields: vec!["password", "password_again"],
        },
    )
    .await;
    assert_eq!(app.record_len().await, 0);

    let sam = app.first_person("Sam").await;
    let join = app.invite_path(&sam).await;
    check_hostile_input(
        &app,
        &stranger,
        FormUnderTest {
            path: &join,
            valid: vec![
                ("name", "Alex"),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
            ],
            name_field: Some("name"),
            password_fields: vec!["password", "password_again"],
        },
    )
    .await;
}

#[tokio::test]
async fn hostile_input_on_the_sign_in_forgot_and_reset_forms_is_refused_with_the_form_back() {
    let app = spawn_app().await;
    let _pair = app.pair().await;
    let stranger = app.browser();
    check_hostile_input(
        &app,
        &stranger,
        FormUnderTest {
            path: "/login",
            valid: vec![("name", "Sam"), ("password", PASSWORD)],
            name_field: Some("name"),
            password_fields: vec!["password"],
        },
    )
    .await;
    check_hostile_input(
        &app,
        &stranger,
        FormUnderTest {
            path: "/forgot",
            valid: vec![
                ("name", "Sam"),
                ("code", "2345-6789-abcd-efgh"),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
            name_field: Some("name"),
            password_fields: vec!["password", "password_again"],
        },
    )
    .await;
    let reset = reset_path(&app, 1).await;
    check_hostile_input(
        &app,
        &stranger,
        FormUnderTest {
            path: &reset,
            valid: vec![("password", NEW_PASSWORD), ("password_again", NEW_PASSWORD)],
            name_field: None,
            password_fields: vec!["password", "password_again"],
        },
    )
    .await;
    // A NUL byte in a new password is refused too.
    let response = post(
        &stranger,
        &reset,
        &with(
            &[("password", ""), ("password_again", "")],
            &[
                ("password", "walnut\0lantern ferry".into()),
                ("password_again", "walnut\0lantern ferry".into()),
            ],
        ),
    )
    .await;
    assert_eq!(response.status(), 422);
    // A malformed code is a clear message, not a failed attempt.
    let response = stranger
        .post_form(
            "/forgot",
            &[
                ("name", "Sam"),
                ("code", "<b>not a code</b>"),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("16 letters and digits")
    );
}

#[tokio::test]
async fn hostile_input_on_the_settings_forms_is_refused_with_the_form_back() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    check_hostile_input(
        &app,
        &sam,
        FormUnderTest {
            path: "/settings/password",
            valid: vec![
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
            name_field: None,
            password_fields: vec!["current_password", "password", "password_again"],
        },
    )
    .await;
    let record = app.record_len().await;
    let response = sam
        .post_form(
            "/settings/password",
            &[
                ("current_password", "not my password at all"),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("not your current password"));
    assert!(!page.contains("not my password at all") && !page.contains(NEW_PASSWORD));
    for zone in [
        "",
        "Mars/Olympus",
        "<script>alert(1)</script>",
        "Europe/Berlin\0",
        &"A/".repeat(100),
    ] {
        let response = sam
            .post_form("/settings/time-zone", &[("time_zone", zone)])
            .await;
        assert_eq!(response.status(), 422, "{zone:?}");
        let page = response.text().await.unwrap();
        assert!(page.contains("choose your time zone from the list"));
        assert!(!page.contains("<script>alert(1)"));
    }
    assert_eq!(app.record_len().await, record);
    let response = sam
        .post_raw("/settings/time-zone", b"time_zone=%FF".to_vec())
        .await;
    assert_eq!(response.status(), 400);
    let huge = format!("time_zone={}", "a".repeat(10 * 1024 * 1024));
    assert_eq!(
        sam.post_raw("/settings/time-zone", huge.into_bytes())
            .await
            .status(),
        413
    );
    assert_eq!(app.record_len().await, record);
}
