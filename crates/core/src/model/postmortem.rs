//! Post-mortems: one per incident, written in structured sections, reviewed and
//! published, with every change kept in an append-only history.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::timeline::double_option;
use super::word_enum;
use crate::validate::{MAX_COUNT, MAX_MINUTES, MAX_SHORT, MAX_TEXT, ValidationErrors, is_slug};

word_enum! {
    /// Where a post-mortem stands in its review.
    PostmortemStatus {
        Draft = "draft",
        InReview = "in_review",
        Published = "published",
        Archived = "archived",
    }
}

impl PostmortemStatus {
    /// Whether a post-mortem may move from `self` to `next`.
    pub fn can_move_to(self, next: PostmortemStatus) -> bool {
        use PostmortemStatus::*;
        matches!(
            (self, next),
            (Draft, InReview)
                | (InReview, Draft)
                | (InReview, Published)
                | (Published, Archived)
                | (Archived, Published)
        )
    }
}

word_enum! {
    /// How sure the team is of the root cause.
    Certainty {
        Confirmed = "confirmed",
        Probable = "probable",
        Unknown = "unknown",
    }
}

word_enum! {
    /// Where a damage-control action stands.
    DamageControlStatus {
        Planned = "planned",
        InProgress = "in_progress",
        Done = "done",
    }
}

/// What the incident cost: structured where it can be counted, free text for the rest.
/// A field left `null` is unknown; say `false` or `0` for "none".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DamageScope {
    /// Whether data was lost.
    pub data_lost: Option<bool>,
    /// How much data, and which.
    pub data_lost_detail: String,
    pub users_affected: Option<i64>,
    /// How long users could not get in, in minutes.
    pub access_lost_minutes: Option<i64>,
    /// Working hours lost across people, in hours.
    pub productivity_lost_hours: Option<f64>,
    /// Revenue lost or at risk, as the team reckons it (e.g. "≈ $12,000").
    pub revenue_impact: String,
    pub notes: String,
}

/// What caused the incident, and how sure we are. Always present, even when trivial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RootCause {
    pub description: String,
    pub analysis: String,
    pub certainty: Certainty,
    /// The component or module at fault.
    pub component: String,
    /// Whether that component is legacy code.
    pub legacy_code: Option<bool>,
    /// Whether the cause must be fixed (some are accepted risks).
    pub must_fix: Option<bool>,
    /// When the cause is unknown: what was seen, for whoever meets it next.
    pub clues: String,
}

impl Default for RootCause {
    fn default() -> Self {
        RootCause {
            description: String::new(),
            analysis: String::new(),
            certainty: Certainty::Unknown,
            component: String::new(),
            legacy_code: None,
            must_fix: None,
            clues: String::new(),
        }
    }
}

/// An action taken to limit the damage, tracked apart from fixing the cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DamageControlAction {
    /// The action's id within the list, kept while the list changes around it (its text is
    /// shared under it in the live editor); given when left out.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub description: String,
    /// Slug of the team that owns it.
    pub owner_team: Option<String>,
    pub status: DamageControlStatus,
}

/// What the team learned.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Lessons {
    pub went_well: String,
    pub went_badly: String,
    pub got_lucky: String,
}

/// A recommendation, tied to the action items that carry it out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    /// The recommendation's id within the list, kept while the list changes around it (its
    /// text is shared under it in the live editor); given when left out.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub text: String,
    /// Ids of action items that carry it out.
    #[serde(default)]
    pub action_items: Vec<String>,
}

/// A recommendation whose action items are not stored yet, named by their index in a list
/// of items to create (as a document or the demo data gives them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRecommendation {
    pub text: String,
    pub action_items: Vec<usize>,
}

/// Links pending recommendations to the ids their action items were given, in list order;
/// an index with no id is dropped.
pub fn link_recommendations(pending: &[PendingRecommendation], action_item_ids: &[String]) -> Vec<Recommendation> {
    pending
        .iter()
        .map(|rec| Recommendation {
            id: String::new(),
            text: rec.text.clone(),
            action_items: rec.action_items.iter().filter_map(|&i| action_item_ids.get(i).cloned()).collect(),
        })
        .collect()
}

