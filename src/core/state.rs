//! The engine's state and the indexes kept beside the tickets.
//!
//! Every change to a ticket goes through [`State::update_ticket`], which takes the ticket
//! out of every index, changes it, and puts it back: the indexes cannot drift from the
//! tickets.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::Time;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::catalog::Catalog;
use super::command::Appointment;
use super::engine::WindowState;
use super::rating::{FollowUp, FollowUpId};
use super::types::{
    BusinessDay, OrderKey, ServiceId, SlaLevel, SlaPhase, Ticket, TicketClass, TicketId,
    TicketNumber, TicketState, WindowNo,
};

/// A waiting ticket's place in a queue.
pub(crate) type QueueEntry = (OrderKey, TicketId);

/// A pending service-level deadline.
pub(crate) type Deadline = (Timestamp, TicketId, SlaPhase, SlaLevel);

pub(crate) fn class_index(class: TicketClass) -> usize {
    match class {
        TicketClass::Priority => 0,
        TicketClass::Appointment => 1,
        TicketClass::WalkIn => 2,
    }
}

/// An imported appointment and the ticket it was checked in as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookedAppointment {
    pub appointment: Appointment,
    pub checked_in: Option<(TicketId, TicketNumber)>,
}

/// Running average of handling time (first call to finish) for one service today.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handling {
    pub finished: u32,
    pub total_ms: i64,
}

/// The three class queues of one service.
pub(crate) type ServiceQueues = [BTreeSet<QueueEntry>; 3];

/// Derived lookups, rebuilt from the tickets on restore.
#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    pub queues: HashMap<ServiceId, ServiceQueues>,
    pub directed: HashMap<WindowNo, BTreeSet<QueueEntry>>,
    pub deadlines: BTreeSet<Deadline>,
    /// Open tickets per (day, service, ID hash), for one-ID-one-number.
    pub open_ids: HashMap<(BusinessDay, ServiceId, String), Vec<TicketId>>,
    pub by_number: HashMap<TicketNumber, Vec<TicketId>>,
    pub waiting: HashMap<ServiceId, usize>,
    pub waiting_total: usize,
    pub held_total: usize,
}

impl Index {
    fn entry(t: &Ticket) -> QueueEntry {
        (t.order, t.id)
    }

    pub fn queue(&self, service: &ServiceId, class: TicketClass) -> Option<&BTreeSet<QueueEntry>> {
        self.queues.get(service).map(|q| &q[class_index(class)])
    }

    fn deadlines_of(hall: &Catalog, t: &Ticket) -> Vec<Deadline> {
        let Some(service) = hall.service(&t.service) else {
            return Vec::new();
        };
        let (phase, target, origin, reached) = match t.state {
            TicketState::Waiting => (
                SlaPhase::Waiting,
                service.wait_target,
                Some(t.issued_at),
                t.wait_sla,
            ),
            TicketState::Called | TicketState::Held => (
                SlaPhase::Handling,
                service.handle_target,
                t.first_called_at,
                t.handle_sla,
            ),
            _ => return Vec::new(),
        };
        let (Some(target), Some(origin)) = (target, origin) else {
            return Vec::new();
        };
        [
            (SlaLevel::Yellow, target.yellow_minutes),
            (SlaLevel::Red, target.red_minutes),
        ]
        .into_iter()
        .filter(|(level, _)| reached.is_none_or(|r| *level > r))
        .filter_map(|(level, minutes)| {
            let at = origin
                .checked_add(SignedDuration::from_mins(i64::from(minutes)))
                .ok()?;
            Some((at, t.id, phase, level))
        })
        .collect()
    }

    pub fn insert(&mut self, hall: &Catalog, t: &Ticket) {
        match t.state {
            TicketState::Waiting => {
                match t.directed_to {
                    Some(w) => {
                        self.directed.entry(w).or_default().insert(Self::entry(t));
                    }
                    None => {
                        let q = self.queues.entry(t.service.clone()).or_default();
                        q[class_index(t.class)].insert(Self::entry(t));
                    }
                }
                *self.waiting.entry(t.service.clone()).or_default() += 1;
                self.waiting_total += 1;
            }
            TicketState::Held => self.held_total += 1,
            _ => {}
        }
        if t.state.is_open()
            && let Some(hash) = &t.id_hash
        {
            self.open_ids
                .entry((t.day, t.service.clone(), hash.clone()))
                .or_default()
                .push(t.id);
        }
        self.deadlines.extend(Self::deadlines_of(hall, t));
    }

