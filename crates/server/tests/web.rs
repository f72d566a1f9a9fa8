//! The web pages over HTTP: signing in with the form, what each person sees.

mod common;

use common::{PASSWORD, TestApp, spawn_app};
use reqwest::{StatusCode, header, redirect};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(redirect::Policy::none()).build().unwrap()
}

/// Signs in through the form and answers the session cookie.
async fn sign_in(app: &TestApp, username: &str) -> String {
    let response = no_redirects()
        .post(app.url("/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("username", username), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    let response = no_redirects().get(app.url(path)).header(header::COOKIE, cookie).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn pages_send_strangers_to_the_sign_in_form() {
    let app = spawn_app().await;
    let response = no_redirects().get(app.url("/incidents/INC-1?x=1")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/login?next=/incidents/INC-1%3Fx%3D1");
    let login = reqwest::get(app.url("/login")).await.unwrap().text().await.unwrap();
    assert!(login.contains("<label for=\"password\">"));
}

#[tokio::test]
async fn wrong_password_shows_the_form_again_with_an_error() {
    let app = spawn_app().await;
    let response = no_redirects()
        .post(app.url("/login"))
        .form(&[("username", "viewer"), ("password", "not it at all")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body = response.text().await.unwrap();
    assert!(body.contains("Wrong username or password."));
    assert!(body.contains("value=\"viewer\""));
}

#[tokio::test]
async fn sign_in_leads_only_to_local_pages() {
    let app = spawn_app().await;
    let response = no_redirects()
        .post(app.url("/login"))
        .form(&[("username", "viewer"), ("password", PASSWORD), ("next", "//evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn incident_list_and_page_show_what_the_viewer_may_see() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let outsider = sign_in(&app, "outsider").await;
    let (status, list) = page(&app, &outsider, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Checkout returns 502"));
    assert!(!list.contains("Credential leak"));
    let (status, _) = page(&app, &outsider, &format!("/incidents/{}", seed.private)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let responder = sign_in(&app, "responder").await;
    let (status, body) = page(&app, &responder, &format!("/incidents/{}", seed.private)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Credential leak in logs"));
    let (status, body) = page(&app, &outsider, &format!("/incidents/{}", seed.public)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Time to detect"));
    assert!(body.contains("Post-mortem: required"), "the SEV2 incident needs one");
    assert!(body.contains("4m"), "time to detect from 10:00 to 10:04");
    let (_, filtered) = page(&app, &outsider, "/?severity=SEV1").await;
    assert!(!filtered.contains("Checkout returns 502"));
}

#[tokio::test]
async fn user_text_is_escaped_in_pages() {
    let app = spawn_app().await;
    let (status, _) = app
        .post(
            common::As::User("editor"),
            "/api/v1/incidents",
            serde_json::json!({"title": "<script>alert(1)</script>", "severity": "SEV3"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let cookie = sign_in(&app, "viewer").await;
    let (_, list) = page(&app, &cookie, "/").await;
    assert!(!list.contains("<script>alert(1)</script>"));
    assert!(list.contains("&#60;script&#62;") || list.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn sign_out_needs_the_pages_csrf_token() {
    let app = spawn_app().await;
    let cookie = sign_in(&app, "viewer").await;
    let forged = no_redirects()
        .post(app.url("/logout"))
        .header(header::COOKIE, &cookie)
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let (_, home) = page(&app, &cookie, "/").await;
    let token = home.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let out = no_redirects()
        .post(app.url("/logout"))
        .header(header::COOKIE, &cookie)
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let (status, _) = page(&app, &cookie, "/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
