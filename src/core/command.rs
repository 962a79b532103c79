//! What the shell asks of the engine, and the typed ways the engine says no.

use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

use super::rating::{
    FollowUpId, FollowUpState, FollowUpUpdate, RatingChannel, RatingLevel, RatingReason,
};
use super::types::{
    BusinessDay, IdDigest, PrintState, ServiceId, StaffId, Target, TicketId, TicketNumber,
    TicketState, WindowNo,
};

/// A request to change the hall's state. `now` travels beside it, never inside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Let time-driven rules run: rollover, closing expiry, service-level alarms.
    Tick,
    Issue(IssueRequest),
    CallNext {
        window: WindowNo,
    },
    CallSpecific {
        window: WindowNo,
        number: TicketNumber,
    },
    Recall {
        window: WindowNo,
    },
    NoShow {
        window: WindowNo,
    },
    Hold {
        window: WindowNo,
    },
    ResumeHeld {
        window: WindowNo,
        number: TicketNumber,
    },
    Transfer {
        window: WindowNo,
        to: Target,
    },
    Pause {
        window: WindowNo,
    },
    Resume {
        window: WindowNo,
    },
    Finish {
        window: WindowNo,
        case_number: Option<String>,
    },
    SignIn {
        window: WindowNo,
        staff: StaffId,
    },
    SignOut {
        window: WindowNo,
    },
    ImportAppointments(Vec<Appointment>),
    /// The kiosk reports what became of a ticket's print job (or a reprint, 补打).
    RecordPrint {
        ticket: TicketId,
        outcome: PrintState,
        reprint: bool,
    },
    /// 好差评 for the ticket the window finished last.
    Rate {
        window: WindowNo,
        level: RatingLevel,
        reasons: Vec<RatingReason>,
        comment: Option<String>,
        channel: RatingChannel,
    },
    /// The rater let the evaluator time out (5-key evaluators report it): unrated.
    DeclineRating {
        window: WindowNo,
    },
    UpdateFollowUp(FollowUpUpdate),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueRequest {
    pub service: ServiceId,
    /// Green channel granted by staff (the shell checks the token allows it).
    pub staff_priority: bool,
    pub id: Option<IdDigest>,
    pub appointment_code: Option<String>,
}

/// A booked slot, imported by API or CSV; checked in at the kiosk with its code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    pub code: String,
    pub service: ServiceId,
    pub date: Date,
    pub slot_from: Time,
    pub slot_to: Time,
    /// Salted hash of the booker's ID number, when the booking system gave one.
    #[serde(default)]
    pub id_hash: Option<String>,
}

/// What a successful command produced, besides its events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// A ticket was issued.
    Issued(TicketId),
    /// The window's current ticket after the command (`None` when it has none).
    Window(Option<TicketId>),
    /// Nothing to return (tick, import, sign-in).
    Done,
}

/// Why a hall cannot issue right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClosedReason {
    /// Today is not a working day.
    ClosedToday,
    /// Before the first session; opens at `opens_at` (local time).
    NotYetOpen { opens_at: Time },
    /// Between two sessions (午休); issuing resumes at `resumes_at`.
    LunchBreak { resumes_at: Time },
    /// After the last session, or past the stop-issuing time.
    ClosedForTheDay,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuotaKind {
    Daily {
        max: u32,
    },
    /// The slot's quota is used; the next slot (if any) starts at `next_slot`.
    Slot {
        max: u32,
        next_slot: Option<Time>,
    },
}

