//! Today: what is due and waiting, and the weekly counts and facts, checked
//! against a history computed by hand.

use std::collections::BTreeMap;

use amends::commitments::schedule::week_start;
use jiff::civil::Date;

use crate::agreements::{Row, advance_days, days_from_today, scalar, signed_agreement, today};
use crate::helpers::{Browser, TestApp, spawn_app};

async fn daily_for_sam(app: &TestApp, sam: &Browser, alex: &Browser) -> i64 {
    let from = days_from_today(app, 0);
    let agreement =
        signed_agreement(app, sam, alex, &[Row::daily("1", "Call at nine", from)]).await;
    scalar(
        app,
        "SELECT id FROM commitments WHERE agreement_id = ? ORDER BY id LIMIT 1",
        agreement,
    )
    .await
}

async fn record(b: &Browser, c: i64, day: Date, outcome: &str) {
    let response = b
        .post_form(
            &format!("/commitments/{c}/record"),
            &[
                ("day", &day.to_string()),
                ("outcome", outcome),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "recording {outcome} on {day}");
}

async fn cached_weeks(app: &TestApp) -> BTreeMap<String, (i64, i64, i64)> {
    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT week_start, kept, broken, unrecorded FROM commitment_weeks ORDER BY week_start",
    )
    .fetch_all(&app.state.db.readers)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(w, k, b, u)| (w, (k, b, u)))
        .collect()
}

#[tokio::test]
async fn today_lists_my_due_commitment_and_what_waits_on_the_other_person() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let commitment = daily_for_sam(&app, &sam, &alex).await;
    let sams = sam.page("/").await;
    assert!(sams.contains("Call at nine"), "due for Sam today");
    assert!(sams.contains(&format!("/commitments/{commitment}/record?day=")));
    let alexs = alex.page("/").await;
    assert!(!alexs.contains("Call at nine — today"));

    record(&sam, commitment, today(&app), "kept").await;
    let sams = sam.page("/").await;
    assert!(
        !sams.contains(&format!("record?day={}", today(&app))),
        "no longer due"
    );
    let alexs = alex.page("/").await;
    assert!(alexs.contains("Waiting on you"));
    assert!(
        alexs.contains("/commitments/records/"),
        "Alex is asked to confirm"
    );
}

#[tokio::test]
async fn weekly_counts_match_a_hand_computed_history_and_follow_late_records() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let commitment = daily_for_sam(&app, &sam, &alex).await;
    let day0 = today(&app);
    advance_days(&app, &[&sam, &alex], 25).await;
    let day = |n: i64| day0.checked_add(jiff::Span::new().days(n)).unwrap();
    for n in 0..5 {
        record(&sam, commitment, day(n), "kept").await;
    }
    record(&sam, commitment, day(5), "broken").await;

    // By hand: days 0–4 kept, day 5 broken, days 6–24 unrecorded, day 25 is today.
    let mut expected: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for n in 0..25 {
        let counts = expected.entry(week_start(day(n)).to_string()).or_default();
        match n {
            0..=4 => counts.0 += 1,
            5 => counts.1 += 1,
            _ => counts.2 += 1,
        }
    }
    let this_week = week_start(day(25)).to_string();

    // Weeks holding the fresh records are not settled yet (a claim can be
    // answered for 7 days), so they are not cached; weeks of unrecorded days
    // cannot change with time alone and are.
    let page = sam.page("/").await;
    assert!(page.contains("Commitments per week"));
    let cached = cached_weeks(&app).await;
    for n in 0..=5 {
        assert!(!cached.contains_key(&week_start(day(n)).to_string()));
    }
    assert!(
        page.contains(&format!(
            "since {}",
            amends::commitments::schedule::long_date(day(5))
        )),
        "the facts count from the break"
    );

    // Eight days later every completed week is settled and cached, and the
    // cache holds exactly the hand-computed counts.
    advance_days(&app, &[&sam, &alex], 8).await;
    sam.page("/").await;
    let cached = cached_weeks(&app).await;
    for (week, counts) in &expected {
        if *week != this_week {
            assert_eq!(cached.get(week), Some(counts), "week of {week}");
        }
    }

    // A late record about a cached week replaces that week's counts.
    let late = day(10);
    record(&sam, commitment, late, "kept").await;
    let week = week_start(late).to_string();
    assert!(!cached_weeks(&app).await.contains_key(&week), "invalidated");
    let page = sam.page("/").await;
    assert!(page.contains("Commitments per week"));
    let (k, b, u) = expected[&week];
    let label = format!(
        "Week of {}",
        amends::commitments::schedule::long_date(week_start(late))
    );
    let row = format!(
        "<th scope=\"row\">{label}</th><td>{}</td><td>{b}</td><td>{}</td>",
        k + 1,
        u - 1
    );
    assert!(
        page.contains(&row),
        "the chart's table shows the new counts: {row}"
    );
}
