//! Reads JSON input one record at a time, so memory stays flat however long the input is:
//! JSON Lines (a bad line is rejected with its number and the next line read), one
//! document, a top-level array (streamed element by element), or an envelope object whose
//! one array holds the records (`{"log_entries": [...], "more": true}`, streamed the same
//! way).
//!
//! It knows nothing of what the records mean: each format maps the values it is handed.

use std::cell::Cell;
use std::io::{BufRead, Cursor, Read};
use std::rc::Rc;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::limits::{CappedStrings, MAX_JSON_STRING, StringCap};
use super::record::{Emitter, ImportError, Location};

/// The first content line is read whole to tell JSON Lines from one document; a longer
/// first line is taken as the start of one (minified) document and streamed.
const PROBE_LIMIT: usize = 1 << 20;

/// The buffer a document is read through.
const DOCUMENT_BUFFER: usize = 256 << 10;

/// The longest JSON Lines line read; a longer one is rejected and skipped.
const MAX_LINE: usize = 64 << 20;

// A string is cut while the parser is already inside it (the buffer reads ahead less than a
// string may hold), so the record the parser is in when a cut is counted is the one holding it.
const _: () = assert!(DOCUMENT_BUFFER < MAX_JSON_STRING);

/// Called with each record value and where it is.
pub(crate) type OnValue<'f, 's> = dyn FnMut(Value, &Location, &mut Emitter<'s>) + 'f;

/// Reads every record value of `input`, handing each to `on_value`.
///
/// `envelope` names the array of an envelope object (`log_entries`); an object without it
/// is taken as a record itself, so a file of bare entries works too.
pub(crate) fn read_json_records<'s>(
    input: &mut dyn BufRead,
    origin: &str,
    envelope: Option<&str>,
    emitter: &mut Emitter<'s>,
    on_value: &mut OnValue<'_, 's>,
) -> Result<(), ImportError> {
    // Read up to the first line with content, keeping every byte for a replay.
    let mut probe = Vec::new();
    let mut first = None;
    let mut last = Appended::Eof;
    while probe.len() < PROBE_LIMIT {
        let start = probe.len();
        last = append_line(input, &mut probe, PROBE_LIMIT - start).map_err(|e| ImportError::read(origin, e))?;
        if !strip_bom(&probe[start..]).trim_ascii().is_empty() {
            first = Some(start);
            break;
        }
        if last != Appended::Newline {
            break;
        }
    }
    let Some(content_start) = first else {
        if last == Appended::Eof {
            return Ok(());
        }
        // Only whitespace up to the probe limit: read on as one document.
        return read_document(probe, input, origin, envelope, emitter, on_value);
    };
    let first_line = &probe[content_start..];
    let complete_line = last != Appended::Limit;
    let as_lines = complete_line
        && match serde_json::from_slice::<IgnoredAny>(strip_bom(first_line)) {
            Ok(_) => true,
            Err(e) => e.classify() != serde_json::error::Category::Eof,
        };
    if as_lines {
        let line_number = probe[..content_start].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        read_lines(input, first_line.to_vec(), line_number, origin, envelope, emitter, on_value)
    } else {
        read_document(probe, input, origin, envelope, emitter, on_value)
    }
}

/// The probed bytes, then the rest of the input, its strings cut at [`MAX_JSON_STRING`]
/// (counted in `cut`), behind a buffer of its own: serde_json reads a document byte by byte,
/// and through a plain `Chain` of a `dyn BufRead` each byte would be a dynamic call
/// (docs/BENCHMARKS.md).
fn replay<'i>(probe: Vec<u8>, input: &'i mut dyn BufRead, cut: Rc<Cell<u64>>) -> impl Read + 'i {
    let capped = CappedStrings::new(Cursor::new(probe).chain(input), MAX_JSON_STRING, cut);
    std::io::BufReader::with_capacity(DOCUMENT_BUFFER, capped)
}

/// Why a record holding an overlong string is not read.
fn overlong_reason() -> String {
    format!("holds a JSON string longer than {} MiB, the most an import reads; not read", MAX_JSON_STRING >> 20)
}

/// JSON Lines: each line holds one record value (or an envelope).
fn read_lines<'s>(
    input: &mut dyn BufRead,
    first_line: Vec<u8>,
    first_number: u64,
    origin: &str,
    envelope: Option<&str>,
    emitter: &mut Emitter<'s>,
    on_value: &mut OnValue<'_, 's>,
) -> Result<(), ImportError> {
    let mut line = first_line;
    let mut number = first_number;
    let mut state = LineState::Complete;
    loop {
        match state {
            LineState::Complete if has_overlong_string(&mut line) => {
                emitter.reject(&Location::line(origin, number, "$"), overlong_reason());
            }
            LineState::Complete => read_line_values(&line, number, origin, envelope, emitter, on_value),
            LineState::TooLong => emitter.reject(
                &Location::line(origin, number, "$"),
                format!("line longer than {} MiB; not read", MAX_LINE >> 20),
            ),
            LineState::Eof => return Ok(()),
        }
        line.clear();
        number += 1;
        state = read_line_capped(input, &mut line, MAX_LINE).map_err(|e| ImportError::read(origin, e))?;
    }
}

