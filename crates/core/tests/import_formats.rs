//! The importers on realistic inputs, one incident (checkout-api failing after the 4.2.0
//! deploy, incident #1842) as every tool saw it, malformed records included: bad JSON lines,
//! missing fields and wrong types are rejected with their location and the rest imported.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

use std::path::{Path, PathBuf};

use hindsight_core::import::{
    Format, ImportError, ImportStats, Record, SlackOptions, build_timeline, import_slack_export, import_to_vec,
    importer, key_moments,
};
use hindsight_core::{DetectionMethod, EventKind, KeyMoment, ValidationErrors};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)
}

fn import(format: Format, name: &str) -> (Vec<Record>, ImportStats) {
    let bytes = std::fs::read(fixture(name)).unwrap();
    import_to_vec(format, &mut bytes.as_slice(), name).unwrap()
}

fn rejections(stats: &ImportStats) -> Vec<String> {
    stats.rejections.iter().map(|r| r.location.clone()).collect()
}

fn kinds(records: &[Record]) -> Vec<(EventKind, Option<KeyMoment>)> {
    records.iter().map(|r| (r.kind, r.key_moment)).collect()
}

fn slack_export(name: &str, options: &SlackOptions) -> (Vec<Record>, ImportStats) {
    let mut records = Vec::new();
    let stats = import_slack_export(&fixture(name), options, &mut |r| records.push(r)).unwrap();
    (records, stats)
}

#[test]
fn pagerduty_webhook_lines_import_around_broken_lines() {
    let (records, stats) = import(Format::PagerDutyWebhook, "pagerduty_webhook.jsonl");
    assert_eq!(stats.imported, 6);
    assert_eq!(
        rejections(&stats),
        ["pagerduty_webhook.jsonl: line 4", "pagerduty_webhook.jsonl: line 6", "pagerduty_webhook.jsonl: line 8"]
    );
    assert!(stats.rejections[0].reason.contains("ends inside a JSON value"), "{}", stats.rejections[0]);
    assert_eq!(stats.rejections[1].reason, "missing field occurred_at");
    assert_eq!(stats.rejections[2].reason, "event_type must be a string, found a number");
    assert_eq!(stats.skipped, 1, "service.updated is not about an incident");
    assert_eq!(records.len() as u64, stats.imported);
}

#[test]
fn pagerduty_webhook_events_map_to_kinds_and_key_moments() {
    let (records, _) = import(Format::PagerDutyWebhook, "pagerduty_webhook.jsonl");
    assert_eq!(
        kinds(&records),
        [
            (EventKind::Alert, Some(KeyMoment::Detection)),
            (EventKind::Acknowledgement, Some(KeyMoment::Acknowledgement)),
            (EventKind::StatusUpdate, None),
            (EventKind::Escalation, Some(KeyMoment::Escalation)),
            (EventKind::Note, None),
            (EventKind::StatusUpdate, Some(KeyMoment::Resolution)),
        ]
    );
    let trigger = &records[0];
    assert_eq!(trigger.source, "pagerduty");
    assert_eq!(trigger.external_id, "pagerduty:01F8ZQ3C9Y2K7W6T5R4E3D2C1B");
    assert_eq!(trigger.correlation.incident_id.as_deref(), Some("Q1XK8J2M4N6P0R"));
    assert_eq!(trigger.correlation.incident_number, Some(1842));
    assert_eq!(trigger.correlation.service.as_deref(), Some("checkout-api"));
    assert_eq!(trigger.raw["event"]["id"], "01F8ZQ3C9Y2K7W6T5R4E3D2C1B", "the raw payload is the delivery");
    assert_eq!(records[1].text, "Acknowledged by Ana Lima");
    assert_eq!(records[4].text, "Suspect the DB pool change in 4.2.0 (max 20 -> 4). Rolling back to 4.1.3.");
}

#[test]
fn a_pretty_printed_pagerduty_webhook_is_one_event() {
    let (records, stats) = import(Format::PagerDutyWebhook, "pagerduty_webhook_reassigned.json");
    assert_eq!((stats.imported, stats.rejected), (1, 0));
    assert_eq!(records[0].kind, EventKind::StatusUpdate, "a reassignment is not an escalation");
    assert_eq!(records[0].text, "Reassigned to Bruno Costa by Ana Lima");
}