    pub fn remove(&mut self, hall: &Catalog, t: &Ticket) {
        match t.state {
            TicketState::Waiting => {
                match t.directed_to {
                    Some(w) => {
                        if let Some(q) = self.directed.get_mut(&w) {
                            q.remove(&Self::entry(t));
                        }
                    }
                    None => {
                        if let Some(q) = self.queues.get_mut(&t.service) {
                            q[class_index(t.class)].remove(&Self::entry(t));
                        }
                    }
                }
                if let Some(n) = self.waiting.get_mut(&t.service) {
                    *n = n.saturating_sub(1);
                }
                self.waiting_total = self.waiting_total.saturating_sub(1);
            }
            TicketState::Held => self.held_total = self.held_total.saturating_sub(1),
            _ => {}
        }
        if t.state.is_open()
            && let Some(hash) = &t.id_hash
        {
            let key = (t.day, t.service.clone(), hash.clone());
            if let Some(ids) = self.open_ids.get_mut(&key) {
                ids.retain(|&id| id != t.id);
                if ids.is_empty() {
                    self.open_ids.remove(&key);
                }
            }
        }
        for d in Self::deadlines_of(hall, t) {
            self.deadlines.remove(&d);
        }
    }
}

/// Everything the engine knows. Changed only by `apply`.
#[derive(Clone, Debug, Default)]
pub(crate) struct State {
    pub time: Option<Timestamp>,
    pub day: Option<BusinessDay>,
    pub clock_alarm: bool,
    pub next_id: u64,
    pub tickets: BTreeMap<TicketId, Ticket>,
    pub windows: BTreeMap<WindowNo, WindowState>,
    /// Last sequence per (upper-case) prefix in the current day.
    pub sequences: BTreeMap<String, u32>,
    pub issued_today: BTreeMap<ServiceId, u32>,
    /// Tickets issued today per (issued service, slot start).
    pub slot_issued: BTreeMap<(ServiceId, Time), u32>,
    pub appointments: BTreeMap<String, BookedAppointment>,
    pub handling: BTreeMap<ServiceId, Handling>,
    pub sla_counts: BTreeMap<(ServiceId, SlaPhase, SlaLevel), u32>,
    /// Follow-up work orders not yet closed.
    pub followups: BTreeMap<FollowUpId, FollowUp>,
    /// The id the next follow-up gets.
    pub next_followup: u64,
    pub index: Index,
}

impl State {
    pub fn new(hall: &Catalog) -> Self {
        let windows = hall
            .rules
            .windows
            .iter()
            .map(|w| {
                (
                    w.number,
                    WindowState {
                        number: w.number,
                        paused: false,
                        staff: None,
                        current: None,
                        held: Vec::new(),
                        last_finished: None,
                        priority_streak: 0,
                        appointment_streak: 0,
                    },
                )
            })
            .collect();
        State {
            windows,
            next_id: 1,
            next_followup: 1,
            ..State::default()
        }
    }

    /// Adds a new ticket to the tickets and every index.
    pub fn add_ticket(&mut self, hall: &Catalog, t: Ticket) {
        self.index.insert(hall, &t);
        self.index
            .by_number
            .entry(t.number.clone())
            .or_default()
            .push(t.id);
        self.tickets.insert(t.id, t);
    }

    /// Changes one ticket and keeps the indexes in step. Returns `None` for an unknown id.
    pub fn update_ticket<R>(
        &mut self,
        hall: &Catalog,
        id: TicketId,
        change: impl FnOnce(&mut Ticket) -> R,
    ) -> Option<R> {
        let t = self.tickets.get_mut(&id)?;
        self.index.remove(hall, t);
        let r = change(t);
        self.index.insert(hall, t);
        Some(r)
    }

    /// Drops a ticket from memory (the store keeps its history).
    pub fn drop_ticket(&mut self, hall: &Catalog, id: TicketId) {
        if let Some(t) = self.tickets.remove(&id) {
            self.index.remove(hall, &t);
            if let Some(ids) = self.index.by_number.get_mut(&t.number) {
                ids.retain(|&i| i != id);
                if ids.is_empty() {
                    self.index.by_number.remove(&t.number);
                }
            }
        }
    }

    /// A ticket by number, preferring the current business day's (with carry-over the
    /// same number can exist for an older day too), then the most recent day's.
    pub fn find(&self, number: &TicketNumber) -> Option<&Ticket> {
        let ids = self.index.by_number.get(number)?;
        ids.iter()
            .filter_map(|id| self.tickets.get(id))
            .max_by_key(|t| (Some(t.day) == self.day, t.day, t.id))
    }

    /// Rebuilds every index from the tickets.
    pub fn reindex(&mut self, hall: &Catalog) {
        self.index = Index::default();
        let tickets: Vec<Ticket> = self.tickets.values().cloned().collect();
        self.tickets.clear();
        for t in tickets {
            self.add_ticket(hall, t);
        }
    }
}
