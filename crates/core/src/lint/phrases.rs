//! The rules that look at words and short phrases: `human-error`,
//! `judgement-word` (including "fault" and "blame" in their blaming senses),
//! `minimising`, `punishment` and `be-more-careful`.
//!
//! Each word list comes with the technical senses it must leave alone
//! ("fault domain", "git blame", "lazy loading", "sloppy quorum", "just after
//! 14:00", "the alert fired"), and negations ("no one is to blame", "this was
//! not human error") are respected.

use super::names::{Agent, People};
use super::rewrite::{Edit, Fix, MINIMISED_MISTAKE_ADVICE, article_for};
use super::rules::Hit;
use super::rules::skip_words;
use super::sentences::{Kind, Sentence};
use super::{LintRule, LintSeverity};

/// Runs the word-level rules over one sentence.
pub(crate) fn check(s: &Sentence, people: &People) -> Vec<Hit> {
    let mut hits = Vec::new();
    for i in 0..s.tokens.len() {
        human_error(s, people, i, &mut hits);
        judgement(s, i, &mut hits);
        fault(s, people, i, &mut hits);
        responsibility_lies_with(s, people, i, &mut hits);
        blame(s, people, i, &mut hits);
        minimising(s, people, i, &mut hits);
        punishment(s, people, i, &mut hits);
        be_more_careful(s, people, i, &mut hits);
    }
    hits
}

const HUMAN_ERROR_FIX: &str = "a manual step with no safeguard";
const JUDGEMENT_ADVICE: &str = "Replace the judgement with what happened: the steps taken, what the person could see, \
                                and what the tooling allowed.";
const FAULT_ADVICE: &str = "Drop whose fault it was; describe the conditions that made the failure possible.";
const PUNISHMENT_ADVICE: &str = "Replace the consequence for a person with a change to the system, e.g. \"Add a \
                                 confirmation step before the cleanup script deletes production data.\"";
const CAREFUL_ADVICE: &str = "Name a change that makes the safe path the default instead, e.g. \"Require a dry run \
                              before the migration tool writes to production.\"";

/// Words that negate what follows within a few words.
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "without", "nobody", "none", "nothing", "avoid", "avoids", "avoided", "avoiding", "rather",
    "instead", "beyond", "neither", "nor", "against",
];

fn negated_before(s: &Sentence, i: usize, window: usize) -> bool {
    (i.saturating_sub(window)..i).any(|j| s.is_any(j, NEGATIONS) || (s.is(j, "one") && j > 0 && s.is(j - 1, "no")))
}

fn hit(rule: LintRule, severity: LintSeverity, s: &Sentence, first: usize, last: usize, fix: Fix) -> Hit {
    Hit { rule, severity, start: s.tokens[first].start, end: s.tokens[last].end, fix }
}

/// `human error`, `operator error`, `user error`, `PEBKAC`, `Sam's mistake`, `their mistake`.
fn human_error(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    let Some(word) = s.word(i) else { return };
    let kinds: &[&str] = match word {
        "human" => &["error", "errors", "mistake", "mistakes", "failure", "failures", "fault", "problem", "problems"],
        // Singular only: `user errors are shown in a toast` is about a feature.
        "operator" | "pilot" | "user" | "engineer" | "operators" | "users" => &["error", "mistake"],
        "people" => &["problem", "problems", "issue", "issues", "error", "errors"],
        "pebkac" | "pebcak" | "id10t" => &[],
        _ => {
            possessive_mistake(s, people, i, hits);
            return;
        }
    };
    let last = if kinds.is_empty() {
        i
    } else if s.is_any(i + 1, kinds) {
        i + 1
    } else {
        return;
    };
    // `user error rate`, `operator error metric`: a measurement, not a cause.
    if s.tokens[i].possessive {
        return; // `the user's error report`
    }
    let measured = [
        "report",
        "reports",
        "reporting",
        "tracking",
        "rate",
        "rates",
        "message",
        "messages",
        "page",
        "pages",
        "code",
        "codes",
        "count",
        "counts",
        "budget",
        "log",
        "logs",
        "handling",
        "path",
        "metric",
        "metrics",
        "response",
        "responses",
    ];
    if s.is_any(last + 1, &measured) || negated_before(s, i, 3) {
        return;
    }
    // `just a simple human error`, `human error on the on-call's part`, `human error by Sam`: swapping
    // the noun would keep the minimising or the person, so only advice is given.
    let minimised = (i.saturating_sub(3)..i).any(|k| {
        s.is_any(k, &["just", "simply", "merely", "only", "purely", "simple", "silly", "honest", "minor", "small"])
    });
    let attributed = s.is(last + 1, "by")
        || (last + 1..(last + 7).min(s.tokens.len())).any(|k| s.is(k, "part") && s.is(k.wrapping_sub(1), "'s"))
        || (last + 2..(last + 7).min(s.tokens.len())).any(|k| s.is(k, "part") && s.tokens[k - 1].possessive);
    let fix = if kinds.is_empty()
        || s.is_any(last, &["problem", "problems", "issue", "issues"])
        || minimised
        || attributed
    {
        Fix::Advice(
            "Name the condition that allowed the action instead: a missing guard, an ambiguous interface, an untested procedure.",
        )
    } else {
        let article = i.checked_sub(1).filter(|&k| s.is_any(k, &["a", "an", "the"]));
        let from = article.unwrap_or(i);
        let text =
            if article.is_some_and(|k| s.is(k, "the")) { "the manual step with no safeguard" } else { HUMAN_ERROR_FIX };
        Fix::Edits(vec![Edit::new(s.tokens[from].start, s.tokens[last].end, text)])
    };
    hits.push(hit(LintRule::HumanError, LintSeverity::Warning, s, i, last, fix));
}