#[test]
fn pagerduty_log_page_streams_its_entries_and_says_more_pages_follow() {
    let (records, stats) = import(Format::PagerDutyLog, "pagerduty_log_page.json");
    assert_eq!(stats.imported, 7);
    assert_eq!(rejections(&stats), ["pagerduty_log_page.json: $.log_entries[3]"]);
    assert_eq!(stats.rejections[0].reason, "created_at must be an RFC 3339 time, found a number");
    assert_eq!(stats.skipped, 1, "the trigger_log_entry_reference has no time");
    assert!(stats.notes.iter().any(|n| n.contains("offset=9")), "{:?}", stats.notes);
    let by_type: Vec<EventKind> = records.iter().map(|r| r.kind).collect();
    assert_eq!(
        by_type,
        [
            EventKind::StatusUpdate,
            EventKind::Note,
            EventKind::Escalation,
            EventKind::Acknowledgement,
            EventKind::Page,
            EventKind::Page,
            EventKind::Alert
        ]
    );
    assert_eq!(records[0].text, "Resolved by Ana Lima: Rolled back to 4.1.3; error rate back to baseline");
    assert_eq!(records[1].text, "Suspect the DB pool change in 4.2.0 (max 20 -> 4). Rolling back to 4.1.3.");
    assert_eq!(records[6].text, "Triggered through the API: [FIRING:1] CheckoutHighErrorRate checkout-api (critical)");
    assert!(records.iter().all(|r| r.correlation.incident_number == Some(1842)));
}

#[test]
fn a_truncated_pagerduty_log_keeps_the_entries_before_the_cut() {
    let (records, stats) = import(Format::PagerDutyLog, "pagerduty_log_truncated.json");
    assert_eq!(records.len(), 2);
    assert_eq!(rejections(&stats), ["pagerduty_log_truncated.json: line 96"]);
}

#[test]
fn alertmanager_lines_give_alerts_and_resolutions() {
    let (records, stats) = import(Format::Alertmanager, "alertmanager.jsonl");
    assert_eq!(stats.imported, 7);
    assert_eq!(
        rejections(&stats),
        ["alertmanager.jsonl: line 2, $.alerts[1]", "alertmanager.jsonl: line 3", "alertmanager.jsonl: line 5"]
    );
    assert_eq!(stats.rejections[0].reason, "startsAt is not an RFC 3339 time: \"20 Nov 2026 14:06\"");
    assert_eq!(stats.rejections[2].reason, "alerts must be an array, found an object");

    let timeline = build_timeline(records);
    let summary: Vec<(EventKind, String)> =
        timeline.iter().map(|r| (r.kind, r.occurred_at.time().to_string())).collect();
    assert_eq!(
        summary,
        [
            (EventKind::Alert, "14:06:00.112".to_string()),
            (EventKind::Alert, "14:07:30.551".to_string()),
            (EventKind::StatusUpdate, "14:36:00.112".to_string()),
            (EventKind::StatusUpdate, "14:38:30.551".to_string()),
        ],
        "the re-sent notification and the resolved one's copy of the alert are one alert"
    );
    assert_eq!(
        timeline[0].text,
        "CheckoutHighErrorRate firing (critical): 5xx ratio on checkout-api above 5% (currently 23%)"
    );
    assert_eq!(timeline[0].correlation.fingerprint.as_deref(), Some("3f6b1c0d9e2a4b77"));
    assert_eq!(timeline[1].correlation.service.as_deref(), Some("payments-gateway"));
}

#[test]
fn a_pretty_printed_alertmanager_notification_gives_each_alert() {
    let (records, stats) = import(Format::Alertmanager, "alertmanager_firing.json");
    assert_eq!((stats.imported, stats.rejected), (2, 0));
    assert!(records.iter().all(|r| r.kind == EventKind::Alert && r.raw["labels"]["alertname"].is_string()));
}

#[test]
fn grafana_keeps_offsets_and_rejects_the_legacy_webhook() {
    let (records, stats) = import(Format::Grafana, "grafana.jsonl");
    assert_eq!(rejections(&stats), ["grafana.jsonl: line 2"]);
    let timeline = build_timeline(records);
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[0].occurred_at.offset().whole_hours(), 1);
    assert_eq!(
        timeline[0].text,
        "CheckoutErrorBudgetBurn firing: Error budget of checkout-api burning 14x faster than allowed [A=14.2, C=1]"
    );
    assert_eq!(timeline[1].kind, EventKind::StatusUpdate);
}

