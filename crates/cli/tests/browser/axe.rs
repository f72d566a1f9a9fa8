//! The accessibility check of a page: axe-core, read from the `node_modules` that
//! `npm ci` installs beside this file (`package.json` pins it), run inside the page
//! the browser shows. Only the violations axe rates "serious" or "critical" count.
//!
//! Where axe-core is not installed the check is skipped with a line saying so,
//! except under `CI`, where that fails: `.ci/run` installs it.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;

use serde::Deserialize;
use serde_json::json;

use super::page::Browser;

/// One rule a page breaks, with the elements that break it.
#[derive(Debug, Deserialize)]
pub struct Violation {
    /// axe's rule id, e.g. `color-contrast`.
    pub id: String,
    pub impact: String,
    /// What the rule asks, in a sentence.
    pub help: String,
    #[serde(rename = "helpUrl")]
    pub help_url: String,
    /// CSS selectors of the offending elements, and what axe says of each.
    pub nodes: Vec<(String, String)>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} ({}): {} <{}>", self.id, self.impact, self.help, self.help_url)?;
        // The first few say what is wrong; the rest are usually the same thing again.
        const SHOWN: usize = 5;
        for (selector, summary) in self.nodes.iter().take(SHOWN) {
            let summary = summary.split_whitespace().collect::<Vec<_>>().join(" ");
            writeln!(f, "    {selector}: {summary}")?;
        }
        if self.nodes.len() > SHOWN {
            writeln!(f, "    … and {} more elements", self.nodes.len() - SHOWN)?;
        }
        Ok(())
    }
}

/// Where `npm ci` puts axe-core.
fn script_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules/axe-core/axe.min.js")
}

/// axe-core's script, or `None` when it is not installed and `CI` is unset (the caller skips).
pub fn script() -> Option<String> {
    let path = script_path();
    match std::fs::read_to_string(&path) {
        Ok(script) => Some(script),
        Err(e) if hindsight_store::test_support::under_ci() => {
            panic!(
                "the accessibility check needs axe-core at {}: {e}; run `npm ci` in crates/cli/tests/browser",
                path.display()
            )
        }
        Err(_) => {
            static SAID: Once = Once::new();
            // Straight to stderr: the test harness captures print!, and this line must show.
            SAID.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped: run `npm ci` in crates/cli/tests/browser to check accessibility with axe-core"
                );
            });
            None
        }
    }
}

/// The serious and critical violations axe finds on the page the browser shows now.
pub async fn serious_violations(browser: &Browser, axe: &str) -> Vec<Violation> {
    if browser.execute("return typeof window.axe;", vec![]).await != json!("object") {
        browser.execute(axe, vec![]).await;
    }
    let run = "return axe.run(document, { resultTypes: ['violations'] }).then(result => result.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            helpUrl: v.helpUrl,
            nodes: v.nodes.map(n => [n.target.join(' '), n.failureSummary || '']),
        })));";
    let found = browser.execute(run, vec![]).await;
    serde_json::from_value(found.clone()).unwrap_or_else(|e| panic!("reading axe's answer {found}: {e}"))
}
