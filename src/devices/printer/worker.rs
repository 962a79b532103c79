//! The worker thread: owns the link, runs the health checks and the print jobs.
//!
//! "Can I print?" and "did it print?" (hardware notes §2.4): before a job, drain stale
//! input and ask `DLE EOT 1..4`, each reply read with a time box and checked against the
//! `0xx1xx10` pattern (three tries); no valid reply = offline. Only a ready printer (or one
//! with paper near end) gets the job, in one write. After the job, wait for it to be
//! printed and cut, ask again: paper end, cutter error, cover open or no reply now means the
//! ticket may be incomplete (`Uncertain`).

use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread;

use tokio::sync::{oneshot, watch};

use super::link::{Connector, Link};
use super::profile::Settings;
use super::{PrintOutcome, PrinterStatus, TicketPrint};
use crate::protocol::gbk;
use crate::protocol::status::{StatusReport, StatusRequest, decode};
use crate::protocol::ticket::{TicketError, encode_ticket};

/// Tries per status request (a garbage byte or a timeout each use one).
const TRIES: usize = 3;

pub(crate) enum Job {
    Print(Box<TicketPrint>, oneshot::Sender<PrintOutcome>),
    Raw(Vec<u8>, oneshot::Sender<PrintOutcome>),
    Refresh(oneshot::Sender<PrinterStatus>),
}

pub(crate) struct Worker {
    pub(crate) connector: Option<Connector>,
    pub(crate) settings: Settings,
    pub(crate) status_tx: watch::Sender<PrinterStatus>,
    pub(crate) link: Option<Box<dyn Link>>,
}

impl Worker {
    pub(crate) fn run(mut self, jobs: Receiver<Job>) {
        self.refresh();
        loop {
            match jobs.recv_timeout(self.settings.poll) {
                Ok(Job::Print(ticket, reply)) => {
                    let outcome = self.print_ticket(&ticket);
                    let _ = reply.send(outcome);
                }
                Ok(Job::Raw(bytes, reply)) => {
                    let outcome = self.print_bytes(&bytes);
                    let _ = reply.send(outcome);
                }
                Ok(Job::Refresh(reply)) => {
                    let status = self.refresh();
                    let _ = reply.send(status);
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.refresh();
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
    }

    fn publish(&self, status: PrinterStatus) -> PrinterStatus {
        let old = self.status_tx.send_replace(status);
        if old != status {
            tracing::info!(?old, new = ?status, "printer status changed");
        }
        status
    }

    /// The open link, opening it if needed.
    fn link(&mut self) -> io::Result<&mut Box<dyn Link>> {
        if self.link.is_none() {
            let connector = self.connector.as_ref().ok_or_else(|| {
                io::Error::new(io::ErrorKind::NotFound, "no printer connection configured")
            })?;
            self.link = Some(connector.open()?);
        }
        self.link
            .as_mut()
            .ok_or_else(|| io::Error::other("link vanished"))
    }

    /// Asks the printer and publishes the result.
    pub(crate) fn refresh(&mut self) -> PrinterStatus {
        let status = match self.check() {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!(error = %e, "printer link error; will reopen");
                self.link = None;
                PrinterStatus::Offline
            }
        };
        self.publish(status)
    }

    fn check(&mut self) -> io::Result<PrinterStatus> {
        let want_status = self.settings.status;
        let timeout = self.settings.status_timeout;
        let link = self.link()?;
        if !(want_status && link.reads_status()) {
            // Write-only device: the open link is all we can know.
            return Ok(PrinterStatus::Ready);
        }
        let mut report = StatusReport::default();
        for request in StatusRequest::ALL {
            match query(link.as_mut(), request, timeout)? {
                Some(reply) => report.set(reply),
                None if request == StatusRequest::Printer => return Ok(PrinterStatus::Offline),
                None => {}
            }
        }
        Ok(report.classify())
    }

    fn print_ticket(&mut self, ticket: &TicketPrint) -> PrintOutcome {
        let mut ticket = ticket.clone();
        if !self.settings.qr {
            ticket.qr = None;
        }
        let bytes = match encode_ticket(&ticket, &self.settings.layout) {
            Ok(b) => b,
            Err(TicketError::Text { field, source }) => {
                tracing::warn!(field, error = %source, "unprintable text on a ticket, replaced by '?'");
                match encode_ticket(&lossy(&ticket), &self.settings.layout) {
                    Ok(b) => b,
                    Err(e) => return self.not_encodable(&e),
                }
            }
            Err(e) => return self.not_encodable(&e),
        };
        self.print_bytes(&bytes)
    }

    fn not_encodable(&mut self, e: &TicketError) -> PrintOutcome {
        tracing::error!(error = %e, "ticket cannot be encoded");
        PrintOutcome::NotPrinted {
            status: *self.status_tx.borrow(),
        }
    }

    fn print_bytes(&mut self, bytes: &[u8]) -> PrintOutcome {
        let before = self.refresh();
        if !before.can_print() {
            return PrintOutcome::NotPrinted { status: before };
        }
        let written = self.link().and_then(|l| l.write_all(bytes));
        if let Err(e) = written {
            tracing::warn!(error = %e, "printer write failed");
            self.link = None;
            let status = self.publish(PrinterStatus::Offline);
            return PrintOutcome::Uncertain { status };
        }
        thread::sleep(self.settings.settle);
        let after = self.refresh();
        if after.can_print() {
            PrintOutcome::Printed
        } else {
            PrintOutcome::Uncertain { status: after }
        }
    }
}

/// One `DLE EOT n` exchange: drain, ask, read one byte with a time box; retry on garbage
/// or silence. `None`: no valid reply.
fn query(
    link: &mut dyn Link,
    request: StatusRequest,
    timeout: std::time::Duration,
) -> io::Result<Option<crate::protocol::status::StatusReply>> {
    for _ in 0..TRIES {
        link.drain_input()?;
        link.write_all(&request.bytes())?;
        let Some(byte) = link.read_byte(timeout)? else {
            continue;
        };
        match decode(request, &[byte]) {
            Ok(Some((reply, _))) => return Ok(Some(reply)),
            Ok(None) => {}
            Err(e) => tracing::debug!(error = %e, "garbage status byte"),
        }
    }
    Ok(None)
}

fn lossy(t: &TicketPrint) -> TicketPrint {
    TicketPrint {
        hall_name: gbk::lossy(&t.hall_name),
        service_name: gbk::lossy(&t.service_name),
        number: gbk::lossy(&t.number),
        issued_at: gbk::lossy(&t.issued_at),
        id_last4: t.id_last4.as_deref().map(gbk::lossy),
        ..t.clone()
    }
}
