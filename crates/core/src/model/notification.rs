//! Notifications: what a person is told about the record, in their inbox. One is made for
//! a person from a domain event (see [`crate::notify`]) or from a date (an action item due
//! soon or overdue), once each; reading it is a receipt with its time.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::word_enum;

word_enum! {
    /// Why a person is told.
    NotificationKind {
        /// A post-mortem became theirs to write.
        PostmortemAssigned = "postmortem_assigned",
        /// A post-mortem they review was submitted for review.
        ReviewRequested = "review_requested",
        /// A reviewer approved their post-mortem.
        Approved = "approved",
        /// Their post-mortem came back from review with changes asked for.
        ChangesRequested = "changes_requested",
        /// Their post-mortem was published.
        PostmortemPublished = "postmortem_published",
        /// A post-mortem was published with them among its readers.
        ReadRequested = "read_requested",
        /// A comment names them.
        Mentioned = "mentioned",
        /// Someone commented on their post-mortem.
        Commented = "commented",
        /// An action item became theirs, or their team's.
        ActionItemAssigned = "action_item_assigned",
        /// An open action item of theirs is due within the coming days.
        ActionItemDueSoon = "action_item_due_soon",
        /// An open action item of theirs is past its due date.
        ActionItemOverdue = "action_item_overdue",
        /// An action item of their team's, or of an incident they command, stays overdue.
        ActionItemEscalated = "action_item_escalated",
        /// They were asked to read a published post-mortem and its reading deadline passed.
        ReadingOverdue = "reading_overdue",
        /// Their post-mortem is past its publication deadline.
        PublicationOverdue = "publication_overdue",
    }
}

/// A notification as its recipient reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    /// Increases with every notification made.
    pub id: i64,
    pub kind: NotificationKind,
    /// Handle of the incident it concerns.
    pub incident: String,
    pub incident_title: String,
    /// The action item it concerns, with its title and due date as they are now.
    pub action_item: Option<String>,
    pub action_item_title: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    /// The comment it concerns.
    pub comment: Option<String>,
    /// Username of whoever made the change it tells of; none for a date or the operator.
    pub actor: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When its recipient marked it read; none while unread.
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
}

impl Notification {
    /// What it tells, as one sentence: `Action item "Alert on queue depth" of INC-7 is
    /// assigned to you.`
    pub fn sentence(&self) -> String {
        let incident = &self.incident;
        let who = self.actor.as_deref().map_or_else(|| "Someone".to_string(), |actor| format!("@{actor}"));
        let item = self.action_item_title.as_deref().unwrap_or("(gone)");
        let due = self.due_date.map(|d| d.to_string()).unwrap_or_default();
        match self.kind {
            NotificationKind::PostmortemAssigned => format!("The post-mortem of {incident} is yours to write."),
            NotificationKind::ReviewRequested => {
                format!("The post-mortem of {incident} is ready for review, and you are among its reviewers.")
            }
            NotificationKind::Approved => format!("{who} approved the post-mortem of {incident}."),
            NotificationKind::ChangesRequested => {
                format!("{who} asked for changes to the post-mortem of {incident}.")
            }
            NotificationKind::PostmortemPublished => format!("{who} published the post-mortem of {incident}."),
            NotificationKind::ReadRequested => {
                format!(
                    "The post-mortem of {incident} is published and you are among its readers: read it and mark it read."
                )
            }
            NotificationKind::Mentioned => {
                format!("{who} mentioned you in the discussion of {incident}'s post-mortem.")
            }
            NotificationKind::Commented => format!("{who} commented on the post-mortem of {incident}, which you own."),
            NotificationKind::ActionItemAssigned => {
                format!("Action item \u{201c}{item}\u{201d} of {incident} is assigned to you.")
            }
            NotificationKind::ActionItemDueSoon => {
                format!("Action item \u{201c}{item}\u{201d} of {incident} is due on {due}.")
            }
            NotificationKind::ActionItemOverdue => {
                format!("Action item \u{201c}{item}\u{201d} of {incident} is overdue: it was due on {due}.")
            }
            NotificationKind::ActionItemEscalated => format!(
                "Action item \u{201c}{item}\u{201d} of {incident} has been overdue since {due}: it is escalated to you."
            ),
            NotificationKind::ReadingOverdue => {
                format!("Reading the post-mortem of {incident} is overdue: mark it read once you have read it.")
            }
            NotificationKind::PublicationOverdue => {
                format!("The post-mortem of {incident} is past its publication deadline.")
            }
        }
    }
}

/// Most notification ids a person marks read at once.
pub const MAX_MARKED_READ: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    fn a_notification(kind: NotificationKind) -> Notification {
        Notification {
            id: 1,
            kind,
            incident: "INC-7".into(),
            incident_title: "Checkout down".into(),
            action_item: Some("a1".into()),
            action_item_title: Some("Alert on queue depth".into()),
            due_date: Some(time::macros::date!(2026 - 12 - 01)),
            comment: None,
            actor: Some("alice".into()),
            created_at: OffsetDateTime::UNIX_EPOCH,
            read_at: None,
        }
    }

    #[test]
    fn a_sentence_names_the_incident_the_item_and_who_acted() {
        assert_eq!(
            a_notification(NotificationKind::ActionItemOverdue).sentence(),
            "Action item \u{201c}Alert on queue depth\u{201d} of INC-7 is overdue: it was due on 2026-12-01."
        );
        assert_eq!(
            a_notification(NotificationKind::Mentioned).sentence(),
            "@alice mentioned you in the discussion of INC-7's post-mortem."
        );
        let mut by_operator = a_notification(NotificationKind::PostmortemPublished);
        by_operator.actor = None;
        assert_eq!(by_operator.sentence(), "Someone published the post-mortem of INC-7.");
    }
}
