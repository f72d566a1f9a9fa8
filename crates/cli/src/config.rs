//! Configuration, layered: command-line flags over `HINDSIGHT_*` environment
//! variables over `hindsight.toml` over defaults.

use std::collections::BTreeMap;
use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Everything `hindsight serve` can be configured with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://USER@HOST/DB`.
    pub database_url: String,
    /// Address and port to listen on.
    pub listen: String,
    /// `text` or `json`.
    pub log_format: String,
    /// Mark the session cookie `Secure`; by default on unless listening on loopback.
    pub secure_cookies: Option<bool>,
    /// How long a browser session lasts, in hours.
    pub session_hours: i64,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Display labels of SEV1..SEV5.
    pub severity_labels: BTreeMap<String, String>,
    /// Webhook secrets, e.g. `[webhooks] pagerduty_secret = "…"` or `HINDSIGHT_WEBHOOKS__PAGERDUTY_SECRET`.
    pub webhooks: hindsight_app::WebhookSettings,
    /// When a post-mortem is needed: `[policy] prolonged_minutes = 60`, `severity_at_or_above = "SEV2"`, …
    pub policy: hindsight_core::analysis::PolicyConfig,
    /// What a good response does: `[response] stakeholder_update_minutes = 30`, …
    pub response: hindsight_core::analysis::ResponseChecklist,
    /// The address people reach Hindsight at, e.g. `https://hindsight.example.com`;
    /// `https` turns on `Strict-Transport-Security`.
    pub public_url: Option<String>,
    /// Open connections and header deadline: `[connections] max_connections = 4096`,
    /// `max_connections_per_address = 256`, `header_timeout_seconds = 10`.
    pub connections: hindsight_server::ConnectionLimits,
    /// Reverse proxies (IP addresses or CIDR ranges) whose `X-Forwarded-For` names the
    /// client, for the sign-in limits: `trusted_proxies = ["10.0.0.0/8"]`. Empty: the
    /// connection's address is the client's.
    pub trusted_proxies: Vec<String>,
    /// The notification worker: `[notifications] interval_ms = 2000`, `due_soon_days = 2`,
    /// `reminder_interval_seconds = 60`.
    pub notifications: hindsight_app::notifications::WorkerSettings,
    /// Approvals publishing a post-mortem needs from its reviewers, by severity:
    /// `[review] approvals_sev1 = 2`, `approvals_sev2 = 1`, `approvals_sev3 = 0`, ….
    pub review: hindsight_core::ReviewRules,
    /// Deadlines in business days: `[deadlines] work_week = ["mon", …]`, `holidays = ["2026-12-25"]`,
    /// `meeting_days = [3, 5, 10, 10, 10]` (SEV1 to SEV5), `draft_days_before_meeting = 2`,
    /// `publish_days_after_meeting = 2`, `reading_days = 5`.
    pub deadlines: hindsight_core::deadlines::DeadlineRules,
    /// Reader teams proposed for every post-mortem by severity, besides those owning its
    /// services: `[readers] teams_sev1 = ["support", "leadership"]`.
    pub readers: hindsight_core::ReaderRules,
    /// The server's secret key, base64 of 32 random bytes (`hindsight config secret-key`
    /// makes one): seals the destinations' addresses and keys stored in the database, and
    /// signs the unsubscribe links in emails. Best given as `HINDSIGHT_SECRET_KEY`.
    pub secret_key: Option<String>,
    /// Email over SMTP: `[email] smtp_host = "smtp.example.com"`, `smtp_port = 587`,
    /// `security = "starttls"`, `username`, `password`, `from`, `digest_hour = 8` (UTC).
    pub email: hindsight_app::deliveries::EmailSettings,
    /// How deliveries (email, Slack, Teams, webhooks) are sent: `[deliveries] batch = 200`,
    /// `concurrency = 8`, `timeout_seconds = 15`.
    pub deliveries: hindsight_app::deliveries::DeliverySettings,
    /// The contributing factors post-mortems are tagged with, each a `[[contributing_factors]]`
    /// table with `key`, `label` and `description`; the defaults are listed in
    /// docs/CONFIGURATION.md. Giving any replaces them all.
    pub contributing_factors: Vec<hindsight_core::ContributingFactor>,
}

impl Default for Config {
    fn default() -> Self {
        let settings = hindsight_server::Settings::default();
        Config {
            database_url: "sqlite://hindsight.db".into(),
            listen: "127.0.0.1:8080".into(),
            log_format: "text".into(),
            secure_cookies: None,
            session_hours: settings.session_hours,
            max_body_bytes: settings.max_body_bytes,
            severity_labels: settings.severity_labels,
            webhooks: settings.rules.webhooks,
            policy: settings.rules.policy,
            response: settings.rules.response,
            public_url: settings.public_url,
            connections: settings.connections,
            trusted_proxies: Vec::new(),
            notifications: settings.notifications,
            review: settings.rules.review,
            deadlines: settings.rules.deadlines,
            readers: settings.rules.readers,
            contributing_factors: settings.rules.factors.factors,
            secret_key: None,
            email: Default::default(),
            deliveries: Default::default(),
        }
    }
}

