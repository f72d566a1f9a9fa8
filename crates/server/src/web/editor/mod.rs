//! The post-mortem editor at `/incidents/{handle}/postmortem/edit`: one form with every
//! section of the post-mortem, guidance for each, the blameless-language findings marked
//! at the words they concern, the completeness checklist and the review buttons.
//!
//! Saving sends the whole form with the version it was loaded from, through the same code
//! as the API (`hindsight_app::postmortems`: `change`, `move_to`, `start`). A stale save loses nothing:
//! the page comes back with the person's text, and for every field someone else changed
//! since that version, their text beside it with a choice to keep mine, take theirs or
//! write a merged text; the form then carries the current version, so the next save goes
//! through.
//!
//! The narrative text areas are plain `<textarea data-section="sections.…">` elements
//! whose `name` is the field's path. A live collaborative layer can replace each one by
//! its `data-section` path later (a shared text bound to that element) without changing
//! this module: the form still posts the same fields, and the structured fields (numbers,
//! choices, lists) keep the version check and the merge page. `assets/editor.js` only
//! enhances: live lint while typing, adding and removing rows, a warning before leaving
//! with unsaved changes. It is not the read view of a post-mortem.
//!
//! `guidance.rs` holds what the page says about each field, `draft.rs` the form as posted
//! and shown, `merge.rs` what a stale save shows, `marks.rs` the wording findings marked in
//! the text, `discussion.rs` the comments beside it; this module renders the page and
//! answers the requests.

mod discussion;
mod draft;
mod guidance;
mod marks;
mod merge;

pub use discussion::post as comment;

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hindsight_core::{Certainty, DamageControlStatus, NewPostmortem, PostmortemPatch, PostmortemStatus};

use super::kit::{Chrome, Notice, PageError, Posted, Signed, see_other_with_notice};
use crate::api::IncidentHandle;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use hindsight_app::analysis::{self, Evidence};

use draft::*;
use guidance::*;
use marks::*;
use merge::*;

/// The merge choice shown under a field someone else changed.
struct MergeView {
    /// The form field's name (`resolve.<key>`, `merged.<key>`).
    key: &'static str,
    id: String,
    label: String,
    theirs: String,
    mine: String,
    /// `mine` or `theirs`: what is checked until the person chooses.
    choice: &'static str,
    /// Narrative text: offer a merged text too.
    text: bool,
    merged: String,
}

impl MergeView {
    fn of(c: &Conflict) -> MergeView {
        MergeView {
            key: c.key,
            id: field_id(c.key),
            label: label_of(c.key),
            theirs: c.theirs.clone(),
            mine: c.mine.clone(),
            choice: if c.mine_changed { "mine" } else { "theirs" },
            text: c.text,
            merged: if c.text { merge_seed(&c.mine, &c.theirs) } else { String::new() },
        }
    }
}

/// One input of the form as shown.
struct FieldView {
    key: &'static str,
    id: String,
    /// `sections.<key>` for post-mortem fields (the lint and completeness paths).
    path: String,
    label: &'static str,
    /// text, line, number, select or date.
    kind: &'static str,
    value: String,
    options: Vec<(String, String)>,
    help: &'static str,
    rows: usize,
    /// The keyboard a phone shows for a number field.
    inputmode: &'static str,
    /// Narrative text only.
    lint: Option<LintView>,
    merge: Option<MergeView>,
    /// The live document's text this field shows (`root_cause.description`), for a
    /// narrative text of a post-mortem open for live editing.
    live: Option<&'static str>,
}

/// One section of the form as shown.
struct SectionView {
    id: &'static str,
    title: &'static str,
    what: &'static str,
    example: &'static str,
    tone: &'static str,
    fields: Vec<FieldView>,
}

struct DcRowView {
    index: usize,
    /// Empty for the row still to be added.
    id: String,
    description: String,
    owner_team: String,
    status: String,
    lint: Option<LintView>,
}

/// An action item that can be ticked as carrying out a recommendation.
struct ItemChoice {
    id: String,
    /// Title, owner and due date as shown.
    label: String,
    ticked: bool,
}

struct RecRowView {
    index: usize,
    /// Empty for the row still to be added.
    id: String,
    text: String,
    items: Vec<ItemChoice>,
    lint: Option<LintView>,
}

