//! Response metrics: how long it took to detect, acknowledge, mitigate and resolve an
//! incident, measured from impact start, and how they spread across incidents
//! (medians and percentiles, never means: incident durations are long-tailed).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::model::{DetectionMethod, EventKind, Incident, KeyMoment};

/// What the metrics need to know of a timeline, gathered by the store in a few
/// aggregate queries however long the timeline is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimelineSummary {
    /// How many events of each kind.
    pub kinds: BTreeMap<EventKind, i64>,
    /// The earliest event marked with each key moment.
    pub first_marked: BTreeMap<KeyMoment, OffsetDateTime>,
}

/// Where a moment was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MomentSource {
    /// Set on the incident by a person (by hand or by an override).
    Incident,
    /// Taken from the timeline: the earliest event marked as this key moment, or what an
    /// import read from the whole timeline (`Incident::follow_timeline`).
    Timeline,
}

/// The response metrics of one incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IncidentMetrics {
    pub incident: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub detected_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub mitigated_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    /// Where each known moment came from, by field name.
    pub moment_sources: BTreeMap<String, MomentSource>,
    pub time_to_detect_s: Option<i64>,
    pub time_to_acknowledge_s: Option<i64>,
    pub time_to_mitigate_s: Option<i64>,
    pub time_to_resolve_s: Option<i64>,
    pub detection_method: DetectionMethod,
    pub pages: i64,
    pub escalations: i64,
    pub responders: i64,
    pub events: i64,
}

/// Computes an incident's metrics. A moment set on the incident wins; otherwise the
/// earliest timeline event marked as that key moment gives it. A moment an import took
/// from the timeline counts as the timeline's. Durations are measured
/// from impact start, and are unknown while it is.
pub fn incident_metrics(incident: &Incident, timeline: &TimelineSummary) -> IncidentMetrics {
    let mut sources = BTreeMap::new();
    let mut pick = |name: &str, set: Option<OffsetDateTime>, marker: KeyMoment| {
        let moment = match set {
            // Kept on the incident, but an import took it from the timeline.
            Some(at) if incident.moments_from_timeline.contains(&marker) => Some((at, MomentSource::Timeline)),
            Some(at) => Some((at, MomentSource::Incident)),
            None => timeline.first_marked.get(&marker).map(|at| (*at, MomentSource::Timeline)),
        };
        moment.map(|(at, source)| {
            sources.insert(name.to_string(), source);
            at
        })
    };
    let m = &incident.moments;
    let started_at = pick("started_at", m.started_at, KeyMoment::ImpactStart);
    let detected_at = pick("detected_at", m.detected_at, KeyMoment::Detection);
    let acknowledged_at = pick("acknowledged_at", m.acknowledged_at, KeyMoment::Acknowledgement);
    let mitigated_at = pick("mitigated_at", m.mitigated_at, KeyMoment::Mitigation);
    let resolved_at = pick("resolved_at", m.resolved_at, KeyMoment::Resolution);
    let since_start = |at: Option<OffsetDateTime>| match (started_at, at) {
        (Some(start), Some(at)) if at >= start => Some((at - start).whole_seconds()),
        _ => None,
    };
    let count = |kind: EventKind| timeline.kinds.get(&kind).copied().unwrap_or(0);
    IncidentMetrics {
        incident: incident.handle.clone(),
        time_to_detect_s: since_start(detected_at),
        time_to_acknowledge_s: since_start(acknowledged_at),
        time_to_mitigate_s: since_start(mitigated_at),
        time_to_resolve_s: since_start(resolved_at),
        started_at,
        detected_at,
        acknowledged_at,
        mitigated_at,
        resolved_at,
        moment_sources: sources,
        detection_method: incident.detection_method,
        pages: count(EventKind::Page),
        escalations: count(EventKind::Escalation),
        responders: {
            let mut names: Vec<&str> = incident.responders.iter().map(|r| r.username.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            names.len() as i64
        },
        events: timeline.kinds.values().sum(),
    }
}

/// How a measure spreads across incidents. Percentiles by nearest rank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Distribution {
    pub count: usize,
    pub min: i64,
    /// The first quartile.
    pub p25: i64,
    pub p50: i64,
    /// The third quartile.
    pub p75: i64,
    pub p90: i64,
    pub p95: i64,
    pub max: i64,
}

/// The distribution of `values`, or `None` when there are none.
pub fn distribution(values: &[i64]) -> Option<Distribution> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = |p: f64| {
        let index = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[index.clamp(1, sorted.len()) - 1]
    };
    Some(Distribution {
        count: sorted.len(),
        min: sorted[0],
        p25: rank(25.0),
        p50: rank(50.0),
        p75: rank(75.0),
        p90: rank(90.0),
        p95: rank(95.0),
        max: sorted[sorted.len() - 1],
    })
}

/// How response times spread across a set of incidents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MetricsReport {
    /// Incidents measured.
    pub incidents: usize,
    pub time_to_detect_s: Option<Distribution>,
    pub time_to_acknowledge_s: Option<Distribution>,
    pub time_to_mitigate_s: Option<Distribution>,
    pub time_to_resolve_s: Option<Distribution>,
    /// How many incidents each detection method found.
    pub detection_methods: BTreeMap<String, usize>,
}

