//! What happened. Events are the only way engine state changes: the live path and the
//! replay on start both go through `Engine::apply`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::command::Appointment;
use super::rating::{FollowUp, FollowUpUpdate, Rating};
use super::types::{
    BusinessDay, OrderKey, PrintState, ServiceId, SlaLevel, SlaPhase, StaffId, Target, Ticket,
    TicketClass, TicketId, TicketNumber, WindowNo,
};

/// One change, stamped with the engine time it happened at. Engine time never goes
/// backwards: it is the largest `now` seen so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: Timestamp,
    #[serde(flatten)]
    pub change: Change,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    Next,
    Specific,
    /// 回呼: a held ticket called back.
    Resumed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpireReason {
    /// The configured time after the hall's last session passed.
    Closing,
    /// The business day rolled over and carry-over is off.
    Rollover,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A new business day began. Numbering restarts at 1 for every prefix.
    DayStarted {
        day: BusinessDay,
        previous: Option<BusinessDay>,
    },
    /// The wall clock was found behind engine time; engine time (and the day) were kept.
    ClockWentBack {
        wall: Timestamp,
    },
    TicketIssued {
        ticket: Box<Ticket>,
    },
    TicketCalled {
        ticket: TicketId,
        number: TicketNumber,
        service: ServiceId,
        window: WindowNo,
        staff: Option<StaffId>,
        class: TicketClass,
        kind: CallKind,
    },
    TicketRecalled {
        ticket: TicketId,
        number: TicketNumber,
        window: WindowNo,
        /// Recalls so far for this call, including this one.
        count: u8,
    },
    /// 过号. With `requeued_at`, the ticket waits again at that queue position.
    TicketMissed {
        ticket: TicketId,
        number: TicketNumber,
        window: WindowNo,
        requeued_at: Option<OrderKey>,
    },
    TicketHeld {
        ticket: TicketId,
        number: TicketNumber,
        window: WindowNo,
    },
    TicketTransferred {
        ticket: TicketId,
        number: TicketNumber,
        from_window: Option<WindowNo>,
        to: Target,
        /// The service the ticket is queued for after the transfer.
        service: ServiceId,
    },
    TicketFinished {
        ticket: TicketId,
        number: TicketNumber,
        window: WindowNo,
        staff: Option<StaffId>,
        case_number: Option<String>,
        /// Finished by calling the next ticket rather than by 办结.
        implicit: bool,
    },
    TicketExpired {
        ticket: TicketId,
        number: TicketNumber,
        reason: ExpireReason,
    },
    WindowPaused {
        window: WindowNo,
    },
    WindowResumed {
        window: WindowNo,
    },
    StaffSignedIn {
        window: WindowNo,
        staff: StaffId,
    },
    StaffSignedOut {
        window: WindowNo,
        staff: StaffId,
    },
    /// A ticket passed a service-level target (电子监察).
    SlaBreached {
        ticket: TicketId,
        number: TicketNumber,
        service: ServiceId,
        window: Option<WindowNo>,
        phase: SlaPhase,
        level: SlaLevel,
    },
    AppointmentBooked {
        appointment: Appointment,
    },
    /// A ticket's print job ended (`reprint`: a 补打 copy).
    TicketPrinted {
        ticket: TicketId,
        number: TicketNumber,
        outcome: PrintState,
        reprint: bool,
    },
    /// 好差评: the applicant rated the visit (one rating per visit).
    TicketRated {
        rating: Box<Rating>,
    },
    /// The visit was not rated: the evaluator's time ran out, the window finished another
    /// ticket, or the rater let the 5-key evaluator time out.
    TicketUnrated {
        ticket: TicketId,
        number: TicketNumber,
        window: WindowNo,
    },
    /// A 差评 opened a follow-up work order.
    FollowUpOpened {
        followup: Box<FollowUp>,
    },
    /// A follow-up moved on (or got a note).
    FollowUpUpdated {
        update: FollowUpUpdate,
    },
}

impl Change {
    /// A short stable name, stored beside the event for queries.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::DayStarted { .. } => "day_started",
            Self::ClockWentBack { .. } => "clock_went_back",
            Self::TicketIssued { .. } => "ticket_issued",
            Self::TicketCalled { .. } => "ticket_called",
            Self::TicketRecalled { .. } => "ticket_recalled",
            Self::TicketMissed { .. } => "ticket_missed",
            Self::TicketHeld { .. } => "ticket_held",
            Self::TicketTransferred { .. } => "ticket_transferred",
            Self::TicketFinished { .. } => "ticket_finished",
            Self::TicketExpired { .. } => "ticket_expired",
            Self::WindowPaused { .. } => "window_paused",
            Self::WindowResumed { .. } => "window_resumed",
            Self::StaffSignedIn { .. } => "staff_signed_in",
            Self::StaffSignedOut { .. } => "staff_signed_out",
            Self::SlaBreached { .. } => "sla_breached",
            Self::AppointmentBooked { .. } => "appointment_booked",
            Self::TicketPrinted { .. } => "ticket_printed",
            Self::TicketRated { .. } => "ticket_rated",
            Self::TicketUnrated { .. } => "ticket_unrated",
            Self::FollowUpOpened { .. } => "follow_up_opened",
            Self::FollowUpUpdated { .. } => "follow_up_updated",
        }
    }

    /// The ticket this change is about, if any.
    pub fn ticket(&self) -> Option<TicketId> {
        match self {
            Self::TicketIssued { ticket } => Some(ticket.id),
            Self::TicketCalled { ticket, .. }
            | Self::TicketRecalled { ticket, .. }
            | Self::TicketMissed { ticket, .. }
            | Self::TicketHeld { ticket, .. }
            | Self::TicketTransferred { ticket, .. }
            | Self::TicketFinished { ticket, .. }
            | Self::TicketExpired { ticket, .. }
            | Self::SlaBreached { ticket, .. }
            | Self::TicketPrinted { ticket, .. }
            | Self::TicketUnrated { ticket, .. } => Some(*ticket),
            Self::TicketRated { rating } => Some(rating.ticket),
            _ => None,
        }
    }
}
