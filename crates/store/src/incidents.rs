//! Incidents, their services, teams and responders.

use std::collections::HashMap;

use hindsight_core::access::Viewer;
use hindsight_core::{
    DetectionMethod, Incident, IncidentChange, IncidentPatch, IncidentStatus, KeyMoment, Moments, NewIncident,
    Responder, Severity, ValidationErrors, diff_records, incident_handle,
};
use sqlx::FromRow;
use time::OffsetDateTime;

use crate::AuditNote;
use crate::error::word;
use crate::sql::Sql;
use crate::ts::opt;
use crate::{
    Arg, BeginWrite, MAX_PAGE, Page, Store, StoreError, Ts, bind_args, built_sql, new_id, on_pool, placeholders,
};

/// How often [`Store::follow_timeline`] tries when others keep changing the incident meanwhile.
const FOLLOW_ATTEMPTS: usize = 5;

/// Which incidents a list wants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentFilter {
    pub status: Option<IncidentStatus>,
    pub severity: Option<Severity>,
    /// Service slug.
    pub service: Option<String>,
    /// Team slug: incidents naming the team or affecting a service it owns.
    pub team: Option<String>,
    /// Key of a contributing factor: incidents whose post-mortem is tagged with it.
    pub factor: Option<String>,
    /// Incidents that began at or after this moment.
    pub since: Option<OffsetDateTime>,
    /// Incidents that began before this moment.
    pub until: Option<OffsetDateTime>,
    /// Words (or their beginnings) the title or description contains, ignoring case, through the
    /// full-text index; a search of punctuation alone is matched as typed, anywhere.
    pub search: Option<String>,
}

impl IncidentFilter {
    /// This filter for a count over a period, which decides the times itself: `since` and
    /// `until` left out.
    pub fn within_period(&self) -> IncidentFilter {
        IncidentFilter { since: None, until: None, ..self.clone() }
    }
}

/// A count that stopped at a cap: [`Store::count_incidents_up_to`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountUpTo {
    Exactly(i64),
    /// More than this many (the cap).
    MoreThan(i64),
}

impl CountUpTo {
    /// Whether there are more than `n`.
    pub fn exceeds(self, n: i64) -> bool {
        match self {
            CountUpTo::Exactly(count) => count > n,
            CountUpTo::MoreThan(cap) => cap >= n,
        }
    }
}

/// The order of an incident list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IncidentSort {
    /// Newest handle first.
    #[default]
    Newest,
    /// Oldest handle first.
    Oldest,
    /// Most severe first (SEV1 before SEV2), newest first within a severity.
    Severity,
    /// Latest to begin first (by when impact began, or when it was declared if that is
    /// not known), newest handle first among incidents that began at the same moment.
    Began,
}

impl IncidentSort {
    /// The sort's word in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentSort::Newest => "newest",
            IncidentSort::Oldest => "oldest",
            IncidentSort::Severity => "severity",
            IncidentSort::Began => "began",
        }
    }
}

impl std::str::FromStr for IncidentSort {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" | "newest" => Ok(IncidentSort::Newest),
            "oldest" => Ok(IncidentSort::Oldest),
            "severity" => Ok(IncidentSort::Severity),
            "began" => Ok(IncidentSort::Began),
            _ => {
                Err(StoreError::Invalid(ValidationErrors::single("sort", "must be newest, oldest, severity or began")))
            }
        }
    }
}

