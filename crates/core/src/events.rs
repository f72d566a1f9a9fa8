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
    pub fn kind(&self) -> &'static str {
        match self {
            DomainEvent::IncidentDeclared { .. } => "incident_declared",
            DomainEvent::IncidentResolved { .. } => "incident_resolved",
            DomainEvent::IncidentReopened { .. } => "incident_reopened",
            DomainEvent::PostmortemDrafted { .. } => "postmortem_drafted",
            DomainEvent::PostmortemAssigned { .. } => "postmortem_assigned",
            DomainEvent::PostmortemSubmitted { .. } => "postmortem_submitted",
            DomainEvent::PostmortemReviewed { .. } => "postmortem_reviewed",
            DomainEvent::PostmortemReturned { .. } => "postmortem_returned",
            DomainEvent::PostmortemPublished { .. } => "postmortem_published",
            DomainEvent::PostmortemArchived { .. } => "postmortem_archived",
            DomainEvent::ActionItemCreated { .. } => "action_item_created",
            DomainEvent::ActionItemReassigned { .. } => "action_item_reassigned",
            DomainEvent::ActionItemClosed { .. } => "action_item_closed",
            DomainEvent::ActionItemReopened { .. } => "action_item_reopened",
            DomainEvent::CommentAdded { .. } => "comment_added",
            DomainEvent::CommentResolved { .. } => "comment_resolved",
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
    fn a_new_owner_is_an_event_before_the_move_through_review() {
        let draft = a_postmortem(Some("ana"), PostmortemStatus::Draft);
        let handed = a_postmortem(Some("bob"), PostmortemStatus::InReview);
        let kinds: Vec<_> = postmortem_changed(&draft, &handed).iter().map(DomainEvent::kind).collect();
        assert_eq!(kinds, ["postmortem_assigned", "postmortem_submitted"]);
        // Losing an owner tells nobody; keeping one is no event.
        assert_eq!(postmortem_changed(&draft, &a_postmortem(None, PostmortemStatus::Draft)), []);
        assert_eq!(postmortem_changed(&draft, &draft.clone()), []);
    }

    #[test]
    fn events_serialise_with_their_kind_beside_their_fields() {
        let event = DomainEvent::IncidentResolved { incident: "INC-7".into() };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "incident_resolved", "incident": "INC-7"}));
        assert_eq!(json["kind"], event.kind());
        assert_eq!(serde_json::from_value::<DomainEvent>(json).unwrap(), event);
    }
}
