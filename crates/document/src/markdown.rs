//! Writes a post-mortem document as Markdown: front matter for the structured fields, then
//! one `## ` section per part of the post-mortem, in a form [`super::from_markdown`] reads back.
//!
//! The layout of the body:
//!
//! ```text
//! # INC-42: <title>
//! ## Description            the incident's description
//! ## Summary
//! ## Impact                 notes; ### Data lost
//! ## Root cause             description; ### Analysis, ### Clues
//! ## Trigger
//! ## Detection
//! ## Response
//! ## Damage control         - [done] <description> (<team> | no team)
//! ## Resolution
//! ## Lessons                ### Went well, ### Went badly, ### Got lucky
//! ## Recommendations        - <text>, then its links:   - Action item 2: <title>
//! ## Action items           ### 2. <title>, a `- key: value` list, then the description
//! ## Timeline               - <time> · <source> · <kind> · <actor>: <text> [<key moment>]
//! ```
//!
//! Every `## ` section is written even when empty, so that an exported file is also a template.

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use super::PostmortemDocument;
use super::front_matter::{Writer, json, json_object};
use super::syntax::{
    ANALYSIS, CLUES, DATA_LOST, GOT_LUCKY, Heading, LINK_PREFIX, NO_TEAM, WENT_BADLY, WENT_WELL, escape_inline,
    escape_lines, escape_text, link_like, trim_blank_lines, write_item,
};
use hindsight_core::model::{ActionItem, KeyMoment, TimelineEvent};

/// What the front matter's `format` key says; the reader refuses any other.
pub(super) const FORMAT: &str = "hindsight-postmortem/1";

/// The document as Markdown with front matter.
pub fn to_markdown(doc: &PostmortemDocument) -> String {
    let mut out = front_matter(doc);
    let incident = &doc.incident;
    let sections = &doc.postmortem.sections;
    out.push('\n');
    out.push_str(&format!("# {}: {}\n", escape_inline(&incident.handle, &[]), escape_inline(&incident.title, &[])));
    for heading in Heading::ALL {
        out.push_str(&format!("\n## {}\n", heading.title()));
        let mut body = String::new();
        match heading {
            Heading::Description => text(&mut body, &incident.description),
            Heading::Summary => text(&mut body, &sections.summary),
            Heading::Impact => {
                text(&mut body, &sections.impact.notes);
                subsection(&mut body, DATA_LOST, &sections.impact.data_lost_detail);
            }
            Heading::RootCause => {
                text(&mut body, &sections.root_cause.description);
                subsection(&mut body, ANALYSIS, &sections.root_cause.analysis);
                subsection(&mut body, CLUES, &sections.root_cause.clues);
            }
            Heading::Trigger => text(&mut body, &sections.trigger),
            Heading::Detection => text(&mut body, &sections.detection),
            Heading::Response => text(&mut body, &sections.response_analysis),
            Heading::DamageControl => {
                for action in &sections.damage_control {
                    let team = action.owner_team.as_deref().unwrap_or(NO_TEAM);
                    let description = trim_blank_lines(&action.description);
                    write_item(&mut body, &format!("[{}] ", action.status), &format!("{description} ({team})"));
                }
            }
            Heading::Resolution => text(&mut body, &sections.resolution),
            Heading::Lessons => {
                for (title, value) in [
                    (WENT_WELL, &sections.lessons.went_well),
                    (WENT_BADLY, &sections.lessons.went_badly),
                    (GOT_LUCKY, &sections.lessons.got_lucky),
                ] {
                    body.push_str(&format!("\n### {title}\n"));
                    text(&mut body, value);
                }
            }
            Heading::Recommendations => {
                for rec in &sections.recommendations {
                    let mut item = escape_lines(trim_blank_lines(&rec.text), link_like);
                    for id in &rec.action_items {
                        // A link to an action item the document does not hold cannot be written.
                        if let Some((index, linked)) = doc.action_items.iter().enumerate().find(|(_, a)| &a.id == id) {
                            let title = escape_inline(&linked.title, &[]);
                            item.push_str(&format!("\n{LINK_PREFIX}{}: {title}", index + 1));
                        }
                    }
                    write_item(&mut body, "", &item);
                }
            }
            Heading::ActionItems => {
                for (index, item) in doc.action_items.iter().enumerate() {
                    action_item(&mut body, index + 1, item);
                }
            }
            Heading::Timeline => {
                for event in &doc.events {
                    timeline_event(&mut body, event);
                }
            }
        }
        let body = body.trim_matches('\n');
        if !body.is_empty() {
            out.push('\n');
            out.push_str(body);
            out.push('\n');
        }
    }
    let threads = super::discussion::threads(doc);
    if !threads.is_empty() {
        out.push_str(&format!("\n## {}\n", super::discussion::TITLE));
        for thread in threads {
            out.push_str(&format!("\n### {}\n\n", escape_inline(&thread.title, &[])));
            for comment in &thread.comments {
                write_item(&mut out, "", &escape_lines(comment, link_like));
            }
            if let Some(resolved) = &thread.resolved {
                out.push_str(&format!("\n{resolved}\n"));
            }
        }
    }
    out
}

