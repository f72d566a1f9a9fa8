//! Renders a post-mortem document as one standalone, printable HTML page: inline CSS (a light
//! theme with print styles), no scripts, no external resources.
//!
//! Every piece of user text reaches the page one of two ways: plain values (titles, names,
//! slugs) are HTML-escaped; Markdown texts are rendered with comrak (GFM, raw HTML shown as
//! text rather than passed through) and the result is cleaned with ammonia, so that neither
//! a `<script>` nor a `javascript:` link survives, whatever the text says.

use std::fmt::Write as _;

use time::OffsetDateTime;
use time::macros::format_description;

use super::PostmortemDocument;
use super::markdown::date_text;
use hindsight_core::model::{ActionItem, TimelineEvent};

/// The document as a standalone HTML page.
pub fn to_html(doc: &PostmortemDocument) -> String {
    let incident = &doc.incident;
    let postmortem = &doc.postmortem;
    let sections = &postmortem.sections;
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light\">\n<title>{}: {} · Post-mortem</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n<main>\n",
        escape(&incident.handle),
        escape(&incident.title)
    );
    header(&mut page, doc);

    section(&mut page, "description", "Description", |s| s.push_str(&markdown(&incident.description)));
    section(&mut page, "summary", "Summary", |s| s.push_str(&markdown(&sections.summary)));
    section(&mut page, "impact", "Impact", |s| {
        let impact = &sections.impact;
        facts(
            s,
            &[
                ("Users affected", impact.users_affected.map(grouped)),
                ("Access lost", impact.access_lost_minutes.map(|n| format!("{} min", grouped(n)))),
                ("Productivity lost", impact.productivity_lost_hours.map(|h| format!("{h} h"))),
                ("Revenue impact", non_empty(&impact.revenue_impact)),
                ("Data lost", impact.data_lost.map(yes_no)),
            ],
        );
        s.push_str(&markdown(&impact.notes));
        subsection(s, "Data lost", &impact.data_lost_detail);
    });
    section(&mut page, "root-cause", "Root cause", |s| {
        let cause = &sections.root_cause;
        facts(
            s,
            &[
                ("Certainty", Some(words(cause.certainty.as_str()))),
                ("Component", non_empty(&cause.component)),
                ("Legacy code", cause.legacy_code.map(yes_no)),
                ("Must be fixed", cause.must_fix.map(yes_no)),
            ],
        );
        s.push_str(&markdown(&cause.description));
        subsection(s, "Analysis", &cause.analysis);
        subsection(s, "Clues", &cause.clues);
    });
    section(&mut page, "trigger", "Trigger", |s| s.push_str(&markdown(&sections.trigger)));
    section(&mut page, "detection", "Detection", |s| s.push_str(&markdown(&sections.detection)));
    section(&mut page, "response", "Response", |s| s.push_str(&markdown(&sections.response_analysis)));
    section(&mut page, "damage-control", "Damage control", |s| {
        if sections.damage_control.is_empty() {
            return;
        }
        s.push_str("<ul class=\"actions\">\n");
        for action in &sections.damage_control {
            let team = action.owner_team.as_deref().map(|t| format!(" <span class=\"team\">{}</span>", escape(t)));
            let _ = writeln!(
                s,
                "<li><span class=\"status status-{0}\">{1}</span>{2}{3}</li>",
                escape(action.status.as_str()),
                words(action.status.as_str()),
                markdown(&action.description),
                team.unwrap_or_default()
            );
        }
        s.push_str("</ul>\n");
    });
    section(&mut page, "resolution", "Resolution", |s| s.push_str(&markdown(&sections.resolution)));
    section(&mut page, "lessons", "Lessons", |s| {
        let lessons = &sections.lessons;
        subsection(s, "Went well", &lessons.went_well);
        subsection(s, "Went badly", &lessons.went_badly);
        subsection(s, "Got lucky", &lessons.got_lucky);
    });
    section(&mut page, "recommendations", "Recommendations", |s| {
        if sections.recommendations.is_empty() {
            return;
        }
        s.push_str("<ol class=\"recommendations\">\n");
        for rec in &sections.recommendations {
            let links: Vec<String> = rec
                .action_items
                .iter()
                .filter_map(|id| doc.action_items.iter().position(|a| &a.id == id))
                .map(|i| {
                    let title = escape(&doc.action_items[i].title);
                    format!("<a href=\"#action-item-{}\">{}. {title}</a>", i + 1, i + 1)
                })
                .collect();
            let links = if links.is_empty() {
                String::new()
            } else {
                format!("<p class=\"links\">Action items: {}</p>", links.join(", "))
            };
            let _ = writeln!(s, "<li>{}{links}</li>", markdown(&rec.text));
        }
        s.push_str("</ol>\n");
    });
    section(&mut page, "action-items", "Action items", |s| action_items(s, &doc.action_items));
    section(&mut page, "timeline", "Timeline", |s| timeline(s, &doc.events));
    let threads = super::discussion::threads(doc);
    if !threads.is_empty() {
        section(&mut page, "discussion", super::discussion::TITLE, |s| {
            for thread in &threads {
                let _ = writeln!(s, "<h3>{}</h3>\n<ul class=\"comments\">", escape(&thread.title));
                for comment in &thread.comments {
                    let _ = writeln!(s, "<li>{}</li>", escape(comment));
                }
                s.push_str("</ul>\n");
                if let Some(resolved) = &thread.resolved {
                    let _ = writeln!(s, "<p class=\"resolved\">{}</p>", escape(resolved));
                }
            }
        });
    }
    let _ = write!(
        page,
        "<footer>{}: {} · post-mortem version {} · exported from Hindsight</footer>\n</main>\n</body>\n</html>\n",
        escape(&incident.handle),
        escape(&incident.title),
        postmortem.version
    );
    page
}

