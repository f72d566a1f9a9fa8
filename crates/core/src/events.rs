//! Domain events: what happened to the record, in the words of incident response
//! (an incident declared or resolved, a post-mortem drafted, submitted or published, an
//! action item created or closed).
//!
//! Every write that changes an incident, a post-mortem or an action item appends the events
//! its change amounts to to the outbox, in the write's own transaction, so an event is
//! stored exactly when its change is. The events a change amounts to are decided here, from
//! the record before and after it; notifications, webhooks out and tracker sync read them.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::{
    ActionItem, ActionItemStatus, Incident, IncidentStatus, NewActionItem, NewIncident, Postmortem, PostmortemStatus,
    Severity,
};

crate::model::word_enum! {
    /// What kind of thing happened: a [`DomainEvent`]'s `kind`, as the outbox stores it and
    /// a destination chooses the events it receives by.
    DomainEventKind {
        IncidentDeclared = "incident_declared",
        IncidentResolved = "incident_resolved",
        IncidentReopened = "incident_reopened",
        PostmortemDrafted = "postmortem_drafted",
        PostmortemAssigned = "postmortem_assigned",
        PostmortemSubmitted = "postmortem_submitted",
        PostmortemReviewed = "postmortem_reviewed",
        PostmortemReturned = "postmortem_returned",
        PostmortemPublished = "postmortem_published",
        PostmortemArchived = "postmortem_archived",
        ActionItemCreated = "action_item_created",
        ActionItemReassigned = "action_item_reassigned",
        ActionItemClosed = "action_item_closed",
        ActionItemReopened = "action_item_reopened",
        CommentAdded = "comment_added",
        CommentResolved = "comment_resolved",
    }
}

/// Something that happened to the record, as notifications and integrations want it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DomainEvent {
    /// An incident was declared (by a person, an import or a webhook).
    IncidentDeclared { incident: String, title: String, severity: Severity, private: bool },
    /// An incident moved to resolved.
    IncidentResolved { incident: String },
    /// A resolved incident was opened again.
    IncidentReopened { incident: String, status: IncidentStatus },
    /// A post-mortem was started, by a person or drafted when its incident resolved.
    PostmortemDrafted { incident: String, postmortem: String, owner: Option<String> },
    /// A post-mortem got a new owner.
    PostmortemAssigned { incident: String, postmortem: String, owner: String },
    /// A post-mortem went to review.
    PostmortemSubmitted { incident: String, postmortem: String },
    /// A reviewer approved a post-mortem in review or asked for changes.
    PostmortemReviewed { incident: String, postmortem: String, review: String, verdict: crate::Verdict },
    /// A post-mortem in review went back to its authors.
    PostmortemReturned { incident: String, postmortem: String },
    /// A post-mortem was published (or brought back from the archive).
    PostmortemPublished { incident: String, postmortem: String },
    /// A published post-mortem was archived.
    PostmortemArchived { incident: String, postmortem: String },
    /// An action item was added.
    ActionItemCreated {
        incident: String,
        action_item: String,
        title: String,
        owner: Option<String>,
        owner_team: Option<String>,
        due_date: Option<Date>,
    },
    /// An action item's owner or due date changed.
    ActionItemReassigned {
        incident: String,
        action_item: String,
        owner: Option<String>,
        owner_team: Option<String>,
        due_date: Option<Date>,
    },
    /// An action item was done or dropped.
    ActionItemClosed { incident: String, action_item: String, status: ActionItemStatus },
    /// A closed action item was opened again.
    ActionItemReopened { incident: String, action_item: String, status: ActionItemStatus },
    /// Someone commented on a post-mortem; `mentions` are the usernames it names.
    CommentAdded { incident: String, postmortem: String, comment: String, mentions: Vec<String> },
    /// A comment thread was resolved (`resolved`) or opened again.
    CommentResolved { incident: String, postmortem: String, comment: String, resolved: bool },
}

