//! Check-ins: agreeing a rhythm, preparing and recording a check-in, how each
//! person felt, and missed check-ins shown calmly.

use jiff::civil::Weekday;

use crate::helpers::{Browser, TestApp, location, spawn_app};
use crate::living_support::{advance_days, once, onces, today};

fn weekday_value(d: Weekday) -> &'static str {
    amends::commitments::schedule::weekday_form_value(d)
}

/// The id of the open proposal shown on /checkins.
fn proposal_id(page: &str) -> i64 {
    let re = regex::Regex::new(r#"action="/checkins/rhythm/(\d+)/"#).unwrap();
    re.captures(page).expect("a proposal on the page")[1]
        .parse()
        .unwrap()
}

async fn propose(browser: &Browser, fields: &[(&str, &str)]) -> reqwest::Response {
    let page = browser.page("/checkins").await;
    let key = onces(&page).last().cloned().unwrap();
    let mut all = fields.to_vec();
    all.push(("once", &key));
    browser.post_form("/checkins/rhythm", &all).await
}

async fn answer(browser: &Browser, what: &str) -> reqwest::Response {
    let page = browser.page("/checkins").await;
    let id = proposal_id(&page);
    let key = once(&page);
    browser
        .post_form(&format!("/checkins/rhythm/{id}/{what}"), &[("once", &key)])
        .await
}

/// Sam proposes weekly on `day`, Alex agrees.
async fn agree_weekly(app: &TestApp, sam: &Browser, alex: &Browser, day: Weekday) {
    let _ = app;
    let r = propose(sam, &[("every", "week"), ("weekday", weekday_value(day))]).await;
    assert_eq!(r.status(), 303);
    let r = answer(alex, "accept").await;
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn a_rhythm_is_proposed_by_one_and_agreed_by_the_other() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let start = app.record_len().await;
    let r = propose(&sam, &[("every", "week"), ("weekday", "sun")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/checkins");
    assert_eq!(app.record_len().await, start + 1);

    // Sam cannot answer their own proposal.
    let page = sam.page("/checkins").await;
    assert!(page.contains("You proposed check-ins <strong>every week on Sunday</strong>"));
    let id = proposal_id(&page);
    for what in ["accept", "decline"] {
        let r = sam
            .post_form(
                &format!("/checkins/rhythm/{id}/{what}"),
                &[("once", &once(&page))],
            )
            .await;
        assert_eq!(r.status(), 403, "{what}");
    }
    // Alex cannot withdraw Sam's.
    let alex_page = alex.page("/checkins").await;
    assert!(alex_page.contains("Sam proposed check-ins <strong>every week on Sunday</strong>"));
    let r = alex
        .post_form(
            &format!("/checkins/rhythm/{id}/withdraw"),
            &[("once", &once(&alex_page))],
        )
        .await;
    assert_eq!(r.status(), 403);
    // While Sam's proposal waits, Alex answers it rather than proposing another.
    assert!(!alex_page.contains("action=\"/checkins/rhythm\""));
    let r = alex
        .post_form(
            "/checkins/rhythm",
            &[("every", "month"), ("day_of_month", "1")],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert_eq!(app.record_len().await, start + 1);

    // Alex agrees; a replay of the same form changes nothing.
    let key = once(&alex_page);
    let accept = format!("/checkins/rhythm/{id}/accept");
    assert_eq!(
        alex.post_form(&accept, &[("once", &key)]).await.status(),
        303
    );
    assert_eq!(
        alex.post_form(&accept, &[("once", &key)]).await.status(),
        303
    );
    assert_eq!(app.record_len().await, start + 2);
    // Answering again with a fresh form is a conflict.
    let r = alex
        .post_form(&accept, &[("once", &once(&alex.page("/checkins").await))])
        .await;
    assert_eq!(r.status(), 409);

    let page = sam.page("/checkins").await;
    assert!(page.contains("You agreed to check in <strong>every week on Sunday</strong>"));
    assert!(page.contains("The next check-in is"));
    let timeline = sam.page("/timeline?category=check-ins").await;
    assert!(timeline.contains("Sam proposed check-ins every week on Sunday"));
    assert!(timeline.contains("Alex agreed to check-ins every week on Sunday"));
}

#[tokio::test]
async fn a_declined_or_withdrawn_proposal_makes_room_for_another() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    assert_eq!(
        propose(&sam, &[("every", "two_weeks"), ("weekday", "fri")])
            .await
            .status(),
        303
    );
    assert_eq!(answer(&alex, "decline").await.status(), 303);
    let page = sam.page("/checkins").await;
    assert!(page.contains("You have not agreed on a rhythm yet"));
    // Now Alex proposes; then replaces it with another of their own.
    assert_eq!(
        propose(&alex, &[("every", "month"), ("day_of_month", "31")])
            .await
            .status(),
        303
    );
    assert_eq!(
        propose(&alex, &[("every", "month"), ("day_of_month", "15")])
            .await
            .status(),
        303
    );
    let page = sam.page("/checkins").await;
    assert!(page.contains("Alex proposed check-ins <strong>every month on the 15th</strong>"));
    assert!(!page.contains("31st"));
    assert_eq!(answer(&alex, "withdraw").await.status(), 303);
    let timeline = sam.page("/timeline?category=check-ins").await;
    assert!(timeline.contains("Alex declined check-ins every two weeks on Friday"));
    assert!(timeline.contains("Alex withdrew their proposal of check-ins every month on the 15th"));
}

#[tokio::test]
async fn a_rhythm_form_with_odd_values_comes_back_with_messages() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let before = app.record_len().await;
    for (fields, message) in [
        (vec![("every", "daily")], "Please choose how often"),
        (vec![("every", "")], "Please choose how often"),
        (
            vec![("every", "week"), ("weekday", "<script>")],
            "Please choose a day of the week",
        ),
        (
            vec![("every", "month"), ("day_of_month", "0")],
            "from 1 to 31",
        ),
        (
            vec![("every", "month"), ("day_of_month", "32")],
            "from 1 to 31",
        ),
        (
            vec![("every", "month"), ("day_of_month", "a\0")],
            "from 1 to 31",
        ),
    ] {
        let r = propose(&sam, &fields).await;
        assert_eq!(r.status(), 422, "{fields:?}");
        let body = r.text().await.unwrap();
        assert!(body.contains(message), "{message}");
        assert!(!body.contains("<script>"));
    }
    assert_eq!(app.record_len().await, before);
}

#[tokio::test]
async fn a_check_in_is_recorded_with_each_persons_own_feeling() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    agree_weekly(&app, &sam, &alex, Weekday::Sunday).await;
    let form = sam.page("/checkins/new").await;
    assert!(form.contains("What is waiting"));
    let before = app.record_len().await;
    let day = today(&app).to_string();
    let r = sam
        .post_form(
            "/checkins",
            &[
                ("held_on", &day),
                ("notes", "We talked about <b>evenings</b>."),
                ("feeling", "Relieved, a little tired."),
                ("once", &once(&form)),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let path = location(&r);
    assert!(path.starts_with("/checkins/"), "{path}");
    assert_eq!(app.record_len().await, before + 1);

    // Alex sees Sam's feeling, and adds their own.
    let page = alex.page(&path).await;
    assert!(page.contains("Relieved, a little tired."));
    assert!(
        page.contains("We talked about &#60;b&#62;evenings&#60;/b&#62;.")
            || page.contains("We talked about &lt;b&gt;evenings&lt;/b&gt;.")
    );
    assert!(page.contains("Not written yet."));
    let key = once(&page);
    let feeling = format!("{path}/feeling");
    assert_eq!(
        alex.post_form(&feeling, &[("feeling", "Hopeful."), ("once", &key)])
            .await
            .status(),
        303
    );
    assert_eq!(
        alex.post_form(&feeling, &[("feeling", "Hopeful."), ("once", &key)])
            .await
            .status(),
        303
    );
    assert_eq!(
        app.record_len().await,
        before + 2,
        "the replay is recorded once"
    );
    let page = sam.page(&path).await;
    assert!(page.contains("Hopeful."));
    assert!(!page.contains("Not written yet."));
    assert!(
        !page.contains("action=\"/checkins/"),
        "nobody has a line left to add"
    );

    // Nobody writes twice, and never for the other.
    let fresh = once(&alex.page("/checkins/new").await);
    let r = alex
        .post_form(
            &feeling,
            &[("feeling", "Changed my mind"), ("once", &fresh)],
        )
        .await;
    assert_eq!(r.status(), 409);
    let r = sam
        .post_form(&feeling, &[("feeling", "Again"), ("once", &fresh)])
        .await;
    assert_eq!(r.status(), 409);
    assert_eq!(app.record_len().await, before + 2);
    assert_eq!(alex.get("/checkins/999").await.status(), 404);
    assert_eq!(
        alex.post_form("/checkins/999/feeling", &[("feeling", "x")])
            .await
            .status(),
        404
    );

    let timeline = alex.page("/timeline?category=check-ins").await;
    assert!(timeline.contains("Sam recorded the check-in for"));
    assert!(timeline.contains("Alex added how they felt at the check-in for"));
    let list = alex.page("/checkins").await;
    assert!(list.contains("both of you wrote how you felt"));
}

#[tokio::test]
async fn the_second_feeling_can_come_later_and_the_agenda_says_it_is_missing() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    // An open proposal is on the agenda.
    assert_eq!(
        propose(&sam, &[("every", "week"), ("weekday", "sun")])
            .await
            .status(),
        303
    );
    let form = alex.page("/checkins/new").await;
    assert!(
        form.contains("Sam proposed check-ins every week on Sunday; Alex has not answered yet")
    );
    let r = alex
        .post_form(
            "/checkins",
            &[("notes", ""), ("feeling", ""), ("once", &once(&form))],
        )
        .await;
    assert_eq!(r.status(), 303);
    let path = location(&r);
    let page = sam.page(&path).await;
    assert!(page.contains("What was waiting at the time"));
    assert!(
        page.contains("Sam proposed check-ins every week on Sunday; Alex has not answered yet")
    );
    assert!(page.contains("No notes were written."));
    let next = sam.page("/checkins/new").await;
    assert!(next.contains("How Sam felt at the check-in of"));
    assert!(next.contains("How Alex felt at the check-in of"));
    let r = sam
        .post_form(
            &format!("{path}/feeling"),
            &[("feeling", "Calm."), ("once", &once(&page))],
        )
        .await;
    assert_eq!(r.status(), 303);
    let next = sam.page("/checkins/new").await;
    assert!(!next.contains("How Sam felt at the check-in of"));
    assert!(next.contains("How Alex felt at the check-in of"));
}

#[tokio::test]
async fn check_in_forms_refuse_odd_input_and_keep_what_was_typed() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let key = once(&sam.page("/checkins/new").await);
    let before = app.record_len().await;
    let tomorrow = today(&app).tomorrow().unwrap().to_string();
    let long_notes = "n".repeat(20_001);
    let long_feeling = "f".repeat(2_001);
    for (fields, message) in [
        (
            vec![("held_on", tomorrow.as_str())],
            "This day has not come yet",
        ),
        (vec![("held_on", "2020-01-01")], "within the last year"),
        (vec![("held_on", "soon")], "Please give the day as a date"),
        (vec![("notes", long_notes.as_str())], "the limit is 20000"),
        (
            vec![("feeling", long_feeling.as_str())],
            "the limit is 2000",
        ),
        (vec![("feeling", "\0")], "invisible control characters"),
    ] {
        let mut all = fields.clone();
        all.push(("once", &key));
        let r = sam.post_form("/checkins", &all).await;
        assert_eq!(r.status(), 422, "{message}");
        let body = r.text().await.unwrap();
        assert!(body.contains(message), "{message}");
        if fields[0].1 == long_notes {
            assert!(body.contains(&long_notes));
        }
    }
    // A feeling on its own page: empty and over the limit.
    let r = sam.post_form("/checkins", &[("once", &key)]).await;
    assert_eq!(r.status(), 303);
    let path = location(&r);
    let recorded = app.record_len().await;
    for (feeling, message) in [
        ("", "Please write how you felt."),
        (long_feeling.as_str(), "the limit is 2000"),
        ("a\0", "control characters"),
    ] {
        let r = sam
            .post_form(&format!("{path}/feeling"), &[("feeling", feeling)])
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains(message));
    }
    assert_eq!(app.record_len().await, recorded);
    assert_eq!(recorded, before + 1);
}

