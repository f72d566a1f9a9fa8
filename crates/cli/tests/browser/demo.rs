//! What the tests expect to see, read from the demo data that `hindsight demo`
//! loads, so the tests follow the demo when it changes.

use hindsight_core::{IncidentStatus, Role};
use hindsight_demo::{DemoData, DemoIncident, demo_data};
use time::OffsetDateTime;

pub fn data() -> DemoData {
    demo_data(OffsetDateTime::now_utc())
}

/// A public incident with a timeline and a post-mortem.
pub fn incident_with_postmortem(data: &DemoData) -> &DemoIncident {
    data.incidents
        .iter()
        .find(|d| !d.incident.private && d.postmortem.is_some() && !d.timeline.is_empty())
        .expect("a public demo incident with a post-mortem")
}

/// How many demo incidents have `status`.
pub fn count_with_status(data: &DemoData, status: IncidentStatus) -> usize {
    data.incidents.iter().filter(|d| d.incident.status == status).count()
}

/// A private incident and a user who may not see it: no admin, did not declare
/// it, is not among its responders and is in none of its teams.
pub fn private_incident_and_outsider(data: &DemoData) -> (&DemoIncident, &str) {
    data.incidents
        .iter()
        .filter(|d| d.incident.private)
        .find_map(|d| {
            let insider = |username: &str| {
                d.declared_by == username
                    || d.incident.responders.iter().any(|r| r.username == username)
                    || data
                        .teams
                        .iter()
                        .any(|t| d.incident.teams.contains(&t.slug) && t.members.iter().any(|m| m == username))
            };
            let outsider = data.users.iter().find(|u| u.role != Role::Admin && !insider(&u.username))?;
            Some((d, outsider.username.as_str()))
        })
        .expect("a private demo incident that some demo user may not see")
}

/// The username of the first demo user with `role`.
pub fn user_with(data: &DemoData, role: Role) -> &str {
    data.users.iter().find(|u| u.role == role).map(|u| u.username.as_str()).expect("a demo user with that role")
}

/// A demo user with `role` other than `not`.
pub fn other_user_with<'a>(data: &'a DemoData, role: Role, not: &str) -> &'a str {
    data.users
        .iter()
        .find(|u| u.role == role && u.username != not)
        .map(|u| u.username.as_str())
        .expect("a second demo user with that role")
}

/// A public incident with no incident commander among its responders.
pub fn incident_without_commander(data: &DemoData) -> &DemoIncident {
    data.incidents
        .iter()
        .find(|d| {
            !d.incident.private
                && d.incident.responders.iter().all(|r| r.role != hindsight_core::ResponderRole::IncidentCommander)
        })
        .expect("a public demo incident without an incident commander")
}
