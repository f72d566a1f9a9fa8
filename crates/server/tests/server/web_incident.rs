//! The incident list and the incident page over HTTP, as people use them: filters,
//! search, order and paging; the page's moments, timeline, chart and policy; and the
//! forms editors use there (status, key-moment override, add an event, import a file).

use crate::common;

use common::{As, TestApp, csrf_token, no_redirects, page, send_form, sign_in, spawn_app};
use hindsight_core::access::Viewer;
use hindsight_core::{EventKind, NewIncident, Severity};
use hindsight_store::ImportedEvent;
use reqwest::{StatusCode, header};
use serde_json::json;
use time::macros::datetime;

/// The incident's version, as the page's forms carry it.
fn version(html: &str) -> String {
    html.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
}

/// A multipart body with the form's token, a format and a file, and its content type.
fn multipart(token: &str, format: &str, file_name: &str, file: &str) -> (Vec<u8>, String) {
    multipart_bytes(token, format, file_name, file.as_bytes())
}

fn multipart_bytes(token: &str, format: &str, file_name: &str, file: &[u8]) -> (Vec<u8>, String) {
    let boundary = "----hindsight-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in [("csrf_token", token), ("format", format)] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

async fn upload(app: &TestApp, cookie: &str, path: &str, body: (Vec<u8>, String)) -> (StatusCode, String) {
    let response = no_redirects()
        .post(app.url(path))
        .header(header::COOKIE, cookie)
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, body.1)
        .body(body.0)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

fn event(at: time::OffsetDateTime, source: &str, kind: EventKind, id: &str, text: &str) -> ImportedEvent {
    ImportedEvent {
        occurred_at: at,
        source: source.into(),
        external_id: id.into(),
        kind,
        actor: None,
        text: text.into(),
        key_moment: None,
        raw_payload: None,
        correlation: None,
    }
}

/// Gives the seeded public incident (INC-1, impact 10:00, detected 10:04) a timeline
/// with one event of each category.
async fn timeline(app: &TestApp) {
    let at = datetime!(2026-11-20 10:00 UTC);
    let events = [
        event(
            at + time::Duration::minutes(3),
            "alertmanager",
            EventKind::Alert,
            "a1",
            "HighErrorRate firing on checkout",
        ),
        event(at + time::Duration::minutes(5), "pagerduty", EventKind::Page, "p1", "Paged the payments on-call"),
        event(at + time::Duration::minutes(7), "slack", EventKind::Message, "s1", "Looking at the pool metrics"),
        event(at + time::Duration::minutes(20), "github", EventKind::Deploy, "d1", "Deployed checkout 4.12.1"),
    ];
    app.store.import_events(&Viewer::operator(), 1, &events, &[]).await.unwrap();
}

#[tokio::test]
async fn incident_page_shows_moments_measures_timeline_chart_and_policy() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    timeline(&app).await;
    let viewer = sign_in(&app, "viewer").await;
    let (status, body) = page(&app, &viewer, &format!("/incidents/{}", seed.public)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Checkout returns 502") && body.contains("Incident commander"), "header");
    assert!(body.contains("Time to detect") && body.contains("<strong>4m</strong>"), "4 minutes to detect");
    assert!(body.contains("Measured from Impact start at 2026-11-20 10:00 UTC (set on the incident)."), "from");
    assert!(body.contains("to detection at 2026-11-20 10:04 UTC (set on the incident)"), "measured to");
    assert!(body.contains("acknowledgement not known yet"));
    assert!(body.contains("Post-mortem: required"));
    assert!(body.contains("Timeline <span class=\"muted\">(4 events)</span>"));
    assert!(body.contains("<svg") && body.contains("Event volume as a table"), "chart with a table");
    assert!(body.contains("4 events from 2026-11-20 10:03 UTC to 2026-11-20 10:20 UTC"), "chart summary");
    assert!(body.contains("class=\"bar cat-deploys\""));
    for (name, count) in [("Alerts", 1), ("Pages", 1), ("Chat", 1), ("Deploys", 1), ("Manual", 0)] {
        assert!(body.contains(&format!("{name} <span class=\"count\">{count}</span>")), "{name}");
    }
    assert!(body.contains("Manage action items") && body.contains("/incidents/INC-1/action-items"));
    assert!(body.contains("No post-mortem yet."));
    assert!(!body.contains("Add event") && !body.contains("Override key moment"), "viewers see no forms");
    assert!(!body.contains(">Mitigate</button>") && !body.contains("Resolve…"));
}

#[tokio::test]
async fn timeline_is_filtered_by_category_with_links_and_paged() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    timeline(&app).await;
    let viewer = sign_in(&app, "viewer").await;
    let (status, alerts) = page(&app, &viewer, &format!("/incidents/{}?category=alerts", seed.public)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(alerts.contains("HighErrorRate firing on checkout"));
    assert!(!alerts.contains("Deployed checkout 4.12.1"));
    assert!(alerts.contains("href=\"/incidents/INC-1?category=alerts#timeline\" aria-current=\"true\""));
    let (status, _) = page(&app, &viewer, &format!("/incidents/{}?category=everything", seed.public)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let start = datetime!(2026-11-20 11:00 UTC);
    let many: Vec<ImportedEvent> = (0..130)
        .map(|i| {
            event(
                start + time::Duration::seconds(i),
                "alertmanager",
                EventKind::Alert,
                &format!("m{i:03}"),
                &format!("flood {i:03}"),
            )
        })
        .collect();
    app.store.import_events(&Viewer::operator(), 1, &many, &[]).await.unwrap();
    let (_, first) = page(&app, &viewer, "/incidents/INC-1").await;
    assert!(first.contains("flood 095") && !first.contains("flood 096"), "the first 100 events");
    let next = first.split("<a class=\"button\" href=\"").find(|s| s.contains("Later events")).unwrap();
    let next = next.split('"').next().unwrap().replace("&#38;", "&").replace("&amp;", "&");
    let (status, second) = page(&app, &viewer, &next).await;
    assert_eq!(status, StatusCode::OK);
    assert!(second.contains("flood 096") && second.contains("flood 129") && !second.contains("flood 095"));
    assert!(second.contains("← First events"));
    let (status, _) = page(&app, &viewer, "/incidents/INC-1?cursor=garbage").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn editors_add_an_event_and_a_refused_one_keeps_its_text() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let editor = sign_in(&app, "editor").await;
    let path = format!("/incidents/{}", seed.public);
    let (_, body) = page(&app, &editor, &path).await;
    assert!(body.contains("<label for=\"event-text\">Text</label>"));
    let token = csrf_token(&body);
    let fields = [
        ("csrf_token", token.as_str()),
        ("occurred_at", "2026-11-20T10:12"),
        ("kind", "action"),
        ("text", "Restarted the pool by hand"),
        ("actor", "dana"),
    ];
    let (status, location, _) = send_form(&app, &editor, &format!("{path}/events"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/incidents/INC-1?notice=Added"), "{location}");
    let (_, body) = page(&app, &editor, &location).await;
    assert!(body.contains("Restarted the pool by hand") && body.contains("<strong>dana</strong>"));
    assert!(body.contains("Manual <span class=\"count\">1</span>"), "typed by hand counts as manual");

    let refused = [
        ("csrf_token", token.as_str()),
        ("occurred_at", "yesterday"),
        ("kind", "rumour"),
        ("text", "Something happened, worth keeping"),
        ("actor", ""),
    ];
    let (status, _, body) = send_form(&app, &editor, &format!("{path}/events"), &refused).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("The event was not added") && body.contains("is not a time") && body.contains("Kind:"));
    assert!(body.contains("Something happened, worth keeping"), "typed text kept");
    let (status, _, body) = send_form(
        &app,
        &editor,
        &format!("{path}/events"),
        &[("csrf_token", token.as_str()), ("occurred_at", "2026-11-20T10:13"), ("kind", "note"), ("text", "")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Text:"), "{body}");
}

#[tokio::test]
async fn resolving_with_the_button_drafts_the_required_post_mortem() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let editor = sign_in(&app, "editor").await;
    let path = format!("/incidents/{}", seed.public);
    let (_, body) = page(&app, &editor, &path).await;
    assert!(body.contains(">Acknowledge</button>") && body.contains(">Mitigate</button>"));
    let (token, based_on) = (csrf_token(&body), version(&body));
    let (status, _) = app.get(As::User("editor"), &format!("/api/v1/incidents/{}/postmortem", seed.public)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Resolve asks first: the button opens a confirmation, and an unconfirmed post changes nothing.
    assert!(body.contains(&format!("href=\"{path}/resolve?version={based_on}\">Resolve…</a>")), "{body}");
    let unconfirmed = [("csrf_token", token.as_str()), ("version", based_on.as_str()), ("status", "resolved")];
    let (status, _, confirm) = send_form(&app, &editor, &format!("{path}/status"), &unconfirmed).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("Resolve INC-1?") && confirm.contains(">Yes, resolve INC-1</button>"), "{confirm}");
    let (_, incident) = app.get(As::User("editor"), &format!("/api/v1/incidents/{}", seed.public)).await;
    assert_eq!(incident["status"], "triggered", "not resolved without the confirmation");
    let (status, confirm_page) = page(&app, &editor, &format!("{path}/resolve?version={based_on}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm_page.contains("name=\"confirm\" value=\"yes\""), "{confirm_page}");
    let fields =
        [("csrf_token", token.as_str()), ("version", based_on.as_str()), ("status", "resolved"), ("confirm", "yes")];
    let (status, location, _) = send_form(&app, &editor, &format!("{path}/status"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let (_, incident) = app.get(As::User("editor"), &format!("/api/v1/incidents/{}", seed.public)).await;
    assert_eq!(incident["status"], "resolved");
    let (status, postmortem) =
        app.get(As::User("editor"), &format!("/api/v1/incidents/{}/postmortem", seed.public)).await;
    assert_eq!(status, StatusCode::OK, "the SEV2 incident required a post-mortem: {postmortem}");
    let (_, body) = page(&app, &editor, &location).await;
    assert!(body.contains("is now resolved"));
    assert!(body.contains("Open post-mortem") && body.contains("Edit post-mortem"));
    assert!(
        body.contains(">Reopen as acknowledged</button>") && body.contains(">Reopen as mitigated</button>"),
        "moves back read as reopening: {body}"
    );
    assert!(!body.contains(">Acknowledge</button>") && !body.contains("Resolve…"));

    // The same button on the page as it was before: someone else's change came first.
    let (status, _, body) = send_form(&app, &editor, &format!("{path}/status"), &fields).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Someone changed this incident after you opened the page"));
}

#[tokio::test]
async fn key_moment_override_needs_a_reason_and_keeps_it_in_history() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    timeline(&app).await;
    let editor = sign_in(&app, "editor").await;
    let path = format!("/incidents/{}", seed.public);
    let (_, body) = page(&app, &editor, &path).await;
    let (token, based_on) = (csrf_token(&body), version(&body));
    let no_reason = [
        ("csrf_token", token.as_str()),
        ("version", based_on.as_str()),
        ("moment", "detected_at"),
        ("at", "2026-11-20T10:03"),
        ("event", ""),
        ("reason", "  "),
    ];
    let (status, _, body) = send_form(&app, &editor, &format!("{path}/moments"), &no_reason).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("The moment was not changed") && body.contains("Reason:"));
    assert!(body.contains("value=\"2026-11-20T10:03\""), "typed time kept");

    let (_, events) = app.get(As::User("editor"), &format!("/api/v1/incidents/{}/events", seed.public)).await;
    let alert = events["items"].as_array().unwrap().iter().find(|e| e["kind"] == "alert").unwrap();
    let by_event = [
        ("csrf_token", token.as_str()),
        ("version", based_on.as_str()),
        ("moment", "detected_at"),
        ("at", ""),
        ("event", alert["id"].as_str().unwrap()),
        ("reason", "The alert fired before anyone noticed"),
    ];
    let (status, location, _) = send_form(&app, &editor, &format!("{path}/moments"), &by_event).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let (_, incident) = app.get(As::User("editor"), &format!("/api/v1/incidents/{}", seed.public)).await;
    assert_eq!(incident["detected_at"], "2026-11-20T10:03:00Z", "{incident}");
    let (_, history) = app.get(As::User("editor"), &format!("/api/v1/incidents/{}/history", seed.public)).await;
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(last["reason"], "The alert fired before anyone noticed");
    assert_eq!(last["actor"], "editor");
    let (_, body) = page(&app, &editor, &location).await;
    assert!(body.contains("<strong>3m</strong>"), "time to detect now 3 minutes");

    let current = incident["version"].to_string();
    let out_of_order = [
        ("csrf_token", token.as_str()),
        ("version", current.as_str()),
        ("moment", "resolved_at"),
        ("at", "2026-11-20T09:00"),
        ("event", ""),
        ("reason", "Typed from memory"),
    ];
    let (status, _, body) = send_form(&app, &editor, &format!("{path}/moments"), &out_of_order).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Resolved: must not be earlier than the detection time"), "{body}");
    assert!(!body.contains("resolved_at:") && body.contains("Typed from memory"), "why and the input");
}

#[tokio::test]
async fn editors_import_a_file_and_see_what_was_imported_skipped_and_rejected() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let editor = sign_in(&app, "editor").await;
    let path = format!("/incidents/{}", seed.public);
    let (_, body) = page(&app, &editor, &path).await;
    assert!(
        body.contains("<label for=\"import-file\">File</label>")
            && body.contains("<label for=\"import-format\">Format</label>")
    );
    assert!(body.contains("<option value=\"pagerduty-webhook\"") && body.contains(">Import</button>"));
    let token = csrf_token(&body);
    let file = [
        json!({"time": "2026-11-20T10:02:00Z", "kind": "alert", "text": "Error budget burn", "source": "prometheus", "id": "e1"}),
        json!({"time": "2026-11-20T10:06:00Z", "kind": "message", "text": "On it", "source": "slack", "id": "e2"}),
    ]
    .iter()
    .map(|v| v.to_string())
    .chain(["{\"kind\": \"alert\"}".to_string()])
    .collect::<Vec<_>>()
    .join("\n");
    let (status, body) =
        upload(&app, &editor, &format!("{path}/import"), multipart(&token, "jsonl", "events.jsonl", &file)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Import finished (jsonl)"));
    assert!(body.contains("<dt>Imported</dt><dd>2</dd>") && body.contains("<dt>Rejected</dt><dd>1</dd>"), "{body}");
    assert!(body.contains("Error budget burn"), "the timeline shows the imported events");
    let (_, body) =
        upload(&app, &editor, &format!("{path}/import"), multipart(&token, "jsonl", "events.jsonl", &file)).await;
    assert!(body.contains("<dt>Imported</dt><dd>0</dd>") && body.contains("<dt>Duplicates skipped</dt><dd>2</dd>"));

    let (status, body) =
        upload(&app, &editor, &format!("{path}/import"), multipart(&token, "slack-export", "x.zip", "zip")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Nothing was imported") && body.contains("x.zip: ") && body.contains("not a Slack export"));
    assert!(!body.contains("hindsight-slack-"), "the temporary file is not named");
    assert!(body.contains("<option value=\"slack-export\" selected>"), "chosen format kept");
    let (status, body) =
        upload(&app, &editor, &format!("{path}/import"), multipart(&token, "csv", "empty.csv", "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("File: empty.csv is empty"));
    let (status, _) =
        upload(&app, &editor, &format!("{path}/import"), multipart("forged", "jsonl", "e.jsonl", &file)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_postmortem_document_uploaded_on_the_new_incident_page_opens_as_an_incident() {
    let app = spawn_app().await;
    app.seed().await;
    let editor = sign_in(&app, "editor").await;
    let (status, body) = page(&app, &editor, "/incidents/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("action=\"/incidents/import-postmortem\"") && body.contains(">Import post-mortem</button>"));
    let token = csrf_token(&body);
    let document = "---\ntitle: \"Search index stale\"\nseverity: \"SEV3\"\npostmortem:\n  owner: \"editor\"\n---\n\
                    # Search index stale\n\n## Summary\n\nResults lagged by an hour.\n";
    let path = "/incidents/import-postmortem";
    let (status, location) = upload(&app, &editor, path, multipart(&token, "", "stale.md", document)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let (_, list) = page(&app, &editor, "/incidents").await;
    let handle = list.split("Search index stale").next().unwrap().rsplit("/incidents/").next().unwrap();
    let handle: String = handle.chars().take_while(|c| *c != '"').collect();
    let (status, body) = page(&app, &editor, &format!("/incidents/{handle}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Search index stale"), "{body}");
    let (status, body) =
        upload(&app, &editor, path, multipart(&token, "", "bad.md", &document.replace("SEV3", "SEV9"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Nothing was imported") && body.contains("bad.md, line 3: "), "{body}");
    let (status, body) = upload(&app, &editor, path, multipart(&token, "", "empty.md", "  \n")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("empty.md is empty"), "{body}");
    let (status, _) = upload(&app, &editor, path, multipart("forged", "", "stale.md", document)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let viewer = sign_in(&app, "viewer").await;
    let (_, body) = page(&app, &viewer, "/").await;
    let (status, _) = upload(&app, &viewer, path, multipart(&csrf_token(&body), "", "stale.md", document)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_timeline_says_how_many_events_imports_set_aside_as_duplicates() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let editor = sign_in(&app, "editor").await;
    let path = format!("/incidents/{}", seed.public);
    let (_, body) = page(&app, &editor, &path).await;
    assert!(!body.contains("set aside as duplicates"), "none yet");
    let token = csrf_token(&body);
    // The same page twice within five minutes: the second is a repeat.
    let file = ["10:00", "10:03"]
        .map(|at| {
            json!({"time": format!("2026-11-20T{at}:00Z"), "kind": "page", "text": "Paged Ana", "source": "pager", "actor": "oncall"})
                .to_string()
        })
        .join("\n");
    let (status, body) =
        upload(&app, &editor, &format!("{path}/import"), multipart(&token, "jsonl", "pages.jsonl", &file)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("<dt>Duplicates skipped</dt><dd>1</dd>"), "{body}");
    assert!(body.contains("1 more set aside as duplicates by imports"), "{body}");
    let link = format!("<a href=\"/api/v1/incidents/{}/duplicates\">list them</a>", seed.public);
    assert!(body.contains(&link), "{body}");
}

#[tokio::test]
async fn viewers_cannot_change_an_incident_from_its_page() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let viewer = sign_in(&app, "viewer").await;
    let path = format!("/incidents/{}", seed.public);
    let (_, body) = page(&app, &viewer, &path).await;
    let token = csrf_token(&body);
    let forms: [(&str, Vec<(&str, &str)>); 3] = [
        ("status", vec![("status", "resolved"), ("version", "1")]),
        ("events", vec![("occurred_at", "2026-11-20T10:12"), ("kind", "note"), ("text", "hello")]),
        ("moments", vec![("moment", "started_at"), ("at", "2026-11-20T09:58"), ("reason", "x"), ("version", "1")]),
    ];
    for (action, fields) in forms {
        let mut fields = fields;
        fields.push(("csrf_token", token.as_str()));
        let (status, _, body) = send_form(&app, &viewer, &format!("{path}/{action}"), &fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{action}");
        assert!(body.contains("editor or admin role"), "{action}: {body}");
    }
    let (status, _) =
        upload(&app, &viewer, &format!("{path}/import"), multipart(&token, "jsonl", "e.jsonl", "{}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, incident) = app.get(As::User("viewer"), &format!("/api/v1/incidents/{}", seed.public)).await;
    assert_eq!((incident["status"].as_str(), incident["version"].as_i64()), (Some("triggered"), Some(1)));
}

#[tokio::test]
async fn outsiders_see_no_private_incident_and_cannot_post_to_it() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let outsider = sign_in(&app, "outsider").await;
    let path = format!("/incidents/{}", seed.private);
    let (status, _) = page(&app, &outsider, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = page(&app, &outsider, "/incidents?q=credential").await;
    assert!(list.contains("No incidents match."));
    let (_, own) = page(&app, &outsider, &format!("/incidents/{}", seed.public)).await;
    let token = csrf_token(&own);
    let fields = [("csrf_token", token.as_str()), ("occurred_at", "2026-11-20T10:12"), ("kind", "note"), ("text", "x")];
    let (status, _, _) = send_form(&app, &outsider, &format!("{path}/events"), &fields).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let fields = [("csrf_token", token.as_str()), ("status", "resolved"), ("version", "1")];
    let (status, _, _) = send_form(&app, &outsider, &format!("{path}/status"), &fields).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) =
        upload(&app, &outsider, &format!("{path}/import"), multipart(&token, "jsonl", "e.jsonl", "{}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn forms_without_the_pages_token_are_refused() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let editor = sign_in(&app, "editor").await;
    let path = format!("/incidents/{}", seed.public);
    for (action, fields) in [
        ("status", vec![("status", "resolved"), ("version", "1"), ("csrf_token", "forged")]),
        ("events", vec![("occurred_at", "2026-11-20T10:12"), ("kind", "note"), ("text", "x")]),
        ("moments", vec![("moment", "started_at"), ("at", "2026-11-20T09:58"), ("reason", "x"), ("version", "1")]),
    ] {
        let (status, _, body) = send_form(&app, &editor, &format!("{path}/{action}"), &fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{action}");
        assert!(body.contains("cross-site request refused"), "{action}");
    }
    let (_, incident) = app.get(As::User("editor"), &format!("/api/v1/incidents/{}", seed.public)).await;
    assert_eq!(incident["version"], 1, "nothing changed");
}

/// Declares incidents straight in the store: (title, description, severity, team, began).
async fn incidents(app: &TestApp, list: &[(&str, &str, u8, Option<&str>, time::OffsetDateTime)]) {
    for (title, description, severity, team, began) in list {
        let new: NewIncident = serde_json::from_value(json!({
            "title": title,
            "description": description,
            "severity": Severity::new(*severity).unwrap().to_string(),
            "teams": team.map(|t| vec![t.to_string()]).unwrap_or_default(),
            "started_at": began.format(&time::format_description::well_known::Rfc3339).unwrap(),
        }))
        .unwrap();
        app.store.create_incident(&Viewer::operator(), new).await.unwrap();
    }
}

#[tokio::test]
async fn incident_list_filters_by_team_and_days_searches_and_sorts() {
    let app = spawn_app().await;
    app.seed().await;
    incidents(
        &app,
        &[
            (
                "Queue backs up",
                "The payments QUEUE grew for an hour",
                4,
                Some("payments"),
                datetime!(2026-10-01 08:00 UTC),
            ),
            ("DNS outage", "Resolver timeouts", 1, None, datetime!(2026-10-15 23:30 UTC)),
            ("Login 100% failures", "", 3, None, datetime!(2026-10-16 00:10 UTC)),
        ],
    )
    .await;
    let viewer = sign_in(&app, "viewer").await;
    let (_, list) = page(&app, &viewer, "/incidents").await;
    for label in ["Search", "Status", "Severity", "Service", "Team", "From (UTC)", "To (UTC, included)", "Sort by"] {
        assert!(list.contains(&format!(">{label}</label>")), "{label}");
    }
    let titles = |html: &str| -> Vec<String> {
        html.split("<span class=\"handle\">").skip(1).map(|s| s.split("</a>").next().unwrap().to_string()).collect()
    };
    let (_, by_team) = page(&app, &viewer, "/incidents?team=payments").await;
    let found = titles(&by_team);
    assert!(
        found.iter().any(|t| t.contains("Queue backs up")) && found.iter().any(|t| t.contains("Checkout returns 502"))
    );
    assert_eq!(found.len(), 2, "{found:?}");
    let (_, searched) = page(&app, &viewer, "/incidents?q=queue").await;
    assert_eq!(titles(&searched).len(), 1);
    assert!(searched.contains("value=\"queue\""), "search kept in the box");
    let (_, literal) = page(&app, &viewer, "/incidents?q=100%25").await;
    assert_eq!(titles(&literal), ["INC-5</span> Login 100% failures"]);
    let (_, day) = page(&app, &viewer, "/incidents?since=2026-10-15&until=2026-10-15").await;
    assert_eq!(titles(&day), ["INC-4</span> DNS outage"], "the last day is included, the next is not");
    let (_, severe) = page(&app, &viewer, "/incidents?sort=severity").await;
    assert!(titles(&severe)[0].contains("DNS outage"), "SEV1 first");
    let (_, oldest) = page(&app, &viewer, "/incidents?sort=oldest").await;
    assert!(titles(&oldest)[0].contains("INC-1"));
    let (status, bad) = page(&app, &viewer, "/incidents?since=last+week&q=kept").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("From: &#34;last week&#34; is not a day") || bad.contains("is not a day"));
    assert!(bad.contains("value=\"kept\""));
}

#[tokio::test]
async fn incident_list_pages_keep_their_filters_and_order() {
    let app = spawn_app().await;
    let began = datetime!(2026-09-01 00:00 UTC);
    let many: Vec<(String, u8)> = (0..60).map(|i| (format!("Flaky job {i:02}"), (i % 3 + 2) as u8)).collect();
    let list: Vec<_> = many.iter().map(|(t, s)| (t.as_str(), "", *s, None, began)).collect();
    incidents(&app, &list).await;
    let viewer = sign_in(&app, "viewer").await;
    let (_, first) = page(&app, &viewer, "/incidents?q=flaky&sort=severity").await;
    assert!(first.contains("<span class=\"muted\">(60)</span>"));
    let next = first.split("href=\"").find(|s| s.contains("Next page")).unwrap().split('"').next().unwrap();
    let next = next.replace("&#38;", "&").replace("&amp;", "&");
    assert!(next.contains("q=flaky") && next.contains("sort=severity") && next.contains("cursor="), "{next}");
    let (status, second) = page(&app, &viewer, &next).await;
    assert_eq!(status, StatusCode::OK);
    let count = |html: &str| html.matches("<span class=\"handle\">").count();
    assert_eq!((count(&first), count(&second)), (50, 10));
    assert!(second.contains("class=\"sev SEV4\"") && !second.contains("class=\"sev SEV2\""), "least severe last");
    assert!(second.contains("← First page"));
}

#[tokio::test]
async fn a_slack_export_zip_is_imported_from_the_page() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let editor = sign_in(&app, "editor").await;
    let path = format!("/incidents/{}", seed.public);
    let (_, body) = page(&app, &editor, &path).await;
    let token = csrf_token(&body);
    let zip =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures/import/slack_export.zip")).unwrap();
    let (status, body) =
        upload(&app, &editor, &format!("{path}/import"), multipart_bytes(&token, "slack-export", "export.zip", &zip))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Import finished (slack-export)"));
    let (_, events) = app.get(As::User("editor"), &format!("/api/v1/incidents/{}/events", seed.public)).await;
    let slack = events["items"].as_array().unwrap().iter().filter(|e| e["source"] == "slack").count();
    assert!(slack > 0, "{events}");
    assert!(body.contains(&format!("<dt>Imported</dt><dd>{slack}</dd>")), "the summary counts what the timeline got");
}

#[tokio::test]
async fn a_file_in_the_wrong_format_is_named_with_the_format_it_looks_like() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let editor = sign_in(&app, "editor").await;
    let path = format!("/incidents/{}", seed.public);
    let (_, body) = page(&app, &editor, &path).await;
    let token = csrf_token(&body);
    let fixture = |name: &str| {
        std::fs::read_to_string(format!("{}/../core/tests/fixtures/import/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    };
    let log = fixture("pagerduty_log_page.json");
    let (status, body) =
        upload(&app, &editor, &format!("{path}/import"), multipart(&token, "alertmanager", "log.json", &log)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("log.json looks like a PagerDuty log entries file (REST API), not an Alertmanager webhook notification: import it with the format pagerduty-log"),
        "{body}"
    );
    assert!(!body.contains("<code>body"), "the file is named, not the request body: {body}");
    // A file the format cannot read at all says so too.
    let events = fixture("events.jsonl");
    let (status, body) =
        upload(&app, &editor, &format!("{path}/import"), multipart(&token, "csv", "events.jsonl", &events)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("events.jsonl looks like Hindsight&#39;s JSON Lines"), "{body}");
    assert!(body.contains("import it with the format jsonl"), "{body}");
}

/// A Slack export zip of about a megabyte whose day file unpacks to 300 MiB: one message
/// whose text is all of it.
fn slack_zip_bomb() -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    zip.start_file("users.json", options).unwrap();
    zip.write_all(br#"[{"id": "U1", "name": "ana"}]"#).unwrap();
    zip.start_file("general/2026-11-20.json", options).unwrap();
    zip.write_all(br#"[{"type": "message", "ts": "1795183805.000100", "user": "U1", "text": ""#).unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..300 {
        zip.write_all(&chunk).unwrap();
    }
    zip.write_all(br#""}]"#).unwrap();
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_slack_zip_bomb_is_refused_naming_its_entry_and_the_server_stays_up() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let editor = sign_in(&app, "editor").await;
    let path = format!("/incidents/{}", seed.public);
    let (_, body) = page(&app, &editor, &path).await;
    let token = csrf_token(&body);
    let zip = slack_zip_bomb();
    assert!(zip.len() < 2 << 20, "{} bytes", zip.len());
    let (status, body) =
        upload(&app, &editor, &format!("{path}/import"), multipart_bytes(&token, "slack-export", "bomb.zip", &zip))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("general/2026-11-20.json") && body.contains("unpacks to more than 256 MiB"),
        "the entry and the reason are named: {body}"
    );
    let (status, _) = app.get(As::Nobody, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let (_, events) = app.get(As::User("editor"), &format!("/api/v1/incidents/{}/events", seed.public)).await;
    assert!(!events["items"].as_array().unwrap().iter().any(|e| e["source"] == "slack"), "{events}");
}

#[tokio::test]
async fn response_times_across_the_listed_incidents_are_medians_and_percentiles_of_what_one_may_see() {
    let app = spawn_app().await;
    app.seed().await;
    for (title, detected) in [("Queue backlog", "2026-11-20T10:02:00Z"), ("Slow search", "2026-11-20T10:10:00Z")] {
        let body = json!({"title": title, "severity": "SEV3", "started_at": "2026-11-20T10:00:00Z", "detected_at": detected, "detection_method": "customer_report"});
        let (status, _) = app.post(As::User("editor"), "/api/v1/incidents", body).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let outsider = sign_in(&app, "outsider").await;
    let (_, list) = page(&app, &outsider, "/incidents?severity=SEV3").await;
    assert!(
        list.contains("<a href=\"/incidents/response-times?severity=SEV3\">Response times of these incidents</a>"),
        "{list}"
    );
    let (status, body) = page(&app, &outsider, "/incidents/response-times").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Time to detect: 2, 4 (the seeded incident) and 10 minutes; the private one is not theirs to see.
    assert!(body.contains("(3 incidents)"), "{body}");
    assert!(
        body.contains("<th scope=\"row\">Detect</th><td>3</td><td>4m</td><td>10m</td><td>10m</td><td>10m</td>"),
        "{body}"
    );
    assert!(body.contains("<th scope=\"row\">Resolve</th><td>0</td><td>—</td>"), "{body}");
    assert!(body.contains("<th scope=\"row\">Customer report</th><td>2</td>"), "{body}");
    let (_, filtered) = page(&app, &outsider, "/incidents/response-times?severity=SEV2").await;
    assert!(filtered.contains("(1 incident)") && filtered.contains("<td>1</td><td>4m</td>"), "{filtered}");
    let admin = sign_in(&app, "admin").await;
    let (_, everything) = page(&app, &admin, "/incidents/response-times").await;
    assert!(everything.contains("(4 incidents)"), "{everything}");
    let (status, bad) = page(&app, &outsider, "/incidents/response-times?since=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("From: &#34;yesterday&#34; is not a day"), "{bad}");
}

#[tokio::test]
async fn editors_edit_an_incident_and_its_responders_from_the_page() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let editor = sign_in(&app, "editor").await;
    let path = format!("/incidents/{}", seed.public);
    let (_, incident_page) = page(&app, &editor, &path).await;
    assert!(incident_page.contains(&format!("href=\"{path}/edit\">Edit incident</a>")), "linked from the page");
    let (status, form) = page(&app, &editor, &format!("{path}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    for label in ["Title", "Severity", "Detected by", "Description", "Responder 1", "Role of responder 1"] {
        assert!(form.contains(&format!(">{label}</label>")), "{label}");
    }
    assert!(form.contains("value=\"incident_commander\" selected>Incident commander</option>"), "{form}");
    let (token, based_on) = (csrf_token(&form), version(&form));
    let fields = [
        ("csrf_token", token.as_str()),
        ("version", based_on.as_str()),
        ("title", "Checkout returns 502 for card payments"),
        ("severity", "SEV1"),
        ("detection_method", "customer_report"),
        ("description", "Card payments failed."),
        ("services", "checkout"),
        ("teams", "payments"),
        ("responder", "editor"),
        ("role", "scribe"),
        ("responder", "admin"),
        ("role", "incident_commander"),
        ("responder", ""),
        ("role", "responder"),
        ("reason", "The commander was Admin, not the editor"),
    ];
    let (status, location, _) = send_form(&app, &editor, &format!("{path}/edit"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(location.starts_with(&format!("{path}?notice=Saved")), "{location}");
    let (_, incident) = app.get(As::User("editor"), &format!("/api/v1/incidents/{}", seed.public)).await;
    assert_eq!(incident["title"], "Checkout returns 502 for card payments");
    assert_eq!(
        (incident["severity"].as_str(), incident["detection_method"].as_str()),
        (Some("SEV1"), Some("customer_report"))
    );
    assert_eq!(incident["teams"], json!(["payments"]));
    assert_eq!(
        incident["responders"],
        json!([{"username": "editor", "role": "scribe"}, {"username": "admin", "role": "incident_commander"}])
    );
    let (_, history) = app.get(As::User("editor"), &format!("/api/v1/incidents/{}/history", seed.public)).await;
    assert_eq!(history.as_array().unwrap().last().unwrap()["reason"], "The commander was Admin, not the editor");

    // The same form again, based on the version before: someone else's change came first.
    let (status, _, body) = send_form(&app, &editor, &format!("{path}/edit"), &fields).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Someone changed this incident after you opened the form"), "{body}");
    assert!(body.contains("Saved now by someone else") && body.contains("admin (Incident commander)"), "{body}");
    assert!(body.contains("value=\"The commander was Admin, not the editor\""), "the input is kept");
    let current = incident["version"].to_string();
    assert_eq!(version(&body), current, "sending again writes over theirs");

    let bad = [
        ("csrf_token", token.as_str()),
        ("version", current.as_str()),
        ("title", " "),
        ("severity", "SEV1"),
        ("detection_method", "customer_report"),
        ("responder", "editor"),
        ("role", "boss"),
    ];
    let (status, _, body) = send_form(&app, &editor, &format!("{path}/edit"), &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Responder 1: choose the role editor held"), "{body}");
    let nobody = [
        ("csrf_token", token.as_str()),
        ("version", current.as_str()),
        ("title", "Still here"),
        ("severity", "SEV1"),
        ("detection_method", "customer_report"),
        ("responder", "ghost"),
        ("role", "scribe"),
    ];
    let (status, _, body) = send_form(&app, &editor, &format!("{path}/edit"), &nobody).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Responders:") && body.contains("ghost"), "{body}");
}

#[tokio::test]
async fn viewers_and_forged_forms_cannot_edit_an_incident() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let viewer = sign_in(&app, "viewer").await;
    let path = format!("/incidents/{}/edit", seed.public);
    let (status, body) = page(&app, &viewer, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("editor or admin role"));
    let (_, incident_page) = page(&app, &viewer, &format!("/incidents/{}", seed.public)).await;
    assert!(!incident_page.contains("Edit incident"));
    let token = csrf_token(&incident_page);
    let fields = [
        ("csrf_token", token.as_str()),
        ("version", "1"),
        ("title", "Mine now"),
        ("severity", "SEV5"),
        ("detection_method", "unknown"),
    ];
    let (status, _, _) = send_form(&app, &viewer, &path, &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let editor = sign_in(&app, "editor").await;
    let forged = [
        ("csrf_token", "forged"),
        ("version", "1"),
        ("title", "Mine now"),
        ("severity", "SEV5"),
        ("detection_method", "unknown"),
    ];
    let (status, _, body) = send_form(&app, &editor, &path, &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("cross-site request refused"));
    let outsider = sign_in(&app, "outsider").await;
    let (status, _) = page(&app, &outsider, &format!("/incidents/{}/edit", seed.private)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, incident) = app.get(As::User("editor"), &format!("/api/v1/incidents/{}", seed.public)).await;
    assert_eq!(incident["version"], 1, "nothing changed");
}

#[tokio::test]
async fn the_incident_page_reads_in_words_people_use() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let at = datetime!(2026-11-20 10:03 UTC);
    app.store
        .import_events(&Viewer::operator(), 1, &[event(at, "alertmanager", EventKind::Alert, "a1", "One alert")], &[])
        .await
        .unwrap();
    let (status, _) = app
        .patch(
            As::User("editor"),
            &format!("/api/v1/incidents/{}", seed.public),
            json!({"version": 1, "teams": ["payments"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post(
            As::User("editor"),
            &format!("/api/v1/incidents/{}/postmortem", seed.public),
            json!({"sections": {"summary": "The pool kept **stale** connections.\n\n- one\n- two"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let viewer = sign_in(&app, "viewer").await;
    let (_, body) = page(&app, &viewer, &format!("/incidents/{}", seed.public)).await;
    assert!(body.contains("Timeline <span class=\"muted\">(1 event)</span>"), "singular");
    assert!(body.contains("2026-11-20 10:03:00 UTC: 1 alert<"), "{body}");
    assert!(body.contains("<span class=\"muted\">Teams:</span> Payments"), "team names, not slugs");
    assert!(body.contains("<span class=\"muted\">Services:</span> Checkout"), "service names, not slugs");
    assert!(body.contains("<span class=\"muted\">Detected by:</span> Monitoring alert"));
    assert!(body.contains("<strong>stale</strong>") && body.contains("<li>one</li>"), "Markdown rendered: {body}");
    assert!(!body.contains("**stale**"));
    assert!(body.contains("viewer (viewer role)"));
    assert!(body.contains("<link rel=\"icon\" href=\"/assets/favicon.svg\""));
    let (status, _) = page(&app, &viewer, "/assets/favicon.svg").await;
    assert_eq!(status, StatusCode::OK);
}
