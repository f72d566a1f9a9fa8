//! `/api/v1/.../import` and `/api/v1/webhooks/{vendor}`: events from other tools into
//! timelines, uploaded by a person or pushed live by the tool itself.
//!
//! Webhooks prove who sent them the vendor's way (an HMAC signature for PagerDuty and
//! GitHub, a bearer token for Alertmanager, Grafana and Opsgenie); a webhook with no
//! secret configured is switched off. Re-deliveries add nothing: events are unique by
//! source and the vendor's id.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use hindsight_core::access::Viewer;
use hindsight_core::import::Format;
use serde::Deserialize;
use utoipa::IntoParams;

use super::IncidentHandle;
use crate::auth::{Caller, secrets_match};
use crate::error::{ApiError, Problem};
use crate::json::Params;
use crate::state::AppState;
use hindsight_app::WebhookSettings;
use hindsight_app::imports::{self, ImportSummary, IngestError, Source, Target};
pub use hindsight_app::secrets::hmac_hex;

/// Largest upload, in bytes.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;
/// Largest webhook body, in bytes: vendors send one event or one alert group at a time.
pub const MAX_WEBHOOK_BYTES: usize = 4 * 1024 * 1024;

/// The largest body a request to `path` may carry: uploads and webhooks have their own
/// limits (set on their routes with `DefaultBodyLimit`), everything else `default`.
/// Read before routing, to refuse an oversized `Content-Length` at once.
pub fn body_limit(path: &str, default: usize) -> usize {
    let path = path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    match segments.as_slice() {
        ["", "api", "v1", "import"] | ["", "api", "v1", "incidents", _, "import"] | ["", "incidents", _, "import"] => {
            MAX_IMPORT_BYTES
        }
        ["", "api", "v1", "webhooks", _] | ["", "api", "v1", "trackers", _, "webhook"] => MAX_WEBHOOK_BYTES,
        _ => default,
    }
}

/// How to read an upload.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// pagerduty-webhook, pagerduty-log, alertmanager, grafana, opsgenie, github, jsonl or csv
    /// (a Slack export is a folder: import it with the CLI).
    pub format: String,
    /// Declare an incident from the first trigger when the events match none (correlated imports only).
    #[serde(default)]
    pub create_incident: bool,
}

fn format_of(query: &ImportQuery) -> Result<Format, ApiError> {
    let format: Format = query.format.parse().map_err(|e: hindsight_core::UnknownWord| ApiError::BadRequest {
        detail: e.to_string(),
        field: Some("format".into()),
    })?;
    if format == Format::SlackExport {
        return Err(ApiError::BadRequest {
            detail: "a Slack export is a folder; import it with `hindsight import --format slack-export`".into(),
            field: Some("format".into()),
        });
    }
    Ok(format)
}

/// Imports `body`, named `origin` in rejections and notes (`body`, or the uploaded file's name).
async fn run(
    state: &AppState,
    viewer: &Viewer,
    format: Format,
    (origin, body): (&str, Bytes),
    target: Target,
) -> Result<ImportSummary, ApiError> {
    let source = Source::Stream { origin: origin.to_string(), input: Box::new(std::io::Cursor::new(body)) };
    run_source(state, viewer, format, source, target).await
}

async fn run_source(
    state: &AppState,
    viewer: &Viewer,
    format: Format,
    source: Source,
    target: Target,
) -> Result<ImportSummary, ApiError> {
    let summary = imports::import(&state.store, viewer, format, source, target, |_| {}).await.map_err(|e| match e {
        IngestError::Store(e) => ApiError::from(e),
        IngestError::NoIncident => {
            ApiError::Invalid(hindsight_core::ValidationErrors::single("incident", e.to_string()))
        }
        IngestError::Input(e) => ApiError::BadRequest { detail: e.to_string(), field: None },
        IngestError::Crashed(e) => ApiError::Internal(e),
    })?;
    // Resolved by an import as by a person: a required post-mortem gets its draft (the
    // import stands either way).
    for handle in &summary.resolved {
        let Some(number) = hindsight_core::parse_incident_handle(handle) else { continue };
        let drafted = match state.rules_in_force().await {
            Ok(rules) => hindsight_app::analysis::draft_if_required(&state.store, viewer, &rules, number).await,
            Err(e) => Err(e),
        };
        if let Err(e) = drafted {
            tracing::warn!(error = %e, incident = %handle, "could not draft the post-mortem");
        }
    }
    Ok(summary)
}

