//! Writing a post-mortem: start it (with a first draft from the timeline), change it, move it
//! through review. The API and the editor page both come here, so the completeness gate before
//! review holds for both.

use hindsight_core::analysis::MissingItem;
use hindsight_core::{Incident, NewPostmortem, Postmortem, PostmortemPatch, PostmortemStatus, ValidationErrors};
use hindsight_document::{ImportedPostmortem, from_markdown};
use hindsight_store::{Store, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::analysis::{completeness, gather};
use crate::{Actor, AppError};

/// Starts the post-mortem of incident `number`, with the reader teams `rules` propose
/// for its severity, and the first draft written from the timeline in the narrative
/// sections `new` leaves empty.
pub async fn start(
    store: &Store,
    actor: &Actor,
    number: i64,
    mut new: NewPostmortem,
    rules: &crate::Rules,
) -> Result<Postmortem, AppError> {
    actor.require_write()?;
    let viewer = actor.viewer();
    // Written into what the post-mortem starts with, so that it starts as one change.
    let draft = crate::first_draft::draft_of(store, &viewer, number, rules).await?;
    crate::first_draft::fill_empty(&mut new.sections, &draft);
    let postmortem = store.create_postmortem(&viewer, number, new).await?;
    let severity = store.incident(&viewer, number).await?.severity;
    store.propose_reader_teams(&postmortem.id, rules.readers.teams(severity)).await?;
    Ok(postmortem)
}

/// Applies `patch` to post-mortem `id`; a stale version is a conflict carrying the current
/// state. A live document of the post-mortem takes in the saved texts.
pub async fn change(store: &Store, actor: &Actor, id: &str, patch: PostmortemPatch) -> Result<Postmortem, AppError> {
    change_because(store, actor, id, patch, None).await
}

/// [`change`], with `reason` kept in the history entry.
pub async fn change_because(
    store: &Store,
    actor: &Actor,
    id: &str,
    patch: PostmortemPatch,
    reason: Option<&str>,
) -> Result<Postmortem, AppError> {
    actor.require_write()?;
    // What the save changes is what it merges into the live document; a post-mortem
    // changed meanwhile fails the save's version check, so this is the one it changes.
    let before = store.postmortem(&actor.viewer(), id).await?;
    let saved = store.update_postmortem_because(&actor.viewer(), id, patch, reason).await?;
    // Editors typing in the live document get the saved texts too, so that writing the
    // document back does not undo the save. The save stands if this fails.
    if let Err(e) = crate::live::merge_saved(store, actor, &before.sections, &saved).await {
        tracing::warn!(error = %e, postmortem = %saved.id, "could not merge a save into the live document");
    }
    Ok(saved)
}

/// Applies `patch` to post-mortem `id` without merging its texts into the live document:
/// for writing back that document's own texts, which it already holds (with, by now,
/// perhaps newer typing that a merge would undo). `reason` goes into the history.
pub(crate) async fn change_from_live(
    store: &Store,
    actor: &Actor,
    id: &str,
    patch: PostmortemPatch,
    reason: &str,
) -> Result<Postmortem, AppError> {
    actor.require_write()?;
    Ok(store.update_postmortem_because(&actor.viewer(), id, patch, Some(reason)).await?)
}

/// Moves post-mortem `id` to `status`, keeping `reason` in its history: going to review
/// needs a complete post-mortem, and the refusal names every missing item by its field;
/// publishing from review needs the approvals `rules` ask for by its incident's severity.
pub async fn move_to(
    store: &Store,
    actor: &Actor,
    id: &str,
    version: i64,
    status: PostmortemStatus,
    reason: Option<&str>,
    rules: &crate::Rules,
) -> Result<Postmortem, AppError> {
    actor.require_write()?;
    if status == PostmortemStatus::Published {
        let postmortem = store.postmortem(&actor.viewer(), id).await?;
        if postmortem.status == PostmortemStatus::InReview {
            let review = crate::reviews::state_of_postmortem(store, actor, &postmortem, rules).await?;
            if !review.approved() {
                let have = if review.approved_by.is_empty() {
                    "none yet".to_string()
                } else {
                    format!("{} ({})", review.approved_by.len(), review.approved_by.join(", "))
                };
                return Err(AppError::Invalid(ValidationErrors::single(
                    "status",
                    format!(
                        "publishing needs {} approval{} from its reviewers for its incident's severity; it has {have}",
                        review.approvals_needed,
                        if review.approvals_needed == 1 { "" } else { "s" }
                    ),
                )));
            }
        }
    }
    if status == PostmortemStatus::InReview {
        let missing = missing_items(store, actor, id).await?;
        if !missing.is_empty() {
            let mut errors = ValidationErrors::default();
            for item in missing {
                errors.push(item.path, item.message);
            }
            return Err(AppError::Invalid(errors));
        }
    }
    Ok(store.set_postmortem_status_because(&actor.viewer(), id, version, status, reason).await?)
}

/// What post-mortem `id` still lacks before review, as `actor` sees it; empty when complete.
pub async fn missing_items(store: &Store, actor: &Actor, id: &str) -> Result<Vec<MissingItem>, AppError> {
    let viewer = actor.viewer();
    let postmortem = store.postmortem(&viewer, id).await?;
    let number = hindsight_core::parse_incident_handle(&postmortem.incident)
        .ok_or_else(|| StoreError::Corrupt(format!("post-mortem {id} has no incident handle")))?;
    let evidence = gather(store, &viewer, number).await?;
    Ok(completeness(&evidence).unwrap_or_default())
}

/// Deletes a post-mortem and its history (admins only); the audit event is written in the
/// same transaction.
pub async fn delete(store: &Store, actor: &Actor, id: &str) -> Result<(), AppError> {
    actor.require_admin()?;
    let note = crate::accounts::note(actor, "deleted post-mortem with its history", id);
    Ok(store.delete_postmortem(&actor.viewer(), id, &note).await?)
}

/// What a post-mortem document brought in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedDocument {
    /// The incident the document was stored as (a new one, with a handle of this server's).
    pub incident: Incident,
    pub postmortem: Postmortem,
    /// How many action items and timeline events came with it.
    pub action_items: usize,
    pub events: usize,
}

