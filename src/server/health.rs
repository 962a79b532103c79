//! `GET /api/v1/health/devices` (admin): the hall's health at a glance, for `hallq status`
//! and monitoring: every device (as `GET /api/v1/devices`), the upload backlog, the clock
//! alarm, the store's size, the server's uptime, and the list of what needs attention.

use std::path::Path;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::auth::Caller;
use super::devices::{self, DeviceHealthDto};
use super::error::{ApiError, ErrorBody};

/// Name of the uploader's entry among the local devices (see `crate::upload`).
pub const UPLOAD_DEVICE: &str = "upload";
/// How long the hall thread may take to answer before it counts as not answering.
const HALL_ANSWER_WITHIN: Duration = Duration::from_secs(5);

#[derive(Debug, Serialize, ToSchema)]
pub struct HallHealth {
    /// ok | attention
    pub status: String,
    /// What needs attention, one English line each (empty when all is well).
    pub attention: Vec<String>,
    pub hall: String,
    pub version: String,
    /// Seconds since this server started.
    pub uptime_s: u64,
    /// The server's time of this answer (RFC 3339); report times are relative to it.
    pub checked_at: String,
    /// The system clock went back while running (tickets may be out of order); cleared
    /// when the clock is past the last event again. `None` if the hall thread did not answer.
    pub clock_alarm: Option<bool>,
    pub store: StoreSizeDto,
    /// The uploader's backlog, when the server has an `upload` device.
    pub upload: Option<UploadHealthDto>,
    /// The same list as `GET /api/v1/devices`.
    pub devices: Vec<DeviceHealthDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StoreSizeDto {
    pub path: String,
    /// The database plus its write-ahead log.
    pub size_bytes: u64,
    pub db_bytes: u64,
    pub wal_bytes: u64,
    /// Sequence number of the last committed event.
    pub last_seq: u64,
    /// ok | error | broken
    pub status: String,
    /// The last failed commit (cleared by the next successful one).
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadHealthDto {
    /// ok | degraded | error (the `platform` component of device `upload`)
    pub status: String,
    /// The backlog gauge, e.g. "pending 12, oldest 3m 20s, failing 4; last error: …".
    pub detail: Option<String>,
    /// Records waiting to be sent, read from the gauge.
    pub pending: Option<u64>,
}

/// The hall's health at a glance (admin).
#[utoipa::path(get, path = "/api/v1/health/devices", tag = "devices", security(("token" = [])),
    responses((status = 200, body = HallHealth), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn devices_health(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<HallHealth>, ApiError> {
    caller.require(&[])?;
    let devices = devices::collect(&state);
    let clock_alarm = tokio::time::timeout(
        HALL_ANSWER_WITHIN,
        state.hall.query(|engine, _| engine.clock_alarm()),
    )
    .await
    .ok()
    .and_then(Result::ok);
    let store = store_size(&state);
    let upload = devices
        .iter()
        .find(|d| d.device == UPLOAD_DEVICE)
        .map(upload_health);

    let mut attention = Vec::new();
    match clock_alarm {
        None => attention.push(format!(
            "hall thread: no answer within {} s",
            HALL_ANSWER_WITHIN.as_secs()
        )),
        Some(true) => attention.push(
            "clock: the system clock went back; check time sync (tickets may be out of order)"
                .to_string(),
        ),
        Some(false) => {}
    }
    if store.status != "ok" {
        attention.push(format!(
            "store: {} ({})",
            store.status,
            store.error.as_deref().unwrap_or("restart hallq")
        ));
    }
    for device in devices.iter().filter(|d| d.needs_attention) {
        attention.extend(device_problems(device));
    }

    Ok(Json(HallHealth {
        status: if attention.is_empty() {
            "ok"
        } else {
            "attention"
        }
        .to_string(),
        attention,
        hall: state.config.hall.name.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        uptime_s: state.started.elapsed().as_secs(),
        checked_at: Timestamp::now().to_string(),
        clock_alarm,
        store,
        upload,
        devices,
    }))
}

/// One line per component that is not ready/ok, e.g. "kiosk-1 printer: paper_out (detail)".
fn device_problems(device: &DeviceHealthDto) -> Vec<String> {
    let lines: Vec<String> = device
        .components
        .iter()
        .filter(|c| !matches!(c.status.as_str(), "ready" | "ok"))
        .map(|c| {
            let mut line = format!("{} {}: {}", device.device, c.component, c.status);
            if let Some(detail) = c.detail.as_deref().filter(|d| !d.is_empty()) {
                line.push_str(&format!(" ({detail})"));
            }
            line
        })
        .collect();
    if lines.is_empty() {
        vec![format!("{}: needs attention", device.device)]
    } else {
        lines
    }
}

fn store_size(state: &AppState) -> StoreSizeDto {
    let hall = &state.hall;
    let path = hall.store_path();
    let db_bytes = file_size(path);
    let wal_bytes = file_size(&wal_path(path));
    let health = hall.health();
    let error = health.last_error();
    let status = if health.is_broken() {
        "broken"
    } else if error.is_some() {
        "error"
    } else {
        "ok"
    };
    StoreSizeDto {
        path: path.display().to_string(),
        size_bytes: db_bytes + wal_bytes,
        db_bytes,
        wal_bytes,
        last_seq: health.last_seq(),
        status: status.to_string(),
        error,
    }
}

/// SQLite's write-ahead log beside the database: `<db>-wal`.
fn wal_path(db: &Path) -> std::path::PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push("-wal");
    name.into()
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn upload_health(device: &DeviceHealthDto) -> UploadHealthDto {
    let component = device
        .components
        .iter()
        .find(|c| c.component == "platform")
        .or(device.components.first());
    let detail = component.and_then(|c| c.detail.clone());
    UploadHealthDto {
        status: component
            .map(|c| c.status.clone())
            .unwrap_or_else(|| "unknown".to_string()),
        pending: detail.as_deref().and_then(pending_from_gauge),
        detail,
    }
}

/// The number after "pending " in the uploader's gauge ("pending 12, oldest 3m 20s").
fn pending_from_gauge(detail: &str) -> Option<u64> {
    let rest = &detail[detail.find("pending ")? + "pending ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::ComponentHealth;

    fn device(name: &str, parts: &[(&str, &str, Option<&str>)]) -> DeviceHealthDto {
        DeviceHealthDto {
            device: name.to_string(),
            role: "kiosk".to_string(),
            window: None,
            last_report: None,
            needs_attention: true,
            components: parts
                .iter()
                .map(|(c, s, d)| ComponentHealth {
                    component: c.to_string(),
                    status: s.to_string(),
                    detail: d.map(str::to_string),
                    reported_at: "2026-11-23T02:00:00Z".to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn pending_is_read_from_the_gauge() {
        assert_eq!(pending_from_gauge("pending 12, oldest 3m 20s"), Some(12));
        assert_eq!(
            pending_from_gauge("not configured, nothing is sent; pending 0"),
            Some(0)
        );
        assert_eq!(pending_from_gauge("backlog unknown"), None);
        assert_eq!(pending_from_gauge("outbox not read yet"), None);
    }

    #[test]
    fn problems_name_the_device_part_and_status() {
        let d = device(
            "kiosk-1",
            &[
                ("printer", "paper_out", Some("no paper")),
                ("net", "ok", None),
            ],
        );
        assert_eq!(
            device_problems(&d),
            vec!["kiosk-1 printer: paper_out (no paper)"]
        );
        let empty = device("display-1", &[]);
        assert_eq!(device_problems(&empty), vec!["display-1: needs attention"]);
    }

    #[test]
    fn upload_passes_the_platform_component_through() {
        let d = device(
            "upload",
            &[("platform", "degraded", Some("pending 3, failing 1"))],
        );
        let u = upload_health(&d);
        assert_eq!(u.status, "degraded");
        assert_eq!(u.pending, Some(3));
        assert_eq!(u.detail.as_deref(), Some("pending 3, failing 1"));
    }

    #[test]
    fn the_wal_sits_beside_the_database() {
        assert_eq!(
            wal_path(Path::new("/var/lib/hallq/hall.db")),
            Path::new("/var/lib/hallq/hall.db-wal")
        );
    }
}
