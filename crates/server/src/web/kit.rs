//! What every page handler shares: the signed-in person (`Signed`), the page header
//! (`Chrome`), posted forms checked against cross-site requests (`Posted`), and
//! errors shown as a page rather than as JSON (`PageError`).

use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

use crate::auth::{self, Caller, Credential};
use crate::error::ApiError;
use crate::state::AppState;

/// The signed-in person on a page; anyone else is sent to the sign-in page. A page to show
/// (a `GET`) comes with their unread notifications counted, for its header.
pub struct Signed(pub Caller);

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match auth::identify(parts, state).await {
            Ok(Some(mut caller)) => {
                if parts.method == axum::http::Method::GET {
                    let unread = hindsight_app::notifications::unread(&state.store, &caller.actor()).await;
                    caller.unread = Some(unread.map_err(|e| PageError::from(ApiError::from(e)).into_response())?);
                }
                Ok(Signed(caller))
            }
            Ok(None) | Err(ApiError::Unauthenticated | ApiError::InvalidToken) => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                Err(Redirect::to(&format!("/login?next={}", urlencode(next))).into_response())
            }
            Err(e) => Err(PageError::from(e).into_response()),
        }
    }
}

/// Percent-encodes text for a query parameter or path segment.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A local path to go to after signing in; anything else goes home.
///
/// Local means one `/` not followed by another, no `\` anywhere (browsers read `//host`
/// and `/\host` as another site), and no control character or white space
/// anywhere: browsers drop tabs and newlines from a URL, so `/\t/host` is `//host`, and a
/// newline cannot go into a `Location` header.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            n.to_string()
        }
        _ => "/".into(),
    }
}

/// What every signed-in page shows in its header, and what the person may do.
pub struct Chrome {
    pub username: String,
    pub role: String,
    pub csrf_token: String,
    /// Editors and admins: show the forms that change things.
    pub can_write: bool,
    /// Admins: show the admin pages.
    pub is_admin: bool,
    /// A short message about what the last form did (`?notice=`), shown once.
    pub notice: Option<String>,
    /// Unread notifications, as the header shows them (`3`, `99+`); none when there are none.
    pub unread: Option<String>,
}

impl Chrome {
    pub fn of(caller: &Caller) -> Chrome {
        Chrome {
            username: caller.viewer.username.clone(),
            role: caller.viewer.role.to_string(),
            csrf_token: match &caller.credential {
                Credential::Session { csrf_token, .. } => csrf_token.clone(),
                Credential::Token => String::new(),
            },
            can_write: caller.viewer.role.can_write(),
            is_admin: caller.viewer.role.is_admin(),
            notice: None,
            unread: match caller.unread {
                Some(n) if n >= hindsight_store::MAX_UNREAD_COUNTED => Some(format!("{}+", n - 1)),
                Some(n) if n > 0 => Some(n.to_string()),
                _ => None,
            },
        }
    }

    /// The header with the notice the last form left, if any.
    pub fn with_notice(mut self, Notice(notice): Notice) -> Chrome {
        self.notice = notice;
        self
    }
}

/// The `notice` query parameter a form's redirect left for the page to show.
pub struct Notice(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Notice {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let notice = parts
            .uri
            .query()
            .and_then(|q| serde_html_form::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "notice").map(|(_, v)| v))
            .map(|v| v.chars().take(300).collect::<String>())
            .filter(|v| !v.trim().is_empty());
        Ok(Notice(notice))
    }
}

/// The fields of a form that has none besides its CSRF token (a button).
#[derive(Debug, Default, serde::Deserialize)]
pub struct NoFields {}

/// A form posted by the signed-in person from one of our pages: the origin and the
/// form's `csrf_token` field are checked before the fields are read into `T`.
///
/// `T` reads the form with `serde_html_form` (repeated fields into a `Vec`) and must
/// not refuse unknown fields, since `csrf_token` is among them.
pub struct Posted<T> {
    pub caller: Caller,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(request: Request<Body>, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let Signed(caller) = Signed::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, state.settings.max_body_bytes)
            .await
            .map_err(|_| PageError::from(ApiError::PayloadTooLarge).into_response())?;
        check_form_origin(&parts, &caller, &bytes).map_err(IntoResponse::into_response)?;
        let pairs = crate::json::form_pairs(&bytes);
        crate::json::refuse_nul_in_fields(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| PageError::from(e).into_response())?;
        let form = serde_html_form::from_bytes::<T>(&bytes).map_err(|e| {
            PageError::new(StatusCode::BAD_REQUEST, format!("The form could not be read: {e}.")).into_response()
        })?;
        Ok(Posted { caller, form })
    }
}

