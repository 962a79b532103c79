//! The window terminal (窗口呼叫终端) for staff: a pure state machine ([`state`]), what it
//! shows ([`view`]) and the [`controller`] that wires it to the Slint UI and the hall server.
//!
//! # Layout
//! - [`action`]: what staff ask for ([`TerminalAction`]) and the API calls ([`Request`]).
//! - [`state`]: inputs, effects, the double-press guard; `now` is always an argument.
//! - [`messages`]: the status line's texts.
//! - [`view`]: the screen as plain data.
//! - [`controller`]: Slint adapters, API calls, the event stream, [`TerminalHandle`].

pub mod action;
pub mod controller;
pub mod messages;
pub mod state;
pub mod view;

#[cfg(test)]
mod tests;

pub use action::{Request, TerminalAction};
pub use controller::{TerminalDeps, TerminalGuard, TerminalHandle, Timing, show_view, start};
pub use state::{Connection, Effect, Input, Level, Overlay, Terminal, TerminalSettings};
pub use view::View;

#[derive(Debug, thiserror::Error)]
pub enum TerminalError {
    #[error("cannot start the window terminal: {0}")]
    Ui(String),
    #[error("cannot set up the hall server client: {0}")]
    Client(#[from] crate::client::ClientError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}
