//! PagerDuty Webhooks V3: each delivery is one `{"event": {id, event_type, occurred_at,
//! agent, data}}` object; a file holds one of them or JSON Lines of them.
//!
//! Incident events become timeline events (triggered is an alert, acknowledged an
//! acknowledgement, escalations escalations, notes notes, the rest, reassignments among
//! them, status updates); every event carries the incident's title. `service.*` and other
//! non-incident events are skipped. Signature checking is
//! the server's job, not this one.

use std::io::BufRead;

use serde_json::Value;

use super::fields::{get, required_text, required_time, text};
use super::json_stream::read_json_records;
use super::record::{Correlation, Emitter, ImportError, ImportStats, Location, Record};
use super::{Format, Importer};
use crate::model::{EventKind, KeyMoment};

/// Reads PagerDuty V3 webhook deliveries.
pub(crate) struct PagerDutyWebhookImporter;

impl Importer for PagerDutyWebhookImporter {
    fn format(&self) -> Format {
        Format::PagerDutyWebhook
    }

    fn import(
        &self,
        input: &mut dyn BufRead,
        origin: &str,
        sink: &mut dyn FnMut(Record),
    ) -> Result<ImportStats, ImportError> {
        let mut emitter = Emitter::new(sink);
        read_json_records(input, origin, None, &mut emitter, &mut map_delivery)?;
        Ok(emitter.finish())
    }
}

fn map_delivery(value: Value, at: &Location, emitter: &mut Emitter) {
    let event = match value.get("event") {
        Some(event) if event.is_object() => event,
        Some(_) => return emitter.reject(at, "event must be an object"),
        None if value.get("event_type").is_some() => &value,
        None => return emitter.reject(at, "no \"event\" object: not a PagerDuty V3 webhook"),
    };
    match map_event(event) {
        Ok(Some(mut record)) => {
            record.raw = value;
            emitter.record(at, record);
        }
        Ok(None) => emitter.skip(),
        Err(reason) => emitter.reject(at, reason),
    }
}

/// The timeline event of one webhook event, `None` for events that are not about an incident.
fn map_event(event: &Value) -> Result<Option<Record>, String> {
    let id = required_text(event, "id")?;
    let event_type = required_text(event, "event_type")?;
    let occurred_at = required_time(event, "occurred_at")?;
    let Some(what) = event_type.strip_prefix("incident.") else {
        return Ok(None);
    };
    let data = event.get("data").filter(|d| d.is_object()).ok_or("missing object event.data")?;
    let agent = text(event, "agent.summary");
    // Incident events carry the incident as `data`; notes, responders and status updates
    // carry it as `data.incident`.
    let incident = if data.get("type").and_then(Value::as_str) == Some("incident") {
        data
    } else {
        data.get("incident").unwrap_or(&Value::Null)
    };
    let title = text(incident, "title").or_else(|| text(incident, "summary"));
    let by = agent.as_deref().map(|a| format!(" by {a}")).unwrap_or_default();
    let assignees = names(data.get("assignees"));

    let (kind, key_moment, message) = match what {
        "triggered" => {
            let service = text(data, "service.summary").map(|s| format!(" on {s}")).unwrap_or_default();
            let title = title.as_deref().unwrap_or("incident");
            (EventKind::Alert, Some(KeyMoment::Detection), format!("Triggered: {title}{service}"))
        }
        "acknowledged" => (EventKind::Acknowledgement, Some(KeyMoment::Acknowledgement), format!("Acknowledged{by}")),
        "unacknowledged" => (EventKind::StatusUpdate, None, format!("Unacknowledged{by}")),
        // Handing the incident to someone is not escalating it (no escalation policy moved).
        "reassigned" => (EventKind::StatusUpdate, None, format!("Reassigned to {}{by}", or_unknown(&assignees))),
        "escalated" => {
            (EventKind::Escalation, Some(KeyMoment::Escalation), format!("Escalated to {}", or_unknown(&assignees)))
        }
        "delegated" => {
            let policy = text(data, "escalation_policy.summary").unwrap_or_else(|| or_unknown(&assignees));
            (EventKind::Escalation, Some(KeyMoment::Escalation), format!("Delegated to {policy}{by}"))
        }
        "priority_updated" => {
            let priority = text(data, "priority.summary");
            let message = match priority {
                Some(p) => format!("Priority changed to {p}{by}"),
                None => format!("Priority removed{by}"),
            };
            (EventKind::StatusUpdate, None, message)
        }
        "annotated" => (EventKind::Note, None, required_text(data, "content").map_err(|e| format!("event.data: {e}"))?),
        "resolved" => {
            let reason = text(data, "resolve_reason.summary").map(|r| format!(": {r}")).unwrap_or_default();
            (EventKind::StatusUpdate, Some(KeyMoment::Resolution), format!("Resolved{by}{reason}"))
        }
        "reopened" => (EventKind::StatusUpdate, None, format!("Reopened{by}")),
        "responder.added" => {
            let who = text(data, "user.summary").or_else(|| text(data, "escalation_policy.summary"));
            let note = text(data, "message").map(|m| format!(": {m}")).unwrap_or_default();
            (EventKind::Escalation, None, format!("Responder {} requested{by}{note}", or_unknown(&who)))
        }
        "responder.replied" => {
            let who = text(data, "user.summary").unwrap_or_else(|| "A responder".to_string());
            let state = text(data, "state").unwrap_or_else(|| "replied".to_string());
            (EventKind::Action, None, format!("{who} {}", responder_reply(&state)))
        }
        "status_update_published" => {
            (EventKind::StatusUpdate, None, required_text(data, "message").map_err(|e| format!("event.data: {e}"))?)
        }
        other => (EventKind::Note, None, format!("{}{by}", sentence(other))),
    };

    Ok(Some(Record {
        occurred_at,
        source: "pagerduty".to_string(),
        kind,
        actor: agent,
        text: message,
        key_moment,
        external_id: format!("pagerduty:{id}"),
        correlation: Correlation {
            incident_id: text(incident, "id"),
            incident_number: get(incident, "number").and_then(Value::as_i64),
            incident_title: title,
            service: text(data, "service.summary").or_else(|| text(incident, "service.summary")),
            ..Correlation::default()
        },
        raw: Value::Null,
    }))
}

