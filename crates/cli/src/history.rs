//! `hindsight import-history`: bring a team's incident history from PagerDuty or Opsgenie
//! through their REST APIs (the token from the environment), with a progress bar on a
//! terminal and a summary at the end. The work is `hindsight_app::history`'s; this reads the
//! flags, the token and Ctrl-C.

use std::io::IsTerminal;

use anyhow::Context;
use hindsight_app::history::{self, HistoryRequest, HistorySummary, Vendor};
use hindsight_core::access::Viewer;
use hindsight_store::Store;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use time::OffsetDateTime;

use crate::flags;

/// Requests per second allowed at most: a typo must not flood a vendor.
const MAX_RATE: f64 = 1000.0;

/// What `hindsight import-history` was asked to do.
pub struct HistoryArgs {
    pub from: String,
    pub since: String,
    pub until: Option<String>,
    pub api_url: Option<String>,
    pub eu: bool,
    pub rate: f64,
    pub max_retries: u32,
    pub json: bool,
}

/// Imports the history and prints the summary; on Ctrl-C, says how to go on.
pub async fn run(store: &Store, args: HistoryArgs) -> anyhow::Result<()> {
    let vendor: Vendor = flags::word("--from", &args.from)?;
    let since = date_or_time("--since", &args.since)?;
    let until = args.until.as_deref().map(|u| date_or_time("--until", u)).transpose()?;
    if !(args.rate > 0.0 && args.rate <= MAX_RATE) {
        anyhow::bail!("--rate: {} is not a number of requests per second from above 0 to {MAX_RATE}", args.rate);
    }
    let base_url = match &args.api_url {
        Some(url) => history::check_base_url(url)?,
        None => vendor.default_base_url(args.eu).to_string(),
    };
    let variable = vendor.token_variable();
    let token = std::env::var(variable).ok().filter(|t| !t.trim().is_empty()).with_context(|| {
        format!("set {variable} to a {vendor} API key (read access is enough) to import its history")
    })?;
    let request = HistoryRequest {
        vendor,
        since,
        until,
        base_url,
        token: token.trim().to_string(),
        requests_per_second: args.rate,
        max_retries: args.max_retries,
    };
    let bar = progress_bar(vendor)?;
    let shown = bar.clone();
    let viewer = Viewer::operator();
    let import = history::import_history(store, &viewer, request, move |p| {
        let span = (p.ends_at - p.since).whole_seconds().max(1) as u64;
        shown.set_length(span);
        shown.set_position((p.chunk_start - p.since).whole_seconds().max(0) as u64);
        shown.set_message(format!("{} incidents, {} requests", p.incidents, p.requests));
    });
    let summary = tokio::select! {
        summary = import => summary,
        _ = tokio::signal::ctrl_c() => {
            bar.finish_and_clear();
            anyhow::bail!(
                "interrupted; the incidents imported so far are kept: run the same command again to go on from where it stopped"
            );
        }
    };
    bar.finish_and_clear();
    let summary = summary?;
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        print_summary(&summary);
    }
    Ok(())
}

/// `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time.
fn date_or_time(flag: &str, text: &str) -> anyhow::Result<OffsetDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(text.trim(), &format) {
        Ok(date) => {
            let at = date.midnight().assume_utc();
            hindsight_core::validate::time_in_range(at).map_err(|message| anyhow::anyhow!("{flag} {message}"))?;
            Ok(at)
        }
        Err(_) => flags::time(flag, text, ", or a date such as 2026-01-01"),
    }
}

/// A bar over the window's time, on a terminal only.
fn progress_bar(vendor: Vendor) -> anyhow::Result<ProgressBar> {
    let target =
        if std::io::stderr().is_terminal() { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
    let bar = ProgressBar::with_draw_target(Some(1), target);
    bar.set_style(ProgressStyle::with_template("{prefix} [{bar:30}] {percent}% {msg} [{elapsed}]")?);
    bar.set_prefix(vendor.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Ok(bar)
}

fn print_summary(summary: &HistorySummary) {
    let resumed = if summary.resumed { ", going on from where the last run stopped" } else { "" };
    println!(
        "{} incidents created {} to {}{resumed}:",
        summary.vendor,
        history_time(summary.since),
        history_time(summary.until)
    );
    println!(
        "  incidents: {} new, {} updated, {} skipped (already imported)",
        summary.incidents_new, summary.incidents_updated, summary.incidents_skipped
    );
    println!(
        "  events: {} imported, {} already there or duplicates, {} rejected",
        summary.events_imported, summary.events_duplicate, summary.records_rejected
    );
    println!(
        "  {} requests, {} retries, {} waits for the rate limit, {:.1} s",
        summary.requests, summary.retries, summary.rate_limit_waits, summary.seconds
    );
    for note in &summary.notes {
        println!("  note: {note}");
    }
    for rejection in &summary.rejections {
        println!("  rejected {rejection}");
    }
    if summary.records_rejected > summary.rejections.len() as u64 {
        println!("  … and {} more rejections", summary.records_rejected - summary.rejections.len() as u64);
    }
}

fn history_time(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
