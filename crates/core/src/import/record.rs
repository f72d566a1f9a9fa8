//! What an importer hands back: records (timeline events read from a tool, with the keys
//! that de-duplicate and correlate them), the rejections it met, and its counts.
//!
//! Not the parsing of any format (one file per format) nor the merging of records into
//! one timeline (`timeline_build`).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::model::{EventKind, KeyMoment, NewTimelineEvent};
use crate::validate::{MAX_SHORT, MAX_TEXT, NUL_MESSAGE, is_slug};

/// How many rejections an import keeps in full; the rest are only counted.
pub const MAX_KEPT_REJECTIONS: usize = 1000;

/// How many distinct notes an import keeps.
const MAX_NOTES: usize = 100;

/// One imported timeline event, with the keys that identify and correlate it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// When it happened, with the offset the source gave.
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// The tool that saw it: `pagerduty`, `alertmanager`, `slack`, … (a slug).
    pub source: String,
    pub kind: EventKind,
    /// Who or what acted, as the source names them.
    pub actor: Option<String>,
    pub text: String,
    /// The key moment this event suggests; `key_moments` makes the final choice.
    pub key_moment: Option<KeyMoment>,
    /// Stable de-duplication key: the vendor's own id, or a hash of the normalised content.
    pub external_id: String,
    /// What ties the event to an incident, an alert, a channel or a service.
    pub correlation: Correlation,
    /// The vendor's record, verbatim, kept as the raw payload.
    pub raw: serde_json::Value,
}

/// Hints that tie a record to others: the same incident, alert, channel or service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Correlation {
    /// The vendor's id of the incident or alert (PagerDuty incident id, Opsgenie alert id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
    /// The vendor's number of the incident (PagerDuty `#33`, Opsgenie tiny id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_number: Option<i64>,
    /// The vendor's title of the incident (PagerDuty's incident summary without its number):
    /// the title of an incident an import declares. Not kept beside stored events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_title: Option<String>,
    /// Alert fingerprint (Alertmanager, Grafana): one alert across its notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Chat channel name (Slack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The service the event is about, as the source names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

impl Correlation {
    /// Whether it ties the record to nothing.
    pub fn is_empty(&self) -> bool {
        *self == Correlation::default()
    }
}

impl Record {
    /// The event to add to an incident's timeline, with the record as its raw payload.
    pub fn into_new_event(self) -> NewTimelineEvent {
        NewTimelineEvent {
            occurred_at: self.occurred_at,
            source: self.source,
            external_id: Some(self.external_id),
            kind: self.kind,
            actor: self.actor,
            text: self.text,
            key_moment: self.key_moment,
            raw_payload: Some(self.raw),
        }
    }
}

/// A stable id made from the normalised content of a record that has no id of its own.
pub fn content_id(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.trim().as_bytes());
        hasher.update([0x1f]);
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("content:{hex}")
}

/// An input record that could not be imported, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// Where the record is: `file.json: line 12`, `page.json: $.log_entries[3]`,
    /// `general/2026-11-20.json: $[4]`.
    pub location: String,
    /// What is wrong with it.
    pub reason: String,
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.reason)
    }
}

/// What one import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportStats {
    /// Records handed to the sink.
    pub imported: u64,
    /// Records that could not be read; the first `MAX_KEPT_REJECTIONS` are in `rejections`.
    pub rejected: u64,
    /// Records understood but not timeline events (e.g. a Slack tombstone, a GitHub push).
    pub skipped: u64,
    /// The first rejections, in input order.
    pub rejections: Vec<Rejected>,
    /// Things worth telling about the input as a whole (a paged response with more pages, …).
    pub notes: Vec<String>,
}

impl ImportStats {
    /// Rejections counted but not kept in `rejections`.
    pub fn rejections_not_kept(&self) -> u64 {
        self.rejected.saturating_sub(self.rejections.len() as u64)
    }

