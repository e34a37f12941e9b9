//! Commitments: recording kept and broken, answers, disputes, corrections,
//! the 7-day rule, unrecorded days and the pattern flag.

use crate::agreements::{Row, advance_days, days_from_today, scalar, signed_agreement};
use crate::helpers::{Browser, TestApp, spawn_app};

async fn commitment_of(app: &TestApp, agreement: i64) -> i64 {
    scalar(
        app,
        "SELECT id FROM commitments WHERE agreement_id = ? ORDER BY id LIMIT 1",
        agreement,
    )
    .await
}

async fn last_record(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT MAX(id) FROM commitment_records")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap()
}

async fn record(b: &Browser, c: i64, day: &str, outcome: &str, note: &str) -> reqwest::Response {
    b.post_form(
        &format!("/commitments/{c}/record"),
        &[("day", day), ("outcome", outcome), ("note", note)],
    )
    .await
}

async fn answer(b: &Browser, r: i64, answer: &str, note: &str) -> reqwest::Response {
    b.post_form(
        &format!("/commitments/records/{r}/answer"),
        &[("answer", answer), ("note", note)],
    )
    .await
}

async fn count(app: &TestApp, kind: &str) -> usize {
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM ledger")
        .fetch_all(&app.state.db.readers)
        .await
        .unwrap();
    kinds.iter().filter(|k| *k == kind).count()
}

/// Sam's daily commitment, starting two days ago... not possible before the
/// version existed, so it starts today; tests move the clock instead.
async fn daily(app: &TestApp, sam: &Browser, alex: &Browser) -> i64 {
    let today = days_from_today(app, 0);
    let id = signed_agreement(app, sam, alex, &[Row::daily("1", "Call at nine", today)]).await;
    commitment_of(app, id).await
}

async fn standing(app: &TestApp, sam: &Browser, alex: &Browser) -> i64 {
    let id = signed_agreement(app, sam, alex, &[Row::standing("1", "I will not lie")]).await;
    commitment_of(app, id).await
}

#[tokio::test]
async fn the_owner_records_kept_and_the_other_person_confirms() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let c = daily(&app, &sam, &alex).await;
    let today = days_from_today(&app, 0);
    let page = sam.page(&format!("/commitments/{c}")).await;
    assert!(page.contains("Due today"));
    assert_eq!(
        record(&sam, c, &today, "kept", "Called.").await.status(),
        303
    );
    let r = last_record(&app).await;
    let waiting = alex.page("/agreements").await;
    assert!(waiting.contains("Confirm"), "{waiting}");
    assert_eq!(answer(&alex, r, "confirm", "").await.status(), 303);
    let page = sam.page(&format!("/commitments/{c}")).await;
    assert!(page.contains("Kept · confirmed"));
    assert_eq!(count(&app, "commitment.kept").await, 1);
    assert_eq!(count(&app, "commitment.confirmed").await, 1);
    // Recording the same day again is refused: a correction is the way.
    assert_eq!(record(&sam, c, &today, "kept", "").await.status(), 409);
}

#[tokio::test]
async fn only_the_other_person_can_confirm_or_dispute_and_only_the_owner_records_kept() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let c = daily(&app, &sam, &alex).await;
    let today = days_from_today(&app, 0);
    let before = app.record_len().await;
    assert_eq!(record(&alex, c, &today, "kept", "").await.status(), 403);
    assert_eq!(app.record_len().await, before);
    record(&sam, c, &today, "kept", "").await;
    let r = last_record(&app).await;
    let before = app.record_len().await;
    assert_eq!(answer(&sam, r, "confirm", "").await.status(), 403);
    assert_eq!(answer(&sam, r, "dispute", "I say so").await.status(), 403);
    assert_eq!(answer(&sam, r, "acknowledge", "").await.status(), 403);
    assert_eq!(app.record_len().await, before);
    assert_eq!(answer(&sam, r, "nonsense", "").await.status(), 400);
}

#[tokio::test]
async fn a_kept_claim_nobody_disputed_counts_after_seven_days_but_shows_unconfirmed() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let c = daily(&app, &sam, &alex).await;
    record(&sam, c, &days_from_today(&app, 0), "kept", "").await;
    let r = last_record(&app).await;
    let page = sam.page(&format!("/commitments/records/{r}")).await;
    assert!(page.contains("waiting for confirmation"));
    advance_days(&app, &[&sam, &alex], 7).await;
    let page = sam.page(&format!("/commitments/{c}")).await;
    assert!(page.contains("Kept · unconfirmed"), "{page}");
    assert!(!page.contains("Kept · confirmed"));
    // The 7 days to dispute have passed.
    let before = app.record_len().await;
    assert_eq!(answer(&alex, r, "dispute", "Not so").await.status(), 409);
    assert_eq!(app.record_len().await, before);
    // Confirming late is still welcome.
    assert_eq!(answer(&alex, r, "confirm", "").await.status(), 303);
}

