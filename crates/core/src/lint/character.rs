//! Blame that the subject-and-verb rules do not see because it is carried by an idiom or a
//! frame rather than a fault verb: idioms ("dropped the ball", "cut corners"), sanctions and
//! reputation ("will be retrained", "has been warned", "has a history of"), repetition
//! presented as character ("once again the payments team…"), a person's choice as the cause
//! ("because Dana chose to skip…"), a person as the root cause ("the root cause is that the
//! engineer typed…"), and mind-reading ("clearly did not think it through").
//!
//! Each pattern names the condition that keeps it off system prose: most need a person or a
//! team somewhere in the sentence, some a person as the subject. None proposes a rewrite: the
//! wording is too varied for a safe one, so every finding explains and asks instead. They are
//! asked only about sentences the other rules found nothing in.

use super::names::{Agent, People, name_anywhere};
use super::rewrite::Fix;
use super::rules::{BE_FORMS, Hit, skip_words};
use super::sentences::{Kind, Sentence};
use super::{LintRule, LintSeverity};

/// What a pattern needs besides its words to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// The words alone are blame.
    Nothing,
    /// A person or a team (not "we") anywhere in the sentence.
    Someone,
    /// A person or a team (not "we") as the subject of the words.
    Subject,
    /// A person or a team (not "we") within the four tokens after the words.
    SomeoneAfter,
    /// A person or a team (not "we") right after the words, ending the clause: `is on the on-call`.
    SomeoneNext,
    /// A person's possessive (`Dana's`, `his`) within the three tokens before the words.
    Possessor,
}

struct Pattern {
    words: &'static [&'static str],
    rule: LintRule,
    needs: Needs,
}

const fn p(words: &'static [&'static str], rule: LintRule, needs: Needs) -> Pattern {
    Pattern { words, rule, needs }
}

use LintRule::{BeMoreCareful as Careful, HindsightCertainty as Hindsight, JudgementWord as Judgement};
use LintRule::{NamedBlame as Named, Punishment as Sanction};

