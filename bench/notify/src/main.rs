//! The notification worker's benchmark (docs/BENCHMARKS.md, "Notifications"): on a fresh
//! database, PEOPLE users own ITEMS action items of one incident, all due tomorrow. Their
//! creation is the baseline: the writes that appended ITEMS domain events to the outbox.
//! Then, timed each: one worker pass over those events (ITEMS "assigned" notifications), and
//! one pass over the due dates (ITEMS "due soon" reminders), and a second of each (nothing
//! new: what an idle pass costs). Then a webhook destination on a local receiver that
//! answers 200: delivery passes until every event (ITEMS + 1) reached it, timed in all.
//! Prints each time and its ratio to the baseline's, and the rows each pass wrote.
//!
//!     hindsight-bench-notify DATABASE_URL [ITEMS] [PEOPLE]

use std::time::{Duration, Instant};

use hindsight_app::deliveries::{Deliverer, DeliverySettings, EmailSettings, deliver_pass};
use hindsight_app::notifications::{WorkerSettings, run_pass};
use hindsight_app::secrets::SecretKey;
use hindsight_core::access::{UserId, Viewer};
use hindsight_core::deadlines::DeadlineRules;
use hindsight_core::{NewActionItem, NewIncident, Role};
use hindsight_store::{AuditNote, NewUser, Store};
use time::OffsetDateTime;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(url) = args.get(1) else {
        return Err("usage: hindsight-bench-notify DATABASE_URL [ITEMS] [PEOPLE]".into());
    };
    let number = |i: usize, default: usize| args.get(i).map_or(Ok(default), |a| a.parse::<usize>());
    let (items, people) = (number(2, 10_000)?, number(3, 100)?.max(1));
    let store = Store::connect(url).await?;
    store.migrate().await?;
    // The receiver, and the destination that sends every event to it (before the events,
    // so that they are routed to it).
    let received = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = received.clone();
    let receiver = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, receiver).await });
    let key = SecretKey::from_base64(&SecretKey::generate())?;
    let deliverer = Deliverer::new(DeliverySettings::default(), &EmailSettings::default(), Some(key), "http://bench")?;
    let destination: hindsight_core::NewDestination =
        serde_json::from_value(serde_json::json!({"name": "bench", "kind": "webhook", "url": hook}))?;
    hindsight_app::deliveries::add_destination(&store, &hindsight_app::Actor::Operator, &deliverer, &destination)
        .await?;

    let note = || AuditNote::new("bench", "created user", "bench", serde_json::json!({}));
    let admin = store
        .create_user(
            NewUser {
                username: "admin".into(),
                display_name: "Admin".into(),
                email: None,
                role: Role::Admin,
                password_hash: None,
            },
            &note(),
        )
        .await?;
    let admin = Viewer { user_id: Some(UserId::new(admin.id)), username: admin.username, role: admin.role };
    for n in 0..people {
        let name = format!("person{n}");
        let new = NewUser {
            username: name.clone(),
            display_name: name,
            email: None,
            role: Role::Editor,
            password_hash: None,
        };
        store.create_user(new, &note()).await?;
    }
    let incident: NewIncident =
        serde_json::from_value(serde_json::json!({"title": "Queue backlog", "severity": "SEV2"}))?;
    let incident = store.create_incident(&admin, incident).await?;
    let now = OffsetDateTime::now_utc();
    let tomorrow = now.date().next_day().ok_or("no tomorrow")?;

    let started = Instant::now();
    for n in 0..items {
        let item: NewActionItem = serde_json::from_value(serde_json::json!({
            "title": format!("Action item {n}"), "kind": "fix_root_cause",
            "owner": format!("person{}", n % people), "due_date": tomorrow.to_string(),
        }))?;
        store.create_action_item(&admin, incident.number, item).await?;
    }
    let baseline = started.elapsed();
    println!("backend {}, {items} action items owned by {people} people", store.backend());
    println!("baseline: creating the items (one transaction each): {:.3} s", baseline.as_secs_f64());

    let settings = WorkerSettings::default();
    let timed = |label: &str, took: Duration, made: u64| {
        println!(
            "{label}: {:.3} s, {:.3}x the baseline, {made} notifications made",
            took.as_secs_f64(),
            took.as_secs_f64() / baseline.as_secs_f64()
        );
    };
    for round in ["first", "second (nothing new)"] {
        let started = Instant::now();
        let report =
            run_pass(&store, "bench", &settings, &DeadlineRules::default(), OffsetDateTime::now_utc(), false).await?;
        timed(&format!("pass over the outbox, {round}"), started.elapsed(), report.notifications);
        // The items' events and the incident's declaration.
        if round == "first" && report.events != items + 1 {
            return Err(format!("the pass read {} events, not {}", report.events, items + 1).into());
        }
    }
    for round in ["first", "second (nothing new)"] {
        let started = Instant::now();
        let report =
            run_pass(&store, "bench", &settings, &DeadlineRules::default(), OffsetDateTime::now_utc(), true).await?;
        timed(&format!("pass over the due dates, {round}"), started.elapsed(), report.notifications);
    }
    let started = Instant::now();
    let (mut passes, mut delivered) = (0, 0);
    while delivered < items as u64 + 1 {
        let report = deliver_pass(&store, "bench", &deliverer, OffsetDateTime::now_utc()).await?;
        if report.failed > 0 || (report.delivered == 0 && passes > 0) {
            return Err(format!("a delivery pass sent {} and failed {}", report.delivered, report.failed).into());
        }
        delivered += report.delivered;
        passes += 1;
    }
    let took = started.elapsed();
    println!(
        "delivery passes ({passes}, {} per pass): {:.3} s, {:.3}x the baseline, {delivered} webhooks delivered, \
         {} received",
        DeliverySettings::default().batch,
        took.as_secs_f64(),
        took.as_secs_f64() / baseline.as_secs_f64(),
        received.load(std::sync::atomic::Ordering::Relaxed)
    );
    store.close().await;
    Ok(())
}
