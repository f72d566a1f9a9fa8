//! Loads the demo organisation described by the hindsight-demo crate into a store,
//! so `hindsight demo` opens on months of believable history.
//!
//! It goes through the store's public API only, the same checks any client
//! meets, and post-mortems reach their status by legal moves. It never writes to
//! a store that already has users: a second `hindsight demo` reuses the database
//! it made the first time. It is not an importer for real data.

use std::collections::HashMap;

use anyhow::{Context, anyhow};
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use hindsight_core::access::{UserId, Viewer};
use hindsight_core::{PostmortemStatus, Role};
use hindsight_demo::{DemoData, DemoIncident, demo_data};
use hindsight_store::{AuditNote, IncidentFilter, NewUser, Store};
use time::OffsetDateTime;

/// Every demo user's password.
pub const DEMO_PASSWORD: &str = "demo-password";

/// What loading the demo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub users: usize,
    pub incidents: usize,
    /// The store already had users, so nothing was written.
    pub reused: bool,
}

/// Loads the demo into an empty, migrated store; leaves a store that has users as it is.
pub async fn load_demo(store: &Store) -> anyhow::Result<DemoSummary> {
    let users = store.count_users().await.context("counting users")?;
    if users > 0 {
        let incidents = store
            .count_incidents(&counting_viewer(), &IncidentFilter::default())
            .await
            .context("counting incidents")?;
        return Ok(DemoSummary { users: users as usize, incidents: incidents as usize, reused: true });
    }
    let data = demo_data(OffsetDateTime::now_utc());
    let password_hash = hash_demo_password().await?;
    let viewers = create_accounts(store, &data, &password_hash).await?;
    let reviewer = data
        .users
        .iter()
        .find(|u| u.role == Role::Admin)
        .and_then(|u| viewers.get(&u.username))
        .ok_or_else(|| anyhow!("the demo data has no admin to publish post-mortems"))?;
    let mut numbers = HashMap::new();
    for demo in &data.incidents {
        let number = load_incident(store, &viewers, reviewer, demo).await.with_context(|| {
            format!(
                "loading demo incident {:?}; the demo database is now incomplete, delete it and run again",
                demo.incident.title
            )
        })?;
        numbers.insert(demo.incident.title.clone(), number);
    }
    for recurrence in &data.recurrences {
        let number = |title: &str| {
            numbers.get(title).copied().ok_or_else(|| anyhow!("the demo data names no incident {title:?}"))
        };
        let by = viewer_named(&viewers, &recurrence.confirmed_by)?;
        let (incident, recurs) = (number(&recurrence.incident)?, number(&recurrence.recurs)?);
        let subject = format!("INC-{incident} recurs INC-{recurs}");
        let note = AuditNote::new(
            &recurrence.confirmed_by,
            "confirmed recurrence",
            subject,
            serde_json::json!({ "via": "demo" }),
        );
        store
            .set_recurrence(by, incident, recurs, &note)
            .await
            .with_context(|| format!("confirming that {:?} recurs {:?}", recurrence.incident, recurrence.recurs))?;
    }
    for cover in &data.covers {
        let number = |title: &str| {
            numbers.get(title).copied().ok_or_else(|| anyhow!("the demo data names no incident {title:?}"))
        };
        let by = viewer_named(&viewers, &cover.added_by)?;
        let (incident, covering) = (number(&cover.incident)?, number(&cover.covered_by)?);
        let postmortem = store.postmortem_of_incident(by, covering).await?;
        let note = AuditNote::new(
            &cover.added_by,
            "added an incident to a post-mortem",
            format!("INC-{covering}'s post-mortem covers INC-{incident}"),
            serde_json::json!({ "via": "demo" }),
        );
        store
            .cover_incident(by, &postmortem.id, incident, &note)
            .await
            .with_context(|| format!("covering {:?} by {:?}'s post-mortem", cover.incident, cover.covered_by))?;
    }
    // What the policy decided as each incident resolved, for post-mortem coverage.
    hindsight_app::analysis::decide_past_incidents(store, &hindsight_app::Rules::default(), |_| {})
        .await
        .context("deciding which demo incidents need a post-mortem")?;
    Ok(DemoSummary { users: data.users.len(), incidents: data.incidents.len(), reused: false })
}

/// An identity that sees every incident, used only to count them for the summary.
fn counting_viewer() -> Viewer {
    Viewer::operator()
}

/// One argon2id hash of [`DEMO_PASSWORD`], shared by every demo user: hashing once
/// keeps the demo quick to start without weakening the parameters.
async fn hash_demo_password() -> anyhow::Result<String> {
    tokio::task::spawn_blocking(|| {
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default());
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2
            .hash_password(DEMO_PASSWORD.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow!("hashing the demo password: {e}"))
    })
    .await
    .context("hashing the demo password")?
}

