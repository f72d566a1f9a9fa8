//! Post-mortem documents: one incident's post-mortem, timeline and action items as a single
//! file a person can read, print, keep in a repository, or bring back into Hindsight. A crate
//! apart from the domain (`hindsight-core`), so that its renderers (comrak, ammonia, typst)
//! build, and PDF support switches on, without rebuilding what does not render.
//!
//! Three forms, all pure functions of a [`PostmortemDocument`]:
//! - JSON: the document itself, through serde (`serde_json::to_string_pretty`); the export
//!   format for machines.
//! - Markdown ([`to_markdown`], read back by [`from_markdown`]): a front matter of structured
//!   fields, then one `## ` section per part of the post-mortem. The grammar, and how user text
//!   that looks like that grammar is escaped, is described in `syntax.rs` and `front_matter.rs`.
//! - HTML ([`to_html`]): a standalone, printable page; user text is escaped or, where it is
//!   Markdown, rendered with comrak and sanitised with ammonia.
//! - PDF ([`to_pdf`]): the same parts typeset by typst (`pdf.rs`), with the fonts compiled in;
//!   only in builds with the cargo feature `pdf`, others answer [`PdfError::NotBuilt`].
//!
//! This crate does no I/O and does not decide what a reader may see: the caller builds the
//! document from what the store gives the reader, and stores what an import returns.

// Unit tests use some dev-dependencies, not all.
#![cfg_attr(test, allow(unused_crate_dependencies))]

mod discussion;
mod front_matter;
mod html;
mod markdown;
mod parse;
mod pdf;
mod syntax;

use time::Date;

pub use hindsight_core::document::PostmortemDocument;
use hindsight_core::model::{
    NewActionItem, NewIncident, NewPostmortem, NewTimelineEvent, PendingRecommendation, PostmortemStatus, Sections,
    link_recommendations,
};

pub use html::{escape as escape_html, grouped, markdown as markdown_html, to_html};
pub use markdown::to_markdown;
pub use parse::from_markdown;
pub use pdf::{PDF_NOT_BUILT, PdfError, to_pdf, to_typst};

/// What [`from_markdown`] reads from a document, in the model's input types, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedPostmortem {
    /// The handle the incident had where the document was written (`INC-42`), if it says.
    pub handle: Option<String>,
    pub incident: NewIncident,
    pub status: PostmortemStatus,
    /// Username of the post-mortem's owner.
    pub owner: Option<String>,
    pub due_date: Option<Date>,
    /// Every section but the recommendations, which need action item ids; see
    /// [`ImportedPostmortem::new_postmortem`].
    pub sections: Sections,
    pub recommendations: Vec<PendingRecommendation>,
    pub action_items: Vec<NewActionItem>,
    pub events: Vec<NewTimelineEvent>,
    /// Keys of the contributing factors it was tagged with.
    pub factors: Vec<String>,
    /// Handles of the related incidents it covered where it was written: read, not linked on
    /// import, since those incidents are not in the document.
    pub covers: Vec<String>,
}

impl ImportedPostmortem {
    /// The post-mortem to create, its recommendations linked to the ids the action items were given
    /// (in the order of [`ImportedPostmortem::action_items`]).
    pub fn new_postmortem(&self, action_item_ids: &[String]) -> NewPostmortem {
        let mut sections = self.sections.clone();
        sections.recommendations = link_recommendations(&self.recommendations, action_item_ids);
        NewPostmortem { owner: self.owner.clone(), due_date: self.due_date, sections }
    }
}

/// A Markdown document that could not be read: the line at fault (1-based) and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DocumentError {
    pub line: usize,
    pub message: String,
}

impl DocumentError {
    fn new(line: usize, message: impl Into<String>) -> DocumentError {
        DocumentError { line, message: message.into() }
    }
}

#[cfg(test)]
mod round_trip;
