//! The incident list with its filters, search, order and paging, and an incident's page:
//! header, key moments and response times with what they are measured from, the
//! policy decision, the timeline by category with its volume chart, post-mortem and
//! action items, and the forms editors use there (status, key-moment override, add
//! an event, import a file).
//!
//! A long timeline is never read whole: the page shows one page of events, the chart
//! is counted by the database, and the policy is weighed on the first events only.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use hindsight_core::metrics::{IncidentMetrics, MomentSource, incident_metrics};
use hindsight_core::{EventKind, IncidentPatch, IncidentStatus, NewTimelineEvent, Severity};
use hindsight_store::{ActionItemFilter, EventCategory, EventVolume, IncidentSort, StoreError};
use serde::Deserialize;
use time::OffsetDateTime;

use super::kit::{
    self, Chrome, Notice, PageError, Posted, Signed, check_csrf, form_time, see_other_with_notice, urlencode,
};
use super::view::{self, EventRow, IncidentRow, ItemRow, Label, SectionView};
use crate::api::incidents::IncidentQuery;
use crate::auth::{Caller, Credential};
use crate::error::ApiError;
use crate::json::Params;
use crate::state::AppState;
use hindsight_app::imports::ImportSummary;

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

// ----- The incident list -----

/// What the list's filter form sends; every field as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    team: String,
    /// First day, `2026-11-20` (UTC).
    #[serde(default)]
    since: String,
    /// Last day, included.
    #[serde(default)]
    until: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    cursor: Option<String>,
}

impl ListQuery {
    /// The list's URL with these filters, on the page after `cursor`.
    fn url(&self, cursor: Option<&str>) -> String {
        self.url_of("/incidents", cursor)
    }

    /// Whether any filter is set (the sort and page aside).
    fn filtered(&self) -> bool {
        [&self.status, &self.severity, &self.service, &self.team, &self.since, &self.until, &self.q]
            .iter()
            .any(|v| !v.trim().is_empty())
    }

    /// The response times of the incidents these filters select.
    fn response_times_url(&self) -> String {
        let filters = ListQuery { sort: String::new(), cursor: None, ..self.clone() };
        filters.url_of("/incidents/response-times", None)
    }

