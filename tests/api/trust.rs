//! Trust levels (private unless shared, never on the record), pauses (with
//! requests, and their days across a daylight-saving change) and "trust
//! restored": only the person who was hurt decides each.

use amends::ledger;

use crate::helpers::{Browser, TestApp, spawn_app};
use crate::questions::{breach, escaped_script, kinds, last_body, ok, refused};

/// Signs `name` in again with "keep me signed in" (for clock jumps).
pub async fn sign_in(app: &TestApp, name: &str) -> Browser {
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

/// A breach where Sam broke trust, with a repair both committed to.
async fn under_repair(sam: &Browser, alex: &Browser) -> i64 {
    let id = breach(sam).await;
    ok(sam, &format!("/breaches/{id}/repair/propose"), &[]).await;
    ok(alex, &format!("/breaches/{id}/repair/confirm"), &[]).await;
    id
}

async fn all_bodies(app: &TestApp) -> String {
    ledger::entries_after(&app.state.db.readers, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}\n", e.kind, e.body))
        .collect()
}

#[tokio::test]
async fn a_trust_level_is_the_hurt_persons_alone_and_never_enters_the_record() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    let len = app.record_len().await;
    ok(
        &alex,
        &format!("/breaches/{id}/trust"),
        &[
            ("level", "3"),
            ("note", "Still checking the phone in my head"),
        ],
    )
    .await;
    ok(
        &alex,
        &format!("/breaches/{id}/trust"),
        &[("level", "4"), ("note", "")],
    )
    .await;
    assert_eq!(
        app.record_len().await,
        len,
        "no trust level is recorded on the record"
    );
    assert!(!all_bodies(&app).await.contains("checking the phone"));

    let pool = &app.state.db.readers;
    let mine = amends::trust::trust_series(pool, id, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mine.len(), 1, "one value per day: the last recorded");
    assert_eq!(mine[0].1, 4);
    assert_eq!(
        amends::trust::trust_series(pool, id, 1).await.unwrap(),
        None
    );
    assert_eq!(
        amends::trust::trust_series(pool, 999, 2).await.unwrap(),
        None
    );

    let own = alex.page(&format!("/breaches/{id}/trust")).await;
    assert!(own.contains("Still checking the phone in my head"));
    assert!(own.contains("Only you can see these"));
    assert!(
        alex.page(&format!("/breaches/{id}"))
            .await
            .contains("Your trust level")
    );
    for page in [
        sam.page(&format!("/breaches/{id}/trust")).await,
        sam.page(&format!("/breaches/{id}")).await,
        sam.page("/timeline").await,
        alex.page("/timeline").await,
    ] {
        assert!(!page.contains("Still checking the phone"));
        assert!(!page.contains("of 10"));
        assert!(!page.contains("chart-line"));
    }
    assert!(
        sam.page(&format!("/breaches/{id}/trust"))
            .await
            .contains("keeps their trust levels to themself")
    );
    // Sam cannot record one, nor change the sharing.
    refused(
        &app,
        &sam,
        &format!("/breaches/{id}/trust"),
        &[("level", "9"), ("note", "")],
        403,
    )
    .await;
    refused(
        &app,
        &sam,
        &format!("/breaches/{id}/trust/sharing"),
        &[("shared", "yes")],
        403,
    )
    .await;
}

