//! Who is told of a domain event, and why: the rule the notification worker applies to
//! each event of the outbox. It names recipients by their part (a user, a team's members,
//! a post-mortem's owner); the store finds who that is when the notification is made, and
//! never tells people of their own changes. Reminders by date (an action item due soon or
//! overdue) are not events and are made by the store's scheduler.

use crate::NotificationKind;
use crate::events::DomainEvent;

/// Who a notice is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// The user with this username.
    User(String),
    /// Each member of the team with this slug.
    Team(String),
    /// The owner of the post-mortem with this id.
    PostmortemOwner(String),
    /// Each reader of the post-mortem with this id (its reader teams' members and the
    /// people named).
    PostmortemReaders(String),
    /// Each reviewer of the post-mortem with this id.
    PostmortemReviewers(String),
}

/// One thing to tell: why, to whom, and what it concerns besides the event's incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NotificationKind,
    pub to: Recipient,
    pub action_item: Option<String>,
    pub comment: Option<String>,
    /// What makes it the same as a notice told before, so that a person is told it once
    /// (`read:<post-mortem>`: asked to read a post-mortem once, however often it is
    /// published); none when each event is news of its own.
    pub once: Option<String>,
}

impl Notice {
    fn new(kind: NotificationKind, to: Recipient) -> Notice {
        Notice { kind, to, action_item: None, comment: None, once: None }
    }
}

/// The notices `event` makes, in order of precedence: a person told twice of one event is
/// told the first.
pub fn notices(event: &DomainEvent) -> Vec<Notice> {
    use NotificationKind as Kind;
    match event {
        DomainEvent::PostmortemDrafted { owner: Some(owner), .. } | DomainEvent::PostmortemAssigned { owner, .. } => {
            vec![Notice::new(Kind::PostmortemAssigned, Recipient::User(owner.clone()))]
        }
        DomainEvent::PostmortemSubmitted { postmortem, .. } => {
            vec![Notice::new(Kind::ReviewRequested, Recipient::PostmortemReviewers(postmortem.clone()))]
        }
        DomainEvent::PostmortemReviewed { postmortem, verdict, .. } => {
            let kind = match verdict {
                crate::Verdict::Approved => Kind::Approved,
                crate::Verdict::ChangesRequested => Kind::ChangesRequested,
            };
            vec![Notice::new(kind, Recipient::PostmortemOwner(postmortem.clone()))]
        }
        DomainEvent::PostmortemReturned { postmortem, .. } => {
            vec![Notice::new(Kind::ChangesRequested, Recipient::PostmortemOwner(postmortem.clone()))]
        }
        DomainEvent::PostmortemPublished { postmortem, .. } => vec![
            Notice::new(Kind::PostmortemPublished, Recipient::PostmortemOwner(postmortem.clone())),
            Notice {
                once: Some(format!("read:{postmortem}")),
                ..Notice::new(Kind::ReadRequested, Recipient::PostmortemReaders(postmortem.clone()))
            },
        ],
        DomainEvent::CommentAdded { postmortem, comment, mentions, .. } => mentions
            .iter()
            .map(|name| Recipient::User(name.clone()))
            .map(|to| (Kind::Mentioned, to))
            .chain([(Kind::Commented, Recipient::PostmortemOwner(postmortem.clone()))])
            .map(|(kind, to)| Notice { comment: Some(comment.clone()), ..Notice::new(kind, to) })
            .collect(),
        DomainEvent::ActionItemCreated { action_item, owner, owner_team, .. }
        | DomainEvent::ActionItemReassigned { action_item, owner, owner_team, .. } => {
            let to = match (owner, owner_team) {
                (Some(owner), _) => Recipient::User(owner.clone()),
                (None, Some(team)) => Recipient::Team(team.clone()),
                (None, None) => return Vec::new(),
            };
            vec![Notice { action_item: Some(action_item.clone()), ..Notice::new(Kind::ActionItemAssigned, to) }]
        }
        DomainEvent::IncidentDeclared { .. }
        | DomainEvent::IncidentResolved { .. }
        | DomainEvent::IncidentReopened { .. }
        | DomainEvent::PostmortemDrafted { owner: None, .. }
        | DomainEvent::PostmortemArchived { .. }
        | DomainEvent::ActionItemClosed { .. }
        | DomainEvent::ActionItemReopened { .. }
        | DomainEvent::CommentResolved { .. } => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ActionItemStatus;

    #[test]
    fn people_a_comment_mentions_are_told_before_the_postmortems_owner() {
        let event = DomainEvent::CommentAdded {
            incident: "INC-7".into(),
            postmortem: "p1".into(),
            comment: "c1".into(),
            mentions: vec!["bob".into(), "carol".into()],
        };
        let told: Vec<_> = notices(&event).into_iter().map(|n| (n.kind, n.to, n.comment)).collect();
        let c1 = Some("c1".to_string());
        assert_eq!(
            told,
            [
                (NotificationKind::Mentioned, Recipient::User("bob".into()), c1.clone()),
                (NotificationKind::Mentioned, Recipient::User("carol".into()), c1.clone()),
                (NotificationKind::Commented, Recipient::PostmortemOwner("p1".into()), c1),
            ]
        );
    }

    #[test]
    fn an_action_item_goes_to_its_owner_else_to_its_team_else_to_nobody() {
        let assigned = |owner: Option<&str>, owner_team: Option<&str>| {
            notices(&DomainEvent::ActionItemReassigned {
                incident: "INC-7".into(),
                action_item: "a1".into(),
                owner: owner.map(str::to_string),
                owner_team: owner_team.map(str::to_string),
                due_date: None,
            })
            .into_iter()
            .map(|n| (n.to, n.action_item))
            .collect::<Vec<_>>()
        };
        let a1 = Some("a1".to_string());
        assert_eq!(assigned(Some("bob"), Some("db")), [(Recipient::User("bob".into()), a1.clone())]);
        assert_eq!(assigned(None, Some("db")), [(Recipient::Team("db".into()), a1)]);
        assert_eq!(assigned(None, None), []);
    }

    #[test]
    fn review_moves_tell_the_owner_and_closing_tells_nobody() {
        let returned = DomainEvent::PostmortemReturned { incident: "INC-7".into(), postmortem: "p1".into() };
        assert_eq!(
            notices(&returned),
            [Notice::new(NotificationKind::ChangesRequested, Recipient::PostmortemOwner("p1".into()))]
        );
        let closed = DomainEvent::ActionItemClosed {
            incident: "INC-7".into(),
            action_item: "a1".into(),
            status: ActionItemStatus::Done,
        };
        assert_eq!(notices(&closed), []);
        let unowned = DomainEvent::PostmortemDrafted { incident: "INC-7".into(), postmortem: "p1".into(), owner: None };
        assert_eq!(notices(&unowned), []);
    }
}
