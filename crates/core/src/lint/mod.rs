//! The blameless-language check: finds wording in post-mortem Markdown that
//! blames people (a named person as the agent of a failure, counterfactuals and
//! hindsight about what someone "should have" done, judgement words, "human
//! error", minimising, punishment) and proposes system-focused wording.
//!
//! It is pure text analysis with hand-written heuristics, no grammar model: it
//! favours precision over recall, because a noisy check gets switched off. A
//! counterfactual is only reported when its subject is a person, a role, a
//! pronoun, a known name or an @mention, never when it is a system ("the job
//! failed to start"). Code blocks, code spans, block quotes and quoted text are
//! skipped. It is not a style checker for action items and does not rewrite
//! documents; it only suggests.

mod blame;
mod character;
mod counterfactual;
mod markdown;
mod model;
mod model_weights;
mod names;
mod phrases;
mod rewrite;
mod rules;
mod sentences;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::word_enum;

word_enum! {
    /// Which blameless-language rule a finding comes from.
    LintRule {
        /// A named person, @mention or pointed role as the agent of a failure.
        NamedBlame = "named-blame",
        /// "Should have", "could have", "failed to", "if only" about a person.
        Counterfactual = "counterfactual",
        /// The outcome treated as foreseeable: "should have known", "it was obvious".
        HindsightCertainty = "hindsight-certainty",
        /// "Human error", "operator error", "Sam's mistake" given as a cause.
        HumanError = "human-error",
        /// Words that judge people: careless, sloppy, negligent, at fault, to blame.
        JudgementWord = "judgement-word",
        /// Words that hide difficulty: just, simply, merely, obviously.
        Minimising = "minimising",
        /// Discipline, firing, reprimands, "held accountable".
        Punishment = "punishment",
        /// Remedies that ask people to try harder instead of changing the system.
        BeMoreCareful = "be-more-careful",
        /// "Who pushed…?", "Why did Dana…?" questions aimed at a person.
        WhoQuestion = "who-question",
        /// No rule matched, but the learned model reads the sentence as blame.
        PossibleBlame = "possible-blame",
    }
}

word_enum! {
    /// How strongly a finding asks for a rewrite.
    LintSeverity {
        /// Worth a second look; often fine in context.
        Info = "info",
        /// Blaming wording that should be rewritten.
        Warning = "warning",
    }
}

impl LintRule {
    /// Why the wording matters, in one sentence.
    pub fn why(self) -> &'static str {
        match self {
            LintRule::NamedBlame => {
                "Naming a person as the cause of a failure invites blame and ends the analysis at the person; \
                 describe the action anonymously and what in the system allowed it (blameless post-mortem \
                 practice, PagerDuty and Google SRE)."
            }
            LintRule::Counterfactual => {
                "Counterfactuals judge people against what is known only afterwards and describe what did not \
                 happen; say what they saw and why their action made sense then (Dekker, \"they should have\")."
            }
            LintRule::HindsightCertainty => {
                "Hindsight bias makes the outcome look foreseeable; state what information was actually \
                 available at the time."
            }
            LintRule::HumanError => {
                "\"Human error\" is where an investigation should start, not end: an individual's action is not a \
                 root cause, so name the condition that made the action possible or easy."
            }
            LintRule::JudgementWord => {
                "Normative words evaluate people instead of describing what happened; replace them with \
                 observable facts (Bergström's analytical traps)."
            }
            LintRule::Minimising => {
                "Words like \"just\" and \"simply\" hide how hard the situation was and imply the person should \
                 have found it easy; people did what made sense to them at the time."
            }
            LintRule::Punishment => {
                "Punishment teaches people to hide information, and the next person in the same situation \
                 will do the same; change the system, not the person (bad-apple theory)."
            }
            LintRule::BeMoreCareful => {
                "Asking people to be more careful leaves the conditions that made the slip easy in place; an \
                 action item should change a tool, a check or a process."
            }
            LintRule::WhoQuestion => {
                "\"Who\" and \"why did you\" questions put people on the defensive; \"what\" and \"how\" questions \
                 find out what the system allowed."
            }
            LintRule::PossibleBlame => {
                "Sentences worded like this one often judge a person rather than describe what the system allowed; \
                 no rule matched, so this is a prompt for a second look, not a verdict."
            }
        }
    }
}

