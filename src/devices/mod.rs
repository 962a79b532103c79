//! Thin adapters, one folder per device family. Each device has one owner thread and a
//! handle; each has a simulator used by tests and `hallq demo`.

pub mod bus;
pub mod gpio;
pub mod led;
pub mod printer;
pub mod pty;
