//! `/api/v1/incidents/{handle}/events`: an incident's timeline.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use hindsight_core::{NewTimelineEvent, TimelineEvent, TimelineEventPatch};

use super::{IncidentHandle, Page, PageQuery};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::{JsonBody, Params};
use crate::state::AppState;

/// The timeline, in time order.
#[utoipa::path(get, path = "/api/v1/incidents/{handle}/events", tag = "timeline",
    params(("handle" = String, Path, description = "e.g. INC-42"), PageQuery), responses(
    (status = 200, description = "A page of events", body = Page<TimelineEvent>),
    (status = 404, description = "No such incident", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    Params(page): Params<PageQuery>,
) -> Result<Json<Page<TimelineEvent>>, ApiError> {
    let limit = page.limit.unwrap_or(500);
    let events = state.store.list_events(&caller.viewer, handle.number, page.cursor.as_deref(), limit).await?;
    Ok(Json(linked_page(events)))
}

/// The events imports set aside as duplicates of others (the same alert from two tools, a
/// repeated notification), in time order. They are not on the timeline; an import brings one
/// back when an earlier copy makes the duplicate rule keep it.
#[utoipa::path(get, path = "/api/v1/incidents/{handle}/duplicates", tag = "timeline",
    params(("handle" = String, Path, description = "e.g. INC-42"), PageQuery), responses(
    (status = 200, description = "A page of events set aside", body = Page<TimelineEvent>),
    (status = 404, description = "No such incident", body = Problem)))]
pub async fn duplicates(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    Params(page): Params<PageQuery>,
) -> Result<Json<Page<TimelineEvent>>, ApiError> {
    let limit = page.limit.unwrap_or(500);
    let events = state.store.list_duplicates(&caller.viewer, handle.number, page.cursor.as_deref(), limit).await?;
    Ok(Json(linked_page(events)))
}

/// An event as the API answers it: with the path of its raw payload, when one is kept.
pub(crate) fn linked(mut event: TimelineEvent) -> TimelineEvent {
    event.raw_payload_url =
        event.has_raw_payload.then(|| format!("/api/v1/incidents/{}/events/{}/raw", event.incident, event.id));
    event
}

fn linked_page(page: hindsight_store::Page<TimelineEvent>) -> Page<TimelineEvent> {
    Page { items: page.items.into_iter().map(linked).collect(), next_cursor: page.next_cursor }
}

/// Add an event to the timeline.
#[utoipa::path(post, path = "/api/v1/incidents/{handle}/events", tag = "timeline",
    params(("handle" = String, Path, description = "e.g. INC-42")), request_body = NewTimelineEvent, responses(
    (status = 201, description = "Added", body = TimelineEvent),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such incident", body = Problem),
    (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    JsonBody(new): JsonBody<NewTimelineEvent>,
) -> Result<(StatusCode, Json<TimelineEvent>), ApiError> {
    let event = hindsight_app::incidents::add_event(&state.store, &caller.actor(), handle.number, new).await?;
    Ok((StatusCode::CREATED, Json(linked(event))))
}

/// One event.
#[utoipa::path(get, path = "/api/v1/incidents/{handle}/events/{id}", tag = "timeline",
    params(("handle" = String, Path, description = "e.g. INC-42"), ("id" = String, Path)), responses(
    (status = 200, description = "The event", body = TimelineEvent),
    (status = 404, description = "No such event", body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    Path((_handle, id)): Path<(String, String)>,
) -> Result<Json<TimelineEvent>, ApiError> {
    Ok(Json(linked(state.store.event(&caller.viewer, handle.number, &id).await?)))
}

/// Change an event, based on the version you read.
#[utoipa::path(patch, path = "/api/v1/incidents/{handle}/events/{id}", tag = "timeline",
    params(("handle" = String, Path, description = "e.g. INC-42"), ("id" = String, Path)), request_body = TimelineEventPatch, responses(
    (status = 200, description = "Changed", body = TimelineEvent),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such event", body = Problem),
    (status = 409, description = "Changed by someone else", body = Problem),
    (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    Path((_handle, id)): Path<(String, String)>,
    JsonBody(patch): JsonBody<TimelineEventPatch>,
) -> Result<Json<TimelineEvent>, ApiError> {
    let number = handle.number;
    let event = hindsight_app::incidents::update_event(&state.store, &caller.actor(), number, &id, patch).await?;
    Ok(Json(linked(event)))
}

/// Remove an event.
#[utoipa::path(delete, path = "/api/v1/incidents/{handle}/events/{id}", tag = "timeline",
    params(("handle" = String, Path, description = "e.g. INC-42"), ("id" = String, Path)), responses(
    (status = 204, description = "Removed"),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such event", body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    Path((_handle, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    hindsight_app::incidents::delete_event(&state.store, &caller.actor(), handle.number, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The raw payload the event was read from, verbatim.
#[utoipa::path(get, path = "/api/v1/incidents/{handle}/events/{id}/raw", tag = "timeline",
    params(("handle" = String, Path, description = "e.g. INC-42"), ("id" = String, Path)), responses(
    (status = 200, description = "The payload as received", content_type = "application/json"),
    (status = 404, description = "No such event, or it has no raw payload", body = Problem)))]
pub async fn raw(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    Path((_handle, id)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let body = state.store.event_raw_payload(&caller.viewer, handle.number, &id).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body))
}