#[rustfmt::skip]
const PATTERNS: &[Pattern] = &[
    // Idioms of blame: about people in every sense they have.
    p(&["dropped", "the", "ball"], Judgement, Needs::Nothing), p(&["drop", "the", "ball"], Judgement, Needs::Nothing),
    p(&["drops", "the", "ball"], Judgement, Needs::Nothing), p(&["dropping", "the", "ball"], Judgement, Needs::Nothing),
    p(&["screwed", "up"], Judgement, Needs::Nothing), p(&["screw", "up"], Judgement, Needs::Someone),
    p(&["screw-up"], Judgement, Needs::Nothing), p(&["screwup"], Judgement, Needs::Nothing),
    p(&["cut", "corners"], Judgement, Needs::Nothing), p(&["cutting", "corners"], Judgement, Needs::Nothing),
    p(&["cuts", "corners"], Judgement, Needs::Nothing), p(&["asleep", "at", "the"], Judgement, Needs::Nothing),
    p(&["caught", "napping"], Judgement, Needs::Nothing), p(&["half-assed"], Judgement, Needs::Nothing),
    p(&["phoned", "it", "in"], Judgement, Needs::Nothing), p(&["made", "a", "hash"], Judgement, Needs::Nothing),
    p(&["went", "rogue"], Judgement, Needs::Nothing), p(&["gone", "rogue"], Judgement, Needs::Nothing),
    p(&["went", "cowboy"], Judgement, Needs::Nothing), p(&["had", "one", "job"], Judgement, Needs::Nothing),
    p(&["blew", "it"], Judgement, Needs::Someone), p(&["lousy", "job"], Judgement, Needs::Nothing),
    p(&["poor", "job"], Judgement, Needs::Nothing), p(&["terrible", "job"], Judgement, Needs::Nothing),
    p(&["was", "out", "to", "lunch"], Judgement, Needs::Nothing), p(&["were", "out", "to", "lunch"], Judgement, Needs::Nothing),
    p(&["fumbled"], Judgement, Needs::Subject), p(&["bungled"], Judgement, Needs::Subject),
    p(&["blunder"], Judgement, Needs::Nothing), p(&["blunders"], Judgement, Needs::Nothing),
    p(&["let", "us", "down"], Judgement, Needs::Subject), p(&["failed", "us"], Judgement, Needs::Subject),
    p(&["lapse", "in", "judgement"], Judgement, Needs::Nothing), p(&["lapse", "in", "judgment"], Judgement, Needs::Nothing),
    p(&["this", "lapse"], Judgement, Needs::Someone),
    p(&["poor", "decision"], Judgement, Needs::Someone), p(&["poor", "decisions"], Judgement, Needs::Someone),
    p(&["bad", "call"], Judgement, Needs::Someone), p(&["bad", "calls"], Judgement, Needs::Someone),
    p(&["reflects", "poorly"], Judgement, Needs::Nothing), p(&["explaining", "to", "do"], Judgement, Needs::Nothing),
    p(&["embarrassment"], Judgement, Needs::Someone), p(&["impatient"], Judgement, Needs::Someone),
    p(&["impatience"], Judgement, Needs::Someone), p(&["disorganised"], Judgement, Needs::Someone),
    p(&["disorganized"], Judgement, Needs::Someone), p(&["panicked"], Judgement, Needs::Subject),
    p(&["not", "careful"], Judgement, Needs::Subject), p(&["not", "so", "careful"], Judgement, Needs::Subject),
    p(&["not", "so", "attentive"], Judgement, Needs::Subject), p(&["not", "attentive"], Judgement, Needs::Subject),
    p(&["inattentive"], Judgement, Needs::Someone), p(&["inexperience"], Judgement, Needs::Possessor), p(&["too", "slow", "to"], Judgement, Needs::Subject),
    p(&["slow", "and"], Judgement, Needs::Subject), p(&["distracted"], Judgement, Needs::Someone),
    p(&["half", "asleep"], Judgement, Needs::Nothing), p(&["not", "caring"], Judgement, Needs::Someone),
    p(&["lost", "control"], Judgement, Needs::Subject), p(&["wasted", "an", "hour"], Judgement, Needs::Subject),
    // Sanctions and reputation.
    p(&["formal", "warning"], Sanction, Needs::Someone), p(&["written", "warning"], Sanction, Needs::Someone),
    p(&["final", "warning"], Sanction, Needs::Someone), p(&["verbal", "warning"], Sanction, Needs::Someone),
    p(&["performance", "improvement", "plan"], Sanction, Needs::Nothing), p(&["performance", "review"], Sanction, Needs::Possessor),
    p(&["probation"], Sanction, Needs::Possessor), p(&["make", "an", "example"], Sanction, Needs::Nothing),
    p(&["repeat", "offender"], Sanction, Needs::Nothing), p(&["repeat", "offenders"], Sanction, Needs::Nothing),
    p(&["offending", "engineer"], Sanction, Needs::Nothing), p(&["no", "longer", "allowed"], Sanction, Needs::Subject),
    p(&["not", "be", "allowed", "near"], Sanction, Needs::Someone), p(&["not", "allowed", "near"], Sanction, Needs::Someone),
    p(&["shown", "the", "door"], Sanction, Needs::Subject), p(&["lose", "its", "bonus"], Sanction, Needs::Someone),
    p(&["lose", "their", "bonus"], Sanction, Needs::Someone), p(&["lose", "his", "bonus"], Sanction, Needs::Nothing),
    p(&["lose", "her", "bonus"], Sanction, Needs::Nothing), p(&["his", "conduct"], Sanction, Needs::Nothing),
    p(&["her", "conduct"], Sanction, Needs::Nothing), p(&["has", "a", "history", "of"], Sanction, Needs::Subject),
    p(&["have", "a", "history", "of"], Sanction, Needs::Subject), p(&["not", "the", "first", "time"], Sanction, Needs::SomeoneAfter),
    p(&["names", "of", "everyone"], Sanction, Needs::Nothing), p(&["been", "dealt", "with"], Sanction, Needs::Subject),
    p(&["be", "dealt", "with"], Sanction, Needs::Subject),
    // A person's choice, or a person, as the cause.
    p(&["willfully"], Named, Needs::Someone), p(&["wilfully"], Named, Needs::Someone),
    p(&["knowingly"], Named, Needs::Someone), p(&["took", "it", "upon"], Named, Needs::Subject),
    p(&["on", "his", "own"], Named, Needs::Nothing), p(&["on", "her", "own"], Named, Needs::Nothing),
    p(&["went", "against"], Named, Needs::Subject), p(&["refused", "to"], Named, Needs::Subject),
    p(&["chose", "not", "to"], Named, Needs::Subject), p(&["elected", "not", "to"], Named, Needs::Subject),
    p(&["decided", "not", "to"], Named, Needs::Subject), p(&["root", "cause", "is", "that"], Named, Needs::SomeoneAfter),
    p(&["root", "cause", "was", "that"], Named, Needs::SomeoneAfter), p(&["trigger", "was"], Named, Needs::SomeoneAfter),
    p(&["comes", "down", "to"], Named, Needs::SomeoneAfter), p(&["came", "down", "to"], Named, Needs::SomeoneAfter),
    p(&["traces", "back", "to"], Named, Needs::SomeoneAfter), p(&["traced", "back", "to"], Named, Needs::SomeoneAfter),
    p(&["entirely", "down", "to"], Named, Needs::SomeoneAfter), p(&["is", "on"], Named, Needs::SomeoneNext),
    p(&["was", "on"], Named, Needs::SomeoneNext), p(&["pulled", "the", "trigger"], Named, Needs::Someone),
    p(&["ignored"], Named, Needs::Subject), p(&["ignores"], Named, Needs::Subject), p(&["misread"], Named, Needs::Subject),
    p(&["misreads"], Named, Needs::Subject), p(&["made", "it", "worse"], Named, Needs::Subject),
    p(&["made", "things", "worse"], Named, Needs::Subject), p(&["blindsided"], Judgement, Needs::Subject),
    p(&["more", "care"], LintRule::Counterfactual, Needs::Someone), p(&["should", "of"], LintRule::Counterfactual, Needs::Someone),
    p(&["revoked"], Sanction, Needs::Possessor), p(&["a", "word", "with"], Sanction, Needs::SomeoneAfter),
    p(&["mistake"], LintRule::HumanError, Needs::Possessor), p(&["oversight"], LintRule::HumanError, Needs::Possessor),
    p(&["carelessness"], Judgement, Needs::Nothing), p(&["did", "nothing", "until"], LintRule::Counterfactual, Needs::Subject), p(&["expect", "better", "from"], Judgement, Needs::Nothing),
    // Mind-reading and hindsight.
    p(&["no", "idea", "what"], Hindsight, Needs::Someone), p(&["not", "thinking"], Hindsight, Needs::Someone),
    p(&["not", "think", "it", "through"], Hindsight, Needs::Someone),
    p(&["never", "thought", "it", "through"], Hindsight, Needs::Someone),
    p(&["not", "think", "twice"], Hindsight, Needs::Someone), p(&["hard", "to", "believe"], Hindsight, Needs::Someone),
    p(&["difficult", "to", "understand", "why"], Hindsight, Needs::Someone), p(&["beyond", "me"], Hindsight, Needs::Someone),
    // Remedies that ask people to try harder.
    p(&["pay", "closer", "attention"], Careful, Needs::Nothing), p(&["more", "vigilant"], Careful, Needs::Nothing),
    p(&["be", "more", "disciplined"], Careful, Needs::Nothing), p(&["more", "disciplined", "about"], Careful, Needs::Nothing), p(&["take", "more", "ownership"], Careful, Needs::Nothing),
    p(&["stop", "making"], Careful, Needs::Nothing), p(&["double-check", "every"], Careful, Needs::Nothing),
    p(&["taken", "testing", "seriously"], Careful, Needs::Nothing), p(&["take", "testing", "seriously"], Careful, Needs::Nothing),
    p(&["just", "follow", "the"], Careful, Needs::Nothing), p(&["test", "their", "changes", "properly"], Careful, Needs::Nothing),
];

