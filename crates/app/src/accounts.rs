//! Users, API tokens, teams and services: the changes admins make, and those people make to
//! their own account and tokens. The API, the admin pages and the command line call these, so
//! each checks and does exactly the same whichever way it is asked.
//!
//! Every change appends its audit event (who, what, to whom) in the change's own transaction,
//! so a change without its audit event never commits, and is logged at info level under the
//! `hindsight::audit` target.

use hindsight_core::{ApiToken, Role, Service, Team, User, ValidationErrors};
use hindsight_store::{AuditNote, NewUser, Store, UserPatch};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Actor, AppError, secrets};

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 12;

/// Longest password accepted, in bytes: argon2 is given at most this much to hash.
pub const MAX_PASSWORD: usize = 1024;

/// The audit note of a change made by `actor`, also logged under the `hindsight::audit`
/// target; the store appends it in the change's transaction.
pub fn note(actor: &Actor, action: &str, subject: &str) -> AuditNote {
    let name = actor.name();
    tracing::info!(target: "hindsight::audit", actor = name, action, subject, "audited change");
    let detail = match actor {
        Actor::Person(viewer) => serde_json::json!({ "role": viewer.role.to_string() }),
        Actor::Operator => serde_json::json!({ "via": "command line" }),
    };
    AuditNote::new(name, action, subject, detail)
}

fn check_password(password: &str) -> Result<(), ValidationErrors> {
    if password.chars().count() < MIN_PASSWORD || password.len() > MAX_PASSWORD {
        return Err(ValidationErrors::single(
            "password",
            format!("must be {MIN_PASSWORD} to {MAX_PASSWORD} characters"),
        ));
    }
    Ok(())
}

/// Hashes a password away from the async workers (argon2 takes tens of milliseconds).
async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || secrets::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)
}

// ---- users ----

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub role: Role,
    /// At least 12 characters; leave out for an account that only uses API tokens.
    #[serde(default)]
    pub password: Option<String>,
}

/// A change to an account; absent fields stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// Admins only.
    pub role: Option<Role>,
    /// Admins only. Disabled users cannot sign in and their sessions and tokens stop working.
    pub disabled: Option<bool>,
    /// At least 12 characters. Setting it ends the person's other sessions (all of them
    /// when an admin sets another person's password).
    pub password: Option<String>,
    /// Your current password: needed to change your own password, not another's.
    pub current_password: Option<String>,
}

/// Creates an account (admins only), reporting every field's problem at once, the password's
/// included.
pub async fn create_user(store: &Store, actor: &Actor, new: CreateUser) -> Result<User, AppError> {
    actor.require_admin()?;
    let mut user = NewUser {
        username: new.username,
        display_name: new.display_name,
        email: new.email,
        role: new.role,
        password_hash: None,
    };
    let mut errors = user.check().err().unwrap_or_default();
    if let Some(Err(password)) = new.password.as_deref().map(check_password) {
        errors.0.extend(password.0);
    }
    errors.into_result().map_err(AppError::Invalid)?;
    if let Some(password) = new.password {
        user.password_hash = Some(hash(password).await?);
    }
    let note = note(actor, &format!("created user with role {}", user.role), &user.username);
    Ok(store.create_user(user, &note).await?)
}

/// Refuses a change of one's own password unless `current` is the password now set.
async fn check_current_password(store: &Store, username: &str, current: Option<String>) -> Result<(), AppError> {
    let refused = |message: &str| AppError::Invalid(ValidationErrors::single("current_password", message.to_string()));
    let current = current.filter(|c| !c.is_empty()).ok_or_else(|| refused("required to change your own password"))?;
    if current.len() > MAX_PASSWORD {
        return Err(refused("does not match your current password"));
    }
    let stored = store.credentials(username).await?.and_then(|(_, hash)| hash);
    let matches = tokio::task::spawn_blocking(move || secrets::verify_password_or_dummy(&current, stored.as_deref()))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if matches { Ok(()) } else { Err(refused("does not match your current password")) }
}

