//! The duplicate check an import runs over an incident's stored timeline once its events
//! are in: reading events back (those set aside as duplicates included), counting them in a
//! span, setting events aside as duplicates and bringing them back.
//!
//! All of it runs in one transaction that no other check on the same incident runs beside:
//! on SQLite a write transaction from its first statement (`BEGIN IMMEDIATE`), on PostgreSQL
//! a transaction-scoped advisory lock on the incident, which holds across server processes.
//! Two imports into one incident at once (an Alertmanager and a Grafana webhook telling of
//! one alert) then judge the timeline one after the other, the second seeing what the first
//! stored and set aside. Not the rule itself (core's `Duplicates`) nor storing events.

use hindsight_core::EventKind;
use hindsight_core::access::Viewer;
use sqlx::FromRow;
use time::OffsetDateTime;

use crate::error::word;
use crate::{Arg, BeginWrite, Db, Store, StoreError, Ts, bind_args, built_sql, placeholders};

/// The columns an event keeps when it is set aside as a duplicate and when it comes back
/// (`timeline_duplicates` has them all; an event set aside was never edited).
const DUPLICATE_COLUMNS: &str = "id, incident_id, occurred_at, source, external_id, kind, actor, text, key_moment, \
                                 raw_payload, correlation, created_by, created_at, version";

/// Events found by key per statement when moving them between the timeline and the duplicates.
const KEYS_PER_STATEMENT: usize = 100;

/// A stored event with its correlation, as the duplicate check reads it back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub occurred_at: OffsetDateTime,
    pub source: String,
    pub external_id: String,
    pub kind: EventKind,
    pub actor: Option<String>,
    pub text: String,
    /// As imported with the event; `None` for events typed by hand or stored before it was kept.
    pub correlation: Option<String>,
    /// Read only for events without `correlation`.
    pub raw_payload: Option<String>,
    /// Set aside as a duplicate (`DuplicateCheck::set_aside`): not on the timeline.
    pub set_aside: bool,
}

#[derive(FromRow)]
struct StoredEventRow {
    occurred_at: Ts,
    source: String,
    external_id: String,
    kind: String,
    actor: Option<String>,
    text: String,
    correlation: Option<String>,
    raw_payload: Option<String>,
    set_aside: bool,
}

/// One import's duplicate check on one incident, in its own transaction (see the module's
/// header). Nothing it changes is kept unless it is committed.
pub struct DuplicateCheck {
    tx: CheckTx,
    incident_id: String,
}