#[tokio::test]
async fn sharing_shows_the_levels_to_the_other_and_records_only_the_switch() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    ok(
        &alex,
        &format!("/breaches/{id}/trust"),
        &[("level", "6"), ("note", "Better this week")],
    )
    .await;
    ok(
        &alex,
        &format!("/breaches/{id}/trust/sharing"),
        &[("shared", "yes")],
    )
    .await;
    let body = last_body(&app).await;
    assert_eq!(body["shared"], true);
    assert!(body.get("level").is_none() && !body.to_string().contains("Better this week"));
    assert_eq!(kinds(&app).await.last().unwrap(), "trust.sharing_changed");
    // Sharing again when already shared records nothing.
    let len = app.record_len().await;
    ok(
        &alex,
        &format!("/breaches/{id}/trust/sharing"),
        &[("shared", "yes")],
    )
    .await;
    assert_eq!(app.record_len().await, len);

    let seen = sam.page(&format!("/breaches/{id}/trust")).await;
    assert!(seen.contains("Better this week"));
    assert!(seen.contains("Alex&#39;s trust level") || seen.contains("Alex's trust level"));
    assert!(
        sam.page(&format!("/breaches/{id}"))
            .await
            .contains("chart-line")
            || sam
                .page(&format!("/breaches/{id}"))
                .await
                .contains("chart-dot")
    );
    let pool = &app.state.db.readers;
    assert_eq!(
        amends::trust::trust_series(pool, id, 1)
            .await
            .unwrap()
            .unwrap()[0]
            .1,
        6
    );
    let timeline = sam.page("/timeline?category=trust").await;
    assert!(timeline.contains("Alex chose to share their trust levels"));
    assert!(!timeline.contains("Better this week"));

    ok(
        &alex,
        &format!("/breaches/{id}/trust/sharing"),
        &[("shared", "no")],
    )
    .await;
    assert_eq!(last_body(&app).await["shared"], false);
    assert_eq!(
        amends::trust::trust_series(pool, id, 1).await.unwrap(),
        None
    );
    assert!(
        !sam.page(&format!("/breaches/{id}/trust"))
            .await
            .contains("Better this week")
    );
    assert!(!all_bodies(&app).await.contains("Better this week"));
    // Only "yes" or "no".
    refused(
        &app,
        &alex,
        &format!("/breaches/{id}/trust/sharing"),
        &[("shared", "maybe")],
        400,
    )
    .await;
}

#[tokio::test]
async fn trust_levels_outside_0_to_10_or_not_numbers_come_back_with_what_was_typed() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    let path = format!("/breaches/{id}/trust");
    for level in [
        "",
        "11",
        "-1",
        "seven",
        "7.5",
        "1e1",
        "99999999999999999999",
    ] {
        let body = refused(
            &app,
            &alex,
            &path,
            &[("level", level), ("note", "kept note")],
            422,
        )
        .await;
        assert!(
            body.contains("0 to 10") || body.contains("from 0"),
            "{level}"
        );
        assert!(body.contains("kept note"), "the note is back");
        if !level.is_empty() {
            assert!(
                body.contains(&format!("value=\"{level}\"")),
                "the level is back: {level}"
            );
        }
    }
    let body = refused(&app, &alex, &path, &[("level", "5"), ("note", "a\0b")], 422).await;
    assert!(body.contains("control characters"));
    let body = refused(
        &app,
        &alex,
        &path,
        &[("level", "5"), ("note", &"n".repeat(2001))],
        422,
    )
    .await;
    assert!(body.contains("the limit is 2000"));
    ok(
        &alex,
        &path,
        &[("level", "0"), ("note", "<script>alert(1)</script>")],
    )
    .await;
    ok(&alex, &path, &[("level", "10"), ("note", "")]).await;
    assert!(escaped_script(&alex.page(&path).await));
    // Replays are recorded once.
    let key = "abcdefabcdefabcdefabcdefabcdef12";
    ok(&alex, &path, &[("level", "5"), ("once", key)]).await;
    ok(&alex, &path, &[("level", "5"), ("once", key)]).await;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM trust_levels")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    assert_eq!(count, 3);
}

