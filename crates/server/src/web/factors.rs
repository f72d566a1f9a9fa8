//! Contributing factors and follow-through in the pages: the factors card of a post-mortem
//! (ticked by editors), `/insights/factors` (the factors counted over a period, as an SVG bar
//! chart with its table) and `/insights/follow-through` (post-mortems published for the
//! incidents that required one, and action items closed by their due dates, by team). Each
//! reads what the API does for the same person and downloads as CSV.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hindsight_app::factors::{FactorsChange, PostmortemFactors};
use hindsight_core::{CoverageRow, FactorTaxonomy, OnTimeRow};
use serde::Deserialize;

use super::insights::{BarChart, InsightsHead, PeriodForm, bar_chart, change_words, csv_file, period_words};
use crate::api::IncidentHandle;
use crate::json::Params;
use crate::state::AppState;
use crate::web::kit::{Chrome, PageError, Posted, Signed, see_other_with_notice, urlencode};
use crate::web::view;

// ----- A post-mortem's factors -----

/// A factor as the post-mortem's card offers it.
pub(crate) struct FactorOption {
    pub(crate) key: String,
    pub(crate) label: String,
    pub(crate) description: String,
    pub(crate) checked: bool,
    pub(crate) retired: bool,
}

/// The contributing factors card of a post-mortem's page.
pub(crate) struct FactorsCard {
    pub(crate) options: Vec<FactorOption>,
    /// The factors ticked, as a sentence's list; empty for none.
    pub(crate) tagged: String,
}

impl FactorsCard {
    pub(crate) fn new(taxonomy: &FactorTaxonomy, factors: &PostmortemFactors) -> FactorsCard {
        let has = |key: &str| factors.factors.iter().any(|f| f.key == key);
        let mut options: Vec<FactorOption> = taxonomy
            .factors
            .iter()
            .map(|f| FactorOption {
                key: f.key.clone(),
                label: f.label.clone(),
                description: f.description.clone(),
                checked: has(&f.key),
                retired: false,
            })
            .collect();
        options.extend(factors.factors.iter().filter(|f| f.retired).map(|f| FactorOption {
            key: f.key.clone(),
            label: f.label.clone(),
            description: "No longer in the list of factors; untick it to take it off.".into(),
            checked: true,
            retired: true,
        }));
        let tagged = factors.factors.iter().map(|f| f.label.as_str()).collect::<Vec<_>>().join(", ");
        FactorsCard { options, tagged }
    }
}

/// The factors form: the keys ticked.
#[derive(Debug, Default, Deserialize)]
pub struct FactorsForm {
    #[serde(default)]
    factors: Vec<String>,
}

/// `POST /incidents/{handle}/postmortem/factors`: tags the post-mortem with the factors
/// ticked (editors).
pub async fn choose(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<FactorsForm>,
) -> Result<Response, PageError> {
    let on = super::reviews::posted_on(&state, &posted.caller, &handle).await?;
    let change = FactorsChange { factors: posted.form.factors };
    let actor = posted.caller.actor();
    let rules = &state.settings.rules;
    let factors = match hindsight_app::factors::set_for_postmortem(&state.store, &actor, rules, &on.id, &change).await {
        Ok(factors) => factors,
        Err(e) => return super::document::refuse(&state, &posted.caller, &handle, "factors", Vec::new(), e).await,
    };
    let notice = if factors.factors.is_empty() {
        "Contributing factors saved: none.".to_string()
    } else {
        let labels: Vec<&str> = factors.factors.iter().map(|f| f.label.as_str()).collect();
        format!("Contributing factors saved: {}.", labels.join(", "))
    };
    Ok(see_other_with_notice(&format!("{}#factors", on.page), &notice))
}

// ----- /insights/factors -----

/// A factor as the table shows it.
pub(crate) struct FactorRow {
    label: String,
    description: String,
    retired: bool,
    /// The incidents with it, listed.
    href: String,
    incidents: String,
    previous: String,
    change: String,
    trend: &'static str,
    /// Of the tagged post-mortems of the period, the share with it.
    share: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "insights_factors.html")]
pub(crate) struct FactorsPage {
    chrome: Chrome,
    head: InsightsHead,
    previous: String,
    chart: Option<BarChart>,
    rows: Vec<FactorRow>,
    postmortems: String,
    tagged: String,
}

