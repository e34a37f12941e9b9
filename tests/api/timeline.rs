//! The timeline: every entry in sentences, filters, keyset paging, links and
//! corrections.

use regex::Regex;
use serde_json::json;

use crate::helpers::{Browser, spawn_app};
use crate::living_support::{advance_days, append, today, unescape};

/// The entry numbers shown on a timeline page, top to bottom.
fn seqs(page: &str) -> Vec<i64> {
    let re = Regex::new(r#"<li id="entry-(\d+)">"#).unwrap();
    re.captures_iter(page)
        .map(|c| c[1].parse().unwrap())
        .collect()
}

/// The "Older entries" link, if the page has one.
fn older(page: &str) -> Option<String> {
    let re = Regex::new(r#"<a href="([^"]+)">Older entries</a>"#).unwrap();
    re.captures(page).map(|c| unescape(&c[1]))
}

/// Follows "Older entries" until the end, appending `arrivals` new entries
/// between pages; returns every entry number seen.
async fn walk(
    app: &crate::helpers::TestApp,
    browser: &Browser,
    start: &str,
    kind: &str,
) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut next = Some(start.to_string());
    while let Some(path) = next {
        let page = browser.page(&path).await;
        let on_page = seqs(&page);
        assert!(on_page.len() <= 50, "at most 50 per page");
        seen.extend(on_page);
        next = older(&page);
        // New entries arrive while someone reads.
        for i in 0..7 {
            append(
                app,
                Some(2),
                kind,
                "commitment/1",
                json!({"title": format!("new {i}")}),
            )
            .await;
        }
    }
    seen
}

#[tokio::test]
async fn the_timeline_tells_the_record_newest_first_in_sentences() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    append(
        &app,
        Some(1),
        "breach.recorded",
        "breach/3",
        json!({"title": "<script>alert(1)</script>"}),
    )
    .await;
    append(
        &app,
        Some(2),
        "apology.answered",
        "breach/3",
        json!({"answer": "not_ready"}),
    )
    .await;
    let page = alex.page("/timeline").await;
    assert!(page.contains("Alex answered the apology: not ready yet"));
    assert!(page.contains("Sam recorded a breach: “"));
    assert!(!page.contains("<script>alert(1)"), "typed text is escaped");
    assert!(page.contains("alert(1)"));
    assert!(page.contains("Alex joined with an invite"));
    assert!(
        page.contains("Sam set the pair&#39;s time zone to Europe/Berlin")
            || page.contains("Sam set the pair's time zone to Europe/Berlin")
            || page.contains("Sam set the pair&#x27;s time zone")
    );
    let order = seqs(&page);
    assert_eq!(order, vec![5, 4, 3, 2, 1], "newest first");
    // Times in the pair's zone, with the day as a heading.
    let now = app
        .state
        .clock
        .now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").unwrap());
    assert!(page.contains(&now.strftime("%-d %b %Y").to_string()));
    assert!(page.contains("<time datetime=\""));
    // Sam sees the same record.
    assert_eq!(seqs(&sam.page("/timeline").await), order);
}

