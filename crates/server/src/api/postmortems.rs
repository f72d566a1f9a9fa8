//! `/api/v1/postmortems`: one post-mortem per incident, its sections, its review
//! status and its history.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hindsight_app::first_draft::FirstDraft;
use hindsight_app::postmortems::ImportedDocument;
use hindsight_core::{
    NewPostmortem, Postmortem, PostmortemChange, PostmortemPatch, PostmortemStatus, SectionName, SectionsPatch,
};
use hindsight_store::PostmortemFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{IncidentHandle, Page, query_word};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::json::{JsonBody, Params, refuse_nul_in_fields};
use crate::state::AppState;

/// Filters of the post-mortem list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostmortemQuery {
    /// draft, in_review, published or archived.
    pub status: Option<String>,
    /// Username of the owner.
    pub owner: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A new value for one section, based on the version you read.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionUpdate {
    pub version: i64,
    /// The section's new content, shaped as in `Sections`.
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
}

/// The content security policy of an exported HTML document: its own inline style, no
/// scripts, nothing loaded from anywhere.
const EXPORT_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// A move to another review status, based on the version you read.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub version: i64,
    pub status: PostmortemStatus,
}

fn section_name(name: &str) -> Result<SectionName, ApiError> {
    name.parse().map_err(|e: hindsight_core::UnknownWord| ApiError::NotFound(e.to_string()))
}

/// Post-mortems of incidents you may see, newest first.
#[utoipa::path(get, path = "/api/v1/postmortems", tag = "postmortems", params(PostmortemQuery), responses(
    (status = 200, description = "A page of post-mortems", body = Page<Postmortem>),
    (status = 400, description = "A bad filter", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<PostmortemQuery>,
) -> Result<Json<Page<Postmortem>>, ApiError> {
    let filter = PostmortemFilter {
        status: query_word("status", query.status.as_deref())?,
        owner: query.owner.clone().filter(|o| !o.is_empty()),
    };
    let page = state
        .store
        .list_postmortems(&caller.viewer, &filter, query.cursor.as_deref(), query.limit.unwrap_or(50))
        .await?;
    Ok(Json(page.into()))
}

/// The post-mortem of an incident.
#[utoipa::path(get, path = "/api/v1/incidents/{handle}/postmortem", tag = "postmortems",
    params(("handle" = String, Path, description = "e.g. INC-42")), responses(
    (status = 200, description = "The post-mortem", body = Postmortem),
    (status = 404, description = "No post-mortem yet, or the incident is not visible to you", body = Problem)))]
pub async fn of_incident(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
) -> Result<Json<Postmortem>, ApiError> {
    Ok(Json(state.store.postmortem_of_incident(&caller.viewer, handle.number).await?))
}

/// Start the post-mortem of an incident (one per incident).
#[utoipa::path(post, path = "/api/v1/incidents/{handle}/postmortem", tag = "postmortems",
    params(("handle" = String, Path, description = "e.g. INC-42")), request_body = NewPostmortem, responses(
    (status = 201, description = "Started as a draft", body = Postmortem),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such incident", body = Problem),
    (status = 409, description = "The incident already has one", body = Problem),
    (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    JsonBody(new): JsonBody<NewPostmortem>,
) -> Result<(StatusCode, Json<Postmortem>), ApiError> {
    let rules = state.rules_in_force().await?;
    let postmortem =
        hindsight_app::postmortems::start(&state.store, &caller.actor(), handle.number, new, &rules).await?;
    Ok((StatusCode::CREATED, Json(postmortem)))
}

/// Import a post-mortem document: Markdown with front matter, as `format=md` exports it (or
/// as written by hand or by another tool in that form). It is stored as a new incident with
/// its post-mortem, action items and timeline, the post-mortem moved to the status the
/// document gives. A document that does not read is refused naming its line; nothing is kept
/// of a refused document.
#[utoipa::path(post, path = "/api/v1/postmortems/import", tag = "postmortems",
    request_body(content = String, content_type = "text/markdown", description = "The document, UTF-8"), responses(
    (status = 201, description = "Stored as a new incident", body = ImportedDocument),
    (status = 400, description = "The body is not UTF-8 text", body = Problem),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 413, description = "Larger than the server's max_body_bytes", body = Problem),
    (status = 422, description = "The document does not read (the problem names the line), or a part of it is invalid", body = Problem)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportedDocument>), ApiError> {
    caller.require_write()?;
    let text = std::str::from_utf8(&body).map_err(|e| ApiError::BadRequest {
        detail: format!("the document is not UTF-8 text (byte {}): send Markdown as UTF-8", e.valid_up_to()),
        field: None,
    })?;
    refuse_nul_in_fields([("document", text)])?;
    let imported = hindsight_app::postmortems::import_document(&state.store, &caller.actor(), text).await?;
    Ok((StatusCode::CREATED, Json(imported)))
}