/// Whether a line holds a JSON string longer than [`MAX_JSON_STRING`] (the line may be
/// changed: such a string is cut).
fn has_overlong_string(line: &mut [u8]) -> bool {
    if line.len() <= MAX_JSON_STRING {
        return false;
    }
    let cut = Rc::new(Cell::new(0));
    StringCap::new(MAX_JSON_STRING, cut.clone()).filter(line);
    cut.get() > 0
}

fn read_line_values<'s>(
    line: &[u8],
    number: u64,
    origin: &str,
    envelope: Option<&str>,
    emitter: &mut Emitter<'s>,
    on_value: &mut OnValue<'_, 's>,
) {
    let body = strip_bom(line).trim_ascii();
    if body.is_empty() {
        return;
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    // The line was checked whole (`has_overlong_string`): nothing is cut here.
    let cut = Rc::new(Cell::new(0));
    loop {
        let mut ctx = Ctx { emitter, on_value, envelope, origin, cut: &cut };
        let seed = TopLevel { ctx: &mut ctx, at: Location::line(origin, number, "$") };
        if let Err(e) = seed.deserialize(&mut de) {
            emitter.reject(&Location::line(origin, number, "$"), syntax_reason(&e));
            return;
        }
        if de.end().is_ok() {
            return;
        }
    }
}

/// One document, or several one after another; a syntax error ends the reading, since
/// nothing after it can be trusted to start a record.
fn read_document<'s>(
    probe: Vec<u8>,
    input: &mut dyn BufRead,
    origin: &str,
    envelope: Option<&str>,
    emitter: &mut Emitter<'s>,
    on_value: &mut OnValue<'_, 's>,
) -> Result<(), ImportError> {
    let cut = Rc::new(Cell::new(0));
    let mut de = serde_json::Deserializer::from_reader(replay(probe, input, cut.clone()));
    let mut index = 1u64;
    loop {
        let at = if index == 1 {
            Location::document(origin, "$")
        } else {
            Location::document(&format!("{origin}: document {index}"), "$")
        };
        let mut ctx = Ctx { emitter, on_value, envelope, origin, cut: &cut };
        if let Err(e) = (TopLevel { ctx: &mut ctx, at }).deserialize(&mut de) {
            if e.is_io() {
                // Back to the reader's own error, so a limit it reached can be told apart.
                return Err(ImportError::read(origin, std::io::Error::from(e)));
            }
            emitter.reject_at(format!("{origin}: line {}", e.line()), syntax_reason(&e));
            return Ok(());
        }
        match de.end() {
            Ok(()) => return Ok(()),
            Err(e) if e.is_io() => return Err(ImportError::read(origin, std::io::Error::from(e))),
            Err(_) => index += 1,
        }
    }
}

/// What serde_json says, without the position it appends (the location carries the line).
fn syntax_reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let message = match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_string(),
        None => text,
    };
    let message = match error.classify() {
        serde_json::error::Category::Eof => format!("input ends inside a JSON value ({message})"),
        _ => format!("not valid JSON: {message}"),
    };
    if error.column() > 0 { format!("{message} at column {}", error.column()) } else { message }
}

struct Ctx<'c, 'f, 's> {
    emitter: &'c mut Emitter<'s>,
    on_value: &'c mut OnValue<'f, 's>,
    envelope: Option<&'c str>,
    origin: &'c str,
    /// Strings cut so far (`StringCap`): a record read while this grew holds one.
    cut: &'c Cell<u64>,
}

