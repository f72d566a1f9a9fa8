//! A browser a test drives the way a person would: go to a page, fill a field
//! by its label, choose an option, click what reads "Sign in", wait for text,
//! read a table's column, take a screenshot. Each helper panics with the page's
//! address and text when what it looks for is not there, so a failed test says
//! what the person would have seen.
//!
//! Things are found by their visible text and labels, never by CSS classes or
//! ids, so a control a test uses must have a label a person can read. The one
//! exception is `hints`: the blameless-language hints under an editor field are
//! read from the preview the editor keeps for that field.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use super::chromedriver::Chromedriver;

/// Control-A then releasing every modifier, and Backspace, as WebDriver keys.
const SELECT_ALL: &str = "\u{E009}a\u{E000}";
const BACKSPACE: &str = "\u{E003}";
/// Control-End (the end of a text) then releasing every modifier.
pub const CONTROL_END: &str = "\u{E009}\u{E010}\u{E000}";
/// Control-Home (the start of a text) then releasing every modifier.
pub const CONTROL_HOME: &str = "\u{E009}\u{E011}\u{E000}";
/// WebDriver's Shift (held until [`RELEASE`]), arrow left, and releasing every modifier.
pub const SHIFT: &str = "\u{E008}";
pub const LEFT: &str = "\u{E012}";
pub const RELEASE: &str = "\u{E000}";

/// The text of a live editor (its content element is `arguments[0]`), read from the plain
/// field that follows it (the editor's own lines hold other people's cursors too).
const LIVE_TEXT: &str = "const label = arguments[0].getAttribute('aria-labelledby');
    return document.getElementById(label.replace(/-label$/, '')).value;";

/// How long a helper waits for what it looks for to appear.
const PATIENCE: Duration = Duration::from_secs(10);
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 900;

