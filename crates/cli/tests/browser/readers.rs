//! A reader of a published post-mortem: asked in the inbox, opens it from there, and marks
//! it read and understood on its page.

use hindsight_core::Role;
use serde_json::json;

use super::app::{App, DEMO_PASSWORD};
use super::demo;

#[tokio::test]
async fn a_reader_is_asked_in_the_inbox_and_marks_the_postmortem_read() {
    let Some(app) = App::with_demo_data().await else { return };
    let data = demo::data();
    let reader = demo::user_with(&data, Role::Viewer);
    let token = app.api_token("admin");
    // A published post-mortem, its readers chosen, archived and published again: the reader
    // is asked once, though the demo's own publication may have asked them already.
    let (status, list) = app.api("GET", "/api/v1/postmortems?status=published&limit=200", &token, &json!(null));
    assert_eq!(status, 200, "{list}");
    let public = |p: &&serde_json::Value| {
        let path = format!("/api/v1/incidents/{}", p["incident"].as_str().unwrap());
        app.api("GET", &path, &token, &json!(null)).1["private"] == false
    };
    let pm = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(public)
        .expect("a published post-mortem of a public demo incident");
    let (id, handle) = (pm["id"].as_str().unwrap(), pm["incident"].as_str().unwrap());
    let (status, body) =
        app.api("PUT", &format!("/api/v1/postmortems/{id}/readers"), &token, &json!({"users": [reader]}));
    assert_eq!(status, 200, "{body}");
    let mut version = pm["version"].as_i64().unwrap();
    for step in ["archived", "published"] {
        let path = format!("/api/v1/postmortems/{id}/status");
        let (status, body) = app.api("POST", &path, &token, &json!({"version": version, "status": step}));
        assert_eq!(status, 200, "{body}");
        version = body["version"].as_i64().unwrap();
    }

    let browser = app.open_browser().await;
    browser.sign_in(reader, DEMO_PASSWORD).await;
    browser.wait_for_text("What needs me").await;
    let asked = format!("The post-mortem of {handle} is published and you are among its readers");
    browser.wait_for_inbox(&asked).await;
    browser.screenshot("inbox-reader").await;
    let told = browser.execute("return [...document.querySelectorAll('.sentence')].map(s => s.textContent).find(t => t.startsWith(arguments[0]));", vec![json!(asked)]).await;
    browser.click(&format!("Open: {}", told.as_str().unwrap())).await;
    browser.wait_for_path(&format!("/incidents/{handle}/postmortem")).await;
    browser.wait_for_text("Readers").await;
    browser.click("I have read and understood it").await;
    browser.wait_for_text("Marked read and understood.").await;
    browser.wait_for_text("You marked it read and understood on").await;
    browser.screenshot("postmortem-readers").await;
    assert!(
        browser.text().await.contains("Read and understood by 1 of the 1 people asked, who have until "),
        "the count did not follow"
    );
}
