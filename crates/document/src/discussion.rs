//! The discussion appendix: a post-mortem's comment threads, written after the post-mortem
//! only when asked for (`PostmortemDocument::discussion` is empty otherwise). Reading a
//! document back stops at its heading: comments are not part of the post-mortem.

use hindsight_core::comment_threads;
use hindsight_core::document::PostmortemDocument;

use super::html::time_shown;

/// The appendix's heading, the same in every format.
pub(crate) const TITLE: &str = "Appendix: discussion";

/// One thread as the appendix shows it.
pub(crate) struct Thread {
    /// "On Root cause: “the pool”", or "On the whole post-mortem".
    pub(crate) title: String,
    /// Each comment as "author, 2026-12-07 10:02 UTC: what they wrote".
    pub(crate) comments: Vec<String>,
    /// "Resolved by ana.silva, 2026-12-07 11:00 UTC", once resolved.
    pub(crate) resolved: Option<String>,
}

/// The section a narrative text belongs to, as the document heads it.
fn section_title(path: &str) -> &str {
    match path {
        "summary" => "Summary",
        "trigger" => "Trigger",
        "detection" => "Detection",
        "response_analysis" => "Response",
        "resolution" => "Resolution",
        "root_cause.description" => "Root cause",
        "root_cause.analysis" => "Root cause, analysis",
        "root_cause.clues" => "Root cause, clues",
        "impact.data_lost_detail" => "Impact, data lost",
        "impact.notes" => "Impact",
        "lessons.went_well" => "Lessons, went well",
        "lessons.went_badly" => "Lessons, went badly",
        "lessons.got_lucky" => "Lessons, got lucky",
        other => match hindsight_core::live_row(other) {
            Some(hindsight_core::RowText::DamageControl(_)) => "Damage control",
            Some(hindsight_core::RowText::Recommendation(_)) => "Recommendations",
            None => other,
        },
    }
}

/// The threads of the document's discussion, oldest first, each with its replies.
pub(crate) fn threads(doc: &PostmortemDocument) -> Vec<Thread> {
    let comments = &doc.discussion;
    let line = |c: &hindsight_core::Comment| {
        format!("{}, {}: {}", c.author.as_deref().unwrap_or("someone"), time_shown(c.created_at), c.body)
    };
    comment_threads(comments)
        .into_iter()
        .map(|(first, replies)| Thread {
            title: match &first.anchor {
                Some(anchor) => format!("On {}: “{}”", section_title(&anchor.section), anchor.quote),
                None => "On the whole post-mortem".to_owned(),
            },
            comments: std::iter::once(first).chain(replies).map(line).collect(),
            resolved: first.resolved_at.map(|at| {
                format!("Resolved by {}, {}", first.resolved_by.as_deref().unwrap_or("someone"), time_shown(at))
            }),
        })
        .collect()
}
