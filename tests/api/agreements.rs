//! Agreements: co-writing, revisions, signing, amendments, ending, and
//! every refusal on the way.

use crate::helpers::{Browser, TestApp, location, spawn_app};

/// Today in the pair's zone (the test people chose Europe/Berlin).
pub fn today(app: &TestApp) -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    app.state.clock.now().to_zoned(tz).date()
}

pub fn days_from_today(app: &TestApp, n: i64) -> String {
    today(app)
        .checked_add(jiff::Span::new().days(n))
        .unwrap()
        .to_string()
}

/// One commitment row for a form: (owner id, text, kind, from, n, by, days).
pub struct Row<'a> {
    pub owner: &'a str,
    pub text: &'a str,
    pub kind: &'a str,
    pub from: String,
    pub n: &'a str,
    pub by: String,
    pub days: Vec<&'a str>,
}

impl<'a> Row<'a> {
    pub fn daily(owner: &'a str, text: &'a str, from: String) -> Self {
        Row {
            owner,
            text,
            kind: "daily",
            from,
            n: "",
            by: String::new(),
            days: vec![],
        }
    }

    pub fn standing(owner: &'a str, text: &'a str) -> Self {
        Row {
            owner,
            text,
            kind: "standing",
            from: String::new(),
            n: "",
            by: String::new(),
            days: vec![],
        }
    }
}

pub fn fields(
    title: &str,
    body: &str,
    rows: &[Row],
    base: Option<i64>,
    once: &str,
) -> Vec<(String, String)> {
    let mut f = vec![
        ("once".to_string(), once.to_string()),
        ("title".to_string(), title.to_string()),
        ("body".to_string(), body.to_string()),
        ("ends_on".to_string(), String::new()),
        ("action".to_string(), "save".to_string()),
    ];
    if let Some(base) = base {
        f.push(("base_revision".into(), base.to_string()));
    }
    for (i, r) in rows.iter().enumerate() {
        f.push((format!("c{i}_owner"), r.owner.into()));
        f.push((format!("c{i}_text"), r.text.into()));
        f.push((format!("c{i}_kind"), r.kind.into()));
        f.push((format!("c{i}_from"), r.from.clone()));
        f.push((format!("c{i}_n"), r.n.into()));
        f.push((format!("c{i}_by"), r.by.clone()));
        for d in &r.days {
            f.push((format!("c{i}_day"), d.to_string()));
        }
    }
    f
}

