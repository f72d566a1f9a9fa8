//! Tracker links: made on request or by priority (never for a private incident), marked
//! pending by each change of their item, claimed by one worker at a time, and recorded
//! only by the worker that holds them.

use std::collections::BTreeMap;

use crate::common::{action_item, admin, incident, note, private_incident};
use hindsight_core::{
    ActionItemPatch, ActionItemStatus, NewTracker, Priority, SyncDirection, SyncEntry, SyncOutcome, SyncedField,
    TrackerKind,
};
use hindsight_store::{LinkOutcome, Store, Ts};
use time::{Duration, OffsetDateTime};

fn at(seconds: i64) -> Ts {
    Ts::from(OffsetDateTime::now_utc() + Duration::seconds(seconds))
}

fn tracker(name: &str, auto: &[Priority]) -> NewTracker {
    NewTracker {
        name: name.into(),
        kind: TrackerKind::Github,
        api_url: None,
        project: "example/platform".into(),
        token: "ghp_x".into(),
        auto_priorities: auto.to_vec(),
        people: BTreeMap::new(),
    }
}

async fn links_are_made_marked_claimed_and_recorded_by_their_holder(store: Store) {
    let admin = admin(&store).await;
    let github =
        store.add_tracker(&tracker("github", &[Priority::P1]), "sealed-token", "sealed-secret", &note()).await.unwrap();
    assert!(store.add_tracker(&tracker("github", &[]), "t", "s", &note()).await.is_err(), "names are unique");
    let public = store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    let private = store.create_incident(&admin, private_incident("Breach")).await.unwrap();
    let p1 = |title: &str| hindsight_core::NewActionItem { priority: Priority::P1, ..action_item(title) };
    let first = store.create_action_item(&admin, public.number, p1("Automate renewal")).await.unwrap();
    let other = store.create_action_item(&admin, public.number, action_item("Page on expiry")).await.unwrap();
    let secret = store.create_action_item(&admin, private.number, p1("Rotate keys")).await.unwrap();
    assert!(store.link_automatically(&first.id).await.unwrap(), "a P1 item is linked");
    assert!(!store.link_automatically(&other.id).await.unwrap(), "a P3 item is not");
    assert!(!store.link_automatically(&secret.id).await.unwrap(), "nor a private incident's");
    assert!(store.link_action_item(&admin, &secret.id, &github.id).await.is_err());
    store.link_action_item(&admin, &other.id, &github.id).await.unwrap();
    assert!(store.link_action_item(&admin, &other.id, &github.id).await.is_err(), "one issue per item");

    // One worker holds what it claimed until its lease runs out.
    let claimed = store.claim_links("worker-1", at(0), at(60), 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(claimed.iter().all(|c| c.remote_key.is_none() && c.base.is_none()));
    assert_eq!(claimed[0].tracker.sealed_token, "sealed-token");
    assert!(store.claim_links("worker-2", at(1), at(60), 10).await.unwrap().is_empty());
    let link = claimed.iter().find(|c| c.item.id == first.id).unwrap();
    let entry = SyncEntry {
        direction: SyncDirection::Sent,
        outcome: SyncOutcome::Applied,
        fields: [(SyncedField::Status, "open".to_string())].into(),
        changed_at: OffsetDateTime::now_utc(),
        recorded_at: OffsetDateTime::now_utc(),
    };
    let synced = LinkOutcome::Synced {
        remote_key: "7".into(),
        url: "https://github.com/example/platform/issues/7".into(),
        base: link.item.fields.clone(),
        synced_version: link.item.version,
        remote_updated_at: at(0),
        log: vec![entry],
        then_failed: None,
    };
    assert!(!store.finish_link("worker-2", &first.id, &synced, at(0)).await.unwrap(), "not worker-2's to record");
    assert!(store.finish_link("worker-1", &first.id, &synced, at(0)).await.unwrap());
    let failed = LinkOutcome::Failed { error: "github: answered 502".into(), retry_at: at(30) };
    assert!(store.finish_link("worker-1", &other.id, &failed, at(0)).await.unwrap());
    let shown = store.tracker_link(&admin, &first.id).await.unwrap().unwrap();
    assert_eq!((shown.issue.as_deref(), shown.pending, shown.history.len()), (Some("7"), false, 1));
    assert_eq!(store.action_item(&admin, &first.id).await.unwrap().tracker_url, shown.url);
    let failing = store.tracker_link(&admin, &other.id).await.unwrap().unwrap();
    assert_eq!(
        (failing.pending, failing.attempts, failing.last_error.as_deref()),
        (true, 1, Some("github: answered 502"))
    );
    // Nothing is due until the retry, and the synced one waits for a change.
    assert!(store.claim_links("worker-1", at(1), at(60), 10).await.unwrap().is_empty());
    let version = store.action_item(&admin, &first.id).await.unwrap().version;
    let patch = ActionItemPatch { version, status: Some(ActionItemStatus::Done), ..ActionItemPatch::default() };
    store.update_action_item(&admin, &first.id, patch).await.unwrap();
    let claimed = store.claim_links("worker-1", at(1), at(60), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!((claimed[0].remote_key.as_deref(), claimed[0].item.fields.status), (Some("7"), ActionItemStatus::Done));
    assert_eq!(claimed[0].base.as_ref().map(|b| b.status), Some(ActionItemStatus::Open));
    // A webhook marks the link of its issue, and no other.
    assert!(store.receive_issue(&github.id, "7", "{}").await.unwrap());
    assert!(!store.receive_issue(&github.id, "8", "{}").await.unwrap());
    // Removing the tracker removes its links.
    assert!(store.remove_tracker(&github.id, &note()).await.unwrap());
    assert!(store.tracker_link(&admin, &first.id).await.unwrap().is_none());
}

/// Two workers claiming at once on one database never get the same link.
async fn workers_claiming_links_at_once_share_nothing(store: Store) {
    let admin = admin(&store).await;
    let github = store.add_tracker(&tracker("github", &[]), "t", "s", &note()).await.unwrap();
    let public = store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    for n in 0..30 {
        let item = store.create_action_item(&admin, public.number, action_item(&format!("Item {n}"))).await.unwrap();
        store.link_action_item(&admin, &item.id, &github.id).await.unwrap();
    }
    let claim = |owner: &'static str| {
        let store = store.clone();
        tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = store.claim_links(owner, at(0), at(60), 3).await.unwrap();
                if claimed.is_empty() {
                    return mine;
                }
                mine.extend(claimed.into_iter().map(|c| c.item.id));
            }
        })
    };
    let (one, two) = (claim("worker-1"), claim("worker-2"));
    let (mut one, two) = (one.await.unwrap(), two.await.unwrap());
    let mut all = one.clone();
    all.extend(two.iter().cloned());
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 30);
    one.retain(|id| two.contains(id));
    assert!(one.is_empty(), "{one:?}");
}

on_both_databases!(
    links_are_made_marked_claimed_and_recorded_by_their_holder,
    workers_claiming_links_at_once_share_nothing,
);