/// The words of a search, lower-cased: runs of letters and digits, everything else a separator
/// (so a word needs no quoting in either database's query syntax).
fn search_words(text: &str) -> Vec<String> {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// `text` as a LIKE pattern matching it anywhere, lower-cased, with `%`, `_` and `\` taken literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[derive(FromRow)]
struct IncidentRow {
    id: String,
    number: i64,
    title: String,
    description: String,
    severity: i64,
    status: String,
    detection_method: String,
    started_at: Option<Ts>,
    detected_at: Option<Ts>,
    acknowledged_at: Option<Ts>,
    mitigated_at: Option<Ts>,
    resolved_at: Option<Ts>,
    moments_from_timeline: String,
    private: bool,
    created_by: Option<String>,
    created_at: Ts,
    updated_at: Ts,
    version: i64,
    began_at: Ts,
}

/// The columns an incident is read from, as [`IncidentRow`] takes them.
macro_rules! incident_columns {
    () => {
        "i.id, i.number, i.title, i.description, i.severity, i.status, i.detection_method, i.started_at, \
         i.detected_at, i.acknowledged_at, i.mitigated_at, i.resolved_at, i.moments_from_timeline, i.private, \
         cu.username AS created_by, i.created_at, i.updated_at, i.version, i.began_at"
    };
}

/// On SQLite, a search by words read from the full-text index first, in incident number
/// order, each match then looked up in `incidents`: a list in number order stops after its
/// page however many incidents match (reading every match first, as `IN (…)` does, costs a
/// search for a common word more the more incidents there are).
macro_rules! search_first_from {
    () => {
        "incidents_search CROSS JOIN incidents i ON i.number = incidents_search.rowid"
    };
}

/// An incident with the username of whoever declared it, from `$from` (which names `incidents i`).
macro_rules! incident_select {
    ($from:expr) => {
        concat!("SELECT ", incident_columns!(), " FROM ", $from, " LEFT JOIN users cu ON cu.id = i.created_by")
    };
}

const INCIDENT_SELECT: &str = incident_select!("incidents i");

/// [`INCIDENT_SELECT`] for a search read from the full-text index first (SQLite).
const SEARCH_FIRST_SELECT: &str = incident_select!(search_first_from!());

const SEARCH_FIRST_FROM: &str = search_first_from!();

/// One incident's service slugs, team slugs and responders.
type IncidentLinks = (Vec<String>, Vec<String>, Vec<Responder>);

/// The incident's ids for its services, teams and responders, checked to exist.
struct Links {
    services: Vec<String>,
    teams: Vec<String>,
    responders: Vec<(String, String)>,
}

impl Store {
    async fn resolve_links(
        &self,
        services: &[String],
        teams: &[String],
        responders: &[Responder],
    ) -> Result<Links, StoreError> {
        let service_ids = self.service_ids("services", services).await;
        let team_ids = self.team_ids("teams", teams).await;
        let names: Vec<String> = responders.iter().map(|r| r.username.clone()).collect();
        let user_ids = self.user_ids("responders", &names).await;
        // Report every unknown name at once, not only the first kind found.
        let mut errors = ValidationErrors::default();
        let mut take = |r: Result<HashMap<String, String>, StoreError>| match r {
            Ok(ids) => Ok(ids),
            Err(StoreError::Invalid(e)) => {
                errors.0.extend(e.0);
                Ok(HashMap::new())
            }
            Err(e) => Err(e),
        };
        let (service_ids, team_ids, user_ids) = (take(service_ids)?, take(team_ids)?, take(user_ids)?);
        errors.into_result()?;
        let mut seen = std::collections::HashSet::new();
        Ok(Links {
            services: dedup(services.iter().map(|s| service_ids[s].clone())),
            teams: dedup(teams.iter().map(|t| team_ids[t].clone())),
            responders: responders
                .iter()
                .map(|r| (user_ids[&r.username].clone(), r.role.as_str().to_string()))
                .filter(|pair| seen.insert(pair.clone()))
                .collect(),
        })
    }

    /// Declares an incident and gives it the next handle.
    pub async fn create_incident(&self, viewer: &Viewer, new: NewIncident) -> Result<Incident, StoreError> {
        new.validate()?;
        let links = self.resolve_links(&new.services, &new.teams, &new.responders).await?;
        let now = Ts::now();
        let moments = new.moments(now.get());
        // A status stamped now must still come after the moments given (a start in the future).
        let mut errors = ValidationErrors::default();
        moments.validate(&mut errors);
        errors.into_result()?;
        let began = began_at(&moments, now);
        let id = new_id();
        let number: i64 = on_pool!(self, |pool| {
            async {
            let mut tx = pool.begin_write().await?;
            let number = crate::next_count!(tx, "incident").await?;
            sqlx::query(
                "INSERT INTO incidents (id, number, title, description, severity, status, detection_method, began_at, \
                 started_at, detected_at, acknowledged_at, mitigated_at, resolved_at, private, created_by, created_at, updated_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, 1)",
            )
            .bind(&id)
            .bind(number)
            .bind(&new.title)
            .bind(&new.description)
            .bind(new.severity.level() as i64)
            .bind(new.status.as_str())
            .bind(new.detection_method.as_str())
            .bind(began)
            .bind(opt(moments.started_at))
            .bind(opt(moments.detected_at))
            .bind(opt(moments.acknowledged_at))
            .bind(opt(moments.mitigated_at))
            .bind(opt(moments.resolved_at))
            .bind(new.private)
            .bind(viewer.actor_id())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for service in &links.services {
                sqlx::query("INSERT INTO incident_services (incident_id, service_id) VALUES ($1, $2)")
                    .bind(&id).bind(service).execute(&mut *tx).await?;
            }
            for team in &links.teams {
                sqlx::query("INSERT INTO incident_teams (incident_id, team_id) VALUES ($1, $2)")
                    .bind(&id).bind(team).execute(&mut *tx).await?;
            }
            for (position, (user, role)) in links.responders.iter().enumerate() {
                sqlx::query("INSERT INTO incident_responders (incident_id, user_id, role, position) VALUES ($1, $2, $3, $4)")
                    .bind(&id).bind(user).bind(role).bind(position as i64).execute(&mut *tx).await?;
            }
            let events = hindsight_core::events::incident_declared(&incident_handle(number), &new);
            crate::outbox::append_events!(tx, &events, &id, viewer.actor_id(), now).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(number)
        }
        .await
        })?;
        self.written_incident(number).await
    }

    /// The incident with this number, if the viewer may see it.
    pub async fn incident(&self, viewer: &Viewer, number: i64) -> Result<Incident, StoreError> {
        let mut sql = Sql::new(INCIDENT_SELECT);
        sql.push(" WHERE i.number = ").bind(Arg::Int(number)).push(" AND ").visible("i", viewer);
        let (sql, args) = sql.into_parts();
        self.one_incident(&sql, args, number).await
    }

    /// The incident a write just saved, whether or not its writer can still see it:
    /// a responder may take themselves off a private incident, and the write happened.
    async fn written_incident(&self, number: i64) -> Result<Incident, StoreError> {
        let sql = format!("{INCIDENT_SELECT} WHERE i.number = $1");
        self.one_incident(&sql, vec![Arg::Int(number)], number).await
    }

    async fn one_incident(&self, sql: &str, args: Vec<Arg>, number: i64) -> Result<Incident, StoreError> {
        let rows: Vec<IncidentRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(sql)), args.clone()).fetch_all(pool).await)?;
        if rows.is_empty() {
            return Err(StoreError::NotFound(incident_handle(number)));
        }
        Ok(self.complete_incidents(rows).await?.remove(0))
    }

    /// The id of a visible incident, for the things that hang off it.
    pub(crate) async fn visible_incident_id(&self, viewer: &Viewer, number: i64) -> Result<String, StoreError> {
        let mut sql = Sql::new("SELECT i.id FROM incidents i WHERE i.number = ");
        sql.bind(Arg::Int(number)).push(" AND ").visible("i", viewer);
        let (sql, args) = sql.into_parts();
        let id: Option<String> = on_pool!(self, |pool| bind_args!(sqlx::query_scalar(built_sql(&sql)), args.clone())
            .fetch_optional(pool)
            .await)?;
        id.ok_or_else(|| StoreError::NotFound(incident_handle(number)))
    }

    /// Whether a list of incidents in number order can read its search from the full-text
    /// index first ([`SEARCH_FIRST_FROM`]): on SQLite, for a search by words.
    fn searches_index_first(&self, filter: &IncidentFilter) -> bool {
        matches!(self.db, crate::Db::Sqlite(_)) && filter.search.as_deref().is_some_and(|s| !search_words(s).is_empty())
    }

    /// Appends the conditions of an incident list, the viewer's visibility first. With
    /// `search_first` (see [`Store::searches_index_first`]) a search by words is a match on
    /// [`SEARCH_FIRST_FROM`], which the statement must read from; otherwise the table is
    /// `incidents i` alone.
    pub(crate) fn push_incident_conditions(
        &self,
        sql: &mut Sql,
        viewer: &Viewer,
        filter: &IncidentFilter,
        search_first: bool,
    ) {
        sql.visible("i", viewer);
        if let Some(status) = filter.status {
            sql.push(" AND i.status = ").bind(Arg::Text(status.as_str().into()));
        }
        if let Some(severity) = filter.severity {
            sql.push(" AND i.severity = ").bind(Arg::Int(severity.level() as i64));
        }
        if let Some(search) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
            let words = search_words(search);
            if words.is_empty() {
                // Nothing but punctuation (`%`, `#`): found as typed, anywhere in the text.
                let pattern = sql.param(Arg::Text(contains_pattern(search)));
                sql.push(&format!(
                    " AND (LOWER(i.title) LIKE {pattern} ESCAPE '\\' OR LOWER(i.description) LIKE {pattern} ESCAPE '\\')"
                ));
            } else {
                // Every word, or a word it begins, through the full-text index.
                match self.db {
                    crate::Db::Sqlite(_) => {
                        let query = words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ");
                        if search_first {
                            sql.push(" AND incidents_search MATCH ").bind(Arg::Text(query));
                        } else {
                            sql.push(
                                " AND i.number IN (SELECT rowid FROM incidents_search WHERE incidents_search MATCH ",
                            )
                            .bind(Arg::Text(query))
                            .push(")");
                        }
                    }
                    crate::Db::Postgres(_) => {
                        let query = words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ");
                        sql.push(" AND i.search @@ to_tsquery('simple', ").bind(Arg::Text(query)).push(")");
                    }
                }
            }
        }
        if let Some(service) = &filter.service {
            sql.push(
                " AND EXISTS (SELECT 1 FROM incident_services fs JOIN services s ON s.id = fs.service_id \
                 WHERE fs.incident_id = i.id AND s.slug = ",
            )
            .bind(Arg::Text(service.clone()))
            .push(")");
        }
        if let Some(team) = &filter.team {
            let team = sql.param(Arg::Text(team.clone()));
            sql.push(&format!(
                " AND (EXISTS (SELECT 1 FROM incident_teams ft JOIN teams t ON t.id = ft.team_id \
                  WHERE ft.incident_id = i.id AND t.slug = {team}) \
                 OR EXISTS (SELECT 1 FROM incident_services fs JOIN services s ON s.id = fs.service_id \
                  JOIN teams t ON t.id = s.owner_team_id WHERE fs.incident_id = i.id AND t.slug = {team}))"
            ));
        }
        if let Some(factor) = &filter.factor {
            sql.push(
                " AND EXISTS (SELECT 1 FROM postmortems fp JOIN postmortem_factors ff ON ff.postmortem_id = fp.id \
                 WHERE fp.incident_id = i.id AND ff.factor = ",
            )
            .bind(Arg::Text(factor.clone()))
            .push(")");
        }
        if let Some(since) = filter.since {
            sql.push(" AND i.began_at >= ").bind(Arg::Time(since.into()));
        }
        if let Some(until) = filter.until {
            sql.push(" AND i.began_at < ").bind(Arg::Time(until.into()));
        }
    }

    /// Incidents the viewer may see, newest handle first, a page at a time.
    pub async fn list_incidents(
        &self,
        viewer: &Viewer,
        filter: &IncidentFilter,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<Incident>, StoreError> {
        self.list_incidents_sorted(viewer, filter, IncidentSort::Newest, cursor, limit).await
    }

    /// Incidents the viewer may see in the order asked for, a page at a time. Each order
    /// walks an index: the handle's number, or (severity, number).
    pub async fn list_incidents_sorted(
        &self,
        viewer: &Viewer,
        filter: &IncidentFilter,
        sort: IncidentSort,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<Incident>, StoreError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let by_number = matches!(sort, IncidentSort::Newest | IncidentSort::Oldest);
        let search_first = by_number && self.searches_index_first(filter);
        let mut sql = Sql::new(if search_first { SEARCH_FIRST_SELECT } else { INCIDENT_SELECT });
        sql.push(" WHERE ");
        self.push_incident_conditions(&mut sql, viewer, filter, search_first);
        let bad_cursor = || ValidationErrors::single("cursor", "not a cursor this list gave out");
        if let Some(cursor) = cursor {
            match sort {
                IncidentSort::Newest | IncidentSort::Oldest => {
                    let number: i64 = cursor.parse().map_err(|_| bad_cursor())?;
                    let op = if sort == IncidentSort::Newest { "<" } else { ">" };
                    sql.push(&format!(" AND i.number {op} ")).bind(Arg::Int(number));
                }
                IncidentSort::Severity => {
                    let (severity, number) = cursor.split_once('.').ok_or_else(bad_cursor)?;
                    let severity: i64 = severity.parse().map_err(|_| bad_cursor())?;
                    let number: i64 = number.parse().map_err(|_| bad_cursor())?;
                    let s = sql.param(Arg::Int(severity));
                    let n = sql.param(Arg::Int(number));
                    sql.push(&format!(" AND (i.severity > {s} OR (i.severity = {s} AND i.number < {n}))"));
                }
                IncidentSort::Began => {
                    let (micros, number) = cursor.split_once('.').ok_or_else(bad_cursor)?;
                    let micros: i128 = micros.parse().map_err(|_| bad_cursor())?;
                    let began = OffsetDateTime::from_unix_timestamp_nanos(micros.saturating_mul(1000))
                        .map_err(|_| bad_cursor())?;
                    let number: i64 = number.parse().map_err(|_| bad_cursor())?;
                    let b = sql.param(Arg::Time(Ts::from(began)));
                    let n = sql.param(Arg::Int(number));
                    sql.push(&format!(" AND (i.began_at < {b} OR (i.began_at = {b} AND i.number < {n}))"));
                }
            }
        }
        let order = match sort {
            // The index's own order, so that it is read no further than the page.
            IncidentSort::Newest if search_first => "incidents_search.rowid DESC",
            IncidentSort::Oldest if search_first => "incidents_search.rowid ASC",
            IncidentSort::Newest => "i.number DESC",
            IncidentSort::Oldest => "i.number ASC",
            IncidentSort::Severity => "i.severity ASC, i.number DESC",
            IncidentSort::Began => "i.began_at DESC, i.number DESC",
        };
        sql.push(" ORDER BY ").push(order).push(" LIMIT ").bind(Arg::Int(limit + 1));
        let (sql, args) = sql.into_parts();
        let mut rows: Vec<IncidentRow> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), args.clone()).fetch_all(pool).await)?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| match sort {
                IncidentSort::Severity => format!("{}.{}", r.severity, r.number),
                IncidentSort::Began => format!("{}.{}", r.began_at.get().unix_timestamp_nanos() / 1000, r.number),
                IncidentSort::Newest | IncidentSort::Oldest => r.number.to_string(),
            })
        } else {
            None
        };
        Ok(Page { items: self.complete_incidents(rows).await?, next_cursor })
    }

    /// The timeline summaries (event counts by kind, first time each key moment is marked)
    /// of every visible incident matching the filter, by incident number: two grouped
    /// queries, however many incidents.
    pub async fn timeline_summaries(
        &self,
        viewer: &Viewer,
        filter: &IncidentFilter,
    ) -> Result<HashMap<i64, hindsight_core::metrics::TimelineSummary>, StoreError> {
        let mut kinds = Sql::new(
            "SELECT i.number, e.kind, COUNT(*) FROM timeline_events e JOIN incidents i ON i.id = e.incident_id WHERE ",
        );
        self.push_incident_conditions(&mut kinds, viewer, filter, false);
        kinds.push(" GROUP BY i.number, e.kind");
        let (kinds_sql, kinds_args) = kinds.into_parts();
        let mut marks = Sql::new(
            "SELECT i.number, e.key_moment, MIN(e.occurred_at) FROM timeline_events e \
             JOIN incidents i ON i.id = e.incident_id WHERE ",
        );
        self.push_incident_conditions(&mut marks, viewer, filter, false);
        marks.push(" AND e.key_moment IS NOT NULL GROUP BY i.number, e.key_moment");
        let (marks_sql, marks_args) = marks.into_parts();
        let (kinds, marks): SummaryRows = on_pool!(self, |pool| async {
            let kinds = bind_args!(sqlx::query_as(built_sql(&kinds_sql)), kinds_args.clone()).fetch_all(pool).await?;
            let marks = bind_args!(sqlx::query_as(built_sql(&marks_sql)), marks_args.clone()).fetch_all(pool).await?;
            Ok::<_, sqlx::Error>((kinds, marks))
        }
        .await)?;
        let mut summaries: HashMap<i64, hindsight_core::metrics::TimelineSummary> = HashMap::new();
        for (number, kind, count) in kinds {
            summaries.entry(number).or_default().kinds.insert(word(&kind)?, count);
        }
        for (number, marker, at) in marks {
            summaries.entry(number).or_default().first_marked.insert(word(&marker)?, at.get());
        }
        Ok(summaries)
    }

    /// How many incidents the viewer may see that match the filter. Reads every match: for a
    /// page, which must cost the same however many incidents are kept, [`Store::count_incidents_up_to`].
    pub async fn count_incidents(&self, viewer: &Viewer, filter: &IncidentFilter) -> Result<i64, StoreError> {
        let mut sql = Sql::new("SELECT COUNT(*) FROM incidents i WHERE ");
        self.push_incident_conditions(&mut sql, viewer, filter, false);
        let (sql, args) = sql.into_parts();
        Ok(on_pool!(self, |pool| bind_args!(sqlx::query_scalar(built_sql(&sql)), args.clone()).fetch_one(pool).await)?)
    }

    /// How many incidents the viewer may see that match the filter, counted no further than
    /// `cap`: a list's heading reads "1,000+" rather than count a hundred thousand rows on
    /// every page.
    pub async fn count_incidents_up_to(
        &self,
        viewer: &Viewer,
        filter: &IncidentFilter,
        cap: u32,
    ) -> Result<CountUpTo, StoreError> {
        let search_first = self.searches_index_first(filter);
        let mut sql = Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM ");
        sql.push(if search_first { SEARCH_FIRST_FROM } else { "incidents i" }).push(" WHERE ");
        self.push_incident_conditions(&mut sql, viewer, filter, search_first);
        sql.push(&format!(" LIMIT {}) AS matching", i64::from(cap) + 1));
        let (sql, args) = sql.into_parts();
        let n: i64 =
            on_pool!(self, |pool| bind_args!(sqlx::query_scalar(built_sql(&sql)), args.clone()).fetch_one(pool).await)?;
        Ok(if n > i64::from(cap) { CountUpTo::MoreThan(i64::from(cap)) } else { CountUpTo::Exactly(n) })
    }

    /// Loads the services, teams and responders of a page of incidents: three queries, whatever the page size.
    async fn complete_incidents(&self, rows: Vec<IncidentRow>) -> Result<Vec<Incident>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Arg> = rows.iter().map(|r| Arg::Text(r.id.clone())).collect();
        let list = placeholders(1, ids.len());
        // One query for the three kinds of link (one trip to the database, one connection from
        // the pool): services and teams by slug, responders in their order.
        let sql = format!(
            "SELECT x.incident_id, CAST(0 AS BIGINT) AS kind, s.slug AS name, '' AS role, CAST(0 AS BIGINT) AS position \
             FROM incident_services x JOIN services s ON s.id = x.service_id WHERE x.incident_id IN ({list}) \
             UNION ALL SELECT x.incident_id, CAST(1 AS BIGINT), t.slug, '', CAST(0 AS BIGINT) \
             FROM incident_teams x JOIN teams t ON t.id = x.team_id WHERE x.incident_id IN ({list}) \
             UNION ALL SELECT x.incident_id, CAST(2 AS BIGINT), u.username, x.role, x.position \
             FROM incident_responders x JOIN users u ON u.id = x.user_id WHERE x.incident_id IN ({list}) \
             ORDER BY kind, position, name"
        );
        let links: Vec<(String, i64, String, String, i64)> =
            on_pool!(self, |pool| bind_args!(sqlx::query_as(built_sql(&sql)), ids.clone()).fetch_all(pool).await)?;
        let mut by_incident: HashMap<String, IncidentLinks> = HashMap::new();
        for (incident, kind, name, role, _) in links {
            let links = by_incident.entry(incident).or_default();
            match kind {
                0 => links.0.push(name),
                1 => links.1.push(name),
                _ => links.2.push(Responder { username: name, role: word(&role)? }),
            }
        }
        rows.into_iter()
            .map(|r| {
                let (services, teams, responders) = by_incident.remove(&r.id).unwrap_or_default();
                Ok(Incident {
                    handle: incident_handle(r.number),
                    severity: Severity::new(r.severity as u8)
                        .ok_or_else(|| StoreError::Corrupt(format!("severity {}", r.severity)))?,
                    status: word(&r.status)?,
                    detection_method: word(&r.detection_method)?,
                    moments: Moments {
                        started_at: r.started_at.map(Ts::get),
                        detected_at: r.detected_at.map(Ts::get),
                        acknowledged_at: r.acknowledged_at.map(Ts::get),
                        mitigated_at: r.mitigated_at.map(Ts::get),
                        resolved_at: r.resolved_at.map(Ts::get),
                    },
                    moments_from_timeline: r
                        .moments_from_timeline
                        .split_whitespace()
                        .map(word::<KeyMoment>)
                        .collect::<Result<_, _>>()?,
                    id: r.id,
                    number: r.number,
                    title: r.title,
                    description: r.description,
                    services,
                    teams,
                    responders,
                    private: r.private,
                    created_by: r.created_by,
                    created_at: r.created_at.get(),
                    updated_at: r.updated_at.get(),
                    version: r.version,
                })
            })
            .collect()
    }

    /// Changes an incident, refusing a change based on a stale version.
    pub async fn update_incident(
        &self,
        viewer: &Viewer,
        number: i64,
        patch: IncidentPatch,
    ) -> Result<Incident, StoreError> {
        let mut incident = self.incident(viewer, number).await?;
        let based_on = patch.version;
        if based_on != incident.version {
            let version = incident.version;
            return Err(StoreError::conflict(incident_handle(number), based_on, &incident, version));
        }
        let now = Ts::now();
        let before = incident.clone();
        let reason = patch.reason.clone().filter(|r| !r.trim().is_empty());
        incident.apply(patch, now.get())?;
        self.save_incident(viewer, &before, &incident, now, reason).await
    }

    /// Moves a visible incident's moments and status to what its timeline shows
    /// ([`Incident::follow_timeline`] over [`Store::timeline_moments`]) and sets its detection
    /// method to `detection_method` when it is unknown, recording the change in its history like
    /// any other. Tried again when someone changes the incident meanwhile. Answers the status
    /// the incident had, and the incident as it is now.
    pub async fn follow_timeline(
        &self,
        viewer: &Viewer,
        number: i64,
        detection_method: DetectionMethod,
    ) -> Result<(IncidentStatus, Incident), StoreError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let timeline = self.timeline_moments(viewer, number).await?;
            let mut incident = self.incident(viewer, number).await?;
            let before = incident.clone();
            let mut changed = incident.follow_timeline(&timeline);
            if incident.detection_method == DetectionMethod::Unknown && detection_method != DetectionMethod::Unknown {
                incident.detection_method = detection_method;
                changed = true;
            }
            if !changed {
                return Ok((before.status, incident));
            }
            let reason = Some("moments taken from the timeline by an import".to_string());
            match self.save_incident(viewer, &before, &incident, Ts::now(), reason).await {
                Err(StoreError::Conflict { .. }) if attempts < FOLLOW_ATTEMPTS => continue,
                saved => return saved.map(|now| (before.status, now)),
            }
        }
    }

    /// Writes `incident`, read as `before`, with an entry in its history: refused with a
    /// conflict when someone changed it since.
    async fn save_incident(
        &self,
        viewer: &Viewer,
        before: &Incident,
        incident: &Incident,
        now: Ts,
        reason: Option<String>,
    ) -> Result<Incident, StoreError> {
        let number = incident.number;
        let based_on = before.version;
        let links = self.resolve_links(&incident.services, &incident.teams, &incident.responders).await?;
        let began = began_at(&incident.moments, Ts::from(incident.created_at));
        let changes = serde_json::to_string(&diff_records(before, incident, &[]))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let events = hindsight_core::events::incident_changed(before, incident);
        let m = &incident.moments;
        let updated = on_pool!(self, |pool| {
            async {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE incidents SET title = $3, description = $4, severity = $5, status = $6, detection_method = $7, \
                 began_at = $8, started_at = $9, detected_at = $10, acknowledged_at = $11, mitigated_at = $12, \
                 resolved_at = $13, private = $14, updated_at = $15, moments_from_timeline = $16, \
                 version = version + 1 WHERE id = $1 AND version = $2",
            )
            .bind(&incident.id)
            .bind(based_on)
            .bind(&incident.title)
            .bind(&incident.description)
            .bind(incident.severity.level() as i64)
            .bind(incident.status.as_str())
            .bind(incident.detection_method.as_str())
            .bind(began)
            .bind(opt(m.started_at))
            .bind(opt(m.detected_at))
            .bind(opt(m.acknowledged_at))
            .bind(opt(m.mitigated_at))
            .bind(opt(m.resolved_at))
            .bind(incident.private)
            .bind(now)
            .bind(incident.moments_from_timeline.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(" "))
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok::<_, StoreError>(false);
            }
            for table in ["incident_services", "incident_teams", "incident_responders"] {
                sqlx::query(built_sql(&format!("DELETE FROM {table} WHERE incident_id = $1"))).bind(&incident.id).execute(&mut *tx).await?;
            }
            for service in &links.services {
                sqlx::query("INSERT INTO incident_services (incident_id, service_id) VALUES ($1, $2)")
                    .bind(&incident.id).bind(service).execute(&mut *tx).await?;
            }
            for team in &links.teams {
                sqlx::query("INSERT INTO incident_teams (incident_id, team_id) VALUES ($1, $2)")
                    .bind(&incident.id).bind(team).execute(&mut *tx).await?;
            }
            for (position, (user, role)) in links.responders.iter().enumerate() {
                sqlx::query("INSERT INTO incident_responders (incident_id, user_id, role, position) VALUES ($1, $2, $3, $4)")
                    .bind(&incident.id).bind(user).bind(role).bind(position as i64).execute(&mut *tx).await?;
            }
            let kind = hindsight_core::audit::ChainKind::Incident;
            let prev_hash = crate::audit::chain_tip!(tx, kind, &incident.id, based_on + 1).await?;
            let hash = hindsight_core::audit::HistoryEntry {
                kind, record_id: &incident.id, version: based_on + 1, actor_id: viewer.actor_id(), at: now.get(),
                reason: reason.as_deref(), changes: &changes,
            }
            .hash(prev_hash.as_deref());
            sqlx::query(
                "INSERT INTO incident_history (incident_id, version, actor_id, at, reason, changes, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&incident.id)
            .bind(based_on + 1)
            .bind(viewer.actor_id())
            .bind(now)
            .bind(&reason)
            .bind(&changes)
            .bind(&prev_hash)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
            crate::outbox::append_events!(tx, &events, &incident.id, viewer.actor_id(), now).await?;
            tx.commit().await?;
            Ok(true)
        }
        .await
        })?;
        if !updated {
            // Another writer got there between our read and our write.
            let current = self.incident(viewer, number).await?;
            let version = current.version;
            return Err(StoreError::conflict(incident_handle(number), based_on, &current, version));
        }
        self.written_incident(number).await
    }

    /// The newest visible incident affecting `service` that began within `window` of `at`
    /// and was not resolved before `at - window`: where an event about that service belongs.
    pub async fn incident_near(
        &self,
        viewer: &Viewer,
        service: &str,
        at: OffsetDateTime,
        window: time::Duration,
    ) -> Result<Option<i64>, StoreError> {
        let mut sql = Sql::new(
            "SELECT i.number FROM incidents i JOIN incident_services x ON x.incident_id = i.id \
             JOIN services s ON s.id = x.service_id WHERE s.slug = ",
        );
        sql.bind(Arg::Text(service.to_string()));
        let from = sql.param(Arg::Time(Ts::from(at.saturating_sub(window))));
        let to = sql.param(Arg::Time(Ts::from(at.saturating_add(window))));
        sql.push(&format!(
            " AND i.began_at >= {from} AND i.began_at <= {to} AND (i.resolved_at IS NULL OR i.resolved_at >= {from}) AND "
        ))
        .visible("i", viewer)
        .push(" ORDER BY i.began_at DESC LIMIT 1");
        let (sql, args) = sql.into_parts();
        Ok(on_pool!(self, |pool| bind_args!(sqlx::query_scalar(built_sql(&sql)), args.clone())
            .fetch_optional(pool)
            .await)?)
    }

    /// Every change made to a visible incident since it was declared, oldest first.
    pub async fn incident_history(&self, viewer: &Viewer, number: i64) -> Result<Vec<IncidentChange>, StoreError> {
        let incident_id = self.visible_incident_id(viewer, number).await?;
        let rows: Vec<HistoryRow> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT h.version, u.username, h.at, h.reason, h.changes FROM incident_history h \
             LEFT JOIN users u ON u.id = h.actor_id WHERE h.incident_id = $1 ORDER BY h.version"
        )
        .bind(&incident_id)
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|(version, actor, at, reason, changes)| {
                Ok(IncidentChange {
                    version,
                    actor,
                    at: at.get(),
                    reason,
                    changes: serde_json::from_str(&changes)
                        .map_err(|e| StoreError::Corrupt(format!("history of {}: {e}", incident_handle(number))))?,
                })
            })
            .collect()
    }

    /// Deletes an incident and everything that hangs off it; `note` goes to the audit events
    /// in the same transaction.
    pub async fn delete_incident(&self, viewer: &Viewer, number: i64, note: &AuditNote) -> Result<(), StoreError> {
        let id = self.visible_incident_id(viewer, number).await?;
        self.execute_audited("DELETE FROM incidents WHERE id = $1", vec![Arg::Text(id)], note, None).await?;
        Ok(())
    }
}

/// Event counts by incident and kind, and first marked times by incident and key moment.
type SummaryRows = (Vec<(i64, String, i64)>, Vec<(i64, String, Ts)>);

/// A stored history entry: version, actor, time, reason, changes as JSON.
type HistoryRow = (i64, Option<String>, Ts, Option<String>, String);

fn began_at(moments: &Moments, fallback: Ts) -> Ts {
    moments.started_at.or(moments.detected_at).map(Ts::from).unwrap_or(fallback)
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items.filter(|i| seen.insert(i.clone())).collect()
}
