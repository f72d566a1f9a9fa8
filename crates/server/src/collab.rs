//! Live editing over a WebSocket: a room per open post-mortem, speaking the y-websocket
//! protocol (sync steps, updates, awareness) that Yjs clients speak.
//!
//! `GET /api/v1/postmortems/{id}/live` upgrades to a WebSocket for anyone who may see the
//! post-mortem (by session cookie from the same site, or by API token). Everyone gets the
//! document and everyone's awareness (who is there, their cursors); only editors and admins
//! may change it: a viewer's change is answered with a permission-denied message and goes
//! nowhere. Each accepted update is stored before it is passed on, so nothing acknowledged
//! is lost if the server stops. A room also takes in what editors connected to other
//! servers (and form or API saves) stored: at once on PostgreSQL, where every server
//! announces each update it stores (`NOTIFY`) and listens for the others', and in any case
//! every `live_poll` (a second). Updates that arrive while the room is storing others are
//! stored together, in one transaction. The texts are written into the post-mortem two
//! seconds after the last change and when an editor leaves (or says nothing for `live_idle`,
//! two minutes, and is closed); the stored document is compacted into a snapshot when the
//! last editor leaves, and after 200 changes when next quiet. Pages also hear, within a
//! second, when the post-mortem was saved (any field, by anyone, on any server) or its
//! discussion changed, as a custom message (`NEWS`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message as Frame, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use hindsight_app::Actor;
use hindsight_app::live::{self, LiveDoc, MAX_UPDATE_BYTES};
use hindsight_store::{PostmortemStamp, Store};
use tokio::sync::broadcast;
use yrs::encoding::read::Cursor;
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::sync::{Message, MessageReader, SyncMessage};
use yrs::updates::decoder::{Decode, DecoderV1};
use yrs::updates::encoder::Encode;
use yrs::{ClientID, ReadTxn, Transact, Update};

use crate::auth::{self, Caller, Credential};
use crate::error::ApiError;
use crate::state::AppState;

/// How long the announcements of live updates wait before listening again after an error.
const LISTEN_AGAIN_AFTER: Duration = Duration::from_secs(1);

/// How long after the last change a room writes the texts into the post-mortem.
const QUIET: Duration = Duration::from_secs(2);

/// Updates a room accepts before it compacts the stored document into a snapshot (when
/// next quiet).
const COMPACT_AFTER: u64 = 200;

/// Messages a room keeps for a connection that has not read them yet; one that falls
/// further behind is sent the whole document again.
const BACKLOG: usize = 1024;

/// The rooms open on this server, by post-mortem id; a room lives while someone is in it.
#[derive(Default)]
pub struct Rooms {
    rooms: Mutex<HashMap<String, Weak<Room>>>,
    /// Whether announcements of live updates are being taken in ([`Rooms::listen`]).
    listening: AtomicBool,
}

/// One post-mortem's live document and the connections editing it.
struct Room {
    id: String,
    live: tokio::sync::Mutex<LiveDoc>,
    /// Who is here: each Yjs client's awareness state (cursor, selection) as the server
    /// attested it, with the connection that owns the client.
    awareness: Mutex<HashMap<u64, Present>>,
    /// Encoded messages for the room, with the connection that sent them (not sent back to it).
    out: broadcast::Sender<(u64, Vec<u8>)>,
    /// Who changed the document since the texts were last written back (the last one
    /// last), and when it last changed.
    unsaved: Mutex<Option<(Vec<Actor>, Instant)>>,
    /// Updates accepted here since the stored document was last compacted.
    uncompacted: AtomicU64,
    /// The post-mortem's version and discussion as last seen, to tell the room when they
    /// change (a save of any field, a comment), here or on another server.
    stamp: Mutex<Option<PostmortemStamp>>,
    /// The number of the last stored update the room's document holds, as far as known
    /// without its lock; an announced update past it wakes the room ([`Room::announced`]).
    seen: AtomicI64,
    /// Wakes the room's catch-up before its next poll.
    wake: Arc<tokio::sync::Notify>,
    /// Updates waiting to be stored, in the order they arrived.
    queue: Mutex<Vec<Queued>>,
}

impl Room {
    /// Another server (or a save) stored update `seq` of this room's document: catch up now.
    fn announced(&self, seq: i64) {
        if seq > self.seen.load(Ordering::Relaxed) {
            self.wake.notify_one();
        }
    }

