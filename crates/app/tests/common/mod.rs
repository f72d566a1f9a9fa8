//! What the app's tests share: people to act as. No behaviour is tested here.

use hindsight_app::Actor;
use hindsight_core::Role;
use hindsight_core::access::{UserId, Viewer};
use hindsight_store::{AuditNote, NewUser, Store};

/// Creates a user with `role` and answers them as an actor.
pub async fn person(store: &Store, username: &str, role: Role) -> Actor {
    let new =
        NewUser { username: username.into(), display_name: username.into(), email: None, role, password_hash: None };
    let user =
        store.create_user(new, &AuditNote::new("test", "created user", username, serde_json::json!({}))).await.unwrap();
    Actor::Person(Viewer { user_id: Some(UserId::new(user.id)), username: user.username, role: user.role })
}
