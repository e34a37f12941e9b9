//! Visible repair actions: the one who broke trust writes down what they did;
//! the other marks "I saw this", with an optional word. Unseen ones show as
//! such.

use crate::helpers::spawn_app;
use crate::questions::{breach, escaped_script, kinds, last_body, ok, refused};

async fn request(
    app: &crate::helpers::TestApp,
    alex: &crate::helpers::Browser,
    sam: &crate::helpers::Browser,
    id: i64,
) -> i64 {
    ok(
        alex,
        &format!("/breaches/{id}/impact"),
        &[("text", "It hurt.")],
    )
    .await;
    ok(
        sam,
        &format!("/breaches/{id}/explanation"),
        &[
            ("what_and_why", "I hid them."),
            ("their_feelings", "Alone."),
        ],
    )
    .await;
    ok(
        alex,
        &format!("/breaches/{id}/understanding"),
        &[("choice", "understood")],
    )
    .await;
    ok(sam, &format!("/breaches/{id}/ask"), &[]).await;
    ok(
        alex,
        &format!("/breaches/{id}/requests"),
        &[("text", "Show me your messages on Sundays")],
    )
    .await;
    sqlx::query_scalar("SELECT MAX(id) FROM repair_requests")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_action_is_logged_shown_as_unseen_then_seen_with_a_word() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    let rid = request(&app, &alex, &sam, id).await;
    let path = format!("/breaches/{id}/actions");
    let rid_text = rid.to_string();
    ok(
        &sam,
        &path,
        &[
            ("what", "I showed Alex my phone without being asked."),
            ("done_on", ""),
            ("request", &rid_text),
        ],
    )
    .await;
    let body = last_body(&app).await;
    assert_eq!(body["what"], "I showed Alex my phone without being asked.");
    assert_eq!(body["request"]["text"], "Show me your messages on Sundays");
    assert!(body["commitment"].is_null());
    let today = jiff::Timestamp::now(); // the server clock is not moved here
    let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    assert_eq!(body["done_on"], today.to_zoned(berlin).date().to_string());
    let aid: i64 = sqlx::query_scalar("SELECT id FROM repair_actions")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    let commitment: Option<i64> = sqlx::query_scalar("SELECT commitment_id FROM repair_actions")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    assert_eq!(commitment, None);

    for page in [
        alex.page("/actions").await,
        alex.page(&path).await,
        alex.page(&format!("/breaches/{id}")).await,
    ] {
        assert!(page.contains("I showed Alex my phone"));
        assert!(page.contains("Not marked as seen yet"));
    }
    let on_breach = alex.page(&format!("/breaches/{id}")).await;
    assert!(on_breach.contains("See what Sam did to repair this"));

    ok(
        &alex,
        &format!("/actions/{aid}/seen"),
        &[("word", "Thank you. It helped.")],
    )
    .await;
    let body = last_body(&app).await;
    assert_eq!(body["word"], "Thank you. It helped.");
    assert_eq!(body["what"], "I showed Alex my phone without being asked.");
    let page = sam.page(&format!("/actions/{aid}")).await;
    assert!(page.contains("Alex saw this"));
    assert!(page.contains("Thank you. It helped."));
    assert!(
        !sam.page("/actions")
            .await
            .contains("Not marked as seen yet")
    );
    // Seen once; a second time changes nothing.
    refused(
        &app,
        &alex,
        &format!("/actions/{aid}/seen"),
        &[("word", "")],
        409,
    )
    .await;
    let k = kinds(&app).await;
    assert!(k.contains(&"action.logged".to_string()) && k.contains(&"action.seen".to_string()));
    let timeline = alex.page("/timeline?category=actions").await;
    assert!(timeline.contains("Sam did something to repair trust"));
    assert!(timeline.contains("Alex saw what Sam did to repair trust"));
    assert!(timeline.contains(&format!("/actions/{aid}")));
}

