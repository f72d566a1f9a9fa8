//! Action items where the work is done: GitHub Issues and Jira Cloud.
//!
//! An admin adds a tracker (its API token sealed, a webhook secret made for it). An editor
//! makes an issue from an action item, or a tracker makes one for each new item of chosen
//! priorities. From then on the item and its issue are kept in step both ways, their
//! title, owner, due date and status:
//! - every change of the item marks its link pending, in the change's own transaction;
//! - the tracker's webhook (signature checked) stores the issue as told, and marks it too;
//! - the worker's [`sync_pass`] claims pending links, reads the issue (from the webhook, or
//!   from the API when the webhook has not told), merges it into the item by
//!   [`hindsight_core::merge`] (a field changed on both sides takes the later change, and
//!   both are kept in the link's history), then sends the item's changes the issue lacks.
//!
//! GitHub issues have no due date: it is written as a `Due: YYYY-MM-DD` line at the end of
//! the issue's text, and read back from there.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::StreamExt;
use hindsight_core::{
    ActionItemPatch, ActionItemStatus, NewTracker, SyncDirection, SyncEntry, SyncOutcome, SyncedField, SyncedFields,
    Tracker, TrackerKind, TrackerLink, ValidationErrors, incident_handle, merge, retry_delay,
};
use hindsight_store::{ClaimedLink, LinkOutcome, Store, StoreError, Ts};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use crate::accounts::note;
use crate::deliveries::{Deliverer, new_signing_secret};
use crate::{Actor, AppError};

/// A tracker just added, with its webhook's address and secret: the secret is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AddedTracker {
    pub tracker: Tracker,
    /// Where the tracker's webhook sends issue events: give it to GitHub (content type
    /// `application/json`, the "Issues" event) or to Jira (System › WebHooks, "Issue: updated").
    pub webhook_url: String,
    /// The webhook's secret, to give the tracker with its address; never shown again.
    pub webhook_secret: String,
}

/// The address a tracker's webhook posts to.
pub fn webhook_url(base_url: &str, tracker_id: &str) -> String {
    format!("{base_url}/api/v1/trackers/{tracker_id}/webhook")
}

/// Adds a tracker (admins only): its token and a new webhook secret are sealed before
/// they are stored.
pub async fn add_tracker(
    store: &Store,
    actor: &Actor,
    deliverer: &Deliverer,
    new: &NewTracker,
) -> Result<AddedTracker, AppError> {
    actor.require_admin()?;
    new.validate().map_err(AppError::Invalid)?;
    let key = deliverer.key()?;
    let webhook_secret = new_signing_secret();
    let note = note(actor, "added tracker", new.name.trim());
    let tracker = store.add_tracker(new, &key.seal(new.token.trim()), &key.seal(&webhook_secret), &note).await?;
    Ok(AddedTracker { webhook_url: webhook_url(deliverer.base_url(), &tracker.id), tracker, webhook_secret })
}

/// Every tracker (admins see their settings; editors choose among them).
pub async fn trackers(store: &Store, actor: &Actor) -> Result<Vec<Tracker>, AppError> {
    actor.require_write()?;
    let mut trackers = store.trackers().await?;
    if actor.require_admin().is_err() {
        for tracker in &mut trackers {
            tracker.people.clear();
        }
    }
    Ok(trackers)
}

/// Removes tracker `id` and its links (admins only); its issues stay where they are.
pub async fn remove_tracker(store: &Store, actor: &Actor, id: &str) -> Result<(), AppError> {
    actor.require_admin()?;
    if !store.remove_tracker(id, &note(actor, "removed tracker", id)).await? {
        return Err(StoreError::NotFound(format!("tracker {id}")).into());
    }
    Ok(())
}

/// Asks for an issue to be made from action item `item_id` in `tracker` (its id or name)
/// (editors and admins); the worker makes it within a few seconds.
pub async fn create_issue(store: &Store, actor: &Actor, item_id: &str, tracker: &str) -> Result<TrackerLink, AppError> {
    actor.require_write()?;
    let viewer = actor.viewer();
    let trackers = store.trackers().await?;
    let tracker = trackers
        .iter()
        .find(|t| t.id == tracker || t.name == tracker)
        .ok_or_else(|| StoreError::NotFound(format!("tracker {tracker:?}")))?;
    store.link_action_item(&viewer, item_id, &tracker.id).await?;
    store
        .tracker_link(&viewer, item_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("action item {item_id:?}'s issue")).into())
}

/// The issue of action item `item_id`, if it has one, with its history.
pub async fn issue_of(store: &Store, actor: &Actor, item_id: &str) -> Result<Option<TrackerLink>, AppError> {
    Ok(store.tracker_link(&actor.viewer(), item_id).await?)
}

