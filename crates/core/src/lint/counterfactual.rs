//! `counterfactual` and `hindsight-certainty`: what a person "should have",
//! "could have" or "failed to" do, "if only", "had X done Y… would", and the
//! outcome treated as foreseeable ("should have known", "it was obvious").
//!
//! Only people are held to counterfactuals here: "the cache should have expired"
//! is a statement about a system's design. Recommendations ("we should add"),
//! passives ("should have been paged") and possibilities ("customers could have
//! seen errors") are left alone. Rewrites describe what happened instead.

use super::names::{Agent, People, Subject, is_clause_punct};
use super::rewrite::{Edit, Fix, PERSON_COUNTERFACTUAL_ADVICE, is_participle, past_of};
use super::rules::{Hit, adjacent, anonymise, hit_start, severity_for, skip_words};
use super::sentences::{Kind, Sentence};
use super::{LintRule, LintSeverity};

pub(crate) const COUNTERFACTUAL_ADVICE: &str = "Describe what the person saw and did, and why it made sense at the time, instead of \
                                     what they should have done; then name what would make the other action easier.";

const HINDSIGHT_ADVICE: &str = "State what information was available at the time, and what it pointed to then.";

/// Words that can sit between `should have` and its participle.
#[rustfmt::skip]
const AFTER_HAVE: &[&str] = &[
    "also", "really", "at", "least", "just", "simply", "first", "immediately", "probably", "already", "clearly",
    "definitely", "certainly", "maybe", "perhaps", "easily", "quickly", "then", "actually", "at",
];

/// After `should have been`: words that describe a person's state, not a passive.
#[rustfmt::skip]
const PERSON_STATES: &[&str] = &[
    "careful", "aware", "alert", "attentive", "vigilant", "cautious", "clearer", "quicker", "faster", "thorough",
    "diligent", "smarter", "paying", "watching", "looking", "monitoring", "responsive", "proactive", "stricter",
];

/// After `could have`: verbs of outcome, where the sentence is about possible impact.
#[rustfmt::skip]
const POSSIBILITY: &[&str] = &[
    "lost", "caused", "affected", "impacted", "led", "resulted", "seen", "experienced", "received", "gotten", "got",
    "had", "faced", "hit", "taken", "gone", "become", "ended", "triggered", "made", "happened", "broken", "noticed",
    "observed", "been", "done",
];

/// After `should have`: verbs that describe what a person was owed, not what they did.
const OWED: &[&str] = &["received", "gotten", "got", "had", "heard"];

/// Verbs of knowing in advance.
const HINDSIGHT_VERBS: &[&str] =
    &["known", "realised", "realized", "foreseen", "anticipated", "predicted", "expected", "guessed", "suspected"];

/// With `they`, only these verbs make the subject people rather than things.
#[rustfmt::skip]
const HUMAN_VERBS: &[&str] = &[
    "known", "noticed", "notice", "checked", "check", "read", "asked", "ask", "realised", "realized", "waited", "wait",
    "paged", "page", "escalated", "escalate", "tested", "test", "verified", "verify", "reviewed", "review", "followed",
    "follow", "looked", "look", "seen", "see", "caught", "catch", "double-checked", "double-check", "listened",
    "listen", "thought", "think", "told", "tell", "warned", "warn", "called", "call", "spotted", "spot", "investigated",
    "investigate", "acknowledged", "acknowledge", "responded", "respond", "declared", "declare", "understood",
    "understand", "remembered", "remember", "consulted", "consult", "confirmed", "confirm", "heeded", "heed",
    "informed", "inform", "mentioned", "mention", "documented", "document",
];

/// After `failed to`: verbs of trying, where failing is not a lapse.
#[rustfmt::skip]
const ATTEMPT: &[&str] = &[
    "reach", "contact", "connect", "access", "log", "sign", "get", "find", "reproduce", "load", "open", "locate",
    "obtain", "join", "start", "restart", "stop", "recover", "restore", "boot", "launch", "identify", "determine",
    "diagnose", "pin", "replicate", "resolve", "fix", "mitigate", "complete", "deliver", "meet", "live", "provide",
    "maintain", "keep", "finish", "secure", "convince", "persuade", "wake", "authenticate", "establish", "explain",
    "service", "serve",
];

