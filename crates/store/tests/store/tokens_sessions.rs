//! API tokens and sign-in sessions: who a hash identifies, and when it stops.

use crate::common::{note, person};
use hindsight_core::Role;
use hindsight_store::{Store, UserPatch};
use time::{Duration, OffsetDateTime};

async fn token_identifies_its_user_by_hash(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let token = store.create_token("ana", "laptop", "token-hash", |_| note()).await.unwrap();
    assert_eq!(token.username, "ana");
    assert_eq!(token.last_used_at, None);
    assert_eq!(store.viewer_for_token("token-hash").await.unwrap(), Some(ana));
    assert!(store.token(&token.id).await.unwrap().last_used_at.is_some());
}

async fn unknown_token_hash_identifies_nobody(store: Store) {
    person(&store, "ana", Role::Editor).await;
    store.create_token("ana", "laptop", "token-hash", |_| note()).await.unwrap();
    assert_eq!(store.viewer_for_token("other-hash").await.unwrap(), None);
}

async fn revoked_token_no_longer_identifies_its_user(store: Store) {
    person(&store, "ana", Role::Editor).await;
    let token = store.create_token("ana", "laptop", "token-hash", |_| note()).await.unwrap();
    let revoked = store.revoke_token(&token.id, &note()).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(store.viewer_for_token("token-hash").await.unwrap(), None);
    assert_eq!(store.list_tokens("ana").await.unwrap(), [revoked]);
}

async fn token_of_disabled_user_no_longer_identifies_them(store: Store) {
    person(&store, "ana", Role::Editor).await;
    store.create_token("ana", "laptop", "token-hash", |_| note()).await.unwrap();
    store.update_user("ana", UserPatch { disabled: Some(true), ..UserPatch::default() }, &note()).await.unwrap();
    assert_eq!(store.viewer_for_token("token-hash").await.unwrap(), None);
}

async fn live_session_is_found_by_its_hash(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let expires = OffsetDateTime::now_utc() + Duration::hours(1);
    store.create_session(ana.user_id.as_ref().unwrap(), "session-hash", "csrf-token", expires).await.unwrap();
    let session = store.session("session-hash").await.unwrap().expect("session is live");
    assert_eq!(session.viewer, ana);
    assert_eq!(session.csrf_token, "csrf-token");
    assert_eq!(session.expires_at.unix_timestamp(), expires.unix_timestamp());
}

async fn session_created_already_expired_is_not_returned(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let expired = OffsetDateTime::now_utc() - Duration::minutes(1);
    store.create_session(ana.user_id.as_ref().unwrap(), "session-hash", "csrf", expired).await.unwrap();
    assert!(store.session("session-hash").await.unwrap().is_none());
}

async fn session_is_not_returned_once_it_expires(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let lifetime = std::time::Duration::from_secs(3);
    let expires = OffsetDateTime::now_utc() + lifetime;
    store.create_session(ana.user_id.as_ref().unwrap(), "session-hash", "csrf", expires).await.unwrap();
    assert!(store.session("session-hash").await.unwrap().is_some());
    tokio::time::sleep(lifetime + std::time::Duration::from_millis(200)).await;
    assert!(store.session("session-hash").await.unwrap().is_none());
}

async fn deleted_session_is_not_returned(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let expires = OffsetDateTime::now_utc() + Duration::hours(1);
    store.create_session(ana.user_id.as_ref().unwrap(), "session-hash", "csrf", expires).await.unwrap();
    store.delete_session("session-hash").await.unwrap();
    assert!(store.session("session-hash").await.unwrap().is_none());
}

async fn new_password_ends_every_session_but_the_one_kept(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let bo = person(&store, "bo", Role::Editor).await;
    let expires = OffsetDateTime::now_utc() + Duration::hours(1);
    for (user, hash) in [(&ana, "ana-here"), (&ana, "ana-elsewhere"), (&bo, "bo-here")] {
        store.create_session(user.user_id.as_ref().unwrap(), hash, "csrf", expires).await.unwrap();
    }
    let patch =
        UserPatch { password_hash: Some("new".into()), keep_session: Some("ana-here".into()), ..UserPatch::default() };
    store.update_user("ana", patch, &note()).await.unwrap();
    assert!(store.session("ana-here").await.unwrap().is_some());
    assert!(store.session("ana-elsewhere").await.unwrap().is_none());
    assert!(store.session("bo-here").await.unwrap().is_some(), "another person's sessions stay");
    // A name change ends nothing; a password set for someone else ends all of theirs.
    store
        .update_user("ana", UserPatch { display_name: Some("Ana".into()), ..UserPatch::default() }, &note())
        .await
        .unwrap();
    assert!(store.session("ana-here").await.unwrap().is_some());
    store
        .update_user("ana", UserPatch { password_hash: Some("newer".into()), ..UserPatch::default() }, &note())
        .await
        .unwrap();
    assert!(store.session("ana-here").await.unwrap().is_none());
}

on_both_databases!(
    new_password_ends_every_session_but_the_one_kept,
    token_identifies_its_user_by_hash,
    unknown_token_hash_identifies_nobody,
    revoked_token_no_longer_identifies_its_user,
    token_of_disabled_user_no_longer_identifies_them,
    live_session_is_found_by_its_hash,
    session_created_already_expired_is_not_returned,
    session_is_not_returned_once_it_expires,
    deleted_session_is_not_returned,
);
