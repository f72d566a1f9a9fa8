//! End-to-end tests: the built `hindsight` binary, on a fresh database, driven in
//! headless Chromium through chromedriver, the way a person uses it. Each test
//! saves screenshots of the pages it visits under `target/screenshots/`.
//!
//! Skipped (with a line saying so) where Chromium or chromedriver is missing,
//! unless `CI` is set: then they fail. `apt-get install -y chromium chromium-driver`.
//!
//! `browser/accessibility.rs` checks every main page with axe-core, which npm
//! installs from `browser/package.json` (`npm ci` in `crates/cli/tests/browser`;
//! `.ci/run` does it). Without it that one test is skipped, or fails under `CI`.
//!
//! A scenario test starts its own server and browser and reads like a person's
//! visit; see `browser/sign_in.rs` for the shape:
//!
//! ```ignore
//! let Some(app) = App::with_demo_data().await else { return };
//! let browser = app.open_browser().await;
//! browser.sign_in("admin", DEMO_PASSWORD).await;
//! browser.click("Sign out").await;
//! ```

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

mod browser {
    mod app;
    mod axe;
    mod chromedriver;
    mod demo;
    mod page;

    mod accessibility;
    mod action_items;
    mod import;
    mod incidents;
    mod live;
    mod postmortem;
    mod privacy;
    mod readers;
    mod review;
    mod roles;
    mod sign_in;
}
