//! `/api/v1/incidents`: declare, list, read, change and delete incidents.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hindsight_core::metrics::{IncidentMetrics, incident_metrics};
use hindsight_core::{Incident, IncidentChange, IncidentPatch, IncidentStatus, NewIncident, Severity};
use hindsight_store::{IncidentFilter, IncidentSort};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{IncidentHandle, Page, PageQuery, query_time, query_word};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::{JsonBody, Params};
use crate::state::AppState;

/// Filters of the incident list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentQuery {
    /// triggered, acknowledged, mitigated or resolved.
    pub status: Option<String>,
    /// SEV1 to SEV5.
    pub severity: Option<String>,
    /// Service slug.
    pub service: Option<String>,
    /// Team slug: incidents naming the team or affecting a service it owns.
    pub team: Option<String>,
    /// Key of a contributing factor (`GET /api/v1/factors`): incidents whose post-mortem has it.
    pub factor: Option<String>,
    /// Incidents that began at or after this RFC 3339 time.
    pub since: Option<String>,
    /// Incidents that began before this RFC 3339 time.
    pub until: Option<String>,
    /// Words (or their beginnings) the title or description contains, ignoring case (at most 200 characters).
    pub q: Option<String>,
    /// `newest` (the default: newest handle first), `oldest`, `severity` (most severe first, newest
    /// first within one), or `began` (latest to begin first: when impact began, else when declared).
    pub sort: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// The longest search text the incident list takes.
const MAX_SEARCH: usize = 200;

impl IncidentQuery {
    /// The store filter these parameters ask for.
    pub fn filter(&self) -> Result<IncidentFilter, ApiError> {
        Ok(IncidentFilter {
            status: query_word::<IncidentStatus>("status", self.status.as_deref())?,
            severity: query_word::<Severity>("severity", self.severity.as_deref())?,
            service: self.service.clone().filter(|s| !s.is_empty()),
            team: self.team.clone().filter(|s| !s.is_empty()),
            factor: self.factor.clone().filter(|s| !s.is_empty()),
            since: query_time("since", self.since.as_deref())?,
            until: query_time("until", self.until.as_deref())?,
            search: match self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                Some(q) if q.chars().count() > MAX_SEARCH => {
                    return Err(ApiError::BadRequest {
                        detail: format!("q: at most {MAX_SEARCH} characters"),
                        field: Some("q".to_string()),
                    });
                }
                q => q.map(str::to_string),
            },
        })
    }

    /// The order these parameters ask for.
    pub fn sort(&self) -> Result<IncidentSort, ApiError> {
        Ok(query_word::<IncidentSort>("sort", self.sort.as_deref())?.unwrap_or_default())
    }
}

/// Incidents you may see, newest first unless `sort` says otherwise.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", params(IncidentQuery), responses(
    (status = 200, description = "A page of incidents", body = Page<Incident>),
    (status = 400, description = "A bad filter", body = Problem),
    (status = 401, description = "Not signed in", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<IncidentQuery>,
) -> Result<Json<Page<Incident>>, ApiError> {
    let filter = query.filter()?;
    let sort = query.sort()?;
    let paging = PageQuery { cursor: query.cursor.clone(), limit: query.limit };
    let page = state
        .store
        .list_incidents_sorted(&caller.viewer, &filter, sort, paging.cursor.as_deref(), paging.limit())
        .await?;
    Ok(Json(page.into()))
}

/// Declare an incident; it gets the next `INC-n` handle.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = NewIncident, responses(
    (status = 201, description = "Declared", body = Incident),
    (status = 400, description = "Malformed body", body = Problem),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(new): JsonBody<NewIncident>,
) -> Result<(StatusCode, Json<Incident>), ApiError> {
    let incident = hindsight_app::incidents::declare(&state.store, &caller.actor(), new).await?;
    Ok((StatusCode::CREATED, Json(incident)))
}

