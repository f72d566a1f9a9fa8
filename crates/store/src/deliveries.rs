//! Deliveries beyond the inbox: destinations (where domain events go out to), the
//! deliveries a worker sends, and what each person wants by email.
//!
//! Deliveries are made by routing: outbox events to the destinations that want them
//! (under the `destinations` outbox reader's lease, as notifications are made), and
//! notifications to their person's email. Each has a unique idempotency key, so routing
//! twice makes nothing twice. A worker claims due deliveries with a lease (on PostgreSQL
//! `FOR UPDATE SKIP LOCKED`, so servers claiming at once take different ones), sends them,
//! and records each outcome only while it still holds the lease: a worker that stops
//! mid-send leaves its deliveries to be claimed again once the lease runs out, with the
//! same key.

use hindsight_core::events::DomainEvent;
use hindsight_core::{
    Channel, Delivery, DeliveryState, Destination, EmailPreferences, MAX_ATTEMPTS, MAX_DESTINATIONS, NewDestination,
    Notification, NotificationKind, ValidationErrors,
};

use crate::audit::{AuditNote, append_audit};
use crate::error::word;
use crate::notifications::{NotificationRow, notification_of};
use crate::outbox::{READER_LEASE_SQL, READER_MOVE_SQL, READER_POSITION_SQL};
use crate::postmortems::date_text;
use crate::sql::{Sql, lease_claim, visible_to};
use crate::{Arg, BeginWrite, Store, StoreError, Ts, bind_args, built_sql, new_id, on_pool};

/// The outbox reader that routes events to destinations.
const READER: &str = "destinations";

/// Most notifications one digest lists; the rest wait in the inbox.
pub const MAX_DIGEST_ITEMS: i64 = 100;

/// A delivery a worker claimed, with what it needs to send it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedDelivery {
    pub id: i64,
    /// The idempotency key, sent with it.
    pub key: String,
    pub channel: Channel,
    /// Tries before this one.
    pub attempts: i32,
    pub to: ClaimedTarget,
}

/// Whom a claimed delivery goes to, and what it says.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimedTarget {
    /// An email to a person: their notification, or a digest of several (filled in by
    /// [`Store::emails_of`]).
    Email { user_id: String, username: String, display_name: String, address: Option<String>, digest: bool },
    /// An event to a destination, with its sealed address and key.
    Event {
        destination: String,
        sealed_url: String,
        sealed_key: Option<String>,
        /// The event, its outbox id and time; none when it is gone or its incident is
        /// private now.
        event: Option<SentEvent>,
    },
}

/// An outbox event as a destination receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct SentEvent {
    pub id: i64,
    pub event: DomainEvent,
    pub incident_title: String,
    pub at: Ts,
}

/// How a send ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver acknowledged it.
    Delivered,
    /// It failed: tried again at `retry_at` unless its tries are spent.
    Failed { error: String, retry_at: Ts },
    /// Nothing to send any more (what it was about is gone, or no longer visible).
    Dropped { reason: String },
}

/// What one routing of the outbox did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoutedBatch {
    pub events: usize,
    pub deliveries: u64,
}

/// Which deliveries an admin lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryFilter {
    pub state: Option<DeliveryState>,
    /// Only those older than this id (the previous page's last).
    pub before: Option<i64>,
}

type DestinationRow = (String, String, String, Option<String>, String, Ts);

fn destination_of((id, name, kind, team, events, created_at): DestinationRow) -> Result<Destination, StoreError> {
    Ok(Destination {
        id,
        name,
        kind: word(&kind)?,
        team,
        events: events.split_whitespace().map(word).collect::<Result<_, _>>()?,
        created_at: created_at.get(),
    })
}

type DeliveryRow =
    (i64, String, String, String, Option<String>, Option<String>, i32, Ts, Option<String>, Ts, Option<Ts>);

fn delivery_of(row: DeliveryRow) -> Result<Delivery, StoreError> {
    let (id, key, channel, state, destination, recipient, attempts, next_at, last_error, created_at, delivered_at) =
        row;
    Ok(Delivery {
        id,
        key,
        channel: word(&channel)?,
        state: word(&state)?,
        destination,
        recipient,
        attempts,
        next_at: next_at.get(),
        last_error,
        created_at: created_at.get(),
        delivered_at: delivered_at.map(Ts::get),
    })
}

