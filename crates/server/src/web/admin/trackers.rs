//! `/admin/trackers`: the GitHub repositories and Jira projects action items are kept in
//! step with, added and removed here. A tracker's webhook secret is shown once, on the
//! page that answers its adding, with where to give it and its address to the tracker.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hindsight_app::AppError;
use hindsight_app::trackers::{self, AddedTracker};
use hindsight_core::{MAX_TRACKER_PEOPLE, NewTracker, Priority, Tracker, TrackerKind, ValidationErrors};
use serde::Deserialize;

use super::form_errors;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::kit::{Chrome, NoFields, Notice, PageError, Posted, Signed, see_other_with_notice};
use crate::web::view;

/// Bad lines of the people field named one by one before the rest are only counted.
const BAD_LINES_NAMED: usize = 5;

/// A tracker as the page lists it.
struct TrackerRow {
    id: String,
    name: String,
    kind: &'static str,
    project: String,
    api_url: String,
    priorities: String,
    people: usize,
    webhook_url: String,
    added: String,
}

/// A tracker just added, with what to give the tracker: shown this once.
struct Added {
    name: String,
    github: bool,
    webhook_url: String,
    secret: String,
}

/// The add form as it was sent, to fill in again when refused (the token is not sent
/// back: it is a credential).
#[derive(Debug, Default, Deserialize)]
pub struct TrackerForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    api_url: String,
    #[serde(default)]
    project: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    auto_priorities: Vec<String>,
    /// Lines of `username = login-or-account-id`.
    #[serde(default)]
    people: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_trackers.html")]
struct TrackersPage {
    chrome: Chrome,
    trackers: Vec<TrackerRow>,
    /// Every priority, with whether the form has it ticked.
    priorities: Vec<(&'static str, String, bool)>,
    form_name: String,
    form_kind: String,
    form_api_url: String,
    form_project: String,
    form_people: String,
    errors: Vec<String>,
    added: Option<Added>,
    has_key: bool,
    max_people: usize,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    chrome: Chrome,
    form: &TrackerForm,
    errors: Vec<String>,
    added: Option<Added>,
) -> Result<TrackersPage, PageError> {
    let listed = trackers::trackers(&state.store, &caller.actor()).await?;
    let base_url = state.settings.deliverer.base_url();
    Ok(TrackersPage {
        chrome,
        trackers: listed.iter().map(|tracker| tracker_row(tracker, base_url)).collect(),
        priorities: Priority::ALL
            .iter()
            .map(|p| (p.as_str(), p.as_str().to_uppercase(), form.auto_priorities.iter().any(|t| t == p.as_str())))
            .collect(),
        form_name: form.name.clone(),
        form_kind: form.kind.clone(),
        form_api_url: form.api_url.clone(),
        form_project: form.project.clone(),
        form_people: form.people.clone(),
        errors,
        added,
        has_key: state.settings.deliverer.has_key(),
        max_people: MAX_TRACKER_PEOPLE,
    })
}

fn tracker_row(tracker: &Tracker, base_url: &str) -> TrackerRow {
    let priorities = if tracker.auto_priorities.is_empty() {
        "none: on request only".to_string()
    } else {
        tracker.auto_priorities.iter().map(|p| p.as_str().to_uppercase()).collect::<Vec<_>>().join(", ")
    };
    TrackerRow {
        id: tracker.id.clone(),
        name: tracker.name.clone(),
        kind: kind_words(tracker.kind),
        project: tracker.project.clone(),
        api_url: tracker.api_url.clone(),
        priorities,
        people: tracker.people.len(),
        webhook_url: trackers::webhook_url(base_url, &tracker.id),
        added: view::when(tracker.created_at),
    }
}

/// A tracker's kind as the page names it.
pub(crate) fn kind_words(kind: TrackerKind) -> &'static str {
    match kind {
        TrackerKind::Github => "GitHub Issues",
        TrackerKind::Jira => "Jira Cloud",
    }
}

/// `GET /admin/trackers`.
pub async fn list(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
) -> Result<Response, PageError> {
    caller.require_admin()?;
    let chrome = Chrome::of(&caller).with_notice(notice);
    Ok(page(&state, &caller, chrome, &TrackerForm::default(), Vec::new(), None).await?.into_response())
}

/// The people field read as username to the tracker's login or account id: one
/// `username = login` a line, blank lines skipped; each bad line is named by its number.
fn read_people(text: &str, errors: &mut ValidationErrors) -> BTreeMap<String, String> {
    let mut people = BTreeMap::new();
    let lines = text.lines().filter(|line| !line.trim().is_empty()).count();
    if lines > MAX_TRACKER_PEOPLE {
        errors.push("people", format!("{lines} lines; at most {MAX_TRACKER_PEOPLE}, one person a line"));
        return people;
    }
    let mut bad = Vec::new();
    for (number, line) in text.lines().enumerate().map(|(i, line)| (i + 1, line.trim())) {
        if line.is_empty() {
            continue;
        }
        let Some((username, remote)) = line.split_once('=').map(|(u, r)| (u.trim(), r.trim())) else {
            bad.push(format!("line {number}, {line:?}, has no \u{201c}=\u{201d}: write username = login"));
            continue;
        };
        if username.is_empty() || remote.is_empty() {
            bad.push(format!("line {number}, {line:?}, needs a name on both sides of \u{201c}=\u{201d}"));
        } else if remote.contains('=') {
            bad.push(format!("line {number}, {line:?}, has more than one \u{201c}=\u{201d}"));
        } else if people.insert(username.to_string(), remote.to_string()).is_some() {
            bad.push(format!("line {number} names {username} again: give each person once"));
        }
    }
    let more = bad.len().saturating_sub(BAD_LINES_NAMED);
    for message in bad.into_iter().take(BAD_LINES_NAMED) {
        errors.push("people", message);
    }
    if more > 0 {
        errors.push("people", format!("and {more} more lines like these"));
    }
    people
}

