//! Masks the parts of post-mortem Markdown the check must not read (code blocks
//! and spans, block quotes, quoted speech, URLs, HTML) and marks where block
//! structure ends a sentence (blank lines, headings, list items, table cells).
//!
//! The mask keeps one character per input character, so every offset into it is
//! an offset into the original text. It is not a Markdown parser: it recognises
//! the common CommonMark/GFM shapes line by line and errs towards skipping.

/// Stands for masked inline text (a code span, a quotation, a URL): one opaque word.
pub(crate) const OPAQUE: char = '\u{E000}';
/// A break no sentence runs across (a blank line, a list item, a table cell).
pub(crate) const BOUNDARY: char = '\u{E001}';

/// The text with skipped parts masked and block structure turned into boundaries.
pub(crate) fn mask(original: &[char]) -> Vec<char> {
    let mut out: Vec<char> =
        original.iter().map(|&c| if c == OPAQUE || c == BOUNDARY || c == '\r' { ' ' } else { c }).collect();
    mask_blocks(&mut out);
    mask_html_comments(&mut out);
    mask_code_spans(&mut out);
    mask_links_urls_and_tags(&mut out);
    mask_quotations(&mut out);
    out
}

/// A line of the text: `[start, end)` excludes the newline, which (if any) is at `end`.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

fn lines_of(text: &[char]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, &c) in text.iter().enumerate() {
        if c == '\n' {
            lines.push(Line { start, end: i });
            start = i + 1;
        }
    }
    lines.push(Line { start, end: text.len() });
    lines
}

/// Columns of leading indentation (a tab counts as four) and where the content starts.
fn indentation(text: &[char], line: Line) -> (usize, usize) {
    let mut width = 0;
    let mut i = line.start;
    while i < line.end {
        match text[i] {
            ' ' => width += 1,
            '\t' => width += 4,
            _ => break,
        }
        i += 1;
    }
    (width, i)
}

fn fill(text: &mut [char], from: usize, to: usize, with: char) {
    for c in &mut text[from..to] {
        if *c != '\n' && *c != BOUNDARY {
            *c = with;
        }
    }
}

/// Ends the sentence before `line` (turns the preceding newline into a boundary).
fn break_before(text: &mut [char], line: Line) {
    if line.start > 0 {
        text[line.start - 1] = BOUNDARY;
    }
}

/// Ends the sentence after `line`.
fn break_after(text: &mut [char], line: Line) {
    if line.end < text.len() {
        text[line.end] = BOUNDARY;
    }
}

fn mask_line(text: &mut [char], line: Line) {
    fill(text, line.start, line.end, ' ');
    break_before(text, line);
    break_after(text, line);
}

/// Length of a run of `c` starting at `i`.
fn run_of(text: &[char], i: usize, end: usize, c: char) -> usize {
    text[i..end].iter().take_while(|&&x| x == c).count()
}

