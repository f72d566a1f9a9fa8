//! Reads a post-mortem's Markdown, as [`super::to_markdown`] writes it, back into the model's
//! input types. The reader is strict: a line it cannot place is an error naming that line and
//! what was expected there, never something silently dropped. Sections may come in any order
//! and may be left out; the structured fields come from the front matter only (the `# ` title
//! line is for readers and is not read).

use std::collections::BTreeMap;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::front_matter::{self, FrontMatter};
use super::markdown::{FORMAT, key_moment_suffix};
use super::syntax::{
    ANALYSIS, CLUES, DATA_LOST, GOT_LUCKY, Heading, Item, LINK_PREFIX, Line, NO_TEAM, WENT_BADLY, WENT_WELL,
    find_unescaped, heading, link_like, list_items, trim_blank_lines, unescape_inline, unescape_text_line,
};
use super::{DocumentError, ImportedPostmortem};
use hindsight_core::model::PendingRecommendation;
use hindsight_core::model::{
    ActionItemKind, ActionItemStatus, Certainty, DamageControlAction, DamageControlStatus, DamageScope,
    DetectionMethod, EventKind, IncidentStatus, Lessons, NewActionItem, NewIncident, NewTimelineEvent,
    PostmortemStatus, Priority, Responder, RootCause, Sections, Severity,
};
use hindsight_core::validate::is_slug;

/// Every key the front matter may hold.
const KNOWN_KEYS: &[&str] = &[
    "format",
    "incident",
    "title",
    "severity",
    "status",
    "detection_method",
    "services",
    "teams",
    "private",
    "moments.started_at",
    "moments.detected_at",
    "moments.acknowledged_at",
    "moments.mitigated_at",
    "moments.resolved_at",
    "responders",
    "postmortem.status",
    "postmortem.owner",
    "postmortem.due_date",
    "root_cause.certainty",
    "root_cause.component",
    "root_cause.legacy_code",
    "root_cause.must_fix",
    "impact.data_lost",
    "impact.users_affected",
    "impact.access_lost_minutes",
    "impact.productivity_lost_hours",
    "impact.revenue_impact",
    "contributing_factors",
    "covers",
];

const TIME_HINT: &str = "an RFC 3339 time such as \"2026-11-20T10:04:00Z\"";
const DATE_HINT: &str = "a date such as \"2026-12-01\"";

