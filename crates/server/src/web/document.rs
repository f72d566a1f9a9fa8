//! The post-mortem as a document to read and print (`/incidents/{handle}/postmortem`),
//! its Markdown download, its history of changes (`/incidents/{handle}/postmortem/history`),
//! and its first draft written from the timeline (`POST /incidents/{handle}/postmortem/draft`
//! fills the empty sections; `?draft=shown` shows the draft beside the sections already written).
//!
//! The document body is the document crate's HTML (`hindsight_document::to_html`: comrak, then
//! ammonia over every user text), placed inside our page. Drafts are readable too and
//! marked as such. The store decides visibility, so a private incident's post-mortem
//! is a 404 for anyone who may not see the incident.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hindsight_core::{FieldChange, PostmortemStatus};
use serde::Deserialize;
use serde_json::Value;

use super::kit::{Chrome, NoFields, Notice, PageError, Posted, Signed, urlencode};
use super::view::{self, Label};
use crate::api::IncidentHandle;
use crate::state::AppState;

/// Changes shown per page of history.
const HISTORY_PAGE: usize = 20;
/// Text longer than this is shown as the part that changed, with some context.
const LONG_TEXT: usize = 160;
/// Characters of unchanged text kept on each side of a change.
const CONTEXT: usize = 40;
/// Most characters of one side of a change shown; a longer change is cut with `…`.
const MAX_SHOWN: usize = 2 * LONG_TEXT;

#[derive(Template, WebTemplate)]
#[template(path = "postmortem_view.html")]
struct DocumentPage {
    chrome: Chrome,
    handle: String,
    title: String,
    /// `draft`, `in_review`, `published` or `archived`.
    status: String,
    status_words: String,
    version: i64,
    /// Sanitised by the document crate's rendering.
    body: String,
    /// Its discussion's threads, and how many are open.
    threads: usize,
    open_threads: usize,
    readers: super::readers::ReadersView,
    review: super::reviews::ReviewView,
    summary: super::public::SummaryCard,
    draft: DraftCard,
    factors: super::factors::FactorsCard,
    covers: super::covers::CoversCard,
    /// A form of the page that was refused, with its errors and what was typed.
    refused: Refused,
}

/// The first draft's card: its button while the post-mortem is being written, and once asked
/// for, the draft of each section someone has written, beside their text.
struct DraftCard {
    /// The post-mortem is a draft or in review, so a draft may be written into it.
    open: bool,
    shown: Option<DraftShown>,
}

/// The draft as the card shows it.
struct DraftShown {
    /// The timeline has no events: nothing to write from.
    nothing: bool,
    /// The empty sections the draft would fill, as words (`Summary, Detection`).
    fills: String,
    offered: Vec<OfferedView>,
}

/// A section someone has written, and its draft.
struct OfferedView {
    label: &'static str,
    /// Both sanitised by the document crate's Markdown rendering.
    current: String,
    draft: String,
    /// The draft's Markdown, to copy into the editor.
    markdown: String,
}

impl DraftShown {
    fn new(first: hindsight_app::first_draft::FirstDraft) -> DraftShown {
        DraftShown {
            nothing: first.draft.is_empty(),
            fills: first.filled.iter().map(|s| s.label()).collect::<Vec<_>>().join(", "),
            offered: first
                .offered
                .into_iter()
                .map(|o| OfferedView {
                    label: o.section.label(),
                    current: hindsight_document::markdown_html(&o.current),
                    draft: hindsight_document::markdown_html(&o.draft.markdown),
                    markdown: o.draft.markdown,
                })
                .collect(),
        }
    }
}

/// What the page is asked to show besides the document: `?draft=shown` the first draft.
#[derive(Debug, Default, Deserialize)]
pub struct DocumentQuery {
    #[serde(default)]
    draft: Option<String>,
}

