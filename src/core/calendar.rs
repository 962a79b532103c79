//! Civil time rules: the business day, opening hours, lunch breaks, slots and closing.

use jiff::civil::{Date, DateTime, Time};
use jiff::{SignedDuration, Span, Timestamp};

use super::command::ClosedReason;
use super::rules::{Hours, Rules, ServiceRules, Session, SlotQuota};
use super::types::BusinessDay;

/// Local civil date and time of `t` in the hall's time zone.
pub(crate) fn local(rules: &Rules, t: Timestamp) -> DateTime {
    t.to_zoned(rules.tz.clone()).datetime()
}

/// The business day `t` falls in: the local date of `t` minus the rollover time of day.
pub(crate) fn business_day(rules: &Rules, t: Timestamp) -> BusinessDay {
    let dt = local(rules, t);
    let date = if dt.time() < rules.rollover {
        dt.date().yesterday().unwrap_or(dt.date())
    } else {
        dt.date()
    };
    BusinessDay(date)
}

/// The instant a local date and time happens (the later one in a DST gap or fold).
pub(crate) fn at_local(rules: &Rules, date: Date, time: Time) -> Option<Timestamp> {
    date.to_datetime(time)
        .to_zoned(rules.tz.clone())
        .ok()
        .map(|z| z.timestamp())
}

/// The instant the business day after `day` starts.
pub(crate) fn rollover_at(rules: &Rules, day: BusinessDay) -> Option<Timestamp> {
    at_local(rules, day.0.tomorrow().ok()?, rules.rollover)
}

/// Whether the hall opens on `date` (holidays and working weekends included).
pub(crate) fn is_working_day(hours: &Hours, date: Date) -> bool {
    if hours.open_dates.contains(&date) {
        return true;
    }
    if hours.closed_dates.contains(&date) {
        return false;
    }
    hours.weekdays.contains(&date.weekday())
}

/// The sessions that apply to a service: its own, or the hall's.
pub(crate) fn sessions<'a>(rules: &'a Rules, service: &'a ServiceRules) -> &'a [Session] {
    service.sessions.as_deref().unwrap_or(&rules.hours.sessions)
}

fn minus_minutes(t: Time, minutes: u32) -> Time {
    t.checked_sub(Span::new().minutes(i64::from(minutes)))
        .unwrap_or(Time::MIN)
}

/// Why a kiosk cannot issue for `service` at local time `at`; `None` when it can.
pub(crate) fn closed_reason(
    rules: &Rules,
    service: &ServiceRules,
    at: DateTime,
) -> Option<ClosedReason> {
    if !is_working_day(&rules.hours, at.date()) {
        return Some(ClosedReason::ClosedToday);
    }
    let sessions = sessions(rules, service);
    let stop = rules.hours.stop_issuing_minutes_before_close;
    let t = at.time();
    for (i, s) in sessions.iter().enumerate() {
        if t < s.open {
            return Some(if i == 0 {
                ClosedReason::NotYetOpen { opens_at: s.open }
            } else {
                ClosedReason::LunchBreak { resumes_at: s.open }
            });
        }
        if t < minus_minutes(s.close, stop) {
            return None;
        }
    }
    if sessions.is_empty() {
        return Some(ClosedReason::ClosedToday);
    }
    Some(ClosedReason::ClosedForTheDay)
}

/// When waiting and held tickets of `day` expire, if the hall expires them at closing:
/// the configured minutes after the latest session end of the hall or any service.
pub(crate) fn closing_expiry_at(rules: &Rules, day: BusinessDay) -> Option<Timestamp> {
    let minutes = rules.hours.expire_minutes_after_close?;
    if !is_working_day(&rules.hours, day.0) {
        return None;
    }
    let last_close = rules
        .hours
        .sessions
        .iter()
        .chain(
            rules
                .services
                .iter()
                .flat_map(|s| s.sessions.iter().flatten()),
        )
        .map(|s| s.close)
        .max()?;
    let close = at_local(rules, day.0, last_close)?;
    close
        .checked_add(SignedDuration::from_mins(i64::from(minutes)))
        .ok()
}

/// The slot quota whose time range contains `t`.
pub(crate) fn slot_of(service: &ServiceRules, t: Time) -> Option<&SlotQuota> {
    service.slot_quotas.iter().find(|q| q.from <= t && t < q.to)
}

