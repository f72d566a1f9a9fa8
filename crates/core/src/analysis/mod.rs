//! Explainable analyses of an incident and its post-mortem: whether a post-mortem
//! is needed ([`policy`]), how the response process went ([`response`]), what a
//! post-mortem still lacks before review ([`completeness`]), and a first draft of its
//! narrative sections written from the timeline, each sentence citing its events ([`draft`]).
//!
//! Every finding says why, with evidence a person can check: a field path such as
//! `sections.impact.data_lost`, or a timeline event's id, time and an excerpt of its
//! text. The rules are plain code over the model; there is no I/O, no clock (an open
//! incident is judged as of its last timeline event) and no learning. Findings about
//! the response describe the process and the tooling, never a person.
//!
//! This module is not a linter for prose (see the blameless lint) and does not change
//! anything: callers decide what to show and what to store (a draft included).

pub mod completeness;
pub mod draft;
pub mod policy;
pub mod response;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use crate::model::{EventKind, TimelineEvent};

pub use completeness::{MissingItem, check_completeness};
pub use draft::{Draft, DraftSection, DraftSentence, draft_from_timeline};
pub use policy::{Necessity, PolicyConfig, PolicyCriterion, PolicyDecision, PolicyReason, evaluate_policy};
pub use response::{
    FindingSeverity, ResponseChecklist, ResponseFinding, ResponseFindingKind, analyse_response, users_never_told,
};

/// What a finding rests on: a field, a timeline event, or a response finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Evidence {
    /// A field of the incident or post-mortem, e.g. `sections.impact.data_lost`, and what it holds.
    /// `timeline` names the timeline as a whole, for something looked for and not found.
    Field { path: String, value: String },
    /// A timeline event, with an excerpt of its text around what was found.
    Event {
        event_id: String,
        #[serde(with = "time::serde::rfc3339")]
        occurred_at: OffsetDateTime,
        kind: EventKind,
        excerpt: String,
    },
    /// A finding of the response analysis.
    Finding { kind: ResponseFindingKind, message: String },
}

impl Evidence {
    /// A field and its value as text.
    pub(crate) fn field(path: impl Into<String>, value: impl ToString) -> Evidence {
        Evidence::Field { path: path.into(), value: value.to_string() }
    }

    /// An event, excerpted from its start.
    pub(crate) fn event(event: &TimelineEvent) -> Evidence {
        Evidence::event_at(event, 0)
    }

    /// An event, excerpted around byte `at` of its text.
    pub(crate) fn event_at(event: &TimelineEvent, at: usize) -> Evidence {
        Evidence::Event {
            event_id: event.id.clone(),
            occurred_at: event.occurred_at,
            kind: event.kind,
            excerpt: excerpt(&event.text, at),
        }
    }
}

/// Longest excerpt of a text quoted as evidence, in characters.
const EXCERPT_CHARS: usize = 160;

/// Up to [`EXCERPT_CHARS`] characters of `text` around byte `at`, whitespace collapsed,
/// with `…` where something was cut.
pub(crate) fn excerpt(text: &str, at: usize) -> String {
    let at = floor_char_boundary(text, at.min(text.len()));
    // Start a little before the match so the reader sees what leads to it.
    let start = text[..at].char_indices().rev().nth(39).map_or(0, |(i, _)| i);
    let window: String = text[start..].chars().take(EXCERPT_CHARS).collect();
    let cut_end = text[start..].chars().count() > EXCERPT_CHARS;
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&window.split_whitespace().collect::<Vec<_>>().join(" "));
    if cut_end {
        out.push('…');
    }
    out
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A duration as people say it: `45 minutes`, `1 h 47 min`, `3 days 2 h`.
pub(crate) fn minutes_text(duration: Duration) -> String {
    let minutes = duration.whole_minutes();
    if minutes.abs() < 60 {
        return if minutes == 1 { "1 minute".to_string() } else { format!("{minutes} minutes") };
    }
    let (days, hours, mins) = (minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
    match (days, mins) {
        (0, 0) => format!("{hours} h"),
        (0, _) => format!("{hours} h {mins} min"),
        (_, _) if hours == 0 => format!("{days} d"),
        _ => format!("{days} d {hours} h"),
    }
}

/// `n` minutes as a duration, saturating instead of overflowing on a value no person
/// would set (thresholds come from configuration, counts from people's input).
pub(crate) fn minutes(n: i64) -> Duration {
    Duration::seconds(n.saturating_mul(60))
}

/// A moment as `HH:MM UTC`, for messages; evidence carries the full time.
pub(crate) fn clock_text(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    format!("{:02}:{:02} UTC", utc.hour(), utc.minute())
}

/// Timeline events in time order; events at the same moment keep their given order.
pub(crate) fn in_time_order(events: &[TimelineEvent]) -> Vec<&TimelineEvent> {
    let mut sorted: Vec<&TimelineEvent> = events.iter().collect();
    sorted.sort_by_key(|e| e.occurred_at);
    sorted
}

// ---- finding phrases in text ----
//
// The analyses look for a few phrases in free text ("rolled back", "status page").
// Matching is by words, not substrings, so "database" is not "data"; a word may
// carry a common English ending ("restarted", "rerouting"); and a phrase that is
// negated in its clause ("no rollback was needed", "failed to restart") is reported
// as negated so callers can ignore it.

/// One place a phrase occurs in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mention<'p> {
    /// The phrase as given to [`scan`].
    pub phrase: &'p str,
    /// Byte offset of the match in the text.
    pub start: usize,
    /// Whether the clause says it did not happen or was not needed.
    pub negated: bool,
}