#[tokio::test]
async fn a_pause_is_asked_for_accepted_and_resumed_by_the_right_people() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = breach(&sam).await;
    // Only a repair under way can be paused.
    refused(
        &app,
        &alex,
        &format!("/breaches/{id}/pause"),
        &[("note", "")],
        409,
    )
    .await;
    ok(&sam, &format!("/breaches/{id}/repair/propose"), &[]).await;
    ok(&alex, &format!("/breaches/{id}/repair/confirm"), &[]).await;

    // Wrong people, nothing changed.
    refused(
        &app,
        &sam,
        &format!("/breaches/{id}/pause"),
        &[("note", "")],
        403,
    )
    .await;
    refused(
        &app,
        &alex,
        &format!("/breaches/{id}/pause/request"),
        &[("note", "")],
        403,
    )
    .await;

    ok(
        &sam,
        &format!("/breaches/{id}/pause/request"),
        &[("note", "I need a week to think.")],
    )
    .await;
    assert_eq!(last_body(&app).await["reason"], "I need a week to think.");
    refused(
        &app,
        &sam,
        &format!("/breaches/{id}/pause/request"),
        &[("note", "")],
        409,
    )
    .await;
    refused(
        &app,
        &sam,
        &format!("/breaches/{id}/pause/accept"),
        &[],
        403,
    )
    .await;
    let page = alex.page(&format!("/breaches/{id}")).await;
    assert!(
        page.contains("Answer Sam&#39;s request for a pause.")
            || page.contains("Answer Sam's request for a pause.")
    );
    assert!(page.contains("I need a week to think."));

    ok(&alex, &format!("/breaches/{id}/pause/accept"), &[]).await;
    let body = last_body(&app).await;
    assert_eq!(body["request"]["reason"], "I need a week to think.");
    for page in [
        sam.page(&format!("/breaches/{id}")).await,
        alex.page(&format!("/breaches/{id}")).await,
    ] {
        assert!(page.contains("This repair is paused"));
        assert!(page.contains("I need a week to think."));
    }
    let pauses = amends::trust::pauses(&app.state.db.readers, id)
        .await
        .unwrap();
    assert_eq!(pauses.len(), 1);
    assert_eq!(pauses[0].until, None);
    refused(
        &app,
        &alex,
        &format!("/breaches/{id}/pause"),
        &[("note", "")],
        409,
    )
    .await;
    refused(
        &app,
        &sam,
        &format!("/breaches/{id}/pause/resume"),
        &[],
        403,
    )
    .await;

    ok(&alex, &format!("/breaches/{id}/pause/resume"), &[]).await;
    refused(
        &app,
        &alex,
        &format!("/breaches/{id}/pause/resume"),
        &[],
        409,
    )
    .await;
    let pauses = amends::trust::pauses(&app.state.db.readers, id)
        .await
        .unwrap();
    assert_eq!(
        pauses[0].until,
        Some(pauses[0].from),
        "resumed the same day"
    );

    // A request can be declined, with a note.
    ok(
        &sam,
        &format!("/breaches/{id}/pause/request"),
        &[("note", "")],
    )
    .await;
    refused(
        &app,
        &alex,
        &format!("/breaches/{id}/pause/decline"),
        &[("note", "x\0")],
        422,
    )
    .await;
    ok(
        &alex,
        &format!("/breaches/{id}/pause/decline"),
        &[("note", "Not now; let us talk Sunday.")],
    )
    .await;
    refused(
        &app,
        &alex,
        &format!("/breaches/{id}/pause/accept"),
        &[],
        409,
    )
    .await;
    // The hurt person pauses directly.
    ok(
        &alex,
        &format!("/breaches/{id}/pause"),
        &[("note", "I need space.")],
    )
    .await;
    let k = kinds(&app).await;
    for kind in [
        "pause.requested",
        "pause.request_accepted",
        "pause.resumed",
        "pause.request_declined",
        "pause.started",
    ] {
        assert!(k.contains(&kind.to_string()), "{kind}");
    }
    let timeline = sam.page("/timeline?category=trust").await;
    assert!(timeline.contains("Sam asked Alex for a pause: “I need a week to think.”"));
    assert!(
        timeline.contains("Alex accepted Sam&#39;s request for a pause")
            || timeline.contains("Alex accepted Sam's request for a pause")
    );
    assert!(timeline.contains("Alex paused the repair of “Hid the messages”: “I need space.”"));
    // Over the limit: the form comes back with the text.
    ok(&alex, &format!("/breaches/{id}/pause/resume"), &[]).await;
    let long = "p".repeat(2001);
    let body = refused(
        &app,
        &alex,
        &format!("/breaches/{id}/pause"),
        &[("note", &long)],
        422,
    )
    .await;
    assert!(body.contains(&long));
}

#[tokio::test]
async fn a_pause_across_the_spring_clock_change_covers_the_pairs_days() {
    let app = spawn_app().await;
    // 00:30 in Berlin on 27 March 2026 (the UTC date is still the 26th).
    let start: jiff::Timestamp = "2026-03-26T23:30:00Z".parse().unwrap();
    let now = app.state.clock.now();
    app.advance(start.as_second() - now.as_second());
    let (sam, alex) = app.pair().await;
    let id = under_repair(&sam, &alex).await;
    ok(&alex, &format!("/breaches/{id}/pause"), &[("note", "")]).await;
    assert_eq!(last_body(&app).await["from"], "2026-03-27");
    // 00:30 in Berlin on 2 April, in summer time (the UTC date is the 1st).
    let resume: jiff::Timestamp = "2026-04-01T22:30:00Z".parse().unwrap();
    let now = app.state.clock.now();
    app.advance(resume.as_second() - now.as_second());
    let alex = sign_in(&app, "Alex").await;
    ok(&alex, &format!("/breaches/{id}/pause/resume"), &[]).await;
    let pauses = amends::trust::pauses(&app.state.db.readers, id)
        .await
        .unwrap();
    let from: jiff::civil::Date = "2026-03-27".parse().unwrap();
    let until: jiff::civil::Date = "2026-04-02".parse().unwrap();
    assert_eq!(
        pauses,
        vec![amends::commitments::schedule::Pause {
            from,
            until: Some(until)
        }]
    );
    let body = last_body(&app).await;
    assert_eq!(body["paused_since"], "2026-03-27");
    assert_eq!(body["until"], "2026-04-02");
    // A daily commitment is suspended 27 March – 1 April, and due on the 2nd.
    let daily = amends::commitments::schedule::Schedule::Daily {
        from: "2026-03-01".parse().unwrap(),
    };
    let due = amends::commitments::schedule::due_dates_outside_pauses(
        &daily,
        "2026-03-26".parse().unwrap(),
        "2026-04-02".parse().unwrap(),
        &pauses,
    );
    assert_eq!(due, vec!["2026-03-26".parse().unwrap(), until]);
    let sam = sign_in(&app, "Sam").await;
    let page = sam.page(&format!("/breaches/{id}")).await;
    assert!(page.contains("Paused from 27 March 2026 until 2 April 2026"));
}

