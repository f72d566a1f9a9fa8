//! Deadlines in business days: a work calendar (the working days of the week, and
//! holidays) and, by severity, how long after an incident is resolved its post-mortem's
//! draft, review meeting and publication are due; and how long after publication its
//! readers have to read it.
//!
//! The defaults follow PagerDuty's published post-mortem process, which asks for the
//! review meeting within 3 calendar days of a Sev-1 and within 5 business days of a Sev-2
//! (postmortems.pagerduty.com, "Step by Step"): here 3 and 5 business days, the draft due
//! two days before the meeting, publication two days after it. Lower severities get 10
//! business days for the meeting. Readers get 5 business days. An action item overdue by 5
//! business days is escalated to the rest of its owner's team, by 10 to its incident's
//! commander: a week, then two, our own choice.
//!
//! An action item created without a due date is given one by its priority: P1 in 20
//! business days and P2 in 40, the 4 and 8 weeks Atlassian's Incident Handbook sets as the
//! SLOs of post-incident "priority actions"; P3 in 60 (our choice); P4 none (a backlog item).

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, Weekday};
use utoipa::ToSchema;

use crate::validate::ValidationErrors;
use crate::{Severity, word_enum};

/// Most holidays a calendar lists.
pub const MAX_HOLIDAYS: usize = 1_000;

/// Most business days any deadline is set at (about four years).
pub const MAX_BUSINESS_DAYS: u16 = 1_000;

word_enum! {
    /// A day of the week, as the configuration names it.
    WeekDay {
        Mon = "mon",
        Tue = "tue",
        Wed = "wed",
        Thu = "thu",
        Fri = "fri",
        Sat = "sat",
        Sun = "sun",
    }
}

impl WeekDay {
    fn weekday(self) -> Weekday {
        match self {
            WeekDay::Mon => Weekday::Monday,
            WeekDay::Tue => Weekday::Tuesday,
            WeekDay::Wed => Weekday::Wednesday,
            WeekDay::Thu => Weekday::Thursday,
            WeekDay::Fri => Weekday::Friday,
            WeekDay::Sat => Weekday::Saturday,
            WeekDay::Sun => Weekday::Sunday,
        }
    }
}

/// The configuration's `[deadlines]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeadlineRules {
    /// The working days of the week.
    pub work_week: Vec<WeekDay>,
    /// Days nobody works, as `YYYY-MM-DD`.
    pub holidays: Vec<Date>,
    /// Business days from resolution to the review meeting, SEV1 to SEV5.
    pub meeting_days: [u16; 5],
    /// Business days the draft is due before the meeting.
    pub draft_days_before_meeting: u16,
    /// Business days publication is due after the meeting.
    pub publish_days_after_meeting: u16,
    /// Business days a reader has to read a published post-mortem.
    pub reading_days: u16,
    /// Business days an action item stays overdue before the rest of its owner's team is
    /// told, and before its incident commander is.
    pub escalate_to_team_days: u16,
    pub escalate_to_commander_days: u16,
    /// Business days from its creation an action item is due by, P1 to P4, when it is
    /// created without a due date; 0: no due date.
    pub action_item_days: [u16; 4],
}

impl Default for DeadlineRules {
    fn default() -> DeadlineRules {
        DeadlineRules {
            work_week: vec![WeekDay::Mon, WeekDay::Tue, WeekDay::Wed, WeekDay::Thu, WeekDay::Fri],
            holidays: Vec::new(),
            meeting_days: [3, 5, 10, 10, 10],
            draft_days_before_meeting: 2,
            publish_days_after_meeting: 2,
            reading_days: 5,
            escalate_to_team_days: 5,
            escalate_to_commander_days: 10,
            action_item_days: [20, 40, 60, 0],
        }
    }
}

/// When a post-mortem's steps are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PostmortemDeadlines {
    #[schema(value_type = String, format = Date)]
    pub draft: Date,
    #[schema(value_type = String, format = Date)]
    pub review_meeting: Date,
    #[schema(value_type = String, format = Date)]
    pub publication: Date,
}

