//! Response-process analysis: reads an incident's timeline against a checklist of how
//! a response should run, and reports where the process showed strain.
//!
//! Six kinds of finding, each with the timeline events (and times) it rests on:
//! - `task_not_done`: a required task nobody did: an incident channel or bridge, a
//!   status-page or stakeholder update (major incidents only), a handover on a long response;
//! - `role_not_filled`: no incident commander on the incident's responders;
//! - `late_acknowledgement`: acknowledged later than the target after detection
//!   (or never, as of the last event);
//! - `late_escalation`: still unmitigated past the guideline after acknowledgement with
//!   no escalation by then;
//! - `communication_gap`: a stretch longer than the interval without a stakeholder update
//!   while unresolved, once updates have begun (when none was ever sent, `task_not_done`
//!   says so instead, and only for incidents that need one);
//! - `duplicate_work`: the same action (same kind, same verb, same target) recorded by two
//!   different actors within a few minutes, with no message between them.
//!
//! "Major" means at or above [`ResponseChecklist::status_page_at_or_above`]. A finding is
//! `serious` when it is a required task left undone, a missing incident commander on a
//! major incident, an acknowledgement or escalation more than twice its limit late, or a
//! communication gap on a major incident longer than twice the interval; the policy's
//! `response_problems` criterion counts the serious ones. Serious findings, and every
//! finding on a major incident, are warnings; the rest are information.
//!
//! Findings talk about the process and the tooling, never about a person: they do not
//! name responders, and evidence quotes the timeline as recorded.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use super::{Evidence, clock_text, first_affirmed, in_time_order, minutes, minutes_text, scan, significant_words};
use crate::model::{EventKind, Incident, KeyMoment, ResponderRole, Severity, TimelineEvent, word_enum};

word_enum! {
    /// What a response finding is about.
    ResponseFindingKind {
        TaskNotDone = "task_not_done",
        DuplicateWork = "duplicate_work",
        CommunicationGap = "communication_gap",
        LateAcknowledgement = "late_acknowledgement",
        LateEscalation = "late_escalation",
        RoleNotFilled = "role_not_filled",
    }
}

word_enum! {
    /// How much a finding asks for attention.
    FindingSeverity {
        Warning = "warning",
        Info = "info",
    }
}

/// How a response is expected to run. Every field has a default; send only what differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ResponseChecklist {
    /// Someone holds the incident commander role.
    pub require_incident_commander: bool,
    /// Responders talk in a shared place: a chat event, or a message naming a channel or bridge.
    pub require_channel: bool,
    /// Major incidents tell customers: a status update, or a message about the status page.
    pub require_status_page: bool,
    /// Incidents at or above this severity are major (SEV1 is the highest).
    pub status_page_at_or_above: Severity,
    /// Longest time without a stakeholder update while unresolved, in minutes.
    pub stakeholder_update_minutes: i64,
    /// Longest time from detection to acknowledgement, in minutes.
    pub ack_sla_minutes: i64,
    /// Escalate when still unmitigated this long after acknowledgement, in minutes.
    pub escalate_after_minutes: i64,
    /// The same action by two people this close together is duplicate work, in minutes.
    pub duplicate_window_minutes: i64,
    /// Responses longer than this, from detection, need a handover, in hours.
    pub handover_after_hours: i64,
}

impl Default for ResponseChecklist {
    fn default() -> Self {
        ResponseChecklist {
            require_incident_commander: true,
            require_channel: true,
            require_status_page: true,
            status_page_at_or_above: Severity::new(2).unwrap_or(Severity::SEV1),
            stakeholder_update_minutes: 30,
            ack_sla_minutes: 15,
            escalate_after_minutes: 30,
            duplicate_window_minutes: 10,
            handover_after_hours: 8,
        }
    }
}

/// One thing the response analysis noticed, with the events it rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ResponseFinding {
    pub kind: ResponseFindingKind,
    /// What it is about: a task (`channel`, `status_page`, `handover`), a role
    /// (`incident_commander`), a moment (`acknowledgement`, `escalation`,
    /// `stakeholder_updates`) or an action (`restart`, `rollback`, …).
    pub topic: String,
    pub severity: FindingSeverity,
    /// Serious enough on its own to recommend a post-mortem.
    pub serious: bool,
    /// What happened and why it matters, about the process, never a person.
    pub message: String,
    pub evidence: Vec<Evidence>,
}

/// Sources whose status updates are machines reporting, not people informing stakeholders.
const MONITORING_SOURCES: &[&str] = &["alertmanager", "prometheus", "grafana", "datadog", "cloudwatch", "sentry"];

/// Sources that are a chat, so an event from one shows responders had a shared channel.
const CHAT_SOURCES: &[&str] = &["slack", "teams", "mattermost", "zulip", "discord", "matrix"];

const CHANNEL_PHRASES: &[&str] = &["channel", "bridge", "war room", "conference call", "video call"];

const UPDATE_PHRASES: &[&str] = &[
    "status page update",
    "update the status page",
    "updated status page",
    "posted on the status page",
    "posted to the status page",
    "customers notified",
    "notified customers",
    "notify customers",
    "emailed customers",
    "email to customers",
    "stakeholder update",
    "update stakeholders",
    "informed stakeholders",
];

const HANDOVER_PHRASES: &[&str] =
    &["handover", "hand over", "handed over", "handoff", "hand off", "handed off", "took over", "take over"];

const COMMANDER_PHRASES: &[&str] = &["incident commander", "take ic", "took ic", "i'm ic", "as ic", "is ic"];

