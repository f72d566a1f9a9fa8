//! Learning across incidents: hotspots (the components and services that fail most, over a
//! period, against the period before), whether a fix held (a root cause whose action items
//! all closed, and whether it came back), and the ledger of causes still unknown (with
//! later incidents offered as leads, until a person records what was found). The store
//! counts and finds; the types, the period and the ordering are here.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, Time};
use utoipa::ToSchema;

use super::{Certainty, word_enum};
use crate::validate::{EARLIEST_YEAR, MAX_TEXT, ValidationErrors};

/// The longest period insights read over, in days (ten years).
pub const MAX_PERIOD_DAYS: i64 = 3653;
/// The period read when none is given, in days.
pub const DEFAULT_PERIOD_DAYS: i64 = 365;

/// The days an insight reads: incidents that began from the start of `from` to the end of
/// `to`, both UTC dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Period {
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    #[schema(value_type = String, format = Date)]
    pub to: Date,
}

impl Period {
    /// The period from `from` to `to`; `to` defaults to `today`, `from` to the
    /// [`DEFAULT_PERIOD_DAYS`] that end on `to`. Refused: `from` after `to`, and a period
    /// longer than [`MAX_PERIOD_DAYS`].
    pub fn new(from: Option<Date>, to: Option<Date>, today: Date) -> Result<Period, ValidationErrors> {
        let to = to.unwrap_or(today);
        let earliest = Date::from_calendar_date(EARLIEST_YEAR, time::Month::January, 1).unwrap_or(Date::MIN);
        let from = match from {
            Some(from) => from,
            None => to.checked_sub(Duration::days(DEFAULT_PERIOD_DAYS - 1)).unwrap_or(Date::MIN).max(earliest),
        };
        let mut errors = ValidationErrors::default();
        errors.date("to", to);
        // A first day derived from a last day out of range would only repeat its error.
        if errors.0.is_empty() {
            errors.date("from", from);
        }
        // Dates outside the years Hindsight keeps are said above; the order only of dates within them.
        if errors.0.is_empty() && from > to {
            errors.push("from", format!("{from} is after {to}: a period starts before it ends"));
        } else if errors.0.is_empty() && (to - from).whole_days() + 1 > MAX_PERIOD_DAYS {
            errors.push("from", format!("a period is at most {MAX_PERIOD_DAYS} days; {from} to {to} is longer"));
        }
        errors.into_result()?;
        Ok(Period { from, to })
    }

    /// How many days it covers.
    pub fn days(&self) -> i64 {
        (self.to - self.from).whole_days() + 1
    }

    /// The period of the same length that ends the day before this one starts.
    pub fn previous(&self) -> Period {
        let to = self.from.previous_day().unwrap_or(Date::MIN);
        let from = to.checked_sub(Duration::days(self.days() - 1)).unwrap_or(Date::MIN);
        Period { from, to }
    }

    /// Its first moment.
    pub fn start(&self) -> OffsetDateTime {
        self.from.with_time(Time::MIDNIGHT).assume_utc()
    }

    /// The first moment after it.
    pub fn end(&self) -> OffsetDateTime {
        match self.to.next_day() {
            Some(next) => next.with_time(Time::MIDNIGHT).assume_utc(),
            None => self.to.with_time(Time::MAX).assume_utc(),
        }
    }
}

/// A component or service, and what its incidents cost over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Hotspot {
    /// The root cause's component as post-mortems name it (lower-cased), or the service's slug.
    pub name: String,
    /// Incidents in the period.
    pub incidents: i64,
    /// Incidents in the period of the same length before it.
    pub previous_incidents: i64,
    /// Minutes users could not get in, as the post-mortems' damage scope counts them.
    pub impact_minutes: i64,
    /// Post-mortems that flag the component as legacy code.
    pub legacy: i64,
    /// Action items still open whose root cause was marked as one that must be fixed.
    pub open_must_fix: i64,
}

impl Hotspot {
    /// Incidents in the period against the one before: positive is more.
    pub fn change(&self) -> i64 {
        self.incidents - self.previous_incidents
    }
}

/// The components and services with the most incidents over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Hotspots {
    pub period: Period,
    /// The period of the same length before, which `previous_incidents` counts.
    pub previous: Period,
    /// Root-cause components, most incidents first.
    pub components: Vec<Hotspot>,
    /// Affected services, most incidents first.
    pub services: Vec<Hotspot>,
}

/// Orders hotspots: most incidents first, then most minutes of impact, then most open
/// must-fix items, then by name, so the same counts always read the same.
pub fn rank_hotspots(hotspots: &mut [Hotspot]) {
    hotspots.sort_by(|a, b| {
        b.incidents
            .cmp(&a.incidents)
            .then(b.impact_minutes.cmp(&a.impact_minutes))
            .then(b.open_must_fix.cmp(&a.open_must_fix))
            .then(a.name.cmp(&b.name))
    });
}

