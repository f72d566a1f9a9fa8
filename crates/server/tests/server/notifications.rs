//! The inbox over HTTP, with the server's own notification worker making what it shows:
//! assignment and mention reach the person concerned, and only them; marking read.

use std::time::Duration;

use hindsight_store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{self, As, TestApp};

/// A server whose worker makes a pass every 100 ms.
async fn spawn_quick(store: Store) -> TestApp {
    let mut settings = common::test_settings();
    settings.notifications.interval_ms = 100;
    common::spawn_configured(store, settings).await
}

/// `who`'s inbox once it holds `count` notifications (the worker runs apart from requests).
async fn inbox_with(app: &TestApp, who: As, count: usize) -> Value {
    for _ in 0..100 {
        let (status, inbox) = app.get(who, "/api/v1/me/notifications").await;
        assert_eq!(status, StatusCode::OK, "{inbox}");
        if inbox["items"].as_array().unwrap().len() >= count {
            return inbox;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{who:?} was not told {count} things within 5 s");
}

async fn the_people_concerned_are_told_and_mark_it_read(app: TestApp) {
    let seed = app.seed().await;
    let admin = As::User("admin");
    let editor = As::User("editor");
    let item = json!({"title": "Alert on pool saturation", "kind": "fix_root_cause", "owner": "editor"});
    let path = format!("/api/v1/incidents/{}/action-items", seed.public);
    let (status, item) = app.post(admin, &path, item).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let (status, pm) = app.post(admin, &format!("/api/v1/incidents/{}/postmortem", seed.public), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    let comments = format!("/api/v1/postmortems/{}/comments", pm["id"].as_str().unwrap());
    let (status, _) = app.post(admin, &comments, json!({"body": "@editor which pool was it?"})).await;
    assert_eq!(status, StatusCode::CREATED);
    // Told of a private incident it may not see, `outsider` finds nothing.
    let secret = json!({"title": "Rotate the leaked key", "kind": "fix_root_cause", "owner": "outsider"});
    let (status, _) = app.post(admin, &format!("/api/v1/incidents/{}/action-items", seed.private), secret).await;
    assert_eq!(status, StatusCode::CREATED);

    let inbox = inbox_with(&app, editor, 2).await;
    let kinds: Vec<&str> = inbox["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["mentioned", "action_item_assigned"]);
    assert_eq!(inbox["unread"], 2);
    let assigned = &inbox["items"][1];
    assert_eq!(assigned["incident"], seed.public.as_str());
    assert_eq!(assigned["action_item"], item["id"]);
    assert_eq!(assigned["action_item_title"], "Alert on pool saturation");
    assert_eq!(assigned["actor"], "admin");
    assert_eq!(assigned["read_at"], Value::Null);
    // `outsider` is told (the notification is stored) but, not seeing the incident, is shown nothing.
    let told = "SELECT u.username FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'outsider'";
    for _ in 0..100 {
        if !hindsight_store::test_support::fetch_raw(&app.store, told).await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(hindsight_store::test_support::fetch_raw(&app.store, told).await.len(), 1);
    let (_, outsiders) = app.get(As::User("outsider"), "/api/v1/me/notifications").await;
    assert_eq!(outsiders["items"], json!([]));
    assert_eq!(outsiders["unread"], 0);

    // The server's metrics count what its worker made, and nothing is left unread in the outbox.
    let metrics = app.send(As::User("admin"), reqwest::Method::GET, "/metrics", None).await.text().await.unwrap();
    let value = |series: &str| {
        metrics.lines().find_map(|l| l.strip_prefix(series)).and_then(|v| v.trim().parse::<f64>().ok()).unwrap_or(-1.0)
    };
    assert!(value("hindsight_notifications_made_total ") >= 3.0, "{metrics}");
    assert_eq!(value("hindsight_outbox_backlog_events "), 0.0, "{metrics}");
    let (status, marked) =
        app.post(editor, "/api/v1/me/notifications/read", json!({"ids": [assigned["id"].clone()]})).await;
    assert_eq!(status, StatusCode::OK, "{marked}");
    assert_eq!(marked, json!({"marked": 1, "unread": 1}));
    let (_, unread) = app.get(editor, "/api/v1/me/notifications?unread=true").await;
    assert_eq!(unread["items"].as_array().unwrap().len(), 1);
    assert_eq!(unread["items"][0]["kind"], "mentioned");
    let (_, page) = app.get(editor, "/api/v1/me/notifications?limit=1").await;
    let (_, older) = app.get(editor, &format!("/api/v1/me/notifications?limit=1&before={}", page["next_before"])).await;
    assert_eq!(older["items"][0]["id"], assigned["id"]);
    assert!(older["items"][0]["read_at"].is_string());
    let (_, marked) = app.post(editor, "/api/v1/me/notifications/read", json!({"all": true})).await;
    assert_eq!(marked, json!({"marked": 1, "unread": 0}));
}

async fn a_bad_inbox_request_says_what_is_wrong(app: TestApp) {
    let editor = As::User("editor");
    let (status, problem) = app.get(editor, "/api/v1/me/notifications?limit=0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "limit");
    let (status, problem) = app.get(editor, "/api/v1/me/notifications?before=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (status, problem) = app.post(editor, "/api/v1/me/notifications/read", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let too_many: Vec<i64> = (1..=201).collect();
    let (status, problem) = app.post(editor, "/api/v1/me/notifications/read", json!({"ids": too_many})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "ids");
}

/// The inbox page lists what the person was told; opening one marks it read and goes to
/// what it is about; the header counts what is unread.
async fn the_inbox_page_opens_and_marks_read(app: TestApp) {
    let seed = app.seed().await;
    for title in ["Alert on pool saturation", "Raise the pool size"] {
        let item = json!({"title": title, "kind": "fix_root_cause", "owner": "editor"});
        let (status, _) =
            app.post(As::User("admin"), &format!("/api/v1/incidents/{}/action-items", seed.public), item).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    inbox_with(&app, As::User("editor"), 2).await;
    let cookie = common::sign_in(&app, "editor").await;
    let (status, html) = common::page(&app, &cookie, "/inbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"title="unread notifications">2</span>"#), "{html}");
    assert!(html.contains("Action item \u{201c}Raise the pool size\u{201d} of INC-1 is assigned to you."), "{html}");
    let opens: Vec<&str> =
        html.split("action=\"/inbox/").skip(1).filter_map(|s| s.split_once("/open\"")).map(|(id, _)| id).collect();
    assert_eq!(opens.len(), 2, "{html}");
    let first = opens[0].to_string();
    let (status, to, _) = common::post_form(&app, &cookie, &format!("/inbox/{first}/open"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.starts_with("/action-items/"), "{to}");
    let (_, html) = common::page(&app, &cookie, "/inbox?show=unread").await;
    assert!(html.contains(r#"title="unread notifications">1</span>"#), "{html}");
    assert!(!html.contains("Raise the pool size"), "{html}");
    let (status, to, _) = common::post_form(&app, &cookie, "/inbox/read", &[]).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/inbox?notice=Marked%201%20notification%20read."));
    let (_, html) = common::page(&app, &cookie, "/").await;
    assert!(!html.contains("unread notifications"), "{html}");
    // Someone else's notification, or none, cannot be opened.
    let other = common::sign_in(&app, "viewer").await;
    let (status, _, _) = common::post_form(&app, &other, &format!("/inbox/{first}/open"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = common::post_form(&app, &other, "/inbox/x/open", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_inbox_page_opens_and_marks_read_on_sqlite() {
    the_inbox_page_opens_and_marks_read(spawn_quick(hindsight_store::test_support::sqlite_store().await).await).await;
}

#[tokio::test]
async fn sqlite_the_people_concerned_are_told_and_mark_it_read() {
    the_people_concerned_are_told_and_mark_it_read(
        spawn_quick(hindsight_store::test_support::sqlite_store().await).await,
    )
    .await;
}

#[tokio::test]
async fn postgres_the_people_concerned_are_told_and_mark_it_read() {
    let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
    the_people_concerned_are_told_and_mark_it_read(spawn_quick(store).await).await;
}

#[tokio::test]
async fn a_bad_inbox_request_says_what_is_wrong_on_sqlite() {
    a_bad_inbox_request_says_what_is_wrong(common::spawn_app().await).await;
}
