//! Timeline events: what happened during an incident, when, seen by which tool.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::word_enum;
use crate::validate::{MAX_SHORT, MAX_TEXT, ValidationErrors, is_slug};

word_enum! {
    /// What kind of thing happened.
    EventKind {
        Alert = "alert",
        Page = "page",
        Acknowledgement = "acknowledgement",
        Escalation = "escalation",
        Message = "message",
        StatusUpdate = "status_update",
        Deploy = "deploy",
        Rollback = "rollback",
        Action = "action",
        Milestone = "milestone",
        Note = "note",
    }
}

word_enum! {
    /// A moment the response is measured from, marked on the event that shows it.
    KeyMoment {
        ImpactStart = "impact_start",
        Detection = "detection",
        Acknowledgement = "acknowledgement",
        Escalation = "escalation",
        Mitigation = "mitigation",
        Resolution = "resolution",
    }
}

/// One thing that happened during an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TimelineEvent {
    pub id: String,
    /// Handle of the incident, e.g. `INC-42`.
    pub incident: String,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// The tool that saw it: `pagerduty`, `alertmanager`, `slack`, `github`, `manual`, …
    pub source: String,
    /// The source's own id of the event (or a hash of its content); unique per incident and source.
    pub external_id: String,
    pub kind: EventKind,
    /// Who or what acted, as the source names them.
    pub actor: Option<String>,
    pub text: String,
    pub key_moment: Option<KeyMoment>,
    /// Whether the raw payload this event came from is kept.
    #[serde(default)]
    pub has_raw_payload: bool,
    /// API path of that raw payload, when kept (the API writes it).
    #[serde(default)]
    pub raw_payload_url: Option<String>,
    /// Username of whoever recorded it by hand.
    pub created_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub version: i64,
}

/// What a caller sends to add an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTimelineEvent {
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    #[serde(default = "manual_source")]
    pub source: String,
    /// The source's own id of the event: posting the same source and id twice adds it once.
    #[serde(default)]
    pub external_id: Option<String>,
    pub kind: EventKind,
    #[serde(default)]
    pub actor: Option<String>,
    pub text: String,
    #[serde(default)]
    pub key_moment: Option<KeyMoment>,
    /// The payload the event was read from, kept verbatim for the record.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub raw_payload: Option<serde_json::Value>,
}

fn manual_source() -> String {
    "manual".to_string()
}

impl NewTimelineEvent {
    /// Checks every field; names each one at fault.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if !is_slug(&self.source) {
            errors.push("source", "must be a lower-case word such as manual, pagerduty or slack");
        }
        errors.text("text", &self.text, MAX_TEXT);
        errors.time("occurred_at", self.occurred_at);
        if let Some(id) = &self.external_id {
            errors.text("external_id", id, MAX_SHORT);
        }
        if let Some(actor) = &self.actor {
            errors.max_len("actor", actor, MAX_SHORT);
        }
        errors.into_result()
    }
}

/// A partial update of an event: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineEventPatch {
    pub version: i64,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub occurred_at: Option<OffsetDateTime>,
    pub kind: Option<EventKind>,
    pub actor: Option<String>,
    pub text: Option<String>,
    /// `null` clears the marker.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<KeyMoment>)]
    pub key_moment: Option<Option<KeyMoment>>,
}

pub(crate) fn double_option<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl TimelineEvent {
    /// Applies a patch and checks the result.
    pub fn apply(&mut self, patch: TimelineEventPatch) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if let Some(at) = patch.occurred_at {
            errors.time("occurred_at", at);
            self.occurred_at = at;
        }
        if let Some(kind) = patch.kind {
            self.kind = kind;
        }
        if let Some(actor) = patch.actor {
            errors.max_len("actor", &actor, MAX_SHORT);
            self.actor = Some(actor);
        }
        if let Some(text) = patch.text {
            errors.text("text", &text, MAX_TEXT);
            self.text = text;
        }
        if let Some(marker) = patch.key_moment {
            self.key_moment = marker;
        }
        errors.into_result()
    }
}
