//! The evaluator (评价器) at a window: a touchscreen where the applicant rates the visit on the
//! national five-level 好差评 scale. A pure state machine ([`state`]), what it shows
//! ([`view`]) and the [`controller`] that wires it to the Slint UI and the hall server.
//!
//! # Layout
//! - [`state`]: inputs, effects, the countdown; `now` is always an argument.
//! - [`events`]: which events of the hall's stream concern this window.
//! - [`view`]: the screen as plain data (levels, reasons, comments, countdown).
//! - [`controller`]: the Slint adapter, API calls, the event stream, [`EvaluatorGuard`].

pub mod controller;
pub mod events;
pub mod state;
pub mod view;

#[cfg(test)]
mod tests;

pub use controller::{EvaluatorDeps, EvaluatorGuard, Timing, show_view, start};
pub use state::{Connection, Effect, Evaluator, EvaluatorSettings, Input, Phase, ServerChange};
pub use view::{Page, View};

#[derive(Debug, thiserror::Error)]
pub enum EvaluatorError {
    #[error("cannot start the evaluator: {0}")]
    Ui(String),
    #[error("cannot set up the hall server client: {0}")]
    Client(#[from] crate::client::ClientError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}
