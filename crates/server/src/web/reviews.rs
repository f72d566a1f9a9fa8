//! The review of a post-mortem on its page: its reviewers and their verdicts, the
//! approvals publishing needs, the meeting; the reviewer's approve / ask-for-changes form
//! and (for editors) the forms naming reviewers and recording the meeting.

use axum::extract::State;
use axum::response::Response;
use hindsight_core::{NewReview, PostmortemStatus, ReviewMeeting, ReviewState, Verdict};
use serde::Deserialize;

use super::document::Refused;
use super::kit::{PageError, Posted, form_time, form_time_value, see_other_with_notice};
use super::view;
use crate::api::IncidentHandle;
use crate::auth::Caller;
use crate::state::AppState;

/// A verdict as the page lists it.
pub struct VerdictRow {
    pub reviewer: String,
    pub verdict: &'static str,
    pub comment: String,
    pub when: String,
    /// Given in an earlier round of review (before the last submission).
    pub earlier: bool,
}

/// What the page shows of the review.
pub struct ReviewView {
    pub needed: u8,
    pub approved_by: String,
    pub changes_requested_by: String,
    pub rows: Vec<VerdictRow>,
    /// Whether the person reading may give a verdict now.
    pub may_review: bool,
    /// The reviewers as the form's field holds them: `ana, ben`.
    pub reviewers: String,
    pub meeting: Option<String>,
    /// The meeting's time and attendees as the form holds them.
    pub meeting_at: String,
    pub attendees: String,
    /// When each step is due (`Draft due 2026-12-07`), each marked when late and not done.
    pub deadlines: Vec<(String, bool)>,
}

impl ReviewView {
    /// The view of `review` for the person `me`, of a post-mortem in `status`, on `today`.
    pub fn new(review: ReviewState, me: &str, status: PostmortemStatus, today: time::Date) -> ReviewView {
        let in_review = status == PostmortemStatus::InReview;
        let drafted = status != PostmortemStatus::Draft;
        let published = matches!(status, PostmortemStatus::Published | PostmortemStatus::Archived);
        let deadlines = review
            .deadlines
            .map(|due| {
                [
                    ("Draft", due.draft, drafted),
                    ("Review meeting", due.review_meeting, review.meeting.is_some()),
                    ("Publication", due.publication, published),
                ]
                .into_iter()
                .map(|(step, date, done)| (format!("{step} due {date}"), !done && today > date))
                .collect()
            })
            .unwrap_or_default();
        let meeting = review.meeting.as_ref().map(|m| {
            let who = if m.attendees.is_empty() { "nobody recorded".to_string() } else { m.attendees.join(", ") };
            format!("held {} with {who}", view::when(m.held_at))
        });
        ReviewView {
            needed: review.approvals_needed,
            approved_by: review.approved_by.join(", "),
            changes_requested_by: review.changes_requested_by.join(", "),
            rows: review
                .reviews
                .iter()
                .map(|r| VerdictRow {
                    reviewer: r.reviewer.clone(),
                    verdict: match r.verdict {
                        Verdict::Approved => "approved",
                        Verdict::ChangesRequested => "asked for changes",
                    },
                    comment: r.comment.clone(),
                    when: view::when(r.created_at),
                    earlier: r.round != review.round,
                })
                .collect(),
            may_review: in_review && review.reviewers.iter().any(|r| r == me),
            reviewers: review.reviewers.join(", "),
            meeting_at: review.meeting.as_ref().map(|m| form_time_value(Some(m.held_at))).unwrap_or_default(),
            attendees: review.meeting.as_ref().map(|m| m.attendees.join(", ")).unwrap_or_default(),
            meeting,
            deadlines,
        }
    }
}

/// The post-mortem a form on its page was posted for: its id, the rules in force, and the
/// page to go back to.
pub struct PostedOn {
    pub id: String,
    pub rules: hindsight_app::Rules,
    pub page: String,
}

