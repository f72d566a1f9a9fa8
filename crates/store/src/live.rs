//! Live documents: the updates editors send to a post-mortem's shared document, numbered in
//! the order they were accepted, and the snapshot they are compacted into. The store keeps
//! bytes; what they mean (a Yjs document) is the application's business.

use hindsight_core::access::Viewer;

use crate::{BeginWrite, Db, Store, StoreError, Ts, on_pool};

/// The PostgreSQL channel live updates are announced on (the payload: a post-mortem's id
/// and the update's number, `<id> <seq>`).
const LIVE_CHANNEL: &str = "hindsight_live";

/// Announcements of live updates: from every server on one PostgreSQL, or from this process
/// on SQLite (one server).
pub enum LiveListener {
    Postgres(sqlx::postgres::PgListener),
    Local(tokio::sync::broadcast::Receiver<(String, i64)>),
}

impl LiveListener {
    /// The next announcement: the post-mortem whose live document gained an update, and
    /// the update's number. After a lost connection it reconnects by itself (announcements
    /// meanwhile are missed: rooms poll too).
    pub async fn next(&mut self) -> Result<(String, i64), StoreError> {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match self {
                LiveListener::Postgres(listener) => {
                    let notice = listener.recv().await?;
                    if let Some((id, seq)) = notice.payload().split_once(' ')
                        && let Ok(seq) = seq.parse()
                    {
                        return Ok((id.to_owned(), seq));
                    }
                }
                LiveListener::Local(news) => match news.recv().await {
                    Ok(news) => return Ok(news),
                    // Fell behind: the rooms' polls take in what was missed.
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return Err(StoreError::Corrupt("the store was closed".into())),
                },
            }
        }
    }
}

/// A post-mortem's live document as stored: the snapshot, if one was made, and every update
/// accepted after it, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveDocument {
    pub snapshot: Option<Vec<u8>>,
    /// The last update the snapshot holds (0 without one).
    pub through_seq: i64,
    pub updates: Vec<LiveUpdate>,
}

impl LiveDocument {
    /// The number of the last update it holds (0 for a document nobody wrote to yet).
    pub fn last_seq(&self) -> i64 {
        self.updates.last().map_or(self.through_seq, |u| u.seq)
    }
}

/// One update as accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveUpdate {
    pub seq: i64,
    pub body: Vec<u8>,
}

impl Store {
    /// The live document of post-mortem `id`, if the viewer may see the post-mortem.
    pub async fn live_document(&self, viewer: &Viewer, id: &str) -> Result<LiveDocument, StoreError> {
        self.check_postmortem_visible(viewer, id).await?;
        self.live_document_after(id, 0).await
    }

