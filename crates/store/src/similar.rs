//! Similar past incidents, and recurrences (an incident confirmed to be an earlier one
//! come back). Similar incidents are found through indexes: the same alert fingerprint in their
//! timelines (an index on the fingerprint in each event's kept correlation), an affected
//! service in common, the same root-cause component in their post-mortems (an index on it),
//! and shared words through the full-text index (FTS5's bm25 on SQLite, `ts_rank` on
//! PostgreSQL). Each signal reads a bounded number of candidates; core weighs them.

use std::collections::BTreeMap;

use hindsight_core::access::Viewer;
use hindsight_core::{
    ChainLink, Recurrence, Severity, Shared, SimilarIncident, ValidationErrors, incident_handle, rank, search_words,
};

use crate::audit::{AuditNote, append_audit};

use crate::error::word;
use crate::sql::Sql;
use crate::{Arg, BeginWrite, Store, StoreError, Ts, bind_args, built_sql, on_pool};

/// Candidates each signal reads at most.
const CANDIDATES: i64 = 200;
/// Words of the incident a search uses at most.
const SEARCH_WORDS: usize = 12;
/// Incidents a word may be in and still count as shared: a word in more tells little
/// (and ranking every incident that has it would cost as much as a scan).
const MAX_WORD_INCIDENTS: f64 = 500.0;
/// Most incidents a chain of recurrences is read through.
const MAX_CHAIN: i64 = 100;
/// Most incidents an answer lists.
pub const MAX_SIMILAR: usize = 50;

/// An event's alert fingerprint, as the index on it is written.
fn fingerprint_of(backend: &str) -> &'static str {
    if backend == "postgres" {
        "((e.correlation::jsonb) #>> '{c,fingerprint}')"
    } else {
        "json_extract(e.correlation, '$.c.fingerprint')"
    }
}

impl Store {
    /// Incidents the viewer may see that are like incident `number`, closest first, at
    /// most `limit` (up to [`MAX_SIMILAR`]), each with why.
    pub async fn similar_incidents(
        &self,
        viewer: &Viewer,
        number: i64,
        limit: usize,
    ) -> Result<Vec<SimilarIncident>, StoreError> {
        let incident = self.incident(viewer, number).await?;
        self.similar_to(viewer, &incident, limit).await
    }

