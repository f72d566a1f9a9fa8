//! The JSON API under `/api/v1`, one module per resource, and its OpenAPI document
//! generated from the handlers themselves.

pub(crate) mod accounts;
mod action_items;
mod audit;
mod comments;
mod covers;
mod deliveries;
mod factors;
mod health;
pub mod imports;
pub(crate) mod incidents;
mod insights;
mod notifications;
mod postmortems;
mod public_summaries;
mod readers;
mod reviews;
pub(crate) mod session;
mod timeline;
mod trackers;

use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Hindsight API", description = "Incidents, timelines, post-mortems and action items."),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    components(schemas(Problem))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("A personal API token")).build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "Browser session; unsafe methods also need the X-CSRF-Token header",
            ))),
        );
    }
}

/// Every API route, with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(imports::import_into))
        .routes(routes!(imports::import_correlated))
        .layer(axum::extract::DefaultBodyLimit::max(imports::MAX_IMPORT_BYTES));
    // Webhooks are read before they are verified: keep what a stranger can send small.
    let webhooks = OpenApiRouter::new()
        .routes(routes!(imports::webhook))
        .routes(routes!(trackers::webhook))
        .layer(axum::extract::DefaultBodyLimit::max(imports::MAX_WEBHOOK_BYTES));
    let mut doc = ApiDoc::openapi();
    doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
    OpenApiRouter::with_openapi(doc)
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(openapi_json))
        .routes(routes!(session::login, session::logout))
        .routes(routes!(session::me))
        .routes(routes!(accounts::settings))
        .routes(routes!(incidents::list, incidents::create))
        .routes(routes!(incidents::get, incidents::update, incidents::delete))
        .routes(routes!(incidents::metrics))
        .routes(routes!(incidents::similar))
        .routes(routes!(incidents::recurrence, incidents::put_recurrence, incidents::delete_recurrence))
        .routes(routes!(insights::cause_state, insights::close_unknown_cause, insights::reopen_unknown_cause))
        .routes(routes!(insights::hotspots))
        .routes(routes!(insights::fixes))
        .routes(routes!(insights::unknown_causes))
        .routes(routes!(insights::response_times))
        .routes(routes!(factors::taxonomy))
        .routes(routes!(factors::report))
        .routes(routes!(factors::follow_through))
        .routes(routes!(incidents::report))
        .routes(routes!(incidents::policy))
        .routes(routes!(incidents::history))
        .routes(routes!(timeline::list, timeline::create))
        .routes(routes!(timeline::get, timeline::update, timeline::delete))
        .routes(routes!(timeline::raw))
        .routes(routes!(timeline::duplicates))
        .merge(uploads)
        .merge(webhooks)
        .routes(routes!(postmortems::list))
        .routes(routes!(postmortems::import))
        .routes(routes!(postmortems::of_incident, postmortems::create))
        .routes(routes!(postmortems::get, postmortems::update, postmortems::delete))
        .routes(routes!(postmortems::get_section, postmortems::put_section))
        .routes(routes!(postmortems::set_status))
        .routes(routes!(postmortems::history))
        .routes(routes!(postmortems::completeness))
        .routes(routes!(postmortems::draft, postmortems::write_draft))
        .routes(routes!(factors::of_postmortem, factors::set_for_postmortem))
        .routes(routes!(covers::list))
        .routes(routes!(covers::add, covers::remove))
        .routes(routes!(covers::timeline))
        .routes(routes!(postmortems::lint))
        .routes(routes!(postmortems::export))
        // A WebSocket (y-websocket protocol), outside the OpenAPI document: see collab.rs.
        .route("/api/v1/postmortems/{id}/live", axum::routing::get(crate::collab::live))
        .routes(routes!(postmortems::lint_text))
        .routes(routes!(comments::list, comments::create))
        .routes(routes!(comments::resolve))
        .routes(routes!(comments::reopen))
        .routes(routes!(action_items::list))
        .routes(routes!(action_items::create))
        .routes(routes!(action_items::get, action_items::update, action_items::delete))
        .routes(routes!(insights::since_fix))
        .routes(routes!(accounts::list_users, accounts::create_user))
        .routes(routes!(accounts::get_user, accounts::update_user))
        .routes(routes!(accounts::list_tokens, accounts::create_token))
        .routes(routes!(accounts::revoke_token))
        .routes(routes!(accounts::list_teams, accounts::create_team))
        .routes(routes!(accounts::get_team, accounts::update_team, accounts::delete_team))
        .routes(routes!(accounts::add_member, accounts::remove_member))
        .routes(routes!(accounts::list_services, accounts::create_service))
        .routes(routes!(accounts::get_service, accounts::update_service, accounts::delete_service))
        .routes(routes!(reviews::get))
        .routes(routes!(reviews::put_reviewers))
        .routes(routes!(reviews::create))
        .routes(routes!(reviews::put_meeting))
        .routes(routes!(readers::get, readers::put))
        .routes(routes!(readers::read))
        .routes(routes!(readers::still_to_read))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(deliveries::get_email, deliveries::put_email))
        .routes(routes!(deliveries::list_destinations, deliveries::create_destination))
        .routes(routes!(deliveries::delete_destination))
        .routes(routes!(deliveries::list_deliveries))
        .routes(routes!(deliveries::retry_delivery))
        .routes(routes!(trackers::list, trackers::create))
        .routes(routes!(trackers::delete))
        .routes(routes!(trackers::get_issue, trackers::create_issue))
        .routes(routes!(public_summaries::get, public_summaries::put))
        .routes(routes!(public_summaries::publish))
        .routes(routes!(public_summaries::unpublish))
        .routes(routes!(public_summaries::list))
        .routes(routes!(public_summaries::one))
        .routes(routes!(audit::verify))
        .routes(routes!(audit::events))
}

