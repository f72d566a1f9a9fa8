//! The checklist a post-mortem must pass before review: what is still missing, where,
//! and what to write there.
//!
//! A post-mortem is complete when:
//! - the root cause is described, even when trivial; when its certainty is `unknown`,
//!   the clues are recorded; the component at fault is named and whether it is legacy
//!   code is said (`legacy_code` is true or false, not unknown);
//! - the damage scope says, for data, users, access and productivity, either what was
//!   lost or that nothing was (`false` or `0`; a `null` is "not said yet"), and data
//!   that was lost is described;
//! - damage control lists the actions taken, or says explicitly that there were none.
//!   "Explicitly none" is a single action whose description is `None`, optionally with
//!   a reason after a colon or dash (`None: no customer saw an error`). An empty list is
//!   "not written yet", because the two look alike everywhere else;
//! - the response analysis is written;
//! - every recommendation is carried out by at least one of the incident's action items
//!   that has an owner (a user or a team) and a due date;
//! - the incident's key moments are known: detection, and mitigation or resolution,
//!   marked on a timeline event or set on the incident.
//!
//! Each [`MissingItem`] has a stable id (e.g. `root_cause.description`,
//! `recommendations[1].action_items`), the path of the field to fill and a message
//! saying what to write. Quality of the prose is not judged here.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{ActionItem, Certainty, Incident, KeyMoment, Postmortem, TimelineEvent};

/// One thing a post-mortem still lacks before review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MissingItem {
    /// Stable id of the check, e.g. `root_cause.description`.
    pub id: String,
    /// Path of the field to fill, e.g. `sections.root_cause.description`.
    pub path: String,
    /// What to write there.
    pub message: String,
}

fn missing(id: impl Into<String>, path: impl Into<String>, message: impl Into<String>) -> MissingItem {
    MissingItem { id: id.into(), path: path.into(), message: message.into() }
}

/// Everything `postmortem` still lacks before review, in the order of its sections.
pub fn check_completeness(
    postmortem: &Postmortem,
    incident: &Incident,
    events: &[TimelineEvent],
    action_items: &[ActionItem],
) -> Vec<MissingItem> {
    let mut out = Vec::new();
    root_cause(postmortem, &mut out);
    damage_scope(postmortem, &mut out);
    damage_control(postmortem, &mut out);
    if postmortem.sections.response_analysis.trim().is_empty() {
        out.push(missing(
            "response_analysis",
            "sections.response_analysis",
            "Write the response analysis: how detection, acknowledgement, escalation, communication and mitigation \
             went, and what made them faster or slower. The response analysis findings are a starting point.",
        ));
    }
    recommendations(postmortem, action_items, &mut out);
    key_moments(incident, events, &mut out);
    out
}

fn root_cause(postmortem: &Postmortem, out: &mut Vec<MissingItem>) {
    let cause = &postmortem.sections.root_cause;
    if cause.description.trim().is_empty() {
        out.push(missing(
            "root_cause.description",
            "sections.root_cause.description",
            "Describe the root cause, even when it is trivial (\"a typo in a config file\"). When it is not known, \
             say so, set the certainty to unknown and record the clues.",
        ));
    }
    if cause.certainty == Certainty::Unknown && cause.clues.trim().is_empty() {
        out.push(missing(
            "root_cause.clues",
            "sections.root_cause.clues",
            "The root cause is unknown: record the clues (what was seen, what was ruled out, what was lost) for \
             whoever meets this next.",
        ));
    }
    if cause.component.trim().is_empty() {
        out.push(missing(
            "root_cause.component",
            "sections.root_cause.component",
            "Name the component or module at fault, e.g. \"catalog-api cache layer\" or \"external: card processor\".",
        ));
    }
    if cause.legacy_code.is_none() {
        out.push(missing(
            "root_cause.legacy_code",
            "sections.root_cause.legacy_code",
            "Say whether the component at fault is legacy code: true or false.",
        ));
    }
}

