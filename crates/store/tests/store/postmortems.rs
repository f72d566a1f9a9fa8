//! Post-mortems: drafts, updates, history, status moves and lists.

use crate::common::{
    admin, assert_not_found, conflict_version, incident, invalid_fields, person, private_and_public_incidents,
    private_incident, summary,
};
use hindsight_core::access::Viewer;
use hindsight_core::{FieldChange, NewPostmortem, PostmortemStatus, Role};
use hindsight_store::{PostmortemFilter, Store, StoreError};
use serde_json::json;
use time::{Duration, OffsetDateTime};

async fn new_postmortem_is_a_draft_owned_by_its_creator(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("Checkout errors")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    assert_eq!(pm.status, PostmortemStatus::Draft);
    assert_eq!(pm.owner.as_deref(), Some("admin"));
    assert_eq!(pm.incident, "INC-1");
    assert_eq!(pm.incident_title, "Checkout errors");
    assert_eq!(pm.version, 1);
    assert_eq!(pm.published_at, None);
    assert_eq!(store.postmortem_of_incident(&admin, 1).await.unwrap(), pm);
}

async fn a_postmortem_the_operator_starts_has_no_owner_until_one_is_named(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("Checkout errors")).await.unwrap();
    store.create_incident(&admin, incident("Search errors")).await.unwrap();
    let operator = Viewer::operator();
    let pm = store.create_postmortem(&operator, 1, NewPostmortem::default()).await.unwrap();
    assert_eq!(pm.owner, None);
    let named = NewPostmortem { owner: Some("admin".into()), ..NewPostmortem::default() };
    assert_eq!(store.create_postmortem(&operator, 2, named).await.unwrap().owner.as_deref(), Some("admin"));
    let nobody = NewPostmortem { owner: Some("nobody".into()), ..NewPostmortem::default() };
    store.create_incident(&admin, incident("Login errors")).await.unwrap();
    assert_eq!(invalid_fields(store.create_postmortem(&operator, 3, nobody).await), ["owner"]);
}