/// An issue as a tracker tells of it: what is kept in step, in the tracker's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteIssue {
    /// `42` on GitHub, `OPS-7` on Jira.
    pub key: String,
    pub url: String,
    pub title: String,
    /// GitHub login or Jira account id.
    pub assignee: Option<String>,
    /// None when the tracker does not say (a GitHub issue without its `Due:` line).
    pub due: Option<Option<Date>>,
    pub state: RemoteState,
    /// GitHub: the issue's text, whose `Due:` line is rewritten when the date changes.
    pub body: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// An issue's state in the tracker's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoteState {
    Open,
    /// Closed on GitHub; `not_planned` when closed as not planned.
    Closed {
        not_planned: bool,
    },
    /// A Jira status, by its category (`new`, `indeterminate`, `done`) and resolution.
    Jira {
        category: String,
        resolution: Option<String>,
    },
}

/// Words of a Jira resolution that mean the work will not be done.
const WONT_DO_RESOLUTIONS: [&str; 5] = ["won't do", "won't fix", "wontfix", "declined", "not planned"];

impl RemoteState {
    /// The state a status is sent as.
    fn of(kind: TrackerKind, status: ActionItemStatus) -> RemoteState {
        match (kind, status) {
            (TrackerKind::Github, ActionItemStatus::Open | ActionItemStatus::InProgress) => RemoteState::Open,
            (TrackerKind::Github, ActionItemStatus::Done) => RemoteState::Closed { not_planned: false },
            (TrackerKind::Github, ActionItemStatus::WontDo) => RemoteState::Closed { not_planned: true },
            (TrackerKind::Jira, status) => {
                RemoteState::Jira { category: jira_category(status).into(), resolution: None }
            }
        }
    }

    /// Whether this state is what `status` is sent as (a Jira resolution aside).
    fn matches(&self, kind: TrackerKind, status: ActionItemStatus) -> bool {
        match (self, RemoteState::of(kind, status)) {
            (RemoteState::Jira { category, .. }, RemoteState::Jira { category: sent, .. }) => {
                *category == sent && (status != ActionItemStatus::WontDo || self.status() == ActionItemStatus::WontDo)
            }
            (state, sent) => *state == sent,
        }
    }

    /// The status this state means, when nothing says more.
    fn status(&self) -> ActionItemStatus {
        match self {
            RemoteState::Open => ActionItemStatus::Open,
            RemoteState::Closed { not_planned: false } => ActionItemStatus::Done,
            RemoteState::Closed { not_planned: true } => ActionItemStatus::WontDo,
            RemoteState::Jira { category, resolution } => match category.as_str() {
                "done" => {
                    let resolution = resolution.as_deref().unwrap_or_default().to_lowercase().replace('’', "'");
                    if WONT_DO_RESOLUTIONS.contains(&resolution.as_str()) {
                        ActionItemStatus::WontDo
                    } else {
                        ActionItemStatus::Done
                    }
                }
                "indeterminate" => ActionItemStatus::InProgress,
                _ => ActionItemStatus::Open,
            },
        }
    }
}

/// The Jira status category a status goes to.
fn jira_category(status: ActionItemStatus) -> &'static str {
    match status {
        ActionItemStatus::Open => "new",
        ActionItemStatus::InProgress => "indeterminate",
        ActionItemStatus::Done | ActionItemStatus::WontDo => "done",
    }
}

/// The issue in Hindsight's terms, read against `base` (what both last agreed on): a
/// value that is what the base's would be sent as means the base's (an issue "open" is
/// still "in progress"; an owner with no name in the tracker is still theirs), and an
/// assignee no one here is mapped to changes nothing.
pub fn fields_of(
    issue: &RemoteIssue,
    base: &SyncedFields,
    kind: TrackerKind,
    people: &BTreeMap<String, String>,
) -> SyncedFields {
    let sent_owner = base.owner.as_ref().and_then(|name| people.get(name));
    let owner = if issue.assignee.as_ref() == sent_owner {
        base.owner.clone()
    } else {
        match &issue.assignee {
            None => None,
            Some(remote) => match people.iter().find(|(_, r)| *r == remote) {
                Some((name, _)) => Some(name.clone()),
                None => base.owner.clone(),
            },
        }
    };
    let status = if issue.state.matches(kind, base.status) { base.status } else { issue.state.status() };
    SyncedFields { title: issue.title.clone(), owner, due_date: issue.due.unwrap_or(base.due_date), status }
}

/// What one sync pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Links brought in step.
    pub synced: u64,
    /// Links whose tracker failed; tried again later.
    pub failed: u64,
}