word_enum! {
    /// Why a later incident counts as a cause come back, or as a lead on an unknown one.
    LinkReason {
        /// A person confirmed it recurs the earlier incident.
        Recurrence = "recurrence",
        /// Its post-mortem puts the root cause in the same component.
        Component = "component",
        /// The same alert fired in both.
        Fingerprint = "fingerprint",
    }
}

impl LinkReason {
    /// How a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            LinkReason::Recurrence => "confirmed recurrence",
            LinkReason::Component => "same component",
            LinkReason::Fingerprint => "same alert",
        }
    }
}

/// A later incident linked to an earlier one, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LaterIncident {
    pub handle: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub began_at: OffsetDateTime,
    pub reason: LinkReason,
}

/// A root cause whose action items all closed, and whether it came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FixOutcome {
    /// The incident whose post-mortem found the cause.
    pub incident: String,
    pub title: String,
    /// The root cause's component (lower-cased).
    pub component: String,
    /// The root cause as its post-mortem describes it.
    pub cause: String,
    /// When the last of its action items closed.
    #[serde(with = "time::serde::rfc3339")]
    pub fixed_at: OffsetDateTime,
    /// Its action items, all closed (at least one done).
    pub action_items: i64,
    /// The first incident after the fix with the same cause: confirmed as a recurrence, or
    /// with its root cause in the same component.
    pub came_back: Option<LaterIncident>,
    /// How many incidents after the fix had the same cause.
    pub returns: i64,
}

impl FixOutcome {
    /// Whole days from the fix to the first return, if it came back.
    pub fn days_to_return(&self) -> Option<i64> {
        self.came_back.as_ref().map(|back| (back.began_at - self.fixed_at).whole_days())
    }
}

/// Fixes made in a period: those that did not hold (the soonest return first) and those
/// that held so far (the oldest fix first: the longest held).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FixesReport {
    /// When the fixes were made (their last action item closed).
    pub period: Period,
    pub did_not_hold: Vec<FixOutcome>,
    pub held: Vec<FixOutcome>,
}

/// Splits fix outcomes into those that did not hold and those that held, each in its order.
pub fn fixes_report(period: Period, outcomes: Vec<FixOutcome>) -> FixesReport {
    let (mut did_not_hold, mut held): (Vec<_>, Vec<_>) = outcomes.into_iter().partition(|o| o.came_back.is_some());
    did_not_hold.sort_by(|a, b| {
        a.days_to_return().cmp(&b.days_to_return()).then(b.returns.cmp(&a.returns)).then(a.incident.cmp(&b.incident))
    });
    held.sort_by(|a, b| a.fixed_at.cmp(&b.fixed_at).then(a.incident.cmp(&b.incident)));
    FixesReport { period, did_not_hold, held }
}

/// An incident whose root cause is still unknown or only suspected, in the ledger until a
/// person records what was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UnknownCause {
    pub incident: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub began_at: OffsetDateTime,
    /// `unknown`, or `probable` (suspected).
    pub certainty: Certainty,
    /// The component suspected, if any (lower-cased).
    pub component: String,
    /// The cause as far as it is known.
    pub cause: String,
    /// What was seen, for whoever meets it next.
    pub clues: String,
    /// Later incidents that may be the same cause, the first ones first.
    pub leads: Vec<LaterIncident>,
}

/// An open unknown cause an incident may explain: an earlier incident in the ledger that
/// shares its component or an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OpenCauseLead {
    pub incident: String,
    pub title: String,
    pub clues: String,
    pub reason: LinkReason,
}

/// What a person found of a cause that was unknown, which closes its ledger entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    pub found: String,
    /// The later incident where it was found, if it was.
    pub found_in: Option<String>,
    /// Username of who recorded it.
    pub closed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub closed_at: OffsetDateTime,
}

/// What a caller sends to close a ledger entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    /// What the cause turned out to be.
    pub found: String,
    /// Handle of the later incident where it was found, e.g. `INC-40`.
    #[serde(default)]
    pub found_in: Option<String>,
}

impl NewFinding {
    /// Checks it, naming each field at fault.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.text("found", &self.found, MAX_TEXT);
        if let Some(found_in) = &self.found_in
            && super::parse_incident_handle(found_in).is_none()
        {
            errors.push("found_in", format!("{:?} is not an incident handle such as INC-42", short(found_in)));
        }
        errors.into_result()
    }
}