/// Split-infinitive adverbs: `failed to properly test`.
const INFINITIVE_ADVERBS: &[&str] =
    &["properly", "fully", "correctly", "adequately", "even", "actually", "ever", "first"];

/// `Dana should have checked`, `we could have caught`, `the operator ought to have verified`,
/// and the hindsight forms `should have known`, `should have seen it coming`.
pub(crate) fn modal_counterfactual(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    let mut j = if s.words_at(i, &["ought", "to"]) {
        i + 2
    } else if s.is_any(i, &["should", "could"]) {
        i + 1
    } else {
        return;
    };
    let mut negated = false;
    if s.is_any(j, &["not", "never"]) {
        negated = true;
        j += 1;
    }
    if !s.is(j, "have") {
        return;
    }
    let have = j;
    if s.is(j + 1, "not") {
        negated = true;
        j += 1;
    }
    let v = skip_words(s, j + 1, AFTER_HAVE);
    let Some(verb) = s.word(v) else { return };
    if s.is(i, "could") && (negated || i > 0 && s.is_any(i - 1, &["never", "not"])) {
        return; // "could not have known" says the opposite
    }
    let Some(subject) = people.subject_of(s, i) else { return };
    if subject.agent == Agent::Nobody {
        return;
    }
    // `not sure how we could have avoided this`: a question, not a verdict.
    if subject.first > 0 && s.is_any(subject.first - 1, &["how", "whether", "what", "where", "when"]) {
        return;
    }
    // `We could have detected the lag earlier if replication delay had an alert`: what we
    // could have done had a system been different is about the system.
    if subject.agent == Agent::Group && s.is(i, "could") && system_condition_after(s, people, v) {
        return;
    }
    let start = hit_start(s, &subject, i);

    let seen_coming = verb == "seen" && s.is_any(v + 1, &["it", "this", "that"]) && s.is(v + 2, "coming");
    if !negated && (HINDSIGHT_VERBS.contains(&verb) || seen_coming) {
        let end = if seen_coming { v + 2 } else { v };
        let fix = hindsight_fix(s, &subject, i, v);
        hits.push(Hit {
            rule: LintRule::HindsightCertainty,
            severity: LintSeverity::Warning,
            start,
            end: s.tokens[end].end,
            fix,
        });
        return;
    }
    let mut end = v;
    if verb == "been" {
        let state = if s.is(v + 1, "more") { v + 2 } else { v + 1 };
        if !s.is_any(state, PERSON_STATES) {
            return; // a passive: "should have been paged"
        }
        end = state;
    } else if !is_participle(verb) || OWED.contains(&verb) || (s.is(i, "could") && POSSIBILITY.contains(&verb)) {
        return;
    }
    if subject.agent == Agent::They && !HUMAN_VERBS.contains(&verb) {
        return;
    }
    // `we should have seen protective measures kick in`: what a group expected to observe.
    if matches!(subject.agent, Agent::Group | Agent::They) && matches!(verb, "seen" | "observed") {
        return;
    }
    // `could have avoided it` → `had not avoided it` would reverse the meaning.
    let reverses = s.is(i, "could") && REVERSING.contains(&verb);
    let fix = if verb == "been" || reverses || !adjacent(s, &subject, i) {
        Fix::Advice(COUNTERFACTUAL_ADVICE)
    } else if !negated && subject.agent.is_individual() {
        // `The responder had not checked` is still a verdict on a person: ask about the system.
        Fix::Advice(PERSON_COUNTERFACTUAL_ADVICE)
    } else {
        let mut edits = anonymise(s, &subject, "the responder");
        edits.extend(judging_filler_deletions(s, subject.head + 1, i));
        if negated {
            edits.push(Edit::new(s.tokens[i].start, s.tokens[v].end, past_of(verb)));
        } else {
            edits.push(Edit::new(s.tokens[i].start, s.tokens[have.max(j)].end, "had not"));
        }
        Fix::Edits(edits)
    };
    hits.push(Hit {
        rule: LintRule::Counterfactual,
        severity: severity_for(subject.agent),
        start,
        end: s.tokens[end].end,
        fix,
    });
}

