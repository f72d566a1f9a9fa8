//! Delivery beyond the inbox: destinations domain events go out to (Slack, Microsoft
//! Teams, signed webhooks), the messages sent (deliveries) with their state, and what each
//! person wants by email. The sending is the application's; the shapes and the rules
//! (what a destination may be, when a failed delivery is tried again) are here.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::word_enum;
use crate::NotificationKind;
use crate::events::DomainEventKind;
use crate::validate::{ValidationErrors, is_slug};

word_enum! {
    /// Where a destination's messages go.
    DestinationKind {
        /// A Slack incoming webhook: a message to one channel.
        Slack = "slack",
        /// A Microsoft Teams incoming webhook (Workflows): an Adaptive Card to one channel.
        Teams = "teams",
        /// Any HTTP endpoint: the event as JSON, signed as the Standard Webhooks
        /// specification says.
        Webhook = "webhook",
    }
}

word_enum! {
    /// How a delivery is sent.
    Channel {
        Email = "email",
        Slack = "slack",
        Teams = "teams",
        Webhook = "webhook",
    }
}

word_enum! {
    /// Where a delivery stands.
    DeliveryState {
        /// An email waiting for its person's daily digest.
        Held = "held",
        /// Being put in a digest (for an instant, inside one transaction).
        Bundling = "bundling",
        /// Sent as part of a digest (see its `digest`).
        Bundled = "bundled",
        /// To be sent at `next_at`, or being sent.
        Pending = "pending",
        /// The receiver acknowledged it.
        Delivered = "delivered",
        /// Given up after its tries; an admin may try it again.
        Failed = "failed",
        /// Not sent, and never will be: what it was about is gone or no longer visible to
        /// its recipient.
        Dropped = "dropped",
    }
}

/// Most destinations an installation has.
pub const MAX_DESTINATIONS: usize = 200;

/// Tries a delivery gets before it is given up (about a day, with [`retry_delay`]).
pub const MAX_ATTEMPTS: i32 = 12;

/// How long to wait before trying a delivery again after its `attempts`-th failure:
/// 30 seconds doubled at each failure, at most 6 hours.
pub fn retry_delay(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 20) - 1;
    Duration::from_secs(30u64.saturating_mul(1 << doublings)).min(Duration::from_secs(6 * 3600))
}

/// A destination as admins see it; its address and key are never shown again once saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Destination {
    pub id: String,
    pub name: String,
    pub kind: DestinationKind,
    /// Only events of incidents this team is named on; none: every incident's.
    pub team: Option<String>,
    /// Only events of these kinds; empty: every kind.
    pub events: Vec<DomainEventKind>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A destination as an admin adds it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDestination {
    /// A name people know it by, e.g. `#payments-incidents` (1 to 100 characters).
    pub name: String,
    pub kind: DestinationKind,
    /// The incoming webhook's or endpoint's address, `https://…` (or `http://…`): at
    /// most 2,000 characters. It is stored sealed and never shown again.
    pub url: String,
    /// Slug of a team: only events of incidents naming it.
    #[serde(default)]
    pub team: Option<String>,
    /// Kinds of events to send; empty: every kind.
    #[serde(default)]
    pub events: Vec<DomainEventKind>,
    /// For Slack: a bot token (`xoxb-…`, with the `chat:write` scope) instead of an incoming
    /// webhook. Then `url` is the channel (`#payments-incidents`, or its id `C0123ABCD`) and
    /// messages go through `chat.postMessage`. Stored sealed, never shown again.
    #[serde(default)]
    pub token: Option<String>,
}

/// Longest destination address accepted.
pub const MAX_URL_CHARS: usize = 2_000;

impl NewDestination {
    /// Checks each field, naming the one at fault.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.text("name", &self.name, 100);
        match (&self.token, self.kind) {
            (Some(token), DestinationKind::Slack) => {
                let token = token.trim();
                if !token.starts_with("xox") || token.len() > 500 || token.chars().any(|c| !c.is_ascii_graphic()) {
                    errors.push("token", "must be a Slack bot token, xoxb-…");
                }
                if !is_slack_channel(self.url.trim()) {
                    errors.push("url", "with a bot token, give the channel: #name, or its id (C0123ABCD)");
                }
            }
            (Some(_), _) => errors.push("token", "only a Slack destination takes a bot token"),
            (None, _) if self.url.chars().count() > MAX_URL_CHARS => {
                errors.push("url", format!("must be at most {MAX_URL_CHARS} characters"))
            }
            (None, _) if !is_http_url(&self.url) => {
                errors.push("url", "must be an address starting with https:// (or http://), with a host")
            }
            (None, _) => {}
        }
        if let Some(team) = &self.team
            && !is_slug(team)
        {
            errors.push("team", format!("{team:?} is not a team's slug"));
        }
        if self.events.len() > DomainEventKind::ALL.len() {
            errors.push("events", format!("at most {} kinds", DomainEventKind::ALL.len()));
        }
        errors.into_result()
    }
}

