//! `/api/v1/action-items`: the work post-mortems ask for.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hindsight_core::{ActionItem, ActionItemPatch, NewActionItem};
use hindsight_store::ActionItemFilter;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{IncidentHandle, Page, query_word};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::{JsonBody, Params};
use crate::state::AppState;

/// Filters of the action-item list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionItemQuery {
    /// open, in_progress, done or wont_do.
    pub status: Option<String>,
    /// Username of the owner.
    pub owner: Option<String>,
    /// Slug of the owning team.
    pub team: Option<String>,
    /// Handle of the incident, e.g. INC-42.
    pub incident: Option<String>,
    /// Only open or in-progress items due before this date (YYYY-MM-DD): pass today for overdue ones.
    pub due_before: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// Action items of incidents you may see, newest first.
#[utoipa::path(get, path = "/api/v1/action-items", tag = "action-items", params(ActionItemQuery), responses(
    (status = 200, description = "A page of action items", body = Page<ActionItem>),
    (status = 400, description = "A bad filter", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<ActionItemQuery>,
) -> Result<Json<Page<ActionItem>>, ApiError> {
    let due_before = query
        .due_before
        .as_deref()
        .filter(|d| !d.is_empty())
        .map(|d| {
            time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).map_err(|_| {
                ApiError::BadRequest {
                    detail: "due_before must be a date such as 2026-11-25".into(),
                    field: Some("due_before".into()),
                }
            })
        })
        .transpose()?;
    let incident = match query.incident.as_deref().filter(|i| !i.is_empty()) {
        Some(handle) => Some(IncidentHandle::parse(handle)?.number),
        None => None,
    };
    let filter = ActionItemFilter {
        status: query_word("status", query.status.as_deref())?,
        owner: query.owner.clone().filter(|o| !o.is_empty()),
        team: query.team.clone().filter(|t| !t.is_empty()),
        incident,
        due_before,
        ..ActionItemFilter::default()
    };
    let page = state
        .store
        .list_action_items(&caller.viewer, &filter, query.cursor.as_deref(), query.limit.unwrap_or(50))
        .await?;
    Ok(Json(page.into()))
}

/// Add an action item to an incident. Without a `due_date` it is due by its priority
/// (`[deadlines] action_item_days`: P1 in 20 business days, P2 in 40, P3 in 60, P4 never).
#[utoipa::path(post, path = "/api/v1/incidents/{handle}/action-items", tag = "action-items",
    params(("handle" = String, Path, description = "e.g. INC-42")), request_body = NewActionItem, responses(
    (status = 201, description = "Added", body = ActionItem),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such incident", body = Problem),
    (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    JsonBody(new): JsonBody<NewActionItem>,
) -> Result<(StatusCode, Json<ActionItem>), ApiError> {
    let number = handle.number;
    let deadlines = &state.settings.rules.deadlines;
    let item =
        hindsight_app::incidents::create_action_item(&state.store, &caller.actor(), number, new, deadlines).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// One action item.
#[utoipa::path(get, path = "/api/v1/action-items/{id}", tag = "action-items", params(("id" = String, Path)), responses(
    (status = 200, description = "The action item", body = ActionItem),
    (status = 404, description = "No such action item", body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ActionItem>, ApiError> {
    Ok(Json(state.store.action_item(&caller.viewer, &id).await?))
}

/// Change an action item, based on the version you read.
#[utoipa::path(patch, path = "/api/v1/action-items/{id}", tag = "action-items", params(("id" = String, Path)), request_body = ActionItemPatch, responses(
    (status = 200, description = "Changed", body = ActionItem),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such action item", body = Problem),
    (status = 409, description = "Changed by someone else since your version", body = Problem),
    (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<ActionItemPatch>,
) -> Result<Json<ActionItem>, ApiError> {
    Ok(Json(hindsight_app::incidents::update_action_item(&state.store, &caller.actor(), &id, patch).await?))
}

/// Delete an action item.
#[utoipa::path(delete, path = "/api/v1/action-items/{id}", tag = "action-items", params(("id" = String, Path)), responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such action item", body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    hindsight_app::incidents::delete_action_item(&state.store, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
