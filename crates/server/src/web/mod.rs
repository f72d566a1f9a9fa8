//! Web pages, rendered on the server (askama) and usable without JavaScript; scripts
//! only enhance them (live hints, confirmations).
//!
//! Pages go through the same store calls as the API, with the same `Viewer` and the
//! same role checks (`Caller::require_write`, `require_admin`), so they show and allow
//! exactly what the API would for the same person. Forms post to page routes with a
//! per-session token (`kit::Posted`); success redirects back (post/redirect/get),
//! failure shows the form again with the person's input and what was wrong.

mod declare;
mod incidents;
mod kit;
mod session;
mod view;

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rust_embed::Embed;

use crate::state::AppState;

/// Stylesheets, scripts and images of the pages, embedded in the binary.
#[derive(Embed)]
#[folder = "assets/"]
struct Assets;

/// Routes of the web pages and their assets.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/incidents") }))
        .route("/login", get(session::login_page).post(session::login_submit))
        .route("/logout", post(session::logout))
        .route("/incidents", get(incidents::incidents))
        .route("/incidents/new", get(declare::form).post(declare::submit))
        .route("/incidents/{handle}", get(incidents::incident))
        .route("/incidents/{handle}/status", post(incidents::change_status))
        .route("/incidents/{handle}/moments", post(incidents::override_moment))
        .route("/incidents/{handle}/events", post(incidents::add_event))
        .route(
            "/incidents/{handle}/import",
            post(incidents::import).layer(axum::extract::DefaultBodyLimit::max(crate::api::imports::MAX_IMPORT_BYTES)),
        )
        .route("/assets/{*path}", get(asset))
}

async fn asset(Path(path): Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => (
            [
                (header::CONTENT_TYPE, file.metadata.mimetype().to_string()),
                (header::CACHE_CONTROL, "public, max-age=3600".to_string()),
            ],
            file.data,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
