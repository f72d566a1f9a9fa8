//! `hindsight-parse-ceiling`: how fast serde_json alone gets through the import
//! benchmark's files, parsing into `IgnoredAny` and keeping nothing. No importer can beat
//! it, so `hindsight import` is measured as a fraction of it.
//!
//! ```text
//! hindsight-parse-ceiling [--lines] PATH...
//! ```
//!
//! Folders are searched for `.json`/`.jsonl` files. With `--lines` each file is JSON Lines,
//! parsed line by line (`from_slice`); without, each file is one document read with one
//! `from_reader` over a `BufReader`, as the importers read a paged response or a day file.
//! Prints one JSON object: files, bytes, values parsed and seconds.

#![allow(unused_crate_dependencies, reason = "the package's binaries share one list of dependencies")]

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use hindsight_parse_ceiling::{READ_BUFFER, input_files, total_bytes, with_path};
use serde::de::IgnoredAny;

fn main() -> ExitCode {
    let mut lines = false;
    let mut paths = Vec::new();
    for arg in std::env::args_os().skip(1) {
        if arg == "--lines" {
            lines = true;
        } else {
            paths.push(PathBuf::from(arg));
        }
    }
    if paths.is_empty() {
        eprintln!("usage: hindsight-parse-ceiling [--lines] PATH...");
        return ExitCode::from(2);
    }
    match measure(lines, &paths) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn measure(lines: bool, paths: &[PathBuf]) -> std::io::Result<()> {
    let files = input_files(paths)?;
    let bytes = total_bytes(&files)?;
    let started = Instant::now();
    let mut values = 0u64;
    for path in &files {
        let file = File::open(path).map_err(|e| with_path(path, e))?;
        let mut reader = BufReader::with_capacity(READ_BUFFER, file);
        if lines {
            values += parse_lines(&mut reader).map_err(|e| with_path(path, e))?;
        } else {
            serde_json::from_reader::<_, IgnoredAny>(reader).map_err(|e| with_path(path, e))?;
            values += 1;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let report = serde_json::json!({
        "tool": "ceiling",
        "mode": if lines { "lines" } else { "document" },
        "files": files.len(),
        "bytes": bytes,
        "values": values,
        "seconds": seconds,
    });
    println!("{report}");
    Ok(())
}

/// Parses every non-blank line; answers how many there were.
fn parse_lines(reader: &mut impl BufRead) -> std::io::Result<u64> {
    let mut line = Vec::new();
    let mut values = 0;
    let mut number = 0u64;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(values);
        }
        number += 1;
        let body = line.trim_ascii();
        if body.is_empty() {
            continue;
        }
        serde_json::from_slice::<IgnoredAny>(body).map_err(|e| std::io::Error::other(format!("line {number}: {e}")))?;
        values += 1;
    }
}
