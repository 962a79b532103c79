//! "Once per sequence number", shared by the polled input devices (caller keypads, 5-key
//! evaluators): a device counts its key presses in register `0x0000`; the host acts on each
//! new count exactly once, records it as consumed *before* acting, and writes it back to
//! `0x0003` until the device confirms. The first count read after contact (or after the
//! device reset) is adopted without acting: presses made while nobody listened are stale.

use super::link::{Master, TransactError};
use crate::protocol::modbus::Request;

/// What a read sequence number means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// Adopted as the baseline; nothing to do.
    Baseline,
    /// One new press: act on it once.
    New,
    /// Nothing new.
    Same,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sequence {
    consumed: Option<u16>,
    ack_pending: Option<u16>,
}

impl Sequence {
    /// The last sequence number consumed, if the device has been baselined.
    pub fn consumed(&self) -> Option<u16> {
        self.consumed
    }

    /// The device's count is not yet known (first contact or forgotten).
    pub fn unknown(&self) -> bool {
        self.consumed.is_none()
    }

    /// An acknowledgement is still to be written.
    pub fn ack_pending(&self) -> bool {
        self.ack_pending.is_some()
    }

    /// Forgets the device's count: the next one read is a baseline.
    pub fn forget(&mut self) {
        *self = Sequence::default();
    }

    /// Records `seq` as read; `baseline` forces adopting it without acting.
    pub fn observe(&mut self, seq: u16, baseline: bool) -> Seen {
        let seen = if baseline || self.consumed.is_none() {
            Seen::Baseline
        } else if self.consumed != Some(seq) {
            Seen::New
        } else {
            return Seen::Same;
        };
        self.consumed = Some(seq);
        self.ack_pending = Some(seq);
        seen
    }

    /// Writes the consumed number to `register` of the device at `address` if the device
    /// has not confirmed it yet; it stays pending (retried next round) on failure.
    pub fn acknowledge(
        &mut self,
        master: &mut Master,
        address: u8,
        register: u16,
    ) -> Result<(), TransactError> {
        if let Some(seq) = self.ack_pending {
            master.transact(&Request::WriteSingle {
                address,
                register,
                value: seq,
            })?;
            self.ack_pending = None;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Seen, Sequence};

    #[test]
    fn a_count_is_acted_on_once_and_the_first_is_a_baseline() {
        let mut s = Sequence::default();
        assert!(s.unknown());
        assert_eq!(s.observe(41, false), Seen::Baseline);
        assert!(s.ack_pending());
        assert_eq!(s.observe(41, false), Seen::Same);
        assert_eq!(s.observe(42, false), Seen::New);
        assert_eq!(s.observe(42, false), Seen::Same);
        // Wrapping or a lower count is still one new press.
        assert_eq!(s.observe(0, false), Seen::New);
        assert_eq!(s.consumed(), Some(0));
        // A forced baseline (device reset) adopts without acting.
        assert_eq!(s.observe(7, true), Seen::Baseline);
        s.forget();
        assert!(s.unknown() && !s.ack_pending());
        assert_eq!(s.observe(9, false), Seen::Baseline);
    }
}
