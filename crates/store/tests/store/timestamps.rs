//! Times: kept to the microsecond in UTC, and compared as instants.

use crate::common::{admin, event, incident, incident_at, listed};
use hindsight_core::access::Viewer;
use hindsight_store::{IncidentFilter, Store};
use time::UtcOffset;
use time::macros::datetime;

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
