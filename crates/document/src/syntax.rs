//! The grammar of a post-mortem's Markdown body, shared by the writer and the reader, and
//! the escapes that keep user text from being read as that grammar.
//!
//! Structure is only ever read from lines that start in column 0:
//! - `## <Section>` and `### <Subsection>` headings. A line of user text that would be read as
//!   one (two or three `#` then a space or the line's end, after any backslashes) is written with
//!   one more leading backslash, and the reader takes one away: `## Timeline` in a summary is
//!   written `\## Timeline`, which Markdown itself shows as the literal text `## Timeline`. Only
//!   column 0 counts, so indented text, list items and deeper headings (`####`) pass untouched.
//!   Fenced code is not special: a code line `## x` is written `\## x` too, so that an unclosed
//!   fence in user text can never swallow the rest of the document.
//! - list items `- …`, whose further lines are indented by two spaces (empty lines stay empty).
//!   Since every line of an item but its first is indented, user text inside an item can never
//!   start a new item or section.
//!
//! One-line values (titles, actors, metadata) are written with [`escape_inline`]: backslash,
//! newline and carriage return become `\\`, `\n`, `\r`, and the few characters that delimit the
//! value get a backslash, which is also Markdown's own escape for them.
//!
//! Multi-line texts are kept exactly, except that blank lines at their start and end are not
//! kept and `\r\n` is read as `\n`.

use super::DocumentError;

/// A section of the body, in the order written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Heading {
    Description,
    Summary,
    Impact,
    RootCause,
    Trigger,
    Detection,
    Response,
    DamageControl,
    Resolution,
    Lessons,
    Recommendations,
    ActionItems,
    Timeline,
}

impl Heading {
    pub(super) const ALL: [Heading; 13] = [
        Heading::Description,
        Heading::Summary,
        Heading::Impact,
        Heading::RootCause,
        Heading::Trigger,
        Heading::Detection,
        Heading::Response,
        Heading::DamageControl,
        Heading::Resolution,
        Heading::Lessons,
        Heading::Recommendations,
        Heading::ActionItems,
        Heading::Timeline,
    ];

    /// The text of its `## ` heading.
    pub(super) fn title(self) -> &'static str {
        match self {
            Heading::Description => "Description",
            Heading::Summary => "Summary",
            Heading::Impact => "Impact",
            Heading::RootCause => "Root cause",
            Heading::Trigger => "Trigger",
            Heading::Detection => "Detection",
            Heading::Response => "Response",
            Heading::DamageControl => "Damage control",
            Heading::Resolution => "Resolution",
            Heading::Lessons => "Lessons",
            Heading::Recommendations => "Recommendations",
            Heading::ActionItems => "Action items",
            Heading::Timeline => "Timeline",
        }
    }

    /// The section a heading names, ignoring case.
    pub(super) fn from_title(title: &str) -> Option<Heading> {
        Heading::ALL.into_iter().find(|h| h.title().eq_ignore_ascii_case(title))
    }
}

/// `### ` subsections of the impact: the free notes come first, without a heading.
pub(super) const DATA_LOST: &str = "Data lost";
/// `### ` subsections of the root cause, after its description.
pub(super) const ANALYSIS: &str = "Analysis";
pub(super) const CLUES: &str = "Clues";
/// `### ` subsections of the lessons.
pub(super) const WENT_WELL: &str = "Went well";
pub(super) const WENT_BADLY: &str = "Went badly";
pub(super) const GOT_LUCKY: &str = "Got lucky";

/// How a recommendation's line naming one of its action items starts.
pub(super) const LINK_PREFIX: &str = "- Action item ";
/// What a damage-control action without an owner team says in place of the team.
pub(super) const NO_TEAM: &str = "no team";

/// Counts the hashes of a `##` or `###` heading (after any leading backslashes), if `line` is one.
fn heading_hashes(line: &str) -> Option<usize> {
    let rest = line.trim_start_matches('\\');
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    let after = rest[hashes..].chars().next();
    ((2..=3).contains(&hashes) && matches!(after, None | Some(' ' | '\t'))).then_some(hashes)
}

/// A structural heading: its level (2 or 3) and its text.
pub(super) fn heading(line: &str) -> Option<(usize, &str)> {
    if line.starts_with('\\') {
        return None;
    }
    heading_hashes(line).map(|level| (level, line[level..].trim()))
}

/// Removes blank lines at the start and end of a text.
pub(super) fn trim_blank_lines(text: &str) -> &str {
    let lines: Vec<&str> = text.split('\n').collect();
    let Some(first) = lines.iter().position(|l| !l.trim().is_empty()) else { return "" };
    let last = lines.iter().rposition(|l| !l.trim().is_empty()).unwrap_or(first);
    let start: usize = lines[..first].iter().map(|l| l.len() + 1).sum();
    let end: usize = lines[..=last].iter().map(|l| l.len() + 1).sum::<usize>() - 1;
    &text[start..end]
}

/// A multi-line text as written in a section: heading-like lines get one more backslash.
pub(super) fn escape_text(text: &str) -> String {
    escape_lines(trim_blank_lines(text), |line| heading_hashes(line).is_some())
}

/// Adds a backslash to the lines `reserved` says could be read as structure.
pub(super) fn escape_lines(text: &str, reserved: impl Fn(&str) -> bool) -> String {
    let lines: Vec<String> =
        text.split('\n').map(|line| if reserved(line) { format!("\\{line}") } else { line.to_owned() }).collect();
    lines.join("\n")
}

/// Takes one backslash from a line of section text that escapes a heading.
pub(super) fn unescape_text_line(line: &str) -> &str {
    match line.strip_prefix('\\') {
        Some(rest) if heading_hashes(line).is_some() => rest,
        _ => line,
    }
}

