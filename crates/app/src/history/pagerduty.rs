//! PagerDuty's REST API v2 as a history import reads it: `GET /incidents` over a window of
//! creation times, oldest first, in classic `offset`/`limit`/`more` pages; and for each
//! incident `GET /incidents/{id}/log_entries`, paged the same way, whose pages go as they
//! are to core's `pagerduty-log` importer, the one a saved log-entries file goes through.

use serde::Deserialize;
use serde::de::IgnoredAny;
use time::OffsetDateTime;

use super::client::ApiClient;
use super::{HistoryError, ListedPage, PageSink, Vendor, VendorIncident, checked_id, format_rfc3339};
use hindsight_core::Severity;

/// Incidents or log entries asked for per page (PagerDuty's largest).
const PAGE: usize = 100;
/// PagerDuty's classic pagination serves no offset past this.
pub const MAX_OFFSET: usize = 10_000;

#[derive(Deserialize)]
struct IncidentsPage {
    incidents: Vec<Incident>,
    #[serde(default)]
    more: bool,
}

#[derive(Deserialize)]
struct Incident {
    id: String,
    incident_number: Option<i64>,
    title: Option<String>,
    summary: Option<String>,
    status: String,
    urgency: Option<String>,
    priority: Option<Reference>,
    service: Option<Reference>,
    html_url: Option<String>,
}

#[derive(Deserialize)]
struct Reference {
    summary: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct LogEntriesPage {
    log_entries: Vec<IgnoredAny>,
    #[serde(default)]
    more: bool,
}

/// The incidents created in `from..to`, from the `offset`-th on, one page.
pub async fn list(
    client: &mut ApiClient,
    from: OffsetDateTime,
    to: OffsetDateTime,
    offset: usize,
) -> Result<ListedPage, HistoryError> {
    let query = [
        ("since", format_rfc3339(from)),
        ("until", format_rfc3339(to)),
        ("offset", offset.to_string()),
        ("limit", PAGE.to_string()),
        ("total", "false".to_string()),
        ("sort_by", "created_at:asc".to_string()),
        ("time_zone", "UTC".to_string()),
    ];
    let (page, _): (IncidentsPage, _) = client.get_json("/incidents", &query, "GET /incidents").await?;
    let mut incidents = Vec::with_capacity(page.incidents.len());
    for (i, mut incident) in page.incidents.into_iter().enumerate() {
        incident.id = checked_id(Vendor::PagerDuty, "GET /incidents", format!("incidents[{i}].id"), incident.id)?;
        incidents.push(vendor_incident(incident));
    }
    Ok(ListedPage { incidents, more: page.more })
}

fn vendor_incident(incident: Incident) -> VendorIncident {
    let priority = incident.priority.and_then(|p| p.summary.or(p.name));
    let title = incident
        .title
        .or(incident.summary)
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| format!("PagerDuty incident {}", incident.id));
    VendorIncident {
        severity: severity(priority.as_deref(), incident.urgency.as_deref()),
        number: incident.incident_number,
        title,
        services: incident.service.and_then(|s| s.summary.or(s.name)).into_iter().collect(),
        resolved: incident.status == "resolved",
        link: incident.html_url,
        id: incident.id,
        detail: serde_json::Value::Null,
    }
}

/// `P1`…`P5` as SEV1…SEV5; without a priority, a high-urgency incident as SEV2 and a low
/// one as SEV4 (docs/HISTORY.md).
fn severity(priority: Option<&str>, urgency: Option<&str>) -> Severity {
    let level = priority
        .and_then(|p| p.trim().strip_prefix(['P', 'p']))
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|n| (1..=5).contains(n))
        .unwrap_or(if urgency == Some("low") { 4 } else { 2 });
    Severity::new(level).unwrap_or(Severity::SEV1)
}

/// Hands every page of `incident`'s log entries, oldest first, to `sink` as it arrives.
/// Answers how many entries were read, and whether PagerDuty had more than it serves.
pub async fn timeline(
    client: &mut ApiClient,
    incident: &VendorIncident,
    sink: &mut PageSink,
) -> Result<(u64, bool), HistoryError> {
    let path = format!("/incidents/{}/log_entries", incident.id);
    let endpoint = format!("GET {path}");
    let mut offset = 0;
    loop {
        let query = [
            ("offset", offset.to_string()),
            ("limit", PAGE.to_string()),
            ("is_overview", "false".to_string()),
            ("include[]", "channels".to_string()),
            ("time_zone", "UTC".to_string()),
        ];
        let (page, body): (LogEntriesPage, _) = client.get_json(&path, &query, &endpoint).await?;
        let read = page.log_entries.len();
        offset += read;
        if !sink.send(body).await {
            return Ok((offset as u64, false));
        }
        if !page.more || read == 0 {
            return Ok((offset as u64, false));
        }
        if offset >= MAX_OFFSET {
            return Ok((offset as u64, true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_names_the_severity_and_urgency_stands_in_without_one() {
        assert_eq!(severity(Some("P1"), Some("low")), Severity::SEV1);
        assert_eq!(severity(Some("P4"), None).to_string(), "SEV4");
        assert_eq!(severity(None, Some("high")).to_string(), "SEV2");
        assert_eq!(severity(None, Some("low")).to_string(), "SEV4");
        assert_eq!(severity(Some("Critical"), Some("low")).to_string(), "SEV4", "a custom name is not a level");
        assert_eq!(severity(Some("P9"), None).to_string(), "SEV2");
    }
}
