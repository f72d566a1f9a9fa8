//! The OpenAPI document tells the truth: real requests and the answers the server gives
//! to them validate against the schemas the document gives for that operation, so a
//! client generated from it speaks the words the API takes (`admin`, `p1`, `triggered`).

use crate::common;

use common::{As, TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The schema the document gives at `pointer`, made standalone: its references into
/// `#/components/schemas` resolve against the document's components.
fn schema_at(doc: &Value, pointer: &str) -> Value {
    let schema = doc.pointer(pointer).unwrap_or_else(|| panic!("the document has no {pointer}"));
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "allOf": [schema],
    })
}

fn assert_valid(what: &str, schema: &Value, instance: &Value) {
    let validator =
        jsonschema::validator_for(schema).unwrap_or_else(|e| panic!("{what}: the schema is not valid: {e}"));
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} does not match the document:\n{}\n{instance:#}", errors.join("\n"));
}

/// `/api/v1/incidents/{handle}` as a JSON pointer step.
fn step(template: &str) -> String {
    template.replace('~', "~0").replace('/', "~1")
}

/// Sends one request, checks its body against the operation's request schema and the
/// answer against the schema of the status it came with; answers the body.
async fn exchange(
    app: &TestApp,
    doc: &Value,
    method: Method,
    template: &str,
    path: &str,
    body: Option<Value>,
    expected: StatusCode,
) -> Value {
    let operation = format!("/paths/{}/{}", step(template), method.as_str().to_lowercase());
    if let Some(body) = &body {
        let schema = schema_at(doc, &format!("{operation}/requestBody/content/application~1json/schema"));
        assert_valid(&format!("request to {method} {template}"), &schema, body);
    }
    let response = app.send(As::User("admin"), method.clone(), path, body).await;
    let status = response.status();
    let (_, answer) = common::read(response).await;
    assert_eq!(status, expected, "{method} {path}: {answer}");
    if status == StatusCode::NO_CONTENT {
        return answer;
    }
    let content = doc
        .pointer(&format!("{operation}/responses/{}/content", status.as_u16()))
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{method} {template}: the document lists no body for {status}"));
    let media =
        if content.contains_key("application/json") { "application~1json" } else { "application~1problem+json" };
    let schema = schema_at(doc, &format!("{operation}/responses/{}/content/{media}/schema", status.as_u16()));
    assert_valid(&format!("answer {status} to {method} {template}"), &schema, &answer);
    answer
}