    fn changed_by(&self, actor: &Actor) {
        if let Ok(mut unsaved) = self.unsaved.lock() {
            let (typed_by, at) = unsaved.get_or_insert_with(|| (Vec::new(), Instant::now()));
            let name = actor.viewer().username.clone();
            typed_by.retain(|a| a.viewer().username != name);
            typed_by.push(actor.clone());
            *at = Instant::now();
        }
    }

    /// Who typed since the texts were last written back, once the document has been quiet
    /// for [`QUIET`]; the texts are theirs to write back.
    fn quiet_since_change(&self) -> Option<Vec<Actor>> {
        let mut unsaved = self.unsaved.lock().ok()?;
        match &*unsaved {
            Some((_, at)) if at.elapsed() >= QUIET => unsaved.take().map(|(typed_by, _)| typed_by),
            _ => None,
        }
    }

    /// Who typed since the texts were last written back, now, quiet or not.
    fn take_unsaved(&self) -> Vec<Actor> {
        self.unsaved
            .lock()
            .ok()
            .and_then(|mut unsaved| unsaved.take())
            .map(|(typed_by, _)| typed_by)
            .unwrap_or_default()
    }
}

/// An update waiting for the room to store it.
struct Queued {
    connection: u64,
    actor: Actor,
    update: Vec<u8>,
    /// Told once the update is stored and passed on, or refused (why, in words).
    done: tokio::sync::oneshot::Sender<Result<(), String>>,
}

/// Stores `batch` (the updates queued while the room's document was busy) in one go, then
/// passes each on to the room and tells its sender.
async fn store_batch(store: &Store, room: &Room, live: &mut LiveDoc, batch: Vec<Queued>) {
    let updates: Vec<(&Actor, &[u8])> = batch.iter().map(|q| (&q.actor, q.update.as_slice())).collect();
    let (results, missed) = live::accept_all(store, &room.id, live, &updates).await;
    for update in missed {
        let _ = room.out.send((0, Message::Sync(SyncMessage::Update(update)).encode_v1()));
    }
    for (queued, result) in batch.into_iter().zip(results) {
        let told = match result {
            Ok(seq) => {
                room.seen.fetch_max(seq, Ordering::Relaxed);
                room.changed_by(&queued.actor);
                room.uncompacted.fetch_add(1, Ordering::Relaxed);
                let message = Message::Sync(SyncMessage::Update(queued.update)).encode_v1();
                let _ = room.out.send((queued.connection, message));
                Ok(())
            }
            Err(refused) => Err(refused.to_string()),
        };
        let _ = queued.done.send(told);
    }
}

/// One Yjs client's awareness in a room.
struct Present {
    connection: u64,
    clock: u32,
    json: Arc<str>,
}

/// The most Yjs clients one connection may speak for (a page has one).
const CLIENTS_PER_CONNECTION: usize = 4;

/// The largest awareness state a client may set (a cursor and a selection are a few hundred bytes).
const MAX_AWARENESS_BYTES: usize = 4096;

/// Colours people are shown in, each readable as a caret on white and, at a fifth of its
/// strength, as a selection behind dark text.
const COLOURS: [&str; 8] = ["#1f6feb", "#c2410c", "#15803d", "#9333ea", "#b91c1c", "#0e7490", "#a16207", "#be185d"];

impl Room {
    /// Takes connection `me`'s awareness update from `actor`: each client's state with its
    /// `user` set to who the server knows the sender to be (a page cannot claim another
    /// name), clients of other connections and oversized states dropped. Answers the
    /// update to pass on to everyone, the sender too (its echo tells the page that all it
    /// sent before was taken in), or `None` when nothing is left of it.
    fn attest(&self, actor: &Actor, me: u64, update: AwarenessUpdate) -> Option<AwarenessUpdate> {
        let mut present = self.awareness.lock().ok()?;
        let mut passed = HashMap::new();
        for (client, entry) in update.clients {
            let id = client.get();
            let mine = present.values().filter(|p| p.connection == me).count();
            match present.get(&id) {
                Some(p) if p.connection != me => continue,
                None if mine >= CLIENTS_PER_CONNECTION => continue,
                _ => {}
            }
            let json: Arc<str> = if &*entry.json == "null" {
                present.remove(&id);
                entry.json
            } else if entry.json.len() > MAX_AWARENESS_BYTES {
                continue;
            } else {
                let Some(json) = attested(actor, &entry.json) else { continue };
                let json: Arc<str> = json.into();
                present.insert(id, Present { connection: me, clock: entry.clock, json: json.clone() });
                json
            };
            passed.insert(client, AwarenessUpdateEntry { clock: entry.clock, json });
        }
        (!passed.is_empty()).then_some(AwarenessUpdate { clients: passed })
    }

