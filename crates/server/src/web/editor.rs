//! The post-mortem editor at `/incidents/{handle}/postmortem/edit`: one form with every
//! section of the post-mortem, guidance for each, the blameless-language findings marked
//! at the words they concern, the completeness checklist and the review buttons.
//!
//! Saving sends the whole form with the version it was loaded from, through the same code
//! as the API (`hindsight_app::postmortems`: `change`, `move_to`, `start`). A stale save loses nothing:
//! the page comes back with the person's text, and for every field someone else changed
//! since that version, their text beside it with a choice to keep mine, take theirs or
//! write a merged text; the form then carries the current version, so the next save goes
//! through.
//!
//! The narrative text areas are plain `<textarea data-section="sections.…">` elements
//! whose `name` is the field's path. A live collaborative layer can replace each one by
//! its `data-section` path later (a shared text bound to that element) without changing
//! this module: the form still posts the same fields, and the structured fields (numbers,
//! choices, lists) keep the version check and the merge page. `assets/editor.js` only
//! enhances: live lint while typing, adding and removing rows, a warning before leaving
//! with unsaved changes. It is not the read view of a post-mortem.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hindsight_core::lint::Finding;
use hindsight_core::{
    Certainty, DamageControlAction, DamageControlStatus, DamageScope, Lessons, NewPostmortem, Postmortem,
    PostmortemChange, PostmortemPatch, PostmortemStatus, Recommendation, RootCause, Sections,
};
use hindsight_document::escape_html as escape;

use super::kit::{self, Chrome, Notice, PageError, Posted, Signed, see_other_with_notice};
use crate::error::ApiError;
use crate::state::AppState;
use hindsight_app::analysis::{self, Evidence};

/// How a field is typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
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
struct FieldDef {
    key: &'static str,
    label: &'static str,
    kind: Kind,
    help: &'static str,
}

const fn field(key: &'static str, label: &'static str, kind: Kind, help: &'static str) -> FieldDef {
    FieldDef { key, label, kind, help }
}

/// One section of the form with the guidance shown beside it.
struct SectionDef {
    id: &'static str,
    title: &'static str,
    /// What belongs here.
    what: &'static str,
    /// A short good example.
    example: &'static str,
    /// How to keep the tone blameless here.
    tone: &'static str,
    fields: &'static [FieldDef],
}

const SECTIONS: &[SectionDef] = &[
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

fn defs() -> impl Iterator<Item = &'static FieldDef> {
    SECTIONS.iter().flat_map(|s| s.fields.iter())
}