/// One pass of worker `owner`: claims at most a batch of pending links, brings each in
/// step with its issue, at most `concurrency` at once, and records each outcome.
pub async fn sync_pass(
    store: &Store,
    owner: &str,
    deliverer: &Deliverer,
    now: OffsetDateTime,
) -> Result<SyncReport, AppError> {
    let settings = deliverer.settings();
    // A link takes up to seven requests (on Jira: look for a made issue, make it, read it,
    // change it, read its transitions, move it, read it again), each its longest.
    let rounds = (settings.batch.max(1) as u64).div_ceil(settings.concurrency.max(1) as u64);
    let lease = Ts::from(now + Duration::from_secs(rounds * 7 * settings.timeout_seconds + 30));
    let claimed = store.claim_links(owner, Ts::from(now), lease, settings.batch).await?;
    let mut report = SyncReport::default();
    if claimed.is_empty() {
        return Ok(report);
    }
    let outcomes: Vec<(String, LinkOutcome)> = futures_util::stream::iter(claimed)
        .map(|link| async move {
            let id = link.item.id.clone();
            let outcome = match sync_link(store, owner, deliverer, &link).await {
                Ok(outcome) => outcome,
                Err(error) => {
                    let retry_at = Ts::from(OffsetDateTime::now_utc() + retry_delay(link.attempts + 1));
                    LinkOutcome::Failed { error, retry_at }
                }
            };
            (id, outcome)
        })
        .buffer_unordered(settings.concurrency)
        .collect()
        .await;
    for (id, outcome) in &outcomes {
        match outcome {
            LinkOutcome::Failed { error, .. } => {
                report.failed += 1;
                tracing::warn!(action_item = %id, %error, "tracker sync failed; tried again later");
            }
            LinkOutcome::Synced { .. } => report.synced += 1,
            LinkOutcome::Withheld => {}
        }
        store.finish_link(owner, id, outcome, Ts::now()).await?;
    }
    Ok(report)
}

fn entry(
    direction: SyncDirection,
    outcome: SyncOutcome,
    fields: &SyncedFields,
    which: &[SyncedField],
    at: OffsetDateTime,
) -> SyncEntry {
    SyncEntry {
        direction,
        outcome,
        fields: which.iter().map(|f| (*f, fields.shown(*f))).collect(),
        changed_at: at,
        recorded_at: OffsetDateTime::now_utc(),
    }
}

/// Brings one link in step: makes the issue if it has none, takes in what the issue
/// changed, then sends what the item changed.
async fn sync_link(
    store: &Store,
    owner: &str,
    deliverer: &Deliverer,
    link: &ClaimedLink,
) -> Result<LinkOutcome, String> {
    if link.item.private {
        return Ok(LinkOutcome::Withheld);
    }
    let key = deliverer.key().map_err(|e| e.to_string())?;
    let token = key.open(&link.tracker.sealed_token)?;
    let api = Api { http: deliverer.http(), tracker: &link.tracker.tracker, token: &token };
    let people = &link.tracker.tracker.people;
    let kind = link.tracker.tracker.kind;
    let mut item = link.item.fields.clone();
    let mut version = link.item.version;
    let mut log = Vec::new();
    let (mut issue, mut base) = match (&link.remote_key, &link.base) {
        (Some(remote_key), Some(base)) => {
            let told = link.received.as_deref().and_then(|json| serde_json::from_str::<RemoteIssue>(json).ok());
            let issue = match told {
                Some(issue) if issue.key == *remote_key => issue,
                _ => api.get(remote_key).await?,
            };
            (issue, base.clone())
        }
        _ => {
            // A try before this one may have made the issue and stopped before its key was
            // kept: look for it first, so that it is never made twice.
            let made = match link.creating_at {
                Some(since) => api.find_made(&link.item.id, deliverer.base_url(), since.get()).await?,
                None => None,
            };
            let issue = match made {
                Some(issue) => issue,
                None => {
                    let marked =
                        store.mark_creating(owner, &link.item.id, Ts::now()).await.map_err(|e| e.to_string())?;
                    if !marked {
                        return Err("another worker holds this link now".into());
                    }
                    api.create(&link.item, deliverer.base_url()).await?
                }
            };
            let base = fields_of(&issue, &item, kind, people);
            (issue, base)
        }
    };
    let known = link.remote_updated_at.map(Ts::get);
    if link.base.is_some() && known.is_none_or(|known| issue.updated_at > known) {
        let told = fields_of(&issue, &base, kind, people);
        let merged = merge(&base, &item, link.item.updated_at.get(), &told, issue.updated_at);
        if !merged.taken.is_empty() {
            let patch = ActionItemPatch {
                version,
                title: merged.taken.contains(&SyncedField::Title).then(|| merged.item.title.clone()),
                owner: merged.taken.contains(&SyncedField::Owner).then(|| merged.item.owner.clone()),
                due_date: merged.taken.contains(&SyncedField::DueDate).then_some(merged.item.due_date),
                status: merged.taken.contains(&SyncedField::Status).then_some(merged.item.status),
                ..ActionItemPatch::default()
            };
            let changed = store
                .update_action_item(&hindsight_core::access::Viewer::operator(), &link.item.id, patch)
                .await
                .map_err(|e| format!("could not take the issue's change: {e}"))?;
            version = changed.version;
            log.push(entry(SyncDirection::Received, SyncOutcome::Applied, &told, &merged.taken, issue.updated_at));
        }
        if !merged.kept.is_empty() {
            log.push(entry(SyncDirection::Received, SyncOutcome::Overridden, &told, &merged.kept, issue.updated_at));
        }
        item = merged.item;
        base = merged.base;
    }
    let changed = item.differences(&base);
    let mut then_failed = None;
    if !changed.is_empty() {
        match api.update(&issue, &item, &changed).await {
            Ok(after) => {
                issue = after;
                log.push(entry(SyncDirection::Sent, SyncOutcome::Applied, &item, &changed, link.item.updated_at.get()));
                base = item;
            }
            // What was done (an issue made, a change taken) is recorded all the same, and
            // the link stays pending: a retry never makes the issue twice.
            Err(error) => {
                then_failed = Some((error, Ts::from(OffsetDateTime::now_utc() + retry_delay(link.attempts + 1))));
                version = 0;
            }
        }
    }
    Ok(LinkOutcome::Synced {
        remote_key: issue.key.clone(),
        url: issue.url.clone(),
        base,
        synced_version: version,
        remote_updated_at: Ts::from(issue.updated_at),
        log,
        then_failed,
    })
}

