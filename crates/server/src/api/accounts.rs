//! Users, API tokens, teams, services and settings. Anyone signed in may read
//! them; changing them is for admins (and, for tokens, the user themselves).
//!
//! The changes are use cases of `hindsight_app::accounts`, which the admin pages and the
//! command line call too: each checks who may do it and appends its audit event in the
//! change's own transaction.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hindsight_app::accounts::{self, CreateService, CreateUser, CreatedToken, UpdateService, UpdateUser};
use hindsight_core::{ApiToken, Service, Team, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::state::AppState;

/// What the server is configured with, as clients need it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SettingsInfo {
    /// Display labels of SEV1..SEV5.
    pub severity_labels: BTreeMap<String, String>,
}

/// Server settings clients need.
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings", responses((status = 200, description = "Settings", body = SettingsInfo)))]
pub async fn settings(State(state): State<AppState>, _caller: Caller) -> Json<SettingsInfo> {
    Json(SettingsInfo { severity_labels: state.settings.severity_labels.clone() })
}

// ---- users ----

/// Every user.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", responses((status = 200, description = "Users by username", body = Vec<User>)))]
pub async fn list_users(State(state): State<AppState>, _caller: Caller) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(state.store.list_users().await?))
}

/// Create an account. Admins only.
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = CreateUser, responses(
    (status = 201, description = "Created", body = User),
    (status = 403, description = "Admins only", body = Problem),
    (status = 409, description = "Username taken", body = Problem),
    (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(new): JsonBody<CreateUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    Ok((StatusCode::CREATED, Json(accounts::create_user(&state.store, &caller.actor(), new).await?)))
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{username}", tag = "accounts", params(("username" = String, Path)), responses(
    (status = 200, description = "The user", body = User),
    (status = 404, description = "No such user", body = Problem)))]
pub async fn get_user(
    State(state): State<AppState>,
    _caller: Caller,
    Path(username): Path<String>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(state.store.user_by_username(&username).await?))
}

/// Change an account: users may change their own name, email and password (giving the
/// current one); admins anything.
#[utoipa::path(patch, path = "/api/v1/users/{username}", tag = "accounts", params(("username" = String, Path)), request_body = UpdateUser, responses(
    (status = 200, description = "Changed", body = User),
    (status = 403, description = "Not yours to change", body = Problem),
    (status = 404, description = "No such user", body = Problem),
    (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
    JsonBody(change): JsonBody<UpdateUser>,
) -> Result<Json<User>, ApiError> {
    // Whoever changes their own password from a browser stays signed in there.
    let keep_session = caller.session_token_hash();
    Ok(Json(accounts::update_user(&state.store, &caller.actor(), &username, change, keep_session).await?))
}

// ---- tokens ----

/// A new token's name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// What the token is for, e.g. "CI import job".
    pub name: String,
}

/// A user's API tokens (never their secrets). The user themselves or an admin.
#[utoipa::path(get, path = "/api/v1/users/{username}/tokens", tag = "accounts", params(("username" = String, Path)), responses(
    (status = 200, description = "Tokens, newest first", body = Vec<ApiToken>),
    (status = 403, description = "Not yours", body = Problem)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    caller.require_self_or_admin(&username)?;
    Ok(Json(state.store.list_tokens(&username).await?))
}

/// Create an API token for a user; the answer shows its secret once.
#[utoipa::path(post, path = "/api/v1/users/{username}/tokens", tag = "accounts", params(("username" = String, Path)), request_body = CreateToken, responses(
    (status = 201, description = "Created", body = CreatedToken),
    (status = 403, description = "Not yours", body = Problem),
    (status = 404, description = "No such user", body = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
    JsonBody(new): JsonBody<CreateToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    Ok((StatusCode::CREATED, Json(accounts::create_token(&state.store, &caller.actor(), &username, &new.name).await?)))
}

/// Revoke an API token; it stops working at once. Its owner or an admin.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts", params(("id" = String, Path)), responses(
    (status = 200, description = "Revoked", body = ApiToken),
    (status = 403, description = "Not yours", body = Problem),
    (status = 404, description = "No such token", body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ApiToken>, ApiError> {
    Ok(Json(accounts::revoke_token(&state.store, &caller.actor(), &id).await?))
}

// ---- teams ----

/// A new team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeam {
    pub slug: String,
    pub name: String,
}

/// A team's new name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTeam {
    pub name: String,
}

/// Every team.
#[utoipa::path(get, path = "/api/v1/teams", tag = "teams", responses((status = 200, description = "Teams by slug", body = Vec<Team>)))]
pub async fn list_teams(State(state): State<AppState>, _caller: Caller) -> Result<Json<Vec<Team>>, ApiError> {
    Ok(Json(state.store.list_teams().await?))
}

