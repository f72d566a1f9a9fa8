//! Live editing over a real WebSocket, with yrs clients speaking the y-websocket protocol:
//! concurrent typing converges on every client and in the post-mortem, a viewer's change is
//! refused, an outsider cannot open a private post-mortem's socket, and a client that was
//! offline merges what it wrote. On SQLite and PostgreSQL.

use crate::common;

use std::collections::HashMap;
use std::time::Duration;

use common::{As, TestApp, spawn_app, spawn_on};
use futures_util::{SinkExt, StreamExt};
use hindsight_store::{Store, on_both_databases};
use reqwest::StatusCode;
use serde_json::json;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message as Frame};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};
use yrs::encoding::read::Cursor;
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::sync::{Message, MessageReader, SyncMessage};
use yrs::updates::decoder::{Decode, DecoderV1};
use yrs::updates::encoder::Encode;
use yrs::{ClientID, Doc, GetString, ReadTxn, Text, Transact, Update};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A Yjs client: its copy of the document and its socket.
struct Client {
    doc: Doc,
    socket: Socket,
}

async fn connect(app: &TestApp, who: &str, id: &str) -> Result<Socket, WsError> {
    let mut request = format!("ws://{}/api/v1/postmortems/{id}/live", app.addr).into_client_request().unwrap();
    if who != "nobody" {
        request.headers_mut().insert("authorization", format!("Bearer {}", app.tokens[who]).parse().unwrap());
    }
    connect_async(request).await.map(|(socket, _)| socket)
}

/// Connects and syncs: answers the server's step 1 and asks for everything with its own.
async fn join(app: &TestApp, who: &str, id: &str) -> Client {
    let mut client = Client { doc: Doc::new(), socket: connect(app, who, id).await.unwrap() };
    let sv = client.doc.transact().state_vector();
    client.send(Message::Sync(SyncMessage::SyncStep1(sv))).await;
    // Until the server's step 2 has come: then this copy holds the document.
    client.read_until(|m| matches!(m, Message::Sync(SyncMessage::SyncStep2(_)))).await;
    client
}

impl Client {
    async fn send(&mut self, message: Message) {
        self.socket.send(Frame::Binary(message.encode_v1().into())).await.unwrap();
    }

    /// Reads messages, applying updates and answering the server's step 1, until `done`
    /// says so of one; answers that one.
    async fn read_until(&mut self, done: impl Fn(&Message) -> bool) -> Message {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .expect("a message within 10 s")
                .expect("the socket is open")
                .unwrap();
            let Frame::Binary(data) = frame else { continue };
            let mut decoder = DecoderV1::new(Cursor::new(&data));
            for message in MessageReader::new(&mut decoder) {
                let message = message.unwrap();
                match &message {
                    Message::Sync(SyncMessage::SyncStep2(update)) | Message::Sync(SyncMessage::Update(update)) => {
                        self.doc.transact_mut().apply_update(Update::decode_v1(update).unwrap()).unwrap();
                    }
                    Message::Sync(SyncMessage::SyncStep1(theirs)) => {
                        let missing = self.doc.transact().encode_state_as_update_v1(theirs);
                        self.send(Message::Sync(SyncMessage::SyncStep2(missing))).await;
                    }
                    _ => {}
                }
                if done(&message) {
                    return message;
                }
            }
        }
    }

    /// Types `text` at `at` in the section at `path` and sends the change.
    async fn type_into(&mut self, path: &str, at: u32, text: &str) {
        let shared = self.doc.get_or_insert_text(path);
        let update = {
            let mut txn = self.doc.transact_mut();
            shared.insert(&mut txn, at, text);
            txn.encode_update_v1()
        };
        self.send(Message::Sync(SyncMessage::Update(update))).await;
    }

    fn text(&self, path: &str) -> String {
        let shared = self.doc.get_or_insert_text(path);
        shared.get_string(&self.doc.transact())
    }

    /// Reads until this copy's `path` reads `expected`.
    async fn until_text(&mut self, path: &str, expected: &str) {
        if self.text(path) == expected {
            return;
        }
        let doc = self.doc.clone();
        let path = path.to_string();
        self.read_until(move |_| doc.get_or_insert_text(path.as_str()).get_string(&doc.transact()) == expected).await;
    }
}

