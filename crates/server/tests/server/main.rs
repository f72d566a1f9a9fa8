//! The server's tests, one binary (one link) for all of them: each module speaks HTTP
//! to a real server started on a fresh store (`common::spawn_app`), on SQLite and, where
//! `HINDSIGHT_TEST_DATABASE_URL` is set, on PostgreSQL too. PDF export's tests are
//! `tests/export_pdf.rs`, a binary of their own, built with the `pdf` feature.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

#[path = "../common/mod.rs"]
mod common;

mod api;
mod comments;
mod defences;
mod deliveries;
mod extremes;
mod factors;
mod first_draft;
mod imports;
mod insights;
mod live;
mod notifications;
mod nul;
mod openapi;
mod public_summaries;
mod readers;
mod reviews;
mod roles;
mod similar;
mod trackers;
mod web;
mod web_admin;
mod web_board;
mod web_document;
mod web_editor;
mod web_incident;
mod web_trackers;
