//! Invariants of importing and timeline building, over arbitrary inputs: no input makes an
//! importer panic (arbitrary bytes, and realistic inputs cut or corrupted anywhere); the
//! importers stream (records reach the sink long before the input ends); building a
//! timeline does not depend on the order of its records and building twice is building once.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use hindsight_core::import::{
    Correlation, Format, ImportStats, Record, SlackExportFiles, SlackOptions, build_timeline, import_slack_files,
    importer, key_moments,
};
use hindsight_core::{EventKind, KeyMoment};
use proptest::prelude::*;
use time::{Duration, OffsetDateTime, UtcOffset};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)).unwrap()
}

/// Imports `bytes`, checking the counts agree with what reached the sink.
fn import_checked(format: Format, bytes: &[u8]) {
    let mut seen = 0u64;
    if let Ok(stats) = importer(format).import(&mut &bytes[..], "fuzz", &mut |_| seen += 1) {
        assert_eq!(stats.imported, seen);
        assert!(stats.rejections.len() as u64 <= stats.rejected);
    }
}

/// A realistic input cut short, with a few bytes replaced and a few inserted.
fn corrupted(original: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = original.len().max(1);
    (0..=len, prop::collection::vec((0..len, any::<u8>(), any::<bool>()), 0..8)).prop_map(move |(cut, edits)| {
        let mut bytes = original.clone();
        bytes.truncate(cut);
        for (at, byte, insert) in edits {
            let at = at.min(bytes.len());
            if insert || at == bytes.len() {
                bytes.insert(at, byte);
            } else {
                bytes[at] = byte;
            }
        }
        bytes
    })
}

macro_rules! never_panics {
    ($name:ident, $format:expr, $fixture:expr) => {
        mod $name {
            use super::*;

            proptest! {
                #![proptest_config(ProptestConfig::with_cases(256))]

                #[test]
                fn on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
                    import_checked($format, &bytes);
                }

                #[test]
                fn on_arbitrary_text(text in "[ -~\n\t{}\\[\\]\":,]{0,600}") {
                    import_checked($format, text.as_bytes());
                }

                #[test]
                fn on_a_corrupted_realistic_input(bytes in corrupted(fixture($fixture))) {
                    import_checked($format, &bytes);
                }
            }
        }
    };
}

never_panics!(pagerduty_webhook, Format::PagerDutyWebhook, "pagerduty_webhook.jsonl");
never_panics!(pagerduty_log, Format::PagerDutyLog, "pagerduty_log_page.json");
never_panics!(alertmanager, Format::Alertmanager, "alertmanager.jsonl");
never_panics!(grafana, Format::Grafana, "grafana.jsonl");
never_panics!(opsgenie, Format::Opsgenie, "opsgenie.jsonl");
never_panics!(github, Format::GitHub, "github.jsonl");
never_panics!(slack_day, Format::SlackExport, "slack_export/inc-1842-checkout/2026-11-20.json");
never_panics!(jsonl, Format::Jsonl, "events.jsonl");
never_panics!(csv, Format::Csv, "events.csv");

/// A Slack export held in memory.
struct MemoryExport(HashMap<String, Vec<u8>>);

impl SlackExportFiles for MemoryExport {
    fn day_files(&mut self) -> std::io::Result<Vec<(String, String)>> {
        Ok(self
            .0
            .keys()
            .filter_map(|path| path.split_once('/').map(|(channel, _)| (channel.to_string(), path.clone())))
            .collect())
    }

    fn open(&mut self, path: &str) -> std::io::Result<Option<Box<dyn BufRead + '_>>> {
        Ok(self.0.get(path).map(|bytes| Box::new(bytes.as_slice()) as Box<dyn BufRead>))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_corrupted_slack_export_never_panics(
        users in corrupted(fixture("slack_export/users.json")),
        channels in corrupted(fixture("slack_export/channels.json")),
        day in corrupted(fixture("slack_export/inc-1842-checkout/2026-11-20.json")),
        noise in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let files = HashMap::from([
            ("users.json".to_string(), users),
            ("channels.json".to_string(), channels),
            ("inc-1842-checkout/2026-11-20.json".to_string(), day),
            ("inc-1842-checkout/2026-11-21.json".to_string(), noise),
        ]);
        let mut seen = 0u64;
        let stats = import_slack_files(&mut MemoryExport(files), "mem", &SlackOptions::default(), &mut |_| seen += 1);
        if let Ok(stats) = stats {
            prop_assert_eq!(stats.imported, seen);
        }
    }
}

