//! Runs the blameless-language check over every `.md` and `.txt` file under a folder (the
//! public post-mortems in `../shared/corpus`) and counts findings per 1,000 sentences, for
//! the rules alone and for rules and the learned model, by rule. With `--show N` it prints N
//! findings of each kind that only the model or only the new run reports, to be read by a
//! person. A measuring tool, not a test.
//!
//! With `--list` it prints every finding of the rules.
//!
//! Usage: `hindsight-lint-corpus DIR [--show N] [--list]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hindsight_core::lint::{LintRule, lint, lint_rules};

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "md" || x == "txt") {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: hindsight-lint-corpus DIR [--show N]");
        return ExitCode::from(2);
    };
    let show: usize = args.iter().position(|a| a == "--show").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(0);
    let list = args.iter().any(|a| a == "--list");
    let mut paths = Vec::new();
    if let Err(e) = files(Path::new(dir), &mut paths) {
        eprintln!("hindsight-lint-corpus: {dir}: {e}");
        return ExitCode::FAILURE;
    }
    let mut sentences = 0usize;
    let mut by_rule: BTreeMap<(&str, LintRule), usize> = BTreeMap::new();
    let mut shown = 0usize;
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        // A sentence count close to the check's own: ends of sentences and non-empty lines.
        sentences += text.lines().filter(|l| !l.trim().is_empty()).map(|l| l.matches(". ").count() + 1).sum::<usize>();
        let rules = lint_rules(&text, &[]);
        let all = lint(&text, &[]);
        for f in &rules {
            if list {
                println!("rules: {}:{}: {}: [{}] {}", path.display(), f.line, f.rule, f.matched, f.excerpt);
            }
            *by_rule.entry(("rules", f.rule)).or_default() += 1;
        }
        for f in &all {
            *by_rule.entry(("rules+model", f.rule)).or_default() += 1;
            if shown < show && f.rule == LintRule::PossibleBlame {
                shown += 1;
                println!("model: {}:{}: {}  [{}] {}", path.display(), f.line, f.excerpt, f.matched, f.why);
            }
        }
    }
    println!("{} files, about {sentences} sentences", paths.len());
    for run in ["rules", "rules+model"] {
        let total: usize = by_rule.iter().filter(|((r, _), _)| *r == run).map(|(_, n)| n).sum();
        println!("{run}: {total} findings, {:.2} per 1,000 sentences", total as f64 * 1000.0 / sentences.max(1) as f64);
        for ((_, rule), n) in by_rule.iter().filter(|((r, _), _)| *r == run) {
            println!("  {rule}: {n}");
        }
    }
    ExitCode::SUCCESS
}