    /// The same for an incident the viewer has loaded already (see [`Store::incident`]).
    pub async fn similar_to(
        &self,
        viewer: &Viewer,
        incident: &hindsight_core::Incident,
        limit: usize,
    ) -> Result<Vec<SimilarIncident>, StoreError> {
        let number = incident.number;
        let limit = limit.clamp(1, MAX_SIMILAR);
        let backend = self.backend();
        let mut candidates: BTreeMap<i64, Shared> = BTreeMap::new();

        // The same alert.
        let fingerprint = fingerprint_of(backend);
        let mut sql = Sql::new(&format!("SELECT DISTINCT {fingerprint} FROM timeline_events e WHERE e.incident_id = "));
        sql.bind(Arg::Text(incident.id.clone())).push(&format!(" AND {fingerprint} IS NOT NULL LIMIT 50"));
        let own: Vec<String> = self.fetch_column(sql).await?;
        if !own.is_empty() {
            let mut sql = Sql::new(&format!(
                "SELECT DISTINCT i.number, {fingerprint} FROM timeline_events e JOIN incidents i ON i.id = e.incident_id \
                 WHERE {fingerprint} IS NOT NULL AND {fingerprint} IN ("
            ));
            sql.bind_list(own.iter().map(|fp| Arg::Text(fp.clone())));
            sql.push(") AND i.number <> ").bind(Arg::Int(number)).push(" AND ").visible("i", viewer);
            sql.push(" LIMIT ").bind(Arg::Int(CANDIDATES));
            for (other, fp) in self.fetch_pairs(sql).await? {
                candidates.entry(other).or_default().fingerprints.push(fp);
            }
        }

        // A service in common, the latest incidents first (ids grow with time: the index on
        // service and incident id is read backwards, and stops at the limit).
        if !incident.services.is_empty() {
            let mut sql = Sql::new(
                "SELECT i.number, s.slug FROM incident_services x JOIN services s ON s.id = x.service_id \
                 JOIN incidents i ON i.id = x.incident_id WHERE s.slug IN (",
            );
            sql.bind_list(incident.services.iter().map(|slug| Arg::Text(slug.clone())));
            sql.push(") AND i.number <> ").bind(Arg::Int(number)).push(" AND ").visible("i", viewer);
            sql.push(" ORDER BY x.incident_id DESC LIMIT ").bind(Arg::Int(CANDIDATES));
            for (other, slug) in self.fetch_pairs(sql).await? {
                candidates.entry(other).or_default().services.push(slug);
            }
        }

        // The same root-cause component (kept lower-cased and trimmed beside the sections).
        let mut sql = Sql::new("SELECT p.cause_component FROM postmortems p WHERE p.incident_id = ");
        sql.bind(Arg::Text(incident.id.clone()));
        let own: Vec<String> = self.fetch_column(sql).await?;
        if let Some(own) = own.into_iter().find(|c| !c.is_empty()) {
            let mut sql = Sql::new(
                "SELECT i.number, p.cause_component FROM postmortems p JOIN incidents i ON i.id = p.incident_id \
                 WHERE p.cause_component <> '' AND p.cause_component = ",
            );
            sql.bind(Arg::Text(own.clone())).push(" AND i.number <> ").bind(Arg::Int(number));
            sql.push(" AND ").visible("i", viewer).push(" ORDER BY i.number DESC LIMIT ").bind(Arg::Int(CANDIDATES));
            for (other, _) in self.fetch_pairs(sql).await? {
                candidates.entry(other).or_default().component = Some(own.clone());
            }
        }

        // Words in common, by the full-text index's relevance: only the words few enough
        // incidents have to tell them apart, which also bounds what the index ranks.
        let words = search_words(&format!("{} {}", incident.title, incident.description), SEARCH_WORDS);
        let words = self.telling_words(words).await?;
        if !words.is_empty() {
            let mut sql = if backend == "postgres" {
                let query = words.join(" | ");
                let mut sql = Sql::new(
                    "SELECT i.number, ts_rank(i.search, q)::float8 AS relevance FROM incidents i, to_tsquery('simple', ",
                );
                sql.bind(Arg::Text(query)).push(") q WHERE i.search @@ q");
                sql
            } else {
                let query = words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" OR ");
                let mut sql = Sql::new(
                    "SELECT i.number, -bm25(incidents_search) AS relevance FROM incidents_search \
                     JOIN incidents i ON i.number = incidents_search.rowid WHERE incidents_search MATCH ",
                );
                sql.bind(Arg::Text(query));
                sql
            };
            sql.push(" AND i.number <> ").bind(Arg::Int(number)).push(" AND ").visible("i", viewer);
            sql.push(" ORDER BY relevance DESC LIMIT ").bind(Arg::Int(CANDIDATES / 4));
            let (sql, args) = sql.into_parts();
            let found: Vec<(i64, f64)> =
                on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
            let best = found.iter().map(|(_, r)| *r).fold(0.0_f64, f64::max);
            if best > 0.0 {
                for (other, relevance) in found {
                    candidates.entry(other).or_default().text = relevance / best;
                }
            }
        }

