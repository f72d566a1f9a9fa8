//! Similar past incidents over HTTP and on the incident's page.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{self, As, spawn_app};

#[tokio::test]
async fn similar_incidents_are_answered_with_their_reasons_and_listed_on_the_page() {
    let app = spawn_app().await;
    let admin = As::User("admin");
    let mut handles = Vec::new();
    for title in
        ["Checkout returns 502: connection pool exhausted", "Reporting: connection pool exhausted", "Printer offline"]
    {
        let (status, made) = app.post(admin, "/api/v1/incidents", json!({"title": title, "severity": "SEV2"})).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        handles.push(made["handle"].as_str().unwrap().to_string());
    }
    // The same alert in the first two, as Alertmanager's webhook would bring it.
    let viewer = hindsight_core::access::Viewer::operator();
    for (n, handle) in handles.iter().take(2).enumerate() {
        let number = hindsight_core::parse_incident_handle(handle).unwrap();
        let event = hindsight_store::ImportedEvent {
            occurred_at: time::macros::datetime!(2026-11-20 10:00 UTC),
            source: "alertmanager".into(),
            external_id: format!("alert-{n}"),
            kind: hindsight_core::EventKind::Alert,
            actor: None,
            text: "PoolExhausted firing".into(),
            key_moment: None,
            raw_payload: None,
            correlation: Some("{\"c\":{\"fingerprint\":\"9f2c1e\"}}".into()),
        };
        app.store.import_events(&viewer, number, &[event], &[]).await.unwrap();
    }
    let (status, similar) = app.get(As::User("viewer"), &format!("/api/v1/incidents/{}/similar", handles[0])).await;
    assert_eq!(status, StatusCode::OK, "{similar}");
    let first = &similar[0];
    assert_eq!(first["handle"], handles[1].as_str(), "{similar}");
    assert_eq!(first["reasons"][0], json!({"kind": "fingerprint", "fingerprint": "9f2c1e"}), "{similar}");
    assert!(first["reasons"].as_array().unwrap().iter().any(|r| r["kind"] == "words"), "{similar}");
    assert!(similar.as_array().unwrap().iter().all(|s| s["handle"] != handles[2].as_str()), "{similar}");
    for limit in ["0", "51", "x"] {
        let (status, _) = app.get(admin, &format!("/api/v1/incidents/{}/similar?limit={limit}", handles[0])).await;
        assert!(status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST, "{limit}: {status}");
    }
    let (status, _) = app.get(admin, "/api/v1/incidents/INC-999/similar").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let cookie = common::sign_in(&app, "viewer").await;
    let (_, html) = common::page(&app, &cookie, &format!("/incidents/{}", handles[0])).await;
    assert!(html.contains("Similar past incidents"), "{html}");
    assert!(html.contains(&format!("<a href=\"/incidents/{}\">{}</a>", handles[1], handles[1])), "{html}");
    assert!(html.contains("the same alert (9f2c1e)"), "{html}");
    let (_, html) = common::page(&app, &cookie, &format!("/incidents/{}", handles[2])).await;
    assert!(html.contains("None found"), "{html}");
}

#[tokio::test]
async fn an_editor_confirms_a_recurrence_from_the_similar_list_and_takes_it_back() {
    let app = spawn_app().await;
    let admin = As::User("admin");
    let mut handles = Vec::new();
    for (title, started) in
        [("Disk full on primary db", "2026-11-01T10:00:00Z"), ("Disk full on primary db again", "2026-11-20T10:00:00Z")]
    {
        let body = json!({"title": title, "severity": "SEV2", "started_at": started});
        let (status, made) = app.post(admin, "/api/v1/incidents", body).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        handles.push(made["handle"].as_str().unwrap().to_string());
    }
    let (later, earlier) = (&handles[1], &handles[0]);
    let editor = common::sign_in(&app, "editor").await;
    let page = format!("/incidents/{later}");
    let (_, html) = common::page(&app, &editor, &page).await;
    assert!(html.contains("The same failure come back"), "{html}");
    // The earlier incident offers no button for the later one.
    let (_, earlier_html) = common::page(&app, &editor, &format!("/incidents/{earlier}")).await;
    assert!(!earlier_html.contains("The same failure come back"), "{earlier_html}");
    let (status, to, _) = common::post_form(&app, &editor, &format!("{page}/recurrence"), &[("of", earlier)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let (_, html) = common::page(&app, &editor, &page).await;
    assert!(html.contains(&format!("A recurrence of <a href=\"/incidents/{earlier}\">{earlier}</a>")), "{html}");
    let (_, recurrence) = app.get(As::User("viewer"), &format!("/api/v1/incidents/{earlier}/recurrence")).await;
    assert_eq!(recurrence["recurred_as"], json!([later]), "{recurrence}");
    assert_eq!(recurrence["chain"][1]["confirmed_by"], "editor", "{recurrence}");
    // Kept in the audit log with who confirmed it.
    let (_, audit) = app.get(admin, "/api/v1/audit/events?limit=20").await;
    assert!(audit.to_string().contains(&format!("{later} recurs {earlier}")), "{audit}");
    // A later incident, or a handle that is none, is refused beside the card.
    let (status, _, html) =
        common::post_form(&app, &editor, &format!("/incidents/{earlier}/recurrence"), &[("of", later)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("an incident recurs an earlier one"), "{html}");
    let (status, body) =
        app.put(admin, &format!("/api/v1/incidents/{later}/recurrence"), json!({"of": "yesterday"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let viewer = common::sign_in(&app, "viewer").await;
    let (status, _, _) = common::post_form(&app, &viewer, &format!("{page}/recurrence/remove"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, to, _) = common::post_form(&app, &editor, &format!("{page}/recurrence/remove"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let (_, recurrence) = app.get(admin, &format!("/api/v1/incidents/{later}/recurrence")).await;
    assert_eq!(recurrence, json!({"recurs": null, "recurred_as": [], "chain": []}));
}