#[tokio::test]
async fn a_day_nobody_recorded_shows_as_unrecorded_once_it_is_over() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let c = daily(&app, &sam, &alex).await;
    let page = sam.page(&format!("/commitments/{c}")).await;
    assert!(page.contains("Due today"));
    assert!(!page.contains(">Unrecorded<"));
    advance_days(&app, &[&sam, &alex], 2).await;
    let page = sam.page(&format!("/commitments/{c}")).await;
    assert_eq!(page.matches(">Unrecorded<").count(), 2, "{page}");
    assert!(page.contains("Due today"));
    assert!(!page.contains("Broken") || page.contains("never as kept or broken"));
    // It can still be recorded late; then it is no longer unrecorded.
    let yesterday = days_from_today(&app, -1);
    assert_eq!(record(&sam, c, &yesterday, "kept", "").await.status(), 303);
    let page = sam.page(&format!("/commitments/{c}")).await;
    assert_eq!(page.matches(">Unrecorded<").count(), 1);
    // Future days and days nothing was due are refused.
    let tomorrow = days_from_today(&app, 1);
    let response = record(&sam, c, &tomorrow, "kept", "").await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("has not come yet"));
    let before_start = days_from_today(&app, -10);
    assert_eq!(
        record(&sam, c, &before_start, "kept", "").await.status(),
        422
    );
}

#[tokio::test]
async fn a_self_reported_break_counts_at_once_and_a_second_within_30_days_is_a_pattern() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let c = standing(&app, &sam, &alex).await;
    let today = days_from_today(&app, 0);
    assert_eq!(
        record(&sam, c, &today, "broken", "I lied about the weekend.")
            .await
            .status(),
        303
    );
    let page = alex.page(&format!("/commitments/{c}")).await;
    assert!(page.contains("Broken · self-reported"));
    assert!(!page.contains("A pattern"));
    advance_days(&app, &[&sam, &alex], 10).await;
    let later = days_from_today(&app, 0);
    record(&sam, c, &later, "broken", "Again.").await;
    let page = alex.page(&format!("/commitments/{c}")).await;
    assert!(page.contains("A pattern"), "{page}");
    assert!(page.contains("broken twice within 30 days"));
    assert!(!page.to_lowercase().contains("fail"));
    let r = last_record(&app).await;
    assert!(
        sam.page(&format!("/commitments/records/{r}"))
            .await
            .contains("tag-pattern")
    );
    assert_eq!(count(&app, "commitment.pattern_flagged").await, 1);
}

#[tokio::test]
async fn an_observed_break_disputed_by_the_owner_does_not_count_until_settled() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let c = standing(&app, &sam, &alex).await;
    let today = days_from_today(&app, 0);
    record(&sam, c, &today, "broken", "My fault.").await;
    advance_days(&app, &[&sam, &alex], 5).await;
    let day = days_from_today(&app, 0);
    assert_eq!(
        record(&alex, c, &day, "broken", "You said you were at work.")
            .await
            .status(),
        303
    );
    let r = last_record(&app).await;
    assert!(sam.page("/agreements").await.contains("Acknowledge"));
    // Alex cannot acknowledge their own record; Sam disputes with a note.
    assert_eq!(answer(&alex, r, "acknowledge", "").await.status(), 403);
    let response = answer(&sam, r, "dispute", "").await;
    assert_eq!(response.status(), 422, "a dispute needs a note");
    assert_eq!(
        answer(&sam, r, "dispute", "I was at work, I can show you.")
            .await
            .status(),
        303
    );
    let page = sam.page(&format!("/commitments/{c}")).await;
    assert!(page.contains("Disputed"));
    assert!(
        !page.contains("A pattern"),
        "a disputed break does not count"
    );
    // Listed for the next conversation, for both.
    assert!(
        alex.page("/agreements")
            .await
            .contains("to settle together")
    );
    assert!(sam.page("/agreements").await.contains("to settle together"));
    // Each settles only from their own side: Alex cannot withdraw Sam's dispute.
    assert_eq!(answer(&alex, r, "withdraw_dispute", "").await.status(), 403);
    assert_eq!(answer(&sam, r, "accept_dispute", "").await.status(), 403);
    // Sam withdraws the dispute: the break counts, and it is the second.
    assert_eq!(
        answer(&sam, r, "withdraw_dispute", "You are right.")
            .await
            .status(),
        303
    );
    let page = sam.page(&format!("/commitments/{c}")).await;
    assert!(page.contains("A pattern"));
    assert!(!sam.page("/agreements").await.contains("to settle together"));
}

