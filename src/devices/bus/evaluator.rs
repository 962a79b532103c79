//! The 5-key evaluator's rules on top of the generic master
//! (`hardware/evaluators/modbus-evaluator.md`).
//!
//! The evaluator of window N has address 100 + N. For a due evaluator, each round:
//!
//! * **Read** `0x0000..=0x0001` (sequence, key). The caller keypad's rules apply unchanged:
//!   the first valid reply (after start, after being offline, or after the device was reset
//!   to sequence 0 / key 0) is a **baseline**, adopted without acting; a sequence different
//!   from the consumed one is **one** new key, recorded as consumed before
//!   [`EvaluatorActions::on_rating`] runs; `0x0003` is then written and retried until the
//!   device echoes it.
//! * **Timeout**: `0x0021` = the rating timeout in seconds, once per contact.
//! * **Prompt**: `0x0020` = 1 whenever the hall asks for a new rating ([`Prompt::Ask`] with
//!   another id: the window finished another ticket, so the device restarts its timeout),
//!   0 when the hall no longer waits ([`Prompt::Idle`]); written again after every contact.
//!
//! An evaluator that is not asking is read only every [`IDLE_POLL_EVERY`] (hardware.md
//! §5.3: "poll only the evaluators that are armed"), so idle evaluators cost the keypads on
//! the same bus almost nothing. One that asks, or has a write pending, is read every round.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::health::{Contact, DeviceStats};
use super::keypad::PortLost;
use super::link::{Master, TransactError};
use super::sequence::{Seen, Sequence};
use crate::protocol::modbus::{FrameError, MAX_ADDRESS, Request, Response};

/// The evaluator of window N answers at `EVALUATOR_BASE + N`.
pub const EVALUATOR_BASE: u8 = 100;
/// `0x0020`: 1 = ask for a rating now (starts the device's timeout), 0 = idle.
pub const REG_PROMPT: u16 = 0x0020;
/// `0x0021`: the rating timeout in seconds.
pub const REG_TIMEOUT: u16 = 0x0021;
/// How often an evaluator that is not asking for a rating is read.
pub const IDLE_POLL_EVERY: Duration = Duration::from_secs(1);

const REG_SEQUENCE: u16 = 0x0000;
const REG_ACK: u16 = 0x0003;

/// The Modbus address of window `window`'s evaluator, if it has one (101..=247).
pub fn evaluator_address(window: u16) -> Option<u8> {
    let address = u16::from(EVALUATOR_BASE).checked_add(window)?;
    u8::try_from(address)
        .ok()
        .filter(|a| (EVALUATOR_BASE + 1..=MAX_ADDRESS).contains(a))
}

/// Key codes in the evaluator's register `0x0001`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u16)]
pub enum EvaluatorKey {
    /// The device's timeout ran out without a key: recorded as unrated (未评价).
    TimedOut = 0,
    VerySatisfied = 21,
    Satisfied = 22,
    Basic = 23,
    Dissatisfied = 24,
    VeryDissatisfied = 25,
}

impl EvaluatorKey {
    pub const ALL: [EvaluatorKey; 6] = [
        EvaluatorKey::TimedOut,
        EvaluatorKey::VerySatisfied,
        EvaluatorKey::Satisfied,
        EvaluatorKey::Basic,
        EvaluatorKey::Dissatisfied,
        EvaluatorKey::VeryDissatisfied,
    ];

    pub fn from_u16(code: u16) -> Option<EvaluatorKey> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn code(self) -> u16 {
        self as u16
    }

    /// The national level 5 (非常满意) … 1 (非常不满意); `None` for a timeout.
    pub fn level(self) -> Option<u8> {
        match self {
            EvaluatorKey::TimedOut => None,
            EvaluatorKey::VerySatisfied => Some(5),
            EvaluatorKey::Satisfied => Some(4),
            EvaluatorKey::Basic => Some(3),
            EvaluatorKey::Dissatisfied => Some(2),
            EvaluatorKey::VeryDissatisfied => Some(1),
        }
    }

