//! Learning across incidents over HTTP and on the pages: hotspots, fixes that did not hold,
//! the ledger of unknown causes, each as JSON, as a page and as CSV; the unknown cause's card
//! on the incident's page and what came back on a closed action item's page.

use hindsight_store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{self, As, TestApp, spawn_on};

async fn declare(app: &TestApp, title: &str, started: &str) -> String {
    let body = json!({"title": title, "severity": "SEV2", "started_at": started});
    let (status, made) = app.post(As::User("admin"), "/api/v1/incidents", body).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    made["handle"].as_str().unwrap().to_string()
}

async fn write_postmortem(app: &TestApp, handle: &str, root_cause: Value) -> String {
    let body = json!({"sections": {"root_cause": root_cause, "impact": {"access_lost_minutes": 45}}});
    let (status, pm) = app.post(As::User("admin"), &format!("/api/v1/incidents/{handle}/postmortem"), body).await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    pm["id"].as_str().unwrap().to_string()
}

async fn learning_across_incidents(store: Store) {
    let app = spawn_on(store).await;
    let admin = As::User("admin");
    let first = declare(&app, "Checkout pool exhausted", "2026-11-01T10:00:00Z").await;
    let back = declare(&app, "Checkout pool exhausted again", "2026-11-10T10:00:00Z").await;
    let open = declare(&app, "Nightly jobs stalled", "2026-11-05T02:00:00Z").await;
    write_postmortem(&app, &first, json!({"component": "db-pool", "certainty": "confirmed", "legacy_code": true}))
        .await;
    write_postmortem(&app, &back, json!({"component": "DB-pool", "certainty": "confirmed"})).await;
    let unknown = write_postmortem(&app, &open, json!({"certainty": "unknown", "clues": "Stalls at 02:00"})).await;
    // Fixed on the 3rd: an item recorded after the fact says when it closed.
    let item = json!({"title": "Cap the pool", "kind": "fix_root_cause", "status": "done", "closed_at": "2026-11-03T09:00:00Z"});
    let (status, item) = app.post(admin, &format!("/api/v1/incidents/{first}/action-items"), item).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let item = item["id"].as_str().unwrap().to_string();
    let late = json!({"title": "x", "kind": "fix_root_cause", "status": "open", "closed_at": "2026-11-03T09:00:00Z"});
    let (status, refused) = app.post(admin, &format!("/api/v1/incidents/{first}/action-items"), late).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    // The unknown cause's post-mortem is published.
    let operator = hindsight_core::access::Viewer::operator();
    for (version, status) in
        [(1, hindsight_core::PostmortemStatus::InReview), (2, hindsight_core::PostmortemStatus::Published)]
    {
        app.store.set_postmortem_status(&operator, &unknown, version, status).await.unwrap();
    }

    // As JSON.
    let november = "from=2026-11-01&to=2026-11-30";
    let (status, hotspots) = app.get(As::User("viewer"), &format!("/api/v1/insights/hotspots?{november}")).await;
    assert_eq!(status, StatusCode::OK, "{hotspots}");
    assert_eq!(hotspots["components"][0]["name"], "db-pool", "{hotspots}");
    assert_eq!(hotspots["components"][0]["incidents"], 2, "{hotspots}");
    assert_eq!(hotspots["components"][0]["impact_minutes"], 90, "{hotspots}");
    assert_eq!(hotspots["components"][0]["legacy"], 1, "{hotspots}");
    assert_eq!(hotspots["previous"], json!({"from": "2026-10-02", "to": "2026-10-31"}), "{hotspots}");
    let (status, fixes) = app.get(As::User("viewer"), &format!("/api/v1/insights/fixes?{november}")).await;
    assert_eq!(status, StatusCode::OK, "{fixes}");
    assert_eq!(fixes["did_not_hold"][0]["incident"], first.as_str(), "{fixes}");
    assert_eq!(fixes["did_not_hold"][0]["came_back"]["handle"], back.as_str(), "{fixes}");
    assert_eq!(fixes["did_not_hold"][0]["came_back"]["reason"], "component", "{fixes}");
    let (status, since) = app.get(As::User("viewer"), &format!("/api/v1/action-items/{item}/since")).await;
    assert_eq!((status, since[0]["handle"].clone()), (StatusCode::OK, json!(back)), "{since}");
    for bad in ["from=31/01/2026", "from=2026-12-01&to=2026-11-01", "from=1990-01-01&to=2026-01-01"] {
        let (status, problem) = app.get(admin, &format!("/api/v1/insights/hotspots?{bad}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "from", "{bad}: {problem}");
    }
    let (_, ledger) = app.get(As::User("viewer"), "/api/v1/insights/unknown-causes").await;
    assert_eq!(ledger[0]["incident"], open.as_str(), "{ledger}");
    assert_eq!(ledger[0]["clues"], "Stalls at 02:00", "{ledger}");

    // As pages and CSV.
    let viewer = common::sign_in(&app, "viewer").await;
    let (status, html) = common::page(&app, &viewer, &format!("/insights/hotspots?{november}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<svg") && html.contains(">db-pool</a>"), "{html}");
    assert!(html.contains("db-pool: 2 incidents in the period, 0 in the period before"), "{html}");
    let (status, html) = common::page(&app, &viewer, "/insights/hotspots?from=nonsense").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("YYYY-MM-DD"), "{html}");
    let response = common::no_redirects()
        .get(app.url(&format!("/insights/hotspots.csv?{november}")))
        .header(reqwest::header::COOKIE, &viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("kind,name,incidents,previous_incidents,impact_minutes"), "{csv}");
    assert!(csv.contains("component,db-pool,2,0,90,1,0,2026-11-01,2026-11-30"), "{csv}");
    let (_, html) = common::page(&app, &viewer, &format!("/insights/fixes?{november}")).await;
    assert!(html.contains("Fixes that did not hold <span class=\"muted\">(1)</span>"), "{html}");
    assert!(html.contains(&format!("<a href=\"/incidents/{back}\">{back}</a>")), "{html}");
    let (_, csv) = common::page(&app, &viewer, &format!("/insights/fixes.csv?{november}")).await;
    assert!(csv.contains(&format!("{first},db-pool,")) && csv.contains(&format!("false,{back},")), "{csv}");
    let (_, html) = common::page(&app, &viewer, "/insights/unknown-causes").await;
    assert!(html.contains("Stalls at 02:00"), "{html}");
    let (_, html) = common::page(&app, &viewer, &format!("/action-items/{item}")).await;
    assert!(html.contains("Since it closed") && html.contains(&format!("<a href=\"/incidents/{back}\">")), "{html}");

    // The unknown cause's card: viewers read it, editors record what was found.
    let (_, html) = common::page(&app, &viewer, &format!("/incidents/{open}")).await;
    assert!(html.contains("The root cause is still unknown") && !html.contains("Record what it was"), "{html}");
    let editor = common::sign_in(&app, "editor").await;
    let path = format!("/incidents/{open}/unknown-cause");
    let (status, _, html) = common::post_form(&app, &editor, &path, &[("found", " "), ("found_in", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("What it was: must not be empty"), "{html}");
    let found = [("found", "A cron job on the old host"), ("found_in", back.as_str())];
    let (status, to, _) = common::post_form(&app, &editor, &path, &found).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let (_, html) = common::page(&app, &editor, &format!("/incidents/{open}")).await;
    assert!(html.contains("Its cause was found in"), "{html}");
    let (_, ledger) = app.get(admin, "/api/v1/insights/unknown-causes").await;
    assert_eq!(ledger, json!([]));
    let (status, state) = app.get(admin, &format!("/api/v1/incidents/{open}/unknown-cause")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state["finding"]["found_in"], back.as_str(), "{state}");
    assert_eq!(state["finding"]["closed_by"], "editor", "{state}");
    let (status, state) = app.delete(admin, &format!("/api/v1/incidents/{open}/unknown-cause")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state["open"]["incident"], open.as_str(), "{state}");
    let (status, problem) =
        app.put(admin, &format!("/api/v1/incidents/{first}/unknown-cause"), json!({"found": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (_, audit) = app.get(admin, "/api/v1/audit/events?limit=20").await;
    assert!(audit.to_string().contains("recorded what an unknown cause was"), "{audit}");
}

#[tokio::test]
async fn learning_across_incidents_on_sqlite() {
    learning_across_incidents(hindsight_store::test_support::sqlite_store().await).await;
}

#[tokio::test]
async fn learning_across_incidents_on_postgres() {
    let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
    learning_across_incidents(store).await;
}

#[tokio::test]
async fn response_times_are_grouped_as_box_plots_with_small_groups_flagged() {
    let app = crate::common::spawn_app().await;
    let admin = As::User("admin");
    for (n, severity) in [(1, "SEV2"), (2, "SEV2"), (3, "SEV3")] {
        let body = json!({
            "title": format!("Checkout slow {n}"), "severity": severity, "status": "resolved",
            "started_at": "2026-11-01T10:00:00Z", "detected_at": format!("2026-11-01T10:0{n}:00Z"),
            "acknowledged_at": "2026-11-01T10:10:00Z", "mitigated_at": "2026-11-01T10:20:00Z",
            "resolved_at": format!("2026-11-01T1{n}:00:00Z"),
        });
        let (status, made) = app.post(admin, "/api/v1/incidents", body).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
    }
    let (status, report) = app.get(As::User("viewer"), "/api/v1/insights/response-times?by=severity").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["by"], "severity");
    let keys: Vec<&str> = report["groups"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["SEV2", "SEV3"], "{report}");
    assert_eq!(report["groups"][0]["report"]["time_to_detect_s"]["p50"], 60, "{report}");
    assert_eq!(report["groups"][0]["report"]["time_to_detect_s"]["p75"], 120, "{report}");
    assert_eq!(report["groups"][0]["few"], true, "{report}");
    let (status, report) = app.get(admin, "/api/v1/insights/response-times?by=month&severity=SEV3").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["groups"][0]["key"], "2026-11", "{report}");
    assert_eq!(report["groups"][0]["report"]["incidents"], 1, "{report}");
    let (status, problem) = app.get(admin, "/api/v1/insights/response-times?by=weekday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");

    let viewer = common::sign_in(&app, "viewer").await;
    let (status, html) = common::page(&app, &viewer, "/incidents/response-times?by=severity").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<h2 id=\"groups-h\">By severity</h2>") && html.contains("<svg"), "{html}");
    assert!(html.contains("Groups marked * hold fewer than five incidents"), "{html}");
    assert!(html.contains("SEV2: median 1m, middle half 1m to 2m"), "{html}");
    let (_, html) = common::page(&app, &viewer, "/incidents/response-times").await;
    assert!(!html.contains("groups-h"), "not grouped unless asked");
    let (status, csv) = common::page(&app, &viewer, "/incidents/response-times.csv?by=severity").await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with("severity,measure,incidents,min_s,p25_s,p50_s"), "{csv}");
    assert!(csv.contains("SEV3,time_to_resolve,1,10800,10800,10800"), "{csv}");
}

#[tokio::test]
async fn this_stops_inputs_are_refused_at_their_bounds() {
    // The server's own body limit (2 MiB), which the longest finding fits in.
    let settings = hindsight_server::Settings { max_body_bytes: 2 * 1024 * 1024, ..common::test_settings() };
    let app = common::spawn_configured(hindsight_store::test_support::sqlite_store().await, settings).await;
    let admin = As::User("admin");
    // Periods outside the years Hindsight keeps, too long, or not dates at all, each named.
    let long = "9".repeat(4_000);
    for (query, field) in [
        ("to=9999-12-31", "to"),
        ("from=0001-01-01&to=2026-01-01", "from"),
        ("from=1970-01-01&to=2199-12-31", "from"),
        (&*format!("from={long}"), "from"),
    ] {
        for path in ["/api/v1/insights/hotspots", "/api/v1/insights/fixes"] {
            let (status, problem) = app.get(admin, &format!("{path}?{query}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}?{query}: {problem}");
            assert_eq!(problem["errors"][0]["field"], field, "{path}?{query}: {problem}");
        }
    }
    let (status, _) = app.get(admin, &format!("/api/v1/insights/response-times?by={long}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A finding past the longest text, and found in a handle past any incident's.
    let handle = declare(&app, "Jobs stalled", "2026-11-05T02:00:00Z").await;
    let path = format!("/api/v1/incidents/{handle}/unknown-cause");
    let finding =
        json!({"found": "f".repeat(hindsight_core::validate::MAX_TEXT + 1), "found_in": format!("INC-{}", u64::MAX)});
    let (status, problem) = app.put(admin, &path, finding).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().contains("\"found\"") && problem.to_string().contains("\"found_in\""), "{problem}");
    // When an item closed: not in the future, not outside the years kept.
    for closed_at in ["9999-12-31T23:59:59Z", "2199-12-31T23:59:59Z", "1900-01-01T00:00:00Z"] {
        let item = json!({"title": "t", "kind": "fix_root_cause", "status": "done", "closed_at": closed_at});
        let (status, problem) = app.post(admin, &format!("/api/v1/incidents/{handle}/action-items"), item).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{closed_at}: {problem}");
        assert!(problem.to_string().contains("closed_at"), "{closed_at}: {problem}");
    }
}
