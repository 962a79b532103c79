//! Device health: kiosks, displays and other devices report their parts (printer, LED bus,
//! sound) here; admins read the whole picture. Kept in memory: after a restart every device
//! reports again within its health period.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::auth::Caller;
use super::error::{ApiError, ApiJson, ErrorBody};

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

/// Latest report per (device, component).
#[derive(Clone, Default)]
pub struct DeviceBoard(Arc<Mutex<BTreeMap<(String, String), ComponentHealth>>>);

impl DeviceBoard {
    fn record(&self, device: &str, health: ComponentHealth) {
        if let Ok(mut map) = self.0.lock() {
            map.insert((device.to_string(), health.component.clone()), health);
        }
    }

    fn components(&self, device: &str) -> Vec<ComponentHealth> {
        match self.0.lock() {
            Ok(map) => map
                .iter()
                .filter(|((d, _), _)| d == device)
                .map(|(_, h)| h.clone())
                .collect(),
            Err(_) => Vec::new(),
        }
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

/// Every configured device with its last reports, then the devices the server drives itself.
pub(super) fn collect(state: &AppState) -> Vec<DeviceHealthDto> {
    state
        .config
        .devices
        .iter()
        .map(|d| {
            let components = state.devices.components(&d.name);
            DeviceHealthDto {
                device: d.name.clone(),
                role: d.role.as_str().to_string(),
                window: d.window,
                last_report: components.iter().map(|c| c.reported_at.clone()).max(),
                needs_attention: components
                    .iter()
                    .any(|c| !matches!(c.status.as_str(), "ready" | "ok")),
                components,
            }
        })
        .chain(state.local.iter().flat_map(|d| d.health()))
        .collect()
}
