//! Admin pages under `/admin` (users, teams and services, every API token, policy
//! thresholds, webhook secrets, destinations and deliveries, trackers) and each person's own API tokens at `/settings/tokens`.
//!
//! Every change goes through the same functions as the API (`api::accounts`), so the
//! pages allow exactly what the API allows; they only add forms and messages.

pub mod deliveries;
pub mod settings;
pub mod teams;
pub mod tokens;
pub mod trackers;
pub mod users;

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};

use super::kit::{Chrome, Notice, PageError, Signed};
use crate::error::ApiError;

#[derive(Template, WebTemplate)]
#[template(path = "admin.html")]
struct IndexPage {
    chrome: Chrome,
}

/// `/admin`: what an admin can manage.
pub async fn index(Signed(caller): Signed, notice: Notice) -> Result<Response, PageError> {
    caller.require_admin()?;
    Ok(IndexPage { chrome: Chrome::of(&caller).with_notice(notice) }.into_response())
}

/// What was wrong with a form, as sentences to show beside it; errors that are not
/// about the form's input (not allowed, not found, ours) become an error page.
pub(crate) fn form_errors(error: impl Into<ApiError>) -> Result<Vec<String>, PageError> {
    match error.into() {
        ApiError::Invalid(invalid) => {
            Ok(invalid.0.iter().map(|e| format!("{}: {}", field_label(&e.field), e.message)).collect())
        }
        ApiError::Conflict { detail, .. } | ApiError::BadRequest { detail, .. } => Ok(vec![detail]),
        other => Err(other.into()),
    }
}

/// `display_name` as `Display name`.
fn field_label(field: &str) -> String {
    let words = field.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// Who set a stored value and when, for the pages to show.
fn set_by(setting: &hindsight_store::StoredSetting) -> String {
    format!(
        "set here by {} on {}",
        setting.updated_by.as_deref().unwrap_or("someone"),
        super::view::when(setting.updated_at)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_read_as_labels() {
        assert_eq!(field_label("display_name"), "Display name");
        assert_eq!(field_label("password"), "Password");
        assert_eq!(field_label(""), "");
    }
}
