//! The front matter of a post-mortem's Markdown: the structured fields between two `---`
//! lines, in a small, strict subset of YAML that any YAML reader also reads.
//!
//! Every value is JSON on one line (strings in double quotes with JSON escapes, numbers,
//! `true`/`false`, `null`, `[…]` lists, `{…}` objects), which YAML accepts as it is:
//!
//! ```text
//! ---
//! title: "Checkout read-only after a failover"
//! services: ["payments-db", "checkout-api"]
//! moments:
//!   started_at: "2026-11-20T10:04:00Z"
//! responders:
//!   - {"username": "ana.silva", "role": "incident_commander"}
//! ---
//! ```
//!
//! A key with nothing after its colon opens a group: the lines under it, indented by two
//! spaces, are either all `key: value` (read as `group.key`) or all `- value` (a list). Blank
//! lines and `#` comments are skipped. Nothing else is read, and a key read by no one is an error.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::DocumentError;

/// The line that opens and closes the front matter.
pub(super) const FENCE: &str = "---";

/// Writes front matter lines, values as one-line JSON.
#[derive(Default)]
pub(super) struct Writer {
    out: String,
}

impl Writer {
    /// `key: value`.
    pub(super) fn value<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.raw(key, &json(value));
    }

    /// `key: value` with `value` already written as JSON.
    pub(super) fn raw(&mut self, key: &str, json: &str) {
        self.out.push_str(key);
        self.out.push_str(": ");
        self.out.push_str(json);
        self.out.push('\n');
    }

    /// `key: ["a", "b"]`.
    pub(super) fn list<T: Serialize>(&mut self, key: &str, values: &[T]) {
        let items: Vec<String> = values.iter().map(|v| json(v)).collect();
        self.raw(key, &format!("[{}]", items.join(", ")));
    }

    /// `key:` and the lines of a group under it.
    pub(super) fn group(&mut self, key: &str, fill: impl FnOnce(&mut Writer)) {
        self.out.push_str(key);
        self.out.push_str(":\n");
        let mut inner = Writer::default();
        fill(&mut inner);
        for line in inner.out.lines() {
            self.out.push_str("  ");
            self.out.push_str(line);
            self.out.push('\n');
        }
    }

    /// `key:` and one `- value` line per value, or `key: []` when there are none.
    pub(super) fn block_list(&mut self, key: &str, values: &[String]) {
        if values.is_empty() {
            self.raw(key, "[]");
            return;
        }
        self.out.push_str(key);
        self.out.push_str(":\n");
        for value in values {
            self.out.push_str("  - ");
            self.out.push_str(value);
            self.out.push('\n');
        }
    }

    /// The front matter, fenced.
    pub(super) fn finish(self) -> String {
        format!("{FENCE}\n{}{FENCE}\n", self.out)
    }
}

/// A value as one-line JSON. Serialising the model's plain fields cannot fail; `null` stands in if it ever does.
pub(super) fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// A JSON object written `{"a": 1, "b": 2}`, spaced as a person would write it.
pub(super) fn json_object(fields: &[(&str, String)]) -> String {
    let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{}: {v}", json(k))).collect();
    format!("{{{}}}", fields.join(", "))
}

/// One value as read: its line and its JSON text.
#[derive(Debug)]
struct Slot<'a> {
    line: usize,
    json: &'a str,
}

/// A value or a block list, by key (`group.key` inside a group).
#[derive(Debug)]
enum Entry<'a> {
    Value(Slot<'a>),
    List { line: usize, items: Vec<Slot<'a>> },
}

/// Front matter as read, handed out field by field so that each error names its line.
#[derive(Debug)]
pub(super) struct FrontMatter<'a> {
    entries: BTreeMap<String, Entry<'a>>,
    /// Line of the closing `---`, named when a required key is missing.
    end: usize,
}

