//! Opsgenie's Alert API (v2) as a history import reads it: `GET /v2/alerts` with a search
//! query over creation times, oldest first, in `offset`/`limit` pages; and for each alert
//! `GET /v2/alerts/{id}/logs`, paged by the `offset` each log carries.
//!
//! Alerts rather than Opsgenie's Incident API: alerts exist on every plan, and the alert
//! list carries what the response is measured from (`report.ackTime`, `report.closeTime`,
//! who acknowledged and closed). Each alert is told to core's `opsgenie` importer, the one
//! that reads Opsgenie's webhook deliveries, as the deliveries its webhook would have sent:
//! `Create` at `createdAt`, `Acknowledge` and `Close` at `createdAt` plus `report`'s times,
//! and `AddNote` for each of its logs of type `note`. So an alert comes out as it would
//! have from the webhook.

use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::client::ApiClient;
use super::{HistoryError, ListedPage, PageSink, Vendor, VendorIncident, checked_id};
use hindsight_core::Severity;

/// Alerts or logs asked for per page (Opsgenie's largest).
const PAGE: usize = 100;
/// Pages of logs read at most per alert.
const MAX_LOG_PAGES: usize = 100;
/// Opsgenie serves no alert past this offset plus the page.
pub const MAX_OFFSET: usize = 20_000;

#[derive(Deserialize)]
struct AlertsPage {
    data: Vec<Alert>,
    #[serde(default)]
    paging: Paging,
}

