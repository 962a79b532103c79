//! The owner thread of one serial port and the screens on it (see the module docs of
//! [`super`] for the policy: in order, latest content wins, ACK with retries, offline and
//! re-probed).

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serialport::SerialPort;

use super::driver::Driver;
use super::link::{Answer, transact};
use super::{LedContent, LedTiming, ScreenHealth};

/// A message to a bus thread.
pub(crate) enum BusMsg {
    /// Show `content` on screen `screen` (index on this bus).
    Show { screen: usize, content: LedContent },
}

/// A screen on the bus and what the thread knows about it.
pub(crate) struct Screen {
    pub driver: Box<dyn Driver>,
    pub timeout: Duration,
    pub retries: u32,
    /// What the screen should show now.
    desired: Option<LedContent>,
    /// `desired` is not acknowledged yet.
    pending: bool,
    /// Failed attempts on the pending frame.
    attempts: u32,
    /// Failed attempts in a row (any frame).
    failures: u32,
    offline: bool,
    answered: bool,
    next_probe: Instant,
    flash_until: Option<Instant>,
    last_ack: Option<Instant>,
    pub health: ScreenHealth,
}

impl Screen {
    pub fn new(
        driver: Box<dyn Driver>,
        timeout: Duration,
        retries: u32,
        health: ScreenHealth,
    ) -> Self {
        Screen {
            driver,
            timeout,
            retries,
            desired: None,
            pending: false,
            attempts: 0,
            failures: 0,
            offline: false,
            answered: false,
            next_probe: Instant::now(),
            flash_until: None,
            last_ack: None,
            health,
        }
    }

    fn due(&self, now: Instant) -> bool {
        self.pending && (!self.offline || now >= self.next_probe)
    }
}

/// Opens the port again after it failed or was missing.
pub(crate) struct Opener {
    pub path: PathBuf,
    pub baud: u32,
}

impl Opener {
    fn open(&self) -> Result<Box<dyn SerialPort>, String> {
        serialport::new(self.path.to_string_lossy(), self.baud)
            .timeout(Duration::from_millis(100))
            .open()
            .map_err(|e| format!("cannot open {}: {e}", self.path.display()))
    }
}

pub(crate) struct Bus {
    pub port: Option<Box<dyn SerialPort>>,
    pub opener: Option<Opener>,
    pub screens: Vec<Screen>,
    pub health: Arc<Mutex<Vec<ScreenHealth>>>,
    pub timing: LedTiming,
    pub flash: Duration,
    /// Silence between frames on the bus.
    pub gap: Duration,
    next_open: Instant,
    /// Where the round-robin continues.
    cursor: usize,
}

impl Bus {
    pub fn new(
        port: Option<Box<dyn SerialPort>>,
        opener: Option<Opener>,
        screens: Vec<Screen>,
        timing: LedTiming,
        flash: Duration,
        gap: Duration,
    ) -> Self {
        let health = Arc::new(Mutex::new(
            screens.iter().map(|s| s.health.clone()).collect(),
        ));
        Bus {
            port,
            opener,
            screens,
            health,
            timing,
            flash,
            gap,
            next_open: Instant::now(),
            cursor: 0,
        }
    }

    fn publish(&self, i: usize) {
        let mut h = self.health.lock().unwrap_or_else(|p| p.into_inner());
        if let (Some(slot), Some(s)) = (h.get_mut(i), self.screens.get(i)) {
            *slot = s.health.clone();
        }
    }

    fn apply(&mut self, msg: BusMsg) {
        match msg {
            BusMsg::Show { screen, content } => {
                if let Some(s) = self.screens.get_mut(screen) {
                    s.flash_until = None;
                    s.desired = Some(content);
                    s.pending = true;
                    s.attempts = 0;
                }
            }
        }
    }

    /// Flash ends and refreshes that are due.
    fn timers(&mut self, now: Instant) {
        for s in &mut self.screens {
            if s.flash_until.is_some_and(|t| t <= now) {
                s.flash_until = None;
                if let Some(d) = &mut s.desired {
                    d.flash = false;
                    s.pending = true;
                    s.attempts = 0;
                }
            }
            if !s.pending
                && !s.offline
                && s.desired.is_some()
                && s.last_ack.is_some_and(|t| now >= t + self.timing.refresh)
            {
                s.pending = true;
                s.attempts = 0;
            }
        }
    }

    /// Opens the port when it is missing and the retry time has come.
    fn ensure_port(&mut self, now: Instant) {
        if self.port.is_some() || now < self.next_open {
            return;
        }
        self.next_open = now + self.timing.probe;
        let Some(opener) = &self.opener else {
            return;
        };
        match opener.open() {
            Ok(port) => {
                tracing::info!(port = %opener.path.display(), "LED bus opened");
                self.port = Some(port);
                for s in &mut self.screens {
                    s.next_probe = now;
                }
            }
            Err(e) => self.port_down(e),
        }
    }