    /// The key's label on the device.
    pub fn label(self) -> &'static str {
        match self {
            EvaluatorKey::TimedOut => "未评价",
            EvaluatorKey::VerySatisfied => "非常满意",
            EvaluatorKey::Satisfied => "满意",
            EvaluatorKey::Basic => "基本满意",
            EvaluatorKey::Dissatisfied => "不满意",
            EvaluatorKey::VeryDissatisfied => "非常不满意",
        }
    }
}

/// One key (or timeout) read from an evaluator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RatingPress {
    pub window: u16,
    pub key: EvaluatorKey,
    pub seq: u16,
    /// The visit the evaluator was asking for ([`Prompt::Ask`] id) as of the read before
    /// the one that found this key; `None` when it was not asking (or had just come online).
    /// A key read within a round of a new ask was pressed for the old one (nobody reacts
    /// that fast), so the hall refuses it when the window has moved on to another visit.
    pub visit: Option<u64>,
}

/// What the hall wants window N's evaluator to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Prompt {
    /// Nothing to rate: `0x0020` = 0.
    #[default]
    Idle,
    /// Ask for a rating of visit `id` (the hall uses the ticket id): `0x0020` = 1, written
    /// again for every new id, which restarts the device's timeout.
    Ask(u64),
}

impl Prompt {
    pub fn register(self) -> u16 {
        match self {
            Prompt::Idle => 0,
            Prompt::Ask(_) => 1,
        }
    }
}

/// What the hall does with an evaluator key (the server wires it to the engine).
pub trait EvaluatorActions: Send + Sync + 'static {
    /// Called on the bus thread once per new sequence number; may block. `Err(reason)`: the
    /// hall refused it (nothing to rate, already rated), English, for the trace log. The
    /// key is acknowledged either way.
    fn on_rating(&self, press: RatingPress) -> Result<(), String>;
}

#[derive(Debug)]
pub struct Evaluator {
    pub stats: DeviceStats,
    window: u16,
    /// `None`: no baseline yet (never heard, back from offline, or reset).
    sequence: Sequence,
    /// `0x0021` as written since the last contact.
    timeout_written: Option<u16>,
    /// `0x0020` as written since the last contact.
    prompt_written: Option<Prompt>,
    /// `prompt_written` as of the last successful read.
    asked_at_read: Option<Prompt>,
    last_read: Option<Instant>,
}

impl Evaluator {
    pub fn new(window: u16, address: u8, reprobe: Duration) -> Self {
        Evaluator {
            stats: DeviceStats::new(address, Some(window), "evaluator", reprobe),
            window,
            sequence: Sequence::default(),
            timeout_written: None,
            prompt_written: None,
            asked_at_read: None,
            last_read: None,
        }
    }

    pub fn window(&self) -> u16 {
        self.window
    }

    /// Forgets what the device knew: on return it is baselined and its registers written.
    pub fn forget(&mut self) {
        self.sequence.forget();
        self.timeout_written = None;
        self.prompt_written = None;
        self.asked_at_read = None;
    }

