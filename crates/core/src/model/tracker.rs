//! Trackers: GitHub Issues and Jira Cloud, where action items are worked on. An action
//! item linked to a tracker's issue is kept in step with it both ways: its title, owner,
//! due date and status. The sending is the application's; the shapes and the rule that
//! settles a change made on both sides (the later one wins, both are kept) are here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::delivery::{MAX_URL_CHARS, is_http_url};
use super::word_enum;
use crate::validate::{MAX_SHORT, ValidationErrors};
use crate::{ActionItemStatus, Priority};

word_enum! {
    /// Which tracker.
    TrackerKind {
        /// GitHub Issues (github.com or GitHub Enterprise Server), in one repository.
        Github = "github",
        /// Jira Cloud, in one project.
        Jira = "jira",
    }
}

/// Most trackers an installation has.
pub const MAX_TRACKERS: usize = 50;
/// Most people a tracker's name map holds.
pub const MAX_TRACKER_PEOPLE: usize = 5_000;

/// A tracker as admins see it; its token and webhook secret are never shown again once saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tracker {
    pub id: String,
    pub name: String,
    pub kind: TrackerKind,
    /// The API's address: `https://api.github.com`, or the Jira site `https://example.atlassian.net`.
    pub api_url: String,
    /// `owner/repository` on GitHub, the project key on Jira.
    pub project: String,
    /// Action items of these priorities get an issue made for them as soon as they are added.
    pub auto_priorities: Vec<Priority>,
    /// Hindsight username to the tracker's login (GitHub) or account id (Jira). Owners not
    /// named here are not assigned there, and assignees not named here are not taken over.
    pub people: BTreeMap<String, String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A tracker as an admin adds it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTracker {
    /// A name people know it by, e.g. `platform issues` (1 to 100 characters).
    pub name: String,
    pub kind: TrackerKind,
    /// The API's address. GitHub: `https://api.github.com` (the default) or a GitHub
    /// Enterprise Server's `https://github.example.com/api/v3`. Jira: the site,
    /// `https://example.atlassian.net`.
    #[serde(default)]
    pub api_url: Option<String>,
    /// `owner/repository` on GitHub; the project key (e.g. `OPS`) on Jira.
    pub project: String,
    /// GitHub: a token allowed to write the repository's issues. Jira: `email:api_token`.
    /// Stored sealed, never shown again.
    pub token: String,
    #[serde(default)]
    pub auto_priorities: Vec<Priority>,
    #[serde(default)]
    pub people: BTreeMap<String, String>,
}

/// The GitHub API's address when none is given.
pub const GITHUB_API: &str = "https://api.github.com";

impl NewTracker {
    /// The API address in force: the one given without its trailing slash, or GitHub's.
    pub fn api_url(&self) -> Option<String> {
        match (&self.api_url, self.kind) {
            (Some(url), _) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').to_string()),
            (_, TrackerKind::Github) => Some(GITHUB_API.to_string()),
            (_, TrackerKind::Jira) => None,
        }
    }

    /// Checks each field, naming the one at fault.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.text("name", &self.name, 100);
        match self.api_url() {
            None => errors.push("api_url", "give the Jira site's address, e.g. https://example.atlassian.net"),
            Some(url) if url.chars().count() > MAX_URL_CHARS => {
                errors.push("api_url", format!("must be at most {MAX_URL_CHARS} characters"))
            }
            Some(url) if !is_http_url(&url) => {
                errors.push("api_url", "must be an address starting with https:// (or http://), with a host")
            }
            Some(_) => {}
        }
        let project = self.project.trim();
        match self.kind {
            TrackerKind::Github => {
                let parts: Vec<&str> = project.split('/').collect();
                let part_ok = |p: &str| {
                    !p.is_empty() && p.len() <= 100 && p.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                };
                if parts.len() != 2 || !parts.iter().all(|p| part_ok(p)) {
                    errors.push("project", "must be a repository as owner/name, e.g. example/platform");
                }
            }
            TrackerKind::Jira => {
                let ok = (1..=20).contains(&project.len())
                    && project.starts_with(|c: char| c.is_ascii_uppercase())
                    && project.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                if !ok {
                    errors.push("project", "must be a Jira project key: capital letters, digits and _, e.g. OPS");
                }
            }
        }
        let token = self.token.trim();
        if token.is_empty() || token.len() > 2_000 || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            errors.push("token", "must be the API token: 1 to 2,000 characters, no spaces");
        } else if self.kind == TrackerKind::Jira && !token.contains(':') {
            errors.push("token", "for Jira, give the account's email and an API token as email:token");
        }
        if self.people.len() > MAX_TRACKER_PEOPLE {
            errors.push("people", format!("at most {MAX_TRACKER_PEOPLE} people"));
        }
        for (username, remote) in &self.people {
            if username.is_empty() || username.len() > MAX_SHORT || remote.trim().is_empty() || remote.len() > 200 {
                errors.push("people", format!("{username:?}: both names must be 1 to 200 characters"));
                break;
            }
        }
        errors.into_result()
    }
}

