//! `hindsight-core-import`: runs hindsight's own importers (crates/core) over files and
//! throws the records away, without the channel, the incident or SQLite. Its time, set
//! beside the parse ceiling and `hindsight import`, says whether an import is slow in
//! reading and mapping the records or in storing them.
//!
//! ```text
//! hindsight-core-import --format FORMAT PATH...
//! ```
//!
//! Reads each path as `hindsight import` does (a 256 KiB `BufReader`; for slack-export the
//! export folder). Prints one JSON object: bytes, records, rejections and seconds.

#![allow(unused_crate_dependencies, reason = "the package's binaries share one list of dependencies")]

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use hindsight_core::import::{Format, ImportStats, SlackOptions, import_slack_export, importer};
use hindsight_parse_ceiling::{READ_BUFFER, input_files, total_bytes, with_path};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let mut format = None;
    let mut paths = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "--format" {
            format = args.next().and_then(|f| f.into_string().ok());
        } else {
            paths.push(PathBuf::from(arg));
        }
    }
    let (Some(format), false) = (format, paths.is_empty()) else {
        eprintln!("usage: hindsight-core-import --format FORMAT PATH...");
        return ExitCode::from(2);
    };
    let format: Format = match format.parse() {
        Ok(format) => format,
        Err(e) => {
            eprintln!("error: --format: {e}");
            return ExitCode::from(2);
        }
    };
    match measure(format, &paths) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn measure(format: Format, paths: &[PathBuf]) -> std::io::Result<()> {
    let bytes = total_bytes(&input_files(paths)?)?;
    let started = Instant::now();
    let mut records = 0u64;
    let mut text_bytes = 0u64;
    let mut sink = |record: hindsight_core::import::Record| {
        records += 1;
        // Touch what the store would write, so the records are not optimised away.
        text_bytes += record.text.len() as u64;
    };
    let mut stats = ImportStats::default();
    for path in paths {
        let one = if format == Format::SlackExport {
            import_slack_export(path, &SlackOptions::default(), &mut sink)
        } else {
            let file = File::open(path).map_err(|e| with_path(path, e))?;
            let mut input = BufReader::with_capacity(READ_BUFFER, file);
            importer(format).import(&mut input, &path.display().to_string(), &mut sink)
        };
        stats.merge(one.map_err(|e| with_path(path, e))?);
    }
    let seconds = started.elapsed().as_secs_f64();
    let report = serde_json::json!({
        "tool": "core-import",
        "format": format.to_string(),
        "bytes": bytes,
        "records": records,
        "text_bytes": text_bytes,
        "rejected": stats.rejected,
        "skipped": stats.skipped,
        "seconds": seconds,
    });
    println!("{report}");
    Ok(())
}
