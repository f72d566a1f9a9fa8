//! Notifications: made once from the outbox and from due dates, for the people concerned,
//! read only by them and only while they may see the incident.

use crate::common::{action_item, admin, incident, note, person, private_incident};
use hindsight_core::access::Viewer;
use hindsight_core::{
    ActionItemPatch, ActionItemStatus, NewActionItem, NewComment, NewPostmortem, NotificationKind, PostmortemStatus,
    Role,
};
use hindsight_store::{NotificationFilter, Store, Ts};
use time::{Duration, OffsetDateTime};

/// Runs the outbox reader to the end as worker `owner`; answers the notifications made.
async fn notify_all(store: &Store, owner: &str) -> u64 {
    let now = Ts::now();
    let until = Ts::from(now.get() + Duration::seconds(30));
    let mut made = 0;
    loop {
        let batch = store.notify_from_outbox(owner, now, until, 2).await.unwrap().expect("the lease is free");
        made += batch.notifications;
        if batch.events == 0 {
            return made;
        }
    }
}

/// The kinds of the viewer's notifications, oldest first.
async fn kinds(store: &Store, viewer: &Viewer) -> Vec<NotificationKind> {
    let mut kinds: Vec<_> = store
        .notifications(viewer, &NotificationFilter::default(), 200)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect();
    kinds.reverse();
    kinds
}

async fn events_become_notifications_for_the_people_they_concern_once(store: Store) {
    let admin = admin(&store).await;
    let bob = person(&store, "bob", Role::Editor).await;
    let carol = person(&store, "carol", Role::Editor).await;
    let incident = store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    let new = NewPostmortem { owner: Some("bob".into()), ..NewPostmortem::default() };
    let postmortem = store.create_postmortem(&admin, incident.number, new).await.unwrap();
    let owned = NewActionItem { owner: Some("carol".into()), ..action_item("Alert on queue depth") };
    let item = store.create_action_item(&admin, incident.number, owned).await.unwrap();
    // Carol names Bob, who owns the post-mortem: he is told once, of the mention.
    let comment = NewComment { body: "@bob can you check the pool size?".into(), reply_to: None, anchor: None };
    store.add_comment(&carol, &postmortem.id, &comment, &["bob".into()]).await.unwrap();
    // Nobody is told of their own change.
    let mine = NewActionItem { owner: Some("bob".into()), ..action_item("Raise the pool size") };
    store.create_action_item(&bob, incident.number, mine).await.unwrap();

    assert_eq!(notify_all(&store, "worker-1").await, 3);
    assert_eq!(kinds(&store, &bob).await, [NotificationKind::PostmortemAssigned, NotificationKind::Mentioned]);
    assert_eq!(kinds(&store, &carol).await, [NotificationKind::ActionItemAssigned]);
    assert_eq!(kinds(&store, &admin).await, []);
    let told = store.notifications(&carol, &NotificationFilter::default(), 10).await.unwrap();
    assert_eq!(told[0].incident, incident.handle);
    assert_eq!(told[0].action_item.as_deref(), Some(item.id.as_str()));
    assert_eq!(told[0].action_item_title.as_deref(), Some("Alert on queue depth"));
    assert_eq!(told[0].actor.as_deref(), Some("admin"));
    // A second pass finds nothing new; the owner hears when the review sends it back.
    assert_eq!(notify_all(&store, "worker-1").await, 0);
    let postmortem = store
        .set_postmortem_status(&admin, &postmortem.id, postmortem.version, PostmortemStatus::InReview)
        .await
        .unwrap();
    store.set_postmortem_status(&admin, &postmortem.id, postmortem.version, PostmortemStatus::Draft).await.unwrap();
    assert_eq!(notify_all(&store, "worker-1").await, 1);
    assert_eq!(
        kinds(&store, &bob).await,
        [NotificationKind::PostmortemAssigned, NotificationKind::Mentioned, NotificationKind::ChangesRequested]
    );
}

