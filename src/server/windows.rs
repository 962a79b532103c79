//! Window routes: what staff do at a window (叫号, 重呼, 过号, 挂起, 转移, 办结, sign-in/out).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::AppState;
use super::auth::Caller;
use super::dto::{FinishBody, NumberBody, SignInBody, TransferBody, WindowDto};
use super::error::{ApiError, ApiJson, ErrorBody};
use crate::config::DeviceRole;
use crate::core::{Command, Rejected, ServiceId, StaffId, Target, TicketNumber, WindowNo};
use crate::hall::HallError;

#[utoipa::path(get, path = "/api/v1/windows", tag = "windows", security(("token" = [])),
    responses((status = 200, body = [WindowDto]), (status = 401, body = ErrorBody)))]
pub async fn windows(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<WindowDto>>, ApiError> {
    let list = state
        .hall
        .query(|engine, _| {
            let numbers: Vec<WindowNo> = engine.rules().windows.iter().map(|w| w.number).collect();
            numbers
                .into_iter()
                .filter_map(|n| WindowDto::build(engine, n))
                .collect::<Vec<_>>()
        })
        .await?;
    Ok(Json(
        list.into_iter().map(|w| w.for_caller(&caller)).collect(),
    ))
}

/// Runs a window command and answers with the window's state.
async fn window_command(
    state: &AppState,
    caller: &Caller,
    n: u16,
    command: Command,
) -> Result<Json<WindowDto>, ApiError> {
    let window = WindowNo(n);
    caller.require_window(DeviceRole::Window, window)?;
    if state.config.windows.iter().all(|w| w.number != n) {
        return Err(Rejected::UnknownWindow(window).into());
    }
    let call_next = matches!(command, Command::CallNext { .. });
    let result = state
        .hall
        .execute(command, move |engine, _reply| {
            WindowDto::build(engine, window)
        })
        .await;
    let dto = match result {
        Ok(dto) => dto,
        // Nothing waiting is not an error for call-next: the answer is the window with no ticket.
        Err(HallError::Rejected(Rejected::NoTicketWaiting(_))) if call_next => {
            state
                .hall
                .query(move |engine, _| WindowDto::build(engine, window))
                .await?
        }
        Err(err) => return Err(err.into()),
    };
    dto.map(|w| Json(w.for_caller(caller)))
        .ok_or_else(|| Rejected::UnknownWindow(window).into())
}

macro_rules! window_route {
    ($name:ident, $path:literal, $doc:literal, $make:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "windows", security(("token" = [])),
                    params(("n" = u16, Path, description = "window number")),
                    responses((status = 200, body = WindowDto), (status = 403, body = ErrorBody),
                        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            Path(n): Path<u16>,
        ) -> Result<Json<WindowDto>, ApiError> {
            let make: fn(WindowNo) -> Command = $make;
            window_command(&state, &caller, n, make(WindowNo(n))).await
        }
    };
}

window_route!(
    call_next,
    "/api/v1/windows/{n}/call-next",
    "叫号: call the next ticket by the ordering rules.",
    |window| Command::CallNext { window }
);
window_route!(
    recall,
    "/api/v1/windows/{n}/recall",
    "重呼: announce the current ticket again (capped).",
    |window| Command::Recall { window }
);
window_route!(
    no_show,
    "/api/v1/windows/{n}/no-show",
    "过号: the called person did not come.",
    |window| Command::NoShow { window }
);
window_route!(
    hold,
    "/api/v1/windows/{n}/hold",
    "挂起: park the current ticket at this window.",
    |window| Command::Hold { window }
);
window_route!(
    pause,
    "/api/v1/windows/{n}/pause",
    "暂停服务.",
    |window| Command::Pause { window }
);
window_route!(
    resume,
    "/api/v1/windows/{n}/resume",
    "恢复服务.",
    |window| Command::Resume { window }
);
window_route!(
    sign_out,
    "/api/v1/windows/{n}/sign-out",
    "Staff signs out of the window.",
    |window| Command::SignOut { window }
);

pub(super) fn parse_number(text: &str) -> Result<TicketNumber, ApiError> {
    let (prefix, seq) = TicketNumber::parse(text).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_number",
            "号码格式不正确",
            format!("not a ticket number: {text:?}"),
        )
    })?;
    let digits = text.trim().len() - prefix.len();
    Ok(TicketNumber::compose(
        &prefix,
        seq,
        u8::try_from(digits).unwrap_or(3),
    ))
}

/// 指定叫号: call one number directly.
#[utoipa::path(post, path = "/api/v1/windows/{n}/call", tag = "windows", security(("token" = [])),
    params(("n" = u16, Path, description = "window number")), request_body = NumberBody,
    responses((status = 200, body = WindowDto), (status = 409, body = ErrorBody)))]
pub async fn call_specific(
    State(state): State<AppState>,
    caller: Caller,
    Path(n): Path<u16>,
    ApiJson(body): ApiJson<NumberBody>,
) -> Result<Json<WindowDto>, ApiError> {
    let number = parse_number(&body.number)?;
    window_command(
        &state,
        &caller,
        n,
        Command::CallSpecific {
            window: WindowNo(n),
            number,
        },
    )
    .await
}

/// 回呼: call a held ticket back to this window.
#[utoipa::path(post, path = "/api/v1/windows/{n}/resume-held", tag = "windows", security(("token" = [])),
    params(("n" = u16, Path, description = "window number")), request_body = NumberBody,
    responses((status = 200, body = WindowDto), (status = 409, body = ErrorBody)))]
