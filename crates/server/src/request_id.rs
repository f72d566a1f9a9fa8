//! Every request gets an id: answered as `X-Request-Id`, written beside the cause when the
//! request fails on the server's side, and shown in that failure's answer (the problem's
//! `request_id`, the error page), so that the person who met the failure can quote what an
//! operator then finds in the log.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The header the id is answered in.
pub const HEADER: &str = "x-request-id";

/// Gives the request an id for as long as it is handled, and answers it.
pub(crate) async fn assign(request: Request, next: Next) -> Response {
    let id = uuid::Uuid::now_v7().simple().to_string();
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

/// The id of the request being handled, if any (none outside a request).
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}
