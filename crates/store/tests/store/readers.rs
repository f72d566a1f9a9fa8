//! Readers of a post-mortem: proposed from its incident until chosen, asked in their inbox
//! when it is published, and their receipts.

use crate::common::{admin, incident, note, person};
use hindsight_core::{NewIncident, NewPostmortem, NotificationKind, PostmortemStatus, Readers, Role};
use hindsight_store::{NotificationFilter, Store, Ts};

async fn readers_are_proposed_until_chosen_and_asked_on_publish(store: Store) {
    let admin = admin(&store).await;
    let ana = person(&store, "ana", Role::Editor).await;
    let ben = person(&store, "ben", Role::Viewer).await;
    let cleo = person(&store, "cleo", Role::Viewer).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_team("support", "Support", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    store.add_member("payments", "ben", &note()).await.unwrap();
    store.add_member("support", "cleo", &note()).await.unwrap();
    store.create_service("checkout", "Checkout", Some("payments"), &note()).await.unwrap();
    let new = NewIncident { services: vec!["checkout".into()], ..incident("Checkout down") };
    let incident = store.create_incident(&admin, new).await.unwrap();
    let pm = store.create_postmortem(&admin, incident.number, NewPostmortem::default()).await.unwrap();

    // Proposed: the team owning the affected service.
    let proposed = store.reading(&ana, &pm.id).await.unwrap();
    assert!(!proposed.chosen);
    assert_eq!(proposed.teams, ["payments"]);
    assert_eq!((proposed.asked, proposed.read), (2, 0));
    // Chosen: support, and Ana by name.
    let readers = Readers { teams: vec!["support".into()], users: vec!["ana".into()] };
    let chosen = store.set_readers(&admin, &pm.id, &readers, &note()).await.unwrap();
    assert!(chosen.chosen);
    let asked: Vec<&str> = chosen.people.iter().map(|p| p.username.as_str()).collect();
    assert_eq!(asked, ["ana", "cleo"]);
    let unknown = Readers { teams: vec!["nobody".into()], users: vec![] };
    assert!(store.set_readers(&admin, &pm.id, &unknown, &note()).await.is_err());

    // Published, each reader is asked in their inbox; reading marks that read.
    let pm = store.set_postmortem_status(&admin, &pm.id, pm.version, PostmortemStatus::InReview).await.unwrap();
    store.set_postmortem_status(&admin, &pm.id, pm.version, PostmortemStatus::Published).await.unwrap();
    let now = Ts::now();
    let until = Ts::from(now.get() + time::Duration::seconds(30));
    store.notify_from_outbox("worker", now, until, 100).await.unwrap();
    for (viewer, told) in [(&ana, 1), (&ben, 0), (&cleo, 1)] {
        let kinds: Vec<_> = store
            .notifications(viewer, &NotificationFilter::default(), 10)
            .await
            .unwrap()
            .into_iter()
            .filter(|n| n.kind == NotificationKind::ReadRequested)
            .collect();
        assert_eq!(kinds.len(), told, "{}", viewer.username);
    }
    // Each team's members still to read it: Cleo for support, Ana (named) in payments.
    let to_read = |slug: &'static str| {
        let store = store.clone();
        let admin = admin.clone();
        async move {
            let rows = store.still_to_read(&admin, slug, 50).await.unwrap();
            rows.into_iter().map(|r| (r.username, r.incident)).collect::<Vec<_>>()
        }
    };
    assert_eq!(to_read("support").await, [("cleo".to_string(), incident.handle.clone())]);
    assert_eq!(to_read("payments").await, [("ana".to_string(), incident.handle.clone())]);
    store.mark_postmortem_read(&cleo, &pm.id, Ts::now()).await.unwrap();
    store.mark_postmortem_read(&cleo, &pm.id, Ts::now()).await.unwrap();
    assert_eq!(to_read("support").await, []);
    store.mark_postmortem_read(&ben, &pm.id, Ts::now()).await.unwrap();
    let reading = store.reading(&admin, &pm.id).await.unwrap();
    assert_eq!((reading.asked, reading.read), (2, 1));
    let ben_row = reading.people.iter().find(|p| p.username == "ben").unwrap();
    assert!(!ben_row.asked && ben_row.read_at.is_some(), "one who read it unasked is listed as such");
    assert_eq!(store.unread_notifications(&cleo).await.unwrap(), 0);
    assert_eq!(store.unread_notifications(&ana).await.unwrap(), 1);
}

on_both_databases!(readers_are_proposed_until_chosen_and_asked_on_publish);

