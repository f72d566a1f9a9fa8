//! The readers of a post-mortem on its page: who it must reach and who has read it, the
//! "read and understood" button, and (for editors) the form that chooses its readers.

use axum::extract::State;
use axum::response::Response;
use hindsight_core::{Readers, Reading};
use serde::Deserialize;

use super::kit::{NoFields, PageError, Posted, see_other_with_notice};
use super::view;
use crate::api::IncidentHandle;
use crate::state::AppState;

/// A person as the readers' list shows them.
pub struct ReaderRow {
    pub name: String,
    pub read: Option<String>,
    pub asked: bool,
    /// Asked, not read, past the day it was due.
    pub late: bool,
}

/// A team as the readers' form offers it.
pub struct TeamChoice {
    pub slug: String,
    pub name: String,
    pub chosen: bool,
}

/// What the page shows of the post-mortem's readers.
pub struct ReadersView {
    pub rows: Vec<ReaderRow>,
    pub read: usize,
    pub asked: usize,
    pub chosen: bool,
    /// The last day to read it: `2026-12-18`.
    pub due: Option<String>,
    /// When the person reading the page marked it read.
    pub mine: Option<String>,
    pub teams: Vec<TeamChoice>,
    /// The people named, as the form's field holds them: `ana, ben`.
    pub users: String,
}

impl ReadersView {
    /// The view of `reading` for the person `me`, with every team to choose from.
    pub fn new(reading: Reading, me: &str, all_teams: Vec<hindsight_core::Team>) -> ReadersView {
        let mine = reading.people.iter().find(|p| p.username == me).and_then(|p| p.read_at).map(view::when);
        ReadersView {
            rows: reading
                .people
                .iter()
                .map(|p| ReaderRow {
                    name: format!("{} ({})", p.display_name, p.username),
                    read: p.read_at.map(view::when),
                    asked: p.asked,
                    late: p.late,
                })
                .collect(),
            due: reading.due.map(|d| d.to_string()),
            read: reading.read,
            asked: reading.asked,
            chosen: reading.chosen,
            mine,
            teams: all_teams
                .into_iter()
                .map(|t| TeamChoice { chosen: reading.teams.contains(&t.slug), slug: t.slug, name: t.name })
                .collect(),
            users: reading.users.join(", "),
        }
    }
}

/// `POST /incidents/{handle}/postmortem/read`: marks it read and understood.
pub async fn mark_read(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<NoFields>,
) -> Result<Response, PageError> {
    let on = super::reviews::posted_on(&state, &posted.caller, &handle).await?;
    hindsight_app::readers::mark_read(&state.store, &posted.caller.actor(), &on.id, &on.rules).await?;
    Ok(see_other_with_notice(&on.page, "Marked read and understood."))
}

/// The readers' form: teams ticked, people named with commas.
#[derive(Debug, Default, Deserialize)]
pub struct ReadersForm {
    #[serde(default)]
    teams: Vec<String>,
    #[serde(default)]
    users: String,
}

/// `POST /incidents/{handle}/postmortem/readers`: chooses its readers (editors).
pub async fn choose(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<ReadersForm>,
) -> Result<Response, PageError> {
    let on = super::reviews::posted_on(&state, &posted.caller, &handle).await?;
    let readers = Readers { teams: posted.form.teams, users: super::reviews::names(&posted.form.users) };
    let reading =
        match hindsight_app::readers::choose(&state.store, &posted.caller.actor(), &on.id, &readers, &on.rules).await {
            Ok(reading) => reading,
            Err(e) => {
                let typed = vec![("users", posted.form.users)];
                return super::document::refuse(&state, &posted.caller, &handle, "readers", typed, e).await;
            }
        };
    let notice =
        format!("Readers saved: {}.", view::plural(reading.asked as i64, "person is asked", "people are asked"));
    Ok(see_other_with_notice(&on.page, &notice))
}
