//! PagerDuty REST API v2 incident log entries: the paged `{"log_entries": [...], "limit",
//! "offset", "more"}` response of `GET /incidents/{id}/log_entries` (or of
//! `/log_entries`), read entry by entry without loading the page. Several pages one after
//! another, a bare array of entries, or JSON Lines of entries or pages work too.
//!
//! Each entry type maps to one timeline event (trigger to an alert, notify to a page,
//! acknowledge to an acknowledgement, escalate/delegate to escalations, annotate to a note,
//! the rest, assignments among them, to status updates). Every event carries the title of its
//! incident (the incident's summary), the title of an incident the import declares.
//! `*_reference` entries carry no time and are skipped.

use std::io::BufRead;

use serde_json::Value;

use super::fields::{required_text, required_time, text};
use super::json_stream::read_json_records;
use super::record::{Correlation, Emitter, ImportError, ImportStats, Location, Record};
use super::{Format, Importer};
use crate::model::{EventKind, KeyMoment};

/// Reads PagerDuty incident log entries.
pub(crate) struct PagerDutyLogImporter;

impl Importer for PagerDutyLogImporter {
    fn format(&self) -> Format {
        Format::PagerDutyLog
    }

    fn import(
        &self,
        input: &mut dyn BufRead,
        origin: &str,
        sink: &mut dyn FnMut(Record),
    ) -> Result<ImportStats, ImportError> {
        let mut emitter = Emitter::new(sink);
        read_json_records(input, origin, Some("log_entries"), &mut emitter, &mut map_entry)?;
        Ok(emitter.finish())
    }
}

fn map_entry(value: Value, at: &Location, emitter: &mut Emitter) {
    if !value.is_object() {
        return emitter.reject(at, "a log entry must be a JSON object");
    }
    match entry_record(&value) {
        Ok(Some(mut record)) => {
            record.raw = value;
            emitter.record(at, record);
        }
        Ok(None) => emitter.skip(),
        Err(reason) => emitter.reject(at, reason),
    }
}

/// The timeline event of one log entry; `None` for references, which carry no time.
fn entry_record(entry: &Value) -> Result<Option<Record>, String> {
    let entry_type = required_text(entry, "type")?;
    if entry_type.ends_with("_reference") {
        return Ok(None);
    }
    let id = required_text(entry, "id")?;
    let occurred_at = required_time(entry, "created_at")?;
    let summary = text(entry, "summary");
    let incident_summary = text(entry, "incident.summary");
    let (incident_number, incident_title) = match incident_summary.as_deref() {
        Some(s) => split_incident_summary(s),
        None => (None, None),
    };
    let summary_or = |fallback: &str| summary.clone().unwrap_or_else(|| fallback.to_string());
    let kind_name = entry_type.strip_suffix("_log_entry").unwrap_or(&entry_type);

    let (kind, key_moment, message) = match kind_name {
        "trigger" => {
            let mut message = summary_or("Triggered");
            if let Some(title) = &incident_title {
                message = format!("{message}: {title}");
            }
            if let Some(details) =
                text(entry, "event_details.description").filter(|d| Some(d) != incident_title.as_ref())
            {
                message = format!("{message} ({details})");
            }
            (EventKind::Alert, Some(KeyMoment::Detection), message)
        }
        "acknowledge" => (EventKind::Acknowledgement, Some(KeyMoment::Acknowledgement), summary_or("Acknowledged")),
        "unacknowledge" => (EventKind::StatusUpdate, None, summary_or("Unacknowledged")),
        "notify" => (EventKind::Page, None, summary.clone().unwrap_or_else(|| notify_text(entry))),
        "escalate" => (EventKind::Escalation, Some(KeyMoment::Escalation), summary_or("Escalated")),
        "delegate" => (EventKind::Escalation, Some(KeyMoment::Escalation), summary_or("Delegated")),
        // Handing the incident to someone is not escalating it (no escalation policy moved).
        "assign" => (EventKind::StatusUpdate, None, summary_or("Reassigned")),
        "annotate" => {
            let note = text(entry, "channel.summary").or_else(|| summary.clone());
            (EventKind::Note, None, note.ok_or("an annotate entry without its note (channel.summary)")?)
        }
        "resolve" => {
            let mut message = summary_or("Resolved");
            if let Some(note) = text(entry, "note") {
                message = format!("{message}: {note}");
            }
            (EventKind::StatusUpdate, Some(KeyMoment::Resolution), message)
        }
        "snooze"
        | "urgency_change"
        | "priority_change"
        | "exhaust_escalation_path"
        | "repeat_escalation_path"
        | "reach_ack_limit"
        | "reach_trigger_limit"
        | "field_value_change"
        | "custom_field_value_change" => (EventKind::StatusUpdate, None, summary_or(&kind_name.replace('_', " "))),
        other => (EventKind::Note, None, summary_or(&other.replace('_', " "))),
    };

    Ok(Some(Record {
        occurred_at,
        source: "pagerduty".to_string(),
        kind,
        actor: text(entry, "agent.summary"),
        text: message,
        key_moment,
        external_id: format!("pagerduty:{id}"),
        correlation: Correlation {
            incident_id: text(entry, "incident.id"),
            incident_number,
            incident_title,
            service: text(entry, "service.summary"),
            ..Correlation::default()
        },
        raw: Value::Null,
    }))
}