/// `Sam's mistake`, `his error`, `their mistake`: a person owning a mistake.
fn possessive_mistake(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    let t = &s.tokens[i];
    let by_person = people.is_person_possessor(s, i);
    let by_them = t.is_any(&["their", "our"]);
    if !by_person && !by_them {
        return;
    }
    let nouns: &[&str] = if by_person {
        &[
            "mistake",
            "mistakes",
            "error",
            "errors",
            "blunder",
            "screw-up",
            "screwup",
            "oversight",
            "slip",
            "lapse",
            "misjudgement",
            "misjudgment",
            "misstep",
        ]
    } else {
        &["mistake", "mistakes", "blunder", "screw-up", "screwup", "oversight"]
    };
    if !s.is_any(i + 1, nouns) || negated_before(s, i, 2) {
        return;
    }
    // `learn from our mistakes` is a commitment, not a verdict.
    if i >= 2 && s.is(i - 1, "from") && s.is_any(i - 2, &["learn", "learning", "learned", "learnt", "learns"]) {
        return;
    }
    let severity = if t.is("our") { LintSeverity::Info } else { LintSeverity::Warning };
    let fix = Fix::Advice(
        "Say what went wrong in the system instead of whose mistake it was: which step, and what let it through.",
    );
    hits.push(hit(LintRule::HumanError, severity, s, i, i + 1, fix));
}

/// Judgement adverbs, adjectives and nouns, and phrases like `poor judgement`.
fn judgement(s: &Sentence, i: usize, hits: &mut Vec<Hit>) {
    let Some(word) = s.word(i) else { return };
    #[rustfmt::skip]
    const ADVERBS: &[&str] = &[
        "carelessly", "negligently", "sloppily", "recklessly", "incompetently", "irresponsibly", "stupidly",
        "foolishly", "thoughtlessly", "blindly", "lazily",
    ];
    #[rustfmt::skip]
    const NOUNS: &[&str] = &[
        "carelessness", "negligence", "sloppiness", "laziness", "incompetence", "recklessness", "irresponsibility",
        "stupidity", "idiot", "idiots", "idiocy", "inattention", "foolishness", "cluelessness",
    ];
    let (last, fix) = if ADVERBS.contains(&word) {
        // `lazily initialised`, `lazily loaded`: the technical sense.
        if word == "lazily" && s.word(i + 1).is_some_and(|w| w.ends_with("ed") || w.ends_with("es") || w.ends_with("s"))
        {
            return;
        }
        // At the end of a clause the adverb is the point; deleting it leaves nothing.
        let ends_clause = s.tokens.get(i + 1).is_none_or(|t| t.kind == Kind::Punct);
        let fix = if ends_clause {
            Fix::Advice(JUDGEMENT_ADVICE)
        } else {
            Fix::Edits(vec![Edit::new(s.tokens[i].start, s.tokens[i].end, "")])
        };
        (i, fix)
    } else if JUDGEMENT_ADJECTIVES.contains(&word) {
        if technical_sense(s, i, word) {
            return;
        }
        let next = s.tokens.get(i + 1);
        let attributive = next.is_some_and(|t| {
            t.kind == Kind::Word
                && !t.is_any(&[
                    "about", "with", "to", "in", "of", "and", "or", "but", "when", "for", "on", "at", "that", "because",
                ])
        });
        let fix = match next {
            // `an irresponsible decision` → `a decision`.
            Some(n) if attributive && i > 0 && s.is_any(i - 1, &["a", "an"]) => {
                Fix::Edits(vec![Edit::new(s.tokens[i - 1].start, s.tokens[i].end, article_for(&n.text))])
            }
            _ if attributive => Fix::Edits(vec![Edit::new(s.tokens[i].start, s.tokens[i].end, "")]),
            _ => Fix::Advice(JUDGEMENT_ADVICE),
        };
        (i, fix)
    } else if NOUNS.contains(&word) {
        if word == "laziness" && technical_context(s) {
            return;
        }
        (i, Fix::Advice(JUDGEMENT_ADVICE))
    } else if let Some(last) = judgement_phrase_end(s, i, word) {
        (last, Fix::Advice(JUDGEMENT_ADVICE))
    } else if word == "not" && s.words_at(i + 1, &["paying", "attention"]) {
        // The negation is the judgement here.
        hits.push(hit(LintRule::JudgementWord, LintSeverity::Warning, s, i, i + 2, Fix::Advice(JUDGEMENT_ADVICE)));
        return;
    } else {
        return;
    };
    if negated_before(s, i, 2) && !s.is(i.wrapping_sub(1), "without") {
        return;
    }
    hits.push(hit(LintRule::JudgementWord, LintSeverity::Warning, s, i, last, fix));
}

