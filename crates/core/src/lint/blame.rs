//! `named-blame`: a named person, an @mention, a pronoun for one, or a role
//! standing for one as the agent of a failure ("Dana broke the deploy", "@sam
//! forgot to renew…", "the intern deleted the wrong table", "caused by @sam").
//!
//! Neutral actions ("Dana deleted the stale replica") are facts, not blame; they
//! count only with a sign that they went wrong ("the wrong table", "by mistake")
//! and a subject that singles someone out. Rewrites make a change, a missing
//! prompt or a missing check the agent instead of the person.

use super::LintRule;
use super::LintSeverity;
use super::names::{Agent, People, SUBJECT_VERB_FILLERS, Subject, is_clause_punct, phrase_start};
use super::rewrite::{Edit, Fix, article_for};
use super::rules::{BE_FORMS, Hit, adjacent, anonymise, hit_start, skip_words};
use super::sentences::{Kind, Sentence};

pub(crate) const NAMED_BLAME_ADVICE: &str = "Describe the action without naming who took it (\"an engineer ran…\"), and name \
                                  the condition in the system that let it cause harm.";

/// Adverbs that mark an action as a person's error.
pub(crate) const ERROR_ADVERBS: &[&str] =
    &["accidentally", "mistakenly", "inadvertently", "erroneously", "errantly", "wrongly", "unknowingly"];

/// How a fault verb is rephrased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// broke, took down, caused, corrupted: keep the verb, make a change the agent.
    Broke,
    /// forgot (to), neglected: nothing prompted anyone.
    Forgot,
    /// ignored, missed, overlooked: nothing drew attention.
    Ignored,
    /// messed up, screwed up, botched.
    Botched,
    /// mistyped, fat-fingered.
    Typo,
    Misconfigured,
    Misread,
    /// made a mistake / an error / a typo.
    Mistake,
    /// skipped (a step, a check): nothing required it.
    Skipped,
    /// deleted, ran, pushed: blame only with a marker (`the wrong`, `untested`, `by mistake`).
    Neutral,
}

impl Fault {
    /// Whether only people do this, so `they` as subject means people.
    fn human_only(self) -> bool {
        !matches!(self, Fault::Broke | Fault::Neutral)
    }
}

/// Verbs that are neutral until the object says something went wrong.
#[rustfmt::skip]
const NEUTRAL_VERBS: &[&str] = &[
    "deleted", "dropped", "removed", "wiped", "ran", "executed", "pushed", "deployed", "merged", "shipped", "approved",
    "restarted", "rebooted", "killed", "truncated", "overwrote", "typed", "entered", "changed", "modified", "applied",
    "edited", "committed", "disabled", "scaled", "chose", "picked", "selected", "used", "assumed", "rolled", "turned",
    "set", "sent", "updated", "rotated", "configured", "installed", "upgraded", "downgraded", "reverted", "released",
    "migrated", "moved", "renamed", "clicked", "copied", "pasted", "followed", "terminated", "shut", "stopped",
    "failed",
];

/// Words after a neutral verb that say the action went wrong.
#[rustfmt::skip]
const WRONG_MARKERS: &[&str] = &[
    "wrong", "bad", "broken", "buggy", "faulty", "incorrect", "incorrectly", "untested", "unreviewed", "unvetted",
    "destructive", "dangerous", "risky", "unsafe", "unapproved", "unauthorized", "unauthorised",
];

/// Objects that are taken down on purpose: `brought down the affected peerings`.
#[rustfmt::skip]
const OPERATED_ON: &[&str] = &[
    "affected", "faulty", "bad", "failing", "unhealthy", "broken", "misbehaving", "overloaded", "problematic",
    "degraded", "stale", "old", "compromised", "for",
];

/// What a person can miss that should have told them something: `missed the page`.
#[rustfmt::skip]
const SIGNALS: &[&str] = &[
    "alert", "alerts", "page", "pages", "warning", "warnings", "signal", "signals", "sign", "signs", "error", "errors",
    "step", "steps", "check", "checks", "notification", "notifications", "message", "messages", "email", "emails",
    "spike", "issue", "problem", "typo", "bug", "regression", "diff", "change", "dashboard", "graph", "alarm",
];

