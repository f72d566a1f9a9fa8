//! Private incidents: who sees them and who does not.

use crate::common::{
    assert_not_found, listed, note, person, private_and_public_incidents, private_incident, store_viewer,
};
use hindsight_core::{IncidentPatch, NewIncident, Responder, ResponderRole, Role};
use hindsight_store::{IncidentFilter, Store};

async fn private_incident_is_hidden_from_an_outsider(store: Store) {
    private_and_public_incidents(&store, private_incident("secret")).await;
    let outsider = person(&store, "eve", Role::Editor).await;
    assert_not_found(store.incident(&outsider, 1).await);
    assert_eq!(listed(&store, &outsider, IncidentFilter::default()).await, ["public"]);
    assert_eq!(store.count_incidents(&outsider, &IncidentFilter::default()).await.unwrap(), 1);
}

async fn private_incident_is_visible_to_its_responder(store: Store) {
    person(&store, "ana", Role::Viewer).await;
    let secret = NewIncident {
        responders: vec![Responder { username: "ana".into(), role: ResponderRole::Responder }],
        ..private_incident("secret")
    };
    private_and_public_incidents(&store, secret).await;
    let ana = store_viewer(&store, "ana").await;
    assert_eq!(store.incident(&ana, 1).await.unwrap().title, "secret");
    assert_eq!(listed(&store, &ana, IncidentFilter::default()).await, ["public", "secret"]);
    assert_eq!(store.count_incidents(&ana, &IncidentFilter::default()).await.unwrap(), 2);
}

async fn private_incident_is_visible_to_a_member_of_a_named_team(store: Store) {
    person(&store, "ana", Role::Viewer).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    let secret = NewIncident { teams: vec!["payments".into()], ..private_incident("secret") };
    private_and_public_incidents(&store, secret).await;
    let ana = store_viewer(&store, "ana").await;
    assert_eq!(store.incident(&ana, 1).await.unwrap().title, "secret");
    assert_eq!(listed(&store, &ana, IncidentFilter::default()).await, ["public", "secret"]);
    assert_eq!(store.count_incidents(&ana, &IncidentFilter::default()).await.unwrap(), 2);
}

async fn private_incident_is_visible_to_an_admin(store: Store) {
    private_and_public_incidents(&store, private_incident("secret")).await;
    let other_admin = person(&store, "root", Role::Admin).await;
    assert_eq!(store.incident(&other_admin, 1).await.unwrap().title, "secret");
    assert_eq!(listed(&store, &other_admin, IncidentFilter::default()).await, ["public", "secret"]);
    assert_eq!(store.count_incidents(&other_admin, &IncidentFilter::default()).await.unwrap(), 2);
}

async fn leaving_the_named_team_hides_the_private_incident_again(store: Store) {
    person(&store, "ana", Role::Viewer).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    let secret = NewIncident { teams: vec!["payments".into()], ..private_incident("secret") };
    private_and_public_incidents(&store, secret).await;
    store.remove_member("payments", "ana", &note()).await.unwrap();
    let ana = store_viewer(&store, "ana").await;
    assert_not_found(store.incident(&ana, 1).await);
}

async fn private_incident_is_visible_to_the_editor_who_declared_it(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let created = store.create_incident(&ana, private_incident("secret")).await.unwrap();
    assert_eq!((created.handle.as_str(), created.private), ("INC-1", true));
    assert_eq!(created.created_by.as_deref(), Some("ana"));
    assert_eq!(store.incident(&ana, 1).await.unwrap(), created);
    assert_eq!(listed(&store, &ana, IncidentFilter::default()).await, ["secret"]);
}

async fn responder_leaving_a_private_incident_gets_the_update_back(store: Store) {
    person(&store, "ana", Role::Editor).await;
    let secret = NewIncident {
        responders: vec![Responder { username: "ana".into(), role: ResponderRole::Responder }],
        ..private_incident("secret")
    };
    private_and_public_incidents(&store, secret).await;
    let ana = store_viewer(&store, "ana").await;
    let patch = IncidentPatch { version: 1, responders: Some(vec![]), ..IncidentPatch::default() };
    let updated = store.update_incident(&ana, 1, patch).await.unwrap();
    assert_eq!((updated.version, updated.responders.len()), (2, 0));
    assert_not_found(store.incident(&ana, 1).await);
}

async fn outsider_cannot_update_a_private_incident(store: Store) {
    private_and_public_incidents(&store, private_incident("secret")).await;
    let outsider = person(&store, "eve", Role::Editor).await;
    let patch = IncidentPatch { version: 1, title: Some("mine now".into()), ..IncidentPatch::default() };
    assert_not_found(store.update_incident(&outsider, 1, patch).await);
}

on_both_databases!(
    private_incident_is_hidden_from_an_outsider,
    private_incident_is_visible_to_its_responder,
    private_incident_is_visible_to_a_member_of_a_named_team,
    private_incident_is_visible_to_an_admin,
    leaving_the_named_team_hides_the_private_incident_again,
    outsider_cannot_update_a_private_incident,
    private_incident_is_visible_to_the_editor_who_declared_it,
    responder_leaving_a_private_incident_gets_the_update_back,
);