/// Refuses a form that did not come from our own page: a cross-site origin, or a
/// `csrf_token` field that is not the session's.
pub fn check_form_origin(parts: &Parts, caller: &Caller, body: &[u8]) -> Result<(), PageError> {
    let Credential::Session { csrf_token, .. } = &caller.credential else { return Ok(()) };
    let sent = serde_html_form::from_bytes::<Vec<(String, String)>>(body)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf_token").map(|(_, v)| v))
        .unwrap_or_default();
    check_csrf(parts, csrf_token, &sent)
}

/// A multipart form (an upload) as read: its `file` field, the file's name, and its other
/// fields as text.
pub struct Upload {
    pub file: Bytes,
    pub file_name: String,
    fields: Vec<(String, String)>,
}

impl Upload {
    /// Reads an upload and checks its form token, which comes with its fields rather than
    /// before the handler: refused when it came from a session and another site, or without
    /// the session's token (API tokens need none). `too_large` says what to do about a body
    /// over the route's limit.
    pub async fn read(
        caller: &Caller,
        headers: HeaderMap,
        mut multipart: Multipart,
        too_large: &str,
    ) -> Result<Upload, PageError> {
        let unreadable = |e: MultipartError| {
            let status = e.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                PageError::new(status, too_large)
            } else {
                PageError::new(StatusCode::BAD_REQUEST, format!("The upload could not be read: {}.", e.body_text()))
            }
        };
        let mut upload = Upload { file: Bytes::new(), file_name: String::new(), fields: Vec::new() };
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            let name = field.name().unwrap_or_default().to_string();
            if name == "file" {
                upload.file_name = field.file_name().unwrap_or_default().to_string();
                upload.file = field.bytes().await.map_err(unreadable)?;
            } else {
                upload.fields.push((name, field.text().await.map_err(unreadable)?));
            }
        }
        if let Credential::Session { csrf_token, .. } = &caller.credential {
            let (mut parts, ()) = Request::new(()).into_parts();
            parts.headers = headers;
            check_csrf(&parts, csrf_token, upload.field("csrf_token"))?;
        }
        Ok(upload)
    }

    /// The text of field `name` (the last one sent), or empty.
    pub fn field(&self, name: &str) -> &str {
        self.fields.iter().rev().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }
}

/// Refuses a request whose origin is another site or whose token is not `expected`.
pub fn check_csrf(parts: &Parts, expected: &str, sent: &str) -> Result<(), PageError> {
    if auth::same_origin(&parts.headers) && auth::secrets_match(sent, expected) {
        Ok(())
    } else {
        Err(PageError::new(
            StatusCode::FORBIDDEN,
            "This form was not sent from a Hindsight page of your session (cross-site request refused). \
             Reload the page and try again.",
        ))
    }
}

/// An error shown as a page: what went wrong and a way back.
#[derive(Debug, Template)]
#[template(path = "error.html")]
pub struct PageError {
    pub status: StatusCode,
    pub message: String,
    /// For a failure on the server's side, what caused it: written to the log, never shown.
    cause: Option<String>,
    /// For a failure on the server's side, the request's id, shown so that it can be quoted.
    request_id: Option<String>,
}

impl PageError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> PageError {
        PageError { status, message: message.into(), cause: None, request_id: None }
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        let problem = e.problem();
        // Details are written to follow a colon in the API; a page shows them as a sentence.
        let mut message = sentence(&problem.detail);
        for field in &problem.errors {
            message.push_str(&format!("\n{}: {}", field.field, field.message));
        }
        let cause = match e {
            ApiError::Internal(cause) => Some(cause),
            _ => None,
        };
        PageError {
            status: StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST),
            message,
            cause,
            request_id: None,
        }
    }
}