/// Words that, shortly before a phrase in the same clause, deny it.
const NEGATORS: &[&str] = &[
    "no", "not", "without", "never", "nothing", "none", "neither", "nor", "didn't", "don't", "doesn't", "wasn't",
    "weren't", "isn't", "aren't", "won't", "wouldn't", "cannot", "can't", "couldn't", "unable", "failed", "fails",
    "refused", "refuses", "avoid", "avoided",
];

/// Words that, shortly after a phrase, deny it on their own ("a rollback was unnecessary").
const AFTER_NEGATORS: &[&str] = &["unnecessary", "avoided"];

/// Words that, after a phrase and behind a negator, deny it ("rollback was not needed").
const NEEDED: &[&str] = &["needed", "necessary", "required"];

/// Endings a word may add to a phrase's word and still match it.
const ENDINGS: &[&str] = &["s", "es", "ed", "d", "ing", "ting", "ped", "ping", "led", "ling", "ly", "er", "ers"];

#[derive(Debug)]
struct Word {
    start: usize,
    clause: usize,
    lower: String,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '\'' | '’' | '_')
}

fn words(text: &str) -> Vec<Word> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut clause = 0;
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if is_word_char(c) || (c == '.' && is_decimal_point(&chars, i)) {
            let mut j = i;
            while j < chars.len() && (is_word_char(chars[j].1) || (chars[j].1 == '.' && is_decimal_point(&chars, j))) {
                j += 1;
            }
            let end = chars.get(j).map_or(text.len(), |&(e, _)| e);
            let raw = &text[at..end];
            let is_edge = |c| matches!(c, '-' | '\'' | '’' | '_');
            let trimmed = raw.trim_matches(is_edge);
            if !trimmed.is_empty() {
                let offset = at + raw.len() - raw.trim_start_matches(is_edge).len();
                out.push(Word { start: offset, clause, lower: trimmed.to_ascii_lowercase().replace('’', "'") });
            }
            i = j;
        } else {
            if matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '\n' | '(' | ')' | '"' | '—' | '–') {
                clause += 1;
            }
            i += 1;
        }
    }
    out
}

fn is_decimal_point(chars: &[(usize, char)], i: usize) -> bool {
    i > 0 && chars[i - 1].1.is_ascii_digit() && chars.get(i + 1).is_some_and(|c| c.1.is_ascii_digit())
}

pub(crate) fn word_matches(pattern: &str, word: &str) -> bool {
    if word == pattern {
        return true;
    }
    if let Some(rest) = word.strip_prefix(pattern)
        && ENDINGS.contains(&rest)
    {
        return true;
    }
    // "reroute" also matches "rerouting" and "rerouted".
    if let Some(stem) = pattern.strip_suffix('e')
        && let Some(rest) = word.strip_prefix(stem)
    {
        return matches!(rest, "ing" | "ed");
    }
    false
}

/// Every occurrence of each phrase in `text`, in text order, each marked negated or not.
pub(crate) fn scan<'p>(text: &str, phrases: &[&'p str]) -> Vec<Mention<'p>> {
    let words = words(text);
    let mut found = Vec::new();
    for (i, first) in words.iter().enumerate() {
        for &phrase in phrases {
            let parts: Vec<&str> = phrase.split_whitespace().collect();
            let Some(last) = i.checked_add(parts.len()).and_then(|n| n.checked_sub(1)) else { continue };
            if parts.is_empty() || last >= words.len() {
                continue;
            }
            let same_clause = words[i..=last].iter().all(|w| w.clause == first.clause);
            if same_clause && parts.iter().zip(&words[i..=last]).all(|(p, w)| word_matches(p, &w.lower)) {
                found.push(Mention { phrase, start: first.start, negated: is_negated(&words, i, last) });
            }
        }
    }
    found
}

