//! Delivery beyond the inbox: email over SMTP (single notifications, or a daily digest),
//! and domain events to destinations (Slack and Microsoft Teams incoming webhooks, and
//! webhooks signed as the Standard Webhooks specification says). Admins add destinations
//! and see failed deliveries; each person chooses what they get by email.
//!
//! The worker's [`deliver_pass`] routes what is new into deliveries, claims a batch due
//! now, sends them at a bounded concurrency, and records each outcome: at least once,
//! with the same idempotency key on every try, retried with backoff, given up after
//! [`hindsight_core::MAX_ATTEMPTS`] tries (an admin may try again).

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::StreamExt;
use hindsight_core::events::DomainEvent;
use hindsight_core::{
    Channel, Delivery, DeliveryState, Destination, DestinationKind, EmailPreferences, NewDestination, Notification,
    NotificationKind, ValidationErrors, retry_delay,
};
use hindsight_store::{ClaimedDelivery, ClaimedTarget, DeliveryFilter, Outcome, SentEvent, Store, Ts};
use hmac::{Hmac, Mac};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::accounts::note;
use crate::secrets::SecretKey;
use crate::{Actor, AppError};

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or network.
    None,
}

/// Email: the configuration's `[email]`. With no `smtp_host`, nobody is emailed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailSettings {
    /// The SMTP server's host name; none turns email off.
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `starttls`, `tls` or `none`.
    pub security: SmtpSecurity,
    pub username: Option<String>,
    /// Best given as `HINDSIGHT_EMAIL__PASSWORD` rather than in the file.
    pub password: Option<String>,
    /// The sender, e.g. `Hindsight <hindsight@example.com>`.
    pub from: String,
    /// The hour (UTC, 0 to 23) from which each day's digests are sent.
    pub digest_hour: u8,
}

impl std::fmt::Debug for EmailSettings {
    /// Everything but the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("from", &self.from)
            .field("digest_hour", &self.digest_hour)
            .finish()
    }
}

impl Default for EmailSettings {
    fn default() -> EmailSettings {
        EmailSettings {
            smtp_host: None,
            smtp_port: 587,
            security: SmtpSecurity::Starttls,
            username: None,
            password: None,
            from: "Hindsight <hindsight@localhost>".into(),
            digest_hour: 8,
        }
    }
}

/// How deliveries are sent: the configuration's `[deliveries]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeliverySettings {
    /// Deliveries one pass claims (1 to 1,000).
    pub batch: i64,
    /// Deliveries sent at once (1 to 64).
    pub concurrency: usize,
    /// Seconds a send may take, connecting included, before it counts as failed (1 to 120).
    pub timeout_seconds: u64,
}

impl Default for DeliverySettings {
    fn default() -> DeliverySettings {
        DeliverySettings { batch: 200, concurrency: 8, timeout_seconds: 15 }
    }
}

impl DeliverySettings {
    /// Each value out of its range, named by its key.
    pub fn check(&self, email: &EmailSettings) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if !(1..=1_000).contains(&self.batch) {
            errors.push("deliveries.batch", "must be from 1 to 1000");
        }
        if !(1..=64).contains(&self.concurrency) {
            errors.push("deliveries.concurrency", "must be from 1 to 64");
        }
        if !(1..=120).contains(&self.timeout_seconds) {
            errors.push("deliveries.timeout_seconds", "must be from 1 to 120");
        }
        if email.digest_hour > 23 {
            errors.push("email.digest_hour", "must be from 0 to 23");
        }
        if email.from.parse::<Mailbox>().is_err() {
            errors.push("email.from", "must be an address, e.g. \"Hindsight <hindsight@example.com>\"");
        }
        if email.smtp_host.as_deref().is_some_and(|host| host.trim().is_empty()) {
            errors.push("email.smtp_host", "must not be empty; leave it out to turn email off");
        }
        if email.username.is_some() != email.password.is_some() {
            errors.push("email.username", "give both username and password, or neither");
        }
        errors.into_result()
    }
}

/// What sends deliveries: an HTTP client, the SMTP transport when email is on, the
/// server's secret key and the address people reach Hindsight at (for links).
#[derive(Clone)]
pub struct Deliverer {
    http: reqwest::Client,
    /// The SMTP transport and the sender, when email is on.
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    key: Option<SecretKey>,
    base_url: String,
    settings: DeliverySettings,
    digest_hour: u8,
    /// Slack's Web API, for destinations with a bot token.
    slack_api: String,
}

