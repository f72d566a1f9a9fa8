//! Review in the browser: a reviewer asks for changes on the post-mortem's page, and its
//! owner is told in the inbox and finds the comment there.

use hindsight_core::Role;
use serde_json::json;

use super::app::{App, DEMO_PASSWORD};
use super::demo;

#[tokio::test]
async fn a_reviewer_asks_for_changes_and_the_owner_sees_it() {
    let Some(app) = App::with_demo_data().await else { return };
    let data = demo::data();
    let owner = demo::user_with(&data, Role::Editor);
    let reviewer = demo::other_user_with(&data, Role::Editor, owner);
    let token = app.api_token("admin");
    // A demo post-mortem in review, made the owner's, with the reviewer named.
    let (status, list) = app.api("GET", "/api/v1/postmortems?status=in_review&limit=200", &token, &json!(null));
    assert_eq!(status, 200, "{list}");
    let public = |p: &&serde_json::Value| {
        let path = format!("/api/v1/incidents/{}", p["incident"].as_str().unwrap());
        app.api("GET", &path, &token, &json!(null)).1["private"] == false
    };
    let pm = list["items"].as_array().unwrap().iter().find(public).expect("a demo post-mortem in review");
    let (id, handle) = (pm["id"].as_str().unwrap(), pm["incident"].as_str().unwrap());
    let patch = json!({"version": pm["version"], "owner": owner});
    let (status, body) = app.api("PATCH", &format!("/api/v1/postmortems/{id}"), &token, &patch);
    assert_eq!(status, 200, "{body}");
    let (status, body) =
        app.api("PUT", &format!("/api/v1/postmortems/{id}/reviewers"), &token, &json!({"reviewers": [reviewer]}));
    assert_eq!(status, 200, "{body}");

    // The reviewer asks for changes on the page.
    let browser = app.open_browser().await;
    browser.sign_in(reviewer, DEMO_PASSWORD).await;
    browser.wait_for_text("What needs me").await;
    browser.go_to(&format!("/incidents/{handle}/postmortem")).await;
    browser.wait_for_text("Your review").await;
    let ask = "Say how the on-call knew the queue had drained.";
    browser.fill("Your review (needed when asking for changes)", ask).await;
    browser.screenshot("review-verdict").await;
    browser.click("Ask for changes").await;
    browser.wait_for_text("Changes asked for. Its owner is told.").await;
    assert!(browser.section("Review").await.contains(ask), "the comment is not listed");
    browser.click("Sign out").await;
    browser.wait_for_text("Sign in to Hindsight").await;

    // Its owner is told, and opens it from the inbox.
    browser.sign_in(owner, DEMO_PASSWORD).await;
    browser.wait_for_text("What needs me").await;
    let told = format!("@{reviewer} asked for changes to the post-mortem of {handle}.");
    browser.wait_for_inbox(&told).await;
    browser.click(&format!("Open: {told}")).await;
    browser.wait_for_path(&format!("/incidents/{handle}/postmortem")).await;
    let review = browser.section("Review").await;
    assert!(
        review.contains(ask) && review.contains("Changes asked for by"),
        "the owner does not see the review:\n{review}"
    );
    browser.screenshot("review-owner").await;
}
