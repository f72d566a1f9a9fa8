//! Review of a post-mortem: editors name its reviewers, reviewers approve it or ask for
//! changes while it is in review, and publishing it from review needs the approvals its
//! incident's severity asks for ([`ReviewRules`]). The review meeting is recorded with its
//! date and attendees.

use hindsight_core::{NewReview, Postmortem, Review, ReviewMeeting, ReviewRules, ReviewState, parse_incident_handle};
use hindsight_store::{Store, StoreError};

use crate::{Actor, AppError};

/// Where the review of post-mortem `id` stands.
pub async fn state(store: &Store, actor: &Actor, id: &str, rules: &ReviewRules) -> Result<ReviewState, AppError> {
    crate::readers::check_id(id)?;
    let viewer = actor.viewer();
    let postmortem = store.postmortem(&viewer, id).await?;
    let needed = approvals_needed(store, actor, &postmortem, rules).await?;
    Ok(store.review_state(&viewer, id, needed).await?)
}

/// Approvals `postmortem` needs before it is published, by its incident's severity.
pub async fn approvals_needed(
    store: &Store,
    actor: &Actor,
    postmortem: &Postmortem,
    rules: &ReviewRules,
) -> Result<u8, AppError> {
    let number = parse_incident_handle(&postmortem.incident)
        .ok_or_else(|| StoreError::Corrupt(format!("post-mortem {} names no incident", postmortem.id)))?;
    Ok(rules.needed(store.incident(&actor.viewer(), number).await?.severity))
}

/// Names the reviewers of post-mortem `id` (editors and admins).
pub async fn choose_reviewers(
    store: &Store,
    actor: &Actor,
    id: &str,
    reviewers: &[String],
    rules: &ReviewRules,
) -> Result<ReviewState, AppError> {
    actor.require_write()?;
    crate::readers::check_id(id)?;
    let note = crate::accounts::note(actor, "named the post-mortem's reviewers", id);
    store.set_reviewers(&actor.viewer(), id, reviewers, &note).await?;
    state(store, actor, id, rules).await
}

/// The actor's verdict on post-mortem `id`: they must be among its reviewers, and it in review.
pub async fn review(store: &Store, actor: &Actor, id: &str, new: &NewReview) -> Result<Review, AppError> {
    crate::readers::check_id(id)?;
    new.validate().map_err(AppError::Invalid)?;
    Ok(store.add_review(&actor.viewer(), id, new).await?)
}

/// Records the review meeting of post-mortem `id` (editors and admins).
pub async fn record_meeting(
    store: &Store,
    actor: &Actor,
    id: &str,
    meeting: &ReviewMeeting,
    rules: &ReviewRules,
) -> Result<ReviewState, AppError> {
    actor.require_write()?;
    crate::readers::check_id(id)?;
    meeting.validate().map_err(AppError::Invalid)?;
    let note = crate::accounts::note(actor, "recorded the post-mortem's review meeting", id);
    store.set_review_meeting(&actor.viewer(), id, meeting, &note).await?;
    state(store, actor, id, rules).await
}