/// Stores a Markdown post-mortem, as `export` writes it (front matter, `## ` sections, the
/// timeline and action items), as a new incident with its post-mortem, action items and
/// timeline, moved through review to the status the document gives (editors and admins).
/// A document that does not read is refused naming its line, and every part is checked
/// before anything is stored; should the store still refuse a part (an owner with no account
/// here), the new incident is removed again, with an audit event saying why.
pub async fn import_document(store: &Store, actor: &Actor, text: &str) -> Result<ImportedDocument, AppError> {
    actor.require_write()?;
    let imported = from_markdown(text)
        .map_err(|e| AppError::Invalid(ValidationErrors::single(format!("line {}", e.line), e.message)))?;
    check_document(&imported)?;
    let viewer = actor.viewer();
    let incident = store.create_incident(&viewer, imported.incident.clone()).await?;
    let tagged = crate::accounts::note(actor, "tagged contributing factors", &incident.handle);
    match store_parts(store, &viewer, incident.number, &imported, &tagged).await {
        Ok((postmortem, action_items)) => {
            Ok(ImportedDocument { incident, postmortem, action_items, events: imported.events.len() })
        }
        Err(refused) => {
            let action = format!("removed the incident of a post-mortem document the store refused ({refused})");
            let note = crate::accounts::note(actor, &action, &incident.handle);
            if let Err(e) = store.delete_incident(&viewer, incident.number, &note).await {
                tracing::error!(error = %e, incident = %incident.handle, "could not remove a half-imported incident");
            }
            Err(refused.into())
        }
    }
}

/// The parts of an imported document that hang off its incident `number`: action items,
/// timeline, the post-mortem moved to its status; answers the post-mortem and how many
/// action items were stored.
async fn store_parts(
    store: &Store,
    viewer: &hindsight_core::access::Viewer,
    number: i64,
    imported: &ImportedPostmortem,
    tagged: &hindsight_store::AuditNote,
) -> Result<(Postmortem, usize), StoreError> {
    let mut ids = Vec::with_capacity(imported.action_items.len());
    for item in &imported.action_items {
        ids.push(store.create_action_item(viewer, number, item.clone()).await?.id);
    }
    for event in &imported.events {
        store.add_event(viewer, number, event.clone()).await?;
    }
    let mut postmortem = store.create_postmortem(viewer, number, imported.new_postmortem(&ids)).await?;
    // Factors not in this installation's list stay, shown as no longer in the list.
    if !imported.factors.is_empty() {
        store.set_postmortem_factors(viewer, &postmortem.id, &imported.factors, tagged).await?;
    }
    use PostmortemStatus::*;
    let path: &[PostmortemStatus] = match imported.status {
        Draft => &[],
        InReview => &[InReview],
        Published => &[InReview, Published],
        Archived => &[InReview, Published, Archived],
    };
    for status in path {
        postmortem = store.set_postmortem_status(viewer, &postmortem.id, postmortem.version, *status).await?;
    }
    Ok((postmortem, ids.len()))
}

/// Checks every part of an imported document as the store will, naming each field by the
/// part it is in (`action_items[2].title`), so nothing is stored from a document the store
/// would refuse halfway.
fn check_document(imported: &ImportedPostmortem) -> Result<(), AppError> {
    let mut errors = ValidationErrors::default();
    let mut take = |prefix: String, result: Result<(), ValidationErrors>| {
        if let Err(e) = result {
            for error in e.0 {
                errors.push(format!("{prefix}{}", error.field), error.message);
            }
        }
    };
    take("incident.".into(), imported.incident.validate());
    for (i, item) in imported.action_items.iter().enumerate() {
        take(format!("action_items[{i}]."), item.validate());
    }
    for (i, event) in imported.events.iter().enumerate() {
        take(format!("events[{i}]."), event.validate());
    }
    let mut factors = ValidationErrors::default();
    if imported.factors.len() > hindsight_core::MAX_FACTORS {
        factors.push("contributing_factors", format!("at most {} factors", hindsight_core::MAX_FACTORS));
    }
    for (i, key) in imported.factors.iter().enumerate().filter(|(_, key)| !hindsight_core::is_factor_key(key)) {
        let shown: String = key.chars().take(40).collect();
        factors.push(
            format!("contributing_factors[{i}]"),
            format!("{shown:?} is not a factor's key: 1 to 40 lower-case letters, digits, `-` or `_`"),
        );
    }
    take(String::new(), factors.into_result());
    let mut sections = ValidationErrors::default();
    imported.new_postmortem(&[]).sections.validate(&mut sections);
    take(String::new(), sections.into_result());
    errors.into_result().map_err(AppError::Invalid)
}