/// Changes an account: a person their own (name, email, password, giving the current one),
/// an admin anyone's (anything but demoting or disabling themselves). `keep_session` is the
/// token hash of the session a person changed their own password from, which stays signed in.
pub async fn update_user(
    store: &Store,
    actor: &Actor,
    username: &str,
    change: UpdateUser,
    keep_session: Option<String>,
) -> Result<User, AppError> {
    actor.require_self_or_admin(username)?;
    let (own, admin) = match actor {
        Actor::Person(viewer) => (viewer.username == username, viewer.role.is_admin()),
        Actor::Operator => (false, true),
    };
    if (change.role.is_some() || change.disabled.is_some()) && !admin {
        return Err(AppError::Forbidden("only admins may change roles or disable accounts".into()));
    }
    if own && (change.disabled == Some(true) || change.role.is_some_and(|r| r != Role::Admin) && admin) {
        return Err(AppError::Forbidden("admins cannot demote or disable themselves; ask another admin".into()));
    }
    let password_hash = match change.password {
        Some(password) => {
            if own {
                check_current_password(store, username, change.current_password).await?;
            }
            check_password(&password).map_err(AppError::Invalid)?;
            Some(hash(password).await?)
        }
        None => None,
    };
    let mut what = Vec::new();
    if let Some(role) = change.role {
        what.push(format!("role to {role}"));
    }
    if let Some(disabled) = change.disabled {
        what.push(if disabled { "disabled the account".into() } else { "enabled the account".into() });
    }
    if password_hash.is_some() {
        what.push("set the password".into());
    }
    if change.display_name.is_some() || change.email.is_some() {
        what.push("changed name or email".into());
    }
    let patch = UserPatch {
        display_name: change.display_name,
        email: change.email.map(|e| Some(e).filter(|e| !e.is_empty())),
        role: change.role,
        disabled: change.disabled,
        password_hash,
        keep_session: keep_session.filter(|_| own),
    };
    let note = note(actor, &format!("changed user: {}", what.join(", ")), username);
    Ok(store.update_user(username, patch, &note).await?)
}

// ---- tokens ----

/// A token just created: `secret` is shown this once and never again.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedToken {
    pub token: ApiToken,
    /// Send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// Creates an API token for `username` (that user or an admin); only its hash is kept.
pub async fn create_token(store: &Store, actor: &Actor, username: &str, name: &str) -> Result<CreatedToken, AppError> {
    actor.require_self_or_admin(username)?;
    let secret = secrets::new_secret("hs_");
    let token = store
        .create_token(username, name, &secrets::hash_secret(&secret), |id| {
            note(actor, &format!("created API token {id} ({name:?})"), username)
        })
        .await?;
    Ok(CreatedToken { token, secret })
}

/// Revokes a token (its owner or an admin); it stops working at once.
pub async fn revoke_token(store: &Store, actor: &Actor, id: &str) -> Result<ApiToken, AppError> {
    let token = store.token(id).await?;
    actor.require_self_or_admin(&token.username)?;
    let note = note(actor, &format!("revoked API token {} ({:?})", token.id, token.name), &token.username);
    Ok(store.revoke_token(id, &note).await?)
}

// ---- teams ----

/// Creates a team (admins only).
pub async fn create_team(store: &Store, actor: &Actor, slug: &str, name: &str) -> Result<Team, AppError> {
    actor.require_admin()?;
    Ok(store.create_team(slug, name, &note(actor, "created team", slug)).await?)
}

/// Renames a team (admins only).
pub async fn rename_team(store: &Store, actor: &Actor, slug: &str, name: &str) -> Result<Team, AppError> {
    actor.require_admin()?;
    Ok(store.rename_team(slug, name, &note(actor, "renamed team", slug)).await?)
}

