//! Action items kept in step with GitHub Issues and Jira Cloud, against local servers that
//! answer as GitHub's REST API and Jira Cloud's REST API v3 document (the request shapes
//! and credentials checked on each call), and signed webhooks sent as each tracker sends
//! them. The worker's pass is run by the test, so each step is seen on its own.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode as AxumStatus};
use axum::response::IntoResponse;
use hindsight_app::deliveries::{Deliverer, DeliverySettings, EmailSettings};
use hindsight_app::secrets::SecretKey;
use hindsight_app::trackers::sync_pass;
use hindsight_store::Store;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::common::{self, As, TestApp};

/// A request the fake tracker got.
#[derive(Debug, Clone)]
struct Call {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Value,
}

/// The fake tracker's state: its issues by key, what it was sent, and whether it is down.
#[derive(Default)]
struct Tracker {
    issues: Vec<Value>,
    calls: Vec<Call>,
    failing: bool,
    /// Makes the issue asked for, then answers 500: as if the answer were lost on the way.
    losing_answers: bool,
}

type Shared = Arc<Mutex<Tracker>>;

/// GitHub's and Jira's times, a second apart at least from the last.
fn stamp(jira: bool) -> String {
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    if jira {
        now.format(&time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].000+0000"))
            .unwrap()
    } else {
        now.format(&Rfc3339).unwrap()
    }
}

async fn github(
    State(shared): State<Shared>,
    method: Method,
    Path(rest): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut state = shared.lock().unwrap();
    state.calls.push(Call { method: method.clone(), path: rest.clone(), headers: headers.clone(), body: body.clone() });
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    // As GitHub: a token, its media type and API version, and a User-Agent.
    if header("authorization") != "Bearer ghp_test" {
        return (AxumStatus::UNAUTHORIZED, axum::Json(json!({"message": "Bad credentials"})));
    }
    assert_eq!(header("accept"), "application/vnd.github+json");
    assert_eq!(header("x-github-api-version"), "2022-11-28");
    assert!(header("user-agent").starts_with("Hindsight/"));
    if state.failing {
        return (AxumStatus::BAD_GATEWAY, axum::Json(json!({"message": "Server Error"})));
    }
    let parts: Vec<&str> = rest.split('/').collect();
    assert_eq!(&parts[..3], ["example", "platform", "issues"], "{rest}");
    match (method, parts.get(3)) {
        (Method::POST, None) => {
            assert!(body["title"].is_string() && body["body"].is_string(), "{body}");
            let number = state.issues.len() as i64 + 1;
            let assignee = body["assignees"][0].as_str().map(|login| json!({"login": login}));
            let issue = json!({
                "number": number, "html_url": format!("https://github.com/example/platform/issues/{number}"),
                "title": body["title"], "body": body["body"], "state": "open", "state_reason": null,
                "assignee": assignee, "assignees": assignee.iter().collect::<Vec<_>>(), "updated_at": stamp(false),
            });
            state.issues.push(issue.clone());
            if state.losing_answers {
                return (AxumStatus::INTERNAL_SERVER_ERROR, axum::Json(json!({"message": "Server Error"})));
            }
            (AxumStatus::CREATED, axum::Json(issue))
        }
        (Method::GET, None) => {
            // The repository's issues changed since a time, as GitHub lists them.
            let query = query.unwrap_or_default();
            assert!(query.contains("state=all") && query.contains("since="), "{query}");
            (AxumStatus::OK, axum::Json(Value::Array(state.issues.clone())))
        }
        (method, Some(number)) => {
            let index: usize = number.parse::<usize>().unwrap() - 1;
            if method == Method::PATCH {
                let issue = &mut state.issues[index];
                for field in ["title", "body", "state", "state_reason"] {
                    if !body[field].is_null() {
                        issue[field] = body[field].clone();
                    }
                }
                if let Some(assignees) = body["assignees"].as_array() {
                    issue["assignee"] = assignees.first().map(|l| json!({"login": l})).unwrap_or(Value::Null);
                }
                issue["updated_at"] = json!(stamp(false));
            }
            (AxumStatus::OK, axum::Json(state.issues[index].clone()))
        }
        other => panic!("GitHub has no {other:?}"),
    }
}

