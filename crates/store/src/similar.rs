//! Similar past incidents, found through indexes: the same alert fingerprint in their
//! timelines (an index on the fingerprint in each event's kept correlation), an affected
//! service in common, the same root-cause component in their post-mortems (an index on it),
//! and shared words through the full-text index (FTS5's bm25 on SQLite, `ts_rank` on
//! PostgreSQL). Each signal reads a bounded number of candidates; core weighs them.

use std::collections::BTreeMap;

use hindsight_core::access::Viewer;
use hindsight_core::{Severity, Shared, SimilarIncident, incident_handle, rank, search_words};

use crate::error::word;
use crate::sql::Sql;
use crate::{Arg, Store, StoreError, Ts, bind_args, built_sql, on_pool};

/// Candidates each signal reads at most.
const CANDIDATES: i64 = 200;
/// Words of the incident a search uses at most.
const SEARCH_WORDS: usize = 12;
/// Incidents a word may be in and still count as shared: a word in more tells little
/// (and ranking every incident that has it would cost as much as a scan).
const MAX_WORD_INCIDENTS: f64 = 500.0;
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

/// A post-mortem's root-cause component, lower-cased, as the index on it is written.
fn component_of(backend: &str) -> &'static str {
    if backend == "postgres" {
        "lower((p.sections::jsonb) #>> '{root_cause,component}')"
    } else {
        "lower(json_extract(p.sections, '$.root_cause.component'))"
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
            for (n, fp) in own.iter().enumerate() {
                sql.push(if n == 0 { "" } else { ", " }).bind(Arg::Text(fp.clone()));
            }
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
            for (n, slug) in incident.services.iter().enumerate() {
                sql.push(if n == 0 { "" } else { ", " }).bind(Arg::Text(slug.clone()));
            }
            sql.push(") AND i.number <> ").bind(Arg::Int(number)).push(" AND ").visible("i", viewer);
            sql.push(" ORDER BY x.incident_id DESC LIMIT ").bind(Arg::Int(CANDIDATES));
            for (other, slug) in self.fetch_pairs(sql).await? {
                candidates.entry(other).or_default().services.push(slug);
            }
        }

        // The same root-cause component.
        let component = component_of(backend);
        let mut sql = Sql::new(&format!("SELECT {component} FROM postmortems p WHERE p.incident_id = "));
        sql.bind(Arg::Text(incident.id.clone()));
        let own: Vec<Option<String>> = self.fetch_column(sql).await?;
        if let Some(own) = own.into_iter().flatten().map(|c| c.trim().to_string()).find(|c| !c.is_empty()) {
            let mut sql = Sql::new(&format!(
                "SELECT i.number, {component} FROM postmortems p JOIN incidents i ON i.id = p.incident_id WHERE {component} = "
            ));
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
        for (n, (other, _)) in ranked.iter().enumerate() {
            sql.push(if n == 0 { "" } else { ", " }).bind(Arg::Int(*other));
        }
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
    async fn fetch_column<T>(&self, sql: Sql) -> Result<Vec<T>, StoreError>
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
