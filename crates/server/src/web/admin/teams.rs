//! `/admin/teams`: teams with their members, and services with their owning team.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::form_errors;
use crate::auth::Caller;
use crate::state::AppState;
use crate::web::kit::{Chrome, Notice, PageError, Posted, Signed, see_other_with_notice};
use hindsight_app::accounts::{self, CreateService};

#[derive(Template, WebTemplate)]
#[template(path = "admin_teams.html")]
struct TeamsPage {
    chrome: Chrome,
    teams: Vec<TeamRow>,
    services: Vec<(String, String, String)>,
    team_form: TeamForm,
    service_form: ServiceForm,
    team_errors: Vec<String>,
    service_errors: Vec<String>,
    member_errors: Vec<String>,
}

struct TeamRow {
    slug: String,
    name: String,
    members: Vec<String>,
    /// Users who could be added.
    others: Vec<String>,
}

/// The "create a team" form, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct TeamForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
}

/// The "create a service" form, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct ServiceForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    owner_team: String,
}

#[derive(Debug, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    username: String,
}

/// What a refused form on this page brings back.
#[derive(Default)]
struct Refused {
    team_form: TeamForm,
    service_form: ServiceForm,
    team_errors: Vec<String>,
    service_errors: Vec<String>,
    member_errors: Vec<String>,
}

async fn page(state: &AppState, chrome: Chrome, refused: Refused) -> Result<TeamsPage, PageError> {
    let usernames: Vec<String> = state.store.list_users().await?.into_iter().map(|u| u.username).collect();
    let teams = state
        .store
        .list_teams()
        .await?
        .into_iter()
        .map(|t| TeamRow {
            others: usernames.iter().filter(|u| !t.members.contains(u)).cloned().collect(),
            slug: t.slug,
            name: t.name,
            members: t.members,
        })
        .collect();
    let services = state
        .store
        .list_services()
        .await?
        .into_iter()
        .map(|s| (s.slug, s.name, s.owner_team.unwrap_or_default()))
        .collect();
    Ok(TeamsPage {
        chrome,
        teams,
        services,
        team_form: refused.team_form,
        service_form: refused.service_form,
        team_errors: refused.team_errors,
        service_errors: refused.service_errors,
        member_errors: refused.member_errors,
    })
}

async fn refused_page(state: &AppState, caller: &Caller, refused: Refused) -> Result<Response, PageError> {
    let page = page(state, Chrome::of(caller), refused).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `GET /admin/teams`.
pub async fn list(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
) -> Result<Response, PageError> {
    caller.require_admin()?;
    Ok(page(&state, Chrome::of(&caller).with_notice(notice), Refused::default()).await?.into_response())
}

/// `POST /admin/teams`.
pub async fn create_team(State(state): State<AppState>, posted: Posted<TeamForm>) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_admin()?;
    match accounts::create_team(&state.store, &caller.actor(), form.slug.trim(), form.name.trim()).await {
        Ok(team) => Ok(see_other_with_notice("/admin/teams", &format!("Created team {}.", team.name))),
        Err(e) => {
            let team_errors = form_errors(e)?;
            refused_page(&state, &caller, Refused { team_form: form, team_errors, ..Refused::default() }).await
        }
    }
}

async fn membership(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    username: &str,
    member: bool,
) -> Result<Response, PageError> {
    caller.require_admin()?;
    if username.is_empty() {
        let member_errors = vec!["Member: choose a user".to_string()];
        return refused_page(state, caller, Refused { member_errors, ..Refused::default() }).await;
    }
    match accounts::set_membership(&state.store, &caller.actor(), slug, username, member).await {
        Ok(team) => {
            let done = if member {
                format!("Added {username} to {}.", team.name)
            } else {
                format!("Removed {username} from {}.", team.name)
            };
            Ok(see_other_with_notice("/admin/teams", &done))
        }
        Err(e) => {
            let member_errors = form_errors(e)?;
            refused_page(state, caller, Refused { member_errors, ..Refused::default() }).await
        }
    }
}

/// `POST /admin/teams/{slug}/members`: adds `username`.
pub async fn add_member(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: Posted<MemberForm>,
) -> Result<Response, PageError> {
    membership(&state, &posted.caller, &slug, &posted.form.username, true).await
}

/// `POST /admin/teams/{slug}/members/remove`: removes `username`.
pub async fn remove_member(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    posted: Posted<MemberForm>,
) -> Result<Response, PageError> {
    membership(&state, &posted.caller, &slug, &posted.form.username, false).await
}

/// `POST /admin/services`.
pub async fn create_service(State(state): State<AppState>, posted: Posted<ServiceForm>) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_admin()?;
    let new = CreateService {
        slug: form.slug.trim().to_string(),
        name: form.name.trim().to_string(),
        owner_team: Some(form.owner_team.clone()).filter(|t| !t.is_empty()),
    };
    match accounts::create_service(&state.store, &caller.actor(), new).await {
        Ok(service) => Ok(see_other_with_notice("/admin/teams", &format!("Created service {}.", service.name))),
        Err(e) => {
            let service_errors = form_errors(e)?;
            refused_page(&state, &caller, Refused { service_form: form, service_errors, ..Refused::default() }).await
        }
    }
}
