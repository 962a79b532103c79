//! The durable store: an SQLite event log with snapshots and a tickets projection.
//!
//! The hall runtime runs a batch of commands through the engine and hands the resulting
//! events to [`Store::append`] once per batch (group commit); it answers clients and drives
//! devices only after `append` returned `Ok`. On start it calls [`Store::load`] and replays.
//!
//! Guarantees:
//! - WAL with `synchronous=FULL`: a committed batch survives power loss.
//! - One transaction per batch: events, projection and snapshot are all written or none.
//! - A file that is damaged, foreign or unreadable is refused with [`StoreError::Corrupt`]
//!   (or [`StoreError::Io`]) and never recreated, truncated or written.
//! - One writer per file: a second [`Store::open`] fails at once with
//!   [`StoreError::Locked`] while the first is alive (readers use
//!   [`Store::open_read_only`] and are not limited).

mod error;
mod events;
mod lock;
pub mod outbox;
mod projection;
mod purge;
mod ratings;
pub mod records;
mod schema;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use error::StoreError;
pub use events::{SNAPSHOTS_KEPT, StoredEvent};
pub use projection::{TicketFilter, TicketRow};
pub use ratings::{FollowUpFilter, FollowUpNote, FollowUpRow, RatingRow};
pub use schema::{APPLICATION_ID, CURRENT_VERSION};

use crate::core::Event;
use error::{AtPath, to_i64};
use lock::WriterLock;

/// How long a statement waits for SQLite's own locks (a checkpoint, a reader starting)
/// before failing with [`StoreError::Locked`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What [`Store::load`] returns for replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovered {
    /// The newest snapshot and the seq of the last event it covers.
    pub snapshot: Option<(u64, Vec<u8>)>,
    /// Every event after the snapshot (all events without one), oldest first.
    pub events: Vec<StoredEvent>,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    salt: Vec<u8>,
    /// Prefix of the outbox's idempotency keys, derived from the salt (unique per database).
    key_tag: String,
    /// Business day of the newest event row (see [`events::day_after`]).
    day: Option<String>,
    /// Held by writers for the life of the store.
    _lock: Option<WriterLock>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("writer", &self._lock.is_some())
            .finish_non_exhaustive()
    }
}

/// 12 hex digits of SHA-256 over the salt: stable for a database, different for every new one.
fn key_tag(salt: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(salt);
    hex::encode(&digest[..6])
}

