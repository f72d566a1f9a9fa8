//! Walks every endpoint with every role and with no credentials, and checks the
//! answer. The walk must cover every operation in the OpenAPI document, so a new
//! endpoint cannot be added without saying who may call it.

use crate::common;

use std::collections::BTreeSet;

use common::{As, TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in.
    Read,
    /// Editors and admins.
    Write,
    /// Admins only.
    Admin,
    /// The user named in the path (here: editor) or an admin.
    SelfOrAdmin,
    /// A vendor's webhook, switched off in this walk: 404 for everyone.
    WebhookOff,
    /// A webhook checked by its signature alone: the walk's is wrong, so 403 for everyone.
    Signed,
}

struct Call {
    method: Method,
    /// The path as the OpenAPI document names it.
    template: &'static str,
    access: Access,
    /// JSON, or a string sent as a text body.
    body: Option<Value>,
}

fn call(method: Method, template: &'static str, access: Access, body: Option<Value>) -> Call {
    Call { method, template, access, body }
}

/// Ids of the things the walk touches, made fresh for each caller.
struct Fixture {
    incident: String,
    /// An incident with no post-mortem yet, for starting one.
    spare: String,
    event: String,
    postmortem: String,
    action_item: String,
    token: String,
    /// A comment thread on the post-mortem, opened by the admin.
    comment: String,
    /// A published post-mortem, for reading.
    published: String,
    /// A post-mortem in review with every walker among its reviewers.
    reviewed: String,
    /// A destination, and a delivery to it given up after its tries.
    destination: String,
    delivery: String,
    /// A tracker, to which `action_item` is linked; `spare_item` is linked to none.
    tracker: String,
    spare_item: String,
    /// The incident of `published`, whose root cause was left unknown.
    unknown_cause: String,
    /// An incident without a post-mortem, for a post-mortem to cover.
    covered: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let seed = app.seed().await;
    let admin = As::User("admin");
    let (_, event) = app
        .post(admin, &format!("/api/v1/incidents/{}/events", seed.public), json!({"occurred_at": "2026-11-20T10:05:00Z", "kind": "page", "text": "Paged on-call", "raw_payload": {"id": 1}}))
        .await;
    let (_, item) = app
        .post(
            admin,
            &format!("/api/v1/incidents/{}/action-items", seed.public),
            json!({"title": "Add a runbook", "kind": "improve_response", "owner": "editor", "due_date": "2026-12-01"}),
        )
        .await;
    app.post(admin, &format!("/api/v1/incidents/{}/events", seed.public), json!({"occurred_at": "2026-11-20T10:30:00Z", "kind": "rollback", "text": "Rolled back", "key_moment": "mitigation"})).await;
    let sections = common::complete_sections(item["id"].as_str().unwrap());
    let (_, pm) =
        app.post(admin, &format!("/api/v1/incidents/{}/postmortem", seed.public), json!({"sections": sections})).await;
    let (_, token) = app.post(admin, "/api/v1/users/editor/tokens", json!({"name": "walk"})).await;
    let (_, spare) = app.post(admin, "/api/v1/incidents", json!({"title": "Spare", "severity": "SEV4"})).await;
    let (_, covered) = app.post(admin, "/api/v1/incidents", json!({"title": "Covered", "severity": "SEV4"})).await;
    let comments = format!("/api/v1/postmortems/{}/comments", pm["id"].as_str().unwrap());
    let (_, comment) = app.post(admin, &comments, json!({"body": "Which pool?"})).await;
    let (_, read) = app.post(admin, "/api/v1/incidents", json!({"title": "Read me", "severity": "SEV4"})).await;
    let (_, published) =
        app.post(admin, &format!("/api/v1/incidents/{}/postmortem", read["handle"].as_str().unwrap()), json!({})).await;
    let published = published["id"].as_str().unwrap().to_string();
    let user = app.store.user_by_username("admin").await.unwrap();
    let viewer = hindsight_core::access::Viewer {
        user_id: Some(hindsight_core::access::UserId::new(user.id)),
        username: user.username,
        role: user.role,
    };
    for (version, status) in
        [(1, hindsight_core::PostmortemStatus::InReview), (2, hindsight_core::PostmortemStatus::Published)]
    {
        app.store.set_postmortem_status(&viewer, &published, version, status).await.unwrap();
    }
    let (_, review) = app.post(admin, "/api/v1/incidents", json!({"title": "Review me", "severity": "SEV4"})).await;
    let path = format!("/api/v1/incidents/{}/postmortem", review["handle"].as_str().unwrap());
    let (_, reviewed) = app.post(admin, &path, json!({})).await;
    let reviewed = reviewed["id"].as_str().unwrap().to_string();
    app.store.set_postmortem_status(&viewer, &reviewed, 1, hindsight_core::PostmortemStatus::InReview).await.unwrap();
    let walkers = ["viewer".to_string(), "editor".to_string(), "admin".to_string()];
    let note = hindsight_store::AuditNote::new("test", "named reviewers", "walk", json!({}));
    app.store.set_reviewers(&viewer, &reviewed, &walkers, &note).await.unwrap();
    let (destination, delivery) = failed_delivery(app).await;
    let draft = hindsight_core::PublicSummaryDraft {
        title: "Card payments failed".into(),
        body: "Payments failed for 40 minutes.".into(),
        ..Default::default()
    };
    let note = || hindsight_store::AuditNote::new("test", "public summary", "walk", json!({}));
    app.store.put_public_summary(&viewer, &published, &draft, &note()).await.unwrap();
    app.store.publish_public_summary(&viewer, &published, true, &note()).await.unwrap();
    let new = hindsight_core::NewTracker {
        name: "walk tracker".into(),
        kind: hindsight_core::TrackerKind::Github,
        api_url: Some("http://127.0.0.1:9".into()),
        project: "example/walk".into(),
        token: "ghp_walk".into(),
        auto_priorities: vec![],
        people: Default::default(),
    };
    let note = hindsight_store::AuditNote::new("test", "added tracker", "walk", json!({}));
    let key = app.secret_key.as_ref().unwrap();
    let tracker = app.store.add_tracker(&new, &key.seal("ghp_walk"), &key.seal("walk secret"), &note).await.unwrap();
    let item_id = item["id"].as_str().unwrap();
    app.store.link_action_item(&viewer, item_id, &tracker.id).await.unwrap();
    let (_, spare_item) = app
        .post(
            admin,
            &format!("/api/v1/incidents/{}/action-items", seed.public),
            json!({"title": "Spare", "kind": "improve_response"}),
        )
        .await;
    Fixture {
        incident: seed.public,
        spare: spare["handle"].as_str().unwrap().into(),
        event: event["id"].as_str().unwrap().into(),
        postmortem: pm["id"].as_str().unwrap().into(),
        action_item: item["id"].as_str().unwrap().into(),
        token: token["token"]["id"].as_str().unwrap().into(),
        comment: comment["id"].as_str().unwrap().into(),
        published,
        reviewed,
        destination,
        delivery,
        tracker: tracker.id,
        spare_item: spare_item["id"].as_str().unwrap().into(),
        unknown_cause: read["handle"].as_str().unwrap().into(),
        covered: covered["handle"].as_str().unwrap().into(),
    }
}