/// The last token of a judging phrase starting at `i`: `rookie mistake`, `poor judgement`,
/// `lapse in judgement`, `lack of care`, `asleep at the wheel`.
fn judgement_phrase_end(s: &Sentence, i: usize, word: &str) -> Option<usize> {
    let end = match word {
        "rookie" if s.is_any(i + 1, &["mistake", "error", "move"]) => i + 1,
        "poor" | "bad" | "questionable" if s.is_any(i + 1, &["judgement", "judgment"]) => i + 1,
        "lapse" | "lapses"
            if s.is_any(i + 1, &["in", "of"])
                && s.is_any(i + 2, &["judgement", "judgment", "attention", "concentration"]) =>
        {
            i + 2
        }
        "lack"
            if s.is(i + 1, "of")
                && s.is_any(
                    i + 2,
                    &["care", "attention", "focus", "diligence", "discipline", "ownership", "rigour", "rigor"],
                ) =>
        {
            i + 2
        }
        "asleep" if s.words_at(i + 1, &["at", "the", "wheel"]) => i + 3,
        _ => return None,
    };
    Some(end)
}

/// Adjectives that judge a person or their work.
#[rustfmt::skip]
pub(crate) const JUDGEMENT_ADJECTIVES: &[&str] = &[
    "careless", "negligent", "sloppy", "lazy", "incompetent", "reckless", "irresponsible", "inexcusable",
    "unforgivable", "stupid", "dumb", "idiotic", "foolish", "clueless", "thoughtless", "inattentive", "unprofessional",
    "amateurish", "boneheaded", "bone-headed", "moronic", "dim-witted",
];

/// Technical uses of judgement words: `lazy loading`, `sloppy quorum`, `dumb terminal`.
fn technical_sense(s: &Sentence, i: usize, word: &str) -> bool {
    let next = s.word(i + 1).unwrap_or("");
    match word {
        "lazy" => {
            technical_context(s)
                || matches!(
                    next,
                    "loading"
                        | "load"
                        | "loaded"
                        | "evaluation"
                        | "initialization"
                        | "initialisation"
                        | "init"
                        | "iterator"
                        | "iterators"
                        | "static"
                        | "sequence"
                        | "instantiation"
                        | "binding"
                        | "val"
                        | "property"
                        | "import"
                        | "imports"
                        | "mode"
                        | "fetch"
                        | "fetching"
                        | "deserialization"
                        | "deserialisation"
                        | "cell"
                        | "lock"
                        | "locking"
                        | "replication"
                        | "expiry"
                        | "expiration"
                        | "deletion"
                        | "free"
                        | "freeing"
                        | "rendering"
                )
        }
        "sloppy" => matches!(next, "quorum" | "quorums"),
        "dumb" => matches!(
            next,
            "terminal"
                | "terminals"
                | "pipe"
                | "pipes"
                | "client"
                | "clients"
                | "switch"
                | "switches"
                | "down"
                | "proxy"
        ),
        _ => false,
    }
}

/// Whether the sentence is about evaluation strategies or regular expressions, where
/// `lazy` is a technical word: `lazy rather than greedy matches`.
fn technical_context(s: &Sentence) -> bool {
    s.tokens.iter().any(|t| {
        t.is_any(&[
            "greedy",
            "backtracking",
            "quantifier",
            "quantifiers",
            "regex",
            "regexp",
            "evaluation",
            "thunk",
            "thunks",
        ])
    })
}

/// `Dana's fault`, `at fault` (about a person), `the fault lies with`, `whose fault`.
fn fault(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    if !s.is(i, "fault") {
        return;
    }
    let before = i.checked_sub(1);
    let first = match before {
        Some(b) if s.is(b, "at") => {
            // `X was at fault`: only about people.
            let be = b.checked_sub(1).filter(|&k| s.is_any(k, &["was", "were", "is", "are", "been", "be"]));
            let subject = match be {
                Some(be) => people.subject_of(s, be),
                None => b
                    .checked_sub(1)
                    .and_then(|h| people.classify(s, h))
                    .map(|(agent, first)| super::names::Subject { agent, first, head: b - 1 }),
            };
            match subject {
                Some(x) if x.agent != Agent::Nobody && (x.agent.is_individual() || x.agent == Agent::Group) => b,
                _ => return,
            }
        }
        Some(b) if s.is(b, "whose") => b,
        Some(b)
            if s.tokens[b].is_any(&["his", "her", "their", "my", "your", "our", "own"]) || s.tokens[b].possessive =>
        {
            if s.tokens[b].possessive
                && !s.tokens[b].is_any(&["someone", "somebody", "anyone", "everyone"])
                && people.classify(s, b).is_none()
            {
                return; // `the network's fault`
            }
            if negated_before(s, b, 3) || s.is(b, "anyone") {
                return;
            }
            b
        }
        _ if s.is_any(i + 1, &["lies", "lay", "rests", "rested"]) && s.is(i + 2, "with") => {
            let person = (i + 3..(i + 6).min(s.tokens.len()))
                .any(|j| people.classify(s, j).is_some_and(|(a, _)| a != Agent::Nobody));
            if !person {
                return;
            }
            i
        }
        _ => return,
    };
    hits.push(hit(LintRule::JudgementWord, LintSeverity::Warning, s, first, i, Fix::Advice(FAULT_ADVICE)));
}

