//! The discussion of a post-mortem over the API and the editor page: threads anchored to
//! the live document's words, replies, mentions, resolving, and who may do what. On SQLite
//! and PostgreSQL.

use crate::common;

use base64::Engine;
use common::{As, TestApp, spawn_on};
use hindsight_store::{Store, on_both_databases};
use reqwest::StatusCode;
use serde_json::{Value, json};
use yrs::updates::encoder::Encode;
use yrs::{Assoc, Doc, IndexedSequence, Text, Transact};

/// A post-mortem of `handle` whose summary reads `summary`, started by `who`; its id.
async fn postmortem(app: &TestApp, who: &'static str, handle: &str, summary: &str) -> String {
    let path = format!("/api/v1/incidents/{handle}/postmortem");
    let (status, pm) = app.post(As::User(who), &path, json!({"sections": {"summary": summary}})).await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    pm["id"].as_str().unwrap().to_string()
}

/// Positions around `from..to` of a summary, encoded as the editor sends them.
fn anchor(summary: &str, from: u32, to: u32) -> Value {
    let doc = Doc::new();
    let text = doc.get_or_insert_text("summary");
    text.insert(&mut doc.transact_mut(), 0, summary);
    let txn = doc.transact();
    let encode = |index, assoc| {
        let position = text.sticky_index(&txn, index, assoc).unwrap();
        base64::engine::general_purpose::STANDARD.encode(position.encode_v1())
    };
    let (start, end) = (encode(from, Assoc::After), encode(to, Assoc::Before));
    json!({"section": "summary", "start": start, "end": end, "quote": &summary[from as usize..to as usize]})
}

