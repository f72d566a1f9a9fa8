//! The incident list with its filters, search, order and paging, and an incident's page:
//! header, key moments and response times with what they are measured from, the
//! policy decision, the timeline by category with its volume chart, post-mortem and
//! action items, and the forms editors use there (status, key-moment override, add
//! an event, import a file).
//!
//! A long timeline is never read whole: the page shows one page of events, the chart
//! is counted by the database, and the policy is weighed on the first events only.
//!
//! `list.rs` is the list and response times, `chart.rs` the volume chart, `forms.rs` the
//! forms on the page; this module builds the page.

mod chart;
mod forms;
mod list;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hindsight_core::metrics::{IncidentMetrics, MomentSource, incident_metrics};
use hindsight_core::{EventKind, IncidentStatus};
use hindsight_store::{ActionItemFilter, EventCategory, StoreError};
use serde::Deserialize;
use time::OffsetDateTime;

use super::kit::{Chrome, Notice, PageError, Signed, urlencode};
use super::view::{self, EventRow, IncidentRow, ItemRow, Label, SectionView};
use crate::api::IncidentHandle;
use crate::auth::Caller;
use crate::json::Params;
use crate::state::AppState;
use hindsight_app::imports::ImportSummary;

use chart::*;
pub use forms::{
    add_event, change_status, clear_recurrence, close_unknown_cause, import, override_moment, reopen_unknown_cause,
    set_recurrence,
};
pub use list::{incidents, response_times, response_times_csv};

/// Incidents per page of the list.
const LIST_PAGE: i64 = 50;
/// How far a list counts what matches before it says "1,000+": counting further would cost
/// every page a pass over all incidents kept.
pub const COUNT_CAP: u32 = 1_000;
/// Timeline events per page of the incident page.
const TIMELINE_PAGE: i64 = 100;
/// Events the page weighs the policy and response analysis on; longer timelines are
/// weighed on their first events (the API's policy endpoint reads up to 20,000).
const ANALYSED_EVENTS: i64 = 500;
/// Slices of the event-volume chart.
const CHART_BUCKETS: usize = 48;
/// The formats the import form offers, as the CLI names them.
const IMPORT_FORMATS: [&str; 9] = [
    "pagerduty-webhook",
    "pagerduty-log",
    "alertmanager",
    "grafana",
    "opsgenie",
    "slack-export",
    "github",
    "jsonl",
    "csv",
];

// ----- The incident page -----

/// Which part of the timeline the page shows.
#[derive(Debug, Default, Deserialize)]
pub struct TimelineQuery {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
}

/// The status form: which status to move to, based on the version shown. Resolving
/// also needs `confirm=yes`, which only the confirmation page sends.
#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    confirm: String,
}

/// A button of the status form: the status it moves to and what it reads.
struct StatusAction {
    word: &'static str,
    label: String,
    /// Resolving goes through a confirmation page first.
    confirm: bool,
}

/// The moves the status form offers from `current`: forward moves by name, moves back
/// as reopening, resolving behind a confirmation.
fn status_actions(current: IncidentStatus) -> Vec<StatusAction> {
    [
        (IncidentStatus::Acknowledged, "Acknowledge"),
        (IncidentStatus::Mitigated, "Mitigate"),
        (IncidentStatus::Resolved, "Resolve…"),
    ]
    .into_iter()
    .filter(|(status, _)| *status != current)
    .map(|(status, label)| StatusAction {
        word: status.as_str(),
        label: if status < current { format!("Reopen as {status}") } else { label.to_string() },
        confirm: status == IncidentStatus::Resolved,
    })
    .collect()
}

/// The page that asks before an incident is resolved.
#[derive(Template, WebTemplate)]
#[template(path = "incident_resolve.html")]
struct ResolvePage {
    chrome: Chrome,
    handle: String,
    title: String,
    version: String,
    /// Whether resolving drafts a post-mortem (the policy requires one and none exists).
    drafts: bool,
}

/// Which version the confirmation is based on.
#[derive(Debug, Default, Deserialize)]
pub struct ResolveQuery {
    #[serde(default)]
    version: Option<String>,
}

