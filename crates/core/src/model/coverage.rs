//! Whether the process was followed, over a period: of the incidents the policy said needed
//! a post-mortem (as it decided when each resolved), how many got one published, and how
//! late; and of the action items that fell due, how many closed on time, by owning team.
//! The store reads the rows and counts; the arithmetic of lateness is here.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::{Period, PostmortemStatus, Severity};
use crate::metrics::{Distribution, distribution};

/// One incident the policy required a post-mortem for, as the store reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredIncident {
    pub severity: Severity,
    pub resolved_at: Option<OffsetDateTime>,
    /// Its post-mortem's status, when one was started.
    pub postmortem: Option<PostmortemStatus>,
    /// The day the post-mortem was due.
    pub due_date: Option<Date>,
    pub published_at: Option<OffsetDateTime>,
}

/// Post-mortem coverage of one group of required incidents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CoverageRow {
    /// `SEV1` … `SEV5`, or `all`.
    pub group: String,
    /// Incidents the policy said needed a post-mortem.
    pub required: i64,
    /// Of those, with a post-mortem started.
    pub started: i64,
    /// Of those, with a post-mortem published.
    pub published: i64,
    /// Published on or before its due date (or with none).
    pub on_time: i64,
    /// Published after its due date.
    pub late: i64,
    /// Not published, and its due date has passed.
    pub overdue: i64,
    /// Days from the incident's resolution to its post-mortem's publication.
    pub days_to_publish: Option<Distribution>,
    /// Of those published late, the days after the due date.
    pub days_late: Option<Distribution>,
}

impl CoverageRow {
    /// The share of required incidents with a published post-mortem, in whole percent.
    pub fn published_percent(&self) -> Option<i64> {
        (self.required > 0).then(|| (self.published * 100 + self.required / 2) / self.required)
    }
}

/// Post-mortem coverage over a period: by severity, and all together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Coverage {
    pub period: Period,
    /// One row for each severity that had a required incident, most severe first.
    pub severities: Vec<CoverageRow>,
    pub all: CoverageRow,
    /// Resolved incidents of the period the policy has not decided on (resolved before
    /// Hindsight recorded its decisions): not counted above.
    pub undecided: i64,
    /// The most required incidents a report counts, when the period held more: only the
    /// latest that many were counted.
    pub counted_at_most: Option<i64>,
}

/// Counts `incidents` as of `today`; `cap` is the most the store reads, so a report that
/// reached it says it counted only those.
pub fn coverage(period: Period, incidents: &[RequiredIncident], undecided: i64, today: Date, cap: i64) -> Coverage {
    let mut severities: Vec<Severity> = incidents.iter().map(|i| i.severity).collect();
    severities.sort();
    severities.dedup();
    let rows = severities
        .iter()
        .map(|&severity| {
            let group: Vec<&RequiredIncident> = incidents.iter().filter(|i| i.severity == severity).collect();
            coverage_row(severity.to_string(), &group, today)
        })
        .collect();
    let all: Vec<&RequiredIncident> = incidents.iter().collect();
    let counted_at_most = (i64::try_from(incidents.len()).unwrap_or(i64::MAX) >= cap).then_some(cap);
    Coverage { period, severities: rows, all: coverage_row("all".into(), &all, today), undecided, counted_at_most }
}

fn coverage_row(group: String, incidents: &[&RequiredIncident], today: Date) -> CoverageRow {
    let published = |i: &&&RequiredIncident| {
        matches!(i.postmortem, Some(PostmortemStatus::Published | PostmortemStatus::Archived))
            && i.published_at.is_some()
    };
    let late_by = |i: &RequiredIncident| match (i.due_date, i.published_at) {
        (Some(due), Some(at)) => (at.date() - due).whole_days(),
        _ => 0,
    };
    let days_to_publish: Vec<i64> = incidents
        .iter()
        .filter(published)
        .filter_map(|i| Some((i.published_at? - i.resolved_at?).whole_days().max(0)))
        .collect();
    let days_late: Vec<i64> = incidents.iter().filter(published).map(|i| late_by(i)).filter(|d| *d > 0).collect();
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let published_count = count(incidents.iter().filter(published).count());
    CoverageRow {
        group,
        required: count(incidents.len()),
        started: count(incidents.iter().filter(|i| i.postmortem.is_some()).count()),
        published: published_count,
        on_time: published_count - count(days_late.len()),
        late: count(days_late.len()),
        overdue: count(incidents.iter().filter(|i| !published(i) && i.due_date.is_some_and(|due| due < today)).count()),
        days_to_publish: distribution(&days_to_publish),
        days_late: distribution(&days_late),
    }
}

