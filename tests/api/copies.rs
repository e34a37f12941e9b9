//! Copies of the record: taking one, what it holds, checking copies against
//! each other and against a rewritten database, the tripwire's endpoint, and
//! closing an account.

use std::io::Read;
use std::process::Command;

use amends::copies::compare;
use amends::ledger::chain::{self, Entry};
use amends::ledger::{self, Verdict};
use serde_json::{Value, json};

use crate::helpers::{Browser, PASSWORD, TestApp, location, spawn_app};

fn amends(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_amends"))
        .args(args)
        .output()
        .expect("run amends")
}

/// Some activity on the record, as features would write it.
async fn activity(app: &TestApp, n: usize) {
    let mut tx = app.state.db.begin_write().await.unwrap();
    for i in 0..n {
        ledger::append(
            &mut tx,
            &app.state.clock,
            Some(1 + (i as i64 % 2)),
            "breach.recorded",
            &format!("breach/{}", i % 3 + 1),
            &json!({
                "title": format!("Breach number {i}"),
                "what_happened": "First paragraph.\n\nSecond paragraph, with <b>markup</b> & </script> in it.",
                "serious": i % 2 == 0,
            }),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// Takes a copy through the page; returns the file name and the ZIP's bytes.
async fn take_copy(browser: &Browser) -> (String, Vec<u8>) {
    let page = browser.page("/copy").await;
    let once = once_of(&page);
    let response = browser.post_form("/copy", &[("once", &once)]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    let name = disposition
        .split("filename=\"")
        .nth(1)
        .unwrap()
        .trim_end_matches('"')
        .to_string();
    (name, response.bytes().await.unwrap().to_vec())
}

fn once_of(page: &str) -> String {
    let at = page.find("name=\"once\" value=\"").expect("a once key") + 19;
    page[at..at + 32].to_string()
}

fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        files.insert(file.name().unwrap().into_owned(), text);
    }
    files
}

fn write_temp(app: &TestApp, name: &str, bytes: &[u8]) -> String {
    let path = app.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

async fn live(app: &TestApp) -> Vec<Entry> {
    let head = app.record_len().await;
    ledger::entries_through(&app.state.db.readers, head)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_copy_page_offers_one_download_and_says_the_copy_is_the_guarantee() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let page = sam.page("/copy").await;
    assert!(page.contains(">My copy</a>"), "nav item");
    assert!(page.contains("action=\"/copy\""));
    assert!(page.contains("tripwire, not a guarantee"));
    assert!(page.contains("Your copy is the guarantee."));
    assert!(page.contains("id=\"tripwire\""));
    assert!(page.contains("js/tripwire.js"));
}

#[tokio::test]
async fn a_copy_holds_the_whole_record_its_checker_and_a_readable_archive() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    activity(&app, 5).await;
    let before = app.record_len().await;

    let (name, bytes) = take_copy(&sam).await;
    assert_eq!(
        app.record_len().await,
        before + 1,
        "taking a copy is recorded"
    );
    let entries = live(&app).await;
    let last = entries.last().unwrap();
    assert_eq!(last.kind, "copy.taken");
    assert_eq!(last.author, Some(1));
    assert_eq!(last.subject, "record");

    let day = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").unwrap())
        .date();
    assert_eq!(
        name,
        format!(
            "amends-{}-{}.zip",
            day.strftime("%Y-%m-%d"),
            &last.hash[..12]
        )
    );

    let files = unzip(&bytes);
    for wanted in [
        "record.jsonl",
        "manifest.json",
        "check.html",
        "README.txt",
        "archive/index.html",
        "archive/breach-1.html",
        "archive/person-1.html",
        "archive/record.html",
        "markdown/index.md",
        "markdown/breach-1.md",
    ] {
        assert!(files.contains_key(wanted), "{wanted} in {:?}", files.keys());
    }

    // The record: every entry, every hashed field, the copy's own entry last.
    let record = compare::parse_record(&files["record.jsonl"]).unwrap();
    assert_eq!(record, entries, "the copy is exactly the live record");
    assert!(chain::verify(&record).is_ok());
    let line = files["record.jsonl"].lines().next().unwrap();
    let positions: Vec<usize> = [
        "seq",
        "at",
        "author",
        "kind",
        "subject",
        "body",
        "prev_hash",
        "hash",
    ]
    .iter()
    .map(|k| line.find(&format!("\"{k}\":")).expect(k))
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{line}");
    let first: Value = serde_json::from_str(line).unwrap();
    assert!(first["body"].is_string(), "the body is the hashed text");

    let manifest: Value = serde_json::from_str(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["entries"], json!(entries.len()));
    assert_eq!(manifest["head_hash"], json!(last.hash));
    assert_eq!(manifest["exported_by"], json!("Sam"));
    assert_eq!(manifest["chain"], json!("intact"));
    assert_eq!(
        manifest["program"]["version"],
        json!(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(manifest["time_zone"], json!("Europe/Berlin"));

    // The checker: markers replaced, markup in bodies unable to end a script.
    let check = &files["check.html"];
    assert!(!check.contains("__AMENDS_THIS_COPY__"));
    assert!(!check.contains("/*AMENDS_CHAIN_JS*/"));
    assert!(check.contains("AmendsChain"));
    assert!(check.contains(&last.hash));
    assert!(check.contains("\\u003c/script>"));
    assert_eq!(check.matches("</script>").count(), 3, "only the page's own");

    // The readable archive: grouped by subject, plain sentences, escaped text.
    let breach = &files["archive/breach-1.html"];
    assert!(breach.contains("Sam recorded a breach"));
    assert!(breach.contains("<p>First paragraph.</p>"));
    assert!(breach.contains("&#60;b&#62;markup&#60;/b&#62;"), "{breach}");
    assert!(breach.contains("What happened"));
    assert!(!breach.contains("<b>markup"));
    assert!(files["archive/record.html"].contains("Sam took a copy of the record"));
    assert!(files["archive/person-2.html"].contains("Alex joined with an invite"));
    assert!(files["archive/index.html"].contains("Breaches"));
    assert!(files["markdown/breach-1.md"].contains("\\<b\\>markup"));

    // Both people see that a copy was taken.
    let alex_page = alex.page("/copy").await;
    assert!(alex_page.contains("Sam took a copy"), "visible to both");
}

#[tokio::test]
async fn a_replayed_download_is_recorded_once_and_still_gets_its_file() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let once = once_of(&sam.page("/copy").await);
    let before = app.record_len().await;
    for _ in 0..2 {
        let response = sam.post_form("/copy", &[("once", &once)]).await;
        assert_eq!(response.status(), 200);
        let files = unzip(&response.bytes().await.unwrap());
        assert!(files.contains_key("record.jsonl"));
    }
    assert_eq!(app.record_len().await, before + 1);
}

#[tokio::test]
async fn a_copy_cannot_be_taken_signed_out_or_from_another_site() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let before = app.record_len().await;
    assert_eq!(app.browser().post_form("/copy", &[]).await.status(), 401);
    assert_eq!(sam.post_cross_site("/copy", &[]).await.status(), 403);
    assert_eq!(app.record_len().await, before);
}

/// One way of changing an entry.
type Change = Box<dyn Fn(&mut Entry)>;

#[tokio::test]
async fn one_changed_byte_in_any_field_of_any_entry_is_named() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    activity(&app, 3).await;
    let (_, bytes) = take_copy(&sam).await;
    let path = write_temp(&app, "copy.zip", &bytes);
    let entries = compare::read_copy(std::path::Path::new(&path)).unwrap();
    assert!(chain::verify(&entries).is_ok());

    fn flip(text: &str) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        let i = chars.len() / 2;
        chars[i] = if chars[i] == '1' { '2' } else { '1' };
        chars.into_iter().collect()
    }
    for i in 0..entries.len() {
        let seq = entries[i].seq;
        let changes: Vec<(&str, Change)> = vec![
            ("seq", Box::new(|e: &mut Entry| e.seq += 10)),
            ("at", Box::new(|e: &mut Entry| e.at = flip(&e.at))),
            (
                "author",
                Box::new(|e: &mut Entry| e.author = Some(e.author.unwrap_or(0) + 1)),
            ),
            ("kind", Box::new(|e: &mut Entry| e.kind = flip(&e.kind))),
            (
                "subject",
                Box::new(|e: &mut Entry| e.subject = flip(&e.subject)),
            ),
            ("body", Box::new(|e: &mut Entry| e.body = flip(&e.body))),
            (
                "prev_hash",
                Box::new(|e: &mut Entry| e.prev_hash = flip(&e.prev_hash)),
            ),
            ("hash", Box::new(|e: &mut Entry| e.hash = flip(&e.hash))),
        ];
        for (field, change) in changes {
            let mut copy = entries.clone();
            change(&mut copy[i]);
            assert_ne!(copy, entries, "{field} of entry {seq} changed");
            // Also through the file, as a person would hand it over.
            let text: String = copy
                .iter()
                .map(|e| serde_json::to_string(e).unwrap() + "\n")
                .collect();
            let read = compare::parse_record(&text).unwrap();
            let problem = chain::verify(&read).expect_err(field);
            if field == "seq" {
                assert!(
                    problem
                        .reason
                        .contains(&format!("expected entry number {seq}")),
                    "{field} of entry {seq}: {problem}"
                );
            } else {
                assert_eq!(problem.seq, seq, "{field} of entry {seq}: {problem}");
            }
            let against = compare::compare(&entries, &read);
            assert!(!against.ok());
            assert_eq!(
                against.prefix.first_difference.as_ref().map(|d| d.seq),
                Some(seq)
            );
        }
    }
}