/// Reads a post-mortem document written by [`super::to_markdown`] (or by hand in its form).
pub fn from_markdown(text: &str) -> Result<ImportedPostmortem, DocumentError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n");
    let lines: Vec<Line> = text.split('\n').enumerate().map(|(i, line)| (i + 1, line)).collect();
    let (mut fm, body) = front_matter::read(&lines)?;
    let mut doc = read_front_matter(&mut fm)?;
    fm.finish(KNOWN_KEYS)?;

    let mut action_numbers = BTreeMap::new();
    let mut links = Vec::new();
    for section in split_sections(&lines[body..])? {
        let sections = &mut doc.sections;
        match section.heading {
            Heading::Description => doc.incident.description = plain_text(&section)?,
            Heading::Summary => sections.summary = plain_text(&section)?,
            Heading::Trigger => sections.trigger = plain_text(&section)?,
            Heading::Detection => sections.detection = plain_text(&section)?,
            Heading::Response => sections.response_analysis = plain_text(&section)?,
            Heading::Resolution => sections.resolution = plain_text(&section)?,
            Heading::Impact => {
                let (notes, mut subs) = subsections(&section, &[DATA_LOST])?;
                sections.impact.notes = notes;
                sections.impact.data_lost_detail = subs.remove(DATA_LOST).unwrap_or_default();
            }
            Heading::RootCause => {
                let (description, mut subs) = subsections(&section, &[ANALYSIS, CLUES])?;
                sections.root_cause.description = description;
                sections.root_cause.analysis = subs.remove(ANALYSIS).unwrap_or_default();
                sections.root_cause.clues = subs.remove(CLUES).unwrap_or_default();
            }
            Heading::Lessons => {
                let (before, mut subs) = subsections(&section, &[WENT_WELL, WENT_BADLY, GOT_LUCKY])?;
                if !before.is_empty() {
                    let line = section.lines.iter().find(|(_, l)| !l.trim().is_empty()).map_or(section.line, |l| l.0);
                    let message = format!("the lessons go under ### {WENT_WELL}, ### {WENT_BADLY} and ### {GOT_LUCKY}");
                    return Err(DocumentError::new(line, message));
                }
                sections.lessons = Lessons {
                    went_well: subs.remove(WENT_WELL).unwrap_or_default(),
                    went_badly: subs.remove(WENT_BADLY).unwrap_or_default(),
                    got_lucky: subs.remove(GOT_LUCKY).unwrap_or_default(),
                };
            }
            Heading::DamageControl => {
                let what = "a damage-control action `- [planned|in_progress|done] <description> (<team>)`";
                for item in list_items(&no_subsections(&section)?, what)? {
                    sections.damage_control.push(damage_control(&item)?);
                }
            }
            Heading::Recommendations => {
                for item in list_items(&no_subsections(&section)?, "a recommendation `- <text>`")? {
                    links.push(recommendation(&item)?);
                }
            }
            Heading::ActionItems => {
                for (line, number, item) in action_items(&section)? {
                    if let Some((_, first)) = action_numbers.insert(number, (doc.action_items.len(), line)) {
                        let message = format!("`### {number}.` is already given on line {first}");
                        return Err(DocumentError::new(line, message));
                    }
                    doc.action_items.push(item);
                }
            }
            Heading::Timeline => {
                let what = "a timeline event `- <time> · <source> · <kind> · <actor>: <text>`";
                for item in list_items(&no_subsections(&section)?, what)? {
                    doc.events.push(timeline_event(&item)?);
                }
            }
        }
    }
    for (text, numbers) in links {
        let mut action_items = Vec::new();
        for (line, number) in numbers {
            let Some(&(index, _)) = action_numbers.get(&number) else {
                let message = format!("links to action item {number}, but `## Action items` has no `### {number}.`");
                return Err(DocumentError::new(line, message));
            };
            action_items.push(index);
        }
        doc.recommendations.push(PendingRecommendation { text, action_items });
    }
    Ok(doc)
}

fn read_front_matter(fm: &mut FrontMatter) -> Result<ImportedPostmortem, DocumentError> {
    fm.take_parsed("format", &format!("{FORMAT:?}"), |format| (format == FORMAT).then_some(()))?;
    let handle = fm.take::<String>("incident")?;
    let time = |text: &str| OffsetDateTime::parse(text, &Rfc3339).ok();
    let incident = NewIncident {
        title: fm.require("title")?,
        description: String::new(),
        severity: fm.require_word::<Severity>("severity")?,
        status: fm.take_word("status")?.unwrap_or(IncidentStatus::Triggered),
        services: fm.take_list("services")?,
        teams: fm.take_list("teams")?,
        detection_method: fm.take_word("detection_method")?.unwrap_or(DetectionMethod::Unknown),
        started_at: fm.take_parsed("moments.started_at", TIME_HINT, time)?,
        detected_at: fm.take_parsed("moments.detected_at", TIME_HINT, time)?,
        acknowledged_at: fm.take_parsed("moments.acknowledged_at", TIME_HINT, time)?,
        mitigated_at: fm.take_parsed("moments.mitigated_at", TIME_HINT, time)?,
        resolved_at: fm.take_parsed("moments.resolved_at", TIME_HINT, time)?,
        responders: fm.take_list::<Responder>("responders")?,
        private: fm.take("private")?.unwrap_or(false),
    };
    let status = fm.take_word("postmortem.status")?.unwrap_or(PostmortemStatus::Draft);
    let owner = fm.take("postmortem.owner")?;
    let due_date = fm.take_parsed("postmortem.due_date", DATE_HINT, parse_date)?;
    let root_cause = RootCause {
        certainty: fm.take_word("root_cause.certainty")?.unwrap_or(Certainty::Unknown),
        component: fm.take("root_cause.component")?.unwrap_or_default(),
        legacy_code: fm.take("root_cause.legacy_code")?,
        must_fix: fm.take("root_cause.must_fix")?,
        ..RootCause::default()
    };
    let impact = DamageScope {
        data_lost: fm.take("impact.data_lost")?,
        users_affected: fm.take("impact.users_affected")?,
        access_lost_minutes: fm.take("impact.access_lost_minutes")?,
        productivity_lost_hours: fm.take_f64("impact.productivity_lost_hours")?,
        revenue_impact: fm.take("impact.revenue_impact")?.unwrap_or_default(),
        ..DamageScope::default()
    };
    Ok(ImportedPostmortem {
        handle,
        incident,
        status,
        owner,
        due_date,
        sections: Sections { impact, root_cause, ..Sections::default() },
        recommendations: Vec::new(),
        action_items: Vec::new(),
        events: Vec::new(),
        factors: fm.take_list("contributing_factors")?,
        covers: fm.take_list("covers")?,
    })
}

fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

/// One `## ` section of the body: the line of its heading and the lines under it.
struct Section<'a> {
    heading: Heading,
    line: usize,
    lines: Vec<Line<'a>>,
}

fn section_list() -> String {
    Heading::ALL.iter().map(|h| h.title()).collect::<Vec<_>>().join(", ")
}

fn split_sections<'a>(lines: &[Line<'a>]) -> Result<Vec<Section<'a>>, DocumentError> {
    let mut sections: Vec<Section<'a>> = Vec::new();
    for &(number, line) in lines {
        match heading(line) {
            // The discussion appendix closes the post-mortem: comments are not read back.
            Some((2, title)) if title.trim().eq_ignore_ascii_case(super::discussion::TITLE) => break,
            Some((2, title)) => {
                let Some(found) = Heading::from_title(title) else {
                    let message = format!("unknown section `## {title}`; the sections are: {}", section_list());
                    return Err(DocumentError::new(number, message));
                };
                if let Some(first) = sections.iter().find(|s| s.heading == found) {
                    let message = format!("`## {}` is already given on line {}", found.title(), first.line);
                    return Err(DocumentError::new(number, message));
                }
                sections.push(Section { heading: found, line: number, lines: Vec::new() });
            }
            _ => match sections.last_mut() {
                Some(section) => section.lines.push((number, line)),
                None if line.trim().is_empty() || line.starts_with("# ") => {}
                None => {
                    let message = format!("expected a `## <section>` heading; the sections are: {}", section_list());
                    return Err(DocumentError::new(number, message));
                }
            },
        }
    }
    Ok(sections)
}

/// The lines of a section that has no `### ` subsections.
fn no_subsections<'a>(section: &Section<'a>) -> Result<Vec<Line<'a>>, DocumentError> {
    if let Some(&(line, _)) = section.lines.iter().find(|(_, text)| heading(text).is_some()) {
        let message = format!(
            "`## {}` has no `### ` subsections; for a heading inside the text write `\\###` or `####`",
            section.heading.title()
        );
        return Err(DocumentError::new(line, message));
    }
    Ok(section.lines.clone())
}

/// A section's text, its escaped heading lines restored.
fn plain_text(section: &Section) -> Result<String, DocumentError> {
    Ok(text_of(&no_subsections(section)?))
}

fn text_of(lines: &[Line]) -> String {
    let text: Vec<&str> = lines.iter().map(|&(_, line)| unescape_text_line(line)).collect();
    trim_blank_lines(&text.join("\n")).to_owned()
}

