//! `/api/v1/postmortems/{id}/review`, `…/reviewers`, `…/reviews` and `…/review-meeting`:
//! who reviews a post-mortem, their verdicts, the approvals publishing needs, and the
//! review meeting.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hindsight_core::{NewReview, Review, ReviewMeeting, ReviewState};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::state::AppState;

/// Where the post-mortem's review stands: reviewers, verdicts of this round, approvals
/// needed (by its incident's severity) and given, every verdict, the meeting.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/review", tag = "review", params(("id" = String, Path)), responses(
    (status = 200, description = "Its review", body = ReviewState),
    (status = 404, description = "No such post-mortem, or not visible to you", body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ReviewState>, ApiError> {
    let rules = state.rules_in_force().await?;
    Ok(Json(hindsight_app::reviews::state(&state.store, &caller.actor(), &id, &rules).await?))
}

/// The reviewers to name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reviewers {
    /// Usernames, at most 50; they replace those named before.
    pub reviewers: Vec<String>,
}

/// Name the post-mortem's reviewers (editors and admins); each is asked in their inbox
/// when it is submitted for review.
#[utoipa::path(put, path = "/api/v1/postmortems/{id}/reviewers", tag = "review", params(("id" = String, Path)),
    request_body = Reviewers, responses(
    (status = 200, description = "Its review now", body = ReviewState),
    (status = 403, description = "Viewers may not name reviewers", body = Problem),
    (status = 404, description = "No such post-mortem, or not visible to you", body = Problem),
    (status = 422, description = "An unknown user, or too many", body = Problem)))]
pub async fn put_reviewers(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Reviewers>,
) -> Result<Json<ReviewState>, ApiError> {
    let rules = state.rules_in_force().await?;
    let actor = caller.actor();
    Ok(Json(hindsight_app::reviews::choose_reviewers(&state.store, &actor, &id, &body.reviewers, &rules).await?))
}

/// Approve the post-mortem, or ask for changes with a comment: a reviewer's verdict while
/// it is in review. Its owner is told in their inbox.
#[utoipa::path(post, path = "/api/v1/postmortems/{id}/reviews", tag = "review", params(("id" = String, Path)),
    request_body = NewReview, responses(
    (status = 201, description = "The verdict as kept", body = Review),
    (status = 404, description = "No such post-mortem, or not visible to you", body = Problem),
    (status = 422, description = "Not in review, you are not among its reviewers, or changes asked for without a comment", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(new): JsonBody<NewReview>,
) -> Result<(StatusCode, Json<Review>), ApiError> {
    let review = hindsight_app::reviews::review(&state.store, &caller.actor(), &id, &new).await?;
    Ok((StatusCode::CREATED, Json(review)))
}

/// Record the review meeting: when it was held and who attended (editors and admins).
#[utoipa::path(put, path = "/api/v1/postmortems/{id}/review-meeting", tag = "review", params(("id" = String, Path)),
    request_body = ReviewMeeting, responses(
    (status = 200, description = "Its review now", body = ReviewState),
    (status = 403, description = "Viewers may not record it", body = Problem),
    (status = 404, description = "No such post-mortem, or not visible to you", body = Problem),
    (status = 422, description = "An unknown attendee, or too many", body = Problem)))]
pub async fn put_meeting(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(meeting): JsonBody<ReviewMeeting>,
) -> Result<Json<ReviewState>, ApiError> {
    let rules = state.rules_in_force().await?;
    let actor = caller.actor();
    Ok(Json(hindsight_app::reviews::record_meeting(&state.store, &actor, &id, &meeting, &rules).await?))
}
