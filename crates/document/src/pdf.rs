//! Renders a post-mortem document as a PDF: the same parts, in the same order, as the HTML
//! page, typeset by typst with fonts compiled into the binary (no network, no system fonts).
//!
//! The work has two steps. [`to_typst`] writes the document as typst markup; it is plain
//! string building and always compiled, so its escaping is tested in every build.
//! [`to_pdf`] compiles that markup; it needs the cargo feature `pdf` (typst's first build
//! takes minutes), and without it answers [`PdfError::NotBuilt`].
//!
//! No user text reaches the markup as markup. Plain values (titles, names, slugs) have every
//! ASCII punctuation character escaped with a backslash, which typst accepts for any
//! character; Markdown texts are parsed with comrak and rebuilt as typst, their text escaped
//! the same way and code passed as string literals. Raw HTML is shown as text, as in the
//! HTML page. This module does not decide what a reader may see.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::PostmortemDocument;
use super::html::{grouped, non_empty, time_shown, words, yes_no};
use super::markdown::date_text;
use hindsight_core::metrics::{TimelineSummary, incident_metrics};
use hindsight_core::model::{ActionItem, TimelineEvent};

/// What to tell whoever asks for a PDF from a build without the `pdf` feature.
pub const PDF_NOT_BUILT: &str = "this build of Hindsight has no PDF support; build it with the \
     `pdf` feature (`cargo build --release --features pdf`) to export post-mortems as PDF";

/// Why a PDF could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// This binary was built without the `pdf` feature.
    #[error("{PDF_NOT_BUILT}")]
    NotBuilt,
    /// Typst refused the generated markup: a bug in this module, with typst's messages.
    #[error("typesetting the post-mortem failed: {0}")]
    Typeset(String),
    /// Typst typeset the document but could not write it as PDF.
    #[error("writing the post-mortem as PDF failed: {0}")]
    Write(String),
}

/// The document as a PDF file.
pub fn to_pdf(doc: &PostmortemDocument) -> Result<Vec<u8>, PdfError> {
    compile(to_typst(doc))
}

#[cfg(not(feature = "pdf"))]
fn compile(_source: String) -> Result<Vec<u8>, PdfError> {
    Err(PdfError::NotBuilt)
}

#[cfg(feature = "pdf")]
fn compile(source: String) -> Result<Vec<u8>, PdfError> {
    use std::sync::LazyLock;

    use typst::foundations::Bytes;
    use typst::text::Font;
    use typst_as_lib::TypstEngine;
    use typst_layout::PagedDocument;

    // Parsed once per process: the fonts are static data, a `Font` is a cheap handle to it.
    static FONTS: LazyLock<Vec<Font>> =
        LazyLock::new(|| typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect());

    let engine = TypstEngine::builder().main_file(source).fonts(FONTS.iter().cloned()).build();
    let typeset: PagedDocument = engine.compile().output.map_err(|e| PdfError::Typeset(typst_message(&e)))?;
    typst_pdf::pdf(&typeset, &typst_pdf::PdfOptions::default()).map_err(|diagnostics| {
        PdfError::Write(diagnostics.iter().map(|d| d.message.as_str()).collect::<Vec<_>>().join("; "))
    })
}

