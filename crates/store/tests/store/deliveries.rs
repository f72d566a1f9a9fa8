//! Deliveries: events routed to the destinations that want them (never a private
//! incident's), notifications to their person's email as they chose, digests, and claims
//! that no two workers share.

use crate::common::{action_item, admin, incident, note, person, private_incident};
use hindsight_core::events::DomainEventKind;
use hindsight_core::{
    Channel, DeliveryState, DestinationKind, EmailPreferences, MAX_ATTEMPTS, NewActionItem, NewDestination,
    NewIncident, NotificationKind, Role,
};
use hindsight_store::{ClaimedTarget, DeliveryFilter, Outcome, Store, Ts};
use time::{Duration, OffsetDateTime};

fn at(seconds: i64) -> Ts {
    Ts::from(OffsetDateTime::now_utc() + Duration::seconds(seconds))
}

fn destination(name: &str, team: Option<&str>, events: &[DomainEventKind]) -> NewDestination {
    NewDestination {
        name: name.into(),
        kind: DestinationKind::Webhook,
        url: "https://receiver.example/hook".into(),
        team: team.map(str::to_string),
        events: events.to_vec(),
        token: None,
    }
}

/// Routes every outbox event; answers the deliveries made.
async fn route_all(store: &Store) -> u64 {
    let mut made = 0;
    loop {
        let batch = store.route_events("worker-1", at(0), at(30), 3).await.unwrap().expect("the lease is free");
        made += batch.deliveries;
        if batch.events == 0 {
            return made;
        }
    }
}

/// Turns the outbox into notifications, then routes them all to email.
async fn notify_and_route(store: &Store) -> u64 {
    while store.notify_from_outbox("worker-1", at(0), at(30), 100).await.unwrap().unwrap().events > 0 {}
    let mut routed = 0;
    loop {
        let done = store.route_notifications(true, at(0), 2).await.unwrap();
        if done == 0 {
            return routed;
        }
        routed += done;
    }
}

async fn events_go_to_the_destinations_that_want_them_and_never_a_private_incidents(store: Store) {
    let admin = admin(&store).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    let all = store.add_destination(&destination("everything", None, &[]), "sealed-1", None, &note()).await.unwrap();
    let published = [DomainEventKind::PostmortemPublished, DomainEventKind::IncidentDeclared];
    store
        .add_destination(&destination("payments", Some("payments"), &published), "sealed-2", Some("key"), &note())
        .await
        .unwrap();
    assert!(store.add_destination(&destination("everything", None, &[]), "x", None, &note()).await.is_err());
    let unknown = store.add_destination(&destination("nobody", Some("no-such-team"), &[]), "x", None, &note()).await;
    assert!(format!("{:?}", unknown.unwrap_err()).contains("no-such-team"));

    let ours = NewIncident { teams: vec!["payments".into()], ..incident("Card payments fail") };
    let ours = store.create_incident(&admin, ours).await.unwrap();
    store.create_incident(&admin, incident("Search slow")).await.unwrap();
    store.create_incident(&admin, private_incident("Account takeover")).await.unwrap();
    store.create_action_item(&admin, ours.number, action_item("Retry card captures")).await.unwrap();
    // Everything: 3 events of public incidents; payments: the declaration of its incident.
    assert_eq!(route_all(&store).await, 4);
    assert_eq!(route_all(&store).await, 0);

    let claimed = store.claim_deliveries("worker-1", at(0), at(30), 100).await.unwrap();
    assert_eq!(claimed.len(), 4);
    for delivery in &claimed {
        let ClaimedTarget::Event { destination, sealed_url, sealed_key, event } = &delivery.to else {
            panic!("an event delivery: {delivery:?}");
        };
        let event = event.as_ref().expect("the event is there");
        assert_ne!(event.incident_title, "Account takeover");
        assert_eq!(delivery.channel, Channel::Webhook);
        assert!(delivery.key.starts_with(&format!("event:{}:", event.id)), "{}", delivery.key);
        match destination.as_str() {
            "everything" => assert_eq!((sealed_url.as_str(), sealed_key.as_deref()), ("sealed-1", None)),
            _ => {
                assert_eq!((sealed_url.as_str(), sealed_key.as_deref()), ("sealed-2", Some("key")));
                assert_eq!(event.event.kind(), DomainEventKind::IncidentDeclared);
                assert_eq!(event.incident_title, "Card payments fail");
            }
        }
    }
    // Removing a destination removes what it had still to send.
    assert!(store.remove_destination(&all.id, &note()).await.unwrap());
    assert!(!store.remove_destination(&all.id, &note()).await.unwrap());
    assert_eq!(store.deliveries(&DeliveryFilter::default(), 100).await.unwrap().len(), 1);
}

