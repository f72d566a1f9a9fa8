//! The post-mortem document: one incident's post-mortem with the timeline and action items it
//! refers to, as one value. Rendering it (Markdown, HTML, PDF) and reading it back from
//! Markdown is the `hindsight-document` crate's work.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{ActionItem, Comment, Incident, Postmortem, TimelineEvent};

/// One incident's post-mortem with everything it refers to; also the JSON export format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PostmortemDocument {
    pub incident: Incident,
    pub postmortem: Postmortem,
    /// The incident's timeline, in the order to show it.
    pub events: Vec<TimelineEvent>,
    /// The incident's action items; recommendations link to them by id.
    pub action_items: Vec<ActionItem>,
    /// The post-mortem's discussion, oldest first, when asked for (an appendix); empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discussion: Vec<Comment>,
    /// Keys of the contributing factors the post-mortem is tagged with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub factors: Vec<String>,
    /// Handles of the related incidents the post-mortem covers besides its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<String>,
}