    /// The stored document of `id` with the updates after `after` (all of them after the
    /// snapshot when `after` is older than it). Checks no visibility: for callers that did.
    pub async fn live_document_after(&self, id: &str, after: i64) -> Result<LiveDocument, StoreError> {
        let snapshot: Option<(Option<Vec<u8>>, i64)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT snapshot, through_seq FROM live_documents WHERE postmortem_id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
        })?;
        let (snapshot, through_seq) = snapshot.unwrap_or((None, 0));
        let from = after.max(through_seq);
        let rows: Vec<(i64, Vec<u8>)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT seq, body FROM live_updates WHERE postmortem_id = $1 AND seq > $2 ORDER BY seq")
                .bind(id)
                .bind(from)
                .fetch_all(pool)
                .await
        })?;
        let snapshot = if after >= through_seq { None } else { snapshot };
        let updates = rows.into_iter().map(|(seq, body)| LiveUpdate { seq, body }).collect();
        Ok(LiveDocument { snapshot, through_seq, updates })
    }

    /// Appends an update the viewer sent to the live document of post-mortem `id` (which
    /// they must be able to see; whether they may write is the caller's rule). Answers its
    /// number: updates are numbered in commit order, however many servers append.
    pub async fn append_live_update(&self, viewer: &Viewer, id: &str, body: &[u8]) -> Result<i64, StoreError> {
        let seq = self.append_live(viewer, id, body, true).await?;
        seq.ok_or_else(|| StoreError::Corrupt(format!("live document of {id:?}: an append got no number")))
    }

    /// Appends several updates to the existing live document of post-mortem `id` in one
    /// transaction (a group commit), each by the viewer given with it (who must be able to
    /// see the post-mortem). Answers their numbers, in order and consecutive.
    pub async fn append_live_updates(&self, id: &str, updates: &[(&Viewer, &[u8])]) -> Result<Vec<i64>, StoreError> {
        let mut checked: Vec<&str> = Vec::new();
        for (viewer, _) in updates {
            if !checked.contains(&viewer.username.as_str()) {
                self.check_postmortem_visible(viewer, id).await?;
                checked.push(&viewer.username);
            }
        }
        let count = i64::try_from(updates.len()).map_err(|_| StoreError::Corrupt("too many updates".into()))?;
        if count == 0 {
            return Ok(Vec::new());
        }
        let now = Ts::now();
        let last = on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let last: Option<i64> = sqlx::query_scalar(
                "UPDATE live_documents SET last_seq = last_seq + $2, updated_at = $3 WHERE postmortem_id = $1 \
                 RETURNING last_seq",
            )
            .bind(id)
            .bind(count)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(last) = last else { return Ok::<Option<i64>, sqlx::Error>(None) };
            for (at, (viewer, body)) in (last - count + 1..).zip(updates) {
                sqlx::query(
                    "INSERT INTO live_updates (postmortem_id, seq, body, author_id, at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(at)
                .bind(*body)
                .bind(viewer.actor_id())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(Some(last))
        }
        .await)?;
        let last = last.ok_or_else(|| StoreError::NotFound(format!("live document of post-mortem {id:?}")))?;
        self.announce_live(id, last).await;
        Ok((last - count + 1..=last).collect())
    }

    /// Stores `body` as update 1 of post-mortem `id`'s live document if the document does
    /// not exist yet, as `viewer`; answers whether it did. A document is seeded from the
    /// post-mortem's sections this way, once, however many servers open it at the same time.
    pub async fn seed_live_document(&self, viewer: &Viewer, id: &str, body: &[u8]) -> Result<bool, StoreError> {
        Ok(self.append_live(viewer, id, body, false).await?.is_some())
    }

    /// Appends `body` to the live document of `id` in one transaction: the document's row
    /// hands out the number (creating the row with number 1) and stays locked until commit.
    /// Without `to_existing`, a document that already exists takes nothing (`None`).
    async fn append_live(
        &self,
        viewer: &Viewer,
        id: &str,
        body: &[u8],
        to_existing: bool,
    ) -> Result<Option<i64>, StoreError> {
        self.check_postmortem_visible(viewer, id).await?;
        let now = Ts::now();
        let author = viewer.actor_id();
        let seq = on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let seq: Option<i64> = sqlx::query_scalar(
                "INSERT INTO live_documents (postmortem_id, snapshot, through_seq, last_seq, updated_at) \
                 VALUES ($1, NULL, 0, 1, $2) ON CONFLICT (postmortem_id) \
                 DO UPDATE SET last_seq = live_documents.last_seq + 1, updated_at = $2 WHERE $3 RETURNING last_seq",
            )
            .bind(id)
            .bind(now)
            .bind(to_existing)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(seq) = seq {
                sqlx::query(
                    "INSERT INTO live_updates (postmortem_id, seq, body, author_id, at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(seq)
                .bind(body)
                .bind(author)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok::<Option<i64>, sqlx::Error>(seq)
        }
        .await)?;
        if let Some(seq) = seq {
            self.announce_live(id, seq).await;
        }
        Ok(seq)
    }

    /// Tells every server on this PostgreSQL that post-mortem `id`'s live document has a new
    /// update (`NOTIFY`), so that their open rooms take it in at once rather than at their
    /// next poll; on SQLite (one server), this process's listeners. A notice that is lost
    /// only delays: the rooms poll as well.
    async fn announce_live(&self, id: &str, seq: i64) {
        match &self.db {
            Db::Sqlite(_) => {
                // No listener yet is no error.
                let _ = self.live_news.send((id.to_owned(), seq));
            }
            Db::Postgres(pool) => {
                let notice = sqlx::query("SELECT pg_notify($1, $2)").bind(LIVE_CHANNEL).bind(format!("{id} {seq}"));
                if let Err(e) = notice.execute(pool).await {
                    tracing::warn!(error = %e, postmortem = id, "could not announce a live update");
                }
            }
        }
    }

    /// A listener for the post-mortems whose live document gained an update: on any server
    /// on PostgreSQL, in this process on SQLite.
    pub async fn live_listener(&self) -> Result<Option<LiveListener>, StoreError> {
        match &self.db {
            Db::Sqlite(_) => Ok(Some(LiveListener::Local(self.live_news.subscribe()))),
            Db::Postgres(pool) => {
                let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
                listener.listen(LIVE_CHANNEL).await?;
                Ok(Some(LiveListener::Postgres(listener)))
            }
        }
    }

    /// Replaces the snapshot of post-mortem `id` and the updates through `through_seq` with
    /// `snapshot` (which must hold them all), in one transaction; updates accepted after
    /// `through_seq` stay. A compaction older than the stored snapshot changes nothing.
    pub async fn compact_live_document(&self, id: &str, snapshot: &[u8], through_seq: i64) -> Result<(), StoreError> {
        let now = Ts::now();
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE live_documents SET snapshot = $2, through_seq = $3, updated_at = $4 \
                 WHERE postmortem_id = $1 AND through_seq < $3 AND last_seq >= $3",
            )
            .bind(id)
            .bind(snapshot)
            .bind(through_seq)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                sqlx::query("DELETE FROM live_updates WHERE postmortem_id = $1 AND seq <= $2")
                    .bind(id)
                    .bind(through_seq)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<(), sqlx::Error>(())
        }
        .await)?;
        Ok(())
    }
}