#[tokio::test]
async fn a_missed_check_in_is_shown_calmly_and_the_next_one_follows_the_rhythm() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let day0 = today(&app);
    let tomorrow = day0.tomorrow().unwrap();
    agree_weekly(&app, &sam, &alex, tomorrow.weekday()).await;
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let next = amends::checkins::next_due(&app.state.db.readers, &tz, app.state.clock.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next.status.next, tomorrow);
    assert_eq!(next.status.missed, 0);

    // Nine days pass without a check-in: two planned ones went by.
    advance_days(&app, &[&sam, &alex], 9).await;
    let page = sam.page("/checkins").await;
    assert!(page.contains("2 planned check-ins, from"), "{page}");
    assert!(page.contains("were not recorded."));
    assert!(page.contains("That happens."));
    let status = amends::checkins::next_due(&app.state.db.readers, &tz, app.state.clock.now())
        .await
        .unwrap()
        .unwrap()
        .status;
    assert_eq!(status.missed, 2);
    assert_eq!(status.first_missed, Some(tomorrow));

    // A check-in held today counts for the nearest planned day.
    let form = alex.page("/checkins/new").await;
    assert_eq!(
        alex.post_form("/checkins", &[("once", &once(&form))])
            .await
            .status(),
        303
    );
    let status = amends::checkins::next_due(&app.state.db.readers, &tz, app.state.clock.now())
        .await
        .unwrap()
        .unwrap()
        .status;
    assert_eq!(status.missed, 0);
    assert_eq!(
        status.next,
        tomorrow.checked_add(jiff::ToSpan::days(14)).unwrap()
    );
    let page = sam.page("/checkins").await;
    assert!(!page.contains("were not recorded"));
}
