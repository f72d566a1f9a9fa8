//! The post-mortem read view, its Markdown download and its history, over HTTP.

use crate::common;

use common::{As, TestApp, no_redirects, page, sign_in, spawn_app};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

const EDITOR: As = As::User("editor");
const ADMIN: As = As::User("admin");

/// Starts the post-mortem of `handle` as `who` and answers it.
async fn start_postmortem(app: &TestApp, who: As, handle: &str) -> Value {
    let (status, pm) = app.post(who, &format!("/api/v1/incidents/{handle}/postmortem"), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    pm
}

/// Replaces sections of a post-mortem; answers the new version.
async fn edit(app: &TestApp, pm: &Value, version: i64, sections: Value) -> i64 {
    let path = format!("/api/v1/postmortems/{}", pm["id"].as_str().unwrap());
    let (status, pm) = app.patch(EDITOR, &path, json!({"version": version, "sections": sections})).await;
    assert_eq!(status, StatusCode::OK, "{pm}");
    pm["version"].as_i64().unwrap()
}

#[tokio::test]
async fn a_draft_reads_as_a_document_marked_draft() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let pm = start_postmortem(&app, EDITOR, &seed.public).await;
    edit(&app, &pm, 1, json!({"summary": "Checkout returned **502** for 31 minutes.", "trigger": "A storage fault."}))
        .await;
    let path = format!("/incidents/{}/postmortem", seed.public);

    let editor = sign_in(&app, "editor").await;
    let (status, body) = page(&app, &editor, &path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Checkout returns 502"), "the incident's title");
    assert!(body.contains("<strong>502</strong>"), "Markdown is rendered");
    assert!(
        body.contains("<h2>Root cause</h2>") && body.contains("Not written yet."),
        "every section, empty ones said so"
    );
    assert!(body.contains("<strong>Draft</strong>") && body.contains("has not been reviewed"), "drafts are marked");
    assert!(body.contains(&format!("href=\"{path}/edit\">Edit</a>")), "editors may edit");
    assert!(body.contains(&format!("href=\"{path}/markdown\" download>Download Markdown</a>")));
    assert!(body.contains(&format!("href=\"{path}/history\">History</a>")));
    assert!(body.contains("/assets/document.css"));
    assert!(!body.contains("<style>"), "core's standalone page styles are left out");

    let viewer = sign_in(&app, "viewer").await;
    let (status, body) = page(&app, &viewer, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains(">Edit</a>"), "viewers get no edit link");

    let response =
        no_redirects().get(app.url(&format!("{path}/markdown"))).header(header::COOKIE, &viewer).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/markdown"));
    let disposition = response.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().to_string();
    assert_eq!(disposition, format!("attachment; filename=\"{}-postmortem.md\"", seed.public));
    let markdown = response.text().await.unwrap();
    assert!(markdown.contains("Checkout returned **502** for 31 minutes."), "{markdown}");
}

#[tokio::test]
async fn a_published_postmortem_has_no_draft_mark() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let pm = start_postmortem(&app, EDITOR, &seed.public).await;
    let (_, item) = app
        .post(EDITOR, &format!("/api/v1/incidents/{}/action-items", seed.public), json!({"title": "Make the pool follow the primary", "kind": "fix_root_cause", "owner": "editor", "due_date": "2026-12-15"}))
        .await;
    let (status, _) = app
        .post(EDITOR, &format!("/api/v1/incidents/{}/events", seed.public), json!({"occurred_at": "2026-11-20T10:31:00Z", "kind": "action", "text": "Pool restarted", "key_moment": "mitigation"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let version = edit(&app, &pm, 1, common::complete_sections(item["id"].as_str().unwrap())).await;
    let status_path = format!("/api/v1/postmortems/{}/status", pm["id"].as_str().unwrap());
    let (status, moved) = app.post(EDITOR, &status_path, json!({"version": version, "status": "in_review"})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    common::approve(&app, pm["id"].as_str().unwrap()).await;
    let (status, moved) =
        app.post(EDITOR, &status_path, json!({"version": moved["version"], "status": "published"})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");

    let viewer = sign_in(&app, "viewer").await;
    let (status, body) = page(&app, &viewer, &format!("/incidents/{}/postmortem", seed.public)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("<strong>Draft</strong>") && !body.contains("doc-status"), "published reads clean");
    assert!(body.contains("Make the pool follow the primary"), "action items are in the document");
    assert!(body.contains("Pool restarted"), "so is the timeline");
    // A reader is offered the discussion, to ask a question there, and told what is in it.
    let discussion = format!("href=\"/incidents/{}/postmortem/edit#discussion\">", seed.public);
    assert!(body.contains(&format!("{discussion}Ask a question</a>")), "{body}");
    let comments = format!("/api/v1/postmortems/{}/comments", pm["id"].as_str().unwrap());
    let (_, first) = app.post(As::User("viewer"), &comments, json!({"body": "Why did the pool not follow?"})).await;
    app.post(As::User("viewer"), &comments, json!({"body": "And the replicas?"})).await;
    app.post(EDITOR, &format!("/api/v1/comments/{}/resolve", first["id"].as_str().unwrap()), json!({})).await;
    let (_, body) = page(&app, &viewer, &format!("/incidents/{}/postmortem", seed.public)).await;
    assert!(body.contains(&format!("{discussion}Discussion: 2 threads, 1 open</a>")), "{body}");
}

#[tokio::test]
async fn written_html_and_script_links_never_reach_the_page() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let pm = start_postmortem(&app, EDITOR, &seed.public).await;
    let hostile =
        "<script>alert('x')</script>\n\nSee <img src=x onerror=alert(1)> and [click here](javascript:alert(1)).";
    edit(&app, &pm, 1, json!({"summary": hostile})).await;
    let viewer = sign_in(&app, "viewer").await;
    let (status, body) = page(&app, &viewer, &format!("/incidents/{}/postmortem", seed.public)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("<script>alert"), "{body}");
    assert!(!body.contains("<img src=x"));
    assert!(body.contains("click here"), "the link's text stays");
    let at = body.find("href=\"javascript:").map(|i| &body[i.saturating_sub(200)..i + 40]);
    assert_eq!(at, None, "a javascript: link survived");
    assert!(!body.contains("onerror=alert(1)>"), "no live attribute");
}

#[tokio::test]
async fn a_private_incidents_postmortem_stays_hidden_from_outsiders() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    start_postmortem(&app, ADMIN, &seed.private).await;
    let outsider = sign_in(&app, "outsider").await;
    let responder = sign_in(&app, "responder").await;
    for suffix in ["", "/markdown", "/history"] {
        let path = format!("/incidents/{}/postmortem{suffix}", seed.private);
        let (status, body) = page(&app, &outsider, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains("Credential leak"), "{path} leaks the title");
        let (status, _) = page(&app, &responder, &path).await;
        assert_eq!(status, StatusCode::OK, "a responder reads {path}");
    }
    let (status, _) = page(&app, &outsider, &format!("/incidents/{}/postmortem", seed.public)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no post-mortem yet is a 404 too");
    let (status, _) = page(&app, &outsider, "/incidents/nonsense/postmortem").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn history_shows_who_changed_which_field_newest_first() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let pm = start_postmortem(&app, EDITOR, &seed.public).await;
    let mut version = edit(&app, &pm, 1, json!({"summary": "Checkout failed."})).await;
    let long_before = format!("{} the pool kept old connections {}", "Context. ".repeat(30), "More. ".repeat(30));
    let long_after = long_before.replace("old connections", "stale connections");
    version = edit(&app, &pm, version, json!({"trigger": long_before.clone()})).await;
    version = edit(&app, &pm, version, json!({"trigger": long_after.clone()})).await;
    let path = format!("/api/v1/postmortems/{}/sections/root_cause", pm["id"].as_str().unwrap());
    let (status, _) = app
        .put(ADMIN, &path, json!({"version": version, "value": {"description": "Pool", "certainty": "confirmed"}}))
        .await;
    assert_eq!(status, StatusCode::OK);

    let viewer = sign_in(&app, "viewer").await;
    let history = format!("/incidents/{}/postmortem/history", seed.public);
    let (status, body) = page(&app, &viewer, &history).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("5 changes, newest first."), "{body}");
    let newest = body.find("Version 5").unwrap();
    let oldest = body.find("Version 1").unwrap();
    assert!(newest < oldest, "newest first");
    assert!(body.contains("by admin") && body.contains("by editor"));
    assert!(body.contains("Root cause › certainty"), "sections open to the field that changed");
    assert!(body.contains("Root cause › description"));
    assert!(body.contains("Summary") && body.contains("Checkout failed."));
    assert!(body.contains("(changed part)"), "long text is shortened");
    assert!(body.contains("…") && body.contains("stale connections") && body.contains("old connections"));
    assert!(!body.contains(&long_before) && !body.contains(&long_after), "never the whole long text");
}

#[tokio::test]
async fn long_histories_are_paged() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let pm = start_postmortem(&app, EDITOR, &seed.public).await;
    let mut version = 1;
    for n in 0..22 {
        version = edit(&app, &pm, version, json!({"summary": format!("Summary number {n}.")})).await;
    }
    let viewer = sign_in(&app, "viewer").await;
    let history = format!("/incidents/{}/postmortem/history", seed.public);
    let (_, first) = page(&app, &viewer, &history).await;
    assert!(first.contains("23 changes, newest first. Page 1 of 2."), "{first}");
    assert!(first.contains("Version 23") && !first.contains("Version 3 "), "twenty per page");
    assert!(first.contains("href=\"?page=2\">Older changes</a>"));
    let (status, second) = page(&app, &viewer, &format!("{history}?page=2")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(second.contains("Version 1") && second.contains("Version 3") && !second.contains("Version 4 "));
    assert!(second.contains("href=\"?page=1\">Newer changes</a>"));
    let (status, clamped) = page(&app, &viewer, &format!("{history}?page=99")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(clamped.contains("Page 2 of 2."), "a page past the end shows the last");
}

#[tokio::test]
async fn the_read_view_and_the_incident_page_offer_html_and_pdf_exports() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    start_postmortem(&app, EDITOR, &seed.public).await;
    let viewer = sign_in(&app, "viewer").await;
    let handle = &seed.public;
    for path in [format!("/incidents/{handle}/postmortem"), format!("/incidents/{handle}")] {
        let (_, body) = page(&app, &viewer, &path).await;
        assert!(body.contains(&format!("href=\"/incidents/{handle}/postmortem/export.html\"")), "{path}: {body}");
        let pdf_link = format!("href=\"/incidents/{handle}/postmortem/export.pdf\"");
        assert_eq!(body.contains(&pdf_link), cfg!(feature = "pdf"), "{path}: PDF offered only when built with it");
    }
    let response = no_redirects()
        .get(app.url(&format!("/incidents/{handle}/postmortem/export.html")))
        .header(header::COOKIE, &viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"{handle}-postmortem.html\"").as_str()
    );
    assert!(response.text().await.unwrap().contains("Checkout returns 502"));
    let response = no_redirects()
        .get(app.url(&format!("/incidents/{handle}/postmortem/export.pdf")))
        .header(header::COOKIE, &viewer)
        .send()
        .await
        .unwrap();
    if cfg!(feature = "pdf") {
        assert_eq!(response.status(), StatusCode::OK);
    } else {
        assert_eq!(response.status(), StatusCode::NOT_IMPLEMENTED);
        assert!(response.text().await.unwrap().contains("--features pdf"));
    }
}
