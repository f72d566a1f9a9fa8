//! Private incidents, seen from inside and outside.

use super::app::{App, DEMO_PASSWORD};
use super::demo;

#[tokio::test]
async fn a_private_incident_is_neither_listed_nor_shown_to_an_outsider() {
    let Some(app) = App::with_demo_data().await else { return };
    let browser = app.open_browser().await;
    let data = demo::data();
    let (private, outsider) = demo::private_incident_and_outsider(&data);
    let title = &private.incident.title;

    // An admin sees it listed, marked private, and learns its address.
    browser.sign_in("admin", DEMO_PASSWORD).await;
    browser.go_to("/incidents").await;
    browser.wait_for_text(title).await;
    let listed = browser.column("Incident").await;
    let row = listed.iter().find(|cell| cell.contains(title.as_str())).expect("listed for an admin");
    assert!(row.ends_with("private"), "not marked private: {row:?}");
    browser.click(title).await;
    browser.wait_for_text("Response times").await;
    let address = browser.path().await;
    browser.click("Sign out").await;
    browser.wait_for_text("Sign in to Hindsight").await;

    browser.sign_in(outsider, DEMO_PASSWORD).await;
    browser.wait_for_text(&format!("{outsider} (")).await;
    browser.go_to("/incidents").await;
    browser.wait_for_text("Incidents (").await;
    browser.screenshot("incidents-outsider").await;
    assert!(!browser.text().await.contains(title.as_str()), "{outsider} sees {title:?} listed");

    browser.go_to(&address).await;
    browser.wait_for_text("not found").await;
    browser.screenshot("incident-private-not-found").await;
    assert!(!browser.text().await.contains(title.as_str()), "{outsider} sees {title:?} on {address}");
}
