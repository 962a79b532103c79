//! The receiving side of the Onbon frame, for the LED simulator and the reply reader:
//! unescaping, packet and CRC checks, a stream deframer, ACK/NACK replies and the
//! dynamic-area command's fields read back.

use super::*;

/// Undoes the escaping of the bytes between preamble and trailer.
pub fn unescape(body: &[u8]) -> Result<Vec<u8>, FrameError> {
    let mut out = Vec::with_capacity(body.len());
    let mut it = body.iter().copied();
    while let Some(b) = it.next() {
        match b {
            0xA6 | 0x5B => {
                let next = it.next().ok_or(FrameError::BadEscape(b, 0))?;
                out.push(match (b, next) {
                    (0xA6, 0x02) => 0xA5,
                    (0xA6, 0x01) => 0xA6,
                    (0x5B, 0x02) => 0x5A,
                    (0x5B, 0x01) => 0x5B,
                    _ => return Err(FrameError::BadEscape(b, next)),
                });
            }
            0xA5 | 0x5A => return Err(FrameError::Framing),
            other => out.push(other),
        }
    }
    Ok(out)
}

/// A checked packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    pub header: Header,
    pub data: Vec<u8>,
}

/// Checks length and CRC of an unescaped packet and splits it.
pub fn parse_packet(p: &[u8]) -> Result<Packet, FrameError> {
    if p.len() < HEADER_LEN + 2 {
        return Err(FrameError::TooShort(p.len()));
    }
    let declared = usize::from(u16::from_le_bytes([p[12], p[13]]));
    let actual = p.len() - HEADER_LEN - 2;
    if declared != actual {
        return Err(FrameError::Length { declared, actual });
    }
    let (body, tail) = p.split_at(p.len() - 2);
    let computed = CRC.checksum(body);
    let received = u16::from_le_bytes([tail[0], tail[1]]);
    if computed != received {
        return Err(FrameError::Crc { computed, received });
    }
    Ok(Packet {
        header: Header {
            dst: u16::from_le_bytes([p[0], p[1]]),
            src: u16::from_le_bytes([p[2], p[3]]),
            display_mode: p[9],
            device_type: p[10],
            version: p[11],
        },
        data: body[HEADER_LEN..].to_vec(),
    })
}

/// A whole wire frame (preamble … trailer) → its checked packet.
pub fn decode_frame(wire: &[u8]) -> Result<Packet, FrameError> {
    let start = wire
        .iter()
        .position(|&b| b != PREAMBLE)
        .ok_or(FrameError::Framing)?;
    if start == 0 || wire.last() != Some(&TRAILER) || wire.len() < start + 1 {
        return Err(FrameError::Framing);
    }
    parse_packet(&unescape(&wire[start..wire.len() - 1])?)
}

/// Cuts a byte stream into frame bodies (escaped bytes between preamble and trailer).
/// Garbage before a preamble is skipped; a preamble inside a body restarts the frame
/// (resync after a lost trailer).
#[derive(Debug, Default)]
pub struct Deframer {
    body: Vec<u8>,
    in_frame: bool,
    /// Bytes thrown away while hunting for a preamble.
    pub skipped: usize,
}

impl Deframer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes; returns every body completed by them.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for &b in bytes {
            match (self.in_frame, b) {
                (_, PREAMBLE) => {
                    if !self.body.is_empty() {
                        self.skipped += self.body.len();
                        self.body.clear();
                    }
                    self.in_frame = true;
                }
                (true, TRAILER) => {
                    self.in_frame = false;
                    if !self.body.is_empty() {
                        out.push(std::mem::take(&mut self.body));
                    }
                }
                (true, other) => {
                    if self.body.len() >= MAX_PACKET * 2 {
                        self.skipped += self.body.len();
                        self.body.clear();
                        self.in_frame = false;
                    } else {
                        self.body.push(other);
                    }
                }
                (false, _) => self.skipped += 1,
            }
        }
        out
    }
}

/// What a reply says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyKind {
    Ack,
    /// NACK with its error byte (0 when absent).
    Nack(u8),
    /// Some other reply (group, code).
    Other(u8, u8),
}

/// A decoded reply frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The screen that answered.
    pub src: u16,
    pub kind: ReplyKind,
}

