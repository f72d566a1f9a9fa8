//! What the templates show, already formatted: times, labels, classes.

use hindsight_core::{
    ActionItem, ActionItemKind, ActionItemStatus, DetectionMethod, Incident, Postmortem, PostmortemStatus,
    ResponderRole, TimelineEvent,
};
use time::OffsetDateTime;

/// How a person reads a word of the model: the label its form field shows.
pub trait Label {
    fn label(self) -> &'static str;
}

impl Label for DetectionMethod {
    fn label(self) -> &'static str {
        match self {
            DetectionMethod::MonitoringAlert => "Monitoring alert",
            DetectionMethod::CustomerReport => "Customer report",
            DetectionMethod::InternalReport => "Internal report",
            DetectionMethod::Unknown => "Unknown",
        }
    }
}

impl Label for ActionItemStatus {
    fn label(self) -> &'static str {
        match self {
            ActionItemStatus::Open => "open",
            ActionItemStatus::InProgress => "in progress",
            ActionItemStatus::Done => "done",
            ActionItemStatus::WontDo => "won't do",
        }
    }
}

impl Label for ActionItemKind {
    fn label(self) -> &'static str {
        match self {
            ActionItemKind::FixRootCause => "fix root cause",
            ActionItemKind::ImproveResponse => "improve response",
            ActionItemKind::MitigateFutureImpact => "mitigate future impact",
            ActionItemKind::DamageControl => "damage control",
        }
    }
}

impl Label for PostmortemStatus {
    fn label(self) -> &'static str {
        match self {
            PostmortemStatus::Draft => "draft",
            PostmortemStatus::InReview => "in review",
            PostmortemStatus::Published => "published",
            PostmortemStatus::Archived => "archived",
        }
    }
}