#[cfg(feature = "pdf")]
fn typst_message(error: &typst_as_lib::TypstAsLibError) -> String {
    match error {
        typst_as_lib::TypstAsLibError::TypstSource(diagnostics) => {
            diagnostics.iter().map(|d| d.message.as_str()).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}

/// The document as typst markup, ready to compile with the fonts typst ships.
pub fn to_typst(doc: &PostmortemDocument) -> String {
    let incident = &doc.incident;
    let postmortem = &doc.postmortem;
    let sections = &postmortem.sections;
    let mut out = String::new();
    let _ = write!(
        out,
        "#set document(title: {title}, date: none)\n\
         #set page(paper: \"a4\", margin: (x: 18mm, y: 16mm), footer: context text(size: 8pt, fill: luma(110))[\
         {handle} #h(1fr) page #counter(page).display() of #counter(page).final().first()])\n{PREAMBLE}",
        title = string(&format!("{}: {}", incident.handle, incident.title)),
        handle = escape(&incident.handle),
    );
    header(&mut out, doc);

    section(&mut out, "Description", |s| s.push_str(&markdown(&incident.description)));
    section(&mut out, "Summary", |s| s.push_str(&markdown(&sections.summary)));
    section(&mut out, "Impact", |s| {
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
    section(&mut out, "Root cause", |s| {
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
    section(&mut out, "Trigger", |s| s.push_str(&markdown(&sections.trigger)));
    section(&mut out, "Detection", |s| s.push_str(&markdown(&sections.detection)));
    section(&mut out, "Response", |s| s.push_str(&markdown(&sections.response_analysis)));
    section(&mut out, "Damage control", |s| {
        if sections.damage_control.is_empty() {
            return;
        }
        let items: Vec<String> = sections
            .damage_control
            .iter()
            .map(|action| {
                let team = action
                    .owner_team
                    .as_deref()
                    .map(|t| format!(" #text(fill: muted)[\\({}\\)];", escape(t)))
                    .unwrap_or_default();
                format!(
                    "#status[{}]; {}{team}",
                    escape(&words(action.status.as_str())),
                    markdown_inline(&action.description)
                )
            })
            .collect();
        list(s, "list", &items);
    });
    section(&mut out, "Resolution", |s| s.push_str(&markdown(&sections.resolution)));
    section(&mut out, "Lessons", |s| {
        let lessons = &sections.lessons;
        subsection(s, "Went well", &lessons.went_well);
        subsection(s, "Went badly", &lessons.went_badly);
        subsection(s, "Got lucky", &lessons.got_lucky);
    });
    section(&mut out, "Recommendations", |s| {
        if sections.recommendations.is_empty() {
            return;
        }
        let items: Vec<String> = sections
            .recommendations
            .iter()
            .map(|rec| {
                let links: Vec<String> = rec
                    .action_items
                    .iter()
                    .filter_map(|id| doc.action_items.iter().position(|a| &a.id == id))
                    .map(|i| format!("{}\\. {}", i + 1, escape(&doc.action_items[i].title)))
                    .collect();
                let links = if links.is_empty() {
                    String::new()
                } else {
                    format!("\n\n#text(size: 9pt, fill: muted)[Action items: {}];", links.join(", "))
                };
                format!("{}{links}", markdown(&rec.text).trim_end())
            })
            .collect();
        list(s, "enum", &items);
    });
    section(&mut out, "Action items", |s| action_items(s, &doc.action_items));
    section(&mut out, "Timeline", |s| timeline(s, &doc.events));
    let threads = super::discussion::threads(doc);
    if !threads.is_empty() {
        section(&mut out, super::discussion::TITLE, |s| {
            for thread in &threads {
                let _ = write!(s, "\n=== {}\n\n", escape(&thread.title));
                let items: Vec<String> = thread.comments.iter().map(|c| escape(c)).collect();
                list(s, "list", &items);
                if let Some(resolved) = &thread.resolved {
                    let _ = write!(s, "\n{}\n", escape(resolved));
                }
            }
        });
    }
    out
}

/// Page setup and the few helpers the body uses; no user text.
const PREAMBLE: &str = r##"#set text(font: "Libertinus Serif", size: 10.5pt, lang: "en")
#set par(leading: 0.6em, spacing: 0.9em)
#show raw: set text(font: "DejaVu Sans Mono", size: 0.85em)
#show raw.where(block: true): it => block(fill: luma(245), inset: 6pt, radius: 3pt, width: 100%, it)
#show heading.where(level: 1): set text(size: 20pt)
#show heading.where(level: 2): it => block(above: 1.5em, below: 0.7em, width: 100%, stroke: (bottom: 0.5pt + luma(200)), inset: (bottom: 3pt), text(size: 13pt, it.body))
#show heading.where(level: 3): it => block(above: 1.1em, below: 0.5em, text(size: 11pt, it.body))
#show link: set text(fill: rgb("#2952cc"))
#set table(stroke: (x, y) => (bottom: 0.4pt + luma(210)), inset: 4pt)
#show table.cell.where(y: 0): set text(weight: "bold")
#let muted = luma(90)
#let badge(body, fill: luma(240)) = box(fill: fill, inset: (x: 5pt, y: 2pt), radius: 6pt, outset: (y: 1pt), text(size: 8.5pt, body))
#let status(body) = box(width: 6.5em, text(size: 8pt, weight: "bold", fill: muted, upper(body)))
#let empty = text(fill: muted, style: "italic")[Not written yet.]
"##;

fn header(out: &mut String, doc: &PostmortemDocument) {
    let (incident, postmortem) = (&doc.incident, &doc.postmortem);
    let severity_fill = match incident.severity.level() {
        1 | 2 => "rgb(\"#fde8e8\")",
        3 => "rgb(\"#fff3dc\")",
        _ => "luma(240)",
    };
    let _ = write!(
        out,
        "#text(size: 9pt, fill: muted, tracking: 0.04em)[POST\\-MORTEM · {handle}]\n\n= {title}\n\n\
         #badge(fill: {severity_fill})[{severity}] #badge[Incident {status}] #badge[Post\\-mortem {pm_status}]{private}\n\n",
        handle = escape(&incident.handle),
        title = escape(&incident.title.replace('\n', " ")),
        severity = escape(&incident.severity.to_string()),
        status = escape(&words(incident.status.as_str())),
        pm_status = escape(&words(postmortem.status.as_str())),
        private = if incident.private { " #badge(fill: rgb(\"#ece8fd\"))[Private]" } else { "" },
    );
    let responders: Vec<String> =
        incident.responders.iter().map(|r| format!("{} ({})", r.username, words(r.role.as_str()))).collect();
    facts(
        out,
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

    // Moments as the incident sets them, else from the timeline's key moments, as the metrics take them.
    let metrics = incident_metrics(incident, &timeline_summary(&doc.events));
    let moments: Vec<(&str, String)> = [
        ("Started", metrics.started_at),
        ("Detected", metrics.detected_at),
        ("Acknowledged", metrics.acknowledged_at),
        ("Mitigated", metrics.mitigated_at),
        ("Resolved", metrics.resolved_at),
    ]
    .into_iter()
    .filter_map(|(name, at)| at.map(|at| (name, escape(&time_shown(at)))))
    .collect();
    table(
        out,
        &moments.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        &[moments.iter().map(|(_, at)| at.clone()).collect()],
    );
    let times: Vec<(&str, String)> = [
        ("Time to detect", metrics.time_to_detect_s),
        ("Time to acknowledge", metrics.time_to_acknowledge_s),
        ("Time to mitigate", metrics.time_to_mitigate_s),
        ("Time to resolve", metrics.time_to_resolve_s),
    ]
    .into_iter()
    .filter_map(|(name, seconds)| seconds.map(|s| (name, duration_text(s))))
    .collect();
    table(
        out,
        &times.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        &[times.iter().map(|(_, d)| d.clone()).collect()],
    );
}

/// What the metrics need of a timeline, from the document's events.
fn timeline_summary(events: &[TimelineEvent]) -> TimelineSummary {
    let mut summary = TimelineSummary { kinds: BTreeMap::new(), first_marked: BTreeMap::new() };
    for event in events {
        *summary.kinds.entry(event.kind).or_insert(0) += 1;
        if let Some(moment) = event.key_moment {
            let first = summary.first_marked.entry(moment).or_insert(event.occurred_at);
            if event.occurred_at < *first {
                *first = event.occurred_at;
            }
        }
    }
    summary
}

/// A duration in seconds as `45 s`, `12 min` or `2 h 05 min`.
fn duration_text(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}

fn section(out: &mut String, title: &str, fill: impl FnOnce(&mut String)) {
    let mut body = String::new();
    fill(&mut body);
    if body.trim().is_empty() {
        body = "#empty\n".to_owned();
    }
    let _ = write!(out, "\n== {title}\n\n{}\n", body.trim_end());
}

fn subsection(out: &mut String, title: &str, text: &str) {
    if !text.trim().is_empty() {
        let _ = write!(out, "\n=== {title}\n\n{}\n", markdown(text).trim_end());
    }
}

/// The facts that are known, as a two-column grid of name and value.
fn facts(out: &mut String, facts: &[(&str, Option<String>)]) {
    let known: Vec<String> = facts
        .iter()
        .filter_map(|(name, value)| value.as_ref().map(|v| format!("text(fill: muted)[{name}], [{}]", escape(v))))
        .collect();
    if known.is_empty() {
        return;
    }
    let _ =
        writeln!(out, "#grid(columns: (auto, 1fr), column-gutter: 1.2em, row-gutter: 0.5em, {});\n", known.join(", "));
}

/// A table with a header row; cells are markup already escaped. Nothing when there are no columns.
fn table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    if head.is_empty() {
        return;
    }
    let mut cells: Vec<String> = head.iter().map(|h| format!("[{h}]")).collect();
    for row in rows {
        cells.extend(row.iter().map(|cell| format!("[{cell}]")));
    }
    let _ = writeln!(out, "#table(columns: {}, {});\n", head.len(), cells.join(", "));
}

/// A `list` or `enum` of items, each already markup.
fn list(out: &mut String, kind: &str, items: &[String]) {
    let items: Vec<String> = items.iter().map(|item| format!("[{item}]")).collect();
    let _ = writeln!(out, "#{kind}(spacing: 0.8em, {});\n", items.join(", "));
}

fn action_items(out: &mut String, items: &[ActionItem]) {
    if items.is_empty() {
        return;
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let owner: Vec<String> = item.owner.iter().chain(&item.owner_team).map(|o| escape(o)).collect();
            let tracker = match &item.tracker_url {
                Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                    format!(" \\\n#text(size: 8pt)[#link({})[{}]];", string(url), escape(url))
                }
                Some(other) => format!(" \\\n#text(size: 8pt)[{}];", escape(other)),
                None => String::new(),
            };
            let description = markdown(&item.description);
            let description =
                if description.trim().is_empty() { String::new() } else { format!("\n\n{}", description.trim_end()) };
            vec![
                (index + 1).to_string(),
                format!("#strong[{}];{tracker}{description}", escape(&item.title)),
                escape(&words(item.kind.as_str())),
                escape(&item.priority.as_str().to_uppercase()),
                escape(&words(item.status.as_str())),
                owner.join(", "),
                item.due_date.map(|d| escape(&date_text(d))).unwrap_or_default(),
            ]
        })
        .collect();
    out.push_str("#[#set text(size: 9pt)\n");
    table(out, &["\\#", "Action item", "Kind", "Priority", "Status", "Owner", "Due"], &rows);
    out.push_str("];\n");
}

fn timeline(out: &mut String, events: &[TimelineEvent]) {
    if events.is_empty() {
        return;
    }
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|event| {
            let moment = event
                .key_moment
                .map(|m| format!("#badge(fill: rgb(\"#e6effd\"))[{}]; ", escape(&words(m.as_str()))))
                .unwrap_or_default();
            let text = markdown(&event.text);
            let text = if event.key_moment.is_some() { format!("#strong[{}];", text.trim()) } else { text };
            vec![
                escape(&time_shown(event.occurred_at)),
                escape(&event.source),
                escape(&words(event.kind.as_str())),
                escape(event.actor.as_deref().unwrap_or("")),
                format!("{moment}{}", text.trim_end()),
            ]
        })
        .collect();
    out.push_str("#[#set text(size: 9pt)\n");
    table(out, &["Time", "Source", "Kind", "Actor", "What happened"], &rows);
    out.push_str("];\n");
}

/// Plain text as typst markup that shows it literally. Typst reads a backslash before any
/// character as that character, so every ASCII punctuation mark is escaped: none can then
/// start a function (`#`), emphasis, math, a label, a reference, a comment or raw text, nor
/// continue an expression that came before it. Line breaks are kept as line breaks.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            '\n' => out.push_str(" \\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A typst string literal holding `text`.
fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// User Markdown (GFM) as typst markup.
fn markdown(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    let arena = comrak::Arena::new();
    let mut options = comrak::Options::default();
    options.extension.strikethrough = true;
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.tasklist = true;
    let root = comrak::parse_document(&arena, text, &options);
    let mut out = String::new();
    blocks(&mut out, root);
    out
}

/// User Markdown as markup that fits in a line: paragraphs joined by line breaks.
fn markdown_inline(text: &str) -> String {
    markdown(text).trim().to_owned()
}

fn blocks<'a>(out: &mut String, parent: comrak::nodes::Node<'a>) {
    for node in parent.children() {
        block(out, node);
    }
}

fn block<'a>(out: &mut String, node: comrak::nodes::Node<'a>) {
    use comrak::nodes::{ListType, NodeValue};
    let value = node.data().value.clone();
    match value {
        NodeValue::Paragraph => {
            inlines(out, node);
            out.push_str("\n\n");
        }
        NodeValue::Heading(_) => {
            out.push_str("#strong[");
            inlines(out, node);
            out.push_str("];\n\n");
        }
        NodeValue::List(list) => {
            let items: Vec<String> = node
                .children()
                .map(|item| {
                    let mut body = String::new();
                    if let NodeValue::TaskItem(task) = &item.data().value {
                        body.push_str(if task.symbol.is_some() { "☑ " } else { "☐ " });
                    }
                    blocks(&mut body, item);
                    body.trim_end().to_owned()
                })
                .collect();
            let items: Vec<String> = items.iter().map(|item| format!("[{item}]")).collect();
            let tight = if list.tight { "true" } else { "false" };
            match list.list_type {
                ListType::Bullet => {
                    let _ = write!(out, "#list(tight: {tight}, {});\n\n", items.join(", "));
                }
                ListType::Ordered => {
                    let _ = write!(out, "#enum(tight: {tight}, start: {}, {});\n\n", list.start, items.join(", "));
                }
            }
        }
        NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) | NodeValue::Alert(_) => {
            let mut body = String::new();
            blocks(&mut body, node);
            let _ = write!(out, "#quote(block: true)[{}];\n\n", body.trim_end());
        }
        NodeValue::CodeBlock(code) => {
            let _ = write!(out, "#raw(block: true, {});\n\n", string(code.literal.trim_end_matches('\n')));
        }
        NodeValue::HtmlBlock(html) => {
            let _ = write!(out, "{}\n\n", escape(html.literal.trim_end_matches('\n')));
        }
        NodeValue::ThematicBreak => out.push_str("#line(length: 100%, stroke: 0.5pt + luma(200));\n\n"),
        NodeValue::Table(table) => {
            let mut cells = Vec::new();
            for row in node.children() {
                for cell in row.children() {
                    let mut body = String::new();
                    inlines(&mut body, cell);
                    cells.push(format!("[{body}]"));
                }
            }
            let _ = write!(out, "#table(columns: {}, {});\n\n", table.alignments.len().max(1), cells.join(", "));
        }
        NodeValue::Text(_)
        | NodeValue::Code(_)
        | NodeValue::Emph
        | NodeValue::Strong
        | NodeValue::Strikethrough
        | NodeValue::Link(_)
        | NodeValue::Image(_)
        | NodeValue::SoftBreak
        | NodeValue::LineBreak
        | NodeValue::HtmlInline(_) => {
            inline(out, node);
            out.push_str("\n\n");
        }
        // Anything else (front matter, footnotes, description lists, …): its text, as paragraphs.
        _ => blocks(out, node),
    }
}

