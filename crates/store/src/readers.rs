//! Readers of a post-mortem and their receipts: who it must reach (chosen, or proposed
//! from its incident until someone chooses), and who has marked it read and understood.

use hindsight_core::access::Viewer;
use hindsight_core::{ReaderReceipt, Readers, Reading, StillToRead, incident_handle};

use crate::audit::AuditNote;
use crate::sql::Sql;
use crate::{Arg, BeginWrite, Store, StoreError, Ts, bind_args, built_sql, on_pool};

/// Ids of the reader teams of post-mortem `$1`: those chosen, else the teams owning its
/// incident's affected services and the teams named on the incident.
macro_rules! reader_team_ids {
    () => {
        "SELECT rt.team_id FROM postmortem_reader_teams rt WHERE rt.postmortem_id = $1 \
         UNION SELECT s.owner_team_id FROM postmortems p JOIN incident_services x ON x.incident_id = p.incident_id \
         JOIN services s ON s.id = x.service_id WHERE p.id = $1 AND NOT p.readers_chosen AND s.owner_team_id IS NOT NULL \
         UNION SELECT it.team_id FROM postmortems p JOIN incident_teams it ON it.incident_id = p.incident_id \
         WHERE p.id = $1 AND NOT p.readers_chosen"
    };
}

/// Ids of the people asked to read post-mortem `$1`: its reader teams' members and the
/// people named.
macro_rules! reader_user_ids {
    () => {
        concat!(
            "SELECT ru.user_id FROM postmortem_reader_users ru WHERE ru.postmortem_id = $1 \
             UNION SELECT m.user_id FROM team_members m WHERE m.team_id IN (",
            reader_team_ids!(),
            ")"
        )
    };
}

/// The users (`id`) a post-mortem's readers stand for, enabled ones only; its one
/// parameter, `$1`, is the post-mortem's id.
pub(crate) const READERS_SQL: &str =
    concat!("SELECT u.id FROM users u WHERE NOT u.disabled AND u.id IN (", reader_user_ids!(), ")");

