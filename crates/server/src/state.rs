//! What every handler shares: the store and the server's settings.
//!
//! Policy thresholds and webhook secrets come from the configuration at start-up, and
//! admins may override them at run time; the overrides live in the database, so every
//! server process sharing it sees them. [`AppState::effective_settings`] reads them on
//! each call (one small query), which is what anything deciding with them must use.

use std::collections::BTreeMap;
use std::sync::Arc;

use hindsight_store::{Store, StoreError, StoredSetting};

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
    /// The address people reach the server at, e.g. `https://hindsight.example.com`;
    /// an `https` address turns on `Strict-Transport-Security`.
    pub public_url: Option<String>,
    /// Open connections and the time a client has to send its headers.
    pub connections: crate::ConnectionLimits,
    /// Proxies whose `X-Forwarded-For` names the client (for the sign-in limits).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How many failed sign-ins are let through per account and per address.
    pub sign_in_limits: hindsight_store::SignInLimits,
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
            public_url: None,
            connections: Default::default(),
            trusted_proxies: Vec::new(),
            sign_in_limits: Default::default(),
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
}

impl AppState {
    /// State over an open, migrated store.
    pub fn new(store: Store, settings: Settings) -> AppState {
        AppState { store, settings: Arc::new(settings) }
    }
}

/// A vendor whose webhook proves itself with a secret: (vendor, `WebhookSettings` field).
pub const WEBHOOK_SECRETS: [(&str, &str); 5] = [
    ("pagerduty", "pagerduty_secret"),
    ("github", "github_secret"),
    ("alertmanager", "alertmanager_token"),
    ("grafana", "grafana_token"),
    ("opsgenie", "opsgenie_token"),
];

/// Key prefix of policy overrides (`policy.prolonged_minutes`).
pub const POLICY_PREFIX: &str = "policy.";
/// Key prefix of webhook overrides (`webhooks.github_secret`).
pub const WEBHOOKS_PREFIX: &str = "webhooks.";

impl AppState {
    /// The settings in force now: the configured ones with the stored overrides on top.
    pub async fn effective_settings(&self) -> Result<Settings, StoreError> {
        Ok(apply_overrides(&self.settings, &self.store.stored_settings().await?))
    }

    /// The webhook secrets in force now; every webhook check goes through this.
    pub async fn effective_webhooks(&self) -> Result<WebhookSettings, StoreError> {
        Ok(self.effective_settings().await?.webhooks)
    }
}

/// `configured` with every stored override that fits applied. An override that no longer
/// fits (a renamed field, a value of the wrong type) is skipped and logged, so a bad
/// row can never take the server down or switch a setting off.
pub fn apply_overrides(configured: &Settings, stored: &[StoredSetting]) -> Settings {
    let mut settings = configured.clone();
    settings.policy = overlay(&configured.policy, POLICY_PREFIX, stored);
    settings.webhooks = overlay(&configured.webhooks, WEBHOOKS_PREFIX, stored);
    settings
}

/// `base` with each stored `prefix.field` applied in turn, keeping those that still
/// deserialise.
fn overlay<T>(base: &T, prefix: &str, stored: &[StoredSetting]) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned + Clone,
{
    let mut current = base.clone();
    for setting in stored {
        let Some(field) = setting.key.strip_prefix(prefix) else { continue };
        let applied = serde_json::to_value(&current).ok().and_then(|mut whole| {
            let value = serde_json::from_str::<serde_json::Value>(&setting.value).ok()?;
            let object = whole.as_object_mut()?;
            object.contains_key(field).then_some(())?;
            object.insert(field.to_string(), value);
            serde_json::from_value::<T>(whole).ok()
        });
        match applied {
            Some(next) => current = next,
            None => tracing::warn!(key = %setting.key, "stored setting ignored: it does not fit the setting"),
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(key: &str, value: &str) -> StoredSetting {
        StoredSetting {
            key: key.into(),
            value: value.into(),
            updated_by: Some("admin".into()),
            updated_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn stored_values_override_the_configured_ones() {
        let configured = Settings {
            webhooks: WebhookSettings { github_secret: Some("from-config".into()), ..Default::default() },
            ..Settings::default()
        };
        let effective = apply_overrides(
            &configured,
            &[
                stored("policy.prolonged_minutes", "45"),
                stored("policy.severity_at_or_above", "\"SEV3\""),
                stored("webhooks.github_secret", "\"from-database\""),
                stored("webhooks.grafana_token", "\"grafana\""),
            ],
        );
        assert_eq!(effective.policy.prolonged_minutes, 45);
        assert_eq!(effective.policy.severity_at_or_above.to_string(), "SEV3");
        assert_eq!(effective.policy.late_detection_minutes, configured.policy.late_detection_minutes);
        assert_eq!(effective.webhooks.github_secret.as_deref(), Some("from-database"));
        assert_eq!(effective.webhooks.grafana_token.as_deref(), Some("grafana"));
        assert_eq!(effective.webhooks.pagerduty_secret, None);
    }

    #[test]
    fn overrides_that_do_not_fit_are_skipped_one_by_one() {
        let configured = Settings::default();
        let effective = apply_overrides(
            &configured,
            &[
                stored("policy.prolonged_minutes", "\"an hour\""),
                stored("policy.no_such_threshold", "3"),
                stored("policy.late_detection_minutes", "5"),
                stored("other.thing", "1"),
            ],
        );
        assert_eq!(effective.policy.prolonged_minutes, configured.policy.prolonged_minutes);
        assert_eq!(effective.policy.late_detection_minutes, 5);
    }
}
