//! The protocols behind one trait: content → frame, reply bytes → [`Answer`].

use std::time::Duration;

use serialport::SerialPort;

use super::LedContent;
use super::link::{Answer, ReplyParser, transact};
use super::profile::ScreenProfile;
use crate::config::displays::ScreenProtocol;
use crate::protocol::{modbus, onbon};

/// A screen's protocol, with its address and profile.
pub trait Driver: Send {
    /// The frame that shows `content`; `Err` when the content cannot be shown (a character
    /// outside the screen's font).
    fn frame(&self, content: &LedContent) -> Result<Vec<u8>, String>;
    /// A fresh reply parser for one exchange.
    fn parser(&self) -> Box<dyn ReplyParser>;
}

/// The driver for `address` with `profile`.
pub fn driver_for(
    profile: &ScreenProfile,
    address: u16,
    flash_seconds: u32,
    window: u16,
) -> Result<Box<dyn Driver>, String> {
    match profile.protocol {
        ScreenProtocol::Onbon => Ok(Box::new(OnbonDriver {
            address,
            profile: profile.clone(),
        })),
        ScreenProtocol::Digits => {
            let digits = profile
                .digits
                .ok_or_else(|| format!("profile {} has no [digits] table", profile.name))?;
            let address = u8::try_from(address)
                .ok()
                .filter(|a| (1..=modbus::MAX_ADDRESS).contains(a))
                .ok_or_else(|| format!("{address} is not a Modbus address (1 to 247)"))?;
            Ok(Box::new(DigitsDriver {
                address,
                digits: digits.digits,
                window,
                flash_seconds: u16::try_from(flash_seconds).unwrap_or(u16::MAX),
            }))
        }
    }
}

struct OnbonDriver {
    address: u16,
    profile: ScreenProfile,
}

impl Driver for OnbonDriver {
    fn frame(&self, content: &LedContent) -> Result<Vec<u8>, String> {
        let text = onbon::encode_gb2312(&content.text).map_err(|e| e.to_string())?;
        let columns = crate::protocol::gbk::columns(&content.text);
        let area = self
            .profile
            .onbon_area(content.flash, columns)
            .ok_or_else(|| format!("profile {} has no [onbon] table", self.profile.name))?;
        Ok(onbon::encode_dynamic_area(self.address, &area, &text))
    }

    fn parser(&self) -> Box<dyn ReplyParser> {
        Box::new(OnbonParser {
            address: self.address,
            deframer: onbon::Deframer::new(),
        })
    }
}

struct OnbonParser {
    address: u16,
    deframer: onbon::Deframer,
}

impl ReplyParser for OnbonParser {
    fn push(&mut self, bytes: &[u8]) -> Option<Answer> {
        for body in self.deframer.push(bytes) {
            match onbon::decode_reply_body(&body) {
                // On a broadcast address whoever answers is the screen.
                Ok(r) if r.src != self.address && self.address != onbon::BROADCAST => continue,
                Ok(r) => {
                    return Some(match r.kind {
                        onbon::ReplyKind::Ack => Answer::Ack,
                        onbon::ReplyKind::Nack(code) => Answer::Nack(code),
                        onbon::ReplyKind::Other(g, c) => {
                            Answer::Garbled(format!("unexpected reply {g:02X} {c:02X}"))
                        }
                    });
                }
                Err(e) => return Some(Answer::Garbled(e.to_string())),
            }
        }
        None
    }
}

/// First register of hallq's numeric-display layout (see `hardware/displays/README.md`).
pub const DIGITS_START: u16 = 0x0000;

/// The registers for `content` on a display with `digits` characters: one ASCII character
/// per register (right-aligned, blank = space), then the window number, then the seconds
/// to flash (0 = steady).
pub fn digits_registers(content: &LedContent, digits: u16, window: u16, flash: u16) -> Vec<u16> {
    let n = usize::from(digits);
    let chars: Vec<u16> = content
        .text
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .map(|c| c as u16)
        .collect();
    let shown = &chars[chars.len().saturating_sub(n)..];
    let mut regs = vec![u16::from(b' '); n - shown.len()];
    regs.extend_from_slice(shown);
    regs.push(window);
    regs.push(if content.flash { flash } else { 0 });
    regs
}

struct DigitsDriver {
    address: u8,
    digits: u16,
    window: u16,
    flash_seconds: u16,
}

impl DigitsDriver {
    fn request(&self, content: &LedContent) -> modbus::Request {
        modbus::Request::WriteMultiple {
            address: self.address,
            start: DIGITS_START,
            values: digits_registers(content, self.digits, self.window, self.flash_seconds),
        }
    }
}

impl Driver for DigitsDriver {
    fn frame(&self, content: &LedContent) -> Result<Vec<u8>, String> {
        Ok(self.request(content).encode())
    }

