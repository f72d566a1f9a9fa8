//! Splits masked post-mortem text into sentences of tokens: words (with
//! contractions expanded and possessives marked), @mentions, numbers, opaque
//! masked spans and the punctuation that separates clauses.
//!
//! Offsets are character offsets into the original text. Emphasis markers and
//! other symbols are dropped; they carry no meaning for the rules.

use super::markdown::{BOUNDARY, OPAQUE};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Word,
    /// `@handle`.
    Mention,
    /// Starts with a digit: `14:02`, `2.3.1`, `80`.
    Number,
    /// Masked code span, quotation or URL.
    Opaque,
    /// One of `, ; : ( ) . ! ?` or a dash between spaces.
    Punct,
}

/// One token of a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    /// As written, with `’` normalised to `'` and a possessive `'s` removed.
    pub text: String,
    /// `text` in lower case.
    pub lower: String,
    /// Character offset of the first character.
    pub start: usize,
    /// Character offset just after the last character (including a possessive `'s`).
    pub end: usize,
    /// Written with a possessive `'s` or `s'`.
    pub possessive: bool,
}

impl Token {
    /// Whether this is the word `w` (lower case).
    pub fn is(&self, w: &str) -> bool {
        self.kind == Kind::Word && self.lower == w
    }

    /// Whether this is the word `w` or one of `words`.
    pub fn is_any(&self, words: &[&str]) -> bool {
        self.kind == Kind::Word && words.contains(&self.lower.as_str())
    }

    /// Whether this is the punctuation mark `c`.
    pub fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct && self.text.starts_with(c)
    }
}

/// A sentence: its tokens and the characters it spans.
#[derive(Debug, Clone)]
pub(crate) struct Sentence {
    pub tokens: Vec<Token>,
    /// Character offset of the first token.
    pub start: usize,
    /// Character offset just after the last token.
    pub end: usize,
}

impl Sentence {
    /// The lower-case word at `i`, if token `i` is a word.
    pub fn word(&self, i: usize) -> Option<&str> {
        self.tokens.get(i).filter(|t| t.kind == Kind::Word).map(|t| t.lower.as_str())
    }

    /// Whether the words from `i` on are `words`.
    pub fn words_at(&self, i: usize, words: &[&str]) -> bool {
        words.iter().enumerate().all(|(k, w)| self.word(i + k) == Some(w))
    }

    /// Whether the token at `i` is the word `w`.
    pub fn is(&self, i: usize, w: &str) -> bool {
        self.tokens.get(i).is_some_and(|t| t.is(w))
    }

    /// Whether the token at `i` is one of `words`.
    pub fn is_any(&self, i: usize, words: &[&str]) -> bool {
        self.tokens.get(i).is_some_and(|t| t.is_any(words))
    }

    /// Whether the sentence is a question.
    pub fn is_question(&self) -> bool {
        self.tokens.last().is_some_and(|t| t.is_punct('?'))
    }
}

/// Splits masked text into sentences; opaque tokens carry their original text.
pub(crate) fn split(original: &[char], masked: &[char]) -> Vec<Sentence> {
    let mut sentences = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    let mut finish = |current: &mut Vec<Token>| {
        if current.iter().any(|t| t.kind != Kind::Punct) {
            let start = current[0].start;
            let end = current[current.len() - 1].end;
            sentences.push(Sentence { tokens: std::mem::take(current), start, end });
        } else {
            current.clear();
        }
    };

    let mut i = 0;
    while i < masked.len() {
        // Prose sentences are far shorter; a run-on "sentence" is a log or a table, and
        // bounding its length bounds the rules' look-backs.
        if current.len() >= MAX_TOKENS {
            finish(&mut current);
        }
        let c = masked[i];
        if c == BOUNDARY {
            finish(&mut current);
            i += 1;
        } else if c == OPAQUE {
            let end = i + masked[i..].iter().take_while(|&&x| x == OPAQUE).count();
            current.push(token(Kind::Opaque, original, i, end));
            i = end;
        } else if c == '@' && masked.get(i + 1).is_some_and(|c| c.is_alphanumeric()) && !prev_is_word(masked, i) {
            let end = word_end(masked, i + 1);
            current.push(token(Kind::Mention, masked, i, end));
            i = end;
        } else if c.is_alphanumeric() {
            let end = word_end(masked, i);
            let kind = if c.is_ascii_digit() { Kind::Number } else { Kind::Word };
            let (tokens, end) = word_tokens(kind, masked, i, end);
            current.extend(tokens);
            i = end;
        } else if matches!(c, '.' | '!' | '?') {
            current.push(token(Kind::Punct, masked, i, i + 1));
            if ends_sentence(masked, i, &current) {
                finish(&mut current);
            }
            i += 1;
        } else if matches!(c, ',' | ';' | ':' | '(' | ')' | '—' | '–') {
            current.push(token(Kind::Punct, masked, i, i + 1));
            i += 1;
        } else if c == '-' && is_spaced_dash(masked, i) {
            let end = i + masked[i..].iter().take_while(|&&x| x == '-').count();
            current.push(token(Kind::Punct, masked, i, end));
            i = end;
        } else {
            i += 1;
        }
    }
    finish(&mut current);
    sentences
}

