//! Route handlers: health, services, tickets, windows.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::auth::Caller;
use super::dto::{
    HealthDto, IssueBody, IssuedDto, PrintBody, ServiceDto, StoreHealthDto, TicketDto,
};
use super::error::{ApiError, ApiJson, ErrorBody};
use super::windows::parse_number;
use crate::config::DeviceRole;
use crate::core::id_number::IdNumber;
use crate::core::{
    Command, Engine, IssueRequest, PrintState, Rejected, Reply, ServiceId, TicketId, TicketState,
};
use crate::store::TicketFilter;

/// Liveness and store status; needs no token.
#[utoipa::path(get, path = "/api/v1/health", tag = "hall",
    responses((status = 200, body = HealthDto)))]
pub async fn health(State(state): State<AppState>) -> Json<HealthDto> {
    let hall = state.hall.clone();
    let health = hall.health();
    let error = health.last_error();
    let broken = health.is_broken();
    let (day, time) = hall
        .query(|engine, _| {
            (
                engine.day().map(|d| d.to_string()),
                engine.time().map(|t| t.to_string()),
            )
        })
        .await
        .unwrap_or((None, None));
    let ok = error.is_none() && !broken;
    Json(HealthDto {
        status: if ok { "ok" } else { "degraded" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        hall: state.config.hall.name.clone(),
        business_day: day,
        engine_time: time,
        store: StoreHealthDto {
            path: hall.store_path().display().to_string(),
            status: if ok { "ok" } else { "error" }.into(),
            last_seq: health.last_seq(),
            error,
        },
    })
}

/// Services with waiting counts, open/closed state and reason, and estimated wait.
#[utoipa::path(get, path = "/api/v1/services", tag = "hall", security(("token" = [])),
    responses((status = 200, body = [ServiceDto]), (status = 401, body = ErrorBody)))]
pub async fn services(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Vec<ServiceDto>>, ApiError> {
    let list = state
        .hall
        .query(|engine, now| {
            engine
                .services_status(now)
                .into_iter()
                .map(ServiceDto::build)
                .collect()
        })
        .await?;
    Ok(Json(list))
}

/// Issue a ticket (kiosk or admin). Priority only with an admin token, or by the age rule.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", security(("token" = [])),
    request_body = IssueBody,
    responses((status = 201, body = IssuedDto), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<IssueBody>,
) -> Result<(StatusCode, Json<IssuedDto>), ApiError> {
    caller.require(&[DeviceRole::Kiosk])?;
    if body.priority && !caller.is_admin() && body.priority_pin.is_none() {
        return Err(ApiError::forbidden(
            "priority tickets need an admin token or a staff PIN",
        ));
    }
    let pin_priority = match body.priority_pin.clone() {
        None => false,
        Some(pin) => {
            check_priority_pin(&state, pin).await?;
            true
        }
    };
    let id = match body
        .id_number
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(text) => {
            let id = IdNumber::parse(text).map_err(|e| {
                ApiError::bad_request("invalid_id_number", e.message_zh(), e.to_string())
            })?;
            Some(id.digest(state.hall.salt()))
        }
    };
    let request = IssueRequest {
        service: ServiceId::new(body.service.trim()),
        staff_priority: body.priority || pin_priority,
        id,
        appointment_code: body
            .appointment_code
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
    };
    let dto = state
        .hall
        .execute(Command::Issue(request), |engine, reply| match reply {
            Reply::Issued(id) => engine.ticket(id).map(|t| IssuedDto::build(engine, t)),
            _ => None,
        })
        .await?
        .ok_or_else(|| ApiError::not_found("issued ticket not found"))?;
    tracing::info!(number = %dto.number, service = %dto.service, device = %caller.name, "ticket issued");
    Ok((StatusCode::CREATED, Json(dto)))
}

/// Verifies a kiosk's staff PIN off the async workers (argon2 is slow on purpose); a wrong
/// PIN costs the caller a second, which makes guessing impractical.
async fn check_priority_pin(state: &AppState, pin: String) -> Result<(), ApiError> {
    let Some(hash) = state.config.kiosk.priority_pin_hash.clone() else {
        return Err(ApiError::forbidden(
            "no priority PIN is configured ([kiosk].priority_pin_hash)",
        ));
    };
    let ok = tokio::task::spawn_blocking(move || crate::kiosk::pin::verify_pin(&hash, &pin))
        .await
        .unwrap_or(false);
    if ok {
        return Ok(());
    }
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    tracing::warn!("wrong priority PIN at a kiosk");
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "wrong_pin",
        "PIN 不正确",
        "the priority PIN does not match",
    ))
}