/// One incident.
#[utoipa::path(get, path = "/api/v1/incidents/{handle}", tag = "incidents",
    params(("handle" = String, Path, description = "e.g. INC-42")), responses(
    (status = 200, description = "The incident", body = Incident),
    (status = 404, description = "No such incident, or not visible to you", body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
) -> Result<Json<Incident>, ApiError> {
    Ok(Json(state.store.incident(&caller.viewer, handle.number).await?))
}

/// Change an incident. Send the `version` you read; a stale one gets 409 and the current state.
#[utoipa::path(patch, path = "/api/v1/incidents/{handle}", tag = "incidents",
    params(("handle" = String, Path, description = "e.g. INC-42")), request_body = IncidentPatch, responses(
    (status = 200, description = "Changed", body = Incident),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such incident", body = Problem),
    (status = 409, description = "Changed by someone else since your version", body = Problem),
    (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    JsonBody(patch): JsonBody<IncidentPatch>,
) -> Result<Json<Incident>, ApiError> {
    let rules = state.rules_in_force().await?;
    let number = handle.number;
    Ok(Json(hindsight_app::incidents::update(&state.store, &caller.actor(), &rules, number, patch).await?.incident))
}

/// Delete an incident and everything attached to it. Admins only.
#[utoipa::path(delete, path = "/api/v1/incidents/{handle}", tag = "incidents",
    params(("handle" = String, Path, description = "e.g. INC-42")), responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "Admins only", body = Problem),
    (status = 404, description = "No such incident", body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
) -> Result<StatusCode, ApiError> {
    hindsight_app::incidents::delete(&state.store, &caller.actor(), handle.number).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The incident's response metrics: time to detect, acknowledge, mitigate and resolve,
/// from impact start, with the moments they are measured from.
#[utoipa::path(get, path = "/api/v1/incidents/{handle}/metrics", tag = "incidents",
    params(("handle" = String, Path, description = "e.g. INC-42")), responses(
    (status = 200, description = "The metrics", body = IncidentMetrics),
    (status = 404, description = "No such incident", body = Problem)))]
pub async fn metrics(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
) -> Result<Json<IncidentMetrics>, ApiError> {
    let number = handle.number;
    let incident = state.store.incident(&caller.viewer, number).await?;
    let summary = state.store.timeline_summary(&caller.viewer, number).await?;
    Ok(Json(incident_metrics(&incident, &summary)))
}

/// How many similar incidents to answer.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarQuery {
    /// At most this many, 1 to 50 (10 when absent).
    pub limit: Option<usize>,
}

/// Past incidents like this one, closest first, each with why it matched: the same alert
/// fingerprint in the timeline, the same root-cause component in the post-mortem, words in
/// common, an affected service in common. Only incidents the caller may see.
#[utoipa::path(get, path = "/api/v1/incidents/{handle}/similar", tag = "incidents",
    params(("handle" = String, Path, description = "e.g. INC-42"), SimilarQuery), responses(
    (status = 200, description = "The similar incidents, closest first", body = Vec<hindsight_core::SimilarIncident>),
    (status = 404, description = "No such incident", body = Problem),
    (status = 422, description = "A limit out of range", body = Problem)))]
pub async fn similar(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    crate::json::Params(query): crate::json::Params<SimilarQuery>,
) -> Result<Json<Vec<hindsight_core::SimilarIncident>>, ApiError> {
    let limit = query.limit.unwrap_or(10);
    if !(1..=hindsight_store::MAX_SIMILAR).contains(&limit) {
        return Err(ApiError::Invalid(hindsight_core::ValidationErrors::single(
            "limit",
            format!("must be from 1 to {}", hindsight_store::MAX_SIMILAR),
        )));
    }
    Ok(Json(state.store.similar_incidents(&caller.viewer, handle.number, limit).await?))
}

/// The incident's place among recurrences: the earlier incident it recurs, the later ones
/// that recur it, and the whole chain, oldest first.
#[utoipa::path(get, path = "/api/v1/incidents/{handle}/recurrence", tag = "incidents",
    params(("handle" = String, Path, description = "e.g. INC-42")), responses(
    (status = 200, description = "Its recurrences", body = hindsight_core::Recurrence),
    (status = 404, description = "No such incident", body = Problem)))]