/// After `without`: the skipped safeguard.
#[rustfmt::skip]
const WITHOUT_WHAT: &[&str] = &[
    "checking", "testing", "review", "reviewing", "asking", "looking", "reading", "verifying", "approval", "permission",
    "telling", "warning", "thinking", "confirming", "double-checking", "a", "any",
];

/// Nouns for something going wrong: `introduced a regression`, `responsible for the outage`.
#[rustfmt::skip]
const FAILURE_NOUNS: &[&str] = &[
    "bug", "bugs", "regression", "regressions", "typo", "outage", "outages", "incident", "failure", "downtime",
    "breakage", "mistake", "error", "problem", "issue", "data", "loss", "delay", "mess", "disruption", "degradation",
];

/// The fault verb at `i`, if any, and the last token of its phrase.
fn fault_at(s: &Sentence, i: usize) -> Option<(Fault, usize)> {
    let word = s.word(i)?;
    // `replication is broken`, `the node was taken down`: a state or a passive, no agent;
    // `a corrupted state`: an adjective.
    let after_be_or_determiner = i > 0
        && (s.is_any(i - 1, &["is", "was", "were", "are", "been", "be", "being", "get", "got", "gets"])
            || s.tokens[i - 1].is_any(super::names::DETERMINERS));
    if after_be_or_determiner {
        return None;
    }
    // `Temporary Knocked Down`: a title, not a verb.
    if i > 0 && s.tokens[i].text.starts_with(char::is_uppercase) {
        return None;
    }
    let next = s.tokens.get(i + 1);
    let has_object = next.is_some_and(|t| {
        t.kind != Kind::Punct
            && !t.is_any(&["down", "out", "when", "after", "because", "while", "at", "in", "on", "by"])
    });
    let fault = match word {
        "broke" | "broken" | "corrupted" | "crashed" | "caused" | "nuked" | "trashed" | "hosed" | "clobbered"
            if has_object =>
        {
            (Fault::Broke, i)
        }
        "blew" if s.is(i + 1, "away") => (Fault::Broke, i + 1),
        "took" | "brought" | "knocked" | "taken" => {
            // `took over as incident commander` is not a failure; `knocked over the cache` is.
            let particles: &[&str] =
                if word == "knocked" { &["down", "out", "over", "offline"] } else { &["down", "out", "offline"] };
            let particle = (i + 1..(i + 5).min(s.tokens.len())).find(|&j| s.is_any(j, particles))?;
            if (i + 1..particle).any(|j| s.tokens[j].kind == Kind::Punct) {
                return None;
            }
            // Taking down a host or something already failing is an operation, not a failure.
            let object_end = (particle + 1..(particle + 5).min(s.tokens.len()))
                .find(|&j| s.tokens[j].kind == Kind::Punct || s.is_any(j, &["and", "which", "because", "to", "in"]))
                .unwrap_or(s.tokens.len().min(particle + 5));
            let object = (i + 1..object_end).filter(|&j| j != particle);
            if object.clone().any(|j| {
                s.tokens[j].text.chars().any(|c| c.is_ascii_digit()) && s.tokens[j].kind != Kind::Punct
                    || s.is_any(j, OPERATED_ON)
            }) {
                return None;
            }
            (Fault::Broke, particle)
        }
        "forgot" | "forgotten" => (Fault::Forgot, if s.is(i + 1, "to") { i + 1 } else { i }),
        "neglected" if !s.is(i + 1, "to") => (Fault::Ignored, i),
        "ignored" | "overlooked" | "disregarded" => (Fault::Ignored, i),
        // `missed the page`, but not `missed the start of the incident`.
        "missed" => {
            let signal = (i + 1..(i + 5).min(s.tokens.len()))
                .take_while(|&j| s.tokens[j].kind != Kind::Punct)
                .find(|&j| s.is_any(j, SIGNALS))?;
            (Fault::Ignored, signal.min(i))
        }
        "slept" if s.is(i + 1, "through") => (Fault::Ignored, i + 1),
        "skipped" => (Fault::Skipped, i),
        "messed" | "screwed" | "fucked" if s.is(i + 1, "up") => (Fault::Botched, i + 1),
        "botched" | "bungled" | "fumbled" | "borked" => (Fault::Botched, i),
        "mistyped" | "fat-fingered" | "fatfingered" | "typoed" => (Fault::Typo, i),
        "misconfigured" => (Fault::Misconfigured, i),
        "misread" | "misjudged" | "misunderstood" => (Fault::Misread, i),
        "made" | "making" => {
            let j = skip_words(
                s,
                i + 1,
                &["a", "an", "the", "another", "one", "same", "big", "small", "simple", "serious"],
            );
            if s.is_any(j, &["mistake", "mistakes", "error", "errors", "typo", "blunder", "slip"]) {
                (Fault::Mistake, j)
            } else if s.is_any(j, &["bad", "wrong", "poor"]) && s.is_any(j + 1, &["call", "decision", "choice"]) {
                (Fault::Mistake, j + 1)
            } else {
                return None;
            }
        }
        "introduced" | "shipped" | "pushed" | "merged" | "deployed" | "added" => {
            let j = skip_words(s, i + 1, &["a", "an", "the", "another", "new", "nasty", "subtle", "serious"]);
            if s.is_any(j, &["bug", "regression", "typo", "bugs", "regressions"]) {
                (Fault::Broke, j)
            } else if NEUTRAL_VERBS.contains(&word) {
                (Fault::Neutral, i)
            } else {
                return None;
            }
        }
        _ if NEUTRAL_VERBS.contains(&word) => (Fault::Neutral, i),
        _ => return None,
    };
    Some(fault)
}

