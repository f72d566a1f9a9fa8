//! Post-mortems and their append-only history: every write records who changed
//! which field from what to what, in the same transaction as the change.

use hindsight_core::access::Viewer;
use hindsight_core::{
    FieldChange, IncidentStatus, NewPostmortem, Postmortem, PostmortemChange, PostmortemPatch, PostmortemStatus,
    ResponderRole, Sections, Severity, ValidationErrors, diff_postmortems, incident_handle,
};
use sqlx::FromRow;
use time::{Date, OffsetDateTime};

use crate::error::word;
use crate::sql::{Sql, viewer_id};
use crate::{Arg, AuditNote, BeginWrite, MAX_PAGE, Page, Store, StoreError, Ts, bind_args, built_sql, new_id, on_pool};

/// Which post-mortems a list wants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostmortemFilter {
    pub status: Option<PostmortemStatus>,
    /// Username of the owner.
    pub owner: Option<String>,
}

/// An unresolved incident a person responds to, as a "what needs me" list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RespondedIncident {
    pub handle: String,
    pub title: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub private: bool,
    /// The person's role in the response.
    pub role: ResponderRole,
    pub began_at: OffsetDateTime,
}

#[derive(FromRow)]
struct PostmortemRow {
    id: String,
    number: i64,
    incident_title: String,
    status: String,
    owner: Option<String>,
    due_date: Option<String>,
    sections: String,
    created_at: Ts,
    updated_at: Ts,
    published_at: Option<Ts>,
    version: i64,
}

const POSTMORTEM_SELECT: &str = "SELECT p.id, i.number, i.title AS incident_title, p.status, ou.username AS owner, \
    p.due_date, p.sections, p.created_at, p.updated_at, p.published_at, p.version \
    FROM postmortems p JOIN incidents i ON i.id = p.incident_id LEFT JOIN users ou ON ou.id = p.owner_id";

impl PostmortemRow {
    fn into_postmortem(self) -> Result<Postmortem, StoreError> {
        Ok(Postmortem {
            incident: incident_handle(self.number),
            status: word(&self.status)?,
            due_date: self.due_date.as_deref().map(parse_date).transpose()?,
            sections: serde_json::from_str(&self.sections)
                .map_err(|e| StoreError::Corrupt(format!("post-mortem {}: {e}", self.id)))?,
            id: self.id,
            incident_title: self.incident_title,
            owner: self.owner,
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
            published_at: self.published_at.map(Ts::get),
            version: self.version,
        })
    }
}

const DATE_FORMAT: &[time::format_description::BorrowedFormatItem<'_>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub(crate) fn parse_date(text: &str) -> Result<Date, StoreError> {
    Date::parse(text, DATE_FORMAT).map_err(|e| StoreError::Corrupt(format!("date {text:?}: {e}")))
}

/// A date as stored: `YYYY-MM-DD`, which sorts as time.
pub(crate) fn date_text(date: Date) -> String {
    date.format(DATE_FORMAT).unwrap_or_default()
}

/// A post-mortem history row as read: version, actor's username, time, changes (JSON), reason.
type ChangeRow = (i64, Option<String>, Ts, String, Option<String>);

