//! One request/reply exchange on a serial port, with a deadline. Runs on the bus thread.

use std::io;
use std::time::{Duration, Instant};

use serialport::{ClearBuffer, SerialPort};

/// What came back for one frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Ack,
    /// Refused, with the device's error code (0 when it gave none).
    Nack(u8),
    /// A reply for this screen that could not be read (bad CRC, unknown format).
    Garbled(String),
    /// Nothing usable within the timeout.
    Timeout,
}

/// Collects reply bytes until a complete reply for the screen is there.
pub trait ReplyParser {
    /// `Some` once the bytes so far hold this screen's reply; replies from other addresses
    /// (a late answer to an earlier frame) are skipped.
    fn push(&mut self, bytes: &[u8]) -> Option<Answer>;
}

/// Time to clock `bytes` out at `baud`, 10 bits a byte (8N1).
pub fn wire_time(bytes: usize, baud: u32) -> Duration {
    let bits = u64::try_from(bytes).unwrap_or(u64::MAX).saturating_mul(10);
    Duration::from_micros(bits.saturating_mul(1_000_000) / u64::from(baud.max(1)))
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

/// Writes `frame` in one piece and waits up to `timeout` after its wire time for the reply.
/// `Err` only for port errors (the adapter is gone).
pub fn transact(
    port: &mut dyn SerialPort,
    frame: &[u8],
    parser: &mut dyn ReplyParser,
    timeout: Duration,
) -> io::Result<Answer> {
    // Stale bytes (a late reply to an earlier frame) would be taken for this answer.
    let _ = port.clear(ClearBuffer::Input);
    let on_wire = wire_time(frame.len(), port.baud_rate().unwrap_or(9600));
    // A write that cannot finish in this time means the adapter stopped taking bytes.
    port.set_timeout(on_wire + timeout.max(Duration::from_millis(50)))
        .map_err(io::Error::from)?;
    port.write_all(frame)?;
    port.flush()?;
    let deadline = Instant::now() + on_wire + timeout;
    let mut buf = [0u8; 256];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Answer::Timeout);
        }
        port.set_timeout(left).map_err(io::Error::from)?;
        match port.read(&mut buf) {
            Ok(0) => {}
            Ok(n) => {
                if let Some(answer) = parser.push(&buf[..n]) {
                    return Ok(answer);
                }
            }
            Err(e) if is_timeout(&e) => {}
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_time_at_9600() {
        assert_eq!(wire_time(96, 9600), Duration::from_millis(100));
        assert_eq!(wire_time(0, 9600), Duration::ZERO);
    }
}