impl DeadlineRules {
    /// A working week with at least one day, few enough holidays, deadlines in bounds.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.work_week.is_empty() {
            errors.push("deadlines.work_week", "name at least one working day, e.g. [\"mon\", \"tue\"]");
        }
        if self.holidays.len() > MAX_HOLIDAYS {
            errors.push("deadlines.holidays", format!("at most {MAX_HOLIDAYS}"));
        }
        let days = self.meeting_days.iter().chain(self.action_item_days.iter()).chain([
            &self.draft_days_before_meeting,
            &self.publish_days_after_meeting,
            &self.reading_days,
            &self.escalate_to_team_days,
            &self.escalate_to_commander_days,
        ]);
        if days.into_iter().any(|d| *d > MAX_BUSINESS_DAYS) {
            errors.push("deadlines", format!("a deadline is at most {MAX_BUSINESS_DAYS} business days"));
        }
        errors.into_result()
    }

    /// The due date an action item of `priority` created on `created` gets when it is given
    /// none; none for a priority set at 0 days.
    pub fn action_item_due(&self, created: Date, priority: crate::Priority) -> Option<Date> {
        let days = match priority {
            crate::Priority::P1 => self.action_item_days[0],
            crate::Priority::P2 => self.action_item_days[1],
            crate::Priority::P3 => self.action_item_days[2],
            crate::Priority::P4 => self.action_item_days[3],
        };
        (days > 0).then(|| self.add_business_days(created, i32::from(days)))
    }

    /// Whether people work on `date`.
    pub fn is_business_day(&self, date: Date) -> bool {
        self.work_week.iter().any(|d| d.weekday() == date.weekday()) && !self.holidays.contains(&date)
    }

    /// The business day `days` business days after `from` (or before it, for a negative
    /// number); `from` itself when `days` is 0. A calendar without working days moves by
    /// calendar days.
    pub fn add_business_days(&self, from: Date, days: i32) -> Date {
        if self.work_week.is_empty() {
            return from.saturating_add(time::Duration::days(i64::from(days)));
        }
        let step = if days < 0 { time::Duration::days(-1) } else { time::Duration::days(1) };
        let mut date = from;
        let mut left = days.unsigned_abs();
        while left > 0 {
            let next = date.saturating_add(step);
            if next == date {
                break;
            }
            date = next;
            if self.is_business_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// When the post-mortem of an incident of `severity` resolved at `resolved` is due at
    /// each step.
    pub fn postmortem(&self, severity: Severity, resolved: OffsetDateTime) -> PostmortemDeadlines {
        let index = usize::from(severity.level().clamp(1, 5) - 1);
        let meeting = self.add_business_days(resolved.date(), i32::from(self.meeting_days[index]));
        PostmortemDeadlines {
            draft: self.add_business_days(meeting, -i32::from(self.draft_days_before_meeting)).max(resolved.date()),
            review_meeting: meeting,
            publication: self.add_business_days(meeting, i32::from(self.publish_days_after_meeting)),
        }
    }

    /// The day a reader asked to read a post-mortem published at `published` is late from
    /// (the day after the last business day they had).
    pub fn reading_due(&self, published: OffsetDateTime) -> Date {
        self.add_business_days(published.date(), i32::from(self.reading_days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn an_action_item_without_a_due_date_is_due_by_its_priority() {
        let rules = DeadlineRules::default();
        // Monday 2026-12-07: 20 business days later is Monday 2027-01-04.
        let monday = time::macros::date!(2026 - 12 - 07);
        assert_eq!(rules.action_item_due(monday, crate::Priority::P1), Some(time::macros::date!(2027 - 01 - 04)));
        assert_eq!(rules.action_item_due(monday, crate::Priority::P2), Some(time::macros::date!(2027 - 02 - 01)));
        assert_eq!(rules.action_item_due(monday, crate::Priority::P4), None);
        let too_long = DeadlineRules { action_item_days: [20, 40, 60, MAX_BUSINESS_DAYS + 1], ..rules };
        assert!(too_long.validate().is_err());
    }

    #[test]
    fn business_days_skip_weekends_and_holidays_both_ways() {
        let rules = DeadlineRules { holidays: vec![date!(2026 - 12 - 25)], ..DeadlineRules::default() };
        // Thursday 24 December + 1: Friday is a holiday, the weekend follows: Monday 28.
        assert_eq!(rules.add_business_days(date!(2026 - 12 - 24), 1), date!(2026 - 12 - 28));
        assert_eq!(rules.add_business_days(date!(2026 - 12 - 28), -1), date!(2026 - 12 - 24));
        assert_eq!(rules.add_business_days(date!(2026 - 12 - 05), 0), date!(2026 - 12 - 05));
        // A Sunday-to-Thursday week.
        let gulf = DeadlineRules {
            work_week: vec![WeekDay::Sun, WeekDay::Mon, WeekDay::Tue, WeekDay::Wed, WeekDay::Thu],
            ..DeadlineRules::default()
        };
        assert_eq!(gulf.add_business_days(date!(2026 - 12 - 03), 1), date!(2026 - 12 - 06));
    }

    #[test]
    fn a_sev1_meets_within_three_business_days_and_publishes_two_after() {
        let rules = DeadlineRules::default();
        // Resolved on Friday 4 December 2026.
        let due = rules.postmortem(Severity::SEV1, datetime!(2026-12-04 18:00 UTC));
        assert_eq!(due.review_meeting, date!(2026 - 12 - 09));
        assert_eq!(due.draft, date!(2026 - 12 - 07));
        assert_eq!(due.publication, date!(2026 - 12 - 11));
        assert_eq!(rules.reading_due(datetime!(2026-12-11 09:00 UTC)), date!(2026 - 12 - 18));
    }

    #[test]
    fn a_week_without_working_days_is_refused() {
        let rules = DeadlineRules { work_week: vec![], ..DeadlineRules::default() };
        assert_eq!(rules.validate().unwrap_err().0[0].field, "deadlines.work_week");
    }
}
