//! Measures the blameless-language check against labelled sentences and holds it to
//! precision and recall floors. A sentence counts as flagged when the check reports anything
//! for it, at any severity.
//!
//! The sentences live in `tests/fixtures/blameless_sentences.tsv` (written while the rules
//! were designed) and `tests/fixtures/blameless/*.tsv` (written afterwards in other voices,
//! and real sentences from public post-mortems). Each row says whether it belongs to the
//! development set or the test set; `tools/lint-model/split.py` assigned them once by a hash
//! of the text, and a test here checks that no row has moved. Nothing is tuned on the test set:
//! its numbers are the honest estimate for wording the check has not seen.
//!
//! Run with `cargo test -p hindsight-core --test lint_eval -- --nocapture` to see the numbers
//! and every miss and false alarm.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

use hindsight_core::lint::{LintSeverity, lint};
use sha2::{Digest, Sha256};

/// Names the fixture's header says the check is told about.
const KNOWN_NAMES: &[&str] = &["Dana", "dana.kim", "Dana Kim", "sam", "Sam Ortiz", "Priya", "priya.raman", "Luis"];

/// Floors on the sentences written while the rules were designed (all of
/// `blameless_sentences.tsv`, both sides of the split): the measured values rounded down, precision
/// one step lower so that it is a floor rather than an equality.
const DESIGN_PRECISION_FLOOR: f64 = 0.99;
const DESIGN_RECALL_FLOOR: f64 = 0.95;

/// Floors on the test set: its measured values rounded down to two places.
const TEST_PRECISION_FLOOR: f64 = 0.97;
const TEST_RECALL_FLOOR: f64 = 0.72;

/// The salt `tools/lint-model/split.py` hashes with each sentence.
const SPLIT_SALT: &str = "hindsight blameless split 1\t";

/// The fixture files, by name, in the order they are reported.
const PARTS: &[(&str, &str)] = &[
    ("design", include_str!("fixtures/blameless_sentences.tsv")),
    ("idioms", include_str!("fixtures/blameless/idioms.tsv")),
    ("punishment", include_str!("fixtures/blameless/punishment.tsv")),
    ("counterfactuals", include_str!("fixtures/blameless/counterfactuals.tsv")),
    ("root-cause-and-hindsight", include_str!("fixtures/blameless/root-cause-and-hindsight.tsv")),
    ("chat-and-timeline", include_str!("fixtures/blameless/chat-and-timeline.tsv")),
    ("voices", include_str!("fixtures/blameless/voices.tsv")),
    ("corpus", include_str!("fixtures/blameless/corpus.tsv")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Blame,
    Ok,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    Dev,
    Test,
}

struct Example {
    part: &'static str,
    label: Label,
    split: Split,
    sentence: &'static str,
}

fn examples() -> Vec<Example> {
    let mut all = Vec::new();
    for (part, text) in PARTS {
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            assert!(fields.len() >= 3, "{part}:{}: expected `label<TAB>split<TAB>sentence`", n + 1);
            let label = match fields[0] {
                "blame" => Label::Blame,
                "ok" => Label::Ok,
                other => panic!("{part}:{}: unknown label {other:?}", n + 1),
            };
            let split = match fields[1] {
                "dev" => Split::Dev,
                "test" => Split::Test,
                other => panic!("{part}:{}: unknown split {other:?}", n + 1),
            };
            all.push(Example { part, label, split, sentence: fields[2] });
        }
    }
    all
}

/// What `tools/lint-model/split.py` assigns to `sentence`.
fn split_of(sentence: &str) -> Split {
    let digest = Sha256::digest(format!("{SPLIT_SALT}{sentence}").as_bytes());
    let head = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    if f64::from(head) < 0.30 * 4_294_967_296.0 { Split::Test } else { Split::Dev }
}

/// Counts of one evaluation.
#[derive(Debug, Default)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
    misses: Vec<String>,
    false_alarms: Vec<String>,
}

impl Score {
    fn of<'a>(examples: impl IntoIterator<Item = &'a Example>) -> Score {
        let names: Vec<String> = KNOWN_NAMES.iter().map(|s| s.to_string()).collect();
        let mut score = Score::default();
        for example in examples {
            let findings = lint(example.sentence, &names);
            match (example.label, findings.is_empty()) {
                (Label::Blame, false) => score.tp += 1,
                (Label::Blame, true) => {
                    score.fn_ += 1;
                    score.misses.push(format!("{}: {}", example.part, example.sentence));
                }
                (Label::Ok, false) => {
                    score.fp += 1;
                    let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
                    score.false_alarms.push(format!("{}: {}  [{}]", example.part, example.sentence, rules.join(", ")));
                }
                (Label::Ok, true) => score.tn += 1,
            }
        }
        score
    }

    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }

    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }

    fn line(&self, what: &str) -> String {
        format!(
            "{what}: {} sentences, tp={} fp={} fn={} tn={}, precision={:.3} recall={:.3}",
            self.tp + self.fp + self.fn_ + self.tn,
            self.tp,
            self.fp,
            self.fn_,
            self.tn,
            self.precision(),
            self.recall()
        )
    }

    fn print_errors(&self) {
        for sentence in &self.false_alarms {
            println!("  false alarm: {sentence}");
        }
        for sentence in &self.misses {
            println!("  missed: {sentence}");
        }
    }
}