    fn url_of(&self, path: &str, cursor: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = [
            ("status", self.status.as_str()),
            ("severity", self.severity.as_str()),
            ("service", self.service.as_str()),
            ("team", self.team.as_str()),
            ("since", self.since.as_str()),
            ("until", self.until.as_str()),
            ("q", self.q.as_str()),
            ("sort", self.sort.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
        if let Some(cursor) = cursor {
            pairs.push(("cursor", cursor));
        }
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
        if query.is_empty() { path.into() } else { format!("{path}?{}", query.join("&")) }
    }

    /// The store's filter and order, or every problem with the fields.
    fn filter(&self) -> Result<(hindsight_store::IncidentFilter, IncidentSort), Vec<String>> {
        let mut errors = Vec::new();
        let query = IncidentQuery {
            status: Some(self.status.clone()),
            severity: Some(self.severity.clone()),
            service: Some(self.service.clone()),
            team: Some(self.team.clone()),
            ..IncidentQuery::default()
        };
        let mut filter = query.filter().map_err(|e| errors.push(e.to_string())).unwrap_or_default();
        filter.since = list_day("From", &self.since).map_err(|e| errors.push(e)).ok().flatten();
        filter.until = list_day("To", &self.until)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
            .map(|day| day + time::Duration::days(1));
        filter.search = Some(self.q.trim().to_string()).filter(|q| !q.is_empty());
        let sort = self
            .sort
            .parse::<IncidentSort>()
            .map_err(|_| errors.push("Sort: choose newest, oldest, most severe or latest to begin".into()));
        match (errors.is_empty(), sort) {
            (true, Ok(sort)) => Ok((filter, sort)),
            _ => Err(errors),
        }
    }
}

/// A day typed into a date field, as the start of that day in UTC.
fn list_day(field: &str, value: &str) -> Result<Option<OffsetDateTime>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(value, &format)
        .map(|day| day.midnight().assume_utc())
        .map_err(|_| format!("{field}: {value:?} is not a day; use the form 2026-11-20"))?;
    hindsight_core::validate::time_in_range(day).map(|()| Some(day)).map_err(|message| format!("{field} {message}"))
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents.html")]
struct IncidentsPage {
    chrome: Chrome,
    rows: Vec<IncidentRow>,
    /// How many match, counted up to [`COUNT_CAP`]: `1,000+` beyond.
    total: String,
    next_url: Option<String>,
    first_url: Option<String>,
    query: ListQuery,
    statuses: Vec<&'static str>,
    severities: Vec<String>,
    services: Vec<(String, String)>,
    teams: Vec<(String, String)>,
    sorts: Vec<(&'static str, &'static str)>,
    filtered: bool,
    errors: Vec<String>,
    response_times_url: String,
}

pub async fn incidents(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
    Params(query): Params<ListQuery>,
) -> Result<Response, PageError> {
    let chrome = Chrome::of(&caller).with_notice(notice);
    let services = state.store.list_services().await?.into_iter().map(|s| (s.slug, s.name)).collect();
    let teams = state.store.list_teams().await?.into_iter().map(|t| (t.slug, t.name)).collect();
    let filtered = query.filtered();
    let mut page = IncidentsPage {
        chrome,
        rows: Vec::new(),
        total: String::new(),
        next_url: None,
        first_url: query.cursor.as_ref().map(|_| query.url(None)),
        query: query.clone(),
        statuses: IncidentStatus::ALL.iter().map(|s| s.as_str()).collect(),
        severities: (1..=5).filter_map(Severity::new).map(|s| s.to_string()).collect(),
        services,
        teams,
        sorts: vec![
            ("newest", "Newest declared first"),
            ("began", "Latest to begin first"),
            ("oldest", "Oldest declared first"),
            ("severity", "Most severe first"),
        ],
        filtered,
        errors: Vec::new(),
        response_times_url: query.response_times_url(),
    };
    let (filter, sort) = match query.filter() {
        Ok(found) => found,
        Err(errors) => {
            page.errors = errors;
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    let list = state
        .store
        .list_incidents_sorted(&caller.viewer, &filter, sort, query.cursor.as_deref(), LIST_PAGE)
        .await
        .map_err(ApiError::from);
    let list = match list {
        Ok(list) => list,
        Err(ApiError::Invalid(e)) => {
            page.errors = e.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    page.total = view::count_up_to(state.store.count_incidents_up_to(&caller.viewer, &filter, COUNT_CAP).await?);
    let labels = &state.settings.severity_labels;
    page.rows = list
        .items
        .iter()
        .map(|i| {
            let mut row = IncidentRow::new(i, labels.get(&i.severity.to_string()).map(String::as_str).unwrap_or(""));
            row.services = view::names(&i.services, &page.services);
            row
        })
        .collect();
    page.next_url = list.next_cursor.map(|cursor| query.url(Some(&cursor)));
    Ok(page.into_response())
}

// ----- Response times across incidents -----

#[derive(Template, WebTemplate)]
#[template(path = "response_times.html")]
struct ResponseTimesPage {
    chrome: Chrome,
    incidents: String,
    capped: bool,
    cap: String,
    filtered: bool,
    list_url: String,
    rows: Vec<SpreadRow>,
    methods: Vec<(String, String)>,
    errors: Vec<String>,
}

/// One response time's spread, as the page shows it.
struct SpreadRow {
    name: &'static str,
    measured: String,
    median: String,
    p90: String,
    p95: String,
    longest: String,
}

/// How response times spread across the incidents the list's filters select.
pub async fn response_times(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Params(query): Params<ListQuery>,
) -> Result<Response, PageError> {
    let filtered = query.filtered();
    let mut page = ResponseTimesPage {
        chrome: Chrome::of(&caller),
        incidents: "0".into(),
        capped: false,
        cap: view::count(hindsight_app::response_times::MAX_REPORTED as i64),
        filtered,
        list_url: query.url(None),
        rows: Vec::new(),
        methods: Vec::new(),
        errors: Vec::new(),
    };
    let filter = match query.filter() {
        Ok((filter, _)) => filter,
        Err(errors) => {
            page.errors = errors;
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    let report = hindsight_app::response_times::response_times(&state.store, &caller.viewer, &filter).await?;
    page.incidents = view::count(report.incidents as i64);
    page.capped = report.incidents >= hindsight_app::response_times::MAX_REPORTED;
    page.rows = [
        ("Detect", &report.time_to_detect_s),
        ("Acknowledge", &report.time_to_acknowledge_s),
        ("Mitigate", &report.time_to_mitigate_s),
        ("Resolve", &report.time_to_resolve_s),
    ]
    .into_iter()
    .map(|(name, spread)| match spread {
        Some(d) => SpreadRow {
            name,
            measured: view::count(d.count as i64),
            median: view::seconds(d.p50),
            p90: view::seconds(d.p90),
            p95: view::seconds(d.p95),
            longest: view::seconds(d.max),
        },
        None => SpreadRow {
            name,
            measured: "0".into(),
            median: "—".into(),
            p90: "—".into(),
            p95: "—".into(),
            longest: "—".into(),
        },
    })
    .collect();
    page.methods = report
        .detection_methods
        .iter()
        .map(|(method, n)| {
            let label = method.parse::<hindsight_core::DetectionMethod>().map(|d| d.label().to_string());
            (label.unwrap_or_else(|_| method.replace('_', " ")), view::count(*n as i64))
        })
        .collect();
    Ok(page.into_response())
}

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
    Path(handle): Path<String>,
    Params(query): Params<ResolveQuery>,
) -> Result<Response, PageError> {
    caller.require_write()?;
    let incident = state.store.incident(&caller.viewer, kit::incident_number(&handle)?).await?;
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

/// A bar segment of the volume chart.
struct Bar {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    category: &'static str,
    title: String,
}

/// A vertical line marking a key moment on the chart.
struct Marker {
    x: f64,
    title: String,
}

/// A row of the chart's table: a slice of time and its counts by category.
struct VolumeRow {
    from: String,
    counts: Vec<i64>,
    total: i64,
}

/// The volume chart, drawn on the server.
struct Chart {
    bars: Vec<Bar>,
    markers: Vec<Marker>,
    summary: String,
    rows: Vec<VolumeRow>,
    first: String,
    last: String,
    peak: i64,
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
    handle: &str,
    query: &TimelineQuery,
    forms: Forms,
) -> Result<IncidentPage, PageError> {
    let number = kit::incident_number(handle)?;
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
    let evidence =
        hindsight_app::analysis::Evidence { incident, events: analysed, postmortem, action_items: items.items };
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
const CHART_WIDTH: f64 = 720.0;
const CHART_HEIGHT: f64 = 140.0;

/// Lays out the stacked bars of the event volume, the key-moment markers and the
/// chart's text alternative.
fn chart(volume: &EventVolume, metrics: &IncidentMetrics) -> Option<Chart> {
    let (first, last) = (volume.first?, volume.last?);
    let width_s = volume.width.as_seconds_f64().max(1.0);
    let mut stacks = vec![[0i64; 5]; CHART_BUCKETS];
    for (bucket, category, count) in &volume.counts {
        if let (Some(stack), Some(slot)) =
            (stacks.get_mut(*bucket), EventCategory::ALL.iter().position(|c| c == category))
        {
            stack[slot] += count;
        }
    }
    let peak = stacks.iter().map(|s| s.iter().sum::<i64>()).max().unwrap_or(0).max(1);
    let slot_width = CHART_WIDTH / CHART_BUCKETS as f64;
    let start_of = |bucket: usize| first + time::Duration::seconds_f64(width_s * bucket as f64);
    let mut bars = Vec::new();
    let mut rows = Vec::new();
    for (bucket, stack) in stacks.iter().enumerate() {
        let total: i64 = stack.iter().sum();
        if total == 0 {
            continue;
        }
        let from = view::when_seconds(start_of(bucket));
        let mut y = CHART_HEIGHT;
        for (slot, count) in stack.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let height = (*count as f64 / peak as f64 * CHART_HEIGHT).max(1.0);
            y -= height;
            let category = EventCategory::ALL[slot];
            bars.push(Bar {
                x: bucket as f64 * slot_width + 1.0,
                y,
                width: (slot_width - 2.0).max(1.0),
                height,
                category: category.as_str(),
                title: format!("{from}: {}", category_count(category, *count)),
            });
        }
        rows.push(VolumeRow { from, counts: stack.to_vec(), total });
    }
    let span_s = width_s * CHART_BUCKETS as f64;
    let markers = MOMENTS
        .iter()
        .filter_map(|(field, name, _)| {
            let at = moment_at(metrics, field)?;
            let offset = (at - first).as_seconds_f64();
            (0.0..=span_s)
                .contains(&offset)
                .then(|| Marker { x: offset / span_s * CHART_WIDTH, title: format!("{name}: {}", view::when(at)) })
        })
        .collect();
    let total: i64 = stacks.iter().flatten().sum();
    let busiest = stacks.iter().enumerate().max_by_key(|(i, s)| (s.iter().sum::<i64>(), std::cmp::Reverse(*i)));
    let minutes = (width_s / 60.0).max(1.0 / 60.0);
    let slice = if minutes >= 1.0 { format!("{minutes:.0}-minute") } else { format!("{:.0}-second", width_s) };
    let summary = match busiest {
        Some((bucket, stack)) => format!(
            "{} from {} to {}, counted in {slice} slices; the busiest slice, from {}, holds {}.",
            view::plural(total, "event", "events"),
            view::when(first),
            view::when(last),
            view::when_seconds(start_of(bucket)),
            view::plural(stack.iter().sum::<i64>(), "event", "events")
        ),
        None => "No events.".into(),
    };
    Some(Chart { bars, markers, summary, rows, first: view::when(first), last: view::when(last), peak })
}

pub async fn incident(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
    Path(handle): Path<String>,
    Params(query): Params<TimelineQuery>,
) -> Result<Response, PageError> {
    let chrome = Chrome::of(&caller).with_notice(notice);
    let page = build(&state, &caller, chrome, &handle, &query, Forms::default()).await?;
    Ok(page.into_response())
}

/// Shows the page again with what a refused form said and why, keeping the input.
async fn refused(
    state: &AppState,
    caller: &Caller,
    handle: &str,
    status: StatusCode,
    forms: Forms,
) -> Result<Response, PageError> {
    let page = build(state, caller, Chrome::of(caller), handle, &TimelineQuery::default(), forms).await?;
    Ok((status, page).into_response())
}

/// The messages of a refused change, and the status to answer with; anything but bad
/// input or a stale version is an error page.
fn refusal(e: ApiError) -> Result<(StatusCode, Vec<String>), PageError> {
    match e {
        ApiError::Invalid(invalid) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            invalid.0.iter().map(|e| format!("{}: {}", field_name(&e.field), e.message)).collect(),
        )),
        ApiError::Conflict { .. } => Ok((
            StatusCode::CONFLICT,
            vec![
                "Someone changed this incident after you opened the page. The page now shows the current \
                  state; check it and send your change again."
                    .into(),
            ],
        )),
        ApiError::BadRequest { detail, .. } => Ok((StatusCode::UNPROCESSABLE_ENTITY, vec![detail])),
        other => Err(other.into()),
    }
}

/// A field the store named, as the page's forms label it (`detected_at` as "Detected").
fn field_name(field: &str) -> &str {
    match MOMENTS.iter().find(|(f, _, _)| *f == field) {
        Some((_, name, _)) => name,
        None => match field {
            "text" => "Text",
            "kind" => "Kind",
            "actor" => "Actor",
            "occurred_at" => "Time",
            "status" => "Status",
            "reason" => "Reason",
            other => other,
        },
    }
}

fn version_of(form_version: &str) -> Result<i64, Vec<String>> {
    form_version
        .trim()
        .parse()
        .map_err(|_| vec!["The form lost track of the incident's version; reload the page.".into()])
}

/// Moves the incident to a new status, as the API's update does (resolving drafts the
/// post-mortem when one is required).
pub async fn change_status(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    posted: Posted<StatusForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_write()?;
    let number = kit::incident_number(&handle)?;
    let status = form.status.parse::<IncidentStatus>();
    let errors = match (status, version_of(&form.version)) {
        (Ok(IncidentStatus::Resolved), Ok(_)) if form.confirm != "yes" => {
            let incident = state.store.incident(&caller.viewer, number).await?;
            return Ok(resolve_page(&state, &caller, incident, form.version).await?.into_response());
        }
        (Ok(status), Ok(version)) => {
            let patch = IncidentPatch { version, status: Some(status), ..IncidentPatch::default() };
            match hindsight_app::incidents::update(
                &state.store,
                &caller.actor(),
                &state.rules_in_force().await?,
                number,
                patch,
            )
            .await
            .map(|changed| changed.incident)
            .map_err(ApiError::from)
            {
                Ok(incident) => {
                    let notice = format!("{} is now {}.", incident.handle, incident.status);
                    return Ok(see_other_with_notice(&format!("/incidents/{}", incident.handle), &notice));
                }
                Err(e) => refusal(e)?,
            }
        }
        (Err(e), _) => (StatusCode::UNPROCESSABLE_ENTITY, vec![format!("Status: {e}")]),
        (_, Err(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
    };
    let (status, status_errors) = errors;
    refused(&state, &caller, &handle, status, Forms { status_errors, ..Forms::default() }).await
}

/// Overrides one key moment with a time or an event's time, keeping the reason in the
/// incident's history.
pub async fn override_moment(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    posted: Posted<MomentForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_write()?;
    let number = kit::incident_number(&handle)?;
    let mut errors = Vec::new();
    let field = MOMENTS.iter().find(|(f, _, _)| *f == form.moment).map(|(f, name, _)| (*f, *name));
    if field.is_none() {
        errors.push("Key moment: choose which moment to set".to_string());
    }
    if form.reason.trim().is_empty() {
        errors.push("Reason: say why the moment is overridden; it is kept in the incident's history".into());
    }
    let at = if !form.event.trim().is_empty() {
        match state.store.event(&caller.viewer, number, form.event.trim()).await {
            Ok(event) => Some(event.occurred_at),
            Err(StoreError::NotFound(_)) => {
                errors.push("Event: that event is no longer on the timeline".into());
                None
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        match form_time("Time", &form.at) {
            Ok(Some(at)) => Some(at),
            Ok(None) => {
                errors.push("Time: type a time or pick an event".into());
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
        }
    };
    let version = version_of(&form.version).map_err(|e| errors.extend(e)).ok();
    let (status, errors) = match (errors.is_empty(), field, at, version) {
        (true, Some((field, name)), Some(at), Some(version)) => {
            let mut patch =
                IncidentPatch { version, reason: Some(form.reason.trim().to_string()), ..IncidentPatch::default() };
            let slot = match field {
                "started_at" => &mut patch.started_at,
                "detected_at" => &mut patch.detected_at,
                "acknowledged_at" => &mut patch.acknowledged_at,
                "mitigated_at" => &mut patch.mitigated_at,
                _ => &mut patch.resolved_at,
            };
            *slot = Some(Some(at));
            match hindsight_app::incidents::update(
                &state.store,
                &caller.actor(),
                &state.rules_in_force().await?,
                number,
                patch,
            )
            .await
            .map(|changed| changed.incident)
            .map_err(ApiError::from)
            {
                Ok(incident) => {
                    let notice = format!("{name} set to {} on {}.", view::when_seconds(at), incident.handle);
                    return Ok(see_other_with_notice(&format!("/incidents/{}", incident.handle), &notice));
                }
                Err(e) => refusal(e)?,
            }
        }
        _ => (StatusCode::UNPROCESSABLE_ENTITY, errors),
    };
    refused(&state, &caller, &handle, status, Forms { moment: form, moment_errors: errors, ..Forms::default() }).await
}

/// Adds an event typed by hand to the timeline.
pub async fn add_event(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    posted: Posted<EventForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_write()?;
    let number = kit::incident_number(&handle)?;
    let mut errors = Vec::new();
    let occurred_at = match form_time("Time", &form.occurred_at) {
        Ok(Some(at)) => Some(at),
        Ok(None) => {
            errors.push("Time: say when it happened (UTC)".to_string());
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let kind = form.kind.parse::<EventKind>().map_err(|e| errors.push(format!("Kind: {e}"))).ok();
    let (status, errors) = match (errors.is_empty(), occurred_at, kind) {
        (true, Some(occurred_at), Some(kind)) => {
            let new = NewTimelineEvent {
                occurred_at,
                source: "manual".into(),
                external_id: None,
                kind,
                actor: Some(form.actor.trim().to_string()).filter(|a| !a.is_empty()),
                text: form.text.trim().to_string(),
                key_moment: None,
                raw_payload: None,
            };
            match hindsight_app::incidents::add_event(&state.store, &caller.actor(), number, new)
                .await
                .map_err(ApiError::from)
            {
                Ok(event) => {
                    let notice =
                        format!("Added the {} at {} to the timeline.", event.kind, view::when(event.occurred_at));
                    return Ok(see_other_with_notice(&format!("/incidents/{}", event.incident), &notice));
                }
                Err(e) => refusal(e)?,
            }
        }
        _ => (StatusCode::UNPROCESSABLE_ENTITY, errors),
    };
    refused(&state, &caller, &handle, status, Forms { event: form, event_errors: errors, ..Forms::default() }).await
}

/// Imports an uploaded file into the timeline through the same pipeline as the upload
/// API, and shows what it did. The form is multipart: its token is checked here.
pub async fn import(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Path(handle): Path<String>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            PageError::new(
                status,
                "The file is larger than 64 MiB, the most an import takes; split it, or use the CLI.",
            )
        } else {
            PageError::new(StatusCode::BAD_REQUEST, format!("The upload could not be read: {}.", e.body_text()))
        }
    };
    let (mut token, mut format, mut file, mut file_name) = (String::new(), String::new(), Bytes::new(), String::new());
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "csrf_token" => token = field.text().await.map_err(unreadable)?,
            "format" => format = field.text().await.map_err(unreadable)?,
            "file" => {
                file_name = field.file_name().unwrap_or_default().to_string();
                file = field.bytes().await.map_err(unreadable)?;
            }
            _ => {}
        }
    }
    if let Credential::Session { csrf_token, .. } = &caller.credential {
        let (mut parts, ()) = Request::new(()).into_parts();
        parts.headers = headers;
        check_csrf(&parts, csrf_token, &token)?;
    }
    caller.require_write()?;
    let number = kit::incident_number(&handle)?;
    let mut errors = Vec::new();
    if !IMPORT_FORMATS.contains(&format.as_str()) {
        errors.push("Format: choose the format the file is in".to_string());
    }
    if file.is_empty() {
        errors.push(if file_name.is_empty() {
            "File: choose a file to import".to_string()
        } else {
            format!("File: {file_name} is empty")
        });
    }
    let status = if errors.is_empty() {
        let imported = if format == "slack-export" {
            crate::api::imports::import_slack_zip(&state, &caller, number, file).await
        } else {
            let origin = if file_name.is_empty() { "the upload" } else { file_name.as_str() };
            crate::api::imports::import_file(&state, &caller, number, &format, (origin, file)).await
        };
        match imported {
            Ok(summary) => {
                let forms = Forms { import_result: Some(ImportResult { summary, format }), ..Forms::default() };
                let page =
                    build(&state, &caller, Chrome::of(&caller), &handle, &TimelineQuery::default(), forms).await?;
                return Ok(page.into_response());
            }
            Err(e) => {
                let (status, mut messages) = refusal(e)?;
                if !file_name.is_empty() {
                    // Named once: the importer's own messages already start with the file's name.
                    messages
                        .iter_mut()
                        .filter(|m| !m.starts_with(&file_name))
                        .for_each(|m| *m = format!("{file_name}: {m}"));
                }
                errors.extend(messages);
                status
            }
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let forms = Forms { import_format: format, import_errors: errors, ..Forms::default() };
    refused(&state, &caller, &handle, status, forms).await
}
