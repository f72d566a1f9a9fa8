//! Contributing factors tagged on post-mortems and counted over a period; post-mortem
//! coverage of the incidents the policy required one for; action items closed by their due
//! dates, by team. Each counts only what the viewer may see.

use crate::common::{action_item, admin, incident_at, listed, note, person};
use hindsight_core::access::Viewer;
use hindsight_core::analysis::Necessity;
use hindsight_core::{ActionItemStatus, IncidentStatus, NewActionItem, NewPostmortem, Period, PostmortemStatus, Role};
use hindsight_store::{IncidentFilter, Store, StoreError};
use time::macros::date;
use time::{Date, OffsetDateTime};

fn day(n: u8) -> OffsetDateTime {
    Date::from_calendar_date(2026, time::Month::November, n).unwrap().midnight().assume_utc()
}

/// The ten days of November 11 to 20, 2026; the period before is November 1 to 10.
fn period() -> Period {
    Period::new(Some(date!(2026 - 11 - 11)), Some(date!(2026 - 11 - 20)), date!(2026 - 12 - 01)).unwrap()
}

/// An incident that began on day `n` of November 2026, and its post-mortem's id.
async fn with_postmortem(store: &Store, viewer: &Viewer, n: u8, private: bool) -> (i64, String) {
    let mut new = incident_at(&format!("Incident of day {n}"), day(n));
    new.private = private;
    let number = store.create_incident(viewer, new).await.unwrap().number;
    let pm = store.create_postmortem(viewer, number, NewPostmortem::default()).await.unwrap();
    (number, pm.id)
}

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|k| (*k).to_string()).collect()
}

async fn factors_are_tagged_and_counted_against_the_period_before(store: Store) {
    let admin = admin(&store).await;
    let (_, a_pm) = with_postmortem(&store, &admin, 12, false).await;
    let (_, b_pm) = with_postmortem(&store, &admin, 15, false).await;
    let (_, before_pm) = with_postmortem(&store, &admin, 5, false).await;
    let (_, hidden_pm) = with_postmortem(&store, &admin, 13, true).await;
    with_postmortem(&store, &admin, 16, false).await;
    for (id, factors) in [
        (&a_pm, &["testing", "change"][..]),
        (&b_pm, &["change"]),
        (&before_pm, &["change", "capacity"]),
        (&hidden_pm, &["change"]),
    ] {
        assert!(store.set_postmortem_factors(&admin, id, &keys(factors), &note()).await.unwrap());
    }
    assert_eq!(store.postmortem_factors(&admin, &a_pm).await.unwrap(), keys(&["change", "testing"]));
    // The same set again changes nothing, and says so.
    assert!(!store.set_postmortem_factors(&admin, &a_pm, &keys(&["change", "testing"]), &note()).await.unwrap());

    let member = person(&store, "mia", Role::Editor).await;
    let tally = store.factor_tally(&member, period(), &IncidentFilter::default()).await.unwrap();
    let mut counts = tally.counts.clone();
    counts.sort();
    assert_eq!(
        counts,
        [("capacity".to_string(), 0, 1), ("change".to_string(), 2, 1), ("testing".to_string(), 1, 0)],
        "the private incident counts only for those who see it"
    );
    assert_eq!((tally.postmortems, tally.tagged), (3, 2));
    let all = store.factor_tally(&admin, period(), &IncidentFilter::default()).await.unwrap();
    assert!(all.counts.contains(&("change".to_string(), 3, 1)), "{all:?}");
    // The incident list's filters narrow what is counted; its times are the period's.
    let severity = |level| IncidentFilter {
        severity: hindsight_core::Severity::new(level),
        since: Some(day(30)),
        ..IncidentFilter::default()
    };
    assert_eq!(store.factor_tally(&admin, period(), &severity(3)).await.unwrap(), all);
    let none = store.factor_tally(&admin, period(), &severity(1)).await.unwrap();
    assert!(none.counts.is_empty() && none.postmortems == 0, "{none:?}");

    // The incident list filters on a factor.
    let filter = IncidentFilter { factor: Some("testing".into()), ..IncidentFilter::default() };
    assert_eq!(listed(&store, &member, filter).await, ["Incident of day 12"]);

    // Nothing of a post-mortem the viewer cannot see, read or written.
    assert!(store.postmortem_factors(&member, &hidden_pm).await.unwrap().is_empty());
    let refused = store.set_postmortem_factors(&member, &hidden_pm, &keys(&["data"]), &note()).await;
    assert!(matches!(refused, Err(StoreError::NotFound(_))), "{refused:?}");
    // Untagging all of them.
    assert!(store.set_postmortem_factors(&admin, &a_pm, &[], &note()).await.unwrap());
    assert!(store.postmortem_factors(&admin, &a_pm).await.unwrap().is_empty());
}

