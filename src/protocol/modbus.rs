//! Modbus RTU framing, pure: requests → bytes, bytes → responses, with CRC-16/MODBUS.
//!
//! Only what the hall's RS-485 devices use (see `hardware/callers/modbus-keypad.md`):
//! function 3 (read holding registers), 6 (write single register) and 16 (write multiple
//! registers), their normal and exception replies, and the request side for simulators.
//! The CRC (init 0xFFFF, reflected poly 0xA001) comes from the `crc` crate and is sent low
//! byte first. Framing on the wire is by silence (t3.5); a stream reader that cannot see the
//! silence uses the lengths implied by the function code ([`find_response`]).

use std::time::Duration;

use crc::{CRC_16_MODBUS, Crc};
use encoding_rs::GBK;

const CRC: Crc<u16> = Crc::<u16>::new(&CRC_16_MODBUS);

/// Highest unicast slave address (0 is broadcast, 248–255 reserved).
pub const MAX_ADDRESS: u8 = 247;
pub const READ_HOLDING: u8 = 0x03;
pub const WRITE_SINGLE: u8 = 0x06;
pub const WRITE_MULTIPLE: u8 = 0x10;
/// Exception code: the register address is not valid on this device.
pub const ILLEGAL_DATA_ADDRESS: u8 = 0x02;
/// Exception code: the function is not supported.
pub const ILLEGAL_FUNCTION: u8 = 0x01;
/// Registers of the keypad's LCD text (`0x0010..=0x0017`).
pub const LCD_REGISTERS: usize = 8;

/// CRC-16/MODBUS of `bytes`.
pub fn crc16(bytes: &[u8]) -> u16 {
    CRC.checksum(bytes)
}

/// `bytes` followed by their CRC, low byte first.
pub fn with_crc(mut bytes: Vec<u8>) -> Vec<u8> {
    let crc = crc16(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    bytes
}

/// Whether the last two bytes of `frame` are the CRC of the rest.
pub fn crc_ok(frame: &[u8]) -> bool {
    frame.len() >= 4 && {
        let (body, tail) = frame.split_at(frame.len() - 2);
        crc16(body).to_le_bytes() == [tail[0], tail[1]]
    }
}

/// Time of one character on the wire: 11 bits (start, 8 data, parity or a second stop bit),
/// as the Modbus serial line guide counts it.
pub fn char_time(baud: u32) -> Duration {
    Duration::from_nanos(11_000_000_000 / u64::from(baud.max(1)))
}

/// The silent interval that ends a frame: 3.5 characters, fixed 1.75 ms above 19200 baud.
pub fn t35(baud: u32) -> Duration {
    if baud > 19_200 {
        Duration::from_micros(1750)
    } else {
        char_time(baud) * 7 / 2
    }
}

/// A request from the master.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    ReadHolding {
        address: u8,
        start: u16,
        count: u16,
    },
    WriteSingle {
        address: u8,
        register: u16,
        value: u16,
    },
    WriteMultiple {
        address: u8,
        start: u16,
        values: Vec<u16>,
    },
}

impl Request {
    pub fn address(&self) -> u8 {
        match self {
            Request::ReadHolding { address, .. }
            | Request::WriteSingle { address, .. }
            | Request::WriteMultiple { address, .. } => *address,
        }
    }

    pub fn function(&self) -> u8 {
        match self {
            Request::ReadHolding { .. } => READ_HOLDING,
            Request::WriteSingle { .. } => WRITE_SINGLE,
            Request::WriteMultiple { .. } => WRITE_MULTIPLE,
        }
    }