fn inlines<'a>(out: &mut String, parent: comrak::nodes::Node<'a>) {
    for node in parent.children() {
        inline(out, node);
    }
}

fn inline<'a>(out: &mut String, node: comrak::nodes::Node<'a>) {
    use comrak::nodes::NodeValue;
    let value = node.data().value.clone();
    match value {
        NodeValue::Text(text) => out.push_str(&escape(&text)),
        NodeValue::Code(code) => {
            let _ = write!(out, "#raw({});", string(&code.literal));
        }
        NodeValue::HtmlInline(html) => out.push_str(&escape(&html)),
        NodeValue::SoftBreak => out.push(' '),
        NodeValue::LineBreak => out.push_str(" \\\n"),
        NodeValue::Emph => wrapped(out, "emph", node),
        NodeValue::Strong => wrapped(out, "strong", node),
        NodeValue::Strikethrough => wrapped(out, "strike", node),
        NodeValue::Link(link) => {
            let mut body = String::new();
            inlines(&mut body, node);
            if link.url.starts_with("https://") || link.url.starts_with("http://") || link.url.starts_with("mailto:") {
                let _ = write!(out, "#link({})[{body}];", string(&link.url));
            } else {
                out.push_str(&body);
            }
        }
        NodeValue::Image(image) => {
            let mut alt = String::new();
            inlines(&mut alt, node);
            let _ = write!(out, "\\[image: {alt} {}\\]", escape(&image.url));
        }
        _ => inlines(out, node),
    }
}