pub async fn post(b: &Browser, path: &str, f: &[(String, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post_form(path, &pairs).await
}

pub async fn scalar(app: &TestApp, sql: &'static str, id: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap()
}

pub async fn current_revision(app: &TestApp, id: i64) -> i64 {
    scalar(
        app,
        "SELECT current_revision_id FROM agreements WHERE id = ?",
        id,
    )
    .await
}

/// Starts a draft as `b`; returns the agreement id.
pub async fn start(app: &TestApp, b: &Browser, title: &str, body: &str, rows: &[Row<'_>]) -> i64 {
    let response = post(b, "/agreements", &fields(title, body, rows, None, "")).await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let to = location(&response);
    let id: i64 = to.trim_start_matches("/agreements/").parse().unwrap();
    assert!(app.record_len().await > 0);
    id
}

pub async fn propose(b: &Browser, id: i64, rev: i64) -> reqwest::Response {
    b.post_form(
        &format!("/agreements/{id}/propose"),
        &[("revision", &rev.to_string())],
    )
    .await
}

pub async fn sign(b: &Browser, id: i64, rev: i64) -> reqwest::Response {
    b.post_form(
        &format!("/agreements/{id}/sign"),
        &[("revision", &rev.to_string())],
    )
    .await
}

/// A draft both signed: returns the agreement id, in force as version 1.
pub async fn signed_agreement(
    app: &TestApp,
    sam: &Browser,
    alex: &Browser,
    rows: &[Row<'_>],
) -> i64 {
    let id = start(app, sam, "Evenings", "We talk every evening.", rows).await;
    let rev = current_revision(app, id).await;
    assert_eq!(propose(sam, id, rev).await.status(), 303);
    assert_eq!(sign(sam, id, rev).await.status(), 303);
    assert_eq!(sign(alex, id, rev).await.status(), 303);
    assert_eq!(state_of(app, id).await, "active");
    id
}

pub async fn state_of(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT state FROM agreements WHERE id = ?")
        .bind(id)
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap()
}

/// Moves the clock forward by whole days, in steps short enough that the
/// browsers' sessions (12 hours idle) stay signed in.
pub async fn advance_days(app: &TestApp, browsers: &[&Browser], days: i64) {
    for _ in 0..(days * 3) {
        app.advance(8 * 3600);
        for b in browsers {
            b.page("/agreements").await;
        }
    }
}

async fn kinds(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM ledger ORDER BY seq")
        .fetch_all(&app.state.db.readers)
        .await
        .unwrap()
}

#[tokio::test]
async fn two_people_write_propose_and_sign_an_agreement_into_version_one() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let from = days_from_today(&app, 0);
    let id = start(
        &app,
        &sam,
        "Evenings",
        "We **talk** every evening.",
        &[Row::daily("1", "Call at nine", from.clone())],
    )
    .await;
    // Alex reads and edits it.
    let page = alex.page(&format!("/agreements/{id}")).await;
    assert!(page.contains("<strong>talk</strong>"));
    assert!(page.contains("Call at nine"));
    let rev1 = current_revision(&app, id).await;
    let response = post(
        &alex,
        &format!("/agreements/{id}/edit"),
        &fields(
            "Evenings",
            "We talk every evening, phones away.",
            &[Row::daily("1", "Call at nine", from.clone())],
            Some(rev1),
            "",
        ),
    )
    .await;
    assert_eq!(response.status(), 303);
    let rev2 = current_revision(&app, id).await;
    assert_ne!(rev1, rev2);
    // Sam sees what Alex changed since the revision Sam last saw.
    let page = sam.page(&format!("/agreements/{id}")).await;
    assert!(page.contains("What changed since you last read it"));
    assert!(page.contains("<ins>"), "{page}");
    assert!(page.contains("phones away"));
    // Proposed, signed by both: version 1 is in force.
    assert_eq!(propose(&sam, id, rev2).await.status(), 303);
    assert_eq!(sign(&alex, id, rev2).await.status(), 303);
    assert_eq!(state_of(&app, id).await, "draft");
    assert_eq!(sign(&sam, id, rev2).await.status(), 303);
    assert_eq!(state_of(&app, id).await, "active");
    let page = sam.page(&format!("/agreements/{id}")).await;
    assert!(page.contains("In force · version 1"));
    let version = alex.page(&format!("/agreements/{id}/versions/1")).await;
    assert!(version.contains("Signed by both"));
    assert!(version.contains("Sam") && version.contains("Alex"));
    let hash: String =
        sqlx::query_scalar("SELECT content_hash FROM agreement_revisions WHERE id = ?")
            .bind(rev2)
            .fetch_one(&app.state.db.readers)
            .await
            .unwrap();
    assert!(version.contains(&hash), "the version names the signed hash");
    let print = sam
        .page(&format!("/agreements/{id}/versions/1/print"))
        .await;
    assert!(print.contains("Evenings") && print.contains(&hash));
    assert!(print.contains("entry #"));
    let commitment: i64 = scalar(
        &app,
        "SELECT id FROM commitments WHERE agreement_id = ?",
        id,
    )
    .await;
    assert!(
        sam.page(&format!("/commitments/{commitment}"))
            .await
            .contains("In force")
    );
    let k = kinds(&app).await;
    for kind in [
        "agreement.draft_started",
        "agreement.revised",
        "agreement.proposed",
        "agreement.signed",
        "agreement.activated",
    ] {
        assert!(k.iter().any(|x| x == kind), "{kind} missing from {k:?}");
    }
    // The record's body carries the full text.
    let body: Vec<u8> =
        sqlx::query_scalar("SELECT body FROM ledger WHERE kind = 'agreement.activated'")
            .fetch_one(&app.state.db.readers)
            .await
            .unwrap();
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("phones away") && body.contains("Call at nine"));
}

#[tokio::test]
async fn a_save_based_on_an_old_revision_is_refused_with_the_others_changes_and_the_text_kept() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = start(&app, &sam, "Money", "We share the bills.", &[]).await;
    let base = current_revision(&app, id).await;
    // Alex saves first.
    let response = post(
        &alex,
        &format!("/agreements/{id}/edit"),
        &fields("Money", "We share the bills monthly.", &[], Some(base), ""),
    )
    .await;
    assert_eq!(response.status(), 303);
    let before = app.record_len().await;
    // Sam saves on the old base.
    let response = post(
        &sam,
        &format!("/agreements/{id}/edit"),
        &fields(
            "Money",
            "We share the bills and savings.",
            &[],
            Some(base),
            "",
        ),
    )
    .await;
    assert_eq!(response.status(), 409);
    let page = response.text().await.unwrap();
    assert!(page.contains("Alex saved a change while you were editing"));
    assert!(page.contains("<ins>"));
    assert!(
        page.contains("We share the bills and savings."),
        "Sam's text is kept"
    );
    assert_eq!(app.record_len().await, before, "nothing was written");
    // Resolved: saving again from the form (now based on the current revision).
    let current = current_revision(&app, id).await;
    assert!(page.contains(&format!("name=\"base_revision\" value=\"{current}\"")));
    let response = post(
        &sam,
        &format!("/agreements/{id}/edit"),
        &fields(
            "Money",
            "We share the bills monthly, and savings.",
            &[],
            Some(current),
            "",
        ),
    )
    .await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn an_edit_after_a_signature_clears_it_and_the_form_says_so_before_saving() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = start(&app, &sam, "Phones", "Phones stay open.", &[]).await;
    let rev = current_revision(&app, id).await;
    propose(&sam, id, rev).await;
    sign(&sam, id, rev).await;
    let form = alex.page(&format!("/agreements/{id}/edit")).await;
    assert!(form.contains("Saving a change clears the signatures"));
    assert!(form.contains("Sam already signed"));
    let response = post(
        &alex,
        &format!("/agreements/{id}/edit"),
        &fields(
            "Phones",
            "Phones stay open on the table.",
            &[],
            Some(rev),
            "",
        ),
    )
    .await;
    assert_eq!(response.status(), 303);
    let live: i64 = scalar(
        &app,
        "SELECT COUNT(*) FROM agreement_signatures WHERE agreement_id = ? AND cleared_at IS NULL",
        id,
    )
    .await;
    assert_eq!(live, 0);
    // The new revision is not proposed: signing it is refused until it is.
    let new_rev = current_revision(&app, id).await;
    let before = app.record_len().await;
    assert_eq!(sign(&alex, id, new_rev).await.status(), 409);
    assert_eq!(app.record_len().await, before);
    assert_eq!(state_of(&app, id).await, "draft");
}

#[tokio::test]
async fn signing_a_revision_that_is_no_longer_current_is_refused() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = start(&app, &sam, "Visits", "We visit your mother monthly.", &[]).await;
    let old = current_revision(&app, id).await;
    propose(&sam, id, old).await;
    post(
        &sam,
        &format!("/agreements/{id}/edit"),
        &fields(
            "Visits",
            "We visit your mother twice a month.",
            &[],
            Some(old),
            "",
        ),
    )
    .await;
    let new = current_revision(&app, id).await;
    propose(&sam, id, new).await;
    let before = app.record_len().await;
    let response = sign(&alex, id, old).await;
    assert_eq!(response.status(), 409);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("no longer the current one")
    );
    assert_eq!(app.record_len().await, before);
    assert_eq!(sign(&alex, id, new).await.status(), 303);
}

