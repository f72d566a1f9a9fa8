//! `hindsight import-history` against local servers that answer as PagerDuty's and
//! Opsgenie's API documentation says: paged lists, paged logs, a `429` with `Retry-After`, a
//! `500`, a `401` for a wrong token, and an outage in the middle, on SQLite and PostgreSQL.
//! Each test asserts on the requests the fake vendor saw as well as on what was stored.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const TOKEN: &str = "u+test-token-4f1c9e";

/// A request the fake vendor saw: path, query pairs, when.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    query: HashMap<String, String>,
    at: Instant,
}

/// A scripted answer to the n-th request (counted from 1 since the last reset).
#[derive(Debug, Clone, Copy)]
enum Scripted {
    TooMany,
    ServerError,
}

/// What both fake vendors share: the requests seen, the script, and an outage switch.
#[derive(Default)]
struct Fake {
    seen: Mutex<Vec<Seen>>,
    script: Mutex<HashMap<usize, Scripted>>,
    /// While set, list requests from this offset on answer 503.
    down_from_offset: Mutex<Option<usize>>,
    incidents: Vec<Value>,
    logs: HashMap<String, Vec<Value>>,
    /// Items per page the fake serves at most, whatever is asked (as vendors cap `limit`).
    page: usize,
    opsgenie: bool,
    refused: AtomicBool,
    /// A path whose request is never answered (the vendor hangs), while set.
    stall: Mutex<Option<String>>,
}