#[test]
fn opsgenie_actions_are_timed_by_their_own_clock_units() {
    let (records, stats) = import(Format::Opsgenie, "opsgenie.jsonl");
    assert_eq!(rejections(&stats), ["opsgenie.jsonl: line 3", "opsgenie.jsonl: line 6"]);
    assert_eq!(stats.rejections[1].reason, "alert.updatedAt is not an epoch time: \"soon\"");
    let times: Vec<String> = records.iter().map(|r| r.occurred_at.to_string()).collect();
    assert_eq!(
        times,
        [
            "2026-11-20 14:06:40.417 +00:00:00",
            "2026-11-20 14:09:30.221004118 +00:00:00",
            "2026-11-20 14:26:15.660120331 +00:00:00",
            "2026-11-20 14:21:07.1 +00:00:00",
            "2026-11-20 15:03:00.9 +00:00:00",
        ]
    );
    assert_eq!(
        kinds(&records),
        [
            (EventKind::Alert, Some(KeyMoment::Detection)),
            (EventKind::Acknowledgement, Some(KeyMoment::Acknowledgement)),
            (EventKind::Note, None),
            (EventKind::Escalation, Some(KeyMoment::Escalation)),
            (EventKind::StatusUpdate, Some(KeyMoment::Resolution)),
        ]
    );
    assert_eq!(records[0].correlation.incident_number, Some(311));
}

#[test]
fn github_deploys_and_rollbacks_are_told_apart() {
    let (records, stats) = import(Format::GitHub, "github.jsonl");
    assert_eq!(rejections(&stats), ["github.jsonl: line 6"]);
    assert_eq!(stats.rejections[0].reason, "missing field deployment_status.state");
    assert_eq!(stats.skipped, 1, "the push event is not a deployment");
    assert_eq!(
        kinds(&records),
        [
            (EventKind::Deploy, None),
            (EventKind::Deploy, None),
            (EventKind::Deploy, None),
            (EventKind::Rollback, None),
            (EventKind::Rollback, Some(KeyMoment::Mitigation)),
        ]
    );
    assert_eq!(records[0].text, "Deploy of checkout-api v4.2.0 (c0ffee4) to production requested: Release 4.2.0");
    assert_eq!(records[0].actor.as_deref(), Some("mira-k"));
    assert_eq!(records[0].external_id, "github:deployment:2981734401");
}

#[test]
fn generic_json_lines_name_what_is_wrong_with_each_line() {
    let (records, stats) = import(Format::Jsonl, "events.jsonl");
    assert_eq!(records.len(), 4);
    let found: Vec<String> = stats.rejections.iter().map(|r| r.to_string()).collect();
    assert_eq!(found.len(), 5);
    assert!(found[0].starts_with("events.jsonl: line 3: input ends inside a JSON value"), "{}", found[0]);
    assert_eq!(found[1], "events.jsonl: line 5: time is not an RFC 3339 time: \"yesterday\"");
    assert!(found[2].starts_with("events.jsonl: line 6: kind: unknown event kind \"coffee\""), "{}", found[2]);
    assert_eq!(found[3], "events.jsonl: line 7: text must be a string, found an array");
    assert_eq!(found[4], "events.jsonl: line 8: missing field text");
    assert_eq!(records[1].key_moment, Some(KeyMoment::ImpactStart));
    assert_eq!(records[0].external_id, "id:statuspage:sp-incident-77-update-1");
    assert!(records[2].external_id.starts_with("content:"));
}

#[test]
fn generic_csv_reads_quoted_multi_line_cells_and_rejects_bad_rows() {
    let (records, stats) = import(Format::Csv, "events.csv");
    assert_eq!(rejections(&stats), ["events.csv: line 4", "events.csv: line 5", "events.csv: line 6"]);
    assert_eq!(records.len(), 4);
    assert_eq!(records[0].text, "Ticket #58213: \"Checkout keeps failing with an error, card not charged\"");
    assert_eq!(records[2].text, "Error rate falling after rollback, \nstill watching");
    assert_eq!(records[3].source, "manual");
    assert_eq!(records[3].raw["source"], "MANUAL", "the raw row is kept as written");
}

