//! The queue engine: `handle(now, command)` decides without changing anything, turns the
//! decision into events, and applies them through the same [`Engine::apply`] that replays
//! stored events on start. No I/O and no clock: `now` is an argument.

use jiff::civil::Time;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::calendar;
use super::calls::{decide_window, window_of};
use super::catalog::Catalog;
use super::command::{ClosedReason, Command, QuotaKind, Rejected, Reply};
use super::event::{Change, Event};
use super::invariants;
use super::issue::{decide_import, decide_issue};
use super::rate;
use super::rating::{FollowUp, FollowUpId};
use super::rules::Rules;
use super::state::{BookedAppointment, Handling, State};
use super::status;
use super::timers;
use super::types::{
    BusinessDay, ServiceId, SlaLevel, SlaPhase, StaffId, Ticket, TicketId, TicketNumber, WindowNo,
};

/// A wall clock this far behind engine time raises [`Change::ClockWentBack`].
const CLOCK_BACK_TOLERANCE: SignedDuration = SignedDuration::from_secs(60);

/// A window as the engine keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowState {
    pub number: WindowNo,
    pub paused: bool,
    pub staff: Option<StaffId>,
    /// The ticket called to (or being served at) this window.
    pub current: Option<TicketId>,
    /// Tickets parked here (挂起), oldest first.
    pub held: Vec<TicketId>,
    /// The ticket this window finished last (the evaluator rates it).
    pub last_finished: Option<TicketId>,
    /// Consecutive priority calls (anti-starvation).
    pub priority_streak: u32,
    /// Consecutive appointment calls while walk-ins waited.
    pub appointment_streak: u32,
}

/// Whether a kiosk can issue for a service now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Availability {
    Open,
    Closed { reason: ClosedReason },
    QuotaReached { quota: QuotaKind },
}

/// A service as the kiosk and hall screen show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatus {
    pub service: ServiceId,
    pub name: String,
    pub prefix: String,
    pub waiting: usize,
    pub issued_today: u32,
    pub availability: Availability,
    pub estimated_wait_minutes: u32,
    pub windows: Vec<WindowNo>,
}

/// Service-level breaches counted today (电子监察 report figures).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaCount {
    pub service: ServiceId,
    pub phase: SlaPhase,
    pub level: SlaLevel,
    pub count: u32,
}

/// Everything needed to rebuild the engine without replaying older events. Maps are kept
/// as lists so the snapshot serializes to JSON; indexes are rebuilt by
/// [`Engine::restore`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Engine time (largest `now` seen).
    pub time: Option<Timestamp>,
    pub day: Option<BusinessDay>,
    /// A clock alarm was raised and the wall clock has not caught up since.
    pub clock_alarm: bool,
    pub next_ticket_id: u64,
    pub tickets: Vec<Ticket>,
    pub windows: Vec<WindowState>,
    /// Last sequence issued today per (upper-case) prefix.
    pub sequences: Vec<(String, u32)>,
    pub issued_today: Vec<(ServiceId, u32)>,
    /// Tickets issued today per (service, slot start).
    pub slot_issued: Vec<(ServiceId, Time, u32)>,
    pub appointments: Vec<BookedAppointment>,
    pub handling: Vec<(ServiceId, Handling)>,
    pub sla_counts: Vec<SlaCount>,
    /// Follow-up work orders not yet closed.
    #[serde(default)]
    pub followups: Vec<FollowUp>,
    #[serde(default)]
    pub next_followup: u64,
}

pub struct Engine {
    hall: Catalog,
    state: State,
    pending: Vec<Event>,
}

impl Engine {
    pub fn new(rules: Rules) -> Self {
        let hall = Catalog::new(rules);
        let state = State::new(&hall);
        Engine {
            hall,
            state,
            pending: Vec::new(),
        }
    }

    pub fn restore(rules: Rules, snapshot: Snapshot) -> Self {
        let mut engine = Engine::new(rules);
        let st = &mut engine.state;
        st.time = snapshot.time;
        st.day = snapshot.day;
        st.clock_alarm = snapshot.clock_alarm;
        st.next_id = snapshot.next_ticket_id.max(1);
        st.tickets = snapshot.tickets.into_iter().map(|t| (t.id, t)).collect();
        for w in snapshot.windows {
            // Windows no longer configured are dropped; new ones start idle.
            if let Some(slot) = st.windows.get_mut(&w.number) {
                *slot = w;
            }
        }
        st.sequences = snapshot.sequences.into_iter().collect();
        st.issued_today = snapshot.issued_today.into_iter().collect();
        st.slot_issued = snapshot
            .slot_issued
            .into_iter()
            .map(|(s, t, n)| ((s, t), n))
            .collect();
        st.appointments = snapshot
            .appointments
            .into_iter()
            .map(|a| (a.appointment.code.clone(), a))
            .collect();
        st.handling = snapshot.handling.into_iter().collect();
        st.sla_counts = snapshot
            .sla_counts
            .into_iter()
            .map(|c| ((c.service, c.phase, c.level), c.count))
            .collect();
        st.followups = snapshot.followups.into_iter().map(|f| (f.id, f)).collect();
        st.next_followup = snapshot.next_followup.max(1);
        st.reindex(&engine.hall);
        engine
    }

