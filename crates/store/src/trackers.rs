//! Trackers (GitHub Issues, Jira Cloud) and the links between action items and their
//! issues.
//!
//! A link is `pending` while one side has something the other lacks: every change of the
//! item marks it in the change's own transaction, and every webhook from the tracker
//! stores the issue as told and marks it. A worker claims pending links with a lease (on
//! PostgreSQL `FOR UPDATE SKIP LOCKED`), brings both sides in step, and records the outcome
//! only while it still holds the lease; a failure is tried again later. What was sent and
//! received is kept in `tracker_sync_log`, a change that lost to a later one included.

use std::collections::BTreeMap;

use hindsight_core::access::Viewer;
use hindsight_core::{
    ActionItemStatus, MAX_TRACKERS, NewTracker, Priority, SyncEntry, SyncedFields, Tracker, TrackerKind, TrackerLink,
    ValidationErrors,
};

use crate::audit::{AuditNote, append_audit};
use crate::error::word;
use crate::sql::{Sql, lease_claim};
use crate::{Arg, BeginWrite, Store, StoreError, Ts, bind_args, built_sql, new_id, on_pool};

/// Most history entries a link shows.
pub const MAX_SYNC_HISTORY: i64 = 50;

/// A tracker with its sealed token and webhook secret, for talking to it.
#[derive(Debug, Clone, PartialEq)]
pub struct SealedTracker {
    pub tracker: Tracker,
    pub sealed_token: String,
    pub sealed_webhook_secret: String,
}

/// An action item as a tracker sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkedItem {
    pub id: String,
    /// Number of its incident.
    pub incident: i64,
    pub fields: SyncedFields,
    pub description: String,
    pub priority: Priority,
    pub version: i64,
    pub updated_at: Ts,
    /// Whether its incident is private: then nothing of it goes out.
    pub private: bool,
}

/// A link a worker claimed, with everything bringing it in step needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedLink {
    pub tracker: SealedTracker,
    pub item: LinkedItem,
    /// The issue's key; none until it is made.
    pub remote_key: Option<String>,
    pub url: Option<String>,
    /// What both sides last agreed on; none until the issue is made.
    pub base: Option<SyncedFields>,
    /// The issue as the tracker's webhook last told of it (the application's JSON).
    pub received: Option<String>,
    /// The issue's own time of its last change known here.
    pub remote_updated_at: Option<Ts>,
    /// When a worker first asked the tracker to make the issue, if one did: the issue may
    /// be there though its key never reached the database.
    pub creating_at: Option<Ts>,
    pub attempts: i32,
}

/// How a claimed link ended.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkOutcome {
    /// Both sides are in step as of the item's `synced_version`.
    Synced {
        remote_key: String,
        url: String,
        base: SyncedFields,
        synced_version: i64,
        remote_updated_at: Ts,
        /// What was sent and received, for the history.
        log: Vec<SyncEntry>,
        /// What failed after the issue was made or a change taken, and when to try again:
        /// the link stays pending.
        then_failed: Option<(String, Ts)>,
    },
    /// The tracker could not be reached or refused; tried again at `retry_at`.
    Failed { error: String, retry_at: Ts },
    /// The item's incident is private now: the link stays, and nothing is sent until it is not.
    Withheld,
}

/// A claimed link with its tracker and item, as read.
#[derive(sqlx::FromRow)]
struct ClaimedRow {
    tracker_id: String,
    name: String,
    kind: String,
    api_url: String,
    project: String,
    sealed_token: String,
    sealed_webhook_secret: String,
    auto_priorities: String,
    people: String,
    created_at: Ts,
    remote_key: Option<String>,
    url: Option<String>,
    base: String,
    received: Option<String>,
    remote_updated_at: Option<Ts>,
    creating_at: Option<Ts>,
    attempts: i32,
    item_id: String,
    number: i64,
    title: String,
    status: String,
    owner: Option<String>,
    due_date: Option<String>,
    description: String,
    priority: String,
    version: i64,
    updated_at: Ts,
    private: bool,
}

type TrackerRow = (String, String, String, String, String, String, String, String, String, Ts);

