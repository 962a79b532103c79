//! JSON shapes of the LAN API. Times are RFC 3339 strings (UTC).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Caller;

use crate::core::{Availability, ClosedReason, Engine, QuotaKind, Target, Ticket, WindowNo};

#[derive(Debug, Serialize, ToSchema)]
pub struct TransferDto {
    pub at: String,
    pub from_service: String,
    pub from_window: Option<u16>,
    /// `service:<id>` or `window:<n>`.
    pub to: String,
}

/// A ticket as windows, displays and admins see it. Never carries the ID hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDto {
    pub id: u64,
    pub number: String,
    pub day: String,
    pub service: String,
    pub service_name: String,
    /// waiting | called | held | finished | missed | expired
    pub state: String,
    /// priority | appointment | walk_in
    pub class: String,
    pub priority: bool,
    pub issued_at: String,
    pub called_at: Option<String>,
    pub finished_at: Option<String>,
    pub window: Option<u16>,
    pub directed_to: Option<u16>,
    pub staff: Option<String>,
    pub recalls: u8,
    pub no_shows: u8,
    pub transfers: Vec<TransferDto>,
    pub case_number: Option<String>,
    /// Last four characters of the ID number, when one was given.
    pub id_last4: Option<String>,
    /// yellow | red, when a waiting-time target was passed.
    pub wait_sla: Option<String>,
    pub handle_sla: Option<String>,
}

fn enum_str<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl TicketDto {
    pub fn from_ticket(engine: &Engine, t: &Ticket) -> Self {
        let service_name = engine
            .rules()
            .service(&t.service)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        TicketDto {
            id: t.id.0,
            number: t.number.0.clone(),
            day: t.day.to_string(),
            service: t.service.0.clone(),
            service_name,
            state: t.state.as_str().to_string(),
            class: enum_str(&t.class),
            priority: t.priority.is_some(),
            issued_at: t.issued_at.to_string(),
            called_at: t.called_at.map(|x| x.to_string()),
            finished_at: t.finished_at.map(|x| x.to_string()),
            window: t.window.map(|w| w.0),
            directed_to: t.directed_to.map(|w| w.0),
            staff: t.staff.as_ref().map(|s| s.0.clone()),
            recalls: t.recalls,
            no_shows: t.no_shows,
            transfers: t
                .transfers
                .iter()
                .map(|r| TransferDto {
                    at: r.at.to_string(),
                    from_service: r.from_service.0.clone(),
                    from_window: r.from_window.map(|w| w.0),
                    to: match &r.to {
                        Target::Service(s) => format!("service:{s}"),
                        Target::Window(w) => format!("window:{w}"),
                    },
                })
                .collect(),
            case_number: t.case_number.clone(),
            id_last4: t.id_last4.clone(),
            wait_sla: t.wait_sla.map(|l| enum_str(&l)),
            handle_sla: t.handle_sla.map(|l| enum_str(&l)),
        }
    }
}

/// The answer to a successful issue (201).
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedDto {
    pub id: u64,
    pub number: String,
    pub service: String,
    pub service_name: String,
    pub state: String,
    pub class: String,
    pub priority: bool,
    pub issued_at: String,
    /// Tickets that will be called before this one.
    pub waiting_ahead: usize,
    pub estimated_wait_minutes: u32,
    /// Windows that serve this ticket's service.
    pub windows: Vec<u16>,
    pub id_last4: Option<String>,
}