/// Import a file of events into this incident's timeline.
#[utoipa::path(post, path = "/api/v1/incidents/{handle}/import", tag = "timeline",
    params(("handle" = String, Path, description = "e.g. INC-42"), ImportQuery),
    request_body(content = String, description = "The file, as the tool wrote it", content_type = "application/octet-stream"),
    responses(
    (status = 200, description = "What was imported, skipped and rejected", body = ImportSummary),
    (status = 400, description = "Unknown format, or the body is not in it", body = Problem),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 404, description = "No such incident", body = Problem)))]
pub async fn import_into(
    State(state): State<AppState>,
    caller: Caller,
    handle: IncidentHandle,
    Params(query): Params<ImportQuery>,
    body: Bytes,
) -> Result<Json<ImportSummary>, ApiError> {
    Ok(Json(import_file(&state, &caller, handle.number, &query.format, ("body", body)).await?))
}

/// Imports a file in `format` (named as `file`'s first part says) into a visible incident's
/// timeline as `caller` (editors and admins). The upload API and the incident page's import
/// form both import here.
pub(crate) async fn import_file(
    state: &AppState,
    caller: &Caller,
    number: i64,
    format: &str,
    body: (&str, Bytes),
) -> Result<ImportSummary, ApiError> {
    caller.require_write()?;
    state.store.incident(&caller.viewer, number).await?;
    let query = ImportQuery { format: format.to_string(), create_incident: false };
    run(state, &caller.viewer, format_of(&query)?, body, Target::Incident(number)).await
}

/// Imports a Slack export uploaded as a zip into a visible incident's timeline as `caller`
/// (editors and admins), for the incident page's import form: the importer reads a zip from a
/// file, so the upload is written to a temporary one, removed afterwards.
pub(crate) async fn import_slack_zip(
    state: &AppState,
    caller: &Caller,
    number: i64,
    body: Bytes,
) -> Result<ImportSummary, ApiError> {
    caller.require_write()?;
    state.store.incident(&caller.viewer, number).await?;
    let path = std::env::temp_dir().join(format!("hindsight-slack-{}.zip", uuid::Uuid::now_v7().simple()));
    let (written, to) = (path.clone(), path.display().to_string());
    tokio::task::spawn_blocking(move || std::fs::write(&written, &body))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(format!("could not keep the upload in {to}: {e}")))?;
    let source = Source::SlackExport { path: path.clone(), channels: Vec::new() };
    let result = run_source(state, &caller.viewer, Format::SlackExport, source, Target::Incident(number)).await;
    if let Err(e) = std::fs::remove_file(&path) {
        tracing::warn!(error = %e, path = %path.display(), "could not remove an uploaded Slack export");
    }
    // The importer names the temporary file; the person knows the upload by its own name.
    result.map_err(|e| match e {
        ApiError::BadRequest { detail, field } => {
            ApiError::BadRequest { detail: detail.replace(&path.display().to_string(), "the upload"), field }
        }
        other => other,
    })
}

/// Import a file of events into whichever incident they belong to (by the tools' own
/// incident ids, alert fingerprints, channels, or service and time), or a new one.
#[utoipa::path(post, path = "/api/v1/import", tag = "timeline", params(ImportQuery),
    request_body(content = String, description = "The file, as the tool wrote it", content_type = "application/octet-stream"),
    responses(
    (status = 200, description = "What was imported, and into which incident", body = ImportSummary),
    (status = 400, description = "Unknown format, or the body is not in it", body = Problem),
    (status = 403, description = "Viewers cannot write", body = Problem),
    (status = 422, description = "The events match no incident and none was to be created", body = Problem)))]