/// The last token of the fault verb phrase at `i` (`broke`, `took … down`, `made a mistake`), if any.
pub(crate) fn fault_verb_end(s: &Sentence, i: usize) -> Option<usize> {
    fault_at(s, i).map(|(_, last)| last)
}

/// Whether the clause after a neutral verb says the action went wrong.
fn went_wrong_after(s: &Sentence, verb: usize) -> bool {
    let mut j = verb + 1;
    while let Some(t) = s.tokens.get(j) {
        if is_clause_punct(t) || t.is_punct('.') || t.is_any(&["because", "so", "but", "which", "after", "since"]) {
            break;
        }
        if t.is_any(WRONG_MARKERS) || t.is_any(ERROR_ADVERBS) {
            return true;
        }
        if t.is("by") && s.is_any(j + 1, &["mistake", "accident"]) {
            return true;
        }
        if t.is("without") && (s.is_any(j + 1, WITHOUT_WHAT) || s.word(j + 1).is_some_and(|w| w.ends_with("ing"))) {
            return true;
        }
        j += 1;
    }
    false
}

/// `Dana broke the deploy`, `@sam forgot to renew`, `the intern deleted the wrong table`, `Dana's change took down`.
pub(crate) fn fault_verb(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    let Some((fault, last)) = fault_at(s, i) else { return };
    let subject = people.subject_of(s, i);
    let Some(subject) = subject else {
        possessor_as_agent(s, people, i, fault, last, hits);
        return;
    };
    let agent = subject.agent;
    // Products cause, crash and corrupt things all the time; a guessed name is not enough there.
    if agent == Agent::Guessed && s.is_any(i, &["caused", "corrupted", "crashed", "triggered", "introduced"]) {
        return;
    }
    let counts = match fault {
        Fault::Neutral => agent.is_singled_out() && went_wrong_after(s, i),
        _ if agent == Agent::They => fault.human_only(),
        _ => agent.is_individual(),
    };
    if !counts {
        return;
    }
    let fix =
        if adjacent(s, &subject, i) { fault_fix(s, &subject, i, last, fault) } else { Fix::Advice(NAMED_BLAME_ADVICE) };
    hits.push(Hit {
        rule: LintRule::NamedBlame,
        severity: LintSeverity::Warning,
        start: hit_start(s, &subject, i),
        end: s.tokens[last].end,
        fix,
    });
}