/// A post-mortem of the seeded public incident whose summary reads `summary`; answers its id.
async fn postmortem(app: &TestApp, handle: &str, summary: &str) -> String {
    let path = format!("/api/v1/incidents/{handle}/postmortem");
    let (status, pm) = app.post(As::User("editor"), &path, json!({"sections": {"summary": summary}})).await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    pm["id"].as_str().unwrap().to_string()
}

async fn summary_of(app: &TestApp, id: &str) -> String {
    let (_, pm) = app.get(As::User("viewer"), &format!("/api/v1/postmortems/{id}")).await;
    pm["sections"]["summary"].as_str().unwrap().to_string()
}

async fn two_editors_typing_at_once_converge_and_the_post_mortem_gets_both(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "The pool ran dry.").await;
    let mut ana = join(&app, "editor", &id).await;
    let mut ben = join(&app, "admin", &id).await;
    assert_eq!(ana.text("summary"), "The pool ran dry.", "seeded from the post-mortem");
    ana.type_into("summary", 0, "At 10:02, ").await;
    ben.type_into("summary", 17, " Orders failed.").await;
    let expected = "At 10:02, The pool ran dry. Orders failed.";
    ana.until_text("summary", expected).await;
    ben.until_text("summary", expected).await;
    // A third who opens it now gets both.
    let late = join(&app, "viewer", &id).await;
    assert_eq!(late.text("summary"), expected);
    ana.socket.close(None).await.unwrap();
    ben.socket.close(None).await.unwrap();
    // Leaving writes the texts into the post-mortem, as one change naming both.
    for _ in 0..100 {
        if summary_of(&app, &id).await == expected {
            let (_, history) = app.get(As::User("viewer"), &format!("/api/v1/postmortems/{id}/history")).await;
            let last = history.as_array().unwrap().last().unwrap().clone();
            let reason = last["reason"].as_str().unwrap_or_default();
            assert!(reason.starts_with("Typed live by "), "{last}");
            assert!(reason.contains("editor") && reason.contains("admin"), "{last}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the post-mortem's summary is still {:?}", summary_of(&app, &id).await);
}

async fn a_viewer_reads_live_but_their_change_is_refused(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "The pool ran dry.").await;
    let mut viewer = join(&app, "viewer", &id).await;
    viewer.type_into("summary", 0, "Blame: ").await;
    let refusal = viewer.read_until(|m| matches!(m, Message::Auth(Some(_)))).await;
    let Message::Auth(Some(reason)) = refusal else { unreachable!() };
    assert!(reason.contains("viewer"), "{reason}");
    let editor = join(&app, "editor", &id).await;
    assert_eq!(editor.text("summary"), "The pool ran dry.", "the refused change went nowhere");
}

async fn outsiders_and_strangers_cannot_open_the_socket(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let (status, pm) =
        app.post(As::User("admin"), &format!("/api/v1/incidents/{}/postmortem", seed.private), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    let id = pm["id"].as_str().unwrap();
    // With the room open (someone who may see it is in it), as without.
    let _insider = join(&app, "admin", id).await;
    for (who, status) in [("outsider", 404), ("nobody", 401)] {
        match connect(&app, who, id).await {
            Err(WsError::Http(response)) => assert_eq!(response.status().as_u16(), status, "{who}"),
            other => panic!("{who}: {:?}", other.map(|_| "connected")),
        }
    }
    join(&app, "responder", id).await;
    // A browser's session cookie opens it from Hindsight's own pages only.
    let cookie = common::sign_in(&app, "responder").await;
    for (origin, allowed) in [("https://elsewhere.example".to_string(), false), (format!("http://{}", app.addr), true)]
    {
        let mut request = format!("ws://{}/api/v1/postmortems/{id}/live", app.addr).into_client_request().unwrap();
        request.headers_mut().insert("cookie", cookie.parse().unwrap());
        request.headers_mut().insert("origin", origin.parse().unwrap());
        match connect_async(request).await {
            Ok(_) => assert!(allowed, "{origin} was let in"),
            Err(WsError::Http(response)) => {
                assert!(!allowed, "{origin}: {}", response.status());
                assert_eq!(response.status().as_u16(), 403, "{origin}");
            }
            Err(other) => panic!("{origin}: {other}"),
        }
    }
}

async fn a_client_back_from_offline_merges_what_it_wrote(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "").await;
    let mut online = join(&app, "admin", &id).await;
    let offline = join(&app, "editor", &id).await;
    let Client { doc: offline_doc, socket } = offline;
    drop(socket);
    {
        let trigger = offline_doc.get_or_insert_text("trigger");
        let mut txn = offline_doc.transact_mut();
        trigger.insert(&mut txn, 0, "A deploy of 4.12.");
    }
    online.type_into("detection", 0, "Paged at 10:04.").await;
    // Back: it says what it holds, the server answers what it lacks and asks the same.
    let mut back = Client { doc: offline_doc, socket: connect(&app, "editor", &id).await.unwrap() };
    let sv = back.doc.transact().state_vector();
    back.send(Message::Sync(SyncMessage::SyncStep1(sv))).await;
    back.until_text("detection", "Paged at 10:04.").await;
    online.until_text("trigger", "A deploy of 4.12.").await;
    let fresh = join(&app, "viewer", &id).await;
    assert_eq!(
        (fresh.text("trigger"), fresh.text("detection")),
        ("A deploy of 4.12.".into(), "Paged at 10:04.".into())
    );
}

