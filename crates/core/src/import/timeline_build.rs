//! One timeline from the records of many imports: de-duplicated, in a stable order, the
//! same whatever order the records came in and however often it is built; and the key
//! moments the records suggest (impact start, detection and how, acknowledgement,
//! escalations, mitigation, resolution).
//!
//! It suggests; people decide. Nothing here is stored or sent: the caller shows the
//! suggestion and keeps what is accepted.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::record::Record;
use crate::model::{DetectionMethod, EventKind, KeyMoment, Moments};

/// Two records of one alert fingerprint and kind this close together are one alert seen
/// twice (by two tools, or one tool twice).
pub const ALERT_DUPLICATE_WINDOW: Duration = Duration::minutes(2);

/// An alert or page with the same source, text, actor and target this soon after the last
/// one kept is a repeated notification, not news.
pub const REPEAT_WINDOW: Duration = Duration::minutes(5);

/// How far back a record's duplicates can be: the longest window of the duplicate rule.
pub const DUPLICATE_LOOKBACK: Duration = REPEAT_WINDOW;

/// The sources whose records report alert fingerprints, so that one alert seen by two of
/// them is one event (the importers that set `Correlation::fingerprint`).
pub const FINGERPRINT_SOURCES: &[&str] = &["alertmanager", "grafana"];

/// The sources that page people about incidents: a status they report (resolved, reassigned)
/// belongs with their pages, not with chat.
pub const PAGING_SOURCES: &[&str] = &["pagerduty", "opsgenie"];

/// The records as one timeline: de-duplicated and ordered by time (then source, then
/// external id). The result depends only on the set of records given, not their order, and
/// building it again changes nothing.
///
/// Duplicates, of which the earliest is kept, are those [`Duplicates`] finds.
pub fn build_timeline(records: impl IntoIterator<Item = Record>) -> Vec<Record> {
    let mut records: Vec<Record> = records.into_iter().collect();
    records.sort_by(timeline_order);
    let mut duplicates = Duplicates::default();
    records.retain(|r| duplicates.keep(r));
    records
}

/// The duplicate rule, for records handed over one at a time in timeline order (time, then
/// source, then external id), so a timeline too large for memory (a stored one) can be
/// checked as it is read: only the keys seen within the last [`DUPLICATE_LOOKBACK`] and a
/// 16-byte digest of each external id are kept.
///
/// Duplicates, of which the earliest is kept: the same external id; the same alert
/// fingerprint and kind within [`ALERT_DUPLICATE_WINDOW`]; the same step of one incident
/// (source, kind, suggested key moment, incident id) within that window, as when a
/// PagerDuty webhook and its log entry both tell of one acknowledgement; the same alert or
/// page repeated within [`REPEAT_WINDOW`].
#[derive(Debug, Default)]
pub struct Duplicates {
    ids: HashSet<[u8; 16]>,
    alerts: HashMap<(String, EventKind), OffsetDateTime>,
    steps: HashMap<(String, EventKind, KeyMoment, String), OffsetDateTime>,
    repeats: HashMap<RepeatKey, OffsetDateTime>,
    since_pruned: usize,
}

/// Source, kind, normalised text, actor, and target (incident id, fingerprint, channel).
type RepeatKey = (String, EventKind, String, Option<String>, (Option<String>, Option<String>, Option<String>));

/// Records between two prunings of keys too old to matter.
const PRUNE_EVERY: usize = 4096;

impl Duplicates {
    /// Whether `record` is kept: `false` when it duplicates one kept before. Records must
    /// come in timeline order; each is checked against the ones before it only.
    pub fn keep(&mut self, record: &Record) -> bool {
        self.judge(record, false)
    }

    /// Takes `record` as kept without judging it, so that the records after it are judged
    /// against it: for an event whose verdict is already settled (one stored before anything
    /// an import adds). Same order as `keep`.
    pub fn remember(&mut self, record: &Record) {
        self.judge(record, true);
    }