    /// Everyone's awareness, for a connection that just joined.
    fn everyone(&self) -> Option<AwarenessUpdate> {
        let present = self.awareness.lock().ok()?;
        let clients: HashMap<_, _> = present
            .iter()
            .map(|(id, p)| (ClientID::new(*id), AwarenessUpdateEntry { clock: p.clock, json: p.json.clone() }))
            .collect();
        (!clients.is_empty()).then_some(AwarenessUpdate { clients })
    }

    /// Connection `me` left: its clients are gone, for everyone still here.
    fn left(&self, me: u64) -> Option<AwarenessUpdate> {
        let mut present = self.awareness.lock().ok()?;
        let gone: Vec<u64> = present.iter().filter(|(_, p)| p.connection == me).map(|(id, _)| *id).collect();
        let clients: HashMap<_, _> = gone
            .into_iter()
            .filter_map(|id| present.remove(&id).map(|p| (id, p)))
            .map(|(id, p)| {
                (ClientID::new(id), AwarenessUpdateEntry { clock: p.clock.saturating_add(1), json: "null".into() })
            })
            .collect();
        (!clients.is_empty()).then_some(AwarenessUpdate { clients })
    }
}

/// A client's awareness state (`json`) with `user` set to `actor`: their name, a colour
/// of their own (the same on every page and server) and whether they may only read.
/// `None` when the state is not a JSON object.
fn attested(actor: &Actor, json: &str) -> Option<String> {
    let serde_json::Value::Object(mut state) = serde_json::from_str(json).ok()? else { return None };
    let viewer = actor.viewer();
    let name = if viewer.username.is_empty() { "operator" } else { viewer.username.as_str() };
    let hash = name.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(usize::from(b)));
    let colour = COLOURS[hash % COLOURS.len()];
    state.insert(
        "user".into(),
        serde_json::json!({
            "name": name,
            "color": colour,
            "colorLight": format!("{colour}33"),
            "readOnly": actor.require_write().is_err(),
        }),
    );
    serde_json::to_string(&state).ok()
}

static CONNECTIONS: AtomicU64 = AtomicU64::new(1);

/// Messages a connection may send a second, on average, and at once. Someone typing fast
/// sends a few dozen a second (a change and a cursor per keystroke); a connection that
/// sends more is closed, and the page reconnects.
const MESSAGES_PER_SECOND: f64 = 100.0;
const MESSAGE_BURST: f64 = 400.0;

/// What is left of a connection's allowance of messages (a token bucket).
struct Budget {
    left: f64,
    at: Instant,
}

impl Budget {
    fn new() -> Budget {
        Budget { left: MESSAGE_BURST, at: Instant::now() }
    }

    /// Takes one message from the allowance; false when none is left.
    fn take(&mut self) -> bool {
        let now = Instant::now();
        let earned = now.duration_since(self.at).as_secs_f64() * MESSAGES_PER_SECOND;
        self.left = (self.left + earned).min(MESSAGE_BURST);
        self.at = now;
        if self.left < 1.0 {
            return false;
        }
        self.left -= 1.0;
        true
    }
}

impl Rooms {
    /// The room of post-mortem `id`, opened (from the store) if nobody is in it, for an
    /// actor who may see the post-mortem (checked every time: an open room is no pass).
    async fn join(&self, store: &Store, actor: &Actor, id: &str, poll: Duration) -> Result<Arc<Room>, ApiError> {
        if let Some(room) = self.get(id) {
            store.check_postmortem_visible(&actor.viewer(), id).await?;
            return Ok(room);
        }
        let live = live::open(store, actor, id).await?;
        let seen = live.last_seq;
        let stamp = store.postmortem_stamp(id).await?;
        let mut rooms = self.rooms.lock().map_err(|_| ApiError::Internal("the rooms' lock is poisoned".into()))?;
        if let Some(room) = rooms.get(id).and_then(Weak::upgrade) {
            return Ok(room);
        }
        let (out, _) = broadcast::channel(BACKLOG);
        let room = Arc::new(Room {
            id: id.to_string(),
            live: tokio::sync::Mutex::new(live),
            out,
            unsaved: Mutex::new(None),
            uncompacted: AtomicU64::new(0),
            awareness: Mutex::default(),
            stamp: Mutex::new(stamp),
            seen: AtomicI64::new(seen),
            wake: Arc::default(),
            queue: Mutex::default(),
        });
        rooms.retain(|_, room| room.strong_count() > 0);
        rooms.insert(id.to_string(), Arc::downgrade(&room));
        tokio::spawn(catch_up_while_open(store.clone(), Arc::downgrade(&room), room.wake.clone(), poll));
        Ok(room)
    }