/// A notify entry without a summary: who was notified, and how.
fn notify_text(entry: &Value) -> String {
    let who = text(entry, "user.summary").unwrap_or_else(|| "a responder".to_string());
    match text(entry, "channel.notification.type") {
        Some(how) => format!("Notified {who} by {how}"),
        None => format!("Notified {who}"),
    }
}

/// `"[#33] My new incident"` as `(Some(33), Some("My new incident"))`.
fn split_incident_summary(summary: &str) -> (Option<i64>, Option<String>) {
    let parsed = summary.strip_prefix("[#").and_then(|rest| rest.split_once(']')).and_then(|(number, title)| {
        let number = number.parse::<i64>().ok()?;
        Some((number, title.trim()))
    });
    match parsed {
        Some((number, title)) => (Some(number), (!title.is_empty()).then(|| title.to_string())),
        None => (None, Some(summary.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn incident_number_is_read_from_the_summary() {
        assert_eq!(split_incident_summary("[#33] My new incident"), (Some(33), Some("My new incident".to_string())));
        assert_eq!(split_incident_summary("[#x] odd"), (None, Some("[#x] odd".to_string())));
    }

    #[test]
    fn references_are_skipped() {
        let entry = json!({"id": "R1", "type": "trigger_log_entry_reference", "summary": "Triggered"});
        assert_eq!(entry_record(&entry), Ok(None));
    }

    #[test]
    fn resolve_keeps_its_note() {
        let entry = json!({"id": "L9", "type": "resolve_log_entry", "summary": "Resolved by Bo",
            "created_at": "2026-03-01T11:00:00Z", "note": "Pool size restored"});
        let record = entry_record(&entry).unwrap().unwrap();
        assert_eq!(record.text, "Resolved by Bo: Pool size restored");
        assert_eq!(record.key_moment, Some(KeyMoment::Resolution));
    }

    #[test]
    fn an_entry_without_time_is_rejected() {
        let entry = json!({"id": "L1", "type": "acknowledge_log_entry"});
        assert_eq!(entry_record(&entry), Err("missing field created_at".to_string()));
    }

    #[test]
    fn an_assignment_is_not_an_escalation() {
        let entry = json!({"id": "L2", "type": "assign_log_entry", "created_at": "2017-09-26T15:16:05Z",
            "summary": "Assigned to Wiley Jacobson by Laura Haley"});
        let record = entry_record(&entry).unwrap().unwrap();
        assert_eq!(record.kind, EventKind::StatusUpdate);
        assert_eq!(record.key_moment, None);
    }

    #[test]
    fn every_entry_carries_the_title_of_its_incident() {
        let entry = json!({"id": "L3", "type": "acknowledge_log_entry", "created_at": "2017-09-26T15:15:17Z",
            "summary": "Acknowledged by Laura Haley", "incident": {"id": "PRORDTY", "summary": "[#33] My new incident"}});
        let record = entry_record(&entry).unwrap().unwrap();
        assert_eq!(record.correlation.incident_title.as_deref(), Some("My new incident"));
        assert_eq!(record.correlation.incident_number, Some(33));
    }
}
