//! `hindsight import`: read files other tools wrote (PagerDuty, Alertmanager, Grafana,
//! Opsgenie, GitHub, a Slack export, JSON Lines, CSV) into an incident's timeline, with a
//! progress bar on a terminal and a summary at the end.

use std::fs::File;
use std::io::{BufReader, IsTerminal};
use std::path::PathBuf;

use anyhow::Context;
use hindsight_app::imports::{self, ImportSummary, Source, Target};
use hindsight_core::access::Viewer;
use hindsight_core::import::Format;
use hindsight_store::Store;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::inspect::incident_number;

/// What `hindsight import` was asked to do.
pub struct ImportArgs {
    pub format: Format,
    pub paths: Vec<PathBuf>,
    pub incident: Option<String>,
    pub create_incident: bool,
    pub channels: Vec<String>,
    pub json: bool,
}

/// Imports every path into one incident and prints the summary. Fails when nothing at
/// all could be read.
pub async fn run(store: &Store, args: ImportArgs) -> anyhow::Result<()> {
    let viewer = Viewer::operator();
    let mut target = match &args.incident {
        Some(handle) => {
            let number = incident_number(handle)?;
            store.incident(&viewer, number).await.with_context(|| format!("importing into {handle}"))?;
            Target::Incident(number)
        }
        None => Target::Correlate { create: args.create_incident },
    };
    let mut total = ImportSummary::default();
    for path in &args.paths {
        let bar = progress_bar(path, args.format)?;
        let source = if args.format == Format::SlackExport {
            Source::SlackExport { path: path.clone(), channels: args.channels.clone() }
        } else {
            let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            let input = BufReader::with_capacity(256 * 1024, bar.wrap_read(file));
            Source::Stream { origin: path.display().to_string(), input: Box::new(input) }
        };
        let counter = bar.clone();
        let summary = imports::import(store, &viewer, args.format, source, target, move |read| {
            counter.set_message(format!("{read} records"));
        })
        .await
        .with_context(|| format!("importing {}", path.display()))?;
        bar.finish_and_clear();
        // The files after go to the incident the first went to; when it told of several
        // (episodes far apart), each file finds its own.
        if let [one] = summary.incidents.as_slice()
            && let Some(number) = hindsight_core::parse_incident_handle(one)
        {
            target = Target::Incident(number);
        }
        merge(&mut total, summary);
    }
    if args.json {
        println!("{}", serde_json::to_string(&total)?);
    } else {
        print_summary(&total);
    }
    if total.imported + total.duplicates == 0 && total.rejected > 0 {
        anyhow::bail!("no record could be imported; see the rejections above");
    }
    Ok(())
}

fn progress_bar(path: &std::path::Path, format: Format) -> anyhow::Result<ProgressBar> {
    let target =
        if std::io::stderr().is_terminal() { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
    let bar = if format == Format::SlackExport {
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(ProgressStyle::with_template("{spinner} {prefix} {msg} [{elapsed}]")?);
        bar
    } else {
        let size = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.len();
        let bar = ProgressBar::with_draw_target(Some(size), target);
        bar.set_style(ProgressStyle::with_template(
            "{prefix} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} eta {eta}",
        )?);
        bar
    };
    bar.set_prefix(path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Ok(bar)
}

fn merge(total: &mut ImportSummary, next: ImportSummary) {
    total.incident = next.incident.or(total.incident.take());
    for handle in next.incidents {
        if !total.incidents.contains(&handle) {
            total.incidents.push(handle);
        }
    }
    total.created_incident |= next.created_incident;
    total.read += next.read;
    total.imported += next.imported;
    total.duplicates += next.duplicates;
    total.restored += next.restored;
    total.rejected += next.rejected;
    total.skipped += next.skipped;
    total.rejections.extend(next.rejections);
    total.notes.extend(next.notes);
    total.resolved.extend(next.resolved);
    total.key_moments.extend(next.key_moments);
}

fn print_summary(summary: &ImportSummary) {
    let incident = match summary.incidents.as_slice() {
        [] => summary.incident.clone().unwrap_or_else(|| "no incident".to_string()),
        several => several.join(", "),
    };
    let created = if summary.created_incident { " (created)" } else { "" };
    println!(
        "{incident}{created}: {} imported, {} duplicates skipped, {} rejected, {} not timeline events",
        summary.imported, summary.duplicates, summary.rejected, summary.skipped
    );
    if summary.restored > 0 {
        println!(
            "  {} events set aside as duplicates before are back on the timeline: an earlier copy arrived",
            summary.restored
        );
    }
    for (moment, at) in &summary.key_moments {
        println!("  key moment {moment}: {at}");
    }
    for note in &summary.notes {
        println!("  note: {note}");
    }
    for rejection in summary.rejections.iter().take(20) {
        println!("  rejected {rejection}");
    }
    if summary.rejections.len() > 20 {
        println!("  … and {} more rejections (use --json to see them all)", summary.rejected - 20);
    }
}
