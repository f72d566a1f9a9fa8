//! Validation errors that name the field at fault, so the API can answer with
//! a field path and a person can fix the right thing.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

/// One thing wrong with one field of an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// JSON path of the field, e.g. `root_cause.certainty` or `services[2]`.
    pub field: String,
    /// What is wrong and what would be accepted.
    pub message: String,
}

/// Every problem found in one input, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.summary())]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// Records a problem with `field`.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), message: message.into() });
    }

    /// `Ok(())` when nothing was recorded, else the collected errors.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// A single-problem error.
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.push(field, message);
        errors
    }

    fn summary(&self) -> String {
        self.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
    }

    /// Checks that a required text is present and within `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.push(field, "must not be empty");
        } else if value.chars().count() > max {
            self.push(field, format!("must be at most {max} characters"));
        }
    }

    /// Checks that an optional text is within `max` characters.
    pub fn max_len(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.push(field, format!("must be at most {max} characters"));
        }
    }

    /// Checks that a time lies within the years Hindsight accepts ([`time_in_range`]).
    pub fn time(&mut self, field: &str, at: OffsetDateTime) {
        if let Err(message) = time_in_range(at) {
            self.push(field, message);
        }
    }

    /// Checks that a date lies within the years Hindsight accepts.
    pub fn date(&mut self, field: &str, date: Date) {
        if !(EARLIEST_YEAR..=LATEST_YEAR).contains(&date.year()) {
            self.push(field, format!("must be a date from {EARLIEST_YEAR} to {LATEST_YEAR}, got {date}"));
        }
    }

    /// Checks that a whole number lies within `min..=max`.
    pub fn range(&mut self, field: &str, value: i64, min: i64, max: i64) {
        if !(min..=max).contains(&value) {
            self.push(field, format!("must be between {min} and {max}, got {value}"));
        }
    }
}

/// First year a time or date may fall in: nothing Hindsight records happened earlier.
pub const EARLIEST_YEAR: i32 = 1970;
/// Last year a time or date may fall in. Bounding times keeps every duration and sum the
/// analyses compute far from overflow.
pub const LATEST_YEAR: i32 = 2199;
/// Largest count of minutes (of lost access, say) accepted: a hundred years.
pub const MAX_MINUTES: i64 = 100 * 366 * 24 * 60;
/// Largest count of people or records accepted (users affected): a trillion.
pub const MAX_COUNT: i64 = 1_000_000_000_000;

/// `Ok` when `at` falls within [`EARLIEST_YEAR`]..=[`LATEST_YEAR`] (in its own offset), else why not.
pub fn time_in_range(at: OffsetDateTime) -> Result<(), String> {
    let year = at.year();
    if (EARLIEST_YEAR..=LATEST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(format!("must be a time from {EARLIEST_YEAR} to {LATEST_YEAR}, got one in the year {year}"))
    }
}

/// What is said of a text holding the NUL character, which PostgreSQL cannot keep in text:
/// it is refused on every database, so both behave alike.
pub const NUL_MESSAGE: &str = "must not contain the NUL character (\\u0000)";

/// The path (`title`, `responders[0].username`; `$` for the value itself) of the first
/// string in `value`, key or value, that holds the NUL character.
pub fn nul_path(value: &serde_json::Value) -> Option<String> {
    fn walk(value: &serde_json::Value, path: &mut String) -> bool {
        match value {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(item, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            serde_json::Value::Object(fields) => fields.iter().any(|(key, item)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                let found = key.contains('\0') || walk(item, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    let mut path = String::new();
    walk(value, &mut path).then(|| if path.is_empty() { "$".to_string() } else { path })
}

/// Largest title, name or short label.
pub const MAX_SHORT: usize = 200;
/// Largest Markdown text of one section or event.
pub const MAX_TEXT: usize = 100_000;

/// Checks a slug: 1-64 of `a-z`, `0-9`, `-`, starting with a letter or digit.
pub fn is_slug(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !value.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_with_its_path() {
        let value = serde_json::json!({"title": "ok", "responders": [{"username": "a"}, {"username": "b\u{0}"}]});
        assert_eq!(nul_path(&value).as_deref(), Some("responders[1].username"));
        assert_eq!(nul_path(&serde_json::json!("\u{0}")).as_deref(), Some("$"));
        assert_eq!(nul_path(&serde_json::json!({"a": ["x"]})), None);
    }
}