    pub fn snapshot(&self) -> Snapshot {
        let st = &self.state;
        Snapshot {
            time: st.time,
            day: st.day,
            clock_alarm: st.clock_alarm,
            next_ticket_id: st.next_id,
            tickets: st.tickets.values().cloned().collect(),
            windows: st.windows.values().cloned().collect(),
            sequences: st.sequences.iter().map(|(p, n)| (p.clone(), *n)).collect(),
            issued_today: st
                .issued_today
                .iter()
                .map(|(s, n)| (s.clone(), *n))
                .collect(),
            slot_issued: st
                .slot_issued
                .iter()
                .map(|((s, t), n)| (s.clone(), *t, *n))
                .collect(),
            appointments: st.appointments.values().cloned().collect(),
            handling: st.handling.iter().map(|(s, h)| (s.clone(), *h)).collect(),
            sla_counts: self.sla_counts(),
            followups: st.followups.values().cloned().collect(),
            next_followup: st.next_followup,
        }
    }

    pub fn rules(&self) -> &Rules {
        &self.hall.rules
    }

    /// Runs one command at `now`. Events it caused (including time-driven ones that were
    /// due, even when the command is rejected) are applied and queued: take them with
    /// [`Engine::drain_events`].
    pub fn handle(&mut self, now: Timestamp, command: Command) -> Result<Reply, Rejected> {
        let eff = self.observe(now);
        self.run_timers(eff);
        match &command {
            Command::Tick => Ok(Reply::Done),
            Command::Issue(request) => {
                let ticket = decide_issue(&self.hall, &self.state, eff, request)?;
                let id = ticket.id;
                self.emit(
                    eff,
                    Change::TicketIssued {
                        ticket: Box::new(ticket),
                    },
                );
                Ok(Reply::Issued(id))
            }
            Command::ImportAppointments(list) => {
                for change in decide_import(&self.hall, &self.state, list)? {
                    self.emit(eff, change);
                }
                Ok(Reply::Done)
            }
            Command::RecordPrint {
                ticket,
                outcome,
                reprint,
            } => {
                let number = self
                    .state
                    .tickets
                    .get(ticket)
                    .map(|t| t.number.clone())
                    .ok_or_else(|| {
                        Rejected::UnknownTicket(TicketNumber(format!("#{}", ticket.0)))
                    })?;
                self.emit(
                    eff,
                    Change::TicketPrinted {
                        ticket: *ticket,
                        number,
                        outcome: *outcome,
                        reprint: *reprint,
                    },
                );
                Ok(Reply::Done)
            }
            Command::Rate { .. } | Command::DeclineRating { .. } | Command::UpdateFollowUp(_) => {
                for change in rate::decide(&self.hall, &self.state, eff, &command)? {
                    self.emit(eff, change);
                }
                Ok(Reply::Done)
            }
            Command::SignIn { .. } | Command::SignOut { .. } => {
                for change in decide_window(&self.hall, &self.state, eff, &command)? {
                    self.emit(eff, change);
                }
                Ok(Reply::Done)
            }
            _ => {
                let mut changes = decide_window(&self.hall, &self.state, eff, &command)?;
                rate::supersede(&self.state, &mut changes);
                for change in changes {
                    self.emit(eff, change);
                }
                let current = window_of(&command)
                    .and_then(|n| self.state.windows.get(&n))
                    .and_then(|w| w.current);
                Ok(Reply::Window(current))
            }
        }
    }

