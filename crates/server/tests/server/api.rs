//! The JSON API, spoken to over HTTP on a real server.

use crate::common;

use common::{As, PASSWORD, read, spawn_app};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

const ADMIN: As = As::User("admin");
const EDITOR: As = As::User("editor");
const VIEWER: As = As::User("viewer");
const OUTSIDER: As = As::User("outsider");
const RESPONDER: As = As::User("responder");

#[tokio::test]
async fn health_and_readiness_answer_without_credentials() {
    let app = spawn_app().await;
    let (status, _) = app.get(As::Nobody, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let response = app.send(As::Nobody, Method::GET, "/readyz", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.store.close().await;
    let (status, _) = app.get(As::Nobody, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn openapi_document_is_version_3_1_and_lists_the_api() {
    let app = spawn_app().await;
    let (status, doc) = app.get(As::Nobody, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/incidents",
        "/api/v1/postmortems/{id}/history",
        "/api/v1/action-items/{id}",
        "/api/v1/users/{username}/tokens",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
    assert!(doc["components"]["schemas"]["NewIncident"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn requests_without_credentials_get_401_problem_json() {
    let app = spawn_app().await;
    let response = app.send(As::Nobody, Method::GET, "/api/v1/incidents", None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json");
    let (_, body) = read(response).await;
    assert_eq!(body["type"], "/problems/unauthenticated");
    assert_eq!(body["status"], 401);
}

#[tokio::test]
async fn a_wrong_or_revoked_token_gets_401() {
    let app = spawn_app().await;
    let invalid_or_revoked = |response: reqwest::Response| async move {
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer realm=\"hindsight\", error=\"invalid_token\"");
        let (_, body) = read(response).await;
        assert_eq!(body["type"], "/problems/invalid-token", "{body}");
        assert!(body["detail"].as_str().unwrap().contains("invalid or revoked"), "{body}");
        assert!(!body["detail"].as_str().unwrap().contains("sign in first"), "{body}");
    };
    let response = app.client.get(app.url("/api/v1/me")).bearer_auth("hs_not-a-token").send().await.unwrap();
    invalid_or_revoked(response).await;
    let response =
        app.client.get(app.url("/api/v1/me")).header(header::AUTHORIZATION, "Basic dXNlcjpwYXNz").send().await.unwrap();
    invalid_or_revoked(response).await;
    let (status, created) = app.post(EDITOR, "/api/v1/users/editor/tokens", json!({"name": "ci"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let secret = created["secret"].as_str().unwrap().to_string();
    let me = app.client.get(app.url("/api/v1/me")).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let id = created["token"]["id"].as_str().unwrap();
    let (status, revoked) = app.delete(EDITOR, &format!("/api/v1/tokens/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(revoked["revoked_at"].is_string());
    let me = app.client.get(app.url("/api/v1/me")).bearer_auth(&secret).send().await.unwrap();
    invalid_or_revoked(me).await;
}

#[tokio::test]
async fn token_list_never_shows_secrets_and_is_private_to_its_owner() {
    let app = spawn_app().await;
    let (status, tokens) = app.get(EDITOR, "/api/v1/users/editor/tokens").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tokens.as_array().unwrap().len(), 1);
    assert!(!tokens.to_string().contains(&app.tokens["editor"]));
    let (status, _) = app.get(VIEWER, "/api/v1/users/editor/tokens").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get(ADMIN, "/api/v1/users/editor/tokens").await;
    assert_eq!(status, StatusCode::OK);
}

async fn api_sign_in(app: &common::TestApp, username: &str) -> (String, String) {
    api_sign_in_with(app, username, PASSWORD).await
}

async fn api_sign_in_with(app: &common::TestApp, username: &str, password: &str) -> (String, String) {
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let (_, body) = read(response).await;
    (cookie, body["csrf_token"].as_str().unwrap().to_string())
}

/// Changes `username`'s password from the browser session `(cookie, csrf)`.
async fn change_password(
    app: &common::TestApp,
    (cookie, csrf): &(String, String),
    username: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = app
        .client
        .patch(app.url(&format!("/api/v1/users/{username}")))
        .header(header::COOKIE, cookie)
        .header("x-csrf-token", csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    read(response).await
}

async fn session_works(app: &common::TestApp, (cookie, _): &(String, String)) -> bool {
    let me = app.client.get(app.url("/api/v1/me")).header(header::COOKIE, cookie).send().await.unwrap();
    me.status() == StatusCode::OK
}

#[tokio::test]
async fn changing_ones_own_password_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    let here = api_sign_in(&app, "editor").await;
    let elsewhere = api_sign_in(&app, "editor").await;
    let new_password = "a brand new password";
    let (status, body) = change_password(&app, &here, "editor", json!({"password": new_password})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "current_password", "{body}");
    let wrong = json!({"password": new_password, "current_password": "not my password"});
    let (status, body) = change_password(&app, &here, "editor", wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "current_password", "{body}");
    assert!(session_works(&app, &elsewhere).await, "a refused change ends nothing");

    let right = json!({"password": new_password, "current_password": PASSWORD});
    let (status, body) = change_password(&app, &here, "editor", right).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(session_works(&app, &here).await, "the session that changed it goes on");
    assert!(!session_works(&app, &elsewhere).await, "every other session ends");
    let (status, _) = attempt_sign_in(&app, "editor", new_password, None).await;
    assert_eq!(status, StatusCode::OK);

    // With an API token, too, the current password is asked for.
    let (status, body) = app.patch(EDITOR, "/api/v1/users/editor", json!({"password": "yet another password"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let token_change = json!({"password": "yet another password", "current_password": new_password});
    let (status, _) = app.patch(EDITOR, "/api/v1/users/editor", token_change).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!session_works(&app, &here).await, "changed with a token: no session is kept");
}

#[tokio::test]
async fn an_admin_resets_anothers_password_without_it_and_ends_their_sessions() {
    let app = spawn_app().await;
    let editor = api_sign_in(&app, "editor").await;
    let admin = api_sign_in(&app, "admin").await;
    let (status, body) = change_password(&app, &admin, "editor", json!({"password": "a brand new password"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!session_works(&app, &editor).await, "the person's sessions end");
    assert!(session_works(&app, &admin).await);
    // Changing only a name asks for no password and ends nothing.
    let editor = api_sign_in_with(&app, "editor", "a brand new password").await;
    let (status, _) = change_password(&app, &editor, "editor", json!({"display_name": "Ed"})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(session_works(&app, &editor).await);
}

#[tokio::test]
async fn browser_session_reads_freely_but_writes_only_with_its_csrf_token() {
    let app = spawn_app().await;
    let (cookie, csrf) = api_sign_in(&app, "editor").await;
    let me = app.client.get(app.url("/api/v1/me")).header(header::COOKIE, &cookie).send().await.unwrap();
    let (status, body) = read(me).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["username"], "editor");
    let incident = json!({"title": "Queue backlog", "severity": "SEV3"});
    let without = app
        .client
        .post(app.url("/api/v1/incidents"))
        .header(header::COOKIE, &cookie)
        .json(&incident)
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::FORBIDDEN);
    let cross_site = app
        .client
        .post(app.url("/api/v1/incidents"))
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .header("sec-fetch-site", "cross-site")
        .json(&incident)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let with = app
        .client
        .post(app.url("/api/v1/incidents"))
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .header("sec-fetch-site", "same-origin")
        .json(&incident)
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let (cookie, csrf) = api_sign_in(&app, "viewer").await;
    let out = app
        .client
        .delete(app.url("/api/v1/session"))
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(out.headers()[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    let me = app.client.get(app.url("/api/v1/me")).header(header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

async fn attempt_sign_in(
    app: &common::TestApp,
    username: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> (StatusCode, Value) {
    let mut request =
        app.client.post(app.url("/api/v1/session")).json(&json!({"username": username, "password": password}));
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    read(request.send().await.unwrap()).await
}

#[tokio::test]
async fn failed_sign_ins_make_the_account_wait_without_closing_others() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let (status, body) = attempt_sign_in(&app, "viewer", "nope nope nope", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["detail"], "wrong username or password");
    }
    // Past five failures each attempt waits, the right password too: a second, then longer;
    // the answer says when to come back, in words and in `Retry-After`.
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "viewer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string()), Some("1".into()));
    let (status, body) = read(response).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("for this account; try again in 1 second"), "{body}");
    let (status, _) = attempt_sign_in(&app, "editor", PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn many_names_guessed_from_one_address_are_capped() {
    let app = spawn_app().await;
    for n in 0..50 {
        let (status, _) = attempt_sign_in(&app, &format!("guess{n}"), "nope nope nope", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = attempt_sign_in(&app, "viewer", PASSWORD, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("from your address"), "{body}");
}

#[tokio::test]
async fn forwarded_for_names_the_client_only_behind_a_trusted_proxy() {
    let limits = hindsight_store::SignInLimits { address_failures: 2, ..Default::default() };
    let proxy = hindsight_server::auth::parse_trusted_proxy("127.0.0.1").unwrap();
    let settings =
        hindsight_server::Settings { trusted_proxies: vec![proxy], sign_in_limits: limits, ..common::test_settings() };
    let app = common::spawn_configured(hindsight_store::test_support::sqlite_store().await, settings).await;
    for name in ["ana", "bo"] {
        let (status, _) = attempt_sign_in(&app, name, "nope nope nope", Some("198.51.100.1")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = attempt_sign_in(&app, "viewer", PASSWORD, Some("198.51.100.1")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = attempt_sign_in(&app, "viewer", PASSWORD, Some("1.1.1.1, 198.51.100.2")).await;
    assert_eq!(status, StatusCode::OK, "another client behind the proxy");

    // Without a trusted proxy the header is anyone's to write, and is not believed.
    let settings = hindsight_server::Settings { sign_in_limits: limits, ..common::test_settings() };
    let app = common::spawn_configured(hindsight_store::test_support::sqlite_store().await, settings).await;
    for (name, address) in [("ana", "198.51.100.1"), ("bo", "198.51.100.2")] {
        let (status, _) = attempt_sign_in(&app, name, "nope nope nope", Some(address)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = attempt_sign_in(&app, "viewer", PASSWORD, Some("198.51.100.3")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn oversized_sign_in_fields_are_refused_naming_each_field() {
    let app = spawn_app().await;
    // The test server takes bodies up to 64 KiB.
    let huge = "u".repeat(50_000);
    let (status, body) =
        app.post(As::Nobody, "/api/v1/session", json!({"username": huge, "password": "a".repeat(5_000)})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["username", "password"], "{body}");
    // The longest allowed still reaches the password check.
    let (status, _) = app
        .post(As::Nobody, "/api/v1/session", json!({"username": "v".repeat(64), "password": "a".repeat(1024)}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn oversized_bearer_tokens_and_csrf_tokens_are_refused() {
    let app = spawn_app().await;
    let response =
        app.client.get(app.url("/api/v1/me")).bearer_auth(format!("hs_{}", "a".repeat(10_000))).send().await.unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("invalid"), "{body}");
}

#[tokio::test]
async fn disabled_users_cannot_sign_in_or_use_tokens() {
    let app = spawn_app().await;
    let (status, _) = app.patch(ADMIN, "/api/v1/users/editor", json!({"disabled": true})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get(EDITOR, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) =
        app.post(As::Nobody, "/api/v1/session", json!({"username": "editor", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn incident_lifecycle_over_http() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let path = format!("/api/v1/incidents/{}", seed.public);
    let (status, incident) = app.get(VIEWER, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(incident["severity"], "SEV2");
    assert_eq!(incident["services"], json!(["checkout"]));
    assert_eq!(incident["version"], 1);
    let (status, changed) =
        app.patch(EDITOR, &path, json!({"version": 1, "status": "resolved", "severity": "SEV1"})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["version"], 2);
    assert!(changed["resolved_at"].is_string());
    let (status, stale) = app.patch(EDITOR, &path, json!({"version": 1, "title": "Other"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(stale["current_version"], 2);
    assert_eq!(stale["current"]["severity"], "SEV1");
    let (status, _) = app.delete(EDITOR, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.delete(ADMIN, &path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(ADMIN, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn invalid_incident_fields_are_named_in_the_problem() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(EDITOR, "/api/v1/incidents", json!({"title": "", "severity": "SEV2", "services": ["no-such-service"]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["type"], "/problems/validation");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title"]);
    let (status, body) = app
        .post(EDITOR, "/api/v1/incidents", json!({"title": "x", "severity": "SEV2", "services": ["no-such-service"]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "services[0]");
}

#[tokio::test]
async fn malformed_bodies_get_400_with_the_path_at_fault() {
    let app = spawn_app().await;
    let (status, body) = app.post(EDITOR, "/api/v1/incidents", json!({"title": "x", "severity": "SEV9"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["field"], "severity");
    let (status, body) =
        app.post(EDITOR, "/api/v1/incidents", json!({"title": "x", "severity": "SEV2", "sevrity": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["detail"].as_str().unwrap().contains("sevrity"), "{body}");
    let response = app
        .request(EDITOR, Method::POST, "/api/v1/incidents")
        .body("{not json")
        .header(header::CONTENT_TYPE, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = app.request(EDITOR, Method::POST, "/api/v1/incidents").body("title=x").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = spawn_app().await;
    let huge = "x".repeat(100 * 1024);
    let response = app
        .send(
            EDITOR,
            Method::POST,
            "/api/v1/incidents",
            Some(json!({"title": "x", "severity": "SEV2", "description": huge})),
        )
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn incident_list_filters_and_pages() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    for i in 0..5 {
        let (status, _) =
            app.post(EDITOR, "/api/v1/incidents", json!({"title": format!("Noise {i}"), "severity": "SEV4"})).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, page) = app.get(EDITOR, "/api/v1/incidents?severity=SEV4&limit=2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let mut seen = Vec::new();
    let mut cursor = page["next_cursor"].as_str().map(str::to_string);
    seen.extend(page["items"].as_array().unwrap().iter().map(|i| i["handle"].as_str().unwrap().to_string()));
    while let Some(c) = cursor {
        let (_, page) = app.get(EDITOR, &format!("/api/v1/incidents?severity=SEV4&limit=2&cursor={c}")).await;
        seen.extend(page["items"].as_array().unwrap().iter().map(|i| i["handle"].as_str().unwrap().to_string()));
        cursor = page["next_cursor"].as_str().map(str::to_string);
    }
    assert_eq!(seen.len(), 5);
    let (_, by_team) = app.get(EDITOR, "/api/v1/incidents?team=payments").await;
    let handles: Vec<&str> =
        by_team["items"].as_array().unwrap().iter().map(|i| i["handle"].as_str().unwrap()).collect();
    assert_eq!(handles, [seed.public.as_str()]);
    let (_, by_date) = app.get(EDITOR, "/api/v1/incidents?since=2026-11-20T00:00:00Z&until=2026-11-21T00:00:00Z").await;
    assert_eq!(by_date["items"].as_array().unwrap().len(), 1);
    let (status, body) = app.get(EDITOR, "/api/v1/incidents?status=exploded").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["field"], "status");
    let (status, _) = app.get(EDITOR, "/api/v1/incidents?since=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn incident_list_searches_and_sorts() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    for (title, severity) in [("Search index stale", "SEV3"), ("Payments queue backlog", "SEV1"), ("Noise", "SEV5")] {
        let (status, _) = app.post(EDITOR, "/api/v1/incidents", json!({"title": title, "severity": severity})).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let titles = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect()
    };
    // Case-insensitive, anywhere in the title or description; a private incident stays hidden.
    let (status, found) = app.get(EDITOR, "/api/v1/incidents?q=QUEUE").await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(titles(&found), ["Payments queue backlog"]);
    let (_, leak) = app.get(EDITOR, "/api/v1/incidents?q=credential").await;
    assert!(titles(&leak).is_empty(), "{leak}");
    let (_, newest) = app.get(EDITOR, "/api/v1/incidents").await;
    assert_eq!(titles(&newest)[0], "Noise");
    let (_, oldest) = app.get(EDITOR, "/api/v1/incidents?sort=oldest").await;
    assert_eq!(oldest["items"][0]["handle"], seed.public.as_str());
    // Most severe first, across pages.
    let mut severities = Vec::new();
    let mut path = "/api/v1/incidents?sort=severity&limit=2".to_string();
    loop {
        let (status, page) = app.get(EDITOR, &path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        severities
            .extend(page["items"].as_array().unwrap().iter().map(|i| i["severity"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/incidents?sort=severity&limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(severities, ["SEV1", "SEV2", "SEV3", "SEV5"]);
    let (status, body) = app.get(EDITOR, "/api/v1/incidents?sort=loudest").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["field"], "sort");
    let (status, body) = app.get(EDITOR, &format!("/api/v1/incidents?q={}", "x".repeat(201))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["field"], "q");
}

#[tokio::test]
async fn private_incidents_are_hidden_from_outsiders_everywhere() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let path = format!("/api/v1/incidents/{}", seed.private);
    let (status, _) = app
        .post(
            ADMIN,
            &format!("{path}/action-items"),
            json!({"title": "Rotate the leaked key", "kind": "damage_control"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app.post(ADMIN, &format!("{path}/postmortem"), json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    for who in [OUTSIDER, VIEWER, EDITOR] {
        let (status, _) = app.get(who, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who:?} saw the private incident");
        let (_, list) = app.get(who, "/api/v1/incidents").await;
        assert!(!list.to_string().contains(&seed.private), "{who:?} listed the private incident");
        let (_, items) = app.get(who, "/api/v1/action-items").await;
        assert!(!items.to_string().contains("leaked key"), "{who:?} listed its action item");
        let (_, postmortems) = app.get(who, "/api/v1/postmortems").await;
        assert!(!postmortems.to_string().contains(&seed.private), "{who:?} listed its post-mortem");
        let (status, _) = app.get(who, &format!("{path}/events")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app.patch(who, &path, json!({"version": 1, "title": "mine now"})).await;
        assert_eq!(status, if who == VIEWER { StatusCode::FORBIDDEN } else { StatusCode::NOT_FOUND });
    }
    for who in [RESPONDER, ADMIN] {
        let (status, _) = app.get(who, &path).await;
        assert_eq!(status, StatusCode::OK, "{who:?} could not see the private incident");
        let (_, items) = app.get(who, "/api/v1/action-items").await;
        assert!(items.to_string().contains("leaked key"));
    }
}

#[tokio::test]
async fn members_of_a_named_team_see_a_private_incident() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let path = format!("/api/v1/incidents/{}", seed.private);
    let (_, incident) = app.get(ADMIN, &path).await;
    let (status, _) = app.patch(ADMIN, &path, json!({"version": incident["version"], "teams": ["payments"]})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get(OUTSIDER, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.put(ADMIN, "/api/v1/teams/payments/members/outsider", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get(OUTSIDER, &path).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn timeline_events_are_kept_in_time_order_with_their_raw_payload() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let events = format!("/api/v1/incidents/{}/events", seed.public);
    let (status, late) = app.post(EDITOR, &events, json!({"occurred_at": "2026-11-20T10:30:00Z", "kind": "rollback", "text": "Rolled back to v41", "source": "github"})).await;
    assert_eq!(status, StatusCode::CREATED, "{late}");
    let (status, early) = app
        .post(
            EDITOR,
            &events,
            json!({
                "occurred_at": "2026-11-20T10:02:00+01:00", "kind": "alert", "text": "HighErrorRate firing",
                "source": "alertmanager", "key_moment": "detection", "raw_payload": {"status": "firing", "alerts": []}
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(early["occurred_at"], "2026-11-20T09:02:00Z");
    let (_, list) = app.get(VIEWER, &events).await;
    let texts: Vec<&str> = list["items"].as_array().unwrap().iter().map(|e| e["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["HighErrorRate firing", "Rolled back to v41"]);
    let raw_url = early["raw_payload_url"].as_str().unwrap();
    assert_eq!(list["items"][0]["raw_payload_url"], raw_url, "the list links the same payload");
    assert_eq!(list["items"][1]["has_raw_payload"], false);
    assert_eq!(list["items"][1]["raw_payload_url"], serde_json::Value::Null, "an event typed in has no payload");
    let (status, raw) = app.get(VIEWER, raw_url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(raw["status"], "firing");
    let one = format!("{events}/{}", late["id"].as_str().unwrap());
    let (status, changed) = app.patch(EDITOR, &one, json!({"version": 1, "key_moment": "mitigation"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(changed["key_moment"], "mitigation");
    let (status, _) = app.patch(EDITOR, &one, json!({"version": 1, "text": "stale"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) =
        app.post(VIEWER, &events, json!({"occurred_at": "2026-11-20T10:00:00Z", "kind": "note", "text": "hi"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.delete(EDITOR, &one).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(EDITOR, &one).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn postmortem_edits_are_versioned_and_kept_in_history() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let (status, pm) = app
        .post(EDITOR, &format!("/api/v1/incidents/{}/postmortem", seed.public), json!({"due_date": "2026-12-01"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    assert_eq!(pm["status"], "draft");
    assert_eq!(pm["owner"], "editor");
    let (status, _) = app.post(EDITOR, &format!("/api/v1/incidents/{}/postmortem", seed.public), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let path = format!("/api/v1/postmortems/{}", pm["id"].as_str().unwrap());
    let (status, pm) = app
        .patch(EDITOR, &path, json!({"version": 1, "sections": {"summary": "Checkout failed for 20 minutes."}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{pm}");
    let (status, pm) = app
        .put(ADMIN, &format!("{path}/sections/root_cause"), json!({"version": 2, "value": {"description": "Pool exhausted", "certainty": "confirmed", "component": "db-pool", "legacy_code": true}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{pm}");
    assert_eq!(pm["version"], 3);
    let (status, conflict) =
        app.patch(EDITOR, &path, json!({"version": 2, "sections": {"summary": "Lost update"}})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflict["current"]["sections"]["root_cause"]["component"], "db-pool");
    let (status, section) = app.get(VIEWER, &format!("{path}/sections/root_cause")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(section["certainty"], "confirmed");
    let (status, _) = app.get(VIEWER, &format!("{path}/sections/nonsense")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, bad) = app
        .put(EDITOR, &format!("{path}/sections/root_cause"), json!({"version": 3, "value": {"certainty": "maybe"}}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "sections.root_cause");
    // The whole-post-mortem patch names the field at fault, however deep.
    let (status, bad) =
        app.patch(EDITOR, &path, json!({"version": 3, "sections": {"root_cause": {"certainty": "maybe"}}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    assert_eq!(bad["errors"][0]["field"], "sections.root_cause.certainty", "{bad}");
    let (status, bad) = app.patch(EDITOR, &path, json!({"version": 3, "sections": {"summry": "x"}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    assert!(bad["detail"].as_str().unwrap().contains("unknown field `summry`"), "{bad}");
    let (status, refused) =
        app.post(EDITOR, &format!("{path}/status"), json!({"version": 3, "status": "published"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    // Not ready for review: the answer lists what is missing.
    let (status, incomplete) =
        app.post(EDITOR, &format!("{path}/status"), json!({"version": 3, "status": "in_review"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{incomplete}");
    let fields: Vec<&str> =
        incomplete["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"sections.damage_control"), "{fields:?}");
    assert!(fields.contains(&"incident.mitigated_at"), "{fields:?}");
    let (_, listed) = app.get(VIEWER, &format!("{path}/completeness")).await;
    assert_eq!(listed.as_array().unwrap().len(), fields.len());
    let (_, item) = app
        .post(EDITOR, &format!("/api/v1/incidents/{}/action-items", seed.public), json!({"title": "Make the pool follow the primary", "kind": "fix_root_cause", "owner": "editor", "due_date": "2026-12-15"}))
        .await;
    let (status, _) = app
        .post(EDITOR, &format!("/api/v1/incidents/{}/events", seed.public), json!({"occurred_at": "2026-11-20T10:31:00Z", "kind": "action", "text": "Pool restarted", "key_moment": "mitigation"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let sections = common::complete_sections(item["id"].as_str().unwrap());
    let (status, pm) = app.patch(EDITOR, &path, json!({"version": 3, "sections": sections})).await;
    assert_eq!(status, StatusCode::OK, "{pm}");
    let (_, listed) = app.get(VIEWER, &format!("{path}/completeness")).await;
    assert_eq!(listed, json!([]));
    let (_, pm) = app.post(EDITOR, &format!("{path}/status"), json!({"version": 4, "status": "in_review"})).await;
    // A SEV2 needs one approval from a named reviewer before it is published.
    let publish = json!({"version": pm["version"], "status": "published"});
    let (status, refused) = app.post(EDITOR, &format!("{path}/status"), publish.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["errors"][0]["field"], "status");
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("needs 1 approval"), "{refused}");
    let (status, review) = app.put(EDITOR, &format!("{path}/reviewers"), json!({"reviewers": ["admin"]})).await;
    assert_eq!(status, StatusCode::OK, "{review}");
    let (status, _) = app.post(As::User("admin"), &format!("{path}/reviews"), json!({"verdict": "approved"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, pm) = app.post(EDITOR, &format!("{path}/status"), publish).await;
    assert_eq!(status, StatusCode::OK, "{pm}");
    assert!(pm["published_at"].is_string());
    let (status, history) = app.get(VIEWER, &format!("{path}/history")).await;
    assert_eq!(status, StatusCode::OK);
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 6);
    assert_eq!(history[1]["actor"], "editor");
    assert_eq!(history[1]["changes"][0]["field"], "sections.summary");
    assert_eq!(history[1]["changes"][0]["old"], "");
    assert_eq!(history[1]["changes"][0]["new"], "Checkout failed for 20 minutes.");
    assert_eq!(history[2]["actor"], "admin");
    assert_eq!(history[5]["changes"][0]["field"], "status");
    let (status, list) = app.get(VIEWER, "/api/v1/postmortems?status=published").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (_, of_incident) = app.get(VIEWER, &format!("/api/v1/incidents/{}/postmortem", seed.public)).await;
    assert_eq!(of_incident["id"], pm["id"]);
}

#[tokio::test]
async fn action_items_are_created_filtered_and_closed() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let create = format!("/api/v1/incidents/{}/action-items", seed.public);
    let (status, item) = app
        .post(EDITOR, &create, json!({"title": "Alert on pool saturation", "kind": "improve_response", "owner": "editor", "owner_team": "payments", "priority": "p2", "due_date": "2020-01-01"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let (status, _) = app.post(EDITOR, &create, json!({"title": "Raise pool size", "kind": "fix_root_cause"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, bad) =
        app.post(EDITOR, &create, json!({"title": "x", "kind": "fix_root_cause", "owner": "ghost"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "owner");
    let (_, overdue) = app.get(VIEWER, "/api/v1/action-items?due_before=2026-01-01").await;
    assert_eq!(overdue["items"].as_array().unwrap().len(), 1);
    let (_, by_team) = app.get(VIEWER, "/api/v1/action-items?team=payments").await;
    assert_eq!(by_team["items"].as_array().unwrap().len(), 1);
    let (_, by_incident) = app.get(VIEWER, &format!("/api/v1/action-items?incident={}", seed.public)).await;
    assert_eq!(by_incident["items"].as_array().unwrap().len(), 2);
    let path = format!("/api/v1/action-items/{}", item["id"].as_str().unwrap());
    let (status, done) = app
        .patch(EDITOR, &path, json!({"version": 1, "status": "done", "tracker_url": "https://tracker.example/ISSUE-7"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "done");
    let (_, overdue) = app.get(VIEWER, "/api/v1/action-items?due_before=2026-01-01").await;
    assert_eq!(overdue["items"].as_array().unwrap().len(), 0);
    let (status, _) = app.patch(VIEWER, &path, json!({"version": 2, "status": "open"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.delete(EDITOR, &path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn admins_manage_users_teams_and_services() {
    let app = spawn_app().await;
    let (status, user) = app
        .post(
            ADMIN,
            "/api/v1/users",
            json!({"username": "dana", "display_name": "Dana", "role": "editor", "password": "short"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{user}");
    let (status, user) = app
        .post(
            ADMIN,
            "/api/v1/users",
            json!({"username": "dana", "display_name": "Dana", "role": "editor", "password": "a long enough password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(user.get("password_hash").is_none());
    let (status, _) =
        app.post(ADMIN, "/api/v1/users", json!({"username": "dana", "display_name": "Dana 2", "role": "viewer"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .post(As::Nobody, "/api/v1/session", json!({"username": "dana", "password": "a long enough password"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.patch(EDITOR, "/api/v1/users/editor", json!({"role": "admin"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, me) = app.patch(EDITOR, "/api/v1/users/editor", json!({"display_name": "Ed Itor"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["display_name"], "Ed Itor");
    let (status, _) = app.patch(ADMIN, "/api/v1/users/admin", json!({"disabled": true})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, team) = app.post(ADMIN, "/api/v1/teams", json!({"slug": "sre", "name": "SRE"})).await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    let (status, team) = app.put(ADMIN, "/api/v1/teams/sre/members/dana", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(team["members"], json!(["dana"]));
    let (_, dana) = app.get(VIEWER, "/api/v1/users/dana").await;
    assert_eq!(dana["teams"], json!(["sre"]));
    let (status, service) =
        app.post(ADMIN, "/api/v1/services", json!({"slug": "edge", "name": "Edge proxy", "owner_team": "sre"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(service["owner_team"], "sre");
    let (status, service) = app.patch(ADMIN, "/api/v1/services/edge", json!({"owner_team": null})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(service["owner_team"].is_null());
    let (status, bad) = app.post(ADMIN, "/api/v1/services", json!({"slug": "Bad Slug", "name": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "slug");
    let (status, _) = app.post(EDITOR, "/api/v1/teams", json!({"slug": "rogue", "name": "Rogue"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.delete(ADMIN, "/api/v1/teams/sre/members/dana").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.delete(ADMIN, "/api/v1/services/edge").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.delete(ADMIN, "/api/v1/teams/sre").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, settings) = app.get(VIEWER, "/api/v1/settings").await;
    assert_eq!(settings["severity_labels"]["SEV1"], "Critical");
}

#[tokio::test]
async fn unknown_incident_handles_are_404_with_a_hint() {
    let app = spawn_app().await;
    let (status, body) = app.get(VIEWER, "/api/v1/incidents/INC-999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["type"], "/problems/not-found");
    let (status, body) = app.get(VIEWER, "/api/v1/incidents/banana").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["detail"].as_str().unwrap().contains("INC-42"));
}

#[tokio::test]
async fn incident_list_items_are_the_incidents_as_each_is_read_alone() {
    // A page of incidents carries everything the list view needs in one answer: each item
    // is the incident as its own endpoint answers it, newest first, the private one included
    // for an admin.
    let app = spawn_app().await;
    let seed = app.seed().await;
    let (status, page) = app.get(ADMIN, "/api/v1/incidents").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let items = page["items"].as_array().unwrap();
    let handles: Vec<&str> = items.iter().map(|i| i["handle"].as_str().unwrap()).collect();
    assert_eq!(handles, [seed.private.as_str(), seed.public.as_str()]);
    for item in items {
        let (_, alone) = app.get(ADMIN, &format!("/api/v1/incidents/{}", item["handle"].as_str().unwrap())).await;
        assert_eq!(item, &alone, "the list item is the whole incident");
    }
    let public = &items[1];
    assert_eq!(public["title"], "Checkout returns 502");
    assert_eq!(public["severity"], "SEV2");
    assert_eq!(public["status"], "triggered");
    assert_eq!(public["services"], json!(["checkout"]));
    assert_eq!(public["responders"], json!([{"username": "editor", "role": "incident_commander"}]));
    assert_eq!(public["private"], false);
    assert_eq!(items[0]["private"], true);
    assert_eq!(public["version"], 1);
}

#[tokio::test]
async fn metrics_are_measured_from_impact_start_using_marked_events() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let events = format!("/api/v1/incidents/{}/events", seed.public);
    for (at, kind, marker) in [
        ("2026-11-20T10:05:00Z", "page", None),
        ("2026-11-20T10:06:00Z", "page", None),
        ("2026-11-20T10:09:00Z", "acknowledgement", Some("acknowledgement")),
        ("2026-11-20T10:31:00Z", "rollback", Some("mitigation")),
    ] {
        let (status, _) = app
            .post(EDITOR, &events, json!({"occurred_at": at, "kind": kind, "text": kind, "key_moment": marker}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, metrics) = app.get(VIEWER, &format!("/api/v1/incidents/{}/metrics", seed.public)).await;
    assert_eq!(status, StatusCode::OK, "{metrics}");
    assert_eq!(metrics["started_at"], "2026-11-20T10:00:00Z");
    assert_eq!(metrics["time_to_detect_s"], 240);
    assert_eq!(metrics["time_to_acknowledge_s"], 540);
    assert_eq!(metrics["time_to_mitigate_s"], 1860);
    assert!(metrics["time_to_resolve_s"].is_null());
    assert_eq!(metrics["moment_sources"]["mitigated_at"], "timeline");
    assert_eq!(metrics["pages"], 2);
    assert_eq!(metrics["detection_method"], "monitoring_alert");
}

#[tokio::test]
async fn policy_explains_why_a_postmortem_is_required_and_resolving_drafts_one() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let path = format!("/api/v1/incidents/{}", seed.public);
    let (status, report) = app.get(VIEWER, &format!("{path}/policy")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["decision"]["necessity"], "required");
    let criteria: Vec<&str> =
        report["decision"]["reasons"].as_array().unwrap().iter().map(|r| r["criterion"].as_str().unwrap()).collect();
    assert!(criteria.contains(&"severity"), "{criteria:?}");
    let (status, _) = app.get(VIEWER, &format!("{path}/postmortem")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.patch(EDITOR, &path, json!({"version": 1, "status": "resolved"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, draft) = app.get(VIEWER, &format!("{path}/postmortem")).await;
    assert_eq!(status, StatusCode::OK, "a required post-mortem is drafted on resolution");
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["owner"], "editor", "the incident commander owns it");
    assert!(draft["due_date"].is_string());
    assert!(draft["sections"]["detection"].as_str().unwrap().contains("monitoring alert"));
}

#[tokio::test]
async fn resolving_a_minor_incident_drafts_nothing() {
    let app = spawn_app().await;
    let (_, minor) = app
        .post(
            EDITOR,
            "/api/v1/incidents",
            json!({"title": "Slow search", "severity": "SEV5", "detection_method": "monitoring_alert"}),
        )
        .await;
    let path = format!("/api/v1/incidents/{}", minor["handle"].as_str().unwrap());
    let (_, report) = app.get(VIEWER, &format!("{path}/policy")).await;
    assert_ne!(report["decision"]["necessity"], "required", "{report}");
    app.patch(EDITOR, &path, json!({"version": 1, "status": "resolved"})).await;
    let (status, _) = app.get(VIEWER, &format!("{path}/postmortem")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn overriding_a_key_moment_keeps_the_reason_and_old_value_in_history() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let path = format!("/api/v1/incidents/{}", seed.public);
    let override_ = json!({"version": 1, "detected_at": "2026-11-20T10:02:00Z", "reason": "The first alert fired at 10:02; the page came later."});
    let (status, changed) = app.patch(EDITOR, &path, override_).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let (_, metrics) = app.get(VIEWER, &format!("{path}/metrics")).await;
    assert_eq!(metrics["time_to_detect_s"], 120);
    let (status, history) = app.get(VIEWER, &format!("{path}/history")).await;
    assert_eq!(status, StatusCode::OK);
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["version"], 2);
    assert_eq!(last["actor"], "editor");
    assert_eq!(last["reason"], "The first alert fired at 10:02; the page came later.");
    assert_eq!(last["changes"][0]["field"], "detected_at");
    assert_eq!(last["changes"][0]["old"], "2026-11-20T10:04:00Z");
    assert_eq!(last["changes"][0]["new"], "2026-11-20T10:02:00Z");
}

#[tokio::test]
async fn blaming_wording_is_found_with_its_place_and_a_rewrite() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let (_, pm) = app
        .post(
            EDITOR,
            &format!("/api/v1/incidents/{}/postmortem", seed.public),
            json!({"sections": {
                "summary": "Checkout failed for 20 minutes.\nThe editor forgot to drain the pool before the failover.",
                "trigger": "The job failed to start after the deploy."
            }}),
        )
        .await;
    let (status, found) = app.get(VIEWER, &format!("/api/v1/postmortems/{}/lint", pm["id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "only the summary blames; a job failing to start is a system: {found:?}");
    assert_eq!(found[0]["field"], "sections.summary");
    let finding = &found[0]["findings"][0];
    assert_eq!(finding["line"], 2);
    assert!(!finding["suggestion"].as_str().unwrap().is_empty());
    let (status, clean) =
        app.post(VIEWER, "/api/v1/lint", json!({"text": "The cache expired after five minutes."})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(clean, json!([]));
    let (_, blamed) = app.post(VIEWER, "/api/v1/lint", json!({"text": "@sam forgot to renew the certificate."})).await;
    assert_eq!(blamed.as_array().unwrap().len(), 1, "{blamed}");
}

#[tokio::test]
async fn postmortems_export_as_markdown_html_and_json_and_stay_private() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let (_, pm) = app
        .post(
            As::User("admin"),
            &format!("/api/v1/incidents/{}/postmortem", seed.private),
            json!({"sections": {"summary": "Keys were written to <b>logs</b>."}}),
        )
        .await;
    let path = format!("/api/v1/postmortems/{}/export", pm["id"].as_str().unwrap());
    let response = app.send(RESPONDER, Method::GET, &format!("{path}?format=md"), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/markdown"));
    let markdown = response.text().await.unwrap();
    assert!(markdown.starts_with("---\n"), "front matter first");
    assert!(markdown.contains("Credential leak in logs"));
    let html = app.send(RESPONDER, Method::GET, &format!("{path}?format=html"), None).await.text().await.unwrap();
    assert!(html.contains("<html") && !html.contains("<b>logs</b>"), "user text is sanitised or escaped");
    let (status, json) = app.get(RESPONDER, &format!("{path}?format=json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["incident"]["handle"], seed.private);
    let (status, _) = app.get(OUTSIDER, &format!("{path}?format=md")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get(RESPONDER, &format!("{path}?format=docx")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_exported_document_imports_as_a_new_incident_and_a_bad_one_leaves_nothing() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let (_, pm) = app
        .post(
            EDITOR,
            &format!("/api/v1/incidents/{}/postmortem", seed.public),
            json!({"sections": {"summary": "The pool ran dry.", "root_cause": {"component": "db-pool"}}}),
        )
        .await;
    let export = format!("/api/v1/postmortems/{}/export?format=md", pm["id"].as_str().unwrap());
    let markdown = app.send(VIEWER, Method::GET, &export, None).await.text().await.unwrap();
    let import = |who: As, body: Vec<u8>| {
        let request = app.request(who, Method::POST, "/api/v1/postmortems/import");
        async move { read(request.header(header::CONTENT_TYPE, "text/markdown").body(body).send().await.unwrap()).await }
    };
    let (status, _) = import(VIEWER, markdown.clone().into_bytes()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, imported) = import(EDITOR, markdown.clone().into_bytes()).await;
    assert_eq!(status, StatusCode::CREATED, "{imported}");
    let handle = imported["incident"]["handle"].as_str().unwrap();
    assert_ne!(handle, seed.public, "a new incident of this server");
    assert_eq!(imported["postmortem"]["sections"]["root_cause"]["component"], "db-pool");
    let (status, copy) = app.get(VIEWER, &format!("/api/v1/incidents/{handle}/postmortem")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(copy["sections"]["summary"], "The pool ran dry.");
    let (_, before) = app.get(ADMIN, "/api/v1/incidents").await;
    let broken = markdown.replacen("severity: \"", "severity: \"SEV9", 1);
    let (status, refused) = import(EDITOR, broken.into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused["errors"][0]["field"].as_str().unwrap().starts_with("line "), "{refused}");
    let (status, refused) = import(EDITOR, vec![b'-', 0xff, 0xfe]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    let (_, after) = app.get(ADMIN, "/api/v1/incidents").await;
    assert_eq!(after["items"].as_array().unwrap().len(), before["items"].as_array().unwrap().len());
}

#[tokio::test]
async fn metrics_across_incidents_are_medians_and_percentiles_of_what_the_viewer_sees() {
    let app = spawn_app().await;
    app.seed().await;
    for (title, detected) in [("A", "2026-11-20T10:02:00Z"), ("B", "2026-11-20T10:10:00Z")] {
        let (status, _) = app
            .post(EDITOR, "/api/v1/incidents", json!({"title": title, "severity": "SEV3", "started_at": "2026-11-20T10:00:00Z", "detected_at": detected}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, report) = app.get(OUTSIDER, "/api/v1/metrics").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["incidents"], 3, "the private incident is not counted for an outsider");
    assert_eq!(report["time_to_detect_s"]["count"], 3);
    assert_eq!(report["time_to_detect_s"]["p50"], 240);
    assert_eq!(report["time_to_detect_s"]["max"], 600);
    let (_, admin_report) = app.get(ADMIN, "/api/v1/metrics").await;
    assert_eq!(admin_report["incidents"], 4);
    let (_, filtered) = app.get(OUTSIDER, "/api/v1/metrics?severity=SEV2&service=checkout").await;
    assert_eq!(filtered["incidents"], 1);
}

#[tokio::test]
async fn account_changes_are_chained_audit_events_that_only_admins_read() {
    let app = spawn_app().await;
    let (status, _) = app.post(ADMIN, "/api/v1/teams", json!({"slug": "payments", "name": "Payments"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app.post(ADMIN, "/api/v1/services", json!({"slug": "checkout", "name": "Checkout"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, events) = app.get(ADMIN, "/api/v1/audit/events?limit=10").await;
    assert_eq!(status, StatusCode::OK);
    let listed: Vec<(&str, &str, &str)> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap(), e["subject"].as_str().unwrap()))
        .collect();
    // Newest first; before them, the test accounts and tokens made when the server started.
    assert_eq!(listed[..2], [("admin", "created service", "checkout"), ("admin", "created team", "payments")]);
    assert_eq!(listed[2], ("test", "created API token", "responder"));
    assert_eq!(events[0]["prev_hash"], events[1]["hash"]);
    let (status, report) = app.get(ADMIN, "/api/v1/audit/verify").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["broken"], json!([]));
    assert_eq!(report["audit_events_head"]["version"], events[0]["id"]);
    for who in [EDITOR, VIEWER] {
        assert_eq!(app.get(who, "/api/v1/audit/events").await.0, StatusCode::FORBIDDEN);
        assert_eq!(app.get(who, "/api/v1/audit/verify").await.0, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.get(As::Nobody, "/api/v1/audit/verify").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn deleting_an_incident_and_its_history_is_an_audit_event() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let path = format!("/api/v1/incidents/{}", seed.public);
    let response = app.send(ADMIN, Method::DELETE, &path, None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, events) = app.get(ADMIN, "/api/v1/audit/events?limit=1").await;
    assert_eq!(events[0]["action"], "deleted incident with its history");
    assert_eq!(events[0]["subject"], seed.public.as_str());
    let (_, report) = app.get(ADMIN, "/api/v1/audit/verify").await;
    assert_eq!(report["broken"], json!([]));
}

#[tokio::test]
async fn an_action_item_created_without_a_due_date_is_due_by_its_priority() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let path = format!("/api/v1/incidents/{}/action-items", seed.public);
    let rules = hindsight_core::deadlines::DeadlineRules::default();
    let today = time::OffsetDateTime::now_utc().date();
    for (priority, expected) in [
        ("p1", rules.action_item_due(today, hindsight_core::Priority::P1)),
        ("p2", rules.action_item_due(today, hindsight_core::Priority::P2)),
        ("p4", None),
    ] {
        let item = json!({"title": format!("Fix {priority}"), "kind": "fix_root_cause", "priority": priority});
        let (status, item) = app.post(As::User("editor"), &path, item).await;
        assert_eq!(status, StatusCode::CREATED, "{item}");
        assert_eq!(item["due_date"], json!(expected.map(|d| d.to_string())), "{priority}");
    }
    // A due date given is kept.
    let item = json!({"title": "Dated", "kind": "fix_root_cause", "priority": "p1", "due_date": "2027-03-01"});
    let (_, item) = app.post(As::User("editor"), &path, item).await;
    assert_eq!(item["due_date"], "2027-03-01");
}
