//! A first draft of a post-mortem written from its incident's timeline
//! ([`hindsight_core::analysis::draft`]): shown, or written into the post-mortem's empty
//! sections through the normal save, so its history records it (with why) and a live document
//! open in an editor takes it in.
//!
//! What a person wrote is never replaced: a section that holds text keeps it, and the draft of
//! that section is offered beside it, for the person to take what they want from.

use hindsight_core::access::Viewer;
use hindsight_core::analysis::{Draft, DraftSection, draft_from_timeline};
use hindsight_core::{Postmortem, PostmortemPatch, PostmortemStatus, SectionName, Sections, SectionsPatch};
use hindsight_core::{ValidationErrors, parse_incident_handle};
use hindsight_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Actor, AppError, Rules};

/// Why the history says the sections changed, when the draft is written into them.
pub const REASON: &str = "first draft written from the timeline";

/// A section a person has written, with the draft offered beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OfferedSection {
    pub section: SectionName,
    /// The section's text as it stands, kept.
    pub current: String,
    /// The draft of the section, for the person to take from.
    pub draft: DraftSection,
}

/// A post-mortem's first draft and where it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FirstDraft {
    /// The post-mortem, with the draft in its empty sections once it is written.
    pub postmortem: Postmortem,
    /// The draft, section by section, each sentence with the events it cites.
    pub draft: Draft,
    /// The empty sections the draft was written into (in a preview: would be).
    pub filled: Vec<SectionName>,
    /// The sections a person has written, left as they are, each with its draft beside it.
    /// A section whose text is already the draft is not offered again.
    pub offered: Vec<OfferedSection>,
}

/// The first draft of post-mortem `id` as `actor` sees its incident's timeline, and which
/// sections it would fill or be offered for; nothing is changed.
pub async fn preview(store: &Store, actor: &Actor, id: &str, rules: &Rules) -> Result<FirstDraft, AppError> {
    let viewer = actor.viewer();
    let postmortem = store.postmortem(&viewer, id).await?;
    let number = parse_incident_handle(&postmortem.incident)
        .ok_or_else(|| StoreError::Corrupt(format!("post-mortem {id} has no incident handle")))?;
    let draft = draft_of(store, &viewer, number, rules).await?;
    let (filled, offered) = place(&postmortem.sections, &draft);
    Ok(FirstDraft { postmortem, draft, filled, offered })
}

/// Writes the first draft into the empty sections of post-mortem `id` (editors and admins),
/// as one change in its history; sections a person wrote are offered the draft, not given it.
/// A post-mortem already published or archived is refused: what its readers read does not
/// change behind them.
pub async fn write(store: &Store, actor: &Actor, id: &str, rules: &Rules) -> Result<FirstDraft, AppError> {
    actor.require_write()?;
    let preview = preview(store, actor, id, rules).await?;
    let status = preview.postmortem.status;
    if matches!(status, PostmortemStatus::Published | PostmortemStatus::Archived) {
        return Err(AppError::Invalid(ValidationErrors::single(
            "status",
            format!(
                "this post-mortem is {}; a first draft is written only into one still being written",
                status.words()
            ),
        )));
    }
    if preview.filled.is_empty() {
        return Ok(preview);
    }
    let mut sections = preview.postmortem.sections.clone();
    fill_empty(&mut sections, &preview.draft);
    let patch = PostmortemPatch {
        version: preview.postmortem.version,
        sections: Some(patch_of(&sections, &preview.filled)),
        ..PostmortemPatch::default()
    };
    let postmortem = crate::postmortems::change_because(store, actor, id, patch, Some(REASON)).await?;
    Ok(FirstDraft { postmortem, ..preview })
}

/// Writes the draft into the sections of `sections` that are empty (white space is empty);
/// answers which, in the post-mortem's order.
pub fn fill_empty(sections: &mut Sections, draft: &Draft) -> Vec<SectionName> {
    let mut filled = Vec::new();
    for section in &draft.sections {
        if let Some(text) = text_mut(sections, section.section)
            && text.trim().is_empty()
        {
            *text = section.markdown.clone();
            filled.push(section.section);
        }
    }
    filled
}

