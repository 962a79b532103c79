//! [`PrinterHandle`]: the cheap, cloneable front of the printer worker thread.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;

use tokio::sync::{oneshot, watch};

use super::link::Connector;
use super::profile::{Settings, resolve};
use super::sim::PrinterSim;
use super::worker::{Job, Worker};
use super::{PrintOutcome, PrinterError, PrinterStatus, TicketPrint};
use crate::config::{PrinterBackend, PrinterConfig};

/// Talks to the printer's worker thread. Clones share the worker; the worker (and, for the
/// `sim` backend, the simulator) stops when the last clone is dropped.
#[derive(Clone)]
pub struct PrinterHandle {
    inner: Arc<Inner>,
}

struct Inner {
    jobs: mpsc::Sender<Job>,
    status: watch::Receiver<PrinterStatus>,
    settings: Settings,
    backend: PrinterBackend,
    sim: Option<PrinterSim>,
}

impl std::fmt::Debug for PrinterHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrinterHandle")
            .field("backend", &self.inner.backend)
            .field("status", &*self.inner.status.borrow())
            .finish()
    }
}

impl PrinterHandle {
    /// Starts the worker thread for `[printer]`. A printer that is absent or off is not an
    /// error: its status is `Offline` and the worker keeps trying. Errors are configuration
    /// mistakes and a simulator (`sim`) that cannot start.
    pub fn spawn(config: &PrinterConfig) -> Result<PrinterHandle, PrinterError> {
        let settings = resolve(config)?;
        let sim = match config.backend {
            PrinterBackend::Sim => Some(PrinterSim::start().map_err(PrinterError::Sim)?),
            _ => None,
        };
        let sim_path = sim.as_ref().map(|s| PathBuf::from(s.path()));
        let connector =
            Connector::from_config(config, settings.status, settings.write_timeout, sim_path)
                .ok_or_else(|| {
                    PrinterError::Config(format!(
                        "backend \"{}\" needs {}",
                        config.backend.as_str(),
                        if config.backend == PrinterBackend::Tcp {
                            "`host`"
                        } else {
                            "`path`"
                        }
                    ))
                })?;
        let (status_tx, status_rx) = watch::channel(PrinterStatus::Unknown);
        let (jobs_tx, jobs_rx) = mpsc::channel();
        let worker = Worker {
            connector: Some(connector),
            settings: settings.clone(),
            status_tx,
            link: None,
        };
        thread::Builder::new()
            .name("printer".into())
            .spawn(move || worker.run(jobs_rx))
            .map_err(PrinterError::Thread)?;
        Ok(PrinterHandle {
            inner: Arc::new(Inner {
                jobs: jobs_tx,
                status: status_rx,
                settings,
                backend: config.backend,
                sim,
            }),
        })
    }

    /// Prints one ticket. Never blocks: the worker thread does the I/O (status before,
    /// write, status after) and this awaits its answer.
    pub async fn print(&self, ticket: TicketPrint) -> PrintOutcome {
        let (tx, rx) = oneshot::channel();
        if self
            .inner
            .jobs
            .send(Job::Print(Box::new(ticket), tx))
            .is_err()
        {
            return gone();
        }
        rx.await.unwrap_or_else(|_| gone_after_send())
    }

    /// [`Self::print`] for plain threads (the CLI); never call it on a tokio worker.
    pub fn print_blocking(&self, ticket: TicketPrint) -> PrintOutcome {
        let (tx, rx) = oneshot::channel();
        if self
            .inner
            .jobs
            .send(Job::Print(Box::new(ticket), tx))
            .is_err()
        {
            return gone();
        }
        rx.blocking_recv().unwrap_or_else(|_| gone_after_send())
    }

    /// Sends raw ESC/POS bytes with the same checks as a ticket (tests, diagnostics).
    pub async fn print_raw(&self, bytes: Vec<u8>) -> PrintOutcome {
        let (tx, rx) = oneshot::channel();
        if self.inner.jobs.send(Job::Raw(bytes, tx)).is_err() {
            return gone();
        }
        rx.await.unwrap_or_else(|_| gone_after_send())
    }

    /// The last known status (no I/O).
    pub fn status(&self) -> PrinterStatus {
        *self.inner.status.borrow()
    }

    /// Status changes as the worker sees them (each ticket and every `poll_secs`).
    pub fn watch_status(&self) -> watch::Receiver<PrinterStatus> {
        self.inner.status.clone()
    }

    /// Asks the printer now (queued behind a running job).
    pub async fn refresh_status(&self) -> PrinterStatus {
        let (tx, rx) = oneshot::channel();
        if self.inner.jobs.send(Job::Refresh(tx)).is_err() {
            return PrinterStatus::Offline;
        }
        rx.await.unwrap_or(PrinterStatus::Offline)
    }

    /// [`Self::refresh_status`] for plain threads.
    pub fn refresh_status_blocking(&self) -> PrinterStatus {
        let (tx, rx) = oneshot::channel();
        if self.inner.jobs.send(Job::Refresh(tx)).is_err() {
            return PrinterStatus::Offline;
        }
        rx.blocking_recv().unwrap_or(PrinterStatus::Offline)
    }

    /// The in-process simulator of the `sim` backend (fault injection, printed tickets).
    pub fn simulator(&self) -> Option<&PrinterSim> {
        self.inner.sim.as_ref()
    }

    pub fn backend(&self) -> PrinterBackend {
        self.inner.backend
    }

    /// Paper width, header, footer and cut this printer prints with.
    pub fn layout(&self) -> &crate::protocol::ticket::TicketLayout {
        &self.inner.settings.layout
    }
}

fn gone() -> PrintOutcome {
    PrintOutcome::NotPrinted {
        status: PrinterStatus::Offline,
    }
}

fn gone_after_send() -> PrintOutcome {
    PrintOutcome::Uncertain {
        status: PrinterStatus::Offline,
    }
}
