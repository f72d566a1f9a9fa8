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
        Browser::open(self.driver.clone(), &self.url).await
    }

    fn wait_until_ready(&self) {
        let port = self.url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("a port in the server's address");
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