on_both_databases!(factors_are_tagged_and_counted_against_the_period_before);

async fn coverage_reads_the_required_incidents_of_the_period(store: Store) {
    let admin = admin(&store).await;
    let resolved = |n: u8, private: bool| {
        let mut new = incident_at(&format!("Resolved on day {n}"), day(n));
        new.status = IncidentStatus::Resolved;
        new.resolved_at = Some(day(n) + time::Duration::hours(2));
        new.private = private;
        new
    };
    let published = store.create_incident(&admin, resolved(12, false)).await.unwrap().number;
    let due = Some(date!(2026 - 11 - 20));
    let pm = store.create_postmortem(&admin, published, NewPostmortem { due_date: due, ..Default::default() });
    let pm = pm.await.unwrap();
    let pm = store.set_postmortem_status(&admin, &pm.id, pm.version, PostmortemStatus::InReview).await.unwrap();
    store.set_postmortem_status(&admin, &pm.id, pm.version, PostmortemStatus::Published).await.unwrap();
    let missing = store.create_incident(&admin, resolved(14, false)).await.unwrap().number;
    let recommended = store.create_incident(&admin, resolved(15, false)).await.unwrap().number;
    let hidden = store.create_incident(&admin, resolved(16, true)).await.unwrap().number;
    let before = store.create_incident(&admin, resolved(3, false)).await.unwrap().number;
    store.create_incident(&admin, resolved(17, false)).await.unwrap();
    for (number, necessity) in [
        (published, Necessity::Required),
        (missing, Necessity::Required),
        (recommended, Necessity::Recommended),
        (hidden, Necessity::Required),
        (before, Necessity::Required),
    ] {
        store.record_policy_necessity(number, necessity).await.unwrap();
    }
    // A decision taken again replaces the first.
    store.record_policy_necessity(missing, Necessity::Required).await.unwrap();

    let member = person(&store, "mia", Role::Editor).await;
    let (mut rows, undecided) = store.required_incidents(&member, period(), &IncidentFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(undecided, 1, "the incident of day 17 has no decision kept");
    rows.sort_by_key(|r| r.postmortem.is_none());
    assert_eq!(rows[0].postmortem, Some(PostmortemStatus::Published));
    assert_eq!(rows[0].due_date, due);
    assert!(rows[0].published_at.is_some());
    assert_eq!(rows[0].resolved_at, Some(day(12) + time::Duration::hours(2)));
    assert_eq!((rows[1].postmortem, rows[1].due_date), (None, None));
    assert_eq!(store.required_incidents(&admin, period(), &IncidentFilter::default()).await.unwrap().0.len(), 3);

    // The decided ones are no longer offered to be decided; the undecided one is.
    let undecided = store.undecided_incidents(0, 100).await.unwrap();
    assert_eq!(undecided.len(), 1);
    assert!(store.undecided_incidents(undecided[0], 100).await.unwrap().is_empty());
}

on_both_databases!(coverage_reads_the_required_incidents_of_the_period);

async fn action_items_due_in_the_period_are_counted_by_team(store: Store) {
    let admin = admin(&store).await;
    store.create_team("payments", "Payments", &note()).await.unwrap();
    let seen = store.create_incident(&admin, incident_at("Seen", day(2))).await.unwrap().number;
    let mut private = incident_at("Hidden", day(2));
    private.private = true;
    let hidden = store.create_incident(&admin, private).await.unwrap().number;
    let item = |title: &str, due: Date, closed: Option<OffsetDateTime>, team: bool| NewActionItem {
        owner_team: team.then(|| "payments".to_string()),
        due_date: Some(due),
        status: if closed.is_some() { ActionItemStatus::Done } else { ActionItemStatus::Open },
        closed_at: closed,
        ..action_item(title)
    };
    for (number, new) in [
        (seen, item("On time", date!(2026 - 11 - 12), Some(day(12) + time::Duration::hours(23)), true)),
        (seen, item("Late", date!(2026 - 11 - 12), Some(day(13)), true)),
        (seen, item("Overdue", date!(2026 - 11 - 13), None, true)),
        (seen, item("Not yet due", date!(2026 - 11 - 20), None, true)),
        (seen, item("No team", date!(2026 - 11 - 14), None, false)),
        (seen, item("Due before the period", date!(2026 - 11 - 10), None, true)),
        (hidden, item("Hidden", date!(2026 - 11 - 12), None, true)),
    ] {
        store.create_action_item(&admin, number, new).await.unwrap();
    }
    let member = person(&store, "mia", Role::Editor).await;
    let rows =
        store.action_items_on_time(&member, period(), date!(2026 - 11 - 15), &IncidentFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let payments = &rows[0];
    assert_eq!(payments.team, "payments");
    assert_eq!(
        (payments.due, payments.closed_on_time, payments.closed_late, payments.open_overdue, payments.open_not_yet_due),
        (4, 1, 1, 1, 1)
    );
    assert_eq!((rows[1].team.as_str(), rows[1].due, rows[1].open_overdue), ("", 1, 1));
    let all =
        store.action_items_on_time(&admin, period(), date!(2026 - 11 - 15), &IncidentFilter::default()).await.unwrap();
    assert_eq!(all[0].due, 5);
}

on_both_databases!(action_items_due_in_the_period_are_counted_by_team);

async fn a_postmortem_covers_related_incidents_without_their_own(store: Store) {
    let admin = admin(&store).await;
    let (own, pm) = with_postmortem(&store, &admin, 12, false).await;
    let (with_own, other_pm) = with_postmortem(&store, &admin, 13, false).await;
    let related = store.create_incident(&admin, incident_at("Aftershock", day(14))).await.unwrap().number;
    let earlier = store.create_incident(&admin, incident_at("Early sign", day(11))).await.unwrap().number;
    let mut private = incident_at("Hidden aftershock", day(15));
    private.private = true;
    let hidden = store.create_incident(&admin, private).await.unwrap().number;
    for number in [related, earlier, hidden] {
        assert!(store.cover_incident(&admin, &pm, number, &note()).await.unwrap());
    }
    assert!(!store.cover_incident(&admin, &pm, related, &note()).await.unwrap(), "covered already: no change");
    let member = person(&store, "mia", Role::Editor).await;
    let covered = store.covered_incidents(&member, &pm).await.unwrap();
    let handles: Vec<&str> = covered.iter().map(|c| c.handle.as_str()).collect();
    assert_eq!(
        handles,
        [format!("INC-{earlier}"), format!("INC-{related}")],
        "earliest first, the hidden one left out"
    );
    assert_eq!(covered[0].added_by.as_deref(), Some("admin"));
    let by = store.covered_by(&member, related).await.unwrap().unwrap();
    assert_eq!((by.postmortem.as_str(), by.incident.clone()), (pm.as_str(), format!("INC-{own}")));
    assert!(store.covered_by(&member, hidden).await.unwrap().is_none());
    assert!(store.covered_by(&member, own).await.unwrap().is_none());

    // Refused, each named: its own incident, one with a post-mortem, one covered elsewhere,
    // one the viewer cannot see; and a covered incident cannot start a post-mortem of its own.
    for (on, number, says) in [
        (&pm, own, "own incident"),
        (&pm, with_own, "a post-mortem of its own"),
        (&other_pm, related, "covered by"),
        (&pm, hidden + 100, "no incident"),
    ] {
        let refused = store.cover_incident(&member, on, number, &note()).await;
        let Err(StoreError::Invalid(errors)) = refused else { panic!("{refused:?}") };
        assert!(errors.to_string().contains(says), "{errors}");
    }
    let refused = store.cover_incident(&member, &pm, hidden, &note()).await;
    assert!(matches!(refused, Err(StoreError::Invalid(_))), "{refused:?}");
    let started = store.create_postmortem(&admin, related, NewPostmortem::default()).await;
    let Err(StoreError::Invalid(errors)) = started else { panic!("{started:?}") };
    assert!(errors.to_string().contains(&format!("covered by INC-{own}'s post-mortem")), "{errors}");

    // Coverage counts a covered incident by the post-mortem that covers it.
    let mut resolved = incident_at("Resolved aftershock", day(16));
    resolved.status = IncidentStatus::Resolved;
    let resolved = store.create_incident(&admin, resolved).await.unwrap().number;
    store.record_policy_necessity(resolved, Necessity::Required).await.unwrap();
    store.cover_incident(&admin, &pm, resolved, &note()).await.unwrap();
    let (rows, _) = store.required_incidents(&admin, period(), &IncidentFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].postmortem, Some(PostmortemStatus::Draft));

    // Taken off, it may have its own again.
    assert!(store.uncover_incident(&member, &pm, related, &note()).await.unwrap());
    assert!(!store.uncover_incident(&member, &pm, related, &note()).await.unwrap());
    store.create_postmortem(&admin, related, NewPostmortem::default()).await.unwrap();
}

on_both_databases!(a_postmortem_covers_related_incidents_without_their_own);
