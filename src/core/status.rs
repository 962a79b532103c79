//! Read-only questions the kiosk, screens and API ask: waiting counts and estimates.

use jiff::Timestamp;

use super::catalog::Catalog;
use super::engine::ServiceStatus;
use super::issue::availability;
use super::rules::ServiceRules;
use super::state::{State, class_index};
use super::types::{ServiceId, TicketClass, TicketId, TicketState, WindowNo};

/// Average handling minutes of a service today, or its configured expectation.
fn average_minutes(st: &State, service: &ServiceRules) -> f64 {
    match st.handling.get(&service.id) {
        Some(h) if h.finished > 0 => h.total_ms as f64 / f64::from(h.finished) / 60_000.0,
        _ => f64::from(service.expected_handle_minutes),
    }
}

/// Minutes until `ahead` tickets are served by the service's windows that are not paused.
pub(crate) fn estimate(hall: &Catalog, st: &State, service: &ServiceRules, ahead: usize) -> u32 {
    let serving: Vec<WindowNo> = hall
        .windows_serving(&service.id)
        .map(|w| w.number)
        .collect();
    let open = serving
        .iter()
        .filter(|n| st.windows.get(n).is_some_and(|w| !w.paused))
        .count();
    let windows = open.max(1) as f64;
    let minutes = (ahead as f64 * average_minutes(st, service) / windows).ceil();
    (minutes.min(f64::from(u32::MAX)) as u32).max(1)
}

pub(crate) fn services_status(hall: &Catalog, st: &State, now: Timestamp) -> Vec<ServiceStatus> {
    hall.rules
        .services
        .iter()
        .map(|s| {
            let waiting = st.index.waiting.get(&s.id).copied().unwrap_or(0);
            ServiceStatus {
                service: s.id.clone(),
                name: s.name.clone(),
                prefix: s.prefix.clone(),
                waiting,
                issued_today: st.issued_today.get(&s.id).copied().unwrap_or(0),
                availability: availability(hall, st, s, now),
                estimated_wait_minutes: estimate(hall, st, s, waiting),
                windows: hall.windows_serving(&s.id).map(|w| w.number).collect(),
            }
        })
        .collect()
}

/// Waiting tickets of the same queue called before `id`: all of the higher classes of its
/// service and the earlier ones of its class (or, when directed, those directed earlier).
pub(crate) fn waiting_ahead(st: &State, id: TicketId) -> usize {
    let Some(t) = st
        .tickets
        .get(&id)
        .filter(|t| t.state == TicketState::Waiting)
    else {
        return 0;
    };
    let entry = (t.order, t.id);
    if let Some(w) = t.directed_to {
        return st
            .index
            .directed
            .get(&w)
            .map_or(0, |q| q.range(..entry).count());
    }
    let Some(queues) = st.index.queues.get(&t.service) else {
        return 0;
    };
    let class = class_index(t.class);
    let before: usize = queues[..class].iter().map(|q| q.len()).sum();
    before + queues[class].range(..entry).count()
}

pub(crate) fn estimated_wait_minutes(hall: &Catalog, st: &State, id: TicketId) -> u32 {
    match st.tickets.get(&id) {
        Some(t) if t.state == TicketState::Waiting => match hall.service(&t.service) {
            Some(s) => estimate(hall, st, s, waiting_ahead(st, id)),
            None => 0,
        },
        _ => 0,
    }
}

pub(crate) fn waiting_for_window(
    hall: &Catalog,
    st: &State,
    n: WindowNo,
) -> Vec<(ServiceId, usize)> {
    let Some(w) = hall.window(n) else {
        return Vec::new();
    };
    let mut counts: Vec<(ServiceId, usize)> = w
        .services
        .iter()
        .map(|(s, _)| {
            let waiting = st.index.queues.get(s).map_or(0, |q| {
                [
                    TicketClass::Priority,
                    TicketClass::Appointment,
                    TicketClass::WalkIn,
                ]
                .iter()
                .map(|&c| q[class_index(c)].len())
                .sum()
            });
            (s.clone(), waiting)
        })
        .collect();
    for (_, id) in st.index.directed.get(&n).into_iter().flatten() {
        if let Some(t) = st.tickets.get(id) {
            match counts.iter_mut().find(|(s, _)| *s == t.service) {
                Some((_, c)) => *c += 1,
                None => counts.push((t.service.clone(), 1)),
            }
        }
    }
    counts
}
