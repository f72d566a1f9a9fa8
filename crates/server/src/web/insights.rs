//! The insights pages: hotspots (components and services by incidents over a period, as an
//! SVG bar chart drawn here with its table), fixes that did and did not hold, and the ledger
//! of unknown causes. Each reads what the API does for the same person, and each downloads
//! as CSV with the same period.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hindsight_app::AppError;
use hindsight_core::{Certainty, FixOutcome, Hotspot, Period};
use serde::Deserialize;

use crate::json::Params;
use crate::state::AppState;
use crate::web::kit::{Chrome, PageError, Signed, urlencode};
use crate::web::view;

/// The period form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct PeriodForm {
    /// First day, `2026-01-01`.
    #[serde(default)]
    pub(crate) from: String,
    /// Last day, included.
    #[serde(default)]
    pub(crate) to: String,
    /// The incident list's filters, on the pages that take them: `SEV2`, a service's and a
    /// team's slug.
    #[serde(default)]
    pub(crate) severity: String,
    #[serde(default)]
    pub(crate) service: String,
    #[serde(default)]
    pub(crate) team: String,
}

impl PeriodForm {
    /// The period, or the messages of what could not be read.
    pub(crate) fn period(&self) -> Result<Period, Vec<String>> {
        hindsight_app::learning::period(Some(&self.from), Some(&self.to)).map_err(|e| match e {
            AppError::Invalid(errors) => {
                errors.0.iter().map(|e| format!("{}: {}", label(&e.field), e.message)).collect()
            }
            other => vec![other.to_string()],
        })
    }

    /// The query string that keeps the period as typed, `?from=…&to=…` (empty when none is).
    pub(crate) fn query(&self) -> String {
        let pairs: Vec<String> = [
            ("from", &self.from),
            ("to", &self.to),
            ("severity", &self.severity),
            ("service", &self.service),
            ("team", &self.team),
        ]
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| format!("{name}={}", urlencode(value.trim())))
        .collect();
        if pairs.is_empty() { String::new() } else { format!("?{}", pairs.join("&")) }
    }

    /// The list's filters as the API takes them.
    pub(crate) fn incident_query(&self) -> crate::api::incidents::IncidentQuery {
        crate::api::incidents::IncidentQuery {
            severity: Some(self.severity.trim().to_string()),
            service: Some(self.service.trim().to_string()),
            team: Some(self.team.trim().to_string()),
            ..Default::default()
        }
    }

    /// The period and the incidents the list's filters select, for a download: what cannot
    /// be read is refused as the API refuses it.
    pub(crate) fn read(&self) -> Result<(Period, hindsight_store::IncidentFilter), PageError> {
        let period = hindsight_app::learning::period(Some(&self.from), Some(&self.to))?;
        Ok((period, self.incident_query().filter()?))
    }

    /// The incidents the list's filters select, or what could not be read.
    pub(crate) fn filter(&self) -> Result<hindsight_store::IncidentFilter, Vec<String>> {
        self.incident_query().filter().map_err(|e| vec![e.to_string()])
    }
}

pub(crate) fn label(field: &str) -> &str {
    match field {
        "from" => "From",
        "to" => "To",
        other => other,
    }
}

/// `/insights`: the hotspots come first.
pub async fn index() -> Redirect {
    Redirect::to("/insights/hotspots")
}

/// A CSV download named `name`.
pub(crate) fn csv_file(name: &str, rows: Vec<Vec<String>>) -> Result<Response, PageError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(&row).map_err(|e| PageError::from(AppError::Internal(e.to_string())))?;
    }
    let body = writer.into_inner().map_err(|e| PageError::from(AppError::Internal(e.to_string())))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response())
}

/// A change against the period before as pages say it: `+2`, `−1` or `=`, and its trend
/// (`rising`, `falling`, `steady`).
pub(crate) fn change_words(change: i64) -> (String, &'static str) {
    match change {
        0 => ("=".into(), "steady"),
        c if c > 0 => (format!("+{}", view::count(c)), "rising"),
        c => (format!("−{}", view::count(-c)), "falling"),
    }
}

/// A period as pages say it: `2025-12-09 to 2026-12-08`.
pub(crate) fn period_words(period: Period) -> String {
    format!("{} to {}", period.from, period.to)
}

