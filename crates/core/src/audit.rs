//! Hash chains that make the record tamper-evident: each history row and each audit
//! event carries the SHA-256 of its own meaningful fields and of the row before it,
//! so changing, removing or reordering a row breaks every hash from there on.
//!
//! Pure: this module only encodes and hashes. Reading rows, writing hashes and
//! walking chains belong to the store. A chain in the same database only detects
//! edits by someone who does not recompute it; anchoring the latest hashes outside
//! the database is what defends against a full rewrite.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

/// Which chain a row belongs to; part of every hash, so that a row cannot be moved
/// from one kind of chain to another with its hash still valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChainKind {
    /// An incident's history (`incident_history`), one chain per incident.
    Incident,
    /// A post-mortem's history (`postmortem_history`), one chain per post-mortem.
    Postmortem,
    /// Account and settings changes (`audit_events`), one chain for the whole database.
    AuditEvent,
}

impl ChainKind {
    /// The stable word hashed for this kind, also the name shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ChainKind::Incident => "incident_history",
            ChainKind::Postmortem => "postmortem_history",
            ChainKind::AuditEvent => "audit_events",
        }
    }
}

/// One row of an incident's or post-mortem's history, as hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry<'a> {
    /// `ChainKind::Incident` or `ChainKind::Postmortem`.
    pub kind: ChainKind,
    /// The incident's or post-mortem's id.
    pub record_id: &'a str,
    pub version: i64,
    /// The user who made the change, if one did.
    pub actor_id: Option<&'a str>,
    pub at: OffsetDateTime,
    /// Why (incidents only).
    pub reason: Option<&'a str>,
    /// The changes as the JSON text stored.
    pub changes: &'a str,
}

/// One account or settings change, as hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEventEntry<'a> {
    /// Position in the one chain of audit events, from 1.
    pub id: i64,
    pub at: OffsetDateTime,
    /// Who made the change (a username).
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    /// Details as the JSON text stored.
    pub detail: &'a str,
}

impl HistoryEntry<'_> {
    /// The row's hash given the hash of the row before it (`None` for the first row).
    pub fn hash(&self, prev_hash: Option<&str>) -> String {
        let mut encoder = Encoder::new(self.kind, prev_hash);
        encoder.text(self.record_id);
        encoder.int(self.version);
        encoder.opt_text(self.actor_id);
        encoder.time(self.at);
        encoder.opt_text(self.reason);
        encoder.text(self.changes);
        encoder.finish()
    }
}

impl AuditEventEntry<'_> {
    /// The event's hash given the hash of the event before it (`None` for the first).
    pub fn hash(&self, prev_hash: Option<&str>) -> String {
        let mut encoder = Encoder::new(ChainKind::AuditEvent, prev_hash);
        encoder.int(self.id);
        encoder.time(self.at);
        encoder.text(self.actor);
        encoder.text(self.action);
        encoder.text(self.subject);
        encoder.text(self.detail);
        encoder.finish()
    }
}

/// What verifying every chain found.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ChainReport {
    /// Chains walked: one per incident and post-mortem with history, plus the audit events.
    pub chains_checked: u64,
    /// Rows whose hash was recomputed.
    pub rows_checked: u64,
    /// The first broken row of each broken chain; empty when the record is intact.
    pub broken: Vec<BrokenRow>,
    /// SHA-256 over the last hash of every chain: one value to keep outside the
    /// database (a ticket, a signed log) and compare later.
    pub heads_digest: String,
    /// The last audit event's id and hash, if there is one.
    pub audit_events_head: Option<ChainHead>,
}

impl ChainReport {
    /// True when no chain is broken.
    pub fn intact(&self) -> bool {
        self.broken.is_empty()
    }
}

/// The last row of a chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ChainHead {
    pub version: i64,
    pub hash: String,
}

/// The first row of a chain that does not match what its predecessor and its own
/// fields say it should be.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct BrokenRow {
    /// `incident_history`, `postmortem_history` or `audit_events`.
    pub table: String,
    /// The incident's or post-mortem's id; empty for audit events.
    pub record: String,
    /// The row's version (audit events: its id).
    pub version: i64,
    /// What does not match, in words.
    pub problem: String,
    pub expected: Option<String>,
    pub found: Option<String>,
}

/// One account or settings change as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: serde_json::Value,
    pub prev_hash: Option<String>,
    pub hash: String,
}

/// SHA-256 (hex) over chain heads given as (table, record, version, hash), in any order.
pub fn heads_digest(heads: &[(String, String, i64, String)]) -> String {
    let mut sorted: Vec<&(String, String, i64, String)> = heads.iter().collect();
    sorted.sort();
    let mut encoder = Encoder(Sha256::new());
    encoder.text("hindsight-heads-v1");
    for (table, record, version, hash) in sorted {
        encoder.text(table);
        encoder.text(record);
        encoder.int(*version);
        encoder.text(hash);
    }
    encoder.finish()
}

/// Time as hashed: UTC, microseconds, fixed width (the precision both databases keep).
pub fn canonical_time(at: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    // Formatting a UTC time with this description cannot fail for years 0..=9999;
    // outside them, the RFC 3339-like debug form is still unambiguous.
    let utc = at.to_offset(time::UtcOffset::UTC);
    utc.format(&format).unwrap_or_else(|_| format!("{utc}"))
}