/// Asks whether to resolve the incident; the answer posts to the status form.
pub async fn confirm_resolve(
    State(state): State<AppState>,
    Signed(caller): Signed,
    handle: IncidentHandle,
    Params(query): Params<ResolveQuery>,
) -> Result<Response, PageError> {
    caller.require_write()?;
    let incident = state.store.incident(&caller.viewer, handle.number).await?;
    let version = query.version.filter(|v| !v.trim().is_empty()).unwrap_or_else(|| incident.version.to_string());
    Ok(resolve_page(&state, &caller, incident, version).await?.into_response())
}

async fn resolve_page(
    state: &AppState,
    caller: &Caller,
    incident: hindsight_core::Incident,
    version: String,
) -> Result<ResolvePage, PageError> {
    let drafts = match state.store.postmortem_of_incident(&caller.viewer, incident.number).await {
        Ok(_) => false,
        Err(StoreError::NotFound(_)) => {
            let evidence = hindsight_app::analysis::gather(&state.store, &caller.viewer, incident.number).await?;
            let report = hindsight_app::analysis::policy(&evidence, &state.rules_in_force().await?);
            report.decision.necessity == hindsight_core::analysis::Necessity::Required
        }
        Err(e) => return Err(e.into()),
    };
    Ok(ResolvePage { chrome: Chrome::of(caller), handle: incident.handle, title: incident.title, version, drafts })
}

/// The key-moment override form, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct MomentForm {
    #[serde(default)]
    moment: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

/// The "add event" form, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    actor: String,
}

/// What an import did, as the page shows it.
struct ImportResult {
    summary: ImportSummary,
    format: String,
}

/// The page's forms as the person left them, and what was wrong with each.
#[derive(Default)]
struct Forms {
    status_errors: Vec<String>,
    moment: MomentForm,
    moment_errors: Vec<String>,
    event: EventForm,
    event_errors: Vec<String>,
    import_format: String,
    import_errors: Vec<String>,
    import_result: Option<ImportResult>,
    recurrence_errors: Vec<String>,
    /// What was typed into the unknown cause's form.
    finding: forms::FindingForm,
    cause_errors: Vec<String>,
}

/// One response time and the two moments it is measured between.
struct Measure {
    name: &'static str,
    value: String,
    to: String,
}

/// A key moment, when it was, and where that time comes from.
struct MomentView {
    name: &'static str,
    when: String,
    source: &'static str,
}

/// A link that shows one category of the timeline.
struct CategoryLink {
    word: &'static str,
    name: &'static str,
    count: String,
    url: String,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "incident.html")]
struct IncidentPage {
    chrome: Chrome,
    handle: String,
    version: i64,
    row: IncidentRow,
    description: String,
    detection_method: String,
    teams: String,
    moments: Vec<MomentView>,
    measures: Vec<Measure>,
    measured_from: String,
    responders: Vec<(String, String)>,
    total_events: String,
    /// `1 event`, `20,018 events`.
    events_in_words: String,
    /// How many events imports set aside as duplicates, when any.
    duplicates: Option<String>,
    categories: Vec<CategoryLink>,
    all_url: String,
    category: String,
    events: Vec<EventRow>,
    next_url: Option<String>,
    first_url: Option<String>,
    chart: Option<Chart>,
    postmortem_status: Option<String>,
    /// The other incident whose post-mortem covers this one: its handle and title.
    covered_by: Option<(String, String)>,
    sections: Vec<SectionView>,
    items: Vec<ItemRow>,
    more_items: bool,
    necessity: String,
    reasons: Vec<(String, String, String)>,
    findings: Vec<(String, String)>,
    analysed_note: Option<String>,
    status_actions: Vec<StatusAction>,
    moment_choices: Vec<(&'static str, &'static str)>,
    event_kinds: Vec<&'static str>,
    formats: Vec<&'static str>,
    forms: Forms,
    /// Past incidents like this one, closest first.
    similar: Vec<SimilarRow>,
    /// What it recurs, what recurs it, and the chain, oldest first.
    recurrence: hindsight_core::Recurrence,
    /// Where it stands with unknown causes, and when a finding was recorded.
    cause: hindsight_app::learning::CauseState,
    finding_when: String,
}