#[test]
fn a_csv_without_the_needed_columns_is_not_imported() {
    let bytes = std::fs::read(fixture("events_bad_header.csv")).unwrap();
    let err = import_to_vec(Format::Csv, &mut bytes.as_slice(), "events_bad_header.csv").unwrap_err();
    assert!(matches!(&err, ImportError::Unrecognised { .. }));
    assert!(err.to_string().contains("time, kind, text missing"), "{err}");
}

#[test]
fn a_slack_export_folder_resolves_people_and_mentions() {
    let (records, stats) = slack_export("slack_export", &SlackOptions::default());
    assert_eq!(stats.imported, 10);
    assert_eq!(
        rejections(&stats),
        [
            "inc-1842-checkout/2026-11-20.json: $[5]",
            "inc-1842-checkout/2026-11-20.json: $[6]",
            "inc-1842-checkout/2026-11-20.json: $[10]"
        ]
    );
    assert_eq!(stats.skipped, 1, "the tombstone");
    let text_of = |id: &str| records.iter().find(|r| r.external_id == id).map(|r| (r.actor.clone(), r.text.clone()));
    assert_eq!(
        text_of("slack:inc-1842-checkout:1795183805.400100"),
        Some((
            Some("ana".to_string()),
            "I'm IC. @Bruno Costa can you look at payments-gateway? Dashboard: https://grafana.northwind.example/d/checkout-slo"
                .to_string()
        ))
    );
    assert_eq!(
        text_of("slack:support-escalations:1795183720.118002"),
        Some((Some("ana".to_string()), "@Joana (Support) thanks, looking. Moving to #inc-1842-checkout".to_string()))
    );
    let reply = text_of("slack:inc-1842-checkout:1795184642.000001").unwrap();
    assert!(reply.1.ends_with("& payments is just slow because of retries (edited)"), "{}", reply.1);
    let bot = records.iter().find(|r| r.actor.as_deref() == Some("PagerDuty")).unwrap();
    assert_eq!(bot.kind, EventKind::Note);
    let join = records.iter().find(|r| r.text.contains("has joined")).unwrap();
    assert_eq!((join.kind, join.text.as_str()), (EventKind::Note, "@ana has joined the channel"));
    assert!(
        records.iter().any(|r| r.occurred_at.date().day() == 21 && r.text.starts_with("Follow-up")),
        "a thread reply in the next day's file is read"
    );
}

#[test]
fn a_zipped_slack_export_reads_like_its_folder() {
    let (from_folder, _) = slack_export("slack_export", &SlackOptions::default());
    let (from_zip, stats) = slack_export("slack_export.zip", &SlackOptions::default());
    assert_eq!(from_zip, from_folder);
    assert_eq!(stats.rejected, 3);
}

#[test]
fn a_slack_export_can_be_read_for_chosen_channels() {
    let options = SlackOptions { channels: vec!["#support-escalations".to_string(), "war-room".to_string()] };
    let (records, stats) = slack_export("slack_export", &options);
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r.correlation.channel.as_deref() == Some("support-escalations")));
    assert!(stats.notes.iter().any(|n| n.contains("no channel named war-room")), "{:?}", stats.notes);
}

#[test]
fn one_slack_day_file_takes_names_from_message_profiles() {
    let name = "slack_export/support-escalations/2026-11-20.json";
    let bytes = std::fs::read(fixture(name)).unwrap();
    let (records, _) = import_to_vec(Format::SlackExport, &mut bytes.as_slice(), name).unwrap();
    assert_eq!(records[0].actor.as_deref(), Some("Joana (Support)"));
    assert_eq!(records[0].correlation.channel.as_deref(), Some("support-escalations"));
    assert!(records[1].text.starts_with("@Joana (Support) thanks"), "{}", records[1].text);
}

#[test]
fn a_missing_or_foreign_slack_export_is_an_error() {
    let missing = import_slack_export(&fixture("no-such-export"), &SlackOptions::default(), &mut |_| {});
    assert!(matches!(missing, Err(ImportError::Read { .. })));
    let not_an_export = import_slack_export(&fixture("events.csv"), &SlackOptions::default(), &mut |_| {});
    assert!(matches!(not_an_export, Err(ImportError::Unrecognised { .. })));
}

