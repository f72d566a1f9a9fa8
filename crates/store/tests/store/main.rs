//! The store's contract, written once and run on both databases.
//!
//! Each behaviour is an `async fn name(store: Store)`; [`on_both_databases!`] turns it
//! into `sqlite_name` and `postgres_name` tests. The PostgreSQL ones are skipped, with a
//! line saying so, when `HINDSIGHT_TEST_DATABASE_URL` is unset, except under `CI`, where
//! they fail. Every test gets a fresh, migrated database of its own.
//!
//! One binary (one link) for all of them: a module per part of the record, each with its
//! behaviours and the `on_both_databases!` that runs them, and the helpers they share in
//! `common`.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

/// Generates `sqlite_<name>` and `postgres_<name>` tests for each behaviour named.
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        pastey::paste! {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn [<sqlite_ $name>]() {
                    $name(hindsight_store::test_support::sqlite_store().await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn [<postgres_ $name>]() {
                    let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
                    $name(store).await;
                }
            )+
        }
    };
}

mod common;

mod action_items;
mod audit;
mod incidents_creation;
mod incidents_lists;
mod incidents_search;
mod incidents_updates;
mod incidents_visibility;
mod live;
mod needs_a_person;
mod outbox;
mod postmortems;
mod schemas;
mod settings;
mod sign_in_limits;
mod teams_services;
mod timeline;
mod timeline_categories;
mod timestamps;
mod tokens_sessions;
mod users;
