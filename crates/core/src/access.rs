//! Who is asking: the identity every store query and handler is given, so that
//! visibility and permissions are decided in one place.

use crate::model::Role;

/// The id the store keys a user by (not their username, which an admin may change).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(String);

impl UserId {
    pub fn new(id: impl Into<String>) -> UserId {
        UserId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The person (or token) behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The person's id; none for the operator at the command line, who is no user.
    pub user_id: Option<UserId>,
    pub username: String,
    pub role: Role,
}

impl Viewer {
    /// The operator at the command line, who holds the database itself: sees everything,
    /// and the changes they make are attributed to no user.
    pub fn operator() -> Viewer {
        Viewer { user_id: None, username: "operator".into(), role: Role::Admin }
    }

    /// The user id to record as the author of a change; none for the operator.
    pub fn actor_id(&self) -> Option<&str> {
        self.user_id.as_ref().map(UserId::as_str)
    }

    /// Whether this viewer sees every incident, private or not.
    pub fn sees_everything(&self) -> bool {
        self.role.is_admin()
    }
}