/// The OpenAPI 3.1 document of this API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    router().split_for_parts().1
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}

/// A page of a list and the cursor for the next.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> From<hindsight_store::Page<T>> for Page<T> {
    fn from(page: hindsight_store::Page<T>) -> Self {
        Page { items: page.items, next_cursor: page.next_cursor }
    }
}

/// Paging parameters every list takes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

impl PageQuery {
    fn limit(&self) -> i64 {
        self.limit.unwrap_or(50)
    }
}

/// The incident a path names by its `{handle}` segment (`INC-42`), with its number: the
/// one reading of that segment, for the API and the pages. A segment that is no handle
/// answers 404, as a problem under `/api/` and as a page elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentHandle {
    /// The handle as the path wrote it.
    pub handle: String,
    pub number: i64,
}

impl IncidentHandle {
    /// Reads a handle, or answers 404 naming it.
    pub fn parse(handle: &str) -> Result<IncidentHandle, ApiError> {
        hindsight_core::parse_incident_handle(handle)
            .map(|number| IncidentHandle { handle: handle.to_string(), number })
            .ok_or_else(|| ApiError::NotFound(format!("incident {handle:?} not found: handles look like INC-42")))
    }
}

impl std::ops::Deref for IncidentHandle {
    type Target = str;

    /// The handle as the path wrote it.
    fn deref(&self) -> &str {
        &self.handle
    }
}

impl std::fmt::Display for IncidentHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.handle)
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for IncidentHandle {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let params = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let handle = params.iter().find(|(name, _)| *name == "handle").map(|(_, value)| value).unwrap_or_default();
        IncidentHandle::parse(handle).map_err(|missing| {
            if parts.uri.path().starts_with("/api/") {
                missing.into_response()
            } else {
                crate::web::PageError::from(missing).into_response()
            }
        })
    }
}

/// Reads an optional RFC 3339 query time, naming the parameter when it is wrong.
fn query_time(name: &str, value: Option<&str>) -> Result<Option<time::OffsetDateTime>, ApiError> {
    value
        .map(|v| {
            let at = time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).map_err(|_| {
                ApiError::BadRequest {
                    detail: format!("{name} must be an RFC 3339 time such as 2026-11-25T10:00:00Z"),
                    field: Some(name.to_string()),
                }
            })?;
            hindsight_core::validate::time_in_range(at).map(|()| at).map_err(|message| ApiError::BadRequest {
                detail: format!("{name} {message}"),
                field: Some(name.to_string()),
            })
        })
        .transpose()
}

/// Reads an optional word query parameter into its enum, naming the parameter when it is wrong.
fn query_word<T: std::str::FromStr>(name: &str, value: Option<&str>) -> Result<Option<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    value
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<T>()
                .map_err(|e| ApiError::BadRequest { detail: format!("{name}: {e}"), field: Some(name.to_string()) })
        })
        .transpose()
}
