//! The JSON shapes the kiosk sends and reads (a client-side mirror of `server::dto`).

use serde::{Deserialize, Serialize};

/// `state` of a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    Open,
    Closed,
    QuotaReached,
    /// A state this version does not know: treated as unavailable.
    #[serde(other)]
    Unknown,
}

/// One item of `GET /api/v1/services`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct ServiceInfo {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub waiting: usize,
    #[serde(default)]
    pub issued_today: u32,
    pub state: ServiceState,
    /// Why it is unavailable, in Chinese.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub estimated_wait_minutes: u32,
    #[serde(default)]
    pub windows: Vec<u16>,
}

/// `POST /api/v1/tickets`
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IssueBody {
    pub service: String,
    pub priority: bool,
    pub id_number: Option<String>,
    pub appointment_code: Option<String>,
    /// Staff PIN that grants the green channel with a kiosk token (sent only when entered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_pin: Option<String>,
}

/// The 201 answer to an issue.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Issued {
    pub id: u64,
    pub number: String,
    pub service: String,
    pub service_name: String,
    #[serde(default)]
    pub state: String,
    /// priority | appointment | walk_in
    #[serde(default)]
    pub class: String,
    #[serde(default)]
    pub priority: bool,
    /// RFC 3339, UTC.
    pub issued_at: String,
    #[serde(default)]
    pub waiting_ahead: usize,
    #[serde(default)]
    pub estimated_wait_minutes: u32,
    #[serde(default)]
    pub windows: Vec<u16>,
    #[serde(default)]
    pub id_last4: Option<String>,
}

/// `GET /api/v1/tickets/{number}` (the fields the kiosk uses).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct TicketInfo {
    pub id: u64,
    pub number: String,
    pub service: String,
    pub service_name: String,
    /// waiting | called | held | finished | missed | expired
    pub state: String,
    #[serde(default)]
    pub class: String,
    #[serde(default)]
    pub priority: bool,
    pub issued_at: String,
    #[serde(default)]
    pub id_last4: Option<String>,
}

/// `POST /api/v1/tickets/{id}/print`
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrintReport {
    /// printed | not_printed | uncertain
    pub outcome: &'static str,
    pub reprint: bool,
}

/// `POST /api/v1/devices/health`
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceHealth {
    pub component: &'static str,
    /// ready | near_end | paper_out | cover_open | cutter_error | offline | unknown
    pub status: String,
    pub detail: Option<String>,
}
