//! The learned part of the blameless-language check: a linear model (logistic regression)
//! over the words and word pairs of a sentence, trained offline by
//! `tools/lint-model/train.py` on the development half of the labelled corpus. Its weights are
//! a generated table (`model_weights.rs`), so scoring is a lookup and a sum: deterministic, no
//! I/O, no dependency.
//!
//! It does not explain or rewrite: the rules do that. It only says which sentences the rules
//! left alone still read like blame, and which of their words weighed most, so that a person
//! takes a second look. Names and @mentions become `<name>`, numbers `<num>` and quoted or
//! code text `<quoted>`, so what it learns is wording, not who was named.

use super::model_weights::{BIAS, FEATURES, THRESHOLD};
use super::names::{Agent, People};
use super::sentences::{Kind, Sentence};

/// The marker that stands before a sentence's first token in word pairs.
const START: &str = "<s>";

/// The normalised token at `i`, and whether it stands for a person: its lower-case word, or a
/// placeholder for names, numbers and quoted text.
fn normalised<'a>(s: &'a Sentence, people: &People, i: usize) -> (&'a str, bool) {
    let t = &s.tokens[i];
    match t.kind {
        Kind::Mention => ("<name>", true),
        Kind::Number => ("<num>", false),
        Kind::Opaque => ("<quoted>", false),
        Kind::Punct => (t.lower.get(..t.lower.chars().next().map_or(0, char::len_utf8)).unwrap_or(""), false),
        Kind::Word => match people.classify(s, i) {
            Some((Agent::Named | Agent::Guessed, _)) => ("<name>", true),
            Some((agent, _)) => (t.lower.as_str(), agent.is_individual()),
            None => (t.lower.as_str(), false),
        },
    }
}

/// Calls `visit` with each of the sentence's features and the characters it covers: words
/// (`u:`), word pairs (`b:`), and pairs with any person-like subject, a name, a pronoun, a
/// role, "someone", as `<person>` (`p:`), so that "the intern skipped" and "Dana skipped"
/// teach the same thing. A feature can come more than once.
fn visit_features(s: &Sentence, people: &People, mut visit: impl FnMut(&str, usize, usize)) {
    let mut name = String::with_capacity(64);
    // The previous token: its word, whether it is a person, where it starts and ends.
    let mut previous: (&str, bool, usize, usize) = (START, false, 0, 0);
    let mut first = true;
    let mut emit = |word: &str, person: bool, start: usize, end: usize, previous: &mut (&str, bool, usize, usize)| {
        let (before, before_person, from, before_end) = if first { (START, false, start, start) } else { *previous };
        first = false;
        // Punctuation weighs but is not shown: its pairs point at the word before it.
        let punctuation = !word.starts_with('<') && !word.chars().any(char::is_alphanumeric);
        let (start, end) = if punctuation { (start, start) } else { (start, end) };
        let end = if punctuation { before_end.max(from) } else { end };
        // A name alone says nothing about wording: capitalised product names are guessed as
        // names too, and a model that weighs `<name>` flags "Parsoid restarted". Names count
        // only next to a word.
        let bare_name = word == "<name>";
        let opening = before == START || before.chars().all(|c| !c.is_alphanumeric());
        if !bare_name {
            name.clear();
            name.push_str("u:");
            name.push_str(word);
            visit(&name, start, end);
        }
        if !(bare_name && opening) {
            name.clear();
            name.push_str("b:");
            name.push_str(before);
            name.push(' ');
            name.push_str(word);
            visit(&name, from, end);
        }
        if (person && !opening) || before_person {
            name.clear();
            name.push_str("p:");
            name.push_str(if before_person { "<person>" } else { before });
            name.push(' ');
            name.push_str(if person { "<person>" } else { word });
            visit(&name, from, end);
        }
    };
    for (i, t) in s.tokens.iter().enumerate() {
        let (word, person) = normalised(s, people, i);
        emit(word, person, t.start, t.end, &mut previous);
        previous = (word, person, t.start, t.end);
        // A possessive `'s` is a token of its own.
        if t.possessive {
            emit("'s", false, t.start, t.end, &mut previous);
            previous = ("'s", false, t.start, t.end);
        }
    }
}

/// The weight table's features by name, built on first use: a hash lookup per feature keeps
/// the model's share of the check's time small.
static INDEX: std::sync::LazyLock<std::collections::HashMap<&'static str, usize>> =
    std::sync::LazyLock::new(|| FEATURES.iter().enumerate().map(|(i, (name, _))| (*name, i)).collect());

/// The index of a feature in the weight table, if the model knows it.
fn index_of(name: &str) -> Option<usize> {
    INDEX.get(name).copied()
}

/// The weight of a feature, if the model knows it.
#[cfg(test)]
fn weight(name: &str) -> Option<f64> {
    index_of(name).map(|i| FEATURES[i].1)
}

/// What the model makes of one sentence.
pub(crate) struct Verdict {
    /// The score before the logistic function: above `THRESHOLD` means worth a look.
    pub score: f64,
    /// Up to three features that weighed most toward blame, strongest first, as
    /// character spans of the words they came from.
    pub reasons: Vec<(usize, usize)>,
}

