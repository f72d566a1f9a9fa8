//! The notification worker each server runs beside serving: a pass over the outbox every
//! interval, and over action items' due dates now and then (see
//! [`hindsight_app::notifications::run_pass`]), then a delivery pass (see
//! [`hindsight_app::deliveries::deliver_pass`]), then a tracker pass (see
//! [`hindsight_app::trackers::sync_pass`]). Servers sharing a database take turns by the
//! outbox readers' leases, so each event is told once however many run, and claim
//! deliveries and tracker links with leases of their own, so each is sent by one.

use std::sync::Arc;
use std::time::Instant;

use hindsight_app::deliveries::{Deliverer, deliver_pass};
use hindsight_app::notifications::{WorkerSettings, run_pass};
use hindsight_app::trackers::sync_pass;
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
    deliverer: Deliverer,
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
            match deliver_pass(&store, &owner, &deliverer, OffsetDateTime::now_utc()).await {
                Ok(report) => {
                    metrics.delivery_pass(&report);
                    if report.failed > 0 {
                        tracing::warn!(failed = report.failed, "deliveries failed; each is tried again later");
                    }
                }
                // Claimed deliveries go back once their lease runs out: nothing is lost.
                Err(e) => {
                    metrics.worker_failed();
                    tracing::warn!(error = %e, "delivery pass failed; the next one tries again");
                }
            }
            match sync_pass(&store, &owner, &deliverer, OffsetDateTime::now_utc()).await {
                Ok(report) => metrics.tracker_pass(&report),
                // Claimed links go back once their lease runs out: nothing is lost.
                Err(e) => {
                    metrics.worker_failed();
                    tracing::warn!(error = %e, "tracker pass failed; the next one tries again");
                }
            }
        }
    })
}
