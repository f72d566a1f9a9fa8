//! What the analyses in core say about a stored incident: whether it needs a
//! post-mortem, how the response went, and what its post-mortem still lacks. Loads what
//! they need through the store (as the viewer, so privacy holds) and runs them.
//!
//! Also starts the draft post-mortem of an incident that resolves needing one.

use hindsight_core::access::Viewer;
use hindsight_core::analysis::{
    MissingItem, Necessity, PolicyDecision, ResponseFinding, analyse_response, check_completeness, evaluate_policy,
    users_never_told,
};
use hindsight_core::{
    ActionItem, Incident, IncidentStatus, NewPostmortem, Postmortem, ResponderRole, Sections, TimelineEvent,
};
use hindsight_store::{ActionItemFilter, Store, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::settings::Rules;

/// Timeline events read for an analysis; longer timelines are analysed on their first events.
const MAX_ANALYSED_EVENTS: i64 = 20_000;

/// Everything the analyses look at.
pub struct Evidence {
    pub incident: Incident,
    pub events: Vec<TimelineEvent>,
    pub postmortem: Option<Postmortem>,
    pub action_items: Vec<ActionItem>,
    /// Whether the post-mortem's public summary is published.
    pub summary_published: bool,
}

/// The policy's decision with the response findings it weighed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PolicyReport {
    pub incident: String,
    #[schema(value_type = Object)]
    pub decision: PolicyDecision,
    #[schema(value_type = Vec<Object>)]
    pub response: Vec<ResponseFinding>,
}