async fn a_form_or_api_save_reaches_open_editors_and_is_not_undone_by_them(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "The pool ran dry.").await;
    let mut ana = join(&app, "editor", &id).await;
    let (_, pm) = app.get(As::User("editor"), &format!("/api/v1/postmortems/{id}")).await;
    let patch = json!({"version": pm["version"], "sections": {"summary": "The connection pool ran dry at 10:02."}});
    let (status, saved) = app.patch(As::User("admin"), &format!("/api/v1/postmortems/{id}"), patch).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    ana.until_text("summary", "The connection pool ran dry at 10:02.").await;
    // Ana types elsewhere and leaves: writing her document back keeps the save.
    ana.type_into("trigger", 0, "A deploy of 4.12.").await;
    ana.socket.close(None).await.unwrap();
    for _ in 0..100 {
        let (_, pm) = app.get(As::User("viewer"), &format!("/api/v1/postmortems/{id}")).await;
        if pm["sections"]["trigger"] == "A deploy of 4.12." {
            assert_eq!(pm["sections"]["summary"], "The connection pool ran dry at 10:02.");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the trigger typed live never reached the post-mortem");
}

async fn a_save_made_while_someone_types_keeps_their_typing(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "The pool ran dry.").await;
    let mut ana = join(&app, "editor", &id).await;
    let (_, pm) = app.get(As::User("editor"), &format!("/api/v1/postmortems/{id}")).await;
    // Ana types at the end of the summary; before it is written back, a save from a page
    // loaded earlier changes another section, then its start.
    ana.type_into("summary", 17, " Nobody was paged.").await;
    ana.until_text("summary", "The pool ran dry. Nobody was paged.").await;
    let mut bob = join(&app, "editor", &id).await;
    bob.until_text("summary", "The pool ran dry. Nobody was paged.").await;
    let patch = json!({"version": pm["version"], "sections": {"trigger": "A deploy of 4.12."}});
    let (status, saved) = app.patch(As::User("admin"), &format!("/api/v1/postmortems/{id}"), patch).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let patch = json!({"version": saved["version"], "sections": {"summary": "The DB pool ran dry."}});
    let (status, _) = app.patch(As::User("admin"), &format!("/api/v1/postmortems/{id}"), patch).await;
    assert_eq!(status, StatusCode::OK);
    // Both: the save's words, and Ana's typing after them.
    bob.until_text("summary", "The DB pool ran dry. Nobody was paged.").await;
    ana.socket.close(None).await.unwrap();
    for _ in 0..100 {
        if summary_of(&app, &id).await == "The DB pool ran dry. Nobody was paged." {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the post-mortem's summary is {:?}", summary_of(&app, &id).await);
}

async fn a_form_saved_from_a_live_editor_keeps_the_live_texts_and_saves_its_fields(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "The pool ran dry.").await;
    let path = format!("/incidents/{}/postmortem/edit", seed.public);
    let cookie = common::sign_in(&app, "editor").await;
    let response = common::no_redirects().get(app.url(&path)).header("cookie", &cookie).send().await.unwrap();
    // The page edits live, with its own nonce for the editor's styles.
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!("data-live=\"/api/v1/postmortems/{id}/live\"")), "{html}");
    assert!(html.contains("data-live-text=\"root_cause.description\""));
    let nonce = html.split("name=\"hindsight-style-nonce\" content=\"").nth(1).unwrap().split('"').next().unwrap();
    assert!(nonce.len() >= 32 && policy.contains(&format!("style-src 'self' 'nonce-{nonce}'")), "{policy}");
    assert!(policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'"), "{policy}");
    let version = html.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    // Typed live, and at once (before it is written back) the form is saved without its texts.
    let mut ana = join(&app, "editor", &id).await;
    ana.type_into("summary", 17, " Nobody was paged.").await;
    // As the page does before it sends the form: its presence comes back once the server
    // has taken in everything sent before.
    ana.send(awareness(9, 1, "{}")).await;
    ana.read_until(|m| state_of(m, 9).is_some()).await;
    let form = [
        ("csrf_token", common::csrf_token(&html)),
        ("version", version),
        ("root_cause.component", "db-pool".to_string()),
        ("live", "1".to_string()),
        ("action", "save".to_string()),
    ];
    let (status, _, body) = common::send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, pm) = app.get(As::User("viewer"), &format!("/api/v1/postmortems/{id}")).await;
    assert_eq!(pm["sections"]["summary"], "The pool ran dry. Nobody was paged.", "{pm}");
    assert_eq!(pm["sections"]["root_cause"]["component"], "db-pool", "{pm}");
    ana.until_text("summary", "The pool ran dry. Nobody was paged.").await;
}