fn mask_blocks(text: &mut [char]) {
    let lines = lines_of(text);
    let mut fence: Option<(char, usize)> = None;
    let mut in_list = false;
    let mut previous_blank = true;
    let mut previous_code = false;
    let mut first = 0;

    // Front matter: a `---` first line up to the next `---` or `...` line.
    if lines.len() > 1
        && content(text, lines[0]) == "---"
        && let Some(close) = (1..lines.len()).find(|&i| matches!(content(text, lines[i]).as_str(), "---" | "..."))
    {
        for &line in &lines[..=close] {
            mask_line(text, line);
        }
        first = close + 1;
    }

    for (index, &line) in lines.iter().enumerate().skip(first) {
        let (indent, at) = indentation(text, line);
        let blank = at == line.end;

        if let Some((c, len)) = fence {
            let closes = indent <= 3 && run_of(text, at, line.end, c) >= len && {
                let after = at + run_of(text, at, line.end, c);
                text[after..line.end].iter().all(|c| c.is_whitespace())
            };
            mask_line(text, line);
            if closes {
                fence = None;
            }
            previous_blank = false;
            continue;
        }
        if blank {
            break_before(text, line);
            break_after(text, line);
            previous_blank = true;
            continue;
        }
        let opens_fence =
            if indent <= 3 { ['`', '~'].into_iter().find(|&c| run_of(text, at, line.end, c) >= 3) } else { None };
        if let Some(c) = opens_fence {
            fence = Some((c, run_of(text, at, line.end, c)));
            mask_line(text, line);
            previous_blank = false;
            continue;
        }
        if indent >= 4 && !in_list && (previous_blank || previous_code) {
            mask_line(text, line);
            previous_code = true;
            previous_blank = false;
            continue;
        }
        previous_code = false;

        if indent <= 3 && (text[at] == '>' || is_thematic_break(text, at, line.end)) {
            mask_line(text, line);
        } else if indent <= 3 && text[at] == '#' && is_heading(text, at, line.end) {
            let hashes = run_of(text, at, line.end, '#');
            fill(text, at, at + hashes, ' ');
            break_before(text, line);
            break_after(text, line);
        } else if let Some(marker_end) = list_marker(text, at, line.end) {
            fill(text, at, marker_end, ' ');
            break_before(text, line);
            in_list = true;
        } else if is_table_row(text, &lines, index) {
            if is_delimiter_row(text, at, line.end) {
                fill(text, line.start, line.end, ' ');
            }
            for c in &mut text[line.start..line.end] {
                if *c == '|' {
                    *c = BOUNDARY;
                }
            }
            break_before(text, line);
            break_after(text, line);
        } else {
            if previous_blank && indent < 2 {
                in_list = false;
            }
            if starts_with_timestamp(text, at, line.end) {
                break_before(text, line);
            }
        }
        previous_blank = false;
    }
}

fn content(text: &[char], line: Line) -> String {
    text[line.start..line.end].iter().collect::<String>().trim().to_string()
}

fn is_heading(text: &[char], at: usize, end: usize) -> bool {
    let hashes = run_of(text, at, end, '#');
    hashes <= 6 && (at + hashes == end || text[at + hashes] == ' ' || text[at + hashes] == '\t')
}

fn is_thematic_break(text: &[char], at: usize, end: usize) -> bool {
    let marks: Vec<char> = text[at..end].iter().copied().filter(|c| !c.is_whitespace()).collect();
    marks.len() >= 3 && ['-', '*', '_', '='].iter().any(|&m| marks.iter().all(|&c| c == m))
}

/// Where a list item's marker (and task box) ends, if the line starts one.
fn list_marker(text: &[char], at: usize, end: usize) -> Option<usize> {
    let mut i = at;
    if matches!(text[i], '-' | '*' | '+') {
        i += 1;
    } else {
        let digits = text[i..end].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 || i + digits >= end || !matches!(text[i + digits], '.' | ')') {
            return None;
        }
        i += digits + 1;
    }
    if i < end && text[i] != ' ' && text[i] != '\t' {
        return None;
    }
    while i < end && (text[i] == ' ' || text[i] == '\t') {
        i += 1;
    }
    if i + 2 < end && text[i] == '[' && matches!(text[i + 1], ' ' | 'x' | 'X') && text[i + 2] == ']' {
        i += 3;
    }
    Some(i)
}

fn is_table_row(text: &[char], lines: &[Line], index: usize) -> bool {
    let line = lines[index];
    let (_, at) = indentation(text, line);
    if text[at] == '|' {
        return true;
    }
    if !text[line.start..line.end].contains(&'|') {
        return false;
    }
    // A pipe row without a leading pipe is a table only next to a delimiter row.
    let delimiter_at = |i: usize| {
        lines.get(i).is_some_and(|&l| {
            let (_, a) = indentation(text, l);
            is_delimiter_row(text, a, l.end)
        })
    };
    delimiter_at(index) || delimiter_at(index + 1) || (index > 0 && delimiter_at(index - 1))
}

