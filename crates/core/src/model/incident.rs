//! Incidents: what broke, how bad, who responded, and the moments that measure the response.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{KeyMoment, word_enum};
use crate::validate::{MAX_SHORT, MAX_TEXT, ValidationErrors, is_slug};

/// How bad an incident is: SEV1 (worst) to SEV5. Labels are configurable; the number is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
#[schema(value_type = String, example = "SEV2", pattern = "^SEV[1-5]$")]
pub struct Severity(u8);

impl Severity {
    /// The worst severity.
    pub const SEV1: Severity = Severity(1);

    /// A severity from its number, 1 (worst) to 5.
    pub fn new(level: u8) -> Option<Severity> {
        (1..=5).contains(&level).then_some(Severity(level))
    }

    /// 1 (worst) to 5.
    pub fn level(self) -> u8 {
        self.0
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SEV{}", self.0)
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.strip_prefix("SEV")
            .or_else(|| s.strip_prefix("sev"))
            .and_then(|n| n.parse::<u8>().ok())
            .and_then(Severity::new)
            .ok_or_else(|| format!("unknown severity {s:?}; expected SEV1 to SEV5"))
    }
}

impl Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

word_enum! {
    /// Where an incident stands.
    IncidentStatus {
        Triggered = "triggered",
        Acknowledged = "acknowledged",
        Mitigated = "mitigated",
        Resolved = "resolved",
    }
}

word_enum! {
    /// How the incident came to the team's attention.
    DetectionMethod {
        MonitoringAlert = "monitoring_alert",
        CustomerReport = "customer_report",
        InternalReport = "internal_report",
        Unknown = "unknown",
    }
}

word_enum! {
    /// The part a person played in the response.
    ResponderRole {
        IncidentCommander = "incident_commander",
        Scribe = "scribe",
        CommunicationsLead = "communications_lead",
        SubjectMatterExpert = "subject_matter_expert",
        Responder = "responder",
    }
}

/// A person in the response and the role they held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Responder {
    pub username: String,
    pub role: ResponderRole,
}

/// The moments an incident's response is measured from. Each is optional until known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Moments {
    /// Impact start: the first symptom.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub detected_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub mitigated_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
}

impl Moments {
    /// The moments in the order they must happen, with their field names.
    pub fn ordered(&self) -> [(&'static str, Option<OffsetDateTime>); 5] {
        [
            ("started_at", self.started_at),
            ("detected_at", self.detected_at),
            ("acknowledged_at", self.acknowledged_at),
            ("mitigated_at", self.mitigated_at),
            ("resolved_at", self.resolved_at),
        ]
    }

    /// The moments in the order they must happen, with the key moment each one is.
    pub fn by_key_moment(&self) -> [(KeyMoment, Option<OffsetDateTime>); 5] {
        [
            (KeyMoment::ImpactStart, self.started_at),
            (KeyMoment::Detection, self.detected_at),
            (KeyMoment::Acknowledgement, self.acknowledged_at),
            (KeyMoment::Mitigation, self.mitigated_at),
            (KeyMoment::Resolution, self.resolved_at),
        ]
    }

    /// The moments from the values [`Moments::by_key_moment`] gives, in its order.
    fn from_ordered(values: [Option<OffsetDateTime>; 5]) -> Moments {
        let [started_at, detected_at, acknowledged_at, mitigated_at, resolved_at] = values;
        Moments { started_at, detected_at, acknowledged_at, mitigated_at, resolved_at }
    }

    /// The furthest status the known moments show: resolved, mitigated, acknowledged, or triggered.
    pub fn status_shown(&self) -> IncidentStatus {
        if self.resolved_at.is_some() {
            IncidentStatus::Resolved
        } else if self.mitigated_at.is_some() {
            IncidentStatus::Mitigated
        } else if self.acknowledged_at.is_some() {
            IncidentStatus::Acknowledged
        } else {
            IncidentStatus::Triggered
        }
    }

    /// Checks that every known moment comes no earlier than the known moments before it.
    pub fn validate(&self, errors: &mut ValidationErrors) {
        let mut latest: Option<(&str, OffsetDateTime)> = None;
        for (name, value) in self.ordered() {
            let Some(at) = value else { continue };
            if let Err(message) = crate::validate::time_in_range(at) {
                errors.push(name, message);
                continue;
            }
            if let Some((before_name, before)) = latest
                && at < before
            {
                errors.push(name, format!("must not be earlier than {}", moment_words(before_name)));
                continue;
            }
            latest = Some((name, at));
        }
    }
}

/// An incident as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Incident {
    pub id: String,
    /// Human handle, `INC-<number>`.
    pub handle: String,
    pub number: i64,
    pub title: String,
    /// What broke and what people saw (Markdown).
    pub description: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    /// Slugs of the affected services.
    pub services: Vec<String>,
    /// Slugs of teams named on the incident (they can see it when private).
    pub teams: Vec<String>,
    pub detection_method: DetectionMethod,
    #[serde(flatten)]
    pub moments: Moments,
    /// The moments taken from the timeline's key moments by imports, which later imports move
    /// as the timeline grows; the other known moments were set by a person and stay.
    #[serde(default)]
    pub moments_from_timeline: Vec<KeyMoment>,
    pub responders: Vec<Responder>,
    /// Private incidents are visible only to their responders, named teams and admins.
    pub private: bool,
    /// Username of the creator.
    pub created_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Increases with every change; send it back when you update.
    pub version: i64,
}

