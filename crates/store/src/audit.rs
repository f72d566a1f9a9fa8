//! The tamper-evident record in the database: hashes written with every history row
//! and audit event, sealing of rows written before hashes existed, the audit events
//! themselves, and verification of every chain.
//!
//! How a hash is computed is core's business ([`hindsight_core::audit`]); this module
//! decides which rows form a chain (an incident's or a post-mortem's history in
//! version order; all audit events in id order) and reads and writes them.

use std::collections::BTreeMap;

use hindsight_core::audit::{
    AuditEvent, AuditEventEntry, BrokenRow, ChainHead, ChainKind, ChainReport, HistoryEntry, heads_digest,
};

use crate::{BeginWrite, Store, StoreError, Ts, built_sql, on_pool};

/// A history table and the column naming its record.
pub(crate) fn history_table(kind: ChainKind) -> (&'static str, &'static str) {
    match kind {
        ChainKind::Postmortem => ("postmortem_history", "postmortem_id"),
        _ => ("incident_history", "incident_id"),
    }
}

/// One stored history row as hashed: version, actor id, time, reason, changes, prev_hash, hash.
pub(crate) type HistoryRow = (i64, Option<String>, Ts, Option<String>, String, Option<String>, Option<String>);

/// The columns of [`HistoryRow`] in either history table, for a SELECT.
pub(crate) const HISTORY_COLUMNS: &str = "version, actor_id, at, reason, changes, prev_hash, hash";

/// An account or settings change as the audit events record it: who, what, to whom.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditNote {
    /// Username of whoever made the change (`operator` at the command line).
    pub actor: String,
    /// What was done, in words: "created API token …", "changed user: role to admin".
    pub action: String,
    /// Whom or what it was done to: a username, a team's slug, a setting's key.
    pub subject: String,
    /// Anything else worth keeping (the actor's role, "via": "command line").
    pub detail: serde_json::Value,
}

impl AuditNote {
    pub fn new(
        actor: impl Into<String>,
        action: impl Into<String>,
        subject: impl Into<String>,
        detail: serde_json::Value,
    ) -> AuditNote {
        AuditNote { actor: actor.into(), action: action.into(), subject: subject.into(), detail }
    }

    /// Refuses a note whose parts are longer than the audit events keep.
    pub(crate) fn check(&self) -> Result<(), StoreError> {
        let mut errors = hindsight_core::ValidationErrors::default();
        for (field, value) in [("actor", &self.actor), ("action", &self.action), ("subject", &self.subject)] {
            if value.len() > MAX_TEXT {
                errors.push(field, format!("must be at most {MAX_TEXT} bytes"));
            }
        }
        Ok(errors.into_result()?)
    }
}

