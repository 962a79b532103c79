//! The database file: how a new one is made, how an existing one is recognised, and the
//! schema migrations.
//!
//! A new file is built beside its final name and linked into place only when complete, so
//! a file at the database path is always either a whole hallq database or something hallq
//! must not touch.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::error::{AtPath, StoreError};

/// `PRAGMA application_id` of every hallq database: "halq" in ASCII.
pub const APPLICATION_ID: i32 = 0x6861_6c71;

/// Schema version this binary writes (`PRAGMA user_version`).
pub const CURRENT_VERSION: i64 = 2;

/// Length of the per-database salt used to hash ID numbers.
pub const SALT_LEN: usize = 32;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value ANY NOT NULL
) STRICT;

CREATE TABLE events (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TEXT NOT NULL,
    at_ms  INTEGER NOT NULL,
    day    TEXT,
    kind   TEXT NOT NULL,
    ticket INTEGER,
    body   TEXT NOT NULL
) STRICT;
CREATE INDEX events_day ON events (day, seq);
CREATE INDEX events_ticket ON events (ticket, seq) WHERE ticket IS NOT NULL;

CREATE TABLE snapshots (
    seq        INTEGER PRIMARY KEY,
    body       BLOB NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,
    day             TEXT NOT NULL,
    number          TEXT NOT NULL,
    service         TEXT NOT NULL,
    issued_service  TEXT NOT NULL,
    state           TEXT NOT NULL,
    class           TEXT NOT NULL,
    priority        INTEGER NOT NULL,
    issued_at       TEXT NOT NULL,
    issued_ms       INTEGER NOT NULL,
    first_called_at TEXT,
    called_at       TEXT,
    finished_at     TEXT,
    window          INTEGER,
    staff           TEXT,
    recalls         INTEGER NOT NULL DEFAULT 0,
    no_shows        INTEGER NOT NULL DEFAULT 0,
    transfers       INTEGER NOT NULL DEFAULT 0,
    case_number     TEXT,
    id_hash         TEXT,
    id_last4        TEXT,
    print_state     TEXT,
    reprints        INTEGER NOT NULL DEFAULT 0,
    updated_seq     INTEGER NOT NULL
) STRICT;
-- A number is never issued twice in a business day: the store refuses it too.
CREATE UNIQUE INDEX tickets_day_number ON tickets (day, number);
CREATE INDEX tickets_day_state ON tickets (day, state);
CREATE INDEX tickets_state ON tickets (state, day);
"#,
    r#"
-- 好差评 (schema 2): where each finished ticket stands with its rating.
ALTER TABLE tickets ADD COLUMN rating TEXT;          -- awaiting | rated | unrated
ALTER TABLE tickets ADD COLUMN rating_level INTEGER; -- 1..5 when rated

-- One row per rating; one rating per visit (the ticket is the key).
CREATE TABLE ratings (
    ticket        INTEGER PRIMARY KEY,
    seq           INTEGER NOT NULL,
    day           TEXT NOT NULL,
    number        TEXT NOT NULL,
    service       TEXT NOT NULL,
    window        INTEGER NOT NULL,
    staff         TEXT,
    case_number   TEXT,
    channel       TEXT NOT NULL,
    at            TEXT NOT NULL,
    at_ms         INTEGER NOT NULL,
    level         INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    reasons       TEXT NOT NULL,  -- JSON array of efficiency | competence | attitude
    comment       TEXT,
    rater_id_hash TEXT            -- the ticket's ID hash; never shown to staff
) STRICT;
CREATE INDEX ratings_at ON ratings (at_ms);
CREATE INDEX ratings_day ON ratings (day, window);

-- Follow-up work orders of 差评 (level 1 or 2).
CREATE TABLE followups (
    id              INTEGER PRIMARY KEY,
    ticket          INTEGER NOT NULL,
    day             TEXT NOT NULL,
    number          TEXT NOT NULL,
    service         TEXT NOT NULL,
    window          INTEGER NOT NULL,
    staff           TEXT,
    level           INTEGER NOT NULL,
    state           TEXT NOT NULL,  -- open | called_back | rectified | follow_up_rated | closed
    opened_at       TEXT NOT NULL,
    opened_ms       INTEGER NOT NULL,
    callback_due_ms INTEGER NOT NULL,
    rectify_due_ms  INTEGER NOT NULL,
    called_back_ms  INTEGER,
    rectified_ms    INTEGER,
    follow_up_level INTEGER,
    closed_ms       INTEGER,
    notes           TEXT NOT NULL DEFAULT '[]',  -- JSON [{at, by, state, note}]
    updated_seq     INTEGER NOT NULL
) STRICT;
CREATE INDEX followups_state ON followups (state, opened_ms);

-- Records for the provincial platform, written in the transaction that records them.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    seq             INTEGER NOT NULL,          -- the event carried
    kind            TEXT NOT NULL,             -- rating | follow_up
    key             TEXT NOT NULL UNIQUE,      -- idempotency key, unique across databases
    body            TEXT NOT NULL,             -- JSON UploadRecord
    created_ms      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    delivered_ms    INTEGER
) STRICT;
CREATE INDEX outbox_pending ON outbox (next_attempt_ms, id) WHERE delivered_ms IS NULL;
"#,
];

/// Tables every hallq database has; a file without them is not ours.
const REQUIRED_TABLES: &[&str] = &[
    "meta",
    "events",
    "snapshots",
    "tickets",
    "ratings",
    "followups",
    "outbox",
];