/// Verbs that name an action, grouped by what they do; the first word names the group.
const ACTION_VERBS: &[(&str, &[&str])] = &[
    ("restart", &["restart", "reboot", "recycle"]),
    ("rollback", &["rollback", "roll back", "revert"]),
    ("reload", &["reload"]),
    ("scale", &["scale"]),
    ("failover", &["failover", "fail over", "promote"]),
    ("deploy", &["deploy", "redeploy"]),
    ("flush", &["flush", "purge"]),
    ("kill", &["kill"]),
    ("suspend", &["suspend", "pause", "disable"]),
    ("restore", &["restore"]),
    ("resend", &["resend", "re-send", "re-sent", "resent"]),
];

/// Reads the timeline of `incident` against `checklist`. Events may come in any order.
pub fn analyse_response(
    incident: &Incident,
    events: &[TimelineEvent],
    checklist: &ResponseChecklist,
) -> Vec<ResponseFinding> {
    let ctx = Context::new(incident, events, checklist);
    let mut findings = Vec::new();
    ctx.roles(&mut findings);
    ctx.tasks(&mut findings);
    ctx.acknowledgement(&mut findings);
    ctx.escalation(&mut findings);
    ctx.communication(&mut findings);
    ctx.duplicates(&mut findings);
    findings
}

/// Whether the people who lost something were told. When the post-mortem's damage scope
/// records users affected, access lost or data lost, and the timeline holds no status update
/// from a person (nor text about the status page or notifying customers) and no public
/// summary has been published, the finding says that users were never told.
pub fn users_never_told(
    incident: &Incident,
    events: &[TimelineEvent],
    postmortem: Option<&crate::Postmortem>,
    summary_published: bool,
    checklist: &ResponseChecklist,
) -> Option<ResponseFinding> {
    let impact = &postmortem?.sections.impact;
    let mut evidence = Vec::new();
    if let Some(users) = impact.users_affected.filter(|users| *users > 0) {
        evidence.push(Evidence::field("sections.impact.users_affected", users));
    }
    if let Some(minutes) = impact.access_lost_minutes.filter(|minutes| *minutes > 0) {
        evidence.push(Evidence::field("sections.impact.access_lost_minutes", minutes));
    }
    if impact.data_lost == Some(true) {
        evidence.push(Evidence::field("sections.impact.data_lost", true));
    }
    let ctx = Context::new(incident, events, checklist);
    if evidence.is_empty() || summary_published || !ctx.stakeholder_updates().is_empty() {
        return None;
    }
    evidence.push(Evidence::field(
        "timeline",
        format!(
            "no status_update event from a person and no text about the status page or notifying customers among {}",
            ctx.span_text()
        ),
    ));
    evidence.push(Evidence::field("public_summary", "none published"));
    let message = "The damage scope records that users were affected, yet they were never told: no status update \
                   appears in the timeline and no public summary has been published. A public summary, written \
                   for them on the post-mortem's page, closes that gap."
        .to_string();
    Some(ctx.finding(ResponseFindingKind::TaskNotDone, "users_told", true, message, evidence))
}

/// A moment of the response: when, and what shows it.
#[derive(Debug, Clone, Copy)]
struct Moment<'a> {
    at: OffsetDateTime,
    event: Option<&'a TimelineEvent>,
    /// The incident field it comes from when no event shows it, e.g. `detected_at`.
    field: &'static str,
}

impl Moment<'_> {
    fn evidence(&self) -> Evidence {
        match self.event {
            Some(event) => Evidence::event(event),
            None => Evidence::field(format!("incident.{}", self.field), rfc3339(self.at)),
        }
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

struct Context<'a> {
    incident: &'a Incident,
    events: Vec<&'a TimelineEvent>,
    checklist: &'a ResponseChecklist,
    major: bool,
    detection: Option<Moment<'a>>,
    acknowledgement: Option<Moment<'a>>,
    mitigation: Option<Moment<'a>>,
    resolution: Option<Moment<'a>>,
    /// How far the record goes: the resolution, else the last event.
    horizon: Option<Moment<'a>>,
}

impl<'a> Context<'a> {
    fn new(incident: &'a Incident, events: &'a [TimelineEvent], checklist: &'a ResponseChecklist) -> Context<'a> {
        let events = in_time_order(events);
        let m = &incident.moments;
        let detection = moment(&events, m.detected_at, "detected_at", KeyMoment::Detection, &[EventKind::Alert]);
        let acknowledgement = moment(
            &events,
            m.acknowledged_at,
            "acknowledged_at",
            KeyMoment::Acknowledgement,
            &[EventKind::Acknowledgement],
        );
        let resolution = moment(&events, m.resolved_at, "resolved_at", KeyMoment::Resolution, &[]);
        let mitigation = moment(&events, m.mitigated_at, "mitigated_at", KeyMoment::Mitigation, &[]).or(resolution);
        let last = events.last().map(|e| Moment { at: e.occurred_at, event: Some(e), field: "" });
        let horizon = resolution.or(last);
        let major = incident.severity.level() <= checklist.status_page_at_or_above.level();
        Context { incident, events, checklist, major, detection, acknowledgement, mitigation, resolution, horizon }
    }

    fn finding(
        &self,
        kind: ResponseFindingKind,
        topic: &str,
        serious: bool,
        message: String,
        evidence: Vec<Evidence>,
    ) -> ResponseFinding {
        let severity = if serious || self.major { FindingSeverity::Warning } else { FindingSeverity::Info };
        ResponseFinding { kind, topic: topic.to_string(), severity, serious, message, evidence }
    }

    /// `resolution` or `the last timeline event`, for messages about the horizon.
    fn horizon_name(&self) -> &'static str {
        if self.resolution.is_some() { "resolution" } else { "the last timeline event" }
    }

