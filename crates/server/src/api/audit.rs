//! The tamper-evident record over HTTP, for admins: verify every hash chain, and read
//! the audit events (account, settings and deletion changes, each written by its use case
//! in the change's own transaction).

use axum::Json;
use axum::extract::State;
use hindsight_core::audit::{AuditEvent, ChainReport};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::Params;
use crate::state::AppState;

/// Recompute every hash chain: each incident's and post-mortem's history, and the
/// audit events. Admins only.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", responses(
    (status = 200, description = "What was checked and the first broken row of each broken chain", body = ChainReport),
    (status = 403, description = "Admins only", body = Problem)))]
pub async fn verify(State(state): State<AppState>, caller: Caller) -> Result<Json<ChainReport>, ApiError> {
    caller.require_admin()?;
    Ok(Json(state.store.verify_audit_chains().await?))
}

/// How many audit events to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// Account and settings changes, newest first. Admins only.
#[utoipa::path(get, path = "/api/v1/audit/events", tag = "audit", params(EventsQuery), responses(
    (status = 200, description = "Audit events, newest first", body = Vec<AuditEvent>),
    (status = 403, description = "Admins only", body = Problem)))]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<EventsQuery>,
) -> Result<Json<Vec<AuditEvent>>, ApiError> {
    caller.require_admin()?;
    Ok(Json(state.store.audit_events(query.limit.unwrap_or(50)).await?))
}
