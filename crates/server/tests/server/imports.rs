//! Importing events over HTTP: uploads by people, webhooks pushed by the tools,
//! with each vendor's authentication checked.

use crate::common;

use common::{As, read, spawn_app, spawn_with};
use hindsight_app::WebhookSettings;
use hindsight_server::api::imports::hmac_hex;
use hindsight_store::Store;
use hindsight_store::test_support::sqlite_store;
use reqwest::StatusCode;
use serde_json::{Value, json};

const EDITOR: As = As::User("editor");

fn webhooks() -> WebhookSettings {
    WebhookSettings {
        pagerduty_secret: Some("pd-signing-secret".into()),
        github_secret: Some("gh-secret".into()),
        alertmanager_token: Some("am-token".into()),
        grafana_token: Some("gf-token".into()),
        opsgenie_token: Some("og-token".into()),
        create_incidents: true,
    }
}

fn pagerduty_event(id: &str, event_type: &str, at: &str) -> Value {
    json!({"event": {
        "id": id, "event_type": event_type, "resource_type": "incident", "occurred_at": at,
        "agent": {"id": "PLH1HKV", "type": "user_reference", "summary": "Ana Silva"},
        "data": {
            "id": "Q2LF6PHM1K0AR4", "type": "incident", "number": 812, "status": "triggered",
            "title": "Checkout error rate above 5%", "urgency": "high",
            "service": {"id": "PSV1CHK", "type": "service_reference", "summary": "checkout-api"}
        }
    }})
}

async fn post_raw(app: &common::TestApp, path: &str, headers: &[(&str, String)], body: &str) -> (StatusCode, Value) {
    let mut request = app.client.post(app.url(path)).body(body.to_string()).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    read(request.send().await.unwrap()).await
}