async fn notifications_go_to_email_as_each_person_chose(store: Store) {
    let admin = admin(&store).await;
    person(&store, "bob", Role::Editor).await;
    let carol = person(&store, "carol", Role::Editor).await;
    let dave = person(&store, "dave", Role::Editor).await;
    let carol_id = carol.user_id.clone().unwrap();
    // Carol wants a digest; Dave muted assignments.
    store.set_email_preferences(carol_id.as_str(), &EmailPreferences { digest: true, muted: vec![] }).await.unwrap();
    assert!(
        store.mute_email(dave.user_id.as_ref().unwrap().as_str(), NotificationKind::ActionItemAssigned).await.unwrap()
    );
    assert_eq!(
        store.email_preferences(dave.user_id.as_ref().unwrap().as_str()).await.unwrap().muted,
        [NotificationKind::ActionItemAssigned]
    );
    let incident = store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    for (title, owner) in [("One", "bob"), ("Two", "carol"), ("Three", "carol"), ("Four", "dave")] {
        let owned = NewActionItem { owner: Some(owner.into()), ..action_item(title) };
        store.create_action_item(&admin, incident.number, owned).await.unwrap();
    }
    assert_eq!(notify_and_route(&store).await, 4);
    let pending = DeliveryFilter { state: Some(DeliveryState::Pending), before: None };
    let held = DeliveryFilter { state: Some(DeliveryState::Held), before: None };
    let recipients = |filter| {
        let store = store.clone();
        async move {
            let mut names: Vec<String> = store
                .deliveries(&filter, 100)
                .await
                .unwrap()
                .into_iter()
                .map(|d| d.recipient.unwrap_or_default())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(recipients(pending.clone()).await, ["bob"]);
    assert_eq!(recipients(held.clone()).await, ["carol", "carol"]);

    // One digest a day gathers what is held.
    let today = OffsetDateTime::now_utc().date();
    assert_eq!(store.bundle_digests(today, Ts::now()).await.unwrap(), 1);
    assert_eq!(store.bundle_digests(today, Ts::now()).await.unwrap(), 0);
    assert_eq!(recipients(held.clone()).await, Vec::<String>::new());
    assert_eq!(recipients(pending.clone()).await, ["bob", "carol"]);
    let claimed = store.claim_deliveries("worker-1", at(0), at(30), 100).await.unwrap();
    let ids: Vec<i64> = claimed.iter().map(|d| d.id).collect();
    let told = store.emails_of(&ids).await.unwrap();
    let digest = claimed.iter().find(|d| matches!(d.to, ClaimedTarget::Email { digest: true, .. })).unwrap();
    let single = claimed.iter().find(|d| matches!(d.to, ClaimedTarget::Email { digest: false, .. })).unwrap();
    let titles = |id: i64| {
        told.iter().filter(|(d, _)| *d == id).map(|(_, n)| n.action_item_title.clone().unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(titles(digest.id), ["Two", "Three"]);
    assert_eq!(titles(single.id), ["One"]);
    let ClaimedTarget::Email { username, address, .. } = &single.to else { unreachable!() };
    assert_eq!((username.as_str(), address.as_deref()), ("bob", Some("bob@example.com")));
    // Held after today's digest: tomorrow's.
    let owned = NewActionItem { owner: Some("carol".into()), ..action_item("Five") };
    store.create_action_item(&admin, incident.number, owned).await.unwrap();
    notify_and_route(&store).await;
    assert_eq!(store.bundle_digests(today, Ts::now()).await.unwrap(), 0);
    assert_eq!(store.bundle_digests(today.next_day().unwrap(), Ts::now()).await.unwrap(), 1);
}

async fn a_claim_is_one_workers_until_its_lease_runs_out(store: Store) {
    let admin = admin(&store).await;
    store.add_destination(&destination("everything", None, &[]), "sealed", None, &note()).await.unwrap();
    for n in 0..5 {
        store.create_incident(&admin, incident(&format!("Incident {n}"))).await.unwrap();
    }
    assert_eq!(route_all(&store).await, 5);
    let first = store.claim_deliveries("worker-1", at(0), at(30), 3).await.unwrap();
    let second = store.claim_deliveries("worker-2", at(1), at(31), 10).await.unwrap();
    assert_eq!((first.len(), second.len()), (3, 2));
    assert!(first.iter().all(|d| second.iter().all(|e| e.id != d.id)));
    // Worker 1 delivers one and fails one; its third it never reports (it stopped).
    let outcomes = [
        (first[0].id, Outcome::Delivered),
        (first[1].id, Outcome::Failed { error: "HTTP 503".into(), retry_at: at(60) }),
    ];
    assert_eq!(store.finish_deliveries("worker-1", &outcomes, at(2)).await.unwrap(), 2);
    let theirs: Vec<_> = second.iter().map(|d| (d.id, Outcome::Delivered)).collect();
    assert_eq!(store.finish_deliveries("worker-2", &theirs, at(2)).await.unwrap(), 2);
    // Worker 2 cannot finish what worker 1 holds.
    assert_eq!(store.finish_deliveries("worker-2", &[(first[2].id, Outcome::Delivered)], at(2)).await.unwrap(), 0);
    assert!(store.claim_deliveries("worker-2", at(29), at(59), 10).await.unwrap().is_empty());
    // Once the lease runs out, the unreported one is claimed again with its key; the
    // failed one waits for its retry time.
    let again = store.claim_deliveries("worker-2", at(31), at(200), 10).await.unwrap();
    assert_eq!(again.iter().map(|d| &d.key).collect::<Vec<_>>(), [&first[2].key]);
    let retried = store.claim_deliveries("worker-2", at(61), at(91), 10).await.unwrap();
    assert_eq!((retried.len(), retried[0].id, retried[0].attempts), (1, first[1].id, 1));
    let failed = store.deliveries(&DeliveryFilter::default(), 10).await.unwrap();
    assert_eq!(failed.iter().find(|d| d.id == first[1].id).unwrap().last_error.as_deref(), Some("HTTP 503"));
}

async fn a_delivery_is_given_up_after_its_tries_and_retried_by_hand(store: Store) {
    let admin = admin(&store).await;
    store.add_destination(&destination("everything", None, &[]), "sealed", None, &note()).await.unwrap();
    store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    route_all(&store).await;
    for attempt in 0..MAX_ATTEMPTS {
        let claimed = store.claim_deliveries("worker-1", at(i64::from(attempt)), at(1000), 10).await.unwrap();
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        let failed = Outcome::Failed { error: format!("HTTP 500 #{attempt}"), retry_at: at(i64::from(attempt) + 1) };
        store.finish_deliveries("worker-1", &[(claimed[0].id, failed)], at(0)).await.unwrap();
    }
    assert!(store.claim_deliveries("worker-1", at(10_000), at(10_030), 10).await.unwrap().is_empty());
    let failed = DeliveryFilter { state: Some(DeliveryState::Failed), before: None };
    let given_up = store.deliveries(&failed, 10).await.unwrap();
    assert_eq!(given_up.len(), 1);
    assert_eq!(given_up[0].attempts, MAX_ATTEMPTS);
    assert_eq!(store.delivery_counts().await.unwrap(), (0, 1));
    store.retry_delivery(given_up[0].id, at(0), &note()).await.unwrap();
    assert!(store.retry_delivery(given_up[0].id, at(0), &note()).await.is_err());
    let claimed = store.claim_deliveries("worker-1", at(1), at(30), 10).await.unwrap();
    assert_eq!((claimed.len(), claimed[0].attempts), (1, 0));
    let dropped = Outcome::Dropped { reason: "the incident is private now".into() };
    store.finish_deliveries("worker-1", &[(claimed[0].id, dropped)], at(2)).await.unwrap();
    assert_eq!(store.delivery_counts().await.unwrap(), (0, 0));
}

/// Two workers claiming at once on one database never get the same delivery.
async fn workers_claiming_at_once_share_nothing(store: Store) {
    let admin = admin(&store).await;
    store.add_destination(&destination("everything", None, &[]), "sealed", None, &note()).await.unwrap();
    for n in 0..40 {
        store.create_incident(&admin, incident(&format!("Incident {n}"))).await.unwrap();
    }
    assert_eq!(route_all(&store).await, 40);
    let claim = |owner: &'static str| {
        let store = store.clone();
        tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = store.claim_deliveries(owner, at(0), at(60), 3).await.unwrap();
                if claimed.is_empty() {
                    return mine;
                }
                mine.extend(claimed.iter().map(|d| d.id));
            }
        })
    };
    let (one, two) = (claim("worker-1"), claim("worker-2"));
    let (mut one, two) = (one.await.unwrap(), two.await.unwrap());
    let mut all = one.clone();
    all.extend(&two);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 40);
    one.retain(|id| two.contains(id));
    assert_eq!(one, Vec::<i64>::new());
}

on_both_databases!(
    events_go_to_the_destinations_that_want_them_and_never_a_private_incidents,
    notifications_go_to_email_as_each_person_chose,
    a_claim_is_one_workers_until_its_lease_runs_out,
    a_delivery_is_given_up_after_its_tries_and_retried_by_hand,
    workers_claiming_at_once_share_nothing,
);
