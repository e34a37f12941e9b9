//! The repair path: naming a breach, understanding it, the apology, asking
//! and committing to repair; each step by the right person only, once.

use amends::ledger::{self, Verdict};

use crate::helpers::{Browser, TestApp, location, spawn_app};

const THREE_DAYS: i64 = 3 * 24 * 3600;

/// Records a breach as `by`, naming `broke_trust` (1 = Sam, 2 = Alex).
async fn record_breach(by: &Browser, broke_trust: &str, first_telling: bool) -> i64 {
    let mut fields = vec![
        ("title", "Hid the messages"),
        ("what_happened", "I kept messages from you for two months."),
        ("happened_on", "2026-01-10"),
        ("seriousness", "serious"),
        ("broke_trust", broke_trust),
    ];
    if first_telling {
        fields.push(("first_telling", "yes"));
    }
    let response = by.post_form("/breaches", &fields).await;
    assert_eq!(response.status(), 303, "recording a breach redirects");
    let to = location(&response);
    to.trim_start_matches("/breaches/")
        .parse()
        .expect("breach id")
}

/// Whether `<tag>text` appears HTML-escaped (either entity style).
fn escaped(page: &str, tag: &str, text: &str) -> bool {
    page.contains(&format!("&lt;{tag}&gt;{text}"))
        || page.contains(&format!("&#60;{tag}&#62;{text}"))
}

