//! 好差评 routes: the evaluator's view and rating, the admin's ratings and follow-ups, and
//! a staff member's own figures. The rater's identity is in none of these answers.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::auth::Caller;
use super::dto::StaffDto;
use super::error::{ApiError, ApiJson, ErrorBody};
use super::read::with_store;
use crate::config::DeviceRole;
use crate::core::{
    Command, FollowUpId, FollowUpState, FollowUpUpdate, RatingChannel, RatingLevel, RatingMark,
    RatingReason, Rejected, WindowNo,
};
use crate::store::{FollowUpFilter, FollowUpRow, RatingRow};

/// The visit waiting for a rating at a window.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingRating {
    pub ticket: u64,
    pub number: String,
    pub service_name: String,
    /// When the evaluator stops asking (then the visit is recorded as unrated).
    pub until: String,
    pub seconds_left: i64,
}

/// What the evaluator at a window shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingView {
    pub window: u16,
    pub window_name: String,
    pub staff: Option<StaffDto>,
    pub pending: Option<PendingRating>,
    pub timeout_s: u32,
    /// Preset comment phrases offered with a 差评.
    pub comments: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    /// 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.
    #[schema(value_type = u8, minimum = 1, maximum = 5)]
    pub level: RatingLevel,
    /// For 不满意/非常不满意: efficiency (服务效率), competence (服务水平), attitude (服务态度).
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub reasons: Vec<RatingReason>,
    #[serde(default)]
    pub comment: Option<String>,
    /// The visit being rated (`pending.ticket` from `GET …/rating`): refused with 409
    /// `nothing_to_rate` when the window has moved on to another visit.
    #[serde(default)]
    pub ticket: Option<u64>,
    /// Admins only: the channel the rating came through (default evaluator).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub channel: Option<RatingChannel>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatedDto {
    pub number: String,
    pub level: u8,
    /// The follow-up work order a 差评 opened.
    pub follow_up: Option<u64>,
}

fn check_window(
    state: &AppState,
    caller: &Caller,
    n: u16,
    roles: &[DeviceRole],
) -> Result<WindowNo, ApiError> {
    let window = WindowNo(n);
    let allowed =
        caller.is_admin() || (roles.contains(&caller.role) && caller.window == Some(window));
    if !allowed {
        return Err(ApiError::forbidden(format!(
            "device {} may not act for window {n}",
            caller.name
        )));
    }
    if state.config.windows.iter().all(|w| w.number != n) {
        return Err(Rejected::UnknownWindow(window).into());
    }
    Ok(window)
}

#[utoipa::path(get, path = "/api/v1/windows/{n}/rating", tag = "ratings", security(("token" = [])),
    params(("n" = u16, Path, description = "window number")),
    responses((status = 200, body = RatingView), (status = 403, body = ErrorBody)))]
pub async fn view(
    State(state): State<AppState>,
    caller: Caller,
    Path(n): Path<u16>,
) -> Result<Json<RatingView>, ApiError> {
    let window = check_window(
        &state,
        &caller,
        n,
        &[DeviceRole::Evaluator, DeviceRole::Window],
    )?;
    let ratings = &state.config.ratings;
    let (timeout_s, comments) = (ratings.timeout_s, ratings.comments.clone());
    let view = state
        .hall
        .query(move |engine, now| {
            let rules = engine.rules();
            let w = engine.window(window)?;
            let staff = w.staff.as_ref().map(|id| StaffDto {
                id: id.0.clone(),
                name: rules
                    .staff_member(id)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
            });
            let pending = w
                .last_finished
                .and_then(|id| engine.ticket(id))
                .and_then(|t| match t.rating {
                    RatingMark::Awaiting { until } if until > now => Some(PendingRating {
                        ticket: t.id.0,
                        number: t.number.0.clone(),
                        service_name: rules
                            .services
                            .iter()
                            .find(|s| s.id == t.service)
                            .map(|s| s.name.clone())
                            .unwrap_or_default(),
                        until: until.to_string(),
                        seconds_left: now.duration_until(until).as_secs(),
                    }),
                    _ => None,
                });
            Some(RatingView {
                window: window.0,
                window_name: rules
                    .window(window)
                    .map(|r| r.name.clone())
                    .unwrap_or_default(),
                staff,
                pending,
                timeout_s,
                comments,
            })
        })
        .await?;
    view.map(Json)
        .ok_or_else(|| Rejected::UnknownWindow(window).into())
}

