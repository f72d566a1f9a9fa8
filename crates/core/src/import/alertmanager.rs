//! Prometheus Alertmanager webhook (version 4): each notification is a group
//! `{status, groupKey, alerts[], commonLabels, …}`; a file holds one or JSON Lines of them.
//!
//! Every alert in a notification becomes an `alert` event at its `startsAt`; a resolved one
//! also becomes a `status_update` at its `endsAt`. Ids are built from the fingerprint and
//! the times, so the same alert repeated in later notifications (Alertmanager re-sends a
//! group every `repeat_interval`) keeps one id and is imported once by `build_timeline`.
//! The Grafana importer reads the same shape through `map_group`.

use std::io::BufRead;

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::fields::{get, instant_key, parse_time, type_name};
use super::json_stream::read_json_records;
use super::record::{Correlation, Emitter, ImportError, ImportStats, Location, Record, content_id};
use super::{Format, Importer};
use crate::model::EventKind;

/// Reads Alertmanager webhook notifications.
pub(crate) struct AlertmanagerImporter;

impl Importer for AlertmanagerImporter {
    fn format(&self) -> Format {
        Format::Alertmanager
    }

    fn import(
        &self,
        input: &mut dyn BufRead,
        origin: &str,
        sink: &mut dyn FnMut(Record),
    ) -> Result<ImportStats, ImportError> {
        let mut emitter = Emitter::new(sink);
        read_json_records(input, origin, None, &mut emitter, &mut |value, at, emitter| {
            map_group(value, at, emitter, "alertmanager")
        })?;
        Ok(emitter.finish())
    }
}

/// Maps one group notification (Alertmanager's or Grafana's) to events from `source`.
pub(crate) fn map_group(mut group: Value, at: &Location, emitter: &mut Emitter, source: &str) {
    // Taken out of the group, so each alert can become its records' raw payload without a copy.
    let alerts = match group.get_mut("alerts").map(Value::take) {
        None => return emitter.reject(at, "no \"alerts\" array: not an alert notification"),
        Some(Value::Array(alerts)) => alerts,
        Some(other) => {
            return emitter.reject(at, format!("alerts must be an array, found {}", type_name(&other)));
        }
    };
    if let Some(left_out) = group.get("truncatedAlerts").and_then(Value::as_u64).filter(|n| *n > 0) {
        emitter.note(format!("{at}: {left_out} alerts were left out of the notification (truncatedAlerts)"));
    }
    let group_status = group.get("status").and_then(Value::as_str);
    for (index, alert) in alerts.into_iter().enumerate() {
        let alert_at = at.child(&format!(".alerts[{index}]"));
        if let Err(reason) = map_alert(alert, group_status, &group, source, &alert_at, emitter) {
            emitter.reject(&alert_at, reason);
        }
    }
}

fn map_alert(
    alert: Value,
    group_status: Option<&str>,
    group: &Value,
    source: &str,
    at: &Location,
    emitter: &mut Emitter,
) -> Result<(), String> {
    if !alert.is_object() {
        return Err(format!("an alert must be an object, found {}", type_name(&alert)));
    }
    let labels = string_map(&alert, "labels")?;
    let annotations = string_map(&alert, "annotations")?;
    let status = match alert.get("status") {
        Some(Value::String(s)) => s.as_str(),
        None | Some(Value::Null) => group_status.ok_or("missing field status")?,
        Some(other) => return Err(format!("status must be a string, found {}", type_name(other))),
    };
    if status != "firing" && status != "resolved" {
        return Err(format!("status must be firing or resolved, found {status:?}"));
    }
    let starts_at = alert_time(&alert, "startsAt")?.ok_or("missing field startsAt")?;
    let fingerprint = match alert.get("fingerprint").and_then(Value::as_str).filter(|f| !f.trim().is_empty()) {
        Some(f) => f.trim().to_string(),
        // Before version 4 there is no fingerprint: the label set identifies the alert.
        None => labels_fingerprint(labels),
    };
    let label =
        |name: &str| labels.and_then(|l| l.get(name)).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let common_label = |name: &str| get(group, &format!("commonLabels.{name}")).and_then(Value::as_str);
    let annotation = |name: &str| {
        annotations.and_then(|a| a.get(name)).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
    };

    let name = label("alertname").unwrap_or("alert");
    let about = annotation("summary").or_else(|| annotation("description")).or_else(|| annotation("message"));
    let about = match (about, label("instance")) {
        (Some(about), _) => format!(": {about}"),
        (None, Some(instance)) => format!(" on {instance}"),
        (None, None) => String::new(),
    };
    let severity = label("severity").map(|s| format!(" ({s})")).unwrap_or_default();
    let values = alert.get("values").and_then(Value::as_object).map(values_text).unwrap_or_default();
    let correlation = Correlation {
        fingerprint: Some(fingerprint.clone()),
        service: ["service", "app", "job"]
            .iter()
            .find_map(|l| label(l).or_else(|| common_label(l)))
            .map(str::to_string),
        ..Correlation::default()
    };
    let starts_key = instant_key(starts_at);
    let firing_text = format!("{name} firing{severity}{about}{values}");
    let resolved = (status == "resolved").then(|| (alert_time(&alert, "endsAt"), format!("{name} resolved{about}")));
    // The alert is the raw payload of both its records; only a resolved one needs a copy.
    let (firing_raw, resolved_raw) = match resolved {
        Some(_) => (alert.clone(), alert),
        None => (alert, Value::Null),
    };

    emitter.record(
        at,
        Record {
            occurred_at: starts_at,
            source: source.to_string(),
            kind: EventKind::Alert,
            actor: None,
            text: firing_text,
            key_moment: None,
            external_id: format!("{source}:{fingerprint}:{starts_key}:firing"),
            correlation: correlation.clone(),
            raw: firing_raw,
        },
    );
    if let Some((ends_at, resolved_text)) = resolved {
        let Some(ends_at) = ends_at? else {
            return Err("resolved, but endsAt is missing: the resolution time is unknown".to_string());
        };
        emitter.record(
            at,
            Record {
                occurred_at: ends_at,
                source: source.to_string(),
                kind: EventKind::StatusUpdate,
                actor: None,
                text: resolved_text,
                key_moment: None,
                external_id: format!("{source}:{fingerprint}:{starts_key}:resolved"),
                correlation,
                raw: resolved_raw,
            },
        );
    }
    Ok(())
}