/// `Responsibility for this outage lies with the release manager`.
fn responsibility_lies_with(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    if !s.is_any(i, &["responsibility", "accountability"]) || negated_before(s, i, 3) {
        return;
    }
    let Some(verb) =
        (i + 1..(i + 7).min(s.tokens.len())).find(|&j| s.is_any(j, &["lies", "lay", "rests", "falls", "fell", "sits"]))
    else {
        return;
    };
    if !s.is_any(verb + 1, &["with", "on"]) {
        return;
    }
    let person = (verb + 2..(verb + 6).min(s.tokens.len()))
        .any(|j| people.classify(s, j).is_some_and(|(a, _)| a != Agent::Nobody));
    if person {
        hits.push(hit(LintRule::JudgementWord, LintSeverity::Warning, s, i, verb + 1, Fix::Advice(FAULT_ADVICE)));
    }
}

/// `to blame`, `we blame`, `blamed the reviewer`; not `blameless`, `git blame`, `no one is to blame`.
fn blame(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    if !s.is_any(i, &["blame", "blamed", "blames", "blaming", "blameworthy"]) {
        return;
    }
    if s.is_any(i.wrapping_sub(1), &["git", "svn", "hg", "the"]) && s.is(i, "blame")
        || s.is_any(
            i + 1,
            &[
                "view",
                "annotation",
                "annotations",
                "output",
                "history",
                "log",
                "tool",
                "command",
                "line",
                "page",
                "culture",
                "game",
            ],
        )
        || negated_before(s, i, 5)
    {
        return;
    }
    let mut first = i;
    if s.is(i.wrapping_sub(1), "to") {
        // `X is to blame`: X must not be a thing.
        let Some(be) = i.checked_sub(2).filter(|&k| s.is_any(k, &["is", "was", "are", "were", "be"])) else { return };
        let subject = people.subject_of(s, be);
        let pointing = subject.is_some_and(|x| x.agent != Agent::Nobody)
            || be.checked_sub(1).is_some_and(|h| s.is_any(h, &["who", "whoever"]))
            || s.tokens[..be].iter().any(|t| t.is("whoever"));
        if !pointing {
            return;
        }
        first = i - 1;
    } else if let Some(on) = (i + 1..(i + 4).min(s.tokens.len())).find(|&j| s.is_any(j, &["on", "to"])) {
        // `blamed on a faulty switch` names a thing; `blamed on Dana` a person.
        let person = (on + 1..(on + 4).min(s.tokens.len()))
            .any(|j| people.classify(s, j).is_some_and(|(a, _)| a.is_individual()) || people.is_person_possessor(s, j));
        if !person {
            return;
        }
    } else if s.is(i, "blamed") && i > 0 && s.is_any(i - 1, &["was", "were", "is", "are", "been", "be", "got"]) {
        // `Search was blamed`: only when a person is blamed.
        if !people.subject_of(s, verb_group_start(s, i - 1)).is_some_and(|x| x.agent.is_individual()) {
            return;
        }
    }
    hits.push(hit(LintRule::JudgementWord, LintSeverity::Warning, s, first, i, Fix::Advice(FAULT_ADVICE)));
}