fn header(page: &mut String, doc: &PostmortemDocument) {
    let (incident, postmortem) = (&doc.incident, &doc.postmortem);
    let _ = write!(
        page,
        "<header>\n<p class=\"eyebrow\">Post-mortem · {}</p>\n<h1>{}</h1>\n<p class=\"badges\">\
         <span class=\"badge sev sev{}\">{}</span> <span class=\"badge\">Incident {}</span> \
         <span class=\"badge\">Post-mortem {}</span>{}</p>\n",
        escape(&incident.handle),
        escape(&incident.title),
        incident.severity.level(),
        incident.severity,
        words(incident.status.as_str()),
        words(postmortem.status.as_str()),
        if incident.private { " <span class=\"badge private\">Private</span>" } else { "" }
    );
    let responders: Vec<String> =
        incident.responders.iter().map(|r| format!("{} ({})", r.username, words(r.role.as_str()))).collect();
    facts(
        page,
        &[
            ("Services", non_empty(&incident.services.join(", "))),
            ("Teams", non_empty(&incident.teams.join(", "))),
            ("Detected by", Some(words(incident.detection_method.as_str()))),
            ("Responders", non_empty(&responders.join(", "))),
            ("Owner", postmortem.owner.clone()),
            ("Due", postmortem.due_date.map(date_text)),
            ("Contributing factors", non_empty(&doc.factors.join(", "))),
            ("Also covers", non_empty(&doc.covers.join(", "))),
        ],
    );
    let moments: Vec<(&str, OffsetDateTime)> = [
        ("Started", incident.moments.started_at),
        ("Detected", incident.moments.detected_at),
        ("Acknowledged", incident.moments.acknowledged_at),
        ("Mitigated", incident.moments.mitigated_at),
        ("Resolved", incident.moments.resolved_at),
    ]
    .into_iter()
    .filter_map(|(name, at)| at.map(|at| (name, at)))
    .collect();
    if !moments.is_empty() {
        page.push_str("<table class=\"moments\"><tr>");
        for (name, _) in &moments {
            let _ = write!(page, "<th>{name}</th>");
        }
        page.push_str("</tr><tr>");
        for (_, at) in &moments {
            let _ = write!(page, "<td>{}</td>", time_element(*at));
        }
        page.push_str("</tr></table>\n");
    }
    page.push_str("</header>\n");
}