/// Values given as flags; only those set override the other layers.
#[derive(Debug, Default, Serialize)]
pub struct FlagOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<String>,
}

impl Config {
    /// Reads the layers. A missing default `hindsight.toml` is fine; a missing named file is not.
    pub fn load(file: Option<&Path>, flags: &FlagOverrides) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                if !path.exists() {
                    anyhow::bail!("config file {} does not exist", path.display());
                }
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file("hindsight.toml")),
        }
        let config: Config = figment
            .merge(Env::prefixed("HINDSIGHT_").split("__").ignore(&["test_database_url"]))
            .merge(Serialized::globals(flags))
            .extract()
            .map_err(|e| anyhow::anyhow!("bad configuration: {e}"))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        if !matches!(self.log_format.as_str(), "text" | "json") {
            anyhow::bail!("log_format must be \"text\" or \"json\", not {:?}", self.log_format);
        }
        if self.session_hours < 1 {
            anyhow::bail!("session_hours must be at least 1");
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            anyhow::bail!("public_url must start with https:// or http://, not {url:?}");
        }
        let limits = &self.connections;
        if limits.max_connections == 0 || limits.max_connections_per_address == 0 || limits.header_timeout_seconds == 0
        {
            anyhow::bail!(
                "connections: max_connections, max_connections_per_address and header_timeout_seconds must be at least 1"
            );
        }
        self.trusted_proxies()?;
        if let Err(errors) = self.notifications.check() {
            anyhow::bail!("{errors}");
        }
        if let Err(errors) = self.review.validate() {
            anyhow::bail!("{errors}");
        }
        if let Err(errors) = self.deadlines.validate() {
            anyhow::bail!("{errors}");
        }
        if let Err(errors) = self.readers.validate() {
            anyhow::bail!("{errors}");
        }
        if let Err(errors) = (hindsight_core::FactorTaxonomy { factors: self.contributing_factors.clone() }).check() {
            anyhow::bail!("contributing_factors: {errors}");
        }
        if let Err(errors) = self.deliveries.check(&self.email) {
            anyhow::bail!("{errors}");
        }
        self.secret_key()?;
        if self.email.smtp_host.is_some() && self.secret_key.is_none() {
            anyhow::bail!(
                "email needs secret_key (the unsubscribe links in emails are signed with it): make one with \
                 `hindsight config secret-key`"
            );
        }
        for key in self.severity_labels.keys() {
            if key.parse::<hindsight_core::Severity>().is_err() {
                anyhow::bail!("severity_labels: {key:?} is not one of SEV1..SEV5");
            }
        }
        Ok(())
    }

    /// The settings the TOML `file` holds that Hindsight does not know, by their path
    /// (`policy.prolonged_minute`): a misspelt setting would otherwise be ignored quietly,
    /// leaving its default in force.
    pub fn unknown_keys(file: &Path) -> anyhow::Result<Vec<String>> {
        let written: serde_json::Value =
            Figment::from(Toml::file(file)).extract().map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        let known = serde_json::to_value(Config::default())?;
        let mut unknown = Vec::new();
        unknown_in("", &written, &known, &mut unknown);
        Ok(unknown)
    }

    /// Every setting with its default, as `hindsight.toml` would hold it; a setting with no
    /// default is a comment.
    pub fn defaults_toml() -> anyhow::Result<String> {
        let defaults = serde_json::to_value(Config::default())?;
        let mut out = String::from(
            "# Every setting of hindsight.toml with its default (`hindsight config defaults`).\n# Each can also be \
             set as HINDSIGHT_<NAME>, a table's as HINDSIGHT_<TABLE>__<NAME>.\n",
        );
        if let Some(table) = defaults.as_object() {
            toml_table("", table, &mut out);
        }
        Ok(out)
    }

    /// The rules as configured: policy, response checklist, webhook secrets.
    pub fn rules(&self) -> hindsight_app::Rules {
        hindsight_app::Rules {
            policy: self.policy.clone(),
            response: self.response.clone(),
            webhooks: self.webhooks.clone(),
            review: self.review,
            deadlines: self.deadlines.clone(),
            readers: self.readers.clone(),
            factors: hindsight_core::FactorTaxonomy { factors: self.contributing_factors.clone() },
            secret_key: self.secret_key().ok().flatten(),
        }
    }

    /// The secret key, read; none when not configured.
    pub fn secret_key(&self) -> anyhow::Result<Option<hindsight_app::secrets::SecretKey>> {
        self.secret_key
            .as_deref()
            .map(hindsight_app::secrets::SecretKey::from_base64)
            .transpose()
            .map_err(|e| anyhow::anyhow!("{e}; `hindsight config secret-key` makes one"))
    }

    /// The `trusted_proxies` entries, read; an entry that is not an address or range is an error naming it.
    pub fn trusted_proxies(&self) -> anyhow::Result<Vec<ipnet::IpNet>> {
        self.trusted_proxies
            .iter()
            .map(|entry| {
                hindsight_server::auth::parse_trusted_proxy(entry).map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))
            })
            .collect()
    }
}