/// The distributions of a set of incidents' metrics; incidents where a duration is unknown
/// are left out of that duration's distribution.
pub fn metrics_report(metrics: &[IncidentMetrics]) -> MetricsReport {
    let spread =
        |pick: fn(&IncidentMetrics) -> Option<i64>| distribution(&metrics.iter().filter_map(pick).collect::<Vec<_>>());
    let mut detection_methods = BTreeMap::new();
    for m in metrics {
        *detection_methods.entry(m.detection_method.as_str().to_string()).or_insert(0) += 1;
    }
    MetricsReport {
        incidents: metrics.len(),
        time_to_detect_s: spread(|m| m.time_to_detect_s),
        time_to_acknowledge_s: spread(|m| m.time_to_acknowledge_s),
        time_to_mitigate_s: spread(|m| m.time_to_mitigate_s),
        time_to_resolve_s: spread(|m| m.time_to_resolve_s),
        detection_methods,
    }
}

/// Groups fewer than this many incidents are flagged: their spread says little.
pub const FEW_INCIDENTS: usize = 5;

crate::model::word_enum! {
    /// What response times are grouped by.
    GroupBy {
        Severity = "severity",
        Team = "team",
        Service = "service",
        /// The month the incident began, in UTC.
        Month = "month",
    }
}

/// The groups an incident counts in: its severity, each of its teams or services (or
/// `none`), or the month it began (`2026-11`).
pub fn group_keys(incident: &Incident, by: GroupBy) -> Vec<String> {
    let named = |names: &[String]| if names.is_empty() { vec!["none".to_string()] } else { names.to_vec() };
    match by {
        GroupBy::Severity => vec![incident.severity.to_string()],
        GroupBy::Team => named(&incident.teams),
        GroupBy::Service => named(&incident.services),
        GroupBy::Month => {
            let began = incident.moments.started_at.or(incident.moments.detected_at).unwrap_or(incident.created_at);
            let began = began.to_offset(time::UtcOffset::UTC);
            vec![format!("{}-{:02}", began.year(), u8::from(began.month()))]
        }
    }
}

/// One group's response times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GroupReport {
    /// `SEV2`, a team's or service's slug (`none` for incidents naming none), or `2026-11`.
    pub key: String,
    pub report: MetricsReport,
    /// Fewer than [`FEW_INCIDENTS`] incidents: read its spread with care.
    pub few: bool,
}

/// Response times across incidents, group by group, in the groups' order (severity and
/// month ascending, names alphabetically).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GroupedReport {
    pub by: GroupBy,
    /// Incidents measured; one may count in several groups (several teams or services).
    pub incidents: usize,
    pub groups: Vec<GroupReport>,
}

