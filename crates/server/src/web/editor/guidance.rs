//! What the editor says about each field: its label, how it is typed in, the help beside
//! it, grouped by section (`SECTIONS`).

/// How a field is typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Narrative text, linted.
    Text,
    /// One line of text.
    Line,
    /// A whole number, at least 0.
    Count,
    /// Hours, with decimals.
    Hours,
    /// Yes, no, or not said yet.
    Tristate,
    Certainty,
    Owner,
    Date,
}

/// One field of the form: its path (the form field's name), label and help.
pub(super) struct FieldDef {
    pub(super) key: &'static str,
    pub(super) label: &'static str,
    pub(super) kind: Kind,
    pub(super) help: &'static str,
}

pub(super) const fn field(key: &'static str, label: &'static str, kind: Kind, help: &'static str) -> FieldDef {
    FieldDef { key, label, kind, help }
}

/// One section of the form with the guidance shown beside it.
pub(super) struct SectionDef {
    pub(super) id: &'static str,
    pub(super) title: &'static str,
    /// What belongs here.
    pub(super) what: &'static str,
    /// A short good example.
    pub(super) example: &'static str,
    /// How to keep the tone blameless here.
    pub(super) tone: &'static str,
    pub(super) fields: &'static [FieldDef],
}

pub(super) const SECTIONS: &[SectionDef] = &[
    SectionDef {
        id: "summary",
        title: "Summary",
        what: "Two to four sentences a reader outside the team understands: what users saw, for how long, \
               what caused it in one phrase, and how it ended. Details go in the sections below.",
        example: "For 31 minutes, 1,200 customers could not pay by card: checkout answered 502 after a database \
                  failover left the connection pool pointing at the old primary. Restarting the pool restored \
                  payments.",
        tone: "Describe the system and its effects, not people. \"The deploy\" rather than \"Sam's deploy\".",
        fields: &[field("summary", "Summary", Kind::Text, "")],
    },
    SectionDef {
        id: "impact",
        title: "Damage scope",
        what: "What the incident cost, counted where it can be: data, users, minutes without access, working \
               hours, revenue. Say \"No\" or 0 when nothing was lost — an empty field means \"not said yet\" \
               and the checklist will ask for it.",
        example: "Data lost: no. Users affected: 1200. Minutes of lost access: 31. Working hours lost: 4.5 \
                  (three responders, 90 minutes). Revenue impact: ≈ $12,000 in delayed orders.",
        tone: "Numbers and facts; estimates are fine when they say so (\"≈\", \"at most\").",
        fields: &[
            field("impact.data_lost", "Data lost", Kind::Tristate, "Whether any data was lost."),
            field(
                "impact.data_lost_detail",
                "Data lost: what and how much",
                Kind::Text,
                "Which data, how much, and what could be restored.",
            ),
            field("impact.users_affected", "Users affected", Kind::Count, "0 if no user noticed."),
            field(
                "impact.access_lost_minutes",
                "Minutes of lost access",
                Kind::Count,
                "How long users could not get in or use the service; 0 if they always could.",
            ),
            field(
                "impact.productivity_lost_hours",
                "Working hours lost",
                Kind::Hours,
                "Across everyone involved, responders included; decimals allowed, e.g. 4.5.",
            ),
            field("impact.revenue_impact", "Revenue impact", Kind::Line, "As the team reckons it, e.g. ≈ $12,000."),
            field(
                "impact.notes",
                "Damage notes",
                Kind::Text,
                "Anything else the incident cost: trust, SLAs, support load.",
            ),
        ],
    },
    SectionDef {
        id: "root_cause",
        title: "Root cause",
        what: "The condition in the system that made the incident possible, even when it is trivial (\"a typo in \
               a config file\"), with how sure the team is. Name the component at fault and whether it is \
               legacy code. When the cause is unknown, say so, set the certainty to unknown and record the \
               clues: what was seen, what was ruled out, what was lost — whoever meets this next starts from \
               them.",
        example: "The connection pool caches the primary's address at start and never re-resolves it, so after \
                  a failover every connection went to the demoted node. Certainty: confirmed. Component: \
                  db-pool. Legacy code: yes.",
        tone: "An action by a person is never the root cause: ask what made the action possible or easy.",
        fields: &[
            field("root_cause.description", "Root cause", Kind::Text, "The cause in a few sentences."),
            field(
                "root_cause.analysis",
                "Analysis",
                Kind::Text,
                "How the team found it: evidence, the chain of causes.",
            ),
            field("root_cause.certainty", "Certainty", Kind::Certainty, "How sure the team is of the cause."),
            field(
                "root_cause.component",
                "Component",
                Kind::Line,
                "The component or module at fault, e.g. catalog-api cache layer.",
            ),
            field("root_cause.legacy_code", "Legacy code", Kind::Tristate, "Whether that component is legacy code."),
            field(
                "root_cause.must_fix",
                "Must fix",
                Kind::Tristate,
                "Whether the cause must be fixed, or is an accepted risk.",
            ),
            field(
                "root_cause.clues",
                "Clues",
                Kind::Text,
                "Needed when the cause is unknown: what was seen, what was ruled out, what evidence was lost.",
            ),
        ],
    },
    SectionDef {
        id: "trigger",
        title: "Trigger",
        what: "The event that set the root cause off: a deploy, a traffic spike, a failover, a certificate \
               expiring. The root cause was there before; the trigger made it matter.",
        example: "A storage fault on db-1 at 10:00 UTC started an automatic failover to db-2.",
        tone: "Name the event and the change, not who made it.",
        fields: &[field("trigger", "Trigger", Kind::Text, "")],
    },
    SectionDef {
        id: "detection",
        title: "Detection",
        what: "How and when the team learned of the incident — alert, customer report, someone noticing — and \
               how long after impact began. Could it have been detected sooner by the system?",
        example: "The checkout error-rate alert fired at 10:04 UTC, four minutes after impact began; support \
                  had two customer tickets by then.",
        tone: "Ask what signals were missing, not who missed them.",
        fields: &[field("detection", "Detection", Kind::Text, "")],
    },
    SectionDef {
        id: "response_analysis",
        title: "Response analysis",
        what: "How the response went: acknowledgement, escalation, communication, coordination, mitigation — \
               what made each faster or slower. The response findings on the incident page are a starting \
               point.",
        example: "The on-call engineer acknowledged within two minutes. The failover runbook had no step for \
                  the pool, so mitigation waited 20 minutes for the database team.",
        tone: "Describe what people knew and saw at the time, and why their actions made sense then.",
        fields: &[field("response_analysis", "Response analysis", Kind::Text, "")],
    },
    SectionDef {
        id: "damage_control",
        title: "Damage control",
        what: "Actions that limit the damage to customers and data, apart from fixing the cause: refunds, \
               notices, data repair. If there were none, add one action whose description is \"None\", with \
               the reason after a colon.",
        example: "Refund the card fees of failed payments (payments team, in progress). Or: \"None: no order \
                  was lost\".",
        tone: "Say what is done for the people affected; no promises about individuals.",
        fields: &[],
    },
    SectionDef {
        id: "resolution",
        title: "Resolution",
        what: "How the impact ended: what was done, when, and how the team knew it had worked.",
        example: "At 10:31 UTC the pool was restarted against db-2; the error rate was back to normal at 10:33.",
        tone: "Credit the steps, not heroes; write what made the fix possible.",
        fields: &[field("resolution", "Resolution", Kind::Text, "")],
    },
    SectionDef {
        id: "lessons",
        title: "Lessons",
        what: "What went well (to keep), what went badly (to change), and where the team got lucky (risks that \
               did not bite this time).",
        example: "Went well: the alert fired within minutes. Went badly: the runbook lacked the pool step. Got \
                  lucky: it happened at low traffic.",
        tone: "Lessons are about the system and the team's practice; nobody should read their name here.",
        fields: &[
            field("lessons.went_well", "Went well", Kind::Text, ""),
            field("lessons.went_badly", "Went badly", Kind::Text, ""),
            field("lessons.got_lucky", "Got lucky", Kind::Text, ""),
        ],
    },
    SectionDef {
        id: "recommendations",
        title: "Recommendations",
        what: "What should change so this cannot happen again, or hurts less. Each recommendation is carried \
               out by at least one action item of the incident with an owner and a due date: tick them below.",
        example: "Make the pool re-resolve the primary after a failover — carried out by \"Re-resolve DNS on \
                  pool errors\" (db team, due 15 December).",
        tone: "Change a tool, a check or a process; \"be more careful\" is not a recommendation.",
        fields: &[],
    },
    SectionDef {
        id: "ownership",
        title: "Owner and due date",
        what: "Who drives this post-mortem to publication, and by when.",
        example: "Owner: the incident commander. Due: a week after the incident is resolved.",
        tone: "The owner writes with the team; owning the document is not owning the incident.",
        fields: &[
            field("owner", "Owner", Kind::Owner, "Who drives the post-mortem to publication."),
            field("due_date", "Due date", Kind::Date, ""),
        ],
    },
];

pub(super) fn defs() -> impl Iterator<Item = &'static FieldDef> {
    SECTIONS.iter().flat_map(|s| s.fields.iter())
}

/// The label a person knows a field path by (`sections.root_cause.component` → "Component").
pub(super) fn label_of(path: &str) -> String {
    if path.starts_with("incident.") {
        return "Timeline".to_string();
    }
    let key = path.strip_prefix("sections.").unwrap_or(path);
    if let Some(def) = defs().find(|d| d.key == key) {
        return def.label.to_string();
    }
    for (prefix, title) in [("damage_control", "Damage control"), ("recommendations", "Recommendations")] {
        if let Some(rest) = key.strip_prefix(prefix) {
            let row = rest.strip_prefix('[').and_then(|r| r.split(']').next()).and_then(|n| n.parse::<usize>().ok());
            return match row {
                Some(i) => format!("{title} {}", i + 1),
                None => title.to_string(),
            };
        }
    }
    key.to_string()
}

/// The id of a field's input: its path with punctuation as dashes.
pub(super) fn field_id(path: &str) -> String {
    let key = path.strip_prefix("sections.").unwrap_or(path);
    let mut id = String::new();
    for c in key.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_matches('-').to_string()
}
