//! One post-mortem for several incidents, in the pages: the post-mortem page's card of the
//! incidents it covers (editors add a related incident by its handle, or take one off) and
//! its merged timeline, each event marked with its incident.

use axum::extract::State;
use axum::response::Response;
use hindsight_core::{PostmortemIncidents, TimelineEvent};
use serde::Deserialize;

use super::kit::{PageError, Posted, see_other_with_notice};
use super::view;
use crate::api::IncidentHandle;
use crate::state::AppState;

/// Merged events a post-mortem's page lists, at most (the API answers them all).
const SHOWN_EVENTS: usize = 500;

/// A covered incident as the card lists it.
pub(crate) struct CoveredLine {
    pub(crate) handle: String,
    pub(crate) title: String,
    pub(crate) severity: String,
    pub(crate) status: String,
    pub(crate) began: String,
}

/// A merged timeline's event as the page lists it.
pub(crate) struct MergedLine {
    pub(crate) at: String,
    pub(crate) incident: String,
    /// Whether it is an event of another incident than the post-mortem's own.
    pub(crate) other: bool,
    pub(crate) kind: String,
    pub(crate) actor: String,
    pub(crate) text: String,
    pub(crate) anchor: String,
}

/// The card of the incidents a post-mortem covers, and its merged timeline.
pub(crate) struct CoversCard {
    pub(crate) covers: Vec<CoveredLine>,
    pub(crate) events: Vec<MergedLine>,
    /// Events of the merged timeline not listed here.
    pub(crate) more: usize,
}

impl CoversCard {
    pub(crate) fn new(incidents: &PostmortemIncidents, merged: Vec<TimelineEvent>) -> CoversCard {
        let covers = incidents
            .covers
            .iter()
            .map(|c| CoveredLine {
                handle: c.handle.clone(),
                title: c.title.clone(),
                severity: c.severity.to_string(),
                status: c.status.words(),
                began: view::when(c.began_at),
            })
            .collect();
        let more = merged.len().saturating_sub(SHOWN_EVENTS);
        let events = merged
            .into_iter()
            .take(SHOWN_EVENTS)
            .map(|e| MergedLine {
                at: view::when_seconds(e.occurred_at),
                other: e.incident != incidents.incident,
                anchor: format!("/incidents/{}#event-{}", e.incident, e.id),
                incident: e.incident,
                kind: e.kind.words(),
                actor: e.actor.unwrap_or_default(),
                text: view::shortened(&e.text, 300),
            })
            .collect();
        CoversCard { covers, events, more }
    }
}

/// The incident typed into the card's form, or named by its button.
#[derive(Debug, Default, Deserialize)]
pub struct CoverForm {
    #[serde(default)]
    incident: String,
}

/// `POST /incidents/{handle}/postmortem/incidents`: the post-mortem covers the incident typed
/// too (editors).
pub async fn add(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<CoverForm>,
) -> Result<Response, PageError> {
    let on = super::reviews::posted_on(&state, &posted.caller, &handle).await?;
    let typed = posted.form.incident.trim().to_uppercase();
    match hindsight_app::covers::cover(&state.store, &posted.caller.actor(), &on.id, &typed).await {
        Ok(_) => {
            let notice = format!("This post-mortem now covers {typed}: its timeline is merged below.");
            Ok(see_other_with_notice(&format!("{}#covers", on.page), &notice))
        }
        Err(e) => {
            let typed = vec![("incident", posted.form.incident)];
            super::document::refuse(&state, &posted.caller, &handle, "covers", typed, e).await
        }
    }
}

/// `POST /incidents/{handle}/postmortem/incidents/remove`: takes the incident named off the
/// post-mortem (editors).
pub async fn remove(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<CoverForm>,
) -> Result<Response, PageError> {
    let on = super::reviews::posted_on(&state, &posted.caller, &handle).await?;
    let named = posted.form.incident.trim().to_string();
    match hindsight_app::covers::uncover(&state.store, &posted.caller.actor(), &on.id, &named).await {
        Ok(_) => {
            let notice = format!("This post-mortem no longer covers {named}.");
            Ok(see_other_with_notice(&format!("{}#covers", on.page), &notice))
        }
        Err(e) => super::document::refuse(&state, &posted.caller, &handle, "covers", Vec::new(), e).await,
    }
}
