//! The live document over a real store, on both databases: editors' concurrent typing
//! converges, and what may not be written is refused with nothing stored.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

mod common;

use common::person;
use hindsight_app::{Actor, AppError, live};
use hindsight_core::{NewIncident, NewPostmortem, Role, Sections};
use hindsight_store::{Store, on_both_databases};
use yrs::updates::decoder::Decode;
use yrs::{Doc, GetString, ReadTxn, StateVector, Text, Transact, Update};

fn new_incident(title: &str, private: bool) -> NewIncident {
    serde_json::from_value(serde_json::json!({"title": title, "severity": "SEV2", "private": private})).unwrap()
}

/// A post-mortem whose summary reads `summary`, with an editor and a viewer; answers its id.
async fn postmortem(store: &Store, summary: &str) -> (String, Actor, Actor) {
    let editor = person(store, "ana", Role::Editor).await;
    let viewer = person(store, "vic", Role::Viewer).await;
    let new = new_incident("Checkout down", false);
    let incident = hindsight_app::incidents::declare(store, &editor, new).await.unwrap();
    let mut sections = Sections { summary: summary.into(), ..Sections::default() };
    sections.root_cause.component = "db-pool".into();
    let new = NewPostmortem { sections, ..NewPostmortem::default() };
    let pm =
        hindsight_app::postmortems::start(store, &editor, incident.number, new, &Default::default()).await.unwrap();
    (pm.id, editor, viewer)
}

/// A client's copy of the document, from the server's state.
fn client(state: &[u8]) -> Doc {
    let doc = Doc::new();
    doc.transact_mut().apply_update(Update::decode_v1(state).unwrap()).unwrap();
    doc
}

/// Inserts `text` at `at` in the client's `path` text; answers the update it made.
fn type_into(doc: &Doc, path: &str, at: u32, text: &str) -> Vec<u8> {
    let shared = doc.get_or_insert_text(path);
    let mut txn = doc.transact_mut();
    shared.insert(&mut txn, at, text);
    txn.encode_update_v1()
}

fn text_of(doc: &Doc, path: &str) -> String {
    let shared = doc.get_or_insert_text(path);
    shared.get_string(&doc.transact())
}

async fn concurrent_typing_converges_on_every_client_and_in_the_post_mortem(store: Store) {
    let (id, editor, _) = postmortem(&store, "The pool ran dry.").await;
    let opened = live::open(&store, &editor, &id).await.unwrap();
    assert_eq!(opened.texts()[0], ("summary".to_string(), "The pool ran dry.".to_string()), "seeded from the sections");
    let (a, b) = (client(&opened.state()), client(&opened.state()));
    // Both type at once, each without the other's change.
    let from_a = type_into(&a, "summary", 0, "At 10:02, ");
    let from_b = type_into(&b, "summary", 17, " Orders failed for 20 minutes.");
    let second = person(&store, "ben", Role::Editor).await;
    let (one, two) =
        tokio::join!(live::apply(&store, &editor, &id, &from_a), live::apply(&store, &second, &id, &from_b));
    let mut numbers = [one.unwrap(), two.unwrap()];
    numbers.sort();
    assert_eq!(numbers, [2, 3], "numbered after the seed");
    a.transact_mut().apply_update(Update::decode_v1(&from_b).unwrap()).unwrap();
    b.transact_mut().apply_update(Update::decode_v1(&from_a).unwrap()).unwrap();
    let expected = "At 10:02, The pool ran dry. Orders failed for 20 minutes.";
    assert_eq!(text_of(&a, "summary"), expected);
    assert_eq!(text_of(&b, "summary"), expected);
    let reopened = live::open(&store, &editor, &id).await.unwrap();
    assert_eq!(reopened.texts()[0].1, expected, "the stored document holds both");
    let written =
        live::write_back(&store, std::slice::from_ref(&editor), &id, &reopened.texts()).await.unwrap().unwrap();
    assert_eq!(written.sections.summary, expected);
    assert_eq!(written.sections.root_cause.component, "db-pool", "structured fields are left as they were");
    let again = live::write_back(&store, std::slice::from_ref(&editor), &id, &reopened.texts()).await.unwrap();
    assert!(again.is_none(), "nothing left to write");
}

