//! The "new incident" form: declare an incident from the browser.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hindsight_core::{DetectionMethod, NewIncident, Severity};
use serde::Deserialize;

use super::kit::{Chrome, PageError, Posted, Signed, Upload, form_time, see_other_with_notice};
use super::view;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "incident_new.html")]
struct DeclarePage {
    chrome: Chrome,
    form: DeclareForm,
    errors: Vec<String>,
    /// Why an uploaded post-mortem document was not imported.
    import_errors: Vec<String>,
    severities: Vec<(String, String)>,
    detection_methods: Vec<(&'static str, &'static str)>,
    services: Vec<(String, String)>,
    teams: Vec<(String, String)>,
}

/// What the form sends; every field as typed, so a refused form comes back filled in.
#[derive(Debug, Default, Deserialize)]
pub struct DeclareForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    detection_method: String,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    teams: Vec<String>,
    #[serde(default)]
    started_at: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    private: Option<String>,
}

async fn page(
    state: &AppState,
    chrome: Chrome,
    form: DeclareForm,
    errors: Vec<String>,
) -> Result<DeclarePage, PageError> {
    Ok(DeclarePage {
        chrome,
        form,
        errors,
        import_errors: Vec::new(),
        severities: view::severity_choices(&state.settings.severity_labels),
        detection_methods: view::detection_choices(),
        services: state.store.list_services().await?.into_iter().map(|s| (s.slug, s.name)).collect(),
        teams: state.store.list_teams().await?.into_iter().map(|t| (t.slug, t.name)).collect(),
    })
}

pub async fn form(State(state): State<AppState>, Signed(caller): Signed) -> Result<Response, PageError> {
    caller.require_write()?;
    let form =
        DeclareForm { severity: "SEV3".into(), detection_method: "monitoring_alert".into(), ..Default::default() };
    Ok(page(&state, Chrome::of(&caller), form, Vec::new()).await?.into_response())
}

pub async fn submit(State(state): State<AppState>, posted: Posted<DeclareForm>) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_write()?;
    let mut errors = Vec::new();
    let severity = form.severity.parse::<Severity>().map_err(|e| errors.push(format!("Severity: {e}"))).ok();
    let detection_method =
        form.detection_method.parse::<DetectionMethod>().map_err(|e| errors.push(format!("Detected by: {e}"))).ok();
    let started_at = form_time("Impact started", &form.started_at).map_err(|e| errors.push(e)).ok().flatten();
    if let (true, Some(severity), Some(detection_method)) = (errors.is_empty(), severity, detection_method) {
        let new = NewIncident {
            title: form.title.trim().to_string(),
            description: form.description.clone(),
            severity,
            status: hindsight_core::IncidentStatus::Triggered,
            services: form.services.clone(),
            teams: form.teams.clone(),
            detection_method,
            started_at,
            detected_at: None,
            acknowledged_at: None,
            mitigated_at: None,
            resolved_at: None,
            responders: Vec::new(),
            private: form.private.is_some(),
        };
        match hindsight_app::incidents::declare(&state.store, &caller.actor(), new).await.map_err(ApiError::from) {
            Ok(incident) => {
                let path = format!("/incidents/{}", incident.handle);
                return Ok(see_other_with_notice(&path, &format!("Declared {}.", incident.handle)));
            }
            Err(ApiError::Invalid(invalid)) => {
                errors.extend(invalid.0.iter().map(|e| format!("{}: {}", e.field, e.message)));
            }
            Err(other) => return Err(other.into()),
        }
    }
    let page = page(&state, Chrome::of(&caller), form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Imports an uploaded post-mortem document (Markdown with front matter) as a new incident,
/// through the same use case as the API and `hindsight import-postmortem`, and opens it; a
/// refused document shows this page again saying why. The form is multipart: its token is
/// checked here.
pub async fn import_document(
    State(state): State<AppState>,
    Signed(caller): Signed,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = Upload::read(
        &caller,
        headers,
        multipart,
        "The file is larger than this server accepts (max_body_bytes); use the CLI.",
    )
    .await?;
    caller.require_write()?;
    let name = if upload.file_name.is_empty() { "The file".to_string() } else { upload.file_name };
    let errors = match String::from_utf8(upload.file.to_vec()) {
        Ok(text) if text.trim().is_empty() => vec![format!("{name} is empty: choose a post-mortem document")],
        Ok(text) if text.contains('\0') => vec![format!("{name} holds the NUL character, which no text may hold")],
        Ok(text) => {
            match hindsight_app::postmortems::import_document(&state.store, &caller.actor(), &text)
                .await
                .map_err(ApiError::from)
            {
                Ok(imported) => {
                    let handle = &imported.incident.handle;
                    let notice = format!(
                        "Imported {name} as {handle}: {} action items, {} timeline events, post-mortem {}.",
                        imported.action_items,
                        imported.events,
                        imported.postmortem.status.words()
                    );
                    return Ok(see_other_with_notice(&format!("/incidents/{handle}"), &notice));
                }
                Err(ApiError::Invalid(invalid)) => {
                    invalid.0.iter().map(|e| format!("{name}, {}: {}", e.field, e.message)).collect()
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(e) => vec![format!("{name} is not UTF-8 text (byte {}): save it as UTF-8", e.utf8_error().valid_up_to())],
    };
    let form =
        DeclareForm { severity: "SEV3".into(), detection_method: "monitoring_alert".into(), ..Default::default() };
    let mut page = page(&state, Chrome::of(&caller), form, Vec::new()).await?;
    page.import_errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
