//! Timeline events, with the raw payload each came from, and the references that
//! tie an incident to the ids other tools know it by.
//!
//! An event is unique per incident by `(source, external_id)`, so importing the same
//! input twice adds nothing; timelines are ordered by `(occurred_at, source,
//! external_id)`, a total order that does not depend on the order of import.

use hindsight_core::access::Viewer;
use hindsight_core::import::{FINGERPRINT_SOURCES, PAGING_SOURCES};
use hindsight_core::metrics::TimelineSummary;
use hindsight_core::{
    EventKind, KeyMoment, Moments, NewTimelineEvent, TimelineEvent, TimelineEventPatch, ValidationErrors,
    incident_handle,
};
use std::collections::HashMap;

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::error::word;
use crate::sql::Sql;
use crate::{Arg, BeginWrite, MAX_PAGE, Page, Store, StoreError, Ts, bind_args, built_sql, new_id, on_pool};

/// An event read from another tool, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedEvent {
    pub occurred_at: OffsetDateTime,
    pub source: String,
    /// The source's own id of the event, or a hash of its content.
    pub external_id: String,
    pub kind: EventKind,
    pub actor: Option<String>,
    pub text: String,
    pub key_moment: Option<KeyMoment>,
    /// The record as received, kept verbatim.
    pub raw_payload: Option<String>,
    /// What ties the event to others, as core's `stored_correlation` writes it, so the
    /// duplicate check need not read the payload again.
    pub correlation: Option<String>,
}

/// Event counts by kind, and the first time each key moment is marked.
type KindsAndMarks = (Vec<(String, i64)>, Vec<(String, Ts)>);

/// Events written per statement when importing into SQLite (13 anonymous parameters a row,
/// well under SQLite's limit of 32,766). Statements of this size and the one remainder size
/// of a batch are prepared once per connection and kept.
const SQLITE_IMPORT_ROWS: usize = 100;

/// Events written per statement when importing into PostgreSQL, as one array per column
/// ([`POSTGRES_IMPORT_SQL`]).
const POSTGRES_IMPORT_ROWS: usize = 1_000;

/// Imported events into PostgreSQL: `$1` the incident, `$2` the author, `$3` the time
/// stored, then one array per column (`$4`–`$13`), unnested into rows; a conflict on
/// (incident, source, external id) skips the row.
const POSTGRES_IMPORT_SQL: &str = "INSERT INTO timeline_events (id, incident_id, occurred_at, source, external_id, \
     kind, actor, text, key_moment, raw_payload, correlation, created_by, created_at, version) \
     SELECT e.id, $1, e.occurred_at, e.source, e.external_id, e.kind, e.actor, e.text, e.key_moment, e.raw_payload, \
     e.correlation, $2, $3, 1 \
     FROM UNNEST($4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], \
     $11::text[], $12::text[], $13::text[]) \
     AS e(id, occurred_at, source, external_id, kind, actor, text, key_moment, raw_payload, correlation) \
     ON CONFLICT DO NOTHING";

/// A batch of imported events as one array per column, for [`POSTGRES_IMPORT_SQL`].
#[derive(Default)]
struct PgImportColumns<'a> {
    id: Vec<String>,
    occurred_at: Vec<OffsetDateTime>,
    source: Vec<&'a str>,
    external_id: Vec<&'a str>,
    kind: Vec<&'static str>,
    actor: Vec<Option<&'a str>>,
    text: Vec<&'a str>,
    key_moment: Vec<Option<&'static str>>,
    raw_payload: Vec<Option<&'a str>>,
    correlation: Vec<Option<&'a str>>,
}

impl<'a> PgImportColumns<'a> {
    fn with_capacity(rows: usize) -> Self {
        PgImportColumns {
            id: Vec::with_capacity(rows),
            occurred_at: Vec::with_capacity(rows),
            source: Vec::with_capacity(rows),
            external_id: Vec::with_capacity(rows),
            kind: Vec::with_capacity(rows),
            actor: Vec::with_capacity(rows),
            text: Vec::with_capacity(rows),
            key_moment: Vec::with_capacity(rows),
            raw_payload: Vec::with_capacity(rows),
            correlation: Vec::with_capacity(rows),
        }
    }

