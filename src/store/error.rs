//! What can go wrong with the database file, in words a hall technician can act on.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file is damaged or is not a hallq database. hallq never overwrites it.
    #[error(
        "database file {} is damaged or not a hallq database: {detail}. Move it aside and restore a backup; hallq will not overwrite it.",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },

    /// The disk (or the database's configured maximum size) is full.
    #[error(
        "database file {} cannot grow: the disk is full. Free some space; nothing of the failed change was written.",
        path.display()
    )]
    Full { path: PathBuf },

    #[error(
        "database file {} is read-only (file permissions or a read-only file system); nothing was written.",
        path.display()
    )]
    ReadOnly { path: PathBuf },

    /// Another hallq process (or another `Store` in this one) writes to this file.
    #[error(
        "database file {} is in use by another hallq process; stop it first (only one hall server may write to a database).",
        path.display()
    )]
    Locked { path: PathBuf },

    #[error(
        "database file {} has schema version {version}, newer than this hallq understands ({}); upgrade hallq.",
        path.display(),
        super::schema::CURRENT_VERSION
    )]
    TooNew { path: PathBuf, version: i64 },

    /// A reader found a schema the writer has not migrated yet.
    #[error(
        "database file {} has schema version {version}, older than this hallq ({}); start the hall server once to upgrade it.",
        path.display(),
        super::schema::CURRENT_VERSION
    )]
    TooOld { path: PathBuf, version: i64 },

    #[error("database file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("stored event is not valid JSON for this hallq: {0}")]
    Json(#[from] serde_json::Error),

    /// A number does not fit SQLite's signed 64-bit integers.
    #[error("value out of range for the database: {what}")]
    OutOfRange { what: &'static str },
}

impl StoreError {
    /// A stable machine-readable code for API errors and health reports.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Corrupt { .. } => "storage_corrupt",
            Self::Full { .. } => "storage_full",
            Self::ReadOnly { .. } => "storage_read_only",
            Self::Locked { .. } => "storage_locked",
            Self::TooNew { .. } => "storage_too_new",
            Self::TooOld { .. } => "storage_too_old",
            Self::Io { .. } => "storage_unavailable",
            Self::Sqlite(_) | Self::Json(_) | Self::OutOfRange { .. } => "storage_error",
        }
    }

    /// Turns an SQLite error into the variant the hall technician can act on.
    pub(crate) fn classify(path: &Path, err: rusqlite::Error) -> StoreError {
        let code = match &err {
            rusqlite::Error::SqliteFailure(e, _) => e.code,
            _ => return StoreError::Sqlite(err),
        };
        let path = path.to_path_buf();
        match code {
            ErrorCode::DiskFull => StoreError::Full { path },
            ErrorCode::ReadOnly => StoreError::ReadOnly { path },
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Locked { path },
            ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => StoreError::Corrupt {
                path,
                detail: err.to_string(),
            },
            _ => StoreError::Sqlite(err),
        }
    }

    pub(crate) fn io(path: &Path, source: std::io::Error) -> StoreError {
        match source.kind() {
            std::io::ErrorKind::StorageFull => StoreError::Full {
                path: path.to_path_buf(),
            },
            std::io::ErrorKind::ReadOnlyFilesystem => StoreError::ReadOnly {
                path: path.to_path_buf(),
            },
            _ => StoreError::Io {
                path: path.to_path_buf(),
                source,
            },
        }
    }

    pub(crate) fn corrupt(path: &Path, detail: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: detail.into(),
        }
    }
}

/// Adds the database path to SQLite errors.
pub(crate) trait AtPath<T> {
    fn at(self, path: &Path) -> Result<T, StoreError>;
}

impl<T> AtPath<T> for Result<T, rusqlite::Error> {
    fn at(self, path: &Path) -> Result<T, StoreError> {
        self.map_err(|e| StoreError::classify(path, e))
    }
}

pub(crate) fn to_i64(value: u64, what: &'static str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::OutOfRange { what })
}

pub(crate) fn to_u64(value: i64, what: &'static str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::OutOfRange { what })
}
