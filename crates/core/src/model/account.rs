//! Users, teams and the services teams own, and the roles that say who may do what.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::word_enum;

word_enum! {
    /// What a user may do across Hindsight.
    Role {
        /// Reads what they can see.
        Viewer = "viewer",
        /// Writes incidents, timelines, post-mortems and action items they can see.
        Editor = "editor",
        /// Manages users, teams, services and settings; sees everything.
        Admin = "admin",
    }
}

impl Role {
    /// Whether this role may create and change incidents and post-mortems.
    pub fn can_write(self) -> bool {
        matches!(self, Role::Editor | Role::Admin)
    }

    /// Whether this role may manage accounts, teams, services and settings.
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: String,
    /// Unique sign-in name: 1-64 of `a-z 0-9 . _ -`.
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    /// Disabled users cannot sign in and their tokens stop working.
    pub disabled: bool,
    /// Slugs of the teams the user belongs to.
    pub teams: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A group of people that owns services and reads post-mortems.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Team {
    pub id: String,
    /// URL-safe unique name, e.g. `payments`.
    pub slug: String,
    pub name: String,
    /// Usernames of the members.
    pub members: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A system a team owns and incidents affect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Service {
    pub id: String,
    /// URL-safe unique name, e.g. `checkout-api`.
    pub slug: String,
    pub name: String,
    /// Slug of the owning team, if any.
    pub owner_team: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A personal API token as listed: the secret itself is shown once, at creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    /// Username of the owner.
    pub username: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// Checks a username: 1-64 of `a-z 0-9 . _ -`, starting with a letter or digit.
pub fn is_username(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        && value.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}
