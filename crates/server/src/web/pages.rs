//! Page handlers: parse, ask the store as the signed-in person, render.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hindsight_core::{IncidentStatus, Severity};

use serde::Deserialize;

use super::view::{self, EventRow, IncidentRow, ItemRow, SectionView};
use crate::api::incidents::IncidentQuery;
use crate::api::session::{Login, clearing_cookie, open_session};
use crate::auth::{self, Caller, Credential, PeerAddr};
use crate::error::ApiError;
use crate::json::Params;
use crate::state::AppState;

/// The signed-in person on a page; anyone else is sent to the sign-in page.
pub struct Signed(Caller);

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match auth::identify(parts, state).await {
            Ok(Some(caller)) => Ok(Signed(caller)),
            Ok(None) | Err(ApiError::Unauthenticated) => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                Err(Redirect::to(&format!("/login?next={}", urlencode(next))).into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A local path to go to after signing in; anything else goes home.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".into(),
    }
}

/// What every signed-in page shows in its header.
pub struct Chrome {
    pub username: String,
    pub role: String,
    pub csrf_token: String,
}

impl Chrome {
    fn of(caller: &Caller) -> Chrome {
        Chrome {
            username: caller.viewer.username.clone(),
            role: caller.viewer.role.to_string(),
            csrf_token: match &caller.credential {
                Credential::Session { csrf_token, .. } => csrf_token.clone(),
                Credential::Token => String::new(),
            },
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    error: Option<String>,
    username: String,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(Params(query): Params<NextQuery>) -> impl IntoResponse {
    LoginPage { next: safe_next(query.next.as_deref()), error: None, username: String::new() }
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    PeerAddr(peer): PeerAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    if !auth::same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-site sign-in refused").into_response();
    }
    let login = Login { username: form.username.clone(), password: form.password };
    match open_session(&state, peer, &login).await {
        Ok((_, cookie)) => {
            let mut response = Redirect::to(&next).into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Err(e) => {
            let (status, message) = match e {
                ApiError::Unauthenticated => (StatusCode::UNAUTHORIZED, "Wrong username or password.".to_string()),
                other => {
                    (StatusCode::from_u16(other.problem().status).unwrap_or(StatusCode::BAD_REQUEST), other.to_string())
                }
            };
            (status, LoginPage { next, error: Some(message), username: form.username }).into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf_token: String,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(caller): Signed,
    Form(form): Form<LogoutForm>,
) -> Response {
    if let Credential::Session { csrf_token, token_hash } = &caller.credential {
        if !auth::same_origin(&headers) || !auth::secrets_match(&form.csrf_token, csrf_token) {
            return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
        }
        if let Err(e) = state.store.delete_session(token_hash).await {
            return ApiError::from(e).into_response();
        }
    }
    let mut response = Redirect::to("/login").into_response();
    if let Ok(value) = HeaderValue::from_str(&clearing_cookie(&state)) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents.html")]
struct IncidentsPage {
    chrome: Chrome,
    rows: Vec<IncidentRow>,
    total: i64,
    next_url: Option<String>,
    status: String,
    severity: String,
    service: String,
    statuses: Vec<&'static str>,
    severities: Vec<String>,
    services: Vec<String>,
    error: Option<String>,
}

pub async fn incidents(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Params(query): Params<IncidentQuery>,
) -> Result<Response, Response> {
    let fail = |e: ApiError| e.into_response();
    let chrome = Chrome::of(&caller);
    let services: Vec<String> =
        state.store.list_services().await.map_err(|e| fail(e.into()))?.into_iter().map(|s| s.slug).collect();
    let mut page = IncidentsPage {
        chrome,
        rows: Vec::new(),
        total: 0,
        next_url: None,
        status: query.status.clone().unwrap_or_default(),
        severity: query.severity.clone().unwrap_or_default(),
        service: query.service.clone().unwrap_or_default(),
        statuses: IncidentStatus::ALL.iter().map(|s| s.as_str()).collect(),
        severities: (1..=5).filter_map(Severity::new).map(|s| s.to_string()).collect(),
        services,
        error: None,
    };
    let filter = match query.filter() {
        Ok(filter) => filter,
        Err(e) => {
            page.error = Some(e.to_string());
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    let limit = query.limit.unwrap_or(50);
    let list = state
        .store
        .list_incidents(&caller.viewer, &filter, query.cursor.as_deref(), limit)
        .await
        .map_err(|e| fail(e.into()))?;
    page.total = state.store.count_incidents(&caller.viewer, &filter).await.map_err(|e| fail(e.into()))?;
    let labels = &state.settings.severity_labels;
    page.rows = list
        .items
        .iter()
        .map(|i| IncidentRow::new(i, labels.get(&i.severity.to_string()).map(String::as_str).unwrap_or("")))
        .collect();
    page.next_url = list.next_cursor.map(|cursor| {
        format!(
            "/?status={}&severity={}&service={}&cursor={}",
            urlencode(&page.status),
            urlencode(&page.severity),
            urlencode(&page.service),
            urlencode(&cursor)
        )
    });
    Ok(page.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "incident.html")]
struct IncidentPage {
    chrome: Chrome,
    row: IncidentRow,
    description: String,
    detection_method: String,
    teams: String,
    moments: Vec<(&'static str, String)>,
    durations: Vec<(&'static str, String)>,
    responders: Vec<(String, String)>,
    events: Vec<EventRow>,
    postmortem_status: Option<String>,
    sections: Vec<SectionView>,
    items: Vec<ItemRow>,
    /// Whether a post-mortem is needed: required, recommended or not needed.
    necessity: String,
    /// (necessity, criterion, explanation) of each reason.
    reasons: Vec<(String, String, String)>,
    /// (kind, message) of each response finding.
    findings: Vec<(String, String)>,
}

pub async fn incident(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Path(handle): Path<String>,
) -> Result<Response, Response> {
    let fail = |e: ApiError| e.into_response();
    let number = hindsight_core::parse_incident_handle(&handle)
        .ok_or_else(|| fail(ApiError::NotFound(format!("incident {handle:?} not found"))))?;
    let evidence = crate::review::gather(&state.store, &caller.viewer, number).await.map_err(|e| fail(e.into()))?;
    let report = crate::review::policy(&evidence, &state.settings);
    let decision = serde_json::to_value(&report.decision).unwrap_or_default();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").replace('_', " ");
    let necessity = text(&decision["necessity"]);
    let reasons = decision["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| (text(&r["necessity"]), text(&r["criterion"]), text(&r["explanation"])))
        .collect();
    let findings = report
        .response
        .iter()
        .filter_map(|f| serde_json::to_value(f).ok())
        .map(|f| (text(&f["kind"]), text(&f["message"])))
        .collect();
    let crate::review::Evidence { incident, events, postmortem, action_items } = evidence;
    let m = &incident.moments;
    let label = state.settings.severity_labels.get(&incident.severity.to_string()).cloned().unwrap_or_default();
    let page = IncidentPage {
        chrome: Chrome::of(&caller),
        row: IncidentRow::new(&incident, &label),
        description: incident.description.clone(),
        detection_method: incident.detection_method.as_str().replace('_', " "),
        teams: incident.teams.join(", "),
        moments: vec![
            ("Started", view::when_opt(m.started_at)),
            ("Detected", view::when_opt(m.detected_at)),
            ("Acknowledged", view::when_opt(m.acknowledged_at)),
            ("Mitigated", view::when_opt(m.mitigated_at)),
            ("Resolved", view::when_opt(m.resolved_at)),
        ],
        durations: vec![
            ("Time to detect", view::between(m.started_at, m.detected_at)),
            ("Time to acknowledge", view::between(m.started_at, m.acknowledged_at)),
            ("Time to mitigate", view::between(m.started_at, m.mitigated_at)),
            ("Time to resolve", view::between(m.started_at, m.resolved_at)),
        ],
        responders: incident
            .responders
            .iter()
            .map(|r| (r.username.clone(), r.role.as_str().replace('_', " ")))
            .collect(),
        events: events.iter().map(EventRow::new).collect(),
        postmortem_status: postmortem.as_ref().map(|pm| pm.status.as_str().replace('_', " ")),
        sections: postmortem.as_ref().map(view::sections).unwrap_or_default(),
        items: action_items.iter().map(ItemRow::new).collect(),
        necessity,
        reasons,
        findings,
    };
    Ok(page.into_response())
}