/// A tracker's API, as one link's sync talks to it.
struct Api<'a> {
    http: &'a reqwest::Client,
    tracker: &'a Tracker,
    token: &'a str,
}

/// Most bytes of a tracker's answer read.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

impl Api<'_> {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let url = format!("{}{path}", self.tracker.api_url);
        let request = self.http.request(method, url);
        match self.tracker.kind {
            TrackerKind::Github => request
                .bearer_auth(self.token)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28"),
            TrackerKind::Jira => {
                let (email, token) = self.token.split_once(':').unwrap_or((self.token, ""));
                request.basic_auth(email, Some(token)).header("Accept", "application/json")
            }
        }
    }

    /// Sends a request and reads the answer's JSON (`null` for an empty answer); a
    /// refusal is an error with the tracker's own words.
    async fn send(&self, request: reqwest::RequestBuilder, what: &str) -> Result<Value, String> {
        let name = self.tracker.kind.as_str();
        let response = request.send().await.map_err(|e| {
            let why = if e.is_timeout() { "timed out".to_string() } else { e.without_url().to_string() };
            format!("{name}: {what}: {why}")
        })?;
        let status = response.status();
        let mut body = Vec::new();
        let mut response = response;
        while let Some(chunk) = response.chunk().await.map_err(|e| format!("{name}: {what}: {}", e.without_url()))? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(format!("{name}: {what}: the answer is over {MAX_ANSWER_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            let words: String = String::from_utf8_lossy(&body).chars().take(300).collect();
            return Err(format!("{name}: {what}: answered {status}: {words}"));
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&body).map_err(|e| format!("{name}: {what}: the answer is not JSON: {e}"))
    }

    async fn get(&self, key: &str) -> Result<RemoteIssue, String> {
        match self.tracker.kind {
            TrackerKind::Github => {
                let path = format!("/repos/{}/issues/{key}", self.tracker.project);
                let answer = self.send(self.request(reqwest::Method::GET, &path), "reading the issue").await?;
                github_issue(&answer)
            }
            TrackerKind::Jira => {
                let path = format!("/rest/api/3/issue/{key}?fields={JIRA_FIELDS}");
                let answer = self.send(self.request(reqwest::Method::GET, &path), "reading the issue").await?;
                jira_issue(&answer, &self.tracker.api_url)
            }
        }
    }

    /// The issue made for action item `item_id` since a little before `since`, if any: its
    /// text links to the item. GitHub lists the repository's issues changed since; Jira
    /// searches the project's issues made since.
    async fn find_made(
        &self,
        item_id: &str,
        base_url: &str,
        since: OffsetDateTime,
    ) -> Result<Option<RemoteIssue>, String> {
        let link = format!("{base_url}/action-items/{item_id}");
        let since = since - Duration::from_secs(600);
        match self.tracker.kind {
            TrackerKind::Github => {
                let path = format!("/repos/{}/issues", self.tracker.project);
                let since = since.format(&time::format_description::well_known::Rfc3339).map_err(|e| e.to_string())?;
                let query = [("state", "all"), ("since", since.as_str()), ("per_page", "100")];
                let request = self.request(reqwest::Method::GET, &path).query(&query);
                let answer = self.send(request, "looking for an issue made before").await?;
                let issues = answer.as_array().cloned().unwrap_or_default();
                let made = issues.iter().find(|i| i["body"].as_str().is_some_and(|body| body.contains(&link)));
                made.map(github_issue).transpose()
            }
            TrackerKind::Jira => {
                let minutes = (OffsetDateTime::now_utc() - since).whole_minutes().max(1);
                let jql = format!(
                    "project = \"{}\" AND created >= \"-{minutes}m\" ORDER BY created DESC",
                    self.tracker.project
                );
                let fields = format!("{JIRA_FIELDS},description");
                let query = [("jql", jql.as_str()), ("fields", fields.as_str()), ("maxResults", "100")];
                let request = self.request(reqwest::Method::GET, "/rest/api/3/search/jql").query(&query);
                let answer = self.send(request, "looking for an issue made before").await?;
                let issues = answer["issues"].as_array().cloned().unwrap_or_default();
                let made = issues.iter().find(|i| i["fields"]["description"].to_string().contains(&link));
                made.map(|issue| jira_issue(issue, &self.tracker.api_url)).transpose()
            }
        }
    }

    fn assignee(&self, owner: &Option<String>) -> Option<&String> {
        owner.as_ref().and_then(|name| self.tracker.people.get(name))
    }

    async fn create(&self, item: &hindsight_store::LinkedItem, base_url: &str) -> Result<RemoteIssue, String> {
        let link = format!("{base_url}/action-items/{}", item.id);
        let handle = incident_handle(item.incident);
        let fields = &item.fields;
        match self.tracker.kind {
            TrackerKind::Github => {
                let mut text = item.description.trim().to_string();
                text.push_str(&format!(
                    "\n\n---\nAction item of {handle} in Hindsight: {link}\nPriority: {}\n",
                    item.priority.as_str().to_uppercase()
                ));
                let mut body = json!({ "title": fields.title, "body": with_due_line(&text, fields.due_date) });
                if let Some(login) = self.assignee(&fields.owner) {
                    body["assignees"] = json!([login]);
                }
                let path = format!("/repos/{}/issues", self.tracker.project);
                let answer =
                    self.send(self.request(reqwest::Method::POST, &path).json(&body), "making the issue").await?;
                github_issue(&answer)
            }
            TrackerKind::Jira => {
                let text = format!("{}\n\nAction item of {handle} in Hindsight: {link}", item.description.trim());
                let mut issue_fields = json!({
                    "project": { "key": self.tracker.project },
                    "issuetype": { "name": "Task" },
                    "summary": fields.title,
                    "description": jira_document(text.trim()),
                    "duedate": fields.due_date.map(|d| d.to_string()),
                });
                if let Some(account) = self.assignee(&fields.owner) {
                    issue_fields["assignee"] = json!({ "accountId": account });
                }
                let answer = self
                    .send(
                        self.request(reqwest::Method::POST, "/rest/api/3/issue")
                            .json(&json!({ "fields": issue_fields })),
                        "making the issue",
                    )
                    .await?;
                let key = answer["key"].as_str().ok_or("jira: making the issue: the answer has no key")?;
                // The issue is made: should reading it back fail, it is known by what was sent.
                Ok(self.get(key).await.unwrap_or_else(|_| RemoteIssue {
                    key: key.to_string(),
                    url: format!("{}/browse/{key}", self.tracker.api_url),
                    title: fields.title.clone(),
                    assignee: self.assignee(&fields.owner).cloned(),
                    due: Some(fields.due_date),
                    state: RemoteState::Jira { category: "new".into(), resolution: None },
                    body: None,
                    updated_at: OffsetDateTime::now_utc(),
                }))
            }
        }
    }

    /// Sends the item's `changed` fields to the issue; answers the issue as it is after.
    async fn update(
        &self,
        issue: &RemoteIssue,
        item: &SyncedFields,
        changed: &[SyncedField],
    ) -> Result<RemoteIssue, String> {
        let key = &issue.key;
        match self.tracker.kind {
            TrackerKind::Github => {
                let mut body = json!({});
                for field in changed {
                    match field {
                        SyncedField::Title => body["title"] = json!(item.title),
                        SyncedField::Owner => {
                            body["assignees"] = json!(self.assignee(&item.owner).into_iter().collect::<Vec<_>>())
                        }
                        SyncedField::DueDate => {
                            body["body"] =
                                json!(with_due_line(issue.body.as_deref().unwrap_or_default(), item.due_date))
                        }
                        SyncedField::Status => match RemoteState::of(TrackerKind::Github, item.status) {
                            RemoteState::Closed { not_planned } => {
                                body["state"] = json!("closed");
                                body["state_reason"] = json!(if not_planned { "not_planned" } else { "completed" });
                            }
                            _ => {
                                body["state"] = json!("open");
                                body["state_reason"] = json!("reopened");
                            }
                        },
                    }
                }
                let path = format!("/repos/{}/issues/{key}", self.tracker.project);
                let answer =
                    self.send(self.request(reqwest::Method::PATCH, &path).json(&body), "changing the issue").await?;
                github_issue(&answer)
            }
            TrackerKind::Jira => {
                let mut fields = json!({});
                for field in changed {
                    match field {
                        SyncedField::Title => fields["summary"] = json!(item.title),
                        SyncedField::Owner => {
                            fields["assignee"] = match self.assignee(&item.owner) {
                                Some(account) => json!({ "accountId": account }),
                                None => Value::Null,
                            }
                        }
                        SyncedField::DueDate => fields["duedate"] = json!(item.due_date.map(|d| d.to_string())),
                        SyncedField::Status => {}
                    }
                }
                if fields.as_object().is_some_and(|f| !f.is_empty()) {
                    let path = format!("/rest/api/3/issue/{key}");
                    self.send(
                        self.request(reqwest::Method::PUT, &path).json(&json!({ "fields": fields })),
                        "changing the issue",
                    )
                    .await?;
                }
                if changed.contains(&SyncedField::Status) && !issue.state.matches(TrackerKind::Jira, item.status) {
                    self.transition(key, jira_category(item.status)).await?;
                }
                self.get(key).await
            }
        }
    }

    /// Moves a Jira issue to a status of `category` by the first transition there.
    async fn transition(&self, key: &str, category: &str) -> Result<(), String> {
        let path = format!("/rest/api/3/issue/{key}/transitions");
        let answer = self.send(self.request(reqwest::Method::GET, &path), "reading the transitions").await?;
        let transitions = answer["transitions"].as_array().cloned().unwrap_or_default();
        let to = transitions
            .iter()
            .find(|t| t["to"]["statusCategory"]["key"].as_str() == Some(category))
            .and_then(|t| t["id"].as_str())
            .ok_or_else(|| format!("jira: {key} has no transition to a status of category {category:?} from here"))?;
        self.send(
            self.request(reqwest::Method::POST, &path).json(&json!({ "transition": { "id": to } })),
            "moving the issue",
        )
        .await?;
        Ok(())
    }
}