/// Slack's Web API.
const SLACK_API: &str = "https://slack.com/api";

impl std::fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deliverer").field("email", &self.smtp.is_some()).field("base_url", &self.base_url).finish()
    }
}

impl Default for Deliverer {
    /// Inbox only: no email, no secret key (no destination can be added), links to
    /// `http://localhost:8080`.
    fn default() -> Deliverer {
        let settings = DeliverySettings::default();
        Deliverer {
            http: http_client(&settings).unwrap_or_default(),
            smtp: None,
            key: None,
            base_url: "http://localhost:8080".into(),
            settings,
            digest_hour: EmailSettings::default().digest_hour,
            slack_api: SLACK_API.into(),
        }
    }
}

/// The HTTP client deliveries are sent with: bounded in time, following no redirect.
fn http_client(settings: &DeliverySettings) -> Result<reqwest::Client, String> {
    let timeout = Duration::from_secs(settings.timeout_seconds);
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Hindsight/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))
}

impl Deliverer {
    /// Sets up sending; `base_url` is where the links in messages point
    /// (`https://hindsight.example.com`). Email is on when `email` names a host and a
    /// secret key is given (its unsubscribe links are signed with it).
    pub fn new(
        settings: DeliverySettings,
        email: &EmailSettings,
        key: Option<SecretKey>,
        base_url: &str,
    ) -> Result<Deliverer, String> {
        settings.check(email).map_err(|e| e.to_string())?;
        let timeout = Duration::from_secs(settings.timeout_seconds);
        let http = http_client(&settings)?;
        let smtp = match (&email.smtp_host, &key) {
            (Some(host), Some(_)) => {
                let from = email.from.parse().map_err(|e| format!("email.from: {e}"))?;
                Some((smtp_transport(host, email, timeout)?, from))
            }
            (Some(_), None) => return Err("email needs secret_key (its unsubscribe links are signed)".into()),
            (None, _) => None,
        };
        let base_url = base_url.trim_end_matches('/').to_string();
        Ok(Deliverer {
            http,
            smtp,
            key,
            base_url,
            settings,
            digest_hour: email.digest_hour,
            slack_api: SLACK_API.into(),
        })
    }

    /// The same, with Slack's Web API at `url` rather than `https://slack.com/api` (a
    /// local server answering as Slack does, in tests).
    pub fn with_slack_api(mut self, url: &str) -> Deliverer {
        self.slack_api = url.trim_end_matches('/').to_string();
        self
    }

    /// Whether notifications are emailed.
    pub fn email_on(&self) -> bool {
        self.smtp.is_some()
    }

    /// Whether secrets can be sealed (destinations added) and links signed.
    pub fn has_key(&self) -> bool {
        self.key.is_some()
    }

    /// The HTTP client for talking to other tools: bounded in time, following no redirect.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Where people reach Hindsight, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How many sends a pass makes, and how many at once.
    pub(crate) fn settings(&self) -> &DeliverySettings {
        &self.settings
    }

    /// The secret key, or what to do without one.
    pub(crate) fn key(&self) -> Result<&SecretKey, AppError> {
        self.key.as_ref().ok_or_else(|| {
            AppError::Invalid(ValidationErrors::single(
                "secret_key",
                "this server has no secret_key to seal secrets with: make one with `hindsight config secret-key` \
                 and set it as secret_key in hindsight.toml or HINDSIGHT_SECRET_KEY",
            ))
        })
    }
}