/// The response times of `measured` (each incident's metrics and its groups), by group.
pub fn grouped_report(by: GroupBy, measured: &[(IncidentMetrics, Vec<String>)]) -> GroupedReport {
    let mut groups: BTreeMap<&str, Vec<IncidentMetrics>> = BTreeMap::new();
    for (metrics, keys) in measured {
        for key in keys {
            groups.entry(key.as_str()).or_default().push(metrics.clone());
        }
    }
    GroupedReport {
        by,
        incidents: measured.len(),
        groups: groups
            .into_iter()
            .map(|(key, metrics)| GroupReport {
                key: key.to_string(),
                few: metrics.len() < FEW_INCIDENTS,
                report: metrics_report(&metrics),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IncidentStatus, Moments, Responder, ResponderRole, Severity};
    use time::macros::datetime;

    fn incident(moments: Moments) -> Incident {
        Incident {
            id: "i".into(),
            handle: "INC-7".into(),
            number: 7,
            title: "t".into(),
            description: String::new(),
            severity: Severity::SEV1,
            status: IncidentStatus::Resolved,
            services: vec![],
            teams: vec![],
            detection_method: DetectionMethod::MonitoringAlert,
            moments,
            moments_from_timeline: Vec::new(),
            responders: vec![
                Responder { username: "ana".into(), role: ResponderRole::IncidentCommander },
                Responder { username: "ana".into(), role: ResponderRole::Scribe },
                Responder { username: "bo".into(), role: ResponderRole::Responder },
            ],
            private: false,
            created_by: None,
            created_at: datetime!(2026-01-01 09:00 UTC),
            updated_at: datetime!(2026-01-01 09:00 UTC),
            version: 1,
        }
    }

    #[test]
    fn durations_are_measured_from_impact_start() {
        let moments = Moments {
            started_at: Some(datetime!(2026-01-01 10:00 UTC)),
            detected_at: Some(datetime!(2026-01-01 10:04 UTC)),
            resolved_at: Some(datetime!(2026-01-01 11:30 UTC)),
            ..Moments::default()
        };
        let metrics = incident_metrics(&incident(moments), &TimelineSummary::default());
        assert_eq!(metrics.time_to_detect_s, Some(240));
        assert_eq!(metrics.time_to_resolve_s, Some(5400));
        assert_eq!(metrics.time_to_acknowledge_s, None);
        assert_eq!(metrics.responders, 2);
    }

    #[test]
    fn marked_timeline_events_fill_unset_moments_but_never_override_set_ones() {
        let moments = Moments { started_at: Some(datetime!(2026-01-01 10:00 UTC)), ..Moments::default() };
        let mut timeline = TimelineSummary::default();
        timeline.first_marked.insert(KeyMoment::ImpactStart, datetime!(2026-01-01 09:55 UTC));
        timeline.first_marked.insert(KeyMoment::Acknowledgement, datetime!(2026-01-01 10:10 UTC));
        timeline.kinds.insert(EventKind::Page, 3);
        timeline.kinds.insert(EventKind::Message, 10);
        let metrics = incident_metrics(&incident(moments), &timeline);
        assert_eq!(metrics.started_at, Some(datetime!(2026-01-01 10:00 UTC)));
        assert_eq!(metrics.moment_sources["started_at"], MomentSource::Incident);
        assert_eq!(metrics.moment_sources["acknowledged_at"], MomentSource::Timeline);
        assert_eq!(metrics.time_to_acknowledge_s, Some(600));
        assert_eq!((metrics.pages, metrics.events), (3, 13));
    }

    #[test]
    fn unknown_impact_start_leaves_every_duration_unknown() {
        let moments = Moments { detected_at: Some(datetime!(2026-01-01 10:04 UTC)), ..Moments::default() };
        let metrics = incident_metrics(&incident(moments), &TimelineSummary::default());
        assert_eq!(metrics.time_to_detect_s, None);
    }

    #[test]
    fn a_report_leaves_unknown_durations_out_of_their_distribution() {
        let known = Moments {
            started_at: Some(datetime!(2026-01-01 10:00 UTC)),
            detected_at: Some(datetime!(2026-01-01 10:10 UTC)),
            ..Moments::default()
        };
        let unknown = Moments::default();
        let all: Vec<IncidentMetrics> = [known.clone(), known, unknown]
            .into_iter()
            .map(|m| incident_metrics(&incident(m), &TimelineSummary::default()))
            .collect();
        let report = metrics_report(&all);
        assert_eq!(report.incidents, 3);
        assert_eq!(report.time_to_detect_s.unwrap().count, 2);
        assert!(report.time_to_resolve_s.is_none());
        assert_eq!(report.detection_methods["monitoring_alert"], 3);
    }

    #[test]
    fn percentiles_use_nearest_rank_and_ignore_outliers_in_the_median() {
        let d = distribution(&[60, 120, 180, 240, 36_000]).unwrap();
        assert_eq!((d.min, d.p50, d.p90, d.max), (60, 180, 36_000, 36_000));
        let ten: Vec<i64> = (1..=10).collect();
        let d = distribution(&ten).unwrap();
        assert_eq!((d.p50, d.p90, d.p95), (5, 9, 10));
        assert_eq!((d.p25, d.p75), (3, 8));
        assert!(distribution(&[]).is_none());
    }

    #[test]
    fn grouped_response_times_count_an_incident_in_each_of_its_groups_and_flag_small_groups() {
        let at = |day: u8, month: time::Month| {
            time::Date::from_calendar_date(2026, month, day).unwrap().midnight().assume_utc()
        };
        let mut measured = Vec::new();
        for (n, teams, began) in [
            (1, vec!["payments"], at(3, time::Month::October)),
            (2, vec!["payments", "search"], at(9, time::Month::November)),
            (3, vec![], at(30, time::Month::November)),
        ] {
            let mut incident = incident(Moments {
                started_at: Some(began),
                detected_at: Some(began + time::Duration::minutes(n * 10)),
                ..Moments::default()
            });
            incident.teams = teams.into_iter().map(String::from).collect();
            let metrics = incident_metrics(&incident, &TimelineSummary::default());
            let keys = (group_keys(&incident, GroupBy::Team), group_keys(&incident, GroupBy::Month));
            measured.push((metrics, keys));
        }
        let by_team: Vec<_> = measured.iter().map(|(m, (team, _))| (m.clone(), team.clone())).collect();
        let report = grouped_report(GroupBy::Team, &by_team);
        let keys: Vec<_> = report.groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["none", "payments", "search"]);
        assert_eq!(report.incidents, 3);
        let payments = &report.groups[1];
        assert_eq!(payments.report.incidents, 2);
        assert_eq!(payments.report.time_to_detect_s.as_ref().unwrap().p50, 600);
        assert!(payments.few);
        let by_month: Vec<_> = measured.iter().map(|(m, (_, month))| (m.clone(), month.clone())).collect();
        let report = grouped_report(GroupBy::Month, &by_month);
        let keys: Vec<_> = report.groups.iter().map(|g| (g.key.as_str(), g.report.incidents)).collect();
        assert_eq!(keys, [("2026-10", 1), ("2026-11", 2)]);
    }
}