/// One piece of blaming wording, where it is, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    /// The rule that matched.
    pub rule: LintRule,
    pub severity: LintSeverity,
    /// 1-based line of the first offending character.
    pub line: usize,
    /// 1-based column of the first offending character, counted in characters.
    pub column: usize,
    /// 1-based line of the last offending character (differs from `line` when the words wrap).
    pub end_line: usize,
    /// 1-based column just after the last offending character, counted in characters.
    pub end_column: usize,
    /// The offending words as written.
    pub matched: String,
    /// The sentence they are in, with whitespace collapsed.
    pub excerpt: String,
    /// Why the wording matters.
    pub why: String,
    /// A system-focused rephrasing of the sentence, or advice where one cannot be derived.
    pub suggestion: String,
}

/// Checks post-mortem Markdown for blaming language.
///
/// `known_names` are usernames and display names of users and responders
/// ("Dana", "dana.kim", "Dana Kim"); any of them, an @mention, or a capitalised
/// word that looks like a first name counts as a person. Findings come in
/// document order. Where no rule matches a sentence, the learned model may still
/// report it as `possible-blame`.
pub fn lint(text: &str, known_names: &[String]) -> Vec<Finding> {
    let people = names::People::new(known_names);
    check(text, &people, Check { vet: true, model: true })
}

/// The rules' findings alone, without the learned model's `possible-blame`: what the check
/// reported before the model was added, kept to measure what the model adds.
pub fn lint_rules(text: &str, known_names: &[String]) -> Vec<Finding> {
    let people = names::People::new(known_names);
    check(text, &people, Check { vet: true, model: false })
}

/// The features the learned model weighs for `text` (lower-case words as `u:word` and
/// word pairs as `b:first second`, names as `<name>`), sorted; `tools/lint-model` trains
/// on these.
pub fn model_features(text: &str, known_names: &[String]) -> Vec<String> {
    let people = names::People::new(known_names);
    let original: Vec<char> = text.chars().collect();
    let masked = markdown::mask(&original);
    model::features(&sentences::split(&original, &masked), &people)
}

/// The learned model's score for `text` taken as one sentence, before the logistic
/// function; the check reports a sentence when it reaches `model_threshold()`.
pub fn model_score(text: &str, known_names: &[String]) -> f64 {
    let people = names::People::new(known_names);
    let original: Vec<char> = text.chars().collect();
    let masked = markdown::mask(&original);
    model::score(&sentences::split(&original, &masked), &people)
}

/// The score from which the learned model reports a sentence.
pub fn model_threshold() -> f64 {
    model_weights::THRESHOLD
}

/// What one run of the check does besides the rules.
#[derive(Debug, Clone, Copy)]
struct Check {
    /// Check every rewrite before offering it.
    vet: bool,
    /// Ask the learned model about sentences no rule matched.
    model: bool,
}