    fn parser(&self) -> Box<dyn ReplyParser> {
        // The echo of a write-multiple reply does not depend on the values.
        Box::new(DigitsParser {
            request: modbus::Request::WriteMultiple {
                address: self.address,
                start: DIGITS_START,
                values: vec![0; usize::from(self.digits) + 2],
            },
            buf: Vec::new(),
        })
    }
}

struct DigitsParser {
    request: modbus::Request,
    buf: Vec<u8>,
}

impl ReplyParser for DigitsParser {
    fn push(&mut self, bytes: &[u8]) -> Option<Answer> {
        self.buf.extend_from_slice(bytes);
        while let Some((result, used)) = modbus::find_response(&self.request, &self.buf) {
            self.buf.drain(..used.min(self.buf.len()));
            match result {
                Ok(_) => return Some(Answer::Ack),
                Err(modbus::FrameError::Exception(code)) => return Some(Answer::Nack(code)),
                Err(modbus::FrameError::Garbage(_)) => continue,
                Err(modbus::FrameError::WrongAddress { .. }) => continue,
                Err(e) => return Some(Answer::Garbled(e.to_string())),
            }
        }
        None
    }
}

/// Why [`send_once`] failed.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Content(String),
    #[error("serial port error: {0}")]
    Port(std::io::Error),
    #[error("the screen refused the frame (NACK, error code {0}) {1} times")]
    Nacked(u8, u32),
    #[error("the screen's reply was garbled: {0}")]
    Garbled(String),
    #[error(
        "no reply from the screen within {0} ms ({1} attempts): check address, baud rate, wiring"
    )]
    NoReply(u64, u32),
}

/// Sends `content` to one screen and waits for its ACK, with the profile's retries (for
/// `hallq led send`; the bus thread has its own loop).
pub fn send_once(
    port: &mut dyn SerialPort,
    profile: &ScreenProfile,
    address: u16,
    window: u16,
    content: &LedContent,
) -> Result<u32, SendError> {
    let driver = driver_for(profile, address, 0, window).map_err(SendError::Content)?;
    let frame = driver.frame(content).map_err(SendError::Content)?;
    let attempts = profile.retries + 1;
    let mut last = Answer::Timeout;
    for attempt in 1..=attempts {
        let mut parser = driver.parser();
        last = transact(port, &frame, parser.as_mut(), profile.ack_timeout())
            .map_err(SendError::Port)?;
        if last == Answer::Ack {
            return Ok(attempt);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Err(match last {
        Answer::Nack(code) => SendError::Nacked(code, attempts),
        Answer::Garbled(e) => SendError::Garbled(e),
        _ => SendError::NoReply(profile.ack_timeout_ms, attempts),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_registers_layout() {
        let call = LedContent {
            text: "A023".into(),
            flash: true,
        };
        assert_eq!(
            digits_registers(&call, 4, 3, 10),
            vec![0x41, 0x30, 0x32, 0x33, 3, 10]
        );
        let idle = LedContent {
            text: String::new(),
            flash: false,
        };
        assert_eq!(
            digits_registers(&idle, 4, 12, 10),
            vec![0x20; 4].into_iter().chain([12, 0]).collect::<Vec<_>>()
        );
        let long = LedContent {
            text: "AB1234".into(),
            flash: false,
        };
        assert_eq!(
            &digits_registers(&long, 4, 1, 5)[..4],
            &[0x31, 0x32, 0x33, 0x34]
        );
    }

    #[test]
    fn digits_frame_bytes() {
        // FC16 to slave 2 at 0x0000, 6 registers: "A023", window 3, flash 10 s.
        let d = DigitsDriver {
            address: 2,
            digits: 4,
            window: 3,
            flash_seconds: 10,
        };
        let frame = d
            .frame(&LedContent {
                text: "A023".into(),
                flash: true,
            })
            .unwrap();
        // CRC computed by hand (CRC-16/MODBUS, low byte first): 2C 6F
        assert_eq!(
            frame,
            [
                0x02, 0x10, 0x00, 0x00, 0x00, 0x06, 0x0C, 0x00, 0x41, 0x00, 0x30, 0x00, 0x32, 0x00,
                0x33, 0x00, 0x03, 0x00, 0x0A, 0x2C, 0x6F
            ]
        );
        assert!(modbus::crc_ok(&frame));
        let mut p = d.parser();
        let ok = modbus::with_crc(vec![0x02, 0x10, 0x00, 0x00, 0x00, 0x06]);
        assert_eq!(p.push(&ok[..3]), None);
        assert_eq!(p.push(&ok[3..]), Some(Answer::Ack));
        let mut p = d.parser();
        let exc = modbus::with_crc(vec![0x02, 0x90, 0x02]);
        assert_eq!(p.push(&exc), Some(Answer::Nack(2)));
    }
}