async fn the_texts_are_written_back_after_a_quiet_moment_while_editors_stay(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "").await;
    let mut ana = join(&app, "editor", &id).await;
    ana.type_into("resolution", 0, "Rolled back to 4.11.").await;
    for _ in 0..100 {
        let (_, pm) = app.get(As::User("viewer"), &format!("/api/v1/postmortems/{id}")).await;
        if pm["sections"]["resolution"] == "Rolled back to 4.11." {
            let (_, history) = app.get(As::User("viewer"), &format!("/api/v1/postmortems/{id}/history")).await;
            let last = history.as_array().unwrap().last().unwrap().clone();
            assert_eq!(last["actor"], "editor", "{last}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not written back while the editor stayed");
}

/// A second server over the same database (rooms of its own), for the same users.
async fn second_server(app: &TestApp) -> TestApp {
    second_server_with(app, common::test_settings()).await
}

/// [`second_server`], with `settings`.
async fn second_server_with(app: &TestApp, settings: hindsight_server::Settings) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let secret_key = settings.rules.secret_key.clone();
    let state = hindsight_server::AppState::new(app.store.clone(), settings);
    tokio::spawn(async move { hindsight_server::serve(listener, state).await.unwrap() });
    let (store, tokens) = (app.store.clone(), app.tokens.clone());
    TestApp { addr, store, client: reqwest::Client::new(), tokens, secret_key }
}

#[tokio::test]
async fn on_postgresql_servers_announce_live_updates_to_each_other() {
    let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
    // Rooms that poll only once a minute: what reaches the other server within the read's
    // ten seconds came by announcement.
    let settings = hindsight_server::Settings { live_poll: Duration::from_secs(60), ..common::test_settings() };
    let app = common::spawn_configured(store, settings.clone()).await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "The pool ran dry.").await;
    let other = second_server_with(&app, settings).await;
    let mut ana = join(&app, "editor", &id).await;
    let mut ben = join(&other, "admin", &id).await;
    ana.type_into("summary", 17, " Orders failed.").await;
    ben.until_text("summary", "The pool ran dry. Orders failed.").await;
    ben.type_into("summary", 0, "At 10:02: ").await;
    ana.until_text("summary", "At 10:02: The pool ran dry. Orders failed.").await;
}

/// A server of its own, in a runtime of its own on a thread of its own, on the database at
/// `url`; dropping the runtime kills it with every connection it holds, as a crash would.
fn server_to_kill(url: String) -> (std::net::SocketAddr, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let addr = runtime.block_on(async move {
        let store = Store::connect(&url).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = hindsight_server::AppState::new(store, common::test_settings());
        tokio::spawn(async move { hindsight_server::serve(listener, state).await.unwrap() });
        addr
    });
    (addr, runtime)
}