#[tokio::test]
async fn declining_needs_a_note_and_keeps_the_draft_a_draft() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = start(&app, &sam, "Weekends", "Saturdays are ours.", &[]).await;
    let rev = current_revision(&app, id).await;
    propose(&sam, id, rev).await;
    sign(&sam, id, rev).await;
    let before = app.record_len().await;
    let response = alex
        .post_form(
            &format!("/agreements/{id}/decline"),
            &[("revision", &rev.to_string()), ("note", "  ")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(app.record_len().await, before);
    let response = alex
        .post_form(
            &format!("/agreements/{id}/decline"),
            &[
                ("revision", &rev.to_string()),
                ("note", "Sundays too, please."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(state_of(&app, id).await, "draft");
    let page = sam.page(&format!("/agreements/{id}")).await;
    assert!(page.contains("Not proposed for signing yet"));
    assert!(kinds(&app).await.iter().any(|k| k == "agreement.declined"));
}

#[tokio::test]
async fn both_signing_at_the_same_instant_make_exactly_one_version() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    for round in 0..5 {
        let id = start(&app, &sam, &format!("Round {round}"), "Text.", &[]).await;
        let rev = current_revision(&app, id).await;
        propose(&sam, id, rev).await;
        let (a, b) = tokio::join!(sign(&sam, id, rev), sign(&alex, id, rev));
        assert_eq!(a.status(), 303);
        assert_eq!(b.status(), 303);
        let versions = scalar(
            &app,
            "SELECT COUNT(*) FROM agreement_versions WHERE agreement_id = ?",
            id,
        )
        .await;
        assert_eq!(versions, 1);
        assert_eq!(state_of(&app, id).await, "active");
    }
    let activated = kinds(&app)
        .await
        .iter()
        .filter(|k| *k == "agreement.activated")
        .count();
    assert_eq!(activated, 5);
}

#[tokio::test]
async fn impossible_schedules_are_refused_with_their_reasons() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let before = app.record_len().await;
    let today = days_from_today(&app, 0);
    let rows = [
        Row {
            n: "0",
            kind: "every_n_days",
            ..Row::daily("1", "Walk together", today.clone())
        },
        Row {
            kind: "one_off",
            by: days_from_today(&app, -1),
            ..Row::daily("2", "Book the counsellor", today.clone())
        },
        Row {
            kind: "weekdays",
            ..Row::daily("1", "Cook", today.clone())
        },
    ];
    let response = post(
        &sam,
        "/agreements",
        &fields("Plans", "Text.", &rows, None, ""),
    )
    .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("Choose a number of days from 1 to 365."));
    assert!(page.contains("has already passed. Choose today or a later date."));
    assert!(page.contains("Choose at least one day of the week."));
    assert!(page.contains("Walk together") && page.contains("Book the counsellor"));
    assert_eq!(app.record_len().await, before);
}

#[tokio::test]
async fn hostile_and_oversized_input_comes_back_with_the_form_and_nothing_written() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let before = app.record_len().await;
    let cases: Vec<(String, String, &str)> = vec![
        ("Nul\0title".into(), "Text".into(), "control characters"),
        ("T".repeat(201), "Text".into(), "the limit is 200"),
        ("Title".into(), "x".repeat(50_001), "the limit is 50000"),
        ("".into(), "Text".into(), "Please write a title"),
        ("Title".into(), "".into(), "Please write what you agree on"),
    ];
    for (title, body, message) in cases {
        let response = post(&sam, "/agreements", &fields(&title, &body, &[], None, "")).await;
        assert_eq!(response.status(), 422, "{message}");
        assert!(
            response.text().await.unwrap().contains(message),
            "{message}"
        );
    }
    // 51 commitments are one too many.
    let texts: Vec<String> = (0..51).map(|i| format!("Commitment {i}")).collect();
    let rows: Vec<Row> = texts
        .iter()
        .map(|t| Row::standing("1", t.as_str()))
        .collect();
    let response = post(
        &sam,
        "/agreements",
        &fields("Many", "Text", &rows, None, ""),
    )
    .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("at most 50 commitments; this one has 51"));
    assert!(page.contains("Commitment 50"));
    // Malformed bodies are a 400 page.
    let response = sam.post_raw("/agreements", b"title=%FF".to_vec()).await;
    assert_eq!(response.status(), 400);
    assert_eq!(app.record_len().await, before);
    // Markup in the text is stored as typed but never shown unsanitised.
    let id = start(
        &app,
        &sam,
        "<script>alert(1)</script>",
        "<script>alert(2)</script><img src=x onerror=alert(3)>[x](javascript:alert(4))",
        &[Row::standing("1", "<b>never</b>")],
    )
    .await;
    let page = sam.page(&format!("/agreements/{id}")).await;
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("onerror"));
    assert!(!page.contains("href=\"javascript:"));
    assert!(!page.contains("<b>never</b>"));
    assert!(page.contains("alert(1)"), "the title is shown, as text");
}

