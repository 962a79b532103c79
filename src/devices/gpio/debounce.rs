//! Software debounce on top of the kernel's: one press per `min_gap`, decided from the
//! edge timestamps the caller passes in (no clock read here).

use std::time::Duration;

/// Lets an edge through only when the last accepted one is at least `min_gap` older.
#[derive(Clone, Debug)]
pub struct Debouncer {
    min_gap: Duration,
    last: Option<Duration>,
}

impl Debouncer {
    pub fn new(min_gap: Duration) -> Self {
        Debouncer {
            min_gap,
            last: None,
        }
    }

    /// `at` is the edge's timestamp (any monotonic origin). True: this edge is a press.
    pub fn accept(&mut self, at: Duration) -> bool {
        match self.last {
            Some(last) if at.saturating_sub(last) < self.min_gap && at >= last => false,
            _ => {
                self.last = Some(at);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn bounce_within_the_gap_is_one_press() {
        let mut d = Debouncer::new(ms(30));
        let accepted: Vec<bool> = [0, 3, 9, 29, 30, 45, 61, 200]
            .iter()
            .map(|t| d.accept(ms(*t)))
            .collect();
        assert_eq!(
            accepted,
            [true, false, false, false, true, false, true, true]
        );
    }

    #[test]
    fn a_timestamp_going_back_is_taken_as_a_new_press() {
        // The kernel's timestamps are monotonic; a reset origin must not swallow presses.
        let mut d = Debouncer::new(ms(30));
        assert!(d.accept(ms(1000)));
        assert!(d.accept(ms(10)));
        assert!(!d.accept(ms(20)));
    }
}