pub async fn import_correlated(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<ImportQuery>,
    body: Bytes,
) -> Result<Json<ImportSummary>, ApiError> {
    caller.require_write()?;
    let target = Target::Correlate { create: query.create_incident };
    Ok(Json(run(&state, &caller.viewer, format_of(&query)?, ("body", body), target).await?))
}

/// Checks the vendor's proof that it sent this body.
fn verify(vendor: &str, hooks: &WebhookSettings, headers: &HeaderMap, body: &[u8]) -> Result<Format, ApiError> {
    let off = |key: &str| {
        ApiError::NotFound(format!(
            "the {vendor} webhook is off: set webhooks.{key} in the configuration, or a secret at /admin/webhooks"
        ))
    };
    let refused = |why: &str| ApiError::forbidden(format!("{vendor} webhook refused: {why}"));
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    let bearer = |token: &Option<String>, key: &str| {
        let token = token.as_deref().ok_or_else(|| off(key))?;
        let sent = header(header::AUTHORIZATION.as_str()).strip_prefix("Bearer ").unwrap_or("");
        if secrets_match(sent.trim(), token) { Ok(()) } else { Err(refused("wrong or missing bearer token")) }
    };
    match vendor {
        "pagerduty" => {
            let secret = hooks.pagerduty_secret.as_deref().ok_or_else(|| off("pagerduty_secret"))?;
            let expected = format!("v1={}", hmac_hex(secret, body));
            // PagerDuty sends one signature per active secret, comma-separated.
            if header("x-pagerduty-signature").split(',').any(|s| secrets_match(s.trim(), &expected)) {
                Ok(Format::PagerDutyWebhook)
            } else {
                Err(refused("X-PagerDuty-Signature does not match the body"))
            }
        }
        "github" => {
            let secret = hooks.github_secret.as_deref().ok_or_else(|| off("github_secret"))?;
            let expected = format!("sha256={}", hmac_hex(secret, body));
            if secrets_match(header("x-hub-signature-256"), &expected) {
                Ok(Format::GitHub)
            } else {
                Err(refused("X-Hub-Signature-256 does not match the body"))
            }
        }
        "alertmanager" => bearer(&hooks.alertmanager_token, "alertmanager_token").map(|_| Format::Alertmanager),
        "grafana" => bearer(&hooks.grafana_token, "grafana_token").map(|_| Format::Grafana),
        "opsgenie" => bearer(&hooks.opsgenie_token, "opsgenie_token").map(|_| Format::Opsgenie),
        other => Err(ApiError::NotFound(format!(
            "no webhook for {other:?}: use pagerduty, alertmanager, grafana, opsgenie or github"
        ))),
    }
}

/// A vendor's webhook: PagerDuty V3, Alertmanager, Grafana, Opsgenie or GitHub.
#[utoipa::path(post, path = "/api/v1/webhooks/{vendor}", tag = "webhooks", security(()),
    params(("vendor" = String, Path, description = "pagerduty, alertmanager, grafana, opsgenie or github")),
    request_body(content = Object, description = "The vendor's payload", content_type = "application/json"),
    responses(
    (status = 202, description = "Accepted; what was imported", body = ImportSummary),
    (status = 400, description = "Not the vendor's format", body = Problem),
    (status = 403, description = "Bad signature or token", body = Problem),
    (status = 404, description = "Unknown vendor, or its webhook is off", body = Problem)))]
pub async fn webhook(
    State(state): State<AppState>,
    Path(vendor): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportSummary>), ApiError> {
    let hooks = state.webhooks_in_force().await?;
    let format = verify(&vendor, &hooks, &headers, &body)?;
    let target = Target::Correlate { create: hooks.create_incidents };
    match run(&state, &Viewer::operator(), format, ("body", body), target).await {
        Ok(summary) => Ok((StatusCode::ACCEPTED, Json(summary))),
        // Events about no known incident are accepted and dropped, so the vendor does not retry them.
        Err(ApiError::Invalid(_)) => Ok((StatusCode::ACCEPTED, Json(ImportSummary::default()))),
        Err(e) => Err(e),
    }
}