/// `Dana's change took down the login service`: a person's possessive on the subject.
fn possessor_as_agent(s: &Sentence, people: &People, i: usize, fault: Fault, last: usize, hits: &mut Vec<Hit>) {
    if fault != Fault::Broke || i == 0 {
        return;
    }
    let mut head = i - 1;
    while head > 0 && s.tokens[head].is_any(SUBJECT_VERB_FILLERS) {
        head -= 1;
    }
    let mut first = phrase_start(s, head);
    // `Dana's typo in the config took…`: past the prepositional phrase.
    if first >= 2 && s.tokens[first - 1].is_any(&["in", "on", "to", "of", "for"]) {
        first = phrase_start(s, first - 2);
    }
    let Some(owner) = first.checked_sub(1) else { return };
    if !people.is_person_possessor(s, owner) {
        return;
    }
    let owner_start = phrase_start(s, owner).min(owner);
    // `Dana Kim's careless merge` → `A merge`: the judgement goes with the name.
    let judged: Vec<usize> = (first..=head).filter(|&j| s.is_any(j, super::phrases::JUDGEMENT_ADJECTIVES)).collect();
    let noun = (first..=head).find(|j| !judged.contains(j)).unwrap_or(first);
    let article = article_for(&s.tokens[noun].text);
    let mut edits = vec![Edit::new(s.tokens[owner_start].start, s.tokens[owner].end, article)];
    edits.extend(judged.iter().map(|&j| Edit::new(s.tokens[j].start, s.tokens[j].end, "")));
    hits.push(Hit {
        rule: LintRule::NamedBlame,
        severity: LintSeverity::Warning,
        start: s.tokens[owner_start].start,
        end: s.tokens[last].end,
        fix: Fix::Edits(edits),
    });
}

/// The rephrasing for a person-as-agent sentence, keeping everything after the verb phrase.
fn fault_fix(s: &Sentence, subject: &Subject, verb: usize, last: usize, fault: Fault) -> Fix {
    let start = s.tokens[subject.first].start;
    let verb_end = s.tokens[last].end;
    let replace = |text: &str| Fix::Edits(vec![Edit::new(start, verb_end, text)]);
    let clause_end = (last + 1..s.tokens.len())
        .find(|&j| is_clause_punct(&s.tokens[j]) || s.tokens[j].is_punct('.') || s.is_any(j, &["because", "so", "but"]))
        .unwrap_or(s.tokens.len());
    // `broke the build and went home`: a second verb for the same person; rewriting the first garbles it.
    let second_verb = (last + 1..clause_end)
        .any(|j| s.is(j, "and") && s.word(j + 1).is_some_and(|w| w.ends_with("ed") || SECOND_VERBS.contains(&w)));
    if second_verb {
        return Fix::Advice(NAMED_BLAME_ADVICE);
    }
    match fault {
        // `Dana broke the deploy by pushing an untested config` → `Pushing an untested config broke the deploy`.
        Fault::Broke if by_gerund(s, last, clause_end).is_some() => {
            let by = by_gerund(s, last, clause_end).unwrap_or(clause_end);
            let words = |from: usize, to: usize| {
                s.tokens[from..to].iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ")
            };
            let verb_text = words(verb, last + 1);
            let object = words(last + 1, by);
            let action = words(by + 1, clause_end);
            let end = s.tokens[clause_end - 1].end;
            Fix::Edits(vec![Edit::new(start, end, format!("{action} {verb_text} {object}"))])
        }
        Fault::Forgot if !s.is(last, "to") && (last + 1..clause_end).any(|j| s.is_any(j, BE_AND_HAVE)) => {
            replace("nothing reminded anyone that")
        }
        Fault::Broke => {
            let verb_text: String = s.tokens[verb..=last]
                .iter()
                .filter(|t| !t.is_any(SUBJECT_VERB_FILLERS) || t.is_any(&["down", "out", "over"]))
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            replace(&format!("a change {verb_text}"))
        }
        Fault::Forgot if s.is(last, "to") => replace("nothing prompted anyone to"),
        Fault::Forgot => replace("nothing reminded anyone about"),
        Fault::Ignored => replace("nothing drew attention to"),
        Fault::Botched => replace("a step went wrong in"),
        Fault::Typo => replace("an unchecked typo went into"),
        Fault::Misconfigured => replace("nothing validated the change to"),
        Fault::Misread => replace("it was easy to misread"),
        Fault::Mistake => replace("a step went wrong"),
        Fault::Skipped => replace("nothing required"),
        Fault::Neutral => {
            let mut edits = anonymise(s, subject, "an engineer");
            if !subject.agent.is_identifying() {
                edits.push(Edit::new(start, s.tokens[subject.head].end, "an engineer"));
            }
            edits.extend(error_marker_deletions(s, subject.head + 1, s.tokens.len()));
            Fix::Edits(edits)
        }
    }
}

