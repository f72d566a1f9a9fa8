//! The home page, the action-item board, an incident's action items and the team and
//! service pages, over HTTP as a person uses them: signed in through the form,
//! posting the pages' own forms.

use crate::common;

use common::{As, TestApp, no_redirects, page, post_form, sign_in, spawn_app};
use hindsight_core::access::{UserId, Viewer};
use hindsight_core::{NewPostmortem, PostmortemStatus};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use time::macros::date;

/// The part of a page inside the element with this id, up to the end of its section.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no element #{id} in the page"));
    let rest = &html[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

/// Declares an incident through the API as an admin; answers its handle.
async fn declare(app: &TestApp, fields: Value) -> String {
    let (status, body) = app.post(As::User("admin"), "/api/v1/incidents", fields).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["handle"].as_str().unwrap().to_string()
}

/// Adds an action item through the API as an admin; answers its id.
async fn item(app: &TestApp, incident: &str, fields: Value) -> String {
    let (status, body) =
        app.post(As::User("admin"), &format!("/api/v1/incidents/{incident}/action-items"), fields).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn viewer_of(app: &TestApp, username: &str) -> Viewer {
    let user = app.store.user_by_username(username).await.unwrap();
    Viewer { user_id: Some(UserId::new(user.id)), username: user.username, role: user.role }
}

#[tokio::test]
async fn home_shows_what_needs_each_person_and_says_what_would_appear() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    app.store.add_member("payments", "editor", &note()).await.unwrap();
    app.store.add_member("payments", "viewer", &note()).await.unwrap();
    item(
        &app,
        &seed.public,
        json!({"title": "Write the runbook", "kind": "improve_response", "owner": "editor", "due_date": "2199-01-01"}),
    )
    .await;
    item(&app, &seed.public, json!({"title": "Fix the pool failover", "kind": "fix_root_cause", "owner": "editor", "due_date": "2020-01-01"})).await;
    item(
        &app,
        &seed.public,
        json!({"title": "Add a canary stage", "kind": "mitigate_future_impact", "owner_team": "payments"}),
    )
    .await;
    item(
        &app,
        &seed.public,
        json!({"title": "Old finished work", "kind": "fix_root_cause", "owner": "editor", "status": "done"}),
    )
    .await;
    item(
        &app,
        &seed.public,
        json!({"title": "Admin's own task", "kind": "fix_root_cause", "owner": "admin", "owner_team": "payments"}),
    )
    .await;
    let admin = viewer_of(&app, "admin").await;
    let editor = viewer_of(&app, "editor").await;
    // The editor's own late draft on the public incident.
    let late = NewPostmortem { due_date: Some(date!(2020 - 01 - 01)), ..NewPostmortem::default() };
    app.store.create_postmortem(&editor, 1, late).await.unwrap();
    // An incident naming payments whose post-mortem, by the admin, is in review.
    let named =
        declare(&app, json!({"title": "Refunds stuck in queue", "severity": "SEV3", "teams": ["payments"]})).await;
    let number = hindsight_core::parse_incident_handle(&named).unwrap();
    let pm = app.store.create_postmortem(&admin, number, NewPostmortem::default()).await.unwrap();
    app.store.set_postmortem_status(&admin, &pm.id, pm.version, PostmortemStatus::InReview).await.unwrap();

    let cookie = sign_in(&app, "editor").await;
    let (status, home) = page(&app, &cookie, "/").await;
    assert_eq!(status, StatusCode::OK);
    let mine = section(&home, "my-items");
    assert!(mine.contains(">3</span>"), "three open items: {mine}");
    let late_item = mine.find("Fix the pool failover").expect("the overdue item is listed");
    assert!(late_item < mine.find("Write the runbook").expect("the later item is listed"), "overdue first");
    assert!(mine.contains("Add a canary stage"), "the team's unowned item");
    assert!(mine.contains("badge overdue\">overdue"));
    assert!(!mine.contains("Old finished work") && !mine.contains("Admin&#39;s own task"));
    let owned = section(&home, "owned");
    assert!(owned.contains("Checkout returns 502") && owned.contains("due 2020-01-01"));
    assert!(section(&home, "review").contains("Refunds stuck in queue"), "the editor is in payments");
    assert!(section(&home, "late-drafts").contains("Checkout returns 502"));
    let responding = section(&home, "responding");
    assert!(responding.contains("Checkout returns 502") && responding.contains("Incident commander"));

    let cookie = sign_in(&app, "viewer").await;
    let (_, home) = page(&app, &cookie, "/").await;
    let review = section(&home, "review");
    assert!(review.contains("Refunds stuck in queue"), "a payments member reviews it: {review}");
    assert!(section(&home, "my-items").contains("Add a canary stage"));
    assert!(!section(&home, "my-items").contains("Fix the pool failover"));
    assert!(section(&home, "owned").contains("Post-mortems you own appear here"));

    let cookie = sign_in(&app, "outsider").await;
    let (_, home) = page(&app, &cookie, "/").await;
    assert!(section(&home, "my-items").contains("Nothing assigned to you"));
    assert!(section(&home, "responding").contains("not responding to any open incident"));
    assert!(section(&home, "review").contains("Nothing to review"));
    assert!(section(&home, "late-drafts").contains("Checkout returns 502"), "a public late draft");
    assert!(!home.contains("Credential leak"));

    let cookie = sign_in(&app, "responder").await;
    let (_, home) = page(&app, &cookie, "/").await;
    assert!(section(&home, "responding").contains("Credential leak in logs"));
}

#[tokio::test]
async fn board_groups_items_by_status_filters_them_and_marks_overdue_ones() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    item(
        &app,
        &seed.public,
        json!({"title": "Late open", "kind": "fix_root_cause", "owner": "editor", "due_date": "2020-01-01"}),
    )
    .await;
    item(
        &app,
        &seed.public,
        json!({"title": "Soon open", "kind": "fix_root_cause", "owner": "viewer", "due_date": "2199-01-01"}),
    )
    .await;
    item(
        &app,
        &seed.public,
        json!({"title": "Being done", "kind": "fix_root_cause", "status": "in_progress", "owner_team": "payments"}),
    )
    .await;
    item(
        &app,
        &seed.public,
        json!({"title": "Finished late", "kind": "fix_root_cause", "status": "done", "due_date": "2020-01-01"}),
    )
    .await;
    item(&app, &seed.public, json!({"title": "Dropped", "kind": "fix_root_cause", "status": "wont_do"})).await;
    item(&app, &seed.private, json!({"title": "Rotate the leaked key", "kind": "damage_control"})).await;

    let cookie = sign_in(&app, "outsider").await;
    let (status, board) = page(&app, &cookie, "/action-items").await;
    assert_eq!(status, StatusCode::OK);
    let open = section(&board, "col-open");
    assert!(open.contains(">2</span>"), "{open}");
    assert!(open.find("Late open").unwrap() < open.find("Soon open").unwrap(), "soonest due first");
    assert!(open.contains("badge overdue\">overdue"));
    assert!(section(&board, "col-in_progress").contains("Being done"));
    let done = section(&board, "col-done");
    assert!(done.contains("Finished late") && !done.contains("overdue"), "finished items are never overdue");
    assert!(section(&board, "col-wont_do").contains("Dropped"));
    assert!(!board.contains("Rotate the leaked key"), "private incident's item hidden from an outsider");

    let (_, mine) = page(&app, &cookie, "/action-items?owner=editor").await;
    assert!(mine.contains("Late open") && !mine.contains("Soon open") && !mine.contains("Being done"));
    let (_, team) = page(&app, &cookie, "/action-items?team=payments").await;
    assert!(team.contains("Being done") && !team.contains("Late open"));
    let (_, late) = page(&app, &cookie, "/action-items?overdue=1").await;
    assert!(late.contains("Late open") && !late.contains("Soon open") && !late.contains("Finished late"));
    assert!(late.contains("name=\"overdue\" value=\"1\" checked"), "the filter stays set");
    let (status, bad) = page(&app, &cookie, "/action-items?incident=nonsense").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("is not a handle"));

    let responder = sign_in(&app, "responder").await;
    let (_, private) = page(&app, &responder, &format!("/action-items?incident={}", seed.private)).await;
    assert!(private.contains("Rotate the leaked key") && !private.contains("Late open"));
    assert!(!private.contains("Mark done"), "a viewer gets no status forms");
}