/// The most tokens one sentence may hold before it is cut.
const MAX_TOKENS: usize = 200;

fn prev_is_word(text: &[char], i: usize) -> bool {
    i > 0 && (text[i - 1].is_alphanumeric() || text[i - 1] == '.')
}

fn is_spaced_dash(text: &[char], i: usize) -> bool {
    let end = i + text[i..].iter().take_while(|&&x| x == '-').count();
    (i == 0 || text[i - 1].is_whitespace()) && text.get(end).is_none_or(|c| c.is_whitespace())
}

/// Characters that join two word characters into one word: `on-call`, `dana.kim`, `didn't`, `14:02`.
fn joins(text: &[char], i: usize) -> bool {
    let next_is_word = text.get(i + 1).is_some_and(|c| c.is_alphanumeric());
    match text[i] {
        '\'' | '\u{2019}' | '-' | '.' | '_' | '/' | '@' | '&' | '+' => next_is_word,
        ':' => i > 0 && text[i - 1].is_ascii_digit() && text.get(i + 1).is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

fn word_end(text: &[char], start: usize) -> usize {
    let mut end = start;
    while end < text.len() && (text[end].is_alphanumeric() || joins(text, end)) {
        end += 1;
    }
    end
}

fn token(kind: Kind, text: &[char], start: usize, end: usize) -> Token {
    let written: String = text[start..end].iter().map(|&c| if c == '\u{2019}' { '\'' } else { c }).collect();
    Token { kind, lower: written.to_lowercase(), text: written, start, end, possessive: false }
}

/// Pronouns whose `'s` means "is", not possession.
const IS_CONTRACTING: &[&str] = &[
    "it", "that", "there", "here", "what", "who", "he", "she", "where", "how", "this", "everyone", "nobody", "someone",
];

/// A word, split where it contracts two words (`didn't` → `did` `not`), with a
/// possessive `'s` or `s'` marked. Returns the tokens and where the word ends.
fn word_tokens(kind: Kind, text: &[char], start: usize, end: usize) -> (Vec<Token>, usize) {
    let mut word = token(kind, text, start, end);
    if kind != Kind::Word {
        return (vec![word], end);
    }
    // Plural possessive: `engineers'`.
    if word.lower.ends_with('s') && matches!(text.get(end), Some('\'' | '\u{2019}')) {
        let after = text.get(end + 1);
        if after.is_none_or(|c| !c.is_alphanumeric()) {
            word.end = end + 1;
            word.possessive = true;
            return (vec![word], end + 1);
        }
    }
    let Some(apostrophe) = word.lower.rfind('\'') else {
        // `didnt`, `wouldnt`: a contraction typed without its apostrophe, as in chat.
        if let Some((_, stem)) = BARE_CONTRACTIONS.iter().find(|(bare, _)| *bare == word.lower) {
            let stem_len = stem.chars().count().min(end - start);
            let mut first = token(kind, text, start, start + stem_len);
            first.lower = (*stem).to_string();
            let mut second = token(kind, text, start + stem_len, end);
            second.lower = "not".to_string();
            return (vec![first, second], end);
        }
        return (vec![word], end);
    };
    let stem_chars = word.lower[..apostrophe].chars().count();
    let tail = word.lower[apostrophe + 1..].to_string();
    let split_at = |stem_len: usize, second: &str| {
        let mut first = token(kind, text, start, start + stem_len);
        if first.lower == "ca" {
            first.lower = "can".into();
        } else if first.lower == "wo" {
            first.lower = "will".into();
        } else if first.lower == "sha" {
            first.lower = "shall".into();
        }
        let mut second_token = token(kind, text, start + stem_len, end);
        second_token.lower = second.to_string();
        vec![first, second_token]
    };
    let tokens = match tail.as_str() {
        "t" if word.lower[..apostrophe].ends_with('n') => split_at(stem_chars - 1, "not"),
        "ve" => split_at(stem_chars, "have"),
        "ll" => split_at(stem_chars, "will"),
        "re" => split_at(stem_chars, "are"),
        "d" => split_at(stem_chars, "would"),
        "m" => split_at(stem_chars, "am"),
        "s" if IS_CONTRACTING.contains(&&word.lower[..apostrophe]) => split_at(stem_chars, "is"),
        "s" => {
            let stem: String = word.text.chars().take(stem_chars).collect();
            word.lower = stem.to_lowercase();
            word.text = stem;
            word.possessive = true;
            vec![word]
        }
        _ => vec![word],
    };
    (tokens, end)
}

/// Negated auxiliaries written without an apostrophe, and the auxiliary they contract.
const BARE_CONTRACTIONS: &[(&str, &str)] = &[
    ("didnt", "did"),
    ("dont", "do"),
    ("doesnt", "does"),
    ("wasnt", "was"),
    ("werent", "were"),
    ("wouldnt", "would"),
    ("shouldnt", "should"),
    ("couldnt", "could"),
    ("isnt", "is"),
    ("arent", "are"),
    ("hasnt", "has"),
    ("havent", "have"),
    ("hadnt", "had"),
];

/// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "etc", "vs", "cf", "approx", "incl", "esp", "al", "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof",
    "fig", "no", "nr", "ca", "min", "max",
];

fn ends_sentence(text: &[char], i: usize, current: &[Token]) -> bool {
    if text[i] != '.' {
        return true;
    }
    // `...` ends at its last dot.
    if text.get(i + 1) == Some(&'.') {
        return false;
    }
    let Some(previous) = current.len().checked_sub(2).map(|k| &current[k]) else {
        return true;
    };
    if previous.end != i || previous.kind != Kind::Word {
        return true;
    }
    let initial = previous.text.chars().count() == 1 && previous.text.chars().all(char::is_uppercase);
    let abbreviation = ABBREVIATIONS.contains(&previous.lower.as_str());
    let next_lower = text[i + 1..].iter().find(|c| !c.is_whitespace()).is_some_and(|c| c.is_lowercase());
    !(initial || (abbreviation && (next_lower || previous.lower.contains('.'))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::markdown::mask;

    fn split_text(text: &str) -> Vec<Sentence> {
        let chars: Vec<char> = text.chars().collect();
        split(&chars, &mask(&chars))
    }

    fn sentences(text: &str) -> Vec<Vec<String>> {
        split_text(text).into_iter().map(|s| s.tokens.into_iter().map(|t| t.lower).collect()).collect()
    }

    #[test]
    fn full_stops_question_and_exclamation_marks_end_sentences() {
        assert_eq!(sentences("A b. C d? E f! G").len(), 4);
    }

    #[test]
    fn abbreviations_initials_and_versions_do_not_end_sentences() {
        assert_eq!(sentences("Use a guard, e.g. a dry run. Next").len(), 2);
        assert_eq!(sentences("J. Smith shipped v2.3.1 today.").len(), 1);
    }

    #[test]
    fn contractions_typed_without_an_apostrophe_expand_too() {
        assert_eq!(sentences("someone didnt bother")[0], ["someone", "did", "not", "bother"]);
    }

    #[test]
    fn contractions_expand_into_two_words() {
        assert_eq!(
            sentences("didn't shouldn't won't can't should've it's")[0],
            ["did", "not", "should", "not", "will", "not", "can", "not", "should", "have", "it", "is"]
        );
    }

    #[test]
    fn possessives_are_marked_and_stripped() {
        let tokens = &split_text("Dana's change and the engineers' laptops")[0].tokens;
        assert_eq!((tokens[0].text.as_str(), tokens[0].possessive, tokens[0].end), ("Dana", true, 6));
        assert_eq!((tokens[4].text.as_str(), tokens[4].possessive), ("engineers", true));
    }

    #[test]
    fn handles_dotted_names_hyphenated_words_and_times_stay_whole() {
        assert_eq!(
            sentences("@dana.kim on-call at 14:02, dana@example.com.")[0],
            ["@dana.kim", "on-call", "at", "14:02", ",", "dana@example.com", "."]
        );
    }

    #[test]
    fn opaque_tokens_keep_their_original_text() {
        let tokens = &split_text("run `rm -rf` now")[0].tokens;
        assert_eq!((tokens[1].kind, tokens[1].text.as_str()), (Kind::Opaque, "`rm -rf`"));
    }

    #[test]
    fn emphasis_markers_are_dropped() {
        assert_eq!(sentences("**Dana** _broke_ it")[0], ["dana", "broke", "it"]);
    }

    #[test]
    fn a_spaced_dash_is_punctuation_but_a_hyphen_is_not() {
        assert_eq!(sentences("a - b fault-tolerant")[0], ["a", "-", "b", "fault-tolerant"]);
    }
}