/// A similar past incident as the page lists it.
struct SimilarRow {
    handle: String,
    title: String,
    severity: String,
    status: String,
    began: String,
    /// Whether it began before the incident shown: only then can the incident recur it.
    earlier: bool,
    /// Why it matched, as a sentence.
    reasons: String,
}

/// How many similar incidents the page lists.
const SIMILAR_SHOWN: usize = 5;

impl SimilarRow {
    fn new(similar: hindsight_core::SimilarIncident, began_at: time::OffsetDateTime) -> SimilarRow {
        let reasons: Vec<String> = similar
            .reasons
            .iter()
            .map(|reason| match reason {
                hindsight_core::MatchReason::Fingerprint { fingerprint } => format!("the same alert ({fingerprint})"),
                hindsight_core::MatchReason::Component { component } => format!("root cause in {component} too"),
                hindsight_core::MatchReason::Words { words } => format!("words in common: {}", words.join(", ")),
                hindsight_core::MatchReason::Service { service } => format!("{service} affected too"),
            })
            .collect();
        SimilarRow {
            handle: similar.handle,
            title: similar.title,
            severity: similar.severity.to_string(),
            status: similar.status.words(),
            began: view::when(similar.began_at),
            earlier: similar.began_at < began_at,
            reasons: reasons.join("; "),
        }
    }
}

/// The incident page's URL showing `category` (all when `None`) from `cursor` on.
fn timeline_url(handle: &str, category: Option<&str>, cursor: Option<&str>) -> String {
    let mut query = Vec::new();
    if let Some(category) = category {
        query.push(format!("category={category}"));
    }
    if let Some(cursor) = cursor {
        query.push(format!("cursor={}", urlencode(cursor)));
    }
    let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
    format!("/incidents/{handle}{query}#timeline")
}

/// How many events of a category, in words: `1 alert`, `3 chat messages`.
fn category_count(category: EventCategory, count: i64) -> String {
    let (one, many) = match category {
        EventCategory::Alerts => ("alert", "alerts"),
        EventCategory::Pages => ("page", "pages"),
        EventCategory::Chat => ("chat message", "chat messages"),
        EventCategory::Deploys => ("deploy", "deploys"),
        EventCategory::Manual => ("manual event", "manual events"),
    };
    view::plural(count, one, many)
}

fn category_name(category: EventCategory) -> &'static str {
    match category {
        EventCategory::Alerts => "Alerts",
        EventCategory::Pages => "Pages",
        EventCategory::Chat => "Chat",
        EventCategory::Deploys => "Deploys",
        EventCategory::Manual => "Manual",
    }
}

