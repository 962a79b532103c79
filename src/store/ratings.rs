//! 好差评 in the store: the `ratings` and `followups` tables and the outbox rows, kept from
//! the rating events in the transaction that stores them, and the admin queries over them.
//!
//! The rater's ID hash is copied from the ticket into `ratings.rater_id_hash` for the
//! platform's one-rating rules and audits; no query here ever reads it out.

use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, Row, ToSql, params};
use serde::{Deserialize, Serialize};

use super::error::{AtPath, StoreError, to_i64};
use super::records::{FollowUpRecord, RatingRecord, UploadRecord};
use crate::core::{
    Change, Event, FollowUp, FollowUpId, FollowUpState, Overdue, RatingLevel, RatingReason,
    ServiceId, StaffId, TicketId, TicketNumber, WindowNo,
};

/// A rating as the admin API lists it. No rater identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RatingRow {
    pub number: String,
    pub day: Date,
    pub service: String,
    pub window: u16,
    pub staff: Option<String>,
    pub case_number: Option<String>,
    pub channel: String,
    pub at: Timestamp,
    pub level: u8,
    pub label: String,
    pub reasons: Vec<RatingReason>,
    pub comment: Option<String>,
}

/// One entry of a follow-up's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpNote {
    pub at: Timestamp,
    pub state: FollowUpState,
    pub by: Option<String>,
    pub note: Option<String>,
}

/// A follow-up work order as the store keeps it (closed ones too).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FollowUpRow {
    pub id: u64,
    pub number: String,
    pub day: Date,
    pub service: String,
    pub window: u16,
    pub staff: Option<String>,
    pub level: u8,
    pub state: FollowUpState,
    pub opened_at: Timestamp,
    pub callback_due: Timestamp,
    pub rectify_due: Timestamp,
    pub called_back_at: Option<Timestamp>,
    pub rectified_at: Option<Timestamp>,
    pub follow_up_level: Option<u8>,
    pub closed_at: Option<Timestamp>,
    pub notes: Vec<FollowUpNote>,
}

impl FollowUpRow {
    /// The deadline this order has missed at `now` (same rule as the engine's).
    pub fn overdue(&self, now: Timestamp) -> Option<Overdue> {
        let order = FollowUp {
            id: FollowUpId(self.id),
            ticket: TicketId(0),
            number: TicketNumber(self.number.clone()),
            service: ServiceId::new(self.service.clone()),
            window: WindowNo(self.window),
            staff: self.staff.clone().map(StaffId),
            level: RatingLevel::new(self.level).unwrap_or(RatingLevel::BASIC),
            opened_at: self.opened_at,
            callback_due: self.callback_due,
            rectify_due: self.rectify_due,
            state: self.state,
            called_back_at: self.called_back_at,
            rectified_at: self.rectified_at,
            follow_up_level: None,
            closed_at: self.closed_at,
        };
        order.overdue(now)
    }
}