/// One thing the checklist still asks for, with where to fill it.
struct MissingView {
    label: String,
    message: String,
    href: String,
}

/// A review move the person can make from the current status.
struct MoveView {
    status: &'static str,
    label: &'static str,
    enabled: bool,
    /// Why the button is disabled, in words.
    why: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "postmortem_edit.html")]
struct EditorPage {
    chrome: Chrome,
    handle: String,
    title: String,
    /// Whether the incident has a post-mortem.
    started: bool,
    read_only: bool,
    status: String,
    version: i64,
    sections: Vec<SectionView>,
    dc_rows: Vec<DcRowView>,
    dc_merge: Option<MergeView>,
    dc_statuses: Vec<(String, String)>,
    teams: Vec<(String, String)>,
    rec_rows: Vec<RecRowView>,
    rec_merge: Option<MergeView>,
    errors: Vec<String>,
    /// What happened when the save was stale.
    conflict: Option<String>,
    missing: Vec<MissingView>,
    moves: Vec<MoveView>,
    findings_total: usize,
    /// Why the wording stands, as typed (submitting with findings open needs it).
    wording_reason: String,
    /// The anchor of the first field with findings.
    first_finding: String,
    /// Live editing, once the post-mortem is started.
    live: Option<LiveView>,
    /// The discussion, open threads first.
    threads: Vec<discussion::ThreadView>,
}

/// What the page's script needs to edit the post-mortem live.
struct LiveView {
    /// The live document's WebSocket path.
    url: String,
    /// This answer's nonce for the editor's styles (CodeMirror writes a `<style>` element).
    nonce: String,
}

impl LiveView {
    fn of(postmortem_id: &str) -> LiveView {
        LiveView {
            url: format!("/api/v1/postmortems/{postmortem_id}/live"),
            nonce: format!("{:032x}", rand::random::<u128>()),
        }
    }

    /// The page's content security policy: the site's, with the editor's styles allowed by
    /// nonce and style attributes allowed (the colours of other people's selections).
    fn policy(&self) -> HeaderValue {
        let policy = format!(
            "default-src 'self'; style-src 'self' 'nonce-{}'; style-src-attr 'unsafe-inline'; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            self.nonce
        );
        HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static(crate::CONTENT_SECURITY_POLICY))
    }
}

impl EditorPage {
    /// How many comments the discussion holds, and how many of its threads are resolved
    /// (the live editor's news says when they change).
    fn comment_count(&self) -> usize {
        self.threads.iter().map(|t| t.comments.len()).sum()
    }

    fn resolved_count(&self) -> usize {
        self.threads.iter().filter(|t| t.resolved.is_some()).count()
    }

