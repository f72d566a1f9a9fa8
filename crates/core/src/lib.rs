//! Hindsight's domain: the words of incident response as Rust types, and the
//! pure rules over them (validation, visibility, permissions, analysis, the lint).
//!
//! This crate does no I/O and knows nothing of databases or HTTP; the store and
//! the server build on it, never the other way round.

// Unit tests use some dev-dependencies, not all.
#![cfg_attr(test, allow(unused_crate_dependencies))]

pub mod access;
pub mod analysis;
pub mod audit;
pub mod deadlines;
pub mod document;
pub mod events;
pub mod import;
pub mod lint;
pub mod metrics;
pub mod model;
pub mod notify;
pub mod validate;

pub use model::*;
pub use validate::{FieldError, ValidationErrors};