#[tokio::test]
async fn when_one_of_two_servers_dies_its_editors_lose_nothing_on_the_other() {
    let Some(url) = hindsight_store::test_support::postgres_database().await else { return };
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "The pool ran dry.").await;
    let (addr, doomed) = tokio::task::spawn_blocking(move || server_to_kill(url)).await.unwrap();
    let (store, tokens, secret_key) = (app.store.clone(), app.tokens.clone(), app.secret_key.clone());
    let dying = TestApp { addr, store, client: reqwest::Client::new(), tokens, secret_key };
    let mut ana = join(&app, "editor", &id).await;
    let mut ben = join(&dying, "admin", &id).await;
    // Both type; Ben's server has taken in what he typed (his presence came back after it).
    ana.type_into("summary", 17, " Orders failed.").await;
    ben.type_into("summary", 0, "At 10:02: ").await;
    ben.send(awareness(21, 1, "{}")).await;
    ben.read_until(|m| state_of(m, 21).is_some()).await;
    // His server dies with his socket; he keeps typing offline, then reconnects to the other.
    tokio::task::spawn_blocking(move || doomed.shutdown_timeout(Duration::from_secs(5))).await.unwrap();
    assert!(closed_by_server(&mut ben.socket).await, "the dead server's socket stayed open");
    let summary = ben.doc.get_or_insert_text("summary");
    summary.insert(&mut ben.doc.transact_mut(), 0, "SEV1. ");
    let expected = "SEV1. At 10:02: The pool ran dry. Orders failed.";
    // What the dead server acknowledged is on the survivor before Ben is back.
    ana.until_text("summary", "At 10:02: The pool ran dry. Orders failed.").await;
    let mut back = join(&app, "admin", &id).await;
    let merged = back.doc.transact().state_vector();
    let missing = ben.doc.transact().encode_state_as_update_v1(&merged);
    back.send(Message::Sync(SyncMessage::Update(missing))).await;
    ana.until_text("summary", expected).await;
    // And it is stored: whoever opens the document now gets all of it.
    let late = join(&app, "viewer", &id).await;
    assert_eq!(late.text("summary"), expected);
}

async fn editors_on_two_servers_see_each_others_typing(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "").await;
    let other = second_server(&app).await;
    let mut here = join(&app, "editor", &id).await;
    let mut there = join(&other, "admin", &id).await;
    here.type_into("resolution", 0, "Rolled back to 4.11.").await;
    there.until_text("resolution", "Rolled back to 4.11.").await;
    there.type_into("lessons.went_well", 0, "The alert fired in two minutes.").await;
    here.until_text("lessons.went_well", "The alert fired in two minutes.").await;
}

/// Whether the server closes the socket within 5 s (a close frame, the end, or an error).
async fn closed_by_server(socket: &mut Socket) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return false,
            Ok(None | Some(Err(_)) | Some(Ok(Frame::Close(_)))) => return true,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

#[tokio::test]
async fn a_socket_that_floods_is_closed() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "The pool ran dry.").await;
    let mut flood = connect(&app, "editor", &id).await.unwrap();
    // Far past what anyone types: a thousand presence messages at once.
    for clock in 1..=1000 {
        let message = awareness(11, clock, "{}").encode_v1();
        if flood.send(Frame::Binary(message.into())).await.is_err() {
            break;
        }
    }
    assert!(closed_by_server(&mut flood).await, "a flood was read to the end");
    // Someone who sends at a typist's pace stays.
    let mut ana = join(&app, "editor", &id).await;
    for at in 0..50 {
        ana.type_into("summary", 17 + at, "!").await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    ana.until_text("summary", &format!("The pool ran dry.{}", "!".repeat(50))).await;
    ana.send(awareness(12, 1, "{}")).await;
    ana.read_until(|m| state_of(m, 12).is_some()).await;
}