    /// The page with `status` and, when it edits live, its own content security policy.
    fn respond(self, status: StatusCode) -> Response {
        let policy = self.live.as_ref().map(LiveView::policy);
        let mut response = (status, self).into_response();
        if let Some(policy) = policy {
            response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        response
    }
}

/// What the page shows besides the stored state.
#[derive(Default)]
struct Shown {
    /// The content in the form; the stored state when `None`.
    draft: Option<Draft>,
    /// The version the form carries; the stored one when `None`.
    version: Option<i64>,
    errors: Vec<String>,
    conflicts: Vec<Conflict>,
    conflict: Option<String>,
    /// Why the wording stands, as typed, for submitting with findings open.
    wording_reason: String,
}

async fn render(
    state: &AppState,
    caller: &Caller,
    chrome: Chrome,
    evidence: &Evidence,
    shown: Shown,
) -> Result<EditorPage, PageError> {
    let incident = &evidence.incident;
    let read_only = !chrome.can_write;
    let mut page = EditorPage {
        chrome,
        handle: incident.handle.clone(),
        title: incident.title.clone(),
        started: evidence.postmortem.is_some(),
        read_only,
        status: String::new(),
        version: 0,
        sections: Vec::new(),
        dc_rows: Vec::new(),
        dc_merge: None,
        dc_statuses: DamageControlStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.words())).collect(),
        teams: Vec::new(),
        rec_rows: Vec::new(),
        rec_merge: None,
        errors: shown.errors,
        conflict: shown.conflict,
        missing: Vec::new(),
        moves: Vec::new(),
        findings_total: 0,
        wording_reason: shown.wording_reason.clone(),
        first_finding: String::new(),
        live: None,
        threads: Vec::new(),
    };
    let Some(pm) = &evidence.postmortem else { return Ok(page) };
    page.live = Some(LiveView::of(&pm.id));
    let comments = state.store.comments(&caller.viewer, &pm.id).await?;
    page.threads = discussion::threads(&comments, &page.chrome.username, page.chrome.can_write);
    let narrative = pm.sections.narrative().map(|(path, _)| path);
    let names = analysis::known_names(&state.store, Some(incident)).await?;
    let draft = shown.draft.unwrap_or_else(|| Draft::of(pm));
    let merge_of = |key: &str| shown.conflicts.iter().find(|c| c.key == key).map(MergeView::of);
    page.status = pm.status.as_str().to_string();
    page.version = shown.version.unwrap_or(pm.version);
    let users: Vec<String> = state.store.list_users().await?.into_iter().map(|u| u.username).collect();
    page.teams = state.store.list_teams().await?.into_iter().map(|t| (t.slug, t.name)).collect();
    for row in &draft.damage_control {
        if !row.owner_team.is_empty() && !page.teams.iter().any(|(slug, _)| *slug == row.owner_team) {
            page.teams.push((row.owner_team.clone(), row.owner_team.clone()));
        }
    }
    let tristate_options = vec![
        (String::new(), "Not said yet".to_string()),
        ("yes".to_string(), "Yes".to_string()),
        ("no".to_string(), "No".to_string()),
    ];
    for section in SECTIONS {
        let fields = section
            .fields
            .iter()
            .map(|def| {
                let value = draft.get(def.key).to_string();
                let (kind, options, inputmode) = match def.kind {
                    Kind::Text => ("text", Vec::new(), ""),
                    Kind::Line => ("line", Vec::new(), ""),
                    Kind::Count => ("number", Vec::new(), "numeric"),
                    Kind::Hours => ("number", Vec::new(), "decimal"),
                    Kind::Date => ("date", Vec::new(), ""),
                    Kind::Tristate => ("select", tristate_options.clone(), ""),
                    Kind::Certainty => {
                        ("select", Certainty::ALL.iter().map(|c| (c.to_string(), c.to_string())).collect(), "")
                    }
                    Kind::Owner => {
                        let mut options = vec![(String::new(), "Nobody yet".to_string())];
                        options.extend(users.iter().map(|u| (u.clone(), u.clone())));
                        if !value.is_empty() && !users.contains(&value) {
                            options.push((value.clone(), value.clone()));
                        }
                        ("select", options, "")
                    }
                };
                let lint = (def.kind == Kind::Text).then(|| lint_view(field_id(def.key), &value, &names));
                FieldView {
                    key: def.key,
                    id: field_id(def.key),
                    path: if matches!(def.key, "owner" | "due_date") {
                        def.key.to_string()
                    } else {
                        format!("sections.{}", def.key)
                    },
                    label: def.label,
                    kind,
                    rows: if def.kind == Kind::Text { 3 + value.lines().count().min(12) } else { 1 },
                    value,
                    options,
                    help: def.help,
                    inputmode,
                    lint,
                    merge: merge_of(def.key),
                    live: narrative.iter().find(|path| **path == def.key).copied(),
                }
            })
            .collect();
        page.sections.push(SectionView {
            id: section.id,
            title: section.title,
            what: section.what,
            example: section.example,
            tone: section.tone,
            fields,
        });
    }
    let mut dc = draft.damage_control.clone();
    let mut recs = draft.recommendations.clone();
    if !read_only {
        // One empty row each, so a row can be added without scripts.
        dc.push(DcRow { status: "planned".into(), ..DcRow::default() });
        recs.push(RecRow::default());
    }
    page.dc_rows = dc
        .into_iter()
        .enumerate()
        .map(|(index, r)| DcRowView {
            index,
            id: r.id,
            lint: Some(lint_view(format!("damage_control-{index}-description"), &r.description, &names)),
            description: r.description,
            owner_team: r.owner_team,
            status: r.status,
        })
        .collect();
    page.dc_merge = merge_of("damage_control");
    page.rec_rows = recs
        .into_iter()
        .enumerate()
        .map(|(index, r)| RecRowView {
            index,
            id: r.id.clone(),
            lint: Some(lint_view(format!("recommendations-{index}-text"), &r.text, &names)),
            items: evidence
                .action_items
                .iter()
                .map(|a| {
                    let owner = a.owner.clone().or_else(|| a.owner_team.clone()).unwrap_or_else(|| "no owner".into());
                    let due = a.due_date.map(|d| format!("due {d}")).unwrap_or_else(|| "no due date".into());
                    ItemChoice {
                        id: a.id.clone(),
                        label: format!("{} ({owner}, {due})", a.title),
                        ticked: r.action_items.contains(&a.id),
                    }
                })
                .collect(),
            text: r.text,
        })
        .collect();
    page.rec_merge = merge_of("recommendations");
    let lints = page
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        .map(|f| &f.lint)
        .chain(page.dc_rows.iter().map(|r| &r.lint))
        .chain(page.rec_rows.iter().map(|r| &r.lint))
        .flatten()
        .filter(|l| !l.findings.is_empty());
    let (mut first, mut total) = (None, 0);
    for lint in lints {
        first.get_or_insert_with(|| format!("{}-lint", lint.id));
        total += lint.findings.len();
    }
    page.first_finding = first.unwrap_or_default();
    page.findings_total = total;
    let missing = analysis::completeness(evidence).unwrap_or_default();
    page.missing = missing
        .iter()
        .map(|m| MissingView {
            label: label_of(&m.path),
            message: m.message.clone(),
            href: if m.path.starts_with("incident.") {
                format!("/incidents/{}", incident.handle)
            } else {
                format!("#{}", field_id(&m.path))
            },
        })
        .collect();
    page.moves = PostmortemStatus::ALL
        .iter()
        .filter(|next| pm.status.can_move_to(**next))
        .map(|next| {
            let incomplete = *next == PostmortemStatus::InReview && !missing.is_empty();
            MoveView {
                status: next.as_str(),
                label: match next {
                    PostmortemStatus::Draft => "Back to draft",
                    PostmortemStatus::InReview => "Submit for review",
                    PostmortemStatus::Published => "Publish",
                    PostmortemStatus::Archived => "Archive",
                },
                enabled: !incomplete,
                why: if incomplete {
                    format!(
                        "Submitting for review needs a complete post-mortem: {} item{} of the checklist {} missing. \
                         Fill them in and save, then submit.",
                        missing.len(),
                        if missing.len() == 1 { "" } else { "s" },
                        if missing.len() == 1 { "is" } else { "are" }
                    )
                } else {
                    String::new()
                },
            }
        })
        .collect();
    Ok(page)
}