/// A live-editor text of a list row, by its name (`damage_control.<id>`, `recommendations.<id>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowText<'a> {
    DamageControl(&'a str),
    Recommendation(&'a str),
}

/// The row a live-editor text name is the text of, if it names one with a well-formed id
/// (whether or not the list holds that row now).
pub fn live_row(name: &str) -> Option<RowText<'_>> {
    if let Some(id) = name.strip_prefix("damage_control.") {
        return is_row_id(id).then_some(RowText::DamageControl(id));
    }
    let id = name.strip_prefix("recommendations.")?;
    is_row_id(id).then_some(RowText::Recommendation(id))
}

/// The written sections of a post-mortem.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Sections {
    pub summary: String,
    pub impact: DamageScope,
    pub root_cause: RootCause,
    pub trigger: String,
    pub detection: String,
    pub response_analysis: String,
    pub resolution: String,
    #[serde(deserialize_with = "settled_rows")]
    pub damage_control: Vec<DamageControlAction>,
    pub lessons: Lessons,
    #[serde(deserialize_with = "settled_rows")]
    pub recommendations: Vec<Recommendation>,
}

/// The most characters a row id may have.
pub const MAX_ROW_ID: usize = 24;

/// A row of a list in the sections, with its id.
trait Row {
    fn id(&self) -> &str;
    fn id_mut(&mut self) -> &mut String;
}

impl Row for DamageControlAction {
    fn id(&self) -> &str {
        &self.id
    }
    fn id_mut(&mut self) -> &mut String {
        &mut self.id
    }
}

impl Row for Recommendation {
    fn id(&self) -> &str {
        &self.id
    }
    fn id_mut(&mut self) -> &mut String {
        &mut self.id
    }
}

/// The highest of `ids` that is a number, 0 for none.
fn highest_number<'a>(ids: impl IntoIterator<Item = &'a str>) -> u64 {
    ids.into_iter().filter_map(|id| id.parse::<u64>().ok()).max().unwrap_or(0)
}

/// Gives each row without an id one: the id of the row at its place in `before` (the list
/// before a change), when no other row has it, so that a change from a client that sends
/// no ids reads as it always did, row by row; else the next number after the highest in
/// the list and in `before`. The same list always gets the same ids (rows stored before
/// they had ids read the same on every server).
fn settle<T: Row>(rows: &mut [T], before: &[String]) {
    let mut used: std::collections::HashSet<String> =
        rows.iter().map(|r| r.id().to_string()).filter(|id| !id.is_empty()).collect();
    let highest = highest_number(rows.iter().map(Row::id).chain(before.iter().map(String::as_str)));
    let mut next = highest.saturating_add(1);
    for (i, row) in rows.iter_mut().enumerate().filter(|(_, r)| r.id().is_empty()) {
        let id = match before.get(i).filter(|id| !id.is_empty() && !used.contains(*id)) {
            Some(id) => id.clone(),
            None => {
                let id = next.to_string();
                next = next.saturating_add(1);
                id
            }
        };
        used.insert(id.clone());
        *row.id_mut() = id;
    }
}

fn ids<T: Row>(rows: &[T]) -> Vec<String> {
    rows.iter().map(|r| r.id().to_string()).collect()
}

fn settled_rows<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Row + Deserialize<'de>,
{
    let mut rows = Vec::<T>::deserialize(deserializer)?;
    settle(&mut rows, &[]);
    Ok(rows)
}

/// Whether `id` may name a row: 1 to [`MAX_ROW_ID`] letters, digits, `-` or `_`.
pub fn is_row_id(id: &str) -> bool {
    (1..=MAX_ROW_ID).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn check_row_ids<T: Row>(list: &str, rows: &[T], errors: &mut ValidationErrors) {
    let mut seen = std::collections::HashSet::new();
    // An empty id is one still to be given (see `settle`).
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| !r.id().is_empty()) {
        if !is_row_id(row.id()) {
            errors.push(format!("sections.{list}[{i}].id"), format!("1 to {MAX_ROW_ID} letters, digits, - or _"));
        } else if !seen.insert(row.id()) {
            errors.push(format!("sections.{list}[{i}].id"), "another row of the list has this id");
        }
    }
}

