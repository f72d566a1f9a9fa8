//! Delivery beyond the inbox, against real receivers: a local HTTP server answering as
//! Slack's and Teams' incoming webhooks and a Standard Webhooks endpoint do, and a real
//! SMTP server (Python's aiosmtpd). Signatures checked with an HMAC of the test's own,
//! one-click unsubscribe followed, a send the worker never recorded sent again under the
//! same key, and two workers on one PostgreSQL delivering 1,000 events once each.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hindsight_app::Actor;
use hindsight_app::deliveries::{Deliverer, DeliverySettings, EmailSettings, SmtpSecurity, deliver_pass};
use hindsight_app::secrets::SecretKey;
use hindsight_core::{DestinationKind, NewDestination};
use hindsight_store::Store;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use time::OffsetDateTime;

use crate::common::{self, As, TestApp};

/// A request a receiver got.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: String,
}

/// A local receiver: `/slow` holds its first request for 2 s (then answers), `/down`
/// answers 503, anything else 200 `ok`.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let seen = got.clone();
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            async move {
                let path = uri.path().to_string();
                let first = {
                    let mut seen = seen.lock().unwrap();
                    let first = !seen.iter().any(|r| r.path == path);
                    seen.push(Received { path: path.clone(), headers, body: String::from_utf8_lossy(&body).into() });
                    first
                };
                match path.as_str() {
                    "/slow" if first => {
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        (AxumStatus::OK, "ok")
                    }
                    "/down" => (AxumStatus::SERVICE_UNAVAILABLE, "try later"),
                    _ => (AxumStatus::OK, "ok"),
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, got }
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// What it got once it has `count` requests (within 10 s).
    async fn wait_for(&self, count: usize) -> Vec<Received> {
        for _ in 0..200 {
            if self.got().len() >= count {
                return self.got();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver got {} requests, not {count}: {:?}", self.got().len(), self.got());
    }
}

fn new_key() -> SecretKey {
    SecretKey::from_base64(&SecretKey::generate()).unwrap()
}

/// A server whose worker makes a pass every 100 ms, sending with `deliverer`.
async fn spawn_delivering(store: Store, deliverer: Deliverer) -> TestApp {
    let mut settings = common::test_settings();
    settings.notifications.interval_ms = 100;
    settings.deliverer = deliverer;
    common::spawn_configured(store, settings).await
}

/// Checks a Standard Webhooks signature with an HMAC of our own.
fn signed_by(secret: &str, received: &Received) -> bool {
    let header = |name: &str| received.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let key = STANDARD.decode(secret.trim_start_matches("whsec_")).unwrap();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", header("webhook-id"), header("webhook-timestamp"), received.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    header("webhook-signature").split(' ').any(|signature| signature == expected)
}

#[tokio::test]
async fn events_reach_slack_teams_and_a_signed_webhook_once_each() {
    let receiver = Receiver::start().await;
    let deliverer = Deliverer::new(
        DeliverySettings::default(),
        &EmailSettings::default(),
        Some(new_key()),
        "https://hindsight.test",
    )
    .unwrap();
    let app = spawn_delivering(hindsight_store::test_support::sqlite_store().await, deliverer).await;
    let admin = As::User("admin");
    let mut secret = String::new();
    for (name, kind) in [("#incidents", "slack"), ("Incidents channel", "teams"), ("ticketing", "webhook")] {
        let url = format!("{}/{kind}", receiver.url);
        let body = json!({"name": name, "kind": kind, "url": url, "events": ["incident_declared"]});
        let (status, added) = app.post(admin, "/api/v1/destinations", body).await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        assert_eq!(added["signing_secret"].is_string(), kind == "webhook", "{added}");
        if kind == "webhook" {
            secret = added["signing_secret"].as_str().unwrap().to_string();
            assert!(secret.starts_with("whsec_"));
        }
    }
    // The addresses are never shown again, nor stored as they are.
    let (_, listed) = app.get(admin, "/api/v1/destinations").await;
    assert!(!listed.to_string().contains(&receiver.url), "{listed}");
    let (status, _) = app.get(As::User("editor"), "/api/v1/destinations").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, refused) = app
        .post(admin, "/api/v1/destinations", json!({"name": "bad", "kind": "slack", "url": "hooks.slack.com/x"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.to_string().contains("url"), "{refused}");

    let (status, incident) =
        app.post(admin, "/api/v1/incidents", json!({"title": "Checkout <down> & out", "severity": "SEV2"})).await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let handle = incident["handle"].as_str().unwrap();
    app.post(admin, "/api/v1/incidents", json!({"title": "Account takeover", "severity": "SEV1", "private": true}))
        .await;
    let got = receiver.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(receiver.got().len(), 3, "each destination once, and nothing of the private incident: {got:?}");
    let by_path: BTreeMap<String, Received> = got.into_iter().map(|r| (r.path.clone(), r)).collect();

    let slack: Value = serde_json::from_str(&by_path["/slack"].body).unwrap();
    assert_eq!(
        slack["text"],
        format!(
            "{handle} \u{201c}Checkout &lt;down&gt; &amp; out\u{201d}: declared, SEV2. <https://hindsight.test/incidents/{handle}|Open {handle}>"
        )
    );
    let teams: Value = serde_json::from_str(&by_path["/teams"].body).unwrap();
    assert_eq!(teams["type"], "message");
    let card = &teams["attachments"][0];
    assert_eq!(card["contentType"], "application/vnd.microsoft.card.adaptive");
    assert_eq!(card["content"]["type"], "AdaptiveCard");
    assert!(card["content"]["body"][0]["text"].as_str().unwrap().contains("Checkout <down> & out"));
    assert_eq!(card["content"]["actions"][0]["url"], format!("https://hindsight.test/incidents/{handle}"));

    let hook = &by_path["/webhook"];
    assert!(signed_by(&secret, hook), "the signature holds: {hook:?}");
    assert!(!signed_by("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", hook));
    let mut tampered = hook.clone();
    tampered.body = tampered.body.replace("SEV2", "SEV5");
    assert!(!signed_by(&secret, &tampered));
    let body: Value = serde_json::from_str(&hook.body).unwrap();
    assert_eq!(body["type"], "incident.declared");
    assert_eq!(body["data"]["incident"], handle);
    assert_eq!(body["data"]["incident_title"], "Checkout <down> & out");
    assert!(hook.headers["webhook-id"].to_str().unwrap().starts_with("event:"));

    // An admin sees what was sent.
    let (status, page) = app.get(admin, "/api/v1/deliveries?state=delivered").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 3, "{page}");
    assert_eq!(page["failed"], 0);
}

/// A local server answering as Slack's `chat.postMessage` does: 200 with `"ok": true`
/// for the channel it knows, `"ok": false` and the error's name otherwise.
async fn slack_api() -> (String, Arc<Mutex<Vec<Received>>>) {
    let got: Arc<Mutex<Vec<Received>>> = Arc::default();
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/api/chat.postMessage",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            async move {
                let text = String::from_utf8_lossy(&body).to_string();
                seen.lock().unwrap().push(Received {
                    path: "/chat.postMessage".into(),
                    headers: headers.clone(),
                    body: text.clone(),
                });
                let message: Value = serde_json::from_str(&text).unwrap_or_default();
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
                let answer = if auth != "Bearer xoxb-test-token" {
                    json!({"ok": false, "error": "invalid_auth"})
                } else if message["channel"] != "#payments-incidents" {
                    json!({"ok": false, "error": "channel_not_found"})
                } else {
                    json!({"ok": true, "channel": "C0123ABCD", "ts": "1700000000.000100"})
                };
                axum::Json(answer)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

#[tokio::test]
async fn a_slack_bot_posts_to_its_channel_and_a_refusal_is_kept_as_the_error() {
    let (api, got) = slack_api().await;
    let deliverer = Deliverer::new(
        DeliverySettings::default(),
        &EmailSettings::default(),
        Some(new_key()),
        "https://hindsight.test",
    )
    .unwrap()
    .with_slack_api(&api);
    let app = spawn_delivering(hindsight_store::test_support::sqlite_store().await, deliverer).await;
    let admin = As::User("admin");
    for (name, channel) in [("payments", "#payments-incidents"), ("nowhere", "#no-such-channel")] {
        let body = json!({"name": name, "kind": "slack", "url": channel, "token": "xoxb-test-token", "events": ["incident_declared"]});
        let (status, added) = app.post(admin, "/api/v1/destinations", body).await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        assert!(added["signing_secret"].is_null());
    }
    let (_, listed) = app.get(admin, "/api/v1/destinations").await;
    assert!(!listed.to_string().contains("xoxb"), "{listed}");
    let (_, incident) =
        app.post(admin, "/api/v1/incidents", json!({"title": "Card payments failing", "severity": "SEV2"})).await;
    let handle = incident["handle"].as_str().unwrap();
    for _ in 0..200 {
        if got.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let posted = got.lock().unwrap().clone();
    let ok = posted.iter().find(|r| r.body.contains("#payments-incidents")).expect("posted to the channel");
    assert_eq!(ok.headers["content-type"], "application/json; charset=utf-8");
    let message: Value = serde_json::from_str(&ok.body).unwrap();
    assert_eq!(message["channel"], "#payments-incidents");
    assert!(message["text"].as_str().unwrap().contains(&format!("Open {handle}>")), "{message}");
    // Slack's "ok": false is a failure, its error's name kept for the admin.
    for _ in 0..200 {
        let (_, failed) = app.get(admin, "/api/v1/deliveries").await;
        let items = failed["items"].as_array().unwrap().clone();
        let delivered = items.iter().filter(|d| d["state"] == "delivered").count();
        if let Some(refused) = items.iter().find(|d| d["last_error"].is_string()) {
            assert_eq!(refused["last_error"], "Slack: HTTP 200: channel_not_found", "{failed}");
            assert_eq!(delivered, 1, "{failed}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the refused post was never recorded");
}

/// Python's aiosmtpd, writing what it gets into a maildir.
struct SmtpServer {
    port: u16,
    maildir: PathBuf,
    child: std::process::Child,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = std::env::temp_dir().join(format!("hindsight-smtp-{}-{port}", std::process::id()));
        // Debian's python3 (with python3-aiosmtpd), not another one first on the PATH.
        let python = if Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" };
        let child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs: apt-get install -y python3-aiosmtpd");
        let mut server = SmtpServer { port, maildir, child };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                let mut err = String::new();
                if let Some(mut stderr) = server.child.stderr.take() {
                    use std::io::Read;
                    let _ = stderr.read_to_string(&mut err);
                }
                panic!("aiosmtpd stopped ({status}): {err}; apt-get install -y python3-aiosmtpd");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("aiosmtpd did not listen on {port} within 5 s");
    }

    /// The messages received, as text, once there are `count` (within 10 s).
    async fn wait_for(&self, count: usize) -> Vec<String> {
        for _ in 0..200 {
            let mails = self.mails();
            if mails.len() >= count {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{} emails arrived, not {count}", self.mails().len());
    }

    fn mails(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else { return Vec::new() };
        entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect()
    }
}

#[tokio::test]
async fn an_email_tells_its_person_and_its_link_unsubscribes_in_one_click() {
    let smtp = SmtpServer::start();
    let email = EmailSettings {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: smtp.port,
        security: SmtpSecurity::None,
        from: "Hindsight <hindsight@example.com>".into(),
        ..EmailSettings::default()
    };
    let deliverer =
        Deliverer::new(DeliverySettings::default(), &email, Some(new_key()), "http://hindsight.test").unwrap();
    let app = spawn_delivering(hindsight_store::test_support::sqlite_store().await, deliverer).await;
    let seed = app.seed().await;
    let admin = As::User("admin");
    let editor = As::User("editor");
    let changed = app
        .send(editor, reqwest::Method::PATCH, "/api/v1/users/editor", Some(json!({"email": "ed@example.com"})))
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let path = format!("/api/v1/incidents/{}/action-items", seed.public);
    let item = json!({"title": "Alert on pool saturation", "kind": "fix_root_cause", "owner": "editor"});
    let (status, _) = app.post(admin, &path, item).await;
    assert_eq!(status, StatusCode::CREATED);
    let mails = smtp.wait_for(1).await;
    let mail = &mails[0];
    assert!(mail.contains("To: editor <ed@example.com>"), "{mail}");
    assert!(mail.contains("From: Hindsight <hindsight@example.com>"), "{mail}");
    assert!(mail.contains("Subject: [Hindsight] Action item"), "{mail}");
    assert!(mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{mail}");
    assert!(mail.contains("Content-Type: text/plain") && mail.contains("Content-Type: text/html"), "{mail}");
    assert!(mail.contains(&format!("http://hindsight.test/incidents/{}", seed.public)), "{mail}");
    let link = mail
        .lines()
        .find_map(|line| line.strip_prefix("List-Unsubscribe: <"))
        .and_then(|rest| rest.strip_suffix('>'))
        .expect("a List-Unsubscribe header");
    let path = link.strip_prefix("http://hindsight.test").unwrap();

    // A forged link does nothing; the real one, posted as a mail program does, stops them.
    let forged = app.client.post(app.url(&format!("{path}x"))).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);
    let page = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Stop emails of this kind (action item assigned)"));
    let one_click = app
        .client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), StatusCode::OK);
    let (_, preferences) = app.get(editor, "/api/v1/me/email").await;
    assert_eq!(preferences["muted"], json!(["action_item_assigned"]), "{preferences}");

    // The next assignment reaches the inbox only.
    let item = json!({"title": "Raise the pool size", "kind": "fix_root_cause", "owner": "editor"});
    app.post(admin, &format!("/api/v1/incidents/{}/action-items", seed.public), item).await;
    for _ in 0..100 {
        let (_, inbox) = app.get(editor, "/api/v1/me/notifications").await;
        if inbox["items"].as_array().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.mails().len(), 1);
}

#[tokio::test]
async fn those_who_chose_a_digest_get_one_email_a_day_listing_what_happened() {
    let smtp = SmtpServer::start();
    let email = EmailSettings {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: smtp.port,
        security: SmtpSecurity::None,
        // From midnight UTC: the test's day has begun.
        digest_hour: 0,
        ..EmailSettings::default()
    };
    let deliverer =
        Deliverer::new(DeliverySettings::default(), &email, Some(new_key()), "http://hindsight.test").unwrap();
    // A pass at start, then one 5 s later: by then both notifications wait for it.
    let mut settings = common::test_settings();
    settings.notifications.interval_ms = 5_000;
    settings.deliverer = deliverer;
    let app = common::spawn_configured(hindsight_store::test_support::sqlite_store().await, settings).await;
    let seed = app.seed().await;
    let (admin, editor) = (As::User("admin"), As::User("editor"));
    let changed = app
        .send(editor, reqwest::Method::PATCH, "/api/v1/users/editor", Some(json!({"email": "ed@example.com"})))
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let chosen = app.send(editor, reqwest::Method::PUT, "/api/v1/me/email", Some(json!({"digest": true}))).await;
    assert_eq!(chosen.status(), StatusCode::OK);
    // Both made before the worker's next pass, so both go in today's digest.
    let path = format!("/api/v1/incidents/{}/action-items", seed.public);
    for title in ["Alert on pool saturation", "Raise the pool size"] {
        let item = json!({"title": title, "kind": "fix_root_cause", "owner": "editor"});
        assert_eq!(app.post(admin, &path, item).await.0, StatusCode::CREATED);
    }
    let mails = smtp.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.mails().len(), 1, "one digest, not one email each");
    let mail = &mails[0];
    assert!(mail.contains("Subject: [Hindsight] Your digest: 2 notifications"), "{mail}");
    assert!(mail.contains("Alert on pool saturation") && mail.contains("Raise the pool size"), "{mail}");
    // Its unsubscribe link stops every kind.
    let link = mail
        .lines()
        .find_map(|line| line.strip_prefix("List-Unsubscribe: <"))
        .and_then(|rest| rest.strip_suffix('>'))
        .expect("a List-Unsubscribe header");
    let path = link.strip_prefix("http://hindsight.test").unwrap();
    let page = app.client.get(app.url(path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Stop emails at all?"), "{page}");
    assert_eq!(app.client.post(app.url(path)).send().await.unwrap().status(), StatusCode::OK);
    let (_, preferences) = app.get(editor, "/api/v1/me/email").await;
    assert_eq!(preferences["muted"].as_array().unwrap().len(), hindsight_core::NotificationKind::ALL.len());
}

/// A destination for `url`, added as the operator with `deliverer`'s key.
async fn destination(store: &Store, deliverer: &Deliverer, url: &str) -> String {
    let new = NewDestination {
        name: format!("hook {url}"),
        kind: DestinationKind::Webhook,
        url: url.into(),
        team: None,
        events: vec![],
        token: None,
    };
    let added = hindsight_app::deliveries::add_destination(store, &Actor::Operator, deliverer, &new).await.unwrap();
    added.signing_secret.unwrap()
}

async fn declare(store: &Store, title: &str) {
    let viewer = hindsight_core::access::Viewer::operator();
    let new: hindsight_core::NewIncident = serde_json::from_value(json!({"title": title, "severity": "SEV3"})).unwrap();
    store.create_incident(&viewer, new).await.unwrap();
}

/// The receiver acknowledges, but too late: the worker counts it failed and sends it
/// again at its retry time, with the same `webhook-id`, which the receiver has already.
async fn a_send_the_worker_did_not_record_goes_again_under_the_same_key(store: Store) {
    let receiver = Receiver::start().await;
    let settings = DeliverySettings { timeout_seconds: 1, ..DeliverySettings::default() };
    let deliverer =
        Deliverer::new(settings, &EmailSettings::default(), Some(new_key()), "http://hindsight.test").unwrap();
    let secret = destination(&store, &deliverer, &format!("{}/slow", receiver.url)).await;
    declare(&store, "Checkout down").await;
    let now = OffsetDateTime::now_utc();
    let first = deliver_pass(&store, "worker-1", &deliverer, now).await.unwrap();
    assert_eq!((first.delivered, first.failed), (0, 1));
    let (_, failed) = store.delivery_counts().await.unwrap();
    assert_eq!(failed, 0, "not given up: tried again later");
    // Not before its retry time; then by another worker, as the same delivery.
    let early = deliver_pass(&store, "worker-2", &deliverer, now + Duration::from_secs(5)).await.unwrap();
    assert_eq!((early.delivered, early.failed), (0, 0));
    let again = deliver_pass(&store, "worker-2", &deliverer, now + Duration::from_secs(60)).await.unwrap();
    assert_eq!(again.delivered, 1);
    let got = receiver.wait_for(2).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);
    assert!(got.iter().all(|r| signed_by(&secret, r)));
    let later = deliver_pass(&store, "worker-1", &deliverer, now + Duration::from_secs(3600)).await.unwrap();
    assert_eq!(later.delivered + later.failed, 0);
}

#[tokio::test]
async fn sqlite_a_send_the_worker_did_not_record_goes_again_under_the_same_key() {
    a_send_the_worker_did_not_record_goes_again_under_the_same_key(hindsight_store::test_support::sqlite_store().await)
        .await;
}

#[tokio::test]
async fn postgres_a_send_the_worker_did_not_record_goes_again_under_the_same_key() {
    let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
    a_send_the_worker_did_not_record_goes_again_under_the_same_key(store).await;
}

#[tokio::test]
async fn two_workers_on_one_postgres_deliver_a_thousand_events_once_each() {
    let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
    let receiver = Receiver::start().await;
    let settings = DeliverySettings { batch: 50, ..DeliverySettings::default() };
    let deliverer =
        Deliverer::new(settings, &EmailSettings::default(), Some(new_key()), "http://hindsight.test").unwrap();
    destination(&store, &deliverer, &format!("{}/hook", receiver.url)).await;
    for n in 0..1_000 {
        declare(&store, &format!("Incident {n}")).await;
    }
    // Routed first, so that neither worker finds nothing pending while the other routes.
    let now = hindsight_store::Ts::now();
    while store.route_events("router", now, now, 500).await.unwrap().unwrap().events > 0 {}
    let work = |owner: &'static str| {
        let (store, deliverer) = (store.clone(), deliverer.clone());
        tokio::spawn(async move {
            let mut delivered = 0;
            loop {
                let report = deliver_pass(&store, owner, &deliverer, OffsetDateTime::now_utc()).await.unwrap();
                assert_eq!(report.failed, 0);
                delivered += report.delivered;
                if report.delivered == 0 && store.delivery_counts().await.unwrap().0 == 0 {
                    return delivered;
                }
            }
        })
    };
    let (one, two) = (work("worker-1"), work("worker-2"));
    let (one, two) = (one.await.unwrap(), two.await.unwrap());
    assert_eq!(one + two, 1_000);
    assert!(one > 0 && two > 0, "both worked: {one} and {two}");
    let got = receiver.got();
    let mut ids: Vec<String> = got.iter().map(|r| r.headers["webhook-id"].to_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 1_000);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1_000, "no event was sent twice");
}
