//! Public summaries over HTTP: written and published by editors, read by anyone; and
//! nothing else of the record reaching the public pages, the feed or the public API: every
//! field of the incident, its post-mortem, timeline, action items and discussion is set to
//! a marker of its own, and no marker may show.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{self, As, TestApp};

/// `value` with every text in it replaced by a marker naming its path, so that a leak says
/// which field it came from.
fn marked(value: &Value, path: &str) -> Value {
    match value {
        Value::String(_) => Value::from(format!("LEAK-{path}")),
        Value::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| (k.clone(), marked(v, &format!("{path}.{k}")))).collect())
        }
        Value::Array(items) => {
            Value::Array(items.iter().enumerate().map(|(n, v)| marked(v, &format!("{path}[{n}]"))).collect())
        }
        other => other.clone(),
    }
}

/// Everything the public can fetch, as text.
async fn public_texts(app: &TestApp, id: &str) -> Vec<(String, StatusCode, String)> {
    let mut texts = Vec::new();
    for path in [
        "/public".to_string(),
        format!("/public/{id}"),
        "/public/feed.atom".to_string(),
        "/api/v1/public/summaries".to_string(),
        format!("/api/v1/public/summaries/{id}"),
    ] {
        let response = app.client.get(app.url(&path)).send().await.unwrap();
        let status = response.status();
        texts.push((path, status, response.text().await.unwrap()));
    }
    texts
}

