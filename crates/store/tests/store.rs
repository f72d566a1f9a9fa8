//! The store's contract, written once and run on both databases.
//!
//! Each behaviour is an `async fn name(store: Store)`; [`on_both_databases!`] turns it
//! into `sqlite_name` and `postgres_name` tests. The PostgreSQL ones pass without
//! doing anything when `HINDSIGHT_TEST_DATABASE_URL` is unset (CI always sets it).
//! Every test gets a fresh, migrated database of its own.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

use hindsight_core::access::{UserId, Viewer};
use hindsight_core::{
    ActionItem, ActionItemKind, ActionItemPatch, ActionItemStatus, EventKind, FieldChange, Incident, IncidentPatch,
    IncidentStatus, NewActionItem, NewIncident, NewPostmortem, NewTimelineEvent, PostmortemPatch, PostmortemStatus,
    Priority, Responder, ResponderRole, Role, SectionsPatch, Severity, TimelineEvent, TimelineEventPatch,
};
use hindsight_store::test_support::{execute_raw, fetch_raw, postgres_store, sqlite_store};
use hindsight_store::{
    ActionItemFilter, CountUpTo, ImportedEvent, IncidentFilter, NewUser, PostmortemFilter, SignInAttempt, SignInLimits,
    Store, StoreError, UserPatch,
};
use serde_json::json;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime, UtcOffset};

/// Generates `sqlite_<name>` and `postgres_<name>` tests for each behaviour named.
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        pastey::paste! {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn [<sqlite_ $name>]() {
                    $name(sqlite_store().await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn [<postgres_ $name>]() {
                    let Some(store) = postgres_store().await else { return };
                    $name(store).await;
                }
            )+
        }
    };
}

// ---- helpers ----

