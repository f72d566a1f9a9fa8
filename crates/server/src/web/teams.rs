//! Team and service pages: who is in a team and what it owns, and for a team or a
//! service its incidents and its open action items, as the person may see them.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use hindsight_core::{Service, Team};
use hindsight_store::{ActionItemFilter, IncidentFilter};

use super::action_items::{ItemView, statuses, views};
use super::kit::{Chrome, Notice, PageError, Signed, urlencode};
use super::view::{self, IncidentRow};
use crate::auth::Caller;
use crate::state::AppState;

/// Most incidents a team or service page lists.
const INCIDENTS_SHOWN: i64 = 25;
/// Most open action items a team or service page lists.
const ITEMS_SHOWN: i64 = 100;

/// A published post-mortem a member is asked to read and has not read yet.
struct ToReadRow {
    username: String,
    incident: String,
    incident_title: String,
    published: String,
}

/// A team as the list shows it.
struct TeamRow {
    slug: String,
    name: String,
    members: usize,
    services: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "teams.html")]
struct TeamsPage {
    chrome: Chrome,
    teams: Vec<TeamRow>,
}

pub async fn teams(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
) -> Result<Response, PageError> {
    let services = state.store.list_services().await?;
    let teams = state
        .store
        .list_teams()
        .await?
        .into_iter()
        .map(|t| TeamRow {
            members: t.members.len(),
            services: owned_by(&services, &t.slug).into_iter().map(|s| s.slug.clone()).collect(),
            slug: t.slug,
            name: t.name,
        })
        .collect();
    Ok(TeamsPage { chrome: Chrome::of(&caller).with_notice(notice), teams }.into_response())
}

fn owned_by<'a>(services: &'a [Service], team: &str) -> Vec<&'a Service> {
    services.iter().filter(|s| s.owner_team.as_deref() == Some(team)).collect()
}

/// A team's or a service's incidents and open action items.
struct Work {
    incidents: Vec<IncidentRow>,
    /// How many, counted up to [`super::incidents::COUNT_CAP`].
    incident_total: String,
    /// More incidents match than are listed.
    more_incidents: bool,
    items: Vec<ItemView>,
    item_total: i64,
}

async fn work(
    state: &AppState,
    caller: &Caller,
    incidents: IncidentFilter,
    items: ActionItemFilter,
) -> Result<Work, PageError> {
    let viewer = &caller.viewer;
    let page = state.store.list_incidents(viewer, &incidents, None, INCIDENTS_SHOWN).await?;
    let incident_total = state.store.count_incidents_up_to(viewer, &incidents, super::incidents::COUNT_CAP).await?;
    let labels = &state.settings.severity_labels;
    let items = ActionItemFilter { unfinished: true, ..items };
    let item_total = state.store.count_action_items_by_status(viewer, &items).await?.iter().map(|(_, n)| n).sum();
    let open = state.store.action_items_by_due_date(viewer, &items, ITEMS_SHOWN).await?;
    Ok(Work {
        more_incidents: incident_total.exceeds(page.items.len() as i64),
        incidents: page
            .items
            .iter()
            .map(|i| IncidentRow::new(i, labels.get(&i.severity.to_string()).map(String::as_str).unwrap_or("")))
            .collect(),
        incident_total: view::count_up_to(incident_total),
        items: views(&open),
        item_total,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "team.html")]
struct TeamPage {
    chrome: Chrome,
    team: Team,
    services: Vec<Service>,
    work: Work,
    back: String,
    statuses: Vec<(&'static str, String)>,
    incidents_url: String,
    /// The board filtered to these items, when it has such a filter.
    items_url: String,
    /// What its members are asked to read and have not read yet.
    to_read: Vec<ToReadRow>,
}

pub async fn team(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let team = state.store.team(&slug).await?;
    let services = owned_by(&state.store.list_services().await?, &team.slug).into_iter().cloned().collect();
    let incidents = IncidentFilter { team: Some(team.slug.clone()), ..IncidentFilter::default() };
    let items = ActionItemFilter { team: Some(team.slug.clone()), ..ActionItemFilter::default() };
    let work = work(&state, &caller, incidents, items).await?;
    let to_read = hindsight_app::readers::still_to_read(&state.store, &caller.actor(), &team.slug)
        .await?
        .into_iter()
        .map(|r| ToReadRow {
            published: r.published_at.map(view::when).unwrap_or_default(),
            username: r.username,
            incident: r.incident,
            incident_title: r.incident_title,
        })
        .collect();
    let page = TeamPage {
        to_read,
        chrome: Chrome::of(&caller).with_notice(notice),
        back: format!("/teams/{}", urlencode(&team.slug)),
        incidents_url: format!("/incidents?team={}", urlencode(&team.slug)),
        items_url: format!("/action-items?team={}", urlencode(&team.slug)),
        team,
        services,
        work,
        statuses: statuses(),
    };
    Ok(page.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "services.html")]
struct ServicesPage {
    chrome: Chrome,
    services: Vec<Service>,
}

pub async fn services(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
) -> Result<Response, PageError> {
    let services = state.store.list_services().await?;
    Ok(ServicesPage { chrome: Chrome::of(&caller).with_notice(notice), services }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "service.html")]
struct ServicePage {
    chrome: Chrome,
    service: Service,
    /// Name of the owning team, if any.
    team_name: String,
    work: Work,
    back: String,
    statuses: Vec<(&'static str, String)>,
    incidents_url: String,
    /// The board filtered to these items, when it has such a filter.
    items_url: String,
}

pub async fn service(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let service = state.store.service(&slug).await?;
    let team_name = match &service.owner_team {
        Some(team) => state.store.team(team).await?.name,
        None => String::new(),
    };
    let incidents = IncidentFilter { service: Some(service.slug.clone()), ..IncidentFilter::default() };
    let items = ActionItemFilter { service: Some(service.slug.clone()), ..ActionItemFilter::default() };
    let work = work(&state, &caller, incidents, items).await?;
    let page = ServicePage {
        chrome: Chrome::of(&caller).with_notice(notice),
        back: format!("/services/{}", urlencode(&service.slug)),
        incidents_url: format!("/incidents?service={}", urlencode(&service.slug)),
        items_url: String::new(),
        service,
        team_name,
        work,
        statuses: statuses(),
    };
    Ok(page.into_response())
}
