//! Turns a rule's proposed edits into a suggested sentence, and holds the small
//! amount of English morphology the rewrites need (past tense of participles,
//! `a` or `an`). Suggestions are proposals for a person to adapt, not
//! automatic fixes: they keep the writer's words where they can.

use super::LintRule;

/// Replace the characters `[start, end)` of the original text with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl Edit {
    pub fn new(start: usize, end: usize, text: impl Into<String>) -> Self {
        Edit { start, end, text: text.into() }
    }
}

/// What a finding proposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fix {
    /// Edits to the sentence that yield a system-focused version of it.
    Edits(Vec<Edit>),
    /// Advice, where no rephrasing can be derived from the words alone.
    Advice(&'static str),
}

/// The excerpt's bounds: the sentence widened over emphasis and closing quotes.
pub(crate) fn excerpt_bounds(original: &[char], start: usize, end: usize) -> (usize, usize) {
    let mut from = start.min(original.len());
    while from > 0 && matches!(original[from - 1], '*' | '_' | '~') {
        from -= 1;
    }
    let mut to = end.min(original.len());
    while to < original.len() && matches!(original[to], '*' | '_' | '~' | '"' | '\u{201D}' | ')') {
        to += 1;
    }
    (from, to)
}

/// The characters with runs of whitespace collapsed to one space and trimmed.
pub(crate) fn collapse(chars: &[char]) -> String {
    let text: String = chars.iter().collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The suggestion for a finding in the sentence `original[from..to]`.
pub(crate) fn render(original: &[char], from: usize, to: usize, fix: &Fix) -> String {
    let edits = match fix {
        Fix::Advice(advice) => return (*advice).to_string(),
        Fix::Edits(edits) => edits,
    };
    let mut edits: Vec<&Edit> = edits.iter().filter(|e| e.start >= from && e.end <= to && e.start <= e.end).collect();
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out = String::new();
    let mut at = from;
    for edit in edits {
        if edit.start < at {
            continue; // overlapping edits: the first wins
        }
        out.extend(&original[at..edit.start]);
        out.push_str(&edit.text);
        at = edit.end;
    }
    out.extend(&original[at..to]);
    // Capitalise unless the sentence starts with a time or number (`14:07 an engineer…`).
    let starts_with_number = original[from..to]
        .iter()
        .find(|c| !matches!(c, '*' | '_' | '~' | '"' | '('))
        .is_some_and(|c| c.is_ascii_digit());
    tidy(&out, !starts_with_number)
}

/// Collapses whitespace, removes spaces before punctuation and capitalises the start.
fn tidy(text: &str, capitalise: bool) -> String {
    let mut out = collapse(&text.chars().collect::<Vec<_>>());
    for (from, to) in [(" ,", ","), (" .", "."), (" ;", ";"), (" :", ":"), (" ?", "?"), (" !", "!"), (",,", ",")] {
        while out.contains(from) {
            out = out.replace(from, to);
        }
    }
    let out = out.trim_start_matches([',', ';', ' ']).to_string();
    if !capitalise {
        return out;
    }
    let mut capitalised = String::with_capacity(out.len());
    let mut done = false;
    for c in out.chars() {
        if !done && c.is_alphabetic() {
            capitalised.extend(c.to_uppercase());
            done = true;
        } else {
            capitalised.push(c);
        }
    }
    capitalised
}

/// Whether two articles follow each other (`a simple a manual step` after a substitution
/// that left the writer's article in place): such a rewrite is not offered.
pub(crate) fn doubles_an_article(text: &str) -> bool {
    const ARTICLES: &[&str] = &["a", "an", "the"];
    let words: Vec<String> =
        text.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()).collect();
    words.windows(2).any(|w| ARTICLES.contains(&w[0].as_str()) && ARTICLES.contains(&w[1].as_str()))
        || words.windows(3).any(|w| {
            ARTICLES.contains(&w[0].as_str())
                && ADJECTIVE_LIKE.contains(&w[1].as_str())
                && ARTICLES.contains(&w[2].as_str())
        })
}

/// Words that sit between an article and its noun often enough that `a <word> a` is a
/// doubled article rather than two phrases.
const ADJECTIVE_LIKE: &[&str] = &[
    "simple", "silly", "small", "minor", "honest", "stupid", "dumb", "classic", "basic", "plain", "pure", "typical",
    "common", "single", "little", "big", "obvious", "clear", "real", "genuine", "careless", "sloppy", "easy",
];

/// Advice for a finding of `rule` when its rewrite cannot be offered.
pub(crate) fn advice_for(rule: LintRule) -> &'static str {
    match rule {
        LintRule::NamedBlame => {
            "Describe the action without naming who took it, and name the condition in the system that let it \
             cause harm."
        }
        LintRule::Counterfactual => PERSON_COUNTERFACTUAL_ADVICE,
        LintRule::HindsightCertainty => {
            "State what information was available at the time, and what it pointed to then."
        }
        LintRule::HumanError => {
            "Name the condition that allowed the action instead: a missing guard, an ambiguous interface, an \
             untested procedure."
        }
        LintRule::JudgementWord => {
            "Replace the judgement with what happened: the steps taken, what the person could see, and what the \
             tooling allowed."
        }
        LintRule::Minimising => MINIMISED_MISTAKE_ADVICE,
        LintRule::Punishment => {
            "Replace the consequence for a person with a change to the system, e.g. \"Add a confirmation step \
             before the cleanup script deletes production data.\""
        }
        LintRule::BeMoreCareful => {
            "Name a change that makes the safe path the default instead, e.g. \"Require a dry run before the \
             migration tool writes to production.\""
        }
        LintRule::WhoQuestion => {
            "Ask what the system allowed instead: what made the action possible, and what was seen at the time."
        }
        LintRule::PossibleBlame => POSSIBLE_BLAME_ADVICE,
    }
}