    /// Takes the events applied since the last call, oldest first.
    pub fn drain_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.pending)
    }

    /// Applies a stored event (replay). The live path uses the same function.
    pub fn apply(&mut self, event: &Event) {
        self.state.apply(&self.hall, event);
    }

    /// The next moment a time-driven rule fires (rollover, closing expiry, SLA target).
    pub fn next_deadline(&self) -> Option<Timestamp> {
        let st = &self.state;
        let sla = st.index.deadlines.first().map(|d| d.0);
        let closing = timers::closing_deadline(&self.hall, st);
        let rollover = st
            .day
            .and_then(|d| calendar::rollover_at(&self.hall.rules, d));
        let rating = rate::next_deadline(st);
        [sla, closing, rollover, rating].into_iter().flatten().min()
    }

    /// The current business day (`None` before the first event).
    pub fn day(&self) -> Option<BusinessDay> {
        self.state.day
    }

    /// Engine time: the largest `now` seen.
    pub fn time(&self) -> Option<Timestamp> {
        self.state.time
    }

    /// Whether the wall clock was found behind engine time and has not caught up since.
    pub fn clock_alarm(&self) -> bool {
        self.state.clock_alarm
    }

    pub fn ticket(&self, id: TicketId) -> Option<&Ticket> {
        self.state.tickets.get(&id)
    }

    /// A ticket by its number. With carry-over the same number can exist twice (a carried
    /// `A005` from yesterday and today's `A005`): the current business day's ticket wins,
    /// then the most recent day's.
    pub fn find_ticket(&self, number: &TicketNumber) -> Option<&Ticket> {
        self.state.find(number)
    }

    /// Tickets the engine holds in memory (the current day's, plus carried-over ones),
    /// by id.
    pub fn tickets(&self) -> impl Iterator<Item = &Ticket> {
        self.state.tickets.values()
    }

    /// Follow-up work orders not yet closed, oldest first.
    pub fn followups(&self) -> impl Iterator<Item = &FollowUp> {
        self.state.followups.values()
    }

    pub fn followup(&self, id: FollowUpId) -> Option<&FollowUp> {
        self.state.followups.get(&id)
    }

    pub fn window(&self, number: WindowNo) -> Option<&WindowState> {
        self.state.windows.get(&number)
    }

    pub fn windows(&self) -> impl Iterator<Item = &WindowState> {
        self.state.windows.values()
    }

    /// An imported appointment and the ticket it was checked in as, if any.
    pub fn appointment(&self, code: &str) -> Option<&BookedAppointment> {
        self.state.appointments.get(code)
    }

    /// Service-level breaches counted in the current business day.
    pub fn sla_counts(&self) -> Vec<SlaCount> {
        self.state
            .sla_counts
            .iter()
            .map(|((service, phase, level), count)| SlaCount {
                service: service.clone(),
                phase: *phase,
                level: *level,
                count: *count,
            })
            .collect()
    }

    pub fn services_status(&self, now: Timestamp) -> Vec<ServiceStatus> {
        let eff = self.state.time.map_or(now, |t| t.max(now));
        status::services_status(&self.hall, &self.state, eff)
    }

    /// Waiting tickets that will be called before this one at the windows that serve it
    /// (counted in its own service's queues: higher classes, then earlier tickets).
    pub fn waiting_ahead(&self, id: TicketId) -> usize {
        status::waiting_ahead(&self.state, id)
    }

    /// `ceil(waiting_ahead × average handling minutes / unpaused windows serving it)`,
    /// at least 1 for a waiting ticket; 0 for a ticket not waiting.
    pub fn estimated_wait_minutes(&self, id: TicketId) -> u32 {
        status::estimated_wait_minutes(&self.hall, &self.state, id)
    }

    /// Waiting tickets this window could call, per service it serves.
    pub fn waiting_for_window(&self, number: WindowNo) -> Vec<(ServiceId, usize)> {
        status::waiting_for_window(&self.hall, &self.state, number)
    }

    /// Checks every ticket against the queues, windows and deadlines. For tests and
    /// diagnostics; O(n × queues).
    pub fn check_invariants(&self) -> Result<(), String> {
        invariants::check(&self.hall, &self.state)
    }

    /// Moves engine time to `max(now, time)`, raising the clock alarm once when the wall
    /// clock is more than a minute behind. Returns the effective time.
    fn observe(&mut self, now: Timestamp) -> Timestamp {
        match self.state.time {
            Some(time) if now <= time => {
                if time.duration_since(now) > CLOCK_BACK_TOLERANCE && !self.state.clock_alarm {
                    self.emit(time, Change::ClockWentBack { wall: now });
                }
                time
            }
            _ => {
                self.state.time = Some(now);
                self.state.clock_alarm = false;
                now
            }
        }
    }

    fn run_timers(&mut self, eff: Timestamp) {
        // Each batch makes progress (a deadline passed, tickets expired, a day started);
        // the bound only guards against a bug turning into a hang.
        let limit = self.state.index.deadlines.len() + self.state.tickets.len() + 8;
        for _ in 0..limit {
            let Some(changes) = timers::due(&self.hall, &self.state, eff) else {
                return;
            };
            for change in changes {
                self.emit(eff, change);
            }
        }
    }

    fn emit(&mut self, at: Timestamp, change: Change) {
        let event = Event { at, change };
        self.state.apply(&self.hall, &event);
        self.pending.push(event);
    }
}
