//! The admin pages and "Your API tokens" over HTTP: what an admin sees and changes,
//! what everyone else is refused, and that settings changed here are the ones in force.

use crate::common;

use common::{
    As, PASSWORD, TestApp, no_redirects, page, post_form, send_form, sign_in, spawn_app, spawn_on, spawn_with,
    try_sign_in,
};
use hindsight_app::WebhookSettings;
use hindsight_server::api::imports::hmac_hex;
use hindsight_server::{AppState, Settings};
use hindsight_store::test_support::{postgres_store, sqlite_store};
use reqwest::StatusCode;
use serde_json::json;

const ADMIN_PAGES: [&str; 8] = [
    "/admin",
    "/admin/users",
    "/admin/teams",
    "/admin/tokens",
    "/admin/policy",
    "/admin/webhooks",
    "/admin/deliveries",
    "/admin/trackers",
];

#[tokio::test]
async fn admin_pages_are_for_admins_only() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin").await;
    let editor = sign_in(&app, "editor").await;
    for path in ADMIN_PAGES {
        let (status, body) = page(&app, &admin, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(body.contains("<h1>"), "{path}");
        let (status, _) = page(&app, &editor, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "an editor opened {path}");
    }
    let response = no_redirects().get(app.url("/admin/users")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "strangers are sent to sign in");
    let viewer = sign_in(&app, "viewer").await;
    let attempts: [(&str, &[(&str, &str)]); 10] = [
        ("/admin/users", &[("username", "mallory"), ("display_name", "M"), ("role", "admin"), ("password", PASSWORD)]),
        ("/admin/users/viewer/role", &[("role", "admin")]),
        ("/admin/users/admin/password", &[("password", "taken over by a viewer")]),
        ("/admin/users/admin/disabled", &[("disabled", "true")]),
        ("/admin/teams", &[("slug", "rogue"), ("name", "Rogue")]),
        ("/admin/policy", &[("prolonged_minutes", "5")]),
        ("/admin/webhooks/github", &[("secret", "a-secret-the-viewer-chose")]),
        ("/admin/webhooks/github/clear", &[]),
        ("/admin/deliveries/destinations", &[("name", "leak"), ("kind", "webhook"), ("url", "https://evil.example/x")]),
        ("/admin/trackers", &[("name", "leak"), ("kind", "github"), ("project", "evil/repo"), ("token", "ghp_x")]),
    ];
    for (path, fields) in attempts {
        let (status, _, _) = post_form(&app, &viewer, path, fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a viewer changed {path}");
    }
    let (_, users) = app.get(As::User("admin"), "/api/v1/users").await;
    assert!(!users.to_string().contains("mallory"));
    let (_, me) = app.get(As::User("admin"), "/api/v1/users/viewer").await;
    assert_eq!(me["role"], "viewer");
    assert!(app.store.stored_settings().await.unwrap().is_empty(), "no setting was stored");
}

#[tokio::test]
async fn forms_without_the_session_token_are_refused() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin").await;
    let fields = [("username", "ana"), ("display_name", "Ana"), ("role", "editor"), ("password", PASSWORD)];
    let mut forged = vec![("csrf_token", "forged")];
    forged.extend_from_slice(&fields);
    let (status, _, body) = send_form(&app, &admin, "/admin/users", &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("cross-site request refused"), "{body}");
    let (status, _, _) = send_form(&app, &admin, "/admin/users", &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a missing token is refused too");
    let (status, _, _) = send_form(&app, &admin, "/settings/tokens", &[("name", "sneaky")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get(As::User("admin"), "/api/v1/users/ana").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admin_adds_a_user_who_can_then_sign_in() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin").await;
    let fields = [
        ("username", "ana"),
        ("display_name", "Ana Silva"),
        ("email", "ana@example.com"),
        ("role", "editor"),
        ("password", "ana's initial password"),
    ];
    let (status, location, _) = post_form(&app, &admin, "/admin/users", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/admin/users?notice="), "{location}");
    let (_, list) = page(&app, &admin, &location).await;
    assert!(list.contains("Added ana as editor."), "the notice is shown");
    assert!(list.contains("Ana Silva") && list.contains("ana@example.com"));
    let (_, user) = app.get(As::User("admin"), "/api/v1/users/ana").await;
    assert_eq!(user["role"], "editor");
    assert!(try_sign_in(&app, "ana", "ana's initial password").await.is_some(), "the password was hashed and kept");
}

#[tokio::test]
async fn refused_user_form_keeps_input_and_says_what_was_wrong() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin").await;
    let fields = [
        ("username", "Not A Username!"),
        ("display_name", "Kept Display Name"),
        ("email", "kept@example.com"),
        ("role", "editor"),
        ("password", "short"),
    ];
    let (status, _, body) = post_form(&app, &admin, "/admin/users", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("value=\"Not A Username!\""), "typed username kept");
    assert!(body.contains("value=\"Kept Display Name\"") && body.contains("value=\"kept@example.com\""));
    assert!(body.contains("<option value=\"editor\" selected>"), "chosen role kept");
    assert!(body.contains("Username: must be 1-64 of a-z"), "{body}");
    assert!(body.contains("Password: must be 12 to 1024 characters"), "every error at once: {body}");
    assert!(!body.contains("value=\"short\""), "a password is never sent back");
    let (status, _, body) = post_form(
        &app,
        &admin,
        "/admin/users",
        &[("username", "editor"), ("display_name", "Dup"), ("role", "viewer"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("is already taken"), "{body}");
    let (status, _, body) =
        post_form(&app, &admin, "/admin/users", &[("username", "nopass"), ("display_name", "No"), ("role", "viewer")])
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Initial password: required"));
}

#[tokio::test]
async fn admin_changes_a_role_sets_a_password_and_disables_an_account() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin").await;
    let (status, location, _) = post_form(&app, &admin, "/admin/users/viewer/role", &[("role", "editor")]).await;
    assert_eq!((status, location.contains("viewer%20is%20now%20editor")), (StatusCode::SEE_OTHER, true), "{location}");
    let (_, user) = app.get(As::User("admin"), "/api/v1/users/viewer").await;
    assert_eq!(user["role"], "editor");

    let (status, _, body) = post_form(&app, &admin, "/admin/users/viewer/password", &[("password", "tiny")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Password: must be 12 to 1024 characters"));
    assert!(body.contains("<details class=\"manage\" open>"), "the refused user's forms stay open");
    let (status, _, _) =
        post_form(&app, &admin, "/admin/users/viewer/password", &[("password", "a brand new password")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(try_sign_in(&app, "viewer", PASSWORD).await.is_none(), "the old password no longer works");
    let viewer = try_sign_in(&app, "viewer", "a brand new password").await.expect("the new password works");

    let (status, _, _) = post_form(&app, &admin, "/admin/users/viewer/disabled", &[("disabled", "true")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = page(&app, &viewer, "/incidents").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "a disabled user's session ends");
    assert!(try_sign_in(&app, "viewer", "a brand new password").await.is_none());
    let (_, list) = page(&app, &admin, "/admin/users").await;
    assert!(list.contains("Enable viewer"));
    let (status, _, _) = post_form(&app, &admin, "/admin/users/viewer/disabled", &[("disabled", "false")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(try_sign_in(&app, "viewer", "a brand new password").await.is_some());
}

#[tokio::test]
async fn an_admin_changing_their_own_password_on_the_page_gives_the_current_one() {
    let app = spawn_app().await;
    let here = sign_in(&app, "admin").await;
    let elsewhere = sign_in(&app, "admin").await;
    let viewer = sign_in(&app, "viewer").await;
    let (_, list) = page(&app, &here, "/admin/users").await;
    assert!(list.contains("name=\"current_password\""), "the own row asks for the current password");
    let new_password = "a brand new password";
    let (status, _, body) = post_form(&app, &here, "/admin/users/admin/password", &[("password", new_password)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Current password"), "{body}");
    let fields = [("password", new_password), ("current_password", PASSWORD)];
    let (status, _, _) = post_form(&app, &here, "/admin/users/admin/password", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(page(&app, &here, "/admin/users").await.0, StatusCode::OK);
    assert_eq!(page(&app, &elsewhere, "/admin/users").await.0, StatusCode::SEE_OTHER, "other sessions end");
    // Another person's password needs no current one, and ends their sessions.
    let (status, _, _) = post_form(&app, &here, "/admin/users/viewer/password", &[("password", new_password)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(page(&app, &viewer, "/incidents").await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn admins_cannot_demote_or_disable_themselves() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin").await;
    let (status, _, body) = post_form(&app, &admin, "/admin/users/admin/role", &[("role", "viewer")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("ask another admin"), "{body}");
    let (status, _, _) = post_form(&app, &admin, "/admin/users/admin/disabled", &[("disabled", "true")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, me) = app.get(As::User("admin"), "/api/v1/users/admin").await;
    assert_eq!((me["role"].as_str(), me["disabled"].as_bool()), (Some("admin"), Some(false)));
}

#[tokio::test]
async fn admin_manages_teams_members_and_services() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin").await;
    let (status, _, _) = post_form(&app, &admin, "/admin/teams", &[("slug", "payments"), ("name", "Payments")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, body) =
        post_form(&app, &admin, "/admin/teams", &[("slug", "payments"), ("name", "Second Payments")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a taken slug is refused");
    assert!(body.contains("value=\"Second Payments\""), "typed name kept");
    let (status, _, body) = post_form(&app, &admin, "/admin/teams", &[("slug", "Bad Slug"), ("name", "X")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Slug: must be"), "{body}");

    let (status, _, _) = post_form(&app, &admin, "/admin/teams/payments/members", &[("username", "editor")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    post_form(&app, &admin, "/admin/teams/payments/members", &[("username", "viewer")]).await;
    let (_, team) = app.get(As::User("admin"), "/api/v1/teams/payments").await;
    assert_eq!(team["members"], json!(["editor", "viewer"]));
    let (_, body) = page(&app, &admin, "/admin/teams").await;
    assert!(body.contains("Remove editor from Payments"));
    let (status, _, _) =
        post_form(&app, &admin, "/admin/teams/payments/members/remove", &[("username", "editor")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, team) = app.get(As::User("admin"), "/api/v1/teams/payments").await;
    assert_eq!(team["members"], json!(["viewer"]));
    let (status, _, _) = post_form(&app, &admin, "/admin/teams/nowhere/members", &[("username", "editor")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let fields = [("slug", "checkout"), ("name", "Checkout"), ("owner_team", "payments")];
    let (status, _, _) = post_form(&app, &admin, "/admin/services", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, service) = app.get(As::User("admin"), "/api/v1/services/checkout").await;
    assert_eq!(service["owner_team"], "payments");
    let fields = [("slug", "search"), ("name", "Search"), ("owner_team", "ghosts")];
    let (status, _, body) = post_form(&app, &admin, "/admin/services", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("no team named") && body.contains("value=\"search\""), "{body}");
}

#[tokio::test]
async fn everyone_creates_and_revokes_their_own_tokens() {
    let app = spawn_app().await;
    let editor = sign_in(&app, "editor").await;
    let (status, _, body) = post_form(&app, &editor, "/settings/tokens", &[("name", "CI import job")]).await;
    assert_eq!(status, StatusCode::CREATED);
    let start = body.find("value=\"hs_").expect("the secret is shown once") + 7;
    let secret = body[start..start + body[start..].find('"').unwrap()].to_string();
    assert!(body.contains("Copy it now"));
    let works = |secret: String| {
        let app = &app;
        async move { app.client.get(app.url("/api/v1/incidents")).bearer_auth(secret).send().await.unwrap().status() }
    };
    assert_eq!(works(secret.clone()).await, StatusCode::OK);
    let (_, list) = page(&app, &editor, "/settings/tokens").await;
    assert!(list.contains("CI import job") && !list.contains(&secret), "listed, secret not shown again");
    let tokens = app.store.list_tokens("editor").await.unwrap();
    let id = tokens.iter().find(|t| t.name == "CI import job").unwrap().id.clone();

    let viewer = sign_in(&app, "viewer").await;
    let (status, _, _) = post_form(&app, &viewer, &format!("/settings/tokens/{id}/revoke"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not theirs");
    let (status, _, _) = post_form(&app, &viewer, &format!("/admin/tokens/{id}/revoke"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(works(secret.clone()).await, StatusCode::OK);

    let (status, location, _) = post_form(&app, &editor, &format!("/settings/tokens/{id}/revoke"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/settings/tokens?notice=Revoked"), "{location}");
    assert_eq!(works(secret).await, StatusCode::UNAUTHORIZED);

    let (status, _, body) = post_form(&app, &editor, "/settings/tokens", &[("name", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("Name:"), "{body}");
}

#[tokio::test]
async fn admins_see_every_token_and_revoke_any() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin").await;
    let (status, body) = page(&app, &admin, "/admin/tokens").await;
    assert_eq!(status, StatusCode::OK);
    for owner in ["admin", "editor", "viewer", "outsider", "responder"] {
        assert!(body.contains(&format!("Revoke {owner}’s token test")), "{owner}'s token listed");
    }
    let id = app.store.list_tokens("outsider").await.unwrap()[0].id.clone();
    let (status, _, _) = post_form(&app, &admin, &format!("/admin/tokens/{id}/revoke"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = app.get(As::User("outsider"), "/api/v1/incidents").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, body) = page(&app, &admin, "/admin/tokens").await;
    assert!(!body.contains("Revoke outsider’s token test") && body.contains("revoked "));
}

#[tokio::test]
async fn policy_set_by_an_admin_is_the_policy_in_force_everywhere() {
    policy_in_force(spawn_app().await).await;
}

#[tokio::test]
async fn policy_set_by_an_admin_is_in_force_on_postgres() {
    let Some(store) = postgres_store().await else { return };
    policy_in_force(spawn_on(store).await).await;
}

async fn policy_in_force(app: TestApp) {
    let seed = app.seed().await;
    let admin = sign_in(&app, "admin").await;
    let criteria = |report: serde_json::Value| -> Vec<String> {
        report["decision"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["criterion"].as_str().unwrap().into())
            .collect()
    };
    let policy_path = format!("/api/v1/incidents/{}/policy", seed.public);
    let (_, report) = app.get(As::User("viewer"), &policy_path).await;
    assert!(criteria(report).contains(&"severity".to_string()), "a SEV2 requires a post-mortem by default");

    let fields = [
        ("severity_at_or_above", "SEV1"),
        ("prolonged_minutes", "45"),
        ("late_detection_minutes", "15"),
        ("architecture_wide_min_services", "3"),
        ("shared_platform_services", "checkout, search"),
    ];
    let (status, location, _) = post_form(&app, &admin, "/admin/policy", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, body) = page(&app, &admin, &location).await;
    assert!(body.contains("severity_at_or_above, prolonged_minutes, shared_platform_services changed"), "{body}");
    assert!(body.contains("value=\"45\"") && body.contains("<option value=\"SEV1\" selected>"));
    assert!(body.contains("set here by admin"));
    assert!(body.contains("Reset to configured value"));

    let (_, report) = app.get(As::User("viewer"), &policy_path).await;
    let now = criteria(report);
    assert!(!now.contains(&"severity".to_string()), "SEV1 only now: {now:?}");
    assert!(now.contains(&"architecture_wide".to_string()), "checkout is now a shared platform service: {now:?}");

    // Another server process over the same database reads the same policy.
    let other = AppState::new(app.store.clone(), Settings::default());
    let effective = other.rules_in_force().await.unwrap();
    assert_eq!(effective.policy.prolonged_minutes, 45);
    assert_eq!(effective.policy.shared_platform_services, ["checkout", "search"]);
    assert_eq!(effective.policy.late_detection_minutes, 15);
    let stored: Vec<String> = app.store.stored_settings().await.unwrap().into_iter().map(|s| s.key).collect();
    assert!(
        !stored.contains(&"policy.late_detection_minutes".to_string()),
        "values equal to the configured ones are not stored"
    );

    let (status, _, _) = post_form(&app, &admin, "/admin/policy/reset", &[("reset", "severity_at_or_above")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, report) = app.get(As::User("viewer"), &policy_path).await;
    assert!(criteria(report).contains(&"severity".to_string()), "back to the configured SEV2");
    let (status, _, _) = post_form(&app, &admin, "/admin/policy/reset", &[("reset", "no_such_threshold")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn refused_policy_keeps_what_was_typed_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin").await;
    let fields = [
        ("severity_at_or_above", "SEV3"),
        ("prolonged_minutes", "0"),
        ("late_detection_minutes", "soon"),
        ("architecture_wide_min_services", "4"),
        ("shared_platform_services", "Core DB"),
    ];
    let (status, _, body) = post_form(&app, &admin, "/admin/policy", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("is not a whole number from 1 to 10080"), "{body}");
    assert!(body.contains("Late detection, in minutes:") && body.contains("is not a whole number from 0 to 1440"));
    assert!(body.contains("Core") && body.contains("is not a service slug"));
    assert!(body.contains("value=\"soon\"") && body.contains("value=\"4\"") && body.contains("value=\"Core DB\""));
    assert!(body.contains("<option value=\"SEV3\" selected>"));
    assert!(app.store.stored_settings().await.unwrap().is_empty());
}

fn pagerduty_event() -> String {
    json!({"event": {
        "id": "01F0", "event_type": "incident.triggered", "resource_type": "incident",
        "occurred_at": "2026-11-20T10:01:00Z",
        "agent": {"id": "PLH1HKV", "type": "user_reference", "summary": "Ana Silva"},
        "data": {
            "id": "Q2LF6PHM1K0AR4", "type": "incident", "number": 812, "status": "triggered",
            "title": "Checkout error rate above 5%", "urgency": "high",
            "service": {"id": "PSV1CHK", "type": "service_reference", "summary": "checkout-api"}
        }
    }})
    .to_string()
}

async fn pagerduty(app: &TestApp, secret: &str) -> StatusCode {
    let body = pagerduty_event();
    let signature = format!("v1={}", hmac_hex(secret, body.as_bytes()));
    app.client
        .post(app.url("/api/v1/webhooks/pagerduty"))
        .header("content-type", "application/json")
        .header("x-pagerduty-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

fn configured_pagerduty() -> WebhookSettings {
    WebhookSettings { pagerduty_secret: Some("configured-pd-secret".into()), ..Default::default() }
}

#[tokio::test]
async fn webhook_secrets_set_here_are_checked_and_never_shown() {
    webhook_secrets(spawn_with(sqlite_store().await, configured_pagerduty()).await).await;
}

#[tokio::test]
async fn webhook_secrets_set_here_are_checked_on_postgres() {
    let Some(store) = postgres_store().await else { return };
    webhook_secrets(spawn_with(store, configured_pagerduty()).await).await;
}

async fn webhook_secrets(app: TestApp) {
    let admin = sign_in(&app, "admin").await;
    let (_, body) = page(&app, &admin, "/admin/webhooks").await;
    assert!(body.contains("on · configured") && body.contains("In force: the secret from the configuration."));
    assert!(!body.contains("configured-pd-secret"));
    assert_eq!(pagerduty(&app, "configured-pd-secret").await, StatusCode::ACCEPTED);

    let (status, _, body) = post_form(&app, &admin, "/admin/webhooks/pagerduty", &[("secret", "too short")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Secret: must be 16 to 512 characters"), "{body}");

    let rotated = "rotated-pd-secret-0123456789";
    let (status, _, _) = post_form(&app, &admin, "/admin/webhooks/pagerduty", &[("secret", rotated)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(pagerduty(&app, "configured-pd-secret").await, StatusCode::FORBIDDEN, "the old secret stops working");
    assert_eq!(pagerduty(&app, rotated).await, StatusCode::ACCEPTED);
    let (_, body) = page(&app, &admin, "/admin/webhooks").await;
    assert!(body.contains("on · set here") && body.contains("set here by admin"));
    assert!(!body.contains(rotated), "a stored secret is never shown");

    let github = "github-secret-from-the-page";
    post_form(&app, &admin, "/admin/webhooks/github", &[("secret", github)]).await;
    let stored = app.store.stored_settings().await.unwrap();
    assert!(
        stored.iter().all(|s| !s.value.contains(github) && !s.value.contains(rotated)),
        "sealed at rest: {stored:?}"
    );
    let rules = hindsight_app::Rules { secret_key: app.secret_key.clone(), ..Default::default() };
    let effective =
        AppState::new(app.store.clone(), Settings { rules, ..Settings::default() }).webhooks_in_force().await.unwrap();
    assert_eq!(effective.github_secret.as_deref(), Some(github), "other processes with the key see it");
    let keyless = AppState::new(app.store.clone(), Settings::default()).webhooks_in_force().await.unwrap();
    assert_eq!(keyless.github_secret, None, "without the key nobody reads it");

    let (status, location, _) = post_form(&app, &admin, "/admin/webhooks/pagerduty/clear", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("configured%20one%20is%20in%20force%20again"), "{location}");
    assert_eq!(pagerduty(&app, "configured-pd-secret").await, StatusCode::ACCEPTED);
    assert_eq!(pagerduty(&app, rotated).await, StatusCode::FORBIDDEN);
    let (status, _, _) = post_form(&app, &admin, "/admin/webhooks/nagios", &[("secret", rotated)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_admin_adds_destinations_sees_a_webhooks_secret_once_and_retries_what_failed() {
    let app = spawn_app().await;
    let admin = sign_in(&app, "admin").await;
    let slack =
        [("name", "#incidents"), ("kind", "slack"), ("url", "https://hooks.slack.test/services/T/B/x"), ("team", "")];
    let (status, location, _) = post_form(&app, &admin, "/admin/deliveries/destinations", &slack).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("Added"), "{location}");
    let hook = [
        ("name", "ticketing"),
        ("kind", "webhook"),
        ("url", "https://tickets.test/hook"),
        ("team", ""),
        ("events", "postmortem_published"),
        ("events", "incident_declared"),
    ];
    let (status, _, body) = post_form(&app, &admin, "/admin/deliveries/destinations", &hook).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Signing secret of ticketing") && body.contains("whsec_"), "{body}");
    let (_, body) = page(&app, &admin, "/admin/deliveries").await;
    assert!(!body.contains("whsec_"), "the secret is shown once");
    assert!(!body.contains("tickets.test"), "the address is never shown");
    assert!(body.contains("postmortem published, incident declared"), "{body}");
    // A bad address is refused beside the form, which keeps the name typed.
    let bad = [("name", "broken"), ("kind", "teams"), ("url", "teams.test/x"), ("team", "")];
    let (status, _, body) = post_form(&app, &admin, "/admin/deliveries/destinations", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Url: must be an address") && body.contains("value=\"broken\""), "{body}");
    // Removing.
    let destinations = app.store.destinations().await.unwrap();
    let path = format!("/admin/deliveries/destinations/{}/remove", destinations[0].id);
    let (status, _, _) = post_form(&app, &admin, &path, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.destinations().await.unwrap().len(), 1);
    // Nothing failed: retrying a delivery that is not given up is not found.
    let (status, _, _) = post_form(&app, &admin, "/admin/deliveries/999/retry", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_person_chooses_what_they_get_by_email_on_their_inbox() {
    let app = spawn_app().await;
    let editor = sign_in(&app, "editor").await;
    let (status, body) = page(&app, &editor, "/inbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("By email") && body.contains("value=\"mentioned\" checked"), "{body}");
    let wanted = [("digest", "on"), ("wanted", "mentioned"), ("wanted", "review_requested")];
    let (status, _, _) = post_form(&app, &editor, "/inbox/email", &wanted).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, preferences) = app.get(As::User("editor"), "/api/v1/me/email").await;
    assert_eq!(preferences["digest"], true);
    let muted = preferences["muted"].as_array().unwrap();
    assert_eq!(muted.len(), hindsight_core::NotificationKind::ALL.len() - 2);
    assert!(!muted.contains(&json!("mentioned")));
    let (_, body) = page(&app, &editor, "/inbox").await;
    assert!(body.contains("value=\"commented\">") && body.contains("name=\"digest\" checked"), "{body}");
}

#[tokio::test]
async fn approvals_and_reader_teams_set_here_are_the_ones_in_force() {
    let app = spawn_app().await;
    app.seed().await;
    let admin = sign_in(&app, "admin").await;
    let (status, body) = page(&app, &admin, "/admin/policy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<h2>Review</h2>") && body.contains("<h2>Readers</h2>"), "{body}");
    let bad = [("teams_sev4", "Payments Team")];
    let (status, _, body) = post_form(&app, &admin, "/admin/policy", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("is not a team slug"), "{body}");
    let fields = [("approvals_sev4", "1"), ("teams_sev4", "payments")];
    let (status, location, _) = post_form(&app, &admin, "/admin/policy", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, body) = page(&app, &admin, &location).await;
    assert!(body.contains("approvals_sev4, teams_sev4 changed"), "{body}");

    // A SEV4 post-mortem now needs an approval, and the payments team is asked to read it.
    let (_, incident) =
        app.post(As::User("admin"), "/api/v1/incidents", json!({"title": "Slow search", "severity": "SEV4"})).await;
    let path = format!("/api/v1/incidents/{}/postmortem", incident["handle"].as_str().unwrap());
    let (_, pm) = app.post(As::User("admin"), &path, json!({})).await;
    let id = pm["id"].as_str().unwrap();
    let (_, review) = app.get(As::User("admin"), &format!("/api/v1/postmortems/{id}/review")).await;
    assert_eq!(review["approvals_needed"], 1, "{review}");
    let (_, readers) = app.get(As::User("admin"), &format!("/api/v1/postmortems/{id}/readers")).await;
    assert_eq!(readers["teams"], json!(["payments"]), "{readers}");
    // Back to the configured value: no override is kept.
    let fields = [("approvals_sev4", "0"), ("teams_sev4", "")];
    post_form(&app, &admin, "/admin/policy", &fields).await;
    assert!(app.store.stored_settings().await.unwrap().is_empty());
}
