//! Response times across incidents: those a viewer may see that match a filter, each
//! measured as on its page and spread into distributions (core's `metrics_report`:
//! medians and percentiles, never means). Shared by the API, the response-times page and
//! the CLI. Not one incident's metrics (core's `incident_metrics`).

use hindsight_core::access::Viewer;
use hindsight_core::metrics::{MetricsReport, incident_metrics, metrics_report};
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
    let summaries = store.timeline_summaries(viewer, filter).await?;
    let mut measured = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list_incidents(viewer, filter, cursor.as_deref(), PAGE).await?;
        for incident in &page.items {
            let summary = summaries.get(&incident.number).cloned().unwrap_or_default();
            measured.push(incident_metrics(incident, &summary));
        }
        match page.next_cursor {
            Some(next) if measured.len() < MAX_REPORTED => cursor = Some(next),
            _ => break,
        }
    }
    Ok(metrics_report(&measured))
}
