//! The ticket printer: one worker thread owns the device; everyone else holds a
//! [`PrinterHandle`]. (Interface fixed by the lead; the printer helper fills it in.)

use serde::{Deserialize, Serialize};

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
    NotPrinted { status: PrinterStatus },
    /// Bytes were sent but the printer reported a fault after (or stopped answering).
    Uncertain { status: PrinterStatus },
}