/// Signs `name` in again (sessions end when the clock jumps days ahead).
async fn sign_in(app: &TestApp, name: &str) -> Browser {
    let browser = app.browser();
    let response = browser
        .post_form(
            "/login",
            &[
                ("name", name),
                ("password", crate::helpers::PASSWORD),
                ("remember", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "signing in again");
    browser
}

fn at(id: i64, step: &str) -> String {
    format!("/breaches/{id}/{step}")
}

async fn ok(browser: &Browser, path: &str, fields: &[(&str, &str)]) {
    let response = browser.post_form(path, fields).await;
    let status = response.status();
    assert_eq!(
        status,
        303,
        "POST {path} answered {status}: {}",
        response.text().await.unwrap()
    );
}

/// Sam broke trust and owns up; Alex writes their side; one round, understood.
async fn understood_breach(app: &TestApp) -> (Browser, Browser, i64) {
    let (sam, alex) = app.pair().await;
    let id = record_breach(&sam, "1", false).await;
    ok(&alex, &at(id, "impact"), &[("text", "I stopped sleeping.")]).await;
    ok(
        &sam,
        &at(id, "explanation"),
        &[
            ("what_and_why", "I hid them."),
            ("their_feelings", "Alone."),
        ],
    )
    .await;
    ok(&alex, &at(id, "understanding"), &[("choice", "understood")]).await;
    (sam, alex, id)
}

async fn send_apology(sam: &Browser, id: i64, text: &str) {
    ok(
        sam,
        &at(id, "apology"),
        &[
            ("text", text),
            ("intent", "send"),
            ("took_responsibility", "yes"),
        ],
    )
    .await;
}

async fn latest_apology_id(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT MAX(id) FROM apologies")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap()
}

async fn kinds(app: &TestApp) -> Vec<String> {
    ledger::entries_after(&app.state.db.readers, 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

async fn last_body(app: &TestApp) -> serde_json::Value {
    let entries = ledger::entries_after(&app.state.db.readers, 0, 1000)
        .await
        .unwrap();
    serde_json::from_str(&entries.last().unwrap().body).unwrap()
}

#[tokio::test]
async fn a_breach_is_recorded_with_its_full_text_and_listed_as_open() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let before = app.record_len().await;
    let id = record_breach(&sam, "1", true).await;
    assert_eq!(app.record_len().await, before + 1);
    let body = last_body(&app).await;
    assert_eq!(
        body["what_happened"],
        "I kept messages from you for two months."
    );
    assert_eq!(body["broke_trust"]["name"], "Sam");
    assert_eq!(body["hurt"]["name"], "Alex");
    assert_eq!(body["first_telling"], true);
    let list = alex.page("/breaches").await;
    assert!(list.contains("Hid the messages"));
    assert!(list.contains("Open"));
    assert!(list.contains("Sam broke Alex&#39;s trust") || list.contains("Sam broke Alex's trust"));
    let page = alex.page(&format!("/breaches/{id}")).await;
    assert!(page.contains("Sam broke trust here; you were hurt."));
    assert!(page.contains("Yes, this is the first I heard of it"));
}

#[tokio::test]
async fn a_first_telling_shows_as_owned_up_first_only_once_confirmed() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = record_breach(&sam, "1", true).await;
    let page = sam.page(&format!("/breaches/{id}")).await;
    assert!(!page.contains("owned up first"));
    ok(&alex, &at(id, "disclosure"), &[("choice", "confirmed")]).await;
    let page = sam.page(&format!("/breaches/{id}")).await;
    assert!(page.contains("Sam owned up first"));
    assert!(
        kinds(&app)
            .await
            .contains(&"breach.disclosure_confirmed".to_string())
    );

    let other = record_breach(&sam, "1", true).await;
    ok(
        &alex,
        &at(other, "disclosure"),
        &[("choice", "already_knew")],
    )
    .await;
    let page = sam.page(&format!("/breaches/{other}")).await;
    assert!(!page.contains("owned up first"));
    assert!(page.contains("answered that they already knew"));
    // Answered once: a second answer changes nothing.
    let len = app.record_len().await;
    let again = alex
        .post_form(&at(other, "disclosure"), &[("choice", "confirmed")])
        .await;
    assert_eq!(again.status(), 409);
    assert_eq!(app.record_len().await, len);
}

#[tokio::test]
async fn a_first_telling_cannot_be_claimed_for_the_other_person() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let before = app.record_len().await;
    let response = sam
        .post_form(
            "/breaches",
            &[
                ("title", "Late again"),
                ("what_happened", "Alex was late."),
                ("happened_on", "2026-01-10"),
                ("seriousness", "lapse"),
                ("broke_trust", "2"),
                ("first_telling", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("Only Alex can say"));
    assert!(
        body.contains("Alex was late."),
        "the form comes back filled in"
    );
    assert_eq!(app.record_len().await, before);
}

#[tokio::test]
async fn hostile_or_broken_breach_forms_come_back_with_messages_and_nothing_is_written() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let before = app.record_len().await;
    let long_title = "t".repeat(201);
    let long_text = "w".repeat(20_001);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], "Please write a short title."),
        (vec![("title", long_title.as_str())], "the limit is 200"),
        (
            vec![("title", "ok"), ("what_happened", long_text.as_str())],
            "the limit is 20000",
        ),
        (vec![("title", "a\u{0}b")], "invisible control characters"),
        (
            vec![("title", "ok"), ("happened_on", "not a date")],
            "Please give the date it happened",
        ),
        (
            vec![("title", "ok"), ("happened_on", "2999-01-01")],
            "in the future",
        ),
        (
            vec![("title", "ok"), ("seriousness", "catastrophic")],
            "how serious",
        ),
        (
            vec![("title", "ok"), ("broke_trust", "3")],
            "who broke trust",
        ),
    ];
    for (fields, message) in cases {
        let response = sam.post_form("/breaches", &fields).await;
        assert_eq!(response.status(), 422, "{fields:?}");
        let body = response.text().await.unwrap();
        assert!(body.contains(message), "{message:?} for {fields:?}");
    }
    // A script is text like any other: stored, and shown escaped.
    let response = sam
        .post_form(
            "/breaches",
            &[
                ("title", "<script>alert(1)</script>"),
                ("what_happened", "<img src=x onerror=alert(1)>"),
                ("happened_on", "2026-01-10"),
                ("seriousness", "lapse"),
                ("broke_trust", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.record_len().await, before + 1);
    let page = sam.page(&location(&response)).await;
    assert!(!page.contains("<script>alert(1)"));
    assert!(escaped(&page, "script", "alert(1)"));
    assert!(!page.contains("<img src=x"));
    // Invalid UTF-8 is refused as a whole.
    let raw = sam
        .post_raw("/breaches", b"title=%FF%FE&what_happened=x".to_vec())
        .await;
    assert_eq!(raw.status(), 400);
    assert_eq!(app.record_len().await, before + 1);
}

#[tokio::test]
async fn i_see_it_differently_is_for_the_one_named_when_the_other_recorded_it() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    // Alex records that Sam broke trust.
    let id = record_breach(&alex, "1", false).await;
    let len = app.record_len().await;
    let wrong = alex
        .post_form(&at(id, "other-view"), &[("text", "Mine")])
        .await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(app.record_len().await, len);
    ok(
        &sam,
        &at(id, "other-view"),
        &[("text", "I remember it otherwise.")],
    )
    .await;
    let page = alex.page(&format!("/breaches/{id}")).await;
    assert!(page.contains("How Sam sees it"));
    assert!(page.contains("I remember it otherwise."));
    assert!(
        page.contains("I kept messages from you"),
        "both accounts stay"
    );
    assert_eq!(last_body(&app).await["text"], "I remember it otherwise.");
    // A breach Sam recorded about themself has no "other view".
    let own = record_breach(&sam, "1", false).await;
    let response = sam
        .post_form(&at(own, "other-view"), &[("text", "x")])
        .await;
    assert_eq!(response.status(), 409);
}

