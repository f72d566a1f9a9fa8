//! Action items: the work a post-mortem asks for, owned and dated.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::timeline::double_option;
use super::word_enum;
use crate::validate::{MAX_SHORT, MAX_TEXT, ValidationErrors, is_slug};

word_enum! {
    /// What an action item is for.
    ActionItemKind {
        FixRootCause = "fix_root_cause",
        ImproveResponse = "improve_response",
        MitigateFutureImpact = "mitigate_future_impact",
        DamageControl = "damage_control",
    }
}

word_enum! {
    /// How urgent an action item is.
    Priority {
        P1 = "p1",
        P2 = "p2",
        P3 = "p3",
        P4 = "p4",
    }
}

word_enum! {
    /// Where an action item stands.
    ActionItemStatus {
        Open = "open",
        InProgress = "in_progress",
        Done = "done",
        WontDo = "wont_do",
    }
}

/// An action item as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionItem {
    pub id: String,
    /// Handle of the incident it came from.
    pub incident: String,
    pub title: String,
    pub description: String,
    pub kind: ActionItemKind,
    /// Username of the owner, if a person owns it.
    pub owner: Option<String>,
    /// Slug of the owning team, if a team owns it.
    pub owner_team: Option<String>,
    pub priority: Priority,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    pub status: ActionItemStatus,
    /// Link to the issue in an external tracker.
    pub tracker_url: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// When it was closed (done or won't do); none while it is open.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<OffsetDateTime>,
    pub version: i64,
}

/// What a caller sends to add an action item to an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActionItem {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub kind: ActionItemKind,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub owner_team: Option<String>,
    #[serde(default = "default_priority")]
    pub priority: Priority,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    #[serde(default = "default_status")]
    pub status: ActionItemStatus,
    #[serde(default)]
    pub tracker_url: Option<String>,
    /// When an item recorded as done or won't do was closed, for one recorded after the
    /// fact (whether its fix held is read from it); now when left out.
    #[serde(default, with = "time::serde::rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<OffsetDateTime>,
}

fn default_priority() -> Priority {
    Priority::P3
}

fn default_status() -> ActionItemStatus {
    ActionItemStatus::Open
}

fn validate_common(
    title: &str,
    description: &str,
    owner_team: Option<&str>,
    tracker_url: Option<&str>,
    errors: &mut ValidationErrors,
) {
    errors.text("title", title, MAX_SHORT);
    errors.max_len("description", description, MAX_TEXT);
    if owner_team.is_some_and(|team| !is_slug(team)) {
        errors.push("owner_team", "must be a team slug");
    }
    if tracker_url.is_some_and(|url| !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2000) {
        errors.push("tracker_url", "must be an http(s) URL of at most 2000 characters");
    }
}

impl NewActionItem {
    /// Checks every field; names each one at fault.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        validate_common(
            &self.title,
            &self.description,
            self.owner_team.as_deref(),
            self.tracker_url.as_deref(),
            &mut errors,
        );
        if let Some(due) = self.due_date {
            errors.date("due_date", due);
        }
        if let Some(closed_at) = self.closed_at {
            if !matches!(self.status, ActionItemStatus::Done | ActionItemStatus::WontDo) {
                errors.push("closed_at", "only an item that is done or won't do was closed");
            } else {
                errors.time("closed_at", closed_at);
            }
        }
        errors.into_result()
    }
}

/// A partial update: absent fields stay, `null` clears the optional ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionItemPatch {
    pub version: i64,
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<ActionItemKind>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub owner: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub owner_team: Option<Option<String>>,
    pub priority: Option<Priority>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Option<Date>>,
    pub status: Option<ActionItemStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub tracker_url: Option<Option<String>>,
}

impl ActionItem {
    /// Applies a patch and checks the result.
    pub fn apply(&mut self, patch: ActionItemPatch) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if let Some(v) = patch.title {
            self.title = v;
        }
        if let Some(v) = patch.description {
            self.description = v;
        }
        if let Some(v) = patch.kind {
            self.kind = v;
        }
        if let Some(v) = patch.owner {
            self.owner = v;
        }
        if let Some(v) = patch.owner_team {
            self.owner_team = v;
        }
        if let Some(v) = patch.priority {
            self.priority = v;
        }
        if let Some(v) = patch.due_date {
            if let Some(due) = v {
                errors.date("due_date", due);
            }
            self.due_date = v;
        }
        if let Some(v) = patch.status {
            self.status = v;
        }
        if let Some(v) = patch.tracker_url {
            self.tracker_url = v;
        }
        validate_common(
            &self.title,
            &self.description,
            self.owner_team.as_deref(),
            self.tracker_url.as_deref(),
            &mut errors,
        );
        errors.into_result()
    }
}