/// Whether `channel` names a Slack channel: `#name` (lower-case letters, digits, `-` and
/// `_`, at most 80) or an id (`C0123ABCD`: capitals and digits).
fn is_slack_channel(channel: &str) -> bool {
    match channel.strip_prefix('#') {
        Some(name) => {
            (1..=80).contains(&name.len())
                && name.chars().all(|c| c.is_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        }
        None => {
            (9..=20).contains(&channel.len()) && channel.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        }
    }
}

/// Whether `url` is an absolute `http(s)://host…` address with no spaces or control
/// characters.
pub(crate) fn is_http_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

/// A delivery as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    /// Its idempotency key, sent with it (`webhook-id`, the email's `Message-ID`): a
    /// receiver that sees one twice has it already.
    pub key: String,
    pub channel: Channel,
    pub state: DeliveryState,
    /// Name of the destination it goes to, for a chat or webhook delivery.
    pub destination: Option<String>,
    /// Username of the person it goes to, for an email.
    pub recipient: Option<String>,
    /// Tries so far.
    pub attempts: i32,
    /// When it is tried next, while pending.
    #[serde(with = "time::serde::rfc3339")]
    pub next_at: OffsetDateTime,
    /// What went wrong the last time it failed.
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
}

/// What a person wants by email.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailPreferences {
    /// One email a day listing what happened, instead of one email each.
    #[serde(default)]
    pub digest: bool,
    /// Kinds never sent by email (they still reach the inbox).
    #[serde(default)]
    pub muted: Vec<NotificationKind>,
}

impl EmailPreferences {
    /// Checks the number of kinds.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.muted.len() > NotificationKind::ALL.len() {
            errors.push("muted", format!("at most {} kinds", NotificationKind::ALL.len()));
        }
        errors.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_six_hours() {
        assert_eq!(retry_delay(1), Duration::from_secs(30));
        assert_eq!(retry_delay(2), Duration::from_secs(60));
        assert_eq!(retry_delay(5), Duration::from_secs(480));
        assert_eq!(retry_delay(MAX_ATTEMPTS), Duration::from_secs(6 * 3600));
        assert_eq!(retry_delay(i32::MAX), Duration::from_secs(6 * 3600));
        let total: Duration = (1..MAX_ATTEMPTS).map(retry_delay).sum();
        assert!(total > Duration::from_secs(12 * 3600) && total < Duration::from_secs(48 * 3600), "{total:?}");
    }

    fn a_destination(url: &str) -> NewDestination {
        NewDestination {
            name: "#payments".into(),
            kind: DestinationKind::Slack,
            url: url.into(),
            team: Some("payments".into()),
            events: vec![DomainEventKind::PostmortemPublished],
            token: None,
        }
    }

    #[test]
    fn a_destination_needs_an_http_address_with_a_host() {
        assert!(a_destination("https://hooks.slack.com/services/T0/B0/x").validate().is_ok());
        assert!(a_destination("http://127.0.0.1:9000/hook").validate().is_ok());
        for bad in ["", "hooks.slack.com/x", "ftp://host/x", "https://", "https:///path", "https://host/a b"] {
            let errors = a_destination(bad).validate().unwrap_err();
            assert_eq!(errors.0[0].field, "url", "{bad:?}");
        }
        let long = format!("https://host/{}", "a".repeat(MAX_URL_CHARS));
        assert!(a_destination(&long).validate().unwrap_err().0[0].message.contains("2000"));
        let mut bad_team = a_destination("https://host/x");
        bad_team.team = Some("Not A Slug".into());
        assert_eq!(bad_team.validate().unwrap_err().0[0].field, "team");
    }

    #[test]
    fn a_slack_bot_token_goes_with_a_channel() {
        let bot = |channel: &str, token: &str| NewDestination { token: Some(token.into()), ..a_destination(channel) };
        assert!(bot("#payments-incidents", "xoxb-1-2-abc").validate().is_ok());
        assert!(bot("C0123ABCD", "xoxb-1-2-abc").validate().is_ok());
        let fields = |d: NewDestination| d.validate().unwrap_err().0.into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields(bot("https://hooks.slack.com/services/T/B/x", "xoxb-1")), ["url"]);
        assert_eq!(fields(bot("#Payments", "xoxb-1")), ["url"]);
        assert_eq!(fields(bot("#payments", "not a token")), ["token"]);
        let teams = NewDestination { kind: DestinationKind::Teams, ..bot("#payments", "xoxb-1") };
        assert_eq!(fields(teams), ["token"]);
    }
}
