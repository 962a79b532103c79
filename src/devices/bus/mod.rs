//! RS-485 buses polled by the hall server: Modbus RTU caller keypads (one per window,
//! address = window number) and 5-key evaluators (address = 100 + window). Register maps,
//! timing and the acknowledgement rules: `hardware/callers/modbus-keypad.md`,
//! `hardware/evaluators/modbus-evaluator.md`.
//!
//! One owner thread per bus ([`BusHandle::spawn`]) runs rounds: every online keypad is
//! read (registers `0x0000..=0x0002`); a new sequence number calls
//! [`KeypadActions::on_key`] exactly once, is recorded as consumed, then acknowledged
//! (`0x0003`); the LCD text (`0x0010..=0x0017`) is written whenever it changed. A device
//! is offline after 3 failed transactions in a row and re-probed only every 10 s, so a dead
//! keypad never slows the round. Evaluators follow the same rules (registers
//! `0x0000..=0x0001`, [`EvaluatorActions::on_rating`]); the server also writes their rating
//! timeout (`0x0021`) and whether to ask for a rating (`0x0020`, [`Prompt`]).
//!
//! Parts: [`link`] is the generic Modbus master (t3.5, stale-input discard, timeouts,
//! frame checks) and [`health`] the per-device bookkeeping, shared by keypads, evaluators
//! (and later LED displays on the same bus); `keypad` and `evaluator` hold each device's
//! rules; [`sim`] a PTY simulator with faults; [`scan`] the technician's address scan.

mod evaluator;
mod handle;
pub mod health;
mod keypad;
pub mod link;
pub mod scan;
mod sequence;
pub mod sim;
mod worker;

pub use evaluator::{
    EVALUATOR_BASE, EvaluatorActions, EvaluatorKey, IDLE_POLL_EVERY, Prompt, REG_PROMPT,
    REG_TIMEOUT, RatingPress, evaluator_address,
};
pub use handle::{BusActions, BusHandle};
pub use health::{BusHealth, DeviceHealth, OFFLINE_AFTER};
pub use keypad::{MESSAGE_FOR, REG_ACK, REG_LCD, REG_SEQUENCE};

use serde::Serialize;

/// Key codes in register `0x0001`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u16)]
pub enum KeyCode {
    CallNext = 1,
    Recall = 2,
    NoShow = 3,
    Pause = 4,
    Resume = 5,
    /// Argument: the target window.
    Transfer = 6,
    /// Argument: the number's digits (e.g. 23 for A023 at a one-service window).
    CallSpecific = 7,
    /// Argument: the staff number.
    SignIn = 8,
    SignOut = 9,
    Finish = 10,
}

impl KeyCode {
    pub const ALL: [KeyCode; 10] = [
        KeyCode::CallNext,
        KeyCode::Recall,
        KeyCode::NoShow,
        KeyCode::Pause,
        KeyCode::Resume,
        KeyCode::Transfer,
        KeyCode::CallSpecific,
        KeyCode::SignIn,
        KeyCode::SignOut,
        KeyCode::Finish,
    ];

    pub fn from_u16(code: u16) -> Option<KeyCode> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn code(self) -> u16 {
        self as u16
    }

    /// The key's name on the keypad.
    pub fn label(self) -> &'static str {
        match self {
            KeyCode::CallNext => "呼叫",
            KeyCode::Recall => "重呼",
            KeyCode::NoShow => "过号",
            KeyCode::Pause => "暂停",
            KeyCode::Resume => "恢复",
            KeyCode::Transfer => "转移",
            KeyCode::CallSpecific => "特呼",
            KeyCode::SignIn => "登录",
            KeyCode::SignOut => "退出",
            KeyCode::Finish => "办结",
        }
    }
}

/// One key press read from a keypad.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct KeyPress {
    pub window: u16,
    pub key: KeyCode,
    pub arg: u16,
    pub seq: u16,
}

/// What the hall does with a key press (the server wires it to the engine).
pub trait KeypadActions: Send + Sync + 'static {
    /// Called on the bus thread, once per new sequence number; may block (the server's
    /// implementation runs the engine command with a tokio `Handle::block_on`).
    /// `Err(text)`: a short Chinese message (≤ 8 Hanzi) shown on that keypad's LCD for a
    /// few seconds, e.g. 「无人等候」.
    fn on_key(&self, press: KeyPress) -> Result<(), String>;
}

/// Why a bus could not be started.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("bus \"{name}\": keypad window {window} has no Modbus address (use 1 to 247)")]
    Address { name: String, window: u16 },
    #[error(
        "bus \"{name}\": the evaluator of window {window} has no Modbus address (100 + window must be 101 to 247)"
    )]
    EvaluatorAddress { name: String, window: u16 },
    #[error(
        "bus \"{name}\": evaluators are configured but no evaluator actions were given (BusHandle::spawn_with)"
    )]
    NoEvaluatorActions { name: String },
    #[error("cannot start the bus thread: {0}")]
    Thread(std::io::Error),
}