/// Checks the first 100 bytes of an existing file without letting SQLite touch it.
pub fn check_header(path: &Path) -> Result<(), StoreError> {
    let mut file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut header = Vec::with_capacity(100);
    (&mut file)
        .take(100)
        .read_to_end(&mut header)
        .map_err(|e| StoreError::io(path, e))?;
    if header.is_empty() {
        return Err(StoreError::corrupt(path, "the file is empty"));
    }
    if header.len() < 100 || !header.starts_with(SQLITE_MAGIC) {
        return Err(StoreError::corrupt(path, "not an SQLite database file"));
    }
    let id = i32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    if id != APPLICATION_ID {
        return Err(StoreError::corrupt(
            path,
            format!("an SQLite database of another application (application_id {id:#x})"),
        ));
    }
    Ok(())
}

/// Runs `PRAGMA quick_check`; anything but "ok" means the file is damaged.
pub fn quick_check(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("PRAGMA quick_check(5)").at(path)?;
    let lines = stmt
        .query_map([], |row| row.get::<_, String>(0))
        .at(path)?
        .collect::<Result<Vec<_>, _>>()
        .at(path)?;
    match lines.as_slice() {
        [only] if only == "ok" => Ok(()),
        _ => Err(StoreError::corrupt(
            path,
            format!("integrity check failed: {}", lines.join("; ")),
        )),
    }
}

/// Creates a complete new database at `path`, which must not exist (the caller holds the
/// writer lock). Built under a temporary name and linked into place.
pub fn create_new(path: &Path) -> Result<(), StoreError> {
    let tmp = temp_name(path);
    let result = build(&tmp).and_then(|()| link_into_place(&tmp, path));
    // The temporary name is gone after a successful link; after a failure, clean it up.
    let _ = std::fs::remove_file(&tmp);
    let _ = std::fs::remove_file(journal_name(&tmp));
    result
}

fn build(tmp: &Path) -> Result<(), StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(tmp, flags).at(tmp)?;
    conn.pragma_update(None, "synchronous", "FULL").at(tmp)?;
    migrate(&mut conn, tmp, true)?;
    // Switching to WAL writes the mode into the header of the main file; the WAL is empty
    // and removed on close, so the file is complete on its own.
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .at(tmp)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::corrupt(
            tmp,
            format!("cannot enable WAL (got {mode})"),
        ));
    }
    conn.close()
        .map_err(|(_, e)| StoreError::classify(tmp, e))?;
    File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::io(tmp, e))
}

fn link_into_place(tmp: &Path, path: &Path) -> Result<(), StoreError> {
    match std::fs::hard_link(tmp, path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(StoreError::io(path, e));
        }
        // File systems without hard links: we hold the writer lock and checked that the
        // path did not exist, so a rename is safe.
        Err(_) => std::fs::rename(tmp, path).map_err(|e| StoreError::io(path, e))?,
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| StoreError::io(dir, e))?;
    }
    Ok(())
}

fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tag: u32 = rand::random();
    path.with_file_name(format!(".{name}.creating-{}-{tag:08x}", std::process::id()))
}

fn journal_name(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

/// Brings the schema to [`CURRENT_VERSION`] in one transaction. `new` is true only for a
/// file hallq is creating; an existing file at version 0 is not a hallq database.
pub fn migrate(conn: &mut Connection, path: &Path, new: bool) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .at(path)?;
    let version: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .at(path)?;
    if version > CURRENT_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            version,
        });
    }
    if version == 0 && !new {
        return Err(StoreError::corrupt(path, "it has no hallq schema"));
    }
    if version < CURRENT_VERSION {
        tracing::info!(path = %path.display(), from = version, to = CURRENT_VERSION, "migrating database schema");
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(usize_of(version)) {
        tx.execute_batch(sql).at(path)?;
        if index == 0 {
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .at(path)?;
            let salt: [u8; SALT_LEN] = rand::random();
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('salt', ?1), ('created_ms', ?2), ('created_by', ?3)",
                rusqlite::params![
                    &salt[..],
                    jiff::Timestamp::now().as_millisecond(),
                    concat!("hallq ", env!("CARGO_PKG_VERSION")),
                ],
            )
            .at(path)?;
        }
    }
    if version < CURRENT_VERSION {
        tx.pragma_update(None, "user_version", CURRENT_VERSION)
            .at(path)?;
    }
    tx.commit().at(path)
}

fn usize_of(version: i64) -> usize {
    usize::try_from(version).unwrap_or(0)
}

/// Reads the schema version of an existing file, refusing files without a hallq schema
/// and files newer than this binary. Writes nothing.
pub fn existing_version(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .at(path)?;
    match version {
        v if v > CURRENT_VERSION => Err(StoreError::TooNew {
            path: path.to_path_buf(),
            version: v,
        }),
        v if v <= 0 => Err(StoreError::corrupt(path, "it has no hallq schema")),
        v => Ok(v),
    }
}

/// Checks the schema version for a connection that may not migrate (a reader).
pub fn check_version(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    match existing_version(conn, path)? {
        CURRENT_VERSION => Ok(()),
        version => Err(StoreError::TooOld {
            path: path.to_path_buf(),
            version,
        }),
    }
}

/// Confirms the tables are there and reads the salt.
pub fn validate(conn: &Connection, path: &Path) -> Result<Vec<u8>, StoreError> {
    for table in REQUIRED_TABLES {
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .at(path)?;
        if found != 1 {
            return Err(StoreError::corrupt(
                path,
                format!("table {table} is missing"),
            ));
        }
    }
    let salt: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM meta WHERE key = 'salt'", [], |r| {
            r.get(0)
        })
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .at(path)?;
    match salt {
        Some(salt) if salt.len() == SALT_LEN => Ok(salt),
        _ => Err(StoreError::corrupt(path, "the ID-number salt is missing")),
    }
}
