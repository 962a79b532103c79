//! The `tickets` table: one row per ticket, kept up to date from every ticket event in the
//! same transaction that stores the event. Reports and the admin API read it; the engine
//! never does (it replays events).
//!
//! `recalls` mirrors the engine's ticket: the recalls of the current (last) call, reset
//! when the ticket is called again. `no_shows` and `transfers` count over the whole life.

use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, Row, ToSql};
use serde::Serialize;

use super::error::{AtPath, StoreError, to_i64};
use crate::core::{Change, Event, Ticket, TicketClass, TicketState};

/// Which tickets to list. `limit == 0` means no limit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TicketFilter {
    pub day: Option<Date>,
    pub state: Option<TicketState>,
    /// The service the ticket is queued for now.
    pub service: Option<String>,
    pub limit: usize,
}

/// A ticket as the projection keeps it. The ID-number hash is never read out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TicketRow {
    pub id: u64,
    pub day: Date,
    pub number: String,
    pub service: String,
    pub issued_service: String,
    pub state: TicketState,
    pub class: TicketClass,
    pub priority: bool,
    pub issued_at: Timestamp,
    pub first_called_at: Option<Timestamp>,
    pub called_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub window: Option<u16>,
    pub staff: Option<String>,
    pub recalls: u32,
    pub no_shows: u32,
    pub transfers: u32,
    pub case_number: Option<String>,
    pub id_last4: Option<String>,
    /// printed | not_printed | uncertain, once the kiosk reported it.
    pub print_state: Option<String>,
    /// 补打 copies printed.
    pub reprints: u32,
}

/// Applies one stored event to the projection.
pub fn apply(
    conn: &Connection,
    path: &Path,
    seq: u64,
    event: &Event,
    key_tag: &str,
) -> Result<(), StoreError> {
    let seq = to_i64(seq, "seq")?;
    super::ratings::apply(conn, path, seq, event, key_tag)?;
    let id = match (&event.change, event.change.ticket()) {
        (Change::TicketIssued { ticket }, _) => return insert(conn, path, seq, ticket),
        (_, Some(ticket)) => to_i64(ticket.0, "ticket id")?,
        (_, None) => return Ok(()),
    };
    let at = event.at.to_string();
    let update = |sql: &str, params: &[&dyn ToSql]| -> Result<(), StoreError> {
        let mut all: Vec<&dyn ToSql> = vec![&id, &seq];
        all.extend_from_slice(params);
        let changed = conn
            .prepare_cached(sql)
            .at(path)?
            .execute(all.as_slice())
            .at(path)?;
        if changed == 0 {
            tracing::warn!(
                ticket = id,
                kind = event.change.kind(),
                "event for a ticket the projection does not know"
            );
        }
        Ok(())
    };
    match &event.change {
        Change::TicketCalled { window, staff, .. } => {
            let staff = staff.as_ref().map(|s| s.0.as_str());
            update(
                "UPDATE tickets SET state = 'called', window = ?3, staff = ?4, called_at = ?5, \
                 first_called_at = coalesce(first_called_at, ?5), recalls = 0, updated_seq = ?2 \
                 WHERE id = ?1",
                &[&window.0, &staff, &at],
            )
        }
        Change::TicketRecalled { count, .. } => update(
            "UPDATE tickets SET recalls = ?3, updated_seq = ?2 WHERE id = ?1",
            &[count],
        ),
        Change::TicketMissed {
            requeued_at: Some(_),
            ..
        } => update(
            "UPDATE tickets SET state = 'waiting', window = NULL, no_shows = no_shows + 1, \
             updated_seq = ?2 WHERE id = ?1",
            &[],
        ),
        Change::TicketMissed {
            requeued_at: None, ..
        } => update(
            "UPDATE tickets SET state = 'missed', no_shows = no_shows + 1, updated_seq = ?2 \
             WHERE id = ?1",
            &[],
        ),
        Change::TicketHeld { window, .. } => update(
            "UPDATE tickets SET state = 'held', window = ?3, updated_seq = ?2 WHERE id = ?1",
            &[&window.0],
        ),
        Change::TicketTransferred { service, .. } => update(
            "UPDATE tickets SET state = 'waiting', service = ?3, window = NULL, \
             transfers = transfers + 1, updated_seq = ?2 WHERE id = ?1",
            &[&service.0],
        ),
        Change::TicketFinished {
            window,
            staff,
            case_number,
            ..
        } => {
            let staff = staff.as_ref().map(|s| s.0.as_str());
            update(
                "UPDATE tickets SET state = 'finished', finished_at = ?3, window = ?4, \
                 staff = coalesce(?5, staff), case_number = ?6, updated_seq = ?2 WHERE id = ?1",
                &[&at, &window.0, &staff, case_number],
            )
        }
        Change::TicketPrinted {
            outcome, reprint, ..
        } => update(
            "UPDATE tickets SET print_state = ?3, reprints = reprints + ?4, updated_seq = ?2 \
             WHERE id = ?1",
            &[&outcome.as_str(), &i64::from(*reprint)],
        ),
        Change::TicketExpired { .. } => update(
            "UPDATE tickets SET state = 'expired', updated_seq = ?2 WHERE id = ?1",
            &[],
        ),
        _ => Ok(()),
    }
}