#[tokio::test]
async fn a_replayed_save_is_recorded_once() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    let key = "0123456789abcdef0123456789abcdef";
    let f = fields("Once", "Text.", &[], None, key);
    assert_eq!(post(&sam, "/agreements", &f).await.status(), 303);
    let after_first = app.record_len().await;
    assert_eq!(post(&sam, "/agreements", &f).await.status(), 303);
    assert_eq!(app.record_len().await, after_first);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agreements")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn an_amendment_keeps_the_old_version_in_force_until_both_sign_it() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let today = days_from_today(&app, 0);
    let id = signed_agreement(
        &app,
        &sam,
        &alex,
        &[
            Row::daily("1", "Call at nine", today.clone()),
            Row::standing("1", "I will not drink"),
            Row::standing("2", "I will say when I am upset"),
        ],
    )
    .await;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM commitments WHERE agreement_id = ? ORDER BY id")
            .bind(id)
            .fetch_all(&app.state.db.readers)
            .await
            .unwrap();
    assert_eq!(ids.len(), 3);
    assert_eq!(
        alex.post_form(&format!("/agreements/{id}/amend"), &[])
            .await
            .status(),
        303
    );
    let form = alex.page(&format!("/agreements/{id}/edit")).await;
    assert!(form.contains(&format!("name=\"c0_carries\" value=\"{}\"", ids[0])));
    let rev = current_revision(&app, id).await;
    // Carry the first unchanged, change the second, drop the third, add one.
    let mut f = fields(
        "Evenings",
        "We talk every evening. Amended.",
        &[
            Row::daily("1", "Call at nine", today.clone()),
            Row::standing("1", "I will not drink at all"),
            Row::standing("2", "I will tell you about my day"),
        ],
        Some(rev),
        "",
    );
    f.push(("c0_carries".into(), ids[0].to_string()));
    f.push(("c1_carries".into(), ids[1].to_string()));
    let response = post(&alex, &format!("/agreements/{id}/edit"), &f).await;
    assert_eq!(response.status(), 303);
    // Still version 1 in force while the amendment waits.
    let page = sam.page(&format!("/agreements/{id}")).await;
    assert!(page.contains("In force · version 1"));
    assert!(page.contains("Amendment being written"));
    let rev = current_revision(&app, id).await;
    propose(&alex, id, rev).await;
    sign(&alex, id, rev).await;
    sign(&sam, id, rev).await;
    let page = sam.page(&format!("/agreements/{id}")).await;
    assert!(page.contains("In force · version 2"));
    // Version 1 stays readable with its text and signatures.
    let v1 = sam.page(&format!("/agreements/{id}/versions/1")).await;
    assert!(v1.contains("We talk every evening.") && !v1.contains("Amended."));
    assert!(v1.contains("I will not drink") && v1.contains("I will say when I am upset"));
    // Identity: the carried commitment keeps its id; the changed one too,
    // marked as changed; the dropped one ended; a new one was made.
    let v2 = sam.page(&format!("/agreements/{id}/versions/2")).await;
    assert!(v2.contains("changed in this version"));
    assert!(v2.contains(&format!("/commitments/{}", ids[0])));
    assert!(v2.contains(&format!("/commitments/{}", ids[1])));
    let ended = scalar(
        &app,
        "SELECT until_version FROM commitments WHERE id = ?",
        ids[2],
    )
    .await;
    assert_eq!(ended, 2);
    let changed_page = sam.page(&format!("/commitments/{}", ids[1])).await;
    assert!(changed_page.contains("I will not drink at all"));
    assert!(changed_page.contains("Version 1") && changed_page.contains("changed"));
}