/// The patterns by their first word, built on first use, so that each token costs one lookup.
static BY_FIRST_WORD: std::sync::LazyLock<std::collections::HashMap<&'static str, Vec<usize>>> =
    std::sync::LazyLock::new(|| {
        let mut map: std::collections::HashMap<&'static str, Vec<usize>> = std::collections::HashMap::new();
        for (k, pattern) in PATTERNS.iter().enumerate() {
            if let Some(first) = pattern.words.first() {
                map.entry(*first).or_default().push(k);
            }
        }
        map
    });

/// Verbs in the passive that, said of a person, are a sanction: `Ana will be retrained`.
const SANCTIONED: &[&str] = &[
    "retrained",
    "warned",
    "coached",
    "reassigned",
    "removed",
    "barred",
    "suspended",
    "reminded",
    "re-educated",
    "admonished",
    "sidelined",
    "benched",
    "counselled",
    "counseled",
];

/// Verbs with which engineers report what they found, not what they did wrong.
const REPORTING: &[&str] =
    &["determined", "identified", "confirmed", "discovered", "observed", "suspected", "believed", "received"];

/// Irregular past tenses of acting: `Root cause: the DBA ran…`.
const ACTING_PAST: &[&str] =
    &["ran", "took", "broke", "forgot", "made", "put", "set", "did", "left", "hit", "cut", "sent"];

