//! The hall's window LED screens: `[displays]` screens show what their window is doing,
//! from the hall's committed events (a call flashes, then stays; idle, paused, signed out).

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::broadcast::error::RecvError;

use crate::config::HallConfig;
use crate::core::{Change, Engine, WindowNo};
use crate::devices::led::{LedHandle, ScreenHealth, WindowShow};
use crate::hall::Hall;
use crate::server::{ComponentHealth, DeviceHealthDto, LocalDevices};

/// Starts the LED screens of `[displays]`, if any. A screen whose port is missing is shown
/// offline in device health and retried by the LED worker.
pub fn start(config: &HallConfig) -> Option<(LedHandle, Arc<dyn LocalDevices>)> {
    if config.displays.screens.is_empty() {
        return None;
    }
    let names: HashMap<u16, String> = config
        .windows
        .iter()
        .map(|w| (w.number, w.name.clone()))
        .collect();
    match LedHandle::spawn(&config.displays, names) {
        Ok(led) => {
            tracing::info!(
                screens = config.displays.screens.len(),
                "LED screens started"
            );
            Some((led.clone(), Arc::new(Screens(led))))
        }
        Err(err) => {
            tracing::error!("LED screens not started: {err}");
            None
        }
    }
}

/// What a window's screen should show now.
pub fn window_show(engine: &Engine, window: WindowNo) -> Option<WindowShow> {
    let w = engine.window(window)?;
    Some(if w.paused {
        WindowShow::Paused
    } else if w.staff.is_none() && engine.rules().require_sign_in {
        WindowShow::SignedOut
    } else if let Some(t) = w.current.and_then(|id| engine.ticket(id)) {
        WindowShow::Call {
            number: t.number.as_str().to_string(),
        }
    } else {
        WindowShow::Idle
    })
}

/// Keeps the screens in step with the hall until it stops: every screen gets its state at
/// start; a call or recall always (re)flashes; other changes update a screen only when what
/// it should show changed.
pub async fn follow_windows(hall: Hall, led: LedHandle, windows: Vec<u16>) {
    let mut events = hall.subscribe();
    let mut shown: HashMap<u16, WindowShow> = HashMap::new();
    let mut touched: Vec<u16> = windows.clone();
    loop {
        let wanted = touched.clone();
        let states = hall
            .query(move |engine, _| {
                wanted
                    .iter()
                    .filter_map(|n| window_show(engine, WindowNo(*n)).map(|s| (*n, s)))
                    .collect::<Vec<_>>()
            })
            .await;
        let Ok(states) = states else { return };
        for (n, state) in states {
            if shown.get(&n) != Some(&state) {
                led.show(n, state.clone());
                shown.insert(n, state);
            }
        }
        touched.clear();
        let stored = match events.recv().await {
            Ok(e) => e,
            Err(RecvError::Lagged(_)) => {
                touched = windows.clone();
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        match &stored.event.change {
            Change::TicketCalled { number, window, .. }
            | Change::TicketRecalled { number, window, .. } => {
                let state = WindowShow::Call {
                    number: number.as_str().to_string(),
                };
                if windows.contains(&window.0) {
                    led.show(window.0, state.clone());
                    shown.insert(window.0, state);
                }
            }
            Change::TicketMissed { window, .. }
            | Change::TicketHeld { window, .. }
            | Change::TicketFinished { window, .. }
            | Change::WindowPaused { window, .. }
            | Change::WindowResumed { window, .. }
            | Change::StaffSignedIn { window, .. }
            | Change::StaffSignedOut { window, .. } => touched.push(window.0),
            Change::DayStarted { .. } | Change::TicketExpired { .. } => touched = windows.clone(),
            _ => {}
        }
        touched.retain(|n| windows.contains(n));
    }
}

struct Screens(LedHandle);

impl LocalDevices for Screens {
    fn health(&self) -> Vec<DeviceHealthDto> {
        self.0.health().iter().map(screen_health).collect()
    }
}

fn screen_health(h: &ScreenHealth) -> DeviceHealthDto {
    let now = jiff::Timestamp::now().to_string();
    let detail = format!(
        "{} address {}: frames {}, NACKs {}, timeouts {}, garbled {}{}{}",
        h.port,
        h.address,
        h.frames_sent,
        h.nacks,
        h.timeouts,
        h.bad_replies,
        h.showing
            .as_ref()
            .map(|s| format!(", showing {s:?}"))
            .unwrap_or_default(),
        h.last_error
            .as_ref()
            .map(|e| format!(", last error: {e}"))
            .unwrap_or_default()
    );
    DeviceHealthDto {
        device: format!("led-{}", h.window),
        role: "led".into(),
        window: Some(h.window),
        last_report: Some(now.clone()),
        needs_attention: !h.online,
        components: vec![ComponentHealth {
            component: "screen".into(),
            status: if h.online { "ok" } else { "offline" }.into(),
            detail: Some(detail),
            reported_at: now,
        }],
    }
}