fn damage_scope(postmortem: &Postmortem, out: &mut Vec<MissingItem>) {
    let impact = &postmortem.sections.impact;
    match impact.data_lost {
        None => out.push(missing(
            "impact.data_lost",
            "sections.impact.data_lost",
            "Say whether data was lost, and if it was, describe what was lost.",
        )),
        Some(true) if impact.data_lost_detail.trim().is_empty() => out.push(missing(
            "impact.data_lost_detail",
            "sections.impact.data_lost_detail",
            "Data was lost: say how much and which, and what could be restored.",
        )),
        Some(_) => {}
    }
    if impact.users_affected.is_none() {
        out.push(missing(
            "impact.users_affected",
            "sections.impact.users_affected",
            "Give the number of users affected, or 0 if none were.",
        ));
    }
    if impact.access_lost_minutes.is_none() {
        out.push(missing(
            "impact.access_lost_minutes",
            "sections.impact.access_lost_minutes",
            "Give how long users could not get in or use the service, in minutes, or 0 if they always could.",
        ));
    }
    if impact.productivity_lost_hours.is_none() {
        out.push(missing(
            "impact.productivity_lost_hours",
            "sections.impact.productivity_lost_hours",
            "Give the working hours lost across people (responders included), or 0 if none.",
        ));
    }
}

/// Whether a damage-control description says there was none: `None`, or `None: <why>`.
fn says_none(description: &str) -> bool {
    let text = description.trim().to_lowercase();
    let Some(rest) = text.strip_prefix("none") else { return false };
    let rest = rest.trim_start();
    rest.is_empty() || rest == "." || [":", "-", "—", "–", "("].iter().any(|p| rest.starts_with(p))
}

fn damage_control(postmortem: &Postmortem, out: &mut Vec<MissingItem>) {
    let actions = &postmortem.sections.damage_control;
    if actions.is_empty() {
        out.push(missing(
            "damage_control",
            "sections.damage_control",
            "List the damage-control actions taken (refunds, notices to customers, data repair). If there were \
             none, add a single action whose description is \"None\", optionally with the reason: \"None: no \
             customer saw an error\".",
        ));
    } else if actions.len() > 1 && actions.iter().any(|a| says_none(&a.description)) {
        out.push(missing(
            "damage_control",
            "sections.damage_control",
            "Damage control lists actions and also says \"None\": remove the \"None\" entry, or the others.",
        ));
    }
}

fn recommendations(postmortem: &Postmortem, action_items: &[ActionItem], out: &mut Vec<MissingItem>) {
    for (i, rec) in postmortem.sections.recommendations.iter().enumerate() {
        let id = format!("recommendations[{i}].action_items");
        let path = format!("sections.recommendations[{i}].action_items");
        let quoted = super::excerpt(&rec.text, 0);
        let linked: Vec<&ActionItem> =
            rec.action_items.iter().filter_map(|id| action_items.iter().find(|a| &a.id == id)).collect();
        if linked.is_empty() {
            let unknown = if rec.action_items.is_empty() {
                String::new()
            } else {
                format!(" (linked id(s) {} are not action items of this incident)", rec.action_items.join(", "))
            };
            out.push(missing(
                id,
                path,
                format!(
                    "Link at least one action item, with an owner and a due date, that carries out the \
                     recommendation \"{quoted}\"{unknown}."
                ),
            ));
            continue;
        }
        let ready = |a: &ActionItem| (a.owner.is_some() || a.owner_team.is_some()) && a.due_date.is_some();
        if linked.iter().any(|a| ready(a)) {
            continue;
        }
        let gaps: Vec<String> = linked
            .iter()
            .map(|a| {
                let lacks: Vec<&str> = [
                    (a.owner.is_none() && a.owner_team.is_none()).then_some("owner"),
                    a.due_date.is_none().then_some("due date"),
                ]
                .into_iter()
                .flatten()
                .collect();
                format!("\"{}\" ({}) has no {}", a.title, a.id, lacks.join(" and no "))
            })
            .collect();
        out.push(missing(
            id,
            path,
            format!(
                "Give at least one action item of the recommendation \"{quoted}\" an owner (a user or a team) and \
                 a due date: {}.",
                gaps.join("; ")
            ),
        ));
    }
}