impl DomainEvent {
    /// The event's kind, as stored in the outbox's `kind` column and in the JSON's `kind`.
    pub fn kind(&self) -> DomainEventKind {
        match self {
            DomainEvent::IncidentDeclared { .. } => DomainEventKind::IncidentDeclared,
            DomainEvent::IncidentResolved { .. } => DomainEventKind::IncidentResolved,
            DomainEvent::IncidentReopened { .. } => DomainEventKind::IncidentReopened,
            DomainEvent::PostmortemDrafted { .. } => DomainEventKind::PostmortemDrafted,
            DomainEvent::PostmortemAssigned { .. } => DomainEventKind::PostmortemAssigned,
            DomainEvent::PostmortemSubmitted { .. } => DomainEventKind::PostmortemSubmitted,
            DomainEvent::PostmortemReviewed { .. } => DomainEventKind::PostmortemReviewed,
            DomainEvent::PostmortemReturned { .. } => DomainEventKind::PostmortemReturned,
            DomainEvent::PostmortemPublished { .. } => DomainEventKind::PostmortemPublished,
            DomainEvent::PostmortemArchived { .. } => DomainEventKind::PostmortemArchived,
            DomainEvent::ActionItemCreated { .. } => DomainEventKind::ActionItemCreated,
            DomainEvent::ActionItemReassigned { .. } => DomainEventKind::ActionItemReassigned,
            DomainEvent::ActionItemClosed { .. } => DomainEventKind::ActionItemClosed,
            DomainEvent::ActionItemReopened { .. } => DomainEventKind::ActionItemReopened,
            DomainEvent::CommentAdded { .. } => DomainEventKind::CommentAdded,
            DomainEvent::CommentResolved { .. } => DomainEventKind::CommentResolved,
        }
    }

    /// Handle of the incident the event concerns: whoever reads the outbox shows an event
    /// only to those who may see that incident.
    pub fn incident(&self) -> &str {
        match self {
            DomainEvent::IncidentDeclared { incident, .. }
            | DomainEvent::IncidentResolved { incident }
            | DomainEvent::IncidentReopened { incident, .. }
            | DomainEvent::PostmortemDrafted { incident, .. }
            | DomainEvent::PostmortemAssigned { incident, .. }
            | DomainEvent::PostmortemSubmitted { incident, .. }
            | DomainEvent::PostmortemReviewed { incident, .. }
            | DomainEvent::PostmortemReturned { incident, .. }
            | DomainEvent::PostmortemPublished { incident, .. }
            | DomainEvent::PostmortemArchived { incident, .. }
            | DomainEvent::ActionItemCreated { incident, .. }
            | DomainEvent::ActionItemReassigned { incident, .. }
            | DomainEvent::ActionItemClosed { incident, .. }
            | DomainEvent::ActionItemReopened { incident, .. }
            | DomainEvent::CommentAdded { incident, .. }
            | DomainEvent::CommentResolved { incident, .. } => incident,
        }
    }

    /// What happened, as one sentence for a chat channel, given the incident's title:
    /// `INC-7 "Checkout down": the post-mortem was published.` Names no person and no
    /// field beyond the incident's title: a channel is read by more people than the record.
    pub fn sentence(&self, incident_title: &str) -> String {
        let what = match self {
            DomainEvent::IncidentDeclared { severity, .. } => format!("declared, {severity}"),
            DomainEvent::IncidentResolved { .. } => "resolved".into(),
            DomainEvent::IncidentReopened { status, .. } => format!("reopened, now {}", status.words()),
            DomainEvent::PostmortemDrafted { .. } => "its post-mortem was drafted".into(),
            DomainEvent::PostmortemAssigned { .. } => "its post-mortem has a new owner".into(),
            DomainEvent::PostmortemSubmitted { .. } => "its post-mortem is ready for review".into(),
            DomainEvent::PostmortemReviewed { verdict, .. } => match verdict {
                crate::Verdict::Approved => "its post-mortem was approved by a reviewer".into(),
                crate::Verdict::ChangesRequested => "a reviewer asked for changes to its post-mortem".into(),
            },
            DomainEvent::PostmortemReturned { .. } => "its post-mortem went back to draft".into(),
            DomainEvent::PostmortemPublished { .. } => "its post-mortem was published".into(),
            DomainEvent::PostmortemArchived { .. } => "its post-mortem was archived".into(),
            DomainEvent::ActionItemCreated { title, .. } => format!("action item \u{201c}{title}\u{201d} was added"),
            DomainEvent::ActionItemReassigned { .. } => "an action item was reassigned".into(),
            DomainEvent::ActionItemClosed { status, .. } => format!("an action item is {}", status.words()),
            DomainEvent::ActionItemReopened { .. } => "an action item was reopened".into(),
            DomainEvent::CommentAdded { .. } => "its post-mortem has a new comment".into(),
            DomainEvent::CommentResolved { resolved: true, .. } => "a comment on its post-mortem was resolved".into(),
            DomainEvent::CommentResolved { resolved: false, .. } => "a comment on its post-mortem was reopened".into(),
        };
        format!("{} \u{201c}{incident_title}\u{201d}: {what}.", self.incident())
    }
}