/// A time field of an alert; the zero time (`0001-01-01T00:00:00Z`) means none.
fn alert_time(alert: &Value, field: &str) -> Result<Option<OffsetDateTime>, String> {
    match alert.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => match parse_time(s) {
            Some(at) if at.year() <= 1 => Ok(None),
            Some(at) => Ok(Some(at)),
            None => Err(format!("{field} is not an RFC 3339 time: {s:?}")),
        },
        Some(other) => Err(format!("{field} must be an RFC 3339 time, found {}", type_name(other))),
    }
}

/// A map of strings (labels, annotations); `None` when absent.
fn string_map<'a>(alert: &'a Value, field: &str) -> Result<Option<&'a Map<String, Value>>, String> {
    match alert.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(other) => Err(format!("{field} must be an object, found {}", type_name(other))),
    }
}

/// Grafana's evaluated values, `{"B": 44.2, "C": 1}`, as ` [B=44.2, C=1]`.
fn values_text(values: &Map<String, Value>) -> String {
    if values.is_empty() {
        return String::new();
    }
    let mut pairs: Vec<String> = values.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.sort();
    format!(" [{}]", pairs.join(", "))
}

/// A stable id for a label set, for notifications that carry no fingerprint.
fn labels_fingerprint(labels: Option<&Map<String, Value>>) -> String {
    let mut pairs: Vec<String> = labels.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.sort();
    let refs: Vec<&str> = pairs.iter().map(String::as_str).collect();
    content_id(&refs).replacen("content:", "labels:", 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import_to_vec;
    use serde_json::json;

    fn notification(alerts: Value) -> String {
        json!({"version": "4", "status": "firing", "receiver": "oncall", "groupKey": "{}:{alertname=\"X\"}",
            "alerts": alerts, "truncatedAlerts": 0})
        .to_string()
    }

    #[test]
    fn a_resolved_alert_gives_the_alert_and_its_resolution() {
        let input = notification(json!([{"status": "resolved", "labels": {"alertname": "HighErrorRate"},
            "annotations": {"summary": "5xx above 5%"}, "startsAt": "2026-03-01T10:00:00Z",
            "endsAt": "2026-03-01T10:40:00Z", "fingerprint": "ab12"}]));
        let (records, stats) = import_to_vec(Format::Alertmanager, &mut input.as_bytes(), "am.json").unwrap();
        assert_eq!(stats.imported, 2);
        assert_eq!(records[0].kind, EventKind::Alert);
        assert_eq!(records[0].text, "HighErrorRate firing: 5xx above 5%");
        assert_eq!(records[1].kind, EventKind::StatusUpdate);
        assert_eq!(records[1].occurred_at, parse_time("2026-03-01T10:40:00Z").unwrap());
    }

    #[test]
    fn a_firing_alert_ignores_the_zero_end_time() {
        let input = notification(json!([{"status": "firing", "labels": {"alertname": "X"},
            "startsAt": "2026-03-01T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z"}]));
        let (records, _) = import_to_vec(Format::Alertmanager, &mut input.as_bytes(), "am.json").unwrap();
        assert_eq!(records.len(), 1);
        assert!(records[0].correlation.fingerprint.as_deref().unwrap().starts_with("labels:"));
    }

    #[test]
    fn a_bad_alert_is_rejected_by_its_path() {
        let input = notification(json!([{"labels": {"alertname": "X"}, "startsAt": "yesterday"},
            {"status": "firing", "labels": {"alertname": "Y"}, "startsAt": "2026-03-01T10:00:00Z"}]));
        let (records, stats) = import_to_vec(Format::Alertmanager, &mut input.as_bytes(), "am.json").unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(stats.rejections[0].location, "am.json: line 1, $.alerts[0]");
    }
}
