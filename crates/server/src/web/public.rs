//! The public summaries: the card on a post-mortem's page where they are written and
//! published, and the pages anyone reads without signing in: `/public` (newest first),
//! `/public/{id}` and the Atom feed `/public/feed.atom`. The public pages show a summary's
//! own fields and nothing else of the record (see the store's `public_summaries`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hindsight_app::public_summaries::{self, PublicSummaryView};
use hindsight_core::{PublicPost, PublicSummaryDraft};
use serde::Deserialize;

use super::kit::{PageError, Posted, form_time, form_time_value, see_other_with_notice};
use super::reviews::posted_on;
use super::view;
use crate::api::IncidentHandle;
use crate::state::AppState;

/// What the post-mortem's page shows of its public summary.
pub struct SummaryCard {
    pub written: bool,
    pub title: String,
    pub body: String,
    /// The impact's start and end as the form's fields hold them.
    pub began: String,
    pub ended: String,
    /// When it was made public, and where it is; none while it is not.
    pub published: Option<(String, String)>,
    /// Blaming words the check found, as sentences.
    pub findings: Vec<String>,
}

impl SummaryCard {
    pub fn new(view: PublicSummaryView) -> SummaryCard {
        let findings = view
            .findings
            .iter()
            .flat_map(|field| {
                field.findings.iter().map(move |f| {
                    format!(
                        "{} (line {}): \u{201c}{}\u{201d}: {} {}",
                        field.field, f.line, f.matched, f.why, f.suggestion
                    )
                })
            })
            .collect();
        match view.summary {
            None => SummaryCard {
                written: false,
                title: String::new(),
                body: String::new(),
                began: String::new(),
                ended: String::new(),
                published: None,
                findings,
            },
            Some(summary) => SummaryCard {
                written: true,
                published: summary.published_at.map(|at| (view::when(at), format!("/public/{}", summary.postmortem))),
                title: summary.title,
                body: summary.body,
                began: form_time_value(summary.impact_began_at),
                ended: form_time_value(summary.impact_ended_at),
                findings,
            },
        }
    }
}

/// The public summary's form.
#[derive(Debug, Default, Deserialize)]
pub struct SummaryForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    impact_began_at: String,
    #[serde(default)]
    impact_ended_at: String,
}

/// `POST /incidents/{handle}/postmortem/public-summary` (editors).
pub async fn save(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<SummaryForm>,
) -> Result<Response, PageError> {
    let form = posted.form;
    let typed = vec![
        ("title", form.title.clone()),
        ("body", form.body.clone()),
        ("impact_began_at", form.impact_began_at.clone()),
        ("impact_ended_at", form.impact_ended_at.clone()),
    ];
    let times =
        (form_time("impact_began_at", &form.impact_began_at), form_time("impact_ended_at", &form.impact_ended_at));
    let (impact_began_at, impact_ended_at) = match times {
        (Ok(began), Ok(ended)) => (began, ended),
        (began, ended) => {
            let errors = [began.err(), ended.err()].into_iter().flatten().collect();
            let refused = super::document::Refused::new("summary", errors, typed);
            return super::document::refused(&state, &posted.caller, &handle, refused).await;
        }
    };
    let draft = PublicSummaryDraft { title: form.title, body: form.body, impact_began_at, impact_ended_at };
    let on = posted_on(&state, &posted.caller, &handle).await?;
    let saved = match public_summaries::put(&state.store, &posted.caller.actor(), &on.id, &draft).await {
        Ok(saved) => saved,
        Err(e) => return super::document::refuse(&state, &posted.caller, &handle, "summary", typed, e).await,
    };
    let notice = match (saved.summary.as_ref().and_then(|s| s.published_at), saved.findings.is_empty()) {
        (Some(_), _) => "Public summary saved; the public page shows the new words.",
        (None, true) => "Public summary saved. Publish it when the post-mortem is published.",
        (None, false) => "Public summary saved; the blameless check found wording to look at.",
    };
    Ok(see_other_with_notice(&format!("{}#public-summary", on.page), notice))
}

/// The publish form: `public=true` or `false`.
#[derive(Debug, Default, Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    public: String,
}