/// An event as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Increases with every event appended: readers remember the last one they handled.
    pub id: i64,
    #[serde(flatten)]
    pub event: DomainEvent,
    /// Username of whoever made the change; none for the operator at the command line.
    pub actor: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// What declaring an incident amounts to: declared, and resolved too when it is declared
/// after the fact, already resolved.
pub fn incident_declared(handle: &str, new: &NewIncident) -> Vec<DomainEvent> {
    let incident = handle.to_string();
    let mut events = vec![DomainEvent::IncidentDeclared {
        incident: incident.clone(),
        title: new.title.clone(),
        severity: new.severity,
        private: new.private,
    }];
    if new.status == IncidentStatus::Resolved {
        events.push(DomainEvent::IncidentResolved { incident });
    }
    events
}

/// What a change to an incident amounts to: resolved or reopened when its status crossed
/// into or out of resolved.
pub fn incident_changed(before: &Incident, after: &Incident) -> Vec<DomainEvent> {
    let incident = after.handle.clone();
    match (before.status == IncidentStatus::Resolved, after.status == IncidentStatus::Resolved) {
        (false, true) => vec![DomainEvent::IncidentResolved { incident }],
        (true, false) => vec![DomainEvent::IncidentReopened { incident, status: after.status }],
        _ => Vec::new(),
    }
}

/// What starting a post-mortem amounts to.
pub fn postmortem_drafted(postmortem: &Postmortem) -> Vec<DomainEvent> {
    vec![DomainEvent::PostmortemDrafted {
        incident: postmortem.incident.clone(),
        postmortem: postmortem.id.clone(),
        owner: postmortem.owner.clone(),
    }]
}

/// What a change to a post-mortem amounts to: a new owner, and one event per move through
/// review.
pub fn postmortem_changed(before: &Postmortem, after: &Postmortem) -> Vec<DomainEvent> {
    let (incident, postmortem) = (after.incident.clone(), after.id.clone());
    let mut events = Vec::new();
    if let Some(owner) = after.owner.as_ref().filter(|owner| before.owner.as_ref() != Some(*owner)) {
        events.push(DomainEvent::PostmortemAssigned {
            incident: incident.clone(),
            postmortem: postmortem.clone(),
            owner: owner.clone(),
        });
    }
    match (before.status, after.status) {
        (a, b) if a == b => {}
        (_, PostmortemStatus::InReview) => events.push(DomainEvent::PostmortemSubmitted { incident, postmortem }),
        (_, PostmortemStatus::Published) => events.push(DomainEvent::PostmortemPublished { incident, postmortem }),
        (_, PostmortemStatus::Draft) => events.push(DomainEvent::PostmortemReturned { incident, postmortem }),
        (_, PostmortemStatus::Archived) => events.push(DomainEvent::PostmortemArchived { incident, postmortem }),
    }
    events
}

/// What adding action item `id` to incident `handle` amounts to.
pub fn action_item_created(handle: &str, id: &str, new: &NewActionItem) -> Vec<DomainEvent> {
    let mut events = vec![DomainEvent::ActionItemCreated {
        incident: handle.to_string(),
        action_item: id.to_string(),
        title: new.title.clone(),
        owner: new.owner.clone(),
        owner_team: new.owner_team.clone(),
        due_date: new.due_date,
    }];
    if closed(new.status) {
        events.push(DomainEvent::ActionItemClosed {
            incident: handle.to_string(),
            action_item: id.to_string(),
            status: new.status,
        });
    }
    events
}

fn closed(status: ActionItemStatus) -> bool {
    matches!(status, ActionItemStatus::Done | ActionItemStatus::WontDo)
}