/// Nouns that end a role after a modifier: `the network engineer`.
const ROLE_HEADS: &[&str] =
    &["engineer", "operator", "developer", "admin", "administrator", "dba", "sre", "intern", "reviewer", "person"];

/// Words that mark a failure as a habit: `once again`, `as usual`, `yet again`.
const REPEATED: &[&[&str]] = &[
    &["once", "again"],
    &["yet", "again"],
    &["again", "and", "again"],
    &["once", "more"],
    &["as", "usual"],
    &["like", "always"],
    &["of", "course"],
    &["not", "again"],
    &["third", "time"],
    &["fourth", "time"],
];

/// Words after which a person's possessive decision reads as the cause.
const CAUSE_WORDS: &[&str] =
    &["caused", "cause", "turned", "led", "resulted", "wrong", "disastrous", "outage", "traces", "behind"];

/// Words that make a choice the cause: `because Dana chose to skip…`.
const CHOOSING: &[&str] = &["chose", "opted", "decided", "elected", "preferred", "refused", "insisted"];

/// Runs the idiom-and-frame patterns over one sentence.
pub(crate) fn check(s: &Sentence, people: &People) -> Vec<Hit> {
    let mut hits = Vec::new();
    // Whether anyone is in the sentence, asked only when a pattern needs it.
    let mut someone_cache: Option<bool> = None;
    let mut someone = || *someone_cache.get_or_insert_with(|| (0..s.tokens.len()).any(|i| is_someone(s, people, i)));
    for i in 0..s.tokens.len() {
        let Some(word) = s.word(i) else { continue };
        for pattern in BY_FIRST_WORD.get(word).into_iter().flatten().map(|&k| &PATTERNS[k]) {
            if !s.words_at(i, pattern.words) {
                continue;
            }
            let last = i + pattern.words.len() - 1;
            let needed = match pattern.needs {
                Needs::Nothing => true,
                Needs::Someone => {
                    someone() || (0..s.tokens.len()).any(|j| s.tokens[j].possessive && name_anywhere(s, j))
                }
                Needs::Subject => has_person_subject(s, people, i),
                Needs::SomeoneAfter => (last + 1..(last + 5).min(s.tokens.len())).any(|j| {
                    is_someone(s, people, j) || (name_anywhere(s, j) && (s.tokens[j].possessive || s.is(j + 1, "not")))
                }),
                Needs::SomeoneNext => {
                    let j = skip_words(s, last + 1, &["the", "a", "our", "their"]);
                    (j..(j + 3).min(s.tokens.len()))
                        .any(|k| is_someone(s, people, k) && s.tokens.get(k + 1).is_none_or(|t| t.kind == Kind::Punct))
                }
                Needs::Possessor => (i.saturating_sub(3)..i).any(|j| is_possessor(s, people, j)),
            };
            if needed && !negated(s, i) {
                hits.push(advice_hit(s, pattern.rule, i, last));
            }
        }
        if i == 0 && s.words_at(0, &["do", "not", "forget"]) {
            hits.push(advice_hit(s, LintRule::BeMoreCareful, 0, 2));
        }
        // `Root cause: Ewa typed…`.
        if s.words_at(i, &["root", "cause"]) && s.tokens.get(i + 2).is_some_and(|t| t.is_punct(':')) {
            // One person opens the clause after the colon and acts: `Root cause: Ewa typed…`, not
            // `Engineers determined that…` or `Scheduled maintenance was…`.
            let head = if s.is_any(i + 3, &["the", "our", "a", "an"]) { i + 4 } else { i + 3 };
            let head = if s.tokens.get(head + 1).is_some_and(|t| t.is_any(ROLE_HEADS)) { head + 1 } else { head };
            let singular = people.classify(s, head).is_some_and(|(agent, _)| agent.is_individual())
                && !s.tokens[head].lower.ends_with('s');
            let acts = s
                .word(head + 1)
                .is_some_and(|w| (w.ends_with("ed") && !REPORTING.contains(&w)) || ACTING_PAST.contains(&w));
            if singular && acts {
                hits.push(advice_hit(s, LintRule::NamedBlame, i, i + 1));
            }
        }
        sanctioned(s, people, i, &mut hits);
        chosen_cause(s, people, i, &mut hits);
    }
    if has_fault_word(s) && someone() {
        repeated(s, people, &mut hits);
    }
    // `Anyone reading the diff would have seen…`, `A more experienced engineer would have spotted…`.
    let anyone = s.is_any(0, &["anyone", "anybody"])
        || (s.is_any(0, &["any", "a", "an"]) && (1..5.min(s.tokens.len())).any(|j| s.is_any(j, ROLE_HEADS)));
    if anyone {
        for i in 0..s.tokens.len() {
            if s.words_at(i, &["would", "have"]) && s.is_any(i + 2, &["seen", "spotted", "noticed", "caught", "known"])
            {
                hits.push(advice_hit(s, LintRule::HindsightCertainty, i, i + 2));
            }
        }
    }
    hits
}

