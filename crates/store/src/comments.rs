//! The discussion of a post-mortem: comments, their threads, who they mention, and
//! resolving. A comment is kept as written; adding one and resolving or reopening a thread
//! each append an audit event and a domain event in the same transaction.

use std::collections::HashMap;

use hindsight_core::access::Viewer;
use hindsight_core::events::DomainEvent;
use hindsight_core::{Comment, CommentAnchor, MAX_COMMENTS, NewComment, incident_handle};

use crate::audit::AuditNote;
use crate::{BeginWrite, Store, StoreError, Ts, built_sql, new_id, on_pool};

const COMMENT_SELECT: &str = "SELECT c.id, c.postmortem_id, c.reply_to, c.anchor_section, c.anchor_start, \
     c.anchor_end, c.anchor_quote, c.body, a.username, c.created_at, c.resolved_at, r.username \
     FROM comments c LEFT JOIN users a ON a.id = c.author_id LEFT JOIN users r ON r.id = c.resolved_by";

type CommentRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Ts,
    Option<Ts>,
    Option<String>,
);

fn comment_of(row: CommentRow, mentions: &mut HashMap<String, Vec<String>>) -> Comment {
    let (id, postmortem, reply_to, section, start, end, quote, body, author, created_at, resolved_at, resolved_by) =
        row;
    let anchor = match (section, start, end) {
        (Some(section), Some(start), Some(end)) => {
            Some(CommentAnchor { section, start, end, quote: quote.unwrap_or_default() })
        }
        _ => None,
    };
    Comment {
        mentions: mentions.remove(&id).unwrap_or_default(),
        id,
        postmortem,
        reply_to,
        anchor,
        body,
        author,
        created_at: created_at.get(),
        resolved_at: resolved_at.map(Ts::get),
        resolved_by,
    }
}

/// What an open live editor watches of a post-mortem besides its texts: its version (a
/// save of any field), and its discussion (comments added, threads resolved or reopened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostmortemStamp {
    pub version: i64,
    pub comments: i64,
    pub resolved: i64,
    pub last_resolved: Option<Ts>,
}