#[tokio::test]
async fn the_timeline_filters_by_person_and_by_kind() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    append(
        &app,
        Some(1),
        "breach.recorded",
        "breach/1",
        json!({"title": "Late"}),
    )
    .await; // 4
    append(
        &app,
        Some(2),
        "understanding.impact_written",
        "breach/1",
        json!({}),
    )
    .await; // 5
    append(&app, Some(1), "repair.asked", "breach/1", json!({})).await; // 6
    append(&app, Some(1), "apology.sent", "breach/1", json!({})).await; // 7
    append(
        &app,
        Some(2),
        "commitment.kept",
        "commitment/2",
        json!({"title": "Call"}),
    )
    .await; // 8
    append(
        &app,
        None,
        "commitment.pattern_flagged",
        "commitment/2",
        json!({"title": "Call"}),
    )
    .await; // 9
    append(&app, Some(2), "trust.restored", "breach/1", json!({})).await; // 10
    append(&app, Some(1), "pause.started", "breach/1", json!({})).await; // 11
    append(&app, Some(1), "copy.taken", "pair", json!({})).await; // 12

    assert_eq!(
        seqs(&sam.page("/timeline?person=2").await),
        vec![10, 8, 5, 3]
    );
    assert_eq!(
        seqs(&sam.page("/timeline?person=1").await),
        vec![12, 11, 7, 6, 4, 2, 1]
    );
    assert_eq!(
        seqs(&sam.page("/timeline?category=breaches").await),
        vec![6, 5, 4]
    );
    assert_eq!(
        seqs(&sam.page("/timeline?category=apologies").await),
        vec![7]
    );
    assert_eq!(
        seqs(&sam.page("/timeline?category=commitments").await),
        vec![9, 8]
    );
    assert_eq!(
        seqs(&sam.page("/timeline?category=trust").await),
        vec![11, 10]
    );
    assert_eq!(
        seqs(&sam.page("/timeline?category=account").await),
        vec![12, 3, 2, 1]
    );
    assert!(seqs(&sam.page("/timeline?category=questions").await).is_empty());
    assert_eq!(
        seqs(&sam.page("/timeline?category=breaches&person=1").await),
        vec![6, 4]
    );
    assert_eq!(
        seqs(&sam.page("/timeline?category=commitments&person=2").await),
        vec![8]
    );
    let none = sam.page("/timeline?category=questions").await;
    assert!(none.contains("Nothing in the record matches these filters."));
}

#[tokio::test]
async fn the_timeline_filters_by_period_in_the_pairs_zone() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let day1 = today(&app);
    append(&app, Some(1), "apology.sent", "breach/1", json!({})).await; // 4
    advance_days(&app, &[&sam], 3).await;
    let day2 = today(&app);
    append(&app, Some(2), "apology.opened", "breach/1", json!({})).await; // 5
    append(
        &app,
        Some(2),
        "apology.answered",
        "breach/1",
        json!({"answer": "accepted"}),
    )
    .await; // 6
    advance_days(&app, &[&sam], 3).await;
    let day3 = today(&app);
    append(&app, Some(1), "copy.taken", "pair", json!({})).await; // 7

    let only =
        |from: jiff::civil::Date, to: jiff::civil::Date| format!("/timeline?from={from}&to={to}");
    assert_eq!(seqs(&sam.page(&only(day2, day2)).await), vec![6, 5]);
    assert_eq!(
        seqs(&sam.page(&format!("/timeline?from={day3}")).await),
        vec![7]
    );
    assert_eq!(
        seqs(&sam.page(&format!("/timeline?to={day1}")).await),
        vec![4, 3, 2, 1]
    );
    assert_eq!(
        seqs(
            &sam.page(&format!("/timeline?from={day2}&category=apologies"))
                .await
        ),
        vec![6, 5]
    );
    let later = day3.tomorrow().unwrap();
    assert!(seqs(&sam.page(&format!("/timeline?from={later}")).await).is_empty());
}

#[tokio::test]
async fn paging_skips_and_repeats_nothing_while_new_entries_arrive() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    for i in 0..120 {
        append(
            &app,
            Some(1),
            "commitment.kept",
            "commitment/1",
            json!({"title": format!("old {i}")}),
        )
        .await;
    }
    let last = app.record_len().await; // 3 account entries + 120
    let seen = walk(&app, &sam, "/timeline", "commitment.kept").await;
    let expected: Vec<i64> = (1..=last).rev().collect();
    assert_eq!(
        seen, expected,
        "every entry once, in order, none of the new ones"
    );
}

#[tokio::test]
async fn paging_a_category_merges_its_kinds_without_gaps() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let kinds = [
        "commitment.kept",
        "commitment.broken",
        "apology.sent",
        "commitment.confirmed",
    ];
    let mut commitments = Vec::new();
    for i in 0..130 {
        let kind = kinds[i % kinds.len()];
        let seq = append(
            &app,
            Some(1 + (i % 2) as i64),
            kind,
            "commitment/1",
            json!({}),
        )
        .await;
        if kind.starts_with("commitment.") {
            commitments.push(seq);
        }
    }
    commitments.reverse();
    let seen = walk(
        &app,
        &sam,
        "/timeline?category=commitments",
        "commitment.disputed",
    )
    .await;
    assert_eq!(seen, commitments);
    let page = sam.page("/timeline?category=commitments").await;
    let link = older(&page).unwrap();
    assert!(
        link.contains("category=commitments") && link.contains("before="),
        "{link}"
    );
}