word_enum! {
    /// The name of one section, as used in `/sections/{name}`.
    SectionName {
        Summary = "summary",
        Impact = "impact",
        RootCause = "root_cause",
        Trigger = "trigger",
        Detection = "detection",
        ResponseAnalysis = "response_analysis",
        Resolution = "resolution",
        DamageControl = "damage_control",
        Lessons = "lessons",
        Recommendations = "recommendations",
    }
}

impl Sections {
    /// Checks sizes and references; names each field at fault.
    pub fn validate(&self, errors: &mut ValidationErrors) {
        for (name, text) in [
            ("summary", &self.summary),
            ("trigger", &self.trigger),
            ("detection", &self.detection),
            ("response_analysis", &self.response_analysis),
            ("resolution", &self.resolution),
            ("impact.data_lost_detail", &self.impact.data_lost_detail),
            ("impact.notes", &self.impact.notes),
            ("root_cause.description", &self.root_cause.description),
            ("root_cause.analysis", &self.root_cause.analysis),
            ("root_cause.clues", &self.root_cause.clues),
            ("lessons.went_well", &self.lessons.went_well),
            ("lessons.went_badly", &self.lessons.went_badly),
            ("lessons.got_lucky", &self.lessons.got_lucky),
        ] {
            errors.max_len(&format!("sections.{name}"), text, MAX_TEXT);
        }
        errors.max_len("sections.root_cause.component", &self.root_cause.component, MAX_SHORT);
        errors.max_len("sections.impact.revenue_impact", &self.impact.revenue_impact, MAX_SHORT);
        for (field, value, max) in [
            ("users_affected", self.impact.users_affected, MAX_COUNT),
            ("access_lost_minutes", self.impact.access_lost_minutes, MAX_MINUTES),
        ] {
            if let Some(value) = value {
                errors.range(&format!("sections.impact.{field}"), value, 0, max);
            }
        }
        if self.impact.productivity_lost_hours.is_some_and(|v| !(0.0..1e9).contains(&v)) {
            errors.push("sections.impact.productivity_lost_hours", "must be between 0 and 1e9");
        }
        if self.damage_control.len() > 200 {
            errors.push("sections.damage_control", "at most 200 actions");
        }
        check_row_ids("damage_control", &self.damage_control, errors);
        check_row_ids("recommendations", &self.recommendations, errors);
        for (i, action) in self.damage_control.iter().enumerate() {
            errors.text(&format!("sections.damage_control[{i}].description"), &action.description, MAX_TEXT);
            if action.owner_team.as_deref().is_some_and(|t| !is_slug(t)) {
                errors.push(format!("sections.damage_control[{i}].owner_team"), "must be a team slug");
            }
        }
        if self.recommendations.len() > 200 {
            errors.push("sections.recommendations", "at most 200 recommendations");
        }
        for (i, rec) in self.recommendations.iter().enumerate() {
            errors.text(&format!("sections.recommendations[{i}].text"), &rec.text, MAX_TEXT);
        }
    }

    /// Replaces the sections `patch` names, leaving the others as they are.
    pub fn apply(&mut self, patch: SectionsPatch) {
        let SectionsPatch {
            summary,
            impact,
            root_cause,
            trigger,
            detection,
            response_analysis,
            resolution,
            damage_control,
            lessons,
            recommendations,
        } = patch;
        fn set<T>(field: &mut T, value: Option<T>) {
            if let Some(value) = value {
                *field = value;
            }
        }
        let before = (ids(&self.damage_control), ids(&self.recommendations));
        set(&mut self.summary, summary);
        set(&mut self.impact, impact);
        set(&mut self.root_cause, root_cause);
        set(&mut self.trigger, trigger);
        set(&mut self.detection, detection);
        set(&mut self.response_analysis, response_analysis);
        set(&mut self.resolution, resolution);
        set(&mut self.damage_control, damage_control);
        set(&mut self.lessons, lessons);
        set(&mut self.recommendations, recommendations);
        settle(&mut self.damage_control, &before.0);
        settle(&mut self.recommendations, &before.1);
    }

    /// Gives every damage-control action and recommendation without an id one (see
    /// [`DamageControlAction::id`]).
    pub fn settle_row_ids(&mut self) {
        settle(&mut self.damage_control, &[]);
        settle(&mut self.recommendations, &[]);
    }

