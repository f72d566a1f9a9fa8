//! Where each import of incident history from a vendor's API stands (its checkpoint), so
//! that the same command run again after an interruption goes on from there.
//!
//! The store only keeps the checkpoints; what a chunk is and in which order incidents come
//! is the importer's business (`hindsight_app::history`). A checkpoint is written after each
//! incident is fully imported, in its own short transaction.

use time::OffsetDateTime;

use crate::{Store, StoreError, Ts, on_pool};

/// How far an import of one vendor's history over one window has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryCheckpoint {
    /// `pagerduty` or `opsgenie`.
    pub vendor: String,
    /// The start of the window asked for.
    pub since: OffsetDateTime,
    /// The end of the window asked for; `None` when open-ended (up to when it started).
    pub until: Option<OffsetDateTime>,
    /// The end the run that started this window fixed (`until`, or the time it started).
    pub ends_at: OffsetDateTime,
    /// The start of the first chunk of time not fully imported.
    pub chunk_start: OffsetDateTime,
    /// How many incidents of that chunk, in the vendor's list order, are fully imported.
    pub chunk_done: i64,
    /// When the whole window was imported; `None` while it is not.
    pub finished_at: Option<OffsetDateTime>,
}

type CheckpointRow = (String, Ts, String, Ts, Ts, i64, Option<Ts>);

/// `until` as the key column keeps it: RFC 3339 in UTC to the microsecond, or '' when open.
fn until_key(until: Option<OffsetDateTime>) -> String {
    until
        .map(|at| {
            let at = Ts::from(at).get();
            at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
        })
        .unwrap_or_default()
}

impl Store {
    /// The checkpoint of `vendor`'s history over `since`..`until`, if an import of it began.
    pub async fn history_checkpoint(
        &self,
        vendor: &str,
        since: OffsetDateTime,
        until: Option<OffsetDateTime>,
    ) -> Result<Option<HistoryCheckpoint>, StoreError> {
        let sql = "SELECT vendor, since, until_asked, ends_at, chunk_start, chunk_done, finished_at \
                   FROM history_imports WHERE vendor = $1 AND since = $2 AND until_asked = $3";
        let key = until_key(until);
        let row: Option<CheckpointRow> = on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(vendor)
            .bind(Ts::from(since))
            .bind(&key)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|(vendor, since, _, ends_at, chunk_start, chunk_done, finished_at)| HistoryCheckpoint {
            vendor,
            since: since.get(),
            until,
            ends_at: ends_at.get(),
            chunk_start: chunk_start.get(),
            chunk_done,
            finished_at: finished_at.map(Ts::get),
        }))
    }

    /// Writes `checkpoint`, replacing the one of the same vendor and window.
    pub async fn save_history_checkpoint(&self, checkpoint: &HistoryCheckpoint) -> Result<(), StoreError> {
        let sql = "INSERT INTO history_imports (vendor, since, until_asked, ends_at, chunk_start, chunk_done, \
                   finished_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                   ON CONFLICT (vendor, since, until_asked) DO UPDATE SET ends_at = excluded.ends_at, \
                   chunk_start = excluded.chunk_start, chunk_done = excluded.chunk_done, \
                   finished_at = excluded.finished_at, updated_at = excluded.updated_at";
        let key = until_key(checkpoint.until);
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(&checkpoint.vendor)
            .bind(Ts::from(checkpoint.since))
            .bind(&key)
            .bind(Ts::from(checkpoint.ends_at))
            .bind(Ts::from(checkpoint.chunk_start))
            .bind(checkpoint.chunk_done)
            .bind(checkpoint.finished_at.map(Ts::from))
            .bind(Ts::now())
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }
}
