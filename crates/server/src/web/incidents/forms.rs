//! The forms editors use on the incident page: status, key-moment override, add an event,
//! import a file; a refused form shows the page again with what was wrong.

use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hindsight_core::{EventKind, IncidentPatch, IncidentStatus, NewTimelineEvent};
use hindsight_store::StoreError;

use super::*;
use crate::api::IncidentHandle;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::kit::{self, Chrome, PageError, Posted, Signed, form_time, see_other_with_notice};
use crate::web::view;

/// Shows the page again with what a refused form said and why, keeping the input.
pub(super) async fn refused(
    state: &AppState,
    caller: &Caller,
    handle: &IncidentHandle,
    status: StatusCode,
    forms: Forms,
) -> Result<Response, PageError> {
    let page = build(state, caller, Chrome::of(caller), handle, &TimelineQuery::default(), forms).await?;
    Ok((status, page).into_response())
}

/// The messages of a refused change, and the status to answer with; anything but bad
/// input or a stale version is an error page.
pub(super) fn refusal(e: ApiError) -> Result<(StatusCode, Vec<String>), PageError> {
    match e {
        ApiError::Invalid(invalid) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            invalid.0.iter().map(|e| format!("{}: {}", field_name(&e.field), e.message)).collect(),
        )),
        ApiError::Conflict { .. } => Ok((
            StatusCode::CONFLICT,
            vec![
                "Someone changed this incident after you opened the page. The page now shows the current \
                  state; check it and send your change again."
                    .into(),
            ],
        )),
        ApiError::BadRequest { detail, .. } => Ok((StatusCode::UNPROCESSABLE_ENTITY, vec![detail])),
        other => Err(other.into()),
    }
}

/// A field the store named, as the page's forms label it (`detected_at` as "Detected").
pub(super) fn field_name(field: &str) -> &str {
    match MOMENTS.iter().find(|(f, _, _)| *f == field) {
        Some((_, name, _)) => name,
        None => match field {
            "text" => "Text",
            "kind" => "Kind",
            "actor" => "Actor",
            "occurred_at" => "Time",
            "status" => "Status",
            "reason" => "Reason",
            "found" => "What it was",
            "found_in" => "Found in",
            "incident" => "Incident",
            other => other,
        },
    }
}

pub(super) fn version_of(form_version: &str) -> Result<i64, Vec<String>> {
    form_version
        .trim()
        .parse()
        .map_err(|_| vec!["The form lost track of the incident's version; reload the page.".into()])
}