    /// Every text written in the live editor, by its name in the live document: the
    /// narrative texts by path ([`Sections::narrative`]), then each damage-control action's
    /// description as `damage_control.<id>` and each recommendation's text as
    /// `recommendations.<id>`.
    pub fn live_texts(&self) -> Vec<(String, &str)> {
        let narrative = self.narrative().into_iter().map(|(path, text)| (path.to_string(), text));
        let actions = self.damage_control.iter().map(|a| (format!("damage_control.{}", a.id), a.description.as_str()));
        let recommendations =
            self.recommendations.iter().map(|r| (format!("recommendations.{}", r.id), r.text.as_str()));
        narrative.chain(actions).chain(recommendations).collect()
    }

    /// Sets the live-editor text `name` (one of [`Sections::live_texts`]'s); answers whether
    /// `name` names one.
    pub fn set_live_text(&mut self, name: &str, text: String) -> bool {
        match live_row(name) {
            Some(RowText::DamageControl(id)) => match self.damage_control.iter_mut().find(|a| a.id == id) {
                Some(action) => {
                    action.description = text;
                    true
                }
                None => false,
            },
            Some(RowText::Recommendation(id)) => match self.recommendations.iter_mut().find(|r| r.id == id) {
                Some(rec) => {
                    rec.text = text;
                    true
                }
                None => false,
            },
            None => self.set_narrative(name, text),
        }
    }

    /// The narrative texts, by their path under `sections` (`root_cause.description`): the
    /// prose several people write at once in the live editor. Structured fields (certainty,
    /// flags, numbers, lists) are not among them.
    pub fn narrative(&self) -> [(&'static str, &str); 13] {
        [
            ("summary", &self.summary),
            ("trigger", &self.trigger),
            ("detection", &self.detection),
            ("response_analysis", &self.response_analysis),
            ("resolution", &self.resolution),
            ("root_cause.description", &self.root_cause.description),
            ("root_cause.analysis", &self.root_cause.analysis),
            ("root_cause.clues", &self.root_cause.clues),
            ("impact.data_lost_detail", &self.impact.data_lost_detail),
            ("impact.notes", &self.impact.notes),
            ("lessons.went_well", &self.lessons.went_well),
            ("lessons.went_badly", &self.lessons.went_badly),
            ("lessons.got_lucky", &self.lessons.got_lucky),
        ]
    }

    /// Sets the narrative text at `path` (one of [`Sections::narrative`]'s); answers
    /// whether `path` names one.
    pub fn set_narrative(&mut self, path: &str, text: String) -> bool {
        let field = match path {
            "summary" => &mut self.summary,
            "trigger" => &mut self.trigger,
            "detection" => &mut self.detection,
            "response_analysis" => &mut self.response_analysis,
            "resolution" => &mut self.resolution,
            "root_cause.description" => &mut self.root_cause.description,
            "root_cause.analysis" => &mut self.root_cause.analysis,
            "root_cause.clues" => &mut self.root_cause.clues,
            "impact.data_lost_detail" => &mut self.impact.data_lost_detail,
            "impact.notes" => &mut self.impact.notes,
            "lessons.went_well" => &mut self.lessons.went_well,
            "lessons.went_badly" => &mut self.lessons.went_badly,
            "lessons.got_lucky" => &mut self.lessons.got_lucky,
            _ => return false,
        };
        *field = text;
        true
    }

    /// One section as JSON.
    pub fn section(&self, name: SectionName) -> Value {
        let value = match name {
            SectionName::Summary => serde_json::to_value(&self.summary),
            SectionName::Impact => serde_json::to_value(&self.impact),
            SectionName::RootCause => serde_json::to_value(&self.root_cause),
            SectionName::Trigger => serde_json::to_value(&self.trigger),
            SectionName::Detection => serde_json::to_value(&self.detection),
            SectionName::ResponseAnalysis => serde_json::to_value(&self.response_analysis),
            SectionName::Resolution => serde_json::to_value(&self.resolution),
            SectionName::DamageControl => serde_json::to_value(&self.damage_control),
            SectionName::Lessons => serde_json::to_value(&self.lessons),
            SectionName::Recommendations => serde_json::to_value(&self.recommendations),
        };
        value.unwrap_or(Value::Null)
    }
}

/// Sections to replace, each whole; an absent (or `null`) section stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionsPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<DamageScope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<RootCause>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detection: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_analysis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub damage_control: Option<Vec<DamageControlAction>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lessons: Option<Lessons>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendations: Option<Vec<Recommendation>>,
}

