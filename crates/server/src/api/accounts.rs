//! Users, API tokens, teams, services and settings. Anyone signed in may read
//! them; changing them is for admins (and, for tokens, the user themselves).
//!
//! The changes are `pub(crate)` functions the admin pages call too, so a page and the
//! API check and do exactly the same. Each change is logged at info level under the
//! `hindsight::audit` target with who did what, and appended to the chained
//! `audit_events` table: for users and tokens in the change's own transaction (so a change
//! without its audit event never commits), for teams, services and settings right after it.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hindsight_core::{ApiToken, Role, Service, Team, User};
use hindsight_store::{AuditNote, NewUser, UserPatch};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{self, Caller, Credential};
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::state::AppState;

/// Shortest password accepted.
const MIN_PASSWORD: usize = 12;

fn check_password(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD || password.len() > auth::MAX_PASSWORD {
        return Err(ApiError::Invalid(hindsight_core::ValidationErrors::single(
            "password",
            format!("must be {MIN_PASSWORD} to {} characters", auth::MAX_PASSWORD),
        )));
    }
    Ok(())
}

/// Notes an account or settings change: who, what, to whom, in the chained audit
/// events and the log (see [`super::audit::record`]).
pub(crate) async fn audit(state: &AppState, caller: &Caller, action: &str, subject: &str) {
    super::audit::record(state, caller, action, subject).await;
}

/// The audit note of a change to users or tokens made by `caller`, also logged under the
/// `hindsight::audit` target; the store appends it in the change's transaction.
fn note(caller: &Caller, action: &str, subject: &str) -> AuditNote {
    let actor = caller.viewer.username.as_str();
    tracing::info!(target: "hindsight::audit", actor, action, subject, "account change");
    AuditNote::new(actor, action, subject, serde_json::json!({ "role": caller.viewer.role.to_string() }))
}

/// Refuses a change of one's own password unless `current` is the password now set.
async fn check_current_password(state: &AppState, username: &str, current: Option<String>) -> Result<(), ApiError> {
    let refused = |message: &str| {
        ApiError::Invalid(hindsight_core::ValidationErrors::single("current_password", message.to_string()))
    };
    let current = current.filter(|c| !c.is_empty()).ok_or_else(|| refused("required to change your own password"))?;
    if current.len() > auth::MAX_PASSWORD {
        return Err(refused("does not match your current password"));
    }
    let stored = state.store.credentials(username).await?.and_then(|(_, hash)| hash);
    let matches = tokio::task::spawn_blocking(move || auth::verify_password_or_dummy(&current, stored.as_deref()))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if matches { Ok(()) } else { Err(refused("does not match your current password")) }
}

async fn hash(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)
}

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

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub role: Role,
    /// At least 12 characters; leave out for an account that only uses API tokens.
    #[serde(default)]
    pub password: Option<String>,
}

/// A change to an account; absent fields stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// Admins only.
    pub role: Option<Role>,
    /// Admins only. Disabled users cannot sign in and their sessions and tokens stop working.
    pub disabled: Option<bool>,
    /// At least 12 characters. Setting it ends the person's other sessions (all of them
    /// when an admin sets another person's password).
    pub password: Option<String>,
    /// Your current password: needed to change your own password, not another's.
    pub current_password: Option<String>,
}

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
    Ok((StatusCode::CREATED, Json(create_user_as(&state, &caller, new).await?)))
}

/// Creates an account, as `caller` (an admin).
pub(crate) async fn create_user_as(state: &AppState, caller: &Caller, new: CreateUser) -> Result<User, ApiError> {
    caller.require_admin()?;
    let mut user = NewUser {
        username: new.username,
        display_name: new.display_name,
        email: new.email,
        role: new.role,
        password_hash: None,
    };
    // Every field's problem at once, the password's included.
    let mut errors = user.check().err().unwrap_or_default();
    if let Some(Err(ApiError::Invalid(password))) = new.password.as_deref().map(check_password) {
        errors.0.extend(password.0);
    }
    errors.into_result().map_err(ApiError::Invalid)?;
    if let Some(password) = new.password {
        user.password_hash = Some(hash(password).await?);
    }
    let action = format!("created user with role {}", user.role);
    let note = note(caller, &action, &user.username);
    Ok(state.store.create_user(user, &note).await?)
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
    Ok(Json(update_user_as(&state, &caller, &username, change).await?))
}