/// Applies a rating event to the rating tables and the outbox. `key_tag` makes the
/// outbox's idempotency keys unique across hall databases.
pub fn apply(
    conn: &Connection,
    path: &Path,
    seq: i64,
    event: &Event,
    key_tag: &str,
) -> Result<(), StoreError> {
    let at = event.at;
    match &event.change {
        Change::TicketFinished { ticket, .. } => {
            let id = to_i64(ticket.0, "ticket id")?;
            conn.prepare_cached("UPDATE tickets SET rating = 'awaiting' WHERE id = ?1")
                .at(path)?
                .execute([id])
                .at(path)?;
        }
        Change::TicketUnrated { ticket, .. } => {
            let id = to_i64(ticket.0, "ticket id")?;
            conn.prepare_cached("UPDATE tickets SET rating = 'unrated' WHERE id = ?1")
                .at(path)?
                .execute([id])
                .at(path)?;
        }
        Change::TicketRated { rating } => {
            let id = to_i64(rating.ticket.0, "ticket id")?;
            let level = rating.level.get();
            conn.prepare_cached(
                "UPDATE tickets SET rating = 'rated', rating_level = ?2 WHERE id = ?1",
            )
            .at(path)?
            .execute(params![id, level])
            .at(path)?;
            let (day, id_hash): (String, Option<String>) = conn
                .prepare_cached("SELECT day, id_hash FROM tickets WHERE id = ?1")
                .at(path)?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .at(path)?
                .unwrap_or_else(|| (at.to_string().chars().take(10).collect(), None));
            let reasons = serde_json::to_string(&rating.reasons).unwrap_or_else(|_| "[]".into());
            conn.prepare_cached(
                "INSERT INTO ratings (ticket, seq, day, number, service, window, staff, \
                 case_number, channel, at, at_ms, level, reasons, comment, rater_id_hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )
            .at(path)?
            .execute(params![
                id,
                seq,
                day,
                rating.number.as_str(),
                rating.service.as_str(),
                rating.window.0,
                rating.staff.as_ref().map(|s| s.0.as_str()),
                rating.case_number,
                rating.channel.as_str(),
                at.to_string(),
                at.as_millisecond(),
                level,
                reasons,
                rating.comment,
                id_hash,
            ])
            .at(path)?;
            let record = UploadRecord::Rating(RatingRecord {
                number: rating.number.0.clone(),
                day: day
                    .parse()
                    .map_err(|e| StoreError::corrupt(path, format!("{e}")))?,
                service: rating.service.0.clone(),
                service_name: rating.service_name.clone(),
                window: rating.window.0,
                staff: rating.staff.as_ref().map(|s| s.0.clone()),
                case_number: rating.case_number.clone(),
                channel: rating.channel,
                at,
                level,
                reasons: rating.reasons.clone(),
                comment: rating.comment.clone(),
            });
            outbox(conn, path, seq, &record, at, key_tag)?;
        }
        Change::FollowUpOpened { followup: f } => {
            let day: String = conn
                .prepare_cached("SELECT day FROM tickets WHERE id = ?1")
                .at(path)?
                .query_row([to_i64(f.ticket.0, "ticket id")?], |r| r.get(0))
                .optional()
                .at(path)?
                .unwrap_or_else(|| at.to_string().chars().take(10).collect());
            let note = FollowUpNote {
                at,
                state: FollowUpState::Open,
                by: None,
                note: None,
            };
            let notes = serde_json::to_string(&[note]).unwrap_or_else(|_| "[]".into());
            conn.prepare_cached(
                "INSERT INTO followups (id, ticket, day, number, service, window, staff, level, \
                 state, opened_at, opened_ms, callback_due_ms, rectify_due_ms, notes, updated_seq) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, ?10, ?11, ?12, ?13, ?14)",
            )
            .at(path)?
            .execute(params![
                to_i64(f.id.0, "follow-up id")?,
                to_i64(f.ticket.0, "ticket id")?,
                day,
                f.number.as_str(),
                f.service.as_str(),
                f.window.0,
                f.staff.as_ref().map(|s| s.0.as_str()),
                f.level.get(),
                f.opened_at.to_string(),
                f.opened_at.as_millisecond(),
                f.callback_due.as_millisecond(),
                f.rectify_due.as_millisecond(),
                notes,
                seq,
            ])
            .at(path)?;
            let record = UploadRecord::FollowUp(FollowUpRecord {
                id: f.id.0,
                number: f.number.0.clone(),
                day: day
                    .parse()
                    .map_err(|e| StoreError::corrupt(path, format!("{e}")))?,
                state: FollowUpState::Open,
                at,
                level: f.level.get(),
                callback_due: f.callback_due,
                rectify_due: f.rectify_due,
                note: None,
                by: None,
                follow_up_level: None,
            });
            outbox(conn, path, seq, &record, at, key_tag)?;
        }
        Change::FollowUpUpdated { update } => {
            let id = to_i64(update.id.0, "follow-up id")?;
            let Some(row) = followup_by_id(conn, path, id)? else {
                tracing::warn!(
                    followup = id,
                    "update for a follow-up the store does not know"
                );
                return Ok(());
            };
            let mut notes = row.notes.clone();
            notes.push(FollowUpNote {
                at,
                state: update.state,
                by: update.by.clone(),
                note: update.note.clone(),
            });
            let notes = serde_json::to_string(&notes).unwrap_or_else(|_| "[]".into());
            let ms = at.as_millisecond();
            let level = update.follow_up_level.map(RatingLevel::get);
            conn.prepare_cached(
                "UPDATE followups SET state = ?2, notes = ?3, updated_seq = ?4, \
                 called_back_ms = CASE WHEN ?2 = 'called_back' THEN coalesce(called_back_ms, ?5) ELSE called_back_ms END, \
                 rectified_ms = CASE WHEN ?2 = 'rectified' THEN coalesce(rectified_ms, ?5) ELSE rectified_ms END, \
                 closed_ms = CASE WHEN ?2 = 'closed' THEN ?5 ELSE closed_ms END, \
                 follow_up_level = coalesce(?6, follow_up_level) WHERE id = ?1",
            )
            .at(path)?
            .execute(params![id, update.state.as_str(), notes, seq, ms, level])
            .at(path)?;
            let record = UploadRecord::FollowUp(FollowUpRecord {
                id: update.id.0,
                number: row.number.clone(),
                day: row.day,
                state: update.state,
                at,
                level: row.level,
                callback_due: row.callback_due,
                rectify_due: row.rectify_due,
                note: update.note.clone(),
                by: update.by.clone(),
                follow_up_level: level,
            });
            outbox(conn, path, seq, &record, at, key_tag)?;
        }
        _ => {}
    }
    Ok(())
}

fn outbox(
    conn: &Connection,
    path: &Path,
    seq: i64,
    record: &UploadRecord,
    at: Timestamp,
    key_tag: &str,
) -> Result<(), StoreError> {
    let body = serde_json::to_string(record)
        .map_err(|e| StoreError::corrupt(path, format!("cannot encode an outbox record: {e}")))?;
    let ms = at.as_millisecond();
    conn.prepare_cached(
        "INSERT INTO outbox (seq, kind, key, body, created_ms, next_attempt_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )
    .at(path)?
    .execute(params![
        seq,
        record.kind(),
        format!("{key_tag}-{seq}"),
        body,
        ms
    ])
    .at(path)?;
    Ok(())
}

/// Ratings given on business days `from..=to`, oldest first.
pub fn ratings(
    conn: &Connection,
    path: &Path,
    from: Date,
    to: Date,
) -> Result<Vec<RatingRow>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT number, day, service, window, staff, case_number, channel, at, level, \
             reasons, comment FROM ratings WHERE day >= ?1 AND day <= ?2 ORDER BY at_ms, ticket",
        )
        .at(path)?;
    let rows = stmt
        .query_map(params![from.to_string(), to.to_string()], read_rating)
        .at(path)?
        .collect::<Result<Vec<_>, _>>()
        .at(path)?;
    Ok(rows)
}