/// One post-mortem.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}", tag = "postmortems", params(("id" = String, Path)), responses(
    (status = 200, description = "The post-mortem", body = Postmortem),
    (status = 404, description = "No such post-mortem", body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Postmortem>, ApiError> {
    Ok(Json(state.store.postmortem(&caller.viewer, &id).await?))
}

/// Change sections, owner or due date, based on the version you read.
#[utoipa::path(patch, path = "/api/v1/postmortems/{id}", tag = "postmortems", params(("id" = String, Path)), request_body = PostmortemPatch, responses(
    (status = 200, description = "Changed", body = Postmortem),
    (status = 400, description = "The body is not a patch (an unknown section, a section of the wrong shape); the problem names the field", body = Problem),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such post-mortem", body = Problem),
    (status = 409, description = "Changed by someone else since your version", body = Problem),
    (status = 422, description = "Invalid fields", body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<PostmortemPatch>,
) -> Result<Json<Postmortem>, ApiError> {
    Ok(Json(hindsight_app::postmortems::change(&state.store, &caller.actor(), &id, patch).await?))
}

/// Delete a post-mortem and its history. Admins only.
#[utoipa::path(delete, path = "/api/v1/postmortems/{id}", tag = "postmortems", params(("id" = String, Path)), responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "Admins only", body = Problem),
    (status = 404, description = "No such post-mortem", body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    hindsight_app::postmortems::delete(&state.store, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One section of a post-mortem.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/sections/{section}", tag = "postmortems",
    params(("id" = String, Path), ("section" = SectionName, Path)), responses(
    (status = 200, description = "The section's content", body = Object),
    (status = 404, description = "No such post-mortem or section", body = Problem)))]
pub async fn get_section(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, section)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let section = section_name(&section)?;
    Ok(Json(state.store.postmortem(&caller.viewer, &id).await?.sections.section(section)))
}

/// Replace one section, based on the version you read.
#[utoipa::path(put, path = "/api/v1/postmortems/{id}/sections/{section}", tag = "postmortems",
    params(("id" = String, Path), ("section" = SectionName, Path)), request_body = SectionUpdate, responses(
    (status = 200, description = "The whole post-mortem after the change", body = Postmortem),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such post-mortem or section", body = Problem),
    (status = 409, description = "Changed by someone else since your version", body = Problem),
    (status = 422, description = "The section has the wrong shape", body = Problem)))]
pub async fn put_section(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, section)): Path<(String, String)>,
    JsonBody(update): JsonBody<SectionUpdate>,
) -> Result<Json<Postmortem>, ApiError> {
    caller.require_write()?;
    let section = section_name(&section)?;
    let sections = SectionsPatch::one(section, update.value).map_err(ApiError::Invalid)?;
    let patch = PostmortemPatch { version: update.version, sections: Some(sections), ..PostmortemPatch::default() };
    Ok(Json(hindsight_app::postmortems::change(&state.store, &caller.actor(), &id, patch).await?))
}

/// Move a post-mortem through review: draft → in_review → published → archived (in_review may go back to draft).
#[utoipa::path(post, path = "/api/v1/postmortems/{id}/status", tag = "postmortems", params(("id" = String, Path)), request_body = StatusChange, responses(
    (status = 200, description = "Moved", body = Postmortem),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such post-mortem", body = Problem),
    (status = 409, description = "Changed by someone else since your version", body = Problem),
    (status = 422, description = "That move is not allowed from the current status, or publishing lacks the approvals it needs", body = Problem)))]