/// What an action item and its issue keep in step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SyncedFields {
    pub title: String,
    /// Username of the owner, in Hindsight's terms.
    pub owner: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    pub status: ActionItemStatus,
}

/// One field of [`SyncedFields`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncedField {
    Title,
    Owner,
    DueDate,
    Status,
}

impl SyncedField {
    pub const ALL: [SyncedField; 4] =
        [SyncedField::Title, SyncedField::Owner, SyncedField::DueDate, SyncedField::Status];
}

impl SyncedFields {
    /// The fields whose values differ between `self` and `other`.
    pub fn differences(&self, other: &SyncedFields) -> Vec<SyncedField> {
        SyncedField::ALL.into_iter().filter(|f| !self.same(other, *f)).collect()
    }

    fn same(&self, other: &SyncedFields, field: SyncedField) -> bool {
        match field {
            SyncedField::Title => self.title == other.title,
            SyncedField::Owner => self.owner == other.owner,
            SyncedField::DueDate => self.due_date == other.due_date,
            SyncedField::Status => self.status == other.status,
        }
    }

    fn take(&mut self, from: &SyncedFields, field: SyncedField) {
        match field {
            SyncedField::Title => self.title = from.title.clone(),
            SyncedField::Owner => self.owner = from.owner.clone(),
            SyncedField::DueDate => self.due_date = from.due_date,
            SyncedField::Status => self.status = from.status,
        }
    }

    /// The value of `field` as a person reads it, for the history.
    pub fn shown(&self, field: SyncedField) -> String {
        match field {
            SyncedField::Title => self.title.clone(),
            SyncedField::Owner => self.owner.clone().unwrap_or_else(|| "nobody".into()),
            SyncedField::DueDate => self.due_date.map(|d| d.to_string()).unwrap_or_else(|| "none".into()),
            SyncedField::Status => self.status.as_str().into(),
        }
    }
}

/// How a change from the tracker meets the action item: what the item takes, and what
/// it keeps because its own change to the same field was later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    /// The action item's fields after the merge.
    pub item: SyncedFields,
    /// Fields the item took from the issue.
    pub taken: Vec<SyncedField>,
    /// Fields both changed, where the item's own change was later and stays.
    pub kept: Vec<SyncedField>,
    /// What both sides agree on now: the base of the next merge.
    pub base: SyncedFields,
}

/// Merges the issue's state into the item's, both changed since `base` (what both last
/// agreed on). A field changed on one side only takes that side's value; a field changed
/// on both to different values takes the later change's (`item_at` against `issue_at`; a
/// tie goes to the issue, which was written last). The item's own changes the issue does
/// not have yet stay in the item and out of the base, so they are sent next.
pub fn merge(
    base: &SyncedFields,
    item: &SyncedFields,
    item_at: OffsetDateTime,
    issue: &SyncedFields,
    issue_at: OffsetDateTime,
) -> Merge {
    let (mut merged, mut agreed) = (item.clone(), base.clone());
    let (mut taken, mut kept) = (Vec::new(), Vec::new());
    for field in base.differences(issue) {
        let item_changed = !base.same(item, field);
        if item_changed && !item.same(issue, field) && item_at > issue_at {
            kept.push(field);
            continue;
        }
        if !item.same(issue, field) {
            merged.take(issue, field);
            taken.push(field);
        }
        agreed.take(issue, field);
    }
    Merge { item: merged, taken, kept, base: agreed }
}

/// An action item's issue as admins and editors see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TrackerLink {
    pub action_item: String,
    /// Name of the tracker.
    pub tracker: String,
    pub kind: TrackerKind,
    /// `42` on GitHub, `OPS-7` on Jira; absent until the issue is made.
    pub issue: Option<String>,
    /// The issue's page.
    pub url: Option<String>,
    /// Whether the item has changes not yet sent (or an issue not yet made).
    pub pending: bool,
    /// Failed tries since the last success.
    pub attempts: i32,
    /// What went wrong the last time, if the last try failed.
    pub last_error: Option<String>,
    /// When it is tried next, while pending.
    #[serde(with = "time::serde::rfc3339")]
    pub next_at: OffsetDateTime,
    /// Changes sent and received, newest first (at most 50).
    pub history: Vec<SyncEntry>,
}

word_enum! {
    /// Which way a change went.
    SyncDirection {
        /// From Hindsight to the tracker.
        Sent = "sent",
        /// From the tracker to Hindsight.
        Received = "received",
    }
}