fn smtp_transport(
    host: &str,
    email: &EmailSettings,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let tls = |host: &str| TlsParameters::new(host.into()).map_err(|e| format!("email: TLS for {host}: {e}"));
    let security = match email.security {
        SmtpSecurity::Starttls => Tls::Required(tls(host)?),
        SmtpSecurity::Tls => Tls::Wrapper(tls(host)?),
        SmtpSecurity::None => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(email.smtp_port)
        .tls(security)
        .timeout(Some(timeout));
    if let (Some(username), Some(password)) = (&email.username, &email.password) {
        builder = builder.credentials(Credentials::new(username.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// What one delivery pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Deliveries made from outbox events and notifications.
    pub routed: u64,
    /// Digests made.
    pub digests: u64,
    pub delivered: u64,
    /// Failed this time (tried again later, or given up).
    pub failed: u64,
    pub dropped: u64,
}

/// Outbox events routed by one transaction.
const ROUTE_BATCH: i64 = 500;

/// One delivery pass of worker `owner` at `now`: routes what is new, makes the day's
/// digests once their hour has come, then claims and sends at most a batch of what is due.
pub async fn deliver_pass(
    store: &Store,
    owner: &str,
    deliverer: &Deliverer,
    now: OffsetDateTime,
) -> Result<DeliveryReport, AppError> {
    let mut report = DeliveryReport::default();
    // Long enough to send the whole batch, each send taking its longest: another server
    // claims what this one holds only once it has surely stopped.
    let settings = &deliverer.settings;
    let rounds = (settings.batch.max(1) as u64).div_ceil(settings.concurrency.max(1) as u64);
    let lease = Ts::from(now + Duration::from_secs(rounds * settings.timeout_seconds + 30));
    // The router's lease is renewed by every pass of its holder: a short one hands routing
    // to another server soon after this one stops.
    let route_lease = Ts::from(now + Duration::from_secs(60));
    while let Some(batch) = store.route_events(owner, Ts::from(now), route_lease, ROUTE_BATCH).await? {
        report.routed += batch.deliveries;
        if batch.events < ROUTE_BATCH as usize {
            break;
        }
    }
    loop {
        let routed = store.route_notifications(deliverer.email_on(), Ts::from(now), ROUTE_BATCH).await?;
        if routed < ROUTE_BATCH as u64 {
            break;
        }
    }
    if deliverer.email_on() && now.hour() >= deliverer.digest_hour {
        report.digests = store.bundle_digests(now.date(), Ts::from(now)).await?;
    }
    let claimed = store.claim_deliveries(owner, Ts::from(now), lease, deliverer.settings.batch).await?;
    if claimed.is_empty() {
        return Ok(report);
    }
    let emails: Vec<i64> =
        claimed.iter().filter(|d| matches!(d.to, ClaimedTarget::Email { .. })).map(|d| d.id).collect();
    let mut told = store.emails_of(&emails).await?;
    // Each delivery with what it tells, owned, so that sends can run at once.
    let jobs: Vec<(ClaimedDelivery, Vec<Notification>)> = claimed
        .into_iter()
        .map(|delivery| {
            let (mine, rest) = told.drain(..).partition(|(id, _)| *id == delivery.id);
            told = rest;
            let mine: Vec<Notification> = mine.into_iter().map(|(_, n): (i64, Notification)| n).collect();
            (delivery, mine)
        })
        .collect();
    let outcomes: Vec<(i64, Outcome)> = futures_util::stream::iter(jobs)
        .map(|(delivery, notifications)| async move {
            let notifications: Vec<&Notification> = notifications.iter().collect();
            (delivery.id, send(deliverer, &delivery, &notifications).await)
        })
        .buffer_unordered(deliverer.settings.concurrency)
        .collect()
        .await;
    for (_, outcome) in &outcomes {
        match outcome {
            Outcome::Delivered => report.delivered += 1,
            Outcome::Failed { .. } => report.failed += 1,
            Outcome::Dropped { .. } => report.dropped += 1,
        }
    }
    store.finish_deliveries(owner, &outcomes, Ts::now()).await?;
    Ok(report)
}

/// Sends one delivery, and says how it went.
async fn send(deliverer: &Deliverer, delivery: &ClaimedDelivery, told: &[&Notification]) -> Outcome {
    let sent = match &delivery.to {
        ClaimedTarget::Email { user_id, username, display_name, address, digest } => {
            let Some(address) = address.as_deref().filter(|a| !a.is_empty()) else {
                return Outcome::Dropped { reason: format!("{username} has no email address now") };
            };
            if told.is_empty() {
                return Outcome::Dropped { reason: "what it told of is gone, or no longer visible to them".into() };
            }
            let to = EmailTo { user_id, display_name, address, digest: *digest };
            send_email(deliverer, delivery, &to, told).await
        }
        ClaimedTarget::Event { event: None, .. } => {
            return Outcome::Dropped { reason: "the event's incident is gone or private now".into() };
        }
        ClaimedTarget::Event { sealed_url, sealed_key, event: Some(event), .. } => {
            send_event(deliverer, delivery, sealed_url, sealed_key.as_deref(), event).await
        }
    };
    match sent {
        Ok(()) => Outcome::Delivered,
        Err(error) => {
            let retry_at = Ts::from(OffsetDateTime::now_utc() + retry_delay(delivery.attempts + 1));
            Outcome::Failed { error, retry_at }
        }
    }
}

/// The Standard Webhooks `type` of an event: its kind with a dot before the last word,
/// `postmortem.published`, `action_item.created`.
pub fn webhook_type(event: &DomainEvent) -> String {
    let kind = event.kind().as_str();
    match kind.rfind('_') {
        Some(at) => format!("{}.{}", &kind[..at], &kind[at + 1..]),
        None => kind.to_string(),
    }
}

/// The signature of a webhook as Standard Webhooks says: `v1,` and base64 of HMAC-SHA256,
/// keyed with the secret's bytes (after `whsec_`), of `id.timestamp.body`.
pub fn webhook_signature(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String, String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| "the destination's signing key is not base64".to_string())?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC accepts keys of any length");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// A new Standard Webhooks signing secret: `whsec_` and base64 of 32 random bytes.
pub(crate) fn new_signing_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// The link to an incident.
fn incident_url(base: &str, incident: &str) -> String {
    format!("{base}/incidents/{incident}")
}

/// Slack's text escaping: `&`, `<` and `>` are control characters in its markup.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The body a destination of `kind` receives for `event`.
pub fn event_body(kind: DestinationKind, base_url: &str, event: &SentEvent) -> serde_json::Value {
    let incident = event.event.incident();
    let url = incident_url(base_url, incident);
    let sentence = event.event.sentence(&event.incident_title);
    match kind {
        DestinationKind::Slack => serde_json::json!({
            "text": format!("{} <{url}|Open {incident}>", slack_escape(&sentence)),
        }),
        DestinationKind::Teams => serde_json::json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [{ "type": "TextBlock", "text": sentence, "wrap": true }],
                    "actions": [{ "type": "Action.OpenUrl", "title": format!("Open {incident}"), "url": url }],
                },
            }],
        }),
        DestinationKind::Webhook => {
            let mut data = serde_json::to_value(&event.event).unwrap_or_default();
            if let Some(fields) = data.as_object_mut() {
                fields.insert("event_id".into(), event.id.into());
                fields.insert("incident_title".into(), event.incident_title.clone().into());
                fields.insert("url".into(), url.into());
            }
            let at = event.at.get().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
            serde_json::json!({ "type": webhook_type(&event.event), "timestamp": at, "data": data })
        }
    }
}

