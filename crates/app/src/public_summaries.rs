//! Public summaries: what the people affected are told, written on the post-mortem by
//! those who may edit it, checked by the blameless-language check like every written field,
//! and shown without sign-in once someone publishes it (see the store's module for what
//! keeps the rest of the record off the public page).

use hindsight_core::{PublicPost, PublicSummary, PublicSummaryDraft, ValidationErrors};
use hindsight_store::{Store, Ts};
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::note;
use crate::analysis::{FieldFindings, known_names};
use crate::{Actor, AppError};

/// A post-mortem's public summary, with what the blameless check finds in it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PublicSummaryView {
    /// None until someone writes one.
    pub summary: Option<PublicSummary>,
    /// Blaming words in its title or text, by field.
    pub findings: Vec<FieldFindings>,
}

async fn view(store: &Store, summary: Option<PublicSummary>) -> Result<PublicSummaryView, AppError> {
    let findings = match &summary {
        Some(summary) => {
            let names = known_names(store, None).await?;
            [("title", &summary.title), ("body", &summary.body)]
                .into_iter()
                .map(|(field, text)| FieldFindings {
                    field: field.to_string(),
                    findings: hindsight_core::lint::lint(text, &names),
                })
                .filter(|f| !f.findings.is_empty())
                .collect()
        }
        None => Vec::new(),
    };
    Ok(PublicSummaryView { summary, findings })
}

/// The public summary of post-mortem `id`.
pub async fn get(store: &Store, actor: &Actor, id: &str) -> Result<PublicSummaryView, AppError> {
    let summary = store.public_summary(&actor.viewer(), id).await?;
    view(store, summary).await
}

/// Writes the public summary of post-mortem `id` (editors and admins).
pub async fn put(
    store: &Store,
    actor: &Actor,
    id: &str,
    draft: &PublicSummaryDraft,
) -> Result<PublicSummaryView, AppError> {
    actor.require_write()?;
    draft.validate().map_err(AppError::Invalid)?;
    let note = note(actor, "wrote the public summary", id);
    let summary = store.put_public_summary(&actor.viewer(), id, draft, &note).await?;
    view(store, Some(summary)).await
}

/// Puts the public summary of post-mortem `id` on the public page, or takes it off
/// (editors and admins). Its post-mortem must be published and its incident not private.
pub async fn publish(store: &Store, actor: &Actor, id: &str, public: bool) -> Result<PublicSummaryView, AppError> {
    actor.require_write()?;
    let action = if public { "published the public summary" } else { "took the public summary off the public page" };
    let summary = store.publish_public_summary(&actor.viewer(), id, public, &note(actor, action, id)).await?;
    view(store, Some(summary)).await
}

/// Most public summaries a page of the public list shows.
pub const PUBLIC_PAGE: i64 = 50;

/// The public summaries on the public page, newest first; `before` is the previous page's
/// last `published_at` (RFC 3339). Needs no sign-in.
pub async fn posts(store: &Store, before: Option<&str>) -> Result<Vec<PublicPost>, AppError> {
    let before = before
        .map(|text| {
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .map(Ts::from)
                .map_err(|_| AppError::Invalid(ValidationErrors::single("before", "must be a time as RFC 3339")))
        })
        .transpose()?;
    Ok(store.public_posts(before, PUBLIC_PAGE).await?)
}

/// Public summary `id`, while it is public. Needs no sign-in.
pub async fn post(store: &Store, id: &str) -> Result<PublicPost, AppError> {
    if id.len() > 64 {
        return Err(hindsight_store::StoreError::NotFound("public summary".into()).into());
    }
    Ok(store.public_post(id).await?)
}