    /// Writes the live document of post-mortem `id` into it now, for a form saved from a
    /// live editor: what a room here has not written back yet (as the one who typed it),
    /// then what the stored document holds (editors on other servers) as `actor`. Answers
    /// whether the post-mortem changed, and the document's texts (by name), rows the
    /// post-mortem does not have yet included.
    pub async fn flush(
        &self,
        store: &Store,
        actor: &Actor,
        id: &str,
    ) -> Result<(bool, Vec<(String, String)>), ApiError> {
        let mut changed = false;
        if let Some(room) = self.get(id) {
            let typed_by = room.take_unsaved();
            if !typed_by.is_empty() {
                changed = write_back(store, &typed_by, &room).await;
            }
        }
        let texts = live::open(store, actor, id).await?.texts();
        let written = live::write_back(store, std::slice::from_ref(actor), id, &texts).await?.is_some();
        Ok((written || changed, texts))
    }

    /// Takes in the announcements of live updates (stored by any server on PostgreSQL; on
    /// SQLite, by this one: a form or API save merged into the document), so that an open
    /// room here takes them in at once instead of at its next poll (a second): a page
    /// loaded just after a save gets the saved texts. Started once.
    pub fn listen(self: &Arc<Self>, store: &Store) {
        if self.listening.swap(true, Ordering::SeqCst) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let (rooms, store) = (Arc::downgrade(self), store.clone());
        runtime.spawn(async move {
            let mut listener = match store.live_listener().await {
                Ok(Some(listener)) => listener,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "not listening for live updates; rooms poll for them");
                    return;
                }
            };
            loop {
                match listener.next().await {
                    Ok((id, seq)) => {
                        let Some(rooms) = rooms.upgrade() else { return };
                        if let Some(room) = rooms.get(&id) {
                            room.announced(seq);
                        }
                    }
                    // The server is stopping: let go of the listener's connection, so that
                    // closing the pool does not wait for it.
                    Err(_) if store.is_closed() => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "lost the announcements of live updates; retrying");
                        tokio::time::sleep(LISTEN_AGAIN_AFTER).await;
                    }
                }
            }
        });
    }

    fn get(&self, id: &str) -> Option<Arc<Room>> {
        self.rooms.lock().ok()?.get(id).and_then(Weak::upgrade)
    }
}

/// Every `poll` (`Settings::live_poll`), and at once when woken, while the room is open, takes in the updates other servers
/// (and form or API saves) stored and passes them on to the room, and writes the texts into
/// the post-mortem once the document has been quiet for [`QUIET`] since a change here.
async fn catch_up_while_open(store: Store, room: Weak<Room>, wake: Arc<tokio::sync::Notify>, poll: Duration) {
    let mut tick = tokio::time::Instant::now() + poll;
    loop {
        let woken = tokio::select! {
            () = tokio::time::sleep_until(tick) => false,
            () = wake.notified() => true,
        };
        let Some(room) = room.upgrade() else { return };
        {
            let mut live = room.live.lock().await;
            catch_up(&store, &room, &mut live).await;
        }
        if woken {
            continue;
        }
        tick = tokio::time::Instant::now() + poll;
        watch(&store, &room).await;
        if let Some(typed_by) = room.quiet_since_change() {
            write_back(&store, &typed_by, &room).await;
            if room.uncompacted.load(Ordering::Relaxed) >= COMPACT_AFTER {
                compact(&store, &room).await;
            }
        }
    }
}

/// The message a room's pages get about the post-mortem outside the live texts: a custom
/// y-websocket message (type [`NEWS`]) carrying JSON, `{"kind":"saved","version":7}` after a
/// save of any field, `{"kind":"discussion","comments":3,"resolved":1}` after a comment or
/// a thread resolved or reopened.
const NEWS: u8 = 100;

fn news(json: serde_json::Value) -> Vec<u8> {
    Message::Custom(NEWS, json.to_string().into_bytes()).encode_v1()
}

fn saved_news(stamp: &PostmortemStamp) -> Vec<u8> {
    news(serde_json::json!({"kind": "saved", "version": stamp.version}))
}

fn discussion_news(stamp: &PostmortemStamp) -> Vec<u8> {
    news(serde_json::json!({"kind": "discussion", "comments": stamp.comments, "resolved": stamp.resolved}))
}