#[tokio::test]
async fn an_observed_break_nobody_disputed_counts_after_seven_days() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let c = standing(&app, &sam, &alex).await;
    record(&alex, c, &days_from_today(&app, 0), "broken", "Saw it.").await;
    let r = last_record(&app).await;
    assert!(
        sam.page(&format!("/commitments/records/{r}"))
            .await
            .contains("waiting for an answer")
    );
    advance_days(&app, &[&sam, &alex], 8).await;
    assert!(
        sam.page(&format!("/commitments/records/{r}"))
            .await
            .contains("not disputed within 7 days")
    );
}

#[tokio::test]
async fn a_correction_is_a_new_entry_pointing_at_the_old_one_and_both_stay_visible() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let c = daily(&app, &sam, &alex).await;
    let today = days_from_today(&app, 0);
    record(&sam, c, &today, "kept", "Called.").await;
    let first = last_record(&app).await;
    // Only its author corrects it.
    let response = alex
        .post_form(
            &format!("/commitments/{c}/record"),
            &[
                ("day", today.as_str()),
                ("outcome", "broken"),
                ("corrects", &first.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);
    let response = sam
        .post_form(
            &format!("/commitments/{c}/record"),
            &[
                ("day", today.as_str()),
                ("outcome", "broken"),
                ("note", "I did not call after all."),
                ("corrects", &first.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let second = last_record(&app).await;
    assert_ne!(first, second);
    let page = alex.page(&format!("/commitments/{c}")).await;
    assert!(page.contains("Corrected by a later entry"));
    assert!(page.contains("Broken · self-reported"));
    assert!(page.contains("Called.") && page.contains("I did not call after all."));
    assert_eq!(count(&app, "commitment.corrected").await, 1);
    // Records themselves are never changed.
    assert!(
        app.sql("UPDATE commitment_records SET note = 'x'")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn hostile_notes_come_back_with_the_form_and_nothing_is_written() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let c = daily(&app, &sam, &alex).await;
    let today = days_from_today(&app, 0);
    let before = app.record_len().await;
    let long = "n".repeat(2_001);
    for (note, message) in [
        ("bad\0note", "control characters"),
        (long.as_str(), "the limit is 2000"),
    ] {
        let response = record(&sam, c, &today, "kept", note).await;
        assert_eq!(response.status(), 422);
        assert!(response.text().await.unwrap().contains(message));
    }
    let response = record(&sam, c, "not-a-date", "kept", "").await;
    assert_eq!(response.status(), 422);
    let response = record(&sam, c, &today, "", "typed text").await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("typed text"));
    assert_eq!(app.record_len().await, before);
    // Markup in notes is shown as text.
    record(&sam, c, &today, "kept", "<script>alert(1)</script>").await;
    let page = alex.page(&format!("/commitments/{c}")).await;
    assert!(!page.contains("<script>alert"));
    let r = last_record(&app).await;
    let before = app.record_len().await;
    let response = answer(&alex, r, "dispute", &"d".repeat(2_001)).await;
    assert_eq!(response.status(), 422);
    assert_eq!(app.record_len().await, before);
}

#[tokio::test]
async fn a_replayed_record_is_written_once() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let c = standing(&app, &sam, &alex).await;
    let today = days_from_today(&app, 0);
    let key = "fedcba9876543210fedcba9876543210";
    let fields = [
        ("once", key),
        ("day", today.as_str()),
        ("outcome", "still_keeping"),
    ];
    assert_eq!(
        sam.post_form(&format!("/commitments/{c}/record"), &fields)
            .await
            .status(),
        303
    );
    let after = app.record_len().await;
    assert_eq!(
        sam.post_form(&format!("/commitments/{c}/record"), &fields)
            .await
            .status(),
        303
    );
    assert_eq!(app.record_len().await, after);
    // A second "still keeping this" in the same week is refused.
    let response = sam
        .post_form(
            &format!("/commitments/{c}/record"),
            &[("day", today.as_str()), ("outcome", "still_keeping")],
        )
        .await;
    assert_eq!(response.status(), 409);
    assert_eq!(count(&app, "commitment.still_keeping").await, 1);
}

#[tokio::test]
async fn draft_commitments_are_not_in_force() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    crate::agreements::start(
        &app,
        &sam,
        "Draft",
        "Text",
        &[Row::standing("1", "I will not lie")],
    )
    .await;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM commitments")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    assert_eq!(rows, 0);
}