    fn judge(&mut self, record: &Record, settled: bool) -> bool {
        self.since_pruned += 1;
        if self.since_pruned >= PRUNE_EVERY {
            self.prune(record.occurred_at);
        }
        let digest: [u8; 16] = Sha256::digest(record.external_id.as_bytes())[..16].try_into().unwrap_or_default();
        if !settled && self.ids.contains(&digest) {
            return false;
        }
        let at = record.occurred_at;
        let alert = record.correlation.fingerprint.as_ref().map(|fingerprint| (fingerprint.clone(), record.kind));
        // Not the actor: a webhook may name a person where the log names the service.
        let step = match (record.key_moment, &record.correlation.incident_id) {
            (Some(moment), Some(incident)) => Some((record.source.clone(), record.kind, moment, incident.clone())),
            _ => None,
        };
        let repeat = matches!(record.kind, EventKind::Alert | EventKind::Page).then(|| {
            let c = &record.correlation;
            let target = (c.incident_id.clone(), c.fingerprint.clone(), c.channel.clone());
            (record.source.clone(), record.kind, normalise(&record.text), record.actor.clone(), target)
        });
        if !settled
            && (within(&self.alerts, alert.as_ref(), at, ALERT_DUPLICATE_WINDOW)
                || within(&self.steps, step.as_ref(), at, ALERT_DUPLICATE_WINDOW)
                || within(&self.repeats, repeat.as_ref(), at, REPEAT_WINDOW))
        {
            return false;
        }
        // Only what is kept is compared with later (not the last seen), which keeps building
        // idempotent: records kept are always more than a window apart.
        self.ids.insert(digest);
        if let Some(key) = alert {
            self.alerts.insert(key, at);
        }
        if let Some(key) = step {
            self.steps.insert(key, at);
        }
        if let Some(key) = repeat {
            self.repeats.insert(key, at);
        }
        true
    }

    /// Forgets keys last kept more than a window before `now`: no later record can be
    /// their duplicate, since records come in time order.
    fn prune(&mut self, now: OffsetDateTime) {
        self.since_pruned = 0;
        self.alerts.retain(|_, kept| now - *kept <= ALERT_DUPLICATE_WINDOW);
        self.steps.retain(|_, kept| now - *kept <= ALERT_DUPLICATE_WINDOW);
        self.repeats.retain(|_, kept| now - *kept <= REPEAT_WINDOW);
    }
}

/// Whether the record with `key` at `at` comes within `window` of the last one kept with it.
fn within<K: Eq + Hash>(
    last_kept: &HashMap<K, OffsetDateTime>,
    key: Option<&K>,
    at: OffsetDateTime,
    window: Duration,
) -> bool {
    key.and_then(|key| last_kept.get(key)).is_some_and(|kept| at - *kept <= window)
}

/// The timeline order: time, source, external id, then everything else, so that no two
/// different records tie and the order never depends on the input's.
fn timeline_order(a: &Record, b: &Record) -> Ordering {
    a.occurred_at
        .cmp(&b.occurred_at)
        .then_with(|| a.source.cmp(&b.source))
        .then_with(|| a.external_id.cmp(&b.external_id))
        .then_with(|| a.occurred_at.offset().whole_seconds().cmp(&b.occurred_at.offset().whole_seconds()))
        .then_with(|| a.kind.cmp(&b.kind))
        .then_with(|| a.text.cmp(&b.text))
        .then_with(|| a.actor.cmp(&b.actor))
        .then_with(|| a.key_moment.cmp(&b.key_moment))
        .then_with(|| a.correlation.cmp(&b.correlation))
        .then_with(|| a.raw.to_string().cmp(&b.raw.to_string()))
}

fn normalise(text: &str) -> String {
    text.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

/// A moment the records suggest, and the record that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestedMoment {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The external id of the record that shows the moment.
    pub external_id: String,
    /// Why this record was chosen, for a person to judge.
    pub reason: String,
}

/// The key moments the records suggest; any may be unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyMomentsSuggestion {
    /// The first symptom.
    pub impact_start: Option<SuggestedMoment>,
    /// The first alert or first human report of the problem.
    pub detection: Option<SuggestedMoment>,
    /// How the detection came: an alert, a customer, or someone inside.
    pub detection_method: DetectionMethod,
    pub acknowledgement: Option<SuggestedMoment>,
    /// Every escalation, in time order.
    pub escalations: Vec<SuggestedMoment>,
    /// When the impact stopped: marked, a rollback, or the last alert resolved.
    pub mitigation: Option<SuggestedMoment>,
    /// The last resolution marked by a tool.
    pub resolution: Option<SuggestedMoment>,
}

