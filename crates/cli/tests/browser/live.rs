//! Writing one post-mortem together: two people type in the same section at once and
//! each ends with the text holding both; each sees the other in the editor; a save made
//! without JavaScript, through the plain form, reaches the editors still open; a comment
//! on some words stays on them while the text around them changes.

use std::time::{Duration, Instant};

use hindsight_core::Role;

use super::app::{App, DEMO_PASSWORD};
use super::demo;
use super::page::{Browser, CONTROL_END, CONTROL_HOME, LEFT, RELEASE, SHIFT};

#[tokio::test]
async fn two_people_type_in_one_section_at_once_and_a_form_save_reaches_them() {
    let Some(TwoEditors { app, one, two, first, second, handle }) = TwoEditors::open().await else { return };
    let (first, second) = (first.as_str(), second.as_str());
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
    // Typed at one place at once, the two may interleave, but every keystroke of each is
    // there, in the order typed, after the text that was there before.
    let text = converged(&one, &two, "Summary", |text| {
        text.strip_prefix(before.as_str()).is_some_and(|typed| interleaves(typed, mine, theirs))
    })
    .await;
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
    let saved = format!("{text}{added}");
    converged(&one, &two, "Summary", |now| now == saved).await;
    two.screenshot("live-form-save-arrived").await;

    // The one who leaves is gone from the other's list.
    drop(two);
    let deadline = Instant::now() + Duration::from_secs(10);
    while one.list("Here now:").await.iter().any(|name| name == second) {
        assert!(Instant::now() < deadline, "{second} is still shown after leaving");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_row_added_in_one_editor_is_written_in_by_both() {
    let Some(TwoEditors { app, one, two, first, handle, .. }) = TwoEditors::open().await else { return };
    let editor = format!("/incidents/{handle}/postmortem/edit");
    let token = app.api_token(&first);
    let path = format!("/api/v1/incidents/{handle}/postmortem");
    let (_, stored) = app.api("GET", &path, &token, &serde_json::Value::Null);
    let actions = stored["sections"]["damage_control"].as_array().map_or(0, Vec::len);
    // The form ends with an empty action to fill in; the one added comes after it, and
    // takes its place once saved.
    let (added, label) = (format!("Action {}", actions + 2), format!("Action {}", actions + 1));
    for browser in [&one, &two] {
        browser.go_to(&editor).await;
        browser.wait_for_text("Live: your changes are saved as you type").await;
    }

    // A row added here is a shared text at once; saved, it shows in the other editor.
    one.click("Add an action").await;
    one.type_at_end(&added, "Drain the retry queue.").await;
    one.click_first("Save").await;
    one.wait_for_text("Saved as version").await;
    one.wait_for_text("Live: your changes are saved as you type").await;
    wait_until(&two, "the new action to show", |two| {
        let label = label.clone();
        async move { two.value(&label).await == "Drain the retry queue." }
    })
    .await;
    two.screenshot("live-row-added").await;

    // Both write in it at once; each ends with both.
    let (mine, theirs) = (" Then re-enable it.", " Tell support.");
    tokio::join!(one.type_at_end(&label, mine), two.type_at_end(&label, theirs));
    let text = converged(&one, &two, &label, |text| {
        text.strip_prefix("Drain the retry queue.").is_some_and(|typed| interleaves(typed, mine, theirs))
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, stored) = app.api("GET", &path, &token, &serde_json::Value::Null);
        let last = stored["sections"]["damage_control"].as_array().and_then(|rows| rows.last().cloned());
        if last.as_ref().is_some_and(|row| row["description"] == text.as_str()) {
            break;
        }
        assert!(Instant::now() < deadline, "the stored action did not follow within 10 s: {last:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Two demo editors in two browsers, signed in, and the demo incident with a post-mortem
/// that they edit (found the way a person finds it, from the incident list).
struct TwoEditors {
    app: App,
    one: Browser,
    two: Browser,
    first: String,
    second: String,
    handle: String,
}

impl TwoEditors {
    async fn open() -> Option<TwoEditors> {
        let app = App::with_demo_data().await?;
        let data = demo::data();
        let first = demo::user_with(&data, Role::Editor).to_string();
        let second = demo::other_user_with(&data, Role::Editor, &first).to_string();
        let incident = &demo::incident_with_postmortem(&data).incident;
        let (one, two) = (app.open_browser().await, app.open_browser().await);
        one.sign_in(&first, DEMO_PASSWORD).await;
        two.sign_in(&second, DEMO_PASSWORD).await;
        one.go_to("/incidents").await;
        one.click(&incident.title).await;
        one.wait_for_text("Response times").await;
        let handle = one.path().await.trim_start_matches("/incidents/").to_string();
        Some(TwoEditors { app, one, two, first, second, handle })
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

/// Waits until the field labelled `label` reads the same in both browsers and `done` says
/// so of it; answers that text.
async fn converged(one: &Browser, two: &Browser, label: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (a, b) = (one.value(label).await, two.value(label).await);
        if a == b && done(&a) {
            return a;
        }
        assert!(Instant::now() < deadline, "the two editors did not agree within 10 s:\n{a:?}\n{b:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether `text` is `a` and `b` interleaved: every character of each, in its order, and
/// nothing else.
fn interleaves(text: &str, a: &str, b: &str) -> bool {
    let (text, a, b): (Vec<char>, Vec<char>, Vec<char>) =
        (text.chars().collect(), a.chars().collect(), b.chars().collect());
    if text.len() != a.len() + b.len() {
        return false;
    }
    // can[j]: the first i + j characters of text are a[..i] and b[..j] interleaved.
    let mut can = vec![false; b.len() + 1];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            can[j] = match (i, j) {
                (0, 0) => true,
                _ => {
                    let from_a = i > 0 && can[j] && a[i - 1] == text[i + j - 1];
                    let from_b = j > 0 && can[j - 1] && b[j - 1] == text[i + j - 1];
                    from_a || from_b
                }
            };
        }
    }
    can[b.len()]
}

#[test]
fn interleaving_keeps_each_ones_order() {
    assert!(interleaves("Tabyc", "Ty", "abc"));
    assert!(interleaves("xy", "xy", ""));
    assert!(!interleaves("yx", "xy", ""));
    assert!(!interleaves("xyz", "xy", ""));
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

#[tokio::test]
async fn a_comment_stays_on_its_words_while_the_text_around_them_changes() {
    let Some(TwoEditors { app: _app, one, two, first, second, handle }) = TwoEditors::open().await else { return };
    let (first, second) = (first.as_str(), second.as_str());
    let editor = format!("/incidents/{handle}/postmortem/edit");
    one.go_to(&editor).await;
    one.wait_for_text("Live: your changes are saved as you type").await;

    // Words typed and selected: the comment form offers them.
    one.type_at_end("Summary", " Check the DNS record").await;
    one.keys("Summary", &format!("{SHIFT}{}{RELEASE}", LEFT.repeat(10))).await;
    one.wait_for_text("On Summary: “DNS record”").await;
    one.fill("New comment", &format!("Is the record's TTL the cause, @{second}?")).await;
    one.click("Comment").await;
    one.wait_for_text("Comment added.").await;
    one.wait_for_text("Live: your changes are saved as you type").await;
    assert_eq!(marked(&one).await, "DNS record");
    one.screenshot("live-comment").await;

    // Someone else writes before the words, then inside them: the comment stays on them.
    two.go_to(&editor).await;
    two.wait_for_text("Live: your changes are saved as you type").await;
    two.keys("Summary", &format!("{CONTROL_HOME}Earlier: ")).await;
    wait_until(&one, "the text before the words to change", |one| async move {
        one.value("Summary").await.starts_with("Earlier: ")
    })
    .await;
    assert_eq!(marked(&one).await, "DNS record");
    assert!(one.section("Discussion").await.contains("DNS record"));
    two.keys("Summary", &format!("{CONTROL_END}{}A ", LEFT.repeat(6))).await;
    wait_until(&one, "the words to read DNS A record", |one| async move {
        marked(one).await == "DNS A record" && one.section("Discussion").await.contains("On Summary: DNS A record")
    })
    .await;
    one.screenshot("live-comment-followed").await;

    // Resolved, the thread says by whom and its words are no longer marked.
    one.click("Resolve").await;
    one.wait_for_text("Resolved.").await;
    assert!(one.section("Discussion").await.contains(&format!("Resolved by {first}")));
    one.wait_for_text("Live: your changes are saved as you type").await;
    assert_eq!(marked(&one).await, "");
}

#[tokio::test]
async fn a_field_saved_and_a_comment_made_elsewhere_reach_an_open_editor() {
    let Some(TwoEditors { app, one, two, first, handle, .. }) = TwoEditors::open().await else { return };
    let first = first.as_str();
    let editor = format!("/incidents/{handle}/postmortem/edit");
    for browser in [&one, &two] {
        browser.go_to(&editor).await;
        browser.wait_for_text("Live: your changes are saved as you type").await;
    }

    // The second saves a field; the first, who did not touch it, sees the saved value.
    two.fill("Component", "search-indexer rebuild job").await;
    two.click_first("Save").await;
    two.wait_for_text("Saved as version").await;
    wait_until(&one, "the saved component to show", |one| async move {
        one.value("Component").await == "search-indexer rebuild job"
    })
    .await;

    // A comment made there shows here.
    two.fill("New comment", "Was the rebuild job the only writer?").await;
    two.click("Comment").await;
    two.wait_for_text("Comment added.").await;
    wait_until(&one, "the comment to show", |one| async move {
        one.section("Discussion").await.contains("Was the rebuild job the only writer?")
    })
    .await;
    one.screenshot("live-news").await;

    // Saving here now goes on top of that save: no merge to choose, and both fields stand.
    one.fill("Users affected", "77").await;
    one.click_first("Save").await;
    one.wait_for_text("Saved as version").await;
    assert!(!one.text().await.contains("Not saved yet"), "the save asked for a merge");
    let token = app.api_token(first);
    let (_, stored) =
        app.api("GET", &format!("/api/v1/incidents/{handle}/postmortem"), &token, &serde_json::Value::Null);
    assert_eq!(stored["sections"]["root_cause"]["component"], "search-indexer rebuild job");
    assert_eq!(stored["sections"]["impact"]["users_affected"], 77);

    // The completeness list follows a save made elsewhere too.
    one.wait_for_text("Live: your changes are saved as you type").await;
    assert!(!one.section("Completeness").await.contains("Component"));
    two.go_to(&editor).await;
    two.fill("Component", "").await;
    two.click_first("Save").await;
    two.wait_for_text("Saved as version").await;
    wait_until(&one, "the completeness list to ask for the component", |one| async move {
        one.section("Completeness").await.contains("Component")
    })
    .await;
}

/// The words the live editor marks as commented on, run together (without the carets
/// of other people that may stand among them).
async fn marked(browser: &Browser) -> String {
    let script = "return [...document.querySelectorAll('.cm-comment')].map(mark => {
            const words = mark.cloneNode(true);
            words.querySelectorAll('.cm-ySelectionCaret').forEach(caret => caret.remove());
            return words.textContent;
        }).join('');";
    browser.execute(script, vec![]).await.as_str().unwrap_or_default().to_string()
}

/// Waits until `done` says so of the page, for at most 10 s; fails naming `what`.
async fn wait_until<'a, F, Fut>(browser: &'a Browser, what: &str, done: F)
where
    F: Fn(&'a Browser) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(browser).await {
        assert!(Instant::now() < deadline, "waited 10 s for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