        let ranked = rank(&candidates, limit);
        if ranked.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(
            "SELECT i.number, i.title, i.description, i.severity, i.status, i.began_at FROM incidents i WHERE i.number IN (",
        );
        sql.bind_list(ranked.iter().map(|(other, _)| Arg::Int(*other)));
        sql.push(")");
        let (sql, args) = sql.into_parts();
        type Row = (i64, String, String, i64, String, Ts);
        let rows: Vec<Row> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        let mut rows: BTreeMap<i64, Row> = rows.into_iter().map(|row| (row.0, row)).collect();
        let mut similar = Vec::with_capacity(ranked.len());
        for (other, score) in ranked {
            let Some((_, title, description, severity, status, began_at)) = rows.remove(&other) else { continue };
            let shared = candidates.remove(&other).unwrap_or_default();
            let theirs = search_words(&format!("{title} {description}"), usize::MAX);
            let shared = Shared {
                words: if shared.text > 0.0 {
                    words.iter().filter(|w| theirs.contains(w)).cloned().collect()
                } else {
                    Vec::new()
                },
                ..shared
            };
            similar.push(SimilarIncident {
                handle: incident_handle(other),
                title,
                severity: Severity::new(severity as u8)
                    .ok_or_else(|| StoreError::Corrupt(format!("severity {severity}")))?,
                status: word(&status)?,
                began_at: began_at.get(),
                score,
                reasons: shared.reasons(),
            });
        }
        Ok(similar)
    }

    /// Those of `words` found in at most [`MAX_WORD_INCIDENTS`] incidents: on SQLite as
    /// the full-text index counts them (`incidents_search_terms`); on PostgreSQL as the
    /// planner's statistics estimate them (`pg_stats`' most common elements of the search
    /// column, from the last `ANALYZE`; a word not among them is rare).
    async fn telling_words(&self, words: Vec<String>) -> Result<Vec<String>, StoreError> {
        let mut telling = Vec::with_capacity(words.len());
        match &self.db {
            crate::Db::Sqlite(pool) => {
                for word in words {
                    let incidents: Option<i64> =
                        sqlx::query_scalar("SELECT doc FROM incidents_search_terms WHERE term = $1")
                            .bind(&word)
                            .fetch_optional(pool)
                            .await?;
                    if incidents.unwrap_or(0) as f64 <= MAX_WORD_INCIDENTS {
                        telling.push(word);
                    }
                }
            }
            crate::Db::Postgres(pool) => {
                let stats: Option<(Option<String>, Option<Vec<f32>>, f32)> = sqlx::query_as(
                    "SELECT s.most_common_elems::text, s.most_common_elem_freqs, c.reltuples FROM pg_class c \
                     LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = 'incidents' \
                     AND s.attname = 'search' WHERE c.oid = 'incidents'::regclass",
                )
                .fetch_optional(pool)
                .await?;
                let (elements, frequencies, rows) = stats.unwrap_or((None, None, 0.0));
                let elements = elements.unwrap_or_default();
                let elements =
                    elements.trim_start_matches('{').trim_end_matches('}').split(',').map(|e| e.trim_matches('"'));
                let common: Vec<&str> = elements
                    .zip(frequencies.unwrap_or_default())
                    .filter(|(_, frequency)| f64::from(*frequency) * f64::from(rows.max(0.0)) > MAX_WORD_INCIDENTS)
                    .map(|(element, _)| element)
                    .collect();
                telling.extend(words.into_iter().filter(|word| !common.contains(&word.as_str())));
            }
        }
        Ok(telling)
    }

    /// The first column of each row.
    pub(crate) async fn fetch_column<T>(&self, sql: Sql) -> Result<Vec<T>, StoreError>
    where
        T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
        T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    {
        let (sql, args) = sql.into_parts();
        Ok(on_pool!(self, |pool| bind_args!(sqlx::query_scalar(built_sql(&sql)), args.clone()).fetch_all(pool).await)?)
    }

    /// Rows of an incident number and a text.
    async fn fetch_pairs(&self, sql: Sql) -> Result<Vec<(i64, String)>, StoreError> {
        let (sql, args) = sql.into_parts();
        Ok(on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?)
    }
}

