//! Hindsight's HTTP server: the JSON API under `/api/v1` (with its OpenAPI
//! document), authentication and authorisation, health checks, and the web pages.
//!
//! Handlers are thin: parse, authorise, call the store, answer. Visibility of
//! private incidents is decided by the store for every query; permissions by role
//! are checked here, once per handler, through [`auth::Caller`].

pub mod api;
pub mod auth;
mod error;
pub mod ingest;
mod json;
pub mod response_times;
pub mod review;
mod state;
pub mod web;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use state::{AppState, Settings, WebhookSettings, apply_overrides};

/// The whole application: API, health checks and web pages, with limits and tracing.
pub fn app(state: AppState) -> Router {
    let max_body = state.settings.max_body_bytes;
    let (api, _) = api::router().split_for_parts();
    Router::new()
        .merge(api)
        .merge(web::router())
        .fallback(web::not_found)
        .method_not_allowed_fallback(web::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the application on `listener` until ctrl-c or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
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
