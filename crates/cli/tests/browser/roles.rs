//! What a viewer can and cannot do: read incidents and post-mortems, change nothing.

use hindsight_core::Role;

use super::app::{App, DEMO_PASSWORD};
use super::demo;

#[tokio::test]
async fn a_viewer_reads_but_cannot_declare_or_edit() {
    let Some(app) = App::with_demo_data().await else { return };
    let browser = app.open_browser().await;
    let data = demo::data();
    let viewer = demo::user_with(&data, Role::Viewer);
    let demo = demo::incident_with_postmortem(&data);
    let summary = demo.postmortem.as_ref().expect("a post-mortem").sections.summary.trim();

    browser.sign_in(viewer, DEMO_PASSWORD).await;
    browser.wait_for_text(&format!("{viewer} (viewer role)")).await;

    // No way to declare an incident, and its form's address answers 403.
    browser.click("Incidents").await;
    browser.wait_for_text("Incidents (").await;
    browser.screenshot("incidents-viewer").await;
    assert!(!browser.text().await.contains("New incident"), "a viewer is offered to declare an incident");
    browser.go_to("/incidents/new").await;
    browser.wait_for_text("Forbidden").await;
    browser.screenshot("incident-new-viewer").await;
    assert_eq!(browser.status().await, 403);
    assert!(!browser.text().await.contains("Declare an incident"));

    // The incident and its post-mortem can be read.
    browser.go_to("/incidents").await;
    browser.click(&demo.incident.title).await;
    browser.wait_for_text("Response times").await;
    browser.screenshot("incident-viewer").await;
    let incident = browser.path().await;
    browser.go_to(&format!("{incident}/postmortem/edit")).await;
    browser.wait_for_text("only editors and admins can change it").await;
    browser.screenshot("postmortem-viewer").await;
    assert_eq!(browser.value("Summary").await.trim(), summary, "the post-mortem is not shown to the viewer");

    // Nothing to save or move through review, and every field of the post-mortem is
    // read-only; a viewer may only ask in its discussion.
    let buttons = browser.buttons().await;
    for refused in ["Save", "Start post-mortem", "Submit for review", "Publish", "Back to draft", "Archive"] {
        assert!(!buttons.iter().any(|b| b == refused), "a viewer is offered {refused:?}: {buttons:?}");
    }
    let editable = browser.editable_fields().await;
    assert_eq!(editable, ["New comment"], "a viewer can change more than the discussion");

    // A form sent anyway, from the page itself with the session's own token (as with the
    // browser's developer tools), is refused, and nothing changes.
    let forged = "Forged by a viewer.";
    let script = "const form = document.getElementById('editor');
        const summary = form.querySelector('textarea[name=summary]');
        summary.readOnly = false;
        summary.value = arguments[0];
        const action = document.createElement('input');
        action.type = 'hidden';
        action.name = 'action';
        action.value = 'save';
        form.appendChild(action);
        form.submit();";
    browser.execute(script, vec![serde_json::json!(forged)]).await;
    browser.wait_for_text("Forbidden").await;
    browser.screenshot("postmortem-viewer-forged-save").await;
    browser.go_to(&format!("{incident}/postmortem/edit")).await;
    browser.wait_for_text("only editors and admins can change it").await;
    assert_eq!(browser.value("Summary").await.trim(), summary, "the viewer's forged save changed the post-mortem");
}
