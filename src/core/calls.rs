//! Deciding window commands (叫号, 重呼, 过号, 挂起, 转移, 暂停, 办结, 签到), without
//! changing anything: each returns the changes to apply, or why not.

use jiff::Timestamp;

use super::catalog::Catalog;
use super::command::{Command, Rejected};
use super::engine::WindowState;
use super::event::{CallKind, Change};
use super::ordering::{Streaks, next_for_window, requeue_key};
use super::rules::WindowRules;
use super::state::State;
use super::types::{StaffId, Target, Ticket, TicketNumber, TicketState, WindowNo};

struct At<'a> {
    hall: &'a Catalog,
    st: &'a State,
    rules: &'a WindowRules,
    window: &'a WindowState,
}

impl<'a> At<'a> {
    fn new(hall: &'a Catalog, st: &'a State, n: WindowNo) -> Result<Self, Rejected> {
        let rules = hall.window(n).ok_or(Rejected::UnknownWindow(n))?;
        let window = st.windows.get(&n).ok_or(Rejected::UnknownWindow(n))?;
        Ok(At {
            hall,
            st,
            rules,
            window,
        })
    }

    fn n(&self) -> WindowNo {
        self.window.number
    }

    fn ready_to_call(&self) -> Result<(), Rejected> {
        if self.window.paused {
            return Err(Rejected::WindowPaused(self.n()));
        }
        if self.hall.rules.require_sign_in && self.window.staff.is_none() {
            return Err(Rejected::NotSignedIn(self.n()));
        }
        Ok(())
    }

    fn current(&self) -> Result<&'a Ticket, Rejected> {
        self.window
            .current
            .and_then(|id| self.st.tickets.get(&id))
            .ok_or(Rejected::NoCurrentTicket(self.n()))
    }

    fn find(&self, number: &TicketNumber) -> Result<&'a Ticket, Rejected> {
        self.st
            .find(number)
            .ok_or_else(|| Rejected::UnknownTicket(number.clone()))
    }

    fn serves(&self, t: &Ticket) -> Result<(), Rejected> {
        if !self.rules.services.iter().any(|(s, _)| *s == t.service) {
            return Err(Rejected::NotServedHere {
                window: self.n(),
                service: t.service.clone(),
            });
        }
        if let Some(staff) = &self.window.staff
            && !self.hall.staff_allows(Some(staff), &t.service)
        {
            return Err(Rejected::StaffNotAllowed {
                staff: staff.clone(),
                service: t.service.clone(),
            });
        }
        Ok(())
    }

    /// The current ticket, finished because another one is being called.
    fn implicit_finish(&self, except: Option<&Ticket>) -> Option<Change> {
        let t = self.current().ok()?;
        if except.is_some_and(|e| e.id == t.id) {
            return None;
        }
        Some(Change::TicketFinished {
            ticket: t.id,
            number: t.number.clone(),
            window: self.n(),
            staff: self.window.staff.clone(),
            case_number: None,
            implicit: true,
        })
    }

    fn call(&self, t: &Ticket, kind: CallKind) -> Vec<Change> {
        let mut changes: Vec<Change> = self.implicit_finish(Some(t)).into_iter().collect();
        changes.push(Change::TicketCalled {
            ticket: t.id,
            number: t.number.clone(),
            service: t.service.clone(),
            window: self.n(),
            staff: self.window.staff.clone(),
            class: t.class,
            kind,
        });
        changes
    }
}

