//! `hindsight timeline`, `hindsight event` and `hindsight metrics`: an incident's timeline
//! (and adding to it by hand) and response metrics, or how response times spread across
//! incidents, straight on the database, as text for people or JSON for scripts.

use anyhow::Context;
use hindsight_app::{Actor, AppError};
use hindsight_core::access::Viewer;
use hindsight_core::metrics::incident_metrics;
use hindsight_core::{EventKind, KeyMoment, NewTimelineEvent, TimelineEvent, parse_incident_handle};
use hindsight_store::{Store, StoreError};
use std::io::IsTerminal;

use crate::paging::print_pages;

/// Events read at a time when printing a whole timeline.
const TIMELINE_PAGE: usize = 1000;

/// The incident number in a handle, or a message saying what a handle looks like.
pub fn incident_number(handle: &str) -> anyhow::Result<i64> {
    parse_incident_handle(handle)
        .with_context(|| format!("{handle:?} is not an incident handle; they look like INC-42"))
}

/// Prints an incident's whole timeline, read a page at a time; with `duplicates`, the events
/// imports set aside as duplicates instead.
pub async fn timeline(store: &Store, handle: &str, duplicates: bool, json: bool) -> anyhow::Result<()> {
    let number = incident_number(handle)?;
    let viewer = Viewer::operator();
    let incident = store.incident(&viewer, number).await?;
    if !json {
        println!("{} {} ({}, {})", incident.handle, incident.title, incident.severity, incident.status);
        if duplicates {
            println!("Set aside as duplicates (not on the timeline):");
        }
    }
    let fetch = async |cursor: Option<String>, want| {
        Ok(match duplicates {
            true => store.list_duplicates(&viewer, number, cursor.as_deref(), want).await?,
            false => store.list_events(&viewer, number, cursor.as_deref(), want).await?,
        })
    };
    print_pages(usize::MAX, TIMELINE_PAGE, json, fetch, |event: &TimelineEvent| {
        let marker = event.key_moment.map(|k| format!(" [{k}]")).unwrap_or_default();
        let actor = event.actor.as_deref().map(|a| format!("{a}: ")).unwrap_or_default();
        Ok(format!(
            "{}  {:<12} {:<15} {}{}{}",
            event.occurred_at.format(&time::format_description::well_known::Rfc3339)?,
            event.source,
            event.kind.as_str(),
            actor,
            event.text.replace('\n', " "),
            marker
        ))
    })
    .await
}

/// What `hindsight event` was asked to add, as typed.
pub struct NewEvent {
    pub at: Option<String>,
    pub kind: String,
    pub actor: Option<String>,
    pub text: String,
    pub key_moment: Option<String>,
}

/// Adds an event typed by hand to an incident's timeline, as the operator.
pub async fn add_event(store: &Store, handle: &str, event: NewEvent, json: bool) -> anyhow::Result<()> {
    let number = incident_number(handle)?;
    let occurred_at = match &event.at {
        Some(text) => crate::flags::time("--at", text, "")?,
        None => time::OffsetDateTime::now_utc(),
    };
    let kind: EventKind = crate::flags::word("--kind", &event.kind)?;
    let key_moment: Option<KeyMoment> = crate::flags::optional_word("--key-moment", event.key_moment.as_deref())?;
    let new = NewTimelineEvent {
        occurred_at,
        source: "manual".into(),
        external_id: None,
        kind,
        actor: event.actor,
        text: event.text,
        key_moment,
        raw_payload: None,
    };
    let added = match hindsight_app::incidents::add_event(store, &Actor::Operator, number, new).await {
        Ok(added) => added,
        Err(AppError::Store(StoreError::Invalid(errors))) => anyhow::bail!("the event was not added: {errors}"),
        Err(e) => return Err(e.into()),
    };
    if json {
        println!("{}", serde_json::to_string(&added)?);
    } else {
        println!(
            "Added to {} at {}: {}",
            added.incident,
            added.occurred_at.format(&time::format_description::well_known::Rfc3339)?,
            added.text
        );
    }
    Ok(())
}

