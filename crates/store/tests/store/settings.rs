//! Settings changed at run time, and every user's tokens.

use crate::common::{note, note_by, person};
use hindsight_core::Role;
use hindsight_store::{Store, StoreError};

async fn stored_setting_is_read_back_replaced_and_deleted(store: Store) {
    assert!(store.stored_settings().await.unwrap().is_empty());
    store.put_setting("policy.prolonged_minutes", "45", &note_by("ana")).await.unwrap();
    store.put_setting("webhooks.github_secret", "\"s3cret\"", &note_by("ana")).await.unwrap();
    let replaced = store.put_setting("policy.prolonged_minutes", "90", &note_by("ben")).await.unwrap();
    let stored = store.stored_settings().await.unwrap();
    let keys: Vec<&str> = stored.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["policy.prolonged_minutes", "webhooks.github_secret"]);
    assert_eq!(stored[0].value, "90");
    assert_eq!(stored[0].updated_by.as_deref(), Some("ben"));
    assert_eq!(stored[0].updated_at, replaced.updated_at);
    assert!(store.delete_setting("policy.prolonged_minutes", &note()).await.unwrap());
    assert!(!store.delete_setting("policy.prolonged_minutes", &note()).await.unwrap(), "nothing left to delete");
    let keys: Vec<String> = store.stored_settings().await.unwrap().into_iter().map(|s| s.key).collect();
    assert_eq!(keys, ["webhooks.github_secret"]);
}

async fn setting_that_is_not_json_is_refused(store: Store) {
    let error = store.put_setting("policy.prolonged_minutes", "forty", &note_by("ana")).await.unwrap_err();
    assert!(matches!(&error, StoreError::Invalid(e) if e.0.iter().any(|f| f.field == "value")), "{error:?}");
    let error = store.put_setting("", "1", &note_by("ana")).await.unwrap_err();
    assert!(matches!(&error, StoreError::Invalid(e) if e.0.iter().any(|f| f.field == "key")), "{error:?}");
    assert!(store.stored_settings().await.unwrap().is_empty());
}

async fn every_users_tokens_are_listed_newest_first(store: Store) {
    person(&store, "ana", Role::Viewer).await;
    person(&store, "ben", Role::Editor).await;
    let first = store.create_token("ana", "laptop", "hash-1", |_| note()).await.unwrap();
    let second = store.create_token("ben", "ci", "hash-2", |_| note()).await.unwrap();
    store.revoke_token(&first.id, &note()).await.unwrap();
    let all = store.list_all_tokens().await.unwrap();
    let listed: Vec<(&str, &str, bool)> =
        all.iter().map(|t| (t.username.as_str(), t.name.as_str(), t.revoked_at.is_some())).collect();
    assert_eq!(listed, [("ben", "ci", false), ("ana", "laptop", true)]);
    assert_eq!(all[0].id, second.id);
    assert_eq!(store.list_tokens("ana").await.unwrap().len(), 1, "one user's list stays theirs");
}

on_both_databases!(
    stored_setting_is_read_back_replaced_and_deleted,
    setting_that_is_not_json_is_refused,
    every_users_tokens_are_listed_newest_first,
);