/// The findings for `text`. With `vet`, every rewrite is checked before it is offered: one
/// that doubles an article or that the check itself would still flag is replaced by advice.
fn check(text: &str, people: &names::People, how: Check) -> Vec<Finding> {
    let original: Vec<char> = text.chars().collect();
    let masked = markdown::mask(&original);
    let lines = LineIndex::new(&original);

    let mut findings = Vec::new();
    for sentence in sentences::split(&original, &masked) {
        let mut hits = rules::check(&sentence, people);
        hits.extend(phrases::check(&sentence, people));
        // Idioms and frames complement the rules: one finding per sentence is enough to
        // point at it, and the rules' findings carry the better rewrites.
        if hits.is_empty() {
            hits = character::check(&sentence, people);
        }
        let hits = rules::drop_shadowed(hits);
        let (from, to) = rewrite::excerpt_bounds(&original, sentence.start, sentence.end);
        let excerpt = rewrite::collapse(&original[from..to]);
        if hits.is_empty() && how.model {
            let verdict = model::judge(&sentence, people);
            if verdict.flags() {
                findings.push(possible_blame(&original, &lines, &verdict, excerpt.clone()));
            }
        }
        for hit in hits {
            let (line, column) = lines.position(hit.start);
            let (end_line, end_column) = lines.position_after(hit.end);
            findings.push(Finding {
                rule: hit.rule,
                severity: hit.severity,
                line,
                column,
                end_line,
                end_column,
                matched: rewrite::collapse(&original[hit.start..hit.end]),
                excerpt: excerpt.clone(),
                why: hit.rule.why().to_string(),
                suggestion: suggestion(&original, from, to, &hit, people, how.vet),
            });
        }
    }
    findings.sort_by_key(|f| (f.line, f.column, f.rule));
    findings
}

/// The model's finding for a sentence no rule matched: it points at the words that weighed
/// most and asks a question instead of proposing a rewrite.
fn possible_blame(original: &[char], lines: &LineIndex, verdict: &model::Verdict, excerpt: String) -> Finding {
    let words: Vec<String> = verdict
        .reasons
        .iter()
        .map(|&(start, end)| format!("\u{201C}{}\u{201D}", rewrite::collapse(&original[start..end])))
        .collect();
    let (start, end) = verdict.reasons.first().copied().unwrap_or((0, 0));
    let (line, column) = lines.position(start);
    let (end_line, end_column) = lines.position_after(end);
    let why = match words.as_slice() {
        [] => LintRule::PossibleBlame.why().to_string(),
        [one] => format!("{one} weighs toward blame here. {}", LintRule::PossibleBlame.why()),
        [first @ .., last] => {
            format!("{} and {last} weigh toward blame here. {}", first.join(", "), LintRule::PossibleBlame.why())
        }
    };
    Finding {
        rule: LintRule::PossibleBlame,
        severity: LintSeverity::Info,
        line,
        column,
        end_line,
        end_column,
        matched: rewrite::collapse(&original[start..end]),
        excerpt,
        why,
        suggestion: rewrite::advice_for(LintRule::PossibleBlame).to_string(),
    }
}

/// The suggestion for `hit`: its rewrite when that is safe to offer, otherwise advice.
fn suggestion(
    original: &[char],
    from: usize,
    to: usize,
    hit: &rules::Hit,
    people: &names::People,
    vet: bool,
) -> String {
    let text = rewrite::render(original, from, to, &hit.fix);
    if !vet || matches!(hit.fix, rewrite::Fix::Advice(_)) {
        return text;
    }
    if rewrite::doubles_an_article(&text) || !check(&text, people, Check { vet: false, model: true }).is_empty() {
        return rewrite::advice_for(hit.rule).to_string();
    }
    text
}

