//! Contributing factors: the conditions that made an incident possible or made it worse,
//! beside its one root cause (a change, a gap in detection, a missing runbook, load). Each
//! installation keeps its own taxonomy (`[factors]` in the configuration, with the defaults
//! below); post-mortems are tagged with its keys, and the tags are counted across incidents
//! over a period. A key taken out of the taxonomy stays on the post-mortems that had it and
//! is still counted, marked as retired.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validate::ValidationErrors;

/// The most factors a taxonomy may hold.
pub const MAX_FACTORS: usize = 60;
/// The most characters of a factor's key.
pub const MAX_FACTOR_KEY: usize = 40;
/// The most characters of a factor's label.
pub const MAX_FACTOR_LABEL: usize = 80;
/// The most characters of a factor's description.
pub const MAX_FACTOR_DESCRIPTION: usize = 300;

/// One kind of contributing factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContributingFactor {
    /// What post-mortems are tagged with: lower-case letters, digits, `-` and `_`.
    pub key: String,
    /// As people read it.
    pub label: String,
    /// When it applies.
    #[serde(default)]
    pub description: String,
}

/// The contributing factors post-mortems may be tagged with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FactorTaxonomy {
    pub factors: Vec<ContributingFactor>,
}

/// The taxonomy every installation starts with: conditions, not people. Each names what in
/// the system or the organisation let the incident happen or grow.
const DEFAULT_FACTORS: [(&str, &str, &str); 13] = [
    (
        "change",
        "A change",
        "A deploy, a configuration change, a migration or a feature flag started it or made it worse.",
    ),
    ("configuration", "Configuration", "A setting was wrong, drifted between environments, or was easy to get wrong."),
    (
        "capacity",
        "Capacity and load",
        "Traffic, data growth or a resource limit (memory, disk, connections, quotas) ran out.",
    ),
    (
        "dependency",
        "A dependency",
        "A service it relies on, inside the company or a vendor, failed, slowed down or changed.",
    ),
    ("detection", "Detection gap", "Monitoring or alerting missed it, alerted late, or alerted the wrong people."),
    ("testing", "Testing gap", "Tests, staging or a canary could not have caught it as they were."),
    ("automation", "Automation and tooling", "A script, pipeline or tool did something unexpected, or was missing."),
    (
        "documentation",
        "Runbooks and documentation",
        "A runbook or document was missing, out of date or hard to find when needed.",
    ),
    (
        "communication",
        "Communication and coordination",
        "Information did not reach those who needed it, or work was not coordinated.",
    ),
    ("legacy", "Legacy code", "Old code or infrastructure that is hard to understand or change safely."),
    ("data", "Unexpected data", "Input, stored data or a data migration was not what the system expected."),
    ("infrastructure", "Infrastructure", "Hosts, network, storage or the cloud provider failed."),
    ("security", "Security", "An attack, an exposed secret or a vulnerability played a part."),
];

impl Default for FactorTaxonomy {
    fn default() -> Self {
        FactorTaxonomy {
            factors: DEFAULT_FACTORS
                .iter()
                .map(|(key, label, description)| ContributingFactor {
                    key: (*key).into(),
                    label: (*label).into(),
                    description: (*description).into(),
                })
                .collect(),
        }
    }
}

/// `text` as an error message quotes it: its first [`MAX_FACTOR_KEY`] characters.
fn shown(text: &str) -> String {
    text.chars().take(MAX_FACTOR_KEY).collect()
}