fn tracker_of(row: TrackerRow) -> Result<SealedTracker, StoreError> {
    let (id, name, kind, api_url, project, sealed_token, sealed_webhook_secret, auto, people, created_at) = row;
    let people: BTreeMap<String, String> =
        serde_json::from_str(&people).map_err(|e| StoreError::Corrupt(format!("tracker {id}'s people: {e}")))?;
    Ok(SealedTracker {
        tracker: Tracker {
            id,
            name,
            kind: word(&kind)?,
            api_url,
            project,
            auto_priorities: auto.split_whitespace().map(word).collect::<Result<_, _>>()?,
            people,
            created_at: created_at.get(),
        },
        sealed_token,
        sealed_webhook_secret,
    })
}

const TRACKER_SELECT: &str = "SELECT t.id, t.name, t.kind, t.api_url, t.project, t.sealed_token, \
     t.sealed_webhook_secret, t.auto_priorities, t.people, t.created_at FROM trackers t";

/// The title, owner, due date and status an item keeps in step, as stored in `base`.
fn base_of(text: &str) -> Result<Option<SyncedFields>, StoreError> {
    if text.is_empty() {
        return Ok(None);
    }
    serde_json::from_str(text).map(Some).map_err(|e| StoreError::Corrupt(format!("a tracker link's base: {e}")))
}

