//! One writer per database file.
//!
//! The engine keeps the queue in memory, so two hall servers writing the same file would
//! hand out the same numbers. A writer takes an exclusive advisory lock on `<db>-lock`
//! (beside the database, never inside it, so SQLite's own locks are untouched) and keeps it
//! until the `Store` is dropped; the OS releases it if the process dies. A second writer
//! gets [`StoreError::Locked`] at once instead of waiting. Readers take no lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::error::StoreError;

#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-lock");
    PathBuf::from(name)
}

impl WriterLock {
    pub fn acquire(db: &Path) -> Result<WriterLock, StoreError> {
        let path = lock_path(db);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| StoreError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(WriterLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(StoreError::Locked {
                path: db.to_path_buf(),
            }),
            Err(TryLockError::Error(e)) => Err(StoreError::io(&path, e)),
        }
    }
}
