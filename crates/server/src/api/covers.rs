//! One post-mortem for several incidents: the related incidents a post-mortem covers besides
//! its own, and their timelines merged into one.

use axum::Json;
use axum::extract::{Path, State};
use hindsight_core::{PostmortemIncidents, TimelineEvent};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The incidents the post-mortem covers: its own, and the related incidents added to it.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/incidents", tag = "postmortems", params(("id" = String, Path)),
    responses(
    (status = 200, description = "Its incidents", body = PostmortemIncidents),
    (status = 404, description = "No such post-mortem", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<PostmortemIncidents>, ApiError> {
    Ok(Json(hindsight_app::covers::incidents_of(&state.store, &caller.actor(), &id).await?))
}

/// Have the post-mortem cover a related incident too (one without a post-mortem of its own,
/// covered by no other): its timeline joins the post-mortem's. Kept in the audit log.
#[utoipa::path(put, path = "/api/v1/postmortems/{id}/incidents/{handle}", tag = "postmortems",
    params(("id" = String, Path), ("handle" = String, Path, description = "e.g. INC-43")), responses(
    (status = 200, description = "Its incidents now", body = PostmortemIncidents),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such post-mortem", body = Problem),
    (status = 422, description = "Its own incident, one with a post-mortem of its own or covered by another, or too many", body = Problem)))]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, handle)): Path<(String, String)>,
) -> Result<Json<PostmortemIncidents>, ApiError> {
    Ok(Json(hindsight_app::covers::cover(&state.store, &caller.actor(), &id, &handle).await?))
}

/// Take a related incident off the post-mortem. Kept in the audit log.
#[utoipa::path(delete, path = "/api/v1/postmortems/{id}/incidents/{handle}", tag = "postmortems",
    params(("id" = String, Path), ("handle" = String, Path, description = "e.g. INC-43")), responses(
    (status = 200, description = "Its incidents now", body = PostmortemIncidents),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such post-mortem or incident", body = Problem)))]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, handle)): Path<(String, String)>,
) -> Result<Json<PostmortemIncidents>, ApiError> {
    Ok(Json(hindsight_app::covers::uncover(&state.store, &caller.actor(), &id, &handle).await?))
}

/// The timelines of every incident the post-mortem covers, as one, in time order; each event
/// names its incident (`incident`). At most 20,000 events: each incident's first, an equal
/// share each.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/timeline", tag = "postmortems", params(("id" = String, Path)),
    responses(
    (status = 200, description = "The merged timeline", body = Vec<TimelineEvent>),
    (status = 404, description = "No such post-mortem", body = Problem)))]
pub async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<TimelineEvent>>, ApiError> {
    let events = hindsight_app::covers::merged_timeline(&state.store, &caller.actor(), &id).await?;
    Ok(Json(events.into_iter().map(super::timeline::linked).collect()))
}