/// Tells the room when the post-mortem's version or discussion changed since last seen.
async fn watch(store: &Store, room: &Room) {
    let now = match store.postmortem_stamp(&room.id).await {
        Ok(Some(now)) => now,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, postmortem = %room.id, "could not read a post-mortem's version");
            return;
        }
    };
    let Ok(mut seen) = room.stamp.lock() else { return };
    if let Some(before) = seen.replace(now) {
        if before.version != now.version {
            let _ = room.out.send((0, saved_news(&now)));
        }
        if (before.comments, before.resolved, before.last_resolved) != (now.comments, now.resolved, now.last_resolved) {
            let _ = room.out.send((0, discussion_news(&now)));
        }
    }
}

/// Takes into the room's document what was stored elsewhere since, and passes it on.
async fn catch_up(store: &Store, room: &Room, live: &mut LiveDoc) {
    let caught_up = live::catch_up(store, &room.id, live).await;
    room.seen.fetch_max(live.last_seq, Ordering::Relaxed);
    match caught_up {
        Ok(newer) => {
            for update in newer {
                let _ = room.out.send((0, Message::Sync(SyncMessage::Update(update.body)).encode_v1()));
            }
        }
        Err(e) => tracing::warn!(error = %e, postmortem = %room.id, "could not catch up a live document"),
    }
}

/// Writes the room's texts into the post-mortem as typed by `typed_by` (the last one
/// last), from its document brought up to date with the store first (a save merged
/// meanwhile is not undone); answers whether the post-mortem changed.
async fn write_back(store: &Store, typed_by: &[Actor], room: &Room) -> bool {
    let texts = {
        let mut live = room.live.lock().await;
        catch_up(store, room, &mut live).await;
        live.texts()
    };
    match live::write_back(store, typed_by, &room.id, &texts).await {
        Ok(changed) => changed.is_some(),
        Err(e) => {
            tracing::warn!(error = %e, postmortem = %room.id, "could not write the live document into the post-mortem");
            // Still to be written, by whoever typed it, at the next quiet moment.
            for actor in typed_by {
                room.changed_by(actor);
            }
            false
        }
    }
}

/// Opens the live document of a post-mortem over a WebSocket (y-websocket protocol).
pub async fn live(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    // A browser sends its cookie with a socket opened from any site: only our pages may.
    if matches!(caller.credential, Credential::Session { .. }) && !auth::same_origin(&headers) {
        return Err(ApiError::forbidden("cross-site live editing refused"));
    }
    let actor = caller.actor();
    let room = state.rooms.join(&state.store, &actor, &id, state.settings.live_poll).await?;
    Ok(upgrade
        .max_message_size(MAX_UPDATE_BYTES + 1024)
        .on_upgrade(move |socket| serve(socket, state.store, actor, room, state.settings.live_idle)))
}