#[tokio::test]
async fn an_entry_removed_inserted_or_moved_breaks_the_copy() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    activity(&app, 4).await;
    let (_, bytes) = take_copy(&sam).await;
    let entries = compare::parse_record(&unzip(&bytes)["record.jsonl"]).unwrap();

    let mut removed = entries.clone();
    removed.remove(3);
    assert_eq!(chain::verify(&removed).unwrap_err().seq, 5);

    let mut inserted = entries.clone();
    inserted.insert(2, entries[5].clone());
    assert_eq!(chain::verify(&inserted).unwrap_err().seq, entries[5].seq);

    let mut moved = entries.clone();
    moved.swap(3, 4);
    assert_eq!(chain::verify(&moved).unwrap_err().seq, 5);
}

#[tokio::test]
async fn an_old_copy_is_a_prefix_of_a_later_one_after_more_activity() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    activity(&app, 3).await;
    let (_, old) = take_copy(&sam).await;
    activity(&app, 4).await;
    let (_, new) = take_copy(&alex).await;
    let old_path = write_temp(&app, "old.zip", &old);
    let new_path = write_temp(&app, "new.zip", &new);

    let old_entries = compare::read_copy(std::path::Path::new(&old_path)).unwrap();
    let new_entries = compare::read_copy(std::path::Path::new(&new_path)).unwrap();
    let result = compare::compare(&old_entries, &new_entries);
    assert!(result.ok(), "{}", result.report("the newer copy"));

    let output = amends(&["verify", "--against", &old_path, &new_path]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("prefix: all"), "{stdout}");
    assert!(stdout.contains("adds 5 entries"), "{stdout}");

    // A record.jsonl works as well as a ZIP, and so does the live record.
    let jsonl = write_temp(&app, "record.jsonl", unzip(&old)["record.jsonl"].as_bytes());
    let dir = app.dir.path().to_str().unwrap().to_string();
    let output = amends(&["verify", "--against", &jsonl, "--data-dir", &dir]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("in the live record, unchanged"), "{stdout}");

    // The newer copy is not a prefix of the older one: entries are missing.
    let output = amends(&["verify", "--against", &new_path, &old_path]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success());
    assert!(stdout.contains("missing:"), "{stdout}");
}