/// Changes an incident as the signed-in person under the rules in force, through the use
/// case the API calls too (an incident it resolves gets the post-mortem draft it needs);
/// answers the incident as the change left it.
pub async fn update_incident(
    state: &AppState,
    caller: &Caller,
    number: i64,
    patch: hindsight_core::IncidentPatch,
) -> Result<hindsight_core::Incident, ApiError> {
    let rules = state.rules_in_force().await?;
    Ok(hindsight_app::incidents::update(&state.store, &caller.actor(), &rules, number, patch).await?.incident)
}

/// `text` with a capital first letter and a closing full stop.
pub(super) fn sentence(text: &str) -> String {
    let mut chars = text.trim().chars();
    let mut out: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    if !out.is_empty() && !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

impl From<hindsight_app::AppError> for PageError {
    fn from(e: hindsight_app::AppError) -> PageError {
        PageError::from(ApiError::from(e))
    }
}

impl From<hindsight_store::StoreError> for PageError {
    fn from(e: hindsight_store::StoreError) -> PageError {
        PageError::from(ApiError::from(e))
    }
}

impl IntoResponse for PageError {
    fn into_response(mut self) -> Response {
        let status = self.status;
        if status.is_server_error() {
            self.request_id = crate::error::request_id_for(status);
            let cause = self.cause.as_deref().unwrap_or(&self.message);
            tracing::error!(%cause, request_id = self.request_id.as_deref().unwrap_or(""), "page failed");
        }
        match self.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, self.message).into_response(),
        }
    }
}

/// Goes to `path` after a form was handled, with a short notice the page shows.
pub fn see_other_with_notice(path: &str, notice: &str) -> Response {
    let separator = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{separator}notice={}", urlencode(notice))).into_response()
}

/// Reads a time typed into a form: `2026-11-20T10:04` (an `<input type="datetime-local">`,
/// read as UTC) or RFC 3339 with an offset. Empty means none.
pub fn form_time(field: &str, value: &str) -> Result<Option<time::OffsetDateTime>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let minutes = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let seconds = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let at = time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .or_else(|_| time::PrimitiveDateTime::parse(value, &minutes).map(|at| at.assume_utc()))
        .or_else(|_| time::PrimitiveDateTime::parse(value, &seconds).map(|at| at.assume_utc()))
        .map_err(|_| format!("{field}: {value:?} is not a time; use the form 2026-11-20T10:04 (UTC)"))?;
    hindsight_core::validate::time_in_range(at).map(|()| Some(at)).map_err(|message| format!("{field} {message}"))
}

/// A time as a `datetime-local` input's value (UTC, to the minute).
#[allow(dead_code, reason = "the forms that edit times read it")]
pub fn form_time_value(at: Option<time::OffsetDateTime>) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    at.and_then(|at| at.to_offset(time::UtcOffset::UTC).format(&format).ok()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_times_are_read_as_utc_minutes_or_rfc3339() {
        let at = form_time("started", "2026-11-20T10:04").unwrap().unwrap();
        assert_eq!(form_time_value(Some(at)), "2026-11-20T10:04");
        let with_offset = form_time("started", "2026-11-20T12:04:00+02:00").unwrap().unwrap();
        assert_eq!(with_offset, at);
        assert_eq!(form_time("started", "  ").unwrap(), None);
        let error = form_time("started", "yesterday").unwrap_err();
        assert!(error.contains("started") && error.contains("2026-11-20T10:04"), "{error}");
    }

    #[test]
    fn api_details_read_as_sentences_on_a_page() {
        assert_eq!(
            sentence("your role is viewer; writing needs the editor role"),
            "Your role is viewer; writing needs the editor role."
        );
        assert_eq!(sentence("Not found."), "Not found.");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/incidents/INC-1")), "/incidents/INC-1");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
        for off_site in [
            "/\t/127.0.0.1:18199/pwned",
            "/\n",
            "/\r\nLocation: https://evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "/ /evil.example",
            "/\u{a0}/evil.example",
            "/\u{7f}",
            "",
            "evil.example/",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(Some(off_site)), "/", "{off_site:?}");
        }
        assert_eq!(safe_next(Some("/%0d%0a")), "/%0d%0a", "percent-encoded text stays inside the path");
        assert_eq!(safe_next(Some("/incidents?status=open&q=a+b")), "/incidents?status=open&q=a+b");
    }
}