    fn push(&mut self, event: &'a ImportedEvent) {
        self.id.push(new_id());
        self.occurred_at.push(event.occurred_at);
        self.source.push(&event.source);
        self.external_id.push(&event.external_id);
        self.kind.push(event.kind.as_str());
        self.actor.push(event.actor.as_deref());
        self.text.push(&event.text);
        self.key_moment.push(event.key_moment.map(|k| k.as_str()));
        self.raw_payload.push(event.raw_payload.as_deref());
        self.correlation.push(event.correlation.as_deref());
    }
}

/// References written per statement by an import.
const REFS_PER_INSERT: usize = 100;

/// Records `refs` to the incident `incident_id` in the transaction `tx`, whichever the
/// database, `REFS_PER_INSERT` a statement.
macro_rules! insert_refs {
    ($tx:ident, $incident_id:expr, $refs:expr) => {
        for chunk in $refs.chunks(REFS_PER_INSERT) {
            let mut query = sqlx::query(built_sql(&refs_sql(chunk.len()))).bind($incident_id);
            for (kind, value) in chunk {
                query = query.bind(kind.as_str()).bind(value.as_str());
            }
            query.execute(&mut *$tx).await?;
        }
    };
}

/// The INSERT of `rows` references to the incident `$1`, each a (`kind`, `value`) pair of parameters.
fn refs_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows).map(|i| format!("(${}, ${}, $1)", 2 * i + 2, 2 * i + 3)).collect();
    format!("INSERT INTO incident_refs (kind, value, incident_id) VALUES {} ON CONFLICT DO NOTHING", values.join(", "))
}

/// The INSERT of `rows` imported events, each row's values written by `row`; a conflict on
/// (incident, source, external id) skips the row.
fn import_sql(rows: usize, row: impl Fn(usize) -> String) -> String {
    let values: Vec<String> = (0..rows).map(row).collect();
    format!(
        "INSERT INTO timeline_events (id, incident_id, occurred_at, source, external_id, kind, actor, text, \
         key_moment, raw_payload, correlation, created_by, created_at, version) VALUES {} ON CONFLICT DO NOTHING",
        values.join(", ")
    )
}

#[derive(FromRow)]
struct EventRow {
    id: String,
    number: i64,
    occurred_at: Ts,
    source: String,
    external_id: String,
    kind: String,
    actor: Option<String>,
    text: String,
    key_moment: Option<String>,
    has_raw: bool,
    created_by: Option<String>,
    created_at: Ts,
    version: i64,
}

/// The columns of an `EventRow`, read from `$table` (as `e`) with its incident and author.
macro_rules! event_select {
    ($table:literal) => {
        concat!(
            "SELECT e.id, i.number, e.occurred_at, e.source, e.external_id, e.kind, e.actor, e.text, \
             e.key_moment, (e.raw_payload IS NOT NULL) AS has_raw, cu.username AS created_by, e.created_at, e.version \
             FROM ",
            $table,
            " e JOIN incidents i ON i.id = e.incident_id LEFT JOIN users cu ON cu.id = e.created_by"
        )
    };
}

/// The events on the timeline.
const EVENT_SELECT: &str = event_select!("timeline_events");

/// The events set aside as duplicates.
const DUPLICATE_SELECT: &str = event_select!("timeline_duplicates");

impl EventRow {
    fn into_event(self) -> Result<TimelineEvent, StoreError> {
        let handle = incident_handle(self.number);
        Ok(TimelineEvent {
            has_raw_payload: self.has_raw,
            raw_payload_url: None,
            incident: handle,
            occurred_at: self.occurred_at.get(),
            kind: word(&self.kind)?,
            key_moment: self.key_moment.as_deref().map(word).transpose()?,
            id: self.id,
            source: self.source,
            external_id: self.external_id,
            actor: self.actor,
            text: self.text,
            created_by: self.created_by,
            created_at: self.created_at.get(),
            version: self.version,
        })
    }
}

/// The cursor after an event: its time in microseconds, source and external id.
fn cursor_of(row: &EventRow) -> String {
    format!("{}:{}:{}", row.occurred_at.get().unix_timestamp_nanos() / 1000, row.source, row.external_id)
}

