//! The web shell: health, headers on every kind of answer, error pages,
//! body limits and malformed forms.

use crate::helpers::{location, spawn_app};

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn assert_security_headers(response: &reqwest::Response) {
    let h = response.headers();
    assert_eq!(h["content-security-policy"], CSP);
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
}

#[tokio::test]
async fn health_reports_the_database_and_the_entry_count() {
    let app = spawn_app().await;
    let response = app.browser().get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["database"], "ok");
    assert_eq!(body["entries"], 0);
}

#[tokio::test]
async fn health_answers_503_when_the_database_cannot_be_read() {
    let app = spawn_app().await;
    app.state.db.readers.close().await;
    let response = app.browser().get("/healthz").await;
    assert_eq!(response.status(), 503);
}

#[tokio::test]
async fn the_home_page_waits_for_the_first_person() {
    let app = spawn_app().await;
    let response = app.browser().get("/").await;
    assert_eq!(response.status(), 200);
    assert_security_headers(&response);
    let body = response.text().await.unwrap();
    assert!(body.contains("waiting for its first person"));
    assert!(body.contains("setup link"));
}

#[tokio::test]
async fn a_404_is_a_page_in_the_layout_with_the_headers() {
    let app = spawn_app().await;
    let response = app.browser().get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    assert_security_headers(&response);
    let body = response.text().await.unwrap();
    assert!(body.contains("<main"));
    assert!(body.contains("Nothing here"));
}

#[tokio::test]
async fn a_500_is_a_plain_page_with_the_headers_and_no_detail() {
    let app = spawn_app().await;
    let response = app.browser().get("/_test/error").await;
    assert_eq!(response.status(), 500);
    assert_security_headers(&response);
    let body = response.text().await.unwrap();
    assert!(body.contains("Something went wrong on the server"));
    assert!(
        !body.contains("asked for by a test"),
        "the cause stays in the log"
    );
}

#[tokio::test]
async fn static_files_are_versioned_and_cached() {
    let app = spawn_app().await;
    let page = app.browser().page("/").await;
    let start = page.find("/static/css/app.css?v=").unwrap();
    let end = page[start..].find('"').unwrap();
    let url = &page[start..start + end];
    let response = app.browser().get(url).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let etag = response.headers()["etag"].clone();
    let again = app
        .browser()
        .client
        .get(app.browser().url(url))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn a_body_over_the_limit_gets_the_413_page() {
    let app = spawn_app().await;
    let path = app.setup_path().await;
    let huge = format!("name={}", "a".repeat(10 * 1024 * 1024));
    let response = app.browser().post_raw(&path, huge.into_bytes()).await;
    assert_eq!(response.status(), 413);
    assert_security_headers(&response);
    assert!(response.text().await.unwrap().contains("too large"));
    assert_eq!(app.record_len().await, 0);
}

#[tokio::test]
async fn a_malformed_form_gets_a_clear_400_page() {
    let app = spawn_app().await;
    let path = app.setup_path().await;
    let response = app
        .browser()
        .post_raw(&path, b"name=%FF%FE&password=x".to_vec())
        .await;
    assert_eq!(response.status(), 400);
    let body = response.text().await.unwrap();
    assert!(body.contains("not valid UTF-8"));
    assert!(body.contains("<main"));
    assert_eq!(app.record_len().await, 0);
}

#[tokio::test]
async fn a_cross_site_post_is_refused_with_a_page() {
    let app = spawn_app().await;
    let path = app.setup_path().await;
    let response = app
        .browser()
        .post_cross_site(&path, &[("name", "Mallory")])
        .await;
    assert_eq!(response.status(), 403);
    assert_security_headers(&response);
    assert!(response.text().await.unwrap().contains("another site"));
    assert_eq!(app.record_len().await, 0);
}

#[tokio::test]
async fn signed_out_pages_redirect_to_sign_in_with_a_local_next() {
    let app = spawn_app().await;
    let response = app.browser().get("/invite?x=1").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login?next=%2Finvite%3Fx%3D1");
}
