//! Notifications: made from the outbox's domain events by core's rule
//! ([`hindsight_core::notify`]) and from action items' due dates, read and marked read by
//! their recipient.
//!
//! A pass over the outbox holds a lease on its reader row (`outbox_readers`), so one server
//! of several reads at a time, and it advances the reader's position in the transaction
//! that stores what it made: events are turned into notifications exactly once. Each
//! notification is unique per person and origin, so a reminder made again, or a pass
//! repeated after a lost lease, adds nothing.

use hindsight_core::access::Viewer;
use hindsight_core::events::DomainEvent;
use hindsight_core::notify::{Notice, Recipient, notices};
use hindsight_core::{Notification, incident_handle};
use time::Date;

use crate::error::word;
use crate::outbox::{READER_LEASE_SQL, READER_MOVE_SQL, READER_POSITION_SQL};
use crate::postmortems::{date_text, parse_date};
use crate::sql::Sql;
use crate::{Arg, BeginWrite, Store, StoreError, Ts, bind_args, built_sql, on_pool};

/// The outbox reader that makes notifications.
const READER: &str = "notifications";

/// Most unread notifications counted for a badge: more shows as that many and more.
pub const MAX_UNREAD_COUNTED: i64 = 100;

/// What one batch of a pass over the outbox did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotifiedBatch {
    /// Outbox events read.
    pub events: usize,
    /// Notifications made from them.
    pub notifications: u64,
    /// The last event read: the reader's position now.
    pub last_event: i64,
}

/// Which notifications a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationFilter {
    /// Only those not read yet.
    pub unread: bool,
    /// Only those older than this id (the previous page's last).
    pub before: Option<i64>,
}

