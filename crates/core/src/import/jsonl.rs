//! Our generic JSON Lines format, for any tool without an importer of its own: one object
//! per line with `time` (RFC 3339), `kind` (a timeline event kind), `text`, and optionally
//! `source` (default `manual`), `actor`, `key_moment`, `id` (a stable id for
//! de-duplication), `incident` and `service` (correlation hints).
//!
//! The field rules live in `GenericEvent`, which the CSV importer shares.

use std::io::BufRead;

use serde_json::Value;

use super::fields::{instant_key, parse_time, type_name};
use super::json_stream::read_json_records;
use super::record::{Correlation, Emitter, ImportError, ImportStats, Location, Record, content_id};
use super::{Format, Importer};
use crate::model::{EventKind, KeyMoment};

/// Reads our generic JSON Lines.
pub(crate) struct JsonlImporter;

impl Importer for JsonlImporter {
    fn format(&self) -> Format {
        Format::Jsonl
    }

    fn import(
        &self,
        input: &mut dyn BufRead,
        origin: &str,
        sink: &mut dyn FnMut(Record),
    ) -> Result<ImportStats, ImportError> {
        let mut emitter = Emitter::new(sink);
        read_json_records(input, origin, None, &mut emitter, &mut map_line)?;
        Ok(emitter.finish())
    }
}

fn map_line(value: Value, at: &Location, emitter: &mut Emitter) {
    let Some(object) = value.as_object() else {
        return emitter.reject(at, format!("expected a JSON object, found {}", type_name(&value)));
    };
    let field = |name: &str| -> Result<Option<String>, String> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) if name == "id" => Ok(Some(n.to_string())),
            Some(other) => Err(format!("{name} must be a string, found {}", type_name(other))),
        }
    };
    let event = (|| {
        Ok::<_, String>(GenericEvent {
            time: field("time")?,
            source: field("source")?,
            kind: field("kind")?,
            actor: field("actor")?,
            text: field("text")?,
            key_moment: field("key_moment")?,
            id: field("id")?,
            incident: field("incident")?,
            service: field("service")?,
        })
    })();
    match event.and_then(GenericEvent::into_record) {
        Ok(mut record) => {
            record.raw = value;
            emitter.record(at, record);
        }
        Err(reason) => emitter.reject(at, reason),
    }
}

/// The fields of a generic event as read (JSON Lines or CSV), before checking.
#[derive(Debug, Default)]
pub(crate) struct GenericEvent {
    pub(crate) time: Option<String>,
    pub(crate) source: Option<String>,
    pub(crate) kind: Option<String>,
    pub(crate) actor: Option<String>,
    pub(crate) text: Option<String>,
    pub(crate) key_moment: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) incident: Option<String>,
    pub(crate) service: Option<String>,
}

impl GenericEvent {
    /// Checks the fields and builds the record (its `raw` left for the caller).
    pub(crate) fn into_record(self) -> Result<Record, String> {
        let blank = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let time = blank(self.time).ok_or("missing field time")?;
        let occurred_at = parse_time(&time).ok_or_else(|| format!("time is not an RFC 3339 time: {time:?}"))?;
        let kind_word = blank(self.kind).ok_or("missing field kind")?;
        let kind: EventKind = kind_word.to_lowercase().parse().map_err(|e| format!("kind: {e}"))?;
        let text = blank(self.text).ok_or("missing field text")?;
        let source = blank(self.source).map_or_else(|| "manual".to_string(), |s| s.to_lowercase());
        let actor = blank(self.actor);
        let key_moment = match blank(self.key_moment) {
            Some(word) => Some(word.to_lowercase().parse::<KeyMoment>().map_err(|e| format!("key_moment: {e}"))?),
            None => None,
        };
        let external_id = match blank(self.id) {
            Some(id) => format!("id:{source}:{id}"),
            None => {
                content_id(&[&instant_key(occurred_at), &source, kind.as_str(), actor.as_deref().unwrap_or(""), &text])
            }
        };
        Ok(Record {
            occurred_at,
            source,
            kind,
            actor,
            text,
            key_moment,
            external_id,
            correlation: Correlation {
                incident_id: blank(self.incident),
                service: blank(self.service),
                ..Correlation::default()
            },
            raw: Value::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import_to_vec;

    #[test]
    fn a_line_without_id_gets_a_content_id_that_ignores_the_offset_notation() {
        let input = "{\"time\":\"2026-03-01T10:00:00Z\",\"kind\":\"note\",\"text\":\"x\"}\n\
                     {\"time\":\"2026-03-01T11:00:00+01:00\",\"kind\":\"note\",\"text\":\"x\"}\n";
        let (records, _) = import_to_vec(Format::Jsonl, &mut input.as_bytes(), "t.jsonl").unwrap();
        assert_eq!(records[0].external_id, records[1].external_id);
        assert_eq!(records[0].source, "manual");
    }

    #[test]
    fn an_unknown_kind_names_the_accepted_words() {
        let input = "{\"time\":\"2026-03-01T10:00:00Z\",\"kind\":\"page_sent\",\"text\":\"x\"}";
        let (_, stats) = import_to_vec(Format::Jsonl, &mut input.as_bytes(), "t.jsonl").unwrap();
        assert!(stats.rejections[0].reason.contains("acknowledgement"), "{}", stats.rejections[0].reason);
    }

    #[test]
    fn a_key_moment_is_read() {
        let input = "{\"time\":\"2026-03-01T10:00:00Z\",\"kind\":\"message\",\"text\":\"x\",\"key_moment\":\"detection\",\"id\":7}";
        let (records, _) = import_to_vec(Format::Jsonl, &mut input.as_bytes(), "t.jsonl").unwrap();
        assert_eq!(records[0].key_moment, Some(KeyMoment::Detection));
        assert_eq!(records[0].external_id, "id:manual:7");
    }
}