/// Verbs that commonly follow `and` as a second action of the same person.
const SECOND_VERBS: &[&str] =
    &["went", "left", "ran", "took", "came", "said", "told", "made", "got", "forgot", "broke"];

const BE_AND_HAVE: &[&str] = &["was", "were", "is", "are", "had", "has", "would", "could"];

/// The index of `by` in `by <gerund>` after the verb phrase, within the clause.
fn by_gerund(s: &Sentence, last: usize, clause_end: usize) -> Option<usize> {
    (last + 2..clause_end)
        .find(|&j| s.is(j, "by") && s.word(j + 1).is_some_and(|w| w.ends_with("ing")) && j + 1 < clause_end)
}

/// Deletions of `accidentally`, `by mistake` and the like between tokens `from` and `to`.
fn error_marker_deletions(s: &Sentence, from: usize, to: usize) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut j = from;
    while j < to.min(s.tokens.len()) {
        let t = &s.tokens[j];
        if t.is_any(ERROR_ADVERBS) {
            edits.push(Edit::new(t.start, t.end, ""));
        } else if t.is("by") && s.is_any(j + 1, &["mistake", "accident"]) {
            edits.push(Edit::new(t.start, s.tokens[j + 1].end, ""));
            j += 1;
        }
        j += 1;
    }
    edits
}

/// `Aisha mistakenly ran`, `Priya wrongly assumed`: an adverb that marks a person's error.
pub(crate) fn error_adverb(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    if !s.is_any(i, ERROR_ADVERBS) || s.tokens.get(i + 1).is_none_or(|t| t.kind != Kind::Word) {
        return;
    }
    let Some(subject) = people.subject_of(s, i) else { return };
    // `an engineer inadvertently disabled…` describes; `an engineer wrongly assumed…` judges.
    let judging = s.is_any(i, &["mistakenly", "wrongly", "erroneously", "errantly"]);
    let counts = subject.agent.is_singled_out() || (judging && subject.agent.is_individual());
    if !counts {
        return;
    }
    // A fault verb right after is reported by `fault_verb`, with a better rewrite.
    if fault_at(s, i + 1).is_some_and(|(f, _)| f != Fault::Neutral) {
        return;
    }
    let mut edits = anonymise(s, &subject, "an engineer");
    edits.push(Edit::new(s.tokens[i].start, s.tokens[i].end, ""));
    hits.push(Hit {
        rule: LintRule::NamedBlame,
        severity: LintSeverity::Warning,
        start: hit_start(s, &subject, i),
        end: s.tokens[i + 1].end,
        fix: Fix::Edits(edits),
    });
}

