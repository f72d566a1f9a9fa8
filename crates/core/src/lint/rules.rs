//! The rules that need a subject, and what they share: a `Hit` (one match as
//! character offsets with its fix), the list of rules run on a sentence, and the
//! precedence between overlapping hits. The rules themselves live in `blame`
//! (a person as the agent of a failure) and `counterfactual` (counterfactuals and
//! hindsight); questions aimed at a person (`who-question`) are here.
//!
//! Each fires only when `names::People` says the subject is a person; a system
//! doing the same thing ("the job failed to start") is left alone. Word-level
//! rules that need no subject live in `phrases`.

use super::blame::{caused_by_person, error_adverb, fault_verb, fault_verb_end, person_as_cause};
use super::counterfactual::{
    anyone_could_see, did_not_bother, did_not_do, failed_or_neglected_to, if_only_had, modal_counterfactual, obvious,
    person_not_doing, should_know_better,
};
use super::names::{Agent, People, SUBJECT_VERB_FILLERS, Subject};
use super::rewrite::{Edit, Fix, is_participle};
use super::sentences::{Kind, Sentence};
use super::{LintRule, LintSeverity};

/// One match of a rule in a sentence, as character offsets into the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    pub rule: LintRule,
    pub severity: LintSeverity,
    pub start: usize,
    pub end: usize,
    pub fix: Fix,
}

/// Runs the subject-based rules over one sentence.
pub(crate) fn check(s: &Sentence, people: &People) -> Vec<Hit> {
    let mut hits = Vec::new();
    for i in 0..s.tokens.len() {
        modal_counterfactual(s, people, i, &mut hits);
        failed_or_neglected_to(s, people, i, &mut hits);
        did_not_bother(s, people, i, &mut hits);
        did_not_do(s, people, i, &mut hits);
        person_not_doing(s, people, i, &mut hits);
        should_know_better(s, people, i, &mut hits);
        if_only_had(s, people, i, &mut hits);
        fault_verb(s, people, i, &mut hits);
        error_adverb(s, people, i, &mut hits);
        caused_by_person(s, people, i, &mut hits);
        person_as_cause(s, people, i, &mut hits);
        obvious(s, i, &mut hits);
        anyone_could_see(s, people, i, &mut hits);
    }
    who_question(s, people, &mut hits);
    hits
}

/// Drops a hit whose words lie inside a higher-priority hit's words, and duplicates.
pub(crate) fn drop_shadowed(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by_key(|h| (priority(h.rule), h.start, std::cmp::Reverse(h.end)));
    let mut kept: Vec<Hit> = Vec::new();
    for hit in hits {
        let shadowed = kept.iter().any(|k| k.start <= hit.start && hit.end <= k.end);
        if !shadowed {
            kept.push(hit);
        }
    }
    kept
}

fn priority(rule: LintRule) -> u8 {
    match rule {
        LintRule::HumanError => 0,
        LintRule::HindsightCertainty => 1,
        LintRule::Punishment => 2,
        LintRule::NamedBlame => 3,
        LintRule::Counterfactual => 4,
        LintRule::JudgementWord => 5,
        LintRule::BeMoreCareful => 6,
        LintRule::WhoQuestion => 7,
        LintRule::Minimising => 8,
        LintRule::PossibleBlame => 9,
    }
}

const WHO_ADVICE: &str = "Ask what and how instead: \"What did the tooling show before the change went out?\"";

pub(crate) const BE_FORMS: &[&str] = &["was", "were", "is", "are", "been", "be", "being"];

pub(crate) fn severity_for(agent: Agent) -> LintSeverity {
    if matches!(agent, Agent::Group | Agent::They) { LintSeverity::Info } else { LintSeverity::Warning }
}

/// Whether only filler words lie between the subject's head and token `verb`.
pub(crate) fn adjacent(s: &Sentence, subject: &Subject, verb: usize) -> bool {
    subject.head < verb && (subject.head + 1..verb).all(|j| s.tokens[j].is_any(SUBJECT_VERB_FILLERS))
}

/// The start of a hit: the subject when it is next to the verb, else the verb.
pub(crate) fn hit_start(s: &Sentence, subject: &Subject, verb: usize) -> usize {
    if adjacent(s, subject, verb) { s.tokens[subject.first].start } else { s.tokens[verb].start }
}