/// A form on the post-mortem's page that was refused: the page is shown again with the
/// errors beside it and what was typed in it, rather than an error page.
#[derive(Debug, Default)]
pub struct Refused {
    /// `verdict`, `reviewers`, `meeting`, `readers`, `summary` or `draft`.
    form: &'static str,
    errors: Vec<String>,
    /// Field to the value as typed.
    typed: Vec<(&'static str, String)>,
}

impl Refused {
    pub fn new(form: &'static str, errors: Vec<String>, typed: Vec<(&'static str, String)>) -> Refused {
        Refused { form, errors, typed }
    }

    /// The errors of `form`, if it is the one refused.
    pub fn errors_of(&self, form: &str) -> &[String] {
        if self.form == form { &self.errors } else { &[] }
    }

    /// What was typed in `field` of `form` if it is the one refused, else `stored`.
    pub fn value<'a>(&'a self, form: &str, field: &str, stored: &'a str) -> &'a str {
        match self.typed.iter().find(|(name, _)| self.form == form && *name == field) {
            Some((_, typed)) => typed,
            None => stored,
        }
    }

    /// Whether `form` is the one refused.
    pub fn is(&self, form: &str) -> bool {
        self.form == form
    }
}

/// The inside of the document crate's standalone page: everything in its `<main>`.
fn document_body(page: &str) -> &str {
    page.split_once("<main>").and_then(|(_, rest)| rest.rsplit_once("</main>")).map(|(body, _)| body).unwrap_or("")
}

/// `GET /incidents/{handle}/postmortem`.
pub async fn read(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
    handle: IncidentHandle,
    Query(query): Query<DocumentQuery>,
) -> Result<Response, PageError> {
    let chrome = Chrome::of(&caller).with_notice(notice);
    let show_draft = query.draft.is_some_and(|d| !d.is_empty());
    Ok(page(&state, &caller, chrome, handle.number, Refused::default(), show_draft).await?.into_response())
}

/// `POST /incidents/{handle}/postmortem/draft` (editors): writes the first draft into the empty
/// sections, then shows the page with the draft beside the sections already written.
pub async fn write_draft(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let on = super::reviews::posted_on(&state, &posted.caller, &handle).await?;
    let written = hindsight_app::first_draft::write(&state.store, &posted.caller.actor(), &on.id, &on.rules).await;
    let first = match written {
        Ok(first) => first,
        Err(e) => return refuse(&state, &posted.caller, &handle, "draft", Vec::new(), e).await,
    };
    let notice = if first.draft.is_empty() {
        "The timeline has no events yet: there was nothing to write a draft from.".to_string()
    } else if !first.filled.is_empty() {
        let filled: Vec<&str> = first.filled.iter().map(|s| s.label()).collect();
        let also = if first.offered.is_empty() { "" } else { " The sections already written kept their text." };
        format!("A first draft was written into: {}.{also}", filled.join(", "))
    } else if !first.offered.is_empty() {
        "Every section the draft writes already had text, which was kept: the draft is shown beside it.".to_string()
    } else {
        "The sections already hold this draft: nothing to add.".to_string()
    };
    let to = format!("{}?draft=shown&notice={}#first-draft", on.page, urlencode(&notice));
    Ok(axum::response::Redirect::to(&to).into_response())
}

