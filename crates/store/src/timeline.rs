//! Timeline events and the raw payloads they were read from.

use hindsight_core::access::Viewer;
use hindsight_core::{NewTimelineEvent, TimelineEvent, TimelineEventPatch, ValidationErrors, incident_handle};
use sqlx::FromRow;

use crate::error::word;
use crate::incidents::{viewer_args, visible_sql};
use crate::{Arg, MAX_PAGE, Page, Store, StoreError, Ts, bind_args, built_sql, new_id, on_pool};

#[derive(FromRow)]
struct EventRow {
    id: String,
    number: i64,
    occurred_at: Ts,
    source: String,
    kind: String,
    actor: Option<String>,
    text: String,
    key_moment: Option<String>,
    raw_payload_id: Option<String>,
    created_by: Option<String>,
    created_at: Ts,
    version: i64,
}

const EVENT_SELECT: &str = "SELECT e.id, i.number, e.occurred_at, e.source, e.kind, e.actor, e.text, \
    e.key_moment, e.raw_payload_id, cu.username AS created_by, e.created_at, e.version \
    FROM timeline_events e JOIN incidents i ON i.id = e.incident_id LEFT JOIN users cu ON cu.id = e.created_by";

impl EventRow {
    fn into_event(self) -> Result<TimelineEvent, StoreError> {
        let handle = incident_handle(self.number);
        Ok(TimelineEvent {
            raw_payload_url: self.raw_payload_id.map(|_| format!("/api/v1/incidents/{handle}/events/{}/raw", self.id)),
            incident: handle,
            occurred_at: self.occurred_at.get(),
            kind: word(&self.kind)?,
            key_moment: self.key_moment.as_deref().map(word).transpose()?,
            id: self.id,
            source: self.source,
            actor: self.actor,
            text: self.text,
            created_by: self.created_by,
            created_at: self.created_at.get(),
            version: self.version,
        })
    }
}

/// Cursor of the timeline: the last event's time and id.
fn parse_cursor(cursor: &str) -> Result<(Ts, String), StoreError> {
    let bad = || StoreError::Invalid(ValidationErrors::single("cursor", "not a cursor this list gave out"));
    let (micros, id) = cursor.split_once('.').ok_or_else(bad)?;
    let micros: i128 = micros.parse().map_err(|_| bad())?;
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(micros * 1000).map_err(|_| bad())?;
    Ok((Ts::from(at), id.to_string()))
}

impl Store {
    /// Adds an event to a visible incident's timeline, keeping its raw payload if given.
    pub async fn add_event(
        &self,
        viewer: &Viewer,
        number: i64,
        new: NewTimelineEvent,
    ) -> Result<TimelineEvent, StoreError> {
        new.validate()?;
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let id = new_id();
        let now = Ts::now();
        let raw = new.raw_payload.as_ref().map(|v| (new_id(), v.to_string()));
        on_pool!(self, |pool| {
            async {
            let mut tx = pool.begin().await?;
            if let Some((raw_id, body)) = &raw {
                sqlx::query("INSERT INTO raw_payloads (id, incident_id, source, body, received_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(raw_id).bind(&incident_id).bind(&new.source).bind(body).bind(now)
                    .execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO timeline_events (id, incident_id, occurred_at, source, kind, actor, text, key_moment, \
                 raw_payload_id, created_by, created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)",
            )
            .bind(&id)
            .bind(&incident_id)
            .bind(Ts::from(new.occurred_at))
            .bind(&new.source)
            .bind(new.kind.as_str())
            .bind(&new.actor)
            .bind(&new.text)
            .bind(new.key_moment.map(|k| k.as_str()))
            .bind(raw.as_ref().map(|(raw_id, _)| raw_id))
            .bind(&viewer.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        }
        .await
        })?;
        self.event(viewer, number, &id).await
    }

    /// One event of a visible incident.
    pub async fn event(&self, viewer: &Viewer, number: i64, id: &str) -> Result<TimelineEvent, StoreError> {
        let sql = format!("{EVENT_SELECT} WHERE i.number = $3 AND e.id = $4 AND {}", visible_sql("i", 1, 2));
        let [uid, admin] = viewer_args(viewer);
        let args = vec![uid, admin, Arg::Int(number), Arg::Text(id.to_string())];
        let row: Option<EventRow> = on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone())
            .fetch_optional(pool)
            .await)?;
        row.ok_or_else(|| StoreError::NotFound(format!("event {id:?} of {}", incident_handle(number))))?.into_event()
    }

