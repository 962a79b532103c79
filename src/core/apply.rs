//! How each event changes the state. Used by the live path and by replay alike.

use super::calendar;
use super::catalog::Catalog;
use super::event::{Change, Event};
use super::rating::RatingMark;
use super::state::{BookedAppointment, State};
use super::types::{
    Target, Ticket, TicketClass, TicketId, TicketNumber, TicketState, TransferRecord, WindowNo,
};

impl State {
    pub fn apply(&mut self, hall: &Catalog, event: &Event) {
        let at = event.at;
        if self.time.is_none_or(|t| at > t) {
            self.time = Some(at);
            self.clock_alarm = false;
        }
        match &event.change {
            Change::DayStarted { day, .. } => self.start_day(hall, *day),
            Change::ClockWentBack { .. } => self.clock_alarm = true,
            Change::TicketIssued { ticket } => self.issued(hall, ticket),
            Change::TicketCalled {
                ticket,
                window,
                staff,
                class,
                ..
            } => {
                let (id, w) = (*ticket, *window);
                self.update_ticket(hall, id, |t| {
                    t.state = TicketState::Called;
                    t.window = Some(w);
                    t.staff = staff.clone();
                    t.called_at = Some(at);
                    t.first_called_at.get_or_insert(at);
                    t.recalls = 0;
                    t.directed_to = None;
                });
                if let Some(ws) = self.windows.get_mut(&w) {
                    ws.current = Some(id);
                    ws.held.retain(|&h| h != id);
                    match class {
                        TicketClass::Priority => ws.priority_streak += 1,
                        TicketClass::Appointment => {
                            ws.priority_streak = 0;
                            ws.appointment_streak += 1;
                        }
                        TicketClass::WalkIn => {
                            ws.priority_streak = 0;
                            ws.appointment_streak = 0;
                        }
                    }
                }
            }
            Change::TicketRecalled { ticket, count, .. } => {
                self.update_ticket(hall, *ticket, |t| t.recalls = *count);
            }
            Change::TicketMissed {
                ticket,
                window,
                requeued_at,
                ..
            } => {
                self.update_ticket(hall, *ticket, |t| {
                    t.no_shows = t.no_shows.saturating_add(1);
                    match requeued_at {
                        Some(key) => {
                            t.state = TicketState::Waiting;
                            t.order = *key;
                            t.window = None;
                        }
                        None => t.state = TicketState::Missed,
                    }
                });
                self.release(*window, *ticket);
            }
            Change::TicketHeld { ticket, window, .. } => {
                self.update_ticket(hall, *ticket, |t| t.state = TicketState::Held);
                self.release(*window, *ticket);
                if let Some(ws) = self.windows.get_mut(window) {
                    ws.held.push(*ticket);
                }
            }
            Change::TicketTransferred {
                ticket,
                from_window,
                to,
                service,
                ..
            } => {
                self.update_ticket(hall, *ticket, |t| {
                    t.transfers.push(TransferRecord {
                        at,
                        from_service: t.service.clone(),
                        from_window: *from_window,
                        to: to.clone(),
                    });
                    t.state = TicketState::Waiting;
                    t.service = service.clone();
                    t.window = None;
                    t.directed_to = match to {
                        Target::Window(w) => Some(*w),
                        Target::Service(_) => None,
                    };
                });
                if let Some(w) = from_window {
                    self.release(*w, *ticket);
                }
            }
            Change::TicketFinished {
                ticket,
                window,
                staff,
                case_number,
                ..
            } => {
                let handled = self.update_ticket(hall, *ticket, |t| {
                    t.state = TicketState::Finished;
                    t.finished_at = Some(at);
                    t.case_number = case_number.clone();
                    t.staff = staff.clone().or(t.staff.take());
                    let from = t.called_at.unwrap_or(at);
                    (t.service.clone(), at.duration_since(from).as_millis())
                });
                if let Some((service, ms)) = handled {
                    let avg = self.handling.entry(service).or_default();
                    avg.finished += 1;
                    avg.total_ms = avg
                        .total_ms
                        .saturating_add(i64::try_from(ms.max(0)).unwrap_or(i64::MAX));
                }
                self.release(*window, *ticket);
                if let Some(ws) = self.windows.get_mut(window) {
                    ws.last_finished = Some(*ticket);
                }
                let until = at.saturating_add(hall.rules.ratings.timeout).unwrap_or(at);
                self.update_ticket(hall, *ticket, |t| t.rating = RatingMark::Awaiting { until });
            }
            Change::TicketExpired { ticket, .. } => {
                let window = self.update_ticket(hall, *ticket, |t| {
                    t.state = TicketState::Expired;
                    t.window
                });
                if let Some(Some(w)) = window {
                    self.release(w, *ticket);
                }
            }
            Change::WindowPaused { window } => self.with_window(*window, |w| w.paused = true),
            Change::WindowResumed { window } => self.with_window(*window, |w| w.paused = false),
            Change::StaffSignedIn { window, staff } => {
                self.with_window(*window, |w| w.staff = Some(staff.clone()));
            }
            Change::StaffSignedOut { window, .. } => self.with_window(*window, |w| w.staff = None),
            Change::SlaBreached {
                ticket,
                service,
                phase,
                level,
                ..
            } => {
                let counted = self.update_ticket(hall, *ticket, |t| {
                    let slot = match phase {
                        super::types::SlaPhase::Waiting => &mut t.wait_sla,
                        super::types::SlaPhase::Handling => &mut t.handle_sla,
                    };
                    *slot = Some(slot.map_or(*level, |l| l.max(*level)));
                });
                if counted.is_some() {
                    *self
                        .sla_counts
                        .entry((service.clone(), *phase, *level))
                        .or_default() += 1;
                }
            }
            // The print record lives in the store's projection; queue state is unchanged.
            Change::TicketPrinted { .. } => {}
            Change::TicketRated { .. }
            | Change::TicketUnrated { .. }
            | Change::FollowUpOpened { .. }
            | Change::FollowUpUpdated { .. } => self.apply_rating(hall, event),
            Change::AppointmentBooked { appointment } => {
                self.appointments.insert(
                    appointment.code.clone(),
                    BookedAppointment {
                        appointment: appointment.clone(),
                        checked_in: None,
                    },
                );
            }
        }
    }

