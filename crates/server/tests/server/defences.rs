//! The layers every request passes and the limits on connections: security headers,
//! an oversized `Content-Length` refused at once, a panic answered with a problem,
//! clients that never finish their headers closed without taking the server down, and
//! every request counted for `/metrics`.

use crate::common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use common::{As, sign_in, spawn_app};
use hindsight_server::{AppState, ConnectionLimits, Settings};
use hindsight_store::test_support::sqlite_store;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/login", "/healthz", "/api/v1/me", "/no-such-page", "/assets/app.css"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        assert_eq!(
            headers.get("content-security-policy").and_then(|v| v.to_str().ok()),
            Some("default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
            "{path}"
        );
        assert_eq!(headers.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"), "{path}");
        assert_eq!(headers.get("referrer-policy").and_then(|v| v.to_str().ok()), Some("same-origin"), "{path}");
        assert!(headers.get("strict-transport-security").is_none(), "no HSTS over plain HTTP: {path}");
    }
}

/// Serves `routes` behind the server's own layers on a loopback port.
async fn serve_routes(routes: Router<AppState>, settings: Settings) -> SocketAddr {
    let state = AppState::new(sqlite_store().await, settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            hindsight_server::with_defences(routes, state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

#[tokio::test]
async fn https_public_url_turns_on_strict_transport_security() {
    let settings = Settings { public_url: Some("https://hindsight.example.com".into()), ..Settings::default() };
    let addr = serve_routes(Router::new().route("/", get(|| async { "ok" })), settings).await;
    let response = reqwest::get(format!("http://{addr}/")).await.unwrap();
    assert_eq!(
        response.headers().get("strict-transport-security").and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );
}

async fn panics() -> &'static str {
    panic!("an overflow, say")
}

#[tokio::test]
async fn a_panicking_handler_answers_a_500_problem_and_the_server_goes_on() {
    let routes = Router::new().route("/panic", get(panics)).route("/fine", get(|| async { "fine" }));
    let addr = serve_routes(routes, Settings::default()).await;
    let response = reqwest::get(format!("http://{addr}/panic")).await.expect("an answer, not a closed connection");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/internal");
    assert!(!problem["detail"].as_str().unwrap().contains("overflow"), "the cause stays in the log: {problem}");
    assert_eq!(reqwest::get(format!("http://{addr}/fine")).await.unwrap().status(), StatusCode::OK);
}

/// The `X-Request-Id` an answer carries.
fn request_id(response: &reqwest::Response) -> String {
    let id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert_eq!(id.len(), 32, "every answer names its request: {:?}", response.headers());
    id
}

#[tokio::test]
async fn a_failure_on_the_servers_side_names_its_request_and_keeps_the_cause_in_the_log() {
    let app = spawn_app().await;
    let cookie = sign_in(&app, "admin").await;
    let fine = app.send(As::User("admin"), Method::GET, "/api/v1/incidents", None).await;
    let (first, second) = (request_id(&fine), request_id(&app.send(As::Nobody, Method::GET, "/healthz", None).await));
    assert_ne!(first, second, "each request has an id of its own");
    let (status, problem) = app.get(As::User("admin"), "/api/v1/incidents/INC-999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(problem.get("request_id").is_none(), "only failures on the server's side name it: {problem}");

    app.store.close().await;
    let response = app.send(As::User("admin"), Method::GET, "/api/v1/incidents", None).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = request_id(&response);
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/internal");
    assert_eq!(problem["request_id"], id.as_str(), "{problem}");
    assert!(!problem.to_string().contains("closed"), "the cause stays in the log: {problem}");

    let response = app.client.get(app.url("/incidents")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = request_id(&response);
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!("<code>{id}</code>")), "the error page names the request: {html}");
    assert!(!html.contains("closed"), "the cause stays in the log: {html}");
}

/// Sends `head` raw and reads the whole answer (until the server closes).
fn raw_exchange(addr: SocketAddr, head: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buffer[..n]);
                if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            Err(e) => panic!("no answer to {head:?}: {e}"),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_body_announced_beyond_the_limit_is_refused_before_it_is_sent() {
    let app = spawn_app().await;
    let addr = app.addr;
    let token = app.tokens["editor"].clone();
    for path in
        ["/api/v1/incidents", "/api/v1/incidents/INC-1/import?format=jsonl", "/api/v1/webhooks/github", "/login"]
    {
        // Five gigabytes announced, not one byte sent: the answer comes without waiting.
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: 5000000000\r\n\r\n"
        );
        let answer = tokio::task::spawn_blocking(move || raw_exchange(addr, &head)).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
        assert!(answer.to_ascii_lowercase().contains("content-type: application/problem+json"), "{path}: {answer}");
    }
    // Within a route's own limit, the body is read as usual (and here found incomplete).
    let (status, _) = app.post(As::User("editor"), "/api/v1/incidents", serde_json::json!({"title": "x"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn clients_that_never_finish_their_headers_are_closed_and_others_are_still_served() {
    let limits = ConnectionLimits { max_connections: 64, max_connections_per_address: 8, header_timeout_seconds: 1 };
    let settings = Settings { secure_cookies: false, connections: limits, ..Settings::default() };
    let state = AppState::new(sqlite_store().await, settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(hindsight_server::serve(listener, state));

    // Twenty slow clients from another loopback address, each a few header bytes in.
    let mut slow = Vec::new();
    for _ in 0..20 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        let stream = socket.connect(addr).await.unwrap().into_std().unwrap();
        stream.set_nonblocking(false).unwrap();
        slow.push(stream);
    }
    let outcome = tokio::task::spawn_blocking(move || {
        for stream in &mut slow {
            // A client over the per-address cap may already be closed: that is fine.
            let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n");
            stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        }
        // Someone else is served meanwhile.
        let healthz = raw_exchange(addr, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        // Every slow client is closed: the ones over the per-address cap at once, the
        // others when their header deadline passes (well before the 20 s read timeout).
        let mut closed = 0;
        for stream in &mut slow {
            let mut rest = Vec::new();
            match stream.read_to_end(&mut rest) {
                Ok(_) => closed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => closed += 1,
                Err(e) => panic!("a slow client was held open: {e}"),
            }
        }
        (healthz, closed)
    })
    .await
    .unwrap();
    assert!(outcome.0.starts_with("HTTP/1.1 200"), "{}", outcome.0);
    assert_eq!(outcome.1, 20);
    // And once they are gone, that address is served again.
    let again = tokio::task::spawn_blocking(move || {
        raw_exchange(addr, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    })
    .await
    .unwrap();
    assert!(again.starts_with("HTTP/1.1 200"), "{again}");
}

#[tokio::test]
async fn every_error_under_the_api_is_a_problem() {
    let app = spawn_app().await;
    let editor = As::User("editor");
    for (method, path, status) in [
        (reqwest::Method::GET, "/api/v1/incidents/%FF", StatusCode::BAD_REQUEST),
        (reqwest::Method::GET, "/api/v1/no-such-thing", StatusCode::NOT_FOUND),
        (reqwest::Method::DELETE, "/api/v1/openapi.json", StatusCode::METHOD_NOT_ALLOWED),
    ] {
        let response = app.request(editor, method.clone(), path).send().await.unwrap();
        assert_eq!(response.status(), status, "{method} {path}");
        assert_eq!(
            response.headers().get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{method} {path}"
        );
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["status"], status.as_u16(), "{problem}");
        assert!(!problem["detail"].as_str().unwrap_or_default().is_empty(), "{problem}");
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_for_admins_only() {
    let app = spawn_app().await;
    app.seed().await;
    for path in ["/api/v1/incidents/INC-1", "/api/v1/incidents/INC-2", "/api/v1/incidents/INC-999"] {
        app.get(As::User("admin"), path).await;
    }
    app.send(As::Nobody, Method::GET, "/no/such/page/at/all", None).await;
    // Viewers, editors and strangers are refused.
    for who in [As::User("viewer"), As::User("editor"), As::Nobody] {
        let status = app.send(who, Method::GET, "/metrics", None).await.status();
        assert!(status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED, "{status}");
    }
    let response = app.send(As::User("admin"), Method::GET, "/metrics", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    let text = response.text().await.unwrap();
    // One series for the route, whatever the handle; the status apart.
    let route = r#"method="GET",route="/api/v1/incidents/{handle}""#;
    let count = |status: u16| {
        let series = format!("hindsight_http_requests_total{{{route},status=\"{status}\"}} ");
        text.lines().find_map(|l| l.strip_prefix(series.as_str())).and_then(|v| v.trim().parse::<f64>().ok())
    };
    assert_eq!((count(200), count(404)), (Some(2.0), Some(1.0)), "{text}");
    assert!(!text.contains("INC-1") && !text.contains("/no/such/page"), "paths never become labels: {text}");
    assert!(text.contains(r#"route="unmatched""#), "{text}");
    assert!(text.contains(&format!("hindsight_http_request_duration_seconds_count{{{route}}} 3")), "{text}");
    let schema = hindsight_store::SCHEMA_VERSION;
    assert!(
        text.contains(&format!(
            "hindsight_build_info{{version=\"{}\",schema=\"{schema}\"}} 1",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    // The notification worker's series are there; the seed's events wait in the outbox
    // or have been read, one or the other.
    for series in [
        "hindsight_outbox_events_read_total ",
        "hindsight_notifications_made_total ",
        "hindsight_outbox_backlog_events ",
    ] {
        assert!(text.lines().any(|l| l.starts_with(series)), "no {series}in {text}");
    }
    assert!(text.trim_end().ends_with("# EOF"), "{text}");
}