fn is_delimiter_row(text: &[char], at: usize, end: usize) -> bool {
    let row = &text[at..end];
    row.contains(&'-') && row.iter().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

/// Timeline lines such as `14:02 UTC paged` or `2026-11-25 14:02` start a new sentence.
fn starts_with_timestamp(text: &[char], at: usize, end: usize) -> bool {
    let head: String = text[at..end.min(at + 10)].iter().collect();
    let bytes = head.as_bytes();
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let clock = |i: usize| digit(i) && (bytes.get(i + 1) == Some(&b':') && digit(i + 2) && digit(i + 3));
    let short_clock = digit(0) && digit(1) && bytes.get(2) == Some(&b':') && digit(3);
    let date = (0..4).all(digit) && bytes.get(4) == Some(&b'-') && digit(5);
    short_clock || clock(0) || date
}

fn mask_html_comments(text: &mut [char]) {
    let mut i = 0;
    while i + 4 <= text.len() {
        if text[i..i + 4] == ['<', '!', '-', '-'] {
            let close = (i + 4..text.len().saturating_sub(2)).find(|&j| text[j..j + 3] == ['-', '-', '>']);
            let end = close.map_or(text.len(), |j| j + 3);
            fill(text, i, end, ' ');
            i = end;
        } else {
            i += 1;
        }
    }
}

fn mask_code_spans(text: &mut [char]) {
    // If a run of n backticks has no closing run before a boundary, no later run of n
    // before that boundary has one either; remembering that keeps this linear.
    let mut unclosed_until: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut i = 0;
    while i < text.len() {
        if text[i] != '`' {
            i += 1;
            continue;
        }
        let len = run_of(text, i, text.len(), '`');
        if unclosed_until.get(&len).is_some_and(|&until| i < until) {
            i += len;
            continue;
        }
        let mut j = i + len;
        let mut close = None;
        while j < text.len() && text[j] != BOUNDARY {
            if text[j] == '`' {
                let run = run_of(text, j, text.len(), '`');
                if run == len {
                    close = Some(j);
                    break;
                }
                j += run;
            } else {
                j += 1;
            }
        }
        match close {
            Some(j) => {
                fill(text, i, j + len, OPAQUE);
                i = j + len;
            }
            None => {
                unclosed_until.insert(len, j);
                i += len;
            }
        }
    }
}

fn mask_links_urls_and_tags(text: &mut [char]) {
    // Where the last search for a link's closing `)` gave up: no later search before it can succeed.
    let mut no_close_until = 0;
    let mut i = 0;
    while i < text.len() {
        // The target of `[text](target)`.
        if text[i] == ']' && text.get(i + 1) == Some(&'(') && i >= no_close_until {
            let line_end = (i + 2..text.len()).find(|&j| text[j] == '\n').unwrap_or(text.len());
            if let Some(close) = (i + 2..line_end).find(|&j| text[j] == ')') {
                fill(text, i + 1, close + 1, ' ');
                i = close + 1;
                continue;
            }
            no_close_until = line_end;
        }
        let at_word_start = i == 0 || !text[i - 1].is_alphanumeric();
        if at_word_start && starts_url(text, i) {
            let mut end = i;
            while end < text.len() && !text[end].is_whitespace() && !matches!(text[end], BOUNDARY | '>' | '"') {
                end += 1;
            }
            while end > i && matches!(text[end - 1], '.' | ',' | ';' | ':' | ')' | '!' | '?') {
                end -= 1;
            }
            fill(text, i, end, OPAQUE);
            i = end;
            continue;
        }
        if text[i] == '<'
            && text.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == '/')
            && let Some(close) =
                (i + 1..text.len().min(i + 200)).take_while(|&j| text[j] != '\n').find(|&j| text[j] == '>')
        {
            fill(text, i, close + 1, ' ');
            i = close + 1;
            continue;
        }
        i += 1;
    }
}

fn starts_url(text: &[char], i: usize) -> bool {
    ["https://", "http://", "ftp://", "www."].iter().any(|p| {
        let p: Vec<char> = p.chars().collect();
        text.len() >= i + p.len() && text[i..i + p.len()] == p[..]
    })
}

