//! Learning across incidents, counted in the database: hotspots (post-mortems grouped by the
//! root cause's component, incidents by affected service, over a period and the one before),
//! whether fixes held (a root cause whose action items all closed, and the later incidents
//! with the same cause), and the ledger of causes still unknown (published post-mortems whose
//! root cause is unknown or suspected, with later incidents sharing a component or an alert
//! as leads, until a finding closes the entry). Every read applies the viewer's sight of
//! incidents, so private incidents count only for those who may see them.

use std::collections::BTreeMap;

use hindsight_core::access::Viewer;
use hindsight_core::{
    Certainty, Finding, FixOutcome, Hotspot, LaterIncident, LinkReason, NewFinding, OpenCauseLead, Period,
    UnknownCause, ValidationErrors, incident_handle, parse_incident_handle, rank_hotspots,
};

use crate::audit::{AuditNote, append_audit};
use crate::error::word;
use crate::sql::Sql;
use crate::{Arg, BeginWrite, IncidentFilter, Store, StoreError, Ts, bind_args, built_sql, on_pool};

/// Hotspots listed of each kind, at most.
pub const MAX_HOTSPOTS: usize = 50;
/// Fixes a report reads, at most (the latest).
pub const MAX_FIXES: i64 = 200;
/// Ledger entries read, at most (the latest).
pub const MAX_LEDGER: i64 = 200;
/// Leads given per ledger entry, at most.
const LEADS_PER_ENTRY: i64 = 5;
/// Incidents since a fix listed on its action item, at most.
const MAX_SINCE: i64 = 20;

/// Text at `path` (e.g. `root_cause.clues`) of the sections of post-mortem `alias`: read
/// only for the rows an answer shows; what is counted or compared has its own column.
fn section(backend: &str, alias: &str, path: &str) -> String {
    if backend == "postgres" {
        format!("(({alias}.sections::jsonb) #>> '{{{}}}')", path.replace('.', ","))
    } else {
        format!("json_extract({alias}.sections, '$.{path}')")
    }
}

/// The alert fingerprint of timeline event `alias`, as the index on it is written.
fn fingerprint(backend: &str, alias: &str) -> String {
    if backend == "postgres" {
        format!("(({alias}.correlation::jsonb) #>> '{{c,fingerprint}}')")
    } else {
        format!("json_extract({alias}.correlation, '$.c.fingerprint')")
    }
}

/// The condition that post-mortem `alias` is in the ledger of open causes (published, its
/// root cause unknown or suspected), written as the partial index on it is.
fn uncertain(alias: &str) -> String {
    format!("{alias}.cause_certainty IN ('unknown', 'probable') AND {alias}.status IN ('published', 'archived')")
}

/// A later incident as read: the earlier incident it is linked to, its number, title,
/// start and why.
type LaterRow = (i64, i64, String, Ts, String);

fn later(row: LaterRow) -> Result<(i64, LaterIncident), StoreError> {
    let (earlier, number, title, began_at, reason) = row;
    let reason: LinkReason = word(&reason)?;
    Ok((earlier, LaterIncident { handle: incident_handle(number), title, began_at: began_at.get(), reason }))
}

impl Store {
    /// Root-cause components and affected services ranked by their incidents in `period`,
    /// with the period of the same length before it for the trend.
    pub async fn hotspots(
        &self,
        viewer: &Viewer,
        period: Period,
        filter: &IncidentFilter,
    ) -> Result<(Vec<Hotspot>, Vec<Hotspot>), StoreError> {
        let filter = filter.within_period();
        let mut components = self
            .hotspot_counts(
                viewer,
                period,
                "p.cause_component AS name",
                "postmortems p JOIN incidents i ON i.id = p.incident_id",
                "p.cause_component <> ''",
                &filter,
            )
            .await?;
        let services = self
            .hotspot_counts(
                viewer,
                period,
                "s.slug AS name",
                "incident_services x JOIN services s ON s.id = x.service_id JOIN incidents i ON i.id = x.incident_id \
                 LEFT JOIN postmortems p ON p.incident_id = i.id",
                "TRUE",
                &filter,
            )
            .await?;
        let mut services = services;
        rank_hotspots(&mut components);
        rank_hotspots(&mut services);
        components.truncate(MAX_HOTSPOTS);
        services.truncate(MAX_HOTSPOTS);
        Ok((components, services))
    }

