//! The web pages over HTTP: signing in with the form, what each person sees.

use crate::common;

use common::{PASSWORD, csrf_token, no_redirects, page, sign_in, spawn_app};
use reqwest::{StatusCode, header};

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
async fn oversized_sign_in_form_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let huge = "u".repeat(50_000);
    let response = no_redirects()
        .post(app.url("/login"))
        .form(&[("username", huge.as_str()), ("password", "not it at all")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(body.contains("username: at most 64 characters"), "{}", &body[..body.len().min(2000)]);
    assert!(!body.contains(&huge), "the oversized name is not shown back");
}

#[tokio::test]
async fn sign_in_leads_only_to_local_pages() {
    let app = spawn_app().await;
    let off_site = [
        "//evil.example/",
        "/\t/127.0.0.1:18199/pwned",
        "/\\evil.example",
        "/\\/evil.example",
        "https://evil.example/",
        "evil.example",
        "/\r\nSet-Cookie: a=b",
        "/%0d%0a",
        "/ /evil.example",
        "/\u{0}x",
        "",
    ];
    for next in off_site {
        let response = no_redirects()
            .post(app.url("/login"))
            .form(&[("username", "viewer"), ("password", PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        let expected = if next == "/%0d%0a" { next } else { "/" };
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "next {next:?}");
        assert_eq!(response.headers()[header::LOCATION], expected, "next {next:?}");
    }
    let response = no_redirects()
        .post(app.url("/login"))
        .form(&[("username", "viewer"), ("password", PASSWORD), ("next", "/incidents/INC-1?x=1")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[header::LOCATION], "/incidents/INC-1?x=1");
    // The form carries only a local `next` on to the sign-in.
    for query in [
        "next=%2F%09%2F127.0.0.1%3A18199%2Fpwned",
        "next=%2F%0A",
        "next=%2F%0d%0a",
        "next=%2F%5Cevil",
        "next=%2F%2Fevil",
    ] {
        let response = no_redirects().get(app.url(&format!("/login?{query}"))).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        let body = response.text().await.unwrap();
        assert!(body.contains("name=\"next\" value=\"/\""), "{query}: {body}");
    }
}

#[tokio::test]
async fn incident_list_and_page_show_what_the_viewer_may_see() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let outsider = sign_in(&app, "outsider").await;
    let (status, list) = page(&app, &outsider, "/incidents").await;
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
    let (_, list) = page(&app, &cookie, "/incidents").await;
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
    let (_, home) = page(&app, &cookie, "/incidents").await;
    let token = home.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let out = no_redirects()
        .post(app.url("/logout"))
        .header(header::COOKIE, &cookie)
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let (status, _) = page(&app, &cookie, "/incidents").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn editors_declare_an_incident_with_the_form() {
    let app = spawn_app().await;
    app.seed().await;
    let cookie = sign_in(&app, "editor").await;
    let (status, form) = page(&app, &cookie, "/incidents/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("<label for=\"title\">Title</label>"));
    let token = csrf_token(&form);
    let response = no_redirects()
        .post(app.url("/incidents/new"))
        .header(header::COOKIE, &cookie)
        .header("sec-fetch-site", "same-origin")
        .body(format!(
            "csrf_token={token}&title=Search+is+slow&severity=SEV2&detection_method=customer_report\
             &services=checkout&started_at=2026-11-20T10%3A04&description=Results+take+30+s"
        ))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert!(location.starts_with("/incidents/INC-") && location.contains("notice=Declared"), "{location}");
    let (status, incident) = page(&app, &cookie, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(incident.contains("Search is slow"));
    assert!(incident.contains("SEV2"));
    assert!(incident.contains("2026-11-20 10:04 UTC"));
    assert!(incident.contains("role=\"status\">Declared INC-"));
}

#[tokio::test]
async fn a_refused_declaration_comes_back_filled_in_with_what_was_wrong() {
    let app = spawn_app().await;
    let cookie = sign_in(&app, "editor").await;
    let (_, form) = page(&app, &cookie, "/incidents/new").await;
    let response = no_redirects()
        .post(app.url("/incidents/new"))
        .header(header::COOKIE, &cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("csrf_token", csrf_token(&form).as_str()),
            ("title", "Queue backs up"),
            ("severity", "SEV3"),
            ("detection_method", "monitoring_alert"),
            ("started_at", "last tuesday"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(body.contains("Impact started: &#34;last tuesday&#34; is not a time") || body.contains("is not a time"));
    assert!(body.contains("value=\"Queue backs up\""));
}

#[tokio::test]
async fn viewers_and_forged_forms_cannot_declare() {
    let app = spawn_app().await;
    let viewer = sign_in(&app, "viewer").await;
    let (status, body) = page(&app, &viewer, "/incidents/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("editor or admin role"));
    let editor = sign_in(&app, "editor").await;
    let forged = no_redirects()
        .post(app.url("/incidents/new"))
        .header(header::COOKIE, &editor)
        .form(&[("csrf_token", "forged"), ("title", "x"), ("severity", "SEV3")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let (_, list) = page(&app, &editor, "/incidents").await;
    assert!(!list.contains("<span class=\"handle\">INC-"), "nothing was declared");
}

#[tokio::test]
async fn unknown_addresses_get_a_styled_page_and_api_paths_a_problem() {
    let app = spawn_app().await;
    let viewer = sign_in(&app, "viewer").await;
    let response = no_redirects().get(app.url("/no/such/page")).header(header::COOKIE, &viewer).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let body = response.text().await.unwrap();
    assert!(body.contains("/assets/app.css") && body.contains("<h1>Not Found</h1>"), "{body}");
    assert!(body.contains("There is no page at /no/such/page") && body.contains("href=\"/\""), "{body}");

    let response = no_redirects().delete(app.url("/incidents")).header(header::COOKIE, &viewer).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let body = response.text().await.unwrap();
    assert!(body.contains("<h1>Method Not Allowed</h1>") && body.contains("/incidents"), "{body}");

    for (method, path, status) in [
        (reqwest::Method::GET, "/api/v1/no-such-thing", StatusCode::NOT_FOUND),
        (reqwest::Method::PUT, "/api/v1/incidents", StatusCode::METHOD_NOT_ALLOWED),
    ] {
        let response = no_redirects().request(method.clone(), app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), status, "{method} {path}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json", "{method} {path}");
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["status"], status.as_u16());
        assert!(problem["detail"].as_str().unwrap().contains(path), "{problem}");
    }
}

#[tokio::test]
async fn a_path_that_names_no_incident_handle_is_not_found_as_a_page_or_a_problem() {
    let app = spawn_app().await;
    let viewer = sign_in(&app, "viewer").await;
    for path in ["/incidents/INC-x", "/incidents/x42/postmortem", "/incidents/INC-1x/edit"] {
        let response = no_redirects().get(app.url(path)).header(header::COOKIE, &viewer).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{path}");
        let body = response.text().await.unwrap();
        assert!(body.contains("handles look like INC-42"), "{path}: {body}");
    }
    for path in ["/api/v1/incidents/INC-x", "/api/v1/incidents/x42/events/e1"] {
        let (status, problem) = app.get(common::As::User("viewer"), path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(problem["detail"].as_str().unwrap().contains("handles look like INC-42"), "{path}: {problem}");
    }
}

#[tokio::test]
async fn a_forms_address_opened_again_leads_back_to_the_form() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let editor = sign_in(&app, "editor").await;
    let path = format!("/incidents/{}", seed.public);
    for (action, form) in
        [("moments", "override-moment"), ("events", "add-event"), ("import", "import-events"), ("status", "status")]
    {
        let (status, body) = page(&app, &editor, &format!("{path}/{action}")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{action}: {body}");
        let response = no_redirects()
            .get(app.url(&format!("{path}/{action}")))
            .header(header::COOKIE, &editor)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[header::LOCATION], format!("{path}#{form}").as_str(), "{action}");
    }
    // A refused form's page opens at the form and its errors.
    let (_, body) = page(&app, &editor, &path).await;
    for (action, form) in [("moments", "override-moment"), ("events", "add-event"), ("import", "import-events")] {
        assert!(body.contains(&format!("action=\"{path}/{action}#{form}\"")), "{action}");
        assert!(body.contains(&format!("id=\"{form}\"")), "{action}");
    }
}