/// Quoted speech, titles and chat lines in quotation marks are someone else's words.
fn mask_quotations(text: &mut [char]) {
    let mut i = 0;
    while i < text.len() {
        let close = match text[i] {
            '"' if opens(text, i) => find_close(text, i, 400, |t, j| t[j] == '"'),
            '\u{201C}' => find_close(text, i, 400, |t, j| t[j] == '\u{201D}'),
            '\u{2018}' | '\'' if opens(text, i) => find_close(text, i, 200, |t, j| {
                matches!(t[j], '\'' | '\u{2019}') && !t.get(j + 1).is_some_and(|c| c.is_alphanumeric())
            }),
            _ => None,
        };
        match close {
            Some(j) => {
                fill(text, i, j + 1, OPAQUE);
                i = j + 1;
            }
            None => i += 1,
        }
    }
}

/// An opening quotation mark follows a space or bracket and precedes a non-space.
fn opens(text: &[char], i: usize) -> bool {
    let before = i == 0 || text[i - 1].is_whitespace() || matches!(text[i - 1], '(' | '[' | BOUNDARY | '—' | '*' | '_');
    let after = text.get(i + 1).is_some_and(|c| !c.is_whitespace() && *c != BOUNDARY);
    before && after
}

fn find_close(text: &[char], open: usize, limit: usize, is_close: impl Fn(&[char], usize) -> bool) -> Option<usize> {
    (open + 1..text.len().min(open + limit))
        .take_while(|&j| text[j] != BOUNDARY)
        .find(|&j| text[j - 1] != ' ' && is_close(text, j))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        mask(&text.chars().collect::<Vec<_>>())
            .into_iter()
            .map(|c| match c {
                OPAQUE => '#',
                BOUNDARY => '|',
                c => c,
            })
            .collect()
    }

    #[test]
    fn masking_keeps_one_character_per_character() {
        let text = "Ünïcode `code` and \"quote\"\n```\nx\n```\n";
        assert_eq!(masked(text).chars().count(), text.chars().count());
    }

    #[test]
    fn code_spans_become_one_opaque_word() {
        assert_eq!(masked("run `rm -rf` now"), "run ######## now");
    }

    #[test]
    fn unclosed_backticks_are_left_alone() {
        assert_eq!(masked("a ` b"), "a ` b");
    }

    #[test]
    fn fenced_blocks_are_blanked_to_their_closing_fence() {
        assert_eq!(masked("a\n```sh\nDana\n```\nb"), "a|     |    |   |b");
    }

    #[test]
    fn indented_code_after_a_blank_line_is_blanked_but_list_continuations_are_not() {
        assert_eq!(masked("a\n\n    code\n"), "a||        |");
        assert_eq!(masked("- item\n\n    more text\n"), "  item||    more text|");
    }

    #[test]
    fn block_quotes_are_blanked() {
        assert_eq!(masked("> Dana: oops\nnext"), "            |next");
    }

    #[test]
    fn double_and_curly_quotes_are_masked_but_apostrophes_are_not() {
        assert_eq!(masked("he said \"no\" then"), "he said #### then");
        assert_eq!(masked("a “b c” d"), "a ##### d");
        assert_eq!(masked("Dana's 'quick fix' won't"), "Dana's ########### won't");
        assert_eq!(masked("the engineers' laptops"), "the engineers' laptops");
    }

    #[test]
    fn list_markers_headings_and_table_pipes_become_boundaries() {
        assert_eq!(masked("text\n- a\n- [x] b"), "text|  a|      b");
        assert_eq!(masked("## Title\nbody"), "   Title|body");
        assert_eq!(masked("| a | b |\n|---|---|\n"), "| a | b ||         |");
    }

    #[test]
    fn urls_link_targets_and_tags_are_masked() {
        assert_eq!(masked("see https://x.io/a."), format!("see {}.", "#".repeat(14)));
        assert_eq!(masked("[runbook](http://x) ok"), format!("[runbook]{} ok", " ".repeat(10)));
        assert_eq!(masked("a <br/> b"), "a       b");
    }

    #[test]
    fn timeline_lines_starting_with_a_time_start_a_sentence() {
        assert_eq!(masked("a\n14:02 b"), "a|14:02 b");
        assert_eq!(masked("a\nb"), "a\nb");
    }
}