/// `/insights/factors`: the contributing factors counted over a period.
pub async fn report(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Params(form): Params<PeriodForm>,
) -> Result<Response, PageError> {
    let mut page = FactorsPage {
        chrome: Chrome::of(&caller),
        head: InsightsHead::new("factors", &form).with_filters(&state).await?,
        previous: String::new(),
        chart: None,
        rows: Vec::new(),
        postmortems: String::new(),
        tagged: String::new(),
    };
    let (Some(period), Some(filter)) = (page.head.read_period(), page.head.read_filter()) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let rules = &state.settings.rules;
    let report = hindsight_app::factors::report(&state.store, &caller.actor(), rules, period, &filter).await?;
    page.previous = period_words(report.previous);
    page.postmortems = view::plural(report.postmortems, "incident has a post-mortem", "incidents have a post-mortem");
    page.tagged = view::count(report.tagged);
    page.chart = bar_chart(
        report
            .factors
            .iter()
            .filter(|f| f.incidents > 0 || f.previous_incidents > 0)
            .map(|f| (f.label.as_str(), f.incidents, f.previous_incidents)),
        "contributing factor",
    );
    let since = report.period.start().date();
    let until = report.period.to;
    page.rows = report
        .factors
        .iter()
        .map(|f| {
            let (change, trend) = change_words(f.incidents - f.previous_incidents);
            FactorRow {
                label: f.label.clone(),
                description: f.description.clone(),
                retired: f.retired,
                href: format!("/incidents?factor={}&since={since}&until={until}", urlencode(&f.key)),
                incidents: view::count(f.incidents),
                previous: view::count(f.previous_incidents),
                change,
                trend,
                share: if report.tagged > 0 {
                    format!("{}%", (f.incidents * 100 + report.tagged / 2) / report.tagged)
                } else {
                    "—".into()
                },
            }
        })
        .collect();
    Ok(page.into_response())
}

/// `/insights/factors.csv`: one row per factor.
pub async fn report_csv(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Params(form): Params<PeriodForm>,
) -> Result<Response, PageError> {
    let (period, filter) = form.read()?;
    let rules = &state.settings.rules;
    let report = hindsight_app::factors::report(&state.store, &caller.actor(), rules, period, &filter).await?;
    let mut rows = vec![
        ["key", "label", "retired", "incidents", "previous_incidents", "tagged_postmortems", "from", "to"]
            .map(String::from)
            .to_vec(),
    ];
    for f in &report.factors {
        rows.push(vec![
            f.key.clone(),
            f.label.clone(),
            f.retired.to_string(),
            f.incidents.to_string(),
            f.previous_incidents.to_string(),
            report.tagged.to_string(),
            period.from.to_string(),
            period.to.to_string(),
        ]);
    }
    csv_file(&format!("contributing-factors-{}-{}.csv", period.from, period.to), rows)
}

// ----- /insights/follow-through -----

/// A coverage row as the table shows it.
pub(crate) struct CoverageLine {
    group: String,
    required: String,
    started: String,
    published: String,
    percent: String,
    on_time: String,
    late: String,
    overdue: String,
    /// Median and slowest days from resolution to publication.
    days_to_publish: String,
    /// Median and most days late.
    days_late: String,
}

impl CoverageLine {
    fn new(row: &CoverageRow) -> CoverageLine {
        let days = |d: &Option<hindsight_core::metrics::Distribution>| match d {
            Some(d) => format!("{} (most {})", view::plural(d.p50, "day", "days"), view::count(d.max)),
            None => "—".into(),
        };
        CoverageLine {
            group: row.group.clone(),
            required: view::count(row.required),
            started: view::count(row.started),
            published: view::count(row.published),
            percent: row.published_percent().map_or_else(|| "—".into(), |p| format!("{p}%")),
            on_time: view::count(row.on_time),
            late: view::count(row.late),
            overdue: view::count(row.overdue),
            days_to_publish: days(&row.days_to_publish),
            days_late: days(&row.days_late),
        }
    }
}

