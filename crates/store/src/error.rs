//! One error type for the crate, split into the caller's mistakes and internal failures.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    // The caller's fault: shown to the user.
    #[error("unknown asset {0:?}: a dependency names it but it is neither in the batch nor stored")]
    UnknownAsset(String),
    #[error("asset {0:?} appears more than once in the batch")]
    DuplicateAsset(String),
    #[error("dependency {0:?} -> {1:?} appears more than once in the batch")]
    DuplicateDependency(String, String),
    #[error("the atlas is not empty; a bulk load needs an empty atlas")]
    NotEmpty,
    #[error("bad database URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("invalid CVD case: {0}")]
    InvalidCvdCase(String),
    #[error("unknown CVD case {0:?}")]
    UnknownCvdCase(String),
    #[error("CVD case {id} is {from}: it cannot move back or stay at {to}")]
    CvdTransition {
        id: String,
        from: &'static str,
        to: &'static str,
    },
    #[error("CVD case {0} is not published: only a published advisory is revised")]
    CvdNotPublished(String),
    #[error("unknown partner {0:?}")]
    UnknownPartner(String),
    #[error("unknown user {0:?}")]
    UnknownUser(String),
    #[error("unknown collection {0:?}")]
    UnknownCollection(String),
    #[error("{0}")]
    InvalidRecord(String),
    #[error("unknown notification {0:?}")]
    UnknownNotification(String),
    #[error("notification {id} is {from}: it cannot move to {to}")]
    NotificationTransition {
        id: String,
        from: String,
        to: String,
    },

    // Internal: logged, never shown verbatim.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Postgres(#[from] postgres::Error),
    #[error("reading a PostgreSQL copy stream: {0}")]
    Io(#[from] std::io::Error),
    #[error("migration {version} ({name}): {message}")]
    Migration {
        version: i64,
        name: String,
        message: String,
    },
    #[error("unreadable stored {table} row: {message}")]
    Corrupt {
        table: &'static str,
        message: String,
    },
}

impl StoreError {
    /// True for errors the caller can fix by changing the input; false for internal failures.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            StoreError::UnknownAsset(_)
                | StoreError::DuplicateAsset(_)
                | StoreError::DuplicateDependency(..)
                | StoreError::NotEmpty
                | StoreError::BadUrl { .. }
                | StoreError::InvalidCvdCase(_)
                | StoreError::UnknownCvdCase(_)
                | StoreError::CvdTransition { .. }
                | StoreError::CvdNotPublished(_)
                | StoreError::UnknownPartner(_)
                | StoreError::UnknownUser(_)
                | StoreError::UnknownCollection(_)
                | StoreError::InvalidRecord(_)
                | StoreError::UnknownNotification(_)
                | StoreError::NotificationTransition { .. }
        )
    }

    pub(crate) fn corrupt(table: &'static str, message: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            table,
            message: message.into(),
        }
    }
}
