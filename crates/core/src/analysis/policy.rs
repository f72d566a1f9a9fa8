//! When is a post-mortem needed? Checks an incident, its timeline, its post-mortem (when
//! one exists) and the response analysis against eleven criteria, and answers
//! `required`, `recommended` or `not_needed`, with every criterion met as a reason and
//! the evidence for it.
//!
//! The rule: each criterion, when met, asks for a post-mortem at one of two strengths,
//! and the decision is the strongest ask (`not_needed` when nothing is met).
//!
//! - **Required**: facts about harm, severity, or a blind spot in detection.
//!   `data_loss` and `customer_access_loss` when the post-mortem's damage scope records
//!   them (`sections.impact.data_lost` is true, `sections.impact.access_lost_minutes` is
//!   above 0); `severity` at or above [`PolicyConfig::severity_at_or_above`];
//!   `not_detected_by_monitoring` when the incident's detection method is not
//!   `monitoring_alert`.
//! - **Recommended**: weaker or indirect signals. `data_loss` and `customer_access_loss`
//!   when only words in the incident description or timeline suggest them (the damage
//!   scope is unknown; an explicit `false` or `0` there silences the words);
//!   `productivity_loss` (hours above 0); `shutdown_reroute_rollback` (a rollback event,
//!   or a text saying something was rolled back, reverted, failed over, re-routed or shut
//!   down, unless the clause denies it); `prolonged_resolution` (impact start to
//!   resolution, or to the last event while open, above [`PolicyConfig::prolonged_minutes`]);
//!   `not_detected_by_monitoring` when monitoring did detect it but more than
//!   [`PolicyConfig::late_detection_minutes`] after impact began; `root_cause_unknown`;
//!   `root_cause_suspicious` (words such as unexpected, unknown, suspicious, security,
//!   attack, unauthorised); `architecture_wide` (at least
//!   [`PolicyConfig::architecture_wide_min_services`] services, or a shared platform
//!   service); `response_problems` (a serious response finding).
//!
//! Weak signals do not add up to `required`: a reviewer sees every reason and can
//! decide to write one anyway. This module decides nothing else: it does not create
//! post-mortems or notify anyone.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::response::{ResponseFinding, ResponseFindingKind};
use super::{Evidence, excerpt, first_affirmed, minutes_text};
use crate::model::{
    Certainty, DetectionMethod, EventKind, Incident, KeyMoment, Postmortem, Severity, TimelineEvent, word_enum,
};

word_enum! {
    /// How much an incident needs a post-mortem.
    Necessity {
        Required = "required",
        Recommended = "recommended",
        NotNeeded = "not_needed",
    }
}

word_enum! {
    /// A reason an incident may need a post-mortem.
    PolicyCriterion {
        DataLoss = "data_loss",
        ProductivityLoss = "productivity_loss",
        CustomerAccessLoss = "customer_access_loss",
        ShutdownRerouteRollback = "shutdown_reroute_rollback",
        ProlongedResolution = "prolonged_resolution",
        NotDetectedByMonitoring = "not_detected_by_monitoring",
        RootCauseUnknown = "root_cause_unknown",
        RootCauseSuspicious = "root_cause_suspicious",
        ArchitectureWide = "architecture_wide",
        ResponseProblems = "response_problems",
        Severity = "severity",
    }
}

/// The thresholds of the policy. Every field has a default; send only what differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    /// Impact start to resolution longer than this is prolonged, in minutes.
    pub prolonged_minutes: i64,
    /// Incidents at or above this severity require a post-mortem (SEV1 is the highest).
    pub severity_at_or_above: Severity,
    /// Slugs of services many others depend on; any of them affected makes it architecture-wide.
    pub shared_platform_services: Vec<String>,
    /// This many affected services or more make an incident architecture-wide.
    pub architecture_wide_min_services: usize,
    /// Monitoring that detects later than this after impact start detected late, in minutes.
    pub late_detection_minutes: i64,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            prolonged_minutes: 60,
            severity_at_or_above: Severity::new(2).unwrap_or(Severity::SEV1),
            shared_platform_services: Vec::new(),
            architecture_wide_min_services: 3,
            late_detection_minutes: 15,
        }
    }
}

/// Whether an incident needs a post-mortem, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PolicyDecision {
    pub necessity: Necessity,
    /// One sentence: the decision and the criteria behind it.
    pub summary: String,
    /// Every criterion met, strongest first.
    pub reasons: Vec<PolicyReason>,
}