fn key_moments(incident: &Incident, events: &[TimelineEvent], out: &mut Vec<MissingItem>) {
    let marked = |moments: &[KeyMoment]| events.iter().any(|e| e.key_moment.is_some_and(|k| moments.contains(&k)));
    let m = &incident.moments;
    if m.detected_at.is_none() && !marked(&[KeyMoment::Detection]) {
        out.push(missing(
            "timeline.detection",
            "incident.detected_at",
            "Mark the timeline event where the incident was detected (key moment \"detection\"), or set the \
             incident's detection time.",
        ));
    }
    if m.mitigated_at.is_none() && m.resolved_at.is_none() && !marked(&[KeyMoment::Mitigation, KeyMoment::Resolution]) {
        out.push(missing(
            "timeline.mitigation",
            "incident.mitigated_at",
            "Mark the timeline event where the impact was mitigated or resolved (key moment \"mitigation\" or \
             \"resolution\"), or set the incident's mitigation or resolution time.",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixtures::{action_item, complete_postmortem, event, incident};
    use crate::model::{DamageControlAction, DamageControlStatus, EventKind, Recommendation};

    fn ids(items: &[MissingItem]) -> Vec<&str> {
        items.iter().map(|m| m.id.as_str()).collect()
    }

    fn check(pm: &Postmortem) -> Vec<MissingItem> {
        check_completeness(pm, &incident(2), &[], &[action_item("a1", Some("ana"), None, true)])
    }

    #[test]
    fn a_complete_postmortem_misses_nothing() {
        assert_eq!(check(&complete_postmortem()), []);
    }

    #[test]
    fn an_empty_root_cause_description_is_missing() {
        let mut pm = complete_postmortem();
        pm.sections.root_cause.description = "  ".into();
        let items = check(&pm);
        assert_eq!(ids(&items), ["root_cause.description"]);
        assert_eq!(items[0].path, "sections.root_cause.description");
    }

    #[test]
    fn an_unknown_root_cause_needs_clues() {
        let mut pm = complete_postmortem();
        pm.sections.root_cause.certainty = Certainty::Unknown;
        assert_eq!(ids(&check(&pm)), ["root_cause.clues"]);
        pm.sections.root_cause.clues = "Only report-worker-2 filled up.".into();
        assert_eq!(ids(&check(&pm)), [] as [&str; 0]);
    }

    #[test]
    fn a_probable_root_cause_needs_no_clues() {
        let mut pm = complete_postmortem();
        pm.sections.root_cause.certainty = Certainty::Probable;
        assert_eq!(check(&pm), []);
    }

    #[test]
    fn the_component_and_its_legacy_flag_are_required() {
        let mut pm = complete_postmortem();
        pm.sections.root_cause.component = String::new();
        pm.sections.root_cause.legacy_code = None;
        assert_eq!(ids(&check(&pm)), ["root_cause.component", "root_cause.legacy_code"]);
        pm.sections.root_cause.component = "billing migrations".into();
        pm.sections.root_cause.legacy_code = Some(false);
        assert_eq!(check(&pm), [], "false is an answer");
    }

    #[test]
    fn each_unknown_damage_scope_field_is_missing_but_zero_and_false_are_answers() {
        let mut pm = complete_postmortem();
        pm.sections.impact.data_lost = None;
        pm.sections.impact.users_affected = None;
        pm.sections.impact.access_lost_minutes = None;
        pm.sections.impact.productivity_lost_hours = None;
        assert_eq!(
            ids(&check(&pm)),
            [
                "impact.data_lost",
                "impact.users_affected",
                "impact.access_lost_minutes",
                "impact.productivity_lost_hours"
            ]
        );
        pm.sections.impact.data_lost = Some(false);
        pm.sections.impact.users_affected = Some(0);
        pm.sections.impact.access_lost_minutes = Some(0);
        pm.sections.impact.productivity_lost_hours = Some(0.0);
        assert_eq!(check(&pm), []);
    }

    #[test]
    fn lost_data_must_be_described() {
        let mut pm = complete_postmortem();
        pm.sections.impact.data_lost = Some(true);
        assert_eq!(ids(&check(&pm)), ["impact.data_lost_detail"]);
        pm.sections.impact.data_lost_detail = "312 invoice lines, all restored.".into();
        assert_eq!(check(&pm), []);
    }

    #[test]
    fn an_empty_damage_control_list_is_missing() {
        let mut pm = complete_postmortem();
        pm.sections.damage_control.clear();
        let items = check(&pm);
        assert_eq!(ids(&items), ["damage_control"]);
        assert!(items[0].message.contains("\"None\""), "{}", items[0].message);
    }

    #[test]
    fn a_single_none_action_says_there_was_no_damage_control() {
        for text in ["None", "none.", "None: no customer saw an error", "NONE - internal only"] {
            let mut pm = complete_postmortem();
            pm.sections.damage_control = vec![DamageControlAction {
                id: String::new(),
                description: text.into(),
                owner_team: None,
                status: DamageControlStatus::Done,
            }];
            assert_eq!(check(&pm), [], "{text}");
        }
    }

    #[test]
    fn a_description_that_merely_starts_with_none_is_an_action() {
        assert!(!says_none("None of the orders were lost, refunds sent"));
        assert!(!says_none("Nonetheless refunded"));
        let mut pm = complete_postmortem();
        pm.sections.damage_control.push(DamageControlAction {
            id: String::new(),
            description: "None".into(),
            owner_team: None,
            status: DamageControlStatus::Done,
        });
        assert_eq!(ids(&check(&pm)), ["damage_control"], "actions and None at once contradict each other");
    }

    #[test]
    fn an_empty_response_analysis_is_missing() {
        let mut pm = complete_postmortem();
        pm.sections.response_analysis = String::new();
        assert_eq!(ids(&check(&pm)), ["response_analysis"]);
    }

    #[test]
    fn a_recommendation_without_action_items_is_missing() {
        let mut pm = complete_postmortem();
        pm.sections.recommendations.push(Recommendation {
            id: String::new(),
            text: "Alert on bounces.".into(),
            action_items: vec![],
        });
        let items = check(&pm);
        assert_eq!(ids(&items), ["recommendations[1].action_items"]);
        assert_eq!(items[0].path, "sections.recommendations[1].action_items");
        assert!(items[0].message.contains("Alert on bounces."));
    }

    #[test]
    fn a_recommendation_linking_only_unknown_ids_is_missing() {
        let mut pm = complete_postmortem();
        pm.sections.recommendations[0].action_items = vec!["gone".into()];
        let items = check(&pm);
        assert_eq!(ids(&items), ["recommendations[0].action_items"]);
        assert!(items[0].message.contains("gone"));
    }

    #[test]
    fn a_recommendation_needs_one_item_with_both_owner_and_due_date() {
        let pm = complete_postmortem();
        let incident = incident(2);
        for (owner, team, due, ok) in [
            (Some("ana"), None, true, true),
            (None, Some("data"), true, true),
            (None, None, true, false),
            (Some("ana"), None, false, false),
        ] {
            let items = vec![action_item("a1", owner, team, due)];
            let found = check_completeness(&pm, &incident, &[], &items);
            assert_eq!(found.is_empty(), ok, "{owner:?} {team:?} {due}: {found:?}");
        }
        let items = vec![action_item("a1", None, None, false)];
        let found = check_completeness(&pm, &incident, &[], &items);
        assert!(found[0].message.contains("has no owner and no due date"), "{}", found[0].message);
        let items = vec![action_item("a1", None, None, false), action_item("a2", None, Some("data"), true)];
        let mut pm = pm;
        pm.sections.recommendations[0].action_items.push("a2".into());
        assert_eq!(check_completeness(&pm, &incident, &[], &items), [], "one ready item is enough");
    }

    #[test]
    fn key_moments_come_from_markers_or_the_incident() {
        let pm = complete_postmortem();
        let items = [action_item("a1", Some("ana"), None, true)];
        let mut incident = incident(2);
        incident.moments.detected_at = None;
        incident.moments.mitigated_at = None;
        incident.moments.resolved_at = None;
        let found = check_completeness(&pm, &incident, &[], &items);
        assert_eq!(ids(&found), ["timeline.detection", "timeline.mitigation"]);

        let mut detected = event("d", 2, "alertmanager", EventKind::Alert, "alertmanager", "Firing.");
        detected.key_moment = Some(KeyMoment::Detection);
        let mut resolved = event("r", 30, "manual", EventKind::Milestone, "ana", "Resolved.");
        resolved.key_moment = Some(KeyMoment::Resolution);
        assert_eq!(check_completeness(&pm, &incident, &[detected, resolved], &items), []);
    }
}
