//! The editor's discussion: threads of comments beside the post-mortem, each anchored to
//! words of a section (the live editor marks them, and follows them as the text changes)
//! or on the whole; replies, resolve and reopen, all as plain forms.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hindsight_core::{Comment, CommentAnchor, NewComment, comment_threads};
use serde::Deserialize;

use super::guidance::defs;
use crate::api::IncidentHandle;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::kit::{PageError, Posted, urlencode};
use crate::web::view::when;

/// One thread as shown: its anchor, its comments, and whether it is resolved.
pub(super) struct ThreadView {
    pub(super) id: String,
    /// The section's label and the words it was anchored to, when anchored.
    pub(super) section: String,
    pub(super) quote: String,
    pub(super) anchor: Option<CommentAnchor>,
    pub(super) comments: Vec<CommentView>,
    /// "Resolved by ana.silva, 2026-12-07 10:02 UTC" once resolved.
    pub(super) resolved: Option<String>,
    /// Whether the person may resolve or reopen it.
    pub(super) can_resolve: bool,
}

pub(super) struct CommentView {
    pub(super) author: String,
    pub(super) when: String,
    pub(super) body: String,
}

fn comment_view(c: &Comment) -> CommentView {
    CommentView {
        author: c.author.clone().unwrap_or_else(|| "someone".into()),
        when: when(c.created_at),
        body: c.body.clone(),
    }
}

/// The threads of `comments` (oldest first), open ones first; `username` may resolve the
/// threads they opened, and every thread when `can_write`.
pub(super) fn threads(comments: &[Comment], username: &str, can_write: bool) -> Vec<ThreadView> {
    let mut threads: Vec<ThreadView> = comment_threads(comments)
        .into_iter()
        .map(|(first, replies)| ThreadView {
            id: first.id.clone(),
            section: first.anchor.as_ref().map(|a| section_label(&a.section)).unwrap_or_default(),
            quote: first.anchor.as_ref().map(|a| a.quote.clone()).unwrap_or_default(),
            anchor: first.anchor.clone(),
            comments: std::iter::once(first).chain(replies).map(comment_view).collect(),
            resolved: first
                .resolved_at
                .map(|at| format!("Resolved by {}, {}", first.resolved_by.as_deref().unwrap_or("someone"), when(at))),
            can_resolve: can_write || first.author.as_deref() == Some(username),
        })
        .collect();
    threads.sort_by_key(|t| t.resolved.is_some());
    threads
}

/// The discussion's forms, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentForm {
    /// add (a new thread), reply, resolve or reopen.
    action: String,
    body: String,
    /// The thread a reply, resolve or reopen is about.
    thread: String,
    anchor_section: String,
    anchor_start: String,
    anchor_end: String,
    anchor_quote: String,
}

/// Adds a comment or reply, or resolves or reopens a thread; back to the discussion.
pub async fn post(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<CommentForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    let actor = caller.actor();
    let path = format!("/incidents/{}/postmortem/edit", &*handle);
    // Back to the discussion, with what happened.
    let back = |notice: &str| Redirect::to(&format!("{path}?notice={}#discussion", urlencode(notice))).into_response();
    let postmortem = state.store.postmortem_of_incident(&caller.viewer, handle.number).await?;
    let store = &state.store;
    let done = match form.action.as_str() {
        "add" | "reply" => {
            let anchor = (form.action == "add" && !form.anchor_section.is_empty()).then(|| CommentAnchor {
                section: form.anchor_section.clone(),
                start: form.anchor_start.clone(),
                end: form.anchor_end.clone(),
                quote: form.anchor_quote.clone(),
            });
            let reply_to = (form.action == "reply").then(|| form.thread.clone());
            let new = NewComment { body: form.body.replace("\r\n", "\n"), reply_to, anchor };
            hindsight_app::comments::add(store, &actor, &postmortem.id, new).await.map(|_| "Comment added.")
        }
        "resolve" => hindsight_app::comments::resolve(store, &actor, &form.thread, true).await.map(|_| "Resolved."),
        "reopen" => hindsight_app::comments::resolve(store, &actor, &form.thread, false).await.map(|_| "Reopened."),
        other => return Err(PageError::new(StatusCode::BAD_REQUEST, format!("no discussion action {other:?}"))),
    };
    match done.map_err(ApiError::from) {
        Ok(notice) => Ok(back(notice)),
        Err(ApiError::Invalid(invalid)) => {
            let problems: Vec<String> = invalid.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            Ok(back(&format!("Not done: {}.", problems.join("; "))))
        }
        Err(e) => Err(e.into()),
    }
}

/// What a thread's section is called on the page: a field's label, or the list a row is in.
fn section_label(section: &str) -> String {
    match (defs().find(|d| d.key == section), hindsight_core::live_row(section)) {
        (Some(def), _) => def.label.to_string(),
        (None, Some(hindsight_core::RowText::DamageControl(_))) => "A damage-control action".into(),
        (None, Some(hindsight_core::RowText::Recommendation(_))) => "A recommendation".into(),
        (None, None) => section.to_string(),
    }
}
