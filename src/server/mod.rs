//! The LAN API (axum): JSON over HTTP with device tokens, and the event stream.

mod appointments;
mod auth;
mod devices;
pub mod dto;
pub mod error;
pub mod events;
mod health;
mod openapi;
mod ratings;
mod read;
mod routes;
mod windows;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::watch;
use utoipa::OpenApi;

pub use auth::Caller;
pub use devices::{
    ComponentHealth, DeviceHealthDto, LINK_COMPONENT, LocalDeviceList, LocalDevices,
};
pub use openapi::ApiDoc;

use crate::config::HallConfig;
use crate::hall::Hall;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub hall: Hall,
    pub config: Arc<HallConfig>,
    tokens: Arc<HashMap<String, Caller>>,
    shutdown: watch::Receiver<bool>,
    devices: devices::DeviceBoard,
    local: LocalDeviceList,
    /// When this server started (uptime in GET /api/v1/health/devices).
    started: std::time::Instant,
}

/// All routes, with the body limit from the configuration.
/// `local`: the devices this server drives itself (RS-485 buses, LED screens, voice), listed
/// in the device health with the token devices.
pub fn router(
    hall: Hall,
    config: Arc<HallConfig>,
    local: LocalDeviceList,
    shutdown: watch::Receiver<bool>,
) -> Router {
    let limit = config.server.max_body_bytes;
    let state = AppState {
        hall,
        tokens: Arc::new(auth::token_table(&config.devices)),
        config,
        shutdown,
        devices: devices::DeviceBoard::default(),
        local,
        started: std::time::Instant::now(),
    };
    Router::new()
        .route("/api/v1/health", get(routes::health))
        .route(
            "/api/v1/openapi.json",
            get(|| async { axum::Json(ApiDoc::openapi()) }),
        )
        .route("/api/v1/services", get(routes::services))
        .route("/api/v1/tickets", post(routes::issue).get(routes::tickets))
        .route("/api/v1/tickets/{ticket}", get(routes::ticket))
        .route("/api/v1/tickets/{ticket}/print", post(routes::record_print))
        .route("/api/v1/windows", get(windows::windows))
        .route("/api/v1/windows/{n}", get(windows::window))
        .route("/api/v1/windows/{n}/call-next", post(windows::call_next))
        .route("/api/v1/windows/{n}/call", post(windows::call_specific))
        .route("/api/v1/windows/{n}/recall", post(windows::recall))
        .route("/api/v1/windows/{n}/no-show", post(windows::no_show))
        .route("/api/v1/windows/{n}/hold", post(windows::hold))
        .route(
            "/api/v1/windows/{n}/resume-held",
            post(windows::resume_held),
        )
        .route("/api/v1/windows/{n}/transfer", post(windows::transfer))
        .route("/api/v1/windows/{n}/pause", post(windows::pause))
        .route("/api/v1/windows/{n}/resume", post(windows::resume))
        .route("/api/v1/windows/{n}/finish", post(windows::finish))
        .route("/api/v1/windows/{n}/sign-in", post(windows::sign_in))
        .route("/api/v1/windows/{n}/sign-out", post(windows::sign_out))
        .route(
            "/api/v1/windows/{n}/rating",
            get(ratings::view).post(ratings::rate),
        )
        .route("/api/v1/windows/{n}/rating/decline", post(ratings::decline))
        .route(
            "/api/v1/windows/{n}/ratings/summary",
            get(ratings::staff_summary),
        )
        .route("/api/v1/ratings", get(ratings::list))
        .route("/api/v1/reports/daily", get(ratings::daily_report))
        .route("/api/v1/followups", get(ratings::followups))
        .route("/api/v1/followups/{id}", post(ratings::update_followup))
        .route("/api/v1/appointments", post(appointments::import))
        .route("/api/v1/events", get(events::events))
        .route("/api/v1/devices", get(devices::list))
        .route("/api/v1/devices/health", post(devices::report))
        .route("/api/v1/health/devices", get(health::devices_health))
        .fallback(|| async {
            error::ApiError::not_found("no such route: see /api/v1/openapi.json")
        })
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Serves the API on `listener` until `shutdown` resolves; open event streams are closed
/// then, so the server stops promptly.
pub async fn serve(
    listener: TcpListener,
    hall: Hall,
    config: Arc<HallConfig>,
    local: LocalDeviceList,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let app = router(hall, config, local, stop_rx);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        })
        .await
}