/// A destination and a delivery to it that failed every try.
async fn failed_delivery(app: &TestApp) -> (String, String) {
    use hindsight_store::{Outcome, Ts};
    let new = hindsight_core::NewDestination {
        name: "walk hook".into(),
        kind: hindsight_core::DestinationKind::Webhook,
        url: "http://127.0.0.1:9/hook".into(),
        team: None,
        events: vec![],
        token: None,
    };
    let note = hindsight_store::AuditNote::new("test", "added destination", "walk", json!({}));
    let destination = app.store.add_destination(&new, "sealed", None, &note).await.unwrap();
    // A destination gets the events that come after it.
    let (status, _) =
        app.post(As::User("admin"), "/api/v1/incidents", json!({"title": "Walk hook", "severity": "SEV5"})).await;
    assert_eq!(status, StatusCode::CREATED);
    // A day ahead: whatever the server's own worker holds by then has lapsed, so the walk
    // routes and claims whatever the worker did meanwhile.
    let now = Ts::from(time::OffsetDateTime::now_utc() + time::Duration::days(1));
    // Everything not routed yet, to the end (this lease, a day ahead, is the walk's from now on).
    while app.store.route_events("walk", now, now, 500).await.unwrap().is_some_and(|batch| batch.events > 0) {}
    // Failed until given up. The server's worker may hold the row for an instant (a claim
    // skips locked rows), or have failed it once itself: claim until it is given up.
    let given_up = hindsight_store::DeliveryFilter { state: Some(hindsight_core::DeliveryState::Failed), before: None };
    for _ in 0..1_000 {
        let claimed = app.store.claim_deliveries("walk", now, now, 1).await.unwrap();
        match claimed.first() {
            Some(delivery) => {
                let failed = Outcome::Failed { error: "HTTP 500".into(), retry_at: now };
                app.store.finish_deliveries("walk", &[(delivery.id, failed)], now).await.unwrap();
            }
            None => {
                if let Some(delivery) = app.store.deliveries(&given_up, 1).await.unwrap().first() {
                    return (destination.id, delivery.id.to_string());
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    }
    panic!("the walk's delivery was not given up")
}

fn calls() -> Vec<Call> {
    use Access::*;
    let get = Method::GET;
    let post = Method::POST;
    let patch = Method::PATCH;
    let put = Method::PUT;
    let delete = Method::DELETE;
    vec![
        call(get.clone(), "/healthz", Public, None),
        call(get.clone(), "/readyz", Public, None),
        call(get.clone(), "/api/v1/openapi.json", Public, None),
        call(get.clone(), "/api/v1/me", Read, None),
        call(get.clone(), "/api/v1/settings", Read, None),
        call(get.clone(), "/api/v1/incidents", Read, None),
        call(get.clone(), "/api/v1/metrics", Read, None),
        call(post.clone(), "/api/v1/incidents", Write, Some(json!({"title": "Walk", "severity": "SEV5"}))),
        call(get.clone(), "/api/v1/incidents/{handle}", Read, None),
        call(patch.clone(), "/api/v1/incidents/{handle}", Write, Some(json!({"version": 1, "description": "walked"}))),
        call(get.clone(), "/api/v1/incidents/{handle}/metrics", Read, None),
        call(get.clone(), "/api/v1/incidents/{handle}/similar", Read, None),
        call(get.clone(), "/api/v1/incidents/{handle}/recurrence", Read, None),
        call(put.clone(), "/api/v1/incidents/{handle}/recurrence", Write, Some(json!({"of": "INC-1"}))),
        call(get.clone(), "/api/v1/insights/hotspots", Read, None),
        call(get.clone(), "/api/v1/insights/fixes", Read, None),
        call(get.clone(), "/api/v1/insights/unknown-causes", Read, None),
        call(get.clone(), "/api/v1/insights/response-times", Read, None),
        call(get.clone(), "/api/v1/insights/factors", Read, None),
        call(get.clone(), "/api/v1/insights/follow-through", Read, None),
        call(get.clone(), "/api/v1/factors", Read, None),
        call(get.clone(), "/api/v1/incidents/{handle}/unknown-cause", Read, None),
        call(put.clone(), "/api/v1/incidents/{handle}/unknown-cause", Write, Some(json!({"found": "A cron job"}))),
        call(get.clone(), "/api/v1/action-items/{id}/since", Read, None),
        call(get.clone(), "/api/v1/incidents/{handle}/policy", Read, None),
        call(get.clone(), "/api/v1/incidents/{handle}/history", Read, None),
        call(get.clone(), "/api/v1/incidents/{handle}/events", Read, None),
        call(
            post.clone(),
            "/api/v1/incidents/{handle}/events",
            Write,
            Some(json!({"occurred_at": "2026-11-20T10:06:00Z", "kind": "note", "text": "walk"})),
        ),
        call(get.clone(), "/api/v1/incidents/{handle}/events/{id}", Read, None),
        call(get.clone(), "/api/v1/incidents/{handle}/events/{id}/raw", Read, None),
        call(get.clone(), "/api/v1/incidents/{handle}/duplicates", Read, None),
        call(
            post.clone(),
            "/api/v1/incidents/{handle}/import",
            Write,
            Some(json!({"time": "2026-11-20T10:07:00Z", "source": "cron", "kind": "note", "text": "walk"})),
        ),
        call(
            post.clone(),
            "/api/v1/import",
            Write,
            Some(json!({"time": "2026-11-20T10:07:00Z", "source": "cron", "kind": "alert", "text": "walk alert"})),
        ),
        call(post.clone(), "/api/v1/webhooks/{vendor}", WebhookOff, Some(json!({}))),
        call(
            patch.clone(),
            "/api/v1/incidents/{handle}/events/{id}",
            Write,
            Some(json!({"version": 1, "text": "Paged the on-call engineer"})),
        ),
        call(get.clone(), "/api/v1/incidents/{handle}/postmortem", Read, None),
        call(post.clone(), "/api/v1/incidents/{handle}/postmortem", Write, Some(json!({"owner": "admin"}))),
        call(get.clone(), "/api/v1/postmortems", Read, None),
        call(get.clone(), "/api/v1/postmortems/{id}", Read, None),
        call(
            patch.clone(),
            "/api/v1/postmortems/{id}",
            Write,
            Some(json!({"version": 1, "sections": {"trigger": "A deploy"}})),
        ),
        call(get.clone(), "/api/v1/postmortems/{id}/sections/{section}", Read, None),
        call(
            put.clone(),
            "/api/v1/postmortems/{id}/sections/{section}",
            Write,
            Some(json!({"version": 2, "value": "Short summary"})),
        ),
        call(
            post.clone(),
            "/api/v1/postmortems/{id}/status",
            Write,
            Some(json!({"version": 3, "status": "in_review"})),
        ),
        call(get.clone(), "/api/v1/postmortems/{id}/history", Read, None),
        call(get.clone(), "/api/v1/postmortems/{id}/completeness", Read, None),
        call(get.clone(), "/api/v1/postmortems/{id}/draft", Read, None),
        call(post.clone(), "/api/v1/postmortems/{id}/draft", Write, None),
        call(get.clone(), "/api/v1/postmortems/{id}/factors", Read, None),
        call(put.clone(), "/api/v1/postmortems/{id}/factors", Write, Some(json!({"factors": ["change"]}))),
        call(get.clone(), "/api/v1/postmortems/{id}/incidents", Read, None),
        call(get.clone(), "/api/v1/postmortems/{id}/timeline", Read, None),
        call(put.clone(), "/api/v1/postmortems/{id}/incidents/{handle}", Write, None),
        call(get.clone(), "/api/v1/postmortems/{id}/lint", Read, None),
        call(get.clone(), "/api/v1/postmortems/{id}/export", Read, None),
        // Anyone who may read a post-mortem may ask in its discussion; resolving another's
        // thread takes an editor.
        call(get.clone(), "/api/v1/postmortems/{id}/comments", Read, None),
        call(post.clone(), "/api/v1/postmortems/{id}/comments", Read, Some(json!({"body": "Walked by."}))),
        call(post.clone(), "/api/v1/comments/{id}/resolve", Write, None),
        call(post.clone(), "/api/v1/comments/{id}/reopen", Write, None),
        call(post.clone(), "/api/v1/lint", Read, Some(json!({"text": "Dana broke the deploy."}))),
        call(
            post.clone(),
            "/api/v1/postmortems/import",
            Write,
            Some(json!("---\ntitle: \"Walked\"\nseverity: \"SEV5\"\n---\n# Walked\n\n## Summary\n\nA walk.\n")),
        ),
        call(get.clone(), "/api/v1/action-items", Read, None),
        call(
            post.clone(),
            "/api/v1/incidents/{handle}/action-items",
            Write,
            Some(json!({"title": "Walk item", "kind": "fix_root_cause"})),
        ),
        call(get.clone(), "/api/v1/action-items/{id}", Read, None),
        call(patch.clone(), "/api/v1/action-items/{id}", Write, Some(json!({"version": 1, "status": "in_progress"}))),
        call(get.clone(), "/api/v1/users", Read, None),
        call(
            post.clone(),
            "/api/v1/users",
            Admin,
            Some(json!({"username": "walker", "display_name": "Walker", "role": "viewer"})),
        ),
        call(get.clone(), "/api/v1/users/{username}", Read, None),
        call(patch.clone(), "/api/v1/users/{username}", SelfOrAdmin, Some(json!({"display_name": "Editor Walked"}))),
        call(get.clone(), "/api/v1/users/{username}/tokens", SelfOrAdmin, None),
        call(post.clone(), "/api/v1/users/{username}/tokens", SelfOrAdmin, Some(json!({"name": "walk 2"}))),
        call(get.clone(), "/api/v1/teams", Read, None),
        call(post.clone(), "/api/v1/teams", Admin, Some(json!({"slug": "walkers", "name": "Walkers"}))),
        call(get.clone(), "/api/v1/teams/{slug}", Read, None),
        call(patch.clone(), "/api/v1/teams/{slug}", Admin, Some(json!({"name": "Payments and billing"}))),
        call(put.clone(), "/api/v1/teams/{slug}/members/{username}", Admin, None),
        call(get.clone(), "/api/v1/services", Read, None),
        call(post.clone(), "/api/v1/services", Admin, Some(json!({"slug": "walk-svc", "name": "Walk"}))),
        call(get.clone(), "/api/v1/services/{slug}", Read, None),
        call(patch.clone(), "/api/v1/services/{slug}", Admin, Some(json!({"name": "Checkout API"}))),
        call(get.clone(), "/api/v1/postmortems/{id}/readers", Read, None),
        call(put.clone(), "/api/v1/postmortems/{id}/readers", Write, Some(json!({"teams": ["payments"]}))),
        call(post.clone(), "/api/v1/postmortems/{id}/read", Read, None),
        call(get.clone(), "/api/v1/postmortems/{id}/review", Read, None),
        call(get.clone(), "/api/v1/teams/{slug}/still-to-read", Read, None),
        call(put.clone(), "/api/v1/postmortems/{id}/reviewers", Write, Some(json!({"reviewers": ["admin"]}))),
        call(post.clone(), "/api/v1/postmortems/{id}/reviews", Read, Some(json!({"verdict": "approved"}))),
        call(
            put.clone(),
            "/api/v1/postmortems/{id}/review-meeting",
            Write,
            Some(json!({"held_at": "2026-12-03T15:00:00Z", "attendees": ["admin"]})),
        ),
        call(get.clone(), "/api/v1/me/notifications", Read, None),
        call(post.clone(), "/api/v1/me/notifications/read", Read, Some(json!({"all": true}))),
        call(get.clone(), "/api/v1/me/email", Read, None),
        call(put.clone(), "/api/v1/me/email", Read, Some(json!({"digest": true, "muted": ["commented"]}))),
        call(get.clone(), "/api/v1/public/summaries", Public, None),
        call(get.clone(), "/api/v1/public/summaries/{id}", Public, None),
        call(get.clone(), "/api/v1/postmortems/{id}/public-summary", Read, None),
        call(
            put.clone(),
            "/api/v1/postmortems/{id}/public-summary",
            Write,
            Some(json!({"title": "Payments failed", "body": "For 40 minutes, card payments failed."})),
        ),
        call(post.clone(), "/api/v1/postmortems/{id}/public-summary/publish", Write, None),
        call(post.clone(), "/api/v1/postmortems/{id}/public-summary/unpublish", Write, None),
        call(get.clone(), "/api/v1/destinations", Admin, None),
        call(
            post.clone(),
            "/api/v1/destinations",
            Admin,
            Some(json!({"name": "#walk", "kind": "slack", "url": "https://hooks.slack.test/services/T/B/x"})),
        ),
        call(get.clone(), "/api/v1/deliveries", Admin, None),
        call(post.clone(), "/api/v1/deliveries/{id}/retry", Admin, None),
        call(get.clone(), "/api/v1/trackers", Write, None),
        call(
            post.clone(),
            "/api/v1/trackers",
            Admin,
            Some(
                json!({"name": "walk jira", "kind": "jira", "api_url": "https://walk.atlassian.test", "project": "WALK", "token": "a@example.com:t"}),
            ),
        ),
        call(get.clone(), "/api/v1/action-items/{id}/issue", Read, None),
        call(post.clone(), "/api/v1/action-items/{id}/issue", Write, Some(json!({"tracker": "walk tracker"}))),
        call(post.clone(), "/api/v1/trackers/{id}/webhook", Signed, Some(json!({"action": "edited"}))),
        call(get.clone(), "/api/v1/audit/verify", Admin, None),
        call(get.clone(), "/api/v1/audit/events", Admin, None),
        // Deletions last, the things hanging off an incident before the incident.
        call(delete.clone(), "/api/v1/teams/{slug}/members/{username}", Admin, None),
        call(delete.clone(), "/api/v1/destinations/{id}", Admin, None),
        call(delete.clone(), "/api/v1/incidents/{handle}/recurrence", Write, None),
        call(delete.clone(), "/api/v1/incidents/{handle}/unknown-cause", Write, None),
        call(delete.clone(), "/api/v1/postmortems/{id}/incidents/{handle}", Write, None),
        call(delete.clone(), "/api/v1/trackers/{id}", Admin, None),
        call(delete.clone(), "/api/v1/tokens/{id}", SelfOrAdmin, None),
        call(delete.clone(), "/api/v1/incidents/{handle}/events/{id}", Write, None),
        call(delete.clone(), "/api/v1/action-items/{id}", Write, None),
        call(delete.clone(), "/api/v1/postmortems/{id}", Admin, None),
        call(delete.clone(), "/api/v1/incidents/{handle}", Admin, None),
        call(delete.clone(), "/api/v1/services/{slug}", Admin, None),
        call(delete.clone(), "/api/v1/teams/{slug}", Admin, None),
        call(delete.clone(), "/api/v1/session", Read, None),
        call(post, "/api/v1/session", Public, Some(json!({"username": "viewer", "password": common::PASSWORD}))),
    ]
}

fn concrete(method: &Method, template: &str, f: &Fixture) -> String {
    let id = if template.starts_with("/api/v1/destinations/") {
        &f.destination
    } else if template.starts_with("/api/v1/trackers/") {
        &f.tracker
    } else if *method == Method::POST && template.ends_with("/issue") {
        &f.spare_item
    } else if template.starts_with("/api/v1/deliveries/") {
        &f.delivery
    } else if template.contains("/events/") {
        &f.event
    } else if template.starts_with("/api/v1/comments/") {
        &f.comment
    } else if template.ends_with("/read") || template.contains("public") {
        &f.published
    } else if template.ends_with("/reviews") {
        &f.reviewed
    } else if template.contains("/postmortems/") {
        &f.postmortem
    } else if template.contains("/action-items/") {
        &f.action_item
    } else {
        &f.token
    };
    // A new post-mortem goes on the spare incident, which began last and so may recur the first.
    let spare = (*method == Method::POST && template.ends_with("/postmortem")) || template.ends_with("/recurrence");
    let handle = if spare {
        &f.spare
    } else if template.ends_with("/unknown-cause") {
        &f.unknown_cause
    } else if template.starts_with("/api/v1/postmortems/") {
        &f.covered
    } else {
        &f.incident
    };
    let query = if template.ends_with("/import") {
        "?format=jsonl&create_incident=true"
    } else if template.ends_with("/export") {
        "?format=md"
    } else {
        ""
    };
    let path = template
        .replace("{handle}", handle)
        .replace("{vendor}", "pagerduty")
        .replace("{section}", "summary")
        .replace("{id}", id)
        .replace("{slug}", if template.contains("/services/") { "checkout" } else { "payments" });
    let path = if template.starts_with("/api/v1/teams/") {
        path.replace("{username}", "viewer")
    } else {
        path.replace("{username}", "editor")
    };
    format!("{path}{query}")
}

fn expected(access: Access, who: As) -> &'static [StatusCode] {
    const OK: &[StatusCode] = &[StatusCode::OK, StatusCode::CREATED, StatusCode::ACCEPTED, StatusCode::NO_CONTENT];
    const UNAUTHORIZED: &[StatusCode] = &[StatusCode::UNAUTHORIZED];
    const FORBIDDEN: &[StatusCode] = &[StatusCode::FORBIDDEN];
    const NOT_FOUND: &[StatusCode] = &[StatusCode::NOT_FOUND];
    if access == Access::WebhookOff {
        return NOT_FOUND;
    }
    if access == Access::Signed {
        return FORBIDDEN;
    }
    let role = match who {
        As::Nobody => return if access == Access::Public { OK } else { UNAUTHORIZED },
        As::User(name) => name,
    };
    let allowed = match access {
        Access::Public | Access::Read | Access::WebhookOff | Access::Signed => true,
        Access::Write => matches!(role, "editor" | "admin"),
        Access::Admin => role == "admin",
        Access::SelfOrAdmin => matches!(role, "editor" | "admin"),
    };
    if allowed { OK } else { FORBIDDEN }
}

async fn walk(who: As) {
    walk_on(spawn_app().await, who).await;
}

async fn walk_on(app: TestApp, who: As) {
    let fixture = fixture(&app).await;
    for call in calls() {
        let path = concrete(&call.method, call.template, &fixture);
        // A text body (a Markdown document) goes as it is, not as JSON.
        let response = match &call.body {
            Some(Value::String(text)) => app
                .request(who, call.method.clone(), &path)
                .header(reqwest::header::CONTENT_TYPE, "text/markdown")
                .body(text.clone())
                .send()
                .await
                .unwrap(),
            body => app.send(who, call.method.clone(), &path, body.clone()).await,
        };
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(
            expected(call.access, who).contains(&status),
            "{who:?} {} {path}: got {status}, expected one of {:?}: {body}",
            call.method,
            expected(call.access, who)
        );
    }
}

#[tokio::test]
async fn nobody_gets_401_except_on_public_endpoints() {
    walk(As::Nobody).await;
}

#[tokio::test]
async fn viewers_read_but_cannot_write() {
    walk(As::User("viewer")).await;
}

#[tokio::test]
async fn editors_write_incidents_but_not_accounts() {
    walk(As::User("editor")).await;
}

#[tokio::test]
async fn admins_may_do_everything() {
    walk(As::User("admin")).await;
}

#[tokio::test]
async fn every_role_gets_the_same_answers_on_postgres() {
    for who in [As::Nobody, As::User("viewer"), As::User("editor"), As::User("admin")] {
        let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
        walk_on(common::spawn_on(store).await, who).await;
    }
}

#[test]
fn the_walk_covers_every_operation_in_the_openapi_document() {
    let doc = serde_json::to_value(hindsight_server::api::openapi()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let walked: BTreeSet<String> = calls().iter().map(|c| format!("{} {}", c.method, c.template)).collect();
    assert_eq!(documented, walked);
}