impl Verdict {
    /// Whether the sentence reads like blame to the model.
    pub fn flags(&self) -> bool {
        self.score >= THRESHOLD
    }
}

/// Scores one sentence: each feature it has counts once.
pub(crate) fn judge(s: &Sentence, people: &People) -> Verdict {
    let mut found: Vec<(usize, usize, usize)> = Vec::with_capacity(64);
    visit_features(s, people, |name, start, end| {
        if let Some(i) = index_of(name)
            && !found.iter().any(|&(seen, _, _)| seen == i)
        {
            found.push((i, start, end));
        }
    });
    let mut score = BIAS;
    let mut weighed: Vec<(f64, usize, usize)> = Vec::new();
    for &(i, start, end) in &found {
        let w = FEATURES[i].1;
        score += w;
        if w > 0.0 {
            weighed.push((w, start, end));
        }
    }
    weighed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut reasons: Vec<(usize, usize)> = Vec::new();
    for (_, start, end) in weighed {
        // An empty span (punctuation) shows nothing; a pair that contains a word already shown,
        // or a word inside a pair shown, adds nothing.
        if start >= end || reasons.iter().any(|&(s, e)| start < e && s < end) {
            continue;
        }
        reasons.push((start, end));
        if reasons.len() == 3 {
            break;
        }
    }
    Verdict { score, reasons }
}

/// The features of every sentence of `text`, sorted and each once, as the training script
/// reads them.
pub(crate) fn features(sentences: &[Sentence], people: &People) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in sentences {
        visit_features(s, people, |name, _, _| out.push(name.to_string()));
    }
    out.sort();
    out.dedup();
    out
}

/// The score of the sentences of `text` taken together, as the training script computes it
/// from `features`.
pub(crate) fn score(sentences: &[Sentence], people: &People) -> f64 {
    BIAS + features(sentences, people).iter().filter_map(|f| index_of(f)).map(|i| FEATURES[i].1).sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::super::model_weights::CHECKS;
    use super::super::{LintRule, LintSeverity, lint, lint_rules, model_score};
    use super::*;

    /// The names `tests/lint_eval.rs` and the training tool pass to the check.
    fn corpus_names() -> Vec<String> {
        ["Dana", "dana.kim", "Dana Kim", "sam", "Sam Ortiz", "Priya", "priya.raman", "Luis"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn the_weight_table_is_sorted_so_that_lookups_find_every_feature() {
        assert!(FEATURES.windows(2).all(|w| w[0].0 < w[1].0));
        for (name, w) in FEATURES {
            assert_eq!(weight(name), Some(*w), "{name}");
        }
    }

    #[test]
    fn scores_match_what_the_training_script_computed() {
        assert!(CHECKS.len() >= 5);
        for (sentence, expected) in CHECKS {
            let score = model_score(sentence, &corpus_names());
            assert!((score - expected).abs() < 1e-6, "{sentence}: {score} here, {expected} in train.py");
        }
    }

    #[test]
    fn names_become_one_feature_so_the_model_learns_wording_not_people() {
        let names = corpus_names();
        let a = super::super::model_features("Dana skipped the canary.", &names);
        let b = super::super::model_features("@kim skipped the canary.", &names);
        assert_eq!(a, b);
        assert!(a.contains(&"b:<name> skipped".to_string()), "{a:?}");
        assert!(a.contains(&"p:<person> skipped".to_string()), "{a:?}");
    }

    #[test]
    fn a_sentence_no_rule_matches_can_still_be_worth_a_look_with_the_words_that_weighed_most() {
        let text = "The team lead signed off on an untested change.";
        assert_eq!(lint_rules(text, &corpus_names()), vec![]);
        let findings = lint(text, &corpus_names());
        assert_eq!(findings.len(), 1, "{findings:?}");
        let f = &findings[0];
        assert_eq!((f.rule, f.severity), (LintRule::PossibleBlame, LintSeverity::Info));
        assert!(f.why.contains('\u{201C}') && f.why.contains("weigh"), "{}", f.why);
        assert!(text.contains(&f.matched), "{}", f.matched);
        assert!(f.suggestion.starts_with("If this sentence judges a person"), "{}", f.suggestion);
    }

    #[test]
    fn the_model_is_not_asked_where_a_rule_already_spoke() {
        let findings = lint("Dana broke the deploy by pushing an untested config.", &corpus_names());
        assert!(findings.iter().all(|f| f.rule != LintRule::PossibleBlame), "{findings:?}");
    }

    #[test]
    fn plain_system_prose_stays_below_the_threshold() {
        for text in [
            "The cache expired early and the job failed to start.",
            "We will add alerting on replication lag.",
            "Dana paged the database team at 14:02.",
            "The load balancer dropped connections when the pool was exhausted.",
        ] {
            assert!(model_score(text, &corpus_names()) < THRESHOLD, "{text}");
        }
    }
}
