//! The rules the use cases decide with: when a post-mortem is needed, what a good
//! response does, and the secrets vendors' webhooks prove themselves with.
//!
//! They come from the configuration at start-up, and admins may override the policy and
//! the webhook secrets at run time; the overrides live in the database, so every server
//! process sharing it sees them. [`Rules::in_force`] reads them on each call (one small
//! query), which is what anything deciding with them must use.

use hindsight_store::{Store, StoreError, StoredSetting};

use crate::{Actor, AppError};

/// The rules as configured.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// When a post-mortem is needed.
    pub policy: hindsight_core::analysis::PolicyConfig,
    /// What a good response does, for the response analysis.
    pub response: hindsight_core::analysis::ResponseChecklist,
    /// Secrets the vendors' webhooks prove themselves with.
    pub webhooks: WebhookSettings,
    /// Approvals publishing a post-mortem needs, by severity.
    pub review: hindsight_core::ReviewRules,
    /// Deadlines in business days: the work calendar, and each step's by severity.
    pub deadlines: hindsight_core::deadlines::DeadlineRules,
    /// Reader teams proposed for every post-mortem, by severity.
    pub readers: hindsight_core::ReaderRules,
    /// The contributing factors post-mortems are tagged with.
    pub factors: hindsight_core::FactorTaxonomy,
    /// The server's secret key: webhook secrets set at run time are stored sealed with it.
    pub secret_key: Option<crate::secrets::SecretKey>,
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

/// Stored overrides of the approvals publishing needs: `review.approvals_sev1`, ….
pub const REVIEW_PREFIX: &str = "review.";

/// Stored overrides of the reader teams proposed by severity: `readers.teams_sev1`, ….
pub const READERS_PREFIX: &str = "readers.";

impl Rules {
    /// The rules in force now: these, with the stored overrides on top.
    pub async fn in_force(&self, store: &Store) -> Result<Rules, StoreError> {
        Ok(self.with_overrides(&store.stored_settings().await?))
    }

    /// These rules with every stored override that fits applied. An override that no
    /// longer fits (a renamed field, a value of the wrong type) is skipped and logged, so a
    /// bad row can never take the server down or switch a setting off.
    pub fn with_overrides(&self, stored: &[StoredSetting]) -> Rules {
        Rules {
            policy: overlay(&self.policy, POLICY_PREFIX, stored),
            response: self.response.clone(),
            webhooks: overlay(&self.webhooks, WEBHOOKS_PREFIX, &self.opened(stored)),
            review: overlay(&self.review, REVIEW_PREFIX, stored),
            deadlines: self.deadlines.clone(),
            readers: overlay(&self.readers, READERS_PREFIX, stored),
            factors: self.factors.clone(),
            secret_key: self.secret_key.clone(),
        }
    }