impl SectionsPatch {
    /// A patch replacing section `name` with a JSON value, checking its shape; a wrong
    /// shape names the section's field.
    pub fn one(name: SectionName, value: Value) -> Result<SectionsPatch, ValidationErrors> {
        let field = format!("sections.{name}");
        let shape = |e: serde_json::Error| ValidationErrors::single(field.clone(), e.to_string());
        let mut patch = SectionsPatch::default();
        match name {
            SectionName::Summary => patch.summary = Some(serde_json::from_value(value).map_err(shape)?),
            SectionName::Impact => patch.impact = Some(serde_json::from_value(value).map_err(shape)?),
            SectionName::RootCause => patch.root_cause = Some(serde_json::from_value(value).map_err(shape)?),
            SectionName::Trigger => patch.trigger = Some(serde_json::from_value(value).map_err(shape)?),
            SectionName::Detection => patch.detection = Some(serde_json::from_value(value).map_err(shape)?),
            SectionName::ResponseAnalysis => {
                patch.response_analysis = Some(serde_json::from_value(value).map_err(shape)?)
            }
            SectionName::Resolution => patch.resolution = Some(serde_json::from_value(value).map_err(shape)?),
            SectionName::DamageControl => patch.damage_control = Some(serde_json::from_value(value).map_err(shape)?),
            SectionName::Lessons => patch.lessons = Some(serde_json::from_value(value).map_err(shape)?),
            SectionName::Recommendations => patch.recommendations = Some(serde_json::from_value(value).map_err(shape)?),
        }
        Ok(patch)
    }
}

impl From<Sections> for SectionsPatch {
    /// A patch replacing every section.
    fn from(sections: Sections) -> SectionsPatch {
        SectionsPatch {
            summary: Some(sections.summary),
            impact: Some(sections.impact),
            root_cause: Some(sections.root_cause),
            trigger: Some(sections.trigger),
            detection: Some(sections.detection),
            response_analysis: Some(sections.response_analysis),
            resolution: Some(sections.resolution),
            damage_control: Some(sections.damage_control),
            lessons: Some(sections.lessons),
            recommendations: Some(sections.recommendations),
        }
    }
}

/// A post-mortem as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Postmortem {
    pub id: String,
    /// Handle of its incident.
    pub incident: String,
    pub incident_title: String,
    pub status: PostmortemStatus,
    /// Username of the owner.
    pub owner: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    pub sections: Sections,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    /// Increases with every change; send it back when you update.
    pub version: i64,
}

/// What a caller sends to start a post-mortem for an incident.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPostmortem {
    /// Username of the owner; defaults to the caller.
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    #[serde(default)]
    pub sections: Sections,
}

/// A partial update of a post-mortem.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostmortemPatch {
    /// The version this change is based on; a stale version is refused with 409.
    pub version: i64,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub owner: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Option<Date>>,
    /// Sections to replace, by name; absent sections stay as they are.
    #[serde(default)]
    pub sections: Option<SectionsPatch>,
}

impl Postmortem {
    /// Applies a patch's sections and dates (the owner is resolved by the caller) and checks the result.
    pub fn apply(&mut self, patch: &PostmortemPatch) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if let Some(due) = patch.due_date {
            self.due_date = due;
        }
        if let Some(sections) = &patch.sections {
            self.sections.apply(sections.clone());
        }
        if let Some(due) = self.due_date {
            errors.date("due_date", due);
        }
        self.sections.validate(&mut errors);
        errors.into_result()
    }
}

/// One field that changed, with its value before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldChange {
    /// Path of the field, e.g. `sections.summary` or `status`.
    pub field: String,
    #[schema(value_type = Object)]
    pub old: Value,
    #[schema(value_type = Object)]
    pub new: Value,
}