async fn send_event(
    deliverer: &Deliverer,
    delivery: &ClaimedDelivery,
    sealed_url: &str,
    sealed_key: Option<&str>,
    event: &SentEvent,
) -> Result<(), String> {
    let key = deliverer.key.as_ref().ok_or("this server has no secret_key to open the destination's address with")?;
    let url = key.open(sealed_url)?;
    let kind = match delivery.channel {
        Channel::Slack => DestinationKind::Slack,
        Channel::Teams => DestinationKind::Teams,
        Channel::Webhook => DestinationKind::Webhook,
        Channel::Email => return Err("an email is not a destination's delivery".into()),
    };
    if let (DestinationKind::Slack, Some(sealed_token)) = (kind, sealed_key) {
        return post_to_slack(deliverer, &url, &key.open(sealed_token)?, event).await;
    }
    let body = event_body(kind, &deliverer.base_url, event).to_string();
    let mut request = deliverer.http.post(&url).header("content-type", "application/json");
    if kind == DestinationKind::Webhook {
        let timestamp = OffsetDateTime::now_utc().unix_timestamp();
        request = request.header("webhook-id", &delivery.key).header("webhook-timestamp", timestamp.to_string());
        if let Some(sealed_key) = sealed_key {
            let signature = webhook_signature(&key.open(sealed_key)?, &delivery.key, timestamp, &body)?;
            request = request.header("webhook-signature", signature);
        }
    }
    // The address is a secret (a Slack or Teams webhook's is its credential): errors
    // never name it.
    let response = request.body(body).send().await.map_err(|e| e.without_url().to_string())?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let text = response.text().await.unwrap_or_default();
    let text: String = text.chars().take(200).collect();
    Err(format!("HTTP {}: {}", status.as_u16(), text.trim()))
}

