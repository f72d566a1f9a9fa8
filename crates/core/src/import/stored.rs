//! A stored timeline event read back as the record it was imported from, so the duplicate
//! rule (`timeline_build::Duplicates`) can compare what an import adds with what earlier
//! imports stored. Beside each imported event the store keeps its correlation (alert
//! fingerprint, incident id, channel, service) and the key moment its importer suggested, as
//! the short text [`stored_correlation`] writes; events stored without it (before the store
//! kept it) have them read again from their raw payload by the importer of their source.
//!
//! Not a way to import anything: nothing read here is stored.

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::record::{Correlation, Record};
use super::{Format, importer};
use crate::model::{EventKind, KeyMoment};

/// A timeline event as stored, with the payload it was imported from.
#[derive(Debug, Clone, Copy)]
pub struct StoredEvent<'a> {
    pub occurred_at: OffsetDateTime,
    pub source: &'a str,
    pub external_id: &'a str,
    pub kind: EventKind,
    pub actor: Option<&'a str>,
    pub text: &'a str,
    /// What [`stored_correlation`] wrote for the event, if the store kept it.
    pub correlation: Option<&'a str>,
    /// Read only when `correlation` is missing or unreadable.
    pub raw_payload: Option<&'a str>,
}

/// What the store keeps of a record beside its fields: its correlation and the key moment
/// its importer suggested, which the duplicate rule needs and the stored fields lack.
#[derive(Debug, Default, Serialize, Deserialize)]
struct KeptCorrelation {
    #[serde(default, skip_serializing_if = "Correlation::is_empty")]
    c: Correlation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    m: Option<KeyMoment>,
}

/// The text the store keeps beside an imported event so that [`record_from_stored`] need not
/// read its payload again: `{}` when the record has neither correlation nor suggested moment.
pub fn stored_correlation(record: &Record) -> String {
    // The title is only wanted while an import declares its incident.
    let c = Correlation { incident_title: None, ..record.correlation.clone() };
    let kept = KeptCorrelation { c, m: record.key_moment };
    serde_json::to_string(&kept).unwrap_or_else(|_| "{}".to_string())
}

/// The record a stored event came from: its stored fields, with the correlation and the
/// suggested key moment the store kept, or else read again from its payload. An event with
/// neither that any importer of its source reads (a person's note, a Slack message, a
/// payload of another shape) gets none, which is what its importer gave it or as close as
/// can be known.
pub fn record_from_stored(event: StoredEvent<'_>) -> Record {
    let kept = event.correlation.and_then(|text| serde_json::from_str::<KeptCorrelation>(text).ok());
    let (correlation, key_moment) = match kept {
        Some(kept) => (kept.c, kept.m),
        None => match event.raw_payload.and_then(|raw| reread(event.source, event.external_id, raw)) {
            // The title is not kept beside stored events either way.
            Some(record) => (Correlation { incident_title: None, ..record.correlation }, record.key_moment),
            None => (Correlation::default(), None),
        },
    };
    Record {
        occurred_at: event.occurred_at,
        source: event.source.to_string(),
        kind: event.kind,
        actor: event.actor.map(str::to_string),
        text: event.text.to_string(),
        key_moment,
        external_id: event.external_id.to_string(),
        correlation,
        raw: serde_json::Value::Null,
    }
}