/// Maps character offsets to 1-based (line, column) pairs.
struct LineIndex {
    /// Character offset at which each line starts.
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(chars: &[char]) -> Self {
        let mut starts = vec![0];
        starts.extend(chars.iter().enumerate().filter(|(_, c)| **c == '\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// Line and column of the character at `offset`.
    fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        (line, offset - self.starts[line - 1] + 1)
    }

    /// Line and column just after the character before `end` (an exclusive end).
    fn position_after(&self, end: usize) -> (usize, usize) {
        let (line, column) = self.position(end.saturating_sub(1));
        (line, column + 1)
    }
}

/// What the rule modules' tests share: the names they know and short ways to ask what the
/// rules report (the learned model has its own tests and is measured in `tests/lint_eval.rs`).
#[cfg(test)]
pub(crate) mod testing {
    use super::{LintRule, lint_rules as lint};

    /// The people the tests' sentences name.
    pub(crate) fn names() -> Vec<String> {
        ["Dana", "Dana Kim", "dana.kim", "sam", "Priya"].iter().map(|s| s.to_string()).collect()
    }

    /// The rules that fire on `text`.
    pub(crate) fn rules(text: &str) -> Vec<LintRule> {
        lint(text, &names()).into_iter().map(|f| f.rule).collect()
    }

    /// The suggestion of the first finding of `rule` on `text`, or an empty string.
    pub(crate) fn suggestion(text: &str, rule: LintRule) -> String {
        lint(text, &names()).into_iter().find(|f| f.rule == rule).map(|f| f.suggestion).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["Dana", "dana.kim", "Dana Kim", "sam"].iter().map(|s| s.to_string()).collect()
    }

    fn rules_of(text: &str) -> Vec<LintRule> {
        lint(text, &names()).into_iter().map(|f| f.rule).collect()
    }

    #[test]
    fn a_clean_document_has_no_findings() {
        let text = "# Summary\n\nThe cache expired early and the job failed to start.\n\n- We will add alerting.\n";
        assert_eq!(lint(text, &names()), vec![]);
    }

    #[test]
    fn findings_carry_one_based_line_and_character_columns() {
        let text = "Intro line.\n\nÄ note: Dana broke the deploy.";
        let findings = lint(text, &names());
        let f = findings.iter().find(|f| f.rule == LintRule::NamedBlame).expect("named-blame finding");
        assert_eq!((f.line, f.column, f.end_line, f.end_column), (3, 9, 3, 19));
        assert_eq!(f.matched, "Dana broke");
        assert_eq!(f.excerpt, "Ä note: Dana broke the deploy.");
    }

    #[test]
    fn a_match_that_wraps_reports_its_end_line() {
        let findings = lint("Dana should\nhave checked the graph.", &names());
        let f = &findings[0];
        assert_eq!((f.line, f.column, f.end_line, f.end_column), (1, 1, 2, 13));
    }

    #[test]
    fn each_sentence_is_checked_on_its_own() {
        let findings = lint("The deploy went out. Dana broke it badly. The job failed to start.", &names());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].excerpt, "Dana broke it badly.");
    }

    #[test]
    fn fenced_and_indented_code_are_skipped() {
        let text = "Setup:\n\n```\n# Dana broke the deploy\nsam forgot to renew\n```\n\n    Dana should have checked\n";
        assert_eq!(rules_of(text), vec![]);
    }

    #[test]
    fn code_spans_and_quotes_are_skipped() {
        assert_eq!(rules_of("Run `git blame` on the file."), vec![]);
        assert_eq!(rules_of("The channel said \"Dana broke prod\" at 14:02."), vec![]);
        assert_eq!(rules_of("The runbook says “just restart it”, which hid the problem."), vec![]);
        assert_eq!(rules_of("> Dana broke the deploy, sorry all\n"), vec![]);
    }

