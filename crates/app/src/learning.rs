//! Learning across incidents: hotspots, whether fixes held, and the ledger of unknown causes,
//! as the API, the insights pages and the command line read them. Reads are anyone's who
//! may see the incidents (the store applies their sight); closing and reopening a ledger
//! entry is an editor's, kept in the audit log.

use hindsight_core::{
    Finding, FixesReport, Hotspots, LaterIncident, NewFinding, OpenCauseLead, Period, UnknownCause, ValidationErrors,
    fixes_report, incident_handle,
};
use hindsight_store::Store;
use serde::Serialize;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use crate::{Actor, AppError};

/// The period from `from` to `to`, dates written `YYYY-MM-DD` (to today, from a year
/// before `to`, when left out or empty); each field at fault is named.
pub fn period(from: Option<&str>, to: Option<&str>) -> Result<Period, AppError> {
    let mut errors = ValidationErrors::default();
    let mut date = |field: &str, text: Option<&str>| -> Option<Date> {
        let text = text.map(str::trim).filter(|t| !t.is_empty())?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        match Date::parse(text, format) {
            Ok(date) => Some(date),
            Err(_) => {
                let shown: String = text.chars().take(40).collect();
                errors.push(field, format!("{shown:?} is not a date written YYYY-MM-DD, such as 2026-01-31"));
                None
            }
        }
    };
    let (from, to) = (date("from", from), date("to", to));
    errors.into_result().map_err(AppError::Invalid)?;
    Period::new(from, to, OffsetDateTime::now_utc().date()).map_err(AppError::Invalid)
}

/// The components and services with the most incidents in `period`, of those `filter`
/// selects (its times aside).
pub async fn hotspots(
    store: &Store,
    actor: &Actor,
    period: Period,
    filter: &hindsight_store::IncidentFilter,
) -> Result<Hotspots, AppError> {
    let (components, services) = store.hotspots(&actor.viewer(), period, filter).await?;
    Ok(Hotspots { period, previous: period.previous(), components, services })
}

/// The fixes made in `period`: those that did not hold, and those that held so far.
pub async fn fixes(store: &Store, actor: &Actor, period: Period) -> Result<FixesReport, AppError> {
    Ok(fixes_report(period, store.fix_outcomes(&actor.viewer(), period).await?))
}

/// For action item `id`, once closed: the incidents since with its incident's root cause.
pub async fn incidents_since_fix(store: &Store, actor: &Actor, id: &str) -> Result<Vec<LaterIncident>, AppError> {
    Ok(store.incidents_since_fix(&actor.viewer(), id).await?)
}

/// The ledger of causes still unknown or suspected, each with its leads.
pub async fn unknown_causes(store: &Store, actor: &Actor) -> Result<Vec<UnknownCause>, AppError> {
    Ok(store.unknown_causes(&actor.viewer(), None).await?)
}

/// Where incident `number` stands with unknown causes: its own, open or found, and the
/// open causes of earlier incidents it may explain.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CauseState {
    /// Its entry in the ledger, with leads, while its root cause is unknown or suspected.
    pub open: Option<UnknownCause>,
    /// What was found of its cause, once its entry was closed.
    pub finding: Option<Finding>,
    /// Earlier incidents whose cause is still open that share its component or an alert.
    pub may_explain: Vec<OpenCauseLead>,
}

/// Where incident `number` stands with unknown causes.
pub async fn cause_state(store: &Store, actor: &Actor, number: i64) -> Result<CauseState, AppError> {
    let viewer = actor.viewer();
    let open = store.unknown_causes(&viewer, Some(number)).await?.into_iter().next();
    let finding = store.finding(&viewer, number).await?;
    let may_explain = store.open_causes_explained_by(&viewer, number).await?;
    Ok(CauseState { open, finding, may_explain })
}

/// Closes incident `number`'s ledger entry with what was found (editors and admins).
pub async fn close_unknown_cause(
    store: &Store,
    actor: &Actor,
    number: i64,
    finding: NewFinding,
) -> Result<Finding, AppError> {
    actor.require_write()?;
    let note = crate::accounts::note(actor, "recorded what an unknown cause was", &incident_handle(number));
    Ok(store.close_unknown_cause(&actor.viewer(), number, &finding, &note).await?)
}

/// Reopens incident `number`'s ledger entry (editors and admins); answers whether it was
/// closed.
pub async fn reopen_unknown_cause(store: &Store, actor: &Actor, number: i64) -> Result<bool, AppError> {
    actor.require_write()?;
    let note = crate::accounts::note(actor, "reopened an unknown cause", &incident_handle(number));
    Ok(store.reopen_unknown_cause(&actor.viewer(), number, &note).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_names_each_date_it_cannot_read() {
        let Err(AppError::Invalid(errors)) = period(Some("31/01/2026"), Some("tomorrow")) else { panic!() };
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["from", "to"]);
        assert!(errors.0[0].message.contains("YYYY-MM-DD"), "{errors}");
    }

    #[test]
    fn empty_dates_read_as_the_default_period() {
        let read = period(Some(""), Some(" ")).unwrap();
        assert_eq!(read.days(), hindsight_core::DEFAULT_PERIOD_DAYS);
        assert_eq!(read.to, OffsetDateTime::now_utc().date());
    }
}