/// Changes an account, as `caller`: themselves (name, email, password) or an admin (anything
/// but demoting or disabling themselves).
pub(crate) async fn update_user_as(
    state: &AppState,
    caller: &Caller,
    username: &str,
    change: UpdateUser,
) -> Result<User, ApiError> {
    caller.require_self_or_admin(username)?;
    if (change.role.is_some() || change.disabled.is_some()) && !caller.viewer.role.is_admin() {
        return Err(ApiError::forbidden("only admins may change roles or disable accounts"));
    }
    if caller.viewer.username == username
        && (change.disabled == Some(true)
            || change.role.is_some_and(|r| r != Role::Admin) && caller.viewer.role.is_admin())
    {
        return Err(ApiError::forbidden("admins cannot demote or disable themselves; ask another admin"));
    }
    let own = caller.viewer.username == username;
    let password_hash = match change.password {
        Some(password) => {
            if own {
                check_current_password(state, username, change.current_password).await?;
            }
            check_password(&password)?;
            Some(hash(password).await?)
        }
        None => None,
    };
    // Whoever changed their own password from a browser stays signed in there.
    let keep_session = match &caller.credential {
        Credential::Session { token_hash, .. } if own => Some(token_hash.clone()),
        _ => None,
    };
    let mut what = Vec::new();
    if let Some(role) = change.role {
        what.push(format!("role to {role}"));
    }
    if let Some(disabled) = change.disabled {
        what.push(if disabled { "disabled the account".into() } else { "enabled the account".into() });
    }
    if password_hash.is_some() {
        what.push("set the password".into());
    }
    if change.display_name.is_some() || change.email.is_some() {
        what.push("changed name or email".into());
    }
    let patch = UserPatch {
        display_name: change.display_name,
        email: change.email.map(|e| Some(e).filter(|e| !e.is_empty())),
        role: change.role,
        disabled: change.disabled,
        password_hash,
        keep_session,
    };
    let note = note(caller, &format!("changed user: {}", what.join(", ")), username);
    Ok(state.store.update_user(username, patch, &note).await?)
}

// ---- tokens ----

/// A new token's name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// What the token is for, e.g. "CI import job".
    pub name: String,
}

/// A token just created: `secret` is shown this once and never again.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedToken {
    pub token: ApiToken,
    /// Send as `Authorization: Bearer <secret>`.
    pub secret: String,
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
    Ok((StatusCode::CREATED, Json(create_token_as(&state, &caller, &username, &new.name).await?)))
}

/// Creates an API token for `username`, as `caller` (that user or an admin).
pub(crate) async fn create_token_as(
    state: &AppState,
    caller: &Caller,
    username: &str,
    name: &str,
) -> Result<CreatedToken, ApiError> {
    caller.require_self_or_admin(username)?;
    let secret = auth::new_secret("hs_");
    let token = state
        .store
        .create_token(username, name, &auth::hash_secret(&secret), |id| {
            note(caller, &format!("created API token {id} ({name:?})"), username)
        })
        .await?;
    Ok(CreatedToken { token, secret })
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
    Ok(Json(revoke_token_as(&state, &caller, &id).await?))
}

/// Revokes a token, as `caller` (its owner or an admin).
pub(crate) async fn revoke_token_as(state: &AppState, caller: &Caller, id: &str) -> Result<ApiToken, ApiError> {
    let token = state.store.token(id).await?;
    caller.require_self_or_admin(&token.username)?;
    let note = note(caller, &format!("revoked API token {} ({:?})", token.id, token.name), &token.username);
    Ok(state.store.revoke_token(id, &note).await?)
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
    Ok((StatusCode::CREATED, Json(create_team_as(&state, &caller, &new.slug, &new.name).await?)))
}

/// Creates a team, as `caller` (an admin).
pub(crate) async fn create_team_as(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    name: &str,
) -> Result<Team, ApiError> {
    caller.require_admin()?;
    let team = state.store.create_team(slug, name).await?;
    audit(state, caller, "created team", &team.slug).await;
    Ok(team)
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
    caller.require_admin()?;
    let team = state.store.rename_team(&slug, &change.name).await?;
    audit(&state, &caller, "renamed team", &slug).await;
    Ok(Json(team))
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
    caller.require_admin()?;
    state.store.delete_team(&slug).await?;
    audit(&state, &caller, "deleted team", &slug).await;
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
    Ok(Json(set_membership_as(&state, &caller, &slug, &username, true).await?))
}

/// Adds `username` to the team (`member`) or removes them, as `caller` (an admin).
pub(crate) async fn set_membership_as(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    username: &str,
    member: bool,
) -> Result<Team, ApiError> {
    caller.require_admin()?;
    let team = if member {
        state.store.add_member(slug, username).await?
    } else {
        state.store.remove_member(slug, username).await?
    };
    audit(state, caller, &format!("{} team {slug}", if member { "added to" } else { "removed from" }), username).await;
    Ok(team)
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
    Ok(Json(set_membership_as(&state, &caller, &slug, &username, false).await?))
}

// ---- services ----

/// A new service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateService {
    pub slug: String,
    pub name: String,
    /// Slug of the owning team.
    #[serde(default)]
    pub owner_team: Option<String>,
}

/// A change to a service; absent fields stay, `owner_team: null` removes the owner.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateService {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub owner_team: Option<Option<String>>,
}

fn some<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

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
    Ok((StatusCode::CREATED, Json(create_service_as(&state, &caller, new).await?)))
}

/// Creates a service, as `caller` (an admin).
pub(crate) async fn create_service_as(
    state: &AppState,
    caller: &Caller,
    new: CreateService,
) -> Result<Service, ApiError> {
    caller.require_admin()?;
    let service = state.store.create_service(&new.slug, &new.name, new.owner_team.as_deref()).await?;
    audit(state, caller, "created service", &service.slug).await;
    Ok(service)
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
    caller.require_admin()?;
    let owner = change.owner_team.as_ref().map(|o| o.as_deref());
    let service = state.store.update_service(&slug, change.name.as_deref(), owner).await?;
    audit(&state, &caller, "changed service", &slug).await;
    Ok(Json(service))
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
    caller.require_admin()?;
    state.store.delete_service(&slug).await?;
    audit(&state, &caller, "deleted service", &slug).await;
    Ok(StatusCode::NO_CONTENT)
}
