//! The event log and the snapshots beside it.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Row};

use super::error::{AtPath, StoreError, to_i64, to_u64};
use crate::core::{Change, Event};

/// An event with its place in the log. `seq` is strictly increasing and never reused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: u64,
    pub event: Event,
}

/// How many snapshots are kept; older ones are deleted when a new one is stored.
pub const SNAPSHOTS_KEPT: i64 = 3;

/// The business day a row belongs to: the day of the last `DayStarted` (the first
/// ticket's day before any).
pub fn day_after(current: Option<String>, change: &Change) -> Option<String> {
    match change {
        Change::DayStarted { day, .. } => Some(day.to_string()),
        Change::TicketIssued { ticket } if current.is_none() => Some(ticket.day.to_string()),
        _ => current,
    }
}

/// Inserts one event and returns its seq.
pub fn insert(
    conn: &Connection,
    path: &Path,
    event: &Event,
    day: Option<&str>,
) -> Result<u64, StoreError> {
    let body = serde_json::to_string(event)?;
    let ticket = event
        .change
        .ticket()
        .map(|t| to_i64(t.0, "ticket id"))
        .transpose()?;
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO events (at, at_ms, day, kind, ticket, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .at(path)?;
    stmt.execute(rusqlite::params![
        event.at.to_string(),
        event.at.as_millisecond(),
        day,
        event.change.kind(),
        ticket,
        body,
    ])
    .at(path)?;
    to_u64(conn.last_insert_rowid(), "seq")
}

pub fn store_snapshot(
    conn: &Connection,
    path: &Path,
    seq: u64,
    body: &[u8],
) -> Result<(), StoreError> {
    let seq = to_i64(seq, "seq")?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO snapshots (seq, body, created_ms) VALUES (?1, ?2, ?3)",
    )
    .at(path)?
    .execute(rusqlite::params![
        seq,
        body,
        jiff::Timestamp::now().as_millisecond()
    ])
    .at(path)?;
    conn.prepare_cached(
        "DELETE FROM snapshots WHERE seq < \
         (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT 1 OFFSET ?1)",
    )
    .at(path)?
    .execute([SNAPSHOTS_KEPT - 1])
    .at(path)?;
    Ok(())
}

pub fn latest_snapshot(
    conn: &Connection,
    path: &Path,
) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
    let row = conn
        .prepare_cached("SELECT seq, body FROM snapshots ORDER BY seq DESC LIMIT 1")
        .at(path)?
        .query_row([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .optional()
        .at(path)?;
    row.map(|(seq, body)| Ok((to_u64(seq, "seq")?, body)))
        .transpose()
}

pub fn last_seq(conn: &Connection, path: &Path) -> Result<u64, StoreError> {
    let seq: i64 = conn
        .prepare_cached("SELECT coalesce(max(seq), 0) FROM events")
        .at(path)?
        .query_row([], |r| r.get(0))
        .at(path)?;
    to_u64(seq, "seq")
}

/// The day of the newest event, to carry on tagging rows after a restart.
pub fn last_day(conn: &Connection, path: &Path) -> Result<Option<String>, StoreError> {
    conn.prepare_cached("SELECT day FROM events ORDER BY seq DESC LIMIT 1")
        .at(path)?
        .query_row([], |r| r.get::<_, Option<String>>(0))
        .optional()
        .at(path)
        .map(Option::flatten)
}

/// Events with `seq > after`, oldest first; at most `limit` (`None`: all).
pub fn after(
    conn: &Connection,
    path: &Path,
    after: u64,
    limit: Option<usize>,
) -> Result<Vec<StoredEvent>, StoreError> {
    let after = to_i64(after, "seq")?;
    let limit = match limit {
        Some(n) => i64::try_from(n).unwrap_or(i64::MAX),
        None => -1,
    };
    let mut stmt = conn
        .prepare_cached("SELECT seq, body FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2")
        .at(path)?;
    let rows = stmt
        .query_map([after, limit], raw_row)
        .at(path)?
        .collect::<Result<Vec<_>, _>>()
        .at(path)?;
    rows.into_iter()
        .map(|(seq, body)| {
            Ok(StoredEvent {
                seq: to_u64(seq, "seq")?,
                event: serde_json::from_str(&body)?,
            })
        })
        .collect()
}

fn raw_row(row: &Row<'_>) -> rusqlite::Result<(i64, String)> {
    Ok((row.get(0)?, row.get(1)?))
}
