//! Signing in and out through the pages.

use super::app::{App, DEMO_PASSWORD};
use super::demo;

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_message() {
    let Some(app) = App::with_demo_data().await else { return };
    let browser = app.open_browser().await;

    browser.go_to("/").await;
    browser.wait_for_text("Sign in to Hindsight").await;
    browser.screenshot("sign-in").await;

    browser.sign_in("admin", "not-the-password").await;
    browser.wait_for_text("Wrong username or password.").await;
    browser.screenshot("sign-in-wrong-password").await;
    assert_eq!(browser.path().await, "/login");
    assert!(!browser.text().await.contains("Sign out"), "signed in with a wrong password");
}

#[tokio::test]
async fn signing_in_shows_every_incident_to_an_admin() {
    let Some(app) = App::with_demo_data().await else { return };
    let browser = app.open_browser().await;
    let data = demo::data();

    browser.sign_in("admin", DEMO_PASSWORD).await;
    browser.wait_for_text("What needs me").await;
    browser.screenshot("home").await;
    assert_eq!(browser.path().await, "/");
    browser.click("Incidents").await;
    browser.wait_for_text(&format!("Incidents ({})", data.incidents.len())).await;
    browser.screenshot("incidents").await;
    assert_eq!(browser.path().await, "/incidents");
    assert_eq!(browser.column("Incident").await.len(), data.incidents.len());
    let page = browser.text().await;
    for demo in &data.incidents {
        assert!(page.contains(&demo.incident.title), "{:?} is not listed", demo.incident.title);
    }
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let Some(app) = App::with_demo_data().await else { return };
    let browser = app.open_browser().await;

    browser.sign_in("grace.lee", DEMO_PASSWORD).await;
    browser.wait_for_text("grace.lee (viewer role)").await;
    browser.click("Sign out").await;
    browser.wait_for_text("Sign in to Hindsight").await;

    // The incident list is out of reach again.
    browser.go_to("/incidents").await;
    browser.wait_for_text("Sign in to Hindsight").await;
    assert_eq!(browser.path().await, "/login?next=/incidents");
}