/// Verbs whose `could have` form means a good outcome was possible; `had not` would invert it.
#[rustfmt::skip]
const REVERSING: &[&str] = &[
    "avoided", "prevented", "averted", "stopped", "mitigated", "minimised", "minimized", "limited", "reduced",
    "shortened", "saved", "caught", "spotted",
];

/// Deletions of judging fillers (`clearly`, `simply`) between tokens `from` and `to`.
fn judging_filler_deletions(s: &Sentence, from: usize, to: usize) -> Vec<Edit> {
    (from..to)
        .filter(|&j| s.is_any(j, &["clearly", "obviously", "simply", "just", "carelessly", "stupidly", "blindly"]))
        .map(|j| Edit::new(s.tokens[j].start, s.tokens[j].end, ""))
        .collect()
}

/// `Dana should have known the cache was cold` → `Nothing at the time showed that the cache was cold`.
fn hindsight_fix(s: &Sentence, subject: &Subject, modal: usize, v: usize) -> Fix {
    let Some(verb) = s.word(v) else { return Fix::Advice(HINDSIGHT_ADVICE) };
    let next = s.tokens.get(v + 1);
    let usable = adjacent(s, subject, modal)
        && next.is_some_and(|t| t.kind != Kind::Punct && !t.is_any(&["better", "it", "this", "that"]) || t.is("that"));
    if !usable {
        return Fix::Advice(HINDSIGHT_ADVICE);
    }
    let start = s.tokens[subject.first].start;
    let (end, text) = match verb {
        "known" | "realised" | "realized" | "guessed" | "suspected" => {
            let end = if s.is(v + 1, "that") { v + 1 } else { v };
            (end, "nothing at the time showed that")
        }
        _ => (v, "nothing at the time pointed to"),
    };
    Fix::Edits(vec![Edit::new(start, s.tokens[end].end, text)])
}

/// `The reviewer failed to notice`, `the developer neglected to update`.
pub(crate) fn failed_or_neglected_to(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    let neglected = s.words_at(i, &["neglected", "to"]);
    if !s.words_at(i, &["failed", "to"]) && !neglected {
        return;
    }
    let v = skip_words(s, i + 2, INFINITIVE_ADVERBS);
    let Some(verb) = s.word(v) else { return };
    if !neglected && ATTEMPT.contains(&verb) {
        return;
    }
    let Some(subject) = people.subject_of(s, i) else { return };
    if subject.agent == Agent::Nobody || (subject.agent == Agent::They && !neglected && !HUMAN_VERBS.contains(&verb)) {
        return;
    }
    let fix = if subject.agent.is_individual() {
        Fix::Advice(PERSON_COUNTERFACTUAL_ADVICE)
    } else if adjacent(s, &subject, i) {
        let mut edits = anonymise(s, &subject, "the responder");
        edits.extend(judging_filler_deletions(s, subject.head + 1, i));
        edits.push(Edit::new(s.tokens[i].start, s.tokens[i + 1].end, "did not"));
        Fix::Edits(edits)
    } else {
        Fix::Advice(COUNTERFACTUAL_ADVICE)
    };
    hits.push(Hit {
        rule: LintRule::Counterfactual,
        severity: severity_for(subject.agent),
        start: hit_start(s, &subject, i),
        end: s.tokens[v].end,
        fix,
    });
}

