//! The notification worker over a real store, on both databases: two workers (two
//! servers) go over the outbox while changes are made, one stops dead midway, and every
//! event is told exactly once.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

mod common;

use std::time::Duration;

use common::person;
use hindsight_app::notifications::{PassReport, WorkerSettings, run_pass};
use hindsight_core::deadlines::DeadlineRules;
use hindsight_core::{NewActionItem, NewIncident, Role};
use hindsight_store::{Store, on_both_databases};
use time::OffsetDateTime;

/// Action items made while the workers run: one event, one notification each.
const EVENTS: usize = 1_000;

/// Passes of worker `owner` every 20 ms until `stop` says so; answers how many it made
/// holding the lease.
async fn work(store: Store, owner: &'static str, stop: tokio::sync::watch::Receiver<bool>) -> usize {
    let settings = WorkerSettings::default();
    let mut leased = 0;
    while !*stop.borrow() {
        let report: PassReport =
            run_pass(&store, owner, &settings, &DeadlineRules::default(), OffsetDateTime::now_utc(), false)
                .await
                .unwrap();
        leased += usize::from(report.leased);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    leased
}

async fn two_workers_tell_each_event_once_though_one_stops_midway(store: Store) {
    let admin = person(&store, "admin", Role::Admin).await;
    let bob = person(&store, "bob", Role::Editor).await;
    let new: NewIncident =
        serde_json::from_value(serde_json::json!({"title": "Checkout down", "severity": "SEV2"})).unwrap();
    let incident = hindsight_app::incidents::declare(&store, &admin, new).await.unwrap();
    let settings = WorkerSettings::default();
    // The first server takes the lease; the second starts beside it.
    assert!(
        run_pass(&store, "server-1", &settings, &DeadlineRules::default(), OffsetDateTime::now_utc(), false)
            .await
            .unwrap()
            .leased
    );
    let (stop_first, first_stopped) = tokio::sync::watch::channel(false);
    let (stop_second, second_stopped) = tokio::sync::watch::channel(false);
    let first = tokio::spawn(work(store.clone(), "server-1", first_stopped));
    let second = tokio::spawn(work(store.clone(), "server-2", second_stopped));
    for n in 0..EVENTS {
        let item: NewActionItem = serde_json::from_value(serde_json::json!({
            "title": format!("Item {n}"), "kind": "fix_root_cause", "owner": "bob"
        }))
        .unwrap();
        let deadlines = hindsight_core::deadlines::DeadlineRules::default();
        hindsight_app::incidents::create_action_item(&store, &admin, incident.number, item, &deadlines).await.unwrap();
        if n == EVENTS / 2 {
            // The first server stops dead, its lease still held.
            stop_first.send(true).unwrap();
        }
    }
    assert!(first.await.unwrap() > 0, "the first server never held the lease");
    stop_second.send(true).unwrap();
    second.await.unwrap();
    // Once the first's lease has run out, the second takes over and reads to the end.
    let later = OffsetDateTime::now_utc() + time::Duration::minutes(1);
    let report = run_pass(&store, "server-2", &settings, &DeadlineRules::default(), later, false).await.unwrap();
    assert!(report.leased, "the lease did not pass to the second server");
    let filter = hindsight_store::NotificationFilter::default();
    let mut told = 0;
    let mut before = None;
    loop {
        let page = store
            .notifications(&bob.viewer(), &hindsight_store::NotificationFilter { before, ..filter.clone() }, 200)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        told += page.len();
        before = page.last().map(|n| n.id);
    }
    assert_eq!(told, EVENTS);
}

on_both_databases!(two_workers_tell_each_event_once_though_one_stops_midway);
