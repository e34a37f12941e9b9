//! Two people and nobody else: setup, invites, signing in and out.

use crate::helpers::{PASSWORD, location, spawn_app};

#[tokio::test]
async fn setup_creates_the_first_account_and_signs_it_in() {
    let app = spawn_app().await;
    let sam = app.first_person("Sam").await;
    let today = sam.page("/").await;
    assert!(today.contains("Sam"));
    assert_eq!(app.record_len().await, 2, "account and time zone recorded");
}

#[tokio::test]
async fn without_a_valid_token_setup_is_404() {
    let app = spawn_app().await;
    let browser = app.browser();
    assert_eq!(
        browser
            .get("/setup/00000000000000000000000000000000")
            .await
            .status(),
        404
    );
    assert_eq!(browser.get("/setup/nonsense").await.status(), 404);
}

#[tokio::test]
async fn a_third_account_cannot_be_created() {
    let app = spawn_app().await;
    let (sam, _alex) = app.pair().await;
    // No invite can be made any more, and the database refuses a third row.
    let page = sam.post_form("/invite", &[]).await;
    assert_eq!(location(&page), "/invite");
    let insert = app
        .sql("INSERT INTO people (id, name, password_hash, created_at) VALUES (3, 'Mallory', 'x', '2026-01-01T00:00:00.000000Z')")
        .await;
    assert!(insert.is_err());
}

#[tokio::test]
async fn fifty_simultaneous_uses_of_one_invite_make_one_account() {
    let app = spawn_app().await;
    let sam = app.first_person("Sam").await;
    let path = app.invite_path(&sam).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let browser = app.browser();
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            let name = format!("Person {i}");
            browser
                .post_form(
                    &path,
                    &[
                        ("name", &name),
                        ("password", PASSWORD),
                        ("password_again", PASSWORD),
                    ],
                )
                .await
                .status()
                .as_u16()
        }));
    }
    let mut created = 0;
    for task in tasks {
        if task.await.unwrap() == 303 {
            created += 1;
        }
    }
    assert_eq!(created, 1);
    let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people")
        .fetch_one(&app.state.db.readers)
        .await
        .unwrap();
    assert_eq!(people, 2);
}

#[tokio::test]
async fn both_people_sign_out_and_in_again() {
    let app = spawn_app().await;
    let (sam, alex) = app.pair().await;
    for (browser, name) in [(sam, "Sam"), (alex, "Alex")] {
        let out = browser.post_form("/logout", &[]).await;
        assert_eq!(location(&out), "/login");
        assert_eq!(browser.get("/invite").await.status(), 303);
        let back = browser
            .post_form(
                "/login",
                &[("name", name), ("password", PASSWORD), ("next", "/invite")],
            )
            .await;
        assert_eq!(location(&back), "/invite");
        assert!(browser.page("/").await.contains(name));
    }
}

#[tokio::test]
async fn a_wrong_password_keeps_the_name_but_never_the_password() {
    let app = spawn_app().await;
    let sam = app.first_person("Sam").await;
    sam.post_form("/logout", &[]).await;
    let response = sam
        .post_form(
            "/login",
            &[("name", "Sam"), ("password", "not the password at all")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("value=\"Sam\""));
    assert!(!body.contains("not the password at all"));
}

#[tokio::test]
async fn next_with_an_absolute_url_is_ignored() {
    let app = spawn_app().await;
    let sam = app.first_person("Sam").await;
    sam.post_form("/logout", &[]).await;
    let response = sam
        .post_form(
            "/login",
            &[
                ("name", "Sam"),
                ("password", PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/");
}