/// What every insights page shows above its own content: its tab, the period form as typed
/// (and any errors in it), the period as read, and where its data downloads.
pub(crate) struct InsightsHead {
    pub(crate) tab: &'static str,
    pub(crate) form: PeriodForm,
    pub(crate) errors: Vec<String>,
    /// The period read, in words; empty until read.
    pub(crate) period: String,
    pub(crate) csv_url: String,
    /// The query string that keeps the period as typed, for the tabs and the JSON link.
    pub(crate) query: String,
    /// The incident list's filters, on the pages that take them: the choices of each.
    pub(crate) filters: Option<FilterChoices>,
}

/// What the filters of an insights page offer: severities, and services and teams by slug
/// and name.
pub(crate) struct FilterChoices {
    pub(crate) severities: Vec<String>,
    pub(crate) services: Vec<(String, String)>,
    pub(crate) teams: Vec<(String, String)>,
}

impl InsightsHead {
    /// The head of page `/insights/{tab}` with the period `form` asks for.
    pub(crate) fn new(tab: &'static str, form: &PeriodForm) -> InsightsHead {
        let query = form.query();
        InsightsHead {
            tab,
            csv_url: format!("/insights/{tab}.csv{query}"),
            query,
            form: form.clone(),
            errors: Vec::new(),
            period: String::new(),
            filters: None,
        }
    }

    /// This head with the incident list's filters offered, their choices read.
    pub(crate) async fn with_filters(mut self, state: &AppState) -> Result<InsightsHead, PageError> {
        let services = state.store.list_services().await?.into_iter().map(|s| (s.slug, s.name)).collect();
        let teams = state.store.list_teams().await?.into_iter().map(|t| (t.slug, t.name)).collect();
        let severities = (1..=5).filter_map(hindsight_core::Severity::new).map(|s| s.to_string()).collect();
        self.filters = Some(FilterChoices { severities, services, teams });
        Ok(self)
    }

    /// The incidents the filters select; `None`, with what could not be read kept, when they
    /// cannot be read.
    pub(crate) fn read_filter(&mut self) -> Option<hindsight_store::IncidentFilter> {
        match self.form.filter() {
            Ok(filter) => Some(filter),
            Err(errors) => {
                self.errors.extend(errors);
                None
            }
        }
    }

    /// The period the form asks for, its words kept for the page; `None`, with what could
    /// not be read kept, when it cannot be read.
    pub(crate) fn read_period(&mut self) -> Option<Period> {
        match self.form.period() {
            Ok(period) => {
                self.period = period_words(period);
                Some(period)
            }
            Err(errors) => {
                self.errors = errors;
                None
            }
        }
    }
}

// ----- Hotspots -----

/// A hotspot as the table shows it.
pub(crate) struct HotspotRow {
    name: String,
    /// Where its incidents are listed: the service's page, or a search for the component.
    href: String,
    incidents: String,
    previous: String,
    /// `+2`, `−1` or `=`, against the period before.
    change: String,
    trend: &'static str,
    minutes: String,
    legacy: String,
    open_must_fix: String,
}

impl HotspotRow {
    fn new(hotspot: &Hotspot, href: String) -> HotspotRow {
        let (change, trend) = change_words(hotspot.change());
        HotspotRow {
            name: hotspot.name.clone(),
            href,
            incidents: view::count(hotspot.incidents),
            previous: view::count(hotspot.previous_incidents),
            change,
            trend,
            minutes: view::seconds(hotspot.impact_minutes.saturating_mul(60)),
            legacy: view::count(hotspot.legacy),
            open_must_fix: view::count(hotspot.open_must_fix),
        }
    }
}

/// A horizontal bar chart of incidents per hotspot, with a tick at the period before.
pub(crate) struct BarChart {
    pub(crate) height: f64,
    pub(crate) bars: Vec<ChartBar>,
    /// What the chart shows, for those who cannot see it.
    pub(crate) summary: String,
}

pub(crate) struct ChartBar {
    pub(crate) y: f64,
    pub(crate) label: String,
    pub(crate) width: f64,
    pub(crate) previous_x: f64,
    pub(crate) value_x: f64,
    pub(crate) value: String,
    pub(crate) title: String,
}

/// Where the bars start, how wide they may grow, and each row's height.
pub(crate) const BAR_LEFT: f64 = 190.0;
pub(crate) const BAR_SPAN: f64 = 460.0;
const ROW: f64 = 26.0;
/// Hotspots the chart draws, at most (the table lists them all).
const CHARTED: usize = 12;