/// A notification row as read.
pub(crate) type NotificationRow = (
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

pub(crate) fn notification_of(row: NotificationRow) -> Result<Notification, StoreError> {
    let (id, kind, number, incident_title, action_item, action_item_title, due, comment, actor, created_at, read_at) =
        row;
    Ok(Notification {
        id,
        kind: word(&kind)?,
        incident: incident_handle(number),
        incident_title,
        action_item,
        action_item_title,
        due_date: due.as_deref().map(parse_date).transpose()?,
        comment,
        actor,
        created_at: created_at.get(),
        read_at: read_at.map(Ts::get),
    })
}

/// The users a recipient stands for, as a subquery of `id`s whose one parameter is `$1`.
fn recipient_sql(to: &Recipient) -> (&'static str, &str) {
    match to {
        Recipient::User(username) => ("SELECT id FROM users WHERE username = $1 AND NOT disabled", username),
        Recipient::Team(slug) => (
            "SELECT u.id FROM teams t JOIN team_members m ON m.team_id = t.id JOIN users u ON u.id = m.user_id \
             WHERE t.slug = $1 AND NOT u.disabled",
            slug,
        ),
        Recipient::PostmortemOwner(postmortem) => (
            "SELECT u.id FROM postmortems p JOIN users u ON u.id = p.owner_id WHERE p.id = $1 AND NOT u.disabled",
            postmortem,
        ),
        Recipient::PostmortemReaders(postmortem) => (crate::readers::READERS_SQL, postmortem),
        Recipient::PostmortemReviewers(postmortem) => (crate::reviews::REVIEWERS_SQL, postmortem),
    }
}

/// Where a reminder of a due date starts its `origin`, and the range of due dates it is for.
struct Reminder {
    kind: &'static str,
    origin: &'static str,
    from: String,
    to: String,
}

impl Store {
    /// Turns the next at most `batch` outbox events into notifications, as `owner` (a name
    /// for this server's worker), holding the reader's lease until `lease_until`. None when
    /// another worker holds an unexpired lease and there is something to read. Everything
    /// the batch makes is stored with the reader's new position, in one transaction; when
    /// nothing is new, nothing is written (an idle server does not write every interval).
    pub async fn notify_from_outbox(
        &self,
        owner: &str,
        now: Ts,
        lease_until: Ts,
        batch: i64,
    ) -> Result<Option<NotifiedBatch>, StoreError> {
        let batch = batch.clamp(1, 10_000);
        on_pool!(self, |pool| async {
            let (position, newest): (i64, Option<i64>) =
                sqlx::query_as(READER_POSITION_SQL).bind(READER).fetch_one(pool).await?;
            if newest.is_none_or(|newest| newest <= position) {
                return Ok(Some(NotifiedBatch { events: 0, notifications: 0, last_event: position }));
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
            let events: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
                "SELECT id, payload, incident_id, actor_id FROM outbox WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(position)
            .bind(batch)
            .fetch_all(&mut *tx)
            .await?;
            let mut made = 0;
            for (id, payload, incident_id, actor_id) in &events {
                let event: DomainEvent = serde_json::from_str(payload)
                    .map_err(|e| StoreError::Corrupt(format!("outbox event {id}: {e}")))?;
                for Notice { kind, to, action_item, comment, once } in notices(&event) {
                    let origin = once.unwrap_or_else(|| format!("event:{id}"));
                    let (recipients, name) = recipient_sql(&to);
                    let sql = format!(
                        "INSERT INTO notifications (user_id, kind, incident_id, action_item_id, comment_id, actor_id, \
                         origin, created_at) SELECT r.id, $2, $3, $4, $5, $6, $7, $8 FROM ({recipients}) r \
                         WHERE r.id <> COALESCE($6, '') AND EXISTS (SELECT 1 FROM incidents WHERE id = $3) \
                         AND ($4 IS NULL OR EXISTS (SELECT 1 FROM action_items WHERE id = $4)) \
                         AND ($5 IS NULL OR EXISTS (SELECT 1 FROM comments WHERE id = $5)) \
                         ON CONFLICT (user_id, origin) DO NOTHING"
                    );
                    made += sqlx::query(built_sql(&sql))
                        .bind(name)
                        .bind(kind.as_str())
                        .bind(incident_id)
                        .bind(&action_item)
                        .bind(&comment)
                        .bind(actor_id)
                        .bind(&origin)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
            }
            let last_event = events.last().map_or(position, |(id, ..)| *id);
            sqlx::query(READER_MOVE_SQL).bind(READER).bind(last_event).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(Some(NotifiedBatch { events: events.len(), notifications: made, last_event }))
        }
        .await)
    }

    /// Outbox events the notification worker has not read yet.
    pub async fn outbox_backlog(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM outbox) - last_id FROM outbox_readers WHERE name = $1"
        )
        .bind(READER)
        .fetch_one(pool)
        .await)?)
    }

    /// Reminds the owners of open action items (each member of the owning team when no
    /// person owns one) of those due from `today` to `soon`, and of those overdue (due
    /// before `today`): once per item and due date. Answers how many notifications it made.
    pub async fn remind_due_action_items(&self, today: Date, soon: Date, now: Ts) -> Result<u64, StoreError> {
        let reminders = [
            Reminder {
                kind: hindsight_core::NotificationKind::ActionItemDueSoon.as_str(),
                origin: "due_soon:",
                from: date_text(today),
                to: date_text(soon),
            },
            Reminder {
                kind: hindsight_core::NotificationKind::ActionItemOverdue.as_str(),
                origin: "overdue:",
                // Dates are `YYYY-MM-DD` text: every one sorts after the empty text.
                from: String::new(),
                to: date_text(today.previous_day().unwrap_or(today)),
            },
        ];
        let open = "a.status IN ('open', 'in_progress') AND a.due_date >= $1 AND a.due_date <= $2";
        let sql = format!(
            "INSERT INTO notifications (user_id, kind, incident_id, action_item_id, origin, created_at) \
             SELECT u.id, $3, r.incident_id, r.item_id, $4 || r.item_id || ':' || r.due_date, $5 FROM ( \
             SELECT a.owner_id AS user_id, a.id AS item_id, a.incident_id, a.due_date FROM action_items a \
             WHERE {open} AND a.owner_id IS NOT NULL \
             UNION ALL SELECT m.user_id, a.id, a.incident_id, a.due_date FROM action_items a \
             JOIN team_members m ON m.team_id = a.owner_team_id WHERE {open} AND a.owner_id IS NULL) r \
             JOIN users u ON u.id = r.user_id WHERE NOT u.disabled \
             ON CONFLICT (user_id, origin) DO NOTHING"
        );
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let mut made = 0;
            for reminder in &reminders {
                made += sqlx::query(built_sql(&sql))
                    .bind(&reminder.from)
                    .bind(&reminder.to)
                    .bind(reminder.kind)
                    .bind(reminder.origin)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
            Ok(made)
        }
        .await)
    }

    /// Escalates open action items still overdue: those due before `to_team` to the other
    /// members of their owning team, those due before `to_commander` to their incident's
    /// commanders. Once per person, item and due date. Answers how many notifications it made.
    pub async fn escalate_overdue_action_items(
        &self,
        to_team: Date,
        to_commander: Date,
        now: Ts,
    ) -> Result<u64, StoreError> {
        let open = "a.status IN ('open', 'in_progress') AND a.due_date IS NOT NULL AND a.due_date < $1";
        let to_team_sql = format!(
            "INSERT INTO notifications (user_id, kind, incident_id, action_item_id, origin, created_at) \
             SELECT m.user_id, 'action_item_escalated', a.incident_id, a.id, 'escalated:' || a.id || ':' || a.due_date, $2 \
             FROM action_items a JOIN team_members m ON m.team_id = a.owner_team_id JOIN users u ON u.id = m.user_id \
             WHERE {open} AND NOT u.disabled AND m.user_id <> COALESCE(a.owner_id, '') \
             ON CONFLICT (user_id, origin) DO NOTHING"
        );
        let to_commander_sql = format!(
            "INSERT INTO notifications (user_id, kind, incident_id, action_item_id, origin, created_at) \
             SELECT DISTINCT r.user_id, 'action_item_escalated', a.incident_id, a.id, \
             'escalated:' || a.id || ':' || a.due_date, $2 \
             FROM action_items a JOIN incident_responders r ON r.incident_id = a.incident_id \
             AND r.role = 'incident_commander' JOIN users u ON u.id = r.user_id \
             WHERE {open} AND NOT u.disabled AND r.user_id <> COALESCE(a.owner_id, '') \
             ON CONFLICT (user_id, origin) DO NOTHING"
        );
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let mut made = 0;
            for (sql, cutoff) in [(&to_team_sql, to_team), (&to_commander_sql, to_commander)] {
                made += sqlx::query(built_sql(sql))
                    .bind(date_text(cutoff))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
            Ok(made)
        }
        .await)
    }

    /// Reminds readers of published post-mortems who have not read them by their deadline:
    /// those published before `reading_cutoff` (and within 90 days before it; older ones
    /// were reminded of when they passed it). And owners of post-mortems not published by
    /// theirs: those of incidents resolved before `publication_cutoffs[severity - 1]`. Once
    /// each per person and post-mortem. Answers how many notifications it made.
    pub async fn remind_late_postmortems(
        &self,
        reading_cutoff: Ts,
        publication_cutoffs: [Ts; 5],
        now: Ts,
    ) -> Result<u64, StoreError> {
        let window = "p.status = 'published' AND p.published_at < $1 AND p.published_at >= $2";
        let readers = format!(
            "INSERT INTO notifications (user_id, kind, incident_id, origin, created_at) \
             SELECT DISTINCT r.user_id, 'reading_overdue', r.incident_id, 'reading_overdue:' || r.pid, $3 FROM ( \
             SELECT p.id AS pid, p.incident_id, ru.user_id FROM postmortems p \
             JOIN postmortem_reader_users ru ON ru.postmortem_id = p.id WHERE {window} \
             UNION SELECT p.id, p.incident_id, m.user_id FROM postmortems p \
             JOIN postmortem_reader_teams rt ON rt.postmortem_id = p.id JOIN team_members m ON m.team_id = rt.team_id \
             WHERE {window} \
             UNION SELECT p.id, p.incident_id, m.user_id FROM postmortems p \
             JOIN incident_services x ON x.incident_id = p.incident_id JOIN services s ON s.id = x.service_id \
             JOIN team_members m ON m.team_id = s.owner_team_id WHERE {window} AND NOT p.readers_chosen \
             UNION SELECT p.id, p.incident_id, m.user_id FROM postmortems p \
             JOIN incident_teams it ON it.incident_id = p.incident_id JOIN team_members m ON m.team_id = it.team_id \
             WHERE {window} AND NOT p.readers_chosen) r \
             JOIN users u ON u.id = r.user_id WHERE NOT u.disabled \
             AND NOT EXISTS (SELECT 1 FROM read_receipts rr WHERE rr.postmortem_id = r.pid AND rr.user_id = r.user_id) \
             ON CONFLICT (user_id, origin) DO NOTHING"
        );
        let oldest = Ts::from(reading_cutoff.get() - time::Duration::days(90));
        on_pool!(self, |pool| {
            async {
            let mut tx = pool.begin_write().await?;
            let mut made = sqlx::query(built_sql(&readers))
                .bind(reading_cutoff)
                .bind(oldest)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            made += sqlx::query(
                "INSERT INTO notifications (user_id, kind, incident_id, origin, created_at) \
                 SELECT u.id, 'publication_overdue', p.incident_id, 'publication_overdue:' || p.id, $6 \
                 FROM postmortems p JOIN incidents i ON i.id = p.incident_id JOIN users u ON u.id = p.owner_id \
                 WHERE p.status IN ('draft', 'in_review') AND NOT u.disabled AND i.resolved_at IS NOT NULL \
                 AND i.resolved_at < CASE i.severity WHEN 1 THEN $1 WHEN 2 THEN $2 WHEN 3 THEN $3 WHEN 4 THEN $4 ELSE $5 END \
                 ON CONFLICT (user_id, origin) DO NOTHING",
            )
            .bind(publication_cutoffs[0])
            .bind(publication_cutoffs[1])
            .bind(publication_cutoffs[2])
            .bind(publication_cutoffs[3])
            .bind(publication_cutoffs[4])
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            Ok(made)
        }
        .await
        })
    }

    /// The viewer's notifications, newest first, at most `limit` (capped at
    /// [`crate::MAX_PAGE`]), about incidents they may see now.
    pub async fn notifications(
        &self,
        viewer: &Viewer,
        filter: &NotificationFilter,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let Some(user) = viewer.actor_id() else {
            return Ok(Vec::new());
        };
        let mut sql = Sql::new(
            "SELECT n.id, n.kind, i.number, i.title, n.action_item_id, a.title, a.due_date, n.comment_id, \
             u.username, n.created_at, n.read_at FROM notifications n JOIN incidents i ON i.id = n.incident_id \
             LEFT JOIN action_items a ON a.id = n.action_item_id LEFT JOIN users u ON u.id = n.actor_id \
             WHERE n.user_id = ",
        );
        sql.bind(Arg::Text(user.to_string()));
        if filter.unread {
            sql.push(" AND n.read_at IS NULL");
        }
        if let Some(before) = filter.before {
            sql.push(" AND n.id < ").bind(Arg::Int(before));
        }
        sql.push(" AND ").visible("i", viewer).push(" ORDER BY n.id DESC LIMIT ");
        sql.bind(Arg::Int(limit.clamp(1, crate::MAX_PAGE)));
        let (sql, args) = sql.into_parts();
        let rows: Vec<NotificationRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        rows.into_iter().map(notification_of).collect()
    }

    /// How many of the viewer's notifications are unread, counting at most
    /// [`MAX_UNREAD_COUNTED`].
    pub async fn unread_notifications(&self, viewer: &Viewer) -> Result<i64, StoreError> {
        let Some(user) = viewer.actor_id() else {
            return Ok(0);
        };
        let mut sql = Sql::new(
            "SELECT COUNT(*) FROM (SELECT 1 FROM notifications n JOIN incidents i ON i.id = n.incident_id \
             WHERE n.read_at IS NULL AND n.user_id = ",
        );
        sql.bind(Arg::Text(user.to_string())).push(" AND ").visible("i", viewer).push(" LIMIT ");
        sql.bind(Arg::Int(MAX_UNREAD_COUNTED)).push(") unread");
        let (sql, args) = sql.into_parts();
        Ok(on_pool!(self, |pool| bind_args!(sqlx::query_scalar(built_sql(&sql)), args.clone()).fetch_one(pool).await)?)
    }

    /// Marks the viewer's notifications `ids` read (all of them when `ids` is none) at
    /// `now`; answers how many were unread. Ids that are not the viewer's are ignored.
    pub async fn mark_notifications_read(
        &self,
        viewer: &Viewer,
        ids: Option<&[i64]>,
        now: Ts,
    ) -> Result<u64, StoreError> {
        let Some(user) = viewer.actor_id() else {
            return Ok(0);
        };
        let mut sql = Sql::new("UPDATE notifications SET read_at = ");
        sql.bind(Arg::Time(now)).push(" WHERE read_at IS NULL AND user_id = ").bind(Arg::Text(user.to_string()));
        if let Some(ids) = ids {
            if ids.is_empty() {
                return Ok(0);
            }
            sql.push(" AND id IN (");
            sql.bind_list(ids.iter().map(|id| Arg::Int(*id)));
            sql.push(")");
        }
        let (sql, args) = sql.into_parts();
        Ok(on_pool!(self, |pool| bind_args!(sqlx::query(built_sql(&sql)), args.clone())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?)
    }

    /// The viewer's notification `id`, if it is theirs and about an incident they may see.
    pub async fn notification(&self, viewer: &Viewer, id: i64) -> Result<Notification, StoreError> {
        let filter = NotificationFilter { unread: false, before: id.checked_add(1) };
        self.notifications(viewer, &filter, 1)
            .await?
            .into_iter()
            .find(|n| n.id == id)
            .ok_or_else(|| StoreError::NotFound(format!("notification {id}")))
    }
}