/// Rewrites entry `seq`'s body behind the app's back and recomputes every
/// later hash, as someone holding the database file could.
async fn rewrite_history(app: &TestApp, seq: i64, body: &str) {
    app.sql("DROP TRIGGER ledger_refuses_update").await.unwrap();
    let mut entries = live(app).await;
    let at = (seq - 1) as usize;
    entries[at].body = body.to_string();
    for i in at..entries.len() {
        if i > 0 {
            entries[i].prev_hash = entries[i - 1].hash.clone();
        }
        entries[i].hash = entries[i].computed_hash();
        sqlx::query("UPDATE ledger SET body = ?, prev_hash = ?, hash = ? WHERE seq = ?")
            .bind(entries[i].body.as_bytes())
            .bind(&entries[i].prev_hash)
            .bind(&entries[i].hash)
            .bind(entries[i].seq)
            .execute(&app.state.db.writer)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_rewritten_database_is_caught_by_an_old_copy_naming_the_entry() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    activity(&app, 4).await;
    let (_, old) = take_copy(&sam).await;
    let old_path = write_temp(&app, "old.zip", &old);
    activity(&app, 2).await;

    rewrite_history(&app, 4, r#"{"title":"Nothing happened"}"#).await;
    let Verdict::Intact(_) = ledger::verify(&app.state.db.readers).await.unwrap() else {
        panic!("the rewrite is whole on its own: only a copy can tell");
    };

    let old_entries = compare::read_copy(std::path::Path::new(&old_path)).unwrap();
    let result = compare::compare(&old_entries, &live(&app).await);
    assert!(!result.ok());
    assert!(result.new_chain.is_ok());
    assert_eq!(
        result.prefix.first_difference.as_ref().map(|d| d.seq),
        Some(4)
    );

    let dir = app.dir.path().to_str().unwrap().to_string();
    let output = amends(&["verify", "--against", &old_path, "--data-dir", &dir]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(stdout.contains("differs: entry 4 "), "{stdout}");
    assert!(
        stdout.contains("Breach number"),
        "the old version: {stdout}"
    );
    assert!(
        stdout.contains("Nothing happened"),
        "the new version: {stdout}"
    );
}

#[tokio::test]
async fn export_on_the_command_line_writes_the_same_copy_and_never_overwrites() {
    let app = spawn_app().await;
    let (_sam, _alex) = app.pair().await;
    activity(&app, 2).await;
    let dir = app.dir.path().to_str().unwrap().to_string();
    let file = app.dir.path().join("mine.zip");
    let file = file.to_str().unwrap();

    let output = amends(&["export", "--data-dir", &dir, file]);
    assert!(output.status.success(), "{output:?}");
    let entries = compare::read_copy(std::path::Path::new(file)).unwrap();
    assert!(chain::verify(&entries).is_ok());
    let last = entries.last().unwrap();
    assert_eq!((last.kind.as_str(), last.author), ("copy.taken", None));
    assert_eq!(entries, live(&app).await);
    let files = unzip(&std::fs::read(file).unwrap());
    assert!(files["archive/record.html"].contains("taken on the server&#39;s command line"));

    let before = std::fs::read(file).unwrap();
    let again = amends(&["export", "--data-dir", &dir, file]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read(file).unwrap(), before);
}

#[tokio::test]
async fn the_tripwire_gets_the_entries_since_with_the_one_it_remembers() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    activity(&app, 3).await;
    let all = live(&app).await;

    let since: Value = sam.get("/record/since?seq=2").await.json().await.unwrap();
    assert_eq!(since["anchor"]["hash"], json!(all[1].hash));
    assert_eq!(since["entries"].as_array().unwrap().len(), all.len() - 2);
    assert_eq!(since["entries"][0]["seq"], json!(3));
    assert!(since["entries"][0]["body"].is_string());
    assert_eq!(since["head"]["hash"], json!(all.last().unwrap().hash));
    assert_eq!(since["more"], json!(false));

    let from_start: Value = sam.get("/record/since?seq=0").await.json().await.unwrap();
    assert!(from_start["anchor"].is_null());
    let past_end: Value = sam.get("/record/since?seq=999").await.json().await.unwrap();
    assert!(past_end["anchor"].is_null());

    for bad in ["-1", "x", "", "1e3", "%00"] {
        let response = sam.get(&format!("/record/since?seq={bad}")).await;
        assert_eq!(response.status(), 400, "seq={bad}");
    }
    let response = app.browser().get("/record/since?seq=0").await;
    assert_eq!(response.status(), 303, "signed out: sent to sign in");

    activity(&app, 600).await;
    let paged: Value = sam.get("/record/since?seq=1").await.json().await.unwrap();
    assert_eq!(paged["entries"].as_array().unwrap().len(), 500);
    assert_eq!(paged["more"], json!(true));
}

#[tokio::test]
async fn closing_an_account_needs_the_password_and_rejects_hostile_input() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let page = sam.page("/account/close").await;
    assert!(page.contains("take your copy"));
    assert!(page.contains("Alex keeps everything"));
    let once = once_of(&page);
    let before = app.record_len().await;
    let long = "x".repeat(300);
    for password in [
        "",
        "not my password",
        "<script>alert(1)</script>",
        "a\0b",
        &long,
    ] {
        let response = sam
            .post_form("/account/close", &[("password", password), ("once", &once)])
            .await;
        assert_eq!(response.status(), 422, "password {password:?}");
        let body = response.text().await.unwrap();
        assert!(body.contains("id=\"password-error\""));
        assert!(!body.contains("<script>alert"), "nothing typed is echoed");
    }
    let response = sam
        .post_raw("/account/close", vec![0xff, 0xfe, b'=', 0x00])
        .await;
    assert!(response.status().is_client_error());
    let response = sam
        .post_cross_site("/account/close", &[("password", PASSWORD)])
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.record_len().await, before, "nothing was written");
    sam.page("/").await;
}