    fn roles(&self, findings: &mut Vec<ResponseFinding>) {
        let has_commander = self.incident.responders.iter().any(|r| r.role == ResponderRole::IncidentCommander);
        if !self.checklist.require_incident_commander || has_commander {
            return;
        }
        let roles: Vec<&str> = self.incident.responders.iter().map(|r| r.role.as_str()).collect();
        let recorded = if roles.is_empty() {
            "no responders".to_string()
        } else {
            format!("{} responders, roles: {}", roles.len(), roles.join(", "))
        };
        let mut evidence = vec![Evidence::field("incident.responders", recorded)];
        let taken = self.events.iter().find_map(|e| first_affirmed(&e.text, COMMANDER_PHRASES).map(|m| (*e, m)));
        let message = match taken {
            Some((event, mention)) => {
                evidence.push(Evidence::event_at(event, mention.start));
                format!(
                    "The timeline shows the incident commander role being taken at {}, but no responder holds it on \
                     the incident. Recording the role keeps it visible to everyone who joins later.",
                    clock_text(event.occurred_at)
                )
            }
            None => "No incident commander is recorded for this incident. Without one, coordination falls to \
                     whoever happens to be there; the incident tooling can ask for a commander when an incident \
                     is declared."
                .to_string(),
        };
        findings.push(self.finding(
            ResponseFindingKind::RoleNotFilled,
            "incident_commander",
            self.major,
            message,
            evidence,
        ));
    }

