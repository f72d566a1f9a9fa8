//! `/api/v1/destinations` and `/api/v1/deliveries` (admins): where domain events go out
//! to (Slack, Teams, signed webhooks), and what was sent, failed or given up, with a retry
//! by hand. `/api/v1/me/email`: what the caller gets by email.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hindsight_app::deliveries::{AddedDestination, DeliveryPage};
use hindsight_core::{DeliveryState, Destination, EmailPreferences, NewDestination};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::{JsonBody, Params};
use crate::state::AppState;

/// Every destination. Their addresses and keys are never shown.
#[utoipa::path(get, path = "/api/v1/destinations", tag = "deliveries", responses(
    (status = 200, description = "The destinations, by name", body = Vec<Destination>),
    (status = 403, description = "Admins only", body = Problem)))]
pub async fn list_destinations(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Destination>>, ApiError> {
    Ok(Json(hindsight_app::deliveries::destinations(&state.store, &caller.actor()).await?))
}

/// Add a destination: a Slack or Teams incoming webhook, or any endpoint as a signed
/// webhook. Its address is sealed before it is stored; a webhook's signing secret is made
/// here and answered this once.
#[utoipa::path(post, path = "/api/v1/destinations", tag = "deliveries", request_body = NewDestination, responses(
    (status = 201, description = "Added, with a webhook's signing secret", body = AddedDestination),
    (status = 403, description = "Admins only", body = Problem),
    (status = 409, description = "A destination has that name", body = Problem),
    (status = 422, description = "A bad field, an unknown team, or no secret_key on this server", body = Problem)))]
pub async fn create_destination(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(new): JsonBody<NewDestination>,
) -> Result<(StatusCode, Json<AddedDestination>), ApiError> {
    let deliverer = &state.settings.deliverer;
    let added = hindsight_app::deliveries::add_destination(&state.store, &caller.actor(), deliverer, &new).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// Remove a destination, with what it had still to send.
#[utoipa::path(delete, path = "/api/v1/destinations/{id}", tag = "deliveries", params(("id" = String, Path)),
    responses(
    (status = 204, description = "Removed"),
    (status = 403, description = "Admins only", body = Problem),
    (status = 404, description = "No such destination", body = Problem)))]
pub async fn delete_destination(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    hindsight_app::deliveries::remove_destination(&state.store, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which deliveries a page shows.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only those in this state, e.g. `failed`.
    pub state: Option<DeliveryState>,
    /// Only those older than this id: the previous page's `next_before`.
    pub before: Option<i64>,
    /// Most items on the page, 1 to 200 (50 when absent).
    pub limit: Option<i64>,
}

/// Deliveries, newest first, with their state, tries and last error.
#[utoipa::path(get, path = "/api/v1/deliveries", tag = "deliveries", params(DeliveryQuery), responses(
    (status = 200, description = "A page of deliveries, with how many are pending and given up", body = DeliveryPage),
    (status = 400, description = "A bad parameter", body = Problem),
    (status = 403, description = "Admins only", body = Problem),
    (status = 422, description = "A limit out of range", body = Problem)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<DeliveryQuery>,
) -> Result<Json<DeliveryPage>, ApiError> {
    let limit = query.limit.unwrap_or(50);
    let page =
        hindsight_app::deliveries::deliveries(&state.store, &caller.actor(), query.state, query.before, limit).await?;
    Ok(Json(page))
}

/// Try a delivery that was given up again now, its tries counted afresh.
#[utoipa::path(post, path = "/api/v1/deliveries/{id}/retry", tag = "deliveries", params(("id" = i64, Path)),
    responses(
    (status = 204, description = "It will be sent in the worker's next pass"),
    (status = 403, description = "Admins only", body = Problem),
    (status = 404, description = "No failed delivery with this id", body = Problem)))]
pub async fn retry_delivery(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    hindsight_app::deliveries::retry_delivery(&state.store, &caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the caller gets by email: single emails or a daily digest, and the kinds muted.
#[utoipa::path(get, path = "/api/v1/me/email", tag = "notifications", responses(
    (status = 200, description = "The caller's email preferences", body = EmailPreferences)))]
pub async fn get_email(State(state): State<AppState>, caller: Caller) -> Result<Json<EmailPreferences>, ApiError> {
    Ok(Json(hindsight_app::deliveries::email_preferences(&state.store, &caller.actor()).await?))
}

/// Choose what the caller gets by email.
#[utoipa::path(put, path = "/api/v1/me/email", tag = "notifications", request_body = EmailPreferences, responses(
    (status = 200, description = "The caller's email preferences now", body = EmailPreferences),
    (status = 422, description = "An unknown kind", body = Problem)))]
pub async fn put_email(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(preferences): JsonBody<EmailPreferences>,
) -> Result<Json<EmailPreferences>, ApiError> {
    Ok(Json(hindsight_app::deliveries::set_email_preferences(&state.store, &caller.actor(), &preferences).await?))
}