#[tokio::test]
async fn a_closed_account_cannot_sign_in_and_the_other_person_is_told() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let once = once_of(&sam.page("/account/close").await);
    let before = app.record_len().await;
    let response = sam
        .post_form("/account/close", &[("password", PASSWORD), ("once", &once)])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");

    // Recorded once; nothing else on the record changed.
    assert_eq!(app.record_len().await, before + 1);
    let last = live(&app).await.pop().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.author, last.subject.as_str()),
        ("account.closed", Some(1), "person/1")
    );
    let replay = sam
        .post_form("/account/close", &[("password", PASSWORD), ("once", &once)])
        .await;
    assert_eq!(replay.status(), 401, "the session has ended");
    assert_eq!(app.record_len().await, before + 1);

    // Signed out, and signing in no longer works.
    assert_eq!(sam.get("/").await.status(), 303);
    let login = app
        .browser()
        .post_form("/login", &[("name", "Sam"), ("password", PASSWORD)])
        .await;
    assert_eq!(login.status(), 422);

    // Alex is told, calmly, until they put the notice away.
    let page = alex.page("/").await;
    assert!(page.contains("Sam closed their account"), "{page}");
    assert!(
        alex.page("/copy")
            .await
            .contains("Sam closed their account")
    );
    let response = alex.post_form("/account/notice/dismiss", &[]).await;
    assert_eq!(response.status(), 303);
    assert!(!alex.page("/").await.contains("Sam closed their account"));
    assert_eq!(
        app.record_len().await,
        before + 1,
        "dismissing is not recorded"
    );

    // The record still verifies, on the server and on the command line.
    let dir = app.dir.path().to_str().unwrap().to_string();
    let output = amends(&["verify", "--data-dir", &dir]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("ok: "));
}

