//! A stale save: which fields someone else changed since the form was loaded, the
//! post-mortem as it was at that version, and a starting point for a merged text.

use std::collections::BTreeSet;

use super::draft::*;
use super::guidance::*;

/// A field someone else changed since the version the person's form was loaded from.
#[derive(Debug, Clone)]
pub(super) struct Conflict {
    pub(super) key: &'static str,
    pub(super) theirs: String,
    pub(super) mine: String,
    /// Whether the person changed the field too (else taking theirs loses nothing).
    pub(super) mine_changed: bool,
    /// Whether a merged text can be written (narrative text only).
    pub(super) text: bool,
}

pub(super) fn dc_text(rows: &[DcRow]) -> String {
    rows.iter()
        .map(|r| {
            let team = if r.owner_team.is_empty() { String::new() } else { format!(", {}", r.owner_team) };
            format!("• {} [{}{team}]", r.description, r.status.replace('_', " "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn rec_text(rows: &[RecRow]) -> String {
    rows.iter()
        .map(|r| {
            if r.action_items.is_empty() {
                format!("• {}", r.text)
            } else {
                format!("• {} (action items: {})", r.text, r.action_items.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The fields `theirs` changed since `base` where `mine` says something else. Without a
/// base (history unreadable), every field where the two differ.
pub(super) fn conflicts(base: Option<&Draft>, theirs: &Draft, mine: &Draft) -> Vec<Conflict> {
    let mut out = Vec::new();
    let mut check = |key: &'static str, b: Option<String>, t: String, m: String, text: bool| {
        let changed_by_them = b.as_ref().is_none_or(|b| *b != t);
        if changed_by_them && t != m {
            let mine_changed = b.as_ref().is_none_or(|b| *b != m);
            out.push(Conflict { key, theirs: t, mine: m, mine_changed, text });
        }
    };
    for def in defs() {
        let b = base.map(|b| b.get(def.key).to_string());
        check(def.key, b, theirs.get(def.key).to_string(), mine.get(def.key).to_string(), def.kind == Kind::Text);
    }
    let b = base.map(|b| dc_text(&b.damage_control));
    check("damage_control", b, dc_text(&theirs.damage_control), dc_text(&mine.damage_control), false);
    let b = base.map(|b| rec_text(&b.recommendations));
    check("recommendations", b, rec_text(&theirs.recommendations), rec_text(&mine.recommendations), false);
    out
}

/// A starting point for a merged text: mine, then the lines of theirs mine lacks.
pub(super) fn merge_seed(mine: &str, theirs: &str) -> String {
    let known: BTreeSet<&str> = mine.lines().map(str::trim).collect();
    let extra: Vec<&str> = theirs.lines().filter(|l| !l.trim().is_empty() && !known.contains(l.trim())).collect();
    if extra.is_empty() {
        mine.to_string()
    } else if mine.trim().is_empty() {
        extra.join("\n")
    } else {
        format!("{}\n\n{}", mine.trim_end(), extra.join("\n"))
    }
}