    fn stakeholder_updates(&self) -> Vec<&'a TimelineEvent> {
        self.events
            .iter()
            .copied()
            .filter(|e| !MONITORING_SOURCES.contains(&e.source.as_str()))
            .filter(|e| e.kind == EventKind::StatusUpdate || first_affirmed(&e.text, UPDATE_PHRASES).is_some())
            .collect()
    }

    fn span_text(&self) -> String {
        match (self.events.first(), self.events.last()) {
            (Some(first), Some(last)) => format!(
                "{} events from {} to {}",
                self.events.len(),
                rfc3339(first.occurred_at),
                rfc3339(last.occurred_at)
            ),
            _ => "no events".to_string(),
        }
    }

    fn tasks(&self, findings: &mut Vec<ResponseFinding>) {
        let kind = ResponseFindingKind::TaskNotDone;
        if self.checklist.require_channel {
            let in_channel = self.events.iter().any(|e| {
                CHAT_SOURCES.contains(&e.source.as_str())
                    || first_affirmed(&e.text, CHANNEL_PHRASES).is_some()
                    || names_a_channel(&e.text)
            });
            if !in_channel {
                let looked = format!(
                    "no event from a chat ({}) and no text naming a channel or bridge among {}",
                    CHAT_SOURCES.join(", "),
                    self.span_text()
                );
                let message = "No incident channel or bridge shows in the timeline: no chat messages, and no \
                               mention of a channel. A shared place to talk is what lets responders see who is \
                               doing what; the paging tool can open one when an incident is declared."
                    .to_string();
                findings.push(self.finding(kind, "channel", true, message, vec![Evidence::field("timeline", looked)]));
            }
        }
        if self.checklist.require_status_page && self.major && self.stakeholder_updates().is_empty() {
            let severity = self.incident.severity;
            let looked = format!(
                "no status_update event from a person and no text about the status page or notifying customers among {}",
                self.span_text()
            );
            let message = format!(
                "No status-page or stakeholder update appears in the timeline of this {severity} incident; the \
                 checklist asks for one from {} up. A template, or a prompt from the incident tooling, makes the \
                 first update quick to send.",
                self.checklist.status_page_at_or_above
            );
            let evidence = vec![Evidence::field("incident.severity", severity), Evidence::field("timeline", looked)];
            findings.push(self.finding(kind, "status_page", true, message, evidence));
        }
        if let (Some(start), Some(end)) = (self.detection, self.horizon) {
            let long = minutes(self.checklist.handover_after_hours.saturating_mul(60));
            let handed_over = self.events.iter().any(|e| first_affirmed(&e.text, HANDOVER_PHRASES).is_some());
            if end.at - start.at > long && !handed_over {
                let message = format!(
                    "The response ran for {} from detection to {}, longer than the {} h after which the checklist \
                     asks for a handover, and the timeline records none. Long stretches wear responders down; a \
                     planned handover with a written state of play lets rested people take over.",
                    minutes_text(end.at - start.at),
                    self.horizon_name(),
                    self.checklist.handover_after_hours
                );
                let looked = format!("no text mentioning a handover among {}", self.span_text());
                let evidence = vec![start.evidence(), end.evidence(), Evidence::field("timeline", looked)];
                findings.push(self.finding(kind, "handover", true, message, evidence));
            }
        }
    }

    fn acknowledgement(&self, findings: &mut Vec<ResponseFinding>) {
        let Some(detection) = self.detection else { return };
        let sla = minutes(self.checklist.ack_sla_minutes);
        let kind = ResponseFindingKind::LateAcknowledgement;
        match self.acknowledgement {
            Some(ack) => {
                let delay = ack.at - detection.at;
                if delay > sla {
                    let message = format!(
                        "Acknowledgement came {} after detection ({} to {}), beyond the {}-minute target. The path \
                         from detection to a page (alert routing, paging rules, who is able to page) is worth a look.",
                        minutes_text(delay),
                        clock_text(detection.at),
                        clock_text(ack.at),
                        self.checklist.ack_sla_minutes
                    );
                    let evidence = vec![detection.evidence(), ack.evidence()];
                    findings.push(self.finding(kind, "acknowledgement", delay > sla * 2, message, evidence));
                }
            }
            None => {
                let Some(end) = self.horizon else { return };
                let waited = end.at - detection.at;
                if waited > sla {
                    let message = format!(
                        "No acknowledgement is recorded in the {} between detection and {}; the target is {} \
                         minutes. Either the page did not reach anyone or the acknowledgement was not captured; \
                         both are worth fixing in the paging setup.",
                        minutes_text(waited),
                        self.horizon_name(),
                        self.checklist.ack_sla_minutes
                    );
                    let evidence = vec![detection.evidence(), end.evidence()];
                    findings.push(self.finding(kind, "acknowledgement", waited > sla * 2, message, evidence));
                }
            }
        }
    }

    fn escalation(&self, findings: &mut Vec<ResponseFinding>) {
        let Some(start) = self.acknowledgement.or(self.detection) else { return };
        let Some(settled) = self.mitigation.or(self.horizon) else { return };
        let limit = minutes(self.checklist.escalate_after_minutes);
        let deadline = start.at.saturating_add(limit);
        if settled.at <= deadline {
            return;
        }
        let escalation = self.events.iter().copied().find(|e| {
            e.kind == EventKind::Escalation
                || e.key_moment == Some(KeyMoment::Escalation)
                || (e.kind == EventKind::Page && self.acknowledgement.is_some_and(|a| e.occurred_at > a.at))
        });
        let since = if self.acknowledgement.is_some() { "acknowledgement" } else { "detection" };
        let kind = ResponseFindingKind::LateEscalation;
        match escalation {
            Some(e) if e.occurred_at <= deadline => {}
            Some(e) if e.occurred_at < settled.at => {
                let delay = e.occurred_at - start.at;
                let message = format!(
                    "Help was brought in {} after {since} ({} to {}), while the guideline is to escalate once an \
                     incident is still unmitigated after {} minutes. A timer in the incident tooling can prompt \
                     the escalation.",
                    minutes_text(delay),
                    clock_text(start.at),
                    clock_text(e.occurred_at),
                    self.checklist.escalate_after_minutes
                );
                let evidence = vec![start.evidence(), Evidence::event(e)];
                findings.push(self.finding(kind, "escalation", delay > limit * 2, message, evidence));
            }
            _ => {
                let stuck = settled.at - start.at;
                let until = if self.mitigation.is_some() { "mitigation" } else { "the last timeline event" };
                let message = format!(
                    "The incident stayed unmitigated for {} after {since}, to {until}, and the timeline records no \
                     escalation in that time; the guideline is to bring in help after {} minutes. A timer in the \
                     incident tooling can prompt it.",
                    minutes_text(stuck),
                    self.checklist.escalate_after_minutes
                );
                let evidence = vec![start.evidence(), settled.evidence()];
                findings.push(self.finding(kind, "escalation", stuck > limit * 2, message, evidence));
            }
        }
    }

    fn communication(&self, findings: &mut Vec<ResponseFinding>) {
        let updates = self.stakeholder_updates();
        let (Some(first), Some(end)) = (updates.first(), self.horizon) else { return };
        let start = self.detection.unwrap_or(Moment { at: first.occurred_at, event: Some(first), field: "" });
        let interval = minutes(self.checklist.stakeholder_update_minutes);
        // The points between which stakeholders waited: detection, each update, then the end.
        let mut points: Vec<(Moment, &str)> = vec![(start, "detection")];
        for update in updates.iter().filter(|u| u.occurred_at > start.at && u.occurred_at <= end.at) {
            points.push((Moment { at: update.occurred_at, event: Some(update), field: "" }, "an update"));
        }
        points.push((end, self.horizon_name()));
        for pair in points.windows(2) {
            let ((from, from_name), (to, to_name)) = (pair[0], pair[1]);
            let gap = to.at - from.at;
            if gap <= interval {
                continue;
            }
            let message = format!(
                "Stakeholders had no update for {}, from {} ({from_name}) to {} ({}), while the incident was \
                 unresolved; the guideline is an update every {} minutes. A reminder from the incident tooling \
                 keeps the cadence without anyone having to watch the clock.",
                minutes_text(gap),
                clock_text(from.at),
                clock_text(to.at),
                if to_name == "an update" { "the next update" } else { to_name },
                self.checklist.stakeholder_update_minutes
            );
            let serious = self.major && gap > interval * 2;
            let evidence = vec![from.evidence(), to.evidence()];
            findings.push(self.finding(
                ResponseFindingKind::CommunicationGap,
                "stakeholder_updates",
                serious,
                message,
                evidence,
            ));
        }
    }

    fn duplicates(&self, findings: &mut Vec<ResponseFinding>) {
        let window = minutes(self.checklist.duplicate_window_minutes);
        let acts: Vec<(usize, &TimelineEvent, Shape)> = self
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e.kind, EventKind::Action | EventKind::Rollback | EventKind::Deploy))
            .filter_map(|(i, e)| shape(e).map(|s| (i, *e, s)))
            .collect();
        for (n, (later_at, later, later_shape)) in acts.iter().enumerate() {
            let earlier = acts[..n].iter().rev().find(|(earlier_at, earlier, earlier_shape)| {
                later.occurred_at - earlier.occurred_at <= window
                    && earlier.kind == later.kind
                    && different_actors(earlier, later)
                    && !self.events[earlier_at + 1..*later_at].iter().any(|e| e.kind == EventKind::Message)
                    && self.same_action(earlier, earlier_shape, later, later_shape).is_some()
            });
            let Some((_, earlier, earlier_shape)) = earlier else { continue };
            let target = self.same_action(earlier, earlier_shape, later, later_shape).unwrap_or_default();
            let action = match later_shape {
                Shape::Verb(verb) => verb,
                Shape::Unclassified => "action",
            };
            let what = if target.is_empty() { action.to_string() } else { format!("{action} of {target}") };
            let message = format!(
                "The same action ({what}) was recorded twice, {} apart ({} and {}), by different responders with \
                 no message between them. That usually means the channel did not show who was doing what; \
                 announcing an action before taking it, or a bot that posts actions as they happen, avoids doing \
                 the work twice.",
                minutes_text(later.occurred_at - earlier.occurred_at),
                clock_text(earlier.occurred_at),
                clock_text(later.occurred_at)
            );
            let evidence = vec![Evidence::event(earlier), Evidence::event(later)];
            findings.push(self.finding(ResponseFindingKind::DuplicateWork, action, false, message, evidence));
        }
    }

    /// What two actions share when they are the same action, e.g. `pgbouncer`; `None` when they differ.
    fn same_action(&self, a: &TimelineEvent, a_shape: &Shape, b: &TimelineEvent, b_shape: &Shape) -> Option<String> {
        let (words_a, words_b) = (target_words(&a.text), target_words(&b.text));
        match (a_shape, b_shape) {
            (Shape::Verb(x), Shape::Verb(y)) if x == y => {
                let services = |words: &[String]| -> Vec<String> {
                    self.incident.services.iter().filter(|s| words.contains(s)).cloned().collect()
                };
                let (services_a, services_b) = (services(&words_a), services(&words_b));
                if !services_a.is_empty() && !services_b.is_empty() {
                    return services_a.into_iter().find(|s| services_b.contains(s));
                }
                if words_a.is_empty() && words_b.is_empty() {
                    return Some(String::new());
                }
                let shared: Vec<&String> = words_a.iter().filter(|w| words_b.contains(w)).collect();
                shared.first().map(|w| w.to_string())
            }
            (Shape::Unclassified, Shape::Unclassified) => {
                let union = words_a.iter().chain(words_b.iter().filter(|w| !words_a.contains(w))).count();
                let shared = words_a.iter().filter(|w| words_b.contains(w)).count();
                (union > 0 && shared * 5 >= union * 3).then(String::new)
            }
            _ => None,
        }
    }
}

