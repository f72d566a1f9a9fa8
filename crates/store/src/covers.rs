//! One post-mortem for several incidents: the related incidents a post-mortem covers besides
//! its own (each without a post-mortem of its own, and covered by one post-mortem at most),
//! added and taken off by editors with their audit events. Reads apply the viewer's sight of
//! each incident.

use hindsight_core::access::Viewer;
use hindsight_core::{
    CoveredBy, CoveredIncident, IncidentStatus, MAX_COVERED, Severity, ValidationErrors, incident_handle,
    parse_incident_handle,
};

use crate::audit::{AuditNote, append_audit};
use crate::error::word;
use crate::sql::Sql;
use crate::{Arg, BeginWrite, Store, StoreError, Ts, bind_args, built_sql, on_pool};

fn invalid(message: String) -> StoreError {
    StoreError::Invalid(ValidationErrors::single("incident", message))
}

impl Store {
    /// The incidents post-mortem `id` covers besides its own, earliest to begin first: those
    /// the viewer may see.
    pub async fn covered_incidents(&self, viewer: &Viewer, id: &str) -> Result<Vec<CoveredIncident>, StoreError> {
        let mut sql = Sql::new(
            "SELECT i.number, i.title, i.severity, i.status, i.began_at, u.username, c.added_at \
             FROM postmortem_incidents c JOIN incidents i ON i.id = c.incident_id \
             LEFT JOIN users u ON u.id = c.added_by WHERE c.postmortem_id = ",
        );
        sql.bind(Arg::Text(id.to_string())).push(" AND ").visible("i", viewer).push(" ORDER BY i.began_at, i.number");
        let (text, args) = sql.into_parts();
        type Row = (i64, String, i64, String, Ts, Option<String>, Ts);
        let rows: Vec<Row> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&text)), args.clone()).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(number, title, severity, status, began_at, added_by, added_at)| {
                Ok(CoveredIncident {
                    handle: incident_handle(number),
                    title,
                    severity: u8::try_from(severity)
                        .ok()
                        .and_then(Severity::new)
                        .ok_or_else(|| StoreError::Corrupt(format!("severity {severity} is not 1 to 5")))?,
                    status: word::<IncidentStatus>(&status)?,
                    began_at: began_at.get(),
                    added_by,
                    added_at: added_at.get(),
                })
            })
            .collect()
    }

    /// The post-mortem of another incident that covers incident `number`, when one does and
    /// the viewer may see both incidents.
    pub async fn covered_by(&self, viewer: &Viewer, number: i64) -> Result<Option<CoveredBy>, StoreError> {
        let mut sql = Sql::new(
            "SELECT p.id, o.number, o.title FROM postmortem_incidents c JOIN incidents i ON i.id = c.incident_id \
             JOIN postmortems p ON p.id = c.postmortem_id JOIN incidents o ON o.id = p.incident_id WHERE i.number = ",
        );
        sql.bind(Arg::Int(number)).push(" AND ").visible("i", viewer).push(" AND ").visible("o", viewer);
        let (text, args) = sql.into_parts();
        let row: Option<(String, i64, String)> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&text)), args.clone())
                .fetch_optional(pool)
                .await)?;
        Ok(row.map(|(postmortem, number, title)| CoveredBy { postmortem, incident: incident_handle(number), title }))
    }

    /// The handle of the incident whose post-mortem covers the incident with id
    /// `incident_id` (whoever may see it), if one does.
    pub(crate) async fn covering_incident(&self, incident_id: &str) -> Result<Option<i64>, StoreError> {
        let mut sql = Sql::new(
            "SELECT o.number FROM postmortem_incidents c JOIN postmortems p ON p.id = c.postmortem_id \
             JOIN incidents o ON o.id = p.incident_id WHERE c.incident_id = ",
        );
        sql.bind(Arg::Text(incident_id.to_string()));
        Ok(self.fetch_column::<i64>(sql).await?.into_iter().next())
    }

    /// Adds incident `number` to those post-mortem `id` covers, with its audit event; answers
    /// whether it was added (false when it already was). Refused, naming why: the
    /// post-mortem's own incident, an incident with a post-mortem of its own or covered by
    /// another post-mortem, one the viewer cannot see, and more than [`MAX_COVERED`].
    pub async fn cover_incident(
        &self,
        viewer: &Viewer,
        id: &str,
        number: i64,
        note: &AuditNote,
    ) -> Result<bool, StoreError> {
        note.check()?;
        let postmortem = self.postmortem(viewer, id).await?;
        let handle = incident_handle(number);
        if parse_incident_handle(&postmortem.incident) == Some(number) {
            return Err(invalid(format!("{handle} is this post-mortem's own incident")));
        }
        let incident_id = self.visible_incident_id(viewer, number).await.map_err(|e| match e {
            StoreError::NotFound(_) => invalid(format!("no incident {handle}")),
            e => e,
        })?;
        let mut sql = Sql::new("SELECT COUNT(*) FROM postmortems p WHERE p.incident_id = ");
        sql.bind(Arg::Text(incident_id.clone()));
        if self.fetch_column::<i64>(sql).await?.first().copied().unwrap_or(0) > 0 {
            return Err(invalid(format!(
                "{handle} has a post-mortem of its own: one post-mortem covers only incidents that have none"
            )));
        }
        match self.covering_incident(&incident_id).await? {
            Some(other) if Some(other) == parse_incident_handle(&postmortem.incident) => return Ok(false),
            Some(other) => {
                return Err(invalid(format!(
                    "{handle} is covered by {}'s post-mortem already: take it off there first",
                    incident_handle(other)
                )));
            }
            None => {}
        }
        let mut sql = Sql::new("SELECT COUNT(*) FROM postmortem_incidents c WHERE c.postmortem_id = ");
        sql.bind(Arg::Text(id.to_string()));
        if self.fetch_column::<i64>(sql).await?.first().copied().unwrap_or(0) >= MAX_COVERED as i64 {
            return Err(invalid(format!("a post-mortem covers at most {MAX_COVERED} incidents besides its own")));
        }
        let added_by = viewer.actor_id().map(str::to_string);
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO postmortem_incidents (postmortem_id, incident_id, added_by, added_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(&incident_id)
            .bind(&added_by)
            .bind(Ts::now())
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, note).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await)
        .map_err(|e| match e {
            // Covered by another post-mortem meanwhile.
            StoreError::Duplicate { .. } => invalid(format!("{handle} is covered by another post-mortem already")),
            e => e,
        })?;
        Ok(true)
    }

    /// Takes incident `number` off those post-mortem `id` covers, with its audit event;
    /// answers whether it was covered.
    pub async fn uncover_incident(
        &self,
        viewer: &Viewer,
        id: &str,
        number: i64,
        note: &AuditNote,
    ) -> Result<bool, StoreError> {
        note.check()?;
        self.postmortem(viewer, id).await?;
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let removed = on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query("DELETE FROM postmortem_incidents WHERE postmortem_id = $1 AND incident_id = $2")
                .bind(id)
                .bind(&incident_id)
                .execute(&mut *tx)
                .await?;
            let removed = done.rows_affected() > 0;
            if removed {
                append_audit!(tx, note).await?;
            }
            tx.commit().await?;
            Ok::<_, StoreError>(removed)
        }
        .await)?;
        Ok(removed)
    }
}
