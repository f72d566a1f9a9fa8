//! Action items in the browser: the board across incidents (grouped by status, filtered
//! by owner, team, incident or overdue, soonest due first), an incident's items with a
//! form to add one, an item's page to edit it (with its issue in a tracker, or a form to
//! ask for one), and the small status form on every row.
//!
//! Writes go through the same store calls as `api::action_items` (`create_action_item`,
//! `update_action_item`) after the same `require_write` check; stale changes are
//! refused by version and shown with what is current, keeping what the person chose.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hindsight_app::AppError;
use hindsight_core::{
    ActionItem, ActionItemKind, ActionItemPatch, ActionItemStatus, NewActionItem, Priority, SyncDirection, SyncEntry,
    SyncOutcome, SyncedField, TrackerKind, TrackerLink, parse_incident_handle,
};
use hindsight_store::{ActionItemFilter, StoreError};
use serde::Deserialize;
use time::Date;

use super::kit::{Chrome, Notice, PageError, Posted, Signed, safe_next, see_other_with_notice, sentence, urlencode};
use super::view::Label;
use crate::api::IncidentHandle;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::Params;
use crate::state::AppState;

/// Most items a board section or a page list shows.
const SHOWN: i64 = 100;

/// Today in UTC: items due before it are overdue.
pub(super) fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// A date as `YYYY-MM-DD`.
fn date_text(date: Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    date.format(&format).unwrap_or_default()
}

/// An action item as the pages show it.
pub(super) struct ItemView {
    pub id: String,
    pub incident: String,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub owner: String,
    pub owner_team: String,
    pub priority: String,
    pub due: String,
    /// Unfinished and due before today.
    pub overdue: bool,
    /// The status word (`in_progress`) for forms and classes.
    pub status: String,
    /// The status as read (`in progress`).
    pub status_label: String,
    pub tracker_url: String,
    pub version: i64,
    pub finished: bool,
}

impl ItemView {
    pub(super) fn new(item: &ActionItem, today: Date) -> ItemView {
        let finished = matches!(item.status, ActionItemStatus::Done | ActionItemStatus::WontDo);
        ItemView {
            id: item.id.clone(),
            incident: item.incident.clone(),
            title: item.title.clone(),
            description: item.description.clone(),
            kind: item.kind.label().to_string(),
            owner: item.owner.clone().unwrap_or_default(),
            owner_team: item.owner_team.clone().unwrap_or_default(),
            priority: item.priority.as_str().to_uppercase(),
            due: item.due_date.map(date_text).unwrap_or_default(),
            overdue: !finished && item.due_date.is_some_and(|due| due < today),
            status: item.status.as_str().to_string(),
            status_label: status_label(item.status),
            tracker_url: item.tracker_url.clone().unwrap_or_default(),
            version: item.version,
            finished,
        }
    }
}

/// Views of a list of items, judged overdue against today.
pub(super) fn views(items: &[ActionItem]) -> Vec<ItemView> {
    let today = today();
    items.iter().map(|item| ItemView::new(item, today)).collect()
}

fn status_label(status: ActionItemStatus) -> String {
    status.label().to_string()
}

/// (word, label) of every status, for selects.
pub(super) fn statuses() -> Vec<(&'static str, String)> {
    ActionItemStatus::ALL.iter().map(|s| (s.as_str(), status_label(*s))).collect()
}

// ---- the board ----

/// The board's filters, from the query string.
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    owner: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    incident: String,
    #[serde(default)]
    overdue: Option<String>,
}

/// One status's column of the board.
struct Column {
    status: &'static str,
    /// The label capitalised, as the column's heading.
    heading: String,
    label: String,
    total: i64,
    items: Vec<ItemView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "action_items.html")]
struct BoardPage {
    chrome: Chrome,
    columns: Vec<Column>,
    total: i64,
    owner: String,
    team: String,
    incident: String,
    overdue: bool,
    owners: Vec<String>,
    teams: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    error: Option<String>,
    /// This page with its filters, to come back to after a status change.
    back: String,
    shown: i64,
}