/// Prints an incident's response metrics.
pub async fn metrics(store: &Store, handle: &str, json: bool) -> anyhow::Result<()> {
    let number = incident_number(handle)?;
    let viewer = Viewer::operator();
    let incident = store.incident(&viewer, number).await?;
    let summary = store.timeline_summary(&viewer, number).await?;
    let metrics = incident_metrics(&incident, &summary);
    if json {
        println!("{}", serde_json::to_string_pretty(&metrics)?);
        return Ok(());
    }
    let when = |at: Option<time::OffsetDateTime>| {
        at.and_then(|at| at.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_else(|| "unknown".into())
    };
    println!("{} {}", incident.handle, incident.title);
    println!("  impact started   {}", when(metrics.started_at));
    println!(
        "  detected         {}  (time to detect      {})",
        when(metrics.detected_at),
        took(metrics.time_to_detect_s)
    );
    println!(
        "  acknowledged     {}  (time to acknowledge {})",
        when(metrics.acknowledged_at),
        took(metrics.time_to_acknowledge_s)
    );
    println!(
        "  mitigated        {}  (time to mitigate    {})",
        when(metrics.mitigated_at),
        took(metrics.time_to_mitigate_s)
    );
    println!(
        "  resolved         {}  (time to resolve     {})",
        when(metrics.resolved_at),
        took(metrics.time_to_resolve_s)
    );
    println!("  detected by      {}", metrics.detection_method);
    println!(
        "  {} events, {} pages, {} escalations, {} responders",
        metrics.events, metrics.pages, metrics.escalations, metrics.responders
    );
    Ok(())
}

/// Prints how response times spread across the incidents `selection` covers: count,
/// median, 90th and 95th percentile and longest of each, and how they were detected.
pub async fn response_times(
    store: &Store,
    selection: &crate::incidents::IncidentSelection,
    json: bool,
) -> anyhow::Result<()> {
    let filter = selection.filter()?;
    let report = hindsight_app::response_times::response_times(store, &Viewer::operator(), &filter).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!("Response times across {} incidents (medians and percentiles; from impact start):", report.incidents);
    println!("  {:<20} {:>8} {:>11} {:>11} {:>11} {:>11}", "", "measured", "median", "p90", "p95", "longest");
    for (name, spread) in [
        ("time to detect", &report.time_to_detect_s),
        ("time to acknowledge", &report.time_to_acknowledge_s),
        ("time to mitigate", &report.time_to_mitigate_s),
        ("time to resolve", &report.time_to_resolve_s),
    ] {
        match spread {
            Some(d) => println!(
                "  {name:<20} {:>8} {:>11} {:>11} {:>11} {:>11}",
                d.count,
                took(Some(d.p50)),
                took(Some(d.p90)),
                took(Some(d.p95)),
                took(Some(d.max))
            ),
            None => println!("  {name:<20} {:>8}", 0),
        }
    }
    let methods: Vec<String> = report.detection_methods.iter().map(|(m, n)| format!("{m} {n}")).collect();
    if !methods.is_empty() {
        println!("  detected by: {}", methods.join(", "));
    }
    Ok(())
}

/// A duration in seconds as `1h 05m 00s` or `4m 10s`, or `unknown`.
fn took(seconds: Option<i64>) -> String {
    match seconds {
        Some(s) if s >= 3600 => format!("{}h {:02}m {:02}s", s / 3600, s % 3600 / 60, s % 60),
        Some(s) => format!("{}m {:02}s", s / 60, s % 60),
        None => "unknown".into(),
    }
}

/// Prints whether an incident needs a post-mortem, each reason with its criterion and evidence.
pub async fn policy(store: &Store, config: &crate::config::Config, handle: &str, json: bool) -> anyhow::Result<()> {
    let number = incident_number(handle)?;
    let evidence = hindsight_app::analysis::gather(store, &Viewer::operator(), number).await?;
    // The thresholds admins set in the web pages count here as they do in the server.
    let rules = config.rules().in_force(store).await?;
    let report = hindsight_app::analysis::policy(&evidence, &rules);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let decision = serde_json::to_value(&report.decision)?;
    println!("{} {}: post-mortem {}", evidence.incident.handle, evidence.incident.title, word(&decision["necessity"]));
    for reason in decision["reasons"].as_array().into_iter().flatten() {
        println!(
            "  [{}] {} — {}",
            word(&reason["necessity"]),
            word(&reason["criterion"]),
            word(&reason["explanation"])
        );
    }
    for finding in &report.response {
        let finding = serde_json::to_value(finding)?;
        println!("  response: {} — {}", word(&finding["kind"]), word(&finding["message"]));
    }
    Ok(())
}

/// `hindsight policy --decide-past`: keeps the policy's decision on every resolved incident
/// that has none, with a progress bar on a terminal.
pub async fn decide_past(store: &Store, config: &crate::config::Config, json: bool) -> anyhow::Result<()> {
    let rules = config.rules().in_force(store).await?;
    let bar = if std::io::stderr().is_terminal() && !json {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("deciding on past incidents");
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let decided = hindsight_app::analysis::decide_past_incidents(store, &rules, |n| {
        bar.set_position(u64::try_from(n).unwrap_or(0));
    })
    .await?;
    bar.finish_and_clear();
    if json {
        println!("{}", serde_json::json!({ "decided": decided }));
    } else {
        println!("Decided on {decided} past incident(s); post-mortem coverage now counts them.");
    }
    Ok(())
}

fn word(value: &serde_json::Value) -> String {
    value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string())
}