/// The start of the first slot beginning after `t`.
pub(crate) fn next_slot(service: &ServiceRules, t: Time) -> Option<Time> {
    service
        .slot_quotas
        .iter()
        .map(|q| q.from)
        .filter(|&from| from > t)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rules::*;
    use crate::core::types::ServiceId;
    use jiff::civil::Weekday::*;
    use jiff::civil::{date, time};
    use jiff::tz::TimeZone;

    fn rules() -> Rules {
        Rules {
            tz: TimeZone::get("Asia/Shanghai").unwrap(),
            rollover: time(4, 0, 0, 0),
            number_width: 3,
            carry_over: false,
            hours: Hours {
                sessions: vec![
                    Session {
                        open: time(8, 30, 0, 0),
                        close: time(12, 0, 0, 0),
                    },
                    Session {
                        open: time(14, 0, 0, 0),
                        close: time(17, 30, 0, 0),
                    },
                ],
                weekdays: vec![Monday, Tuesday, Wednesday, Thursday, Friday],
                closed_dates: vec![date(2026, 10, 1)],
                open_dates: vec![date(2026, 10, 10)],
                stop_issuing_minutes_before_close: 10,
                expire_minutes_after_close: Some(30),
            },
            queue: QueueRules::default(),
            appointments: AppointmentRules::default(),
            priority_age: Some(70),
            require_sign_in: false,
            ratings: Default::default(),
            services: vec![ServiceRules {
                id: ServiceId::new("A"),
                name: "综合受理".into(),
                prefix: "A".into(),
                daily_quota: None,
                slot_quotas: vec![],
                one_per_id: false,
                requires_id: false,
                expected_handle_minutes: 5,
                wait_target: None,
                handle_target: None,
                sessions: None,
            }],
            windows: vec![],
            staff: vec![],
        }
    }

    fn at(r: &Rules, d: Date, t: Time) -> Timestamp {
        at_local(r, d, t).unwrap()
    }

    #[test]
    fn business_day_starts_at_rollover() {
        let r = rules();
        let d = date(2026, 3, 10);
        assert_eq!(
            business_day(&r, at(&r, d, time(3, 59, 59, 0))).0,
            date(2026, 3, 9)
        );
        assert_eq!(business_day(&r, at(&r, d, time(4, 0, 0, 0))).0, d);
        assert_eq!(
            rollover_at(&r, BusinessDay(d)),
            Some(at(&r, date(2026, 3, 11), time(4, 0, 0, 0)))
        );
    }

    #[test]
    fn hours_give_reasons() {
        let r = rules();
        let s = &r.services[0];
        let d = date(2026, 3, 10); // Tuesday
        let reason = |t: Time| closed_reason(&r, s, d.to_datetime(t));
        assert_eq!(
            reason(time(8, 0, 0, 0)),
            Some(ClosedReason::NotYetOpen {
                opens_at: time(8, 30, 0, 0)
            })
        );
        assert_eq!(reason(time(9, 0, 0, 0)), None);
        assert_eq!(
            reason(time(11, 55, 0, 0)),
            Some(ClosedReason::LunchBreak {
                resumes_at: time(14, 0, 0, 0)
            })
        );
        assert_eq!(
            reason(time(13, 0, 0, 0)),
            Some(ClosedReason::LunchBreak {
                resumes_at: time(14, 0, 0, 0)
            })
        );
        assert_eq!(
            reason(time(17, 25, 0, 0)),
            Some(ClosedReason::ClosedForTheDay)
        );
        assert_eq!(
            closed_reason(&r, s, date(2026, 3, 14).to_datetime(time(9, 0, 0, 0))),
            Some(ClosedReason::ClosedToday)
        );
        assert_eq!(
            closed_reason(&r, s, date(2026, 10, 1).to_datetime(time(9, 0, 0, 0))),
            Some(ClosedReason::ClosedToday)
        );
        assert_eq!(
            closed_reason(&r, s, date(2026, 10, 10).to_datetime(time(9, 0, 0, 0))),
            None
        );
        assert_eq!(
            closing_expiry_at(&r, BusinessDay(d)),
            Some(at(&r, d, time(18, 0, 0, 0)))
        );
    }
}
