//! Timeline events: order, pages, raw payloads, imports, references to other tools'
//! records, and the duplicate check.

use crate::common::{
    admin, assert_not_found, conflict_version, event, imported, incident, person, private_and_public_incidents,
    private_incident,
};
use hindsight_core::access::Viewer;
use hindsight_core::{NewTimelineEvent, Role, TimelineEvent, TimelineEventPatch};
use hindsight_store::{ImportedEvent, Store, StoreError};
use serde_json::json;
use time::Duration;
use time::macros::datetime;

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
