//! The incident list and an incident's page.

use hindsight_core::IncidentStatus;

use super::app::{App, DEMO_PASSWORD};
use super::demo;

#[tokio::test]
async fn the_list_filters_by_status() {
    let Some(app) = App::with_demo_data().await else { return };
    let browser = app.open_browser().await;
    let data = demo::data();
    let resolved = demo::count_with_status(&data, IncidentStatus::Resolved);
    assert!(resolved > 1 && resolved < data.incidents.len(), "the demo needs several resolved incidents, not only");

    browser.sign_in("admin", DEMO_PASSWORD).await;
    browser.go_to("/incidents").await;
    browser.choose("Status", "resolved").await;
    browser.click("Apply filters").await;
    browser.wait_for_text(&format!("Incidents ({resolved})")).await;
    browser.screenshot("incidents-resolved").await;

    let path = browser.path().await;
    assert!(path.starts_with("/incidents?") && path.contains("&status=resolved&"), "{path}");
    let statuses = browser.column("Status").await;
    assert_eq!(statuses.len(), resolved);
    assert!(statuses.iter().all(|s| s == "resolved"), "{statuses:?}");
}

#[tokio::test]
async fn an_incident_page_shows_its_moments_timeline_and_postmortem() {
    let Some(app) = App::with_demo_data().await else { return };
    let browser = app.open_browser().await;
    let data = demo::data();
    let demo = demo::incident_with_postmortem(&data);
    let postmortem = demo.postmortem.as_ref().expect("a post-mortem");

    browser.sign_in("admin", DEMO_PASSWORD).await;
    browser.go_to("/incidents").await;
    browser.click(&demo.incident.title).await;
    browser.wait_for_text("Response times").await;
    browser.screenshot("incident").await;

    assert!(browser.path().await.starts_with("/incidents/INC-"));
    let page = browser.text().await;
    for heading in ["Key moments", "Response times", "Responders", "Timeline", "Post-mortem", "Action items"] {
        assert!(page.contains(heading), "no {heading:?} section");
    }
    for moment in ["Impact started", "Detected", "Acknowledged", "Mitigated", "Resolved", "Time to detect"] {
        assert!(page.contains(moment), "no {moment:?} moment");
    }
    for event in &demo.timeline {
        assert!(page.contains(event.text.trim()), "the timeline lacks {:?}", event.text);
    }
    let summary = postmortem.sections.summary.lines().next().unwrap_or_default().trim();
    assert!(!summary.is_empty() && page.contains(summary), "the post-mortem's summary is not shown");
    for item in &demo.action_items {
        assert!(page.contains(&item.title), "the action item {:?} is not shown", item.title);
    }
}

#[tokio::test]
async fn naming_an_incident_commander_on_the_edit_form_clears_the_finding() {
    let Some(app) = App::with_demo_data().await else { return };
    let browser = app.open_browser().await;
    let data = demo::data();
    let demo = demo::incident_without_commander(&data);
    let declarer = data.users.iter().find(|u| u.username == demo.declared_by).expect("the declarer is a demo user");

    browser.sign_in("admin", DEMO_PASSWORD).await;
    browser.go_to("/incidents").await;
    browser.click(&demo.incident.title).await;
    browser.wait_for_text("Response times").await;
    let incident = browser.path().await;
    assert!(browser.text().await.contains("No incident commander is recorded"), "the finding shows first");

    browser.click("Edit incident").await;
    browser.wait_for_text("Responders and their roles").await;
    if demo.incident.responders.is_empty() {
        browser.choose("Responder 1", &format!("{} ({})", declarer.display_name, declarer.username)).await;
    }
    browser.choose("Role of responder 1", "Incident commander").await;
    browser.fill("Reason (optional)", "They led the response").await;
    browser.screenshot("incident-edit").await;
    browser.click("Save changes").await;
    browser.wait_for_text("Saved the changes").await;
    browser.screenshot("incident-edited").await;

    assert!(browser.path().await.starts_with(&incident), "back on the incident page");
    let page = browser.text().await;
    assert!(!page.contains("No incident commander is recorded"), "the finding is gone");
    assert!(page.contains("Incident commander"), "the role shows among the responders");
}
