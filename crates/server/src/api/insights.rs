//! `/api/v1/insights` and the ledger of unknown causes: what incidents, taken together, say.
//! Hotspots (components and services by incidents over a period, against the period
//! before), fixes that did and did not hold, and causes still unknown with their leads.
//! Every count covers only the incidents the caller may see.

use axum::Json;
use axum::extract::{Path, State};
use hindsight_app::learning::CauseState;
use hindsight_core::metrics::{GroupBy, GroupedReport};
use hindsight_core::{Finding, FixesReport, Hotspots, LaterIncident, NewFinding, UnknownCause};
use serde::Deserialize;
use utoipa::IntoParams;

use super::IncidentHandle;
use super::incidents::IncidentQuery;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::{JsonBody, Params};
use crate::state::AppState;

/// The days an insight reads.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, YYYY-MM-DD (default: a year before `to`).
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (default: today). At most ten years after `from`.
    pub to: Option<String>,
}

/// What response times are grouped by.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupQuery {
    /// `severity` (the default), `team`, `service` or `month` (when each began, UTC).
    pub by: Option<String>,
}

/// How response times spread, group by group (medians, quartiles and percentiles, never
/// means), across the incidents you may see that match the incident list's filters; an
/// incident counts in each of its teams or services. A group of fewer than five incidents
/// is marked `few`.
#[utoipa::path(get, path = "/api/v1/insights/response-times", tag = "insights", params(GroupQuery, IncidentQuery),
    responses(
    (status = 200, description = "Each group's distributions", body = GroupedReport),
    (status = 400, description = "A bad filter or grouping", body = Problem)))]
pub async fn response_times(
    State(state): State<AppState>,
    caller: Caller,
    Params(group): Params<GroupQuery>,
    Params(query): Params<IncidentQuery>,
) -> Result<Json<GroupedReport>, ApiError> {
    let by = super::query_word::<GroupBy>("by", group.by.as_deref())?.unwrap_or(GroupBy::Severity);
    let filter = query.filter()?;
    let report = hindsight_app::response_times::response_times_by(&state.store, &caller.viewer, &filter, by).await?;
    Ok(Json(report))
}

/// Root-cause components and affected services ranked by their incidents in the period:
/// each with the incidents of the period of the same length before it, minutes users could
/// not get in, legacy-code flags and open must-fix action items. The incident list's filters
/// (`status`, `severity`, `service`, `team`, `factor`, `q`) narrow the incidents counted; its
/// `since` and `until` are left to the period.
#[utoipa::path(get, path = "/api/v1/insights/hotspots", tag = "insights", params(PeriodQuery, IncidentQuery), responses(
    (status = 200, description = "The hotspots, most incidents first", body = Hotspots),
    (status = 422, description = "A date that cannot be read, or a period too long", body = Problem)))]
pub async fn hotspots(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<PeriodQuery>,
    Params(incidents): Params<IncidentQuery>,
) -> Result<Json<Hotspots>, ApiError> {
    let period = hindsight_app::learning::period(query.from.as_deref(), query.to.as_deref())?;
    let filter = incidents.filter()?;
    Ok(Json(hindsight_app::learning::hotspots(&state.store, &caller.actor(), period, &filter).await?))
}

/// Root causes whose action items all closed in the period (the latest 200), and whether each
/// came back: the first later incident with the same cause (a confirmed recurrence, or its
/// post-mortem naming the same component), how soon and how often.
#[utoipa::path(get, path = "/api/v1/insights/fixes", tag = "insights", params(PeriodQuery), responses(
    (status = 200, description = "Fixes that did not hold, soonest return first, and those that held", body = FixesReport),
    (status = 422, description = "A date that cannot be read, or a period too long", body = Problem)))]
pub async fn fixes(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<PeriodQuery>,
) -> Result<Json<FixesReport>, ApiError> {
    let period = hindsight_app::learning::period(query.from.as_deref(), query.to.as_deref())?;
    Ok(Json(hindsight_app::learning::fixes(&state.store, &caller.actor(), period).await?))
}

/// The ledger of causes still unknown or suspected: incidents whose published post-mortem
/// gives the root cause as `unknown` or `probable`, latest first (at most 200), with their
/// clues and the later incidents that share the component or an alert as leads.
#[utoipa::path(get, path = "/api/v1/insights/unknown-causes", tag = "insights", responses(
    (status = 200, description = "The open causes, latest first", body = Vec<UnknownCause>)))]
pub async fn unknown_causes(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UnknownCause>>, ApiError> {
    Ok(Json(hindsight_app::learning::unknown_causes(&state.store, &caller.actor()).await?))
}

/// Where the incident stands with unknown causes: its own entry in the ledger while open,
/// what was found once closed, and the open causes of earlier incidents it may explain.
#[utoipa::path(get, path = "/api/v1/incidents/{handle}/unknown-cause", tag = "insights",
    params(("handle" = String, Path, description = "e.g. INC-42")), responses(
    (status = 200, description = "Its cause's standing", body = CauseState),
    (status = 404, description = "No such incident", body = Problem)))]
pub async fn cause_state(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
) -> Result<Json<CauseState>, ApiError> {
    Ok(Json(hindsight_app::learning::cause_state(&state.store, &caller.actor(), handle.number).await?))
}

/// Close the incident's entry in the ledger with what its cause turned out to be, and the
/// later incident where it was found, if it was (replacing an earlier finding). Kept in the
/// audit log.
#[utoipa::path(put, path = "/api/v1/incidents/{handle}/unknown-cause", tag = "insights",
    params(("handle" = String, Path, description = "e.g. INC-42")), request_body = NewFinding, responses(
    (status = 200, description = "The finding", body = Finding),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such incident", body = Problem),
    (status = 422, description = "Its cause is not open, or a field at fault", body = Problem)))]
pub async fn close_unknown_cause(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    JsonBody(finding): JsonBody<NewFinding>,
) -> Result<Json<Finding>, ApiError> {
    let actor = caller.actor();
    Ok(Json(hindsight_app::learning::close_unknown_cause(&state.store, &actor, handle.number, finding).await?))
}

/// Reopen the incident's entry in the ledger, forgetting what was found.
#[utoipa::path(delete, path = "/api/v1/incidents/{handle}/unknown-cause", tag = "insights",
    params(("handle" = String, Path, description = "e.g. INC-42")), responses(
    (status = 200, description = "Its cause's standing now", body = CauseState),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such incident", body = Problem)))]
pub async fn reopen_unknown_cause(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
) -> Result<Json<CauseState>, ApiError> {
    let actor = caller.actor();
    hindsight_app::learning::reopen_unknown_cause(&state.store, &actor, handle.number).await?;
    Ok(Json(hindsight_app::learning::cause_state(&state.store, &actor, handle.number).await?))
}

/// Once the action item closed: the later incidents with its incident's root cause
/// (confirmed recurrences, or post-mortems naming the same component), first ones first.
/// Empty while it is open.
#[utoipa::path(get, path = "/api/v1/action-items/{id}/since", tag = "action-items", params(("id" = String, Path)),
    responses(
    (status = 200, description = "The incidents since it closed", body = Vec<LaterIncident>),
    (status = 404, description = "No such action item", body = Problem)))]
pub async fn since_fix(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<LaterIncident>>, ApiError> {
    Ok(Json(hindsight_app::learning::incidents_since_fix(&state.store, &caller.actor(), &id).await?))
}
