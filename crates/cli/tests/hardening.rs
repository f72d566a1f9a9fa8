//! The real `hindsight serve` under hostile input, on SQLite and on PostgreSQL: oversized
//! fields, a body announced in gigabytes, clients that never finish their headers, extreme
//! numbers and times, NUL characters, redirects off-site. After each, the server answers
//! `/healthz` and its peak memory (VmHWM) stays under 300 MB. At the end it stops on
//! SIGTERM, as a service manager stops it, within seconds.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// The peak resident memory the server may reach under any of these inputs.
const MEMORY_CEILING_KB: u64 = 300 * 1024;

struct Server {
    child: Child,
    address: SocketAddr,
    token: String,
    // The server writes to it now and then; it stays open until the end.
    _stdout: BufReader<ChildStdout>,
    client: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hindsight() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hindsight"));
    command.env_remove("HINDSIGHT_DATABASE_URL").env_remove("HINDSIGHT_LISTEN").env_remove("HINDSIGHT_LOG_FORMAT");
    command
}

/// An admin with a password and an API token, then the server, on `url`.
fn start(url: &str, dir: &std::path::Path) -> Server {
    let mut add = hindsight()
        .args(["user", "add", "ops", "--role", "admin", "--password-stdin", "--database-url", url])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"a long enough password\n").unwrap();
    assert!(add.wait().unwrap().success());
    let token = hindsight().args(["token", "create", "ops", "--database-url", url]).current_dir(dir).output().unwrap();
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout).unwrap().trim().to_string();
    let mut child = hindsight()
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
        .env("HINDSIGHT_CONNECTIONS__HEADER_TIMEOUT_SECONDS", "2")
        .env("HINDSIGHT_CONNECTIONS__MAX_CONNECTIONS_PER_ADDRESS", "100")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let address = first.split("http://").nth(1).and_then(|rest| rest.split('/').next()).unwrap().parse().unwrap();
    Server { child, address, token, _stdout: stdout, client: reqwest::Client::new() }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The process's peak resident memory, in kB.
    fn peak_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/PID/status")
    }

    /// After each probe: still answering, and never above the memory ceiling.
    async fn still_well(&self, after: &str) {
        let healthz = self.client.get(self.url("/healthz")).send().await;
        assert!(healthz.is_ok_and(|r| r.status().is_success()), "after {after}: /healthz does not answer");
        let peak = self.peak_kb();
        assert!(peak < MEMORY_CEILING_KB, "after {after}: peak memory {peak} kB, above {MEMORY_CEILING_KB} kB");
    }

    /// Sends SIGTERM, as systemd or Docker would, and waits for a clean exit.
    fn stop(mut self) {
        let sent = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(sent.success(), "kill -TERM failed");
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "the server exited with {status} on SIGTERM");
                return;
            }
            assert!(std::time::Instant::now() < deadline, "the server did not exit within 20 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let response =
            self.client.request(method, self.url(path)).bearer_auth(&self.token).json(&body).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// Sends raw bytes and reads the answer's head.
fn raw(address: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream.write_all(bytes).unwrap();
    let mut answer = vec![0u8; 4096];
    let n = stream.read(&mut answer).unwrap_or(0);
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

async fn probe_everything(server: &Server) {
    // Sign-in names and passwords of almost two megabytes, over and over.
    let huge = "u".repeat(1_900_000);
    for _ in 0..60 {
        let response = server
            .client
            .post(server.url("/api/v1/session"))
            .json(&json!({"username": huge, "password": "not the password"}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "oversized sign-in: {}", response.status());
    }
    server.still_well("oversized sign-ins").await;

    // Five gigabytes announced, none sent.
    let head = format!(
        "POST /api/v1/incidents HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 5000000000\r\n\r\n",
        server.address
    );
    let address = server.address;
    let answer = tokio::task::spawn_blocking(move || raw(address, head.as_bytes())).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    server.still_well("a 5 GB Content-Length").await;

    // Three hundred clients from another address that never finish their headers.
    let mut slow = Vec::new();
    for _ in 0..300 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        if let Ok(mut stream) = socket.connect(server.address).await {
            use tokio::io::AsyncWriteExt;
            let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await;
            slow.push(stream);
        }
    }
    server.still_well("300 slow-header connections").await;
    drop(slow);

    // Extreme numbers and times are refused naming the field; the incident still reads.
    let (status, incident) =
        server.send(reqwest::Method::POST, "/api/v1/incidents", json!({"title": "Extremes", "severity": "SEV2"})).await;
    assert_eq!(status, 201, "{incident}");
    let handle = incident["handle"].as_str().unwrap().to_string();
    let (status, postmortem) =
        server.send(reqwest::Method::POST, &format!("/api/v1/incidents/{handle}/postmortem"), json!({})).await;
    assert_eq!(status, 201, "{postmortem}");
    let (status, problem) = server
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/postmortems/{}/sections/impact", postmortem["id"].as_str().unwrap()),
            json!({"version": postmortem["version"], "value": {"access_lost_minutes": i64::MAX}}),
        )
        .await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("sections.impact.access_lost_minutes")));
    let (status, problem) = server
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/incidents/{handle}/events"),
            json!({"occurred_at": "9999-12-31T23:59:59Z", "kind": "note", "text": "far"}),
        )
        .await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("occurred_at")));
    for path in [format!("/api/v1/incidents/{handle}/policy"), format!("/incidents/{handle}")] {
        let response = server.client.get(server.url(&path)).bearer_auth(&server.token).send().await.unwrap();
        assert!(!response.status().is_server_error(), "{path}: {}", response.status());
    }
    server.still_well("extreme numbers and times").await;

    // NUL in text: refused naming the field, on either database.
    let (status, problem) = server
        .send(reqwest::Method::POST, "/api/v1/incidents", json!({"title": "nul\u{0}here", "severity": "SEV3"}))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "title", "{problem}");
    server.still_well("NUL characters").await;

    // A Slack export of about a megabyte whose day file unpacks to 1.2 GiB, through the
    // incident page's import form.
    let cookie = sign_in(server).await;
    let page = server.client.get(server.url(&format!("/incidents/{handle}"))).header("cookie", &cookie).send().await;
    let page = page.unwrap().text().await.unwrap();
    let token = page.split("name=\"csrf_token\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap();
    let bomb = tokio::task::spawn_blocking(slack_zip_bomb).await.unwrap();
    assert!(bomb.len() < 4 << 20, "a bomb: {} bytes", bomb.len());
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token.to_string())
        .text("format", "slack-export")
        .part("file", reqwest::multipart::Part::bytes(bomb).file_name("bomb.zip"));
    let response = server
        .client
        .post(server.url(&format!("/incidents/{handle}/import")))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    assert!(status.is_success() && body.contains("general/2026-11-20.json"), "{status}: the entry is named: {body}");
    server.still_well("a zip bomb").await;

    // After signing in, `next` only ever leads to a local page.
    for next in ["/\t/127.0.0.1:18199/pwned", "//evil.example", "/\\evil.example", "https://evil.example", "/a\r\nb"] {
        let response = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(server.url("/login"))
            .form(&[("username", "ops"), ("password", "a long enough password"), ("next", next)])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection(), "next={next:?}: {}", response.status());
        let location = response.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.starts_with('/') && !location.starts_with("//") && !location.contains(['\\', '\t', '\r', '\n']),
            "next={next:?} led to {location:?}"
        );
    }
    server.still_well("redirect strings").await;
    eprintln!("peak memory through every probe: {} kB", server.peak_kb());
}