/// `just restart`, `simply had to flip`, `could just revert`, `obviously`.
fn minimising(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    let Some(word) = s.word(i) else { return };
    if word == "obviously" {
        let next = s.tokens.get(i + 1);
        let sentence_adverb = next
            .is_none_or(|t| t.kind == Kind::Punct || t.kind == Kind::Opaque || t.is_any(OBVIOUSLY_BEFORE))
            || s.is_any(
                i.wrapping_sub(1),
                &[
                    "was", "is", "were", "be", "been", "should", "would", "could", "will", "it", "he", "she", "we",
                    "they", "you", "had", "has", "have",
                ],
            );
        let negation_follows =
            s.is(i + 1, "not") || s.words_at(i + 1, &["is", "not"]) || s.words_at(i + 1, &["was", "not"]);
        // Judging what happened is past or counterfactual (`Obviously the config was wrong`);
        // `Obviously there are limits` explains the present to the reader.
        let clause_end = (i + 1..s.tokens.len()).find(|&j| is_clause_break(&s.tokens[j])).unwrap_or(s.tokens.len());
        const PAST: &[&str] = &["was", "were", "had", "did", "should", "would", "could"];
        let about_the_past = (i + 1..clause_end).any(|j| s.is_any(j, PAST)) || s.is_any(i.wrapping_sub(1), PAST);
        if !sentence_adverb || negated_before(s, i, 2) || negation_follows || !about_the_past {
            return;
        }
        let mut edits = vec![Edit::new(s.tokens[i].start, s.tokens[i].end, "")];
        if let Some(t) = next.filter(|t| t.is_punct(',')) {
            edits.push(Edit::new(t.start, t.end, ""));
        }
        hits.push(hit(LintRule::Minimising, LintSeverity::Info, s, i, i, Fix::Edits(edits)));
        return;
    }
    if minimised_mistake(s, i, word, hits) || !matches!(word, "just" | "simply" | "merely") {
        return;
    }
    let mut v = i + 1;
    if s.is_any(v, &["had", "have", "has", "need", "needs", "needed"]) && s.is(v + 1, "to") {
        v += 2;
    }
    let Some(verb) = s.word(v) else { return };
    let belittled = MINIMISED_VERBS.contains(&verb) || (MINIMISED_PAST.contains(&verb) && v == i + 1);
    if !belittled {
        return;
    }
    if s.is(v, "roll") && !s.is(v + 1, "back") {
        return;
    }
    // Only as an instruction (`Just restart the pod`) or about what a person did or had to do.
    let clause_start = i == 0 || s.tokens[i - 1].kind == Kind::Punct;
    let group = verb_group_start(s, i);
    let about_person = people.subject_of(s, group).is_some_and(|x| x.agent != Agent::Nobody);
    if !clause_start && !about_person {
        return;
    }
    hits.push(hit(
        LintRule::Minimising,
        LintSeverity::Info,
        s,
        i,
        i,
        Fix::Edits(vec![Edit::new(s.tokens[i].start, s.tokens[i].end, "")]),
    ));
}

/// `just a simple human error`, `simply a typo`, `an honest mistake`: a person's mistake made
/// to sound trivial, which ends the analysis where it should start. Reports it and returns
/// true when the words at `i` do that.
fn minimised_mistake(s: &Sentence, i: usize, word: &str, hits: &mut Vec<Hit>) -> bool {
    const MINIMISERS: &[&str] = &["just", "simply", "merely", "only", "purely"];
    const TRIVIAL: &[&str] = &["simple", "silly", "small", "minor", "honest", "little", "basic", "classic", "plain"];
    const MISTAKES: &[&str] =
        &["mistake", "mistakes", "oversight", "slip", "slip-up", "typo", "blunder", "goof", "lapse"];
    const PEOPLE: &[&str] = &["human", "operator", "user", "engineer", "pilot"];
    let minimiser = MINIMISERS.contains(&word);
    // A bare `simple`/`honest` counts only when no minimiser before it already did.
    if !minimiser && (!TRIVIAL.contains(&word) || i > 0 && s.is_any(i - 1, MINIMISERS)) {
        return false;
    }
    let mut j = i + 1;
    if minimiser {
        j = skip_words(s, j, &["a", "an", "the"]);
        j = skip_words(s, j, TRIVIAL);
    }
    let last = if s.is_any(j, MISTAKES) {
        j
    } else if s.is_any(j, PEOPLE) && s.is_any(j + 1, &["error", "errors", "mistake", "mistakes"]) {
        j + 1
    } else {
        return false;
    };
    if !minimiser && last == i + 1 && !s.is_any(i.wrapping_sub(1), &["a", "an", "the"]) {
        return false; // `simple mistakes are caught by the linter`: a generalisation, not a verdict
    }
    if negated_before(s, i, 3) {
        return false;
    }
    hits.push(hit(LintRule::Minimising, LintSeverity::Warning, s, i, last, Fix::Advice(MINIMISED_MISTAKE_ADVICE)));
    true
}

fn is_clause_break(t: &super::sentences::Token) -> bool {
    t.kind == Kind::Punct && !t.is_punct(',') || t.is_any(&["but", "because", "so", "although", "while"])
}

/// Words after `obviously` that show it qualifies a whole clause: `Obviously the config was wrong`.
const OBVIOUSLY_BEFORE: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "it", "we", "they", "he", "she", "you", "i", "our", "their",
    "his", "her", "someone", "nobody", "no", "there", "should", "would", "could", "was", "were", "is", "are", "not",
    "missed", "ignored", "forgot", "did",
];

/// Base forms after `just`/`simply` that make a hard step sound trivial.
#[rustfmt::skip]
const MINIMISED_VERBS: &[&str] = &[
    "restart", "rerun", "re-run", "run", "revert", "roll", "rollback", "flip", "toggle", "check", "read", "look",
    "click", "add", "delete", "remove", "use", "follow", "set", "change", "update", "reboot", "redeploy", "deploy",
    "apply", "type", "copy", "paste", "ask", "wait", "scale", "turn", "fix", "edit", "disable", "enable", "kill",
    "bump", "increase", "raise", "grep", "search", "open", "ssh", "push", "merge", "skip", "ignore", "rename", "rotate",
    "renew", "retry", "drain", "failover", "page", "call", "ping", "tweak", "patch", "reset", "clear", "flush", "purge",
    "delete", "drop", "truncate", "re-deploy", "roll-back", "double-check", "verify", "test",
];

/// Past forms right after `just`/`simply` that belittle what a person did.
const MINIMISED_PAST: &[&str] =
    &["ignored", "skipped", "assumed", "guessed", "clicked", "copied", "pasted", "forgot", "winged", "yolo'd"];