impl Default for KeyMomentsSuggestion {
    fn default() -> Self {
        KeyMomentsSuggestion {
            impact_start: None,
            detection: None,
            detection_method: DetectionMethod::Unknown,
            acknowledgement: None,
            escalations: Vec::new(),
            mitigation: None,
            resolution: None,
        }
    }
}

impl KeyMomentsSuggestion {
    /// The suggested moments as an incident keeps them.
    pub fn moments(&self) -> Moments {
        let at = |m: &Option<SuggestedMoment>| m.as_ref().map(|m| m.at);
        Moments {
            started_at: at(&self.impact_start),
            detected_at: at(&self.detection),
            acknowledged_at: at(&self.acknowledgement),
            mitigated_at: at(&self.mitigation),
            resolved_at: at(&self.resolution),
        }
    }

    /// Marks the chosen records with their key moment and clears every other marker. A
    /// record that shows two moments keeps the earlier one in an incident's life.
    pub fn mark(&self, records: &mut [Record]) {
        let mut chosen: HashMap<&str, KeyMoment> = HashMap::new();
        let singles = [
            (&self.impact_start, KeyMoment::ImpactStart),
            (&self.detection, KeyMoment::Detection),
            (&self.acknowledgement, KeyMoment::Acknowledgement),
        ];
        for (moment, marker) in singles {
            if let Some(m) = moment {
                chosen.entry(m.external_id.as_str()).or_insert(marker);
            }
        }
        for m in &self.escalations {
            chosen.entry(m.external_id.as_str()).or_insert(KeyMoment::Escalation);
        }
        for (moment, marker) in [(&self.mitigation, KeyMoment::Mitigation), (&self.resolution, KeyMoment::Resolution)] {
            if let Some(m) = moment {
                chosen.entry(m.external_id.as_str()).or_insert(marker);
            }
        }
        for record in records {
            record.key_moment = chosen.get(record.external_id.as_str()).copied();
        }
    }
}

/// The key moments the records suggest.
///
/// Markers the importers set (a PagerDuty trigger suggests detection, an acknowledgement
/// acknowledgement, …) count first; otherwise: detection is the first alert or page, or
/// an earlier chat message reporting the problem; impact start the first alert (or the
/// detection); mitigation the first rollback, else the moment every alert had resolved;
/// resolution only a tool's (the last one, after any reopening).
pub fn key_moments(records: &[Record]) -> KeyMomentsSuggestion {
    let mut sorted: Vec<&Record> = records.iter().collect();
    sorted.sort_by(|a, b| timeline_order(a, b));
    let first = |test: &dyn Fn(&Record) -> bool| sorted.iter().copied().find(|r| test(r));
    let marked = |moment: KeyMoment| move |r: &Record| r.key_moment == Some(moment);
    let suggest =
        |r: &Record, reason: String| SuggestedMoment { at: r.occurred_at, external_id: r.external_id.clone(), reason };

    let first_alert = first(&|r| matches!(r.kind, EventKind::Alert | EventKind::Page));
    let detection = [
        first(&marked(KeyMoment::Detection)).map(|r| (r, format!("marked as detection ({})", r.source))),
        first_alert.map(|r| (r, format!("first alert or page ({})", r.source))),
        first(&|r| r.kind == EventKind::Message && reports_a_problem(&r.text))
            .map(|r| (r, format!("first report of the problem ({})", r.source))),
    ]
    .into_iter()
    .flatten()
    .min_by(|(a, _), (b, _)| timeline_order(a, b));

    let impact_start = match first(&marked(KeyMoment::ImpactStart)) {
        Some(r) => Some((r, format!("marked as impact start ({})", r.source))),
        None => [
            first_alert.map(|r| (r, format!("first alert ({})", r.source))),
            detection.as_ref().map(|(r, _)| (*r, "the detection; nothing earlier shows a symptom".to_string())),
        ]
        .into_iter()
        .flatten()
        .min_by(|(a, _), (b, _)| timeline_order(a, b)),
    };

    let acknowledgement = first(&marked(KeyMoment::Acknowledgement))
        .map(|r| (r, format!("marked as acknowledgement ({})", r.source)))
        .or_else(|| {
            first(&|r| r.kind == EventKind::Acknowledgement)
                .map(|r| (r, format!("first acknowledgement ({})", r.source)))
        });

    let escalations = sorted
        .iter()
        .filter(|r| r.key_moment == Some(KeyMoment::Escalation) || r.kind == EventKind::Escalation)
        .map(|r| suggest(r, format!("escalation ({})", r.source)))
        .collect();

    let mitigation = first(&marked(KeyMoment::Mitigation))
        .map(|r| (r, format!("marked as mitigation ({})", r.source)))
        .or_else(|| first(&|r| r.kind == EventKind::Rollback).map(|r| (r, format!("first rollback ({})", r.source))))
        .or_else(|| all_alerts_resolved(&sorted).map(|r| (r, "every alert that fired had resolved".to_string())));

    let resolution = sorted
        .iter()
        .rev()
        .find(|r| r.key_moment == Some(KeyMoment::Resolution))
        .map(|r| (*r, format!("last resolution marked ({})", r.source)));

    KeyMomentsSuggestion {
        detection_method: detection.as_ref().map_or(DetectionMethod::Unknown, |(r, _)| detection_method(r)),
        impact_start: impact_start.map(|(r, why)| suggest(r, why)),
        detection: detection.map(|(r, why)| suggest(r, why)),
        acknowledgement: acknowledgement.map(|(r, why)| suggest(r, why)),
        escalations,
        mitigation: mitigation.map(|(r, why)| suggest(r, why)),
        resolution: resolution.map(|(r, why)| suggest(r, why)),
    }
}

