//! Hindsight's use cases: one function per thing a person or a tool does (import a
//! timeline, write and move a post-mortem through review, measure response times, decide
//! whether a post-mortem is needed), over the store, for the three adapters that call
//! them: the JSON API, the web pages and the command line.
//!
//! A use case takes the store, an [`Actor`] and what it was asked, checks that the actor
//! may do it, and answers a typed result or an [`AppError`]. It knows nothing of HTTP.

// Unit tests use some dev-dependencies, not all.
#![cfg_attr(test, allow(unused_crate_dependencies))]

pub mod accounts;
mod actor;
pub mod analysis;
pub mod comments;
pub mod covers;
pub mod deliveries;
mod error;
pub mod factors;
pub mod first_draft;
pub mod history;
pub mod imports;
pub mod incidents;
pub mod learning;
pub mod live;
pub mod notifications;
pub mod postmortems;
pub mod public_summaries;
pub mod readers;
pub mod response_times;
pub mod reviews;
pub mod secrets;
pub mod sessions;
pub mod settings;
pub mod trackers;

pub use actor::Actor;
pub use error::AppError;
pub use settings::{Rules, WebhookSettings};
