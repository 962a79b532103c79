//! A thermal printer simulator on the master side of a PTY pair.
//!
//! The adapter under test opens the slave path ([`PrinterSim::path`]) like a real serial
//! port. The simulator parses the ESC/POS stream with the length table of
//! [`crate::protocol::escpos_decode`] (unknown sequences are recorded in
//! [`PrinterSim::errors`], so tests can fail on them), decodes GBK text, answers
//! `DLE EOT` from its state at once (even mid-job), keeps every cut ticket, and injects the
//! faults of [`Fault`] and the states of [`PrinterSim::set_paper`] and friends.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use serialport::TTYPort;

use crate::devices::pty::{PtyPair, SimThread, open_pair};
use crate::protocol::escpos_decode::{Command, Decoder, Layout, Receipt};
use crate::protocol::status::{SimpleState, reply_byte};

/// The paper roll.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Paper {
    #[default]
    Ok,
    NearEnd,
    End,
}

/// Faults that change how the printer behaves (one at a time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Powered off or unplugged: no status reply, data is lost.
    NoReply,
    /// Status replies arrive this late.
    LateReply(Duration),
    /// Status replies are `0xFF` (fails the `0xx1xx10` pattern).
    GarbageStatus,
    /// The paper runs out after this many more print commands (in the middle of a job).
    PaperEndAfter(usize),
    /// The next cut jams the cutter: that ticket is not delivered.
    CutterJamOnCut,
}

#[derive(Debug, Default)]
struct State {
    paper: Paper,
    cover_open: bool,
    cutter_error: bool,
    fault: Option<Fault>,
    tickets: Vec<Receipt>,
    errors: Vec<String>,
    status_requests: usize,
    bytes_received: usize,
    /// Print commands dropped because the printer was not printing.
    dropped_commands: usize,
}

impl State {
    fn mechanical(&self) -> SimpleState {
        SimpleState {
            cover_open: self.cover_open,
            near_end: self.paper == Paper::NearEnd,
            paper_end: self.paper == Paper::End,
            cutter_error: self.cutter_error,
        }
    }

    fn printing(&self) -> bool {
        !self.cover_open
            && !self.cutter_error
            && self.paper != Paper::End
            && self.fault != Some(Fault::NoReply)
    }
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

/// A simulated printer. Dropping it stops the simulator thread.
pub struct PrinterSim {
    /// Declared first: stopped and joined before the rest drops.
    _thread: SimThread,
    shared: Arc<Shared>,
    path: String,
    /// Kept open so the PTY stays usable while the adapter reopens the path.
    _slave: TTYPort,
}

impl std::fmt::Debug for PrinterSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrinterSim")
            .field("path", &self.path)
            .finish()
    }
}

impl PrinterSim {
    /// Creates a PTY pair and starts the simulator on its master side.
    pub fn start() -> io::Result<PrinterSim> {
        let PtyPair {
            master,
            slave,
            path,
        } = open_pair(Duration::from_millis(5))?;
        let shared = Arc::new(Shared::default());
        let thread = {
            let shared = Arc::clone(&shared);
            SimThread::spawn("printer-sim", move |stop| {
                Engine::new(shared, master).run(stop)
            })?
        };
        Ok(PrinterSim {
            _thread: thread,
            shared,
            path,
            _slave: slave,
        })
    }

