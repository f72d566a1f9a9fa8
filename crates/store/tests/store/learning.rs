//! Learning across incidents: hotspots over a period against the one before, whether fixes
//! held, and the ledger of unknown causes with its leads; each counting only what the viewer
//! may see.

use crate::common::{action_item, admin, imported, incident_at, note, person};
use hindsight_core::access::Viewer;
use hindsight_core::{
    ActionItemStatus, Certainty, LinkReason, NewActionItem, NewFinding, NewPostmortem, Period, PostmortemStatus, Role,
    Sections,
};
use hindsight_store::{IncidentFilter, Store, StoreError};
use time::macros::date;
use time::{Date, OffsetDateTime};

fn day(n: u8) -> OffsetDateTime {
    Date::from_calendar_date(2026, time::Month::November, n).unwrap().midnight().assume_utc()
}

/// Declares an incident that began on day `n` of November 2026.
async fn on_day(store: &Store, viewer: &Viewer, n: u8, private: bool) -> i64 {
    let mut new = incident_at(&format!("Incident of day {n}"), day(n));
    new.private = private;
    store.create_incident(viewer, new).await.unwrap().number
}

/// Writes incident `number`'s post-mortem with `sections`, published when `publish`.
async fn postmortem(store: &Store, viewer: &Viewer, number: i64, sections: Sections, publish: bool) {
    let written =
        store.create_postmortem(viewer, number, NewPostmortem { sections, ..Default::default() }).await.unwrap();
    if publish {
        let review = store.set_postmortem_status(viewer, &written.id, written.version, PostmortemStatus::InReview);
        let review = review.await.unwrap();
        store.set_postmortem_status(viewer, &review.id, review.version, PostmortemStatus::Published).await.unwrap();
    }
}

fn cause(component: &str) -> Sections {
    let mut sections = Sections::default();
    sections.root_cause.component = component.into();
    sections.root_cause.certainty = Certainty::Confirmed;
    sections.root_cause.description = format!("{component} gave way");
    sections
}

async fn hotspots_rank_components_and_services_against_the_period_before(store: Store) {
    let admin = admin(&store).await;
    store.create_service("checkout", "Checkout", None, &note()).await.unwrap();
    let period = Period::new(Some(date!(2026 - 11 - 11)), Some(date!(2026 - 11 - 20)), date!(2026 - 12 - 01)).unwrap();
    // Two in the period and one before for the pool; one in the period for the cache.
    for (n, component, legacy, minutes) in [
        (12, "DB-pool", true, Some(30)),
        (15, "db-pool", false, None),
        (5, "db-pool", false, Some(99)),
        (18, "cache", false, Some(200)),
    ] {
        let number = on_day(&store, &admin, n, false).await;
        let mut sections = cause(component);
        sections.root_cause.legacy_code = Some(legacy);
        sections.root_cause.must_fix = Some(n == 12);
        sections.impact.access_lost_minutes = minutes;
        postmortem(&store, &admin, number, sections, false).await;
        if n == 12 {
            store.create_action_item(&admin, number, action_item("Cap the pool")).await.unwrap();
            let done = NewActionItem { status: ActionItemStatus::Done, ..action_item("Alert on waits") };
            store.create_action_item(&admin, number, done).await.unwrap();
        }
    }
    // A private incident in the period counts only for those who may see it.
    let hidden = on_day(&store, &admin, 13, true).await;
    postmortem(&store, &admin, hidden, cause("secret-store"), false).await;
    let mut on_checkout = incident_at("Checkout slow", day(14));
    on_checkout.services = vec!["checkout".into()];
    store.create_incident(&admin, on_checkout).await.unwrap();
    // Out of both periods.
    let late = on_day(&store, &admin, 25, false).await;
    postmortem(&store, &admin, late, cause("cache"), false).await;

    let member = person(&store, "mia", Role::Editor).await;
    let (components, services) = store.hotspots(&member, period, &IncidentFilter::default()).await.unwrap();
    let names: Vec<&str> = components.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["db-pool", "cache"], "{components:#?}");
    let pool = &components[0];
    assert_eq!((pool.incidents, pool.previous_incidents, pool.change()), (2, 1, 1));
    assert_eq!((pool.impact_minutes, pool.legacy, pool.open_must_fix), (30, 1, 1), "{pool:#?}");
    assert_eq!((components[1].incidents, components[1].impact_minutes), (1, 200));
    assert_eq!(services.len(), 1);
    assert_eq!((services[0].name.as_str(), services[0].incidents), ("checkout", 1));
    let (seen, _) = store.hotspots(&admin, period, &IncidentFilter::default()).await.unwrap();
    assert!(seen.iter().any(|h| h.name == "secret-store"), "{seen:#?}");
}