#[tokio::test]
async fn a_socket_that_says_nothing_is_closed() {
    let settings = hindsight_server::Settings { live_idle: Duration::from_millis(800), ..common::test_settings() };
    let app = common::spawn_configured(hindsight_store::test_support::sqlite_store().await, settings).await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "The pool ran dry.").await;
    let mut silent = join(&app, "editor", &id).await;
    assert!(closed_by_server(&mut silent.socket).await, "a silent socket stays open past live_idle");
}

#[tokio::test]
async fn a_message_over_the_limit_is_not_read() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "The pool ran dry.").await;
    let mut loud = join(&app, "editor", &id).await;
    // A well-formed update, only too large: read, it would be refused and the socket kept.
    let huge = {
        let doc = Doc::new();
        let text = doc.get_or_insert_text("summary");
        let mut txn = doc.transact_mut();
        text.insert(&mut txn, 0, &"x".repeat(hindsight_app::live::MAX_UPDATE_BYTES + 2048));
        Message::Sync(SyncMessage::Update(txn.encode_update_v1())).encode_v1()
    };
    // The server may close while the frame is still being written: either way it is refused.
    let _ = loud.socket.send(Frame::Binary(huge.into())).await;
    assert!(closed_by_server(&mut loud.socket).await, "a frame over the limit is read");
    let fresh = join(&app, "viewer", &id).await;
    assert_eq!(fresh.text("summary"), "The pool ran dry.", "nothing of it was taken in");
    let (status, _) = app.get(As::Nobody, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
}

/// An awareness message saying client `client` is at `state` (a JSON object).
fn awareness(client: u64, clock: u32, state: &str) -> Message {
    let entry = AwarenessUpdateEntry { clock, json: state.into() };
    Message::Awareness(AwarenessUpdate { clients: HashMap::from([(ClientID::new(client), entry)]) })
}

/// The state of `client` in an awareness message, if it carries one.
fn state_of(message: &Message, client: u64) -> Option<serde_json::Value> {
    let Message::Awareness(update) = message else { return None };
    let entry = update.clients.get(&ClientID::new(client))?;
    serde_json::from_str(&entry.json).ok()
}