pub async fn recurrence(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
) -> Result<Json<hindsight_core::Recurrence>, ApiError> {
    Ok(Json(state.store.recurrence(&caller.viewer, handle.number).await?))
}

/// The earlier incident this one recurs.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurrenceRequest {
    /// Its handle, e.g. `INC-12`: an incident that began before this one.
    pub of: String,
}

/// Confirm that the incident is an earlier one come back (replacing what it was recorded
/// to recur before). Kept in the audit log with who confirmed it.
#[utoipa::path(put, path = "/api/v1/incidents/{handle}/recurrence", tag = "incidents",
    params(("handle" = String, Path, description = "e.g. INC-42")), request_body = RecurrenceRequest, responses(
    (status = 200, description = "Its recurrences now", body = hindsight_core::Recurrence),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such incident", body = Problem),
    (status = 422, description = "No such earlier incident", body = Problem)))]
pub async fn put_recurrence(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    crate::json::JsonBody(request): crate::json::JsonBody<RecurrenceRequest>,
) -> Result<Json<hindsight_core::Recurrence>, ApiError> {
    let of = hindsight_core::parse_incident_handle(request.of.trim()).ok_or_else(|| {
        ApiError::Invalid(hindsight_core::ValidationErrors::single(
            "of",
            format!("{:?} is not an incident handle; they look like INC-12", request.of),
        ))
    })?;
    Ok(Json(hindsight_app::incidents::set_recurrence(&state.store, &caller.actor(), handle.number, of).await?))
}

/// Remove what the incident was recorded to recur.
#[utoipa::path(delete, path = "/api/v1/incidents/{handle}/recurrence", tag = "incidents",
    params(("handle" = String, Path, description = "e.g. INC-42")), responses(
    (status = 200, description = "Its recurrences now", body = hindsight_core::Recurrence),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such incident", body = Problem)))]
pub async fn delete_recurrence(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
) -> Result<Json<hindsight_core::Recurrence>, ApiError> {
    Ok(Json(hindsight_app::incidents::clear_recurrence(&state.store, &caller.actor(), handle.number).await?))
}

/// Whether the incident needs a post-mortem (`required`, `recommended` or `not_needed`),
/// each reason tied to a criterion and its evidence, with the response findings weighed.
#[utoipa::path(get, path = "/api/v1/incidents/{handle}/policy", tag = "incidents",
    params(("handle" = String, Path, description = "e.g. INC-42")), responses(
    (status = 200, description = "The decision and its reasons", body = hindsight_app::analysis::PolicyReport),
    (status = 404, description = "No such incident", body = Problem)))]
pub async fn policy(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
) -> Result<Json<hindsight_app::analysis::PolicyReport>, ApiError> {
    let evidence = hindsight_app::analysis::gather(&state.store, &caller.viewer, handle.number).await?;
    Ok(Json(hindsight_app::analysis::policy(&evidence, &state.rules_in_force().await?)))
}

/// Every change made to the incident: who, when, why (`reason`), each field's old and new value.
/// Overriding a key moment is a change like any other, kept here with its reason.
#[utoipa::path(get, path = "/api/v1/incidents/{handle}/history", tag = "incidents",
    params(("handle" = String, Path, description = "e.g. INC-42")), responses(
    (status = 200, description = "Changes, oldest first", body = Vec<IncidentChange>),
    (status = 404, description = "No such incident", body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
) -> Result<Json<Vec<IncidentChange>>, ApiError> {
    Ok(Json(state.store.incident_history(&caller.viewer, handle.number).await?))
}

/// How response times spread across the incidents you may see that match the filters
/// (medians and percentiles, never means).
#[utoipa::path(get, path = "/api/v1/metrics", tag = "incidents", params(IncidentQuery), responses(
    (status = 200, description = "Distributions of time to detect, acknowledge, mitigate and resolve", body = hindsight_core::metrics::MetricsReport),
    (status = 400, description = "A bad filter", body = Problem)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<IncidentQuery>,
) -> Result<Json<hindsight_core::metrics::MetricsReport>, ApiError> {
    let filter = query.filter()?;
    Ok(Json(hindsight_app::response_times::response_times(&state.store, &caller.viewer, &filter).await?))
}