fn parse_cursor(cursor: &str) -> Result<(Ts, String, String), StoreError> {
    let bad = || StoreError::Invalid(ValidationErrors::single("cursor", "not a cursor this list gave out"));
    let mut parts = cursor.splitn(3, ':');
    let (Some(micros), Some(source), Some(external_id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let micros: i128 = micros.parse().map_err(|_| bad())?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(micros * 1000).map_err(|_| bad())?;
    Ok((Ts::from(at), source.to_string(), external_id.to_string()))
}

impl Store {
    /// Adds an event to a visible incident's timeline. An event with the same source and
    /// external id as one already there is not added again; the existing one is answered.
    pub async fn add_event(
        &self,
        viewer: &Viewer,
        number: i64,
        new: NewTimelineEvent,
    ) -> Result<TimelineEvent, StoreError> {
        new.validate()?;
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let id = new_id();
        let external_id = new.external_id.clone().unwrap_or_else(|| id.clone());
        let raw = new.raw_payload.as_ref().map(|v| v.to_string());
        on_pool!(self, |pool| sqlx::query(
            "INSERT INTO timeline_events (id, incident_id, occurred_at, source, external_id, kind, actor, text, \
             key_moment, raw_payload, created_by, created_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(&incident_id)
        .bind(Ts::from(new.occurred_at))
        .bind(&new.source)
        .bind(&external_id)
        .bind(new.kind.as_str())
        .bind(&new.actor)
        .bind(&new.text)
        .bind(new.key_moment.map(|k| k.as_str()))
        .bind(&raw)
        .bind(viewer.actor_id())
        .bind(Ts::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        let sql = format!("{EVENT_SELECT} WHERE e.incident_id = $1 AND e.source = $2 AND e.external_id = $3");
        let args = vec![Arg::Text(incident_id), Arg::Text(new.source.clone()), Arg::Text(external_id)];
        let row: EventRow =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_one(pool).await)?;
        row.into_event()
    }

    /// Stores a batch of imported events on a visible incident, in one transaction, with the
    /// references (`kind`, `value`) by which other tools know the incident (as
    /// [`Store::add_incident_ref`] would, a reference held by another incident is left as it
    /// is). Events already there (same source and external id) are skipped; answers how many
    /// were new.
    pub async fn import_events(
        &self,
        viewer: &Viewer,
        number: i64,
        events: &[ImportedEvent],
        refs: &[(String, String)],
    ) -> Result<u64, StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let now = Ts::now();
        let actor = viewer.actor_id();
        let mut added = 0;
        match &self.db {
            crate::Db::Sqlite(pool) => {
                let mut tx = pool.begin_write().await?;
                insert_refs!(tx, &incident_id, refs);
                for chunk in events.chunks(SQLITE_IMPORT_ROWS) {
                    // Anonymous `?` placeholders: SQLite binds them by position, without the
                    // name lookup that makes numbered ones quadratic (docs/BENCHMARKS.md).
                    let sql = import_sql(chunk.len(), |_| "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)".to_string());
                    let mut query = sqlx::query(built_sql(&sql));
                    for event in chunk {
                        query = query
                            .bind(new_id())
                            .bind(&incident_id)
                            .bind(Ts::from(event.occurred_at))
                            .bind(event.source.as_str())
                            .bind(event.external_id.as_str())
                            .bind(event.kind.as_str())
                            .bind(event.actor.as_deref())
                            .bind(event.text.as_str())
                            .bind(event.key_moment.map(|k| k.as_str()))
                            .bind(event.raw_payload.as_deref())
                            .bind(event.correlation.as_deref())
                            .bind(actor)
                            .bind(now);
                    }
                    added += query.execute(&mut *tx).await?.rows_affected();
                }
                tx.commit().await?;
            }
            crate::Db::Postgres(pool) => {
                let mut tx = pool.begin_write().await?;
                insert_refs!(tx, &incident_id, refs);
                for chunk in events.chunks(POSTGRES_IMPORT_ROWS) {
                    // One array a column: the statement is the same for every batch (prepared
                    // once per connection), and its size is not bound by the parameter limit.
                    let mut columns = PgImportColumns::with_capacity(chunk.len());
                    for event in chunk {
                        columns.push(event);
                    }
                    let query = sqlx::query(POSTGRES_IMPORT_SQL)
                        .bind(&incident_id)
                        .bind(actor)
                        .bind(now)
                        .bind(columns.id)
                        .bind(columns.occurred_at)
                        .bind(columns.source)
                        .bind(columns.external_id)
                        .bind(columns.kind)
                        .bind(columns.actor)
                        .bind(columns.text)
                        .bind(columns.key_moment)
                        .bind(columns.raw_payload)
                        .bind(columns.correlation);
                    added += query.execute(&mut *tx).await?.rows_affected();
                }
                tx.commit().await?;
            }
        }
        Ok(added)
    }

    /// Marks events of a visible incident, found by source and external id, with a key
    /// moment, where they carry none yet. Answers how many were marked.
    pub async fn mark_key_moments(
        &self,
        viewer: &Viewer,
        number: i64,
        marks: &[(String, String, KeyMoment)],
    ) -> Result<u64, StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let mut marked = 0;
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            for (source, external_id, moment) in marks {
                let done = sqlx::query(
                    "UPDATE timeline_events SET key_moment = $4, version = version + 1 \
                     WHERE incident_id = $1 AND source = $2 AND external_id = $3 AND key_moment IS NULL",
                )
                .bind(&incident_id)
                .bind(source)
                .bind(external_id)
                .bind(moment.as_str())
                .execute(&mut *tx)
                .await?;
                marked += done.rows_affected();
            }
            tx.commit().await
        }
        .await)?;
        Ok(marked)
    }

    /// The number of the visible incident another tool knows by `kind` and `value`
    /// (e.g. `pagerduty_incident`, `PT4KHLK`), if any.
    pub async fn incident_by_ref(&self, viewer: &Viewer, kind: &str, value: &str) -> Result<Option<i64>, StoreError> {
        let found = self.incidents_by_refs(viewer, &[(kind.to_string(), value.to_string())]).await?;
        Ok(found.into_values().next())
    }

    /// The visible incidents known to other tools by any of `refs` (`kind`, `value`), by
    /// reference: of several visible incidents holding one, the one with the lowest number.
    /// Incidents the viewer cannot see play no part, as if they did not exist.
    pub async fn incidents_by_refs(
        &self,
        viewer: &Viewer,
        refs: &[(String, String)],
    ) -> Result<HashMap<(String, String), i64>, StoreError> {
        let mut found = HashMap::new();
        for chunk in refs.chunks(REFS_PER_INSERT) {
            let mut sql = Sql::new(
                "SELECT r.kind, r.value, i.number FROM incident_refs r JOIN incidents i ON i.id = r.incident_id WHERE (",
            );
            for (i, (kind, value)) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(" OR ");
                }
                sql.push("(r.kind = ")
                    .bind(Arg::Text(kind.clone()))
                    .push(" AND r.value = ")
                    .bind(Arg::Text(value.clone()))
                    .push(")");
            }
            sql.push(") AND ").visible("i", viewer);
            let (sql, args) = sql.into_parts();
            let rows: Vec<(String, String, i64)> =
                on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
            // Several incidents may hold one reference (each caller's import gives it to an
            // incident that caller can see); the one with the lowest number answers.
            for (kind, value, number) in rows {
                found.entry((kind, value)).and_modify(|n: &mut i64| *n = (*n).min(number)).or_insert(number);
            }
        }
        Ok(found)
    }

    /// Records that another tool knows a visible incident by `kind` and `value`. Another
    /// incident may hold the same reference; lookups answer the lowest-numbered visible one.
    pub async fn add_incident_ref(
        &self,
        viewer: &Viewer,
        number: i64,
        kind: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        on_pool!(self, |pool| sqlx::query(
            "INSERT INTO incident_refs (kind, value, incident_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        )
        .bind(kind)
        .bind(value)
        .bind(&incident_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// One event of a visible incident.
    pub async fn event(&self, viewer: &Viewer, number: i64, id: &str) -> Result<TimelineEvent, StoreError> {
        let mut sql = Sql::new(EVENT_SELECT);
        sql.push(" WHERE i.number = ")
            .bind(Arg::Int(number))
            .push(" AND e.id = ")
            .bind(Arg::Text(id.to_string()))
            .push(" AND ")
            .visible("i", viewer);
        let (sql, args) = sql.into_parts();
        let row: Option<EventRow> = on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone())
            .fetch_optional(pool)
            .await)?;
        row.ok_or_else(|| StoreError::NotFound(format!("event {id:?} of {}", incident_handle(number))))?.into_event()
    }

    /// A visible incident's timeline in order, a page at a time.
    pub async fn list_events(
        &self,
        viewer: &Viewer,
        number: i64,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<TimelineEvent>, StoreError> {
        self.list_events_in_category(viewer, number, None, cursor, limit).await
    }

    /// How many events a visible incident's timeline holds.
    pub async fn count_events(&self, viewer: &Viewer, number: i64) -> Result<i64, StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        Ok(on_pool!(self, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM timeline_events WHERE incident_id = $1")
            .bind(&incident_id)
            .fetch_one(pool)
            .await)?)
    }

    /// What the metrics need of a visible incident's timeline: counts by kind and the
    /// earliest event marked with each key moment, in two aggregate queries.
    pub async fn timeline_summary(&self, viewer: &Viewer, number: i64) -> Result<TimelineSummary, StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let (kinds, marked): KindsAndMarks = on_pool!(self, |pool| async {
            let kinds =
                sqlx::query_as("SELECT kind, COUNT(*) FROM timeline_events WHERE incident_id = $1 GROUP BY kind")
                    .bind(&incident_id)
                    .fetch_all(pool)
                    .await?;
            let marked = sqlx::query_as(
                "SELECT key_moment, MIN(occurred_at) FROM timeline_events \
                 WHERE incident_id = $1 AND key_moment IS NOT NULL GROUP BY key_moment",
            )
            .bind(&incident_id)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((kinds, marked))
        }
        .await)?;
        let mut summary = TimelineSummary::default();
        for (kind, count) in kinds {
            summary.kinds.insert(word(&kind)?, count);
        }
        for (marker, at) in marked {
            summary.first_marked.insert(word(&marker)?, at.get());
        }
        Ok(summary)
    }

    /// The moments a visible incident's timeline shows, from its key moments: impact start the
    /// first event marked so (else the detection); detection the first marked so, alert or
    /// page (each import marks its first alert impact start, not detection, and a chat message
    /// it marks impact start was its detection); acknowledgement and mitigation the first
    /// marked so; resolution the last (after any reopening). Two queries that read indexes, not
    /// the timeline: the few marked events, and the first alert or page in time order.
    pub async fn timeline_moments(&self, viewer: &Viewer, number: i64) -> Result<Moments, StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        type Marked = Vec<(String, Ts, Ts, Option<Ts>)>;
        let (marked, first_alert): (Marked, Option<Ts>) = on_pool!(self, |pool| async {
            let marked = sqlx::query_as(
                "SELECT key_moment, MIN(occurred_at), MAX(occurred_at), \
                 MIN(CASE WHEN kind = 'message' THEN occurred_at END) FROM timeline_events \
                 WHERE incident_id = $1 AND key_moment IS NOT NULL GROUP BY key_moment",
            )
            .bind(&incident_id)
            .fetch_all(pool)
            .await?;
            let first_alert = sqlx::query_scalar(
                "SELECT occurred_at FROM timeline_events WHERE incident_id = $1 AND kind IN ('alert', 'page') \
                 ORDER BY occurred_at LIMIT 1",
            )
            .bind(&incident_id)
            .fetch_optional(pool)
            .await?;
            Ok::<_, sqlx::Error>((marked, first_alert))
        }
        .await)?;
        let mut moments = Moments::default();
        let mut detected = first_alert.map(Ts::get);
        let earliest = |slot: &mut Option<OffsetDateTime>, at: Option<OffsetDateTime>| {
            *slot = slot.iter().copied().chain(at).min();
        };
        for (marker, first, last, first_message) in marked {
            match word::<KeyMoment>(&marker)? {
                KeyMoment::ImpactStart => {
                    moments.started_at = Some(first.get());
                    earliest(&mut detected, first_message.map(Ts::get));
                }
                KeyMoment::Detection => earliest(&mut detected, Some(first.get())),
                KeyMoment::Acknowledgement => moments.acknowledged_at = Some(first.get()),
                KeyMoment::Mitigation => moments.mitigated_at = Some(first.get()),
                KeyMoment::Resolution => moments.resolved_at = Some(last.get()),
                KeyMoment::Escalation => {}
            }
        }
        moments.detected_at = detected;
        moments.started_at = moments.started_at.or(detected);
        Ok(moments)
    }

    /// Changes an event, refusing a change based on a stale version.
    pub async fn update_event(
        &self,
        viewer: &Viewer,
        number: i64,
        id: &str,
        patch: TimelineEventPatch,
    ) -> Result<TimelineEvent, StoreError> {
        let mut event = self.event(viewer, number, id).await?;
        let based_on = patch.version;
        let what = format!("event {id:?}");
        if based_on != event.version {
            let version = event.version;
            return Err(StoreError::conflict(what, based_on, &event, version));
        }
        event.apply(patch)?;
        let done = on_pool!(self, |pool| sqlx::query(
            "UPDATE timeline_events SET occurred_at = $3, kind = $4, actor = $5, text = $6, key_moment = $7, \
             edited_at = $8, version = version + 1 WHERE id = $1 AND version = $2"
        )
        .bind(id)
        .bind(based_on)
        .bind(Ts::from(event.occurred_at))
        .bind(event.kind.as_str())
        .bind(&event.actor)
        .bind(&event.text)
        .bind(event.key_moment.map(|k| k.as_str()))
        .bind(Ts::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        let current = self.event(viewer, number, id).await?;
        if done == 0 {
            let version = current.version;
            return Err(StoreError::conflict(what, based_on, &current, version));
        }
        Ok(current)
    }

    /// Removes an event from a visible incident's timeline.
    pub async fn delete_event(&self, viewer: &Viewer, number: i64, id: &str) -> Result<(), StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let done =
            on_pool!(self, |pool| sqlx::query("DELETE FROM timeline_events WHERE id = $1 AND incident_id = $2")
                .bind(id)
                .bind(&incident_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound(format!("event {id:?} of {}", incident_handle(number))));
        }
        Ok(())
    }

    /// The raw payload an event was read from, verbatim.
    pub async fn event_raw_payload(&self, viewer: &Viewer, number: i64, id: &str) -> Result<String, StoreError> {
        // An event set aside as a duplicate keeps its id and payload.
        let mut sql = Sql::new(
            "SELECT e.raw_payload FROM (SELECT incident_id, id, raw_payload FROM timeline_events \
             UNION ALL SELECT incident_id, id, raw_payload FROM timeline_duplicates) e \
             JOIN incidents i ON i.id = e.incident_id WHERE i.number = ",
        );
        sql.bind(Arg::Int(number))
            .push(" AND e.id = ")
            .bind(Arg::Text(id.to_string()))
            .push(" AND ")
            .visible("i", viewer);
        let (sql, args) = sql.into_parts();
        let body: Option<Option<String>> =
            on_pool!(self, |pool| bind_args!(sqlx::query_scalar(built_sql(&sql)), args.clone())
                .fetch_optional(pool)
                .await)?;
        body.flatten().ok_or_else(|| StoreError::NotFound(format!("raw payload of event {id:?}")))
    }
}

