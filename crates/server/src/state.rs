//! What every handler shares: the store and the server's settings.

use std::collections::BTreeMap;
use std::sync::Arc;

use hindsight_store::Store;

use crate::auth::LoginLimiter;

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
    /// Secrets the vendors' webhooks prove themselves with.
    pub webhooks: WebhookSettings,
    /// When a post-mortem is needed.
    pub policy: hindsight_core::analysis::PolicyConfig,
    /// What a good response does, for the response analysis.
    pub response: hindsight_core::analysis::ResponseChecklist,
}

/// How each vendor's webhook proves itself; a webhook without a secret is switched off.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct WebhookSettings {
    /// Signing secret of the PagerDuty V3 webhook subscription (`X-PagerDuty-Signature`).
    pub pagerduty_secret: Option<String>,
    /// Secret of the GitHub webhook (`X-Hub-Signature-256`).
    pub github_secret: Option<String>,
    /// Bearer token Alertmanager sends (`http_config.authorization.credentials`).
    pub alertmanager_token: Option<String>,
    /// Bearer token Grafana's webhook contact point sends.
    pub grafana_token: Option<String>,
    /// Bearer token the Opsgenie outgoing webhook sends (as a custom header).
    pub opsgenie_token: Option<String>,
    /// Declare an incident when a webhook's events match none.
    pub create_incidents: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: true,
            session_hours: 12,
            max_body_bytes: 2 * 1024 * 1024,
            severity_labels: default_severity_labels(),
            webhooks: WebhookSettings::default(),
            policy: Default::default(),
            response: Default::default(),
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
    pub(crate) login_limiter: Arc<LoginLimiter>,
}

impl AppState {
    /// State over an open, migrated store.
    pub fn new(store: Store, settings: Settings) -> AppState {
        AppState { store, settings: Arc::new(settings), login_limiter: Arc::new(LoginLimiter::default()) }
    }
}