impl Fake {
    fn reset(&self) -> Vec<Seen> {
        self.script.lock().unwrap().clear();
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

fn query_pairs(uri: &Uri) -> HashMap<String, String> {
    let url = reqwest::Url::parse(&format!("http://fake{uri}")).unwrap();
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn time(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339).unwrap()
}

async fn answer(axum::extract::State(fake): axum::extract::State<Arc<Fake>>, uri: Uri, headers: HeaderMap) -> Response {
    let query = query_pairs(&uri);
    let path = uri.path().to_string();
    let count = {
        let mut seen = fake.seen.lock().unwrap();
        seen.push(Seen { path: path.clone(), query: query.clone(), at: Instant::now() });
        seen.len()
    };
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let expected = if fake.opsgenie { format!("GenieKey {TOKEN}") } else { format!("Token token={TOKEN}") };
    if auth != expected {
        fake.refused.store(true, Ordering::SeqCst);
        let body = if fake.opsgenie {
            json!({"message": "Could not authenticate", "took": 0.0, "requestId": "r-1"})
        } else {
            json!({"error": {"message": "Unauthenticated", "code": 2006}})
        };
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    }
    if !fake.opsgenie {
        let accept = headers.get("accept").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert_eq!(accept, "application/vnd.pagerduty+json;version=2");
    }
    if fake.stall.lock().unwrap().as_deref() == Some(path.as_str()) {
        tokio::time::sleep(std::time::Duration::from_secs(120)).await;
    }
    match fake.script.lock().unwrap().get(&count) {
        Some(Scripted::TooMany) => {
            let body = json!({"error": {"message": "Rate Limit Exceeded", "code": 2020}});
            return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], axum::Json(body)).into_response();
        }
        Some(Scripted::ServerError) => return (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
        None => {}
    }
    let number = |name: &str, default: usize| query.get(name).map_or(default, |v| v.parse().unwrap());
    let list_path = if fake.opsgenie { "/v2/alerts" } else { "/incidents" };
    if path == list_path {
        let offset = number("offset", 0);
        if fake.down_from_offset.lock().unwrap().is_some_and(|from| offset >= from) {
            return (StatusCode::SERVICE_UNAVAILABLE, "down for maintenance").into_response();
        }
        let (from, to) = if fake.opsgenie {
            // `createdAt >= <ms> AND createdAt < <ms>`
            let q = &query["query"];
            let words: Vec<&str> = q.split_whitespace().collect();
            assert_eq!(
                (words[0], words[1], words[3], words[4], words[5]),
                ("createdAt", ">=", "AND", "createdAt", "<")
            );
            let ms =
                |w: &str| OffsetDateTime::from_unix_timestamp_nanos(w.parse::<i128>().unwrap() * 1_000_000).unwrap();
            assert_eq!((query["sort"].as_str(), query["order"].as_str()), ("createdAt", "asc"));
            (ms(words[2]), ms(words[6]))
        } else {
            assert_eq!(query["sort_by"], "created_at:asc");
            (time(&query["since"]), time(&query["until"]))
        };
        let created = |i: &Value| time(i[if fake.opsgenie { "createdAt" } else { "created_at" }].as_str().unwrap());
        let mut within: Vec<&Value> = fake.incidents.iter().filter(|i| created(i) >= from && created(i) < to).collect();
        within.sort_by_key(|i| created(i));
        let limit = number("limit", 25).min(fake.page);
        let page: Vec<&Value> = within.iter().skip(offset).take(limit).copied().collect();
        let more = offset + page.len() < within.len();
        let body = if fake.opsgenie {
            let next = more.then(|| format!("https://api.opsgenie.com/v2/alerts?offset={}", offset + limit));
            json!({"data": page, "paging": {"first": "https://api.opsgenie.com/v2/alerts?offset=0", "next": next}, "took": 0.1, "requestId": "r"})
        } else {
            json!({"incidents": page, "limit": limit, "offset": offset, "more": more, "total": null})
        };
        return axum::Json(body).into_response();
    }
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let id = match (fake.opsgenie, parts.as_slice()) {
        (false, ["incidents", id, "log_entries"]) => *id,
        (true, ["v2", "alerts", id, "logs"]) => *id,
        _ => {
            return (StatusCode::NOT_FOUND, axum::Json(json!({"error": {"message": "Not Found", "code": 2100}})))
                .into_response();
        }
    };
    let Some(entries) = fake.logs.get(id) else {
        return (StatusCode::NOT_FOUND, axum::Json(json!({"message": "Alert not found"}))).into_response();
    };
    let limit = number("limit", 25).min(fake.page);
    if fake.opsgenie {
        // Logs page by the `offset` each log carries: the next page starts after it.
        assert_eq!((query["order"].as_str(), query["direction"].as_str()), ("asc", "next"));
        let start = match query.get("offset") {
            Some(after) => entries.iter().position(|l| l["offset"] == json!(after)).unwrap() + 1,
            None => 0,
        };
        let page: Vec<&Value> = entries.iter().skip(start).take(limit).collect();
        let more = start + page.len() < entries.len();
        let next = more.then(|| format!("https://api.opsgenie.com/v2/alerts/{id}/logs?offset=x&direction=next"));
        axum::Json(json!({"data": page, "paging": {"first": "f", "next": next}, "took": 0.0, "requestId": "r"}))
            .into_response()
    } else {
        let offset = number("offset", 0);
        let page: Vec<&Value> = entries.iter().skip(offset).take(limit).collect();
        let more = offset + page.len() < entries.len();
        axum::Json(json!({"log_entries": page, "limit": limit, "offset": offset, "more": more})).into_response()
    }
}

/// Starts the fake vendor on a loopback port; answers its base URL.
async fn serve(fake: Arc<Fake>) -> String {
    let app = axum::Router::new().fallback(answer).with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

/// Five PagerDuty incidents in February 2026, each with a log of five entries (the last
/// left open: triggered and acknowledged only), as `GET /incidents` and `log_entries` show them.
fn pagerduty_fake() -> Fake {
    let mut incidents = Vec::new();
    let mut logs = HashMap::new();
    for n in 1..=5_i64 {
        let id = format!("PINC{n:03}");
        let created = time(&format!("2026-02-0{n}T10:00:00Z"));
        let at = |minutes: i64| (created + time::Duration::minutes(minutes)).format(&Rfc3339).unwrap();
        let title = format!("Checkout errors, wave {n}");
        let open = n == 5;
        incidents.push(json!({
            "id": id, "type": "incident", "summary": format!("[#{n}] {title}"), "incident_number": n,
            "title": title, "created_at": at(0), "status": if open { "acknowledged" } else { "resolved" },
            "urgency": if n == 3 { "low" } else { "high" },
            "priority": if n == 1 { json!({"id": "PP1", "type": "priority", "summary": "P1", "name": "P1"}) } else { Value::Null },
            "service": {"id": "PSVC1", "type": "service_reference", "summary": "Checkout API"},
            "html_url": format!("https://acme.pagerduty.com/incidents/{id}"),
        }));
        let incident = json!({"id": id, "type": "incident_reference", "summary": format!("[#{n}] {title}")});
        let service = json!({"id": "PSVC1", "type": "service_reference", "summary": "Checkout API"});
        let agent = json!({"id": "PUSR1", "type": "user_reference", "summary": "Laura Haley"});
        let entry = |suffix: &str, kind: &str, minutes: i64, summary: &str, channel: Value| {
            json!({"id": format!("R{n}{suffix}"), "type": kind, "summary": summary, "created_at": at(minutes),
                "agent": agent, "channel": channel, "service": service, "incident": incident})
        };
        let mut entries = vec![
            entry("TRG", "trigger_log_entry", 0, "Triggered through the API", json!({"type": "api"})),
            entry("NTF", "notify_log_entry", 1, "Notified Laura Haley by SMS", json!({"type": "sms"})),
            entry("ACK", "acknowledge_log_entry", 4, "Acknowledged by Laura Haley", json!({"type": "website"})),
            entry(
                "ANN",
                "annotate_log_entry",
                10,
                "Note added",
                json!({"type": "note", "summary": format!("Rolled back deploy {n}")}),
            ),
        ];
        if !open {
            entries.push(entry("RES", "resolve_log_entry", 30, "Resolved by Laura Haley", json!({"type": "website"})));
        }
        logs.insert(id, entries);
    }
    Fake { incidents, logs, page: 2, ..Fake::default() }
}

/// Runs `hindsight ARGS --database-url URL` with the token variable set to `token`.
async fn hindsight(url: &str, variable: &str, token: &str, args: Vec<String>) -> (Option<i32>, String, String) {
    let (url, variable, token) = (url.to_string(), variable.to_string(), token.to_string());
    tokio::task::spawn_blocking(move || {
        let output = Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .env_remove("HINDSIGHT_DATABASE_URL")
            .env_remove("HINDSIGHT_LOG_FORMAT")
            .env(&variable, &token)
            .args(&args)
            .args(["--database-url", &url])
            .output()
            .unwrap();
        (output.status.code(), String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
    })
    .await
    .unwrap()
}

fn history_args(vendor: &str, base: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "import-history",
        "--from",
        vendor,
        "--since",
        "2026-01-15",
        "--until",
        "2026-03-01T00:00:00Z",
        "--api-url",
        base,
        "--rate",
        "200",
        "--max-retries",
        "1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hindsight-history-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The log-entry requests of incident `id` among `seen`.
fn log_requests<'a>(seen: &'a [Seen], id: &str) -> Vec<&'a Seen> {
    seen.iter().filter(|s| s.path == format!("/incidents/{id}/log_entries")).collect()
}

fn list_offsets(seen: &[Seen], path: &str) -> Vec<usize> {
    seen.iter().filter(|s| s.path == path).map(|s| s.query["offset"].parse().unwrap()).collect()
}

/// The timeline as `hindsight timeline --json` prints it, without what differs between two
/// databases (ids, handles).
async fn timeline(url: &str, handle: &str) -> Vec<Value> {
    let (code, out, err) = hindsight(url, "X", "", vec!["timeline".into(), handle.into(), "--json".into()]).await;
    assert_eq!(code, Some(0), "{err}");
    out.lines()
        .map(|l| {
            let mut event: Value = serde_json::from_str(l).unwrap();
            let object = event.as_object_mut().unwrap();
            for key in ["id", "incident", "raw_payload_url", "version", "created_at", "updated_at", "created_by"] {
                object.remove(key);
            }
            event
        })
        .collect()
}

async fn metrics(url: &str, handle: &str) -> Value {
    let (code, out, err) = hindsight(url, "X", "", vec!["metrics".into(), handle.into(), "--json".into()]).await;
    assert_eq!(code, Some(0), "{err}");
    serde_json::from_str(&out).unwrap()
}

async fn incidents(url: &str) -> Vec<Value> {
    let args = vec!["incidents".into(), "--json".into(), "--sort".into(), "oldest".into()];
    let (code, out, err) = hindsight(url, "X", "", args).await;
    assert_eq!(code, Some(0), "{err}");
    out.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

async fn pagerduty_history_is_imported_once_resumed_and_kept_up_to_date(url: &str, dir: &std::path::Path) {
    let fake = Arc::new(pagerduty_fake());
    let base = serve(fake.clone()).await;
    let (code, _, _) = hindsight(url, "X", "", vec!["migrate".into()]).await;
    assert_eq!(code, Some(0));
    let store = hindsight_store::Store::connect(url).await.unwrap();
    let note = hindsight_store::AuditNote::new("operator", "created service", "checkout-api", json!({}));
    store.create_service("checkout-api", "Checkout API", None, &note).await.unwrap();

    // A wrong token: refused with what to do, the token never shown.
    let (code, out, err) =
        hindsight(url, "PAGERDUTY_TOKEN", "wrong-token", history_args("pagerduty", &base, &[])).await;
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(err.contains("401") && err.contains("PAGERDUTY_TOKEN") && err.contains("GET /incidents"), "{err}");
    assert!(err.contains("Unauthenticated"), "the vendor's words are kept: {err}");
    assert!(!err.contains("wrong-token") && !out.contains("wrong-token"));
    assert!(fake.refused.load(Ordering::SeqCst));
    assert_eq!(fake.reset().len(), 1, "a refusal is not retried");

    // PagerDuty goes down after the second page of incidents: the import stops with a clear
    // error, the first four incidents in.
    *fake.down_from_offset.lock().unwrap() = Some(4);
    let (code, out, err) = hindsight(url, "PAGERDUTY_TOKEN", TOKEN, history_args("pagerduty", &base, &[])).await;
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(err.contains("PagerDuty did not answer GET /incidents after 2 attempts"), "{err}");
    assert!(err.contains("503") && err.contains("run the same command again"), "{err}");
    assert!(!err.contains(TOKEN));
    let seen = fake.reset();
    assert_eq!(list_offsets(&seen, "/incidents"), [0, 2, 4, 4], "one retry of the failing page");
    for n in 1..=4 {
        let pages: Vec<usize> =
            log_requests(&seen, &format!("PINC00{n}")).iter().map(|s| s.query["offset"].parse().unwrap()).collect();
        assert_eq!(pages, [0, 2, 4], "incident {n}'s five log entries in pages of two");
    }
    assert_eq!(incidents(url).await.len(), 4);

    // PagerDuty is back, and answers a 429 then a 500 on the way: the same command asks
    // only for the rest.
    *fake.down_from_offset.lock().unwrap() = None;
    fake.script.lock().unwrap().extend([(2, Scripted::TooMany), (4, Scripted::ServerError)]);
    let args = history_args("pagerduty", &base, &["--json"]);
    let (code, out, err) = hindsight(url, "PAGERDUTY_TOKEN", TOKEN, args.clone()).await;
    assert_eq!(code, Some(0), "{out}{err}");
    let seen = fake.reset();
    let asked: Vec<String> = seen.iter().map(|s| format!("{} {}", s.path, s.query["offset"])).collect();
    assert_eq!(
        asked,
        [
            "/incidents 4",
            "/incidents/PINC005/log_entries 0",
            "/incidents/PINC005/log_entries 0",
            "/incidents/PINC005/log_entries 2",
            "/incidents/PINC005/log_entries 2",
            "/incidents 0",
        ],
        "the rest only (and the window's second chunk): the 429 and the 500 each asked again"
    );
    assert!(seen[2].at - seen[1].at >= std::time::Duration::from_secs(1), "Retry-After: 1 was honoured");
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["resumed"], json!(true));
    assert_eq!((summary["incidents_new"].as_u64(), summary["events_imported"].as_u64()), (Some(1), Some(4)));
    assert_eq!(seen[5].query["since"], "2026-02-14T00:00:00Z", "chunks of 30 days");
    assert_eq!((summary["requests"].as_u64(), summary["retries"].as_u64()), (Some(6), Some(1)));
    assert_eq!(summary["rate_limit_waits"].as_u64(), Some(1));

    // What was stored: each vendor incident once, rated and tied to its service, its
    // moments from its log.
    let stored = incidents(url).await;
    assert_eq!(stored.len(), 5);
    let titles: Vec<&str> = stored.iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles, (1..=5).map(|n| format!("Checkout errors, wave {n}")).collect::<Vec<_>>());
    let severities: Vec<&str> = stored.iter().map(|i| i["severity"].as_str().unwrap()).collect();
    assert_eq!(severities, ["SEV1", "SEV2", "SEV4", "SEV2", "SEV2"], "P1; else high urgency SEV2, low SEV4");
    assert!(stored.iter().all(|i| i["services"] == json!(["checkout-api"])));
    let statuses: Vec<&str> = stored.iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["resolved", "resolved", "resolved", "resolved", "acknowledged"]);
    let first = stored[0]["handle"].as_str().unwrap();
    let m = metrics(url, first).await;
    assert_eq!(m["detected_at"], json!("2026-02-01T10:00:00Z"));
    assert_eq!(m["acknowledged_at"], json!("2026-02-01T10:04:00Z"));
    assert_eq!(m["resolved_at"], json!("2026-02-01T10:30:00Z"));
    assert_eq!(m["time_to_acknowledge_s"], json!(240));
    assert_eq!(timeline(url, first).await.len(), 5);