on_both_databases!(hotspots_rank_components_and_services_against_the_period_before);

/// Closes every item of incident `number`, the last on `closed`.
async fn fixed(store: &Store, viewer: &Viewer, number: i64, closed: OffsetDateTime) -> String {
    let done = NewActionItem { status: ActionItemStatus::Done, closed_at: Some(closed), ..action_item("Fix it") };
    let wont = NewActionItem {
        status: ActionItemStatus::WontDo,
        closed_at: Some(closed - time::Duration::days(1)),
        ..action_item("Rewrite it")
    };
    store.create_action_item(viewer, number, wont).await.unwrap();
    store.create_action_item(viewer, number, done).await.unwrap().id
}

async fn a_fix_that_did_not_hold_names_the_first_incident_back(store: Store) {
    let admin = admin(&store).await;
    let first = on_day(&store, &admin, 1, false).await;
    postmortem(&store, &admin, first, cause("DB-pool"), true).await;
    let item = fixed(&store, &admin, first, day(3)).await;
    // Before the fix: not a return.
    let before = on_day(&store, &admin, 2, false).await;
    postmortem(&store, &admin, before, cause("db-pool"), false).await;
    // After: the same component, then a confirmed recurrence with no post-mortem yet.
    let back = on_day(&store, &admin, 10, false).await;
    postmortem(&store, &admin, back, cause("db-pool"), false).await;
    let recurred = on_day(&store, &admin, 20, false).await;
    store.set_recurrence(&admin, recurred, first, &note()).await.unwrap();
    // A fix that held, and a cause with an item still open.
    let held = on_day(&store, &admin, 4, false).await;
    postmortem(&store, &admin, held, cause("cache"), true).await;
    fixed(&store, &admin, held, day(6)).await;
    let open = on_day(&store, &admin, 7, false).await;
    postmortem(&store, &admin, open, cause("queue"), true).await;
    fixed(&store, &admin, open, day(8)).await;
    store.create_action_item(&admin, open, action_item("Still to do")).await.unwrap();
    // A private return counts only for those who see it.
    let hidden = on_day(&store, &admin, 9, true).await;
    postmortem(&store, &admin, hidden, cause("cache"), false).await;

    let november =
        Period::new(Some(date!(2026 - 11 - 01)), Some(date!(2026 - 11 - 30)), date!(2026 - 12 - 01)).unwrap();
    let member = person(&store, "mia", Role::Editor).await;
    let outcomes = store.fix_outcomes(&member, november).await.unwrap();
    let incidents: Vec<String> = outcomes.iter().map(|o| o.incident.clone()).collect();
    assert_eq!(incidents, [format!("INC-{held}"), format!("INC-{first}")], "{outcomes:#?}");
    let pool = &outcomes[1];
    assert_eq!((pool.component.as_str(), pool.action_items, pool.returns), ("db-pool", 2, 2), "{pool:#?}");
    assert_eq!(pool.fixed_at, day(3));
    let came_back = pool.came_back.as_ref().unwrap();
    assert_eq!((came_back.handle.clone(), came_back.reason), (format!("INC-{back}"), LinkReason::Component));
    assert_eq!(pool.days_to_return(), Some(7));
    assert_eq!(outcomes[0].came_back, None, "{outcomes:#?}");
    // The admin sees the private incident come back.
    let seen = store.fix_outcomes(&admin, november).await.unwrap();
    assert_eq!(seen[0].came_back.as_ref().map(|b| b.handle.clone()), Some(format!("INC-{hidden}")));
    // A period before the fixes has none.
    let october = Period::new(Some(date!(2026 - 10 - 01)), Some(date!(2026 - 10 - 31)), date!(2026 - 12 - 01)).unwrap();
    assert!(store.fix_outcomes(&admin, october).await.unwrap().is_empty());

    // On the item: what came back since it closed.
    let since = store.incidents_since_fix(&member, &item).await.unwrap();
    let since: Vec<(String, LinkReason)> = since.into_iter().map(|l| (l.handle, l.reason)).collect();
    assert_eq!(
        since,
        [(format!("INC-{back}"), LinkReason::Component), (format!("INC-{recurred}"), LinkReason::Recurrence)]
    );
    let open_item = store.create_action_item(&admin, first, action_item("Reopened work")).await.unwrap();
    assert!(store.incidents_since_fix(&member, &open_item.id).await.unwrap().is_empty(), "an open item has no since");
}

