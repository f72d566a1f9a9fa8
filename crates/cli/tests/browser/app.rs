//! Hindsight under test: the built binary serving a fresh temporary SQLite
//! database on a free loopback port, stopped when the test ends (also when it
//! fails). One at a time: the tests share two cores with everything else.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, MutexGuard};

use super::chromedriver::{self, Chromedriver};
use super::page::Browser;

/// Every demo user's password (`hindsight demo` prints it for admin).
pub const DEMO_PASSWORD: &str = "demo-password";

/// Held by the test that runs now, so browser tests run one after another.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// A running `hindsight` and the chromedriver to look at it with.
pub struct App {
    /// e.g. `http://127.0.0.1:41234`
    pub url: String,
    server: Child,
    /// Kept open: the server may still write to it.
    _stdout: BufReader<ChildStdout>,
    dir: tempfile::TempDir,
    driver: Arc<Chromedriver>,
    _turn: MutexGuard<'static, ()>,
}

impl App {
    /// `hindsight demo` on its own database: the demo organisation, every user
    /// with [`DEMO_PASSWORD`]. `None` when no browser is installed (the test is skipped).
    pub async fn with_demo_data() -> Option<App> {
        let driver = chromedriver::shared()?;
        let turn = ONE_AT_A_TIME.lock().await;
        let dir = tempfile::Builder::new().prefix("hindsight-browser-").tempdir().expect("a temporary directory");
        let log = std::fs::File::create(dir.path().join("server.log")).expect("the server's log file");
        let mut server = Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .args(["demo", "--port", "0", "--database", "demo.db"])
            .current_dir(dir.path())
            // The developer's own settings must not reach the server under test.
            .env_remove("HINDSIGHT_DATABASE_URL")
            .env_remove("HINDSIGHT_LISTEN")
            .env_remove("HINDSIGHT_LOG_FORMAT")
            // Plain text in the log a failed test prints.
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("starting the hindsight binary");
        let mut stdout = BufReader::new(server.stdout.take().expect("the server's stdout"));
        let url = serving_url(&mut stdout);
        let app = App { url, server, _stdout: stdout, dir, driver, _turn: turn };
        app.wait_until_ready();
        Some(app)
    }

    /// A new browser (its own session and profile), signed in as nobody.
    pub async fn open_browser(&self) -> Browser {
        Browser::open(self.driver.clone(), &self.url, true).await
    }

    /// A new browser with JavaScript turned off, as some people browse.
    pub async fn open_browser_without_scripts(&self) -> Browser {
        Browser::open(self.driver.clone(), &self.url, false).await
    }

    /// A new API token of `username`, made with `hindsight token create` on the server's
    /// database, as an admin does on the command line.
    pub fn api_token(&self, username: &str) -> String {
        let output = Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .args(["token", "create", username, "--name", "browser test"])
            .current_dir(self.dir.path())
            .env("HINDSIGHT_DATABASE_URL", "sqlite://demo.db")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("running hindsight token create");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "hindsight token create {username} failed: {stderr}");
        String::from_utf8(output.stdout).expect("a token in UTF-8").trim().to_string()
    }

    /// Sends `body` as JSON to the API at `path` (e.g. `/api/v1/incidents/INC-3/events`)
    /// with `token`; the answer's status and JSON body (`null` when it has none).
    pub fn api(&self, method: &str, path: &str, token: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let authorization = format!("Bearer {token}");
        let headers = [("Authorization", authorization.as_str()), ("Content-Type", "application/json")];
        let answer = chromedriver::request(self.port(), method, path, &headers, &body.to_string())
            .unwrap_or_else(|| panic!("{method} {path}: the server did not answer"));
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer.as_str(), ""));
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or_default();
        let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            dechunk(body)
        } else {
            body.to_string()
        };
        (status, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
    }

    fn port(&self) -> u16 {
        self.url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("a port in the server's address")
    }

    fn wait_until_ready(&self) {
        let port = self.port();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !chromedriver::http(port, "GET", "/readyz").is_some_and(|answer| answer.starts_with("HTTP/1.1 200")) {
            assert!(Instant::now() < deadline, "{}/readyz did not answer 200 within 20 s", self.url);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Reads the server's first lines up to "Hindsight is serving on http://ADDRESS/".
fn serving_url(stdout: &mut BufReader<ChildStdout>) -> String {
    let mut line = String::new();
    loop {
        line.clear();
        let read = stdout.read_line(&mut line).expect("reading the server's output");
        assert!(read > 0, "hindsight demo stopped before serving");
        if let Some(rest) = line.split("serving on http://").nth(1) {
            let address = rest.split('/').next().unwrap_or_default();
            return format!("http://{address}");
        }
    }
}

/// A chunked HTTP body joined into one.
fn dechunk(mut chunked: &str) -> String {
    let mut body = String::new();
    while let Some((size, rest)) = chunked.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        body.push_str(&rest[..size]);
        chunked = rest[size..].trim_start_matches("\r\n");
    }
    body
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        if std::thread::panicking() {
            // Shown with the failed test's output: what the server said.
            let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("---- last lines of the server's log ----");
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}