    fn port_down(&mut self, error: String) {
        for i in 0..self.screens.len() {
            let s = &mut self.screens[i];
            s.offline = true;
            s.health.online = false;
            s.health.last_error = Some(error.clone());
            self.publish(i);
        }
    }

    fn next_due(&self, now: Instant) -> Option<usize> {
        let n = self.screens.len();
        (0..n)
            .map(|k| (self.cursor + k) % n)
            .find(|&i| self.screens[i].due(now))
    }

    /// One attempt of screen `i`'s pending frame.
    fn attempt(&mut self, i: usize) {
        let Some(port) = self.port.as_mut() else {
            return;
        };
        let s = &mut self.screens[i];
        let Some(content) = s.desired.clone() else {
            s.pending = false;
            return;
        };
        let frame = match s.driver.frame(&content) {
            Ok(f) => f,
            Err(e) => {
                s.pending = false;
                s.health.last_error = Some(e);
                self.publish(i);
                return;
            }
        };
        let mut parser = s.driver.parser();
        let answer = transact(port.as_mut(), &frame, parser.as_mut(), s.timeout);
        let now = Instant::now();
        match answer {
            Err(e) => {
                tracing::warn!(error = %e, "LED bus port error");
                self.port = None;
                self.next_open = now;
                self.port_down(format!("serial port error: {e}"));
                return;
            }
            Ok(Answer::Ack) => {
                s.pending = false;
                s.attempts = 0;
                s.failures = 0;
                s.answered = true;
                if s.offline {
                    tracing::info!(window = s.health.window, "LED screen back online");
                }
                s.offline = false;
                s.last_ack = Some(now);
                if content.flash && s.flash_until.is_none() {
                    s.flash_until = Some(now + self.flash);
                }
                s.health.online = true;
                s.health.frames_sent += 1;
                s.health.showing = Some(content.text.clone());
            }
            Ok(answer) => {
                let nack = matches!(answer, Answer::Nack(_));
                s.health.last_error = Some(match &answer {
                    Answer::Nack(code) => {
                        s.health.nacks += 1;
                        format!("NACK (error code {code})")
                    }
                    Answer::Garbled(e) => {
                        s.health.bad_replies += 1;
                        format!("garbled reply: {e}")
                    }
                    _ => {
                        s.health.timeouts += 1;
                        format!("no reply within {} ms", s.timeout.as_millis())
                    }
                });
                if nack {
                    // It answered: alive, but refusing this frame.
                    s.failures = 0;
                    s.answered = true;
                } else {
                    s.failures += 1;
                }
                s.attempts += 1;
                if s.offline || s.failures >= self.timing.offline_after {
                    if !s.offline {
                        tracing::warn!(
                            window = s.health.window,
                            address = s.health.address,
                            "LED screen offline"
                        );
                    }
                    s.offline = true;
                    s.next_probe = now + self.timing.probe;
                    s.attempts = 0;
                    // A late flash is pointless: the probe brings the steady text.
                    if let Some(d) = &mut s.desired {
                        d.flash = false;
                    }
                } else if s.attempts > s.retries {
                    // Given up on this frame; the refresh sends it again later.
                    s.pending = false;
                    s.attempts = 0;
                    if let Some(d) = &mut s.desired {
                        d.flash = false;
                    }
                    s.last_ack = Some(now);
                }
                s.health.online = s.answered && !s.offline;
            }
        }
        self.publish(i);
    }

    /// When the thread must wake up next without a message.
    fn next_wake(&self, now: Instant) -> Duration {
        let mut wake = now + Duration::from_secs(1);
        for s in &self.screens {
            if let Some(t) = s.flash_until {
                wake = wake.min(t);
            }
            if s.pending && s.offline {
                wake = wake.min(s.next_probe);
            }
            if !s.pending
                && !s.offline
                && s.desired.is_some()
                && let Some(t) = s.last_ack
            {
                wake = wake.min(t + self.timing.refresh);
            }
        }
        if self.port.is_none() && self.opener.is_some() {
            wake = wake.min(self.next_open);
        }
        wake.saturating_duration_since(now)
    }

    pub fn run(mut self, rx: mpsc::Receiver<BusMsg>) {
        for i in 0..self.screens.len() {
            self.publish(i);
        }
        loop {
            loop {
                match rx.try_recv() {
                    Ok(msg) => self.apply(msg),
                    Err(mpsc::TryRecvError::Empty) => break,
                    Err(mpsc::TryRecvError::Disconnected) => return,
                }
            }
            let now = Instant::now();
            self.timers(now);
            self.ensure_port(now);
            if self.port.is_some()
                && let Some(i) = self.next_due(now)
            {
                self.attempt(i);
                self.cursor = (i + 1) % self.screens.len().max(1);
                std::thread::sleep(self.gap);
                continue;
            }
            match rx.recv_timeout(self.next_wake(Instant::now()).max(Duration::from_millis(1))) {
                Ok(msg) => self.apply(msg),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}
