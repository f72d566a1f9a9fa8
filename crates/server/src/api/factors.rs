//! Contributing factors and follow-through: the taxonomy configured, the factors a
//! post-mortem is tagged with, the factors counted over a period, and whether the process was
//! followed (post-mortems published for the incidents that required one, action items closed
//! by their due dates). Every count covers only the incidents the caller may see.

use axum::Json;
use axum::extract::{Path, State};
use hindsight_app::factors::{FactorsChange, PostmortemFactors};
use hindsight_core::{ContributingFactor, FactorReport, FollowThrough};

use super::incidents::IncidentQuery;
use super::insights::PeriodQuery;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::{JsonBody, Params};
use crate::state::AppState;

/// The contributing factors post-mortems may be tagged with, as configured
/// (`[[contributing_factors]]`).
#[utoipa::path(get, path = "/api/v1/factors", tag = "insights", responses(
    (status = 200, description = "The taxonomy, in its order", body = Vec<ContributingFactor>)))]
pub async fn taxonomy(State(state): State<AppState>, _caller: Caller) -> Json<Vec<ContributingFactor>> {
    Json(state.settings.rules.factors.factors.clone())
}

/// The contributing factors the post-mortem is tagged with, in the taxonomy's order; a factor
/// taken out of the taxonomy since is marked `retired`.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/factors", tag = "postmortems", params(("id" = String, Path)),
    responses(
    (status = 200, description = "Its factors", body = PostmortemFactors),
    (status = 404, description = "No such post-mortem", body = Problem)))]
pub async fn of_postmortem(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<PostmortemFactors>, ApiError> {
    let rules = &state.settings.rules;
    Ok(Json(hindsight_app::factors::of_postmortem(&state.store, &caller.actor(), rules, &id).await?))
}

/// Tag the post-mortem with exactly these contributing factors (keys of `GET /api/v1/factors`),
/// replacing those it had; kept in the audit log.
#[utoipa::path(put, path = "/api/v1/postmortems/{id}/factors", tag = "postmortems", params(("id" = String, Path)),
    request_body = FactorsChange, responses(
    (status = 200, description = "Its factors now", body = PostmortemFactors),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such post-mortem", body = Problem),
    (status = 422, description = "A key not in the taxonomy", body = Problem)))]
pub async fn set_for_postmortem(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(change): JsonBody<FactorsChange>,
) -> Result<Json<PostmortemFactors>, ApiError> {
    let rules = &state.settings.rules;
    Ok(Json(hindsight_app::factors::set_for_postmortem(&state.store, &caller.actor(), rules, &id, &change).await?))
}

/// Every contributing factor with the incidents of the period whose post-mortem has it, and
/// of the period of the same length before; with how many of the period's post-mortems are
/// tagged at all. The incident list's filters narrow the incidents counted (its `since` and
/// `until` are left to the period).
#[utoipa::path(get, path = "/api/v1/insights/factors", tag = "insights", params(PeriodQuery, IncidentQuery), responses(
    (status = 200, description = "The factors, most incidents first", body = FactorReport),
    (status = 422, description = "A date that cannot be read, or a period too long", body = Problem)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<PeriodQuery>,
    Params(incidents): Params<IncidentQuery>,
) -> Result<Json<FactorReport>, ApiError> {
    let period = hindsight_app::learning::period(query.from.as_deref(), query.to.as_deref())?;
    let (rules, filter) = (&state.settings.rules, incidents.filter()?);
    Ok(Json(hindsight_app::factors::report(&state.store, &caller.actor(), rules, period, &filter).await?))
}

/// Whether the process was followed for the incidents that began in the period: of those the
/// policy said needed a post-mortem (as it decided when each resolved), how many got one
/// published, on time or how late, by severity; and of the action items due in the period,
/// how many closed by their due date, by owning team. The incident list's filters narrow the
/// incidents counted (its `since` and `until` are left to the period).
#[utoipa::path(get, path = "/api/v1/insights/follow-through", tag = "insights", params(PeriodQuery, IncidentQuery), responses(
    (status = 200, description = "Post-mortem coverage and action items on time", body = FollowThrough),
    (status = 422, description = "A date that cannot be read, or a period too long", body = Problem)))]
pub async fn follow_through(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<PeriodQuery>,
    Params(incidents): Params<IncidentQuery>,
) -> Result<Json<FollowThrough>, ApiError> {
    let period = hindsight_app::learning::period(query.from.as_deref(), query.to.as_deref())?;
    let filter = incidents.filter()?;
    Ok(Json(hindsight_app::factors::follow_through(&state.store, &caller.actor(), period, &filter).await?))
}
