//! Action items: owners, filters, pages and updates.

use crate::common::{
    action_item, admin, assert_not_found, conflict_version, incident, invalid_fields, listed_items, note, person,
    private_and_public_incidents, private_incident, store_viewer,
};
use hindsight_core::{ActionItemPatch, ActionItemStatus, NewActionItem, NewIncident, Responder, ResponderRole, Role};
use hindsight_store::{ActionItemFilter, Store};
use time::macros::date;

async fn action_item_is_created_with_its_owners(store: Store) {
    let admin = admin(&store).await;
    person(&store, "ana", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_incident(&admin, incident("x")).await.unwrap();
    let new = NewActionItem {
        owner: Some("ana".into()),
        owner_team: Some("payments".into()),
        due_date: Some(date!(2026 - 02 - 01)),
        tracker_url: Some("https://tracker.example.com/PAY-1".into()),
        ..action_item("Add a canary stage")
    };
    let item = store.create_action_item(&admin, 1, new).await.unwrap();
    assert_eq!(item.incident, "INC-1");
    assert_eq!(item.owner.as_deref(), Some("ana"));
    assert_eq!(item.owner_team.as_deref(), Some("payments"));
    assert_eq!(item.due_date, Some(date!(2026 - 02 - 01)));
    assert_eq!(item.version, 1);
    assert_eq!(store.action_item(&admin, &item.id).await.unwrap(), item);
}

async fn action_item_with_unknown_owners_names_both_fields(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let new = NewActionItem { owner: Some("casper".into()), owner_team: Some("ghosts".into()), ..action_item("x") };
    assert_eq!(invalid_fields(store.create_action_item(&admin, 1, new).await), ["owner", "owner_team"]);
}

async fn action_items_are_filtered_by_status(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    store.create_action_item(&admin, 1, action_item("open")).await.unwrap();
    let done = NewActionItem { status: ActionItemStatus::Done, ..action_item("done") };
    store.create_action_item(&admin, 1, done).await.unwrap();
    let filter = ActionItemFilter { status: Some(ActionItemStatus::Done), ..ActionItemFilter::default() };
    assert_eq!(listed_items(&store, &admin, filter).await, ["done"]);
}

async fn action_items_are_filtered_by_owner(store: Store) {
    let admin = admin(&store).await;
    person(&store, "ana", Role::Editor).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    store
        .create_action_item(&admin, 1, NewActionItem { owner: Some("ana".into()), ..action_item("ana's") })
        .await
        .unwrap();
    store
        .create_action_item(&admin, 1, NewActionItem { owner: Some("admin".into()), ..action_item("admin's") })
        .await
        .unwrap();
    let filter = ActionItemFilter { owner: Some("ana".into()), ..ActionItemFilter::default() };
    assert_eq!(listed_items(&store, &admin, filter).await, ["ana's"]);
}

async fn action_items_are_filtered_by_team(store: Store) {
    let admin = admin(&store).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_team("search", "Search", &note()).await.unwrap();
    store.create_incident(&admin, incident("x")).await.unwrap();
    let payments = NewActionItem { owner_team: Some("payments".into()), ..action_item("payments'") };
    let search = NewActionItem { owner_team: Some("search".into()), ..action_item("search's") };
    store.create_action_item(&admin, 1, payments).await.unwrap();
    store.create_action_item(&admin, 1, search).await.unwrap();
    let filter = ActionItemFilter { team: Some("payments".into()), ..ActionItemFilter::default() };
    assert_eq!(listed_items(&store, &admin, filter).await, ["payments'"]);
}

async fn action_items_are_filtered_by_incident(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("one")).await.unwrap();
    store.create_incident(&admin, incident("two")).await.unwrap();
    store.create_action_item(&admin, 1, action_item("from one")).await.unwrap();
    store.create_action_item(&admin, 2, action_item("from two")).await.unwrap();
    let filter = ActionItemFilter { incident: Some(2), ..ActionItemFilter::default() };
    assert_eq!(listed_items(&store, &admin, filter).await, ["from two"]);
}

async fn due_before_finds_only_unfinished_items_due_earlier(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    for (title, due, status) in [
        ("overdue", Some(date!(2026 - 01 - 10)), ActionItemStatus::Open),
        ("overdue in progress", Some(date!(2026 - 01 - 14)), ActionItemStatus::InProgress),
        ("done early", Some(date!(2026 - 01 - 05)), ActionItemStatus::Done),
        ("due on the day", Some(date!(2026 - 01 - 15)), ActionItemStatus::Open),
        ("due later", Some(date!(2026 - 02 - 01)), ActionItemStatus::Open),
        ("no date", None, ActionItemStatus::Open),
    ] {
        store
            .create_action_item(&admin, 1, NewActionItem { due_date: due, status, ..action_item(title) })
            .await
            .unwrap();
    }
    let filter = ActionItemFilter { due_before: Some(date!(2026 - 01 - 15)), ..ActionItemFilter::default() };
    assert_eq!(listed_items(&store, &admin, filter).await, ["overdue in progress", "overdue"]);
}