#[tokio::test]
async fn requests_and_answers_match_the_document() {
    let app = spawn_app().await;
    let (status, doc) = app.get(As::Nobody, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let seed = app.seed().await;
    let handle = seed.public.as_str();
    let incident_path = format!("/api/v1/incidents/{handle}");

    // Writes, each request and answer checked.
    let writes = [
        (
            Method::POST,
            "/api/v1/incidents",
            "/api/v1/incidents".to_string(),
            json!({
                "title": "Search is slow", "severity": "SEV3", "status": "acknowledged", "services": ["search"],
                "detection_method": "customer_report", "started_at": "2026-11-21T08:00:00Z",
                "responders": [{"username": "editor", "role": "incident_commander"}]
            }),
        ),
        (
            Method::POST,
            "/api/v1/incidents/{handle}/events",
            format!("{incident_path}/events"),
            json!({"occurred_at": "2026-11-20T10:05:00Z", "kind": "page", "text": "Paged on-call",
                   "key_moment": "acknowledgement", "actor": "pagerduty"}),
        ),
        (
            Method::POST,
            "/api/v1/incidents/{handle}/postmortem",
            format!("{incident_path}/postmortem"),
            json!({"owner": "editor", "due_date": "2026-12-01"}),
        ),
        (
            Method::POST,
            "/api/v1/incidents/{handle}/action-items",
            format!("{incident_path}/action-items"),
            json!({"title": "Size the pool for peak load", "kind": "fix_root_cause", "priority": "p1",
                   "owner": "editor", "due_date": "2026-12-15"}),
        ),
    ];
    let mut made = Vec::new();
    for (method, template, path, body) in writes {
        made.push(exchange(&app, &doc, method, template, &path, Some(body), StatusCode::CREATED).await);
    }
    let [declared, _, postmortem, item] = &made[..] else { unreachable!("four writes") };
    let id = postmortem["id"].as_str().unwrap();
    let changes = [
        (
            "/api/v1/incidents/{handle}",
            format!("/api/v1/incidents/{}", declared["handle"].as_str().unwrap()),
            json!({"version": declared["version"], "status": "mitigated", "reason": "rolled back"}),
            Method::PATCH,
        ),
        (
            "/api/v1/postmortems/{id}/sections/{section}",
            format!("/api/v1/postmortems/{id}/sections/root_cause"),
            json!({"version": postmortem["version"], "value": {
                "description": "A connection pool too small for the new load", "certainty": "confirmed",
                "component": "checkout-db", "legacy_code": false, "must_fix": true}}),
            Method::PUT,
        ),
        (
            "/api/v1/action-items/{id}",
            format!("/api/v1/action-items/{}", item["id"].as_str().unwrap()),
            json!({"version": item["version"], "status": "in_progress"}),
            Method::PATCH,
        ),
    ];
    for (template, path, body, method) in changes {
        exchange(&app, &doc, method, template, &path, Some(body), StatusCode::OK).await;
    }

    // Reads of everything written.
    let reads = [
        ("/api/v1/me", "/api/v1/me".to_string()),
        ("/api/v1/users", "/api/v1/users".to_string()),
        ("/api/v1/teams", "/api/v1/teams".to_string()),
        ("/api/v1/services", "/api/v1/services".to_string()),
        ("/api/v1/incidents", "/api/v1/incidents".to_string()),
        ("/api/v1/incidents/{handle}", incident_path.clone()),
        ("/api/v1/incidents/{handle}/events", format!("{incident_path}/events")),
        ("/api/v1/incidents/{handle}/metrics", format!("{incident_path}/metrics")),
        ("/api/v1/incidents/{handle}/policy", format!("{incident_path}/policy")),
        ("/api/v1/incidents/{handle}/history", format!("{incident_path}/history")),
        ("/api/v1/postmortems/{id}", format!("/api/v1/postmortems/{id}")),
        ("/api/v1/postmortems/{id}/completeness", format!("/api/v1/postmortems/{id}/completeness")),
        ("/api/v1/postmortems/{id}/lint", format!("/api/v1/postmortems/{id}/lint")),
        ("/api/v1/action-items", "/api/v1/action-items".to_string()),
        ("/api/v1/metrics", "/api/v1/metrics".to_string()),
    ];
    for (template, path) in reads {
        exchange(&app, &doc, Method::GET, template, &path, None, StatusCode::OK).await;
    }

    // Errors are problems, as documented.
    let (_, incident) = app.get(As::User("admin"), &incident_path).await;
    exchange(
        &app,
        &doc,
        Method::PATCH,
        "/api/v1/incidents/{handle}",
        &incident_path,
        Some(json!({"version": incident["version"], "title": ""})),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    exchange(
        &app,
        &doc,
        Method::GET,
        "/api/v1/incidents/{handle}",
        "/api/v1/incidents/INC-999",
        None,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn every_word_the_document_lists_is_one_the_api_takes() {
    let app = spawn_app().await;
    let (_, doc) = app.get(As::Nobody, "/api/v1/openapi.json").await;
    let pattern = doc.pointer("/components/schemas/Severity/pattern").and_then(Value::as_str).expect("Severity");
    assert_eq!(pattern, "^SEV[1-5]$");
    let severities: Vec<Value> = (1..=5).map(|n| json!(format!("SEV{n}"))).collect();
    let statuses = doc.pointer("/components/schemas/IncidentStatus/enum").and_then(Value::as_array).expect("statuses");
    for severity in &severities {
        for status in statuses {
            let (code, body) = app
                .post(
                    As::User("editor"),
                    "/api/v1/incidents",
                    json!({"title": "Words", "severity": severity, "status": status}),
                )
                .await;
            assert_eq!(code, StatusCode::CREATED, "{severity} {status}: {body}");
        }
    }
    let roles = doc.pointer("/components/schemas/Role/enum").and_then(Value::as_array).expect("roles");
    assert!(roles.contains(&json!("admin")), "{roles:?}");
}
