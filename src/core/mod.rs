//! The functional core: the hall's rules with no I/O and no clock.
//!
//! `now` is always an argument. Commands go in through [`Engine::handle`]; the resulting
//! [`Event`]s are applied to the state and queued for the shell, which commits them to the
//! store before any device or client hears of them. Replay on start uses the same
//! [`Engine::apply`].

mod apply;
mod calendar;
mod calls;
mod catalog;
pub mod command;
pub mod engine;
pub mod event;
pub mod id_number;
mod invariants;
mod issue;
mod ordering;
mod rate;
pub mod rating;
pub mod rules;
mod state;
mod status;
mod timers;
pub mod types;

pub use command::{Appointment, ClosedReason, Command, IssueRequest, QuotaKind, Rejected, Reply};
pub use engine::{Availability, Engine, ServiceStatus, SlaCount, Snapshot, WindowState};
pub use event::{CallKind, Change, Event, ExpireReason};
pub use rating::{
    FollowUp, FollowUpId, FollowUpState, FollowUpUpdate, Overdue, Rating, RatingChannel,
    RatingLevel, RatingMark, RatingReason, RatingRules,
};
pub use rules::Rules;
pub use state::{BookedAppointment, Handling};
pub use types::*;
