//! Extreme numbers and times through every endpoint that writes one, then every page
//! and endpoint of that incident read back: a write is accepted or refused with a 4xx
//! naming the field, and nothing afterwards answers 5xx or closes the connection.
//! A value that was accepted once must never make a later read fail.

use crate::common;

use common::{As, TestApp, read, sign_in, spawn_app};
use proptest::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Whole numbers at and around every edge a field could overflow at.
fn extreme_integer() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(i64::MAX),
        Just(i64::MIN),
        Just(i64::MAX / 60),
        Just(i64::MAX / 60_000),
        Just(-1),
        Just(0),
        Just(52_704_001),
        Just(1_000_000_000_001),
        any::<i64>(),
    ]
}

/// Times at the edges of what RFC 3339 and the store can hold, and any year in between.
fn extreme_time() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("9999-12-31T23:59:59Z".to_string()),
        Just("0001-01-01T00:00:00Z".to_string()),
        Just("0000-01-01T00:00:00Z".to_string()),
        Just("1969-12-31T23:59:59Z".to_string()),
        Just("1970-01-01T00:00:00Z".to_string()),
        Just("2199-12-31T23:59:59-23:59".to_string()),
        Just("2200-01-01T00:00:00Z".to_string()),
        Just("9999-12-31T23:59:59.999999999-23:59".to_string()),
        (1u32..=9999).prop_map(|year| format!("{year:04}-06-15T12:00:00Z")),
    ]
}

fn extreme_date() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("9999-12-31".to_string()),
        Just("0001-01-01".to_string()),
        Just("1969-12-31".to_string()),
        (1u32..=9999).prop_map(|year| format!("{year:04}-02-28")),
    ]
}

#[derive(Debug, Clone)]
struct Extremes {
    number: i64,
    hours: f64,
    time: String,
    second_time: String,
    date: String,
}

fn extremes() -> impl Strategy<Value = Extremes> {
    (
        extreme_integer(),
        prop_oneof![
            Just(1e308),
            Just(-1e308),
            Just(1e9),
            Just(0.5),
            any::<f64>().prop_filter("finite", |f| f.is_finite())
        ],
        extreme_time(),
        extreme_time(),
        extreme_date(),
    )
        .prop_map(|(number, hours, time, second_time, date)| Extremes { number, hours, time, second_time, date })
}

/// A write's answer: accepted, or refused as the caller's mistake; never a server error.
fn refused_or_accepted(what: &str, status: StatusCode, body: &Value) {
    assert!(!status.is_server_error(), "{what}: {status} {body}");
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        let fields = body["errors"].as_array().map(Vec::len).unwrap_or(0);
        assert!(fields > 0, "{what}: a 422 names the field at fault: {body}");
    }
}