/// The changes a window command makes at engine time `now`.
pub(crate) fn decide_window(
    hall: &Catalog,
    st: &State,
    now: Timestamp,
    command: &Command,
) -> Result<Vec<Change>, Rejected> {
    let Some(n) = window_of(command) else {
        return Ok(Vec::new());
    };
    let at = At::new(hall, st, n)?;
    let w = at.window;
    match command {
        Command::CallNext { .. } => {
            at.ready_to_call()?;
            let streaks = Streaks {
                priority: w.priority_streak,
                appointment: w.appointment_streak,
            };
            let may_handle = |s: &_| hall.staff_allows(w.staff.as_ref(), s);
            let id = next_for_window(
                now,
                at.rules,
                streaks,
                may_handle,
                &st.index,
                &hall.rules.queue,
            )
            .ok_or(Rejected::NoTicketWaiting(n))?;
            let t = st.tickets.get(&id).ok_or(Rejected::NoTicketWaiting(n))?;
            Ok(at.call(t, CallKind::Next))
        }
        Command::CallSpecific { number, .. } => {
            at.ready_to_call()?;
            let t = at.find(number)?;
            match t.state {
                TicketState::Waiting => match t.directed_to {
                    Some(d) if d == n => {}
                    Some(d) => {
                        return Err(Rejected::NotYourTicket {
                            number: t.number.clone(),
                            window: n,
                            owner: Some(d),
                        });
                    }
                    None => at.serves(t)?,
                },
                TicketState::Missed if Some(t.day) == st.day => at.serves(t)?,
                TicketState::Called => {
                    return Err(Rejected::AlreadyCalled {
                        number: t.number.clone(),
                        by: t.window.unwrap_or(n),
                    });
                }
                TicketState::Held if t.window == Some(n) => {
                    return Ok(at.call(t, CallKind::Resumed));
                }
                TicketState::Held => {
                    return Err(Rejected::NotYourTicket {
                        number: t.number.clone(),
                        window: n,
                        owner: t.window,
                    });
                }
                state => {
                    return Err(Rejected::NotCallable {
                        number: t.number.clone(),
                        state,
                    });
                }
            }
            Ok(at.call(t, CallKind::Specific))
        }
        Command::ResumeHeld { number, .. } => {
            at.ready_to_call()?;
            let t = at.find(number)?;
            match t.state {
                TicketState::Held if t.window == Some(n) => Ok(at.call(t, CallKind::Resumed)),
                TicketState::Held => Err(Rejected::NotYourTicket {
                    number: t.number.clone(),
                    window: n,
                    owner: t.window,
                }),
                state => Err(Rejected::NotCallable {
                    number: t.number.clone(),
                    state,
                }),
            }
        }
        Command::Recall { .. } => {
            let t = at.current()?;
            let limit = hall.rules.queue.recall_limit;
            if t.recalls >= limit {
                return Err(Rejected::RecallLimit { limit });
            }
            Ok(vec![Change::TicketRecalled {
                ticket: t.id,
                number: t.number.clone(),
                window: n,
                count: t.recalls.saturating_add(1),
            }])
        }
        Command::NoShow { .. } => {
            let t = at.current()?;
            let q = &hall.rules.queue;
            let requeued_at = (t.no_shows < q.requeue_max && q.requeue_places > 0).then(|| {
                requeue_key(
                    st.index.queue(&t.service, t.class),
                    q.requeue_places,
                    now,
                    t.id,
                )
            });
            Ok(vec![Change::TicketMissed {
                ticket: t.id,
                number: t.number.clone(),
                window: n,
                requeued_at,
            }])
        }
        Command::Hold { .. } => {
            let t = at.current()?;
            Ok(vec![Change::TicketHeld {
                ticket: t.id,
                number: t.number.clone(),
                window: n,
            }])
        }
        Command::Transfer { to, .. } => {
            let t = at.current()?;
            let service = match to {
                Target::Service(s) => {
                    hall.service(s)
                        .ok_or_else(|| Rejected::UnknownService(s.clone()))?;
                    if *s == t.service {
                        return Err(Rejected::TransferToSelf);
                    }
                    s.clone()
                }
                Target::Window(target) => {
                    hall.window(*target)
                        .ok_or(Rejected::UnknownWindow(*target))?;
                    if *target == n {
                        return Err(Rejected::TransferToSelf);
                    }
                    t.service.clone()
                }
            };
            Ok(vec![Change::TicketTransferred {
                ticket: t.id,
                number: t.number.clone(),
                from_window: Some(n),
                to: to.clone(),
                service,
            }])
        }
        Command::Pause { .. } if w.paused => Ok(Vec::new()),
        Command::Pause { .. } => Ok(vec![Change::WindowPaused { window: n }]),
        Command::Resume { .. } if !w.paused => Err(Rejected::WindowNotPaused(n)),
        Command::Resume { .. } => Ok(vec![Change::WindowResumed { window: n }]),
        Command::Finish { case_number, .. } => {
            let t = at.current()?;
            Ok(vec![Change::TicketFinished {
                ticket: t.id,
                number: t.number.clone(),
                window: n,
                staff: w.staff.clone(),
                case_number: case_number.clone(),
                implicit: false,
            }])
        }
        Command::SignIn { staff, .. } => sign_in(hall, st, w, staff),
        Command::SignOut { .. } => match &w.staff {
            Some(staff) => Ok(vec![Change::StaffSignedOut {
                window: n,
                staff: staff.clone(),
            }]),
            None => Err(Rejected::NotSignedIn(n)),
        },
        Command::Tick
        | Command::Issue(_)
        | Command::ImportAppointments(_)
        | Command::RecordPrint { .. }
        | Command::Rate { .. }
        | Command::DeclineRating { .. }
        | Command::UpdateFollowUp(_) => Ok(Vec::new()),
    }
}

fn sign_in(
    hall: &Catalog,
    st: &State,
    w: &WindowState,
    staff: &StaffId,
) -> Result<Vec<Change>, Rejected> {
    hall.staff(staff)
        .ok_or_else(|| Rejected::UnknownStaff(staff.clone()))?;
    if w.staff.as_ref() == Some(staff) {
        return Ok(Vec::new());
    }
    let mut changes: Vec<Change> = st
        .windows
        .values()
        .filter(|other| other.number != w.number && other.staff.as_ref() == Some(staff))
        .map(|other| Change::StaffSignedOut {
            window: other.number,
            staff: staff.clone(),
        })
        .collect();
    if let Some(previous) = &w.staff {
        changes.push(Change::StaffSignedOut {
            window: w.number,
            staff: previous.clone(),
        });
    }
    changes.push(Change::StaffSignedIn {
        window: w.number,
        staff: staff.clone(),
    });
    Ok(changes)
}

/// The window a command acts on, if it is a window command.
pub(crate) fn window_of(command: &Command) -> Option<WindowNo> {
    match command {
        Command::CallNext { window }
        | Command::CallSpecific { window, .. }
        | Command::Recall { window }
        | Command::NoShow { window }
        | Command::Hold { window }
        | Command::ResumeHeld { window, .. }
        | Command::Transfer { window, .. }
        | Command::Pause { window }
        | Command::Resume { window }
        | Command::Finish { window, .. }
        | Command::SignIn { window, .. }
        | Command::SignOut { window }
        | Command::Rate { window, .. }
        | Command::DeclineRating { window } => Some(*window),
        Command::Tick
        | Command::UpdateFollowUp(_)
        | Command::Issue(_)
        | Command::ImportAppointments(_)
        | Command::RecordPrint { .. } => None,
    }
}
