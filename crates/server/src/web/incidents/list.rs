//! The incident list (filters, search, order, paging) and the response times across the
//! incidents a list selects.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hindsight_core::metrics::GroupBy;
use hindsight_core::{IncidentStatus, Severity};
use hindsight_store::IncidentSort;
use serde::Deserialize;
use time::OffsetDateTime;

use super::*;
use crate::api::incidents::IncidentQuery;
use crate::error::ApiError;
use crate::json::Params;
use crate::state::AppState;
use crate::web::kit::{Chrome, Notice, PageError, Signed, urlencode};
use crate::web::view::{self, IncidentRow, Label};

// ----- The incident list -----

/// What the list's filter form sends; every field as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub(super) status: String,
    #[serde(default)]
    pub(super) severity: String,
    #[serde(default)]
    pub(super) service: String,
    #[serde(default)]
    pub(super) team: String,
    /// Key of a contributing factor.
    #[serde(default)]
    pub(super) factor: String,
    /// First day, `2026-11-20` (UTC).
    #[serde(default)]
    pub(super) since: String,
    /// Last day, included.
    #[serde(default)]
    pub(super) until: String,
    #[serde(default)]
    pub(super) q: String,
    #[serde(default)]
    pub(super) sort: String,
    #[serde(default)]
    pub(super) cursor: Option<String>,
}

impl ListQuery {
    /// The list's URL with these filters, on the page after `cursor`.
    fn url(&self, cursor: Option<&str>) -> String {
        self.url_of("/incidents", cursor)
    }