/// The label a person knows a field path by (`sections.root_cause.component` → "Component").
fn label_of(path: &str) -> String {
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
fn field_id(path: &str) -> String {
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

/// A row of the damage-control list as typed.
#[derive(Debug, Clone, Default, PartialEq)]
struct DcRow {
    description: String,
    owner_team: String,
    status: String,
}

/// A recommendation as typed, with the ids of the action items ticked for it.
#[derive(Debug, Clone, Default, PartialEq)]
struct RecRow {
    text: String,
    action_items: Vec<String>,
}

/// The editor's content as text, the way the form holds it: from a stored post-mortem,
/// or from what a person posted (then kept as typed, even when it does not parse).
#[derive(Debug, Clone, Default, PartialEq)]
struct Draft {
    values: BTreeMap<&'static str, String>,
    damage_control: Vec<DcRow>,
    recommendations: Vec<RecRow>,
}

fn tristate(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

fn number<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Text as the form posted it, with the browser's CRLF line ends made LF.
fn typed(value: &str) -> String {
    value.replace("\r\n", "\n")
}

impl Draft {
    fn of(pm: &Postmortem) -> Draft {
        let s = &pm.sections;
        let (i, rc, l) = (&s.impact, &s.root_cause, &s.lessons);
        let values = [
            ("summary", s.summary.clone()),
            ("impact.data_lost", tristate(i.data_lost)),
            ("impact.data_lost_detail", i.data_lost_detail.clone()),
            ("impact.users_affected", number(i.users_affected)),
            ("impact.access_lost_minutes", number(i.access_lost_minutes)),
            ("impact.productivity_lost_hours", number(i.productivity_lost_hours)),
            ("impact.revenue_impact", i.revenue_impact.clone()),
            ("impact.notes", i.notes.clone()),
            ("root_cause.description", rc.description.clone()),
            ("root_cause.analysis", rc.analysis.clone()),
            ("root_cause.certainty", rc.certainty.as_str().to_string()),
            ("root_cause.component", rc.component.clone()),
            ("root_cause.legacy_code", tristate(rc.legacy_code)),
            ("root_cause.must_fix", tristate(rc.must_fix)),
            ("root_cause.clues", rc.clues.clone()),
            ("trigger", s.trigger.clone()),
            ("detection", s.detection.clone()),
            ("response_analysis", s.response_analysis.clone()),
            ("resolution", s.resolution.clone()),
            ("lessons.went_well", l.went_well.clone()),
            ("lessons.went_badly", l.went_badly.clone()),
            ("lessons.got_lucky", l.got_lucky.clone()),
            ("owner", pm.owner.clone().unwrap_or_default()),
            ("due_date", number(pm.due_date)),
        ]
        .into_iter()
        .collect();
        Draft {
            values,
            damage_control: s
                .damage_control
                .iter()
                .map(|a| DcRow {
                    description: a.description.clone(),
                    owner_team: a.owner_team.clone().unwrap_or_default(),
                    status: a.status.as_str().to_string(),
                })
                .collect(),
            recommendations: s
                .recommendations
                .iter()
                .map(|r| RecRow { text: r.text.clone(), action_items: r.action_items.clone() })
                .collect(),
        }
    }

    fn from_form(form: &FormFields) -> Draft {
        let values = defs().map(|d| (d.key, typed(form.get(d.key)))).collect();
        let removed = |name: &str| -> BTreeSet<usize> { form.all(name).filter_map(|v| v.parse().ok()).collect() };
        let (dc_removed, rec_removed) = (removed("dc_remove"), removed("rec_remove"));
        let (owners, statuses): (Vec<&str>, Vec<&str>) =
            (form.all("dc_owner_team").collect(), form.all("dc_status").collect());
        let damage_control = form
            .all("dc_description")
            .enumerate()
            .filter(|(i, d)| !dc_removed.contains(i) && !d.trim().is_empty())
            .map(|(i, d)| DcRow {
                description: typed(d),
                owner_team: owners.get(i).map(|o| o.trim().to_string()).unwrap_or_default(),
                status: statuses.get(i).map(|s| s.to_string()).unwrap_or_else(|| "planned".into()),
            })
            .collect();
        let ticked: Vec<(usize, &str)> = form
            .all("rec_item")
            .filter_map(|v| v.split_once(':'))
            .filter_map(|(i, id)| Some((i.parse().ok()?, id)))
            .collect();
        let recommendations = form
            .all("rec_text")
            .enumerate()
            .filter(|(i, t)| !rec_removed.contains(i) && !t.trim().is_empty())
            .map(|(i, t)| RecRow {
                text: typed(t),
                action_items: ticked.iter().filter(|(row, _)| *row == i).map(|(_, id)| id.to_string()).collect(),
            })
            .collect();
        Draft { values, damage_control, recommendations }
    }

    fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }

    /// Applies the person's choices on the merge page: `resolve.<field>` is `mine`,
    /// `theirs` (the current state) or `merged` (the text in `merged.<field>`).
    fn resolve(&mut self, theirs: &Draft, form: &FormFields) {
        for def in defs() {
            match form.get(&format!("resolve.{}", def.key)) {
                "theirs" => {
                    self.values.insert(def.key, theirs.get(def.key).to_string());
                }
                "merged" if def.kind == Kind::Text => {
                    self.values.insert(def.key, typed(form.get(&format!("merged.{}", def.key))));
                }
                _ => {}
            }
        }
        if form.get("resolve.damage_control") == "theirs" {
            self.damage_control = theirs.damage_control.clone();
        }
        if form.get("resolve.recommendations") == "theirs" {
            self.recommendations = theirs.recommendations.clone();
        }
    }

    /// The patch that saves this content on top of `version`, or what does not parse,
    /// each message naming the field by its label.
    fn to_patch(&self, version: i64) -> Result<PostmortemPatch, Vec<String>> {
        let mut problems = Problems::default();
        let field = |key: &str| self.get(key).trim();
        let data_lost = problems.take("impact.data_lost", yes_no(field("impact.data_lost"))).flatten();
        let legacy_code = problems.take("root_cause.legacy_code", yes_no(field("root_cause.legacy_code"))).flatten();
        let must_fix = problems.take("root_cause.must_fix", yes_no(field("root_cause.must_fix"))).flatten();
        let users_affected = problems.take("impact.users_affected", count(field("impact.users_affected"))).flatten();
        let access_lost_minutes =
            problems.take("impact.access_lost_minutes", count(field("impact.access_lost_minutes"))).flatten();
        let productivity_lost_hours =
            problems.take("impact.productivity_lost_hours", hours(field("impact.productivity_lost_hours"))).flatten();
        let certainty = problems
            .take("root_cause.certainty", field("root_cause.certainty").parse::<Certainty>().map_err(|e| e.to_string()))
            .unwrap_or(Certainty::Unknown);
        let due_date = problems.take("due_date", date(field("due_date"))).flatten();
        let mut damage_control = Vec::new();
        for (i, row) in self.damage_control.iter().enumerate() {
            let status = problems
                .take(
                    &format!("damage_control[{i}]"),
                    row.status.parse::<DamageControlStatus>().map_err(|e| e.to_string()),
                )
                .unwrap_or(DamageControlStatus::Planned);
            let owner_team = Some(row.owner_team.clone()).filter(|t| !t.is_empty());
            damage_control.push(DamageControlAction { description: row.description.clone(), owner_team, status });
        }
        if !problems.0.is_empty() {
            return Err(problems.0);
        }
        let text = |key: &str| self.get(key).to_string();
        let sections = Sections {
            summary: text("summary"),
            impact: DamageScope {
                data_lost,
                data_lost_detail: text("impact.data_lost_detail"),
                users_affected,
                access_lost_minutes,
                productivity_lost_hours,
                revenue_impact: text("impact.revenue_impact").trim().to_string(),
                notes: text("impact.notes"),
            },
            root_cause: RootCause {
                description: text("root_cause.description"),
                analysis: text("root_cause.analysis"),
                certainty,
                component: text("root_cause.component").trim().to_string(),
                legacy_code,
                must_fix,
                clues: text("root_cause.clues"),
            },
            trigger: text("trigger"),
            detection: text("detection"),
            response_analysis: text("response_analysis"),
            resolution: text("resolution"),
            damage_control,
            lessons: Lessons {
                went_well: text("lessons.went_well"),
                went_badly: text("lessons.went_badly"),
                got_lucky: text("lessons.got_lucky"),
            },
            recommendations: self
                .recommendations
                .iter()
                .map(|r| Recommendation { text: r.text.clone(), action_items: r.action_items.clone() })
                .collect(),
        };
        let sections = match serde_json::to_value(&sections) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => return Err(vec!["The sections could not be read.".into()]),
        };
        let owner = Some(self.get("owner").trim().to_string()).filter(|o| !o.is_empty());
        Ok(PostmortemPatch { version, owner: Some(owner), due_date: Some(due_date), sections: Some(sections) })
    }
}

/// What in a posted form does not parse, each message naming its field by label.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    /// The value, or `None` after noting why `key` is wrong.
    fn take<T>(&mut self, key: &str, parsed: Result<T, String>) -> Option<T> {
        parsed.map_err(|message| self.0.push(format!("{}: {message}", label_of(key)))).ok()
    }
}