pub async fn resume_held(
    State(state): State<AppState>,
    caller: Caller,
    Path(n): Path<u16>,
    ApiJson(body): ApiJson<NumberBody>,
) -> Result<Json<WindowDto>, ApiError> {
    let number = parse_number(&body.number)?;
    window_command(
        &state,
        &caller,
        n,
        Command::ResumeHeld {
            window: WindowNo(n),
            number,
        },
    )
    .await
}

/// 转移: send the current ticket to another service or window (keeps its issue time).
#[utoipa::path(post, path = "/api/v1/windows/{n}/transfer", tag = "windows", security(("token" = [])),
    params(("n" = u16, Path, description = "window number")), request_body = TransferBody,
    responses((status = 200, body = WindowDto), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn transfer(
    State(state): State<AppState>,
    caller: Caller,
    Path(n): Path<u16>,
    ApiJson(body): ApiJson<TransferBody>,
) -> Result<Json<WindowDto>, ApiError> {
    let to = match (body.service, body.window) {
        (Some(service), None) => Target::Service(ServiceId::new(service)),
        (None, Some(window)) => Target::Window(WindowNo(window)),
        _ => {
            return Err(ApiError::bad_request(
                "invalid_transfer",
                "请选择转移到的业务或窗口",
                "give exactly one of service, window",
            ));
        }
    };
    window_command(
        &state,
        &caller,
        n,
        Command::Transfer {
            window: WindowNo(n),
            to,
        },
    )
    .await
}

/// 办结: the service is finished; the evaluator asks for a rating.
#[utoipa::path(post, path = "/api/v1/windows/{n}/finish", tag = "windows", security(("token" = [])),
    params(("n" = u16, Path, description = "window number")), request_body = FinishBody,
    responses((status = 200, body = WindowDto), (status = 409, body = ErrorBody)))]
pub async fn finish(
    State(state): State<AppState>,
    caller: Caller,
    Path(n): Path<u16>,
    body: axum::body::Bytes,
) -> Result<Json<WindowDto>, ApiError> {
    caller.require_window(DeviceRole::Window, WindowNo(n))?;
    // The body is optional: an empty one means no case number.
    let body: FinishBody = if body.iter().all(u8::is_ascii_whitespace) {
        FinishBody::default()
    } else {
        serde_json::from_slice::<Option<FinishBody>>(&body)
            .map_err(|e| ApiError::bad_request("malformed_json", "请求格式错误", e.to_string()))?
            .unwrap_or_default()
    };
    let case_number = body
        .case_number
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    window_command(
        &state,
        &caller,
        n,
        Command::Finish {
            window: WindowNo(n),
            case_number,
        },
    )
    .await
}

/// Staff signs in at the window.
#[utoipa::path(post, path = "/api/v1/windows/{n}/sign-in", tag = "windows", security(("token" = [])),
    params(("n" = u16, Path, description = "window number")), request_body = SignInBody,
    responses((status = 200, body = WindowDto), (status = 404, body = ErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    caller: Caller,
    Path(n): Path<u16>,
    ApiJson(body): ApiJson<SignInBody>,
) -> Result<Json<WindowDto>, ApiError> {
    caller.require_window(DeviceRole::Window, WindowNo(n))?;
    let staff = StaffId(body.staff.trim().to_string());
    check_staff_pin(&state, &staff, body.pin).await?;
    tracing::info!(window = n, staff = %staff.0, device = %caller.name, "staff signing in");
    window_command(
        &state,
        &caller,
        n,
        Command::SignIn {
            window: WindowNo(n),
            staff,
        },
    )
    .await
}

/// Checks the staff member exists and, when hall.toml has a `pin_hash` for them, that `pin`
/// matches (argon2 off the async workers; a failure costs a second). Unknown staff and a
/// wrong PIN give the same answer, so the terminal does not reveal which staff numbers exist.
async fn check_staff_pin(
    state: &AppState,
    staff: &StaffId,
    pin: Option<String>,
) -> Result<(), ApiError> {
    let member = state.config.staff.iter().find(|s| s.id == staff.0);
    let ok = match (member.and_then(|m| m.pin_hash.clone()), member) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(hash), Some(_)) => {
            let pin = pin.unwrap_or_default();
            tokio::task::spawn_blocking(move || crate::kiosk::pin::verify_pin(&hash, &pin))
                .await
                .unwrap_or(false)
        }
    };
    if ok {
        return Ok(());
    }
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    tracing::warn!(staff = %staff.0, "staff sign-in refused: unknown staff or wrong PIN");
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "bad_credentials",
        "工号或密码错误",
        "unknown staff member or wrong PIN",
    ))
}

/// One window's state (any device).
#[utoipa::path(get, path = "/api/v1/windows/{n}", tag = "windows", security(("token" = [])),
    params(("n" = u16, Path, description = "window number")),
    responses((status = 200, body = WindowDto), (status = 404, body = ErrorBody)))]
pub async fn window(
    State(state): State<AppState>,
    caller: Caller,
    Path(n): Path<u16>,
) -> Result<Json<WindowDto>, ApiError> {
    let window = WindowNo(n);
    state
        .hall
        .query(move |engine, _| WindowDto::build(engine, window))
        .await?
        .map(|w| Json(w.for_caller(&caller)))
        .ok_or_else(|| Rejected::UnknownWindow(window).into())
}
