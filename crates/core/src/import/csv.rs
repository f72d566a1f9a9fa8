//! Our generic CSV format: a header naming the columns `time,source,kind,actor,text` (in any
//! order; `key_moment`, `id`, `incident` and `service` may be added, `source` and `actor`
//! left out), then one event per row, read row by row. The field rules are the generic
//! JSON Lines ones (`jsonl::GenericEvent`).
//!
//! A header without `time`, `kind` and `text` makes the whole file unreadable; a bad row is
//! rejected by its line number.

use std::io::BufRead;

use serde_json::{Map, Value};

use super::jsonl::GenericEvent;
use super::record::{Emitter, ImportError, ImportStats, Record};
use super::{Format, Importer};

/// Reads our generic CSV.
pub(crate) struct CsvImporter;

const COLUMNS: [&str; 9] = ["time", "source", "kind", "actor", "text", "key_moment", "id", "incident", "service"];

impl Importer for CsvImporter {
    fn format(&self) -> Format {
        Format::Csv
    }

    fn import(
        &self,
        input: &mut dyn BufRead,
        origin: &str,
        sink: &mut dyn FnMut(Record),
    ) -> Result<ImportStats, ImportError> {
        let mut emitter = Emitter::new(sink);
        let mut reader = ::csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
        let header = match reader.byte_headers() {
            Ok(header) => header.clone(),
            Err(e) => return Err(csv_error(origin, e)),
        };
        if header.is_empty() {
            return Ok(emitter.finish());
        }
        let names: Vec<String> = header
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().trim_start_matches('\u{feff}').to_lowercase())
            .collect();
        let column = |name: &str| names.iter().position(|n| n == name);
        let positions: Vec<Option<usize>> = COLUMNS.iter().map(|c| column(c)).collect();
        let missing: Vec<&str> = ["time", "kind", "text"].into_iter().filter(|c| column(c).is_none()).collect();
        if !missing.is_empty() {
            return Err(ImportError::unrecognised(
                origin,
                format!(
                    "the CSV header must name the columns time, source, kind, actor, text; {} missing (found: {})",
                    missing.join(", "),
                    names.join(", ")
                ),
            ));
        }

        let mut row = ::csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut row) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    if matches!(e.kind(), ::csv::ErrorKind::Io(_)) {
                        return Err(csv_error(origin, e));
                    }
                    emitter.reject_at(format!("{origin}: line {line}"), format!("not valid CSV: {e}"));
                    continue;
                }
            }
            let line = row.position().map(|p| p.line()).unwrap_or(0);
            let location = format!("{origin}: line {line}");
            if row.iter().all(|cell| cell.trim_ascii().is_empty()) {
                continue;
            }
            if row.len() != names.len() {
                let reason = format!("has {} fields, the header has {}", row.len(), names.len());
                emitter.reject_at(location, reason);
                continue;
            }
            let mut cells: Vec<Option<String>> = Vec::with_capacity(COLUMNS.len());
            let mut bad_cell = None;
            for (name, position) in COLUMNS.iter().zip(&positions) {
                let cell = position.and_then(|p| row.get(p));
                match cell.map(|c| std::str::from_utf8(c).map(str::to_string)) {
                    Some(Ok(text)) => cells.push(Some(text)),
                    Some(Err(_)) => {
                        bad_cell = Some(format!("{name} is not UTF-8 text"));
                        break;
                    }
                    None => cells.push(None),
                }
            }
            if let Some(reason) = bad_cell {
                emitter.reject_at(location, reason);
                continue;
            }
            let raw = Value::Object(
                names
                    .iter()
                    .zip(row.iter())
                    .map(|(name, cell)| (name.clone(), Value::String(String::from_utf8_lossy(cell).into_owned())))
                    .collect::<Map<String, Value>>(),
            );
            let mut cells = cells.into_iter();
            let mut next = || cells.next().flatten();
            let event = GenericEvent {
                time: next(),
                source: next(),
                kind: next(),
                actor: next(),
                text: next(),
                key_moment: next(),
                id: next(),
                incident: next(),
                service: next(),
            };
            let at = super::record::Location::document(&location, "$");
            match event.into_record() {
                Ok(mut record) => {
                    record.raw = raw;
                    emitter.record(&at, record);
                }
                Err(reason) => emitter.reject(&at, reason),
            }
        }
        Ok(emitter.finish())
    }
}

fn csv_error(origin: &str, error: ::csv::Error) -> ImportError {
    match error.into_kind() {
        ::csv::ErrorKind::Io(e) => ImportError::read(origin, e),
        other => ImportError::unrecognised(origin, format!("not valid CSV: {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use crate::import::{Format, ImportError, import_to_vec};
    use crate::model::EventKind;

    #[test]
    fn columns_may_come_in_any_order() {
        let input = "text,kind,time\n\"Paged, then acked\",page,2026-03-01T10:00:00Z\n";
        let (records, stats) = import_to_vec(Format::Csv, &mut input.as_bytes(), "t.csv").unwrap();
        assert_eq!(stats.imported, 1);
        assert_eq!(records[0].kind, EventKind::Page);
        assert_eq!(records[0].text, "Paged, then acked");
    }

    #[test]
    fn a_header_without_time_is_unreadable() {
        let input = "when,kind,text\n";
        let err = import_to_vec(Format::Csv, &mut input.as_bytes(), "t.csv").unwrap_err();
        assert!(matches!(err, ImportError::Unrecognised { .. }), "{err}");
    }

    #[test]
    fn a_short_row_is_rejected_by_line() {
        let input =
            "time,source,kind,actor,text\n2026-03-01T10:00:00Z,manual,note\n2026-03-01T10:01:00Z,manual,note,,ok\n";
        let (records, stats) = import_to_vec(Format::Csv, &mut input.as_bytes(), "t.csv").unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(stats.rejections[0].location, "t.csv: line 2");
    }
}