fn advice_hit(s: &Sentence, rule: LintRule, first: usize, last: usize) -> Hit {
    Hit {
        rule,
        severity: LintSeverity::Warning,
        start: s.tokens[first].start,
        end: s.tokens[last].end,
        fix: Fix::Advice(super::rewrite::advice_for(rule)),
    }
}

/// Whether the words at `i` follow a negation that turns them around (`nobody is to blame`,
/// `not a lapse`).
fn negated(s: &Sentence, i: usize) -> bool {
    (i.saturating_sub(3)..i).any(|j| s.is_any(j, &["no", "nobody", "never", "without"]))
        || (i > 0 && s.is(i - 1, "not") && !s.is(i, "not"))
}

/// Whether token `i` is a person's possessive: `Dana's`, `his`, `the engineer's`.
fn is_possessor(s: &Sentence, people: &People, i: usize) -> bool {
    people.is_person_possessor(s, i)
        || s.is_any(i, &["their"])
        || (s.tokens[i].possessive && (name_anywhere(s, i) || is_someone(s, people, i)))
}

/// Whether token `i` is a person or a team, not `we` or `us` (the writers themselves).
fn is_someone(s: &Sentence, people: &People, i: usize) -> bool {
    if s.tokens[i].kind == Kind::Mention {
        return true;
    }
    match people.classify(s, i) {
        Some((agent, _)) if agent.is_individual() => true,
        Some((Agent::Group, _)) => !s.is_any(i, &["we", "us", "everyone", "everybody", "people"]),
        Some((Agent::Nobody, _)) => true,
        _ => false,
    }
}

