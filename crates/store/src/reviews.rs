//! Review of a post-mortem: its reviewers, their verdicts by round, and the review
//! meeting. A verdict appends a domain event (the owner is told) in its own transaction.

use hindsight_core::access::Viewer;
use hindsight_core::events::DomainEvent;
use hindsight_core::{NewReview, PostmortemStatus, Review, ReviewMeeting, ReviewState, ValidationErrors, Verdict};

use crate::audit::AuditNote;
use crate::error::word;
use crate::{BeginWrite, Store, StoreError, Ts, new_id, on_pool};

/// The users (`id`) who review post-mortem `$1`, enabled ones only.
pub(crate) const REVIEWERS_SQL: &str = "SELECT u.id FROM postmortem_reviewers r JOIN users u ON u.id = r.user_id \
     WHERE r.postmortem_id = $1 AND NOT u.disabled";

impl Store {
    /// Where the review of post-mortem `id` stands, if the viewer may see it;
    /// `approvals_needed` is the caller's rule, by the incident's severity.
    pub async fn review_state(
        &self,
        viewer: &Viewer,
        id: &str,
        approvals_needed: u8,
    ) -> Result<ReviewState, StoreError> {
        self.check_postmortem_visible(viewer, id).await?;
        on_pool!(self, |pool| async {
            let (round, owner, meeting_at): (i64, Option<String>, Option<Ts>) = sqlx::query_as(
                "SELECT p.review_round, u.username, p.review_meeting_at FROM postmortems p \
                 LEFT JOIN users u ON u.id = p.owner_id WHERE p.id = $1",
            )
            .bind(id)
            .fetch_one(pool)
            .await?;
            let reviewers: Vec<String> = sqlx::query_scalar(
                "SELECT u.username FROM postmortem_reviewers r JOIN users u ON u.id = r.user_id \
                 WHERE r.postmortem_id = $1 ORDER BY u.username",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            let rows: Vec<(String, Option<String>, String, String, i64, Ts)> = sqlx::query_as(
                "SELECT r.id, u.username, r.verdict, r.comment, r.round, r.created_at FROM reviews r \
                 LEFT JOIN users u ON u.id = r.reviewer_id WHERE r.postmortem_id = $1 ORDER BY r.created_at, r.id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            let attendees: Vec<String> = sqlx::query_scalar(
                "SELECT u.username FROM review_meeting_attendees a JOIN users u ON u.id = a.user_id \
                 WHERE a.postmortem_id = $1 ORDER BY u.username",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            let mut reviews = Vec::with_capacity(rows.len());
            for (id, reviewer, verdict, comment, round, created_at) in rows {
                reviews.push(Review {
                    id,
                    reviewer: reviewer.unwrap_or_else(|| "(deleted user)".into()),
                    verdict: word(&verdict)?,
                    comment,
                    round,
                    created_at: created_at.get(),
                });
            }
            // Each reviewer's last verdict of this round; the owner's own does not count.
            let mut last: Vec<(&str, Verdict)> = Vec::new();
            for review in reviews.iter().filter(|r| r.round == round && reviewers.contains(&r.reviewer)) {
                last.retain(|(who, _)| *who != review.reviewer);
                last.push((&review.reviewer, review.verdict));
            }
            let by = |verdict: Verdict| -> Vec<String> {
                let mut names: Vec<String> = last
                    .iter()
                    .filter(|(who, v)| *v == verdict && Some(*who) != owner.as_deref())
                    .map(|(who, _)| who.to_string())
                    .collect();
                names.sort();
                names
            };
            Ok(ReviewState {
                approved_by: by(Verdict::Approved),
                changes_requested_by: by(Verdict::ChangesRequested),
                reviewers,
                round,
                approvals_needed,
                meeting: meeting_at.map(|at| ReviewMeeting { held_at: at.get(), attendees }),
                reviews,
                deadlines: None,
            })
        }
        .await)
    }

    /// Names the reviewers of post-mortem `id` (usernames), in place of those before.
    pub async fn set_reviewers(
        &self,
        viewer: &Viewer,
        id: &str,
        usernames: &[String],
        note: &AuditNote,
    ) -> Result<(), StoreError> {
        hindsight_core::names_at_most("reviewers", usernames)?;
        self.check_postmortem_visible(viewer, id).await?;
        let users = self.user_ids("reviewers", usernames).await?;
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            crate::replace_links!(
                tx,
                "DELETE FROM postmortem_reviewers WHERE postmortem_id = $1",
                "INSERT INTO postmortem_reviewers (postmortem_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                id,
                users.values()
            )
            .await?;
            crate::audit::append_audit!(tx, note).await?;
            tx.commit().await?;
            Ok(())
        }
        .await)
    }