async fn a_client_offline_for_a_while_merges_when_it_sends_what_it_wrote(store: Store) {
    let (id, editor, _) = postmortem(&store, "").await;
    let offline = client(&live::open(&store, &editor, &id).await.unwrap().state());
    let online = client(&live::open(&store, &editor, &id).await.unwrap().state());
    for word in ["Paged ", "at ", "10:04."] {
        let at = text_of(&online, "detection").chars().count() as u32;
        live::apply(&store, &editor, &id, &type_into(&online, "detection", at, word)).await.unwrap();
    }
    type_into(&offline, "trigger", 0, "A deploy ");
    type_into(&offline, "trigger", 9, "of 4.12.");
    // Back online: everything it has that the server lacks, as one update.
    let server = live::open(&store, &editor, &id).await.unwrap();
    let missing = offline.transact().encode_state_as_update_v1(&state_vector(&server.state()));
    live::apply(&store, &editor, &id, &missing).await.unwrap();
    let merged = live::open(&store, &editor, &id).await.unwrap();
    let texts: std::collections::HashMap<_, _> = merged.texts().into_iter().collect();
    assert_eq!(texts["detection"], "Paged at 10:04.");
    assert_eq!(texts["trigger"], "A deploy of 4.12.");
}

fn state_vector(state: &[u8]) -> StateVector {
    client(state).transact().state_vector()
}

async fn updates_from_viewers_or_of_the_wrong_shape_are_refused_and_nothing_is_stored(store: Store) {
    let (id, editor, viewer) = postmortem(&store, "The pool ran dry.").await;
    let opened = live::open(&store, &viewer, &id).await.unwrap();
    let last = opened.last_seq;
    let doc = client(&opened.state());
    let update = type_into(&doc, "summary", 0, "Blame: ");
    assert!(matches!(live::apply(&store, &viewer, &id, &update).await, Err(AppError::Forbidden(_))));
    let refused = live::apply(&store, &editor, &id, b"not an update").await.unwrap_err();
    assert!(refused.to_string().contains("not a Yjs update"), "{refused}");
    let stray = type_into(&client(&opened.state()), "owner", 0, "someone");
    let refused = live::apply(&store, &editor, &id, &stray).await.unwrap_err();
    assert!(refused.to_string().contains("\"owner\" is not a text of a post-mortem"), "{refused}");
    let stray = type_into(&client(&opened.state()), "damage_control.no spaces", 0, "Refund");
    let refused = live::apply(&store, &editor, &id, &stray).await.unwrap_err();
    assert!(refused.to_string().contains("is not a text of a post-mortem"), "{refused}");
    let long = type_into(&client(&opened.state()), "recommendations.7", 0, &"x".repeat(100_001));
    let refused = live::apply(&store, &editor, &id, &long).await.unwrap_err();
    assert!(refused.to_string().contains("recommendations.7: at most 100000 characters"), "{refused}");
    let many = client(&opened.state());
    for n in 0..=live::MAX_LIVE_TEXTS {
        type_into(&many, &format!("damage_control.{n}"), 0, "x");
    }
    let all = many.transact().encode_state_as_update_v1(&StateVector::default());
    let refused = live::apply(&store, &editor, &id, &all).await.unwrap_err();
    assert!(refused.to_string().contains("at most 800 texts"), "{refused}");
    let long = type_into(&client(&opened.state()), "trigger", 0, &"x".repeat(100_001));
    let refused = live::apply(&store, &editor, &id, &long).await.unwrap_err();
    assert!(refused.to_string().contains("trigger: at most 100000 characters"), "{refused}");
    assert_eq!(live::open(&store, &editor, &id).await.unwrap().last_seq, last, "nothing stored");
    let outsider = person(&store, "otto", Role::Editor).await;
    let incident = new_incident("Keys in logs", true);
    let private = hindsight_app::incidents::declare(&store, &editor, incident).await.unwrap();
    let pm = hindsight_app::postmortems::start(
        &store,
        &editor,
        private.number,
        NewPostmortem::default(),
        &Default::default(),
    )
    .await
    .unwrap();
    assert!(matches!(live::open(&store, &outsider, &pm.id).await, Err(AppError::Store(_))), "not found for outsiders");
}

