//! `hindsight action-items`: the action items across incidents, filtered as on the board
//! (owner, team, incident, status, overdue), straight from the database, as text for
//! people or JSON for scripts; and closing, reopening, reassigning and re-dating one, as
//! the operator, through the same change as the API's (version-checked; closing, reopening
//! and reassigning are domain events in the outbox).

use hindsight_app::Actor;
use hindsight_core::access::Viewer;
use hindsight_core::{ActionItem, ActionItemPatch, ActionItemStatus, parse_incident_handle};
use hindsight_store::{ActionItemFilter, Store, StoreError};

use crate::flags::optional_word;
use crate::paging::print_pages;

/// What `hindsight action-items` was asked for.
pub struct ActionItemList {
    pub owner: Option<String>,
    pub team: Option<String>,
    pub incident: Option<String>,
    pub status: Option<String>,
    pub overdue: bool,
    pub limit: usize,
}

/// Prints the action items `list` asks for, up to its limit.
pub async fn list(store: &Store, list: &ActionItemList, json: bool) -> anyhow::Result<()> {
    let incident = match &list.incident {
        Some(handle) => Some(parse_incident_handle(handle).ok_or_else(|| {
            anyhow::anyhow!("--incident: {handle:?} is not an incident handle; they look like INC-42")
        })?),
        None => None,
    };
    let status: Option<ActionItemStatus> = optional_word("--status", list.status.as_deref())?;
    let today = time::OffsetDateTime::now_utc().date();
    let filter = ActionItemFilter {
        status,
        owner: list.owner.clone(),
        team: list.team.clone(),
        incident,
        due_before: list.overdue.then_some(today),
        unfinished: list.overdue,
        ..ActionItemFilter::default()
    };
    let viewer = Viewer::operator();
    let fetch = async |cursor: Option<String>, want| {
        Ok(store.list_action_items(&viewer, &filter, cursor.as_deref(), want).await?)
    };
    print_pages(list.limit, hindsight_store::MAX_PAGE as usize, json, fetch, |item: &ActionItem| Ok(line(item, today)))
        .await
}

/// One action item as a line: id, incident, status, priority, due date, owner, title.
fn line(item: &ActionItem, today: time::Date) -> String {
    let due = item.due_date.map(|d| d.to_string()).unwrap_or_else(|| "-".to_string());
    let owner = item.owner.as_deref().or(item.owner_team.as_deref()).unwrap_or("-");
    let unfinished = matches!(item.status, ActionItemStatus::Open | ActionItemStatus::InProgress);
    let late = if unfinished && item.due_date.is_some_and(|d| d < today) { " (overdue)" } else { "" };
    let status = item.status.to_string();
    format!(
        "{} {:<8} {status:<11} {} {due:<10} {owner:<16} {}{late}",
        item.id, item.incident, item.priority, item.title
    )
}

/// What `hindsight action-items close|reopen|reassign|due` changes.
pub enum Change {
    Close {
        wont_do: bool,
    },
    Reopen,
    Reassign {
        owner: Option<String>,
        team: Option<String>,
        nobody: bool,
    },
    /// A date as typed, or `none`.
    Due(String),
}

/// Makes `change` to action item `id` and prints it as it is now.
pub async fn change(store: &Store, id: &str, change: Change, json: bool) -> anyhow::Result<()> {
    let item = match store.action_item(&Viewer::operator(), id).await {
        Ok(item) => item,
        Err(StoreError::NotFound(_)) => {
            anyhow::bail!("no action item has the id {id:?}; `hindsight action-items` lists them with their ids")
        }
        Err(e) => return Err(e.into()),
    };
    let mut patch = ActionItemPatch { version: item.version, ..ActionItemPatch::default() };
    match change {
        Change::Close { wont_do } => {
            patch.status = Some(if wont_do { ActionItemStatus::WontDo } else { ActionItemStatus::Done });
        }
        Change::Reopen => patch.status = Some(ActionItemStatus::Open),
        Change::Reassign { nobody: true, .. } => (patch.owner, patch.owner_team) = (Some(None), Some(None)),
        Change::Reassign { owner: None, team: None, .. } => {
            anyhow::bail!("say who owns it now: --owner USERNAME, --team SLUG (or both), or --nobody")
        }
        Change::Reassign { owner, team, .. } => {
            patch.owner = owner.map(Some);
            patch.owner_team = team.map(Some);
        }
        Change::Due(date) if date.trim().eq_ignore_ascii_case("none") => patch.due_date = Some(None),
        Change::Due(date) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            let due = time::Date::parse(date.trim(), &format).map_err(|_| {
                anyhow::anyhow!("{date:?} is not a date: write it as 2026-12-15, or `none` to clear it")
            })?;
            patch.due_date = Some(Some(due));
        }
    }
    let changed = hindsight_app::incidents::update_action_item(store, &Actor::Operator, id, patch)
        .await
        .map_err(|e| crate::change_refused(id, e))?;
    if json {
        println!("{}", serde_json::to_string(&changed)?);
    } else {
        println!("{}", line(&changed, time::OffsetDateTime::now_utc().date()));
    }
    Ok(())
}
