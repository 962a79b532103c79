//! The state machine's answers from the hall server and the printer: issue results,
//! reprint look-ups and print outcomes.

use std::time::Duration;

use super::messages::{IssueErrorAction, issue_error_action, printer_problem};
use super::state::{Connection, Effect, Kiosk, Outcome, Page};
use super::voice::VoicePrompt;
use crate::client::{ClientError, Issued, PrintReport, TicketInfo};
use crate::devices::printer::{PrintOutcome, TicketPrint};

impl Kiosk {
    pub(super) fn issue_answer(
        &mut self,
        now: Duration,
        answer: Result<Issued, ClientError>,
        out: &mut Vec<Effect>,
    ) {
        self.green_armed = false;
        match answer {
            Ok(issued) => {
                let ticket = self.settings.ticket.for_issued(&issued);
                self.start_print(now, issued.id, ticket, out);
            }
            Err(err) => self.issue_failed(now, &err, out),
        }
    }

    fn start_print(
        &mut self,
        now: Duration,
        ticket_id: u64,
        ticket: TicketPrint,
        out: &mut Vec<Effect>,
    ) {
        let reprint = ticket.reprint;
        self.printing = Some(Outcome {
            ticket_id,
            ticket: ticket.clone(),
            printed: false,
            problem: None,
        });
        if self.printer.can_print() {
            out.push(Effect::Print { ticket_id, ticket });
            self.go(now, Page::Busy);
        } else {
            // The number exists: show it, and record that it was not printed.
            let outcome = PrintOutcome::NotPrinted {
                status: self.printer,
            };
            self.print_done(now, ticket_id, reprint, outcome, out);
        }
    }

    fn issue_failed(&mut self, now: Duration, err: &ClientError, out: &mut Vec<Effect>) {
        match issue_error_action(err) {
            IssueErrorAction::Maintenance => {
                self.connection = Connection::Down;
                self.home(now, None);
                self.voice(out, VoicePrompt::Maintenance);
            }
            IssueErrorAction::OfferReprint { id, number } => {
                let service = self.last_service_name();
                self.voice(
                    out,
                    VoicePrompt::AlreadyHasNumber {
                        number: number.clone(),
                    },
                );
                self.go(
                    now,
                    Page::Reprint {
                        id,
                        number,
                        service,
                    },
                );
            }
            IssueErrorAction::AskIdNumber | IssueErrorAction::IdNumberError(_) => {
                let error = match issue_error_action(err) {
                    IssueErrorAction::IdNumberError(m) => Some(m),
                    _ => None,
                };
                match self.last_service.clone() {
                    Some(service) => {
                        if self.last_code.is_none() {
                            self.settings.requires_id.insert(service.clone());
                        }
                        self.id.clear();
                        self.id_error = error;
                        self.go(now, Page::IdEntry { service });
                        self.voice(out, VoicePrompt::EnterIdNumber);
                    }
                    None => self.error_home(now, "此业务需要身份证号码，请重新选择业务".into()),
                }
            }
            IssueErrorAction::AppointmentError { message, walk_in } => {
                self.code_error = Some(message);
                self.offer_walk_in = walk_in;
                self.go(now, Page::Appointment);
            }
            IssueErrorAction::PriorityRefused(message) => {
                self.staff_pin = None;
                self.error_home(now, message);
            }
            IssueErrorAction::Home(message) => {
                self.error_home(now, message);
                out.push(Effect::RefreshServices);
            }
        }
    }

    fn last_service_name(&self) -> String {
        self.last_service
            .as_ref()
            .and_then(|id| self.services.iter().find(|s| &s.id == id))
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    pub(super) fn ticket_answer(
        &mut self,
        now: Duration,
        answer: Result<TicketInfo, ClientError>,
        out: &mut Vec<Effect>,
    ) {
        match answer {
            Ok(t) if t.state == "waiting" || t.state == "held" => {
                let service = self.services.iter().find(|s| s.id == t.service);
                let ticket = self.settings.ticket.for_reprint(&t, service);
                self.start_print(now, t.id, ticket, out);
            }
            Ok(t) => self.error_home(
                now,
                format!("{} 号已叫过，无需补打，如有疑问请咨询工作人员", t.number),
            ),
            Err(err) if err.is_unavailable() => {
                self.connection = Connection::Down;
                self.home(now, None);
            }
            Err(err) => self.error_home(
                now,
                match err {
                    ClientError::Api { body, .. } => body.message,
                    _ => "暂时无法补打，请联系工作人员".into(),
                },
            ),
        }
    }

    pub(super) fn print_done(
        &mut self,
        now: Duration,
        ticket_id: u64,
        reprint: bool,
        outcome: PrintOutcome,
        out: &mut Vec<Effect>,
    ) {
        let (word, printed, problem) = match outcome {
            PrintOutcome::Printed => ("printed", true, None),
            PrintOutcome::NotPrinted { status } => {
                ("not_printed", false, Some(printer_problem(status)))
            }
            PrintOutcome::Uncertain { status } => {
                ("uncertain", false, Some(printer_problem(status)))
            }
        };
        out.push(Effect::ReportPrint {
            ticket_id,
            report: PrintReport {
                outcome: word,
                reprint,
            },
        });
        let Some(current) = self.printing.take().filter(|o| o.ticket_id == ticket_id) else {
            return;
        };
        let number = current.ticket.number.clone();
        self.outcome = Some(Outcome {
            printed,
            problem: problem.map(str::to_string),
            ..current
        });
        self.notice = None;
        self.go(now, Page::Result);
        self.voice(
            out,
            if printed {
                VoicePrompt::TakeYourTicket { number }
            } else {
                VoicePrompt::RememberYourNumber { number }
            },
        );
    }
}