/// Whether the verb group at `i` has a person or a team as its subject.
fn has_person_subject(s: &Sentence, people: &People, i: usize) -> bool {
    let mut k = i;
    while k > 0
        && s.is_any(k - 1, &["will", "would", "has", "have", "had", "is", "was", "were", "are", "be", "been", "not"])
    {
        k -= 1;
    }
    people.subject_of(s, k).is_some_and(|subject| {
        subject.agent.is_individual()
            || (subject.agent == Agent::Group && !s.is_any(subject.head, &["we", "us", "everyone", "everybody"]))
    }) || (k > 0 && is_someone(s, people, k - 1))
}

/// `Ana will be retrained`, `Pat has been warned before`, `the engineer was reassigned`.
fn sanctioned(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    if !s.is_any(i, SANCTIONED) || i == 0 || !s.is_any(i - 1, BE_FORMS) {
        return;
    }
    // `reminded of the freeze by a banner`: a system reminding is not a sanction.
    if s.is(i, "reminded") && (i + 1..s.tokens.len()).any(|j| s.is(j, "by")) {
        return;
    }
    let everyone = i >= 2 && s.is_any(0, &["everyone", "everybody"]);
    if (everyone || has_person_subject(s, people, i - 1)) && !negated(s, i - 1) {
        hits.push(advice_hit(s, LintRule::Punishment, i - 1, i));
    }
}

/// `because Dana chose to skip the canary`, `Olga's decision to disable the alert is what
/// turned…`.
fn chosen_cause(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    if s.is_any(i, &["because", "since"]) {
        let Some(verb) = (i + 2..(i + 6).min(s.tokens.len())).find(|&j| s.is_any(j, CHOOSING)) else { return };
        if (i + 1..verb).any(|j| is_someone(s, people, j)) && s.is(verb + 1, "to") {
            hits.push(advice_hit(s, LintRule::NamedBlame, i + 1, verb));
        }
        return;
    }
    // `a failure of the operations team to follow…`.
    if s.words_at(i, &["failure", "of"]) {
        if let Some(to) = (i + 2..(i + 7).min(s.tokens.len())).find(|&j| s.is(j, "to"))
            && (i + 2..to).any(|j| is_someone(s, people, j))
        {
            hits.push(advice_hit(s, LintRule::NamedBlame, i, to));
        }
        return;
    }
    // `The engineer went ahead with the deploy despite two failing checks`.
    if s.words_at(i, &["went", "ahead"])
        && has_person_subject(s, people, i)
        && s.tokens.iter().any(|t| t.is_any(&["despite", "anyway", "regardless"]))
    {
        hits.push(advice_hit(s, LintRule::NamedBlame, i, i + 1));
        return;
    }
    let failing = s.is_any(i, &["failure", "inability", "refusal"]) && s.is(i + 1, "to");
    let causing =
        s.is_any(i, &["decision", "choice", "call"]) && s.tokens[i + 1..].iter().any(|t| t.is_any(CAUSE_WORDS));
    if (failing || causing) && i > 0 && is_possessor(s, people, i - 1) && !s.is_any(i - 1, &["their"]) {
        hits.push(advice_hit(s, LintRule::NamedBlame, i - 1, i));
    }
}

/// `Once again the payments team pushed untested code`, `Ruben keeps deploying without a
/// ticket`: a failure framed as a person's or a team's habit. The person or team stands right
/// before or after the marker, and a word of fault follows them.
fn repeated(s: &Sentence, people: &People, hits: &mut Vec<Hit>) {
    for i in 0..s.tokens.len() {
        if let Some(words) = REPEATED.iter().find(|words| s.words_at(i, words)) {
            let last = i + words.len() - 1;
            let after = (last + 1..(last + 6).min(s.tokens.len())).find(|&j| is_someone(s, people, j));
            let before = (i.saturating_sub(3)..i).rev().find(|&j| is_someone(s, people, j));
            let Some(who) = after.or(before) else { continue };
            if s.tokens[who + 1..].iter().any(|t| t.is_any(FAULT_WORDS)) {
                hits.push(advice_hit(s, LintRule::JudgementWord, i, last));
                return;
            }
        }
        if s.is_any(i, &["keeps", "kept"])
            && s.word(i + 1).is_some_and(|w| w.len() > 5 && w.ends_with("ing"))
            && has_person_subject(s, people, i)
        {
            hits.push(advice_hit(s, LintRule::JudgementWord, i, i + 1));
            return;
        }
    }
}