impl Store {
    /// The id and start of visible incident `number`.
    pub(crate) async fn visible_start(&self, viewer: &Viewer, number: i64) -> Result<(String, Ts), StoreError> {
        let mut sql = Sql::new("SELECT i.id, i.began_at FROM incidents i WHERE i.number = ");
        sql.bind(Arg::Int(number)).push(" AND ").visible("i", viewer);
        let (sql, args) = sql.into_parts();
        let row: Option<(String, Ts)> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone())
                .fetch_optional(pool)
                .await)?;
        row.ok_or_else(|| StoreError::NotFound(incident_handle(number)))
    }

    /// Records, as confirmed by the viewer, that incident `number` is incident `of` come
    /// back (replacing what it was recorded to recur before), with its audit event. `of`
    /// must be another incident the viewer sees that began before it.
    pub async fn set_recurrence(
        &self,
        viewer: &Viewer,
        number: i64,
        of: i64,
        note: &AuditNote,
    ) -> Result<(), StoreError> {
        note.check()?;
        let (id, began) = self.visible_start(viewer, number).await?;
        let (of_id, of_began) = self.visible_start(viewer, of).await.map_err(|e| match e {
            StoreError::NotFound(_) => {
                StoreError::Invalid(ValidationErrors::single("of", format!("no incident {}", incident_handle(of))))
            }
            other => other,
        })?;
        if of == number || of_began.get() >= began.get() {
            return Err(StoreError::Invalid(ValidationErrors::single(
                "of",
                format!(
                    "{} did not begin before {}: an incident recurs an earlier one",
                    incident_handle(of),
                    incident_handle(number)
                ),
            )));
        }
        let now = Ts::now();
        let confirmed_by = viewer.actor_id().map(str::to_string);
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO incident_recurrences (incident_id, recurs_id, confirmed_by, confirmed_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (incident_id) DO UPDATE SET recurs_id = $2, confirmed_by = $3, \
                 confirmed_at = $4",
            )
            .bind(&id)
            .bind(&of_id)
            .bind(&confirmed_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, note).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await)
    }

    /// Removes what incident `number` was recorded to recur, with its audit event; answers
    /// whether there was anything.
    pub async fn clear_recurrence(&self, viewer: &Viewer, number: i64, note: &AuditNote) -> Result<bool, StoreError> {
        let (id, _) = self.visible_start(viewer, number).await?;
        let done = self
            .execute_audited("DELETE FROM incident_recurrences WHERE incident_id = $1", vec![Arg::Text(id)], note, None)
            .await?;
        Ok(done > 0)
    }

    /// Incident `number`'s place among recurrences, as the viewer may see it.
    pub async fn recurrence(&self, viewer: &Viewer, number: i64) -> Result<Recurrence, StoreError> {
        let (id, _) = self.visible_start(viewer, number).await?;
        // Up to the first of the chain, then down to every recurrence of it.
        let mut sql = Sql::new("WITH RECURSIVE up(id, depth) AS (SELECT ");
        sql.bind(Arg::Text(id.clone())).push(&format!(
            ", 0 UNION ALL SELECT r.recurs_id, up.depth + 1 FROM incident_recurrences r JOIN up ON r.incident_id = up.id \
             WHERE up.depth < {MAX_CHAIN}) SELECT id FROM up ORDER BY depth DESC LIMIT 1"
        ));
        let first: Vec<String> = self.fetch_column(sql).await?;
        let first = first.into_iter().next().unwrap_or_else(|| id.clone());
        let mut sql = Sql::new("WITH RECURSIVE down(id, depth) AS (SELECT ");
        sql.bind(Arg::Text(first)).push(&format!(
            ", 0 UNION ALL SELECT r.incident_id, down.depth + 1 FROM incident_recurrences r \
             JOIN down ON r.recurs_id = down.id WHERE down.depth < {MAX_CHAIN}) \
             SELECT i.number, i.title, i.began_at, u.username, i.id, rs.number FROM down JOIN incidents i ON i.id = down.id \
             LEFT JOIN incident_recurrences r ON r.incident_id = i.id LEFT JOIN users u ON u.id = r.confirmed_by \
             LEFT JOIN incidents rs ON rs.id = r.recurs_id WHERE "
        ));
        sql.visible("i", viewer).push(&format!(" ORDER BY i.began_at, i.number LIMIT {MAX_CHAIN}"));
        let (sql, args) = sql.into_parts();
        type Row = (i64, String, Ts, Option<String>, String, Option<i64>);
        let rows: Vec<Row> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        let mut recurrence = Recurrence::default();
        for (other, _, _, _, other_id, recurs) in &rows {
            if *other_id == id {
                recurrence.recurs = recurs.map(incident_handle);
            } else if *recurs == Some(number) {
                recurrence.recurred_as.push(incident_handle(*other));
            }
        }
        // The one it recurs may be out of the viewer's sight: then it is not named.
        if let Some(recurs) = &recurrence.recurs
            && !rows.iter().any(|row| incident_handle(row.0) == *recurs)
        {
            recurrence.recurs = None;
        }
        if rows.len() > 1 {
            recurrence.chain = rows
                .into_iter()
                .map(|(other, title, began_at, confirmed_by, _, recurs)| ChainLink {
                    handle: incident_handle(other),
                    title,
                    began_at: began_at.get(),
                    confirmed_by: recurs.and(confirmed_by),
                })
                .collect();
        }
        Ok(recurrence)
    }
}
