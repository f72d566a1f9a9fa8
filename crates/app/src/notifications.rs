//! Notifications: the worker's pass that turns the outbox's domain events and action
//! items' due dates into notifications, and a person's inbox (read, mark read, open).
//!
//! The pass is what `hindsight serve` runs every few seconds on each server; the outbox
//! reader's lease makes one server at a time do it. It makes in-app notifications only:
//! channels beyond the inbox are not this module's.

use std::time::Duration;

use hindsight_core::deadlines::DeadlineRules;
use hindsight_core::{MAX_MARKED_READ, Notification, ValidationErrors};
use hindsight_store::{NotificationFilter, Store, Ts};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::{Actor, AppError};

/// How the worker runs: the configuration's `[notifications]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerSettings {
    /// Milliseconds between passes over the outbox (100 to 60,000).
    pub interval_ms: u64,
    /// An open action item is due soon from this many days before its due date (0 to 90).
    pub due_soon_days: u16,
    /// Seconds between passes over due dates, which change by the day (1 to 3,600).
    pub reminder_interval_seconds: u64,
}

impl Default for WorkerSettings {
    fn default() -> WorkerSettings {
        WorkerSettings { interval_ms: 2_000, due_soon_days: 2, reminder_interval_seconds: 60 }
    }
}

impl WorkerSettings {
    /// Time between passes over the outbox.
    pub fn interval(&self) -> Duration {
        Duration::from_millis(self.interval_ms)
    }

    /// Time between passes over due dates.
    pub fn reminder_interval(&self) -> Duration {
        Duration::from_secs(self.reminder_interval_seconds)
    }

    /// Each value out of its range, named by its key.
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if !(100..=60_000).contains(&self.interval_ms) {
            errors.push("notifications.interval_ms", "must be from 100 to 60000");
        }
        if self.due_soon_days > 90 {
            errors.push("notifications.due_soon_days", "must be from 0 to 90");
        }
        if !(1..=3_600).contains(&self.reminder_interval_seconds) {
            errors.push("notifications.reminder_interval_seconds", "must be from 1 to 3600");
        }
        errors.into_result()
    }
}

/// Outbox events one transaction of a pass reads.
const BATCH: i64 = 500;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Whether this worker held the outbox reader's lease, or found nothing new to read
    /// (else another server is doing the pass).
    pub leased: bool,
    /// Outbox events read.
    pub events: usize,
    /// Notifications made, from events and from due dates.
    pub notifications: u64,
    /// Whether due dates were gone over.
    pub reminded: bool,
}

/// One pass of worker `owner` (a name unique to this server) at `now`: the outbox's new
/// events, then, when `remind` is set, the due dates. A pass holds the reader's lease for
/// a few intervals, so a server that stops is replaced within them.
pub async fn run_pass(
    store: &Store,
    owner: &str,
    settings: &WorkerSettings,
    deadlines: &DeadlineRules,
    now: OffsetDateTime,
    remind: bool,
) -> Result<PassReport, AppError> {
    let lease = settings.interval().max(Duration::from_secs(1)) * 5;
    let until = Ts::from(now + lease);
    let mut report = PassReport::default();
    loop {
        let Some(batch) = store.notify_from_outbox(owner, Ts::from(now), until, BATCH).await? else {
            return Ok(report);
        };
        report.leased = true;
        report.events += batch.events;
        report.notifications += batch.notifications;
        if batch.events < BATCH as usize {
            break;
        }
    }
    // Two servers may go over the due dates in one minute when nothing else is happening;
    // each reminder is unique per person and date, so nobody is reminded twice.
    if remind {
        let today = now.date();
        let soon = today.saturating_add(time::Duration::days(i64::from(settings.due_soon_days)));
        report.notifications += store.remind_due_action_items(today, soon, Ts::from(now)).await?;
        // Late from the day after the last business day each had: the cutoffs are the
        // first days whose deadline is today or later.
        let cutoff = |days: u16| Ts::from(deadlines.add_business_days(today, -i32::from(days)).midnight().assume_utc());
        let after = deadlines.publish_days_after_meeting;
        let publication = deadlines.meeting_days.map(|meeting| cutoff(meeting.saturating_add(after)));
        report.notifications +=
            store.remind_late_postmortems(cutoff(deadlines.reading_days), publication, Ts::from(now)).await?;
        let overdue_by = |days: u16| deadlines.add_business_days(today, -i32::from(days));
        let (team, commander) =
            (overdue_by(deadlines.escalate_to_team_days), overdue_by(deadlines.escalate_to_commander_days));
        report.notifications += store.escalate_overdue_action_items(team, commander, Ts::from(now)).await?;
        report.reminded = true;
    }
    Ok(report)
}

/// A page of a person's inbox.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Inbox {
    /// Newest first.
    pub items: Vec<Notification>,
    /// Unread notifications, counted up to [`hindsight_store::MAX_UNREAD_COUNTED`].
    pub unread: i64,
    /// Pass back as `before` for the next page; absent on the last.
    pub next_before: Option<i64>,
}

/// The actor's inbox: a page of at most `limit` notifications (1 to
/// [`hindsight_store::MAX_PAGE`]). The operator at the command line has none.
pub async fn inbox(store: &Store, actor: &Actor, filter: &NotificationFilter, limit: i64) -> Result<Inbox, AppError> {
    let viewer = actor.viewer();
    if !(1..=hindsight_store::MAX_PAGE).contains(&limit) {
        return Err(AppError::Invalid(ValidationErrors::single(
            "limit",
            format!("must be from 1 to {}", hindsight_store::MAX_PAGE),
        )));
    }
    let items = store.notifications(&viewer, filter, limit).await?;
    let next_before = (items.len() as i64 == limit).then(|| items.last().map(|n| n.id)).flatten();
    let unread = store.unread_notifications(&viewer).await?;
    Ok(Inbox { items, unread, next_before })
}

/// The number of the actor's unread notifications (up to [`hindsight_store::MAX_UNREAD_COUNTED`]).
pub async fn unread(store: &Store, actor: &Actor) -> Result<i64, AppError> {
    Ok(store.unread_notifications(&actor.viewer()).await?)
}

/// Which of a person's notifications to mark read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// These ids (at most 200); ids that are not the caller's are ignored.
    #[serde(default)]
    pub ids: Vec<i64>,
    /// Every unread one instead.
    #[serde(default)]
    pub all: bool,
}

/// Marks the actor's notifications read; answers how many were unread.
pub async fn mark_read(store: &Store, actor: &Actor, mark: &MarkRead) -> Result<u64, AppError> {
    if mark.ids.len() > MAX_MARKED_READ {
        return Err(AppError::Invalid(ValidationErrors::single(
            "ids",
            format!("at most {MAX_MARKED_READ} at once; send the rest in another request, or `all`"),
        )));
    }
    if mark.all != mark.ids.is_empty() {
        return Err(AppError::Invalid(ValidationErrors::single("ids", "give either `ids` or `all: true`")));
    }
    let ids = (!mark.all).then_some(mark.ids.as_slice());
    Ok(store.mark_notifications_read(&actor.viewer(), ids, Ts::now()).await?)
}

/// Opens the actor's notification `id`: marks it read and answers it, so the caller can
/// go to what it is about.
pub async fn open(store: &Store, actor: &Actor, id: i64) -> Result<Notification, AppError> {
    let viewer = actor.viewer();
    let notification = store.notification(&viewer, id).await?;
    if notification.read_at.is_some() {
        return Ok(notification);
    }
    store.mark_notifications_read(&viewer, Some(&[id]), Ts::now()).await?;
    Ok(store.notification(&viewer, id).await?)
}
