//! Why a use case did not happen.

use hindsight_core::ValidationErrors;
use hindsight_store::StoreError;

/// Why a use case refused or failed; each adapter (API, pages, command line) says it in its
/// own way. The source is kept, so a failure is logged once with its cause.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// What the store said: not found, invalid, a conflict, or a database failure.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The actor may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The request is not acceptable as it stands; every field at fault is named.
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// Something outside the store failed (a hashing task that did not finish); the words
    /// are for the log, not for the person who asked.
    #[error("{0}")]
    Internal(String),
}
