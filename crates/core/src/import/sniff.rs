//! Telling which format an input looks like from its first bytes, so that an import in the
//! wrong format can say which one to choose instead of only rejecting every record.
//!
//! A guess from the names the formats' fields carry, not a parse: it only ever adds a hint.

use super::Format;

/// How much of an input the guess looks at.
pub const SNIFF_BYTES: usize = 64 << 10;

/// The format `head` (the first bytes of an input) looks like, if any is clear.
pub fn guess_format(head: &[u8]) -> Option<Format> {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    if head.starts_with(b"PK\x03\x04") {
        return Some(Format::SlackExport);
    }
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let has = |key: &str| text.contains(&format!("\"{key}\""));
    if text.starts_with('{') || text.starts_with('[') {
        return if has("log_entries") {
            Some(Format::PagerDutyLog)
        } else if has("event") && has("event_type") {
            Some(Format::PagerDutyWebhook)
        } else if has("alerts") && (has("orgId") || has("dashboardURL") || has("panelURL")) {
            Some(Format::Grafana)
        } else if has("alerts") && (has("groupKey") || has("receiver")) {
            Some(Format::Alertmanager)
        } else if has("alert") && has("action") {
            Some(Format::Opsgenie)
        } else if has("deployment") {
            Some(Format::GitHub)
        } else if has("ts") && has("type") && text.contains("\"message\"") {
            Some(Format::SlackExport)
        } else if has("time") && has("kind") {
            Some(Format::Jsonl)
        } else {
            None
        };
    }
    let header = text.lines().next().unwrap_or("").to_lowercase();
    let columns: Vec<&str> = header.split(',').map(|c| c.trim().trim_matches('"')).collect();
    ["time", "kind", "text"].iter().all(|c| columns.contains(c)).then_some(Format::Csv)
}

/// What a format's files are, in a sentence: "a PagerDuty log entries file".
pub fn describe(format: Format) -> &'static str {
    match format {
        Format::PagerDutyWebhook => "PagerDuty webhook events (V3)",
        Format::PagerDutyLog => "a PagerDuty log entries file (REST API)",
        Format::Alertmanager => "an Alertmanager webhook notification",
        Format::Grafana => "a Grafana alerting webhook notification",
        Format::Opsgenie => "an Opsgenie webhook",
        Format::SlackExport => "a Slack export",
        Format::GitHub => "GitHub deployment webhooks",
        Format::Jsonl => "Hindsight's JSON Lines (time, kind, text on each line)",
        Format::Csv => "Hindsight's CSV (columns time, source, kind, actor, text)",
    }
}

/// The hint for an input read as `chosen` that looks like another format, if it does.
pub fn wrong_format_hint(origin: &str, chosen: Format, head: &[u8]) -> Option<String> {
    let looks = guess_format(head).filter(|guess| *guess != chosen)?;
    Some(format!(
        "{origin} looks like {}, not {}: import it with the format {looks}",
        describe(looks),
        describe(chosen)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/import/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn each_sample_looks_like_its_format() {
        let samples = [
            ("pagerduty_log_page.json", Format::PagerDutyLog),
            ("pagerduty_webhook.jsonl", Format::PagerDutyWebhook),
            ("pagerduty_webhook_reassigned.json", Format::PagerDutyWebhook),
            ("alertmanager.jsonl", Format::Alertmanager),
            ("alertmanager_firing.json", Format::Alertmanager),
            ("grafana.jsonl", Format::Grafana),
            ("opsgenie.jsonl", Format::Opsgenie),
            ("opsgenie_create.json", Format::Opsgenie),
            ("github.jsonl", Format::GitHub),
            ("github_deployment.json", Format::GitHub),
            ("slack_export.zip", Format::SlackExport),
            ("slack_export/support-escalations/2026-11-20.json", Format::SlackExport),
            ("events.jsonl", Format::Jsonl),
            ("events.csv", Format::Csv),
        ];
        for (name, format) in samples {
            assert_eq!(guess_format(&fixture(name)), Some(format), "{name}");
        }
    }

    #[test]
    fn a_file_in_another_format_gets_a_hint_naming_it() {
        let hint = wrong_format_hint("log.json", Format::Alertmanager, &fixture("pagerduty_log_page.json")).unwrap();
        assert_eq!(
            hint,
            "log.json looks like a PagerDuty log entries file (REST API), not an Alertmanager webhook \
             notification: import it with the format pagerduty-log"
        );
        assert_eq!(wrong_format_hint("e.jsonl", Format::Jsonl, &fixture("events.jsonl")), None);
        assert_eq!(guess_format(b"hello"), None);
    }
}
