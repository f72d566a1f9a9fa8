//! The public summary of a post-mortem: what the people who were affected are told, in
//! words written for them (a title, a text, when the impact began and ended). It is kept
//! apart from the post-mortem, and a public page shows it without sign-in only while
//! someone has published it, its post-mortem is published, and its incident is not
//! private. Nothing else of the record ever reaches that page.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::validate::ValidationErrors;

/// Longest public title, in characters.
pub const MAX_PUBLIC_TITLE: usize = 200;
/// Longest public text, in characters.
pub const MAX_PUBLIC_BODY: usize = 20_000;

/// A public summary as those who may see its post-mortem read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicSummary {
    /// Id of its post-mortem.
    pub postmortem: String,
    /// Handle of the incident.
    pub incident: String,
    pub title: String,
    /// Markdown, in the words of those affected.
    pub body: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub impact_began_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub impact_ended_at: Option<OffsetDateTime>,
    /// When it was made public; none while it is not.
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    /// Username of whoever changed it last.
    pub updated_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A public summary as someone writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicSummaryDraft {
    /// 1 to 200 characters, e.g. "Card payments failed for 40 minutes".
    pub title: String,
    /// What happened, what it meant for them, what was done: 1 to 20,000 characters of
    /// Markdown.
    pub body: String,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub impact_began_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub impact_ended_at: Option<OffsetDateTime>,
}

impl PublicSummaryDraft {
    /// Checks each field, naming the one at fault.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.text("title", &self.title, MAX_PUBLIC_TITLE);
        errors.text("body", &self.body, MAX_PUBLIC_BODY);
        if let Some(began) = self.impact_began_at {
            errors.time("impact_began_at", began);
        }
        if let Some(ended) = self.impact_ended_at {
            errors.time("impact_ended_at", ended);
        }
        if let (Some(began), Some(ended)) = (self.impact_began_at, self.impact_ended_at)
            && ended < began
        {
            errors.push("impact_ended_at", "must not be before impact_began_at");
        }
        errors.into_result()
    }
}

/// A public summary as the public page and feed show it: these fields and no other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicPost {
    /// Its address on the public page (the post-mortem's id).
    pub id: String,
    pub title: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub impact_began_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub impact_ended_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_needs_words_within_bounds_and_an_end_after_its_start() {
        let at = |h: u8| time::macros::datetime!(2026-12-01 00:00 UTC) + time::Duration::hours(i64::from(h));
        let draft = PublicSummaryDraft {
            title: "Card payments failed".into(),
            body: "Between 10:00 and 10:40 UTC…".into(),
            impact_began_at: Some(at(10)),
            impact_ended_at: Some(at(11)),
        };
        assert!(draft.validate().is_ok());
        let backwards = PublicSummaryDraft { impact_ended_at: Some(at(9)), ..draft.clone() };
        assert_eq!(backwards.validate().unwrap_err().0[0].field, "impact_ended_at");
        let empty = PublicSummaryDraft { title: " ".into(), body: "x".repeat(MAX_PUBLIC_BODY + 1), ..draft };
        let fields: Vec<_> = empty.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "body"]);
    }
}