#[tokio::test]
async fn a_signed_revision_cannot_be_changed_by_any_route() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = signed_agreement(&app, &sam, &alex, &[Row::standing("1", "I will not lie")]).await;
    let signed_rev = current_revision(&app, id).await;
    let snapshot = || async {
        sqlx::query_as::<_, (String, String, String)>(
            "SELECT title, body, content_hash FROM agreement_revisions WHERE id = ?",
        )
        .bind(signed_rev)
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap()
    };
    let original = snapshot().await;
    let before = app.record_len().await;
    // Editing with the signed revision as base: there is no open draft.
    for b in [&sam, &alex] {
        let response = post(
            b,
            &format!("/agreements/{id}/edit"),
            &fields("Changed", "Changed text", &[], Some(signed_rev), ""),
        )
        .await;
        assert_eq!(response.status(), 409);
        assert_eq!(b.get(&format!("/agreements/{id}/edit")).await.status(), 409);
        // Proposing, signing or declining it again changes nothing.
        assert_eq!(propose(b, id, signed_rev).await.status(), 409);
        assert_eq!(sign(b, id, signed_rev).await.status(), 409);
    }
    assert_eq!(app.record_len().await, before);
    // An amendment is a new revision; the signed one stays as it was.
    alex.post_form(&format!("/agreements/{id}/amend"), &[])
        .await;
    let rev = current_revision(&app, id).await;
    assert_ne!(rev, signed_rev);
    post(
        &alex,
        &format!("/agreements/{id}/edit"),
        &fields("Changed", "Changed text", &[], Some(rev), ""),
    )
    .await;
    assert_eq!(snapshot().await, original);
    // Not even directly in the database.
    assert!(
        app.sql("UPDATE agreement_revisions SET body = 'x'")
            .await
            .is_err()
    );
    assert!(app.sql("DELETE FROM agreement_revisions").await.is_err());
    assert_eq!(snapshot().await, original);
    let v1 = sam.page(&format!("/agreements/{id}/versions/1")).await;
    assert!(v1.contains("We talk every evening."));
}

