//! Prints, for every labelled sentence of the blameless-language corpus
//! (`crates/core/tests/fixtures/blameless_sentences.tsv` and `…/blameless/*.tsv`), the
//! features the learned model weighs and whether the rules alone flag it, so that
//! `train.py` trains on exactly what the check computes. It trains nothing itself.
//!
//! Output: one line per sentence, `part<TAB>split<TAB>label<TAB>rules<TAB>sentence<TAB>feature…`,
//! where `rules` is `1` when a rule reports anything. Usage:
//! `cargo run -q --release -p hindsight-lint-model -- [FIXTURES_DIR]`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hindsight_core::lint::{lint_rules, model_features};

/// The names `crates/core/tests/lint_eval.rs` passes to the check.
const KNOWN_NAMES: &[&str] = &["Dana", "dana.kim", "Dana Kim", "sam", "Sam Ortiz", "Priya", "priya.raman", "Luis"];

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/core/tests/fixtures"));
    match run(&dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("hindsight-lint-features: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &Path) -> Result<(), String> {
    let mut files = vec![dir.join("blameless_sentences.tsv")];
    let parts = dir.join("blameless");
    let mut more: Vec<PathBuf> = std::fs::read_dir(&parts)
        .map_err(|e| format!("{}: {e}", parts.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    more.sort();
    files.extend(more);

    let names: Vec<String> = KNOWN_NAMES.iter().map(|s| s.to_string()).collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let part = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let part = if part == "blameless_sentences" { "design".to_string() } else { part };
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let [label, split, sentence, ..] = fields.as_slice() else {
                return Err(format!("{}:{}: expected label<TAB>split<TAB>sentence", file.display(), n + 1));
            };
            let rules = u8::from(!lint_rules(sentence, &names).is_empty());
            let features = model_features(sentence, &names).join("\t");
            writeln!(out, "{part}\t{split}\t{label}\t{rules}\t{sentence}\t{features}").map_err(|e| e.to_string())?;
        }
    }
    out.flush().map_err(|e| e.to_string())
}
