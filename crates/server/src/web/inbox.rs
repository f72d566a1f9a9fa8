//! The inbox page (`/inbox`): what the signed-in person was told, newest first, each with
//! a button that marks it read and goes to what it is about; marking all read; and what
//! they get by email (`POST /inbox/email`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hindsight_app::deliveries;
use hindsight_app::notifications::{self, MarkRead};
use hindsight_core::{EmailPreferences, Notification, NotificationKind};
use hindsight_store::NotificationFilter;
use serde::Deserialize;

use super::kit::{Chrome, NoFields, Notice, PageError, Posted, Signed, see_other_with_notice};
use super::view;
use crate::state::AppState;

/// Notifications a page of the inbox shows.
const PAGE: i64 = 50;

/// A notification as the page shows it.
struct Row {
    id: i64,
    sentence: String,
    incident: String,
    incident_title: String,
    when: String,
    unread: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    rows: Vec<Row>,
    unread_only: bool,
    unread: i64,
    /// The link to the next, older page.
    older: Option<String>,
    /// Whether this server sends email at all.
    email_on: bool,
    digest: bool,
    /// Every kind, in words, with whether its emails are muted.
    kinds: Vec<(&'static str, String, bool)>,
}

/// `?show=unread` and `before=<id>`, as the page's links make them.
#[derive(Debug, Default, Deserialize)]
pub struct InboxParams {
    show: Option<String>,
    before: Option<String>,
}

/// `GET /inbox`.
pub async fn inbox(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
    Query(params): Query<InboxParams>,
) -> Result<Response, PageError> {
    let before = match params.before.as_deref().filter(|b| !b.is_empty()) {
        None => None,
        Some(text) => Some(text.parse::<i64>().map_err(|_| {
            PageError::new(StatusCode::BAD_REQUEST, "`before` must be a notification's number; go back to /inbox")
        })?),
    };
    let unread_only = params.show.as_deref() == Some("unread");
    let filter = NotificationFilter { unread: unread_only, before };
    let inbox = notifications::inbox(&state.store, &caller.actor(), &filter, PAGE).await?;
    let show = if unread_only { "show=unread&" } else { "" };
    let older = inbox.next_before.map(|id| format!("/inbox?{show}before={id}"));
    let rows = inbox
        .items
        .into_iter()
        .map(|n| Row {
            id: n.id,
            sentence: n.sentence(),
            when: view::when(n.created_at),
            unread: n.read_at.is_none(),
            incident: n.incident,
            incident_title: n.incident_title,
        })
        .collect();
    let chrome = Chrome::of(&caller).with_notice(notice);
    let email = deliveries::email_preferences(&state.store, &caller.actor()).await.unwrap_or_default();
    let kinds =
        NotificationKind::ALL.iter().map(|kind| (kind.as_str(), kind.words(), email.muted.contains(kind))).collect();
    let email_on = state.settings.deliverer.email_on();
    Ok(InboxPage { chrome, rows, unread_only, unread: inbox.unread, older, email_on, digest: email.digest, kinds }
        .into_response())
}

/// `POST /inbox/{id}/open`: marks the notification read and goes to what it is about.
pub async fn open(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let id = id.parse::<i64>().map_err(|_| PageError::new(StatusCode::NOT_FOUND, "No such notification."))?;
    let notification = notifications::open(&state.store, &posted.caller.actor(), id).await?;
    Ok(Redirect::to(&target(&notification)).into_response())
}

/// `POST /inbox/read`: marks every notification read.
pub async fn read_all(State(state): State<AppState>, posted: Posted<NoFields>) -> Result<Response, PageError> {
    let mark = MarkRead { ids: Vec::new(), all: true };
    let marked = notifications::mark_read(&state.store, &posted.caller.actor(), &mark).await?;
    Ok(see_other_with_notice(
        "/inbox",
        &format!("Marked {} read.", view::plural(marked as i64, "notification", "notifications")),
    ))
}

/// The email form: `digest=on`, and each kind still wanted as `wanted=<kind>`.
#[derive(Debug, Default, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    wanted: Vec<String>,
}

/// `POST /inbox/email`: what the person gets by email.
pub async fn email(State(state): State<AppState>, posted: Posted<EmailForm>) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    let muted =
        NotificationKind::ALL.iter().copied().filter(|kind| !form.wanted.iter().any(|w| w == kind.as_str())).collect();
    let preferences = EmailPreferences { digest: form.digest.is_some(), muted };
    deliveries::set_email_preferences(&state.store, &caller.actor(), &preferences).await?;
    Ok(see_other_with_notice("/inbox", "Saved what you get by email."))
}

/// The page a notification is about.
fn target(n: &Notification) -> String {
    let postmortem = format!("/incidents/{}/postmortem", n.incident);
    match (n.kind, &n.action_item) {
        (NotificationKind::Mentioned | NotificationKind::Commented, _) => format!("{postmortem}/edit#discussion"),
        (NotificationKind::PostmortemAssigned, _) => format!("{postmortem}/edit"),
        (NotificationKind::ReviewRequested | NotificationKind::Approved | NotificationKind::ChangesRequested, _) => {
            format!("{postmortem}#review")
        }
        (NotificationKind::PostmortemPublished | NotificationKind::ReadRequested, _) => postmortem,
        (_, Some(item)) => format!("/action-items/{item}"),
        (_, None) => format!("/incidents/{}", n.incident),
    }
}
