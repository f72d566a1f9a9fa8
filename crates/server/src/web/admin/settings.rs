//! `/admin/policy` and `/admin/webhooks`: the post-mortem policy's thresholds, the
//! approvals publishing needs and the reader teams proposed, by severity, and the webhooks'
//! secrets, changed at run time on top of the configured values.
//!
//! Overrides are stored in the database (`policy.<field>`, `review.<field>`,
//! `readers.<field>`, `webhooks.<field>`), which
//! every server process reads through `AppState::rules_in_force`. A policy value
//! saved equal to the configured one removes the override. Webhook secrets are
//! write-only here: the pages say whether one is set and where it comes from, never what
//! it is.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hindsight_core::Severity;
use hindsight_core::validate::is_slug;
use hindsight_store::StoredSetting;
use serde::Deserialize;
use serde_json::Value;

use super::set_by;
use crate::auth::Caller;
use crate::error::ApiError;
use hindsight_app::settings::{
    self as rules, POLICY_PREFIX, READERS_PREFIX, REVIEW_PREFIX, WEBHOOK_SECRETS, WEBHOOKS_PREFIX,
};

use crate::state::AppState;
use crate::web::kit::{Chrome, Notice, PageError, Posted, Signed, see_other_with_notice};

/// A threshold of the policy, the review or the readers, as the page offers it.
struct Threshold {
    /// Where it is stored: [`POLICY_PREFIX`], [`REVIEW_PREFIX`] or [`READERS_PREFIX`].
    prefix: &'static str,
    key: &'static str,
    label: &'static str,
    help: &'static str,
    /// `number`, `severity`, `services` or `teams`.
    kind: &'static str,
    min: i64,
    max: i64,
}

/// The approvals publishing needs at one severity.
const fn approvals(key: &'static str, label: &'static str) -> Threshold {
    Threshold {
        prefix: REVIEW_PREFIX,
        key,
        label,
        help: "Approvals from its named reviewers a post-mortem of an incident of this severity needs before it is \
               published; 0 lets it be published without review.",
        kind: "number",
        min: 0,
        max: 10,
    }
}

/// The reader teams proposed at one severity.
const fn reader_teams(key: &'static str, label: &'static str) -> Threshold {
    Threshold {
        prefix: READERS_PREFIX,
        key,
        label,
        help: "Slugs of teams, separated by commas, asked to read every published post-mortem of an incident of \
               this severity, besides the teams owning its services (e.g. support, leadership).",
        kind: "teams",
        min: 0,
        max: 0,
    }
}

const THRESHOLDS: [Threshold; 15] = [
    Threshold {
        prefix: POLICY_PREFIX,
        key: "severity_at_or_above",
        label: "Severity that requires a post-mortem",
        help: "Incidents at this severity or higher (SEV1 is the highest) require a post-mortem.",
        kind: "severity",
        min: 1,
        max: 5,
    },
    Threshold {
        prefix: POLICY_PREFIX,
        key: "prolonged_minutes",
        label: "Prolonged resolution, in minutes",
        help: "An incident that takes longer than this from impact start to resolution is prolonged: \
               a post-mortem is recommended.",
        kind: "number",
        min: 1,
        max: 10_080,
    },
    Threshold {
        prefix: POLICY_PREFIX,
        key: "late_detection_minutes",
        label: "Late detection, in minutes",
        help: "Monitoring that detects an incident later than this after impact began detected it late: \
               a post-mortem is recommended.",
        kind: "number",
        min: 0,
        max: 1_440,
    },
    Threshold {
        prefix: POLICY_PREFIX,
        key: "architecture_wide_min_services",
        label: "Services affected for an architecture-wide incident",
        help: "This many affected services or more make an incident architecture-wide: a post-mortem is \
               recommended.",
        kind: "number",
        min: 1,
        max: 100,
    },
    Threshold {
        prefix: POLICY_PREFIX,
        key: "shared_platform_services",
        label: "Shared platform services",
        help: "Slugs of services many others depend on, separated by commas; an incident affecting any of \
               them is architecture-wide.",
        kind: "services",
        min: 0,
        max: 0,
    },
    approvals("approvals_sev1", "Approvals to publish a SEV1 post-mortem"),
    approvals("approvals_sev2", "Approvals to publish a SEV2 post-mortem"),
    approvals("approvals_sev3", "Approvals to publish a SEV3 post-mortem"),
    approvals("approvals_sev4", "Approvals to publish a SEV4 post-mortem"),
    approvals("approvals_sev5", "Approvals to publish a SEV5 post-mortem"),
    reader_teams("teams_sev1", "Reader teams of every SEV1 post-mortem"),
    reader_teams("teams_sev2", "Reader teams of every SEV2 post-mortem"),
    reader_teams("teams_sev3", "Reader teams of every SEV3 post-mortem"),
    reader_teams("teams_sev4", "Reader teams of every SEV4 post-mortem"),
    reader_teams("teams_sev5", "Reader teams of every SEV5 post-mortem"),
];

