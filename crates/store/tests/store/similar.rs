//! Similar past incidents: found by the same alert, the same root-cause component, shared
//! words and a service in common, ranked in that order of strength, each with its reasons,
//! and never an incident the viewer may not see.

use crate::common::{admin, imported, incident, note, person, private_incident};
use hindsight_core::{MatchReason, NewPostmortem, Role};
use hindsight_store::Store;
use time::macros::datetime;

fn alert(external_id: &str, fingerprint: &str) -> hindsight_store::ImportedEvent {
    let mut event = imported(datetime!(2026-11-20 10:00 UTC), "alertmanager", external_id);
    event.correlation = Some(format!("{{\"c\":{{\"fingerprint\":\"{fingerprint}\"}}}}"));
    event
}

async fn with_component(store: &Store, viewer: &hindsight_core::access::Viewer, number: i64, component: &str) {
    let mut new = NewPostmortem::default();
    new.sections.root_cause.component = component.into();
    store.create_postmortem(viewer, number, new).await.unwrap();
}

async fn similar_incidents_are_ranked_with_their_reasons(store: Store) {
    let admin = admin(&store).await;
    store.create_service("checkout", "Checkout", None, &note()).await.unwrap();
    store.create_service("search", "Search", None, &note()).await.unwrap();
    let new = |title: &str, services: &[&str]| {
        let mut new = incident(title);
        new.services = services.iter().map(|s| s.to_string()).collect();
        new
    };
    let mut asked = new("Checkout returns 502: connection pool exhausted", &["checkout"]);
    asked.description = "Customers saw errors at checkout.".into();
    let asked = store.create_incident(&admin, asked).await.unwrap();
    let same_alert = store.create_incident(&admin, new("Payments slow", &[])).await.unwrap();
    let same_component = store.create_incident(&admin, new("Nightly report late", &[])).await.unwrap();
    let same_words = store
        .create_incident(&admin, new("Connection pool exhausted on reporting replica", &["search"]))
        .await
        .unwrap();
    let same_service = store.create_incident(&admin, new("Banner image missing", &["checkout"])).await.unwrap();
    let unrelated = store.create_incident(&admin, incident("Office printer offline")).await.unwrap();
    let mut hidden = private_incident("Checkout 502 connection pool exhausted again");
    hidden.services = vec!["checkout".into()];
    let hidden = store.create_incident(&admin, hidden).await.unwrap();
    store
        .import_events(&admin, asked.number, &[alert("a1", "pool-exhausted"), alert("a2", "latency-high")], &[])
        .await
        .unwrap();
    store.import_events(&admin, same_alert.number, &[alert("b1", "pool-exhausted")], &[]).await.unwrap();
    store.import_events(&admin, hidden.number, &[alert("c1", "pool-exhausted")], &[]).await.unwrap();
    with_component(&store, &admin, asked.number, "db-pool").await;
    with_component(&store, &admin, same_component.number, "DB-pool").await;

    // A member who is not the private incident's responder never sees it.
    let member = person(&store, "mia", Role::Editor).await;
    let similar = store.similar_incidents(&member, asked.number, 10).await.unwrap();
    let handles: Vec<&str> = similar.iter().map(|s| s.handle.as_str()).collect();
    assert!(!handles.contains(&hidden.handle.as_str()), "{similar:#?}");
    assert_eq!(handles.first(), Some(&same_alert.handle.as_str()), "{similar:#?}");
    assert!(!handles.contains(&asked.handle.as_str()) && !handles.contains(&unrelated.handle.as_str()), "{handles:?}");
    let position = |handle: &str| handles.iter().position(|h| *h == handle).unwrap();
    assert!(position(&same_component.handle) < position(&same_service.handle), "{similar:#?}");
    assert!(position(&same_words.handle) < position(&same_service.handle), "{similar:#?}");
    let reasons = |handle: &str| similar.iter().find(|s| s.handle == handle).unwrap().reasons.clone();
    assert_eq!(reasons(&same_alert.handle)[0], MatchReason::Fingerprint { fingerprint: "pool-exhausted".into() });
    assert!(reasons(&same_component.handle).contains(&MatchReason::Component { component: "db-pool".into() }));
    let words = reasons(&same_words.handle);
    let MatchReason::Words { words } = words.iter().find(|r| matches!(r, MatchReason::Words { .. })).unwrap() else {
        unreachable!()
    };
    assert!(words.contains(&"connection".to_string()) && words.contains(&"pool".to_string()), "{words:?}");
    assert!(reasons(&same_service.handle).contains(&MatchReason::Service { service: "checkout".into() }));
    // An admin sees the private one too, and first: it shares the most.
    let seen = store.similar_incidents(&admin, asked.number, 10).await.unwrap();
    assert_eq!(seen[0].handle, hidden.handle, "{seen:#?}");
    assert_eq!(store.similar_incidents(&admin, asked.number, 2).await.unwrap().len(), 2);
    assert!(store.similar_incidents(&member, hidden.number, 10).await.is_err(), "a hidden incident is not found");
    assert!(store.similar_incidents(&admin, unrelated.number, 10).await.unwrap().iter().all(|s| s.score > 0.0));
}

