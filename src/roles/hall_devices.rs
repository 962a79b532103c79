//! The devices `hallq serve` drives itself: RS-485 caller keypads and 5-key evaluators,
//! voice zones (and LED screens). Each runs on its own thread; this module starts them,
//! keeps them fed from the hall's events and turns their health into device health.

use std::sync::Arc;

use tokio::runtime::Handle;

use super::evaluators::{HallEvaluators, follow_ratings, rating_timeout_s};
use super::keypads::{HallKeypads, follow_displays};
use crate::config::HallConfig;
use crate::devices::bus::{BusActions, BusHandle, BusHealth};
use crate::devices::led::LedHandle;
use crate::hall::Hall;
use crate::server::{ComponentHealth, DeviceHealthDto, LocalDevices};
use crate::voice::AnnouncerHandle;

/// What is running; dropping it stops the device threads.
pub struct HallDevices {
    pub local: Vec<Arc<dyn LocalDevices>>,
    pub buses: Vec<BusHandle>,
    pub voice: Vec<AnnouncerHandle>,
    pub led: Option<LedHandle>,
    followers: Vec<tokio::task::AbortHandle>,
}

/// Stops the device tasks and bus threads, which hold hall handles: call it when shutdown
/// begins, so the hall thread can finish its last batch and end.
#[derive(Clone)]
pub struct DeviceStopper {
    followers: Vec<tokio::task::AbortHandle>,
    buses: Vec<BusHandle>,
}

impl DeviceStopper {
    pub fn stop(&self) {
        for task in &self.followers {
            task.abort();
        }
        for bus in &self.buses {
            bus.stop();
        }
    }
}

impl HallDevices {
    pub fn stopper(&self) -> DeviceStopper {
        DeviceStopper {
            followers: self.followers.clone(),
            buses: self.buses.clone(),
        }
    }
}

/// Starts every configured bus. A bus whose port cannot be opened is logged and listed as
/// offline in device health; the server runs without it.
pub fn start(config: &Arc<HallConfig>, hall: &Hall, runtime: &Handle) -> HallDevices {
    let mut local: Vec<Arc<dyn LocalDevices>> = Vec::new();
    let mut buses = Vec::new();
    let mut followed = Vec::new();
    let mut rated = Vec::new();
    let mut followers = Vec::new();
    for bus in &config.buses {
        if bus.keypads.is_empty() && bus.evaluators.is_empty() {
            continue;
        }
        let actions = BusActions {
            keypads: Arc::new(HallKeypads::new(
                hall.clone(),
                runtime.clone(),
                Arc::clone(config),
            )),
            evaluators: Arc::new(HallEvaluators::new(hall.clone(), runtime.clone())),
            rating_timeout_s: rating_timeout_s(config),
        };
        match BusHandle::spawn_with(bus.clone(), actions) {
            Ok(handle) => {
                tracing::info!(bus = %bus.name, port = %bus.port.display(), keypads = ?bus.keypads,
                    evaluators = ?bus.evaluators, "RS-485 bus started");
                if !bus.keypads.is_empty() {
                    followed.push((handle.clone(), bus.keypads.clone()));
                }
                if !bus.evaluators.is_empty() {
                    rated.push((handle.clone(), bus.evaluators.clone()));
                }
                local.push(Arc::new(BusDevices(handle.clone())));
                buses.push(handle);
            }
            Err(err) => {
                tracing::error!(bus = %bus.name, "RS-485 bus not started: {err}");
                local.push(Arc::new(DeadBus {
                    name: bus.name.clone(),
                    error: err.to_string(),
                }));
            }
        }
    }
    if !followed.is_empty() {
        followers.push(
            runtime
                .spawn(follow_displays(hall.clone(), followed))
                .abort_handle(),
        );
    }
    if !rated.is_empty() {
        followers.push(
            runtime
                .spawn(follow_ratings(hall.clone(), rated))
                .abort_handle(),
        );
    }
    let (voice, zones) = super::announce::start_zones(config);
    local.extend(zones);
    followers.push(
        runtime
            .spawn(super::announce::follow_calls(hall.clone(), voice.clone()))
            .abort_handle(),
    );
    let led = super::screens::start(config).map(|(led, health)| {
        local.push(health);
        let windows = config.displays.screens.iter().map(|s| s.window).collect();
        let task = runtime.spawn(super::screens::follow_windows(
            hall.clone(),
            led.clone(),
            windows,
        ));
        followers.push(task.abort_handle());
        led
    });
    HallDevices {
        local,
        buses,
        voice,
        led,
        followers,
    }
}

impl Drop for HallDevices {
    fn drop(&mut self) {
        self.stopper().stop();
    }
}

/// A running bus as device health: one entry for the bus, one component per device on it
/// (`keypad-N@N`, `evaluator-N@100+N`).
struct BusDevices(BusHandle);

impl LocalDevices for BusDevices {
    fn health(&self) -> Vec<DeviceHealthDto> {
        vec![bus_health(&self.0.health())]
    }
}

pub fn bus_health(h: &BusHealth) -> DeviceHealthDto {
    let now = jiff::Timestamp::now().to_string();
    let mut components = vec![ComponentHealth {
        component: "port".into(),
        status: if h.online { "ok" } else { "offline" }.into(),
        detail: Some(match &h.port_error {
            Some(e) => format!("{}: {e}", h.port),
            None => format!(
                "{}: {} rounds, last {} µs, {} stray frames",
                h.port, h.rounds, h.last_round_us, h.stray_frames
            ),
        }),
        reported_at: now.clone(),
    }];
    for d in &h.devices {
        let window = d.window.map(|w| format!("-{w}")).unwrap_or_default();
        components.push(ComponentHealth {
            component: format!("{}{window}@{}", d.kind, d.address),
            status: if d.online { "ok" } else { "offline" }.into(),
            detail: Some(format!(
                "timeouts {}, crc errors {}, wrong address {}, exceptions {}, {} {}{}",
                d.timeouts,
                d.crc_errors,
                d.wrong_address,
                d.exceptions,
                if d.kind == "evaluator" {
                    "keys"
                } else {
                    "presses"
                },
                d.events,
                d.last_error
                    .as_ref()
                    .map(|e| format!(", last error: {e}"))
                    .unwrap_or_default()
            )),
            reported_at: d.last_seen.clone().unwrap_or_else(|| now.clone()),
        });
    }
    DeviceHealthDto {
        device: format!("bus-{}", h.name),
        role: "bus".into(),
        window: None,
        last_report: Some(now),
        needs_attention: components.iter().any(|c| c.status != "ok"),
        components,
    }
}

/// A bus that could not start.
struct DeadBus {
    name: String,
    error: String,
}

impl LocalDevices for DeadBus {
    fn health(&self) -> Vec<DeviceHealthDto> {
        vec![DeviceHealthDto {
            device: format!("bus-{}", self.name),
            role: "bus".into(),
            window: None,
            last_report: None,
            needs_attention: true,
            components: vec![ComponentHealth {
                component: "port".into(),
                status: "offline".into(),
                detail: Some(self.error.clone()),
                reported_at: jiff::Timestamp::now().to_string(),
            }],
        }]
    }
}
