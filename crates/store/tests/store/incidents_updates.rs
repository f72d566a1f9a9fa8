//! Incident updates: patches, versions and conflicts.

use crate::common::{admin, incident, invalid_fields, note, person};
use hindsight_core::{IncidentPatch, IncidentStatus, NewIncident, Responder, ResponderRole, Role};
use hindsight_store::{Store, StoreError};

async fn incident_update_applies_the_patch_and_bumps_the_version(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("draft title")).await.unwrap();
    let patch = IncidentPatch {
        version: 1,
        title: Some("Checkout errors".into()),
        status: Some(IncidentStatus::Mitigated),
        ..IncidentPatch::default()
    };
    let updated = store.update_incident(&admin, 1, patch).await.unwrap();
    assert_eq!(updated.title, "Checkout errors");
    assert_eq!(updated.status, IncidentStatus::Mitigated);
    assert!(updated.moments.mitigated_at.is_some());
    assert_eq!(updated.version, 2);
    assert_eq!(store.incident(&admin, 1).await.unwrap(), updated);
}

async fn stale_incident_update_is_refused_with_the_current_version(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let first = IncidentPatch { version: 1, title: Some("first".into()), ..IncidentPatch::default() };
    store.update_incident(&admin, 1, first).await.unwrap();
    let stale = IncidentPatch { version: 1, title: Some("stale".into()), ..IncidentPatch::default() };
    let result = store.update_incident(&admin, 1, stale).await;
    match result {
        Err(StoreError::Conflict { based_on, current_version, current, .. }) => {
            assert_eq!((based_on, current_version), (1, 2));
            assert_eq!(current["title"], "first");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.incident(&admin, 1).await.unwrap().title, "first");
}

async fn concurrent_updates_from_one_version_let_exactly_one_win(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    let tasks: Vec<_> = ["first", "second"]
        .into_iter()
        .map(|title| {
            let (store, admin, start) = (store.clone(), admin.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                let patch = IncidentPatch { version: 1, title: Some(title.into()), ..IncidentPatch::default() };
                store.update_incident(&admin, 1, patch).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut losers = 0;
    for task in tasks {
        match task.await.expect("update task ran") {
            Ok(incident) => winners.push(incident.title),
            Err(StoreError::Conflict { current_version, .. }) => {
                assert_eq!(current_version, 2);
                losers += 1;
            }
            Err(other) => panic!("expected success or a conflict, got {other}"),
        }
    }
    assert_eq!((winners.len(), losers), (1, 1));
    let stored = store.incident(&admin, 1).await.unwrap();
    assert_eq!((stored.title.as_str(), stored.version), (winners[0].as_str(), 2));
}

async fn update_with_unknown_team_names_the_team_index_and_changes_nothing(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let patch = IncidentPatch { version: 1, teams: Some(vec!["ghosts".into()]), ..IncidentPatch::default() };
    assert_eq!(invalid_fields(store.update_incident(&admin, 1, patch).await), ["teams[0]"]);
    assert_eq!(store.incident(&admin, 1).await.unwrap().version, 1);
}

async fn update_replaces_services_and_responders(store: Store) {
    let admin = admin(&store).await;
    person(&store, "ana", Role::Editor).await;
    store.create_service("checkout-api", "Checkout API", None, &note()).await.unwrap();
    store.create_service("search", "Search", None, &note()).await.unwrap();
    let new = NewIncident {
        services: vec!["checkout-api".into()],
        responders: vec![Responder { username: "admin".into(), role: ResponderRole::IncidentCommander }],
        ..incident("x")
    };
    store.create_incident(&admin, new).await.unwrap();
    let responders = vec![Responder { username: "ana".into(), role: ResponderRole::Scribe }];
    let patch = IncidentPatch {
        version: 1,
        services: Some(vec!["search".into()]),
        responders: Some(responders.clone()),
        ..IncidentPatch::default()
    };
    let updated = store.update_incident(&admin, 1, patch).await.unwrap();
    assert_eq!(updated.services, ["search"]);
    assert_eq!(updated.responders, responders);
}

on_both_databases!(
    incident_update_applies_the_patch_and_bumps_the_version,
    stale_incident_update_is_refused_with_the_current_version,
    concurrent_updates_from_one_version_let_exactly_one_win,
    update_with_unknown_team_names_the_team_index_and_changes_nothing,
    update_replaces_services_and_responders,
);
