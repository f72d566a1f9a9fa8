//! Writing one post-mortem together: two people type in the same section at once and
//! each ends with the text holding both; each sees the other in the editor; a save made
//! without JavaScript, through the plain form, reaches the editors still open.

use std::time::{Duration, Instant};

use hindsight_core::Role;

use super::app::{App, DEMO_PASSWORD};
use super::demo;
use super::page::Browser;

#[tokio::test]
async fn two_people_type_in_one_section_at_once_and_a_form_save_reaches_them() {
    let Some(app) = App::with_demo_data().await else { return };
    let data = demo::data();
    let first = demo::user_with(&data, Role::Editor);
    let second = demo::other_user_with(&data, Role::Editor, first);
    let incident = &demo::incident_with_postmortem(&data).incident;
    let (one, two) = (app.open_browser().await, app.open_browser().await);
    one.sign_in(first, DEMO_PASSWORD).await;
    two.sign_in(second, DEMO_PASSWORD).await;
    one.go_to("/incidents").await;
    one.click(&incident.title).await;
    one.wait_for_text("Response times").await;
    let handle = one.path().await.trim_start_matches("/incidents/").to_string();
    let editor = format!("/incidents/{handle}/postmortem/edit");
    one.go_to(&editor).await;
    two.go_to(&editor).await;
    one.wait_for_text("Live: your changes are saved as you type").await;
    two.wait_for_text("Live: your changes are saved as you type").await;

    // Each sees the other, by the name the server knows them by.
    wait_for_item(&one, "Here now:", second).await;
    wait_for_item(&two, "Here now:", first).await;
    one.screenshot("live-two-editors").await;

    // Both type at the end of the summary at the same time.
    let before = one.value("Summary").await;
    let (mine, theirs) = (" Typed by the first editor.", " And by the second one.");
    tokio::join!(one.type_at_end("Summary", mine), two.type_at_end("Summary", theirs));
    let text = converged(&one, &two, "Summary", &[mine.trim(), theirs.trim()]).await;
    assert!(text.starts_with(before.trim_end()), "the text before the typing changed: {text:?}");
    one.screenshot("live-typed-at-once").await;

    // The post-mortem holds it once the typing is quiet, as the API reads it.
    let token = app.api_token(first);
    let stored = wait_for_summary(&app, &token, &handle, |summary| summary == text).await;
    assert_eq!(stored, text);

    // Someone without JavaScript saves the plain form; the open editors show their words.
    let plain = app.open_browser_without_scripts().await;
    plain.sign_in(first, DEMO_PASSWORD).await;
    plain.go_to(&editor).await;
    plain.wait_for_text("Saves every section at once").await;
    assert_eq!(plain.value("Summary").await, text, "the plain form does not show the live text");
    let added = " Added through the form.";
    plain.fill("Summary", &format!("{text}{added}")).await;
    plain.click_first("Save").await;
    plain.wait_for_text("Saved as version").await;
    let text = converged(&one, &two, "Summary", &[mine.trim(), theirs.trim(), added.trim()]).await;
    assert!(text.ends_with(added), "the form's words are not where it put them: {text:?}");
    two.screenshot("live-form-save-arrived").await;

    // The one who leaves is gone from the other's list.
    drop(two);
    let deadline = Instant::now() + Duration::from_secs(10);
    while one.list("Here now:").await.iter().any(|name| name == second) {
        assert!(Instant::now() < deadline, "{second} is still shown after leaving");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the list labelled `label` shows `item`.
async fn wait_for_item(browser: &Browser, label: &str, item: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let items = browser.list(label).await;
        if items.iter().any(|i| i == item) {
            return;
        }
        assert!(Instant::now() < deadline, "{item:?} is not in the list {label:?} within 10 s: {items:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the field labelled `label` reads the same in both browsers and holds every
/// one of `words`; answers that text.
async fn converged(one: &Browser, two: &Browser, label: &str, words: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (a, b) = (one.value(label).await, two.value(label).await);
        if a == b && words.iter().all(|w| a.contains(w)) {
            return a;
        }
        assert!(Instant::now() < deadline, "the two editors did not agree within 10 s:\n{a:?}\n{b:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the stored post-mortem's summary satisfies `done`; answers it.
async fn wait_for_summary(app: &App, token: &str, handle: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, answer) =
            app.api("GET", &format!("/api/v1/incidents/{handle}/postmortem"), token, &serde_json::Value::Null);
        assert_eq!(status, 200, "reading the post-mortem: {answer}");
        let summary = answer["sections"]["summary"].as_str().unwrap_or_default().to_string();
        if done(&summary) {
            return summary;
        }
        assert!(Instant::now() < deadline, "the stored summary did not follow within 10 s: {summary:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