async fn second_postmortem_for_an_incident_is_refused_as_duplicate(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let again = store.create_postmortem(&admin, 1, NewPostmortem::default()).await;
    match again {
        Err(StoreError::Duplicate { field, value }) => {
            assert_eq!((field.as_str(), value.as_str()), ("incident", "INC-1"))
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
}

async fn postmortem_update_replaces_only_the_named_sections(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let mut new = NewPostmortem::default();
    new.sections.trigger = "A deploy of checkout-api 2.3.1".into();
    let pm = store.create_postmortem(&admin, 1, new).await.unwrap();
    let updated = store.update_postmortem(&admin, &pm.id, summary(1, "Checkout failed for 20 minutes.")).await.unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.sections.summary, "Checkout failed for 20 minutes.");
    assert_eq!(updated.sections.trigger, "A deploy of checkout-api 2.3.1");
    assert_eq!(store.postmortem(&admin, &pm.id).await.unwrap(), updated);
}

async fn stale_postmortem_update_is_refused_with_the_current_version(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    store.update_postmortem(&admin, &pm.id, summary(1, "first")).await.unwrap();
    assert_eq!(conflict_version(store.update_postmortem(&admin, &pm.id, summary(1, "stale")).await), 2);
    assert_eq!(store.postmortem(&admin, &pm.id).await.unwrap().sections.summary, "first");
}

async fn postmortem_history_records_every_change_with_old_new_and_actor(store: Store) {
    let admin = admin(&store).await;
    let ana = person(&store, "ana", Role::Editor).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    store.update_postmortem(&ana, &pm.id, summary(1, "Checkout failed.")).await.unwrap();
    store.set_postmortem_status(&admin, &pm.id, 2, PostmortemStatus::InReview).await.unwrap();
    let history = store.postmortem_history(&admin, &pm.id).await.unwrap();
    let versions: Vec<_> = history.iter().map(|h| (h.version, h.actor.as_deref())).collect();
    assert_eq!(versions, [(1, Some("admin")), (2, Some("ana")), (3, Some("admin"))]);
    assert!(history[0].changes.iter().any(|c| c.field == "owner" && c.new == json!("admin")));
    assert_eq!(
        history[1].changes,
        [FieldChange { field: "sections.summary".into(), old: json!(""), new: json!("Checkout failed.") }]
    );
    assert_eq!(
        history[2].changes,
        [FieldChange { field: "status".into(), old: json!("draft"), new: json!("in_review") }]
    );
}

async fn update_that_changes_nothing_adds_no_history(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let same = store.update_postmortem(&admin, &pm.id, summary(1, "")).await.unwrap();
    assert_eq!(same.version, 1);
    assert_eq!(store.postmortem_history(&admin, &pm.id).await.unwrap().len(), 1);
}

async fn publishing_after_review_sets_published_at(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let before = OffsetDateTime::now_utc() - Duration::seconds(1);
    let review = store.set_postmortem_status(&admin, &pm.id, 1, PostmortemStatus::InReview).await.unwrap();
    assert_eq!(review.published_at, None);
    let published = store.set_postmortem_status(&admin, &pm.id, 2, PostmortemStatus::Published).await.unwrap();
    assert_eq!(published.status, PostmortemStatus::Published);
    let at = published.published_at.expect("published_at is set");
    assert!(at >= before && at <= OffsetDateTime::now_utc(), "published_at {at} is not now");
    assert_eq!(published.version, 3);
}

async fn a_status_move_keeps_its_reason_in_the_history_and_the_chain(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let reason = "Submitted with 1 wording finding open: the quote is the customer's own words";
    let review =
        store.set_postmortem_status_because(&admin, &pm.id, 1, PostmortemStatus::InReview, Some(reason)).await.unwrap();
    assert_eq!(review.status, PostmortemStatus::InReview);
    let history = store.postmortem_history(&admin, &pm.id).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!((last.version, last.reason.as_deref()), (2, Some(reason)));
    assert_eq!(history[0].reason, None);
    let report = store.verify_audit_chains().await.unwrap();
    assert!(report.intact(), "the reason is part of the hashed row: {report:?}");
}

async fn draft_cannot_be_published_directly(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let result = store.set_postmortem_status(&admin, &pm.id, 1, PostmortemStatus::Published).await;
    assert_eq!(invalid_fields(result), ["status"]);
    let stored = store.postmortem(&admin, &pm.id).await.unwrap();
    assert_eq!((stored.status, stored.version), (PostmortemStatus::Draft, 1));
}

/// Post-mortems of INC-1 (draft, owned by admin) and INC-2 (in review, owned by ana).
async fn two_postmortems(store: &Store) -> Viewer {
    let admin = admin(store).await;
    person(store, "ana", Role::Editor).await;
    for title in ["one", "two"] {
        store.create_incident(&admin, incident(title)).await.unwrap();
    }
    store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let owned = NewPostmortem { owner: Some("ana".into()), ..NewPostmortem::default() };
    let second = store.create_postmortem(&admin, 2, owned).await.unwrap();
    store.set_postmortem_status(&admin, &second.id, 1, PostmortemStatus::InReview).await.unwrap();
    admin
}

async fn postmortems_are_filtered_by_status(store: Store) {
    let admin = two_postmortems(&store).await;
    let filter = PostmortemFilter { status: Some(PostmortemStatus::Draft), ..PostmortemFilter::default() };
    let page = store.list_postmortems(&admin, &filter, None, 10).await.unwrap();
    let incidents: Vec<_> = page.items.iter().map(|p| p.incident.as_str()).collect();
    assert_eq!(incidents, ["INC-1"]);
}

async fn postmortems_are_filtered_by_owner(store: Store) {
    let admin = two_postmortems(&store).await;
    let filter = PostmortemFilter { owner: Some("ana".into()), ..PostmortemFilter::default() };
    let page = store.list_postmortems(&admin, &filter, None, 10).await.unwrap();
    let incidents: Vec<_> = page.items.iter().map(|p| p.incident.as_str()).collect();
    assert_eq!(incidents, ["INC-2"]);
}

async fn postmortem_of_a_private_incident_is_hidden_from_an_outsider(store: Store) {
    let admin = private_and_public_incidents(&store, private_incident("secret")).await;
    let pm = store.create_postmortem(&admin, 1, NewPostmortem::default()).await.unwrap();
    let outsider = person(&store, "eve", Role::Editor).await;
    assert_not_found(store.postmortem(&outsider, &pm.id).await);
    assert_not_found(store.postmortem_of_incident(&outsider, 1).await);
    assert_not_found(store.postmortem_history(&outsider, &pm.id).await);
    assert_not_found(store.update_postmortem(&outsider, &pm.id, summary(1, "mine")).await);
    assert_not_found(store.create_postmortem(&outsider, 1, NewPostmortem::default()).await);
    let listed = store.list_postmortems(&outsider, &Default::default(), None, 10).await.unwrap();
    assert!(listed.items.is_empty());
}

on_both_databases!(
    new_postmortem_is_a_draft_owned_by_its_creator,
    a_postmortem_the_operator_starts_has_no_owner_until_one_is_named,
    second_postmortem_for_an_incident_is_refused_as_duplicate,
    postmortem_update_replaces_only_the_named_sections,
    stale_postmortem_update_is_refused_with_the_current_version,
    postmortem_history_records_every_change_with_old_new_and_actor,
    update_that_changes_nothing_adds_no_history,
    publishing_after_review_sets_published_at,
    a_status_move_keeps_its_reason_in_the_history_and_the_chain,
    draft_cannot_be_published_directly,
    postmortem_of_a_private_incident_is_hidden_from_an_outsider,
    postmortems_are_filtered_by_status,
    postmortems_are_filtered_by_owner,
);