/// For a sentence only the learned model flagged: a question, since no rule knows what to rewrite.
pub(crate) const POSSIBLE_BLAME_ADVICE: &str = "If this sentence judges a person, write instead what they saw and did at \
     the time, and what in the system made the outcome possible (a missing check, a misleading signal, an unsafe \
     default); if it only states what happened, leave it.";

/// For a counterfactual about a person: a system-focused question instead of a rewrite.
pub(crate) const PERSON_COUNTERFACTUAL_ADVICE: &str = "What would have made that step easy or automatic at the time \
     (a prompt, a check, a safer default)? Write that down, and what the person saw then, instead of what they \
     ought to have done.";

/// For `just`, `simply` or `a simple` about a person's mistake.
pub(crate) const MINIMISED_MISTAKE_ADVICE: &str = "Drop the word that makes the mistake sound trivial (\"just\", \
     \"simple\", \"honest\") and ask what made the action easy to get wrong: what the tool allowed, what it \
     showed, and what nothing checked.";

/// `a` or `an` before `word`.
pub(crate) fn article_for(word: &str) -> &'static str {
    let lower = word.to_lowercase();
    let vowel_sound = lower.starts_with(['a', 'e', 'i', 'o']) || (lower.starts_with('u') && !lower.starts_with("us"));
    if vowel_sound { "an" } else { "a" }
}

/// Whether `word` can be a past participle (`checked`, `known`, `run`).
pub(crate) fn is_participle(word: &str) -> bool {
    (word.len() > 3 && word.ends_with("ed")) || IRREGULAR.iter().any(|(participle, _)| *participle == word)
}

/// The simple past of a past participle: `known` → `knew`, `checked` → `checked`.
pub(crate) fn past_of(participle: &str) -> &str {
    IRREGULAR.iter().find(|(p, _)| *p == participle).map_or(participle, |(_, past)| past)
}

/// Irregular past participles and their simple past.
const IRREGULAR: &[(&str, &str)] = &[
    ("known", "knew"),
    ("seen", "saw"),
    ("done", "did"),
    ("gone", "went"),
    ("been", "was"),
    ("run", "ran"),
    ("taken", "took"),
    ("written", "wrote"),
    ("given", "gave"),
    ("driven", "drove"),
    ("chosen", "chose"),
    ("spoken", "spoke"),
    ("broken", "broke"),
    ("forgotten", "forgot"),
    ("woken", "woke"),
    ("hidden", "hid"),
    ("fallen", "fell"),
    ("begun", "began"),
    ("become", "became"),
    ("come", "came"),
    ("shown", "showed"),
    ("drawn", "drew"),
    ("thrown", "threw"),
    ("grown", "grew"),
    ("rung", "rang"),
    ("read", "read"),
    ("set", "set"),
    ("put", "put"),
    ("caught", "caught"),
    ("made", "made"),
    ("sent", "sent"),
    ("built", "built"),
    ("kept", "kept"),
    ("left", "left"),
    ("got", "got"),
    ("gotten", "got"),
    ("told", "told"),
    ("thought", "thought"),
    ("brought", "brought"),
    ("understood", "understood"),
    ("held", "held"),
    ("hit", "hit"),
    ("cut", "cut"),
    ("shut", "shut"),
    ("let", "let"),
    ("paid", "paid"),
    ("felt", "felt"),
    ("found", "found"),
    ("heard", "heard"),
    ("meant", "meant"),
    ("spent", "spent"),
    ("stuck", "stuck"),
    ("led", "led"),
    ("met", "met"),
    ("taught", "taught"),
    ("dealt", "dealt"),
    ("sought", "sought"),
    ("split", "split"),
    ("stood", "stood"),
    ("sat", "sat"),
    ("slept", "slept"),
    ("spotted", "spotted"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn edits_apply_in_order_and_the_result_is_tidied() {
        let text = chars("Dana should have checked the graph .");
        let fix = Fix::Edits(vec![Edit::new(5, 16, "had not"), Edit::new(0, 4, "the responder")]);
        assert_eq!(render(&text, 0, text.len(), &fix), "The responder had not checked the graph.");
    }

    #[test]
    fn deleting_a_word_leaves_one_space() {
        let text = chars("Just restart the pod.");
        let fix = Fix::Edits(vec![Edit::new(0, 4, "")]);
        assert_eq!(render(&text, 0, text.len(), &fix), "Restart the pod.");
    }

    #[test]
    fn advice_is_returned_as_is() {
        assert_eq!(render(&chars("x"), 0, 1, &Fix::Advice("Do y.")), "Do y.");
    }

    #[test]
    fn participles_and_their_past() {
        assert!(is_participle("checked") && is_participle("known") && is_participle("run"));
        assert!(!is_participle("the") && !is_participle("red"));
        assert_eq!((past_of("known"), past_of("restarted")), ("knew", "restarted"));
    }

    #[test]
    fn articles_follow_the_sound() {
        assert_eq!((article_for("deploy"), article_for("outage"), article_for("user")), ("a", "an", "a"));
    }

    #[test]
    fn excerpts_widen_over_emphasis() {
        let text = chars("**Dana broke it**");
        assert_eq!(excerpt_bounds(&text, 2, 15), (0, 17));
    }
}
