//! [`HallConfig`] → the engine's [`Rules`].

use jiff::tz::{self, TimeZone};

use super::model::{HallConfig, LatePolicyName, SessionConfig, TargetConfig};
use crate::core::rules::{
    AppointmentRules, Hours, LatePolicy, QueueRules, ServiceRules, Session, SlaTarget, SlotQuota,
    StaffRules, WindowRules,
};
use crate::core::{Rules, ServiceId, StaffId, WindowNo};

/// China Standard Time, used only if a validated time zone name somehow fails to resolve.
const FALLBACK_OFFSET_HOURS: i8 = 8;

impl HallConfig {
    /// The hall's time zone. Validation guarantees the name resolves; should it not, China
    /// Standard Time (UTC+8, no daylight saving) is the safe fallback.
    pub fn time_zone(&self) -> TimeZone {
        TimeZone::get(&self.hall.timezone)
            .unwrap_or_else(|_| TimeZone::fixed(tz::offset(FALLBACK_OFFSET_HOURS)))
    }

    /// The engine's rules. Infallible: call it on a validated configuration.
    pub fn rules(&self) -> Rules {
        let h = &self.hall;
        let q = &self.queue;
        let a = &self.appointments;
        Rules {
            tz: self.time_zone(),
            rollover: h.rollover.0,
            number_width: h.number_width,
            carry_over: h.carry_over,
            hours: Hours {
                sessions: sessions(&h.sessions),
                weekdays: h.weekdays.iter().map(|d| d.weekday()).collect(),
                closed_dates: h.closed_dates.iter().map(|d| d.0).collect(),
                open_dates: h.open_dates.iter().map(|d| d.0).collect(),
                stop_issuing_minutes_before_close: h.stop_issuing_minutes_before_close,
                expire_minutes_after_close: h.expire_minutes_after_close,
            },
            queue: QueueRules {
                recall_limit: q.recall_limit,
                requeue_places: q.requeue_places,
                requeue_max: q.requeue_max,
                priority_streak: q.priority_streak,
                appointment_ratio: q.appointment_ratio,
            },
            appointments: AppointmentRules {
                early_minutes: a.early_minutes,
                grace_minutes: a.grace_minutes,
                late_policy: match a.late_policy {
                    LatePolicyName::WalkIn => LatePolicy::WalkIn,
                    LatePolicyName::Reject => LatePolicy::Reject,
                },
            },
            ratings: self.ratings.rules(),
            priority_age: h.priority_age.filter(|&age| age > 0),
            require_sign_in: h.require_sign_in,
            services: self
                .services
                .iter()
                .map(|s| ServiceRules {
                    id: ServiceId::new(s.id.clone()),
                    name: s.name.clone(),
                    prefix: s.prefix.clone(),
                    daily_quota: s.daily_quota,
                    slot_quotas: s
                        .slot_quotas
                        .iter()
                        .map(|q| SlotQuota {
                            from: q.from.0,
                            to: q.to.0,
                            max: q.max,
                        })
                        .collect(),
                    one_per_id: s.one_per_id,
                    requires_id: s.requires_id,
                    expected_handle_minutes: s.expected_handle_minutes,
                    wait_target: s.wait_target.map(target),
                    handle_target: s.handle_target.map(target),
                    sessions: s.sessions.as_deref().map(sessions),
                })
                .collect(),
            windows: self
                .windows
                .iter()
                .map(|w| WindowRules {
                    number: WindowNo(w.number),
                    name: w.name.clone(),
                    services: w
                        .services
                        .iter()
                        .map(|ws| (ServiceId::new(ws.service.clone()), ws.weight))
                        .collect(),
                })
                .collect(),
            staff: self
                .staff
                .iter()
                .map(|s| StaffRules {
                    id: StaffId(s.id.clone()),
                    name: s.name.clone(),
                    services: s.services.iter().cloned().map(ServiceId).collect(),
                })
                .collect(),
        }
    }
}

fn sessions(list: &[SessionConfig]) -> Vec<Session> {
    list.iter()
        .map(|s| Session {
            open: s.open.0,
            close: s.close.0,
        })
        .collect()
}

fn target(t: TargetConfig) -> SlaTarget {
    SlaTarget {
        yellow_minutes: t.yellow_minutes,
        red_minutes: t.red_minutes,
    }
}