#[tokio::test]
async fn understanding_goes_round_until_the_hurt_person_says_yes_and_every_round_stays() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = record_breach(&sam, "1", false).await;
    // Sam's side follows Alex's.
    let early = sam
        .post_form(
            &at(id, "explanation"),
            &[("what_and_why", "x"), ("their_feelings", "y")],
        )
        .await;
    assert_eq!(early.status(), 409);
    ok(
        &alex,
        &at(id, "impact"),
        &[("text", "I felt foolish and alone.")],
    )
    .await;
    ok(
        &sam,
        &at(id, "explanation"),
        &[("what_and_why", "First try."), ("their_feelings", "Angry.")],
    )
    .await;
    // "Not yet" needs a note.
    let response = alex
        .post_form(&at(id, "understanding"), &[("choice", "not_yet")])
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("what is still missing")
    );
    ok(
        &alex,
        &at(id, "understanding"),
        &[
            ("choice", "not_yet"),
            ("note", "It was the shame more than anger."),
        ],
    )
    .await;
    // The form for round two starts from round one and shows the note.
    let form = sam.page(&at(id, "explanation")).await;
    assert!(form.contains("First try."));
    assert!(form.contains("It was the shame more than anger."));
    ok(
        &sam,
        &at(id, "explanation"),
        &[
            ("what_and_why", "Second try."),
            ("their_feelings", "Ashamed."),
        ],
    )
    .await;
    ok(&alex, &at(id, "understanding"), &[("choice", "understood")]).await;
    let page = sam.page(&format!("/breaches/{id}")).await;
    let one = page.find("Round 1").unwrap();
    let two = page.find("Round 2").unwrap();
    assert!(one < two);
    assert!(page.contains("First try.") && page.contains("Second try."));
    assert!(page.contains("Yes, you understand."));
    let kinds = kinds(&app).await;
    for kind in [
        "understanding.impact_written",
        "understanding.explained",
        "understanding.answered",
    ] {
        assert!(kinds.contains(&kind.to_string()), "{kind}");
    }
    // Understood: no further round.
    assert_eq!(sam.get(&at(id, "explanation")).await.status(), 409);
}