#[test]
fn the_corpus_is_large_and_balanced_enough_to_measure() {
    let all = examples();
    let blame = all.iter().filter(|e| e.label == Label::Blame).count();
    let test = all.iter().filter(|e| e.split == Split::Test).count();
    assert!(all.len() >= 1_000, "{} sentences", all.len());
    assert!(blame * 3 >= all.len() && (all.len() - blame) * 3 >= all.len(), "{blame} blame of {}", all.len());
    assert!(test * 4 >= all.len() && test * 3 <= all.len(), "{test} in the test set of {}", all.len());
}

#[test]
fn every_sentence_stays_on_the_side_of_the_split_its_hash_gives() {
    for example in examples() {
        assert_eq!(example.split, split_of(example.sentence), "{}: {}", example.part, example.sentence);
    }
}

#[test]
fn no_sentence_is_in_the_corpus_twice() {
    let mut seen = std::collections::HashSet::new();
    for example in examples() {
        assert!(seen.insert(example.sentence), "{}: {}", example.part, example.sentence);
    }
}

#[test]
fn the_sentences_written_with_the_rules_stay_above_their_floors() {
    let all = examples();
    let score = Score::of(all.iter().filter(|e| e.part == "design"));
    println!("{}", score.line("design sentences, both sides"));
    assert!(score.precision() >= DESIGN_PRECISION_FLOOR, "precision {:.3}", score.precision());
    assert!(score.recall() >= DESIGN_RECALL_FLOOR, "recall {:.3}", score.recall());
}

#[test]
fn precision_and_recall_on_the_test_set_stay_above_their_floors() {
    let all = examples();
    for (split, name) in [(Split::Dev, "dev"), (Split::Test, "test")] {
        println!("{}", Score::of(all.iter().filter(|e| e.split == split)).line(name));
        for (part, _) in PARTS {
            let score = Score::of(all.iter().filter(|e| e.split == split && e.part == *part));
            println!("  {}", score.line(part));
        }
    }
    let dev = Score::of(all.iter().filter(|e| e.split == Split::Dev));
    println!("dev errors:");
    dev.print_errors();
    let test = Score::of(all.iter().filter(|e| e.split == Split::Test));
    println!("test errors:");
    test.print_errors();
    assert!(test.precision() >= TEST_PRECISION_FLOOR, "test precision {:.3}", test.precision());
    assert!(test.recall() >= TEST_RECALL_FLOOR, "test recall {:.3}", test.recall());
}

/// Every rewrite offered for a corpus sentence is blameless and grammatical as far as the
/// check can see: linted again it yields no warning, and it puts no two articles together.
/// Advice (the same text offered for many sentences, e.g. "Drop whose fault it was…") names
/// the wording it asks to replace and is not a rewrite, so it is told apart by being offered
/// for more than one sentence.
#[test]
fn no_rewrite_offered_for_a_corpus_sentence_is_itself_blaming_or_doubles_an_article() {
    let names: Vec<String> = KNOWN_NAMES.iter().map(|s| s.to_string()).collect();
    let mut offered: std::collections::HashMap<String, std::collections::HashSet<&str>> =
        std::collections::HashMap::new();
    let all = examples();
    for example in &all {
        for finding in lint(example.sentence, &names) {
            offered.entry(finding.suggestion).or_default().insert(example.sentence);
        }
    }
    let rewrites: Vec<(&String, &str)> = offered
        .iter()
        .filter(|(_, sentences)| sentences.len() == 1)
        .filter_map(|(suggestion, sentences)| sentences.iter().next().map(|s| (suggestion, *s)))
        .collect();
    for (rewrite, sentence) in &rewrites {
        let again: Vec<String> = lint(rewrite, &names)
            .into_iter()
            .filter(|f| f.severity == LintSeverity::Warning)
            .map(|f| f.rule.to_string())
            .collect();
        assert!(again.is_empty(), "{sentence} -> {rewrite} [{}]", again.join(", "));
        let lower = format!(" {} ", rewrite.to_lowercase());
        for doubled in [" a a ", " a an ", " an a ", " the a ", " a the ", " the the ", " an the ", " the an "] {
            assert!(!lower.contains(doubled), "{sentence} -> {rewrite}");
        }
    }
    println!("{} rewrites offered and checked", rewrites.len());
    assert!(rewrites.len() >= 50, "{} rewrites", rewrites.len());
}
