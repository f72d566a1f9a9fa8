//! Readers of a post-mortem: who it must reach, chosen by editors (or proposed from its
//! incident), and "read and understood" receipts, which anyone who may see a published
//! post-mortem gives.

use hindsight_core::validate::MAX_SHORT;
use hindsight_core::{Postmortem, PostmortemStatus, Readers, Reading, StillToRead, ValidationErrors};
use hindsight_store::{Store, StoreError, Ts};

use time::OffsetDateTime;

use crate::{Actor, AppError, Rules};

/// Who post-mortem `id` must reach and who has read it, and by when (`rules`' deadlines).
pub async fn reading(store: &Store, actor: &Actor, id: &str, rules: &Rules) -> Result<Reading, AppError> {
    check_id(id)?;
    let postmortem = store.postmortem(&actor.viewer(), id).await?;
    reading_of(store, actor, &postmortem, rules).await
}

/// Who `postmortem`, already read, must reach and who has read it, and by when.
pub async fn reading_of(
    store: &Store,
    actor: &Actor,
    postmortem: &Postmortem,
    rules: &Rules,
) -> Result<Reading, AppError> {
    let reading = store.reading(&actor.viewer(), &postmortem.id).await?;
    Ok(with_due(reading, postmortem.published_at, rules))
}

/// `reading` with its due date and who is late, for a post-mortem published at `published`.
fn with_due(mut reading: Reading, published: Option<OffsetDateTime>, rules: &Rules) -> Reading {
    reading.due = published.map(|at| rules.deadlines.reading_due(at));
    let today = OffsetDateTime::now_utc().date();
    for person in &mut reading.people {
        person.late = person.asked && person.read_at.is_none() && reading.due.is_some_and(|due| today > due);
    }
    reading
}

/// Chooses the readers of post-mortem `id` (editors and admins).
pub async fn choose(
    store: &Store,
    actor: &Actor,
    id: &str,
    readers: &Readers,
    rules: &Rules,
) -> Result<Reading, AppError> {
    actor.require_write()?;
    check_id(id)?;
    readers.validate().map_err(AppError::Invalid)?;
    let note = crate::accounts::note(actor, "chose the post-mortem's readers", id);
    store.set_readers(&actor.viewer(), id, readers, &note).await?;
    reading(store, actor, id, rules).await
}

/// Most entries [`still_to_read`] answers.
pub const STILL_TO_READ_SHOWN: i64 = 200;

/// What the members of team `slug` are asked to read and have not read yet.
pub async fn still_to_read(store: &Store, actor: &Actor, slug: &str) -> Result<Vec<StillToRead>, AppError> {
    let team = store.team(slug).await?;
    Ok(store.still_to_read(&actor.viewer(), &team.slug, STILL_TO_READ_SHOWN).await?)
}

/// Records that the actor has read and understood post-mortem `id`, which must be
/// published; answers the reading as it is now.
pub async fn mark_read(store: &Store, actor: &Actor, id: &str, rules: &Rules) -> Result<Reading, AppError> {
    check_id(id)?;
    let viewer = actor.viewer();
    if viewer.actor_id().is_none() {
        return Err(AppError::Forbidden("only a person reads a post-mortem; the operator has no receipt".into()));
    }
    let postmortem = store.postmortem(&viewer, id).await?;
    if postmortem.status != PostmortemStatus::Published {
        return Err(AppError::Invalid(ValidationErrors::single(
            "status",
            format!("this post-mortem is {}: it is read once it is published", postmortem.status.words()),
        )));
    }
    store.mark_postmortem_read(&viewer, id, Ts::now()).await?;
    Ok(with_due(store.reading(&viewer, id).await?, postmortem.published_at, rules))
}

/// No post-mortem has an id that long: not looked up.
pub(crate) fn check_id(id: &str) -> Result<(), AppError> {
    if id.len() > MAX_SHORT {
        return Err(StoreError::NotFound(format!("post-mortem {:?}…", id.chars().take(40).collect::<String>())).into());
    }
    Ok(())
}
