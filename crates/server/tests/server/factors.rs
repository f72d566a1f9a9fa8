//! Contributing factors, follow-through and one post-mortem for several incidents, over HTTP
//! and on the pages: the taxonomy, tagging a post-mortem (API and its page's card), the
//! factors counted over a period, the incident list filtered on a factor, post-mortem
//! coverage of an incident that resolved needing a post-mortem, and a post-mortem covering a
//! related incident with their timelines merged.

use hindsight_store::Store;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{self, As, spawn_on};

async fn factors_and_follow_through(store: Store) {
    let app = spawn_on(store).await;
    let (admin, editor, viewer) = (As::User("admin"), As::User("editor"), As::User("viewer"));
    let (status, taxonomy) = app.get(viewer, "/api/v1/factors").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(taxonomy[0]["key"], "change", "{taxonomy}");
    assert_eq!(taxonomy.as_array().unwrap().len(), 13, "the documented defaults");

    // An incident that resolves as SEV1 needs a post-mortem: the policy's decision is kept
    // and its draft is started.
    let body = json!({"title": "Checkout down", "severity": "SEV1", "started_at": "2026-11-03T10:00:00Z"});
    let (_, made) = app.post(admin, "/api/v1/incidents", body).await;
    let handle = made["handle"].as_str().unwrap().to_string();
    let resolve = json!({"version": 1, "status": "resolved", "resolved_at": "2026-11-03T12:00:00Z"});
    let (status, resolved) = app.patch(editor, &format!("/api/v1/incidents/{handle}"), resolve).await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    let (status, pm) = app.get(viewer, &format!("/api/v1/incidents/{handle}/postmortem")).await;
    assert_eq!(status, StatusCode::OK, "{pm}");
    let id = pm["id"].as_str().unwrap().to_string();

    // Tagging: in the taxonomy's order, without repeats; viewers may not; unknown keys named.
    let path = format!("/api/v1/postmortems/{id}/factors");
    let (status, tagged) = app.put(editor, &path, json!({"factors": ["testing", "change", "testing"]})).await;
    assert_eq!(status, StatusCode::OK, "{tagged}");
    assert_eq!(tagged["factors"][0], json!({"key": "change", "label": "A change", "retired": false}), "{tagged}");
    assert_eq!(tagged["factors"][1]["key"], "testing", "{tagged}");
    let (status, _) = app.put(viewer, &path, json!({"factors": []})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = app.put(editor, &path, json!({"factors": ["human"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "factors[0]", "{problem}");
    // At their bounds: more keys than a taxonomy may hold, a key of 4,000 characters.
    let (status, problem) = app.put(editor, &path, json!({"factors": vec!["change"; 61]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "factors", "{problem}");
    let (status, problem) = app.put(editor, &path, json!({"factors": ["k".repeat(4_000)]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().len() < 2_000, "the key is not echoed whole: {problem}");
    let (_, read) = app.get(viewer, &path).await;
    assert_eq!(read, tagged);

    // Counted over a period, against the period before.
    let november = "from=2026-11-01&to=2026-11-30";
    let (status, report) = app.get(viewer, &format!("/api/v1/insights/factors?{november}")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["postmortems"].clone(), report["tagged"].clone()), (json!(1), json!(1)), "{report}");
    let change = report["factors"].as_array().unwrap().iter().find(|f| f["key"] == "change").unwrap();
    assert_eq!((change["incidents"].clone(), change["previous_incidents"].clone()), (json!(1), json!(0)));
    let (_, other) = app.get(viewer, &format!("/api/v1/insights/factors?{november}&severity=SEV2")).await;
    assert_eq!(other["postmortems"], 0, "the list's filters narrow what is counted: {other}");
    let (status, problem) = app.get(viewer, &format!("/api/v1/insights/factors?{november}&severity=SEV9")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (_, list) = app.get(viewer, "/api/v1/incidents?factor=testing").await;
    assert_eq!(list["items"][0]["handle"], handle.as_str(), "{list}");
    let (_, list) = app.get(viewer, "/api/v1/incidents?factor=capacity").await;
    assert_eq!(list["items"], json!([]), "{list}");

    // Follow-through: the draft started, not yet published; due dates from the deadlines.
    let (status, follow) = app.get(viewer, &format!("/api/v1/insights/follow-through?{november}")).await;
    assert_eq!(status, StatusCode::OK, "{follow}");
    let all = &follow["coverage"]["all"];
    assert_eq!(
        (all["required"].clone(), all["started"].clone(), all["published"].clone()),
        (json!(1), json!(1), json!(0))
    );
    assert_eq!(follow["coverage"]["severities"][0]["group"], "SEV1", "{follow}");
    assert_eq!(follow["coverage"]["undecided"], 0, "{follow}");

    // The pages.
    let reader = common::sign_in(&app, "viewer").await;
    let (status, html) = common::page(&app, &reader, &format!("/insights/factors?{november}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("<svg") && html.contains("A change: 1 incident in the period, 0 in the period before"),
        "{html}"
    );
    assert!(html.contains("/incidents?factor=change&#38;since=2026-11-01&#38;until=2026-11-30"), "{html}");
    let (_, csv) = common::page(&app, &reader, &format!("/insights/factors.csv?{november}")).await;
    assert!(csv.starts_with("key,label,retired,incidents,previous_incidents"), "{csv}");
    assert!(csv.contains("change,A change,false,1,0,1,2026-11-01,2026-11-30"), "{csv}");
    let (status, html) = common::page(&app, &reader, &format!("/insights/follow-through?{november}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("0 of 1 required post-mortems published (0%)"), "{html}");
    let (_, csv) = common::page(&app, &reader, &format!("/insights/follow-through.csv?{november}")).await;
    assert!(csv.contains("postmortems_required,SEV1,1,1,0,0,0,"), "{csv}");
    let (_, html) = common::page(&app, &reader, "/incidents?factor=testing").await;
    assert!(html.contains("Checkout down"), "{html}");
    let (status, html) = common::page(&app, &reader, "/insights/follow-through?from=2026-02-30").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (_, html) = common::page(&app, &reader, &format!("/insights/follow-through?{november}&severity=SEV2")).await;
    assert!(html.contains("No incident of this period was found to need a post-mortem"), "{html}");
    assert!(html.contains("<option value=\"SEV2\" selected>"), "{html}");
    assert!(html.contains("/insights/hotspots?from=2026-11-01&#38;to=2026-11-30&#38;severity=SEV2"), "{html}");
    let (status, html) = common::page(&app, &reader, &format!("/insights/factors?{november}&severity=SEV9")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");

    // The post-mortem's card: viewers read it, editors tick.
    let page = format!("/incidents/{handle}/postmortem");
    let (_, html) = common::page(&app, &reader, &page).await;
    assert!(html.contains("A change, Testing gap.") && !html.contains("Save contributing factors"), "{html}");
    let writer = common::sign_in(&app, "editor").await;
    let form = format!("{page}/factors");
    let (status, to, _) =
        common::post_form(&app, &writer, &form, &[("factors", "capacity"), ("factors", "change")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let (_, html) = common::page(&app, &writer, &page).await;
    assert!(html.contains("A change, Capacity and load."), "{html}");
    let (status, _, html) = common::post_form(&app, &writer, &form, &[("factors", "blame")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("is not a contributing factor here"), "{html}");
    let (_, audit) = app.get(admin, "/api/v1/audit/events?limit=20").await;
    assert!(audit.to_string().contains("tagged contributing factors"), "{audit}");
}

async fn one_postmortem_for_several_incidents(store: Store) {
    let app = spawn_on(store).await;
    let (admin, editor, viewer) = (As::User("admin"), As::User("editor"), As::User("viewer"));
    let mut handles = Vec::new();
    for (title, at) in [("Checkout errors", "2026-11-03T10:00:00Z"), ("Checkout errors again", "2026-11-03T10:20:00Z")]
    {
        let (_, made) =
            app.post(admin, "/api/v1/incidents", json!({"title": title, "severity": "SEV3", "started_at": at})).await;
        let handle = made["handle"].as_str().unwrap().to_string();
        let event = json!({"occurred_at": at, "kind": "alert", "text": format!("{title}: alert fired")});
        let (status, _) = app.post(admin, &format!("/api/v1/incidents/{handle}/events"), event).await;
        assert_eq!(status, StatusCode::CREATED);
        handles.push(handle);
    }
    let (first, second) = (&handles[0], &handles[1]);
    let (_, pm) = app.post(admin, &format!("/api/v1/incidents/{first}/postmortem"), json!({})).await;
    let id = pm["id"].as_str().unwrap().to_string();
    let (status, covers) = app.put(editor, &format!("/api/v1/postmortems/{id}/incidents/{second}"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{covers}");
    assert_eq!(covers["incident"], first.as_str());
    assert_eq!(covers["covers"][0]["handle"], second.as_str(), "{covers}");
    let (status, problem) = app.put(editor, &format!("/api/v1/postmortems/{id}/incidents/{first}"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, problem) = app.put(editor, &format!("/api/v1/postmortems/{id}/incidents/nonsense"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let long = format!("INC-{}", "9".repeat(4_000));
    let (status, problem) = app.put(editor, &format!("/api/v1/postmortems/{id}/incidents/{long}"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().len() < 2_000, "the handle is not echoed whole: {problem}");
    let (status, _) = app.put(viewer, &format!("/api/v1/postmortems/{id}/incidents/{second}"), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, timeline) = app.get(viewer, &format!("/api/v1/postmortems/{id}/timeline")).await;
    assert_eq!(status, StatusCode::OK, "{timeline}");
    let marked: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["incident"].as_str().unwrap()).collect();
    assert_eq!(marked, [first.as_str(), second.as_str()], "{timeline}");
    let (status, problem) = app.post(admin, &format!("/api/v1/incidents/{second}/postmortem"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a covered incident has no post-mortem of its own: {problem}");

    // The pages: the card with the merged timeline; the covered incident points to it.
    let reader = common::sign_in(&app, "viewer").await;
    let (_, html) = common::page(&app, &reader, &format!("/incidents/{first}/postmortem")).await;
    assert!(html.contains("and 1 related incident, whose timelines are merged below"), "{html}");
    assert!(html.contains("Checkout errors again: alert fired") && html.contains("class=\"other-incident\""), "{html}");
    let (_, html) = common::page(&app, &reader, &format!("/incidents/{second}")).await;
    assert!(html.contains(&format!("Covered by the post-mortem of <a href=\"/incidents/{first}\">")), "{html}");
    let writer = common::sign_in(&app, "editor").await;
    let form = format!("/incidents/{first}/postmortem/incidents");
    let (status, _, html) = common::post_form(&app, &writer, &form, &[("incident", first.as_str())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("this post-mortem&#39;s own incident") || html.contains("this post-mortem's own incident"),
        "{html}"
    );
    let (status, _, _) =
        common::post_form(&app, &writer, &format!("{form}/remove"), &[("incident", second.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, covers) = app.get(viewer, &format!("/api/v1/postmortems/{id}/incidents")).await;
    assert_eq!(covers["covers"], json!([]), "{covers}");
    let (status, _, _) = common::post_form(&app, &writer, &form, &[("incident", &second.to_lowercase())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "a handle typed in lower case is read");
    let (_, audit) = app.get(admin, "/api/v1/audit/events?limit=20").await;
    assert!(audit.to_string().contains(&format!("{first}'s post-mortem covers {second}")), "{audit}");
}

#[tokio::test]
async fn one_postmortem_for_several_incidents_on_sqlite() {
    one_postmortem_for_several_incidents(hindsight_store::test_support::sqlite_store().await).await;
}

#[tokio::test]
async fn one_postmortem_for_several_incidents_on_postgres() {
    let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
    one_postmortem_for_several_incidents(store).await;
}

#[tokio::test]
async fn factors_and_follow_through_on_sqlite() {
    factors_and_follow_through(hindsight_store::test_support::sqlite_store().await).await;
}

#[tokio::test]
async fn factors_and_follow_through_on_postgres() {
    let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
    factors_and_follow_through(store).await;
}
