//! Who a use case acts for.

use std::borrow::Cow;

use hindsight_core::access::Viewer;

use crate::AppError;

/// Whoever a use case runs for: a signed-in person (by session or API token), or the
/// operator at the command line, who holds the database itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A person, with the role and identity the store decides visibility by.
    Person(Viewer),
    /// The operator at the command line: sees everything, and the changes they make are
    /// attributed to no user.
    Operator,
}

impl Actor {
    /// The identity the store decides visibility and authorship by.
    pub fn viewer(&self) -> Cow<'_, Viewer> {
        match self {
            Actor::Person(viewer) => Cow::Borrowed(viewer),
            Actor::Operator => Cow::Owned(Viewer::operator()),
        }
    }

    /// The name the audit trail records for this actor.
    pub fn name(&self) -> &str {
        match self {
            Actor::Person(viewer) => &viewer.username,
            Actor::Operator => "operator",
        }
    }

    /// Refuses actors who may not write incidents and post-mortems.
    pub fn require_write(&self) -> Result<(), AppError> {
        match self {
            Actor::Person(viewer) if !viewer.role.can_write() => Err(AppError::Forbidden(format!(
                "your role is {}; writing needs the editor or admin role",
                viewer.role
            ))),
            _ => Ok(()),
        }
    }

    /// Refuses actors who are neither `username` nor an admin.
    pub fn require_self_or_admin(&self, username: &str) -> Result<(), AppError> {
        match self {
            Actor::Person(viewer) if viewer.username != username && !viewer.role.is_admin() => {
                Err(AppError::Forbidden("only the user themselves or an admin may do this".into()))
            }
            _ => Ok(()),
        }
    }

    /// Refuses actors who are not admins.
    pub fn require_admin(&self) -> Result<(), AppError> {
        match self {
            Actor::Person(viewer) if !viewer.role.is_admin() => {
                Err(AppError::Forbidden(format!("your role is {}; this needs the admin role", viewer.role)))
            }
            _ => Ok(()),
        }
    }
}