/// A team's action items as the table shows them.
pub(crate) struct OnTimeLine {
    team: String,
    href: String,
    due: String,
    on_time: String,
    late: String,
    overdue: String,
    not_yet: String,
    percent: String,
    /// The share closed on time, as the width of a bar out of 100.
    bar: i64,
}

impl OnTimeLine {
    fn new(row: &OnTimeRow) -> OnTimeLine {
        let percent = row.on_time_percent();
        OnTimeLine {
            team: if row.team.is_empty() { "No team".into() } else { row.team.clone() },
            href: if row.team.is_empty() {
                "/action-items".into()
            } else {
                format!("/action-items?team={}", urlencode(&row.team))
            },
            due: view::count(row.due),
            on_time: view::count(row.closed_on_time),
            late: view::count(row.closed_late),
            overdue: view::count(row.open_overdue),
            not_yet: view::count(row.open_not_yet_due),
            percent: percent.map_or_else(|| "—".into(), |p| format!("{p}%")),
            bar: percent.unwrap_or(0),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "insights_follow_through.html")]
pub(crate) struct FollowThroughPage {
    chrome: Chrome,
    head: InsightsHead,
    coverage: Vec<CoverageLine>,
    all: Option<CoverageLine>,
    undecided: i64,
    /// The most required incidents counted, when the period held more.
    counted_at_most: Option<String>,
    teams: Vec<OnTimeLine>,
}

/// `/insights/follow-through`: post-mortem coverage and action items on time.
pub async fn follow_through(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Params(form): Params<PeriodForm>,
) -> Result<Response, PageError> {
    let mut page = FollowThroughPage {
        chrome: Chrome::of(&caller),
        head: InsightsHead::new("follow-through", &form).with_filters(&state).await?,
        coverage: Vec::new(),
        all: None,
        undecided: 0,
        counted_at_most: None,
        teams: Vec::new(),
    };
    let (Some(period), Some(filter)) = (page.head.read_period(), page.head.read_filter()) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let report = hindsight_app::factors::follow_through(&state.store, &caller.actor(), period, &filter).await?;
    page.coverage = report.coverage.severities.iter().map(CoverageLine::new).collect();
    page.all = (report.coverage.all.required > 0).then(|| CoverageLine::new(&report.coverage.all));
    page.undecided = report.coverage.undecided;
    page.counted_at_most = report.coverage.counted_at_most.map(view::count);
    page.teams = report.action_items.iter().map(OnTimeLine::new).collect();
    Ok(page.into_response())
}

/// `/insights/follow-through.csv`: the coverage rows, then the teams' rows.
pub async fn follow_through_csv(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Params(form): Params<PeriodForm>,
) -> Result<Response, PageError> {
    let (period, filter) = form.read()?;
    let report = hindsight_app::factors::follow_through(&state.store, &caller.actor(), period, &filter).await?;
    let median =
        |d: &Option<hindsight_core::metrics::Distribution>| d.as_ref().map(|d| d.p50.to_string()).unwrap_or_default();
    let mut rows = vec![
        [
            "kind",
            "group",
            "count",
            "started",
            "published",
            "on_time",
            "late",
            "overdue",
            "not_yet_due",
            "median_days_to_publish",
            "median_days_late",
            "from",
            "to",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let coverage = &report.coverage;
    for row in coverage.severities.iter().chain(std::iter::once(&coverage.all)) {
        rows.push(vec![
            "postmortems_required".into(),
            row.group.clone(),
            row.required.to_string(),
            row.started.to_string(),
            row.published.to_string(),
            row.on_time.to_string(),
            row.late.to_string(),
            row.overdue.to_string(),
            String::new(),
            median(&row.days_to_publish),
            median(&row.days_late),
            period.from.to_string(),
            period.to.to_string(),
        ]);
    }
    for row in &report.action_items {
        rows.push(vec![
            "action_items_due".into(),
            row.team.clone(),
            row.due.to_string(),
            String::new(),
            (row.closed_on_time + row.closed_late).to_string(),
            row.closed_on_time.to_string(),
            row.closed_late.to_string(),
            row.open_overdue.to_string(),
            row.open_not_yet_due.to_string(),
            String::new(),
            String::new(),
            period.from.to_string(),
            period.to.to_string(),
        ]);
    }
    csv_file(&format!("follow-through-{}-{}.csv", period.from, period.to), rows)
}
