//! What can go wrong in the store, in terms a handler can answer with.

use hindsight_core::ValidationErrors;

/// A store operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist, or the viewer may not see it.
    #[error("{0} not found")]
    NotFound(String),
    /// The change was based on an old version; `current` is the state now.
    #[error("{what} has changed since version {based_on}; it is now at version {current_version}")]
    Conflict { what: String, based_on: i64, current_version: i64, current: Box<serde_json::Value> },
    /// A unique name is already taken.
    #[error("{field} {value:?} is already taken")]
    Duplicate { field: String, value: String },
    /// The input broke a rule of the domain.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// The database URL could not be understood.
    #[error("bad database URL {0}")]
    BadUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// A [`StoreError::Duplicate`] when `err` is a unique-constraint violation, else the error as is.
    pub(crate) fn unique(err: sqlx::Error, field: &str, value: &str) -> StoreError {
        if let sqlx::Error::Database(db) = &err
            && db.is_unique_violation()
        {
            return StoreError::Duplicate { field: field.to_string(), value: value.to_string() };
        }
        StoreError::Database(err)
    }

    pub(crate) fn conflict<T: serde::Serialize>(
        what: String,
        based_on: i64,
        current: &T,
        current_version: i64,
    ) -> StoreError {
        StoreError::Conflict {
            what,
            based_on,
            current_version,
            current: Box::new(serde_json::to_value(current).unwrap_or(serde_json::Value::Null)),
        }
    }
}

/// Reads a stored word back into its enum, or reports the corruption.
pub(crate) fn word<T: std::str::FromStr>(value: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    value.parse::<T>().map_err(|e| StoreError::Corrupt(e.to_string()))
}
