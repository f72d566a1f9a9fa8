//! Grafana alerting webhook: the Alertmanager group shape with `version: "1"`, a `state`,
//! `title`, `message`, `orgId`, and per alert `values`, `dashboardURL`, `panelURL`,
//! `silenceURL`. Alerts map as Alertmanager's do (see `alertmanager::map_group`), with the
//! evaluated values added to the text, from source `grafana`.
//!
//! The legacy (pre-unified) Grafana alert webhook carries no alert times, so it is rejected
//! with a hint rather than guessed at.

use std::io::BufRead;

use serde_json::Value;

use super::alertmanager::map_group;
use super::json_stream::read_json_records;
use super::record::{Emitter, ImportError, ImportStats, Location, Record};
use super::{Format, Importer};

/// Reads Grafana alerting webhook notifications.
pub(crate) struct GrafanaImporter;

impl Importer for GrafanaImporter {
    fn format(&self) -> Format {
        Format::Grafana
    }

    fn import(
        &self,
        input: &mut dyn BufRead,
        origin: &str,
        sink: &mut dyn FnMut(Record),
    ) -> Result<ImportStats, ImportError> {
        let mut emitter = Emitter::new(sink);
        read_json_records(input, origin, None, &mut emitter, &mut map_notification)?;
        Ok(emitter.finish())
    }
}

fn map_notification(value: Value, at: &Location, emitter: &mut Emitter) {
    let legacy =
        value.get("alerts").is_none() && (value.get("ruleName").is_some() || value.get("evalMatches").is_some());
    if legacy {
        return emitter.reject(
            at,
            "a legacy Grafana alert webhook (no alert times); send alerts through a unified alerting contact point",
        );
    }
    map_group(value, at, emitter, "grafana");
}

#[cfg(test)]
mod tests {
    use crate::import::{Format, import_to_vec};
    use crate::model::EventKind;

    #[test]
    fn values_are_added_to_the_text_and_offsets_kept() {
        let input = r#"{"receiver": "hook", "status": "firing", "orgId": 1, "version": "1", "state": "alerting",
            "alerts": [{"status": "firing", "labels": {"alertname": "DiskFull", "team": "storage"},
            "annotations": {"summary": "disk 97% on db-2"}, "startsAt": "2026-03-01T11:00:00.5+01:00",
            "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "f00d", "values": {"B": 97.2, "C": 1}}]}"#;
        let (records, stats) = import_to_vec(Format::Grafana, &mut input.as_bytes(), "g.json").unwrap();
        assert_eq!(stats.imported, 1);
        assert_eq!(records[0].source, "grafana");
        assert_eq!(records[0].kind, EventKind::Alert);
        assert_eq!(records[0].text, "DiskFull firing: disk 97% on db-2 [B=97.2, C=1]");
        assert_eq!(records[0].occurred_at.offset().whole_hours(), 1);
    }

    #[test]
    fn the_legacy_webhook_is_rejected_with_a_hint() {
        let input = r#"{"ruleName": "CPU", "state": "alerting", "evalMatches": []}"#;
        let (_, stats) = import_to_vec(Format::Grafana, &mut input.as_bytes(), "g.json").unwrap();
        assert!(stats.rejections[0].reason.contains("legacy"));
    }
}
