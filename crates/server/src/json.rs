//! A JSON body extractor whose errors name the field at fault.
//!
//! Neither a body nor a query string may carry the NUL character (U+0000) in any text:
//! PostgreSQL cannot keep it, so it is refused with 422 naming the field on every database.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use hindsight_core::ValidationErrors;
use hindsight_core::validate::{NUL_MESSAGE, nul_path};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A request body parsed as JSON into `T`, refusing unknown fields where `T` does.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(ApiError::BadRequest {
                detail: "send the body as JSON with `Content-Type: application/json`".into(),
                field: None,
            });
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest { detail: format!("could not read the body: {e}"), field: None }
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses JSON, reporting the path of the field at fault and what was expected; a text
/// holding the NUL character is refused with 422 naming its path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    refuse_nul_in_json(bytes)?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = if path == "." || path.is_empty() { None } else { Some(path.clone()) };
        let detail = match &field {
            Some(path) => format!("{path}: {inner}"),
            None => format!("the body is not valid JSON for this endpoint: {inner}"),
        };
        ApiError::BadRequest { detail, field }
    })
}

/// Refuses JSON text with the NUL character in a string. JSON can only write it as an
/// escape, so bodies without `\u0000` are not parsed twice.
fn refuse_nul_in_json(bytes: &[u8]) -> Result<(), ApiError> {
    if !bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Ok(());
    }
    // Bad JSON is left to the typed parse, which says what is wrong with it.
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else { return Ok(()) };
    match nul_path(&value) {
        Some(path) => Err(ApiError::Invalid(ValidationErrors::single(path, NUL_MESSAGE))),
        None => Ok(()),
    }
}

/// Refuses form or query fields (`name=value` pairs, decoded) with the NUL character,
/// naming the first such field.
pub fn refuse_nul_in_fields<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<(), ApiError> {
    match pairs.into_iter().find(|(name, value)| name.contains('\0') || value.contains('\0')) {
        Some((name, _)) => Err(ApiError::Invalid(ValidationErrors::single(name, NUL_MESSAGE))),
        None => Ok(()),
    }
}

/// The decoded `name=value` pairs of a form body or query string (none when unreadable).
pub fn form_pairs(text: &[u8]) -> Vec<(String, String)> {
    serde_html_form::from_bytes::<Vec<(String, String)>>(text).unwrap_or_default()
}

/// Query-string parameters parsed into `T`, with errors that say which parameter is wrong.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let pairs = form_pairs(parts.uri.query().unwrap_or("").as_bytes());
        refuse_nul_in_fields(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        axum::extract::Query::<T>::try_from_uri(&parts.uri).map(|q| Params(q.0)).map_err(|e| ApiError::BadRequest {
            detail: format!("bad query parameter: {}", e.body_text()),
            field: None,
        })
    }
}
