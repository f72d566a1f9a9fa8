//! The form as posted and as shown (`Draft`): reading each field, with every problem named
//! by its label, and turning it into a post-mortem patch.

use std::collections::{BTreeMap, BTreeSet};

use hindsight_core::{
    Certainty, DamageControlAction, DamageControlStatus, DamageScope, Lessons, Postmortem, PostmortemPatch,
    Recommendation, RootCause, RowText, Sections, live_row,
};

use super::guidance::*;

/// A row of the damage-control list as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct DcRow {
    /// Empty for a row still to be given one.
    pub(super) id: String,
    pub(super) description: String,
    pub(super) owner_team: String,
    pub(super) status: String,
}

/// A recommendation as typed, with the ids of the action items ticked for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RecRow {
    /// Empty for a row still to be given one.
    pub(super) id: String,
    pub(super) text: String,
    pub(super) action_items: Vec<String>,
}

/// The editor's content as text, the way the form holds it: from a stored post-mortem,
/// or from what a person posted (then kept as typed, even when it does not parse).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Draft {
    pub(super) values: BTreeMap<&'static str, String>,
    pub(super) damage_control: Vec<DcRow>,
    pub(super) recommendations: Vec<RecRow>,
}

pub(super) fn tristate(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

pub(super) fn number<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Text as the form posted it, with the browser's CRLF line ends made LF.
pub(super) fn typed(value: &str) -> String {
    value.replace("\r\n", "\n")
}

impl Draft {
    pub(super) fn of(pm: &Postmortem) -> Draft {
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
                    id: a.id.clone(),
                    description: a.description.clone(),
                    owner_team: a.owner_team.clone().unwrap_or_default(),
                    status: a.status.as_str().to_string(),
                })
                .collect(),
            recommendations: s
                .recommendations
                .iter()
                .map(|r| RecRow { id: r.id.clone(), text: r.text.clone(), action_items: r.action_items.clone() })
                .collect(),
        }
    }

    pub(super) fn from_form(form: &FormFields) -> Draft {
        let values = defs().map(|d| (d.key, typed(form.get(d.key)))).collect();
        let removed = |name: &str| -> BTreeSet<usize> { form.all(name).filter_map(|v| v.parse().ok()).collect() };
        let (dc_removed, rec_removed) = (removed("dc_remove"), removed("rec_remove"));
        let (owners, statuses): (Vec<&str>, Vec<&str>) =
            (form.all("dc_owner_team").collect(), form.all("dc_status").collect());
        // Each row's id, in the rows' order; a form without them (or a row with an empty
        // one) leaves the id to be given.
        let (dc_ids, rec_ids): (Vec<&str>, Vec<&str>) = (form.all("dc_id").collect(), form.all("rec_id").collect());
        let id_of = |ids: &[&str], i: usize| ids.get(i).map(|id| id.trim().to_string()).unwrap_or_default();
        // An empty row is dropped: at once when it has no id (the one left to fill in), when
        // saving otherwise (a live row's text may be in the live document only).
        let damage_control = form
            .all("dc_description")
            .enumerate()
            .filter(|(i, d)| !dc_removed.contains(i) && (!d.trim().is_empty() || !id_of(&dc_ids, *i).is_empty()))
            .map(|(i, d)| DcRow {
                id: id_of(&dc_ids, i),
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
            .filter(|(i, t)| !rec_removed.contains(i) && (!t.trim().is_empty() || !id_of(&rec_ids, *i).is_empty()))
            .map(|(i, t)| RecRow {
                id: id_of(&rec_ids, i),
                text: typed(t),
                action_items: ticked.iter().filter(|(row, _)| *row == i).map(|(_, id)| id.to_string()).collect(),
            })
            .collect();
        Draft { values, damage_control, recommendations }
    }

    pub(super) fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }

    /// Applies the person's choices on the merge page: `resolve.<field>` is `mine`,
    /// `theirs` (the current state) or `merged` (the text in `merged.<field>`).
    pub(super) fn resolve(&mut self, theirs: &Draft, form: &FormFields) {
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

    /// Takes from `stored` each field the form did not send at all (a text whose field
    /// the page disabled, say): a field not sent is not a field emptied.
    pub(super) fn keep_unsent(&mut self, stored: &Draft, form: &FormFields) {
        for def in defs() {
            if form.all(def.key).next().is_none() {
                self.values.insert(def.key, stored.get(def.key).to_string());
            }
        }
    }

    /// Takes the texts from `live` (by their names in the live document, as
    /// [`Sections::live_texts`] names them): a form posted from a live editor does not carry
    /// the narrative texts, and its rows' texts may lag behind, since they reach the
    /// post-mortem through the live document as they are typed. A row `live` has no text
    /// for keeps the one posted.
    pub(super) fn keep_live_texts<'a>(&mut self, live: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let narrative = Sections::default().narrative().map(|(path, _)| path);
        for (name, text) in live {
            if let Some(path) = narrative.iter().find(|path| **path == name) {
                self.values.insert(path, text.to_string());
                continue;
            }
            match live_row(name) {
                Some(RowText::DamageControl(id)) => {
                    self.damage_control.iter_mut().filter(|r| r.id == id).for_each(|r| r.description = text.into());
                }
                Some(RowText::Recommendation(id)) => {
                    self.recommendations.iter_mut().filter(|r| r.id == id).for_each(|r| r.text = text.into());
                }
                None => {}
            }
        }
    }

    /// The patch that saves this content on top of `version`, or what does not parse,
    /// each message naming the field by its label.
    pub(super) fn to_patch(&self, version: i64) -> Result<PostmortemPatch, Vec<String>> {
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
        for (i, row) in self.damage_control.iter().enumerate().filter(|(_, r)| !r.description.trim().is_empty()) {
            let status = problems
                .take(
                    &format!("damage_control[{i}]"),
                    row.status.parse::<DamageControlStatus>().map_err(|e| e.to_string()),
                )
                .unwrap_or(DamageControlStatus::Planned);
            let owner_team = Some(row.owner_team.clone()).filter(|t| !t.is_empty());
            damage_control.push(DamageControlAction {
                id: row.id.clone(),
                description: row.description.clone(),
                owner_team,
                status,
            });
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
                .filter(|r| !r.text.trim().is_empty())
                .map(|r| Recommendation {
                    id: r.id.clone(),
                    text: r.text.clone(),
                    action_items: r.action_items.clone(),
                })
                .collect(),
        };
        let owner = Some(self.get("owner").trim().to_string()).filter(|o| !o.is_empty());
        Ok(PostmortemPatch { version, owner: Some(owner), due_date: Some(due_date), sections: Some(sections.into()) })
    }
}