/// The kiosk reports what became of a ticket's print job (printed, not printed, uncertain).
#[utoipa::path(post, path = "/api/v1/tickets/{ticket}/print", tag = "tickets", security(("token" = [])),
    params(("ticket" = u64, Path, description = "ticket id (the `id` of the issue answer)")), request_body = PrintBody,
    responses((status = 204, description = "recorded"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn record_print(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<u64>,
    ApiJson(body): ApiJson<PrintBody>,
) -> Result<StatusCode, ApiError> {
    caller.require(&[DeviceRole::Kiosk])?;
    let outcome = match body.outcome.as_str() {
        "printed" => PrintState::Printed,
        "not_printed" => PrintState::NotPrinted,
        "uncertain" => PrintState::Uncertain,
        other => {
            return Err(ApiError::bad_request(
                "invalid_outcome",
                "打印结果不正确",
                format!("unknown outcome {other:?}"),
            ));
        }
    };
    if outcome != PrintState::Printed {
        tracing::warn!(ticket = id, outcome = outcome.as_str(), device = %caller.name, "ticket not (surely) printed");
    }
    let command = Command::RecordPrint {
        ticket: TicketId(id),
        outcome,
        reprint: body.reprint,
    };
    state.hall.execute(command, |_, _| ()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TicketQuery {
    /// Business day, YYYY-MM-DD (default: all days).
    pub day: Option<String>,
    /// waiting | called | held | finished | missed | expired
    pub state: Option<String>,
    pub service: Option<String>,
    /// At most this many rows (default 1000, max 10000).
    pub limit: Option<usize>,
}

/// Tickets of a business day from the store (admin).
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", security(("token" = [])),
    params(TicketQuery),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn tickets(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<TicketQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(&[])?;
    let Query(query) = query
        .map_err(|e| ApiError::bad_request("invalid_query", "查询参数不正确", e.body_text()))?;
    let day = match query.day.as_deref() {
        None => None,
        Some(d) => Some(d.parse::<jiff::civil::Date>().map_err(|e| {
            ApiError::bad_request("invalid_day", "日期格式应为 YYYY-MM-DD", e.to_string())
        })?),
    };
    let ticket_state = match query.state.as_deref() {
        None => None,
        Some(s) => Some(parse_state(s).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_state",
                "状态不正确",
                format!("unknown state {s:?}"),
            )
        })?),
    };
    let filter = TicketFilter {
        day,
        state: ticket_state,
        service: query.service,
        limit: query.limit.unwrap_or(1000).min(10_000),
    };
    let rows = super::read::with_store(&state, move |store| store.tickets(&filter)).await?;
    Ok(Json(serde_json::json!({ "tickets": rows })))
}

fn parse_state(s: &str) -> Option<TicketState> {
    [
        TicketState::Waiting,
        TicketState::Called,
        TicketState::Held,
        TicketState::Finished,
        TicketState::Missed,
        TicketState::Expired,
    ]
    .into_iter()
    .find(|t| t.as_str() == s)
}

/// Every window's state, current ticket and staff.
/// One ticket of today by number (any device; no personal data beyond the last four).
#[utoipa::path(get, path = "/api/v1/tickets/{ticket}", tag = "tickets", security(("token" = [])),
    params(("ticket" = String, Path, description = "the ticket number, e.g. A023")),
    responses((status = 200, body = TicketDto), (status = 404, body = ErrorBody)))]
pub async fn ticket(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> Result<Json<TicketDto>, ApiError> {
    let number = parse_number(&number)?;
    let wanted = number.clone();
    state
        .hall
        .query(move |engine: &Engine, _| {
            engine
                .find_ticket(&wanted)
                .map(|t| TicketDto::from_ticket(engine, t))
        })
        .await?
        .map(|mut t| {
            if !caller.sees_id_tail() {
                t.id_last4 = None;
            }
            Json(t)
        })
        .ok_or_else(|| Rejected::UnknownTicket(number).into())
}
