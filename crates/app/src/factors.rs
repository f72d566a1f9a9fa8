//! Contributing factors and follow-through, as the API, the pages and the command line use
//! them: the taxonomy in force, the factors a post-mortem is tagged with (editors change
//! them, kept in the audit log), the factors counted over a period, and whether the process
//! was followed over a period (post-mortems published for the incidents that required one,
//! action items closed by their due dates).

use hindsight_core::{FactorReport, FactorTaxonomy, FollowThrough, Period, coverage};
use hindsight_store::{IncidentFilter, Store};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::settings::Rules;
use crate::{Actor, AppError};

/// A contributing factor on a post-mortem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaggedFactor {
    pub key: String,
    pub label: String,
    /// No longer in the taxonomy, kept on this post-mortem.
    pub retired: bool,
}

/// The contributing factors of a post-mortem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PostmortemFactors {
    pub postmortem: String,
    pub factors: Vec<TaggedFactor>,
}

/// The factors a post-mortem is to be tagged with, replacing those it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactorsChange {
    /// Keys of the taxonomy (`GET /api/v1/factors`); a key no longer in it may stay on a
    /// post-mortem that has it.
    pub factors: Vec<String>,
}

fn tagged(taxonomy: &FactorTaxonomy, postmortem: &str, keys: Vec<String>) -> PostmortemFactors {
    let factors = keys
        .into_iter()
        .map(|key| match taxonomy.get(&key) {
            Some(f) => TaggedFactor { key, label: f.label.clone(), retired: false },
            None => TaggedFactor { label: key.clone(), key, retired: true },
        })
        .collect();
    PostmortemFactors { postmortem: postmortem.to_string(), factors }
}

/// The contributing factors of post-mortem `id`, in the taxonomy's order.
pub async fn of_postmortem(
    store: &Store,
    actor: &Actor,
    rules: &Rules,
    id: &str,
) -> Result<PostmortemFactors, AppError> {
    let viewer = actor.viewer();
    store.postmortem(&viewer, id).await?;
    let keys = store.postmortem_factors(&viewer, id).await?;
    let ordered = rules.factors.choose(&keys, &keys).map_err(AppError::Invalid)?;
    Ok(tagged(&rules.factors, id, ordered))
}

/// Tags post-mortem `id` with exactly the factors asked for (editors and admins), kept in
/// the audit log when they change.
pub async fn set_for_postmortem(
    store: &Store,
    actor: &Actor,
    rules: &Rules,
    id: &str,
    change: &FactorsChange,
) -> Result<PostmortemFactors, AppError> {
    actor.require_write()?;
    let viewer = actor.viewer();
    let postmortem = store.postmortem(&viewer, id).await?;
    let kept = store.postmortem_factors(&viewer, id).await?;
    let chosen = rules.factors.choose(&change.factors, &kept).map_err(AppError::Invalid)?;
    let subject =
        format!("{}: {}", postmortem.incident, if chosen.is_empty() { "none".into() } else { chosen.join(", ") });
    let note = crate::accounts::note(actor, "tagged contributing factors", &subject);
    store.set_postmortem_factors(&viewer, id, &chosen, &note).await?;
    Ok(tagged(&rules.factors, id, chosen))
}

/// The contributing factors of the incidents that began in `period` (of those `filter`
/// selects, its times aside), against the period before.
pub async fn report(
    store: &Store,
    actor: &Actor,
    rules: &Rules,
    period: Period,
    filter: &IncidentFilter,
) -> Result<FactorReport, AppError> {
    let tally = store.factor_tally(&actor.viewer(), period, filter).await?;
    Ok(FactorReport {
        period,
        previous: period.previous(),
        factors: rules.factors.counted(&tally.counts),
        postmortems: tally.postmortems,
        tagged: tally.tagged,
    })
}

/// Whether the process was followed in `period`, for the incidents `filter` selects (its
/// times aside): post-mortem coverage of those the policy required one for, and their action
/// items closed on time by team.
pub async fn follow_through(
    store: &Store,
    actor: &Actor,
    period: Period,
    filter: &IncidentFilter,
) -> Result<FollowThrough, AppError> {
    let viewer = actor.viewer();
    let today = OffsetDateTime::now_utc().date();
    let (required, undecided) = store.required_incidents(&viewer, period, filter).await?;
    let action_items = store.action_items_on_time(&viewer, period, today, filter).await?;
    let cap = hindsight_store::MAX_COVERAGE_ROWS;
    Ok(FollowThrough { coverage: coverage(period, &required, undecided, today, cap), action_items })
}