/// What in a posted form does not parse, each message naming its field by label.
#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<String>);

impl Problems {
    /// The value, or `None` after noting why `key` is wrong.
    pub(super) fn take<T>(&mut self, key: &str, parsed: Result<T, String>) -> Option<T> {
        parsed.map_err(|message| self.0.push(format!("{}: {message}", label_of(key)))).ok()
    }
}

/// Yes, no, or empty for "not said yet".
pub(super) fn yes_no(text: &str) -> Result<Option<bool>, String> {
    match text {
        "" => Ok(None),
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        other => Err(format!("{other:?} is not one of yes, no or not said yet")),
    }
}

/// A whole number of 0 or more, or empty.
pub(super) fn count(text: &str) -> Result<Option<i64>, String> {
    match text.parse::<i64>() {
        _ if text.is_empty() => Ok(None),
        Ok(n) if n >= 0 => Ok(Some(n)),
        _ => Err(format!("{text:?} is not a whole number of 0 or more")),
    }
}

/// Hours with decimals (a decimal comma is read too), or empty.
pub(super) fn hours(text: &str) -> Result<Option<f64>, String> {
    match text.replace(',', ".").parse::<f64>() {
        _ if text.is_empty() => Ok(None),
        Ok(h) if h.is_finite() && h >= 0.0 => Ok(Some(h)),
        _ => Err(format!("{text:?} is not a number of hours, e.g. 4.5")),
    }
}

/// A date as a date input sends it (`2026-12-15`), or empty.
pub(super) fn date(text: &str) -> Result<Option<time::Date>, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(text, &format) {
        _ if text.is_empty() => Ok(None),
        Ok(date) => Ok(Some(date)),
        Err(_) => Err(format!("{text:?} is not a date; use the form 2026-12-15")),
    }
}

/// The posted form as name/value pairs, in order; repeated names are the rows of a list.
pub(super) struct FormFields(pub(super) Vec<(String, String)>);

impl FormFields {
    /// The last value of `name`, or empty.
    pub(super) fn get(&self, name: &str) -> &str {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    pub(super) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}