/// Whether `key` has the shape of a factor's key: 1 to [`MAX_FACTOR_KEY`] lower-case
/// letters, digits, `-` and `_`.
pub fn is_factor_key(key: &str) -> bool {
    !key.is_empty()
        && key.chars().count() <= MAX_FACTOR_KEY
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

impl FactorTaxonomy {
    /// Checks the taxonomy as configured: keys shaped and unique, labels present, sizes
    /// bounded. Each error names the factor at fault (`factors[3].key`).
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.factors.len() > MAX_FACTORS {
            errors.push("factors", format!("at most {MAX_FACTORS} factors; {} are given", self.factors.len()));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, factor) in self.factors.iter().enumerate() {
            if !is_factor_key(&factor.key) {
                errors.push(
                    format!("factors[{i}].key"),
                    format!(
                        "a key is 1 to {MAX_FACTOR_KEY} lower-case letters, digits, `-` or `_`; {:?} is not",
                        shown(&factor.key)
                    ),
                );
            } else if !seen.insert(factor.key.as_str()) {
                errors.push(format!("factors[{i}].key"), format!("{:?} is given twice", factor.key));
            }
            let label = factor.label.trim();
            if label.is_empty() || label.chars().count() > MAX_FACTOR_LABEL {
                errors.push(format!("factors[{i}].label"), format!("a label is 1 to {MAX_FACTOR_LABEL} characters"));
            }
            if factor.description.chars().count() > MAX_FACTOR_DESCRIPTION {
                errors.push(
                    format!("factors[{i}].description"),
                    format!("a description is at most {MAX_FACTOR_DESCRIPTION} characters"),
                );
            }
        }
        errors.into_result()
    }

    /// The factor with `key`, if the taxonomy holds it.
    pub fn get(&self, key: &str) -> Option<&ContributingFactor> {
        self.factors.iter().find(|f| f.key == key)
    }

    /// The keys a post-mortem is to be tagged with, from `keys` as asked: each in the
    /// taxonomy, or already on the post-mortem (`kept`, so that a retired factor may stay),
    /// without repeats, in the taxonomy's order (retired ones last). An unknown key names
    /// its place and the keys there are.
    pub fn choose(&self, keys: &[String], kept: &[String]) -> Result<Vec<String>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if keys.len() > MAX_FACTORS {
            errors.push("factors", format!("at most {MAX_FACTORS} factors; {} are given", keys.len()));
            return Err(errors);
        }
        for (i, key) in keys.iter().enumerate() {
            if self.get(key).is_none() && !kept.contains(key) {
                let known: Vec<&str> = self.factors.iter().map(|f| f.key.as_str()).collect();
                errors.push(
                    format!("factors[{i}]"),
                    format!(
                        "{:?} is not a contributing factor here; the factors are: {}",
                        shown(key),
                        known.join(", ")
                    ),
                );
            }
        }
        errors.into_result()?;
        let place = |key: &str| self.factors.iter().position(|f| f.key == key).unwrap_or(usize::MAX);
        let mut chosen: Vec<String> = keys.to_vec();
        chosen.sort_by(|a, b| place(a).cmp(&place(b)).then_with(|| a.cmp(b)));
        chosen.dedup();
        Ok(chosen)
    }

    /// How the factors counted over a period read: every factor of the taxonomy (also those
    /// no incident had, so a reader sees what was never tagged), then retired keys still
    /// counted; most incidents first, ties in the taxonomy's order. `counts` holds, for each
    /// key tagged, its incidents in the period and in the period before.
    pub fn counted(&self, counts: &[(String, i64, i64)]) -> Vec<FactorCount> {
        let count_of =
            |key: &str| counts.iter().find(|(k, _, _)| k == key).map_or((0, 0), |(_, now, before)| (*now, *before));
        let mut rows: Vec<FactorCount> = self
            .factors
            .iter()
            .map(|f| {
                let (incidents, previous_incidents) = count_of(&f.key);
                FactorCount {
                    key: f.key.clone(),
                    label: f.label.clone(),
                    description: f.description.clone(),
                    retired: false,
                    incidents,
                    previous_incidents,
                }
            })
            .collect();
        let mut retired: Vec<FactorCount> = counts
            .iter()
            .filter(|(key, now, before)| self.get(key).is_none() && (*now > 0 || *before > 0))
            .map(|(key, now, before)| FactorCount {
                key: key.clone(),
                label: key.clone(),
                description: String::new(),
                retired: true,
                incidents: *now,
                previous_incidents: *before,
            })
            .collect();
        retired.sort_by(|a, b| a.key.cmp(&b.key));
        rows.extend(retired);
        // A stable sort keeps the taxonomy's order among equals.
        rows.sort_by_key(|r| std::cmp::Reverse(r.incidents));
        rows
    }
}

/// How often a contributing factor was tagged over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FactorCount {
    pub key: String,
    pub label: String,
    pub description: String,
    /// No longer in the taxonomy, still on post-mortems.
    pub retired: bool,
    /// Incidents of the period whose post-mortem has it.
    pub incidents: i64,
    /// The same over the period of the same length before.
    pub previous_incidents: i64,
}

/// The contributing factors counted over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FactorReport {
    pub period: super::Period,
    /// The period of the same length before, which `previous_incidents` counts.
    pub previous: super::Period,
    /// Every factor, most incidents first.
    pub factors: Vec<FactorCount>,
    /// Incidents of the period with a post-mortem.
    pub postmortems: i64,
    /// Of those, tagged with at least one factor.
    pub tagged: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(list: &[&str]) -> Vec<String> {
        list.iter().map(|k| (*k).to_string()).collect()
    }

    #[test]
    fn the_defaults_are_a_valid_taxonomy() {
        FactorTaxonomy::default().check().unwrap();
    }

    #[test]
    fn a_taxonomy_names_each_bad_factor() {
        let mut taxonomy = FactorTaxonomy::default();
        taxonomy.factors[1].key = "Change Mgmt".into();
        taxonomy.factors[2].key = "change".into();
        taxonomy.factors[3].label = " ".into();
        taxonomy.factors[4].description = "x".repeat(MAX_FACTOR_DESCRIPTION + 1);
        let errors = taxonomy.check().unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["factors[1].key", "factors[2].key", "factors[3].label", "factors[4].description"]);
        assert!(errors.0[1].message.contains("twice"), "{errors}");
    }

    #[test]
    fn chosen_keys_follow_the_taxonomy_without_repeats() {
        let taxonomy = FactorTaxonomy::default();
        let chosen = taxonomy.choose(&keys(&["testing", "change", "testing"]), &[]).unwrap();
        assert_eq!(chosen, keys(&["change", "testing"]));
    }

    #[test]
    fn an_unknown_key_is_refused_with_the_known_ones_unless_it_was_kept() {
        let taxonomy = FactorTaxonomy::default();
        let errors = taxonomy.choose(&keys(&["change", "human"]), &[]).unwrap_err();
        assert_eq!(errors.0[0].field, "factors[1]");
        assert!(errors.0[0].message.contains("change, configuration"), "{errors}");
        let chosen = taxonomy.choose(&keys(&["human", "change"]), &keys(&["human"])).unwrap();
        assert_eq!(chosen, keys(&["change", "human"]));
    }

    #[test]
    fn counts_list_every_factor_most_first_and_retired_ones_marked() {
        let taxonomy = FactorTaxonomy::default();
        let rows = taxonomy.counted(&[
            ("testing".into(), 4, 1),
            ("capacity".into(), 4, 0),
            ("human".into(), 1, 2),
            ("gone".into(), 0, 0),
        ]);
        assert_eq!(rows.len(), taxonomy.factors.len() + 1);
        let first: Vec<&str> = rows.iter().take(3).map(|r| r.key.as_str()).collect();
        assert_eq!(first, ["capacity", "testing", "human"]);
        assert!(rows[2].retired);
        assert_eq!(rows[2].previous_incidents, 2);
        assert!(rows.iter().skip(3).all(|r| r.incidents == 0 && !r.retired));
    }
}