    /// Adds another import's counts, rejections and notes to these.
    pub fn merge(&mut self, other: ImportStats) {
        self.imported += other.imported;
        self.rejected += other.rejected;
        self.skipped += other.skipped;
        let room = MAX_KEPT_REJECTIONS.saturating_sub(self.rejections.len());
        self.rejections.extend(other.rejections.into_iter().take(room));
        for note in other.notes {
            push_note(&mut self.notes, note);
        }
    }
}

fn push_note(notes: &mut Vec<String>, note: String) {
    if notes.len() < MAX_NOTES && !notes.contains(&note) {
        notes.push(note);
    }
}

/// Why an import stopped before the end of its input.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input could not be read (an I/O error, not a bad record).
    #[error("{origin}: cannot read: {source}")]
    Read {
        origin: String,
        #[source]
        source: std::io::Error,
    },
    /// The input as a whole is not in the format (a CSV header without the needed columns,
    /// a folder that is not a Slack export).
    #[error("{origin}: {reason}")]
    Unrecognised { origin: String, reason: String },
}

impl ImportError {
    pub(crate) fn read(origin: &str, source: std::io::Error) -> ImportError {
        ImportError::Read { origin: origin.to_string(), source }
    }

    pub(crate) fn unrecognised(origin: &str, reason: impl Into<String>) -> ImportError {
        ImportError::Unrecognised { origin: origin.to_string(), reason: reason.into() }
    }
}

/// Where a record sits in its input, shown as `file: line 3`, `file: $.log_entries[2]`
/// or `file: line 3, $.alerts[1]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    base: String,
    /// `true` when `base` already names a line, so a path follows after a comma.
    base_has_line: bool,
    /// JSON path inside the value, `$` for the value itself.
    path: String,
}

impl Location {
    /// The value at `path` of a whole document named `origin`.
    pub(crate) fn document(origin: &str, path: impl Into<String>) -> Location {
        Location { base: origin.to_string(), base_has_line: false, path: path.into() }
    }

    /// The value at `path` on line `line` of `origin`.
    pub(crate) fn line(origin: &str, line: u64, path: impl Into<String>) -> Location {
        Location { base: format!("{origin}: line {line}"), base_has_line: true, path: path.into() }
    }

    /// A place inside this one: `suffix` is a path step such as `.alerts[2]`.
    pub(crate) fn child(&self, suffix: &str) -> Location {
        Location { base: self.base.clone(), base_has_line: self.base_has_line, path: format!("{}{suffix}", self.path) }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path == "$" || self.path.is_empty() {
            f.write_str(&self.base)
        } else if self.base_has_line {
            write!(f, "{}, {}", self.base, self.path)
        } else {
            write!(f, "{}: {}", self.base, self.path)
        }
    }
}

/// Hands records to the sink after the checks every importer shares, and keeps the counts.
pub(crate) struct Emitter<'s> {
    sink: &'s mut dyn FnMut(Record),
    stats: ImportStats,
}

