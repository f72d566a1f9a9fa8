//! An action item from the incident it follows to done: added with an owner and a
//! due date, found on the board, in its owner's inbox and on their home page, closed there.

use hindsight_core::Role;
use time::OffsetDateTime;

use super::app::{App, DEMO_PASSWORD};
use super::demo;

#[tokio::test]
async fn an_action_item_is_added_found_by_its_owner_and_closed() {
    let Some(app) = App::with_demo_data().await else { return };
    let browser = app.open_browser().await;
    let data = demo::data();
    let editor = demo::user_with(&data, Role::Editor);
    let owner = demo::other_user_with(&data, Role::Editor, editor);
    let incident = &demo::incident_with_postmortem(&data).incident;
    let title = "Alert when the search index is more than an hour old";
    let due = (OffsetDateTime::now_utc().date() + time::Duration::days(21)).to_string();

    // Added from the incident's action items, for someone else.
    browser.sign_in(editor, DEMO_PASSWORD).await;
    browser.wait_for_text("What needs me").await;
    browser.go_to("/incidents").await;
    browser.click(&incident.title).await;
    browser.wait_for_text("Response times").await;
    let handle = browser.path().await.trim_start_matches("/incidents/").to_string();
    browser.click("Manage action items").await;
    browser.wait_for_text("Add an action item").await;
    browser.fill("Title", title).await;
    browser.fill("Description", "Page the search on-call when the index falls behind the catalog.").await;
    browser.choose("Kind", "improve response").await;
    browser.choose("Priority", "P2").await;
    browser.choose("Owner", owner).await;
    browser.fill("Due date", &due).await;
    browser.screenshot("action-items-incident-add").await;
    browser.click("Add action item").await;
    browser.wait_for_text(&format!("Added “{title}”.")).await;
    browser.screenshot("action-items-incident").await;
    let page = browser.text().await;
    assert!(page.contains(&format!("due {due}")), "the due date is not shown");

    // On the board, open, with its owner and due date.
    browser.click("Action items").await;
    browser.wait_for_text("Sorted by due date").await;
    browser.fill("Incident", &handle).await;
    browser.click("Filter").await;
    browser.wait_for_path(&format!("/action-items?owner=&team=&incident={handle}")).await;
    browser.screenshot("action-items-board").await;
    let open = browser.section("Open").await;
    for shown in [title, owner, &format!("due {due}"), "P2"] {
        assert!(open.contains(shown), "the open column lacks {shown:?}:\n{open}");
    }
    browser.click("Sign out").await;
    browser.wait_for_text("Sign in to Hindsight").await;

    // Its owner is told in the inbox (the server's worker makes the notification within
    // seconds); opening it marks it read and leads to the item.
    browser.sign_in(owner, DEMO_PASSWORD).await;
    browser.wait_for_text("What needs me").await;
    let told = format!("Action item \u{201c}{title}\u{201d} of {handle} is assigned to you.");
    browser.wait_for_inbox(&told).await;
    let unread = browser.execute("return document.querySelector('.top .unread').textContent;", vec![]).await;
    assert!(unread.as_str().is_some_and(|n| n != "0"), "the header shows no unread count: {unread}");
    browser.screenshot("inbox").await;
    browser.click(&format!("Open: {told}")).await;
    for _ in 0..50 {
        if browser.path().await.starts_with("/action-items/") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(browser.path().await.starts_with("/action-items/"), "opening the notification did not lead to the item");
    browser.wait_for_text(title).await;
    browser.go_to("/inbox?show=unread").await;
    browser.wait_for_text("Inbox").await;
    assert!(!browser.text().await.contains(&told), "opened, the notification is still unread");

    // Its owner finds it at home and marks it done there.
    browser.go_to("/").await;
    browser.wait_for_text("What needs me").await;
    browser.screenshot("home-owner").await;
    let mine = browser.section("My open action items").await;
    assert!(mine.contains(title) && mine.contains(&format!("due {due}")), "not on the owner's home page:\n{mine}");
    browser.click(&format!("Mark done: {title}")).await;
    browser.wait_for_text(&format!("{title}: now done.")).await;
    assert!(!browser.section("My open action items").await.contains(title), "still open on the owner's home page");

    // Under done on the board.
    browser.go_to(&format!("/action-items?incident={handle}")).await;
    browser.wait_for_text("Sorted by due date").await;
    browser.screenshot("action-items-board-done").await;
    assert!(browser.section("Done").await.contains(title), "not under done");
    assert!(!browser.section("Open").await.contains(title), "still open on the board");
}
