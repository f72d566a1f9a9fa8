//! `/api/v1/postmortems/{id}/readers` and `…/read`: who a post-mortem must reach, and
//! "read and understood" receipts.

use axum::Json;
use axum::extract::{Path, State};
use hindsight_core::{Readers, Reading, StillToRead};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::state::AppState;

/// Who the post-mortem must reach (chosen, or proposed from its incident: the teams owning
/// the affected services and the teams named on it) and who has read it.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/readers", tag = "readers", params(("id" = String, Path)), responses(
    (status = 200, description = "Its readers and their receipts", body = Reading),
    (status = 404, description = "No such post-mortem, or not visible to you", body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Reading>, ApiError> {
    let rules = state.rules_in_force().await?;
    Ok(Json(hindsight_app::readers::reading(&state.store, &caller.actor(), &id, &rules).await?))
}

/// Choose the post-mortem's readers: teams (each member) and people (editors and admins).
/// When it is published, each is asked in their inbox to read it.
#[utoipa::path(put, path = "/api/v1/postmortems/{id}/readers", tag = "readers", params(("id" = String, Path)),
    request_body = Readers, responses(
    (status = 200, description = "Its readers now", body = Reading),
    (status = 403, description = "Viewers may not choose readers", body = Problem),
    (status = 404, description = "No such post-mortem, or not visible to you", body = Problem),
    (status = 422, description = "An unknown team or person, or too many", body = Problem)))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(readers): JsonBody<Readers>,
) -> Result<Json<Reading>, ApiError> {
    let rules = state.rules_in_force().await?;
    Ok(Json(hindsight_app::readers::choose(&state.store, &caller.actor(), &id, &readers, &rules).await?))
}

/// What the team's members are asked to read and have not read yet: published
/// post-mortems you may see, newest first, one entry per member (at most 200).
#[utoipa::path(get, path = "/api/v1/teams/{slug}/still-to-read", tag = "readers", params(("slug" = String, Path)), responses(
    (status = 200, description = "Unread post-mortems by member", body = Vec<StillToRead>),
    (status = 404, description = "No such team", body = Problem)))]
pub async fn still_to_read(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<StillToRead>>, ApiError> {
    Ok(Json(hindsight_app::readers::still_to_read(&state.store, &caller.actor(), &slug).await?))
}

/// Mark the published post-mortem read and understood (anyone who may see it), once.
#[utoipa::path(post, path = "/api/v1/postmortems/{id}/read", tag = "readers", params(("id" = String, Path)), responses(
    (status = 200, description = "Its readers and receipts, yours among them", body = Reading),
    (status = 404, description = "No such post-mortem, or not visible to you", body = Problem),
    (status = 422, description = "It is not published", body = Problem)))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Reading>, ApiError> {
    let rules = state.rules_in_force().await?;
    Ok(Json(hindsight_app::readers::mark_read(&state.store, &caller.actor(), &id, &rules).await?))
}