#[test]
fn every_importer_hands_records_to_the_sink_as_it_reads() {
    let bytes = std::fs::read(fixture("pagerduty_webhook.jsonl")).unwrap();
    let mut count = 0;
    let stats = importer(Format::PagerDutyWebhook).import(&mut bytes.as_slice(), "x", &mut |_| count += 1).unwrap();
    assert_eq!(count, stats.imported);
}

/// Every fixture of the incident, as one timeline.
fn whole_incident() -> Vec<Record> {
    let mut all = Vec::new();
    for (format, name) in [
        (Format::PagerDutyWebhook, "pagerduty_webhook.jsonl"),
        (Format::PagerDutyWebhook, "pagerduty_webhook_reassigned.json"),
        (Format::PagerDutyLog, "pagerduty_log_page.json"),
        (Format::Alertmanager, "alertmanager.jsonl"),
        (Format::Grafana, "grafana.jsonl"),
        (Format::Opsgenie, "opsgenie.jsonl"),
        (Format::GitHub, "github.jsonl"),
        (Format::Jsonl, "events.jsonl"),
        (Format::Csv, "events.csv"),
    ] {
        all.extend(import(format, name).0);
    }
    all.extend(slack_export("slack_export", &SlackOptions::default()).0);
    all
}

#[test]
fn one_step_told_by_the_pagerduty_webhook_and_log_is_kept_once() {
    let timeline = build_timeline(whole_incident());
    let acknowledgements: Vec<&Record> =
        timeline.iter().filter(|r| r.source == "pagerduty" && r.kind == EventKind::Acknowledgement).collect();
    assert_eq!(acknowledgements.len(), 1);
    assert_eq!(acknowledgements[0].external_id, "pagerduty:R4L3K2J1H0G9F8D7S6A5Q4W3E2", "the earlier of the two");
    let mut ids: Vec<&str> = timeline.iter().map(|r| r.external_id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), timeline.len());
    assert!(timeline.windows(2).all(|w| w[0].occurred_at <= w[1].occurred_at));
}

#[test]
fn the_incident_key_moments_are_suggested_from_every_tool() {
    let timeline = build_timeline(whole_incident());
    let moments = key_moments(&timeline);
    let at = |m: &Option<hindsight_core::import::SuggestedMoment>| m.as_ref().map(|m| m.at.time().to_string());

    assert_eq!(at(&moments.impact_start), Some("14:03:00.0".to_string()), "marked in the generic import");
    let detection = moments.detection.as_ref().unwrap();
    assert_eq!(detection.external_id, "slack:support-escalations:1795183510.201337");
    assert_eq!(moments.detection_method, DetectionMethod::CustomerReport);
    assert_eq!(at(&moments.acknowledgement), Some("14:09:02.0".to_string()));
    // PagerDuty's escalation and Opsgenie's; reassigning the incident is not escalating it.
    assert_eq!(moments.escalations.len(), 2, "{:#?}", moments.escalations);
    assert_eq!(moments.mitigation.as_ref().unwrap().external_id, "github:deployment_status:6600120450");
    assert_eq!(at(&moments.resolution), Some("15:03:00.9".to_string()));

    let mut errors = ValidationErrors::default();
    moments.moments().validate(&mut errors);
    assert!(errors.0.is_empty(), "{errors}");

    let mut marked = timeline.clone();
    moments.mark(&mut marked);
    let markers: Vec<KeyMoment> = marked.iter().filter_map(|r| r.key_moment).collect();
    assert_eq!(markers.iter().filter(|m| **m == KeyMoment::Detection).count(), 1);
    assert_eq!(markers.iter().filter(|m| **m == KeyMoment::Resolution).count(), 1);
}

#[test]
fn records_become_valid_new_timeline_events() {
    for record in build_timeline(whole_incident()) {
        let id = record.external_id.clone();
        let event = record.into_new_event();
        assert_eq!(event.external_id.as_deref(), Some(id.as_str()));
        assert!(event.raw_payload.is_some());
        event.validate().unwrap_or_else(|e| panic!("{id}: {e}"));
    }
}
