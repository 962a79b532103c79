//! `POST /api/v1/appointments`: import booked slots as JSON or CSV (admin).
//!
//! CSV columns (header row required): `code,service,date,from,to[,id_number]`,
//! e.g. `YY20261123001,C,2026-11-23,09:00,09:30,`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use jiff::civil::{Date, Time};
use serde::Deserialize;
use utoipa::ToSchema;

use super::AppState;
use super::auth::Caller;
use super::dto::ImportedDto;
use super::error::{ApiError, ErrorBody};
use crate::core::id_number::IdNumber;
use crate::core::{Appointment, Command, ServiceId};

/// One booked slot.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentRow {
    pub code: String,
    pub service: String,
    /// YYYY-MM-DD
    pub date: String,
    /// Slot start, HH:MM
    pub from: String,
    /// Slot end, HH:MM
    pub to: String,
    /// Booker's ID number; only its salted hash is kept.
    #[serde(default)]
    pub id_number: Option<String>,
}

fn bad(row: usize, what: impl Into<String>) -> ApiError {
    ApiError::bad_request(
        "invalid_appointment",
        "预约数据格式不正确",
        format!("row {row}: {}", what.into()),
    )
}

fn parse_time(row: usize, text: &str) -> Result<Time, ApiError> {
    Time::strptime("%H:%M", text.trim()).map_err(|e| bad(row, format!("time {text:?}: {e}")))
}

fn convert(rows: Vec<AppointmentRow>, salt: &[u8]) -> Result<Vec<Appointment>, ApiError> {
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| {
            let row = i + 1;
            let code = r.code.trim().to_string();
            if code.is_empty() {
                return Err(bad(row, "empty code"));
            }
            let date: Date = r
                .date
                .trim()
                .parse()
                .map_err(|e| bad(row, format!("date {:?}: {e}", r.date)))?;
            let slot_from = parse_time(row, &r.from)?;
            let slot_to = parse_time(row, &r.to)?;
            if slot_from >= slot_to {
                return Err(bad(row, "slot must end after it starts"));
            }
            let id_hash = match r
                .id_number
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                None => None,
                Some(text) => Some(
                    IdNumber::parse(text)
                        .map_err(|e| bad(row, format!("ID number: {e}")))?
                        .digest(salt)
                        .hash,
                ),
            };
            Ok(Appointment {
                code,
                service: ServiceId::new(r.service.trim()),
                date,
                slot_from,
                slot_to,
                id_hash,
            })
        })
        .collect()
}

fn parse_csv(body: &[u8]) -> Result<Vec<AppointmentRow>, ApiError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(body);
    reader
        .deserialize::<AppointmentRow>()
        .enumerate()
        .map(|(i, r)| r.map_err(|e| bad(i + 1, e.to_string())))
        .collect()
}

/// Import booked appointment slots (JSON array or `text/csv`).
#[utoipa::path(post, path = "/api/v1/appointments", tag = "appointments", security(("token" = [])),
    request_body(content = [AppointmentRow], description = "JSON array, or text/csv with header code,service,date,from,to[,id_number]"),
    responses((status = 200, body = ImportedDto), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportedDto>, ApiError> {
    caller.require(&[])?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let rows: Vec<AppointmentRow> = if content_type.starts_with("text/csv") {
        parse_csv(&body)?
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request("malformed_json", "请求格式错误", e.to_string()))?
    };
    let appointments = convert(rows, state.hall.salt())?;
    let imported = appointments.len();
    state
        .hall
        .execute(Command::ImportAppointments(appointments), |_, _| ())
        .await?;
    tracing::info!(imported, device = %caller.name, "appointments imported");
    Ok(Json(ImportedDto { imported }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_convert_and_hash_ids() {
        let csv = "code,service,date,from,to,id_number\nYY1,C,2026-11-23,09:00,09:30,11010519491231002X\nYY2,A,2026-11-23,10:00,10:30,\n";
        let rows = parse_csv(csv.as_bytes()).unwrap();
        let list = convert(rows, b"salt").unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].slot_from, Time::constant(9, 0, 0, 0));
        assert_eq!(list[0].id_hash.as_ref().map(String::len), Some(64));
        assert_eq!(list[1].id_hash, None);
    }

    #[test]
    fn bad_rows_name_the_row() {
        let csv = "code,service,date,from,to\nYY1,C,2026-11-23,09:30,09:00\n";
        let err = convert(parse_csv(csv.as_bytes()).unwrap(), b"s").unwrap_err();
        assert!(err.detail.contains("row 1"), "{}", err.detail);
    }
}