/// `didn't bother to test`, `never bothered`, `nobody bothered to check`.
pub(crate) fn did_not_bother(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    let bother = s.is_any(i, &["bother", "bothered"]);
    let think_to = s.is_any(i, &["think", "thought", "remembered", "cared"]) && s.is(i + 1, "to");
    if !bother && !think_to {
        return;
    }
    let negation = (i.saturating_sub(2)..i).find(|&j| s.is_any(j, &["not", "never"]));
    let subject_at = negation.map_or(i, |n| if n > 0 && s.is(n - 1, "did") { n - 1 } else { n });
    let subject = people.subject_of(s, subject_at);
    let by_nobody = subject.is_some_and(|x| x.agent == Agent::Nobody);
    if negation.is_none() && !by_nobody {
        return;
    }
    if subject.is_none() && s.tokens.get(subject_at.wrapping_sub(1)).is_some_and(|t| t.kind == Kind::Word) {
        // "the script didn't bother to retry": a thing as subject; leave it.
        let head = subject_at - 1;
        if !s.tokens[head].is_any(&["and", "but", "so", "then"]) {
            return;
        }
    }
    let to = if s.is(i + 1, "to") { Some(i + 1) } else { None };
    let start =
        subject.filter(|x| adjacent(s, x, subject_at)).map_or(s.tokens[subject_at].start, |x| s.tokens[x.first].start);
    let fix = match (to, subject) {
        (Some(to), Some(x)) if x.agent == Agent::Nobody => {
            Fix::Edits(vec![Edit::new(s.tokens[x.first].start, s.tokens[to].end, "nothing prompted anyone to")])
        }
        (Some(_), Some(x)) if x.agent.is_individual() => Fix::Advice(PERSON_COUNTERFACTUAL_ADVICE),
        (Some(to), Some(x)) if adjacent(s, &x, subject_at) => {
            let mut edits = anonymise(s, &x, "the responder");
            edits.push(Edit::new(s.tokens[subject_at].start, s.tokens[to].end, "did not"));
            Fix::Edits(edits)
        }
        _ => Fix::Advice(COUNTERFACTUAL_ADVICE),
    };
    let severity = subject.map_or(LintSeverity::Warning, |x| severity_for(x.agent));
    hits.push(Hit { rule: LintRule::Counterfactual, severity, start, end: s.tokens[to.unwrap_or(i)].end, fix });
}

/// Lapse verbs: what a person "didn't" do that a reader will judge them for.
#[rustfmt::skip]
const LAPSES: &[&str] = &[
    "check", "look", "read", "notice", "verify", "test", "follow", "escalate", "ask", "wait", "review", "confirm",
    "double-check", "update", "tell", "notify", "page", "respond", "acknowledge", "heed", "consult", "investigate",
];

#[rustfmt::skip]
const LAPSES_PAST: &[&str] = &[
    "checked", "looked", "read", "noticed", "verified", "tested", "followed", "escalated", "asked", "waited",
    "reviewed", "confirmed", "double-checked", "updated", "told", "notified", "paged", "responded", "acknowledged",
    "heeded", "consulted", "investigated",
];

/// `The on-call didn't look at the dashboard`, `Dana never checked`: info, since it may be plain fact.
pub(crate) fn did_not_do(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    let (first, verb) = if s.words_at(i, &["did", "not"]) && s.is_any(i + 2, LAPSES) {
        (i, i + 2)
    } else if s.is(i, "never") && s.is_any(i + 1, LAPSES_PAST) {
        (i, i + 1)
    } else {
        return;
    };
    let Some(subject) = people.subject_of(s, first) else { return };
    // `they didn't respond` is as often about hosts as people: only thinking verbs count for `they`.
    let thinking = s.is_any(
        verb,
        &[
            "read",
            "notice",
            "noticed",
            "check",
            "checked",
            "look",
            "looked",
            "verify",
            "verified",
            "ask",
            "asked",
            "follow",
            "followed",
            "heed",
            "heeded",
            "consult",
            "consulted",
        ],
    );
    let counts = subject.agent.is_individual() || (subject.agent == Agent::They && thinking);
    if !counts {
        return;
    }
    // `didn't notice it because the LEDs are on the other side` already gives the system's reason.
    if s.tokens[verb..].iter().any(|t| t.is_any(&["because", "since", "as"])) {
        return;
    }
    hits.push(Hit {
        rule: LintRule::Counterfactual,
        severity: LintSeverity::Info,
        start: hit_start(s, &subject, first),
        end: s.tokens[verb].end,
        fix: Fix::Advice(COUNTERFACTUAL_ADVICE),
    });
}