async fn late_readers_and_late_publications_are_reminded_once(store: Store) {
    use hindsight_store::test_support::execute_raw;
    let admin = admin(&store).await;
    let ana = person(&store, "ana", Role::Editor).await;
    let ben = person(&store, "ben", Role::Viewer).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    store.add_member("payments", "ben", &note()).await.unwrap();
    store.create_service("checkout", "Checkout", Some("payments"), &note()).await.unwrap();
    let new = NewIncident { services: vec!["checkout".into()], ..incident("Checkout down") };
    let published = store.create_incident(&admin, new).await.unwrap();
    let pm = store.create_postmortem(&admin, published.number, NewPostmortem::default()).await.unwrap();
    let pm = store.set_postmortem_status(&admin, &pm.id, pm.version, PostmortemStatus::InReview).await.unwrap();
    store.set_postmortem_status(&admin, &pm.id, pm.version, PostmortemStatus::Published).await.unwrap();
    execute_raw(
        &store,
        &format!("UPDATE postmortems SET published_at = '2026-11-10T09:00:00.000000Z' WHERE id = '{}'", pm.id),
    )
    .await;
    store.mark_postmortem_read(&ben, &pm.id, Ts::now()).await.unwrap();
    // A draft whose incident was resolved weeks ago, owned by Ana.
    let late = store.create_incident(&admin, incident("Search stale")).await.unwrap();
    let new = NewPostmortem { owner: Some("ana".into()), ..NewPostmortem::default() };
    store.create_postmortem(&admin, late.number, new).await.unwrap();
    execute_raw(
        &store,
        &format!("UPDATE incidents SET resolved_at = '2026-11-02T09:00:00.000000Z' WHERE number = {}", late.number),
    )
    .await;

    let cutoff = Ts::from(time::macros::datetime!(2026-11-20 00:00 UTC));
    assert_eq!(store.remind_late_postmortems(cutoff, [cutoff; 5], Ts::now()).await.unwrap(), 2);
    assert_eq!(store.remind_late_postmortems(cutoff, [cutoff; 5], Ts::now()).await.unwrap(), 0);
    let kinds = |v: &hindsight_core::access::Viewer| {
        let store = store.clone();
        let v = v.clone();
        async move {
            let mut kinds: Vec<_> = store
                .notifications(&v, &NotificationFilter::default(), 10)
                .await
                .unwrap()
                .into_iter()
                .map(|n| (n.kind, n.incident))
                .collect();
            kinds.sort();
            kinds
        }
    };
    assert_eq!(
        kinds(&ana).await,
        [
            (NotificationKind::ReadingOverdue, published.handle.clone()),
            (NotificationKind::PublicationOverdue, late.handle.clone())
        ]
    );
    assert_eq!(kinds(&ben).await, []);
    // Before the cutoffs nothing is late.
    let early = Ts::from(time::macros::datetime!(2026-11-01 00:00 UTC));
    assert_eq!(store.remind_late_postmortems(early, [early; 5], Ts::now()).await.unwrap(), 0);
}

on_both_databases!(late_readers_and_late_publications_are_reminded_once);

async fn teams_proposed_by_severity_join_the_proposal_until_readers_are_chosen(store: Store) {
    let admin = admin(&store).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_team("support", "Support", &note()).await.unwrap();
    store.create_service("checkout", "Checkout", Some("payments"), &note()).await.unwrap();
    let new = NewIncident { services: vec!["checkout".into()], ..incident("Checkout down") };
    let incident = store.create_incident(&admin, new).await.unwrap();
    let pm = store.create_postmortem(&admin, incident.number, NewPostmortem::default()).await.unwrap();
    // A team no one has made yet is skipped.
    let proposed = ["support".to_string(), "leadership".to_string()];
    assert_eq!(store.propose_reader_teams(&pm.id, &proposed).await.unwrap(), 1);
    let reading = store.reading(&admin, &pm.id).await.unwrap();
    assert_eq!((reading.chosen, reading.teams), (false, vec!["payments".to_string(), "support".to_string()]));
    // Once chosen, the choice stands.
    let chosen = Readers { teams: vec!["payments".into()], users: vec![] };
    store.set_readers(&admin, &pm.id, &chosen, &note()).await.unwrap();
    assert_eq!(store.propose_reader_teams(&pm.id, &proposed).await.unwrap(), 0);
    assert_eq!(store.reading(&admin, &pm.id).await.unwrap().teams, ["payments"]);
}

on_both_databases!(teams_proposed_by_severity_join_the_proposal_until_readers_are_chosen);
