//! Contributing factors tagged on post-mortems and counted across incidents, and whether the
//! process was followed over a period: post-mortems published for the incidents the policy
//! required one for (its decision is kept on the incident when it resolves), and action
//! items closed by their due dates, by owning team. Every read applies the viewer's sight of
//! incidents.

use hindsight_core::access::Viewer;
use hindsight_core::analysis::Necessity;
use hindsight_core::{OnTimeRow, Period, RequiredIncident, Severity};
use time::Date;

use crate::audit::{AuditNote, append_audit};
use crate::error::word;
use crate::sql::Sql;
use crate::{Arg, BeginWrite, IncidentFilter, Store, StoreError, Ts, bind_args, built_sql, on_pool};

/// Required incidents a coverage report reads, at most (the latest); a period holding more
/// is counted on these.
pub const MAX_COVERAGE_ROWS: i64 = 50_000;

/// The UTC day of timestamp column `expr`, as `YYYY-MM-DD` text (how due dates are kept).
fn day_of(backend: &str, expr: &str) -> String {
    if backend == "postgres" {
        format!("to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD')")
    } else {
        format!("substr({expr}, 1, 10)")
    }
}

/// Counts of contributing factors over a period: for each key tagged, its incidents in the
/// period and in the one before; how many of the period's incidents have a post-mortem, and
/// how many of those are tagged with any factor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactorTally {
    pub counts: Vec<(String, i64, i64)>,
    pub postmortems: i64,
    pub tagged: i64,
}

impl Store {
    /// The contributing factors post-mortem `id` is tagged with, by key; nothing for one the
    /// viewer may not see.
    pub async fn postmortem_factors(&self, viewer: &Viewer, id: &str) -> Result<Vec<String>, StoreError> {
        let mut sql = Sql::new(
            "SELECT f.factor FROM postmortem_factors f JOIN postmortems p ON p.id = f.postmortem_id \
             JOIN incidents i ON i.id = p.incident_id WHERE f.postmortem_id = ",
        );
        sql.bind(Arg::Text(id.to_string())).push(" AND ").visible("i", viewer).push(" ORDER BY f.factor");
        self.fetch_column(sql).await
    }

    /// Tags post-mortem `id` with exactly `factors` (keys the caller has checked against the
    /// taxonomy), with its audit event, when they differ from what it has; answers whether
    /// they did.
    pub async fn set_postmortem_factors(
        &self,
        viewer: &Viewer,
        id: &str,
        factors: &[String],
        note: &AuditNote,
    ) -> Result<bool, StoreError> {
        note.check()?;
        self.postmortem(viewer, id).await?;
        let mut had = self.postmortem_factors(viewer, id).await?;
        let mut wanted = factors.to_vec();
        had.sort();
        wanted.sort();
        wanted.dedup();
        if had == wanted {
            return Ok(false);
        }
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM postmortem_factors WHERE postmortem_id = $1").bind(id).execute(&mut *tx).await?;
            for factor in &wanted {
                sqlx::query("INSERT INTO postmortem_factors (postmortem_id, factor) VALUES ($1, $2)")
                    .bind(id)
                    .bind(factor)
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(tx, note).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await)?;
        Ok(true)
    }