    /// Keeps the viewer's verdict on post-mortem `id`, which must be in review and name
    /// them among its reviewers; its owner is told.
    pub async fn add_review(&self, viewer: &Viewer, id: &str, new: &NewReview) -> Result<Review, StoreError> {
        new.validate()?;
        let postmortem = self.postmortem(viewer, id).await?;
        if postmortem.status != PostmortemStatus::InReview {
            return Err(StoreError::Invalid(ValidationErrors::single(
                "verdict",
                format!("this post-mortem is {}: it is reviewed while in review", postmortem.status.words()),
            )));
        }
        let Some(user) = viewer.actor_id() else {
            return Err(StoreError::Invalid(ValidationErrors::single("verdict", "the operator reviews nothing")));
        };
        let review_id = new_id();
        let now = Ts::now();
        let round = on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let named: Option<i64> = sqlx::query_scalar(
                "SELECT p.review_round FROM postmortems p JOIN postmortem_reviewers r ON r.postmortem_id = p.id \
                 WHERE p.id = $1 AND r.user_id = $2",
            )
            .bind(id)
            .bind(user)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(round) = named else {
                return Err(StoreError::Invalid(ValidationErrors::single(
                    "verdict",
                    format!("{} is not among this post-mortem's reviewers", viewer.username),
                )));
            };
            let incident_id: String = sqlx::query_scalar("SELECT incident_id FROM postmortems WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO reviews (id, postmortem_id, reviewer_id, verdict, comment, round, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&review_id)
            .bind(id)
            .bind(user)
            .bind(new.verdict.as_str())
            .bind(new.comment.trim())
            .bind(round)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let event = DomainEvent::PostmortemReviewed {
                incident: postmortem.incident.clone(),
                postmortem: id.to_string(),
                review: review_id.clone(),
                verdict: new.verdict,
            };
            crate::outbox::append_events!(tx, &[event], &incident_id, Some(user), now).await?;
            tx.commit().await?;
            Ok(round)
        }
        .await)?;
        Ok(Review {
            id: review_id,
            reviewer: viewer.username.clone(),
            verdict: new.verdict,
            comment: new.comment.trim().to_string(),
            round,
            created_at: now.get(),
        })
    }

    /// Records the review meeting of post-mortem `id`: when, and who attended.
    pub async fn set_review_meeting(
        &self,
        viewer: &Viewer,
        id: &str,
        meeting: &ReviewMeeting,
        note: &AuditNote,
    ) -> Result<(), StoreError> {
        meeting.validate()?;
        self.check_postmortem_visible(viewer, id).await?;
        let users = self.user_ids("attendees", &meeting.attendees).await?;
        on_pool!(self, |pool| {
            async {
                let mut tx = pool.begin_write().await?;
                sqlx::query("UPDATE postmortems SET review_meeting_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(Ts::from(meeting.held_at))
                    .execute(&mut *tx)
                    .await?;
                crate::replace_links!(
                tx,
                "DELETE FROM review_meeting_attendees WHERE postmortem_id = $1",
                "INSERT INTO review_meeting_attendees (postmortem_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                id,
                users.values()
            )
            .await?;
                crate::audit::append_audit!(tx, note).await?;
                tx.commit().await?;
                Ok(())
            }
            .await
        })
    }
}