pub async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(change): JsonBody<StatusChange>,
) -> Result<Json<Postmortem>, ApiError> {
    let rules = state.rules_in_force().await?;
    let actor = caller.actor();
    let moved =
        hindsight_app::postmortems::move_to(&state.store, &actor, &id, change.version, change.status, None, &rules)
            .await?;
    Ok(Json(moved))
}

/// What the post-mortem still lacks before it can go to review; empty when complete.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/completeness", tag = "postmortems", params(("id" = String, Path)), responses(
    (status = 200, description = "The missing items, each with the field to fill and what to write", body = Vec<Object>),
    (status = 404, description = "No such post-mortem", body = Problem)))]
pub async fn completeness(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<hindsight_core::analysis::MissingItem>>, ApiError> {
    Ok(Json(hindsight_app::postmortems::missing_items(&state.store, &caller.actor(), &id).await?))
}

/// The first draft of the post-mortem, written from its incident's timeline: plain sentences for
/// the summary, detection, response analysis (ending with the response as it happened) and
/// resolution, each citing the timeline events it comes from; with the empty sections a `POST`
/// would fill and the written ones it would only offer the draft beside. Nothing is changed.
/// The same timeline always gives the same draft; an empty one gives no sections.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/draft", tag = "postmortems", params(("id" = String, Path)), responses(
    (status = 200, description = "The draft, the sections it would fill and those it would be offered beside", body = FirstDraft),
    (status = 404, description = "No such post-mortem", body = Problem)))]
pub async fn draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<FirstDraft>, ApiError> {
    let rules = state.rules_in_force().await?;
    Ok(Json(hindsight_app::first_draft::preview(&state.store, &caller.actor(), &id, &rules).await?))
}

/// Write the first draft into the post-mortem's empty sections, as one change in its history;
/// a section someone has written keeps its text and the draft is offered beside it (`offered`).
/// Asking again once every section has text changes nothing.
#[utoipa::path(post, path = "/api/v1/postmortems/{id}/draft", tag = "postmortems", params(("id" = String, Path)), responses(
    (status = 200, description = "Written: the post-mortem as it now is, the sections filled, and those offered the draft", body = FirstDraft),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such post-mortem", body = Problem),
    (status = 409, description = "Changed by someone else while the draft was written; ask again", body = Problem),
    (status = 422, description = "The post-mortem is published or archived", body = Problem)))]
pub async fn write_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<FirstDraft>, ApiError> {
    let rules = state.rules_in_force().await?;
    Ok(Json(hindsight_app::first_draft::write(&state.store, &caller.actor(), &id, &rules).await?))
}

/// Every change made to the post-mortem: who, when, which fields, from what to what.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/history", tag = "postmortems", params(("id" = String, Path)), responses(
    (status = 200, description = "Changes, oldest first", body = Vec<PostmortemChange>),
    (status = 404, description = "No such post-mortem", body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<PostmortemChange>>, ApiError> {
    Ok(Json(state.store.postmortem_history(&caller.viewer, &id).await?))
}

/// Blaming wording in the post-mortem, field by field, each finding with its place, why it
/// matters and a system-focused rewrite. Empty when the text is blameless.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/lint", tag = "postmortems", params(("id" = String, Path)), responses(
    (status = 200, description = "Findings by field", body = Vec<hindsight_app::analysis::FieldFindings>),
    (status = 404, description = "No such post-mortem", body = Problem)))]
pub async fn lint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<hindsight_app::analysis::FieldFindings>>, ApiError> {
    let postmortem = state.store.postmortem(&caller.viewer, &id).await?;
    let number = hindsight_core::parse_incident_handle(&postmortem.incident).unwrap_or_default();
    let incident = state.store.incident(&caller.viewer, number).await?;
    let names = hindsight_app::analysis::known_names(&state.store, Some(&incident)).await?;
    Ok(Json(hindsight_app::analysis::lint_postmortem(&postmortem, &names)))
}

/// Text to check for blaming language.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LintRequest {
    /// Markdown, at most 100,000 characters.
    pub text: String,
}

/// Check any text for blaming language, e.g. while it is being written.
#[utoipa::path(post, path = "/api/v1/lint", tag = "postmortems", request_body = LintRequest, responses(
    (status = 200, description = "Findings in document order", body = Vec<hindsight_core::lint::Finding>),
    (status = 422, description = "Text too long", body = Problem)))]