fn read_rating(r: &Row<'_>) -> rusqlite::Result<RatingRow> {
    let level: u8 = r.get(8)?;
    let reasons: String = r.get(9)?;
    Ok(RatingRow {
        number: r.get(0)?,
        day: text_parse(r, 1)?,
        service: r.get(2)?,
        window: r.get(3)?,
        staff: r.get(4)?,
        case_number: r.get(5)?,
        channel: r.get(6)?,
        at: text_parse(r, 7)?,
        level,
        label: RatingLevel::new(level)
            .map(|l| l.label().to_string())
            .unwrap_or_default(),
        reasons: serde_json::from_str(&reasons).unwrap_or_default(),
        comment: r.get(10)?,
    })
}

/// Which follow-ups to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FollowUpFilter {
    pub state: Option<FollowUpState>,
    /// Only orders not closed.
    pub open_only: bool,
}

pub fn followups(
    conn: &Connection,
    path: &Path,
    filter: &FollowUpFilter,
) -> Result<Vec<FollowUpRow>, StoreError> {
    let mut sql = String::from(FOLLOWUP_SELECT);
    sql.push_str(" WHERE 1");
    let state = filter.state.map(FollowUpState::as_str);
    let mut args: Vec<&dyn ToSql> = Vec::new();
    if let Some(state) = &state {
        sql.push_str(" AND state = ?");
        args.push(state);
    }
    if filter.open_only {
        sql.push_str(" AND state != 'closed'");
    }
    sql.push_str(" ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql).at(path)?;
    let rows = stmt
        .query_map(args.as_slice(), read_followup)
        .at(path)?
        .collect::<Result<Vec<_>, _>>()
        .at(path)?;
    Ok(rows)
}

pub fn followup_by_id(
    conn: &Connection,
    path: &Path,
    id: i64,
) -> Result<Option<FollowUpRow>, StoreError> {
    let sql = format!("{FOLLOWUP_SELECT} WHERE id = ?1");
    conn.prepare_cached(&sql)
        .at(path)?
        .query_row([id], read_followup)
        .optional()
        .at(path)
}

const FOLLOWUP_SELECT: &str = "SELECT id, number, day, service, window, staff, level, state, \
     opened_at, callback_due_ms, rectify_due_ms, called_back_ms, rectified_ms, follow_up_level, \
     closed_ms, notes FROM followups";

fn read_followup(r: &Row<'_>) -> rusqlite::Result<FollowUpRow> {
    let state: String = r.get(7)?;
    let notes: String = r.get(15)?;
    Ok(FollowUpRow {
        id: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
        number: r.get(1)?,
        day: text_parse(r, 2)?,
        service: r.get(3)?,
        window: r.get(4)?,
        staff: r.get(5)?,
        level: r.get(6)?,
        state: FollowUpState::parse(&state).unwrap_or(FollowUpState::Open),
        opened_at: text_parse(r, 8)?,
        callback_due: ms(r, 9)?,
        rectify_due: ms(r, 10)?,
        called_back_at: ms_opt(r, 11)?,
        rectified_at: ms_opt(r, 12)?,
        follow_up_level: r.get(13)?,
        closed_at: ms_opt(r, 14)?,
        notes: serde_json::from_str(&notes).unwrap_or_default(),
    })
}

/// Ratings per level (index 0 = level 1) given to `staff` on `day`.
pub fn staff_levels(
    conn: &Connection,
    path: &Path,
    staff: &str,
    day: Date,
) -> Result<[u32; 5], StoreError> {
    let mut out = [0u32; 5];
    let mut stmt = conn
        .prepare_cached(
            "SELECT level, count(*) FROM ratings WHERE staff = ?1 AND day = ?2 GROUP BY level",
        )
        .at(path)?;
    let rows = stmt
        .query_map(params![staff, day.to_string()], |r| {
            Ok((r.get::<_, u8>(0)?, r.get::<_, u32>(1)?))
        })
        .at(path)?;
    for row in rows {
        let (level, n) = row.at(path)?;
        if let Some(slot) = out.get_mut(usize::from(level.saturating_sub(1))) {
            *slot = n;
        }
    }
    Ok(out)
}

fn conv(col: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
}

fn text_parse<T>(r: &Row<'_>, col: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr<Err = jiff::Error>,
{
    r.get::<_, String>(col)?.parse().map_err(|e| conv(col, e))
}

fn ms(r: &Row<'_>, col: usize) -> rusqlite::Result<Timestamp> {
    Timestamp::from_millisecond(r.get(col)?).map_err(|e| conv(col, e))
}

fn ms_opt(r: &Row<'_>, col: usize) -> rusqlite::Result<Option<Timestamp>> {
    r.get::<_, Option<i64>>(col)?
        .map(|v| Timestamp::from_millisecond(v).map_err(|e| conv(col, e)))
        .transpose()
}
