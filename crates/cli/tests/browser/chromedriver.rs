//! The chromedriver the browser tests share: found on this machine, started once
//! per test binary on a free loopback port, stopped when the last test using it
//! ends. Not a general WebDriver launcher: Debian's `chromium` and
//! `chromium-driver` are what it looks for (or `CHROMIUM` / `CHROMEDRIVER`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Once, Weak};
use std::time::{Duration, Instant};

/// A running chromedriver and the Chromium it starts browsers from.
pub struct Chromedriver {
    /// Where to send WebDriver commands, e.g. `http://127.0.0.1:45123`.
    pub url: String,
    pub chromium: PathBuf,
    child: Child,
}

static SHARED: Mutex<Weak<Chromedriver>> = Mutex::new(Weak::new());

/// The chromedriver of this test binary, started if no test holds it now.
///
/// `None` when Chromium or chromedriver is not installed and `CI` is unset: the
/// caller skips its test. Under `CI` a missing browser fails the test instead,
/// so CI cannot pass without running these tests.
pub fn shared() -> Option<Arc<Chromedriver>> {
    let (chromedriver, chromium) = match (find("CHROMEDRIVER", "chromedriver"), find("CHROMIUM", "chromium")) {
        (Some(driver), Some(chromium)) => (driver, chromium),
        _ if hindsight_store::test_support::under_ci() => {
            panic!("the browser tests need chromium and chromedriver: apt-get install -y chromium chromium-driver")
        }
        _ => {
            static SAID: Once = Once::new();
            // Straight to stderr: the test harness captures print!, and this line must show.
            SAID.call_once(|| {
                let _ =
                    writeln!(std::io::stderr(), "skipped: install chromium chromium-driver to run the browser tests");
            });
            return None;
        }
    };
    let mut shared = SHARED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(running) = shared.upgrade() {
        return Some(running);
    }
    let started = Arc::new(Chromedriver::start(&chromedriver, chromium));
    *shared = Arc::downgrade(&started);
    Some(started)
}

/// A program named by an environment variable, or found on `PATH`.
fn find(variable: &str, program: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(program)).find(|p| p.is_file())
}

impl Chromedriver {
    fn start(program: &Path, chromium: PathBuf) -> Chromedriver {
        let port = free_port();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
        let mut driver = Chromedriver { url: format!("http://127.0.0.1:{port}"), chromium, child };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = driver.child.try_wait().ok().flatten() {
                panic!("{} exited at start ({status})", program.display());
            }
            if http(port, "GET", "/status").is_some_and(|answer| answer.contains("\"ready\":true")) {
                return driver;
            }
            assert!(Instant::now() < deadline, "{} did not answer on port {port} within 20 s", program.display());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn port(&self) -> u16 {
        self.url.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or_default()
    }

    /// Ends a WebDriver session, and with it its browser; blocking, so it works in `Drop`.
    pub fn delete_session(&self, session_id: &str) {
        let _ = http(self.port(), "DELETE", &format!("/session/{session_id}"));
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // A browser whose session was never closed outlives its chromedriver;
        // end such browsers first, by their process ids.
        for pid in children_of(self.child.id()) {
            let _ = Command::new("kill").arg(pid.to_string()).stderr(Stdio::null()).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

/// One HTTP/1.1 request without a body to a loopback port; the whole answer, or
/// `None` when nothing answers.
pub fn http(port: u16, method: &str, path: &str) -> Option<String> {
    request(port, method, path, &[], "")
}

/// One HTTP/1.1 request to a loopback port with extra `headers` and a `body`; the
/// whole answer, or `None` when nothing answers.
pub fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).ok()?;
    // chromedriver keeps the connection open despite `Connection: close`, so
    // read until the answer is complete rather than to the end of the stream.
    let mut answer = Vec::new();
    let mut buffer = [0; 8192];
    while !is_complete(&answer) {
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 {
            break;
        }
        answer.extend_from_slice(&buffer[..read]);
    }
    Some(String::from_utf8_lossy(&answer).into_owned())
}

/// Whether `answer` holds a whole HTTP/1.1 response: headers and a body of
/// `Content-Length` bytes, or the last chunk of a chunked body.
fn is_complete(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else { return false };
    let head = head.to_ascii_lowercase();
    let length = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok());
    match length {
        Some(length) => body.len() >= length,
        None if head.contains("transfer-encoding: chunked") => body.ends_with("0\r\n\r\n"),
        None => false,
    }
}

/// Process ids whose parent is `parent` (Linux; empty elsewhere).
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (command) state ppid ...": the command may hold spaces and parentheses.
            let ppid: u32 = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == parent).then_some(pid)
        })
        .collect()
}
