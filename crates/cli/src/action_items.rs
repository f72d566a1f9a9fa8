//! `hindsight action-items`: the action items across incidents, filtered as on the board
//! (owner, team, incident, status, overdue), straight from the database, as text for
//! people or JSON for scripts.

use hindsight_core::access::Viewer;
use hindsight_core::{ActionItemStatus, parse_incident_handle};
use hindsight_store::{ActionItemFilter, Store};

/// What `hindsight action-items` was asked for.
pub struct ActionItemList {
    pub owner: Option<String>,
    pub team: Option<String>,
    pub incident: Option<String>,
    pub status: Option<String>,
    pub overdue: bool,
    pub limit: usize,
}

/// Prints the action items `list` asks for, a page at a time, up to its limit.
pub async fn list(store: &Store, list: &ActionItemList, json: bool) -> anyhow::Result<()> {
    let incident = match &list.incident {
        Some(handle) => Some(parse_incident_handle(handle).ok_or_else(|| {
            anyhow::anyhow!("--incident: {handle:?} is not an incident handle; they look like INC-42")
        })?),
        None => None,
    };
    let status = list
        .status
        .as_deref()
        .map(str::parse::<ActionItemStatus>)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--status: {e}"))?;
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
    let mut cursor: Option<String> = None;
    let mut printed = 0;
    while printed < list.limit {
        let want = (list.limit - printed).min(hindsight_store::MAX_PAGE as usize) as i64;
        let page = store.list_action_items(&viewer, &filter, cursor.as_deref(), want).await?;
        for item in &page.items {
            if json {
                println!("{}", serde_json::to_string(item)?);
            } else {
                let due = item.due_date.map(|d| d.to_string()).unwrap_or_else(|| "-".to_string());
                let owner = item.owner.as_deref().or(item.owner_team.as_deref()).unwrap_or("-");
                let late = if item.due_date.is_some_and(|d| d < today)
                    && matches!(item.status, ActionItemStatus::Open | ActionItemStatus::InProgress)
                {
                    " (overdue)"
                } else {
                    ""
                };
                let status = item.status.to_string();
                println!(
                    "{:<8} {status:<11} {} {due:<10} {owner:<16} {}{late}",
                    item.incident, item.priority, item.title
                );
            }
        }
        printed += page.items.len();
        match page.next_cursor {
            Some(next) if !page.items.is_empty() => cursor = Some(next),
            _ => break,
        }
    }
    Ok(())
}
