//! Users: created and read back, refused when taken or invalid, changed, disabled.

use crate::common::{invalid_fields, note, person};
use hindsight_core::Role;
use hindsight_store::{NewUser, Store, StoreError, UserPatch};
use time::{Duration, OffsetDateTime};

async fn created_user_is_read_back_by_username(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let user = store.user_by_username("ana").await.unwrap();
    assert_eq!(Some(user.id.as_str()), ana.actor_id());
    assert_eq!(user.display_name, "ana (test)");
    assert_eq!(user.email.as_deref(), Some("ana@example.com"));
    assert_eq!(user.role, Role::Editor);
    assert!(!user.disabled);
    assert!(user.teams.is_empty());
}

async fn taken_username_is_refused_as_duplicate(store: Store) {
    person(&store, "ana", Role::Editor).await;
    let again = store
        .create_user(
            NewUser {
                username: "ana".into(),
                display_name: "Another Ana".into(),
                email: None,
                role: Role::Viewer,
                password_hash: None,
            },
            &note(),
        )
        .await;
    match again {
        Err(StoreError::Duplicate { field, value }) => {
            assert_eq!((field.as_str(), value.as_str()), ("username", "ana"))
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert_eq!(store.count_users().await.unwrap(), 1);
}

async fn invalid_username_is_refused_naming_the_field(store: Store) {
    let result = store
        .create_user(
            NewUser {
                username: "Not Valid".into(),
                display_name: "x".into(),
                email: None,
                role: Role::Viewer,
                password_hash: None,
            },
            &note(),
        )
        .await;
    assert_eq!(invalid_fields(result), ["username"]);
}

async fn user_update_changes_only_the_given_fields(store: Store) {
    person(&store, "ana", Role::Viewer).await;
    let patch = UserPatch { role: Some(Role::Admin), email: Some(None), ..UserPatch::default() };
    let user = store.update_user("ana", patch, &note()).await.unwrap();
    assert_eq!(user.role, Role::Admin);
    assert_eq!(user.email, None);
    assert_eq!(user.display_name, "ana (test)");
    assert!(!user.disabled);
}

async fn disabling_a_user_ends_their_sessions_for_good(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let expires = OffsetDateTime::now_utc() + Duration::hours(1);
    store.create_session(ana.user_id.as_ref().unwrap(), "session-hash", "csrf", expires).await.unwrap();
    store.update_user("ana", UserPatch { disabled: Some(true), ..UserPatch::default() }, &note()).await.unwrap();
    store.update_user("ana", UserPatch { disabled: Some(false), ..UserPatch::default() }, &note()).await.unwrap();
    assert!(store.session("session-hash").await.unwrap().is_none());
}

async fn disabled_user_cannot_sign_in(store: Store) {
    person(&store, "ana", Role::Editor).await;
    assert!(store.credentials("ana").await.unwrap().is_some());
    store.update_user("ana", UserPatch { disabled: Some(true), ..UserPatch::default() }, &note()).await.unwrap();
    assert!(store.credentials("ana").await.unwrap().is_none());
}

on_both_databases!(
    created_user_is_read_back_by_username,
    taken_username_is_refused_as_duplicate,
    invalid_username_is_refused_naming_the_field,
    user_update_changes_only_the_given_fields,
    disabling_a_user_ends_their_sessions_for_good,
    disabled_user_cannot_sign_in,
);
