//! The thin SQL side: reads the rows of a period from the store, read-only, in one read
//! transaction (so `hallq serve` can keep writing meanwhile).

use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OpenFlags, Row};

use super::ReportError;
use super::model::{Facts, FollowUpFact, RatingFact, TicketFact};
use crate::core::{FollowUpState, RatingLevel};
use crate::store::Store;

/// Opens the hall database read-only after checking it is a hallq database of this version.
/// Never creates, migrates or writes it.
pub fn open(path: &Path) -> Result<Connection, ReportError> {
    // The store's own read-only open checks header, schema version and tables.
    drop(Store::open_read_only(path)?);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// Every ticket, rating and follow-up of business days `from..=to`.
pub fn facts(conn: &Connection, from: Date, to: Date) -> Result<Facts, ReportError> {
    let tx = conn.unchecked_transaction()?;
    let (from, to) = (from.to_string(), to.to_string());
    let tickets = rows(
        &tx,
        "SELECT id, day, issued_service, service, state, issued_at, first_called_at, called_at, \
         finished_at, window, staff, transfers FROM tickets WHERE day BETWEEN ?1 AND ?2 \
         ORDER BY id",
        &from,
        &to,
        ticket,
    )?;
    let ratings = rows(
        &tx,
        "SELECT ticket, day, service, window, staff, level FROM ratings \
         WHERE day BETWEEN ?1 AND ?2 ORDER BY ticket",
        &from,
        &to,
        rating,
    )?;
    let followups = rows(
        &tx,
        "SELECT id, ticket, day, service, window, staff, level, state, opened_ms, \
         callback_due_ms, rectify_due_ms FROM followups WHERE day BETWEEN ?1 AND ?2 ORDER BY id",
        &from,
        &to,
        followup,
    )?;
    tx.finish()?;
    Ok(Facts {
        tickets,
        ratings,
        followups,
    })
}

type Parse<T> = fn(&Row<'_>) -> Result<T, ReportError>;

fn rows<T>(
    conn: &Connection,
    sql: &str,
    from: &str,
    to: &str,
    parse: Parse<T>,
) -> Result<Vec<T>, ReportError> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([from, to])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(parse(row)?);
    }
    Ok(out)
}

fn ticket(r: &Row<'_>) -> Result<TicketFact, ReportError> {
    let state: String = r.get(4)?;
    let finished = state == "finished";
    Ok(TicketFact {
        id: unsigned(r.get(0)?)?,
        day: date(&r.get::<_, String>(1)?)?,
        issued_service: r.get(2)?,
        service: r.get(3)?,
        issued_at: time(&r.get::<_, String>(5)?)?,
        first_called_at: r
            .get::<_, Option<String>>(6)?
            .as_deref()
            .map(time)
            .transpose()?,
        called_at: r
            .get::<_, Option<String>>(7)?
            .as_deref()
            .map(time)
            .transpose()?,
        finished_at: match r.get::<_, Option<String>>(8)? {
            Some(t) if finished => Some(time(&t)?),
            _ => None,
        },
        window: r.get(9)?,
        staff: r.get(10)?,
        missed: state == "missed",
        transfers: r.get(11)?,
    })
}

fn rating(r: &Row<'_>) -> Result<RatingFact, ReportError> {
    Ok(RatingFact {
        ticket: unsigned(r.get(0)?)?,
        day: date(&r.get::<_, String>(1)?)?,
        service: r.get(2)?,
        window: r.get(3)?,
        staff: r.get(4)?,
        level: level(r.get(5)?)?,
    })
}

fn followup(r: &Row<'_>) -> Result<FollowUpFact, ReportError> {
    let state: String = r.get(7)?;
    Ok(FollowUpFact {
        id: unsigned(r.get(0)?)?,
        ticket: unsigned(r.get(1)?)?,
        day: date(&r.get::<_, String>(2)?)?,
        service: r.get(3)?,
        window: r.get(4)?,
        staff: r.get(5)?,
        level: level(r.get(6)?)?,
        state: FollowUpState::parse(&state)
            .ok_or_else(|| ReportError::Data(format!("follow-up state {state:?}")))?,
        opened_at: millis(r.get(8)?)?,
        callback_due: millis(r.get(9)?)?,
        rectify_due: millis(r.get(10)?)?,
    })
}

fn unsigned(v: i64) -> Result<u64, ReportError> {
    u64::try_from(v).map_err(|_| ReportError::Data(format!("negative id {v}")))
}

fn date(text: &str) -> Result<Date, ReportError> {
    text.parse()
        .map_err(|e| ReportError::Data(format!("day {text:?}: {e}")))
}

fn time(text: &str) -> Result<Timestamp, ReportError> {
    text.parse()
        .map_err(|e| ReportError::Data(format!("time {text:?}: {e}")))
}

fn millis(ms: i64) -> Result<Timestamp, ReportError> {
    Timestamp::from_millisecond(ms).map_err(|e| ReportError::Data(format!("time {ms}: {e}")))
}

fn level(v: i64) -> Result<RatingLevel, ReportError> {
    u8::try_from(v)
        .ok()
        .and_then(RatingLevel::new)
        .ok_or_else(|| ReportError::Data(format!("rating level {v}")))
}