#[tokio::test]
async fn ending_needs_both_signatures() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = signed_agreement(&app, &sam, &alex, &[Row::standing("1", "I will not lie")]).await;
    assert_eq!(
        sam.post_form(
            &format!("/agreements/{id}/end"),
            &[("note", "We are past this.")]
        )
        .await
        .status(),
        303
    );
    assert_eq!(state_of(&app, id).await, "active");
    // Signing again as the proposer changes nothing.
    sam.post_form(&format!("/agreements/{id}/end/sign"), &[])
        .await;
    assert_eq!(state_of(&app, id).await, "active");
    let waiting = alex.page("/agreements").await;
    assert!(waiting.contains("proposed ending"));
    assert_eq!(
        alex.post_form(&format!("/agreements/{id}/end/sign"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(state_of(&app, id).await, "ended");
    let commitment = scalar(
        &app,
        "SELECT id FROM commitments WHERE agreement_id = ?",
        id,
    )
    .await;
    assert!(
        sam.page(&format!("/commitments/{commitment}"))
            .await
            .contains("Not in force")
    );
    assert!(kinds(&app).await.iter().any(|k| k == "agreement.ended"));
    // Every version stays readable.
    sam.page(&format!("/agreements/{id}/versions/1")).await;
}

#[tokio::test]
async fn an_agreement_ends_by_itself_after_its_agreed_end_date() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let mut f = fields(
        "For a month",
        "Until the holidays.",
        &[Row::standing("1", "I will not lie")],
        None,
        "",
    );
    let end = days_from_today(&app, 1);
    for pair in f.iter_mut() {
        if pair.0 == "ends_on" {
            pair.1 = end.clone();
        }
    }
    let response = post(&sam, "/agreements", &f).await;
    assert_eq!(response.status(), 303);
    let id: i64 = location(&response)
        .trim_start_matches("/agreements/")
        .parse()
        .unwrap();
    let rev = current_revision(&app, id).await;
    propose(&sam, id, rev).await;
    sign(&sam, id, rev).await;
    sign(&alex, id, rev).await;
    assert!(sam.page("/agreements").await.contains("In force"));
    advance_days(&app, &[&sam], 3).await;
    let list = sam.page("/agreements").await;
    assert!(list.contains("Ended on its agreed date"));
    let commitment = scalar(
        &app,
        "SELECT id FROM commitments WHERE agreement_id = ?",
        id,
    )
    .await;
    assert!(
        sam.page(&format!("/commitments/{commitment}"))
            .await
            .contains("Not in force")
    );
}

#[tokio::test]
async fn what_waits_on_a_person_lists_what_to_sign() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = start(&app, &sam, "Sundays", "Sundays together.", &[]).await;
    let rev = current_revision(&app, id).await;
    propose(&sam, id, rev).await;
    let waiting = amends::agreements::waiting_for(&app.state.db.readers, 2, app.state.clock.now())
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].kind, amends::agreements::WaitingKind::Sign);
    assert!(
        alex.page("/agreements")
            .await
            .contains("is proposed for signing")
    );
    sign(&alex, id, rev).await;
    let waiting = amends::agreements::waiting_for(&app.state.db.readers, 2, app.state.clock.now())
        .await
        .unwrap();
    assert!(waiting.is_empty());
}