fn is_negated(words: &[Word], first: usize, last: usize) -> bool {
    let clause = words[first].clause;
    let before = words[first.saturating_sub(3)..first].iter().filter(|w| w.clause == clause);
    if before.clone().any(|w| NEGATORS.contains(&w.lower.as_str())) {
        return true;
    }
    let after: Vec<&Word> = words[last + 1..].iter().take(4).take_while(|w| w.clause == clause).collect();
    after.iter().enumerate().any(|(k, w)| {
        AFTER_NEGATORS.contains(&w.lower.as_str())
            || (NEEDED.contains(&w.lower.as_str()) && after[..k].iter().any(|b| NEGATORS.contains(&b.lower.as_str())))
    })
}

/// The first mention of any phrase that is not negated.
pub(crate) fn first_affirmed<'p>(text: &str, phrases: &[&'p str]) -> Option<Mention<'p>> {
    scan(text, phrases).into_iter().find(|m| !m.negated)
}

/// The significant words of a text: lower case, no short or common words.
pub(crate) fn significant_words(text: &str) -> Vec<String> {
    const COMMON: &[&str] = &[
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "into",
        "onto",
        "again",
        "all",
        "its",
        "our",
        "their",
        "them",
        "then",
        "than",
        "was",
        "were",
        "has",
        "had",
        "have",
        "been",
        "are",
        "but",
        "not",
        "hand",
        "manually",
        "pod",
        "pods",
        "service",
        "services",
        "node",
        "nodes",
        "cluster",
        "instance",
        "instances",
        "server",
        "servers",
        "production",
        "prod",
        "staging",
        "now",
        "just",
        "also",
        "one",
        "two",
        "every",
        "each",
    ];
    words(text)
        .into_iter()
        .map(|w| w.lower)
        .filter(|w| w.chars().count() >= 3 && !COMMON.contains(&w.as_str()))
        .collect()
}

/// Values the analyses' tests build on: a small incident, events, post-mortems, action
/// items, and the demo data as stored values.
#[cfg(test)]
pub(crate) mod fixtures {
    use time::macros::datetime;
    use time::{Duration, OffsetDateTime};

    use crate::model::*;

    pub(crate) const T0: OffsetDateTime = datetime!(2026-02-01 10:00 UTC);

    /// `minute` minutes after [`T0`].
    pub(crate) fn at(minute: i64) -> OffsetDateTime {
        T0 + Duration::minutes(minute)
    }

    /// An incident of `severity` on two services, started at minute 0, detected at 2 by monitoring,
    /// acknowledged at 5, mitigated at 20, resolved at 25, with an incident commander.
    pub(crate) fn incident(severity: u8) -> Incident {
        Incident {
            id: "i1".into(),
            handle: "INC-1".into(),
            number: 1,
            title: "Checkout errors".into(),
            description: String::new(),
            severity: Severity::new(severity).unwrap_or(Severity::SEV1),
            status: IncidentStatus::Resolved,
            services: vec!["checkout-api".into(), "payments-db".into()],
            teams: vec![],
            detection_method: DetectionMethod::MonitoringAlert,
            moments: Moments {
                started_at: Some(at(0)),
                detected_at: Some(at(2)),
                acknowledged_at: Some(at(5)),
                mitigated_at: Some(at(20)),
                resolved_at: Some(at(25)),
            },
            moments_from_timeline: Vec::new(),
            responders: vec![Responder { username: "ana".into(), role: ResponderRole::IncidentCommander }],
            private: false,
            created_by: None,
            created_at: T0,
            updated_at: T0,
            version: 1,
        }
    }

    /// A timeline event of INC-1 at `minute`.
    pub(crate) fn event(
        id: &str,
        minute: i64,
        source: &str,
        kind: EventKind,
        actor: &str,
        text: &str,
    ) -> TimelineEvent {
        TimelineEvent {
            id: id.into(),
            incident: "INC-1".into(),
            occurred_at: at(minute),
            source: source.into(),
            external_id: id.into(),
            kind,
            actor: Some(actor.into()),
            text: text.into(),
            key_moment: None,
            has_raw_payload: false,
            raw_payload_url: None,
            created_by: None,
            created_at: T0,
            version: 1,
        }
    }