async fn a_published_summary_shows_its_own_words_and_nothing_else(app: TestApp) {
    let admin = As::User("admin");
    app.post(admin, "/api/v1/teams", json!({"slug": "leak-team", "name": "LEAK-team-name"})).await;
    let service = json!({"slug": "leak-svc", "name": "LEAK-service-name", "owner_team": "leak-team"});
    app.post(admin, "/api/v1/services", service).await;
    let (status, incident) = app
        .post(
            admin,
            "/api/v1/incidents",
            json!({
                "title": "LEAK-incident-title", "description": "LEAK-incident-description", "severity": "SEV4",
                "services": ["leak-svc"], "teams": ["leak-team"],
                "started_at": "2026-11-20T10:00:00Z", "detected_at": "2026-11-20T10:04:00Z",
                "resolved_at": "2026-11-20T11:00:00Z", "status": "resolved",
                "responders": [{"username": "editor", "role": "incident_commander"}]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let handle = incident["handle"].as_str().unwrap().to_string();
    let events = format!("/api/v1/incidents/{handle}/events");
    let event = json!({"occurred_at": "2026-11-20T10:05:00Z", "kind": "note", "text": "LEAK-timeline-text"});
    assert_eq!(app.post(admin, &events, event).await.0, StatusCode::CREATED);
    let item = json!({"title": "LEAK-action-item-title", "description": "LEAK-action-item-description",
                      "kind": "fix_root_cause", "owner": "editor", "due_date": "2026-12-20"});
    let (status, item) = app.post(admin, &format!("/api/v1/incidents/{handle}/action-items"), item).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let sections = marked(&common::complete_sections(item["id"].as_str().unwrap()), "sections");
    let mut sections = sections;
    // Ids and enumerations keep their real values; every text is a marker.
    sections["root_cause"]["certainty"] = json!("confirmed");
    sections["damage_control"][0]["status"] = json!("done");
    sections["recommendations"][0]["action_items"] = json!([item["id"]]);
    let (status, pm) =
        app.post(admin, &format!("/api/v1/incidents/{handle}/postmortem"), json!({"sections": sections})).await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    let id = pm["id"].as_str().unwrap().to_string();
    let comments = format!("/api/v1/postmortems/{id}/comments");
    assert_eq!(app.post(admin, &comments, json!({"body": "LEAK-comment-body @editor"})).await.0, StatusCode::CREATED);

    let summary = format!("/api/v1/postmortems/{id}/public-summary");
    let draft = json!({"title": "Card payments failed for an hour", "body": "We are **sorry**. <script>alert(1)</script>",
                       "impact_began_at": "2026-11-20T10:00:00Z", "impact_ended_at": "2026-11-20T11:00:00Z"});
    let (status, _) = app.get(As::User("viewer"), &summary).await;
    assert_eq!(status, StatusCode::OK);
    let refused = app.send(As::User("viewer"), reqwest::Method::PUT, &summary, Some(draft.clone())).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let saved = app.send(As::User("editor"), reqwest::Method::PUT, &summary, Some(draft)).await;
    assert_eq!(saved.status(), StatusCode::OK);
    // Not before the post-mortem is published.
    let (status, problem) = app.post(As::User("editor"), &format!("{summary}/publish"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().contains("publish it before"), "{problem}");
    for (version, status) in [(1, "in_review"), (2, "published")] {
        let (code, body) = app
            .post(admin, &format!("/api/v1/postmortems/{id}/status"), json!({"version": version, "status": status}))
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
    }
    let (status, published) = app.post(As::User("editor"), &format!("{summary}/publish"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert!(published["summary"]["published_at"].is_string());

    for (path, status, text) in public_texts(&app, &id).await {
        assert_eq!(status, StatusCode::OK, "{path}: {text}");
        assert!(text.contains("Card payments failed for an hour"), "{path}: {text}");
        assert!(!text.contains("LEAK-"), "{path} shows a field of the record: {text}");
        for name in ["editor", "admin", &handle] {
            assert!(!text.contains(name), "{path} names {name}: {text}");
        }
        // The API answers the Markdown as written; pages and the feed only its sanitised HTML.
        if !path.starts_with("/api/") {
            assert!(!text.contains("<script>"), "{path} passes raw HTML: {text}");
        }
    }
    let page = app.client.get(app.url(&format!("/public/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<strong>sorry</strong>"), "{page}");
    let feed = app.client.get(app.url("/public/feed.atom")).send().await.unwrap();
    assert_eq!(feed.headers()["content-type"], "application/atom+xml; charset=utf-8");
    let feed = feed.text().await.unwrap();
    assert!(feed.contains("<feed") && feed.contains(&format!("urn:hindsight:public:{id}")), "{feed}");
    // Without public_url, the feed's id is still an absolute IRI.
    assert!(feed.contains("<id>urn:hindsight:public:feed</id>"), "{feed}");

    // Making the incident private takes it off at once; so does taking it off by hand.
    let (_, current) = app.get(admin, &format!("/api/v1/incidents/{handle}")).await;
    let private = json!({"version": current["version"], "private": true});
    let changed = app.send(admin, reqwest::Method::PATCH, &format!("/api/v1/incidents/{handle}"), Some(private)).await;
    assert_eq!(changed.status(), StatusCode::OK);
    for (path, status, text) in public_texts(&app, &id).await {
        assert!(!text.contains("Card payments failed"), "{path} still shows it ({status}): {text}");
    }
    let (status, _) = app.post(As::User("editor"), &format!("{summary}/unpublish"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.post(admin, &format!("{summary}/publish"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a private incident's summary cannot go public");
}

#[tokio::test]
async fn sqlite_a_published_summary_shows_its_own_words_and_nothing_else() {
    a_published_summary_shows_its_own_words_and_nothing_else(common::spawn_app().await).await;
}

#[tokio::test]
async fn postgres_a_published_summary_shows_its_own_words_and_nothing_else() {
    let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
    a_published_summary_shows_its_own_words_and_nothing_else(common::spawn_on(store).await).await;
}

#[tokio::test]
async fn users_who_lost_access_and_were_never_told_are_a_response_finding_until_the_summary_is_public() {
    let app = common::spawn_app().await;
    let seed = app.seed().await;
    let admin = As::User("admin");
    let item = json!({"title": "Fix", "kind": "fix_root_cause", "owner": "editor", "due_date": "2026-12-20"});
    let (_, item) = app.post(admin, &format!("/api/v1/incidents/{}/action-items", seed.public), item).await;
    let mitigated = json!({"occurred_at": "2026-11-20T10:30:00Z", "kind": "rollback", "text": "Rolled back",
                           "key_moment": "mitigation"});
    app.post(admin, &format!("/api/v1/incidents/{}/events", seed.public), mitigated).await;
    let sections = common::complete_sections(item["id"].as_str().unwrap());
    // Written by the editor: the admin approves it, and nobody approves their own.
    let path = format!("/api/v1/incidents/{}/postmortem", seed.public);
    let (_, pm) = app.post(As::User("editor"), &path, json!({"sections": sections})).await;
    let policy = format!("/api/v1/incidents/{}/policy", seed.public);
    let told = |report: &Value| report["response"].as_array().unwrap().iter().any(|f| f["topic"] == "users_told");
    let (_, report) = app.get(admin, &policy).await;
    assert!(told(&report), "1,200 users lost access and nobody told them: {report}");
    let id = pm["id"].as_str().unwrap();
    let summary = format!("/api/v1/postmortems/{id}/public-summary");
    let draft = json!({"title": "Checkout errors", "body": "Checkout failed for 31 minutes."});
    app.send(admin, reqwest::Method::PUT, &summary, Some(draft)).await;
    let status_path = format!("/api/v1/postmortems/{id}/status");
    let (code, body) = app.post(admin, &status_path, json!({"version": 1, "status": "in_review"})).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    common::approve(&app, id).await;
    let (code, body) = app.post(admin, &status_path, json!({"version": 2, "status": "published"})).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let (status, _) = app.post(admin, &format!("{summary}/publish"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, report) = app.get(admin, &policy).await;
    assert!(!told(&report), "the public summary told them: {report}");
}

#[tokio::test]
async fn the_new_inputs_are_refused_at_their_bounds() {
    let app = common::spawn_app().await;
    let seed = app.seed().await;
    let admin = As::User("admin");
    let (_, pm) = app.post(admin, &format!("/api/v1/incidents/{}/postmortem", seed.public), json!({})).await;
    let summary = format!("/api/v1/postmortems/{}/public-summary", pm["id"].as_str().unwrap());
    let long = json!({"title": "t".repeat(hindsight_core::MAX_PUBLIC_TITLE + 1), "body": "b".repeat(hindsight_core::MAX_PUBLIC_BODY + 1)});
    let refused = app.send(admin, reqwest::Method::PUT, &summary, Some(long)).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem = refused.text().await.unwrap();
    assert!(problem.contains("\"title\"") && problem.contains("\"body\""), "{problem}");
    for limit in [0, 201] {
        let (status, _) = app.get(admin, &format!("/api/v1/deliveries?limit={limit}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "limit {limit}");
    }
    let muted: Vec<&str> = std::iter::repeat_n("commented", hindsight_core::NotificationKind::ALL.len() + 1).collect();
    let refused = app.send(admin, reqwest::Method::PUT, "/api/v1/me/email", Some(json!({"muted": muted}))).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app.get(As::Nobody, &format!("/api/v1/public/summaries/{}", "a".repeat(65))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get(As::Nobody, "/api/v1/public/summaries?before=yesterday").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let destination =
        json!({"name": "n".repeat(101), "kind": "webhook", "url": format!("https://h/{}", "a".repeat(2_000))});
    let (status, problem) = app.post(admin, "/api/v1/destinations", destination).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem.to_string().contains("\"name\"") && problem.to_string().contains("\"url\""), "{problem}");
}
