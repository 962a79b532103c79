//! The caller keypad's rules on top of the generic master.
//!
//! Each round, for a due keypad: read `0x0000..=0x0002` (sequence, key, argument).
//!
//! * **Baseline.** On the first valid reply after start, and after the keypad was offline,
//!   its current sequence number is adopted as consumed *without acting*: a press made
//!   while the server (or the cable) was away is stale — the person it was meant for may be
//!   long gone, and acting on it now would call a number nobody is watching for.
//! * **Once per sequence.** A sequence different from the last consumed one is one new
//!   press: it is recorded as consumed *before* the action runs and before `0x0003` is
//!   written, so neither a failed acknowledgement nor a missed poll can make it repeat.
//!   Replies arrive in request order, so a late reply can only repeat an older or equal
//!   sequence, never one we have moved past.
//! * **Acknowledge.** `0x0003` = the consumed sequence, retried on later rounds until the
//!   keypad confirms it. Key code 0 (a keypad that was just reset) is consumed silently.
//! * **Display.** `0x0010..=0x0017` whenever the wanted text changed or the keypad came
//!   back online; an action's error message is shown instead for a few seconds.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use super::health::{Contact, DeviceStats};
use super::link::{Master, TransactError};
use super::sequence::{Seen, Sequence};
use super::{KeyCode, KeyPress, KeypadActions};
use crate::protocol::modbus::{FrameError, Request, Response, lcd_registers};

pub const REG_SEQUENCE: u16 = 0x0000;
pub const REG_ACK: u16 = 0x0003;
pub const REG_LCD: u16 = 0x0010;
/// How long an action's error message stays on the LCD.
pub const MESSAGE_FOR: Duration = Duration::from_secs(3);

#[derive(Debug)]
pub struct Keypad {
    pub stats: DeviceStats,
    window: u16,
    /// `None`: no baseline yet (never heard, or back from offline).
    sequence: Sequence,
    /// Text last written to the LCD.
    shown: Option<String>,
    /// The display text asked for by the server when last seen.
    wanted: Option<String>,
    message: Option<(String, Instant)>,
}

/// The port failed: the caller reopens it.
pub struct PortLost(pub std::io::Error);

impl Keypad {
    pub fn new(window: u16, address: u8, reprobe: Duration) -> Self {
        Keypad {
            stats: DeviceStats::new(address, Some(window), "keypad", reprobe),
            window,
            sequence: Sequence::default(),
            shown: None,
            wanted: None,
            message: None,
        }
    }

    pub fn window(&self) -> u16 {
        self.window
    }

    /// Forgets what the device knew: on return it is baselined and its LCD rewritten.
    pub fn forget(&mut self) {
        self.sequence.forget();
        self.shown = None;
        self.message = None;
    }

    /// One failed transaction; `Err` when the port itself failed.
    fn failed(&mut self, error: TransactError) -> Result<(), PortLost> {
        if let TransactError::Io(e) = error {
            return Err(PortLost(e));
        }
        if self.stats.record_failure(&error, Instant::now()) {
            tracing::warn!(
                window = self.window,
                address = self.stats.address,
                %error,
                "caller keypad offline"
            );
            self.forget();
        }
        Ok(())
    }

    /// One round for this keypad.
    pub fn poll(
        &mut self,
        master: &mut Master,
        actions: &dyn KeypadActions,
        wanted: Option<&str>,
    ) -> Result<(), PortLost> {
        if wanted != self.wanted.as_deref() {
            self.wanted = wanted.map(str::to_owned);
            self.message = None;
        }
        if !self.stats.due(Instant::now()) {
            return Ok(());
        }
        let address = self.stats.address;
        let read = Request::ReadHolding {
            address,
            start: REG_SEQUENCE,
            count: 3,
        };
        let regs = match master.transact(&read) {
            Ok(Response::Registers(r)) if r.len() == 3 => r,
            Ok(_) => return self.failed(TransactError::Frame(FrameError::EchoMismatch)),
            Err(e) => return self.failed(e),
        };
        let (seq, code, arg) = (regs[0], regs[1], regs[2]);
        let first = self.stats.record_ok() == Contact::First || self.sequence.unknown();
        if first {
            tracing::info!(
                window = self.window,
                address,
                seq,
                "caller keypad online; its sequence is the baseline (earlier presses are stale)"
            );
            self.forget();
        }
        if self.sequence.observe(seq, first) == Seen::New {
            self.act(seq, code, arg, actions);
        }
        if let Err(e) = self.sequence.acknowledge(master, address, REG_ACK) {
            return self.failed(e);
        }
        self.update_display(master)
    }

    fn act(&mut self, seq: u16, code: u16, arg: u16, actions: &dyn KeypadActions) {
        if code == 0 {
            return;
        }
        let Some(key) = KeyCode::from_u16(code) else {
            tracing::warn!(
                window = self.window,
                code,
                "caller keypad sent an unknown key"
            );
            self.message = Some(("按键无效".to_owned(), Instant::now() + MESSAGE_FOR));
            return;
        };
        self.stats.events += 1;
        let press = KeyPress {
            window: self.window,
            key,
            arg,
            seq,
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| actions.on_key(press)));
        let message = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(text)) => Some(text),
            Err(_) => {
                tracing::error!(window = self.window, "keypad action panicked");
                Some("系统错误".to_owned())
            }
        };
        self.message = message.map(|m| (m, Instant::now() + MESSAGE_FOR));
    }

    fn update_display(&mut self, master: &mut Master) -> Result<(), PortLost> {
        let now = Instant::now();
        if self
            .message
            .as_ref()
            .is_some_and(|(_, until)| *until <= now)
        {
            self.message = None;
        }
        let text = match (&self.message, &self.wanted) {
            (Some((m, _)), _) => m.clone(),
            (None, Some(w)) => w.clone(),
            (None, None) => return Ok(()),
        };
        if self.shown.as_deref() == Some(text.as_str()) {
            return Ok(());
        }
        let write = Request::WriteMultiple {
            address: self.stats.address,
            start: REG_LCD,
            values: lcd_registers(&text).to_vec(),
        };
        match master.transact(&write) {
            Ok(_) => {
                self.shown = Some(text);
                Ok(())
            }
            Err(e) => self.failed(e),
        }
    }
}