#[utoipa::path(post, path = "/api/v1/windows/{n}/rating", tag = "ratings", security(("token" = [])),
    params(("n" = u16, Path, description = "window number")), request_body = RatingBody,
    responses((status = 201, body = RatedDto), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already_rated or nothing_to_rate"),
        (status = 422, body = ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    caller: Caller,
    Path(n): Path<u16>,
    ApiJson(body): ApiJson<RatingBody>,
) -> Result<(StatusCode, Json<RatedDto>), ApiError> {
    let window = check_window(&state, &caller, n, &[DeviceRole::Evaluator])?;
    let channel = match body.channel {
        Some(c) if caller.is_admin() => c,
        Some(_) => {
            return Err(ApiError::forbidden(
                "only admins may set the rating channel",
            ));
        }
        None => RatingChannel::Evaluator,
    };
    let command = Command::Rate {
        window,
        level: body.level,
        reasons: if body.level.is_bad() {
            body.reasons
        } else {
            Vec::new()
        },
        comment: body.comment,
        channel,
    };
    let rated = state
        .hall
        .execute_checked(
            command,
            visit_check(window, body.ticket),
            move |engine, _| {
                let t = engine
                    .window(window)
                    .and_then(|w| w.last_finished)
                    .and_then(|id| engine.ticket(id));
                let follow_up = t.and_then(|t| {
                    engine
                        .followups()
                        .filter(|f| f.ticket == t.id)
                        .map(|f| f.id.0)
                        .max()
                });
                RatedDto {
                    number: t.map(|t| t.number.0.clone()).unwrap_or_default(),
                    level: body.level.get(),
                    follow_up,
                }
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(rated)))
}

#[utoipa::path(post, path = "/api/v1/windows/{n}/rating/decline", tag = "ratings",
    security(("token" = [])), params(("n" = u16, Path, description = "window number")),
    request_body(content = Option<DeclineBody>, description = "optional: the visit given up on"),
    responses((status = 204), (status = 409, body = ErrorBody)))]
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path(n): Path<u16>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let window = check_window(&state, &caller, n, &[DeviceRole::Evaluator])?;
    // The body is optional: none, or `{"ticket": id}`.
    let ticket = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<DeclineBody>(&body)
            .map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_request",
                    "请求内容不正确",
                    e.to_string(),
                )
            })?
            .ticket
    };
    state
        .hall
        .execute_checked(
            Command::DeclineRating { window },
            visit_check(window, ticket),
            |_, _| (),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    /// The visit the evaluator gave up on; refused when the window moved on.
    #[serde(default)]
    pub ticket: Option<u64>,
}

/// Refuses a rating for `ticket` when it is not the visit window `n` finished last.
fn visit_check(
    window: WindowNo,
    ticket: Option<u64>,
) -> impl FnOnce(&crate::core::Engine) -> Result<(), Rejected> + Send + 'static {
    move |engine| match ticket {
        Some(id)
            if engine
                .window(window)
                .and_then(|w| w.last_finished)
                .map(|t| t.0)
                != Some(id) =>
        {
            Err(Rejected::NothingToRate(window))
        }
        _ => Ok(()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RangeQuery {
    /// First business day (YYYY-MM-DD), default today.
    pub from: Option<String>,
    /// Last business day (YYYY-MM-DD), default `from`.
    pub to: Option<String>,
}

fn parse_day(text: &str, name: &str) -> Result<Date, ApiError> {
    text.parse().map_err(|_| {
        ApiError::bad_request(
            "invalid_date",
            "日期格式应为 YYYY-MM-DD",
            format!("{name}={text:?} is not a date"),
        )
    })
}

async fn today(state: &AppState) -> Result<Date, ApiError> {
    let day = state.hall.query(|engine, _| engine.day()).await?;
    day.map(|d| d.0)
        .ok_or_else(|| Rejected::NoBusinessDay.into())
}

#[utoipa::path(get, path = "/api/v1/ratings", tag = "ratings", security(("token" = [])),
    params(RangeQuery), responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RangeQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(&[])?;
    let from = match &q.from {
        Some(t) => parse_day(t, "from")?,
        None => today(&state).await?,
    };
    let to = match &q.to {
        Some(t) => parse_day(t, "to")?,
        None => from,
    };
    let rows: Vec<RatingRow> = with_store(&state, move |s| s.ratings(from, to)).await?;
    Ok(Json(
        serde_json::json!({ "from": from, "to": to, "ratings": rows }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FollowUpQuery {
    /// open | called_back | rectified | follow_up_rated | closed
    pub state: Option<String>,
    /// Only orders past a deadline.
    #[serde(default)]
    pub overdue: bool,
    /// Include closed orders (default false).
    #[serde(default)]
    pub all: bool,
}

/// A follow-up with its overdue flag at the time of the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpDto {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub order: FollowUpRow,
    /// callback | rectification, when a deadline has passed.
    pub overdue: Option<String>,
}

fn parse_follow_up_state(s: &str) -> Result<FollowUpState, ApiError> {
    FollowUpState::parse(s).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_state",
            "状态不正确",
            format!("unknown follow-up state {s:?}"),
        )
    })
}

#[utoipa::path(get, path = "/api/v1/followups", tag = "ratings", security(("token" = [])),
    params(FollowUpQuery), responses((status = 200, body = [FollowUpDto]), (status = 403, body = ErrorBody)))]
