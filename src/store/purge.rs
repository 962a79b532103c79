//! Retention of personal data (PIPL): the ID-number hash and last four digits of tickets of
//! old business days are erased from the projection, from the stored `TicketIssued` events
//! (and the ID hash from `AppointmentBooked` events of old dates) and from the kept
//! snapshots. Everything else (numbers, times, states) stays as history.

use std::path::Path;

use jiff::civil::Date;
use rusqlite::Connection;
use serde_json::Value;

use super::error::{AtPath, StoreError};

const PERSONAL_FIELDS: [&str; 2] = ["id_hash", "id_last4"];

/// Erases personal data of tickets whose business day is before `before_day`, in the given
/// transaction. Returns how many tickets of the projection were changed.
pub fn purge(conn: &Connection, path: &Path, before_day: Date) -> Result<usize, StoreError> {
    let day = before_day.to_string();
    let tickets = conn
        .execute(
            "UPDATE tickets SET id_hash = NULL, id_last4 = NULL \
             WHERE day < ?1 AND (id_hash IS NOT NULL OR id_last4 IS NOT NULL)",
            [&day],
        )
        .at(path)?;
    conn.execute(
        "UPDATE ratings SET rater_id_hash = NULL WHERE day < ?1 AND rater_id_hash IS NOT NULL",
        [&day],
    )
    .at(path)?;
    let events = conn
        .execute(
            "UPDATE events SET body = json_set(body, '$.ticket.id_hash', NULL, \
             '$.ticket.id_last4', NULL) \
             WHERE kind = 'ticket_issued' AND json_extract(body, '$.ticket.day') < ?1 \
             AND (json_extract(body, '$.ticket.id_hash') IS NOT NULL \
                  OR json_extract(body, '$.ticket.id_last4') IS NOT NULL)",
            [&day],
        )
        .at(path)?;
    let appointments = conn
        .execute(
            "UPDATE events SET body = json_set(body, '$.appointment.id_hash', NULL) \
             WHERE kind = 'appointment_booked' AND json_extract(body, '$.appointment.date') < ?1 \
             AND json_extract(body, '$.appointment.id_hash') IS NOT NULL",
            [&day],
        )
        .at(path)?;
    let snapshots = scrub_snapshots(conn, path, &day)?;
    tracing::info!(
        before = %day,
        tickets,
        events,
        appointments,
        snapshots,
        "erased ID-number data of old business days"
    );
    Ok(tickets)
}

fn scrub_snapshots(conn: &Connection, path: &Path, day: &str) -> Result<usize, StoreError> {
    let mut stmt = conn.prepare("SELECT seq, body FROM snapshots").at(path)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .at(path)?
        .collect::<Result<Vec<_>, _>>()
        .at(path)?;
    let mut changed = 0;
    for (seq, body) in rows {
        let Ok(mut value) = serde_json::from_slice::<Value>(&body) else {
            tracing::warn!(
                seq,
                "snapshot is not JSON; personal data in it cannot be erased"
            );
            continue;
        };
        if scrub(&mut value, day) {
            let body = serde_json::to_vec(&value)?;
            conn.execute(
                "UPDATE snapshots SET body = ?2 WHERE seq = ?1",
                rusqlite::params![seq, body],
            )
            .at(path)?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// Nulls the personal fields of every JSON object that has a `day` or `date` before `day`
/// (a ticket or an appointment, wherever the snapshot keeps it). Returns whether anything changed.
fn scrub(value: &mut Value, day: &str) -> bool {
    let mut changed = false;
    match value {
        Value::Array(items) => {
            for item in items {
                changed |= scrub(item, day);
            }
        }
        Value::Object(map) => {
            let old = ["day", "date"]
                .iter()
                .any(|k| matches!(map.get(*k), Some(Value::String(d)) if d.as_str() < day));
            if old {
                for field in PERSONAL_FIELDS {
                    if let Some(v) = map.get_mut(field).filter(|v| !v.is_null()) {
                        *v = Value::Null;
                        changed = true;
                    }
                }
            }
            for item in map.values_mut() {
                changed |= scrub(item, day);
            }
        }
        _ => {}
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_reaches_nested_tickets_of_old_days_only() {
        let mut v = serde_json::json!({
            "tickets": [
                {"day": "2024-05-01", "id_hash": "abc", "id_last4": "1234"},
                {"day": "2024-05-03", "id_hash": "def", "id_last4": "5678"}
            ]
        });
        assert!(scrub(&mut v, "2024-05-02"));
        assert_eq!(v["tickets"][0]["id_hash"], Value::Null);
        assert_eq!(v["tickets"][0]["id_last4"], Value::Null);
        assert_eq!(v["tickets"][1]["id_hash"], "def");
        assert!(!scrub(&mut v, "2024-05-02"));
    }
}