fn wrapped<'a>(out: &mut String, function: &str, node: comrak::nodes::Node<'a>) {
    let _ = write!(out, "#{function}[");
    inlines(out, node);
    out.push_str("];");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::round_trip::sample_document;

    /// Text with every character that means something in typst markup.
    const MARKUP: &str =
        "#set text(red) *bold* _em_ $x^2$ [a] \\ @ref <label> `raw` // comment /* block */ ~ -- ... = + 1. 'q' \"q\"";

    #[test]
    fn plain_text_escapes_every_punctuation_mark() {
        assert_eq!(escape("a#b*c"), "a\\#b\\*c");
        assert_eq!(escape("\\"), "\\\\");
        assert_eq!(escape("// x"), "\\/\\/ x");
        assert_eq!(escape("line\nnext"), "line \\\nnext");
        assert_eq!(escape("ünïcode stays"), "ünïcode stays");
        let escaped = escape(MARKUP);
        // No punctuation mark is left without its backslash.
        let mut chars = escaped.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                chars.next();
            } else {
                assert!(!c.is_ascii_punctuation(), "unescaped {c:?} in {escaped}");
            }
        }
    }

    #[test]
    fn string_literals_escape_quotes_and_backslashes() {
        assert_eq!(string("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c\\nd\"");
    }

    #[test]
    fn user_text_reaches_the_markup_escaped() {
        let mut doc = sample_document();
        doc.incident.title = MARKUP.into();
        doc.postmortem.sections.root_cause.component = MARKUP.into();
        let source = to_typst(&doc);
        let escaped = escape(MARKUP);
        assert!(source.contains(&format!("= {escaped}\n")), "{source}");
        assert!(source.contains(&format!("[{escaped}]")), "{source}");
        // Unescaped only in the document's title, a string literal.
        let title = string(&format!("{}: {MARKUP}", doc.incident.handle));
        assert!(source.starts_with(&format!("#set document(title: {title}, ")), "{source}");
        assert_eq!(source.matches("#set text(red)").count(), 1, "{source}");
    }

    #[test]
    fn markdown_becomes_typst_with_its_text_escaped() {
        let typst =
            markdown("**Bold** and _em_ and `co\"de` #tag\n\n- one $\n- two [x]\n\n1. first\n\n```\nfn main() {}\n```");
        assert!(typst.contains("#strong[Bold];"), "{typst}");
        assert!(typst.contains("#emph[em];"), "{typst}");
        assert!(typst.contains("#raw(\"co\\\"de\");"), "{typst}");
        assert!(typst.contains("\\#tag"), "{typst}");
        assert!(typst.contains("#list(tight: true, [one \\$], [two \\[x\\]]);"), "{typst}");
        assert!(typst.contains("#enum(tight: true, start: 1, [first]);"), "{typst}");
        assert!(typst.contains("#raw(block: true, \"fn main() {}\");"), "{typst}");
    }

    #[test]
    fn only_web_and_mail_links_become_links() {
        let typst = markdown("[ok](https://example.com/a\"b) [bad](javascript:alert(1))");
        assert!(typst.contains("#link(\"https://example.com/a\\\"b\")[ok];"), "{typst}");
        assert!(!typst.contains("javascript"), "{typst}");
        assert!(typst.contains("bad"), "{typst}");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let typst = markdown("<script>alert('x')</script>\n\nBefore <b>bold</b>");
        assert!(typst.contains("\\<script\\>alert\\(\\'x\\'\\)\\<\\/script\\>"), "{typst}");
        assert!(typst.contains("\\<b\\>bold\\<\\/b\\>"), "{typst}");
    }

    #[test]
    fn the_markup_has_every_section_in_the_html_order() {
        let source = to_typst(&sample_document());
        let order = [
            "== Description",
            "== Summary",
            "== Impact",
            "== Root cause",
            "== Trigger",
            "== Detection",
            "== Response",
            "== Damage control",
            "== Resolution",
            "== Lessons",
            "== Recommendations",
            "== Action items",
            "== Timeline",
        ];
        let positions: Vec<usize> =
            order.iter().map(|h| source.find(h).unwrap_or_else(|| panic!("{h} missing in {source}"))).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration_text(42), "42 s");
        assert_eq!(duration_text(720), "12 min");
        assert_eq!(duration_text(2 * 3600 + 5 * 60 + 9), "2 h 05 min");
    }

    #[cfg(not(feature = "pdf"))]
    #[test]
    fn without_the_feature_asking_for_a_pdf_says_how_to_build_one() {
        let error = to_pdf(&sample_document()).unwrap_err();
        assert_eq!(error, PdfError::NotBuilt);
        assert!(error.to_string().contains("--features pdf"), "{error}");
    }
}