/// Create a team. Admins only.
#[utoipa::path(post, path = "/api/v1/teams", tag = "teams", request_body = CreateTeam, responses(
    (status = 201, description = "Created", body = Team),
    (status = 403, description = "Admins only", body = Problem),
    (status = 409, description = "Slug taken", body = Problem),
    (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn create_team(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(new): JsonBody<CreateTeam>,
) -> Result<(StatusCode, Json<Team>), ApiError> {
    Ok((StatusCode::CREATED, Json(accounts::create_team(&state.store, &caller.actor(), &new.slug, &new.name).await?)))
}

/// One team and its members.
#[utoipa::path(get, path = "/api/v1/teams/{slug}", tag = "teams", params(("slug" = String, Path)), responses(
    (status = 200, description = "The team", body = Team),
    (status = 404, description = "No such team", body = Problem)))]
pub async fn get_team(
    State(state): State<AppState>,
    _caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Team>, ApiError> {
    Ok(Json(state.store.team(&slug).await?))
}

/// Rename a team. Admins only.
#[utoipa::path(patch, path = "/api/v1/teams/{slug}", tag = "teams", params(("slug" = String, Path)), request_body = UpdateTeam, responses(
    (status = 200, description = "Renamed", body = Team),
    (status = 403, description = "Admins only", body = Problem),
    (status = 404, description = "No such team", body = Problem)))]
pub async fn update_team(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    JsonBody(change): JsonBody<UpdateTeam>,
) -> Result<Json<Team>, ApiError> {
    Ok(Json(accounts::rename_team(&state.store, &caller.actor(), &slug, &change.name).await?))
}

/// Delete a team. Admins only.
#[utoipa::path(delete, path = "/api/v1/teams/{slug}", tag = "teams", params(("slug" = String, Path)), responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "Admins only", body = Problem),
    (status = 404, description = "No such team", body = Problem)))]
pub async fn delete_team(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<StatusCode, ApiError> {
    accounts::delete_team(&state.store, &caller.actor(), &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a user to a team. Admins only.
#[utoipa::path(put, path = "/api/v1/teams/{slug}/members/{username}", tag = "teams",
    params(("slug" = String, Path), ("username" = String, Path)), responses(
    (status = 200, description = "The team with its members", body = Team),
    (status = 403, description = "Admins only", body = Problem),
    (status = 404, description = "No such team or user", body = Problem)))]
pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, username)): Path<(String, String)>,
) -> Result<Json<Team>, ApiError> {
    Ok(Json(accounts::set_membership(&state.store, &caller.actor(), &slug, &username, true).await?))
}

/// Remove a user from a team. Admins only.
#[utoipa::path(delete, path = "/api/v1/teams/{slug}/members/{username}", tag = "teams",
    params(("slug" = String, Path), ("username" = String, Path)), responses(
    (status = 200, description = "The team with its members", body = Team),
    (status = 403, description = "Admins only", body = Problem),
    (status = 404, description = "No such team, user or membership", body = Problem)))]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, username)): Path<(String, String)>,
) -> Result<Json<Team>, ApiError> {
    Ok(Json(accounts::set_membership(&state.store, &caller.actor(), &slug, &username, false).await?))
}

// ---- services ----

/// Every service.
#[utoipa::path(get, path = "/api/v1/services", tag = "services", responses((status = 200, description = "Services by slug", body = Vec<Service>)))]
pub async fn list_services(State(state): State<AppState>, _caller: Caller) -> Result<Json<Vec<Service>>, ApiError> {
    Ok(Json(state.store.list_services().await?))
}

/// Create a service. Admins only.
#[utoipa::path(post, path = "/api/v1/services", tag = "services", request_body = CreateService, responses(
    (status = 201, description = "Created", body = Service),
    (status = 403, description = "Admins only", body = Problem),
    (status = 409, description = "Slug taken", body = Problem),
    (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn create_service(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(new): JsonBody<CreateService>,
) -> Result<(StatusCode, Json<Service>), ApiError> {
    Ok((StatusCode::CREATED, Json(accounts::create_service(&state.store, &caller.actor(), new).await?)))
}

/// One service.
#[utoipa::path(get, path = "/api/v1/services/{slug}", tag = "services", params(("slug" = String, Path)), responses(
    (status = 200, description = "The service", body = Service),
    (status = 404, description = "No such service", body = Problem)))]
pub async fn get_service(
    State(state): State<AppState>,
    _caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Service>, ApiError> {
    Ok(Json(state.store.service(&slug).await?))
}

/// Rename a service or change its owning team. Admins only.
#[utoipa::path(patch, path = "/api/v1/services/{slug}", tag = "services", params(("slug" = String, Path)), request_body = UpdateService, responses(
    (status = 200, description = "Changed", body = Service),
    (status = 403, description = "Admins only", body = Problem),
    (status = 404, description = "No such service", body = Problem),
    (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn update_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    JsonBody(change): JsonBody<UpdateService>,
) -> Result<Json<Service>, ApiError> {
    Ok(Json(accounts::update_service(&state.store, &caller.actor(), &slug, change).await?))
}

/// Delete a service; incidents keep everything but the link to it. Admins only.
#[utoipa::path(delete, path = "/api/v1/services/{slug}", tag = "services", params(("slug" = String, Path)), responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "Admins only", body = Problem),
    (status = 404, description = "No such service", body = Problem)))]
pub async fn delete_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<StatusCode, ApiError> {
    accounts::delete_service(&state.store, &caller.actor(), &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}
