//! The limits that keep an import's memory bounded whatever its input, and the readers that
//! enforce them while the input is read, before anything is allocated for it: a JSON string
//! longer than [`MAX_JSON_STRING`] is cut short as it streams past (its record is then
//! rejected), and a zip entry that unpacks to more than [`MAX_UNZIPPED_ENTRY`] bytes, or an
//! export whose entries unpack to more than [`MAX_UNZIPPED_EXPORT`] together, stops being
//! read there.
//!
//! Not the checks of what a record says (`record::Emitter`), only of how big it is.

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

/// The longest JSON string (key or value) an importer reads, in bytes as written in the
/// input: a record holding a longer one is rejected, and the string is never held whole.
pub const MAX_JSON_STRING: usize = 1 << 20;

/// The most one entry of a zip (a Slack export's day file or listing) may unpack to.
pub const MAX_UNZIPPED_ENTRY: u64 = 256 << 20;

/// The most all the entries of one zip together may unpack to.
pub const MAX_UNZIPPED_EXPORT: u64 = 1 << 30;

/// Why a zip stopped being read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TooLarge {
    /// One entry unpacks to more than its limit.
    #[error("unpacks to more than {} MiB, the most one file of an export may hold; the rest of it was not read", limit >> 20)]
    Entry { limit: u64 },
    /// The entries read so far unpack to more than the export's limit.
    #[error("the export unpacks to more than {} MiB, the most an import reads; it was not read from here on", limit >> 20)]
    Export { limit: u64 },
}

impl TooLarge {
    /// The limit an I/O error reports having reached, if it is one of these.
    pub(crate) fn of(error: &std::io::Error) -> Option<&TooLarge> {
        error.get_ref().and_then(|inner| inner.downcast_ref::<TooLarge>())
    }
}

/// A reader of one zip entry that counts the bytes it unpacks, against the entry's limit
/// and the export's (shared by every entry of one zip).
pub(crate) struct Unzipped<R> {
    inner: R,
    read: u64,
    entry_limit: u64,
    export_read: Rc<Cell<u64>>,
    export_limit: u64,
}

impl<R: Read> Unzipped<R> {
    pub(crate) fn new(inner: R, entry_limit: u64, export_read: Rc<Cell<u64>>, export_limit: u64) -> Unzipped<R> {
        Unzipped { inner, read: 0, entry_limit, export_read, export_limit }
    }
}

impl<R: Read> Read for Unzipped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read > self.entry_limit {
            return Err(std::io::Error::other(TooLarge::Entry { limit: self.entry_limit }));
        }
        if self.export_read.get() > self.export_limit {
            return Err(std::io::Error::other(TooLarge::Export { limit: self.export_limit }));
        }
        // Never more than one byte past a limit, so the error comes before the memory is used.
        let room = (self.entry_limit - self.read).min(self.export_limit - self.export_read.get()) + 1;
        let window = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..window])?;
        self.read += n as u64;
        self.export_read.set(self.export_read.get() + n as u64);
        if self.read > self.entry_limit {
            return Err(std::io::Error::other(TooLarge::Entry { limit: self.entry_limit }));
        }
        if self.export_read.get() > self.export_limit {
            return Err(std::io::Error::other(TooLarge::Export { limit: self.export_limit }));
        }
        Ok(n)
    }
}

/// Where the scan of JSON text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lexeme {
    /// Between strings.
    Outside,
    /// Inside a string, `kept` bytes of it passed on.
    Inside,
    /// Inside a string that grew too long: its bytes are dropped up to its closing quote.
    Dropping,
}

/// Cuts every JSON string longer than `limit` bytes short as the text streams through, at a
/// character boundary so that what is left is still valid JSON, and counts the strings cut.
///
/// It follows only what JSON's strings need (quotes and backslash escapes): a string can
/// never hold a raw quote, so nothing else changes what is inside one.
#[derive(Debug)]
pub(crate) struct StringCap {
    limit: usize,
    state: Lexeme,
    /// Bytes of the current string passed on.
    kept: usize,
    /// Bytes still to come of the escape being read (`\n`: 1, `\u0041`: 5); 0 outside one.
    escape_left: u8,
    /// The value of the `\u` escape being read.
    escape_value: u16,
    /// Whether the last character passed on was the first half of a UTF-16 surrogate pair,
    /// which cannot end a string.
    after_high_surrogate: bool,
    /// Strings cut so far.
    cut: Rc<Cell<u64>>,
}

impl StringCap {
    pub(crate) fn new(limit: usize, cut: Rc<Cell<u64>>) -> StringCap {
        StringCap {
            limit,
            state: Lexeme::Outside,
            kept: 0,
            escape_left: 0,
            escape_value: 0,
            after_high_surrogate: false,
            cut,
        }
    }

    /// Filters `buf` in place, returning how many bytes of it are kept (at its start).
    pub(crate) fn filter(&mut self, buf: &mut [u8]) -> usize {
        let mut out = 0;
        for i in 0..buf.len() {
            let byte = buf[i];
            let keep = match self.state {
                Lexeme::Outside => {
                    if byte == b'"' {
                        self.state = Lexeme::Inside;
                        self.kept = 0;
                        self.escape_left = 0;
                        self.after_high_surrogate = false;
                    }
                    true
                }
                Lexeme::Inside => self.inside(byte),
                Lexeme::Dropping => self.dropping(byte),
            };
            if keep {
                buf[out] = byte;
                out += 1;
            }
        }
        out
    }

