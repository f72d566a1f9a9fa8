//! What needs a person: assigned items, due dates, reviews, responses.

use crate::common::{
    action_item, admin, incident, item_titles, listed_items, note, person, private_and_public_incidents,
    private_incident, sev,
};
use hindsight_core::access::Viewer;
use hindsight_core::{
    ActionItemStatus, IncidentStatus, NewActionItem, NewIncident, NewPostmortem, PostmortemStatus, Responder,
    ResponderRole, Role,
};
use hindsight_store::{ActionItemFilter, Store};
use time::Duration;
use time::macros::{date, datetime};

/// Titles of the items `viewer` gets for `filter`, soonest due first.
async fn items_by_due(store: &Store, viewer: &Viewer, filter: ActionItemFilter) -> Vec<String> {
    let items = store.action_items_by_due_date(viewer, &filter, 100).await.expect("action items are listed");
    item_titles(&items).into_iter().map(String::from).collect()
}

/// A post-mortem of incident `number` owned by `owner`, due on `due`, moved to `status`.
async fn postmortem_in(
    store: &Store,
    admin: &Viewer,
    number: i64,
    owner: &str,
    due: Option<time::Date>,
    status: PostmortemStatus,
) {
    let new = NewPostmortem { owner: Some(owner.into()), due_date: due, ..NewPostmortem::default() };
    let mut pm = store.create_postmortem(admin, number, new).await.unwrap();
    let path: &[PostmortemStatus] = match status {
        PostmortemStatus::Draft => &[],
        PostmortemStatus::InReview => &[PostmortemStatus::InReview],
        PostmortemStatus::Published => &[PostmortemStatus::InReview, PostmortemStatus::Published],
        PostmortemStatus::Archived => {
            &[PostmortemStatus::InReview, PostmortemStatus::Published, PostmortemStatus::Archived]
        }
    };
    for next in path {
        pm = store.set_postmortem_status(admin, &pm.id, pm.version, *next).await.unwrap();
    }
}

fn incidents_of(postmortems: &[hindsight_core::Postmortem]) -> Vec<&str> {
    postmortems.iter().map(|p| p.incident.as_str()).collect()
}