/// The last resolution, when every alert fingerprint that fired ends resolved.
fn all_alerts_resolved<'r>(sorted: &[&'r Record]) -> Option<&'r Record> {
    let mut last: HashMap<&str, &Record> = HashMap::new();
    for record in sorted {
        if let (Some(fingerprint), EventKind::Alert | EventKind::StatusUpdate) =
            (record.correlation.fingerprint.as_deref(), record.kind)
        {
            last.insert(fingerprint, record);
        }
    }
    if last.is_empty() || last.values().any(|r| r.kind != EventKind::StatusUpdate) {
        return None;
    }
    last.into_values().max_by(|a, b| timeline_order(a, b))
}

fn detection_method(record: &Record) -> DetectionMethod {
    match record.kind {
        EventKind::Alert | EventKind::Page => DetectionMethod::MonitoringAlert,
        _ if mentions_customers(&record.text) => DetectionMethod::CustomerReport,
        _ => DetectionMethod::InternalReport,
    }
}

const PROBLEM_WORDS: &[&str] = &[
    "down",
    "outage",
    "error",
    "errors",
    "erroring",
    "failing",
    "failed",
    "failure",
    "failures",
    "broken",
    "500",
    "500s",
    "502",
    "502s",
    "503",
    "503s",
    "504",
    "5xx",
    "timeout",
    "timeouts",
    "unavailable",
    "degraded",
    "slow",
    "latency",
    "unreachable",
    "crashing",
    "crashed",
    "incident",
];
const PROBLEM_PHRASES: &[&str] = &["not working", "timing out", "can't", "cannot", "isn't loading", "won't load"];
const CUSTOMER_WORDS: &[&str] = &[
    "customer",
    "customers",
    "client",
    "clients",
    "support",
    "ticket",
    "tickets",
    "complaint",
    "complaints",
    "complaining",
    "zendesk",
    "merchant",
    "merchants",
];

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// Whether a chat message reads as someone reporting a problem.
fn reports_a_problem(text: &str) -> bool {
    let lower = text.to_lowercase();
    words(text).any(|w| PROBLEM_WORDS.contains(&w.as_str())) || PROBLEM_PHRASES.iter().any(|p| lower.contains(p))
}