struct PolicyField {
    /// The heading it starts, when it is the first of its part (policy, review, readers).
    starts: Option<&'static str>,
    key: &'static str,
    label: &'static str,
    help: &'static str,
    kind: &'static str,
    min: i64,
    max: i64,
    /// In the input: the value in force, or what was typed.
    value: String,
    configured: String,
    /// Who set the stored override and when; empty when the configured value is in force.
    overridden: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_policy.html")]
struct PolicyPage {
    chrome: Chrome,
    fields: Vec<PolicyField>,
    severities: Vec<String>,
    errors: Vec<String>,
}

/// The policy form, as typed: each threshold by its key (and the form's token).
pub type PolicyForm = BTreeMap<String, String>;

/// The "reset to configured value" button: which key.
#[derive(Debug, Default, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    reset: String,
}

/// A policy value as the form shows it: `60`, `SEV2`, `db, auth`.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The part of `rules` stored under `prefix`, as JSON fields.
fn section_json(rules: &hindsight_app::Rules, prefix: &str) -> serde_json::Map<String, Value> {
    let section = match prefix {
        REVIEW_PREFIX => serde_json::to_value(rules.review),
        READERS_PREFIX => serde_json::to_value(&rules.readers),
        _ => serde_json::to_value(&rules.policy),
    };
    match section {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

/// A threshold's configured or effective value in `rules`.
fn value_in(rules: &hindsight_app::Rules, threshold: &Threshold) -> Option<Value> {
    section_json(rules, threshold.prefix).get(threshold.key).cloned()
}

/// The heading of the part a prefix stores.
fn part_heading(prefix: &str) -> &'static str {
    match prefix {
        REVIEW_PREFIX => "Review",
        READERS_PREFIX => "Readers",
        _ => "When a post-mortem is needed",
    }
}

fn stored_by_key(stored: Vec<StoredSetting>, prefix: &str) -> BTreeMap<String, StoredSetting> {
    stored.into_iter().filter_map(|s| Some((s.key.strip_prefix(prefix)?.to_string(), s))).collect()
}

async fn policy_page(
    state: &AppState,
    chrome: Chrome,
    typed: Option<&PolicyForm>,
    errors: Vec<String>,
) -> Result<PolicyPage, PageError> {
    let stored = stored_by_key(state.store.stored_settings().await?, "");
    let effective = state.rules_in_force().await?;
    let configured = &state.settings.rules;
    let fields = THRESHOLDS
        .iter()
        .enumerate()
        .map(|(n, t)| PolicyField {
            starts: (n == 0 || THRESHOLDS[n - 1].prefix != t.prefix).then(|| part_heading(t.prefix)),
            key: t.key,
            label: t.label,
            help: t.help,
            kind: t.kind,
            min: t.min,
            max: t.max,
            value: typed
                .and_then(|f| f.get(t.key).cloned())
                .unwrap_or_else(|| value_in(&effective, t).as_ref().map(shown).unwrap_or_default()),
            configured: value_in(configured, t).as_ref().map(shown).unwrap_or_default(),
            overridden: stored.get(&format!("{}{}", t.prefix, t.key)).map(set_by).unwrap_or_default(),
        })
        .collect();
    Ok(PolicyPage {
        chrome,
        fields,
        severities: (1..=5).filter_map(Severity::new).map(|s| s.to_string()).collect(),
        errors,
    })
}

/// Reads one typed threshold into the JSON value stored for it.
fn parse_threshold(threshold: &Threshold, typed: &str) -> Result<Value, String> {
    let typed = typed.trim();
    match threshold.kind {
        "number" => match typed.parse::<i64>() {
            Ok(n) if (threshold.min..=threshold.max).contains(&n) => Ok(Value::from(n)),
            _ => Err(format!(
                "{}: {typed:?} is not a whole number from {} to {}",
                threshold.label, threshold.min, threshold.max
            )),
        },
        "severity" => typed
            .parse::<Severity>()
            .map(|s| Value::from(s.to_string()))
            .map_err(|e| format!("{}: {e}", threshold.label)),
        kind => {
            let slugs: Vec<&str> = typed.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).collect();
            let what = if kind == "teams" { "team" } else { "service" };
            match slugs.iter().find(|s| !is_slug(s)) {
                Some(bad) => Err(format!("{}: {bad:?} is not a {what} slug (a-z, 0-9 and '-')", threshold.label)),
                None if slugs.len() > hindsight_core::MAX_READERS => {
                    Err(format!("{}: at most {} slugs", threshold.label, hindsight_core::MAX_READERS))
                }
                None => Ok(Value::from(slugs)),
            }
        }
    }
}

