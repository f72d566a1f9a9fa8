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

// `on_both_databases!`, from the store's test support, in every module.
#[macro_use]
extern crate hindsight_store;

mod common;

mod action_items;
mod audit;
mod deliveries;
mod factors;
mod history_imports;
mod incidents_creation;
mod incidents_lists;
mod incidents_search;
mod incidents_updates;
mod incidents_visibility;
mod learning;
mod live;
mod needs_a_person;
mod notifications;
mod outbox;
mod postmortems;
mod public_summaries;
mod readers;
mod reviews;
mod schemas;
mod settings;
mod sign_in_limits;
mod similar;
mod teams_services;
mod timeline;
mod timeline_categories;
mod timestamps;
mod tokens_sessions;
mod trackers;
mod users;
