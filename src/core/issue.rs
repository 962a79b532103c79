//! Deciding an issue (取号) and an appointment import, without changing anything.

use std::collections::HashMap;

use jiff::{Span, Timestamp};

use super::calendar;
use super::catalog::Catalog;
use super::command::{Appointment, IssueRequest, QuotaKind, Rejected};
use super::engine::Availability;
use super::event::Change;
use super::id_number::age_on;
use super::rating::RatingMark;
use super::rules::{LatePolicy, ServiceRules};
use super::state::State;
use super::types::{
    BusinessDay, OrderKey, PriorityReason, Ticket, TicketClass, TicketId, TicketNumber, TicketState,
};

/// Whether `service` may issue at `now` by hours and quotas (the kiosk's view).
pub(crate) fn availability(
    hall: &Catalog,
    st: &State,
    service: &ServiceRules,
    now: Timestamp,
) -> Availability {
    let local = calendar::local(&hall.rules, now);
    if let Some(reason) = calendar::closed_reason(&hall.rules, service, local) {
        return Availability::Closed { reason };
    }
    match quota_reached(st, service, local.time()) {
        Some(quota) => Availability::QuotaReached { quota },
        None => Availability::Open,
    }
}

fn quota_reached(st: &State, service: &ServiceRules, t: jiff::civil::Time) -> Option<QuotaKind> {
    if let Some(max) = service.daily_quota
        && st.issued_today.get(&service.id).copied().unwrap_or(0) >= max
    {
        return Some(QuotaKind::Daily { max });
    }
    let slot = calendar::slot_of(service, t)?;
    let used = st
        .slot_issued
        .get(&(service.id.clone(), slot.from))
        .copied()
        .unwrap_or(0);
    (used >= slot.max).then(|| QuotaKind::Slot {
        max: slot.max,
        next_slot: calendar::next_slot(service, t),
    })
}

/// The ticket an issue request would create at engine time `now`.
pub(crate) fn decide_issue(
    hall: &Catalog,
    st: &State,
    now: Timestamp,
    req: &IssueRequest,
) -> Result<Ticket, Rejected> {
    let rules = &hall.rules;
    let day = st.day.ok_or(Rejected::NoBusinessDay)?;
    let mut service = hall
        .service(&req.service)
        .ok_or_else(|| Rejected::UnknownService(req.service.clone()))?;
    let local = calendar::local(rules, now);
    let mut class = TicketClass::WalkIn;
    if let Some(code) = &req.appointment_code {
        let (booked_service, appointment_class) = check_in(hall, st, day, local, code)?;
        service = booked_service;
        class = appointment_class;
    }
    if let Some(reason) = calendar::closed_reason(rules, service, local) {
        return Err(Rejected::Closed {
            service: service.id.clone(),
            reason,
        });
    }
    if service.requires_id && req.id.is_none() {
        return Err(Rejected::IdNumberRequired(service.id.clone()));
    }
    if service.one_per_id
        && let Some(id) = &req.id
        && let Some(&existing) = st
            .index
            .open_ids
            .get(&(day, service.id.clone(), id.hash.clone()))
            .and_then(|ids| ids.first())
        && let Some(t) = st.tickets.get(&existing)
    {
        return Err(Rejected::DuplicateIdNumber {
            existing: t.number.clone(),
            ticket: existing,
        });
    }
    // Booked appointments were counted when the slots were planned.
    if req.appointment_code.is_none()
        && let Some(kind) = quota_reached(st, service, local.time())
    {
        return Err(Rejected::QuotaReached {
            service: service.id.clone(),
            kind,
        });
    }
    let priority = if req.staff_priority {
        Some(PriorityReason::Staff)
    } else {
        let birth = req.id.as_ref().and_then(|id| id.birth_date);
        match (rules.priority_age, birth) {
            (Some(age), Some(birth)) if age_on(birth, local.date()) >= i16::from(age) => {
                Some(PriorityReason::Age)
            }
            _ => None,
        }
    };
    if priority.is_some() {
        class = TicketClass::Priority;
    }
    let prefix = service.prefix.to_ascii_uppercase();
    let seq = st
        .sequences
        .get(&prefix)
        .copied()
        .unwrap_or(0)
        .saturating_add(1);
    let id = TicketId(st.next_id);
    Ok(Ticket {
        id,
        number: TicketNumber::compose(&service.prefix, seq, rules.number_width),
        day,
        service: service.id.clone(),
        issued_service: service.id.clone(),
        state: TicketState::Waiting,
        class,
        priority,
        issued_at: now,
        order: OrderKey {
            ms: now.as_millisecond(),
            sub: id.0 << 20,
        },
        appointment_code: req.appointment_code.clone(),
        id_hash: req.id.as_ref().map(|d| d.hash.clone()),
        id_last4: req.id.as_ref().map(|d| d.last4.clone()),
        window: None,
        directed_to: None,
        staff: None,
        first_called_at: None,
        called_at: None,
        finished_at: None,
        recalls: 0,
        no_shows: 0,
        transfers: Vec::new(),
        case_number: None,
        wait_sla: None,
        handle_sla: None,
        rating: RatingMark::None,
    })
}