#[tokio::test]
async fn an_editor_adds_an_action_item_and_closes_it_from_the_pages() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let cookie = sign_in(&app, "editor").await;
    let (_, incident) = page(&app, &cookie, &format!("/incidents/{}", seed.public)).await;
    let path = format!("/incidents/{}/action-items", seed.public);
    assert!(incident.contains(&format!("href=\"{path}\">Manage action items")));
    let (status, list) = page(&app, &cookie, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("No action items yet") && list.contains("<label for=\"title\">Title</label>"));
    let (status, location, _) = post_form(
        &app,
        &cookie,
        &path,
        &[
            ("title", "Make the pool follow the primary"),
            ("description", "Reconnect on failover."),
            ("kind", "fix_root_cause"),
            ("owner", "editor"),
            ("owner_team", "payments"),
            ("priority", "p1"),
            ("status", "open"),
            ("due_date", "2199-03-01"),
            ("tracker_url", "https://tracker.example.com/PAY-7"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with(&path) && location.contains("notice=Added"), "{location}");
    let (_, list) = page(&app, &cookie, &location).await;
    assert!(list.contains("Make the pool follow the primary") && list.contains("due 2199-03-01"));
    assert!(list.contains("role=\"status\">Added"));
    let (_, items) = app.get(As::User("editor"), "/api/v1/action-items").await;
    let saved = &items["items"][0];
    assert_eq!(saved["owner_team"], "payments");
    assert_eq!(saved["priority"], "p1");
    assert_eq!(saved["tracker_url"], "https://tracker.example.com/PAY-7");
    let id = saved["id"].as_str().unwrap();

    let (status, location, _) = post_form(
        &app,
        &cookie,
        &format!("/action-items/{id}/status"),
        &[("status", "done"), ("version", "1"), ("back", &path)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with(&path), "back where the button was: {location}");
    let (_, item) = app.get(As::User("editor"), &format!("/api/v1/action-items/{id}")).await;
    assert_eq!(item["status"], "done");
    assert_eq!(item["version"], 2);
    let (_, board) = page(&app, &cookie, "/action-items").await;
    assert!(section(&board, "col-done").contains("Make the pool follow the primary"));
    assert!(!section(&board, "col-open").contains("Make the pool follow the primary"));
}

#[tokio::test]
async fn a_refused_action_item_comes_back_filled_in_with_every_error() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let cookie = sign_in(&app, "editor").await;
    let path = format!("/incidents/{}/action-items", seed.public);
    let (status, _, body) = post_form(
        &app,
        &cookie,
        &path,
        &[
            ("title", "Rotate the keys"),
            ("description", "Every key the logs held."),
            ("kind", "fix_root_cause"),
            ("priority", "p2"),
            ("status", "open"),
            ("due_date", "next week"),
            ("tracker_url", "ftp://tracker.example.com/1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Due date: &#34;next week&#34; is not a date"), "{body}");
    assert!(body.contains("Tracker link: must be an http(s) URL"), "{body}");
    assert!(body.contains("value=\"Rotate the keys\"") && body.contains("Every key the logs held."));
    assert!(body.contains("value=\"next week\"") && body.contains("value=\"ftp://tracker.example.com/1\""));
    assert!(body.contains("<option value=\"p2\" selected>"));
    let (status, _, body) = post_form(
        &app,
        &cookie,
        &path,
        &[
            ("title", "Rotate the keys"),
            ("kind", "fix_root_cause"),
            ("priority", "p2"),
            ("status", "open"),
            ("owner", "casper"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Owner: no user named &#34;casper&#34;"), "{body}");
    let (_, items) = app.get(As::User("editor"), "/api/v1/action-items").await;
    assert_eq!(items["items"].as_array().unwrap().len(), 0, "nothing was added");
}

#[tokio::test]
async fn stale_changes_are_refused_and_shown_with_what_was_chosen() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let id = item(&app, &seed.public, json!({"title": "Add a canary stage", "kind": "fix_root_cause"})).await;
    let cookie = sign_in(&app, "editor").await;
    let (_, edit) = page(&app, &cookie, &format!("/action-items/{id}")).await;
    assert!(edit.contains("name=\"version\" value=\"1\""));
    // Someone else changes it first.
    let (status, _) = app
        .patch(As::User("admin"), &format!("/api/v1/action-items/{id}"), json!({"version": 1, "status": "in_progress"}))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, _, body) = post_form(
        &app,
        &cookie,
        &format!("/action-items/{id}/status"),
        &[("status", "done"), ("version", "1"), ("back", "/action-items")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("it is now in progress (version 2)") && body.contains("Your change to done was not saved"));
    assert!(body.contains("<option value=\"done\" selected>"), "the person's choice is kept");

    let fields = [
        ("title", "Add a canary stage for checkout"),
        ("kind", "fix_root_cause"),
        ("priority", "p3"),
        ("status", "open"),
        ("version", "1"),
    ];
    let (status, _, body) = post_form(&app, &cookie, &format!("/action-items/{id}"), &fields).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Someone saved this action item after you opened it"));
    assert!(body.contains("value=\"Add a canary stage for checkout\""), "typed text kept");
    assert!(body.contains("name=\"version\" value=\"2\""), "the next save is based on what was shown");
    let (_, item) = app.get(As::User("editor"), &format!("/api/v1/action-items/{id}")).await;
    assert_eq!(item["title"], "Add a canary stage", "nothing was overwritten");

    let mut again: Vec<(&str, &str)> = fields.iter().filter(|(k, _)| *k != "version").copied().collect();
    again.push(("version", "2"));
    let (status, location, _) = post_form(&app, &cookie, &format!("/action-items/{id}"), &again).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let (_, item) = app.get(As::User("editor"), &format!("/api/v1/action-items/{id}")).await;
    assert_eq!(item["title"], "Add a canary stage for checkout");
    assert_eq!(item["status"], "open");
}

#[tokio::test]
async fn viewers_outsiders_and_forged_forms_change_nothing() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let public = item(&app, &seed.public, json!({"title": "Add a canary stage", "kind": "fix_root_cause"})).await;
    let private = item(&app, &seed.private, json!({"title": "Rotate the leaked key", "kind": "damage_control"})).await;
    let add = [("title", "Sneaky"), ("kind", "fix_root_cause"), ("priority", "p3"), ("status", "open")];

    let viewer = sign_in(&app, "viewer").await;
    let (status, list) = page(&app, &viewer, &format!("/incidents/{}/action-items", seed.public)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Add a canary stage") && !list.contains("Add action item"), "no form for viewers");
    let (status, _, _) = post_form(&app, &viewer, &format!("/incidents/{}/action-items", seed.public), &add).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let status_form = [("status", "done"), ("version", "1"), ("back", "/")];
    let (status, _, _) = post_form(&app, &viewer, &format!("/action-items/{public}/status"), &status_form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = post_form(&app, &viewer, &format!("/action-items/{public}"), &add).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let outsider = sign_in(&app, "outsider").await;
    let (status, _) = page(&app, &outsider, &format!("/incidents/{}/action-items", seed.private)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = page(&app, &outsider, &format!("/action-items/{private}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = post_form(&app, &outsider, &format!("/action-items/{private}/status"), &status_form).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = post_form(&app, &outsider, &format!("/incidents/{}/action-items", seed.private), &add).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let editor = sign_in(&app, "editor").await;
    for token in [Some("forged"), None] {
        let mut form = vec![("status", "done"), ("version", "1")];
        if let Some(token) = token {
            form.push(("csrf_token", token));
        }
        let forged = no_redirects()
            .post(app.url(&format!("/action-items/{public}/status")))
            .header(header::COOKIE, &editor)
            .header("sec-fetch-site", "same-origin")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    }
    let (_, item) = app.get(As::User("admin"), &format!("/api/v1/action-items/{public}")).await;
    assert_eq!((item["status"].as_str(), item["version"].as_i64()), (Some("open"), Some(1)));
    let (_, items) = app.get(As::User("admin"), "/api/v1/action-items").await;
    assert_eq!(items["items"].as_array().unwrap().len(), 2, "nothing was added");
}

#[tokio::test]
async fn team_and_service_pages_show_people_services_incidents_and_open_items() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    app.store.add_member("payments", "editor", &note()).await.unwrap();
    item(
        &app,
        &seed.public,
        json!({"title": "Add a canary stage", "kind": "fix_root_cause", "owner_team": "payments"}),
    )
    .await;
    item(
        &app,
        &seed.public,
        json!({"title": "Closed already", "kind": "fix_root_cause", "owner_team": "payments", "status": "done"}),
    )
    .await;
    let secret = declare(
        &app,
        json!({"title": "Card numbers in a debug log", "severity": "SEV3", "private": true, "teams": ["payments"]}),
    )
    .await;
    item(&app, &secret, json!({"title": "Purge the debug log", "kind": "damage_control", "owner_team": "payments"}))
        .await;

    let outsider = sign_in(&app, "outsider").await;
    let (status, teams) = page(&app, &outsider, "/teams").await;
    assert_eq!(status, StatusCode::OK);
    assert!(teams.contains("href=\"/teams/payments\">Payments") && teams.contains("href=\"/services/checkout\""));
    let (status, team) = page(&app, &outsider, "/teams/payments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(section(&team, "members").contains("editor"));
    assert!(section(&team, "owned-services").contains("Checkout"));
    assert!(section(&team, "incidents").contains("Checkout returns 502"));
    let open = section(&team, "open-items");
    assert!(open.contains("Add a canary stage") && !open.contains("Closed already"));
    assert!(!team.contains("Card numbers") && !team.contains("Purge the debug log"), "private to the team");

    let editor = sign_in(&app, "editor").await;
    let (_, team) = page(&app, &editor, "/teams/payments").await;
    assert!(section(&team, "incidents").contains("Card numbers in a debug log"));
    assert!(section(&team, "open-items").contains("Purge the debug log"));

    let (status, services) = page(&app, &outsider, "/services").await;
    assert_eq!(status, StatusCode::OK);
    assert!(services.contains("href=\"/services/search\">Search") && services.contains("href=\"/teams/payments\""));
    let (status, service) = page(&app, &outsider, "/services/checkout").await;
    assert_eq!(status, StatusCode::OK);
    assert!(service.contains("href=\"/teams/payments\">Payments"));
    assert!(section(&service, "incidents").contains("Checkout returns 502"));
    assert!(section(&service, "open-items").contains("Add a canary stage"));
    let (_, search) = page(&app, &outsider, "/services/search").await;
    assert!(section(&search, "incidents").contains("No incidents you can see"), "the private one is hidden");
    assert_eq!(page(&app, &outsider, "/services/nope").await.0, StatusCode::NOT_FOUND);
    assert_eq!(page(&app, &outsider, "/teams/nope").await.0, StatusCode::NOT_FOUND);
}

/// An audit note for the memberships these tests set up directly in the store.
fn note() -> hindsight_store::AuditNote {
    hindsight_store::AuditNote::new("test", "added to team", "payments", json!({}))
}
