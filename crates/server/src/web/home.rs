//! The home page: what needs the signed-in person. Their open action items (overdue
//! first), the post-mortems they own that are not published, the post-mortems in
//! review they should review, drafts past their due date, and the unresolved
//! incidents they respond to. One store query per list, each through the same
//! visibility rule as every other page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use hindsight_core::{Postmortem, PostmortemStatus};
use hindsight_store::{ActionItemFilter, RespondedIncident};
use time::Date;

use super::action_items::{ItemView, statuses, today, views};
use super::kit::{Chrome, Notice, PageError, Signed};
use super::view::{self, Label};
use crate::state::AppState;

/// A post-mortem as the home page lists it.
struct PostmortemView {
    incident: String,
    incident_title: String,
    status: String,
    status_label: String,
    owner: String,
    due: String,
    overdue: bool,
}

impl PostmortemView {
    fn new(pm: &Postmortem, today: Date) -> PostmortemView {
        PostmortemView {
            incident: pm.incident.clone(),
            incident_title: pm.incident_title.clone(),
            status: pm.status.as_str().to_string(),
            status_label: pm.status.label().to_string(),
            owner: pm.owner.clone().unwrap_or_default(),
            due: pm.due_date.map(|d| d.to_string()).unwrap_or_default(),
            overdue: pm.status != PostmortemStatus::Published
                && pm.status != PostmortemStatus::Archived
                && pm.due_date.is_some_and(|due| due < today),
        }
    }
}

/// One list of post-mortems on the page, with what it holds and what it would hold.
struct PostmortemSection {
    id: &'static str,
    title: &'static str,
    /// The count's words in the summary line.
    short: &'static str,
    help: &'static str,
    empty: &'static str,
    list: Vec<PostmortemView>,
}

impl PostmortemSection {
    fn new(id: &'static str, words: [&'static str; 4], list: &[Postmortem], today: Date) -> PostmortemSection {
        let [title, short, help, empty] = words;
        let list = list.iter().map(|pm| PostmortemView::new(pm, today)).collect();
        PostmortemSection { id, title, short, help, empty, list }
    }
}

/// An incident the person responds to, as listed.
struct ResponseView {
    handle: String,
    title: String,
    severity: String,
    severity_label: String,
    status: String,
    private: bool,
    role: String,
    began: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    items: Vec<ItemView>,
    overdue_items: usize,
    postmortems: Vec<PostmortemSection>,
    responding: Vec<ResponseView>,
    /// For the status forms on the items.
    back: String,
    statuses: Vec<(&'static str, String)>,
}

pub async fn home(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
) -> Result<Response, PageError> {
    let viewer = &caller.viewer;
    let today = today();
    let mine = ActionItemFilter {
        assigned_to: Some(viewer.username.clone()),
        unfinished: true,
        ..ActionItemFilter::default()
    };
    let items = views(&state.store.action_items_by_due_date(viewer, &mine, hindsight_store::MAX_PAGE).await?);
    let owned = state.store.my_unpublished_postmortems(viewer).await?;
    let to_review = state.store.postmortems_for_me_to_review(viewer).await?;
    let overdue_drafts = state.store.overdue_draft_postmortems(viewer, today).await?;
    let responding = state.store.open_incidents_i_respond_to(viewer).await?;
    let labels = &state.settings.severity_labels;
    let page = HomePage {
        chrome: Chrome::of(&caller).with_notice(notice),
        overdue_items: items.iter().filter(|i| i.overdue).count(),
        items,
        postmortems: vec![
            PostmortemSection::new(
                "owned",
                [
                    "Post-mortems I own",
                    "to finish",
                    "Yours, in draft or in review: not yet published.",
                    "None. Post-mortems you own appear here until they are published.",
                ],
                &owned,
                today,
            ),
            PostmortemSection::new(
                "review",
                [
                    "Post-mortems to review",
                    "to review",
                    "In review, owned by someone else, of incidents that name one of your teams or affect a \
                     service one of your teams owns.",
                    "Nothing to review. When a post-mortem about your teams' incidents or services goes to \
                     review, it appears here.",
                ],
                &to_review,
                today,
            ),
            PostmortemSection::new(
                "late-drafts",
                [
                    "Drafts past their due date",
                    "late drafts",
                    "Post-mortems still in draft after their due date, of incidents you can see.",
                    "No late drafts. Drafts whose due date has passed appear here.",
                ],
                &overdue_drafts,
                today,
            ),
        ],
        responding: responding
            .iter()
            .map(|i: &RespondedIncident| ResponseView {
                handle: i.handle.clone(),
                title: i.title.clone(),
                severity: i.severity.to_string(),
                severity_label: labels.get(&i.severity.to_string()).cloned().unwrap_or_default(),
                status: i.status.to_string(),
                private: i.private,
                role: i.role.label().to_string(),
                began: view::when(i.began_at),
            })
            .collect(),
        back: "/".into(),
        statuses: statuses(),
    };
    Ok(page.into_response())
}
