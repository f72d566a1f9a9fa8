//! GitHub `deployment` and `deployment_status` webhooks: what was deployed where, and how
//! it went. A file holds one payload or JSON Lines of them; the event name (sent in the
//! `X-GitHub-Event` header) is told from the body, and other events are skipped.
//!
//! A deployment is a `deploy` event, or a `rollback` when its task, description, ref,
//! environment or payload says rollback or revert; a successful rollback also suggests the
//! mitigation moment.

use std::io::BufRead;

use serde_json::Value;

use super::fields::{required_id, required_text, required_time, text};
use super::json_stream::read_json_records;
use super::record::{Correlation, Emitter, ImportError, ImportStats, Location, Record};
use super::{Format, Importer};
use crate::model::{EventKind, KeyMoment};

/// Reads GitHub deployment webhooks.
pub(crate) struct GitHubImporter;

impl Importer for GitHubImporter {
    fn format(&self) -> Format {
        Format::GitHub
    }

    fn import(
        &self,
        input: &mut dyn BufRead,
        origin: &str,
        sink: &mut dyn FnMut(Record),
    ) -> Result<ImportStats, ImportError> {
        let mut emitter = Emitter::new(sink);
        read_json_records(input, origin, None, &mut emitter, &mut map_payload)?;
        Ok(emitter.finish())
    }
}

fn map_payload(value: Value, at: &Location, emitter: &mut Emitter) {
    let result = if value.get("deployment_status").is_some() {
        status_record(&value)
    } else if value.get("deployment").is_some() {
        deployment_record(&value)
    } else {
        return emitter.skip();
    };
    match result {
        Ok(mut record) => {
            record.raw = value;
            emitter.record(at, record);
        }
        Err(reason) => emitter.reject(at, reason),
    }
}

/// A `deployment` event: a deploy (or rollback) was asked for.
fn deployment_record(payload: &Value) -> Result<Record, String> {
    let deployment = object(payload, "deployment")?;
    let id = required_id(payload, "deployment.id")?;
    let occurred_at = required_time(payload, "deployment.created_at")?;
    let rollback = is_rollback(deployment, None);
    let mut words = format!("{} {} requested", noun(rollback), subject(payload, deployment));
    if let Some(description) = text(deployment, "description") {
        words = format!("{words}: {description}");
    }
    Ok(Record {
        occurred_at,
        source: "github".to_string(),
        kind: if rollback { EventKind::Rollback } else { EventKind::Deploy },
        actor: text(deployment, "creator.login").or_else(|| text(payload, "sender.login")),
        text: words,
        key_moment: None,
        external_id: format!("github:deployment:{id}"),
        correlation: correlation(payload),
        raw: Value::Null,
    })
}

/// A `deployment_status` event: a deploy (or rollback) moved to a new state.
fn status_record(payload: &Value) -> Result<Record, String> {
    let status = object(payload, "deployment_status")?;
    let deployment = payload.get("deployment").filter(|d| d.is_object()).unwrap_or(&Value::Null);
    let id = required_id(payload, "deployment_status.id")?;
    let state = required_text(payload, "deployment_status.state")?;
    let occurred_at = required_time(payload, "deployment_status.created_at")
        .or_else(|e| required_time(payload, "deployment_status.updated_at").map_err(|_| e))?;
    let rollback = is_rollback(deployment, Some(status));
    let mut words = format!("{} {} {}", noun(rollback), subject(payload, deployment), state_words(&state));
    if let Some(description) = text(status, "description") {
        words = format!("{words}: {description}");
    }
    Ok(Record {
        occurred_at,
        source: "github".to_string(),
        kind: if rollback { EventKind::Rollback } else { EventKind::Deploy },
        actor: text(status, "creator.login").or_else(|| text(payload, "sender.login")),
        text: words,
        key_moment: (rollback && state == "success").then_some(KeyMoment::Mitigation),
        external_id: format!("github:deployment_status:{id}"),
        correlation: correlation(payload),
        raw: Value::Null,
    })
}

fn object<'v>(payload: &'v Value, field: &str) -> Result<&'v Value, String> {
    payload.get(field).filter(|v| v.is_object()).ok_or_else(|| format!("{field} must be an object"))
}

fn noun(rollback: bool) -> &'static str {
    if rollback { "Rollback of" } else { "Deploy of" }
}

/// `Hello-World master (f95f852) to production`.
fn subject(payload: &Value, deployment: &Value) -> String {
    let repository = text(payload, "repository.name").unwrap_or_else(|| "repository".to_string());
    let reference = text(deployment, "ref").map(|r| format!(" {r}")).unwrap_or_default();
    let sha =
        text(deployment, "sha").map(|s| format!(" ({})", s.chars().take(7).collect::<String>())).unwrap_or_default();
    let environment = text(deployment, "environment").map(|e| format!(" to {e}")).unwrap_or_default();
    format!("{repository}{reference}{sha}{environment}")
}

fn state_words(state: &str) -> String {
    match state {
        "success" => "succeeded".to_string(),
        "failure" => "failed".to_string(),
        "error" => "errored".to_string(),
        "in_progress" => "in progress".to_string(),
        other => other.replace('_', " "),
    }
}

fn correlation(payload: &Value) -> Correlation {
    Correlation { service: text(payload, "repository.name"), ..Correlation::default() }
}

/// Whether the deployment (or its status) says it rolls back or reverts.
fn is_rollback(deployment: &Value, status: Option<&Value>) -> bool {
    let mut texts: Vec<String> =
        ["task", "description", "ref", "environment"].iter().filter_map(|f| text(deployment, f)).collect();
    if let Some(payload) = deployment.get("payload").filter(|p| !p.is_null()) {
        texts.push(payload.to_string());
    }
    if let Some(status) = status {
        texts.extend(text(status, "description"));
    }
    texts.iter().any(|t| says_rollback(t))
}

fn says_rollback(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["rollback", "roll back", "roll-back", "rolled back", "rolling back", "revert"].iter().any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_revert_branch_is_a_rollback() {
        let payload = json!({"action": "created", "repository": {"name": "checkout"},
            "deployment": {"id": 5, "ref": "revert-812-pool-size", "sha": "0123456789abcdef", "environment": "production",
            "created_at": "2026-03-01T10:30:00Z", "creator": {"login": "bo"}, "payload": {}}});
        let record = deployment_record(&payload).unwrap();
        assert_eq!(record.kind, EventKind::Rollback);
        assert_eq!(record.text, "Rollback of checkout revert-812-pool-size (0123456) to production requested");
    }

    #[test]
    fn a_successful_rollback_suggests_mitigation() {
        let payload = json!({"deployment_status": {"id": 9, "state": "success", "created_at": "2026-03-01T10:34:00Z",
            "description": "Rolled back to v4.1"}, "deployment": {"id": 5, "ref": "main", "task": "deploy"},
            "repository": {"name": "checkout"}});
        let record = status_record(&payload).unwrap();
        assert_eq!(record.kind, EventKind::Rollback);
        assert_eq!(record.key_moment, Some(KeyMoment::Mitigation));
    }

    #[test]
    fn an_ordinary_deploy_is_a_deploy() {
        let payload = json!({"deployment_status": {"id": 9, "state": "failure", "created_at": "2026-03-01T10:34:00Z"},
            "deployment": {"id": 5, "ref": "main", "task": "deploy", "payload": {"version": "4.2"}},
            "repository": {"name": "checkout"}});
        let record = status_record(&payload).unwrap();
        assert_eq!(record.kind, EventKind::Deploy);
        assert_eq!(record.text, "Deploy of checkout main failed");
    }
}
