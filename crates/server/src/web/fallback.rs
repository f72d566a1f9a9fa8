//! What an address the server has no route for answers, and a known address asked
//! with a method it does not take: a styled page for people, problem+json under `/api/`.

use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::kit::PageError;
use crate::error::{ApiError, Problem};

/// No route for this address.
pub async fn not_found(uri: Uri) -> Response {
    let path = uri.path();
    if is_api(path) {
        return ApiError::NotFound(format!("there is no API endpoint at {path}; see /api/v1/openapi.json"))
            .into_response();
    }
    PageError::new(
        StatusCode::NOT_FOUND,
        format!("There is no page at {path}. The address may be mistyped, or the page moved; start again from the home page."),
    )
    .into_response()
}

/// A known address asked with a method it does not take.
pub async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if is_api(path) {
        let problem = Problem {
            kind: "/problems/method-not-allowed".into(),
            title: "Method not allowed".into(),
            status: StatusCode::METHOD_NOT_ALLOWED.as_u16(),
            detail: format!("{path} does not take {method}; see /api/v1/openapi.json for the methods it takes"),
            errors: Vec::new(),
            current_version: None,
            current: None,
            request_id: None,
        };
        let mut response = (StatusCode::METHOD_NOT_ALLOWED, axum::Json(problem)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        return response;
    }
    PageError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{path} takes forms sent from Hindsight's pages, not a {method} request. Open the page the form is on and send it from there."),
    )
    .into_response()
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}