/// The fields read from a Jira issue.
const JIRA_FIELDS: &str = "summary,status,assignee,duedate,updated,resolution";

/// A Jira description: an Atlassian Document with a paragraph per line.
fn jira_document(text: &str) -> Value {
    let paragraphs: Vec<Value> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| json!({ "type": "paragraph", "content": [{ "type": "text", "text": line }] }))
        .collect();
    json!({ "type": "doc", "version": 1, "content": paragraphs })
}

/// `text` with its `Due:` line set to `due` (or taken out when none).
pub fn with_due_line(text: &str, due: Option<Date>) -> String {
    let mut lines: Vec<&str> = text.trim_end().lines().filter(|line| due_of_line(line).is_none()).collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let mut out = lines.join("\n");
    if let Some(due) = due {
        out.push_str(&format!("\nDue: {due}"));
    }
    out.push('\n');
    out
}

/// The date of a `Due: YYYY-MM-DD` line.
fn due_of_line(line: &str) -> Option<Date> {
    let date = line.trim().strip_prefix("Due:")?.trim();
    Date::parse(date, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn text_at<'a>(value: &'a Value, pointer: &str, what: &str) -> Result<&'a str, String> {
    value.pointer(pointer).and_then(Value::as_str).ok_or_else(|| format!("the {what} has no {pointer}"))
}