/// A claimed delivery's row, as read.
#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: i64,
    key: String,
    channel: String,
    attempts: i32,
    user_id: Option<String>,
    username: Option<String>,
    display_name: Option<String>,
    address: Option<String>,
    destination: Option<String>,
    sealed_url: Option<String>,
    sealed_key: Option<String>,
    payload: Option<String>,
    event_id: Option<i64>,
    incident_title: Option<String>,
    at: Option<Ts>,
    private: Option<bool>,
    digest: bool,
}

fn claimed_of(row: ClaimedRow) -> Result<ClaimedDelivery, StoreError> {
    let ClaimedRow {
        id,
        key,
        channel,
        attempts,
        user_id,
        username,
        display_name,
        address,
        destination,
        sealed_url,
        sealed_key,
        payload,
        event_id,
        incident_title,
        at,
        private,
        digest,
    } = row;
    let channel: Channel = word(&channel)?;
    let to = match (channel, destination, sealed_url) {
        (Channel::Email, ..) => ClaimedTarget::Email {
            user_id: user_id.unwrap_or_default(),
            username: username.unwrap_or_default(),
            display_name: display_name.unwrap_or_default(),
            address,
            digest,
        },
        (_, Some(destination), Some(sealed_url)) => {
            let event = match (payload, event_id, incident_title, at, private) {
                (Some(payload), Some(id), Some(incident_title), Some(at), Some(false)) => {
                    let event: DomainEvent = serde_json::from_str(&payload)
                        .map_err(|e| StoreError::Corrupt(format!("outbox event {id}: {e}")))?;
                    Some(SentEvent { id, event, incident_title, at })
                }
                _ => None,
            };
            ClaimedTarget::Event { destination, sealed_url, sealed_key, event }
        }
        _ => return Err(StoreError::Corrupt(format!("delivery {id} has no destination"))),
    };
    Ok(ClaimedDelivery { id, key, channel, attempts, to })
}