/// Posts an event to a Slack `channel` as a bot, with `chat.postMessage`. Slack answers
/// 200 with `"ok": false` and the error's name when it refuses, and 429 with
/// `Retry-After` when the bot posts too often.
async fn post_to_slack(deliverer: &Deliverer, channel: &str, token: &str, event: &SentEvent) -> Result<(), String> {
    let mut body = event_body(DestinationKind::Slack, &deliverer.base_url, event);
    body["channel"] = channel.into();
    body["unfurl_links"] = false.into();
    let response = deliverer
        .http
        .post(format!("{}/chat.postMessage", deliverer.slack_api))
        .bearer_auth(token)
        .header("content-type", "application/json; charset=utf-8")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| format!("Slack: {}", e.without_url()))?;
    let status = response.status();
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        let wait = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).unwrap_or("?").to_string();
        return Err(format!("Slack: rate limited, retry after {wait} s"));
    }
    let text = response.text().await.unwrap_or_default();
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    if status.is_success() && answer["ok"] == true {
        return Ok(());
    }
    let error = answer["error"].as_str().map(str::to_string).unwrap_or_else(|| text.chars().take(200).collect());
    Err(format!("Slack: HTTP {}: {error}", status.as_u16()))
}

/// The subject, plain text and HTML of an email telling of `told`.
pub fn email_text(base_url: &str, told: &[&Notification], digest: bool, unsubscribe: &str) -> (String, String, String) {
    let subject = match (digest, told) {
        (false, [one]) => format!("[Hindsight] {}", one.sentence()),
        _ => format!("[Hindsight] Your digest: {} notification{}", told.len(), if told.len() == 1 { "" } else { "s" }),
    };
    let subject: String = subject.chars().take(200).collect();
    let mut text = String::new();
    let mut html = String::from("<!doctype html><html><body style=\"font-family:sans-serif\">");
    for notification in told {
        let url = incident_url(base_url, &notification.incident);
        let sentence = notification.sentence();
        text.push_str(&format!("{sentence}\n{url}\n\n"));
        html.push_str(&format!(
            "<p>{}<br><a href=\"{}\">Open {}</a></p>",
            html_escape(&sentence),
            html_escape(&url),
            html_escape(&notification.incident)
        ));
    }
    let inbox = format!("{base_url}/inbox");
    text.push_str(&format!("Your inbox: {inbox}\nStop these emails: {unsubscribe}\n"));
    html.push_str(&format!(
        "<p style=\"color:#555;font-size:small\"><a href=\"{}\">Your inbox</a> · <a href=\"{}\">Stop these emails</a></p></body></html>",
        html_escape(&inbox),
        html_escape(unsubscribe)
    ));
    (subject, text, html)
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// What an unsubscribe link stops: one kind of email, or all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsubscribe {
    Kind(NotificationKind),
    All,
}

impl Unsubscribe {
    fn word(self) -> &'static str {
        match self {
            Unsubscribe::Kind(kind) => kind.as_str(),
            Unsubscribe::All => "all",
        }
    }
}

const UNSUBSCRIBE: &str = "unsubscribe";

/// The token of an unsubscribe link for user `user_id`: `user.what.signature`.
pub fn unsubscribe_token(key: &SecretKey, user_id: &str, what: Unsubscribe) -> String {
    let message = format!("{user_id}.{}", what.word());
    format!("{message}.{}", key.sign(UNSUBSCRIBE, &message))
}

/// The user and what an unsubscribe token stops, when its signature holds.
fn read_unsubscribe_token(key: &SecretKey, token: &str) -> Option<(String, Unsubscribe)> {
    if token.len() > 300 {
        return None;
    }
    let (message, signature) = token.rsplit_once('.')?;
    let (user_id, what) = message.split_once('.')?;
    if !key.verify(UNSUBSCRIBE, message, signature) {
        return None;
    }
    let what = match what {
        "all" => Unsubscribe::All,
        kind => Unsubscribe::Kind(kind.parse().ok()?),
    };
    Some((user_id.to_string(), what))
}

/// What an unsubscribe link stops, for the page that asks to confirm it.
pub fn unsubscribe_of(deliverer: &Deliverer, token: &str) -> Result<Unsubscribe, AppError> {
    let key = deliverer.key()?;
    read_unsubscribe_token(key, token)
        .map(|(_, what)| what)
        .ok_or_else(|| AppError::Invalid(ValidationErrors::single("token", "this unsubscribe link is not valid")))
}

