//! Live documents: updates numbered in the order they were accepted, seeded once,
//! compacted into a snapshot, hidden with their post-mortem.

use crate::common::{admin, assert_not_found, incident, person, private_incident};
use hindsight_core::{NewPostmortem, Role};
use hindsight_store::Store;

async fn updates_are_numbered_in_order_after_a_seed_written_once(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    assert_eq!(store.live_document(&admin, &pm.id).await.unwrap().last_seq(), 0, "nothing written yet");
    assert!(store.seed_live_document(&admin, &pm.id, b"seed").await.unwrap());
    assert!(!store.seed_live_document(&admin, &pm.id, b"another seed").await.unwrap(), "seeded once");
    assert_eq!(store.append_live_update(&admin, &pm.id, b"one").await.unwrap(), 2);
    assert_eq!(store.append_live_update(&admin, &pm.id, b"two").await.unwrap(), 3);
    let stored = store.live_document(&admin, &pm.id).await.unwrap();
    let bodies: Vec<&[u8]> = stored.updates.iter().map(|u| u.body.as_slice()).collect();
    assert_eq!(bodies, [b"seed".as_slice(), b"one", b"two"]);
    assert_eq!(stored.last_seq(), 3);
    assert_eq!(stored.snapshot, None);
}

async fn concurrent_appends_get_distinct_numbers(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let appends = (0..8).map(|i| {
        let (store, admin, id) = (store.clone(), admin.clone(), pm.id.clone());
        tokio::spawn(async move { store.append_live_update(&admin, &id, format!("u{i}").as_bytes()).await.unwrap() })
    });
    let mut numbers = Vec::new();
    for append in appends {
        numbers.push(append.await.unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (1..=8).collect::<Vec<i64>>());
}

async fn compaction_replaces_the_updates_it_holds_and_keeps_later_ones(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    for body in [b"a", b"b", b"c"] {
        store.append_live_update(&admin, &pm.id, body).await.unwrap();
    }
    store.compact_live_document(&pm.id, b"ab", 2).await.unwrap();
    let stored = store.live_document(&admin, &pm.id).await.unwrap();
    assert_eq!(stored.snapshot.as_deref(), Some(b"ab".as_slice()));
    assert_eq!(stored.through_seq, 2);
    assert_eq!(stored.updates.iter().map(|u| u.seq).collect::<Vec<_>>(), [3]);
    store.compact_live_document(&pm.id, b"a", 1).await.unwrap();
    let again = store.live_document(&admin, &pm.id).await.unwrap();
    assert_eq!(again, stored, "an older compaction changes nothing");
    store.compact_live_document(&pm.id, b"abcd", 4).await.unwrap();
    assert_eq!(store.live_document(&admin, &pm.id).await.unwrap(), stored, "nor one past the last update");
    assert_eq!(store.append_live_update(&admin, &pm.id, b"d").await.unwrap(), 4);
    let after = store.live_document_after(&pm.id, 3).await.unwrap();
    assert_eq!((after.snapshot, after.updates.len()), (None, 1), "only what came after 3");
}

async fn a_private_post_mortems_document_is_hidden_and_goes_with_it(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, private_incident("Keys in logs")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    store.append_live_update(&admin, &pm.id, b"secret").await.unwrap();
    let outsider = person(&store, "otto", Role::Editor).await;
    assert_not_found(store.live_document(&outsider, &pm.id).await);
    assert_not_found(store.append_live_update(&outsider, &pm.id, b"x").await);
    assert_not_found(store.seed_live_document(&outsider, &pm.id, b"x").await);
    store.delete_postmortem(&admin, &pm.id, &crate::common::note()).await.unwrap();
    assert_eq!(store.live_document_after(&pm.id, 0).await.unwrap().last_seq(), 0, "removed with the post-mortem");
}

on_both_databases!(
    updates_are_numbered_in_order_after_a_seed_written_once,
    concurrent_appends_get_distinct_numbers,
    compaction_replaces_the_updates_it_holds_and_keeps_later_ones,
    a_private_post_mortems_document_is_hidden_and_goes_with_it,
);