/// The chart of `items`, each a name with its count in the period and in the period before,
/// in the order given (the first [`CHARTED`]); `what` names one item (`root-cause component`).
pub(crate) fn bar_chart<'a>(items: impl IntoIterator<Item = (&'a str, i64, i64)>, what: &str) -> Option<BarChart> {
    let shown: Vec<(&str, i64, i64)> = items.into_iter().take(CHARTED).collect();
    let most = shown.iter().map(|(_, now, before)| *now.max(before)).max()?.max(1) as f64;
    let bars = shown
        .iter()
        .enumerate()
        .map(|(n, &(name, now, before))| {
            let width = BAR_SPAN * now as f64 / most;
            ChartBar {
                y: n as f64 * ROW,
                label: view::shortened(name, 26),
                width,
                previous_x: BAR_LEFT + BAR_SPAN * before as f64 / most,
                value_x: BAR_LEFT + width + 6.0,
                value: view::count(now),
                title: format!(
                    "{}: {} in the period, {} in the period before",
                    name,
                    view::plural(now, "incident", "incidents"),
                    view::count(before)
                ),
            }
        })
        .collect::<Vec<_>>();
    let summary = format!(
        "Incidents per {what}, the {} with the most; a tick marks each one's count in the period before.",
        view::count(bars.len() as i64)
    );
    Some(BarChart { height: bars.len() as f64 * ROW, bars, summary })
}

/// The chart of `hotspots`.
fn hotspot_chart(hotspots: &[Hotspot], what: &str) -> Option<BarChart> {
    bar_chart(hotspots.iter().map(|h| (h.name.as_str(), h.incidents, h.previous_incidents)), what)
}

#[derive(Template, WebTemplate)]
#[template(path = "insights_hotspots.html")]
pub(crate) struct HotspotsPage {
    chrome: Chrome,
    head: InsightsHead,
    previous: String,
    sections: Vec<HotspotSection>,
}

/// One list of hotspots (components, or services), its chart and its table.
pub(crate) struct HotspotSection {
    heading: &'static str,
    id: &'static str,
    rows: Vec<HotspotRow>,
    chart: Option<BarChart>,
    empty: &'static str,
}

/// `/insights/hotspots`: the components and services with the most incidents.
pub async fn hotspots(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Params(form): Params<PeriodForm>,
) -> Result<Response, PageError> {
    let mut page = HotspotsPage {
        chrome: Chrome::of(&caller),
        head: InsightsHead::new("hotspots", &form).with_filters(&state).await?,
        previous: String::new(),
        sections: Vec::new(),
    };
    let (Some(period), Some(filter)) = (page.head.read_period(), page.head.read_filter()) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let hotspots = hindsight_app::learning::hotspots(&state.store, &caller.actor(), period, &filter).await?;
    page.previous = period_words(hotspots.previous);
    page.sections = vec![
        HotspotSection {
            heading: "Root-cause components",
            id: "components",
            chart: hotspot_chart(&hotspots.components, "root-cause component"),
            rows: hotspots
                .components
                .iter()
                .map(|h| HotspotRow::new(h, format!("/incidents?q={}", urlencode(&h.name))))
                .collect(),
            empty: "No post-mortem of an incident in this period names a component.",
        },
        HotspotSection {
            heading: "Affected services",
            id: "services",
            chart: hotspot_chart(&hotspots.services, "affected service"),
            rows: hotspots
                .services
                .iter()
                .map(|h| HotspotRow::new(h, format!("/services/{}", urlencode(&h.name))))
                .collect(),
            empty: "No incident in this period names a service.",
        },
    ];
    Ok(page.into_response())
}

