//! `hindsight incidents`, `hindsight declare` and `hindsight update`: the incident list,
//! filtered, searched and sorted as on the list page, declaring an incident and changing one,
//! straight on the database as the operator (who holds it), as text for people or JSON for
//! scripts.

use hindsight_app::{Actor, AppError};
use hindsight_core::access::Viewer;
use hindsight_core::{Incident, IncidentPatch, NewIncident, Severity};
use hindsight_store::{IncidentFilter, IncidentSort, Store, StoreError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::flags;
use crate::paging::print_pages;

/// What `hindsight incidents` was asked for.
pub struct IncidentList {
    pub selection: IncidentSelection,
    pub sort: String,
    pub limit: usize,
}

/// Which incidents `hindsight incidents` and `hindsight metrics` (across incidents) cover.
pub struct IncidentSelection {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub service: Option<String>,
    pub team: Option<String>,
    pub search: Option<String>,
}

impl IncidentSelection {
    /// The store's filter, or a message naming the flag at fault.
    pub fn filter(&self) -> anyhow::Result<IncidentFilter> {
        Ok(IncidentFilter {
            status: flags::optional_word("--status", self.status.as_deref())?,
            severity: flags::optional_word("--severity", self.severity.as_deref())?,
            service: self.service.clone(),
            team: self.team.clone(),
            search: self.search.clone().filter(|q| !q.trim().is_empty()),
            ..IncidentFilter::default()
        })
    }
}

/// Prints the incidents `list` asks for, up to its limit.
pub async fn list(store: &Store, list: &IncidentList, json: bool) -> anyhow::Result<()> {
    let filter = list.selection.filter()?;
    let sort: IncidentSort = flags::word("--sort", &list.sort)?;
    let viewer = Viewer::operator();
    let fetch = async |cursor: Option<String>, want| {
        Ok(store.list_incidents_sorted(&viewer, &filter, sort, cursor.as_deref(), want).await?)
    };
    print_pages(list.limit, hindsight_store::MAX_PAGE as usize, json, fetch, |incident: &Incident| {
        let began = match incident.moments.started_at {
            Some(at) => at.format(&Rfc3339)?,
            None => "-".to_string(),
        };
        let private = if incident.private { " (private)" } else { "" };
        let status = incident.status.to_string();
        Ok(format!("{:<8} {} {status:<12} {began:<20} {}{private}", incident.handle, incident.severity, incident.title))
    })
    .await
}

/// What `hindsight declare` was asked for.
pub struct Declaration {
    pub title: String,
    pub severity: String,
    pub description: String,
    pub services: Vec<String>,
    pub teams: Vec<String>,
    pub started_at: Option<String>,
    pub private: bool,
}

/// Declares an incident; prints its handle, or the incident as JSON.
pub async fn declare(store: &Store, declaration: Declaration, json: bool) -> anyhow::Result<()> {
    let severity: Severity = flags::word("--severity", &declaration.severity)?;
    let started_at = match &declaration.started_at {
        Some(text) => flags::time("--started-at", text, "")?,
        None => OffsetDateTime::now_utc(),
    };
    let new = NewIncident {
        teams: declaration.teams,
        started_at: Some(started_at),
        private: declaration.private,
        ..NewIncident::triggered(declaration.title, declaration.description, severity, declaration.services)
    };
    let incident = match hindsight_app::incidents::declare(store, &Actor::Operator, new).await {
        Ok(incident) => incident,
        Err(AppError::Store(StoreError::Invalid(errors))) => anyhow::bail!("the incident was not declared: {errors}"),
        Err(e) => return Err(e.into()),
    };
    if json {
        println!("{}", serde_json::to_string(&incident)?);
    } else {
        println!("Declared {} {} ({}).", incident.handle, incident.title, incident.severity);
    }
    Ok(())
}

/// What `hindsight update` was asked to change; `None` leaves a field as it is.
pub struct Update {
    pub title: Option<String>,
    pub description: Option<String>,
    pub severity: Option<String>,
    pub status: Option<String>,
    pub services: Option<Vec<String>>,
    pub teams: Option<Vec<String>>,
    pub detection_method: Option<String>,
    pub private: Option<bool>,
    /// `--started-at` … `--resolved-at`, in that order: a time sets it, `none` clears it.
    pub moments: [Option<String>; 5],
    pub reason: Option<String>,
}

/// The flags of the five key moments, in `Update::moments` order.
const MOMENT_FLAGS: [&str; 5] =
    ["--started-at", "--detected-at", "--acknowledged-at", "--mitigated-at", "--resolved-at"];

/// Changes an incident as the operator, as its page and the API do: the change is kept in
/// its history with `reason`, and resolving one that needs a post-mortem drafts it.
pub async fn update(
    store: &Store,
    config: &crate::config::Config,
    handle: &str,
    update: Update,
    json: bool,
) -> anyhow::Result<()> {
    let number = crate::inspect::incident_number(handle)?;
    let viewer = Viewer::operator();
    let moments = update
        .moments
        .iter()
        .zip(MOMENT_FLAGS)
        .map(|(value, flag)| match value.as_deref() {
            None => Ok(None),
            Some("none") => Ok(Some(None)),
            Some(text) => flags::time(flag, text, " (or none to clear it)").map(|at| Some(Some(at))),
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let severity = flags::optional_word("--severity", update.severity.as_deref())?;
    let status = flags::optional_word("--status", update.status.as_deref())?;
    let detection_method = flags::optional_word("--detection-method", update.detection_method.as_deref())?;
    let current = store.incident(&viewer, number).await?;
    let patch = IncidentPatch {
        version: current.version,
        title: update.title,
        description: update.description,
        severity,
        status,
        services: update.services,
        teams: update.teams,
        detection_method,
        responders: None,
        private: update.private,
        reason: update.reason,
        started_at: moments[0],
        detected_at: moments[1],
        acknowledged_at: moments[2],
        mitigated_at: moments[3],
        resolved_at: moments[4],
    };
    if patch == (IncidentPatch { version: current.version, ..IncidentPatch::default() }) {
        anyhow::bail!("nothing to change: name at least one field, e.g. --status mitigated (see --help)");
    }
    let rules = config.rules().in_force(store).await?;
    let changed = hindsight_app::incidents::update(store, &Actor::Operator, &rules, number, patch)
        .await
        .map_err(|e| crate::change_refused(handle, e))?;
    // As in the server, the change stands even when the draft cannot be started (the
    // operator owns nothing, so an incident without a commander gets no owner).
    if let Some(e) = &changed.draft_failed {
        eprintln!(
            "note: {handle} is changed, but its post-mortem draft was not started ({e}); name an incident \
             commander, or start it on the incident's page"
        );
    }
    let (incident, drafted) = (changed.incident, changed.drafted);
    if json {
        println!("{}", serde_json::to_string(&incident)?);
    } else {
        println!("Updated {} {} ({}, {}).", incident.handle, incident.title, incident.severity, incident.status);
        if let Some(postmortem) = drafted {
            let due = postmortem.due_date.map(|d| format!(", due {d}")).unwrap_or_default();
            println!("It needs a post-mortem: a draft was started{due}.");
        }
    }
    Ok(())
}
