//! What the store's tests share: people and viewers to act as, incidents, timeline events,
//! action items and post-mortem patches to create, and checks on what the store answered.
//! No behaviour is tested here.

use hindsight_core::access::{UserId, Viewer};
use hindsight_core::{
    ActionItem, ActionItemKind, ActionItemStatus, EventKind, Incident, IncidentStatus, NewActionItem, NewIncident,
    NewTimelineEvent, PostmortemPatch, Priority, Role, SectionsPatch, Severity,
};
use hindsight_store::{ActionItemFilter, ImportedEvent, IncidentFilter, NewUser, Store, StoreError};
use serde_json::json;
use time::OffsetDateTime;

/// Creates a user and returns them as a viewer.
pub(crate) async fn person(store: &Store, username: &str, role: Role) -> Viewer {
    let user = store
        .create_user(
            NewUser {
                username: username.to_string(),
                display_name: format!("{username} (test)"),
                email: Some(format!("{username}@example.com")),
                role,
                password_hash: None,
            },
            &note(),
        )
        .await
        .expect("user is created");
    Viewer { user_id: Some(UserId::new(user.id)), username: user.username, role: user.role }
}

/// The viewer for an existing user.
pub(crate) async fn store_viewer(store: &Store, username: &str) -> Viewer {
    let user = store.user_by_username(username).await.unwrap();
    Viewer { user_id: Some(UserId::new(user.id)), username: user.username, role: user.role }
}

pub(crate) async fn admin(store: &Store) -> Viewer {
    person(store, "admin", Role::Admin).await
}

pub(crate) fn sev(level: u8) -> Severity {
    Severity::new(level).expect("severity 1-5")
}

/// A public SEV3 incident with nothing attached.
pub(crate) fn incident(title: &str) -> NewIncident {
    NewIncident {
        title: title.to_string(),
        description: String::new(),
        severity: sev(3),
        status: IncidentStatus::Triggered,
        services: vec![],
        teams: vec![],
        detection_method: hindsight_core::DetectionMethod::MonitoringAlert,
        started_at: None,
        detected_at: None,
        acknowledged_at: None,
        mitigated_at: None,
        resolved_at: None,
        responders: vec![],
        private: false,
    }
}

/// An incident that began at `at`.
pub(crate) fn incident_at(title: &str, at: OffsetDateTime) -> NewIncident {
    NewIncident { started_at: Some(at), ..incident(title) }
}

pub(crate) fn private_incident(title: &str) -> NewIncident {
    NewIncident { private: true, ..incident(title) }
}

pub(crate) fn event(at: OffsetDateTime, text: &str) -> NewTimelineEvent {
    NewTimelineEvent {
        occurred_at: at,
        source: "manual".to_string(),
        kind: EventKind::Note,
        actor: None,
        text: text.to_string(),
        key_moment: None,
        raw_payload: None,
        external_id: None,
    }
}

pub(crate) fn action_item(title: &str) -> NewActionItem {
    NewActionItem {
        title: title.to_string(),
        description: String::new(),
        kind: ActionItemKind::FixRootCause,
        owner: None,
        owner_team: None,
        priority: Priority::P2,
        due_date: None,
        status: ActionItemStatus::Open,
        tracker_url: None,
        closed_at: None,
    }
}

/// An audit note for account changes made by the tests.
pub(crate) fn note() -> hindsight_store::AuditNote {
    hindsight_store::AuditNote::new("test", "changed an account", "test", json!({}))
}

/// An audit note for a change `actor` made.
pub(crate) fn note_by(actor: &str) -> hindsight_store::AuditNote {
    hindsight_store::AuditNote::new(actor, "changed a setting", "test", json!({}))
}

/// The field paths of a validation error; panics on any other result.
pub(crate) fn invalid_fields<T: std::fmt::Debug>(result: Result<T, StoreError>) -> Vec<String> {
    match result {
        Err(StoreError::Invalid(errors)) => errors.0.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// The version a conflict reports as current; panics on any other result.
pub(crate) fn conflict_version<T: std::fmt::Debug>(result: Result<T, StoreError>) -> i64 {
    match result {
        Err(StoreError::Conflict { current_version, .. }) => current_version,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

pub(crate) fn assert_not_found<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    assert!(matches!(result, Err(StoreError::NotFound(_))), "expected not found, got {result:?}");
}

pub(crate) fn titles(incidents: &[Incident]) -> Vec<&str> {
    incidents.iter().map(|i| i.title.as_str()).collect()
}

pub(crate) fn item_titles(items: &[ActionItem]) -> Vec<&str> {
    items.iter().map(|i| i.title.as_str()).collect()
}

/// Titles of the incidents `viewer` gets for `filter`, newest first, on one page.
pub(crate) async fn listed(store: &Store, viewer: &Viewer, filter: IncidentFilter) -> Vec<String> {
    let page = store.list_incidents(viewer, &filter, None, 100).await.expect("incidents are listed");
    assert_eq!(page.next_cursor, None);
    page.items.into_iter().map(|i| i.title).collect()
}

/// An admin, a private incident (INC-1) and a public one (INC-2).
pub(crate) async fn private_and_public_incidents(store: &Store, private: NewIncident) -> Viewer {
    let admin = admin(store).await;
    store.create_incident(&admin, private).await.unwrap();
    store.create_incident(&admin, incident("public")).await.unwrap();
    admin
}

pub(crate) fn imported(at: OffsetDateTime, source: &str, external_id: &str) -> ImportedEvent {
    ImportedEvent {
        occurred_at: at,
        source: source.to_string(),
        external_id: external_id.to_string(),
        kind: EventKind::Alert,
        actor: Some("alertmanager".into()),
        text: format!("{source} {external_id}"),
        key_moment: None,
        raw_payload: Some(format!("{{\"id\":\"{external_id}\"}}")),
        correlation: None,
    }
}

/// A post-mortem patch replacing the summary.
pub(crate) fn summary(version: i64, text: &str) -> PostmortemPatch {
    let sections = SectionsPatch { summary: Some(text.into()), ..SectionsPatch::default() };
    PostmortemPatch { version, sections: Some(sections), ..PostmortemPatch::default() }
}

/// Titles of the action items `viewer` gets for `filter`, newest first, on one page.
pub(crate) async fn listed_items(store: &Store, viewer: &Viewer, filter: ActionItemFilter) -> Vec<String> {
    let page = store.list_action_items(viewer, &filter, None, 100).await.expect("action items are listed");
    assert_eq!(page.next_cursor, None);
    item_titles(&page.items).into_iter().map(String::from).collect()
}
