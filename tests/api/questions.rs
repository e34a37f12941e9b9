//! Questions: the hurt person asks, the one who broke trust answers once,
//! either adds follow-ups; unanswered questions stay visible with how long
//! they have waited. Also the shared helpers of the breach-life tests
//! (actions.rs, trust.rs).

use amends::ledger;

use crate::authorization::snapshot;
use crate::helpers::{Browser, TestApp, location, spawn_app};

/// Sam broke trust (Sam is person 1, Alex person 2 and the one hurt).
pub async fn breach(sam: &Browser) -> i64 {
    let response = sam
        .post_form(
            "/breaches",
            &[
                ("title", "Hid the messages"),
                ("what_happened", "I kept messages from you for two months."),
                ("happened_on", "2026-01-10"),
                ("seriousness", "serious"),
                ("broke_trust", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "recording a breach");
    location(&response)
        .trim_start_matches("/breaches/")
        .parse()
        .expect("breach id")
}

/// A POST that must succeed (303); returns where it went.
pub async fn ok(browser: &Browser, path: &str, fields: &[(&str, &str)]) -> String {
    let response = browser.post_form(path, fields).await;
    let status = response.status();
    let to = if status == 303 {
        location(&response)
    } else {
        String::new()
    };
    assert_eq!(
        status,
        303,
        "POST {path} answered {status}: {}",
        response.text().await.unwrap()
    );
    to
}

/// A POST that must be refused with `status`, changing nothing at all.
pub async fn refused(
    app: &TestApp,
    browser: &Browser,
    path: &str,
    fields: &[(&str, &str)],
    status: u16,
) -> String {
    let before = snapshot(app).await;
    let len = app.record_len().await;
    let response = browser.post_form(path, fields).await;
    assert_eq!(response.status(), status, "POST {path} with {fields:?}");
    let body = response.text().await.unwrap();
    assert_eq!(app.record_len().await, len, "the record is unchanged");
    assert!(snapshot(app).await == before, "nothing changed");
    body
}

pub async fn kinds(app: &TestApp) -> Vec<String> {
    ledger::entries_after(&app.state.db.readers, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

pub async fn last_body(app: &TestApp) -> serde_json::Value {
    let entries = ledger::entries_after(&app.state.db.readers, 0, 10_000)
        .await
        .unwrap();
    serde_json::from_str(&entries.last().unwrap().body).unwrap()
}

/// Whether `<script>` appears escaped in a page, and never raw.
pub fn escaped_script(page: &str) -> bool {
    !page.contains("<script>alert(1)</script>")
        && (page.contains("&lt;script&gt;alert(1)") || page.contains("&#60;script&#62;alert(1)"))
}

fn id_of(to: &str) -> i64 {
    to.trim_start_matches("/questions/")
        .split('#')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn ask(alex: &Browser, breach: i64, text: &str) -> i64 {
    id_of(
        &ok(
            alex,
            &format!("/breaches/{breach}/questions"),
            &[("text", text)],
        )
        .await,
    )
}

#[tokio::test]
async fn the_hurt_person_asks_and_the_one_who_broke_trust_answers_once() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    let q = ask(&alex, id, "Did you reply to them after I asked?").await;
    let body = last_body(&app).await;
    assert_eq!(body["text"], "Did you reply to them after I asked?");
    assert_eq!(body["to"]["name"], "Sam");
    assert_eq!(body["breach"]["title"], "Hid the messages");

    let page = sam.page(&format!("/questions/{q}")).await;
    assert!(page.contains("Did you reply to them after I asked?"));
    assert!(page.contains("Send my answer"));
    let breach_page = sam.page(&format!("/breaches/{id}")).await;
    assert!(
        breach_page.contains("Answer Alex&#39;s question.")
            || breach_page.contains("Answer Alex's question.")
    );
    assert!(breach_page.contains("Waiting for an answer for"));

    ok(
        &sam,
        &format!("/questions/{q}/answer"),
        &[("text", "Yes, once. I am sorry.")],
    )
    .await;
    let body = last_body(&app).await;
    assert_eq!(body["question"], "Did you reply to them after I asked?");
    assert_eq!(body["answer"], "Yes, once. I am sorry.");
    let page = alex.page(&format!("/questions/{q}")).await;
    assert!(page.contains("Yes, once. I am sorry."));
    assert!(!page.contains("Send my answer"));

    // An answer is never edited: not by a second answer, not in the table.
    let conflict = refused(
        &app,
        &sam,
        &format!("/questions/{q}/answer"),
        &[("text", "No.")],
        409,
    )
    .await;
    assert!(conflict.contains("never changed"));
    assert!(
        app.sql("UPDATE questions SET answer = 'No.'")
            .await
            .is_err()
    );
    assert!(
        app.sql("UPDATE questions SET text = 'Other'")
            .await
            .is_err()
    );
    let k = kinds(&app).await;
    assert!(k.contains(&"question.asked".to_string()));
    assert!(k.contains(&"question.answered".to_string()));
}

#[tokio::test]
async fn only_the_hurt_person_asks_and_only_the_other_answers() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    refused(
        &app,
        &sam,
        &format!("/breaches/{id}/questions"),
        &[("text", "Why?")],
        403,
    )
    .await;
    let q = ask(&alex, id, "Why?").await;
    refused(
        &app,
        &alex,
        &format!("/questions/{q}/answer"),
        &[("text", "Because.")],
        403,
    )
    .await;
    // Follow-ups come after the answer, from either person.
    refused(
        &app,
        &alex,
        &format!("/questions/{q}/follow-ups"),
        &[("text", "And?")],
        409,
    )
    .await;
    // No such question or breach.
    refused(&app, &sam, "/questions/999/answer", &[("text", "x")], 404).await;
    refused(
        &app,
        &alex,
        "/breaches/999/questions",
        &[("text", "x")],
        404,
    )
    .await;
    // The ask form is not offered to the one who answers.
    let page = sam.page(&format!("/breaches/{id}/questions")).await;
    assert!(!page.contains("Ask this question"));
}

#[tokio::test]
async fn either_person_adds_follow_ups_in_order() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    let q = ask(&alex, id, "Where were you that night?").await;
    ok(
        &sam,
        &format!("/questions/{q}/answer"),
        &[("text", "At my brother's.")],
    )
    .await;
    ok(
        &alex,
        &format!("/questions/{q}/follow-ups"),
        &[("text", "Until when?")],
    )
    .await;
    ok(
        &sam,
        &format!("/questions/{q}/follow-ups"),
        &[("text", "Until two.")],
    )
    .await;
    let body = last_body(&app).await;
    assert_eq!(body["follow_up"]["number"], 2);
    assert_eq!(body["question"], "Where were you that night?");
    let page = alex.page(&format!("/questions/{q}")).await;
    let first = page.find("Until when?").unwrap();
    let second = page.find("Until two.").unwrap();
    assert!(first < second, "follow-ups are shown in order");
    assert!(
        kinds(&app)
            .await
            .contains(&"question.followed_up".to_string())
    );
}

#[tokio::test]
async fn hostile_or_missing_text_comes_back_with_what_was_typed() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    let ask_path = format!("/breaches/{id}/questions");
    let body = refused(&app, &alex, &ask_path, &[("text", "   ")], 422).await;
    assert!(body.contains("Please write your question."));
    let long = "q".repeat(2001);
    let body = refused(&app, &alex, &ask_path, &[("text", &long)], 422).await;
    assert!(body.contains("the limit is 2000"));
    assert!(body.contains(&long), "the typed text is back");
    let body = refused(&app, &alex, &ask_path, &[("text", "a\0b")], 422).await;
    assert!(body.contains("control characters"));
    // Exactly at the limit is fine; markup is shown as text.
    ok(&alex, &ask_path, &[("text", &"q".repeat(2000))]).await;
    let q = ask(&alex, id, "<script>alert(1)</script> why?").await;
    assert!(escaped_script(&sam.page(&format!("/questions/{q}")).await));
    assert!(escaped_script(&sam.page("/questions").await));
    assert!(escaped_script(&sam.page(&format!("/breaches/{id}")).await));
    assert!(escaped_script(&sam.page("/timeline").await));
    // The answer and the follow-up forms, too.
    let answer_path = format!("/questions/{q}/answer");
    let body = refused(&app, &sam, &answer_path, &[("text", "")], 422).await;
    assert!(body.contains("Please write your answer."));
    let body = refused(
        &app,
        &sam,
        &answer_path,
        &[("text", &"a".repeat(2001))],
        422,
    )
    .await;
    assert!(body.contains(&"a".repeat(2001)));
    ok(&sam, &answer_path, &[("text", "Because.")]).await;
    let body = refused(
        &app,
        &alex,
        &format!("/questions/{q}/follow-ups"),
        &[("text", "x\0")],
        422,
    )
    .await;
    assert!(body.contains("control characters"));
    // A body that is not a form is a bad request.
    let response = alex.post_raw(&ask_path, b"text=%FF".to_vec()).await;
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn a_replayed_question_or_answer_is_recorded_once() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    let key = "0123456789abcdef0123456789abcdef";
    let ask_path = format!("/breaches/{id}/questions");
    let to = ok(&alex, &ask_path, &[("text", "Why?"), ("once", key)]).await;
    let len = app.record_len().await;
    ok(&alex, &ask_path, &[("text", "Why?"), ("once", key)]).await;
    assert_eq!(app.record_len().await, len);
    let q = id_of(&to);
    let key2 = "fedcba9876543210fedcba9876543210";
    ok(
        &sam,
        &format!("/questions/{q}/answer"),
        &[("text", "I was afraid."), ("once", key2)],
    )
    .await;
    let len = app.record_len().await;
    ok(
        &sam,
        &format!("/questions/{q}/answer"),
        &[("text", "I was afraid."), ("once", key2)],
    )
    .await;
    assert_eq!(app.record_len().await, len);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM questions")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn open_questions_say_what_waits_on_whom_and_for_how_long() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    let q = ask(&alex, id, "Do you still talk to them?").await;
    app.advance(3 * 86_400 + 60);
    let now = app.state.clock.now();
    let pool = &app.state.db.readers;
    let for_sam = amends::questions::open_questions(pool, 1, now)
        .await
        .unwrap();
    assert_eq!(for_sam.len(), 1);
    assert!(for_sam[0].waits_on_me);
    assert_eq!(for_sam[0].waited, "3 days");
    assert_eq!(for_sam[0].href, format!("/questions/{q}"));
    assert_eq!(for_sam[0].breach_title, "Hid the messages");
    let for_alex = amends::questions::open_questions(pool, 2, now)
        .await
        .unwrap();
    assert_eq!(for_alex.len(), 1);
    assert!(!for_alex[0].waits_on_me);

    // The check-in agenda lists it, with how long it has waited.
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let agenda = amends::checkins::agenda::agenda(pool, &tz, now)
        .await
        .unwrap();
    assert!(
        agenda
            .iter()
            .any(|i| i.label.contains("3 days ago, not answered yet")
                && i.href == format!("/questions/{q}")),
        "{agenda:?}"
    );
    let alex = crate::trust::sign_in(&app, "Alex").await;
    let list = alex.page("/questions").await;
    assert!(list.contains("waiting 3 days"));

    let sam = crate::trust::sign_in(&app, "Sam").await;
    ok(&sam, &format!("/questions/{q}/answer"), &[("text", "No.")]).await;
    let now = app.state.clock.now();
    assert!(
        amends::questions::open_questions(pool, 1, now)
            .await
            .unwrap()
            .is_empty()
    );
    let agenda = amends::checkins::agenda::agenda(pool, &tz, now)
        .await
        .unwrap();
    assert!(!agenda.iter().any(|i| i.href.starts_with("/questions/")));
}

#[tokio::test]
async fn the_check_in_agenda_lists_apologies_waiting_for_an_answer() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    ok(
        &alex,
        &format!("/breaches/{id}/impact"),
        &[("text", "I stopped sleeping.")],
    )
    .await;
    ok(
        &sam,
        &format!("/breaches/{id}/explanation"),
        &[
            ("what_and_why", "I hid them."),
            ("their_feelings", "Alone."),
        ],
    )
    .await;
    ok(
        &alex,
        &format!("/breaches/{id}/understanding"),
        &[("choice", "understood")],
    )
    .await;
    ok(
        &sam,
        &format!("/breaches/{id}/apology"),
        &[
            ("text", "I am sorry I hid them from you."),
            ("intent", "send"),
            ("took_responsibility", "yes"),
        ],
    )
    .await;
    let pool = &app.state.db.readers;
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let agenda = amends::checkins::agenda::agenda(pool, &tz, app.state.clock.now())
        .await
        .unwrap();
    let item = agenda
        .iter()
        .find(|i| i.kind == amends::checkins::agenda::AgendaKind::ApologyWaiting)
        .expect("the apology is on the agenda");
    assert!(
        item.label
            .contains("Sam's apology about “Hid the messages”"),
        "{}",
        item.label
    );
    assert!(item.label.contains("sealed, until Alex is ready"));
    let page = alex.page(&item.href).await;
    assert!(page.contains("apology") || page.contains("Apology"));
}

#[tokio::test]
async fn the_overall_list_pages_answered_questions_by_keyset() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    for n in 0..22 {
        let q = ask(&alex, id, &format!("Question number {n}?")).await;
        ok(
            &sam,
            &format!("/questions/{q}/answer"),
            &[("text", "Answered.")],
        )
        .await;
    }
    let first = alex.page("/questions").await;
    assert!(first.contains("Question number 21?"));
    assert!(!first.contains("Question number 1?"));
    let start = first.find("/questions?before=").unwrap();
    let href: String = first[start..].chars().take_while(|c| *c != '"').collect();
    let second = alex.page(&href).await;
    assert!(second.contains("Question number 1?"));
    assert!(second.contains("Question number 0?"));
    assert!(!second.contains("Question number 21?"));
    assert_eq!(alex.get("/questions?before=x").await.status(), 400);
}
