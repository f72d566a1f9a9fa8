//! Review of a post-mortem: named reviewers' verdicts by round, who is told, the meeting.

use crate::common::{admin, incident, person};
use hindsight_core::{NewPostmortem, NewReview, NotificationKind, PostmortemStatus, ReviewMeeting, Role, Verdict};
use hindsight_store::{NotificationFilter, Store, Ts};

fn verdict(verdict: Verdict, comment: &str) -> NewReview {
    NewReview { verdict, comment: comment.into() }
}

async fn reviewers_verdicts_count_in_their_round_and_reach_the_owner(store: Store) {
    let admin = admin(&store).await;
    let ana = person(&store, "ana", Role::Editor).await;
    let bob = person(&store, "bob", Role::Editor).await;
    let cleo = person(&store, "cleo", Role::Viewer).await;
    let dave = person(&store, "dave", Role::Editor).await;
    let incident = store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    let new = NewPostmortem { owner: Some("ana".into()), ..NewPostmortem::default() };
    let pm = store.create_postmortem(&admin, incident.number, new).await.unwrap();
    let names = ["ana".to_string(), "bob".to_string(), "cleo".to_string()];
    store.set_reviewers(&admin, &pm.id, &names, &crate::common::note()).await.unwrap();
    // Not in review yet.
    assert!(store.add_review(&bob, &pm.id, &verdict(Verdict::Approved, "")).await.is_err());
    let pm = store.set_postmortem_status(&admin, &pm.id, pm.version, PostmortemStatus::InReview).await.unwrap();
    store.add_review(&bob, &pm.id, &verdict(Verdict::Approved, "Clear and blameless.")).await.unwrap();
    store.add_review(&cleo, &pm.id, &verdict(Verdict::ChangesRequested, "Name the pool's limit.")).await.unwrap();
    // The owner's own approval does not count; someone not named may not review.
    store.add_review(&ana, &pm.id, &verdict(Verdict::Approved, "")).await.unwrap();
    assert!(store.add_review(&dave, &pm.id, &verdict(Verdict::Approved, "")).await.is_err());
    let state = store.review_state(&dave, &pm.id, 2).await.unwrap();
    assert_eq!(
        (state.round, state.approved_by.clone(), state.changes_requested_by.clone()),
        (1, vec!["bob".to_string()], vec!["cleo".to_string()])
    );
    assert!(!state.approved());
    assert_eq!(state.reviews.len(), 3);
    // Cleo changes her mind: her last verdict counts.
    store.add_review(&cleo, &pm.id, &verdict(Verdict::Approved, "Done.")).await.unwrap();
    let state = store.review_state(&dave, &pm.id, 2).await.unwrap();
    assert_eq!(state.approved_by, ["bob", "cleo"]);
    assert!(state.approved());
    // Back to the authors and submitted again: a new round, with no approval yet.
    let pm = store.set_postmortem_status(&admin, &pm.id, pm.version, PostmortemStatus::Draft).await.unwrap();
    let pm = store.set_postmortem_status(&admin, &pm.id, pm.version, PostmortemStatus::InReview).await.unwrap();
    let state = store.review_state(&dave, &pm.id, 1).await.unwrap();
    assert_eq!((state.round, state.approved_by.len()), (2, 0));

    let now = Ts::now();
    let until = Ts::from(now.get() + time::Duration::seconds(30));
    store.notify_from_outbox("worker", now, until, 1000).await.unwrap();
    let kinds = |n: Vec<hindsight_core::Notification>| n.into_iter().map(|n| n.kind).rev().collect::<Vec<_>>();
    let filter = NotificationFilter::default();
    assert_eq!(
        kinds(store.notifications(&bob, &filter, 50).await.unwrap()),
        [NotificationKind::ReviewRequested, NotificationKind::ReviewRequested]
    );
    use NotificationKind::*;
    assert_eq!(
        kinds(store.notifications(&ana, &filter, 50).await.unwrap()),
        [PostmortemAssigned, ReviewRequested, Approved, ChangesRequested, Approved, ChangesRequested, ReviewRequested]
    );
}

async fn the_review_meeting_is_recorded_with_its_attendees(store: Store) {
    let admin = admin(&store).await;
    person(&store, "ana", Role::Editor).await;
    let incident = store.create_incident(&admin, incident("Checkout down")).await.unwrap();
    let pm = store.create_postmortem(&admin, incident.number, NewPostmortem::default()).await.unwrap();
    let held_at = time::macros::datetime!(2026-12-03 15:00 UTC);
    let meeting = ReviewMeeting { held_at, attendees: vec!["ana".into(), "admin".into()] };
    store.set_review_meeting(&admin, &pm.id, &meeting, &crate::common::note()).await.unwrap();
    let state = store.review_state(&admin, &pm.id, 0).await.unwrap();
    assert_eq!(state.meeting, Some(ReviewMeeting { held_at, attendees: vec!["admin".into(), "ana".into()] }));
    let stranger = ReviewMeeting { held_at, attendees: vec!["nobody".into()] };
    assert!(store.set_review_meeting(&admin, &pm.id, &stranger, &crate::common::note()).await.is_err());
}

on_both_databases!(
    reviewers_verdicts_count_in_their_round_and_reach_the_owner,
    the_review_meeting_is_recorded_with_its_attendees,
);