/// One criterion met, how strongly it asks for a post-mortem, and the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PolicyReason {
    pub criterion: PolicyCriterion,
    /// `required` or `recommended`: what this criterion alone asks for.
    pub necessity: Necessity,
    pub explanation: String,
    pub evidence: Vec<Evidence>,
}

/// Most pieces of evidence listed for one reason; the explanation counts the rest.
const MAX_EVIDENCE: usize = 5;

const DATA_LOSS_PHRASES: &[&str] =
    &["data loss", "data lost", "lost data", "data was lost", "data is lost", "data has been lost"];

const ACCESS_LOSS_PHRASES: &[&str] = &[
    "could not sign in",
    "cannot sign in",
    "can't sign in",
    "unable to sign in",
    "could not log in",
    "cannot log in",
    "can't log in",
    "unable to log in",
    "locked out",
    "could not access",
    "cannot access",
    "unable to access",
    "could not reach",
    "cannot reach",
    "unavailable",
];

const INTERVENTION_PHRASES: &[&str] = &[
    "rollback",
    "roll back",
    "revert",
    "failover",
    "fail over",
    "re-route",
    "reroute",
    "shutdown",
    "shut down",
    "switch off",
    "turn off",
    "take offline",
    "took offline",
    "taken offline",
];

const SUSPICIOUS_PHRASES: &[&str] =
    &["unexpected", "unknown", "suspicious", "security", "attack", "unauthorised", "unauthorized", "intrusion"];

/// Decides whether `incident` needs a post-mortem. `postmortem` adds its damage scope and
/// root cause when one exists; `response` is what [`super::analyse_response`] found.
pub fn evaluate_policy(
    incident: &Incident,
    events: &[TimelineEvent],
    postmortem: Option<&Postmortem>,
    response: &[ResponseFinding],
    config: &PolicyConfig,
) -> PolicyDecision {
    let texts = Texts::new(incident, events, postmortem);
    let mut reasons: Vec<PolicyReason> = [
        data_loss(postmortem, &texts),
        productivity_loss(postmortem),
        customer_access_loss(postmortem, &texts),
        shutdown_reroute_rollback(events, &texts),
        prolonged_resolution(incident, events, config),
        not_detected_by_monitoring(incident, events, config),
        root_cause_unknown(postmortem),
        root_cause_suspicious(&texts),
        architecture_wide(incident, postmortem, config),
        response_problems(response),
        severity(incident, config),
    ]
    .into_iter()
    .flatten()
    .collect();
    reasons.sort_by_key(|r| (r.necessity, r.criterion));
    let necessity = reasons.first().map_or(Necessity::NotNeeded, |r| r.necessity);
    let summary = summary(necessity, &reasons);
    PolicyDecision { necessity, summary, reasons }
}

fn summary(necessity: Necessity, reasons: &[PolicyReason]) -> String {
    let names = |level: Necessity| -> Vec<&str> {
        reasons.iter().filter(|r| r.necessity == level).map(|r| r.criterion.as_str()).collect()
    };
    let (required, recommended) = (names(Necessity::Required), names(Necessity::Recommended));
    match necessity {
        Necessity::Required if recommended.is_empty() => {
            format!("A post-mortem is required: {}.", required.join(", "))
        }
        Necessity::Required => format!(
            "A post-mortem is required: {}. Also recommended by: {}.",
            required.join(", "),
            recommended.join(", ")
        ),
        Necessity::Recommended => format!("A post-mortem is recommended: {}.", recommended.join(", ")),
        Necessity::NotNeeded => {
            format!("No post-mortem needed: none of the {} criteria is met.", PolicyCriterion::ALL.len())
        }
    }
}

fn reason(
    criterion: PolicyCriterion,
    necessity: Necessity,
    explanation: String,
    mut evidence: Vec<Evidence>,
) -> Option<PolicyReason> {
    let mut explanation = explanation;
    if evidence.len() > MAX_EVIDENCE {
        explanation.push_str(&format!(" ({} more places not listed.)", evidence.len() - MAX_EVIDENCE));
        evidence.truncate(MAX_EVIDENCE);
    }
    Some(PolicyReason { criterion, necessity, explanation, evidence })
}

/// The free texts the policy reads, each with where it came from.
struct Texts<'a> {
    /// The incident description and the timeline.
    record: Vec<(Place<'a>, &'a str)>,
    /// The post-mortem's root cause and trigger.
    cause: Vec<(Place<'a>, &'a str)>,
    /// The post-mortem's resolution.
    resolution: Vec<(Place<'a>, &'a str)>,
}

