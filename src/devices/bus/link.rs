//! The generic Modbus RTU master: one request, one checked reply, with the bus timing.
//!
//! A transaction: wait t3.5 since the last byte on the wire; discard stale input (a reply
//! that arrived after its own timeout must never be taken as this request's answer); write
//! the whole frame in one call and drain it to the wire; read until a reply for this
//! request is complete or the timeout passes. Frames from another address or for another
//! function (a late reply from an earlier poll) are counted as stray and skipped while the
//! right reply may still come; a CRC-corrupted reply ends the transaction as a failure.

use std::io::{self, Read, Write};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use serialport::{ClearBuffer, DataBits, FlowControl, Parity, SerialPort, StopBits};

use crate::config::bus::ParityName;
use crate::protocol::modbus::{FrameError, Request, Response, find_response, t35};

/// Why a transaction gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum TransactError {
    #[error("no reply within {0} ms")]
    Timeout(u64),
    #[error("{0}")]
    Frame(FrameError),
    #[error("serial port: {0}")]
    Io(io::Error),
}

/// Opens a bus port: 8 data bits, 1 stop bit, no flow control.
pub fn open_port(
    path: &Path,
    baud: u32,
    parity: ParityName,
) -> Result<Box<dyn SerialPort>, serialport::Error> {
    let parity = match parity {
        ParityName::None => Parity::None,
        ParityName::Even => Parity::Even,
        ParityName::Odd => Parity::Odd,
    };
    serialport::new(path.to_string_lossy(), baud)
        .data_bits(DataBits::Eight)
        .stop_bits(StopBits::One)
        .parity(parity)
        .flow_control(FlowControl::None)
        .timeout(Duration::from_millis(100))
        .open()
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

/// Owns the port; one transaction at a time.
pub struct Master {
    port: Box<dyn SerialPort>,
    timeout: Duration,
    t35: Duration,
    /// When the wire last carried a byte (ours or a device's).
    quiet_since: Instant,
    stray_frames: u64,
    stale_bytes: u64,
}

impl std::fmt::Debug for Master {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Master")
            .field("port", &self.port.name())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Master {
    pub fn new(port: Box<dyn SerialPort>, baud: u32, timeout: Duration) -> Master {
        Master {
            port,
            timeout,
            t35: t35(baud),
            quiet_since: Instant::now(),
            stray_frames: 0,
            stale_bytes: 0,
        }
    }

    /// Frames skipped because they answered another address or function.
    pub fn stray_frames(&self) -> u64 {
        self.stray_frames
    }

    /// Bytes discarded before a request (late replies, noise).
    pub fn stale_bytes(&self) -> u64 {
        self.stale_bytes
    }

    /// Sends `request` and returns its checked reply.
    pub fn transact(&mut self, request: &Request) -> Result<Response, TransactError> {
        let ready = self.quiet_since + self.t35;
        let now = Instant::now();
        if ready > now {
            thread::sleep(ready - now);
        }
        if let Ok(n) = self.port.bytes_to_read() {
            self.stale_bytes += u64::from(n);
        }
        self.port
            .clear(ClearBuffer::Input)
            .map_err(|e| TransactError::Io(e.into()))?;
        let frame = request.encode();
        self.port.write_all(&frame).map_err(TransactError::Io)?;
        self.port.flush().map_err(TransactError::Io)?;
        let sent = Instant::now();
        self.quiet_since = sent;
        let result = self.read_reply(request, sent + self.timeout);
        tracing::trace!(request = %hex::encode(&frame), ?result, "modbus transaction");
        result
    }

    fn read_reply(
        &mut self,
        request: &Request,
        deadline: Instant,
    ) -> Result<Response, TransactError> {
        let mut buf: Vec<u8> = Vec::with_capacity(64);
        let mut chunk = [0u8; 256];
        let mut rejected: Option<FrameError> = None;
        loop {
            while let Some((result, used)) = find_response(request, &buf) {
                buf.drain(..used);
                match result {
                    Ok(response) => return Ok(response),
                    Err(
                        e @ (FrameError::WrongAddress { .. }
                        | FrameError::WrongFunction { .. }
                        | FrameError::Garbage(_)),
                    ) => {
                        if !matches!(e, FrameError::Garbage(_)) {
                            self.stray_frames += 1;
                        }
                        rejected = Some(e);
                    }
                    Err(e) => return Err(TransactError::Frame(e)),
                }
            }
            let now = Instant::now();
            if now >= deadline {
                self.quiet_since = now;
                return Err(match rejected {
                    // A late reply of this device to an earlier request: still no answer.
                    Some(FrameError::WrongFunction { .. }) | None if buf.is_empty() => {
                        TransactError::Timeout(self.timeout.as_millis() as u64)
                    }
                    Some(FrameError::WrongFunction { .. }) | None => {
                        TransactError::Frame(FrameError::Truncated)
                    }
                    Some(e) => TransactError::Frame(e),
                });
            }
            self.port
                .set_timeout(deadline - now)
                .map_err(|e| TransactError::Io(e.into()))?;
            match self.port.read(&mut chunk) {
                Ok(0) => {}
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    self.quiet_since = Instant::now();
                }
                Err(e) if is_timeout(&e) => {}
                Err(e) => return Err(TransactError::Io(e)),
            }
        }
    }
}