#[tokio::test]
async fn signed_pagerduty_webhooks_build_one_incident_and_redelivery_adds_nothing() {
    let app = spawn_with(sqlite_store().await, webhooks()).await;
    let trigger = pagerduty_event("01F0TRIG", "incident.triggered", "2026-11-20T10:02:00Z").to_string();
    let signature = format!("v1={}", hmac_hex("pd-signing-secret", trigger.as_bytes()));
    let (status, summary) =
        post_raw(&app, "/api/v1/webhooks/pagerduty", &[("x-pagerduty-signature", signature.clone())], &trigger).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{summary}");
    assert_eq!(summary["incident"], "INC-1");
    assert_eq!(summary["created_incident"], true);
    assert_eq!(summary["imported"], 1);
    let (_, again) =
        post_raw(&app, "/api/v1/webhooks/pagerduty", &[("x-pagerduty-signature", signature)], &trigger).await;
    assert_eq!(again["duplicates"], 1);
    assert_eq!(again["imported"], 0);
    let ack = pagerduty_event("01F0ACK", "incident.acknowledged", "2026-11-20T10:09:00Z").to_string();
    // Two active secrets: PagerDuty sends a signature for each.
    let signatures = format!(
        "v1={}, v1={}",
        hmac_hex("an-old-secret", ack.as_bytes()),
        hmac_hex("pd-signing-secret", ack.as_bytes())
    );
    let (status, acked) =
        post_raw(&app, "/api/v1/webhooks/pagerduty", &[("x-pagerduty-signature", signatures)], &ack).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(acked["incident"], "INC-1", "the acknowledgement joins the incident PagerDuty knows");
    let (_, events) = app.get(EDITOR, "/api/v1/incidents/INC-1/events").await;
    let kinds: Vec<&str> = events["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["alert", "acknowledgement"]);
    let (_, metrics) = app.get(EDITOR, "/api/v1/incidents/INC-1/metrics").await;
    assert_eq!(metrics["acknowledged_at"], "2026-11-20T10:09:00Z");
}

#[tokio::test]
async fn webhooks_with_bad_signatures_or_tokens_are_refused() {
    let app = spawn_with(sqlite_store().await, webhooks()).await;
    let body = pagerduty_event("01F0X", "incident.triggered", "2026-11-20T10:02:00Z").to_string();
    let forged = format!("v1={}", hmac_hex("not-the-secret", body.as_bytes()));
    let (status, problem) =
        post_raw(&app, "/api/v1/webhooks/pagerduty", &[("x-pagerduty-signature", forged)], &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, _) = post_raw(&app, "/api/v1/webhooks/pagerduty", &[], &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let signed_other_body = format!("sha256={}", hmac_hex("gh-secret", b"{}"));
    let (status, _) =
        post_raw(&app, "/api/v1/webhooks/github", &[("x-hub-signature-256", signed_other_body)], "{\"x\":1}").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for vendor in ["alertmanager", "grafana", "opsgenie"] {
        let (status, _) =
            post_raw(&app, &format!("/api/v1/webhooks/{vendor}"), &[("authorization", "Bearer wrong".into())], "{}")
                .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{vendor}");
    }
    let (status, _) = post_raw(&app, "/api/v1/webhooks/nagios", &[], "{}").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get(EDITOR, "/api/v1/incidents").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing refused was stored");
}

#[tokio::test]
async fn webhooks_without_a_secret_are_off() {
    let app = spawn_app().await;
    let body = pagerduty_event("01F0Y", "incident.triggered", "2026-11-20T10:02:00Z").to_string();
    let signature = format!("v1={}", hmac_hex("", body.as_bytes()));
    let (status, problem) =
        post_raw(&app, "/api/v1/webhooks/pagerduty", &[("x-pagerduty-signature", signature)], &body).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(problem["detail"].as_str().unwrap().contains("webhooks.pagerduty_secret"));
}

#[tokio::test]
async fn alertmanager_webhook_with_its_token_records_firing_and_resolved_alerts() {
    let app = spawn_with(sqlite_store().await, webhooks()).await;
    let group = |status: &str, ends: &str| {
        json!({
            "version": "4", "groupKey": "{}:{alertname=\"CheckoutErrors\"}", "truncatedAlerts": 0, "status": status,
            "receiver": "hindsight", "groupLabels": {"alertname": "CheckoutErrors"},
            "commonLabels": {"alertname": "CheckoutErrors", "service": "checkout"}, "commonAnnotations": {},
            "externalURL": "http://alertmanager.internal:9093",
            "alerts": [{
                "status": status, "labels": {"alertname": "CheckoutErrors", "service": "checkout", "severity": "page"},
                "annotations": {"summary": "5xx ratio above 5% on checkout"},
                "startsAt": "2026-11-20T10:01:00Z", "endsAt": ends,
                "generatorURL": "http://prometheus.internal:9090/graph", "fingerprint": "c0ffee1234abcd"
            }]
        })
        .to_string()
    };
    let bearer = ("authorization", "Bearer am-token".to_string());
    let (status, firing) = post_raw(
        &app,
        "/api/v1/webhooks/alertmanager",
        std::slice::from_ref(&bearer),
        &group("firing", "0001-01-01T00:00:00Z"),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{firing}");
    let (_, resolved) =
        post_raw(&app, "/api/v1/webhooks/alertmanager", &[bearer], &group("resolved", "2026-11-20T10:40:00Z")).await;
    assert_eq!(resolved["incident"], firing["incident"], "the fingerprint ties the resolution to the same incident");
    let (_, metrics) =
        app.get(EDITOR, &format!("/api/v1/incidents/{}/metrics", firing["incident"].as_str().unwrap())).await;
    assert_eq!(metrics["started_at"], "2026-11-20T10:01:00Z");
}

#[tokio::test]
async fn uploads_import_into_an_incident_and_report_rejected_lines() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let jsonl = [
        r#"{"time": "2026-11-20T10:03:00Z", "source": "statuspage", "kind": "status_update", "actor": "comms", "text": "Investigating checkout errors"}"#,
        r#"{"time": "not a time", "source": "statuspage", "kind": "status_update", "text": "broken"}"#,
        r#"{"time": "2026-11-20T10:35:00Z", "source": "statuspage", "kind": "status_update", "text": "Resolved"}"#,
    ]
    .join("\n");
    let path = format!("/api/v1/incidents/{}/import?format=jsonl", seed.public);
    let response = app.request(EDITOR, reqwest::Method::POST, &path).body(jsonl.clone()).send().await.unwrap();
    let (status, summary) = read(response).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["imported"], 2);
    assert_eq!(summary["rejected"], 1);
    assert!(summary["rejections"][0]["location"].as_str().unwrap().contains("line 2"), "{summary}");
    let response = app.request(EDITOR, reqwest::Method::POST, &path).body(jsonl).send().await.unwrap();
    let (_, again) = read(response).await;
    assert_eq!(again["duplicates"], 2);
    let response = app.request(As::User("viewer"), reqwest::Method::POST, &path).body("{}").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let bad_format = format!("/api/v1/incidents/{}/import?format=nagios", seed.public);
    let (status, problem) =
        read(app.request(EDITOR, reqwest::Method::POST, &bad_format).body("{}").send().await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "format");
}

#[tokio::test]
async fn a_correlated_upload_that_matches_nothing_is_refused_unless_asked_to_create() {
    let app = spawn_app().await;
    let line = r#"{"time": "2026-11-20T10:03:00Z", "source": "cron", "kind": "alert", "text": "Backup job failed"}"#;
    let (status, problem) = read(
        app.request(EDITOR, reqwest::Method::POST, "/api/v1/import?format=jsonl").body(line).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, summary) = read(
        app.request(EDITOR, reqwest::Method::POST, "/api/v1/import?format=jsonl&create_incident=true")
            .body(line)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["created_incident"], true);
    let (_, incident) = app.get(EDITOR, &format!("/api/v1/incidents/{}", summary["incident"].as_str().unwrap())).await;
    assert_eq!(incident["title"], "Backup job failed");
}

#[tokio::test]
async fn oversized_webhook_bodies_are_refused_before_anything_else() {
    let app = spawn_with(sqlite_store().await, webhooks()).await;
    let huge = format!("{{\"padding\": \"{}\"}}", "x".repeat(5 * 1024 * 1024));
    let signature = format!("v1={}", hmac_hex("pd-signing-secret", huge.as_bytes()));
    let (status, _) =
        post_raw(&app, "/api/v1/webhooks/pagerduty", &[("x-pagerduty-signature", signature)], &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// One alert as Alertmanager and as Grafana tell of it: the same fingerprint, 40 seconds apart.
fn one_alert_from_two_tools() -> [(&'static str, String); 2] {
    let alertmanager = json!({
        "version": "4", "status": "firing", "receiver": "hindsight", "groupKey": "{}:{alertname=\"CheckoutErrors\"}",
        "alerts": [{"status": "firing", "labels": {"alertname": "CheckoutErrors", "service": "checkout"},
            "annotations": {"summary": "5xx ratio above 5% on checkout"}, "startsAt": "2026-11-20T10:01:00Z",
            "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "c0ffee1234abcd"}]
    });
    let grafana = json!({
        "version": "1", "status": "firing", "receiver": "hindsight", "state": "alerting", "orgId": 1,
        "alerts": [{"status": "firing", "labels": {"alertname": "CheckoutErrors", "service": "checkout"},
            "annotations": {"summary": "5xx ratio above 5% on checkout"}, "startsAt": "2026-11-20T10:01:40Z",
            "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "c0ffee1234abcd", "values": {"B": 6.1}}]
    });
    [("alertmanager", alertmanager.to_string()), ("grafana", grafana.to_string())]
}

/// Imports each `(format, body)` in turn into the seeded incident; answers the summaries.
async fn import_all(app: &common::TestApp, handle: &str, imports: &[(&str, String)]) -> Vec<Value> {
    let mut summaries = Vec::new();
    for (format, body) in imports {
        let path = format!("/api/v1/incidents/{handle}/import?format={format}");
        let (status, summary) =
            read(app.request(EDITOR, reqwest::Method::POST, &path).body(body.clone()).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{summary}");
        summaries.push(summary);
    }
    summaries
}

async fn stored_timeline(app: &common::TestApp, handle: &str) -> Vec<String> {
    let (_, page) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}/events?limit=100")).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {} {}", e["occurred_at"], e["source"], e["text"]))
        .collect()
}

async fn one_alert_from_two_tools_is_stored_once_whatever_the_order(store_for: impl AsyncFn() -> Store) {
    let [alertmanager, grafana] = one_alert_from_two_tools();
    let mut timelines = Vec::new();
    for order in [[alertmanager.clone(), grafana.clone()], [grafana.clone(), alertmanager.clone()]] {
        let app = common::spawn_on(store_for().await).await;
        let handle = app.seed().await.public;
        let before = stored_timeline(&app, &handle).await;
        let summaries = import_all(&app, &handle, &order).await;
        let added: Vec<u64> = summaries.iter().map(|s| s["imported"].as_u64().unwrap()).collect();
        let merged: Vec<u64> = summaries.iter().map(|s| s["duplicates"].as_u64().unwrap()).collect();
        assert_eq!(added.iter().sum::<u64>() + merged.iter().sum::<u64>(), 2, "{summaries:?}");
        assert_eq!(merged.iter().sum::<u64>(), 1, "one of the two is the other's duplicate: {summaries:?}");
        let timeline = stored_timeline(&app, &handle).await;
        assert_eq!(timeline.len(), before.len() + 1, "{timeline:?}");
        // Importing either again changes nothing.
        import_all(&app, &handle, &order).await;
        assert_eq!(stored_timeline(&app, &handle).await, timeline);
        let added: Vec<String> = timeline.into_iter().filter(|e| !before.contains(e)).collect();
        timelines.push(added);
    }
    assert_eq!(timelines[0], timelines[1], "the stored timeline does not depend on the order of import");
    assert!(timelines[0][0].contains("alertmanager"), "the earlier report is kept: {:?}", timelines[0]);
}

#[tokio::test]
async fn one_alert_from_two_tools_is_stored_once_whatever_the_order_sqlite() {
    one_alert_from_two_tools_is_stored_once_whatever_the_order(sqlite_store).await;
}

#[tokio::test]
async fn one_alert_from_two_tools_is_stored_once_whatever_the_order_postgres() {
    if hindsight_store::test_support::postgres_store().await.is_none() {
        return;
    }
    one_alert_from_two_tools_is_stored_once_whatever_the_order(async || {
        hindsight_store::test_support::postgres_store().await.expect("PostgreSQL was reachable a moment ago")
    })
    .await;
}

#[tokio::test]
async fn repeated_pages_in_one_upload_are_stored_once() {
    let app = spawn_app().await;
    let handle = app.seed().await.public;
    let page = |minute: u32| {
        format!(
            r#"{{"time": "2026-11-20T10:{minute:02}:00Z", "source": "pager", "kind": "page", "actor": "oncall", "text": "Paged Ana by SMS", "incident": "P1"}}"#
        )
    };
    // 10:00 kept; 10:02 and 10:04 repeat it within five minutes; 10:06 is news again.
    let body = [page(4), page(0), page(6), page(2)].join("\n");
    let summaries = import_all(&app, &handle, &[("jsonl", body)]).await;
    assert_eq!(summaries[0]["imported"], 2, "{}", summaries[0]);
    assert_eq!(summaries[0]["duplicates"], 2, "{}", summaries[0]);
    let pages: Vec<String> = stored_timeline(&app, &handle).await.into_iter().filter(|e| e.contains("pager")).collect();
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages[0].contains("10:00:00") && pages[1].contains("10:06:00"), "{pages:?}");
}

/// One alert as Alertmanager and Grafana tell of it, uploaded at the same moment, round after
/// round (a new alert each round): each round leaves the alert once, the earlier report.
async fn one_alert_from_two_tools_at_once_is_stored_once(store: Store) {
    let app = common::spawn_on(store).await;
    let handle = app.seed().await.public;
    let before = stored_timeline(&app, &handle).await.len();
    for round in 0..8 {
        let [alertmanager, grafana] = one_alert_from_two_tools().map(|(format, body)| {
            (
                format,
                body.replace("c0ffee1234abcd", &format!("c0ffee{round:04}"))
                    .replace("T10:", &format!("T{:02}:", 10 + round)),
            )
        });
        let (alertmanager, grafana) = ([alertmanager], [grafana]);
        let (first, second) =
            tokio::join!(import_all(&app, &handle, &alertmanager), import_all(&app, &handle, &grafana));
        let merged = first[0]["duplicates"].as_u64().unwrap() + second[0]["duplicates"].as_u64().unwrap();
        assert_eq!(merged, 1, "round {round}: {first:?} {second:?}");
    }
    let timeline = stored_timeline(&app, &handle).await;
    let alerts: Vec<&String> = timeline.iter().filter(|e| e.contains("5xx ratio")).collect();
    assert_eq!(alerts.len(), 8, "{alerts:?}");
    assert!(alerts.iter().all(|e| e.contains("alertmanager")), "{alerts:?}");
    assert_eq!(timeline.len(), before + 8);
}

#[tokio::test]
async fn one_alert_from_two_tools_at_once_is_stored_once_sqlite() {
    one_alert_from_two_tools_at_once_is_stored_once(sqlite_store().await).await;
}

#[tokio::test]
async fn one_alert_from_two_tools_at_once_is_stored_once_postgres() {
    if let Some(store) = hindsight_store::test_support::postgres_store().await {
        one_alert_from_two_tools_at_once_is_stored_once(store).await;
    }
}

/// Three copies of one page four minutes apart, uploaded one at a time in every order, leave
/// the two `build_timeline` keeps of all three (the first, and the third: eight minutes after
/// the first one kept): a copy set aside as a duplicate comes back when an earlier copy
/// arrives and sets aside the one that had hidden it.
async fn three_copies_of_a_page_give_the_same_timeline_in_every_import_order(store_for: impl AsyncFn() -> Store) {
    let page = |minute: u32| {
        format!(
            r#"{{"time": "2026-11-20T10:{minute:02}:00Z", "source": "pager", "kind": "page", "actor": "oncall", "text": "Paged Ana by SMS", "incident": "P1"}}"#
        )
    };
    let orders = [[0, 4, 8], [0, 8, 4], [4, 0, 8], [4, 8, 0], [8, 0, 4], [8, 4, 0]];
    for order in orders {
        let app = common::spawn_on(store_for().await).await;
        let handle = app.seed().await.public;
        let uploads: Vec<(&str, String)> = order.iter().map(|&minute| ("jsonl", page(minute))).collect();
        let summaries = import_all(&app, &handle, &uploads).await;
        let pages = |timeline: Vec<String>| -> Vec<String> {
            timeline.into_iter().filter(|e| e.contains("pager")).map(|e| e[12..20].to_string()).collect()
        };
        let timeline = stored_timeline(&app, &handle).await;
        assert_eq!(pages(timeline.clone()), ["10:00:00", "10:08:00"], "order {order:?}: {summaries:?}");
        let restored: u64 = summaries.iter().map(|s| s["restored"].as_u64().unwrap()).sum();
        // When 10:00 comes last, 10:04 had hidden 10:08 until then.
        let expected = u64::from(order[2] == 0);
        assert_eq!(restored, expected, "order {order:?}: {summaries:?}");
        // All three again, in one upload: nothing changes.
        let all = order.iter().map(|&minute| page(minute)).collect::<Vec<_>>().join("\n");
        import_all(&app, &handle, &[("jsonl", all)]).await;
        assert_eq!(stored_timeline(&app, &handle).await, timeline, "order {order:?}");
        // The copy set aside is listed apart, payload and all.
        let (status, set_aside) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}/duplicates")).await;
        assert_eq!(status, StatusCode::OK, "{set_aside}");
        let items = set_aside["items"].as_array().unwrap();
        let times: Vec<&str> = items.iter().map(|e| e["occurred_at"].as_str().unwrap()).collect();
        assert_eq!(times, ["2026-11-20T10:04:00Z"], "order {order:?}");
        let raw = items[0]["raw_payload_url"].as_str().unwrap();
        let (status, payload) = app.get(EDITOR, raw).await;
        assert_eq!((status, payload["time"].as_str()), (StatusCode::OK, Some("2026-11-20T10:04:00Z")));
    }
}

#[tokio::test]
async fn three_copies_of_a_page_give_the_same_timeline_in_every_import_order_sqlite() {
    three_copies_of_a_page_give_the_same_timeline_in_every_import_order(sqlite_store).await;
}

#[tokio::test]
async fn three_copies_of_a_page_give_the_same_timeline_in_every_import_order_postgres() {
    if hindsight_store::test_support::postgres_store().await.is_none() {
        return;
    }
    three_copies_of_a_page_give_the_same_timeline_in_every_import_order(async || {
        hindsight_store::test_support::postgres_store().await.expect("PostgreSQL was reachable a moment ago")
    })
    .await;
}

/// Two days of pages, alerts and notes in bursts, many repeating one another within the
/// duplicate rule's windows, as JSON Lines, one line per record in time order.
fn bursts_of_repeats() -> Vec<String> {
    let texts = ["Paged Ana by SMS", "Checkout 5xx above 5%", "Paged Ana by SMS", "Rolled back deploy 41"];
    let kinds = ["page", "alert", "page", "note"];
    (0..240)
        .map(|i: i64| {
            let at = time::macros::datetime!(2026-11-20 00:00 UTC)
                + time::Duration::minutes(12 * (i / 4))
                + time::Duration::seconds(75 * (i % 4));
            let at = at.format(&time::format_description::well_known::Rfc3339).unwrap();
            let (text, kind) = (texts[(i as usize / 4) % 4], kinds[(i as usize / 4) % 4]);
            let moment = if i % 5 == 0 { r#", "key_moment": "acknowledgement""# } else { "" };
            format!(
                r#"{{"time": "{at}", "source": "pager", "kind": "{kind}", "actor": "oncall", "text": "{text}", "incident": "P{}"{moment}}}"#,
                i / 40
            )
        })
        .collect()
}

#[tokio::test]
async fn an_import_keeps_what_the_duplicate_rule_keeps_in_any_line_order() {
    use hindsight_core::import::{Format, build_timeline, import_to_vec};
    let lines = bursts_of_repeats();
    let body = lines.join("\n");
    let (records, _) = import_to_vec(Format::Jsonl, &mut body.as_bytes(), "bursts.jsonl").unwrap();
    let expected: Vec<String> = build_timeline(records).into_iter().map(|r| r.text).collect();
    assert!(expected.len() < lines.len() / 2, "the fixture repeats itself: {} of {}", expected.len(), lines.len());
    let mut reversed = lines.clone();
    reversed.reverse();
    // Every 40th line first: each moved line comes hours before those around it.
    let mut shuffled: Vec<String> = lines.iter().step_by(40).cloned().collect();
    shuffled.extend(lines.iter().enumerate().filter(|(i, _)| i % 40 != 0).map(|(_, l)| l.clone()));
    shuffled.swap(10, 200);
    // In time order the rule runs as the lines stream; far out of order, on the stored timeline.
    for (order, lines) in [("time order", lines.clone()), ("reversed", reversed), ("shuffled", shuffled)] {
        let app = spawn_app().await;
        let handle = app.seed().await.public;
        let summary = import_all(&app, &handle, &[("jsonl", lines.join("\n"))]).await.remove(0);
        assert_eq!(summary["imported"].as_u64(), Some(expected.len() as u64), "{order}: {summary}");
        assert_eq!(summary["duplicates"].as_u64(), Some((lines.len() - expected.len()) as u64), "{order}: {summary}");
        let mut stored = Vec::new();
        let mut path = format!("/api/v1/incidents/{handle}/events?limit=200");
        loop {
            let (_, page) = app.get(EDITOR, &path).await;
            let events = page["items"].as_array().unwrap();
            stored.extend(
                events.iter().filter(|e| e["source"] == "pager").map(|e| e["text"].as_str().unwrap().to_string()),
            );
            match page["next_cursor"].as_str() {
                Some(cursor) => path = format!("/api/v1/incidents/{handle}/events?limit=200&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(stored, expected, "{order}");
    }
}

#[tokio::test]
async fn an_event_a_person_edited_is_not_removed_as_a_duplicate() {
    let app = spawn_app().await;
    let handle = app.seed().await.public;
    let [alertmanager, grafana] = one_alert_from_two_tools();
    import_all(&app, &handle, &[grafana]).await;
    let (_, page) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}/events?limit=200")).await;
    let event = page["items"].as_array().unwrap().iter().find(|e| e["source"] == "grafana").unwrap().clone();
    let path = format!("/api/v1/incidents/{handle}/events/{}", event["id"].as_str().unwrap());
    let (status, edited) = app
        .patch(EDITOR, &path, json!({"version": event["version"], "text": "Checkout 5xx alert, confirmed by Ana"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    // Alertmanager saw the alert 40 seconds earlier: by the rule the Grafana event is now the
    // duplicate, but a person edited it, so it stays beside the earlier one.
    let summary = import_all(&app, &handle, &[alertmanager]).await.remove(0);
    assert_eq!(summary["imported"], 1, "{summary}");
    assert_eq!(summary["duplicates"], 0, "{summary}");
    let timeline = stored_timeline(&app, &handle).await;
    assert!(timeline.iter().any(|e| e.contains("confirmed by Ana")), "{timeline:?}");
    assert!(timeline.iter().any(|e| e.contains("alertmanager")), "{timeline:?}");
}

#[tokio::test]
async fn an_upload_larger_than_a_store_batch_is_stored_whole_and_once() {
    let app = spawn_app().await;
    let handle = app.seed().await.public;
    // More than one store batch (4,096 records), so the import moves to its own connection.
    let lines: Vec<String> = (0..5000)
        .map(|i| {
            let at = time::macros::datetime!(2026-11-20 00:00 UTC) + time::Duration::seconds(i);
            let at = at.format(&time::format_description::well_known::Rfc3339).unwrap();
            format!(r#"{{"time": "{at}", "source": "bulk", "kind": "note", "text": "Line {i}", "id": "{i}"}}"#)
        })
        .collect();
    let summary = import_all(&app, &handle, &[("jsonl", lines.join("\n"))]).await.remove(0);
    assert_eq!(summary["imported"], 5000, "{summary}");
    let again = import_all(&app, &handle, &[("jsonl", lines.join("\n"))]).await.remove(0);
    assert_eq!((again["imported"].as_u64(), again["duplicates"].as_u64()), (Some(0), Some(5000)), "{again}");
    let (_, incident) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}/events?limit=1")).await;
    assert!(incident["next_cursor"].is_string(), "{incident}");
}

/// `pages` pages, each sent twice under different ids (the same page, told twice), as JSON Lines.
fn pages_sent_twice(pages: i64) -> String {
    let mut lines = Vec::new();
    for i in 0..pages {
        let at = time::macros::datetime!(2026-11-20 00:00 UTC) + time::Duration::minutes(i);
        let at = at.format(&time::format_description::well_known::Rfc3339).unwrap();
        for copy in ["a", "b"] {
            lines.push(format!(
                r#"{{"time": "{at}", "source": "pager", "kind": "page", "actor": "oncall", "text": "Paged Ana about alert {i}", "id": "{copy}{i}"}}"#
            ));
        }
    }
    lines.join("\n")
}

/// Stores the first `rows` records of `body` as an import killed before its duplicate check
/// leaves them: written by `import_events`, nothing set aside.
async fn store_as_an_interrupted_import(app: &common::TestApp, handle: &str, body: &str, rows: usize) {
    use hindsight_core::import::{Format, import_to_vec, stored_correlation};
    let (records, _) = import_to_vec(Format::Jsonl, &mut body.as_bytes(), "pages.jsonl").unwrap();
    let events: Vec<hindsight_store::ImportedEvent> = records
        .into_iter()
        .take(rows)
        .map(|r| hindsight_store::ImportedEvent {
            correlation: Some(stored_correlation(&r)),
            raw_payload: Some(r.raw.to_string()),
            occurred_at: r.occurred_at,
            source: r.source,
            external_id: r.external_id,
            kind: r.kind,
            actor: r.actor,
            text: r.text,
            key_moment: None,
        })
        .collect();
    let number = hindsight_core::parse_incident_handle(handle).unwrap();
    let viewer = hindsight_core::access::Viewer::operator();
    for chunk in events.chunks(4096) {
        app.store.import_events(&viewer, number, chunk, &[]).await.unwrap();
    }
}

async fn on_and_set_aside(app: &common::TestApp, handle: &str) -> (i64, i64) {
    let number = hindsight_core::parse_incident_handle(handle).unwrap();
    let viewer = hindsight_core::access::Viewer::operator();
    (app.store.count_events(&viewer, number).await.unwrap(), app.store.count_duplicates(&viewer, number).await.unwrap())
}

/// An import killed after storing some or all of its rows, before its duplicate check, then
/// run again: the result is the uninterrupted import's.
async fn an_interrupted_import_run_again_gives_the_uninterrupted_result(store_for: impl AsyncFn() -> Store) {
    const PAGES: i64 = 2000;
    let body = pages_sent_twice(PAGES);
    let uninterrupted = {
        let app = common::spawn_on(store_for().await).await;
        let handle = app.seed().await.public;
        import_all(&app, &handle, &[("jsonl", body.clone())]).await;
        on_and_set_aside(&app, &handle).await
    };
    assert_eq!(uninterrupted, (PAGES, PAGES));
    for stored_before in [2 * PAGES as usize, PAGES as usize, 1] {
        let app = common::spawn_on(store_for().await).await;
        let handle = app.seed().await.public;
        store_as_an_interrupted_import(&app, &handle, &body, stored_before).await;
        let summary = import_all(&app, &handle, &[("jsonl", body.clone())]).await.remove(0);
        assert_eq!(
            on_and_set_aside(&app, &handle).await,
            uninterrupted,
            "{stored_before} rows stored before: {summary}"
        );
        let again = import_all(&app, &handle, &[("jsonl", body.clone())]).await.remove(0);
        assert_eq!(on_and_set_aside(&app, &handle).await, uninterrupted, "and once more: {again}");
    }
}

#[tokio::test]
async fn an_interrupted_import_run_again_gives_the_uninterrupted_result_sqlite() {
    an_interrupted_import_run_again_gives_the_uninterrupted_result(sqlite_store).await;
}

#[tokio::test]
async fn an_interrupted_import_run_again_gives_the_uninterrupted_result_postgres() {
    if hindsight_store::test_support::postgres_store().await.is_none() {
        return;
    }
    an_interrupted_import_run_again_gives_the_uninterrupted_result(async || {
        hindsight_store::test_support::postgres_store().await.expect("PostgreSQL was reachable a moment ago")
    })
    .await;
}

// ---- the incident an import declares or fills: its title, moments and status ----

/// Uploads `body` as `format` to the incident the records point to, declaring one when
/// they point to none; answers the summary.
async fn import_correlated(app: &common::TestApp, format: &str, body: &str) -> Value {
    let path = format!("/api/v1/import?format={format}&create_incident=true");
    let (status, summary) =
        read(app.request(EDITOR, reqwest::Method::POST, &path).body(body.to_string()).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    summary
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../core/tests/fixtures/import/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The incident's moments as the API gives them, in the order they must happen.
fn moments_of(incident: &Value) -> [Value; 5] {
    ["started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at"].map(|m| incident[m].clone())
}

/// Every known moment comes no earlier than the known moments before it.
fn assert_in_order(incident: &Value) {
    let known: Vec<time::OffsetDateTime> = moments_of(incident)
        .iter()
        .filter_map(|m| m.as_str())
        .map(|m| time::OffsetDateTime::parse(m, &time::format_description::well_known::Rfc3339).unwrap())
        .collect();
    assert!(known.windows(2).all(|w| w[0] <= w[1]), "moments out of order: {incident}");
}

#[tokio::test]
async fn a_pagerduty_log_without_its_trigger_declares_the_pagerduty_incident_with_its_start_unknown() {
    let app = spawn_app().await;
    let summary = import_correlated(&app, "pagerduty-log", &fixture("pagerduty_log_without_trigger.json")).await;
    assert_eq!(summary["created_incident"], true, "{summary}");
    let handle = summary["incident"].as_str().unwrap();
    let (_, incident) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}")).await;
    assert_eq!(incident["title"], "My new incident", "{incident}");
    assert_eq!(incident["started_at"], Value::Null, "nothing shows when the impact began: {incident}");
    assert_eq!(incident["detected_at"], Value::Null, "{incident}");
    assert_eq!(incident["acknowledged_at"], "2017-09-26T15:15:17Z", "{incident}");
    assert_eq!(incident["resolved_at"], "2017-09-26T15:18:09Z", "{incident}");
    assert_eq!(incident["status"], "resolved", "the log resolves the incident: {incident}");
    let (_, metrics) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}/metrics")).await;
    assert_eq!(metrics["escalations"], 0, "an assignment is not an escalation: {metrics}");
    let cookie = common::sign_in(&app, "editor").await;
    let (_, html) = common::page(&app, &cookie, &format!("/incidents/{handle}")).await;
    let impact = html.split("<dt>Impact started</dt>").nth(1).unwrap().split("</dd>").next().unwrap();
    assert!(impact.contains("not known yet"), "{impact}");
}

#[tokio::test]
async fn a_pagerduty_log_that_acknowledges_and_resolves_moves_the_status_on() {
    let app = spawn_app().await;
    let handle = app.seed().await.public;
    let summaries = import_all(&app, &handle, &[("pagerduty-log", fixture("pagerduty_log_page.json"))]).await;
    assert!(summaries[0]["imported"].as_u64().unwrap() > 0, "{}", summaries[0]);
    let (_, incident) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}")).await;
    assert_eq!(incident["status"], "resolved", "{incident}");
    assert_eq!(incident["acknowledged_at"], "2026-11-20T14:09:02Z", "{incident}");
    assert_eq!(incident["resolved_at"], "2026-11-20T15:02:12Z", "{incident}");
    // What the person who declared it set stays.
    assert_eq!(incident["started_at"], "2026-11-20T10:00:00Z", "{incident}");
    assert_eq!(incident["detected_at"], "2026-11-20T10:04:00Z", "{incident}");
    assert_in_order(&incident);
    // Resolved by an import as by a person: the post-mortem it requires is drafted.
    let (status, draft) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}/postmortem")).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["status"], "draft", "{draft}");
}

/// A PagerDuty log whose trigger came at 23:29 (acknowledged 23:31, resolved 23:50) and an
/// Alertmanager alert for the same problem that fired at 23:27 and resolved at 23:45.
fn one_problem_from_pagerduty_and_alertmanager() -> [(&'static str, String); 2] {
    let entry = |id: &str, kind: &str, at: &str, summary: &str| {
        json!({"id": id, "type": kind, "created_at": at, "summary": summary,
            "incident": {"id": "PINC77", "summary": "[#77] Checkout errors"},
            "service": {"summary": "checkout"}})
    };
    let pagerduty = json!({"log_entries": [
        entry("T77", "trigger_log_entry", "2026-11-20T23:29:00Z", "Triggered through the API"),
        entry("A77", "acknowledge_log_entry", "2026-11-20T23:31:00Z", "Acknowledged by Ana Lima"),
        entry("R77", "resolve_log_entry", "2026-11-20T23:50:00Z", "Resolved by Ana Lima"),
    ]});
    let alertmanager = json!({
        "version": "4", "status": "resolved", "receiver": "hindsight", "groupKey": "{}:{alertname=\"CheckoutErrors\"}",
        "alerts": [{"status": "resolved", "labels": {"alertname": "CheckoutErrors", "service": "checkout"},
            "annotations": {"summary": "5xx ratio above 5% on checkout"}, "startsAt": "2026-11-20T23:27:00Z",
            "endsAt": "2026-11-20T23:45:00Z", "fingerprint": "feed0077"}]
    });
    [("pagerduty-log", pagerduty.to_string()), ("alertmanager", alertmanager.to_string())]
}

async fn the_moments_of_one_problem_do_not_depend_on_the_order_of_import(store_for: impl AsyncFn() -> Store) {
    let [pagerduty, alertmanager] = one_problem_from_pagerduty_and_alertmanager();
    let mut seen = Vec::new();
    for order in [[pagerduty.clone(), alertmanager.clone()], [alertmanager.clone(), pagerduty.clone()]] {
        let app = common::spawn_on(store_for().await).await;
        let (status, declared) =
            app.post(EDITOR, "/api/v1/incidents", json!({"title": "Checkout errors", "severity": "SEV2"})).await;
        assert_eq!(status, StatusCode::CREATED, "{declared}");
        let handle = declared["handle"].as_str().unwrap();
        import_all(&app, handle, &order).await;
        let (_, incident) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}")).await;
        assert_eq!(incident["started_at"], "2026-11-20T23:27:00Z", "the alert fired first: {incident}");
        assert_eq!(incident["detected_at"], "2026-11-20T23:27:00Z", "{incident}");
        assert_eq!(incident["acknowledged_at"], "2026-11-20T23:31:00Z", "{incident}");
        assert_eq!(incident["mitigated_at"], "2026-11-20T23:45:00Z", "{incident}");
        assert_eq!(incident["resolved_at"], "2026-11-20T23:50:00Z", "{incident}");
        assert_eq!(incident["status"], "resolved", "{incident}");
        let (_, metrics) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}/metrics")).await;
        assert_eq!(metrics["started_at"], incident["started_at"], "{metrics}");
        assert_eq!(metrics["moment_sources"]["started_at"], "timeline", "{metrics}");
        seen.push(moments_of(&incident));
    }
    assert_eq!(seen[0], seen[1]);
}

#[tokio::test]
async fn the_moments_of_one_problem_do_not_depend_on_the_order_of_import_sqlite() {
    the_moments_of_one_problem_do_not_depend_on_the_order_of_import(sqlite_store).await;
}

#[tokio::test]
async fn the_moments_of_one_problem_do_not_depend_on_the_order_of_import_postgres() {
    if hindsight_store::test_support::postgres_store().await.is_none() {
        return;
    }
    the_moments_of_one_problem_do_not_depend_on_the_order_of_import(async || {
        hindsight_store::test_support::postgres_store().await.expect("PostgreSQL was reachable a moment ago")
    })
    .await;
}

#[tokio::test]
async fn a_moment_a_person_set_stays_through_imports_in_either_order() {
    let [pagerduty, alertmanager] = one_problem_from_pagerduty_and_alertmanager();
    for order in [[pagerduty.clone(), alertmanager.clone()], [alertmanager.clone(), pagerduty.clone()]] {
        let app = spawn_app().await;
        let (_, declared) = app
            .post(
                EDITOR,
                "/api/v1/incidents",
                json!({"title": "Checkout errors", "severity": "SEV2", "acknowledged_at": "2026-11-20T23:35:00Z"}),
            )
            .await;
        let handle = declared["handle"].as_str().unwrap();
        import_all(&app, handle, &order[..1]).await;
        // A person moves impact start after the first import; the second must not undo it.
        let (_, incident) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}")).await;
        let (status, patched) = app
            .patch(
                EDITOR,
                &format!("/api/v1/incidents/{handle}"),
                json!({"version": incident["version"], "started_at": "2026-11-20T23:20:00Z"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{patched}");
        import_all(&app, handle, &order[1..]).await;
        let (_, incident) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}")).await;
        assert_eq!(incident["acknowledged_at"], "2026-11-20T23:35:00Z", "{incident}");
        assert_eq!(incident["started_at"], "2026-11-20T23:20:00Z", "{incident}");
        assert_eq!(incident["resolved_at"], "2026-11-20T23:50:00Z", "{incident}");
        assert_in_order(&incident);
    }
}

#[tokio::test]
async fn an_import_never_moves_the_status_back() {
    let app = spawn_app().await;
    let (_, declared) = app
        .post(
            EDITOR,
            "/api/v1/incidents",
            json!({"title": "Checkout errors", "severity": "SEV2", "status": "resolved"}),
        )
        .await;
    let handle = declared["handle"].as_str().unwrap();
    let [pagerduty, _] = one_problem_from_pagerduty_and_alertmanager();
    let only_the_trigger = pagerduty.1.split(r#",{"id":"A77""#).next().unwrap().to_string() + "]}";
    import_all(&app, handle, &[("pagerduty-log", only_the_trigger)]).await;
    let (_, incident) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}")).await;
    assert_eq!(incident["status"], "resolved", "{incident}");
    assert_in_order(&incident);
}

/// Two unrelated alerts a year apart, in one Alertmanager notification.
fn two_alerts_a_year_apart(first_listed: usize) -> String {
    let mut alerts = vec![
        json!({"status": "resolved", "labels": {"alertname": "DiskFull", "service": "billing"},
            "annotations": {"summary": "Disk 95% full on billing-db"}, "startsAt": "2025-11-20T08:00:00Z",
            "endsAt": "2025-11-20T08:30:00Z", "fingerprint": "d15cf011"}),
        json!({"status": "firing", "labels": {"alertname": "CheckoutErrors", "service": "checkout"},
            "annotations": {"summary": "5xx ratio above 5% on checkout"}, "startsAt": "2026-11-20T23:27:00Z",
            "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "feed0077"}),
    ];
    if first_listed == 1 {
        alerts.reverse();
    }
    json!({"version": "4", "status": "firing", "receiver": "hindsight", "groupKey": "{}:{}", "alerts": alerts})
        .to_string()
}

async fn unrelated_alerts_a_year_apart_declare_two_incidents(store_for: impl AsyncFn() -> Store) {
    for first_listed in [0, 1] {
        let app = common::spawn_on(store_for().await).await;
        let summary = import_correlated(&app, "alertmanager", &two_alerts_a_year_apart(first_listed)).await;
        assert_eq!(summary["created_incident"], true, "{summary}");
        let mut incidents = Vec::new();
        for alert in ["DiskFull", "CheckoutErrors"] {
            let (_, list) = app.get(EDITOR, &format!("/api/v1/incidents?q={alert}&limit=10")).await;
            let found = list["items"].as_array().unwrap();
            assert_eq!(found.len(), 1, "one incident for {alert}: {list}");
            incidents.push(found[0].clone());
        }
        assert_ne!(incidents[0]["handle"], incidents[1]["handle"], "{incidents:?}");
        assert_eq!(incidents[0]["started_at"], "2025-11-20T08:00:00Z", "{}", incidents[0]);
        assert_eq!(incidents[0]["mitigated_at"], "2025-11-20T08:30:00Z", "{}", incidents[0]);
        assert_eq!(incidents[1]["started_at"], "2026-11-20T23:27:00Z", "{}", incidents[1]);
        assert_eq!(incidents[1]["mitigated_at"], Value::Null, "{}", incidents[1]);
        for incident in &incidents {
            assert_in_order(incident);
            let handle = incident["handle"].as_str().unwrap();
            let (_, events) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}/events?limit=10")).await;
            let starts = events["items"].as_array().unwrap().iter().filter(|e| e["key_moment"] == "impact_start");
            assert_eq!(starts.count(), 1, "{events}");
        }
    }
}

#[tokio::test]
async fn unrelated_alerts_a_year_apart_declare_two_incidents_sqlite() {
    unrelated_alerts_a_year_apart_declare_two_incidents(sqlite_store).await;
}

#[tokio::test]
async fn unrelated_alerts_a_year_apart_declare_two_incidents_postgres() {
    if hindsight_store::test_support::postgres_store().await.is_none() {
        return;
    }
    unrelated_alerts_a_year_apart_declare_two_incidents(async || {
        hindsight_store::test_support::postgres_store().await.expect("PostgreSQL was reachable a moment ago")
    })
    .await;
}

/// What a caller learns from importing an event that names `tool_id` first with
/// `create_incident`, then without: the statuses, and whether the second import went to the
/// incident the first created.
async fn answers_for_a_tool_id(app: &common::TestApp, who: As, tool_id: &str) -> (StatusCode, StatusCode, bool) {
    let line = |minute: u32| {
        json!({"time": format!("2026-11-20T11:{minute:02}:00Z"), "kind": "alert", "text": "Checkout errors", "incident": tool_id, "id": format!("{tool_id}-{minute}")})
            .to_string()
    };
    let post = async |create: bool, body: String| {
        let path = format!("/api/v1/import?format=jsonl&create_incident={create}");
        read(app.request(who, reqwest::Method::POST, &path).body(body).send().await.unwrap()).await
    };
    let (first, created) = post(true, line(0)).await;
    let (second, found) = post(false, line(1)).await;
    (first, second, created["incident"].is_string() && created["incident"] == found["incident"])
}

#[tokio::test]
async fn a_tool_id_a_private_incident_carries_answers_a_non_member_as_an_unknown_one_does() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    // The private incident carries the tool's id.
    let carried =
        json!({"time": "2026-11-20T10:00:00Z", "kind": "alert", "text": "Search down", "incident": "P-PRIVATE"});
    let path = format!("/api/v1/incidents/{}/import?format=jsonl", seed.private);
    let (status, summary) = read(
        app.request(As::User("admin"), reqwest::Method::POST, &path).body(carried.to_string()).send().await.unwrap(),
    )
    .await;
    assert_eq!((status, summary["imported"].as_u64()), (StatusCode::OK, Some(1)), "{summary}");
    let outsider = As::User("outsider");
    let private = answers_for_a_tool_id(&app, outsider, "P-PRIVATE").await;
    let unknown = answers_for_a_tool_id(&app, outsider, "P-UNKNOWN").await;
    assert_eq!(private, unknown);
    assert_eq!(unknown, (StatusCode::OK, StatusCode::OK, true));
    // Nothing the outsider sent reached the private incident.
    let (_, events) = app.get(As::User("admin"), &format!("/api/v1/incidents/{}/events", seed.private)).await;
    let texts: Vec<&str> = events["items"].as_array().unwrap().iter().filter_map(|e| e["text"].as_str()).collect();
    assert!(!texts.contains(&"Checkout errors"), "{texts:?}");
    // Those who can see the private incident still find it by the tool's id.
    let line =
        json!({"time": "2026-11-20T10:05:00Z", "kind": "note", "text": "Restarted search", "incident": "P-PRIVATE"});
    let (status, summary) = read(
        app.request(As::User("admin"), reqwest::Method::POST, "/api/v1/import?format=jsonl")
            .body(line.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, summary["incident"].as_str()), (StatusCode::OK, Some(seed.private.as_str())), "{summary}");
}

#[tokio::test]
async fn an_upload_in_the_wrong_format_says_which_format_it_looks_like() {
    let app = spawn_app().await;
    let handle = app.seed().await.public;
    let firing = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/fixtures/import/alertmanager_firing.json"
    ))
    .unwrap();
    let summary = import_all(&app, &handle, &[("pagerduty-log", firing)]).await.remove(0);
    assert_eq!(summary["imported"], 0, "{summary}");
    assert_eq!(
        summary["notes"][0],
        "body looks like an Alertmanager webhook notification, not a PagerDuty log entries file (REST API): \
         import it with the format alertmanager",
        "{summary}"
    );
}
