//! Where `now` comes from. The engine never reads a clock; the hall runtime asks one of
//! these and passes the answer in.

use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};

/// A source of wall-clock time.
#[derive(Clone, Debug)]
pub enum Clock {
    /// The system clock.
    System,
    /// The system clock shifted by a fixed amount (the demo uses it to open the hall).
    Offset(SignedDuration),
    /// A clock moved by hand (tests).
    Manual(Arc<Mutex<Timestamp>>),
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System => Timestamp::now(),
            Clock::Offset(offset) => Timestamp::now()
                .checked_add(*offset)
                .unwrap_or_else(|_| Timestamp::now()),
            Clock::Manual(cell) => match cell.lock() {
                Ok(t) => *t,
                Err(poisoned) => *poisoned.into_inner(),
            },
        }
    }

    /// A manual clock and the handle that moves it.
    pub fn manual(start: Timestamp) -> (Clock, ManualClock) {
        let cell = Arc::new(Mutex::new(start));
        (Clock::Manual(cell.clone()), ManualClock(cell))
    }
}

/// Moves a [`Clock::Manual`].
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<Timestamp>>);

impl ManualClock {
    pub fn set(&self, t: Timestamp) {
        match self.0.lock() {
            Ok(mut g) => *g = t,
            Err(poisoned) => *poisoned.into_inner() = t,
        }
    }

    pub fn advance(&self, by: SignedDuration) {
        match self.0.lock() {
            Ok(mut g) => *g = g.checked_add(by).unwrap_or(*g),
            Err(poisoned) => {
                let mut g = poisoned.into_inner();
                *g = g.checked_add(by).unwrap_or(*g);
            }
        }
    }
}
