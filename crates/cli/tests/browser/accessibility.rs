//! Every main page checked with axe-core: no serious or critical violation.

use super::app::{App, DEMO_PASSWORD};
use super::axe::{self, Violation};
use super::demo;
use super::page::Browser;

#[tokio::test]
async fn the_main_pages_have_no_serious_accessibility_violations() {
    let Some(script) = axe::script() else { return };
    let Some(app) = App::with_demo_data().await else { return };
    let browser = app.open_browser().await;
    let data = demo::data();
    let incident = &demo::incident_with_postmortem(&data).incident;
    let team = data.teams.first().expect("a demo team");
    let service = data.services.first().expect("a demo service");
    let mut found: Vec<(String, Vec<Violation>)> = Vec::new();

    browser.go_to("/login").await;
    browser.wait_for_text("Sign in to Hindsight").await;
    found.push(check(&browser, &script, "sign-in").await);

    browser.sign_in("admin", DEMO_PASSWORD).await;
    browser.wait_for_text("What needs me").await;
    found.push(check(&browser, &script, "home").await);
    browser.go_to("/incidents").await;
    browser.click(&incident.title).await;
    browser.wait_for_text("Response times").await;
    let handle = browser.path().await;
    let pages = [
        ("incident list", "/incidents".to_string(), "Incidents (".to_string()),
        ("incident", handle.clone(), "Response times".to_string()),
        ("new incident form", "/incidents/new".to_string(), "Declare an incident".to_string()),
        ("incident edit form", format!("{handle}/edit"), "Responders and their roles".to_string()),
        ("resolve confirmation", format!("{handle}/resolve"), "Yes, resolve".to_string()),
        ("post-mortem editor", format!("{handle}/postmortem/edit"), "Completeness".to_string()),
        ("incident action items", format!("{handle}/action-items"), "Add an action item".to_string()),
        ("action-items board", "/action-items".to_string(), "Sorted by due date".to_string()),
        ("insights hotspots", "/insights/hotspots".to_string(), "Root-cause components".to_string()),
        ("insights fixes", "/insights/fixes".to_string(), "Held so far".to_string()),
        ("insights unknown causes", "/insights/unknown-causes".to_string(), "Unknown causes (".to_string()),
        ("insights factors", "/insights/factors".to_string(), "Share of tagged".to_string()),
        ("insights follow-through", "/insights/follow-through".to_string(), "Post-mortem coverage".to_string()),
        ("inbox", "/inbox".to_string(), "unread)".to_string()),
        ("teams", "/teams".to_string(), team.name.clone()),
        ("team", format!("/teams/{}", team.slug), team.name.clone()),
        ("services", "/services".to_string(), service.name.clone()),
        ("service", format!("/services/{}", service.slug), service.name.clone()),
        ("post-mortem", format!("{handle}/postmortem"), incident.title.clone()),
        ("post-mortem first draft", format!("{handle}/postmortem?draft=shown"), "to copy into the editor".to_string()),
        ("post-mortem history", format!("{handle}/postmortem/history"), "History".to_string()),
        ("own API tokens", "/settings/tokens".to_string(), "Your API tokens".to_string()),
        ("admin", "/admin".to_string(), "Admin".to_string()),
        ("admin users", "/admin/users".to_string(), "Users".to_string()),
        ("admin teams", "/admin/teams".to_string(), "Teams and services".to_string()),
        ("admin tokens", "/admin/tokens".to_string(), "API tokens".to_string()),
        ("admin policy", "/admin/policy".to_string(), "Post-mortem policy".to_string()),
        ("admin webhooks", "/admin/webhooks".to_string(), "Webhook secrets".to_string()),
        ("admin deliveries", "/admin/deliveries".to_string(), "Add a destination".to_string()),
        ("admin trackers", "/admin/trackers".to_string(), "Add a tracker".to_string()),
        ("public summaries", "/public".to_string(), "Incident summaries".to_string()),
    ];
    for (name, path, shows) in &pages {
        browser.go_to(path).await;
        browser.wait_for_text(shows).await;
        browser.screenshot(&format!("page-{}", name.replace(' ', "-"))).await;
        found.push(check(&browser, &script, name).await);
    }

    let failed: Vec<String> = found
        .iter()
        .filter(|(_, violations)| !violations.is_empty())
        .map(|(page, violations)| {
            let listed: String = violations.iter().map(|v| format!("  {v}")).collect();
            format!("{page}:\n{listed}")
        })
        .collect();
    assert!(failed.is_empty(), "serious or critical accessibility violations (axe-core):\n{}", failed.join("\n"));
}

/// The page's serious and critical violations, named after the page.
async fn check(browser: &Browser, script: &str, page: &str) -> (String, Vec<Violation>) {
    let violations = axe::serious_violations(browser, script).await;
    for violation in &violations {
        println!("{page} ({}): {violation}", browser.path().await);
    }
    (format!("{page} ({})", browser.path().await), violations)
}
