//! Review of a post-mortem: editors name its reviewers, reviewers approve it or ask for
//! changes while it is in review, and publishing it from review needs the approvals its
//! incident's severity asks for ([`hindsight_core::ReviewRules`]). Each step is due as the
//! deadlines ask ([`hindsight_core::deadlines`]). The review meeting is recorded with its
//! date and attendees.

use hindsight_core::{Incident, NewReview, Postmortem, Review, ReviewMeeting, ReviewState, parse_incident_handle};
use hindsight_store::{Store, StoreError};

use crate::{Actor, AppError, Rules};

/// Where the review of post-mortem `id` stands.
pub async fn state(store: &Store, actor: &Actor, id: &str, rules: &Rules) -> Result<ReviewState, AppError> {
    crate::readers::check_id(id)?;
    let viewer = actor.viewer();
    let postmortem = store.postmortem(&viewer, id).await?;
    state_of_postmortem(store, actor, &postmortem, rules).await
}

/// Where the review of `postmortem`, already read, stands.
pub async fn state_of_postmortem(
    store: &Store,
    actor: &Actor,
    postmortem: &Postmortem,
    rules: &Rules,
) -> Result<ReviewState, AppError> {
    let incident = incident_of(store, actor, postmortem).await?;
    state_of(store, actor, postmortem, &incident, rules).await
}

/// Where the review of `postmortem` of `incident`, both already read, stands: the
/// approvals its severity needs and each step's deadline.
pub async fn state_of(
    store: &Store,
    actor: &Actor,
    postmortem: &Postmortem,
    incident: &Incident,
    rules: &Rules,
) -> Result<ReviewState, AppError> {
    let needed = rules.review.needed(incident.severity);
    let mut state = store.review_state(&actor.viewer(), &postmortem.id, needed).await?;
    state.deadlines = incident.moments.resolved_at.map(|at| rules.deadlines.postmortem(incident.severity, at));
    Ok(state)
}

/// The incident `postmortem` is of.
async fn incident_of(store: &Store, actor: &Actor, postmortem: &Postmortem) -> Result<Incident, AppError> {
    let number = parse_incident_handle(&postmortem.incident)
        .ok_or_else(|| StoreError::Corrupt(format!("post-mortem {} names no incident", postmortem.id)))?;
    Ok(store.incident(&actor.viewer(), number).await?)
}

/// Names the reviewers of post-mortem `id` (editors and admins).
pub async fn choose_reviewers(
    store: &Store,
    actor: &Actor,
    id: &str,
    reviewers: &[String],
    rules: &Rules,
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
    rules: &Rules,
) -> Result<ReviewState, AppError> {
    actor.require_write()?;
    crate::readers::check_id(id)?;
    meeting.validate().map_err(AppError::Invalid)?;
    let note = crate::accounts::note(actor, "recorded the post-mortem's review meeting", id);
    store.set_review_meeting(&actor.viewer(), id, meeting, &note).await?;
    state(store, actor, id, rules).await
}
