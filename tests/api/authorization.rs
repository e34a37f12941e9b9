//! The authorization matrix. It walks `amends::app::routes()`, the same table
//! that builds the router, so a route added later is covered without anyone
//! editing this file: signed out, a page sends the browser to sign in and a
//! change is refused with 401; a cross-site POST to any route is refused
//! with 403, signed out and signed in; and nothing in the database changes.

use amends::app::{Access, routes};
use axum::http::Method;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::helpers::{TestApp, location, spawn_app};

/// Every route of the table except the test-only ones, with each path
/// parameter replaced by `1`.
fn table() -> Vec<(Method, Access, String)> {
    routes()
        .into_iter()
        .filter(|route| !route.path.starts_with("/_test/"))
        .map(|route| (route.method, route.access, concrete(route.path)))
        .collect()
}

fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push('1');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// Every table's row count and full contents: if this is equal before and
/// after a request, the request changed nothing at all.
pub async fn snapshot(app: &TestApp) -> Vec<(String, i64, String)> {
    let pool = &app.state.db.readers;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = Vec::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        )))
        .fetch_all(pool)
        .await
        .unwrap();
        let row = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        let (count, content): (i64, Option<String>) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*), group_concat({row}, ';') FROM \"{table}\""
        )))
        .fetch_one(pool)
        .await
        .unwrap();
        out.push((table, count, content.unwrap_or_default()));
    }
    out
}

#[tokio::test]
async fn the_table_holds_the_account_routes() {
    let paths: Vec<String> = table().into_iter().map(|(_, _, p)| p).collect();
    for expected in [
        "/login",
        "/forgot",
        "/settings",
        "/recovery-codes",
        "/reset/1",
    ] {
        assert!(paths.iter().any(|p| p == expected), "{expected} missing");
    }
}

#[tokio::test]
async fn signed_out_every_page_redirects_to_sign_in_and_every_change_is_refused() {
    let app = spawn_app().await;
    let (_sam, _alex) = app.pair().await;
    let stranger = app.browser();
    let before = snapshot(&app).await;
    let mut checked = 0;
    for (method, access, path) in table() {
        if access != Access::SignedIn {
            continue;
        }
        checked += 1;
        if method == Method::GET {
            let response = stranger.get(&path).await;
            assert_eq!(response.status(), 303, "GET {path} signed out");
            let next = utf8_percent_encode(&path, NON_ALPHANUMERIC).to_string();
            assert_eq!(
                location(&response),
                format!("/login?next={next}"),
                "GET {path}"
            );
        } else {
            let response = stranger
                .post_form(&path, &[("once", "0123456789abcdef0123456789abcdef")])
                .await;
            assert_eq!(response.status(), 401, "POST {path} signed out");
            assert!(
                response.text().await.unwrap().contains("Please sign in"),
                "POST {path}: the 401 page"
            );
        }
        assert_eq!(
            snapshot(&app).await,
            before,
            "{method} {path} changed something"
        );
    }
    assert!(checked >= 8, "only {checked} signed-in routes found");
}

#[tokio::test]
async fn a_cross_site_post_to_any_route_is_refused_signed_out_and_signed_in() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let stranger = app.browser();
    let before = snapshot(&app).await;
    let posts: Vec<String> = table()
        .into_iter()
        .filter(|(method, _, _)| *method == Method::POST)
        .map(|(_, _, path)| path)
        .collect();
    assert!(posts.len() >= 12, "only {} POST routes", posts.len());
    for path in &posts {
        for (who, browser) in [("signed out", &stranger), ("signed in", &sam)] {
            let fields = [
                ("name", "Mallory"),
                ("password", "correct walnut lantern ferry"),
                ("password_again", "correct walnut lantern ferry"),
                ("current_password", "correct walnut lantern ferry"),
                ("time_zone", "Asia/Tokyo"),
                ("code", "2345-6789-abcd-efgh"),
            ];
            let response = browser.post_cross_site(path, &fields).await;
            assert_eq!(response.status(), 403, "cross-site POST {path} {who}");
            assert!(
                response.text().await.unwrap().contains("another site"),
                "POST {path} {who}: the 403 page"
            );
            assert_eq!(
                snapshot(&app).await,
                before,
                "cross-site POST {path} {who} changed something"
            );
        }
    }
    // Sam is still signed in: even the cross-site sign-out did nothing.
    assert!(sam.page("/settings").await.contains("Settings"));
}