#[tokio::test]
async fn only_the_hurt_person_says_trust_is_restored_and_can_take_it_back() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = under_repair(&sam, &alex).await;
    refused(
        &app,
        &sam,
        &format!("/breaches/{id}/restored"),
        &[("note", "")],
        403,
    )
    .await;
    assert_eq!(
        sam.get(&format!("/breaches/{id}/restored")).await.status(),
        403
    );
    let body = refused(
        &app,
        &alex,
        &format!("/breaches/{id}/restored"),
        &[("note", &"r".repeat(2001))],
        422,
    )
    .await;
    assert!(body.contains(&"r".repeat(2001)));

    ok(
        &alex,
        &format!("/breaches/{id}/restored"),
        &[("note", "Thank you for staying with it.")],
    )
    .await;
    assert_eq!(
        last_body(&app).await["note"],
        "Thank you for staying with it."
    );
    refused(
        &app,
        &alex,
        &format!("/breaches/{id}/restored"),
        &[("note", "")],
        409,
    )
    .await;
    let page = sam.page(&format!("/breaches/{id}")).await;
    assert!(page.contains("restored-banner"));
    assert!(page.contains("Alex said their trust in you is restored"));
    assert!(page.contains("Thank you for staying with it."));
    let list = sam.page("/breaches").await;
    assert!(list.contains("Trust restored (1)") || list.contains("Trust restored"));
    let status: String = sqlx::query_scalar("SELECT status FROM breach_status WHERE breach_id = ?")
        .bind(id)
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    assert_eq!(status, "trust_restored");
    let timeline = sam.page("/timeline").await;
    assert!(timeline.contains("Alex said trust is restored after “Hid the messages”"));
    assert!(timeline.contains("class=\"milestone-label\""));

    refused(
        &app,
        &sam,
        &format!("/breaches/{id}/restored/withdraw"),
        &[("note", "")],
        403,
    )
    .await;
    ok(
        &alex,
        &format!("/breaches/{id}/restored/withdraw"),
        &[("note", "It came back.")],
    )
    .await;
    refused(
        &app,
        &alex,
        &format!("/breaches/{id}/restored/withdraw"),
        &[("note", "")],
        409,
    )
    .await;
    let status: String = sqlx::query_scalar("SELECT status FROM breach_status WHERE breach_id = ?")
        .bind(id)
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    assert_eq!(status, "being_repaired");
    assert!(
        kinds(&app)
            .await
            .contains(&"trust.restoration_withdrawn".to_string())
    );
    assert!(
        sam.page(&format!("/breaches/{id}"))
            .await
            .contains("took it back")
    );
    // Declared again: a replay is recorded once.
    let key = "1234567890abcdef1234567890abcdef";
    ok(
        &alex,
        &format!("/breaches/{id}/restored"),
        &[("note", ""), ("once", key)],
    )
    .await;
    let len = app.record_len().await;
    ok(
        &alex,
        &format!("/breaches/{id}/restored"),
        &[("note", ""), ("once", key)],
    )
    .await;
    assert_eq!(app.record_len().await, len);
    // The hurt person's chart marks it.
    ok(&alex, &format!("/breaches/{id}/trust"), &[("level", "9")]).await;
    assert!(
        alex.page(&format!("/breaches/{id}"))
            .await
            .contains("chart-restored")
    );
}