/// Jira's statuses, by transition id: To Do, In Progress, Done.
const JIRA_STATUSES: [(&str, &str, &str); 3] =
    [("11", "To Do", "new"), ("21", "In Progress", "indeterminate"), ("31", "Done", "done")];

async fn jira(
    State(shared): State<Shared>,
    method: Method,
    Path(rest): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut state = shared.lock().unwrap();
    state.calls.push(Call { method: method.clone(), path: rest.clone(), headers: headers.clone(), body: body.clone() });
    // As Jira Cloud: basic authentication with the account's email and an API token.
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode("ana@example.com:jira-token");
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if auth != format!("Basic {basic}") {
        return (AxumStatus::UNAUTHORIZED, axum::Json(json!({"errorMessages": ["not signed in"]})));
    }
    let parts: Vec<&str> = rest.split('/').collect();
    assert_eq!(&parts[..3], ["rest", "api", "3"], "{rest}");
    let find = |issues: &[Value], key: &str| issues.iter().position(|i| i["key"] == key).unwrap();
    match (method, &parts[3..]) {
        (Method::POST, ["issue"]) => {
            let fields = &body["fields"];
            assert_eq!(fields["project"]["key"], "OPS", "{body}");
            assert_eq!(fields["issuetype"]["name"], "Task", "{body}");
            assert_eq!(fields["description"]["type"], "doc", "{body}");
            assert_eq!(fields["description"]["version"], 1, "{body}");
            let key = format!("OPS-{}", state.issues.len() + 1);
            state.issues.push(json!({"key": key, "fields": {
                "summary": fields["summary"], "duedate": fields["duedate"], "assignee": fields["assignee"],
                "description": fields["description"],
                "status": {"name": "To Do", "statusCategory": {"key": "new"}}, "resolution": null, "updated": stamp(true),
            }}));
            if state.losing_answers {
                return (
                    AxumStatus::INTERNAL_SERVER_ERROR,
                    axum::Json(json!({"errorMessages": ["Internal server error"]})),
                );
            }
            (
                AxumStatus::CREATED,
                axum::Json(json!({"id": "10001", "key": key, "self": "https://jira.test/rest/api/3/issue/10001"})),
            )
        }
        (Method::GET, ["search", "jql"]) => {
            // The project's issues made lately, as a JQL search finds them.
            let query = query.unwrap_or_default();
            assert!(query.contains("jql=project") && query.contains("created"), "{query}");
            (AxumStatus::OK, axum::Json(json!({"issues": state.issues.clone()})))
        }
        (Method::GET, ["issue", key]) => {
            let key = key.split('?').next().unwrap();
            let index = find(&state.issues, key);
            (AxumStatus::OK, axum::Json(state.issues[index].clone()))
        }
        (Method::PUT, ["issue", key]) => {
            let index = find(&state.issues, key);
            for (field, value) in body["fields"].as_object().unwrap() {
                assert!(["summary", "duedate", "assignee"].contains(&field.as_str()), "{field}");
                state.issues[index]["fields"][field] = value.clone();
            }
            state.issues[index]["fields"]["updated"] = json!(stamp(true));
            (AxumStatus::NO_CONTENT, axum::Json(Value::Null))
        }
        (Method::GET, ["issue", _, "transitions"]) => {
            let transitions: Vec<Value> = JIRA_STATUSES
                .iter()
                .map(|(id, name, category)| json!({"id": id, "name": name, "to": {"name": name, "statusCategory": {"key": category}}}))
                .collect();
            (AxumStatus::OK, axum::Json(json!({"transitions": transitions})))
        }
        (Method::POST, ["issue", key, "transitions"]) => {
            let index = find(&state.issues, key);
            let id = body["transition"]["id"].as_str().unwrap();
            let (_, name, category) = JIRA_STATUSES.iter().find(|(t, _, _)| *t == id).unwrap();
            state.issues[index]["fields"]["status"] = json!({"name": name, "statusCategory": {"key": category}});
            state.issues[index]["fields"]["updated"] = json!(stamp(true));
            (AxumStatus::NO_CONTENT, axum::Json(Value::Null))
        }
        other => panic!("Jira has no {other:?}"),
    }
}

