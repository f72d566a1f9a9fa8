//! A first draft of a post-mortem's narrative sections, written from the incident's timeline:
//! the summary, detection, response analysis and resolution, in plain sentences, each citing
//! the timeline events it comes from. The narrative of the response (one sentence per notable
//! event, in time order) goes at the end of the response analysis, since that section is where
//! a post-mortem says how the response went; the post-mortem has no section of its own for it.
//!
//! Faithful by construction: a sentence states only what the events it cites hold: their
//! times (in UTC, to the minute) and days, their actors and sources, the incident's services
//! their text names, how many of them there are, how long passed between two of them, and
//! their text, quoted. The response analysis's findings are told only when every piece of their
//! evidence is a timeline event, and in words built from those events, never from the
//! finding's own message (which speaks of the checklist's targets and the incident's moments).
//!
//! Deterministic: the events are put in one order (time, source, external id, id) before
//! anything reads them, so the same timeline gives the same draft whatever order it came in;
//! nothing reads the clock.
//!
//! This module only writes: whether a draft goes into a post-mortem, and where a person's text
//! stands in its way, is the caller's to decide.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime, UtcOffset};
use utoipa::ToSchema;

use super::{Evidence, ResponseChecklist, ResponseFinding, ResponseFindingKind, analyse_response, clock_text};
use super::{minutes_text, words};
use crate::model::{EventKind, Incident, KeyMoment, SectionName, TimelineEvent};
use crate::validate::MAX_TEXT;

/// The most events the narrative tells.
pub const MAX_NARRATIVE: usize = 40;
/// The most events a sentence counts by citing each; past it, a sentence gives the span instead.
const MAX_COUNTED: usize = 50;
/// The most actors a sentence lists.
const MAX_ACTORS: usize = 30;
/// The most findings of the response analysis told.
const MAX_FINDINGS: usize = 20;
/// The most characters of an event's text quoted.
const QUOTE_CHARS: usize = 160;
/// What introduces the narrative in the response analysis.
const NARRATIVE_LEAD: &str = "The response as it happened:";

/// One sentence of a draft and the timeline events it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DraftSentence {
    /// Plain text: no Markdown, no links.
    pub text: String,
    /// Ids of the timeline events the sentence comes from, in timeline order.
    pub cites: Vec<String>,
}

/// The draft of one post-mortem section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DraftSection {
    /// The section it is written for: `summary`, `detection`, `response_analysis` or `resolution`.
    pub section: SectionName,
    pub sentences: Vec<DraftSentence>,
    /// The response as it happened, one sentence per notable event in time order: in the
    /// response analysis only, after its sentences.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narrative: Vec<DraftSentence>,
    /// The section as it is written into the post-mortem: Markdown, each sentence followed by
    /// links to its events on the incident's page (`[3](/incidents/INC-4#event-<id>)`, the
    /// number being the event's place in the timeline).
    pub markdown: String,
}

/// A first draft of a post-mortem, written from its incident's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Draft {
    /// Handle of the incident, e.g. `INC-4`.
    pub incident: String,
    /// How many timeline events it was written from.
    pub events: usize,
    /// The sections it has something to say in, in the post-mortem's order; none when the
    /// timeline is empty.
    pub sections: Vec<DraftSection>,
}

impl Draft {
    /// The draft of section `name`, when it has one.
    pub fn section(&self, name: SectionName) -> Option<&DraftSection> {
        self.sections.iter().find(|s| s.section == name)
    }

    /// Whether the draft says nothing at all.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }
}

/// Writes the first draft of `incident`'s post-mortem from its timeline `events` (in any
/// order) and what the response analysis finds in them against `checklist`.
pub fn draft_from_timeline(incident: &Incident, events: &[TimelineEvent], checklist: &ResponseChecklist) -> Draft {
    let mut sorted = events.to_vec();
    sorted.sort_by(|a, b| timeline_order(a).cmp(&timeline_order(b)));
    // The analysis keeps the given order of events at the same moment: give it ours.
    let findings = analyse_response(incident, &sorted, checklist);
    let timeline = Timeline::new(incident, &sorted);
    let moments = Moments::of(&timeline);
    let parts = [
        (SectionName::Summary, summary(&timeline, &moments), Vec::new()),
        (SectionName::Detection, detection(&timeline, &moments), Vec::new()),
        (SectionName::ResponseAnalysis, response(&timeline, &findings), narrative(&timeline)),
        (SectionName::Resolution, resolution(&timeline, &moments), Vec::new()),
    ];
    let sections = parts
        .into_iter()
        .filter(|(_, sentences, narrative)| !sentences.is_empty() || !narrative.is_empty())
        .map(|(section, sentences, narrative)| timeline.section(section, sentences, narrative))
        .collect();
    Draft { incident: incident.handle.clone(), events: sorted.len(), sections }
}

/// The one order of a timeline, the store's: time, then source, external id and id for events
/// at the same moment.
fn timeline_order(e: &TimelineEvent) -> (OffsetDateTime, &str, &str, &str) {
    (e.occurred_at, &e.source, &e.external_id, &e.id)
}

/// The sorted events, with what the sentences look up in them.
struct Timeline<'a> {
    handle: &'a str,
    services: &'a [String],
    events: &'a [TimelineEvent],
    /// Each event's place in the timeline, from 1, by id (looked up, never iterated).
    places: HashMap<&'a str, usize>,
}