fn edit_path(handle: &str) -> String {
    format!("/incidents/{handle}/postmortem/edit")
}

/// The editor; read-only for viewers, a "Start post-mortem" button when there is none.
pub async fn edit(
    State(state): State<AppState>,
    Signed(caller): Signed,
    notice: Notice,
    handle: IncidentHandle,
) -> Result<Response, PageError> {
    let evidence = analysis::gather(&state.store, &caller.viewer, handle.number).await?;
    let chrome = Chrome::of(&caller).with_notice(notice);
    Ok(render(&state, &caller, chrome, &evidence, Shown::default()).await?.respond(StatusCode::OK))
}

/// Saves the form (`action=save`), then makes the review move the button asked for
/// (`action=in_review|published|draft|archived`); `action=start` starts the post-mortem.
pub async fn save(
    State(state): State<AppState>,
    handle: IncidentHandle,
    posted: Posted<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let Posted { caller, form } = posted;
    caller.require_write()?;
    let form = FormFields(form);
    let number = handle.number;
    let path = edit_path(&handle);
    let action = form.get("action");
    if action == "start" {
        let rules = state.rules_in_force().await?;
        return match hindsight_app::postmortems::start(
            &state.store,
            &caller.actor(),
            number,
            NewPostmortem::default(),
            &rules,
        )
        .await
        .map_err(ApiError::from)
        {
            Ok(_) => Ok(see_other_with_notice(&path, "Post-mortem started as a draft.")),
            Err(ApiError::Conflict { .. }) => {
                Ok(see_other_with_notice(&path, "This incident already has a post-mortem."))
            }
            Err(e) => Err(e.into()),
        };
    }
    let mut evidence = analysis::gather(&state.store, &caller.viewer, number).await?;
    let Some(mut current) = evidence.postmortem.clone() else {
        return Ok(see_other_with_notice(&path, "This incident has no post-mortem yet: start it first."));
    };
    // A form from a live editor: its texts are in the live document, written in first.
    let live = form.get("live") == "1";
    let mut live_texts = Vec::new();
    if live {
        let changed;
        (changed, live_texts) = state.rooms.flush(&state.store, &caller.actor(), &current.id).await?;
        if changed {
            evidence = analysis::gather(&state.store, &caller.viewer, number).await?;
            current = evidence.postmortem.clone().unwrap_or(current);
        }
    }
    let Ok(version) = form.get("version").trim().parse::<i64>() else {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "The form does not say which version it was loaded from. Reload the page and try again.",
        ));
    };
    let mut mine = Draft::from_form(&form);
    mine.keep_unsent(&Draft::of(&current), &form);
    mine.resolve(&Draft::of(&current), &form);
    if live {
        mine.keep_live_texts(live_texts.iter().map(|(name, text)| (name.as_str(), text.as_str())));
    }
    let refused = |errors: Vec<String>, draft: Draft, version: i64| Shown {
        draft: Some(draft),
        version: Some(version),
        errors,
        ..Shown::default()
    };
    let patch = match mine.to_patch(version) {
        Ok(patch) => patch,
        Err(errors) => {
            let page = render(&state, &caller, Chrome::of(&caller), &evidence, refused(errors, mine, version)).await?;
            return Ok(page.respond(StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let saved = match hindsight_app::postmortems::change(&state.store, &caller.actor(), &current.id, patch.clone())
        .await
        .map_err(ApiError::from)
    {
        Ok(saved) => saved,
        Err(ApiError::Conflict { current: Some(_), .. }) => {
            let evidence = analysis::gather(&state.store, &caller.viewer, number).await?;
            let Some(now) = evidence.postmortem.clone() else {
                return Err(PageError::new(StatusCode::NOT_FOUND, "The post-mortem was deleted meanwhile."));
            };
            let history = state.store.postmortem_history(&caller.viewer, &now.id).await?;
            let base = now.at_version(&history, version).map(|pm| Draft::of(&pm));
            let mut patch = patch.clone();
            if live {
                mine.keep_live_texts(now.sections.live_texts().iter().map(|(name, text)| (name.as_str(), *text)));
                patch = mine.to_patch(now.version).unwrap_or(patch);
            }
            let found = conflicts(base.as_ref(), &Draft::of(&now), &mine);
            let retried = if found.is_empty() {
                // Nothing this form edits was changed by anyone else: save on top of theirs.
                hindsight_app::postmortems::change(
                    &state.store,
                    &caller.actor(),
                    &now.id,
                    PostmortemPatch { version: now.version, ..patch },
                )
                .await
                .ok()
            } else {
                None
            };
            match retried {
                Some(saved) => saved,
                None => {
                    let mut who: Vec<String> = history
                        .iter()
                        .filter(|c| c.version > version)
                        .filter_map(|c| c.actor.clone())
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect();
                    if who.is_empty() {
                        who.push("someone else".into());
                    }
                    let note = format!(
                        "Not saved yet: {} changed this post-mortem since you opened it (version {version}, now \
                         version {}). Your text is kept in the form. For each field changed since, compare theirs \
                         with yours below and choose what to keep, then save again.",
                        who.join(", "),
                        now.version
                    );
                    let shown = Shown {
                        draft: Some(mine),
                        version: Some(now.version),
                        conflicts: found,
                        conflict: Some(note),
                        ..Shown::default()
                    };
                    let page = render(&state, &caller, Chrome::of(&caller), &evidence, shown).await?;
                    return Ok(page.respond(StatusCode::CONFLICT));
                }
            }
        }
        Err(ApiError::Invalid(invalid)) => {
            let errors = invalid.0.iter().map(|e| format!("{}: {}", label_of(&e.field), e.message)).collect();
            let page = render(&state, &caller, Chrome::of(&caller), &evidence, refused(errors, mine, version)).await?;
            return Ok(page.respond(StatusCode::UNPROCESSABLE_ENTITY));
        }
        Err(e) => return Err(e.into()),
    };
    let saved_note = if saved.version == current.version && saved.version == version {
        "No changes to save.".to_string()
    } else {
        format!("Saved as version {}.", saved.version)
    };
    let Ok(status) = action.parse::<PostmortemStatus>() else {
        return Ok(see_other_with_notice(&path, &saved_note));
    };
    // Going to review with wording findings open needs a reason, kept in the history.
    let mut reason = None;
    if status == PostmortemStatus::InReview {
        let names = analysis::known_names(&state.store, Some(&evidence.incident)).await?;
        let open: usize = analysis::lint_postmortem(&saved, &names).iter().map(|f| f.findings.len()).sum();
        let why = form.get("wording_reason").trim().to_string();
        let findings = format!("{open} wording finding{}", if open == 1 { "" } else { "s" });
        if open > 0 && why.is_empty() {
            let evidence = analysis::gather(&state.store, &caller.viewer, number).await?;
            let errors = vec![format!(
                "{saved_note} It was not moved to in review: {findings} {} still open. Rewrite the marked words, \
                 or say under “Why the wording stands” why they stay; the reason is kept in the post-mortem's history.",
                if open == 1 { "is" } else { "are" }
            )];
            let page =
                render(&state, &caller, Chrome::of(&caller), &evidence, Shown { errors, ..Shown::default() }).await?;
            return Ok(page.respond(StatusCode::UNPROCESSABLE_ENTITY));
        }
        if open > 0 {
            reason = Some(format!("Submitted for review with {findings} open: {why}"));
        }
    }
    let rules = state.rules_in_force().await?;
    match hindsight_app::postmortems::move_to(
        &state.store,
        &caller.actor(),
        &saved.id,
        saved.version,
        status,
        reason.as_deref(),
        &rules,
    )
    .await
    .map_err(ApiError::from)
    {
        Ok(moved) => {
            let done = match moved.status {
                PostmortemStatus::Draft => "Back to draft.",
                PostmortemStatus::InReview => "Submitted for review.",
                PostmortemStatus::Published => "Published.",
                PostmortemStatus::Archived => "Archived.",
            };
            Ok(see_other_with_notice(&path, &format!("{saved_note} {done}")))
        }
        Err(ApiError::Invalid(invalid)) => {
            let evidence = analysis::gather(&state.store, &caller.viewer, number).await?;
            let mut errors = vec![format!(
                "{saved_note} It was not moved to {}: {}",
                status.words(),
                if status == PostmortemStatus::InReview {
                    "the checklist is not complete yet."
                } else {
                    "that move is not allowed now."
                }
            )];
            errors.extend(invalid.0.iter().map(|e| format!("{}: {}", label_of(&e.field), e.message)));
            let page =
                render(&state, &caller, Chrome::of(&caller), &evidence, Shown { errors, ..Shown::default() }).await?;
            Ok(page.respond(StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use hindsight_document::escape_html as escape;

    use super::*;

    fn pairs(list: &[(&str, &str)]) -> FormFields {
        FormFields(list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn marks_wrap_the_words_of_a_finding_and_escape_the_rest() {
        let text = "<b>Dana</b> should have checked the config.";
        let findings = hindsight_core::lint::lint(text, &["Dana".to_string()]);
        assert!(!findings.is_empty());
        let html = marked_html(text, &findings);
        assert!(html.starts_with("&lt;b&gt;"), "{html}");
        assert!(html.contains("<mark class=\"lint\" title=\""), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        let without_marks = html.replace("</mark>", "");
        assert!(without_marks.contains("checked the config."));
    }

    #[test]
    fn marks_count_characters_on_later_lines() {
        let text = "Überblick: alles gut.\nThe operator was careless with the flag.";
        let findings = hindsight_core::lint::lint(text, &[]);
        let Some(f) = findings.first() else { panic!("a judgement word is found") };
        let html = marked_html(text, &findings);
        assert!(html.contains(&format!(">{}</mark>", escape(&f.matched))), "{html}");
    }

    #[test]
    fn form_rows_drop_removed_and_empty_ones_and_keep_ticked_items() {
        let form = pairs(&[
            ("dc_id", "3"),
            ("dc_description", "Refund fees"),
            ("dc_owner_team", "payments"),
            ("dc_status", "in_progress"),
            ("dc_id", "5"),
            ("dc_description", "Notify customers"),
            ("dc_owner_team", ""),
            ("dc_status", "done"),
            ("dc_remove", "1"),
            ("dc_description", ""),
            ("dc_owner_team", ""),
            ("dc_status", "planned"),
            ("dc_id", ""),
            ("rec_text", "Re-resolve the primary"),
            ("rec_item", "0:a1"),
            ("rec_item", "1:a2"),
            ("rec_text", ""),
        ]);
        let draft = Draft::from_form(&form);
        assert_eq!(
            draft.damage_control,
            [DcRow {
                id: "3".into(),
                description: "Refund fees".into(),
                owner_team: "payments".into(),
                status: "in_progress".into()
            }]
        );
        assert_eq!(
            draft.recommendations,
            [RecRow { id: String::new(), text: "Re-resolve the primary".into(), action_items: vec!["a1".into()] }],
            "a form without ids leaves them to be given"
        );
    }

    #[test]
    fn a_live_form_takes_each_text_from_the_live_document_by_name() {
        let form = pairs(&[
            ("root_cause.certainty", "unknown"),
            ("dc_id", "3"),
            ("dc_description", "Refund fe"),
            ("dc_status", "done"),
            ("dc_id", "n-new1"),
            ("dc_description", "Notify"),
            ("dc_status", "planned"),
            ("dc_id", "4"),
            ("dc_description", ""),
            ("dc_status", "planned"),
            ("dc_id", "5"),
            ("dc_description", ""),
            ("dc_status", "planned"),
            ("rec_id", "2"),
            ("rec_text", "Page"),
        ]);
        let mut draft = Draft::from_form(&form);
        draft.keep_live_texts([
            ("summary", "Checkout failed."),
            ("damage_control.3", "Refund fees"),
            ("damage_control.n-new1", "Notify customers"),
            ("damage_control.4", "Posted before the page had it"),
            ("damage_control.9", "a row this form does not have"),
            ("recommendations.7", "another row it does not have"),
        ]);
        assert_eq!(draft.get("summary"), "Checkout failed.");
        let texts: Vec<&str> = draft.damage_control.iter().map(|r| r.description.as_str()).collect();
        assert_eq!(texts, ["Refund fees", "Notify customers", "Posted before the page had it", ""]);
        assert_eq!(draft.recommendations[0].text, "Page", "no live text: as posted");
        let patch = draft.to_patch(4).unwrap();
        let ids: Vec<String> = patch.sections.unwrap().damage_control.unwrap().into_iter().map(|a| a.id).collect();
        assert_eq!(ids, ["3", "n-new1", "4"], "a row left empty is dropped");
    }

    #[test]
    fn unreadable_numbers_and_dates_are_named_by_their_label() {
        let form = pairs(&[
            ("impact.users_affected", "lots"),
            ("impact.productivity_lost_hours", "-2"),
            ("due_date", "next week"),
            ("root_cause.certainty", "unknown"),
        ]);
        let errors = Draft::from_form(&form).to_patch(1).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("Users affected:"), "{errors:?}");
        assert!(errors.iter().any(|e| e.starts_with("Working hours lost:")));
        assert!(errors.iter().any(|e| e.starts_with("Due date:")));
    }

    #[test]
    fn only_fields_changed_by_others_and_different_from_mine_conflict() {
        let mut base = Draft::default();
        base.values.insert("summary", "old".into());
        base.values.insert("trigger", "deploy".into());
        let mut theirs = base.clone();
        theirs.values.insert("summary", "theirs".into());
        let mut mine = base.clone();
        mine.values.insert("trigger", "a failover".into());
        let found = conflicts(Some(&base), &theirs, &mine);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].key, found[0].mine_changed), ("summary", false));
        mine.values.insert("summary", "mine".into());
        let found = conflicts(Some(&base), &theirs, &mine);
        assert!(found[0].mine_changed && found[0].text);
    }

    #[test]
    fn field_ids_follow_the_checklist_paths() {
        assert_eq!(field_id("sections.root_cause.description"), "root_cause-description");
        assert_eq!(field_id("sections.recommendations[1].action_items"), "recommendations-1-action_items");
        assert_eq!(label_of("sections.impact.users_affected"), "Users affected");
        assert_eq!(label_of("sections.damage_control[0].description"), "Damage control 1");
    }

    #[test]
    fn merge_seed_keeps_mine_and_adds_their_new_lines() {
        assert_eq!(merge_seed("a\nb", "a\nc"), "a\nb\n\nc");
        assert_eq!(merge_seed("", "c"), "c");
    }
}