    // The same log entries imported from a file give the same timeline and metrics.
    let file = dir.join("wave2.json");
    let entries = &fake.logs["PINC002"];
    let pages = format!(
        "{}\n{}",
        json!({"log_entries": entries[..3], "limit": 3, "offset": 0, "more": true}),
        json!({"log_entries": entries[3..], "limit": 3, "offset": 3, "more": false})
    );
    std::fs::write(&file, pages).unwrap();
    let from_file = format!("sqlite://{}", dir.join("from-file.db").display());
    let import = vec![
        "import".into(),
        "--format".into(),
        "pagerduty-log".into(),
        "--create-incident".into(),
        file.display().to_string(),
    ];
    let (code, _, err) = hindsight(&from_file, "X", "", import).await;
    assert_eq!(code, Some(0), "{err}");
    let second = stored[1]["handle"].as_str().unwrap();
    assert_eq!(timeline(url, second).await, timeline(&from_file, "INC-1").await);
    let strip = |mut m: Value| {
        m.as_object_mut().unwrap().remove("incident");
        m
    };
    assert_eq!(strip(metrics(url, second).await), strip(metrics(&from_file, "INC-1").await));

    // Run again once finished: the resolved ones are skipped without reading their logs,
    // the open one is read again, and nothing is imported twice.
    let (code, out, err) = hindsight(url, "PAGERDUTY_TOKEN", TOKEN, args).await;
    assert_eq!(code, Some(0), "{out}{err}");
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["resumed"], json!(false));
    assert_eq!(
        (
            summary["incidents_new"].as_u64(),
            summary["incidents_updated"].as_u64(),
            summary["incidents_skipped"].as_u64()
        ),
        (Some(0), Some(0), Some(5))
    );
    assert_eq!((summary["events_imported"].as_u64(), summary["events_duplicate"].as_u64()), (Some(0), Some(4)));
    let seen = fake.reset();
    assert_eq!(list_offsets(&seen, "/incidents"), [0, 2, 4, 0]);
    assert!((1..=4).all(|n| log_requests(&seen, &format!("PINC00{n}")).is_empty()));
    assert_eq!(log_requests(&seen, "PINC005").len(), 2);
    assert_eq!(incidents(url).await.len(), 5);
    assert_eq!(timeline(url, first).await.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagerduty_history_on_sqlite() {
    let dir = temp_dir("pd-sqlite");
    let url = format!("sqlite://{}", dir.join("h.db").display());
    pagerduty_history_is_imported_once_resumed_and_kept_up_to_date(&url, &dir).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagerduty_history_on_postgres() {
    let Some(url) = hindsight_store::test_support::postgres_database().await else { return };
    let dir = temp_dir("pd-postgres");
    pagerduty_history_is_imported_once_resumed_and_kept_up_to_date(&url, &dir).await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Three Opsgenie alerts in February 2026 as `GET /v2/alerts` lists them, each with logs
/// (one a note) as `GET /v2/alerts/{id}/logs` pages them.
fn opsgenie_fake() -> Fake {
    let alerts = [
        ("5c3a7f4e-0001", "P1", "closed", Some(120_000), Some(2_700_000)),
        ("5c3a7f4e-0002", "P4", "open", Some(300_000), None),
        ("5c3a7f4e-0003", "P3", "closed", None, Some(600_000)),
    ];
    let mut incidents = Vec::new();
    let mut logs = HashMap::new();
    for (n, (id, priority, status, ack, close)) in alerts.into_iter().enumerate() {
        let created = time(&format!("2026-02-1{n}T08:00:00Z"));
        let at = |ms: i64| (created + time::Duration::milliseconds(ms)).format(&Rfc3339).unwrap();
        let mut report = serde_json::Map::new();
        if let Some(ack) = ack {
            report.insert("ackTime".into(), json!(ack));
            report.insert("acknowledgedBy".into(), json!("ana@example.com"));
        }
        if let Some(close) = close {
            report.insert("closeTime".into(), json!(close));
            report.insert("closedBy".into(), json!("bo@example.com"));
        }
        incidents.push(json!({
            "id": id, "tinyId": format!("{}", 40 + n), "alias": format!("alias-{n}"),
            "message": format!("Payments latency high ({n})"), "status": status, "acknowledged": ack.is_some(),
            "isSeen": true, "tags": ["payments"], "snoozed": false, "count": 1,
            "lastOccurredAt": at(0), "createdAt": at(0), "updatedAt": at(60_000), "source": "Datadog",
            "owner": "ana@example.com", "priority": priority, "responders": [], "report": report,
        }));
        let log = |i: i64, kind: &str, text: &str| {
            json!({"log": text, "type": kind, "owner": "ana@example.com", "createdAt": at(i * 60_000),
                "offset": format!("{}_{i}", created.unix_timestamp() * 1000 + i * 60_000)})
        };
        logs.insert(
            id.to_string(),
            vec![
                log(0, "system", "Alert created via Datadog"),
                log(1, "alertRecipient", "Alert is sent to ana@example.com via SMS"),
                log(3, "note", &format!("Raised the pool size ({n})")),
            ],
        );
    }
    Fake { incidents, logs, page: 2, opsgenie: true, ..Fake::default() }
}

async fn opsgenie_alerts_are_imported_with_their_notes_and_moments(url: &str) {
    let fake = Arc::new(opsgenie_fake());
    let base = serve(fake.clone()).await;
    let (code, out, err) = hindsight(url, "OPSGENIE_API_KEY", "nope", history_args("opsgenie", &base, &[])).await;
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(err.contains("Opsgenie refused GET /v2/alerts") && err.contains("OPSGENIE_API_KEY"), "{err}");
    assert!(err.contains("Could not authenticate"), "{err}");
    fake.reset();

    let (code, out, err) = hindsight(url, "OPSGENIE_API_KEY", TOKEN, history_args("opsgenie", &base, &[])).await;
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("incidents: 3 new, 0 updated, 0 skipped"), "{out}");
    // Created, acknowledged, a note, closed: four, three (open) and three (never acknowledged).
    assert!(out.contains("events: 10 imported"), "{out}");
    let seen = fake.reset();
    assert_eq!(list_offsets(&seen, "/v2/alerts"), [0, 2, 0], "two pages, then the second chunk");
    let log_pages = |id: &str| seen.iter().filter(|s| s.path == format!("/v2/alerts/{id}/logs")).count();
    assert_eq!([log_pages("5c3a7f4e-0001"), log_pages("5c3a7f4e-0002"), log_pages("5c3a7f4e-0003")], [2, 2, 2]);
    let second_page = seen.iter().filter(|s| s.path.ends_with("/logs")).nth(1).unwrap();
    assert!(second_page.query["offset"].ends_with("_1"), "paged by the offset of the last log read");

    let stored = incidents(url).await;
    let severities: Vec<&str> = stored.iter().map(|i| i["severity"].as_str().unwrap()).collect();
    assert_eq!(severities, ["SEV1", "SEV4", "SEV3"]);
    let statuses: Vec<&str> = stored.iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["resolved", "acknowledged", "resolved"]);
    let first = stored[0]["handle"].as_str().unwrap();
    let m = metrics(url, first).await;
    assert_eq!(m["detected_at"], json!("2026-02-10T08:00:00Z"));
    assert_eq!(m["acknowledged_at"], json!("2026-02-10T08:02:00Z"));
    assert_eq!(m["resolved_at"], json!("2026-02-10T08:45:00Z"));
    let events = timeline(url, first).await;
    let texts: Vec<&str> = events.iter().map(|e| e["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        [
            "Alert created: Payments latency high (0)",
            "Acknowledged by ana@example.com",
            "Raised the pool size (0)",
            "Closed by bo@example.com"
        ]
    );

    // Again: the two closed alerts are skipped unread, the open one read again to no change.
    let (code, out, err) =
        hindsight(url, "OPSGENIE_API_KEY", TOKEN, history_args("opsgenie", &base, &["--json"])).await;
    assert_eq!(code, Some(0), "{out}{err}");
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((summary["incidents_skipped"].as_u64(), summary["events_imported"].as_u64()), (Some(3), Some(0)));
    let seen = fake.reset();
    assert_eq!(seen.iter().filter(|s| s.path.ends_with("/logs")).count(), 2, "only the open alert's logs");
    assert_eq!(incidents(url).await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opsgenie_history_on_sqlite() {
    let dir = temp_dir("og-sqlite");
    let url = format!("sqlite://{}", dir.join("h.db").display());
    opsgenie_alerts_are_imported_with_their_notes_and_moments(&url).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opsgenie_history_on_postgres() {
    let Some(url) = hindsight_store::test_support::postgres_database().await else { return };
    opsgenie_alerts_are_imported_with_their_notes_and_moments(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_flags_are_refused_before_any_request() {
    let fake = Arc::new(pagerduty_fake());
    let base = serve(fake.clone()).await;
    let dir = temp_dir("flags");
    let url = format!("sqlite://{}", dir.join("h.db").display());
    let cases: [(&[&str], &str); 5] = [
        (&["--api-url", "file:///etc/passwd"], "must be an http:// or https:// URL"),
        (&["--api-url", "https://me:secret@api.pagerduty.com"], "must not hold a user name or password"),
        (&["--rate", "0"], "--rate"),
        (&["--since", "2026-13-01"], "--since"),
        (&["--until", "2026-01-01"], "is not before the end of the window"),
    ];
    for (extra, expected) in cases {
        let mut args = history_args("pagerduty", &base, &[]);
        for pair in extra.chunks(2) {
            let at = args.iter().position(|a| a == pair[0]).unwrap();
            args[at + 1] = pair[1].to_string();
        }
        let (code, out, err) = hindsight(&url, "PAGERDUTY_TOKEN", TOKEN, args).await;
        assert_eq!(code, Some(1), "{extra:?}: {out}{err}");
        assert!(err.contains(expected), "{extra:?}: {err}");
    }
    let (code, _, err) = hindsight(&url, "PAGERDUTY_TOKEN", "", history_args("pagerduty", &base, &[])).await;
    assert_eq!(code, Some(1));
    assert!(err.contains("set PAGERDUTY_TOKEN"), "{err}");
    assert!(fake.reset().is_empty(), "no request was made");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_unlike_the_documentation_names_the_endpoint_and_json_path() {
    let mut fake = pagerduty_fake();
    fake.incidents[1]["id"] = json!(42);
    let fake = Arc::new(fake);
    let base = serve(fake.clone()).await;
    let dir = temp_dir("malformed");
    let url = format!("sqlite://{}", dir.join("h.db").display());
    let (code, out, err) = hindsight(&url, "PAGERDUTY_TOKEN", TOKEN, history_args("pagerduty", &base, &[])).await;
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(err.contains("GET /incidents") && err.contains("incidents[1].id") && err.contains("invalid type"), "{err}");
    assert_eq!(fake.reset().len(), 1, "nothing asked after the bad page");
    assert!(incidents(&url).await.is_empty(), "nothing of the bad page was imported");
    let _ = std::fs::remove_dir_all(dir);
}

/// Killed while an incident's log was being read, with no `--until`: the same command goes on
/// over the same window (the end its first run fixed), reads that incident again whole and
/// imports nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_import_goes_on_over_the_same_window() {
    let fake = Arc::new(pagerduty_fake());
    let base = serve(fake.clone()).await;
    let dir = temp_dir("killed");
    let url = format!("sqlite://{}", dir.join("h.db").display());
    let args = ["import-history", "--from", "pagerduty", "--since", "2026-01-20", "--api-url", &base, "--rate", "500"];
    *fake.stall.lock().unwrap() = Some("/incidents/PINC003/log_entries".to_string());
    let mut child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .env_remove("HINDSIGHT_DATABASE_URL")
        .env("PAGERDUTY_TOKEN", TOKEN)
        .args(args)
        .args(["--database-url", &url])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stalled = |seen: &[Seen]| seen.iter().any(|s| s.path == "/incidents/PINC003/log_entries");
    let started = Instant::now();
    while !stalled(&fake.seen.lock().unwrap()) {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "the import never reached the third incident");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let first = fake.reset();
    let first_until = first[0].query["until"].clone();
    *fake.stall.lock().unwrap() = None;

    let second_run = OffsetDateTime::now_utc();
    let mut again: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    again.push("--json".into());
    let (code, out, err) = hindsight(&url, "PAGERDUTY_TOKEN", TOKEN, again).await;
    assert_eq!(code, Some(0), "{out}{err}");
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["resumed"], json!(true));
    assert_eq!(
        (summary["incidents_new"].as_u64(), summary["incidents_updated"].as_u64()),
        (Some(2), Some(1)),
        "the third, declared before the kill, is read again whole: {summary}"
    );
    let seen = fake.reset();
    assert_eq!(seen[0].path, "/incidents");
    assert_eq!(seen[0].query["offset"], "2", "from the third incident on");
    assert_eq!(seen[0].query["until"], first_until, "the first chunk of the same window");
    assert!(log_requests(&seen, "PINC001").is_empty() && log_requests(&seen, "PINC002").is_empty());
    let last = seen.iter().rev().find(|s| s.path == "/incidents").unwrap();
    assert_eq!(summary["until"], json!(last.query["until"]));
    assert!(time(summary["until"].as_str().unwrap()) < second_run, "the window ends where the first run fixed it");
    let stored = incidents(&url).await;
    assert_eq!(stored.len(), 5);
    for incident in &stored {
        let events = timeline(&url, incident["handle"].as_str().unwrap()).await;
        let ids: std::collections::BTreeSet<&str> = events.iter().map(|e| e["external_id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), events.len(), "no event twice");
        assert!(events.len() == 4 || events.len() == 5, "{incident}: {events:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
