//! The hall display (大厅叫号显示屏): a pure state ([`state`]), what it shows ([`view`]),
//! how events read ([`events`]) and the [`controller`] that wires it to the Slint UI, the
//! hall server's event stream and, when configured, a voice zone.
//!
//! # Layout
//! - [`state`]: inputs, highlights and captions with explicit instants.
//! - [`view`]: the screen as plain data.
//! - [`events`]: `ticket_called` / `ticket_recalled` → [`Call`]; other changes → refresh.
//! - [`controller`]: Slint adapters, the event stream, throttled refreshes, the announcer.

pub mod controller;
pub mod events;
pub mod state;
pub mod view;

#[cfg(test)]
mod tests;

pub use controller::{DisplayDeps, DisplayGuard, Timing, show_view, start};
pub use state::{Call, CallKind, Captioner, Connection, Display, DisplaySettings, Input};
pub use view::{DisplayView, Mark};

/// The notice line when none is configured.
pub const DEFAULT_NOTICE: &str = "请留意叫号，过号请重新取号";

#[derive(Debug, thiserror::Error)]
pub enum DisplayError {
    #[error("cannot start the hall display: {0}")]
    Ui(String),
    #[error("cannot set up the hall server client: {0}")]
    Client(#[from] crate::client::ClientError),
    #[error("voice zone: {0}")]
    Voice(#[from] crate::voice::VoiceError),
}