/// Inside a write's transaction `$tx`, appends the [`AuditNote`] `$note` to the audit
/// events, chained to the one before; evaluates to `Result<(id, at, prev_hash, hash),
/// StoreError>`. Appends are serialised through the `audit_event` counter row (its row
/// lock on PostgreSQL, the write lock on SQLite, held until commit), so several servers
/// on one PostgreSQL build one chain, and a change and its audit event commit together.
macro_rules! append_audit {
    ($tx:ident, $note:expr) => {
        async {
            let note: &$crate::audit::AuditNote = $note;
            let detail = note.detail.to_string();
            let at = $crate::Ts::now();
            let id = $crate::next_count!($tx, "audit_event").await?;
            let prev_hash: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_events WHERE id = $1")
                .bind(id - 1)
                .fetch_optional(&mut *$tx)
                .await?;
            let entry = hindsight_core::audit::AuditEventEntry {
                id,
                at: at.get(),
                actor: &note.actor,
                action: &note.action,
                subject: &note.subject,
                detail: &detail,
            };
            let hash = entry.hash(prev_hash.as_deref());
            sqlx::query(
                "INSERT INTO audit_events (id, at, actor, action, subject, detail, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(at)
            .bind(&note.actor)
            .bind(&note.action)
            .bind(&note.subject)
            .bind(&detail)
            .bind(&prev_hash)
            .bind(&hash)
            .execute(&mut *$tx)
            .await?;
            Ok::<_, $crate::StoreError>((id, at, prev_hash, hash))
        }
    };
}
pub(crate) use append_audit;

/// Inside a transaction `$tx`, the hash of the last history row of record `$id`
/// before version `$before`, as stored. Evaluates to `Result<Option<String>, StoreError>`.
/// A row without a hash is not hashed here: rows from before the chain were sealed once,
/// at migration, so a missing hash now means someone cleared it, and verification must
/// go on finding that.
macro_rules! chain_tip {
    ($tx:ident, $kind:expr, $id:expr, $before:expr) => {
        async {
            let kind: hindsight_core::audit::ChainKind = $kind;
            let record_id: &str = $id;
            let before: i64 = $before;
            let (table, column) = $crate::audit::history_table(kind);
            let last: Option<(Option<String>,)> = sqlx::query_as($crate::built_sql(&format!(
                "SELECT hash FROM {table} WHERE {column} = $1 AND version < $2 ORDER BY version DESC LIMIT 1"
            )))
            .bind(record_id)
            .bind(before)
            .fetch_optional(&mut *$tx)
            .await?;
            Ok::<Option<String>, $crate::StoreError>(last.and_then(|(hash,)| hash))
        }
    };
}
pub(crate) use chain_tip;

/// Inside a transaction `$tx`, hashes every row of record `$id`'s history that has no
/// hash yet, in version order, and evaluates to `Result<Option<String>, StoreError>`:
/// the last row's hash. Hashes are deterministic, so several processes sealing the same
/// chain at once write the same values (and `hash IS NULL` makes the later ones no-ops).
macro_rules! seal_chain {
    ($tx:ident, $kind:expr, $id:expr) => {
        async {
            let kind: hindsight_core::audit::ChainKind = $kind;
            let record_id: &str = $id;
            let (table, column) = $crate::audit::history_table(kind);
            let rows: Vec<$crate::audit::HistoryRow> = sqlx::query_as($crate::built_sql(&format!(
                "SELECT {} FROM {table} WHERE {column} = $1 ORDER BY version",
                $crate::audit::HISTORY_COLUMNS
            )))
            .bind(record_id)
            .fetch_all(&mut *$tx)
            .await?;
            let mut prev: Option<String> = None;
            for (version, actor_id, at, reason, changes, _, hash) in rows {
                let hash = match hash {
                    Some(hash) => hash,
                    None => {
                        let hash = hindsight_core::audit::HistoryEntry {
                            kind,
                            record_id,
                            version,
                            actor_id: actor_id.as_deref(),
                            at: at.get(),
                            reason: reason.as_deref(),
                            changes: &changes,
                        }
                        .hash(prev.as_deref());
                        sqlx::query($crate::built_sql(&format!(
                            "UPDATE {table} SET prev_hash = $3, hash = $4 \
                             WHERE {column} = $1 AND version = $2 AND hash IS NULL"
                        )))
                        .bind(record_id)
                        .bind(version)
                        .bind(&prev)
                        .bind(&hash)
                        .execute(&mut *$tx)
                        .await?;
                        hash
                    }
                };
                prev = Some(hash);
            }
            Ok::<Option<String>, $crate::StoreError>(prev)
        }
    };
}

/// Longest action or subject of an audit event.
const MAX_TEXT: usize = 2_000;

impl Store {
    /// Hashes every history row written before hashes existed (before migration 0005),
    /// chain by chain, once: while the `history_sealed` counter row is 0, then sets it
    /// to 1. Run by [`Store::migrate`]; afterwards a row without a hash is a broken chain
    /// that nothing seals (so clearing hashes cannot launder a change). Several processes
    /// migrating at once seal the same values. Returns how many chains it sealed.
    pub(crate) async fn seal_history_once(&self) -> Result<u64, StoreError> {
        let done: Option<i64> =
            on_pool!(self, |pool| sqlx::query_scalar("SELECT value FROM counters WHERE name = 'history_sealed'")
                .fetch_optional(pool)
                .await)?;
        if done != Some(0) {
            return Ok(0);
        }
        let sealed = self.seal_unsealed_history().await?;
        on_pool!(self, |pool| sqlx::query("UPDATE counters SET value = 1 WHERE name = 'history_sealed'")
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(sealed)
    }

    /// Hashes every history row without a hash, chain by chain.
    async fn seal_unsealed_history(&self) -> Result<u64, StoreError> {
        let mut sealed = 0;
        for kind in [ChainKind::Incident, ChainKind::Postmortem] {
            let (table, column) = history_table(kind);
            let sql = format!("SELECT DISTINCT {column} FROM {table} WHERE hash IS NULL");
            let ids: Vec<String> = on_pool!(self, |pool| sqlx::query_scalar(built_sql(&sql)).fetch_all(pool).await)?;
            for id in ids {
                on_pool!(self, |pool| {
                    async {
                        let mut tx = pool.begin_write().await?;
                        seal_chain!(tx, kind, &id).await?;
                        tx.commit().await?;
                        Ok::<(), StoreError>(())
                    }
                    .await
                })?;
                sealed += 1;
            }
        }
        if sealed > 0 {
            tracing::info!(chains = sealed, "sealed history written before the audit chain");
        }
        Ok(sealed)
    }

    /// Runs one change (`sql` with `args`) and, when it touched a row, appends `note` to the
    /// audit events in the same transaction: the change and its audit event commit together
    /// or not at all. Answers the rows the change touched; with none, nothing is appended.
    /// `unique` names the field and value a unique-constraint failure is about.
    pub(crate) async fn execute_audited(
        &self,
        sql: &str,
        args: Vec<crate::Arg>,
        note: &AuditNote,
        unique: Option<(&str, &str)>,
    ) -> Result<u64, StoreError> {
        note.check()?;
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let done = crate::bind_args!(sqlx::query(built_sql(sql)), args)
                .execute(&mut *tx)
                .await
                .map_err(|e| match unique {
                    Some((field, value)) => StoreError::unique(e, field, value),
                    None => StoreError::from(e),
                })?
                .rows_affected();
            if done > 0 {
                append_audit!(tx, note).await?;
                tx.commit().await?;
            }
            Ok::<_, StoreError>(done)
        }
        .await)
    }

    /// Appends an account or settings change to the audit events, chained to the one
    /// before, in a transaction of its own. Changes the store makes append theirs in the
    /// change's own transaction instead; this is for what happens outside the database.
    pub async fn record_audit_event(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &serde_json::Value,
    ) -> Result<AuditEvent, StoreError> {
        let note = AuditNote::new(actor, action, subject, detail.clone());
        note.check()?;
        let (id, at, prev_hash, hash) = on_pool!(self, |pool| {
            async {
                let mut tx = pool.begin_write().await?;
                let appended = append_audit!(tx, &note).await?;
                tx.commit().await?;
                Ok::<_, StoreError>(appended)
            }
            .await
        })?;
        Ok(AuditEvent {
            id,
            at: at.get(),
            actor: actor.to_string(),
            action: action.to_string(),
            subject: subject.to_string(),
            detail: detail.clone(),
            prev_hash,
            hash,
        })
    }

    /// The latest audit events, newest first (at most `limit`, capped at [`crate::MAX_PAGE`]).
    pub async fn audit_events(&self, limit: i64) -> Result<Vec<AuditEvent>, StoreError> {
        let limit = limit.clamp(1, crate::MAX_PAGE);
        let rows: Vec<AuditEventRow> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_events ORDER BY id DESC LIMIT $1"
        )
        .bind(limit)
        .fetch_all(pool)
        .await
        })?;
        rows.into_iter()
            .map(|(id, at, actor, action, subject, detail, prev_hash, hash)| {
                let detail = serde_json::from_str(&detail)
                    .map_err(|e| StoreError::Corrupt(format!("detail of audit event {id}: {e}")))?;
                Ok(AuditEvent { id, at: at.get(), actor, action, subject, detail, prev_hash, hash })
            })
            .collect()
    }

    /// Walks every chain (each incident's and post-mortem's history, and the audit
    /// events), recomputing each row's hash from its fields and its predecessor's hash.
    pub async fn verify_audit_chains(&self) -> Result<ChainReport, StoreError> {
        let mut report = ChainReport::default();
        let mut heads = Vec::new();
        for kind in [ChainKind::Incident, ChainKind::Postmortem] {
            let (table, column) = history_table(kind);
            let sql = format!("SELECT {column}, {} FROM {table} ORDER BY {column}, version", HISTORY_COLUMNS);
            let rows: Vec<RecordHistoryRow> =
                on_pool!(self, |pool| sqlx::query_as(built_sql(&sql)).fetch_all(pool).await)?;
            let mut chains: BTreeMap<String, Vec<HistoryRow>> = BTreeMap::new();
            for (record, version, actor_id, at, reason, changes, prev_hash, hash) in rows {
                chains.entry(record).or_default().push((version, actor_id, at, reason, changes, prev_hash, hash));
            }
            // Every change bumps the record's version and writes one history row, so the
            // newest row must carry the record's version: this finds removed newest rows.
            let (records, first_version) = match kind {
                ChainKind::Postmortem => ("postmortems", 1),
                _ => ("incidents", 2),
            };
            let versions: Vec<(String, i64)> = on_pool!(self, |pool| sqlx::query_as(built_sql(&format!(
                "SELECT id, version FROM {records} ORDER BY id"
            )))
            .fetch_all(pool)
            .await)?;
            for (record, version) in versions {
                let last = chains.get(&record).and_then(|rows| rows.last()).map(|row| row.0);
                let expected_last = (version >= first_version).then_some(version);
                if last == expected_last {
                    continue;
                }
                let shown = |v: Option<i64>| v.map_or("nothing".to_string(), |v| v.to_string());
                let problem = if last < expected_last {
                    format!(
                        "the record is at version {version} but its history ends at {}: newer rows were removed",
                        shown(last)
                    )
                } else {
                    format!("the history ends at {} but the record is at version {version}", shown(last))
                };
                report.broken.push(BrokenRow {
                    table: kind.as_str().to_string(),
                    record,
                    // The first missing row, or the row past the record's version.
                    version: if last < expected_last {
                        last.map_or(first_version, |last| last + 1)
                    } else {
                        last.unwrap_or(0)
                    },
                    problem,
                    expected: expected_last.map(|v| v.to_string()),
                    found: last.map(|v| v.to_string()),
                });
            }
            for (record, rows) in chains {
                report.chains_checked += 1;
                let mut prev: Option<String> = None;
                let mut broken = None;
                for (version, actor_id, at, reason, changes, prev_hash, hash) in rows {
                    report.rows_checked += 1;
                    let expected = HistoryEntry {
                        kind,
                        record_id: &record,
                        version,
                        actor_id: actor_id.as_deref(),
                        at: at.get(),
                        reason: reason.as_deref(),
                        changes: &changes,
                    }
                    .hash(prev.as_deref());
                    if broken.is_none() {
                        broken =
                            check_row(kind, &record, version, prev.as_deref(), prev_hash, &expected, hash.as_deref());
                    }
                    // Go on from the stored hash, so later rows are judged against what
                    // they were chained to; the first break is the one reported.
                    prev = Some(hash.unwrap_or(expected));
                    heads.push((kind.as_str().to_string(), record.clone(), version, prev.clone().unwrap_or_default()));
                }
                report.broken.extend(broken);
            }
        }
        // Keep one head per chain: the last pushed for each record.
        let mut last: BTreeMap<(String, String), (String, String, i64, String)> = BTreeMap::new();
        for head in heads {
            last.insert((head.0.clone(), head.1.clone()), head);
        }
        let mut heads: Vec<(String, String, i64, String)> = last.into_values().collect();

        let events: Vec<AuditEventRow> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_events ORDER BY id"
        )
        .fetch_all(pool)
        .await)?;
        let counted: i64 =
            on_pool!(self, |pool| sqlx::query_scalar("SELECT value FROM counters WHERE name = 'audit_event'")
                .fetch_one(pool)
                .await)?;
        report.chains_checked += 1;
        let table = ChainKind::AuditEvent.as_str();
        let mut prev: Option<String> = None;
        let mut next_id = 1;
        let mut broken = None;
        for (id, at, actor, action, subject, detail, prev_hash, hash) in events {
            report.rows_checked += 1;
            let entry = AuditEventEntry {
                id,
                at: at.get(),
                actor: &actor,
                action: &action,
                subject: &subject,
                detail: &detail,
            };
            let expected = entry.hash(prev.as_deref());
            if broken.is_none() && id != next_id {
                broken = Some(BrokenRow {
                    table: table.to_string(),
                    record: String::new(),
                    version: id,
                    problem: format!("audit events {next_id} to {} are missing", id - 1),
                    expected: Some(next_id.to_string()),
                    found: Some(id.to_string()),
                });
            }
            if broken.is_none() {
                broken = check_row(ChainKind::AuditEvent, "", id, prev.as_deref(), prev_hash, &expected, Some(&hash));
            }
            next_id = id + 1;
            prev = Some(hash);
        }
        if broken.is_none() && counted != next_id - 1 {
            broken = Some(BrokenRow {
                table: table.to_string(),
                record: String::new(),
                version: counted,
                problem: format!("{counted} audit events were written but the last one stored is {}", next_id - 1),
                expected: Some(counted.to_string()),
                found: Some((next_id - 1).to_string()),
            });
        }
        report.broken.extend(broken);
        if let Some(hash) = prev {
            report.audit_events_head = Some(ChainHead { version: next_id - 1, hash: hash.clone() });
            heads.push((table.to_string(), String::new(), next_id - 1, hash));
        }
        report.heads_digest = heads_digest(&heads);
        Ok(report)
    }
}

