//! The engine's view of the hall configuration: plain data, already validated.
//!
//! `config::HallConfig::rules()` builds it from `hall.toml`; tests build it directly.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;

use super::types::{ServiceId, StaffId, WindowNo};

#[derive(Clone, Debug)]
pub struct Rules {
    /// Local time zone of the hall (default Asia/Shanghai).
    pub tz: TimeZone,
    /// Local time at which a new business day starts (default 04:00).
    pub rollover: Time,
    /// Digits of the sequence part of a number (default 3): `A023`.
    pub number_width: u8,
    /// Keep unfinished tickets across the rollover instead of expiring them.
    pub carry_over: bool,
    pub hours: Hours,
    pub queue: QueueRules,
    pub appointments: AppointmentRules,
    /// 好差评: evaluator timeout and follow-up deadlines.
    pub ratings: super::rating::RatingRules,
    /// Age (from the ID number's birth date) that gives the green channel; `None` disables it.
    pub priority_age: Option<u8>,
    /// Calls need a signed-in staff member at the window.
    pub require_sign_in: bool,
    pub services: Vec<ServiceRules>,
    pub windows: Vec<WindowRules>,
    pub staff: Vec<StaffRules>,
}

/// Opening hours. Sessions are local times within a day, sorted, non-overlapping; the gap
/// between two sessions is the lunch break.
#[derive(Clone, Debug)]
pub struct Hours {
    pub sessions: Vec<Session>,
    /// Weekdays the hall opens.
    pub weekdays: Vec<Weekday>,
    /// Dates the hall is closed although the weekday is open (holidays).
    pub closed_dates: Vec<Date>,
    /// Dates the hall opens although the weekday is closed (调休 working weekends).
    pub open_dates: Vec<Date>,
    /// Kiosks stop issuing this many minutes before a session ends (default 0).
    pub stop_issuing_minutes_before_close: u32,
    /// Waiting and held tickets expire this many minutes after the last session ends;
    /// `None`: only at the rollover.
    pub expire_minutes_after_close: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Session {
    pub open: Time,
    pub close: Time,
}

#[derive(Clone, Debug)]
pub struct QueueRules {
    /// Recalls allowed per call (default 3).
    pub recall_limit: u8,
    /// A no-show goes back this many places behind the head of its queue (default 3);
    /// 0 with `requeue_max` 0 drops it at once.
    pub requeue_places: u32,
    /// How many times a ticket may be requeued before a no-show drops it (default 1).
    pub requeue_max: u8,
    /// After this many consecutive priority calls at a window, one regular ticket is served
    /// when one waits (default 3).
    pub priority_streak: u32,
    /// Checked-in appointments served per walk-in when both wait (default 3, i.e. 3:1).
    pub appointment_ratio: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LatePolicy {
    /// A late arrival gets a walk-in ticket (ordered by its check-in time).
    WalkIn,
    /// A late arrival is refused at check-in.
    Reject,
}

#[derive(Clone, Debug)]
pub struct AppointmentRules {
    /// Check-in opens this many minutes before the slot starts (default 30).
    pub early_minutes: u32,
    /// Minutes after the slot ends that still count as inside the slot (default 0).
    pub grace_minutes: u32,
    pub late_policy: LatePolicy,
}

#[derive(Clone, Debug)]
pub struct ServiceRules {
    pub id: ServiceId,
    pub name: String,
    pub prefix: String,
    /// Tickets per business day; `None` = unlimited.
    pub daily_quota: Option<u32>,
    pub slot_quotas: Vec<SlotQuota>,
    /// At most one open ticket per ID number per business day (一人一号).
    pub one_per_id: bool,
    /// The kiosk must collect an ID number for this service.
    pub requires_id: bool,
    /// Expected handling time, used for estimates until real figures exist.
    pub expected_handle_minutes: u32,
    pub wait_target: Option<SlaTarget>,
    pub handle_target: Option<SlaTarget>,
    /// Replaces the hall's sessions for this service when set.
    pub sessions: Option<Vec<Session>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotQuota {
    pub from: Time,
    pub to: Time,
    pub max: u32,
}

/// Yellow and red thresholds in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlaTarget {
    pub yellow_minutes: u32,
    pub red_minutes: u32,
}

#[derive(Clone, Debug)]
pub struct WindowRules {
    pub number: WindowNo,
    pub name: String,
    /// Services this window serves, with weights (default 1). A higher weight makes the
    /// service's waiting time count for more when the window picks its next ticket.
    pub services: Vec<(ServiceId, u32)>,
}

#[derive(Clone, Debug)]
pub struct StaffRules {
    pub id: StaffId,
    pub name: String,
    /// Services the staff member may handle; empty = all.
    pub services: Vec<ServiceId>,
}

impl Rules {
    pub fn service(&self, id: &ServiceId) -> Option<&ServiceRules> {
        self.services.iter().find(|s| &s.id == id)
    }

    pub fn service_by_prefix(&self, prefix: &str) -> Option<&ServiceRules> {
        self.services
            .iter()
            .find(|s| s.prefix.eq_ignore_ascii_case(prefix))
    }

    pub fn window(&self, number: WindowNo) -> Option<&WindowRules> {
        self.windows.iter().find(|w| w.number == number)
    }

    pub fn staff_member(&self, id: &StaffId) -> Option<&StaffRules> {
        self.staff.iter().find(|s| &s.id == id)
    }
}

impl Default for QueueRules {
    fn default() -> Self {
        QueueRules {
            recall_limit: 3,
            requeue_places: 3,
            requeue_max: 1,
            priority_streak: 3,
            appointment_ratio: 3,
        }
    }
}

impl Default for AppointmentRules {
    fn default() -> Self {
        AppointmentRules {
            early_minutes: 30,
            grace_minutes: 0,
            late_policy: LatePolicy::WalkIn,
        }
    }
}