    /// Whether this round should talk to the device.
    fn wants_poll(&self, wanted: Prompt, now: Instant) -> bool {
        if !self.stats.due(now) {
            return false;
        }
        !self.stats.online()
            || self.sequence.unknown()
            || matches!(wanted, Prompt::Ask(_))
            || self.prompt_written != Some(wanted)
            || self.sequence.ack_pending()
            || self.timeout_written.is_none()
            || self
                .last_read
                .is_none_or(|at| now.saturating_duration_since(at) >= IDLE_POLL_EVERY)
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
                "evaluator offline"
            );
            self.forget();
        }
        Ok(())
    }

    /// One round for this evaluator.
    pub fn poll(
        &mut self,
        master: &mut Master,
        actions: &dyn EvaluatorActions,
        wanted: Prompt,
        timeout_s: u16,
    ) -> Result<(), PortLost> {
        let now = Instant::now();
        if !self.wants_poll(wanted, now) {
            return Ok(());
        }
        let address = self.stats.address;
        let read = Request::ReadHolding {
            address,
            start: REG_SEQUENCE,
            count: 2,
        };
        self.last_read = Some(now);
        let regs = match master.transact(&read) {
            Ok(Response::Registers(r)) if r.len() == 2 => r,
            Ok(_) => return self.failed(TransactError::Frame(FrameError::EchoMismatch)),
            Err(e) => return self.failed(e),
        };
        let (seq, code) = (regs[0], regs[1]);
        let asked = std::mem::replace(&mut self.asked_at_read, self.prompt_written);
        let first = self.stats.record_ok() == Contact::First || self.sequence.unknown();
        let reset = seq == 0 && code == 0 && self.sequence.consumed().is_some_and(|c| c != 0);
        if first || reset {
            tracing::info!(
                window = self.window,
                address,
                seq,
                reset,
                "evaluator online; its sequence is the baseline (earlier keys are stale)"
            );
            self.forget();
        }
        if self.sequence.observe(seq, first || reset) == Seen::New {
            let visit = match asked {
                Some(Prompt::Ask(id)) => Some(id),
                _ => None,
            };
            self.act(seq, code, visit, actions);
        }
        if let Err(e) = self.sequence.acknowledge(master, address, REG_ACK) {
            return self.failed(e);
        }
        if self.timeout_written != Some(timeout_s) {
            if !self.write(master, REG_TIMEOUT, timeout_s)? {
                return Ok(());
            }
            self.timeout_written = Some(timeout_s);
        }
        if self.prompt_written != Some(wanted)
            && self.write(master, REG_PROMPT, wanted.register())?
        {
            self.prompt_written = Some(wanted);
        }
        Ok(())
    }

    /// Writes one register; `Ok(true)` when the device echoed it or refused it with an
    /// exception (not retried: it would refuse again), `Ok(false)` to retry next round.
    fn write(&mut self, master: &mut Master, register: u16, value: u16) -> Result<bool, PortLost> {
        let request = Request::WriteSingle {
            address: self.stats.address,
            register,
            value,
        };
        match master.transact(&request) {
            Ok(_) => Ok(true),
            Err(e @ TransactError::Frame(FrameError::Exception(_))) => {
                tracing::warn!(
                    window = self.window,
                    address = self.stats.address,
                    register,
                    error = %e,
                    "evaluator refused a register write; not retried"
                );
                self.failed(e)?;
                Ok(true)
            }
            Err(e) => {
                self.failed(e)?;
                Ok(false)
            }
        }
    }

    fn act(&mut self, seq: u16, code: u16, visit: Option<u64>, actions: &dyn EvaluatorActions) {
        let Some(key) = EvaluatorKey::from_u16(code) else {
            tracing::warn!(
                window = self.window,
                code,
                seq,
                "evaluator sent an unknown key"
            );
            return;
        };
        self.stats.events += 1;
        let press = RatingPress {
            window: self.window,
            key,
            seq,
            visit,
        };
        match catch_unwind(AssertUnwindSafe(|| actions.on_rating(press))) {
            Ok(Ok(())) => {}
            Ok(Err(reason)) => {
                tracing::debug!(window = self.window, seq, ?key, %reason, "evaluator key refused");
            }
            Err(_) => tracing::error!(window = self.window, "evaluator action panicked"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_the_national_levels() {
        let levels: Vec<Option<u8>> = EvaluatorKey::ALL.iter().map(|k| k.level()).collect();
        assert_eq!(levels, [None, Some(5), Some(4), Some(3), Some(2), Some(1)]);
        assert_eq!(EvaluatorKey::from_u16(24), Some(EvaluatorKey::Dissatisfied));
        assert_eq!(EvaluatorKey::from_u16(26), None);
        assert_eq!(EvaluatorKey::from_u16(1), None);
        assert_eq!(EvaluatorKey::VerySatisfied.label(), "非常满意");
    }

    #[test]
    fn addresses_are_one_hundred_plus_the_window() {
        assert_eq!(evaluator_address(1), Some(101));
        assert_eq!(evaluator_address(147), Some(247));
        assert_eq!(evaluator_address(148), None);
        assert_eq!(evaluator_address(0), None);
        assert_eq!(evaluator_address(u16::MAX), None);
    }
}