/// The first event marked `marker`, else the incident's own moment, else the first event of one of `kinds`.
fn moment<'a>(
    events: &[&'a TimelineEvent],
    recorded: Option<OffsetDateTime>,
    field: &'static str,
    marker: KeyMoment,
    kinds: &[EventKind],
) -> Option<Moment<'a>> {
    let marked = events.iter().copied().find(|e| e.key_moment == Some(marker));
    match (recorded, marked) {
        (Some(at), Some(event)) if event.occurred_at == at => Some(Moment { at, event: Some(event), field }),
        (Some(at), _) => Some(Moment { at, event: None, field }),
        (None, Some(event)) => Some(Moment { at: event.occurred_at, event: Some(event), field }),
        (None, None) => events.iter().copied().find(|e| kinds.contains(&e.kind)).map(|event| Moment {
            at: event.occurred_at,
            event: Some(event),
            field,
        }),
    }
}

/// Whether a text names a chat channel, `#incidents`-style (not `PR #318`).
fn names_a_channel(text: &str) -> bool {
    text.match_indices('#').any(|(i, _)| text[i + 1..].chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
}

fn different_actors(a: &TimelineEvent, b: &TimelineEvent) -> bool {
    match (&a.actor, &b.actor) {
        (Some(x), Some(y)) => !x.trim().eq_ignore_ascii_case(y.trim()),
        _ => false,
    }
}

/// What an action event does, as far as its words tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One of [`ACTION_VERBS`], by group name.
    Verb(&'static str),
    /// An action in words the analysis has no verb for.
    Unclassified,
}

/// The shape of an action event; `None` when its text says the action did not happen
/// ("failed to restart", "no rollback was needed").
fn shape(event: &TimelineEvent) -> Option<Shape> {
    let phrases: Vec<&str> = ACTION_VERBS.iter().flat_map(|(_, phrases)| phrases.iter().copied()).collect();
    let mentions = scan(&event.text, &phrases);
    if mentions.is_empty() {
        return Some(if event.kind == EventKind::Rollback { Shape::Verb("rollback") } else { Shape::Unclassified });
    }
    let affirmed = mentions.iter().find(|m| !m.negated)?;
    ACTION_VERBS.iter().find(|(_, phrases)| phrases.contains(&affirmed.phrase)).map(|(group, _)| Shape::Verb(group))
}

/// The significant words of an action's text, without its verbs: what it acted on.
fn target_words(text: &str) -> Vec<String> {
    let verbs: Vec<&str> =
        ACTION_VERBS.iter().flat_map(|(_, phrases)| phrases.iter().flat_map(|p| p.split_whitespace())).collect();
    significant_words(text).into_iter().filter(|w| !verbs.iter().any(|v| super::word_matches(v, w))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixtures::{at, event, incident};

    /// A response that does everything the default checklist asks.
    fn good_timeline() -> Vec<TimelineEvent> {
        vec![
            event("e1", 2, "alertmanager", EventKind::Alert, "alertmanager", "CheckoutErrors firing."),
            event("e2", 5, "pagerduty", EventKind::Acknowledgement, "ana", "ana acknowledged."),
            event("e3", 6, "slack", EventKind::Message, "ana", "Looking at checkout."),
            event("e4", 10, "slack", EventKind::StatusUpdate, "fatima", "Status page: checkout degraded."),
            event("e5", 20, "manual", EventKind::Action, "ben", "Restarted checkout-api."),
            event("e6", 25, "slack", EventKind::StatusUpdate, "fatima", "Status page: resolved."),
        ]
    }

    fn kinds(findings: &[ResponseFinding]) -> Vec<(ResponseFindingKind, &str)> {
        findings.iter().map(|f| (f.kind, f.topic.as_str())).collect()
    }

    fn run(incident: &Incident, events: &[TimelineEvent]) -> Vec<ResponseFinding> {
        analyse_response(incident, events, &ResponseChecklist::default())
    }

    #[test]
    fn a_response_that_follows_the_checklist_has_no_findings() {
        assert_eq!(kinds(&run(&incident(2), &good_timeline())), []);
    }

    #[test]
    fn missing_status_update_on_a_major_incident_is_a_task_not_done() {
        let events: Vec<_> = good_timeline().into_iter().filter(|e| e.kind != EventKind::StatusUpdate).collect();
        let findings = run(&incident(1), &events);
        assert_eq!(kinds(&findings), [(ResponseFindingKind::TaskNotDone, "status_page")]);
        assert!(findings[0].serious);
        assert_eq!(findings[0].severity, FindingSeverity::Warning);
    }

    #[test]
    fn status_updates_from_monitoring_do_not_count_for_stakeholders() {
        let mut events: Vec<_> = good_timeline().into_iter().filter(|e| e.kind != EventKind::StatusUpdate).collect();
        events.push(event(
            "m",
            21,
            "alertmanager",
            EventKind::StatusUpdate,
            "alertmanager",
            "CheckoutErrors resolved.",
        ));
        assert_eq!(kinds(&run(&incident(1), &events)), [(ResponseFindingKind::TaskNotDone, "status_page")]);
    }

    #[test]
    fn a_message_about_the_status_page_counts_as_an_update() {
        let mut events: Vec<_> = good_timeline().into_iter().filter(|e| e.kind != EventKind::StatusUpdate).collect();
        events.push(event(
            "u",
            8,
            "slack",
            EventKind::Message,
            "fatima",
            "Posted to the status page, customers notified.",
        ));
        events.push(event("v", 24, "manual", EventKind::Note, "fatima", "Status page update: resolved."));
        assert_eq!(kinds(&run(&incident(1), &events)), []);
    }

    #[test]
    fn minor_incidents_need_no_status_page() {
        let events: Vec<_> = good_timeline().into_iter().filter(|e| e.kind != EventKind::StatusUpdate).collect();
        assert_eq!(kinds(&run(&incident(3), &events)), []);
    }

    #[test]
    fn no_chat_and_no_channel_mentioned_is_a_task_not_done() {
        let events: Vec<_> = good_timeline()
            .into_iter()
            .map(|mut e| {
                if e.source == "slack" {
                    e.source = "manual".into();
                }
                e
            })
            .collect();
        assert_eq!(kinds(&run(&incident(2), &events)), [(ResponseFindingKind::TaskNotDone, "channel")]);
    }

    #[test]
    fn a_bridge_or_a_named_channel_counts_as_a_channel_but_a_pull_request_number_does_not() {
        let manual = |text: &str| {
            let mut events: Vec<_> = good_timeline()
                .into_iter()
                .map(|mut e| {
                    e.source = if e.source == "slack" { "manual".into() } else { e.source };
                    e
                })
                .collect();
            events.push(event("x", 7, "manual", EventKind::Note, "ana", text));
            events
        };
        assert_eq!(kinds(&run(&incident(2), &manual("Opened a bridge for responders."))), []);
        assert_eq!(kinds(&run(&incident(2), &manual("Moved to #inc-checkout."))), []);
        assert_eq!(
            kinds(&run(&incident(2), &manual("Reverted PR #318."))),
            [(ResponseFindingKind::TaskNotDone, "channel")]
        );
    }

    #[test]
    fn a_long_response_without_a_handover_is_a_task_not_done() {
        let mut incident = incident(3);
        incident.moments.mitigated_at = Some(at(30));
        incident.moments.resolved_at = Some(at(9 * 60));
        let mut events = good_timeline();
        events.push(event("e7", 25, "slack", EventKind::Escalation, "ana", "Paged the data on-call."));
        for (i, minute) in (50..9 * 60).step_by(30).enumerate() {
            events.push(event(&format!("u{i}"), minute, "slack", EventKind::StatusUpdate, "fatima", "Still working."));
        }
        let findings = run(&incident, &events);
        assert_eq!(kinds(&findings), [(ResponseFindingKind::TaskNotDone, "handover")]);

        events.push(event("h", 4 * 60, "slack", EventKind::Message, "ana", "Handed over to the EU shift."));
        assert_eq!(kinds(&run(&incident, &events)), []);
    }

    #[test]
    fn a_missing_incident_commander_is_a_role_not_filled() {
        let mut incident = incident(2);
        incident.responders[0].role = ResponderRole::Responder;
        let findings = run(&incident, &good_timeline());
        assert_eq!(kinds(&findings), [(ResponseFindingKind::RoleNotFilled, "incident_commander")]);
        assert!(findings[0].serious);
        assert!(!findings[0].message.contains("ana"), "{}", findings[0].message);
    }

    #[test]
    fn a_missing_commander_on_a_minor_incident_is_information_only() {
        let mut incident = incident(4);
        incident.responders.clear();
        let findings = run(&incident, &good_timeline());
        assert_eq!(kinds(&findings), [(ResponseFindingKind::RoleNotFilled, "incident_commander")]);
        assert_eq!((findings[0].severity, findings[0].serious), (FindingSeverity::Info, false));
    }

    #[test]
    fn a_commander_named_only_in_the_timeline_is_cited() {
        let mut incident = incident(2);
        incident.responders.clear();
        let mut events = good_timeline();
        events.push(event("ic", 7, "slack", EventKind::Message, "ana", "Taking IC."));
        let findings = run(&incident, &events);
        assert_eq!(kinds(&findings), [(ResponseFindingKind::RoleNotFilled, "incident_commander")]);
        assert!(matches!(&findings[0].evidence[1], Evidence::Event { event_id, .. } if event_id == "ic"));
    }

    #[test]
    fn acknowledgement_after_the_target_is_late() {
        let mut incident = incident(3);
        incident.moments.acknowledged_at = Some(at(18));
        let findings = run(&incident, &good_timeline());
        assert_eq!(kinds(&findings), [(ResponseFindingKind::LateAcknowledgement, "acknowledgement")]);
        assert!(!findings[0].serious, "16 minutes is late but not twice the target");
    }

    #[test]
    fn acknowledgement_exactly_at_the_target_is_not_late() {
        let mut incident = incident(3);
        incident.moments.acknowledged_at = Some(at(17));
        assert_eq!(kinds(&run(&incident, &good_timeline())), []);
    }

    #[test]
    fn acknowledgement_more_than_twice_the_target_late_is_serious() {
        let mut incident = incident(3);
        incident.moments.mitigated_at = Some(at(50));
        incident.moments.resolved_at = Some(at(55));
        incident.moments.acknowledged_at = Some(at(40));
        let findings = run(&incident, &good_timeline());
        assert_eq!(kinds(&findings), [(ResponseFindingKind::LateAcknowledgement, "acknowledgement")]);
        assert!(findings[0].serious);
    }

    #[test]
    fn no_acknowledgement_at_all_is_late_once_past_the_target() {
        let mut incident = incident(4);
        incident.moments.acknowledged_at = None;
        let events: Vec<_> = good_timeline().into_iter().filter(|e| e.kind != EventKind::Acknowledgement).collect();
        let findings = run(&incident, &events);
        assert_eq!(kinds(&findings), [(ResponseFindingKind::LateAcknowledgement, "acknowledgement")]);
    }

    #[test]
    fn unmitigated_past_the_guideline_without_escalation_is_late_escalation() {
        let mut incident = incident(3);
        incident.moments.mitigated_at = Some(at(50));
        incident.moments.resolved_at = Some(at(55));
        let mut events = good_timeline();
        events.push(event("e7", 30, "slack", EventKind::StatusUpdate, "fatima", "Still degraded."));
        let findings = run(&incident, &events);
        assert_eq!(kinds(&findings), [(ResponseFindingKind::LateEscalation, "escalation")]);
        assert!(!findings[0].serious, "45 minutes is within twice the guideline");
    }

    #[test]
    fn escalation_within_the_guideline_is_not_late() {
        let mut incident = incident(3);
        incident.moments.mitigated_at = Some(at(50));
        incident.moments.resolved_at = Some(at(55));
        let mut events = good_timeline();
        events.push(event("e7", 30, "slack", EventKind::StatusUpdate, "fatima", "Still degraded."));
        events.push(event("esc", 35, "pagerduty", EventKind::Escalation, "ana", "Escalated to data on-call."));
        assert_eq!(kinds(&run(&incident, &events)), []);
    }

    #[test]
    fn escalation_after_the_guideline_is_late_and_cites_it() {
        let mut incident = incident(3);
        incident.moments.mitigated_at = Some(at(80));
        incident.moments.resolved_at = Some(at(85));
        let mut events = good_timeline();
        events.push(event("esc", 70, "pagerduty", EventKind::Escalation, "ana", "Escalated to data on-call."));
        let findings: Vec<_> =
            run(&incident, &events).into_iter().filter(|f| f.kind == ResponseFindingKind::LateEscalation).collect();
        assert_eq!(findings.len(), 1);
        assert!(findings[0].serious, "65 minutes is more than twice the guideline");
        assert!(matches!(&findings[0].evidence[1], Evidence::Event { event_id, .. } if event_id == "esc"));
    }

    #[test]
    fn a_gap_between_updates_longer_than_the_interval_is_a_communication_gap() {
        let mut incident = incident(2);
        incident.moments.resolved_at = Some(at(45));
        let mut events = good_timeline();
        events.retain(|e| e.id != "e6");
        events.push(event("e6", 45, "slack", EventKind::StatusUpdate, "fatima", "Status page: resolved."));
        let findings = run(&incident, &events);
        assert_eq!(kinds(&findings), [(ResponseFindingKind::CommunicationGap, "stakeholder_updates")]);
        let cited: Vec<_> = findings[0]
            .evidence
            .iter()
            .filter_map(|e| match e {
                Evidence::Event { event_id, .. } => Some(event_id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(cited, ["e4", "e6"]);
        assert!(!findings[0].serious, "35 minutes is within twice the interval");
    }

    #[test]
    fn updates_exactly_at_the_interval_are_not_a_gap() {
        let mut incident = incident(2);
        incident.moments.resolved_at = Some(at(62));
        let mut events = good_timeline();
        events.retain(|e| e.kind != EventKind::StatusUpdate);
        events.push(event("u1", 32, "slack", EventKind::StatusUpdate, "fatima", "Status page: investigating."));
        events.push(event("u2", 62, "slack", EventKind::StatusUpdate, "fatima", "Status page: resolved."));
        events.push(event("esc", 30, "pagerduty", EventKind::Escalation, "ana", "Escalated to data on-call."));
        assert_eq!(kinds(&run(&incident, &events)), []);
    }

    #[test]
    fn silence_on_a_minor_incident_is_information_only() {
        let mut incident = incident(4);
        incident.moments.resolved_at = Some(at(100));
        let mut events = good_timeline();
        events.push(event("esc", 15, "pagerduty", EventKind::Escalation, "ana", "Escalated to data on-call."));
        let findings = run(&incident, &events);
        assert_eq!(kinds(&findings), [(ResponseFindingKind::CommunicationGap, "stakeholder_updates")]);
        assert_eq!((findings[0].severity, findings[0].serious), (FindingSeverity::Info, false));
    }

    #[test]
    fn the_same_restart_by_two_people_without_a_message_is_duplicate_work() {
        let mut events = good_timeline();
        events.push(event("r2", 23, "manual", EventKind::Action, "dara", "restarting the checkout-api pods"));
        let findings = run(&incident(2), &events);
        assert_eq!(kinds(&findings), [(ResponseFindingKind::DuplicateWork, "restart")]);
        let Evidence::Event { event_id, .. } = &findings[0].evidence[0] else { panic!("{:?}", findings[0]) };
        assert_eq!(event_id, "e5");
        assert!(findings[0].message.contains("checkout-api"), "{}", findings[0].message);
    }

    #[test]
    fn two_rollbacks_of_one_service_by_two_actors_are_duplicate_work() {
        let mut events = good_timeline();
        events.push(event("b1", 12, "github", EventKind::Rollback, "deploy-bot", "Rollback of checkout-api to 2.3.1."));
        events.push(event("b2", 15, "manual", EventKind::Rollback, "ben", "Rolled back checkout-api by hand."));
        assert_eq!(kinds(&run(&incident(2), &events)), [(ResponseFindingKind::DuplicateWork, "rollback")]);
    }

    #[test]
    fn a_system_that_failed_to_restart_is_not_duplicate_work() {
        let mut events = good_timeline();
        events.push(event("r2", 22, "manual", EventKind::Action, "kubelet", "checkout-api pod failed to restart."));
        assert_eq!(kinds(&run(&incident(2), &events)), []);
    }

    #[test]
    fn a_message_between_two_restarts_means_it_was_coordinated() {
        let mut events = good_timeline();
        events.push(event("m", 21, "slack", EventKind::Message, "ana", "Restart didn't help, trying again."));
        events.push(event("r2", 23, "manual", EventKind::Action, "dara", "Restarted checkout-api."));
        assert_eq!(kinds(&run(&incident(2), &events)), []);
    }

    #[test]
    fn restarts_of_different_services_or_by_one_person_or_far_apart_are_not_duplicate_work() {
        for (actor, minute, text) in [
            ("dara", 23, "Restarted payments-db."),
            ("ben", 23, "Restarted checkout-api again."),
            ("dara", 31, "Restarted checkout-api."),
            ("dara", 23, "Reloaded checkout-api."),
        ] {
            let mut events = good_timeline();
            events.push(event("r2", minute, "manual", EventKind::Action, actor, text));
            assert_eq!(kinds(&run(&incident(2), &events)), [], "{actor} at {minute}: {text}");
        }
    }

    #[test]
    fn users_who_lost_access_and_were_never_told_are_a_finding_until_a_summary_is_public() {
        let incident = incident(3);
        let quiet: Vec<TimelineEvent> =
            vec![event("a", 0, "prometheus", EventKind::Alert, "", "HighErrorRate firing for checkout-api")];
        let mut postmortem = crate::Postmortem {
            id: "p1".into(),
            incident: incident.handle.clone(),
            incident_title: incident.title.clone(),
            status: crate::PostmortemStatus::Published,
            owner: None,
            due_date: None,
            sections: crate::Sections::default(),
            created_at: at(0),
            updated_at: at(0),
            published_at: Some(at(0)),
            version: 1,
        };
        let checklist = ResponseChecklist::default();
        let told = |pm: &crate::Postmortem, events: &[TimelineEvent], published: bool| {
            users_never_told(&incident, events, Some(pm), published, &checklist)
        };
        assert_eq!(told(&postmortem, &quiet, false), None, "no impact recorded");
        postmortem.sections.impact.access_lost_minutes = Some(40);
        let finding = told(&postmortem, &quiet, false).expect("never told");
        assert_eq!((finding.kind, finding.topic.as_str()), (ResponseFindingKind::TaskNotDone, "users_told"));
        assert_eq!(finding.evidence[0], Evidence::field("sections.impact.access_lost_minutes", 40));
        assert_eq!(told(&postmortem, &quiet, true), None, "a public summary tells them");
        let mut updated = quiet.clone();
        updated.push(event(
            "u",
            10,
            "slack",
            EventKind::StatusUpdate,
            "fatima",
            "Status page updated: payments failing.",
        ));
        assert_eq!(told(&postmortem, &updated, false), None, "a status update told them");
        assert_eq!(users_never_told(&incident, &quiet, None, false, &checklist), None, "no post-mortem yet");
    }

    #[test]
    fn findings_do_not_name_responders() {
        let mut incident = incident(1);
        incident.responders.clear();
        incident.moments.acknowledged_at = Some(at(60));
        incident.moments.mitigated_at = Some(at(200));
        incident.moments.resolved_at = Some(at(10 * 60));
        let mut events = good_timeline();
        events.push(event("r2", 23, "manual", EventKind::Action, "dara", "Restarted checkout-api."));
        let findings = run(&incident, &events);
        assert!(findings.len() >= 5, "{:?}", kinds(&findings));
        for f in &findings {
            for name in ["ana", "ben", "dara", "fatima", "failed to"] {
                assert!(!f.message.contains(name), "{name} in {}", f.message);
            }
        }
    }

    #[test]
    fn checklist_reads_partial_json_with_defaults() {
        let checklist: ResponseChecklist =
            serde_json::from_value(serde_json::json!({"ack_sla_minutes": 5, "status_page_at_or_above": "SEV1"}))
                .unwrap();
        assert_eq!(checklist.ack_sla_minutes, 5);
        assert_eq!(checklist.status_page_at_or_above, Severity::SEV1);
        assert_eq!(checklist.escalate_after_minutes, 30);
    }
}