/// A top-level value: a record, an array of records, or an envelope.
struct TopLevel<'x, 'c, 'f, 's> {
    ctx: &'x mut Ctx<'c, 'f, 's>,
    at: Location,
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_, '_, '_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl TopLevel<'_, '_, '_, '_> {
    fn not_a_record(self, found: &str) {
        let reason = format!("expected a JSON object, found {found}");
        self.ctx.emitter.reject(&self.at, reason);
    }
}

impl<'de> Visitor<'de> for TopLevel<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object or an array of objects")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let cut_before = self.ctx.cut.get();
        let mut fields = serde_json::Map::new();
        let mut streamed = false;
        while let Some(key) = map.next_key::<String>()? {
            if self.ctx.envelope == Some(key.as_str()) && !streamed {
                streamed = true;
                let at = self.at.child(&format!(".{key}"));
                map.next_value_seed(Elements { ctx: &mut *self.ctx, at })?;
            } else {
                let value: Value = map.next_value()?;
                fields.insert(key, value);
            }
        }
        if streamed {
            note_more_pages(self.ctx, &fields);
        } else if self.ctx.cut.get() != cut_before {
            self.ctx.emitter.reject(&self.at, overlong_reason());
        } else {
            (self.ctx.on_value)(Value::Object(fields), &self.at, self.ctx.emitter);
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Elements { ctx: self.ctx, at: self.at }.visit_seq(seq)
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.not_a_record("a boolean");
        Ok(())
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.not_a_record("a number");
        Ok(())
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.not_a_record("a number");
        Ok(())
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.not_a_record("a number");
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.not_a_record("a string");
        Ok(())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.not_a_record("null");
        Ok(())
    }
}

/// A paged envelope that says more pages follow: worth telling, since this file is one page.
fn note_more_pages(ctx: &mut Ctx<'_, '_, '_>, fields: &serde_json::Map<String, Value>) {
    if fields.get("more") == Some(&Value::Bool(true)) {
        let next = match (fields.get("offset").and_then(Value::as_u64), fields.get("limit").and_then(Value::as_u64)) {
            (Some(offset), Some(limit)) => format!(" (next page: offset={})", offset.saturating_add(limit)),
            _ => String::new(),
        };
        ctx.emitter
            .note(format!("{}: the response says more entries follow{next}; import the next page too", ctx.origin));
    }
}

/// An array of records, read element by element.
struct Elements<'x, 'c, 'f, 's> {
    ctx: &'x mut Ctx<'c, 'f, 's>,
    at: Location,
}

impl<'de> DeserializeSeed<'de> for Elements<'_, '_, '_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Elements<'_, '_, '_, '_> {
    fn not_an_array(self, found: &str) {
        let reason = format!("expected an array, found {found}");
        self.ctx.emitter.reject(&self.at, reason);
    }
}

impl<'de> Visitor<'de> for Elements<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        let mut cut_before = self.ctx.cut.get();
        while let Some(value) = seq.next_element::<Value>()? {
            let at = self.at.child(&format!("[{index}]"));
            if self.ctx.cut.get() == cut_before {
                (self.ctx.on_value)(value, &at, self.ctx.emitter);
            } else {
                self.ctx.emitter.reject(&at, overlong_reason());
                cut_before = self.ctx.cut.get();
            }
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.not_an_array("an object");
        Ok(())
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.not_an_array("a boolean");
        Ok(())
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.not_an_array("a number");
        Ok(())
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.not_an_array("a number");
        Ok(())
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.not_an_array("a number");
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.not_an_array("a string");
        Ok(())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.not_an_array("null");
        Ok(())
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

/// How reading one line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineState {
    /// A whole line is in the buffer (without its line ending).
    Complete,
    /// The line was longer than the limit; it was read past and dropped.
    TooLong,
    /// Nothing was left to read.
    Eof,
}