fn insert(conn: &Connection, path: &Path, seq: i64, t: &Ticket) -> Result<(), StoreError> {
    let id = to_i64(t.id.0, "ticket id")?;
    conn.prepare_cached(
        "INSERT INTO tickets (id, day, number, service, issued_service, state, class, priority, \
         issued_at, issued_ms, first_called_at, called_at, finished_at, window, staff, recalls, \
         no_shows, transfers, case_number, id_hash, id_last4, updated_seq) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
         ?18, ?19, ?20, ?21, ?22)",
    )
    .at(path)?
    .execute(rusqlite::params![
        id,
        t.day.to_string(),
        t.number.as_str(),
        t.service.as_str(),
        t.issued_service.as_str(),
        t.state.as_str(),
        class_str(t.class),
        t.priority.is_some(),
        t.issued_at.to_string(),
        t.issued_at.as_millisecond(),
        t.first_called_at.map(|x| x.to_string()),
        t.called_at.map(|x| x.to_string()),
        t.finished_at.map(|x| x.to_string()),
        t.window.map(|w| w.0),
        t.staff.as_ref().map(|s| s.0.as_str()),
        t.recalls,
        t.no_shows,
        i64::try_from(t.transfers.len()).unwrap_or(i64::MAX),
        t.case_number,
        t.id_hash,
        t.id_last4,
        seq,
    ])
    .at(path)?;
    Ok(())
}

/// Lists tickets, oldest first.
pub fn query(
    conn: &Connection,
    path: &Path,
    filter: &TicketFilter,
) -> Result<Vec<TicketRow>, StoreError> {
    let day = filter.day.map(|d| d.to_string());
    let mut sql = String::from(
        "SELECT id, day, number, service, issued_service, state, class, priority, issued_at, \
         first_called_at, called_at, finished_at, window, staff, recalls, no_shows, transfers, \
         case_number, id_last4, print_state, reprints FROM tickets WHERE 1",
    );
    let mut params: Vec<&dyn ToSql> = Vec::new();
    if let Some(day) = &day {
        sql.push_str(" AND day = ?");
        params.push(day);
    }
    let state = filter.state.map(TicketState::as_str);
    if let Some(state) = &state {
        sql.push_str(" AND state = ?");
        params.push(state);
    }
    if let Some(service) = &filter.service {
        sql.push_str(" AND service = ?");
        params.push(service);
    }
    sql.push_str(" ORDER BY issued_ms, id LIMIT ?");
    let limit = match filter.limit {
        0 => -1,
        n => i64::try_from(n).unwrap_or(i64::MAX),
    };
    params.push(&limit);
    let mut stmt = conn.prepare_cached(&sql).at(path)?;
    let rows = stmt
        .query_map(params.as_slice(), read_row)
        .at(path)?
        .collect::<Result<Vec<_>, _>>()
        .at(path)?;
    Ok(rows)
}

fn read_row(r: &Row<'_>) -> rusqlite::Result<TicketRow> {
    Ok(TicketRow {
        id: u64::try_from(r.get::<_, i64>(0)?).map_err(|e| conv(0, e))?,
        day: parse(r, 1)?,
        number: r.get(2)?,
        service: r.get(3)?,
        issued_service: r.get(4)?,
        state: state_from(r, 5)?,
        class: class_from(r, 6)?,
        priority: r.get(7)?,
        issued_at: parse(r, 8)?,
        first_called_at: parse_opt(r, 9)?,
        called_at: parse_opt(r, 10)?,
        finished_at: parse_opt(r, 11)?,
        window: r.get(12)?,
        staff: r.get(13)?,
        recalls: r.get(14)?,
        no_shows: r.get(15)?,
        transfers: r.get(16)?,
        case_number: r.get(17)?,
        id_last4: r.get(18)?,
        print_state: r.get(19)?,
        reprints: r.get(20)?,
    })
}

fn conv(col: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
}

fn parse<T>(r: &Row<'_>, col: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr<Err = jiff::Error>,
{
    r.get::<_, String>(col)?.parse().map_err(|e| conv(col, e))
}

fn parse_opt<T>(r: &Row<'_>, col: usize) -> rusqlite::Result<Option<T>>
where
    T: std::str::FromStr<Err = jiff::Error>,
{
    r.get::<_, Option<String>>(col)?
        .map(|s| s.parse().map_err(|e| conv(col, e)))
        .transpose()
}

#[derive(Debug, thiserror::Error)]
#[error("unknown value {0:?}")]
struct UnknownValue(String);

fn state_from(r: &Row<'_>, col: usize) -> rusqlite::Result<TicketState> {
    let text: String = r.get(col)?;
    [
        TicketState::Waiting,
        TicketState::Called,
        TicketState::Held,
        TicketState::Finished,
        TicketState::Missed,
        TicketState::Expired,
    ]
    .into_iter()
    .find(|s| s.as_str() == text)
    .ok_or_else(|| conv(col, UnknownValue(text)))
}

fn class_str(class: TicketClass) -> &'static str {
    match class {
        TicketClass::Priority => "priority",
        TicketClass::Appointment => "appointment",
        TicketClass::WalkIn => "walk_in",
    }
}

fn class_from(r: &Row<'_>, col: usize) -> rusqlite::Result<TicketClass> {
    let text: String = r.get(col)?;
    [
        TicketClass::Priority,
        TicketClass::Appointment,
        TicketClass::WalkIn,
    ]
    .into_iter()
    .find(|c| class_str(*c) == text)
    .ok_or_else(|| conv(col, UnknownValue(text)))
}