/// What a change to an action item amounts to: reassigned when its owner, team or due date
/// changed; closed or reopened when its status crossed between open and done or dropped.
pub fn action_item_changed(before: &ActionItem, after: &ActionItem) -> Vec<DomainEvent> {
    let (incident, action_item) = (after.incident.clone(), after.id.clone());
    let mut events = Vec::new();
    if (&before.owner, &before.owner_team, before.due_date) != (&after.owner, &after.owner_team, after.due_date) {
        events.push(DomainEvent::ActionItemReassigned {
            incident: incident.clone(),
            action_item: action_item.clone(),
            owner: after.owner.clone(),
            owner_team: after.owner_team.clone(),
            due_date: after.due_date,
        });
    }
    let status = after.status;
    match (closed(before.status), closed(after.status)) {
        (false, true) => events.push(DomainEvent::ActionItemClosed { incident, action_item, status }),
        (true, false) => events.push(DomainEvent::ActionItemReopened { incident, action_item, status }),
        (true, true) if before.status != status => {
            events.push(DomainEvent::ActionItemClosed { incident, action_item, status })
        }
        _ => {}
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DetectionMethod, Moments};

    fn an_incident(status: IncidentStatus) -> Incident {
        Incident {
            id: "i".into(),
            handle: "INC-7".into(),
            number: 7,
            title: "Checkout down".into(),
            description: String::new(),
            severity: Severity::new(2).unwrap(),
            status,
            services: vec![],
            teams: vec![],
            detection_method: DetectionMethod::MonitoringAlert,
            moments: Moments::default(),
            moments_from_timeline: vec![],
            responders: vec![],
            private: false,
            created_by: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            version: 1,
        }
    }

    #[test]
    fn a_crossing_of_resolved_is_reported_once_either_way() {
        let open = an_incident(IncidentStatus::Acknowledged);
        let resolved = an_incident(IncidentStatus::Resolved);
        let handle = open.handle.clone();
        assert_eq!(incident_changed(&open, &resolved), [DomainEvent::IncidentResolved { incident: handle.clone() }]);
        assert_eq!(incident_changed(&resolved, &resolved), []);
        assert_eq!(
            incident_changed(&resolved, &open),
            [DomainEvent::IncidentReopened { incident: handle, status: IncidentStatus::Acknowledged }]
        );
        assert_eq!(incident_changed(&open, &an_incident(IncidentStatus::Mitigated)), []);
    }

    fn a_postmortem(owner: Option<&str>, status: PostmortemStatus) -> Postmortem {
        Postmortem {
            id: "p1".into(),
            incident: "INC-7".into(),
            incident_title: "Checkout down".into(),
            status,
            owner: owner.map(str::to_string),
            due_date: None,
            sections: crate::Sections::default(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            published_at: None,
            version: 1,
        }
    }

    #[test]
    fn a_chat_sentence_names_the_incident_and_no_person() {
        let published = DomainEvent::PostmortemPublished { incident: "INC-7".into(), postmortem: "p1".into() };
        assert_eq!(
            published.sentence("Checkout down"),
            "INC-7 \u{201c}Checkout down\u{201d}: its post-mortem was published."
        );
        let assigned =
            DomainEvent::PostmortemAssigned { incident: "INC-7".into(), postmortem: "p1".into(), owner: "ana".into() };
        assert!(!assigned.sentence("Checkout down").contains("ana"));
        let kinds: Vec<&str> = DomainEventKind::ALL.iter().map(|kind| kind.as_str()).collect();
        assert!(kinds.contains(&published.kind().as_str()) && kinds.len() == 16);
    }

    #[test]
    fn a_new_owner_is_an_event_before_the_move_through_review() {
        let draft = a_postmortem(Some("ana"), PostmortemStatus::Draft);
        let handed = a_postmortem(Some("bob"), PostmortemStatus::InReview);
        let kinds: Vec<_> = postmortem_changed(&draft, &handed).iter().map(DomainEvent::kind).collect();
        assert_eq!(kinds, [DomainEventKind::PostmortemAssigned, DomainEventKind::PostmortemSubmitted]);
        // Losing an owner tells nobody; keeping one is no event.
        assert_eq!(postmortem_changed(&draft, &a_postmortem(None, PostmortemStatus::Draft)), []);
        assert_eq!(postmortem_changed(&draft, &draft.clone()), []);
    }

    #[test]
    fn events_serialise_with_their_kind_beside_their_fields() {
        let event = DomainEvent::IncidentResolved { incident: "INC-7".into() };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "incident_resolved", "incident": "INC-7"}));
        assert_eq!(json["kind"], event.kind().as_str());
        assert_eq!(serde_json::from_value::<DomainEvent>(json).unwrap(), event);
    }
}