/// Reads the front matter at the top of `lines`; returns it and the index of the first line after it.
pub(super) fn read<'a>(lines: &[(usize, &'a str)]) -> Result<(FrontMatter<'a>, usize), DocumentError> {
    match lines.first() {
        Some(&(_, first)) if first.trim_end() == FENCE => {}
        first => {
            let line = first.map_or(1, |l| l.0);
            return Err(DocumentError::new(line, "expected `---` to open the front matter"));
        }
    }
    let mut entries = BTreeMap::new();
    let mut group: Option<(String, usize, Option<bool>)> = None; // key, line, is it a list
    for (index, &(line, text)) in lines.iter().enumerate().skip(1) {
        if text.trim_end() == FENCE {
            if let Some((key, group_line, None)) = group {
                return Err(empty_group(&key, group_line));
            }
            return Ok((FrontMatter { entries, end: line }, index + 1));
        }
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(inner) = text.strip_prefix("  ") {
            let Some((key, group_line, is_list)) = &mut group else {
                return Err(DocumentError::new(line, "expected `key: value` at the start of the line"));
            };
            if inner.starts_with(' ') {
                return Err(DocumentError::new(line, "expected two spaces of indentation inside a group, no more"));
            }
            let as_list = inner.starts_with("- ") || inner == "-";
            if is_list.is_some_and(|list| list != as_list) {
                return Err(DocumentError::new(
                    line,
                    format!("the lines under `{key}:` must be all `- value` or all `key: value`"),
                ));
            }
            *is_list = Some(as_list);
            if as_list {
                let json = inner[1..].trim();
                if let Some(Entry::List { items, .. }) = entries.get_mut(key.as_str()) {
                    items.push(Slot { line, json });
                } else {
                    entries.insert(key.clone(), Entry::List { line: *group_line, items: vec![Slot { line, json }] });
                }
            } else {
                let (inner_key, json) = key_value(line, inner)?;
                insert(&mut entries, format!("{key}.{inner_key}"), Entry::Value(Slot { line, json }), line)?;
            }
            continue;
        }
        if let Some((key, group_line, None)) = group.take() {
            return Err(empty_group(&key, group_line));
        }
        let (key, json) = key_value(line, text)?;
        if json.is_empty() {
            if entries.keys().any(|k| k == key || k.starts_with(&format!("{key}."))) {
                return Err(DocumentError::new(line, format!("`{key}` is given twice")));
            }
            group = Some((key.to_owned(), line, None));
        } else {
            insert(&mut entries, key.to_owned(), Entry::Value(Slot { line, json }), line)?;
        }
    }
    let last = lines.last().map_or(1, |l| l.0);
    Err(DocumentError::new(last, "expected `---` to close the front matter"))
}

fn empty_group(key: &str, line: usize) -> DocumentError {
    DocumentError::new(line, format!("expected a value after `{key}:`, or indented lines under it"))
}

fn key_value(line: usize, text: &str) -> Result<(&str, &str), DocumentError> {
    let found = text.split_once(':').filter(|(key, _)| {
        !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    });
    let Some((key, rest)) = found else {
        return Err(DocumentError::new(line, "expected `key: value`, the key in lower case (`a-z`, `0-9`, `_`)"));
    };
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return Err(DocumentError::new(line, format!("expected a space after `{key}:`")));
    }
    Ok((key, rest.trim()))
}

fn insert<'a>(
    entries: &mut BTreeMap<String, Entry<'a>>,
    key: String,
    entry: Entry<'a>,
    line: usize,
) -> Result<(), DocumentError> {
    if entries.contains_key(&key) {
        return Err(DocumentError::new(line, format!("`{key}` is given twice")));
    }
    entries.insert(key, entry);
    Ok(())
}

const JSON_HINT: &str =
    "values are written as JSON: a \"double-quoted string\", a number, true, false, null or [a list]";