#[tokio::test]
async fn signed_out_visitors_cannot_reach_agreements_or_commitments() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    let id = signed_agreement(&app, &sam, &alex, &[Row::standing("1", "I will not lie")]).await;
    let stranger = app.browser();
    for path in [
        "/agreements".to_string(),
        format!("/agreements/{id}"),
        format!("/agreements/{id}/versions/1/print"),
        "/commitments/1".to_string(),
    ] {
        assert_eq!(stranger.get(&path).await.status(), 303, "{path}");
    }
    let before = app.record_len().await;
    for path in [
        "/agreements".to_string(),
        format!("/agreements/{id}/amend"),
        format!("/agreements/{id}/end"),
        "/commitments/1/record".to_string(),
    ] {
        assert_eq!(stranger.post_form(&path, &[]).await.status(), 401, "{path}");
    }
    // Cross-site posts are refused even for a signed-in person.
    assert_eq!(
        sam.post_cross_site(&format!("/agreements/{id}/amend"), &[])
            .await
            .status(),
        403
    );
    assert_eq!(app.record_len().await, before);
}

/// A breach (Sam broke trust) with two of Alex's requests, written directly.
async fn breach_with_requests(app: &TestApp) {
    app.sql(
        "INSERT INTO breaches (id, title, what_happened, happened_on, seriousness, broke_trust, recorded_by, created_at)
         VALUES (1, 'The weekend', 'I said I was at work.', '2026-01-01', 'serious', 1, 1, '2026-01-01T00:00:00.000000Z')",
    )
    .await
    .unwrap();
    app.sql(
        "INSERT INTO repair_requests (id, breach_id, text, created_by, created_at) VALUES
         (1, 1, 'Tell me where you are going', 2, '2026-01-02T00:00:00.000000Z'),
         (2, 1, 'Show me your messages when I ask', 2, '2026-01-02T00:00:00.000000Z')",
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_request_carried_into_a_new_draft_becomes_a_commitment_linked_both_ways() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    breach_with_requests(&app).await;
    let page = alex.page("/requests/1/agreement").await;
    assert!(page.contains("Carry it into an agreement as a commitment of Sam"));
    let response = alex
        .post_form("/requests/1/agreement", &[("target", "new")])
        .await;
    assert_eq!(response.status(), 303);
    let id: i64 = location(&response)
        .trim_start_matches("/agreements/")
        .parse()
        .unwrap();
    assert_eq!(
        scalar(&app, "SELECT breach_id FROM agreements WHERE id = ?", id).await,
        1
    );
    let page = sam.page(&format!("/agreements/{id}")).await;
    assert!(page.contains("Tell me where you are going") && page.contains("from a request"));
    // The breach's page says where each request went.
    let breach = alex.page("/breaches/1").await;
    assert!(breach.contains("In an agreement") && breach.contains("/requests/1/agreement"));
    assert!(breach.contains("Not in an agreement yet") && breach.contains("/requests/2/agreement"));
    // One request goes into one agreement.
    let before = app.record_len().await;
    assert_eq!(
        sam.post_form("/requests/1/agreement", &[("target", "new")])
            .await
            .status(),
        409
    );
    assert_eq!(app.record_len().await, before);
    // An edit through the form keeps the link.
    let rev = current_revision(&app, id).await;
    let form = sam.page(&format!("/agreements/{id}/edit")).await;
    assert!(form.contains("name=\"c0_request\" value=\"1\""));
    let mut f = fields(
        "After the weekend",
        "What we agree.",
        &[Row::daily(
            "1",
            "Tell me where you are going",
            days_from_today(&app, 0),
        )],
        Some(rev),
        "",
    );
    f.push(("c0_request".into(), "1".into()));
    assert_eq!(
        post(&sam, &format!("/agreements/{id}/edit"), &f)
            .await
            .status(),
        303
    );
    let rev = current_revision(&app, id).await;
    propose(&sam, id, rev).await;
    sign(&sam, id, rev).await;
    sign(&alex, id, rev).await;
    let commitment = scalar(
        &app,
        "SELECT commitment_id FROM request_commitments WHERE request_id = ?",
        1,
    )
    .await;
    let page = alex.page("/requests/1/agreement").await;
    assert!(page.contains(&format!("/commitments/{commitment}")));
    let page = alex.page(&format!("/commitments/{commitment}")).await;
    assert!(page.contains("Carried from a request"));
    assert!(page.contains("/breaches/1#request-1"));
}

#[tokio::test]
async fn a_request_can_be_carried_into_an_open_draft_which_clears_its_signatures() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    breach_with_requests(&app).await;
    let id = start(
        &app,
        &alex,
        "Together",
        "Text.",
        &[Row::standing("2", "I will say so")],
    )
    .await;
    let rev = current_revision(&app, id).await;
    propose(&alex, id, rev).await;
    sign(&alex, id, rev).await;
    let page = sam.page("/requests/2/agreement").await;
    assert!(page.contains("The open draft"));
    let response = sam
        .post_form("/requests/2/agreement", &[("target", &id.to_string())])
        .await;
    assert_eq!(response.status(), 303);
    let body: Vec<u8> = sqlx::query_scalar("SELECT body FROM ledger ORDER BY seq DESC LIMIT 1")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("Show me your messages when I ask") && body.contains("carried_request"));
    let live = scalar(
        &app,
        "SELECT COUNT(*) FROM agreement_signatures WHERE agreement_id = ? AND cleared_at IS NULL",
        id,
    )
    .await;
    assert_eq!(live, 0);
    let page = alex.page(&format!("/agreements/{id}")).await;
    assert!(page.contains("I will say so") && page.contains("Show me your messages"));
    // A draft that does not exist, or a malformed target, is refused.
    assert_eq!(
        sam.post_form("/requests/1/agreement", &[("target", "999")])
            .await
            .status(),
        404
    );
    assert_eq!(
        sam.post_form("/requests/1/agreement", &[("target", "x")])
            .await
            .status(),
        400
    );
    assert_eq!(
        sam.post_form("/requests/99/agreement", &[("target", "new")])
            .await
            .status(),
        404
    );
}