pub async fn followups(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FollowUpQuery>,
) -> Result<Json<Vec<FollowUpDto>>, ApiError> {
    caller.require(&[])?;
    let filter = FollowUpFilter {
        state: q.state.as_deref().map(parse_follow_up_state).transpose()?,
        open_only: !q.all && q.state.is_none(),
    };
    let rows = with_store(&state, move |s| s.followups(&filter)).await?;
    let now = state.hall.query(|_, now| now).await?;
    Ok(Json(
        rows.into_iter()
            .map(|order| {
                let overdue = order.overdue(now).map(|o| match o {
                    crate::core::Overdue::Callback => "callback".to_string(),
                    crate::core::Overdue::Rectification => "rectification".to_string(),
                });
                FollowUpDto { order, overdue }
            })
            .filter(|dto| !q.overdue || dto.overdue.is_some())
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpBody {
    /// The new state (the same state only adds a note).
    pub state: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub by: Option<String>,
    /// The follow-up rating (1–5), required with `follow_up_rated`.
    #[serde(default)]
    #[schema(value_type = Option<u8>)]
    pub follow_up_level: Option<RatingLevel>,
}

#[utoipa::path(post, path = "/api/v1/followups/{id}", tag = "ratings", security(("token" = [])),
    params(("id" = u64, Path, description = "follow-up id")), request_body = FollowUpBody,
    responses((status = 200, body = FollowUpDto), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn update_followup(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<u64>,
    ApiJson(body): ApiJson<FollowUpBody>,
) -> Result<Json<FollowUpDto>, ApiError> {
    caller.require(&[])?;
    let update = FollowUpUpdate {
        id: FollowUpId(id),
        state: parse_follow_up_state(&body.state)?,
        note: body.note,
        by: body.by.or_else(|| Some(caller.name.clone())),
        follow_up_level: body.follow_up_level,
    };
    state
        .hall
        .execute(Command::UpdateFollowUp(update), |_, _| ())
        .await?;
    let order = with_store(&state, move |s| s.followup(id))
        .await?
        .ok_or_else(|| ApiError::from(Rejected::UnknownFollowUp(FollowUpId(id))))?;
    let now = state.hall.query(|_, now| now).await?;
    let overdue = order.overdue(now).map(|o| format!("{o:?}").to_lowercase());
    Ok(Json(FollowUpDto { order, overdue }))
}

/// A staff member's own figures today (what the window terminal may show staff).
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffSummary {
    pub staff: Option<StaffDto>,
    pub day: Option<String>,
    /// Ratings per level, index 0 = level 1 (非常不满意) … 4 = level 5 (非常满意).
    pub levels: [u32; 5],
    pub rated: u32,
    /// Levels 3–5 over rated, 0–100; `null` before the first rating.
    pub satisfaction_percent: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/windows/{n}/ratings/summary", tag = "ratings",
    security(("token" = [])), params(("n" = u16, Path, description = "window number")),
    responses((status = 200, body = StaffSummary), (status = 403, body = ErrorBody)))]
pub async fn staff_summary(
    State(state): State<AppState>,
    caller: Caller,
    Path(n): Path<u16>,
) -> Result<Json<StaffSummary>, ApiError> {
    let window = check_window(&state, &caller, n, &[DeviceRole::Window])?;
    let (staff, day) = state
        .hall
        .query(move |engine, _| {
            let staff = engine.window(window).and_then(|w| w.staff.clone());
            let name = staff
                .as_ref()
                .and_then(|id| engine.rules().staff_member(id))
                .map(|s| s.name.clone());
            (
                staff.map(|id| StaffDto {
                    id: id.0,
                    name: name.unwrap_or_default(),
                }),
                engine.day().map(|d| d.0),
            )
        })
        .await?;
    let levels = match (&staff, day) {
        (Some(s), Some(day)) => {
            let id = s.id.clone();
            with_store(&state, move |store| store.staff_levels(&id, day)).await?
        }
        _ => [0; 5],
    };
    let rated: u32 = levels.iter().sum();
    let satisfied: u32 = levels[2..].iter().sum();
    Ok(Json(StaffSummary {
        staff,
        day: day.map(|d| d.to_string()),
        levels,
        rated,
        satisfaction_percent: (rated > 0)
            .then(|| (f64::from(satisfied) * 1000.0 / f64::from(rated)).round() / 10.0),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DayQuery {
    /// Business day (YYYY-MM-DD), default today.
    pub day: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports/daily", tag = "ratings", security(("token" = [])),
    params(DayQuery), responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub async fn daily_report(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DayQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(&[])?;
    let day = match &q.day {
        Some(t) => parse_day(t, "day")?,
        None => today(&state).await?,
    };
    let now = state.hall.query(|_, now| now).await?;
    let path = state.hall.store_path().to_path_buf();
    let config = state.config.clone();
    let report =
        tokio::task::spawn_blocking(move || crate::report::daily_json(&path, &config, day, now))
            .await
            .map_err(|e| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "report_failed",
                    "报表生成失败",
                    e.to_string(),
                )
            })?
            .map_err(|e| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "report_failed",
                    "报表生成失败",
                    e.to_string(),
                )
            })?;
    Ok(Json(report))
}