fn json_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn date_of(text: Option<String>) -> Result<Option<time::Date>, StoreError> {
    text.map(|d| time::Date::parse(&d, time::macros::format_description!("[year]-[month]-[day]")))
        .transpose()
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Adds a tracker whose token and webhook secret the caller has sealed; its name is unique.
    pub async fn add_tracker(
        &self,
        new: &NewTracker,
        sealed_token: &str,
        sealed_webhook_secret: &str,
        note: &AuditNote,
    ) -> Result<Tracker, StoreError> {
        new.validate()?;
        note.check()?;
        let api_url = new.api_url().unwrap_or_default();
        let mut auto = new.auto_priorities.clone();
        auto.sort();
        auto.dedup();
        let auto_text = format!(" {} ", auto.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" "));
        let tracker = Tracker {
            id: new_id(),
            name: new.name.trim().to_string(),
            kind: new.kind,
            api_url,
            project: new.project.trim().to_string(),
            auto_priorities: auto,
            people: new.people.iter().map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect(),
            created_at: Ts::now().get(),
        };
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM trackers").fetch_one(&mut *tx).await?;
            if count >= MAX_TRACKERS as i64 {
                return Err(StoreError::Invalid(ValidationErrors::single(
                    "name",
                    format!("there are {MAX_TRACKERS} trackers already: remove one first"),
                )));
            }
            sqlx::query(
                "INSERT INTO trackers (id, name, kind, api_url, project, sealed_token, sealed_webhook_secret, \
                 auto_priorities, people, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&tracker.id)
            .bind(&tracker.name)
            .bind(tracker.kind.as_str())
            .bind(&tracker.api_url)
            .bind(&tracker.project)
            .bind(sealed_token)
            .bind(sealed_webhook_secret)
            .bind(&auto_text)
            .bind(json_of(&tracker.people))
            .bind(Ts::from(tracker.created_at))
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::unique(e, "name", &tracker.name))?;
            append_audit!(tx, note).await?;
            tx.commit().await?;
            Ok(())
        }
        .await)?;
        Ok(tracker)
    }

    /// Every tracker, by name.
    pub async fn trackers(&self) -> Result<Vec<Tracker>, StoreError> {
        let sql = format!("{TRACKER_SELECT} ORDER BY t.name");
        let rows: Vec<TrackerRow> = on_pool!(self, |pool| sqlx::query_as(built_sql(&sql)).fetch_all(pool).await)?;
        rows.into_iter().map(|row| tracker_of(row).map(|t| t.tracker)).collect()
    }

    /// Tracker `id` with its sealed secrets.
    pub async fn sealed_tracker(&self, id: &str) -> Result<SealedTracker, StoreError> {
        let sql = format!("{TRACKER_SELECT} WHERE t.id = $1");
        let row: Option<TrackerRow> =
            on_pool!(self, |pool| sqlx::query_as(built_sql(&sql)).bind(id).fetch_optional(pool).await)?;
        tracker_of(row.ok_or_else(|| StoreError::NotFound(format!("tracker {id:?}")))?)
    }

    /// Removes tracker `id` and its links (the issues stay in the tracker); answers
    /// whether there was one.
    pub async fn remove_tracker(&self, id: &str, note: &AuditNote) -> Result<bool, StoreError> {
        let done =
            self.execute_audited("DELETE FROM trackers WHERE id = $1", vec![Arg::Text(id.into())], note, None).await?;
        Ok(done > 0)
    }

    /// Links action item `item_id` (which the viewer must see) to an issue to be made in
    /// `tracker_id` by the worker, at once. An item of a private incident is refused, as
    /// is one linked already.
    pub async fn link_action_item(&self, viewer: &Viewer, item_id: &str, tracker_id: &str) -> Result<(), StoreError> {
        let item = self.action_item(viewer, item_id).await?;
        let private: bool = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT i.private FROM action_items a JOIN incidents i ON i.id = a.incident_id WHERE a.id = $1"
        )
        .bind(item_id)
        .fetch_one(pool)
        .await)?;
        if private {
            return Err(StoreError::Invalid(ValidationErrors::single(
                "action_item",
                format!("{} is a private incident: nothing of it goes to a tracker", item.incident),
            )));
        }
        self.sealed_tracker(tracker_id).await?;
        let now = Ts::now();
        on_pool!(self, |pool| {
            sqlx::query(
            "INSERT INTO tracker_links (action_item_id, tracker_id, base, synced_version, pending, next_at, created_at) \
             VALUES ($1, $2, '', 0, TRUE, $3, $3)"
        )
        .bind(item_id)
        .bind(tracker_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        .map_err(|e| StoreError::unique(e, "action_item", item_id))
        })?;
        Ok(())
    }

    /// Links a just-made action item to the first tracker (by age) that makes issues for
    /// its priority, unless its incident is private; answers whether it did.
    pub async fn link_automatically(&self, item_id: &str) -> Result<bool, StoreError> {
        let now = Ts::now();
        let done = on_pool!(self, |pool| {
            sqlx::query(
            "INSERT INTO tracker_links (action_item_id, tracker_id, base, synced_version, pending, next_at, created_at) \
             SELECT a.id, (SELECT t.id FROM trackers t WHERE t.auto_priorities LIKE '% ' || a.priority || ' %' \
                           ORDER BY t.created_at, t.id LIMIT 1), '', 0, TRUE, $2, $2 \
             FROM action_items a JOIN incidents i ON i.id = a.incident_id \
             WHERE a.id = $1 AND NOT i.private AND EXISTS (SELECT 1 FROM trackers t \
                   WHERE t.auto_priorities LIKE '% ' || a.priority || ' %') \
             ON CONFLICT DO NOTHING"
        )
        .bind(item_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(done > 0)
    }

    /// Stores the issue `remote_key` of tracker `tracker_id` as its webhook told of it
    /// (`received`, the application's JSON), for the worker to bring in at once. Answers
    /// whether an action item is linked to that issue.
    pub async fn receive_issue(&self, tracker_id: &str, remote_key: &str, received: &str) -> Result<bool, StoreError> {
        let done = on_pool!(self, |pool| sqlx::query(
            "UPDATE tracker_links SET received = $3, pending = TRUE, next_at = $4 \
             WHERE tracker_id = $1 AND remote_key = $2"
        )
        .bind(tracker_id)
        .bind(remote_key)
        .bind(received)
        .bind(Ts::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }

    /// Claims at most `limit` pending links due at `now` for `owner` until `lease_until`.
    /// Links another worker holds are skipped.
    pub async fn claim_links(
        &self,
        owner: &str,
        now: Ts,
        lease_until: Ts,
        limit: i64,
    ) -> Result<Vec<ClaimedLink>, StoreError> {
        let limit = limit.clamp(1, 1_000);
        let due = "pending AND next_at <= $3 AND (lease_until IS NULL OR lease_until < $3)";
        let claim = lease_claim(self.backend(), "tracker_links", "action_item_id", due, "next_at");
        let rows: Vec<ClaimedRow> = on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let ids: Vec<String> = sqlx::query_scalar(built_sql(&claim))
                .bind(owner)
                .bind(lease_until)
                .bind(now)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            if ids.is_empty() {
                return Ok::<_, StoreError>(Vec::new());
            }
            let mut sql = Sql::new(
                "SELECT t.id AS tracker_id, t.name, t.kind, t.api_url, t.project, t.sealed_token, \
                 t.sealed_webhook_secret, t.auto_priorities, t.people, t.created_at, \
                 l.remote_key, l.url, l.base, l.received, l.remote_updated_at, l.creating_at, l.attempts, \
                 a.id AS item_id, i.number, a.title, a.status, ou.username AS owner, a.due_date, a.description, \
                 a.priority, a.version, a.updated_at, i.private \
                 FROM tracker_links l JOIN trackers t ON t.id = l.tracker_id \
                 JOIN action_items a ON a.id = l.action_item_id JOIN incidents i ON i.id = a.incident_id \
                 LEFT JOIN users ou ON ou.id = a.owner_id WHERE l.lease_owner = ",
            );
            sql.bind(Arg::Text(owner.to_string())).push(" AND l.action_item_id IN (");
            sql.bind_list(ids.iter().map(|id| Arg::Text(id.clone())));
            sql.push(") ORDER BY l.next_at");
            let (sql, args) = sql.into_parts();
            Ok(bind_args!(sqlx::query_as(built_sql(&sql)), args).fetch_all(pool).await?)
        }
        .await)?;
        rows.into_iter()
            .map(|row| {
                let tracker = tracker_of((
                    row.tracker_id,
                    row.name,
                    row.kind,
                    row.api_url,
                    row.project,
                    row.sealed_token,
                    row.sealed_webhook_secret,
                    row.auto_priorities,
                    row.people,
                    row.created_at,
                ))?;
                let status: ActionItemStatus = word(&row.status)?;
                Ok(ClaimedLink {
                    tracker,
                    remote_key: row.remote_key,
                    url: row.url,
                    base: base_of(&row.base)?,
                    received: row.received,
                    remote_updated_at: row.remote_updated_at,
                    creating_at: row.creating_at,
                    attempts: row.attempts,
                    item: LinkedItem {
                        id: row.item_id,
                        incident: row.number,
                        fields: SyncedFields {
                            title: row.title,
                            status,
                            owner: row.owner,
                            due_date: date_of(row.due_date)?,
                        },
                        description: row.description,
                        priority: word(&row.priority)?,
                        version: row.version,
                        updated_at: row.updated_at,
                        private: row.private,
                    },
                })
            })
            .collect()
    }

    /// Notes that `owner` is about to ask the tracker to make `item_id`'s issue, unless a
    /// try before it did already (the first time is kept). Answers whether `owner` still
    /// holds the link.
    pub async fn mark_creating(&self, owner: &str, item_id: &str, now: Ts) -> Result<bool, StoreError> {
        let done = on_pool!(self, |pool| sqlx::query(
            "UPDATE tracker_links SET creating_at = COALESCE(creating_at, $3) \
             WHERE action_item_id = $1 AND lease_owner = $2"
        )
        .bind(item_id)
        .bind(owner)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }

    /// Records how `owner`'s claimed link of `item_id` ended; ignored when `owner` lost
    /// its lease. A synced link stays pending if the item changed while it was sent.
    pub async fn finish_link(
        &self,
        owner: &str,
        item_id: &str,
        outcome: &LinkOutcome,
        now: Ts,
    ) -> Result<bool, StoreError> {
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let done = match outcome {
                LinkOutcome::Synced { remote_key, url, base, synced_version, remote_updated_at, log, then_failed } => {
                    let (error, next_at) = match then_failed {
                        Some((error, retry_at)) => (Some(error.chars().take(1_000).collect::<String>()), *retry_at),
                        None => (None, now),
                    };
                    let done = sqlx::query(
                        "UPDATE tracker_links SET remote_key = $3, url = $4, base = $5, synced_version = $6, \
                         remote_updated_at = $7, received = NULL, last_error = $9, next_at = $8, \
                         attempts = CASE WHEN $9 IS NULL THEN 0 ELSE attempts + 1 END, \
                         pending = ((SELECT version FROM action_items WHERE id = $1) > $6), \
                         lease_owner = NULL, lease_until = NULL WHERE action_item_id = $1 AND lease_owner = $2",
                    )
                    .bind(item_id)
                    .bind(owner)
                    .bind(remote_key)
                    .bind(url)
                    .bind(json_of(base))
                    .bind(synced_version)
                    .bind(remote_updated_at)
                    .bind(next_at)
                    .bind(error)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if done > 0 {
                        // The link is shown on the item; setting it is no change of the item's own.
                        sqlx::query(
                            "UPDATE action_items SET tracker_url = $2 WHERE id = $1 AND \
                             (tracker_url IS NULL OR tracker_url <> $2)",
                        )
                        .bind(item_id)
                        .bind(url)
                        .execute(&mut *tx)
                        .await?;
                        for entry in log {
                            sqlx::query(
                                "INSERT INTO tracker_sync_log (action_item_id, direction, outcome, fields, changed_at, \
                                 recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
                            )
                            .bind(item_id)
                            .bind(entry.direction.as_str())
                            .bind(entry.outcome.as_str())
                            .bind(json_of(&entry.fields))
                            .bind(Ts::from(entry.changed_at))
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                    done
                }
                LinkOutcome::Failed { error, retry_at } => {
                    let error: String = error.chars().take(1_000).collect();
                    sqlx::query(
                        "UPDATE tracker_links SET attempts = attempts + 1, last_error = $3, next_at = $4, \
                         lease_owner = NULL, lease_until = NULL WHERE action_item_id = $1 AND lease_owner = $2",
                    )
                    .bind(item_id)
                    .bind(owner)
                    .bind(error)
                    .bind(retry_at)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                }
                LinkOutcome::Withheld => sqlx::query(
                    "UPDATE tracker_links SET pending = FALSE, last_error = $3, lease_owner = NULL, \
                     lease_until = NULL WHERE action_item_id = $1 AND lease_owner = $2",
                )
                .bind(item_id)
                .bind(owner)
                .bind("the incident is private: nothing of it is sent until it is not")
                .execute(&mut *tx)
                .await?
                .rows_affected(),
            };
            tx.commit().await?;
            Ok::<_, StoreError>(done > 0)
        }
        .await)
    }

    /// The issue of action item `item_id`, if the viewer may see the item and it has one,
    /// with its newest history.
    pub async fn tracker_link(&self, viewer: &Viewer, item_id: &str) -> Result<Option<TrackerLink>, StoreError> {
        self.action_item(viewer, item_id).await?;
        type Row = (String, String, Option<String>, Option<String>, bool, i32, Option<String>, Ts);
        let row: Option<Row> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT t.name, t.kind, l.remote_key, l.url, l.pending, l.attempts, l.last_error, l.next_at \
             FROM tracker_links l JOIN trackers t ON t.id = l.tracker_id WHERE l.action_item_id = $1"
        )
        .bind(item_id)
        .fetch_optional(pool)
        .await)?;
        let Some((tracker, kind, issue, url, pending, attempts, last_error, next_at)) = row else {
            return Ok(None);
        };
        type LogRow = (String, String, String, Ts, Ts);
        let log: Vec<LogRow> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT direction, outcome, fields, changed_at, recorded_at FROM tracker_sync_log \
             WHERE action_item_id = $1 ORDER BY id DESC LIMIT $2"
        )
        .bind(item_id)
        .bind(MAX_SYNC_HISTORY)
        .fetch_all(pool)
        .await)?;
        let history = log
            .into_iter()
            .map(|(direction, outcome, fields, changed_at, recorded_at)| {
                Ok(SyncEntry {
                    direction: word(&direction)?,
                    outcome: word(&outcome)?,
                    fields: serde_json::from_str(&fields).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    changed_at: changed_at.get(),
                    recorded_at: recorded_at.get(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let kind: TrackerKind = word(&kind)?;
        Ok(Some(TrackerLink {
            action_item: item_id.to_string(),
            tracker,
            kind,
            issue,
            url,
            pending,
            attempts,
            last_error,
            next_at: next_at.get(),
            history,
        }))
    }

    /// Which tracker each of `item_ids` is linked to, with the issue's key and page, in
    /// one query: for lists of items.
    pub async fn tracker_links_of(
        &self,
        item_ids: &[String],
    ) -> Result<BTreeMap<String, (String, Option<String>, Option<String>)>, StoreError> {
        if item_ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let mut sql = Sql::new(
            "SELECT l.action_item_id, t.name, l.remote_key, l.url FROM tracker_links l \
             JOIN trackers t ON t.id = l.tracker_id WHERE l.action_item_id IN (",
        );
        sql.bind_list(item_ids.iter().map(|id| Arg::Text(id.clone())));
        sql.push(")");
        let (sql, args) = sql.into_parts();
        let rows: Vec<(String, String, Option<String>, Option<String>)> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(|(id, tracker, key, url)| (id, (tracker, key, url))).collect())
    }
}