/// Follows an unsubscribe link: no more emails of its kind (or none at all) to its person.
/// Needs no sign-in: the link's signature is the proof.
pub async fn unsubscribe(store: &Store, deliverer: &Deliverer, token: &str) -> Result<Unsubscribe, AppError> {
    let key = deliverer.key()?;
    let (user_id, what) = read_unsubscribe_token(key, token)
        .ok_or_else(|| AppError::Invalid(ValidationErrors::single("token", "this unsubscribe link is not valid")))?;
    let kinds: Vec<NotificationKind> = match what {
        Unsubscribe::Kind(kind) => vec![kind],
        Unsubscribe::All => NotificationKind::ALL.to_vec(),
    };
    for kind in kinds {
        store.mute_email(&user_id, kind).await?;
    }
    Ok(what)
}

/// Whom an email goes to.
struct EmailTo<'a> {
    user_id: &'a str,
    display_name: &'a str,
    address: &'a str,
    /// A digest rather than one notification.
    digest: bool,
}

async fn send_email(
    deliverer: &Deliverer,
    delivery: &ClaimedDelivery,
    to: &EmailTo<'_>,
    told: &[&Notification],
) -> Result<(), String> {
    let EmailTo { user_id, display_name, address, digest } = *to;
    let (Some((smtp, from)), Some(key)) = (&deliverer.smtp, &deliverer.key) else {
        return Err("email is off on this server (no [email] smtp_host)".into());
    };
    let what = match (digest, told) {
        (false, [one]) => Unsubscribe::Kind(one.kind),
        _ => Unsubscribe::All,
    };
    let unsubscribe = format!("{}/unsubscribe/{}", deliverer.base_url, unsubscribe_token(key, user_id, what));
    let (subject, text, html) = email_text(&deliverer.base_url, told, digest, &unsubscribe);
    let to =
        Mailbox::new(Some(display_name.to_string()), address.parse().map_err(|e| format!("address {address:?}: {e}"))?);
    let message_id = format!("<{}.{}@hindsight>", delivery.key.replace(':', "."), user_id);
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(message_id))
        .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{unsubscribe}>")))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".into(),
        ))
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html)),
        )
        .map_err(|e| format!("cannot build the email: {e}"))?;
    smtp.send(message).await.map(|_| ()).map_err(|e| format!("SMTP: {e}"))
}

/// A destination just added, with its signing secret: shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AddedDestination {
    pub destination: Destination,
    /// For a webhook: the `whsec_…` secret its signatures are made with, to give the
    /// receiver. It is never shown again.
    pub signing_secret: Option<String>,
}

/// Adds a destination (admins only): its address, and a webhook's new signing secret, are
/// sealed before they are stored.
pub async fn add_destination(
    store: &Store,
    actor: &Actor,
    deliverer: &Deliverer,
    new: &NewDestination,
) -> Result<AddedDestination, AppError> {
    actor.require_admin()?;
    new.validate().map_err(AppError::Invalid)?;
    let key = deliverer.key()?;
    let signing_secret = (new.kind == DestinationKind::Webhook).then(new_signing_secret);
    // A webhook's signing secret, or a Slack destination's bot token.
    let sealed_key = signing_secret.as_deref().or(new.token.as_deref().map(str::trim)).map(|secret| key.seal(secret));
    let note = note(actor, "added destination", new.name.trim());
    let destination = store.add_destination(new, &key.seal(new.url.trim()), sealed_key.as_deref(), &note).await?;
    Ok(AddedDestination { destination, signing_secret })
}

/// Every destination (admins only).
pub async fn destinations(store: &Store, actor: &Actor) -> Result<Vec<Destination>, AppError> {
    actor.require_admin()?;
    Ok(store.destinations().await?)
}

/// Removes destination `id` and what it had still to send (admins only).
pub async fn remove_destination(store: &Store, actor: &Actor, id: &str) -> Result<(), AppError> {
    actor.require_admin()?;
    if !store.remove_destination(id, &note(actor, "removed destination", id)).await? {
        return Err(hindsight_store::StoreError::NotFound(format!("destination {id}")).into());
    }
    Ok(())
}

