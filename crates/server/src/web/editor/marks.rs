//! The blameless-language findings marked at the words they concern in a field's text.

use hindsight_core::lint::Finding;
use hindsight_document::escape_html as escape;

/// The character range `[start, end)` of a finding in `text` (lines and columns count
/// characters, 1-based, the end column exclusive).
pub(super) fn finding_range(line_starts: &[usize], len: usize, f: &Finding) -> Option<(usize, usize)> {
    let start = line_starts.get(f.line.checked_sub(1)?)? + f.column.checked_sub(1)?;
    let end = line_starts.get(f.end_line.checked_sub(1)?)? + f.end_column.checked_sub(1)?;
    (start < end && end <= len).then_some((start, end))
}

/// `text` as HTML with each finding's words in `<mark class="lint" title="rule: suggestion">`;
/// everything else escaped. Overlapping findings mark the first only.
pub(super) fn marked_html(text: &str, findings: &[Finding]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut line_starts = vec![0];
    line_starts.extend(chars.iter().enumerate().filter(|(_, c)| **c == '\n').map(|(i, _)| i + 1));
    let mut ranges: Vec<(usize, usize, &Finding)> =
        findings.iter().filter_map(|f| finding_range(&line_starts, chars.len(), f).map(|(s, e)| (s, e, f))).collect();
    ranges.sort_by_key(|(s, e, _)| (*s, *e));
    let mut out = String::new();
    let mut at = 0;
    for (start, end, f) in ranges {
        if start < at {
            continue;
        }
        out.push_str(&escape(&chars[at..start].iter().collect::<String>()));
        out.push_str(&format!("<mark class=\"lint\" title=\"{}: {}\">", f.rule, escape(&f.suggestion)));
        out.push_str(&escape(&chars[start..end].iter().collect::<String>()));
        out.push_str("</mark>");
        at = end;
    }
    out.push_str(&escape(&chars[at..].iter().collect::<String>()));
    out
}

/// A finding as listed under its field.
pub(super) struct FindingView {
    pub(super) rule: String,
    pub(super) matched: String,
    pub(super) suggestion: String,
    pub(super) why: String,
}

/// The lint preview of one text area (`id`): the text with marks, and the findings listed.
pub(super) struct LintView {
    pub(super) id: String,
    pub(super) html: String,
    pub(super) findings: Vec<FindingView>,
}

pub(super) fn lint_view(id: String, text: &str, names: &[String]) -> LintView {
    let findings = if text.trim().is_empty() { Vec::new() } else { hindsight_core::lint::lint(text, names) };
    if findings.is_empty() {
        return LintView { id, html: String::new(), findings: Vec::new() };
    }
    LintView {
        id,
        html: marked_html(text, &findings),
        findings: findings
            .iter()
            .map(|f| FindingView {
                rule: f.rule.to_string(),
                matched: f.matched.clone(),
                suggestion: f.suggestion.clone(),
                why: f.why.clone(),
            })
            .collect(),
    }
}
