//! Action items: owned, dated work that hangs off an incident.

use hindsight_core::access::Viewer;
use hindsight_core::{ActionItem, ActionItemPatch, ActionItemStatus, NewActionItem, ValidationErrors, incident_handle};
use sqlx::FromRow;
use time::Date;

use crate::error::word;
use crate::postmortems::date_text;
use crate::sql::Sql;
use crate::{Arg, BeginWrite, MAX_PAGE, Page, Store, StoreError, Ts, bind_args, built_sql, new_id, on_pool};

/// Which action items a list wants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionItemFilter {
    pub status: Option<ActionItemStatus>,
    /// Username of the owner.
    pub owner: Option<String>,
    /// Slug of the owning team.
    pub team: Option<String>,
    /// Number of the incident.
    pub incident: Option<i64>,
    /// Only open or in-progress items due before this date.
    pub due_before: Option<Date>,
    /// Only open or in-progress items.
    pub unfinished: bool,
    /// Username: items this person owns, and items no person owns whose owning
    /// team they are a member of.
    pub assigned_to: Option<String>,
    /// Service slug: items of incidents affecting the service.
    pub service: Option<String>,
}

#[derive(FromRow)]
struct ActionItemRow {
    id: String,
    number: i64,
    title: String,
    description: String,
    kind: String,
    owner: Option<String>,
    owner_team: Option<String>,
    priority: String,
    due_date: Option<String>,
    status: String,
    tracker_url: Option<String>,
    created_at: Ts,
    updated_at: Ts,
    closed_at: Option<Ts>,
    version: i64,
}

const ACTION_ITEM_SELECT: &str = "SELECT a.id, i.number, a.title, a.description, a.kind, ou.username AS owner, \
    ot.slug AS owner_team, a.priority, a.due_date, a.status, a.tracker_url, a.created_at, a.updated_at, a.closed_at, \
    a.version \
    FROM action_items a JOIN incidents i ON i.id = a.incident_id \
    LEFT JOIN users ou ON ou.id = a.owner_id LEFT JOIN teams ot ON ot.id = a.owner_team_id";

impl ActionItemRow {
    fn into_item(self) -> Result<ActionItem, StoreError> {
        Ok(ActionItem {
            incident: incident_handle(self.number),
            kind: word(&self.kind)?,
            priority: word(&self.priority)?,
            status: word(&self.status)?,
            due_date: self
                .due_date
                .as_deref()
                .map(|d| Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")))
                .transpose()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            id: self.id,
            title: self.title,
            description: self.description,
            owner: self.owner,
            owner_team: self.owner_team,
            tracker_url: self.tracker_url,
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
            closed_at: self.closed_at.map(Ts::get),
            version: self.version,
        })
    }
}

impl Store {
    async fn owner_ids(
        &self,
        owner: Option<&String>,
        team: Option<&String>,
    ) -> Result<(Option<String>, Option<String>), StoreError> {
        let mut errors = ValidationErrors::default();
        let mut owner_id = None;
        let mut team_id = None;
        if let Some(name) = owner {
            match self.user_ids("owner", std::slice::from_ref(name)).await {
                Ok(ids) => owner_id = ids.get(name).cloned(),
                Err(StoreError::Invalid(_)) => errors.push("owner", format!("no user named {name:?}")),
                Err(e) => return Err(e),
            }
        }
        if let Some(slug) = team {
            match self.team_ids("owner_team", std::slice::from_ref(slug)).await {
                Ok(ids) => team_id = ids.get(slug).cloned(),
                Err(StoreError::Invalid(_)) => errors.push("owner_team", format!("no team named {slug:?}")),
                Err(e) => return Err(e),
            }
        }
        errors.into_result()?;
        Ok((owner_id, team_id))
    }