    /// Whether a byte of a string being dropped is passed on: only its closing quote is, so
    /// the string ends where it was cut.
    fn dropping(&mut self, byte: u8) -> bool {
        if self.escape_left > 0 {
            self.escape_left -= 1;
            false
        } else if byte == b'\\' {
            self.escape_left = 1;
            false
        } else if byte == b'"' {
            self.state = Lexeme::Outside;
            true
        } else {
            false
        }
    }

    /// Whether a byte inside a string is passed on.
    fn inside(&mut self, byte: u8) -> bool {
        if self.escape_left > 0 {
            self.escape_left -= 1;
            if self.escape_left == 4 && byte != b'u' {
                // A one-character escape such as `\n`.
                self.escape_left = 0;
                self.after_high_surrogate = false;
            } else if self.escape_left < 4 {
                let digit = (byte as char).to_digit(16).unwrap_or(0) as u16;
                self.escape_value = (self.escape_value << 4) | digit;
                if self.escape_left == 0 {
                    self.after_high_surrogate = (0xD800..0xDC00).contains(&self.escape_value);
                }
            }
            self.kept += 1;
            return true;
        }
        if byte == b'"' {
            self.state = Lexeme::Outside;
            return true;
        }
        let starts_character = byte & 0xC0 != 0x80;
        if self.kept >= self.limit && starts_character && !self.after_high_surrogate {
            self.state = Lexeme::Dropping;
            self.cut.set(self.cut.get() + 1);
            if byte == b'\\' {
                self.escape_left = 1;
            }
            return false;
        }
        if byte == b'\\' {
            // `\` then `u` and four digits, or one character; `inside` learns which next.
            self.escape_left = 5;
            self.escape_value = 0;
        } else if starts_character {
            self.after_high_surrogate = false;
        }
        self.kept += 1;
        true
    }
}

/// A reader of JSON text whose strings are cut at a limit (`StringCap`).
pub(crate) struct CappedStrings<R> {
    inner: R,
    cap: StringCap,
}

impl<R: Read> CappedStrings<R> {
    /// `cut` counts the strings cut, for the reader's owner to see.
    pub(crate) fn new(inner: R, limit: usize, cut: Rc<Cell<u64>>) -> CappedStrings<R> {
        CappedStrings { inner, cap: StringCap::new(limit, cut) }
    }
}

impl<R: Read> Read for CappedStrings<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let kept = self.cap.filter(&mut buf[..n]);
            // All of it dropped (the middle of a long string): read on, as 0 would mean the end.
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capped(text: &str, limit: usize) -> (String, u64) {
        let cut = Rc::new(Cell::new(0));
        let mut out = String::new();
        CappedStrings::new(text.as_bytes(), limit, cut.clone()).read_to_string(&mut out).unwrap();
        (out, cut.get())
    }

    #[test]
    fn strings_within_the_limit_pass_unchanged() {
        let text = r#"{"a": "bcd", "e\"f": ["\u00e9\n", 1]}"#;
        assert_eq!(capped(text, 8), (text.to_string(), 0));
    }

    #[test]
    fn a_long_string_is_cut_and_the_json_stays_valid() {
        let (out, cut) = capped(r#"[{"text": "abcdefgh\"ij"}, {"text": "ok"}]"#, 4);
        assert_eq!(cut, 1);
        assert_eq!(out, r#"[{"text": "abcd"}, {"text": "ok"}]"#);
    }

    #[test]
    fn a_cut_never_splits_a_character_an_escape_or_a_surrogate_pair() {
        for text in [r#"["ééééé"]"#, r#"["\u00e9\u00e9\u00e9"]"#, r#"["\ud83d\ude00\ud83d\ude00\ud83d\ude00"]"#] {
            for limit in 0..12 {
                let (out, _) = capped(text, limit);
                let value: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out}: {e}"));
                assert!(value[0].is_string(), "{out}");
            }
        }
    }

    #[test]
    fn an_entry_past_its_limit_is_an_error_naming_the_limit() {
        let export = Rc::new(Cell::new(0));
        let mut entry = Unzipped::new(&[7u8; 100][..], 10, export.clone(), 1000);
        let err = std::io::copy(&mut entry, &mut std::io::sink()).unwrap_err();
        assert_eq!(TooLarge::of(&err), Some(&TooLarge::Entry { limit: 10 }));
        assert!(export.get() <= 11, "read no more than a byte past the limit");
    }

    #[test]
    fn entries_together_past_the_export_limit_are_an_error() {
        let export = Rc::new(Cell::new(0));
        let mut first = Unzipped::new(&[7u8; 60][..], 100, export.clone(), 100);
        std::io::copy(&mut first, &mut std::io::sink()).unwrap();
        let mut second = Unzipped::new(&[7u8; 60][..], 100, export.clone(), 100);
        let err = std::io::copy(&mut second, &mut std::io::sink()).unwrap_err();
        assert_eq!(TooLarge::of(&err), Some(&TooLarge::Export { limit: 100 }));
    }
}
