//! Signing in and out with the form.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::kit::{PageError, Signed, safe_next};
use crate::api::session::{Login, clearing_cookie, open_session};
use crate::auth::{self, Credential, PeerAddr};
use crate::error::ApiError;
use crate::json::Params;
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    error: Option<String>,
    username: String,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(Params(query): Params<NextQuery>) -> impl IntoResponse {
    LoginPage { next: safe_next(query.next.as_deref()), error: None, username: String::new() }
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    PeerAddr(peer): PeerAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    if !auth::same_origin(&headers) {
        return PageError::new(
            StatusCode::FORBIDDEN,
            "Cross-site sign-in refused: sign in from the Hindsight sign-in page.",
        )
        .into_response();
    }
    let login = Login { username: form.username.clone(), password: form.password };
    match open_session(&state, peer, &headers, &login).await {
        Ok((_, cookie)) => {
            let mut response = Redirect::to(&next).into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Err(e) => {
            let retry_after = e.retry_after();
            let (status, message) = match e {
                ApiError::WrongCredentials => (StatusCode::UNAUTHORIZED, "Wrong username or password.".to_string()),
                other => {
                    (StatusCode::from_u16(other.problem().status).unwrap_or(StatusCode::BAD_REQUEST), other.to_string())
                }
            };
            // A name longer than any username is not shown back.
            let username = if form.username.len() > auth::MAX_USERNAME { String::new() } else { form.username };
            let mut response = (status, LoginPage { next, error: Some(message), username }).into_response();
            if let Some(seconds) = retry_after {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf_token: String,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(caller): Signed,
    Form(form): Form<LogoutForm>,
) -> Response {
    if let Credential::Session { csrf_token, token_hash } = &caller.credential {
        if !auth::same_origin(&headers) || !auth::secrets_match(&form.csrf_token, csrf_token) {
            return PageError::new(
                StatusCode::FORBIDDEN,
                "Cross-site request refused: sign out from a Hindsight page.",
            )
            .into_response();
        }
        if let Err(e) = state.store.delete_session(token_hash).await {
            return PageError::from(e).into_response();
        }
    }
    let mut response = Redirect::to("/login").into_response();
    if let Ok(value) = HeaderValue::from_str(&clearing_cookie(&state)) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