on_both_databases!(similar_incidents_are_ranked_with_their_reasons);

async fn recurrences_read_as_one_chain(store: Store) {
    let admin = admin(&store).await;
    let at = |day: u8| {
        let mut new = incident(&format!("Pool exhausted, day {day}"));
        new.started_at =
            Some(time::Date::from_calendar_date(2026, time::Month::November, day).unwrap().midnight().assume_utc());
        new
    };
    let first = store.create_incident(&admin, at(1)).await.unwrap();
    let second = store.create_incident(&admin, at(5)).await.unwrap();
    let third = store.create_incident(&admin, at(9)).await.unwrap();
    let mut hidden = at(12);
    hidden.private = true;
    let hidden = store.create_incident(&admin, hidden).await.unwrap();
    assert!(store.recurrence(&admin, first.number).await.unwrap().chain.is_empty());
    store.set_recurrence(&admin, second.number, first.number, &note()).await.unwrap();
    store.set_recurrence(&admin, third.number, second.number, &note()).await.unwrap();
    store.set_recurrence(&admin, hidden.number, first.number, &note()).await.unwrap();
    // An incident recurs an earlier one, never itself or a later one.
    for (number, of) in [(first.number, second.number), (second.number, second.number), (first.number, 999)] {
        let refused = store.set_recurrence(&admin, number, of, &note()).await;
        assert!(matches!(refused, Err(hindsight_store::StoreError::Invalid(_))), "{number} of {of}: {refused:?}");
    }
    let seen = store.recurrence(&admin, second.number).await.unwrap();
    assert_eq!(seen.recurs.as_deref(), Some(first.handle.as_str()));
    assert_eq!(seen.recurred_as, vec![third.handle.clone()]);
    let chain: Vec<&str> = seen.chain.iter().map(|l| l.handle.as_str()).collect();
    assert_eq!(chain, [first.handle.as_str(), second.handle.as_str(), third.handle.as_str(), hidden.handle.as_str()]);
    assert_eq!(seen.chain[0].confirmed_by, None);
    assert_eq!(seen.chain[1].confirmed_by.as_deref(), Some("admin"));
    // A member sees the chain without the private incident.
    let member = person(&store, "mia", Role::Editor).await;
    let seen = store.recurrence(&member, first.number).await.unwrap();
    assert_eq!(seen.recurred_as, vec![second.handle.clone()]);
    assert!(seen.chain.iter().all(|l| l.handle != hidden.handle), "{seen:?}");
    // Taking a link out splits the chain.
    assert!(store.clear_recurrence(&admin, third.number, &note()).await.unwrap());
    assert!(!store.clear_recurrence(&admin, third.number, &note()).await.unwrap());
    assert!(store.recurrence(&admin, third.number).await.unwrap().chain.is_empty());
    assert_eq!(store.recurrence(&admin, second.number).await.unwrap().recurred_as, Vec::<String>::new());
}

on_both_databases!(recurrences_read_as_one_chain);