/// The form read as a new tracker; what cannot be read is named by its field.
fn read_form(form: &TrackerForm) -> Result<NewTracker, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let kind = form.kind.parse::<TrackerKind>().map_err(|_| errors.push("kind", "choose GitHub or Jira")).ok();
    let mut auto_priorities = Vec::new();
    for ticked in &form.auto_priorities {
        match ticked.parse::<Priority>() {
            Ok(priority) => auto_priorities.push(priority),
            Err(_) => errors.push("auto_priorities", format!("{ticked:?} is not a priority")),
        }
    }
    let people = read_people(&form.people, &mut errors);
    errors.into_result()?;
    let api_url = Some(form.api_url.trim().to_string()).filter(|url| !url.is_empty());
    Ok(NewTracker {
        name: form.name.trim().to_string(),
        kind: kind.unwrap_or(TrackerKind::Github),
        api_url,
        project: form.project.trim().to_string(),
        token: form.token.clone(),
        auto_priorities,
        people,
    })
}

/// A field's name as the form labels it.
fn label_of(field: &str) -> &str {
    match field {
        "name" => "Name",
        "kind" => "Kind",
        "api_url" => "API address",
        "project" => "Project",
        "token" => "Token",
        "auto_priorities" => "Issues made for",
        "people" => "People",
        "secret_key" => "Secret key",
        other => other,
    }
}

/// What was wrong with the form, as sentences beside it, the fields named by their labels.
fn tracker_errors(error: AppError) -> Result<Vec<String>, PageError> {
    match ApiError::from(error) {
        ApiError::Invalid(invalid) => {
            Ok(invalid.0.iter().map(|e| format!("{}: {}", label_of(&e.field), e.message)).collect())
        }
        other => form_errors(other),
    }
}

/// `POST /admin/trackers`.
pub async fn add(State(state): State<AppState>, posted: Posted<TrackerForm>) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_admin()?;
    let added = match read_form(&form) {
        Ok(new) => trackers::add_tracker(&state.store, &caller.actor(), &state.settings.deliverer, &new).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match added {
        Ok(AddedTracker { tracker, webhook_url, webhook_secret }) => {
            let added = Added {
                name: tracker.name.clone(),
                github: tracker.kind == TrackerKind::Github,
                webhook_url,
                secret: webhook_secret,
            };
            let chrome = Chrome::of(&caller);
            let shown = page(&state, &caller, chrome, &TrackerForm::default(), Vec::new(), Some(added)).await?;
            Ok(shown.into_response())
        }
        Err(error) => {
            let errors = tracker_errors(error)?;
            let shown = page(&state, &caller, Chrome::of(&caller), &form, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
        }
    }
}

/// `POST /admin/trackers/{id}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let Posted { caller, .. } = posted;
    trackers::remove_tracker(&state.store, &caller.actor(), &id).await?;
    Ok(see_other_with_notice(
        "/admin/trackers",
        "Removed the tracker and its links: its issues stay in the tracker, no longer kept in step.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(text: &str) -> (BTreeMap<String, String>, Vec<String>) {
        let mut errors = ValidationErrors::default();
        let people = read_people(text, &mut errors);
        (people, errors.0.into_iter().map(|e| e.message).collect())
    }

    #[test]
    fn people_lines_are_read_with_blank_lines_and_spaces_skipped() {
        let (read, errors) = people("editor = editor-gh\n\n  admin=5b10ac8d82e05b22cc7d4ef5  \r\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(read.get("editor").map(String::as_str), Some("editor-gh"));
        assert_eq!(read.get("admin").map(String::as_str), Some("5b10ac8d82e05b22cc7d4ef5"));
    }

    #[test]
    fn bad_people_lines_are_named_by_number() {
        let (_, errors) = people("editor = editor-gh\nnobody\n = lone\neditor = again");
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("line 2, \"nobody\", has no"), "{errors:?}");
        assert!(errors[1].starts_with("line 3,"), "{errors:?}");
        assert!(errors[2].contains("line 4 names editor again"), "{errors:?}");
    }

    #[test]
    fn too_many_people_lines_are_refused_before_reading_them() {
        let text: String = (0..=MAX_TRACKER_PEOPLE).map(|i| format!("user{i} = remote{i}\n")).collect();
        let (read, errors) = people(&text);
        assert!(read.is_empty());
        assert_eq!(errors, vec![format!("5001 lines; at most {MAX_TRACKER_PEOPLE}, one person a line")]);
    }

    #[test]
    fn many_bad_lines_are_named_up_to_a_few_then_counted() {
        let text = "x\n".repeat(8);
        let (_, errors) = people(&text);
        assert_eq!(errors.len(), BAD_LINES_NAMED + 1);
        assert_eq!(errors.last().map(String::as_str), Some("and 3 more lines like these"));
    }
}