/// Discipline, firing, reprimands, `held accountable`, `face consequences`.
fn punishment(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    let Some(word) = s.word(i) else { return };
    let person_subject =
        |be: usize| people.subject_of(s, verb_group_start(s, be)).is_some_and(|x| x.agent.is_individual());
    let be_before = |k: usize| {
        k.checked_sub(1).filter(|&b| {
            s.is_any(b, &["be", "was", "were", "been", "being", "is", "are", "get", "got", "gets", "getting"])
        })
    };
    let (first, last) = match word {
        "disciplinary" | "reprimand" | "reprimanded" | "reprimands" | "punish" | "punished" | "punishing"
        | "punishment" | "penalise" | "penalised" | "penalize" | "penalized" | "shamed" | "shaming" | "demoted" => {
            if negated_before(s, i, 4) {
                return;
            }
            if word == "demoted" && !be_before(i).is_some_and(person_subject) {
                return;
            }
            (i, i)
        }
        "disciplined" | "fired" | "terminated" | "suspended" | "sacked" => {
            if s.is(i + 1, "up") || negated_before(s, i, 3) {
                return;
            }
            match be_before(i) {
                Some(be) if person_subject(be) => (be, i),
                _ if word == "fired"
                    && people
                        .classify(s, i + 1)
                        .or_else(|| people.classify(s, i + 2))
                        .is_some_and(|(a, _)| a.is_individual()) =>
                {
                    (i, i + 1)
                }
                _ => return,
            }
        }
        "written" if s.is(i + 1, "up") => match be_before(i) {
            Some(be) if person_subject(be) => (be, i + 1),
            _ => return,
        },
        "let" if s.is(i + 1, "go") => match be_before(i) {
            Some(be) if person_subject(be) => (be, i + 1),
            _ => return,
        },
        "accountable" => {
            let Some(hold) =
                (i.saturating_sub(5)..i).rev().find(|&k| s.is_any(k, &["hold", "held", "holding", "holds"]))
            else {
                return;
            };
            if negated_before(s, hold, 3) {
                return;
            }
            let between: Vec<usize> = (hold + 1..i).collect();
            // People, not a company holding itself to account: `hold us accountable`.
            let person = if between.is_empty() {
                be_before(hold).is_none_or(person_subject)
            } else {
                between.iter().any(|&j| people.classify(s, j).is_some_and(|(a, _)| a.is_individual()))
            };
            if !person {
                return;
            }
            (hold, i)
        }
        "consequences" | "consequence" => {
            let facing = s.is_any(i.wrapping_sub(1), &["face", "faces", "facing", "faced"]);
            let for_person = s.is(i + 1, "for")
                && people
                    .classify(s, i + 2)
                    .or_else(|| people.classify(s, i + 3))
                    .is_some_and(|(a, _)| a.is_individual());
            if !(facing || for_person) || negated_before(s, i, 3) {
                return;
            }
            (if facing { i - 1 } else { i }, i)
        }
        "named" if s.words_at(i + 1, &["and", "shamed"]) => (i, i + 2),
        // `discipline the engineer`, `reprimand Dana`: a person as the object.
        "discipline" => {
            let Some(object) = (i + 1..(i + 4).min(s.tokens.len())).find(|&j| people.classify(s, j).is_some()) else {
                return;
            };
            if !people.classify(s, object).is_some_and(|(a, _)| a.is_individual()) || negated_before(s, i, 3) {
                return;
            }
            (i, object)
        }
        _ => return,
    };
    hits.push(hit(LintRule::Punishment, LintSeverity::Warning, s, first, last, Fix::Advice(PUNISHMENT_ADVICE)));
}

/// The first token of the auxiliaries ending at `k`: `will be` in `Dana will be disciplined`.
fn verb_group_start(s: &Sentence, mut k: usize) -> usize {
    const AUXILIARIES: &[&str] = &[
        "will", "would", "should", "must", "may", "might", "can", "could", "shall", "to", "not", "has", "have", "had",
        "been", "be", "get", "got", "is", "was", "are", "were", "need", "needs", "needed", "ought", "going", "try",
        "tries", "always", "also", "just", "really",
    ];
    while k > 0 && s.is_any(k - 1, AUXILIARIES) {
        k -= 1;
    }
    k
}

