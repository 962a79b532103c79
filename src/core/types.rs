//! Values the engine works with: identifiers, ticket numbers, states.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Unique across all business days; assigned by the engine, never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketId(pub u64);

/// A service's configured id (e.g. `"A"` or `"social-insurance"`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ServiceId(pub String);

impl ServiceId {
    pub fn new(id: impl Into<String>) -> Self {
        ServiceId(id.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A window's number as painted above the counter (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WindowNo(pub u16);

impl fmt::Display for WindowNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A staff member's configured id (工号).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StaffId(pub String);

impl fmt::Display for StaffId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The day tickets are numbered in (营业日). It starts at the configured rollover time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BusinessDay(pub Date);

impl fmt::Display for BusinessDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A ticket number as printed and announced: service prefix + daily sequence, e.g. `A023`.
///
/// The sequence is zero-padded to the configured width and widens rather than wraps
/// (`A999` is followed by `A1000`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketNumber(pub String);

impl TicketNumber {
    pub fn compose(prefix: &str, seq: u32, width: u8) -> Self {
        TicketNumber(format!("{prefix}{seq:0width$}", width = usize::from(width)))
    }

    /// Splits `A023` into (`"A"`, 23). `None` when there is no prefix or no digits.
    pub fn parse(text: &str) -> Option<(String, u32)> {
        let text = text.trim();
        let split = text.find(|c: char| c.is_ascii_digit())?;
        let (prefix, digits) = text.split_at(split);
        if prefix.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let seq = digits.parse().ok()?;
        Some((prefix.to_ascii_uppercase(), seq))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a ticket is in its life. A ticket is in exactly one state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// Issued (or requeued / transferred) and waiting to be called.
    Waiting,
    /// Called to a window; the applicant is on the way or being served.
    Called,
    /// Parked at a window (挂起), e.g. waiting for documents.
    Held,
    /// Service finished (办结).
    Finished,
    /// Did not come when called and was not requeued (过号).
    Missed,
    /// Closed by the hall's closing or the business-day rollover.
    Expired,
}

impl TicketState {
    /// Still part of the day's work (not finished, missed or expired).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Waiting | Self::Called | Self::Held)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Called => "called",
            Self::Held => "held",
            Self::Finished => "finished",
            Self::Missed => "missed",
            Self::Expired => "expired",
        }
    }
}

/// What became of a ticket's print job, as the kiosk reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintState {
    Printed,
    /// Nothing was printed (printer not ready); the number was shown on screen only.
    NotPrinted,
    /// Bytes were sent but the printer reported a fault after (or stopped answering).
    Uncertain,
}

impl PrintState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Printed => "printed",
            Self::NotPrinted => "not_printed",
            Self::Uncertain => "uncertain",
        }
    }
}

/// Which queue of its service a waiting ticket sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketClass {
    /// Green channel (绿色通道).
    Priority,
    /// Checked-in appointment inside its slot.
    Appointment,
    /// Everyone else, first come first served.
    WalkIn,
}

/// Why a ticket got the green channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityReason {
    /// Granted by staff or an admin token.
    Staff,
    /// The ID number's birth date gives an age at or above the configured threshold.
    Age,
}

/// Position in a service queue: original issue time, then a tiebreak that also leaves room
/// to requeue a ticket between two others. Smaller is earlier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OrderKey {
    pub ms: i64,
    pub sub: u64,
}

/// Where a transfer sends a ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Service(ServiceId),
    Window(WindowNo),
}

/// What the engine is allowed to know about an ID number: a salted hash, the last four
/// characters, and the birth date (for the age rule). The full number never reaches it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdDigest {
    pub hash: String,
    pub last4: String,
    pub birth_date: Option<Date>,
}

/// One transfer in a ticket's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferRecord {
    pub at: Timestamp,
    pub from_service: ServiceId,
    pub from_window: Option<WindowNo>,
    pub to: Target,
}

/// Level of a service-level target (电子监察 黄灯/红灯).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaLevel {
    Yellow,
    Red,
}

/// Which clock a service-level target measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaPhase {
    Waiting,
    Handling,
}

/// A ticket as the engine keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub number: TicketNumber,
    pub day: BusinessDay,
    /// The service it is queued for now (changes on transfer).
    pub service: ServiceId,
    /// The service it was issued for (its prefix is in the number).
    pub issued_service: ServiceId,
    pub state: TicketState,
    pub class: TicketClass,
    pub priority: Option<PriorityReason>,
    /// Original issue time; transfers keep it.
    pub issued_at: Timestamp,
    pub order: OrderKey,
    pub appointment_code: Option<String>,
    pub id_hash: Option<String>,
    pub id_last4: Option<String>,
    /// The window that called, serves or holds it.
    pub window: Option<WindowNo>,
    /// Set when transferred to one window: only that window calls it.
    pub directed_to: Option<WindowNo>,
    pub staff: Option<StaffId>,
    pub first_called_at: Option<Timestamp>,
    pub called_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub recalls: u8,
    pub no_shows: u8,
    pub transfers: Vec<TransferRecord>,
    pub case_number: Option<String>,
    pub wait_sla: Option<SlaLevel>,
    pub handle_sla: Option<SlaLevel>,
    /// 好差评: where the finished visit stands with its rating.
    #[serde(default)]
    pub rating: super::rating::RatingMark,
}