/// An issue of GitHub's REST API or `issues` webhook.
pub fn github_issue(issue: &Value) -> Result<RemoteIssue, String> {
    let number = issue["number"].as_i64().ok_or("the GitHub issue has no number")?;
    let body = issue["body"].as_str().map(str::to_string);
    let due = body.as_deref().and_then(|b| b.lines().rev().find_map(due_of_line));
    let state = match issue["state"].as_str() {
        Some("closed") => RemoteState::Closed { not_planned: issue["state_reason"].as_str() == Some("not_planned") },
        _ => RemoteState::Open,
    };
    let updated = text_at(issue, "/updated_at", "GitHub issue")?;
    Ok(RemoteIssue {
        key: number.to_string(),
        url: text_at(issue, "/html_url", "GitHub issue")?.to_string(),
        title: text_at(issue, "/title", "GitHub issue")?.to_string(),
        assignee: issue["assignee"]["login"]
            .as_str()
            .or_else(|| issue["assignees"][0]["login"].as_str())
            .map(str::to_string),
        due: due.map(Some),
        state,
        body,
        updated_at: tracker_time(updated)?,
    })
}

/// An issue of Jira's REST API or webhook.
pub fn jira_issue(issue: &Value, site: &str) -> Result<RemoteIssue, String> {
    let key = text_at(issue, "/key", "Jira issue")?;
    let fields = &issue["fields"];
    let due = match &fields["duedate"] {
        Value::Null => None,
        Value::String(d) => Some(
            Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|e| format!("the Jira issue's due date {d:?}: {e}"))?,
        ),
        other => return Err(format!("the Jira issue's due date is {other}")),
    };
    Ok(RemoteIssue {
        key: key.to_string(),
        url: format!("{site}/browse/{key}"),
        title: text_at(fields, "/summary", "Jira issue")?.to_string(),
        assignee: fields["assignee"]["accountId"].as_str().map(str::to_string),
        due: Some(due),
        state: RemoteState::Jira {
            category: text_at(fields, "/status/statusCategory/key", "Jira issue")?.to_string(),
            resolution: fields["resolution"]["name"].as_str().map(str::to_string),
        },
        body: None,
        updated_at: tracker_time(text_at(fields, "/updated", "Jira issue")?)?,
    })
}

