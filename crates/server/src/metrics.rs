//! Prometheus metrics at `GET /metrics`, in the OpenMetrics text format: the requests
//! answered, by method, route (the route's pattern, never the path asked for, so that the
//! series stay few) and status, how long they took by route, the build, and the
//! notification worker (events read, notifications made, failed passes, and the events
//! waiting in the outbox, read from the database when scraped). Admins only, by an admin's
//! API token (what Prometheus sends with `authorization: credentials`).

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
    schema: i64,
}

/// A request's duration is counted into buckets from 1 ms doubling up to about 33 s.
fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The server's metrics, shared by every request.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, fn() -> Histogram>,
    outbox_events: Counter,
    notifications: Counter,
    failed_passes: Counter,
    outbox_backlog: Gauge,
    delivered: Counter,
    delivery_failures: Counter,
    deliveries_pending: Gauge,
    deliveries_failed: Gauge,
    tracker_syncs: Counter,
    tracker_failures: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("hindsight");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "Requests answered, by method, route and status", requests.clone());
        let durations = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(duration_histogram);
        registry.register(
            "http_request_duration_seconds",
            "How long requests took to answer, by method and route",
            durations.clone(),
        );
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels { version: env!("CARGO_PKG_VERSION"), schema: hindsight_store::SCHEMA_VERSION })
            .set(1);
        registry.register("build_info", "The program's version and its database schema", build);
        let outbox_events = Counter::default();
        registry.register("outbox_events_read", "Outbox events this server's worker read", outbox_events.clone());
        let notifications = Counter::default();
        registry.register("notifications_made", "Notifications this server's worker made", notifications.clone());
        let failed_passes = Counter::default();
        registry.register("notification_passes_failed", "Worker passes that failed (retried)", failed_passes.clone());
        let outbox_backlog = Gauge::default();
        registry.register(
            "outbox_backlog_events",
            "Outbox events no server's worker has read yet, when scraped",
            outbox_backlog.clone(),
        );
        let delivered = Counter::default();
        registry.register(
            "deliveries_sent",
            "Deliveries this server sent that their receiver acknowledged",
            delivered.clone(),
        );
        let delivery_failures = Counter::default();
        registry.register(
            "delivery_failures",
            "Tries of deliveries by this server that failed (each is tried again later, or given up)",
            delivery_failures.clone(),
        );
        let deliveries_pending = Gauge::default();
        registry.register(
            "deliveries_pending",
            "Deliveries waiting to be sent, when scraped",
            deliveries_pending.clone(),
        );
        let deliveries_failed = Gauge::default();
        registry.register(
            "deliveries_given_up",
            "Deliveries given up after their tries (an admin may retry them), when scraped",
            deliveries_failed.clone(),
        );
        let tracker_syncs = Counter::default();
        registry.register(
            "tracker_syncs",
            "Action items this server brought in step with their tracker's issue",
            tracker_syncs.clone(),
        );
        let tracker_failures = Counter::default();
        registry.register(
            "tracker_sync_failures",
            "Tries to bring an action item in step with its issue that failed (each is tried again later)",
            tracker_failures.clone(),
        );
        Metrics {
            registry,
            requests,
            durations,
            outbox_events,
            notifications,
            failed_passes,
            outbox_backlog,
            delivered,
            delivery_failures,
            deliveries_pending,
            deliveries_failed,
            tracker_syncs,
            tracker_failures,
        }
    }
}

impl Metrics {
    /// Counts what one pass of the notification worker did.
    pub(crate) fn worker_pass(&self, report: &hindsight_app::notifications::PassReport) {
        self.outbox_events.inc_by(report.events as u64);
        self.notifications.inc_by(report.notifications);
    }

    /// Counts what one delivery pass did.
    pub(crate) fn delivery_pass(&self, report: &hindsight_app::deliveries::DeliveryReport) {
        self.delivered.inc_by(report.delivered);
        self.delivery_failures.inc_by(report.failed);
    }

    /// Counts what one tracker pass did.
    pub(crate) fn tracker_pass(&self, report: &hindsight_app::trackers::SyncReport) {
        self.tracker_syncs.inc_by(report.synced);
        self.tracker_failures.inc_by(report.failed);
    }

    /// Counts a pass of the worker that failed.
    pub(crate) fn worker_failed(&self) {
        self.failed_passes.inc();
    }
}

/// The method as a label: the standard ones by name, any other as `other` (a client may
/// send any word as a method, and each would be a series of its own).
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts each request with its answer's status and duration (middleware around every route).
pub async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = method_label(request.method());
    // A path no route matched is counted as one route, whatever it was.
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let metrics = &state.metrics;
    let status = response.status().as_u16();
    metrics.requests.get_or_create(&RequestLabels { method, route: route.clone(), status }).inc();
    metrics.durations.get_or_create(&RouteLabels { method, route }).observe(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: the metrics in the OpenMetrics text format (admins only).
pub async fn serve(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require_admin()?;
    state.metrics.outbox_backlog.set(state.store.outbox_backlog().await?);
    let (pending, failed) = state.store.delivery_counts().await?;
    state.metrics.deliveries_pending.set(pending);
    state.metrics.deliveries_failed.set(failed);
    let mut body = String::new();
    prometheus_client::encoding::text::encode(&mut body, &state.metrics.registry)
        .map_err(|e| ApiError::Internal(format!("encoding the metrics: {e}")))?;
    Ok(([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], body).into_response())
}