/// Tables whose keys are names of the reader's choosing, not settings.
const FREE_TABLES: [&str; 1] = ["severity_labels"];

fn unknown_in(prefix: &str, written: &serde_json::Value, known: &serde_json::Value, out: &mut Vec<String>) {
    let (Some(written), Some(known)) = (written.as_object(), known.as_object()) else { return };
    for (key, value) in written {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match known.get(key) {
            None => out.push(path),
            Some(_) if FREE_TABLES.contains(&path.as_str()) => {}
            Some(known) => unknown_in(&path, value, known, out),
        }
    }
}

/// Writes `table`'s values, then its tables, each under its `[path]`.
fn toml_table(path: &str, table: &serde_json::Map<String, serde_json::Value>, out: &mut String) {
    // A list of tables (`[[contributing_factors]]`) is written after the plain values.
    let list_of_tables = |value: &serde_json::Value| {
        value.as_array().is_some_and(|items| !items.is_empty() && items.iter().all(serde_json::Value::is_object))
    };
    for (key, value) in table.iter().filter(|(_, v)| !v.is_object() && !list_of_tables(v)) {
        match toml_value(value) {
            Some(value) => out.push_str(&format!("{key} = {value}\n")),
            None => out.push_str(&format!("# {key} = (not set)\n")),
        }
    }
    for (key, value) in table {
        let path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        if let Some(inner) = value.as_object() {
            out.push_str(&format!("\n[{path}]\n"));
            toml_table(&path, inner, out);
        } else if list_of_tables(value) {
            for item in value.as_array().into_iter().flatten().filter_map(serde_json::Value::as_object) {
                out.push_str(&format!("\n[[{path}]]\n"));
                toml_table(&path, item, out);
            }
        }
    }
}

/// A value as TOML writes it (JSON's strings, numbers, booleans and arrays are TOML's);
/// `None` for one not set.
fn toml_value(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::Array(items) => {
            Some(format!("[{}]", items.iter().filter_map(toml_value).collect::<Vec<_>>().join(", ")))
        }
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
// figment's test jail returns its own (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_environment_beat_file_beat_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("hindsight.toml", "listen = \"0.0.0.0:9000\"\nlog_format = \"json\"\nsession_hours = 4")?;
            jail.set_env("HINDSIGHT_LOG_FORMAT", "text");
            jail.set_env("HINDSIGHT_DATABASE_URL", "sqlite://env.db");
            let flags = FlagOverrides { database_url: Some("sqlite://flag.db".into()), ..FlagOverrides::default() };
            let config = Config::load(None, &flags).map_err(|e| e.to_string())?;
            assert_eq!(config.database_url, "sqlite://flag.db");
            assert_eq!(config.log_format, "text");
            assert_eq!(config.listen, "0.0.0.0:9000");
            assert_eq!(config.session_hours, 4);
            assert_eq!(config.max_body_bytes, Config::default().max_body_bytes);
            jail.set_env("HINDSIGHT_WEBHOOKS__GITHUB_SECRET", "s3cret");
            let config = Config::load(None, &flags).map_err(|e| e.to_string())?;
            assert_eq!(config.webhooks.github_secret.as_deref(), Some("s3cret"));
            jail.create_file("other.toml", "[policy]\nprolonged_minutes = 45\n")?;
            let config = Config::load(Some(Path::new("other.toml")), &flags).map_err(|e| e.to_string())?;
            assert_eq!(config.policy.prolonged_minutes, 45);
            assert_eq!(config.policy.late_detection_minutes, 15, "unset policy keys keep their defaults");
            Ok(())
        });
    }

    #[test]
    fn trusted_proxies_are_read_from_the_file_and_checked() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("hindsight.toml", "trusted_proxies = [\"10.0.0.0/8\", \"192.0.2.1\"]")?;
            let config = Config::load(None, &FlagOverrides::default()).map_err(|e| e.to_string())?;
            let proxies: Vec<String> = config.trusted_proxies().unwrap().iter().map(|p| p.to_string()).collect();
            assert_eq!(proxies, ["10.0.0.0/8", "192.0.2.1/32"]);
            jail.create_file("hindsight.toml", "trusted_proxies = [\"10.0.0.0/8\", \"proxy.internal\"]")?;
            let err = Config::load(None, &FlagOverrides::default()).unwrap_err().to_string();
            assert!(err.contains("trusted_proxies") && err.contains("proxy.internal"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn unknown_log_format_is_refused() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("HINDSIGHT_LOG_FORMAT", "xml");
            let err = Config::load(None, &FlagOverrides::default()).unwrap_err();
            assert!(err.to_string().contains("log_format"), "{err}");
            Ok(())
        });
    }
}