/// A command the engine refused. Nothing changed (except time-driven events that were due).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("unknown service {0}")]
    UnknownService(ServiceId),
    #[error("unknown window {0}")]
    UnknownWindow(WindowNo),
    #[error("unknown staff member {0}")]
    UnknownStaff(StaffId),
    #[error("no ticket {0} today")]
    UnknownTicket(TicketNumber),
    #[error("service {service} is closed: {reason:?}")]
    Closed {
        service: ServiceId,
        reason: ClosedReason,
    },
    #[error("service {service} quota reached: {kind:?}")]
    QuotaReached { service: ServiceId, kind: QuotaKind },
    #[error("this ID number already holds ticket {existing} for this service today")]
    DuplicateIdNumber {
        existing: TicketNumber,
        ticket: TicketId,
    },
    #[error("service {0} needs an ID number")]
    IdNumberRequired(ServiceId),
    #[error("no ticket waiting for window {0}")]
    NoTicketWaiting(WindowNo),
    #[error("window {0} has no current ticket")]
    NoCurrentTicket(WindowNo),
    #[error("ticket {number} belongs to window {owner:?}, not window {window}")]
    NotYourTicket {
        number: TicketNumber,
        window: WindowNo,
        owner: Option<WindowNo>,
    },
    #[error("ticket {number} was already called by window {by}")]
    AlreadyCalled { number: TicketNumber, by: WindowNo },
    #[error("ticket {number} is {state:?} and cannot be called")]
    NotCallable {
        number: TicketNumber,
        state: TicketState,
    },
    #[error("window {window} does not serve service {service}")]
    NotServedHere {
        window: WindowNo,
        service: ServiceId,
    },
    #[error("recall limit of {limit} reached")]
    RecallLimit { limit: u8 },
    #[error("window {0} is paused")]
    WindowPaused(WindowNo),
    #[error("window {0} is not paused")]
    WindowNotPaused(WindowNo),
    #[error("nobody is signed in at window {0}")]
    NotSignedIn(WindowNo),
    #[error("staff member {staff} may not handle service {service}")]
    StaffNotAllowed { staff: StaffId, service: ServiceId },
    #[error("a ticket cannot be transferred to where it already is")]
    TransferToSelf,
    #[error("unknown appointment code")]
    UnknownAppointment,
    #[error("the appointment is for {date}, not today")]
    AppointmentNotToday { date: Date },
    #[error("check-in for this appointment opens at {opens_at}")]
    AppointmentTooEarly { opens_at: Time },
    #[error("the appointment slot ended at {ended_at}")]
    AppointmentTooLate { ended_at: Time },
    #[error("the appointment was already checked in as {number}")]
    AppointmentUsed { number: TicketNumber },
    #[error("appointment {code} conflicts with an existing booking")]
    AppointmentConflict { code: String },
    #[error("window {0} has no finished visit waiting for a rating")]
    NothingToRate(WindowNo),
    #[error("ticket {number} was already rated")]
    AlreadyRated { number: TicketNumber },
    #[error("no follow-up {0}")]
    UnknownFollowUp(FollowUpId),
    #[error("follow-up cannot go from {from:?} to {to:?}")]
    FollowUpStep {
        from: FollowUpState,
        to: FollowUpState,
    },
    #[error("a follow-up rating needs a level")]
    FollowUpLevelRequired,
    #[error("no business day has started yet")]
    NoBusinessDay,
    #[error("day {0} is over")]
    DayOver(BusinessDay),
}

