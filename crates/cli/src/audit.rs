//! `hindsight audit`: verify the hash chains of the record, and list the audit events
//! (account and settings changes). Verification reads only; it repairs nothing.

use hindsight_store::Store;

/// Walks every chain; prints what it checked, and each broken row. A broken chain
/// is an error, so the command exits 1.
pub async fn verify(store: &Store, json: bool) -> anyhow::Result<()> {
    let report = store.verify_audit_chains().await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("Checked {} chains, {} rows.", report.chains_checked, report.rows_checked);
        for broken in &report.broken {
            let record = if broken.record.is_empty() { String::new() } else { format!(" record {}", broken.record) };
            println!("BROKEN {}{record} version {}: {}", broken.table, broken.version, broken.problem);
            println!("  expected {}", broken.expected.as_deref().unwrap_or("(nothing)"));
            println!("  found    {}", broken.found.as_deref().unwrap_or("(nothing)"));
        }
        if let Some(head) = &report.audit_events_head {
            println!("Last audit event: {} {}", head.version, head.hash);
        }
        println!("Digest of every chain's last hash: {}", report.heads_digest);
    }
    if !report.intact() {
        anyhow::bail!("{} chain(s) broken: the record was changed outside Hindsight", report.broken.len());
    }
    if !json {
        eprintln!("Every chain is intact. Keep the digest somewhere outside this database to detect a rewrite later.");
    }
    Ok(())
}

/// Prints the latest audit events, newest first.
pub async fn log(store: &Store, limit: i64, json: bool) -> anyhow::Result<()> {
    let events = store.audit_events(limit).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&events)?);
        return Ok(());
    }
    if events.is_empty() {
        eprintln!("No audit events yet.");
    }
    for event in events {
        let at = hindsight_core::audit::canonical_time(event.at);
        println!("{:>6}  {at}  {}  {}  ({})", event.id, event.actor, event.action, event.subject);
    }
    Ok(())
}
