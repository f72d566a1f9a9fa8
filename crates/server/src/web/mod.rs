//! Web pages, rendered on the server (askama) and usable without JavaScript:
//! sign in and out, the incident list with filters, and an incident's page with
//! its timeline, post-mortem and action items.
//!
//! Pages go through the same store calls as the API, with the same `Viewer`, so
//! they show exactly what the API would show the same person.

mod pages;
mod view;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

/// Routes of the web pages and their assets.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::incidents))
        .route("/login", get(pages::login_page).post(pages::login_submit))
        .route("/logout", axum::routing::post(pages::logout))
        .route("/incidents/{handle}", get(pages::incident))
        .route("/assets/app.css", get(stylesheet))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../assets/app.css"),
    )
}