    /// The slave path to give to the adapter (`/dev/pts/N`).
    pub fn path(&self) -> &str {
        &self.path
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn set_paper(&self, paper: Paper) {
        self.state().paper = paper;
    }

    pub fn set_cover_open(&self, open: bool) {
        self.state().cover_open = open;
    }

    pub fn set_cutter_error(&self, error: bool) {
        self.state().cutter_error = error;
    }

    pub fn set_fault(&self, fault: Option<Fault>) {
        self.state().fault = fault;
    }

    /// Paper, cover, cutter and faults back to normal (tickets are kept).
    pub fn repair(&self) {
        let mut s = self.state();
        s.paper = Paper::Ok;
        s.cover_open = false;
        s.cutter_error = false;
        s.fault = None;
    }

    /// Every ticket printed and cut so far.
    pub fn tickets(&self) -> Vec<Receipt> {
        self.state().tickets.clone()
    }

    /// Unknown or malformed sequences received (a correct adapter sends none).
    pub fn errors(&self) -> Vec<String> {
        self.state().errors.clone()
    }

    pub fn status_requests(&self) -> usize {
        self.state().status_requests
    }

    pub fn bytes_received(&self) -> usize {
        self.state().bytes_received
    }

    pub fn dropped_commands(&self) -> usize {
        self.state().dropped_commands
    }

    /// Waits until at least `n` tickets were printed or `timeout` passed; returns them all.
    pub fn wait_for_tickets(&self, n: usize, timeout: Duration) -> Vec<Receipt> {
        let deadline = Instant::now() + timeout;
        let mut s = self.state();
        while s.tickets.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            s = match self.shared.changed.wait_timeout(s, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        s.tickets.clone()
    }
}

/// The simulator thread's own state.
struct Engine {
    shared: Arc<Shared>,
    master: TTYPort,
    decoder: Decoder,
    layout: Layout,
    late: VecDeque<(Instant, u8)>,
}

impl Engine {
    fn new(shared: Arc<Shared>, master: TTYPort) -> Self {
        Engine {
            shared,
            master,
            decoder: Decoder::new(),
            layout: Layout::new(),
            late: VecDeque::new(),
        }
    }

    fn run(mut self, stop: &AtomicBool) {
        let mut buf = [0u8; 4096];
        while !stop.load(Ordering::Relaxed) {
            match self.master.read(&mut buf) {
                Ok(0) => thread::sleep(Duration::from_millis(2)),
                Ok(n) => self.handle(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut
                            | io::ErrorKind::WouldBlock
                            | io::ErrorKind::Interrupted
                    ) => {}
                // No slave open at the moment (EIO) or a transient error: wait.
                Err(_) => thread::sleep(Duration::from_millis(5)),
            }
            self.send_late();
        }
    }

    fn send_late(&mut self) {
        let now = Instant::now();
        while self.late.front().is_some_and(|(due, _)| *due <= now) {
            if let Some((_, byte)) = self.late.pop_front() {
                let _ = self.master.write_all(&[byte]);
            }
        }
    }

    fn handle(&mut self, bytes: &[u8]) {
        let commands = self.decoder.push(bytes);
        let shared = Arc::clone(&self.shared);
        let mut s = shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        s.bytes_received += bytes.len();
        let mut replies = Vec::new();
        for item in commands {
            let cmd = match item {
                Ok(cmd) => cmd,
                Err(e) => {
                    s.errors.push(e.to_string());
                    continue;
                }
            };
            if let Command::Status(request) = cmd {
                s.status_requests += 1;
                match s.fault {
                    Some(Fault::NoReply) => {}
                    Some(Fault::GarbageStatus) => replies.push(0xFF),
                    Some(Fault::LateReply(delay)) => {
                        let byte = reply_byte(request, &s.mechanical());
                        self.late.push_back((Instant::now() + delay, byte));
                    }
                    _ => replies.push(reply_byte(request, &s.mechanical())),
                }
                continue;
            }
            if !s.printing() {
                s.dropped_commands += 1;
                continue;
            }
            if let Some(Fault::PaperEndAfter(n)) = s.fault {
                if n == 0 {
                    s.paper = Paper::End;
                    s.fault = None;
                    s.dropped_commands += 1;
                    // What was printed of this ticket is torn off by the technician.
                    self.layout = Layout::new();
                    continue;
                }
                s.fault = Some(Fault::PaperEndAfter(n - 1));
            }
            if matches!(cmd, Command::Cut(_)) && s.fault == Some(Fault::CutterJamOnCut) {
                s.cutter_error = true;
                s.fault = None;
                self.layout = Layout::new();
                continue;
            }
            if let Some(receipt) = self.layout.apply(&cmd) {
                s.tickets.push(receipt);
                shared.changed.notify_all();
            }
        }
        drop(s);
        if !replies.is_empty() {
            let _ = self.master.write_all(&replies);
        }
    }
}