/// One entry of a post-mortem's history: who changed what, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PostmortemChange {
    /// The version this change produced.
    pub version: i64,
    /// Username of whoever made it.
    pub actor: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Why the change was made, when the person said (e.g. why it went to review with
    /// wording findings left open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub changes: Vec<FieldChange>,
}

impl Postmortem {
    /// The post-mortem as it was at `version`, rebuilt from this (later) state by undoing,
    /// newest first, the changes `history` records after it; `None` when the history does
    /// not allow it (a change names a field the record does not have).
    pub fn at_version(&self, history: &[PostmortemChange], version: i64) -> Option<Postmortem> {
        let mut json = serde_json::to_value(self).ok()?;
        let mut later: Vec<&PostmortemChange> = history.iter().filter(|c| c.version > version).collect();
        later.sort_by_key(|c| std::cmp::Reverse(c.version));
        for change in later {
            for f in &change.changes {
                let target = match f.field.split_once('.') {
                    Some((outer, inner)) => json.get_mut(outer)?.as_object_mut()?.entry(inner.to_string()),
                    None => json.as_object_mut()?.entry(f.field.clone()),
                };
                *target.or_insert(Value::Null) = f.old.clone();
            }
        }
        let mut old: Postmortem = serde_json::from_value(json).ok()?;
        old.version = version;
        Some(old)
    }
}

/// The fields that differ between two states of a post-mortem, sections one level deep.
pub fn diff_postmortems(old: &Postmortem, new: &Postmortem) -> Vec<FieldChange> {
    diff_records(old, new, &["sections"])
}

