//! Readers over HTTP: chosen by editors, asked on publish, and the "read and understood"
//! receipt from the API and from the post-mortem's page.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{self, As, spawn_app};

#[tokio::test]
async fn readers_are_chosen_by_editors_and_mark_a_published_postmortem_read() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let (admin, editor, viewer) = (As::User("admin"), As::User("editor"), As::User("viewer"));
    let (status, pm) = app.post(admin, &format!("/api/v1/incidents/{}/postmortem", seed.public), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    let id = pm["id"].as_str().unwrap();
    let readers = format!("/api/v1/postmortems/{id}/readers");
    // Proposed from the incident: payments owns the affected service `checkout`.
    let (status, proposed) = app.get(viewer, &readers).await;
    assert_eq!(status, StatusCode::OK, "{proposed}");
    assert_eq!(proposed["chosen"], false);
    assert_eq!(proposed["teams"], json!(["payments"]));
    let (status, _) = app.put(viewer, &readers, json!({"users": ["viewer"]})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = app.put(editor, &readers, json!({"users": ["nobody-here"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "users[0]");
    let (status, chosen) = app.put(editor, &readers, json!({"users": ["viewer", "responder"]})).await;
    assert_eq!(status, StatusCode::OK, "{chosen}");
    assert_eq!((chosen["chosen"].clone(), chosen["asked"].clone()), (json!(true), json!(2)));
    // A draft is not read yet.
    let (status, problem) = app.post(viewer, &format!("/api/v1/postmortems/{id}/read"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    let user = app.store.user_by_username("admin").await.unwrap();
    let admin_viewer = hindsight_core::access::Viewer {
        user_id: Some(hindsight_core::access::UserId::new(user.id)),
        username: user.username,
        role: user.role,
    };
    for (version, status) in
        [(1, hindsight_core::PostmortemStatus::InReview), (2, hindsight_core::PostmortemStatus::Published)]
    {
        app.store.set_postmortem_status(&admin_viewer, id, version, status).await.unwrap();
    }
    let (status, reading) = app.post(viewer, &format!("/api/v1/postmortems/{id}/read"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{reading}");
    assert_eq!(reading["read"], 1);

    // On the page: the responder reads it and presses the button.
    let cookie = common::sign_in(&app, "responder").await;
    let path = format!("/incidents/{}/postmortem", seed.public);
    let (_, html) = common::page(&app, &cookie, &path).await;
    assert!(html.contains("Read and understood by 1 of the 2 people asked, who have until "), "{html}");
    assert!(!html.contains("Save readers"), "a viewer is offered the readers' form");
    let (status, to, _) = common::post_form(&app, &cookie, &format!("{path}/read"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let (_, html) = common::page(&app, &cookie, &path).await;
    assert!(html.contains("Read and understood by 2 of the 2 people asked, who have until "), "{html}");
    assert!(html.contains("You marked it read and understood on"), "{html}");
    // An editor chooses readers with the page's form.
    let cookie = common::sign_in(&app, "editor").await;
    let (status, to, _) =
        common::post_form(&app, &cookie, &format!("{path}/readers"), &[("teams", "payments"), ("users", "@viewer")])
            .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let (_, reading) = app.get(viewer, &readers).await;
    assert_eq!(reading["teams"], json!(["payments"]));
    assert_eq!(reading["users"], json!(["viewer"]));
    // The team page lists what its members still have to read.
    let (status, _) = app.put(As::User("admin"), "/api/v1/teams/payments/members/outsider", json!({})).await;
    assert!(status.is_success(), "{status}");
    let (_, html) = common::page(&app, &cookie, "/teams/payments").await;
    assert!(html.contains("Still to read <span class=\"count\">1</span>"), "{html}");
    assert!(html.contains(&format!("outsider: <a href=\"{path}\">")), "{html}");
}

#[tokio::test]
async fn a_postmortem_starts_with_the_reader_teams_its_severity_asks_for() {
    let mut settings = common::test_settings();
    settings.rules.readers.teams_sev2 = vec!["support".into(), "leadership".into()];
    let app = common::spawn_configured(hindsight_store::test_support::sqlite_store().await, settings).await;
    let seed = app.seed().await;
    let (status, _) = app.post(As::User("admin"), "/api/v1/teams", json!({"slug": "support", "name": "Support"})).await;
    assert_eq!(status, StatusCode::CREATED);
    // The seed's public incident is a SEV2 of a service payments owns; leadership does not exist.
    let (status, pm) =
        app.post(As::User("editor"), &format!("/api/v1/incidents/{}/postmortem", seed.public), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    let (_, reading) =
        app.get(As::User("viewer"), &format!("/api/v1/postmortems/{}/readers", pm["id"].as_str().unwrap())).await;
    assert_eq!(reading["teams"], json!(["payments", "support"]));
    assert_eq!(reading["chosen"], false);
}