/// Action items that fell due over a period, owned by one team, and when they closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OnTimeRow {
    /// The owning team's slug; empty for items no team owns.
    pub team: String,
    /// Items due in the period.
    pub due: i64,
    /// Closed on or before their due date.
    pub closed_on_time: i64,
    /// Closed after it.
    pub closed_late: i64,
    /// Still open, their due date passed.
    pub open_overdue: i64,
    /// Still open, due today or later (a period ending in the future).
    pub open_not_yet_due: i64,
}

impl OnTimeRow {
    /// Of the items whose due date has passed or that closed, the share closed on time, in
    /// whole percent.
    pub fn on_time_percent(&self) -> Option<i64> {
        let settled = self.closed_on_time + self.closed_late + self.open_overdue;
        (settled > 0).then(|| (self.closed_on_time * 100 + settled / 2) / settled)
    }
}

/// Post-mortem coverage and action items on time, over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FollowThrough {
    pub coverage: Coverage,
    /// By owning team, most items due first.
    pub action_items: Vec<OnTimeRow>,
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn period() -> Period {
        Period { from: date!(2026 - 01 - 01), to: date!(2026 - 06 - 30) }
    }

    fn incident(
        severity: u8,
        status: Option<PostmortemStatus>,
        due: Option<Date>,
        published: Option<OffsetDateTime>,
    ) -> RequiredIncident {
        RequiredIncident {
            severity: Severity::new(severity).unwrap(),
            resolved_at: Some(datetime!(2026-03-01 12:00 UTC)),
            postmortem: status,
            due_date: due,
            published_at: published,
        }
    }

    #[test]
    fn coverage_counts_published_late_and_overdue_by_severity() {
        use PostmortemStatus::*;
        let incidents = [
            incident(1, Some(Published), Some(date!(2026 - 03 - 10)), Some(datetime!(2026-03-08 09:00 UTC))),
            incident(1, Some(Published), Some(date!(2026 - 03 - 10)), Some(datetime!(2026-03-15 09:00 UTC))),
            incident(1, Some(Draft), Some(date!(2026 - 03 - 10)), None),
            incident(2, None, None, None),
            incident(2, Some(InReview), Some(date!(2026 - 12 - 31)), None),
        ];
        let report = coverage(period(), &incidents, 3, date!(2026 - 06 - 01), 100);
        assert_eq!(report.severities.len(), 2);
        let sev1 = &report.severities[0];
        assert_eq!(sev1.group, "SEV1");
        assert_eq!(
            (sev1.required, sev1.started, sev1.published, sev1.on_time, sev1.late, sev1.overdue),
            (3, 3, 2, 1, 1, 1)
        );
        assert_eq!(sev1.days_late.as_ref().map(|d| d.max), Some(5));
        assert_eq!(sev1.days_to_publish.as_ref().map(|d| (d.min, d.max)), Some((6, 13)));
        assert_eq!(sev1.published_percent(), Some(67));
        let sev2 = &report.severities[1];
        assert_eq!((sev2.required, sev2.started, sev2.published, sev2.overdue), (2, 1, 0, 0));
        assert_eq!(sev2.days_to_publish, None);
        assert_eq!((report.all.required, report.all.published, report.undecided), (5, 2, 3));
        assert_eq!(report.counted_at_most, None);
        assert_eq!(coverage(period(), &incidents, 0, date!(2026 - 06 - 01), 5).counted_at_most, Some(5));
    }

    #[test]
    fn no_required_incidents_give_no_share() {
        let report = coverage(period(), &[], 0, date!(2026 - 06 - 01), 100);
        assert!(report.severities.is_empty());
        assert_eq!(report.all.published_percent(), None);
    }

    #[test]
    fn on_time_share_leaves_out_items_not_yet_due() {
        let row = OnTimeRow {
            team: "payments".into(),
            due: 10,
            closed_on_time: 6,
            closed_late: 1,
            open_overdue: 1,
            open_not_yet_due: 2,
        };
        assert_eq!(row.on_time_percent(), Some(75));
        let none = OnTimeRow { open_not_yet_due: 3, due: 3, closed_on_time: 0, closed_late: 0, open_overdue: 0, ..row };
        assert_eq!(none.on_time_percent(), None);
    }
}
