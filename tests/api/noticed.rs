//! Noticed: good changes each person saw in the other.

use regex::Regex;

use crate::helpers::{location, spawn_app};
use crate::living_support::{once, today, unescape};

fn ids(page: &str) -> Vec<i64> {
    let re = Regex::new(r#"<li id="noticed-(\d+)""#).unwrap();
    re.captures_iter(page)
        .map(|c| c[1].parse().unwrap())
        .collect()
}

#[tokio::test]
async fn either_person_writes_down_a_good_change_the_other_can_see() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let form = sam.page("/noticed").await;
    assert!(form.contains("Something good you noticed in Alex"));
    let before = app.record_len().await;
    let day = today(&app).to_string();
    let response = sam
        .post_form(
            "/noticed",
            &[
                ("text", "You told me about the dinner before I asked."),
                ("happened_on", &day),
                ("once", &once(&form)),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/noticed");
    assert_eq!(app.record_len().await, before + 1);

    let page = alex.page("/noticed").await;
    assert!(page.contains("You told me about the dinner before I asked."));
    assert!(page.contains("<strong>Sam</strong> noticed in Alex"));
    let timeline = alex.page("/timeline?category=noticed").await;
    assert!(timeline.contains(
        "Sam noticed a good change in Alex: “You told me about the dinner before I asked.”"
    ));

    // Alex writes one about Sam; the latest is Alex's.
    let form = alex.page("/noticed").await;
    assert!(form.contains("Something good you noticed in Sam"));
    let response = alex
        .post_form(
            "/noticed",
            &[
                ("text", "You slept early."),
                ("happened_on", ""),
                ("once", &once(&form)),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let latest = amends::noticed::latest(&app.state.db.readers)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.author, 2);
    assert_eq!(latest.about, 1);
    assert_eq!(latest.happened_on, day, "the day defaults to today");
}

#[tokio::test]
async fn a_replayed_form_is_recorded_once() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let key = once(&sam.page("/noticed").await);
    let before = app.record_len().await;
    for _ in 0..3 {
        let response = sam
            .post_form("/noticed", &[("text", "Kind words"), ("once", &key)])
            .await;
        assert_eq!(response.status(), 303);
    }
    assert_eq!(app.record_len().await, before + 1);
    assert_eq!(ids(&sam.page("/noticed").await).len(), 1);
}

#[tokio::test]
async fn hostile_or_wrong_input_comes_back_with_a_message_and_nothing_written() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let key = once(&sam.page("/noticed").await);
    let before = app.record_len().await;
    let long = "ü".repeat(2001);
    let tomorrow = today(&app).tomorrow().unwrap().to_string();
    for (text, day, message) in [
        ("", "", "Please write what you noticed."),
        ("   \n ", "", "Please write what you noticed."),
        (long.as_str(), "", "the limit is 2000"),
        ("a\0b", "", "invisible control characters"),
        ("fine", tomorrow.as_str(), "This day has not come yet"),
        ("fine", "2001-01-01", "within the last ten years"),
        ("fine", "31/12/2025", "Please give the day as a date"),
    ] {
        let response = sam
            .post_form(
                "/noticed",
                &[("text", text), ("happened_on", day), ("once", &key)],
            )
            .await;
        assert_eq!(response.status(), 422, "{text:?} {day:?}");
        let body = response.text().await.unwrap();
        assert!(body.contains(message), "{message}: {body}");
        assert!(body.contains("aria-invalid=\"true\""));
        if text == long {
            assert!(body.contains(&long), "what was typed comes back");
        }
    }
    assert_eq!(app.record_len().await, before);

    // Markup is stored as text and shown escaped.
    let response = sam
        .post_form(
            "/noticed",
            &[("text", "<script>alert(1)</script>"), ("once", &key)],
        )
        .await;
    assert_eq!(response.status(), 303);
    let page = sam.page("/noticed").await;
    assert!(!page.contains("<script>alert(1)</script>"));
    assert!(page.contains("alert(1)"));
    // Cross-site posts are refused.
    let refused = sam.post_cross_site("/noticed", &[("text", "x")]).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(app.record_len().await, before + 1);
}

#[tokio::test]
async fn before_the_other_person_joins_there_is_no_one_to_notice() {
    let app = spawn_app().await;
    let sam = app.first_person("Sam").await;
    let page = sam.page("/noticed").await;
    assert!(page.contains("Once the other person has joined"));
    let before = app.record_len().await;
    let response = sam.post_form("/noticed", &[("text", "x")]).await;
    assert_eq!(response.status(), 409);
    assert_eq!(app.record_len().await, before);
}

#[tokio::test]
async fn noticed_changes_are_paged_newest_first_and_found_again_from_the_timeline() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    for i in 1..=25 {
        let key = once(&sam.page("/noticed").await);
        let response = sam
            .post_form(
                "/noticed",
                &[("text", &format!("change {i}")), ("once", &key)],
            )
            .await;
        assert_eq!(response.status(), 303);
    }
    let first = alex.page("/noticed").await;
    assert_eq!(ids(&first), (6..=25).rev().collect::<Vec<_>>());
    let re = Regex::new(r#"<a href="([^"]+)">Earlier noticed changes</a>"#).unwrap();
    let next = unescape(&re.captures(&first).unwrap()[1]);
    assert_eq!(next, "/noticed?before=6");
    let second = alex.page(&next).await;
    assert_eq!(ids(&second), vec![5, 4, 3, 2, 1]);
    assert!(!second.contains("Earlier noticed changes</a>"));
    // The timeline links to the exact one.
    let timeline = alex.page("/timeline?category=noticed").await;
    assert!(
        timeline.contains("/noticed?before=4#noticed-3")
            || timeline.contains("/noticed?before&#61;4#noticed-3")
    );
    let there = alex.page("/noticed?before=4").await;
    assert_eq!(ids(&there)[0], 3);
    assert_eq!(sam.get("/noticed?before=x").await.status(), 400);
}
