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
    /// Whether this viewer sees every incident, private or not.
    pub fn sees_everything(&self) -> bool {
        self.role.is_admin()
    }
}