/// Reads the reply in a checked packet.
pub fn reply_of(packet: &Packet) -> Result<Reply, FrameError> {
    let d = &packet.data;
    if d.len() < 2 {
        return Err(FrameError::Truncated);
    }
    let kind = match (d[0], d[1]) {
        (REPLY_GROUP, 0x00) => ReplyKind::Ack,
        (REPLY_GROUP, 0x01) => ReplyKind::Nack(d.get(2).copied().unwrap_or(0)),
        (g, c) => ReplyKind::Other(g, c),
    };
    Ok(Reply {
        src: packet.header.src,
        kind,
    })
}

/// A frame body from [`Deframer`] → the reply it carries.
pub fn decode_reply_body(body: &[u8]) -> Result<Reply, FrameError> {
    reply_of(&parse_packet(&unescape(body)?)?)
}

/// One area as received (X/W still in the card's units).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedArea {
    pub area_type: u8,
    /// X and W as sent; convert with [`XUnits::decode`].
    pub x_raw: u16,
    pub y: u16,
    pub width_raw: u16,
    pub height: u16,
    pub id: u8,
    pub line_spacing: u8,
    pub run_mode: u8,
    pub timeout_secs: u16,
    pub sound_mode: u8,
    pub alignment: u8,
    pub single_line: u8,
    pub auto_newline: u8,
    pub effect: u8,
    pub exit_effect: u8,
    pub speed: u8,
    pub hold: u8,
    pub text_bytes: Vec<u8>,
    pub text: String,
}

/// A decoded `A3 06` command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DynamicAreaCommand {
    pub reply_requested: bool,
    pub process_mode: u8,
    pub deleted: Vec<u8>,
    pub areas: Vec<DecodedArea>,
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FrameError> {
        let end = self.at.checked_add(n).ok_or(FrameError::Truncated)?;
        let s = self.bytes.get(self.at..end).ok_or(FrameError::Truncated)?;
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, FrameError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, FrameError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, FrameError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

fn parse_area(bytes: &[u8]) -> Result<DecodedArea, FrameError> {
    let mut r = Reader { bytes, at: 0 };
    let area_type = r.u8()?;
    let x_raw = r.u16()?;
    let y = r.u16()?;
    let width_raw = r.u16()?;
    let height = r.u16()?;
    let id = r.u8()?;
    let line_spacing = r.u8()?;
    let run_mode = r.u8()?;
    let timeout_secs = r.u16()?;
    let sound_mode = r.u8()?;
    if sound_mode == 1 || sound_mode == 2 {
        // person|repeat, volume, speed
        r.take(3)?;
    }
    if sound_mode == 2 {
        let n = r.u32()?;
        r.take(usize::try_from(n).map_err(|_| FrameError::Truncated)?)?;
    }
    let ext = r.u8()?;
    r.take(usize::from(ext))?;
    let alignment = r.u8()?;
    let single_line = r.u8()?;
    let auto_newline = r.u8()?;
    let effect = r.u8()?;
    let exit_effect = r.u8()?;
    let speed = r.u8()?;
    let hold = r.u8()?;
    let n = r.u32()?;
    let text_bytes = r
        .take(usize::try_from(n).map_err(|_| FrameError::Truncated)?)?
        .to_vec();
    Ok(DecodedArea {
        area_type,
        x_raw,
        y,
        width_raw,
        height,
        id,
        line_spacing,
        run_mode,
        timeout_secs,
        sound_mode,
        alignment,
        single_line,
        auto_newline,
        effect,
        exit_effect,
        speed,
        hold,
        text: decode_gb2312(&text_bytes),
        text_bytes,
    })
}

/// Parses the data field of an `A3 06` command.
pub fn parse_dynamic_area(data: &[u8]) -> Result<DynamicAreaCommand, FrameError> {
    let mut r = Reader { bytes: data, at: 0 };
    let cmd = r.take(2)?;
    if cmd != CMD_DYNAMIC_AREA {
        return Err(FrameError::NotDynamicArea(cmd[0], cmd[1]));
    }
    let reply_requested = r.u8()? != 0;
    let process_mode = r.u8()?;
    r.u8()?;
    let deleted_count = r.u8()?;
    let deleted = r.take(usize::from(deleted_count))?.to_vec();
    let area_count = r.u8()?;
    let mut areas = Vec::with_capacity(usize::from(area_count));
    for _ in 0..area_count {
        let len = r.u16()?;
        areas.push(parse_area(r.take(usize::from(len))?)?);
    }
    Ok(DynamicAreaCommand {
        reply_requested,
        process_mode,
        deleted,
        areas,
    })
}

// Tests: tests/led_golden.rs (golden frames, escaping, decoder, deframer).