/// Loads an incident, its timeline, post-mortem and action items, as `viewer`.
pub async fn gather(store: &Store, viewer: &Viewer, number: i64) -> Result<Evidence, StoreError> {
    let incident = store.incident(viewer, number).await?;
    let events = timeline(store, viewer, number).await?;
    let postmortem = match store.postmortem_of_incident(viewer, number).await {
        Ok(pm) => Some(pm),
        Err(StoreError::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let filter = ActionItemFilter { incident: Some(number), ..ActionItemFilter::default() };
    let mut action_items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list_action_items(viewer, &filter, cursor.as_deref(), 200).await?;
        action_items.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let summary_published = summary_published(store, viewer, postmortem.as_ref()).await?;
    Ok(Evidence { incident, events, postmortem, action_items, summary_published })
}

/// The timeline of incident `number` as `viewer` sees it, in timeline order: its first
/// 20,000 events at most.
pub async fn timeline(store: &Store, viewer: &Viewer, number: i64) -> Result<Vec<TimelineEvent>, StoreError> {
    let mut events = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list_events(viewer, number, cursor.as_deref(), 5000).await?;
        events.extend(page.items);
        match page.next_cursor {
            Some(next) if (events.len() as i64) < MAX_ANALYSED_EVENTS => cursor = Some(next),
            _ => break,
        }
    }
    Ok(events)
}

/// Whether the public summary of `postmortem` is published (false without a post-mortem).
pub async fn summary_published(
    store: &Store,
    viewer: &Viewer,
    postmortem: Option<&Postmortem>,
) -> Result<bool, StoreError> {
    match postmortem {
        Some(pm) => Ok(store.public_summary(viewer, &pm.id).await?.is_some_and(|s| s.published_at.is_some())),
        None => Ok(false),
    }
}

/// Whether the incident needs a post-mortem, with the response findings behind it.
pub fn policy(evidence: &Evidence, rules: &Rules) -> PolicyReport {
    let mut response = analyse_response(&evidence.incident, &evidence.events, &rules.response);
    response.extend(users_never_told(
        &evidence.incident,
        &evidence.events,
        evidence.postmortem.as_ref(),
        evidence.summary_published,
        &rules.response,
    ));
    let decision =
        evaluate_policy(&evidence.incident, &evidence.events, evidence.postmortem.as_ref(), &response, &rules.policy);
    PolicyReport { incident: evidence.incident.handle.clone(), decision, response }
}

/// What the incident's post-mortem still lacks before review (empty when complete).
pub fn completeness(evidence: &Evidence) -> Option<Vec<MissingItem>> {
    let postmortem = evidence.postmortem.as_ref()?;
    Some(check_completeness(postmortem, &evidence.incident, &evidence.events, &evidence.action_items))
}

/// Keeps what the policy decides for a resolved incident, and starts the post-mortem of
/// one that requires one and has none,
/// owned by its incident commander (or `viewer`), pre-filled from what is known and a first
/// draft written from the timeline.
pub async fn draft_if_required(
    store: &Store,
    viewer: &Viewer,
    rules: &Rules,
    number: i64,
) -> Result<Option<Postmortem>, StoreError> {
    let evidence = gather(store, viewer, number).await?;
    if evidence.incident.status != IncidentStatus::Resolved {
        return Ok(None);
    }
    // The decision as it resolved is kept, for post-mortem coverage across incidents.
    let report = policy(&evidence, rules);
    store.record_policy_necessity(number, report.decision.necessity).await?;
    if report.decision.necessity != Necessity::Required || evidence.postmortem.is_some() {
        return Ok(None);
    }
    // Another incident's post-mortem covers it already.
    if store.covered_by(&Viewer::operator(), number).await?.is_some() {
        return Ok(None);
    }
    let incident = &evidence.incident;
    let owner = incident
        .responders
        .iter()
        .find(|r| r.role == ResponderRole::IncidentCommander)
        .map(|r| r.username.clone())
        .or_else(|| viewer.actor_id().map(|_| viewer.username.clone()));
    // Due as the deadlines ask for its severity, counted in business days from resolution.
    let resolved = incident.moments.resolved_at.unwrap_or_else(time::OffsetDateTime::now_utc);
    let due = rules.deadlines.postmortem(incident.severity, resolved).draft;
    let new = NewPostmortem { owner, due_date: Some(due), sections: prefill(incident, &evidence.events, rules) };
    match store.create_postmortem(viewer, number, new).await {
        Ok(pm) => {
            store.propose_reader_teams(&pm.id, rules.readers.teams(incident.severity)).await?;
            Ok(Some(pm))
        }
        // Someone started it meanwhile: theirs stands.
        Err(StoreError::Duplicate { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Decides, as the policy in force does today, on each resolved incident with no decision
/// kept (those resolved before decisions were kept), and keeps it; `progress` hears each
/// one decided. Answers how many were decided. Starts no post-mortem.
pub async fn decide_past_incidents(
    store: &Store,
    rules: &Rules,
    mut progress: impl FnMut(i64),
) -> Result<i64, StoreError> {
    let viewer = Viewer::operator();
    let mut after = 0;
    let mut decided = 0;
    loop {
        let numbers = store.undecided_incidents(after, 200).await?;
        let Some(&last) = numbers.last() else { break };
        for number in numbers {
            let evidence = gather(store, &viewer, number).await?;
            store.record_policy_necessity(number, policy(&evidence, rules).decision.necessity).await?;
            decided += 1;
            progress(decided);
        }
        after = last;
    }
    Ok(decided)
}

/// Sections written from the incident and its timeline, for people to correct and complete:
/// the incident's description as the summary (a person's words come first), the first draft
/// written from the timeline in the sections still empty, and what the incident's own moments
/// say where the timeline had nothing to say.
fn prefill(incident: &Incident, events: &[TimelineEvent], rules: &Rules) -> Sections {
    let when = |at: Option<time::OffsetDateTime>| {
        at.and_then(|at| at.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_else(|| "an unknown time".into())
    };
    let mut sections = Sections { summary: incident.description.trim().to_string(), ..Sections::default() };
    let draft = hindsight_core::analysis::draft_from_timeline(incident, events, &rules.response);
    crate::first_draft::fill_empty(&mut sections, &draft);
    let m = &incident.moments;
    if sections.summary.is_empty() {
        sections.summary = incident.title.clone();
    }
    if sections.detection.is_empty() {
        sections.detection = format!("Detected at {} by {}.", when(m.detected_at), incident.detection_method.words());
    }
    if sections.resolution.is_empty() {
        sections.resolution = format!("Mitigated at {}, resolved at {}.", when(m.mitigated_at), when(m.resolved_at));
    }
    sections
}

/// The blaming wording found in one field of a post-mortem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldFindings {
    /// Path of the field, e.g. `sections.summary` or `sections.recommendations[1].text`.
    pub field: String,
    pub findings: Vec<hindsight_core::lint::Finding>,
}

/// The names the linter treats as people: every user's username and display name, and
/// the incident's responders.
pub async fn known_names(store: &Store, incident: Option<&Incident>) -> Result<Vec<String>, StoreError> {
    let mut names: Vec<String> =
        store.list_users().await?.into_iter().flat_map(|u| [u.username, u.display_name]).collect();
    if let Some(incident) = incident {
        names.extend(incident.responders.iter().map(|r| r.username.clone()));
    }
    names.sort();
    names.dedup();
    Ok(names)
}

/// Runs the blameless-language check over every written field of a post-mortem.
pub fn lint_postmortem(postmortem: &Postmortem, names: &[String]) -> Vec<FieldFindings> {
    let s = &postmortem.sections;
    let mut fields: Vec<(String, &str)> = vec![
        ("sections.summary".into(), &s.summary),
        ("sections.impact.notes".into(), &s.impact.notes),
        ("sections.root_cause.description".into(), &s.root_cause.description),
        ("sections.root_cause.analysis".into(), &s.root_cause.analysis),
        ("sections.root_cause.clues".into(), &s.root_cause.clues),
        ("sections.trigger".into(), &s.trigger),
        ("sections.detection".into(), &s.detection),
        ("sections.response_analysis".into(), &s.response_analysis),
        ("sections.resolution".into(), &s.resolution),
        ("sections.lessons.went_well".into(), &s.lessons.went_well),
        ("sections.lessons.went_badly".into(), &s.lessons.went_badly),
        ("sections.lessons.got_lucky".into(), &s.lessons.got_lucky),
    ];
    for (i, action) in s.damage_control.iter().enumerate() {
        fields.push((format!("sections.damage_control[{i}].description"), &action.description));
    }
    for (i, rec) in s.recommendations.iter().enumerate() {
        fields.push((format!("sections.recommendations[{i}].text"), &rec.text));
    }
    fields
        .into_iter()
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(field, text)| FieldFindings { field, findings: hindsight_core::lint::lint(text, names) })
        .filter(|f| !f.findings.is_empty())
        .collect()
}

/// [`document`], with the post-mortem's discussion as an appendix when `discussion` is set.
pub async fn document_with(
    store: &Store,
    viewer: &Viewer,
    number: i64,
    discussion: bool,
) -> Result<hindsight_core::document::PostmortemDocument, StoreError> {
    let mut doc = document(store, viewer, number).await?;
    if discussion {
        doc.discussion = store.comments(viewer, &doc.postmortem.id).await?;
    }
    Ok(doc)
}

/// The incident's post-mortem as a document, with its timeline and action items (in the
/// order they were added, so a document read back lists them the same way).
pub async fn document(
    store: &Store,
    viewer: &Viewer,
    number: i64,
) -> Result<hindsight_core::document::PostmortemDocument, StoreError> {
    let evidence = gather(store, viewer, number).await?;
    let postmortem = evidence
        .postmortem
        .ok_or_else(|| StoreError::NotFound(format!("post-mortem of {}", evidence.incident.handle)))?;
    let mut action_items = evidence.action_items;
    action_items.sort_by(|a, b| a.id.cmp(&b.id));
    let factors = store.postmortem_factors(viewer, &postmortem.id).await?;
    let covers = store.covered_incidents(viewer, &postmortem.id).await?.into_iter().map(|c| c.handle).collect();
    Ok(hindsight_core::document::PostmortemDocument {
        incident: evidence.incident,
        postmortem,
        events: evidence.events,
        action_items,
        discussion: Vec::new(),
        factors,
        covers,
    })
}
