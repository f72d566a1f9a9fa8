//! Sign-in limits: per account and per address, counted in the database.

use hindsight_store::{SignInAttempt, SignInLimits, Store};
use time::Duration;
use time::macros::datetime;

async fn account_failures_wait_longer_each_time_but_never_for_good(store: Store) {
    let limits = SignInLimits::default();
    let t = datetime!(2026-12-01 10:00 UTC);
    for n in 0..5 {
        let address = format!("192.0.2.{n}");
        assert_eq!(store.begin_sign_in("ana", &address, t, &limits).await.unwrap(), SignInAttempt::Allowed);
    }
    // From any address: the count is the account's.
    let refused = store.begin_sign_in("ana", "198.51.100.7", t, &limits).await.unwrap();
    assert_eq!(refused, SignInAttempt::Refused { account: true, retry_at: t + Duration::seconds(1) });
    assert_eq!(store.begin_sign_in("bo", "198.51.100.7", t, &limits).await.unwrap(), SignInAttempt::Allowed);
    let t1 = t + Duration::seconds(1);
    assert_eq!(store.begin_sign_in("ana", "198.51.100.7", t1, &limits).await.unwrap(), SignInAttempt::Allowed);
    let refused = store.begin_sign_in("ana", "198.51.100.7", t1, &limits).await.unwrap();
    assert_eq!(
        refused,
        SignInAttempt::Refused { account: true, retry_at: t1 + Duration::seconds(2) },
        "refusals are not counted"
    );
    // However many failures, the wait stops growing at 15 minutes.
    let mut now = t1;
    for _ in 0..20 {
        now += Duration::minutes(15);
        assert_eq!(store.begin_sign_in("ana", "198.51.100.8", now, &limits).await.unwrap(), SignInAttempt::Allowed);
    }
    let refused = store.begin_sign_in("ana", "198.51.100.8", now, &limits).await.unwrap();
    assert_eq!(refused, SignInAttempt::Refused { account: true, retry_at: now + Duration::minutes(15) });
    // The real person getting in ends the backoff.
    store.sign_in_succeeded("ana", "198.51.100.8").await.unwrap();
    assert_eq!(store.begin_sign_in("ana", "198.51.100.8", now, &limits).await.unwrap(), SignInAttempt::Allowed);
}

async fn address_cap_counts_every_name_tried_from_it(store: Store) {
    let limits = SignInLimits::default();
    let t = datetime!(2026-12-01 10:00 UTC);
    for n in 0..50 {
        let name = format!("guess{n}");
        let at = t + Duration::seconds(n);
        assert_eq!(store.begin_sign_in(&name, "203.0.113.9", at, &limits).await.unwrap(), SignInAttempt::Allowed);
    }
    let at = t + Duration::minutes(10);
    let refused = store.begin_sign_in("another", "203.0.113.9", at, &limits).await.unwrap();
    assert_eq!(refused, SignInAttempt::Refused { account: false, retry_at: t + Duration::minutes(15) });
    assert_eq!(store.begin_sign_in("another", "203.0.113.10", at, &limits).await.unwrap(), SignInAttempt::Allowed);
    // A success from the address takes its attempt back.
    store.sign_in_succeeded("guess0", "203.0.113.9").await.unwrap();
    assert_eq!(store.begin_sign_in("guess0", "203.0.113.9", at, &limits).await.unwrap(), SignInAttempt::Allowed);
    // A new window starts 15 minutes after the first failure of the last.
    let later = t + Duration::minutes(15);
    assert_eq!(store.begin_sign_in("another", "203.0.113.9", later, &limits).await.unwrap(), SignInAttempt::Allowed);
}

async fn idle_sign_in_counts_are_pruned(store: Store) {
    let limits = SignInLimits::default();
    let t = datetime!(2026-12-01 10:00 UTC);
    for n in 0..10 {
        store.begin_sign_in(&format!("name{n}"), &format!("192.0.2.{n}"), t, &limits).await.unwrap();
    }
    assert_eq!(store.sign_in_counts().await.unwrap(), 20);
    let next_day = t + Duration::hours(25);
    store.begin_sign_in("name0", "192.0.2.200", next_day, &limits).await.unwrap();
    assert_eq!(store.sign_in_counts().await.unwrap(), 2, "only the new attempt's account and address are left");
}

on_both_databases!(
    account_failures_wait_longer_each_time_but_never_for_good,
    address_cap_counts_every_name_tried_from_it,
    idle_sign_in_counts_are_pruned,
);
