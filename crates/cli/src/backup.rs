//! `hindsight backup` and `hindsight restore`: a copy of a SQLite database made while it
//! serves, checked once written, and put back in place of a database that was lost. A
//! PostgreSQL database is backed up with its own tools (pg_dump), which the command names.

use std::path::Path;

use anyhow::Context;
use hindsight_store::{SCHEMA_VERSION, Store, redact};

/// Writes the backup of `store` (at `url`) to `file`, then opens the copy and checks its
/// hash chains.
pub async fn backup(store: &Store, url: &str, file: &Path) -> anyhow::Result<()> {
    if file.exists() {
        anyhow::bail!("{} exists: give a new file name; a backup never overwrites a file", file.display());
    }
    let path = utf8(file)?;
    if !store.backup_into(path).await.with_context(|| format!("backing up {} to {path}", redact(url)))? {
        anyhow::bail!(
            "{} is a PostgreSQL database: back it up with PostgreSQL's own tool, while servers keep running:\n  \
             pg_dump --format=custom --file {path} '<the database URL>'\nand restore it into an empty database \
             with:\n  pg_restore --no-owner --dbname '<the database URL>' {path}",
            redact(url)
        );
    }
    let (chains, rows) = check(file).await.with_context(|| format!("checking the backup {path}"))?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or_default();
    println!(
        "Backed up {} to {path} ({size} bytes, database schema {SCHEMA_VERSION}); its {chains} hash chains ({rows} \
         rows) are intact.",
        redact(url)
    );
    Ok(())
}

/// Puts the backup `file` in place as the SQLite database at `url` (replacing one that is
/// there only when `replace` says so), brings it up to this version's schema and checks it.
pub async fn restore(url: &str, file: &Path, replace: bool) -> anyhow::Result<()> {
    let Some(target) = crate::sqlite_path(url) else {
        anyhow::bail!(
            "{} is not a SQLite database: restore a PostgreSQL backup with pg_restore (see `hindsight backup`)",
            redact(url)
        );
    };
    if !file.is_file() {
        anyhow::bail!("{}: no such backup file", file.display());
    }
    let backup = Store::connect(&sqlite_url(file)?).await.with_context(|| format!("opening {}", file.display()))?;
    match backup.schema_version().await? {
        None => anyhow::bail!("{} is not a Hindsight database (it has no schema version)", file.display()),
        Some(version) if version > SCHEMA_VERSION => anyhow::bail!(
            "{} has database schema {version}, newer than this hindsight's ({SCHEMA_VERSION}): restore it with the \
             version that wrote it",
            file.display()
        ),
        Some(_) => {}
    }
    let target = Path::new(target);
    if target.exists() && !replace {
        anyhow::bail!(
            "{} exists: stop every server using it, then run again with --replace to put the backup in its place",
            target.display()
        );
    }
    // Copied beside the database, then moved over it in one step: a restore that stops
    // halfway leaves the database as it was.
    let restoring = target.with_extension("restoring");
    let _ = std::fs::remove_file(&restoring);
    backup.backup_into(utf8(&restoring)?).await.with_context(|| format!("copying {}", file.display()))?;
    backup.close().await;
    std::fs::rename(&restoring, target).with_context(|| format!("moving the copy to {}", target.display()))?;
    // The replaced database's journal must not be replayed into the backup.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
    }
    let restored = Store::connect(url).await.with_context(|| format!("opening {}", redact(url)))?;
    restored.migrate().await.with_context(|| format!("migrating {}", redact(url)))?;
    restored.close().await;
    let (chains, rows) = check(target).await?;
    println!(
        "Restored {} from {} (database schema {SCHEMA_VERSION}); its {chains} hash chains ({rows} rows) are intact.",
        redact(url),
        file.display()
    );
    Ok(())
}

fn utf8(file: &Path) -> anyhow::Result<&str> {
    file.to_str().with_context(|| format!("{}: the file name is not UTF-8", file.display()))
}

fn sqlite_url(file: &Path) -> anyhow::Result<String> {
    Ok(format!("sqlite://{}", utf8(file)?))
}

/// Opens the SQLite database `file` and checks its hash chains; answers how many chains
/// and rows it checked.
async fn check(file: &Path) -> anyhow::Result<(u64, u64)> {
    let store = Store::connect(&sqlite_url(file)?).await?;
    let report = store.verify_audit_chains().await?;
    store.close().await;
    if !report.intact() {
        anyhow::bail!(
            "{} chain(s) in {} are broken: run `hindsight audit verify` on it to see which",
            report.broken.len(),
            file.display()
        );
    }
    Ok((report.chains_checked, report.rows_checked))
}
