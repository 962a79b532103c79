//! The printer as the kiosk sees it: print a ticket, read the last status.

use std::future::Future;

use crate::devices::printer::{PrintOutcome, PrinterHandle, PrinterStatus, TicketPrint};

/// A ticket printer. `print` must not block the calling thread (the controller awaits it on
/// a tokio worker).
pub trait TicketPrinter: Send + Sync + 'static {
    fn print(&self, ticket: TicketPrint) -> impl Future<Output = PrintOutcome> + Send;
    /// The last status read; cheap, never blocks.
    fn status(&self) -> PrinterStatus;
}

impl TicketPrinter for PrinterHandle {
    fn print(&self, ticket: TicketPrint) -> impl Future<Output = PrintOutcome> + Send {
        PrinterHandle::print(self, ticket)
    }

    fn status(&self) -> PrinterStatus {
        PrinterHandle::status(self)
    }
}

/// A kiosk without a printer (no `[printer]` table): every number is shown on screen only.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoPrinter;

impl TicketPrinter for NoPrinter {
    async fn print(&self, _ticket: TicketPrint) -> PrintOutcome {
        PrintOutcome::NotPrinted {
            status: PrinterStatus::Offline,
        }
    }

    fn status(&self) -> PrinterStatus {
        PrinterStatus::Offline
    }
}