/// The record with `external_id` that the importers of `source` read from `raw`.
fn reread(source: &str, external_id: &str, raw: &str) -> Option<Record> {
    // Checked first so that a payload that is not JSON costs nothing more.
    serde_json::from_str::<IgnoredAny>(raw).ok()?;
    let (formats, input): (&[Format], String) = match source {
        // The payload is one alert of a notification: read it as a notification of that
        // one alert, resolved unless the alert says otherwise, so both its records come out.
        "alertmanager" => (&[Format::Alertmanager], format!(r#"{{"status":"resolved","alerts":[{}]}}"#, raw)),
        "grafana" => (&[Format::Grafana], format!(r#"{{"status":"resolved","alerts":[{}]}}"#, raw)),
        "pagerduty" => (&[Format::PagerDutyLog, Format::PagerDutyWebhook], raw.to_string()),
        "opsgenie" => (&[Format::Opsgenie], raw.to_string()),
        "github" => (&[Format::GitHub], raw.to_string()),
        // Slack messages carry no correlation the rule uses; the channel is in the export's layout.
        "slack" => return None,
        // Our generic JSON Lines and CSV keep the line or row as an object of the same fields.
        _ => (&[Format::Jsonl], raw.to_string()),
    };
    for format in formats {
        let mut found = None;
        let mut sink = |record: Record| {
            if found.is_none() && record.external_id == external_id && record.source == source {
                found = Some(record);
            }
        };
        // A payload that no longer reads is treated as one without correlation.
        let _ = importer(*format).import(&mut input.as_bytes(), "stored payload", &mut sink);
        if found.is_some() {
            return found;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import_to_vec;

    fn stored<'a>(record: &'a Record, raw: &'a str) -> StoredEvent<'a> {
        StoredEvent {
            occurred_at: record.occurred_at,
            source: &record.source,
            external_id: &record.external_id,
            kind: record.kind,
            actor: record.actor.as_deref(),
            text: &record.text,
            correlation: None,
            raw_payload: Some(raw),
        }
    }

    fn imported_and_stored(format: Format, input: &str) -> Vec<(Record, Record)> {
        let (records, stats) = import_to_vec(format, &mut input.as_bytes(), "in.json").unwrap();
        assert_eq!(stats.rejected, 0, "{:?}", stats.rejections);
        records
            .into_iter()
            .map(|r| {
                let raw = r.raw.to_string();
                let back = record_from_stored(stored(&r, &raw));
                (Record { raw: serde_json::Value::Null, ..r }, back)
            })
            .collect()
    }

    #[test]
    fn alerts_read_back_with_their_fingerprint_whatever_the_group_status() {
        let input = r#"{"status": "resolved", "alerts": [
            {"labels": {"alertname": "X", "service": "api"}, "startsAt": "2026-03-01T10:00:00Z",
             "endsAt": "2026-03-01T10:30:00Z", "fingerprint": "f1"}]}"#;
        let pairs = imported_and_stored(Format::Alertmanager, input);
        assert_eq!(pairs.len(), 2);
        for (imported, back) in pairs {
            assert_eq!(back.correlation.fingerprint.as_deref(), Some("f1"));
            assert_eq!(back, imported);
        }
    }

    #[test]
    fn pagerduty_log_entries_read_back_with_their_incident_and_key_moment() {
        let input = r#"{"log_entries": [{"id": "L1", "type": "acknowledge_log_entry", "summary": "Acknowledged by Ana",
            "created_at": "2026-03-01T10:02:00Z", "incident": {"id": "PINC", "summary": "[#7] Checkout down"}}]}"#;
        let pairs = imported_and_stored(Format::PagerDutyLog, input);
        let (imported, back) = &pairs[0];
        assert_eq!(back.correlation.incident_id.as_deref(), Some("PINC"));
        assert_eq!(back.key_moment, imported.key_moment);
        assert!(back.key_moment.is_some());
    }

    #[test]
    fn the_kept_correlation_gives_the_same_record_as_the_payload() {
        let input = r#"{"log_entries": [{"id": "L1", "type": "acknowledge_log_entry", "summary": "Acknowledged by Ana",
            "created_at": "2026-03-01T10:02:00Z", "incident": {"id": "PINC", "summary": "[#7] Checkout down"},
            "service": {"summary": "checkout"}}]}"#;
        let (records, _) = import_to_vec(Format::PagerDutyLog, &mut input.as_bytes(), "in.json").unwrap();
        let record = &records[0];
        let kept = stored_correlation(record);
        // No payload at all: the kept text alone gives the correlation and the moment.
        let back =
            record_from_stored(StoredEvent { correlation: Some(&kept), raw_payload: None, ..stored(record, "") });
        // All but the incident's title, wanted only while an import declares its incident.
        let correlation = Correlation { incident_title: None, ..record.correlation.clone() };
        assert_eq!(back, Record { raw: serde_json::Value::Null, correlation, ..record.clone() });
        assert!(back.key_moment.is_some());
        assert_eq!(back.correlation.incident_id.as_deref(), Some("PINC"));
    }

    #[test]
    fn an_empty_kept_correlation_is_not_read_from_the_payload() {
        let (records, _) = import_to_vec(
            Format::Jsonl,
            &mut r#"{"time": "2026-03-01T10:00:00Z", "kind": "note", "text": "x"}"#.as_bytes(),
            "in.jsonl",
        )
        .unwrap();
        assert_eq!(stored_correlation(&records[0]), "{}");
        // A payload that would say otherwise is not read when the kept text is there.
        let payload = r#"{"time": "2026-03-01T10:00:00Z", "kind": "note", "text": "x", "incident": "I1"}"#;
        let back = record_from_stored(StoredEvent { correlation: Some("{}"), ..stored(&records[0], payload) });
        assert_eq!(back.correlation, Correlation::default());
        // Unreadable kept text falls back on the payload.
        let back = record_from_stored(StoredEvent { correlation: Some("garbage"), ..stored(&records[0], payload) });
        assert_eq!(back.correlation.incident_id.as_deref(), Some("I1"));
    }

    #[test]
    fn an_event_without_a_readable_payload_has_no_correlation() {
        let (records, _) = import_to_vec(
            Format::Jsonl,
            &mut r#"{"time": "2026-03-01T10:00:00Z", "kind": "alert", "text": "x", "incident": "I1"}"#.as_bytes(),
            "in.jsonl",
        )
        .unwrap();
        let back = record_from_stored(stored(&records[0], "not json"));
        assert_eq!(back.correlation, Correlation::default());
        let back = record_from_stored(stored(&records[0], &records[0].raw.to_string()));
        assert_eq!(back.correlation.incident_id.as_deref(), Some("I1"));
    }
}