/// A [`HistoryRow`] preceded by its record's id.
type RecordHistoryRow = (String, i64, Option<String>, Ts, Option<String>, String, Option<String>, Option<String>);

type AuditEventRow = (i64, Ts, String, String, String, String, Option<String>, String);

/// The problem with one row, if any: its link to the row before, or its own hash.
fn check_row(
    kind: ChainKind,
    record: &str,
    version: i64,
    expected_prev: Option<&str>,
    found_prev: Option<String>,
    expected: &str,
    found: Option<&str>,
) -> Option<BrokenRow> {
    let broken = |problem: &str, expected: Option<&str>, found: Option<&str>| BrokenRow {
        table: kind.as_str().to_string(),
        record: record.to_string(),
        version,
        problem: problem.to_string(),
        expected: expected.map(str::to_string),
        found: found.map(str::to_string),
    };
    let Some(found) = found else {
        return Some(broken("the row has no hash (not sealed)", Some(expected), None));
    };
    if found_prev.as_deref() != expected_prev {
        let problem = match expected_prev {
            None => "the first row of the chain points to a row before it (rows were removed)",
            Some(_) => "prev_hash does not match the row before it (rows were removed, added or reordered)",
        };
        return Some(broken(problem, expected_prev, found_prev.as_deref()));
    }
    if found != expected {
        return Some(broken(
            "the row's fields do not match its hash (the row was changed)",
            Some(expected),
            Some(found),
        ));
    }
    None
}