/// One entry of an incident's history: who changed which fields, when, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IncidentChange {
    /// The version this change produced.
    pub version: i64,
    /// Username of whoever made it; none for changes made by the operator or a tool.
    pub actor: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub reason: Option<String>,
    pub changes: Vec<super::FieldChange>,
}

/// Formats an incident number as its handle.
pub fn incident_handle(number: i64) -> String {
    format!("INC-{number}")
}

/// Reads `INC-42` (or `42`) as 42.
pub fn parse_incident_handle(handle: &str) -> Option<i64> {
    let digits = handle.strip_prefix("INC-").or_else(|| handle.strip_prefix("inc-")).unwrap_or(handle);
    digits.parse::<i64>().ok().filter(|n| *n > 0)
}

/// What a caller sends to declare an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub severity: Severity,
    #[serde(default = "default_status")]
    pub status: IncidentStatus,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub teams: Vec<String>,
    #[serde(default = "default_detection")]
    pub detection_method: DetectionMethod,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub detected_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub mitigated_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub responders: Vec<Responder>,
    #[serde(default)]
    pub private: bool,
}

fn default_status() -> IncidentStatus {
    IncidentStatus::Triggered
}

fn default_detection() -> DetectionMethod {
    DetectionMethod::Unknown
}

impl NewIncident {
    /// A triggered incident known only by its title, description, severity and services: no
    /// teams, moments or responders yet, detected by means unknown, public. What an import
    /// declares before the timeline tells more; callers set any other field over it.
    pub fn triggered(title: String, description: String, severity: Severity, services: Vec<String>) -> NewIncident {
        NewIncident {
            title,
            description,
            severity,
            status: IncidentStatus::Triggered,
            services,
            teams: Vec::new(),
            detection_method: DetectionMethod::Unknown,
            started_at: None,
            detected_at: None,
            acknowledged_at: None,
            mitigated_at: None,
            resolved_at: None,
            responders: Vec::new(),
            private: false,
        }
    }

    /// The moments given, stamped for the status when it implies one.
    pub fn moments(&self, now: OffsetDateTime) -> Moments {
        let mut moments = Moments {
            started_at: self.started_at,
            detected_at: self.detected_at,
            acknowledged_at: self.acknowledged_at,
            mitigated_at: self.mitigated_at,
            resolved_at: self.resolved_at,
        };
        stamp_status_moment(&mut moments, self.status, now);
        moments
    }