fn section(page: &mut String, id: &str, title: &str, fill: impl FnOnce(&mut String)) {
    let mut body = String::new();
    fill(&mut body);
    if body.trim().is_empty() {
        body = "<p class=\"empty\">Not written yet.</p>\n".to_owned();
    }
    let _ = write!(page, "<section id=\"{id}\">\n<h2>{title}</h2>\n{body}</section>\n");
}

fn subsection(out: &mut String, title: &str, text: &str) {
    if !text.trim().is_empty() {
        let _ = write!(out, "<h3>{title}</h3>\n{}", markdown(text));
    }
}

/// A definition list of the facts that are known.
fn facts(out: &mut String, facts: &[(&str, Option<String>)]) {
    let known: Vec<_> = facts.iter().filter_map(|(name, value)| value.as_ref().map(|v| (name, v))).collect();
    if known.is_empty() {
        return;
    }
    out.push_str("<dl class=\"facts\">\n");
    for (name, value) in known {
        // Long values (a list of responders) take the whole row rather than squeezing a column.
        let wide = if value.chars().count() > 60 { " class=\"wide\"" } else { "" };
        let _ = writeln!(out, "<div{wide}><dt>{name}</dt><dd>{}</dd></div>", escape(value));
    }
    out.push_str("</dl>\n");
}

