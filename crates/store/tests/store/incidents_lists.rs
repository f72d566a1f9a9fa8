//! Incident lists: filters, pages and counts.

use crate::common::{
    admin, incident, incident_at, invalid_fields, listed, note, person, private_incident, sev, titles,
};
use hindsight_core::{IncidentStatus, NewIncident, Role};
use hindsight_store::{CountUpTo, IncidentFilter, Store};
use time::macros::datetime;

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
