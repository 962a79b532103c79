//! The hall's calls, said out loud: one announcer per `[[voice.zones]]`, fed from the hall's
//! committed events (a call or a recall is announced only once it is durable).

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::broadcast::error::RecvError;

use crate::config::HallConfig;
use crate::core::Change;
use crate::hall::Hall;
use crate::server::{ComponentHealth, DeviceHealthDto, LocalDevices};
use crate::voice::{Announcement, AnnouncementKind, AnnouncerHandle};

/// Starts every zone; a zone that cannot start is logged and shown offline.
pub fn start_zones(config: &HallConfig) -> (Vec<AnnouncerHandle>, Vec<Arc<dyn LocalDevices>>) {
    let mut zones = Vec::new();
    let mut local: Vec<Arc<dyn LocalDevices>> = Vec::new();
    for zone in &config.voice.zones {
        match AnnouncerHandle::spawn(zone, &config.voice) {
            Ok(handle) => {
                tracing::info!(zone = %zone.name, backend = zone.backend.as_str(), "voice zone started");
                local.push(Arc::new(ZoneDevice(handle.clone())));
                zones.push(handle);
            }
            Err(err) => {
                tracing::error!(zone = %zone.name, "voice zone not started: {err}");
                local.push(Arc::new(DeadZone {
                    zone: zone.name.clone(),
                    error: err.to_string(),
                }));
            }
        }
    }
    (zones, local)
}

/// Announces every call and recall the hall commits, in commit order, until the hall stops.
pub async fn follow_calls(hall: Hall, zones: Vec<AnnouncerHandle>) {
    if zones.is_empty() {
        return;
    }
    let mut events = hall.subscribe();
    loop {
        let stored = match events.recv().await {
            Ok(e) => e,
            Err(RecvError::Lagged(n)) => {
                tracing::warn!(skipped = n, "voice fell behind the hall's events");
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        let (number, window, kind) = match &stored.event.change {
            Change::TicketCalled { number, window, .. } => (number, window, AnnouncementKind::Call),
            Change::TicketRecalled { number, window, .. } => {
                (number, window, AnnouncementKind::Recall)
            }
            _ => continue,
        };
        let announcement = Announcement {
            number: number.as_str().to_string(),
            window: window.0,
            kind,
            enqueued_at: Instant::now(),
        };
        for zone in &zones {
            zone.announce(announcement.clone());
        }
    }
}

struct ZoneDevice(AnnouncerHandle);

impl LocalDevices for ZoneDevice {
    fn health(&self) -> Vec<DeviceHealthDto> {
        let h = self.0.health();
        let now = jiff::Timestamp::now().to_string();
        let detail = format!(
            "queue {}, spoken {}, dropped as stale {}{}",
            h.queue_len,
            h.spoken,
            h.dropped,
            h.last_error
                .as_ref()
                .map(|e| format!(", last error: {e}"))
                .unwrap_or_default()
        );
        vec![DeviceHealthDto {
            device: format!("voice-{}", h.zone),
            role: "voice".into(),
            window: None,
            last_report: Some(now.clone()),
            needs_attention: !h.online,
            components: vec![ComponentHealth {
                component: h.backend.clone(),
                status: if h.online { "ok" } else { "offline" }.into(),
                detail: Some(detail),
                reported_at: now,
            }],
        }]
    }
}

struct DeadZone {
    zone: String,
    error: String,
}

impl LocalDevices for DeadZone {
    fn health(&self) -> Vec<DeviceHealthDto> {
        vec![DeviceHealthDto {
            device: format!("voice-{}", self.zone),
            role: "voice".into(),
            window: None,
            last_report: None,
            needs_attention: true,
            components: vec![ComponentHealth {
                component: "announcer".into(),
                status: "offline".into(),
                detail: Some(self.error.clone()),
                reported_at: jiff::Timestamp::now().to_string(),
            }],
        }]
    }
}
