//! The uploader's view of the outbox: records for the provincial platform that the
//! projection wrote in the same transaction as their events.
//!
//! [`Outbox`] has its own SQLite connection to the hall database and touches only the
//! `outbox` table. The hall thread is the other writer; SQLite serialises the two (both wait
//! up to [`BUSY_TIMEOUT`] for each other). It never creates or migrates a database: the hall
//! server must have opened it first.
//!
//! A row is pending until [`Outbox::delivered`] stamps `delivered_ms`; it is never deleted
//! here, so a delivered row is also the hall's proof of delivery. Every change is durable
//! (`synchronous=FULL`) before the call returns.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use super::error::{AtPath, StoreError, to_u64};
use super::records::{OutboxItem, UploadRecord};
use super::{BUSY_TIMEOUT, schema};

/// Longest wait [`Outbox::due`] honours: a failed record whose next attempt lies further
/// ahead was put off by a clock that has since been set back, and is due now.
pub const MAX_WAIT_MS: i64 = 24 * 3600 * 1000;

/// How long an outbox row whose body this hallq cannot read waits before it is read again
/// (a newer hallq may understand it; meanwhile it shows as failing in the backlog).
const UNREADABLE_RETRY_MS: i64 = 3600 * 1000;

/// Longest error text kept in `outbox.last_error`.
const ERROR_CHARS: usize = 300;

/// What waits to be delivered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Records not delivered yet.
    pub pending: u64,
    /// When the oldest of them was recorded (ms since the epoch).
    pub oldest_created_ms: Option<i64>,
    /// Pending records that have failed at least once.
    pub failing: u64,
}

impl Backlog {
    /// Age of the oldest pending record at `now_ms`.
    pub fn oldest_age_ms(&self, now_ms: i64) -> Option<i64> {
        self.oldest_created_ms
            .map(|c| now_ms.saturating_sub(c).max(0))
    }
}

