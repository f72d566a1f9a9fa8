//! Signing in and out of a browser session, and who am I.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hindsight_app::sessions::{self, SignIn, SignInError};
use hindsight_core::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{self, Caller, Credential, PeerAddr, SESSION_COOKIE};
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::state::AppState;

/// Credentials for signing in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub username: String,
    pub password: String,
}

/// The signed-in user and the token to send as `X-CSRF-Token` on unsafe requests.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionInfo {
    pub user: User,
    /// Present for browser sessions.
    pub csrf_token: Option<String>,
}

/// Checks a username and password and opens a session: answers the cookie and CSRF token.
/// The sign-in use case decides; this reads the client's address and writes the cookie.
pub async fn open_session(
    state: &AppState,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    login: &Login,
) -> Result<(SessionInfo, String), ApiError> {
    // Oversized fields first, before anything else reads them.
    sessions::check_lengths(&login.username, &login.password).map_err(ApiError::Invalid)?;
    crate::json::refuse_nul_in_fields([("username", login.username.as_str()), ("password", login.password.as_str())])?;
    let address = auth::client_address(peer.map(|p| p.ip()), headers, &state.settings.trusted_proxies)
        .map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
    let attempt = SignIn { username: &login.username, password: &login.password, address: &address };
    let settings = &state.settings;
    let opened = sessions::sign_in(&state.store, &settings.sign_in_limits, settings.session_hours, &attempt)
        .await
        .map_err(|e| match e {
            SignInError::WrongCredentials => ApiError::WrongCredentials,
            SignInError::TooManyAttempts { seconds, .. } => {
                ApiError::TooManyRequests { detail: e.to_string(), retry_after: seconds }
            }
            SignInError::Refused(refused) => refused.into(),
        })?;
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        opened.secret,
        settings.session_hours * 3600,
        if settings.secure_cookies { "; Secure" } else { "" }
    );
    Ok((SessionInfo { user: opened.user, csrf_token: Some(opened.csrf_token) }, cookie))
}

/// The cookie that ends a session in the browser.
pub fn clearing_cookie(state: &AppState) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if state.settings.secure_cookies { "; Secure" } else { "" }
    )
}

/// Sign in with a username and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", security(()), request_body = Login, responses(
    (status = 200, description = "Signed in", body = SessionInfo),
    (status = 401, description = "Wrong username or password", body = Problem),
    (status = 403, description = "Cross-site request", body = Problem),
    (status = 422, description = "Username or password longer than any that can exist", body = Problem),
    (status = 429, description = "Too many failed attempts", body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    PeerAddr(peer): PeerAddr,
    headers: HeaderMap,
    JsonBody(login): JsonBody<Login>,
) -> Result<Response, ApiError> {
    if !auth::same_origin(&headers) {
        return Err(ApiError::forbidden("cross-site sign-in refused"));
    }
    let (info, cookie) = open_session(&state, peer, &headers, &login).await?;
    let mut response = Json(info).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?);
    Ok(response)
}

/// Sign out: ends this browser session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses(
    (status = 204, description = "Signed out"),
    (status = 401, description = "Not signed in", body = Problem)))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    if let Credential::Session { token_hash, .. } = &caller.credential {
        state.store.delete_session(token_hash).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&clearing_cookie(&state)).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(response)
}

/// Who is signed in.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", responses(
    (status = 200, description = "The caller", body = SessionInfo),
    (status = 401, description = "Not signed in", body = Problem)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<SessionInfo>, ApiError> {
    let user = state.store.user_by_username(&caller.viewer.username).await?;
    let csrf_token = match caller.credential {
        Credential::Session { csrf_token, .. } => Some(csrf_token),
        Credential::Token => None,
    };
    Ok(Json(SessionInfo { user, csrf_token }))
}
