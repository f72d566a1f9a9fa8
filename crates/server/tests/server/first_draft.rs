//! The first draft written from the timeline, over HTTP and on the post-mortem's page: it
//! fills only empty sections, offers itself beside written ones, cites events that exist,
//! is the same each time, and keeps to who may read and write.

use hindsight_store::{Store, on_both_databases};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{self, As, TestApp, spawn_on};

const EDITOR: As = As::User("editor");

/// A response on the timeline of `handle`, every key moment marked; answers the events' ids
/// in time order.
async fn timeline(app: &TestApp, handle: &str) -> Vec<String> {
    let events = [
        json!({"occurred_at": "2026-11-20T10:00:00Z", "source": "alertmanager", "kind": "alert",
               "text": "HighErrorRate firing for checkout", "key_moment": "impact_start"}),
        json!({"occurred_at": "2026-11-20T10:04:00Z", "source": "pagerduty", "kind": "page",
               "text": "Paged the payments on-call", "key_moment": "detection"}),
        json!({"occurred_at": "2026-11-20T10:06:00Z", "source": "pagerduty", "kind": "acknowledgement",
               "actor": "editor", "text": "Acknowledged"}),
        json!({"occurred_at": "2026-11-20T10:30:00Z", "source": "github", "kind": "rollback", "actor": "deploy-bot",
               "text": "Rolled back checkout to 4.11.2", "key_moment": "mitigation"}),
        json!({"occurred_at": "2026-11-20T10:41:00Z", "source": "slack", "kind": "status_update", "actor": "editor",
               "text": "Resolved: <b>all</b> green", "key_moment": "resolution"}),
    ];
    let mut ids = Vec::new();
    for event in events {
        let (status, made) = app.post(EDITOR, &format!("/api/v1/incidents/{handle}/events"), event).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        ids.push(made["id"].as_str().unwrap().to_string());
    }
    ids
}

async fn start(app: &TestApp, who: As, handle: &str, sections: Value) -> Value {
    let (status, pm) =
        app.post(who, &format!("/api/v1/incidents/{handle}/postmortem"), json!({"sections": sections})).await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    pm
}

fn section<'a>(draft: &'a Value, name: &str) -> &'a Value {
    draft["draft"]["sections"].as_array().unwrap().iter().find(|s| s["section"] == name).unwrap()
}

