//! Who is asking: the identity every store query and handler is given, so that
//! visibility and permissions are decided in one place.

use crate::model::Role;

/// The person (or token) behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: String,
    pub username: String,
    pub role: Role,
}

impl Viewer {
    /// The operator at the command line, who holds the database itself: sees everything,
    /// and the changes they make are attributed to no user.
    pub fn operator() -> Viewer {
        Viewer { user_id: String::new(), username: "operator".into(), role: Role::Admin }
    }

    /// The user id to record as the author of a change; none for the operator.
    pub fn actor_id(&self) -> Option<&str> {
        Some(self.user_id.as_str()).filter(|id| !id.is_empty())
    }

    /// Whether this viewer sees every incident, private or not.
    pub fn sees_everything(&self) -> bool {
        self.role.is_admin()
    }
}