#[tokio::test]
async fn only_the_one_who_broke_trust_logs_and_only_the_other_marks_seen() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    let path = format!("/breaches/{id}/actions");
    refused(
        &app,
        &alex,
        &path,
        &[("what", "I did it for Sam."), ("done_on", "")],
        403,
    )
    .await;
    ok(
        &sam,
        &path,
        &[("what", "I called when I said I would."), ("done_on", "")],
    )
    .await;
    let aid: i64 = sqlx::query_scalar("SELECT id FROM repair_actions")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    refused(
        &app,
        &sam,
        &format!("/actions/{aid}/seen"),
        &[("word", "")],
        403,
    )
    .await;
    refused(&app, &alex, "/actions/999/seen", &[("word", "")], 404).await;
    assert!(
        !alex
            .page(&path)
            .await
            .contains("Write down something you did")
    );
}

#[tokio::test]
async fn hostile_or_impossible_input_comes_back_with_what_was_typed() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    let other = breach(&sam).await;
    let rid = request(&app, &alex, &sam, other).await;
    let path = format!("/breaches/{id}/actions");
    let body = refused(&app, &sam, &path, &[("what", ""), ("done_on", "")], 422).await;
    assert!(body.contains("Please write what you did."));
    let long = "w".repeat(2001);
    let body = refused(&app, &sam, &path, &[("what", &long), ("done_on", "")], 422).await;
    assert!(body.contains(&long));
    let body = refused(
        &app,
        &sam,
        &path,
        &[("what", "Called\0"), ("done_on", "")],
        422,
    )
    .await;
    assert!(body.contains("control characters"));
    let body = refused(
        &app,
        &sam,
        &path,
        &[("what", "Called."), ("done_on", "2999-01-01")],
        422,
    )
    .await;
    assert!(body.contains("has not come yet"));
    assert!(body.contains("2999-01-01"), "the typed date is back");
    let body = refused(
        &app,
        &sam,
        &path,
        &[("what", "Called."), ("done_on", "yesterday")],
        422,
    )
    .await;
    assert!(body.contains("like 2026-03-14"));
    // A request of another breach, or none that exists, is not accepted.
    let rid_text = rid.to_string();
    let body = refused(
        &app,
        &sam,
        &path,
        &[("what", "Called."), ("done_on", ""), ("request", &rid_text)],
        422,
    )
    .await;
    assert!(body.contains("Please choose one of the requests"));
    assert!(body.contains("Called."));
    refused(
        &app,
        &sam,
        &path,
        &[("what", "Called."), ("done_on", ""), ("request", "x")],
        422,
    )
    .await;
    // An earlier day is fine; markup is shown as text.
    ok(
        &sam,
        &path,
        &[
            ("what", "<script>alert(1)</script>"),
            ("done_on", "2026-01-12"),
        ],
    )
    .await;
    assert!(escaped_script(&alex.page("/actions").await));
    assert!(escaped_script(&alex.page(&format!("/breaches/{id}")).await));
    let aid: i64 = sqlx::query_scalar("SELECT id FROM repair_actions")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    let body = refused(
        &app,
        &alex,
        &format!("/actions/{aid}/seen"),
        &[("word", &"x".repeat(2001))],
        422,
    )
    .await;
    assert!(body.contains("the limit is 2000"));
}

#[tokio::test]
async fn a_replayed_action_or_seen_is_recorded_once() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    let key = "00112233445566778899aabbccddeeff";
    let path = format!("/breaches/{id}/actions");
    let fields = [("what", "I cooked."), ("done_on", ""), ("once", key)];
    ok(&sam, &path, &fields).await;
    let len = app.record_len().await;
    ok(&sam, &path, &fields).await;
    assert_eq!(app.record_len().await, len);
    let aid: i64 = sqlx::query_scalar("SELECT id FROM repair_actions")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    let key2 = "ffeeddccbbaa99887766554433221100";
    ok(
        &alex,
        &format!("/actions/{aid}/seen"),
        &[("word", ""), ("once", key2)],
    )
    .await;
    let len = app.record_len().await;
    ok(
        &alex,
        &format!("/actions/{aid}/seen"),
        &[("word", ""), ("once", key2)],
    )
    .await;
    assert_eq!(app.record_len().await, len);
}