    /// A post-mortem of INC-1 with empty sections and a confirmed root cause.
    pub(crate) fn postmortem() -> Postmortem {
        let mut sections = Sections::default();
        sections.root_cause.certainty = Certainty::Confirmed;
        Postmortem {
            id: "p1".into(),
            incident: "INC-1".into(),
            incident_title: "Checkout errors".into(),
            status: PostmortemStatus::Draft,
            owner: Some("ana".into()),
            due_date: None,
            sections,
            created_at: T0,
            updated_at: T0,
            published_at: None,
            version: 1,
        }
    }

    /// A post-mortem that passes every completeness check, its one recommendation carried by action item `a1`.
    pub(crate) fn complete_postmortem() -> Postmortem {
        let mut pm = postmortem();
        let s = &mut pm.sections;
        s.summary = "Checkout failed for 20 minutes.".into();
        s.impact = DamageScope {
            data_lost: Some(false),
            users_affected: Some(120),
            access_lost_minutes: Some(0),
            productivity_lost_hours: Some(2.0),
            ..DamageScope::default()
        };
        s.root_cause = RootCause {
            description: "The connection pool was sized for last year's traffic.".into(),
            certainty: Certainty::Confirmed,
            component: "checkout-api database pool".into(),
            legacy_code: Some(false),
            must_fix: Some(true),
            ..RootCause::default()
        };
        s.response_analysis = "Paged in 2 minutes; mitigated by raising the pool size.".into();
        s.damage_control = vec![DamageControlAction {
            id: String::new(),
            description: "Replayed failed orders.".into(),
            owner_team: Some("payments".into()),
            status: DamageControlStatus::Done,
        }];
        s.recommendations = vec![Recommendation {
            id: String::new(),
            text: "Size pools from measured traffic.".into(),
            action_items: vec!["a1".into()],
        }];
        pm
    }

    /// An action item of INC-1; `due` gives it a due date.
    pub(crate) fn action_item(id: &str, owner: Option<&str>, owner_team: Option<&str>, due: bool) -> ActionItem {
        ActionItem {
            id: id.into(),
            incident: "INC-1".into(),
            title: format!("Action item {id}"),
            description: String::new(),
            kind: ActionItemKind::FixRootCause,
            owner: owner.map(Into::into),
            owner_team: owner_team.map(Into::into),
            priority: Priority::P2,
            due_date: due.then(|| T0.date() + Duration::days(14)),
            status: ActionItemStatus::Open,
            tracker_url: None,
            created_at: T0,
            updated_at: T0,
            closed_at: None,
            version: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn phrases_in(text: &str, phrases: &[&'static str]) -> Vec<(&'static str, bool)> {
        scan(text, phrases).into_iter().map(|m| (m.phrase, m.negated)).collect()
    }

    #[test]
    fn phrases_match_whole_words_with_common_endings() {
        let found = phrases_in("Rolled back the deploy and rerouting traffic", &["roll back", "reroute"]);
        assert_eq!(found, [("roll back", false), ("reroute", false)]);
        assert!(scan("The database lost a replica", &["data lost"]).is_empty());
    }

    #[test]
    fn negated_phrases_are_marked_in_their_clause_only() {
        assert_eq!(phrases_in("No rollback was needed.", &["rollback"]), [("rollback", true)]);
        assert_eq!(phrases_in("A rollback was not needed", &["rollback"]), [("rollback", true)]);
        assert_eq!(phrases_in("The pod failed to restart", &["restart"]), [("restart", true)]);
        assert_eq!(phrases_in("Not the database, so we rolled back", &["roll back"]), [("roll back", false)]);
    }

    #[test]
    fn version_numbers_stay_one_word() {
        let words: Vec<String> =
            words("Rollback to catalog-api 4.11.3 started.").into_iter().map(|w| w.lower).collect();
        assert_eq!(words, ["rollback", "to", "catalog-api", "4.11.3", "started"]);
    }

    #[test]
    fn excerpts_are_short_and_start_near_the_match() {
        let text = format!("{}rollback{}", "x ".repeat(100), " y".repeat(100));
        let at = text.find("rollback").unwrap_or(0);
        let cut = excerpt(&text, at);
        assert!(cut.starts_with('…') && cut.ends_with('…'), "{cut}");
        assert!(cut.contains("rollback"));
        assert!(cut.chars().count() <= EXCERPT_CHARS + 2);
        assert_eq!(excerpt("short text", 3), "short text");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(minutes_text(Duration::minutes(45)), "45 minutes");
        assert_eq!(minutes_text(Duration::minutes(107)), "1 h 47 min");
        assert_eq!(minutes_text(Duration::minutes(120)), "2 h");
        assert_eq!(minutes_text(Duration::minutes(3 * 24 * 60 + 125)), "3 d 2 h");
        assert_eq!(clock_text(datetime!(2026-01-01 10:05 +01:00)), "09:05 UTC");
    }
}
