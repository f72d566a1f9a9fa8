//! Incident list: search and order.

use crate::common::{admin, incident, invalid_fields, listed, note, person, private_incident, sev};
use hindsight_core::access::Viewer;
use hindsight_core::{IncidentPatch, NewIncident, Role};
use hindsight_store::{CountUpTo, IncidentFilter, Store};

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

on_both_databases!(
    search_matches_title_or_description_ignoring_case,
    search_takes_wildcards_literally,
    search_finds_every_word_or_its_beginning_and_follows_changes,
    search_never_shows_a_private_incident_to_an_outsider,
    a_search_is_paged_in_number_order_both_ways_and_counted_up_to_a_cap,
    incidents_are_listed_newest_oldest_or_most_severe_first_across_pages,
    incidents_are_listed_by_when_they_began_across_pages,
);
