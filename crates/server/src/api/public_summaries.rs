//! `/api/v1/postmortems/{id}/public-summary`: what the people affected are told, written
//! and published by editors; and `/api/v1/public/summaries`, the published ones, for
//! anyone, signed in or not.

use axum::Json;
use axum::extract::{Path, State};
use hindsight_app::public_summaries::{self, PublicSummaryView};
use hindsight_core::{PublicPost, PublicSummaryDraft};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::{JsonBody, Params};
use crate::state::AppState;

/// The post-mortem's public summary (none until written), with what the blameless check
/// finds in it.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/public-summary", tag = "public summaries",
    params(("id" = String, Path)), responses(
    (status = 200, description = "The summary and the blameless check's findings", body = PublicSummaryView),
    (status = 404, description = "No such post-mortem, or not visible to you", body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<PublicSummaryView>, ApiError> {
    Ok(Json(public_summaries::get(&state.store, &caller.actor(), &id).await?))
}

/// Write the post-mortem's public summary: a title and a text for the people affected. A
/// published one stays published, with the new words.
#[utoipa::path(put, path = "/api/v1/postmortems/{id}/public-summary", tag = "public summaries",
    params(("id" = String, Path)), request_body = PublicSummaryDraft, responses(
    (status = 200, description = "The summary as saved, and the blameless check's findings", body = PublicSummaryView),
    (status = 403, description = "Viewers may not write it", body = Problem),
    (status = 404, description = "No such post-mortem, or not visible to you", body = Problem),
    (status = 422, description = "A field out of bounds", body = Problem)))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(draft): JsonBody<PublicSummaryDraft>,
) -> Result<Json<PublicSummaryView>, ApiError> {
    Ok(Json(public_summaries::put(&state.store, &caller.actor(), &id, &draft).await?))
}

/// Put the public summary on the public page and in its feed. Its post-mortem must be
/// published, and its incident not private.
#[utoipa::path(post, path = "/api/v1/postmortems/{id}/public-summary/publish", tag = "public summaries",
    params(("id" = String, Path)), responses(
    (status = 200, description = "Public", body = PublicSummaryView),
    (status = 403, description = "Viewers may not publish it", body = Problem),
    (status = 404, description = "No such post-mortem or no summary written", body = Problem),
    (status = 422, description = "The post-mortem is not published, or the incident is private", body = Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<PublicSummaryView>, ApiError> {
    Ok(Json(public_summaries::publish(&state.store, &caller.actor(), &id, true).await?))
}

/// Take the public summary off the public page.
#[utoipa::path(post, path = "/api/v1/postmortems/{id}/public-summary/unpublish", tag = "public summaries",
    params(("id" = String, Path)), responses(
    (status = 200, description = "Not public", body = PublicSummaryView),
    (status = 403, description = "Viewers may not do this", body = Problem),
    (status = 404, description = "No such post-mortem or no summary written", body = Problem)))]
pub async fn unpublish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<PublicSummaryView>, ApiError> {
    Ok(Json(public_summaries::publish(&state.store, &caller.actor(), &id, false).await?))
}

/// Which public summaries a page shows.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicQuery {
    /// Only those published before this time (RFC 3339): the last one of the previous page.
    pub before: Option<String>,
}

/// The published public summaries, newest first, 50 a page. No sign-in needed.
#[utoipa::path(get, path = "/api/v1/public/summaries", tag = "public summaries", security(()),
    params(PublicQuery), responses(
    (status = 200, description = "Newest first", body = Vec<PublicPost>),
    (status = 422, description = "A bad `before`", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Params(query): Params<PublicQuery>,
) -> Result<Json<Vec<PublicPost>>, ApiError> {
    Ok(Json(public_summaries::posts(&state.store, query.before.as_deref()).await?))
}

/// One published public summary. No sign-in needed.
#[utoipa::path(get, path = "/api/v1/public/summaries/{id}", tag = "public summaries", security(()),
    params(("id" = String, Path)), responses(
    (status = 200, description = "The summary", body = PublicPost),
    (status = 404, description = "No public summary with this id", body = Problem)))]
pub async fn one(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<PublicPost>, ApiError> {
    Ok(Json(public_summaries::post(&state.store, &id).await?))
}