fn front_matter(doc: &PostmortemDocument) -> String {
    let (incident, postmortem) = (&doc.incident, &doc.postmortem);
    let (impact, root_cause) = (&postmortem.sections.impact, &postmortem.sections.root_cause);
    let mut w = Writer::default();
    w.value("format", FORMAT);
    w.value("incident", &incident.handle);
    w.value("title", &incident.title);
    w.value("severity", &incident.severity);
    w.value("status", &incident.status);
    w.value("detection_method", &incident.detection_method);
    w.list("services", &incident.services);
    w.list("teams", &incident.teams);
    w.value("private", &incident.private);
    w.group("moments", |g| {
        for (name, at) in incident.moments.ordered() {
            g.raw(name, &at.map_or_else(|| "null".to_owned(), |at| json(&time_text(at))));
        }
    });
    let responders: Vec<String> = incident
        .responders
        .iter()
        .map(|r| json_object(&[("username", json(&r.username)), ("role", json(&r.role))]))
        .collect();
    w.block_list("responders", &responders);
    w.group("postmortem", |g| {
        g.value("status", &postmortem.status);
        g.value("owner", &postmortem.owner);
        g.raw("due_date", &postmortem.due_date.map_or_else(|| "null".to_owned(), |d| json(&date_text(d))));
    });
    w.group("root_cause", |g| {
        g.value("certainty", &root_cause.certainty);
        g.value("component", &root_cause.component);
        g.value("legacy_code", &root_cause.legacy_code);
        g.value("must_fix", &root_cause.must_fix);
    });
    w.group("impact", |g| {
        g.value("data_lost", &impact.data_lost);
        g.value("users_affected", &impact.users_affected);
        g.value("access_lost_minutes", &impact.access_lost_minutes);
        g.value("productivity_lost_hours", &impact.productivity_lost_hours);
        g.value("revenue_impact", &impact.revenue_impact);
    });
    // Written only when there are some, so documents without them read as they always did.
    if !doc.factors.is_empty() {
        w.list("contributing_factors", &doc.factors);
    }
    if !doc.covers.is_empty() {
        w.list("covers", &doc.covers);
    }
    w.finish()
}

/// A section's own text, escaped.
fn text(out: &mut String, value: &str) {
    let value = escape_text(value);
    if !value.is_empty() {
        out.push('\n');
        out.push_str(&value);
        out.push('\n');
    }
}

/// A `### ` subsection, written only when it has text.
fn subsection(out: &mut String, title: &str, value: &str) {
    if !trim_blank_lines(value).is_empty() {
        out.push_str(&format!("\n### {title}\n"));
        text(out, value);
    }
}

fn action_item(out: &mut String, number: usize, item: &ActionItem) {
    out.push_str(&format!("\n### {number}. {}\n\n", escape_inline(&item.title, &[])));
    let mut field = |key: &str, value: &str| out.push_str(&format!("- {key}: {}\n", escape_inline(value, &[])));
    field("kind", item.kind.as_str());
    field("priority", item.priority.as_str());
    field("status", item.status.as_str());
    let due_date = item.due_date.map(date_text);
    let closed_at = item.closed_at.map(time_text);
    for (key, value) in [
        ("owner", &item.owner),
        ("owner_team", &item.owner_team),
        ("due_date", &due_date),
        ("closed_at", &closed_at),
        ("tracker_url", &item.tracker_url),
    ] {
        if let Some(value) = value {
            field(key, value);
        }
    }
    text(out, &item.description);
}