word_enum! {
    /// What became of a change.
    SyncOutcome {
        /// It was made on the other side.
        Applied = "applied",
        /// The other side had changed the same fields later; its values stay.
        Overridden = "overridden",
    }
}

/// One change sent or received, with the values it carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SyncEntry {
    pub direction: SyncDirection,
    pub outcome: SyncOutcome,
    /// Field to the value it carried, as a person reads it.
    pub fields: BTreeMap<SyncedField, String>,
    /// When the change was made where it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn fields(title: &str, owner: Option<&str>, status: ActionItemStatus) -> SyncedFields {
        SyncedFields { title: title.into(), owner: owner.map(Into::into), due_date: None, status }
    }

    const EARLY: OffsetDateTime = datetime!(2026-12-01 10:00 UTC);
    const LATE: OffsetDateTime = datetime!(2026-12-01 11:00 UTC);

    #[test]
    fn a_change_on_one_side_is_taken_and_the_others_own_changes_stay_to_be_sent() {
        let base = fields("Rotate certs", Some("ana"), ActionItemStatus::Open);
        let item = fields("Rotate certs", Some("ben"), ActionItemStatus::Open);
        let issue = fields("Rotate certs", Some("ana"), ActionItemStatus::Done);
        let merge = merge(&base, &item, LATE, &issue, EARLY);
        assert_eq!(merge.item, fields("Rotate certs", Some("ben"), ActionItemStatus::Done));
        assert_eq!(merge.taken, vec![SyncedField::Status]);
        assert!(merge.kept.is_empty());
        // The owner is the item's change the issue lacks: not in the base, so it is sent.
        assert_eq!(merge.base, fields("Rotate certs", Some("ana"), ActionItemStatus::Done));
        assert_eq!(merge.item.differences(&merge.base), vec![SyncedField::Owner]);
    }

    #[test]
    fn a_field_changed_on_both_sides_takes_the_later_change() {
        let base = fields("Rotate certs", None, ActionItemStatus::Open);
        let item = fields("Rotate the certificates", None, ActionItemStatus::Open);
        let issue = fields("Automate cert rotation", None, ActionItemStatus::Open);
        let issue_later = merge(&base, &item, EARLY, &issue, LATE);
        assert_eq!(issue_later.item.title, "Automate cert rotation");
        assert_eq!(issue_later.taken, vec![SyncedField::Title]);
        assert_eq!(issue_later.base, issue);
        let item_later = merge(&base, &item, LATE, &issue, EARLY);
        assert_eq!(item_later.item, item);
        assert_eq!(item_later.kept, vec![SyncedField::Title]);
        assert!(item_later.taken.is_empty());
        // The base stays, so the item's title is sent and overwrites the issue's.
        assert_eq!(item_later.base, base);
    }

    #[test]
    fn nothing_changed_or_the_same_change_on_both_sides_leaves_nothing_to_do() {
        let base = SyncedFields { due_date: Some(date!(2027 - 01 - 10)), ..fields("t", None, ActionItemStatus::Open) };
        let same = merge(&base, &base, LATE, &base, EARLY);
        assert_eq!((same.item.clone(), same.taken.len(), same.kept.len()), (base.clone(), 0, 0));
        let both = SyncedFields { due_date: Some(date!(2027 - 02 - 01)), ..base.clone() };
        let merge = merge(&base, &both, LATE, &both, EARLY);
        assert_eq!(merge.item, both);
        assert!(merge.taken.is_empty() && merge.kept.is_empty());
        assert_eq!(merge.base, both, "an agreed change is in the base");
    }

    fn a_tracker(kind: TrackerKind, project: &str, token: &str) -> NewTracker {
        NewTracker {
            name: "platform".into(),
            kind,
            api_url: None,
            project: project.into(),
            token: token.into(),
            auto_priorities: vec![],
            people: BTreeMap::new(),
        }
    }

    #[test]
    fn trackers_are_checked_field_by_field() {
        assert!(a_tracker(TrackerKind::Github, "example/platform", "ghp_x").validate().is_ok());
        assert_eq!(a_tracker(TrackerKind::Github, "x", "t").api_url().as_deref(), Some(GITHUB_API));
        let errors = a_tracker(TrackerKind::Github, "example", "has space").validate().unwrap_err().to_string();
        assert!(errors.contains("project") && errors.contains("token"), "{errors}");
        let errors = a_tracker(TrackerKind::Jira, "ops", "token-without-email").validate().unwrap_err().to_string();
        assert!(errors.contains("api_url") && errors.contains("project") && errors.contains("email:token"), "{errors}");
        let jira = NewTracker {
            api_url: Some("https://example.atlassian.net/".into()),
            ..a_tracker(TrackerKind::Jira, "OPS", "ana@example.com:tok")
        };
        assert!(jira.validate().is_ok());
        assert_eq!(jira.api_url().as_deref(), Some("https://example.atlassian.net"));
    }
}