/// A session cookie for the admin, through the sign-in form.
async fn sign_in(server: &Server) -> String {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(server.url("/login"))
        .form(&[("username", "ops"), ("password", "a long enough password")])
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// A Slack export zip of about a megabyte whose day file holds one message of 1.2 GiB.
fn slack_zip_bomb() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    zip.start_file("users.json", options).unwrap();
    zip.write_all(br#"[{"id": "U1", "name": "ana"}]"#).unwrap();
    zip.start_file("general/2026-11-20.json", options).unwrap();
    zip.write_all(br#"[{"type": "message", "ts": "1795183805.000100", "user": "U1", "text": ""#).unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..1200 {
        zip.write_all(&chunk).unwrap();
    }
    zip.write_all(br#""}]"#).unwrap();
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn the_server_survives_hostile_input_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("hindsight-hardening-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let server = start(&format!("sqlite://{}", dir.join("h.db").display()), &dir);
    probe_everything(&server).await;
    server.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_server_survives_hostile_input_on_postgres() {
    let Some(url) = hindsight_store::test_support::postgres_database().await else { return };
    let dir = std::env::temp_dir().join(format!("hindsight-hardening-pg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let server = start(&url, &dir);
    probe_everything(&server).await;
    server.stop();
    let _ = std::fs::remove_dir_all(dir);
}