/// Whether a line of a recommendation's text would be read as a link to an action item.
pub(super) fn link_like(line: &str) -> bool {
    line.trim_start_matches('\\').starts_with(LINK_PREFIX)
}

/// A one-line value as written: `\`, newline, carriage return and `special` get a backslash.
pub(super) fn escape_inline(value: &str, special: &[char]) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if special.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Reads a one-line value back. `\n` and `\r` are line breaks; a backslash before ASCII
/// punctuation or `·` stands for that character (as in Markdown); any other backslash is kept.
pub(super) fn unescape_inline(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(next) if next.is_ascii_punctuation() || next == '·' => out.push(next),
            _ => {
                out.push('\\');
                continue;
            }
        }
        chars.next();
    }
    out
}

/// The byte index of the first `needle` in `value` that is not escaped by a backslash.
pub(super) fn find_unescaped(value: &str, needle: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == needle {
            return Some(i);
        }
    }
    None
}

/// Writes a list item: `- ` and `head`, then `text`, its further lines indented by two spaces.
pub(super) fn write_item(out: &mut String, head: &str, text: &str) {
    let mut lines = text.split('\n');
    out.push_str("- ");
    out.push_str(head);
    out.push_str(lines.next().unwrap_or_default());
    out.push('\n');
    for line in lines {
        if !line.is_empty() {
            out.push_str("  ");
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// A numbered line of the document: (1-based line number, text).
pub(super) type Line<'a> = (usize, &'a str);

/// One list item as read: the line it starts on, its first line after `- `, and its further
/// lines without their indentation.
#[derive(Debug)]
pub(super) struct Item<'a> {
    pub line: usize,
    pub first: &'a str,
    pub rest: Vec<Line<'a>>,
}

impl Item<'_> {
    /// The item's text, its lines joined.
    pub(super) fn text(&self) -> String {
        let mut text = self.first.to_owned();
        for (_, line) in &self.rest {
            text.push('\n');
            text.push_str(line);
        }
        text
    }
}

/// Reads the list items of a section; `what` names them in errors ("a timeline event `- <time> · …`").
pub(super) fn list_items<'a>(lines: &[Line<'a>], what: &str) -> Result<Vec<Item<'a>>, DocumentError> {
    let mut items: Vec<Item<'a>> = Vec::new();
    let mut blanks = Vec::new();
    for &(number, line) in lines {
        if let Some(first) = line.strip_prefix("- ").or_else(|| (line == "-").then_some("")) {
            items.push(Item { line: number, first, rest: Vec::new() });
            blanks.clear();
        } else if line.trim().is_empty() && !line.starts_with("  ") {
            blanks.push((number, ""));
        } else if let (Some(rest), Some(item)) = (line.strip_prefix("  "), items.last_mut()) {
            item.rest.append(&mut blanks);
            item.rest.push((number, rest));
        } else {
            return Err(DocumentError::new(
                number,
                format!("expected {what} (the further lines of an item are indented by two spaces)"),
            ));
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_lines_in_text_get_one_more_backslash() {
        let text = "## Timeline\n### Analysis\n\\## kept\n#### deeper\n# top\n  ## indented\n##no-space\n##";
        let escaped = escape_text(text);
        assert_eq!(
            escaped,
            "\\## Timeline\n\\### Analysis\n\\\\## kept\n#### deeper\n# top\n  ## indented\n##no-space\n\\##"
        );
        let back: Vec<&str> = escaped.split('\n').map(unescape_text_line).collect();
        assert_eq!(back.join("\n"), text);
    }

    #[test]
    fn only_unescaped_column_zero_headings_are_structure() {
        assert_eq!(heading("## Root cause "), Some((2, "Root cause")));
        assert_eq!(heading("### 1. Fix it"), Some((3, "1. Fix it")));
        assert_eq!(heading("\\## Root cause"), None);
        assert_eq!(heading(" ## Root cause"), None);
        assert_eq!(heading("#### Deeper"), None);
        assert_eq!(heading("##Root"), None);
    }

    #[test]
    fn inline_values_survive_breaks_backslashes_and_delimiters() {
        let value = "C:\\temp: a\nb\rc · (x)";
        let escaped = escape_inline(value, &[':', '·']);
        assert!(!escaped.contains('\n') && find_unescaped(&escaped, ':').is_none(), "{escaped}");
        assert_eq!(unescape_inline(&escaped), value);
    }

    #[test]
    fn a_stray_backslash_in_hand_written_values_is_kept() {
        assert_eq!(unescape_inline("C:\\path\\"), "C:\\path\\");
    }

    #[test]
    fn blank_lines_at_both_ends_are_trimmed_and_inner_ones_kept() {
        assert_eq!(trim_blank_lines("\n  \nA\n\n  B  \n \n"), "A\n\n  B  ");
        assert_eq!(trim_blank_lines(" \n\n"), "");
        assert_eq!(trim_blank_lines("A"), "A");
    }

    #[test]
    fn list_items_keep_inner_blank_lines_and_drop_trailing_ones() {
        let mut out = String::new();
        write_item(&mut out, "[done] ", "first\n\n  indented\n\nlast");
        write_item(&mut out, "", "second");
        let lines: Vec<(usize, &str)> = out.split('\n').enumerate().map(|(i, l)| (i + 1, l)).collect();
        let items = list_items(&lines, "an item").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].text(), "[done] first\n\n  indented\n\nlast");
        assert_eq!(items[1].text(), "second");
    }

    #[test]
    fn an_unindented_line_inside_a_list_names_its_line() {
        let lines = [(7, "- one"), (8, "two")];
        let error = list_items(&lines, "a damage-control action").unwrap_err();
        assert_eq!(error.line, 8);
        assert!(error.message.contains("a damage-control action"), "{}", error.message);
    }
}