impl Store {
    /// Who post-mortem `id` must reach and who has read it, if the viewer may see it.
    pub async fn reading(&self, viewer: &Viewer, id: &str) -> Result<Reading, StoreError> {
        self.check_postmortem_visible(viewer, id).await?;
        let teams_sql = concat!("SELECT slug FROM teams WHERE id IN (", reader_team_ids!(), ") ORDER BY slug");
        let people_sql = concat!(
            "SELECT u.username, u.display_name, u.id IN (",
            reader_user_ids!(),
            ") AS asked, r.read_at FROM users u \
             LEFT JOIN read_receipts r ON r.user_id = u.id AND r.postmortem_id = $1 \
             WHERE (NOT u.disabled AND u.id IN (",
            reader_user_ids!(),
            ")) OR r.user_id IS NOT NULL ORDER BY u.username"
        );
        on_pool!(self, |pool| async {
            let chosen: bool = sqlx::query_scalar("SELECT readers_chosen FROM postmortems WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await?;
            let teams: Vec<String> = sqlx::query_scalar(teams_sql).bind(id).fetch_all(pool).await?;
            let users: Vec<String> = sqlx::query_scalar(
                "SELECT u.username FROM postmortem_reader_users ru JOIN users u ON u.id = ru.user_id \
                 WHERE ru.postmortem_id = $1 ORDER BY u.username",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            let rows: Vec<(String, String, bool, Option<Ts>)> =
                sqlx::query_as(people_sql).bind(id).fetch_all(pool).await?;
            let people: Vec<ReaderReceipt> = rows
                .into_iter()
                .map(|(username, display_name, asked, read_at)| ReaderReceipt {
                    username,
                    display_name,
                    asked,
                    read_at: read_at.map(Ts::get),
                    late: false,
                })
                .collect();
            let asked = people.iter().filter(|p| p.asked).count();
            let read = people.iter().filter(|p| p.asked && p.read_at.is_some()).count();
            Ok(Reading { chosen, teams, users, people, read, asked, due: None })
        }
        .await)
    }

    /// Adds the teams `slugs` to the proposed readers of post-mortem `id`, unless its
    /// readers were chosen; a slug no team has is skipped. Answers how many were added.
    pub async fn propose_reader_teams(&self, id: &str, slugs: &[String]) -> Result<u64, StoreError> {
        let mut added = 0;
        for slug in slugs {
            added += on_pool!(self, |pool| sqlx::query(
                "INSERT INTO postmortem_reader_teams (postmortem_id, team_id) SELECT p.id, t.id \
                 FROM postmortems p JOIN teams t ON t.slug = $2 WHERE p.id = $1 AND NOT p.readers_chosen \
                 ON CONFLICT DO NOTHING"
            )
            .bind(id)
            .bind(slug)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        }
        Ok(added)
    }

    /// Chooses the readers of post-mortem `id` (which the viewer must be able to see), in
    /// place of those before or of the proposal; `note` is its audit event.
    pub async fn set_readers(
        &self,
        viewer: &Viewer,
        id: &str,
        readers: &Readers,
        note: &AuditNote,
    ) -> Result<Reading, StoreError> {
        readers.validate()?;
        self.check_postmortem_visible(viewer, id).await?;
        let teams = self.team_ids("teams", &readers.teams).await?;
        let users = self.user_ids("users", &readers.users).await?;
        on_pool!(self, |pool| {
            async {
                let mut tx = pool.begin_write().await?;
                crate::replace_links!(
                tx,
                "DELETE FROM postmortem_reader_teams WHERE postmortem_id = $1",
                "INSERT INTO postmortem_reader_teams (postmortem_id, team_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                id,
                teams.values()
            )
            .await?;
                crate::replace_links!(
                tx,
                "DELETE FROM postmortem_reader_users WHERE postmortem_id = $1",
                "INSERT INTO postmortem_reader_users (postmortem_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                id,
                users.values()
            )
            .await?;
                sqlx::query("UPDATE postmortems SET readers_chosen = TRUE WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                crate::audit::append_audit!(tx, note).await?;
                tx.commit().await?;
                Ok::<_, StoreError>(())
            }
            .await
        })?;
        self.reading(viewer, id).await
    }

    /// What the members of team `slug` are asked to read and have not read yet: published
    /// post-mortems the viewer may see, newest first, at most `limit` (capped at
    /// [`crate::MAX_PAGE`]).
    pub async fn still_to_read(&self, viewer: &Viewer, slug: &str, limit: i64) -> Result<Vec<StillToRead>, StoreError> {
        let mut sql = Sql::new(
            "SELECT u.username, i.number, i.title, p.published_at FROM teams t \
             JOIN team_members m ON m.team_id = t.id JOIN users u ON u.id = m.user_id \
             CROSS JOIN postmortems p JOIN incidents i ON i.id = p.incident_id \
             WHERE p.status = 'published' AND NOT u.disabled \
             AND NOT EXISTS (SELECT 1 FROM read_receipts r WHERE r.postmortem_id = p.id AND r.user_id = u.id) \
             AND (EXISTS (SELECT 1 FROM postmortem_reader_users ru WHERE ru.postmortem_id = p.id AND ru.user_id = u.id) \
             OR EXISTS (SELECT 1 FROM team_members mine WHERE mine.user_id = u.id AND mine.team_id IN ( \
             SELECT rt.team_id FROM postmortem_reader_teams rt WHERE rt.postmortem_id = p.id \
             UNION SELECT s.owner_team_id FROM incident_services x JOIN services s ON s.id = x.service_id \
             WHERE x.incident_id = p.incident_id AND NOT p.readers_chosen \
             UNION SELECT it.team_id FROM incident_teams it WHERE it.incident_id = p.incident_id AND NOT p.readers_chosen))) \
             AND t.slug = ",
        );
        sql.bind(Arg::Text(slug.to_string())).push(" AND ").visible("i", viewer);
        sql.push(" ORDER BY p.published_at DESC, i.number DESC, u.username LIMIT ")
            .bind(Arg::Int(limit.clamp(1, crate::MAX_PAGE)));
        let (sql, args) = sql.into_parts();
        let rows: Vec<(String, i64, String, Option<Ts>)> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(username, number, incident_title, published_at)| StillToRead {
                username,
                incident: incident_handle(number),
                incident_title,
                published_at: published_at.map(Ts::get),
            })
            .collect())
    }

    /// Records that the viewer (a user) has read and understood post-mortem `id`, once, and
    /// marks read the notification that asked them to.
    pub async fn mark_postmortem_read(&self, viewer: &Viewer, id: &str, now: Ts) -> Result<(), StoreError> {
        self.check_postmortem_visible(viewer, id).await?;
        let Some(user) = viewer.actor_id() else {
            return Ok(());
        };
        on_pool!(self, |pool| {
            async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO read_receipts (postmortem_id, user_id, read_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(user)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE notifications SET read_at = $3 WHERE user_id = $2 AND kind = 'read_requested' \
                 AND read_at IS NULL AND incident_id = (SELECT incident_id FROM postmortems WHERE id = $1)",
            )
            .bind(id)
            .bind(user)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await
        })
    }
}