    /// The frame on the wire, CRC included.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![self.address(), self.function()];
        match self {
            Request::ReadHolding { start, count, .. } => {
                out.extend_from_slice(&start.to_be_bytes());
                out.extend_from_slice(&count.to_be_bytes());
            }
            Request::WriteSingle {
                register, value, ..
            } => {
                out.extend_from_slice(&register.to_be_bytes());
                out.extend_from_slice(&value.to_be_bytes());
            }
            Request::WriteMultiple { start, values, .. } => {
                out.extend_from_slice(&start.to_be_bytes());
                // At most 123 registers fit in one frame; callers send 8.
                let count = values.len().min(123);
                out.extend_from_slice(&(count as u16).to_be_bytes());
                out.push((count * 2) as u8);
                for v in &values[..count] {
                    out.extend_from_slice(&v.to_be_bytes());
                }
            }
        }
        with_crc(out)
    }
}

/// A decoded normal reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    Registers(Vec<u16>),
    WroteSingle { register: u16, value: u16 },
    WroteMultiple { start: u16, count: u16 },
}

/// Why a reply is not the answer to the request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("truncated frame")]
    Truncated,
    #[error("CRC mismatch (frame {found:04X}, computed {computed:04X})")]
    CrcMismatch { found: u16, computed: u16 },
    #[error("reply from address {found}, expected {expected}")]
    WrongAddress { expected: u8, found: u8 },
    #[error("reply with function {found:#04x}, expected {expected:#04x}")]
    WrongFunction { expected: u8, found: u8 },
    #[error("exception {0:#04x}")]
    Exception(u8),
    #[error("byte count {found}, expected {expected}")]
    ByteCount { expected: usize, found: usize },
    #[error("the echo does not match the request")]
    EchoMismatch,
    #[error("unknown function {0:#04x}: not a frame start")]
    Garbage(u8),
}

/// Length of the reply frame that starts `buf`, once its header is there: `None` when more
/// bytes are needed, `Some(Err)` when byte 1 is no function code a reply can carry.
fn reply_len(buf: &[u8]) -> Option<Result<usize, FrameError>> {
    let function = *buf.get(1)?;
    Some(match function {
        READ_HOLDING | 0x04 | 0x01 | 0x02 => Ok(5 + usize::from(*buf.get(2)?)),
        WRITE_SINGLE | WRITE_MULTIPLE | 0x05 | 0x0F => Ok(8),
        f if f & 0x80 != 0 => Ok(5),
        f => Err(FrameError::Garbage(f)),
    })
}

fn be(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([bytes[at], bytes[at + 1]])
}

/// Decodes one complete reply frame to `request`: CRC, address, exception, function, byte
/// count, echo, in that order.
pub fn decode_response(request: &Request, frame: &[u8]) -> Result<Response, FrameError> {
    if frame.len() < 5 {
        return Err(FrameError::Truncated);
    }
    if !crc_ok(frame) {
        let (body, tail) = frame.split_at(frame.len() - 2);
        return Err(FrameError::CrcMismatch {
            found: u16::from_le_bytes([tail[0], tail[1]]),
            computed: crc16(body),
        });
    }
    let body = &frame[..frame.len() - 2];
    if body[0] != request.address() {
        return Err(FrameError::WrongAddress {
            expected: request.address(),
            found: body[0],
        });
    }
    let function = body[1];
    if function == request.function() | 0x80 {
        return Err(FrameError::Exception(body[2]));
    }
    if function != request.function() {
        return Err(FrameError::WrongFunction {
            expected: request.function(),
            found: function,
        });
    }
    match request {
        Request::ReadHolding { count, .. } => {
            let expected = usize::from(*count) * 2;
            let found = usize::from(body[2]);
            if found != expected || body.len() != 3 + found {
                return Err(FrameError::ByteCount { expected, found });
            }
            Ok(Response::Registers(
                body[3..].chunks_exact(2).map(|c| be(c, 0)).collect(),
            ))
        }
        Request::WriteSingle {
            register, value, ..
        } => {
            if body.len() != 6 || be(body, 2) != *register || be(body, 4) != *value {
                return Err(FrameError::EchoMismatch);
            }
            Ok(Response::WroteSingle {
                register: *register,
                value: *value,
            })
        }
        Request::WriteMultiple { start, values, .. } => {
            if body.len() != 6 || be(body, 2) != *start || usize::from(be(body, 4)) != values.len()
            {
                return Err(FrameError::EchoMismatch);
            }
            Ok(Response::WroteMultiple {
                start: *start,
                count: be(body, 4),
            })
        }
    }
}

