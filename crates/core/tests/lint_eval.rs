//! Measures the blameless-language check against a labelled set of sentences
//! (`tests/fixtures/blameless_sentences.tsv`) and holds it to precision and
//! recall floors. A sentence counts as flagged when the check reports anything
//! for it, at any severity.
//!
//! Run with `cargo test -p hindsight-core --test lint_eval -- --nocapture` to
//! see the numbers and every miss and false alarm.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

use hindsight_core::lint::lint;

/// Names the fixture's header says the check is told about.
const KNOWN_NAMES: &[&str] = &["Dana", "dana.kim", "Dana Kim", "sam", "Sam Ortiz", "Priya", "priya.raman", "Luis"];

/// What precision and recall must not fall below: the measured values (1.000 and 0.955 on
/// 509 sentences) rounded down to two places, precision one step lower so that it is a
/// floor rather than an equality.
const PRECISION_FLOOR: f64 = 0.99;
const RECALL_FLOOR: f64 = 0.95;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Blame,
    Ok,
}

fn labelled_sentences() -> Vec<(Label, String)> {
    let text = include_str!("fixtures/blameless_sentences.tsv");
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|(n, line)| {
            let (label, sentence) =
                line.split_once('\t').unwrap_or_else(|| panic!("line {}: expected `label<TAB>sentence`", n + 1));
            let label = match label {
                "blame" => Label::Blame,
                "ok" => Label::Ok,
                other => panic!("line {}: unknown label {other:?}", n + 1),
            };
            (label, sentence.to_string())
        })
        .collect()
}

#[test]
fn the_fixture_is_large_and_balanced_enough_to_measure() {
    let set = labelled_sentences();
    let blame = set.iter().filter(|(l, _)| *l == Label::Blame).count();
    assert!(set.len() >= 200, "{} sentences", set.len());
    assert!(blame >= 80 && set.len() - blame >= 80, "{blame} blame of {}", set.len());
}

#[test]
fn precision_and_recall_stay_above_their_floors() {
    let names: Vec<String> = KNOWN_NAMES.iter().map(|s| s.to_string()).collect();
    let (mut tp, mut fp, mut fn_, mut tn) = (0usize, 0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    let mut false_alarms = Vec::new();
    for (label, sentence) in labelled_sentences() {
        let findings = lint(&sentence, &names);
        match (label, findings.is_empty()) {
            (Label::Blame, false) => tp += 1,
            (Label::Blame, true) => {
                fn_ += 1;
                misses.push(sentence);
            }
            (Label::Ok, false) => {
                fp += 1;
                let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
                false_alarms.push(format!("{sentence}  [{}]", rules.join(", ")));
            }
            (Label::Ok, true) => tn += 1,
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    println!("blameless lint on {} sentences: tp={tp} fp={fp} fn={fn_} tn={tn}", tp + fp + fn_ + tn);
    println!("precision={precision:.3} recall={recall:.3}");
    for sentence in &false_alarms {
        println!("false alarm: {sentence}");
    }
    for sentence in &misses {
        println!("missed: {sentence}");
    }
    assert!(precision >= PRECISION_FLOOR, "precision {precision:.3} fell below {PRECISION_FLOOR}");
    assert!(recall >= RECALL_FLOOR, "recall {recall:.3} fell below {RECALL_FLOOR}");
}
