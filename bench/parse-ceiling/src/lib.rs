//! What the import benchmark's measuring binaries share: finding the input files of a
//! corpus and printing one result line. Not a library for anything else.

#![allow(unused_crate_dependencies, reason = "the package's dependencies are its binaries'")]

use std::io;
use std::path::{Path, PathBuf};

/// Bytes read through each file's `BufReader`, the same as `hindsight import` uses.
pub const READ_BUFFER: usize = 256 * 1024;

/// The `.json` and `.jsonl` files at `paths` (folders searched recursively), in name order.
pub fn input_files(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        collect(path, &mut files).map_err(|e| with_path(path, e))?;
    }
    files.sort();
    Ok(files)
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            collect(&entry?.path(), files)?;
        }
    } else if matches!(path.extension().and_then(|e| e.to_str()), Some("json" | "jsonl")) {
        files.push(path.to_path_buf());
    }
    Ok(())
}

/// The size of `files` on disk.
pub fn total_bytes(files: &[PathBuf]) -> io::Result<u64> {
    files.iter().map(|f| std::fs::metadata(f).map(|m| m.len()).map_err(|e| with_path(f, e))).sum()
}

/// `error`, saying which file it is about.
pub fn with_path(path: &Path, error: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("{}: {error}", path.display()))
}