    /// The contributing factors of the incidents that began in `period` (and in the period
    /// before it, for the trend), counted once per incident.
    pub async fn factor_tally(
        &self,
        viewer: &Viewer,
        period: Period,
        filter: &IncidentFilter,
    ) -> Result<FactorTally, StoreError> {
        let previous = period.previous();
        let filter = filter.within_period();
        let mut sql = Sql::new("SELECT f.factor, ");
        let start = sql.param(Arg::Time(Ts::from(period.start())));
        sql.push(&format!(
            "SUM(CASE WHEN i.began_at >= {start} THEN 1 ELSE 0 END), SUM(CASE WHEN i.began_at < {start} THEN 1 ELSE 0 END) \
             FROM postmortem_factors f JOIN postmortems p ON p.id = f.postmortem_id \
             JOIN incidents i ON i.id = p.incident_id WHERE i.began_at >= "
        ));
        sql.bind(Arg::Time(Ts::from(previous.start())));
        sql.push(" AND i.began_at < ").bind(Arg::Time(Ts::from(period.end())));
        sql.push(" AND ");
        self.push_incident_conditions(&mut sql, viewer, &filter, false);
        sql.push(" GROUP BY f.factor");
        let (text, args) = sql.into_parts();
        let counts: Vec<(String, i64, i64)> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&text)), args.clone()).fetch_all(pool).await)?;

        let mut sql = Sql::new(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM postmortem_factors f \
             WHERE f.postmortem_id = p.id) THEN 1 ELSE 0 END), 0) \
             FROM postmortems p JOIN incidents i ON i.id = p.incident_id WHERE i.began_at >= ",
        );
        sql.bind(Arg::Time(Ts::from(period.start())));
        sql.push(" AND i.began_at < ").bind(Arg::Time(Ts::from(period.end())));
        sql.push(" AND ");
        self.push_incident_conditions(&mut sql, viewer, &filter, false);
        let (text, args) = sql.into_parts();
        let (postmortems, tagged): (i64, i64) =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&text)), args.clone()).fetch_one(pool).await)?;
        Ok(FactorTally { counts, postmortems, tagged })
    }

    /// Keeps what the policy decided for incident `number` as it resolved (replacing an
    /// earlier decision: the latest evidence decides).
    pub async fn record_policy_necessity(&self, number: i64, necessity: Necessity) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query("UPDATE incidents SET policy_necessity = $1 WHERE number = $2")
            .bind(necessity.as_str())
            .bind(number)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Resolved incidents with no decision of the policy kept, oldest first, `limit` at a
    /// time after number `after`: those resolved before decisions were kept.
    pub async fn undecided_incidents(&self, after: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
        let mut sql = Sql::new(
            "SELECT i.number FROM incidents i WHERE i.status = 'resolved' AND i.policy_necessity IS NULL AND i.number > ",
        );
        sql.bind(Arg::Int(after)).push(" ORDER BY i.number LIMIT ").bind(Arg::Int(limit.clamp(1, 1000)));
        self.fetch_column(sql).await
    }

    /// The incidents of `period` the policy required a post-mortem for, with their
    /// post-mortem's (their own, or the one covering them) status, due date and publication (the latest [`MAX_COVERAGE_ROWS`]);
    /// and how many resolved incidents of the period it has not decided on.
    pub async fn required_incidents(
        &self,
        viewer: &Viewer,
        period: Period,
        filter: &IncidentFilter,
    ) -> Result<(Vec<RequiredIncident>, i64), StoreError> {
        let filter = filter.within_period();
        let mut sql = Sql::new(
            "SELECT i.severity, i.resolved_at, COALESCE(p.status, q.status), COALESCE(p.due_date, q.due_date), \
             COALESCE(p.published_at, q.published_at) FROM incidents i \
             LEFT JOIN postmortems p ON p.incident_id = i.id \
             LEFT JOIN postmortem_incidents c ON c.incident_id = i.id LEFT JOIN postmortems q ON q.id = c.postmortem_id \
             WHERE i.policy_necessity = ",
        );
        sql.bind(Arg::Text(Necessity::Required.as_str().into()));
        sql.push(" AND i.began_at >= ").bind(Arg::Time(Ts::from(period.start())));
        sql.push(" AND i.began_at < ").bind(Arg::Time(Ts::from(period.end())));
        sql.push(" AND ");
        self.push_incident_conditions(&mut sql, viewer, &filter, false);
        sql.push(" ORDER BY i.began_at DESC LIMIT ").bind(Arg::Int(MAX_COVERAGE_ROWS));
        let (text, args) = sql.into_parts();
        type Row = (i64, Option<Ts>, Option<String>, Option<String>, Option<Ts>);
        let rows: Vec<Row> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&text)), args.clone()).fetch_all(pool).await)?;
        let incidents = rows
            .into_iter()
            .map(|(severity, resolved_at, status, due_date, published_at)| {
                let severity = u8::try_from(severity)
                    .ok()
                    .and_then(Severity::new)
                    .ok_or_else(|| StoreError::Corrupt(format!("severity {severity} is not 1 to 5")))?;
                let due_date = due_date
                    .map(|d| Date::parse(&d, &time::format_description::well_known::Iso8601::DATE))
                    .transpose()
                    .map_err(|e| StoreError::Corrupt(format!("a post-mortem's due date: {e}")))?;
                Ok(RequiredIncident {
                    severity,
                    resolved_at: resolved_at.map(Ts::get),
                    postmortem: status.as_deref().map(word).transpose()?,
                    due_date,
                    published_at: published_at.map(Ts::get),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;

        let mut sql = Sql::new(
            "SELECT COUNT(*) FROM incidents i WHERE i.status = 'resolved' AND i.policy_necessity IS NULL \
             AND i.began_at >= ",
        );
        sql.bind(Arg::Time(Ts::from(period.start())));
        sql.push(" AND i.began_at < ").bind(Arg::Time(Ts::from(period.end())));
        sql.push(" AND ");
        self.push_incident_conditions(&mut sql, viewer, &filter, false);
        let undecided: Vec<i64> = self.fetch_column(sql).await?;
        Ok((incidents, undecided.first().copied().unwrap_or(0)))
    }

    /// Action items of visible incidents due in `period`, by owning team: closed by their
    /// due date, after it, still open past it, and still open before it (`today` decides
    /// which open ones are overdue).
    pub async fn action_items_on_time(
        &self,
        viewer: &Viewer,
        period: Period,
        today: Date,
        filter: &IncidentFilter,
    ) -> Result<Vec<OnTimeRow>, StoreError> {
        let filter = filter.within_period();
        let backend = self.backend();
        let closed_day = day_of(backend, "a.closed_at");
        let mut sql = Sql::new("SELECT COALESCE(t.slug, ''), COUNT(*), ");
        let today = sql.param(Arg::Text(today.to_string()));
        sql.push(&format!(
            "SUM(CASE WHEN a.closed_at IS NOT NULL AND {closed_day} <= a.due_date THEN 1 ELSE 0 END), \
             SUM(CASE WHEN a.closed_at IS NOT NULL AND {closed_day} > a.due_date THEN 1 ELSE 0 END), \
             SUM(CASE WHEN a.closed_at IS NULL AND a.due_date < {today} THEN 1 ELSE 0 END), \
             SUM(CASE WHEN a.closed_at IS NULL AND a.due_date >= {today} THEN 1 ELSE 0 END) \
             FROM action_items a JOIN incidents i ON i.id = a.incident_id \
             LEFT JOIN teams t ON t.id = a.owner_team_id WHERE a.due_date >= "
        ));
        sql.bind(Arg::Text(period.from.to_string()));
        sql.push(" AND a.due_date <= ").bind(Arg::Text(period.to.to_string()));
        sql.push(" AND ");
        self.push_incident_conditions(&mut sql, viewer, &filter, false);
        sql.push(" GROUP BY 1");
        let (text, args) = sql.into_parts();
        type Row = (String, i64, i64, i64, i64, i64);
        let rows: Vec<Row> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&text)), args.clone()).fetch_all(pool).await)?;
        let mut rows: Vec<OnTimeRow> = rows
            .into_iter()
            .map(|(team, due, closed_on_time, closed_late, open_overdue, open_not_yet_due)| OnTimeRow {
                team,
                due,
                closed_on_time,
                closed_late,
                open_overdue,
                open_not_yet_due,
            })
            .collect();
        rows.sort_by(|a, b| b.due.cmp(&a.due).then_with(|| a.team.cmp(&b.team)));
        Ok(rows)
    }
}