    /// One kind of hotspot: incidents of `from` grouped by `name`, counted in `period` and
    /// in the period before it, with their impact, legacy flags and open must-fix items.
    async fn hotspot_counts(
        &self,
        viewer: &Viewer,
        period: Period,
        name: &str,
        from: &str,
        condition: &str,
        filter: &IncidentFilter,
    ) -> Result<Vec<Hotspot>, StoreError> {
        let previous = period.previous();
        // One pass over the incidents of both periods; the open must-fix items of the
        // period's incidents are counted through the index on each incident's items.
        let mut sql = Sql::new("SELECT ");
        let start = sql.param(Arg::Time(Ts::from(period.start())));
        sql.push(&format!(
            "{name}, SUM(CASE WHEN i.began_at >= {start} THEN 1 ELSE 0 END), \
             SUM(CASE WHEN i.began_at < {start} THEN 1 ELSE 0 END), \
             CAST(SUM(CASE WHEN i.began_at >= {start} THEN COALESCE(p.impact_minutes, 0) ELSE 0 END) AS BIGINT), \
             SUM(CASE WHEN i.began_at >= {start} AND p.cause_legacy THEN 1 ELSE 0 END), \
             CAST(SUM(CASE WHEN i.began_at >= {start} AND p.cause_must_fix THEN (SELECT COUNT(*) FROM action_items a \
             WHERE a.incident_id = i.id AND a.status IN ('open', 'in_progress')) ELSE 0 END) AS BIGINT) \
             FROM {from} WHERE i.began_at >= "
        ));
        sql.bind(Arg::Time(Ts::from(previous.start())));
        sql.push(" AND i.began_at < ").bind(Arg::Time(Ts::from(period.end())));
        sql.push(&format!(" AND {condition} AND "));
        self.push_incident_conditions(&mut sql, viewer, filter, false);
        sql.push(" GROUP BY 1");
        let (text, args) = sql.into_parts();
        type Row = (Option<String>, i64, i64, i64, i64, i64);
        let rows: Vec<Row> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&text)), args.clone()).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .filter_map(|(name, incidents, previous_incidents, impact_minutes, legacy, open_must_fix)| {
                let name = name?;
                (incidents > 0).then_some(Hotspot {
                    name,
                    incidents,
                    previous_incidents,
                    impact_minutes,
                    legacy,
                    open_must_fix,
                })
            })
            .collect())
    }

    /// Appends the fixes made in `period` as a `fixed` common table: post-mortems with a
    /// root-cause component whose incident's action items are all closed, at least one
    /// done, the last closed in the period (the latest [`MAX_FIXES`]).
    fn push_fixed(&self, sql: &mut Sql, viewer: &Viewer, period: Period) {
        sql.push(
            "fixed AS (SELECT i.id AS id, i.number AS number, i.title AS title, p.cause_component AS component, \
             COUNT(*) AS items, MAX(a.closed_at) AS fixed_at \
             FROM postmortems p JOIN incidents i ON i.id = p.incident_id JOIN action_items a ON a.incident_id = i.id \
             WHERE p.cause_component <> '' AND i.id IN (SELECT c.incident_id FROM action_items c WHERE c.closed_at >= ",
        );
        sql.bind(Arg::Time(Ts::from(period.start())));
        sql.push(" AND c.closed_at < ").bind(Arg::Time(Ts::from(period.end())));
        sql.push(") AND ").visible("i", viewer);
        sql.push(
            " GROUP BY i.id, i.number, i.title, p.cause_component \
             HAVING SUM(CASE WHEN a.status IN ('open', 'in_progress') THEN 1 ELSE 0 END) = 0 \
             AND SUM(CASE WHEN a.status = 'done' THEN 1 ELSE 0 END) > 0 AND MAX(a.closed_at) >= ",
        );
        sql.bind(Arg::Time(Ts::from(period.start())));
        sql.push(" AND MAX(a.closed_at) < ").bind(Arg::Time(Ts::from(period.end())));
        sql.push(" ORDER BY MAX(a.closed_at) DESC LIMIT ").bind(Arg::Int(MAX_FIXES));
        sql.push(")");
    }

    /// The fixes made in `period` (each root cause whose action items all closed then), each
    /// with the first later incident of the same cause, if any, and how many there were.
    pub async fn fix_outcomes(&self, viewer: &Viewer, period: Period) -> Result<Vec<FixOutcome>, StoreError> {
        let cause = section(self.backend(), "pd", "root_cause.description");
        let mut sql = Sql::new("WITH ");
        self.push_fixed(&mut sql, viewer, period);
        sql.push(
            ", back AS (SELECT f.number AS fixed, j.number AS number, j.title AS title, j.began_at AS began_at, \
             'component' AS reason FROM fixed f JOIN postmortems q ON q.cause_component = f.component AND q.cause_component <> '' \
             JOIN incidents j ON j.id = q.incident_id WHERE j.began_at > f.fixed_at AND j.number <> f.number AND ",
        );
        sql.visible("j", viewer);
        sql.push(
            " UNION ALL SELECT f.number, j.number, j.title, j.began_at, 'recurrence' FROM fixed f \
             JOIN incident_recurrences r ON r.recurs_id = f.id JOIN incidents j ON j.id = r.incident_id \
             WHERE j.began_at > f.fixed_at AND ",
        );
        sql.visible("j", viewer);
        // An incident back for both reasons counts once, as the confirmed recurrence.
        sql.push(&format!(
            "), once AS (SELECT fixed, number, title, began_at, MAX(reason) AS reason FROM back \
             GROUP BY fixed, number, title, began_at), \
             ranked AS (SELECT once.*, ROW_NUMBER() OVER (PARTITION BY fixed ORDER BY began_at, number) AS place, \
             COUNT(*) OVER (PARTITION BY fixed) AS returns FROM once) \
             SELECT f.number, f.title, f.component, COALESCE({cause}, ''), f.items, f.fixed_at, r.number, r.title, \
             r.began_at, r.reason, COALESCE(r.returns, 0) FROM fixed f JOIN postmortems pd ON pd.incident_id = f.id \
             LEFT JOIN ranked r ON r.fixed = f.number AND r.place = 1 ORDER BY f.fixed_at DESC"
        ));
        let (text, args) = sql.into_parts();
        type Row = (i64, String, String, String, i64, Ts, Option<i64>, Option<String>, Option<Ts>, Option<String>, i64);
        let rows: Vec<Row> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&text)), args.clone()).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(number, title, component, cause, items, fixed_at, back, back_title, back_began, reason, returns)| {
                let came_back = match (back, back_title, back_began, reason) {
                    (Some(back), Some(back_title), Some(back_began), Some(reason)) => {
                        Some(later((number, back, back_title, back_began, reason))?.1)
                    }
                    _ => None,
                };
                Ok(FixOutcome {
                    incident: incident_handle(number),
                    title,
                    component,
                    cause,
                    fixed_at: fixed_at.get(),
                    action_items: items,
                    came_back,
                    returns,
                })
            })
            .collect()
    }

    /// For action item `id`, once closed: the later incidents with its incident's root
    /// cause (confirmed recurrences, or the same component), the first ones first.
    pub async fn incidents_since_fix(&self, viewer: &Viewer, id: &str) -> Result<Vec<LaterIncident>, StoreError> {
        let item = self.action_item(viewer, id).await?;
        let mut sql = Sql::new(
            "WITH fixed AS (SELECT i.id AS id, i.number AS number, a.closed_at AS closed_at, \
             COALESCE(p.cause_component, '') AS component FROM action_items a JOIN incidents i ON i.id = a.incident_id \
             LEFT JOIN postmortems p ON p.incident_id = i.id WHERE a.closed_at IS NOT NULL AND a.id = ",
        );
        sql.bind(Arg::Text(item.id.clone()));
        sql.push(
            "), back AS (SELECT f.number AS fixed, j.number AS number, j.title AS title, j.began_at AS began_at, \
             'component' AS reason FROM fixed f JOIN postmortems q ON q.cause_component = f.component AND q.cause_component <> '' \
             JOIN incidents j ON j.id = q.incident_id WHERE f.component <> '' AND j.began_at > f.closed_at \
             AND j.number <> f.number AND ",
        );
        sql.visible("j", viewer);
        sql.push(
            " UNION ALL SELECT f.number, j.number, j.title, j.began_at, 'recurrence' FROM fixed f \
             JOIN incident_recurrences r ON r.recurs_id = f.id JOIN incidents j ON j.id = r.incident_id \
             WHERE j.began_at > f.closed_at AND ",
        );
        sql.visible("j", viewer);
        sql.push(
            ") SELECT fixed, number, title, began_at, MAX(reason) FROM back GROUP BY fixed, number, title, began_at \
             ORDER BY began_at, number LIMIT ",
        );
        sql.bind(Arg::Int(MAX_SINCE));
        let (text, args) = sql.into_parts();
        let rows: Vec<LaterRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&text)), args.clone()).fetch_all(pool).await)?;
        rows.into_iter().map(|row| Ok(later(row)?.1)).collect()
    }

    /// Appends the ledger of open causes as an `open` common table: the latest
    /// [`MAX_LEDGER`] published post-mortems the viewer may see whose root cause is unknown
    /// or suspected and that no finding closed; only incident `only`'s, if given.
    fn push_ledger(&self, sql: &mut Sql, viewer: &Viewer, only: Option<i64>) {
        sql.push(&format!(
            "open AS (SELECT i.id AS id, i.number AS number, i.title AS title, i.began_at AS began_at, \
             p.cause_certainty AS certainty, p.cause_component AS component \
             FROM postmortems p JOIN incidents i ON i.id = p.incident_id WHERE {} \
             AND NOT EXISTS (SELECT 1 FROM unknown_cause_findings f WHERE f.incident_id = i.id) AND ",
            uncertain("p"),
        ));
        sql.visible("i", viewer);
        if let Some(number) = only {
            sql.push(" AND i.number = ").bind(Arg::Int(number));
        }
        sql.push(" ORDER BY i.began_at DESC LIMIT ").bind(Arg::Int(MAX_LEDGER));
        sql.push(")");
    }

    /// The ledger of causes still unknown or suspected, the latest first, each with its
    /// leads; only incident `only`'s entry, if given.
    pub async fn unknown_causes(&self, viewer: &Viewer, only: Option<i64>) -> Result<Vec<UnknownCause>, StoreError> {
        let backend = self.backend();
        let (cause, clues) =
            (section(backend, "p", "root_cause.description"), section(backend, "p", "root_cause.clues"));
        let mut sql = Sql::new("WITH ");
        self.push_ledger(&mut sql, viewer, only);
        sql.push(&format!(
            " SELECT o.number, o.title, o.began_at, o.certainty, o.component, COALESCE({cause}, ''), \
             COALESCE({clues}, '') FROM open o JOIN postmortems p ON p.incident_id = o.id ORDER BY o.began_at DESC"
        ));
        let (text, args) = sql.into_parts();
        type Row = (i64, String, Ts, String, String, String, String);
        let rows: Vec<Row> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&text)), args.clone()).fetch_all(pool).await)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }

        // Later incidents sharing the suspected component, or an alert, with each entry.
        let (fp_e, fp_m) = (fingerprint(backend, "e"), fingerprint(backend, "m"));
        // The entries' own alerts first, so that the later incidents with them are found
        // through the index on fingerprints rather than by reading every alert's event.
        let mut sql = Sql::new("WITH ");
        self.push_ledger(&mut sql, viewer, only);
        sql.push(&format!(
            " SELECT DISTINCT {fp_e} FROM open o JOIN timeline_events e ON e.incident_id = o.id \
             WHERE {fp_e} IS NOT NULL LIMIT 1000"
        ));
        let (text, args) = sql.into_parts();
        let fingerprints: Vec<String> =
            on_pool!(self, |pool| bind_args!(sqlx::query_scalar(built_sql(&text)), args.clone())
                .fetch_all(pool)
                .await)?;
        let mut sql = Sql::new("WITH ");
        self.push_ledger(&mut sql, viewer, only);
        sql.push(
            ", leads AS (SELECT o.number AS entry, j.number AS number, j.title AS title, j.began_at AS began_at, \
             'component' AS reason FROM open o JOIN postmortems q ON q.cause_component = o.component AND q.cause_component <> '' \
             JOIN incidents j ON j.id = q.incident_id WHERE o.component <> '' AND j.began_at > o.began_at AND ",
        );
        sql.visible("j", viewer);
        if !fingerprints.is_empty() {
            sql.push(&format!(
                " UNION ALL SELECT o.number, j.number, j.title, j.began_at, 'fingerprint' FROM open o \
                 JOIN timeline_events e ON e.incident_id = o.id JOIN timeline_events m ON {fp_m} = {fp_e} \
                 JOIN incidents j ON j.id = m.incident_id WHERE {fp_e} IS NOT NULL AND {fp_m} IN ("
            ));
            sql.bind_list(fingerprints.into_iter().map(Arg::Text));
            sql.push(") AND j.began_at > o.began_at AND ").visible("j", viewer);
        }
        // A lead for both reasons is named once, by its component.
        sql.push(
            "), once AS (SELECT entry, number, title, began_at, MIN(reason) AS reason FROM leads \
             GROUP BY entry, number, title, began_at), \
             ranked AS (SELECT once.*, ROW_NUMBER() OVER (PARTITION BY entry ORDER BY began_at, number) AS place \
             FROM once) SELECT entry, number, title, began_at, reason FROM ranked WHERE place <= ",
        );
        sql.bind(Arg::Int(LEADS_PER_ENTRY));
        sql.push(" ORDER BY entry, began_at, number");
        let (text, args) = sql.into_parts();
        let found: Vec<LaterRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&text)), args.clone()).fetch_all(pool).await)?;
        let mut leads: BTreeMap<i64, Vec<LaterIncident>> = BTreeMap::new();
        for row in found {
            let (entry, lead) = later(row)?;
            leads.entry(entry).or_default().push(lead);
        }

        rows.into_iter()
            .map(|(number, title, began_at, certainty, component, cause, clues)| {
                let certainty: Certainty = word(&certainty)?;
                Ok(UnknownCause {
                    incident: incident_handle(number),
                    title,
                    began_at: began_at.get(),
                    certainty,
                    component,
                    cause,
                    clues,
                    leads: leads.remove(&number).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// The open causes of earlier incidents that incident `number` may explain: ledger
    /// entries sharing its root cause's component or an alert with it.
    pub async fn open_causes_explained_by(
        &self,
        viewer: &Viewer,
        number: i64,
    ) -> Result<Vec<OpenCauseLead>, StoreError> {
        let (id, began) = self.visible_start(viewer, number).await?;
        let backend = self.backend();
        let (fp_e, fp_m) = (fingerprint(backend, "e"), fingerprint(backend, "m"));
        let clues = section(backend, "p", "root_cause.clues");
        let open = format!(
            "{} AND NOT EXISTS (SELECT 1 FROM unknown_cause_findings f WHERE f.incident_id = i.id) AND i.began_at < ",
            uncertain("p")
        );
        let mut sql = Sql::new(&format!(
            "SELECT i.number, i.title, COALESCE({clues}, ''), 'component' FROM postmortems q \
             JOIN postmortems p ON p.cause_component = q.cause_component AND p.cause_component <> '' \
             JOIN incidents i ON i.id = p.incident_id \
             WHERE q.cause_component <> '' AND q.incident_id = "
        ));
        sql.bind(Arg::Text(id.clone())).push(&format!(" AND {open}")).bind(Arg::Time(began));
        sql.push(" AND ").visible("i", viewer);
        // The incident's own alerts first, so that the others are found through the index
        // on fingerprints rather than by reading every open cause's timeline.
        let mut own = Sql::new(&format!("SELECT DISTINCT {fp_m} FROM timeline_events m WHERE m.incident_id = "));
        own.bind(Arg::Text(id)).push(&format!(" AND {fp_m} IS NOT NULL LIMIT 50"));
        let (text, args) = own.into_parts();
        let fingerprints: Vec<String> =
            on_pool!(self, |pool| bind_args!(sqlx::query_scalar(built_sql(&text)), args.clone())
                .fetch_all(pool)
                .await)?;
        if !fingerprints.is_empty() {
            sql.push(&format!(
                " UNION SELECT i.number, i.title, COALESCE({clues}, ''), 'fingerprint' FROM timeline_events e \
                 JOIN incidents i ON i.id = e.incident_id JOIN postmortems p ON p.incident_id = i.id \
                 WHERE {fp_e} IS NOT NULL AND {fp_e} IN ("
            ));
            sql.bind_list(fingerprints.into_iter().map(Arg::Text));
            sql.push(&format!(") AND {open}")).bind(Arg::Time(began));
            sql.push(" AND ").visible("i", viewer);
        }
        sql.push(" ORDER BY 1 DESC, 4 LIMIT 20");
        let (text, args) = sql.into_parts();
        let rows: Vec<(i64, String, String, String)> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&text)), args.clone()).fetch_all(pool).await)?;
        let mut leads: Vec<OpenCauseLead> = Vec::new();
        for (number, title, clues, reason) in rows {
            // Named once, by its component when both match.
            if leads.iter().any(|l| l.incident == incident_handle(number)) {
                continue;
            }
            leads.push(OpenCauseLead { incident: incident_handle(number), title, clues, reason: word(&reason)? });
        }
        Ok(leads)
    }

    /// What was found of incident `number`'s unknown cause, if its ledger entry was closed.
    pub async fn finding(&self, viewer: &Viewer, number: i64) -> Result<Option<Finding>, StoreError> {
        let (id, _) = self.visible_start(viewer, number).await?;
        let row: Option<(String, Option<i64>, Option<String>, Ts)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT f.found, j.number, u.username, f.closed_at FROM unknown_cause_findings f \
             LEFT JOIN incidents j ON j.id = f.found_in_id LEFT JOIN users u ON u.id = f.closed_by \
             WHERE f.incident_id = $1"
        )
        .bind(&id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(found, found_in, closed_by, closed_at)| Finding {
            found,
            found_in: found_in.map(incident_handle),
            closed_by,
            closed_at: closed_at.get(),
        }))
    }

    /// Closes incident `number`'s entry in the ledger of unknown causes with what was found
    /// (replacing an earlier finding), with its audit event. The incident's post-mortem must
    /// be published with a root cause unknown or suspected; `found_in` must be another
    /// incident the viewer sees.
    pub async fn close_unknown_cause(
        &self,
        viewer: &Viewer,
        number: i64,
        finding: &NewFinding,
        note: &AuditNote,
    ) -> Result<Finding, StoreError> {
        finding.validate()?;
        note.check()?;
        let (id, _) = self.visible_start(viewer, number).await?;
        let mut sql = Sql::new("SELECT COUNT(*) FROM postmortems p WHERE p.incident_id = ");
        sql.bind(Arg::Text(id.clone())).push(&format!(" AND {}", uncertain("p")));
        let open: Vec<i64> = self.fetch_column(sql).await?;
        if open.first().copied().unwrap_or(0) == 0 {
            return Err(StoreError::Invalid(ValidationErrors::single(
                "incident",
                format!(
                    "{}'s root cause is not open: only a published post-mortem whose root cause is unknown or \
                     probable is in the ledger",
                    incident_handle(number)
                ),
            )));
        }
        let found_in = match finding.found_in.as_deref().and_then(parse_incident_handle) {
            Some(other) if other == number => {
                return Err(StoreError::Invalid(ValidationErrors::single(
                    "found_in",
                    "name the later incident where the cause was found, not this one",
                )));
            }
            Some(other) => Some(self.visible_start(viewer, other).await.map_err(|e| match e {
                StoreError::NotFound(_) => StoreError::Invalid(ValidationErrors::single(
                    "found_in",
                    format!("no incident {}", incident_handle(other)),
                )),
                e => e,
            })?),
            None => None,
        };
        let now = Ts::now();
        let closed_by = viewer.actor_id().map(str::to_string);
        let found_in_id = found_in.map(|(id, _)| id);
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO unknown_cause_findings (incident_id, found, found_in_id, closed_by, closed_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (incident_id) DO UPDATE SET found = $2, found_in_id = $3, \
                 closed_by = $4, closed_at = $5",
            )
            .bind(&id)
            .bind(&finding.found)
            .bind(&found_in_id)
            .bind(&closed_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, note).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await)?;
        self.finding(viewer, number).await?.ok_or_else(|| StoreError::NotFound(incident_handle(number)))
    }

    /// Reopens incident `number`'s entry in the ledger, with its audit event; answers
    /// whether it was closed.
    pub async fn reopen_unknown_cause(
        &self,
        viewer: &Viewer,
        number: i64,
        note: &AuditNote,
    ) -> Result<bool, StoreError> {
        let (id, _) = self.visible_start(viewer, number).await?;
        let done = self
            .execute_audited(
                "DELETE FROM unknown_cause_findings WHERE incident_id = $1",
                vec![Arg::Text(id)],
                note,
                None,
            )
            .await?;
        Ok(done > 0)
    }
}
