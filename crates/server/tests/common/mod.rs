//! spawn_app: the real server on a random loopback port over a fresh store, with
//! one user (and API token) per role, and a client that speaks HTTP to it.

#![allow(dead_code)]

use std::net::SocketAddr;

use hindsight_core::Role;
use hindsight_server::{AppState, Settings, auth};
use hindsight_store::{NewUser, Store, test_support};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

/// Password of every test user.
pub const PASSWORD: &str = "a long test password";

/// A running server and who can call it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Store,
    pub client: reqwest::Client,
    /// The server's secret key, which seals what it stores.
    pub secret_key: Option<hindsight_app::secrets::SecretKey>,
    /// API tokens by username: admin, editor, viewer, outsider (an editor), responder (a viewer).
    pub tokens: std::collections::HashMap<&'static str, String>,
}

/// Who makes a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum As {
    Nobody,
    User(&'static str),
}

pub async fn spawn_app() -> TestApp {
    spawn_on(test_support::sqlite_store().await).await
}

pub async fn spawn_on(store: Store) -> TestApp {
    spawn_with(store, hindsight_app::WebhookSettings::default()).await
}

/// The server with these webhook secrets.
pub async fn spawn_with(store: Store, webhooks: hindsight_app::WebhookSettings) -> TestApp {
    let settings = test_settings();
    spawn_configured(store, Settings { rules: hindsight_app::Rules { webhooks, ..settings.rules.clone() }, ..settings })
        .await
}

/// The settings tests run the server with: plain-HTTP cookies, 64 KiB bodies.
pub fn test_settings() -> Settings {
    let key = hindsight_app::secrets::SecretKey::from_base64(&hindsight_app::secrets::SecretKey::generate())
        .expect("a new key reads");
    let deliverer = hindsight_app::deliveries::Deliverer::new(
        Default::default(),
        &Default::default(),
        Some(key.clone()),
        "http://hindsight.test",
    )
    .expect("the deliverer sets up");
    let rules = hindsight_app::Rules { secret_key: Some(key), ..Default::default() };
    Settings { secure_cookies: false, max_body_bytes: 64 * 1024, deliverer, rules, ..Settings::default() }
}

