//! The notification worker each server runs beside serving: a pass over the outbox every
//! interval, and over action items' due dates now and then (see
//! [`hindsight_app::notifications::run_pass`]). Servers sharing a database take turns by
//! the outbox reader's lease, so each event is told once however many run.

use std::sync::Arc;
use std::time::Instant;

use hindsight_app::notifications::{WorkerSettings, run_pass};
use hindsight_core::deadlines::DeadlineRules;
use hindsight_store::Store;
use time::OffsetDateTime;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::metrics::Metrics;

/// Starts the worker; it runs until the handle is aborted.
pub(crate) fn spawn(
    store: Store,
    settings: WorkerSettings,
    deadlines: DeadlineRules,
    metrics: Arc<Metrics>,
) -> JoinHandle<()> {
    // Unique to this server among all that share the database.
    let owner = format!("{}-{}", std::process::id(), uuid::Uuid::now_v7().simple());
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(settings.interval());
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut reminded_at: Option<Instant> = None;
        loop {
            ticks.tick().await;
            let remind = reminded_at.is_none_or(|at| at.elapsed() >= settings.reminder_interval());
            match run_pass(&store, &owner, &settings, &deadlines, OffsetDateTime::now_utc(), remind).await {
                Ok(report) => {
                    metrics.worker_pass(&report);
                    if report.reminded {
                        reminded_at = Some(Instant::now());
                    }
                    if report.notifications > 0 {
                        tracing::info!(
                            events = report.events,
                            notifications = report.notifications,
                            "notifications made"
                        );
                    }
                }
                // The next pass starts where this one stopped: nothing is lost.
                Err(e) => {
                    metrics.worker_failed();
                    tracing::warn!(error = %e, "notification pass failed; the next one tries again");
                }
            }
        }
    })
}