/// Checks an appointment code in: its service and the class the ticket gets.
fn check_in<'h>(
    hall: &'h Catalog,
    st: &State,
    day: BusinessDay,
    local: jiff::civil::DateTime,
    code: &str,
) -> Result<(&'h ServiceRules, TicketClass), Rejected> {
    let rules = &hall.rules;
    let booked = st
        .appointments
        .get(code)
        .ok_or(Rejected::UnknownAppointment)?;
    let a = &booked.appointment;
    let service = hall
        .service(&a.service)
        .ok_or_else(|| Rejected::UnknownService(a.service.clone()))?;
    if let Some((_, number)) = &booked.checked_in {
        return Err(Rejected::AppointmentUsed {
            number: number.clone(),
        });
    }
    if a.date != day.0 {
        return Err(Rejected::AppointmentNotToday { date: a.date });
    }
    let minutes = |m: u32| Span::new().minutes(i64::from(m));
    let start = a.date.to_datetime(a.slot_from);
    let opens = start
        .checked_sub(minutes(rules.appointments.early_minutes))
        .unwrap_or(start);
    if local < opens {
        return Err(Rejected::AppointmentTooEarly {
            opens_at: opens.time(),
        });
    }
    let end = a.date.to_datetime(a.slot_to);
    let ends = end
        .checked_add(minutes(rules.appointments.grace_minutes))
        .unwrap_or(end);
    if local > ends {
        return match rules.appointments.late_policy {
            LatePolicy::WalkIn => Ok((service, TicketClass::WalkIn)),
            LatePolicy::Reject => Err(Rejected::AppointmentTooLate {
                ended_at: a.slot_to,
            }),
        };
    }
    Ok((service, TicketClass::Appointment))
}

/// New bookings to record; identical re-imports are skipped, conflicting codes refused.
pub(crate) fn decide_import(
    hall: &Catalog,
    st: &State,
    list: &[Appointment],
) -> Result<Vec<Change>, Rejected> {
    let mut seen: HashMap<&str, &Appointment> = HashMap::new();
    let mut changes = Vec::new();
    for a in list {
        if hall.service(&a.service).is_none() {
            return Err(Rejected::UnknownService(a.service.clone()));
        }
        let conflict = || Rejected::AppointmentConflict {
            code: a.code.clone(),
        };
        if let Some(prev) = seen.insert(&a.code, a) {
            if prev != a {
                return Err(conflict());
            }
            continue;
        }
        match st.appointments.get(&a.code) {
            Some(existing) if &existing.appointment == a => {}
            Some(_) => return Err(conflict()),
            None => changes.push(Change::AppointmentBooked {
                appointment: a.clone(),
            }),
        }
    }
    Ok(changes)
}
