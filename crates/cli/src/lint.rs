//! `hindsight lint`: check a Markdown file, or a stored post-mortem, for blaming
//! language. Exits 1 when it finds any, so teams that keep post-mortems in git can run
//! it in their own CI.

use std::path::Path;

use anyhow::Context;
use hindsight_app::analysis::{FieldFindings, known_names, lint_postmortem};
use hindsight_core::access::Viewer;
use hindsight_core::lint::{Finding, lint};

use crate::config::Config;

/// Lints `target` (a file, or an incident handle whose post-mortem is stored) and prints
/// the findings; fails when there are any.
pub async fn run(config: &Config, target: &str, names: Vec<String>, json: bool) -> anyhow::Result<()> {
    let path = Path::new(target);
    let found: Vec<FieldFindings> = if path.exists() {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {target}"))?;
        let findings = lint(&text, &names);
        if findings.is_empty() { Vec::new() } else { vec![FieldFindings { field: target.to_string(), findings }] }
    } else if let Some(number) = hindsight_core::parse_incident_handle(target).filter(|_| target.contains('-')) {
        let store = crate::open(config).await?;
        let viewer = Viewer::operator();
        let postmortem = store.postmortem_of_incident(&viewer, number).await?;
        let incident = store.incident(&viewer, number).await?;
        let mut all_names = known_names(&store, Some(&incident)).await?;
        all_names.extend(names);
        lint_postmortem(&postmortem, &all_names)
    } else {
        anyhow::bail!("{target} is neither a file nor an incident handle such as INC-42");
    };
    let count: usize = found.iter().map(|f| f.findings.len()).sum();
    if json {
        println!("{}", serde_json::to_string_pretty(&found)?);
    } else {
        for field in &found {
            for finding in &field.findings {
                print_finding(&field.field, finding);
            }
        }
    }
    if count > 0 {
        anyhow::bail!("{count} finding(s) of blaming language");
    }
    if !json {
        eprintln!("No blaming language found.");
    }
    Ok(())
}

fn print_finding(place: &str, f: &Finding) {
    let rule = serde_json::to_value(f.rule).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    println!("{place}:{}:{}: {rule}: \"{}\"", f.line, f.column, f.matched);
    println!("  why: {}", f.why);
    println!("  try: {}", f.suggestion);
}
