//! The discussion of a post-mortem: anyone who may read it may comment (a reader's question
//! is a comment too); editors, admins and a thread's author resolve and reopen it.

use base64::Engine;
use hindsight_core::validate::MAX_SHORT;
use hindsight_core::{Comment, NewComment, ValidationErrors, mentioned_names};
use hindsight_store::{Store, StoreError};
use yrs::StickyIndex;
use yrs::updates::decoder::Decode;

use crate::{Actor, AppError};

/// The comments on post-mortem `id`, oldest first.
pub async fn list(store: &Store, actor: &Actor, id: &str) -> Result<Vec<Comment>, AppError> {
    Ok(store.comments(&actor.viewer(), id).await?)
}

/// Adds `actor`'s comment to post-mortem `id`. An anchor's positions must be Yjs relative
/// positions (as the live editor makes them); the `@name`s of users become mentions.
pub async fn add(store: &Store, actor: &Actor, id: &str, new: NewComment) -> Result<Comment, AppError> {
    new.validate().map_err(AppError::Invalid)?;
    if let Some(anchor) = &new.anchor {
        let mut errors = ValidationErrors::default();
        for (field, position) in [("anchor.start", &anchor.start), ("anchor.end", &anchor.end)] {
            let decoded = base64::engine::general_purpose::STANDARD.decode(position).ok();
            if decoded.and_then(|bytes| StickyIndex::decode_v1(&bytes).ok()).is_none() {
                errors.push(field, "is not a position in the post-mortem's live document");
            }
        }
        errors.into_result().map_err(AppError::Invalid)?;
    }
    let mentions = mentioned_names(&new.body);
    Ok(store.add_comment(&actor.viewer(), id, &new, &mentions).await?)
}

/// Resolves (`resolved`) or reopens the thread comment `id` belongs to; answers the
/// thread's first comment. Editors, admins and whoever opened the thread may.
pub async fn resolve(store: &Store, actor: &Actor, id: &str, resolved: bool) -> Result<Comment, AppError> {
    if id.len() > MAX_SHORT {
        // No comment has an id that long: not looked up.
        return Err(StoreError::NotFound(format!("comment {:?}…", id.chars().take(40).collect::<String>())).into());
    }
    let viewer = actor.viewer();
    if actor.require_write().is_err() {
        let comment = store.comment(&viewer, id).await?;
        let thread = match &comment.reply_to {
            Some(first) => store.comment(&viewer, first).await?,
            None => comment,
        };
        if thread.author.as_deref() != Some(viewer.username.as_str()) {
            return Err(AppError::Forbidden(
                "only editors, admins and whoever opened a thread resolve or reopen it".into(),
            ));
        }
    }
    Ok(store.resolve_comment(&viewer, id, resolved).await?)
}
