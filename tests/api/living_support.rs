//! Small helpers shared by the "Living it" tests (timeline, noticed, check-ins).

use amends::ledger;
use regex::Regex;

use crate::helpers::TestApp;

/// The first form key (`once`) on a page.
pub fn once(page: &str) -> String {
    let re = Regex::new(r#"name="once" value="([0-9a-f]{32})""#).unwrap();
    re.captures(page).expect("a once key on the page")[1].to_string()
}

/// Every form key on a page, in order.
pub fn onces(page: &str) -> Vec<String> {
    let re = Regex::new(r#"name="once" value="([0-9a-f]{32})""#).unwrap();
    re.captures_iter(page).map(|c| c[1].to_string()).collect()
}

/// Writes a record entry directly, as another feature would.
pub async fn append(
    app: &TestApp,
    author: Option<i64>,
    kind: &str,
    subject: &str,
    body: serde_json::Value,
) -> i64 {
    let mut tx = app.state.db.begin_write().await.unwrap();
    let entry = ledger::append(&mut tx, &app.state.clock, author, kind, subject, &body)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    entry.seq
}

/// Undoes the HTML escaping of an attribute value (for following links).
pub fn unescape(href: &str) -> String {
    href.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#61;", "=")
        .replace("&#35;", "#")
        .replace("&#47;", "/")
}

/// The pair's today (Europe/Berlin in the tests) at the server's clock.
pub fn today(app: &TestApp) -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    app.state.clock.now().to_zoned(tz).date()
}

/// Moves the clock forward by whole days in steps short enough that the
/// browsers' sessions (12 hours idle) stay signed in.
pub async fn advance_days(app: &TestApp, browsers: &[&crate::helpers::Browser], days: i64) {
    for _ in 0..days * 3 {
        app.advance(8 * 3600);
        for browser in browsers {
            browser.page("/timeline?category=questions").await;
        }
    }
}