/// Moves the incident to a new status, as the API's update does (resolving drafts the
/// post-mortem when one is required).
pub async fn change_status(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<StatusForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_write()?;
    let number = handle.number;
    let status = form.status.parse::<IncidentStatus>();
    let errors = match (status, version_of(&form.version)) {
        (Ok(IncidentStatus::Resolved), Ok(_)) if form.confirm != "yes" => {
            let incident = state.store.incident(&caller.viewer, number).await?;
            return Ok(resolve_page(&state, &caller, incident, form.version).await?.into_response());
        }
        (Ok(status), Ok(version)) => {
            let patch = IncidentPatch { version, status: Some(status), ..IncidentPatch::default() };
            match kit::update_incident(&state, &caller, number, patch).await {
                Ok(incident) => {
                    let notice = format!("{} is now {}.", incident.handle, incident.status);
                    return Ok(see_other_with_notice(&format!("/incidents/{}", incident.handle), &notice));
                }
                Err(e) => refusal(e)?,
            }
        }
        (Err(e), _) => (StatusCode::UNPROCESSABLE_ENTITY, vec![format!("Status: {e}")]),
        (_, Err(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
    };
    let (status, status_errors) = errors;
    refused(&state, &caller, &handle, status, Forms { status_errors, ..Forms::default() }).await
}

/// Overrides one key moment with a time or an event's time, keeping the reason in the
/// incident's history.
pub async fn override_moment(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<MomentForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_write()?;
    let number = handle.number;
    let mut errors = Vec::new();
    let field = MOMENTS.iter().find(|(f, _, _)| *f == form.moment).map(|(f, name, _)| (*f, *name));
    if field.is_none() {
        errors.push("Key moment: choose which moment to set".to_string());
    }
    if form.reason.trim().is_empty() {
        errors.push("Reason: say why the moment is overridden; it is kept in the incident's history".into());
    }
    let at = if !form.event.trim().is_empty() {
        match state.store.event(&caller.viewer, number, form.event.trim()).await {
            Ok(event) => Some(event.occurred_at),
            Err(StoreError::NotFound(_)) => {
                errors.push("Event: that event is no longer on the timeline".into());
                None
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        match form_time("Time", &form.at) {
            Ok(Some(at)) => Some(at),
            Ok(None) => {
                errors.push("Time: type a time or pick an event".into());
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
        }
    };
    let version = version_of(&form.version).map_err(|e| errors.extend(e)).ok();
    let (status, errors) = match (errors.is_empty(), field, at, version) {
        (true, Some((field, name)), Some(at), Some(version)) => {
            let mut patch =
                IncidentPatch { version, reason: Some(form.reason.trim().to_string()), ..IncidentPatch::default() };
            let slot = match field {
                "started_at" => &mut patch.started_at,
                "detected_at" => &mut patch.detected_at,
                "acknowledged_at" => &mut patch.acknowledged_at,
                "mitigated_at" => &mut patch.mitigated_at,
                _ => &mut patch.resolved_at,
            };
            *slot = Some(Some(at));
            match kit::update_incident(&state, &caller, number, patch).await {
                Ok(incident) => {
                    let notice = format!("{name} set to {} on {}.", view::when_seconds(at), incident.handle);
                    return Ok(see_other_with_notice(&format!("/incidents/{}", incident.handle), &notice));
                }
                Err(e) => refusal(e)?,
            }
        }
        _ => (StatusCode::UNPROCESSABLE_ENTITY, errors),
    };
    refused(&state, &caller, &handle, status, Forms { moment: form, moment_errors: errors, ..Forms::default() }).await
}

/// Adds an event typed by hand to the timeline.
pub async fn add_event(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<EventForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_write()?;
    let number = handle.number;
    let mut errors = Vec::new();
    let occurred_at = match form_time("Time", &form.occurred_at) {
        Ok(Some(at)) => Some(at),
        Ok(None) => {
            errors.push("Time: say when it happened (UTC)".to_string());
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let kind = form.kind.parse::<EventKind>().map_err(|e| errors.push(format!("Kind: {e}"))).ok();
    let (status, errors) = match (errors.is_empty(), occurred_at, kind) {
        (true, Some(occurred_at), Some(kind)) => {
            let new = NewTimelineEvent {
                occurred_at,
                source: "manual".into(),
                external_id: None,
                kind,
                actor: Some(form.actor.trim().to_string()).filter(|a| !a.is_empty()),
                text: form.text.trim().to_string(),
                key_moment: None,
                raw_payload: None,
            };
            match hindsight_app::incidents::add_event(&state.store, &caller.actor(), number, new)
                .await
                .map_err(ApiError::from)
            {
                Ok(event) => {
                    let notice =
                        format!("Added the {} at {} to the timeline.", event.kind, view::when(event.occurred_at));
                    return Ok(see_other_with_notice(&format!("/incidents/{}", event.incident), &notice));
                }
                Err(e) => refusal(e)?,
            }
        }
        _ => (StatusCode::UNPROCESSABLE_ENTITY, errors),
    };
    refused(&state, &caller, &handle, status, Forms { event: form, event_errors: errors, ..Forms::default() }).await
}

/// Imports an uploaded file into the timeline through the same pipeline as the upload
/// API, and shows what it did. The form is multipart: its token is checked here.
pub async fn import(
    State(state): State<AppState>,
    Signed(caller): Signed,
    handle: IncidentHandle,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = kit::Upload::read(
        &caller,
        headers,
        multipart,
        "The file is larger than 64 MiB, the most an import takes; split it, or use the CLI.",
    )
    .await?;
    let (format, file, file_name) = (upload.field("format").to_string(), upload.file, upload.file_name);
    caller.require_write()?;
    let number = handle.number;
    let mut errors = Vec::new();
    if !IMPORT_FORMATS.contains(&format.as_str()) {
        errors.push("Format: choose the format the file is in".to_string());
    }
    if file.is_empty() {
        errors.push(if file_name.is_empty() {
            "File: choose a file to import".to_string()
        } else {
            format!("File: {file_name} is empty")
        });
    }
    let status = if errors.is_empty() {
        let imported = if format == "slack-export" {
            crate::api::imports::import_slack_zip(&state, &caller, number, file).await
        } else {
            let origin = if file_name.is_empty() { "the upload" } else { file_name.as_str() };
            crate::api::imports::import_file(&state, &caller, number, &format, (origin, file)).await
        };
        match imported {
            Ok(summary) => {
                let forms = Forms { import_result: Some(ImportResult { summary, format }), ..Forms::default() };
                let page =
                    build(&state, &caller, Chrome::of(&caller), &handle, &TimelineQuery::default(), forms).await?;
                return Ok(page.into_response());
            }
            Err(e) => {
                let (status, mut messages) = refusal(e)?;
                if !file_name.is_empty() {
                    // Named once: the importer's own messages already start with the file's name.
                    messages
                        .iter_mut()
                        .filter(|m| !m.starts_with(&file_name))
                        .for_each(|m| *m = format!("{file_name}: {m}"));
                }
                errors.extend(messages);
                status
            }
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let forms = Forms { import_format: format, import_errors: errors, ..Forms::default() };
    refused(&state, &caller, &handle, status, forms).await
}

/// The recurrence form: the earlier incident this one recurs.
#[derive(Debug, Default, Deserialize)]
pub struct RecurrenceForm {
    #[serde(default)]
    of: String,
}

/// `POST /incidents/{handle}/recurrence`: confirms the incident is an earlier one come back.
pub async fn set_recurrence(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<RecurrenceForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    let of = hindsight_core::parse_incident_handle(form.of.trim());
    let set = match of {
        Some(of) => hindsight_app::incidents::set_recurrence(&state.store, &caller.actor(), handle.number, of)
            .await
            .map_err(ApiError::from),
        None => Err(ApiError::Invalid(hindsight_core::ValidationErrors::single(
            "of",
            format!("{:?} is not an incident handle; they look like INC-12", form.of),
        ))),
    };
    match set {
        Ok(_) => Ok(see_other_with_notice(
            &format!("/incidents/{}#similar-h", hindsight_core::incident_handle(handle.number)),
            &format!("Recorded: this incident is {} come back.", form.of.trim()),
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms { recurrence_errors: errors, ..Forms::default() };
            refused(&state, &caller, &handle, status, forms).await
        }
    }
}

/// `POST /incidents/{handle}/recurrence/remove`: it is not a recurrence after all.
pub async fn clear_recurrence(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<kit::NoFields>,
) -> Result<Response, PageError> {
    hindsight_app::incidents::clear_recurrence(&state.store, &posted.caller.actor(), handle.number).await?;
    Ok(see_other_with_notice(
        &format!("/incidents/{}#similar-h", hindsight_core::incident_handle(handle.number)),
        "No longer recorded as a recurrence.",
    ))
}

/// What the unknown cause's form sends.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct FindingForm {
    #[serde(default)]
    pub(super) found: String,
    #[serde(default)]
    pub(super) found_in: String,
}

/// `POST /incidents/{handle}/unknown-cause`: record what a cause left unknown turned out to
/// be, closing its entry in the ledger.
pub async fn close_unknown_cause(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<FindingForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    let found_in = form.found_in.trim();
    let finding = hindsight_core::NewFinding {
        found: form.found.clone(),
        found_in: (!found_in.is_empty()).then(|| found_in.to_string()),
    };
    let closed = hindsight_app::learning::close_unknown_cause(&state.store, &caller.actor(), handle.number, finding)
        .await
        .map_err(ApiError::from);
    match closed {
        Ok(_) => Ok(see_other_with_notice(
            &format!("/incidents/{}#cause-h", hindsight_core::incident_handle(handle.number)),
            "Recorded what the cause was; it has left the ledger of unknown causes.",
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms { cause_errors: errors, finding: form, ..Forms::default() };
            refused(&state, &caller, &handle, status, forms).await
        }
    }
}

/// `POST /incidents/{handle}/unknown-cause/reopen`: the finding was wrong; the cause is open again.
pub async fn reopen_unknown_cause(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<kit::NoFields>,
) -> Result<Response, PageError> {
    hindsight_app::learning::reopen_unknown_cause(&state.store, &posted.caller.actor(), handle.number).await?;
    Ok(see_other_with_notice(
        &format!("/incidents/{}#cause-h", hindsight_core::incident_handle(handle.number)),
        "The cause is open again, back in the ledger of unknown causes.",
    ))
}