async fn assigned_items_are_mine_and_my_teams_unowned_ones(store: Store) {
    let admin = admin(&store).await;
    person(&store, "ana", Role::Editor).await;
    person(&store, "bob", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.create_team("search", "Search", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    store.create_incident(&admin, incident("x")).await.unwrap();
    for (title, owner, team, status) in [
        ("mine", Some("ana"), None, ActionItemStatus::Open),
        ("my team's", None, Some("payments"), ActionItemStatus::InProgress),
        ("bob's for payments", Some("bob"), Some("payments"), ActionItemStatus::Open),
        ("another team's", None, Some("search"), ActionItemStatus::Open),
        ("mine, done", Some("ana"), None, ActionItemStatus::Done),
    ] {
        let new = NewActionItem {
            owner: owner.map(String::from),
            owner_team: team.map(String::from),
            status,
            ..action_item(title)
        };
        store.create_action_item(&admin, 1, new).await.unwrap();
    }
    let filter = ActionItemFilter { assigned_to: Some("ana".into()), unfinished: true, ..ActionItemFilter::default() };
    let mut titles = items_by_due(&store, &admin, filter).await;
    titles.sort();
    assert_eq!(titles, ["mine", "my team's"]);
    let everything = ActionItemFilter { assigned_to: Some("ana".into()), ..ActionItemFilter::default() };
    assert_eq!(items_by_due(&store, &admin, everything).await.len(), 3, "done items count without `unfinished`");
}

async fn items_by_due_date_lead_with_the_earliest_and_end_with_undated(store: Store) {
    let admin = admin(&store).await;
    store.create_incident(&admin, incident("x")).await.unwrap();
    for (title, due) in [
        ("undated", None),
        ("later", Some(date!(2026 - 03 - 01))),
        ("overdue", Some(date!(2026 - 01 - 01))),
        ("soon", Some(date!(2026 - 02 - 01))),
    ] {
        store.create_action_item(&admin, 1, NewActionItem { due_date: due, ..action_item(title) }).await.unwrap();
    }
    assert_eq!(
        items_by_due(&store, &admin, ActionItemFilter::default()).await,
        ["overdue", "soon", "later", "undated"]
    );
    let overdue = ActionItemFilter { due_before: Some(date!(2026 - 01 - 15)), ..ActionItemFilter::default() };
    assert_eq!(items_by_due(&store, &admin, overdue).await, ["overdue"]);
}

async fn action_items_are_filtered_by_service(store: Store) {
    let admin = admin(&store).await;
    store.create_service("checkout", "Checkout", None, &note()).await.unwrap();
    store.create_incident(&admin, NewIncident { services: vec!["checkout".into()], ..incident("one") }).await.unwrap();
    store.create_incident(&admin, incident("two")).await.unwrap();
    store.create_action_item(&admin, 1, action_item("of checkout")).await.unwrap();
    store.create_action_item(&admin, 2, action_item("elsewhere")).await.unwrap();
    let filter = ActionItemFilter { service: Some("checkout".into()), ..ActionItemFilter::default() };
    assert_eq!(items_by_due(&store, &admin, filter.clone()).await, ["of checkout"]);
    assert_eq!(listed_items(&store, &admin, filter).await, ["of checkout"]);
}

async fn item_counts_by_status_leave_out_what_the_viewer_cannot_see(store: Store) {
    let outsider = person(&store, "outsider", Role::Editor).await;
    let admin = private_and_public_incidents(&store, private_incident("secret")).await;
    store.create_action_item(&admin, 1, action_item("secret open")).await.unwrap();
    store.create_action_item(&admin, 2, action_item("public open")).await.unwrap();
    let done = NewActionItem { status: ActionItemStatus::Done, ..action_item("public done") };
    store.create_action_item(&admin, 2, done).await.unwrap();
    let mut counts = store.count_action_items_by_status(&admin, &ActionItemFilter::default()).await.unwrap();
    counts.sort_by_key(|(status, _)| status.as_str());
    assert_eq!(counts, [(ActionItemStatus::Done, 1), (ActionItemStatus::Open, 2)]);
    let counts = store.count_action_items_by_status(&outsider, &ActionItemFilter::default()).await.unwrap();
    let open = counts.iter().find(|(s, _)| *s == ActionItemStatus::Open).map(|(_, n)| *n);
    assert_eq!(open, Some(1));
}

async fn my_unpublished_postmortems_are_my_drafts_and_reviews(store: Store) {
    let admin = admin(&store).await;
    let ana = person(&store, "ana", Role::Editor).await;
    for title in ["draft", "review", "published", "someone else's"] {
        store.create_incident(&admin, incident(title)).await.unwrap();
    }
    postmortem_in(&store, &admin, 1, "ana", Some(date!(2026 - 02 - 01)), PostmortemStatus::Draft).await;
    postmortem_in(&store, &admin, 2, "ana", Some(date!(2026 - 01 - 01)), PostmortemStatus::InReview).await;
    postmortem_in(&store, &admin, 3, "ana", None, PostmortemStatus::Published).await;
    postmortem_in(&store, &admin, 4, "admin", None, PostmortemStatus::Draft).await;
    let mine = store.my_unpublished_postmortems(&ana).await.unwrap();
    assert_eq!(incidents_of(&mine), ["INC-2", "INC-1"], "soonest due first");
}

async fn postmortems_to_review_are_others_in_review_on_my_teams_incidents(store: Store) {
    let admin = admin(&store).await;
    let ana = person(&store, "ana", Role::Editor).await;
    person(&store, "bob", Role::Editor).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    store.add_member("payments", "ana", &note()).await.unwrap();
    store.create_service("checkout", "Checkout", Some("payments"), &note()).await.unwrap();
    let named = NewIncident { teams: vec!["payments".into()], ..incident("names my team") };
    let affects = NewIncident { services: vec!["checkout".into()], ..incident("affects my service") };
    store.create_incident(&admin, named.clone()).await.unwrap();
    store.create_incident(&admin, affects).await.unwrap();
    store.create_incident(&admin, incident("unrelated")).await.unwrap();
    store.create_incident(&admin, named.clone()).await.unwrap();
    store.create_incident(&admin, named).await.unwrap();
    postmortem_in(&store, &admin, 1, "bob", None, PostmortemStatus::InReview).await;
    postmortem_in(&store, &admin, 2, "bob", None, PostmortemStatus::InReview).await;
    postmortem_in(&store, &admin, 3, "bob", None, PostmortemStatus::InReview).await;
    postmortem_in(&store, &admin, 4, "ana", None, PostmortemStatus::InReview).await;
    postmortem_in(&store, &admin, 5, "bob", None, PostmortemStatus::Draft).await;
    let to_review = store.postmortems_for_me_to_review(&ana).await.unwrap();
    assert_eq!(incidents_of(&to_review), ["INC-1", "INC-2"]);
}

async fn overdue_drafts_are_visible_drafts_due_before_today(store: Store) {
    let outsider = person(&store, "outsider", Role::Editor).await;
    let admin = private_and_public_incidents(&store, private_incident("secret")).await;
    store.create_incident(&admin, incident("due today")).await.unwrap();
    store.create_incident(&admin, incident("in review")).await.unwrap();
    let today = date!(2026 - 01 - 15);
    postmortem_in(&store, &admin, 1, "admin", Some(date!(2026 - 01 - 01)), PostmortemStatus::Draft).await;
    postmortem_in(&store, &admin, 2, "admin", Some(date!(2026 - 01 - 10)), PostmortemStatus::Draft).await;
    postmortem_in(&store, &admin, 3, "admin", Some(today), PostmortemStatus::Draft).await;
    postmortem_in(&store, &admin, 4, "admin", Some(date!(2026 - 01 - 01)), PostmortemStatus::InReview).await;
    assert_eq!(incidents_of(&store.overdue_draft_postmortems(&admin, today).await.unwrap()), ["INC-1", "INC-2"]);
    assert_eq!(incidents_of(&store.overdue_draft_postmortems(&outsider, today).await.unwrap()), ["INC-2"]);
}

async fn open_incidents_i_respond_to_leave_out_resolved_and_others(store: Store) {
    let admin = admin(&store).await;
    let ana = person(&store, "ana", Role::Viewer).await;
    let me = |role| vec![Responder { username: "ana".into(), role }];
    let at = datetime!(2026-01-10 10:00 UTC);
    let secret =
        NewIncident { responders: me(ResponderRole::Scribe), severity: sev(1), ..private_incident("secret, mine") };
    let resolved = NewIncident {
        responders: me(ResponderRole::Responder),
        status: IncidentStatus::Resolved,
        started_at: Some(at),
        resolved_at: Some(at + Duration::hours(1)),
        ..incident("resolved")
    };
    store.create_incident(&admin, secret).await.unwrap();
    store.create_incident(&admin, resolved).await.unwrap();
    store.create_incident(&admin, incident("not mine")).await.unwrap();
    let both = vec![
        Responder { username: "ana".into(), role: ResponderRole::IncidentCommander },
        Responder { username: "ana".into(), role: ResponderRole::Scribe },
    ];
    store.create_incident(&admin, NewIncident { responders: both, ..incident("mine twice") }).await.unwrap();
    let open = store.open_incidents_i_respond_to(&ana).await.unwrap();
    let seen: Vec<(&str, &str, ResponderRole)> =
        open.iter().map(|i| (i.handle.as_str(), i.title.as_str(), i.role)).collect();
    assert_eq!(
        seen,
        [("INC-1", "secret, mine", ResponderRole::Scribe), ("INC-4", "mine twice", ResponderRole::IncidentCommander)]
    );
    assert!(open[0].private);
}

on_both_databases!(
    assigned_items_are_mine_and_my_teams_unowned_ones,
    items_by_due_date_lead_with_the_earliest_and_end_with_undated,
    action_items_are_filtered_by_service,
    item_counts_by_status_leave_out_what_the_viewer_cannot_see,
    my_unpublished_postmortems_are_my_drafts_and_reviews,
    postmortems_to_review_are_others_in_review_on_my_teams_incidents,
    overdue_drafts_are_visible_drafts_due_before_today,
    open_incidents_i_respond_to_leave_out_resolved_and_others,
);