#[derive(Deserialize, Default)]
struct Paging {
    next: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Alert {
    id: String,
    tiny_id: Option<String>,
    message: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    created_at: String,
    report: Option<Report>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Report {
    ack_time: Option<i64>,
    close_time: Option<i64>,
    acknowledged_by: Option<String>,
    closed_by: Option<String>,
}

#[derive(Deserialize)]
struct LogsPage {
    data: Vec<Log>,
    #[serde(default)]
    paging: Paging,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Log {
    log: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    owner: Option<String>,
    created_at: String,
    offset: Option<String>,
}

/// The alerts created in `from..to`, from the `offset`-th on, one page.
pub async fn list(
    client: &mut ApiClient,
    from: OffsetDateTime,
    to: OffsetDateTime,
    offset: usize,
) -> Result<ListedPage, HistoryError> {
    let query = [
        // Opsgenie's search compares createdAt with epoch milliseconds.
        ("query", format!("createdAt >= {} AND createdAt < {}", millis(from), millis(to))),
        ("offset", offset.to_string()),
        ("limit", PAGE.to_string()),
        ("sort", "createdAt".to_string()),
        ("order", "asc".to_string()),
    ];
    let endpoint = "GET /v2/alerts";
    let (page, _): (AlertsPage, _) = client.get_json("/v2/alerts", &query, endpoint).await?;
    let mut incidents = Vec::with_capacity(page.data.len());
    for (i, mut alert) in page.data.into_iter().enumerate() {
        alert.id = checked_id(Vendor::Opsgenie, endpoint, format!("data[{i}].id"), alert.id)?;
        incidents.push(vendor_incident(alert).map_err(|reason| HistoryError::Malformed {
            vendor: Vendor::Opsgenie,
            endpoint: endpoint.to_string(),
            path: format!("data[{i}].createdAt"),
            reason,
        })?);
    }
    Ok(ListedPage { more: page.paging.next.is_some() && !incidents.is_empty(), incidents })
}

fn vendor_incident(alert: Alert) -> Result<VendorIncident, String> {
    let created = OffsetDateTime::parse(&alert.created_at, &Rfc3339)
        .map_err(|e| format!("{:?} is not an RFC 3339 time: {e}", alert.created_at))?;
    let report = alert.report.unwrap_or_default();
    let created_ms = millis(created);
    let tiny = alert.tiny_id.clone();
    let message = alert.message.clone().filter(|m| !m.trim().is_empty());
    let delivery = |action: &str, at_ms: i64, user: Option<&String>| {
        json!({
            "action": action,
            "source": {"name": "hindsight import-history", "type": "API"},
            "alert": {
                "alertId": alert.id,
                "tinyId": tiny,
                "message": message,
                "username": user,
                "createdAt": created_ms,
                "updatedAt": at_ms,
            }
        })
    };
    let mut deliveries = vec![delivery("Create", created_ms, None)];
    if let Some(ack) = report.ack_time.filter(|t| *t >= 0) {
        deliveries.push(delivery("Acknowledge", created_ms.saturating_add(ack), report.acknowledged_by.as_ref()));
    }
    if let Some(close) = report.close_time.filter(|t| *t >= 0) {
        deliveries.push(delivery("Close", created_ms.saturating_add(close), report.closed_by.as_ref()));
    }
    Ok(VendorIncident {
        number: alert.tiny_id.as_deref().and_then(|t| t.parse().ok()),
        title: message.unwrap_or_else(|| format!("Opsgenie alert {}", alert.id)),
        severity: severity(alert.priority.as_deref()),
        services: Vec::new(),
        resolved: alert.status.as_deref() == Some("closed"),
        link: None,
        id: alert.id,
        detail: Value::Array(deliveries),
    })
}

/// `P1`…`P5` as SEV1…SEV5; Opsgenie's default, P3, when it says none.
fn severity(priority: Option<&str>) -> Severity {
    let level = priority.and_then(|p| p.strip_prefix('P')).and_then(|n| n.parse::<u8>().ok()).unwrap_or(3);
    Severity::new(level).or(Severity::new(3)).unwrap_or(Severity::SEV1)
}

fn millis(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Hands the alert's deliveries (JSON Lines), then its notes page by page, to `sink`.
/// Answers how many logs were read, and whether there were more than it reads.
pub async fn timeline(
    client: &mut ApiClient,
    incident: &VendorIncident,
    sink: &mut PageSink,
) -> Result<(u64, bool), HistoryError> {
    let lines = |deliveries: &[Value]| {
        let mut text = Vec::new();
        for delivery in deliveries {
            text.extend_from_slice(delivery.to_string().as_bytes());
            text.push(b'\n');
        }
        text
    };
    let created: &[Value] = incident.detail.as_array().map(Vec::as_slice).unwrap_or_default();
    if !sink.send(lines(created)).await {
        return Ok((0, false));
    }
    let base = created.first().cloned().unwrap_or(Value::Null);
    let path = format!("/v2/alerts/{}/logs", incident.id);
    let endpoint = format!("GET {path}");
    let mut offset: Option<String> = None;
    let mut read = 0;
    for _ in 0..MAX_LOG_PAGES {
        let mut query = vec![
            ("identifierType", "id".to_string()),
            ("order", "asc".to_string()),
            ("direction", "next".to_string()),
            ("limit", PAGE.to_string()),
        ];
        if let Some(offset) = &offset {
            query.push(("offset", offset.clone()));
        }
        let (page, _): (LogsPage, _) = client.get_json(&path, &query, &endpoint).await?;
        read += page.data.len() as u64;
        let mut notes = Vec::new();
        for (i, log) in page.data.iter().enumerate() {
            if log.kind.as_deref() != Some("note") {
                continue;
            }
            let at = OffsetDateTime::parse(&log.created_at, &Rfc3339).map_err(|e| HistoryError::Malformed {
                vendor: Vendor::Opsgenie,
                endpoint: endpoint.clone(),
                path: format!("data[{i}].createdAt"),
                reason: e.to_string(),
            })?;
            let mut note = base.clone();
            note["action"] = json!("AddNote");
            note["alert"]["updatedAt"] = json!(millis(at));
            note["alert"]["note"] = json!(log.log);
            note["alert"]["username"] = json!(log.owner);
            notes.push(note);
        }
        if !notes.is_empty() && !sink.send(lines(&notes)).await {
            return Ok((read, false));
        }
        let next = page.data.last().and_then(|l| l.offset.clone());
        if page.paging.next.is_none() || next.is_none() || next == offset {
            return Ok((read, false));
        }
        offset = next;
    }
    Ok((read, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(report: Value) -> Alert {
        serde_json::from_value(json!({"id": "a-1", "tinyId": "41", "message": "Checkout 5xx", "status": "closed",
            "priority": "P2", "createdAt": "2026-03-01T10:00:00.000Z", "report": report}))
        .unwrap()
    }

    #[test]
    fn an_alert_is_told_as_its_webhook_deliveries() {
        let incident =
            vendor_incident(alert(json!({"ackTime": 60_000, "closeTime": 3_600_000, "acknowledgedBy": "ana",
            "closedBy": "bo"})))
            .unwrap();
        assert_eq!(incident.severity.to_string(), "SEV2");
        assert_eq!(incident.number, Some(41));
        assert!(incident.resolved);
        let deliveries = incident.detail.as_array().unwrap();
        let actions: Vec<&str> = deliveries.iter().map(|d| d["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["Create", "Acknowledge", "Close"]);
        let created = millis(time::macros::datetime!(2026-03-01 10:00 UTC));
        assert_eq!(deliveries[1]["alert"]["updatedAt"], json!(created + 60_000));
        assert_eq!(deliveries[2]["alert"]["username"], json!("bo"));
    }

    #[test]
    fn an_open_alert_has_only_its_creation() {
        let incident = vendor_incident(alert(json!({}))).unwrap();
        assert_eq!(incident.detail.as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn a_bad_creation_time_is_an_error_not_a_panic() {
        let mut bad = alert(json!({}));
        bad.created_at = "yesterday".into();
        assert!(vendor_incident(bad).unwrap_err().contains("yesterday"));
    }
}
