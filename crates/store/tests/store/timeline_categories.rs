//! Timeline: categories and volume.

use crate::common::{admin, assert_not_found, imported, incident, person, private_incident};
use hindsight_core::{EventKind, Role};
use hindsight_store::{ImportedEvent, Store};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

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
    timeline_categories_in_sql_match_the_rust_mapping,
    a_status_update_is_filed_with_the_tool_that_sent_it,
    events_of_one_category_are_paged_in_time_order,
    event_volume_counts_events_per_slice_and_category,
);