impl<'a> Timeline<'a> {
    fn new(incident: &'a Incident, events: &'a [TimelineEvent]) -> Timeline<'a> {
        let mut places = HashMap::with_capacity(events.len());
        for (i, e) in events.iter().enumerate() {
            places.entry(e.id.as_str()).or_insert(i + 1);
        }
        Timeline { handle: &incident.handle, services: &incident.services, events, places }
    }

    fn event(&self, id: &str) -> Option<&'a TimelineEvent> {
        self.places.get(id).and_then(|place| self.events.get(place - 1))
    }

    fn marked(&self, moment: KeyMoment) -> Option<&'a TimelineEvent> {
        self.events.iter().find(|e| e.key_moment == Some(moment))
    }

    fn first_of(&self, kind: EventKind) -> Option<&'a TimelineEvent> {
        self.events.iter().find(|e| e.kind == kind)
    }

    fn all_of(&self, keep: impl Fn(&TimelineEvent) -> bool) -> Vec<&'a TimelineEvent> {
        self.events.iter().filter(|e| keep(e)).collect()
    }

    /// A sentence citing `events`, put in timeline order once each. A sentence ending on a
    /// quote that ends a sentence of its own ends there: `“Resolved.”`, not `“Resolved.”.`.
    fn sentence(&self, mut text: String, events: &[&TimelineEvent]) -> DraftSentence {
        if [".”.", "!”.", "?”."].iter().any(|end| text.ends_with(end)) {
            text.pop();
        }
        let mut cited: Vec<&TimelineEvent> = events.to_vec();
        cited.sort_by(|a, b| timeline_order(a).cmp(&timeline_order(b)));
        cited.dedup_by(|a, b| a.id == b.id);
        DraftSentence { text, cites: cited.into_iter().map(|e| e.id.clone()).collect() }
    }

    /// A section from its sentences and narrative, with its Markdown; sentences that would
    /// make it longer than a section may be are left out from the end (far beyond what the
    /// limits above allow, but the store would refuse the whole draft).
    fn section(
        &self,
        section: SectionName,
        mut sentences: Vec<DraftSentence>,
        mut narrative: Vec<DraftSentence>,
    ) -> DraftSection {
        loop {
            let markdown = self.markdown(&sentences, &narrative);
            if markdown.chars().count() <= MAX_TEXT || (sentences.is_empty() && narrative.is_empty()) {
                return DraftSection { section, sentences, narrative, markdown };
            }
            if narrative.pop().is_none() {
                sentences.pop();
            }
        }
    }

    fn markdown(&self, sentences: &[DraftSentence], narrative: &[DraftSentence]) -> String {
        let mut out = sentences.iter().map(|s| self.cited(s)).collect::<Vec<_>>().join(" ");
        if !narrative.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(NARRATIVE_LEAD);
            out.push_str("\n\n");
            let items: Vec<String> = narrative.iter().map(|s| format!("- {}", self.cited(s))).collect();
            out.push_str(&items.join("\n"));
        }
        out
    }

    /// A sentence as Markdown, followed by a link to each event it cites.
    fn cited(&self, sentence: &DraftSentence) -> String {
        let links: Vec<String> = sentence
            .cites
            .iter()
            .map(|id| {
                let place = self.places.get(id.as_str()).copied().unwrap_or_default();
                format!("[{place}](/incidents/{}#event-{})", url_part(self.handle), url_part(id))
            })
            .collect();
        format!("{} {}", escape_markdown(&sentence.text), links.join(" "))
    }
}

/// The events that show each key moment: the earliest marked with it, else (for detection and
/// acknowledgement) the first alert or acknowledgement, as the response analysis reads them.
struct Moments<'a> {
    impact: Option<&'a TimelineEvent>,
    detection: Option<&'a TimelineEvent>,
    acknowledgement: Option<&'a TimelineEvent>,
    mitigation: Option<&'a TimelineEvent>,
    resolution: Option<&'a TimelineEvent>,
}

