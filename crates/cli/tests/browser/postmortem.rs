//! Writing a post-mortem from a declared incident to its publication: the blameless
//! language hint while typing and after saving, the checklist that holds back an
//! incomplete post-mortem, then review and publication.

use hindsight_core::Role;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::app::{App, DEMO_PASSWORD};
use super::demo;
use super::page::Browser;

#[tokio::test]
async fn an_editor_writes_a_blameless_postmortem_and_publishes_it() {
    let Some(app) = App::with_demo_data().await else { return };
    let browser = app.open_browser().await;
    let data = demo::data();
    let editor = demo::user_with(&data, Role::Editor);
    // Someone the summary blames by name; the check knows every user's name.
    let colleague = demo::other_user_with(&data, Role::Editor, editor);
    let colleague = data.users.iter().find(|u| u.username == colleague).expect("a demo user");
    let first_name = colleague.display_name.split_whitespace().next().expect("a display name");
    let service = data.services.first().expect("a demo service");
    let title = "Search shows stale results after the index rebuild";

    // Declare the incident with the form.
    browser.sign_in(editor, DEMO_PASSWORD).await;
    browser.wait_for_text("What needs me").await;
    browser.click("Incidents").await;
    browser.wait_for_text("Incidents (").await;
    browser.click("New incident").await;
    browser.wait_for_text("Declare an incident").await;
    browser.fill("Title", title).await;
    browser.tick(&service.name).await;
    browser.fill("Description", "Search answered with results up to two hours old.").await;
    browser.screenshot("incident-new").await;
    browser.click("Declare incident").await;
    browser.wait_for_text("Declared INC-").await;
    browser.screenshot("incident-declared").await;
    let path = browser.path().await;
    let handle = path.strip_prefix("/incidents/").and_then(|p| p.split('?').next()).expect("the incident's page");
    let handle = handle.to_string();
    assert!(browser.text().await.contains(title));

    // The incident page leads to the editor.
    let editor_path = format!("/incidents/{handle}/postmortem/edit");
    browser.click("Start post-mortem").await;
    browser.wait_for_text("No post-mortem yet").await;
    assert_eq!(browser.path().await, editor_path);
    browser.screenshot("postmortem-not-started").await;
    browser.click("Start post-mortem").await;
    browser.wait_for_text("Post-mortem started as a draft.").await;
    let mut version = version_shown(&browser).await;

    // A sentence that blames a person: the hint shows while typing, before any save.
    let blaming = format!(
        "{first_name} should have checked the replica lag before starting the rebuild, so search served stale \
         results for 40 minutes."
    );
    assert!(browser.hints("Summary").await.is_empty(), "a hint shows before anything is written");
    browser.fill("Summary", &blaming).await;
    let hints = browser.wait_for_hint("Summary", "should have").await;
    browser.screenshot("postmortem-live-hint").await;
    assert_eq!(version_shown(&browser).await, version, "the hint came from a save, not from the page's script");
    assert!(!browser.text().await.contains("Saved as version"), "saved before the hint showed");
    assert!(hints.iter().any(|h| h.contains("try:")), "the hint proposes no other wording: {hints:?}");

    // Saved, the page itself shows it.
    version = save(&browser, version).await;
    let hints = browser.hints("Summary").await;
    assert!(hints.iter().any(|h| h.contains("should have")), "the saved page shows no hint: {hints:?}");
    assert!(browser.text().await.contains("wording finding"), "no count of wording findings");
    browser.screenshot("postmortem-saved-hint").await;

    // Reworded about the system, the hint goes, while typing and once saved.
    let fixed = "The rebuild started while the replicas lagged, because the runbook had no lag check, so search \
                 served stale results for 40 minutes.";
    browser.fill("Summary", fixed).await;
    browser.wait_for_no_hints("Summary").await;
    version = save(&browser, version).await;
    assert!(browser.hints("Summary").await.is_empty());
    assert!(!browser.text().await.contains("wording finding"), "a wording finding is still counted");

    // Not complete yet: review is out of reach, and the checklist says what is missing.
    // The button is disabled, so clicking it sends nothing; the reason shows beside it.
    assert!(!browser.is_enabled("Submit for review").await, "an incomplete post-mortem can be submitted");
    browser.click("Submit for review").await;
    browser.wait_for_text("Submitting for review needs a complete post-mortem").await;
    browser.screenshot("postmortem-incomplete").await;
    assert_eq!(version_shown(&browser).await, version);
    let checklist = browser.section("Completeness").await;
    for missing in [
        "Root cause",
        "Component",
        "Legacy code",
        "Data lost",
        "Users affected",
        "Minutes of lost access",
        "Working hours lost",
        "Damage control",
        "Response analysis",
        "Timeline",
    ] {
        assert!(
            checklist.contains(&format!("{missing}: ")),
            "the checklist does not ask for {missing:?}:\n{checklist}"
        );
    }

    // The recommendation needs an action item with an owner and a due date: add it on its page.
    browser.go_to(&format!("/incidents/{handle}")).await;
    browser.click("Manage action items").await;
    browser.wait_for_text("Add an action item").await;
    let item = "Check the replica lag before an index rebuild starts";
    let due = (OffsetDateTime::now_utc().date() + time::Duration::days(14)).to_string();
    browser.fill("Title", item).await;
    browser.choose("Owner", editor).await;
    browser.fill("Due date", &due).await;
    browser.click("Add action item").await;
    browser.wait_for_text(&format!("Added “{item}”.")).await;

    // Detection and mitigation are key moments of the timeline. The incident page has no
    // form to add an event yet, so they are added through the JSON API, with a token made
    // by `hindsight token create` as an editor would.
    let token = app.api_token(editor);
    let events = format!("/api/v1/incidents/{handle}/events");
    let now = OffsetDateTime::now_utc();
    let at = |minutes_ago: i64| (now - time::Duration::minutes(minutes_ago)).format(&Rfc3339).expect("a time");
    for (minutes_ago, kind, key_moment, text) in [
        (50, "alert", "detection", "SearchIndexStale fired: index 2 h behind the catalog"),
        (10, "action", "mitigation", "Search switched back to the previous index"),
    ] {
        let event = json!({ "occurred_at": at(minutes_ago), "kind": kind, "key_moment": key_moment, "text": text });
        let (status, answer) = app.api("POST", &events, &token, &event);
        assert_eq!(status, 201, "adding the {key_moment} event: {answer}");
    }

    // Fill in what the checklist asked for, and link the action item to a recommendation.
    browser.go_to(&editor_path).await;
    browser.wait_for_text("Completeness").await;
    browser.fill("Root cause", "The rebuild job swaps the index without checking how far the replicas lag.").await;
    browser.choose("Certainty", "confirmed").await;
    browser.fill("Component", "search-indexer rebuild job").await;
    browser.choose("Legacy code", "No").await;
    browser.choose("Data lost", "No").await;
    browser.fill("Users affected", "340").await;
    browser.fill("Minutes of lost access", "0").await;
    browser.fill("Working hours lost", "3.5").await;
    browser.fill("Action 1", "None: results were fresh again once the previous index was back").await;
    browser
        .fill(
            "Response analysis",
            "The stale-index alert fired ten minutes into the impact; switching back to the previous index took \
             one command once the lag was seen.",
        )
        .await;
    browser.fill("Recommendation 1", "Make the rebuild wait until the replicas have caught up.").await;
    browser.tick(&format!("{item} ({editor}, due {due})")).await;
    version = save(&browser, version).await;
    browser.screenshot("postmortem-complete").await;
    let checklist = browser.section("Completeness").await;
    assert!(checklist.contains("Nothing is missing"), "still incomplete:\n{checklist}");

    // Review, then publication.
    browser.click("Submit for review").await;
    browser.wait_for_text("Submitted for review.").await;
    assert!(browser.section("Review").await.contains("Status: in review"));
    browser.click("Publish").await;
    browser.wait_for_text("Published.").await;
    browser.screenshot("postmortem-published").await;
    assert!(browser.section("Review").await.contains("Status: published"));
    assert!(version_shown(&browser).await > version);

    // The incident's page shows it published, with the timeline the API added.
    browser.go_to(&format!("/incidents/{handle}")).await;
    browser.wait_for_text("Response times").await;
    browser.screenshot("incident-postmortem-published").await;
    assert!(browser.section("Post-mortem").await.contains("published"));
    let page = browser.text().await;
    assert!(page.contains("SearchIndexStale fired") && page.contains("Search switched back"), "no timeline events");
    assert!(page.contains(fixed), "the summary is not shown");
}

/// The version the editor says it shows ("Version 3").
async fn version_shown(browser: &Browser) -> i64 {
    let text = browser.text().await;
    let after = text.split("Version ").nth(1).unwrap_or_default();
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or_else(|_| panic!("no version shown on the editor:\n{text}"))
}

/// Saves the editor (its first "Save" button) and waits for a newer version; returns it.
/// The texts reach the post-mortem as they are typed, so a save may be one of several
/// versions since `version`.
async fn save(browser: &Browser, version: i64) -> i64 {
    browser.click_first("Save").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let text = browser.text().await;
        let shown = version_shown(browser).await;
        if shown > version && text.contains(&format!("Saved as version {shown}.")) {
            return shown;
        }
        assert!(std::time::Instant::now() < deadline, "not saved after version {version} within 10 s:\n{text}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