/// The groups a timeline is shown and filtered in: what kind of tool or hand an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventCategory {
    /// Alerts from monitoring, and the statuses alerting tools report.
    Alerts,
    /// Pages, acknowledgements, escalations, and the statuses paging tools report.
    Pages,
    /// Chat messages and other status updates.
    Chat,
    /// Deploys and rollbacks.
    Deploys,
    /// Events typed by hand, and actions, milestones and notes.
    Manual,
}

impl EventCategory {
    /// Every category, in the order pages show them.
    pub const ALL: [EventCategory; 5] = [
        EventCategory::Alerts,
        EventCategory::Pages,
        EventCategory::Chat,
        EventCategory::Deploys,
        EventCategory::Manual,
    ];

    /// The category's word in URLs and CSS classes.
    pub fn as_str(self) -> &'static str {
        match self {
            EventCategory::Alerts => "alerts",
            EventCategory::Pages => "pages",
            EventCategory::Chat => "chat",
            EventCategory::Deploys => "deploys",
            EventCategory::Manual => "manual",
        }
    }

    /// The category of an event from its source and kind: anything recorded by hand is
    /// manual, everything else goes by its kind.
    pub fn of(source: &str, kind: EventKind) -> EventCategory {
        if source == "manual" {
            return EventCategory::Manual;
        }
        match kind {
            EventKind::Alert => EventCategory::Alerts,
            EventKind::Page | EventKind::Acknowledgement | EventKind::Escalation => EventCategory::Pages,
            // A status a tool reports (resolved, reassigned, alert cleared) is filed with that tool.
            EventKind::StatusUpdate if PAGING_SOURCES.contains(&source) => EventCategory::Pages,
            EventKind::StatusUpdate if FINGERPRINT_SOURCES.contains(&source) => EventCategory::Alerts,
            EventKind::Message | EventKind::StatusUpdate => EventCategory::Chat,
            EventKind::Deploy | EventKind::Rollback => EventCategory::Deploys,
            EventKind::Action | EventKind::Milestone | EventKind::Note => EventCategory::Manual,
        }
    }
}