/// Feeds fields to SHA-256 so that no two different rows give the same bytes: every
/// field starts with a tag byte, text is length-prefixed, numbers have a fixed width.
struct Encoder(Sha256);

const TAG_TEXT: u8 = 1;
const TAG_NONE: u8 = 2;
const TAG_INT: u8 = 3;

impl Encoder {
    fn new(kind: ChainKind, prev_hash: Option<&str>) -> Encoder {
        let mut encoder = Encoder(Sha256::new());
        encoder.text("hindsight-chain-v1");
        encoder.text(kind.as_str());
        encoder.opt_text(prev_hash);
        encoder
    }

    fn text(&mut self, value: &str) {
        self.0.update([TAG_TEXT]);
        self.0.update((value.len() as u64).to_be_bytes());
        self.0.update(value.as_bytes());
    }

    fn opt_text(&mut self, value: Option<&str>) {
        match value {
            Some(value) => self.text(value),
            None => self.0.update([TAG_NONE]),
        }
    }

    fn int(&mut self, value: i64) {
        self.0.update([TAG_INT]);
        self.0.update(value.to_be_bytes());
    }

    fn time(&mut self, at: OffsetDateTime) {
        self.text(&canonical_time(at));
    }

    fn finish(self) -> String {
        self.0.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn entry() -> HistoryEntry<'static> {
        HistoryEntry {
            kind: ChainKind::Incident,
            record_id: "0193a1",
            version: 2,
            actor_id: Some("u1"),
            at: datetime!(2026-11-26 01:02:03.456789 UTC),
            reason: Some("severity rose"),
            changes: r#"[{"field":"severity","from":"SEV3","to":"SEV2"}]"#,
        }
    }

    #[test]
    fn same_input_gives_same_hash() {
        assert_eq!(entry().hash(Some("ab")), entry().hash(Some("ab")));
        assert_eq!(entry().hash(None).len(), 64);
        assert!(entry().hash(None).chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn any_field_change_changes_the_hash() {
        let base = entry().hash(Some("ab"));
        let variants = [
            HistoryEntry { kind: ChainKind::Postmortem, ..entry() },
            HistoryEntry { record_id: "0193a2", ..entry() },
            HistoryEntry { version: 3, ..entry() },
            HistoryEntry { actor_id: Some("u2"), ..entry() },
            HistoryEntry { actor_id: None, ..entry() },
            HistoryEntry { at: datetime!(2026-11-26 01:02:03.456790 UTC), ..entry() },
            HistoryEntry { reason: Some("severity rose."), ..entry() },
            HistoryEntry { reason: None, ..entry() },
            HistoryEntry { changes: "[]", ..entry() },
        ];
        for variant in variants {
            assert_ne!(variant.hash(Some("ab")), base, "{variant:?}");
        }
        assert_ne!(entry().hash(Some("ac")), base);
        assert_ne!(entry().hash(None), base);
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        // Plain concatenation would give "ab" + "c" == "a" + "bc".
        let one = HistoryEntry { reason: Some("ab"), changes: "c", ..entry() };
        let two = HistoryEntry { reason: Some("a"), changes: "bc", ..entry() };
        assert_ne!(one.hash(None), two.hash(None));
    }

    #[test]
    fn absent_and_empty_text_differ() {
        let absent = HistoryEntry { reason: None, ..entry() };
        let empty = HistoryEntry { reason: Some(""), ..entry() };
        assert_ne!(absent.hash(None), empty.hash(None));
        assert_ne!(entry().hash(None), entry().hash(Some("")));
    }

    #[test]
    fn same_instant_in_another_offset_gives_same_hash() {
        let shifted = HistoryEntry { at: entry().at.to_offset(time::macros::offset!(+2)), ..entry() };
        assert_eq!(shifted.hash(None), entry().hash(None));
    }

    #[test]
    fn heads_digest_ignores_order_but_not_content() {
        let a = ("incident_history".to_string(), "i1".to_string(), 2, "aa".to_string());
        let b = ("audit_events".to_string(), String::new(), 7, "bb".to_string());
        assert_eq!(heads_digest(&[a.clone(), b.clone()]), heads_digest(&[b.clone(), a.clone()]));
        let changed = ("audit_events".to_string(), String::new(), 7, "bc".to_string());
        assert_ne!(heads_digest(&[a.clone(), b]), heads_digest(&[a, changed]));
    }

    #[test]
    fn canonical_time_is_fixed_width_utc() {
        assert_eq!(canonical_time(datetime!(2026-01-02 03:04:05 +1)), "2026-01-02T02:04:05.000000Z");
    }

    #[test]
    fn audit_event_fields_each_change_the_hash() {
        let event = AuditEventEntry {
            id: 1,
            at: datetime!(2026-11-26 01:00 UTC),
            actor: "admin",
            action: "created team",
            subject: "payments",
            detail: "{}",
        };
        let base = event.hash(None);
        let variants = [
            AuditEventEntry { id: 2, ..event.clone() },
            AuditEventEntry { at: datetime!(2026-11-26 01:01 UTC), ..event.clone() },
            AuditEventEntry { actor: "dana", ..event.clone() },
            AuditEventEntry { action: "deleted team", ..event.clone() },
            AuditEventEntry { subject: "pay", ..event.clone() },
            AuditEventEntry { detail: r#"{"a":1}"#, ..event.clone() },
        ];
        for variant in variants {
            assert_ne!(variant.hash(None), base, "{variant:?}");
        }
    }
}