async fn the_api_fills_only_empty_sections_and_offers_the_draft_beside_the_others(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let ids = timeline(&app, &seed.public).await;
    // Started with the detection written: the draft goes into the other sections as it starts.
    let pm = start(&app, EDITOR, &seed.public, json!({"detection": "A customer told support."})).await;
    assert_eq!(pm["version"], 1, "{pm}");
    let summary = pm["sections"]["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(
            "Impact began at 10:00 UTC on 2026-11-20; it was detected at 10:04 UTC, acknowledged at 10:06 UTC, \
             mitigated at 10:30 UTC and resolved at 10:41 UTC."
        ),
        "{summary}"
    );
    assert!(summary.contains(&format!("[1](/incidents/{}#event-{})", seed.public, ids[0])), "{summary}");
    assert_eq!(pm["sections"]["detection"], "A customer told support.");
    let response = pm["sections"]["response_analysis"].as_str().unwrap();
    assert!(response.contains("The response as it happened:\n\n- At 10:00 UTC on 2026-11-20"), "{response}");
    assert!(response.contains("\\<b\\>all\\</b\\>"), "event text is escaped: {response}");
    assert!(pm["sections"]["resolution"].as_str().unwrap().starts_with("It was mitigated at 10:30 UTC"), "{pm}");
    assert_eq!(pm["sections"]["trigger"], "", "sections the draft does not write stay empty");

    // The preview: nothing to fill, the detection offered, every cite an event of the timeline.
    let id = pm["id"].as_str().unwrap();
    let draft_path = format!("/api/v1/postmortems/{id}/draft");
    let (status, preview) = app.get(As::User("viewer"), &draft_path).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["filled"], json!([]), "{preview}");
    assert_eq!(preview["offered"].as_array().unwrap().len(), 1, "{preview}");
    assert_eq!(preview["offered"][0]["section"], "detection");
    assert_eq!(preview["offered"][0]["current"], "A customer told support.");
    assert_eq!(
        preview["offered"][0]["draft"]["sentences"][0]["text"],
        "It was detected at 10:04 UTC through a page from pagerduty: “Paged the payments on-call”."
    );
    assert_eq!(preview["draft"]["events"], 5);
    for s in preview["draft"]["sections"].as_array().unwrap() {
        for sentence in s["sentences"].as_array().unwrap().iter().chain(s["narrative"].as_array().unwrap_or(&vec![])) {
            for cite in sentence["cites"].as_array().unwrap() {
                assert!(ids.iter().any(|id| cite == id), "{cite} is no event: {sentence}");
            }
        }
    }
    let (_, again) = app.get(EDITOR, &draft_path).await;
    assert_eq!(again["draft"], preview["draft"], "the same timeline gives the same draft");

    // A section emptied again is filled by the next draft, as one change with its reason.
    let (status, changed) = app
        .patch(EDITOR, &format!("/api/v1/postmortems/{id}"), json!({"version": 1, "sections": {"summary": " "}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let (status, written) = app.post(EDITOR, &draft_path, json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{written}");
    assert_eq!(written["filled"], json!(["summary"]));
    assert_eq!(written["postmortem"]["version"], 3);
    assert_eq!(written["postmortem"]["sections"]["summary"], section(&written, "summary")["markdown"]);
    assert_eq!(written["postmortem"]["sections"]["detection"], "A customer told support.");
    let (_, history) = app.get(EDITOR, &format!("/api/v1/postmortems/{id}/history")).await;
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(last["reason"], "first draft written from the timeline", "{last}");
    assert_eq!(last["actor"], "editor");
    let fields: Vec<&str> = last["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["sections.summary"]);
    // Asked again, nothing is left to fill: nothing changes.
    let (status, twice) = app.post(EDITOR, &draft_path, json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{twice}");
    assert_eq!((twice["filled"].clone(), twice["postmortem"]["version"].clone()), (json!([]), json!(3)));

    // Viewers read the draft but cannot write it; an unknown post-mortem is not found.
    let (status, _) = app.post(As::User("viewer"), &draft_path, json!(null)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get(EDITOR, "/api/v1/postmortems/no-such-id/draft").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn an_empty_timeline_private_incidents_and_published_post_mortems_are_kept_to(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    // No events: nothing to write, and the post-mortem starts empty.
    let pm = start(&app, EDITOR, &seed.public, json!({})).await;
    assert_eq!(pm["sections"]["summary"], "", "{pm}");
    let draft_path = format!("/api/v1/postmortems/{}/draft", pm["id"].as_str().unwrap());
    let (status, written) = app.post(EDITOR, &draft_path, json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{written}");
    assert_eq!(written["draft"]["sections"], json!([]), "{written}");
    assert_eq!((written["draft"]["events"].clone(), written["filled"].clone()), (json!(0), json!([])));
    assert_eq!(written["postmortem"]["version"], 1);

    // A private incident's draft is not found by someone who may not see the incident.
    let private = start(&app, As::User("admin"), &seed.private, json!({})).await;
    let private_path = format!("/api/v1/postmortems/{}/draft", private["id"].as_str().unwrap());
    let (status, _) = app.get(As::User("outsider"), &private_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.post(As::User("outsider"), &private_path, json!(null)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get(As::User("responder"), &private_path).await;
    assert_eq!(status, StatusCode::OK, "its responder may read it");

    // A published post-mortem does not change behind its readers.
    let user = app.store.user_by_username("admin").await.unwrap();
    let admin = hindsight_core::access::Viewer {
        user_id: Some(hindsight_core::access::UserId::new(user.id)),
        username: user.username,
        role: user.role,
    };
    let id = pm["id"].as_str().unwrap();
    for (version, status) in
        [(1, hindsight_core::PostmortemStatus::InReview), (2, hindsight_core::PostmortemStatus::Published)]
    {
        app.store.set_postmortem_status(&admin, id, version, status).await.unwrap();
    }
    let (status, refused) = app.post(EDITOR, &draft_path, json!(null)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["errors"][0]["field"], "status", "{refused}");
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("published"), "{refused}");
}

async fn the_page_writes_the_draft_and_shows_it_beside_what_was_written(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let ids = timeline(&app, &seed.public).await;
    start(&app, EDITOR, &seed.public, json!({"summary": "Checkout failed & came back."})).await;
    let page = format!("/incidents/{}/postmortem", seed.public);
    let form = format!("{page}/draft");

    let viewer = common::sign_in(&app, "viewer").await;
    let (_, html) = common::page(&app, &viewer, &page).await;
    assert!(html.contains("First draft from the timeline"), "{html}");
    assert!(!html.contains("Write a first draft from the timeline"), "viewers get no button");
    let (status, _, _) = common::post_form(&app, &viewer, &form, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let editor = common::sign_in(&app, "editor").await;
    let (_, html) = common::page(&app, &editor, &page).await;
    assert!(html.contains("Write a first draft from the timeline"), "{html}");
    let (status, to, _) = common::post_form(&app, &editor, &form, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    assert!(to.starts_with(&format!("{page}?draft=shown&notice=")) && to.ends_with("#first-draft"), "{to}");
    let (status, html) = common::page(&app, &editor, &to).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Every section the draft writes already had text"), "{html}");
    // The summary a person wrote, beside its draft with links to the events it cites.
    assert!(html.contains("<h3>Summary</h3>"), "{html}");
    assert!(html.contains("Checkout failed &amp; came back."), "{html}");
    assert!(html.contains(&format!("href=\"/incidents/{}#event-{}\"", seed.public, ids[0])), "{html}");
    assert!(html.contains("Impact began at 10:00 UTC on 2026-11-20"), "{html}");
    // The incident's page has the events the links point at.
    let (_, incident) = common::page(&app, &editor, &format!("/incidents/{}", seed.public)).await;
    assert!(incident.contains(&format!("id=\"event-{}\"", ids[0])), "{incident}");

    // An incident with no events: the page says there was nothing to write from.
    let (_, spare) = app.post(EDITOR, "/api/v1/incidents", json!({"title": "Quiet", "severity": "SEV4"})).await;
    let spare = spare["handle"].as_str().unwrap();
    start(&app, EDITOR, spare, json!({})).await;
    let (status, to, _) = common::post_form(&app, &editor, &format!("/incidents/{spare}/postmortem/draft"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let (_, html) = common::page(&app, &editor, &to).await;
    assert!(html.contains("nothing to write a draft from"), "{html}");

    // A published post-mortem offers no button, and a form posted anyway is refused beside the card.
    let user = app.store.user_by_username("admin").await.unwrap();
    let admin = hindsight_core::access::Viewer {
        user_id: Some(hindsight_core::access::UserId::new(user.id)),
        username: user.username,
        role: user.role,
    };
    let number = hindsight_core::parse_incident_handle(&seed.public).unwrap();
    let pm = app.store.postmortem_of_incident(&admin, number).await.unwrap();
    for (version, status) in [
        (pm.version, hindsight_core::PostmortemStatus::InReview),
        (pm.version + 1, hindsight_core::PostmortemStatus::Published),
    ] {
        app.store.set_postmortem_status(&admin, &pm.id, version, status).await.unwrap();
    }
    let (_, html) = common::page(&app, &editor, &page).await;
    assert!(!html.contains("Write a first draft from the timeline"), "{html}");
    let (status, _, html) = common::post_form(&app, &editor, &form, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("this post-mortem is published; a first draft is written only into one still being written"),
        "{html}"
    );
}

on_both_databases!(
    the_api_fills_only_empty_sections_and_offers_the_draft_beside_the_others,
    an_empty_timeline_private_incidents_and_published_post_mortems_are_kept_to,
    the_page_writes_the_draft_and_shows_it_beside_what_was_written,
);