impl FrontMatter<'_> {
    /// Takes an optional value; `null` and a missing key are both `None`.
    pub(super) fn take<T: DeserializeOwned>(&mut self, key: &str) -> Result<Option<T>, DocumentError> {
        match self.entries.remove(key) {
            None => Ok(None),
            Some(Entry::Value(slot)) => {
                let value: Option<T> = serde_json::from_str(slot.json)
                    .map_err(|e| DocumentError::new(slot.line, format!("{key}: {}; {JSON_HINT}", e)))?;
                Ok(value)
            }
            Some(Entry::List { line, .. }) => {
                Err(DocumentError::new(line, format!("{key}: expected one value, not a list")))
            }
        }
    }

    /// Takes a value that must be present.
    pub(super) fn require<T: DeserializeOwned>(&mut self, key: &str) -> Result<T, DocumentError> {
        let line = self.line_of(key);
        self.take(key)?.ok_or_else(|| DocumentError::new(line, format!("the front matter must give `{key}`")))
    }

    /// Takes an optional value written as a JSON string and read with `parse` (times, dates, words).
    pub(super) fn take_parsed<T>(
        &mut self,
        key: &str,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, DocumentError> {
        let line = self.line_of(key);
        let Some(text) = self.take::<String>(key)? else { return Ok(None) };
        parse(&text)
            .map(Some)
            .ok_or_else(|| DocumentError::new(line, format!("{key}: expected {expected}, not {text:?}")))
    }

    /// Takes an optional word of a closed set (`severity`, `status`, …) through its `FromStr`.
    pub(super) fn take_word<T: FromStr>(&mut self, key: &str) -> Result<Option<T>, DocumentError>
    where
        T::Err: std::fmt::Display,
    {
        let line = self.line_of(key);
        let Some(text) = self.take::<String>(key)? else { return Ok(None) };
        text.parse().map(Some).map_err(|e: T::Err| DocumentError::new(line, format!("{key}: {e}")))
    }

    /// Takes a word of a closed set that must be present.
    pub(super) fn require_word<T: FromStr>(&mut self, key: &str) -> Result<T, DocumentError>
    where
        T::Err: std::fmt::Display,
    {
        let line = self.line_of(key);
        self.take_word(key)?.ok_or_else(|| DocumentError::new(line, format!("the front matter must give `{key}`")))
    }

    /// Takes an optional number, read with Rust's own float parser so that it comes back exactly.
    pub(super) fn take_f64(&mut self, key: &str) -> Result<Option<f64>, DocumentError> {
        match self.entries.remove(key) {
            None => Ok(None),
            Some(Entry::Value(slot)) if slot.json == "null" => Ok(None),
            Some(Entry::Value(slot)) => {
                slot.json.parse::<f64>().ok().filter(|v| v.is_finite()).map(Some).ok_or_else(|| {
                    DocumentError::new(slot.line, format!("{key}: expected a number, not {}", slot.json))
                })
            }
            Some(Entry::List { line, .. }) => Err(DocumentError::new(line, format!("{key}: expected a number"))),
        }
    }

    /// Takes a list, written inline (`[…]`) or as `- value` lines.
    pub(super) fn take_list<T: DeserializeOwned>(&mut self, key: &str) -> Result<Vec<T>, DocumentError> {
        match self.entries.remove(key) {
            None => Ok(Vec::new()),
            Some(Entry::Value(slot)) => {
                serde_json::from_str::<Option<Vec<T>>>(slot.json).map(Option::unwrap_or_default).map_err(|e| {
                    DocumentError::new(slot.line, format!("{key}: {e}; expected a list such as [\"a\", \"b\"]"))
                })
            }
            Some(Entry::List { items, .. }) => items
                .into_iter()
                .map(|slot| {
                    serde_json::from_str(slot.json)
                        .map_err(|e| DocumentError::new(slot.line, format!("{key}: {e}; {JSON_HINT}")))
                })
                .collect(),
        }
    }

    /// Fails on the first key nobody took, naming the ones that are read.
    pub(super) fn finish(self, known: &[&str]) -> Result<(), DocumentError> {
        match self.entries.into_iter().next() {
            None => Ok(()),
            Some((key, entry)) => {
                let line = match entry {
                    Entry::Value(slot) => slot.line,
                    Entry::List { line, .. } => line,
                };
                Err(DocumentError::new(
                    line,
                    format!("unknown key `{key}`; the front matter reads: {}", known.join(", ")),
                ))
            }
        }
    }

    fn line_of(&self, key: &str) -> usize {
        match self.entries.get(key) {
            Some(Entry::Value(slot)) => slot.line,
            Some(Entry::List { line, .. }) => *line,
            None => self.end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(text: &str) -> Vec<(usize, &str)> {
        text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect()
    }

    #[test]
    fn written_front_matter_reads_back() {
        let mut w = Writer::default();
        w.value("title", "Say \"hi\"\n: # not a comment");
        w.list("services", &["a", "b"]);
        w.group("moments", |g| g.value("started_at", "2026-11-20T10:04:00Z"));
        w.block_list("responders", &[json_object(&[("username", json("ana")), ("role", json("scribe"))])]);
        w.value("hours", &9.5);
        let text = w.finish();
        let lines = numbered(&text);
        let (mut fm, next) = read(&lines).unwrap();
        assert_eq!(next, lines.len());
        assert_eq!(fm.require::<String>("title").unwrap(), "Say \"hi\"\n: # not a comment");
        assert_eq!(fm.take_list::<String>("services").unwrap(), ["a", "b"]);
        assert_eq!(fm.take::<String>("moments.started_at").unwrap().as_deref(), Some("2026-11-20T10:04:00Z"));
        let responders: Vec<serde_json::Value> = fm.take_list("responders").unwrap();
        assert_eq!(responders[0]["role"], "scribe");
        assert_eq!(fm.take_f64("hours").unwrap(), Some(9.5));
        fm.finish(&[]).unwrap();
    }

    #[test]
    fn a_bare_yaml_string_is_refused_with_its_line() {
        let lines = numbered("---\nseverity: \"SEV2\"\ntitle: Checkout down\n---");
        let (mut fm, _) = read(&lines).unwrap();
        let error = fm.require::<String>("title").unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.message.contains("double-quoted"), "{}", error.message);
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let lines = numbered("---\ntitle: \"x\"\nseverty: \"SEV1\"\n---");
        let (mut fm, _) = read(&lines).unwrap();
        fm.require::<String>("title").unwrap();
        let error = fm.finish(&["title", "severity"]).unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.message.contains("severty"), "{}", error.message);
    }

    #[test]
    fn a_key_given_twice_is_refused() {
        let lines = numbered("---\ntitle: \"x\"\ntitle: \"y\"\n---");
        assert_eq!(read(&lines).unwrap_err().line, 3);
    }

    #[test]
    fn an_unclosed_front_matter_is_refused() {
        let lines = numbered("---\ntitle: \"x\"\n## Summary");
        let error = read(&lines).unwrap_err();
        assert!(error.message.contains("close"), "{}", error.message);
    }

    #[test]
    fn a_missing_opening_fence_is_refused_on_line_one() {
        let lines = numbered("# Title");
        assert_eq!(read(&lines).unwrap_err(), DocumentError::new(1, "expected `---` to open the front matter"));
    }

    #[test]
    fn a_group_mixing_keys_and_list_items_is_refused() {
        let lines = numbered("---\nmoments:\n  started_at: null\n  - null\n---");
        assert_eq!(read(&lines).unwrap_err().line, 4);
    }
}
