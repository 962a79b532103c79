//! LED window screens (窗口屏) and numeric displays (数码管) on RS-485 buses.
//!
//! One owner thread per serial port ([`worker`](self) in `worker.rs`); the screens on a port
//! are served in order. Each screen keeps only its latest content (a newer content replaces
//! one not sent yet); every frame waits for its reply within the profile's timeout (plus the
//! frame's wire time) and is retried a bounded number of times. A screen that fails
//! [`LedTiming::offline_after`] attempts in a row is marked offline and then only probed
//! every [`LedTiming::probe`] (one attempt with its current content), so a dead screen costs
//! the others at most one timeout per probe interval. Acknowledged content is re-sent every
//! [`LedTiming::refresh`], because a card that rebooted has lost its dynamic area.
//!
//! A call flashes (the profile's flash effect) for `[displays].flash_seconds` after the
//! screen acknowledged it, then the steady frame is sent.
//!
//! Protocols: [`ScreenProtocol::Onbon`] (BX-5K/6K, [`crate::protocol::onbon`]) and
//! [`ScreenProtocol::Digits`] (Modbus RTU, [`crate::protocol::modbus`], register layout in
//! `hardware/displays/README.md`), behind the `Driver` trait of `driver.rs`.

mod driver;
mod handle;
mod link;
pub mod profile;
pub mod sim;
mod worker;

pub use driver::{DIGITS_START, SendError, digits_registers, send_once};
pub use handle::LedHandle;
pub use link::{Answer, wire_time};

use std::time::Duration;

use serde::Serialize;

use crate::config::displays::{DisplayTemplates, ScreenProtocol, render};

/// Why the LED screens could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LedError {
    #[error("LED screen configuration: {0}")]
    Config(String),
    #[error("cannot start the LED bus thread: {0}")]
    Thread(std::io::Error),
}

/// What a window's screen should show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WindowShow {
    /// A number was called (or recalled): flashes, then steady.
    Call {
        number: String,
    },
    Idle,
    Paused,
    SignedOut,
}

/// One screen's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedContent {
    pub text: String,
    /// Shown with the profile's flash effect (a fresh call).
    pub flash: bool,
}

/// The content of a window's screen speaking `protocol`: the templates for text screens,
/// the bare number (blank when not calling) for numeric displays.
pub fn content_for(
    protocol: ScreenProtocol,
    templates: &DisplayTemplates,
    window: u16,
    window_name: &str,
    show: &WindowShow,
) -> LedContent {
    let (text, flash) = match (protocol, show) {
        (ScreenProtocol::Onbon, WindowShow::Call { number }) => {
            (render(&templates.call, number, window, window_name), true)
        }
        (ScreenProtocol::Onbon, WindowShow::Idle) => {
            (render(&templates.idle, "", window, window_name), false)
        }
        (ScreenProtocol::Onbon, WindowShow::Paused) => {
            (render(&templates.paused, "", window, window_name), false)
        }
        (ScreenProtocol::Onbon, WindowShow::SignedOut) => (
            render(&templates.signed_out, "", window, window_name),
            false,
        ),
        (ScreenProtocol::Digits, WindowShow::Call { number }) => (number.clone(), true),
        (ScreenProtocol::Digits, _) => (String::new(), false),
    };
    LedContent {
        // A window name outside GB2312 must not stop the screen: it shows "?" instead.
        text: text
            .chars()
            .map(|c| {
                if crate::protocol::onbon::first_non_gb2312(c.encode_utf8(&mut [0; 4])).is_some() {
                    '?'
                } else {
                    c
                }
            })
            .collect(),
        flash,
    }
}

/// One screen's health, for the server's device page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScreenHealth {
    pub window: u16,
    pub port: String,
    pub address: u16,
    pub protocol: ScreenProtocol,
    /// Answered at least once and not failing now.
    pub online: bool,
    pub last_error: Option<String>,
    /// Frames acknowledged.
    pub frames_sent: u64,
    pub nacks: u64,
    pub timeouts: u64,
    /// Replies that were garbled (bad CRC, wrong format).
    pub bad_replies: u64,
    /// The text the screen acknowledged last.
    pub showing: Option<String>,
}

/// The worker's clocks (defaults: probe 10 s, refresh 60 s, offline after 3 failures).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LedTiming {
    /// How often an offline screen (or a missing port) is tried again.
    pub probe: Duration,
    /// How often acknowledged content is re-sent (a rebooted card lost it).
    pub refresh: Duration,
    /// Failed attempts in a row after which a screen is offline.
    pub offline_after: u32,
}

impl Default for LedTiming {
    fn default() -> Self {
        LedTiming {
            probe: Duration::from_secs(10),
            refresh: Duration::from_secs(60),
            offline_after: 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_per_protocol() {
        let t = DisplayTemplates::default();
        let call = WindowShow::Call {
            number: "A023".into(),
        };
        assert_eq!(
            content_for(ScreenProtocol::Onbon, &t, 3, "社保", &call),
            LedContent {
                text: "请A023到3号窗口".into(),
                flash: true
            }
        );
        assert_eq!(
            content_for(ScreenProtocol::Onbon, &t, 3, "社保", &WindowShow::Idle).text,
            "社保 欢迎光临"
        );
        assert_eq!(
            content_for(ScreenProtocol::Onbon, &t, 3, "镕", &WindowShow::Idle).text,
            "? 欢迎光临"
        );
        assert_eq!(
            content_for(ScreenProtocol::Onbon, &t, 3, "", &WindowShow::SignedOut).text,
            "暂停服务"
        );
        assert_eq!(
            content_for(ScreenProtocol::Digits, &t, 3, "", &call).text,
            "A023"
        );
        assert_eq!(
            content_for(ScreenProtocol::Digits, &t, 3, "", &WindowShow::Paused).text,
            ""
        );
    }
}