    /// The incident this input declares, as the store gives it back once stored as
    /// number `number` by `created_by` at `now` (for tests and tools that work without a store).
    pub fn declared(&self, id: String, number: i64, created_by: Option<String>, now: OffsetDateTime) -> Incident {
        Incident {
            id,
            handle: incident_handle(number),
            number,
            title: self.title.clone(),
            description: self.description.clone(),
            severity: self.severity,
            status: self.status,
            services: self.services.clone(),
            teams: self.teams.clone(),
            detection_method: self.detection_method,
            moments: self.moments(now),
            moments_from_timeline: Vec::new(),
            responders: self.responders.clone(),
            private: self.private,
            created_by,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// Checks every field; names each one at fault.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.text("title", &self.title, MAX_SHORT);
        errors.max_len("description", &self.description, MAX_TEXT);
        validate_lists(&self.services, &self.teams, &self.responders, &mut errors);
        // The moments as given; the one the status stamps is checked once it is known.
        let given = Moments {
            started_at: self.started_at,
            detected_at: self.detected_at,
            acknowledged_at: self.acknowledged_at,
            mitigated_at: self.mitigated_at,
            resolved_at: self.resolved_at,
        };
        given.validate(&mut errors);
        errors.into_result()
    }
}

fn validate_lists(services: &[String], teams: &[String], responders: &[Responder], errors: &mut ValidationErrors) {
    for (field, list) in [("services", services), ("teams", teams)] {
        if list.len() > 50 {
            errors.push(field, "at most 50 entries");
        }
        for (i, slug) in list.iter().enumerate() {
            if !is_slug(slug) {
                errors.push(format!("{field}[{i}]"), "must be a slug: a-z, 0-9 and '-'");
            }
        }
    }
    if responders.len() > 100 {
        errors.push("responders", "at most 100 entries");
    }
    for (i, r) in responders.iter().enumerate() {
        if !super::is_username(&r.username) {
            errors.push(format!("responders[{i}].username"), "must be a username");
        }
    }
}

/// A partial update of an incident: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentPatch {
    /// The version this change is based on; a stale version is refused with 409.
    pub version: i64,
    pub title: Option<String>,
    pub description: Option<String>,
    pub severity: Option<Severity>,
    pub status: Option<IncidentStatus>,
    pub services: Option<Vec<String>>,
    pub teams: Option<Vec<String>>,
    pub detection_method: Option<DetectionMethod>,
    pub responders: Option<Vec<Responder>>,
    pub private: Option<bool>,
    /// Why the change was made (e.g. why a key moment is overridden); kept in the history.
    pub reason: Option<String>,
    // Moments: absent stays, `null` clears, a time sets.
    #[serde(default, deserialize_with = "some_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<Option<OffsetDateTime>>,
    #[serde(default, deserialize_with = "some_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub detected_at: Option<Option<OffsetDateTime>>,
    #[serde(default, deserialize_with = "some_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub acknowledged_at: Option<Option<OffsetDateTime>>,
    #[serde(default, deserialize_with = "some_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub mitigated_at: Option<Option<OffsetDateTime>>,
    #[serde(default, deserialize_with = "some_time")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolved_at: Option<Option<OffsetDateTime>>,
}

fn some_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<OffsetDateTime>>, D::Error> {
    time::serde::rfc3339::option::deserialize(d).map(Some)
}

impl Incident {
    /// Applies a patch, checks the result, and stamps the moment a status change implies
    /// when the patch leaves it unset.
    pub fn apply(&mut self, patch: IncidentPatch, now: OffsetDateTime) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if let Some(reason) = &patch.reason {
            errors.max_len("reason", reason, 2000);
        }
        if let Some(title) = patch.title {
            errors.text("title", &title, MAX_SHORT);
            self.title = title;
        }
        if let Some(description) = patch.description {
            errors.max_len("description", &description, MAX_TEXT);
            self.description = description;
        }
        if let Some(severity) = patch.severity {
            self.severity = severity;
        }
        if let Some(services) = patch.services {
            self.services = services;
        }
        if let Some(teams) = patch.teams {
            self.teams = teams;
        }
        if let Some(method) = patch.detection_method {
            self.detection_method = method;
        }
        if let Some(responders) = patch.responders {
            self.responders = responders;
        }
        if let Some(private) = patch.private {
            self.private = private;
        }
        let slots = [
            (KeyMoment::ImpactStart, &mut self.moments.started_at, patch.started_at),
            (KeyMoment::Detection, &mut self.moments.detected_at, patch.detected_at),
            (KeyMoment::Acknowledgement, &mut self.moments.acknowledged_at, patch.acknowledged_at),
            (KeyMoment::Mitigation, &mut self.moments.mitigated_at, patch.mitigated_at),
            (KeyMoment::Resolution, &mut self.moments.resolved_at, patch.resolved_at),
        ];
        for (marker, slot, value) in slots {
            if let Some(value) = value {
                // Set (or cleared) by a person: no longer the timeline's to move.
                *slot = value;
                self.moments_from_timeline.retain(|m| *m != marker);
            }
        }
        if let Some(status) = patch.status {
            self.status = status;
            stamp_status_moment(&mut self.moments, status, now);
        }
        validate_lists(&self.services, &self.teams, &self.responders, &mut errors);
        self.moments.validate(&mut errors);
        errors.into_result()
    }
}