/// A time as GitHub (`2026-12-07T10:15:30Z`) or Jira (`2026-12-07T10:15:30.123+0000`) writes it.
fn tracker_time(text: &str) -> Result<OffsetDateTime, String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    // Jira's offset has no colon: +0000.
    let colon = match text.len().checked_sub(2) {
        Some(at) if text.is_char_boundary(at) && text.len() > 5 => format!("{}:{}", &text[..at], &text[at..]),
        _ => text.to_string(),
    };
    OffsetDateTime::parse(&colon, &Rfc3339).map_err(|_| format!("{text:?} is not a time"))
}

/// What a tracker's webhook came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Received {
    /// The issue it told of, if any.
    pub issue: Option<String>,
    /// Whether an action item is linked to that issue (it is brought in step at once).
    pub linked: bool,
}

/// A webhook from tracker `tracker_id`: checks its signature (`signature`, the
/// `X-Hub-Signature-256` GitHub sends or the `X-Hub-Signature` Jira sends, both
/// `sha256=` and the body's HMAC in hex) and stores the issue it tells of.
pub async fn receive(
    store: &Store,
    deliverer: &Deliverer,
    tracker_id: &str,
    signature: &str,
    event: Option<&str>,
    body: &[u8],
) -> Result<Received, AppError> {
    let refused = |why: &str| AppError::Forbidden(format!("tracker webhook refused: {why}"));
    let sealed = match store.sealed_tracker(tracker_id).await {
        Ok(sealed) => sealed,
        Err(StoreError::NotFound(_)) => return Err(refused("no such tracker")),
        Err(e) => return Err(e.into()),
    };
    let key = deliverer.key()?;
    let secret = key.open(&sealed.sealed_webhook_secret).map_err(|e| AppError::Internal(e.to_string()))?;
    if !signature_matches(&secret, body, signature) {
        return Err(refused("the signature does not match the body"));
    }
    let invalid = |why: String| AppError::Invalid(ValidationErrors::single("body", why));
    let payload: Value = serde_json::from_slice(body).map_err(|e| invalid(format!("not JSON: {e}")))?;
    let tracker = &sealed.tracker;
    let issue = match tracker.kind {
        TrackerKind::Github => {
            if event != Some("issues") {
                // A ping, or an event the tracker was not asked for: nothing to take.
                return Ok(Received { issue: None, linked: false });
            }
            let repository = payload["repository"]["full_name"].as_str().unwrap_or_default();
            if !repository.eq_ignore_ascii_case(&tracker.project) {
                return Err(invalid(format!("the event is of {repository:?}, not of {}", tracker.project)));
            }
            github_issue(&payload["issue"]).map_err(invalid)?
        }
        TrackerKind::Jira => {
            let event = payload["webhookEvent"].as_str().unwrap_or_default();
            if !matches!(event, "jira:issue_updated" | "jira:issue_created") {
                return Ok(Received { issue: None, linked: false });
            }
            jira_issue(&payload["issue"], &tracker.api_url).map_err(invalid)?
        }
    };
    let json = serde_json::to_string(&issue).map_err(|e| AppError::Internal(e.to_string()))?;
    let linked = store.receive_issue(&tracker.id, &issue.key, &json).await?;
    Ok(Received { issue: Some(issue.key), linked })
}