impl std::str::FromStr for EventCategory {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventCategory::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| {
            StoreError::Invalid(ValidationErrors::single(
                "category",
                "must be one of alerts, pages, chat, deploys, manual",
            ))
        })
    }
}

/// SQL giving the category word of event `e`, the same mapping as [`EventCategory::of`]
/// (with core's `PAGING_SOURCES` and `FINGERPRINT_SOURCES` written out).
const CATEGORY_SQL: &str = "CASE WHEN e.source = 'manual' THEN 'manual' \
    WHEN e.kind = 'alert' THEN 'alerts' \
    WHEN e.kind IN ('page', 'acknowledgement', 'escalation') THEN 'pages' \
    WHEN e.kind = 'status_update' AND e.source IN ('pagerduty', 'opsgenie') THEN 'pages' \
    WHEN e.kind = 'status_update' AND e.source IN ('alertmanager', 'grafana') THEN 'alerts' \
    WHEN e.kind IN ('message', 'status_update') THEN 'chat' \
    WHEN e.kind IN ('deploy', 'rollback') THEN 'deploys' \
    ELSE 'manual' END";

/// How many events of each category fell into each slice of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventVolume {
    /// Time of the first event, if any.
    pub first: Option<OffsetDateTime>,
    /// Time of the last event, if any.
    pub last: Option<OffsetDateTime>,
    /// Width of each bucket; bucket `i` starts at `first + i * width`.
    pub width: time::Duration,
    /// Events per bucket (index) and category; buckets without events are absent.
    pub counts: Vec<(usize, EventCategory, i64)>,
}

