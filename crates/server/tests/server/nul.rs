//! The NUL character (U+0000) in any text a caller sends: PostgreSQL cannot keep it, so on
//! both databases the same rule holds — 422 naming the field (the JSON path, the form
//! field, the query parameter), and an import rejects the record that holds it, with its
//! line, and imports the rest.

use crate::common;

use common::{As, PASSWORD, TestApp, csrf_token, no_redirects, page, sign_in, spawn_on};
use hindsight_store::{Store, test_support};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

/// The fields a 422 names.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str().map(str::to_string)).collect()
}

async fn json_bodies_refuse_nul_naming_the_field(app: &TestApp) {
    let cases = [
        ("/api/v1/incidents", json!({"title": "Checkout\u{0}down", "severity": "SEV2"}), "title"),
        (
            "/api/v1/incidents",
            json!({"title": "Checkout down", "severity": "SEV2", "description": "a\u{0}"}),
            "description",
        ),
        ("/api/v1/teams", json!({"slug": "payments", "name": "Pay\u{0}ments"}), "name"),
        ("/api/v1/users/editor/tokens", json!({"name": "ci\u{0}"}), "name"),
        ("/api/v1/session", json!({"username": "editor\u{0}", "password": PASSWORD}), "username"),
    ];
    for (path, body, field) in cases {
        let (status, problem) = app.post(As::User("admin"), path, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {problem}");
        assert_eq!(fields(&problem), [field], "{path}: {problem}");
    }
    let (_, incident) =
        app.post(As::User("editor"), "/api/v1/incidents", json!({"title": "Checkout down", "severity": "SEV2"})).await;
    let handle = incident["handle"].as_str().unwrap();
    let event = json!({"occurred_at": "2026-11-20T10:00:00Z", "kind": "note", "text": "x", "actor": "ana\u{0}"});
    let (status, problem) = app.post(As::User("editor"), &format!("/api/v1/incidents/{handle}/events"), event).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["actor"]);
    let nested = json!({"title": "Checkout down", "severity": "SEV2", "responders": [{"username": "x\u{0}", "role": "incident_commander"}]});
    let (status, problem) = app.post(As::User("editor"), "/api/v1/incidents", nested).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["responders[0].username"]);
}

async fn query_parameters_refuse_nul_naming_the_parameter(app: &TestApp) {
    let (status, problem) = app.get(As::User("editor"), "/api/v1/incidents?q=check%00out").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["q"]);
}

async fn forms_refuse_nul_naming_the_field(app: &TestApp) {
    let editor = sign_in(app, "editor").await;
    let (_, html) = page(app, &editor, "/incidents/new").await;
    let token = csrf_token(&html);
    let response = no_redirects()
        .post(app.url("/incidents/new"))
        .header(header::COOKIE, &editor)
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("csrf_token={token}&title=Checkout%00down&severity=SEV2"))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("title"), "{body}");
    let response = no_redirects()
        .post(app.url("/login"))
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("username=editor%00&password={}", PASSWORD.replace(' ', "+")))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("username"), "{body}");
}

async fn an_import_rejects_the_record_with_nul_and_keeps_the_rest(app: &TestApp) {
    let (_, incident) =
        app.post(As::User("editor"), "/api/v1/incidents", json!({"title": "Checkout down", "severity": "SEV2"})).await;
    let handle = incident["handle"].as_str().unwrap();
    let lines = [
        json!({"time": "2026-11-20T10:00:00Z", "kind": "note", "text": "first"}),
        json!({"time": "2026-11-20T10:01:00Z", "kind": "note", "text": "bad\u{0}text"}),
        json!({"time": "2026-11-20T10:02:00Z", "kind": "note", "text": "third", "actor": "a\u{0}"}),
        json!({"time": "2026-11-20T10:03:00Z", "kind": "note", "text": "fourth", "incident": "P\u{0}1"}),
        json!({"time": "2026-11-20T10:04:00Z", "kind": "note", "text": "last"}),
    ];
    let file: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let response = app
        .request(As::User("editor"), reqwest::Method::POST, &format!("/api/v1/incidents/{handle}/import?format=jsonl"))
        .body(file)
        .send()
        .await
        .unwrap();
    let (status, summary) = common::read(response).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["imported"], 2, "{summary}");
    let rejected: Vec<String> = summary["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}: {}", r["location"].as_str().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(rejected.len(), 3, "{rejected:?}");
    for (rejection, (line, field)) in rejected.iter().zip([(2, "text"), (3, "actor"), (4, "incident")]) {
        assert!(rejection.starts_with(&format!("body: line {line}: {field}")), "{rejection}");
        assert!(rejection.contains("NUL"), "{rejection}");
    }
}

async fn nul_is_refused_everywhere(store: Store) {
    let app = spawn_on(store).await;
    json_bodies_refuse_nul_naming_the_field(&app).await;
    query_parameters_refuse_nul_naming_the_parameter(&app).await;
    forms_refuse_nul_naming_the_field(&app).await;
    an_import_rejects_the_record_with_nul_and_keeps_the_rest(&app).await;
}

#[tokio::test]
async fn nul_is_refused_everywhere_sqlite() {
    nul_is_refused_everywhere(test_support::sqlite_store().await).await;
}

#[tokio::test]
async fn nul_is_refused_everywhere_postgres() {
    let Some(store) = test_support::postgres_store().await else { return };
    nul_is_refused_everywhere(store).await;
}