#[cfg(all(test, feature = "pdf"))]
mod pdf_tests {
    use time::OffsetDateTime;
    use time::macros::datetime;

    use super::*;
    use crate::round_trip::{demo_document, sample_document};
    use hindsight_demo::demo_data;

    const NOW: OffsetDateTime = datetime!(2026-11-20 12:00 UTC);

    #[test]
    fn a_post_mortem_compiles_to_a_pdf() {
        let pdf = to_pdf(&sample_document()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{:?}", &pdf[..pdf.len().min(16)]);
        assert!(pdf.len() > 10_000, "{} bytes", pdf.len());
    }

    #[test]
    fn text_full_of_typst_markup_compiles_and_is_not_interpreted() {
        let tricky = "#panic(\"no\") *b* _e_ $x$ [a] \\ @nobody <nolabel> `raw` // not a comment /* nor this";
        let mut doc = sample_document();
        doc.incident.title = tricky.into();
        doc.postmortem.sections.summary = format!("{tricky}\n\n- {tricky}\n\n> {tricky}");
        doc.postmortem.sections.root_cause.component = tricky.into();
        doc.events[0].actor = Some(tricky.into());
        // `#panic` would fail the compile, `@nobody` and `<nolabel>` would be unresolved references.
        let pdf = to_pdf(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn every_demo_incident_renders_as_a_pdf() {
        for (index, demo) in demo_data(NOW).incidents.iter().enumerate() {
            let (doc, _) = demo_document(index as i64 + 1, demo);
            let pdf = to_pdf(&doc).unwrap_or_else(|e| panic!("{}: {e}", demo.incident.title));
            assert!(pdf.starts_with(b"%PDF-"), "{}", demo.incident.title);
        }
    }

    #[test]
    fn the_same_document_gives_the_same_pdf() {
        let doc = sample_document();
        assert_eq!(to_pdf(&doc).unwrap(), to_pdf(&doc).unwrap());
    }
}