/// `be more careful`, `pay more attention`, `remember to`, `try harder`.
fn be_more_careful(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    let Some(word) = s.word(i) else { return };
    const CAREFUL: &[&str] = &["careful", "cautious", "diligent", "vigilant", "attentive", "thorough", "mindful"];
    let last = match word {
        "be" => {
            let j = if s.is_any(i + 1, &["more", "extra", "especially", "very"]) { i + 2 } else { i + 1 };
            if !s.is_any(j, CAREFUL) {
                return;
            }
            j
        }
        "more" if s.is(i + 1, "carefully") => i + 1,
        "pay" | "paying" if s.is_any(i + 1, &["more", "closer", "better", "extra"]) && s.is(i + 2, "attention") => {
            i + 2
        }
        "take" if s.is_any(i + 1, &["more", "extra", "greater"]) && s.is(i + 2, "care") => i + 2,
        "try" if s.is(i + 1, "harder") => i + 1,
        "remember"
            if s.is(i + 1, "to")
                && (i.saturating_sub(3)..i).any(|k| {
                    s.is_any(
                        k,
                        &["must", "should", "need", "needs", "will", "always", "shall", "please", "have", "has"],
                    )
                }) =>
        {
            i + 1
        }
        "reminded" if s.is_any(i.wrapping_sub(1), &["be", "been", "were", "are"]) && s.is(i + 1, "to") => i + 1,
        "remind"
            if (i + 1..(i + 4).min(s.tokens.len())).any(|j| {
                s.is_any(
                    j,
                    &["engineers", "everyone", "people", "operators", "developers", "staff", "responders", "team"],
                )
            }) =>
        {
            i
        }
        _ => return,
    };
    if negated_before(s, i, 2) {
        return;
    }
    // `Our review process will be thorough`: a thing, not people, is asked to be careful.
    let verb = verb_group_start(s, i);
    if verb > 0 && s.tokens[verb - 1].kind == Kind::Word && people.subject_of(s, verb).is_none() {
        let head = &s.tokens[verb - 1];
        if !head.is_any(&["to", "please", "and", "must", "should"])
            && !super::names::ROLE_WORDS.contains(&head.lower.as_str())
        {
            return;
        }
    }
    hits.push(hit(LintRule::BeMoreCareful, LintSeverity::Warning, s, i, last, Fix::Advice(CAREFUL_ADVICE)));
}

#[cfg(test)]
mod tests {
    use crate::lint::{LintRule, LintSeverity, lint_rules as lint};

    fn rules(text: &str) -> Vec<LintRule> {
        lint(text, &["Dana".to_string(), "sam".to_string()]).into_iter().map(|f| f.rule).collect()
    }

    fn suggestion(text: &str) -> String {
        lint(text, &[]).into_iter().next().map(|f| f.suggestion).unwrap_or_default()
    }

    #[test]
    fn human_error_as_a_cause_is_flagged_with_a_system_rewrite() {
        assert_eq!(rules("The root cause was human error."), [LintRule::HumanError]);
        assert_eq!(
            suggestion("The root cause was human error."),
            "The root cause was a manual step with no safeguard."
        );
        assert_eq!(rules("This outage was due to operator error."), [LintRule::HumanError]);
        assert_eq!(rules("It was Sam's mistake."), [LintRule::HumanError]);
    }

    #[test]
    fn negated_or_measured_human_error_is_not_flagged() {
        assert_eq!(rules("This was not human error; the tool made deletion the default."), []);
        assert_eq!(rules("The user error rate climbed to 4%."), []);
        assert_eq!(rules("The human factors review found two identical consoles."), []);
    }

    #[test]
    fn judgement_words_are_flagged() {
        assert_eq!(rules("The deploy was careless."), [LintRule::JudgementWord]);
        assert_eq!(rules("Sam's carelessness cost us four hours."), [LintRule::JudgementWord]);
        assert_eq!(suggestion("A sloppy config change took down the API."), "A config change took down the API.");
        assert_eq!(rules("It was a lapse in judgement."), [LintRule::JudgementWord]);
    }

    #[test]
    fn technical_senses_of_judgement_words_are_not_flagged() {
        assert_eq!(rules("The lazy loading of profiles amplified cache misses."), []);
        assert_eq!(rules("The consumer lazily initialises its pool."), []);
        assert_eq!(rules("Sloppy quorum writes let stale data win."), []);
        assert_eq!(rules("The dumb terminal showed nothing."), []);
    }

    #[test]
    fn regex_laziness_is_technical() {
        assert_eq!(rules("Using lazy rather than greedy matches limits backtracking."), []);
        assert_eq!(rules("But laziness isn't the whole answer to backtracking."), []);
    }

    #[test]
    fn judgement_phrases_are_flagged() {
        assert_eq!(rules("The engineer in question wasn't paying attention."), [LintRule::JudgementWord]);
        assert_eq!(rules("Responsibility for this outage lies with the release manager."), [LintRule::JudgementWord]);
        assert_eq!(
            suggestion("Disabling the alert was an irresponsible decision."),
            "Disabling the alert was a decision."
        );
    }

    #[test]
    fn fault_about_a_person_is_a_judgement() {
        assert_eq!(rules("It was Dana's fault."), [LintRule::JudgementWord]);
        assert_eq!(rules("The on-call was at fault for the delay."), [LintRule::JudgementWord]);
    }

    #[test]
    fn technical_and_system_faults_are_not_flagged() {
        assert_eq!(rules("We moved the workers into a separate fault domain."), []);
        assert_eq!(rules("The service is fault-tolerant across zones."), []);
        assert_eq!(rules("A segmentation fault crashed the worker."), []);
        assert_eq!(rules("The disk controller was at fault."), []);
        assert_eq!(rules("The fault lies in the retry logic."), []);
        assert_eq!(rules("It was nobody's fault."), []);
    }