fn timeline_event(out: &mut String, event: &TimelineEvent) {
    let mut head =
        format!("{} · {} · {}", time_text(event.occurred_at), escape_inline(&event.source, &['·']), event.kind);
    if let Some(actor) = &event.actor {
        head.push_str(" · ");
        head.push_str(&escape_inline(actor, &[':']));
    }
    head.push_str(": ");
    let mut text = escape_key_moment_suffix(trim_blank_lines(&event.text));
    if let Some(moment) = event.key_moment {
        text.push_str(&format!(" [{moment}]"));
    }
    write_item(out, &head, &text);
}

/// Gives one more backslash to a `[<key moment>]` that ends user text, so that only the marker we
/// append is read as one.
fn escape_key_moment_suffix(text: &str) -> String {
    match key_moment_suffix(text) {
        Some((_, bracket, _)) => format!("{}\\{}", &text[..bracket], &text[bracket..]),
        None => text.to_owned(),
    }
}

/// A `[<key moment>]` at the end of `text`: the moment, the index of its `[`, and how many
/// backslashes stand right before it.
pub(super) fn key_moment_suffix(text: &str) -> Option<(KeyMoment, usize, usize)> {
    let inner = text.strip_suffix(']')?;
    let bracket = inner.rfind('[')?;
    let moment = inner[bracket + 1..].parse::<KeyMoment>().ok()?;
    let backslashes = text[..bracket].len() - text[..bracket].trim_end_matches('\\').len();
    Some((moment, bracket, backslashes))
}

/// A time as RFC 3339, its offset kept. A time RFC 3339 cannot hold (a year past 9999) is
/// written in `time`'s own form, which the reader then refuses with its line.
pub(super) fn time_text(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

/// A date as `YYYY-MM-DD`.
pub(super) fn date_text(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::round_trip::sample_document;

    #[test]
    fn front_matter_carries_the_structured_fields_as_json_values() {
        let markdown = to_markdown(&sample_document());
        let front = markdown.split("\n---\n").next().unwrap();
        for line in [
            "format: \"hindsight-postmortem/1\"",
            "incident: \"INC-7\"",
            "severity: \"SEV2\"",
            "services: [\"checkout-api\", \"payments-db\"]",
            "  started_at: \"2026-11-20T10:00:00Z\"",
            "  resolved_at: null",
            "  - {\"username\": \"ana.silva\", \"role\": \"incident_commander\"}",
            "  status: \"in_review\"",
            "  due_date: \"2026-12-01\"",
            "  certainty: \"probable\"",
            "  productivity_lost_hours: 2.5",
            "contributing_factors: [\"infrastructure\", \"configuration\"]",
            "covers: [\"INC-8\"]",
        ] {
            assert!(front.lines().any(|l| l == line), "missing {line:?} in\n{front}");
        }
    }

    #[test]
    fn every_section_heading_is_written_in_order() {
        let markdown = to_markdown(&sample_document());
        let headings: Vec<&str> = markdown.lines().filter(|l| l.starts_with("## ")).collect();
        let expected: Vec<String> = Heading::ALL.iter().map(|h| format!("## {}", h.title())).collect();
        assert_eq!(headings, expected);
    }

    #[test]
    fn timeline_events_are_one_line_each_with_their_key_moment() {
        let markdown = to_markdown(&sample_document());
        assert!(
            markdown.contains(
                "- 2026-11-20T10:04:00Z · pagerduty · acknowledgement · dara.kim: Acknowledged. [acknowledgement]\n"
            ),
            "{markdown}"
        );
    }

    #[test]
    fn damage_control_names_its_status_and_team() {
        let markdown = to_markdown(&sample_document());
        assert!(markdown.contains("- [in_progress] Refund the failed orders. (payments)\n"), "{markdown}");
    }

    #[test]
    fn recommendations_name_their_action_items_by_number_and_title() {
        let markdown = to_markdown(&sample_document());
        assert!(
            markdown
                .contains("- Make the failover update every client.\n  - Action item 1: Point pgbouncer at Consul\n"),
            "{markdown}"
        );
    }

    #[test]
    fn a_user_heading_in_a_section_is_escaped() {
        let mut doc = sample_document();
        doc.postmortem.sections.summary = "Intro\n\n## Timeline\n\nmore".into();
        let markdown = to_markdown(&doc);
        assert!(markdown.contains("\n\\## Timeline\n"), "{markdown}");
        assert_eq!(markdown.lines().filter(|l| *l == "## Timeline").count(), 1);
    }
}