/// Whether the sentence has a word of fault, without which "once again" is only a count.
fn has_fault_word(s: &Sentence) -> bool {
    s.tokens.iter().any(|t| t.is_any(FAULT_WORDS))
}

/// Words of fault that make a repetition a reproach: `once again … pushed untested code`.
#[rustfmt::skip]
const FAULT_WORDS: &[&str] = &[
    "broke", "breaks", "forgot", "forgets", "messed", "missed", "misses", "ignored", "ignores", "skipped",
    "skips", "deleted", "dropped", "untested", "without", "screwed", "failed", "fails", "wrong", "sat", "merged",
];

#[cfg(test)]
mod tests {
    use crate::lint::LintRule;
    use crate::lint::testing::{rules, suggestion};

    #[test]
    fn idioms_of_blame_are_judgement() {
        assert_eq!(rules("The frontend team dropped the ball on cache invalidation."), [LintRule::JudgementWord]);
        assert_eq!(rules("Kim cut corners on the rollout plan."), [LintRule::JudgementWord]);
        assert_eq!(rules("The SRE team screwed up the certificate rotation again."), [LintRule::JudgementWord]);
        assert_eq!(rules("We cut over to the new cluster at 02:00."), []);
        assert_eq!(rules("The queue dropped messages when the broker ran out of memory."), []);
    }

    #[test]
    fn sanctions_and_reputation_need_a_person() {
        assert_eq!(rules("Ana will be retrained so that this never happens again."), [LintRule::Punishment]);
        assert_eq!(rules("Pat has been warned before."), [LintRule::Punishment]);
        assert_eq!(rules("Sven has a history of skipping the checklist."), [LintRule::Punishment]);
        assert_eq!(rules("The model will be retrained on the corrected data."), []);
        assert_eq!(rules("The alert has a history of flapping."), []);
        assert_eq!(rules("Engineers were reminded of the freeze by a banner."), []);
    }

    #[test]
    fn a_choice_or_a_person_as_the_cause_is_named_blame() {
        assert_eq!(rules("Because Dana chose to skip the canary, every region went down."), [LintRule::NamedBlame]);
        assert_eq!(
            rules("The root cause is that the network engineer typed the wrong VLAN id."),
            [LintRule::NamedBlame]
        );
        assert_eq!(rules("Root cause: Ewa typed the production hostname into the script."), [LintRule::NamedBlame]);
        assert_eq!(rules("Root cause: Engineers determined that a deployment task failed."), []);
        assert_eq!(rules("Root cause: Scheduled maintenance was being completed on a gateway."), []);
        assert_eq!(rules("Dana chose the canary region with the least traffic."), []);
        assert_eq!(rules("The maintenance event was on a ToR (Top of Rack) switch."), []);
    }

    #[test]
    fn repetition_is_character_only_about_people_and_faults() {
        assert_eq!(rules("Once again, the payments team pushed untested code."), [LintRule::JudgementWord]);
        assert_eq!(rules("Once again the cache warmed up within three minutes."), []);
        assert_eq!(rules("At 14:54 engineers yet again notice issues with memory usage."), []);
        assert_eq!(rules("Once again we would like to apologise for the disruption."), []);
    }

    #[test]
    fn mind_reading_is_hindsight() {
        assert_eq!(
            rules("Clearly the developer who wrote this retry loop did not think it through."),
            [LintRule::HindsightCertainty]
        );
        assert_eq!(rules("Anyone reading the diff would have seen the zero timeout."), [LintRule::HindsightCertainty]);
        assert_eq!(rules("Customers would have seen errors for ten minutes."), []);
    }

    #[test]
    fn these_findings_advise_rather_than_rewrite() {
        let advice = suggestion("Kim cut corners on the rollout plan.", LintRule::JudgementWord);
        assert!(!advice.contains("Kim"), "{advice}");
        assert!(advice.starts_with("Replace the judgement"), "{advice}");
    }
}