/// Yes, no, or empty for "not said yet".
fn yes_no(text: &str) -> Result<Option<bool>, String> {
    match text {
        "" => Ok(None),
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        other => Err(format!("{other:?} is not one of yes, no or not said yet")),
    }
}

/// A whole number of 0 or more, or empty.
fn count(text: &str) -> Result<Option<i64>, String> {
    match text.parse::<i64>() {
        _ if text.is_empty() => Ok(None),
        Ok(n) if n >= 0 => Ok(Some(n)),
        _ => Err(format!("{text:?} is not a whole number of 0 or more")),
    }
}

/// Hours with decimals (a decimal comma is read too), or empty.
fn hours(text: &str) -> Result<Option<f64>, String> {
    match text.replace(',', ".").parse::<f64>() {
        _ if text.is_empty() => Ok(None),
        Ok(h) if h.is_finite() && h >= 0.0 => Ok(Some(h)),
        _ => Err(format!("{text:?} is not a number of hours, e.g. 4.5")),
    }
}

/// A date as a date input sends it (`2026-12-15`), or empty.
fn date(text: &str) -> Result<Option<time::Date>, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(text, &format) {
        _ if text.is_empty() => Ok(None),
        Ok(date) => Ok(Some(date)),
        Err(_) => Err(format!("{text:?} is not a date; use the form 2026-12-15")),
    }
}

/// The posted form as name/value pairs, in order; repeated names are the rows of a list.
struct FormFields(Vec<(String, String)>);

