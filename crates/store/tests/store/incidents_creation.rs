//! Incidents: creation, their handles, and what is refused.

use crate::common::{admin, assert_not_found, incident, invalid_fields, note, person};
use hindsight_core::{NewIncident, Responder, ResponderRole, Role};
use hindsight_store::Store;
use time::macros::datetime;

async fn incidents_get_sequential_handles(store: Store) {
    let admin = admin(&store).await;
    let first = store.create_incident(&admin, incident("first")).await.unwrap();
    let second = store.create_incident(&admin, incident("second")).await.unwrap();
    assert_eq!((first.handle.as_str(), first.number), ("INC-1", 1));
    assert_eq!((second.handle.as_str(), second.number), ("INC-2", 2));
    assert_eq!(first.version, 1);
    assert_eq!(first.created_by.as_deref(), Some("admin"));
}

async fn concurrent_creates_get_distinct_sequential_handles(store: Store) {
    let admin = admin(&store).await;
    let tasks: Vec<_> = (1..=6)
        .map(|n| {
            let (store, admin) = (store.clone(), admin.clone());
            tokio::spawn(async move { store.create_incident(&admin, incident(&format!("incident {n}"))).await })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.expect("create task ran").expect("incident is created").number);
    }
    numbers.sort();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
}

async fn incident_keeps_its_services_teams_and_responders(store: Store) {
    let admin = admin(&store).await;
    person(&store, "ana", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_service("checkout-api", "Checkout API", None, &note()).await.unwrap();
    let new = NewIncident {
        services: vec!["checkout-api".into()],
        teams: vec!["payments".into()],
        responders: vec![
            Responder { username: "ana".into(), role: ResponderRole::IncidentCommander },
            Responder { username: "admin".into(), role: ResponderRole::Scribe },
        ],
        ..incident("Checkout errors")
    };
    let created = store.create_incident(&admin, new.clone()).await.unwrap();
    let read = store.incident(&admin, created.number).await.unwrap();
    assert_eq!(read, created);
    assert_eq!(read.services, new.services);
    assert_eq!(read.teams, new.teams);
    assert_eq!(read.responders, new.responders);
}

async fn incident_with_unknown_service_names_the_service_index(store: Store) {
    let admin = admin(&store).await;
    let new = NewIncident { services: vec!["no-such-service".into()], ..incident("x") };
    assert_eq!(invalid_fields(store.create_incident(&admin, new).await), ["services[0]"]);
}

async fn every_unknown_name_on_an_incident_is_reported_at_once(store: Store) {
    let admin = admin(&store).await;
    store.create_service("checkout-api", "Checkout API", None, &note()).await.unwrap();
    let new = NewIncident {
        services: vec!["checkout-api".into(), "ghost".into()],
        teams: vec!["ghosts".into()],
        responders: vec![Responder { username: "casper".into(), role: ResponderRole::Responder }],
        ..incident("x")
    };
    assert_eq!(invalid_fields(store.create_incident(&admin, new).await), ["services[1]", "teams[0]", "responders[0]"]);
}

async fn incident_with_moments_out_of_order_is_refused(store: Store) {
    let admin = admin(&store).await;
    let new = NewIncident {
        detected_at: Some(datetime!(2026-01-01 10:05 UTC)),
        acknowledged_at: Some(datetime!(2026-01-01 10:01 UTC)),
        ..incident("x")
    };
    assert_eq!(invalid_fields(store.create_incident(&admin, new).await), ["acknowledged_at"]);
}

async fn refused_incident_does_not_use_up_a_handle(store: Store) {
    let admin = admin(&store).await;
    let bad = NewIncident { services: vec!["ghost".into()], ..incident("bad") };
    store.create_incident(&admin, bad).await.unwrap_err();
    let good = store.create_incident(&admin, incident("good")).await.unwrap();
    assert_eq!(good.handle, "INC-1");
}

async fn missing_incident_is_not_found(store: Store) {
    let admin = admin(&store).await;
    assert_not_found(store.incident(&admin, 42).await);
}

on_both_databases!(
    incidents_get_sequential_handles,
    concurrent_creates_get_distinct_sequential_handles,
    incident_keeps_its_services_teams_and_responders,
    incident_with_unknown_service_names_the_service_index,
    every_unknown_name_on_an_incident_is_reported_at_once,
    incident_with_moments_out_of_order_is_refused,
    refused_incident_does_not_use_up_a_handle,
    missing_incident_is_not_found,
);