on_both_databases!(a_fix_that_did_not_hold_names_the_first_incident_back);

async fn closing_an_item_records_when_and_reopening_forgets_it(store: Store) {
    let admin = admin(&store).await;
    let number = on_day(&store, &admin, 1, false).await;
    postmortem(&store, &admin, number, cause("db-pool"), false).await;
    let item = store.create_action_item(&admin, number, action_item("Fix it")).await.unwrap();
    let all_time =
        Period::new(Some(date!(2020 - 01 - 01)), Some(date!(2029 - 12 - 31)), date!(2026 - 12 - 01)).unwrap();
    assert!(store.fix_outcomes(&admin, all_time).await.unwrap().is_empty());
    let patch =
        |version, status| hindsight_core::ActionItemPatch { version, status: Some(status), ..Default::default() };
    let done = store.update_action_item(&admin, &item.id, patch(item.version, ActionItemStatus::Done)).await.unwrap();
    let fixes = store.fix_outcomes(&admin, all_time).await.unwrap();
    assert_eq!(fixes.len(), 1);
    assert_eq!(done.closed_at, Some(fixes[0].fixed_at));
    let closed = fixes[0].fixed_at;
    assert!((OffsetDateTime::now_utc() - closed).whole_minutes() < 5, "{closed}");
    // Done to won't do keeps when it closed; reopening takes the fix back.
    let wont = store.update_action_item(&admin, &item.id, patch(done.version, ActionItemStatus::WontDo)).await.unwrap();
    assert_eq!(store.fix_outcomes(&admin, all_time).await.unwrap().len(), 0, "won't do alone is not a fix");
    assert_eq!(wont.closed_at, done.closed_at, "{wont:?}");
    let again = store.update_action_item(&admin, &item.id, patch(wont.version, ActionItemStatus::Open)).await.unwrap();
    assert_eq!(again.closed_at, None);
    let done = store.update_action_item(&admin, &item.id, patch(again.version, ActionItemStatus::Done)).await.unwrap();
    assert_eq!(done.status, ActionItemStatus::Done);
    assert!(store.fix_outcomes(&admin, all_time).await.unwrap()[0].fixed_at >= closed);
    // A closing time in the future, or on an open item, is refused.
    let future = NewActionItem {
        status: ActionItemStatus::Done,
        closed_at: Some(OffsetDateTime::now_utc() + time::Duration::days(2)),
        ..action_item("Later")
    };
    assert!(matches!(store.create_action_item(&admin, number, future).await, Err(StoreError::Invalid(_))));
    let open = NewActionItem { closed_at: Some(day(2)), ..action_item("Open") };
    assert!(matches!(store.create_action_item(&admin, number, open).await, Err(StoreError::Invalid(_))));
}

on_both_databases!(closing_an_item_records_when_and_reopening_forgets_it);

fn unknown(component: &str, clues: &str) -> Sections {
    let mut sections = Sections::default();
    sections.root_cause.component = component.into();
    sections.root_cause.certainty = Certainty::Unknown;
    sections.root_cause.clues = clues.into();
    sections
}

fn alert(at: OffsetDateTime, external_id: &str, fingerprint: &str) -> hindsight_store::ImportedEvent {
    let mut event = imported(at, "alertmanager", external_id);
    event.correlation = Some(format!("{{\"c\":{{\"fingerprint\":\"{fingerprint}\"}}}}"));
    event
}