impl<'a> Moments<'a> {
    fn of(t: &Timeline<'a>) -> Moments<'a> {
        Moments {
            impact: t.marked(KeyMoment::ImpactStart),
            detection: t.marked(KeyMoment::Detection).or_else(|| t.first_of(EventKind::Alert)),
            acknowledgement: t.marked(KeyMoment::Acknowledgement).or_else(|| t.first_of(EventKind::Acknowledgement)),
            mitigation: t.marked(KeyMoment::Mitigation),
            resolution: t.marked(KeyMoment::Resolution),
        }
    }
}

// ---- the sections ----

fn summary(t: &Timeline, m: &Moments) -> Vec<DraftSentence> {
    let mut out = Vec::new();
    let later: Vec<(&str, &TimelineEvent)> = [
        ("detected", m.detection),
        ("acknowledged", m.acknowledgement),
        ("mitigated", m.mitigation),
        ("resolved", m.resolution),
    ]
    .into_iter()
    .filter_map(|(verb, e)| e.map(|e| (verb, e)))
    .collect();
    let mut days = Days::default();
    let list = |parts: &[(&str, &TimelineEvent)], days: &mut Days| {
        let said: Vec<String> = parts.iter().map(|(verb, e)| format!("{verb} {}", days.at(e))).collect();
        and_list(&said)
    };
    match m.impact {
        Some(impact) => {
            let mut text = format!("Impact began {}", days.at(impact));
            if !later.is_empty() {
                text.push_str(&format!("; it was {}", list(&later, &mut days)));
            }
            text.push('.');
            let mut cited = vec![impact];
            cited.extend(later.iter().map(|(_, e)| *e));
            out.push(t.sentence(text, &cited));
        }
        None if !later.is_empty() => {
            let text = format!("It was {}.", list(&later, &mut days));
            let cited: Vec<&TimelineEvent> = later.iter().map(|(_, e)| *e).collect();
            out.push(t.sentence(text, &cited));
        }
        None => match (t.events.first(), t.events.last()) {
            (Some(first), Some(last)) if first.id != last.id => {
                out.push(t.sentence(format!("The timeline runs {}.", span(first, last)), &[first, last]));
            }
            (Some(only), _) => {
                let text = format!("The timeline holds a single event, {}.", Days::default().at(only));
                out.push(t.sentence(text, &[only]));
            }
            _ => {}
        },
    }
    if let (Some(impact), Some(resolved)) = (m.impact, m.resolution)
        && let Some(took) = between(impact, resolved)
    {
        out.push(t.sentence(format!("It ran {took} from impact start to resolution."), &[impact, resolved]));
    }
    let mut named: Vec<(&str, &TimelineEvent)> = Vec::new();
    for service in t.services {
        let wanted = service.to_lowercase();
        if named.iter().any(|(s, _)| s.to_lowercase() == wanted) {
            continue;
        }
        if let Some(e) = t.events.iter().find(|e| words(&e.text).iter().any(|w| w.lower == wanted)) {
            named.push((service.as_str(), e));
        }
    }
    if !named.is_empty() {
        let services: Vec<String> = named.iter().map(|(s, _)| s.to_string()).collect();
        let noun = if named.len() == 1 { "service" } else { "services" };
        let cited: Vec<&TimelineEvent> = named.iter().map(|(_, e)| *e).collect();
        out.push(t.sentence(format!("The events name the {noun} {}.", and_list(&services)), &cited));
    }
    out
}

fn detection(t: &Timeline, m: &Moments) -> Vec<DraftSentence> {
    let mut out = Vec::new();
    if let Some(detected) = m.detection {
        let text = format!("It was detected at {} through {}{}.", clock(detected), describe(detected), quote(detected));
        out.push(t.sentence(text, &[detected]));
        if let Some(impact) = m.impact
            && let Some(after) = between(impact, detected)
        {
            let text = format!("That was {after} after impact began at {}.", clock(impact));
            out.push(t.sentence(text, &[impact, detected]));
        }
    }
    let alerts = t.all_of(|e| e.kind == EventKind::Alert);
    match alerts[..] {
        [] => {}
        [only] if m.detection.is_some_and(|d| d.id == only.id) => {}
        [only] => out.push(t.sentence(format!("An alert fired at {}{}.", clock(only), quote(only)), &[only])),
        [first, .., last] if alerts.len() <= MAX_COUNTED => {
            out.push(t.sentence(format!("{} alerts fired {}.", alerts.len(), span(first, last)), &alerts));
        }
        [first, .., last] => out.push(t.sentence(format!("Alerts kept firing {}.", span(first, last)), &[first, last])),
    }
    let pages = t.all_of(|e| e.kind == EventKind::Page);
    match pages[..] {
        [] => {}
        [only] => {
            out.push(t.sentence(format!("A page was sent at {}, recorded by {}.", clock(only), who(only)), &[only]))
        }
        [first, ..] if pages.len() <= MAX_COUNTED => {
            out.push(t.sentence(format!("{} pages were sent, the first at {}.", pages.len(), clock(first)), &pages));
        }
        [first, .., last] => out.push(t.sentence(format!("Pages were sent {}.", span(first, last)), &[first, last])),
    }
    if let Some(ack) = m.acknowledgement {
        match m.detection.and_then(|d| between(d, ack).map(|after| (d, after))) {
            Some((detected, after)) => {
                let text = format!("It was acknowledged at {} by {}, {after} after detection.", clock(ack), who(ack));
                out.push(t.sentence(text, &[detected, ack]));
            }
            None => out.push(t.sentence(format!("It was acknowledged at {} by {}.", clock(ack), who(ack)), &[ack])),
        }
    }
    out
}

fn response(t: &Timeline, findings: &[ResponseFinding]) -> Vec<DraftSentence> {
    let mut out = Vec::new();
    let mut actors: Vec<(String, &TimelineEvent)> = Vec::new();
    for e in t.events {
        if let Some(name) = actor(e)
            && !actors.iter().any(|(known, _)| *known == name)
        {
            actors.push((name, e));
        }
    }
    match actors.len() {
        0 => {}
        1 => {
            let (name, e) = &actors[0];
            out.push(t.sentence(format!("The only actor named on the timeline is {name}."), &[*e]));
        }
        n if n <= MAX_ACTORS => {
            let names: Vec<String> = actors.iter().map(|(name, _)| name.clone()).collect();
            let cited: Vec<&TimelineEvent> = actors.iter().map(|(_, e)| *e).collect();
            let text = format!("{n} people and tools acted on the timeline: {}.", and_list(&names));
            out.push(t.sentence(text, &cited));
        }
        _ => {}
    }
    let escalations = t.all_of(|e| e.kind == EventKind::Escalation || e.key_moment == Some(KeyMoment::Escalation));
    match escalations[..] {
        [] => {}
        [only] => {
            let text = format!("It was escalated at {} by {}{}.", clock(only), who(only), quote(only));
            out.push(t.sentence(text, &[only]));
        }
        [first, ..] if escalations.len() <= MAX_COUNTED => {
            let text = format!(
                "{} escalations were recorded, the first at {} by {}.",
                escalations.len(),
                clock(first),
                who(first)
            );
            out.push(t.sentence(text, &escalations));
        }
        [first, .., last] => {
            out.push(t.sentence(format!("Escalations were recorded {}.", span(first, last)), &[first, last]));
        }
    }
    let updates = t.all_of(|e| e.kind == EventKind::StatusUpdate);
    match updates[..] {
        [] => {}
        [only] => {
            let text = format!("A status update was posted at {} by {}{}.", clock(only), who(only), quote(only));
            out.push(t.sentence(text, &[only]));
        }
        [first, .., last] if updates.len() <= MAX_COUNTED => {
            out.push(
                t.sentence(format!("{} status updates were posted, {}.", updates.len(), span(first, last)), &updates),
            );
        }
        [first, .., last] => {
            out.push(t.sentence(format!("Status updates were posted {}.", span(first, last)), &[first, last]));
        }
    }
    out.extend(findings.iter().filter_map(|f| finding(t, f)).take(MAX_FINDINGS));
    out
}

/// A finding of the response analysis in words built from the two events it rests on; `None`
/// when it rests on anything else (a field of the incident, a moment set by hand), or is of a
/// kind these words do not tell.
fn finding(t: &Timeline, finding: &ResponseFinding) -> Option<DraftSentence> {
    let mut cited = Vec::new();
    for evidence in &finding.evidence {
        match evidence {
            Evidence::Event { event_id, .. } => cited.push(t.event(event_id)?),
            // What was looked for in the whole timeline and not found.
            Evidence::Field { path, .. } if path == "timeline" => {}
            _ => return None,
        }
    }
    cited.sort_by(|a, b| timeline_order(a).cmp(&timeline_order(b)));
    let [from, to] = cited.as_slice() else { return None };
    let (from, to) = (*from, *to);
    let took = between(from, to)?;
    let text = match finding.kind {
        ResponseFindingKind::LateAcknowledgement
            if to.kind == EventKind::Acknowledgement || to.key_moment == Some(KeyMoment::Acknowledgement) =>
        {
            format!(
                "Acknowledgement came at {}, {took} after detection at {}, later than the checklist's target.",
                clock(to),
                clock(from)
            )
        }
        ResponseFindingKind::LateAcknowledgement => format!(
            "No acknowledgement is recorded {}: {took} from detection on, longer than the checklist's target.",
            span(from, to)
        ),
        ResponseFindingKind::LateEscalation
            if matches!(to.kind, EventKind::Escalation | EventKind::Page)
                || to.key_moment == Some(KeyMoment::Escalation) =>
        {
            format!(
                "Help was brought in at {}, {took} after {}, later than the checklist's guideline.",
                clock(to),
                clock(from)
            )
        }
        ResponseFindingKind::LateEscalation => format!(
            "No escalation is recorded {} while the incident was unmitigated, {took}, longer than the checklist's \
             guideline.",
            span(from, to)
        ),
        ResponseFindingKind::CommunicationGap => {
            format!("Stakeholders had no update {}, {took}, longer than the checklist's interval.", span(from, to))
        }
        ResponseFindingKind::DuplicateWork => {
            let what = if finding.topic == "action" { String::new() } else { format!(" ({})", finding.topic) };
            format!(
                "The same action{what} was recorded twice, at {} and {}, by different actors with no message between \
                 them.",
                clock(from),
                clock(to)
            )
        }
        ResponseFindingKind::TaskNotDone if finding.topic == "handover" => {
            format!("The response ran {took}, {}, with no handover recorded.", span(from, to))
        }
        _ => return None,
    };
    Some(t.sentence(text, &[from, to]))
}

fn resolution(t: &Timeline, m: &Moments) -> Vec<DraftSentence> {
    let mut out = Vec::new();
    if let Some(mitigated) = m.mitigation {
        let text =
            format!("It was mitigated at {} with {}{}.", clock(mitigated), describe(mitigated), quote(mitigated));
        out.push(t.sentence(text, &[mitigated]));
    }
    let rollbacks = t.all_of(|e| e.kind == EventKind::Rollback);
    match rollbacks[..] {
        [] => {}
        [only] if m.mitigation.is_some_and(|e| e.id == only.id) => {}
        [only] => {
            let text = format!("A rollback was recorded at {} by {}{}.", clock(only), who(only), quote(only));
            out.push(t.sentence(text, &[only]));
        }
        [first, .., last] if rollbacks.len() <= MAX_COUNTED => {
            out.push(
                t.sentence(format!("{} rollbacks were recorded, {}.", rollbacks.len(), span(first, last)), &rollbacks),
            );
        }
        [first, .., last] => {
            out.push(t.sentence(format!("Rollbacks were recorded {}.", span(first, last)), &[first, last]))
        }
    }
    if let Some(resolved) = m.resolution {
        let text = format!("It was resolved at {} with {}{}.", clock(resolved), describe(resolved), quote(resolved));
        out.push(t.sentence(text, &[resolved]));
    }
    out
}

/// The notable events in time order, one sentence each: key moments, the first alert, pages,
/// acknowledgements, escalations, status updates, deploys, rollbacks, actions and milestones;
/// when there are more than [`MAX_NARRATIVE`], key moments and the first alert first, then
/// acknowledgements, escalations, deploys and rollbacks, then the rest, earliest first.
fn narrative(t: &Timeline) -> Vec<DraftSentence> {
    let first_alert = t.first_of(EventKind::Alert).map(|e| e.id.as_str());
    let rank = |e: &TimelineEvent| -> Option<u8> {
        if e.key_moment.is_some() || Some(e.id.as_str()) == first_alert {
            return Some(0);
        }
        match e.kind {
            EventKind::Acknowledgement | EventKind::Escalation | EventKind::Deploy | EventKind::Rollback => Some(1),
            EventKind::Page | EventKind::StatusUpdate | EventKind::Action | EventKind::Milestone => Some(2),
            EventKind::Alert | EventKind::Message | EventKind::Note => None,
        }
    };
    let mut chosen: Vec<(u8, usize)> =
        t.events.iter().enumerate().filter_map(|(i, e)| rank(e).map(|r| (r, i))).collect();
    chosen.sort_unstable();
    chosen.truncate(MAX_NARRATIVE);
    chosen.sort_unstable_by_key(|(_, i)| *i);
    let mut days = Days::default();
    chosen
        .into_iter()
        .map(|(_, i)| {
            let e = &t.events[i];
            let marked = e.key_moment.map(|k| format!(", marked as {}", k.words())).unwrap_or_default();
            let text = format!("{}, {}{marked}{}.", capitalised(&days.at(e)), describe(e), quote(e));
            t.sentence(text, &[e])
        })
        .collect()
}

// ---- words ----

/// `at HH:MM UTC`, with `on YYYY-MM-DD` the first time and whenever the day changes.
#[derive(Default)]
struct Days {
    last: Option<time::Date>,
}

impl Days {
    fn at(&mut self, e: &TimelineEvent) -> String {
        let day = utc(e.occurred_at).date();
        let shown = if self.last == Some(day) { String::new() } else { format!(" on {}", day_text(e)) };
        self.last = Some(day);
        format!("at {}{shown}", clock(e))
    }
}

/// `from HH:MM UTC to HH:MM UTC`, with both days when they differ.
fn span(from: &TimelineEvent, to: &TimelineEvent) -> String {
    if utc(from.occurred_at).date() == utc(to.occurred_at).date() {
        format!("from {} to {}", clock(from), clock(to))
    } else {
        format!("from {} on {} to {} on {}", clock(from), day_text(from), clock(to), day_text(to))
    }
}

fn utc(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(UtcOffset::UTC)
}

/// The event's time as `HH:MM UTC`.
fn clock(e: &TimelineEvent) -> String {
    clock_text(e.occurred_at)
}

/// The event's day in UTC, `YYYY-MM-DD`.
fn day_text(e: &TimelineEvent) -> String {
    let day = utc(e.occurred_at).date();
    format!("{:04}-{:02}-{:02}", day.year(), u8::from(day.month()), day.day())
}

/// How long from `from` to `to` as their clock times read (to the minute), when it is longer
/// than nothing.
fn between(from: &TimelineEvent, to: &TimelineEvent) -> Option<String> {
    let minute = |e: &TimelineEvent| e.occurred_at.unix_timestamp().div_euclid(60);
    let minutes = minute(to).checked_sub(minute(from)).filter(|m| *m > 0)?;
    Some(minutes_text(Duration::minutes(minutes)))
}

/// The event's actor, white space collapsed; `None` when it names none.
fn actor(e: &TimelineEvent) -> Option<String> {
    let name = e.actor.as_deref().map(one_line).unwrap_or_default();
    (!name.is_empty()).then_some(name)
}

/// The source of events people add by hand, which names no tool.
const BY_HAND: &str = "manual";

/// Who recorded the event: its actor, else its source (`hand` for one added by hand).
fn who(e: &TimelineEvent) -> String {
    match actor(e) {
        Some(name) => name,
        None if e.source == BY_HAND => "hand".to_string(),
        None => one_line(&e.source),
    }
}

/// The event as a noun: `an alert from alertmanager`, `a rollback by deploy-bot`, `a note
/// recorded by hand`.
fn describe(e: &TimelineEvent) -> String {
    let kind = e.kind.words();
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    match actor(e) {
        Some(name) => format!("{article} {kind} by {name}"),
        None if e.source == BY_HAND => format!("{article} {kind} recorded by hand"),
        None => format!("{article} {kind} from {}", one_line(&e.source)),
    }
}

/// `: “…”` quoting the start of the event's text on one line, cut at a word past
/// [`QUOTE_CHARS`]; nothing for an event without text. Curly quotes in it become straight ones,
/// so the quote's own marks stay unambiguous.
fn quote(e: &TimelineEvent) -> String {
    let text = one_line(&e.text).replace(['“', '”'], "\"");
    if text.is_empty() {
        return String::new();
    }
    if text.chars().count() <= QUOTE_CHARS {
        return format!(": “{text}”");
    }
    let cut: String = text.chars().take(QUOTE_CHARS).collect();
    let kept = match cut.rfind(' ') {
        Some(space) if space > 0 => &cut[..space],
        _ => cut.as_str(),
    };
    format!(": “{kept}…”")
}

/// Text on one line: white space (newlines, tabs) and control characters collapsed to single spaces.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Text that Markdown shows as it is: the characters that would start emphasis, code, a link,
/// HTML, an entity or a strike-through are escaped. Sentences never start with quoted text,
/// so nothing can start a block.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' | '&') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text safe in a URL's path or fragment: anything but letters, digits, `-`, `_`, `.` and `~`
/// percent-encoded.
fn url_part(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixtures::{at, event, incident};
    use time::macros::offset;

    fn draft(events: &[TimelineEvent]) -> Draft {
        draft_from_timeline(&incident(2), events, &ResponseChecklist::default())
    }

    fn texts(draft: &Draft, section: SectionName) -> Vec<String> {
        draft.section(section).map(|s| s.sentences.iter().map(|s| s.text.clone()).collect()).unwrap_or_default()
    }

    fn marked(mut e: TimelineEvent, moment: KeyMoment) -> TimelineEvent {
        e.key_moment = Some(moment);
        e
    }

    /// A response with every key moment marked on the timeline.
    fn timeline() -> Vec<TimelineEvent> {
        vec![
            marked(
                event("e1", 0, "alertmanager", EventKind::Alert, "", "HighErrorRate firing for checkout-api"),
                KeyMoment::ImpactStart,
            ),
            marked(
                event("e2", 2, "pagerduty", EventKind::Page, "", "Paged the payments on-call"),
                KeyMoment::Detection,
            ),
            event("e3", 5, "pagerduty", EventKind::Acknowledgement, "ana", "Acknowledged"),
            event("e4", 6, "slack", EventKind::Message, "ana", "Looking at the pool"),
            event("e5", 10, "slack", EventKind::StatusUpdate, "fatima", "Status page: checkout degraded"),
            marked(
                event("e6", 20, "github", EventKind::Rollback, "deploy-bot", "Rolled back checkout-api to 2.3.1"),
                KeyMoment::Mitigation,
            ),
            marked(event("e7", 25, "slack", EventKind::StatusUpdate, "fatima", "Resolved"), KeyMoment::Resolution),
        ]
    }

    #[test]
    fn an_empty_timeline_gives_an_empty_draft() {
        let draft = draft(&[]);
        assert!(draft.is_empty());
        assert_eq!((draft.incident.as_str(), draft.events), ("INC-1", 0));
    }

    #[test]
    fn the_summary_tells_the_key_moments_and_cites_their_events() {
        let draft = draft(&timeline());
        let summary = draft.section(SectionName::Summary).unwrap();
        assert_eq!(
            summary.sentences[0].text,
            "Impact began at 10:00 UTC on 2026-02-01; it was detected at 10:02 UTC, acknowledged at 10:05 UTC, \
             mitigated at 10:20 UTC and resolved at 10:25 UTC."
        );
        assert_eq!(summary.sentences[0].cites, ["e1", "e2", "e3", "e6", "e7"]);
        assert_eq!(summary.sentences[1].text, "It ran 25 minutes from impact start to resolution.");
        assert_eq!(summary.sentences[1].cites, ["e1", "e7"]);
        assert_eq!(summary.sentences[2].text, "The events name the service checkout-api.");
        assert_eq!(summary.sentences[2].cites, ["e1"]);
    }

    #[test]
    fn times_are_told_in_utc_whatever_offset_the_event_came_with() {
        let mut e = marked(event("e1", 0, "manual", EventKind::Note, "ana", "Started"), KeyMoment::ImpactStart);
        e.occurred_at = e.occurred_at.to_offset(offset!(+5:30));
        let draft = draft(&[e]);
        assert_eq!(texts(&draft, SectionName::Summary), ["Impact began at 10:00 UTC on 2026-02-01."]);
    }

    #[test]
    fn the_day_is_told_again_when_it_changes() {
        let events = vec![
            marked(event("a", 0, "manual", EventKind::Note, "ana", "x"), KeyMoment::ImpactStart),
            marked(event("b", 20 * 60, "manual", EventKind::Note, "ana", "y"), KeyMoment::Resolution),
        ];
        let draft = draft(&events);
        assert_eq!(
            texts(&draft, SectionName::Summary)[..2],
            [
                "Impact began at 10:00 UTC on 2026-02-01; it was resolved at 06:00 UTC on 2026-02-02.",
                "It ran 20 h from impact start to resolution."
            ]
        );
    }

    #[test]
    fn without_key_moments_the_summary_gives_the_timeline_span() {
        let events = vec![
            event("a", 0, "slack", EventKind::Message, "ana", "Is checkout slow?"),
            event("b", 30, "slack", EventKind::Message, "ben", "Looks fine now"),
        ];
        let draft = draft(&events);
        assert_eq!(texts(&draft, SectionName::Summary)[0], "The timeline runs from 10:00 UTC to 10:30 UTC.");
        assert!(draft.section(SectionName::Detection).is_none());
        assert!(draft.section(SectionName::Resolution).is_none());
    }

    #[test]
    fn detection_falls_back_to_the_first_alert_and_counts_the_alerts() {
        let events = vec![
            event("a1", 3, "alertmanager", EventKind::Alert, "", "Latency high"),
            event("a2", 4, "grafana", EventKind::Alert, "", "Errors high"),
            event("ack", 9, "pagerduty", EventKind::Acknowledgement, "ana", "Acknowledged"),
        ];
        let draft = draft(&events);
        let detection = draft.section(SectionName::Detection).unwrap();
        let said: Vec<(&str, Vec<&str>)> = detection
            .sentences
            .iter()
            .map(|s| (s.text.as_str(), s.cites.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            said,
            [
                ("It was detected at 10:03 UTC through an alert from alertmanager: “Latency high”.", vec!["a1"]),
                ("2 alerts fired from 10:03 UTC to 10:04 UTC.", vec!["a1", "a2"]),
                ("It was acknowledged at 10:09 UTC by ana, 6 minutes after detection.", vec!["a1", "ack"]),
            ]
        );
    }

    #[test]
    fn a_count_past_the_limit_gives_the_span_instead() {
        let events: Vec<TimelineEvent> = (0..=MAX_COUNTED as i64)
            .map(|i| event(&format!("a{i:03}"), i, "alertmanager", EventKind::Alert, "", "Flapping"))
            .collect();
        let draft = draft(&events);
        let detection = draft.section(SectionName::Detection).unwrap();
        assert_eq!(detection.sentences[1].text, "Alerts kept firing from 10:00 UTC to 10:50 UTC.");
        assert_eq!(detection.sentences[1].cites, ["a000", "a050"]);
    }

    #[test]
    fn a_service_is_named_only_when_an_event_names_it() {
        let events = vec![event("a", 0, "alertmanager", EventKind::Alert, "", "payments-database slow")];
        let draft = draft(&events);
        assert!(texts(&draft, SectionName::Summary).iter().all(|s| !s.contains("payments")), "{draft:?}");
    }

    #[test]
    fn the_response_names_its_actors_once_each_citing_where_they_first_appear() {
        let draft = draft(&timeline());
        let response = draft.section(SectionName::ResponseAnalysis).unwrap();
        assert_eq!(response.sentences[0].text, "3 people and tools acted on the timeline: ana, fatima and deploy-bot.");
        assert_eq!(response.sentences[0].cites, ["e3", "e5", "e6"]);
        assert_eq!(response.sentences[1].text, "2 status updates were posted, from 10:10 UTC to 10:25 UTC.");
    }

    #[test]
    fn a_finding_resting_on_events_is_told_in_their_words() {
        let mut incident = incident(2);
        incident.moments = Default::default();
        let mut events = timeline();
        // Acknowledged 38 minutes after detection, then mitigated: late, and the events show it.
        events[2].occurred_at = at(40);
        events[5].occurred_at = at(45);
        events[6].occurred_at = at(50);
        let draft = draft_from_timeline(&incident, &events, &ResponseChecklist::default());
        let said = texts(&draft, SectionName::ResponseAnalysis);
        assert!(
            said.contains(
                &"Acknowledgement came at 10:40 UTC, 38 minutes after detection at 10:02 UTC, later than the \
                  checklist's target."
                    .to_string()
            ),
            "{said:?}"
        );
    }

    #[test]
    fn no_acknowledgement_is_told_from_detection_to_the_last_event() {
        let mut incident = incident(4);
        incident.moments = Default::default();
        let events = vec![
            event("a", 0, "alertmanager", EventKind::Alert, "", "Errors high"),
            event("m", 40, "slack", EventKind::Message, "ana", "Anyone?"),
        ];
        let draft = draft_from_timeline(&incident, &events, &ResponseChecklist::default());
        let response = draft.section(SectionName::ResponseAnalysis).unwrap();
        let told = response.sentences.iter().find(|s| s.text.starts_with("No acknowledgement")).unwrap();
        assert_eq!(
            told.text,
            "No acknowledgement is recorded from 10:00 UTC to 10:40 UTC: 40 minutes from detection on, longer than \
             the checklist's target."
        );
        assert_eq!(told.cites, ["a", "m"]);
    }

    #[test]
    fn a_finding_resting_on_a_moment_set_by_hand_is_not_told() {
        let mut incident = incident(2);
        // Set on the incident, at a time no event shows.
        incident.moments.acknowledged_at = Some(at(40));
        let draft = draft_from_timeline(&incident, &timeline(), &ResponseChecklist::default());
        let said = texts(&draft, SectionName::ResponseAnalysis);
        assert!(said.iter().all(|s| !s.contains("Acknowledgement came")), "{said:?}");
    }

    #[test]
    fn the_narrative_tells_notable_events_in_order_and_leaves_chatter_out() {
        let draft = draft(&timeline());
        let response = draft.section(SectionName::ResponseAnalysis).unwrap();
        let told: Vec<&str> = response.narrative.iter().map(|s| s.cites[0].as_str()).collect();
        assert_eq!(told, ["e1", "e2", "e3", "e5", "e6", "e7"], "the message e4 is chatter");
        assert_eq!(
            response.narrative[0].text,
            "At 10:00 UTC on 2026-02-01, an alert from alertmanager, marked as impact start: “HighErrorRate firing \
             for checkout-api”."
        );
        assert_eq!(response.narrative[2].text, "At 10:05 UTC, an acknowledgement by ana: “Acknowledged”.");
    }

    #[test]
    fn a_long_narrative_keeps_key_moments_first() {
        let mut events: Vec<TimelineEvent> = (0..100)
            .map(|i| event(&format!("n{i:03}"), i, "manual", EventKind::Action, "ana", "Checked a dashboard"))
            .collect();
        events.push(marked(event("r", 200, "manual", EventKind::Note, "ana", "All good"), KeyMoment::Resolution));
        let draft = draft(&events);
        let narrative = &draft.section(SectionName::ResponseAnalysis).unwrap().narrative;
        assert_eq!(narrative.len(), MAX_NARRATIVE);
        assert_eq!(narrative.last().map(|s| s.cites[0].as_str()), Some("r"));
        assert_eq!(narrative[0].cites, ["n000"]);
    }

    #[test]
    fn markdown_links_each_sentence_to_its_events_by_their_place_in_the_timeline() {
        let draft = draft(&timeline());
        let summary = draft.section(SectionName::Summary).unwrap();
        assert!(
            summary.markdown.starts_with(
                "Impact began at 10:00 UTC on 2026-02-01; it was detected at 10:02 UTC, acknowledged at 10:05 UTC, \
                 mitigated at 10:20 UTC and resolved at 10:25 UTC. [1](/incidents/INC-1#event-e1) \
                 [2](/incidents/INC-1#event-e2) [3](/incidents/INC-1#event-e3) [6](/incidents/INC-1#event-e6) \
                 [7](/incidents/INC-1#event-e7) It ran"
            ),
            "{}",
            summary.markdown
        );
        let response = draft.section(SectionName::ResponseAnalysis).unwrap();
        assert!(
            response.markdown.contains("\n\nThe response as it happened:\n\n- At 10:00 UTC"),
            "{}",
            response.markdown
        );
    }

    #[test]
    fn event_text_cannot_make_markdown_or_html_of_the_draft() {
        let e = marked(
            event(
                "x y",
                0,
                "manual",
                EventKind::Note,
                "<b>ana</b>",
                "*bold* [link](http://x) <script>`x`</script>\n# head",
            ),
            KeyMoment::Resolution,
        );
        let draft = draft(&[e]);
        let resolution = draft.section(SectionName::Resolution).unwrap();
        assert_eq!(
            resolution.sentences[0].text,
            "It was resolved at 10:00 UTC with a note by <b>ana</b>: “*bold* [link](http://x) <script>`x`</script> # head”."
        );
        assert_eq!(
            resolution.markdown,
            "It was resolved at 10:00 UTC with a note by \\<b\\>ana\\</b\\>: “\\*bold\\* \\[link\\](http://x) \
             \\<script\\>\\`x\\`\\</script\\> # head”. [1](/incidents/INC-1#event-x%20y)"
        );
    }

    #[test]
    fn an_event_added_by_hand_without_an_actor_is_said_to_be() {
        let mut e = marked(event("a", 0, "manual", EventKind::Note, "", "Checkout is back"), KeyMoment::Resolution);
        e.actor = None;
        let draft = draft(&[e]);
        assert_eq!(
            texts(&draft, SectionName::Resolution),
            ["It was resolved at 10:00 UTC with a note recorded by hand: “Checkout is back”."]
        );
    }

    #[test]
    fn a_sentence_ending_on_a_quoted_sentence_takes_no_second_full_stop() {
        let e = marked(event("a", 0, "manual", EventKind::Note, "ana", "All green. Resolved!"), KeyMoment::Resolution);
        let draft = draft(&[e]);
        assert_eq!(
            texts(&draft, SectionName::Resolution),
            ["It was resolved at 10:00 UTC with a note by ana: “All green. Resolved!”"]
        );
    }

    #[test]
    fn long_text_is_quoted_up_to_a_word() {
        let text = format!("{} tail", "word ".repeat(40));
        let draft = draft(&[marked(event("a", 0, "manual", EventKind::Note, "ana", &text), KeyMoment::Resolution)]);
        let said = &texts(&draft, SectionName::Resolution)[0];
        assert!(said.ends_with("word word…”."), "{said}");
        assert!(said.chars().count() < QUOTE_CHARS + 80, "{said}");
    }

    #[test]
    fn the_same_events_in_another_order_give_the_same_draft() {
        let mut events = timeline();
        // Two events at the same moment, which only the tie-break orders.
        events.push(event("e8", 5, "manual", EventKind::Action, "ben", "Restarted checkout-api"));
        let forward = draft(&events);
        events.reverse();
        assert_eq!(draft(&events), forward);
    }

    #[test]
    fn a_long_timeline_keeps_to_the_limits() {
        let long = "x".repeat(200);
        let events: Vec<TimelineEvent> = (0..1000)
            .map(|i| {
                let kind = EventKind::ALL[i % EventKind::ALL.len()];
                let mut e = event(&format!("{i:04}"), i as i64, "manual", kind, &format!("{i}{long}"), "Checked again");
                e.key_moment = (i % 7 == 0).then_some(KeyMoment::Escalation);
                e
            })
            .collect();
        let draft = draft(&events);
        let response = draft.section(SectionName::ResponseAnalysis).unwrap();
        assert_eq!(response.narrative.len(), MAX_NARRATIVE);
        for section in &draft.sections {
            assert!(section.markdown.chars().count() <= MAX_TEXT, "{}", section.section);
            for sentence in section.sentences.iter().chain(&section.narrative) {
                assert!(sentence.cites.len() <= MAX_COUNTED.max(MAX_ACTORS), "{}", sentence.text);
            }
        }
    }

    #[test]
    fn a_section_longer_than_a_section_may_be_loses_sentences_from_its_end() {
        let incident = incident(2);
        let events = [event("e1", 0, "manual", EventKind::Note, "ana", "x")];
        let t = Timeline::new(&incident, &events);
        let sentence = DraftSentence { text: "word ".repeat(200), cites: vec!["e1".into()] };
        let section = t.section(SectionName::Summary, vec![sentence.clone(); 150], vec![sentence; 10]);
        assert!(section.markdown.chars().count() <= MAX_TEXT);
        assert!(section.narrative.is_empty(), "the narrative goes first");
        assert!((90..150).contains(&section.sentences.len()), "{}", section.sentences.len());
    }
}