async fn a_compacted_document_reads_back_the_same(store: Store) {
    let (id, editor, _) = postmortem(&store, "The pool ran dry.").await;
    let doc = client(&live::open(&store, &editor, &id).await.unwrap().state());
    for (at, word) in [(17, " Orders"), (24, " failed"), (31, " for 20 minutes.")] {
        live::apply(&store, &editor, &id, &type_into(&doc, "summary", at, word)).await.unwrap();
    }
    let before = live::open(&store, &editor, &id).await.unwrap();
    live::compact(&store, &id, &before).await.unwrap();
    let stored = store.live_document(&hindsight_app::Actor::Operator.viewer(), &id).await.unwrap();
    assert!(stored.snapshot.is_some() && stored.updates.is_empty(), "one snapshot, no updates");
    let after = live::open(&store, &editor, &id).await.unwrap();
    assert_eq!(after.texts(), before.texts());
    assert_eq!(after.texts()[0].1, "The pool ran dry. Orders failed for 20 minutes.");
    assert_eq!(after.last_seq, 4);
    // And it goes on from there.
    let more = type_into(&client(&after.state()), "trigger", 0, "A deploy.");
    assert_eq!(live::apply(&store, &editor, &id, &more).await.unwrap(), 5);
}

async fn two_servers_seeding_at_once_give_one_text(store: Store) {
    let (id, editor, _) = postmortem(&store, "The pool ran dry.").await;
    let (one, two) = tokio::join!(live::open(&store, &editor, &id), live::open(&store, &editor, &id));
    assert_eq!(one.unwrap().texts()[0].1, "The pool ran dry.");
    assert_eq!(two.unwrap().texts()[0].1, "The pool ran dry.");
    assert_eq!(live::open(&store, &editor, &id).await.unwrap().last_seq, 1, "one seed stored");
}

async fn updates_that_arrive_together_are_stored_together_and_a_bad_one_alone_is_refused(store: Store) {
    let (id, editor, viewer) = postmortem(&store, "The pool ran dry.").await;
    let other = person(&store, "ben", Role::Editor).await;
    let mut room = live::open(&store, &editor, &id).await.unwrap();
    let (a, b) = (client(&room.state()), client(&room.state()));
    let first = type_into(&a, "summary", 0, "At 10:02, ");
    let second = type_into(&b, "summary", 17, " Orders failed.");
    let (results, missed) =
        live::accept_all(&store, &id, &mut room, &[(&editor, first.as_slice()), (&other, second.as_slice())]).await;
    let seqs: Vec<i64> = results.into_iter().map(Result::unwrap).collect();
    assert_eq!(seqs, [2, 3], "numbered one after the other, after the seed");
    assert!(missed.is_empty());
    let expected = "At 10:02, The pool ran dry. Orders failed.";
    assert_eq!(room.texts()[0].1, expected);
    assert_eq!(live::open(&store, &editor, &id).await.unwrap().texts()[0].1, expected, "both stored");
    // A batch with a viewer's change: the others are stored, the viewer's is refused alone.
    let third = type_into(&a, "summary", 0, "SEV1. ");
    let refused = type_into(&b, "summary", 0, "Blame: ");
    let (results, _) =
        live::accept_all(&store, &id, &mut room, &[(&viewer, refused.as_slice()), (&editor, third.as_slice())]).await;
    assert!(matches!(results[0], Err(AppError::Forbidden(_))), "{:?}", results[0]);
    assert_eq!(results[1].as_ref().unwrap(), &4);
    let stored = live::open(&store, &editor, &id).await.unwrap().texts()[0].1.clone();
    assert_eq!(stored, format!("SEV1. {expected}"));
    assert_eq!(room.texts()[0].1, stored, "the room's copy holds what is stored, nothing refused");
}

