//! The ticket kiosk (取号机): a pure state machine ([`state`]), what it shows ([`view`]),
//! and the [`controller`] that wires it to the Slint UI, the hall server and the printer.
//!
//! # Layout
//! - [`state`]: pages, inputs and effects; timeouts are inputs (`now` is an argument).
//! - [`entry`]: what the visitor types (ID number masked, booking code, staff PIN).
//! - [`messages`]: what each API error shows.
//! - [`ticket`]: the [`TicketPrint`](crate::devices::printer::TicketPrint) from an answer.
//! - [`view`]: the screen as plain data; [`controller`] copies it into the adapters.
//! - [`printer`]: the printer trait the controller uses ([`PrinterHandle`] implements it).
//! - [`pin`]: argon2 hashes of the staff PIN.
//!
//! [`PrinterHandle`]: crate::devices::printer::PrinterHandle

mod answers;
pub mod controller;
pub mod entry;
pub mod messages;
pub mod pin;
pub mod printer;
pub mod state;
pub mod ticket;
pub mod view;
pub mod voice;

#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::time::Duration;

use jiff::tz::TimeZone;

pub use controller::{KioskDeps, KioskGuard, Timing, VoiceHook, show_view, start};
pub use printer::{NoPrinter, TicketPrinter};
pub use state::{Effect, Input, Kiosk, KioskSettings, Page};
pub use ticket::TicketContext;
pub use voice::VoicePrompt;

use crate::config::{HallConfig, OnFailure};

#[derive(Debug, thiserror::Error)]
pub enum KioskError {
    #[error("unknown time zone {0:?}")]
    TimeZone(String),
    #[error("cannot start the kiosk window: {0}")]
    Ui(String),
    #[error("cannot start the printer: {0}")]
    Printer(String),
    #[error("cannot reach the hall server: {0}")]
    Client(#[from] crate::client::ClientError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

impl KioskSettings {
    /// Settings from the hall configuration. Without a `[printer]` table every number is
    /// shown on screen only.
    pub fn from_config(config: &HallConfig) -> Result<Self, KioskError> {
        let timezone = TimeZone::get(&config.hall.timezone)
            .map_err(|_| KioskError::TimeZone(config.hall.timezone.clone()))?;
        let kiosk = &config.kiosk;
        Ok(KioskSettings {
            ticket: TicketContext {
                hall_name: config.hall.name.clone(),
                timezone,
                printer: config.printer.clone(),
            },
            result_timeout: Duration::from_secs(u64::from(kiosk.result_timeout_seconds)),
            idle_timeout: Duration::from_secs(u64::from(kiosk.idle_timeout_seconds)),
            elderly_default: kiosk.elderly_default,
            groups: kiosk.groups.clone(),
            requires_id: config
                .services
                .iter()
                .filter(|s| s.requires_id)
                .map(|s| s.id.clone())
                .collect::<HashSet<_>>(),
            on_print_failure: config
                .printer
                .as_ref()
                .map_or(OnFailure::ShowNumber, |p| p.on_failure),
            staff_button: kiosk.priority_pin_hash.is_some(),
            voice_prompts: kiosk.voice_prompts,
        })
    }
}
