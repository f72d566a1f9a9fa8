//! One post-mortem for several incidents: a post-mortem covers its own incident and any
//! related incidents without a post-mortem of their own (one failure seen as several
//! incidents, or an aftershock). Their timelines read as one, each event marked with its
//! incident.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{IncidentStatus, Severity, TimelineEvent, parse_incident_handle};

/// The most incidents one post-mortem covers besides its own.
pub const MAX_COVERED: usize = 20;

/// An incident a post-mortem covers besides its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CoveredIncident {
    /// Its handle, e.g. `INC-43`.
    pub handle: String,
    pub title: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub began_at: OffsetDateTime,
    /// Username of whoever added it.
    pub added_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
}

/// The incidents a post-mortem covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PostmortemIncidents {
    pub postmortem: String,
    /// Its own incident's handle.
    pub incident: String,
    /// The others, earliest to begin first (those the reader may see).
    pub covers: Vec<CoveredIncident>,
}

/// The post-mortem of another incident that covers an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CoveredBy {
    pub postmortem: String,
    /// The handle of the incident whose post-mortem it is.
    pub incident: String,
    pub title: String,
}

/// The timelines of several incidents as one: every event in time order, ties in the order
/// of the incidents' numbers, then of the events' ids, so the same events always read the
/// same whatever order they come in.
pub fn merge_timelines(timelines: Vec<Vec<TimelineEvent>>) -> Vec<TimelineEvent> {
    let mut events: Vec<TimelineEvent> = timelines.into_iter().flatten().collect();
    events.sort_by(|a, b| {
        a.occurred_at
            .cmp(&b.occurred_at)
            .then_with(|| parse_incident_handle(&a.incident).cmp(&parse_incident_handle(&b.incident)))
            .then_with(|| a.id.cmp(&b.id))
    });
    events
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::EventKind;

    fn event(incident: &str, id: &str, at: OffsetDateTime) -> TimelineEvent {
        TimelineEvent {
            id: id.into(),
            incident: incident.into(),
            occurred_at: at,
            source: "manual".into(),
            external_id: id.into(),
            kind: EventKind::Note,
            actor: None,
            text: id.into(),
            key_moment: None,
            has_raw_payload: false,
            raw_payload_url: None,
            created_by: None,
            created_at: at,
            version: 1,
        }
    }

    #[test]
    fn timelines_merge_in_time_order_whatever_order_they_come_in() {
        let first = vec![
            event("INC-9", "a", datetime!(2026-11-01 10:00 UTC)),
            event("INC-9", "c", datetime!(2026-11-01 10:05 UTC)),
        ];
        let second = vec![
            event("INC-10", "b", datetime!(2026-11-01 10:00 UTC)),
            event("INC-10", "d", datetime!(2026-11-01 10:02 UTC)),
        ];
        let ids = |events: Vec<TimelineEvent>| events.into_iter().map(|e| e.id).collect::<Vec<_>>();
        let merged = ids(merge_timelines(vec![first.clone(), second.clone()]));
        // At 10:00 INC-9 comes before INC-10: numbers, not text, decide.
        assert_eq!(merged, ["a", "b", "d", "c"]);
        assert_eq!(ids(merge_timelines(vec![second, first])), merged);
    }
}