/// Whether `signature` is `sha256=` and the HMAC-SHA256 of `body` under `secret`, in hex;
/// compared in constant time.
pub fn signature_matches(secret: &str, body: &[u8], signature: &str) -> bool {
    let expected = format!("sha256={}", crate::secrets::hmac_hex(secret, body));
    let sent = signature.trim();
    sent.len() == expected.len() && sent.bytes().zip(expected.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn base() -> SyncedFields {
        SyncedFields {
            title: "Rotate certs".into(),
            owner: Some("ana".into()),
            due_date: Some(date!(2027 - 01 - 10)),
            status: ActionItemStatus::InProgress,
        }
    }

    fn issue(assignee: Option<&str>, state: RemoteState) -> RemoteIssue {
        RemoteIssue {
            key: "7".into(),
            url: "https://github.com/example/platform/issues/7".into(),
            title: "Rotate certs".into(),
            assignee: assignee.map(Into::into),
            due: None,
            state,
            body: None,
            updated_at: datetime!(2026-12-07 10:00 UTC),
        }
    }

    #[test]
    fn an_issue_is_read_against_what_both_last_agreed_on() {
        let people: BTreeMap<String, String> = [("ana".to_string(), "ana-gh".to_string())].into();
        let kind = TrackerKind::Github;
        // Open on GitHub is still in progress; no Due line leaves the date.
        assert_eq!(fields_of(&issue(Some("ana-gh"), RemoteState::Open), &base(), kind, &people), base());
        let closed =
            fields_of(&issue(Some("ana-gh"), RemoteState::Closed { not_planned: true }), &base(), kind, &people);
        assert_eq!(closed.status, ActionItemStatus::WontDo);
        // Unassigned there clears the owner; someone unmapped changes nothing.
        assert_eq!(fields_of(&issue(None, RemoteState::Open), &base(), kind, &people).owner, None);
        assert_eq!(fields_of(&issue(Some("stranger"), RemoteState::Open), &base(), kind, &people).owner, base().owner);
        // An owner with no login there is still theirs while the issue has no assignee.
        let ben = SyncedFields { owner: Some("ben".into()), ..base() };
        assert_eq!(fields_of(&issue(None, RemoteState::Open), &ben, kind, &people).owner.as_deref(), Some("ben"));
        let jira = |category: &str, resolution: Option<&str>| RemoteState::Jira {
            category: category.into(),
            resolution: resolution.map(Into::into),
        };
        let open = SyncedFields { status: ActionItemStatus::Open, ..base() };
        let read = |state| fields_of(&issue(Some("ana-gh"), state), &open, TrackerKind::Jira, &people).status;
        assert_eq!(read(jira("indeterminate", None)), ActionItemStatus::InProgress);
        assert_eq!(read(jira("done", Some("Done"))), ActionItemStatus::Done);
        assert_eq!(read(jira("done", Some("Won’t Do"))), ActionItemStatus::WontDo);
        assert_eq!(read(jira("new", None)), ActionItemStatus::Open);
    }

    #[test]
    fn the_due_line_is_set_replaced_and_taken_out() {
        let text = "Renew by hand until automated.\n\n---\nPriority: P1\n";
        let dated = with_due_line(text, Some(date!(2027 - 01 - 10)));
        assert_eq!(dated, "Renew by hand until automated.\n\n---\nPriority: P1\nDue: 2027-01-10\n");
        let moved = with_due_line(&dated, Some(date!(2027 - 02 - 01)));
        assert!(moved.ends_with("Priority: P1\nDue: 2027-02-01\n"), "{moved}");
        assert_eq!(moved.matches("Due:").count(), 1);
        assert_eq!(with_due_line(&moved, None), "Renew by hand until automated.\n\n---\nPriority: P1\n");
    }

    #[test]
    fn github_and_jira_times_are_read() {
        assert_eq!(tracker_time("2026-12-07T10:15:30Z").unwrap(), datetime!(2026-12-07 10:15:30 UTC));
        assert_eq!(tracker_time("2026-12-07T10:15:30.000+0100").unwrap(), datetime!(2026-12-07 09:15:30 UTC));
        assert!(tracker_time("yesterday").is_err());
        assert!(tracker_time("").is_err());
    }

    #[test]
    fn signatures_are_checked_against_the_body() {
        // GitHub's documented example: secret "It's a Secret to Everybody", body "Hello, World!".
        let good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(signature_matches("It's a Secret to Everybody", b"Hello, World!", good));
        assert!(!signature_matches("It's a Secret to Everybody", b"Hello, World?", good));
        assert!(!signature_matches("another secret", b"Hello, World!", good));
        assert!(!signature_matches("It's a Secret to Everybody", b"Hello, World!", ""));
    }
}