/// The post-mortem's damage-control actions, as (id, description).
fn actions(pm: &hindsight_core::Postmortem) -> Vec<(String, String)> {
    pm.sections.damage_control.iter().map(|a| (a.id.clone(), a.description.clone())).collect()
}

fn action(id: &str, description: &str) -> serde_json::Value {
    serde_json::json!({"id": id, "description": description, "owner_team": null, "status": "planned"})
}

async fn each_row_text_is_shared_by_its_id_and_follows_saves_of_the_list(store: Store) {
    let (id, editor, _) = postmortem(&store, "The pool ran dry.").await;
    let patch = |version: i64, rows: serde_json::Value| -> hindsight_core::PostmortemPatch {
        serde_json::from_value(serde_json::json!({"version": version, "sections": {"damage_control": rows}})).unwrap()
    };
    let pm =
        hindsight_app::postmortems::change(&store, &editor, &id, patch(1, serde_json::json!([action("", "Refund")])))
            .await
            .unwrap();
    assert_eq!(actions(&pm), [("1".to_string(), "Refund".to_string())], "a row without an id is given one");
    let opened = live::open(&store, &editor, &id).await.unwrap();
    let texts: std::collections::HashMap<_, _> = opened.texts().into_iter().collect();
    assert_eq!(texts["damage_control.1"], "Refund", "seeded with the rows' texts");
    // Typing into the row, and into a row added in a browser and not saved yet.
    let doc = client(&opened.state());
    live::apply(&store, &editor, &id, &type_into(&doc, "damage_control.1", 6, " the fees")).await.unwrap();
    live::apply(&store, &editor, &id, &type_into(&doc, "damage_control.n-new", 0, "Notify")).await.unwrap();
    let texts = live::open(&store, &editor, &id).await.unwrap().texts();
    let written = live::write_back(&store, std::slice::from_ref(&editor), &id, &texts).await.unwrap().unwrap();
    assert_eq!(actions(&written), [("1".to_string(), "Refund the fees".to_string())], "only rows it has");
    // The form saves the new row (its text taken from the live document) and another
    // without an id; then one removing the first row.
    let rows =
        serde_json::json!([action("1", "Refund the fees"), action("n-new", "Notify"), action("", "Block cards")]);
    let saved = hindsight_app::postmortems::change(&store, &editor, &id, patch(written.version, rows)).await.unwrap();
    let ids: Vec<String> = actions(&saved).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["1", "n-new", "2"]);
    let texts: std::collections::HashMap<_, _> =
        live::open(&store, &editor, &id).await.unwrap().texts().into_iter().collect();
    assert_eq!(texts["damage_control.2"], "Block cards", "a row the save added reaches the editors");
    assert_eq!(texts["damage_control.n-new"], "Notify", "not typed twice");
    let rows = serde_json::json!([action("n-new", "Notify"), action("2", "Block cards")]);
    let saved = hindsight_app::postmortems::change(&store, &editor, &id, patch(saved.version, rows)).await.unwrap();
    let texts: std::collections::HashMap<_, _> =
        live::open(&store, &editor, &id).await.unwrap().texts().into_iter().collect();
    assert_eq!(texts["damage_control.1"], "", "a removed row's text is emptied");
    let again = live::write_back(
        &store,
        std::slice::from_ref(&editor),
        &id,
        &live::open(&store, &editor, &id).await.unwrap().texts(),
    )
    .await
    .unwrap();
    assert!(again.is_none(), "the live document and the post-mortem agree (version {})", saved.version);
}

on_both_databases!(
    each_row_text_is_shared_by_its_id_and_follows_saves_of_the_list,
    updates_that_arrive_together_are_stored_together_and_a_bad_one_alone_is_refused,
    concurrent_typing_converges_on_every_client_and_in_the_post_mortem,
    a_client_offline_for_a_while_merges_when_it_sends_what_it_wrote,
    updates_from_viewers_or_of_the_wrong_shape_are_refused_and_nothing_is_stored,
    two_servers_seeding_at_once_give_one_text,
    a_compacted_document_reads_back_the_same,
);