/// The post-mortem of the incident `handle` names, as the person who posted may see it.
pub async fn posted_on(state: &AppState, caller: &Caller, handle: &IncidentHandle) -> Result<PostedOn, PageError> {
    let postmortem = state.store.postmortem_of_incident(&caller.viewer, handle.number).await?;
    let page = format!("/incidents/{}/postmortem", postmortem.incident);
    Ok(PostedOn { id: postmortem.id, rules: state.rules_in_force().await?, page })
}

/// Usernames typed with commas or spaces, `@` allowed.
pub fn names(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(|u| u.trim().trim_start_matches('@'))
        .filter(|u| !u.is_empty())
        .map(str::to_string)
        .collect()
}

/// The reviewers' form.
#[derive(Debug, Default, Deserialize)]
pub struct ReviewersForm {
    #[serde(default)]
    reviewers: String,
}

/// `POST /incidents/{handle}/postmortem/reviewers` (editors).
pub async fn choose(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<ReviewersForm>,
) -> Result<Response, PageError> {
    let on = posted_on(&state, &posted.caller, &handle).await?;
    let names = names(&posted.form.reviewers);
    let chosen =
        hindsight_app::reviews::choose_reviewers(&state.store, &posted.caller.actor(), &on.id, &names, &on.rules).await;
    if let Err(e) = chosen {
        let typed = vec![("reviewers", posted.form.reviewers)];
        return super::document::refuse(&state, &posted.caller, &handle, "reviewers", typed, e).await;
    }
    Ok(see_other_with_notice(
        &on.page,
        &format!("Reviewers saved: {}.", view::plural(names.len() as i64, "reviewer", "reviewers")),
    ))
}

/// A reviewer's verdict from the page.
#[derive(Debug, Default, Deserialize)]
pub struct VerdictForm {
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    comment: String,
}

/// `POST /incidents/{handle}/postmortem/reviews`: approve, or ask for changes.
pub async fn verdict(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<VerdictForm>,
) -> Result<Response, PageError> {
    let typed = vec![("comment", posted.form.comment.clone())];
    let Ok(verdict) = posted.form.verdict.parse::<Verdict>() else {
        let refused = Refused::new("verdict", vec!["Choose Approve or Ask for changes.".into()], typed);
        return super::document::refused(&state, &posted.caller, &handle, refused).await;
    };
    let on = posted_on(&state, &posted.caller, &handle).await?;
    let new = NewReview { verdict, comment: posted.form.comment };
    if let Err(e) = hindsight_app::reviews::review(&state.store, &posted.caller.actor(), &on.id, &new).await {
        return super::document::refuse(&state, &posted.caller, &handle, "verdict", typed, e).await;
    }
    let notice = match verdict {
        Verdict::Approved => "Approved. Its owner is told.",
        Verdict::ChangesRequested => "Changes asked for. Its owner is told.",
    };
    Ok(see_other_with_notice(&on.page, notice))
}

/// The meeting's form.
#[derive(Debug, Default, Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    held_at: String,
    #[serde(default)]
    attendees: String,
}

/// `POST /incidents/{handle}/postmortem/review-meeting` (editors).
pub async fn meeting(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<MeetingForm>,
) -> Result<Response, PageError> {
    let typed = vec![("held_at", posted.form.held_at.clone()), ("attendees", posted.form.attendees.clone())];
    let held_at = match form_time("held_at", &posted.form.held_at) {
        Ok(Some(at)) => at,
        Ok(None) => {
            let refused = Refused::new("meeting", vec!["Say when the review meeting was held.".into()], typed);
            return super::document::refused(&state, &posted.caller, &handle, refused).await;
        }
        Err(e) => {
            return super::document::refused(&state, &posted.caller, &handle, Refused::new("meeting", vec![e], typed))
                .await;
        }
    };
    let on = posted_on(&state, &posted.caller, &handle).await?;
    let meeting = ReviewMeeting { held_at, attendees: names(&posted.form.attendees) };
    let recorded =
        hindsight_app::reviews::record_meeting(&state.store, &posted.caller.actor(), &on.id, &meeting, &on.rules).await;
    if let Err(e) = recorded {
        return super::document::refuse(&state, &posted.caller, &handle, "meeting", typed, e).await;
    }
    Ok(see_other_with_notice(&on.page, "Review meeting recorded."))
}