impl EventVolume {
    /// Events in each category, over the whole timeline.
    pub fn totals(&self) -> Vec<(EventCategory, i64)> {
        EventCategory::ALL
            .into_iter()
            .map(|c| (c, self.counts.iter().filter(|(_, k, _)| *k == c).map(|(_, _, n)| n).sum()))
            .collect()
    }
}

impl Store {
    /// A visible incident's timeline in order, a page at a time, only the events of
    /// `category` when one is given.
    pub async fn list_events_in_category(
        &self,
        viewer: &Viewer,
        number: i64,
        category: Option<EventCategory>,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<TimelineEvent>, StoreError> {
        self.list_events_from(EVENT_SELECT, viewer, number, category, cursor, limit).await
    }

    /// The events of a visible incident that imports set aside as duplicates of others (the
    /// same alert from two tools, a repeated notification), in timeline order, a page at a time.
    pub async fn list_duplicates(
        &self,
        viewer: &Viewer,
        number: i64,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<TimelineEvent>, StoreError> {
        self.list_events_from(DUPLICATE_SELECT, viewer, number, None, cursor, limit).await
    }

    /// How many events of a visible incident are set aside as duplicates.
    pub async fn count_duplicates(&self, viewer: &Viewer, number: i64) -> Result<i64, StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM timeline_duplicates WHERE incident_id = $1"
        )
        .bind(&incident_id)
        .fetch_one(pool)
        .await)?)
    }

    async fn list_events_from(
        &self,
        select: &str,
        viewer: &Viewer,
        number: i64,
        category: Option<EventCategory>,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<TimelineEvent>, StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let limit = limit.clamp(1, MAX_PAGE * 25);
        let mut args = vec![Arg::Text(incident_id)];
        let mut sql = format!("{select} WHERE e.incident_id = $1");
        if let Some(category) = category {
            args.push(Arg::Text(category.as_str().to_string()));
            sql.push_str(&format!(" AND ({CATEGORY_SQL}) = ${}", args.len()));
        }
        if let Some(cursor) = cursor {
            let (at, source, external_id) = parse_cursor(cursor)?;
            let n = args.len();
            args.extend([Arg::Time(at), Arg::Text(source), Arg::Text(external_id)]);
            sql.push_str(&format!(
                " AND (e.occurred_at, e.source, e.external_id) > (${}, ${}, ${})",
                n + 1,
                n + 2,
                n + 3
            ));
        }
        args.push(Arg::Int(limit + 1));
        sql.push_str(&format!(" ORDER BY e.occurred_at, e.source, e.external_id LIMIT ${}", args.len()));
        let mut rows: Vec<EventRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more { rows.last().map(cursor_of) } else { None };
        Ok(Page { items: rows.into_iter().map(EventRow::into_event).collect::<Result<_, _>>()?, next_cursor })
    }

    /// How a visible incident's events spread over time: its span cut into `buckets`
    /// equal slices, events counted per slice and category by the database (two
    /// aggregate queries, however long the timeline).
    pub async fn event_volume(&self, viewer: &Viewer, number: i64, buckets: usize) -> Result<EventVolume, StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let buckets = buckets.clamp(1, 500);
        let span: (Option<Ts>, Option<Ts>) = on_pool!(self, |pool| sqlx::query_as(
            "SELECT MIN(occurred_at), MAX(occurred_at) FROM timeline_events WHERE incident_id = $1"
        )
        .bind(&incident_id)
        .fetch_one(pool)
        .await)?;
        let (Some(first), Some(last)) = span else { return Ok(EventVolume::default()) };
        let (first, last) = (first.get(), last.get());
        // At least one second per bucket, and the last event inside the last bucket.
        let total_micros = ((last - first).whole_microseconds() as i64).max(buckets as i64 * 1_000_000);
        let width_micros = total_micros / buckets as i64 + 1;
        let offset_sql = match self.db {
            crate::Db::Sqlite(_) => "CAST((julianday(e.occurred_at) - julianday($2)) * 86400000000.0 AS INTEGER)",
            crate::Db::Postgres(_) => "CAST(EXTRACT(EPOCH FROM (e.occurred_at - $2)) * 1000000 AS BIGINT)",
        };
        let sql = format!(
            "SELECT {offset_sql} / $3 AS bucket, {CATEGORY_SQL} AS category, COUNT(*) \
             FROM timeline_events e WHERE e.incident_id = $1 GROUP BY 1, 2"
        );
        let args = vec![Arg::Text(incident_id), Arg::Time(Ts::from(first)), Arg::Int(width_micros)];
        let rows: Vec<(i64, String, i64)> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        let mut counts = Vec::with_capacity(rows.len());
        for (bucket, category, count) in rows {
            // Rounding at the edges can put an event one slice out; keep it in range.
            let bucket = bucket.clamp(0, buckets as i64 - 1) as usize;
            let category: EventCategory = category.parse()?;
            match counts.iter_mut().find(|(b, c, _): &&mut (usize, EventCategory, i64)| *b == bucket && *c == category)
            {
                Some((_, _, n)) => *n += count,
                None => counts.push((bucket, category, count)),
            }
        }
        counts.sort();
        Ok(EventVolume {
            first: Some(first),
            last: Some(last),
            width: time::Duration::microseconds(width_micros),
            counts,
        })
    }
}
