//! The "edit incident" form: title, severity, description, services, teams, responders
//! and their roles, the private flag and the detection method, changed from the browser
//! through the same update as the API's `PATCH /api/v1/incidents/{handle}`.
//!
//! The form carries the version it was opened at. When someone else changed the incident
//! in between, the form comes back with the person's input, the current version, and
//! beside it what is saved now in each field the other change touched: sending again
//! keeps theirs where the person chose so, or writes the person's values over it.
//! Status and key moments have their own forms on the incident page.

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hindsight_core::{DetectionMethod, Incident, IncidentPatch, Responder, ResponderRole, Severity};
use serde::Deserialize;

use super::kit::{self, Chrome, PageError, Posted, Signed, see_other_with_notice};
use super::view::{self, Label};
use crate::api::IncidentHandle;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// Empty responder rows the form offers below the recorded ones.
const BLANK_RESPONDERS: usize = 2;

/// What the form sends; every field as typed, so a refused form comes back filled in.
#[derive(Debug, Default, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    detection_method: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    teams: Vec<String>,
    #[serde(default)]
    private: Option<String>,
    /// Responder rows: the person in each row and, at the same position, their role.
    #[serde(default)]
    responder: Vec<String>,
    #[serde(default)]
    role: Vec<String>,
    #[serde(default)]
    reason: String,
}

impl EditForm {
    /// The form filled in with the incident as it is saved.
    fn of(incident: &Incident) -> EditForm {
        EditForm {
            version: incident.version.to_string(),
            title: incident.title.clone(),
            severity: incident.severity.to_string(),
            detection_method: incident.detection_method.as_str().into(),
            description: incident.description.clone(),
            services: incident.services.clone(),
            teams: incident.teams.clone(),
            private: incident.private.then(|| "on".into()),
            responder: incident.responders.iter().map(|r| r.username.clone()).collect(),
            role: incident.responders.iter().map(|r| r.role.as_str().into()).collect(),
            reason: String::new(),
        }
    }

    /// The form's responder rows with blank ones to add people in.
    fn rows(&self) -> Vec<(String, String)> {
        let filled: Vec<(String, String)> = self
            .responder
            .iter()
            .enumerate()
            .filter(|(_, who)| !who.trim().is_empty())
            .map(|(i, who)| (who.trim().to_string(), self.role.get(i).cloned().unwrap_or_default()))
            .collect();
        let blanks = std::iter::repeat_with(|| (String::new(), ResponderRole::Responder.as_str().to_string()));
        filled.into_iter().chain(blanks.take(BLANK_RESPONDERS)).collect()
    }

    /// The change the form asks for, or what is wrong with its fields.
    fn patch(&self) -> Result<IncidentPatch, Vec<String>> {
        let mut errors = Vec::new();
        let version = self.version.trim().parse::<i64>().map_err(|_| {
            errors.push("The form lost track of the incident's version; open the edit page again.".to_string())
        });
        let severity = self.severity.parse::<Severity>().map_err(|e| errors.push(format!("Severity: {e}")));
        let detection_method = self
            .detection_method
            .parse::<DetectionMethod>()
            .map_err(|_| errors.push("Detected by: choose how the incident came to attention".to_string()));
        let mut responders = Vec::new();
        for (row, (who, role)) in self.rows().into_iter().enumerate().filter(|(_, (who, _))| !who.is_empty()) {
            match role.parse::<ResponderRole>() {
                Ok(role) => responders.push(Responder { username: who, role }),
                Err(_) => errors.push(format!("Responder {}: choose the role {who} held", row + 1)),
            }
        }
        let (Ok(version), Ok(severity), Ok(detection_method), true) =
            (version, severity, detection_method, errors.is_empty())
        else {
            return Err(errors);
        };
        Ok(IncidentPatch {
            version,
            title: Some(self.title.trim().to_string()),
            description: Some(self.description.clone()),
            severity: Some(severity),
            services: Some(self.services.clone()),
            teams: Some(self.teams.clone()),
            detection_method: Some(detection_method),
            responders: Some(responders),
            private: Some(self.private.is_some()),
            reason: Some(self.reason.trim().to_string()).filter(|r| !r.is_empty()),
            ..IncidentPatch::default()
        })
    }
}

/// A field someone else changed since the form was opened, and what is saved in it now.
struct Changed {
    label: &'static str,
    now: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "incident_edit.html")]
struct EditPage {
    chrome: Chrome,
    handle: String,
    form: EditForm,
    rows: Vec<(String, String)>,
    errors: Vec<String>,
    changed: Vec<Changed>,
    severities: Vec<(String, String)>,
    detection_methods: Vec<(&'static str, &'static str)>,
    roles: Vec<(&'static str, &'static str)>,
    users: Vec<(String, String)>,
    services: Vec<(String, String)>,
    teams: Vec<(String, String)>,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    handle: String,
    form: EditForm,
    errors: Vec<String>,
    changed: Vec<Changed>,
) -> Result<EditPage, PageError> {
    Ok(EditPage {
        chrome: Chrome::of(caller),
        handle,
        rows: form.rows(),
        form,
        errors,
        changed,
        severities: view::severity_choices(&state.settings.severity_labels),
        detection_methods: view::detection_choices(),
        roles: ResponderRole::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        users: state.store.list_users().await?.into_iter().map(|u| (u.username, u.display_name)).collect(),
        services: state.store.list_services().await?.into_iter().map(|s| (s.slug, s.name)).collect(),
        teams: state.store.list_teams().await?.into_iter().map(|t| (t.slug, t.name)).collect(),
    })
}

