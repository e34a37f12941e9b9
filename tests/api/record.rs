//! The record: appending, verifying, refusing changes, migrations, backups.

use std::process::Command;

use amends::clock::Clock;
use amends::db::{self, Db, MIGRATOR};
use amends::ledger::{self, Verdict};
use serde_json::json;

use crate::helpers::spawn_app;

async fn append(app: &crate::helpers::TestApp, n: usize) {
    for i in 0..n {
        let mut tx = app.state.db.begin_write().await.unwrap();
        ledger::append(
            &mut tx,
            &app.state.clock,
            Some(1),
            "test.note",
            "test/1",
            &json!({ "i": i, "text": "Zoë — 東京 🌱" }),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

fn amends(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_amends"))
        .args(args)
        .output()
        .expect("run amends")
}

#[tokio::test]
async fn appended_entries_verify_and_the_fingerprint_follows() {
    let app = spawn_app().await;
    append(&app, 5).await;
    let Verdict::Intact(head) = ledger::verify(&app.state.db.readers).await.unwrap() else {
        panic!("chain should verify");
    };
    assert_eq!(head.seq, 5);
    let fingerprint = ledger::fingerprint(&app.state.db.readers).await.unwrap();
    assert_eq!(fingerprint.hash, head.hash);
    let page = app.browser().page("/").await;
    assert!(page.contains("#5"), "footer shows the latest entry number");
}

#[tokio::test]
async fn times_never_go_backwards_even_when_the_clock_does() {
    let app = spawn_app().await;
    append(&app, 1).await;
    app.advance(-3600);
    append(&app, 1).await;
    let entries = ledger::entries_after(&app.state.db.readers, 0, 10)
        .await
        .unwrap();
    assert!(entries[1].at >= entries[0].at);
}

#[tokio::test]
async fn update_and_delete_on_the_record_are_refused_by_the_database() {
    let app = spawn_app().await;
    append(&app, 2).await;
    let update = app
        .sql("UPDATE ledger SET kind = 'forged' WHERE seq = 1")
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = app.sql("DELETE FROM ledger").await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert_eq!(app.record_len().await, 2);
}

#[tokio::test]
async fn a_body_changed_behind_the_triggers_back_is_named_by_verify() {
    let app = spawn_app().await;
    append(&app, 3).await;
    app.sql("DROP TRIGGER ledger_refuses_update").await.unwrap();
    app.sql("UPDATE ledger SET body = CAST('{\"i\":99}' AS BLOB) WHERE seq = 2")
        .await
        .unwrap();
    let Verdict::Broken(problem) = ledger::verify(&app.state.db.readers).await.unwrap() else {
        panic!("chain should be broken");
    };
    assert_eq!(problem.seq, 2);

    let dir = app.dir.path().to_str().unwrap().to_string();
    let output = amends(&["verify", "--data-dir", &dir]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("entry 2"),
        "verify names the entry: {stdout}"
    );
}

#[tokio::test]
async fn verify_on_a_new_data_directory_reports_zero_entries() {
    let dir = tempfile::tempdir().unwrap();
    let output = amends(&["verify", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("ok: 0 entries, head "));
}

#[tokio::test]
async fn migrations_run_on_a_fresh_directory() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), &Clock::new()).await.unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&db.readers)
        .await
        .unwrap();
    assert_eq!(applied as usize, MIGRATOR.iter().count());
    assert!(!dir.path().join("backups").exists(), "nothing to back up");
}

#[tokio::test]
async fn pending_migrations_on_existing_data_take_a_backup_first() {
    let dir = tempfile::tempdir().unwrap();
    {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(dir.path().join("amends.db"))
                    .create_if_missing(true)
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal),
            )
            .await
            .unwrap();
        MIGRATOR.run_to(1, &pool).await.unwrap();
        pool.close().await;
    }
    let db = Db::open(dir.path(), &Clock::new()).await.unwrap();
    let backups: Vec<_> = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .collect();
    assert_eq!(backups.len(), 1);
    let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people")
        .fetch_one(&db.readers)
        .await
        .unwrap();
    assert_eq!(people, 0, "the later migrations ran");
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused() {
    let app = spawn_app().await;
    app.sql("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99999, 'future', 1, x'00', 0)")
        .await
        .unwrap();
    let error = Db::open(app.dir.path(), &Clock::new()).await.unwrap_err();
    assert!(format!("{error:#}").contains("newer version of Amends"));
}

#[tokio::test]
async fn a_backup_of_a_live_database_being_written_verifies() {
    let app = spawn_app().await;
    append(&app, 20).await;
    let writer = {
        let state = app.state.clone();
        tokio::spawn(async move {
            for i in 0..200 {
                let mut tx = state.db.begin_write().await.unwrap();
                ledger::append(
                    &mut tx,
                    &state.clock,
                    None,
                    "test.busy",
                    "test/2",
                    &json!({ "i": i }),
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }
        })
    };
    let file = app.dir.path().join("copy.db");
    let report = db::backup(&app.state.db, &file).await.unwrap();
    writer.await.unwrap();
    assert!(report.head.seq >= 20);
    assert!(report.bytes > 0);
    // The copy's head is an entry of the live record.
    let live = ledger::entries_after(&app.state.db.readers, report.head.seq - 1, 1)
        .await
        .unwrap();
    assert_eq!(live[0].hash, report.head.hash);
    // And a second backup to the same file is refused.
    assert!(db::backup(&app.state.db, &file).await.is_err());
}

#[tokio::test]
async fn the_backup_command_refuses_to_overwrite() {
    let app = spawn_app().await;
    append(&app, 2).await;
    let dir = app.dir.path().to_str().unwrap().to_string();
    let file = app.dir.path().join("b.db");
    let first = amends(&["backup", "--data-dir", &dir, file.to_str().unwrap()]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("2 entries"));
    let second = amends(&["backup", "--data-dir", &dir, file.to_str().unwrap()]);
    assert!(!second.status.success());
}

#[tokio::test]
async fn a_broken_chain_found_at_start_is_shown_on_every_page() {
    let app = spawn_app().await;
    append(&app, 2).await;
    app.sql("DROP TRIGGER ledger_refuses_update").await.unwrap();
    app.sql("UPDATE ledger SET kind = 'forged' WHERE seq = 1")
        .await
        .unwrap();
    amends::app::check_record(&app.state).await.unwrap();
    let page = app.browser().page("/").await;
    assert!(page.contains("The record does not verify"));
    assert!(page.contains("entry 1"));
    let missing = app
        .browser()
        .get("/no-such-page")
        .await
        .text()
        .await
        .unwrap();
    assert!(missing.contains("The record does not verify"));
    let health: serde_json::Value = app.browser().get("/healthz").await.json().await.unwrap();
    assert_eq!(health["record"], "broken");
}
