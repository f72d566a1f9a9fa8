//! Importers: read what the tools that saw an incident recorded (PagerDuty, Alertmanager,
//! Grafana, Opsgenie, GitHub deployments, a Slack export, or our own JSON Lines and CSV) and
//! turn each record into a timeline event with the keys that de-duplicate and correlate it.
//!
//! Every importer streams: it reads one record at a time (JSON Lines line by line, big
//! arrays element by element, CSV row by row) and hands each to a sink, so memory stays flat
//! however large the input. A record it cannot read is rejected with its location and the
//! import goes on; nothing in an input makes it panic. Merging records into one timeline
//! and suggesting the key moments is `timeline_build`'s job; telling which records of one
//! import belong together `episodes`'; storing them is the store's.
//!
//! The Slack export is a folder (or a zip) rather than one stream, so it has its own entry
//! point, [`import_slack_export`]; it is the one place in this crate that opens files.

mod alertmanager;
mod csv;
mod episodes;
mod fields;
mod github;
mod grafana;
mod json_stream;
mod jsonl;
mod limits;
mod opsgenie;
mod pagerduty_log;
mod pagerduty_webhook;
mod record;
mod slack;
mod sniff;
mod stored;
mod timeline_build;

use std::io::BufRead;

pub use episodes::{EPISODE_GAP, Episodes, MAX_EPISODES};
pub use limits::{MAX_JSON_STRING, MAX_UNZIPPED_ENTRY, MAX_UNZIPPED_EXPORT, TooLarge};
pub use record::{Correlation, ImportError, ImportStats, MAX_KEPT_REJECTIONS, Record, Rejected, content_id};
pub use slack::{SlackExportFiles, SlackOptions, import_slack_export, import_slack_files};
pub use sniff::{SNIFF_BYTES, describe, guess_format, wrong_format_hint};
pub use stored::{StoredEvent, record_from_stored, stored_correlation};
pub use timeline_build::{
    ALERT_DUPLICATE_WINDOW, DUPLICATE_LOOKBACK, Duplicates, FINGERPRINT_SOURCES, KeyMomentsSuggestion, PAGING_SOURCES,
    REPEAT_WINDOW, SuggestedMoment, build_timeline, key_moments,
};

use crate::model::word_enum;

word_enum! {
    /// An input format an importer reads, by its command-line name.
    Format {
        /// PagerDuty Webhooks V3: one `{"event": …}` object, or JSON Lines of them.
        PagerDutyWebhook = "pagerduty-webhook",
        /// PagerDuty REST API v2 incident log entries (`{"log_entries": […], "more": …}`).
        PagerDutyLog = "pagerduty-log",
        /// Prometheus Alertmanager webhook, version 4.
        Alertmanager = "alertmanager",
        /// Grafana unified-alerting webhook.
        Grafana = "grafana",
        /// Opsgenie outgoing webhook (alert actions).
        Opsgenie = "opsgenie",
        /// A Slack workspace export; through `Importer`, one `<channel>/<day>.json` file.
        SlackExport = "slack-export",
        /// GitHub `deployment` and `deployment_status` webhooks.
        GitHub = "github",
        /// Our generic JSON Lines: `time`, `source`, `kind`, `actor`, `text`, `key_moment`.
        Jsonl = "jsonl",
        /// Our generic CSV: header `time,source,kind,actor,text`.
        Csv = "csv",
    }
}

/// Reads one input format into records.
pub trait Importer {
    /// The format this importer reads.
    fn format(&self) -> Format;

    /// Reads `input` (named `origin` in rejections and notes) record by record, handing each
    /// record to `sink` as soon as it is read.
    ///
    /// Bad records are rejected in the returned stats; an error means the input could not be
    /// read at all (an I/O error, or an input that is not this format as a whole).
    fn import(
        &self,
        input: &mut dyn BufRead,
        origin: &str,
        sink: &mut dyn FnMut(Record),
    ) -> Result<ImportStats, ImportError>;
}

/// The importer for a format.
pub fn importer(format: Format) -> Box<dyn Importer> {
    match format {
        Format::PagerDutyWebhook => Box::new(pagerduty_webhook::PagerDutyWebhookImporter),
        Format::PagerDutyLog => Box::new(pagerduty_log::PagerDutyLogImporter),
        Format::Alertmanager => Box::new(alertmanager::AlertmanagerImporter),
        Format::Grafana => Box::new(grafana::GrafanaImporter),
        Format::Opsgenie => Box::new(opsgenie::OpsgenieImporter),
        Format::SlackExport => Box::new(slack::SlackDayImporter),
        Format::GitHub => Box::new(github::GitHubImporter),
        Format::Jsonl => Box::new(jsonl::JsonlImporter),
        Format::Csv => Box::new(self::csv::CsvImporter),
    }
}

/// Reads all of `input` into a vector: for inputs known to be small (a webhook body, a test).
pub fn import_to_vec(
    format: Format,
    input: &mut dyn BufRead,
    origin: &str,
) -> Result<(Vec<Record>, ImportStats), ImportError> {
    let mut records = Vec::new();
    let stats = importer(format).import(input, origin, &mut |r| records.push(r))?;
    Ok((records, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_read_and_write_their_cli_names() {
        for format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>().unwrap(), *format);
            assert_eq!(importer(*format).format(), *format);
        }
        assert_eq!("pagerduty-log".parse::<Format>().unwrap(), Format::PagerDutyLog);
        let err = "pagerduty".parse::<Format>().unwrap_err();
        assert!(err.to_string().contains("pagerduty-webhook"), "{err}");
    }
}