async fn reading_marks_only_the_readers_own_notifications(store: Store) {
    let admin = admin(&store).await;
    let bob = person(&store, "bob", Role::Editor).await;
    let carol = person(&store, "carol", Role::Editor).await;
    let incident = store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    for (title, owner) in [("One", "bob"), ("Two", "bob"), ("Three", "carol")] {
        let owned = NewActionItem { owner: Some(owner.into()), ..action_item(title) };
        store.create_action_item(&admin, incident.number, owned).await.unwrap();
    }
    notify_all(&store, "worker-1").await;
    assert_eq!(store.unread_notifications(&bob).await.unwrap(), 2);
    let carols = store.notifications(&carol, &NotificationFilter::default(), 10).await.unwrap();
    let bobs = store.notifications(&bob, &NotificationFilter::default(), 10).await.unwrap();
    // Bob cannot mark or open Carol's.
    assert_eq!(store.mark_notifications_read(&bob, Some(&[carols[0].id]), Ts::now()).await.unwrap(), 0);
    assert!(store.notification(&bob, carols[0].id).await.is_err());
    assert_eq!(store.mark_notifications_read(&bob, Some(&[bobs[1].id]), Ts::now()).await.unwrap(), 1);
    assert_eq!(store.unread_notifications(&bob).await.unwrap(), 1);
    let unread = NotificationFilter { unread: true, before: None };
    let left = store.notifications(&bob, &unread, 10).await.unwrap();
    assert_eq!(left.iter().map(|n| n.id).collect::<Vec<_>>(), [bobs[0].id]);
    assert!(store.notification(&bob, bobs[1].id).await.unwrap().read_at.is_some());
    // Pages go back in time from the id before.
    let older = NotificationFilter { unread: false, before: Some(bobs[0].id) };
    assert_eq!(store.notifications(&bob, &older, 10).await.unwrap()[0].id, bobs[1].id);
    assert_eq!(store.mark_notifications_read(&bob, None, Ts::now()).await.unwrap(), 1);
    assert_eq!(store.unread_notifications(&bob).await.unwrap(), 0);
    assert_eq!(store.unread_notifications(&carol).await.unwrap(), 1);
}

async fn one_worker_at_a_time_holds_the_outbox_lease(store: Store) {
    let admin = admin(&store).await;
    person(&store, "bob", Role::Editor).await;
    let incident = store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    let owned = NewActionItem { owner: Some("bob".into()), ..action_item("One") };
    store.create_action_item(&admin, incident.number, owned).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let at = |seconds: i64| Ts::from(now + Duration::seconds(seconds));
    let first = store.notify_from_outbox("worker-1", at(0), at(30), 100).await.unwrap().unwrap();
    assert_eq!(first.notifications, 1);
    let another = |title: &str| NewActionItem { owner: Some("bob".into()), ..action_item(title) };
    store.create_action_item(&admin, incident.number, another("Two")).await.unwrap();
    assert_eq!(store.notify_from_outbox("worker-2", at(10), at(40), 100).await.unwrap(), None);
    // The holder renews it; once it lapses, another takes over where the first stopped.
    let renewed = store.notify_from_outbox("worker-1", at(20), at(50), 100).await.unwrap().unwrap();
    assert_eq!((renewed.events, renewed.notifications), (1, 1));
    store.create_action_item(&admin, incident.number, another("Three")).await.unwrap();
    assert_eq!(store.notify_from_outbox("worker-2", at(49), at(79), 100).await.unwrap(), None);
    let second = store.notify_from_outbox("worker-2", at(51), at(81), 100).await.unwrap().unwrap();
    assert_eq!((second.events, second.notifications), (1, 1));
    assert!(second.last_event > renewed.last_event);
    // With nothing new, a pass reads and writes nothing, lease or not.
    let idle = store.notify_from_outbox("worker-1", at(52), at(82), 100).await.unwrap().unwrap();
    assert_eq!((idle.events, idle.last_event), (0, second.last_event));
}

async fn reminders_go_to_owners_or_their_team_once_per_due_date(store: Store) {
    let admin = admin(&store).await;
    let bob = person(&store, "bob", Role::Editor).await;
    let carol = person(&store, "carol", Role::Editor).await;
    let dave = person(&store, "dave", Role::Editor).await;
    store.create_team("db", "Databases", &note()).await.unwrap();
    store.add_member("db", "carol", &note()).await.unwrap();
    store.add_member("db", "dave", &note()).await.unwrap();
    let incident = store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    let today = time::macros::date!(2026 - 12 - 07);
    let item =
        |title: &str, owner: Option<&str>, team: Option<&str>, days: i64, status: ActionItemStatus| NewActionItem {
            owner: owner.map(str::to_string),
            owner_team: team.map(str::to_string),
            due_date: Some(today + Duration::days(days)),
            status,
            ..action_item(title)
        };
    let soon = item("Due soon", Some("bob"), Some("db"), 1, ActionItemStatus::InProgress);
    let soon = store.create_action_item(&admin, incident.number, soon).await.unwrap();
    let overdue = item("Overdue", None, Some("db"), -3, ActionItemStatus::Open);
    store.create_action_item(&admin, incident.number, overdue).await.unwrap();
    let done = item("Done late", Some("bob"), None, -3, ActionItemStatus::Done);
    store.create_action_item(&admin, incident.number, done).await.unwrap();
    let later = item("Later", Some("bob"), None, 10, ActionItemStatus::Open);
    store.create_action_item(&admin, incident.number, later).await.unwrap();

    let soon_until = today + Duration::days(2);
    assert_eq!(store.remind_due_action_items(today, soon_until, Ts::now()).await.unwrap(), 3);
    assert_eq!(store.remind_due_action_items(today, soon_until, Ts::now()).await.unwrap(), 0);
    assert_eq!(kinds(&store, &bob).await, [NotificationKind::ActionItemDueSoon]);
    assert_eq!(kinds(&store, &carol).await, [NotificationKind::ActionItemOverdue]);
    assert_eq!(kinds(&store, &dave).await, [NotificationKind::ActionItemOverdue]);
    // Once past its date it is overdue, a reminder of its own; moved to a new date, it is
    // due soon again.
    let after = today + Duration::days(2);
    assert_eq!(store.remind_due_action_items(after, after + Duration::days(2), Ts::now()).await.unwrap(), 1);
    let redated = ActionItemPatch {
        version: soon.version,
        due_date: Some(Some(after + Duration::days(1))),
        ..ActionItemPatch::default()
    };
    store.update_action_item(&admin, &soon.id, redated).await.unwrap();
    assert_eq!(store.remind_due_action_items(after, after + Duration::days(2), Ts::now()).await.unwrap(), 1);
    assert_eq!(
        kinds(&store, &bob).await,
        [NotificationKind::ActionItemDueSoon, NotificationKind::ActionItemOverdue, NotificationKind::ActionItemDueSoon]
    );
}

