//! The discussion of a post-mortem: comments anchored to a piece of its text, replies,
//! resolving and reopening, `@name` mentions. Comments are part of the record, kept beside
//! the post-mortem, not in its text.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::Sections;
use crate::validate::{MAX_SHORT, ValidationErrors};

/// The longest comment, in characters.
pub const MAX_COMMENT: usize = 10_000;

/// The longest quote a comment keeps of the text it is anchored to, in characters.
pub const MAX_QUOTE: usize = 1_000;

/// The longest encoded anchor position (a Yjs relative position, base64).
pub const MAX_ANCHOR: usize = 256;

/// The most comments one post-mortem keeps (its discussion is read and shown whole).
pub const MAX_COMMENTS: i64 = 1_000;

/// The most people one comment mentions; names past them stay words.
pub const MAX_MENTIONS: usize = 20;

/// Where a comment is anchored: a range of one narrative text, as two positions that stay
/// with the characters they point at while others edit around them (Yjs relative
/// positions, encoded and in base64), and the words it covered when the comment was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CommentAnchor {
    /// The narrative text, by its path under `sections` (`root_cause.description`).
    pub section: String,
    /// Where the range starts: a Yjs relative position, encoded (v1) in base64.
    pub start: String,
    /// Where the range ends, the same way.
    pub end: String,
    /// The words the range covered when the comment was made.
    pub quote: String,
}

/// A comment as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Comment {
    pub id: String,
    /// The post-mortem it discusses.
    pub postmortem: String,
    /// The comment it answers; replies belong to the thread their first comment opens.
    pub reply_to: Option<String>,
    /// Where the thread is anchored (its first comment only); none for a comment on the whole.
    pub anchor: Option<CommentAnchor>,
    pub body: String,
    /// Username of the author; none once their account is gone.
    pub author: Option<String>,
    /// Usernames the body mentions (`@name`), as they were when it was written.
    pub mentions: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the thread was resolved (its first comment only); none while open.
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    /// Who resolved it.
    pub resolved_by: Option<String>,
}

/// A comment as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    pub body: String,
    /// Id of the comment this answers (the thread's first); none to open a thread.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// Where a new thread is anchored; none for a comment on the post-mortem as a whole.
    #[serde(default)]
    pub anchor: Option<CommentAnchor>,
}

impl NewComment {
    /// Checks the body, and an anchor's text, positions and quote; a reply has no anchor.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.text("body", &self.body, MAX_COMMENT);
        if let Some(reply_to) = &self.reply_to {
            errors.max_len("reply_to", reply_to, MAX_SHORT);
            if self.anchor.is_some() {
                errors.push("anchor", "a reply is anchored where its thread is: leave the anchor out");
            }
        }
        if let Some(anchor) = &self.anchor {
            let narrative = Sections::default().narrative().iter().any(|(path, _)| *path == anchor.section);
            if !narrative && crate::live_row(&anchor.section).is_none() {
                errors.push(
                    "anchor.section",
                    "must name a text of the post-mortem, e.g. summary, root_cause.description or damage_control.<id>",
                );
            }
            for (field, position) in [("anchor.start", &anchor.start), ("anchor.end", &anchor.end)] {
                let base64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
                if position.is_empty() || position.len() > MAX_ANCHOR || !position.chars().all(base64) {
                    errors.push(field, format!("must be an encoded position in base64, at most {MAX_ANCHOR} bytes"));
                }
            }
            errors.max_len("anchor.quote", &anchor.quote, MAX_QUOTE);
        }
        errors.into_result()
    }
}

/// The threads of `comments` (oldest first, as stored): each thread's first comment with
/// its replies, in order.
pub fn comment_threads(comments: &[Comment]) -> Vec<(&Comment, Vec<&Comment>)> {
    comments
        .iter()
        .filter(|c| c.reply_to.is_none())
        .map(|first| (first, comments.iter().filter(|c| c.reply_to.as_deref() == Some(first.id.as_str())).collect()))
        .collect()
}

/// The names a comment mentions: each `@name` (letters, digits, `.`, `_`, `-`), in the
/// order first written, without repeats, at most [`MAX_MENTIONS`]. Which of them are people
/// is the caller's look-up.
pub fn mentioned_names(body: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find('@') {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + 1..];
        // An address (ops@example.com) mentions nobody.
        if before.is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        let name: String =
            rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')).collect();
        let name = name.trim_end_matches(['.', '-']).to_string();
        if !name.is_empty() && name.len() <= MAX_SHORT && !names.contains(&name) {
            names.push(name);
            if names.len() == MAX_MENTIONS {
                break;
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_names_after_an_at_sign_not_addresses() {
        assert_eq!(
            mentioned_names("@ana.silva can you check? cc @ben-okafor, @ana.silva. Mail ops@example.com."),
            ["ana.silva", "ben-okafor"]
        );
        assert!(mentioned_names("no one @ all").is_empty());
        assert!(mentioned_names("@").is_empty());
        let crowd: String = (0..100).map(|i| format!("@user{i} ")).collect();
        let named = mentioned_names(&crowd);
        assert_eq!(named.len(), MAX_MENTIONS);
        assert_eq!(named.last().map(String::as_str), Some("user19"));
    }

    #[test]
    fn a_comment_needs_words_and_an_anchor_in_a_text_of_the_postmortem() {
        assert!(NewComment { body: "Is this the pool?".into(), ..NewComment::default() }.validate().is_ok());
        let empty = NewComment::default().validate().unwrap_err();
        assert_eq!(empty.0[0].field, "body");
        let anchor = |section: &str, start: &str| CommentAnchor {
            section: section.into(),
            start: start.into(),
            end: "AQID".into(),
            quote: "pool".into(),
        };
        let ok = NewComment { body: "Why?".into(), reply_to: None, anchor: Some(anchor("summary", "AQID")) };
        assert!(ok.validate().is_ok());
        let bad = NewComment { body: "Why?".into(), reply_to: None, anchor: Some(anchor("owner", "not base64!")) };
        let fields: Vec<String> = bad.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["anchor.section", "anchor.start"]);
        let reply =
            NewComment { body: "Yes.".into(), reply_to: Some("c1".into()), anchor: Some(anchor("summary", "AQID")) };
        assert_eq!(reply.validate().unwrap_err().0[0].field, "anchor");
        // A row's text may hold a comment too.
        let on_row =
            NewComment { body: "Why?".into(), reply_to: None, anchor: Some(anchor("damage_control.3", "AQID")) };
        assert!(on_row.validate().is_ok());
        // Each bound holds at its limit and refuses one past it.
        let sized = |body: usize, position: usize, quote: usize| NewComment {
            body: "b".repeat(body),
            reply_to: None,
            anchor: Some(CommentAnchor {
                section: "summary".into(),
                start: "A".repeat(position),
                end: "AQID".into(),
                quote: "q".repeat(quote),
            }),
        };
        assert!(sized(MAX_COMMENT, MAX_ANCHOR, MAX_QUOTE).validate().is_ok());
        let past = sized(MAX_COMMENT + 1, MAX_ANCHOR + 1, MAX_QUOTE + 1).validate().unwrap_err();
        let fields: Vec<String> = past.0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["body", "anchor.start", "anchor.quote"]);
    }
}