    /// A visible incident's timeline in time order (ties by id), a page at a time.
    pub async fn list_events(
        &self,
        viewer: &Viewer,
        number: i64,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<TimelineEvent>, StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let limit = limit.clamp(1, MAX_PAGE * 5);
        let mut args = vec![Arg::Text(incident_id)];
        let mut sql = format!("{EVENT_SELECT} WHERE e.incident_id = $1");
        if let Some(cursor) = cursor {
            let (at, id) = parse_cursor(cursor)?;
            args.push(Arg::Time(at));
            args.push(Arg::Text(id));
            sql.push_str(" AND (e.occurred_at > $2 OR (e.occurred_at = $2 AND e.id > $3))");
        }
        args.push(Arg::Int(limit + 1));
        sql.push_str(&format!(" ORDER BY e.occurred_at, e.id LIMIT ${}", args.len()));
        let mut rows: Vec<EventRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| format!("{}.{}", r.occurred_at.get().unix_timestamp_nanos() / 1000, r.id))
        } else {
            None
        };
        Ok(Page { items: rows.into_iter().map(EventRow::into_event).collect::<Result<_, _>>()?, next_cursor })
    }

    /// Changes an event, refusing a change based on a stale version.
    pub async fn update_event(
        &self,
        viewer: &Viewer,
        number: i64,
        id: &str,
        patch: TimelineEventPatch,
    ) -> Result<TimelineEvent, StoreError> {
        let mut event = self.event(viewer, number, id).await?;
        let based_on = patch.version;
        let what = format!("event {id:?}");
        if based_on != event.version {
            let version = event.version;
            return Err(StoreError::conflict(what, based_on, &event, version));
        }
        event.apply(patch)?;
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE timeline_events SET occurred_at = $3, kind = $4, actor = $5, text = $6, key_moment = $7, \
             version = version + 1 WHERE id = $1 AND version = $2",
            )
            .bind(id)
            .bind(based_on)
            .bind(Ts::from(event.occurred_at))
            .bind(event.kind.as_str())
            .bind(&event.actor)
            .bind(&event.text)
            .bind(event.key_moment.map(|k| k.as_str()))
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        let current = self.event(viewer, number, id).await?;
        if done == 0 {
            let version = current.version;
            return Err(StoreError::conflict(what, based_on, &current, version));
        }
        Ok(current)
    }

    /// Removes an event from a visible incident's timeline.
    pub async fn delete_event(&self, viewer: &Viewer, number: i64, id: &str) -> Result<(), StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let done =
            on_pool!(self, |pool| sqlx::query("DELETE FROM timeline_events WHERE id = $1 AND incident_id = $2")
                .bind(id)
                .bind(&incident_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound(format!("event {id:?} of {}", incident_handle(number))));
        }
        Ok(())
    }

    /// The raw payload an event was read from, verbatim.
    pub async fn event_raw_payload(&self, viewer: &Viewer, number: i64, id: &str) -> Result<String, StoreError> {
        let sql = format!(
            "SELECT r.body FROM timeline_events e JOIN incidents i ON i.id = e.incident_id \
             JOIN raw_payloads r ON r.id = e.raw_payload_id WHERE i.number = $3 AND e.id = $4 AND {}",
            visible_sql("i", 1, 2)
        );
        let [uid, admin] = viewer_args(viewer);
        let args = vec![uid, admin, Arg::Int(number), Arg::Text(id.to_string())];
        let body: Option<String> =
            on_pool!(self, |pool| bind_args!(sqlx::query_scalar(built_sql(&sql)), args.clone())
                .fetch_optional(pool)
                .await)?;
        body.ok_or_else(|| StoreError::NotFound(format!("raw payload of event {id:?}")))
    }
}
