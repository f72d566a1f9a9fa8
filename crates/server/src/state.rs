//! What every handler shares: the store and the server's settings.
//!
//! The rules use cases decide with (policy, response checklist, webhook secrets) are
//! [`hindsight_app::Rules`]: configured at start-up, overridden by admins at run time in
//! the database. [`AppState::rules_in_force`] reads them on each call (one small query),
//! which is what anything deciding with them must use.

use std::collections::BTreeMap;
use std::sync::Arc;

use hindsight_app::{Rules, WebhookSettings};
use hindsight_store::{Store, StoreError};

/// Settings the server runs with, fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Mark the session cookie `Secure` (on unless serving plain HTTP on loopback).
    pub secure_cookies: bool,
    /// How long a browser session lasts.
    pub session_hours: i64,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Display labels for SEV1..SEV5.
    pub severity_labels: BTreeMap<String, String>,
    /// When a post-mortem is needed, what a good response does, and the webhooks' secrets,
    /// as configured.
    pub rules: Rules,
    /// The address people reach the server at, e.g. `https://hindsight.example.com`;
    /// an `https` address turns on `Strict-Transport-Security`.
    pub public_url: Option<String>,
    /// Open connections and the time a client has to send its headers.
    pub connections: crate::ConnectionLimits,
    /// Proxies whose `X-Forwarded-For` names the client (for the sign-in limits).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How many failed sign-ins are let through per account and per address.
    pub sign_in_limits: hindsight_store::SignInLimits,
    /// How long a live-editing socket may stay silent before the server closes it (Yjs
    /// clients say something at least every 15 s while a page is open).
    pub live_idle: std::time::Duration,
    /// How often an open live-editing room reads what other servers stored (and saves and
    /// comments), and writes its texts back once quiet. On PostgreSQL, servers also tell
    /// each other of each live update at once (`LISTEN`/`NOTIFY`).
    pub live_poll: std::time::Duration,
    /// How often the notification worker goes over the outbox and the due dates.
    pub notifications: hindsight_app::notifications::WorkerSettings,
    /// What sends email and the destinations' messages, and seals their secrets.
    pub deliverer: hindsight_app::deliveries::Deliverer,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: true,
            session_hours: 12,
            max_body_bytes: 2 * 1024 * 1024,
            severity_labels: default_severity_labels(),
            rules: Rules::default(),
            public_url: None,
            connections: Default::default(),
            trusted_proxies: Vec::new(),
            sign_in_limits: Default::default(),
            live_idle: std::time::Duration::from_secs(120),
            live_poll: std::time::Duration::from_secs(1),
            notifications: Default::default(),
            deliverer: Default::default(),
        }
    }
}

/// SEV1 "Critical" down to SEV5 "Minimal".
pub fn default_severity_labels() -> BTreeMap<String, String> {
    [("SEV1", "Critical"), ("SEV2", "Major"), ("SEV3", "Moderate"), ("SEV4", "Minor"), ("SEV5", "Minimal")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    /// The live-editing rooms open on this server.
    pub rooms: Arc<crate::collab::Rooms>,
    /// What `/metrics` answers: requests counted as they are answered.
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl AppState {
    /// State over an open, migrated store.
    pub fn new(store: Store, settings: Settings) -> AppState {
        AppState { store, settings: Arc::new(settings), rooms: Arc::default(), metrics: Arc::default() }
    }

    /// The rules in force now: the configured ones with the stored overrides on top.
    pub async fn rules_in_force(&self) -> Result<Rules, StoreError> {
        self.settings.rules.in_force(&self.store).await
    }

    /// The webhook secrets in force now; every webhook check goes through this.
    pub async fn webhooks_in_force(&self) -> Result<WebhookSettings, StoreError> {
        Ok(self.rules_in_force().await?.webhooks)
    }
}
