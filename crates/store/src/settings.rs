//! Settings admins change at run time, stored as key/value rows (values are JSON text).
//!
//! The store only keeps them; which keys exist and how they combine with the values the
//! server was configured with is the server's business. Every server process reads them
//! from the database, so a change made through one reaches all of them.

use hindsight_core::validate::ValidationErrors;
use time::OffsetDateTime;

use crate::{Arg, AuditNote, Store, StoreError, Ts, on_pool};

/// Longest setting key.
const MAX_KEY: usize = 100;
/// Longest setting value (JSON text).
const MAX_VALUE: usize = 10_000;

/// One stored setting and who last changed it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSetting {
    /// e.g. `policy.prolonged_minutes` or `webhooks.github_secret`.
    pub key: String,
    /// JSON text.
    pub value: String,
    /// Username of whoever last set it.
    pub updated_by: Option<String>,
    pub updated_at: OffsetDateTime,
}

type SettingRow = (String, String, Option<String>, Ts);

impl Store {
    /// Every stored setting, by key.
    pub async fn stored_settings(&self) -> Result<Vec<StoredSetting>, StoreError> {
        let rows: Vec<SettingRow> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT key, value, updated_by, updated_at FROM settings ORDER BY key"
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(key, value, updated_by, updated_at)| StoredSetting {
                key,
                value,
                updated_by,
                updated_at: updated_at.get(),
            })
            .collect())
    }

    /// Sets (or replaces) a setting, noting who did it (`note`'s actor); `note` goes to the
    /// audit events in the same transaction.
    pub async fn put_setting(&self, key: &str, value: &str, note: &AuditNote) -> Result<StoredSetting, StoreError> {
        let updated_by = note.actor.as_str();
        let mut errors = ValidationErrors::default();
        if key.is_empty() || key.len() > MAX_KEY {
            errors.push("key", format!("must be 1 to {MAX_KEY} bytes"));
        }
        if value.len() > MAX_VALUE {
            errors.push("value", format!("must be at most {MAX_VALUE} bytes"));
        }
        if serde_json::from_str::<serde_json::Value>(value).is_err() {
            errors.push("value", "must be JSON");
        }
        errors.into_result()?;
        let now = Ts::now();
        let sql = "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, \
                   updated_at = excluded.updated_at";
        let args = vec![Arg::Text(key.into()), Arg::Text(value.into()), Arg::Text(updated_by.into()), Arg::Time(now)];
        self.execute_audited(sql, args, note, None).await?;
        Ok(StoredSetting {
            key: key.to_string(),
            value: value.to_string(),
            updated_by: Some(updated_by.to_string()),
            updated_at: now.get(),
        })
    }

    /// Removes a stored setting; answers whether there was one. When there was, `note` goes
    /// to the audit events in the same transaction.
    pub async fn delete_setting(&self, key: &str, note: &AuditNote) -> Result<bool, StoreError> {
        let done = self
            .execute_audited("DELETE FROM settings WHERE key = $1", vec![Arg::Text(key.into())], note, None)
            .await?;
        Ok(done > 0)
    }
}
