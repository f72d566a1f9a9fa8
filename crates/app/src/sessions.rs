//! Signing in with a username and password: the sign-in limits, the password check and the
//! session it opens. The JSON API and the sign-in page both come here; each sets the cookie
//! its own way.

use hindsight_core::{User, ValidationErrors};
use hindsight_store::{SignInAttempt, SignInLimits, Store};
use time::{Duration, OffsetDateTime};

use crate::AppError;
use crate::accounts::MAX_PASSWORD;
use crate::secrets::{hash_secret, new_secret, verify_password_or_dummy};

/// Longest username a sign-in may name: usernames are 1 to 64 characters.
pub const MAX_USERNAME: usize = 64;

/// What a sign-in tries.
#[derive(Debug, Clone)]
pub struct SignIn<'a> {
    pub username: &'a str,
    pub password: &'a str,
    /// The client's address as the server sees it (after trusted proxies), or `unknown`:
    /// the per-address limit counts by it.
    pub address: &'a str,
}

/// A session opened by a sign-in.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub user: User,
    /// The secret the browser keeps in its cookie; only its SHA-256 is stored.
    pub secret: String,
    /// The token unsafe requests of this session must carry.
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
}

/// Why a sign-in opened no session.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The username and password do not belong together (or the account is disabled); which
    /// of them is wrong is not said.
    #[error("wrong username or password")]
    WrongCredentials,
    /// Too many failed sign-ins for the account or from the address; try again in `seconds`.
    #[error(
        "too many failed sign-ins {}; try again in {seconds} second{}",
        if *account { "for this account" } else { "from your address" },
        if *seconds == 1 { "" } else { "s" }
    )]
    TooManyAttempts { account: bool, seconds: u64 },
    #[error(transparent)]
    Refused(#[from] AppError),
}

/// Checks `attempt` and opens a session of `session_hours`. Oversized fields are refused
/// first (argon2 over a megabyte is seconds of CPU); then the sign-in limits, counted in the
/// database, decide whether the password is checked at all. An unknown name is checked
/// against a dummy hash, so it answers as slowly as a known one.
pub async fn sign_in(
    store: &Store,
    limits: &SignInLimits,
    session_hours: i64,
    attempt: &SignIn<'_>,
) -> Result<OpenedSession, SignInError> {
    check_lengths(attempt.username, attempt.password).map_err(AppError::Invalid)?;
    let now = OffsetDateTime::now_utc();
    let begun = store.begin_sign_in(attempt.username, attempt.address, now, limits).await.map_err(AppError::from)?;
    if let SignInAttempt::Refused { account, retry_at } = begun {
        let seconds = (retry_at - now).whole_seconds().max(1).unsigned_abs();
        return Err(SignInError::TooManyAttempts { account, seconds });
    }
    let credentials = store.credentials(attempt.username).await.map_err(AppError::from)?;
    let (viewer, hash) = match credentials {
        Some((viewer, hash)) => (Some(viewer), hash),
        None => (None, None),
    };
    let password = attempt.password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password_or_dummy(&password, hash.as_deref()))
        .await
        .map_err(|e| AppError::Internal(format!("the password check did not finish: {e}")))?;
    let Some(viewer) = viewer.filter(|_| ok) else {
        return Err(SignInError::WrongCredentials);
    };
    store.sign_in_succeeded(attempt.username, attempt.address).await.map_err(AppError::from)?;
    let Some(user_id) = &viewer.user_id else {
        return Err(AppError::Internal(format!("the account {:?} has no user id", viewer.username)).into());
    };
    let secret = new_secret("hss_");
    let csrf_token = new_secret("");
    let expires_at = OffsetDateTime::now_utc() + Duration::hours(session_hours);
    store.create_session(user_id, &hash_secret(&secret), &csrf_token, expires_at).await.map_err(AppError::from)?;
    let user = store.user_by_username(&viewer.username).await.map_err(AppError::from)?;
    Ok(OpenedSession { user, secret, csrf_token, expires_at })
}

/// Refuses a username or password longer than any that can exist, naming the field.
pub fn check_lengths(username: &str, password: &str) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if username.len() > MAX_USERNAME {
        errors.push("username", format!("at most {MAX_USERNAME} characters"));
    }
    if password.len() > MAX_PASSWORD {
        errors.push("password", format!("at most {MAX_PASSWORD} bytes"));
    }
    errors.into_result()
}
