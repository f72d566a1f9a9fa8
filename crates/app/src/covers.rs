//! One post-mortem for several incidents, as the API, the pages and the command line use it:
//! the incidents a post-mortem covers (editors add and take off related incidents, kept in
//! the audit log), the post-mortem covering an incident, and the covered incidents' timelines
//! merged into one, each event marked with its incident.

use hindsight_core::{
    CoveredBy, PostmortemIncidents, TimelineEvent, ValidationErrors, incident_handle, merge_timelines,
    parse_incident_handle,
};
use hindsight_store::Store;

use crate::{Actor, AppError};

/// Events a merged timeline holds, at most: the same bound as one incident's analysis.
pub const MAX_MERGED_EVENTS: usize = 20_000;

/// The incident number of `handle`, or an error naming it.
fn number(handle: &str) -> Result<i64, AppError> {
    parse_incident_handle(handle.trim()).ok_or_else(|| {
        let shown: String = handle.chars().take(40).collect();
        AppError::Invalid(ValidationErrors::single(
            "incident",
            format!("{shown:?} is not an incident handle such as {}", incident_handle(42)),
        ))
    })
}

/// The incidents post-mortem `id` covers: its own and the others.
pub async fn incidents_of(store: &Store, actor: &Actor, id: &str) -> Result<PostmortemIncidents, AppError> {
    let viewer = actor.viewer();
    let postmortem = store.postmortem(&viewer, id).await?;
    let covers = store.covered_incidents(&viewer, id).await?;
    Ok(PostmortemIncidents { postmortem: postmortem.id, incident: postmortem.incident, covers })
}

/// Adds incident `handle` to those post-mortem `id` covers (editors and admins).
pub async fn cover(store: &Store, actor: &Actor, id: &str, handle: &str) -> Result<PostmortemIncidents, AppError> {
    actor.require_write()?;
    let number = number(handle)?;
    let viewer = actor.viewer();
    let postmortem = store.postmortem(&viewer, id).await?;
    let subject = format!("{}'s post-mortem covers {}", postmortem.incident, incident_handle(number));
    let note = crate::accounts::note(actor, "added an incident to a post-mortem", &subject);
    store.cover_incident(&viewer, id, number, &note).await?;
    incidents_of(store, actor, id).await
}

/// Takes incident `handle` off those post-mortem `id` covers (editors and admins).
pub async fn uncover(store: &Store, actor: &Actor, id: &str, handle: &str) -> Result<PostmortemIncidents, AppError> {
    actor.require_write()?;
    let number = number(handle)?;
    let viewer = actor.viewer();
    let postmortem = store.postmortem(&viewer, id).await?;
    let subject = format!("{}'s post-mortem no longer covers {}", postmortem.incident, incident_handle(number));
    let note = crate::accounts::note(actor, "took an incident off a post-mortem", &subject);
    store.uncover_incident(&viewer, id, number, &note).await?;
    incidents_of(store, actor, id).await
}

/// The post-mortem of another incident that covers incident `number`, if one does.
pub async fn covered_by(store: &Store, actor: &Actor, number: i64) -> Result<Option<CoveredBy>, AppError> {
    Ok(store.covered_by(&actor.viewer(), number).await?)
}

/// The timelines of the incidents post-mortem `id` covers, its own included, as one: in time
/// order, each event with its incident's handle. At most [`MAX_MERGED_EVENTS`] in all: each
/// incident's first events, an equal share each.
pub async fn merged_timeline(store: &Store, actor: &Actor, id: &str) -> Result<Vec<TimelineEvent>, AppError> {
    let incidents = incidents_of(store, actor, id).await?;
    let viewer = actor.viewer();
    let share = MAX_MERGED_EVENTS / (incidents.covers.len() + 1);
    let mut timelines = Vec::with_capacity(incidents.covers.len() + 1);
    for handle in std::iter::once(&incidents.incident).chain(incidents.covers.iter().map(|c| &c.handle)) {
        let number = number(handle)?;
        let mut events = Vec::new();
        let mut cursor: Option<String> = None;
        while events.len() < share {
            let page = store.list_events(&viewer, number, cursor.as_deref(), 1000).await?;
            events.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        events.truncate(share);
        timelines.push(events);
    }
    Ok(merge_timelines(timelines))
}