pub async fn board(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
    Params(query): Params<BoardQuery>,
) -> Result<Response, PageError> {
    let overdue = query.overdue.as_deref().is_some_and(|v| !v.is_empty());
    let back = format!(
        "/action-items?owner={}&team={}&incident={}{}",
        urlencode(&query.owner),
        urlencode(&query.team),
        urlencode(query.incident.trim()),
        if overdue { "&overdue=1" } else { "" }
    );
    let mut page = BoardPage {
        chrome: Chrome::of(&caller).with_notice(notice),
        columns: Vec::new(),
        total: 0,
        owners: state.store.list_users().await?.into_iter().map(|u| u.username).collect(),
        teams: state.store.list_teams().await?.into_iter().map(|t| (t.slug, t.name)).collect(),
        statuses: statuses(),
        owner: query.owner,
        team: query.team,
        incident: query.incident.trim().to_string(),
        overdue,
        error: None,
        back,
        shown: SHOWN,
    };
    let incident = if page.incident.is_empty() {
        None
    } else {
        match parse_incident_handle(&page.incident) {
            Some(number) => Some(number),
            None => {
                page.error = Some(format!("Incident: {:?} is not a handle; handles look like INC-42.", page.incident));
                return Ok((StatusCode::BAD_REQUEST, page).into_response());
            }
        }
    };
    let filter = ActionItemFilter {
        owner: Some(page.owner.clone()).filter(|o| !o.is_empty()),
        team: Some(page.team.clone()).filter(|t| !t.is_empty()),
        incident,
        due_before: overdue.then(today),
        ..ActionItemFilter::default()
    };
    let counts = state.store.count_action_items_by_status(&caller.viewer, &filter).await?;
    page.total = counts.iter().map(|(_, n)| n).sum();
    for status in ActionItemStatus::ALL {
        let total = counts.iter().find(|(s, _)| s == status).map(|(_, n)| *n).unwrap_or(0);
        let items = if total == 0 {
            Vec::new()
        } else {
            let filter = ActionItemFilter { status: Some(*status), ..filter.clone() };
            views(&state.store.action_items_by_due_date(&caller.viewer, &filter, SHOWN).await?)
        };
        let label = status_label(*status);
        let mut letters = label.chars();
        let heading = letters.next().map(|first| first.to_uppercase().chain(letters).collect()).unwrap_or_default();
        page.columns.push(Column { status: status.as_str(), heading, label, total, items });
    }
    Ok(page.into_response())
}

// ---- the status form on every row ----

/// The small form that moves an item to another status.
#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    version: String,
    /// The page to go back to.
    #[serde(default)]
    back: String,
}

