//! Incidents and what hangs off them: declare, change (and, on resolving, draft the
//! post-mortem the policy asks for), delete; add, change and remove timeline events and
//! action items. Each checks the actor's role; the store decides what the actor may see and
//! appends the change's domain events to the outbox in the same transaction.

use hindsight_core::{
    ActionItem, ActionItemPatch, Incident, IncidentPatch, IncidentStatus, NewActionItem, NewIncident, NewTimelineEvent,
    Postmortem, TimelineEvent, TimelineEventPatch, incident_handle,
};
use hindsight_store::Store;

use crate::{Actor, AppError, Rules};

/// Declares an incident (editors and admins).
pub async fn declare(store: &Store, actor: &Actor, new: NewIncident) -> Result<Incident, AppError> {
    actor.require_write()?;
    Ok(store.create_incident(&actor.viewer(), new).await?)
}

/// An incident as a change left it, and what the change did about its post-mortem.
#[derive(Debug)]
pub struct Changed {
    pub incident: Incident,
    /// The post-mortem draft this change started: it resolved an incident that needs one.
    pub drafted: Option<Postmortem>,
    /// Why no draft was started when one was due (the change stands regardless).
    pub draft_failed: Option<AppError>,
}

/// Changes an incident (editors and admins). One that is now resolved and needs a
/// post-mortem by `rules` gets its draft; the change stands even if drafting fails (that
/// failure is logged and answered, and the incident page offers to start it by hand).
pub async fn update(
    store: &Store,
    actor: &Actor,
    rules: &Rules,
    number: i64,
    patch: IncidentPatch,
) -> Result<Changed, AppError> {
    actor.require_write()?;
    let viewer = actor.viewer();
    let incident = store.update_incident(&viewer, number, patch).await?;
    let (mut drafted, mut draft_failed) = (None, None);
    if incident.status == IncidentStatus::Resolved {
        match crate::analysis::draft_if_required(store, &viewer, rules, number).await {
            Ok(draft) => drafted = draft,
            Err(e) => {
                tracing::warn!(error = %e, incident = %incident.handle, "could not draft the post-mortem");
                draft_failed = Some(e.into());
            }
        }
    }
    Ok(Changed { incident, drafted, draft_failed })
}

/// Deletes an incident and everything attached to it (admins only); the audit event is
/// written in the same transaction.
pub async fn delete(store: &Store, actor: &Actor, number: i64) -> Result<(), AppError> {
    actor.require_admin()?;
    let note = crate::accounts::note(actor, "deleted incident with its history", &incident_handle(number));
    Ok(store.delete_incident(&actor.viewer(), number, &note).await?)
}

/// Adds an event to an incident's timeline (editors and admins).
pub async fn add_event(
    store: &Store,
    actor: &Actor,
    number: i64,
    new: NewTimelineEvent,
) -> Result<TimelineEvent, AppError> {
    actor.require_write()?;
    Ok(store.add_event(&actor.viewer(), number, new).await?)
}

/// Changes a timeline event (editors and admins).
pub async fn update_event(
    store: &Store,
    actor: &Actor,
    number: i64,
    id: &str,
    patch: TimelineEventPatch,
) -> Result<TimelineEvent, AppError> {
    actor.require_write()?;
    Ok(store.update_event(&actor.viewer(), number, id, patch).await?)
}

/// Removes a timeline event (editors and admins).
pub async fn delete_event(store: &Store, actor: &Actor, number: i64, id: &str) -> Result<(), AppError> {
    actor.require_write()?;
    Ok(store.delete_event(&actor.viewer(), number, id).await?)
}

/// Adds an action item to an incident (editors and admins). One without a due date is
/// given the one its priority has by `deadlines`, counted from today. One of a priority a
/// tracker makes issues for is linked to it, for the worker to make its issue.
pub async fn create_action_item(
    store: &Store,
    actor: &Actor,
    number: i64,
    mut new: NewActionItem,
    deadlines: &hindsight_core::deadlines::DeadlineRules,
) -> Result<ActionItem, AppError> {
    actor.require_write()?;
    if new.due_date.is_none() {
        new.due_date = deadlines.action_item_due(time::OffsetDateTime::now_utc().date(), new.priority);
    }
    let item = store.create_action_item(&actor.viewer(), number, new).await?;
    // The item stands either way; without its link, an editor can still ask for the issue.
    if let Err(e) = store.link_automatically(&item.id).await {
        tracing::warn!(error = %e, action_item = %item.id, "could not link the action item to its tracker");
    }
    Ok(item)
}

/// Changes an action item: its status, owner, due date, … (editors and admins).
pub async fn update_action_item(
    store: &Store,
    actor: &Actor,
    id: &str,
    patch: ActionItemPatch,
) -> Result<ActionItem, AppError> {
    actor.require_write()?;
    Ok(store.update_action_item(&actor.viewer(), id, patch).await?)
}

/// Removes an action item (editors and admins).
pub async fn delete_action_item(store: &Store, actor: &Actor, id: &str) -> Result<(), AppError> {
    actor.require_write()?;
    Ok(store.delete_action_item(&actor.viewer(), id).await?)
}

/// Records that incident `number` is incident `of` come back, confirmed by the actor
/// (editors and admins); kept in the audit log.
pub async fn set_recurrence(
    store: &Store,
    actor: &Actor,
    number: i64,
    of: i64,
) -> Result<hindsight_core::Recurrence, AppError> {
    actor.require_write()?;
    let subject = format!("{} recurs {}", incident_handle(number), incident_handle(of));
    let note = crate::accounts::note(actor, "confirmed recurrence", &subject);
    let viewer = actor.viewer();
    store.set_recurrence(&viewer, number, of, &note).await?;
    Ok(store.recurrence(&viewer, number).await?)
}

/// Removes what incident `number` was recorded to recur (editors and admins).
pub async fn clear_recurrence(
    store: &Store,
    actor: &Actor,
    number: i64,
) -> Result<hindsight_core::Recurrence, AppError> {
    actor.require_write()?;
    let note = crate::accounts::note(actor, "removed recurrence", &incident_handle(number));
    let viewer = actor.viewer();
    store.clear_recurrence(&viewer, number, &note).await?;
    Ok(store.recurrence(&viewer, number).await?)
}
