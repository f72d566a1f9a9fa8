//! Users, teams, services, API tokens and browser sessions.
//!
//! Secrets never reach this module in the clear: callers pass hashes.

use std::collections::HashMap;

use hindsight_core::access::{UserId, Viewer};
use hindsight_core::validate::{MAX_SHORT, ValidationErrors, is_slug};
use hindsight_core::{ApiToken, Role, Service, Team, User, is_username};
use sqlx::FromRow;
use time::OffsetDateTime;

use crate::audit::AuditNote;
use crate::error::word;
use crate::{Arg, BeginWrite, Store, StoreError, Ts, bind_args, built_sql, new_id, on_pool, placeholders};

/// What it takes to create a user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    /// Argon2 PHC string; `None` for an account that cannot sign in with a password.
    pub password_hash: Option<String>,
}

impl NewUser {
    /// Checks the fields before anything is stored (`create_user` checks them too), so a
    /// form can report them together with its own checks.
    pub fn check(&self) -> Result<(), ValidationErrors> {
        validate_user(&self.username, &self.display_name, self.email.as_deref())
    }
}

/// A change to a user; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    /// A new password's hash; setting one ends every session of the user but `keep_session`.
    pub password_hash: Option<String>,
    /// The token hash of the one session to keep when the password changes: the session
    /// the person changed their own password from.
    pub keep_session: Option<String>,
}

/// A live browser session.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub viewer: Viewer,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
}

#[derive(FromRow)]
struct UserRow {
    id: String,
    username: String,
    display_name: String,
    email: Option<String>,
    role: String,
    disabled: bool,
    created_at: Ts,
}

#[derive(FromRow)]
struct ViewerRow {
    id: String,
    username: String,
    role: String,
}

impl ViewerRow {
    fn into_viewer(self) -> Result<Viewer, StoreError> {
        Ok(Viewer { user_id: Some(UserId::new(self.id)), username: self.username, role: word(&self.role)? })
    }
}

/// id, name, username, created_at, last_used_at, revoked_at.
type TokenRow = (String, String, String, Ts, Option<Ts>, Option<Ts>);

const USER_COLUMNS: &str = "id, username, display_name, email, role, disabled, created_at";

fn validate_user(username: &str, display_name: &str, email: Option<&str>) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if !is_username(username) {
        errors.push("username", "must be 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
    }
    errors.text("display_name", display_name, MAX_SHORT);
    if let Some(email) = email
        && (!email.contains('@') || email.len() > 254)
    {
        errors.push("email", "must be an email address");
    }
    errors.into_result()
}

