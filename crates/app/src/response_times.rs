//! Response times across incidents: those a viewer may see that match a filter, each
//! measured as on its page and spread into distributions (core's `metrics_report`:
//! medians and percentiles, never means). Shared by the API, the response-times page and
//! the CLI. Not one incident's metrics (core's `incident_metrics`).

use hindsight_core::Incident;
use hindsight_core::access::Viewer;
use hindsight_core::metrics::{
    GroupBy, GroupedReport, IncidentMetrics, MetricsReport, group_keys, grouped_report, incident_metrics,
    metrics_report,
};
use hindsight_store::{IncidentFilter, Store, StoreError};

/// Incidents measured per report, at most.
pub const MAX_REPORTED: usize = 10_000;

/// Incidents read at a time.
const PAGE: i64 = 200;

/// The distributions of response times of the incidents `viewer` may see that match
/// `filter` (the first `MAX_REPORTED`, newest first): their timelines summed up in one
/// query, the incidents read a page at a time.
pub async fn response_times(
    store: &Store,
    viewer: &Viewer,
    filter: &IncidentFilter,
) -> Result<MetricsReport, StoreError> {
    let measured = measure(store, viewer, filter, |incident, metrics| (metrics, incident.number)).await?;
    let metrics: Vec<IncidentMetrics> = measured.into_iter().map(|(metrics, _)| metrics).collect();
    Ok(metrics_report(&metrics))
}

/// The same, group by group: by severity, team, service or the month they began.
pub async fn response_times_by(
    store: &Store,
    viewer: &Viewer,
    filter: &IncidentFilter,
    by: GroupBy,
) -> Result<GroupedReport, StoreError> {
    let measured = measure(store, viewer, filter, |incident, metrics| (metrics, group_keys(incident, by))).await?;
    Ok(grouped_report(by, &measured))
}

/// Each incident's metrics, kept as `keep` makes them, for the first `MAX_REPORTED`
/// incidents matching `filter`, newest first.
async fn measure<T>(
    store: &Store,
    viewer: &Viewer,
    filter: &IncidentFilter,
    keep: impl Fn(&Incident, IncidentMetrics) -> T,
) -> Result<Vec<T>, StoreError> {
    let summaries = store.timeline_summaries(viewer, filter).await?;
    let mut measured = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list_incidents(viewer, filter, cursor.as_deref(), PAGE).await?;
        for incident in &page.items {
            let summary = summaries.get(&incident.number).cloned().unwrap_or_default();
            measured.push(keep(incident, incident_metrics(incident, &summary)));
        }
        match page.next_cursor {
            Some(next) if measured.len() < MAX_REPORTED => cursor = Some(next),
            _ => break,
        }
    }
    Ok(measured)
}