/// The draft of incident `number`'s post-mortem from its timeline as `viewer` sees it.
pub(crate) async fn draft_of(store: &Store, viewer: &Viewer, number: i64, rules: &Rules) -> Result<Draft, StoreError> {
    let incident = store.incident(viewer, number).await?;
    let events = crate::analysis::timeline(store, viewer, number).await?;
    Ok(draft_from_timeline(&incident, &events, &rules.response))
}

/// Which sections the draft would fill (the empty ones) and which it is offered beside.
fn place(sections: &Sections, draft: &Draft) -> (Vec<SectionName>, Vec<OfferedSection>) {
    let mut copy = sections.clone();
    let filled = fill_empty(&mut copy, draft);
    let offered = draft
        .sections
        .iter()
        .filter(|s| !filled.contains(&s.section))
        .filter_map(|s| {
            let current = text(sections, s.section)?;
            (current.trim() != s.markdown.trim()).then(|| OfferedSection {
                section: s.section,
                current: current.to_string(),
                draft: s.clone(),
            })
        })
        .collect();
    (filled, offered)
}

/// A patch replacing `names` with their text in `sections`.
fn patch_of(sections: &Sections, names: &[SectionName]) -> SectionsPatch {
    let mut patch = SectionsPatch::default();
    for name in names {
        let text = text(sections, *name).map(str::to_string);
        match name {
            SectionName::Summary => patch.summary = text,
            SectionName::Detection => patch.detection = text,
            SectionName::ResponseAnalysis => patch.response_analysis = text,
            SectionName::Resolution => patch.resolution = text,
            _ => {}
        }
    }
    patch
}

/// The text of a section the draft writes; `None` for the others.
fn text(sections: &Sections, name: SectionName) -> Option<&str> {
    match name {
        SectionName::Summary => Some(&sections.summary),
        SectionName::Detection => Some(&sections.detection),
        SectionName::ResponseAnalysis => Some(&sections.response_analysis),
        SectionName::Resolution => Some(&sections.resolution),
        _ => None,
    }
}

fn text_mut(sections: &mut Sections, name: SectionName) -> Option<&mut String> {
    match name {
        SectionName::Summary => Some(&mut sections.summary),
        SectionName::Detection => Some(&mut sections.detection),
        SectionName::ResponseAnalysis => Some(&mut sections.response_analysis),
        SectionName::Resolution => Some(&mut sections.resolution),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hindsight_core::analysis::DraftSentence;

    fn draft() -> Draft {
        let section = |section, markdown: &str| DraftSection {
            section,
            sentences: vec![DraftSentence { text: markdown.into(), cites: vec!["e1".into()] }],
            narrative: vec![],
            markdown: markdown.into(),
        };
        Draft {
            incident: "INC-1".into(),
            events: 1,
            sections: vec![
                section(SectionName::Summary, "Drafted summary."),
                section(SectionName::Detection, "Drafted detection."),
                section(SectionName::Resolution, "Drafted resolution."),
            ],
        }
    }

    #[test]
    fn only_empty_sections_are_filled_and_the_written_ones_are_offered() {
        let sections = Sections {
            summary: "  \n".into(),
            detection: "Found by a customer.".into(),
            resolution: "Drafted resolution.".into(),
            ..Sections::default()
        };
        let (filled, offered) = place(&sections, &draft());
        assert_eq!(filled, [SectionName::Summary]);
        assert_eq!(offered.len(), 1, "the resolution is the draft already: {offered:?}");
        assert_eq!((offered[0].section, offered[0].current.as_str()), (SectionName::Detection, "Found by a customer."));
        let mut filled_in = sections.clone();
        assert_eq!(fill_empty(&mut filled_in, &draft()), [SectionName::Summary]);
        assert_eq!(filled_in.summary, "Drafted summary.");
        assert_eq!(filled_in.detection, "Found by a customer.");
        assert_eq!(patch_of(&filled_in, &filled).summary.as_deref(), Some("Drafted summary."));
        assert_eq!(patch_of(&filled_in, &filled).detection, None);
    }
}
