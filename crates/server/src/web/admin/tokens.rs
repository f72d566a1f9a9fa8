//! API tokens: each person's own at `/settings/tokens` (create, shown once; revoke),
//! and every user's at `/admin/tokens` for admins (revoke any).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hindsight_core::ApiToken;
use serde::Deserialize;

use super::form_errors;
use crate::state::AppState;
use crate::web::kit::{Chrome, Notice, PageError, Posted, Signed, see_other_with_notice};
use crate::web::view;
use hindsight_app::accounts;

struct TokenRow {
    id: String,
    name: String,
    username: String,
    created: String,
    last_used: String,
    /// When it was revoked; empty while it works.
    revoked: String,
}

impl TokenRow {
    fn new(token: ApiToken) -> TokenRow {
        TokenRow {
            created: view::when(token.created_at),
            last_used: token.last_used_at.map(view::when).unwrap_or_else(|| "never".into()),
            revoked: token.revoked_at.map(view::when).unwrap_or_default(),
            id: token.id,
            name: token.name,
            username: token.username,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "settings_tokens.html")]
struct OwnTokensPage {
    chrome: Chrome,
    tokens: Vec<TokenRow>,
    name: String,
    errors: Vec<String>,
    /// (name, secret) of the token just created, shown this once.
    created: Option<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_tokens.html")]
struct AllTokensPage {
    chrome: Chrome,
    tokens: Vec<TokenRow>,
}

/// The "create a token" form.
#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn own_page(
    state: &AppState,
    chrome: Chrome,
    name: String,
    errors: Vec<String>,
    created: Option<(String, String)>,
) -> Result<OwnTokensPage, PageError> {
    let tokens = state.store.list_tokens(&chrome.username).await?.into_iter().map(TokenRow::new).collect();
    Ok(OwnTokensPage { chrome, tokens, name, errors, created })
}

/// `GET /settings/tokens`: the signed-in person's tokens.
pub async fn own(State(state): State<AppState>, Signed(caller): Signed, notice: Notice) -> Result<Response, PageError> {
    let chrome = Chrome::of(&caller).with_notice(notice);
    Ok(own_page(&state, chrome, String::new(), Vec::new(), None).await?.into_response())
}

/// `POST /settings/tokens`: creates a token and shows its secret once (no redirect, so the
/// secret never goes into a URL or the history).
pub async fn create_own(State(state): State<AppState>, posted: Posted<TokenForm>) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    let username = caller.viewer.username.clone();
    match accounts::create_token(&state.store, &caller.actor(), &username, form.name.trim()).await {
        Ok(created) => {
            let shown = Some((created.token.name, created.secret));
            let page = own_page(&state, Chrome::of(&caller), String::new(), Vec::new(), shown).await?;
            Ok((StatusCode::CREATED, page).into_response())
        }
        Err(e) => {
            let errors = form_errors(e)?;
            let page = own_page(&state, Chrome::of(&caller), form.name, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `POST /settings/tokens/{id}/revoke`: the owner (or an admin) revokes a token.
pub async fn revoke_own(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<TokenForm>,
) -> Result<Response, PageError> {
    let token = accounts::revoke_token(&state.store, &posted.caller.actor(), &id).await?;
    Ok(see_other_with_notice("/settings/tokens", &format!("Revoked the token {:?}; it no longer works.", token.name)))
}

/// `GET /admin/tokens`: every user's tokens.
pub async fn all(State(state): State<AppState>, Signed(caller): Signed, notice: Notice) -> Result<Response, PageError> {
    caller.require_admin()?;
    let tokens = state.store.list_all_tokens().await?.into_iter().map(TokenRow::new).collect();
    Ok(AllTokensPage { chrome: Chrome::of(&caller).with_notice(notice), tokens }.into_response())
}

/// `POST /admin/tokens/{id}/revoke`: an admin revokes anyone's token.
pub async fn revoke_any(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<TokenForm>,
) -> Result<Response, PageError> {
    posted.caller.require_admin()?;
    let token = accounts::revoke_token(&state.store, &posted.caller.actor(), &id).await?;
    let notice = format!("Revoked {}'s token {:?}; it no longer works.", token.username, token.name);
    Ok(see_other_with_notice("/admin/tokens", &notice))
}