/// `/insights/hotspots.csv`: both lists, one row per hotspot.
pub async fn hotspots_csv(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Params(form): Params<PeriodForm>,
) -> Result<Response, PageError> {
    let (period, filter) = form.read()?;
    let hotspots = hindsight_app::learning::hotspots(&state.store, &caller.actor(), period, &filter).await?;
    let mut rows = vec![
        [
            "kind",
            "name",
            "incidents",
            "previous_incidents",
            "impact_minutes",
            "legacy_flags",
            "open_must_fix_items",
            "from",
            "to",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (kind, list) in [("component", &hotspots.components), ("service", &hotspots.services)] {
        for h in list {
            rows.push(vec![
                kind.into(),
                h.name.clone(),
                h.incidents.to_string(),
                h.previous_incidents.to_string(),
                h.impact_minutes.to_string(),
                h.legacy.to_string(),
                h.open_must_fix.to_string(),
                period.from.to_string(),
                period.to.to_string(),
            ]);
        }
    }
    csv_file(&format!("hotspots-{}-{}.csv", period.from, period.to), rows)
}

// ----- Fixes -----

/// A fix as the tables show it.
pub(crate) struct FixRow {
    incident: String,
    title: String,
    component: String,
    cause: String,
    fixed: String,
    items: String,
    /// For one that did not hold: the first incident back, why, after how long, how many.
    back: Option<(String, String, &'static str)>,
    after: String,
    returns: String,
    /// For one that held: for how long so far.
    held_for: String,
}

impl FixRow {
    fn new(fix: &FixOutcome, now: time::OffsetDateTime) -> FixRow {
        FixRow {
            incident: fix.incident.clone(),
            title: fix.title.clone(),
            component: fix.component.clone(),
            cause: view::shortened(&fix.cause, 160),
            fixed: view::when(fix.fixed_at),
            items: view::count(fix.action_items),
            back: fix.came_back.as_ref().map(|b| (b.handle.clone(), b.title.clone(), b.reason.label())),
            after: fix
                .came_back
                .as_ref()
                .map(|b| view::seconds((b.began_at - fix.fixed_at).whole_seconds()))
                .unwrap_or_default(),
            returns: view::count(fix.returns),
            held_for: view::seconds((now - fix.fixed_at).whole_seconds()),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "insights_fixes.html")]
pub(crate) struct FixesPage {
    chrome: Chrome,
    head: InsightsHead,
    did_not_hold: Vec<FixRow>,
    held: Vec<FixRow>,
    /// Whether the period had more fixes than are read, and how many are.
    capped: bool,
    cap: String,
}

/// `/insights/fixes`: fixes made in the period, and whether their causes came back.
pub async fn fixes(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Params(form): Params<PeriodForm>,
) -> Result<Response, PageError> {
    let mut page = FixesPage {
        chrome: Chrome::of(&caller),
        head: InsightsHead::new("fixes", &form),
        did_not_hold: Vec::new(),
        held: Vec::new(),
        capped: false,
        cap: view::count(hindsight_store::MAX_FIXES),
    };
    let Some(period) = page.head.read_period() else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let report = hindsight_app::learning::fixes(&state.store, &caller.actor(), period).await?;
    let now = time::OffsetDateTime::now_utc();
    page.capped = (report.did_not_hold.len() + report.held.len()) as i64 >= hindsight_store::MAX_FIXES;
    page.did_not_hold = report.did_not_hold.iter().map(|f| FixRow::new(f, now)).collect();
    page.held = report.held.iter().map(|f| FixRow::new(f, now)).collect();
    Ok(page.into_response())
}

/// `/insights/fixes.csv`: one row per fix.
pub async fn fixes_csv(
    State(state): State<AppState>,
    Signed(caller): Signed,
    Params(form): Params<PeriodForm>,
) -> Result<Response, PageError> {
    let period = hindsight_app::learning::period(Some(&form.from), Some(&form.to))?;
    let report = hindsight_app::learning::fixes(&state.store, &caller.actor(), period).await?;
    let mut rows = vec![
        [
            "incident",
            "component",
            "cause",
            "fixed_at",
            "action_items",
            "held",
            "came_back_as",
            "came_back_at",
            "reason",
            "days_to_return",
            "returns",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for fix in report.did_not_hold.iter().chain(&report.held) {
        let back = fix.came_back.as_ref();
        let rfc3339 =
            |at: time::OffsetDateTime| at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
        rows.push(vec![
            fix.incident.clone(),
            fix.component.clone(),
            fix.cause.clone(),
            rfc3339(fix.fixed_at),
            fix.action_items.to_string(),
            back.is_none().to_string(),
            back.map(|b| b.handle.clone()).unwrap_or_default(),
            back.map(|b| rfc3339(b.began_at)).unwrap_or_default(),
            back.map(|b| b.reason.as_str().to_string()).unwrap_or_default(),
            fix.days_to_return().map(|d| d.to_string()).unwrap_or_default(),
            fix.returns.to_string(),
        ]);
    }
    csv_file(&format!("fixes-{}-{}.csv", period.from, period.to), rows)
}

// ----- The ledger of unknown causes -----

/// An entry of the ledger as the page lists it.
pub(crate) struct LedgerRow {
    incident: String,
    title: String,
    began: String,
    certainty: &'static str,
    component: String,
    clues: String,
    leads: Vec<(String, String, &'static str)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "insights_unknown.html")]
pub(crate) struct UnknownCausesPage {
    chrome: Chrome,
    head: InsightsHead,
    entries: Vec<LedgerRow>,
    capped: bool,
    cap: String,
}

fn certainty_words(certainty: Certainty) -> &'static str {
    match certainty {
        Certainty::Probable => "suspected",
        _ => "unknown",
    }
}

/// `/insights/unknown-causes`: causes still unknown or only suspected, with their leads.
pub async fn unknown_causes(State(state): State<AppState>, Signed(caller): Signed) -> Result<Response, PageError> {
    let ledger = hindsight_app::learning::unknown_causes(&state.store, &caller.actor()).await?;
    let page = UnknownCausesPage {
        chrome: Chrome::of(&caller),
        // The ledger has no period: the tabs keep none.
        head: InsightsHead::new("unknown-causes", &PeriodForm::default()),
        capped: ledger.len() as i64 >= hindsight_store::MAX_LEDGER,
        cap: view::count(hindsight_store::MAX_LEDGER),
        entries: ledger
            .into_iter()
            .map(|u| LedgerRow {
                incident: u.incident,
                title: u.title,
                began: view::when(u.began_at),
                certainty: certainty_words(u.certainty),
                component: u.component,
                clues: u.clues,
                leads: u.leads.into_iter().map(|l| (l.handle, l.title, l.reason.label())).collect(),
            })
            .collect(),
    };
    Ok(page.into_response())
}

/// `/insights/unknown-causes.csv`: one row per entry, its leads in one column.
pub async fn unknown_causes_csv(State(state): State<AppState>, Signed(caller): Signed) -> Result<Response, PageError> {
    let ledger = hindsight_app::learning::unknown_causes(&state.store, &caller.actor()).await?;
    let mut rows = vec![
        ["incident", "title", "began_at", "certainty", "component", "cause", "clues", "leads"]
            .map(String::from)
            .to_vec(),
    ];
    for u in ledger {
        rows.push(vec![
            u.incident,
            u.title,
            u.began_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            u.certainty.as_str().to_string(),
            u.component,
            u.cause,
            u.clues,
            u.leads.iter().map(|l| format!("{} ({})", l.handle, l.reason.as_str())).collect::<Vec<_>>().join(" "),
        ]);
    }
    csv_file("unknown-causes.csv", rows)
}

// ----- Response times by group: box plots -----

/// One measure's spread in each group, as a box plot: whiskers from the shortest to the
/// 95th percentile, the box from the first to the third quartile, a line at the median.
pub(crate) struct BoxPlot {
    /// What it measures: `Time to resolve`.
    pub(crate) name: &'static str,
    pub(crate) height: f64,
    pub(crate) rows: Vec<BoxRow>,
    /// The scale's end, as a duration.
    pub(crate) scale: String,
    pub(crate) summary: String,
}

pub(crate) struct BoxRow {
    pub(crate) y: f64,
    pub(crate) label: String,
    pub(crate) few: bool,
    pub(crate) low: f64,
    pub(crate) q1: f64,
    pub(crate) median: f64,
    pub(crate) q3: f64,
    pub(crate) high: f64,
    pub(crate) title: String,
}

/// A box plot of the measure `pick` chooses across `groups`; none when no group has it.
pub(crate) fn box_plot(
    name: &'static str,
    groups: &[hindsight_core::metrics::GroupReport],
    pick: fn(&hindsight_core::metrics::MetricsReport) -> Option<&hindsight_core::metrics::Distribution>,
) -> Option<BoxPlot> {
    let measured: Vec<_> = groups.iter().filter_map(|g| pick(&g.report).map(|d| (g, d))).collect();
    let most = measured.iter().map(|(_, d)| d.p95).max()?.max(60) as f64;
    let x = |seconds: i64| BAR_LEFT + BAR_SPAN * (seconds as f64 / most).min(1.0);
    let rows: Vec<BoxRow> = measured
        .iter()
        .enumerate()
        .map(|(n, (g, d))| BoxRow {
            y: n as f64 * ROW,
            label: g.key.chars().take(26).collect(),
            few: g.few,
            low: x(d.min),
            q1: x(d.p25),
            median: x(d.p50),
            q3: x(d.p75),
            high: x(d.p95),
            title: format!(
                "{}: median {}, middle half {} to {}, 95th percentile {}, over {}{}",
                g.key,
                view::seconds(d.p50),
                view::seconds(d.p25),
                view::seconds(d.p75),
                view::seconds(d.p95),
                view::plural(d.count as i64, "incident", "incidents"),
                if g.few { " (fewer than five: read with care)" } else { "" }
            ),
        })
        .collect();
    Some(BoxPlot {
        name,
        height: rows.len() as f64 * ROW + 18.0,
        summary: format!(
            "{name} in each group: the box spans the middle half, the line is the median, the whiskers reach from \
             the shortest to the 95th percentile. Groups marked * have fewer than five incidents."
        ),
        scale: view::seconds(most as i64),
        rows,
    })
}