/// `comes down to Dana not reading the runbook`.
pub(crate) fn person_not_doing(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    if !s.is(i + 1, "not") || s.word(i + 2).is_none_or(|w| !w.ends_with("ing")) {
        return;
    }
    let gerund = s.word(i + 2).unwrap_or_default();
    let lapse = LAPSES.iter().any(|l| gerund.starts_with(&l[..l.len().min(4)])) || gerund == "paying";
    if !lapse || !people.classify(s, i).is_some_and(|(a, _)| a.is_individual()) {
        return;
    }
    hits.push(Hit {
        rule: LintRule::Counterfactual,
        severity: LintSeverity::Warning,
        start: s.tokens[i].start,
        end: s.tokens[i + 2].end,
        fix: Fix::Advice(COUNTERFACTUAL_ADVICE),
    });
}

/// `Priya should know better`.
pub(crate) fn should_know_better(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    if !s.is(i, "should") || !s.words_at(i + 1, &["know", "better"]) {
        return;
    }
    let Some(subject) = people.subject_of(s, i) else { return };
    if subject.agent == Agent::Nobody {
        return;
    }
    hits.push(Hit {
        rule: LintRule::HindsightCertainty,
        severity: LintSeverity::Warning,
        start: hit_start(s, &subject, i),
        end: s.tokens[i + 2].end,
        fix: Fix::Advice(HINDSIGHT_ADVICE),
    });
}

/// `If only someone had looked`, `If Dana had followed the runbook, … would have`, `Had Sam run the dry run, …`.
pub(crate) fn if_only_had(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    let clause_initial = i == 0 || is_clause_punct(&s.tokens[i - 1]) || s.is_any(i - 1, &["and", "but", "so"]);
    let (first, only, had) = if s.is(i, "if") {
        let only = s.is(i + 1, "only");
        let from = if only { i + 2 } else { i + 1 };
        let Some(had) = (from + 1..(from + 6).min(s.tokens.len())).find(|&j| s.is(j, "had")) else { return };
        if had == from {
            return;
        }
        (i, only, had)
    } else if s.is(i, "had") && clause_initial {
        (i, false, i)
    } else {
        return;
    };
    let consequence = s.tokens[..]
        .iter()
        .any(|t| t.is_any(&["would", "could", "might", "avoidable", "avoided", "preventable", "prevented"]));
    if !only && !consequence {
        return;
    }
    // The participle and the subject's head.
    let (head, participle) = if had == first {
        let Some(p) = (first + 2..(first + 7).min(s.tokens.len())).find(|&j| {
            s.word(j).is_some_and(is_participle) && !s.is_any(j, &["had", "been", "gotten", "got", "received"])
        }) else {
            return;
        };
        let head = if s.is(p - 1, "not") { p - 2 } else { p - 1 };
        (head, p)
    } else {
        let p = skip_words(s, had + 1, &["not", "only", "just", "already", "actually"]);
        if s.word(p).is_none_or(|w| !is_participle(w) || OWED.contains(&w) || w == "been") {
            return;
        }
        (had - 1, p)
    };
    if head <= first {
        return;
    }
    let Some((agent, _)) = people.classify(s, head) else { return };
    if agent == Agent::Nobody {
        return;
    }
    if agent == Agent::They && s.word(participle).is_none_or(|w| !HUMAN_VERBS.contains(&w)) {
        return;
    }
    hits.push(Hit {
        rule: LintRule::Counterfactual,
        severity: severity_for(agent),
        start: s.tokens[first].start,
        end: s.tokens[participle].end,
        fix: Fix::Advice(COUNTERFACTUAL_ADVICE),
    });
}

/// Whether an `if` clause after token `v` has a thing, not a person, as its subject:
/// `…if replication delay had an alert`.
fn system_condition_after(s: &Sentence, people: &People, v: usize) -> bool {
    let Some(condition) = (v + 1..s.tokens.len()).find(|&j| s.is(j, "if")) else { return false };
    let Some(verb) = (condition + 2..(condition + 7).min(s.tokens.len()))
        .find(|&j| s.is_any(j, &["had", "has", "was", "were", "is", "did", "could", "would"]))
    else {
        return false;
    };
    !(condition + 1..verb).any(|j| people.classify(s, j).is_some())
}

