//! `GET /api/v1/postmortems/{id}/export?format=pdf`: a PDF download in builds with the `pdf`
//! feature, a 501 problem saying how to get one in builds without it.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on fails where it stands")]
#![allow(unused_crate_dependencies, reason = "each test binary uses some of the dev-dependencies")]

mod common;

use common::{As, spawn_app};
use reqwest::{Method, StatusCode, header};
use serde_json::json;

const RESPONDER: As = As::User("responder");

/// Text that means something in typst markup; it must reach the PDF as written.
#[cfg(feature = "pdf")]
const MARKUP: &str = "#strong[x] *b* _e_ $m$ [a] \\ @ref <l> `r` // c";

/// A post-mortem on the seeded private incident; answers the export path.
async fn postmortem_export_path(app: &common::TestApp, component: &str) -> String {
    let seed = app.seed().await;
    let (status, pm) = app
        .post(
            As::User("admin"),
            &format!("/api/v1/incidents/{}/postmortem", seed.private),
            json!({"sections": {"summary": "Keys were written to **logs**.", "root_cause": {"component": component}}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    format!("/api/v1/postmortems/{}/export?format=pdf", pm["id"].as_str().unwrap())
}

#[cfg(feature = "pdf")]
#[tokio::test]
async fn a_postmortem_downloads_as_a_pdf_with_its_text_as_written() {
    let app = spawn_app().await;
    let path = postmortem_export_path(&app, MARKUP).await;
    let response = app.send(RESPONDER, Method::GET, &path, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/pdf");
    let disposition = response.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"INC-") && disposition.ends_with("-postmortem.pdf\""),
        "{disposition}"
    );
    let pdf = response.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&pdf) {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains(MARKUP), "{text}");
        assert!(text.contains("Credential leak in logs"), "{text}");
    }
}

#[cfg(not(feature = "pdf"))]
#[tokio::test]
async fn without_pdf_support_the_answer_is_a_problem_saying_how_to_build_it() {
    let app = spawn_app().await;
    let path = postmortem_export_path(&app, "vault").await;
    let response = app.send(RESPONDER, Method::GET, &path, None).await;
    assert_eq!(response.status(), StatusCode::NOT_IMPLEMENTED);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json");
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/pdf-not-built");
    assert_eq!(problem["status"], 501);
    assert!(problem["detail"].as_str().unwrap().contains("--features pdf"), "{problem}");
}

#[tokio::test]
async fn a_pdf_of_a_postmortem_you_cannot_see_is_not_found() {
    let app = spawn_app().await;
    let path = postmortem_export_path(&app, "vault").await;
    let (status, _) = app.get(As::User("outsider"), &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The PDF's text as poppler's `pdftotext` reads it. `None` when the tool is missing, except
/// under `CI=true`, where a missing tool fails the test rather than skipping the check.
#[cfg(feature = "pdf")]
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let path = std::env::temp_dir().join(format!("hindsight-export-{}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output();
    let _ = std::fs::remove_file(&path);
    match out {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => panic!("pdftotext failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => panic!("pdftotext (poppler-utils) is needed: {e}"),
        Err(e) => {
            eprintln!("pdftotext not found ({e}); the PDF's text is not checked");
            None
        }
    }
}