enum Place<'a> {
    Field(&'static str),
    Event(&'a TimelineEvent),
}

impl<'a> Texts<'a> {
    fn new(incident: &'a Incident, events: &'a [TimelineEvent], postmortem: Option<&'a Postmortem>) -> Texts<'a> {
        let mut record = vec![(Place::Field("incident.description"), incident.description.as_str())];
        record.extend(super::in_time_order(events).into_iter().map(|e| (Place::Event(e), e.text.as_str())));
        let (mut cause, mut resolution) = (Vec::new(), Vec::new());
        if let Some(pm) = postmortem {
            let s = &pm.sections;
            cause.extend([
                (Place::Field("sections.root_cause.description"), s.root_cause.description.as_str()),
                (Place::Field("sections.root_cause.analysis"), s.root_cause.analysis.as_str()),
                (Place::Field("sections.root_cause.clues"), s.root_cause.clues.as_str()),
                (Place::Field("sections.trigger"), s.trigger.as_str()),
            ]);
            resolution.push((Place::Field("sections.resolution"), s.resolution.as_str()));
        }
        Texts { record, cause, resolution }
    }

    /// Evidence for every text in `sources` that affirms one of `phrases`, skipping events `skip` allows.
    fn mentions(
        sources: &[&[(Place<'a>, &'a str)]],
        phrases: &[&str],
        skip: impl Fn(&TimelineEvent) -> bool,
    ) -> Vec<Evidence> {
        let mut found = Vec::new();
        for (place, text) in sources.iter().flat_map(|s| s.iter()) {
            if let Place::Event(e) = place
                && skip(e)
            {
                continue;
            }
            let Some(mention) = first_affirmed(text, phrases) else { continue };
            found.push(match place {
                Place::Field(path) => Evidence::field(*path, excerpt(text, mention.start)),
                Place::Event(e) => Evidence::event_at(e, mention.start),
            });
        }
        found
    }
}

fn data_loss(postmortem: Option<&Postmortem>, texts: &Texts) -> Option<PolicyReason> {
    let criterion = PolicyCriterion::DataLoss;
    let recorded = postmortem.and_then(|pm| pm.sections.impact.data_lost.map(|lost| (pm, lost)));
    match recorded {
        Some((pm, true)) => {
            let impact = &pm.sections.impact;
            let mut evidence = vec![Evidence::field("sections.impact.data_lost", true)];
            if !impact.data_lost_detail.trim().is_empty() {
                evidence
                    .push(Evidence::field("sections.impact.data_lost_detail", excerpt(&impact.data_lost_detail, 0)));
            }
            let explanation = "The damage scope records that data was lost.".to_string();
            reason(criterion, Necessity::Required, explanation, evidence)
        }
        Some((_, false)) => None,
        None => {
            let evidence = Texts::mentions(&[&texts.record], DATA_LOSS_PHRASES, |_| false);
            if evidence.is_empty() {
                return None;
            }
            let explanation = "The incident record mentions data loss, and the damage scope does not say yet \
                               (sections.impact.data_lost). If data was lost, a post-mortem is required."
                .to_string();
            reason(criterion, Necessity::Recommended, explanation, evidence)
        }
    }
}

fn productivity_loss(postmortem: Option<&Postmortem>) -> Option<PolicyReason> {
    let hours = postmortem?.sections.impact.productivity_lost_hours.filter(|h| *h > 0.0)?;
    let explanation = format!("The damage scope records {hours} working hours lost across people.");
    let evidence = vec![Evidence::field("sections.impact.productivity_lost_hours", hours)];
    reason(PolicyCriterion::ProductivityLoss, Necessity::Recommended, explanation, evidence)
}

fn customer_access_loss(postmortem: Option<&Postmortem>, texts: &Texts) -> Option<PolicyReason> {
    let criterion = PolicyCriterion::CustomerAccessLoss;
    match postmortem.and_then(|pm| pm.sections.impact.access_lost_minutes) {
        Some(minutes) if minutes > 0 => {
            let explanation = format!(
                "The damage scope records that users could not get in for {}.",
                minutes_text(super::minutes(minutes))
            );
            let evidence = vec![Evidence::field("sections.impact.access_lost_minutes", minutes)];
            reason(criterion, Necessity::Required, explanation, evidence)
        }
        Some(_) => None,
        None => {
            let evidence = Texts::mentions(&[&texts.record], ACCESS_LOSS_PHRASES, |_| false);
            if evidence.is_empty() {
                return None;
            }
            let explanation = "The incident record says users could not get in or reach the service, and the \
                               damage scope does not say for how long yet (sections.impact.access_lost_minutes). \
                               If customers lost access, a post-mortem is required."
                .to_string();
            reason(criterion, Necessity::Recommended, explanation, evidence)
        }
    }
}

fn shutdown_reroute_rollback(events: &[TimelineEvent], texts: &Texts) -> Option<PolicyReason> {
    let rollbacks: Vec<&TimelineEvent> =
        super::in_time_order(events).into_iter().filter(|e| e.kind == EventKind::Rollback).collect();
    let mut evidence: Vec<Evidence> = rollbacks.iter().map(|e| Evidence::event(e)).collect();
    evidence.extend(Texts::mentions(&[&texts.record, &texts.resolution], INTERVENTION_PHRASES, |e| {
        e.kind == EventKind::Rollback
    }));
    if evidence.is_empty() {
        return None;
    }
    let explanation = format!(
        "Responders had to intervene in the running system: {}. Interventions like these (rollback, failover, \
         re-route, shutdown) show the system could not absorb the fault on its own.",
        if rollbacks.is_empty() {
            "the record says so in words".to_string()
        } else {
            match rollbacks.len() {
                1 => "1 rollback event in the timeline".to_string(),
                n => format!("{n} rollback events in the timeline"),
            }
        }
    );
    reason(PolicyCriterion::ShutdownRerouteRollback, Necessity::Recommended, explanation, evidence)
}

fn prolonged_resolution(incident: &Incident, events: &[TimelineEvent], config: &PolicyConfig) -> Option<PolicyReason> {
    let m = &incident.moments;
    let first_event = events.iter().min_by_key(|e| e.occurred_at);
    let last_event = events.iter().max_by_key(|e| e.occurred_at);
    let (start_field, start) = match (m.started_at, m.detected_at) {
        (Some(at), _) => ("incident.started_at", at),
        (None, Some(at)) => ("incident.detected_at", at),
        (None, None) => ("timeline", first_event?.occurred_at),
    };
    let mut evidence = vec![Evidence::field(start_field, rfc3339(start))];
    let (end, open) = match m.resolved_at {
        Some(at) => {
            evidence.push(Evidence::field("incident.resolved_at", rfc3339(at)));
            (at, false)
        }
        None => {
            let last = last_event?;
            evidence.push(Evidence::event(last));
            (last.occurred_at, true)
        }
    };
    let took = end - start;
    if took <= super::minutes(config.prolonged_minutes) {
        return None;
    }
    let explanation = if open {
        format!(
            "The incident is still unresolved {} after impact began (as of its last timeline event), longer than \
             the {} minutes after which resolution counts as prolonged.",
            minutes_text(took),
            config.prolonged_minutes
        )
    } else {
        format!(
            "Resolution took {} from impact start, longer than the {} minutes after which it counts as prolonged.",
            minutes_text(took),
            config.prolonged_minutes
        )
    };
    reason(PolicyCriterion::ProlongedResolution, Necessity::Recommended, explanation, evidence)
}

fn not_detected_by_monitoring(
    incident: &Incident,
    events: &[TimelineEvent],
    config: &PolicyConfig,
) -> Option<PolicyReason> {
    let criterion = PolicyCriterion::NotDetectedByMonitoring;
    let detection_event = events.iter().find(|e| e.key_moment == Some(KeyMoment::Detection));
    let mut evidence = vec![Evidence::field("incident.detection_method", incident.detection_method)];
    evidence.extend(detection_event.map(Evidence::event));
    let how = match incident.detection_method {
        DetectionMethod::MonitoringAlert => {
            let m = &incident.moments;
            let (started, detected) = (m.started_at?, m.detected_at?);
            let late = detected - started;
            if late <= super::minutes(config.late_detection_minutes) {
                return None;
            }
            evidence.push(Evidence::field("incident.started_at", rfc3339(started)));
            evidence.push(Evidence::field("incident.detected_at", rfc3339(detected)));
            let explanation = format!(
                "Monitoring detected the incident, but {} after impact began, beyond the {} minutes expected: \
                 the alert saw a late symptom, or none until the damage was visible.",
                minutes_text(late),
                config.late_detection_minutes
            );
            return reason(criterion, Necessity::Recommended, explanation, evidence);
        }
        DetectionMethod::CustomerReport => "Customers reported the incident before monitoring caught it",
        DetectionMethod::InternalReport => "A person noticed the incident; monitoring did not catch it",
        DetectionMethod::Unknown => "How the incident was detected is not recorded; nothing shows monitoring caught it",
    };
    let explanation = format!("{how}. A blind spot in monitoring will hide the next one too.");
    reason(criterion, Necessity::Required, explanation, evidence)
}

fn root_cause_unknown(postmortem: Option<&Postmortem>) -> Option<PolicyReason> {
    let cause = &postmortem?.sections.root_cause;
    if cause.certainty != Certainty::Unknown {
        return None;
    }
    let mut evidence = vec![Evidence::field("sections.root_cause.certainty", cause.certainty)];
    if !cause.clues.trim().is_empty() {
        evidence.push(Evidence::field("sections.root_cause.clues", excerpt(&cause.clues, 0)));
    }
    let explanation = "The root cause is not known yet, so the incident can happen again; a post-mortem keeps \
                       the clues for whoever meets it next."
        .to_string();
    reason(PolicyCriterion::RootCauseUnknown, Necessity::Recommended, explanation, evidence)
}

fn root_cause_suspicious(texts: &Texts) -> Option<PolicyReason> {
    let evidence = Texts::mentions(&[&texts.record, &texts.cause], SUSPICIOUS_PHRASES, |_| false);
    if evidence.is_empty() {
        return None;
    }
    let explanation = "The record uses words (unexpected, unknown, suspicious, security, attack, unauthorised) \
                       that can point at a cause nobody understands yet, or at a security cause; a review should \
                       rule that in or out."
        .to_string();
    reason(PolicyCriterion::RootCauseSuspicious, Necessity::Recommended, explanation, evidence)
}

fn architecture_wide(
    incident: &Incident,
    postmortem: Option<&Postmortem>,
    config: &PolicyConfig,
) -> Option<PolicyReason> {
    let shared: Vec<&String> =
        incident.services.iter().filter(|s| config.shared_platform_services.contains(s)).collect();
    let component = postmortem.map(|pm| pm.sections.root_cause.component.as_str()).unwrap_or_default();
    let component_words = super::significant_words(component);
    let shared_component = config.shared_platform_services.iter().find(|s| component_words.contains(*s));
    let many = incident.services.len() >= config.architecture_wide_min_services;
    if !many && shared.is_empty() && shared_component.is_none() {
        return None;
    }
    let mut evidence = vec![Evidence::field("incident.services", incident.services.join(", "))];
    let mut why = Vec::new();
    if many {
        why.push(format!(
            "it affected {} services (the threshold is {})",
            incident.services.len(),
            config.architecture_wide_min_services
        ));
    }
    if !shared.is_empty() {
        let names: Vec<&str> = shared.iter().map(|s| s.as_str()).collect();
        why.push(format!("it touched the shared platform service(s) {}", names.join(", ")));
    }
    if let Some(service) = shared_component {
        evidence.push(Evidence::field("sections.root_cause.component", component));
        why.push(format!("its root cause lies in the shared platform service {service}"));
    }
    let explanation =
        format!("The incident is architecture-wide: {}. Its lessons reach beyond one team.", why.join("; "));
    reason(PolicyCriterion::ArchitectureWide, Necessity::Recommended, explanation, evidence)
}

fn response_problems(response: &[ResponseFinding]) -> Option<PolicyReason> {
    let serious: Vec<&ResponseFinding> = response.iter().filter(|f| f.serious).collect();
    if serious.is_empty() {
        return None;
    }
    let mut kinds: Vec<ResponseFindingKind> = serious.iter().map(|f| f.kind).collect();
    kinds.sort();
    kinds.dedup();
    let names: Vec<String> = kinds.iter().map(|k| k.words()).collect();
    let problems = match serious.len() {
        1 => "1 serious problem".to_string(),
        n => format!("{n} serious problems"),
    };
    let explanation = format!(
        "The response analysis found {problems} in how the response ran ({}); the process, not only the system, \
         has something to learn.",
        names.join(", ")
    );
    let evidence =
        serious.iter().map(|f| Evidence::Finding { kind: f.kind, message: f.message.clone() }).collect::<Vec<_>>();
    reason(PolicyCriterion::ResponseProblems, Necessity::Recommended, explanation, evidence)
}

fn severity(incident: &Incident, config: &PolicyConfig) -> Option<PolicyReason> {
    if incident.severity.level() > config.severity_at_or_above.level() {
        return None;
    }
    let explanation = format!(
        "{} is at or above {}, the severity from which every incident gets a post-mortem.",
        incident.severity, config.severity_at_or_above
    );
    reason(
        PolicyCriterion::Severity,
        Necessity::Required,
        explanation,
        vec![Evidence::field("incident.severity", incident.severity)],
    )
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_else(|_| at.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixtures::{at, event, incident, postmortem};
    use crate::analysis::response::FindingSeverity;

    fn criteria(decision: &PolicyDecision) -> Vec<(PolicyCriterion, Necessity)> {
        decision.reasons.iter().map(|r| (r.criterion, r.necessity)).collect()
    }

    /// A SEV4 caught by monitoring in 2 minutes, resolved in 25, nothing else of note.
    fn quiet() -> (Incident, Vec<TimelineEvent>) {
        let events = vec![
            event("e1", 2, "alertmanager", EventKind::Alert, "alertmanager", "CheckoutLatency firing."),
            event("e2", 10, "manual", EventKind::Action, "ana", "Cleared the stuck job."),
        ];
        (incident(4), events)
    }

    fn evaluate(incident: &Incident, events: &[TimelineEvent], pm: Option<&Postmortem>) -> PolicyDecision {
        evaluate_policy(incident, events, pm, &[], &PolicyConfig::default())
    }

    #[test]
    fn a_quiet_minor_incident_needs_no_postmortem() {
        let (incident, events) = quiet();
        let decision = evaluate(&incident, &events, None);
        assert_eq!(decision.necessity, Necessity::NotNeeded);
        assert!(decision.reasons.is_empty());
        assert!(decision.summary.contains("none of the 11 criteria"), "{}", decision.summary);
    }

    #[test]
    fn recorded_data_loss_requires_a_postmortem() {
        let (incident, events) = quiet();
        let mut pm = postmortem();
        pm.sections.impact.data_lost = Some(true);
        pm.sections.impact.data_lost_detail = "312 invoices deleted.".into();
        let decision = evaluate(&incident, &events, Some(&pm));
        assert_eq!(criteria(&decision), [(PolicyCriterion::DataLoss, Necessity::Required)]);
        assert_eq!(decision.necessity, Necessity::Required);
        assert_eq!(decision.reasons[0].evidence[0], Evidence::field("sections.impact.data_lost", true));
    }

    #[test]
    fn data_loss_in_words_only_recommends_and_denied_data_loss_does_not_count() {
        let (mut incident, events) = quiet();
        incident.description = "Possible data loss in the invoices table.".into();
        let decision = evaluate(&incident, &events, None);
        assert_eq!(criteria(&decision), [(PolicyCriterion::DataLoss, Necessity::Recommended)]);

        incident.description = "No data was lost; the database lost a replica.".into();
        assert_eq!(criteria(&evaluate(&incident, &events, None)), []);
    }

    #[test]
    fn an_explicit_no_in_the_damage_scope_silences_words() {
        let (mut incident, events) = quiet();
        incident.description = "Feared data loss.".into();
        let mut pm = postmortem();
        pm.sections.impact.data_lost = Some(false);
        assert_eq!(criteria(&evaluate(&incident, &events, Some(&pm))), []);
    }

    #[test]
    fn productivity_loss_recommends_a_postmortem() {
        let (incident, events) = quiet();
        let mut pm = postmortem();
        pm.sections.impact.productivity_lost_hours = Some(6.5);
        let decision = evaluate(&incident, &events, Some(&pm));
        assert_eq!(criteria(&decision), [(PolicyCriterion::ProductivityLoss, Necessity::Recommended)]);
        assert_eq!(decision.necessity, Necessity::Recommended);

        pm.sections.impact.productivity_lost_hours = Some(0.0);
        assert_eq!(criteria(&evaluate(&incident, &events, Some(&pm))), []);
    }

    #[test]
    fn recorded_access_loss_requires_a_postmortem() {
        let (incident, events) = quiet();
        let mut pm = postmortem();
        pm.sections.impact.access_lost_minutes = Some(45);
        let decision = evaluate(&incident, &events, Some(&pm));
        assert_eq!(criteria(&decision), [(PolicyCriterion::CustomerAccessLoss, Necessity::Required)]);
        assert!(decision.reasons[0].explanation.contains("45 minutes"));

        pm.sections.impact.access_lost_minutes = Some(0);
        assert_eq!(criteria(&evaluate(&incident, &events, Some(&pm))), []);
    }

    #[test]
    fn customers_unable_to_sign_in_in_the_timeline_recommends() {
        let (incident, mut events) = quiet();
        events.push(event("s", 5, "slack", EventKind::StatusUpdate, "fatima", "Many customers unable to sign in."));
        let decision = evaluate(&incident, &events, None);
        assert_eq!(criteria(&decision), [(PolicyCriterion::CustomerAccessLoss, Necessity::Recommended)]);
        assert!(matches!(&decision.reasons[0].evidence[0], Evidence::Event { event_id, .. } if event_id == "s"));
    }

    #[test]
    fn a_rollback_event_recommends_a_postmortem() {
        let (incident, mut events) = quiet();
        events.push(event("rb", 8, "github", EventKind::Rollback, "deploy-bot", "Rollback to 4.11.3 started."));
        let decision = evaluate(&incident, &events, None);
        assert_eq!(criteria(&decision), [(PolicyCriterion::ShutdownRerouteRollback, Necessity::Recommended)]);
        assert_eq!(decision.reasons[0].evidence.len(), 1, "the rollback event is cited once");
    }

    #[test]
    fn failover_or_reroute_in_words_counts_as_intervention() {
        for text in ["Failed over to the standby region.", "Re-routed traffic to eu-west.", "Shut down the worker."] {
            let (incident, mut events) = quiet();
            events.push(event("x", 8, "slack", EventKind::Message, "ana", text));
            let decision = evaluate(&incident, &events, None);
            assert_eq!(criteria(&decision), [(PolicyCriterion::ShutdownRerouteRollback, Necessity::Recommended)]);
        }
    }

    #[test]
    fn a_rollback_that_was_not_needed_does_not_count() {
        for text in ["No rollback was needed.", "A rollback was not necessary.", "We did not roll back."] {
            let (incident, mut events) = quiet();
            events.push(event("x", 8, "slack", EventKind::Message, "ana", text));
            assert_eq!(criteria(&evaluate(&incident, &events, None)), [], "{text}");
        }
    }

    #[test]
    fn resolution_longer_than_the_threshold_is_prolonged() {
        let (mut incident, events) = quiet();
        incident.moments.resolved_at = Some(at(61));
        let decision = evaluate(&incident, &events, None);
        assert_eq!(criteria(&decision), [(PolicyCriterion::ProlongedResolution, Necessity::Recommended)]);

        incident.moments.resolved_at = Some(at(60));
        assert_eq!(criteria(&evaluate(&incident, &events, None)), [], "exactly the threshold is not prolonged");
    }

    #[test]
    fn an_open_incident_is_prolonged_as_of_its_last_event() {
        let (mut incident, mut events) = quiet();
        incident.moments.resolved_at = None;
        events.push(event("late", 90, "slack", EventKind::Message, "ana", "Still looking."));
        let decision = evaluate(&incident, &events, None);
        assert_eq!(criteria(&decision), [(PolicyCriterion::ProlongedResolution, Necessity::Recommended)]);
        assert!(decision.reasons[0].explanation.contains("still unresolved"));
    }

    #[test]
    fn detection_by_customers_requires_a_postmortem() {
        let (mut incident, events) = quiet();
        incident.detection_method = DetectionMethod::CustomerReport;
        let decision = evaluate(&incident, &events, None);
        assert_eq!(criteria(&decision), [(PolicyCriterion::NotDetectedByMonitoring, Necessity::Required)]);
    }

    #[test]
    fn late_detection_by_monitoring_only_recommends() {
        let (mut incident, events) = quiet();
        incident.moments.detected_at = Some(at(16));
        incident.moments.acknowledged_at = Some(at(17));
        let decision = evaluate(&incident, &events, None);
        assert_eq!(criteria(&decision), [(PolicyCriterion::NotDetectedByMonitoring, Necessity::Recommended)]);

        incident.moments.detected_at = Some(at(15));
        assert_eq!(criteria(&evaluate(&incident, &events, None)), []);
    }

    #[test]
    fn an_unknown_root_cause_recommends_a_postmortem() {
        let (incident, events) = quiet();
        let mut pm = postmortem();
        pm.sections.root_cause.certainty = Certainty::Unknown;
        let decision = evaluate(&incident, &events, Some(&pm));
        assert_eq!(criteria(&decision), [(PolicyCriterion::RootCauseUnknown, Necessity::Recommended)]);
    }

    #[test]
    fn security_words_make_the_root_cause_suspicious_unless_denied() {
        let (incident, mut events) = quiet();
        events.push(event("x", 8, "slack", EventKind::Message, "ana", "Logins from an unexpected country."));
        let decision = evaluate(&incident, &events, None);
        assert_eq!(criteria(&decision), [(PolicyCriterion::RootCauseSuspicious, Necessity::Recommended)]);

        let (incident, mut events) = quiet();
        events.push(event("x", 8, "slack", EventKind::Message, "ana", "No security impact; not an attack."));
        assert_eq!(criteria(&evaluate(&incident, &events, None)), []);
    }

    #[test]
    fn suspicious_words_in_the_root_cause_analysis_count() {
        let (incident, events) = quiet();
        let mut pm = postmortem();
        pm.sections.root_cause.analysis = "An unauthorised client called the admin API.".into();
        let decision = evaluate(&incident, &events, Some(&pm));
        assert_eq!(criteria(&decision), [(PolicyCriterion::RootCauseSuspicious, Necessity::Recommended)]);
        assert!(matches!(
            &decision.reasons[0].evidence[0],
            Evidence::Field { path, .. } if path == "sections.root_cause.analysis"
        ));
    }

    #[test]
    fn many_services_or_a_shared_platform_service_make_it_architecture_wide() {
        let (mut incident, events) = quiet();
        incident.services = vec!["a".into(), "b".into(), "c".into()];
        let decision = evaluate(&incident, &events, None);
        assert_eq!(criteria(&decision), [(PolicyCriterion::ArchitectureWide, Necessity::Recommended)]);

        incident.services = vec!["checkout-api".into(), "auth-service".into()];
        assert_eq!(criteria(&evaluate(&incident, &events, None)), [], "two services, none shared");
        let config = PolicyConfig { shared_platform_services: vec!["auth-service".into()], ..PolicyConfig::default() };
        let decision = evaluate_policy(&incident, &events, None, &[], &config);
        assert_eq!(criteria(&decision), [(PolicyCriterion::ArchitectureWide, Necessity::Recommended)]);
    }

    #[test]
    fn only_serious_response_findings_count_as_response_problems() {
        let (incident, events) = quiet();
        let finding = |serious: bool| ResponseFinding {
            kind: ResponseFindingKind::LateAcknowledgement,
            topic: "acknowledgement".into(),
            severity: FindingSeverity::Warning,
            serious,
            message: "Acknowledgement came 40 minutes after detection.".into(),
            evidence: vec![],
        };
        let config = PolicyConfig::default();
        let decision = evaluate_policy(&incident, &events, None, &[finding(false)], &config);
        assert_eq!(criteria(&decision), []);
        let decision = evaluate_policy(&incident, &events, None, &[finding(false), finding(true)], &config);
        assert_eq!(criteria(&decision), [(PolicyCriterion::ResponseProblems, Necessity::Recommended)]);
        assert_eq!(decision.reasons[0].evidence.len(), 1);
    }

    #[test]
    fn severity_at_or_above_the_threshold_requires_a_postmortem() {
        let (_, events) = quiet();
        for (level, expected) in [(1, true), (2, true), (3, false)] {
            let decision = evaluate(&incident(level), &events, None);
            let required = criteria(&decision) == [(PolicyCriterion::Severity, Necessity::Required)];
            assert_eq!(required, expected, "SEV{level}");
        }
    }

    #[test]
    fn the_strongest_reason_decides_and_comes_first() {
        let (mut incident, events) = quiet();
        incident.services = vec!["a".into(), "b".into(), "c".into()];
        incident.detection_method = DetectionMethod::InternalReport;
        let decision = evaluate(&incident, &events, None);
        assert_eq!(decision.necessity, Necessity::Required);
        assert_eq!(
            criteria(&decision),
            [
                (PolicyCriterion::NotDetectedByMonitoring, Necessity::Required),
                (PolicyCriterion::ArchitectureWide, Necessity::Recommended)
            ]
        );
        assert!(decision.summary.contains("Also recommended by: architecture_wide"), "{}", decision.summary);
    }

    #[test]
    fn config_reads_partial_json_with_defaults() {
        let config: PolicyConfig = serde_json::from_value(serde_json::json!({"severity_at_or_above": "SEV3"})).unwrap();
        assert_eq!(config.severity_at_or_above.level(), 3);
        assert_eq!(config.prolonged_minutes, 60);
        assert!(serde_json::from_value::<PolicyConfig>(serde_json::json!({"prolonged": 5})).is_err());
    }
}