/// Loads and lays out everything the incident page shows, as `caller`.
async fn build(
    state: &AppState,
    caller: &Caller,
    chrome: Chrome,
    handle: &IncidentHandle,
    query: &TimelineQuery,
    forms: Forms,
) -> Result<IncidentPage, PageError> {
    let number = handle.number;
    let viewer = &caller.viewer;
    let incident = state.store.incident(viewer, number).await?;
    let handle = incident.handle.clone();
    let category = match query.category.as_deref().filter(|c| !c.is_empty()) {
        Some(word) => Some(word.parse::<EventCategory>().map_err(|_| {
            PageError::new(
                StatusCode::BAD_REQUEST,
                "No such part of the timeline: use alerts, pages, chat, deploys or manual.",
            )
        })?),
        None => None,
    };
    let summary = state.store.timeline_summary(viewer, number).await?;
    let metrics = incident_metrics(&incident, &summary);
    let volume = state.store.event_volume(viewer, number, CHART_BUCKETS).await?;
    let totals = volume.totals();
    let total_events: i64 = totals.iter().map(|(_, n)| n).sum();
    let duplicates = state.store.count_duplicates(viewer, number).await?;
    let page = state
        .store
        .list_events_in_category(viewer, number, category, query.cursor.as_deref(), TIMELINE_PAGE)
        .await
        .map_err(|e| match e {
            StoreError::Invalid(_) => PageError::new(
                StatusCode::BAD_REQUEST,
                "That page of the timeline does not exist; start from the first events.",
            ),
            other => other.into(),
        })?;
    let analysed = if category.is_none() && query.cursor.is_none() && page.next_cursor.is_none() {
        page.items.clone()
    } else {
        state.store.list_events(viewer, number, None, ANALYSED_EVENTS).await?.items
    };
    let postmortem = match state.store.postmortem_of_incident(viewer, number).await {
        Ok(pm) => Some(pm),
        Err(StoreError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let filter = ActionItemFilter { incident: Some(number), ..ActionItemFilter::default() };
    let items = state.store.list_action_items(viewer, &filter, None, 200).await?;
    let analysed_count = analysed.len() as i64;
    let summary_published =
        hindsight_app::analysis::summary_published(&state.store, viewer, postmortem.as_ref()).await?;
    let evidence = hindsight_app::analysis::Evidence {
        incident,
        events: analysed,
        postmortem,
        action_items: items.items,
        summary_published,
    };
    let report = hindsight_app::analysis::policy(&evidence, &state.rules_in_force().await?);
    let hindsight_app::analysis::Evidence { incident, postmortem, action_items, .. } = evidence;

    let label = state.settings.severity_labels.get(&incident.severity.to_string()).cloned().unwrap_or_default();
    let team_names: Vec<(String, String)> =
        state.store.list_teams().await?.into_iter().map(|t| (t.slug, t.name)).collect();
    let service_names: Vec<(String, String)> =
        state.store.list_services().await?.into_iter().map(|s| (s.slug, s.name)).collect();
    let mut row = IncidentRow::new(&incident, &label);
    row.services = view::names(&incident.services, &service_names);
    let category_word = category.map(EventCategory::as_str);
    let chart = chart(&volume, &metrics);
    let similar = state.store.similar_to(viewer, &incident, SIMILAR_SHOWN).await?;
    let recurrence = state.store.recurrence(viewer, number).await?;
    let cause = hindsight_app::learning::cause_state(&state.store, &caller.actor(), number).await?;
    let covered_by = hindsight_app::covers::covered_by(&state.store, &caller.actor(), number).await?;
    // When it began, as the store orders incidents: only earlier ones can be what it recurs.
    let began_at = incident.moments.started_at.or(incident.moments.detected_at).unwrap_or(incident.created_at);
    Ok(IncidentPage {
        chrome,
        version: incident.version,
        row,
        description: incident.description.clone(),
        detection_method: incident.detection_method.label().to_string(),
        teams: view::names(&incident.teams, &team_names),
        moments: moment_views(&metrics),
        measures: measures(&metrics),
        measured_from: measured_from(&metrics),
        responders: incident.responders.iter().map(|r| (r.username.clone(), r.role.label().to_string())).collect(),
        total_events: view::count(total_events),
        events_in_words: view::plural(total_events, "event", "events"),
        duplicates: (duplicates > 0).then(|| view::count(duplicates)),
        categories: totals
            .iter()
            .map(|(c, count)| CategoryLink {
                word: c.as_str(),
                name: category_name(*c),
                count: view::count(*count),
                url: timeline_url(&handle, Some(c.as_str()), None),
                current: category == Some(*c),
            })
            .collect(),
        all_url: timeline_url(&handle, None, None),
        category: category_word.unwrap_or_default().to_string(),
        events: page.items.iter().map(EventRow::new).collect(),
        next_url: page.next_cursor.as_deref().map(|c| timeline_url(&handle, category_word, Some(c))),
        first_url: query.cursor.as_ref().map(|_| timeline_url(&handle, category_word, None)),
        chart,
        postmortem_status: postmortem.as_ref().map(|pm| pm.status.label().to_string()),
        covered_by: covered_by.map(|c| (c.incident, c.title)),
        sections: postmortem.as_ref().map(view::sections).unwrap_or_default(),
        more_items: items.next_cursor.is_some(),
        items: action_items.iter().map(ItemRow::new).collect(),
        necessity: report.decision.necessity.words(),
        reasons: report
            .decision
            .reasons
            .iter()
            .map(|r| (r.necessity.words(), r.criterion.words(), r.explanation.clone()))
            .collect(),
        findings: report.response.iter().map(|f| (f.kind.words(), f.message.clone())).collect(),
        analysed_note: (total_events > analysed_count).then(|| {
            format!(
                "Weighed on the first {} of the timeline's {} events.",
                view::count(analysed_count),
                view::count(total_events)
            )
        }),
        status_actions: status_actions(incident.status),
        moment_choices: MOMENTS.iter().map(|(field, name, _)| (*field, *name)).collect(),
        event_kinds: EventKind::ALL.iter().map(|k| k.as_str()).collect(),
        formats: IMPORT_FORMATS.to_vec(),
        handle,
        forms,
        similar: similar.into_iter().map(|s| SimilarRow::new(s, began_at)).collect(),
        recurrence,
        finding_when: cause.finding.as_ref().map(|f| view::when(f.closed_at)).unwrap_or_default(),
        cause,
    })
}

/// The moments an override may set: field, name, and how the metrics name it.
const MOMENTS: [(&str, &str, &str); 5] = [
    ("started_at", "Impact started", "impact start"),
    ("detected_at", "Detected", "detection"),
    ("acknowledged_at", "Acknowledged", "acknowledgement"),
    ("mitigated_at", "Mitigated", "mitigation"),
    ("resolved_at", "Resolved", "resolution"),
];

fn moment_at(metrics: &IncidentMetrics, field: &str) -> Option<OffsetDateTime> {
    match field {
        "started_at" => metrics.started_at,
        "detected_at" => metrics.detected_at,
        "acknowledged_at" => metrics.acknowledged_at,
        "mitigated_at" => metrics.mitigated_at,
        "resolved_at" => metrics.resolved_at,
        _ => None,
    }
}

fn moment_source(metrics: &IncidentMetrics, field: &str) -> &'static str {
    match metrics.moment_sources.get(field) {
        Some(MomentSource::Incident) => "set on the incident",
        Some(MomentSource::Timeline) => "taken from the timeline",
        None => "not known yet",
    }
}

fn moment_views(metrics: &IncidentMetrics) -> Vec<MomentView> {
    MOMENTS
        .iter()
        .map(|(field, name, _)| MomentView {
            name,
            when: view::when_opt(moment_at(metrics, field)),
            source: moment_source(metrics, field),
        })
        .collect()
}

fn measures(metrics: &IncidentMetrics) -> Vec<Measure> {
    let start = metrics.started_at;
    [
        ("Time to detect", "detected_at", "detection"),
        ("Time to acknowledge", "acknowledged_at", "acknowledgement"),
        ("Time to mitigate", "mitigated_at", "mitigation"),
        ("Time to resolve", "resolved_at", "resolution"),
    ]
    .into_iter()
    .map(|(name, field, what)| Measure {
        name,
        value: view::between(start, moment_at(metrics, field)),
        to: match moment_at(metrics, field) {
            Some(at) => format!("to {what} at {} ({})", view::when(at), moment_source(metrics, field)),
            None => format!("{what} not known yet"),
        },
    })
    .collect()
}

/// Where every response time is measured from: impact start, and where its time comes from.
fn measured_from(metrics: &IncidentMetrics) -> String {
    match metrics.started_at {
        Some(at) => format!("Impact start at {} ({})", view::when(at), moment_source(metrics, "started_at")),
        None => "Impact start, not known yet: no response time can be measured until it is".into(),
    }
}

/// Width and height of the chart's drawing area, in SVG units.
pub async fn incident(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
    handle: IncidentHandle,
    Params(query): Params<TimelineQuery>,
) -> Result<Response, PageError> {
    let chrome = Chrome::of(&caller).with_notice(notice);
    let page = build(&state, &caller, chrome, &handle, &query, Forms::default()).await?;
    Ok(page.into_response())
}