pub async fn change_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<StatusForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_write()?;
    let back = safe_next(Some(&form.back));
    let status: ActionItemStatus =
        form.status.parse().map_err(|e| PageError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("Status: {e}.")))?;
    let version: i64 = form
        .version
        .parse()
        .map_err(|_| PageError::new(StatusCode::BAD_REQUEST, "The form did not say which version it changes."))?;
    let patch = ActionItemPatch { version, status: Some(status), ..ActionItemPatch::default() };
    match hindsight_app::incidents::update_action_item(&state.store, &caller.actor(), &id, patch).await {
        Ok(saved) => Ok(see_other_with_notice(&back, &format!("{}: now {}.", saved.title, status_label(saved.status)))),
        Err(AppError::Store(StoreError::Conflict { .. })) => {
            // Someone changed it first: show what it is now, with the person's choice
            // ready to apply again on the current version.
            let current = state.store.action_item(&caller.viewer, &id).await?;
            let error = format!(
                "Someone changed this action item after you loaded the page: it is now {} (version {}). \
                 Your change to {} was not saved; it is selected below. Check the item and press \
                 \u{201c}Save changes\u{201d} to apply it.",
                status_label(current.status),
                current.version,
                status_label(status),
            );
            let mut form = ItemForm::of(&current);
            form.status = status.as_str().to_string();
            let page = item_page(&state, &caller, Chrome::of(&caller), &current, form, vec![error]).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---- the add and edit form ----

/// What the add and edit forms send; every field as typed.
#[derive(Debug, Default, Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    owner_team: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    tracker_url: String,
    /// The version the edit form was based on (edit only).
    #[serde(default)]
    version: String,
}

impl ItemForm {
    fn blank() -> ItemForm {
        ItemForm { kind: "fix_root_cause".into(), priority: "p3".into(), status: "open".into(), ..ItemForm::default() }
    }

    fn of(item: &ActionItem) -> ItemForm {
        ItemForm {
            title: item.title.clone(),
            description: item.description.clone(),
            kind: item.kind.as_str().into(),
            owner: item.owner.clone().unwrap_or_default(),
            owner_team: item.owner_team.clone().unwrap_or_default(),
            priority: item.priority.as_str().into(),
            due_date: item.due_date.map(date_text).unwrap_or_default(),
            status: item.status.as_str().into(),
            tracker_url: item.tracker_url.clone().unwrap_or_default(),
            version: item.version.to_string(),
        }
    }

    /// The fields read into their types, and every field that could not be read
    /// (which then holds a default, so the rest of the form can still be checked).
    fn read(&self) -> (Fields, Vec<String>) {
        let mut errors = Vec::new();
        let kind = self.kind.parse::<ActionItemKind>().unwrap_or_else(|e| {
            errors.push(format!("Kind: {e}"));
            ActionItemKind::FixRootCause
        });
        let priority = self.priority.parse::<Priority>().unwrap_or_else(|e| {
            errors.push(format!("Priority: {e}"));
            Priority::P3
        });
        let status = self.status.parse::<ActionItemStatus>().unwrap_or_else(|e| {
            errors.push(format!("Status: {e}"));
            ActionItemStatus::Open
        });
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let due = self.due_date.trim();
        let due_date = if due.is_empty() {
            None
        } else {
            Date::parse(due, &format)
                .map_err(|_| errors.push(format!("Due date: {due:?} is not a date; use the form 2026-12-31")))
                .ok()
        };
        let fields = Fields {
            title: self.title.trim().to_string(),
            description: self.description.clone(),
            kind,
            priority,
            status,
            due_date,
            owner: optional(&self.owner),
            owner_team: optional(&self.owner_team),
            tracker_url: optional(&self.tracker_url),
        };
        (fields, errors)
    }
}

/// The typed fields of a read form.
struct Fields {
    title: String,
    description: String,
    kind: ActionItemKind,
    priority: Priority,
    status: ActionItemStatus,
    due_date: Option<Date>,
    owner: Option<String>,
    owner_team: Option<String>,
    tracker_url: Option<String>,
}

fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// A field's name as the form labels it.
fn label_of(field: &str) -> &str {
    match field {
        "title" => "Title",
        "description" => "Description",
        "kind" => "Kind",
        "owner" => "Owner",
        "owner_team" => "Owner team",
        "priority" => "Priority",
        "due_date" => "Due date",
        "status" => "Status",
        "tracker_url" => "Tracker link",
        other => other,
    }
}

/// Validation errors as the form shows them.
fn invalid_messages(errors: hindsight_core::ValidationErrors) -> Vec<String> {
    errors.0.into_iter().map(|e| format!("{}: {}", label_of(&e.field), e.message)).collect()
}

/// The select options the form offers.
struct Choices {
    kinds: Vec<(&'static str, String)>,
    priorities: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    users: Vec<String>,
    teams: Vec<(String, String)>,
}

async fn choices(state: &AppState) -> Result<Choices, PageError> {
    Ok(Choices {
        kinds: ActionItemKind::ALL.iter().map(|k| (k.as_str(), k.label().to_string())).collect(),
        priorities: Priority::ALL.iter().map(|p| (p.as_str(), p.as_str().to_uppercase())).collect(),
        statuses: statuses(),
        users: state.store.list_users().await?.into_iter().map(|u| u.username).collect(),
        teams: state.store.list_teams().await?.into_iter().map(|t| (t.slug, t.name)).collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "action_items_incident.html")]
struct IncidentItemsPage {
    chrome: Chrome,
    handle: String,
    title: String,
    items: Vec<ItemView>,
    form: ItemForm,
    errors: Vec<String>,
    choices: Choices,
    back: String,
    statuses: Vec<(&'static str, String)>,
}

async fn incident_items_page(
    state: &AppState,
    chrome: Chrome,
    caller: &Caller,
    number: i64,
    form: ItemForm,
    errors: Vec<String>,
) -> Result<IncidentItemsPage, PageError> {
    let incident = state.store.incident(&caller.viewer, number).await?;
    let filter = ActionItemFilter { incident: Some(number), ..ActionItemFilter::default() };
    let items = state.store.action_items_by_due_date(&caller.viewer, &filter, hindsight_store::MAX_PAGE).await?;
    Ok(IncidentItemsPage {
        chrome,
        back: format!("/incidents/{}/action-items", incident.handle),
        handle: incident.handle,
        title: incident.title,
        items: views(&items),
        form,
        errors,
        choices: choices(state).await?,
        statuses: statuses(),
    })
}

pub async fn incident_items(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
    handle: IncidentHandle,
) -> Result<Response, PageError> {
    let number = handle.number;
    let chrome = Chrome::of(&caller).with_notice(notice);
    Ok(incident_items_page(&state, chrome, &caller, number, ItemForm::blank(), Vec::new()).await?.into_response())
}

pub async fn add_item(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<ItemForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_write()?;
    let number = handle.number;
    let (fields, mut errors) = form.read();
    let new = NewActionItem {
        title: fields.title,
        description: fields.description,
        kind: fields.kind,
        owner: fields.owner,
        owner_team: fields.owner_team,
        priority: fields.priority,
        due_date: fields.due_date,
        status: fields.status,
        tracker_url: fields.tracker_url,
        closed_at: None,
    };
    if errors.is_empty() {
        let deadlines = &state.settings.rules.deadlines;
        match hindsight_app::incidents::create_action_item(&state.store, &caller.actor(), number, new, deadlines).await
        {
            Ok(item) => {
                let path = format!("/incidents/{}/action-items", item.incident);
                return Ok(see_other_with_notice(&path, &format!("Added \u{201c}{}\u{201d}.", item.title)));
            }
            Err(AppError::Store(StoreError::Invalid(invalid))) => errors.extend(invalid_messages(invalid)),
            Err(other) => return Err(other.into()),
        }
    } else if let Err(invalid) = new.validate() {
        // Report the other fields' problems too, so one round trip shows them all.
        errors.extend(invalid_messages(invalid));
    }
    let page = incident_items_page(&state, Chrome::of(&caller), &caller, number, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "action_item.html")]
struct ItemPage {
    chrome: Chrome,
    item: ItemView,
    form: ItemForm,
    errors: Vec<String>,
    choices: Choices,
    /// Its issue in a tracker, if it has one.
    issue: Option<IssueView>,
    /// (id, name) of the trackers an issue can be made in; none for viewers.
    trackers: Vec<(String, String)>,
    /// Why the last request for an issue was refused.
    issue_errors: Vec<String>,
    /// Once it closed: whether its incident's cause came back since, and as what.
    since: Option<Vec<(String, String, &'static str, String)>>,
}

/// An action item's issue as its page shows it.
struct IssueView {
    tracker: String,
    kind: &'static str,
    /// `#42` on GitHub, `OPS-7` on Jira; none until the worker has made it.
    key: Option<String>,
    url: String,
    pending: bool,
    attempts: i32,
    last_error: String,
    history: Vec<SyncRow>,
}

/// One change sent to or received from the tracker.
struct SyncRow {
    direction: &'static str,
    outcome: &'static str,
    /// (field, value) as a person reads them.
    fields: Vec<(&'static str, String)>,
    changed: String,
}

impl IssueView {
    fn new(link: &TrackerLink) -> IssueView {
        let key = link.issue.as_ref().map(|key| match link.kind {
            TrackerKind::Github => format!("#{key}"),
            TrackerKind::Jira => key.clone(),
        });
        IssueView {
            tracker: link.tracker.clone(),
            kind: super::admin::trackers::kind_words(link.kind),
            key,
            url: link.url.clone().unwrap_or_default(),
            pending: link.pending,
            attempts: link.attempts,
            last_error: link.last_error.clone().unwrap_or_default(),
            history: link.history.iter().map(SyncRow::new).collect(),
        }
    }
}

impl SyncRow {
    fn new(entry: &SyncEntry) -> SyncRow {
        SyncRow {
            direction: match entry.direction {
                SyncDirection::Sent => "sent to the tracker",
                SyncDirection::Received => "received from the tracker",
            },
            outcome: match entry.outcome {
                SyncOutcome::Applied => "applied",
                SyncOutcome::Overridden => "overridden by a later change",
            },
            fields: entry.fields.iter().map(|(field, value)| (synced_field_label(*field), value.clone())).collect(),
            changed: super::view::when(entry.changed_at),
        }
    }
}

/// A field kept in step with the tracker, as the page names it.
fn synced_field_label(field: SyncedField) -> &'static str {
    match field {
        SyncedField::Title => "title",
        SyncedField::Owner => "owner",
        SyncedField::DueDate => "due date",
        SyncedField::Status => "status",
    }
}

async fn item_page(
    state: &AppState,
    caller: &Caller,
    chrome: Chrome,
    item: &ActionItem,
    form: ItemForm,
    errors: Vec<String>,
) -> Result<ItemPage, PageError> {
    let actor = caller.actor();
    let link = hindsight_app::trackers::issue_of(&state.store, &actor, &item.id).await?;
    let trackers = if link.is_none() && chrome.can_write {
        hindsight_app::trackers::trackers(&state.store, &actor).await?.into_iter().map(|t| (t.id, t.name)).collect()
    } else {
        Vec::new()
    };
    let closed = matches!(item.status, ActionItemStatus::Done | ActionItemStatus::WontDo);
    let since = if closed {
        let since = hindsight_app::learning::incidents_since_fix(&state.store, &actor, &item.id).await?;
        Some(since.into_iter().map(|l| (l.handle, l.title, l.reason.label(), super::view::when(l.began_at))).collect())
    } else {
        None
    };
    Ok(ItemPage {
        since,
        chrome,
        item: ItemView::new(item, today()),
        form,
        errors,
        choices: choices(state).await?,
        issue: link.as_ref().map(IssueView::new),
        trackers,
        issue_errors: Vec::new(),
    })
}

pub async fn item(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let item = state.store.action_item(&caller.viewer, &id).await?;
    let chrome = Chrome::of(&caller).with_notice(notice);
    Ok(item_page(&state, &caller, chrome, &item, ItemForm::of(&item), Vec::new()).await?.into_response())
}

pub async fn save_item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<ItemForm>,
) -> Result<Response, PageError> {
    let Posted { caller, mut form } = posted;
    caller.require_write()?;
    let current = state.store.action_item(&caller.viewer, &id).await?;
    let Ok(version) = form.version.parse::<i64>() else {
        return Err(PageError::new(StatusCode::BAD_REQUEST, "The form did not say which version it changes."));
    };
    let (fields, mut errors) = form.read();
    let patch = ActionItemPatch {
        version,
        title: Some(fields.title),
        description: Some(fields.description),
        kind: Some(fields.kind),
        owner: Some(fields.owner),
        owner_team: Some(fields.owner_team),
        priority: Some(fields.priority),
        due_date: Some(fields.due_date),
        status: Some(fields.status),
        tracker_url: Some(fields.tracker_url),
    };
    if errors.is_empty() {
        match hindsight_app::incidents::update_action_item(&state.store, &caller.actor(), &id, patch).await {
            Ok(saved) => {
                let path = format!("/incidents/{}/action-items", saved.incident);
                return Ok(see_other_with_notice(&path, &format!("Saved \u{201c}{}\u{201d}.", saved.title)));
            }
            Err(AppError::Store(StoreError::Invalid(invalid))) => errors.extend(invalid_messages(invalid)),
            Err(AppError::Store(StoreError::Conflict { .. })) => {
                let now = state.store.action_item(&caller.viewer, &id).await?;
                let message = format!(
                    "Someone saved this action item after you opened it (now version {}). Your changes were not \
                     saved and are kept in the form; what is saved now is shown above. Press \u{201c}Save \
                     changes\u{201d} again to replace it with yours.",
                    now.version
                );
                // The next save is based on what the person has now seen.
                form.version = now.version.to_string();
                let page = item_page(&state, &caller, Chrome::of(&caller), &now, form, vec![message]).await?;
                return Ok((StatusCode::CONFLICT, page).into_response());
            }
            Err(other) => return Err(other.into()),
        }
    } else if let Err(invalid) = current.clone().apply(patch) {
        // Report the other fields' problems too, so one round trip shows them all.
        errors.extend(invalid_messages(invalid));
    }
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let page = item_page(&state, &caller, Chrome::of(&caller), &current, form, errors).await?;
    Ok((status, page).into_response())
}

// ---- its issue in a tracker ----

/// The form that asks for an issue to be made from the item.
#[derive(Debug, Default, Deserialize)]
pub struct IssueForm {
    /// The tracker's id.
    #[serde(default)]
    tracker: String,
}

/// `POST /action-items/{id}/issue`: asks for an issue in the chosen tracker, which the
/// worker makes within seconds; a refusal (a private incident, an issue already asked
/// for) is shown on the item's page, in its tracker card.
pub async fn create_issue(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<IssueForm>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_write()?;
    let path = format!("/action-items/{}", urlencode(&id));
    let tracker = form.tracker.trim();
    if tracker.is_empty() {
        return Err(PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "Choose the tracker to make the issue in."));
    }
    match hindsight_app::trackers::create_issue(&state.store, &caller.actor(), &id, tracker).await {
        Ok(link) => Ok(see_other_with_notice(
            &path,
            &format!("Asked {} for an issue: it is made within seconds, then kept in step.", link.tracker),
        )),
        Err(error) => {
            let (status, issue_errors) = match ApiError::from(error) {
                ApiError::Invalid(invalid) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, invalid.0.into_iter().map(|e| sentence(&e.message)).collect())
                }
                ApiError::Conflict { detail, .. } => (StatusCode::CONFLICT, vec![sentence(&detail)]),
                other => return Err(other.into()),
            };
            let item = state.store.action_item(&caller.viewer, &id).await?;
            let mut page =
                item_page(&state, &caller, Chrome::of(&caller), &item, ItemForm::of(&item), Vec::new()).await?;
            page.issue_errors = issue_errors;
            Ok((status, page).into_response())
        }
    }
}
