//! Teams, their members, and services with their owner team.

use crate::common::{invalid_fields, note, person};
use hindsight_core::Role;
use hindsight_store::{Store, StoreError};

async fn team_members_are_listed_on_the_team_and_on_the_user(store: Store) {
    person(&store, "ana", Role::Editor).await;
    person(&store, "bo", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.add_member("payments", "bo", &note()).await.unwrap();
    let team = store.add_member("payments", "ana", &note()).await.unwrap();
    assert_eq!(team.members, ["ana", "bo"]);
    assert_eq!(store.user_by_username("ana").await.unwrap().teams, ["payments"]);
}

async fn adding_a_member_twice_keeps_one_membership(store: Store) {
    person(&store, "ana", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    let team = store.add_member("payments", "ana", &note()).await.unwrap();
    assert_eq!(team.members, ["ana"]);
}

async fn removed_member_leaves_the_team(store: Store) {
    person(&store, "ana", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    let team = store.remove_member("payments", "ana", &note()).await.unwrap();
    assert!(team.members.is_empty());
    assert!(store.user_by_username("ana").await.unwrap().teams.is_empty());
}

async fn taken_team_slug_is_refused_as_duplicate(store: Store) {
    store.create_team("payments", "Payments", &note()).await.unwrap();
    let again = store.create_team("payments", "Payments again", &note()).await;
    assert!(matches!(again, Err(StoreError::Duplicate { ref field, .. }) if field == "slug"), "{again:?}");
}

async fn service_is_created_with_its_owner_team(store: Store) {
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_service("checkout-api", "Checkout API", Some("payments"), &note()).await.unwrap();
    let service = store.service("checkout-api").await.unwrap();
    assert_eq!(service.name, "Checkout API");
    assert_eq!(service.owner_team.as_deref(), Some("payments"));
}

async fn service_with_unknown_owner_team_is_refused_naming_owner_team(store: Store) {
    let result = store.create_service("checkout-api", "Checkout API", Some("nobody"), &note()).await;
    assert_eq!(invalid_fields(result), ["owner_team"]);
    assert!(store.list_services().await.unwrap().is_empty());
}

async fn deleting_a_team_leaves_its_services_without_owner(store: Store) {
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_service("checkout-api", "Checkout API", Some("payments"), &note()).await.unwrap();
    store.delete_team("payments", &note()).await.unwrap();
    assert_eq!(store.service("checkout-api").await.unwrap().owner_team, None);
}

on_both_databases!(
    team_members_are_listed_on_the_team_and_on_the_user,
    adding_a_member_twice_keeps_one_membership,
    removed_member_leaves_the_team,
    taken_team_slug_is_refused_as_duplicate,
    service_is_created_with_its_owner_team,
    service_with_unknown_owner_team_is_refused_naming_owner_team,
    deleting_a_team_leaves_its_services_without_owner,
);