async fn presence_names_people_as_the_server_knows_them(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "The pool ran dry.").await;
    let mut editor = join(&app, "editor", &id).await;
    // A page that claims to be someone else is shown by its real name, to itself too.
    editor.send(awareness(7, 1, r#"{"user":{"name":"admin"},"cursor":null}"#)).await;
    let echo = editor.read_until(|m| state_of(m, 7).is_some()).await;
    let state = state_of(&echo, 7).unwrap();
    assert_eq!(state["user"]["name"], "editor", "{state}");
    assert_eq!(state["user"]["readOnly"], false, "{state}");
    assert!(state["user"]["color"].as_str().is_some_and(|c| c.starts_with('#')), "{state}");
    // Who joins later is told who is there; a viewer is shown as reading.
    let mut viewer = Client { doc: Doc::new(), socket: connect(&app, "viewer", &id).await.unwrap() };
    let there = viewer.read_until(|m| state_of(m, 7).is_some()).await;
    assert_eq!(state_of(&there, 7).unwrap()["user"]["name"], "editor");
    viewer.send(awareness(8, 1, "{}")).await;
    let seen = editor.read_until(|m| state_of(m, 8).is_some()).await;
    let user = &state_of(&seen, 8).unwrap()["user"];
    assert_eq!((&user["name"], &user["readOnly"]), (&json!("viewer"), &json!(true)), "{user}");
    // One connection cannot speak for another's client.
    viewer.send(awareness(7, 2, r#"{"user":{"name":"viewer"},"cursor":"moved"}"#)).await;
    viewer.send(awareness(8, 2, r#"{"cursor":"here"}"#)).await;
    let next = editor.read_until(|m| matches!(m, Message::Awareness(_))).await;
    assert!(state_of(&next, 7).is_none(), "a viewer changed the editor's presence");
    assert_eq!(state_of(&next, 8).unwrap()["cursor"], "here");
    // Who leaves is gone for the others.
    drop(viewer);
    let gone =
        editor.read_until(|m| matches!(m, Message::Awareness(u) if u.clients.contains_key(&ClientID::new(8)))).await;
    let Message::Awareness(update) = gone else { unreachable!() };
    assert_eq!(&*update.clients[&ClientID::new(8)].json, "null");
}

#[tokio::test]
async fn presence_is_bounded_in_size_and_in_clients_a_connection() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "The pool ran dry.").await;
    let mut page = join(&app, "editor", &id).await;
    // A state past 4 KiB is not passed on; one within is.
    let big = format!(r#"{{"cursor":"{}"}}"#, "x".repeat(4097));
    page.send(awareness(30, 1, &big)).await;
    let within = format!(r#"{{"cursor":"{}"}}"#, "x".repeat(3000));
    page.send(awareness(31, 1, &within)).await;
    let echo = page.read_until(|m| matches!(m, Message::Awareness(_))).await;
    assert!(state_of(&echo, 30).is_none(), "an oversized state was passed on");
    assert_eq!(state_of(&echo, 31).unwrap()["cursor"].as_str().map(str::len), Some(3000));
    page.send(awareness(31, 2, "null")).await;
    page.read_until(|m| matches!(m, Message::Awareness(u) if u.clients.contains_key(&ClientID::new(31)))).await;
    // One connection speaks for four clients at most: the fifth is dropped.
    for client in 32..=36 {
        page.send(awareness(client, 1, "{}")).await;
    }
    let last = page.read_until(|m| state_of(m, 35).is_some()).await;
    assert!(state_of(&last, 36).is_none());
    let mut late = Client { doc: Doc::new(), socket: connect(&app, "viewer", &id).await.unwrap() };
    let there = late.read_until(|m| matches!(m, Message::Awareness(_))).await;
    let Message::Awareness(everyone) = there else { unreachable!() };
    let mut clients: Vec<u64> = everyone.clients.keys().map(|c| c.get()).collect();
    clients.sort();
    assert_eq!(clients, [32, 33, 34, 35], "who joins later is told of the four only");
}

/// The news in a message, if it is news (a custom message carrying JSON).
fn news_in(message: &Message) -> Option<serde_json::Value> {
    let Message::Custom(100, data) = message else { return None };
    serde_json::from_slice(data).ok()
}

async fn a_save_or_a_comment_made_elsewhere_is_news_to_the_room(store: Store) {
    let app = spawn_on(store).await;
    let seed = app.seed().await;
    let id = postmortem(&app, &seed.public, "The pool ran dry.").await;
    let mut ana = join(&app, "editor", &id).await;
    let (_, pm) = app.get(As::User("editor"), &format!("/api/v1/postmortems/{id}")).await;
    let patch = json!({"version": pm["version"], "sections": {"root_cause": {"component": "db-pool"}}});
    let (status, saved) = app.patch(As::User("admin"), &format!("/api/v1/postmortems/{id}"), patch).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let news = ana.read_until(|m| news_in(m).is_some_and(|n| n["kind"] == "saved")).await;
    assert_eq!(news_in(&news).unwrap()["version"], saved["version"]);
    let comments = format!("/api/v1/postmortems/{id}/comments");
    let (status, _) = app.post(As::User("viewer"), &comments, json!({"body": "Which pool?"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let news = ana.read_until(|m| news_in(m).is_some_and(|n| n["kind"] == "discussion")).await;
    assert_eq!(news_in(&news).unwrap()["comments"], 1);
    // Who joins later hears where things stand.
    let mut late = Client { doc: Doc::new(), socket: connect(&app, "viewer", &id).await.unwrap() };
    let news = late.read_until(|m| news_in(m).is_some_and(|n| n["kind"] == "saved")).await;
    assert_eq!(news_in(&news).unwrap()["version"], saved["version"]);
}

on_both_databases!(
    a_save_or_a_comment_made_elsewhere_is_news_to_the_room,
    presence_names_people_as_the_server_knows_them,
    two_editors_typing_at_once_converge_and_the_post_mortem_gets_both,
    a_viewer_reads_live_but_their_change_is_refused,
    outsiders_and_strangers_cannot_open_the_socket,
    a_client_back_from_offline_merges_what_it_wrote,
    editors_on_two_servers_see_each_others_typing,
    a_form_or_api_save_reaches_open_editors_and_is_not_undone_by_them,
    a_save_made_while_someone_types_keeps_their_typing,
    a_form_saved_from_a_live_editor_keeps_the_live_texts_and_saves_its_fields,
    the_texts_are_written_back_after_a_quiet_moment_while_editors_stay,
);