#[tokio::test]
async fn the_apology_preview_shows_hints_and_a_dismissed_hint_goes_away() {
    let app = spawn_app().await;
    let (sam, _alex, id) = understood_breach(&app).await;
    let len = app.record_len().await;
    let text = "I am sorry, but I was so stressed. I lied to you and it hurt you.";
    let response = sam
        .post_form(&at(id, "apology"), &[("text", text), ("intent", "preview")])
        .await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("hint-mark"));
    assert!(page.contains("Justifying"));
    assert!(page.contains("Send to Alex, sealed"));
    // Dismissing every hint shown (by its button) leaves none.
    let rule = page
        .split("name=\"dismiss\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let response = sam
        .post_form(
            &at(id, "apology"),
            &[("text", text), ("intent", "preview"), ("dismiss", &rule)],
        )
        .await;
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!("name=\"dismissed\" value=\"{rule}\"")));
    assert!(!page.contains(&format!("name=\"dismiss\" value=\"{rule}\"")));
    // Previews save nothing; a sincere text has no hints.
    let sincere = sam
        .post_form(
            &at(id, "apology"),
            &[
                (
                    "text",
                    "I lied to you. It was wrong, and I will show you the messages.",
                ),
                ("intent", "preview"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(sincere.contains("No hints for this text"));
    assert_eq!(app.record_len().await, len);
}

#[tokio::test]
async fn an_apology_arrives_sealed_is_opened_and_answered_and_not_ready_holds_the_next_for_three_days()
 {
    let app = spawn_app().await;
    let (sam, alex, id) = understood_breach(&app).await;
    send_apology(
        &sam,
        id,
        "I lied to you, and I am sorry. I will show you everything.",
    )
    .await;
    let sent = last_body(&app).await;
    assert_eq!(
        sent["text"],
        "I lied to you, and I am sorry. I will show you everything."
    );
    assert_eq!(sent["checklist"]["took_responsibility"], true);
    assert_eq!(sent["checklist"]["named_harm"], false);
    let apology = latest_apology_id(&app).await;
    // Sealed: Alex sees that it waits, not what it says.
    let page = alex.page(&format!("/breaches/{id}")).await;
    assert!(page.contains("Open the apology"));
    assert!(!page.contains("I will show you everything"));
    let page = alex
        .page(&format!("/breaches/{id}/apologies/{apology}"))
        .await;
    assert!(!page.contains("I will show you everything"));
    // Answering before opening is not possible.
    let early = alex
        .post_form(
            &format!("/breaches/{id}/apologies/{apology}/answer"),
            &[("choice", "accepted")],
        )
        .await;
    assert_eq!(early.status(), 409);
    ok(
        &alex,
        &format!("/breaches/{id}/apologies/{apology}/open"),
        &[],
    )
    .await;
    assert_eq!(kinds(&app).await.last().unwrap(), "apology.opened");
    let page = alex
        .page(&format!("/breaches/{id}/apologies/{apology}"))
        .await;
    assert!(page.contains("I will show you everything"));
    // Sam sees it was opened.
    assert!(
        sam.page(&format!("/breaches/{id}"))
            .await
            .contains("Opened on")
    );
    ok(
        &alex,
        &format!("/breaches/{id}/apologies/{apology}/answer"),
        &[("choice", "not_ready"), ("note", "I need some time.")],
    )
    .await;
    let answered = last_body(&app).await;
    assert_eq!(answered["answer"], "not_ready");
    assert_eq!(answered["note"], "I need some time.");

    // The hold: shown, and a send is refused with the text kept.
    let page = sam.page(&format!("/breaches/{id}")).await;
    assert!(page.contains("a new one can be sent from"));
    let len = app.record_len().await;
    let response = sam
        .post_form(
            &at(id, "apology"),
            &[("text", "A second apology."), ("intent", "send")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("not ready yet"));
    assert!(body.contains("A second apology."));
    assert_eq!(app.record_len().await, len);

    app.advance(THREE_DAYS + 60);
    let sam = sign_in(&app, "Sam").await;
    let page = sam.page(&format!("/breaches/{id}")).await;
    assert!(!page.contains("a new one can be sent from"));
    assert!(page.contains("Write a new apology"));
    send_apology(&sam, id, "A second apology.").await;
    assert_eq!(app.record_len().await, len + 1);
    // The first one is unchanged.
    let first: String = sqlx::query_scalar("SELECT text FROM apologies WHERE id = ?")
        .bind(apology)
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    assert_eq!(
        first,
        "I lied to you, and I am sorry. I will show you everything."
    );
}

#[tokio::test]
async fn a_new_apology_waits_while_the_last_one_is_unanswered() {
    let app = spawn_app().await;
    let (sam, _alex, id) = understood_breach(&app).await;
    send_apology(&sam, id, "I am sorry.").await;
    let len = app.record_len().await;
    let response = sam
        .post_form(
            &at(id, "apology"),
            &[("text", "Again."), ("intent", "send")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("still waiting"));
    assert_eq!(app.record_len().await, len);
}

#[tokio::test]
async fn asking_then_requests_each_listed_as_not_in_an_agreement_yet() {
    let app = spawn_app().await;
    let (sam, alex, id) = understood_breach(&app).await;
    // Requests answer the question, so they wait for it.
    assert_eq!(
        alex.post_form(&at(id, "requests"), &[("text", "x")])
            .await
            .status(),
        409
    );
    ok(&sam, &at(id, "ask"), &[("note", "Anything at all.")]).await;
    let body = last_body(&app).await;
    assert_eq!(body["question"], "What can I do to regain your trust?");
    assert_eq!(body["note"], "Anything at all.");
    ok(
        &alex,
        &at(id, "requests"),
        &[("text", "Show me your phone when I ask.")],
    )
    .await;
    ok(
        &alex,
        &at(id, "requests"),
        &[("text", "Tell me first, always.")],
    )
    .await;
    assert_eq!(last_body(&app).await["text"], "Tell me first, always.");
    let page = sam.page(&format!("/breaches/{id}")).await;
    assert!(page.contains("Show me your phone when I ask."));
    assert_eq!(page.matches("Not in an agreement yet").count(), 2);
    // A request is short: over 200 characters comes back.
    let long = "r".repeat(201);
    let response = alex
        .post_form(&at(id, "requests"), &[("text", &long)])
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains(&long));
    // Asked once.
    assert_eq!(sam.post_form(&at(id, "ask"), &[]).await.status(), 409);
}

#[tokio::test]
async fn committing_to_repair_begins_only_when_both_confirm_and_either_can_step_away() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = record_breach(&sam, "1", false).await;
    ok(&alex, &at(id, "repair/propose"), &[]).await;
    // The proposer cannot confirm their own proposal.
    let len = app.record_len().await;
    assert_eq!(
        alex.post_form(&at(id, "repair/confirm"), &[])
            .await
            .status(),
        403
    );
    assert_eq!(app.record_len().await, len);
    ok(
        &sam,
        &at(id, "repair/not-now"),
        &[("note", "After the holidays.")],
    )
    .await;
    assert_eq!(last_body(&app).await["note"], "After the holidays.");
    assert!(alex.page("/breaches").await.contains("Open"));
    ok(&sam, &at(id, "repair/propose"), &[]).await;
    ok(&alex, &at(id, "repair/confirm"), &[]).await;
    let list = alex.page("/breaches").await;
    assert!(list.contains("Being repaired"));
    let page = sam.page(&format!("/breaches/{id}")).await;
    assert!(page.contains("The repair is under way"));
    assert!(page.contains("said not now"));
    assert!(page.contains("After the holidays."));
    ok(
        &alex,
        &at(id, "repair/step-away"),
        &[("note", "I need a break.")],
    )
    .await;
    assert_eq!(last_body(&app).await["note"], "I need a break.");
    let page = sam.page(&format!("/breaches/{id}")).await;
    assert!(page.contains("Alex stepped away"));
    assert!(page.contains("I need a break."));
    assert!(page.contains("said not now"), "nothing before it changed");
    assert!(!sam.page("/breaches").await.contains("Being repaired"));
    let kinds = kinds(&app).await;
    for kind in [
        "repair.commitment_proposed",
        "repair.not_now",
        "repair.commitment_confirmed",
        "repair.stepped_away",
    ] {
        assert!(kinds.contains(&kind.to_string()), "{kind}");
    }
}

/// Tries one step as the wrong person: 403, and the record is unchanged.
async fn refused(app: &TestApp, who: &Browser, path: &str, fields: &[(&str, &str)]) {
    let before = app.record_len().await;
    let response = who.post_form(path, fields).await;
    assert_eq!(response.status(), 403, "POST {path} by the wrong person");
    assert_eq!(
        app.record_len().await,
        before,
        "POST {path} changed nothing"
    );
}

async fn refused_page(who: &Browser, path: &str) {
    assert_eq!(who.get(path).await.status(), 403, "GET {path}");
}

#[tokio::test]
async fn the_wrong_person_can_take_none_of_the_other_persons_steps() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    // Sam broke trust; Alex was hurt.
    let id = record_breach(&sam, "1", true).await;
    refused(
        &app,
        &sam,
        &at(id, "disclosure"),
        &[("choice", "confirmed")],
    )
    .await;
    ok(&alex, &at(id, "disclosure"), &[("choice", "confirmed")]).await;

    refused_page(&sam, &at(id, "impact")).await;
    refused(&app, &sam, &at(id, "impact"), &[("text", "x")]).await;
    ok(&alex, &at(id, "impact"), &[("text", "It hurt.")]).await;

    refused_page(&alex, &at(id, "explanation")).await;
    refused(
        &app,
        &alex,
        &at(id, "explanation"),
        &[("what_and_why", "x"), ("their_feelings", "y")],
    )
    .await;
    ok(
        &sam,
        &at(id, "explanation"),
        &[
            ("what_and_why", "I hid it."),
            ("their_feelings", "Betrayed."),
        ],
    )
    .await;

    refused_page(&sam, &at(id, "understanding")).await;
    refused(
        &app,
        &sam,
        &at(id, "understanding"),
        &[("choice", "understood")],
    )
    .await;
    ok(&alex, &at(id, "understanding"), &[("choice", "understood")]).await;

    refused_page(&alex, &at(id, "apology")).await;
    refused(
        &app,
        &alex,
        &at(id, "apology"),
        &[("text", "x"), ("intent", "send")],
    )
    .await;
    send_apology(&sam, id, "I am sorry I lied.").await;
    let apology = latest_apology_id(&app).await;
    refused(
        &app,
        &sam,
        &format!("/breaches/{id}/apologies/{apology}/open"),
        &[],
    )
    .await;
    ok(
        &alex,
        &format!("/breaches/{id}/apologies/{apology}/open"),
        &[],
    )
    .await;
    refused(
        &app,
        &sam,
        &format!("/breaches/{id}/apologies/{apology}/answer"),
        &[("choice", "accepted")],
    )
    .await;
    ok(
        &alex,
        &format!("/breaches/{id}/apologies/{apology}/answer"),
        &[("choice", "accepted")],
    )
    .await;

    refused_page(&alex, &at(id, "ask")).await;
    refused(&app, &alex, &at(id, "ask"), &[]).await;
    ok(&sam, &at(id, "ask"), &[]).await;

    refused_page(&sam, &at(id, "requests")).await;
    refused(&app, &sam, &at(id, "requests"), &[("text", "x")]).await;
    ok(&alex, &at(id, "requests"), &[("text", "Be on time.")]).await;

    ok(&sam, &at(id, "repair/propose"), &[]).await;
    refused(&app, &sam, &at(id, "repair/confirm"), &[]).await;
    refused_page(&sam, &at(id, "repair/not-now")).await;
    refused(&app, &sam, &at(id, "repair/not-now"), &[]).await;
    ok(&alex, &at(id, "repair/confirm"), &[]).await;

    // Alex recorded this one about Sam: only Sam may see it differently.
    let other = record_breach(&alex, "1", false).await;
    refused_page(&alex, &at(other, "other-view")).await;
    refused(&app, &alex, &at(other, "other-view"), &[("text", "x")]).await;

    // After all that, the record still verifies.
    assert!(matches!(
        ledger::verify(&app.state.db.readers).await.unwrap(),
        Verdict::Intact(_)
    ));
}

#[tokio::test]
async fn a_replayed_step_is_recorded_once() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let key = "0123456789abcdef0123456789abcdef";
    let fields = [
        ("title", "Forgot the appointment"),
        ("what_happened", "I did not come."),
        ("happened_on", "2026-01-10"),
        ("seriousness", "lapse"),
        ("broke_trust", "1"),
        ("once", key),
    ];
    let before = app.record_len().await;
    for _ in 0..3 {
        let response = sam.post_form("/breaches", &fields).await;
        assert_eq!(response.status(), 303);
    }
    assert_eq!(app.record_len().await, before + 1);
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM breaches")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();

    let key = "fedcba9876543210fedcba9876543210";
    let len = app.record_len().await;
    for _ in 0..2 {
        ok(
            &alex,
            &at(id, "impact"),
            &[("text", "It hurt."), ("once", key)],
        )
        .await;
    }
    assert_eq!(app.record_len().await, len + 1);

    // A double click on "propose" proposes once.
    let key = "00000000000000000000000000000001";
    let len = app.record_len().await;
    for _ in 0..2 {
        ok(&alex, &at(id, "repair/propose"), &[("once", key)]).await;
    }
    assert_eq!(app.record_len().await, len + 1);
}