/// `The incident was caused by @sam`, `caused by Priya's deploy`.
pub(crate) fn caused_by_person(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    if !s.is_any(i, &["caused", "triggered", "broken", "introduced", "started"]) || !s.is(i + 1, "by") {
        return;
    }
    let from = i + 2;
    for j in from..(from + 4).min(s.tokens.len()) {
        let t = &s.tokens[j];
        if t.kind == Kind::Punct {
            return;
        }
        if t.possessive && people.is_person_possessor(s, j) || t.is_any(&["his", "her"]) {
            let next = s.tokens.get(j + 1).map_or("change", |t| t.text.as_str());
            hits.push(Hit {
                rule: LintRule::NamedBlame,
                severity: LintSeverity::Warning,
                start: s.tokens[i].start,
                end: s.tokens[j].end,
                fix: Fix::Edits(vec![Edit::new(s.tokens[from].start, t.end, article_for(next))]),
            });
            return;
        }
        if let Some((agent, _)) = people.classify(s, j) {
            if !agent.is_individual() || agent == Agent::Guessed {
                return;
            }
            // The person must end the phrase: not `caused by the engineer's script`.
            if s.tokens.get(j + 1).is_some_and(|n| n.kind == Kind::Word && !n.is_any(&["and", "or", "when", "after"])) {
                continue;
            }
            hits.push(Hit {
                rule: LintRule::NamedBlame,
                severity: LintSeverity::Warning,
                start: s.tokens[i].start,
                end: t.end,
                fix: Fix::Edits(vec![Edit::new(s.tokens[from].start, t.end, "a change")]),
            });
            return;
        }
        if !t.is_any(&["the", "a", "an", "our", "one", "new", "junior", "on-call", "same"]) {
            return;
        }
    }
}