impl Store {
    /// Starts the post-mortem of a visible incident; an incident has at most one.
    pub async fn create_postmortem(
        &self,
        viewer: &Viewer,
        number: i64,
        mut new: NewPostmortem,
    ) -> Result<Postmortem, StoreError> {
        new.sections.settle_row_ids();
        let incident_id = self.visible_incident_id(viewer, number).await?;
        if let Some(other) = self.covering_incident(&incident_id).await? {
            return Err(StoreError::Invalid(ValidationErrors::single(
                "incident",
                format!(
                    "{} is covered by {}'s post-mortem: take it off there to give it a post-mortem of its own",
                    incident_handle(number),
                    incident_handle(other)
                ),
            )));
        }
        let mut errors = ValidationErrors::default();
        if let Some(due) = new.due_date {
            errors.date("due_date", due);
        }
        new.sections.validate(&mut errors);
        errors.into_result()?;
        // The owner named, else whoever drafts it; the operator at the command line is no
        // user, so a draft they start without naming one has no owner yet.
        let owner = new.owner.clone().or_else(|| viewer.actor_id().map(|_| viewer.username.clone()));
        let owner_id = match &owner {
            Some(owner) => Some(
                self.user_ids("owner", std::slice::from_ref(owner)).await.map_err(|_| {
                    StoreError::Invalid(ValidationErrors::single("owner", format!("no user named {owner:?}")))
                })?[owner]
                    .clone(),
            ),
            None => None,
        };
        let id = new_id();
        let now = Ts::now();
        let sections = serde_json::to_string(&new.sections).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let blank = Postmortem {
            id: id.clone(),
            incident: incident_handle(number),
            incident_title: String::new(),
            status: PostmortemStatus::Draft,
            owner: None,
            due_date: None,
            sections: Sections::default(),
            created_at: now.get(),
            updated_at: now.get(),
            published_at: None,
            version: 0,
        };
        let mut first = blank.clone();
        first.owner = owner.clone();
        first.due_date = new.due_date;
        first.sections = new.sections.clone();
        let changes = history_json(&diff_postmortems(&blank, &first))?;
        let events = hindsight_core::events::postmortem_drafted(&first);
        let cause = CauseColumns::of(&first.sections);
        on_pool!(self, |pool| {
            async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO postmortems (id, incident_id, status, owner_id, due_date, sections, created_at, updated_at, version, \
                 cause_component, cause_certainty, cause_legacy, cause_must_fix, impact_minutes) \
                 VALUES ($1, $2, 'draft', $3, $4, $5, $6, $6, 1, $7, $8, $9, $10, $11)",
            )
            .bind(&id)
            .bind(&incident_id)
            .bind(&owner_id)
            .bind(new.due_date.map(date_text))
            .bind(&sections)
            .bind(now)
            .bind(cause.component.clone())
            .bind(cause.certainty)
            .bind(cause.legacy)
            .bind(cause.must_fix)
            .bind(cause.impact_minutes)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::unique(e, "incident", &incident_handle(number)))?;
            let kind = hindsight_core::audit::ChainKind::Postmortem;
            let prev_hash = crate::audit::chain_tip!(tx, kind, &id, 1).await?;
            let entry = hindsight_core::audit::HistoryEntry {
                kind,
                record_id: &id,
                version: 1,
                actor_id: viewer.actor_id(),
                at: now.get(),
                reason: None,
                changes: &changes,
            };
            let hash = entry.hash(prev_hash.as_deref());
            sqlx::query(
                "INSERT INTO postmortem_history (postmortem_id, version, actor_id, at, changes, prev_hash, hash) \
                 VALUES ($1, 1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(viewer.actor_id())
            .bind(now)
            .bind(&changes)
            .bind(&prev_hash)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
            crate::outbox::append_events!(tx, &events, &incident_id, viewer.actor_id(), now).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await
        })?;
        self.postmortem(viewer, &id).await
    }

    /// A post-mortem by id, if the viewer may see its incident.
    pub async fn postmortem(&self, viewer: &Viewer, id: &str) -> Result<Postmortem, StoreError> {
        self.postmortem_where(viewer, "p.id", Arg::Text(id.to_string()))
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("post-mortem {id:?}")))
    }

    /// The post-mortem of a visible incident.
    pub async fn postmortem_of_incident(&self, viewer: &Viewer, number: i64) -> Result<Postmortem, StoreError> {
        self.postmortem_where(viewer, "i.number", Arg::Int(number))
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("post-mortem of {}", incident_handle(number))))
    }

    /// Refuses with not-found unless post-mortem `id` exists and the viewer may see its
    /// incident; reads nothing else (for writes that only need to know, on hot paths).
    pub async fn check_postmortem_visible(&self, viewer: &Viewer, id: &str) -> Result<(), StoreError> {
        let mut sql = Sql::new("SELECT 1 FROM postmortems p JOIN incidents i ON i.id = p.incident_id WHERE p.id = ");
        sql.bind(Arg::Text(id.to_string())).push(" AND ").visible("i", viewer);
        let (sql, args) = sql.into_parts();
        let found: Option<i32> = on_pool!(self, |pool| bind_args!(sqlx::query_scalar(built_sql(&sql)), args.clone())
            .fetch_optional(pool)
            .await)?;
        found.map(|_| ()).ok_or_else(|| StoreError::NotFound(format!("post-mortem {id:?}")))
    }

    /// The post-mortem whose `column` is `value`, if the viewer may see its incident.
    async fn postmortem_where(
        &self,
        viewer: &Viewer,
        column: &str,
        value: Arg,
    ) -> Result<Option<Postmortem>, StoreError> {
        let mut sql = Sql::new(POSTMORTEM_SELECT);
        sql.push(" WHERE ").push(column).push(" = ").bind(value).push(" AND ").visible("i", viewer);
        let (sql, args) = sql.into_parts();
        let row: Option<PostmortemRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone())
                .fetch_optional(pool)
                .await)?;
        row.map(PostmortemRow::into_postmortem).transpose()
    }

    /// Post-mortems of incidents the viewer may see, newest first, a page at a time.
    pub async fn list_postmortems(
        &self,
        viewer: &Viewer,
        filter: &PostmortemFilter,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<Postmortem>, StoreError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let mut sql = Sql::new(POSTMORTEM_SELECT);
        sql.push(" WHERE ").visible("i", viewer);
        if let Some(status) = filter.status {
            sql.push(" AND p.status = ").bind(Arg::Text(status.as_str().into()));
        }
        if let Some(owner) = &filter.owner {
            sql.push(" AND ou.username = ").bind(Arg::Text(owner.clone()));
        }
        if let Some(cursor) = cursor {
            sql.push(" AND p.id < ").bind(Arg::Text(cursor.to_string()));
        }
        sql.push(" ORDER BY p.id DESC LIMIT ").bind(Arg::Int(limit + 1));
        let (sql, args) = sql.into_parts();
        let mut rows: Vec<PostmortemRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more { rows.last().map(|r| r.id.clone()) } else { None };
        Ok(Page { items: rows.into_iter().map(PostmortemRow::into_postmortem).collect::<Result<_, _>>()?, next_cursor })
    }

    /// Post-mortems meeting the condition `condition` appends to the `WHERE`, of incidents the
    /// viewer may see, soonest due first, undated ones last; at most a page.
    async fn postmortems_due_first(
        &self,
        viewer: &Viewer,
        condition: impl FnOnce(&mut Sql),
    ) -> Result<Vec<Postmortem>, StoreError> {
        let mut sql = Sql::new(POSTMORTEM_SELECT);
        sql.push(" WHERE ");
        condition(&mut sql);
        sql.push(" AND ")
            .visible("i", viewer)
            .push(&format!(" ORDER BY p.due_date IS NULL, p.due_date, p.id LIMIT {MAX_PAGE}"));
        let (sql, args) = sql.into_parts();
        let rows: Vec<PostmortemRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        rows.into_iter().map(PostmortemRow::into_postmortem).collect()
    }

    /// The viewer's own post-mortems still being written or reviewed (draft or in review).
    pub async fn my_unpublished_postmortems(&self, viewer: &Viewer) -> Result<Vec<Postmortem>, StoreError> {
        self.postmortems_due_first(viewer, |sql| {
            sql.push("p.owner_id = ").bind(viewer_id(viewer)).push(" AND p.status IN ('draft', 'in_review')");
        })
        .await
    }

    /// Post-mortems in review that the viewer should review: someone else owns them and
    /// their incident names a team the viewer is in, or affects a service such a team owns.
    pub async fn postmortems_for_me_to_review(&self, viewer: &Viewer) -> Result<Vec<Postmortem>, StoreError> {
        self.postmortems_due_first(viewer, |sql| {
            let me = sql.param(viewer_id(viewer));
            sql.push(&format!(
                "p.status = 'in_review' AND (p.owner_id IS NULL OR p.owner_id <> {me}) \
                 AND (EXISTS (SELECT 1 FROM incident_teams rt JOIN team_members rm ON rm.team_id = rt.team_id \
                              WHERE rt.incident_id = i.id AND rm.user_id = {me}) \
                   OR EXISTS (SELECT 1 FROM incident_services rs JOIN services s ON s.id = rs.service_id \
                              JOIN team_members rm ON rm.team_id = s.owner_team_id \
                              WHERE rs.incident_id = i.id AND rm.user_id = {me}))"
            ));
        })
        .await
    }

    /// Drafts the viewer may see whose due date is before `today`.
    pub async fn overdue_draft_postmortems(&self, viewer: &Viewer, today: Date) -> Result<Vec<Postmortem>, StoreError> {
        self.postmortems_due_first(viewer, |sql| {
            sql.push("p.status = 'draft' AND p.due_date < ").bind(Arg::Text(date_text(today)));
        })
        .await
    }

    /// Unresolved incidents the viewer is a responder on (which they can always see),
    /// worst severity first, then newest.
    pub async fn open_incidents_i_respond_to(&self, viewer: &Viewer) -> Result<Vec<RespondedIncident>, StoreError> {
        let mut sql = Sql::new(
            "SELECT i.number, i.title, i.severity, i.status, i.private, r.role, i.began_at \
             FROM incidents i JOIN incident_responders r ON r.incident_id = i.id WHERE r.user_id = ",
        );
        sql.bind(viewer_id(viewer))
            .push(" AND i.status <> 'resolved' AND ")
            .visible("i", viewer)
            .push(&format!(" ORDER BY i.severity, i.number DESC, r.position LIMIT {MAX_PAGE}"));
        let (sql, args) = sql.into_parts();
        let rows: Vec<(i64, String, i64, String, bool, String, Ts)> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        let mut seen = std::collections::HashSet::new();
        rows.into_iter()
            // A person with two roles on one incident is listed once, with the first role.
            .filter(|row| seen.insert(row.0))
            .map(|(number, title, severity, status, private, role, began_at)| {
                Ok(RespondedIncident {
                    handle: incident_handle(number),
                    title,
                    severity: Severity::new(severity as u8)
                        .ok_or_else(|| StoreError::Corrupt(format!("severity {severity}")))?,
                    status: word(&status)?,
                    private,
                    role: word(&role)?,
                    began_at: began_at.get(),
                })
            })
            .collect()
    }

    /// Changes sections, owner or due date; refuses a change based on a stale version.
    pub async fn update_postmortem(
        &self,
        viewer: &Viewer,
        id: &str,
        patch: PostmortemPatch,
    ) -> Result<Postmortem, StoreError> {
        self.update_postmortem_because(viewer, id, patch, None).await
    }

    /// [`Store::update_postmortem`], with `reason` kept in the history entry.
    pub async fn update_postmortem_because(
        &self,
        viewer: &Viewer,
        id: &str,
        patch: PostmortemPatch,
        reason: Option<&str>,
    ) -> Result<Postmortem, StoreError> {
        let before = self.postmortem(viewer, id).await?;
        check_version(&before, patch.version)?;
        let mut after = before.clone();
        after.apply(&patch)?;
        if let Some(owner) = &patch.owner {
            if let Some(name) = owner {
                self.user_ids("owner", std::slice::from_ref(name)).await.map_err(|_| {
                    StoreError::Invalid(ValidationErrors::single("owner", format!("no user named {name:?}")))
                })?;
            }
            after.owner = owner.clone();
        }
        self.save_postmortem(viewer, &before, after, patch.version, reason).await
    }

    /// Moves a post-mortem to another status, if the move is allowed.
    pub async fn set_postmortem_status(
        &self,
        viewer: &Viewer,
        id: &str,
        version: i64,
        status: PostmortemStatus,
    ) -> Result<Postmortem, StoreError> {
        self.set_postmortem_status_because(viewer, id, version, status, None).await
    }

    /// Moves a post-mortem to another status, keeping `reason` (why the move was made)
    /// in its history beside the change.
    pub async fn set_postmortem_status_because(
        &self,
        viewer: &Viewer,
        id: &str,
        version: i64,
        status: PostmortemStatus,
        reason: Option<&str>,
    ) -> Result<Postmortem, StoreError> {
        let before = self.postmortem(viewer, id).await?;
        check_version(&before, version)?;
        if !before.status.can_move_to(status) {
            return Err(StoreError::Invalid(ValidationErrors::single(
                "status",
                format!("a post-mortem cannot move from {} to {status}", before.status),
            )));
        }
        let mut after = before.clone();
        after.status = status;
        if status == PostmortemStatus::Published && after.published_at.is_none() {
            after.published_at = Some(Ts::now().get());
        }
        self.save_postmortem(viewer, &before, after, version, reason.map(str::trim).filter(|r| !r.is_empty())).await
    }

    async fn save_postmortem(
        &self,
        viewer: &Viewer,
        before: &Postmortem,
        after: Postmortem,
        based_on: i64,
        reason: Option<&str>,
    ) -> Result<Postmortem, StoreError> {
        let changes = diff_postmortems(before, &after);
        if changes.is_empty() {
            return Ok(before.clone());
        }
        let changes = history_json(&changes)?;
        let events = hindsight_core::events::postmortem_changed(before, &after);
        let sections = serde_json::to_string(&after.sections).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let cause = CauseColumns::of(&after.sections);
        let owner_id = match &after.owner {
            Some(owner) => Some(self.user_ids("owner", std::slice::from_ref(owner)).await?[owner].clone()),
            None => None,
        };
        let now = Ts::now();
        let saved = on_pool!(self, |pool| {
            async {
                let mut tx = pool.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE postmortems SET status = $3, owner_id = $4, due_date = $5, sections = $6, updated_at = $7, \
                 published_at = $8, review_round = review_round + $9, version = version + 1, cause_component = $10, \
                 cause_certainty = $11, cause_legacy = $12, cause_must_fix = $13, impact_minutes = $14 \
                 WHERE id = $1 AND version = $2",
                )
                .bind(&after.id)
                .bind(based_on)
                .bind(after.status.as_str())
                .bind(&owner_id)
                .bind(after.due_date.map(date_text))
                .bind(&sections)
                .bind(now)
                .bind(after.published_at.map(Ts::from))
                // Each submission for review starts a round: approvals of an earlier one do not count.
                .bind(i64::from(after.status == PostmortemStatus::InReview && before.status != PostmortemStatus::InReview))
                .bind(cause.component.clone())
                .bind(cause.certainty)
                .bind(cause.legacy)
                .bind(cause.must_fix)
                .bind(cause.impact_minutes)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok::<_, StoreError>(false);
                }
                let kind = hindsight_core::audit::ChainKind::Postmortem;
                let prev_hash = crate::audit::chain_tip!(tx, kind, &after.id, based_on + 1).await?;
                let entry = hindsight_core::audit::HistoryEntry {
                    kind,
                    record_id: &after.id,
                    version: based_on + 1,
                    actor_id: viewer.actor_id(),
                    at: now.get(),
                    reason,
                    changes: &changes,
                };
                let hash = entry.hash(prev_hash.as_deref());
                sqlx::query(
                    "INSERT INTO postmortem_history (postmortem_id, version, actor_id, at, changes, prev_hash, hash, reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&after.id)
                .bind(based_on + 1)
                .bind(viewer.actor_id())
                .bind(now)
                .bind(&changes)
                .bind(&prev_hash)
                .bind(&hash)
                .bind(reason)
                .execute(&mut *tx)
                .await?;
                if !events.is_empty() {
                    let incident_id: String = sqlx::query_scalar("SELECT incident_id FROM postmortems WHERE id = $1")
                        .bind(&after.id)
                        .fetch_one(&mut *tx)
                        .await?;
                    crate::outbox::append_events!(tx, &events, &incident_id, viewer.actor_id(), now).await?;
                }
                tx.commit().await?;
                Ok(true)
            }
            .await
        })?;
        let current = self.postmortem(viewer, &after.id).await?;
        if !saved {
            let version = current.version;
            return Err(StoreError::conflict(format!("post-mortem {:?}", after.id), based_on, &current, version));
        }
        Ok(current)
    }

    /// Every change made to a post-mortem, oldest first.
    pub async fn postmortem_history(&self, viewer: &Viewer, id: &str) -> Result<Vec<PostmortemChange>, StoreError> {
        self.check_postmortem_visible(viewer, id).await?;
        let rows: Vec<ChangeRow> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT h.version, u.username, h.at, h.changes, h.reason FROM postmortem_history h \
             LEFT JOIN users u ON u.id = h.actor_id WHERE h.postmortem_id = $1 ORDER BY h.version"
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|(version, actor, at, changes, reason)| {
                Ok(PostmortemChange {
                    version,
                    actor,
                    at: at.get(),
                    reason,
                    changes: serde_json::from_str::<Vec<FieldChange>>(&changes)
                        .map_err(|e| StoreError::Corrupt(format!("history of {id:?}: {e}")))?,
                })
            })
            .collect()
    }

    /// Deletes a post-mortem and its history; `note` goes to the audit events in the same
    /// transaction.
    pub async fn delete_postmortem(&self, viewer: &Viewer, id: &str, note: &AuditNote) -> Result<(), StoreError> {
        self.check_postmortem_visible(viewer, id).await?;
        self.execute_audited("DELETE FROM postmortems WHERE id = $1", vec![Arg::Text(id.into())], note, None).await?;
        Ok(())
    }
}

fn check_version(current: &Postmortem, based_on: i64) -> Result<(), StoreError> {
    if based_on != current.version {
        return Err(StoreError::conflict(format!("post-mortem {:?}", current.id), based_on, current, current.version));
    }
    Ok(())
}

fn history_json(changes: &[FieldChange]) -> Result<String, StoreError> {
    serde_json::to_string(changes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The root cause and damage scope as the columns beside a post-mortem's sections keep
/// them, for counting across post-mortems without reading each one's JSON; written in the
/// same statement as the sections.
struct CauseColumns {
    /// Lower-cased and trimmed, as hotspots and similar incidents compare components.
    component: String,
    certainty: &'static str,
    legacy: bool,
    must_fix: bool,
    impact_minutes: i64,
}

impl CauseColumns {
    fn of(sections: &hindsight_core::Sections) -> CauseColumns {
        let cause = &sections.root_cause;
        CauseColumns {
            component: cause.component.trim().to_lowercase(),
            certainty: cause.certainty.as_str(),
            legacy: cause.legacy_code == Some(true),
            must_fix: cause.must_fix == Some(true),
            impact_minutes: sections.impact.access_lost_minutes.unwrap_or(0),
        }
    }
}