/// Reads one line into `buf` (without `\n` or `\r\n`), reading past and dropping a line
/// longer than `limit` bytes so memory stays bounded.
pub(crate) fn read_line_capped(input: &mut dyn BufRead, buf: &mut Vec<u8>, limit: usize) -> std::io::Result<LineState> {
    let mut read_any = false;
    let mut too_long = false;
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        read_any = true;
        let (chunk, used, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (&available[..i], i + 1, true),
            None => (available, available.len(), false),
        };
        if !too_long {
            if buf.len() + chunk.len() > limit {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        input.consume(used);
        if done {
            break;
        }
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(match (read_any, too_long) {
        (false, _) => LineState::Eof,
        (true, true) => LineState::TooLong,
        (true, false) => LineState::Complete,
    })
}

/// How `append_line` stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Appended {
    Newline,
    Eof,
    Limit,
}

/// Appends bytes up to and including the next `\n`, at most `limit` bytes, to `buf`.
fn append_line(input: &mut dyn BufRead, buf: &mut Vec<u8>, limit: usize) -> std::io::Result<Appended> {
    let mut taken = 0usize;
    loop {
        if taken >= limit {
            return Ok(Appended::Limit);
        }
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(Appended::Eof);
        }
        let window = &available[..available.len().min(limit - taken)];
        if let Some(i) = window.iter().position(|b| *b == b'\n') {
            buf.extend_from_slice(&window[..=i]);
            input.consume(i + 1);
            return Ok(Appended::Newline);
        }
        let used = window.len();
        buf.extend_from_slice(window);
        input.consume(used);
        taken += used;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::record::Record;

    fn values(input: &str, envelope: Option<&str>) -> (Vec<(Value, String)>, crate::import::ImportStats) {
        let mut seen = Vec::new();
        let mut sink = |_: Record| {};
        let mut emitter = Emitter::new(&mut sink);
        let mut on_value = |v: Value, at: &Location, _: &mut Emitter| seen.push((v, at.to_string()));
        read_json_records(&mut input.as_bytes(), "in.json", envelope, &mut emitter, &mut on_value).unwrap();
        let stats = emitter.finish();
        (seen, stats)
    }

    #[test]
    fn json_lines_reject_a_bad_line_and_read_on() {
        let (seen, stats) = values("{\"a\":1}\n{oops\n\n{\"a\":3}\n", None);
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].1, "in.json: line 4");
        assert_eq!(stats.rejections[0].location, "in.json: line 2");
    }

    #[test]
    fn a_pretty_document_is_one_record() {
        let (seen, stats) = values("\n{\n  \"a\": 1\n}\n", None);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].1, "in.json");
        assert_eq!(stats.rejected, 0);
    }

    #[test]
    fn an_envelope_streams_its_array_and_notes_more_pages() {
        let (seen, stats) = values(
            "{\"log_entries\": [{\"id\": 1}, 2],\n \"limit\": 2, \"offset\": 0, \"more\": true}",
            Some("log_entries"),
        );
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].1, "in.json: $.log_entries[1]");
        assert!(stats.notes[0].contains("offset=2"), "{:?}", stats.notes);
    }

    #[test]
    fn a_truncated_document_keeps_what_came_before() {
        let (seen, stats) = values("[\n{\"a\": 1},\n{\"a\": 2},\n{\"a\"", None);
        assert_eq!(seen.len(), 2);
        assert_eq!(stats.rejections[0].location, "in.json: line 4");
    }

    #[test]
    fn a_scalar_is_rejected_not_fatal() {
        let (seen, stats) = values("42\n\"x\"\n{\"a\":1}\n", None);
        assert_eq!(seen.len(), 1);
        assert_eq!(stats.rejected, 2);
    }

    #[test]
    fn a_record_with_an_overlong_string_is_rejected_with_its_path_and_the_next_read() {
        let long = "x".repeat(MAX_JSON_STRING + 10);
        let input = format!("{{\"log_entries\": [{{\"id\": 1}}, {{\"id\": 2, \"text\": \"{long}\"}}, {{\"id\": 3}}]}}");
        let (seen, stats) = values(&input, Some("log_entries"));
        let ids: Vec<_> = seen.iter().map(|(v, _)| v["id"].as_u64().unwrap()).collect();
        assert_eq!(ids, [1, 3]);
        assert_eq!(stats.rejections[0].location, "in.json: $.log_entries[1]");
        assert!(stats.rejections[0].reason.contains("string longer than 1 MiB"), "{}", stats.rejections[0].reason);
    }

    #[test]
    fn a_json_line_with_an_overlong_string_is_rejected_and_the_next_read() {
        let long = "x".repeat(MAX_JSON_STRING + 10);
        let input = format!("{{\"a\":1}}\n{{\"a\":\"{long}\"}}\n{{\"a\":3}}\n");
        let (seen, stats) = values(&input, None);
        assert_eq!(seen.len(), 2);
        assert_eq!(stats.rejections[0].location, "in.json: line 2");
        assert!(stats.rejections[0].reason.contains("string longer than 1 MiB"), "{}", stats.rejections[0].reason);
    }

    #[test]
    fn a_single_record_document_with_an_overlong_string_is_rejected() {
        let long = "x".repeat(MAX_JSON_STRING + 10);
        let input = format!("{{\n\"a\": \"{long}\"\n}}");
        let (seen, stats) = values(&input, None);
        assert!(seen.is_empty());
        assert_eq!(stats.rejections[0].location, "in.json");
    }

    #[test]
    fn an_overlong_line_is_dropped() {
        let mut input = "aaaaaaaaaa\nbb\n".as_bytes();
        let mut buf = Vec::new();
        assert_eq!(read_line_capped(&mut input, &mut buf, 4).unwrap(), LineState::TooLong);
        buf.clear();
        assert_eq!(read_line_capped(&mut input, &mut buf, 4).unwrap(), LineState::Complete);
        assert_eq!(buf, b"bb");
        buf.clear();
        assert_eq!(read_line_capped(&mut input, &mut buf, 4).unwrap(), LineState::Eof);
    }
}