impl Rejected {
    /// A stable machine-readable code for API errors and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownService(_) => "unknown_service",
            Self::UnknownWindow(_) => "unknown_window",
            Self::UnknownStaff(_) => "unknown_staff",
            Self::UnknownTicket(_) => "unknown_ticket",
            Self::Closed { .. } => "closed",
            Self::QuotaReached { .. } => "quota_reached",
            Self::DuplicateIdNumber { .. } => "duplicate_id_number",
            Self::IdNumberRequired(_) => "id_number_required",
            Self::NoTicketWaiting(_) => "no_ticket_waiting",
            Self::NoCurrentTicket(_) => "no_current_ticket",
            Self::NotYourTicket { .. } => "not_your_ticket",
            Self::AlreadyCalled { .. } => "already_called",
            Self::NotCallable { .. } => "not_callable",
            Self::NotServedHere { .. } => "not_served_here",
            Self::RecallLimit { .. } => "recall_limit",
            Self::WindowPaused(_) => "window_paused",
            Self::WindowNotPaused(_) => "window_not_paused",
            Self::NotSignedIn(_) => "not_signed_in",
            Self::StaffNotAllowed { .. } => "staff_not_allowed",
            Self::TransferToSelf => "transfer_to_self",
            Self::UnknownAppointment => "unknown_appointment",
            Self::AppointmentNotToday { .. } => "appointment_not_today",
            Self::AppointmentTooEarly { .. } => "appointment_too_early",
            Self::AppointmentTooLate { .. } => "appointment_too_late",
            Self::AppointmentUsed { .. } => "appointment_used",
            Self::AppointmentConflict { .. } => "appointment_conflict",
            Self::NothingToRate(_) => "nothing_to_rate",
            Self::AlreadyRated { .. } => "already_rated",
            Self::UnknownFollowUp(_) => "unknown_follow_up",
            Self::FollowUpStep { .. } => "follow_up_step",
            Self::FollowUpLevelRequired => "follow_up_level_required",
            Self::NoBusinessDay => "no_business_day",
            Self::DayOver(_) => "day_over",
        }
    }

    /// The text a citizen or staff member sees (Simplified Chinese).
    pub fn message_zh(&self) -> String {
        match self {
            Self::UnknownService(s) => format!("没有业务 {s}"),
            Self::UnknownWindow(w) => format!("没有{w}号窗口"),
            Self::UnknownStaff(s) => format!("工号 {s} 不存在"),
            Self::UnknownTicket(n) => format!("今日没有 {n} 号"),
            Self::Closed { reason, .. } => match reason {
                ClosedReason::ClosedToday => "今日不办公".to_string(),
                ClosedReason::NotYetOpen { opens_at } => {
                    format!("尚未开始取号，{} 开始", opens_at.strftime("%H:%M"))
                }
                ClosedReason::LunchBreak { resumes_at } => {
                    format!("午休中，{} 恢复", resumes_at.strftime("%H:%M"))
                }
                ClosedReason::ClosedForTheDay => "今日已停止取号".to_string(),
            },
            Self::QuotaReached { kind, .. } => match kind {
                QuotaKind::Daily { .. } => "今日号源已约满".to_string(),
                QuotaKind::Slot {
                    next_slot: Some(t), ..
                } => {
                    format!("本时段号源已满，{} 起可取号", t.strftime("%H:%M"))
                }
                QuotaKind::Slot {
                    next_slot: None, ..
                } => "本时段号源已满".to_string(),
            },
            Self::DuplicateIdNumber { existing, .. } => {
                format!("您今日已取过此业务的号：{existing}")
            }
            Self::IdNumberRequired(_) => "此业务需要身份证号".to_string(),
            Self::NoTicketWaiting(_) => "当前没有等候的号".to_string(),
            Self::NoCurrentTicket(_) => "当前没有正在办理的号".to_string(),
            Self::NotYourTicket { number, owner, .. } => match owner {
                Some(w) => format!("{number} 属于{w}号窗口"),
                None => format!("{number} 不属于本窗口"),
            },
            Self::AlreadyCalled { number, by } => format!("{number} 已被{by}号窗口叫走"),
            Self::NotCallable { number, .. } => format!("{number} 当前不能叫号"),
            Self::NotServedHere { .. } => "本窗口不办理此业务".to_string(),
            Self::RecallLimit { .. } => "已达重呼上限".to_string(),
            Self::WindowPaused(_) => "窗口已暂停服务".to_string(),
            Self::WindowNotPaused(_) => "窗口未暂停".to_string(),
            Self::NotSignedIn(_) => "请先签到".to_string(),
            Self::StaffNotAllowed { .. } => "您无权办理此业务".to_string(),
            Self::TransferToSelf => "不能转移到当前业务或窗口".to_string(),
            Self::UnknownAppointment => "预约码无效".to_string(),
            Self::AppointmentNotToday { date } => format!("您的预约日期是 {date}，不是今天"),
            Self::AppointmentTooEarly { opens_at } => {
                format!("尚未到签到时间，{} 起可签到", opens_at.strftime("%H:%M"))
            }
            Self::AppointmentTooLate { .. } => "预约时段已过，请按普通方式取号".to_string(),
            Self::AppointmentUsed { number } => format!("此预约已签到，号码 {number}"),
            Self::AppointmentConflict { .. } => "预约码重复".to_string(),
            Self::NothingToRate(_) => "暂无可评价的服务".to_string(),
            Self::AlreadyRated { .. } => "本次服务已评价，感谢您的参与".to_string(),
            Self::UnknownFollowUp(id) => format!("没有回访工单 {id}"),
            Self::FollowUpStep { from, to } => {
                format!("工单不能从「{}」改为「{}」", from.label(), to.label())
            }
            Self::FollowUpLevelRequired => "请填写复评等级".to_string(),
            Self::NoBusinessDay | Self::DayOver(_) => "系统时间异常，请联系管理员".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_messages_are_chinese() {
        let samples = [
            Rejected::RecallLimit { limit: 3 },
            Rejected::AlreadyCalled {
                number: TicketNumber("A023".into()),
                by: WindowNo(3),
            },
            Rejected::Closed {
                service: ServiceId::new("A"),
                reason: ClosedReason::LunchBreak {
                    resumes_at: Time::constant(14, 0, 0, 0),
                },
            },
        ];
        for r in &samples {
            assert!(r.code().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
        assert_eq!(samples[1].message_zh(), "A023 已被3号窗口叫走");
        assert_eq!(samples[2].message_zh(), "午休中，14:00 恢复");
    }
}