/// The first frame in a received byte stream, for a reader that cannot see the t3.5 silence.
///
/// `None`: not enough bytes yet. Otherwise the decoded reply (or why it is not the answer to
/// `request`) and how many bytes it used; a byte that cannot start a reply is skipped alone
/// (`Garbage`, 1 byte) so the reader resynchronises on the next frame.
pub fn find_response(
    request: &Request,
    buf: &[u8],
) -> Option<(Result<Response, FrameError>, usize)> {
    match reply_len(buf)? {
        Err(e) => Some((Err(e), 1)),
        Ok(len) if buf.len() >= len => Some((decode_response(request, &buf[..len]), len)),
        Ok(_) => None,
    }
}

/// A request as a slave (simulator) reads it off the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Incoming {
    Request(Request),
    /// A complete frame whose CRC is wrong (a real slave stays silent).
    BadCrc,
    /// A function this codec does not serve: reply `ILLEGAL_FUNCTION`.
    Unsupported {
        address: u8,
        function: u8,
    },
}

/// The first request frame in `buf` and its length; `None` when more bytes are needed.
pub fn parse_request(buf: &[u8]) -> Option<(Incoming, usize)> {
    let function = *buf.get(1)?;
    let len = match function {
        READ_HOLDING | WRITE_SINGLE | 0x01..=0x05 => 8,
        WRITE_MULTIPLE | 0x0F => 9 + usize::from(*buf.get(6)?),
        // Unknown function: what has arrived is taken as one frame.
        _ if buf.len() >= 4 => buf.len(),
        _ => return None,
    };
    if buf.len() < len {
        return None;
    }
    let frame = &buf[..len];
    if !crc_ok(frame) {
        return Some((Incoming::BadCrc, len));
    }
    let address = frame[0];
    let request = match function {
        READ_HOLDING => Request::ReadHolding {
            address,
            start: be(frame, 2),
            count: be(frame, 4),
        },
        WRITE_SINGLE => Request::WriteSingle {
            address,
            register: be(frame, 2),
            value: be(frame, 4),
        },
        WRITE_MULTIPLE if usize::from(be(frame, 4)) * 2 == usize::from(frame[6]) => {
            Request::WriteMultiple {
                address,
                start: be(frame, 2),
                values: frame[7..len - 2]
                    .chunks_exact(2)
                    .map(|c| be(c, 0))
                    .collect(),
            }
        }
        _ => return Some((Incoming::Unsupported { address, function }, len)),
    };
    Some((Incoming::Request(request), len))
}

/// Reply to function 3: the register values.
pub fn encode_read_reply(address: u8, values: &[u16]) -> Vec<u8> {
    let mut out = vec![address, READ_HOLDING, (values.len() * 2) as u8];
    for v in values {
        out.extend_from_slice(&v.to_be_bytes());
    }
    with_crc(out)
}

/// Reply to function 6 (an echo of the request) or 16 (start and count).
pub fn encode_write_reply(request: &Request) -> Vec<u8> {
    match request {
        Request::WriteMultiple {
            address,
            start,
            values,
        } => {
            let mut out = vec![*address, WRITE_MULTIPLE];
            out.extend_from_slice(&start.to_be_bytes());
            out.extend_from_slice(&(values.len() as u16).to_be_bytes());
            with_crc(out)
        }
        other => other.encode(),
    }
}

/// Exception reply: function | 0x80, code.
pub fn encode_exception(address: u8, function: u8, code: u8) -> Vec<u8> {
    with_crc(vec![address, function | 0x80, code])
}