/// One connection in a room until it closes, or says nothing for `idle`; then, if it
/// changed anything, the texts go into the post-mortem.
async fn serve(mut socket: WebSocket, store: Store, actor: Actor, room: Arc<Room>, idle: Duration) {
    let me = CONNECTIONS.fetch_add(1, Ordering::Relaxed);
    let mut from_room = room.out.subscribe();
    let mut wrote = false;
    // The server's side of the handshake: what it holds, so the client sends what it lacks.
    let step1 = Message::Sync(SyncMessage::SyncStep1(room.live.lock().await.doc.transact().state_vector()));
    if socket.send(Frame::Binary(step1.encode_v1().into())).await.is_err() {
        return;
    }
    if let Some(everyone) = room.everyone()
        && socket.send(Frame::Binary(Message::Awareness(everyone).encode_v1().into())).await.is_err()
    {
        return;
    }
    // Where the post-mortem stands, for a page loaded before its latest save or comment.
    let stamp = room.stamp.lock().ok().and_then(|stamp| *stamp);
    if let Some(stamp) = stamp {
        for message in [saved_news(&stamp), discussion_news(&stamp)] {
            if socket.send(Frame::Binary(message.into())).await.is_err() {
                return;
            }
        }
    }
    let mut silent_until = tokio::time::Instant::now() + idle;
    let mut budget = Budget::new();
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(silent_until) => {
                let _ = socket.send(Frame::Close(None)).await;
                break;
            }
            frame = socket.recv() => {
                silent_until = tokio::time::Instant::now() + idle;
                if !budget.take() {
                    tracing::warn!(postmortem = %room.id, "live connection closed: too many messages");
                    let close = CloseFrame { code: close_code::POLICY, reason: "too many messages".into() };
                    let _ = socket.send(Frame::Close(Some(close))).await;
                    break;
                }
                let data = match frame {
                    Some(Ok(Frame::Binary(data))) => data,
                    Some(Ok(Frame::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => continue,
                };
                match handle(&store, &actor, &room, me, &data, &mut wrote).await {
                    Ok(replies) => {
                        for reply in replies {
                            if socket.send(Frame::Binary(reply.into())).await.is_err() {
                                break;
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, postmortem = %room.id, "live connection closed on a bad message");
                        let _ = socket.send(Frame::Close(None)).await;
                        break;
                    }
                }
            }
            sent = from_room.recv() => match sent {
                Ok((from, message)) if from != me => {
                    if socket.send(Frame::Binary(message.into())).await.is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Fell behind: the whole document again (applying known parts is a no-op).
                    let state = room.live.lock().await.state();
                    let whole = Message::Sync(SyncMessage::Update(state)).encode_v1();
                    if socket.send(Frame::Binary(whole.into())).await.is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
        }
    }
    if let Some(gone) = room.left(me) {
        let _ = room.out.send((0, Message::Awareness(gone).encode_v1()));
    }
    if wrote {
        // Everyone who typed since the last write-back; none when another connection's
        // write-back already took what this one typed.
        let typed_by = room.take_unsaved();
        if !typed_by.is_empty() {
            write_back(&store, &typed_by, &room).await;
        }
    }
    // The last one out compacts what the room wrote.
    if Arc::strong_count(&room) == 1 && room.uncompacted.load(Ordering::Relaxed) > 0 {
        compact(&store, &room).await;
    }
}

async fn compact(store: &Store, room: &Room) {
    let live = room.live.lock().await;
    match live::compact(store, &room.id, &live).await {
        Ok(()) => room.uncompacted.store(0, Ordering::Relaxed),
        Err(e) => tracing::warn!(error = %e, postmortem = %room.id, "could not compact a live document"),
    }
}

/// Handles one frame (one or more protocol messages) from connection `me`: answers the
/// replies for it; updates go to the store and then to the room, awareness to the room.
async fn handle(
    store: &Store,
    actor: &Actor,
    room: &Room,
    me: u64,
    data: &[u8],
    wrote: &mut bool,
) -> Result<Vec<Vec<u8>>, String> {
    let mut replies = Vec::new();
    let mut decoder = DecoderV1::new(Cursor::new(data));
    for message in MessageReader::new(&mut decoder) {
        match message.map_err(|e| format!("not a y-websocket message: {e}"))? {
            Message::Sync(SyncMessage::SyncStep1(theirs)) => {
                let live = room.live.lock().await;
                let missing = live.doc.transact().encode_state_as_update_v1(&theirs);
                replies.push(Message::Sync(SyncMessage::SyncStep2(missing)).encode_v1());
            }
            Message::Sync(SyncMessage::SyncStep2(update)) | Message::Sync(SyncMessage::Update(update)) => {
                if Update::decode_v1(&update).map_err(|e| format!("not a Yjs update: {e}"))?.is_empty() {
                    continue;
                }
                // Queued for whoever holds the document next, which stores every update
                // queued by then in one transaction; this connection waits for its own.
                let (done, outcome) = tokio::sync::oneshot::channel();
                if let Ok(mut queue) = room.queue.lock() {
                    queue.push(Queued { connection: me, actor: actor.clone(), update, done });
                }
                {
                    let mut live = room.live.lock().await;
                    let batch = room.queue.lock().map(|mut queue| std::mem::take(&mut *queue)).unwrap_or_default();
                    if !batch.is_empty() {
                        store_batch(store, room, &mut live, batch).await;
                    }
                }
                match outcome.await.map_err(|_| "the room dropped an update".to_string())? {
                    Ok(()) => *wrote = true,
                    Err(refused) => {
                        // Said to the sender; the change goes nowhere. Its copy is now ahead of
                        // everyone's, so the page should reload what it has.
                        replies.push(Message::Auth(Some(refused)).encode_v1());
                    }
                }
            }
            Message::Awareness(update) => {
                if let Some(attested) = room.attest(actor, me, update) {
                    let _ = room.out.send((0, Message::Awareness(attested).encode_v1()));
                }
            }
            Message::AwarenessQuery | Message::Auth(_) | Message::Custom(..) => {}
        }
    }
    Ok(replies)
}