impl Incident {
    /// Takes in the moments the incident's timeline shows (`timeline`: its key moments). A
    /// moment a person set stays; every other one follows the timeline, or is unknown when the
    /// timeline shows none or one that would break the order rule ([`Moments::validate`]): no
    /// earlier than the known moments before it, no later than a moment a person set after it.
    /// When a moment changed, the status moves on to what the moments show, never back.
    /// Answers whether anything changed.
    pub fn follow_timeline(&mut self, timeline: &Moments) -> bool {
        let before = (self.moments.clone(), self.moments_from_timeline.clone(), self.status);
        let set_by_person: Vec<Option<OffsetDateTime>> = self
            .moments
            .by_key_moment()
            .into_iter()
            .map(|(marker, at)| at.filter(|_| !self.moments_from_timeline.contains(&marker)))
            .collect();
        let mut values = [None; 5];
        let mut from_timeline = Vec::new();
        let mut latest: Option<OffsetDateTime> = None;
        for (i, (marker, shown)) in timeline.by_key_moment().into_iter().enumerate() {
            let value = match set_by_person[i] {
                Some(at) => Some(at),
                None => shown.filter(|at| {
                    latest.is_none_or(|before| *at >= before)
                        && set_by_person[i + 1..].iter().flatten().all(|after| at <= after)
                }),
            };
            if value.is_some() {
                if set_by_person[i].is_none() {
                    from_timeline.push(marker);
                }
                latest = value;
            }
            values[i] = value;
        }
        self.moments = Moments::from_ordered(values);
        self.moments_from_timeline = from_timeline;
        let moved = (self.moments.clone(), self.moments_from_timeline.clone(), self.status) != before;
        if moved {
            self.status = self.status.max(self.moments.status_shown());
        }
        moved
    }
}

/// A moment's field as a person reads it: `detected_at` as "the detection time".
pub fn moment_words(field: &str) -> &str {
    match field {
        "started_at" => "the impact start",
        "detected_at" => "the detection time",
        "acknowledged_at" => "the acknowledgement time",
        "mitigated_at" => "the mitigation time",
        "resolved_at" => "the resolution time",
        other => other,
    }
}