#[tokio::test]
async fn a_replayed_apology_or_request_is_recorded_once() {
    let app = spawn_app().await;
    let (sam, alex, id) = understood_breach(&app).await;
    let len = app.record_len().await;
    let key = "11111111111111111111111111111111";
    for _ in 0..2 {
        ok(
            &sam,
            &at(id, "apology"),
            &[("text", "I am sorry."), ("intent", "send"), ("once", key)],
        )
        .await;
    }
    assert_eq!(app.record_len().await, len + 1);
    ok(&sam, &at(id, "ask"), &[]).await;
    let len = app.record_len().await;
    let key = "22222222222222222222222222222222";
    for _ in 0..2 {
        ok(
            &alex,
            &at(id, "requests"),
            &[("text", "Call me."), ("once", key)],
        )
        .await;
    }
    assert_eq!(app.record_len().await, len + 1);
}

#[tokio::test]
async fn every_step_form_refuses_hostile_input_with_the_text_kept() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = record_breach(&alex, "1", false).await;
    let huge = "h".repeat(20_001);
    let long_note = "n".repeat(2_001);
    let nul = "before\u{0}after";
    let expect_422 = |response: reqwest::Response, kept: String| async move {
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, 422, "{body}");
        assert!(body.contains(&kept), "the typed text comes back");
    };
    let len = app.record_len().await;
    expect_422(
        sam.post_form(&at(id, "other-view"), &[("text", &huge)])
            .await,
        huge.clone(),
    )
    .await;
    expect_422(
        sam.post_form(&at(id, "other-view"), &[("text", nul)]).await,
        "before".into(),
    )
    .await;
    expect_422(
        alex.post_form(&at(id, "impact"), &[("text", "   ")]).await,
        "Please write how this affected you".into(),
    )
    .await;
    expect_422(
        alex.post_form(&at(id, "impact"), &[("text", &huge)]).await,
        huge.clone(),
    )
    .await;
    ok(&alex, &at(id, "impact"), &[("text", "<b>bold</b> hurt")]).await;
    let page = sam.page(&format!("/breaches/{id}")).await;
    assert!(!page.contains("<b>bold"));
    assert!(escaped(&page, "b", "bold"));
    expect_422(
        sam.post_form(
            &at(id, "explanation"),
            &[("what_and_why", "kept words"), ("their_feelings", &huge)],
        )
        .await,
        "kept words".into(),
    )
    .await;
    ok(
        &sam,
        &at(id, "explanation"),
        &[("what_and_why", "a"), ("their_feelings", "b")],
    )
    .await;
    expect_422(
        alex.post_form(
            &at(id, "understanding"),
            &[("choice", "maybe"), ("note", "my note")],
        )
        .await,
        "my note".into(),
    )
    .await;
    expect_422(
        alex.post_form(
            &at(id, "understanding"),
            &[("choice", "not_yet"), ("note", &long_note)],
        )
        .await,
        long_note.clone(),
    )
    .await;
    ok(&alex, &at(id, "understanding"), &[("choice", "understood")]).await;
    expect_422(
        sam.post_form(&at(id, "apology"), &[("text", &huge), ("intent", "send")])
            .await,
        huge.clone(),
    )
    .await;
    expect_422(
        sam.post_form(&at(id, "apology"), &[("text", nul), ("intent", "preview")])
            .await,
        "control characters".into(),
    )
    .await;
    expect_422(
        sam.post_form(&at(id, "ask"), &[("note", &long_note)]).await,
        long_note.clone(),
    )
    .await;
    ok(&sam, &at(id, "ask"), &[]).await;
    expect_422(
        alex.post_form(&at(id, "requests"), &[("text", "one\ntwo")])
            .await,
        "one line".into(),
    )
    .await;
    ok(&sam, &at(id, "repair/propose"), &[]).await;
    expect_422(
        alex.post_form(&at(id, "repair/not-now"), &[("note", &long_note)])
            .await,
        long_note.clone(),
    )
    .await;
    ok(&alex, &at(id, "repair/confirm"), &[]).await;
    expect_422(
        sam.post_form(&at(id, "repair/step-away"), &[("note", &long_note)])
            .await,
        long_note.clone(),
    )
    .await;
    // Only the successful steps above reached the record.
    let written = [
        "understanding.impact_written",
        "understanding.explained",
        "understanding.answered",
        "repair.asked",
        "repair.commitment_proposed",
        "repair.commitment_confirmed",
    ];
    assert_eq!(app.record_len().await, len + written.len() as i64);
    // Unknown breaches and malformed ids are not found / refused.
    assert_eq!(sam.get("/breaches/999").await.status(), 404);
    assert_eq!(sam.get("/breaches/abc").await.status(), 400);
    assert_eq!(
        sam.post_cross_site(&at(id, "repair/step-away"), &[])
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn signed_out_visitors_cannot_see_or_change_breaches() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let id = record_breach(&sam, "1", false).await;
    let stranger = app.browser();
    let response = stranger.get(&format!("/breaches/{id}")).await;
    assert_eq!(response.status(), 303);
    let len = app.record_len().await;
    let response = stranger.post_form(&at(id, "repair/propose"), &[]).await;
    assert_eq!(response.status(), 401);
    assert_eq!(app.record_len().await, len);
}