impl FormFields {
    /// The last value of `name`, or empty.
    fn get(&self, name: &str) -> &str {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A field someone else changed since the version the person's form was loaded from.
#[derive(Debug, Clone)]
struct Conflict {
    key: &'static str,
    theirs: String,
    mine: String,
    /// Whether the person changed the field too (else taking theirs loses nothing).
    mine_changed: bool,
    /// Whether a merged text can be written (narrative text only).
    text: bool,
}

fn dc_text(rows: &[DcRow]) -> String {
    rows.iter()
        .map(|r| {
            let team = if r.owner_team.is_empty() { String::new() } else { format!(", {}", r.owner_team) };
            format!("• {} [{}{team}]", r.description, r.status.replace('_', " "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn rec_text(rows: &[RecRow]) -> String {
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
fn conflicts(base: Option<&Draft>, theirs: &Draft, mine: &Draft) -> Vec<Conflict> {
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

/// The post-mortem as it was at `version`, rebuilt from the current state by undoing the
/// later changes of its history; `None` when the history does not allow it.
fn state_at(current: &Postmortem, history: &[PostmortemChange], version: i64) -> Option<Postmortem> {
    let mut json = serde_json::to_value(current).ok()?;
    let mut later: Vec<&PostmortemChange> = history.iter().filter(|c| c.version > version).collect();
    later.sort_by_key(|c| std::cmp::Reverse(c.version));
    for change in later {
        for f in &change.changes {
            let target = match f.field.split_once('.') {
                Some((outer, inner)) => json.get_mut(outer)?.as_object_mut()?.entry(inner.to_string()),
                None => json.as_object_mut()?.entry(f.field.clone()),
            };
            *target.or_insert(serde_json::Value::Null) = f.old.clone();
        }
    }
    serde_json::from_value(json).ok()
}

/// A starting point for a merged text: mine, then the lines of theirs mine lacks.
fn merge_seed(mine: &str, theirs: &str) -> String {
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

/// The character range `[start, end)` of a finding in `text` (lines and columns count
/// characters, 1-based, the end column exclusive).
fn finding_range(line_starts: &[usize], len: usize, f: &Finding) -> Option<(usize, usize)> {
    let start = line_starts.get(f.line.checked_sub(1)?)? + f.column.checked_sub(1)?;
    let end = line_starts.get(f.end_line.checked_sub(1)?)? + f.end_column.checked_sub(1)?;
    (start < end && end <= len).then_some((start, end))
}

/// `text` as HTML with each finding's words in `<mark class="lint" title="rule: suggestion">`;
/// everything else escaped. Overlapping findings mark the first only.
fn marked_html(text: &str, findings: &[Finding]) -> String {
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
struct FindingView {
    rule: String,
    matched: String,
    suggestion: String,
    why: String,
}

/// The lint preview of one text area (`id`): the text with marks, and the findings listed.
struct LintView {
    id: String,
    html: String,
    findings: Vec<FindingView>,
}

fn lint_view(id: String, text: &str, names: &[String]) -> LintView {
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

/// The merge choice shown under a field someone else changed.
struct MergeView {
    /// The form field's name (`resolve.<key>`, `merged.<key>`).
    key: &'static str,
    id: String,
    label: String,
    theirs: String,
    mine: String,
    /// `mine` or `theirs`: what is checked until the person chooses.
    choice: &'static str,
    /// Narrative text: offer a merged text too.
    text: bool,
    merged: String,
}

impl MergeView {
    fn of(c: &Conflict) -> MergeView {
        MergeView {
            key: c.key,
            id: field_id(c.key),
            label: label_of(c.key),
            theirs: c.theirs.clone(),
            mine: c.mine.clone(),
            choice: if c.mine_changed { "mine" } else { "theirs" },
            text: c.text,
            merged: if c.text { merge_seed(&c.mine, &c.theirs) } else { String::new() },
        }
    }
}

/// One input of the form as shown.
struct FieldView {
    key: &'static str,
    id: String,
    /// `sections.<key>` for post-mortem fields (the lint and completeness paths).
    path: String,
    label: &'static str,
    /// text, line, number, select or date.
    kind: &'static str,
    value: String,
    options: Vec<(String, String)>,
    help: &'static str,
    rows: usize,
    /// The keyboard a phone shows for a number field.
    inputmode: &'static str,
    /// Narrative text only.
    lint: Option<LintView>,
    merge: Option<MergeView>,
}

/// One section of the form as shown.
struct SectionView {
    id: &'static str,
    title: &'static str,
    what: &'static str,
    example: &'static str,
    tone: &'static str,
    fields: Vec<FieldView>,
}

struct DcRowView {
    index: usize,
    description: String,
    owner_team: String,
    status: String,
    lint: Option<LintView>,
}

/// An action item that can be ticked as carrying out a recommendation.
struct ItemChoice {
    id: String,
    /// Title, owner and due date as shown.
    label: String,
    ticked: bool,
}

struct RecRowView {
    index: usize,
    text: String,
    items: Vec<ItemChoice>,
    lint: Option<LintView>,
}

/// One thing the checklist still asks for, with where to fill it.
struct MissingView {
    label: String,
    message: String,
    href: String,
}

/// A review move the person can make from the current status.
struct MoveView {
    status: &'static str,
    label: &'static str,
    enabled: bool,
    /// Why the button is disabled, in words.
    why: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "postmortem_edit.html")]
struct EditorPage {
    chrome: Chrome,
    handle: String,
    title: String,
    /// Whether the incident has a post-mortem.
    started: bool,
    read_only: bool,
    status: String,
    version: i64,
    sections: Vec<SectionView>,
    dc_rows: Vec<DcRowView>,
    dc_merge: Option<MergeView>,
    dc_statuses: Vec<(String, String)>,
    teams: Vec<(String, String)>,
    rec_rows: Vec<RecRowView>,
    rec_merge: Option<MergeView>,
    errors: Vec<String>,
    /// What happened when the save was stale.
    conflict: Option<String>,
    missing: Vec<MissingView>,
    moves: Vec<MoveView>,
    findings_total: usize,
    /// Why the wording stands, as typed (submitting with findings open needs it).
    wording_reason: String,
    /// The anchor of the first field with findings.
    first_finding: String,
}

/// What the page shows besides the stored state.
#[derive(Default)]
struct Shown {
    /// The content in the form; the stored state when `None`.
    draft: Option<Draft>,
    /// The version the form carries; the stored one when `None`.
    version: Option<i64>,
    errors: Vec<String>,
    conflicts: Vec<Conflict>,
    conflict: Option<String>,
    /// Why the wording stands, as typed, for submitting with findings open.
    wording_reason: String,
}

async fn render(state: &AppState, chrome: Chrome, evidence: &Evidence, shown: Shown) -> Result<EditorPage, PageError> {
    let incident = &evidence.incident;
    let read_only = !chrome.can_write;
    let mut page = EditorPage {
        chrome,
        handle: incident.handle.clone(),
        title: incident.title.clone(),
        started: evidence.postmortem.is_some(),
        read_only,
        status: String::new(),
        version: 0,
        sections: Vec::new(),
        dc_rows: Vec::new(),
        dc_merge: None,
        dc_statuses: DamageControlStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.words())).collect(),
        teams: Vec::new(),
        rec_rows: Vec::new(),
        rec_merge: None,
        errors: shown.errors,
        conflict: shown.conflict,
        missing: Vec::new(),
        moves: Vec::new(),
        findings_total: 0,
        wording_reason: shown.wording_reason.clone(),
        first_finding: String::new(),
    };
    let Some(pm) = &evidence.postmortem else { return Ok(page) };
    let names = analysis::known_names(&state.store, Some(incident)).await?;
    let draft = shown.draft.unwrap_or_else(|| Draft::of(pm));
    let merge_of = |key: &str| shown.conflicts.iter().find(|c| c.key == key).map(MergeView::of);
    page.status = pm.status.as_str().to_string();
    page.version = shown.version.unwrap_or(pm.version);
    let users: Vec<String> = state.store.list_users().await?.into_iter().map(|u| u.username).collect();
    page.teams = state.store.list_teams().await?.into_iter().map(|t| (t.slug, t.name)).collect();
    for row in &draft.damage_control {
        if !row.owner_team.is_empty() && !page.teams.iter().any(|(slug, _)| *slug == row.owner_team) {
            page.teams.push((row.owner_team.clone(), row.owner_team.clone()));
        }
    }
    let tristate_options = vec![
        (String::new(), "Not said yet".to_string()),
        ("yes".to_string(), "Yes".to_string()),
        ("no".to_string(), "No".to_string()),
    ];
    for section in SECTIONS {
        let fields = section
            .fields
            .iter()
            .map(|def| {
                let value = draft.get(def.key).to_string();
                let (kind, options, inputmode) = match def.kind {
                    Kind::Text => ("text", Vec::new(), ""),
                    Kind::Line => ("line", Vec::new(), ""),
                    Kind::Count => ("number", Vec::new(), "numeric"),
                    Kind::Hours => ("number", Vec::new(), "decimal"),
                    Kind::Date => ("date", Vec::new(), ""),
                    Kind::Tristate => ("select", tristate_options.clone(), ""),
                    Kind::Certainty => {
                        ("select", Certainty::ALL.iter().map(|c| (c.to_string(), c.to_string())).collect(), "")
                    }
                    Kind::Owner => {
                        let mut options = vec![(String::new(), "Nobody yet".to_string())];
                        options.extend(users.iter().map(|u| (u.clone(), u.clone())));
                        if !value.is_empty() && !users.contains(&value) {
                            options.push((value.clone(), value.clone()));
                        }
                        ("select", options, "")
                    }
                };
                let lint = (def.kind == Kind::Text).then(|| lint_view(field_id(def.key), &value, &names));
                FieldView {
                    key: def.key,
                    id: field_id(def.key),
                    path: if matches!(def.key, "owner" | "due_date") {
                        def.key.to_string()
                    } else {
                        format!("sections.{}", def.key)
                    },
                    label: def.label,
                    kind,
                    rows: if def.kind == Kind::Text { 3 + value.lines().count().min(12) } else { 1 },
                    value,
                    options,
                    help: def.help,
                    inputmode,
                    lint,
                    merge: merge_of(def.key),
                }
            })
            .collect();
        page.sections.push(SectionView {
            id: section.id,
            title: section.title,
            what: section.what,
            example: section.example,
            tone: section.tone,
            fields,
        });
    }
    let mut dc = draft.damage_control.clone();
    let mut recs = draft.recommendations.clone();
    if !read_only {
        // One empty row each, so a row can be added without scripts.
        dc.push(DcRow { status: "planned".into(), ..DcRow::default() });
        recs.push(RecRow::default());
    }
    page.dc_rows = dc
        .into_iter()
        .enumerate()
        .map(|(index, r)| DcRowView {
            index,
            lint: Some(lint_view(format!("damage_control-{index}-description"), &r.description, &names)),
            description: r.description,
            owner_team: r.owner_team,
            status: r.status,
        })
        .collect();
    page.dc_merge = merge_of("damage_control");
    page.rec_rows = recs
        .into_iter()
        .enumerate()
        .map(|(index, r)| RecRowView {
            index,
            lint: Some(lint_view(format!("recommendations-{index}-text"), &r.text, &names)),
            items: evidence
                .action_items
                .iter()
                .map(|a| {
                    let owner = a.owner.clone().or_else(|| a.owner_team.clone()).unwrap_or_else(|| "no owner".into());
                    let due = a.due_date.map(|d| format!("due {d}")).unwrap_or_else(|| "no due date".into());
                    ItemChoice {
                        id: a.id.clone(),
                        label: format!("{} ({owner}, {due})", a.title),
                        ticked: r.action_items.contains(&a.id),
                    }
                })
                .collect(),
            text: r.text,
        })
        .collect();
    page.rec_merge = merge_of("recommendations");
    let lints = page
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        .map(|f| &f.lint)
        .chain(page.dc_rows.iter().map(|r| &r.lint))
        .chain(page.rec_rows.iter().map(|r| &r.lint))
        .flatten()
        .filter(|l| !l.findings.is_empty());
    let (mut first, mut total) = (None, 0);
    for lint in lints {
        first.get_or_insert_with(|| format!("{}-lint", lint.id));
        total += lint.findings.len();
    }
    page.first_finding = first.unwrap_or_default();
    page.findings_total = total;
    let missing = analysis::completeness(evidence).unwrap_or_default();
    page.missing = missing
        .iter()
        .map(|m| MissingView {
            label: label_of(&m.path),
            message: m.message.clone(),
            href: if m.path.starts_with("incident.") {
                format!("/incidents/{}", incident.handle)
            } else {
                format!("#{}", field_id(&m.path))
            },
        })
        .collect();
    page.moves = PostmortemStatus::ALL
        .iter()
        .filter(|next| pm.status.can_move_to(**next))
        .map(|next| {
            let incomplete = *next == PostmortemStatus::InReview && !missing.is_empty();
            MoveView {
                status: next.as_str(),
                label: match next {
                    PostmortemStatus::Draft => "Back to draft",
                    PostmortemStatus::InReview => "Submit for review",
                    PostmortemStatus::Published => "Publish",
                    PostmortemStatus::Archived => "Archive",
                },
                enabled: !incomplete,
                why: if incomplete {
                    format!(
                        "Submitting for review needs a complete post-mortem: {} item{} of the checklist {} missing. \
                         Fill them in and save, then submit.",
                        missing.len(),
                        if missing.len() == 1 { "" } else { "s" },
                        if missing.len() == 1 { "is" } else { "are" }
                    )
                } else {
                    String::new()
                },
            }
        })
        .collect();
    Ok(page)
}

fn edit_path(handle: &str) -> String {
    format!("/incidents/{handle}/postmortem/edit")
}

/// The editor; read-only for viewers, a "Start post-mortem" button when there is none.
pub async fn edit(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
    Path(handle): Path<String>,
) -> Result<Response, PageError> {
    let evidence = analysis::gather(&state.store, &caller.viewer, kit::incident_number(&handle)?).await?;
    let chrome = Chrome::of(&caller).with_notice(notice);
    Ok(render(&state, chrome, &evidence, Shown::default()).await?.into_response())
}

/// Saves the form (`action=save`), then makes the review move the button asked for
/// (`action=in_review|published|draft|archived`); `action=start` starts the post-mortem.
pub async fn save(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    posted: Posted<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_write()?;
    let form = FormFields(form);
    let number = kit::incident_number(&handle)?;
    let path = edit_path(&handle);
    let action = form.get("action");
    if action == "start" {
        return match hindsight_app::postmortems::start(&state.store, &caller.actor(), number, NewPostmortem::default())
            .await
            .map_err(ApiError::from)
        {
            Ok(_) => Ok(see_other_with_notice(&path, "Post-mortem started as a draft.")),
            Err(ApiError::Conflict { .. }) => {
                Ok(see_other_with_notice(&path, "This incident already has a post-mortem."))
            }
            Err(e) => Err(e.into()),
        };
    }
    let evidence = analysis::gather(&state.store, &caller.viewer, number).await?;
    let Some(current) = evidence.postmortem.clone() else {
        return Ok(see_other_with_notice(&path, "This incident has no post-mortem yet: start it first."));
    };
    let Ok(version) = form.get("version").trim().parse::<i64>() else {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "The form does not say which version it was loaded from. Reload the page and try again.",
        ));
    };
    let mut mine = Draft::from_form(&form);
    mine.resolve(&Draft::of(&current), &form);
    let refused = |errors: Vec<String>, draft: Draft, version: i64| Shown {
        draft: Some(draft),
        version: Some(version),
        errors,
        ..Shown::default()
    };
    let patch = match mine.to_patch(version) {
        Ok(patch) => patch,
        Err(errors) => {
            let page = render(&state, Chrome::of(&caller), &evidence, refused(errors, mine, version)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let saved = match hindsight_app::postmortems::change(&state.store, &caller.actor(), &current.id, patch.clone())
        .await
        .map_err(ApiError::from)
    {
        Ok(saved) => saved,
        Err(ApiError::Conflict { current: Some(_), .. }) => {
            let evidence = analysis::gather(&state.store, &caller.viewer, number).await?;
            let Some(now) = evidence.postmortem.clone() else {
                return Err(PageError::new(StatusCode::NOT_FOUND, "The post-mortem was deleted meanwhile."));
            };
            let history = state.store.postmortem_history(&caller.viewer, &now.id).await?;
            let base = state_at(&now, &history, version).map(|pm| Draft::of(&pm));
            let found = conflicts(base.as_ref(), &Draft::of(&now), &mine);
            let retried = if found.is_empty() {
                // Nothing this form edits was changed by anyone else: save on top of theirs.
                hindsight_app::postmortems::change(
                    &state.store,
                    &caller.actor(),
                    &now.id,
                    PostmortemPatch { version: now.version, ..patch },
                )
                .await
                .ok()
            } else {
                None
            };
            match retried {
                Some(saved) => saved,
                None => {
                    let mut who: Vec<String> = history
                        .iter()
                        .filter(|c| c.version > version)
                        .filter_map(|c| c.actor.clone())
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect();
                    if who.is_empty() {
                        who.push("someone else".into());
                    }
                    let note = format!(
                        "Not saved yet: {} changed this post-mortem since you opened it (version {version}, now \
                         version {}). Your text is kept in the form. For each field changed since, compare theirs \
                         with yours below and choose what to keep, then save again.",
                        who.join(", "),
                        now.version
                    );
                    let shown = Shown {
                        draft: Some(mine),
                        version: Some(now.version),
                        conflicts: found,
                        conflict: Some(note),
                        ..Shown::default()
                    };
                    let page = render(&state, Chrome::of(&caller), &evidence, shown).await?;
                    return Ok((StatusCode::CONFLICT, page).into_response());
                }
            }
        }
        Err(ApiError::Invalid(invalid)) => {
            let errors = invalid.0.iter().map(|e| format!("{}: {}", label_of(&e.field), e.message)).collect();
            let page = render(&state, Chrome::of(&caller), &evidence, refused(errors, mine, version)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let saved_note = if saved.version == current.version && saved.version == version {
        "No changes to save.".to_string()
    } else {
        format!("Saved as version {}.", saved.version)
    };
    let Ok(status) = action.parse::<PostmortemStatus>() else {
        return Ok(see_other_with_notice(&path, &saved_note));
    };
    // Going to review with wording findings open needs a reason, kept in the history.
    let mut reason = None;
    if status == PostmortemStatus::InReview {
        let names = analysis::known_names(&state.store, Some(&evidence.incident)).await?;
        let open: usize = analysis::lint_postmortem(&saved, &names).iter().map(|f| f.findings.len()).sum();
        let why = form.get("wording_reason").trim().to_string();
        let findings = format!("{open} wording finding{}", if open == 1 { "" } else { "s" });
        if open > 0 && why.is_empty() {
            let evidence = analysis::gather(&state.store, &caller.viewer, number).await?;
            let errors = vec![format!(
                "{saved_note} It was not moved to in review: {findings} {} still open. Rewrite the marked words, \
                 or say under “Why the wording stands” why they stay; the reason is kept in the post-mortem's history.",
                if open == 1 { "is" } else { "are" }
            )];
            let page = render(&state, Chrome::of(&caller), &evidence, Shown { errors, ..Shown::default() }).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        if open > 0 {
            reason = Some(format!("Submitted for review with {findings} open: {why}"));
        }
    }
    match hindsight_app::postmortems::move_to(
        &state.store,
        &caller.actor(),
        &saved.id,
        saved.version,
        status,
        reason.as_deref(),
    )
    .await
    .map_err(ApiError::from)
    {
        Ok(moved) => {
            let done = match moved.status {
                PostmortemStatus::Draft => "Back to draft.",
                PostmortemStatus::InReview => "Submitted for review.",
                PostmortemStatus::Published => "Published.",
                PostmortemStatus::Archived => "Archived.",
            };
            Ok(see_other_with_notice(&path, &format!("{saved_note} {done}")))
        }
        Err(ApiError::Invalid(invalid)) => {
            let evidence = analysis::gather(&state.store, &caller.viewer, number).await?;
            let mut errors = vec![format!(
                "{saved_note} It was not moved to {}: {}",
                status.words(),
                if status == PostmortemStatus::InReview {
                    "the checklist is not complete yet."
                } else {
                    "that move is not allowed now."
                }
            )];
            errors.extend(invalid.0.iter().map(|e| format!("{}: {}", label_of(&e.field), e.message)));
            let page = render(&state, Chrome::of(&caller), &evidence, Shown { errors, ..Shown::default() }).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> FormFields {
        FormFields(list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn marks_wrap_the_words_of_a_finding_and_escape_the_rest() {
        let text = "<b>Dana</b> should have checked the config.";
        let findings = hindsight_core::lint::lint(text, &["Dana".to_string()]);
        assert!(!findings.is_empty());
        let html = marked_html(text, &findings);
        assert!(html.starts_with("&lt;b&gt;"), "{html}");
        assert!(html.contains("<mark class=\"lint\" title=\""), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        let without_marks = html.replace("</mark>", "");
        assert!(without_marks.contains("checked the config."));
    }

    #[test]
    fn marks_count_characters_on_later_lines() {
        let text = "Überblick: alles gut.\nThe operator was careless with the flag.";
        let findings = hindsight_core::lint::lint(text, &[]);
        let Some(f) = findings.first() else { panic!("a judgement word is found") };
        let html = marked_html(text, &findings);
        assert!(html.contains(&format!(">{}</mark>", escape(&f.matched))), "{html}");
    }

    #[test]
    fn form_rows_drop_removed_and_empty_ones_and_keep_ticked_items() {
        let form = pairs(&[
            ("dc_description", "Refund fees"),
            ("dc_owner_team", "payments"),
            ("dc_status", "in_progress"),
            ("dc_description", "Notify customers"),
            ("dc_owner_team", ""),
            ("dc_status", "done"),
            ("dc_remove", "1"),
            ("dc_description", ""),
            ("dc_owner_team", ""),
            ("dc_status", "planned"),
            ("rec_text", "Re-resolve the primary"),
            ("rec_item", "0:a1"),
            ("rec_item", "1:a2"),
            ("rec_text", ""),
        ]);
        let draft = Draft::from_form(&form);
        assert_eq!(
            draft.damage_control,
            [DcRow { description: "Refund fees".into(), owner_team: "payments".into(), status: "in_progress".into() }]
        );
        assert_eq!(
            draft.recommendations,
            [RecRow { text: "Re-resolve the primary".into(), action_items: vec!["a1".into()] }]
        );
    }

    #[test]
    fn unreadable_numbers_and_dates_are_named_by_their_label() {
        let form = pairs(&[
            ("impact.users_affected", "lots"),
            ("impact.productivity_lost_hours", "-2"),
            ("due_date", "next week"),
            ("root_cause.certainty", "unknown"),
        ]);
        let errors = Draft::from_form(&form).to_patch(1).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("Users affected:"), "{errors:?}");
        assert!(errors.iter().any(|e| e.starts_with("Working hours lost:")));
        assert!(errors.iter().any(|e| e.starts_with("Due date:")));
    }

    #[test]
    fn only_fields_changed_by_others_and_different_from_mine_conflict() {
        let mut base = Draft::default();
        base.values.insert("summary", "old".into());
        base.values.insert("trigger", "deploy".into());
        let mut theirs = base.clone();
        theirs.values.insert("summary", "theirs".into());
        let mut mine = base.clone();
        mine.values.insert("trigger", "a failover".into());
        let found = conflicts(Some(&base), &theirs, &mine);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].key, found[0].mine_changed), ("summary", false));
        mine.values.insert("summary", "mine".into());
        let found = conflicts(Some(&base), &theirs, &mine);
        assert!(found[0].mine_changed && found[0].text);
    }

    #[test]
    fn field_ids_follow_the_checklist_paths() {
        assert_eq!(field_id("sections.root_cause.description"), "root_cause-description");
        assert_eq!(field_id("sections.recommendations[1].action_items"), "recommendations-1-action_items");
        assert_eq!(label_of("sections.impact.users_affected"), "Users affected");
        assert_eq!(label_of("sections.damage_control[0].description"), "Damage control 1");
    }

    #[test]
    fn merge_seed_keeps_mine_and_adds_their_new_lines() {
        assert_eq!(merge_seed("a\nb", "a\nc"), "a\nb\n\nc");
        assert_eq!(merge_seed("", "c"), "c");
    }
}
