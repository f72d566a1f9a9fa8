//! The tamper-evident record: history and audit-event chains verify, and an edit or
//! deletion behind the store's back is found; every change commits with its audit event.

use crate::common::{admin, incident, person, store_viewer, summary};
use hindsight_core::{IncidentPatch, NewPostmortem, Role};
use hindsight_store::test_support::{execute_raw, fetch_raw};
use hindsight_store::{NewUser, Store, UserPatch};
use serde_json::json;

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