/// `It was obvious that…`, `It should have been obvious`, `an obvious mistake`.
pub(crate) fn obvious(s: &Sentence, i: usize, hits: &mut Vec<Hit>) {
    if !s.is(i, "obvious") {
        return;
    }
    if s.is_any(i + 1, &["mistake", "error", "typo", "oversight", "blunder"]) {
        if !s.is_any(i.wrapping_sub(1), &["no", "not"]) {
            hits.push(Hit {
                rule: LintRule::HindsightCertainty,
                severity: LintSeverity::Warning,
                start: s.tokens[i].start,
                end: s.tokens[i + 1].end,
                fix: Fix::Advice(HINDSIGHT_ADVICE),
            });
        }
        return;
    }
    let mut b = i;
    while b > 0
        && s.is_any(
            b - 1,
            &[
                "so",
                "completely",
                "pretty",
                "quite",
                "very",
                "really",
                "painfully",
                "blindingly",
                "perfectly",
                "fairly",
                "immediately",
                "totally",
            ],
        )
    {
        b -= 1;
    }
    // Past only: "it is obvious that" explains to the reader, "it was obvious" judges in hindsight.
    let Some(be) = b.checked_sub(1).filter(|&k| s.is_any(k, &["was", "were", "seemed", "been", "looked", "became"]))
    else {
        return;
    };
    if (be.saturating_sub(3)..be).any(|k| s.is_any(k, &["not", "never", "no"])) || s.is(be + 1, "not") {
        return;
    }
    // `At 19:35 it was obvious the fix wasn't working`: seen at the time, not in hindsight.
    let at_a_time = s.tokens[..be].iter().any(|t| t.kind == Kind::Number && t.text.contains(':'))
        || (0..be).any(|k| {
            s.words_at(k, &["at", "that", "point"])
                || s.words_at(k, &["by", "then"])
                || s.words_at(k, &["at", "this", "point"])
        });
    if at_a_time {
        return;
    }
    // Start at `it` / `it should have` before the verb.
    let mut start = be;
    while start > 0 && s.is_any(start - 1, &["should", "have", "would", "must", "it", "this", "that"]) {
        start -= 1;
        if s.is(start, "it") {
            break;
        }
    }
    let that = if s.is(i + 1, "that") { i + 1 } else { i };
    let fix = if s.is(start, "it") && that > i {
        // `In hindsight, it was obvious that` → `In hindsight we know that`.
        let mut from = start;
        if from >= 2 && s.is_any(from - 1, &["hindsight", "retrospect"]) {
            from -= 2;
        } else if from >= 3 && s.tokens[from - 1].is_punct(',') && s.is_any(from - 2, &["hindsight", "retrospect"]) {
            from -= 3;
        }
        Fix::Edits(vec![Edit::new(s.tokens[from].start, s.tokens[that].end, "in hindsight we know that")])
    } else {
        Fix::Advice(HINDSIGHT_ADVICE)
    };
    hits.push(Hit {
        rule: LintRule::HindsightCertainty,
        severity: LintSeverity::Warning,
        start: s.tokens[start].start,
        end: s.tokens[i].end,
        fix,
    });
}