async fn start(jira_like: bool) -> (String, Shared) {
    let shared: Shared = Arc::default();
    let router = if jira_like {
        axum::Router::new().route("/{*rest}", axum::routing::any(jira))
    } else {
        axum::Router::new().route("/repos/{*rest}", axum::routing::any(github))
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = router.with_state(shared.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, shared)
}

/// A server whose own worker passes once an hour: the test runs the passes.
async fn spawn(store: Store) -> (TestApp, Deliverer) {
    let key = SecretKey::from_base64(&SecretKey::generate()).unwrap();
    let deliverer = Deliverer::new(
        DeliverySettings::default(),
        &EmailSettings::default(),
        Some(key.clone()),
        "https://hindsight.test",
    )
    .unwrap();
    let mut settings = common::test_settings();
    settings.notifications.interval_ms = 3_600_000;
    settings.deliverer = deliverer.clone();
    settings.rules.secret_key = Some(key);
    // Let the worker's first pass, at start, go by.
    let app = common::spawn_configured(store, settings).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    (app, deliverer)
}

async fn pass(app: &TestApp, deliverer: &Deliverer) -> hindsight_app::trackers::SyncReport {
    sync_pass(&app.store, "test", deliverer, OffsetDateTime::now_utc()).await.unwrap()
}

fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>())
}

async fn hook(
    app: &TestApp,
    tracker: &str,
    header: &str,
    signature: &str,
    event: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/trackers/{tracker}/webhook")))
        .header(header, signature)
        .header("x-github-event", event)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    common::read(response).await
}

async fn item(app: &TestApp, id: &str) -> Value {
    app.get(As::User("admin"), &format!("/api/v1/action-items/{id}")).await.1
}