async fn a_notification_of_an_incident_the_recipient_cannot_see_stays_hidden(store: Store) {
    let admin = admin(&store).await;
    let olga = person(&store, "olga", Role::Editor).await;
    let secret = store.create_incident(&admin, private_incident("Secret leak")).await.unwrap();
    let owned = NewActionItem { owner: Some("olga".into()), ..action_item("Rotate the keys") };
    store.create_action_item(&admin, secret.number, owned).await.unwrap();
    assert_eq!(notify_all(&store, "worker-1").await, 1);
    assert_eq!(store.notifications(&olga, &NotificationFilter::default(), 10).await.unwrap(), []);
    assert_eq!(store.unread_notifications(&olga).await.unwrap(), 0);
    // The operator at the command line is no user and has no inbox.
    assert_eq!(store.unread_notifications(&Viewer::operator()).await.unwrap(), 0);
}

async fn an_item_left_overdue_is_escalated_to_its_team_then_its_commander(store: Store) {
    let admin = admin(&store).await;
    let bob = person(&store, "bob", Role::Editor).await;
    let carol = person(&store, "carol", Role::Editor).await;
    let dave = person(&store, "dave", Role::Editor).await;
    store.create_team("db", "Databases", &note()).await.unwrap();
    store.add_member("db", "bob", &note()).await.unwrap();
    store.add_member("db", "carol", &note()).await.unwrap();
    let commander =
        hindsight_core::Responder { username: "dave".into(), role: hindsight_core::ResponderRole::IncidentCommander };
    let new = hindsight_core::NewIncident { responders: vec![commander], ..incident("Checkout down") };
    let incident = store.create_incident(&admin, new).await.unwrap();
    let due = time::macros::date!(2026 - 11 - 20);
    let item = NewActionItem {
        owner: Some("bob".into()),
        owner_team: Some("db".into()),
        due_date: Some(due),
        ..action_item("Alert on replica lag")
    };
    store.create_action_item(&admin, incident.number, item).await.unwrap();
    let day = |d: u8| time::Date::from_calendar_date(2026, time::Month::November, d).unwrap();
    // Not yet late enough for either.
    assert_eq!(store.escalate_overdue_action_items(day(20), day(20), Ts::now()).await.unwrap(), 0);
    // Late enough for the team, not the commander: Carol, not Bob who owns it.
    assert_eq!(store.escalate_overdue_action_items(day(21), day(20), Ts::now()).await.unwrap(), 1);
    assert_eq!(kinds(&store, &carol).await, [NotificationKind::ActionItemEscalated]);
    assert_eq!(kinds(&store, &bob).await, []);
    // Then the commander too, once.
    assert_eq!(store.escalate_overdue_action_items(day(28), day(28), Ts::now()).await.unwrap(), 1);
    assert_eq!(store.escalate_overdue_action_items(day(28), day(28), Ts::now()).await.unwrap(), 0);
    assert_eq!(kinds(&store, &dave).await, [NotificationKind::ActionItemEscalated]);
}

on_both_databases!(
    an_item_left_overdue_is_escalated_to_its_team_then_its_commander,
    events_become_notifications_for_the_people_they_concern_once,
    reading_marks_only_the_readers_own_notifications,
    one_worker_at_a_time_holds_the_outbox_lease,
    reminders_go_to_owners_or_their_team_once_per_due_date,
    a_notification_of_an_incident_the_recipient_cannot_see_stays_hidden,
);