impl IssuedDto {
    pub fn build(engine: &Engine, t: &Ticket) -> Self {
        let windows = engine
            .rules()
            .windows
            .iter()
            .filter(|w| w.services.iter().any(|(s, _)| s == &t.service))
            .map(|w| w.number.0)
            .collect();
        let base = TicketDto::from_ticket(engine, t);
        IssuedDto {
            id: base.id,
            number: base.number,
            service: base.service,
            service_name: base.service_name,
            state: base.state,
            class: base.class,
            priority: base.priority,
            issued_at: base.issued_at,
            waiting_ahead: engine.waiting_ahead(t.id),
            estimated_wait_minutes: engine.estimated_wait_minutes(t.id),
            windows,
            id_last4: base.id_last4,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffDto {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingDto {
    pub service: String,
    pub waiting: usize,
}

/// A window's state and its current ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowDto {
    pub window: u16,
    pub name: String,
    /// open | paused
    pub state: String,
    pub staff: Option<StaffDto>,
    /// The current ticket; `null` when the window has none.
    pub ticket: Option<TicketDto>,
    pub recalls_left: Option<u8>,
    pub held: Vec<TicketDto>,
    pub waiting: Vec<WaitingDto>,
    pub last_finished: Option<u64>,
}

impl WindowDto {
    /// What `caller` may see of it (no ID tails for staff screens and displays).
    pub fn for_caller(mut self, caller: &Caller) -> Self {
        if !caller.sees_id_tail() {
            for t in self.ticket.iter_mut().chain(self.held.iter_mut()) {
                t.id_last4 = None;
            }
        }
        self
    }

    pub fn build(engine: &Engine, number: WindowNo) -> Option<Self> {
        let rules = engine.rules();
        let w = engine.window(number)?;
        let name = rules
            .window(number)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let ticket = w.current.and_then(|id| engine.ticket(id));
        Some(WindowDto {
            window: number.0,
            name,
            state: if w.paused { "paused" } else { "open" }.to_string(),
            staff: w.staff.as_ref().map(|id| StaffDto {
                id: id.0.clone(),
                name: rules
                    .staff_member(id)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
            }),
            recalls_left: ticket.map(|t| rules.queue.recall_limit.saturating_sub(t.recalls)),
            ticket: ticket.map(|t| TicketDto::from_ticket(engine, t)),
            held: w
                .held
                .iter()
                .filter_map(|id| engine.ticket(*id))
                .map(|t| TicketDto::from_ticket(engine, t))
                .collect(),
            waiting: engine
                .waiting_for_window(number)
                .into_iter()
                .map(|(service, waiting)| WaitingDto {
                    service: service.0,
                    waiting,
                })
                .collect(),
            last_finished: w.last_finished.map(|t| t.0),
        })
    }
}

/// A service as kiosks and hall screens show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceDto {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub waiting: usize,
    pub issued_today: u32,
    /// open | closed | quota_reached
    pub state: String,
    /// Why it is unavailable, in Chinese, e.g. 「午休中，14:00 恢复」.
    pub reason: Option<String>,
    pub estimated_wait_minutes: u32,
    pub windows: Vec<u16>,
}

impl ServiceDto {
    pub fn build(status: crate::core::ServiceStatus) -> Self {
        let (state, reason) = match status.availability {
            Availability::Open => ("open", None),
            Availability::Closed { reason } => ("closed", Some(closed_text(reason))),
            Availability::QuotaReached { quota } => ("quota_reached", Some(quota_text(quota))),
        };
        ServiceDto {
            id: status.service.0,
            name: status.name,
            prefix: status.prefix,
            waiting: status.waiting,
            issued_today: status.issued_today,
            state: state.to_string(),
            reason,
            estimated_wait_minutes: status.estimated_wait_minutes,
            windows: status.windows.iter().map(|w| w.0).collect(),
        }
    }
}

fn closed_text(reason: ClosedReason) -> String {
    crate::core::Rejected::Closed {
        service: crate::core::ServiceId::new(""),
        reason,
    }
    .message_zh()
}

fn quota_text(kind: QuotaKind) -> String {
    crate::core::Rejected::QuotaReached {
        service: crate::core::ServiceId::new(""),
        kind,
    }
    .message_zh()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// Service id, e.g. "A".
    pub service: String,
    /// Green channel; only with an admin token (the age rule applies by itself).
    #[serde(default)]
    pub priority: bool,
    /// 18-character resident ID number; only a salted hash and the last four are kept.
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub appointment_code: Option<String>,
    /// Staff PIN typed at the kiosk that grants the green channel with a kiosk token
    /// (checked against `[kiosk].priority_pin_hash`).
    #[serde(default)]
    pub priority_pin: Option<String>,
}

/// What became of a ticket's print job.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrintBody {
    /// printed | not_printed | uncertain
    pub outcome: String,
    /// A 补打 copy of a ticket already issued.
    #[serde(default)]
    pub reprint: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberBody {
    /// e.g. "A023"
    pub number: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub window: Option<u16>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinishBody {
    /// 办件编号, when the case has one.
    #[serde(default)]
    pub case_number: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInBody {
    /// 工号: the staff member's id in hall.toml.
    pub staff: String,
    /// Required when the staff member has a `pin_hash` in hall.toml.
    #[serde(default)]
    pub pin: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StoreHealthDto {
    pub path: String,
    /// ok | error
    pub status: String,
    pub last_seq: u64,
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthDto {
    /// ok | degraded
    pub status: String,
    pub version: String,
    pub hall: String,
    pub business_day: Option<String>,
    pub engine_time: Option<String>,
    pub store: StoreHealthDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedDto {
    pub imported: usize,
}
