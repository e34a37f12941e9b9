//! `amends demo`: a year of made-up history, written through the app's own
//! forms, that verifies, holds everything the pages show, and can be signed
//! into with the printed passwords.

use std::sync::Arc;

use amends::app::{self, AppState, RecordStatus, Settings};
use amends::clock::Clock;
use amends::commitments::schedule::Schedule;
use amends::db::Db;
use amends::demo::{self, Options};
use amends::ledger::{self, Verdict};
use reqwest::redirect::Policy;

use crate::helpers::location;

async fn count(db: &Db, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&db.readers)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_year_of_demo_history_verifies_holds_every_kind_of_moment_and_is_made_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        data_dir: dir.path().join("demo"),
        days: 365,
        seed: demo::DEFAULT_SEED,
        time_zone: Some("Europe/Berlin".into()),
    };
    let made = demo::create(&options).await.expect("the demo is made");
    assert_eq!(made.people.len(), 2);
    assert!(made.entries > 500, "a year holds a lot: {}", made.entries);

    let clock = Arc::new(Clock::new());
    let db = Db::open(&options.data_dir, &clock).await.unwrap();
    // The record verifies, and holds what was reported.
    match ledger::verify(&db.readers).await.unwrap() {
        Verdict::Intact(head) => {
            assert_eq!(head.seq, made.entries);
            assert_eq!(head.hash, made.head);
        }
        Verdict::Broken(problem) => panic!("the demo record does not verify: {problem}"),
    }
    // Both people exist, with the printed names.
    let people = amends::auth::store::people(&db.readers).await.unwrap();
    let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [made.people[0].name.as_str(), made.people[1].name.as_str()]
    );

    // An active agreement with daily, weekday and standing commitments.
    let schedules: Vec<String> = sqlx::query_scalar(
        "SELECT c.schedule FROM commitments c JOIN agreements a ON a.id = c.agreement_id
         WHERE a.state = 'active' AND c.until_version IS NULL",
    )
    .fetch_all(&db.readers)
    .await
    .unwrap();
    let schedules: Vec<Schedule> = schedules
        .iter()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect();
    assert!(
        schedules
            .iter()
            .any(|s| matches!(s, Schedule::Daily { .. }))
    );
    assert!(
        schedules
            .iter()
            .any(|s| matches!(s, Schedule::Weekdays { .. }))
    );
    assert!(schedules.iter().any(|s| matches!(s, Schedule::Standing)));
    // One standing commitment came from a repair request.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM request_commitments").await,
        1
    );
    // Amended once: version 2 in force.
    assert_eq!(
        count(&db, "SELECT MAX(number) FROM agreement_versions").await,
        2
    );

    // Mostly kept, some broken, one pattern; disputes settled.
    let kept = count(
        &db,
        "SELECT COUNT(*) FROM commitment_records WHERE kind = 'kept'",
    )
    .await;
    let broken = count(
        &db,
        "SELECT COUNT(*) FROM commitment_records WHERE kind = 'broken'",
    )
    .await;
    assert!(
        broken >= 2 && kept > 10 * broken,
        "kept {kept}, broken {broken}"
    );
    assert!(count(&db, "SELECT COUNT(*) FROM commitment_patterns").await >= 1);
    let kinds: Vec<String> = sqlx::query_scalar("SELECT DISTINCT kind FROM ledger")
        .fetch_all(&db.readers)
        .await
        .unwrap();
    for kind in [
        "breach.recorded",
        "understanding.answered",
        "apology.answered",
        "repair.requested",
        "repair.commitment_confirmed",
        "agreement.activated",
        "commitment.confirmed",
        "commitment.disputed",
        "commitment.pattern_flagged",
        "checkin.held",
        "checkin.feeling_added",
        "noticed.written",
        "question.answered",
        "action.seen",
        "trust.sharing_changed",
        "pause.started",
        "pause.resumed",
        "trust.restored",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "no {kind} in the record");
    }
    // Trust levels (kept off the record), going up with setbacks.
    let levels: Vec<i64> = sqlx::query_scalar("SELECT level FROM trust_levels ORDER BY id")
        .fetch_all(&db.readers)
        .await
        .unwrap();
    assert!(levels.len() >= 5, "{levels:?}");
    assert!(levels.last() > levels.first(), "{levels:?}");
    assert!(
        levels.windows(2).any(|w| w[1] < w[0]),
        "a setback: {levels:?}"
    );
    // Check-ins most weeks, noticed changes now and then.
    assert!(count(&db, "SELECT COUNT(*) FROM checkins").await >= 30);
    assert!(count(&db, "SELECT COUNT(*) FROM noticed").await >= 5);

    // The printed password signs in, and the pages answer.
    let state = AppState {
        db: db.clone(),
        clock,
        settings: Arc::new(Settings::default()),
        record: Arc::new(RecordStatus::default()),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(app::serve(listener, state));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let response = client
        .post(format!("{base}/login"))
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[
            ("name", made.people[0].name.as_str()),
            ("password", made.people[0].password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/");
    for path in [
        "/",
        "/timeline",
        "/agreements/1",
        "/commitments/1",
        "/checkins",
    ] {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
    }

    // A second run on the same directory is refused, and changes nothing.
    let again = demo::create(&options).await;
    let message = format!("{:#}", again.expect_err("a second demo is refused"));
    assert!(message.contains("already holds data"), "{message}");
    match ledger::verify(&db.readers).await.unwrap() {
        Verdict::Intact(head) => assert_eq!(head.seq, made.entries),
        Verdict::Broken(problem) => panic!("{problem}"),
    }
}

#[tokio::test]
async fn the_same_seed_on_the_same_day_tells_the_same_story() {
    let dir = tempfile::tempdir().unwrap();
    let make = |name: &str| Options {
        data_dir: dir.path().join(name),
        days: 90,
        seed: 7,
        time_zone: Some("America/New_York".into()),
    };
    let first = demo::create(&make("a")).await.unwrap();
    let second = demo::create(&make("b")).await.unwrap();
    // The same entries at the same times. (A moment of the last day can
    // fall between the two runs, so compare up to the shorter record.)
    let through = first.entries.min(second.entries);
    assert!(first.entries.abs_diff(second.entries) <= 1);
    let mut heads = Vec::new();
    for name in ["a", "b"] {
        let db = Db::open(&dir.path().join(name), &Clock::new())
            .await
            .unwrap();
        let entries = ledger::entries_through(&db.readers, through).await.unwrap();
        heads.push(entries.last().unwrap().hash.clone());
        db.close().await;
    }
    assert_eq!(heads[0], heads[1]);
    assert_ne!(
        first.people[0].password, second.people[0].password,
        "passwords are never shared between demos"
    );
}