/// The post-mortem's page again, answered 422, with `refused` beside its form.
pub async fn refused(
    state: &AppState,
    caller: &crate::auth::Caller,
    handle: &IncidentHandle,
    refused: Refused,
) -> Result<Response, PageError> {
    let page = page(state, caller, Chrome::of(caller), handle.number, refused, false).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Answers `error` as the post-mortem's page again with `form`'s errors beside it and what
/// was `typed`, when it is a refusal of what was typed; as an error page otherwise.
pub async fn refuse(
    state: &AppState,
    caller: &crate::auth::Caller,
    handle: &IncidentHandle,
    form: &'static str,
    typed: Vec<(&'static str, String)>,
    error: impl Into<crate::error::ApiError>,
) -> Result<Response, PageError> {
    let errors = super::admin::form_errors(error)?;
    refused(state, caller, handle, Refused::new(form, errors, typed)).await
}

async fn page(
    state: &AppState,
    caller: &crate::auth::Caller,
    chrome: Chrome,
    number: i64,
    refused: Refused,
    show_draft: bool,
) -> Result<DocumentPage, PageError> {
    let doc = hindsight_app::analysis::document(&state.store, &caller.viewer, number).await?;
    let html = hindsight_document::to_html(&doc);
    let status = doc.postmortem.status;
    let comments = state.store.comments(&caller.viewer, &doc.postmortem.id).await?;
    let threads = hindsight_core::comment_threads(&comments);
    let rules = state.rules_in_force().await?;
    let actor = caller.actor();
    let reading = hindsight_app::readers::reading_of(&state.store, &actor, &doc.postmortem, &rules).await?;
    let teams = state.store.list_teams().await?;
    let readers = super::readers::ReadersView::new(reading, &caller.viewer.username, teams);
    let review = hindsight_app::reviews::state_of(&state.store, &actor, &doc.postmortem, &doc.incident, &rules).await?;
    let today = time::OffsetDateTime::now_utc().date();
    let review = super::reviews::ReviewView::new(review, &caller.viewer.username, status, today);
    let summary = hindsight_app::public_summaries::get(&state.store, &actor, &doc.postmortem.id).await?;
    let summary = super::public::SummaryCard::new(summary);
    let shown = if show_draft {
        let first = hindsight_app::first_draft::preview(&state.store, &actor, &doc.postmortem.id, &rules).await?;
        Some(DraftShown::new(first))
    } else {
        None
    };
    let draft = DraftCard { open: matches!(status, PostmortemStatus::Draft | PostmortemStatus::InReview), shown };
    let tagged = hindsight_app::factors::of_postmortem(&state.store, &actor, &rules, &doc.postmortem.id).await?;
    let factors = super::factors::FactorsCard::new(&rules.factors, &tagged);
    let covered = hindsight_app::covers::incidents_of(&state.store, &actor, &doc.postmortem.id).await?;
    let merged = if covered.covers.is_empty() {
        Vec::new()
    } else {
        hindsight_app::covers::merged_timeline(&state.store, &actor, &doc.postmortem.id).await?
    };
    let covers = super::covers::CoversCard::new(&covered, merged);
    Ok(DocumentPage {
        chrome,
        handle: doc.incident.handle.clone(),
        title: doc.incident.title.clone(),
        status: status.as_str().to_string(),
        status_words: match status {
            PostmortemStatus::Draft => "Draft".into(),
            PostmortemStatus::InReview => "In review".into(),
            PostmortemStatus::Published => "Published".into(),
            PostmortemStatus::Archived => "Archived".into(),
        },
        version: doc.postmortem.version,
        body: document_body(&html).to_string(),
        threads: threads.len(),
        open_threads: threads.iter().filter(|(first, _)| first.resolved_at.is_none()).count(),
        readers,
        review,
        summary,
        draft,
        factors,
        covers,
        refused,
    })
}

/// What a download asks for besides the document: `?discussion=true` adds the discussion
/// as an appendix.
#[derive(Debug, Default, Deserialize)]
pub struct Download {
    #[serde(default)]
    discussion: Option<String>,
}

impl Download {
    async fn document(
        &self,
        state: &AppState,
        caller: &crate::auth::Caller,
        number: i64,
    ) -> Result<hindsight_core::document::PostmortemDocument, PageError> {
        let discussion = matches!(self.discussion.as_deref(), Some("true" | "1" | "yes"));
        Ok(hindsight_app::analysis::document_with(&state.store, &caller.viewer, number, discussion).await?)
    }
}

/// `GET /incidents/{handle}/postmortem/markdown`: the document as a Markdown file.
pub async fn markdown(
    State(state): State<AppState>,
    Signed(caller): Signed,
    handle: IncidentHandle,
    Query(download): Query<Download>,
) -> Result<Response, PageError> {
    let doc = download.document(&state, &caller, handle.number).await?;
    let filename = format!("{}-postmortem.md", doc.incident.handle);
    Ok((
        [
            (header::CONTENT_TYPE, "text/markdown; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        hindsight_document::to_markdown(&doc),
    )
        .into_response())
}

/// `GET /incidents/{handle}/postmortem/export.html`: the standalone, printable HTML page as a file.
pub async fn html_file(
    State(state): State<AppState>,
    Signed(caller): Signed,
    handle: IncidentHandle,
    Query(download): Query<Download>,
) -> Result<Response, PageError> {
    let doc = download.document(&state, &caller, handle.number).await?;
    let filename = format!("{}-postmortem.html", doc.incident.handle);
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        hindsight_document::to_html(&doc),
    )
        .into_response())
}

/// `GET /incidents/{handle}/postmortem/export.pdf`: the typeset PDF, in a build with the
/// `pdf` feature; otherwise a page saying how to get one.
pub async fn pdf_file(
    State(state): State<AppState>,
    Signed(caller): Signed,
    handle: IncidentHandle,
    Query(download): Query<Download>,
) -> Result<Response, PageError> {
    let doc = download.document(&state, &caller, handle.number).await?;
    let filename = format!("{}-postmortem.pdf", doc.incident.handle);
    // Typesetting takes tens of milliseconds of CPU: keep it off the async workers.
    let pdf = tokio::task::spawn_blocking(move || hindsight_document::to_pdf(&doc))
        .await
        .map_err(|e| PageError::from(crate::error::ApiError::Internal(format!("PDF rendering stopped: {e}"))))?;
    match pdf {
        Ok(bytes) => Ok((
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            ],
            bytes,
        )
            .into_response()),
        Err(hindsight_document::PdfError::NotBuilt) => Err(PageError::new(
            StatusCode::NOT_IMPLEMENTED,
            "This Hindsight was built without PDF support. Build it with `cargo build --release --features pdf` \
             to export PDFs; the HTML export prints to PDF from any browser meanwhile.",
        )),
        Err(other) => Err(PageError::from(crate::error::ApiError::Internal(other.to_string()))),
    }
}

/// Whether this build typesets PDFs (the `pdf` feature), so pages offer the PDF export.
pub const PDF_BUILT: bool = cfg!(feature = "pdf");

#[derive(Template, WebTemplate)]
#[template(path = "postmortem_history.html")]
struct HistoryPage {
    chrome: Chrome,
    handle: String,
    title: String,
    entries: Vec<HistoryEntry>,
    total: usize,
    page: usize,
    pages: usize,
}

struct HistoryEntry {
    version: i64,
    actor: String,
    at: String,
    /// Why the change was made, when the person said.
    reason: Option<String>,
    changes: Vec<ChangeView>,
}

/// One field's change, readable.
struct ChangeView {
    field: String,
    old: String,
    new: String,
    /// Long text: only the changed part is shown, with a little context.
    compact: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct HistoryQuery {
    #[serde(default)]
    page: Option<String>,
}

/// `GET /incidents/{handle}/postmortem/history?page=N`: newest first.
pub async fn history(
    State(state): State<AppState>,
    Signed(caller): Signed,
    handle: IncidentHandle,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, PageError> {
    let number = handle.number;
    let postmortem = state.store.postmortem_of_incident(&caller.viewer, number).await?;
    let mut changes = state.store.postmortem_history(&caller.viewer, &postmortem.id).await?;
    changes.reverse();
    let total = changes.len();
    let pages = total.div_ceil(HISTORY_PAGE).max(1);
    let page = query.page.as_deref().and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
    let entries = changes
        .into_iter()
        .skip((page - 1) * HISTORY_PAGE)
        .take(HISTORY_PAGE)
        .map(|change| HistoryEntry {
            version: change.version,
            actor: change.actor.unwrap_or_else(|| "Hindsight".into()),
            at: view::when(change.at),
            reason: change.reason.clone(),
            changes: change.changes.iter().flat_map(readable_changes).collect(),
        })
        .collect();
    let page = HistoryPage {
        chrome: Chrome::of(&caller),
        handle: postmortem.incident.clone(),
        title: postmortem.incident_title.clone(),
        entries,
        total,
        page,
        pages,
    };
    Ok(page.into_response())
}

/// A field change as people read it: objects are opened to the fields that changed,
/// long texts shortened to the part that changed.
fn readable_changes(change: &FieldChange) -> Vec<ChangeView> {
    let mut out = Vec::new();
    open_change(&field_words(&change.field), &change.old, &change.new, &mut out);
    out
}

fn open_change(field: &str, old: &Value, new: &Value, out: &mut Vec<ChangeView>) {
    let empty = serde_json::Map::new();
    let fields = |value: &Value| match value {
        Value::Object(fields) => Some(fields.clone()),
        Value::Null => Some(empty.clone()),
        _ => None,
    };
    if (old.is_object() || new.is_object())
        && let (Some(old_fields), Some(new_fields)) = (fields(old), fields(new))
    {
        let mut keys: Vec<&String> = old_fields.keys().chain(new_fields.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let (before, after) =
                (old_fields.get(key).unwrap_or(&Value::Null), new_fields.get(key).unwrap_or(&Value::Null));
            if before != after {
                open_change(&format!("{field} › {}", key.replace('_', " ")), before, after, out);
            }
        }
        return;
    }
    // Lists of records (recommendations, people) are opened item by item.
    let items = |value: &Value| match value {
        Value::Array(items) => Some(items.clone()),
        Value::Null => Some(Vec::new()),
        _ => None,
    };
    let records = |value: &Value| value.as_array().is_some_and(|items| items.iter().any(Value::is_object));
    if (records(old) || records(new))
        && let (Some(before), Some(after)) = (items(old), items(new))
    {
        for index in 0..before.len().max(after.len()) {
            let (b, a) = (before.get(index).unwrap_or(&Value::Null), after.get(index).unwrap_or(&Value::Null));
            if b != a {
                open_change(&format!("{field} › item {}", index + 1), b, a, out);
            }
        }
        return;
    }
    let (old, new) = (value_text(old), value_text(new));
    let long = old.chars().count() > LONG_TEXT || new.chars().count() > LONG_TEXT;
    let (old, new) = if long { changed_part(&old, &new) } else { (old, new) };
    out.push(ChangeView { field: field.to_string(), old, new, compact: long });
}

/// `sections.root_cause` as `Root cause`, `status` as `Status`.
fn field_words(path: &str) -> String {
    let last = path.strip_prefix("sections.").unwrap_or(path).replace('.', " › ").replace('_', " ");
    let mut chars = last.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => last,
    }
}

/// A stored value as text: strings as they are, nothing as "(empty)".
fn value_text(value: &Value) -> String {
    match value {
        Value::Null => "(empty)".into(),
        Value::String(s) if s.is_empty() => "(empty)".into(),
        Value::String(s) => {
            // Times read as times, with their zone; model words as words.
            if let Ok(at) = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
                view::when_seconds(at)
            } else if let Ok(status) = s.parse::<hindsight_core::PostmortemStatus>() {
                status.label().to_string()
            } else if let Ok(status) = s.parse::<hindsight_core::ActionItemStatus>() {
                status.label().to_string()
            } else {
                s.clone()
            }
        }
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.is_empty() => "(empty)".into(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        Value::Object(fields) => fields
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{}: {}", k.replace('_', " "), value_text(v)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The parts of `old` and `new` that differ, with up to [`CONTEXT`] characters of what
/// they share on each side, at most [`MAX_SHOWN`] characters each, and `…` where text
/// was left out.
fn changed_part(old: &str, new: &str) -> (String, String) {
    let (a, b): (Vec<char>, Vec<char>) = (old.chars().collect(), new.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = a.iter().rev().zip(b.iter().rev()).take(max_suffix).take_while(|(x, y)| x == y).count();
    let start = prefix.saturating_sub(CONTEXT);
    let cut = |text: &[char]| {
        let end = (text.len() - suffix + CONTEXT).min(text.len());
        let mut shown = String::new();
        if start > 0 {
            shown.push('…');
        }
        let cut_end = end.min(start + MAX_SHOWN);
        shown.extend(&text[start..cut_end]);
        if cut_end < text.len() {
            shown.push('…');
        }
        shown
    };
    (cut(&a), cut(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_texts_show_the_changed_part_with_context() {
        let shared_start = "a".repeat(200);
        let shared_end = "z".repeat(200);
        let old = format!("{shared_start}the pool kept old connections{shared_end}");
        let new = format!("{shared_start}the pool kept stale connections{shared_end}");
        let (before, after) = changed_part(&old, &new);
        assert!(before.starts_with('…') && before.ends_with('…'), "{before}");
        assert!(before.contains("old connections") && !before.contains("stale"), "{before}");
        assert!(after.contains("stale connections"), "{after}");
        assert!(before.chars().count() < 2 * CONTEXT + 30, "{before}");
    }

    #[test]
    fn text_added_at_the_end_keeps_what_came_before_it_as_context() {
        let old = "x".repeat(300);
        let new = format!("{old} and more");
        let (before, after) = changed_part(&old, &new);
        assert_eq!(before, format!("…{}", "x".repeat(CONTEXT)));
        assert_eq!(after, format!("…{} and more", "x".repeat(CONTEXT)));
    }

    #[test]
    fn a_long_text_written_from_nothing_is_cut() {
        let new = "word ".repeat(200);
        let (before, after) = changed_part("(empty)", &new);
        assert_eq!(before, "(empty)");
        assert_eq!(after.chars().count(), MAX_SHOWN + 1);
        assert!(after.ends_with('…'));
    }

    #[test]
    fn section_objects_open_to_the_fields_that_changed() {
        let change = FieldChange {
            field: "sections.root_cause".into(),
            old: json!({"description": "Pool", "certainty": "suspected", "component": "db"}),
            new: json!({"description": "Pool", "certainty": "confirmed", "component": "db"}),
        };
        let views = readable_changes(&change);
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].field, "Root cause › certainty");
        assert_eq!((views[0].old.as_str(), views[0].new.as_str()), ("suspected", "confirmed"));
        assert!(!views[0].compact);
    }

    #[test]
    fn lists_of_records_open_item_by_item_in_words() {
        let change = FieldChange {
            field: "sections.action_items".into(),
            old: json!([{"title": "Alert on pool", "owner_team": "db"}]),
            new: json!([{"title": "Alert on pool", "owner_team": "platform"}, {"title": "Runbook", "owner_team": null}]),
        };
        let views = readable_changes(&change);
        let shown: Vec<_> = views.iter().map(|v| (v.field.as_str(), v.old.as_str(), v.new.as_str())).collect();
        assert_eq!(
            shown,
            [
                ("Action items › item 1 › owner team", "db", "platform"),
                ("Action items › item 2 › title", "(empty)", "Runbook"),
            ]
        );
        let tags = FieldChange { field: "services".into(), old: json!([]), new: json!(["api", "db"]) };
        let views = readable_changes(&tags);
        assert_eq!((views[0].old.as_str(), views[0].new.as_str()), ("(empty)", "api, db"));
        assert!(views.iter().all(|v| !v.new.contains('{') && !v.new.contains('"')));
    }

    #[test]
    fn empty_values_read_as_empty() {
        let change = FieldChange { field: "owner".into(), old: Value::Null, new: json!("ana") };
        let views = readable_changes(&change);
        assert_eq!(
            (views[0].field.as_str(), views[0].old.as_str(), views[0].new.as_str()),
            ("Owner", "(empty)", "ana")
        );
    }

    #[test]
    fn the_document_body_is_what_the_document_crate_puts_in_main() {
        assert_eq!(document_body("<html><body><main>\n<h1>T</h1>\n</main></body>"), "\n<h1>T</h1>\n");
        assert_eq!(document_body("no main here"), "");
    }
}