/// `POST /incidents/{handle}/postmortem/public-summary/publish` (editors).
pub async fn publish(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<PublishForm>,
) -> Result<Response, PageError> {
    let public = posted.form.public == "true";
    let on = posted_on(&state, &posted.caller, &handle).await?;
    public_summaries::publish(&state.store, &posted.caller.actor(), &on.id, public).await?;
    let notice = if public {
        "The public summary is on the public page now, and in its feed."
    } else {
        "The public summary is off the public page."
    };
    Ok(see_other_with_notice(&format!("{}#public-summary", on.page), notice))
}

/// A public summary as the public pages show it.
struct PostView {
    id: String,
    title: String,
    /// Sanitised HTML of its Markdown.
    body: String,
    impact: Option<String>,
    published: String,
}

fn post_view(post: &PublicPost) -> PostView {
    let impact = match (post.impact_began_at, post.impact_ended_at) {
        (Some(began), Some(ended)) => Some(format!("from {} to {}", view::when(began), view::when(ended))),
        (Some(began), None) => Some(format!("from {}", view::when(began))),
        (None, Some(ended)) => Some(format!("until {}", view::when(ended))),
        (None, None) => None,
    };
    PostView {
        id: post.id.clone(),
        title: post.title.clone(),
        body: hindsight_document::markdown_html(&post.body),
        impact,
        published: view::when(post.published_at),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "public_list.html")]
struct ListPage {
    posts: Vec<PostView>,
    older: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "public_post.html")]
struct PostPage {
    post: PostView,
}

/// `?before=` on the public list: the previous page's last publication time.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    before: Option<String>,
}

/// `GET /public`.
pub async fn list(State(state): State<AppState>, Query(params): Query<ListParams>) -> Result<Response, PageError> {
    let posts = public_summaries::posts(&state.store, params.before.as_deref().filter(|b| !b.is_empty())).await?;
    let older = (posts.len() as i64 == public_summaries::PUBLIC_PAGE)
        .then(|| posts.last().map(|p| format!("/public?before={}", rfc3339(p.published_at))))
        .flatten();
    Ok(ListPage { posts: posts.iter().map(post_view).collect(), older }.into_response())
}

/// `GET /public/{id}`.
pub async fn post(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, PageError> {
    let post = public_summaries::post(&state.store, &id).await.map_err(|_| {
        PageError::new(StatusCode::NOT_FOUND, "There is no public summary here: see the list at /public.")
    })?;
    Ok(PostPage { post: post_view(&post) }.into_response())
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// `GET /public/feed.atom`: the newest public summaries as an Atom feed, their text as
/// sanitised HTML.
pub async fn feed(State(state): State<AppState>) -> Result<Response, PageError> {
    let posts = public_summaries::posts(&state.store, None).await?;
    let base = state.settings.public_url.clone().unwrap_or_default();
    let base = base.trim_end_matches('/');
    let entries: Vec<atom_syndication::Entry> = posts
        .iter()
        .map(|post| {
            let link = format!("{base}/public/{}", post.id);
            atom_syndication::EntryBuilder::default()
                .id(format!("urn:hindsight:public:{}", post.id))
                .title(post.title.clone())
                .updated(fixed(post.updated_at))
                .published(Some(fixed(post.published_at)))
                .links(vec![atom_syndication::LinkBuilder::default().href(link).build()])
                .content(Some(
                    atom_syndication::ContentBuilder::default()
                        .content_type(Some("html".to_string()))
                        .value(Some(hindsight_document::markdown_html(&post.body)))
                        .build(),
                ))
                .build()
        })
        .collect();
    let updated = posts.iter().map(|p| p.updated_at).max().unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    // An Atom id is an absolute IRI that never changes: the feed's address when it is
    // known, else a name of its own. Links stay relative without it (readers resolve them
    // against the feed's own address).
    let id = if base.is_empty() { "urn:hindsight:public:feed".to_string() } else { format!("{base}/public/feed.atom") };
    let feed = atom_syndication::FeedBuilder::default()
        .id(id)
        .title("Incident summaries")
        .updated(fixed(updated))
        .links(vec![
            atom_syndication::LinkBuilder::default().href(format!("{base}/public")).build(),
            atom_syndication::LinkBuilder::default().href(format!("{base}/public/feed.atom")).rel("self").build(),
        ])
        .entries(entries)
        .build();
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], feed.to_string()).into_response())
}

/// A time as the feed's date type holds it.
fn fixed(at: time::OffsetDateTime) -> atom_syndication::FixedDateTime {
    atom_syndication::FixedDateTime::parse_from_rfc3339(&rfc3339(at)).unwrap_or_default()
}
