//! hallq: queue, calling and 好差评 for the hardware of a government service hall.
//!
//! # Layout
//! - [`core`]: the rules, pure (no I/O, no clock).
//! - [`config`]: `hall.toml` and its validation.
//! - [`store`]: the durable SQLite store; every event is committed before it has effects.
//! - [`hall`]: the hall runtime that owns the engine and the store (one thread, group commit).
//! - [`server`]: the LAN API (axum) and event stream.
//! - [`client`]: the roles' client for the LAN API.
//! - [`kiosk`]: the ticket kiosk's state machine and its UI controller.
//! - [`terminal`]: the window terminal's state machine and its UI controller.
//! - [`ui`]: the Slint UI compiled from `ui/` (one module per role's window).
//! - [`roles`]: wiring for each subcommand.

pub mod cli;
pub mod client;
pub mod config;
pub mod core;
pub mod devices;
pub mod display;
pub mod evaluator;
pub mod hall;
pub mod kiosk;
pub mod net;
pub mod protocol;
pub mod report;
pub mod roles;
pub mod server;
pub mod store;
pub mod terminal;
pub mod ui;
pub mod upload;
pub mod voice;
