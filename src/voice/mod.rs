//! Voice announcements: one announcer per audio zone, fed from a queue, in front of a
//! backend that blocks until the audio has finished.
//!
//! - [`wording`]: templates, digit-by-digit ticket numbers, cardinal window numbers (pure).
//! - [`queue`]: the order, stale drops, quiet-hours volume (pure).
//! - [`utterance`]: what one announcement says and its audio plan.
//! - [`announcer`]: the zone's std thread and its [`AnnouncerHandle`].
//! - [`pack`]: voice packs (the built-in Mandarin pack is embedded).
//! - [`clips`]: the rodio backend and WAV rendering.
//! - [`syn`]: SYN6288 / SYN6658 / XFS5152 serial TTS modules.
//! - [`sim`]: a SYN module simulator on a PTY (tests, demo).
//! - [`backends`]: the `sim` (record + WAV) and `none` (log) backends.

/// `[voice]` lives in `config::voice`; re-exported here for the voice modules.
pub use crate::config::voice as config;

pub mod announcer;
pub mod backends;
pub mod clips;
pub mod pack;
pub mod queue;
pub mod sim;
pub mod syn;
pub mod utterance;
pub mod wording;

pub use announcer::{AnnouncerHandle, VoiceEvent, ZoneHealth};
pub use queue::{Announcement, AnnouncementKind, ZoneSettings};
pub use utterance::{Part, Utterance};

/// Something that says utterances, one at a time.
pub trait Speaker {
    /// The backend's name for health (`clips`, `syn6288`, …).
    fn backend(&self) -> &'static str;

    /// Opens the device or port before the first announcement, so that health tells early
    /// when it is missing. Errors are reported, never fatal.
    fn probe(&mut self) -> Result<(), VoiceError> {
        Ok(())
    }

    /// Says `utterance` (chime, repeats and pauses included) and returns when the audio has
    /// finished.
    fn speak(&mut self, utterance: &Utterance) -> Result<(), VoiceError>;
}

/// Why an announcement could not be said.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VoiceError {
    #[error("voice pack: {0}")]
    Pack(String),
    #[error("no audio output device: {0}")]
    NoDevice(String),
    #[error("audio output lost: {0}")]
    DeviceLost(String),
    #[error("serial port {port}: {reason}")]
    Serial { port: String, reason: String },
    #[error("TTS module: {0}")]
    Module(String),
    #[error(transparent)]
    Frame(#[from] crate::protocol::syn::SynError),
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("{0}")]
    Config(String),
}