/// Deletes a team (admins only); its services lose their owner.
pub async fn delete_team(store: &Store, actor: &Actor, slug: &str) -> Result<(), AppError> {
    actor.require_admin()?;
    Ok(store.delete_team(slug, &note(actor, "deleted team", slug)).await?)
}

/// Adds `username` to the team (`member`) or removes them (admins only).
pub async fn set_membership(
    store: &Store,
    actor: &Actor,
    slug: &str,
    username: &str,
    member: bool,
) -> Result<Team, AppError> {
    actor.require_admin()?;
    let note = note(actor, &format!("{} team {slug}", if member { "added to" } else { "removed from" }), username);
    Ok(if member {
        store.add_member(slug, username, &note).await?
    } else {
        store.remove_member(slug, username, &note).await?
    })
}

// ---- services ----

/// A new service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateService {
    pub slug: String,
    pub name: String,
    /// Slug of the owning team.
    #[serde(default)]
    pub owner_team: Option<String>,
}

/// A change to a service; absent fields stay, `owner_team: null` removes the owner.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateService {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub owner_team: Option<Option<String>>,
}

fn some<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Creates a service (admins only).
pub async fn create_service(store: &Store, actor: &Actor, new: CreateService) -> Result<Service, AppError> {
    actor.require_admin()?;
    let note = note(actor, "created service", &new.slug);
    Ok(store.create_service(&new.slug, &new.name, new.owner_team.as_deref(), &note).await?)
}

/// Renames a service or changes its owning team (admins only).
pub async fn update_service(
    store: &Store,
    actor: &Actor,
    slug: &str,
    change: UpdateService,
) -> Result<Service, AppError> {
    actor.require_admin()?;
    let owner = change.owner_team.as_ref().map(|o| o.as_deref());
    Ok(store.update_service(slug, change.name.as_deref(), owner, &note(actor, "changed service", slug)).await?)
}

/// Deletes a service (admins only); incidents keep everything but the link to it.
pub async fn delete_service(store: &Store, actor: &Actor, slug: &str) -> Result<(), AppError> {
    actor.require_admin()?;
    Ok(store.delete_service(slug, &note(actor, "deleted service", slug)).await?)
}

#[cfg(test)]
mod tests {
    use hindsight_core::access::{UserId, Viewer};

    use super::*;

    fn person(username: &str, role: Role) -> Actor {
        Actor::Person(Viewer { user_id: Some(UserId::new(format!("id-{username}"))), username: username.into(), role })
    }

    #[test]
    fn passwords_are_refused_outside_their_length() {
        assert!(check_password(&"x".repeat(MIN_PASSWORD - 1)).is_err());
        assert!(check_password(&"x".repeat(MIN_PASSWORD)).is_ok());
        assert!(check_password(&"é".repeat(MIN_PASSWORD)).is_ok(), "counted in characters");
        assert!(check_password(&"x".repeat(MAX_PASSWORD + 1)).is_err());
    }

    #[test]
    fn only_the_person_or_an_admin_touches_an_account() {
        assert!(person("ana", Role::Viewer).require_self_or_admin("ana").is_ok());
        assert!(person("ana", Role::Editor).require_self_or_admin("ben").is_err());
        assert!(person("root", Role::Admin).require_self_or_admin("ben").is_ok());
        assert!(Actor::Operator.require_self_or_admin("ben").is_ok());
    }

    #[test]
    fn notes_say_who_acted_and_how() {
        let by_person = note(&person("root", Role::Admin), "created team", "payments");
        assert_eq!((by_person.actor.as_str(), by_person.subject.as_str()), ("root", "payments"));
        assert_eq!(by_person.detail, serde_json::json!({"role": "admin"}));
        let by_operator = note(&Actor::Operator, "created user with role admin", "ops");
        assert_eq!(by_operator.actor, "operator");
        assert_eq!(by_operator.detail, serde_json::json!({"via": "command line"}));
    }
}