/// `The root cause was Luis`, `Dana was responsible for the outage`.
pub(crate) fn person_as_cause(s: &Sentence, people: &People, i: usize, hits: &mut Vec<Hit>) {
    // The cause named as a person.
    if s.is_any(i, &["cause", "culprit"]) && s.is_any(i + 1, &["was", "is"]) {
        let j = skip_words(s, i + 2, &["the", "a", "an", "our", "simply", "just"]);
        let ends_phrase = s.tokens.get(j + 1).is_none_or(|t| t.kind == Kind::Punct || t.is_any(&["and", "who"]));
        if ends_phrase && people.classify(s, j).is_some_and(|(a, _)| a.is_individual() && a != Agent::Guessed) {
            hits.push(Hit {
                rule: LintRule::NamedBlame,
                severity: LintSeverity::Warning,
                start: s.tokens[i].start,
                end: s.tokens[j].end,
                fix: Fix::Advice("Name the contributing conditions instead of a person: what made the action possible, and what let it cause harm?"),
            });
        }
        return;
    }
    // A person as "responsible for" a failure.
    if !s.is_any(i, BE_FORMS) || !s.is(i + 1, "responsible") || !s.is(i + 2, "for") {
        return;
    }
    let failure = (i + 3..(i + 7).min(s.tokens.len())).any(|j| s.is_any(j, FAILURE_NOUNS));
    let Some(subject) = people.subject_of(s, i) else { return };
    if failure && subject.agent.is_individual() && subject.agent != Agent::Guessed {
        hits.push(Hit {
            rule: LintRule::NamedBlame,
            severity: LintSeverity::Warning,
            start: hit_start(s, &subject, i),
            end: s.tokens[i + 1].end,
            fix: Fix::Advice(NAMED_BLAME_ADVICE),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::LintRule;
    use crate::lint::testing::{rules, suggestion};

    #[test]
    fn a_known_name_breaking_something_is_named_blame() {
        assert_eq!(rules("Dana broke the deploy."), [LintRule::NamedBlame]);
        assert_eq!(suggestion("Dana broke the deploy.", LintRule::NamedBlame), "A change broke the deploy.");
    }

    #[test]
    fn a_mention_forgetting_is_named_blame_with_a_system_rewrite() {
        assert_eq!(rules("@sam forgot to renew the certificate."), [LintRule::NamedBlame]);
        assert_eq!(
            suggestion("@sam forgot to renew the certificate.", LintRule::NamedBlame),
            "Nothing prompted anyone to renew the certificate."
        );
    }

    #[test]
    fn a_capitalised_first_name_is_guessed_as_a_person() {
        assert_eq!(rules("Marco ignored the disk alert."), [LintRule::NamedBlame]);
        assert_eq!(
            suggestion("Marco ignored the disk alert.", LintRule::NamedBlame),
            "Nothing drew attention to the disk alert."
        );
    }

    #[test]
    fn systems_breaking_things_are_not_blame() {
        assert_eq!(rules("The config change broke the login flow."), []);
        assert_eq!(rules("Kafka ignored the new partition count."), []);
        assert_eq!(rules("Monitoring missed the spike."), []);
        assert_eq!(rules("Replication broke the failover."), []);
    }

    #[test]
    fn pointed_roles_doing_the_wrong_thing_are_blame_but_neutral_facts_are_not() {
        assert_eq!(rules("The intern deleted the wrong table."), [LintRule::NamedBlame]);
        assert_eq!(rules("Dana deleted the stale replica at 14:02."), []);
        assert_eq!(rules("An engineer ran the command, and the tool applied it everywhere."), []);
    }

    #[test]
    fn a_possessive_person_on_the_subject_is_named_blame() {
        assert_eq!(rules("Dana's change took down the login service."), [LintRule::NamedBlame]);
        assert_eq!(
            suggestion("Dana's change took down the login service.", LintRule::NamedBlame),
            "A change took down the login service."
        );
    }

    #[test]
    fn caused_by_a_person_is_named_blame() {
        assert_eq!(rules("The incident was caused by @sam."), [LintRule::NamedBlame]);
        assert_eq!(
            suggestion("The incident was caused by @sam.", LintRule::NamedBlame),
            "The incident was caused by a change."
        );
        assert_eq!(rules("The incident was caused by a bad config."), []);
    }

    #[test]
    fn error_adverbs_with_a_person_are_named_blame() {
        assert_eq!(rules("Priya wrongly assumed the replica was in sync."), [LintRule::NamedBlame]);
        assert_eq!(rules("The script mistakenly deleted the bucket."), []);
    }

    #[test]
    fn a_person_as_the_root_cause_is_named_blame() {
        assert_eq!(rules("The root cause was Dana."), [LintRule::NamedBlame]);
        assert_eq!(rules("Dana was responsible for the outage."), [LintRule::NamedBlame]);
        assert_eq!(rules("Dana was responsible for communications."), []);
    }

    #[test]
    fn taking_over_a_role_or_taking_down_a_host_on_purpose_is_not_blame() {
        assert_eq!(rules("Dana took over as incident commander at 14:30."), []);
        assert_eq!(rules("Dana brought down db1025, which was showing high load."), []);
        assert_eq!(rules("Engineers brought down the affected peerings."), []);
        assert_eq!(rules("Dana took down the checkout API."), [LintRule::NamedBlame]);
    }

    #[test]
    fn states_and_adjectives_are_not_fault_verbs() {
        assert_eq!(rules("Replication from US West to US East is broken and apps cannot read."), []);
        assert_eq!(rules("The job left the ACL in a corrupted state."), []);
    }

    #[test]
    fn missing_only_counts_for_signals() {
        assert_eq!(rules("Dana missed the page."), [LintRule::NamedBlame]);
        assert_eq!(rules("Dana missed the start of the incident because she was on a flight."), []);
    }

    #[test]
    fn skipping_a_step_is_rewritten_as_nothing_requiring_it() {
        assert_eq!(
            suggestion("Because @sam skipped the canary, the build reached every region.", LintRule::NamedBlame),
            "Because nothing required the canary, the build reached every region."
        );
    }

    #[test]
    fn breaking_something_by_doing_something_makes_the_action_the_subject() {
        assert_eq!(
            suggestion("Dana broke the deploy by pushing an untested config.", LintRule::NamedBlame),
            "Pushing an untested config broke the deploy."
        );
        assert_eq!(suggestion("Dana broke the build and went home.", LintRule::NamedBlame), super::NAMED_BLAME_ADVICE);
    }

    #[test]
    fn forgetting_a_fact_is_rewritten_with_that() {
        assert_eq!(
            suggestion("Dana forgot the flag was still on.", LintRule::NamedBlame),
            "Nothing reminded anyone that the flag was still on."
        );
    }

    #[test]
    fn describing_an_accident_anonymously_is_fine_but_judging_adverbs_are_not() {
        assert_eq!(rules("A Google engineer inadvertently disabled the console."), []);
        assert_eq!(rules("An engineer wrongly assumed the replica was in sync."), [LintRule::NamedBlame]);
        assert_eq!(rules("Dana accidentally disabled the console."), [LintRule::NamedBlame]);
    }
}
