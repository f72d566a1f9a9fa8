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
    // The learned model's `possible-blame` is a guess worth a look, right about one time in
    // five on published post-mortems: it is printed, but only the rules' findings fail the check.
    let guess = |f: &&hindsight_core::lint::Finding| f.rule == hindsight_core::lint::LintRule::PossibleBlame;
    let guesses: usize = found.iter().map(|f| f.findings.iter().filter(guess).count()).sum();
    let count: usize = found.iter().map(|f| f.findings.len()).sum::<usize>() - guesses;
    if json {
        println!("{}", serde_json::to_string_pretty(&found)?);
    } else {
        for field in &found {
            for finding in &field.findings {
                print_finding(&field.field, finding);
            }
        }
    }
    let worth_a_look = if guesses > 0 {
        format!("; {guesses} more worth a look (possible-blame), which do not fail the check")
    } else {
        String::new()
    };
    if count > 0 {
        anyhow::bail!("{count} finding(s) of blaming language{worth_a_look}");
    }
    if !json {
        eprintln!("No blaming language found{worth_a_look}.");
    }
    Ok(())
}

fn print_finding(place: &str, f: &Finding) {
    let rule = serde_json::to_value(f.rule).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    println!("{place}:{}:{}: {rule}: \"{}\"", f.line, f.column, f.matched);
    println!("  why: {}", f.why);
    println!("  try: {}", f.suggestion);
}