enum CheckTx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the check's connection, whichever the database.
macro_rules! on_tx {
    ($check:expr, |$conn:ident| $body:expr) => {
        match &mut $check.tx {
            CheckTx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            CheckTx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

impl Store {
    /// Starts the duplicate check of a visible incident; waits while another check of the
    /// same incident runs (on SQLite, while any other write runs).
    pub async fn begin_duplicate_check(&self, viewer: &Viewer, number: i64) -> Result<DuplicateCheck, StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let tx = match &self.db {
            Db::Sqlite(pool) => CheckTx::Sqlite(pool.begin_write().await?),
            Db::Postgres(pool) => {
                let mut tx = pool.begin_write().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(&incident_id)
                    .execute(&mut *tx)
                    .await?;
                CheckTx::Postgres(tx)
            }
        };
        Ok(DuplicateCheck { tx, incident_id })
    }
}

impl DuplicateCheck {
    /// Keeps what the check changed, and lets the next check of the incident run.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.tx {
            CheckTx::Sqlite(tx) => tx.commit().await?,
            CheckTx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// How many events of the incident from one of `sources`, those set aside as duplicates
    /// included, happened from `from` to `to` (both included); read from the timeline-order
    /// indexes alone.
    pub async fn count_events_between(
        &mut self,
        sources: &[String],
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        if sources.is_empty() {
            return Ok(0);
        }
        let mut args = vec![Arg::Text(self.incident_id.clone()), Arg::Time(Ts::from(from)), Arg::Time(Ts::from(to))];
        args.extend(sources.iter().map(|s| Arg::Text(s.clone())));
        let filter = format!(
            "incident_id = $1 AND occurred_at >= $2 AND occurred_at <= $3 AND source IN ({})",
            placeholders(4, sources.len())
        );
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM timeline_events WHERE {filter}) \
             + (SELECT COUNT(*) FROM timeline_duplicates WHERE {filter})"
        );
        Ok(on_tx!(self, |conn| bind_args!(sqlx::query_scalar(built_sql(&sql)), args).fetch_one(conn).await)?)
    }

    /// Events of the incident from one of `sources`, at or after `from`, those set aside as
    /// duplicates included, in timeline order (time, source, external id; an event both on
    /// the timeline and set aside comes first from the timeline) with their kept correlation
    /// (their raw payload instead where none was kept), at most `limit` of them: those after
    /// `after`, the last event of the previous page.
    pub async fn events_with_correlation(
        &mut self,
        sources: &[String],
        from: OffsetDateTime,
        after: Option<&StoredEvent>,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        if sources.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = vec![Arg::Text(self.incident_id.clone()), Arg::Time(Ts::from(from))];
        args.extend(sources.iter().map(|s| Arg::Text(s.clone())));
        let mut filter =
            format!("incident_id = $1 AND occurred_at >= $2 AND source IN ({})", placeholders(3, sources.len()));
        if let Some(last) = after {
            let first = args.len() + 1;
            filter.push_str(&format!(
                " AND (occurred_at, source, external_id) > (${}, ${}, ${})",
                first,
                first + 1,
                first + 2
            ));
            args.extend([
                Arg::Time(Ts::from(last.occurred_at)),
                Arg::Text(last.source.clone()),
                Arg::Text(last.external_id.clone()),
            ]);
        }
        args.push(Arg::Int(limit.max(1)));
        let columns = "occurred_at, source, external_id, kind, actor, text, correlation, \
                       CASE WHEN correlation IS NULL THEN raw_payload END AS raw_payload";
        let sql = format!(
            "SELECT {columns}, FALSE AS set_aside FROM timeline_events WHERE {filter} \
             UNION ALL SELECT {columns}, TRUE AS set_aside FROM timeline_duplicates WHERE {filter} \
             ORDER BY occurred_at, source, external_id, set_aside LIMIT ${}",
            args.len()
        );
        let rows: Vec<StoredEventRow> =
            on_tx!(self, |conn| bind_args!(sqlx::query_as(built_sql(&sql)), args).fetch_all(conn).await)?;
        rows.into_iter()
            .map(|row| {
                Ok(StoredEvent {
                    occurred_at: row.occurred_at.get(),
                    source: row.source,
                    external_id: row.external_id,
                    kind: word(&row.kind)?,
                    actor: row.actor,
                    text: row.text,
                    correlation: row.correlation,
                    raw_payload: row.raw_payload,
                    set_aside: row.set_aside,
                })
            })
            .collect()
    }

    /// Sets aside events of the incident, found by source and external id (`keys`), as
    /// duplicates of others: they leave the timeline for `timeline_duplicates`, from where
    /// `restore` brings them back. Events a person has edited stay. Answers how many left
    /// the timeline.
    pub async fn set_aside(&mut self, keys: &[(String, String)]) -> Result<u64, StoreError> {
        let moves = Moves {
            from: "timeline_events",
            to: "timeline_duplicates",
            filter: " AND e.edited_at IS NULL",
            stamp: Some(("set_aside_at", Ts::now())),
        };
        Ok(self.move_events(keys, moves).await?.1)
    }

    /// Brings events of the incident set aside as duplicates (`set_aside`) back to its
    /// timeline, found by source and external id (`keys`). Answers how many came back.
    pub async fn restore(&mut self, keys: &[(String, String)]) -> Result<u64, StoreError> {
        let moves = Moves { from: "timeline_duplicates", to: "timeline_events", filter: "", stamp: None };
        // Counted as copied: an event both set aside and (imported again) on the timeline
        // is only removed from the duplicates.
        Ok(self.move_events(keys, moves).await?.0)
    }

    /// Copies the events of `keys` from one table to the other, then deletes them where they
    /// were, `KEYS_PER_STATEMENT` keys a statement; answers how many rows were copied and
    /// how many deleted.
    async fn move_events(&mut self, keys: &[(String, String)], moves: Moves) -> Result<(u64, u64), StoreError> {
        let Moves { from, to, filter, stamp } = moves;
        let columns = DUPLICATE_COLUMNS;
        let selected: Vec<String> = columns.split(", ").map(|c| format!("e.{c}")).collect();
        let selected = selected.join(", ");
        let (mut copied, mut removed) = (0, 0);
        for chunk in keys.chunks(KEYS_PER_STATEMENT) {
            // The keys as a VALUES list, read first (CROSS JOIN keeps SQLite to that order), each
            // found through the unique index on (incident, source, external id).
            let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${})", 2 * i + 2, 2 * i + 3)).collect();
            let found = format!(
                "FROM (VALUES {}) AS k CROSS JOIN {from} e WHERE e.incident_id = $1 AND e.source = k.column1 \
                 AND e.external_id = k.column2{filter}",
                values.join(", ")
            );
            let mut args = vec![Arg::Text(self.incident_id.clone())];
            for (source, external_id) in chunk {
                args.extend([Arg::Text(source.clone()), Arg::Text(external_id.clone())]);
            }
            let copy = match stamp {
                Some((column, _)) => format!(
                    "INSERT INTO {to} ({columns}, {column}) SELECT {selected}, ${} {found} ON CONFLICT DO NOTHING",
                    args.len() + 1
                ),
                None => format!("INSERT INTO {to} ({columns}) SELECT {selected} {found} ON CONFLICT DO NOTHING"),
            };
            let remove = format!("DELETE FROM {from} WHERE id IN (SELECT e.id {found})");
            let mut copy_args = args.clone();
            copy_args.extend(stamp.map(|(_, at)| Arg::Time(at)));
            copied += on_tx!(self, |conn| bind_args!(sqlx::query(built_sql(&copy)), copy_args)
                .execute(conn)
                .await
                .map(|r| r.rows_affected()))?;
            removed += on_tx!(self, |conn| bind_args!(sqlx::query(built_sql(&remove)), args.clone())
                .execute(conn)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok((copied, removed))
    }
}

/// Which way `DuplicateCheck::move_events` moves events: from which table to which, which
/// of them (`filter`, on `e`), and the column stamped with the time of the move, if any.
struct Moves {
    from: &'static str,
    to: &'static str,
    filter: &'static str,
    stamp: Option<(&'static str, Ts)>,
}