async fn action_item_pages_cover_every_item_once(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let mut created = Vec::new();
    for n in 1..=5 {
        created.push(store.create_action_item(&admin, 1, action_item(&format!("item {n}"))).await.unwrap().id);
    }
    created.reverse();
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list_action_items(&admin, &ActionItemFilter::default(), cursor.as_deref(), 2).await.unwrap();
        paged.extend(page.items.into_iter().map(|i| i.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, created);
}

async fn action_item_update_applies_the_patch_and_bumps_the_version(store: Store) {
    let admin = admin(&store).await;
    person(&store, "ana", Role::Editor).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let item = store
        .create_action_item(&admin, 1, NewActionItem { owner: Some("admin".into()), ..action_item("x") })
        .await
        .unwrap();
    let patch = ActionItemPatch {
        version: 1,
        status: Some(ActionItemStatus::InProgress),
        owner: Some(Some("ana".into())),
        due_date: Some(Some(date!(2026 - 03 - 01))),
        ..ActionItemPatch::default()
    };
    let updated = store.update_action_item(&admin, &item.id, patch).await.unwrap();
    assert_eq!(updated.status, ActionItemStatus::InProgress);
    assert_eq!(updated.owner.as_deref(), Some("ana"));
    assert_eq!(updated.due_date, Some(date!(2026 - 03 - 01)));
    assert_eq!(updated.version, 2);
    assert_eq!(store.action_item(&admin, &item.id).await.unwrap(), updated);
}

async fn stale_action_item_update_is_refused_with_the_current_version(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let item = store.create_action_item(&admin, 1, action_item("x")).await.unwrap();
    let first = ActionItemPatch { version: 1, title: Some("first".into()), ..ActionItemPatch::default() };
    store.update_action_item(&admin, &item.id, first).await.unwrap();
    let stale = ActionItemPatch { version: 1, title: Some("stale".into()), ..ActionItemPatch::default() };
    assert_eq!(conflict_version(store.update_action_item(&admin, &item.id, stale).await), 2);
    assert_eq!(store.action_item(&admin, &item.id).await.unwrap().title, "first");
}

async fn action_items_of_a_private_incident_are_hidden_from_an_outsider(store: Store) {
    let admin = private_and_public_incidents(&store, private_incident("secret")).await;
    let secret = store.create_action_item(&admin, 1, action_item("secret item")).await.unwrap();
    store.create_action_item(&admin, 2, action_item("public item")).await.unwrap();
    let outsider = person(&store, "eve", Role::Editor).await;
    assert_not_found(store.action_item(&outsider, &secret.id).await);
    assert_eq!(listed_items(&store, &outsider, ActionItemFilter::default()).await, ["public item"]);
    let patch = ActionItemPatch { version: 1, title: Some("mine".into()), ..ActionItemPatch::default() };
    assert_not_found(store.update_action_item(&outsider, &secret.id, patch).await);
    assert_not_found(store.create_action_item(&outsider, 1, action_item("mine")).await);
}

async fn action_items_of_a_private_incident_are_visible_to_its_responder(store: Store) {
    person(&store, "ana", Role::Viewer).await;
    let secret = NewIncident {
        responders: vec![Responder { username: "ana".into(), role: ResponderRole::Responder }],
        ..private_incident("secret")
    };
    let admin = private_and_public_incidents(&store, secret).await;
    store.create_action_item(&admin, 1, action_item("secret item")).await.unwrap();
    let ana = store_viewer(&store, "ana").await;
    assert_eq!(listed_items(&store, &ana, ActionItemFilter::default()).await, ["secret item"]);
}

on_both_databases!(
    action_item_is_created_with_its_owners,
    action_item_with_unknown_owners_names_both_fields,
    action_items_are_filtered_by_status,
    action_items_are_filtered_by_owner,
    action_items_are_filtered_by_team,
    action_items_are_filtered_by_incident,
    due_before_finds_only_unfinished_items_due_earlier,
    action_item_pages_cover_every_item_once,
    action_item_update_applies_the_patch_and_bumps_the_version,
    stale_action_item_update_is_refused_with_the_current_version,
    action_items_of_a_private_incident_are_hidden_from_an_outsider,
    action_items_of_a_private_incident_are_visible_to_its_responder,
);
