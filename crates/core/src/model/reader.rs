//! Readers: the teams and people a published post-mortem must reach, and their receipts
//! ("read and understood", with its time). Until someone chooses them, a post-mortem's
//! reader teams are proposed from its incident: the teams owning the affected services and
//! the teams named on it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::is_username;
use crate::validate::{ValidationErrors, is_slug};

/// Most reader teams, and most reader people, one post-mortem names.
pub const MAX_READERS: usize = 100;

/// The readers someone chooses for a post-mortem.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Readers {
    /// Slugs of teams: each member is asked to read it.
    #[serde(default)]
    pub teams: Vec<String>,
    /// Usernames of people asked to read it besides the teams.
    #[serde(default)]
    pub users: Vec<String>,
}

impl Readers {
    /// Checks the number of teams and people and the shape of each name, naming each one
    /// at fault by its place (`teams[2]`).
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (field, names, valid) in
            [("teams", &self.teams, is_slug as fn(&str) -> bool), ("users", &self.users, is_username)]
        {
            if names.len() > MAX_READERS {
                errors.push(field, format!("at most {MAX_READERS}"));
                continue;
            }
            for (n, name) in names.iter().enumerate() {
                if !valid(name) {
                    errors
                        .push(format!("{field}[{n}]"), format!("{name:?} is not a {} name", &field[..field.len() - 1]));
                }
            }
        }
        errors.into_result()
    }
}

/// Reader teams every post-mortem of an incident of a severity is proposed with, besides
/// those owning its services and named on it: `[readers] teams_sev1 = ["support",
/// "leadership"]`. Names of teams that do not exist (yet) are skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReaderRules {
    pub teams_sev1: Vec<String>,
    pub teams_sev2: Vec<String>,
    pub teams_sev3: Vec<String>,
    pub teams_sev4: Vec<String>,
    pub teams_sev5: Vec<String>,
}

impl ReaderRules {
    /// The teams proposed for an incident of `severity`.
    pub fn teams(&self, severity: crate::Severity) -> &[String] {
        match severity.level() {
            1 => &self.teams_sev1,
            2 => &self.teams_sev2,
            3 => &self.teams_sev3,
            4 => &self.teams_sev4,
            _ => &self.teams_sev5,
        }
    }

    /// Team slugs only, at most [`MAX_READERS`] a severity.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let lists = [&self.teams_sev1, &self.teams_sev2, &self.teams_sev3, &self.teams_sev4, &self.teams_sev5];
        for (n, teams) in lists.into_iter().enumerate() {
            let field = format!("readers.teams_sev{}", n + 1);
            if teams.len() > MAX_READERS {
                errors.push(&field, format!("at most {MAX_READERS}"));
            }
            for team in teams.iter().filter(|t| !is_slug(t)) {
                errors.push(&field, format!("{team:?} is not a team's slug"));
            }
        }
        errors.into_result()
    }
}

/// Who a post-mortem must reach and who has read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Reading {
    /// Whether someone chose the readers; else `teams` is the proposal from the incident.
    pub chosen: bool,
    pub teams: Vec<String>,
    pub users: Vec<String>,
    /// Every person asked to read it (the teams' members and the people named), and anyone
    /// else who has read it, by username.
    pub people: Vec<ReaderReceipt>,
    /// How many of those asked have read it.
    pub read: usize,
    /// How many people are asked.
    pub asked: usize,
    /// The last business day those asked have to read it, once it is published (by the
    /// deadlines' `reading_days`).
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<time::Date>,
}

/// One person and their receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReaderReceipt {
    pub username: String,
    pub display_name: String,
    /// Whether they are asked to read it (else they read it of their own accord).
    pub asked: bool,
    /// When they marked it read and understood; none while they have not.
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
    /// Asked, not read, and past the day it was due.
    pub late: bool,
}

/// A published post-mortem a person is asked to read and has not read yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StillToRead {
    pub username: String,
    /// Handle of its incident.
    pub incident: String,
    pub incident_title: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_reader_name_is_named_by_its_place() {
        let readers = Readers { teams: vec!["payments".into(), "Not a slug".into()], users: vec!["ana".into()] };
        let errors = readers.validate().unwrap_err();
        assert_eq!(errors.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["teams[1]"]);
        let crowd = Readers { teams: vec![], users: vec!["ana".into(); MAX_READERS + 1] };
        assert_eq!(crowd.validate().unwrap_err().0[0].field, "users");
    }
}
