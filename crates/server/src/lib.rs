//! Hindsight's HTTP server: the JSON API under `/api/v1` (with its OpenAPI
//! document), authentication and authorisation, health checks, and the web pages.
//!
//! Handlers are thin: parse, authorise, call the store, answer. Visibility of
//! private incidents is decided by the store for every query; permissions by role
//! are checked here, once per handler, through [`auth::Caller`].

// Unit tests use some dev-dependencies, not all.
#![cfg_attr(test, allow(unused_crate_dependencies))]

pub mod api;
pub mod auth;
mod collab;
mod connections;
mod error;
mod json;
mod metrics;
pub mod request_id;
mod state;
pub mod web;
mod worker;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use connections::ConnectionLimits;
pub use error::ApiError;
pub use state::{AppState, Settings};

/// Seconds a request may take from its headers to its answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What pages may load and where they may be framed or post to: only this server.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The whole application: API, health checks and web pages, with limits, security
/// headers and tracing. A panic in a handler becomes a 500 problem, never a closed
/// connection.
pub fn app(state: AppState) -> Router {
    state.rooms.listen(&state.store);
    let (api, _) = api::router().split_for_parts();
    let routes = Router::new()
        .merge(api)
        .merge(web::router())
        .route("/metrics", axum::routing::get(metrics::serve))
        .fallback(web::not_found)
        .method_not_allowed_fallback(web::method_not_allowed);
    with_defences(routes, state)
}

/// `routes` behind the layers every request passes: body limits, the request deadline,
/// answers to panics, security headers, tracing and the request's id.
pub fn with_defences(routes: Router<AppState>, state: AppState) -> Router {
    let max_body = state.settings.max_body_bytes;
    let mut router = routes
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(state.clone(), refuse_declared_oversize))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(CatchPanicLayer::custom(answer_panic))
        .layer(axum::middleware::from_fn(error::errors_as_problems))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::count));
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    if state.settings.public_url.as_deref().is_some_and(|url| url.starts_with("https://")) {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    router.layer(TraceLayer::new_for_http()).layer(axum::middleware::from_fn(request_id::assign)).with_state(state)
}

/// Answers 413 at once when a request announces a body larger than its route accepts,
/// instead of waiting for bytes that a client claiming gigabytes may never send.
async fn refuse_declared_oversize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(declared) = declared {
        let limit = api::imports::body_limit(request.uri().path(), state.settings.max_body_bytes);
        if declared > limit as u64 {
            return ApiError::PayloadTooLarge.into_response();
        }
    }
    next.run(request).await
}

/// The answer to a request whose handler panicked: a 500 problem (the panic is logged).
fn answer_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    ApiError::Internal(format!("handler panicked: {message}")).into_response()
}

/// Serves the application on `listener` within the connection limits of its settings,
/// until ctrl-c or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let limits = state.settings.connections;
    let settings = &state.settings;
    let deadlines = settings.rules.deadlines.clone();
    let worker = worker::spawn(
        state.store.clone(),
        settings.notifications,
        deadlines,
        settings.deliverer.clone(),
        state.metrics.clone(),
    );
    let served = connections::serve_with_limits(listener, app(state), limits, shutdown_signal()).await;
    worker.abort();
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