#[tokio::test]
async fn corrections_are_shown_next_to_what_they_correct() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let wrong = append(
        &app,
        Some(1),
        "commitment.broken",
        "commitment/5",
        json!({"title": "Call at lunch", "owner_id": 1}),
    )
    .await;
    let fix = append(
        &app,
        Some(1),
        "commitment.corrected",
        "commitment/5",
        json!({"title": "Call at lunch", "corrects": wrong, "note": "It was kept"}),
    )
    .await;
    let page = sam.page("/timeline").await;
    assert!(page.contains(&format!(
        "This corrects <a href=\"/timeline?before={}#entry-{wrong}\">entry #{wrong}</a>",
        wrong + 1
    )));
    assert!(page.contains("Sam recorded “Call at lunch” as broken (self-reported)"));
    assert!(page.contains(&format!(
        "Corrected later by <a href=\"/timeline?before={}#entry-{fix}\">entry #{fix}</a>",
        fix + 1
    )));
    // The corrected entry is found again on its own page.
    let there = sam.page(&format!("/timeline?before={}", wrong + 1)).await;
    assert_eq!(seqs(&there)[0], wrong);
    assert!(there.contains("Corrected later by"));
}

#[tokio::test]
async fn entries_link_to_what_they_are_about() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    append(
        &app,
        Some(1),
        "breach.recorded",
        "breach/3",
        json!({"title": "x"}),
    )
    .await;
    append(
        &app,
        Some(1),
        "agreement.signed",
        "agreement/2",
        json!({"title": "y", "revision": "abc123"}),
    )
    .await;
    append(&app, Some(1), "commitment.kept", "commitment/5", json!({})).await;
    append(
        &app,
        Some(1),
        "checkin.held",
        "checkin/1",
        json!({"held_on": "2026-03-01"}),
    )
    .await;
    append(
        &app,
        Some(1),
        "noticed.written",
        "noticed/4",
        json!({"text": "z"}),
    )
    .await;
    append(&app, Some(1), "mystery.happened", "mystery/9", json!({})).await;
    let page = sam.page("/timeline").await;
    for href in [
        "/breaches/3",
        "/agreements/2",
        "/commitments/5",
        "/checkins/1",
        "/settings",
    ] {
        assert!(page.contains(&format!("href=\"{href}\"")), "{href} missing");
    }
    assert!(
        page.contains("/noticed?before=5#noticed-4")
            || page.contains("/noticed?before&#61;5#noticed-4")
    );
    assert!(page.contains("Sam signed “y”, revision abc123"));
    assert!(page.contains("Sam: mystery happened"));
    assert!(!page.contains("mystery/9\""));
}

#[tokio::test]
async fn odd_filters_get_a_message_not_an_error_page() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    for (query, message) in [
        ("person=7", "Please choose one of the two people"),
        ("category=%3Cscript%3E", "Please choose a kind of entry"),
        ("from=yesterday", "Please give a date like"),
        (
            "from=2026-05-03&to=2026-05-01",
            "This is before the start of the period",
        ),
        (
            "before=abc",
            "This page address is not one the timeline made",
        ),
    ] {
        let response = sam.get(&format!("/timeline?{query}")).await;
        assert_eq!(response.status(), 422, "{query}");
        let body = response.text().await.unwrap();
        assert!(body.contains(message), "{query}: {body}");
        assert!(!body.contains("<script>"));
    }
    assert_eq!(sam.get("/timeline?person=%FF").await.status(), 400);
    // Signed out: sent to sign in.
    let stranger = app.browser();
    assert_eq!(stranger.get("/timeline").await.status(), 303);
}