impl Store {
    /// The stamp of post-mortem `id` (none when it is gone). Checks no visibility: for a
    /// live room, whose every member was checked when they joined.
    pub async fn postmortem_stamp(&self, id: &str) -> Result<Option<PostmortemStamp>, StoreError> {
        let row: Option<(i64, i64, i64, Option<Ts>)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.version, COUNT(c.id), COUNT(c.resolved_at), MAX(c.resolved_at) FROM postmortems p \
                 LEFT JOIN comments c ON c.postmortem_id = p.id WHERE p.id = $1 GROUP BY p.version",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(version, comments, resolved, last_resolved)| PostmortemStamp {
            version,
            comments,
            resolved,
            last_resolved,
        }))
    }

    /// The comments on post-mortem `id`, oldest first, if the viewer may see it.
    pub async fn comments(&self, viewer: &Viewer, id: &str) -> Result<Vec<Comment>, StoreError> {
        self.check_postmortem_visible(viewer, id).await?;
        let sql = format!("{COMMENT_SELECT} WHERE c.postmortem_id = $1 ORDER BY c.created_at, c.id");
        let rows: Vec<CommentRow> =
            on_pool!(self, |pool| sqlx::query_as(built_sql(&sql)).bind(id).fetch_all(pool).await)?;
        let named: Vec<(String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT m.comment_id, u.username FROM comment_mentions m JOIN comments c ON c.id = m.comment_id \
                 JOIN users u ON u.id = m.user_id WHERE c.postmortem_id = $1 ORDER BY u.username",
            )
            .bind(id)
            .fetch_all(pool)
            .await
        })?;
        let mut mentions: HashMap<String, Vec<String>> = HashMap::new();
        for (comment, username) in named {
            mentions.entry(comment).or_default().push(username);
        }
        Ok(rows.into_iter().map(|row| comment_of(row, &mut mentions)).collect())
    }

    /// Comment `id`, if the viewer may see its post-mortem.
    pub async fn comment(&self, viewer: &Viewer, id: &str) -> Result<Comment, StoreError> {
        let sql = format!("{COMMENT_SELECT} WHERE c.id = $1");
        let row: Option<CommentRow> =
            on_pool!(self, |pool| sqlx::query_as(built_sql(&sql)).bind(id).fetch_optional(pool).await)?;
        let row = row.ok_or_else(|| StoreError::NotFound(format!("comment {id:?}")))?;
        self.check_postmortem_visible(viewer, &row.1).await?;
        let named: Vec<String> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT u.username FROM comment_mentions m JOIN users u ON u.id = m.user_id \
                 WHERE m.comment_id = $1 ORDER BY u.username",
            )
            .bind(id)
            .fetch_all(pool)
            .await
        })?;
        Ok(comment_of(row, &mut HashMap::from([(id.to_owned(), named)])))
    }

    /// Adds the viewer's comment to post-mortem `id` (which they must be able to see;
    /// whether they may comment is the caller's rule). `mentions` are the names its body
    /// mentions: those that are users are kept as references. A reply joins the thread of
    /// the comment it answers.
    pub async fn add_comment(
        &self,
        viewer: &Viewer,
        id: &str,
        new: &NewComment,
        mentions: &[String],
    ) -> Result<Comment, StoreError> {
        new.validate()?;
        self.check_postmortem_visible(viewer, id).await?;
        let comment_id = new_id();
        let now = Ts::now();
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let (incident_id, number): (String, i64) = sqlx::query_as(
                "SELECT i.id, i.number FROM postmortems p JOIN incidents i ON i.id = p.incident_id WHERE p.id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE postmortem_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if kept >= MAX_COMMENTS {
                return Err(StoreError::Invalid(hindsight_core::ValidationErrors::single(
                    "body",
                    format!("this post-mortem already has {MAX_COMMENTS} comments, the most it keeps"),
                )));
            }
            let reply_to = match &new.reply_to {
                None => None,
                Some(answered) => {
                    let thread: Option<(Option<String>,)> =
                        sqlx::query_as("SELECT reply_to FROM comments WHERE id = $1 AND postmortem_id = $2")
                            .bind(answered)
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let Some((root,)) = thread else {
                        return Err(StoreError::Invalid(hindsight_core::ValidationErrors::single(
                            "reply_to",
                            format!("no comment {answered:?} on this post-mortem"),
                        )));
                    };
                    Some(root.unwrap_or_else(|| answered.clone()))
                }
            };
            let anchor = new.anchor.as_ref();
            sqlx::query(
                "INSERT INTO comments (id, postmortem_id, reply_to, anchor_section, anchor_start, anchor_end, \
                 anchor_quote, body, author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&comment_id)
            .bind(id)
            .bind(&reply_to)
            .bind(anchor.map(|a| &a.section))
            .bind(anchor.map(|a| &a.start))
            .bind(anchor.map(|a| &a.end))
            .bind(anchor.map(|a| &a.quote))
            .bind(&new.body)
            .bind(viewer.actor_id())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let mut named = Vec::new();
            for name in mentions {
                let found: Option<String> = sqlx::query_scalar(
                    "INSERT INTO comment_mentions (comment_id, user_id) SELECT $1, id FROM users WHERE username = $2 \
                     ON CONFLICT DO NOTHING RETURNING user_id",
                )
                .bind(&comment_id)
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
                if found.is_some() {
                    named.push(name.clone());
                }
            }
            let handle = incident_handle(number);
            let note = AuditNote::new(
                viewer.username.clone(),
                "commented on the post-mortem",
                handle.clone(),
                serde_json::json!({ "comment": comment_id, "reply_to": reply_to, "mentions": named }),
            );
            crate::audit::append_audit!(tx, &note).await?;
            let event = DomainEvent::CommentAdded {
                incident: handle,
                postmortem: id.to_string(),
                comment: comment_id.clone(),
                mentions: named,
            };
            crate::outbox::append_events!(tx, &[event], &incident_id, viewer.actor_id(), now).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await)?;
        self.comment(viewer, &comment_id).await
    }

    /// Resolves (`resolved`) or reopens the thread comment `id` belongs to, as the viewer
    /// (who must be able to see it); answers the thread's first comment.
    pub async fn resolve_comment(&self, viewer: &Viewer, id: &str, resolved: bool) -> Result<Comment, StoreError> {
        let comment = self.comment(viewer, id).await?;
        let thread = comment.reply_to.clone().unwrap_or_else(|| comment.id.clone());
        let now = Ts::now();
        on_pool!(self, |pool| async {
            let mut tx = pool.begin_write().await?;
            let changed = sqlx::query(
                "UPDATE comments SET resolved_at = $2, resolved_by = $3 WHERE id = $1 AND (resolved_at IS NULL) = $4",
            )
            .bind(&thread)
            .bind(resolved.then_some(now))
            .bind(if resolved { viewer.actor_id() } else { None })
            .bind(resolved)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                // Already as asked: nothing to record.
                return Ok::<_, StoreError>(());
            }
            let (incident_id, number): (String, i64) = sqlx::query_as(
                "SELECT i.id, i.number FROM postmortems p JOIN incidents i ON i.id = p.incident_id WHERE p.id = $1",
            )
            .bind(&comment.postmortem)
            .fetch_one(&mut *tx)
            .await?;
            let handle = incident_handle(number);
            let action = if resolved { "resolved a comment thread" } else { "reopened a comment thread" };
            let note = AuditNote::new(
                viewer.username.clone(),
                action,
                handle.clone(),
                serde_json::json!({ "comment": thread }),
            );
            crate::audit::append_audit!(tx, &note).await?;
            let event = DomainEvent::CommentResolved {
                incident: handle,
                postmortem: comment.postmortem.clone(),
                comment: thread.clone(),
                resolved,
            };
            crate::outbox::append_events!(tx, &[event], &incident_id, viewer.actor_id(), now).await?;
            tx.commit().await?;
            Ok(())
        }
        .await)?;
        self.comment(viewer, &thread).await
    }
}