/// A section's text before its first `### `, and the text of each allowed subsection by title.
fn subsections(
    section: &Section,
    allowed: &[&'static str],
) -> Result<(String, BTreeMap<&'static str, String>), DocumentError> {
    let mut before = Vec::new();
    let mut found: Vec<(&'static str, usize, Vec<Line>)> = Vec::new();
    for &(number, line) in &section.lines {
        if let Some((_, title)) = heading(line) {
            let Some(known) = allowed.iter().find(|a| a.eq_ignore_ascii_case(title)) else {
                let expected: Vec<String> = allowed.iter().map(|a| format!("### {a}")).collect();
                let message = format!(
                    "unknown subsection `### {title}` in `## {}`; expected {}",
                    section.heading.title(),
                    expected.join(", ")
                );
                return Err(DocumentError::new(number, message));
            };
            if let Some((_, first, _)) = found.iter().find(|(t, _, _)| t == known) {
                return Err(DocumentError::new(number, format!("`### {known}` is already given on line {first}")));
            }
            found.push((known, number, Vec::new()));
        } else if let Some((_, _, lines)) = found.last_mut() {
            lines.push((number, line));
        } else {
            before.push((number, line));
        }
    }
    let subs = found.into_iter().map(|(title, _, lines)| (title, text_of(&lines))).collect();
    Ok((text_of(&before), subs))
}

fn damage_control(item: &Item) -> Result<DamageControlAction, DocumentError> {
    let expected = "expected `- [planned|in_progress|done] <description> (<team> or no team)`";
    let Some((status, rest)) = item.first.strip_prefix('[').and_then(|rest| rest.split_once(']')) else {
        return Err(DocumentError::new(item.line, expected));
    };
    let status: DamageControlStatus = status.parse().map_err(|e| DocumentError::new(item.line, format!("{e}")))?;
    let first = rest.strip_prefix(' ').unwrap_or(rest);
    let text = Item { line: item.line, first, rest: item.rest.clone() }.text();
    let last_line = item.rest.last().map_or(item.line, |&(line, _)| line);
    let team_start = text.strip_suffix(')').and_then(|inner| inner.rfind('('));
    let Some(open) = team_start else {
        return Err(DocumentError::new(last_line, format!("{expected}: the owner team is missing")));
    };
    let team = &text[open + 1..text.len() - 1];
    let owner_team = match team {
        NO_TEAM => None,
        slug if is_slug(slug) => Some(slug.to_owned()),
        other => {
            let message = format!("{expected}: {other:?} is not a team slug");
            return Err(DocumentError::new(last_line, message));
        }
    };
    let description = text[..open].strip_suffix(' ').unwrap_or(&text[..open]);
    Ok(DamageControlAction {
        id: String::new(),
        description: trim_blank_lines(description).to_owned(),
        owner_team,
        status,
    })
}

/// A recommendation's text and the numbers of the action items it links, each with its line.
fn recommendation(item: &Item) -> Result<(String, Vec<(usize, usize)>), DocumentError> {
    let mut text = vec![unescape_link_line(item.first)];
    let mut links = Vec::new();
    for &(line, rest) in &item.rest {
        if link_like(rest) && !rest.starts_with('\\') {
            let number = rest[LINK_PREFIX.len()..]
                .split(':')
                .next()
                .and_then(|n| n.trim().parse::<usize>().ok())
                .ok_or_else(|| DocumentError::new(line, format!("expected `{LINK_PREFIX}<number>: <title>`")))?;
            links.push((line, number));
        } else if !links.is_empty() {
            if !rest.trim().is_empty() {
                let message = format!("the text of a recommendation comes before its `{LINK_PREFIX}…` lines");
                return Err(DocumentError::new(line, message));
            }
        } else {
            text.push(unescape_link_line(rest));
        }
    }
    Ok((trim_blank_lines(&text.join("\n")).to_owned(), links))
}

fn unescape_link_line(line: &str) -> &str {
    match line.strip_prefix('\\') {
        Some(rest) if link_like(line) => rest,
        _ => line,
    }
}

/// The action items of their section: each `### <number>. <title>`, its `- key: value` fields and its description.
fn action_items(section: &Section) -> Result<Vec<(usize, usize, NewActionItem)>, DocumentError> {
    let mut items = Vec::new();
    let mut current: Option<(usize, &str, Vec<Line>)> = None;
    for &(number, line) in &section.lines {
        if heading(line).is_some() {
            if let Some((at, title, lines)) = current.take() {
                items.push(action_item(at, title, &lines)?);
            }
            // The title is taken as written, spaces and all; `heading` would trim it.
            let title = line.trim_start_matches('#');
            current = Some((number, title.strip_prefix([' ', '\t']).unwrap_or(title), Vec::new()));
        } else if let Some((_, _, lines)) = &mut current {
            lines.push((number, line));
        } else if !line.trim().is_empty() {
            let message = "expected `### <number>. <title>` to start an action item";
            return Err(DocumentError::new(number, message));
        }
    }
    if let Some((at, title, lines)) = current {
        items.push(action_item(at, title, &lines)?);
    }
    Ok(items)
}

fn action_item(line: usize, title_line: &str, lines: &[Line]) -> Result<(usize, usize, NewActionItem), DocumentError> {
    let parsed = title_line.split_once('.').and_then(|(n, title)| Some((n.parse::<usize>().ok()?, title)));
    let Some((number, title)) = parsed else {
        return Err(DocumentError::new(line, "expected `### <number>. <title>` to start an action item"));
    };
    let title = unescape_inline(title.strip_prefix(' ').unwrap_or(title));
    let mut fields: BTreeMap<&str, (usize, String)> = BTreeMap::new();
    let mut rest = lines.iter().skip_while(|(_, l)| l.trim().is_empty()).peekable();
    while let Some(&&(at, field)) = rest.peek() {
        let Some(field) = field.strip_prefix("- ") else { break };
        let known = ["kind", "priority", "status", "owner", "owner_team", "due_date", "closed_at", "tracker_url"];
        let Some((key, value)) = field.split_once(':').filter(|(key, _)| known.contains(key)) else {
            let message =
                format!("expected an action item field `- <key>: <value>`, the key one of: {}", known.join(", "));
            return Err(DocumentError::new(at, message));
        };
        let value = value.strip_prefix(' ').unwrap_or(value);
        if fields.insert(key, (at, unescape_inline(value))).is_some() {
            return Err(DocumentError::new(at, format!("`{key}` is already given for this action item")));
        }
        rest.next();
    }
    let description: Vec<Line> = rest.copied().collect();
    let mut word = |key: &str| fields.remove(key);
    let kind = match word("kind") {
        Some((at, value)) => value.parse::<ActionItemKind>().map_err(|e| DocumentError::new(at, format!("{e}")))?,
        None => return Err(DocumentError::new(line, "an action item needs a `- kind: <kind>` line")),
    };
    let priority = match word("priority") {
        Some((at, value)) => value.parse::<Priority>().map_err(|e| DocumentError::new(at, format!("{e}")))?,
        None => Priority::P3,
    };
    let status = match word("status") {
        Some((at, value)) => value.parse::<ActionItemStatus>().map_err(|e| DocumentError::new(at, format!("{e}")))?,
        None => ActionItemStatus::Open,
    };
    let due_date = match word("due_date") {
        Some((at, value)) => Some(
            parse_date(&value)
                .ok_or_else(|| DocumentError::new(at, format!("due_date: expected {DATE_HINT}, not {value:?}")))?,
        ),
        None => None,
    };
    let closed_at = match word("closed_at") {
        Some((at, value)) => Some(
            OffsetDateTime::parse(&value, &Rfc3339)
                .map_err(|_| DocumentError::new(at, format!("closed_at: expected {TIME_HINT}, not {value:?}")))?,
        ),
        None => None,
    };
    let item = NewActionItem {
        title,
        description: text_of(&description),
        kind,
        owner: word("owner").map(|(_, v)| v),
        owner_team: word("owner_team").map(|(_, v)| v),
        priority,
        due_date,
        status,
        tracker_url: word("tracker_url").map(|(_, v)| v),
        closed_at,
    };
    Ok((line, number, item))
}

fn timeline_event(item: &Item) -> Result<NewTimelineEvent, DocumentError> {
    let error = |message: String| DocumentError::new(item.line, message);
    let Some((time, rest)) = item.first.split_once(" · ") else {
        return Err(error("expected `- <time> · <source> · <kind> · <actor>: <text>`".into()));
    };
    let occurred_at =
        OffsetDateTime::parse(time, &Rfc3339).map_err(|_| error(format!("expected {TIME_HINT}, not {time:?}")))?;
    let Some((source, rest)) = rest.split_once(" · ") else {
        return Err(error("expected ` · <kind>` after the source".into()));
    };
    let kind_end = rest.find(|c: char| !(c.is_ascii_lowercase() || c == '_')).unwrap_or(rest.len());
    let kind: EventKind = rest[..kind_end].parse().map_err(|e| error(format!("{e}")))?;
    let rest = &rest[kind_end..];
    let (actor, text) = if let Some(actor_and_text) = rest.strip_prefix(" · ") {
        let Some(colon) = find_unescaped(actor_and_text, ':') else {
            return Err(error("expected `: <text>` after the actor (a `:` in the actor is written `\\:`)".into()));
        };
        (Some(unescape_inline(&actor_and_text[..colon])), &actor_and_text[colon + 1..])
    } else if let Some(text) = rest.strip_prefix(':') {
        (None, text)
    } else {
        return Err(error(format!("expected ` · <actor>: <text>` or `: <text>` after the kind {kind}")));
    };
    let first = text.strip_prefix(' ').unwrap_or(text);
    let mut text = Item { line: item.line, first, rest: item.rest.clone() }.text();
    let mut key_moment = None;
    if let Some((moment, bracket, 0)) = key_moment_suffix(&text) {
        key_moment = Some(moment);
        text.truncate(bracket);
        if text.ends_with(' ') {
            text.pop();
        }
    }
    if let Some((_, bracket, backslashes)) = key_moment_suffix(&text)
        && backslashes > 0
    {
        text.remove(bracket - 1);
    }
    Ok(NewTimelineEvent {
        occurred_at,
        source: unescape_inline(source),
        external_id: None,
        kind,
        actor,
        text: trim_blank_lines(&text).to_owned(),
        key_moment,
        raw_payload: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "---\ntitle: \"Checkout down\"\nseverity: \"SEV2\"\n---\n";

    fn read(body: &str) -> Result<ImportedPostmortem, DocumentError> {
        from_markdown(&format!("{HEAD}{body}"))
    }

    #[test]
    fn a_minimal_document_takes_the_model_defaults() {
        let doc = read("# Checkout down\n").unwrap();
        assert_eq!(doc.incident.title, "Checkout down");
        assert_eq!(doc.incident.status, IncidentStatus::Triggered);
        assert_eq!(doc.status, PostmortemStatus::Draft);
        assert_eq!(doc.sections, Sections::default());
    }

    #[test]
    fn a_missing_severity_is_named() {
        let error = from_markdown("---\ntitle: \"x\"\n---\n").unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.message.contains("severity"), "{}", error.message);
    }

    #[test]
    fn an_unknown_severity_names_its_line_and_the_accepted_ones() {
        let error = from_markdown("---\ntitle: \"x\"\nseverity: \"SEV9\"\n---\n").unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.message.contains("SEV1 to SEV5"), "{}", error.message);
    }

    #[test]
    fn a_bad_moment_names_its_line_and_the_form_expected() {
        let error =
            from_markdown("---\ntitle: \"x\"\nseverity: \"SEV1\"\nmoments:\n  started_at: \"yesterday\"\n---\n")
                .unwrap_err();
        assert_eq!(error.line, 5);
        assert!(error.message.contains("RFC 3339"), "{}", error.message);
    }

    #[test]
    fn an_unknown_section_is_named_with_the_known_ones() {
        let error = read("\n## Summery\n\ntext\n").unwrap_err();
        assert_eq!(error.line, 6);
        assert!(error.message.contains("Summery") && error.message.contains("Root cause"), "{}", error.message);
    }

    #[test]
    fn a_section_given_twice_is_refused() {
        let error = read("## Summary\n\na\n\n## Summary\n\nb\n").unwrap_err();
        assert_eq!(error.line, 9);
    }

    #[test]
    fn text_before_the_first_section_is_refused() {
        let error = read("# Title\n\nstray words\n").unwrap_err();
        assert_eq!(error.line, 7);
    }

    #[test]
    fn an_unescaped_subsection_in_a_plain_section_is_refused_with_a_hint() {
        let error = read("## Summary\n\n### Details\n").unwrap_err();
        assert_eq!(error.line, 7);
        assert!(error.message.contains("\\###"), "{}", error.message);
    }

    #[test]
    fn headings_are_matched_without_regard_to_case() {
        let doc = read("## ROOT CAUSE\n\nA race.\n\n### analysis\n\nTwo writers.\n").unwrap();
        assert_eq!(doc.sections.root_cause.description, "A race.");
        assert_eq!(doc.sections.root_cause.analysis, "Two writers.");
    }

    #[test]
    fn a_damage_control_action_without_a_team_is_read() {
        let doc = read("## Damage control\n\n- [planned] Email customers (all regions) (no team)\n").unwrap();
        let action = &doc.sections.damage_control[0];
        assert_eq!(action.description, "Email customers (all regions)");
        assert_eq!(action.owner_team, None);
        assert_eq!(action.status, DamageControlStatus::Planned);
    }

    #[test]
    fn a_damage_control_action_with_an_unknown_status_names_its_line() {
        let error = read("## Damage control\n\n- [finished] Refunds (payments)\n").unwrap_err();
        assert_eq!(error.line, 7);
        assert!(error.message.contains("in_progress"), "{}", error.message);
    }

    #[test]
    fn a_link_to_a_missing_action_item_names_its_line() {
        let error = read("## Recommendations\n\n- Do better.\n  - Action item 3: Better\n").unwrap_err();
        assert_eq!(error.line, 8);
        assert!(error.message.contains("### 3."), "{}", error.message);
    }

    #[test]
    fn an_action_item_number_given_twice_is_refused() {
        let body = "## Action items\n\n### 1. A\n\n- kind: fix_root_cause\n\n### 1. B\n\n- kind: fix_root_cause\n";
        let error = read(body).unwrap_err();
        assert_eq!(error, DocumentError::new(11, "`### 1.` is already given on line 7"));
    }

    #[test]
    fn an_action_item_without_a_kind_is_refused() {
        let error = read("## Action items\n\n### 1. Fix it\n\n- priority: p1\n").unwrap_err();
        assert_eq!(error.line, 7);
        assert!(error.message.contains("kind"), "{}", error.message);
    }

    #[test]
    fn a_timeline_event_without_an_actor_may_have_colons_in_its_text() {
        let doc =
            read("## Timeline\n\n- 2026-11-20T10:04:00+01:00 · manual · note: Ratio: 3:1 [mitigation]\n").unwrap();
        let event = &doc.events[0];
        assert_eq!(event.actor, None);
        assert_eq!(event.text, "Ratio: 3:1");
        assert_eq!(event.key_moment, Some(hindsight_core::model::KeyMoment::Mitigation));
        assert_eq!(event.occurred_at.offset().whole_hours(), 1);
    }

    #[test]
    fn a_timeline_event_with_a_bad_time_names_its_line() {
        let error = read("## Timeline\n\n- 10:04 · manual · note: x\n").unwrap_err();
        assert_eq!(error.line, 7);
        assert!(error.message.contains("RFC 3339"), "{}", error.message);
    }

    #[test]
    fn windows_line_endings_are_read() {
        let doc = from_markdown(&format!("{HEAD}## Summary\n\nOne.\n\nTwo.\n").replace('\n', "\r\n")).unwrap();
        assert_eq!(doc.sections.summary, "One.\n\nTwo.");
    }
}