/// Creates a user and returns them as a viewer.
async fn person(store: &Store, username: &str, role: Role) -> Viewer {
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
async fn store_viewer(store: &Store, username: &str) -> Viewer {
    let user = store.user_by_username(username).await.unwrap();
    Viewer { user_id: Some(UserId::new(user.id)), username: user.username, role: user.role }
}

async fn admin(store: &Store) -> Viewer {
    person(store, "admin", Role::Admin).await
}

fn sev(level: u8) -> Severity {
    Severity::new(level).expect("severity 1-5")
}

/// A public SEV3 incident with nothing attached.
fn incident(title: &str) -> NewIncident {
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
fn incident_at(title: &str, at: OffsetDateTime) -> NewIncident {
    NewIncident { started_at: Some(at), ..incident(title) }
}

fn private_incident(title: &str) -> NewIncident {
    NewIncident { private: true, ..incident(title) }
}

fn event(at: OffsetDateTime, text: &str) -> NewTimelineEvent {
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

fn action_item(title: &str) -> NewActionItem {
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
    }
}

/// An audit note for account changes made by the tests.
fn note() -> hindsight_store::AuditNote {
    hindsight_store::AuditNote::new("test", "changed an account", "test", json!({}))
}

/// An audit note for a change `actor` made.
fn note_by(actor: &str) -> hindsight_store::AuditNote {
    hindsight_store::AuditNote::new(actor, "changed a setting", "test", json!({}))
}

/// The field paths of a validation error; panics on any other result.
fn invalid_fields<T: std::fmt::Debug>(result: Result<T, StoreError>) -> Vec<String> {
    match result {
        Err(StoreError::Invalid(errors)) => errors.0.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// The version a conflict reports as current; panics on any other result.
fn conflict_version<T: std::fmt::Debug>(result: Result<T, StoreError>) -> i64 {
    match result {
        Err(StoreError::Conflict { current_version, .. }) => current_version,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn assert_not_found<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    assert!(matches!(result, Err(StoreError::NotFound(_))), "expected not found, got {result:?}");
}

fn titles(incidents: &[Incident]) -> Vec<&str> {
    incidents.iter().map(|i| i.title.as_str()).collect()
}

fn item_titles(items: &[ActionItem]) -> Vec<&str> {
    items.iter().map(|i| i.title.as_str()).collect()
}

/// Titles of the incidents `viewer` gets for `filter`, newest first, on one page.
async fn listed(store: &Store, viewer: &Viewer, filter: IncidentFilter) -> Vec<String> {
    let page = store.list_incidents(viewer, &filter, None, 100).await.expect("incidents are listed");
    assert_eq!(page.next_cursor, None);
    page.items.into_iter().map(|i| i.title).collect()
}

// ---- users ----

async fn created_user_is_read_back_by_username(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let user = store.user_by_username("ana").await.unwrap();
    assert_eq!(Some(user.id.as_str()), ana.actor_id());
    assert_eq!(user.display_name, "ana (test)");
    assert_eq!(user.email.as_deref(), Some("ana@example.com"));
    assert_eq!(user.role, Role::Editor);
    assert!(!user.disabled);
    assert!(user.teams.is_empty());
}

async fn taken_username_is_refused_as_duplicate(store: Store) {
    person(&store, "ana", Role::Editor).await;
    let again = store
        .create_user(
            NewUser {
                username: "ana".into(),
                display_name: "Another Ana".into(),
                email: None,
                role: Role::Viewer,
                password_hash: None,
            },
            &note(),
        )
        .await;
    match again {
        Err(StoreError::Duplicate { field, value }) => {
            assert_eq!((field.as_str(), value.as_str()), ("username", "ana"))
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert_eq!(store.count_users().await.unwrap(), 1);
}

async fn invalid_username_is_refused_naming_the_field(store: Store) {
    let result = store
        .create_user(
            NewUser {
                username: "Not Valid".into(),
                display_name: "x".into(),
                email: None,
                role: Role::Viewer,
                password_hash: None,
            },
            &note(),
        )
        .await;
    assert_eq!(invalid_fields(result), ["username"]);
}

async fn user_update_changes_only_the_given_fields(store: Store) {
    person(&store, "ana", Role::Viewer).await;
    let patch = UserPatch { role: Some(Role::Admin), email: Some(None), ..UserPatch::default() };
    let user = store.update_user("ana", patch, &note()).await.unwrap();
    assert_eq!(user.role, Role::Admin);
    assert_eq!(user.email, None);
    assert_eq!(user.display_name, "ana (test)");
    assert!(!user.disabled);
}

async fn disabling_a_user_ends_their_sessions_for_good(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let expires = OffsetDateTime::now_utc() + Duration::hours(1);
    store.create_session(ana.user_id.as_ref().unwrap(), "session-hash", "csrf", expires).await.unwrap();
    store.update_user("ana", UserPatch { disabled: Some(true), ..UserPatch::default() }, &note()).await.unwrap();
    store.update_user("ana", UserPatch { disabled: Some(false), ..UserPatch::default() }, &note()).await.unwrap();
    assert!(store.session("session-hash").await.unwrap().is_none());
}

async fn disabled_user_cannot_sign_in(store: Store) {
    person(&store, "ana", Role::Editor).await;
    assert!(store.credentials("ana").await.unwrap().is_some());
    store.update_user("ana", UserPatch { disabled: Some(true), ..UserPatch::default() }, &note()).await.unwrap();
    assert!(store.credentials("ana").await.unwrap().is_none());
}

on_both_databases!(
    created_user_is_read_back_by_username,
    taken_username_is_refused_as_duplicate,
    invalid_username_is_refused_naming_the_field,
    user_update_changes_only_the_given_fields,
    disabling_a_user_ends_their_sessions_for_good,
    disabled_user_cannot_sign_in,
);

// ---- teams and services ----

async fn team_members_are_listed_on_the_team_and_on_the_user(store: Store) {
    person(&store, "ana", Role::Editor).await;
    person(&store, "bo", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.add_member("payments", "bo", &note()).await.unwrap();
    let team = store.add_member("payments", "ana", &note()).await.unwrap();
    assert_eq!(team.members, ["ana", "bo"]);
    assert_eq!(store.user_by_username("ana").await.unwrap().teams, ["payments"]);
}

async fn adding_a_member_twice_keeps_one_membership(store: Store) {
    person(&store, "ana", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    let team = store.add_member("payments", "ana", &note()).await.unwrap();
    assert_eq!(team.members, ["ana"]);
}

async fn removed_member_leaves_the_team(store: Store) {
    person(&store, "ana", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    let team = store.remove_member("payments", "ana", &note()).await.unwrap();
    assert!(team.members.is_empty());
    assert!(store.user_by_username("ana").await.unwrap().teams.is_empty());
}

async fn taken_team_slug_is_refused_as_duplicate(store: Store) {
    store.create_team("payments", "Payments", &note()).await.unwrap();
    let again = store.create_team("payments", "Payments again", &note()).await;
    assert!(matches!(again, Err(StoreError::Duplicate { ref field, .. }) if field == "slug"), "{again:?}");
}

async fn service_is_created_with_its_owner_team(store: Store) {
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_service("checkout-api", "Checkout API", Some("payments"), &note()).await.unwrap();
    let service = store.service("checkout-api").await.unwrap();
    assert_eq!(service.name, "Checkout API");
    assert_eq!(service.owner_team.as_deref(), Some("payments"));
}

async fn service_with_unknown_owner_team_is_refused_naming_owner_team(store: Store) {
    let result = store.create_service("checkout-api", "Checkout API", Some("nobody"), &note()).await;
    assert_eq!(invalid_fields(result), ["owner_team"]);
    assert!(store.list_services().await.unwrap().is_empty());
}

async fn deleting_a_team_leaves_its_services_without_owner(store: Store) {
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_service("checkout-api", "Checkout API", Some("payments"), &note()).await.unwrap();
    store.delete_team("payments", &note()).await.unwrap();
    assert_eq!(store.service("checkout-api").await.unwrap().owner_team, None);
}

on_both_databases!(
    team_members_are_listed_on_the_team_and_on_the_user,
    adding_a_member_twice_keeps_one_membership,
    removed_member_leaves_the_team,
    taken_team_slug_is_refused_as_duplicate,
    service_is_created_with_its_owner_team,
    service_with_unknown_owner_team_is_refused_naming_owner_team,
    deleting_a_team_leaves_its_services_without_owner,
);

// ---- API tokens and sessions ----

async fn token_identifies_its_user_by_hash(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let token = store.create_token("ana", "laptop", "token-hash", |_| note()).await.unwrap();
    assert_eq!(token.username, "ana");
    assert_eq!(token.last_used_at, None);
    assert_eq!(store.viewer_for_token("token-hash").await.unwrap(), Some(ana));
    assert!(store.token(&token.id).await.unwrap().last_used_at.is_some());
}

async fn unknown_token_hash_identifies_nobody(store: Store) {
    person(&store, "ana", Role::Editor).await;
    store.create_token("ana", "laptop", "token-hash", |_| note()).await.unwrap();
    assert_eq!(store.viewer_for_token("other-hash").await.unwrap(), None);
}

async fn revoked_token_no_longer_identifies_its_user(store: Store) {
    person(&store, "ana", Role::Editor).await;
    let token = store.create_token("ana", "laptop", "token-hash", |_| note()).await.unwrap();
    let revoked = store.revoke_token(&token.id, &note()).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(store.viewer_for_token("token-hash").await.unwrap(), None);
    assert_eq!(store.list_tokens("ana").await.unwrap(), [revoked]);
}

async fn token_of_disabled_user_no_longer_identifies_them(store: Store) {
    person(&store, "ana", Role::Editor).await;
    store.create_token("ana", "laptop", "token-hash", |_| note()).await.unwrap();
    store.update_user("ana", UserPatch { disabled: Some(true), ..UserPatch::default() }, &note()).await.unwrap();
    assert_eq!(store.viewer_for_token("token-hash").await.unwrap(), None);
}

async fn live_session_is_found_by_its_hash(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let expires = OffsetDateTime::now_utc() + Duration::hours(1);
    store.create_session(ana.user_id.as_ref().unwrap(), "session-hash", "csrf-token", expires).await.unwrap();
    let session = store.session("session-hash").await.unwrap().expect("session is live");
    assert_eq!(session.viewer, ana);
    assert_eq!(session.csrf_token, "csrf-token");
    assert_eq!(session.expires_at.unix_timestamp(), expires.unix_timestamp());
}

async fn session_created_already_expired_is_not_returned(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let expired = OffsetDateTime::now_utc() - Duration::minutes(1);
    store.create_session(ana.user_id.as_ref().unwrap(), "session-hash", "csrf", expired).await.unwrap();
    assert!(store.session("session-hash").await.unwrap().is_none());
}

async fn session_is_not_returned_once_it_expires(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let lifetime = std::time::Duration::from_secs(3);
    let expires = OffsetDateTime::now_utc() + lifetime;
    store.create_session(ana.user_id.as_ref().unwrap(), "session-hash", "csrf", expires).await.unwrap();
    assert!(store.session("session-hash").await.unwrap().is_some());
    tokio::time::sleep(lifetime + std::time::Duration::from_millis(200)).await;
    assert!(store.session("session-hash").await.unwrap().is_none());
}

async fn deleted_session_is_not_returned(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let expires = OffsetDateTime::now_utc() + Duration::hours(1);
    store.create_session(ana.user_id.as_ref().unwrap(), "session-hash", "csrf", expires).await.unwrap();
    store.delete_session("session-hash").await.unwrap();
    assert!(store.session("session-hash").await.unwrap().is_none());
}

async fn new_password_ends_every_session_but_the_one_kept(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let bo = person(&store, "bo", Role::Editor).await;
    let expires = OffsetDateTime::now_utc() + Duration::hours(1);
    for (user, hash) in [(&ana, "ana-here"), (&ana, "ana-elsewhere"), (&bo, "bo-here")] {
        store.create_session(user.user_id.as_ref().unwrap(), hash, "csrf", expires).await.unwrap();
    }
    let patch =
        UserPatch { password_hash: Some("new".into()), keep_session: Some("ana-here".into()), ..UserPatch::default() };
    store.update_user("ana", patch, &note()).await.unwrap();
    assert!(store.session("ana-here").await.unwrap().is_some());
    assert!(store.session("ana-elsewhere").await.unwrap().is_none());
    assert!(store.session("bo-here").await.unwrap().is_some(), "another person's sessions stay");
    // A name change ends nothing; a password set for someone else ends all of theirs.
    store
        .update_user("ana", UserPatch { display_name: Some("Ana".into()), ..UserPatch::default() }, &note())
        .await
        .unwrap();
    assert!(store.session("ana-here").await.unwrap().is_some());
    store
        .update_user("ana", UserPatch { password_hash: Some("newer".into()), ..UserPatch::default() }, &note())
        .await
        .unwrap();
    assert!(store.session("ana-here").await.unwrap().is_none());
}

on_both_databases!(
    new_password_ends_every_session_but_the_one_kept,
    token_identifies_its_user_by_hash,
    unknown_token_hash_identifies_nobody,
    revoked_token_no_longer_identifies_its_user,
    token_of_disabled_user_no_longer_identifies_them,
    live_session_is_found_by_its_hash,
    session_created_already_expired_is_not_returned,
    session_is_not_returned_once_it_expires,
    deleted_session_is_not_returned,
);

// ---- incidents: creation and validation ----

async fn incidents_get_sequential_handles(store: Store) {
    let admin = admin(&store).await;
    let first = store.create_incident(&admin, incident("first")).await.unwrap();
    let second = store.create_incident(&admin, incident("second")).await.unwrap();
    assert_eq!((first.handle.as_str(), first.number), ("INC-1", 1));
    assert_eq!((second.handle.as_str(), second.number), ("INC-2", 2));
    assert_eq!(first.version, 1);
    assert_eq!(first.created_by.as_deref(), Some("admin"));
}

async fn concurrent_creates_get_distinct_sequential_handles(store: Store) {
    let admin = admin(&store).await;
    let tasks: Vec<_> = (1..=6)
        .map(|n| {
            let (store, admin) = (store.clone(), admin.clone());
            tokio::spawn(async move { store.create_incident(&admin, incident(&format!("incident {n}"))).await })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.expect("create task ran").expect("incident is created").number);
    }
    numbers.sort();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
}

async fn incident_keeps_its_services_teams_and_responders(store: Store) {
    let admin = admin(&store).await;
    person(&store, "ana", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_service("checkout-api", "Checkout API", None, &note()).await.unwrap();
    let new = NewIncident {
        services: vec!["checkout-api".into()],
        teams: vec!["payments".into()],
        responders: vec![
            Responder { username: "ana".into(), role: ResponderRole::IncidentCommander },
            Responder { username: "admin".into(), role: ResponderRole::Scribe },
        ],
        ..incident("Checkout errors")
    };
    let created = store.create_incident(&admin, new.clone()).await.unwrap();
    let read = store.incident(&admin, created.number).await.unwrap();
    assert_eq!(read, created);
    assert_eq!(read.services, new.services);
    assert_eq!(read.teams, new.teams);
    assert_eq!(read.responders, new.responders);
}

async fn incident_with_unknown_service_names_the_service_index(store: Store) {
    let admin = admin(&store).await;
    let new = NewIncident { services: vec!["no-such-service".into()], ..incident("x") };
    assert_eq!(invalid_fields(store.create_incident(&admin, new).await), ["services[0]"]);
}

async fn every_unknown_name_on_an_incident_is_reported_at_once(store: Store) {
    let admin = admin(&store).await;
    store.create_service("checkout-api", "Checkout API", None, &note()).await.unwrap();
    let new = NewIncident {
        services: vec!["checkout-api".into(), "ghost".into()],
        teams: vec!["ghosts".into()],
        responders: vec![Responder { username: "casper".into(), role: ResponderRole::Responder }],
        ..incident("x")
    };
    assert_eq!(invalid_fields(store.create_incident(&admin, new).await), ["services[1]", "teams[0]", "responders[0]"]);
}

async fn incident_with_moments_out_of_order_is_refused(store: Store) {
    let admin = admin(&store).await;
    let new = NewIncident {
        detected_at: Some(datetime!(2026-01-01 10:05 UTC)),
        acknowledged_at: Some(datetime!(2026-01-01 10:01 UTC)),
        ..incident("x")
    };
    assert_eq!(invalid_fields(store.create_incident(&admin, new).await), ["acknowledged_at"]);
}

async fn refused_incident_does_not_use_up_a_handle(store: Store) {
    let admin = admin(&store).await;
    let bad = NewIncident { services: vec!["ghost".into()], ..incident("bad") };
    store.create_incident(&admin, bad).await.unwrap_err();
    let good = store.create_incident(&admin, incident("good")).await.unwrap();
    assert_eq!(good.handle, "INC-1");
}

async fn missing_incident_is_not_found(store: Store) {
    let admin = admin(&store).await;
    assert_not_found(store.incident(&admin, 42).await);
}

on_both_databases!(
    incidents_get_sequential_handles,
    concurrent_creates_get_distinct_sequential_handles,
    incident_keeps_its_services_teams_and_responders,
    incident_with_unknown_service_names_the_service_index,
    every_unknown_name_on_an_incident_is_reported_at_once,
    incident_with_moments_out_of_order_is_refused,
    refused_incident_does_not_use_up_a_handle,
    missing_incident_is_not_found,
);

// ---- incidents: lists, filters, pages ----

async fn incidents_are_filtered_by_status(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("open")).await.unwrap();
    let resolved = NewIncident { status: IncidentStatus::Resolved, ..incident("resolved") };
    store.create_incident(&admin, resolved).await.unwrap();
    let filter = IncidentFilter { status: Some(IncidentStatus::Resolved), ..IncidentFilter::default() };
    assert_eq!(listed(&store, &admin, filter).await, ["resolved"]);
}

async fn incidents_are_filtered_by_severity(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, NewIncident { severity: sev(1), ..incident("sev1") }).await.unwrap();
    store.create_incident(&admin, NewIncident { severity: sev(4), ..incident("sev4") }).await.unwrap();
    let filter = IncidentFilter { severity: Some(sev(1)), ..IncidentFilter::default() };
    assert_eq!(listed(&store, &admin, filter).await, ["sev1"]);
}

async fn incidents_are_filtered_by_service(store: Store) {
    let admin = admin(&store).await;
    store.create_service("checkout-api", "Checkout API", None, &note()).await.unwrap();
    store.create_service("search", "Search", None, &note()).await.unwrap();
    let checkout = NewIncident { services: vec!["checkout-api".into()], ..incident("checkout") };
    let search = NewIncident { services: vec!["search".into()], ..incident("search") };
    store.create_incident(&admin, checkout).await.unwrap();
    store.create_incident(&admin, search).await.unwrap();
    let filter = IncidentFilter { service: Some("checkout-api".into()), ..IncidentFilter::default() };
    assert_eq!(listed(&store, &admin, filter).await, ["checkout"]);
}

async fn team_filter_finds_incidents_naming_the_team_or_hitting_its_services(store: Store) {
    let admin = admin(&store).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_team("search", "Search", &note()).await.unwrap();
    store.create_service("checkout-api", "Checkout API", Some("payments"), &note()).await.unwrap();
    let named = NewIncident { teams: vec!["payments".into()], ..incident("named") };
    let owned = NewIncident { services: vec!["checkout-api".into()], ..incident("owned service") };
    let other = NewIncident { teams: vec!["search".into()], ..incident("other team") };
    for new in [named, owned, other] {
        store.create_incident(&admin, new).await.unwrap();
    }
    let filter = IncidentFilter { team: Some("payments".into()), ..IncidentFilter::default() };
    assert_eq!(listed(&store, &admin, filter).await, ["owned service", "named"]);
}

async fn incidents_are_filtered_by_when_they_began(store: Store) {
    let admin = admin(&store).await;
    for (title, at) in [
        ("january", datetime!(2026-01-15 12:00 UTC)),
        ("february", datetime!(2026-02-15 12:00 UTC)),
        ("march", datetime!(2026-03-15 12:00 UTC)),
    ] {
        store.create_incident(&admin, incident_at(title, at)).await.unwrap();
    }
    let filter = IncidentFilter {
        since: Some(datetime!(2026-02-01 00:00 UTC)),
        until: Some(datetime!(2026-03-01 00:00 UTC)),
        ..IncidentFilter::default()
    };
    assert_eq!(listed(&store, &admin, filter).await, ["february"]);
}

async fn filters_combine(store: Store) {
    let admin = admin(&store).await;
    let sev1_resolved = NewIncident { severity: sev(1), status: IncidentStatus::Resolved, ..incident("sev1 resolved") };
    let sev1_open = NewIncident { severity: sev(1), ..incident("sev1 open") };
    let sev2_resolved = NewIncident { severity: sev(2), status: IncidentStatus::Resolved, ..incident("sev2 resolved") };
    for new in [sev1_resolved, sev1_open, sev2_resolved] {
        store.create_incident(&admin, new).await.unwrap();
    }
    let filter =
        IncidentFilter { severity: Some(sev(1)), status: Some(IncidentStatus::Resolved), ..IncidentFilter::default() };
    assert_eq!(listed(&store, &admin, filter).await, ["sev1 resolved"]);
}

async fn incident_pages_cover_every_incident_once_newest_first(store: Store) {
    let admin = admin(&store).await;
    for n in 1..=8 {
        store.create_incident(&admin, incident(&format!("incident {n}"))).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = store.list_incidents(&admin, &IncidentFilter::default(), cursor.as_deref(), 3).await.unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.iter().map(|i| i.number));
        pages += 1;
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, [8, 7, 6, 5, 4, 3, 2, 1]);
}

async fn filtered_pages_cover_every_match_once(store: Store) {
    let admin = admin(&store).await;
    for n in 1..=9 {
        let severity = if n % 2 == 0 { sev(2) } else { sev(4) };
        store.create_incident(&admin, NewIncident { severity, ..incident(&format!("incident {n}")) }).await.unwrap();
    }
    let filter = IncidentFilter { severity: Some(sev(4)), ..IncidentFilter::default() };
    let first = store.list_incidents(&admin, &filter, None, 2).await.unwrap();
    let second = store.list_incidents(&admin, &filter, first.next_cursor.as_deref(), 2).await.unwrap();
    let third = store.list_incidents(&admin, &filter, second.next_cursor.as_deref(), 2).await.unwrap();
    assert_eq!(titles(&first.items), ["incident 9", "incident 7"]);
    assert_eq!(titles(&second.items), ["incident 5", "incident 3"]);
    assert_eq!(titles(&third.items), ["incident 1"]);
    assert_eq!(third.next_cursor, None);
}

async fn page_that_ends_exactly_at_the_last_incident_has_no_cursor(store: Store) {
    let admin = admin(&store).await;
    for n in 1..=4 {
        store.create_incident(&admin, incident(&format!("incident {n}"))).await.unwrap();
    }
    let first = store.list_incidents(&admin, &IncidentFilter::default(), None, 2).await.unwrap();
    let second =
        store.list_incidents(&admin, &IncidentFilter::default(), first.next_cursor.as_deref(), 2).await.unwrap();
    assert_eq!(titles(&second.items), ["incident 2", "incident 1"]);
    assert_eq!(second.next_cursor, None);
}

async fn cursor_not_given_out_by_a_list_is_refused(store: Store) {
    let admin = admin(&store).await;
    let result = store.list_incidents(&admin, &IncidentFilter::default(), Some("not-a-cursor"), 10).await;
    assert_eq!(invalid_fields(result), ["cursor"]);
}

async fn count_matches_the_filtered_list(store: Store) {
    let admin = admin(&store).await;
    for n in 1..=5 {
        let status = if n <= 3 { IncidentStatus::Resolved } else { IncidentStatus::Triggered };
        store.create_incident(&admin, NewIncident { status, ..incident(&format!("incident {n}")) }).await.unwrap();
    }
    let resolved = IncidentFilter { status: Some(IncidentStatus::Resolved), ..IncidentFilter::default() };
    assert_eq!(store.count_incidents(&admin, &resolved).await.unwrap(), 3);
    assert_eq!(store.count_incidents(&admin, &IncidentFilter::default()).await.unwrap(), 5);
}

async fn a_count_up_to_a_cap_stops_there(store: Store) {
    let admin = admin(&store).await;
    for n in 1..=5 {
        let status = if n <= 3 { IncidentStatus::Resolved } else { IncidentStatus::Triggered };
        store.create_incident(&admin, NewIncident { status, ..incident(&format!("incident {n}")) }).await.unwrap();
    }
    store.create_incident(&admin, private_incident("secret")).await.unwrap();
    let outsider = person(&store, "eve", Role::Editor).await;
    let all = IncidentFilter::default();
    let resolved = IncidentFilter { status: Some(IncidentStatus::Resolved), ..IncidentFilter::default() };
    assert_eq!(store.count_incidents_up_to(&admin, &all, 10).await.unwrap(), CountUpTo::Exactly(6));
    assert_eq!(store.count_incidents_up_to(&admin, &all, 6).await.unwrap(), CountUpTo::Exactly(6));
    assert_eq!(store.count_incidents_up_to(&admin, &all, 5).await.unwrap(), CountUpTo::MoreThan(5));
    assert_eq!(store.count_incidents_up_to(&outsider, &all, 5).await.unwrap(), CountUpTo::Exactly(5));
    assert_eq!(store.count_incidents_up_to(&admin, &resolved, 2).await.unwrap(), CountUpTo::MoreThan(2));
    assert_eq!(store.count_incidents_up_to(&admin, &resolved, 3).await.unwrap(), CountUpTo::Exactly(3));
    assert!(CountUpTo::MoreThan(5).exceeds(5));
    assert!(!CountUpTo::Exactly(5).exceeds(5));
}

on_both_databases!(
    incidents_are_filtered_by_status,
    incidents_are_filtered_by_severity,
    incidents_are_filtered_by_service,
    team_filter_finds_incidents_naming_the_team_or_hitting_its_services,
    incidents_are_filtered_by_when_they_began,
    filters_combine,
    incident_pages_cover_every_incident_once_newest_first,
    filtered_pages_cover_every_match_once,
    page_that_ends_exactly_at_the_last_incident_has_no_cursor,
    cursor_not_given_out_by_a_list_is_refused,
    count_matches_the_filtered_list,
    a_count_up_to_a_cap_stops_there,
);

// ---- incidents: visibility ----

/// An admin, a private incident (INC-1) and a public one (INC-2).
async fn private_and_public_incidents(store: &Store, private: NewIncident) -> Viewer {
    let admin = admin(store).await;
    store.create_incident(&admin, private).await.unwrap();
    store.create_incident(&admin, incident("public")).await.unwrap();
    admin
}

async fn private_incident_is_hidden_from_an_outsider(store: Store) {
    private_and_public_incidents(&store, private_incident("secret")).await;
    let outsider = person(&store, "eve", Role::Editor).await;
    assert_not_found(store.incident(&outsider, 1).await);
    assert_eq!(listed(&store, &outsider, IncidentFilter::default()).await, ["public"]);
    assert_eq!(store.count_incidents(&outsider, &IncidentFilter::default()).await.unwrap(), 1);
}

async fn private_incident_is_visible_to_its_responder(store: Store) {
    person(&store, "ana", Role::Viewer).await;
    let secret = NewIncident {
        responders: vec![Responder { username: "ana".into(), role: ResponderRole::Responder }],
        ..private_incident("secret")
    };
    private_and_public_incidents(&store, secret).await;
    let ana = store_viewer(&store, "ana").await;
    assert_eq!(store.incident(&ana, 1).await.unwrap().title, "secret");
    assert_eq!(listed(&store, &ana, IncidentFilter::default()).await, ["public", "secret"]);
    assert_eq!(store.count_incidents(&ana, &IncidentFilter::default()).await.unwrap(), 2);
}

async fn private_incident_is_visible_to_a_member_of_a_named_team(store: Store) {
    person(&store, "ana", Role::Viewer).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    let secret = NewIncident { teams: vec!["payments".into()], ..private_incident("secret") };
    private_and_public_incidents(&store, secret).await;
    let ana = store_viewer(&store, "ana").await;
    assert_eq!(store.incident(&ana, 1).await.unwrap().title, "secret");
    assert_eq!(listed(&store, &ana, IncidentFilter::default()).await, ["public", "secret"]);
    assert_eq!(store.count_incidents(&ana, &IncidentFilter::default()).await.unwrap(), 2);
}

async fn private_incident_is_visible_to_an_admin(store: Store) {
    private_and_public_incidents(&store, private_incident("secret")).await;
    let other_admin = person(&store, "root", Role::Admin).await;
    assert_eq!(store.incident(&other_admin, 1).await.unwrap().title, "secret");
    assert_eq!(listed(&store, &other_admin, IncidentFilter::default()).await, ["public", "secret"]);
    assert_eq!(store.count_incidents(&other_admin, &IncidentFilter::default()).await.unwrap(), 2);
}

async fn leaving_the_named_team_hides_the_private_incident_again(store: Store) {
    person(&store, "ana", Role::Viewer).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    let secret = NewIncident { teams: vec!["payments".into()], ..private_incident("secret") };
    private_and_public_incidents(&store, secret).await;
    store.remove_member("payments", "ana", &note()).await.unwrap();
    let ana = store_viewer(&store, "ana").await;
    assert_not_found(store.incident(&ana, 1).await);
}

async fn private_incident_is_visible_to_the_editor_who_declared_it(store: Store) {
    let ana = person(&store, "ana", Role::Editor).await;
    let created = store.create_incident(&ana, private_incident("secret")).await.unwrap();
    assert_eq!((created.handle.as_str(), created.private), ("INC-1", true));
    assert_eq!(created.created_by.as_deref(), Some("ana"));
    assert_eq!(store.incident(&ana, 1).await.unwrap(), created);
    assert_eq!(listed(&store, &ana, IncidentFilter::default()).await, ["secret"]);
}

async fn responder_leaving_a_private_incident_gets_the_update_back(store: Store) {
    person(&store, "ana", Role::Editor).await;
    let secret = NewIncident {
        responders: vec![Responder { username: "ana".into(), role: ResponderRole::Responder }],
        ..private_incident("secret")
    };
    private_and_public_incidents(&store, secret).await;
    let ana = store_viewer(&store, "ana").await;
    let patch = IncidentPatch { version: 1, responders: Some(vec![]), ..IncidentPatch::default() };
    let updated = store.update_incident(&ana, 1, patch).await.unwrap();
    assert_eq!((updated.version, updated.responders.len()), (2, 0));
    assert_not_found(store.incident(&ana, 1).await);
}

async fn outsider_cannot_update_a_private_incident(store: Store) {
    private_and_public_incidents(&store, private_incident("secret")).await;
    let outsider = person(&store, "eve", Role::Editor).await;
    let patch = IncidentPatch { version: 1, title: Some("mine now".into()), ..IncidentPatch::default() };
    assert_not_found(store.update_incident(&outsider, 1, patch).await);
}

on_both_databases!(
    private_incident_is_hidden_from_an_outsider,
    private_incident_is_visible_to_its_responder,
    private_incident_is_visible_to_a_member_of_a_named_team,
    private_incident_is_visible_to_an_admin,
    leaving_the_named_team_hides_the_private_incident_again,
    outsider_cannot_update_a_private_incident,
    private_incident_is_visible_to_the_editor_who_declared_it,
    responder_leaving_a_private_incident_gets_the_update_back,
);

// ---- incidents: updates ----

async fn incident_update_applies_the_patch_and_bumps_the_version(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("draft title")).await.unwrap();
    let patch = IncidentPatch {
        version: 1,
        title: Some("Checkout errors".into()),
        status: Some(IncidentStatus::Mitigated),
        ..IncidentPatch::default()
    };
    let updated = store.update_incident(&admin, 1, patch).await.unwrap();
    assert_eq!(updated.title, "Checkout errors");
    assert_eq!(updated.status, IncidentStatus::Mitigated);
    assert!(updated.moments.mitigated_at.is_some());
    assert_eq!(updated.version, 2);
    assert_eq!(store.incident(&admin, 1).await.unwrap(), updated);
}

async fn stale_incident_update_is_refused_with_the_current_version(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let first = IncidentPatch { version: 1, title: Some("first".into()), ..IncidentPatch::default() };
    store.update_incident(&admin, 1, first).await.unwrap();
    let stale = IncidentPatch { version: 1, title: Some("stale".into()), ..IncidentPatch::default() };
    let result = store.update_incident(&admin, 1, stale).await;
    match result {
        Err(StoreError::Conflict { based_on, current_version, current, .. }) => {
            assert_eq!((based_on, current_version), (1, 2));
            assert_eq!(current["title"], "first");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.incident(&admin, 1).await.unwrap().title, "first");
}

async fn concurrent_updates_from_one_version_let_exactly_one_win(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    let tasks: Vec<_> = ["first", "second"]
        .into_iter()
        .map(|title| {
            let (store, admin, start) = (store.clone(), admin.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                let patch = IncidentPatch { version: 1, title: Some(title.into()), ..IncidentPatch::default() };
                store.update_incident(&admin, 1, patch).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut losers = 0;
    for task in tasks {
        match task.await.expect("update task ran") {
            Ok(incident) => winners.push(incident.title),
            Err(StoreError::Conflict { current_version, .. }) => {
                assert_eq!(current_version, 2);
                losers += 1;
            }
            Err(other) => panic!("expected success or a conflict, got {other}"),
        }
    }
    assert_eq!((winners.len(), losers), (1, 1));
    let stored = store.incident(&admin, 1).await.unwrap();
    assert_eq!((stored.title.as_str(), stored.version), (winners[0].as_str(), 2));
}

async fn update_with_unknown_team_names_the_team_index_and_changes_nothing(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let patch = IncidentPatch { version: 1, teams: Some(vec!["ghosts".into()]), ..IncidentPatch::default() };
    assert_eq!(invalid_fields(store.update_incident(&admin, 1, patch).await), ["teams[0]"]);
    assert_eq!(store.incident(&admin, 1).await.unwrap().version, 1);
}

async fn update_replaces_services_and_responders(store: Store) {
    let admin = admin(&store).await;
    person(&store, "ana", Role::Editor).await;
    store.create_service("checkout-api", "Checkout API", None, &note()).await.unwrap();
    store.create_service("search", "Search", None, &note()).await.unwrap();
    let new = NewIncident {
        services: vec!["checkout-api".into()],
        responders: vec![Responder { username: "admin".into(), role: ResponderRole::IncidentCommander }],
        ..incident("x")
    };
    store.create_incident(&admin, new).await.unwrap();
    let responders = vec![Responder { username: "ana".into(), role: ResponderRole::Scribe }];
    let patch = IncidentPatch {
        version: 1,
        services: Some(vec!["search".into()]),
        responders: Some(responders.clone()),
        ..IncidentPatch::default()
    };
    let updated = store.update_incident(&admin, 1, patch).await.unwrap();
    assert_eq!(updated.services, ["search"]);
    assert_eq!(updated.responders, responders);
}

on_both_databases!(
    incident_update_applies_the_patch_and_bumps_the_version,
    stale_incident_update_is_refused_with_the_current_version,
    concurrent_updates_from_one_version_let_exactly_one_win,
    update_with_unknown_team_names_the_team_index_and_changes_nothing,
    update_replaces_services_and_responders,
);

// ---- timestamps ----

async fn incident_times_keep_microseconds_in_utc(store: Store) {
    let admin = admin(&store).await;
    let started = datetime!(2026-03-01 12:34:56.123456789 +02:00);
    store.create_incident(&admin, incident_at("x", started)).await.unwrap();
    let read = store.incident(&admin, 1).await.unwrap();
    let stored = read.moments.started_at.expect("started_at is kept");
    assert_eq!(stored, datetime!(2026-03-01 10:34:56.123456 UTC));
    assert_eq!(stored.offset(), UtcOffset::UTC);
}

async fn event_times_keep_microseconds_in_utc(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let at = datetime!(2026-03-01 08:00:00.999999999 -05:00);
    let added = store.add_event(&admin, 1, event(at, "page sent")).await.unwrap();
    let listed = store.list_events(&admin, 1, None, 10).await.unwrap();
    assert_eq!(added.occurred_at, datetime!(2026-03-01 13:00:00.999999 UTC));
    assert_eq!(listed.items[0].occurred_at, added.occurred_at);
    assert_eq!(listed.items[0].occurred_at.offset(), UtcOffset::UTC);
}

/// Incidents that began on a whole second, half a second later, and a second later.
async fn incidents_around_ten(store: &Store) -> Viewer {
    let admin = admin(store).await;
    for (title, at) in [
        ("whole", datetime!(2026-05-01 10:00:00 UTC)),
        ("half", datetime!(2026-05-01 10:00:00.5 UTC)),
        ("next", datetime!(2026-05-01 10:00:01 UTC)),
    ] {
        store.create_incident(&admin, incident_at(title, at)).await.unwrap();
    }
    admin
}

async fn since_includes_the_moment_itself_with_or_without_fractions(store: Store) {
    let admin = incidents_around_ten(&store).await;
    let since = |at| IncidentFilter { since: Some(at), ..IncidentFilter::default() };
    assert_eq!(listed(&store, &admin, since(datetime!(2026-05-01 10:00:00 UTC))).await, ["next", "half", "whole"]);
    assert_eq!(listed(&store, &admin, since(datetime!(2026-05-01 10:00:00.5 UTC))).await, ["next", "half"]);
    assert_eq!(listed(&store, &admin, since(datetime!(2026-05-01 10:00:00.000001 UTC))).await, ["next", "half"]);
}

async fn until_excludes_the_moment_itself_with_or_without_fractions(store: Store) {
    let admin = incidents_around_ten(&store).await;
    let until = |at| IncidentFilter { until: Some(at), ..IncidentFilter::default() };
    assert_eq!(listed(&store, &admin, until(datetime!(2026-05-01 10:00:01 UTC))).await, ["half", "whole"]);
    assert_eq!(listed(&store, &admin, until(datetime!(2026-05-01 10:00:00.5 UTC))).await, ["whole"]);
    assert_eq!(listed(&store, &admin, until(datetime!(2026-05-01 10:00:00.499999 UTC))).await, ["whole"]);
    assert!(listed(&store, &admin, until(datetime!(2026-05-01 10:00:00 UTC))).await.is_empty());
}

async fn range_given_in_another_offset_compares_as_the_same_instant(store: Store) {
    let admin = incidents_around_ten(&store).await;
    let filter = IncidentFilter {
        since: Some(datetime!(2026-05-01 12:00:00.5 +02:00)),
        until: Some(datetime!(2026-05-01 05:00:01 -05:00)),
        ..IncidentFilter::default()
    };
    assert_eq!(listed(&store, &admin, filter).await, ["half"]);
}

on_both_databases!(
    incident_times_keep_microseconds_in_utc,
    event_times_keep_microseconds_in_utc,
    since_includes_the_moment_itself_with_or_without_fractions,
    until_excludes_the_moment_itself_with_or_without_fractions,
    range_given_in_another_offset_compares_as_the_same_instant,
);

// ---- timeline events ----

async fn events_are_listed_in_time_order(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    for (text, at) in [
        ("resolved", datetime!(2026-01-01 11:00 UTC)),
        ("alert", datetime!(2026-01-01 10:00 UTC)),
        ("acknowledged", datetime!(2026-01-01 10:05 UTC)),
    ] {
        store.add_event(&admin, 1, event(at, text)).await.unwrap();
    }
    let page = store.list_events(&admin, 1, None, 10).await.unwrap();
    let texts: Vec<_> = page.items.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["alert", "acknowledged", "resolved"]);
    assert_eq!(page.next_cursor, None);
}

async fn events_at_the_same_time_keep_the_order_they_were_added(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let at = datetime!(2026-01-01 10:00 UTC);
    let mut added = Vec::new();
    for n in 1..=5 {
        added.push(store.add_event(&admin, 1, event(at, &format!("message {n}"))).await.unwrap().id);
    }
    for _ in 0..2 {
        let page = store.list_events(&admin, 1, None, 10).await.unwrap();
        let listed: Vec<_> = page.items.into_iter().map(|e| e.id).collect();
        assert_eq!(listed, added);
    }
}

async fn event_pages_cover_every_event_once_even_at_equal_times(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    // Ties straddle page boundaries: a cursor must not skip or repeat them.
    let times = [
        datetime!(2026-01-01 10:00 UTC),
        datetime!(2026-01-01 10:00 UTC),
        datetime!(2026-01-01 10:00 UTC),
        datetime!(2026-01-01 10:00:00.000001 UTC),
        datetime!(2026-01-01 10:01 UTC),
        datetime!(2026-01-01 10:01 UTC),
        datetime!(2026-01-01 10:02 UTC),
    ];
    for (n, at) in times.into_iter().enumerate() {
        store.add_event(&admin, 1, event(at, &format!("event {n}"))).await.unwrap();
    }
    let all: Vec<_> = store.list_events(&admin, 1, None, 100).await.unwrap().items.into_iter().map(|e| e.id).collect();
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list_events(&admin, 1, cursor.as_deref(), 2).await.unwrap();
        assert!(page.items.len() <= 2);
        paged.extend(page.items.into_iter().map(|e| e.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(all.len(), 7);
    assert_eq!(paged, all);
}

async fn raw_payload_is_kept_and_returned(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let payload = json!({
        "event": {"event_type": "incident.triggered", "occurred_at": "2026-01-01T10:00:00Z"},
        "zeta": 1,
        "alpha": [1.5, "two", null, {"nested": true}],
        "text": "quotes \" and unicode ✓"
    });
    let new = NewTimelineEvent {
        source: "pagerduty".into(),
        raw_payload: Some(payload.clone()),
        ..event(datetime!(2026-01-01 10:00 UTC), "triggered")
    };
    let added = store.add_event(&admin, 1, new).await.unwrap();
    assert!(added.has_raw_payload);
    let raw = store.event_raw_payload(&admin, 1, &added.id).await.unwrap();
    assert_eq!(raw, payload.to_string());
    assert_eq!(serde_json::from_str::<serde_json::Value>(&raw).unwrap(), payload);
}

async fn event_without_raw_payload_has_none_to_return(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let added = store.add_event(&admin, 1, event(datetime!(2026-01-01 10:00 UTC), "note")).await.unwrap();
    assert!(!added.has_raw_payload);
    assert_not_found(store.event_raw_payload(&admin, 1, &added.id).await);
}

async fn events_of_a_private_incident_are_hidden_from_an_outsider(store: Store) {
    let admin = private_and_public_incidents(&store, private_incident("secret")).await;
    let raw = json!({"secret": true});
    let new = NewTimelineEvent { raw_payload: Some(raw), ..event(datetime!(2026-01-01 10:00 UTC), "secret note") };
    let added = store.add_event(&admin, 1, new).await.unwrap();
    let outsider = person(&store, "eve", Role::Editor).await;
    assert_not_found(store.list_events(&outsider, 1, None, 10).await);
    assert_not_found(store.event(&outsider, 1, &added.id).await);
    assert_not_found(store.event_raw_payload(&outsider, 1, &added.id).await);
    assert_not_found(store.add_event(&outsider, 1, event(datetime!(2026-01-01 10:01 UTC), "mine")).await);
    assert_eq!(store.list_events(&admin, 1, None, 10).await.unwrap().items.len(), 1);
}

async fn event_is_found_only_under_its_own_incident(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("one")).await.unwrap();
    store.create_incident(&admin, incident("two")).await.unwrap();
    let added = store.add_event(&admin, 1, event(datetime!(2026-01-01 10:00 UTC), "note")).await.unwrap();
    assert_eq!(store.event(&admin, 1, &added.id).await.unwrap(), added);
    assert_not_found(store.event(&admin, 2, &added.id).await);
    assert_not_found(store.delete_event(&admin, 2, &added.id).await);
    assert!(store.list_events(&admin, 2, None, 10).await.unwrap().items.is_empty());
}

async fn stale_event_update_is_refused_with_the_current_version(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let added = store.add_event(&admin, 1, event(datetime!(2026-01-01 10:00 UTC), "note")).await.unwrap();
    let first = TimelineEventPatch { version: 1, text: Some("first".into()), ..TimelineEventPatch::default() };
    assert_eq!(store.update_event(&admin, 1, &added.id, first).await.unwrap().version, 2);
    let stale = TimelineEventPatch { version: 1, text: Some("stale".into()), ..TimelineEventPatch::default() };
    assert_eq!(conflict_version(store.update_event(&admin, 1, &added.id, stale).await), 2);
}

fn imported(at: OffsetDateTime, source: &str, external_id: &str) -> ImportedEvent {
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

async fn timeline_ids(store: &Store, viewer: &Viewer) -> Vec<String> {
    let page = store.list_events(viewer, 1, None, 5000).await.unwrap();
    page.items.into_iter().map(|e| format!("{}/{}", e.source, e.external_id)).collect()
}

async fn importing_the_same_events_twice_adds_them_once(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let batch: Vec<ImportedEvent> = (0..1200)
        .map(|i| imported(datetime!(2026-01-01 10:00 UTC) + Duration::seconds(i % 7), "pagerduty", &format!("Q{i:04}")))
        .collect();
    assert_eq!(store.import_events(&admin, 1, &batch, &[]).await.unwrap(), 1200);
    assert_eq!(store.import_events(&admin, 1, &batch, &[]).await.unwrap(), 0);
    assert_eq!(store.count_events(&admin, 1).await.unwrap(), 1200);
}

async fn timeline_order_does_not_depend_on_import_order(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("a")).await.unwrap();
    store.create_incident(&admin, incident("b")).await.unwrap();
    let at = datetime!(2026-01-01 10:00 UTC);
    let events = vec![
        imported(at, "slack", "m2"),
        imported(at, "alertmanager", "f1"),
        imported(at + Duration::seconds(1), "pagerduty", "p1"),
        imported(at, "slack", "m1"),
    ];
    let mut reversed = events.clone();
    reversed.reverse();
    store.import_events(&admin, 1, &events, &[]).await.unwrap();
    store.import_events(&admin, 2, &reversed[..2], &[]).await.unwrap();
    store.import_events(&admin, 2, &reversed[2..], &[]).await.unwrap();
    let first = timeline_ids(&store, &admin).await;
    assert_eq!(first, ["alertmanager/f1", "slack/m1", "slack/m2", "pagerduty/p1"]);
    let second: Vec<String> = store
        .list_events(&admin, 2, None, 100)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| format!("{}/{}", e.source, e.external_id))
        .collect();
    assert_eq!(first, second);
}

async fn imported_events_keep_their_raw_payload(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    store.import_events(&admin, 1, &[imported(datetime!(2026-01-01 10:00 UTC), "github", "d-1")], &[]).await.unwrap();
    let event = store.list_events(&admin, 1, None, 10).await.unwrap().items.remove(0);
    assert_eq!(store.event_raw_payload(&admin, 1, &event.id).await.unwrap(), r#"{"id":"d-1"}"#);
}

async fn posting_an_event_with_a_known_external_id_answers_the_existing_one(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let new =
        NewTimelineEvent { external_id: Some("hook-1".into()), ..event(datetime!(2026-01-01 10:00 UTC), "first") };
    let first = store.add_event(&admin, 1, new.clone()).await.unwrap();
    let again = store.add_event(&admin, 1, NewTimelineEvent { text: "redelivered".into(), ..new }).await.unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(again.text, "first");
    assert_eq!(store.count_events(&admin, 1).await.unwrap(), 1);
}

async fn importing_into_a_private_incident_needs_sight_of_it(store: Store) {
    let admin = admin(&store).await;
    let outsider = person(&store, "outsider", Role::Editor).await;
    store.create_incident(&admin, private_incident("x")).await.unwrap();
    let batch = [imported(datetime!(2026-01-01 10:00 UTC), "slack", "m1")];
    assert!(matches!(store.import_events(&outsider, 1, &batch, &[]).await, Err(StoreError::NotFound(_))));
    assert_eq!(store.count_events(&admin, 1).await.unwrap(), 0);
}

async fn incident_refs_find_the_incident_a_tool_knows(store: Store) {
    let admin = admin(&store).await;
    let outsider = person(&store, "outsider", Role::Editor).await;
    store.create_incident(&admin, incident("a")).await.unwrap();
    store.create_incident(&admin, private_incident("b")).await.unwrap();
    store.add_incident_ref(&admin, 1, "pagerduty_incident", "PT4KHLK").await.unwrap();
    store.add_incident_ref(&admin, 2, "slack_channel", "inc-2").await.unwrap();
    store.add_incident_ref(&admin, 2, "pagerduty_incident", "PT4KHLK").await.unwrap();
    assert_eq!(store.incident_by_ref(&admin, "pagerduty_incident", "PT4KHLK").await.unwrap(), Some(1));
    assert_eq!(store.incident_by_ref(&admin, "slack_channel", "inc-2").await.unwrap(), Some(2));
    assert_eq!(store.incident_by_ref(&outsider, "slack_channel", "inc-2").await.unwrap(), None);
    assert_eq!(store.incident_by_ref(&admin, "slack_channel", "inc-9").await.unwrap(), None);
    // To someone who cannot see incident 2 its references are free, as if it did not exist.
    store.create_incident(&outsider, incident("c")).await.unwrap();
    store.add_incident_ref(&outsider, 3, "slack_channel", "inc-2").await.unwrap();
    assert_eq!(store.incident_by_ref(&outsider, "slack_channel", "inc-2").await.unwrap(), Some(3));
    assert_eq!(store.incident_by_ref(&admin, "slack_channel", "inc-2").await.unwrap(), Some(2));
}

fn reference(kind: &str, value: &str) -> (String, String) {
    (kind.to_string(), value.to_string())
}

async fn imports_record_references_with_their_events(store: Store) {
    let admin = admin(&store).await;
    let outsider = person(&store, "outsider", Role::Editor).await;
    store.create_incident(&admin, incident("a")).await.unwrap();
    store.create_incident(&admin, private_incident("b")).await.unwrap();
    store.add_incident_ref(&admin, 1, "pagerduty_incident", "HELD").await.unwrap();
    let refs: Vec<(String, String)> = (0..250)
        .map(|i| reference("alert_fingerprint", &format!("f{i}")))
        .chain([reference("pagerduty_incident", "HELD"), reference("slack_channel", "inc-b")])
        .collect();
    let batch = [imported(datetime!(2026-01-01 10:00 UTC), "alertmanager", "f0")];
    assert_eq!(store.import_events(&admin, 2, &batch, &refs).await.unwrap(), 1);
    let found = store.incidents_by_refs(&admin, &refs).await.unwrap();
    assert_eq!(found.len(), refs.len());
    assert_eq!(found[&reference("alert_fingerprint", "f249")], 2);
    assert_eq!(found[&reference("slack_channel", "inc-b")], 2);
    // A reference another incident holds stays with it.
    assert_eq!(found[&reference("pagerduty_incident", "HELD")], 1);
    // The private incident's references are not seen by someone who cannot see it.
    let seen = store.incidents_by_refs(&outsider, &refs).await.unwrap();
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), [(reference("pagerduty_incident", "HELD"), 1)]);
}

async fn events_are_counted_in_a_span_and_set_aside_by_external_id(store: Store) {
    let admin = admin(&store).await;
    let outsider = person(&store, "outsider", Role::Editor).await;
    store.create_incident(&admin, private_incident("a")).await.unwrap();
    let at = datetime!(2026-01-01 10:00 UTC);
    let events: Vec<ImportedEvent> = (0..6)
        .map(|i| {
            imported(at + Duration::minutes(i), if i % 2 == 0 { "alertmanager" } else { "grafana" }, &format!("e{i}"))
        })
        .collect();
    store.import_events(&admin, 1, &events, &[]).await.unwrap();
    let both = ["alertmanager".to_string(), "grafana".to_string()];
    let one = ["grafana".to_string()];
    assert!(matches!(store.begin_duplicate_check(&outsider, 1).await, Err(StoreError::NotFound(_))));
    let mut check = store.begin_duplicate_check(&admin, 1).await.unwrap();
    // Both ends included.
    assert_eq!(check.count_events_between(&both, at, at + Duration::minutes(5)).await.unwrap(), 6);
    assert_eq!(
        check.count_events_between(&both, at + Duration::minutes(1), at + Duration::minutes(4)).await.unwrap(),
        4
    );
    assert_eq!(check.count_events_between(&one, at, at + Duration::minutes(5)).await.unwrap(), 3);
    check.commit().await.unwrap();
    let before = store.list_events(&admin, 1, None, 10).await.unwrap().items;
    let keys = [reference("grafana", "e1"), reference("alertmanager", "e1"), reference("alertmanager", "e4")];
    let mut check = store.begin_duplicate_check(&admin, 1).await.unwrap();
    // ("alertmanager", "e1") names no event: two of the three keys set aside one each.
    assert_eq!(check.set_aside(&keys).await.unwrap(), 2);
    check.commit().await.unwrap();
    let left: Vec<String> =
        store.list_events(&admin, 1, None, 10).await.unwrap().items.into_iter().map(|e| e.external_id).collect();
    assert_eq!(left, ["e0", "e2", "e3", "e5"]);
    assert_eq!(store.count_events(&admin, 1).await.unwrap(), 4);
    // Listed apart, to those who may see the incident.
    let set_aside = store.list_duplicates(&admin, 1, None, 1).await.unwrap();
    assert_eq!(set_aside.items.iter().map(|e| e.external_id.as_str()).collect::<Vec<_>>(), ["e1"]);
    let rest = store.list_duplicates(&admin, 1, set_aside.next_cursor.as_deref(), 10).await.unwrap();
    assert_eq!((rest.items.len(), rest.items[0].external_id.as_str(), rest.next_cursor), (1, "e4", None));
    assert_eq!(store.count_duplicates(&admin, 1).await.unwrap(), 2);
    assert!(matches!(store.list_duplicates(&outsider, 1, None, 10).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.count_duplicates(&outsider, 1).await, Err(StoreError::NotFound(_))));
    let mut check = store.begin_duplicate_check(&admin, 1).await.unwrap();
    // Still counted and read back by the duplicate check, marked as set aside.
    assert_eq!(check.count_events_between(&both, at, at + Duration::minutes(5)).await.unwrap(), 6);
    let read = check.events_with_correlation(&both, at, None, 10).await.unwrap();
    let marks: Vec<(&str, bool)> = read.iter().map(|e| (e.external_id.as_str(), e.set_aside)).collect();
    assert_eq!(marks, [("e0", false), ("e1", true), ("e2", false), ("e3", false), ("e4", true), ("e5", false)]);
    // Brought back whole: same id, text and payload as before.
    assert_eq!(check.restore(&[reference("grafana", "e1")]).await.unwrap(), 1);
    assert_eq!(check.restore(&[reference("grafana", "e1")]).await.unwrap(), 0);
    check.commit().await.unwrap();
    let after = store.list_events(&admin, 1, None, 10).await.unwrap().items;
    let e1 = |events: &[TimelineEvent]| events.iter().find(|e| e.external_id == "e1").cloned();
    assert_eq!(e1(&after), e1(&before));
    assert_eq!(after.len(), 5);
}

async fn a_duplicate_check_keeps_nothing_unless_committed(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("a")).await.unwrap();
    let at = datetime!(2026-01-01 10:00 UTC);
    store.import_events(&admin, 1, &[imported(at, "grafana", "g0")], &[]).await.unwrap();
    let mut check = store.begin_duplicate_check(&admin, 1).await.unwrap();
    assert_eq!(check.set_aside(&[reference("grafana", "g0")]).await.unwrap(), 1);
    drop(check);
    assert_eq!(store.count_events(&admin, 1).await.unwrap(), 1);
}

async fn duplicate_checks_of_one_incident_run_one_after_the_other(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("a")).await.unwrap();
    let at = datetime!(2026-01-01 10:00 UTC);
    store.import_events(&admin, 1, &[imported(at, "grafana", "g0")], &[]).await.unwrap();
    let first = store.begin_duplicate_check(&admin, 1).await.unwrap();
    let second = tokio::spawn({
        let (store, admin) = (store.clone(), admin.clone());
        async move {
            let mut check = store.begin_duplicate_check(&admin, 1).await.unwrap();
            let sources = ["grafana".to_string()];
            let seen = check.events_with_correlation(&sources, at, None, 10).await.unwrap();
            check.commit().await.unwrap();
            seen.into_iter().map(|e| e.set_aside).collect::<Vec<_>>()
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!second.is_finished(), "the second check waits for the first");
    let mut first = first;
    assert_eq!(first.set_aside(&[reference("grafana", "g0")]).await.unwrap(), 1);
    first.commit().await.unwrap();
    // The second sees what the first set aside.
    assert_eq!(second.await.unwrap(), [true]);
}

async fn hundreds_of_events_are_set_aside_and_restored_at_once(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("a")).await.unwrap();
    let at = datetime!(2026-01-01 10:00 UTC);
    let events: Vec<ImportedEvent> =
        (0..250).map(|i| imported(at + Duration::seconds(i), "grafana", &format!("g{i}"))).collect();
    store.import_events(&admin, 1, &events, &[]).await.unwrap();
    // Every other key, and one twice: 125 events in more than one statement's worth of keys.
    let mut keys: Vec<(String, String)> = (0..250).step_by(2).map(|i| reference("grafana", &format!("g{i}"))).collect();
    keys.push(reference("grafana", "g0"));
    let mut check = store.begin_duplicate_check(&admin, 1).await.unwrap();
    assert_eq!(check.set_aside(&keys).await.unwrap(), 125);
    check.commit().await.unwrap();
    assert_eq!(store.count_events(&admin, 1).await.unwrap(), 125);
    assert_eq!(store.count_duplicates(&admin, 1).await.unwrap(), 125);
    let mut check = store.begin_duplicate_check(&admin, 1).await.unwrap();
    assert_eq!(check.restore(&keys).await.unwrap(), 125);
    check.commit().await.unwrap();
    assert_eq!(store.count_events(&admin, 1).await.unwrap(), 250);
    assert_eq!(store.count_duplicates(&admin, 1).await.unwrap(), 0);
}

async fn events_a_person_edited_are_not_set_aside_as_duplicates(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("a")).await.unwrap();
    let at = datetime!(2026-01-01 10:00 UTC);
    let events: Vec<ImportedEvent> =
        (0..4).map(|i| imported(at + Duration::minutes(i), "grafana", &format!("g{i}"))).collect();
    store.import_events(&admin, 1, &events, &[]).await.unwrap();
    let stored = store.list_events(&admin, 1, None, 10).await.unwrap().items;
    for event in &stored[..2] {
        let patch =
            TimelineEventPatch { version: event.version, text: Some("Checked by hand".into()), ..Default::default() };
        store.update_event(&admin, 1, &event.id, patch).await.unwrap();
    }
    for keys in [
        [reference("grafana", "g0"), reference("grafana", "g2")],
        [reference("grafana", "g1"), reference("grafana", "g3")],
    ] {
        let mut check = store.begin_duplicate_check(&admin, 1).await.unwrap();
        assert_eq!(check.set_aside(&keys).await.unwrap(), 1);
        check.commit().await.unwrap();
    }
    let left: Vec<String> =
        store.list_events(&admin, 1, None, 10).await.unwrap().items.into_iter().map(|e| e.external_id).collect();
    assert_eq!(left, ["g0", "g1"]);
}

async fn the_duplicate_check_reads_the_kept_correlation_or_else_the_payload(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("a")).await.unwrap();
    let at = datetime!(2026-01-01 10:00 UTC);
    let kept = ImportedEvent {
        correlation: Some(r#"{"c":{"fingerprint":"f1"}}"#.into()),
        ..imported(at, "alertmanager", "a1")
    };
    let legacy = imported(at + Duration::seconds(1), "alertmanager", "a2");
    store.import_events(&admin, 1, &[kept, legacy], &[]).await.unwrap();
    let sources = ["alertmanager".to_string()];
    let mut check = store.begin_duplicate_check(&admin, 1).await.unwrap();
    let events = check.events_with_correlation(&sources, at, None, 10).await.unwrap();
    let got: Vec<(&str, Option<&str>, Option<&str>)> =
        events.iter().map(|e| (e.external_id.as_str(), e.correlation.as_deref(), e.raw_payload.as_deref())).collect();
    assert_eq!(got, [("a1", Some(r#"{"c":{"fingerprint":"f1"}}"#), None), ("a2", None, Some(r#"{"id":"a2"}"#))]);
}

on_both_databases!(
    importing_the_same_events_twice_adds_them_once,
    timeline_order_does_not_depend_on_import_order,
    imported_events_keep_their_raw_payload,
    posting_an_event_with_a_known_external_id_answers_the_existing_one,
    importing_into_a_private_incident_needs_sight_of_it,
    incident_refs_find_the_incident_a_tool_knows,
    imports_record_references_with_their_events,
    the_duplicate_check_reads_the_kept_correlation_or_else_the_payload,
    events_are_counted_in_a_span_and_set_aside_by_external_id,
    events_a_person_edited_are_not_set_aside_as_duplicates,
    a_duplicate_check_keeps_nothing_unless_committed,
    duplicate_checks_of_one_incident_run_one_after_the_other,
    hundreds_of_events_are_set_aside_and_restored_at_once,
);

on_both_databases!(
    events_are_listed_in_time_order,
    events_at_the_same_time_keep_the_order_they_were_added,
    event_pages_cover_every_event_once_even_at_equal_times,
    raw_payload_is_kept_and_returned,
    event_without_raw_payload_has_none_to_return,
    event_is_found_only_under_its_own_incident,
    events_of_a_private_incident_are_hidden_from_an_outsider,
    stale_event_update_is_refused_with_the_current_version,
);

// ---- post-mortems ----

/// A post-mortem patch replacing the summary.
fn summary(version: i64, text: &str) -> PostmortemPatch {
    let sections = SectionsPatch { summary: Some(text.into()), ..SectionsPatch::default() };
    PostmortemPatch { version, sections: Some(sections), ..PostmortemPatch::default() }
}

async fn new_postmortem_is_a_draft_owned_by_its_creator(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("Checkout errors")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    assert_eq!(pm.status, PostmortemStatus::Draft);
    assert_eq!(pm.owner.as_deref(), Some("admin"));
    assert_eq!(pm.incident, "INC-1");
    assert_eq!(pm.incident_title, "Checkout errors");
    assert_eq!(pm.version, 1);
    assert_eq!(pm.published_at, None);
    assert_eq!(store.postmortem_of_incident(&admin, 1).await.unwrap(), pm);
}

async fn a_postmortem_the_operator_starts_has_no_owner_until_one_is_named(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("Checkout errors")).await.unwrap();
    store.create_incident(&admin, incident("Search errors")).await.unwrap();
    let operator = Viewer::operator();
    let pm = store.create_postmortem(&operator, 1, NewPostmortem::default()).await.unwrap();
    assert_eq!(pm.owner, None);
    let named = NewPostmortem { owner: Some("admin".into()), ..NewPostmortem::default() };
    assert_eq!(store.create_postmortem(&operator, 2, named).await.unwrap().owner.as_deref(), Some("admin"));
    let nobody = NewPostmortem { owner: Some("nobody".into()), ..NewPostmortem::default() };
    store.create_incident(&admin, incident("Login errors")).await.unwrap();
    assert_eq!(invalid_fields(store.create_postmortem(&operator, 3, nobody).await), ["owner"]);
}

async fn second_postmortem_for_an_incident_is_refused_as_duplicate(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let again = store.create_postmortem(&admin, 1, NewPostmortem::default()).await;
    match again {
        Err(StoreError::Duplicate { field, value }) => {
            assert_eq!((field.as_str(), value.as_str()), ("incident", "INC-1"))
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
}

async fn postmortem_update_replaces_only_the_named_sections(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let mut new = NewPostmortem::default();
    new.sections.trigger = "A deploy of checkout-api 2.3.1".into();
    let pm = store.create_postmortem(&admin, 1, new).await.unwrap();
    let updated = store.update_postmortem(&admin, &pm.id, summary(1, "Checkout failed for 20 minutes.")).await.unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.sections.summary, "Checkout failed for 20 minutes.");
    assert_eq!(updated.sections.trigger, "A deploy of checkout-api 2.3.1");
    assert_eq!(store.postmortem(&admin, &pm.id).await.unwrap(), updated);
}

async fn stale_postmortem_update_is_refused_with_the_current_version(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    store.update_postmortem(&admin, &pm.id, summary(1, "first")).await.unwrap();
    assert_eq!(conflict_version(store.update_postmortem(&admin, &pm.id, summary(1, "stale")).await), 2);
    assert_eq!(store.postmortem(&admin, &pm.id).await.unwrap().sections.summary, "first");
}

async fn postmortem_history_records_every_change_with_old_new_and_actor(store: Store) {
    let admin = admin(&store).await;
    let ana = person(&store, "ana", Role::Editor).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    store.update_postmortem(&ana, &pm.id, summary(1, "Checkout failed.")).await.unwrap();
    store.set_postmortem_status(&admin, &pm.id, 2, PostmortemStatus::InReview).await.unwrap();
    let history = store.postmortem_history(&admin, &pm.id).await.unwrap();
    let versions: Vec<_> = history.iter().map(|h| (h.version, h.actor.as_deref())).collect();
    assert_eq!(versions, [(1, Some("admin")), (2, Some("ana")), (3, Some("admin"))]);
    assert!(history[0].changes.iter().any(|c| c.field == "owner" && c.new == json!("admin")));
    assert_eq!(
        history[1].changes,
        [FieldChange { field: "sections.summary".into(), old: json!(""), new: json!("Checkout failed.") }]
    );
    assert_eq!(
        history[2].changes,
        [FieldChange { field: "status".into(), old: json!("draft"), new: json!("in_review") }]
    );
}

async fn update_that_changes_nothing_adds_no_history(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let same = store.update_postmortem(&admin, &pm.id, summary(1, "")).await.unwrap();
    assert_eq!(same.version, 1);
    assert_eq!(store.postmortem_history(&admin, &pm.id).await.unwrap().len(), 1);
}

async fn publishing_after_review_sets_published_at(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let before = OffsetDateTime::now_utc() - Duration::seconds(1);
    let review = store.set_postmortem_status(&admin, &pm.id, 1, PostmortemStatus::InReview).await.unwrap();
    assert_eq!(review.published_at, None);
    let published = store.set_postmortem_status(&admin, &pm.id, 2, PostmortemStatus::Published).await.unwrap();
    assert_eq!(published.status, PostmortemStatus::Published);
    let at = published.published_at.expect("published_at is set");
    assert!(at >= before && at <= OffsetDateTime::now_utc(), "published_at {at} is not now");
    assert_eq!(published.version, 3);
}

async fn a_status_move_keeps_its_reason_in_the_history_and_the_chain(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let reason = "Submitted with 1 wording finding open: the quote is the customer's own words";
    let review =
        store.set_postmortem_status_because(&admin, &pm.id, 1, PostmortemStatus::InReview, Some(reason)).await.unwrap();
    assert_eq!(review.status, PostmortemStatus::InReview);
    let history = store.postmortem_history(&admin, &pm.id).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!((last.version, last.reason.as_deref()), (2, Some(reason)));
    assert_eq!(history[0].reason, None);
    let report = store.verify_audit_chains().await.unwrap();
    assert!(report.intact(), "the reason is part of the hashed row: {report:?}");
}

async fn draft_cannot_be_published_directly(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let result = store.set_postmortem_status(&admin, &pm.id, 1, PostmortemStatus::Published).await;
    assert_eq!(invalid_fields(result), ["status"]);
    let stored = store.postmortem(&admin, &pm.id).await.unwrap();
    assert_eq!((stored.status, stored.version), (PostmortemStatus::Draft, 1));
}

/// Post-mortems of INC-1 (draft, owned by admin) and INC-2 (in review, owned by ana).
async fn two_postmortems(store: &Store) -> Viewer {
    let admin = admin(store).await;
    person(store, "ana", Role::Editor).await;
    for title in ["one", "two"] {
        store.create_incident(&admin, incident(title)).await.unwrap();
    }
    store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let owned = NewPostmortem { owner: Some("ana".into()), ..NewPostmortem::default() };
    let second = store.create_postmortem(&admin, 2, owned).await.unwrap();
    store.set_postmortem_status(&admin, &second.id, 1, PostmortemStatus::InReview).await.unwrap();
    admin
}

async fn postmortems_are_filtered_by_status(store: Store) {
    let admin = two_postmortems(&store).await;
    let filter = PostmortemFilter { status: Some(PostmortemStatus::Draft), ..PostmortemFilter::default() };
    let page = store.list_postmortems(&admin, &filter, None, 10).await.unwrap();
    let incidents: Vec<_> = page.items.iter().map(|p| p.incident.as_str()).collect();
    assert_eq!(incidents, ["INC-1"]);
}

async fn postmortems_are_filtered_by_owner(store: Store) {
    let admin = two_postmortems(&store).await;
    let filter = PostmortemFilter { owner: Some("ana".into()), ..PostmortemFilter::default() };
    let page = store.list_postmortems(&admin, &filter, None, 10).await.unwrap();
    let incidents: Vec<_> = page.items.iter().map(|p| p.incident.as_str()).collect();
    assert_eq!(incidents, ["INC-2"]);
}

async fn postmortem_of_a_private_incident_is_hidden_from_an_outsider(store: Store) {
    let admin = private_and_public_incidents(&store, private_incident("secret")).await;
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let outsider = person(&store, "eve", Role::Editor).await;
    assert_not_found(store.postmortem(&outsider, &pm.id).await);
    assert_not_found(store.postmortem_of_incident(&outsider, 1).await);
    assert_not_found(store.postmortem_history(&outsider, &pm.id).await);
    assert_not_found(store.update_postmortem(&outsider, &pm.id, summary(1, "mine")).await);
    assert_not_found(store.create_postmortem(&outsider, 1, NewPostmortem::default()).await);
    let listed = store.list_postmortems(&outsider, &Default::default(), None, 10).await.unwrap();
    assert!(listed.items.is_empty());
}

on_both_databases!(
    new_postmortem_is_a_draft_owned_by_its_creator,
    a_postmortem_the_operator_starts_has_no_owner_until_one_is_named,
    second_postmortem_for_an_incident_is_refused_as_duplicate,
    postmortem_update_replaces_only_the_named_sections,
    stale_postmortem_update_is_refused_with_the_current_version,
    postmortem_history_records_every_change_with_old_new_and_actor,
    update_that_changes_nothing_adds_no_history,
    publishing_after_review_sets_published_at,
    a_status_move_keeps_its_reason_in_the_history_and_the_chain,
    draft_cannot_be_published_directly,
    postmortem_of_a_private_incident_is_hidden_from_an_outsider,
    postmortems_are_filtered_by_status,
    postmortems_are_filtered_by_owner,
);

// ---- action items ----

/// Titles of the action items `viewer` gets for `filter`, newest first, on one page.
async fn listed_items(store: &Store, viewer: &Viewer, filter: ActionItemFilter) -> Vec<String> {
    let page = store.list_action_items(viewer, &filter, None, 100).await.expect("action items are listed");
    assert_eq!(page.next_cursor, None);
    item_titles(&page.items).into_iter().map(String::from).collect()
}

async fn action_item_is_created_with_its_owners(store: Store) {
    let admin = admin(&store).await;
    person(&store, "ana", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_incident(&admin, incident("x")).await.unwrap();
    let new = NewActionItem {
        owner: Some("ana".into()),
        owner_team: Some("payments".into()),
        due_date: Some(date!(2026 - 02 - 01)),
        tracker_url: Some("https://tracker.example.com/PAY-1".into()),
        ..action_item("Add a canary stage")
    };
    let item = store.create_action_item(&admin, 1, new).await.unwrap();
    assert_eq!(item.incident, "INC-1");
    assert_eq!(item.owner.as_deref(), Some("ana"));
    assert_eq!(item.owner_team.as_deref(), Some("payments"));
    assert_eq!(item.due_date, Some(date!(2026 - 02 - 01)));
    assert_eq!(item.version, 1);
    assert_eq!(store.action_item(&admin, &item.id).await.unwrap(), item);
}

async fn action_item_with_unknown_owners_names_both_fields(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let new = NewActionItem { owner: Some("casper".into()), owner_team: Some("ghosts".into()), ..action_item("x") };
    assert_eq!(invalid_fields(store.create_action_item(&admin, 1, new).await), ["owner", "owner_team"]);
}

async fn action_items_are_filtered_by_status(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    store.create_action_item(&admin, 1, action_item("open")).await.unwrap();
    let done = NewActionItem { status: ActionItemStatus::Done, ..action_item("done") };
    store.create_action_item(&admin, 1, done).await.unwrap();
    let filter = ActionItemFilter { status: Some(ActionItemStatus::Done), ..ActionItemFilter::default() };
    assert_eq!(listed_items(&store, &admin, filter).await, ["done"]);
}

async fn action_items_are_filtered_by_owner(store: Store) {
    let admin = admin(&store).await;
    person(&store, "ana", Role::Editor).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    store
        .create_action_item(&admin, 1, NewActionItem { owner: Some("ana".into()), ..action_item("ana's") })
        .await
        .unwrap();
    store
        .create_action_item(&admin, 1, NewActionItem { owner: Some("admin".into()), ..action_item("admin's") })
        .await
        .unwrap();
    let filter = ActionItemFilter { owner: Some("ana".into()), ..ActionItemFilter::default() };
    assert_eq!(listed_items(&store, &admin, filter).await, ["ana's"]);
}

async fn action_items_are_filtered_by_team(store: Store) {
    let admin = admin(&store).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_team("search", "Search", &note()).await.unwrap();
    store.create_incident(&admin, incident("x")).await.unwrap();
    let payments = NewActionItem { owner_team: Some("payments".into()), ..action_item("payments'") };
    let search = NewActionItem { owner_team: Some("search".into()), ..action_item("search's") };
    store.create_action_item(&admin, 1, payments).await.unwrap();
    store.create_action_item(&admin, 1, search).await.unwrap();
    let filter = ActionItemFilter { team: Some("payments".into()), ..ActionItemFilter::default() };
    assert_eq!(listed_items(&store, &admin, filter).await, ["payments'"]);
}

async fn action_items_are_filtered_by_incident(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("one")).await.unwrap();
    store.create_incident(&admin, incident("two")).await.unwrap();
    store.create_action_item(&admin, 1, action_item("from one")).await.unwrap();
    store.create_action_item(&admin, 2, action_item("from two")).await.unwrap();
    let filter = ActionItemFilter { incident: Some(2), ..ActionItemFilter::default() };
    assert_eq!(listed_items(&store, &admin, filter).await, ["from two"]);
}

async fn due_before_finds_only_unfinished_items_due_earlier(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    for (title, due, status) in [
        ("overdue", Some(date!(2026 - 01 - 10)), ActionItemStatus::Open),
        ("overdue in progress", Some(date!(2026 - 01 - 14)), ActionItemStatus::InProgress),
        ("done early", Some(date!(2026 - 01 - 05)), ActionItemStatus::Done),
        ("due on the day", Some(date!(2026 - 01 - 15)), ActionItemStatus::Open),
        ("due later", Some(date!(2026 - 02 - 01)), ActionItemStatus::Open),
        ("no date", None, ActionItemStatus::Open),
    ] {
        store
            .create_action_item(&admin, 1, NewActionItem { due_date: due, status, ..action_item(title) })
            .await
            .unwrap();
    }
    let filter = ActionItemFilter { due_before: Some(date!(2026 - 01 - 15)), ..ActionItemFilter::default() };
    assert_eq!(listed_items(&store, &admin, filter).await, ["overdue in progress", "overdue"]);
}

async fn action_item_pages_cover_every_item_once(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let mut created = Vec::new();
    for n in 1..=5 {
        created.push(store.create_action_item(&admin, 1, action_item(&format!("item {n}"))).await.unwrap().id);
    }
    created.reverse();
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list_action_items(&admin, &ActionItemFilter::default(), cursor.as_deref(), 2).await.unwrap();
        paged.extend(page.items.into_iter().map(|i| i.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, created);
}

async fn action_item_update_applies_the_patch_and_bumps_the_version(store: Store) {
    let admin = admin(&store).await;
    person(&store, "ana", Role::Editor).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let item = store
        .create_action_item(&admin, 1, NewActionItem { owner: Some("admin".into()), ..action_item("x") })
        .await
        .unwrap();
    let patch = ActionItemPatch {
        version: 1,
        status: Some(ActionItemStatus::InProgress),
        owner: Some(Some("ana".into())),
        due_date: Some(Some(date!(2026 - 03 - 01))),
        ..ActionItemPatch::default()
    };
    let updated = store.update_action_item(&admin, &item.id, patch).await.unwrap();
    assert_eq!(updated.status, ActionItemStatus::InProgress);
    assert_eq!(updated.owner.as_deref(), Some("ana"));
    assert_eq!(updated.due_date, Some(date!(2026 - 03 - 01)));
    assert_eq!(updated.version, 2);
    assert_eq!(store.action_item(&admin, &item.id).await.unwrap(), updated);
}

async fn stale_action_item_update_is_refused_with_the_current_version(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let item = store.create_action_item(&admin, 1, action_item("x")).await.unwrap();
    let first = ActionItemPatch { version: 1, title: Some("first".into()), ..ActionItemPatch::default() };
    store.update_action_item(&admin, &item.id, first).await.unwrap();
    let stale = ActionItemPatch { version: 1, title: Some("stale".into()), ..ActionItemPatch::default() };
    assert_eq!(conflict_version(store.update_action_item(&admin, &item.id, stale).await), 2);
    assert_eq!(store.action_item(&admin, &item.id).await.unwrap().title, "first");
}

async fn action_items_of_a_private_incident_are_hidden_from_an_outsider(store: Store) {
    let admin = private_and_public_incidents(&store, private_incident("secret")).await;
    let secret = store.create_action_item(&admin, 1, action_item("secret item")).await.unwrap();
    store.create_action_item(&admin, 2, action_item("public item")).await.unwrap();
    let outsider = person(&store, "eve", Role::Editor).await;
    assert_not_found(store.action_item(&outsider, &secret.id).await);
    assert_eq!(listed_items(&store, &outsider, ActionItemFilter::default()).await, ["public item"]);
    let patch = ActionItemPatch { version: 1, title: Some("mine".into()), ..ActionItemPatch::default() };
    assert_not_found(store.update_action_item(&outsider, &secret.id, patch).await);
    assert_not_found(store.create_action_item(&outsider, 1, action_item("mine")).await);
}

async fn action_items_of_a_private_incident_are_visible_to_its_responder(store: Store) {
    person(&store, "ana", Role::Viewer).await;
    let secret = NewIncident {
        responders: vec![Responder { username: "ana".into(), role: ResponderRole::Responder }],
        ..private_incident("secret")
    };
    let admin = private_and_public_incidents(&store, secret).await;
    store.create_action_item(&admin, 1, action_item("secret item")).await.unwrap();
    let ana = store_viewer(&store, "ana").await;
    assert_eq!(listed_items(&store, &ana, ActionItemFilter::default()).await, ["secret item"]);
}

on_both_databases!(
    action_item_is_created_with_its_owners,
    action_item_with_unknown_owners_names_both_fields,
    action_items_are_filtered_by_status,
    action_items_are_filtered_by_owner,
    action_items_are_filtered_by_team,
    action_items_are_filtered_by_incident,
    due_before_finds_only_unfinished_items_due_earlier,
    action_item_pages_cover_every_item_once,
    action_item_update_applies_the_patch_and_bumps_the_version,
    stale_action_item_update_is_refused_with_the_current_version,
    action_items_of_a_private_incident_are_hidden_from_an_outsider,
    action_items_of_a_private_incident_are_visible_to_its_responder,
);

// ---- what needs a person: assigned items, due dates, reviews, responses ----

/// Titles of the items `viewer` gets for `filter`, soonest due first.
async fn items_by_due(store: &Store, viewer: &Viewer, filter: ActionItemFilter) -> Vec<String> {
    let items = store.action_items_by_due_date(viewer, &filter, 100).await.expect("action items are listed");
    item_titles(&items).into_iter().map(String::from).collect()
}

/// A post-mortem of incident `number` owned by `owner`, due on `due`, moved to `status`.
async fn postmortem_in(
    store: &Store,
    admin: &Viewer,
    number: i64,
    owner: &str,
    due: Option<time::Date>,
    status: PostmortemStatus,
) {
    let new = NewPostmortem { owner: Some(owner.into()), due_date: due, ..NewPostmortem::default() };
    let mut pm = store.create_postmortem(admin, number, new).await.unwrap();
    let path: &[PostmortemStatus] = match status {
        PostmortemStatus::Draft => &[],
        PostmortemStatus::InReview => &[PostmortemStatus::InReview],
        PostmortemStatus::Published => &[PostmortemStatus::InReview, PostmortemStatus::Published],
        PostmortemStatus::Archived => {
            &[PostmortemStatus::InReview, PostmortemStatus::Published, PostmortemStatus::Archived]
        }
    };
    for next in path {
        pm = store.set_postmortem_status(admin, &pm.id, pm.version, *next).await.unwrap();
    }
}

fn incidents_of(postmortems: &[hindsight_core::Postmortem]) -> Vec<&str> {
    postmortems.iter().map(|p| p.incident.as_str()).collect()
}

async fn assigned_items_are_mine_and_my_teams_unowned_ones(store: Store) {
    let admin = admin(&store).await;
    person(&store, "ana", Role::Editor).await;
    person(&store, "bob", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_team("search", "Search", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    store.create_incident(&admin, incident("x")).await.unwrap();
    for (title, owner, team, status) in [
        ("mine", Some("ana"), None, ActionItemStatus::Open),
        ("my team's", None, Some("payments"), ActionItemStatus::InProgress),
        ("bob's for payments", Some("bob"), Some("payments"), ActionItemStatus::Open),
        ("another team's", None, Some("search"), ActionItemStatus::Open),
        ("mine, done", Some("ana"), None, ActionItemStatus::Done),
    ] {
        let new = NewActionItem {
            owner: owner.map(String::from),
            owner_team: team.map(String::from),
            status,
            ..action_item(title)
        };
        store.create_action_item(&admin, 1, new).await.unwrap();
    }
    let filter = ActionItemFilter { assigned_to: Some("ana".into()), unfinished: true, ..ActionItemFilter::default() };
    let mut titles = items_by_due(&store, &admin, filter).await;
    titles.sort();
    assert_eq!(titles, ["mine", "my team's"]);
    let everything = ActionItemFilter { assigned_to: Some("ana".into()), ..ActionItemFilter::default() };
    assert_eq!(items_by_due(&store, &admin, everything).await.len(), 3, "done items count without `unfinished`");
}

async fn items_by_due_date_lead_with_the_earliest_and_end_with_undated(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    for (title, due) in [
        ("undated", None),
        ("later", Some(date!(2026 - 03 - 01))),
        ("overdue", Some(date!(2026 - 01 - 01))),
        ("soon", Some(date!(2026 - 02 - 01))),
    ] {
        store.create_action_item(&admin, 1, NewActionItem { due_date: due, ..action_item(title) }).await.unwrap();
    }
    assert_eq!(
        items_by_due(&store, &admin, ActionItemFilter::default()).await,
        ["overdue", "soon", "later", "undated"]
    );
    let overdue = ActionItemFilter { due_before: Some(date!(2026 - 01 - 15)), ..ActionItemFilter::default() };
    assert_eq!(items_by_due(&store, &admin, overdue).await, ["overdue"]);
}

async fn action_items_are_filtered_by_service(store: Store) {
    let admin = admin(&store).await;
    store.create_service("checkout", "Checkout", None, &note()).await.unwrap();
    store.create_incident(&admin, NewIncident { services: vec!["checkout".into()], ..incident("one") }).await.unwrap();
    store.create_incident(&admin, incident("two")).await.unwrap();
    store.create_action_item(&admin, 1, action_item("of checkout")).await.unwrap();
    store.create_action_item(&admin, 2, action_item("elsewhere")).await.unwrap();
    let filter = ActionItemFilter { service: Some("checkout".into()), ..ActionItemFilter::default() };
    assert_eq!(items_by_due(&store, &admin, filter.clone()).await, ["of checkout"]);
    assert_eq!(listed_items(&store, &admin, filter).await, ["of checkout"]);
}

async fn item_counts_by_status_leave_out_what_the_viewer_cannot_see(store: Store) {
    let outsider = person(&store, "outsider", Role::Editor).await;
    let admin = private_and_public_incidents(&store, private_incident("secret")).await;
    store.create_action_item(&admin, 1, action_item("secret open")).await.unwrap();
    store.create_action_item(&admin, 2, action_item("public open")).await.unwrap();
    let done = NewActionItem { status: ActionItemStatus::Done, ..action_item("public done") };
    store.create_action_item(&admin, 2, done).await.unwrap();
    let mut counts = store.count_action_items_by_status(&admin, &ActionItemFilter::default()).await.unwrap();
    counts.sort_by_key(|(status, _)| status.as_str());
    assert_eq!(counts, [(ActionItemStatus::Done, 1), (ActionItemStatus::Open, 2)]);
    let counts = store.count_action_items_by_status(&outsider, &ActionItemFilter::default()).await.unwrap();
    let open = counts.iter().find(|(s, _)| *s == ActionItemStatus::Open).map(|(_, n)| *n);
    assert_eq!(open, Some(1));
}

async fn my_unpublished_postmortems_are_my_drafts_and_reviews(store: Store) {
    let admin = admin(&store).await;
    let ana = person(&store, "ana", Role::Editor).await;
    for title in ["draft", "review", "published", "someone else's"] {
        store.create_incident(&admin, incident(title)).await.unwrap();
    }
    postmortem_in(&store, &admin, 1, "ana", Some(date!(2026 - 02 - 01)), PostmortemStatus::Draft).await;
    postmortem_in(&store, &admin, 2, "ana", Some(date!(2026 - 01 - 01)), PostmortemStatus::InReview).await;
    postmortem_in(&store, &admin, 3, "ana", None, PostmortemStatus::Published).await;
    postmortem_in(&store, &admin, 4, "admin", None, PostmortemStatus::Draft).await;
    let mine = store.my_unpublished_postmortems(&ana).await.unwrap();
    assert_eq!(incidents_of(&mine), ["INC-2", "INC-1"], "soonest due first");
}

async fn postmortems_to_review_are_others_in_review_on_my_teams_incidents(store: Store) {
    let admin = admin(&store).await;
    let ana = person(&store, "ana", Role::Editor).await;
    person(&store, "bob", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    store.create_service("checkout", "Checkout", Some("payments"), &note()).await.unwrap();
    let named = NewIncident { teams: vec!["payments".into()], ..incident("names my team") };
    let affects = NewIncident { services: vec!["checkout".into()], ..incident("affects my service") };
    store.create_incident(&admin, named.clone()).await.unwrap();
    store.create_incident(&admin, affects).await.unwrap();
    store.create_incident(&admin, incident("unrelated")).await.unwrap();
    store.create_incident(&admin, named.clone()).await.unwrap();
    store.create_incident(&admin, named).await.unwrap();
    postmortem_in(&store, &admin, 1, "bob", None, PostmortemStatus::InReview).await;
    postmortem_in(&store, &admin, 2, "bob", None, PostmortemStatus::InReview).await;
    postmortem_in(&store, &admin, 3, "bob", None, PostmortemStatus::InReview).await;
    postmortem_in(&store, &admin, 4, "ana", None, PostmortemStatus::InReview).await;
    postmortem_in(&store, &admin, 5, "bob", None, PostmortemStatus::Draft).await;
    let to_review = store.postmortems_for_me_to_review(&ana).await.unwrap();
    assert_eq!(incidents_of(&to_review), ["INC-1", "INC-2"]);
}

async fn overdue_drafts_are_visible_drafts_due_before_today(store: Store) {
    let outsider = person(&store, "outsider", Role::Editor).await;
    let admin = private_and_public_incidents(&store, private_incident("secret")).await;
    store.create_incident(&admin, incident("due today")).await.unwrap();
    store.create_incident(&admin, incident("in review")).await.unwrap();
    let today = date!(2026 - 01 - 15);
    postmortem_in(&store, &admin, 1, "admin", Some(date!(2026 - 01 - 01)), PostmortemStatus::Draft).await;
    postmortem_in(&store, &admin, 2, "admin", Some(date!(2026 - 01 - 10)), PostmortemStatus::Draft).await;
    postmortem_in(&store, &admin, 3, "admin", Some(today), PostmortemStatus::Draft).await;
    postmortem_in(&store, &admin, 4, "admin", Some(date!(2026 - 01 - 01)), PostmortemStatus::InReview).await;
    assert_eq!(incidents_of(&store.overdue_draft_postmortems(&admin, today).await.unwrap()), ["INC-1", "INC-2"]);
    assert_eq!(incidents_of(&store.overdue_draft_postmortems(&outsider, today).await.unwrap()), ["INC-2"]);
}

async fn open_incidents_i_respond_to_leave_out_resolved_and_others(store: Store) {
    let admin = admin(&store).await;
    let ana = person(&store, "ana", Role::Viewer).await;
    let me = |role| vec![Responder { username: "ana".into(), role }];
    let at = datetime!(2026-01-10 10:00 UTC);
    let secret =
        NewIncident { responders: me(ResponderRole::Scribe), severity: sev(1), ..private_incident("secret, mine") };
    let resolved = NewIncident {
        responders: me(ResponderRole::Responder),
        status: IncidentStatus::Resolved,
        started_at: Some(at),
        resolved_at: Some(at + Duration::hours(1)),
        ..incident("resolved")
    };
    store.create_incident(&admin, secret).await.unwrap();
    store.create_incident(&admin, resolved).await.unwrap();
    store.create_incident(&admin, incident("not mine")).await.unwrap();
    let both = vec![
        Responder { username: "ana".into(), role: ResponderRole::IncidentCommander },
        Responder { username: "ana".into(), role: ResponderRole::Scribe },
    ];
    store.create_incident(&admin, NewIncident { responders: both, ..incident("mine twice") }).await.unwrap();
    let open = store.open_incidents_i_respond_to(&ana).await.unwrap();
    let seen: Vec<(&str, &str, ResponderRole)> =
        open.iter().map(|i| (i.handle.as_str(), i.title.as_str(), i.role)).collect();
    assert_eq!(
        seen,
        [("INC-1", "secret, mine", ResponderRole::Scribe), ("INC-4", "mine twice", ResponderRole::IncidentCommander)]
    );
    assert!(open[0].private);
}

on_both_databases!(
    assigned_items_are_mine_and_my_teams_unowned_ones,
    items_by_due_date_lead_with_the_earliest_and_end_with_undated,
    action_items_are_filtered_by_service,
    item_counts_by_status_leave_out_what_the_viewer_cannot_see,
    my_unpublished_postmortems_are_my_drafts_and_reviews,
    postmortems_to_review_are_others_in_review_on_my_teams_incidents,
    overdue_drafts_are_visible_drafts_due_before_today,
    open_incidents_i_respond_to_leave_out_resolved_and_others,
);

// ---- settings changed at run time, and every user's tokens ----

async fn stored_setting_is_read_back_replaced_and_deleted(store: Store) {
    assert!(store.stored_settings().await.unwrap().is_empty());
    store.put_setting("policy.prolonged_minutes", "45", &note_by("ana")).await.unwrap();
    store.put_setting("webhooks.github_secret", "\"s3cret\"", &note_by("ana")).await.unwrap();
    let replaced = store.put_setting("policy.prolonged_minutes", "90", &note_by("ben")).await.unwrap();
    let stored = store.stored_settings().await.unwrap();
    let keys: Vec<&str> = stored.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["policy.prolonged_minutes", "webhooks.github_secret"]);
    assert_eq!(stored[0].value, "90");
    assert_eq!(stored[0].updated_by.as_deref(), Some("ben"));
    assert_eq!(stored[0].updated_at, replaced.updated_at);
    assert!(store.delete_setting("policy.prolonged_minutes", &note()).await.unwrap());
    assert!(!store.delete_setting("policy.prolonged_minutes", &note()).await.unwrap(), "nothing left to delete");
    let keys: Vec<String> = store.stored_settings().await.unwrap().into_iter().map(|s| s.key).collect();
    assert_eq!(keys, ["webhooks.github_secret"]);
}

async fn setting_that_is_not_json_is_refused(store: Store) {
    let error = store.put_setting("policy.prolonged_minutes", "forty", &note_by("ana")).await.unwrap_err();
    assert!(matches!(&error, StoreError::Invalid(e) if e.0.iter().any(|f| f.field == "value")), "{error:?}");
    let error = store.put_setting("", "1", &note_by("ana")).await.unwrap_err();
    assert!(matches!(&error, StoreError::Invalid(e) if e.0.iter().any(|f| f.field == "key")), "{error:?}");
    assert!(store.stored_settings().await.unwrap().is_empty());
}

async fn every_users_tokens_are_listed_newest_first(store: Store) {
    person(&store, "ana", Role::Viewer).await;
    person(&store, "ben", Role::Editor).await;
    let first = store.create_token("ana", "laptop", "hash-1", |_| note()).await.unwrap();
    let second = store.create_token("ben", "ci", "hash-2", |_| note()).await.unwrap();
    store.revoke_token(&first.id, &note()).await.unwrap();
    let all = store.list_all_tokens().await.unwrap();
    let listed: Vec<(&str, &str, bool)> =
        all.iter().map(|t| (t.username.as_str(), t.name.as_str(), t.revoked_at.is_some())).collect();
    assert_eq!(listed, [("ben", "ci", false), ("ana", "laptop", true)]);
    assert_eq!(all[0].id, second.id);
    assert_eq!(store.list_tokens("ana").await.unwrap().len(), 1, "one user's list stays theirs");
}

on_both_databases!(
    stored_setting_is_read_back_replaced_and_deleted,
    setting_that_is_not_json_is_refused,
    every_users_tokens_are_listed_newest_first,
);

// ---- incident list: search and order; timeline: categories and volume ----

async fn search_matches_title_or_description_ignoring_case(store: Store) {
    let admin = admin(&store).await;
    let described = NewIncident { description: "The Checkout pool kept stale connections".into(), ..incident("pool") };
    for new in [incident("Checkout returns 502"), described, incident("Search is slow")] {
        store.create_incident(&admin, new).await.unwrap();
    }
    let search = |words: &str| IncidentFilter { search: Some(words.into()), ..IncidentFilter::default() };
    assert_eq!(listed(&store, &admin, search("CHECKOUT")).await, ["pool", "Checkout returns 502"]);
    assert_eq!(listed(&store, &admin, search("slow")).await, ["Search is slow"]);
    assert_eq!(store.count_incidents(&admin, &search("checkout")).await.unwrap(), 2);
}

async fn search_finds_every_word_or_its_beginning_and_follows_changes(store: Store) {
    let admin = admin(&store).await;
    let described = NewIncident { description: "Résumé uploads failed for an hour".into(), ..incident("Uploads") };
    let host = NewIncident { description: "Disk full on db01.prod.example (read-only)".into(), ..incident("Disk") };
    for new in [incident("Checkout returns 502"), described, incident("Checkout slow after deploy"), host] {
        store.create_incident(&admin, new).await.unwrap();
    }
    let search = |words: &str| IncidentFilter { search: Some(words.into()), ..IncidentFilter::default() };
    // A word's beginning; every word; case ignored, also in other alphabets' letters;
    // punctuation between words ignored.
    assert_eq!(listed(&store, &admin, search("check")).await, ["Checkout slow after deploy", "Checkout returns 502"]);
    assert_eq!(listed(&store, &admin, search("checkout slow")).await, ["Checkout slow after deploy"]);
    assert_eq!(listed(&store, &admin, search("RÉSUMÉ")).await, ["Uploads"]);
    assert_eq!(listed(&store, &admin, search("checkout, 502!")).await, ["Checkout returns 502"]);
    assert!(listed(&store, &admin, search("heckout")).await.is_empty(), "words, not any part of one");
    assert_eq!(listed(&store, &admin, search("prod")).await, ["Disk"], "a host name's parts are words");
    assert_eq!(listed(&store, &admin, search("read-only db01")).await, ["Disk"]);
    // Changes and deletions are followed.
    let current = store.incident(&admin, 1).await.unwrap();
    let patch = IncidentPatch {
        version: current.version,
        title: Some("Payments return 502".into()),
        ..IncidentPatch::default()
    };
    store.update_incident(&admin, 1, patch).await.unwrap();
    assert_eq!(listed(&store, &admin, search("checkout")).await, ["Checkout slow after deploy"]);
    assert_eq!(listed(&store, &admin, search("payments")).await, ["Payments return 502"]);
    store.delete_incident(&admin, 3, &note()).await.unwrap();
    assert!(listed(&store, &admin, search("checkout")).await.is_empty());
}

async fn search_takes_wildcards_literally(store: Store) {
    let admin = admin(&store).await;
    for title in ["Error rate at 100% for checkout", "Disk at 95 percent", "queue_depth alert"] {
        store.create_incident(&admin, incident(title)).await.unwrap();
    }
    let search = |words: &str| IncidentFilter { search: Some(words.into()), ..IncidentFilter::default() };
    assert_eq!(listed(&store, &admin, search("100%")).await, ["Error rate at 100% for checkout"]);
    assert_eq!(listed(&store, &admin, search("%")).await, ["Error rate at 100% for checkout"]);
    assert_eq!(listed(&store, &admin, search("_")).await, ["queue_depth alert"]);
}

async fn search_never_shows_a_private_incident_to_an_outsider(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, private_incident("Secret checkout leak")).await.unwrap();
    store.create_incident(&admin, incident("Public checkout outage")).await.unwrap();
    let outsider = person(&store, "olga", Role::Editor).await;
    let search = IncidentFilter { search: Some("checkout".into()), ..IncidentFilter::default() };
    assert_eq!(listed(&store, &outsider, search).await, ["Public checkout outage"]);
}

async fn a_search_is_paged_in_number_order_both_ways_and_counted_up_to_a_cap(store: Store) {
    use hindsight_store::IncidentSort;
    let admin = admin(&store).await;
    for n in 1..=9 {
        let new = match n % 3 {
            0 => private_incident(&format!("checkout secret {n}")),
            1 => incident(&format!("checkout outage {n}")),
            _ => incident(&format!("search outage {n}")),
        };
        store.create_incident(&admin, new).await.unwrap();
    }
    let outsider = person(&store, "olga", Role::Editor).await;
    let filter = IncidentFilter { search: Some("checkout".into()), ..IncidentFilter::default() };
    let read = |viewer: Viewer, sort: IncidentSort| {
        let (store, filter) = (&store, &filter);
        async move {
            let (mut titles, mut cursor) = (Vec::new(), None::<String>);
            loop {
                let page = store.list_incidents_sorted(&viewer, filter, sort, cursor.as_deref(), 2).await.unwrap();
                titles.extend(page.items.into_iter().map(|i| i.title));
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => return titles,
                }
            }
        }
    };
    let newest = read(admin.clone(), IncidentSort::Newest).await;
    assert_eq!(
        newest,
        [
            "checkout secret 9",
            "checkout outage 7",
            "checkout secret 6",
            "checkout outage 4",
            "checkout secret 3",
            "checkout outage 1"
        ]
    );
    let oldest = read(admin.clone(), IncidentSort::Oldest).await;
    assert_eq!(oldest, newest.iter().rev().cloned().collect::<Vec<_>>());
    assert_eq!(
        read(outsider.clone(), IncidentSort::Newest).await,
        ["checkout outage 7", "checkout outage 4", "checkout outage 1"]
    );
    assert_eq!(store.count_incidents_up_to(&admin, &filter, 10).await.unwrap(), CountUpTo::Exactly(6));
    assert_eq!(store.count_incidents_up_to(&admin, &filter, 4).await.unwrap(), CountUpTo::MoreThan(4));
    assert_eq!(store.count_incidents_up_to(&outsider, &filter, 10).await.unwrap(), CountUpTo::Exactly(3));
}

/// Titles of every incident in `sort` order, read two at a time through the cursors.
async fn sorted_titles(store: &Store, viewer: &Viewer, sort: hindsight_store::IncidentSort) -> Vec<String> {
    let mut titles = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page =
            store.list_incidents_sorted(viewer, &IncidentFilter::default(), sort, cursor.as_deref(), 2).await.unwrap();
        titles.extend(page.items.into_iter().map(|i| i.title));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return titles,
        }
    }
}

async fn incidents_are_listed_by_when_they_began_across_pages(store: Store) {
    use hindsight_store::IncidentSort;
    let admin = admin(&store).await;
    let day = |d: u8| time::Date::from_calendar_date(2026, time::Month::March, d).unwrap().midnight().assume_utc();
    // Declared in one order, began in another; "b" and "d" began at the same moment, and
    // "e" has no start, so it began when it was declared (now, after all the others).
    for (title, began) in
        [("a", Some(day(9))), ("b", Some(day(3))), ("c", Some(day(5))), ("d", Some(day(3))), ("e", None)]
    {
        store.create_incident(&admin, NewIncident { started_at: began, ..incident(title) }).await.unwrap();
    }
    assert_eq!(sorted_titles(&store, &admin, IncidentSort::Began).await, ["e", "a", "c", "d", "b"]);
    // Not a cursor of this sort, a time past any the databases keep, a number too large.
    for cursor in ["5", "99999999999999999999999999999999999999.1", "0.99999999999999999999", "-1.x"] {
        let bad =
            store.list_incidents_sorted(&admin, &IncidentFilter::default(), IncidentSort::Began, Some(cursor), 2).await;
        assert_eq!(invalid_fields(bad), ["cursor"], "{cursor}");
    }
}

async fn incidents_are_listed_newest_oldest_or_most_severe_first_across_pages(store: Store) {
    use hindsight_store::IncidentSort;
    let admin = admin(&store).await;
    for (title, level) in [("a", 3), ("b", 1), ("c", 2), ("d", 1), ("e", 3)] {
        store.create_incident(&admin, NewIncident { severity: sev(level), ..incident(title) }).await.unwrap();
    }
    assert_eq!(sorted_titles(&store, &admin, IncidentSort::Newest).await, ["e", "d", "c", "b", "a"]);
    assert_eq!(sorted_titles(&store, &admin, IncidentSort::Oldest).await, ["a", "b", "c", "d", "e"]);
    assert_eq!(sorted_titles(&store, &admin, IncidentSort::Severity).await, ["d", "b", "c", "e", "a"]);
    let bad = store
        .list_incidents_sorted(&admin, &IncidentFilter::default(), IncidentSort::Severity, Some("nonsense"), 2)
        .await;
    assert_eq!(invalid_fields(bad), ["cursor"]);
}

fn categorised(at: OffsetDateTime, source: &str, kind: EventKind, id: &str) -> ImportedEvent {
    ImportedEvent { kind, ..imported(at, source, id) }
}

async fn timeline_categories_in_sql_match_the_rust_mapping(store: Store) {
    use hindsight_store::EventCategory;
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("categories")).await.unwrap();
    let start = datetime!(2026-11-20 10:00 UTC);
    let mut events = Vec::new();
    for (i, kind) in EventKind::ALL.iter().enumerate() {
        for source in ["pagerduty", "opsgenie", "alertmanager", "grafana", "slack", "manual"] {
            events.push(categorised(start + Duration::minutes(i as i64), source, *kind, &format!("{source}-{kind}")));
        }
    }
    store.import_events(&admin, 1, &events, &[]).await.unwrap();
    for category in EventCategory::ALL {
        let page = store.list_events_in_category(&admin, 1, Some(category), None, 100).await.unwrap();
        let mut got: Vec<String> = page.items.iter().map(|e| e.external_id.clone()).collect();
        let mut expected: Vec<String> = events
            .iter()
            .filter(|e| EventCategory::of(&e.source, e.kind) == category)
            .map(|e| e.external_id.clone())
            .collect();
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "{category:?}");
        assert!(!got.is_empty(), "{category:?} has events");
    }
    let all = store.list_events_in_category(&admin, 1, None, None, 100).await.unwrap();
    assert_eq!(all.items.len(), events.len());
}

async fn a_status_update_is_filed_with_the_tool_that_sent_it(store: Store) {
    use hindsight_store::EventCategory;
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("statuses")).await.unwrap();
    let start = datetime!(2026-11-20 10:00 UTC);
    let events = [
        categorised(start, "pagerduty", EventKind::StatusUpdate, "resolved-by-laura"),
        categorised(start, "alertmanager", EventKind::StatusUpdate, "alert-resolved"),
        categorised(start, "slack", EventKind::StatusUpdate, "status-page-post"),
    ];
    store.import_events(&admin, 1, &events, &[]).await.unwrap();
    for (category, id) in [
        (EventCategory::Pages, "resolved-by-laura"),
        (EventCategory::Alerts, "alert-resolved"),
        (EventCategory::Chat, "status-page-post"),
    ] {
        let page = store.list_events_in_category(&admin, 1, Some(category), None, 100).await.unwrap();
        let ids: Vec<&str> = page.items.iter().map(|e| e.external_id.as_str()).collect();
        assert_eq!(ids, [id], "{category:?}");
    }
}

async fn events_of_one_category_are_paged_in_time_order(store: Store) {
    use hindsight_store::EventCategory;
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("paged")).await.unwrap();
    let start = datetime!(2026-11-20 10:00 UTC);
    let events: Vec<ImportedEvent> = (0..25)
        .map(|i| {
            let kind = if i % 2 == 0 { EventKind::Alert } else { EventKind::Message };
            categorised(start + Duration::seconds(i), "tool", kind, &format!("{i:02}"))
        })
        .collect();
    store.import_events(&admin, 1, &events, &[]).await.unwrap();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page =
            store.list_events_in_category(&admin, 1, Some(EventCategory::Alerts), cursor.as_deref(), 4).await.unwrap();
        seen.extend(page.items.iter().map(|e| e.external_id.clone()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let expected: Vec<String> = (0..25).filter(|i| i % 2 == 0).map(|i| format!("{i:02}")).collect();
    assert_eq!(seen, expected);
}

async fn event_volume_counts_events_per_slice_and_category(store: Store) {
    use hindsight_store::EventCategory;
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("volume")).await.unwrap();
    let empty = store.event_volume(&admin, 1, 10).await.unwrap();
    assert_eq!((empty.first, empty.counts.len()), (None, 0));
    let start = datetime!(2026-11-20 10:00 UTC);
    // Ten minutes in ten slices: three alerts in the first minute, a deploy at 10:05:30,
    // two messages in the last minute (the last event at exactly 10:10).
    let events = vec![
        categorised(start, "alertmanager", EventKind::Alert, "a1"),
        categorised(start + Duration::seconds(20), "alertmanager", EventKind::Alert, "a2"),
        categorised(start + Duration::seconds(59), "alertmanager", EventKind::Alert, "a3"),
        categorised(start + Duration::seconds(330), "github", EventKind::Deploy, "d1"),
        categorised(start + Duration::seconds(545), "slack", EventKind::Message, "m1"),
        categorised(start + Duration::minutes(10), "slack", EventKind::Message, "m2"),
    ];
    store.import_events(&admin, 1, &events, &[]).await.unwrap();
    let volume = store.event_volume(&admin, 1, 10).await.unwrap();
    assert_eq!(volume.first, Some(start));
    assert_eq!(volume.last, Some(start + Duration::minutes(10)));
    assert_eq!(
        volume.counts,
        [(0, EventCategory::Alerts, 3), (5, EventCategory::Deploys, 1), (9, EventCategory::Chat, 2)]
    );
    let totals = volume.totals();
    assert_eq!(totals.iter().map(|(_, n)| n).sum::<i64>(), 6);
    assert!(totals.contains(&(EventCategory::Alerts, 3)));
    let outsider = person(&store, "olga", Role::Editor).await;
    store.create_incident(&admin, private_incident("secret")).await.unwrap();
    assert_not_found(store.event_volume(&outsider, 2, 10).await);
    assert_not_found(store.list_events_in_category(&outsider, 2, Some(EventCategory::Chat), None, 10).await);
}

on_both_databases!(
    search_matches_title_or_description_ignoring_case,
    search_takes_wildcards_literally,
    search_finds_every_word_or_its_beginning_and_follows_changes,
    search_never_shows_a_private_incident_to_an_outsider,
    a_search_is_paged_in_number_order_both_ways_and_counted_up_to_a_cap,
    incidents_are_listed_newest_oldest_or_most_severe_first_across_pages,
    incidents_are_listed_by_when_they_began_across_pages,
    timeline_categories_in_sql_match_the_rust_mapping,
    a_status_update_is_filed_with_the_tool_that_sent_it,
    events_of_one_category_are_paged_in_time_order,
    event_volume_counts_events_per_slice_and_category,
);

// ---- tamper-evident record ----

/// An incident with three changes (history versions 2, 3, 4) and a post-mortem with
/// two (versions 1, 2); returns the incident's and the post-mortem's ids.
async fn chained_history(store: &Store) -> (String, String) {
    let admin = admin(store).await;
    let created = store.create_incident(&admin, incident("chained")).await.unwrap();
    for (version, title) in [(1, "second"), (2, "third"), (3, "fourth")] {
        let patch = IncidentPatch {
            version,
            title: Some(title.into()),
            reason: Some(format!("rename {version}")),
            ..IncidentPatch::default()
        };
        store.update_incident(&admin, 1, patch).await.unwrap();
    }
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    store.update_postmortem(&admin, &pm.id, summary(pm.version, "What happened.")).await.unwrap();
    (created.id, pm.id)
}

/// The (table, record, version) of every broken row the report names.
fn broken_rows(report: &hindsight_core::audit::ChainReport) -> Vec<(String, String, i64)> {
    report.broken.iter().map(|b| (b.table.clone(), b.record.clone(), b.version)).collect()
}

async fn fresh_chains_verify(store: Store) {
    let (_, _) = chained_history(&store).await;
    store.record_audit_event("admin", "created team", "payments", &json!({"name": "Payments"})).await.unwrap();
    store.record_audit_event("admin", "deleted team", "payments", &json!({})).await.unwrap();
    let report = store.verify_audit_chains().await.unwrap();
    assert!(report.intact(), "{report:?}");
    // One incident chain, one post-mortem chain, the audit events (the admin's account
    // was noted when it was created).
    assert_eq!((report.chains_checked, report.rows_checked), (3, 3 + 2 + 3));
    assert_eq!(report.audit_events_head.as_ref().map(|h| h.version), Some(3));
    assert_eq!(report.heads_digest.len(), 64);
    let events = store.audit_events(10).await.unwrap();
    let listed: Vec<(i64, &str)> = events.iter().map(|e| (e.id, e.action.as_str())).collect();
    assert_eq!(listed, [(3, "deleted team"), (2, "created team"), (1, "changed an account")]);
    assert_eq!(events[0].prev_hash.as_deref(), Some(events[1].hash.as_str()));
    assert_eq!(events[1].detail, json!({"name": "Payments"}));
}

async fn edited_history_changes_are_found_at_that_row(store: Store) {
    let (incident_id, _) = chained_history(&store).await;
    let changed = execute_raw(
        &store,
        &format!("UPDATE incident_history SET changes = '[]' WHERE incident_id = '{incident_id}' AND version = 3"),
    )
    .await;
    assert_eq!(changed, 1);
    let report = store.verify_audit_chains().await.unwrap();
    assert_eq!(broken_rows(&report), [("incident_history".to_string(), incident_id, 3)]);
    assert!(report.broken[0].problem.contains("changed"), "{:?}", report.broken[0]);
}

async fn edited_history_actor_is_found_at_that_row(store: Store) {
    let (_, postmortem_id) = chained_history(&store).await;
    person(&store, "mallory", Role::Admin).await;
    let mallory = store.user_by_username("mallory").await.unwrap();
    execute_raw(
        &store,
        &format!(
            "UPDATE postmortem_history SET actor_id = '{}' WHERE postmortem_id = '{postmortem_id}' AND version = 2",
            mallory.id
        ),
    )
    .await;
    let report = store.verify_audit_chains().await.unwrap();
    assert_eq!(broken_rows(&report), [("postmortem_history".to_string(), postmortem_id, 2)]);
}

async fn deleted_middle_row_is_found_after_the_gap(store: Store) {
    let (incident_id, _) = chained_history(&store).await;
    execute_raw(&store, &format!("DELETE FROM incident_history WHERE incident_id = '{incident_id}' AND version = 3"))
        .await;
    let report = store.verify_audit_chains().await.unwrap();
    assert_eq!(broken_rows(&report), [("incident_history".to_string(), incident_id, 4)]);
    assert!(report.broken[0].problem.contains("prev_hash"), "{:?}", report.broken[0]);
}

async fn deleted_or_edited_audit_events_are_found(store: Store) {
    for n in 1..=3 {
        store.record_audit_event("admin", &format!("change {n}"), "policy", &json!({})).await.unwrap();
    }
    execute_raw(&store, "UPDATE audit_events SET actor = 'someone' WHERE id = 2").await;
    let report = store.verify_audit_chains().await.unwrap();
    assert_eq!(broken_rows(&report), [("audit_events".to_string(), String::new(), 2)]);
    execute_raw(&store, "DELETE FROM audit_events WHERE id = 3").await;
    execute_raw(&store, "DELETE FROM audit_events WHERE id = 2").await;
    let report = store.verify_audit_chains().await.unwrap();
    assert_eq!(broken_rows(&report), [("audit_events".to_string(), String::new(), 3)], "the last events are missing");
}

/// Every history row's (prev_hash, hash), as stored, in a fixed order.
async fn stored_hashes(store: &Store) -> Vec<Option<String>> {
    let mut hashes = Vec::new();
    for table in ["incident_history", "postmortem_history"] {
        for column in ["prev_hash", "hash"] {
            let key = if table == "incident_history" { "incident_id" } else { "postmortem_id" };
            hashes.extend(fetch_raw(store, &format!("SELECT {column} FROM {table} ORDER BY {key}, version")).await);
        }
    }
    hashes
}

async fn rows_written_before_the_chain_are_sealed_once_at_migration(store: Store) {
    let (incident_id, postmortem_id) = chained_history(&store).await;
    // As a database from before migration 0005: rows without hashes, sealing not yet done.
    assert_eq!(execute_raw(&store, "UPDATE incident_history SET hash = NULL, prev_hash = NULL").await, 3);
    assert_eq!(execute_raw(&store, "UPDATE postmortem_history SET hash = NULL, prev_hash = NULL").await, 2);
    assert_eq!(execute_raw(&store, "UPDATE counters SET value = 0 WHERE name = 'history_sealed'").await, 1);
    let report = store.verify_audit_chains().await.unwrap();
    assert_eq!(
        broken_rows(&report),
        [("incident_history".to_string(), incident_id, 2), ("postmortem_history".to_string(), postmortem_id, 1)]
    );
    store.migrate().await.unwrap();
    let report = store.verify_audit_chains().await.unwrap();
    assert!(report.intact(), "{report:?}");
    // A change after sealing chains onto the sealed rows.
    let admin = store_viewer(&store, "admin").await;
    let patch = IncidentPatch { version: 4, title: Some("fifth".into()), ..IncidentPatch::default() };
    store.update_incident(&admin, 1, patch).await.unwrap();
    let report = store.verify_audit_chains().await.unwrap();
    assert!(report.intact(), "{report:?}");
    assert_eq!(report.rows_checked, 4 + 2 + 1, "with the audit event of the admin's account");
    // Migrating again (as every server does at start-up) leaves the chains alone.
    store.migrate().await.unwrap();
    assert_eq!(store.verify_audit_chains().await.unwrap().heads_digest, report.heads_digest);
}

async fn cleared_hashes_of_a_whole_chain_stay_broken(store: Store) {
    let (incident_id, _) = chained_history(&store).await;
    assert_eq!(execute_raw(&store, "UPDATE incident_history SET hash = NULL, prev_hash = NULL").await, 3);
    let before = stored_hashes(&store).await;
    let report = store.verify_audit_chains().await.unwrap();
    assert_eq!(broken_rows(&report), [("incident_history".to_string(), incident_id.clone(), 2)]);
    assert!(report.broken[0].problem.contains("no hash"), "{:?}", report.broken[0]);
    assert_eq!(stored_hashes(&store).await, before, "verify writes nothing");
    // Sealing happened once, when the chain was introduced: a server starting again does not seal.
    store.migrate().await.unwrap();
    assert_eq!(stored_hashes(&store).await, before, "migrate does not seal again");
    let report = store.verify_audit_chains().await.unwrap();
    assert_eq!(broken_rows(&report), [("incident_history".to_string(), incident_id, 2)]);
}

async fn cleared_hash_of_the_newest_row_stays_broken(store: Store) {
    let (incident_id, _) = chained_history(&store).await;
    let cleared = format!(
        "UPDATE incident_history SET hash = NULL, prev_hash = NULL WHERE incident_id = '{incident_id}' AND version = 4"
    );
    assert_eq!(execute_raw(&store, &cleared).await, 1);
    let before = stored_hashes(&store).await;
    let report = store.verify_audit_chains().await.unwrap();
    assert_eq!(broken_rows(&report), [("incident_history".to_string(), incident_id.clone(), 4)]);
    assert_eq!(stored_hashes(&store).await, before, "verify writes nothing");
    store.migrate().await.unwrap();
    // The next change chains on without hashing the cleared row for it.
    let admin = store_viewer(&store, "admin").await;
    let patch = IncidentPatch { version: 4, title: Some("fifth".into()), ..IncidentPatch::default() };
    store.update_incident(&admin, 1, patch).await.unwrap();
    let report = store.verify_audit_chains().await.unwrap();
    assert_eq!(broken_rows(&report), [("incident_history".to_string(), incident_id.clone(), 4)]);
    let newest = fetch_raw(
        &store,
        &format!("SELECT hash FROM incident_history WHERE incident_id = '{incident_id}' AND version = 4"),
    )
    .await;
    assert_eq!(newest, [None]);
}

on_both_databases!(
    fresh_chains_verify,
    edited_history_changes_are_found_at_that_row,
    edited_history_actor_is_found_at_that_row,
    deleted_middle_row_is_found_after_the_gap,
    deleted_or_edited_audit_events_are_found,
    rows_written_before_the_chain_are_sealed_once_at_migration,
    cleared_hashes_of_a_whole_chain_stay_broken,
    cleared_hash_of_the_newest_row_stays_broken,
);

async fn deleted_newest_rows_are_found_against_the_record_version(store: Store) {
    let (incident_id, postmortem_id) = chained_history(&store).await;
    execute_raw(&store, &format!("DELETE FROM incident_history WHERE incident_id = '{incident_id}' AND version = 4"))
        .await;
    execute_raw(&store, &format!("DELETE FROM postmortem_history WHERE postmortem_id = '{postmortem_id}'")).await;
    let report = store.verify_audit_chains().await.unwrap();
    let mut found = broken_rows(&report);
    found.sort();
    assert_eq!(
        found,
        [("incident_history".to_string(), incident_id, 4), ("postmortem_history".to_string(), postmortem_id, 1)]
    );
}

on_both_databases!(deleted_newest_rows_are_found_against_the_record_version);

async fn an_import_store_writes_to_the_same_database(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("a")).await.unwrap();
    let importing = store.for_import().await.unwrap();
    let batch = [imported(datetime!(2026-01-01 10:00 UTC), "alertmanager", "f1")];
    assert_eq!(importing.import_events(&admin, 1, &batch, &[]).await.unwrap(), 1);
    drop(importing);
    assert_eq!(store.count_events(&admin, 1).await.unwrap(), 1);
}

on_both_databases!(an_import_store_writes_to_the_same_database);

#[tokio::test]
async fn an_import_store_on_an_in_memory_database_is_that_database() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    an_import_store_writes_to_the_same_database(store).await;
}

// ---- sign-in limits ----

async fn account_failures_wait_longer_each_time_but_never_for_good(store: Store) {
    let limits = SignInLimits::default();
    let t = datetime!(2026-12-01 10:00 UTC);
    for n in 0..5 {
        let address = format!("192.0.2.{n}");
        assert_eq!(store.begin_sign_in("ana", &address, t, &limits).await.unwrap(), SignInAttempt::Allowed);
    }
    // From any address: the count is the account's.
    let refused = store.begin_sign_in("ana", "198.51.100.7", t, &limits).await.unwrap();
    assert_eq!(refused, SignInAttempt::Refused { account: true, retry_at: t + Duration::seconds(1) });
    assert_eq!(store.begin_sign_in("bo", "198.51.100.7", t, &limits).await.unwrap(), SignInAttempt::Allowed);
    let t1 = t + Duration::seconds(1);
    assert_eq!(store.begin_sign_in("ana", "198.51.100.7", t1, &limits).await.unwrap(), SignInAttempt::Allowed);
    let refused = store.begin_sign_in("ana", "198.51.100.7", t1, &limits).await.unwrap();
    assert_eq!(
        refused,
        SignInAttempt::Refused { account: true, retry_at: t1 + Duration::seconds(2) },
        "refusals are not counted"
    );
    // However many failures, the wait stops growing at 15 minutes.
    let mut now = t1;
    for _ in 0..20 {
        now += Duration::minutes(15);
        assert_eq!(store.begin_sign_in("ana", "198.51.100.8", now, &limits).await.unwrap(), SignInAttempt::Allowed);
    }
    let refused = store.begin_sign_in("ana", "198.51.100.8", now, &limits).await.unwrap();
    assert_eq!(refused, SignInAttempt::Refused { account: true, retry_at: now + Duration::minutes(15) });
    // The real person getting in ends the backoff.
    store.sign_in_succeeded("ana", "198.51.100.8").await.unwrap();
    assert_eq!(store.begin_sign_in("ana", "198.51.100.8", now, &limits).await.unwrap(), SignInAttempt::Allowed);
}

async fn address_cap_counts_every_name_tried_from_it(store: Store) {
    let limits = SignInLimits::default();
    let t = datetime!(2026-12-01 10:00 UTC);
    for n in 0..50 {
        let name = format!("guess{n}");
        let at = t + Duration::seconds(n);
        assert_eq!(store.begin_sign_in(&name, "203.0.113.9", at, &limits).await.unwrap(), SignInAttempt::Allowed);
    }
    let at = t + Duration::minutes(10);
    let refused = store.begin_sign_in("another", "203.0.113.9", at, &limits).await.unwrap();
    assert_eq!(refused, SignInAttempt::Refused { account: false, retry_at: t + Duration::minutes(15) });
    assert_eq!(store.begin_sign_in("another", "203.0.113.10", at, &limits).await.unwrap(), SignInAttempt::Allowed);
    // A success from the address takes its attempt back.
    store.sign_in_succeeded("guess0", "203.0.113.9").await.unwrap();
    assert_eq!(store.begin_sign_in("guess0", "203.0.113.9", at, &limits).await.unwrap(), SignInAttempt::Allowed);
    // A new window starts 15 minutes after the first failure of the last.
    let later = t + Duration::minutes(15);
    assert_eq!(store.begin_sign_in("another", "203.0.113.9", later, &limits).await.unwrap(), SignInAttempt::Allowed);
}

async fn idle_sign_in_counts_are_pruned(store: Store) {
    let limits = SignInLimits::default();
    let t = datetime!(2026-12-01 10:00 UTC);
    for n in 0..10 {
        store.begin_sign_in(&format!("name{n}"), &format!("192.0.2.{n}"), t, &limits).await.unwrap();
    }
    assert_eq!(store.sign_in_counts().await.unwrap(), 20);
    let next_day = t + Duration::hours(25);
    store.begin_sign_in("name0", "192.0.2.200", next_day, &limits).await.unwrap();
    assert_eq!(store.sign_in_counts().await.unwrap(), 2, "only the new attempt's account and address are left");
}

on_both_databases!(
    account_failures_wait_longer_each_time_but_never_for_good,
    address_cap_counts_every_name_tried_from_it,
    idle_sign_in_counts_are_pruned,
);

/// The kinds of the outbox's events after id `after`, as `viewer` may see them.
async fn outbox_kinds(store: &Store, viewer: &Viewer, after: i64) -> Vec<String> {
    let events = store.outbox_events(viewer, after, 200).await.unwrap();
    events.iter().map(|e| e.event.kind().to_string()).collect()
}

async fn every_change_appends_its_domain_events_in_order(store: Store) {
    use hindsight_core::events::DomainEvent;
    let admin = admin(&store).await;
    let incident = store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    let resolve = IncidentPatch { version: 1, status: Some(IncidentStatus::Resolved), ..IncidentPatch::default() };
    let incident = store.update_incident(&admin, incident.number, resolve).await.unwrap();
    // A change that is not a move across resolved appends nothing; a stale one is refused
    // and appends nothing either.
    let retitle = IncidentPatch {
        version: incident.version,
        title: Some("Checkout down, EU".into()),
        ..IncidentPatch::default()
    };
    store.update_incident(&admin, incident.number, retitle).await.unwrap();
    let stale = IncidentPatch { version: 1, status: Some(IncidentStatus::Triggered), ..IncidentPatch::default() };
    assert!(store.update_incident(&admin, incident.number, stale).await.is_err());
    let postmortem = store.create_postmortem(&admin, incident.number, NewPostmortem::default()).await.unwrap();
    let postmortem = store
        .set_postmortem_status(&admin, &postmortem.id, postmortem.version, PostmortemStatus::InReview)
        .await
        .unwrap();
    store.set_postmortem_status(&admin, &postmortem.id, postmortem.version, PostmortemStatus::Published).await.unwrap();
    let item = store.create_action_item(&admin, incident.number, action_item("Alert on pool size")).await.unwrap();
    let done =
        ActionItemPatch { version: item.version, status: Some(ActionItemStatus::Done), ..ActionItemPatch::default() };
    store.update_action_item(&admin, &item.id, done).await.unwrap();

    let entries = store.outbox_events(&admin, 0, 200).await.unwrap();
    let kinds: Vec<&str> = entries.iter().map(|e| e.event.kind()).collect();
    assert_eq!(
        kinds,
        [
            "incident_declared",
            "incident_resolved",
            "postmortem_drafted",
            "postmortem_submitted",
            "postmortem_published",
            "action_item_created",
            "action_item_closed",
        ]
    );
    assert!(entries.windows(2).all(|w| w[0].id < w[1].id), "ids increase");
    assert!(entries.iter().all(|e| e.event.incident() == incident.handle && e.actor.as_deref() == Some("admin")));
    assert_eq!(
        entries[6].event,
        DomainEvent::ActionItemClosed {
            incident: incident.handle.clone(),
            action_item: item.id.clone(),
            status: ActionItemStatus::Done
        }
    );
    // A reader that remembers where it stopped gets only what came after.
    assert_eq!(outbox_kinds(&store, &admin, entries[4].id).await, ["action_item_created", "action_item_closed"]);
}

async fn outbox_events_of_a_private_incident_are_only_for_those_who_see_it(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, private_incident("Secret leak")).await.unwrap();
    store.create_incident(&admin, incident("Public outage")).await.unwrap();
    let outsider = person(&store, "olga", Role::Editor).await;
    assert_eq!(outbox_kinds(&store, &admin, 0).await, ["incident_declared", "incident_declared"]);
    let seen = store.outbox_events(&outsider, 0, 200).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert!(
        matches!(&seen[0].event, hindsight_core::events::DomainEvent::IncidentDeclared { title, .. } if title == "Public outage")
    );
}

on_both_databases!(
    every_change_appends_its_domain_events_in_order,
    outbox_events_of_a_private_incident_are_only_for_those_who_see_it,
);

async fn an_account_change_and_its_audit_event_commit_together(store: Store) {
    use hindsight_store::AuditNote;
    let new = |name: &str| NewUser {
        username: name.into(),
        display_name: name.into(),
        email: None,
        role: Role::Editor,
        password_hash: None,
    };
    let noted = |action: &str, subject: &str| AuditNote::new("admin", action, subject, json!({"role": "admin"}));
    store.create_user(new("ana"), &noted("created user with role editor", "ana")).await.unwrap();
    // A refused change leaves no audit event, and an audit note that cannot be kept
    // refuses the change.
    assert!(store.create_user(new("ana"), &noted("created user with role editor", "ana")).await.is_err());
    let too_long = noted(&"x".repeat(5000), "bo");
    assert!(store.create_user(new("bo"), &too_long).await.is_err());
    assert!(store.user_by_username("bo").await.is_err(), "no user without its audit event");
    let token = store
        .create_token("ana", "laptop", "hash-1", |id| noted(&format!("created API token {id}"), "ana"))
        .await
        .unwrap();
    store.revoke_token(&token.id, &noted("revoked API token", "ana")).await.unwrap();
    // Revoking it again changes nothing, and notes nothing.
    store.revoke_token(&token.id, &noted("revoked API token", "ana")).await.unwrap();
    let patch = UserPatch { role: Some(Role::Admin), ..UserPatch::default() };
    store.update_user("ana", patch, &noted("changed user: role to admin", "ana")).await.unwrap();

    let mut events = store.audit_events(10).await.unwrap();
    events.reverse();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "created user with role editor",
            &format!("created API token {}", token.id),
            "revoked API token",
            "changed user: role to admin"
        ]
    );
    assert!(events.iter().all(|e| e.actor == "admin" && e.subject == "ana"));
    assert_eq!(store.verify_audit_chains().await.unwrap().broken, []);
}

async fn team_service_setting_and_deletion_changes_commit_with_their_audit_events(store: Store) {
    use hindsight_store::AuditNote;
    let admin = admin(&store).await;
    person(&store, "ana", Role::Viewer).await;
    let before = store.audit_events(200).await.unwrap().len();
    let noted = |action: &str| AuditNote::new("admin", action, "x", json!({}));
    store.create_team("payments", "Payments", &noted("created team")).await.unwrap();
    assert!(store.create_team("payments", "Again", &noted("created team again")).await.is_err());
    assert!(store.create_team("refused", "Refused", &noted(&"x".repeat(5000))).await.is_err());
    assert!(store.team("refused").await.is_err(), "no team without its audit event");
    store.rename_team("payments", "Payments & billing", &noted("renamed team")).await.unwrap();
    assert!(store.rename_team("nobody", "Nobody", &noted("renamed no team")).await.is_err());
    store.add_member("payments", "ana", &noted("added to team")).await.unwrap();
    store.add_member("payments", "ana", &noted("added to team twice")).await.unwrap();
    store.remove_member("payments", "ana", &noted("removed from team")).await.unwrap();
    store.create_service("checkout", "Checkout", Some("payments"), &noted("created service")).await.unwrap();
    store.update_service("checkout", None, Some(None), &noted("changed service")).await.unwrap();
    assert!(store.update_service("nothing", Some("Nothing"), None, &noted("changed no service")).await.is_err());
    store.delete_service("checkout", &noted("deleted service")).await.unwrap();
    store.delete_team("payments", &noted("deleted team")).await.unwrap();
    assert!(store.delete_team("payments", &noted("deleted team again")).await.is_err());
    store.put_setting("policy.prolonged_minutes", "45", &noted("set policy")).await.unwrap();
    store.delete_setting("policy.prolonged_minutes", &noted("reset policy")).await.unwrap();
    assert!(!store.delete_setting("policy.prolonged_minutes", &noted("reset policy again")).await.unwrap());
    store.create_incident(&admin, incident("gone soon")).await.unwrap();
    store.delete_incident(&admin, 1, &noted("deleted incident")).await.unwrap();

    let mut events = store.audit_events(200).await.unwrap();
    events.truncate(events.len() - before);
    events.reverse();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "created team",
            "renamed team",
            "added to team",
            "removed from team",
            "created service",
            "changed service",
            "deleted service",
            "deleted team",
            "set policy",
            "reset policy",
            "deleted incident",
        ],
        "each change with its event; nothing for what was refused or changed nothing"
    );
    assert!(store.stored_settings().await.unwrap().is_empty());
    assert_eq!(store.verify_audit_chains().await.unwrap().broken, []);
}