    /// Adds an action item to a visible incident.
    pub async fn create_action_item(
        &self,
        viewer: &Viewer,
        number: i64,
        new: NewActionItem,
    ) -> Result<ActionItem, StoreError> {
        new.validate()?;
        let now = Ts::now();
        if new.closed_at.is_some_and(|at| at > now.get() + time::Duration::minutes(5)) {
            return Err(StoreError::Invalid(ValidationErrors::single("closed_at", "must not be in the future")));
        }
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let (owner_id, team_id) = self.owner_ids(new.owner.as_ref(), new.owner_team.as_ref()).await?;
        let id = new_id();
        let events = hindsight_core::events::action_item_created(&incident_handle(number), &id, &new);
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
            "INSERT INTO action_items (id, incident_id, title, description, kind, owner_id, owner_team_id, priority, \
             due_date, status, tracker_url, created_at, updated_at, version, closed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1, \
             CASE WHEN $10 IN ('done', 'wont_do') THEN COALESCE($13, $12) END)"
        )
        .bind(&id)
        .bind(&incident_id)
        .bind(&new.title)
        .bind(&new.description)
        .bind(new.kind.as_str())
        .bind(&owner_id)
        .bind(&team_id)
        .bind(new.priority.as_str())
        .bind(new.due_date.map(date_text))
        .bind(new.status.as_str())
        .bind(&new.tracker_url)
        .bind(now)
        .bind(new.closed_at.map(Ts::from))
        .execute(&mut *tx)
        .await?;
            crate::outbox::append_events!(tx, &events, &incident_id, viewer.actor_id(), now).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await)?;
        self.action_item(viewer, &id).await
    }

    /// One action item, if the viewer may see its incident.
    pub async fn action_item(&self, viewer: &Viewer, id: &str) -> Result<ActionItem, StoreError> {
        let mut sql = Sql::new(ACTION_ITEM_SELECT);
        sql.push(" WHERE a.id = ").bind(Arg::Text(id.to_string())).push(" AND ").visible("i", viewer);
        let (sql, args) = sql.into_parts();
        let row: Option<ActionItemRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone())
                .fetch_optional(pool)
                .await)?;
        row.ok_or_else(|| StoreError::NotFound(format!("action item {id:?}")))?.into_item()
    }

    /// Appends the conditions of an action item list, the viewer's visibility first.
    fn push_item_conditions(sql: &mut Sql, viewer: &Viewer, filter: &ActionItemFilter) {
        sql.visible("i", viewer);
        if let Some(status) = filter.status {
            sql.push(" AND a.status = ").bind(Arg::Text(status.as_str().into()));
        }
        if let Some(owner) = &filter.owner {
            sql.push(" AND ou.username = ").bind(Arg::Text(owner.clone()));
        }
        if let Some(team) = &filter.team {
            sql.push(" AND ot.slug = ").bind(Arg::Text(team.clone()));
        }
        if let Some(number) = filter.incident {
            sql.push(" AND i.number = ").bind(Arg::Int(number));
        }
        if let Some(due) = filter.due_before {
            sql.push(" AND a.status IN ('open', 'in_progress') AND a.due_date < ").bind(Arg::Text(date_text(due)));
        }
        if let Some(person) = &filter.assigned_to {
            let person = sql.param(Arg::Text(person.clone()));
            sql.push(&format!(
                " AND (ou.username = {person} OR (a.owner_id IS NULL AND EXISTS (SELECT 1 FROM team_members am \
                 JOIN users au ON au.id = am.user_id WHERE am.team_id = a.owner_team_id AND au.username = {person})))"
            ));
        }
        if let Some(service) = &filter.service {
            sql.push(
                " AND EXISTS (SELECT 1 FROM incident_services fs JOIN services s ON s.id = fs.service_id \
                 WHERE fs.incident_id = i.id AND s.slug = ",
            )
            .bind(Arg::Text(service.clone()))
            .push(")");
        }
        if filter.unfinished {
            sql.push(" AND a.status IN ('open', 'in_progress')");
        }
    }

    /// Action items of incidents the viewer may see, newest first, a page at a time.
    pub async fn list_action_items(
        &self,
        viewer: &Viewer,
        filter: &ActionItemFilter,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<ActionItem>, StoreError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let mut sql = Sql::new(ACTION_ITEM_SELECT);
        sql.push(" WHERE ");
        Self::push_item_conditions(&mut sql, viewer, filter);
        if let Some(cursor) = cursor {
            sql.push(" AND a.id < ").bind(Arg::Text(cursor.to_string()));
        }
        sql.push(" ORDER BY a.id DESC LIMIT ").bind(Arg::Int(limit + 1));
        let (sql, args) = sql.into_parts();
        let mut rows: Vec<ActionItemRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more { rows.last().map(|r| r.id.clone()) } else { None };
        Ok(Page { items: rows.into_iter().map(ActionItemRow::into_item).collect::<Result<_, _>>()?, next_cursor })
    }

    /// At most `limit` action items of incidents the viewer may see, soonest due first
    /// (so overdue ones lead), undated ones last, then by priority and age.
    pub async fn action_items_by_due_date(
        &self,
        viewer: &Viewer,
        filter: &ActionItemFilter,
        limit: i64,
    ) -> Result<Vec<ActionItem>, StoreError> {
        let mut sql = Sql::new(ACTION_ITEM_SELECT);
        sql.push(" WHERE ");
        Self::push_item_conditions(&mut sql, viewer, filter);
        sql.push(" ORDER BY a.due_date IS NULL, a.due_date, a.priority, a.id LIMIT ")
            .bind(Arg::Int(limit.clamp(1, MAX_PAGE)));
        let (sql, args) = sql.into_parts();
        let rows: Vec<ActionItemRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        rows.into_iter().map(ActionItemRow::into_item).collect()
    }

    /// How many action items of incidents the viewer may see match the filter, by
    /// status; statuses with none are left out.
    pub async fn count_action_items_by_status(
        &self,
        viewer: &Viewer,
        filter: &ActionItemFilter,
    ) -> Result<Vec<(ActionItemStatus, i64)>, StoreError> {
        let mut sql = Sql::new(
            "SELECT a.status, COUNT(*) FROM action_items a JOIN incidents i ON i.id = a.incident_id \
             LEFT JOIN users ou ON ou.id = a.owner_id LEFT JOIN teams ot ON ot.id = a.owner_team_id WHERE ",
        );
        Self::push_item_conditions(&mut sql, viewer, filter);
        sql.push(" GROUP BY a.status");
        let (sql, args) = sql.into_parts();
        let rows: Vec<(String, i64)> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        rows.into_iter().map(|(status, count)| Ok((word(&status)?, count))).collect()
    }

    /// Changes an action item, refusing a change based on a stale version.
    pub async fn update_action_item(
        &self,
        viewer: &Viewer,
        id: &str,
        patch: ActionItemPatch,
    ) -> Result<ActionItem, StoreError> {
        let mut item = self.action_item(viewer, id).await?;
        let based_on = patch.version;
        let what = format!("action item {id:?}");
        if based_on != item.version {
            let version = item.version;
            return Err(StoreError::conflict(what, based_on, &item, version));
        }
        let before = item.clone();
        item.apply(patch)?;
        let (owner_id, team_id) = self.owner_ids(item.owner.as_ref(), item.owner_team.as_ref()).await?;
        let events = hindsight_core::events::action_item_changed(&before, &item);
        let now = Ts::now();
        let done = on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE action_items SET title = $3, description = $4, kind = $5, owner_id = $6, owner_team_id = $7, \
             priority = $8, due_date = $9, status = $10, tracker_url = $11, updated_at = $12, version = version + 1, \
             closed_at = CASE WHEN $10 NOT IN ('done', 'wont_do') THEN NULL \
             WHEN status IN ('done', 'wont_do') THEN closed_at ELSE $12 END \
             WHERE id = $1 AND version = $2",
            )
            .bind(id)
            .bind(based_on)
            .bind(&item.title)
            .bind(&item.description)
            .bind(item.kind.as_str())
            .bind(&owner_id)
            .bind(&team_id)
            .bind(item.priority.as_str())
            .bind(item.due_date.map(date_text))
            .bind(item.status.as_str())
            .bind(&item.tracker_url)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done > 0 && !events.is_empty() {
                let incident_id: String = sqlx::query_scalar("SELECT incident_id FROM action_items WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                crate::outbox::append_events!(tx, &events, &incident_id, viewer.actor_id(), now).await?;
            }
            if done > 0 {
                // Its issue, if it has one, has something to take now.
                sqlx::query("UPDATE tracker_links SET pending = TRUE WHERE action_item_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, StoreError>(done)
        }
        .await)?;
        let current = self.action_item(viewer, id).await?;
        if done == 0 {
            let version = current.version;
            return Err(StoreError::conflict(what, based_on, &current, version));
        }
        Ok(current)
    }

    /// Deletes an action item.
    pub async fn delete_action_item(&self, viewer: &Viewer, id: &str) -> Result<(), StoreError> {
        self.action_item(viewer, id).await?;
        on_pool!(self, |pool| sqlx::query("DELETE FROM action_items WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