async fn unknown_causes_stay_open_with_their_leads_until_found(store: Store) {
    let admin = admin(&store).await;
    let earlier = on_day(&store, &admin, 1, false).await;
    postmortem(&store, &admin, earlier, cause("scheduler"), false).await;
    let entry = on_day(&store, &admin, 3, false).await;
    postmortem(&store, &admin, entry, unknown("Scheduler", "Jobs stalled at 02:00 each night"), true).await;
    store.import_events(&admin, entry, &[alert(day(3), "a1", "jobs-stalled")], &[]).await.unwrap();
    // A draft's cause is not yet known to be unknown: not in the ledger.
    let draft = on_day(&store, &admin, 4, false).await;
    postmortem(&store, &admin, draft, unknown("", ""), false).await;
    let suspected = on_day(&store, &admin, 5, false).await;
    let mut probable = unknown("", "A disk filled?");
    probable.root_cause.certainty = Certainty::Probable;
    postmortem(&store, &admin, suspected, probable, true).await;
    // Leads: a later incident in the same component, one with the same alert, one private.
    let same_component = on_day(&store, &admin, 8, false).await;
    postmortem(&store, &admin, same_component, cause("scheduler"), false).await;
    let same_alert = on_day(&store, &admin, 9, false).await;
    store.import_events(&admin, same_alert, &[alert(day(9), "b1", "jobs-stalled")], &[]).await.unwrap();
    let hidden = on_day(&store, &admin, 10, true).await;
    store.import_events(&admin, hidden, &[alert(day(10), "c1", "jobs-stalled")], &[]).await.unwrap();
    // Before the entry: not a lead.
    store.import_events(&admin, earlier, &[alert(day(1), "d1", "jobs-stalled")], &[]).await.unwrap();

    let member = person(&store, "mia", Role::Editor).await;
    let ledger = store.unknown_causes(&member, None).await.unwrap();
    let entries: Vec<&str> = ledger.iter().map(|u| u.incident.as_str()).collect();
    assert_eq!(entries, [format!("INC-{suspected}"), format!("INC-{entry}")], "{ledger:#?}");
    assert_eq!(ledger[0].certainty, Certainty::Probable);
    let open = &ledger[1];
    assert_eq!((open.component.as_str(), open.clues.as_str()), ("scheduler", "Jobs stalled at 02:00 each night"));
    let leads: Vec<(String, LinkReason)> = open.leads.iter().map(|l| (l.handle.clone(), l.reason)).collect();
    assert_eq!(
        leads,
        [
            (format!("INC-{same_component}"), LinkReason::Component),
            (format!("INC-{same_alert}"), LinkReason::Fingerprint)
        ]
    );
    let seen = store.unknown_causes(&admin, Some(entry)).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].leads.last().map(|l| l.handle.clone()), Some(format!("INC-{hidden}")));

    // The lead's own page offers the open cause it may explain.
    let explains = store.open_causes_explained_by(&member, same_alert).await.unwrap();
    assert_eq!(explains.len(), 1, "{explains:#?}");
    assert_eq!((explains[0].incident.clone(), explains[0].reason), (format!("INC-{entry}"), LinkReason::Fingerprint));
    let explains = store.open_causes_explained_by(&member, same_component).await.unwrap();
    assert_eq!(explains[0].reason, LinkReason::Component);
    assert!(
        store.open_causes_explained_by(&member, earlier).await.unwrap().is_empty(),
        "an earlier incident explains none"
    );

    // Closing the entry records what was found, and where.
    let found = NewFinding {
        found: "A cron job on the old scheduler host".into(),
        found_in: Some(format!("INC-{same_alert}")),
    };
    let finding = store.close_unknown_cause(&member, entry, &found, &note()).await.unwrap();
    assert_eq!(finding.found_in, Some(format!("INC-{same_alert}")));
    assert_eq!(finding.closed_by.as_deref(), Some("mia"));
    assert_eq!(store.finding(&member, entry).await.unwrap(), Some(finding));
    assert_eq!(store.unknown_causes(&member, None).await.unwrap().len(), 1);
    assert!(store.open_causes_explained_by(&member, same_alert).await.unwrap().is_empty());
    // Refused: a confirmed cause, the incident itself, an incident the viewer cannot see.
    let refused = store.close_unknown_cause(&member, same_component, &found, &note()).await;
    assert!(matches!(refused, Err(StoreError::Invalid(_))), "{refused:?}");
    let itself = NewFinding { found: "x".into(), found_in: Some(format!("INC-{suspected}")) };
    assert!(matches!(
        store.close_unknown_cause(&member, suspected, &itself, &note()).await,
        Err(StoreError::Invalid(_))
    ));
    let unseen = NewFinding { found: "x".into(), found_in: Some(format!("INC-{hidden}")) };
    assert!(matches!(
        store.close_unknown_cause(&member, suspected, &unseen, &note()).await,
        Err(StoreError::Invalid(_))
    ));
    // Reopening puts it back.
    assert!(store.reopen_unknown_cause(&member, entry, &note()).await.unwrap());
    assert!(!store.reopen_unknown_cause(&member, entry, &note()).await.unwrap());
    assert_eq!(store.unknown_causes(&member, None).await.unwrap().len(), 2);
    assert_eq!(store.finding(&member, entry).await.unwrap(), None);
}

on_both_databases!(unknown_causes_stay_open_with_their_leads_until_found);