on_both_databases!(
    an_account_change_and_its_audit_event_commit_together,
    team_service_setting_and_deletion_changes_commit_with_their_audit_events,
);

// ---- the two databases' schemas ----

/// Every `table.column` of a migrated store, as its database lists them.
async fn columns(store: &Store, postgres: bool) -> std::collections::BTreeSet<String> {
    let sql = if postgres {
        "SELECT table_name || '.' || column_name FROM information_schema.columns \
         WHERE table_schema = current_schema()"
    } else {
        "SELECT m.name || '.' || c.name FROM sqlite_master m, pragma_table_info(m.name) c \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
    };
    fetch_raw(store, sql).await.into_iter().flatten().collect()
}

/// The same migrations on both databases give the same tables and columns, apart from how
/// each keeps its full-text search (PostgreSQL a generated column with a GIN index, SQLite
/// an FTS5 table and the tables FTS5 keeps beside it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_migrations_give_the_same_tables_and_columns() {
    let Some(postgres) = postgres_store().await else { return };
    let sqlite = sqlite_store().await;
    let on_postgres = columns(&postgres, true).await;
    let on_sqlite = columns(&sqlite, false).await;
    let only_postgres: Vec<&String> = on_postgres.difference(&on_sqlite).collect();
    let only_sqlite: Vec<&String> =
        on_sqlite.difference(&on_postgres).filter(|c| !c.starts_with("incidents_search")).collect();
    assert_eq!(only_postgres, ["incidents.search"], "columns only PostgreSQL has");
    assert!(only_sqlite.is_empty(), "columns only SQLite has: {only_sqlite:?}");
    assert!(on_sqlite.contains("incidents_search.title"), "SQLite's full-text table is there");
    assert!(on_postgres.len() > 100, "a whole schema was read: {}", on_postgres.len());
}