    /// The stored webhook secrets, opened: a sealed one that this server's key cannot open
    /// is left out (logged), so its webhook falls back to the configured secret, or is off.
    /// One stored before secrets were sealed is used as it is.
    fn opened(&self, stored: &[StoredSetting]) -> Vec<StoredSetting> {
        stored
            .iter()
            .filter(|setting| setting.key.starts_with(WEBHOOKS_PREFIX))
            .filter_map(|setting| {
                let value = serde_json::from_str::<serde_json::Value>(&setting.value).ok();
                let Some(sealed) = value.as_ref().and_then(|v| v.as_str()).filter(|v| crate::secrets::is_sealed(v))
                else {
                    return Some(setting.clone());
                };
                let opened = self.secret_key.as_ref().ok_or_else(|| "no secret_key".to_string()).and_then(|key| key.open(sealed));
                match opened {
                    Ok(plain) => Some(StoredSetting { value: serde_json::Value::from(plain).to_string(), ..setting.clone() }),
                    Err(e) => {
                        tracing::warn!(key = %setting.key, error = %e, "stored webhook secret ignored: it cannot be opened");
                        None
                    }
                }
            })
            .collect()
    }
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

/// Stores a setting made at run time (admins only): `key` (with its prefix, e.g.
/// [`POLICY_PREFIX`]) set to `value`; `action` and `subject` say what changed in the audit
/// event written in the same transaction.
pub async fn put(
    store: &Store,
    actor: &Actor,
    key: &str,
    value: &serde_json::Value,
    action: &str,
    subject: &str,
) -> Result<StoredSetting, AppError> {
    actor.require_admin()?;
    let note = crate::accounts::note(actor, action, subject);
    Ok(store.put_setting(key, &value.to_string(), &note).await?)
}

/// Stores a webhook secret set at run time (admins only), sealed with the server's secret
/// key: `key` is [`WEBHOOKS_PREFIX`] and the field. Without a secret key it is refused, saying
/// how to make one.
pub async fn put_secret(
    store: &Store,
    actor: &Actor,
    rules: &Rules,
    key: &str,
    secret: &str,
    action: &str,
) -> Result<StoredSetting, AppError> {
    actor.require_admin()?;
    let Some(sealer) = &rules.secret_key else {
        return Err(AppError::Invalid(hindsight_core::ValidationErrors::single(
            "secret",
            "this server has no secret_key to seal it with: make one with `hindsight config secret-key`, set it as \
             secret_key (or HINDSIGHT_SECRET_KEY), or configure the secret in [webhooks] instead",
        )));
    };
    put(store, actor, key, &serde_json::Value::from(sealer.seal(secret)), action, "webhooks").await
}

/// Removes a setting made at run time (admins only), so that the configured value is in
/// force again; answers whether there was one (only then is the audit event written).
pub async fn clear(store: &Store, actor: &Actor, key: &str, action: &str, subject: &str) -> Result<bool, AppError> {
    actor.require_admin()?;
    let note = crate::accounts::note(actor, action, subject);
    Ok(store.delete_setting(key, &note).await?)
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
        let configured = Rules {
            webhooks: WebhookSettings { github_secret: Some("from-config".into()), ..Default::default() },
            ..Rules::default()
        };
        let effective = configured.with_overrides(&[
            stored("policy.prolonged_minutes", "45"),
            stored("policy.severity_at_or_above", "\"SEV3\""),
            stored("webhooks.github_secret", "\"from-database\""),
            stored("webhooks.grafana_token", "\"grafana\""),
        ]);
        assert_eq!(effective.policy.prolonged_minutes, 45);
        assert_eq!(effective.policy.severity_at_or_above.to_string(), "SEV3");
        assert_eq!(effective.policy.late_detection_minutes, configured.policy.late_detection_minutes);
        assert_eq!(effective.webhooks.github_secret.as_deref(), Some("from-database"));
        assert_eq!(effective.webhooks.grafana_token.as_deref(), Some("grafana"));
        assert_eq!(effective.webhooks.pagerduty_secret, None);
    }

    #[test]
    fn sealed_webhook_secrets_open_only_with_the_servers_key() {
        let key = crate::secrets::SecretKey::from_base64(&crate::secrets::SecretKey::generate()).unwrap();
        let other = crate::secrets::SecretKey::from_base64(&crate::secrets::SecretKey::generate()).unwrap();
        let sealed = serde_json::Value::from(key.seal("from-database")).to_string();
        assert!(!sealed.contains("from-database"));
        let configured = Rules {
            webhooks: WebhookSettings { github_secret: Some("from-config".into()), ..Default::default() },
            secret_key: Some(key),
            ..Rules::default()
        };
        let stored = [stored("webhooks.github_secret", &sealed), stored("webhooks.grafana_token", "\"plain\"")];
        let effective = configured.with_overrides(&stored);
        assert_eq!(effective.webhooks.github_secret.as_deref(), Some("from-database"));
        assert_eq!(effective.webhooks.grafana_token.as_deref(), Some("plain"), "stored before sealing");
        // Another key cannot open it: the configured secret stays in force.
        let elsewhere = Rules { secret_key: Some(other), ..configured.clone() }.with_overrides(&stored);
        assert_eq!(elsewhere.webhooks.github_secret.as_deref(), Some("from-config"));
        let keyless = Rules { secret_key: None, ..configured }.with_overrides(&stored);
        assert_eq!(keyless.webhooks.github_secret.as_deref(), Some("from-config"));
    }

    #[test]
    fn overrides_that_do_not_fit_are_skipped_one_by_one() {
        let configured = Rules::default();
        let effective = configured.with_overrides(&[
            stored("policy.prolonged_minutes", "\"an hour\""),
            stored("policy.no_such_threshold", "3"),
            stored("policy.late_detection_minutes", "5"),
            stored("other.thing", "1"),
        ]);
        assert_eq!(effective.policy.prolonged_minutes, configured.policy.prolonged_minutes);
        assert_eq!(effective.policy.late_detection_minutes, 5);
    }
}