impl Store {
    /// Creates a user, appending `note` to the audit events in the same transaction.
    pub async fn create_user(&self, new: NewUser, note: &AuditNote) -> Result<User, StoreError> {
        validate_user(&new.username, &new.display_name, new.email.as_deref())?;
        note.check()?;
        let id = new_id();
        let now = Ts::now();
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO users (id, username, display_name, email, role, password_hash, disabled, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7)",
            )
            .bind(&id)
            .bind(&new.username)
            .bind(&new.display_name)
            .bind(&new.email)
            .bind(new.role.as_str())
            .bind(&new.password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::unique(e, "username", &new.username))?;
            crate::audit::append_audit!(tx, note).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await)?;
        self.user_by_username(&new.username).await
    }

    /// The user with this username.
    pub async fn user_by_username(&self, username: &str) -> Result<User, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        let row: Option<UserRow> =
            on_pool!(self, |pool| sqlx::query_as(built_sql(&sql)).bind(username).fetch_optional(pool).await)?;
        let row = row.ok_or_else(|| StoreError::NotFound(format!("user {username:?}")))?;
        Ok(self.users_with_teams(vec![row]).await?.remove(0))
    }

    /// Every user, by username.
    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        let rows: Vec<UserRow> = on_pool!(self, |pool| sqlx::query_as(built_sql(&sql)).fetch_all(pool).await)?;
        self.users_with_teams(rows).await
    }

    async fn users_with_teams(&self, rows: Vec<UserRow>) -> Result<Vec<User>, StoreError> {
        let ids: Vec<Arg> = rows.iter().map(|r| Arg::Text(r.id.clone())).collect();
        let mut teams: HashMap<String, Vec<String>> = HashMap::new();
        if !ids.is_empty() {
            let sql = format!(
                "SELECT tm.user_id, t.slug FROM team_members tm JOIN teams t ON t.id = tm.team_id \
                 WHERE tm.user_id IN ({}) ORDER BY t.slug",
                placeholders(1, ids.len())
            );
            let pairs: Vec<(String, String)> =
                on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), ids.clone()).fetch_all(pool).await)?;
            for (user, slug) in pairs {
                teams.entry(user).or_default().push(slug);
            }
        }
        rows.into_iter()
            .map(|r| {
                Ok(User {
                    teams: teams.remove(&r.id).unwrap_or_default(),
                    role: word(&r.role)?,
                    id: r.id,
                    username: r.username,
                    display_name: r.display_name,
                    email: r.email,
                    disabled: r.disabled,
                    created_at: r.created_at.get(),
                })
            })
            .collect()
    }

    /// Changes a user, ending their sessions when the account is disabled and their other
    /// sessions when the password changes; `note` is appended to the audit events in the same
    /// transaction.
    pub async fn update_user(&self, username: &str, patch: UserPatch, note: &AuditNote) -> Result<User, StoreError> {
        note.check()?;
        let current = self.user_by_username(username).await?;
        let display_name = patch.display_name.unwrap_or(current.display_name);
        let email = patch.email.unwrap_or(current.email);
        validate_user(username, &display_name, email.as_deref())?;
        let role = patch.role.unwrap_or(current.role);
        let disabled = patch.disabled.unwrap_or(current.disabled);
        let password_changed = patch.password_hash.is_some();
        let keep = patch.keep_session.unwrap_or_default();
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "UPDATE users SET display_name = $2, email = $3, role = $4, disabled = $5, \
                 password_hash = COALESCE($6, password_hash) WHERE id = $1",
            )
            .bind(&current.id)
            .bind(&display_name)
            .bind(&email)
            .bind(role.as_str())
            .bind(disabled)
            .bind(&patch.password_hash)
            .execute(&mut *tx)
            .await?;
            if disabled {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(&current.id).execute(&mut *tx).await?;
            } else if password_changed {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                    .bind(&current.id)
                    .bind(&keep)
                    .execute(&mut *tx)
                    .await?;
            }
            crate::audit::append_audit!(tx, note).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await)?;
        self.user_by_username(username).await
    }

    /// The stored password hash and identity of an enabled user, for signing in.
    pub async fn credentials(&self, username: &str) -> Result<Option<(Viewer, Option<String>)>, StoreError> {
        let row: Option<(String, String, String, Option<String>)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, username, role, password_hash FROM users WHERE username = $1 AND disabled = FALSE",
            )
            .bind(username)
            .fetch_optional(pool)
            .await
        })?;
        row.map(|(id, username, role, hash)| Ok((ViewerRow { id, username, role }.into_viewer()?, hash))).transpose()
    }

    /// How many users exist.
    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await)?)
    }

    // ---- teams ----

    /// Creates a team; `note` goes to the audit events in the same transaction.
    pub async fn create_team(&self, slug: &str, name: &str, note: &AuditNote) -> Result<Team, StoreError> {
        validate_named(slug, name)?;
        let sql = "INSERT INTO teams (id, slug, name, created_at) VALUES ($1, $2, $3, $4)";
        let args = vec![Arg::Text(new_id()), Arg::Text(slug.into()), Arg::Text(name.into()), Arg::Time(Ts::now())];
        self.execute_audited(sql, args, note, Some(("slug", slug))).await?;
        self.team(slug).await
    }

    /// The team with this slug.
    pub async fn team(&self, slug: &str) -> Result<Team, StoreError> {
        let row: Option<(String, String, String, Ts)> =
            on_pool!(self, |pool| sqlx::query_as("SELECT id, slug, name, created_at FROM teams WHERE slug = $1")
                .bind(slug)
                .fetch_optional(pool)
                .await)?;
        let row = row.ok_or_else(|| StoreError::NotFound(format!("team {slug:?}")))?;
        Ok(self.teams_with_members(vec![row]).await?.remove(0))
    }

    /// Every team, by slug.
    pub async fn list_teams(&self) -> Result<Vec<Team>, StoreError> {
        let rows: Vec<(String, String, String, Ts)> =
            on_pool!(self, |pool| sqlx::query_as("SELECT id, slug, name, created_at FROM teams ORDER BY slug")
                .fetch_all(pool)
                .await)?;
        self.teams_with_members(rows).await
    }

    async fn teams_with_members(&self, rows: Vec<(String, String, String, Ts)>) -> Result<Vec<Team>, StoreError> {
        let ids: Vec<Arg> = rows.iter().map(|r| Arg::Text(r.0.clone())).collect();
        let mut members: HashMap<String, Vec<String>> = HashMap::new();
        if !ids.is_empty() {
            let sql = format!(
                "SELECT tm.team_id, u.username FROM team_members tm JOIN users u ON u.id = tm.user_id \
                 WHERE tm.team_id IN ({}) ORDER BY u.username",
                placeholders(1, ids.len())
            );
            let pairs: Vec<(String, String)> =
                on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), ids.clone()).fetch_all(pool).await)?;
            for (team, username) in pairs {
                members.entry(team).or_default().push(username);
            }
        }
        Ok(rows
            .into_iter()
            .map(|(id, slug, name, created_at)| Team {
                members: members.remove(&id).unwrap_or_default(),
                id,
                slug,
                name,
                created_at: created_at.get(),
            })
            .collect())
    }

    /// Renames a team; `note` goes to the audit events in the same transaction.
    pub async fn rename_team(&self, slug: &str, name: &str, note: &AuditNote) -> Result<Team, StoreError> {
        validate_named(slug, name)?;
        let sql = "UPDATE teams SET name = $2 WHERE slug = $1";
        let done = self.execute_audited(sql, vec![Arg::Text(slug.into()), Arg::Text(name.into())], note, None).await?;
        if done == 0 {
            return Err(StoreError::NotFound(format!("team {slug:?}")));
        }
        self.team(slug).await
    }

    /// Deletes a team; its services lose their owner and its memberships go. `note` goes to
    /// the audit events in the same transaction.
    pub async fn delete_team(&self, slug: &str, note: &AuditNote) -> Result<(), StoreError> {
        let sql = "DELETE FROM teams WHERE slug = $1";
        let done = self.execute_audited(sql, vec![Arg::Text(slug.into())], note, None).await?;
        if done == 0 {
            return Err(StoreError::NotFound(format!("team {slug:?}")));
        }
        Ok(())
    }

    /// Adds a user to a team (nothing changes, and nothing is audited, when already a
    /// member); `note` goes to the audit events in the same transaction.
    pub async fn add_member(&self, slug: &str, username: &str, note: &AuditNote) -> Result<Team, StoreError> {
        let team = self.team(slug).await?;
        let user = self.user_by_username(username).await?;
        let sql = "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
        self.execute_audited(sql, vec![Arg::Text(team.id), Arg::Text(user.id)], note, None).await?;
        self.team(slug).await
    }

    /// Removes a user from a team; `note` goes to the audit events in the same transaction.
    pub async fn remove_member(&self, slug: &str, username: &str, note: &AuditNote) -> Result<Team, StoreError> {
        let team = self.team(slug).await?;
        let user = self.user_by_username(username).await?;
        let sql = "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2";
        let done = self.execute_audited(sql, vec![Arg::Text(team.id), Arg::Text(user.id)], note, None).await?;
        if done == 0 {
            return Err(StoreError::NotFound(format!("{username:?} in team {slug:?}")));
        }
        self.team(slug).await
    }

    // ---- services ----

    /// Creates a service, optionally owned by a team; `note` goes to the audit events in the
    /// same transaction.
    pub async fn create_service(
        &self,
        slug: &str,
        name: &str,
        owner_team: Option<&str>,
        note: &AuditNote,
    ) -> Result<Service, StoreError> {
        validate_named(slug, name)?;
        let team_id = match owner_team {
            Some(team) => Some(self.team(team).await.map_err(|_| not_a_team("owner_team", team))?.id),
            None => None,
        };
        let sql = "INSERT INTO services (id, slug, name, owner_team_id, created_at) VALUES ($1, $2, $3, $4, $5)";
        let args = vec![
            Arg::Text(new_id()),
            Arg::Text(slug.into()),
            Arg::Text(name.into()),
            Arg::OptText(team_id),
            Arg::Time(Ts::now()),
        ];
        self.execute_audited(sql, args, note, Some(("slug", slug))).await?;
        self.service(slug).await
    }

    /// The service with this slug.
    pub async fn service(&self, slug: &str) -> Result<Service, StoreError> {
        self.services_where("WHERE s.slug = $1", Some(slug))
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("service {slug:?}")))
    }

    /// Every service, by slug.
    pub async fn list_services(&self) -> Result<Vec<Service>, StoreError> {
        self.services_where("", None).await
    }

    async fn services_where(&self, filter: &str, slug: Option<&str>) -> Result<Vec<Service>, StoreError> {
        let sql = format!(
            "SELECT s.id, s.slug, s.name, t.slug, s.created_at FROM services s \
             LEFT JOIN teams t ON t.id = s.owner_team_id {filter} ORDER BY s.slug"
        );
        let rows: Vec<(String, String, String, Option<String>, Ts)> = on_pool!(self, |pool| {
            let query = sqlx::query_as(built_sql(&sql));
            match slug {
                Some(slug) => query.bind(slug).fetch_all(pool).await,
                None => query.fetch_all(pool).await,
            }
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, slug, name, owner_team, created_at)| Service {
                id,
                slug,
                name,
                owner_team,
                created_at: created_at.get(),
            })
            .collect())
    }

    /// Renames a service or changes its owner; `note` goes to the audit events in the same
    /// transaction.
    pub async fn update_service(
        &self,
        slug: &str,
        name: Option<&str>,
        owner_team: Option<Option<&str>>,
        note: &AuditNote,
    ) -> Result<Service, StoreError> {
        let current = self.service(slug).await?;
        let name = name.unwrap_or(&current.name).to_string();
        validate_named(slug, &name)?;
        let owner = match owner_team {
            Some(Some(team)) => Some(self.team(team).await.map_err(|_| not_a_team("owner_team", team))?.id),
            Some(None) => None,
            None => match &current.owner_team {
                Some(team) => Some(self.team(team).await?.id),
                None => None,
            },
        };
        let sql = "UPDATE services SET name = $2, owner_team_id = $3 WHERE slug = $1";
        let args = vec![Arg::Text(slug.into()), Arg::Text(name), Arg::OptText(owner)];
        if self.execute_audited(sql, args, note, None).await? == 0 {
            return Err(StoreError::NotFound(format!("service {slug:?}")));
        }
        self.service(slug).await
    }

    /// Deletes a service; incidents keep everything but the link to it. `note` goes to the
    /// audit events in the same transaction.
    pub async fn delete_service(&self, slug: &str, note: &AuditNote) -> Result<(), StoreError> {
        let sql = "DELETE FROM services WHERE slug = $1";
        let done = self.execute_audited(sql, vec![Arg::Text(slug.into())], note, None).await?;
        if done == 0 {
            return Err(StoreError::NotFound(format!("service {slug:?}")));
        }
        Ok(())
    }

    // ---- API tokens ----

    /// Stores a new token for a user; `token_hash` is the SHA-256 of the secret. The audit
    /// note `note_for` writes from the new token (its id and name) is appended in the same
    /// transaction.
    pub async fn create_token(
        &self,
        username: &str,
        name: &str,
        token_hash: &str,
        note_for: impl FnOnce(&str) -> AuditNote,
    ) -> Result<ApiToken, StoreError> {
        let mut errors = ValidationErrors::default();
        errors.text("name", name, MAX_SHORT);
        errors.into_result()?;
        let user = self.user_by_username(username).await?;
        let id = new_id();
        let note = note_for(&id);
        note.check()?;
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&id)
            .bind(&user.id)
            .bind(name)
            .bind(token_hash)
            .bind(Ts::now())
            .execute(&mut *tx)
            .await?;
            crate::audit::append_audit!(tx, &note).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await)?;
        Ok(self.tokens_where("t.id = $1", Some(&id)).await?.remove(0))
    }

    /// A user's tokens, newest first, revoked ones included.
    pub async fn list_tokens(&self, username: &str) -> Result<Vec<ApiToken>, StoreError> {
        self.tokens_where("u.username = $1", Some(username)).await
    }

    /// Every user's tokens, newest first, revoked ones included (for admins).
    pub async fn list_all_tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        self.tokens_where("TRUE", None).await
    }

    /// One token by id.
    pub async fn token(&self, id: &str) -> Result<ApiToken, StoreError> {
        self.tokens_where("t.id = $1", Some(id))
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("token {id:?}")))
    }

    /// Tokens matching `filter`, which uses `$1` for `value` when there is one.
    async fn tokens_where(&self, filter: &str, value: Option<&str>) -> Result<Vec<ApiToken>, StoreError> {
        let sql = format!(
            "SELECT t.id, t.name, u.username, t.created_at, t.last_used_at, t.revoked_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE {filter} ORDER BY t.id DESC"
        );
        let rows: Vec<TokenRow> = on_pool!(self, |pool| {
            let query = sqlx::query_as(built_sql(&sql));
            match value {
                Some(value) => query.bind(value).fetch_all(pool).await,
                None => query.fetch_all(pool).await,
            }
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, name, username, created, used, revoked)| ApiToken {
                id,
                name,
                username,
                created_at: created.get(),
                last_used_at: used.map(Ts::get),
                revoked_at: revoked.map(Ts::get),
            })
            .collect())
    }

    /// Revokes a token; it stops working at once. `note` is appended to the audit events in
    /// the same transaction, when the token was live.
    pub async fn revoke_token(&self, id: &str, note: &AuditNote) -> Result<ApiToken, StoreError> {
        note.check()?;
        let done = on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id)
                .bind(Ts::now())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done > 0 {
                crate::audit::append_audit!(tx, note).await?;
            }
            tx.commit().await?;
            Ok::<_, StoreError>(done)
        }
        .await)?;
        let token = self.token(id).await?;
        if done == 0 && token.revoked_at.is_none() {
            return Err(StoreError::NotFound(format!("token {id:?}")));
        }
        Ok(token)
    }

    /// The user behind a live token, noting its use (at most once a minute).
    pub async fn viewer_for_token(&self, token_hash: &str) -> Result<Option<Viewer>, StoreError> {
        let row: Option<(String, Option<Ts>, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT t.id, t.last_used_at, u.id, u.username, u.role FROM api_tokens t \
                 JOIN users u ON u.id = t.user_id \
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = FALSE",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await
        })?;
        let Some((token_id, last_used, id, username, role)) = row else {
            return Ok(None);
        };
        // Noted at most once a minute, so that a burst of requests reads and does not write
        // (a write on SQLite waits for every other writer).
        let now = Ts::now();
        let a_minute_ago = Ts::from(now.get() - time::Duration::minutes(1));
        if last_used.is_none_or(|used| used < a_minute_ago) {
            on_pool!(self, |pool| {
                sqlx::query(
                    "UPDATE api_tokens SET last_used_at = $2 \
                     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
                )
                .bind(&token_id)
                .bind(now)
                .bind(a_minute_ago)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
            })?;
        }
        Ok(Some(ViewerRow { id, username, role }.into_viewer()?))
    }

    // ---- sessions ----

    /// Opens a browser session; `token_hash` is the SHA-256 of the cookie's secret.
    pub async fn create_session(
        &self,
        user_id: &UserId,
        token_hash: &str,
        csrf_token: &str,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let now = Ts::now();
        on_pool!(self, |pool| {
            sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(token_hash)
        .bind(user_id.as_str())
        .bind(csrf_token)
        .bind(now)
        .bind(Ts::from(expires_at))
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })?;
        // Sweep expired sessions now and then, as part of the write that makes new ones.
        on_pool!(self, |pool| sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The live session with this hash.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row: Option<(String, String, String, String, Ts)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT u.id, u.username, u.role, s.csrf_token, s.expires_at FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = FALSE"
        )
        .bind(token_hash)
        .bind(Ts::now())
        .fetch_optional(pool)
        .await)?;
        row.map(|(id, username, role, csrf_token, expires_at)| {
            Ok(SessionRecord {
                viewer: ViewerRow { id, username, role }.into_viewer()?,
                csrf_token,
                expires_at: expires_at.get(),
            })
        })
        .transpose()
    }

    /// Ends a session.
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Ids of users by username; names any that do not exist under `field`.
    pub(crate) async fn user_ids(
        &self,
        field: &str,
        usernames: &[String],
    ) -> Result<HashMap<String, String>, StoreError> {
        self.ids_by_name("users", "username", field, usernames, "user").await
    }

    /// Ids of teams by slug; names any that do not exist under `field`.
    pub(crate) async fn team_ids(&self, field: &str, slugs: &[String]) -> Result<HashMap<String, String>, StoreError> {
        self.ids_by_name("teams", "slug", field, slugs, "team").await
    }

    /// Ids of services by slug; names any that do not exist under `field`.
    pub(crate) async fn service_ids(
        &self,
        field: &str,
        slugs: &[String],
    ) -> Result<HashMap<String, String>, StoreError> {
        self.ids_by_name("services", "slug", field, slugs, "service").await
    }

    async fn ids_by_name(
        &self,
        table: &str,
        column: &str,
        field: &str,
        names: &[String],
        what: &str,
    ) -> Result<HashMap<String, String>, StoreError> {
        if names.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!("SELECT {column}, id FROM {table} WHERE {column} IN ({})", placeholders(1, names.len()));
        let args: Vec<Arg> = names.iter().map(|n| Arg::Text(n.clone())).collect();
        let found: HashMap<String, String> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as::<_, (String, String)>(built_sql(&sql)), args)
                .fetch_all(pool)
                .await)?
            .into_iter()
            .collect();
        let mut errors = ValidationErrors::default();
        for (i, name) in names.iter().enumerate() {
            if !found.contains_key(name) {
                errors.push(format!("{field}[{i}]"), format!("no {what} named {name:?}"));
            }
        }
        errors.into_result()?;
        Ok(found)
    }
}

fn validate_named(slug: &str, name: &str) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if !is_slug(slug) {
        errors.push("slug", "must be 1-64 of a-z, 0-9 and '-', not starting with '-'");
    }
    errors.text("name", name, MAX_SHORT);
    errors.into_result()
}

fn not_a_team(field: &str, slug: &str) -> StoreError {
    StoreError::Invalid(ValidationErrors::single(field, format!("no team named {slug:?}")))
}
