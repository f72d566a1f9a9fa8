//! Who is calling and what they may do: browser sessions (cookie + CSRF token),
//! personal API tokens (`Authorization: Bearer`), and role checks.
//!
//! Secrets are never stored in the clear: passwords as argon2 hashes, session
//! cookies and API tokens as SHA-256 hashes of 256 random bits.

mod client;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use hindsight_core::access::Viewer;

pub use client::{client_address, parse_trusted_proxy};
pub use hindsight_app::secrets::{hash_password, hash_secret, new_secret, verify_password, verify_password_or_dummy};

use crate::error::ApiError;
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "hindsight_session";
/// Header that carries the session's CSRF token on unsafe requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Longest password, in bytes, a sign-in may send or a person may set (the accounts' rule).
pub use hindsight_app::accounts::MAX_PASSWORD;
/// Longest username a sign-in may name (the sign-in's rule).
pub use hindsight_app::sessions::MAX_USERNAME;
/// Longest secret read from a request (API token, session cookie, CSRF token): ours
/// are 64 hex digits after a short prefix. Anything longer is refused unread.
pub const MAX_SECRET: usize = 128;

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session; carries its CSRF token.
    Session { csrf_token: String, token_hash: String },
    /// A personal API token.
    Token,
}

/// A signed-in caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub viewer: Viewer,
    pub credential: Credential,
    /// Their unread notifications, counted for a page's header; none for API calls.
    pub unread: Option<i64>,
}

impl Caller {
    /// The caller as the use cases know them.
    pub fn actor(&self) -> hindsight_app::Actor {
        hindsight_app::Actor::Person(self.viewer.clone())
    }

    /// Refuses callers who may not write incidents and post-mortems (the use cases' rule).
    pub fn require_write(&self) -> Result<(), ApiError> {
        Ok(self.actor().require_write()?)
    }

    /// Refuses callers who are not admins (the use cases' rule).
    pub fn require_admin(&self) -> Result<(), ApiError> {
        Ok(self.actor().require_admin()?)
    }

    /// The token hash of the browser session this request came with, if it came with one.
    pub fn session_token_hash(&self) -> Option<String> {
        match &self.credential {
            Credential::Session { token_hash, .. } => Some(token_hash.clone()),
            _ => None,
        }
    }

    /// Refuses callers who are neither `username` nor an admin (the use cases' rule).
    pub fn require_self_or_admin(&self, username: &str) -> Result<(), ApiError> {
        Ok(self.actor().require_self_or_admin(username)?)
    }
}

/// Reads a cookie's value from the request.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Checks that an unsafe browser request comes from our own pages: `Sec-Fetch-Site`
/// when the browser sends it, else `Origin` against `Host`.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, rest)| rest == host),
        (Some(_), None) => false,
        // Non-browser clients send neither; the CSRF token still has to match.
        (None, _) => true,
    }
}

/// The address the request came from, when the server knows it.
pub struct PeerAddr(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0)))
    }
}

/// Constant-time comparison of two secrets.
pub fn secrets_match(a: &str, b: &str) -> bool {
    a.len() <= MAX_SECRET && a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Finds who is calling, if anyone: a bearer token first, else the session cookie.
pub async fn identify(parts: &Parts, state: &AppState) -> Result<Option<Caller>, ApiError> {
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
        let token =
            auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).ok_or(ApiError::InvalidToken)?;
        if token.len() > MAX_SECRET {
            return Err(ApiError::InvalidToken);
        }
        let viewer = state.store.viewer_for_token(&hash_secret(token)).await?;
        return match viewer {
            Some(viewer) => Ok(Some(Caller { viewer, credential: Credential::Token, unread: None })),
            None => Err(ApiError::InvalidToken),
        };
    }
    let Some(secret) = cookie(parts, SESSION_COOKIE).filter(|s| s.len() <= MAX_SECRET) else { return Ok(None) };
    let token_hash = hash_secret(secret);
    let Some(session) = state.store.session(&token_hash).await? else { return Ok(None) };
    Ok(Some(Caller {
        viewer: session.viewer,
        credential: Credential::Session { csrf_token: session.csrf_token, token_hash },
        unread: None,
    }))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = identify(parts, state).await?.ok_or(ApiError::Unauthenticated)?;
        if let Credential::Session { csrf_token, .. } = &caller.credential
            && is_unsafe(&parts.method)
        {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !same_origin(&parts.headers) || !secrets_match(sent, csrf_token) {
                return Err(ApiError::forbidden(
                    "cross-site request refused: send the session's CSRF token in the X-CSRF-Token header",
                ));
            }
        }
        Ok(caller)
    }
}