impl Store {
    /// Adds a destination whose address (and signing key) the caller has sealed. Its team
    /// must exist; its name is unique.
    pub async fn add_destination(
        &self,
        new: &NewDestination,
        sealed_url: &str,
        sealed_key: Option<&str>,
        note: &AuditNote,
    ) -> Result<Destination, StoreError> {
        new.validate()?;
        note.check()?;
        let id = new_id();
        let now = Ts::now();
        let events: Vec<&str> = new.events.iter().map(|kind| kind.as_str()).collect();
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM destinations").fetch_one(&mut *tx).await?;
            if count >= MAX_DESTINATIONS as i64 {
                return Err(StoreError::Invalid(ValidationErrors::single(
                    "name",
                    format!("there are {MAX_DESTINATIONS} destinations already: remove one first"),
                )));
            }
            let team_id: Option<String> = match &new.team {
                Some(slug) => Some(
                    sqlx::query_scalar("SELECT id FROM teams WHERE slug = $1")
                        .bind(slug)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or_else(|| {
                            StoreError::Invalid(ValidationErrors::single("team", format!("no team {slug:?}")))
                        })?,
                ),
                None => None,
            };
            sqlx::query(
                "INSERT INTO destinations (id, name, kind, team_id, events, sealed_url, sealed_key, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&id)
            .bind(new.name.trim())
            .bind(new.kind.as_str())
            .bind(&team_id)
            .bind(events.join(" "))
            .bind(sealed_url)
            .bind(sealed_key)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::unique(e, "name", new.name.trim()))?;
            append_audit!(tx, note).await?;
            tx.commit().await?;
            Ok(())
        }
        .await)?;
        Ok(Destination {
            id,
            name: new.name.trim().to_string(),
            kind: new.kind,
            team: new.team.clone(),
            events: new.events.clone(),
            created_at: now.get(),
        })
    }

    /// Every destination, by name.
    pub async fn destinations(&self) -> Result<Vec<Destination>, StoreError> {
        let rows: Vec<DestinationRow> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT d.id, d.name, d.kind, t.slug, d.events, d.created_at FROM destinations d \
             LEFT JOIN teams t ON t.id = d.team_id ORDER BY d.name"
        )
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(destination_of).collect()
    }

    /// Removes destination `id` and its deliveries; answers whether there was one.
    pub async fn remove_destination(&self, id: &str, note: &AuditNote) -> Result<bool, StoreError> {
        let done = self
            .execute_audited("DELETE FROM destinations WHERE id = $1", vec![Arg::Text(id.into())], note, None)
            .await?;
        Ok(done > 0)
    }

    /// Routes the next at most `batch` outbox events to the destinations that want them,
    /// as `owner`, holding the reader's lease until `lease_until`. None when another worker
    /// holds it. Events of private incidents go nowhere.
    pub async fn route_events(
        &self,
        owner: &str,
        now: Ts,
        lease_until: Ts,
        batch: i64,
    ) -> Result<Option<RoutedBatch>, StoreError> {
        let batch = batch.clamp(1, 10_000);
        on_pool!(self, |pool| async {
            let (position, newest): (i64, Option<i64>) =
                sqlx::query_as(READER_POSITION_SQL).bind(READER).fetch_one(pool).await?;
            if newest.is_none_or(|newest| newest <= position) {
                return Ok(Some(RoutedBatch { events: 0, deliveries: 0 }));
            }
            let mut tx = pool.begin_write().await?;
            let position: Option<i64> = sqlx::query_scalar(READER_LEASE_SQL)
                .bind(READER)
                .bind(owner)
                .bind(now)
                .bind(lease_until)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(position) = position else {
                return Ok(None);
            };
            let (events, last): (i64, Option<i64>) = sqlx::query_as(
                "SELECT COUNT(*), MAX(id) FROM (SELECT id FROM outbox WHERE id > $1 ORDER BY id LIMIT $2) next",
            )
            .bind(position)
            .bind(batch)
            .fetch_one(&mut *tx)
            .await?;
            let last = last.unwrap_or(position);
            let deliveries = sqlx::query(
                "INSERT INTO deliveries (key, channel, destination_id, event_id, state, next_at, created_at) \
                 SELECT 'event:' || o.id || ':' || d.id, d.kind, d.id, o.id, 'pending', $3, $3 \
                 FROM outbox o JOIN incidents i ON i.id = o.incident_id CROSS JOIN destinations d \
                 WHERE o.id > $1 AND o.id <= $2 AND i.private = FALSE \
                 AND (d.events = '' OR (' ' || d.events || ' ') LIKE ('% ' || o.kind || ' %')) \
                 AND (d.team_id IS NULL \
                   OR EXISTS (SELECT 1 FROM incident_teams t WHERE t.incident_id = i.id AND t.team_id = d.team_id) \
                   OR EXISTS (SELECT 1 FROM incident_services x JOIN services s ON s.id = x.service_id \
                              WHERE x.incident_id = i.id AND s.owner_team_id = d.team_id)) \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(position)
            .bind(last)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query(READER_MOVE_SQL).bind(READER).bind(last).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(Some(RoutedBatch { events: events as usize, deliveries }))
        }
        .await)
    }

    /// Routes the next at most `batch` notifications not routed yet: to their person's
    /// email when `email` is on (held for the digest of those who chose one; not for kinds
    /// they muted, nor for people without an address). Answers how many it routed.
    pub async fn route_notifications(&self, email: bool, now: Ts, batch: i64) -> Result<u64, StoreError> {
        let batch = batch.clamp(1, 10_000);
        on_pool!(self, |pool| async {
            let last: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(id) FROM (SELECT id FROM notifications WHERE routed_at IS NULL ORDER BY id LIMIT $1) next",
            )
            .bind(batch)
            .fetch_one(pool)
            .await?;
            let Some(last) = last else {
                return Ok(0);
            };
            let mut tx = pool.begin_write().await?;
            if email {
                sqlx::query(
                    "INSERT INTO deliveries (key, channel, user_id, notification_id, state, next_at, created_at) \
                     SELECT 'email:' || n.id, 'email', n.user_id, n.id, \
                     CASE WHEN COALESCE(s.digest, FALSE) THEN 'held' ELSE 'pending' END, $2, $2 \
                     FROM notifications n JOIN users u ON u.id = n.user_id \
                     LEFT JOIN email_settings s ON s.user_id = n.user_id \
                     WHERE n.routed_at IS NULL AND n.id <= $1 AND u.email IS NOT NULL AND u.email <> '' \
                     AND NOT u.disabled \
                     AND NOT EXISTS (SELECT 1 FROM email_muted m WHERE m.user_id = n.user_id AND m.kind = n.kind) \
                     ON CONFLICT (key) DO NOTHING",
                )
                .bind(last)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let routed = sqlx::query("UPDATE notifications SET routed_at = $2 WHERE routed_at IS NULL AND id <= $1")
                .bind(last)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(routed)
        }
        .await)
    }

    /// Puts each person's held emails into one digest for `day`, for those who have none
    /// for that day yet (what is held after today's digest waits for tomorrow's). Answers
    /// how many digests it made.
    pub async fn bundle_digests(&self, day: time::Date, now: Ts) -> Result<u64, StoreError> {
        let day = date_text(day);
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            // `WHERE TRUE`: SQLite would read `ON CONFLICT` after a bare subquery as a join's `ON`.
            let made = sqlx::query(
                "INSERT INTO deliveries (key, channel, user_id, state, next_at, created_at) \
                 SELECT 'digest:' || h.user_id || ':' || $1, 'email', h.user_id, 'bundling', $2, $2 \
                 FROM (SELECT DISTINCT user_id FROM deliveries WHERE state = 'held') h WHERE TRUE \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(&day)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if made > 0 {
                let digest = "SELECT b.id FROM deliveries b WHERE b.key = 'digest:' || deliveries.user_id || ':' || $1 \
                              AND b.state = 'bundling'";
                sqlx::query(built_sql(&format!(
                    "UPDATE deliveries SET state = 'bundled', digest_id = ({digest}) \
                     WHERE state = 'held' AND EXISTS ({digest})"
                )))
                .bind(&day)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE deliveries SET state = 'pending' WHERE state = 'bundling'")
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(made)
        }
        .await)
    }

    /// Claims at most `limit` deliveries due at `now` for `owner` until `lease_until`, and
    /// answers them with what sending needs. Deliveries another worker holds are skipped.
    pub async fn claim_deliveries(
        &self,
        owner: &str,
        now: Ts,
        lease_until: Ts,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let limit = limit.clamp(1, 1_000);
        let due = "state = 'pending' AND next_at <= $3 AND (lease_until IS NULL OR lease_until < $3)";
        let claim = lease_claim(self.backend(), "deliveries", "id", due, "next_at, id");
        let rows: Vec<ClaimedRow> = on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let ids: Vec<i64> = sqlx::query_scalar(built_sql(&claim))
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
                "SELECT d.id, d.key, d.channel, d.attempts, d.user_id, u.username, u.display_name, \
                 u.email AS address, ds.name AS destination, ds.sealed_url, ds.sealed_key, o.payload, \
                 o.id AS event_id, i.title AS incident_title, o.at, i.private, \
                 (d.channel = 'email' AND d.notification_id IS NULL) AS digest \
                 FROM deliveries d LEFT JOIN users u ON u.id = d.user_id \
                 LEFT JOIN destinations ds ON ds.id = d.destination_id LEFT JOIN outbox o ON o.id = d.event_id \
                 LEFT JOIN incidents i ON i.id = o.incident_id WHERE d.lease_owner = ",
            );
            sql.bind(Arg::Text(owner.to_string())).push(" AND d.id IN (");
            sql.bind_list(ids.iter().map(|id| Arg::Int(*id)));
            sql.push(") ORDER BY d.id");
            let (sql, args) = sql.into_parts();
            Ok(bind_args!(sqlx::query_as(built_sql(&sql)), args).fetch_all(pool).await?)
        }
        .await)?;
        rows.into_iter().map(claimed_of).collect()
    }

    /// The notifications each claimed email of `ids` tells of, by delivery id: one for a
    /// single email, up to [`MAX_DIGEST_ITEMS`] (newest) for a digest. Only those whose
    /// incident the recipient may still see.
    pub async fn emails_of(&self, ids: &[i64]) -> Result<Vec<(i64, Notification)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut list = String::new();
        let mut sql = Sql::new("");
        for (n, id) in ids.iter().enumerate() {
            list.push_str(if n == 0 { "" } else { ", " });
            list.push_str(&sql.param(Arg::Int(*id)));
        }
        let visible = visible_to("i", "x.user_id", "r.role = 'admin'");
        sql.push(&format!(
            "SELECT delivery, id, kind, number, title, action_item_id, item_title, due_date, comment_id, actor, \
             created_at, read_at FROM (SELECT x.delivery, n.id, n.kind, i.number, i.title, n.action_item_id, \
             a.title AS item_title, a.due_date, n.comment_id, au.username AS actor, n.created_at, n.read_at, \
             ROW_NUMBER() OVER (PARTITION BY x.delivery ORDER BY n.id DESC) AS place \
             FROM (SELECT id AS delivery, notification_id, user_id FROM deliveries \
                   WHERE id IN ({list}) AND notification_id IS NOT NULL \
                   UNION ALL SELECT digest_id, notification_id, user_id FROM deliveries WHERE digest_id IN ({list})) x \
             JOIN notifications n ON n.id = x.notification_id JOIN users r ON r.id = x.user_id \
             JOIN incidents i ON i.id = n.incident_id LEFT JOIN action_items a ON a.id = n.action_item_id \
             LEFT JOIN users au ON au.id = n.actor_id WHERE {visible}) told \
             WHERE place <= {MAX_DIGEST_ITEMS} ORDER BY delivery, id"
        ));
        let (sql, args) = sql.into_parts();
        type Row = (
            i64,
            i64,
            String,
            i64,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Ts,
            Option<Ts>,
        );
        let rows: Vec<Row> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(delivery, id, kind, number, title, item, item_title, due, comment, actor, created_at, read_at)| {
                let row: NotificationRow =
                    (id, kind, number, title, item, item_title, due, comment, actor, created_at, read_at);
                Ok((delivery, notification_of(row)?))
            })
            .collect()
    }

    /// Records how each of `owner`'s claimed deliveries ended, in one transaction; an
    /// outcome for a delivery whose lease `owner` lost is ignored (another worker has it).
    /// Answers how many were recorded.
    pub async fn finish_deliveries(
        &self,
        owner: &str,
        outcomes: &[(i64, Outcome)],
        now: Ts,
    ) -> Result<u64, StoreError> {
        if outcomes.is_empty() {
            return Ok(0);
        }
        let delivered: Vec<i64> =
            outcomes.iter().filter(|(_, outcome)| *outcome == Outcome::Delivered).map(|(id, _)| *id).collect();
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let mut done = 0;
            if !delivered.is_empty() {
                let mut sql = Sql::new(
                    "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, last_error = NULL, \
                     lease_owner = NULL, lease_until = NULL, delivered_at = ",
                );
                sql.bind(Arg::Time(now)).push(" WHERE lease_owner = ").bind(Arg::Text(owner.to_string()));
                sql.push(" AND id IN (");
                sql.bind_list(delivered.iter().map(|id| Arg::Int(*id)));
                sql.push(")");
                let (sql, args) = sql.into_parts();
                done += bind_args!(sqlx::query(built_sql(&sql)), args).execute(&mut *tx).await?.rows_affected();
            }
            for (id, outcome) in outcomes {
                let (state, error, next_at) = match outcome {
                    Outcome::Delivered => continue,
                    Outcome::Failed { error, retry_at } => ("pending", error, *retry_at),
                    Outcome::Dropped { reason } => ("dropped", reason, now),
                };
                let error: String = error.chars().take(1_000).collect();
                done += sqlx::query(
                    "UPDATE deliveries SET attempts = attempts + 1, last_error = $3, next_at = $4, \
                     state = CASE WHEN $5 = 'pending' AND attempts + 1 >= $6 THEN 'failed' ELSE $5 END, \
                     lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2",
                )
                .bind(id)
                .bind(owner)
                .bind(error)
                .bind(next_at)
                .bind(state)
                .bind(MAX_ATTEMPTS)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            Ok(done)
        }
        .await)
    }

    /// Deliveries, newest first, at most `limit` (capped at [`crate::MAX_PAGE`]).
    pub async fn deliveries(&self, filter: &DeliveryFilter, limit: i64) -> Result<Vec<Delivery>, StoreError> {
        let mut sql = Sql::new(
            "SELECT d.id, d.key, d.channel, d.state, ds.name, u.username, d.attempts, d.next_at, d.last_error, \
             d.created_at, d.delivered_at FROM deliveries d LEFT JOIN destinations ds ON ds.id = d.destination_id \
             LEFT JOIN users u ON u.id = d.user_id WHERE 1 = 1",
        );
        if let Some(state) = filter.state {
            sql.push(" AND d.state = ").bind(Arg::Text(state.as_str().to_string()));
        }
        if let Some(before) = filter.before {
            sql.push(" AND d.id < ").bind(Arg::Int(before));
        }
        sql.push(" ORDER BY d.id DESC LIMIT ").bind(Arg::Int(limit.clamp(1, crate::MAX_PAGE)));
        let (sql, args) = sql.into_parts();
        let rows: Vec<DeliveryRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        rows.into_iter().map(delivery_of).collect()
    }

    /// How many deliveries are in each state that needs watching: pending, failed.
    pub async fn delivery_counts(&self) -> Result<(i64, i64), StoreError> {
        Ok(on_pool!(self, |pool| sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM deliveries WHERE state = 'pending'), \
             (SELECT COUNT(*) FROM deliveries WHERE state = 'failed')"
        )
        .fetch_one(pool)
        .await)?)
    }

    /// Tries failed delivery `id` again from `now`, with its tries counted afresh. Not
    /// found when there is no failed delivery `id`.
    pub async fn retry_delivery(&self, id: i64, now: Ts, note: &AuditNote) -> Result<(), StoreError> {
        let done = self
            .execute_audited(
                "UPDATE deliveries SET state = 'pending', attempts = 0, next_at = $2 WHERE id = $1 AND state = 'failed'",
                vec![Arg::Int(id), Arg::Time(now)],
                note,
                None,
            )
            .await?;
        if done == 0 {
            return Err(StoreError::NotFound(format!("failed delivery {id}")));
        }
        Ok(())
    }

    /// What user `user_id` wants by email.
    pub async fn email_preferences(&self, user_id: &str) -> Result<EmailPreferences, StoreError> {
        let (digest, muted): (Option<bool>, Vec<String>) = on_pool!(self, |pool| async {
            let digest = sqlx::query_scalar("SELECT digest FROM email_settings WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await?;
            let muted = sqlx::query_scalar("SELECT kind FROM email_muted WHERE user_id = $1 ORDER BY kind")
                .bind(user_id)
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>((digest, muted))
        }
        .await)?;
        let mut muted: Vec<NotificationKind> = muted.iter().map(|kind| word(kind)).collect::<Result<_, _>>()?;
        muted.sort();
        Ok(EmailPreferences { digest: digest.unwrap_or(false), muted })
    }

    /// Replaces what user `user_id` wants by email.
    pub async fn set_email_preferences(&self, user_id: &str, preferences: &EmailPreferences) -> Result<(), StoreError> {
        preferences.validate()?;
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO email_settings (user_id, digest) VALUES ($1, $2) \
                 ON CONFLICT (user_id) DO UPDATE SET digest = excluded.digest",
            )
            .bind(user_id)
            .bind(preferences.digest)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM email_muted WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            for kind in &preferences.muted {
                sqlx::query("INSERT INTO email_muted (user_id, kind) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(user_id)
                    .bind(kind.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await)
    }

    /// Stops emails of `kind` to user `user_id` (an unsubscribe link); answers whether they
    /// were still sent.
    pub async fn mute_email(&self, user_id: &str, kind: NotificationKind) -> Result<bool, StoreError> {
        Ok(on_pool!(self, |pool| sqlx::query(
            "INSERT INTO email_muted (user_id, kind) SELECT id, $2 FROM users WHERE id = $1 ON CONFLICT DO NOTHING"
        )
        .bind(user_id)
        .bind(kind.as_str())
        .execute(pool)
        .await
        .map(|done| done.rows_affected() > 0))?)
    }
}