/// Creates users, teams and services; answers each user's identity by username.
async fn create_accounts(
    store: &Store,
    data: &DemoData,
    password_hash: &str,
) -> anyhow::Result<HashMap<String, Viewer>> {
    let mut viewers = HashMap::new();
    for user in &data.users {
        let created = store
            .create_user(
                NewUser {
                    username: user.username.clone(),
                    display_name: user.display_name.clone(),
                    email: Some(user.email.clone()),
                    role: user.role,
                    password_hash: Some(password_hash.to_string()),
                },
                &demo_note(format!("created demo user with role {}", user.role), &user.username),
            )
            .await
            .with_context(|| format!("creating demo user {:?}", user.username))?;
        viewers.insert(
            created.username.clone(),
            Viewer { user_id: Some(UserId::new(created.id)), username: created.username, role: created.role },
        );
    }
    for team in &data.teams {
        store
            .create_team(&team.slug, &team.name, &demo_note("created demo team", &team.slug))
            .await
            .with_context(|| format!("creating demo team {:?}", team.slug))?;
        for member in &team.members {
            store
                .add_member(&team.slug, member, &demo_note(format!("added to demo team {}", team.slug), member))
                .await
                .with_context(|| format!("adding {member:?} to demo team {:?}", team.slug))?;
        }
    }
    for service in &data.services {
        store
            .create_service(
                &service.slug,
                &service.name,
                Some(&service.owner_team),
                &demo_note("created demo service", &service.slug),
            )
            .await
            .with_context(|| format!("creating demo service {:?}", service.slug))?;
    }
    Ok(viewers)
}

/// The audit note of what loading the demo creates, attributed to the operator.
fn demo_note(action: impl Into<String>, subject: &str) -> AuditNote {
    AuditNote::new("operator", action, subject, serde_json::json!({ "via": "demo" }))
}

/// Creates one incident with its timeline, action items and post-mortem.
async fn load_incident(
    store: &Store,
    viewers: &HashMap<String, Viewer>,
    reviewer: &Viewer,
    demo: &DemoIncident,
) -> anyhow::Result<i64> {
    let declarer = viewer_named(viewers, &demo.declared_by)?;
    let number = store.create_incident(declarer, demo.incident.clone()).await?.number;
    for event in &demo.timeline {
        store.add_event(declarer, number, event.clone()).await?;
    }
    let mut action_item_ids = Vec::with_capacity(demo.action_items.len());
    for item in &demo.action_items {
        let created = store.create_action_item(declarer, number, item.clone()).await?;
        action_item_ids.push(created.id);
    }
    let Some(postmortem) = &demo.postmortem else {
        return Ok(number);
    };
    let owner = viewer_named(viewers, &postmortem.owner)?;
    let mut current = store.create_postmortem(owner, number, postmortem.new_postmortem(&action_item_ids)).await?;
    if current.status == PostmortemStatus::Draft {
        // As a team sees one it has just started: the first draft from the timeline in the
        // sections its owner has not written yet.
        let actor = hindsight_app::Actor::Person(owner.clone());
        current = hindsight_app::first_draft::write(store, &actor, &current.id, &hindsight_app::Rules::default())
            .await?
            .postmortem;
    }
    if !postmortem.factors.is_empty() {
        let note = demo_note("tagged contributing factors", &current.id);
        store.set_postmortem_factors(owner, &current.id, &postmortem.factors, &note).await?;
    }
    for status in postmortem.status_moves() {
        // The owner asks for review; an admin publishes and archives, as a team would.
        let by = if status == PostmortemStatus::InReview { owner } else { reviewer };
        current = store.set_postmortem_status(by, &current.id, current.version, status).await?;
    }
    if let Some(draft) = &postmortem.public_summary {
        let note = || demo_note("published the demo public summary", &current.id);
        store.put_public_summary(owner, &current.id, draft, &note()).await?;
        if current.status == PostmortemStatus::Published {
            store.publish_public_summary(owner, &current.id, true, &note()).await?;
        }
    }
    Ok(number)
}