/// The form, filled in with the incident as saved. Editors and admins.
pub async fn form(
    State(state): State<AppState>,
    Signed(caller): Signed,
    handle: IncidentHandle,
) -> Result<Response, PageError> {
    caller.require_write()?;
    let incident = state.store.incident(&caller.viewer, handle.number).await?;
    let page = page(&state, &caller, incident.handle.clone(), EditForm::of(&incident), Vec::new(), Vec::new()).await?;
    Ok(page.into_response())
}

/// Saves the form as the API's update does, or shows it again with what was wrong.
pub async fn save(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<EditForm>,
) -> Result<Response, PageError> {
    let Posted { caller, mut form } = posted;
    caller.require_write()?;
    let number = handle.number;
    let patch = match form.patch() {
        Ok(patch) => patch,
        Err(errors) => {
            let page = page(&state, &caller, handle.handle, form, errors, Vec::new()).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let based_on = patch.version;
    match kit::update_incident(&state, &caller, number, patch).await {
        Ok(incident) => {
            let notice = format!("Saved the changes to {}.", incident.handle);
            Ok(see_other_with_notice(&format!("/incidents/{}", incident.handle), &notice))
        }
        Err(ApiError::Invalid(invalid)) => {
            let errors = invalid.0.iter().map(|e| format!("{}: {}", field_label(&e.field), e.message)).collect();
            let page = page(&state, &caller, handle.handle, form, errors, Vec::new()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(ApiError::Conflict { .. }) => {
            let current = state.store.incident(&caller.viewer, number).await?;
            let history = state.store.incident_history(&caller.viewer, number).await?;
            let fields: BTreeSet<String> = history
                .iter()
                .filter(|change| change.version > based_on)
                .flat_map(|change| change.changes.iter().map(|c| c.field.clone()))
                .collect();
            let changed = changed_fields(&current, &fields, &state);
            form.version = current.version.to_string();
            let errors = vec![
                "Someone changed this incident after you opened the form; nothing was saved. Your input is still \
                 in the form, and what is saved now is shown above it. Send the form again to save yours over \
                 theirs, or open the edit page again to start from theirs."
                    .to_string(),
            ];
            let page = page(&state, &caller, current.handle.clone(), form, errors, changed).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// The label of a field of the form, as the person reads it, for a field the store named.
fn field_label(field: &str) -> &str {
    let top = field.split(['.', '[']).next().unwrap_or(field);
    FIELDS.iter().find(|(name, _)| *name == top).map(|(_, label)| *label).unwrap_or(field)
}

/// The fields the form edits, by the name the store gives them, and their labels.
const FIELDS: [(&str, &str); 8] = [
    ("title", "Title"),
    ("severity", "Severity"),
    ("detection_method", "Detected by"),
    ("description", "Description"),
    ("services", "Services affected"),
    ("teams", "Teams involved"),
    ("responders", "Responders"),
    ("private", "Private"),
];

/// What is saved now in each field of the form among `fields`.
fn changed_fields(current: &Incident, fields: &BTreeSet<String>, state: &AppState) -> Vec<Changed> {
    let labels = &state.settings.severity_labels;
    FIELDS
        .iter()
        .filter(|(name, _)| fields.contains(*name))
        .map(|(name, label)| {
            let none = |list: String| if list.is_empty() { "none".to_string() } else { list };
            let now = match *name {
                "title" => current.title.clone(),
                "severity" => match labels.get(&current.severity.to_string()) {
                    Some(l) if !l.is_empty() => format!("{} · {l}", current.severity),
                    _ => current.severity.to_string(),
                },
                "detection_method" => current.detection_method.label().to_string(),
                "description" => current.description.clone(),
                "services" => none(current.services.join(", ")),
                "teams" => none(current.teams.join(", ")),
                "responders" => none(
                    current
                        .responders
                        .iter()
                        .map(|r| format!("{} ({})", r.username, r.role.label()))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                _ => if current.private { "yes" } else { "no" }.to_string(),
            };
            Changed { label, now }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responder_rows_pair_people_with_their_roles_and_skip_blank_rows() {
        let form = EditForm {
            version: "3".into(),
            severity: "SEV2".into(),
            detection_method: "monitoring_alert".into(),
            responder: vec!["ana".into(), "".into(), "ben".into()],
            role: vec!["incident_commander".into(), "scribe".into(), "scribe".into()],
            ..EditForm::default()
        };
        let patch = form.patch().unwrap();
        let responders = patch.responders.unwrap();
        assert_eq!(responders.len(), 2);
        assert_eq!((responders[0].username.as_str(), responders[0].role), ("ana", ResponderRole::IncidentCommander));
        assert_eq!((responders[1].username.as_str(), responders[1].role), ("ben", ResponderRole::Scribe));
        assert_eq!(patch.private, Some(false), "an unticked box clears the flag");
    }

    #[test]
    fn a_responder_without_a_known_role_is_refused_naming_the_row() {
        let form = EditForm {
            version: "3".into(),
            severity: "SEV2".into(),
            detection_method: "monitoring_alert".into(),
            responder: vec!["ana".into()],
            role: vec!["boss".into()],
            ..EditForm::default()
        };
        let errors = form.patch().unwrap_err();
        assert_eq!(errors, ["Responder 1: choose the role ana held"]);
    }

    #[test]
    fn store_fields_read_as_the_forms_labels() {
        assert_eq!(field_label("responders[0].username"), "Responders");
        assert_eq!(field_label("title"), "Title");
        assert_eq!(field_label("started_at"), "started_at");
    }
}
