//! Opsgenie outgoing webhook: each delivery is one alert action
//! `{action, alert{alertId, tinyId, alias, message, username, createdAt, updatedAt, …},
//! source, integrationName}`; a file holds one or JSON Lines of them.
//!
//! Create becomes an alert, Acknowledge an acknowledgement, Close a resolution, AddNote a
//! note, Escalate an escalation, the rest (assignments among them) status updates or notes;
//! every event carries the alert's message as its incident's title. The time
//! of a Create is `createdAt` (epoch milliseconds); of any other action `updatedAt`
//! (epoch nanoseconds; the unit is told by size, so either works).

use std::io::BufRead;

use serde_json::Value;

use super::fields::{instant_key, required_epoch, required_text, text};
use super::json_stream::read_json_records;
use super::record::{Correlation, Emitter, ImportError, ImportStats, Location, Record};
use super::{Format, Importer};
use crate::model::{EventKind, KeyMoment};

/// Reads Opsgenie webhook deliveries.
pub(crate) struct OpsgenieImporter;

impl Importer for OpsgenieImporter {
    fn format(&self) -> Format {
        Format::Opsgenie
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
    match action_record(&value) {
        Ok(mut record) => {
            record.raw = value;
            emitter.record(at, record);
        }
        Err(reason) => emitter.reject(at, reason),
    }
}

fn action_record(delivery: &Value) -> Result<Record, String> {
    if !delivery.get("alert").is_some_and(Value::is_object) {
        return Err("no \"alert\" object: not an Opsgenie webhook".to_string());
    }
    let action = required_text(delivery, "action")?;
    let alert_id = required_text(delivery, "alert.alertId")?;
    let occurred_at = if action == "Create" {
        required_epoch(delivery, "alert.createdAt")?
    } else {
        required_epoch(delivery, "alert.updatedAt")?
    };
    let message = text(delivery, "alert.message").unwrap_or_else(|| "alert".to_string());
    let user = text(delivery, "alert.username");
    let by = user.as_deref().map(|u| format!(" by {u}")).unwrap_or_default();
    let field = |name: &str| text(delivery, &format!("alert.{name}"));

    let (kind, key_moment, words) = match action.as_str() {
        "Create" => (EventKind::Alert, Some(KeyMoment::Detection), format!("Alert created: {message}")),
        "Acknowledge" => (EventKind::Acknowledgement, Some(KeyMoment::Acknowledgement), format!("Acknowledged{by}")),
        "UnAcknowledge" => (EventKind::StatusUpdate, None, format!("Unacknowledged{by}")),
        "AddNote" => (EventKind::Note, None, field("note").ok_or("an AddNote action without alert.note")?),
        "Close" => {
            let note = field("note").map(|n| format!(": {n}")).unwrap_or_default();
            (EventKind::StatusUpdate, Some(KeyMoment::Resolution), format!("Closed{by}{note}"))
        }
        "Delete" => (EventKind::StatusUpdate, None, format!("Deleted{by}")),
        "Escalate" | "EscalateNext" => {
            let to = text(delivery, "escalationName").or_else(|| field("escalation"));
            let to = to.map(|e| format!(" to {e}")).unwrap_or_default();
            (EventKind::Escalation, Some(KeyMoment::Escalation), format!("Escalated{to}"))
        }
        "AssignOwnership" => {
            let owner = field("owner").unwrap_or_else(|| "someone".to_string());
            // Handing the alert to someone is not escalating it.
            (EventKind::StatusUpdate, None, format!("Assigned to {owner}{by}"))
        }
        "TakeOwnership" => {
            (EventKind::Action, None, format!("{} took ownership", user.as_deref().unwrap_or("Someone")))
        }
        "AddRecipient" | "AddTeam" | "AddResponder" => {
            let (noun, name) = match action.as_str() {
                "AddRecipient" => ("Recipient", field("recipient")),
                "AddTeam" => ("Team", field("team")),
                _ => ("Responder", field("responder")),
            };
            let name = name.map(|n| format!(" {n}")).unwrap_or_default();
            (EventKind::Escalation, None, format!("{noun}{name} added{by}"))
        }
        "UpdatePriority" => {
            let priority = field("priority").map(|p| format!(" to {p}")).unwrap_or_default();
            (EventKind::StatusUpdate, None, format!("Priority changed{priority}{by}"))
        }
        "Snooze" => (EventKind::StatusUpdate, None, format!("Snoozed{by}")),
        other => (EventKind::Note, None, format!("{}{by}", spaced(other))),
    };

    Ok(Record {
        occurred_at,
        source: "opsgenie".to_string(),
        kind,
        actor: user,
        text: words,
        key_moment,
        external_id: format!("opsgenie:{alert_id}:{action}:{}", instant_key(occurred_at)),
        correlation: Correlation {
            incident_id: Some(alert_id),
            incident_number: text(delivery, "alert.tinyId").and_then(|t| t.parse().ok()),
            incident_title: text(delivery, "alert.message"),
            service: text(delivery, "alert.entity"),
            ..Correlation::default()
        },
        raw: Value::Null,
    })
}

/// `AddTags` as `Add tags`.
fn spaced(action: &str) -> String {
    let mut out = String::with_capacity(action.len() + 4);
    for (i, c) in action.chars().enumerate() {
        if i > 0 && c.is_uppercase() {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::fields::epoch_time;
    use serde_json::json;

    fn delivery(action: &str, alert: Value) -> Value {
        json!({"source": {"name": "", "type": "web"}, "action": action, "integrationName": "Hindsight", "alert": alert})
    }

    #[test]
    fn create_is_timed_by_created_at_in_milliseconds() {
        let value = delivery(
            "Create",
            json!({"alertId": "a-1", "tinyId": "41", "message": "Checkout 5xx",
            "createdAt": 1_772_359_200_000_i64, "updatedAt": 1_772_359_200_500_000_000_i64}),
        );
        let record = action_record(&value).unwrap();
        assert_eq!(record.occurred_at, epoch_time(1_772_359_200_000).unwrap());
        assert_eq!(record.kind, EventKind::Alert);
        assert_eq!(record.correlation.incident_number, Some(41));
    }

    #[test]
    fn acknowledge_is_timed_by_updated_at_in_nanoseconds() {
        let value = delivery(
            "Acknowledge",
            json!({"alertId": "a-1", "username": "ana@example.com",
            "createdAt": 1_772_359_200_000_i64, "updatedAt": 1_772_359_260_000_000_000_i64}),
        );
        let record = action_record(&value).unwrap();
        assert_eq!(record.occurred_at, epoch_time(1_772_359_260).unwrap());
        assert_eq!(record.text, "Acknowledged by ana@example.com");
    }

    #[test]
    fn add_team_names_the_team() {
        let value =
            delivery("AddTeam", json!({"alertId": "a-1", "team": "payments", "updatedAt": 1_772_359_260_000_i64}));
        assert_eq!(action_record(&value).unwrap().text, "Team payments added");
    }

    #[test]
    fn missing_alert_is_rejected() {
        assert!(action_record(&json!({"action": "Create"})).unwrap_err().contains("not an Opsgenie webhook"));
    }
}