/// One headless Chromium session with a profile of its own, closed on drop.
pub struct Browser {
    client: Client,
    base_url: String,
    session_id: String,
    driver: Arc<Chromedriver>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A browser on `base_url`; `scripts` false opens one with JavaScript turned off.
    pub(super) async fn open(driver: Arc<Chromedriver>, base_url: &str, scripts: bool) -> Browser {
        let profile = tempfile::Builder::new().prefix("hindsight-chromium-").tempdir().expect("a profile directory");
        // Without these, Chromium's background connections fail on a closed network and slow everything down.
        let (window, profile_dir) =
            (format!("--window-size={WIDTH},{HEIGHT}"), format!("--user-data-dir={}", profile.path().display()));
        let mut args = vec![
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--lang=en-US",
            &window,
            &profile_dir,
        ];
        if !scripts {
            args.push("--blink-settings=scriptEnabled=false");
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": driver.chromium, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else { unreachable!("an object literal") };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| panic!("starting Chromium through chromedriver: {e}"));
        let session_id = client.session_id().await.ok().flatten().expect("a WebDriver session id");
        Browser { client, base_url: base_url.to_string(), session_id, driver, _profile: profile }
    }

    /// Opens a page of the app under test, e.g. `go_to("/incidents/INC-3")`.
    pub async fn go_to(&self, path: &str) {
        let url = format!("{}{path}", self.base_url);
        self.client.goto(&url).await.unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    /// Signs in through the sign-in form, as a person would.
    pub async fn sign_in(&self, username: &str, password: &str) {
        self.go_to("/login").await;
        self.fill("Username", username).await;
        self.fill("Password", password).await;
        self.click("Sign in").await;
        // The click only starts the form's navigation: wait until it has landed, on
        // the page signed into or back on the form with its error.
        let deadline = Instant::now() + PATIENCE;
        while self.path().await.starts_with("/login") && !self.text().await.contains("Wrong username or password.") {
            if Instant::now() > deadline {
                self.fail(&format!("signing in as {username} did not finish within {PATIENCE:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The path and query of the page shown, e.g. `/?status=resolved`.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("the current address");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Waits until the page shown is at `path` (its path and query start with it).
    pub async fn wait_for_path(&self, path: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.path().await.starts_with(path) {
            if Instant::now() > deadline {
                self.fail(&format!("the browser did not reach {path:?} within {PATIENCE:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The page's visible text, as a person reads it.
    pub async fn text(&self) -> String {
        let text = self.client.execute("return document.body ? document.body.innerText : '';", vec![]).await;
        text.ok().and_then(|t| t.as_str().map(str::to_string)).unwrap_or_default()
    }

    /// Opens the unread inbox until it tells `text` (the server's worker makes notifications
    /// within seconds, apart from the request that caused them).
    pub async fn wait_for_inbox(&self, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            self.go_to("/inbox?show=unread").await;
            if self.text().await.contains(text) {
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!("{text:?} did not reach the inbox within {PATIENCE:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits until `text` shows on the page.
    pub async fn wait_for_text(&self, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.text().await.contains(text) {
            if Instant::now() > deadline {
                self.fail(&format!("{text:?} did not show within {PATIENCE:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the link or button that reads `text` (exactly, or else the one that contains it),
    /// or whose accessible name is `text` (`aria-label`, e.g. "Mark done: Rotate the keys").
    pub async fn click(&self, text: &str) {
        self.click_picked(text, Pick::Only).await;
    }

    /// Clicks the first, in page order, of several links or buttons that read `text`, as a
    /// person does when a form repeats its button (e.g. "Save" at its top and bottom).
    pub async fn click_first(&self, text: &str) {
        self.click_picked(text, Pick::First).await;
    }

    /// Clicks the link or button reading `text` that `pick` picks; one the page's script
    /// puts in again meanwhile (the live editor does, after a save elsewhere) is found again.
    async fn click_picked(&self, text: &str, pick: Pick) {
        let what = format!("a link or button reading {text:?}");
        let deadline = Instant::now() + PATIENCE;
        loop {
            let target = self.find_visible(&control_xpaths(text), &what, pick).await;
            match target.click().await {
                Ok(()) => return,
                Err(e) if Instant::now() < deadline && e.to_string().contains("stale element") => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("clicking {text:?}: {e}"),
            }
        }
    }

    /// Whether the (first) button that reads `text` can be pressed; `false` when it is disabled.
    pub async fn is_enabled(&self, text: &str) -> bool {
        let what = format!("a link or button reading {text:?}");
        let target = self.find_visible(&control_xpaths(text), &what, Pick::First).await;
        target.is_enabled().await.unwrap_or_else(|e| panic!("reading whether {text:?} is enabled: {e}"))
    }

    /// What the visible buttons on the page read, in page order.
    pub async fn buttons(&self) -> Vec<String> {
        let script = "return [...document.querySelectorAll('button, input[type=submit], input[type=button]')]
            .filter(b => b.offsetParent !== null)
            .map(b => (b.innerText || b.value || '').trim());";
        strings(&self.execute(script, vec![]).await)
    }

    /// The visible form fields a person can change right now (not read-only, not disabled),
    /// each named by its label, or else its `name`.
    pub async fn editable_fields(&self) -> Vec<String> {
        let script = "const label = f => f.labels && f.labels[0] ? f.labels[0].innerText
                : f.getAttribute('aria-labelledby') ? document.getElementById(f.getAttribute('aria-labelledby')).innerText
                : f.name || f.id;
            return [...document.querySelectorAll('input, select, textarea, [role=textbox][contenteditable]')]
            .filter(f => f.type !== 'hidden' && f.offsetParent !== null && !f.disabled && !f.readOnly
                && f.getAttribute('contenteditable') !== 'false')
            .map(f => label(f).trim());";
        strings(&self.execute(script, vec![]).await)
    }

    /// What the field labelled `label` holds now.
    pub async fn value(&self, label: &str) -> String {
        self.wait_for_live_editor().await;
        let deadline = Instant::now() + PATIENCE;
        loop {
            let field = self.field(label).await;
            if let Some(value) = field.prop("value").await.ok().flatten() {
                return value;
            }
            // A live text (a CodeMirror editor): its lines. The live editor may put the
            // field in again meanwhile (a list refreshed after a save): then it is found again.
            let args = vec![serde_json::to_value(&field).unwrap_or_default()];
            match self.client.execute(LIVE_TEXT, args).await {
                Ok(text) => return text.as_str().unwrap_or_default().to_string(),
                Err(e) if Instant::now() < deadline && e.to_string().contains("stale element") => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => self.fail(&format!("reading the field {label:?}: {e}")).await,
            }
        }
    }

    /// Ticks the checkbox labelled `label`; leaves it ticked when it is.
    pub async fn tick(&self, label: &str) {
        let field = self.field(label).await;
        if !field.is_selected().await.unwrap_or(false) {
            field.click().await.unwrap_or_else(|e| panic!("ticking {label:?}: {e}"));
        }
    }

    /// The visible text of the part of the page headed `heading`: the element that holds
    /// the heading (whose text, or first words before a count, read `heading`). A part the
    /// page's script puts in again while it is read (the live editor does, after a save
    /// elsewhere) is found and read again.
    pub async fn section(&self, heading: &str) -> String {
        let t = xpath_literal(heading);
        let xpath = format!(
            "//*[self::h1 or self::h2 or self::h3][normalize-space(text()[1])={t} or normalize-space(.)={t}]/.."
        );
        let deadline = Instant::now() + PATIENCE;
        loop {
            let section =
                self.one_of(std::slice::from_ref(&xpath), &format!("a part of the page headed {heading:?}")).await;
            match section.text().await {
                Ok(text) => return text,
                Err(e) if Instant::now() < deadline && e.to_string().contains("stale element") => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("reading the part headed {heading:?}: {e}"),
            }
        }
    }

    /// The blameless-language hints shown under the text field labelled `label`, each as read
    /// (rule, words, suggestion); empty when none shows. The editor shows them in a preview
    /// beside the field (`id` + `-lint`), as a list of `lint-finding` items, whether the page
    /// rendered them or its script did while the person typed.
    pub async fn hints(&self, label: &str) -> Vec<String> {
        self.wait_for_live_editor().await;
        let field = self.field(label).await;
        // A live text is labelled by `<id>-label`; its plain field and preview keep the id.
        let id = match field.attr("id").await.ok().flatten() {
            Some(id) => id,
            None => field.attr("aria-labelledby").await.ok().flatten().unwrap_or_default().replace("-label", ""),
        };
        let script = "const preview = document.getElementById(arguments[0] + '-lint');
            if (!preview || preview.hidden) return [];
            return [...preview.querySelectorAll('.lint-finding')].map(li => li.innerText.trim());";
        strings(&self.execute(script, vec![json!(id)]).await)
    }

    /// Waits until the field labelled `label` shows a hint containing `words`; returns the hints.
    pub async fn wait_for_hint(&self, label: &str, words: &str) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let hints = self.hints(label).await;
            if hints.iter().any(|h| h.contains(words)) {
                return hints;
            }
            if Instant::now() > deadline {
                self.fail(&format!("no hint about {words:?} under {label:?} within {PATIENCE:?}; hints: {hints:?}"))
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the field labelled `label` shows no hint.
    pub async fn wait_for_no_hints(&self, label: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let hints = self.hints(label).await;
            if hints.is_empty() {
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!("the hints under {label:?} did not go within {PATIENCE:?}: {hints:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// On a post-mortem editor, waits until its live editor is up (or has given up
    /// connecting), so that a field is not typed into while it turns into an editor.
    pub async fn wait_for_live_editor(&self) {
        let script = "const bar = document.querySelector('.live-bar');
            return bar && !bar.hidden && bar.querySelector('.live-status').textContent.startsWith('Connecting');";
        let deadline = Instant::now() + PATIENCE;
        while self.execute(script, vec![]).await.as_bool() == Some(true) {
            if Instant::now() > deadline {
                self.fail(&format!("the live editor did not connect within {PATIENCE:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `script` in the page as a function body (`arguments` holds `args`) and returns
    /// what it returns; a returned promise is awaited.
    pub async fn execute(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        match self.client.execute(script, args).await {
            Ok(value) => value,
            Err(e) => self.fail(&format!("running a script in the page: {e}")).await,
        }
    }

    /// The HTTP status the page's own address answers with now, fetched from the page
    /// (WebDriver does not tell the status of a page it opened).
    pub async fn status(&self) -> u16 {
        let script = "return fetch(location.href, { credentials: 'same-origin' }).then(r => r.status);";
        let status = self.execute(script, vec![]).await;
        status.as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or_default()
    }

    /// Types `value` into the field labelled `label`, replacing what was there.
    ///
    /// A date field takes `value` as `2026-12-15` and is typed the way the browser's
    /// en-US locale shows it (month, day, year).
    pub async fn fill(&self, label: &str, value: &str) {
        self.wait_for_live_editor().await;
        let field = self.field(label).await;
        if field.attr("contenteditable").await.ok().flatten().is_some() {
            // A live text: select all of it, then type over it (clearing its DOM would go
            // behind the editor's back).
            let keys = format!("{SELECT_ALL}{BACKSPACE}{value}");
            field.send_keys(&keys).await.unwrap_or_else(|e| panic!("typing into the field {label:?}: {e}"));
            return;
        }
        let kind = field.attr("type").await.ok().flatten().unwrap_or_default();
        let typed = match (kind.as_str(), value.split('-').collect::<Vec<_>>().as_slice()) {
            ("date", [year, month, day]) => format!("{month}{day}{year}"),
            _ => value.to_string(),
        };
        field.clear().await.unwrap_or_else(|e| panic!("clearing the field {label:?}: {e}"));
        field.send_keys(&typed).await.unwrap_or_else(|e| panic!("typing into the field {label:?}: {e}"));
    }

    /// Types `text` at the end of the field labelled `label`, leaving what is there (in a
    /// live text, where others may be typing too).
    pub async fn type_at_end(&self, label: &str, text: &str) {
        self.wait_for_live_editor().await;
        let field = self.field(label).await;
        let keys = format!("{CONTROL_END}{text}");
        field.send_keys(&keys).await.unwrap_or_else(|e| panic!("typing into the field {label:?}: {e}"));
    }

    /// Presses `keys` (WebDriver key codes among them, e.g. [`CONTROL_HOME`]) in the field
    /// labelled `label`, from where its caret is.
    pub async fn keys(&self, label: &str, keys: &str) {
        self.wait_for_live_editor().await;
        let field = self.field(label).await;
        field.send_keys(keys).await.unwrap_or_else(|e| panic!("pressing keys in the field {label:?}: {e}"));
    }

    /// The items of the list labelled `label` (by `aria-labelledby` or `aria-label`), as read.
    pub async fn list(&self, label: &str) -> Vec<String> {
        let script = "const [label] = arguments;
            for (const list of document.querySelectorAll('ul, ol')) {
                const by = list.getAttribute('aria-labelledby');
                const named = by ? document.getElementById(by)?.innerText : list.getAttribute('aria-label');
                if (named && named.trim() === label) return [...list.children].map(li => li.innerText.trim());
            }
            return null;";
        match self.execute(script, vec![json!(label)]).await {
            serde_json::Value::Null => self.fail(&format!("no list is labelled {label:?}")).await,
            items => strings(&items),
        }
    }

    /// Chooses the option that reads `option` in the list labelled `label`.
    pub async fn choose(&self, label: &str, option: &str) {
        let select = self.field(label).await;
        let locator = format!(".//option[normalize-space(.)={}]", xpath_literal(option));
        if select.select_by(Locator::XPath(&locator)).await.is_err() {
            self.fail(&format!("the list {label:?} has no option {option:?}")).await;
        }
    }

    /// Puts the file at `path` on the file input labelled `label`, as choosing it in the file picker would.
    pub async fn upload(&self, label: &str, path: &Path) {
        let input = self.field(label).await;
        let path = path.canonicalize().unwrap_or_else(|e| panic!("the file to upload, {}: {e}", path.display()));
        let path = path.to_str().expect("a file name in UTF-8");
        input.send_keys(path).await.unwrap_or_else(|e| panic!("choosing {path} for {label:?}: {e}"));
    }

    /// The cells under the column headed `header`, in the first table that has one, top to bottom.
    pub async fn column(&self, header: &str) -> Vec<String> {
        let script = "const [header] = arguments;
            for (const table of document.querySelectorAll('table')) {
                const i = [...table.querySelectorAll('thead th')].findIndex(th => th.innerText.trim() === header);
                if (i >= 0) {
                    return [...table.querySelectorAll('tbody tr')].map(tr => tr.cells[i] ? tr.cells[i].innerText.trim() : '');
                }
            }
            return null;";
        let cells = self.client.execute(script, vec![json!(header)]).await.expect("reading a table");
        match cells.as_array() {
            Some(cells) => cells.iter().map(|c| c.as_str().unwrap_or_default().to_string()).collect(),
            None => self.fail(&format!("no table has a column headed {header:?}")).await,
        }
    }

    /// Saves the whole page, not only the window, as `<workspace>/target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        // The window is taller than the page it shows by what Chromium keeps for itself.
        let sizes = "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight];";
        let sizes = self.client.execute(sizes, vec![]).await.ok();
        let number = |i: usize| sizes.as_ref().and_then(|s| s[i].as_u64()).and_then(|n| u32::try_from(n).ok());
        let height = (number(0).unwrap_or(HEIGHT) + number(1).unwrap_or(0)).clamp(HEIGHT, 12_000);
        let _ = self.client.set_window_size(WIDTH, height).await;
        let png = self.client.screenshot().await;
        let _ = self.client.set_window_size(WIDTH, HEIGHT).await;
        let png = png.unwrap_or_else(|e| panic!("taking the screenshot {name:?}: {e}"));
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        let file = dir.join(format!("{name}.png"));
        std::fs::write(&file, png).unwrap_or_else(|e| panic!("writing {}: {e}", file.display()));
        println!("screenshot: {}", file.display());
        file
    }

    /// The form control a person finds by `label`: the label's `for`, the control
    /// inside the label, or a control whose `aria-label` is `label`.
    async fn field(&self, label: &str) -> Element {
        let t = xpath_literal(label);
        let control = "self::input or self::select or self::textarea";
        let by_for = format!("//*[({control}) and @id = //label[normalize-space(.)={t}]/@for]");
        let inside = format!(
            "//label[normalize-space(text()[1])={t} or normalize-space(.)={t}]//*[({control}) and not(@type='hidden')]"
        );
        let by_aria = format!("//*[({control}) and @aria-label={t}]");
        // A live text: the editor's content, labelled by the field's label.
        let live = format!("//*[@contenteditable and @aria-labelledby = //label[normalize-space(.)={t}]/@id]");
        self.one_of(&[by_for, inside, by_aria, live], &format!("a field labelled {label:?}")).await
    }

    /// The one visible element found by the first of `xpaths` that finds any,
    /// waiting for it to appear; fails when none appears or several match.
    async fn one_of(&self, xpaths: &[String], what: &str) -> Element {
        self.find_visible(xpaths, what, Pick::Only).await
    }

    /// A visible element found by the first of `xpaths` that finds any, waiting for
    /// it to appear; when several match, the first in page order or a failure.
    async fn find_visible(&self, xpaths: &[String], what: &str, pick: Pick) -> Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            for xpath in xpaths {
                let mut visible = Vec::new();
                for element in self.client.find_all(Locator::XPath(xpath)).await.unwrap_or_default() {
                    if element.is_displayed().await.unwrap_or(false) {
                        visible.push(element);
                    }
                }
                match (visible.len(), pick) {
                    (0, _) => continue,
                    (1, _) | (_, Pick::First) => return visible.remove(0),
                    (n, Pick::Only) => self.fail(&format!("{n} elements match {what}; say which")).await,
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!("no {what} within {PATIENCE:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fails the test, saying where the browser is and what it shows, and keeps a screenshot of it.
    async fn fail(&self, problem: &str) -> ! {
        let path = self.path().await;
        let text = self.text().await;
        let shown: String = text.chars().take(1500).collect();
        // libtest names each test's thread after the test.
        let test = std::thread::current().name().unwrap_or("test").replace("::", "-");
        let file = self.screenshot(&format!("failed-{test}")).await;
        panic!("{problem}\non {path} (screenshot {}), which shows:\n{shown}", file.display());
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Blocking and explicit, so Chromium is closed even when a failed test
        // unwinds past the async runtime that fantoccini would use to close it.
        self.driver.delete_session(&self.session_id);
    }
}

/// `<workspace root>/target/screenshots`, wherever `CARGO_TARGET_DIR` points.
fn screenshot_dir() -> PathBuf {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR"));
    cli.ancestors().nth(2).unwrap_or(cli).join("target").join("screenshots")
}

/// Which of several matching elements a helper takes.
#[derive(Clone, Copy)]
enum Pick {
    /// Only one may match: several is an ambiguity the test must resolve.
    Only,
    /// The first in page order.
    First,
}

/// Where to find a link or button by what it reads: exactly, by accessible name, or containing it.
fn control_xpaths(text: &str) -> [String; 2] {
    let t = xpath_literal(text);
    let exact = format!(
        "//a[normalize-space(.)={t} or @aria-label={t}] | //button[normalize-space(.)={t} or @aria-label={t}] \
         | //input[(@type='submit' or @type='button') and normalize-space(@value)={t}]"
    );
    let containing = format!("//a[contains(normalize-space(.), {t})] | //button[contains(normalize-space(.), {t})]");
    [exact, containing]
}

/// A script's answer read as a list of strings.
fn strings(value: &serde_json::Value) -> Vec<String> {
    value.as_array().into_iter().flatten().map(|v| v.as_str().unwrap_or_default().to_string()).collect()
}

/// `text` as an XPath 1.0 string literal, which has no escapes.
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|part| format!("'{part}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// The helpers that no page of the product exercises yet.
mod tests {
    use serde_json::json;

    use super::super::app::App;

    #[tokio::test]
    async fn upload_chooses_the_file_on_the_labelled_input() {
        let Some(app) = App::with_demo_data().await else { return };
        let browser = app.open_browser().await;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let file = dir.path().join("events.jsonl");
        std::fs::write(&file, "{}\n").expect("a file to upload");

        let page = "data:text/html,<label>Timeline%20file%20<input%20type=file></label>";
        browser.client.goto(page).await.expect("a page with a file input");
        browser.upload("Timeline file", &file).await;

        let chosen = browser.client.execute("return document.querySelector('input').files[0].name;", vec![]).await;
        assert_eq!(chosen.expect("the chosen file"), json!("events.jsonl"));
    }
}