/// The `summary` of each reference in a list, joined (`"Ana, Bo"`), or `None`.
fn names(list: Option<&Value>) -> Option<String> {
    let names: Vec<String> = list?.as_array()?.iter().filter_map(|r| text(r, "summary")).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

fn or_unknown(name: &Option<String>) -> String {
    name.clone().unwrap_or_else(|| "someone".to_string())
}

fn responder_reply(state: &str) -> String {
    match state {
        "joined" | "accepted" => "accepted the request to respond".to_string(),
        "declined" => "declined the request to respond".to_string(),
        other => format!("answered the request to respond ({other})"),
    }
}

/// `conference_bridge.updated` as `Conference bridge updated`.
fn sentence(event: &str) -> String {
    let words = event.replace(['.', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(event_type: &str, data: Value) -> Value {
        json!({"event": {"id": "E1", "event_type": event_type, "resource_type": "incident",
            "occurred_at": "2026-03-01T10:00:00Z", "agent": {"summary": "Ana Lima", "type": "user_reference"},
            "data": data}})
    }

    #[test]
    fn acknowledgement_is_marked_and_attributed() {
        let value = event("incident.acknowledged", json!({"id": "PX1", "type": "incident", "number": 7}));
        let record = map_event(&value["event"]).unwrap().unwrap();
        assert_eq!(record.kind, EventKind::Acknowledgement);
        assert_eq!(record.key_moment, Some(KeyMoment::Acknowledgement));
        assert_eq!(record.text, "Acknowledged by Ana Lima");
        assert_eq!(record.correlation.incident_number, Some(7));
    }

    #[test]
    fn a_note_takes_its_content_and_incident_reference() {
        let data = json!({"type": "incident_note", "content": "Rolled back 4.2", "incident": {"id": "PX1"}});
        let record = map_event(&event("incident.annotated", data)["event"]).unwrap().unwrap();
        assert_eq!(record.kind, EventKind::Note);
        assert_eq!(record.text, "Rolled back 4.2");
        assert_eq!(record.correlation.incident_id.as_deref(), Some("PX1"));
    }

    #[test]
    fn service_events_are_skipped() {
        let value = event("service.updated", json!({"id": "S1", "type": "service"}));
        assert_eq!(map_event(&value["event"]), Ok(None));
    }

    #[test]
    fn unknown_incident_events_become_notes() {
        let value = event("incident.conference_bridge.updated", json!({"id": "PX1", "type": "incident"}));
        let record = map_event(&value["event"]).unwrap().unwrap();
        assert_eq!(record.text, "Conference bridge updated by Ana Lima");
    }
}