/// The bytes of one character on a GB2312 LCD: printable ASCII as one byte, a GB2312
/// character (EUC-CN rows 0xA1–0xF7, cells 0xA1–0xFE) as two.
fn gb2312_char(c: char) -> Option<Vec<u8>> {
    if c.is_ascii() {
        return (c == ' ' || c.is_ascii_graphic()).then(|| vec![c as u8]);
    }
    let mut buf = [0u8; 4];
    let (bytes, _, had_errors) = GBK.encode(c.encode_utf8(&mut buf));
    let ok = !had_errors
        && bytes.len() == 2
        && (0xA1..=0xF7).contains(&bytes[0])
        && (0xA1..=0xFE).contains(&bytes[1]);
    ok.then(|| bytes.into_owned())
}

/// The 16 LCD bytes (registers `0x0010..=0x0017`, 2 bytes each, big-endian) for `text`:
/// GB2312, space padded, cut on a character boundary. Control characters become spaces;
/// characters outside GB2312 (emoji, rare Hanzi, `¥`) become `?`.
pub fn lcd_registers(text: &str) -> [u16; LCD_REGISTERS] {
    let mut bytes = Vec::with_capacity(LCD_REGISTERS * 2);
    for c in text.chars() {
        let encoded = if c.is_control() {
            vec![b' ']
        } else {
            gb2312_char(c).unwrap_or_else(|| vec![b'?'])
        };
        if bytes.len() + encoded.len() > LCD_REGISTERS * 2 {
            break;
        }
        bytes.extend_from_slice(&encoded);
    }
    bytes.resize(LCD_REGISTERS * 2, b' ');
    let mut regs = [0u16; LCD_REGISTERS];
    for (reg, pair) in regs.iter_mut().zip(bytes.chunks_exact(2)) {
        *reg = u16::from_be_bytes([pair[0], pair[1]]);
    }
    regs
}

/// What an LCD shows for these registers (trailing spaces removed): the inverse of
/// [`lcd_registers`], for simulators and diagnostics.
pub fn lcd_text(registers: &[u16]) -> String {
    let bytes: Vec<u8> = registers.iter().flat_map(|r| r.to_be_bytes()).collect();
    let (text, _, _) = GBK.decode(&bytes);
    text.trim_end_matches(' ').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t35_follows_the_serial_line_guide() {
        assert_eq!(t35(9600).as_micros(), 4010);
        assert_eq!(t35(19_200).as_micros(), 2005);
        assert_eq!(t35(38_400), Duration::from_micros(1750));
        assert_eq!(char_time(9600).as_micros(), 1145);
    }

    #[test]
    fn a_request_parses_back() {
        let request = Request::WriteMultiple {
            address: 7,
            start: 0x10,
            values: lcd_registers("A023 等5人").to_vec(),
        };
        let bytes = request.encode();
        assert_eq!(
            parse_request(&bytes),
            Some((Incoming::Request(request.clone()), bytes.len()))
        );
        assert_eq!(parse_request(&bytes[..bytes.len() - 1]), None);
        let mut bad = bytes.clone();
        bad[8] ^= 1;
        assert_eq!(parse_request(&bad), Some((Incoming::BadCrc, bytes.len())));
    }

    #[test]
    fn lcd_text_round_trips_and_cuts_on_a_character() {
        assert_eq!(lcd_text(&lcd_registers("A023 等5人")), "A023 等5人");
        // 15 ASCII bytes + a Hanzi would need 17: the Hanzi is dropped, a space pads.
        let regs = lcd_registers("123456789012345号");
        assert_eq!(lcd_text(&regs), "123456789012345");
        assert_eq!(regs[7], u16::from_be_bytes([b'5', b' ']));
        assert_eq!(lcd_text(&lcd_registers("😀叫号\n")), "?叫号");
    }
}
