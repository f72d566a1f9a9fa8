//! The discussion of a post-mortem: comments anchored to its text or on the whole, replies,
//! resolving and reopening a thread. Anyone who may read the post-mortem may comment.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hindsight_core::{Comment, NewComment};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::state::AppState;

/// The post-mortem's comments, oldest first: threads (with their anchor) and replies.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/comments", tag = "comments", params(("id" = String, Path)), responses(
    (status = 200, description = "Comments, oldest first", body = Vec<Comment>),
    (status = 404, description = "No such post-mortem, or not visible to you", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<Comment>>, ApiError> {
    Ok(Json(hindsight_app::comments::list(&state.store, &caller.actor(), &id).await?))
}

/// Comment on the post-mortem: a new thread, anchored to a range of a narrative text (two
/// Yjs relative positions in its live document, as the editor makes them) or on the whole;
/// or a reply (`reply_to`). `@name` mentions of users are kept as references.
#[utoipa::path(post, path = "/api/v1/postmortems/{id}/comments", tag = "comments", params(("id" = String, Path)),
    request_body = NewComment, responses(
    (status = 201, description = "The comment as stored", body = Comment),
    (status = 404, description = "No such post-mortem, or not visible to you", body = Problem),
    (status = 422, description = "Invalid fields (an empty body, an anchor outside the narrative texts, a reply to a comment elsewhere)", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(new): JsonBody<NewComment>,
) -> Result<(StatusCode, Json<Comment>), ApiError> {
    let comment = hindsight_app::comments::add(&state.store, &caller.actor(), &id, new).await?;
    Ok((StatusCode::CREATED, Json(comment)))
}

/// Resolve the thread a comment belongs to (editors, admins and whoever opened it).
#[utoipa::path(post, path = "/api/v1/comments/{id}/resolve", tag = "comments", params(("id" = String, Path)), responses(
    (status = 200, description = "The thread's first comment, resolved", body = Comment),
    (status = 403, description = "Neither an editor nor the thread's author", body = Problem),
    (status = 404, description = "No such comment, or not visible to you", body = Problem)))]
pub async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Comment>, ApiError> {
    Ok(Json(hindsight_app::comments::resolve(&state.store, &caller.actor(), &id, true).await?))
}

/// Open a resolved thread again.
#[utoipa::path(post, path = "/api/v1/comments/{id}/reopen", tag = "comments", params(("id" = String, Path)), responses(
    (status = 200, description = "The thread's first comment, open", body = Comment),
    (status = 403, description = "Neither an editor nor the thread's author", body = Problem),
    (status = 404, description = "No such comment, or not visible to you", body = Problem)))]
pub async fn reopen(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Comment>, ApiError> {
    Ok(Json(hindsight_app::comments::resolve(&state.store, &caller.actor(), &id, false).await?))
}