/// A page of deliveries, newest first (admins only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<Delivery>,
    /// Pending and failed deliveries in all.
    pub pending: i64,
    pub failed: i64,
    /// Pass back as `before` for the next page; absent on the last.
    pub next_before: Option<i64>,
}

/// Deliveries in `state` (all when none), at most `limit` (1 to 200), admins only.
pub async fn deliveries(
    store: &Store,
    actor: &Actor,
    state: Option<DeliveryState>,
    before: Option<i64>,
    limit: i64,
) -> Result<DeliveryPage, AppError> {
    actor.require_admin()?;
    if !(1..=hindsight_store::MAX_PAGE).contains(&limit) {
        return Err(AppError::Invalid(ValidationErrors::single(
            "limit",
            format!("must be from 1 to {}", hindsight_store::MAX_PAGE),
        )));
    }
    let items = store.deliveries(&DeliveryFilter { state, before }, limit).await?;
    let next_before = (items.len() as i64 == limit).then(|| items.last().map(|d| d.id)).flatten();
    let (pending, failed) = store.delivery_counts().await?;
    Ok(DeliveryPage { items, pending, failed, next_before })
}

/// Tries failed delivery `id` again now (admins only).
pub async fn retry_delivery(store: &Store, actor: &Actor, id: i64) -> Result<(), AppError> {
    actor.require_admin()?;
    let note = note(actor, "retried delivery", &id.to_string());
    Ok(store.retry_delivery(id, Ts::now(), &note).await?)
}

/// The person's own email preferences; the operator has none.
pub async fn email_preferences(store: &Store, actor: &Actor) -> Result<EmailPreferences, AppError> {
    let viewer = actor.viewer();
    let user = viewer.actor_id().ok_or_else(|| AppError::Forbidden("the operator receives no email".into()))?;
    Ok(store.email_preferences(user).await?)
}

/// Replaces the person's own email preferences.
pub async fn set_email_preferences(
    store: &Store,
    actor: &Actor,
    preferences: &EmailPreferences,
) -> Result<EmailPreferences, AppError> {
    preferences.validate().map_err(AppError::Invalid)?;
    let viewer = actor.viewer();
    let user = viewer.actor_id().ok_or_else(|| AppError::Forbidden("the operator receives no email".into()))?;
    store.set_email_preferences(user, preferences).await?;
    Ok(store.email_preferences(user).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_signature_is_the_standard_webhooks_one() {
        // The example of the Standard Webhooks reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        let signature = webhook_signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(webhook_signature("whsec_not base64!", "id", 1, body).is_err());
    }

    #[test]
    fn an_unsubscribe_token_stops_what_it_names_for_whom_it_names() {
        let key = SecretKey::from_base64(&SecretKey::generate()).unwrap();
        let token = unsubscribe_token(&key, "u1", Unsubscribe::Kind(NotificationKind::Mentioned));
        assert_eq!(
            read_unsubscribe_token(&key, &token),
            Some(("u1".to_string(), Unsubscribe::Kind(NotificationKind::Mentioned)))
        );
        let forged = token.replace("u1.", "u2.");
        assert_eq!(read_unsubscribe_token(&key, &forged), None);
        let other = SecretKey::from_base64(&SecretKey::generate()).unwrap();
        assert_eq!(read_unsubscribe_token(&other, &token), None);
        assert_eq!(read_unsubscribe_token(&key, &"a".repeat(400)), None);
        let all = unsubscribe_token(&key, "u1", Unsubscribe::All);
        assert_eq!(read_unsubscribe_token(&key, &all), Some(("u1".to_string(), Unsubscribe::All)));
    }

    #[test]
    fn the_smtp_password_never_shows_in_a_debug_print() {
        let email = EmailSettings {
            username: Some("hindsight".into()),
            password: Some("hunter2-smtp".into()),
            ..EmailSettings::default()
        };
        let printed = format!("{email:?}");
        assert!(printed.contains("hindsight") && !printed.contains("hunter2"), "{printed}");
    }

    #[test]
    fn webhook_types_put_a_dot_before_the_last_word() {
        let event = DomainEvent::ActionItemCreated {
            incident: "INC-7".into(),
            action_item: "a1".into(),
            title: "Alert".into(),
            owner: None,
            owner_team: None,
            due_date: None,
        };
        assert_eq!(webhook_type(&event), "action_item.created");
    }
}