pub struct Outbox {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Outbox {
    /// Opens the existing hall database at `path` for the uploader. Refuses a missing,
    /// foreign or damaged file and a schema other than this binary's.
    pub fn open(path: &Path) -> Result<Outbox, StoreError> {
        schema::check_header(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).at(path)?;
        conn.busy_timeout(BUSY_TIMEOUT).at(path)?;
        conn.pragma_update(None, "synchronous", "FULL").at(path)?;
        schema::check_version(&conn, path)?;
        schema::validate(&conn, path)?;
        conn.set_prepared_statement_cache_capacity(16);
        Ok(Outbox {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Up to `limit` undelivered records due at `now_ms`, oldest first: never tried yet
    /// (whatever their time says: the hall's clock may have been ahead), or failed with the
    /// next attempt at or before `now_ms` (or more than [`MAX_WAIT_MS`] after it, which
    /// only a clock set back can cause). A row whose body cannot be read is left pending,
    /// marked failed and put off for an hour (logged and counted as failing, never
    /// dropped).
    pub fn due(&mut self, now_ms: i64, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        let path = self.path.as_path();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT id, key, body, attempts, created_ms FROM outbox \
                     WHERE delivered_ms IS NULL \
                     AND (attempts = 0 OR next_attempt_ms <= ?1 OR next_attempt_ms > ?1 + ?3) \
                     ORDER BY id LIMIT ?2",
                )
                .at(path)?;
            stmt.query_map(rusqlite::params![now_ms, limit, MAX_WAIT_MS], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, i64>(3)?,
                    row.get::<_, i64>(4)?,
                ))
            })
            .at(path)?
            .collect::<Result<Vec<_>, _>>()
            .at(path)?
        };
        let mut items = Vec::with_capacity(rows.len());
        let mut unreadable = Vec::new();
        for (id, key, body, attempts, created_ms) in rows {
            match serde_json::from_str::<UploadRecord>(&body) {
                Ok(record) => items.push(OutboxItem {
                    id,
                    key,
                    record,
                    attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                    created_ms,
                }),
                Err(e) => {
                    tracing::warn!(outbox_id = id, error = %e, "outbox record is not readable by this hallq; kept and retried in an hour");
                    unreadable.push((id, now_ms.saturating_add(UNREADABLE_RETRY_MS)));
                }
            }
        }
        if !unreadable.is_empty() {
            self.failed_all(&unreadable, "record body not readable by this hallq")?;
        }
        Ok(items)
    }

    /// Marks records as delivered at `now_ms` in one transaction. Records already delivered
    /// keep their first delivery time. Returns how many rows changed.
    pub fn delivered(&mut self, ids: &[i64], now_ms: i64) -> Result<usize, StoreError> {
        let path = self.path.as_path();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .at(path)?;
        let mut changed = 0;
        {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE outbox SET delivered_ms = ?2, last_error = NULL \
                     WHERE id = ?1 AND delivered_ms IS NULL",
                )
                .at(path)?;
            for id in ids {
                changed += stmt.execute(rusqlite::params![id, now_ms]).at(path)?;
            }
        }
        tx.commit().at(path)?;
        Ok(changed)
    }

    /// Deletes the records delivered before `before_ms` (their retention is over); records
    /// not yet delivered are never touched. Returns how many went.
    pub fn prune_delivered(&mut self, before_ms: i64) -> Result<usize, StoreError> {
        let path = self.path.as_path();
        self.conn
            .execute(
                "DELETE FROM outbox WHERE delivered_ms IS NOT NULL AND delivered_ms < ?1",
                [before_ms],
            )
            .at(path)
    }

    /// Records a failed attempt: one more attempt, the next one not before
    /// `next_attempt_ms`, and the error (short English text, no personal data).
    pub fn failed(&mut self, id: i64, next_attempt_ms: i64, error: &str) -> Result<(), StoreError> {
        self.failed_all(&[(id, next_attempt_ms)], error)
    }

    /// [`Outbox::failed`] for many records (`(id, next_attempt_ms)`) in one transaction.
    pub fn failed_all(&mut self, items: &[(i64, i64)], error: &str) -> Result<(), StoreError> {
        let path = self.path.as_path();
        let error: String = error.chars().take(ERROR_CHARS).collect();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .at(path)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE outbox SET attempts = attempts + 1, next_attempt_ms = ?2, last_error = ?3 \
                     WHERE id = ?1 AND delivered_ms IS NULL",
                )
                .at(path)?;
            for (id, next) in items {
                stmt.execute(rusqlite::params![id, next, error]).at(path)?;
            }
        }
        tx.commit().at(path)
    }

    /// The backlog gauge.
    pub fn backlog(&self) -> Result<Backlog, StoreError> {
        let path = self.path.as_path();
        let (pending, oldest, failing) = self
            .conn
            .prepare_cached(
                "SELECT count(*), min(created_ms), count(*) FILTER (WHERE attempts > 0) \
                 FROM outbox WHERE delivered_ms IS NULL",
            )
            .at(path)?
            .query_row([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, Option<i64>>(1)?,
                    row.get::<_, i64>(2)?,
                ))
            })
            .at(path)?;
        Ok(Backlog {
            pending: to_u64(pending, "outbox count")?,
            oldest_created_ms: oldest,
            failing: to_u64(failing, "outbox count")?,
        })
    }

    /// The error of the most recently failed pending record, if any.
    pub fn last_error(&self) -> Result<Option<String>, StoreError> {
        let path = self.path.as_path();
        self.conn
            .prepare_cached(
                "SELECT last_error FROM outbox WHERE delivered_ms IS NULL AND last_error IS NOT NULL \
                 ORDER BY next_attempt_ms DESC LIMIT 1",
            )
            .at(path)?
            .query_row([], |row| row.get::<_, String>(0))
            .optional()
            .at(path)
    }
}