fn action_items(out: &mut String, items: &[ActionItem]) {
    if items.is_empty() {
        return;
    }
    out.push_str(
        "<table class=\"action-items\">\n<thead><tr><th>#</th><th>Action item</th><th>Kind</th><th>Priority</th>\
         <th>Status</th><th>Owner</th><th>Due</th></tr></thead>\n<tbody>\n",
    );
    for (index, item) in items.iter().enumerate() {
        let owner: Vec<String> = item.owner.iter().chain(&item.owner_team).map(|o| escape(o)).collect();
        let tracker = match &item.tracker_url {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                format!(" <a class=\"tracker\" href=\"{0}\" rel=\"noopener noreferrer\">{0}</a>", escape(url))
            }
            Some(other) => format!(" <span class=\"tracker\">{}</span>", escape(other)),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "<tr id=\"action-item-{n}\"><td>{n}</td><td><strong>{title}</strong>{tracker}{description}</td>\
             <td>{kind}</td><td>{priority}</td><td><span class=\"status status-{status}\">{status_words}</span></td>\
             <td>{owner}</td><td>{due}</td></tr>",
            n = index + 1,
            title = escape(&item.title),
            description = markdown(&item.description),
            kind = words(item.kind.as_str()),
            priority = item.priority.as_str().to_uppercase(),
            status = item.status.as_str(),
            status_words = words(item.status.as_str()),
            owner = owner.join(", "),
            due = item.due_date.map(date_text).unwrap_or_default(),
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn timeline(out: &mut String, events: &[TimelineEvent]) {
    if events.is_empty() {
        return;
    }
    out.push_str(
        "<table class=\"timeline\">\n<thead><tr><th>Time</th><th>Source</th><th>Kind</th><th>Actor</th>\
         <th>What happened</th></tr></thead>\n<tbody>\n",
    );
    for event in events {
        let moment = event
            .key_moment
            .map(|m| format!("<span class=\"badge moment\">{}</span>", words(m.as_str())))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr{class}><td>{time}</td><td>{source}</td><td>{kind}</td><td>{actor}</td><td>{moment}{text}</td></tr>",
            class = if event.key_moment.is_some() { " class=\"key\"" } else { "" },
            time = time_element(event.occurred_at),
            source = escape(&event.source),
            kind = words(event.kind.as_str()),
            actor = escape(event.actor.as_deref().unwrap_or("")),
            text = markdown(&event.text),
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// User Markdown as sanitised HTML: GFM, raw HTML escaped, then cleaned by ammonia.
pub fn markdown(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    let mut options = comrak::Options::default();
    options.extension.strikethrough = true;
    options.extension.table = true;
    options.extension.autolink = true;
    options.render.escape = true;
    let html = comrak::markdown_to_html(text, &options);
    ammonia::clean(&html)
}

/// Plain text made safe for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A model word (`in_progress`) as words (`in progress`). Model words are a closed set of
/// `a-z` and `_`, so the result needs no escaping.
pub(super) fn words(word: &str) -> String {
    match word {
        "wont_do" => "won't do".to_owned(),
        _ => word.replace('_', " "),
    }
}

/// A whole number with thousands separated, as money is shown beside it: `21,000`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

pub(super) fn non_empty(text: &str) -> Option<String> {
    (!text.trim().is_empty()).then(|| text.to_owned())
}

pub(super) fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// A time as `2026-11-20 10:04 UTC` (seconds when there are some, the source's offset when not UTC).
pub(super) fn time_shown(at: OffsetDateTime) -> String {
    let shown = if at.second() == 0 {
        at.format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
    } else {
        at.format(format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"))
    };
    let offset = if at.offset().is_utc() {
        "UTC".to_owned()
    } else {
        at.format(format_description!("[offset_hour sign:mandatory]:[offset_minute]")).unwrap_or_default()
    };
    format!("{} {offset}", shown.unwrap_or_else(|_| super::markdown::time_text(at)))
}

/// A `<time>` element: [`time_shown`] for people, RFC 3339 for machines.
fn time_element(at: OffsetDateTime) -> String {
    let machine = super::markdown::time_text(at);
    format!("<time datetime=\"{}\">{}</time>", escape(&machine), escape(&time_shown(at)))
}

const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1d2433; --muted: #5b6475; --line: #d9dee7; --paper: #ffffff; --wash: #f4f6fa; --accent: #2952cc; }
* { box-sizing: border-box; }
html { background: var(--wash); }
body { margin: 0; color: var(--ink); font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 60rem; margin: 2rem auto; padding: 2.5rem 3rem; background: var(--paper); border: 1px solid var(--line); border-radius: 8px; }
header { border-bottom: 2px solid var(--ink); padding-bottom: 1rem; margin-bottom: 1.5rem; }
.eyebrow { margin: 0; color: var(--muted); font-size: .85rem; letter-spacing: .04em; text-transform: uppercase; }
h1 { margin: .2rem 0 .6rem; font-size: 1.9rem; line-height: 1.2; }
h2 { margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); font-size: 1.3rem; }
h3 { margin: 1.2rem 0 .4rem; font-size: 1.05rem; }
section h1, section h2, section h3, section h4 { border: 0; font-size: 1rem; }
section > h2 { font-size: 1.3rem; border-bottom: 1px solid var(--line); }
a { color: var(--accent); }
code, pre { font: .88em/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--wash); border-radius: 4px; }
code { padding: .05em .3em; }
pre { padding: .7rem .9rem; overflow-x: auto; white-space: pre-wrap; }
pre code { padding: 0; background: none; }
blockquote { margin: .8rem 0; padding: .1rem 1rem; border-left: 3px solid var(--line); color: var(--muted); }
table { width: 100%; border-collapse: collapse; margin: .8rem 0; font-size: .9rem; }
th, td { padding: .4rem .5rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--wash); font-weight: 600; }
td p { margin: 0 0 .3rem; }
td p:last-child { margin-bottom: 0; }
.badges { margin: 0 0 .8rem; }
.badge { display: inline-block; padding: .1rem .55rem; border: 1px solid var(--line); border-radius: 999px; font-size: .8rem; background: var(--wash); }
.sev1, .sev2 { background: #fde8e8; border-color: #f5b5b5; color: #8a1c1c; }
.sev3 { background: #fff3dc; border-color: #f3d193; color: #7a4b00; }
.private { background: #ece8fd; border-color: #c9bdf5; color: #40288f; }
.moment { margin-right: .4rem; background: #e6effd; border-color: #b9cdf3; color: #1f3f8f; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: .3rem 1.2rem; margin: .6rem 0; }
.facts div { display: flex; flex-direction: column; }
.facts div.wide { grid-column: 1 / -1; }
.facts dt { color: var(--muted); font-size: .8rem; }
.facts dd { margin: 0; }
.moments td, .moments th { font-size: .85rem; }
.status { display: inline-block; min-width: 6.5rem; margin-right: .5rem; font-size: .8rem; font-weight: 600; text-transform: uppercase; color: var(--muted); }
.status-done { color: #1b6b3a; }
.actions li p, .recommendations li p { display: inline; margin: 0; }
.actions li, .recommendations li { margin-bottom: .5rem; }
.team { color: var(--muted); font-size: .85rem; }
.team::before { content: "("; } .team::after { content: ")"; }
.links { display: block !important; margin-top: .2rem !important; font-size: .85rem; color: var(--muted); }
.tracker { font-size: .8rem; margin-left: .3rem; }
.timeline tr.key td { background: #f3f7ff; }
.timeline td:first-child, .action-items td:last-child { white-space: nowrap; }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 2.5rem; padding-top: .6rem; border-top: 1px solid var(--line); color: var(--muted); font-size: .8rem; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  html, body { background: #fff; }
  body { font-size: 10.5pt; }
  main { max-width: none; margin: 0; padding: 0; border: 0; }
  a { color: inherit; text-decoration: none; }
  a.tracker::after { content: ""; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, li, .facts, pre, blockquote { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .badge, th, .timeline tr.key td, code, pre { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::round_trip::sample_document;

    #[test]
    fn a_script_in_a_section_never_reaches_the_page() {
        let mut doc = sample_document();
        doc.postmortem.sections.summary =
            "Before <script>alert('x')</script> after.\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))"
                .into();
        doc.incident.title = "<script>alert('title')</script>".into();
        doc.events[0].actor = Some("<b onmouseover=alert(1)>bot</b>".into());
        doc.action_items[0].tracker_url = Some("javascript:alert(1)".into());
        let html = to_html(&doc);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(!html.contains("href=\"javascript:"), "{html}");
        // What was written stays readable, as text.
        assert!(html.contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;"), "{html}");
        assert!(html.contains("Before &lt;script&gt;alert('x')&lt;/script&gt; after."), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
        assert!(html.contains("&lt;b onmouseover=alert(1)&gt;bot&lt;/b&gt;"), "{html}");
    }

    #[test]
    fn section_markdown_is_rendered_as_html() {
        let mut doc = sample_document();
        doc.postmortem.sections.summary =
            "**Bold** and `code`.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |".into();
        let html = to_html(&doc);
        for part in ["<strong>Bold</strong>", "<code>code</code>", "<li>one</li>", "<td>1</td>"] {
            assert!(html.contains(part), "missing {part}");
        }
    }

    #[test]
    fn the_page_is_standalone_and_has_print_styles() {
        let html = to_html(&sample_document());
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("@media print"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("<link"));
    }

    #[test]
    fn recommendations_link_to_their_action_items() {
        let html = to_html(&sample_document());
        assert!(html.contains("<a href=\"#action-item-1\">1. Point pgbouncer at Consul</a>"), "{html}");
        assert!(html.contains("<tr id=\"action-item-1\">"), "{html}");
    }

    #[test]
    fn empty_sections_say_so() {
        let mut doc = sample_document();
        doc.postmortem.sections.trigger.clear();
        let html = to_html(&doc);
        assert!(html.contains("<section id=\"trigger\">\n<h2>Trigger</h2>\n<p class=\"empty\">"), "{html}");
    }
}