    fn with_window(
        &mut self,
        window: WindowNo,
        change: impl FnOnce(&mut super::engine::WindowState),
    ) {
        if let Some(w) = self.windows.get_mut(&window) {
            change(w);
        }
    }

    /// The window no longer has `ticket` as its current or held ticket.
    fn release(&mut self, window: WindowNo, ticket: TicketId) {
        if let Some(w) = self.windows.get_mut(&window) {
            if w.current == Some(ticket) {
                w.current = None;
            }
            w.held.retain(|&h| h != ticket);
        }
    }

    fn issued(&mut self, hall: &Catalog, ticket: &Ticket) {
        self.next_id = self.next_id.max(ticket.id.0.saturating_add(1));
        if Some(ticket.day) == self.day {
            if let Some((prefix, seq)) = TicketNumber::parse(ticket.number.as_str()) {
                let last = self.sequences.entry(prefix).or_default();
                *last = (*last).max(seq);
            }
            *self
                .issued_today
                .entry(ticket.issued_service.clone())
                .or_default() += 1;
            if let Some(service) = hall.service(&ticket.issued_service) {
                let local = calendar::local(&hall.rules, ticket.issued_at);
                if let Some(slot) = calendar::slot_of(service, local.time()) {
                    *self
                        .slot_issued
                        .entry((service.id.clone(), slot.from))
                        .or_default() += 1;
                }
            }
        }
        if let Some(code) = &ticket.appointment_code
            && let Some(booked) = self.appointments.get_mut(code)
        {
            booked.checked_in = Some((ticket.id, ticket.number.clone()));
        }
        self.add_ticket(hall, ticket.clone());
    }

    fn start_day(&mut self, hall: &Catalog, day: super::types::BusinessDay) {
        self.day = Some(day);
        let finished: Vec<TicketId> = self
            .tickets
            .values()
            .filter(|t| !t.state.is_open() && t.day < day)
            .map(|t| t.id)
            .collect();
        for id in finished {
            self.drop_ticket(hall, id);
        }
        self.sequences.clear();
        self.issued_today.clear();
        self.slot_issued.clear();
        self.handling.clear();
        self.sla_counts.clear();
        self.appointments.retain(|_, a| a.appointment.date >= day.0);
        let tickets = &self.tickets;
        for w in self.windows.values_mut() {
            if w.last_finished.is_some_and(|id| !tickets.contains_key(&id)) {
                w.last_finished = None;
            }
        }
    }
}