/// `Anyone could see…`, `Any competent engineer would have spotted…`.
pub(crate) fn anyone_could_see(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    if s.is_any(i, &["anyone", "anybody", "everyone", "everybody"])
        && s.is_any(i + 1, &["could", "would", "can", "should"])
    {
        let (verb, plain) = if s.is(i + 2, "have") { (i + 3, false) } else { (i + 2, true) };
        let seeing =
            ["see", "tell", "spot", "notice", "seen", "known", "told", "spotted", "noticed", "predicted", "guessed"];
        if !s.is_any(verb, &seeing) {
            return;
        }
        let fix = if plain && s.is_any(verb, &["see", "tell"]) {
            Fix::Edits(vec![Edit::new(s.tokens[i].start, s.tokens[verb].end, "in hindsight we know")])
        } else {
            Fix::Advice(HINDSIGHT_ADVICE)
        };
        hits.push(Hit {
            rule: LintRule::HindsightCertainty,
            severity: LintSeverity::Warning,
            start: s.tokens[i].start,
            end: s.tokens[verb].end,
            fix,
        });
        return;
    }
    let judging = [
        "competent",
        "reasonable",
        "experienced",
        "decent",
        "half-decent",
        "sensible",
        "careful",
        "qualified",
        "good",
        "real",
    ];
    if s.is(i, "any") && s.is_any(i + 1, &judging) && people.classify(s, i + 2).is_some_and(|(a, _)| a.is_individual())
    {
        hits.push(Hit {
            rule: LintRule::HindsightCertainty,
            severity: LintSeverity::Warning,
            start: s.tokens[i].start,
            end: s.tokens[i + 2].end,
            fix: Fix::Advice(HINDSIGHT_ADVICE),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{names, rules, suggestion};
    use crate::lint::{LintRule, LintSeverity, lint};

    #[test]
    fn should_have_about_a_person_is_a_counterfactual() {
        assert_eq!(rules("Dana should have checked the dashboard."), [LintRule::Counterfactual]);
        assert_eq!(
            suggestion("Dana should have checked the dashboard.", LintRule::Counterfactual),
            super::PERSON_COUNTERFACTUAL_ADVICE
        );
        assert_eq!(rules("The on-call should have escalated sooner."), [LintRule::Counterfactual]);
    }

    #[test]
    fn should_have_about_a_system_is_not_a_counterfactual() {
        assert_eq!(rules("The cache should have expired after 5 minutes."), []);
        assert_eq!(rules("The health check should have removed the node."), []);
        assert_eq!(rules("Postgres should have rejected the duplicate key."), []);
    }

    #[test]
    fn recommendations_and_passives_are_not_counterfactuals() {
        assert_eq!(rules("We should add alerting on replication lag."), []);
        assert_eq!(rules("We should have the fix out by Friday."), []);
        assert_eq!(rules("We should have been paged when lag passed one minute."), []);
        assert_eq!(rules("Dana should have had access to the dashboard."), []);
    }

    #[test]
    fn we_should_have_is_an_info_counterfactual() {
        let findings = lint("We should have caught this in review.", &names());
        assert_eq!(findings.len(), 1);
        assert_eq!((findings[0].rule, findings[0].severity), (LintRule::Counterfactual, LintSeverity::Info));
    }

    #[test]
    fn what_we_could_have_done_had_a_system_been_different_is_about_the_system() {
        assert_eq!(rules("We could have detected the lag earlier if replication delay had an alert."), []);
        assert_eq!(rules("We could have caught it if the canary had covered that region."), []);
        // A person in the condition keeps it a counterfactual about people.
        assert!(rules("We could have caught it if Dana had looked.").contains(&LintRule::Counterfactual));
    }

    #[test]
    fn shouldnt_have_is_rewritten_as_what_happened() {
        assert_eq!(
            suggestion("She shouldn't have restarted the primary.", LintRule::Counterfactual),
            "She restarted the primary."
        );
    }

    #[test]
    fn could_have_about_impact_is_not_a_counterfactual() {
        assert_eq!(rules("Customers could have seen errors during the failover."), []);
        assert_eq!(rules("The engineer could have rolled back within minutes."), [LintRule::Counterfactual]);
        assert_eq!(rules("Nobody could have known that the flag was shared."), []);
        assert_eq!(rules("The on-call engineer could not have known the dashboard was stale."), []);
    }

    #[test]
    fn failed_to_is_a_counterfactual_only_for_people_and_lapses() {
        assert_eq!(rules("The reviewer failed to notice the missing index."), [LintRule::Counterfactual]);
        assert_eq!(rules("The job failed to start after the drain."), []);
        assert_eq!(rules("The deploy failed to complete."), []);
        assert_eq!(rules("We failed to reproduce the bug locally."), []);
    }

    #[test]
    fn failing_to_do_something_is_met_with_a_question_about_the_system() {
        assert_eq!(
            suggestion("Bob failed to check the replica lag before promoting it.", LintRule::Counterfactual),
            super::PERSON_COUNTERFACTUAL_ADVICE
        );
        assert_eq!(
            suggestion("@sam didn't bother to test the change.", LintRule::Counterfactual),
            super::PERSON_COUNTERFACTUAL_ADVICE
        );
    }

    #[test]
    fn not_bothering_is_a_counterfactual() {
        assert_eq!(rules("@sam didn't bother to test the change."), [LintRule::Counterfactual]);
        assert_eq!(
            suggestion("Nobody bothered to check the backups.", LintRule::Counterfactual),
            "Nothing prompted anyone to check the backups."
        );
    }

    #[test]
    fn if_only_and_had_clauses_about_people_are_counterfactuals() {
        assert_eq!(rules("If only someone had looked at the lag."), [LintRule::Counterfactual]);
        assert_eq!(
            rules("Had Dana run the dry run first, none of this would have happened."),
            [LintRule::Counterfactual]
        );
        assert_eq!(rules("If the cache had been warm, latency would have stayed flat."), []);
        assert_eq!(rules("Had the canary received traffic, the regression would have been caught."), []);
    }

    #[test]
    fn should_have_known_is_hindsight_with_a_rewrite() {
        assert_eq!(rules("Dana should have known the cache was cold."), [LintRule::HindsightCertainty]);
        assert_eq!(
            suggestion("Dana should have known the cache was cold.", LintRule::HindsightCertainty),
            "Nothing at the time showed that the cache was cold."
        );
    }

    #[test]
    fn it_was_obvious_is_hindsight_unless_negated() {
        assert_eq!(
            suggestion("In hindsight it was obvious that the disk would fill.", LintRule::HindsightCertainty),
            "In hindsight we know that the disk would fill."
        );
        assert_eq!(rules("The cause was not obvious from the dashboards."), []);
        assert_eq!(rules("Anyone could see the queue was backing up."), [LintRule::HindsightCertainty]);
    }

    #[test]
    fn blameless_counterfactuals_are_left_alone() {
        assert_eq!(rules("Our staging setup meant we never could have detected this bug."), []);
        assert_eq!(rules("I am not sure how we could have avoided this."), []);
        assert_eq!(rules("We don't know when we should have used the spare host."), []);
        assert_eq!(rules("During the failure we should have seen the circuit breakers open."), []);
        assert_eq!(rules("Had we not gotten the mirror in place, it would have been worse."), []);
    }

    #[test]
    fn could_have_prevented_gets_advice_not_a_reversed_rewrite() {
        assert_eq!(
            suggestion("Dana could have prevented this.", LintRule::Counterfactual),
            super::COUNTERFACTUAL_ADVICE
        );
    }

    #[test]
    fn should_never_have_is_rewritten_as_what_happened() {
        assert_eq!(
            suggestion("The DBA should never have run the migration at noon.", LintRule::Counterfactual),
            "The DBA ran the migration at noon."
        );
    }

    #[test]
    fn not_doing_something_is_an_info_counterfactual_unless_the_reason_is_given() {
        let findings = lint("The on-call didn't look at the dashboard.", &names());
        assert_eq!((findings[0].rule, findings[0].severity), (LintRule::Counterfactual, LintSeverity::Info));
        assert_eq!(rules("The technician didn't notice it because the LEDs face the wall."), []);
        assert_eq!(rules("Packets arrived, but they didn't respond."), []);
        assert_eq!(rules("It comes down to Dana not reading the runbook."), [LintRule::Counterfactual]);
    }

    #[test]
    fn obvious_at_a_time_or_for_the_reader_is_not_hindsight() {
        assert_eq!(rules("At 19:35 UTC it was obvious this fix wasn't working."), []);
        assert_eq!(rules("It might also be obvious that the match had ended."), []);
        assert_eq!(rules("It is obvious that the queue needs a bound."), []);
        assert_eq!(rules("Frankly, Dana should know better."), [LintRule::HindsightCertainty]);
    }
}
