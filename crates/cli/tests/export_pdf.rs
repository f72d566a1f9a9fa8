//! `hindsight export INC-n --format pdf -o FILE`: a PDF in builds with the `pdf` feature, a
//! message saying how to get one (exit 1) in builds without it.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

use std::path::PathBuf;
use std::process::Command;

/// Text that means something in typst markup (and is plain in Markdown front matter); it must
/// reach the PDF as written.
const MARKUP: &str = r#"#strong[x] *b* _e_ $m$ [a] \ @ref <l> `r` // c"#;

fn hindsight() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hindsight"));
    command.env_remove("HINDSIGHT_DATABASE_URL").env_remove("HINDSIGHT_LISTEN").env_remove("HINDSIGHT_LOG_FORMAT");
    command
}

/// A fresh database holding one imported post-mortem; answers the folder, the database URL and the handle.
fn imported_postmortem(name: &str) -> (PathBuf, String, String) {
    let dir = std::env::temp_dir().join(format!("hindsight-cli-pdf-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("h.db").display());
    let user = hindsight().args(["user", "add", "dana", "--role", "editor", "--database-url", &url]).output().unwrap();
    assert!(user.status.success(), "{}", String::from_utf8_lossy(&user.stderr));
    let title = serde_json::to_string(&format!("Checkout down {MARKUP}")).unwrap();
    let component = serde_json::to_string(MARKUP).unwrap();
    let markdown = format!(
        "---\ntitle: {title}\nseverity: \"SEV2\"\npostmortem:\n  owner: \"dana\"\nroot_cause:\n  component: {component}\n---\n\
         # Checkout down\n\n## Summary\n\nThe pool was **exhausted**.\n"
    );
    let file = dir.join("postmortem.md");
    std::fs::write(&file, markdown).unwrap();
    let out = hindsight().args(["import-postmortem"]).arg(&file).args(["--database-url", &url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let handle = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(handle.starts_with("INC-"), "{handle}");
    (dir, url, handle)
}

#[cfg(feature = "pdf")]
#[test]
fn export_writes_a_pdf_with_the_text_as_written() {
    let (dir, url, handle) = imported_postmortem("ok");
    let file = dir.join("out.pdf");
    let out = hindsight()
        .args(["export", &handle, "--format", "pdf", "-o"])
        .arg(&file)
        .args(["--database-url", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pdf = std::fs::read(&file).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    match Command::new("pdftotext").arg(&file).arg("-").output() {
        Ok(text) => {
            assert!(text.status.success(), "{}", String::from_utf8_lossy(&text.stderr));
            let text = String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(text.contains(&format!("Checkout down {MARKUP}")), "{text}");
            assert!(text.contains("exhausted"), "{text}");
        }
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => panic!("pdftotext (poppler-utils) is needed: {e}"),
        Err(e) => eprintln!("pdftotext not found ({e}); the PDF's text is not checked"),
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(not(feature = "pdf"))]
#[test]
fn export_as_pdf_without_the_feature_says_how_to_build_it() {
    let (dir, url, handle) = imported_postmortem("missing");
    let file = dir.join("out.pdf");
    let out = hindsight()
        .args(["export", &handle, "--format", "pdf", "-o"])
        .arg(&file)
        .args(["--database-url", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no PDF support") && stderr.contains("--features pdf"), "{stderr}");
    assert!(!file.exists(), "nothing is written");
    let _ = std::fs::remove_dir_all(dir);
}