/// `GET /admin/policy`.
pub async fn policy(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
) -> Result<Response, PageError> {
    caller.require_admin()?;
    Ok(policy_page(&state, Chrome::of(&caller).with_notice(notice), None, Vec::new()).await?.into_response())
}

/// `POST /admin/policy`: saves every threshold; one equal to the configured value drops
/// its override.
pub async fn save_policy(State(state): State<AppState>, posted: Posted<PolicyForm>) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_admin()?;
    let mut values = Vec::new();
    let mut errors = Vec::new();
    // A setting the form does not send stays as it is.
    for threshold in THRESHOLDS.iter().filter(|t| form.contains_key(t.key)) {
        let typed = form.get(threshold.key).map(String::as_str).unwrap_or("");
        match parse_threshold(threshold, typed) {
            Ok(value) => values.push((threshold, value)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        let page = policy_page(&state, Chrome::of(&caller), Some(&form), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let configured = &state.settings.rules;
    let stored = stored_by_key(state.store.stored_settings().await?, "");
    let mut changed = Vec::new();
    for (threshold, value) in values {
        let key = threshold.key;
        let full_key = format!("{}{key}", threshold.prefix);
        let part = threshold.prefix.trim_end_matches('.');
        if value_in(configured, threshold).as_ref() == Some(&value) {
            let action = format!("reset {part} {key} to the configured value {}", shown(&value));
            if rules::clear(&state.store, &caller.actor(), &full_key, &action, part).await? {
                changed.push(key);
            }
            continue;
        }
        let was = stored.get(&full_key).and_then(|s| serde_json::from_str::<Value>(&s.value).ok());
        if was.as_ref() != Some(&value) {
            let action = format!("set {part} {key} to {}", shown(&value));
            rules::put(&state.store, &caller.actor(), &full_key, &value, &action, part).await?;
            changed.push(key);
        }
    }
    let notice = if changed.is_empty() {
        "Nothing changed in the policy.".to_string()
    } else {
        format!("Saved the policy: {} changed. It applies to every decision from now on.", changed.join(", "))
    };
    Ok(see_other_with_notice("/admin/policy", &notice))
}

/// `POST /admin/policy/reset`: goes back to the configured value of one threshold.
pub async fn reset_policy(State(state): State<AppState>, posted: Posted<ResetForm>) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_admin()?;
    let threshold = THRESHOLDS.iter().find(|t| t.key == form.reset).ok_or_else(|| {
        PageError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("{:?} is not a setting of this page", form.reset))
    })?;
    let configured = value_in(&state.settings.rules, threshold).as_ref().map(shown).unwrap_or_default();
    let key = format!("{}{}", threshold.prefix, threshold.key);
    let part = threshold.prefix.trim_end_matches('.');
    let action = format!("reset {part} {} to the configured value {configured}", threshold.key);
    let notice = if rules::clear(&state.store, &caller.actor(), &key, &action, part).await? {
        format!("{} is back to the configured value ({configured}).", threshold.label)
    } else {
        format!("{} already had the configured value ({configured}).", threshold.label)
    };
    Ok(see_other_with_notice("/admin/policy", &notice))
}

// ---- webhooks ----

struct VendorRow {
    vendor: &'static str,
    name: &'static str,
    proof: &'static str,
    /// Where the secret in force comes from: `database`, `configuration` or empty (off).
    source: &'static str,
    /// Whether the configuration has one too (shown when the database one wins).
    configured: bool,
    /// Who set the database value and when; empty when there is none.
    stored: String,
    error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_webhooks.html")]
struct WebhooksPage {
    chrome: Chrome,
    vendors: Vec<VendorRow>,
}

/// A new secret as typed (never shown back).
#[derive(Debug, Default, Deserialize)]
pub struct SecretForm {
    #[serde(default)]
    secret: String,
}

/// Shortest secret accepted.
const MIN_SECRET: usize = 16;
/// Longest secret accepted.
const MAX_SECRET: usize = 512;

fn vendor_words(vendor: &str) -> (&'static str, &'static str) {
    match vendor {
        "pagerduty" => ("PagerDuty", "Signing secret: HMAC-SHA256 of the body in X-PagerDuty-Signature"),
        "github" => ("GitHub", "Webhook secret: HMAC-SHA256 of the body in X-Hub-Signature-256"),
        "alertmanager" => ("Alertmanager", "Bearer token (http_config.authorization.credentials)"),
        "grafana" => ("Grafana", "Bearer token of the webhook contact point"),
        _ => ("Opsgenie", "Bearer token sent by the outgoing webhook"),
    }
}

async fn webhooks_page(
    state: &AppState,
    chrome: Chrome,
    error: Option<(&str, String)>,
) -> Result<WebhooksPage, PageError> {
    let stored = stored_by_key(state.store.stored_settings().await?, WEBHOOKS_PREFIX);
    let configured = serde_json::to_value(&state.settings.rules.webhooks).unwrap_or_default();
    let effective = serde_json::to_value(state.webhooks_in_force().await?).unwrap_or_default();
    let vendors = WEBHOOK_SECRETS
        .iter()
        .map(|&(vendor, field)| {
            let (name, proof) = vendor_words(vendor);
            let in_database = stored.get(field);
            let is_set = |v: &Value| v.get(field).and_then(Value::as_str).is_some_and(|s| !s.is_empty());
            let source = match (in_database.is_some() && is_set(&effective), is_set(&configured)) {
                (true, _) => "database",
                (false, true) => "configuration",
                (false, false) => "",
            };
            VendorRow {
                vendor,
                name,
                proof,
                source,
                configured: is_set(&configured),
                stored: in_database.map(set_by).unwrap_or_default(),
                error: error.as_ref().filter(|(v, _)| *v == vendor).map(|(_, e)| e.clone()).unwrap_or_default(),
            }
        })
        .collect();
    Ok(WebhooksPage { chrome, vendors })
}

/// The settings field holding `vendor`'s secret, or 404 for a vendor we do not know.
fn secret_field(vendor: &str) -> Result<&'static str, PageError> {
    WEBHOOK_SECRETS
        .iter()
        .find(|(v, _)| *v == vendor)
        .map(|(_, field)| *field)
        .ok_or_else(|| ApiError::NotFound(format!("no webhook for {vendor:?}")).into())
}

/// `GET /admin/webhooks`.
pub async fn webhooks(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
) -> Result<Response, PageError> {
    caller.require_admin()?;
    Ok(webhooks_page(&state, Chrome::of(&caller).with_notice(notice), None).await?.into_response())
}

async fn refused(state: &AppState, caller: &Caller, vendor: &str, error: String) -> Result<Response, PageError> {
    let page = webhooks_page(state, Chrome::of(caller), Some((vendor, error))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /admin/webhooks/{vendor}`: sets or rotates the database secret.
pub async fn set_secret(
    State(state): State<AppState>,
    Path(vendor): Path<String>,
    posted: Posted<SecretForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_admin()?;
    let field = secret_field(&vendor)?;
    let secret = form.secret.trim();
    let length = secret.chars().count();
    if !(MIN_SECRET..=MAX_SECRET).contains(&length) || secret.chars().any(char::is_whitespace) {
        let error = format!(
            "Secret: must be {MIN_SECRET} to {MAX_SECRET} characters without spaces (it was {length}); \
             it was not saved, so type it again"
        );
        return refused(&state, &caller, &vendor, error).await;
    }
    let key = format!("{WEBHOOKS_PREFIX}{field}");
    let action = format!("set the {vendor} webhook secret");
    let configured = &state.settings.rules;
    if let Err(e) = rules::put_secret(&state.store, &caller.actor(), configured, &key, secret, &action).await {
        let error = super::form_errors(e)?.join("; ");
        return refused(&state, &caller, &vendor, error).await;
    }
    let (name, _) = vendor_words(&vendor);
    let notice = format!("Saved a new {name} secret. The webhook checks against it from now on.");
    Ok(see_other_with_notice("/admin/webhooks", &notice))
}

/// `POST /admin/webhooks/{vendor}/clear`: removes the database secret; the configured
/// one, if any, is used again.
pub async fn clear_secret(
    State(state): State<AppState>,
    Path(vendor): Path<String>,
    posted: Posted<SecretForm>,
) -> Result<Response, PageError> {
    let Posted { caller, .. } = posted;
    caller.require_admin()?;
    let field = secret_field(&vendor)?;
    let (name, _) = vendor_words(&vendor);
    let key = format!("{WEBHOOKS_PREFIX}{field}");
    let action = format!("cleared the {vendor} webhook secret");
    let notice = if rules::clear(&state.store, &caller.actor(), &key, &action, "webhooks").await? {
        let configured = serde_json::to_value(&state.settings.rules.webhooks)
            .ok()
            .and_then(|v| v.get(field).and_then(Value::as_str).map(|s| !s.is_empty()))
            .unwrap_or(false);
        if configured {
            format!("Cleared the {name} secret set here; the configured one is in force again.")
        } else {
            format!("Cleared the {name} secret; the {name} webhook is off.")
        }
    } else {
        format!("There was no {name} secret set here.")
    };
    Ok(see_other_with_notice("/admin/webhooks", &notice))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_read_within_their_bounds() {
        let prolonged = &THRESHOLDS[1];
        assert_eq!(parse_threshold(prolonged, " 45 ").unwrap(), Value::from(45));
        assert!(parse_threshold(prolonged, "0").unwrap_err().contains("from 1 to 10080"));
        assert!(parse_threshold(prolonged, "an hour").is_err());
        assert_eq!(parse_threshold(&THRESHOLDS[0], "SEV3").unwrap(), Value::from("SEV3"));
        assert!(parse_threshold(&THRESHOLDS[0], "SEV9").is_err());
        let services = &THRESHOLDS[4];
        assert_eq!(parse_threshold(services, "db, auth").unwrap(), serde_json::json!(["db", "auth"]));
        assert_eq!(parse_threshold(services, "").unwrap(), serde_json::json!([]));
        assert!(parse_threshold(services, "Payments DB").is_err());
    }

    #[test]
    fn every_threshold_is_a_field_of_its_part_and_every_field_is_on_the_page() {
        let rules = hindsight_app::Rules::default();
        for prefix in [POLICY_PREFIX, REVIEW_PREFIX, READERS_PREFIX] {
            let fields = section_json(&rules, prefix);
            let on_page: Vec<_> = THRESHOLDS.iter().filter(|t| t.prefix == prefix).collect();
            for threshold in &on_page {
                assert!(fields.contains_key(threshold.key), "{prefix}{}", threshold.key);
            }
            assert_eq!(fields.len(), on_page.len(), "every field of {prefix} is on the page");
        }
        let teams = &THRESHOLDS[14];
        assert_eq!(
            parse_threshold(teams, "support, leadership").unwrap(),
            serde_json::json!(["support", "leadership"])
        );
        assert!(parse_threshold(teams, "Support Team").unwrap_err().contains("team slug"));
        assert!(parse_threshold(&THRESHOLDS[5], "11").is_err());
    }
}