async fn writes(app: &TestApp, value: &Extremes) -> (String, String) {
    let editor = As::User("editor");
    let (status, incident) = app
        .post(
            editor,
            "/api/v1/incidents",
            json!({"title": "Extremes", "severity": "SEV2", "started_at": value.time,
                   "responders": [{"username": "editor", "role": "incident_commander"}]}),
        )
        .await;
    refused_or_accepted("declare with an extreme start", status, &incident);
    let (status, incident) = app
        .post(
            editor,
            "/api/v1/incidents",
            json!({"title": "Extremes", "severity": "SEV2", "started_at": "2026-11-20T10:00:00Z",
                   "responders": [{"username": "editor", "role": "incident_commander"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let handle = incident["handle"].as_str().unwrap().to_string();
    let base = format!("/api/v1/incidents/{handle}");

    let (status, body) = app
        .patch(editor, &base, json!({"version": 1, "detected_at": value.time, "resolved_at": value.second_time}))
        .await;
    refused_or_accepted("moments", status, &body);
    let (status, event) = app
        .post(editor, &format!("{base}/events"), json!({"occurred_at": value.time, "kind": "note", "text": "extreme"}))
        .await;
    refused_or_accepted("event time", status, &event);
    let (status, event) = app
        .post(
            editor,
            &format!("{base}/events"),
            json!({"occurred_at": "2026-11-20T10:05:00Z", "kind": "page", "text": "Paged", "key_moment": "detection"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let event_id = event["id"].as_str().unwrap();
    let (status, body) = app
        .patch(
            editor,
            &format!("{base}/events/{event_id}"),
            json!({"version": event["version"], "occurred_at": value.second_time}),
        )
        .await;
    refused_or_accepted("event time changed", status, &body);
    let upload = format!("{{\"time\":\"{}\",\"text\":\"imported\",\"kind\":\"note\"}}\n", value.time);
    let response = app
        .request(editor, Method::POST, &format!("{base}/import?format=jsonl"))
        .header("content-type", "application/x-ndjson")
        .body(upload)
        .send()
        .await
        .expect("uploading");
    let (status, body) = read(response).await;
    assert!(!status.is_server_error(), "import: {status} {body}");

    let (status, postmortem) = app.post(editor, &format!("{base}/postmortem"), json!({"due_date": value.date})).await;
    refused_or_accepted("post-mortem due date", status, &postmortem);
    let (status, postmortem) = app.post(editor, &format!("{base}/postmortem"), json!({})).await;
    assert!(status == StatusCode::CREATED || status == StatusCode::CONFLICT, "{status} {postmortem}");
    let (_, postmortem) = app.get(editor, &format!("{base}/postmortem")).await;
    let id = postmortem["id"].as_str().unwrap().to_string();
    // One number at a time, so that one refused does not keep the others from being stored.
    for impact in [
        json!({"users_affected": value.number}),
        json!({"access_lost_minutes": value.number}),
        json!({"productivity_lost_hours": value.hours}),
    ] {
        let (_, postmortem) = app.get(editor, &format!("/api/v1/postmortems/{id}")).await;
        let mut current = postmortem["sections"]["impact"].clone();
        current.as_object_mut().unwrap().extend(impact.as_object().unwrap().clone());
        let (status, body) = app
            .put(
                editor,
                &format!("/api/v1/postmortems/{id}/sections/impact"),
                json!({"version": postmortem["version"], "value": current}),
            )
            .await;
        refused_or_accepted(&format!("damage scope {impact}"), status, &body);
    }
    let (_, postmortem) = app.get(editor, &format!("/api/v1/postmortems/{id}")).await;
    let (status, body) = app
        .patch(
            editor,
            &format!("/api/v1/postmortems/{id}"),
            json!({"version": postmortem["version"], "due_date": value.date}),
        )
        .await;
    refused_or_accepted("post-mortem due date changed", status, &body);
    let (status, body) =
        app.post(editor, &format!("{base}/action-items"), json!({"title": "Extreme", "due_date": value.date})).await;
    refused_or_accepted("action item due date", status, &body);
    (handle, id)
}

async fn reads_answer(app: &TestApp, cookie: &str, handle: &str, postmortem: &str) {
    let editor = As::User("editor");
    for path in [
        format!("/api/v1/incidents/{handle}"),
        format!("/api/v1/incidents/{handle}/events"),
        format!("/api/v1/incidents/{handle}/duplicates"),
        format!("/api/v1/incidents/{handle}/metrics"),
        format!("/api/v1/incidents/{handle}/policy"),
        format!("/api/v1/incidents/{handle}/history"),
        format!("/api/v1/incidents/{handle}/postmortem"),
        format!("/api/v1/postmortems/{postmortem}"),
        format!("/api/v1/postmortems/{postmortem}/completeness"),
        format!("/api/v1/postmortems/{postmortem}/lint"),
        format!("/api/v1/postmortems/{postmortem}/history"),
        format!("/api/v1/postmortems/{postmortem}/export?format=md"),
        format!("/api/v1/postmortems/{postmortem}/export?format=html"),
        format!("/api/v1/postmortems/{postmortem}/export?format=json"),
        "/api/v1/incidents".to_string(),
        "/api/v1/metrics".to_string(),
        "/api/v1/action-items".to_string(),
        "/api/v1/postmortems".to_string(),
    ] {
        let response = app.request(editor, Method::GET, &path).send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(response.status().is_success(), "{path}: {}", response.status());
    }
    for path in [
        "/".to_string(),
        "/incidents".to_string(),
        "/incidents/response-times".to_string(),
        format!("/incidents/{handle}"),
        format!("/incidents/{handle}/postmortem"),
        format!("/incidents/{handle}/postmortem/edit"),
        format!("/incidents/{handle}/postmortem/history"),
        format!("/incidents/{handle}/postmortem/markdown"),
        format!("/incidents/{handle}/action-items"),
        "/action-items".to_string(),
    ] {
        let response = app
            .client
            .get(app.url(&path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(response.status().is_success(), "{path}: {}", response.status());
    }
}

#[test]
fn extreme_values_written_anywhere_never_break_a_later_read() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let (app, cookie) = runtime.block_on(async {
        let app = spawn_app().await;
        let cookie = sign_in(&app, "editor").await;
        (app, cookie)
    });
    let config = ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(value in extremes())| {
        runtime.block_on(async {
            let (handle, postmortem) = writes(&app, &value).await;
            reads_answer(&app, &cookie, &handle, &postmortem).await;
        });
    });
}

#[tokio::test]
async fn the_largest_number_in_the_damage_scope_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let editor = As::User("editor");
    let (_, postmortem) = app.post(editor, &format!("/api/v1/incidents/{}/postmortem", seed.public), json!({})).await;
    let id = postmortem["id"].as_str().unwrap();
    let (status, body) = app
        .put(
            editor,
            &format!("/api/v1/postmortems/{id}/sections/impact"),
            json!({"version": postmortem["version"], "value": {"access_lost_minutes": i64::MAX}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "sections.impact.access_lost_minutes", "{body}");
    let (status, _) = app.get(editor, &format!("/api/v1/incidents/{}/policy", seed.public)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_event_in_the_year_9999_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let (status, body) = app
        .post(
            As::User("editor"),
            &format!("/api/v1/incidents/{}/events", seed.public),
            json!({"occurred_at": "9999-12-31T23:59:59Z", "kind": "note", "text": "far future"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "occurred_at", "{body}");
    let (_, events) = app.get(As::User("editor"), &format!("/api/v1/incidents/{}/events", seed.public)).await;
    assert_eq!(events["items"].as_array().map(Vec::len), Some(0), "nothing was stored: {events}");
}