fn mentions_customers(text: &str) -> bool {
    words(text).any(|w| CUSTOMER_WORDS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Correlation;
    use time::macros::datetime;

    fn record(minute: i64, source: &str, kind: EventKind, id: &str) -> Record {
        Record {
            occurred_at: datetime!(2026-03-01 10:00 UTC) + Duration::minutes(minute),
            source: source.to_string(),
            kind,
            actor: None,
            text: format!("{kind} {id}"),
            key_moment: None,
            external_id: id.to_string(),
            correlation: Correlation::default(),
            raw: serde_json::Value::Null,
        }
    }

    #[test]
    fn the_same_external_id_is_kept_once() {
        let a = record(0, "pagerduty", EventKind::Alert, "x");
        let timeline = build_timeline([a.clone(), a]);
        assert_eq!(timeline.len(), 1);
    }

    #[test]
    fn one_alert_from_two_tools_is_kept_once() {
        let mut a = record(0, "alertmanager", EventKind::Alert, "am");
        let mut b = record(1, "grafana", EventKind::Alert, "gr");
        a.correlation.fingerprint = Some("fp".into());
        b.correlation.fingerprint = Some("fp".into());
        let timeline = build_timeline([b, a]);
        assert_eq!(timeline.len(), 1);
        assert_eq!(timeline[0].source, "alertmanager");
    }

    #[test]
    fn repeated_pages_within_the_window_are_kept_once() {
        let mut pages: Vec<Record> =
            (0..4).map(|i| record(i * 2, "pagerduty", EventKind::Page, &format!("p{i}"))).collect();
        for p in &mut pages {
            p.text = "Notified Ana by SMS".into();
        }
        let timeline = build_timeline(pages);
        // 0 kept, 2 and 4 within 5 minutes of it, 6 more than 5 minutes after: kept.
        assert_eq!(timeline.iter().map(|r| r.external_id.as_str()).collect::<Vec<_>>(), ["p0", "p3"]);
    }

    #[test]
    fn equal_times_are_ordered_by_source_then_id() {
        let timeline = build_timeline([
            record(0, "slack", EventKind::Message, "b"),
            record(0, "pagerduty", EventKind::Alert, "z"),
            record(0, "slack", EventKind::Message, "a"),
        ]);
        assert_eq!(timeline.iter().map(|r| r.external_id.as_str()).collect::<Vec<_>>(), ["z", "a", "b"]);
    }

    #[test]
    fn a_customer_report_before_the_first_alert_is_the_detection() {
        let mut report = record(0, "slack", EventKind::Message, "s1");
        report.text = "Support says customers are seeing 502s at checkout".into();
        let alert = record(3, "alertmanager", EventKind::Alert, "a1");
        let moments = key_moments(&[alert, report]);
        assert_eq!(moments.detection.unwrap().external_id, "s1");
        assert_eq!(moments.detection_method, DetectionMethod::CustomerReport);
        assert_eq!(moments.impact_start.unwrap().external_id, "s1");
    }

    #[test]
    fn the_last_alert_resolving_suggests_mitigation() {
        let mut records = vec![
            record(0, "alertmanager", EventKind::Alert, "f1"),
            record(1, "alertmanager", EventKind::Alert, "f2"),
            record(20, "alertmanager", EventKind::StatusUpdate, "r1"),
            record(30, "alertmanager", EventKind::StatusUpdate, "r2"),
        ];
        for (r, fp) in records.iter_mut().zip(["a", "b", "a", "b"]) {
            r.correlation.fingerprint = Some(fp.into());
        }
        let moments = key_moments(&records);
        assert_eq!(moments.mitigation.unwrap().external_id, "r2");
        assert_eq!(moments.detection_method, DetectionMethod::MonitoringAlert);
        assert_eq!(moments.resolution, None);
    }

    #[test]
    fn marking_keeps_one_marker_per_record() {
        let mut records = vec![record(0, "alertmanager", EventKind::Alert, "a1"), {
            let mut ack = record(4, "pagerduty", EventKind::Acknowledgement, "k1");
            ack.key_moment = Some(KeyMoment::Acknowledgement);
            ack
        }];
        let moments = key_moments(&records);
        moments.mark(&mut records);
        assert_eq!(records[0].key_moment, Some(KeyMoment::ImpactStart));
        assert_eq!(records[1].key_moment, Some(KeyMoment::Acknowledgement));
        assert_eq!(moments.moments().detected_at, Some(records[0].occurred_at));
    }
}