async fn github_round_trip(store: Store) {
    let (app, deliverer) = spawn(store).await;
    let (url, fake) = start(false).await;
    let admin = As::User("admin");
    let new = json!({"name": "platform issues", "kind": "github", "api_url": url, "project": "example/platform",
        "token": "ghp_test", "auto_priorities": ["p1"], "people": {"editor": "editor-gh"}});
    let (status, added) = app.post(admin, "/api/v1/trackers", new.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let tracker = added["tracker"]["id"].as_str().unwrap().to_string();
    let secret = added["webhook_secret"].as_str().unwrap().to_string();
    assert_eq!(added["webhook_url"], format!("https://hindsight.test/api/v1/trackers/{tracker}/webhook"));
    // The token and the secret are never shown again.
    let (_, listed) = app.get(admin, "/api/v1/trackers").await;
    assert!(!listed.to_string().contains("ghp_test") && !listed.to_string().contains(&secret), "{listed}");
    let (status, _) = app.post(As::User("editor"), "/api/v1/trackers", new).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A P1 item gets its issue by itself; a P3 one when asked.
    let seed = app.seed().await;
    let items = format!("/api/v1/incidents/{}/action-items", seed.public);
    let (_, p1) = app
        .post(admin, &items, json!({"title": "Renew certificates automatically", "kind": "fix_root_cause",
            "priority": "p1", "owner": "editor", "due_date": "2027-01-15", "description": "Expiry took checkout down."}))
        .await;
    let p1 = p1["id"].as_str().unwrap().to_string();
    let (_, p3) =
        app.post(admin, &items, json!({"title": "Page on expiry", "kind": "improve_response", "priority": "p3"})).await;
    let p3 = p3["id"].as_str().unwrap().to_string();
    let (status, _) = app.get(admin, &format!("/api/v1/action-items/{p3}/issue")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, link) = app
        .post(As::User("editor"), &format!("/api/v1/action-items/{p3}/issue"), json!({"tracker": "platform issues"}))
        .await;
    assert_eq!((status, link["pending"].clone()), (StatusCode::ACCEPTED, json!(true)), "{link}");
    let (status, _) =
        app.post(As::User("editor"), &format!("/api/v1/action-items/{p3}/issue"), json!({"tracker": tracker})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) =
        app.post(As::User("viewer"), &format!("/api/v1/action-items/{p1}/issue"), json!({"tracker": tracker})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nothing of a private incident goes out.
    let (_, private_item) = app
        .post(
            admin,
            &format!("/api/v1/incidents/{}/action-items", seed.private),
            json!({"title": "Secret", "kind": "fix_root_cause", "priority": "p1"}),
        )
        .await;
    let private_item = private_item["id"].as_str().unwrap();
    let (status, refused) =
        app.post(admin, &format!("/api/v1/action-items/{private_item}/issue"), json!({"tracker": tracker})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");

    assert_eq!(pass(&app, &deliverer).await.synced, 2);
    let issues = fake.lock().unwrap().issues.clone();
    assert_eq!(issues.len(), 2, "{issues:?}");
    let made = issues.iter().find(|i| i["title"] == "Renew certificates automatically").unwrap();
    let text = made["body"].as_str().unwrap();
    assert!(text.starts_with("Expiry took checkout down."), "{text}");
    assert!(text.contains(&format!("https://hindsight.test/action-items/{p1}")), "{text}");
    assert!(text.ends_with("Due: 2027-01-15\n"), "{text}");
    assert_eq!(made["assignee"]["login"], "editor-gh");
    let (_, link) = app.get(admin, &format!("/api/v1/action-items/{p1}/issue")).await;
    let number = link["issue"].as_str().unwrap().to_string();
    assert_eq!(link["pending"], false, "{link}");
    assert_eq!(link["url"], format!("https://github.com/example/platform/issues/{number}"));
    assert_eq!(item(&app, &p1).await["tracker_url"], link["url"]);
    // Nothing to send: no request.
    let calls = fake.lock().unwrap().calls.len();
    assert_eq!(pass(&app, &deliverer).await.synced, 0);
    assert_eq!(fake.lock().unwrap().calls.len(), calls);

    // Closed here: closed there as completed, its due line moved.
    let version = item(&app, &p1).await["version"].clone();
    let (status, _) = app
        .patch(
            As::User("editor"),
            &format!("/api/v1/action-items/{p1}"),
            json!({"version": version, "status": "done", "due_date": "2027-02-01"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    pass(&app, &deliverer).await;
    let issue = fake.lock().unwrap().issues[number.parse::<usize>().unwrap() - 1].clone();
    assert_eq!((issue["state"].as_str(), issue["state_reason"].as_str()), (Some("closed"), Some("completed")));
    assert!(issue["body"].as_str().unwrap().ends_with("Due: 2027-02-01\n"), "{issue}");
    assert!(!issue["body"].as_str().unwrap().contains("2027-01-15"));

    // Reopened and renamed there: the webhook brings both here.
    let mut changed = issue.clone();
    changed["state"] = json!("open");
    changed["state_reason"] = json!("reopened");
    changed["title"] = json!("Renew and monitor certificates");
    changed["updated_at"] = json!(stamp(false));
    let payload = json!({"action": "edited", "issue": changed, "repository": {"full_name": "example/platform"}});
    let body = payload.to_string();
    let (status, _) =
        hook(&app, &tracker, "x-hub-signature-256", &sign("wrong", body.as_bytes()), "issues", &payload).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        hook(&app, "nope", "x-hub-signature-256", &sign(&secret, body.as_bytes()), "issues", &payload).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = json!({"action": "edited", "issue": changed, "repository": {"full_name": "example/other"}});
    let (status, _) =
        hook(&app, &tracker, "x-hub-signature-256", &sign(&secret, other.to_string().as_bytes()), "issues", &other)
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, received) =
        hook(&app, &tracker, "x-hub-signature-256", &sign(&secret, body.as_bytes()), "issues", &payload).await;
    assert_eq!((status, received["linked"].clone()), (StatusCode::ACCEPTED, json!(true)), "{received}");
    pass(&app, &deliverer).await;
    let now = item(&app, &p1).await;
    assert_eq!(
        (now["title"].as_str(), now["status"].as_str()),
        (Some("Renew and monitor certificates"), Some("open")),
        "{now}"
    );
    assert_eq!(now["due_date"], "2027-02-01");

    // Both change the title: the later change wins, and the other is kept in the history.
    let mut there = changed.clone();
    there["title"] = json!("Title from GitHub, earlier");
    there["updated_at"] = json!(stamp(false));
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let (status, _) = app
        .patch(
            admin,
            &format!("/api/v1/action-items/{p1}"),
            json!({"version": now["version"], "title": "Title from Hindsight, later"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    fake.lock().unwrap().issues[number.parse::<usize>().unwrap() - 1] = there.clone();
    let payload = json!({"action": "edited", "issue": there, "repository": {"full_name": "example/platform"}});
    hook(&app, &tracker, "x-hub-signature-256", &sign(&secret, payload.to_string().as_bytes()), "issues", &payload)
        .await;
    pass(&app, &deliverer).await;
    assert_eq!(item(&app, &p1).await["title"], "Title from Hindsight, later");
    let issue = fake.lock().unwrap().issues[number.parse::<usize>().unwrap() - 1].clone();
    assert_eq!(issue["title"], "Title from Hindsight, later");
    let (_, link) = app.get(admin, &format!("/api/v1/action-items/{p1}/issue")).await;
    let history = link["history"].as_array().unwrap();
    let kept = history.iter().find(|e| e["outcome"] == "overridden").expect("the losing change is kept");
    assert_eq!(
        (kept["direction"].as_str(), kept["fields"]["title"].as_str()),
        (Some("received"), Some("Title from GitHub, earlier"))
    );
    assert!(
        history.iter().any(|e| e["direction"] == "sent" && e["fields"]["title"] == "Title from Hindsight, later"),
        "{link}"
    );

    // The issue is made but the answer is lost: the next try finds it rather than make another.
    fake.lock().unwrap().losing_answers = true;
    let (_, lost) = app
        .post(admin, &items, json!({"title": "Alert before expiry", "kind": "improve_response", "priority": "p1"}))
        .await;
    let lost = lost["id"].as_str().unwrap().to_string();
    assert_eq!(pass(&app, &deliverer).await.failed, 1);
    let made = fake.lock().unwrap().issues.len();
    fake.lock().unwrap().losing_answers = false;
    let later = OffsetDateTime::now_utc() + time::Duration::hours(1);
    assert_eq!(sync_pass(&app.store, "test", &deliverer, later).await.unwrap().synced, 1);
    assert_eq!(fake.lock().unwrap().issues.len(), made, "made once");
    let (_, link) = app.get(admin, &format!("/api/v1/action-items/{lost}/issue")).await;
    assert_eq!(
        (link["issue"].as_str(), link["pending"].clone()),
        (Some(made.to_string().as_str()), json!(false)),
        "{link}"
    );

    // A tracker that fails: the error is shown, and the try is counted.
    fake.lock().unwrap().failing = true;
    let version = item(&app, &p3).await["version"].clone();
    app.patch(admin, &format!("/api/v1/action-items/{p3}"), json!({"version": version, "status": "in_progress"})).await;
    let report = pass(&app, &deliverer).await;
    assert_eq!(report.failed, 1);
    let (_, link) = app.get(admin, &format!("/api/v1/action-items/{p3}/issue")).await;
    assert_eq!((link["pending"].clone(), link["attempts"].clone()), (json!(true), json!(1)), "{link}");
    assert!(link["last_error"].as_str().unwrap().contains("502"), "{link}");
    assert!(!link["last_error"].as_str().unwrap().contains("ghp_test"));
    // Removing the tracker removes the links, not the items.
    let (status, _) = app.delete(admin, &format!("/api/v1/trackers/{tracker}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(admin, &format!("/api/v1/action-items/{p1}/issue")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_action_item_and_its_github_issue_stay_in_step_both_ways() {
    github_round_trip(hindsight_store::test_support::sqlite_store().await).await;
}

#[tokio::test]
async fn an_action_item_and_its_github_issue_stay_in_step_on_postgres() {
    let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
    github_round_trip(store).await;
}

async fn jira_round_trip(store: Store) {
    let (app, deliverer) = spawn(store).await;
    let (url, fake) = start(true).await;
    let admin = As::User("admin");
    let (status, added) = app
        .post(admin, "/api/v1/trackers", json!({"name": "ops", "kind": "jira", "api_url": url, "project": "OPS",
            "token": "ana@example.com:jira-token", "people": {"editor": "5b10ac8d82e05b22cc7d4ef5", "admin": "712020:aa"}}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let tracker = added["tracker"]["id"].as_str().unwrap().to_string();
    let secret = added["webhook_secret"].as_str().unwrap().to_string();
    let seed = app.seed().await;
    let (_, made) = app
        .post(
            admin,
            &format!("/api/v1/incidents/{}/action-items", seed.public),
            json!({"title": "Alert on queue depth",
            "kind": "improve_response", "priority": "p2", "owner": "editor", "due_date": "2027-01-20"}),
        )
        .await;
    let id = made["id"].as_str().unwrap().to_string();
    let (status, _) =
        app.post(As::User("editor"), &format!("/api/v1/action-items/{id}/issue"), json!({"tracker": "ops"})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    pass(&app, &deliverer).await;
    let issue = fake.lock().unwrap().issues[0].clone();
    assert_eq!(issue["key"], "OPS-1");
    assert_eq!(issue["fields"]["summary"], "Alert on queue depth");
    assert_eq!(issue["fields"]["duedate"], "2027-01-20");
    assert_eq!(issue["fields"]["assignee"]["accountId"], "5b10ac8d82e05b22cc7d4ef5");
    let (_, link) = app.get(admin, &format!("/api/v1/action-items/{id}/issue")).await;
    assert_eq!(
        (link["issue"].as_str(), link["url"].as_str()),
        (Some("OPS-1"), Some(format!("{url}/browse/OPS-1").as_str()))
    );

    // In progress and re-dated here: moved by a transition, the date by an edit.
    let version = item(&app, &id).await["version"].clone();
    app.patch(
        admin,
        &format!("/api/v1/action-items/{id}"),
        json!({"version": version, "status": "in_progress", "due_date": "2027-02-10"}),
    )
    .await;
    pass(&app, &deliverer).await;
    let (issue, calls) = {
        let state = fake.lock().unwrap();
        (state.issues[0].clone(), state.calls.clone())
    };
    assert_eq!(issue["fields"]["status"]["statusCategory"]["key"], "indeterminate");
    assert_eq!(issue["fields"]["duedate"], "2027-02-10");
    let moved = calls.iter().find(|c| c.method == Method::POST && c.path.ends_with("/transitions")).unwrap();
    assert_eq!(moved.body, json!({"transition": {"id": "21"}}));
    assert!(calls.iter().all(|c| c.headers.get("authorization").is_some()));

    // Reassigned and resolved in Jira: the webhook, signed as Jira signs, brings both here.
    let mut changed = issue.clone();
    changed["fields"]["assignee"] = json!({"accountId": "712020:aa"});
    changed["fields"]["status"] = json!({"name": "Done", "statusCategory": {"key": "done"}});
    changed["fields"]["resolution"] = json!({"name": "Done"});
    changed["fields"]["updated"] = json!(stamp(true));
    let payload = json!({"timestamp": 1, "webhookEvent": "jira:issue_updated", "issue": changed});
    let body = payload.to_string();
    let (status, received) =
        hook(&app, &tracker, "x-hub-signature", &sign(&secret, body.as_bytes()), "", &payload).await;
    assert_eq!((status, received["issue"].as_str()), (StatusCode::ACCEPTED, Some("OPS-1")), "{received}");
    pass(&app, &deliverer).await;
    let now = item(&app, &id).await;
    assert_eq!((now["owner"].as_str(), now["status"].as_str()), (Some("admin"), Some("done")), "{now}");
    let (_, link) = app.get(admin, &format!("/api/v1/action-items/{id}/issue")).await;
    let last = &link["history"][0];
    assert_eq!((last["direction"].as_str(), last["outcome"].as_str()), (Some("received"), Some("applied")), "{link}");
    assert_eq!(last["fields"]["owner"], "admin");

    // The issue is made but the answer is lost: the next try finds it rather than make another.
    fake.lock().unwrap().losing_answers = true;
    let (_, lost) = app
        .post(
            admin,
            &format!("/api/v1/incidents/{}/action-items", seed.public),
            json!({"title": "Drain the queue",
            "kind": "damage_control"}),
        )
        .await;
    let lost = lost["id"].as_str().unwrap().to_string();
    app.post(admin, &format!("/api/v1/action-items/{lost}/issue"), json!({"tracker": "ops"})).await;
    assert_eq!(pass(&app, &deliverer).await.failed, 1);
    fake.lock().unwrap().losing_answers = false;
    let later = OffsetDateTime::now_utc() + time::Duration::hours(1);
    assert_eq!(sync_pass(&app.store, "test", &deliverer, later).await.unwrap().synced, 1);
    assert_eq!(fake.lock().unwrap().issues.len(), 2, "made once");
    let (_, link) = app.get(admin, &format!("/api/v1/action-items/{lost}/issue")).await;
    assert_eq!(link["issue"], "OPS-2", "{link}");
}

#[tokio::test]
async fn an_action_item_and_its_jira_issue_stay_in_step_both_ways() {
    jira_round_trip(hindsight_store::test_support::sqlite_store().await).await;
}

#[tokio::test]
async fn an_action_item_and_its_jira_issue_stay_in_step_on_postgres() {
    let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
    jira_round_trip(store).await;
}

#[tokio::test]
async fn this_stops_inputs_are_refused_at_their_bounds() {
    // The server's own body limit (2 MiB), which a full people map fits in.
    let settings = hindsight_server::Settings { max_body_bytes: 2 * 1024 * 1024, ..common::test_settings() };
    let app = common::spawn_configured(hindsight_store::test_support::sqlite_store().await, settings).await;
    let admin = As::User("admin");
    // A tracker: every field past its bound, each named.
    let people: serde_json::Map<String, Value> =
        (0..=hindsight_core::MAX_TRACKER_PEOPLE).map(|n| (format!("user{n}"), json!(format!("login{n}")))).collect();
    let tracker = json!({"name": "n".repeat(101), "kind": "github", "api_url": format!("https://h/{}", "a".repeat(2_000)),
        "project": format!("{}/r", "o".repeat(101)), "token": "t".repeat(2_001), "people": people});
    let (status, problem) = app.post(admin, "/api/v1/trackers", tracker).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    for field in ["name", "api_url", "project", "token", "people"] {
        assert!(problem.to_string().contains(&format!("\"{field}\"")), "{field}: {problem}");
    }
    // A Slack bot token past its bound, and a channel name past Slack's.
    let bot = json!({"name": "bot", "kind": "slack", "url": format!("#{}", "c".repeat(81)), "token": format!("xoxb-{}", "t".repeat(500))});
    let (status, problem) = app.post(admin, "/api/v1/destinations", bot).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem.to_string().contains("\"url\"") && problem.to_string().contains("\"token\""), "{problem}");
    // A webhook body past the webhook bound is refused before it is read.
    let (status, _) =
        hook(&app, "any", "x-hub-signature-256", "sha256=0", "issues", &json!({"pad": "p".repeat(4 * 1024 * 1024)}))
            .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // An issue asked for with a tracker name far past any name: no such tracker.
    let seed = app.seed().await;
    let (_, item) = app
        .post(
            admin,
            &format!("/api/v1/incidents/{}/action-items", seed.public),
            json!({"title": "t", "kind": "damage_control"}),
        )
        .await;
    let path = format!("/api/v1/action-items/{}/issue", item["id"].as_str().unwrap());
    let (status, _) = app.post(admin, &path, json!({"tracker": "x".repeat(10_000)})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A recurrence of a handle past any incident's.
    let (status, _) = app
        .put(
            admin,
            &format!("/api/v1/incidents/{}/recurrence", seed.public),
            json!({"of": format!("INC-{}", u64::MAX)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