    #[test]
    fn blame_is_flagged_unless_negated_or_technical() {
        assert_eq!(rules("Whoever approved this is to blame."), [LintRule::JudgementWord]);
        assert_eq!(rules("We blame the reviewer for the missing index."), [LintRule::JudgementWord]);
        assert_eq!(rules("No one is to blame for this incident."), []);
        assert_eq!(rules("We run blame-free post-mortems."), []);
        assert_eq!(rules("This review is blameless."), []);
        assert_eq!(rules("The outage was blamed on a faulty switch."), []);
        assert_eq!(rules("We don't assign blame in these reviews."), []);
        assert_eq!(rules("Search was blamed at first."), []);
        assert_eq!(rules("She initially blames this on the memory limit of the job."), []);
        assert_eq!(rules("The script assigns blame to a database account."), []);
    }

    #[test]
    fn human_error_kin_and_its_look_alikes() {
        assert_eq!(rules("This incident was a people problem."), [LintRule::HumanError]);
        assert_eq!(rules("User errors are shown in a toast."), []);
        assert_eq!(rules("The user's error report was detailed."), []);
        assert_eq!(rules("We learn from our mistakes."), []);
    }

    #[test]
    fn minimising_words_before_a_step_are_info() {
        let findings = lint("Just restart the pod.", &[]);
        assert_eq!((findings[0].rule, findings[0].severity), (LintRule::Minimising, LintSeverity::Info));
        assert_eq!(findings[0].suggestion, "Restart the pod.");
        assert_eq!(rules("The on-call simply had to flip the flag."), [LintRule::Minimising]);
        assert_eq!(rules("Obviously the config was wrong."), [LintRule::Minimising]);
    }

    #[test]
    fn other_senses_of_just_and_simply_are_not_minimising() {
        assert_eq!(rules("Errors started just after 14:00."), []);
        assert_eq!(rules("The compiler uses just-in-time compilation."), []);
        assert_eq!(rules("It is hard to justify a second region."), []);
        assert_eq!(rules("A simply connected space has no holes."), []);
        assert_eq!(rules("We just deployed version 2.3.1."), []);
        assert_eq!(rules("The proxy just forwards the request."), []);
        assert_eq!(rules("Obviously wrong values are now rejected."), []);
        assert_eq!(rules("Obviously there are limits to this approach."), []);
        assert_eq!(rules("It would be nice to be able to just look at the dashboard."), []);
        assert_eq!(rules("Andrew chose to upgrade rather than just reboot."), []);
    }

    #[test]
    fn minimising_a_persons_mistake_is_a_warning_with_advice() {
        let findings = lint("The outage was just a silly mistake by Tomas.", &[]);
        assert_eq!((findings[0].rule, findings[0].severity), (LintRule::Minimising, LintSeverity::Warning));
        assert_eq!(findings[0].matched, "just a silly mistake");
        assert_eq!(findings[0].suggestion, super::MINIMISED_MISTAKE_ADVICE);
        assert_eq!(rules("It was an honest mistake."), [LintRule::Minimising]);
        assert_eq!(rules("It was simply a typo in the hostname."), [LintRule::Minimising]);
    }

    #[test]
    fn mistakes_that_are_not_minimised_are_left_to_the_other_rules() {
        assert_eq!(rules("Simple mistakes are caught by the linter now."), []);
        assert_eq!(rules("This was not just human error; the tool made deletion the default."), []);
        assert_eq!(rules("A simple fix is to raise the connection limit."), []);
        assert_eq!(rules("The parser just skips a typo in the header."), []);
    }

    #[test]
    fn human_error_pinned_on_someone_or_minimised_gets_advice_not_a_rewrite() {
        for text in ["It was human error by the on-call.", "It was simply human error on the on-call's part."] {
            let finding = lint(text, &[]).into_iter().find(|f| f.rule == LintRule::HumanError).expect("human-error");
            assert!(!finding.suggestion.contains("manual step"), "{text} -> {}", finding.suggestion);
        }
    }

    #[test]
    fn punishment_is_flagged_for_people_only() {
        assert_eq!(rules("Dana will be disciplined for the outage."), [LintRule::Punishment]);
        assert_eq!(rules("We will hold the on-call engineer accountable."), [LintRule::Punishment]);
        assert_eq!(rules("The alert was fired by the synthetic monitor."), []);
        assert_eq!(rules("The process was terminated by the OOM killer."), []);
        assert_eq!(rules("The engineer was fired up about tracing."), []);
        assert_eq!(rules("We will discipline the engineer who pushed the change."), [LintRule::Punishment]);
        assert_eq!(rules("We hope you will hold us accountable for improving."), []);
    }

    #[test]
    fn asking_people_to_try_harder_is_flagged() {
        assert_eq!(rules("Engineers must be more careful with DNS."), [LintRule::BeMoreCareful]);
        assert_eq!(rules("Operators need to remember to drain traffic."), [LintRule::BeMoreCareful]);
        assert_eq!(rules("We will add a dry-run flag to the cleanup script."), []);
        assert_eq!(rules("Our post-mortem process will be thorough and broad."), []);
    }
}
