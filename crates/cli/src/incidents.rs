//! `hindsight incidents` and `hindsight declare`: the incident list, filtered, searched and
//! sorted as on the list page, and declaring an incident, straight on the database as the
//! operator (who holds it), as text for people or JSON for scripts.

use anyhow::Context;
use hindsight_core::access::Viewer;
use hindsight_core::{DetectionMethod, Incident, IncidentStatus, NewIncident, Severity};
use hindsight_store::{IncidentFilter, IncidentSort, Store, StoreError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::paging::print_pages;

/// What `hindsight incidents` was asked for.
pub struct IncidentList {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub service: Option<String>,
    pub team: Option<String>,
    pub search: Option<String>,
    pub sort: String,
    pub limit: usize,
}

/// Prints the incidents `list` asks for, up to its limit.
pub async fn list(store: &Store, list: &IncidentList, json: bool) -> anyhow::Result<()> {
    let filter = IncidentFilter {
        status: list
            .status
            .as_deref()
            .map(str::parse::<IncidentStatus>)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--status: {e}"))?,
        severity: list
            .severity
            .as_deref()
            .map(str::parse::<Severity>)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--severity: {e}"))?,
        service: list.service.clone(),
        team: list.team.clone(),
        search: list.search.clone().filter(|q| !q.trim().is_empty()),
        ..IncidentFilter::default()
    };
    let sort: IncidentSort = list.sort.parse().map_err(|e| anyhow::anyhow!("--sort: {e}"))?;
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
    let severity: Severity = declaration.severity.parse().map_err(|e| anyhow::anyhow!("--severity: {e}"))?;
    let started_at = match &declaration.started_at {
        Some(text) => OffsetDateTime::parse(text, &Rfc3339)
            .with_context(|| format!("--started-at: {text:?} is not an RFC 3339 time such as 2026-11-20T10:00:00Z"))?,
        None => OffsetDateTime::now_utc(),
    };
    let new = NewIncident {
        title: declaration.title,
        description: declaration.description,
        severity,
        status: IncidentStatus::Triggered,
        services: declaration.services,
        teams: declaration.teams,
        detection_method: DetectionMethod::Unknown,
        started_at: Some(started_at),
        detected_at: None,
        acknowledged_at: None,
        mitigated_at: None,
        resolved_at: None,
        responders: Vec::new(),
        private: declaration.private,
    };
    let incident = match store.create_incident(&Viewer::operator(), new).await {
        Ok(incident) => incident,
        Err(StoreError::Invalid(errors)) => anyhow::bail!("the incident was not declared: {errors}"),
        Err(e) => return Err(e.into()),
    };
    if json {
        println!("{}", serde_json::to_string(&incident)?);
    } else {
        println!("Declared {} {} ({}).", incident.handle, incident.title, incident.severity);
    }
    Ok(())
}
