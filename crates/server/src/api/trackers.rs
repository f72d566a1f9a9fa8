//! `/api/v1/trackers` (admins add and remove; editors list), an action item's issue in
//! one (`/api/v1/action-items/{id}/issue`), and each tracker's webhook
//! (`/api/v1/trackers/{id}/webhook`), which GitHub or Jira calls when an issue changes.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use hindsight_app::trackers::{AddedTracker, Received};
use hindsight_core::{NewTracker, Tracker, TrackerLink};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::state::AppState;

/// Every tracker, by name. Only admins see the names map; tokens and secrets never show.
#[utoipa::path(get, path = "/api/v1/trackers", tag = "trackers", responses(
    (status = 200, description = "The trackers, by name", body = Vec<Tracker>),
    (status = 403, description = "Viewers cannot write", body = Problem)))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<Tracker>>, ApiError> {
    Ok(Json(hindsight_app::trackers::trackers(&state.store, &caller.actor()).await?))
}

/// Add a tracker: a GitHub repository or a Jira project. Its token is sealed before it is
/// stored; the webhook's secret is made here and answered this once, with its address.
#[utoipa::path(post, path = "/api/v1/trackers", tag = "trackers", request_body = NewTracker, responses(
    (status = 201, description = "Added, with the webhook's address and secret", body = AddedTracker),
    (status = 403, description = "Admins only", body = Problem),
    (status = 409, description = "A tracker has that name", body = Problem),
    (status = 422, description = "A bad field, or no secret_key on this server", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(new): JsonBody<NewTracker>,
) -> Result<(StatusCode, Json<AddedTracker>), ApiError> {
    let deliverer = &state.settings.deliverer;
    let added = hindsight_app::trackers::add_tracker(&state.store, &caller.actor(), deliverer, &new).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// Remove a tracker and its links to action items; the issues stay in the tracker.
#[utoipa::path(delete, path = "/api/v1/trackers/{id}", tag = "trackers", params(("id" = String, Path)),
    responses(
    (status = 204, description = "Removed"),
    (status = 403, description = "Admins only", body = Problem),
    (status = 404, description = "No such tracker", body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    hindsight_app::trackers::remove_tracker(&state.store, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The tracker to make an action item's issue in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// The tracker's id or name.
    pub tracker: String,
}

/// The action item's issue, with what was sent and received (newest first).
#[utoipa::path(get, path = "/api/v1/action-items/{id}/issue", tag = "trackers", params(("id" = String, Path)),
    responses(
    (status = 200, description = "Its issue", body = TrackerLink),
    (status = 404, description = "No such action item, or it has no issue", body = Problem)))]
pub async fn get_issue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TrackerLink>, ApiError> {
    hindsight_app::trackers::issue_of(&state.store, &caller.actor(), &id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("action item {id:?} has no issue: POST here to make one")))
}

/// Make an issue from the action item in a tracker. The worker makes it within seconds and
/// keeps both in step from then on; until then the answer's `pending` is true.
#[utoipa::path(post, path = "/api/v1/action-items/{id}/issue", tag = "trackers", params(("id" = String, Path)),
    request_body = IssueRequest,
    responses(
    (status = 202, description = "Asked for; made in the worker's next pass", body = TrackerLink),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such action item or tracker", body = Problem),
    (status = 409, description = "The action item has an issue already", body = Problem),
    (status = 422, description = "The action item's incident is private", body = Problem)))]
pub async fn create_issue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<IssueRequest>,
) -> Result<(StatusCode, Json<TrackerLink>), ApiError> {
    let link = hindsight_app::trackers::create_issue(&state.store, &caller.actor(), &id, &request.tracker).await?;
    Ok((StatusCode::ACCEPTED, Json(link)))
}

/// A tracker's webhook: GitHub's `issues` events (signed in `X-Hub-Signature-256`) or
/// Jira's `jira:issue_updated` (signed in `X-Hub-Signature`), with the secret answered when
/// the tracker was added. The issue's changes reach its action item at once.
#[utoipa::path(post, path = "/api/v1/trackers/{id}/webhook", tag = "trackers", security(()),
    params(("id" = String, Path)),
    request_body(content = Object, description = "The tracker's payload", content_type = "application/json"),
    responses(
    (status = 202, description = "Accepted", body = Received),
    (status = 403, description = "No such tracker, or a bad signature", body = Problem),
    (status = 422, description = "Not an issue event of the tracker's repository or project", body = Problem)))]
pub async fn webhook(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Received>), ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signature = header("x-hub-signature-256").or_else(|| header("x-hub-signature")).unwrap_or("");
    let deliverer = &state.settings.deliverer;
    let received =
        hindsight_app::trackers::receive(&state.store, deliverer, &id, signature, header("x-github-event"), &body)
            .await?;
    Ok((StatusCode::ACCEPTED, Json(received)))
}
