//! Similar past incidents: incidents that share an alert fingerprint, an affected service,
//! the root cause's component, or words with another, ranked, each with the reasons it
//! matched. The store finds the candidates through its indexes; the weighing is here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{IncidentStatus, Severity};

/// Why an incident matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MatchReason {
    /// The same alert fired in both.
    Fingerprint { fingerprint: String },
    /// Both affected this service.
    Service { service: String },
    /// Both post-mortems put the root cause in this component.
    Component { component: String },
    /// Their titles and descriptions share these words.
    Words { words: Vec<String> },
}

/// A past incident like the one asked about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SimilarIncident {
    pub handle: String,
    pub title: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    /// When it began.
    #[serde(with = "time::serde::rfc3339")]
    pub began_at: OffsetDateTime,
    /// Higher is closer; comparable only within one answer.
    pub score: f64,
    /// Strongest first.
    pub reasons: Vec<MatchReason>,
}

/// What one candidate shares with the incident asked about, as the store found it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shared {
    pub fingerprints: Vec<String>,
    pub services: Vec<String>,
    pub component: Option<String>,
    /// The full-text index's relevance, 0 to 1 (1: the most relevant candidate).
    pub text: f64,
    pub words: Vec<String>,
}

/// Weights: a shared alert is the strongest sign of one failure seen again, then the root
/// cause's component, then the words, then a service (many incidents touch a busy one).
const FINGERPRINT: f64 = 5.0;
const COMPONENT: f64 = 4.0;
const TEXT: f64 = 3.0;
const SERVICE: f64 = 1.5;

impl Shared {
    /// How close the candidate is. Each signal counts once however often it repeats
    /// beyond a few: three shared alerts say what thirty say.
    pub fn score(&self) -> f64 {
        let fingerprints = self.fingerprints.len().min(3) as f64;
        let services = self.services.len().min(3) as f64;
        FINGERPRINT * fingerprints
            + COMPONENT * f64::from(u8::from(self.component.is_some()))
            + TEXT * self.text.clamp(0.0, 1.0)
            + SERVICE * services
    }

    /// The reasons, strongest first.
    pub fn reasons(&self) -> Vec<MatchReason> {
        let mut reasons: Vec<MatchReason> =
            self.fingerprints.iter().map(|f| MatchReason::Fingerprint { fingerprint: f.clone() }).collect();
        reasons.extend(self.component.iter().map(|c| MatchReason::Component { component: c.clone() }));
        if !self.words.is_empty() {
            reasons.push(MatchReason::Words { words: self.words.clone() });
        }
        reasons.extend(self.services.iter().map(|s| MatchReason::Service { service: s.clone() }));
        reasons
    }
}

/// The candidates' numbers, closest first, at most `limit`; ties go to the later incident.
pub fn rank(candidates: &BTreeMap<i64, Shared>, limit: usize) -> Vec<(i64, f64)> {
    let mut ranked: Vec<(i64, f64)> =
        candidates.iter().map(|(number, shared)| (*number, shared.score())).filter(|(_, s)| *s > 0.0).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    ranked.truncate(limit);
    ranked
}

/// Words too common in incident titles to say two incidents are alike.
const COMMON: &[&str] = &[
    "the",
    "and",
    "for",
    "with",
    "from",
    "into",
    "after",
    "before",
    "during",
    "was",
    "were",
    "are",
    "not",
    "all",
    "some",
    "our",
    "its",
    "their",
    "they",
    "them",
    "then",
    "than",
    "has",
    "had",
    "have",
    "been",
    "but",
    "out",
    "this",
    "that",
    "which",
    "when",
    "while",
    "down",
    "failed",
    "failing",
    "failure",
    "errors",
    "error",
    "issue",
    "issues",
    "incident",
    "outage",
    "degraded",
    "slow",
    "high",
    "increased",
    "elevated",
];

/// The words of a title and description a search for similar incidents uses: letters and
/// digits, lower-cased, three characters or more, common words left out, each once, at
/// most `max`, in the order they come.
pub fn search_words(text: &str, max: usize) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let word = word.to_lowercase();
        if word.chars().count() < 3 || COMMON.contains(&word.as_str()) || words.contains(&word) {
            continue;
        }
        if words.len() == max {
            break;
        }
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pronouns_and_linking_words_are_never_search_words() {
        let words = search_words("Payments and its retries: they had been failing while the queue backed up", 12);
        assert_eq!(words, ["payments", "retries", "queue", "backed"]);
    }

    #[test]
    fn a_shared_alert_outweighs_shared_words_and_a_busy_service() {
        let alert = Shared { fingerprints: vec!["a1".into()], ..Shared::default() };
        let words = Shared { text: 1.0, words: vec!["checkout".into()], ..Shared::default() };
        let service = Shared { services: vec!["checkout".into()], ..Shared::default() };
        let candidates: BTreeMap<i64, Shared> = [(1, service), (2, words), (3, alert), (4, Shared::default())].into();
        assert_eq!(rank(&candidates, 10).iter().map(|(n, _)| *n).collect::<Vec<_>>(), [3, 2, 1]);
        assert_eq!(rank(&candidates, 1).len(), 1);
        let many = Shared { fingerprints: (0..30).map(|n| n.to_string()).collect(), ..Shared::default() };
        assert_eq!(many.score(), 3.0 * FINGERPRINT);
        let all = Shared {
            fingerprints: vec!["a1".into()],
            services: vec!["checkout".into()],
            component: Some("db".into()),
            text: 0.5,
            words: vec!["pool".into()],
        };
        let kinds: Vec<&str> = all
            .reasons()
            .iter()
            .map(|r| match r {
                MatchReason::Fingerprint { .. } => "fingerprint",
                MatchReason::Component { .. } => "component",
                MatchReason::Words { .. } => "words",
                MatchReason::Service { .. } => "service",
            })
            .collect();
        assert_eq!(kinds, ["fingerprint", "component", "words", "service"]);
    }

    #[test]
    fn search_words_leave_out_the_short_the_common_and_repeats() {
        assert_eq!(
            search_words("Checkout DOWN: db-01 connection pool exhausted; pool at 100%", 5),
            ["checkout", "connection", "pool", "exhausted", "100"]
        );
        assert_eq!(search_words("Paiement échoué à Zürich", 10), ["paiement", "échoué", "zürich"]);
        assert!(search_words("a an of to", 10).is_empty());
    }
}

/// An incident in a chain of recurrences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChainLink {
    pub handle: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub began_at: OffsetDateTime,
    /// Who confirmed it recurs the one before it in the chain; absent for the first.
    pub confirmed_by: Option<String>,
}

/// An incident's place among recurrences: the chain it belongs to, oldest first (itself
/// included), when it belongs to one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Recurrence {
    /// Handle of the earlier incident this one recurs, if confirmed.
    pub recurs: Option<String>,
    /// Handles of the later incidents confirmed to recur this one.
    pub recurred_as: Vec<String>,
    /// The whole chain, oldest first; empty when the incident is in none.
    pub chain: Vec<ChainLink>,
}
