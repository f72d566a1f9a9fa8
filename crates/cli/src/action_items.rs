//! `hindsight action-items`: the action items across incidents, filtered as on the board
//! (owner, team, incident, status, overdue), straight from the database, as text for
//! people or JSON for scripts.

use hindsight_core::access::Viewer;
use hindsight_core::{ActionItem, ActionItemStatus, parse_incident_handle};
use hindsight_store::{ActionItemFilter, Store};

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
    print_pages(list.limit, hindsight_store::MAX_PAGE as usize, json, fetch, |item: &ActionItem| {
        let due = item.due_date.map(|d| d.to_string()).unwrap_or_else(|| "-".to_string());
        let owner = item.owner.as_deref().or(item.owner_team.as_deref()).unwrap_or("-");
        let unfinished = matches!(item.status, ActionItemStatus::Open | ActionItemStatus::InProgress);
        let late = if unfinished && item.due_date.is_some_and(|d| d < today) { " (overdue)" } else { "" };
        let status = item.status.to_string();
        Ok(format!("{:<8} {status:<11} {} {due:<10} {owner:<16} {}{late}", item.incident, item.priority, item.title))
    })
    .await
}