/// The first 40 characters of a text, to quote it back.
fn short(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn period(from: Date, to: Date) -> Period {
        Period::new(Some(from), Some(to), to).unwrap()
    }

    #[test]
    fn a_period_defaults_to_the_year_that_ends_today() {
        let period = Period::new(None, None, date!(2026 - 12 - 08)).unwrap();
        assert_eq!(period, Period { from: date!(2025 - 12 - 09), to: date!(2026 - 12 - 08) });
        assert_eq!(period.days(), 365);
    }

    #[test]
    fn the_previous_period_has_the_same_length_and_ends_the_day_before() {
        let previous = period(date!(2026 - 03 - 01), date!(2026 - 03 - 31)).previous();
        assert_eq!(previous, Period { from: date!(2026 - 01 - 29), to: date!(2026 - 02 - 28) });
        assert_eq!(previous.days(), 31);
    }

    #[test]
    fn a_period_covers_the_whole_of_its_last_day() {
        let period = period(date!(2026 - 03 - 01), date!(2026 - 03 - 01));
        assert_eq!(period.start(), datetime!(2026-03-01 0:00 UTC));
        assert_eq!(period.end(), datetime!(2026-03-02 0:00 UTC));
    }

    #[test]
    fn a_period_that_ends_before_it_starts_is_refused() {
        let err = Period::new(Some(date!(2026 - 03 - 02)), Some(date!(2026 - 03 - 01)), date!(2026 - 12 - 08));
        assert_eq!(err.unwrap_err().0[0].field, "from");
    }

    #[test]
    fn a_period_outside_the_years_hindsight_keeps_is_refused_naming_the_date() {
        let today = date!(2026 - 12 - 08);
        let err = Period::new(None, Some(date!(9999 - 12 - 31)), today).unwrap_err();
        assert_eq!(err.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["to"]);
        let err = Period::new(Some(date!(1900 - 01 - 01)), None, today).unwrap_err();
        assert_eq!(err.0[0].field, "from");
        // A period ending early in 1970 starts on its first day rather than before it.
        let early = Period::new(None, Some(date!(1970 - 03 - 01)), today).unwrap();
        assert_eq!(early.from, date!(1970 - 01 - 01));
    }

    #[test]
    fn a_period_over_ten_years_is_refused() {
        let err = Period::new(Some(date!(2000 - 01 - 01)), Some(date!(2026 - 01 - 01)), date!(2026 - 12 - 08));
        assert!(err.unwrap_err().0[0].message.contains("at most 3653 days"));
    }

    fn hotspot(name: &str, incidents: i64, impact_minutes: i64) -> Hotspot {
        Hotspot { name: name.into(), incidents, previous_incidents: 0, impact_minutes, legacy: 0, open_must_fix: 0 }
    }

    #[test]
    fn hotspots_rank_by_incidents_then_impact_then_name() {
        let mut hotspots = vec![hotspot("b", 2, 10), hotspot("a", 2, 10), hotspot("c", 2, 90), hotspot("d", 5, 0)];
        rank_hotspots(&mut hotspots);
        let names: Vec<_> = hotspots.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["d", "c", "a", "b"]);
    }

    fn outcome(incident: &str, fixed_at: OffsetDateTime, back: Option<OffsetDateTime>) -> FixOutcome {
        FixOutcome {
            incident: incident.into(),
            title: String::new(),
            component: "db".into(),
            cause: String::new(),
            fixed_at,
            action_items: 1,
            came_back: back.map(|began_at| LaterIncident {
                handle: "INC-99".into(),
                title: String::new(),
                began_at,
                reason: LinkReason::Component,
            }),
            returns: i64::from(back.is_some()),
        }
    }

    #[test]
    fn fixes_that_did_not_hold_read_soonest_return_first() {
        let fixed = datetime!(2026-01-01 0:00 UTC);
        let report = fixes_report(
            period(date!(2026 - 01 - 01), date!(2026 - 12 - 31)),
            vec![
                outcome("INC-1", fixed, Some(fixed + Duration::days(40))),
                outcome("INC-2", fixed, None),
                outcome("INC-3", fixed, Some(fixed + Duration::days(3))),
                outcome("INC-4", fixed - Duration::days(9), None),
            ],
        );
        let ids = |list: &[FixOutcome]| list.iter().map(|o| o.incident.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&report.did_not_hold), ["INC-3", "INC-1"]);
        assert_eq!(report.did_not_hold[0].days_to_return(), Some(3));
        assert_eq!(ids(&report.held), ["INC-4", "INC-2"]);
    }

    #[test]
    fn a_finding_must_say_what_was_found_and_name_an_incident() {
        let finding = NewFinding { found: "  ".into(), found_in: Some("yesterday's".into()) };
        let errors = finding.validate().unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["found", "found_in"]);
        assert!(NewFinding { found: "a cron job".into(), found_in: Some("INC-4".into()) }.validate().is_ok());
    }
}
