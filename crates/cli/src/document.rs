//! `hindsight export` and `hindsight import-postmortem`: a post-mortem as a document
//! (Markdown with front matter, printable HTML, JSON, PDF in builds with the `pdf` feature)
//! and back; `hindsight draft`: its first draft written from the timeline.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use hindsight_app::Actor;
use hindsight_core::access::Viewer;
use hindsight_document::{PostmortemDocument, to_html, to_markdown, to_pdf};
use hindsight_store::Store;

use crate::inspect::incident_number;

/// Writes the post-mortem of `handle` as `format` (md, html, json or pdf) to `output` or standard output.
pub async fn export(
    store: &Store,
    handle: &str,
    format: &str,
    output: Option<PathBuf>,
    discussion: bool,
) -> anyhow::Result<()> {
    let number = incident_number(handle)?;
    let render: fn(&PostmortemDocument) -> anyhow::Result<Vec<u8>> = match format {
        "md" | "markdown" => |doc| Ok(to_markdown(doc).into_bytes()),
        "html" => |doc| Ok(to_html(doc).into_bytes()),
        "json" => |doc| Ok(serde_json::to_string_pretty(doc)?.into_bytes()),
        "pdf" => |doc| Ok(to_pdf(doc)?),
        other => anyhow::bail!("--format {other:?}: choose md, html, json or pdf"),
    };
    if format == "pdf" && output.is_none() && std::io::stdout().is_terminal() {
        anyhow::bail!("a PDF is not for a terminal: write it to a file with -o FILE, or redirect the output");
    }
    let doc = hindsight_app::analysis::document_with(store, &Viewer::operator(), number, discussion).await?;
    let bytes = render(&doc)?;
    match output {
        Some(path) => std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes).and_then(|()| stdout.flush()).context("cannot write to standard output")?;
        }
    }
    Ok(())
}

/// Prints the first draft of `handle`'s post-mortem, written from its timeline, section by
/// section as Markdown (or everything as JSON); with `write`, writes it into the post-mortem's
/// empty sections first, as the operator. What it did goes to standard error.
pub async fn draft(
    store: &Store,
    config: &crate::config::Config,
    handle: &str,
    write: bool,
    json: bool,
) -> anyhow::Result<()> {
    let number = incident_number(handle)?;
    let postmortem = match store.postmortem_of_incident(&Viewer::operator(), number).await {
        Err(hindsight_store::StoreError::NotFound(_)) => anyhow::bail!(
            "{handle} has no post-mortem yet: start one (in the web UI or with the API), and its empty sections \
             get the first draft as it starts"
        ),
        other => other?,
    };
    // The response checklist admins set in the web pages counts here as it does in the server.
    let rules = config.rules().in_force(store).await?;
    let first = if write {
        hindsight_app::first_draft::write(store, &Actor::Operator, &postmortem.id, &rules).await?
    } else {
        hindsight_app::first_draft::preview(store, &Actor::Operator, &postmortem.id, &rules).await?
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&first)?);
    } else {
        for section in &first.draft.sections {
            println!("## {}\n\n{}\n", heading(section.section), section.markdown);
        }
    }
    let names =
        |sections: &[hindsight_core::SectionName]| sections.iter().map(|s| s.words()).collect::<Vec<_>>().join(", ");
    let offered: Vec<hindsight_core::SectionName> = first.offered.iter().map(|o| o.section).collect();
    if first.draft.is_empty() {
        eprintln!("{handle}'s timeline has no events: there is nothing to write a draft from.");
    } else if write {
        match first.filled.is_empty() {
            true => eprintln!("No empty section to write the draft into; the post-mortem is unchanged."),
            false => {
                eprintln!("Wrote the draft into: {} (version {}).", names(&first.filled), first.postmortem.version)
            }
        }
    } else if !first.filled.is_empty() {
        eprintln!("Empty, and filled by --write: {}.", names(&first.filled));
    }
    if !offered.is_empty() {
        eprintln!(
            "Written by someone, kept as they are (the draft above is for them to take from): {}.",
            names(&offered)
        );
    }
    Ok(())
}

/// A section's name as a heading: `Response analysis`.
fn heading(section: hindsight_core::SectionName) -> String {
    let words = section.words();
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// Reads a Markdown post-mortem and stores it as a new incident with its post-mortem,
/// action items and timeline. Prints the new incident's handle.
pub async fn import(store: &Store, path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let (handle, summary) =
        import_markdown(store, &text).await.with_context(|| format!("importing {}", path.display()))?;
    println!("{handle}");
    eprintln!("Imported {} as {handle}: {summary}.", path.display());
    Ok(())
}

/// Stores a Markdown post-mortem as a new incident; answers its handle and what was stored.
pub async fn import_markdown(store: &Store, text: &str) -> anyhow::Result<(String, String)> {
    let imported = hindsight_app::postmortems::import_document(store, &Actor::Operator, text).await?;
    let summary = format!(
        "{} action items, {} timeline events, post-mortem {}",
        imported.action_items, imported.events, imported.postmortem.status
    );
    Ok((imported.incident.handle, summary))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hindsight_app::analysis::document;

    #[tokio::test]
    async fn every_demo_postmortem_survives_export_and_import_unchanged() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        crate::demo::load_demo(&store).await.unwrap();
        let viewer = Viewer::operator();
        let incidents = store.list_incidents(&viewer, &Default::default(), None, 200).await.unwrap().items;
        let mut checked = 0;
        for incident in incidents {
            let Ok(original) = document(&store, &viewer, incident.number).await else { continue };
            let markdown = to_markdown(&original);
            let (handle, _) = import_markdown(&store, &markdown).await.unwrap();
            let copy = document(&store, &viewer, incident_number(&handle).unwrap()).await.unwrap();
            // The handle is the new incident's; the incidents a post-mortem covers are not in
            // its document, so the copy covers none.
            let strip = |text: String| {
                text.lines()
                    .filter(|l| !l.starts_with("# INC-") && !l.starts_with("incident: ") && !l.starts_with("covers: "))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            assert_eq!(strip(to_markdown(&copy)), strip(markdown), "{} changed in the round trip", incident.handle);
            checked += 1;
        }
        assert!(checked >= 10, "only {checked} demo incidents have a post-mortem");
    }
}
