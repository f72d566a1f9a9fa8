//! Public summaries: written and published by those who may see the post-mortem, read by
//! anyone on the public page. The public reads select the summary's own columns and
//! nothing else of the record, and only while the summary is published, its post-mortem is
//! published and its incident is not private: making the incident private, or taking the
//! post-mortem out of `published`, takes the summary off the page at once.

use hindsight_core::access::Viewer;
use hindsight_core::{PublicPost, PublicSummary, PublicSummaryDraft, ValidationErrors, incident_handle};

use crate::audit::{AuditNote, append_audit};
use crate::{BeginWrite, Store, StoreError, Ts, on_pool};

/// The condition a summary `s` of post-mortem `p` of incident `i` is public on.
const PUBLIC: &str = "s.published_at IS NOT NULL AND p.status = 'published' AND i.private = FALSE";

type SummaryRow = (String, String, Option<Ts>, Option<Ts>, Option<Ts>, Option<String>, Ts, i64);

type PostRow = (String, String, String, Option<Ts>, Option<Ts>, Ts, Ts);

fn post_of((id, title, body, began, ended, published_at, updated_at): PostRow) -> PublicPost {
    PublicPost {
        id,
        title,
        body,
        impact_began_at: began.map(Ts::get),
        impact_ended_at: ended.map(Ts::get),
        published_at: published_at.get(),
        updated_at: updated_at.get(),
    }
}

impl Store {
    /// The public summary of post-mortem `id`, if it has one; not found when the viewer may
    /// not see the post-mortem.
    pub async fn public_summary(&self, viewer: &Viewer, id: &str) -> Result<Option<PublicSummary>, StoreError> {
        self.check_postmortem_visible(viewer, id).await?;
        let row: Option<SummaryRow> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT s.title, s.body, s.impact_began_at, s.impact_ended_at, s.published_at, u.username, \
             s.updated_at, i.number FROM public_summaries s JOIN postmortems p ON p.id = s.postmortem_id \
             JOIN incidents i ON i.id = p.incident_id LEFT JOIN users u ON u.id = s.updated_by \
             WHERE s.postmortem_id = $1"
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(title, body, began, ended, published_at, updated_by, updated_at, number)| PublicSummary {
            postmortem: id.to_string(),
            incident: incident_handle(number),
            title,
            body,
            impact_began_at: began.map(Ts::get),
            impact_ended_at: ended.map(Ts::get),
            published_at: published_at.map(Ts::get),
            updated_by,
            updated_at: updated_at.get(),
        }))
    }

    /// Writes the public summary of post-mortem `id` (a published one stays published, with
    /// the new words); `note` goes to the audit events in the same transaction.
    pub async fn put_public_summary(
        &self,
        viewer: &Viewer,
        id: &str,
        draft: &PublicSummaryDraft,
        note: &AuditNote,
    ) -> Result<PublicSummary, StoreError> {
        draft.validate()?;
        note.check()?;
        self.check_postmortem_visible(viewer, id).await?;
        let now = Ts::now();
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO public_summaries (postmortem_id, title, body, impact_began_at, impact_ended_at, \
                 updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (postmortem_id) DO UPDATE \
                 SET title = excluded.title, body = excluded.body, impact_began_at = excluded.impact_began_at, \
                 impact_ended_at = excluded.impact_ended_at, updated_by = excluded.updated_by, \
                 updated_at = excluded.updated_at",
            )
            .bind(id)
            .bind(draft.title.trim())
            .bind(&draft.body)
            .bind(draft.impact_began_at.map(Ts::from))
            .bind(draft.impact_ended_at.map(Ts::from))
            .bind(viewer.actor_id())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, note).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await)?;
        self.public_summary(viewer, id).await?.ok_or_else(|| StoreError::NotFound(format!("public summary of {id:?}")))
    }

    /// Puts the public summary of post-mortem `id` on the public page (`public`), or takes it
    /// off. Putting it on needs a summary, a published post-mortem and an incident that is
    /// not private. `note` goes to the audit events in the same transaction.
    pub async fn publish_public_summary(
        &self,
        viewer: &Viewer,
        id: &str,
        public: bool,
        note: &AuditNote,
    ) -> Result<PublicSummary, StoreError> {
        note.check()?;
        self.check_postmortem_visible(viewer, id).await?;
        let now = Ts::now();
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let state: Option<(String, bool)> = sqlx::query_as(
                "SELECT p.status, i.private FROM public_summaries s JOIN postmortems p ON p.id = s.postmortem_id \
                 JOIN incidents i ON i.id = p.incident_id WHERE s.postmortem_id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((status, private)) = state else {
                return Err(StoreError::NotFound(format!("public summary of post-mortem {id:?}: write one first")));
            };
            if public {
                let mut errors = ValidationErrors::default();
                if status != "published" {
                    errors.push("status", format!("the post-mortem is {status}: publish it before its public summary"));
                }
                if private {
                    errors.push("private", "the incident is private: its summary cannot be made public");
                }
                errors.into_result()?;
            }
            sqlx::query(
                "UPDATE public_summaries SET published_at = CASE WHEN $2 THEN COALESCE(published_at, $3) END \
                 WHERE postmortem_id = $1",
            )
            .bind(id)
            .bind(public)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, note).await?;
            tx.commit().await?;
            Ok(())
        }
        .await)?;
        self.public_summary(viewer, id).await?.ok_or_else(|| StoreError::NotFound(format!("public summary of {id:?}")))
    }

    /// The public summaries on the public page, newest first: at most `limit` (1 to
    /// [`crate::MAX_PAGE`]), published before `before` when given.
    pub async fn public_posts(&self, before: Option<Ts>, limit: i64) -> Result<Vec<PublicPost>, StoreError> {
        let sql = format!(
            "SELECT s.postmortem_id, s.title, s.body, s.impact_began_at, s.impact_ended_at, s.published_at, \
             s.updated_at FROM public_summaries s JOIN postmortems p ON p.id = s.postmortem_id \
             JOIN incidents i ON i.id = p.incident_id WHERE {PUBLIC} AND ($1 IS NULL OR s.published_at < $1) \
             ORDER BY s.published_at DESC LIMIT $2"
        );
        let rows: Vec<PostRow> = on_pool!(self, |pool| sqlx::query_as(crate::built_sql(&sql))
            .bind(before)
            .bind(limit.clamp(1, crate::MAX_PAGE))
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(post_of).collect())
    }

    /// Public summary `id` (its post-mortem's id), while it is public.
    pub async fn public_post(&self, id: &str) -> Result<PublicPost, StoreError> {
        let sql = format!(
            "SELECT s.postmortem_id, s.title, s.body, s.impact_began_at, s.impact_ended_at, s.published_at, \
             s.updated_at FROM public_summaries s JOIN postmortems p ON p.id = s.postmortem_id \
             JOIN incidents i ON i.id = p.incident_id WHERE s.postmortem_id = $1 AND {PUBLIC}"
        );
        let row: Option<PostRow> =
            on_pool!(self, |pool| sqlx::query_as(crate::built_sql(&sql)).bind(id).fetch_optional(pool).await)?;
        row.map(post_of).ok_or_else(|| StoreError::NotFound(format!("public summary {id:?}")))
    }
}
