//! Writing a post-mortem: start it, change it, move it through review. The API and the
//! editor page both come here, so the completeness gate before review holds for both.

use hindsight_core::analysis::MissingItem;
use hindsight_core::{NewPostmortem, Postmortem, PostmortemPatch, PostmortemStatus, ValidationErrors};
use hindsight_store::{Store, StoreError};

use crate::analysis::{completeness, gather};
use crate::{Actor, AppError};

/// Starts the post-mortem of incident `number`.
pub async fn start(store: &Store, actor: &Actor, number: i64, new: NewPostmortem) -> Result<Postmortem, AppError> {
    actor.require_write()?;
    Ok(store.create_postmortem(&actor.viewer(), number, new).await?)
}

/// Applies `patch` to post-mortem `id`; a stale version is a conflict carrying the current
/// state.
pub async fn change(store: &Store, actor: &Actor, id: &str, patch: PostmortemPatch) -> Result<Postmortem, AppError> {
    actor.require_write()?;
    Ok(store.update_postmortem(&actor.viewer(), id, patch).await?)
}

/// Moves post-mortem `id` to `status`, keeping `reason` in its history: going to review
/// needs a complete post-mortem, and the refusal names every missing item by its field.
pub async fn move_to(
    store: &Store,
    actor: &Actor,
    id: &str,
    version: i64,
    status: PostmortemStatus,
    reason: Option<&str>,
) -> Result<Postmortem, AppError> {
    actor.require_write()?;
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
