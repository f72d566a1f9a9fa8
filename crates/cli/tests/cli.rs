//! The `hindsight` binary as a person runs it: accounts, tokens, serving, errors.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn hindsight() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hindsight"));
    // The tests name their own database; the developer's environment must not interfere.
    command.env_remove("HINDSIGHT_DATABASE_URL").env_remove("HINDSIGHT_LISTEN").env_remove("HINDSIGHT_LOG_FORMAT");
    command
}

/// Runs `hindsight ARGS --database-url URL`: exit code, standard output, standard error.
fn run_on(url: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let output = hindsight().args(args).args(["--database-url", url]).output().unwrap();
    (output.status.code(), String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
}

fn temp_db(name: &str) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("hindsight-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("h.db").display());
    (dir, url)
}

#[test]
fn user_add_then_token_create_then_the_token_works_against_serve() {
    let (dir, url) = temp_db("serve");
    let mut add = hindsight()
        .args(["user", "add", "dana", "--role", "admin", "--password-stdin", "--database-url", &url])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"a long enough password\n").unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Created dana (admin)"));

    let token =
        hindsight().args(["token", "create", "dana", "--database-url", &url]).current_dir(&dir).output().unwrap();
    assert!(token.status.success());
    let secret = String::from_utf8(token.stdout).unwrap().trim().to_string();
    assert!(secret.starts_with("hs_"), "{secret}");
    // Both changes are in the chained audit events, as they would be through the server.
    let log = hindsight().args(["audit", "log", "--database-url", &url]).current_dir(&dir).output().unwrap();
    let log = String::from_utf8(log.stdout).unwrap();
    assert!(log.contains("created user with role admin") && log.contains("created API token"), "{log}");
    assert!(log.contains("operator"), "{log}");

    let mut server = hindsight()
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    // Kept open until the end: the server goes on writing to it.
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let address = first.split("http://").nth(1).and_then(|rest| rest.split('/').next()).unwrap().to_string();
    let me = http_get(&address, "/api/v1/me", Some(&secret));
    let refused = http_get(&address, "/api/v1/me", None);
    let _ = server.kill();
    let _ = server.wait();
    drop(stdout);
    assert!(me.starts_with("HTTP/1.1 200"), "{me}");
    assert!(me.contains("\"username\":\"dana\""), "{me}");
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A minimal HTTP/1.1 GET, so the test needs nothing but the standard library.
fn http_get(address: &str, path: &str, token: Option<&str>) -> String {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\n{auth}Connection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn a_generated_password_is_printed_once() {
    let (dir, url) = temp_db("generated");
    let out = hindsight()
        .args(["user", "add", "sam", "--role", "viewer", "--database-url", &url])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let password = stdout.lines().find_map(|l| l.strip_prefix("Password (shown once): ")).unwrap();
    assert_eq!(password.len(), 24);
    let list = hindsight().args(["user", "list", "--database-url", &url]).current_dir(&dir).output().unwrap();
    assert!(String::from_utf8(list.stdout).unwrap().contains("sam"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_input_exits_1_with_a_message_and_bad_usage_exits_2() {
    let (dir, url) = temp_db("errors");
    let bad_role = hindsight()
        .args(["user", "add", "x", "--role", "boss", "--database-url", &url])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(bad_role.status.code(), Some(1));
    let stderr = String::from_utf8(bad_role.stderr).unwrap();
    assert!(stderr.contains("--role") && stderr.contains("viewer, editor, admin"), "{stderr}");
    let duplicate = hindsight().args(["user", "add", "x", "--database-url", &url]).current_dir(&dir).output().unwrap();
    assert!(duplicate.status.success());
    let again = hindsight().args(["user", "add", "x", "--database-url", &url]).current_dir(&dir).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8(again.stderr).unwrap().contains("already taken"));
    let bad_url = hindsight().args(["migrate", "--database-url", "mysql://nope"]).current_dir(&dir).output().unwrap();
    assert_eq!(bad_url.status.code(), Some(1));
    assert!(String::from_utf8(bad_url.stderr).unwrap().contains("expected sqlite://PATH or postgres://"));
    let usage = hindsight().args(["frobnicate"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn help_lists_the_commands() {
    let out = hindsight().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for command in
        ["demo", "serve", "migrate", "user", "token", "audit", "incidents", "declare", "action-items", "draft"]
    {
        assert!(help.contains(command), "{command} missing from --help");
    }
}

#[test]
fn the_version_names_the_database_schema() {
    let out = hindsight().arg("--version").output().unwrap();
    assert!(out.status.success());
    let version = String::from_utf8(out.stdout).unwrap();
    let schema = format!("(database schema {})", hindsight_store::SCHEMA_VERSION);
    assert_eq!(version.trim(), format!("hindsight {} {schema}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn audit_verify_exits_0_when_intact_and_1_naming_the_changed_row() {
    let (dir, url) = temp_db("audit");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let store = runtime.block_on(async {
        let store = hindsight_store::Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        for action in ["created team", "renamed team"] {
            store.record_audit_event("dana", action, "payments", &serde_json::json!({})).await.unwrap();
        }
        store
    });
    let intact = hindsight().args(["audit", "verify", "--database-url", &url]).current_dir(&dir).output().unwrap();
    assert_eq!(intact.status.code(), Some(0), "{}", String::from_utf8_lossy(&intact.stderr));
    let json = hindsight().args(["audit", "verify", "--json", "--database-url", &url]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["broken"], serde_json::json!([]));
    assert_eq!(report["audit_events_head"]["version"], 2);
    let log = hindsight().args(["audit", "log", "--limit", "1", "--database-url", &url]).output().unwrap();
    let log = String::from_utf8(log.stdout).unwrap();
    assert!(log.contains("renamed team") && !log.contains("created team"), "{log}");

    runtime.block_on(async {
        let sql = "UPDATE audit_events SET action = 'nothing happened' WHERE id = 1";
        assert_eq!(hindsight_store::test_support::execute_raw(&store, sql).await, 1);
        store.close().await;
    });
    let broken = hindsight().args(["audit", "verify", "--database-url", &url]).current_dir(&dir).output().unwrap();
    assert_eq!(broken.status.code(), Some(1));
    let stdout = String::from_utf8(broken.stdout).unwrap();
    assert!(stdout.contains("BROKEN audit_events version 1"), "{stdout}");
    assert!(String::from_utf8(broken.stderr).unwrap().contains("chain(s) broken"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn audit_verify_reports_cleared_history_hashes_and_does_not_seal_them() {
    let (dir, url) = temp_db("audit-cleared");
    let run = |args: &[&str]| run_on(&url, args);
    let (code, _, err) = run(&["declare", "--title", "Checkout returns 502", "--severity", "SEV2"]);
    assert_eq!(code, Some(0), "{err}");
    for title in ["Checkout returns 503", "Checkout returns 504"] {
        let (code, _, err) = run(&["update", "INC-1", "--title", title]);
        assert_eq!(code, Some(0), "{err}");
    }
    assert_eq!(run(&["audit", "verify"]).0, Some(0));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let clear = |sql: &'static str| {
        runtime.block_on(async {
            let store = hindsight_store::Store::connect(&url).await.unwrap();
            let changed = hindsight_store::test_support::execute_raw(&store, sql).await;
            store.close().await;
            changed
        })
    };
    // Only the newest row's hash, then the whole chain's: each run (which migrates first)
    // reports the row without a hash, and the next run still does.
    let newest = "UPDATE incident_history SET hash = NULL, prev_hash = NULL WHERE version = 3";
    for (sql, rows, version) in [(newest, 1, 3), ("UPDATE incident_history SET hash = NULL, prev_hash = NULL", 2, 2)] {
        assert_eq!(clear(sql), rows);
        for _ in 0..2 {
            let (code, out, _) = run(&["audit", "verify"]);
            assert_eq!(code, Some(1), "{out}");
            assert!(out.contains(&format!("version {version}: the row has no hash")), "{out}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn incidents_lists_searches_and_sorts() {
    let (dir, url) = temp_db("incidents");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = hindsight_store::Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let operator = hindsight_core::access::Viewer::operator();
        for (title, severity) in [("Checkout returns 502", 2), ("Search index stale", 3), ("Checkout slow", 1)] {
            let new: hindsight_core::NewIncident =
                serde_json::from_value(serde_json::json!({"title": title, "severity": format!("SEV{severity}")}))
                    .unwrap();
            store.create_incident(&operator, new).await.unwrap();
        }
    });
    let run = |args: &[&str]| run_on(&url, &[&["incidents"][..], args].concat());
    let (code, text, _) = run(&[]);
    assert_eq!(code, Some(0));
    let handles: Vec<&str> = text.lines().map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(handles, ["INC-3", "INC-2", "INC-1"], "{text}");
    let (_, json, _) = run(&["--search", "CHECKOUT", "--sort", "severity", "--json"]);
    let found: Vec<serde_json::Value> = json.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let found: Vec<(&str, &str)> =
        found.iter().map(|i| (i["handle"].as_str().unwrap(), i["severity"].as_str().unwrap())).collect();
    assert_eq!(found, [("INC-3", "SEV1"), ("INC-1", "SEV2")]);
    let (_, limited, _) = run(&["--limit", "1", "--sort", "oldest"]);
    assert_eq!(limited.lines().count(), 1);
    assert!(limited.starts_with("INC-1 "), "{limited}");
    let (code, _, error) = run(&["--status", "exploded"]);
    assert_eq!(code, Some(1));
    assert!(error.contains("--status") && error.contains("triggered"), "{error}");
    let (code, _, _) = run(&["--sort", "loudest"]);
    assert_eq!(code, Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn declare_then_list_its_action_items() {
    let (dir, url) = temp_db("declare");
    let run = |args: &[&str]| run_on(&url, args);
    hindsight().args(["migrate", "--database-url", &url]).output().unwrap();
    let (code, out, err) = run(&["declare", "--title", "Checkout returns 502", "--severity", "SEV2"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "Declared INC-1 Checkout returns 502 (SEV2).");
    let (code, json, err) = run(&[
        "declare",
        "--title",
        "Key leak",
        "--severity",
        "SEV1",
        "--private",
        "--started-at",
        "2026-11-20T10:00:00Z",
        "--json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let declared: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!((declared["handle"].as_str(), declared["private"].as_bool()), (Some("INC-2"), Some(true)));
    assert_eq!(declared["started_at"], "2026-11-20T10:00:00Z");
    // Refused input says what was wrong and declares nothing.
    let (code, _, err) = run(&["declare", "--title", " ", "--severity", "SEV2"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("title"), "{err}");
    let (code, _, err) = run(&["declare", "--title", "x", "--severity", "SEV9"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("--severity"), "{err}");
    let (_, listed, _) = run(&["incidents"]);
    assert_eq!(listed.lines().count(), 2, "{listed}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = hindsight_store::Store::connect(&url).await.unwrap();
        let operator = hindsight_core::access::Viewer::operator();
        for (title, due, status) in [
            ("Add a 502 alert", "2020-01-01", "open"),
            ("Write the runbook", "2099-01-01", "open"),
            ("Old fix", "2020-01-01", "done"),
        ] {
            let new: hindsight_core::NewActionItem = serde_json::from_value(serde_json::json!({
                "title": title, "kind": "fix_root_cause", "due_date": due, "status": status
            }))
            .unwrap();
            store.create_action_item(&operator, 1, new).await.unwrap();
        }
        let note = hindsight_store::AuditNote::new("test", "created team", "sre", serde_json::json!({}));
        store.create_team("sre", "Site reliability", &note).await.unwrap();
    });
    let (code, all, err) = run(&["action-items", "--incident", "INC-1"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(all.lines().count(), 3, "{all}");
    let (_, overdue, _) = run(&["action-items", "--overdue"]);
    assert_eq!(overdue.lines().count(), 1, "{overdue}");
    assert!(overdue.contains("Add a 502 alert") && overdue.contains("(overdue)"), "{overdue}");
    let (_, done, _) = run(&["action-items", "--status", "done", "--json"]);
    let done: serde_json::Value = serde_json::from_str(done.trim()).unwrap();
    assert_eq!(done["title"], "Old fix");
    let (code, _, err) = run(&["action-items", "--incident", "checkout"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("INC-42"), "{err}");

    // Each line starts with the item's id, which the changes take.
    let (_, open, _) = run(&["action-items", "--status", "open", "--json"]);
    let open: Vec<serde_json::Value> = open.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let late = open.iter().find(|i| i["title"] == "Add a 502 alert").unwrap()["id"].as_str().unwrap().to_string();
    assert!(overdue.starts_with(&format!("{late} INC-1")), "{overdue}");
    let (code, out, err) = run(&["action-items", "due", &late, "2099-06-30"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("2099-06-30") && !out.contains("(overdue)"), "{out}");
    let (_, overdue, _) = run(&["action-items", "--overdue"]);
    assert_eq!(overdue.trim(), "", "re-dated, it is no longer overdue");
    let (code, out, err) = run(&["action-items", "reassign", &late, "--team", "sre"]);
    assert_eq!((code, out.contains(" sre ")), (Some(0), true), "{out}{err}");
    let (code, out, err) = run(&["action-items", "close", &late, "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let closed: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!((closed["status"].as_str(), closed["owner_team"].as_str()), (Some("done"), Some("sre")));
    let (code, out, _) = run(&["action-items", "reopen", &late]);
    assert_eq!((code, out.contains(" open ")), (Some(0), true), "{out}");
    // What cannot be done says why, and changes nothing.
    let (code, _, err) = run(&["action-items", "due", &late, "next week"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("2026-12-15"), "{err}");
    let (code, _, err) = run(&["action-items", "reassign", &late]);
    assert_eq!(code, Some(1));
    assert!(err.contains("--nobody"), "{err}");
    let (code, _, err) = run(&["action-items", "close", "no-such-item"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("lists them with their ids"), "{err}");
    let (code, _, err) = run(&["action-items", "reassign", &late, "--owner", "nobody-here"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("was not changed") && err.contains("nobody-here"), "{err}");
    let (_, history, _) = run(&["action-items", "--status", "open", "--json"]);
    assert!(history.contains("2099-06-30"), "the changes stand: {history}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_backup_made_while_writes_run_restores_and_verifies() {
    let (dir, url) = temp_db("backup");
    let run = |args: &[&str]| run_on(&url, args);
    hindsight().args(["migrate", "--database-url", &url]).output().unwrap();
    for n in 0..5 {
        let (code, _, err) = run(&["declare", "--title", &format!("Before {n}"), "--severity", "SEV3"]);
        assert_eq!(code, Some(0), "{err}");
    }
    // Incidents are declared all the while the backup is made.
    let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let writer = {
        let (url, writing) = (url.clone(), writing.clone());
        std::thread::spawn(move || {
            let mut declared = 0;
            while writing.load(std::sync::atomic::Ordering::Relaxed) {
                let title = format!("During {declared}");
                let (code, _, err) = run_on(&url, &["declare", "--title", &title, "--severity", "SEV3"]);
                assert_eq!(code, Some(0), "{err}");
                declared += 1;
            }
            declared
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let file = dir.join("backup.db");
    let file_arg = file.to_str().unwrap();
    let (code, out, err) = run(&["backup", file_arg]);
    writing.store(false, std::sync::atomic::Ordering::Relaxed);
    let during = writer.join().unwrap();
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("hash chains") && out.contains("are intact"), "{out}");
    assert!(during > 0, "no write ran during the backup");

    // Restored elsewhere: a database as of one moment, whole and verified.
    let restored = format!("sqlite://{}", dir.join("restored.db").display());
    let (code, out, err) = run_on(&restored, &["restore", file_arg]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Restored") && out.contains("are intact"), "{out}");
    let (_, listed, _) = run_on(&restored, &["incidents", "--limit", "1000"]);
    let count = listed.lines().count();
    assert!((5..=5 + during).contains(&count), "{count} incidents, of 5 before and {during} during");
    let (code, _, err) = run_on(&restored, &["audit", "verify"]);
    assert_eq!(code, Some(0), "{err}");

    // Nothing is overwritten unasked; what is not a backup says so.
    let (code, _, err) = run(&["backup", file_arg]);
    assert_eq!(code, Some(1));
    assert!(err.contains("exists") && err.contains("never overwrites"), "{err}");
    let (code, _, err) = run_on(&restored, &["restore", file_arg]);
    assert_eq!(code, Some(1));
    assert!(err.contains("--replace"), "{err}");
    let (_, now, _) = run(&["incidents", "--limit", "1000"]);
    let (code, _, err) = run_on(&url, &["restore", file_arg, "--replace"]);
    assert_eq!(code, Some(0), "{err}");
    let (_, back, _) = run(&["incidents", "--limit", "1000"]);
    assert_eq!(back.lines().count(), count, "the backup replaced the {} incidents there", now.lines().count());
    let stray = dir.join("notes.txt");
    std::fs::write(&stray, "not a database").unwrap();
    let (code, _, err) = run_on(&restored, &["restore", stray.to_str().unwrap(), "--replace"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("notes.txt"), "{err}");
    let (code, _, _) = run_on(&restored, &["audit", "verify"]);
    assert_eq!(code, Some(0), "a refused restore leaves the database as it was");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_postgresql_backup_is_made_by_the_commands_backup_names() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(source) = runtime.block_on(hindsight_store::test_support::postgres_database()) else { return };
    let target = runtime.block_on(hindsight_store::test_support::postgres_database()).unwrap();
    let (code, _, err) = run_on(&source, &["declare", "--title", "Kept by pg_dump", "--severity", "SEV3"]);
    assert_eq!(code, Some(0), "{err}");
    let (dir, _) = temp_db("pg-backup");
    let file = dir.join("hindsight.dump");
    let (code, _, err) = run_on(&source, &["backup", file.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    // Run as printed, with the URLs in place of the placeholder.
    let commands: Vec<&str> = err.lines().map(str::trim).filter(|l| l.starts_with("pg_")).collect();
    assert_eq!(commands.len(), 2, "{err}");
    for (command, url) in commands.into_iter().zip([&source, &target]) {
        let command = command.replace("'<the database URL>'", &format!("'{url}'"));
        let output = Command::new("sh").arg("-c").arg(&command).output().unwrap();
        assert!(output.status.success(), "{command}: {}", String::from_utf8_lossy(&output.stderr));
    }
    let (_, listed, _) = run_on(&target, &["incidents"]);
    assert!(listed.contains("Kept by pg_dump"), "{listed}");
    let (code, _, err) = run_on(&target, &["audit", "verify"]);
    assert_eq!(code, Some(0), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_configuration_reference_is_what_config_defaults_prints() {
    let out = hindsight().args(["config", "defaults"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    let reference = include_str!("../../../docs/CONFIGURATION.md");
    let block = reference.split("```toml\n").nth(1).and_then(|rest| rest.split("```").next()).unwrap_or_default();
    assert_eq!(block, printed, "docs/CONFIGURATION.md is behind: paste `hindsight config defaults` into it");
    assert!(printed.contains("session_hours = ") && printed.contains("\n[policy]\n"), "{printed}");
}

#[test]
fn config_check_names_settings_hindsight_does_not_know() {
    let (dir, _) = temp_db("config");
    let file = dir.join("hindsight.toml");
    let check = |text: &str| {
        std::fs::write(&file, text).unwrap();
        let out = hindsight().args(["config", "check", "--config", file.to_str().unwrap()]).output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (code, _, err) = check("sesion_hours = 8\nsecure_cookie = true\n[severity_labels]\nSEV1 = \"Critical\"\n");
    assert_eq!(code, Some(1));
    assert!(err.contains("no setting \"secure_cookie\", \"sesion_hours\""), "{err}");
    assert!(!err.contains("SEV1"), "a label is a name, not a setting: {err}");
    let (code, _, err) = check("[policy]\nprolonged_minute = 30\n");
    assert_eq!(code, Some(1));
    assert!(err.contains("prolonged_minute"), "{err}");
    let (code, _, err) = check("session_hours = 0\n");
    assert_eq!(code, Some(1));
    assert!(err.contains("session_hours must be at least 1"), "{err}");
    let (code, out, err) = check("session_hours = 8\n[policy]\nprolonged_minutes = 30\n");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("The configuration is valid") && out.contains("hindsight.toml"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn output_into_a_pipe_closed_early_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let (dir, url) = temp_db("pipe");
    let lines: Vec<String> = (0..5000)
        .map(|i| {
            format!(
                r#"{{"time": "2026-11-20T{:02}:{:02}:{:02}Z", "source": "app", "kind": "note", "actor": "ops", "text": "Step {i} of the runbook, done and checked"}}"#,
                i / 3600,
                i / 60 % 60,
                i % 60
            )
        })
        .collect();
    let input = dir.join("steps.jsonl");
    std::fs::write(&input, lines.join("\n")).unwrap();
    let import = hindsight()
        .args(["import", "--format", "jsonl", "--create-incident", "--json", "--database-url", &url])
        .arg(&input)
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    // Far more than a pipe holds: the command is still writing when the reader goes away.
    let mut child = hindsight()
        .args(["timeline", "INC-1", "--database-url", &url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let (mut heading, mut first) = (String::new(), String::new());
    reader.read_line(&mut heading).unwrap();
    assert!(heading.starts_with("INC-1 Incident from app"), "{heading}");
    reader.read_line(&mut first).unwrap();
    assert!(first.contains("Step 0 "), "{first}");
    drop(reader);
    let output = child.wait_with_output().unwrap();
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(!error.contains("panicked"), "{error}");
    assert!(output.status.success() || output.status.signal() == Some(libc::SIGPIPE), "{:?}: {error}", output.status);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn timeline_lists_the_events_set_aside_as_duplicates_apart() {
    let (dir, url) = temp_db("duplicates");
    let input = dir.join("pages.jsonl");
    let page = |at: &str| {
        format!(
            r#"{{"time": "2026-11-20T{at}:00Z", "source": "pager", "kind": "page", "actor": "oncall", "text": "Paged Ana"}}"#
        )
    };
    std::fs::write(&input, [page("10:00"), page("10:03"), page("10:09")].join("\n")).unwrap();
    let import = hindsight()
        .args(["import", "--format", "jsonl", "--create-incident", "--json", "--database-url", &url])
        .arg(&input)
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    let times = |args: &[&str]| -> Vec<String> {
        let output =
            hindsight().args(["timeline", "INC-1", "--json", "--database-url", &url]).args(args).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["occurred_at"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(times(&[]), ["2026-11-20T10:00:00Z", "2026-11-20T10:09:00Z"]);
    assert_eq!(times(&["--duplicates"]), ["2026-11-20T10:03:00Z"]);
    let text = hindsight().args(["timeline", "INC-1", "--duplicates", "--database-url", &url]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Set aside as duplicates") && text.contains("10:03:00"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn import_postmortem_refuses_a_document_naming_the_fault_and_leaves_nothing_behind() {
    let (dir, url) = temp_db("import-postmortem");
    let file = dir.join("postmortem.md");
    let path = file.to_str().unwrap();
    std::fs::write(&file, "---\ntitle: \"Checkout down\"\nseverity: \"SEV9\"\n---\n").unwrap();
    let (code, _, err) = run_on(&url, &["import-postmortem", path]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("line 3") && err.contains("SEV1 to SEV5"), "{err}");
    // Reads, but names an owner with no account here: the store refuses the post-mortem after
    // the incident was created, so the incident is removed again, and the audit log says so.
    let document = |owner: &str| {
        format!(
            "---\ntitle: \"Checkout down\"\nseverity: \"SEV2\"\npostmortem:\n  owner: \"{owner}\"\n---\n\
             # Checkout down\n\n## Summary\n\nThe pool ran dry.\n"
        )
    };
    std::fs::write(&file, document("nobody")).unwrap();
    let (code, _, err) = run_on(&url, &["import-postmortem", path]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("nobody"), "{err}");
    let (code, out, err) = run_on(&url, &["incidents", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "", "the refused document left an incident behind");
    let (_, log, _) = run_on(&url, &["audit", "log"]);
    assert!(log.contains("removed the incident of a post-mortem document the store refused"), "{log}");
    let (code, _, err) = run_on(&url, &["user", "add", "dana", "--role", "editor"]);
    assert_eq!(code, Some(0), "{err}");
    std::fs::write(&file, document("dana")).unwrap();
    let (code, out, err) = run_on(&url, &["import-postmortem", path]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("post-mortem draft"), "{err}");
    let (_, listed, _) = run_on(&url, &["incidents", "--json"]);
    assert!(listed.contains(out.trim()) && listed.contains("Checkout down"), "{listed}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn update_changes_an_incident_keeps_the_reason_and_refuses_bad_input_naming_the_flag() {
    let (dir, url) = temp_db("update");
    let run = |args: &[&str]| run_on(&url, args);
    let (code, _, err) = run(&[
        "declare",
        "--title",
        "Checkout returns 502",
        "--severity",
        "SEV2",
        "--started-at",
        "2026-11-20T10:00:00Z",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&[
        "update",
        "INC-1",
        "--status",
        "mitigated",
        "--mitigated-at",
        "2026-11-20T10:40:00Z",
        "--severity",
        "SEV1",
        "--reason",
        "rolled back deploy 41",
        "--json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let incident: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (incident["status"].as_str(), incident["severity"].as_str(), incident["mitigated_at"].as_str()),
        (Some("mitigated"), Some("SEV1"), Some("2026-11-20T10:40:00Z"))
    );
    // Cleared with `none`; the text answer names the incident.
    let (code, out, _) = run(&["update", "INC-1", "--mitigated-at", "none", "--status", "acknowledged"]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("Updated INC-1 Checkout returns 502 (SEV1, acknowledged)"), "{out}");
    let history = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = hindsight_store::Store::connect(&url).await.unwrap();
        store.incident_history(&hindsight_core::access::Viewer::operator(), 1).await.unwrap()
    });
    let reasons: Vec<Option<&str>> = history.iter().map(|c| c.reason.as_deref()).collect();
    assert!(reasons.contains(&Some("rolled back deploy 41")), "{history:?}");
    for (args, flag) in [
        (vec!["--status", "exploded"], "--status"),
        (vec!["--severity", "SEV9"], "--severity"),
        (vec!["--detected-at", "yesterday"], "--detected-at"),
        (vec!["--detected-at", "2026-11-20T09:00:00Z"], "detected_at"),
        (vec![], "nothing to change"),
    ] {
        let (code, _, err) = run(&[&["update", "INC-1"][..], &args].concat());
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?}: {err}");
    }
    let (code, _, err) = run(&["update", "INC-9", "--status", "resolved"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("INC-9"), "{err}");
    // Resolving it starts the post-mortem draft a SEV1 needs, as the server does.
    let (code, out, err) = run(&["update", "INC-1", "--status", "resolved"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("It needs a post-mortem: a draft was started"), "{out}{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn metrics_without_an_incident_spread_across_the_selected_incidents() {
    let (dir, url) = temp_db("spread");
    let run = |args: &[&str]| run_on(&url, args);
    for (number, (severity, detected)) in [("SEV2", "10:02"), ("SEV3", "10:04"), ("SEV3", "10:30")].iter().enumerate() {
        let (code, _, err) = run(&[
            "declare",
            "--title",
            "Checkout errors",
            "--severity",
            severity,
            "--started-at",
            "2026-11-20T10:00:00Z",
        ]);
        assert_eq!(code, Some(0), "{err}");
        let at = format!("2026-11-20T{detected}:00Z");
        let (code, _, err) = run(&["update", &format!("INC-{}", number + 1), "--detected-at", &at]);
        assert_eq!(code, Some(0), "{err}");
    }
    let (code, out, err) = run(&["metrics", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["incidents"], 3);
    assert_eq!(report["time_to_detect_s"]["p50"], 240);
    assert_eq!(report["time_to_detect_s"]["max"], 1800);
    assert_eq!(report["time_to_resolve_s"], serde_json::Value::Null);
    let (_, out, _) = run(&["metrics", "--severity", "SEV3"]);
    assert!(out.starts_with("Response times across 2 incidents"), "{out}");
    assert!(out.contains("time to detect") && out.contains("4m 00s") && out.contains("30m 00s"), "{out}");
    let (code, _, err) = run(&["metrics", "--severity", "SEV9"]);
    assert_eq!((code, err.contains("--severity")), (Some(1), true), "{err}");
    let (code, _, _) = run(&["metrics", "INC-1", "--severity", "SEV3"]);
    assert_eq!(code, Some(2), "an incident and filters together is a usage error");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn event_adds_to_the_timeline_by_hand_and_names_the_flag_at_fault() {
    let (dir, url) = temp_db("event");
    let run = |args: &[&str]| run_on(&url, args);
    let (code, _, err) = run(&[
        "declare",
        "--title",
        "Checkout returns 502",
        "--severity",
        "SEV2",
        "--started-at",
        "2026-11-20T10:00:00Z",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&[
        "event",
        "INC-1",
        "--at",
        "2026-11-20T10:30:00Z",
        "--kind",
        "rollback",
        "--actor",
        "dana",
        "--text",
        "Rolled back deploy 41",
        "--key-moment",
        "mitigation",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "Added to INC-1 at 2026-11-20T10:30:00Z: Rolled back deploy 41");
    let (_, timeline, _) = run(&["timeline", "INC-1", "--json"]);
    let event: serde_json::Value = serde_json::from_str(timeline.lines().next().unwrap()).unwrap();
    assert_eq!(
        (event["kind"].as_str(), event["actor"].as_str(), event["key_moment"].as_str(), event["source"].as_str()),
        (Some("rollback"), Some("dana"), Some("mitigation"), Some("manual"))
    );
    for (args, flag) in [
        (vec!["--text", "x", "--kind", "party"], "--kind"),
        (vec!["--text", "x", "--at", "noon"], "--at"),
        (vec!["--text", "x", "--key-moment", "lunch"], "--key-moment"),
        (vec!["--text", ""], "text"),
    ] {
        let (code, _, err) = run(&[&["event", "INC-1"][..], &args].concat());
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn draft_prints_the_first_draft_and_writes_it_only_into_empty_sections() {
    let (dir, url) = temp_db("draft");
    let run = |args: &[&str]| run_on(&url, args);
    let declare =
        ["declare", "--title", "Checkout returns 502", "--severity", "SEV1", "--description", "Checkout failed."];
    let (code, _, err) = run(&declare);
    assert_eq!(code, Some(0), "{err}");
    for (at, kind, key_moment, text) in [
        ("2026-11-20T10:04:00Z", "alert", "detection", "HighErrorRate firing"),
        ("2026-11-20T10:30:00Z", "rollback", "mitigation", "Rolled back deploy 41"),
    ] {
        let args = ["event", "INC-1", "--at", at, "--kind", kind, "--key-moment", key_moment, "--text", text];
        let (code, _, err) = run(&args);
        assert_eq!(code, Some(0), "{err}");
    }
    let (code, _, err) = run(&["draft", "INC-1"]);
    assert_eq!(code, Some(1), "no post-mortem yet");
    assert!(err.contains("INC-1 has no post-mortem yet"), "{err}");
    // Resolving it starts the post-mortem a SEV1 needs, with the draft in what the incident left empty.
    let (code, _, err) = run(&["update", "INC-1", "--status", "resolved"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&["draft", "INC-1"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("## Summary\n\nIt was detected at 10:04 UTC on 2026-11-20"), "{out}");
    assert!(out.contains("## Detection\n\nIt was detected at 10:04 UTC through an alert recorded by hand"), "{out}");
    assert!(err.contains("kept as they are") && err.contains("summary"), "the description is the summary: {err}");
    let (code, out, err) = run(&["draft", "INC-1", "--write", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let written: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(written["filled"], serde_json::json!([]), "{written}");
    let offered: Vec<&str> =
        written["offered"].as_array().unwrap().iter().map(|o| o["section"].as_str().unwrap()).collect();
    assert_eq!(offered, ["summary"], "the other sections hold the draft since the post-mortem started");
    assert_eq!(written["postmortem"]["sections"]["summary"], "Checkout failed.");
    assert!(err.contains("unchanged"), "{err}");
    let (code, _, err) = run(&["draft", "nonsense"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("not an incident handle"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn errors_say_each_thing_once() {
    let (dir, url) = temp_db("errors-once");
    let folder = dir.to_str().unwrap();
    for args in [vec!["import", "--format", "jsonl", folder], vec!["lint", folder], vec!["import-postmortem", folder]] {
        let (code, _, stderr) = run_on(&url, &args);
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.matches("Is a directory").count(), 1, "{args:?}: {stderr}");
        assert_eq!(stderr.matches(folder).count(), 1, "{args:?}: {stderr}");
    }
    let missing = dir.join("no-such-folder").join("h.db");
    let bad_url = format!("sqlite://{}", missing.display());
    let (code, _, stderr) = run_on(&bad_url, &["incidents"]);
    assert_eq!(code, Some(1));
    assert_eq!(stderr.matches("unable to open database file").count(), 0, "{stderr}");
    assert!(stderr.contains("the folder") && stderr.contains("does not exist"), "{stderr}");
    let (code, _, stderr) = run_on(&url, &["import", "--format", "nope", folder]);
    assert_eq!(code, Some(1));
    assert!(!stderr.contains("unknown Format") && stderr.contains("unknown format \"nope\""), "{stderr}");
}

#[test]
fn a_port_in_use_suggests_another_and_the_demo_creates_no_database_first() {
    let (dir, _) = temp_db("port-in-use");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output =
        hindsight().args(["demo", "--port", &port, "--database", "demo.db"]).current_dir(&dir).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("already in use") && stderr.contains("--port"), "{stderr}");
    assert!(!dir.join("demo.db").exists(), "the demo database was created before the port was known to be free");
}

#[test]
fn lint_fails_on_what_a_rule_finds_and_only_prints_the_models_guesses() {
    let (dir, _) = temp_db("lint");
    let check = |text: &str| {
        let file = dir.join("postmortem.md");
        std::fs::write(&file, text).unwrap();
        let out = hindsight().args(["lint", file.to_str().unwrap()]).output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (code, out, err) = check("Dana forgot to renew the certificate.\n");
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(err.contains("1 finding(s) of blaming language"), "{err}");
    let (code, out, err) = check("The team lead signed off on an untested change.\n");
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("possible-blame") && err.contains("1 more worth a look"), "{out}{err}");
    let (code, _, err) = check("The certificate expired at 02:00 and the renewal job had no alert.\n");
    assert_eq!(code, Some(0));
    assert!(err.contains("No blaming language found."), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
