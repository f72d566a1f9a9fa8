//! Times `hindsight_core::lint::lint` (rules and learned model) and `lint_rules` (rules
//! only) on one post-mortem of N sentences, built from the labelled corpus's sentences in a
//! fixed order (blaming and neutral mixed as the corpus mixes them), as paragraphs of five
//! sentences. Prints the median and the fastest of R runs each. A measuring tool, not a test.
//!
//! Usage: `hindsight-lint-bench [SENTENCES] [RUNS]` (defaults 1000 and 21).

use std::hint::black_box;
use std::time::{Duration, Instant};

use hindsight_core::lint::{Finding, lint, lint_rules};

const PARTS: &[&str] = &[
    include_str!("../../../crates/core/tests/fixtures/blameless_sentences.tsv"),
    include_str!("../../../crates/core/tests/fixtures/blameless/idioms.tsv"),
    include_str!("../../../crates/core/tests/fixtures/blameless/punishment.tsv"),
    include_str!("../../../crates/core/tests/fixtures/blameless/counterfactuals.tsv"),
    include_str!("../../../crates/core/tests/fixtures/blameless/root-cause-and-hindsight.tsv"),
    include_str!("../../../crates/core/tests/fixtures/blameless/chat-and-timeline.tsv"),
    include_str!("../../../crates/core/tests/fixtures/blameless/voices.tsv"),
    include_str!("../../../crates/core/tests/fixtures/blameless/corpus.tsv"),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let sentences: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(21).max(1);

    let pool: Vec<&str> = PARTS
        .iter()
        .flat_map(|part| part.lines())
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split('\t').nth(2))
        .map(str::trim)
        .filter(|s| s.ends_with(['.', '!', '?']))
        .collect();
    let mut document = String::from("# Post-mortem\n\n");
    for (n, sentence) in pool.iter().cycle().take(sentences).enumerate() {
        document.push_str(sentence);
        document.push(if n % 5 == 4 { '\n' } else { ' ' });
        if n % 5 == 4 {
            document.push('\n');
        }
    }
    let names: Vec<String> = ["Dana", "dana.kim", "Dana Kim", "sam"].iter().map(|s| s.to_string()).collect();

    println!(
        "document: {sentences} sentences, {} words, {} bytes; {runs} runs each",
        document.split_whitespace().count(),
        document.len()
    );
    for (what, check) in
        [("rules only (lint_rules)", lint_rules as fn(&str, &[String]) -> Vec<Finding>), ("rules + model (lint)", lint)]
    {
        let mut times: Vec<Duration> = Vec::with_capacity(runs);
        let mut findings = 0;
        for _ in 0..runs {
            let started = Instant::now();
            findings = black_box(check(black_box(&document), &names)).len();
            times.push(started.elapsed());
        }
        times.sort();
        println!(
            "{what}: median {:.2} ms, fastest {:.2} ms, {findings} findings",
            times[runs / 2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3
        );
    }
}
