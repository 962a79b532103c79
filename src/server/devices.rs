//! Device health: kiosks, displays and other devices report their parts (printer, LED bus,
//! sound) here; admins read the whole picture. Every request with a device's token also
//! counts as a sign of life: a device quiet for `[server].device_offline_after_s` gets a
//! `link` part that says `offline`. Kept in memory: after a restart every device speaks and
//! reports again within its health period.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::auth::Caller;
use super::error::{ApiError, ApiJson, ErrorBody};
use crate::config::DeviceRole;

/// Statuses a component may report (printer statuses and generic ones).
pub const STATUSES: &[&str] = &[
    "ready",
    "near_end",
    "paper_out",
    "cover_open",
    "cutter_error",
    "offline",
    "unknown",
    "ok",
    "degraded",
    "error",
];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthReport {
    /// The part reporting, e.g. "printer", "led-bus", "speaker".
    pub component: String,
    /// ready | near_end | paper_out | cover_open | cutter_error | offline | unknown | ok | degraded | error
    pub status: String,
    /// Short English detail for technicians.
    #[serde(default)]
    pub detail: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ComponentHealth {
    pub component: String,
    pub status: String,
    pub detail: Option<String>,
    pub reported_at: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DeviceHealthDto {
    pub device: String,
    pub role: String,
    pub window: Option<u16>,
    /// When the device last reported, if ever since the server started.
    pub last_report: Option<String>,
    pub components: Vec<ComponentHealth>,
    /// Some component is not ready/ok (near_end counts as a warning, not a fault).
    pub needs_attention: bool,
}

/// Devices the hall server drives itself (RS-485 keypads, LED screens, voice): they have no
/// token and report through this instead of `POST /devices/health`.
pub trait LocalDevices: Send + Sync {
    fn health(&self) -> Vec<DeviceHealthDto>;
}

/// Everything the server drives itself.
pub type LocalDeviceList = Arc<Vec<Arc<dyn LocalDevices>>>;

/// The part under which the server reports whether it hears from a device at all.
pub const LINK_COMPONENT: &str = "link";

/// Latest report per (device, component), and when each device was last heard from.
#[derive(Clone, Default)]
pub struct DeviceBoard(Arc<Mutex<Board>>);

#[derive(Default)]
struct Board {
    reports: BTreeMap<(String, String), ComponentHealth>,
    /// Monotonic (a Pi may boot with a wrong wall clock) and the wall time for display.
    seen: BTreeMap<String, (Instant, Timestamp)>,
}

impl DeviceBoard {
    fn record(&self, device: &str, health: ComponentHealth) {
        if let Ok(mut board) = self.0.lock() {
            board
                .reports
                .insert((device.to_string(), health.component.clone()), health);
        }
    }

    /// A request with this device's token arrived (any route, the event stream included).
    pub fn seen(&self, device: &str) {
        if let Ok(mut board) = self.0.lock() {
            board
                .seen
                .insert(device.to_string(), (Instant::now(), Timestamp::now()));
        }
    }

    fn components(&self, device: &str) -> Vec<ComponentHealth> {
        match self.0.lock() {
            Ok(board) => board
                .reports
                .iter()
                .filter(|((d, _), _)| d == device)
                .map(|(_, h)| h.clone())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    fn last_seen(&self, device: &str) -> Option<(Instant, Timestamp)> {
        self.0.lock().ok()?.seen.get(device).copied()
    }
}

/// Whether the server hears from a device: `ok` while its requests keep coming, `offline`
/// once it has been quiet for `offline_after` (or never spoke while the server has run that
/// long). `None` while a device that never spoke may still be starting up.
fn link_health(
    last_seen: Option<(Instant, Timestamp)>,
    started: Instant,
    now: Instant,
    offline_after: Duration,
) -> Option<ComponentHealth> {
    let link = |status: &str, detail: Option<String>, at: String| ComponentHealth {
        component: LINK_COMPONENT.to_string(),
        status: status.to_string(),
        detail,
        reported_at: at,
    };
    match last_seen {
        Some((at, wall)) => {
            let quiet = now.saturating_duration_since(at);
            if quiet < offline_after {
                Some(link("ok", None, wall.to_string()))
            } else {
                Some(link(
                    "offline",
                    Some(format!("no request for {}", quiet_for(quiet))),
                    wall.to_string(),
                ))
            }
        }
        None if now.saturating_duration_since(started) >= offline_after => Some(link(
            "offline",
            Some("not heard from since the server started".to_string()),
            // Reported by the server now: there is no time of the device's own.
            Timestamp::now().to_string(),
        )),
        None => None,
    }
}

/// "45s", "3m 10s", "2h 5m".
fn quiet_for(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {}s", s / 60, s % 60),
        _ => format!("{}h {}m", s / 3600, s % 3600 / 60),
    }
}

/// A device reports the health of one of its parts.
#[utoipa::path(post, path = "/api/v1/devices/health", tag = "devices", security(("token" = [])),
    request_body = HealthReport,
    responses((status = 204, description = "recorded"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<HealthReport>,
) -> Result<StatusCode, ApiError> {
    let component = body.component.trim();
    if component.is_empty() || component.len() > 64 {
        return Err(ApiError::bad_request(
            "invalid_component",
            "设备部件名称不正确",
            "component must be 1-64 characters",
        ));
    }
    if !STATUSES.contains(&body.status.as_str()) {
        return Err(ApiError::bad_request(
            "invalid_status",
            "设备状态不正确",
            format!("unknown status {:?}", body.status),
        ));
    }
    let detail = body.detail.map(|d| d.chars().take(200).collect::<String>());
    if !matches!(body.status.as_str(), "ready" | "ok") {
        tracing::warn!(device = %caller.name, component, status = %body.status, detail = detail.as_deref().unwrap_or(""), "device reports a problem");
    }
    state.devices.record(
        &caller.name,
        ComponentHealth {
            component: component.to_string(),
            status: body.status,
            detail,
            reported_at: Timestamp::now().to_string(),
        },
    );
    Ok(StatusCode::NO_CONTENT)
}

/// Every configured device with the last health its parts reported (admin).
#[utoipa::path(get, path = "/api/v1/devices", tag = "devices", security(("token" = [])),
    responses((status = 200, body = [DeviceHealthDto]), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<DeviceHealthDto>>, ApiError> {
    caller.require(&[])?;
    Ok(Json(collect(&state)))
}

/// Every configured device with its last reports and whether it is heard from, then the
/// devices the server drives itself. Admin tokens are people's, not hardware: no link part.
pub(super) fn collect(state: &AppState) -> Vec<DeviceHealthDto> {
    let now = Instant::now();
    let offline_after = Duration::from_secs(state.config.server.device_offline_after_s);
    state
        .config
        .devices
        .iter()
        .map(|d| {
            let mut components = state.devices.components(&d.name);
            if d.role != DeviceRole::Admin
                && let Some(link) = link_health(
                    state.devices.last_seen(&d.name),
                    state.started,
                    now,
                    offline_after,
                )
            {
                components.insert(0, link);
            }
            DeviceHealthDto {
                device: d.name.clone(),
                role: d.role.as_str().to_string(),
                window: d.window,
                last_report: components
                    .iter()
                    .filter(|c| c.component != LINK_COMPONENT)
                    .map(|c| c.reported_at.clone())
                    .max(),
                needs_attention: components
                    .iter()
                    .any(|c| !matches!(c.status.as_str(), "ready" | "ok")),
                components,
            }
        })
        .chain(state.local.iter().flat_map(|d| d.health()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Duration = Duration::from_secs(120);

    #[test]
    fn a_device_heard_from_lately_is_ok_and_a_quiet_one_offline() {
        let started = Instant::now();
        let wall = Timestamp::UNIX_EPOCH;
        let now = started + Duration::from_secs(600);
        let lately = link_health(
            Some((now - Duration::from_secs(5), wall)),
            started,
            now,
            LIMIT,
        );
        let lately = lately.expect("a device that spoke has a link part");
        assert_eq!(
            (lately.component.as_str(), lately.status.as_str()),
            ("link", "ok")
        );
        assert_eq!(lately.reported_at, wall.to_string());
        let quiet = link_health(
            Some((now - Duration::from_secs(190), wall)),
            started,
            now,
            LIMIT,
        )
        .expect("link part");
        assert_eq!(quiet.status, "offline");
        assert_eq!(quiet.detail.as_deref(), Some("no request for 3m 10s"));
    }

    #[test]
    fn a_device_never_heard_from_is_offline_only_after_the_grace() {
        let started = Instant::now();
        assert!(link_health(None, started, started + Duration::from_secs(119), LIMIT).is_none());
        let late = link_health(None, started, started + LIMIT, LIMIT).expect("link part");
        assert_eq!(late.status, "offline");
        assert_eq!(
            late.detail.as_deref(),
            Some("not heard from since the server started")
        );
    }

    #[test]
    fn quiet_times_read_naturally() {
        assert_eq!(quiet_for(Duration::from_secs(45)), "45s");
        assert_eq!(quiet_for(Duration::from_secs(190)), "3m 10s");
        assert_eq!(quiet_for(Duration::from_secs(7500)), "2h 5m");
    }

    #[test]
    fn the_board_remembers_who_spoke() {
        let board = DeviceBoard::default();
        assert!(board.last_seen("kiosk-1").is_none());
        board.seen("kiosk-1");
        assert!(board.last_seen("kiosk-1").is_some());
        assert!(board.last_seen("kiosk-2").is_none());
    }
}