pub async fn lint_text(
    State(state): State<AppState>,
    _caller: Caller,
    JsonBody(request): JsonBody<LintRequest>,
) -> Result<Json<Vec<hindsight_core::lint::Finding>>, ApiError> {
    let mut errors = hindsight_core::ValidationErrors::default();
    errors.max_len("text", &request.text, hindsight_core::validate::MAX_TEXT);
    errors.into_result()?;
    let names = hindsight_app::analysis::known_names(&state.store, None).await?;
    Ok(Json(hindsight_core::lint::lint(&request.text, &names)))
}

/// How to export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// md (Markdown with front matter), html (standalone, printable), json, or pdf (in builds
    /// with the `pdf` feature).
    pub format: String,
    /// Add the discussion (comment threads) as an appendix; `json` then has a `discussion`.
    #[serde(default)]
    pub discussion: bool,
}

/// The post-mortem as a document: Markdown with front matter (which `hindsight import-postmortem`
/// reads back), a standalone printable HTML page, JSON with everything, or a PDF to download.
#[utoipa::path(get, path = "/api/v1/postmortems/{id}/export", tag = "postmortems", params(("id" = String, Path), ExportQuery), responses(
    (status = 200, description = "The document: text/markdown, text/html, application/json, or application/pdf \
        (sent as an attachment named `INC-<n>-postmortem.pdf`)", content(
        (String = "text/markdown"),
        (String = "text/html"),
        (hindsight_core::document::PostmortemDocument = "application/json"),
        (Vec<u8> = "application/pdf"))),
    (status = 400, description = "Unknown format", body = Problem),
    (status = 404, description = "No such post-mortem", body = Problem),
    (status = 501, description = "format=pdf on a server built without the `pdf` feature", body = Problem)))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(query): Params<ExportQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let postmortem = state.store.postmortem(&caller.viewer, &id).await?;
    let number = hindsight_core::parse_incident_handle(&postmortem.incident).unwrap_or_default();
    let doc = hindsight_app::analysis::document_with(&state.store, &caller.viewer, number, query.discussion).await?;
    let (content_type, body) = match query.format.as_str() {
        "md" | "markdown" => ("text/markdown; charset=utf-8", hindsight_document::to_markdown(&doc)),
        "html" => {
            // A document of its own, styled inline; it loads nothing and runs nothing.
            let html = hindsight_document::to_html(&doc);
            return Ok((
                [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CONTENT_SECURITY_POLICY, EXPORT_POLICY)],
                html,
            )
                .into_response());
        }
        "json" => {
            ("application/json", serde_json::to_string_pretty(&doc).map_err(|e| ApiError::Internal(e.to_string()))?)
        }
        "pdf" => {
            let filename = format!("{}-postmortem.pdf", doc.incident.handle);
            // Typesetting takes tens of milliseconds of CPU: keep it off the async workers.
            let pdf = tokio::task::spawn_blocking(move || hindsight_document::to_pdf(&doc))
                .await
                .map_err(|e| ApiError::Internal(format!("PDF rendering stopped: {e}")))?;
            return match pdf {
                Ok(bytes) => Ok((
                    [
                        (header::CONTENT_TYPE, "application/pdf".to_owned()),
                        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
                    ],
                    bytes,
                )
                    .into_response()),
                Err(hindsight_document::PdfError::NotBuilt) => Ok(pdf_not_built()),
                Err(other) => Err(ApiError::Internal(other.to_string())),
            };
        }
        other => {
            return Err(ApiError::BadRequest {
                detail: format!("unknown format {other:?}: choose md, html, json or pdf"),
                field: Some("format".into()),
            });
        }
    };
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

/// 501: this server was built without PDF support, and how to build one with it.
fn pdf_not_built() -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let problem = Problem {
        kind: "/problems/pdf-not-built".into(),
        title: "PDF export not built".into(),
        status: StatusCode::NOT_IMPLEMENTED.as_u16(),
        detail: hindsight_document::PDF_NOT_BUILT.into(),
        errors: Vec::new(),
        current_version: None,
        current: None,
        request_id: None,
    };
    let mut response = (StatusCode::NOT_IMPLEMENTED, Json(problem)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response
}
