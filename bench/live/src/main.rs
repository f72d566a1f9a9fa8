//! Simulated editors for the live-editing benchmark (docs/BENCHMARKS.md, "Live editing"):
//! `EDITORS` Yjs clients connect to one post-mortem's live document, each types one
//! character every `1/RATE` seconds at a random place in the summary for `SECONDS`, and
//! every client notes when each other client's keystroke reached it. Prints the
//! edit-to-peer latency (p50, p99, max) over every keystroke and every peer, and how many
//! keystrokes were sent and received.
//!
//!     hindsight-bench-live URL[,URL…] TOKEN [EDITORS] [RATE] [SECONDS]
//!
//! URL is the socket's address (`ws://127.0.0.1:18490/api/v1/postmortems/ID/live`); with
//! several (servers sharing one database), editor i connects to the i-th modulo their
//! number. TOKEN is an API token of an editor. All clients share one clock (one process), so a latency is
//! the time from the sender's write to the receiver's read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use yrs::encoding::read::Cursor;
use yrs::sync::{Message, MessageReader, SyncMessage};
use yrs::updates::decoder::{Decode, DecoderV1};
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, ReadTxn, Text, Transact, Update};

/// When each keystroke was sent, by the sender's client id and the clock it ended at.
type Sent = Arc<Mutex<HashMap<(yrs::block::ClientID, u32), Instant>>>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(token)) = (args.get(1), args.get(2)) else {
        return Err("usage: hindsight-bench-live URL TOKEN [EDITORS] [RATE] [SECONDS]".into());
    };
    let number = |i: usize, default: u64| args.get(i).map_or(Ok(default), |a| a.parse::<u64>());
    let (editors, rate, seconds) = (number(3, 50)?, number(4, 5)?, number(5, 60)?);
    let sent: Sent = Arc::default();
    let started = Instant::now() + Duration::from_secs(2);
    let stop = started + Duration::from_secs(seconds);
    let urls: Vec<&str> = url.split(',').collect();
    let mut clients = Vec::new();
    for i in 0..editors {
        let url = urls[i as usize % urls.len()].to_string();
        let (token, sent) = (token.clone(), sent.clone());
        clients.push(tokio::spawn(async move { editor(i, &url, &token, rate, started, stop, sent).await }));
    }
    let mut latencies = Vec::new();
    let mut typed = 0;
    for client in clients {
        let (mine, seen) = client.await??;
        typed += mine;
        latencies.extend(seen);
    }
    latencies.sort();
    let at = |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or_default();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "editors {editors}, {rate} keystrokes/s each, {seconds} s: {typed} keystrokes sent, {} deliveries to peers \
         (expected {}), latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        typed * (editors as usize - 1),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0)),
    );
    Ok(())
}

/// One editor: connects, syncs, types until `stop`, reads until a second after; answers
/// how many keystrokes it sent and the latency of every other editor's keystroke it saw.
async fn editor(
    index: u64,
    url: &str,
    token: &str,
    rate: u64,
    start: Instant,
    stop: Instant,
    sent: Sent,
) -> Result<(usize, Vec<Duration>), String> {
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    request.headers_mut().insert("authorization", format!("Bearer {token}").parse().map_err(|_| "bad token")?);
    let (socket, _) = connect_async(request).await.map_err(|e| format!("editor {index}: {e}"))?;
    let (mut sink, mut stream) = socket.split();
    let doc = Doc::with_client_id(1000 + index);
    let text = doc.get_or_insert_text("summary");
    let hello = Message::Sync(SyncMessage::SyncStep1(doc.transact().state_vector())).encode_v1();
    sink.send(Frame::Binary(hello.into())).await.map_err(|e| e.to_string())?;
    let mut typed = 0;
    let mut seen = Vec::new();
    let mut next = tokio::time::Instant::from_std(start);
    let every = Duration::from_micros(1_000_000 / rate.max(1));
    let mut seed = index.wrapping_mul(2_654_435_761) | 1;
    let end = tokio::time::Instant::from_std(stop + Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(next), if Instant::now() < stop => {
                next += every;
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let update = {
                    let mut txn = doc.transact_mut();
                    let len = text.get_string(&txn).len() as u64;
                    text.insert(&mut txn, (seed % (len + 1)) as u32, "x");
                    txn.encode_update_v1()
                };
                let clock = doc.transact().state_vector().get(&doc.client_id());
                if let Ok(mut sent) = sent.lock() {
                    sent.insert((doc.client_id(), clock), Instant::now());
                }
                let message = Message::Sync(SyncMessage::Update(update)).encode_v1();
                sink.send(Frame::Binary(message.into())).await.map_err(|e| e.to_string())?;
                typed += 1;
            }
            frame = stream.next() => {
                let Some(Ok(Frame::Binary(data))) = frame else {
                    if frame.is_none() { break } else { continue }
                };
                let arrived = Instant::now();
                let mut decoder = DecoderV1::new(Cursor::new(&data));
                for message in MessageReader::new(&mut decoder) {
                    match message.map_err(|e| e.to_string())? {
                        Message::Sync(SyncMessage::Update(update)) | Message::Sync(SyncMessage::SyncStep2(update)) => {
                            let update = Update::decode_v1(&update).map_err(|e| e.to_string())?;
                            if let Ok(sent) = sent.lock() {
                                // A keystroke is one character: the block at `clock` ends at `clock + 1`,
                                // the clock its sender noted.
                                for (client, clock) in update.state_vector_lower().iter() {
                                    if *client != doc.client_id()
                                        && let Some(at) = sent.get(&(*client, *clock + 1))
                                    {
                                        seen.push(arrived - *at);
                                    }
                                }
                            }
                            doc.transact_mut().apply_update(update).map_err(|e| e.to_string())?;
                        }
                        Message::Sync(SyncMessage::SyncStep1(theirs)) => {
                            let missing = doc.transact().encode_state_as_update_v1(&theirs);
                            let reply = Message::Sync(SyncMessage::SyncStep2(missing)).encode_v1();
                            sink.send(Frame::Binary(reply.into())).await.map_err(|e| e.to_string())?;
                        }
                        _ => {}
                    }
                }
            }
            _ = tokio::time::sleep_until(end) => break,
        }
    }
    Ok((typed, seen))
}