async fn threads_mentions_replies_and_resolving(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let summary = "The pool ran dry at 10:02.";
    let id = postmortem(&app, "editor", &seed.public, summary).await;
    let comments = format!("/api/v1/postmortems/{id}/comments");
    // A viewer asks about words of the summary, naming the editor (and an address, and nobody).
    let body = "Which pool, @editor? Mail ops@example.com or @nobody-here.";
    let (status, first) =
        app.post(As::User("viewer"), &comments, json!({"body": body, "anchor": anchor(summary, 4, 8)})).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["author"], "viewer");
    assert_eq!(first["mentions"], json!(["editor"]));
    assert_eq!(first["anchor"]["quote"], "pool");
    let thread = first["id"].as_str().unwrap();
    // Replies join the thread, even a reply to a reply.
    let (status, reply) =
        app.post(As::User("editor"), &comments, json!({"body": "The DB pool.", "reply_to": thread})).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    let (status, again) =
        app.post(As::User("admin"), &comments, json!({"body": "Thanks.", "reply_to": reply["id"]})).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["reply_to"], thread);
    let (status, list) = app.get(As::User("responder"), &comments).await;
    assert_eq!(status, StatusCode::OK);
    let bodies: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, [body, "The DB pool.", "Thanks."]);
    // Resolving: not a viewer for someone else's thread; the author and editors may.
    let (status, _) = app.post(As::User("responder"), &format!("/api/v1/comments/{thread}/resolve"), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, resolved) = app
        .post(As::User("viewer"), &format!("/api/v1/comments/{}/resolve", reply["id"].as_str().unwrap()), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!((&resolved["id"], &resolved["resolved_by"]), (&json!(thread), &json!("viewer")));
    let (status, reopened) =
        app.post(As::User("editor"), &format!("/api/v1/comments/{thread}/reopen"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reopened["resolved_at"], Value::Null);
    // An id no comment can have is not found, without being looked up.
    let long = "c".repeat(5_000);
    let (status, answer) = app.post(As::User("editor"), &format!("/api/v1/comments/{long}/resolve"), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert!(answer.to_string().len() < 1_000, "the answer does not repeat the id: {answer}");
    // The outbox says who was mentioned, for the notifications to come.
    let events = app.store.outbox_events(&hindsight_core::access::Viewer::operator(), 0, 100).await.unwrap();
    let added: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.event {
            hindsight_core::events::DomainEvent::CommentAdded { mentions, .. } => Some(mentions.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(added, [vec!["editor".to_string()], vec![], vec![]]);
    // Exported, the discussion is an appendix only when asked for.
    let export = format!("/api/v1/postmortems/{id}/export?format=md");
    let plain = app.client.get(app.url(&export)).bearer_auth(&app.tokens["viewer"]).send().await.unwrap();
    assert!(!plain.text().await.unwrap().contains("Appendix: discussion"));
    let with = format!("{export}&discussion=true");
    let with = app.client.get(app.url(&with)).bearer_auth(&app.tokens["viewer"]).send().await.unwrap();
    let markdown = with.text().await.unwrap();
    assert!(markdown.contains("## Appendix: discussion\n\n### On Summary: “pool”"), "{markdown}");
    assert!(markdown.contains("editor, ") && markdown.contains(": The DB pool."), "{markdown}");
}

async fn bad_comments_are_refused_by_field_and_private_ones_stay_private(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let id = postmortem(&app, "editor", &seed.public, "The pool ran dry.").await;
    let comments = format!("/api/v1/postmortems/{id}/comments");
    let mut not_a_position = anchor("The pool ran dry.", 4, 8);
    not_a_position["start"] = json!("AAAA");
    for (body, field) in [
        (json!({"body": "  "}), "body"),
        (json!({"body": "x".repeat(10_001)}), "body"),
        (json!({"body": "Why?", "anchor": not_a_position}), "anchor.start"),
        (
            json!({"body": "Why?", "anchor": {"section": "owner", "start": "AQ==", "end": "AQ==", "quote": ""}}),
            "anchor.section",
        ),
        (json!({"body": "Why?", "reply_to": "no-such-comment"}), "reply_to"),
    ] {
        let (status, problem) = app.post(As::User("editor"), &comments, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(problem.to_string().contains(field), "{field}: {problem}");
    }
    // A post-mortem keeps at most MAX_COMMENTS comments.
    let fill = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) \
         INSERT INTO comments (id, postmortem_id, body, created_at) \
         SELECT 'filler-' || i, '{id}', 'x', '2026-12-07 00:00:00.000000Z' FROM n",
        hindsight_core::MAX_COMMENTS
    );
    hindsight_store::test_support::execute_raw(&app.store, &fill).await;
    let (status, problem) = app.post(As::User("editor"), &comments, json!({"body": "One more?"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().contains("the most it keeps"), "{problem}");
    // A private post-mortem's discussion is invisible to outsiders, as the post-mortem is.
    let private = postmortem(&app, "admin", &seed.private, "Secret.").await;
    let path = format!("/api/v1/postmortems/{private}/comments");
    let (status, comment) = app.post(As::User("admin"), &path, json!({"body": "Kept in here."})).await;
    assert_eq!(status, StatusCode::CREATED);
    for (status, _) in [
        app.get(As::User("outsider"), &path).await,
        app.post(As::User("outsider"), &path, json!({"body": "Let me in."})).await,
        app.post(
            As::User("outsider"),
            &format!("/api/v1/comments/{}/resolve", comment["id"].as_str().unwrap()),
            json!({}),
        )
        .await,
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

async fn the_editor_page_shows_threads_and_takes_comments_by_form(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let summary = "The pool ran dry.";
    postmortem(&app, "editor", &seed.public, summary).await;
    let path = format!("/incidents/{}/postmortem/edit", seed.public);
    let comments = format!("/incidents/{}/postmortem/comments", seed.public);
    let cookie = common::sign_in(&app, "viewer").await;
    let (_, page) = common::page(&app, &cookie, &path).await;
    let token = common::csrf_token(&page);
    let anchor = anchor(summary, 4, 8);
    let form = [
        ("csrf_token", token.as_str()),
        ("action", "add"),
        ("body", "Which pool?"),
        ("anchor_section", "summary"),
        ("anchor_start", anchor["start"].as_str().unwrap()),
        ("anchor_end", anchor["end"].as_str().unwrap()),
        ("anchor_quote", "pool"),
    ];
    let (status, location, _) = common::send_form(&app, &cookie, &comments, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("notice=Comment%20added.") && location.ends_with("#discussion"), "{location}");
    let (_, page) = common::page(&app, &cookie, &path).await;
    assert!(page.contains("On Summary: <q class=\"thread-quote\">pool</q>"), "{page}");
    assert!(page.contains("Which pool?"));
    assert!(page.contains(&format!("data-start=\"{}\"", anchor["start"].as_str().unwrap())));
    // A viewer who opened the thread may resolve it; an empty reply is said, not stored.
    let thread = page.split("name=\"thread\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let reply = [("csrf_token", token.as_str()), ("action", "reply"), ("thread", &thread), ("body", " ")];
    let (status, location, _) = common::send_form(&app, &cookie, &comments, &reply).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("Not%20done%3A%20body"), "{location}");
    let resolve = [("csrf_token", token.as_str()), ("action", "resolve"), ("thread", &thread)];
    let (status, _, _) = common::send_form(&app, &cookie, &comments, &resolve).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = common::page(&app, &cookie, &path).await;
    assert!(page.contains("Resolved by viewer"), "{page}");
    assert!(page.contains("value=\"reopen\""));
}

on_both_databases!(
    threads_mentions_replies_and_resolving,
    bad_comments_are_refused_by_field_and_private_ones_stay_private,
    the_editor_page_shows_threads_and_takes_comments_by_form,
);
