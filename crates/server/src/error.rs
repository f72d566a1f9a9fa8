//! API errors as `application/problem+json` (RFC 9457): a stable `type`, a human
//! `detail`, and for validation errors the path of every field at fault.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hindsight_core::{FieldError, ValidationErrors};
use hindsight_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// An answer that is not a success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("sign in first: send a session cookie or an `Authorization: Bearer` API token")]
    Unauthenticated,
    #[error(
        "the API token is invalid or revoked: send `Authorization: Bearer` with a current token \
         (create one under your account's tokens)"
    )]
    InvalidToken,
    #[error("wrong username or password")]
    WrongCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{detail}")]
    Conflict { detail: String, current_version: Option<i64>, current: Option<Box<serde_json::Value>> },
    #[error("{0}")]
    Invalid(ValidationErrors),
    #[error("{detail}")]
    BadRequest { detail: String, field: Option<String> },
    /// Refused for now; may be tried again after `retry_after` seconds (sent as `Retry-After`).
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    #[error("the request body is larger than this server accepts (see max_body_bytes)")]
    PayloadTooLarge,
    #[error("internal error")]
    Internal(String),
}

/// The body of every error answer.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Every field at fault, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<FieldError>,
    /// The version now stored, for conflicts.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub current_version: Option<i64>,
    /// The state now stored, for conflicts: merge your change into it and retry.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
    /// For a failure on the server's side (5xx), the request's id (also answered as
    /// `X-Request-Id`): the server's log names the cause beside it; quote it when reporting.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_id: Option<String>,
}

/// The request's id, for an answer with this status: only failures on the server's side name it.
pub(crate) fn request_id_for(status: StatusCode) -> Option<String> {
    if status.is_server_error() { crate::request_id::current() } else { None }
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", "Not signed in"),
            ApiError::InvalidToken => (StatusCode::UNAUTHORIZED, "invalid-token", "Invalid or revoked token"),
            ApiError::WrongCredentials => (StatusCode::UNAUTHORIZED, "wrong-credentials", "Sign-in refused"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::Conflict { .. } => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid input"),
            ApiError::BadRequest { .. } => (StatusCode::BAD_REQUEST, "bad-request", "Bad request"),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "Body too large"),
            ApiError::TooManyRequests { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "too-many-requests", "Too many requests")
            }
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
        }
    }

    /// The problem document this error answers with.
    pub fn problem(&self) -> Problem {
        let (status, kind, title) = self.parts();
        let mut problem = Problem {
            kind: format!("/problems/{kind}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: self.to_string(),
            errors: Vec::new(),
            current_version: None,
            current: None,
            request_id: request_id_for(status),
        };
        match self {
            ApiError::Invalid(errors) => problem.errors = errors.0.clone(),
            ApiError::BadRequest { field: Some(field), detail } => {
                problem.errors = vec![FieldError { field: field.clone(), message: detail.clone() }]
            }
            ApiError::Conflict { current_version, current, .. } => {
                problem.current_version = *current_version;
                problem.current = current.as_ref().map(|c| (**c).clone());
            }
            _ => {}
        }
        problem
    }

    /// Seconds after which a refused request may be tried again, sent as `Retry-After`.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::TooManyRequests { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// Shorthand for a 403 with a reason.
    pub fn forbidden(reason: impl Into<String>) -> ApiError {
        ApiError::Forbidden(reason.into())
    }
}

/// Turns an error answered by a layer or an extractor in plain text (a path that does not
/// parse, a method the route lacks, a body over its limit, a request past its deadline)
/// into a problem document, so that every error under `/api/` is problem+json.
pub(crate) async fn errors_as_problems(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !api || is_problem || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    // Such answers are a line of text; anything longer is cut, not buffered.
    let text = axum::body::to_bytes(body, 4096).await.map(|b| String::from_utf8_lossy(&b).into_owned()).ok();
    let title = status.canonical_reason().unwrap_or("Error").to_string();
    let kind = match status {
        StatusCode::BAD_REQUEST => "bad-request",
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "payload-too-large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
        StatusCode::UNPROCESSABLE_ENTITY => "validation",
        _ if status.is_server_error() => "internal",
        _ => "http-error",
    };
    let detail = match text.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() && !status.is_server_error() => text.to_string(),
        _ => match status {
            StatusCode::NOT_FOUND => "no such endpoint; see /api/v1/openapi.json for the ones there are".to_string(),
            StatusCode::METHOD_NOT_ALLOWED => "this endpoint does not take that method".to_string(),
            StatusCode::REQUEST_TIMEOUT => "the request took too long; try again, or send less at once".to_string(),
            _ => title.clone(),
        },
    };
    let problem = Problem {
        kind: format!("/problems/{kind}"),
        title,
        status: status.as_u16(),
        detail,
        errors: Vec::new(),
        current_version: None,
        current: None,
        request_id: request_id_for(status),
    };
    if status.is_server_error() {
        tracing::error!(
            status = status.as_u16(),
            detail = text.as_deref().unwrap_or(""),
            request_id = problem.request_id.as_deref().unwrap_or(""),
            "request failed"
        );
    }
    let mut answer = (status, axum::Json(problem)).into_response();
    for (name, value) in parts.headers.iter().filter(|(name, _)| **name == header::ALLOW) {
        answer.headers_mut().insert(name, value.clone());
    }
    answer.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    answer
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, request_id = problem.request_id.as_deref().unwrap_or(""), "request failed");
        }
        let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(problem)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if status == StatusCode::UNAUTHORIZED {
            // RFC 6750: a token that was sent but is not accepted says so.
            let challenge = if matches!(self, ApiError::InvalidToken) {
                "Bearer realm=\"hindsight\", error=\"invalid_token\""
            } else {
                "Bearer realm=\"hindsight\""
            };
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        if let Some(seconds) = self.retry_after() {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<hindsight_app::AppError> for ApiError {
    fn from(err: hindsight_app::AppError) -> ApiError {
        match err {
            hindsight_app::AppError::Store(e) => ApiError::from(e),
            hindsight_app::AppError::Forbidden(reason) => ApiError::Forbidden(reason),
            hindsight_app::AppError::Invalid(errors) => ApiError::Invalid(errors),
            hindsight_app::AppError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::NotFound(what) => ApiError::NotFound(format!("{what} not found (or not visible to you)")),
            StoreError::Conflict { what, based_on, current_version, current } => ApiError::Conflict {
                detail: format!(
                    "{what} was changed by someone else: your change is based on version {based_on}, \
                     it is now at version {current_version}; merge into the current state and retry"
                ),
                current_version: Some(current_version),
                current: Some(current),
            },
            StoreError::Duplicate { field, value } => ApiError::Conflict {
                detail: format!("{field} {value:?} is already taken"),
                current_version: None,
                current: None,
            },
            StoreError::Invalid(errors) => ApiError::Invalid(errors),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> ApiError {
        ApiError::Invalid(errors)
    }
}