impl<'s> Emitter<'s> {
    pub(crate) fn new(sink: &'s mut dyn FnMut(Record)) -> Emitter<'s> {
        Emitter { sink, stats: ImportStats::default() }
    }

    /// Normalises a record (trimmed text and actor, within the model's limits) and hands it
    /// on, or rejects it when it could never become a timeline event.
    pub(crate) fn record(&mut self, location: &Location, mut record: Record) {
        if let Some(field) = field_with_nul(&record) {
            // PostgreSQL cannot keep it in text; refused on every database alike. The raw
            // payload is kept as JSON text, where it is written as an escape, so it may hold one.
            self.reject(location, format!("{field} {NUL_MESSAGE}"));
            return;
        }
        record.text = clip(record.text.trim(), MAX_TEXT);
        if record.text.is_empty() {
            self.reject(location, "has no text");
            return;
        }
        record.actor = record.actor.map(|a| clip(a.trim(), MAX_SHORT)).filter(|a| !a.is_empty());
        if record.external_id.trim().is_empty() || record.external_id.chars().count() > MAX_SHORT {
            // Ids are kept short; a long (or missing) one is replaced by a stable hash of it.
            record.external_id = content_id(&[&record.external_id, &record.text]);
        }
        if let Err(message) = crate::validate::time_in_range(record.occurred_at) {
            self.reject(location, format!("its time {message}"));
            return;
        }
        if !is_slug(&record.source) {
            let reason = format!("source {:?} must be a lower-case word such as pagerduty or slack", record.source);
            self.reject(location, reason);
            return;
        }
        self.stats.imported += 1;
        (self.sink)(record);
    }

    /// Counts a record that cannot be imported, keeping the first ones in full.
    pub(crate) fn reject(&mut self, location: &Location, reason: impl Into<String>) {
        self.reject_at(location.to_string(), reason);
    }

    /// Like `reject`, for a place that is not a JSON value (a CSV row, a file).
    pub(crate) fn reject_at(&mut self, location: String, reason: impl Into<String>) {
        self.stats.rejected += 1;
        if self.stats.rejections.len() < MAX_KEPT_REJECTIONS {
            self.stats.rejections.push(Rejected { location, reason: reason.into() });
        }
    }

    /// Counts a record that was understood but is not a timeline event.
    pub(crate) fn skip(&mut self) {
        self.stats.skipped += 1;
    }

    /// Remembers something about the input as a whole (each distinct note once).
    pub(crate) fn note(&mut self, note: String) {
        push_note(&mut self.stats.notes, note);
    }

    pub(crate) fn finish(self) -> ImportStats {
        self.stats
    }
}

/// The first field of a record kept as text that holds the NUL character, named as the
/// generic formats name it.
fn field_with_nul(record: &Record) -> Option<&'static str> {
    let c = &record.correlation;
    let fields = [
        ("text", Some(&record.text)),
        ("actor", record.actor.as_ref()),
        ("source", Some(&record.source)),
        ("id", Some(&record.external_id)),
        ("incident", c.incident_id.as_ref()),
        ("fingerprint", c.fingerprint.as_ref()),
        ("channel", c.channel.as_ref()),
        ("service", c.service.as_ref()),
    ];
    fields.into_iter().find(|(_, value)| value.is_some_and(|v| v.contains('\0'))).map(|(name, _)| name)
}

/// `text` cut to at most `max` characters, ending in `…` when cut.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max.saturating_sub(1)) {
        Some((end, _)) if text[end..].chars().count() > 1 => format!("{}…", &text[..end]),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_short_text_and_marks_a_cut() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "ab…");
        assert_eq!(clip("ééééé", 4).chars().count(), 4);
    }

    #[test]
    fn content_id_ignores_surrounding_space() {
        assert_eq!(content_id(&["a", " b "]), content_id(&["a", "b"]));
        assert_ne!(content_id(&["ab", ""]), content_id(&["a", "b"]));
    }

    #[test]
    fn location_reads_as_file_line_and_path() {
        assert_eq!(Location::line("a.jsonl", 12, "$").to_string(), "a.jsonl: line 12");
        assert_eq!(Location::line("a.jsonl", 2, "$").child(".alerts[1]").to_string(), "a.jsonl: line 2, $.alerts[1]");
        assert_eq!(Location::document("p.json", "$.log_entries[3]").to_string(), "p.json: $.log_entries[3]");
    }

    #[test]
    fn only_the_first_rejections_are_kept() {
        let mut sink = |_: Record| {};
        let mut emitter = Emitter::new(&mut sink);
        for i in 0..(MAX_KEPT_REJECTIONS + 5) {
            emitter.reject_at(format!("x: line {i}"), "bad");
        }
        let stats = emitter.finish();
        assert_eq!(stats.rejected, MAX_KEPT_REJECTIONS as u64 + 5);
        assert_eq!(stats.rejections.len(), MAX_KEPT_REJECTIONS);
        assert_eq!(stats.rejections_not_kept(), 5);
    }
}
