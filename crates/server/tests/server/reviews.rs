//! Review over HTTP and on the post-mortem's page: reviewers named with the form, a
//! reviewer's verdict from the page, the approvals counted, the meeting recorded.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{self, As, spawn_app};

#[tokio::test]
async fn reviewers_named_on_the_page_give_their_verdicts_there() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let (status, pm) =
        app.post(As::User("editor"), &format!("/api/v1/incidents/{}/postmortem", seed.public), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    let id = pm["id"].as_str().unwrap();
    let path = format!("/incidents/{}/postmortem", seed.public);
    let editor = common::sign_in(&app, "editor").await;
    let (status, to, _) =
        common::post_form(&app, &editor, &format!("{path}/reviewers"), &[("reviewers", "admin, @viewer")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let (_, html) = common::page(&app, &editor, &path).await;
    assert!(html.contains("Publishing needs 1 approval from its reviewers."), "{html}");
    assert!(html.contains("Reviewers: admin, viewer."), "{html}");

    // In review, a reviewer finds the verdict form; asking for changes needs a comment.
    let user = app.store.user_by_username("editor").await.unwrap();
    let owner = hindsight_core::access::Viewer {
        user_id: Some(hindsight_core::access::UserId::new(user.id)),
        username: user.username,
        role: user.role,
    };
    app.store.set_postmortem_status(&owner, id, 1, hindsight_core::PostmortemStatus::InReview).await.unwrap();
    let viewer = common::sign_in(&app, "viewer").await;
    let (_, html) = common::page(&app, &viewer, &path).await;
    assert!(html.contains(">Ask for changes</button>") && !html.contains("Save reviewers"), "{html}");
    let reviews = format!("{path}/reviews");
    let (status, _, _) = common::post_form(&app, &viewer, &reviews, &[("verdict", "changes_requested")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let asked = [("verdict", "changes_requested"), ("comment", "Say how long the pool took to refill.")];
    let (status, to, _) = common::post_form(&app, &viewer, &reviews, &asked).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let (_, html) = common::page(&app, &viewer, &path).await;
    assert!(html.contains("<strong>viewer</strong> asked for changes"), "{html}");
    assert!(html.contains("Say how long the pool took to refill."), "{html}");
    // Someone not named may not review; an approval from a reviewer counts.
    let (status, _) = app
        .post(As::User("outsider"), &format!("/api/v1/postmortems/{id}/reviews"), json!({"verdict": "approved"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) =
        app.post(As::User("admin"), &format!("/api/v1/postmortems/{id}/reviews"), json!({"verdict": "approved"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, state) = app.get(As::User("viewer"), &format!("/api/v1/postmortems/{id}/review")).await;
    assert_eq!(state["approved_by"], json!(["admin"]));
    assert_eq!(state["changes_requested_by"], json!(["viewer"]));
    assert_eq!((state["approvals_needed"].clone(), state["round"].clone()), (json!(1), json!(1)));

    // The meeting, recorded with the page's form.
    let meeting = [("held_at", "2026-12-03T15:00"), ("attendees", "editor, admin")];
    let (status, to, _) = common::post_form(&app, &editor, &format!("{path}/review-meeting"), &meeting).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let (_, state) = app.get(As::User("viewer"), &format!("/api/v1/postmortems/{id}/review")).await;
    assert_eq!(state["meeting"], json!({"held_at": "2026-12-03T15:00:00Z", "attendees": ["admin", "editor"]}));
    let (_, html) = common::page(&app, &viewer, &path).await;
    assert!(html.contains("Review meeting: held 2026-12-03 15:00 UTC with admin, editor."), "{html}");

    // Resolved on Friday 4 December, a SEV2's steps fall due in business days from then.
    let incident = format!("/api/v1/incidents/{}", seed.public);
    let (_, current) = app.get(As::User("admin"), &incident).await;
    let resolve = json!({"version": current["version"], "status": "resolved", "mitigated_at": "2026-12-04T17:00:00Z", "resolved_at": "2026-12-04T18:00:00Z"});
    let (status, body) = app.patch(As::User("admin"), &incident, resolve).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, state) = app.get(As::User("viewer"), &format!("/api/v1/postmortems/{id}/review")).await;
    assert_eq!(
        state["deadlines"],
        json!({"draft": "2026-12-09", "review_meeting": "2026-12-11", "publication": "2026-12-15"})
    );
    let (_, html) = common::page(&app, &viewer, &path).await;
    assert!(html.contains("Draft due 2026-12-09"), "{html}");
}

#[tokio::test]
async fn a_refused_form_on_the_page_shows_again_with_what_was_typed_and_why() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let (status, pm) =
        app.post(As::User("editor"), &format!("/api/v1/incidents/{}/postmortem", seed.public), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    let path = format!("/incidents/{}/postmortem", seed.public);
    let editor = common::sign_in(&app, "editor").await;
    let error = "<p class=\"error\" role=\"alert\">";
    // A reviewer's name no one has.
    let typed = [("reviewers", "admin, nobody-by-that-name")];
    let (status, _, html) = common::post_form(&app, &editor, &format!("{path}/reviewers"), &typed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains(error) && html.contains("nobody-by-that-name"), "{html}");
    assert!(html.contains("value=\"admin, nobody-by-that-name\""), "{html}");
    // A meeting time that is not one: the attendees typed stay.
    let typed = [("held_at", "last tuesday"), ("attendees", "editor, admin")];
    let (status, _, html) = common::post_form(&app, &editor, &format!("{path}/review-meeting"), &typed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains(error) && html.contains("is not a time"), "{html}");
    assert!(html.contains("value=\"editor, admin\"") && html.contains("value=\"last tuesday\""), "{html}");
    // A reader no one is.
    let typed = [("users", "ghost-reader")];
    let (status, _, html) = common::post_form(&app, &editor, &format!("{path}/readers"), &typed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains(error) && html.contains("value=\"ghost-reader\""), "{html}");
    // A public summary with a bad time keeps its words.
    let typed = [
        ("title", "Payments failed for 40 minutes"),
        ("body", "Card payments failed; no charge was taken twice."),
        ("impact_began_at", "soon"),
        ("impact_ended_at", ""),
    ];
    let (status, _, html) = common::post_form(&app, &editor, &format!("{path}/public-summary"), &typed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains(error) && html.contains("impact_began_at"), "{html}");
    assert!(html.contains("value=\"Payments failed for 40 minutes\""), "{html}");
    assert!(html.contains(">Card payments failed; no charge was taken twice.</textarea>"), "{html}");
    // A verdict without its choice keeps the review written.
    let user = app.store.user_by_username("editor").await.unwrap();
    let owner = hindsight_core::access::Viewer {
        user_id: Some(hindsight_core::access::UserId::new(user.id)),
        username: user.username,
        role: user.role,
    };
    let id = pm["id"].as_str().unwrap();
    common::post_form(&app, &editor, &format!("{path}/reviewers"), &[("reviewers", "viewer")]).await;
    app.store.set_postmortem_status(&owner, id, 1, hindsight_core::PostmortemStatus::InReview).await.unwrap();
    let viewer = common::sign_in(&app, "viewer").await;
    let typed = [("verdict", "changes_requested"), ("comment", "")];
    let (status, _, html) = common::post_form(&app, &viewer, &format!("{path}/reviews"), &typed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains(error), "{html}");
    let typed = [("verdict", "maybe"), ("comment", "The timeline stops at 10:40 & <why>?")];
    let (status, _, html) = common::post_form(&app, &viewer, &format!("{path}/reviews"), &typed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("Choose Approve or Ask for changes."), "{html}");
    assert!(html.contains(">The timeline stops at 10:40 &#38; &#60;why&#62;?</textarea>"), "{html}");
}
