//! Building an incident's timeline from its tools in the browser: a PagerDuty log
//! entries page and an Alertmanager payload uploaded on the incident's page, then the
//! timeline and the response times they give.

use std::path::PathBuf;

use hindsight_core::Role;

use super::app::{App, DEMO_PASSWORD};
use super::demo;

/// One of the importers' own fixtures: real payload shapes.
fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/import").join(name)
}

/// The line after `label` in the page's text: a `<dt>`'s `<dd>`.
fn value_after(text: &str, label: &str) -> String {
    let mut lines = text.lines().map(str::trim).skip_while(|line| *line != label);
    lines.next();
    lines.find(|line| !line.is_empty()).unwrap_or_default().to_string()
}

#[tokio::test]
async fn imported_pages_and_alerts_build_the_timeline_and_its_response_times() {
    let Some(app) = App::with_demo_data().await else { return };
    let browser = app.open_browser().await;
    let data = demo::data();
    let editor = demo::user_with(&data, Role::Editor);

    browser.sign_in(editor, DEMO_PASSWORD).await;
    browser.go_to("/incidents/new").await;
    browser.fill("Title", "Checkout answers 5xx for card payments").await;
    // Impact began at 14:00; the fixtures' first alert fires at 14:06:00 and the page is
    // acknowledged at 14:09:02.
    // A date-and-time field is typed differently in every locale: set its value as the picker would.
    browser
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec!["started_at".into(), "2026-11-20T14:00".into()],
        )
        .await;
    browser.click("Declare incident").await;
    browser.wait_for_text("Declared INC-").await;
    let page = browser.path().await;
    let page = page.split('?').next().expect("a path").to_string();

    browser.upload("File", &fixture("pagerduty_log_page.json")).await;
    browser.choose("Format", "pagerduty-log").await;
    browser.click("Import").await;
    browser.wait_for_text("Import finished (pagerduty-log)").await;
    browser.screenshot("incident-imported-pagerduty").await;
    assert!(browser.text().await.contains("Acknowledged by Ana Lima"), "the acknowledgement is not on the timeline");

    browser.upload("File", &fixture("alertmanager_firing.json")).await;
    browser.choose("Format", "alertmanager").await;
    browser.click("Import").await;
    browser.wait_for_text("Import finished (alertmanager)").await;
    browser.screenshot("incident-imported-alertmanager").await;

    // The page as anyone opens it afterwards.
    browser.go_to(&page).await;
    browser.wait_for_text("Response times").await;
    browser.screenshot("incident-timeline-built").await;
    let text = browser.text().await;
    for event in
        ["CheckoutHighErrorRate", "Triggered through the API", "Acknowledged by Ana Lima", "Resolved by Ana Lima"]
    {
        assert!(text.contains(event), "the timeline lacks {event:?}");
    }
    assert_eq!(value_after(&text, "Time to detect").split_whitespace().next(), Some("6m"), "{text}");
    assert_eq!(value_after(&text, "Time to acknowledge").split_whitespace().next(), Some("9m"), "{text}");

    // Importing the same file again adds nothing.
    browser.upload("File", &fixture("alertmanager_firing.json")).await;
    browser.choose("Format", "alertmanager").await;
    browser.click("Import").await;
    browser.wait_for_text("Import finished (alertmanager)").await;
    assert_eq!(value_after(&browser.text().await, "Imported"), "0");
}
