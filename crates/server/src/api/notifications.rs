//! `/api/v1/me/notifications`: the caller's inbox: what they were told (assigned, mentioned,
//! sent back from review, due soon, overdue), newest first, and marking it read.

use axum::Json;
use axum::extract::State;
use hindsight_app::notifications::{Inbox, MarkRead};
use hindsight_store::NotificationFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::{JsonBody, Params};
use crate::state::AppState;

/// Which notifications a page shows.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// Only unread ones.
    #[serde(default)]
    pub unread: bool,
    /// Only those older than this id: the previous page's `next_before`.
    pub before: Option<i64>,
    /// Most items on the page, 1 to 200 (50 when absent).
    pub limit: Option<i64>,
}

/// The caller's notifications, newest first, with the number unread.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "notifications", params(InboxQuery), responses(
    (status = 200, description = "A page of the inbox", body = Inbox),
    (status = 400, description = "A bad parameter", body = Problem),
    (status = 422, description = "A limit out of range", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<InboxQuery>,
) -> Result<Json<Inbox>, ApiError> {
    let filter = NotificationFilter { unread: query.unread, before: query.before };
    let limit = query.limit.unwrap_or(50);
    Ok(Json(hindsight_app::notifications::inbox(&state.store, &caller.actor(), &filter, limit).await?))
}

/// What marking read did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MarkedRead {
    /// Notifications that were unread and now are read.
    pub marked: u64,
    /// Unread notifications left.
    pub unread: i64,
}

/// Mark some of the caller's notifications read (`ids`), or all of them (`all: true`).
#[utoipa::path(post, path = "/api/v1/me/notifications/read", tag = "notifications", request_body = MarkRead,
    responses(
    (status = 200, description = "How many were marked, and how many are left unread", body = MarkedRead),
    (status = 422, description = "Neither or both of `ids` and `all`, or too many ids", body = Problem)))]
pub async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(mark): JsonBody<MarkRead>,
) -> Result<Json<MarkedRead>, ApiError> {
    let actor = caller.actor();
    let marked = hindsight_app::notifications::mark_read(&state.store, &actor, &mark).await?;
    let unread = hindsight_app::notifications::unread(&state.store, &actor).await?;
    Ok(Json(MarkedRead { marked, unread }))
}
