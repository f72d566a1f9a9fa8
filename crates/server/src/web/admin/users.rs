//! `/admin/users`: every account, adding one, changing a role, setting a new password,
//! disabling and enabling. Accounts cannot be deleted (their history names them);
//! disabling stops sign-in, sessions and tokens at once.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hindsight_core::Role;
use serde::Deserialize;

use super::form_errors;
use crate::auth::Caller;
use crate::state::AppState;
use crate::web::kit::{Chrome, Notice, PageError, Posted, Signed, see_other_with_notice};
use crate::web::view;
use hindsight_app::accounts::{self, CreateUser, UpdateUser};

#[derive(Template, WebTemplate)]
#[template(path = "admin_users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    roles: Vec<&'static str>,
    form: NewUserForm,
    errors: Vec<String>,
}

struct UserRow {
    username: String,
    display_name: String,
    email: String,
    role: String,
    teams: String,
    created: String,
    disabled: bool,
    is_self: bool,
    /// What was wrong with the last change to this user, shown beside its forms.
    error: Option<String>,
}

/// The "add a user" form, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    /// Never sent back to the page.
    #[serde(default)]
    password: String,
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    /// Asked for on the admin's own row only.
    #[serde(default)]
    current_password: String,
}

#[derive(Debug, Deserialize)]
pub struct DisabledForm {
    #[serde(default)]
    disabled: String,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    chrome: Chrome,
    form: NewUserForm,
    errors: Vec<String>,
    row_error: Option<(&str, String)>,
) -> Result<UsersPage, PageError> {
    let users = state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            error: row_error.as_ref().filter(|(name, _)| *name == u.username).map(|(_, e)| e.clone()),
            is_self: u.username == caller.viewer.username,
            username: u.username,
            display_name: u.display_name,
            email: u.email.unwrap_or_default(),
            role: u.role.to_string(),
            teams: u.teams.join(", "),
            created: view::when(u.created_at),
            disabled: u.disabled,
        })
        .collect();
    Ok(UsersPage {
        chrome,
        users,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        form: NewUserForm { password: String::new(), ..form },
        errors,
    })
}

/// `GET /admin/users`.
pub async fn list(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
) -> Result<Response, PageError> {
    caller.require_admin()?;
    let form = NewUserForm { role: Role::Viewer.to_string(), ..NewUserForm::default() };
    let chrome = Chrome::of(&caller).with_notice(notice);
    Ok(page(&state, &caller, chrome, form, Vec::new(), None).await?.into_response())
}

/// `POST /admin/users`: adds an account with an initial password.
pub async fn create(State(state): State<AppState>, posted: Posted<NewUserForm>) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_admin()?;
    let mut errors = Vec::new();
    let role = form.role.parse::<Role>().map_err(|e| errors.push(format!("Role: {e}"))).ok();
    if form.password.is_empty() {
        errors.push("Initial password: required, so that they can sign in".into());
    }
    if let (true, Some(role)) = (errors.is_empty(), role) {
        let new = CreateUser {
            username: form.username.trim().to_string(),
            display_name: form.display_name.trim().to_string(),
            email: Some(form.email.trim().to_string()).filter(|e| !e.is_empty()),
            role,
            password: Some(form.password.clone()),
        };
        match accounts::create_user(&state.store, &caller.actor(), new).await {
            Ok(user) => {
                let notice = format!("Added {} as {}. Tell them their initial password.", user.username, user.role);
                return Ok(see_other_with_notice("/admin/users", &notice));
            }
            Err(e) => errors.extend(form_errors(e)?),
        }
    }
    let page = page(&state, &caller, Chrome::of(&caller), form, errors, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Applies a change to one user and goes back to the list, or shows the list again with
/// what was wrong beside that user.
async fn change(
    state: &AppState,
    caller: &Caller,
    username: &str,
    change: UpdateUser,
    done: &str,
) -> Result<Response, PageError> {
    match accounts::update_user(&state.store, &caller.actor(), username, change, caller.session_token_hash()).await {
        Ok(_) => Ok(see_other_with_notice("/admin/users", done)),
        Err(e) => {
            let errors = form_errors(e)?;
            let row_error = Some((username, errors.join(" ")));
            let form = NewUserForm { role: Role::Viewer.to_string(), ..NewUserForm::default() };
            let page = page(state, caller, Chrome::of(caller), form, errors, row_error).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `POST /admin/users/{username}/role`.
pub async fn set_role(
    State(state): State<AppState>,
    Path(username): Path<String>,
    posted: Posted<RoleForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_admin()?;
    let role = form
        .role
        .parse::<Role>()
        .map_err(|e| PageError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("Role: {e}")))?;
    let update = UpdateUser { role: Some(role), ..UpdateUser::default() };
    change(&state, &caller, &username, update, &format!("{username} is now {role}.")).await
}

/// `POST /admin/users/{username}/password`: sets a new password and ends the person's
/// other sessions; an admin's own needs the current one.
pub async fn set_password(
    State(state): State<AppState>,
    Path(username): Path<String>,
    posted: Posted<PasswordForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_admin()?;
    let update = UpdateUser {
        password: Some(form.password),
        current_password: Some(form.current_password),
        ..UpdateUser::default()
    };
    change(&state, &caller, &username, update, &format!("Set a new password for {username}.")).await
}

/// `POST /admin/users/{username}/disabled`: `disabled=true` disables, `false` enables.
pub async fn set_disabled(
    State(state): State<AppState>,
    Path(username): Path<String>,
    posted: Posted<DisabledForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_admin()?;
    let disabled = match form.disabled.as_str() {
        "true" => true,
        "false" => false,
        other => {
            return Err(PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Disabled: {other:?} is neither true nor false"),
            ));
        }
    };
    let done = if disabled {
        format!("Disabled {username}: they are signed out and their API tokens stop working.")
    } else {
        format!("Enabled {username}.")
    };
    change(&state, &caller, &username, UpdateUser { disabled: Some(disabled), ..UpdateUser::default() }, &done).await
}