/// The fields that differ between two states of a record, as JSON; the fields named in
/// `nested` are compared one level deeper (`sections.summary`). Bookkeeping fields
/// (`id`, `version`, `created_at`, `updated_at`) are not changes.
pub fn diff_records<T: Serialize>(old: &T, new: &T, nested: &[&str]) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    let (Ok(Value::Object(a)), Ok(Value::Object(b))) = (serde_json::to_value(old), serde_json::to_value(new)) else {
        return changes;
    };
    for (key, new_value) in &b {
        if matches!(key.as_str(), "version" | "updated_at" | "created_at" | "id") {
            continue;
        }
        let old_value = a.get(key).cloned().unwrap_or(Value::Null);
        if nested.contains(&key.as_str()) {
            if let (Value::Object(sa), Value::Object(sb)) = (&old_value, new_value) {
                for (inner, nv) in sb {
                    let ov = sa.get(inner).cloned().unwrap_or(Value::Null);
                    if &ov != nv {
                        changes.push(FieldChange { field: format!("{key}.{inner}"), old: ov, new: nv.clone() });
                    }
                }
            }
        } else if &old_value != new_value {
            changes.push(FieldChange { field: key.clone(), old: old_value, new: new_value.clone() });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn sample() -> Postmortem {
        Postmortem {
            id: "p".into(),
            incident: "INC-1".into(),
            incident_title: "Checkout errors".into(),
            status: PostmortemStatus::Draft,
            owner: Some("ana".into()),
            due_date: None,
            sections: Sections::default(),
            created_at: datetime!(2026-01-01 10:00 UTC),
            updated_at: datetime!(2026-01-01 10:00 UTC),
            published_at: None,
            version: 1,
        }
    }

    #[test]
    fn diff_names_each_changed_section_with_old_and_new() {
        let old = sample();
        let mut new = old.clone();
        new.sections.summary = "Checkout failed for 20 minutes.".into();
        new.sections.root_cause.certainty = Certainty::Confirmed;
        new.version = 2;
        let changes = diff_postmortems(&old, &new);
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["sections.summary", "sections.root_cause"]);
        assert_eq!(changes[0].old, Value::String(String::new()));
    }

    #[test]
    fn published_cannot_go_back_to_draft() {
        assert!(!PostmortemStatus::Published.can_move_to(PostmortemStatus::Draft));
        assert!(PostmortemStatus::Draft.can_move_to(PostmortemStatus::InReview));
        assert!(!PostmortemStatus::Draft.can_move_to(PostmortemStatus::Published));
    }

    #[test]
    fn patch_with_unknown_section_is_refused_naming_it() {
        let refused = serde_json::from_value::<PostmortemPatch>(serde_json::json!({
            "version": 1, "sections": {"summry": "x"}
        }))
        .unwrap_err();
        assert!(refused.to_string().contains("unknown field `summry`"), "{refused}");
    }

    #[test]
    fn patch_replaces_the_sections_it_names_and_keeps_the_others() {
        let mut pm = sample();
        pm.sections.trigger = "A deploy".into();
        let patch: PostmortemPatch = serde_json::from_value(serde_json::json!({
            "version": 1, "sections": {"summary": "Checkout failed.", "root_cause": {"component": "db"}, "detection": null}
        }))
        .unwrap();
        pm.apply(&patch).unwrap();
        assert_eq!(pm.sections.summary, "Checkout failed.");
        assert_eq!(pm.sections.root_cause.component, "db");
        assert_eq!(pm.sections.trigger, "A deploy", "a section the patch does not name is kept");
    }

    #[test]
    fn one_section_with_wrong_shape_is_refused_with_its_path() {
        let errors = SectionsPatch::one(SectionName::RootCause, serde_json::json!({"certainty": "maybe"})).unwrap_err();
        assert_eq!(errors.0[0].field, "sections.root_cause");
        assert!(errors.0[0].message.contains("maybe"), "{}", errors.0[0].message);
        let patch = SectionsPatch::one(SectionName::Lessons, serde_json::json!({"went_well": "Paging"})).unwrap();
        assert_eq!(patch.lessons.map(|l| l.went_well).as_deref(), Some("Paging"));
        assert_eq!(patch.summary, None);
    }

    #[test]
    fn every_section_reads_back_as_the_json_it_was_written_with() {
        let mut sections = Sections::default();
        sections.root_cause.component = "db".into();
        sections.recommendations =
            vec![Recommendation { id: "r1".into(), text: "Alert".into(), action_items: vec!["a1".into()] }];
        let whole = serde_json::to_value(&sections).unwrap();
        for name in SectionName::ALL {
            assert_eq!(sections.section(*name), whole[name.as_str()], "{name}");
            let mut copy = Sections::default();
            copy.apply(SectionsPatch::one(*name, sections.section(*name)).unwrap());
            assert_eq!(copy.section(*name), sections.section(*name), "{name}");
        }
    }

    #[test]
    fn rows_without_an_id_get_the_next_number_and_keep_it() {
        let rows: Sections = serde_json::from_value(serde_json::json!({
            "damage_control": [
                {"description": "Refund", "owner_team": null, "status": "done"},
                {"id": "7", "description": "Block", "owner_team": null, "status": "done"},
                {"id": "n-x2", "description": "Page", "owner_team": null, "status": "planned"},
                {"description": "Reroute", "owner_team": null, "status": "planned"}
            ],
            "recommendations": [{"text": "Alert"}]
        }))
        .unwrap();
        let ids: Vec<&str> = rows.damage_control.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["8", "7", "n-x2", "9"], "after the highest number, in order");
        assert_eq!(rows.recommendations[0].id, "1");
        // Read again, the same ids: they are written out.
        let again: Sections = serde_json::from_value(serde_json::to_value(&rows).unwrap()).unwrap();
        assert_eq!(again, rows);
        // A patch's new row gets one too; the others keep theirs.
        let mut changed = rows.clone();
        let mut actions = rows.damage_control.clone();
        actions.remove(0);
        actions.push(DamageControlAction {
            id: String::new(),
            description: "Drain".into(),
            owner_team: None,
            status: DamageControlStatus::Planned,
        });
        changed.apply(SectionsPatch { damage_control: Some(actions), ..SectionsPatch::default() });
        let ids: Vec<&str> = changed.damage_control.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["7", "n-x2", "9", "10"]);
        // A list sent without ids (as before rows had them) keeps them row by row; a row
        // more gets a new one.
        let mut actions = changed.damage_control.clone();
        actions.push(actions[0].clone());
        actions.iter_mut().for_each(|a| a.id.clear());
        let before = changed.clone();
        changed.apply(SectionsPatch { damage_control: Some(actions), ..SectionsPatch::default() });
        let ids: Vec<&str> = changed.damage_control.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["7", "n-x2", "9", "10", "11"]);
        assert_eq!(changed.damage_control[..4], before.damage_control[..]);
    }

    #[test]
    fn a_row_id_is_short_plain_and_unique_in_its_list() {
        let mut sections = Sections::default();
        let action = |id: &str| DamageControlAction {
            id: id.into(),
            description: "Refund".into(),
            owner_team: None,
            status: DamageControlStatus::Done,
        };
        sections.damage_control = vec![action("a"), action("a"), action("no spaces"), action(&"x".repeat(25))];
        let mut errors = ValidationErrors::default();
        sections.validate(&mut errors);
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["sections.damage_control[1].id", "sections.damage_control[2].id", "sections.damage_control[3].id"]
        );
        assert!(errors.0[0].message.contains("another row"), "{}", errors.0[0].message);
    }

    #[test]
    fn each_row_text_is_a_live_text_by_its_id() {
        let mut sections = Sections::default();
        sections.damage_control.push(DamageControlAction {
            id: "4".into(),
            description: "Refund".into(),
            owner_team: None,
            status: DamageControlStatus::Done,
        });
        sections.recommendations.push(Recommendation { id: "q".into(), text: "Alert".into(), action_items: vec![] });
        let texts = sections.live_texts();
        assert_eq!(texts.len(), 15);
        assert_eq!(texts[13], ("damage_control.4".to_string(), "Refund"));
        assert_eq!(texts[14], ("recommendations.q".to_string(), "Alert"));
        assert!(sections.set_live_text("damage_control.4", "Refund twice".into()));
        assert!(sections.set_live_text("recommendations.q", "Page".into()));
        assert!(sections.set_live_text("summary", "Down".into()));
        assert!(!sections.set_live_text("damage_control.5", "x".into()), "no such row");
        assert!(!sections.set_live_text("damage_control.a b", "x".into()), "not an id");
        assert_eq!(sections.damage_control[0].description, "Refund twice");
        assert_eq!(sections.recommendations[0].text, "Page");
        assert_eq!(live_row("recommendations.q"), Some(RowText::Recommendation("q")));
        assert_eq!(live_row("summary"), None);
    }

    #[test]
    fn every_narrative_text_can_be_set_by_its_path_and_nothing_else() {
        let mut sections = Sections::default();
        for (i, (path, _)) in Sections::default().narrative().into_iter().enumerate() {
            assert!(sections.set_narrative(path, format!("text {i}")), "{path}");
        }
        let texts: Vec<String> = sections.narrative().iter().map(|(_, t)| t.to_string()).collect();
        assert_eq!(texts, (0..13).map(|i| format!("text {i}")).collect::<Vec<_>>());
        assert_eq!(sections.root_cause.clues, "text 7");
        assert!(!sections.set_narrative("root_cause.certainty", "confirmed".into()), "structured, not narrative");
        assert!(!sections.set_narrative("nonsense", String::new()));
    }

    #[test]
    fn at_version_undoes_the_later_changes_newest_first() {
        let v1 = sample();
        let mut v2 = v1.clone();
        v2.sections.summary = "First".into();
        v2.version = 2;
        let mut v3 = v2.clone();
        v3.sections.summary = "Second".into();
        v3.sections.root_cause.component = "db".into();
        v3.due_date = Some(time::macros::date!(2026 - 02 - 01));
        v3.version = 3;
        let change = |version, old: &Postmortem, new: &Postmortem| PostmortemChange {
            version,
            actor: None,
            at: new.updated_at,
            reason: None,
            changes: diff_postmortems(old, new),
        };
        let history = [change(2, &v1, &v2), change(3, &v2, &v3)];
        assert_eq!(v3.at_version(&history, 2), Some(v2.clone()));
        assert_eq!(v3.at_version(&history, 1), Some(v1.clone()));
        assert_eq!(v3.at_version(&history, 3), Some(v3.clone()));
        let nonsense = PostmortemChange {
            changes: vec![FieldChange { field: "owner.name".into(), old: Value::Null, new: Value::Null }],
            ..change(4, &v3, &v3)
        };
        assert_eq!(v3.at_version(&[nonsense], 3), None, "a change to a field the record lacks");
    }
}
