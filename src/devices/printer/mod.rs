//! The ticket printer: one worker thread owns the device; everyone else holds a
//! [`PrinterHandle`].
//!
//! Backends (`[printer].backend`): `serial` (a serial port, via `serialport`), `usblp`
//! (`/dev/usb/lpN`, non-blocking writes with a timeout), `tcp` (raw port 9100), `file`
//! (append the bytes to a file) and `sim` (the [`sim::PrinterSim`] simulator on a PTY,
//! driven through the real serial backend).
//!
//! Health: `DLE EOT 1..4` before and after every ticket and every `poll_secs` when idle
//! (see [`worker`](self) docs in `worker.rs`). Devices that cannot answer (`file`, and a
//! model profile with `status = false`) are *write-only*: their status is `Ready` while the
//! device opens and accepts bytes, `Offline` when it does not, and a ticket is `Printed`
//! when every byte was accepted within `write_timeout_ms`. A `usblp` printer is asked like
//! a serial one (non-blocking reads with the same time box); one that never answers shows
//! `Offline`, so give such a model a profile with `status = false`.

mod handle;
mod link;
pub mod preview;
pub mod profile;
pub mod sim;
mod worker;

pub use handle::PrinterHandle;

use serde::{Deserialize, Serialize};

/// Why a printer could not be started.
#[derive(Debug, thiserror::Error)]
pub enum PrinterError {
    #[error("printer configuration: {0}")]
    Config(String),
    #[error("printer simulator: {0}")]
    Sim(std::io::Error),
    #[error("cannot start the printer thread: {0}")]
    Thread(std::io::Error),
}

/// What goes on a ticket. Built by the kiosk from the API's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketPrint {
    pub hall_name: String,
    pub service_name: String,
    /// e.g. "A023"
    pub number: String,
    pub waiting_ahead: usize,
    pub estimated_wait_minutes: u32,
    pub windows: Vec<u16>,
    /// Local issue time as printed, e.g. "2026-11-23 09:41".
    pub issued_at: String,
    /// Last four characters of the ID number, never more.
    pub id_last4: Option<String>,
    /// 补打
    pub reprint: bool,
    /// 绿色通道
    pub priority: bool,
    /// 预约
    pub appointment: bool,
    /// Content of the QR code (from the configured URL template), if any.
    pub qr: Option<String>,
}

/// The printer's state as last read (DLE EOT).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterStatus {
    Ready,
    /// Paper near end: keep printing, tell the admins.
    NearEnd,
    PaperOut,
    CoverOpen,
    CutterError,
    /// No reply, or the device is gone.
    Offline,
    /// Not read yet.
    Unknown,
}

impl PrinterStatus {
    /// A new ticket may be printed.
    pub fn can_print(self) -> bool {
        matches!(self, Self::Ready | Self::NearEnd)
    }
}

/// What became of one ticket's print job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PrintOutcome {
    Printed,
    /// Nothing was sent: the printer was not ready.
    NotPrinted {
        status: PrinterStatus,
    },
    /// Bytes were sent but the printer reported a fault after (or stopped answering).
    Uncertain {
        status: PrinterStatus,
    },
}
