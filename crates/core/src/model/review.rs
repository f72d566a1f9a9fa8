//! Review of a post-mortem: named reviewers approve it or ask for changes with a comment,
//! and publishing needs as many approvals, given in the current round of review, as its
//! incident's severity asks for ([`ReviewRules`]). The review meeting is recorded with its
//! date and attendees.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{Severity, is_username, word_enum};
use crate::validate::{MAX_TEXT, ValidationErrors};

/// Most reviewers, and most meeting attendees, one post-mortem names.
pub const MAX_REVIEWERS: usize = 50;

word_enum! {
    /// What a reviewer says.
    Verdict {
        Approved = "approved",
        ChangesRequested = "changes_requested",
    }
}

/// A reviewer's verdict as they send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    pub verdict: Verdict,
    /// Why; required when asking for changes.
    #[serde(default)]
    pub comment: String,
}

impl NewReview {
    /// A comment within bounds, and one at all when changes are asked for.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.comment.chars().count() > MAX_TEXT {
            errors.push("comment", format!("at most {MAX_TEXT} characters"));
        }
        if self.verdict == Verdict::ChangesRequested && self.comment.trim().is_empty() {
            errors.push("comment", "say which changes are needed");
        }
        errors.into_result()
    }
}

/// A verdict as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Review {
    pub id: String,
    /// Username of the reviewer.
    pub reviewer: String,
    pub verdict: Verdict,
    pub comment: String,
    /// The round of review it was given in: each submission for review starts one.
    pub round: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The review meeting: when it was held and who attended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewMeeting {
    #[serde(with = "time::serde::rfc3339")]
    pub held_at: OffsetDateTime,
    /// Usernames of those who attended.
    #[serde(default)]
    pub attendees: Vec<String>,
}

impl ReviewMeeting {
    /// At most [`MAX_REVIEWERS`] attendees, each a username.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        names_at_most("attendees", &self.attendees)
    }
}

/// Checks a list of usernames: at most [`MAX_REVIEWERS`], each well formed.
pub fn names_at_most(field: &str, names: &[String]) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if names.len() > MAX_REVIEWERS {
        errors.push(field, format!("at most {MAX_REVIEWERS}"));
    }
    for (n, name) in names.iter().enumerate().take(MAX_REVIEWERS) {
        if !is_username(name) {
            errors.push(format!("{field}[{n}]"), format!("{name:?} is not a username"));
        }
    }
    errors.into_result()
}

/// Where a post-mortem's review stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReviewState {
    /// Usernames of its reviewers.
    pub reviewers: Vec<String>,
    /// The current round: each submission for review starts one (0: never submitted).
    pub round: i64,
    /// Approvals publishing needs, by its incident's severity.
    pub approvals_needed: u8,
    /// Reviewers whose last verdict in the current round is an approval (its owner's own
    /// approval does not count).
    pub approved_by: Vec<String>,
    /// Reviewers whose last verdict in the current round asks for changes.
    pub changes_requested_by: Vec<String>,
    /// Every verdict, oldest first.
    pub reviews: Vec<Review>,
    pub meeting: Option<ReviewMeeting>,
    /// When each step is due, by the deadlines for its incident's severity; none while
    /// the incident is not resolved.
    pub deadlines: Option<crate::deadlines::PostmortemDeadlines>,
}

impl ReviewState {
    /// Whether it has the approvals publishing needs.
    pub fn approved(&self) -> bool {
        self.approved_by.len() >= usize::from(self.approvals_needed)
    }
}

/// Approvals publishing needs, by severity: `[review] approvals_sev1 = 2`. The defaults
/// ask two for SEV1 and one for SEV2, as a second pair of eyes on the incidents that cost
/// most; none below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewRules {
    pub approvals_sev1: u8,
    pub approvals_sev2: u8,
    pub approvals_sev3: u8,
    pub approvals_sev4: u8,
    pub approvals_sev5: u8,
}

impl Default for ReviewRules {
    fn default() -> ReviewRules {
        ReviewRules { approvals_sev1: 2, approvals_sev2: 1, approvals_sev3: 0, approvals_sev4: 0, approvals_sev5: 0 }
    }
}

impl ReviewRules {
    /// Approvals a post-mortem of an incident of `severity` needs.
    pub fn needed(&self, severity: Severity) -> u8 {
        match severity.level() {
            1 => self.approvals_sev1,
            2 => self.approvals_sev2,
            3 => self.approvals_sev3,
            4 => self.approvals_sev4,
            _ => self.approvals_sev5,
        }
    }

    /// No rule asks for more approvals than a post-mortem may have reviewers.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (n, value) in
            [self.approvals_sev1, self.approvals_sev2, self.approvals_sev3, self.approvals_sev4, self.approvals_sev5]
                .into_iter()
                .enumerate()
        {
            if usize::from(value) > MAX_REVIEWERS {
                errors.push(format!("review.approvals_sev{}", n + 1), format!("at most {MAX_REVIEWERS}"));
            }
        }
        errors.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asking_for_changes_needs_a_comment() {
        let bare = NewReview { verdict: Verdict::ChangesRequested, comment: "  ".into() };
        assert_eq!(bare.validate().unwrap_err().0[0].field, "comment");
        assert!(NewReview { verdict: Verdict::Approved, comment: String::new() }.validate().is_ok());
    }

    #[test]
    fn too_many_reviewers_or_too_long_a_comment_is_refused_by_name() {
        let crowd: Vec<String> = (0..=MAX_REVIEWERS).map(|n| format!("user{n}")).collect();
        assert_eq!(names_at_most("reviewers", &crowd).unwrap_err().0[0].field, "reviewers");
        assert!(names_at_most("reviewers", &crowd[..MAX_REVIEWERS]).is_ok());
        assert_eq!(names_at_most("attendees", &["Not A Name".into()]).unwrap_err().0[0].field, "attendees[0]");
        let long = NewReview { verdict: Verdict::Approved, comment: "x".repeat(MAX_TEXT + 1) };
        assert_eq!(long.validate().unwrap_err().0[0].field, "comment");
    }

    #[test]
    fn severity_decides_the_approvals_needed() {
        let rules = ReviewRules::default();
        assert_eq!(rules.needed(Severity::SEV1), 2);
        assert_eq!(rules.needed(Severity::new(2).unwrap()), 1);
        assert_eq!(rules.needed(Severity::new(5).unwrap()), 0);
    }
}