// Streaming: an input generated on the fly, far larger than what may be read ahead.

/// Serves `head`, then `count` copies of `item` (joined by `separator`), then `tail`,
/// counting the bytes served.
struct Generated {
    parts: Box<dyn Iterator<Item = Vec<u8>>>,
    current: Vec<u8>,
    offset: usize,
    served: Rc<Cell<usize>>,
}

impl Generated {
    fn new(head: &str, item: String, separator: &str, count: usize, tail: &str, served: Rc<Cell<usize>>) -> Generated {
        let separator = separator.as_bytes().to_vec();
        let items = (0..count).flat_map(move |i| {
            let item = item.replace("{i}", &i.to_string()).into_bytes();
            if i == 0 { vec![item] } else { vec![separator.clone(), item] }
        });
        let parts =
            std::iter::once(head.as_bytes().to_vec()).chain(items).chain(std::iter::once(tail.as_bytes().to_vec()));
        Generated { parts: Box::new(parts), current: Vec::new(), offset: 0, served }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.offset == self.current.len() {
            match self.parts.next() {
                Some(next) => {
                    self.current = next;
                    self.offset = 0;
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.offset);
        buf[..n].copy_from_slice(&self.current[self.offset..self.offset + n]);
        self.offset += n;
        self.served.set(self.served.get() + n);
        Ok(n)
    }
}

/// Imports a generated input and returns the stats and how many bytes had been read when
/// the first record reached the sink, and in total.
fn first_record_after(
    format: Format,
    head: &str,
    item: &str,
    separator: &str,
    count: usize,
    tail: &str,
) -> (ImportStats, usize, usize) {
    let served = Rc::new(Cell::new(0));
    let input = Generated::new(head, item.to_string(), separator, count, tail, served.clone());
    let mut reader = BufReader::new(input);
    let mut first = None;
    let stats = importer(format)
        .import(&mut reader, "generated", &mut |_| {
            first.get_or_insert(served.get());
        })
        .unwrap();
    (stats, first.unwrap(), served.get())
}

const LOG_ENTRY: &str = r#"{"id":"R{i}","type":"notify_log_entry","summary":"Notified Ana Lima by SMS","created_at":"2026-11-20T14:06:26Z","incident":{"id":"Q1","summary":"[#7] x"},"channel":{"type":"auto"}}"#;

#[test]
fn a_large_pagerduty_log_page_is_read_entry_by_entry() {
    let (stats, first, total) = first_record_after(
        Format::PagerDutyLog,
        "{\"log_entries\": [\n",
        LOG_ENTRY,
        ",\n",
        50_000,
        "\n], \"more\": false}",
    );
    assert_eq!(stats.imported, 50_000);
    assert!(first < 64 * 1024 && total > 100 * first, "first record after {first} of {total} bytes");
}

#[test]
fn a_large_minified_pagerduty_log_page_on_one_line_is_streamed_too() {
    let (stats, first, total) =
        first_record_after(Format::PagerDutyLog, "{\"log_entries\":[", LOG_ENTRY, ",", 50_000, "],\"more\":false}");
    assert_eq!(stats.imported, 50_000);
    assert!(total > 4 * first, "first record after {first} of {total} bytes");
}

#[test]
fn large_json_lines_are_read_line_by_line() {
    let line = r#"{"time":"2026-11-20T14:06:26Z","kind":"note","text":"note {i}","id":"{i}"}"#;
    let (stats, first, total) = first_record_after(Format::Jsonl, "", line, "\n", 50_000, "\n");
    assert_eq!(stats.imported, 50_000);
    assert!(first < 64 * 1024 && total > 100 * first, "first record after {first} of {total} bytes");
}

#[test]
fn a_large_slack_day_is_read_message_by_message() {
    let message = r#"{"type":"message","user":"U1","text":"message {i}","ts":"1795183681.{i}"}"#;
    let (stats, first, total) = first_record_after(Format::SlackExport, "[\n", message, ",\n", 50_000, "\n]\n");
    assert_eq!(stats.imported, 50_000);
    assert!(first < 64 * 1024 && total > 100 * first, "first record after {first} of {total} bytes");
}

#[test]
fn a_large_csv_is_read_row_by_row() {
    let row = "2026-11-20T14:06:26Z,manual,note,ana,row {i}";
    let (stats, first, total) =
        first_record_after(Format::Csv, "time,source,kind,actor,text\n", row, "\n", 50_000, "\n");
    assert_eq!(stats.imported, 50_000);
    assert!(first < 64 * 1024 && total > 100 * first, "first record after {first} of {total} bytes");
}

// Timeline building.

fn record_strategy() -> impl Strategy<Value = Record> {
    let kinds = prop::sample::select(vec![
        EventKind::Alert,
        EventKind::Page,
        EventKind::Acknowledgement,
        EventKind::Escalation,
        EventKind::Message,
        EventKind::StatusUpdate,
        EventKind::Rollback,
    ]);
    let moments = prop::option::of(prop::sample::select(KeyMoment::ALL.to_vec()));
    (
        (0i64..40, prop::sample::select(vec![0i32, 3600, -5 * 3600])),
        prop::sample::select(vec!["pagerduty", "alertmanager", "grafana", "slack"]),
        kinds,
        prop::option::of(prop::sample::select(vec!["Ana", "Bo"])),
        prop::sample::select(vec!["firing", "Notified Ana by SMS", "rolled back", "customers see errors"]),
        moments,
        0u8..12,
        (
            prop::option::of(prop::sample::select(vec!["I1", "I2"])),
            prop::option::of(prop::sample::select(vec!["fp1", "fp2"])),
        ),
        any::<bool>(),
    )
        .prop_map(|((minute, offset), source, kind, actor, text, key_moment, id, (incident, fingerprint), raw)| {
            let offset = UtcOffset::from_whole_seconds(offset).unwrap();
            Record {
                occurred_at: (OffsetDateTime::UNIX_EPOCH + Duration::days(20_000) + Duration::minutes(minute))
                    .to_offset(offset),
                source: source.to_string(),
                kind,
                actor: actor.map(str::to_string),
                text: text.to_string(),
                key_moment,
                external_id: format!("{source}:{id}"),
                correlation: Correlation {
                    incident_id: incident.map(str::to_string),
                    fingerprint: fingerprint.map(str::to_string),
                    ..Correlation::default()
                },
                raw: serde_json::json!({"raw": raw}),
            }
        })
}

fn records_and_shuffled() -> impl Strategy<Value = (Vec<Record>, Vec<Record>)> {
    prop::collection::vec(record_strategy(), 0..40).prop_flat_map(|records| {
        let shuffled = Just(records.clone()).prop_shuffle();
        (Just(records), shuffled)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn building_a_timeline_does_not_depend_on_input_order((records, shuffled) in records_and_shuffled()) {
        prop_assert_eq!(build_timeline(records), build_timeline(shuffled));
    }

    #[test]
    fn building_a_timeline_twice_is_building_it_once(records in prop::collection::vec(record_strategy(), 0..40)) {
        let once = build_timeline(records);
        let twice = build_timeline(once.clone());
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn a_timeline_is_ordered_with_unique_ids(records in prop::collection::vec(record_strategy(), 0..40)) {
        let timeline = build_timeline(records);
        for pair in timeline.windows(2) {
            let key = |r: &Record| (r.occurred_at, r.source.clone(), r.external_id.clone());
            prop_assert!(key(&pair[0]) < key(&pair[1]), "{:?} then {:?}", key(&pair[0]), key(&pair[1]));
        }
    }

    #[test]
    fn key_moments_do_not_depend_on_input_order((records, shuffled) in records_and_shuffled()) {
        prop_assert_eq!(key_moments(&records), key_moments(&shuffled));
    }
}