/// Sets the moment a status implies (acknowledged, mitigated, resolved) when it is unknown.
pub fn stamp_status_moment(moments: &mut Moments, status: IncidentStatus, now: OffsetDateTime) {
    let slot = match status {
        IncidentStatus::Triggered => return,
        IncidentStatus::Acknowledged => &mut moments.acknowledged_at,
        IncidentStatus::Mitigated => &mut moments.mitigated_at,
        IncidentStatus::Resolved => &mut moments.resolved_at,
    };
    if slot.is_none() {
        *slot = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn acknowledged_before_detection_is_rejected() {
        let moments = Moments {
            started_at: Some(datetime!(2026-01-01 10:00 UTC)),
            detected_at: Some(datetime!(2026-01-01 10:05 UTC)),
            acknowledged_at: Some(datetime!(2026-01-01 10:01 UTC)),
            ..Moments::default()
        };
        let mut errors = ValidationErrors::default();
        moments.validate(&mut errors);
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].field, "acknowledged_at");
    }

    #[test]
    fn unknown_moments_are_skipped_when_ordering() {
        let moments = Moments {
            started_at: Some(datetime!(2026-01-01 10:00 UTC)),
            resolved_at: Some(datetime!(2026-01-01 11:00 UTC)),
            ..Moments::default()
        };
        let mut errors = ValidationErrors::default();
        moments.validate(&mut errors);
        assert!(errors.0.is_empty());
    }

    fn declared(moments: Moments) -> Incident {
        let new = NewIncident {
            title: "Checkout errors".into(),
            description: String::new(),
            severity: Severity::SEV1,
            status: IncidentStatus::Triggered,
            services: Vec::new(),
            teams: Vec::new(),
            detection_method: DetectionMethod::Unknown,
            started_at: moments.started_at,
            detected_at: moments.detected_at,
            acknowledged_at: moments.acknowledged_at,
            mitigated_at: moments.mitigated_at,
            resolved_at: moments.resolved_at,
            responders: Vec::new(),
            private: false,
        };
        new.declared("id".into(), 1, None, datetime!(2026-01-02 00:00 UTC))
    }

    #[test]
    fn the_timeline_moves_the_moments_no_person_set_and_the_status_forward() {
        let mut incident =
            declared(Moments { acknowledged_at: Some(datetime!(2026-01-01 10:06 UTC)), ..Moments::default() });
        let timeline = Moments {
            started_at: Some(datetime!(2026-01-01 10:00 UTC)),
            acknowledged_at: Some(datetime!(2026-01-01 10:04 UTC)),
            resolved_at: Some(datetime!(2026-01-01 11:00 UTC)),
            ..Moments::default()
        };
        assert!(incident.follow_timeline(&timeline));
        assert_eq!(incident.moments.started_at, timeline.started_at);
        assert_eq!(incident.moments.acknowledged_at, Some(datetime!(2026-01-01 10:06 UTC)), "set by a person");
        assert_eq!(incident.moments.resolved_at, timeline.resolved_at);
        assert_eq!(incident.moments_from_timeline, [KeyMoment::ImpactStart, KeyMoment::Resolution]);
        assert_eq!(incident.status, IncidentStatus::Resolved);
        let earlier = Moments { started_at: Some(datetime!(2026-01-01 09:58 UTC)), ..timeline };
        assert!(incident.follow_timeline(&earlier));
        assert_eq!(incident.moments.started_at, earlier.started_at, "a moment from the timeline moves with it");
        assert!(!incident.follow_timeline(&earlier), "nothing new");
    }

    #[test]
    fn a_moment_from_the_timeline_that_breaks_the_order_is_left_unknown() {
        let mut incident =
            declared(Moments { started_at: Some(datetime!(2026-01-01 10:10 UTC)), ..Moments::default() });
        let timeline = Moments {
            detected_at: Some(datetime!(2026-01-01 10:05 UTC)),
            mitigated_at: Some(datetime!(2026-01-01 10:20 UTC)),
            resolved_at: Some(datetime!(2026-01-01 10:15 UTC)),
            ..Moments::default()
        };
        incident.follow_timeline(&timeline);
        assert_eq!(incident.moments.detected_at, None, "before the impact start a person set");
        assert_eq!(incident.moments.mitigated_at, timeline.mitigated_at);
        assert_eq!(incident.moments.resolved_at, None, "before the mitigation");
        let mut errors = ValidationErrors::default();
        incident.moments.validate(&mut errors);
        assert!(errors.0.is_empty());
        assert_eq!(incident.status, IncidentStatus::Mitigated);
    }

    #[test]
    fn the_timeline_never_moves_the_status_back() {
        let mut incident = declared(Moments::default());
        incident.status = IncidentStatus::Resolved;
        incident.follow_timeline(&Moments { started_at: Some(datetime!(2026-01-01 10:00 UTC)), ..Moments::default() });
        assert_eq!(incident.status, IncidentStatus::Resolved);
    }

    #[test]
    fn a_moment_a_person_sets_is_no_longer_the_timelines() {
        let mut incident = declared(Moments::default());
        incident.follow_timeline(&Moments { started_at: Some(datetime!(2026-01-01 10:00 UTC)), ..Moments::default() });
        let patch =
            IncidentPatch { started_at: Some(Some(datetime!(2026-01-01 09:50 UTC))), ..IncidentPatch::default() };
        incident.apply(patch, datetime!(2026-01-02 00:00 UTC)).unwrap();
        assert!(incident.moments_from_timeline.is_empty());
        incident.follow_timeline(&Moments { started_at: Some(datetime!(2026-01-01 10:00 UTC)), ..Moments::default() });
        assert_eq!(incident.moments.started_at, Some(datetime!(2026-01-01 09:50 UTC)));
    }

    #[test]
    fn severity_reads_and_writes_its_label() {
        let sev: Severity = "SEV2".parse().unwrap();
        assert_eq!(sev.level(), 2);
        assert_eq!(sev.to_string(), "SEV2");
        assert!("SEV6".parse::<Severity>().is_err());
        assert!("SEV0".parse::<Severity>().is_err());
    }

    #[test]
    fn handle_parses_with_or_without_prefix() {
        assert_eq!(parse_incident_handle("INC-42"), Some(42));
        assert_eq!(parse_incident_handle("42"), Some(42));
        assert_eq!(parse_incident_handle("INC-0"), None);
        assert_eq!(parse_incident_handle("INC-x"), None);
    }

    #[test]
    fn resolving_stamps_resolved_at_once() {
        let mut moments = Moments::default();
        let first = datetime!(2026-01-01 10:00 UTC);
        stamp_status_moment(&mut moments, IncidentStatus::Resolved, first);
        stamp_status_moment(&mut moments, IncidentStatus::Resolved, datetime!(2026-01-02 10:00 UTC));
        assert_eq!(moments.resolved_at, Some(first));
    }

    #[test]
    fn new_incident_names_bad_fields() {
        let input: NewIncident = serde_json::from_value(serde_json::json!({
            "title": " ", "severity": "SEV3", "services": ["ok", "Not A Slug"]
        }))
        .unwrap();
        let errors = input.validate().unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "services[1]"]);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let result: Result<NewIncident, _> = serde_json::from_value(serde_json::json!({
            "title": "x", "severity": "SEV3", "sevrity": "SEV1"
        }));
        assert!(result.is_err());
    }
}