/// Edits that replace an identifying subject with an anonymous stand-in.
pub(crate) fn anonymise(s: &Sentence, subject: &Subject, stand_in: &str) -> Vec<Edit> {
    if subject.agent.is_identifying() {
        vec![Edit::new(s.tokens[subject.first].start, s.tokens[subject.head].end, stand_in)]
    } else {
        vec![]
    }
}

/// Index of the next token after `j` that is not one of `skip`.
pub(crate) fn skip_words(s: &Sentence, mut j: usize, skip: &[&str]) -> usize {
    while s.is_any(j, skip) {
        j += 1;
    }
    j
}

/// `Who pushed the bad config?`, `Why did Dana restart the primary?`.
fn who_question(s: &Sentence, people: &People, hits: &mut Vec<Hit>) {
    if !s.is_question() {
        return;
    }
    let Some(q) = s.tokens.iter().position(|t| t.kind == Kind::Word) else { return };
    let question_mark = s.tokens.len() - 1;
    if s.is(q, "who") {
        let v = q + 1;
        let responsible = s.is_any(v, BE_FORMS) && s.is(v + 1, "responsible");
        let verb = s.word(v).unwrap_or("");
        let fault = fault_verb_end(s, v).is_some() || matches!(verb, "approved" | "did" | "allowed" | "let" | "signed");
        if !fault && !responsible {
            return;
        }
        let end = if responsible { v + 1 } else { v };
        let rest = (end + 1 < question_mark).then(|| {
            let from = s.tokens[end + 1].start;
            let to = s.tokens[question_mark - 1].end;
            (from, to)
        });
        let fix = match rest {
            Some((_, to))
                if !responsible && is_participle(verb) && !s.is(end + 1, "to") && fault_verb_end(s, v) == Some(v) =>
            {
                Fix::Edits(vec![
                    Edit::new(s.tokens[q].start, s.tokens[end].end, "what let"),
                    Edit::new(to, to, format!(" get {}", participle_of(verb))),
                ])
            }
            _ => Fix::Advice(WHO_ADVICE),
        };
        hits.push(Hit {
            rule: LintRule::WhoQuestion,
            severity: LintSeverity::Info,
            start: s.tokens[q].start,
            end: s.tokens[end].end,
            fix,
        });
    } else if s.is(q, "why") && s.is(q + 1, "did") {
        // The subject sits between `did` (or `didn't`) and the verb.
        let from = if s.is(q + 2, "not") { q + 4 } else { q + 3 };
        let Some(verb) = (from..(from + 3).min(question_mark))
            .find(|&j| s.tokens[j].kind == Kind::Word && people.classify(s, j).is_none())
        else {
            return;
        };
        let Some((agent, _)) = people.classify(s, verb - 1) else { return };
        if !agent.is_individual() {
            return;
        }
        let rest_from = s.tokens[verb].start;
        let rest_to = s.tokens[question_mark - 1].end;
        hits.push(Hit {
            rule: LintRule::WhoQuestion,
            severity: LintSeverity::Info,
            start: s.tokens[q].start,
            end: s.tokens[verb - 1].end,
            fix: Fix::Edits(vec![
                Edit::new(s.tokens[q].start, rest_from, "what made the choice to "),
                Edit::new(rest_to, rest_to, " look right at the time"),
            ]),
        });
    }
}

/// The participle used after `get` for a past-tense fault verb: `broke` → `broken`.
fn participle_of(past: &str) -> &str {
    match past {
        "broke" => "broken",
        "took" => "taken",
        "forgot" => "forgotten",
        "ran" => "run",
        "chose" => "chosen",
        "overwrote" => "overwritten",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::LintRule;
    use crate::lint::testing::{rules, suggestion};

    #[test]
    fn who_questions_are_rephrased_as_what_questions() {
        assert_eq!(rules("Who pushed the bad config?"), [LintRule::WhoQuestion]);
        assert_eq!(
            suggestion("Who pushed the bad config?", LintRule::WhoQuestion),
            "What let the bad config get pushed?"
        );
        assert_eq!(
            suggestion("Why did Dana restart the primary?", LintRule::WhoQuestion),
            "What made the choice to restart the primary look right at the time?"
        );
        assert_eq!(rules("Who was on call?"), []);
        assert_eq!(rules("Why didn't the on-call engineer escalate?"), [LintRule::WhoQuestion]);
    }
}