    /// Whether any filter is set (the sort and page aside).
    fn filtered(&self) -> bool {
        [&self.status, &self.severity, &self.service, &self.team, &self.factor, &self.since, &self.until, &self.q]
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
            ("factor", self.factor.as_str()),
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
            factor: Some(self.factor.clone()),
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
pub(super) fn list_day(field: &str, value: &str) -> Result<Option<OffsetDateTime>, String> {
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
pub(super) struct IncidentsPage {
    pub(super) chrome: Chrome,
    pub(super) rows: Vec<IncidentRow>,
    /// How many match, counted up to [`COUNT_CAP`]: `1,000+` beyond.
    pub(super) total: String,
    pub(super) next_url: Option<String>,
    pub(super) first_url: Option<String>,
    pub(super) query: ListQuery,
    pub(super) statuses: Vec<&'static str>,
    pub(super) severities: Vec<String>,
    pub(super) services: Vec<(String, String)>,
    pub(super) teams: Vec<(String, String)>,
    /// The contributing factors, by key and label.
    pub(super) factors: Vec<(String, String)>,
    /// The factor filtered on when it is no longer in the list.
    pub(super) retired_factor: Option<String>,
    pub(super) sorts: Vec<(&'static str, &'static str)>,
    pub(super) filtered: bool,
    pub(super) errors: Vec<String>,
    pub(super) response_times_url: String,
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
        factors: state.settings.rules.factors.factors.iter().map(|f| (f.key.clone(), f.label.clone())).collect(),
        retired_factor: Some(query.factor.trim().to_string())
            .filter(|key| !key.is_empty() && state.settings.rules.factors.get(key).is_none()),
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
pub(super) struct ResponseTimesPage {
    pub(super) chrome: Chrome,
    pub(super) incidents: String,
    pub(super) capped: bool,
    pub(super) cap: String,
    pub(super) filtered: bool,
    pub(super) list_url: String,
    pub(super) rows: Vec<SpreadRow>,
    pub(super) methods: Vec<(String, String)>,
    pub(super) errors: Vec<String>,
    /// The filters as hidden fields of the grouping form: (name, value).
    pub(super) hidden: Vec<(&'static str, String)>,
    /// (value, label, chosen) of each grouping.
    pub(super) groupings: Vec<(&'static str, &'static str, bool)>,
    pub(super) grouped: Option<GroupedView>,
}

/// Response times group by group: a box plot per measure and a table.
pub(super) struct GroupedView {
    pub(super) by: &'static str,
    pub(super) plots: Vec<crate::web::insights::BoxPlot>,
    pub(super) rows: Vec<GroupRow>,
    pub(super) csv_url: String,
    pub(super) any_few: bool,
}

/// One group's row of the table: its median and middle half of each measure.
pub(super) struct GroupRow {
    pub(super) key: String,
    pub(super) incidents: String,
    pub(super) few: bool,
    /// (median, middle half) per measure.
    pub(super) cells: Vec<(String, String)>,
}

/// What the grouping form sends.
#[derive(Debug, Default, Deserialize)]
pub struct GroupForm {
    #[serde(default)]
    by: String,
}

const GROUPINGS: [(&str, &str); 5] =
    [("", "Not grouped"), ("severity", "Severity"), ("team", "Team"), ("service", "Service"), ("month", "Month")];

type Pick = fn(&hindsight_core::metrics::MetricsReport) -> Option<&hindsight_core::metrics::Distribution>;

const MEASURES: [(&str, Pick); 4] = [
    ("Time to detect", |r| r.time_to_detect_s.as_ref()),
    ("Time to acknowledge", |r| r.time_to_acknowledge_s.as_ref()),
    ("Time to mitigate", |r| r.time_to_mitigate_s.as_ref()),
    ("Time to resolve", |r| r.time_to_resolve_s.as_ref()),
];

fn grouped_view(report: &hindsight_core::metrics::GroupedReport, by: &'static str, csv_url: String) -> GroupedView {
    GroupedView {
        by,
        plots: MEASURES
            .iter()
            .filter_map(|(name, pick)| crate::web::insights::box_plot(name, &report.groups, *pick))
            .collect(),
        rows: report
            .groups
            .iter()
            .map(|g| GroupRow {
                key: g.key.clone(),
                incidents: view::count(g.report.incidents as i64),
                few: g.few,
                cells: MEASURES
                    .iter()
                    .map(|(_, pick)| match pick(&g.report) {
                        Some(d) => {
                            (view::seconds(d.p50), format!("{} – {}", view::seconds(d.p25), view::seconds(d.p75)))
                        }
                        None => ("—".into(), "—".into()),
                    })
                    .collect(),
            })
            .collect(),
        csv_url,
        any_few: report.groups.iter().any(|g| g.few),
    }
}

/// `/incidents/response-times.csv`: each group's distributions, one row per group and measure.
pub async fn response_times_csv(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Params(query): Params<ListQuery>,
    Params(group): Params<GroupForm>,
) -> Result<Response, PageError> {
    let by = group.by.parse::<GroupBy>().unwrap_or(GroupBy::Severity);
    let (filter, _) = query.filter().map_err(|errors| PageError::new(StatusCode::BAD_REQUEST, errors.join("; ")))?;
    let report = hindsight_app::response_times::response_times_by(&state.store, &caller.viewer, &filter, by).await?;
    let mut rows = vec![
        [by.as_str(), "measure", "incidents", "min_s", "p25_s", "p50_s", "p75_s", "p90_s", "p95_s", "max_s", "few"]
            .map(String::from)
            .to_vec(),
    ];
    for g in &report.groups {
        for (name, pick) in MEASURES {
            let Some(d) = pick(&g.report) else { continue };
            rows.push(vec![
                g.key.clone(),
                name.to_lowercase().replace(' ', "_"),
                d.count.to_string(),
                d.min.to_string(),
                d.p25.to_string(),
                d.p50.to_string(),
                d.p75.to_string(),
                d.p90.to_string(),
                d.p95.to_string(),
                d.max.to_string(),
                g.few.to_string(),
            ]);
        }
    }
    crate::web::insights::csv_file(&format!("response-times-by-{by}.csv"), rows)
}

/// One response time's spread, as the page shows it.
pub(super) struct SpreadRow {
    pub(super) name: &'static str,
    pub(super) measured: String,
    pub(super) median: String,
    pub(super) p90: String,
    pub(super) p95: String,
    pub(super) longest: String,
}

/// How response times spread across the incidents the list's filters select.
pub async fn response_times(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Params(query): Params<ListQuery>,
    Params(group): Params<GroupForm>,
) -> Result<Response, PageError> {
    let filtered = query.filtered();
    let by = GROUPINGS.iter().find(|(value, _)| *value == group.by.trim()).map(|(value, _)| *value).unwrap_or("");
    let hidden = [
        ("status", &query.status),
        ("severity", &query.severity),
        ("service", &query.service),
        ("team", &query.team),
        ("since", &query.since),
        ("until", &query.until),
        ("q", &query.q),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, v)| (k, v.clone()))
    .collect::<Vec<_>>();
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
        groupings: GROUPINGS.iter().map(|(value, label)| (*value, *label, *value == by)).collect(),
        hidden,
        grouped: None,
    };
    let filter = match query.filter() {
        Ok((filter, _)) => filter,
        Err(errors) => {
            page.errors = errors;
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
    };
    if let Ok(grouping) = by.parse::<GroupBy>() {
        let report =
            hindsight_app::response_times::response_times_by(&state.store, &caller.viewer, &filter, grouping).await?;
        let csv = query.url_of("/incidents/response-times.csv", None);
        let csv = format!("{csv}{}by={by}", if csv.contains('?') { '&' } else { '?' });
        page.grouped = Some(grouped_view(&report, by, csv));
    }
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
