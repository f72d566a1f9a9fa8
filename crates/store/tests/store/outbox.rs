//! The outbox: domain events appended with each change, and who may read them.

use crate::common::{action_item, admin, incident, person, private_incident};
use hindsight_core::access::Viewer;
use hindsight_core::{
    ActionItemPatch, ActionItemStatus, IncidentPatch, IncidentStatus, NewPostmortem, PostmortemStatus, Role,
};
use hindsight_store::Store;

/// The kinds of the outbox's events after id `after`, as `viewer` may see them.
async fn outbox_kinds(store: &Store, viewer: &Viewer, after: i64) -> Vec<String> {
    let events = store.outbox_events(viewer, after, 200).await.unwrap();
    events.iter().map(|e| e.event.kind().to_string()).collect()
}

async fn every_change_appends_its_domain_events_in_order(store: Store) {
    use hindsight_core::events::DomainEvent;
    let admin = admin(&store).await;
    let incident = store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    let resolve = IncidentPatch { version: 1, status: Some(IncidentStatus::Resolved), ..IncidentPatch::default() };
    let incident = store.update_incident(&admin, incident.number, resolve).await.unwrap();
    // A change that is not a move across resolved appends nothing; a stale one is refused
    // and appends nothing either.
    let retitle = IncidentPatch {
        version: incident.version,
        title: Some("Checkout down, EU".into()),
        ..IncidentPatch::default()
    };
    store.update_incident(&admin, incident.number, retitle).await.unwrap();
    let stale = IncidentPatch { version: 1, status: Some(IncidentStatus::Triggered), ..IncidentPatch::default() };
    assert!(store.update_incident(&admin, incident.number, stale).await.is_err());
    let postmortem = store.create_postmortem(&admin, incident.number, NewPostmortem::default()).await.unwrap();
    let postmortem = store
        .set_postmortem_status(&admin, &postmortem.id, postmortem.version, PostmortemStatus::InReview)
        .await
        .unwrap();
    store.set_postmortem_status(&admin, &postmortem.id, postmortem.version, PostmortemStatus::Published).await.unwrap();
    let item = store.create_action_item(&admin, incident.number, action_item("Alert on pool size")).await.unwrap();
    let done =
        ActionItemPatch { version: item.version, status: Some(ActionItemStatus::Done), ..ActionItemPatch::default() };
    store.update_action_item(&admin, &item.id, done).await.unwrap();

    let entries = store.outbox_events(&admin, 0, 200).await.unwrap();
    let kinds: Vec<&str> = entries.iter().map(|e| e.event.kind().as_str()).collect();
    assert_eq!(
        kinds,
        [
            "incident_declared",
            "incident_resolved",
            "postmortem_drafted",
            "postmortem_submitted",
            "postmortem_published",
            "action_item_created",
            "action_item_closed",
        ]
    );
    assert!(entries.windows(2).all(|w| w[0].id < w[1].id), "ids increase");
    assert!(entries.iter().all(|e| e.event.incident() == incident.handle && e.actor.as_deref() == Some("admin")));
    assert_eq!(
        entries[6].event,
        DomainEvent::ActionItemClosed {
            incident: incident.handle.clone(),
            action_item: item.id.clone(),
            status: ActionItemStatus::Done
        }
    );
    // A reader that remembers where it stopped gets only what came after.
    assert_eq!(outbox_kinds(&store, &admin, entries[4].id).await, ["action_item_created", "action_item_closed"]);
}

async fn outbox_events_of_a_private_incident_are_only_for_those_who_see_it(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, private_incident("Secret leak")).await.unwrap();
    store.create_incident(&admin, incident("Public outage")).await.unwrap();
    let outsider = person(&store, "olga", Role::Editor).await;
    assert_eq!(outbox_kinds(&store, &admin, 0).await, ["incident_declared", "incident_declared"]);
    let seen = store.outbox_events(&outsider, 0, 200).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert!(
        matches!(&seen[0].event, hindsight_core::events::DomainEvent::IncidentDeclared { title, .. } if title == "Public outage")
    );
}

on_both_databases!(
    every_change_appends_its_domain_events_in_order,
    outbox_events_of_a_private_incident_are_only_for_those_who_see_it,
);