impl Store {
    /// Opens the hall database for writing, creating it only if no file exists at `path`.
    /// Fails with [`StoreError::Locked`] if another writer has it open.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let lock = WriterLock::acquire(path)?;
        let exists = path.try_exists().map_err(|e| StoreError::io(path, e))?;
        if !exists {
            tracing::info!(path = %path.display(), "creating a new hall database");
            schema::create_new(path)?;
        }
        schema::check_header(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).at(path)?;
        conn.busy_timeout(BUSY_TIMEOUT).at(path)?;
        // Nothing is written before the file is known to be whole and ours.
        schema::quick_check(&conn, path)?;
        if schema::existing_version(&conn, path)? == CURRENT_VERSION {
            schema::validate(&conn, path)?;
        }
        if conn.is_readonly("main").at(path)? {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .at(path)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::corrupt(
                path,
                format!("cannot use write-ahead logging (journal mode {mode})"),
            ));
        }
        conn.pragma_update(None, "synchronous", "FULL").at(path)?;
        conn.pragma_update(None, "foreign_keys", true).at(path)?;
        // Erased personal data must not linger in free space (see purge_personal_data).
        conn.pragma_update(None, "secure_delete", true).at(path)?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024_i64)
            .at(path)?;
        schema::migrate(&mut conn, path, false)?;
        Self::finish(conn, path, Some(lock))
    }

    /// Opens an existing hall database for reading only (event stream backlog, reports),
    /// e.g. on another thread. Never creates, migrates or writes.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        schema::check_header(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).at(path)?;
        conn.busy_timeout(BUSY_TIMEOUT).at(path)?;
        conn.pragma_update(None, "query_only", true).at(path)?;
        schema::check_version(&conn, path)?;
        Self::finish(conn, path, None)
    }

    fn finish(
        conn: Connection,
        path: &Path,
        lock: Option<WriterLock>,
    ) -> Result<Store, StoreError> {
        conn.set_prepared_statement_cache_capacity(64);
        let salt = schema::validate(&conn, path)?;
        let day = events::last_day(&conn, path)?;
        let key_tag = key_tag(&salt);
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            key_tag,
            salt,
            day,
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// 32 random bytes made with the database, for hashing ID numbers.
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// The newest snapshot and the events after it, for replay on start.
    pub fn load(&self) -> Result<Recovered, StoreError> {
        let snapshot = events::latest_snapshot(&self.conn, &self.path)?;
        let after = snapshot.as_ref().map_or(0, |(seq, _)| *seq);
        let events = events::after(&self.conn, &self.path, after, None)?;
        Ok(Recovered { snapshot, events })
    }

    /// Stores a batch of events (and optionally a snapshot covering the last of them) in
    /// one transaction, updating the tickets projection. Returns the events' seqs. On any
    /// error nothing of the batch is stored.
    pub fn append(
        &mut self,
        events: &[Event],
        snapshot: Option<&[u8]>,
    ) -> Result<Vec<u64>, StoreError> {
        let path = self.path.as_path();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .at(path)?;
        let mut day = self.day.clone();
        let mut seqs = Vec::with_capacity(events.len());
        for event in events {
            day = events::day_after(day, &event.change);
            let seq = events::insert(&tx, path, event, day.as_deref())?;
            projection::apply(&tx, path, seq, event, &self.key_tag)?;
            seqs.push(seq);
        }
        if let Some(body) = snapshot {
            let covers = match seqs.last() {
                Some(seq) => *seq,
                None => events::last_seq(&tx, path)?,
            };
            events::store_snapshot(&tx, path, covers, body)?;
        }
        tx.commit().at(path)?;
        self.day = day;
        Ok(seqs)
    }

    /// The seq of the newest event (0 when there is none).
    pub fn last_seq(&self) -> Result<u64, StoreError> {
        events::last_seq(&self.conn, &self.path)
    }

    /// Up to `limit` events with `seq > after`, oldest first (the event stream's resume).
    pub fn events_after(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        events::after(&self.conn, &self.path, after, Some(limit))
    }

    /// Ratings given on business days `from..=to` (no rater identity).
    pub fn ratings(
        &self,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> Result<Vec<RatingRow>, StoreError> {
        ratings::ratings(&self.conn, &self.path, from, to)
    }

    /// Follow-up work orders, closed ones included unless filtered.
    pub fn followups(&self, filter: &FollowUpFilter) -> Result<Vec<FollowUpRow>, StoreError> {
        ratings::followups(&self.conn, &self.path, filter)
    }

    pub fn followup(&self, id: u64) -> Result<Option<FollowUpRow>, StoreError> {
        ratings::followup_by_id(&self.conn, &self.path, to_i64(id, "follow-up id")?)
    }

    /// Ratings per level (index 0 = level 1) given to one staff member on one day.
    pub fn staff_levels(
        &self,
        staff: &str,
        day: jiff::civil::Date,
    ) -> Result<[u32; 5], StoreError> {
        ratings::staff_levels(&self.conn, &self.path, staff, day)
    }

    /// The prefix of this database's outbox keys.
    pub fn key_tag(&self) -> &str {
        &self.key_tag
    }

    /// Tickets from the projection, oldest issue first.
    pub fn tickets(&self, filter: &TicketFilter) -> Result<Vec<TicketRow>, StoreError> {
        projection::query(&self.conn, &self.path, filter)
    }

    /// Erases ID-number hashes and last four digits of tickets of business days before
    /// `before_day`, from the projection, the stored events and the snapshots (the writer
    /// runs with `secure_delete`, and the WAL is checkpointed, so no old copy remains in
    /// the files). Returns how many tickets were changed.
    pub fn purge_personal_data(
        &mut self,
        before_day: jiff::civil::Date,
    ) -> Result<usize, StoreError> {
        let path = self.path.as_path();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .at(path)?;
        let changed = purge::purge(&tx, path, before_day)?;
        tx.commit().at(path)?;
        // Old page images stay in the WAL until it is checkpointed: do it now. A reader in
        // the middle of a read can hold it up; the next automatic checkpoint finishes it.
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
            .at(path)?;
        if busy != 0 {
            tracing::warn!(path = %path.display(), "checkpoint after purge postponed by a reader");
        }
        Ok(changed)
    }

    /// Checks the database structure (`PRAGMA quick_check`), for the health report.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        schema::quick_check(&self.conn, &self.path)
    }

    /// Test hook: caps the database size in pages to simulate a full disk. SQLite never
    /// sets it below the current size; returns the cap in effect.
    #[doc(hidden)]
    pub fn set_max_page_count(&self, pages: u64) -> Result<u64, StoreError> {
        let pages = to_i64(pages, "page count")?;
        let set: i64 = self
            .conn
            .pragma_update_and_check(None, "max_page_count", pages, |r| r.get(0))
            .at(&self.path)?;
        error::to_u64(set, "page count")
    }
}
