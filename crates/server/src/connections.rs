//! Accepting connections with limits, so that clients who connect and never finish a
//! request cannot take the server down: a deadline for each request's headers (also
//! between requests on a kept-alive connection), a cap on open connections in all and
//! from one address, and a graceful stop on ctrl-c or SIGTERM.
//!
//! What a request may do once its headers are in (body size, time to answer) is not
//! here but in the router's layers (`crate::app`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

/// How many connections the server holds open, and for how long it waits for headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionLimits {
    /// Open connections in all; a connection beyond it is closed as soon as it is accepted.
    pub max_connections: usize,
    /// Open connections from one client address (a reverse proxy counts as one client:
    /// raise it, or rely on the proxy's own limits, when every request comes through one).
    pub max_connections_per_address: usize,
    /// Seconds a client has to send a request's headers, from the moment the server
    /// starts waiting for them (also while a kept-alive connection sits idle).
    pub header_timeout_seconds: u64,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits { max_connections: 4096, max_connections_per_address: 256, header_timeout_seconds: 10 }
    }
}

/// Open connections, in all and by client address.
#[derive(Debug, Default)]
struct OpenConnections {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// A place among the open connections, given back when the connection ends.
struct Slot {
    open: Arc<Mutex<OpenConnections>>,
    address: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(count) = open.by_address.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.by_address.remove(&self.address);
            }
        }
    }
}

/// A slot for a connection from `address`, or `None` when a limit is reached.
fn take_slot(open: &Arc<Mutex<OpenConnections>>, address: IpAddr, limits: &ConnectionLimits) -> Option<Slot> {
    let mut guard = open.lock().unwrap_or_else(|e| e.into_inner());
    let from_address = guard.by_address.get(&address).copied().unwrap_or(0);
    if guard.total >= limits.max_connections || from_address >= limits.max_connections_per_address {
        return None;
    }
    guard.total += 1;
    *guard.by_address.entry(address).or_insert(0) += 1;
    Some(Slot { open: Arc::clone(open), address })
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then waits for
/// the requests under way to finish.
pub async fn serve_with_limits(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let open = Arc::new(Mutex::new(OpenConnections::default()));
    let header_timeout = Duration::from_secs(limits.header_timeout_seconds.max(1));
    // Dropped to tell every connection to finish; each holds a receiver until it has.
    let (stop_tx, stop_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors or a connection reset before it was accepted:
                    // wait a moment rather than spin, and keep serving.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = take_slot(&open, peer.ip(), &limits) else {
            tracing::debug!(%peer, "connection refused: too many open connections");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone().map_request(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(axum::body::Body::new);
            request.extensions_mut().insert(ConnectInfo(peer));
            request
        }));
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
            let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service).with_upgrades());
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(error) = result {
                            tracing::debug!(%peer, %error, "connection ended with an error");
                        }
                        break;
                    }
                    _ = stop.changed() => connection.as_mut().graceful_shutdown(),
                }
            }
        });
    }
    drop(listener);
    drop(stop_rx);
    stop_tx.send_replace(());
    // Each connection's `stop` receiver lives as long as its task.
    stop_tx.closed().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_limited_in_all_and_by_address_and_come_back() {
        let limits = ConnectionLimits { max_connections: 3, max_connections_per_address: 2, header_timeout_seconds: 1 };
        let open = Arc::new(Mutex::new(OpenConnections::default()));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let first = take_slot(&open, a, &limits).expect("first from a");
        let _second = take_slot(&open, a, &limits).expect("second from a");
        assert!(take_slot(&open, a, &limits).is_none(), "a third from one address is refused");
        let _third = take_slot(&open, b, &limits).expect("b still gets in");
        assert!(take_slot(&open, b, &limits).is_none(), "the total is reached");
        drop(first);
        assert!(take_slot(&open, a, &limits).is_some(), "a slot given back is free again");
    }
}
