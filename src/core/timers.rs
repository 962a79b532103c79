//! Time-driven rules: service-level alarms, closing expiry, the business-day rollover.

use jiff::Timestamp;

use super::calendar;
use super::catalog::Catalog;
use super::event::{Change, ExpireReason};
use super::state::State;
use super::types::TicketState;

/// The next batch of changes that is due at engine time `now`, or `None` when nothing is.
/// The caller applies the batch and asks again; every batch makes progress.
pub(crate) fn due(hall: &Catalog, st: &State, now: Timestamp) -> Option<Vec<Change>> {
    let rules = &hall.rules;
    let today = calendar::business_day(rules, now);
    let Some(day) = st.day else {
        return Some(vec![Change::DayStarted {
            day: today,
            previous: None,
        }]);
    };
    let closing = closing_deadline(hall, st);
    let rollover = calendar::rollover_at(rules, day);
    let cutoff = [Some(now), closing, rollover]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(now);
    if let Some(&(at, id, phase, level)) = st.index.deadlines.first()
        && at <= cutoff
        && let Some(t) = st.tickets.get(&id)
    {
        return Some(vec![Change::SlaBreached {
            ticket: id,
            number: t.number.clone(),
            service: t.service.clone(),
            window: t.window,
            phase,
            level,
        }]);
    }
    let lapsed = super::rate::due(st, cutoff);
    if !lapsed.is_empty() {
        return Some(lapsed);
    }
    if closing.is_some_and(|c| c <= now) {
        return Some(expire(
            st,
            |s| matches!(s, TicketState::Waiting | TicketState::Held),
            ExpireReason::Closing,
        ));
    }
    if today > day {
        let mut changes = if rules.carry_over {
            Vec::new()
        } else {
            expire(st, TicketState::is_open, ExpireReason::Rollover)
        };
        changes.push(Change::DayStarted {
            day: today,
            previous: Some(day),
        });
        return Some(changes);
    }
    None
}

/// When waiting and held tickets expire at closing, while some exist.
pub(crate) fn closing_deadline(hall: &Catalog, st: &State) -> Option<Timestamp> {
    if st.index.waiting_total + st.index.held_total == 0 {
        return None;
    }
    calendar::closing_expiry_at(&hall.rules, st.day?)
}

fn expire(st: &State, which: impl Fn(TicketState) -> bool, reason: ExpireReason) -> Vec<Change> {
    st.tickets
        .values()
        .filter(|t| which(t.state))
        .map(|t| Change::TicketExpired {
            ticket: t.id,
            number: t.number.clone(),
            reason,
        })
        .collect()
}
