//! Per-device bookkeeping on a polled bus (online/offline, re-probe, error counters) and
//! the health report a bus publishes. Device-family independent: keypads use it now,
//! evaluators and LED displays can reuse it.

use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde::Serialize;

use super::link::TransactError;
use crate::protocol::modbus::FrameError;

/// Failed transactions in a row that make a device offline.
pub const OFFLINE_AFTER: u32 = 3;
/// How often an offline device is probed by default (`reprobe_ms`).
pub const REPROBE_EVERY: Duration = Duration::from_secs(10);

/// One bus as the server reports it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BusHealth {
    pub name: String,
    pub port: String,
    /// The port is open.
    pub online: bool,
    /// Why the port is not open (it vanished, or cannot be reopened).
    pub port_error: Option<String>,
    /// Completed polling rounds.
    pub rounds: u64,
    /// Duration of the last round in microseconds.
    pub last_round_us: u64,
    /// Replies that answered another address or function (late replies, clashes).
    pub stray_frames: u64,
    pub devices: Vec<DeviceHealth>,
}

/// One device on a bus.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceHealth {
    pub address: u8,
    pub window: Option<u16>,
    /// "keypad" (later "evaluator", "led").
    pub kind: String,
    pub online: bool,
    pub timeouts: u64,
    /// Replies with a bad CRC or garbled bytes (an address clash after a device swap).
    pub crc_errors: u64,
    /// Replies that came from another address.
    pub wrong_address: u64,
    /// Exception replies (the device refused a request).
    pub exceptions: u64,
    /// Key presses acted on since the server started.
    pub events: u64,
    pub last_error: Option<String>,
    /// Last valid reply (RFC 3339).
    pub last_seen: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    /// Not heard from since start: polled every round until it answers or fails 3 times.
    Unknown,
    Online,
    Offline {
        next_probe: Instant,
    },
}

/// A transaction outcome as the device bookkeeping sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contact {
    /// The first valid reply since start or since the device was offline.
    First,
    Again,
}

/// Counters and the online state of one device.
#[derive(Clone, Debug)]
pub struct DeviceStats {
    pub address: u8,
    pub window: Option<u16>,
    pub kind: &'static str,
    reprobe: Duration,
    link: Link,
    failures_in_row: u32,
    timeouts: u64,
    crc_errors: u64,
    wrong_address: u64,
    exceptions: u64,
    pub events: u64,
    last_error: Option<String>,
    last_seen: Option<Timestamp>,
}

impl DeviceStats {
    pub fn new(address: u8, window: Option<u16>, kind: &'static str, reprobe: Duration) -> Self {
        DeviceStats {
            address,
            window,
            kind,
            reprobe,
            link: Link::Unknown,
            failures_in_row: 0,
            timeouts: 0,
            crc_errors: 0,
            wrong_address: 0,
            exceptions: 0,
            events: 0,
            last_error: None,
            last_seen: None,
        }
    }

    /// Whether to poll the device in this round.
    pub fn due(&self, now: Instant) -> bool {
        match self.link {
            Link::Offline { next_probe } => now >= next_probe,
            _ => true,
        }
    }

    pub fn online(&self) -> bool {
        self.link == Link::Online
    }

    /// A valid reply arrived.
    pub fn record_ok(&mut self) -> Contact {
        self.failures_in_row = 0;
        self.last_seen = Some(Timestamp::now());
        if self.link == Link::Online {
            Contact::Again
        } else {
            self.link = Link::Online;
            Contact::First
        }
    }

    /// A transaction failed. Returns true when the device just went offline.
    pub fn record_failure(&mut self, error: &TransactError, now: Instant) -> bool {
        match error {
            TransactError::Timeout(_) => self.timeouts += 1,
            TransactError::Frame(FrameError::WrongAddress { .. }) => self.wrong_address += 1,
            TransactError::Frame(FrameError::Exception(_)) => self.exceptions += 1,
            TransactError::Frame(_) => self.crc_errors += 1,
            TransactError::Io(_) => {}
        }
        self.last_error = Some(error.to_string());
        if matches!(error, TransactError::Frame(FrameError::Exception(_))) {
            // The device is there and answering; it refused one request.
            return false;
        }
        self.failures_in_row += 1;
        let next_probe = now + self.reprobe;
        match self.link {
            Link::Offline { .. } => {
                self.link = Link::Offline { next_probe };
                false
            }
            _ if self.failures_in_row >= OFFLINE_AFTER => {
                self.link = Link::Offline { next_probe };
                true
            }
            _ => false,
        }
    }

    /// The port is gone: every device counts as offline and is probed again as soon as it
    /// is back.
    pub fn port_lost(&mut self, now: Instant) {
        self.link = Link::Offline { next_probe: now };
        self.failures_in_row = 0;
    }

    pub fn health(&self) -> DeviceHealth {
        DeviceHealth {
            address: self.address,
            window: self.window,
            kind: self.kind.to_owned(),
            online: self.online(),
            timeouts: self.timeouts,
            crc_errors: self.crc_errors,
            wrong_address: self.wrong_address,
            exceptions: self.exceptions,
            events: self.events,
            last_error: self.last_error.clone(),
            last_seen: self.last_seen.map(|t| t.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_after_three_failures_and_probed_every_ten_seconds() {
        let mut d = DeviceStats::new(3, Some(3), "keypad", REPROBE_EVERY);
        let t0 = Instant::now();
        assert!(d.due(t0));
        assert_eq!(d.record_ok(), Contact::First);
        assert_eq!(d.record_ok(), Contact::Again);
        let timeout = TransactError::Timeout(150);
        assert!(!d.record_failure(&timeout, t0));
        assert!(!d.record_failure(&TransactError::Frame(FrameError::Exception(2)), t0));
        assert!(!d.record_failure(&timeout, t0));
        assert!(d.online());
        assert!(d.record_failure(&timeout, t0));
        assert!(!d.online());
        assert!(!d.due(t0 + Duration::from_secs(9)));
        assert!(d.due(t0 + REPROBE_EVERY));
        assert!(!d.record_failure(&timeout, t0 + REPROBE_EVERY));
        assert!(!d.due(t0 + Duration::from_secs(19)));
        assert_eq!(d.record_ok(), Contact::First);
        let h = d.health();
        assert_eq!((h.timeouts, h.exceptions, h.online), (4, 1, true));
    }
}
