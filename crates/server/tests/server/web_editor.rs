//! The post-mortem editor page over HTTP: starting, saving, stale saves and merging,
//! blameless-language marks, the completeness gate and who may do what.

use crate::common;

use common::{As, TestApp, no_redirects, page, send_form, sign_in, spawn_app};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

const EDITOR: As = As::User("editor");

/// The value of the first hidden field `name` of a page's form.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker).nth(1).unwrap_or_else(|| panic!("no {name} in the page")).split('"').next().unwrap().to_string()
}

fn edit_path(handle: &str) -> String {
    format!("/incidents/{handle}/postmortem/edit")
}

/// Every field of the editor filled in as a person would, for a post-mortem at `version`.
fn full_form(token: &str, version: &str) -> Vec<(String, String)> {
    [
        ("csrf_token", token),
        ("version", version),
        ("summary", "Checkout returned 502 for 31 minutes after a database failover."),
        ("impact.data_lost", "no"),
        ("impact.data_lost_detail", ""),
        ("impact.users_affected", "1200"),
        ("impact.access_lost_minutes", "31"),
        ("impact.productivity_lost_hours", "4.5"),
        ("impact.revenue_impact", "≈ $12,000"),
        ("impact.notes", ""),
        ("root_cause.description", "The connection pool kept connections to the old primary."),
        ("root_cause.analysis", ""),
        ("root_cause.certainty", "confirmed"),
        ("root_cause.component", "db-pool"),
        ("root_cause.legacy_code", "yes"),
        ("root_cause.must_fix", "yes"),
        ("root_cause.clues", ""),
        ("trigger", "A storage fault on the primary."),
        ("detection", "The error-rate alert fired four minutes after impact began."),
        ("response_analysis", "The on-call engineer was paged at once; the runbook lacked the pool step."),
        ("dc_description", "None: no order was lost"),
        ("dc_owner_team", ""),
        ("dc_status", "done"),
        ("dc_description", ""),
        ("dc_owner_team", ""),
        ("dc_status", "planned"),
        ("resolution", "The pool was restarted against the new primary."),
        ("lessons.went_well", "Alerting"),
        ("lessons.went_badly", "The runbook"),
        ("lessons.got_lucky", "Low traffic"),
        ("rec_text", ""),
        ("owner", "editor"),
        ("due_date", "2026-12-01"),
        ("action", "save"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Replaces the first value of `name`, or adds it.
fn set(form: &mut Vec<(String, String)>, name: &str, value: &str) {
    match form.iter_mut().find(|(k, _)| k == name) {
        Some(pair) => pair.1 = value.to_string(),
        None => form.push((name.to_string(), value.to_string())),
    }
}

fn add(form: &mut Vec<(String, String)>, name: &str, value: &str) {
    form.push((name.to_string(), value.to_string()));
}

/// Starts the post-mortem of `handle` through the API; answers it.
async fn start(app: &TestApp, handle: &str) -> Value {
    let (status, pm) = app.post(EDITOR, &format!("/api/v1/incidents/{handle}/postmortem"), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{pm}");
    pm
}

async fn stored(app: &TestApp, handle: &str) -> Value {
    let (status, pm) = app.get(EDITOR, &format!("/api/v1/incidents/{handle}/postmortem")).await;
    assert_eq!(status, StatusCode::OK, "{pm}");
    pm
}

#[tokio::test]
async fn editors_start_a_postmortem_and_get_every_section_with_guidance() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let cookie = sign_in(&app, "editor").await;
    let path = edit_path(&seed.public);
    let (status, empty) = page(&app, &cookie, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(empty.contains(">Start post-mortem</button>"), "{empty}");
    assert!(!empty.contains("data-section"));
    let form = vec![("csrf_token".to_string(), hidden(&empty, "csrf_token")), ("action".into(), "start".into())];
    let (status, location, _) = send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with(&path) && location.contains("notice=Post-mortem%20started"), "{location}");
    let pm = stored(&app, &seed.public).await;
    assert_eq!((pm["status"].as_str(), pm["owner"].as_str()), (Some("draft"), Some("editor")));

    let (status, editor) = page(&app, &cookie, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(editor.contains("role=\"status\">Post-mortem started as a draft."));
    for label in [
        "<label for=\"summary\" id=\"summary-label\">Summary</label>",
        "<label for=\"root_cause-description\" id=\"root_cause-description-label\">Root cause</label>",
        "<label for=\"trigger\" id=\"trigger-label\">Trigger</label>",
        "<label for=\"detection\" id=\"detection-label\">Detection</label>",
        "<label for=\"response_analysis\" id=\"response_analysis-label\">Response analysis</label>",
        "<label for=\"resolution\" id=\"resolution-label\">Resolution</label>",
        "<label for=\"impact-users_affected\" id=\"impact-users_affected-label\">Users affected</label>",
        "<label for=\"root_cause-certainty\" id=\"root_cause-certainty-label\">Certainty</label>",
        "<label for=\"root_cause-legacy_code\" id=\"root_cause-legacy_code-label\">Legacy code</label>",
        "<label for=\"lessons-went_well\" id=\"lessons-went_well-label\">Went well</label>",
        "<label for=\"damage_control-0-description\" id=\"damage_control-0-description-label\" class=\"row-label\">Action 1</label>",
        "<label for=\"recommendations-0-text\" id=\"recommendations-0-text-label\" class=\"row-label\">Recommendation 1</label>",
        "<label for=\"owner\" id=\"owner-label\">Owner</label>",
        ">Damage scope</h2>",
        ">Damage control</h2>",
        ">Lessons</h2>",
    ] {
        assert!(editor.contains(label), "missing {label}");
    }
    assert!(editor.contains("data-section=\"sections.summary\""));
    assert!(editor.contains("data-section=\"sections.root_cause.clues\""));
    assert_eq!(editor.matches("<summary>How to write the ").count(), 11, "guidance for every section");
    assert!(editor.contains("<summary>How to write the Root cause section</summary>"));
    assert!(editor.contains("When the cause is unknown, say so, set the certainty to unknown and record the"));
    assert_eq!(hidden(&editor, "version"), pm["version"].to_string());
    // The checklist links each missing item to its field; submitting says why it cannot yet.
    assert!(editor.contains("href=\"#root_cause-description\">Root cause</a>"), "{editor}");
    assert!(editor.contains("value=\"in_review\" class=\"primary\" disabled"));
    assert!(editor.contains("Submitting for review needs a complete post-mortem"));

    for (asset, kind) in [("/assets/editor.js", "javascript"), ("/assets/editor.css", "css")] {
        let response = reqwest::get(app.url(asset)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().contains(kind));
    }
}

#[tokio::test]
async fn saving_the_form_changes_sections_lists_and_structured_fields() {
    saving_changes_what_the_form_says(spawn_app().await).await;
}

#[tokio::test]
async fn saving_the_form_on_postgresql_changes_what_it_says() {
    let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
    saving_changes_what_the_form_says(common::spawn_on(store).await).await;
}

async fn saving_changes_what_the_form_says(app: TestApp) {
    let seed = app.seed().await;
    let pm = start(&app, &seed.public).await;
    let (_, item) = app
        .post(
            EDITOR,
            &format!("/api/v1/incidents/{}/action-items", seed.public),
            json!({"title": "Re-resolve the primary", "kind": "fix_root_cause", "owner": "editor", "due_date": "2026-12-15"}),
        )
        .await;
    let item_id = item["id"].as_str().unwrap().to_string();
    let cookie = sign_in(&app, "editor").await;
    let path = edit_path(&seed.public);
    let (_, editor) = page(&app, &cookie, &path).await;
    assert!(editor.contains("Re-resolve the primary (editor, due 2026-12-15)"), "action items offered");
    let mut form = full_form(&hidden(&editor, "csrf_token"), &pm["version"].to_string());
    set(&mut form, "dc_description", "Refund the card fees of failed payments");
    set(&mut form, "dc_owner_team", "payments");
    set(&mut form, "dc_status", "in_progress");
    set(&mut form, "rec_text", "Make the pool follow the primary");
    add(&mut form, "rec_item", &format!("0:{item_id}"));
    let (status, location, body) = send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.contains("notice=Saved%20as%20version%202"), "{location}");

    let pm = stored(&app, &seed.public).await;
    let s = &pm["sections"];
    assert_eq!(s["summary"], "Checkout returned 502 for 31 minutes after a database failover.");
    assert_eq!(s["impact"]["users_affected"], 1200);
    assert_eq!(s["impact"]["productivity_lost_hours"], 4.5);
    assert_eq!(s["impact"]["data_lost"], false);
    assert_eq!(s["root_cause"]["certainty"], "confirmed");
    assert_eq!(s["root_cause"]["legacy_code"], true);
    assert_eq!(s["root_cause"]["component"], "db-pool");
    assert_eq!(
        s["damage_control"],
        json!([{"id": "1", "description": "Refund the card fees of failed payments", "owner_team": "payments", "status": "in_progress"}]),
        "a row saved without an id is given one"
    );
    assert_eq!(
        s["recommendations"],
        json!([{"id": "1", "text": "Make the pool follow the primary", "action_items": [item_id]}])
    );
    assert_eq!((pm["owner"].as_str(), pm["due_date"].as_str()), (Some("editor"), Some("2026-12-01")));

    // The page shows what was saved, and rows are removed and added in place.
    let (_, editor) = page(&app, &cookie, &path).await;
    assert!(editor.contains("value=\"1200\""));
    assert!(editor.contains(&format!("value=\"0:{item_id}\" checked")));
    assert!(editor.contains("<option value=\"in_progress\" selected>in progress</option>"));
    let mut form = full_form(&hidden(&editor, "csrf_token"), &hidden(&editor, "version"));
    set(&mut form, "dc_description", "Refund the card fees of failed payments");
    add(&mut form, "dc_remove", "0");
    // The second (empty) row of the form is filled in: a new action.
    let second = form.iter().rposition(|(k, _)| k == "dc_description").unwrap();
    form[second].1 = "Tell affected customers by email".into();
    let (status, _, body) = send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let pm = stored(&app, &seed.public).await;
    assert_eq!(
        pm["sections"]["damage_control"],
        json!([{"id": "1", "description": "Tell affected customers by email", "owner_team": null, "status": "planned"}]),
        "a form without ids: row by row, as it always read"
    );
    assert_eq!(pm["sections"]["recommendations"], json!([]), "an empty recommendation row is no recommendation");
}

#[tokio::test]
async fn a_refused_save_keeps_the_typed_text_and_names_each_problem() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let pm = start(&app, &seed.public).await;
    let cookie = sign_in(&app, "editor").await;
    let path = edit_path(&seed.public);
    let (_, editor) = page(&app, &cookie, &path).await;
    let mut form = full_form(&hidden(&editor, "csrf_token"), &pm["version"].to_string());
    set(&mut form, "summary", "A summary typed with care\nover two lines.");
    set(&mut form, "impact.users_affected", "lots");
    set(&mut form, "due_date", "next week");
    let (status, _, body) = send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Users affected: ") && body.contains("is not a whole number of 0 or more"), "{body}");
    assert!(body.contains("Due date: ") && body.contains("is not a date; use the form 2026-12-15"), "{body}");
    assert!(body.contains("A summary typed with care\nover two lines.</textarea>"), "the text comes back");
    assert!(body.contains("value=\"lots\""), "the wrong number comes back to be corrected");
    assert_eq!(stored(&app, &seed.public).await["sections"]["summary"], "", "nothing saved");
    // An owner who is not a user is refused by the store, and said so by label.
    set(&mut form, "impact.users_affected", "1200");
    set(&mut form, "due_date", "");
    set(&mut form, "owner", "nobody-by-that-name");
    let (status, _, body) = send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("no user named"), "{body}");
    assert!(body.contains("A summary typed with care"));
}

#[tokio::test]
async fn a_stale_save_shows_theirs_beside_yours_and_the_merge_goes_through() {
    stale_save_is_merged(spawn_app().await).await;
}

#[tokio::test]
async fn a_stale_save_on_postgresql_is_merged_the_same_way() {
    let Some(store) = hindsight_store::test_support::postgres_store().await else { return };
    stale_save_is_merged(common::spawn_on(store).await).await;
}

/// Two editors load the same version; the second to save sees the first one's text beside
/// hers, chooses field by field, and saves.
async fn stale_save_is_merged(app: TestApp) {
    let seed = app.seed().await;
    let pm = start(&app, &seed.public).await;
    let loaded = pm["version"].to_string();
    let path = edit_path(&seed.public);
    let ana = sign_in(&app, "editor").await;
    let ben = sign_in(&app, "outsider").await;
    let (_, ana_page) = page(&app, &ana, &path).await;
    let (_, ben_page) = page(&app, &ben, &path).await;
    assert_eq!(hidden(&ana_page, "version"), hidden(&ben_page, "version"));

    // Ben saves first.
    let mut ben_form = full_form(&hidden(&ben_page, "csrf_token"), &loaded);
    set(&mut ben_form, "summary", "Theirs: checkout failed for 31 minutes.");
    set(&mut ben_form, "resolution", "Theirs: the pool was restarted at 10:31.");
    let (status, _, body) = send_form(&app, &ben, &path, &ben_form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // Ana saves on the version she loaded: nothing of hers is lost, nothing of Ben's overwritten.
    let mut ana_form = full_form(&hidden(&ana_page, "csrf_token"), &loaded);
    set(&mut ana_form, "summary", "Mine: card payments failed after the failover.");
    set(&mut ana_form, "resolution", "");
    let (status, _, body) = send_form(&app, &ana, &path, &ana_form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("outsider changed this post-mortem since you opened it"), "{body}");
    assert!(body.contains("Mine: card payments failed after the failover.</textarea>"), "her text stays in the form");
    assert!(body.contains("<pre>Theirs: checkout failed for 31 minutes.</pre>"), "theirs beside it");
    assert!(body.contains("<pre>Mine: card payments failed after the failover.</pre>"), "yours beside it");
    assert!(body.contains("name=\"resolve.summary\" value=\"mine\" checked"), "she changed it: mine by default");
    assert!(body.contains("name=\"resolve.resolution\" value=\"theirs\" checked"), "she did not: theirs by default");
    assert!(body.contains("name=\"merged.summary\""));
    assert!(!body.contains("name=\"resolve.trigger\""), "fields both wrote the same are no conflict");
    let current = stored(&app, &seed.public).await;
    assert_eq!(current["sections"]["summary"], "Theirs: checkout failed for 31 minutes.");
    assert_eq!(hidden(&body, "version"), current["version"].to_string(), "the next save goes through");

    // She writes a merged summary and takes Ben's resolution.
    let mut merge = full_form(&hidden(&body, "csrf_token"), &hidden(&body, "version"));
    set(&mut merge, "summary", "Mine: card payments failed after the failover.");
    set(&mut merge, "resolution", "");
    add(&mut merge, "resolve.summary", "merged");
    add(&mut merge, "merged.summary", "Card payments failed for 31 minutes after the failover.");
    add(&mut merge, "resolve.resolution", "theirs");
    let (status, _, body) = send_form(&app, &ana, &path, &merge).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let merged = stored(&app, &seed.public).await;
    assert_eq!(merged["sections"]["summary"], "Card payments failed for 31 minutes after the failover.");
    assert_eq!(merged["sections"]["resolution"], "Theirs: the pool was restarted at 10:31.");
    assert_eq!(merged["version"], current["version"].as_i64().unwrap() + 1);
}

#[tokio::test]
async fn a_stale_save_goes_through_when_nobody_else_touched_its_fields() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let pm = start(&app, &seed.public).await;
    let path = edit_path(&seed.public);
    let cookie = sign_in(&app, "editor").await;
    let (_, editor) = page(&app, &cookie, &path).await;
    // Someone changes only what this form leaves as it was.
    let pm_path = format!("/api/v1/postmortems/{}", pm["id"].as_str().unwrap());
    let (status, _) = app
        .put(
            EDITOR,
            &format!("{pm_path}/sections/lessons"),
            json!({"version": pm["version"], "value": {"went_well": "Alerting"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut form = full_form(&hidden(&editor, "csrf_token"), &pm["version"].to_string());
    set(&mut form, "lessons.went_well", "Alerting");
    set(&mut form, "summary", "Written while someone added a lesson.");
    let (status, _, body) = send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let saved = stored(&app, &seed.public).await;
    assert_eq!(saved["sections"]["summary"], "Written while someone added a lesson.");
    assert_eq!(saved["sections"]["lessons"]["went_well"], "Alerting");
}

#[tokio::test]
async fn blameless_findings_are_marked_at_their_words_and_the_rest_is_escaped() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let pm = start(&app, &seed.public).await;
    let path = edit_path(&seed.public);
    let cookie = sign_in(&app, "editor").await;
    let (_, editor) = page(&app, &cookie, &path).await;
    assert!(!editor.contains("<mark class=\"lint\""));
    let mut form = full_form(&hidden(&editor, "csrf_token"), &pm["version"].to_string());
    set(&mut form, "summary", "<b>bold</b> Dana should have checked the config before the deploy.");
    let (status, _, body) = send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, editor) = page(&app, &cookie, &path).await;
    let preview = editor.split("id=\"summary-lint\"").nth(1).unwrap().split("</div>").next().unwrap();
    assert!(preview.contains("<mark class=\"lint\" title=\""), "{preview}");
    assert!(preview.contains("class=\"lint-finding\""), "{preview}");
    assert!(preview.contains("&lt;b&gt;bold&lt;/b&gt;"), "{preview}");
    assert!(!preview.contains("<b>"), "{preview}");
    assert!(editor.contains("href=\"#summary-lint\">1 wording finding to look at</a>"), "{editor}");
    // The live check the page's script calls: the session's token in X-CSRF-Token.
    let token = hidden(&editor, "csrf_token");
    let lint = |token: Option<&str>| {
        let mut request = no_redirects()
            .post(app.url("/api/v1/lint"))
            .header(header::COOKIE, &cookie)
            .header("sec-fetch-site", "same-origin")
            .json(&json!({"text": "Dana should have checked the config."}));
        if let Some(token) = token {
            request = request.header("x-csrf-token", token);
        }
        request.send()
    };
    let response = lint(Some(&token)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let findings: Value = response.json().await.unwrap();
    assert!(findings.as_array().is_some_and(|f| !f.is_empty()), "{findings}");
    assert_eq!(lint(None).await.unwrap().status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn review_buttons_follow_the_completeness_gate_shared_with_the_api() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let pm = start(&app, &seed.public).await;
    let path = edit_path(&seed.public);
    let cookie = sign_in(&app, "editor").await;
    let (_, editor) = page(&app, &cookie, &path).await;
    // Incomplete: the text is saved, the move refused with every missing item.
    let mut form = full_form(&hidden(&editor, "csrf_token"), &pm["version"].to_string());
    set(&mut form, "root_cause.description", "");
    set(&mut form, "action", "in_review");
    let (status, _, body) = send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("It was not moved to in review: the checklist is not complete yet."), "{body}");
    assert!(body.contains("Root cause: Describe the root cause"), "{body}");
    assert!(body.contains("Timeline: Mark the timeline event where the impact was mitigated"), "{body}");
    let saved = stored(&app, &seed.public).await;
    assert_eq!(saved["status"], "draft");
    assert_eq!(saved["sections"]["trigger"], "A storage fault on the primary.", "the text was saved");

    // Complete it: an owned action item carries the recommendation, mitigation is marked.
    let (_, item) = app
        .post(
            EDITOR,
            &format!("/api/v1/incidents/{}/action-items", seed.public),
            json!({"title": "Make the pool follow the primary", "kind": "fix_root_cause", "owner": "editor", "due_date": "2026-12-15"}),
        )
        .await;
    let (status, _) = app
        .post(
            EDITOR,
            &format!("/api/v1/incidents/{}/events", seed.public),
            json!({"occurred_at": "2026-11-20T10:31:00Z", "kind": "action", "text": "Pool restarted", "key_moment": "mitigation"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut form = full_form(&hidden(&body, "csrf_token"), &hidden(&body, "version"));
    set(&mut form, "rec_text", "Make the pool follow the primary");
    add(&mut form, "rec_item", &format!("0:{}", item["id"].as_str().unwrap()));
    set(&mut form, "action", "in_review");
    let (status, location, body) = send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.contains("Submitted%20for%20review"), "{location}");
    assert_eq!(stored(&app, &seed.public).await["status"], "in_review");

    let (_, editor) = page(&app, &cookie, &path).await;
    assert!(editor.contains("Nothing is missing"));
    assert!(editor.contains(">Publish</button>") && editor.contains(">Back to draft</button>"));
    assert!(!editor.contains(">Submit for review</button>"));
    let mut form = full_form(&hidden(&editor, "csrf_token"), &hidden(&editor, "version"));
    set(&mut form, "rec_text", "Make the pool follow the primary");
    add(&mut form, "rec_item", &format!("0:{}", item["id"].as_str().unwrap()));
    set(&mut form, "action", "published");
    // Without the approval its SEV2 asks for, publishing is refused and says why.
    let (status, _, refused) = send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("publishing needs 1 approval from its reviewers"), "{refused}");
    common::approve(&app, stored(&app, &seed.public).await["id"].as_str().unwrap()).await;
    let (status, location, _) = send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("No%20changes%20to%20save.%20Published."), "{location}");
    let published = stored(&app, &seed.public).await;
    assert_eq!(published["status"], "published");
    assert!(published["published_at"].is_string());
}

#[tokio::test]
async fn viewers_read_the_editor_but_cannot_change_anything() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let path = edit_path(&seed.public);
    let viewer = sign_in(&app, "viewer").await;
    let (status, empty) = page(&app, &viewer, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!empty.contains(">Start post-mortem</button>"));
    let start_form = vec![("csrf_token".to_string(), hidden(&empty, "csrf_token")), ("action".into(), "start".into())];
    let (status, _, _) = send_form(&app, &viewer, &path, &start_form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let pm = start(&app, &seed.public).await;
    let (status, editor) = page(&app, &viewer, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(editor.contains("only editors and admins can change it"));
    assert!(editor.contains(&format!("href=\"/incidents/{}/postmortem\">Open the read view", seed.public)));
    assert!(editor.contains(" readonly>"));
    assert!(!editor.contains("value=\"save\""));
    assert!(!editor.contains("form=\"editor\" name=\"action\""), "no review buttons");
    let form = full_form(&hidden(&editor, "csrf_token"), &pm["version"].to_string());
    let (status, _, _) = send_form(&app, &viewer, &path, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&app, &seed.public).await["version"], pm["version"]);
}

#[tokio::test]
async fn private_postmortems_are_hidden_from_outsiders_and_forged_forms_refused() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let (status, pm) =
        app.post(As::User("admin"), &format!("/api/v1/incidents/{}/postmortem", seed.private), json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    let private = edit_path(&seed.private);
    let outsider = sign_in(&app, "outsider").await;
    let (status, _) = page(&app, &outsider, &private).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, own) = page(&app, &outsider, &edit_path(&seed.public)).await;
    let form = full_form(&hidden(&own, "csrf_token"), &pm["version"].to_string());
    let (status, _, _) = send_form(&app, &outsider, &private, &form).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let editor = sign_in(&app, "editor").await;
    start(&app, &seed.public).await;
    let public = edit_path(&seed.public);
    let (_, page_html) = page(&app, &editor, &public).await;
    let mut forged = full_form("forged", &hidden(&page_html, "version"));
    set(&mut forged, "summary", "Forged");
    let (status, _, _) = send_form(&app, &editor, &public, &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    forged.retain(|(k, _)| k != "csrf_token");
    let (status, _, _) = send_form(&app, &editor, &public, &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&app, &seed.public).await["sections"]["summary"], "");
}

#[tokio::test]
async fn submitting_with_open_wording_findings_asks_for_a_reason_kept_in_the_history() {
    let app = spawn_app().await;
    let seed = app.seed().await;
    let pm = start(&app, &seed.public).await;
    let path = edit_path(&seed.public);
    let cookie = sign_in(&app, "editor").await;
    let (_, item) = app
        .post(
            EDITOR,
            &format!("/api/v1/incidents/{}/action-items", seed.public),
            json!({"title": "Make the pool follow the primary", "kind": "fix_root_cause", "owner": "editor", "due_date": "2026-12-15"}),
        )
        .await;
    let (status, _) = app
        .post(
            EDITOR,
            &format!("/api/v1/incidents/{}/events", seed.public),
            json!({"occurred_at": "2026-11-20T10:31:00Z", "kind": "action", "text": "Pool restarted", "key_moment": "mitigation"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, editor) = page(&app, &cookie, &path).await;
    let mut form = full_form(&hidden(&editor, "csrf_token"), &pm["version"].to_string());
    set(&mut form, "rec_text", "Make the pool follow the primary");
    add(&mut form, "rec_item", &format!("0:{}", item["id"].as_str().unwrap()));
    set(&mut form, "lessons.went_badly", "Admin should have known the runbook lacked the pool step.");
    set(&mut form, "action", "in_review");
    let (status, _, body) = send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("It was not moved to in review: 1 wording finding is still open"), "{body}");
    assert!(body.contains("<label for=\"wording_reason\">Why the wording stands</label>"), "{body}");
    let saved = stored(&app, &seed.public).await;
    assert_eq!(saved["status"], "draft", "not submitted silently");
    assert_eq!(saved["sections"]["lessons"]["went_badly"], "Admin should have known the runbook lacked the pool step.");

    let mut form = full_form(&hidden(&body, "csrf_token"), &hidden(&body, "version"));
    set(&mut form, "rec_text", "Make the pool follow the primary");
    add(&mut form, "rec_item", &format!("0:{}", item["id"].as_str().unwrap()));
    set(&mut form, "lessons.went_badly", "Admin should have known the runbook lacked the pool step.");
    set(&mut form, "action", "in_review");
    add(&mut form, "wording_reason", "Admin wrote this about themself and wants it kept");
    let (status, location, body) = send_form(&app, &cookie, &path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.contains("Submitted%20for%20review"), "{location}");
    let saved = stored(&app, &seed.public).await;
    assert_eq!(saved["status"], "in_review");
    let (_, history) = app.get(EDITOR, &format!("/api/v1/postmortems/{}/history", saved["id"].as_str().unwrap())).await;
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(
        last["reason"],
        "Submitted for review with 1 wording finding open: Admin wrote this about themself and wants it kept",
        "{history}"
    );
    let (_, history_page) = page(&app, &cookie, &format!("/incidents/{}/postmortem/history", seed.public)).await;
    assert!(history_page.contains("Admin wrote this about themself and wants it kept"), "{history_page}");
}