    #[test]
    fn list_items_and_headings_are_separate_sentences() {
        let text = "## Timeline\n- 14:02 Dana paged the database team\n- 14:05 sam forgot to renew the certificate\n";
        let findings = lint(text, &names());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].line, 3);
        assert_eq!(findings[0].excerpt, "14:05 sam forgot to renew the certificate");
    }

    #[test]
    fn table_cells_are_separate_sentences() {
        let text = "| time | event |\n|---|---|\n| 14:02 | Dana broke the deploy |\n| 14:05 | rollback |\n";
        let findings = lint(text, &names());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].excerpt, "Dana broke the deploy");
    }

    #[test]
    fn findings_serialise_with_rule_and_severity_words() {
        let findings = lint("Dana broke the deploy.", &names());
        let json = serde_json::to_value(&findings[0]).expect("serialisable");
        assert_eq!(json["rule"], "named-blame");
        assert_eq!(json["severity"], "warning");
        assert_eq!(json["line"], 1);
        assert!(json["why"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(json["suggestion"].as_str().is_some_and(|s| !s.is_empty()));
    }

    #[test]
    fn every_rule_explains_itself_in_one_sentence() {
        for rule in LintRule::ALL {
            let why = rule.why();
            assert!(why.ends_with('.'), "{rule}");
            assert_eq!(why.matches(". ").count(), 0, "{rule}: {why}");
        }
    }

    #[test]
    fn rule_words_round_trip() {
        for rule in LintRule::ALL {
            assert_eq!(rule.as_str().parse::<LintRule>(), Ok(*rule));
        }
    }

    #[test]
    fn unclosed_markup_and_run_on_text_stay_fast() {
        // Each of these was quadratic once; together they now take well under a second.
        let text = format!("{}{} Dana broke it.", "` [x]( \" ".repeat(20_000), "word ".repeat(50_000));
        assert_eq!(rules_of(&text), vec![LintRule::NamedBlame]);
    }

    #[test]
    fn minimised_human_error_with_punishment_gets_no_rewrite_that_doubles_an_article_or_keeps_the_blame() {
        let text = "It was just a simple human error and whoever did this should be disciplined.";
        let findings = lint(text, &names());
        let rules: Vec<LintRule> = findings.iter().map(|f| f.rule).collect();
        assert!(rules.contains(&LintRule::Minimising), "{rules:?}");
        assert!(rules.contains(&LintRule::Punishment), "{rules:?}");
        assert!(rules.contains(&LintRule::HumanError), "{rules:?}");
        for f in &findings {
            assert!(!f.suggestion.contains("a simple a "), "{}: {}", f.rule, f.suggestion);
            assert!(!f.suggestion.contains("disciplined"), "{}: {}", f.rule, f.suggestion);
        }
        let minimising = findings.iter().find(|f| f.rule == LintRule::Minimising).expect("minimising finding");
        assert_eq!(minimising.severity, LintSeverity::Warning);
        assert!(minimising.suggestion.contains("easy to get wrong"), "{}", minimising.suggestion);
    }

    #[test]
    fn a_counterfactual_about_a_named_person_gets_a_system_question_not_a_responder_rewrite() {
        let findings = lint("Bob should have checked.", &names());
        assert_eq!(findings.iter().map(|f| f.rule).collect::<Vec<_>>(), [LintRule::Counterfactual]);
        let suggestion = &findings[0].suggestion;
        assert!(!suggestion.contains("responder"), "{suggestion}");
        assert!(!suggestion.contains("Bob"), "{suggestion}");
        assert!(suggestion.contains("What would have made"), "{suggestion}");
    }

    #[test]
    fn no_offered_rewrite_is_itself_flagged_or_doubles_an_article() {
        for text in [
            "It was just a simple human error and whoever did this should be disciplined.",
            "It was simply human error on the on-call's part.",
            "Dana broke the deploy by pushing an untested config.",
            "The root cause was human error.",
            "A sloppy config change took down the API.",
        ] {
            for f in lint(text, &names()) {
                if f.rule == LintRule::Punishment {
                    continue; // always advice, which names the consequence it asks to replace
                }
                let again = lint(&f.suggestion, &names());
                assert_eq!(again, vec![], "{text} -> {}", f.suggestion);
                let lower = f.suggestion.to_lowercase();
                for doubled in ["a a ", "a an ", "an a ", "the a ", "a the ", "the the "] {
                    assert!(!lower.contains(doubled), "{text} -> {}", f.suggestion);
                }
            }
        }
    }

    #[test]
    fn empty_and_odd_input_does_not_panic() {
        for text in ["", "\n\n", "```", "`", "\"", "@", "'", "...", "—", "|", "#", "> ", "*just*", "\u{E000}\u{E001}"]
        {
            let _ = lint(text, &names());
        }
    }
}