/// The server with these settings (start from [`test_settings`]).
pub async fn spawn_configured(store: Store, settings: Settings) -> TestApp {
    // One hash for all test users: argon2 is slow on purpose.
    let hash = auth::hash_password(PASSWORD).expect("hashing the test password");
    let mut tokens = std::collections::HashMap::new();
    for (name, role) in [
        ("admin", Role::Admin),
        ("editor", Role::Editor),
        ("viewer", Role::Viewer),
        ("outsider", Role::Editor),
        ("responder", Role::Viewer),
    ] {
        store
            .create_user(
                NewUser {
                    username: name.into(),
                    display_name: name.into(),
                    email: None,
                    role,
                    password_hash: Some(hash.clone()),
                },
                &hindsight_store::AuditNote::new("test", "created user", name, serde_json::json!({})),
            )
            .await
            .expect("creating a test user");
        let secret = auth::new_secret("hs_");
        store
            .create_token(name, "test", &auth::hash_secret(&secret), |_| {
                hindsight_store::AuditNote::new("test", "created API token", name, serde_json::json!({}))
            })
            .await
            .expect("creating a test token");
        tokens.insert(name, secret);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binding a loopback port");
    let addr = listener.local_addr().expect("local address");
    let secret_key = settings.rules.secret_key.clone();
    let state = AppState::new(store.clone(), settings);
    tokio::spawn(async move {
        hindsight_server::serve(listener, state).await.expect("serving");
    });
    TestApp { addr, store, client: reqwest::Client::new(), tokens, secret_key }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn request(&self, who: As, method: Method, path: &str) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match who {
            As::Nobody => builder,
            As::User(name) => builder.bearer_auth(&self.tokens[name]),
        }
    }

    pub async fn send(&self, who: As, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut builder = self.request(who, method, path);
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        builder.send().await.expect("sending a request")
    }

    pub async fn get(&self, who: As, path: &str) -> (StatusCode, Value) {
        read(self.send(who, Method::GET, path, None).await).await
    }

    pub async fn post(&self, who: As, path: &str, body: Value) -> (StatusCode, Value) {
        read(self.send(who, Method::POST, path, Some(body)).await).await
    }

    pub async fn patch(&self, who: As, path: &str, body: Value) -> (StatusCode, Value) {
        read(self.send(who, Method::PATCH, path, Some(body)).await).await
    }

    pub async fn put(&self, who: As, path: &str, body: Value) -> (StatusCode, Value) {
        read(self.send(who, Method::PUT, path, Some(body)).await).await
    }

    pub async fn delete(&self, who: As, path: &str) -> (StatusCode, Value) {
        read(self.send(who, Method::DELETE, path, None).await).await
    }

    /// Sets up a team, two services and one public and one private incident.
    /// The private one names `responder` as a responder; `outsider` has no link to it.
    pub async fn seed(&self) -> Seed {
        let admin = As::User("admin");
        let editor = As::User("editor");
        let (status, _) = self.post(admin, "/api/v1/teams", json!({"slug": "payments", "name": "Payments"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = self
            .post(admin, "/api/v1/services", json!({"slug": "checkout", "name": "Checkout", "owner_team": "payments"}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = self.post(admin, "/api/v1/services", json!({"slug": "search", "name": "Search"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, public) = self
            .post(
                editor,
                "/api/v1/incidents",
                json!({
                    "title": "Checkout returns 502", "severity": "SEV2", "services": ["checkout"],
                    "started_at": "2026-11-20T10:00:00Z", "detected_at": "2026-11-20T10:04:00Z",
                    "detection_method": "monitoring_alert",
                    "responders": [{"username": "editor", "role": "incident_commander"}]
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{public}");
        let (status, private) = self
            .post(
                admin,
                "/api/v1/incidents",
                json!({
                    "title": "Credential leak in logs", "severity": "SEV1", "private": true,
                    "services": ["search"],
                    "responders": [{"username": "responder", "role": "subject_matter_expert"}]
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{private}");
        Seed {
            public: public["handle"].as_str().unwrap().to_string(),
            private: private["handle"].as_str().unwrap().to_string(),
        }
    }
}

/// Names `admin` the reviewer of post-mortem `id` (in review) and has them approve it:
/// the one approval a SEV2's post-mortem needs before it is published.
pub async fn approve(app: &TestApp, id: &str) {
    let admin = As::User("admin");
    let (status, body) =
        app.put(admin, &format!("/api/v1/postmortems/{id}/reviewers"), json!({"reviewers": ["admin"]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) =
        app.post(admin, &format!("/api/v1/postmortems/{id}/reviews"), json!({"verdict": "approved"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// Handles of the seeded incidents.
pub struct Seed {
    pub public: String,
    pub private: String,
}

/// Status and JSON body (or `null` when the body is empty or not JSON).
pub async fn read(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Every section a post-mortem needs before review, its one recommendation carried by
/// the action item `action_item` (which must have an owner and a due date).
pub fn complete_sections(action_item: &str) -> Value {
    json!({
        "summary": "Checkout returned 502 for 31 minutes after a database failover.",
        "impact": {"data_lost": false, "users_affected": 1200, "access_lost_minutes": 31, "productivity_lost_hours": 4.5},
        "root_cause": {"description": "The connection pool kept connections to the old primary.", "certainty": "confirmed",
                       "component": "db-pool", "legacy_code": true, "must_fix": true},
        "trigger": "A storage fault on the primary.",
        "detection": "The error-rate alert fired four minutes after impact began.",
        "response_analysis": "The on-call engineer was paged at once; the failover runbook lacked the pool step.",
        "resolution": "The pool was restarted against the new primary.",
        "damage_control": [{"description": "None: no order was lost", "status": "done"}],
        "lessons": {"went_well": "Alerting", "went_badly": "The runbook", "got_lucky": "Low traffic"},
        "recommendations": [{"text": "Make the pool follow the primary", "action_items": [action_item]}]
    })
}

// ---- the web pages, as a browser signs in and posts their forms ----

/// A client that shows redirects instead of following them.
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Signs in through the form with `password`; answers the session cookie, or `None` when refused.
pub async fn try_sign_in(app: &TestApp, username: &str, password: &str) -> Option<String> {
    let response = no_redirects()
        .post(app.url("/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("username", username), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap();
    if response.status() != reqwest::StatusCode::SEE_OTHER {
        return None;
    }
    let cookie = response.headers()[reqwest::header::SET_COOKIE].to_str().unwrap();
    Some(cookie.split(';').next().unwrap().to_string())
}

/// Signs in through the form and answers the session cookie.
pub async fn sign_in(app: &TestApp, username: &str) -> String {
    try_sign_in(app, username, PASSWORD).await.expect("signing in through the form")
}

/// A page as the person with `cookie` gets it: status and HTML.
pub async fn page(app: &TestApp, cookie: &str, path: &str) -> (reqwest::StatusCode, String) {
    let response = no_redirects().get(app.url(path)).header(reqwest::header::COOKIE, cookie).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The page's CSRF token, as its forms carry it.
pub fn csrf_token(html: &str) -> String {
    html.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
}

/// Posts `form` from one of our pages exactly as given; answers the status, the
/// redirect target (if any) and the body.
pub async fn send_form<T: serde::Serialize + ?Sized>(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &T,
) -> (reqwest::StatusCode, String, String) {
    let response = no_redirects()
        .post(app.url(path))
        .header(reqwest::header::COOKIE, cookie)
        .header("sec-fetch-site", "same-origin")
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location =
        response.headers().get(reqwest::header::LOCATION).map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

/// Posts a form as the signed-in person, with their session's token added.
pub async fn post_form(
    app: &TestApp,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (reqwest::StatusCode, String, String) {
    let (_, home) = page(app, cookie, "/").await;
    let token = csrf_token(&home);
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    send_form(app, cookie, path, &form).await
}
