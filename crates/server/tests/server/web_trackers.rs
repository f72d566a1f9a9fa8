//! The trackers' pages over HTTP: an admin adds a tracker and sees its webhook secret once,
//! others are refused, refused forms say which line or field is wrong, and an editor asks
//! for an action item's issue from the item's page.

use crate::common;

use common::{As, TestApp, page, post_form, sign_in, spawn_app, spawn_configured, test_settings};
use hindsight_store::test_support::sqlite_store;
use reqwest::StatusCode;
use serde_json::json;

/// The form of a GitHub tracker whose API nobody answers, with `people` as typed.
fn github_form(name: &'static str, people: &'static str) -> [(&'static str, &'static str); 7] {
    [
        ("name", name),
        ("kind", "github"),
        ("api_url", "http://127.0.0.1:9"),
        ("project", "example/platform"),
        ("token", "ghp_x"),
        ("auto_priorities", "p1"),
        ("people", people),
    ]
}

/// An action item of the seeded public incident, added through the API; answers its id.
async fn action_item(app: &TestApp) -> String {
    let seed = app.seed().await;
    let (status, body) = app
        .post(
            As::User("admin"),
            &format!("/api/v1/incidents/{}/action-items", seed.public),
            json!({"title": "Make the pool follow the primary", "kind": "fix_root_cause", "priority": "p2"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_admin_adds_a_tracker_and_an_editor_asks_for_an_items_issue() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin").await;
    let editor = sign_in(&app, "editor").await;
    let (_, index) = page(&app, &admin, "/admin").await;
    assert!(index.contains("href=\"/admin/trackers\""), "the admin index links to it");

    let form = github_form("platform", "editor = editor-gh");
    let (status, _, body) = post_form(&app, &admin, "/admin/trackers", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tracker = app.store.trackers().await.unwrap().remove(0);
    let hook = format!("http://hindsight.test/api/v1/trackers/{}/webhook", tracker.id);
    assert!(body.contains("Webhook of platform") && body.contains(&hook), "{body}");
    assert!(body.contains("whsec_") && body.contains("application/json"), "the secret, where to give it: {body}");
    assert_eq!(tracker.people.get("editor").map(String::as_str), Some("editor-gh"));

    let (status, body) = page(&app, &admin, "/admin/trackers").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("whsec_"), "the secret is shown once");
    assert!(!body.contains("ghp_x"), "the token is never shown");
    assert!(body.contains("example/platform") && body.contains(&hook) && body.contains("<td>P1</td>"), "{body}");
    let (status, _) = page(&app, &editor, "/admin/trackers").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "editors do not manage trackers");
    let (status, _, _) = post_form(&app, &editor, "/admin/trackers", &github_form("rogue", "")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let path = format!("/admin/trackers/{}/remove", tracker.id);
    let (status, _, _) = post_form(&app, &editor, &path, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The editor asks for the item's issue from its page; the worker cannot reach the
    // tracker, so it stays being made.
    let id = action_item(&app).await;
    let item = format!("/action-items/{id}");
    let (_, body) = page(&app, &editor, &item).await;
    assert!(body.contains("Tracker issue") && body.contains("Create issue"), "{body}");
    assert!(body.contains(&format!("<option value=\"{}\">platform</option>", tracker.id)), "{body}");
    let (_, body) = page(&app, &sign_in(&app, "viewer").await, &item).await;
    assert!(body.contains("Tracker issue") && !body.contains("Create issue"), "viewers only read the card");
    let issue = format!("{item}/issue");
    let (status, location, _) = post_form(&app, &editor, &issue, &[("tracker", tracker.id.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with(&format!("{item}?notice=")), "{location}");
    let (_, body) = page(&app, &editor, &location).await;
    assert!(body.contains("being made") && body.contains("platform"), "{body}");
    assert!(!body.contains("Create issue"), "one issue an item");
    let (status, _, body) = post_form(&app, &editor, &issue, &[("tracker", tracker.id.as_str())]).await;
    assert_eq!(status, StatusCode::CONFLICT, "asked twice: {body}");
    assert!(body.contains("class=\"error\" role=\"alert\""), "said on the page: {body}");

    // Removing it takes the link with it.
    let (status, location, _) = post_form(&app, &admin, &path, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/admin/trackers?notice="), "{location}");
    assert!(app.store.trackers().await.unwrap().is_empty());
    let (_, body) = page(&app, &editor, &item).await;
    assert!(!body.contains("being made"), "{body}");
}

#[tokio::test]
async fn a_refused_tracker_form_says_which_line_is_wrong_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin").await;
    let people = "editor = editor-gh\nadmin admin-gh";
    let (status, _, body) = post_form(&app, &admin, "/admin/trackers", &github_form("platform", people)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("People: line 2, &#34;admin admin-gh&#34;, has no"), "{body}");
    assert!(body.contains("value=\"platform\"") && body.contains("editor = editor-gh"), "input kept: {body}");
    assert!(!body.contains("ghp_x"), "the token is not sent back");
    let mut jira = github_form("ops", "");
    jira[1] = ("kind", "jira");
    jira[3] = ("project", "ops");
    let (status, _, body) = post_form(&app, &admin, "/admin/trackers", &jira).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Project: must be a Jira project key") && body.contains("Token: for Jira"), "{body}");
    assert!(app.store.trackers().await.unwrap().is_empty());
}

#[tokio::test]
async fn without_a_secret_key_a_tracker_is_refused_beside_the_form() {
    let mut settings = test_settings();
    settings.deliverer = hindsight_app::deliveries::Deliverer::new(
        Default::default(),
        &Default::default(),
        None,
        "http://hindsight.test",
    )
    .unwrap();
    let app = spawn_configured(sqlite_store().await, settings).await;
    let admin = sign_in(&app, "admin").await;
    let (_, body) = page(&app, &admin, "/admin/trackers").await;
    assert!(body.contains("This server has no <code>secret_key</code>"), "{body}");
    let (status, _, body) = post_form(&app, &admin, "/admin/trackers", &github_form("platform", "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Secret key: this server has no secret_key"), "{body}");
    assert!(app.store.trackers().await.unwrap().is_empty());
}