fn viewer_named<'a>(viewers: &'a HashMap<String, Viewer>, username: &str) -> anyhow::Result<&'a Viewer> {
    viewers.get(username).ok_or_else(|| anyhow!("the demo data names {username:?}, who is not a demo user"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    use hindsight_core::ActionItemStatus;
    use hindsight_store::{ActionItemFilter, PostmortemFilter, StoreError};

    use super::*;

    async fn empty_store() -> Store {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    async fn viewer(store: &Store, username: &str) -> Viewer {
        store.credentials(username).await.unwrap().unwrap().0
    }

    #[tokio::test]
    async fn demo_fills_an_empty_store() {
        let store = empty_store().await;
        let summary = load_demo(&store).await.unwrap();
        let data = demo_data(OffsetDateTime::now_utc());
        assert!(!summary.reused);
        assert_eq!(summary.users, data.users.len());
        assert_eq!(summary.incidents, data.incidents.len());
        assert_eq!(store.count_users().await.unwrap() as usize, data.users.len());
        assert_eq!(store.list_teams().await.unwrap().len(), data.teams.len());
        assert_eq!(store.list_services().await.unwrap().len(), data.services.len());

        let admin = viewer(&store, "admin").await;
        let all = IncidentFilter::default();
        let incidents = store.count_incidents(&admin, &all).await.unwrap();
        assert_eq!(incidents as usize, data.incidents.len());

        let first = &data.incidents[0];
        let events = store.list_events(&admin, 1, None, 200).await.unwrap();
        assert_eq!(events.items.len(), first.timeline.len());

        let items = store.list_action_items(&admin, &ActionItemFilter::default(), None, 200).await.unwrap();
        let expected: usize = data.incidents.iter().map(|i| i.action_items.len()).sum();
        assert_eq!(items.items.len(), expected);
        let statuses: HashSet<_> = items.items.iter().map(|a| a.status).collect();
        assert_eq!(statuses.len(), ActionItemStatus::ALL.len());

        // The public summaries written for published post-mortems are on the public page.
        let public = store.public_posts(None, 50).await.unwrap();
        let written = data.incidents.iter().filter_map(|i| i.postmortem.as_ref()?.public_summary.as_ref()).count();
        assert!(written > 0);
        assert_eq!(public.len(), written);
    }

    #[tokio::test]
    async fn postmortems_reach_every_status_with_linked_recommendations() {
        let store = empty_store().await;
        load_demo(&store).await.unwrap();
        let data = demo_data(OffsetDateTime::now_utc());
        let admin = viewer(&store, "admin").await;
        for status in PostmortemStatus::ALL {
            let filter = PostmortemFilter { status: Some(*status), ..PostmortemFilter::default() };
            let found = store.list_postmortems(&admin, &filter, None, 200).await.unwrap().items;
            let expected =
                data.incidents.iter().filter(|i| i.postmortem.as_ref().is_some_and(|p| p.status == *status)).count();
            assert!(expected > 0, "{status}");
            assert_eq!(found.len(), expected, "{status}");
            for pm in &found {
                let published = matches!(status, PostmortemStatus::Published | PostmortemStatus::Archived);
                assert_eq!(pm.published_at.is_some(), published, "{}", pm.incident);
                for rec in &pm.sections.recommendations {
                    for id in &rec.action_items {
                        store.action_item(&admin, id).await.unwrap();
                    }
                }
            }
        }
    }

    #[tokio::test]
    async fn the_demo_has_a_fix_that_did_not_hold_and_a_lead_on_an_open_cause() {
        let store = empty_store().await;
        load_demo(&store).await.unwrap();
        let viewer = viewer(&store, "ana.silva").await;
        let number = |title: &str| {
            let data = demo_data(OffsetDateTime::now_utc());
            data.incidents.iter().position(|i| i.incident.title == title).unwrap() as i64 + 1
        };
        let year = hindsight_core::Period::new(None, None, OffsetDateTime::now_utc().date()).unwrap();
        let fixes = store.fix_outcomes(&viewer, year).await.unwrap();
        let stampede = number("Catalog outage from a cache stampede after a Redis restart");
        let again = number("Catalog slow again: cache stampede after the nightly import");
        let fix = fixes.iter().find(|f| f.incident == format!("INC-{stampede}")).unwrap();
        let back = fix.came_back.as_ref().unwrap();
        assert_eq!(back.handle, format!("INC-{again}"));
        assert_eq!(back.reason, hindsight_core::LinkReason::Recurrence);
        let ledger = store.unknown_causes(&viewer, None).await.unwrap();
        let backlog = number("Notification queue backlog delayed emails and SMS");
        let stalled = number("Order update emails delayed by a stalled notifier queue");
        let entry = ledger.iter().find(|u| u.incident == format!("INC-{backlog}")).unwrap();
        assert_eq!(entry.leads[0].handle, format!("INC-{stalled}"), "{entry:#?}");
        let explained = store.open_causes_explained_by(&viewer, stalled).await.unwrap();
        assert_eq!(explained[0].incident, format!("INC-{backlog}"));
    }

    #[tokio::test]
    async fn the_demo_tags_contributing_factors_and_keeps_the_policys_decisions() {
        let store = empty_store().await;
        load_demo(&store).await.unwrap();
        let viewer = viewer(&store, "admin").await;
        let year = hindsight_core::Period::new(None, None, OffsetDateTime::now_utc().date()).unwrap();
        let tally = store.factor_tally(&viewer, year, &hindsight_store::IncidentFilter::default()).await.unwrap();
        let most = tally.counts.iter().max_by_key(|(_, now, _)| *now).unwrap();
        assert_eq!(most.0, "change", "{tally:?}");
        let tagged = demo_data(OffsetDateTime::now_utc()).incidents.iter().filter(|i| i.postmortem.is_some()).count();
        assert_eq!(tally.tagged as usize, tagged);
        let (required, undecided) =
            store.required_incidents(&viewer, year, &hindsight_store::IncidentFilter::default()).await.unwrap();
        assert_eq!(undecided, 0, "every resolved demo incident has the policy's decision");
        assert!(required.iter().any(|r| r.published_at.is_some()), "{required:?}");
        assert!(required.iter().any(|r| r.published_at.is_none()), "{required:?}");
        // The failover's post-mortem covers the retries that stalled after it.
        let data = demo_data(OffsetDateTime::now_utc());
        let number =
            |title: &str| data.incidents.iter().position(|i| i.incident.title.starts_with(title)).unwrap() as i64 + 1;
        let failover = number("Checkout read-only after a payments database failover");
        let retries = number("Saved-cart retries stalled");
        let covering = store.covered_by(&viewer, retries).await.unwrap().unwrap();
        assert_eq!(covering.incident, format!("INC-{failover}"));
    }

    #[tokio::test]
    async fn draft_postmortems_hold_the_first_draft_in_the_sections_left_empty() {
        let store = empty_store().await;
        load_demo(&store).await.unwrap();
        let data = demo_data(OffsetDateTime::now_utc());
        let admin = viewer(&store, "admin").await;
        let filter = PostmortemFilter { status: Some(PostmortemStatus::Draft), ..PostmortemFilter::default() };
        let drafts = store.list_postmortems(&admin, &filter, None, 200).await.unwrap().items;
        assert!(!drafts.is_empty());
        for pm in &drafts {
            let demo = data
                .incidents
                .iter()
                .filter_map(|i| i.postmortem.as_ref().filter(|_| i.incident.title == pm.incident_title))
                .next()
                .unwrap();
            assert_eq!(pm.sections.summary, demo.sections.summary, "what the owner wrote stays");
            assert!(demo.sections.response_analysis.is_empty(), "{}", pm.incident);
            let link = format!("(/incidents/{}#event-", pm.incident);
            assert!(pm.sections.response_analysis.contains(&link), "{}", pm.sections.response_analysis);
            let history = store.postmortem_history(&admin, &pm.id).await.unwrap();
            assert_eq!(history.last().unwrap().reason.as_deref(), Some(hindsight_app::first_draft::REASON));
        }
    }

    #[tokio::test]
    async fn loading_twice_changes_nothing() {
        let store = empty_store().await;
        let first = load_demo(&store).await.unwrap();
        let second = load_demo(&store).await.unwrap();
        assert!(second.reused);
        assert_eq!(second.users, first.users);
        assert_eq!(second.incidents, first.incidents);
        let admin = viewer(&store, "admin").await;
        let count = store.count_incidents(&admin, &IncidentFilter::default()).await.unwrap();
        assert_eq!(count as usize, first.incidents);
    }

    #[tokio::test]
    async fn private_incidents_are_hidden_from_a_viewer_outside_them() {
        let store = empty_store().await;
        let summary = load_demo(&store).await.unwrap();
        let admin = viewer(&store, "admin").await;
        let grace = viewer(&store, "grace.lee").await;
        assert_eq!(grace.role, Role::Viewer);
        let all = IncidentFilter::default();
        let private: Vec<_> = store
            .list_incidents(&admin, &all, None, 200)
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|i| i.private)
            .collect();
        assert_eq!(private.len(), 2);
        for incident in &private {
            assert!(!incident.responders.iter().any(|r| r.username == grace.username));
            let hidden = store.incident(&grace, incident.number).await;
            assert!(matches!(hidden, Err(StoreError::NotFound(_))), "{}", incident.handle);
            let responder = viewer(&store, &incident.responders[0].username).await;
            store.incident(&responder, incident.number).await.unwrap();
        }
        let seen = store.count_incidents(&grace, &all).await.unwrap();
        assert_eq!(seen as usize, summary.incidents - private.len());
    }

    #[tokio::test]
    async fn demo_users_sign_in_with_the_demo_password() {
        let store = empty_store().await;
        load_demo(&store).await.unwrap();
        let (_, hash) = store.credentials("ben.okafor").await.unwrap().unwrap();
        let hash = hash.unwrap();
        let parsed = PasswordHash::new(&hash).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(Argon2::default().verify_password(DEMO_PASSWORD.as_bytes(), &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"wrong-password", &parsed).is_err());
    }
}
