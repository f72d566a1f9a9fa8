//! The incident list with its filters, and an incident's page with its timeline,
//! post-mortem and action items.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hindsight_core::{IncidentStatus, Severity};

use super::kit::{Chrome, Notice, PageError, Signed, urlencode};
use super::view::{self, EventRow, IncidentRow, ItemRow, SectionView};
use crate::api::incidents::IncidentQuery;
use crate::error::ApiError;
use crate::json::Params;
use crate::state::AppState;

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
    notice: Notice,
    Params(query): Params<IncidentQuery>,
) -> Result<Response, PageError> {
    let chrome = Chrome::of(&caller).with_notice(notice);
    let services: Vec<String> = state.store.list_services().await?.into_iter().map(|s| s.slug).collect();
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
    let list = state.store.list_incidents(&caller.viewer, &filter, query.cursor.as_deref(), limit).await?;
    page.total = state.store.count_incidents(&caller.viewer, &filter).await?;
    let labels = &state.settings.severity_labels;
    page.rows = list
        .items
        .iter()
        .map(|i| IncidentRow::new(i, labels.get(&i.severity.to_string()).map(String::as_str).unwrap_or("")))
        .collect();
    page.next_url = list.next_cursor.map(|cursor| {
        format!(
            "/incidents?status={}&severity={}&service={}&cursor={}",
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
    notice: Notice,
    Path(handle): Path<String>,
) -> Result<Response, PageError> {
    let number = hindsight_core::parse_incident_handle(&handle)
        .ok_or_else(|| PageError::from(ApiError::NotFound(format!("incident {handle:?} not found"))))?;
    let evidence = crate::review::gather(&state.store, &caller.viewer, number).await?;
    let report = crate::review::policy(&evidence, &state.effective_settings().await?);
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
        chrome: Chrome::of(&caller).with_notice(notice),
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