/// Slugs (of teams or services) as their names, joined: `payments` as `Payments`.
pub fn names(slugs: &[String], known: &[(String, String)]) -> String {
    slugs
        .iter()
        .map(|slug| known.iter().find(|(s, _)| s == slug).map(|(_, name)| name.as_str()).unwrap_or(slug.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `count` and the noun, singular for one: `1 event`, `2 events`.
pub fn plural(count: i64, one: &str, many: &str) -> String {
    format!("{} {}", self::count(count), if count == 1 { one } else { many })
}

impl Label for hindsight_core::SectionName {
    fn label(self) -> &'static str {
        use hindsight_core::SectionName::*;
        match self {
            Summary => "Summary",
            Impact => "Damage scope",
            RootCause => "Root cause",
            Trigger => "Trigger",
            Detection => "Detection",
            ResponseAnalysis => "Response analysis",
            Resolution => "Resolution",
            DamageControl => "Damage control",
            Lessons => "Lessons",
            Recommendations => "Recommendations",
        }
    }
}

impl Label for ResponderRole {
    fn label(self) -> &'static str {
        match self {
            ResponderRole::IncidentCommander => "Incident commander",
            ResponderRole::Scribe => "Scribe",
            ResponderRole::CommunicationsLead => "Communications lead",
            ResponderRole::SubjectMatterExpert => "Subject-matter expert",
            ResponderRole::Responder => "Responder",
        }
    }
}

/// A time as pages show it: `2026-11-20 10:04 UTC`.
pub fn when(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_default()
}

/// An optional time, or a dash.
pub fn when_opt(at: Option<OffsetDateTime>) -> String {
    at.map(when).unwrap_or_else(|| "—".into())
}

/// A duration between two moments as `1h 05m`, or a dash when either is unknown.
pub fn between(from: Option<OffsetDateTime>, to: Option<OffsetDateTime>) -> String {
    match (from, to) {
        (Some(from), Some(to)) if to >= from => seconds((to - from).whole_seconds()),
        _ => "—".into(),
    }
}

/// A duration in seconds as `3d 07h`, `1h 05m` or `4m` (rounded down).
pub fn seconds(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    match minutes {
        m if m >= 24 * 60 => format!("{}d {:02}h", m / (24 * 60), m % (24 * 60) / 60),
        m if m >= 60 => format!("{}h {:02}m", m / 60, m % 60),
        m => format!("{m}m"),
    }
}

/// A row of the incident list.
pub struct IncidentRow {
    pub handle: String,
    pub title: String,
    pub severity: String,
    pub severity_label: String,
    pub status: String,
    pub services: String,
    pub began: String,
    pub private: bool,
}

impl IncidentRow {
    pub fn new(incident: &Incident, label: &str) -> IncidentRow {
        IncidentRow {
            handle: incident.handle.clone(),
            title: incident.title.clone(),
            severity: incident.severity.to_string(),
            severity_label: label.to_string(),
            status: incident.status.to_string(),
            services: incident.services.join(", "),
            began: when(incident.moments.started_at.or(incident.moments.detected_at).unwrap_or(incident.created_at)),
            private: incident.private,
        }
    }
}

/// A timeline event as shown.
pub struct EventRow {
    pub id: String,
    pub when: String,
    pub source: String,
    pub kind: String,
    /// The category word (alerts, pages, chat, deploys, manual), also its CSS class.
    pub category: &'static str,
    pub actor: String,
    pub text: String,
    pub key_moment: String,
}

impl EventRow {
    pub fn new(event: &TimelineEvent) -> EventRow {
        EventRow {
            id: event.id.clone(),
            when: when(event.occurred_at),
            source: event.source.clone(),
            kind: event.kind.words(),
            category: hindsight_store::EventCategory::of(&event.source, event.kind).as_str(),
            actor: event.actor.clone().unwrap_or_default(),
            text: event.text.clone(),
            key_moment: event.key_moment.map(|k| k.words()).unwrap_or_default(),
        }
    }

    /// A short label for picking the event in a list: time, kind and the start of its text.
    pub fn label(&self) -> String {
        format!("{} · {} · {}", self.when, self.kind, shortened(&self.text, 60))
    }
}

/// The severities as a form offers them: `SEV2` and its configured label.
pub fn severity_choices(labels: &std::collections::BTreeMap<String, String>) -> Vec<(String, String)> {
    (1..=5)
        .filter_map(hindsight_core::Severity::new)
        .map(|s| (s.to_string(), labels.get(&s.to_string()).cloned().unwrap_or_default()))
        .collect()
}

/// The detection methods as a form offers them: word and label.
pub fn detection_choices() -> Vec<(&'static str, &'static str)> {
    hindsight_core::DetectionMethod::ALL.iter().map(|d| (d.as_str(), d.label())).collect()
}

/// A count with thousands separated: `20,018`.
pub fn count(n: i64) -> String {
    hindsight_document::grouped(n)
}

/// A count that stopped at its cap, as a heading shows it: `20`, or `1,000+`.
pub fn count_up_to(n: hindsight_store::CountUpTo) -> String {
    match n {
        hindsight_store::CountUpTo::Exactly(n) => count(n),
        hindsight_store::CountUpTo::MoreThan(cap) => format!("{}+", count(cap)),
    }
}

/// A time as pages show it, to the second: `2026-11-20 10:04:31 UTC`.
pub fn when_seconds(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    at.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_default()
}

/// An action item as shown.
pub struct ItemRow {
    pub title: String,
    pub kind: String,
    pub owner: String,
    pub priority: String,
    pub due: String,
    pub status: String,
}

impl ItemRow {
    pub fn new(item: &ActionItem) -> ItemRow {
        let owner = match (&item.owner, &item.owner_team) {
            (Some(user), Some(team)) => format!("{user} ({team})"),
            (Some(user), None) => user.clone(),
            (None, Some(team)) => team.clone(),
            (None, None) => "unowned".into(),
        };
        ItemRow {
            title: item.title.clone(),
            kind: item.kind.label().to_string(),
            owner,
            priority: item.priority.as_str().to_uppercase(),
            due: item.due_date.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            status: item.status.label().to_string(),
        }
    }
}

/// One titled text section of a post-mortem, shown only when written.
pub struct SectionView {
    pub title: &'static str,
    /// The section's Markdown as sanitised HTML.
    pub html: String,
}

/// The written sections of a post-mortem, in reading order.
pub fn sections(pm: &Postmortem) -> Vec<SectionView> {
    let s = &pm.sections;
    let rc = &s.root_cause;
    let mut root_cause = rc.description.clone();
    if !rc.analysis.is_empty() {
        root_cause.push_str("\n\n");
        root_cause.push_str(&rc.analysis);
    }
    if !rc.component.is_empty() {
        root_cause.push_str(&format!("\n\nComponent: {} · certainty: {}", rc.component, rc.certainty));
        if rc.legacy_code == Some(true) {
            root_cause.push_str(" · legacy code");
        }
    }
    if !rc.clues.is_empty() {
        root_cause.push_str(&format!("\n\nClues: {}", rc.clues));
    }
    let lessons = [
        ("Went well", &s.lessons.went_well),
        ("Went badly", &s.lessons.went_badly),
        ("Got lucky", &s.lessons.got_lucky),
    ]
    .iter()
    .filter(|(_, t)| !t.is_empty())
    .map(|(h, t)| format!("**{h}:** {t}"))
    .collect::<Vec<_>>()
    .join("\n\n");
    let damage_control = s
        .damage_control
        .iter()
        .map(|a| format!("- {} ({})", a.description, a.status.words()))
        .collect::<Vec<_>>()
        .join("\n");
    let recommendations = s.recommendations.iter().map(|r| format!("- {}", r.text)).collect::<Vec<_>>().join("\n");
    [
        ("Summary", s.summary.clone()),
        ("Root cause", root_cause),
        ("Trigger", s.trigger.clone()),
        ("Detection", s.detection.clone()),
        ("Response", s.response_analysis.clone()),
        ("Damage control", damage_control),
        ("Resolution", s.resolution.clone()),
        ("Lessons", lessons),
        ("Recommendations", recommendations),
    ]
    .into_iter()
    .filter(|(_, text)| !text.trim().is_empty())
    .map(|(title, text)| SectionView { title, html: hindsight_document::markdown_html(&text) })
    .collect()
}

/// The first `max` characters of `text`, with an ellipsis when there were more.
pub fn shortened(text: &str, max: usize) -> String {
    let mut short: String = text.chars().take(max).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(20_018), "20,018");
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!(count(-4_500), "-4,500");
    }

    #[test]
    fn durations_are_shown_in_the_largest_units_that_fit() {
        assert_eq!(seconds(59), "0m");
        assert_eq!(seconds(4 * 60 + 10), "4m");
        assert_eq!(seconds(3600 + 5 * 60), "1h 05m");
        assert_eq!(seconds(79 * 3600), "3d 07h");
        assert_eq!(seconds(-5), "0m");
    }
}