/// How long a copy of a ten-year record takes and how large it is.
/// `cargo test --features test-clock --test api -- --ignored --nocapture ten_year`
#[tokio::test]
#[ignore = "a measurement: appends 50,000 entries"]
async fn a_ten_year_record_exports_and_verifies() {
    measure(50_000).await;
}

#[tokio::test]
async fn a_few_thousand_entries_export_and_verify() {
    measure(3_000).await;
}

async fn measure(n: usize) {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let started = std::time::Instant::now();
    let mut tx = app.state.db.begin_write().await.unwrap();
    let kinds = [
        "commitment.kept",
        "checkin.held",
        "question.asked",
        "noticed.recorded",
        "apology.sent",
    ];
    for i in 0..n {
        let kind = kinds[i % kinds.len()];
        let noun = kind.split('.').next().unwrap();
        ledger::append(
            &mut tx,
            &app.state.clock,
            Some(1 + (i as i64 % 2)),
            kind,
            &format!("{noun}/{}", i % 400),
            &json!({
                "text": "Walked together after dinner and talked about the week, the good parts and the hard ones. It felt easier than last time.",
                "date": "2031-04-05",
                "mood": i % 10,
            }),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    eprintln!("appended {n} entries in {:?}", started.elapsed());

    let started = std::time::Instant::now();
    let (_, bytes) = take_copy(&sam).await;
    let took = started.elapsed();
    let entries = compare::parse_record(&unzip(&bytes)["record.jsonl"]).unwrap();
    assert!(chain::verify(&entries).is_ok());
    assert_eq!(entries.len(), n + app_entries_before_activity());
    eprintln!(
        "copy of {} entries: {took:?}, {} bytes ({:.1} MiB)",
        entries.len(),
        bytes.len(),
        bytes.len() as f64 / 1048576.0
    );
}

/// account.created ×2, pair.time_zone_set, copy.taken.
fn app_entries_before_activity() -> usize {
    4
}
