//! Onbon/仰邦 BX-5K/6K font cards (字库卡): the serial frame, the dynamic-area command
//! `A3 06` (实时显示) and the `A0 00`/`A0 01` replies. Pure: values → bytes, bytes → values.
//!
//! On the wire: `A5 ×8 | escaped(packet) | 5A`, where packet = 14-byte header + data + CRC.
//! Every packet byte is escaped, header and CRC included (`A5 → A6 02`, `A6 → A6 01`,
//! `5A → 5B 02`, `5B → 5B 01`). The CRC is CRC-16/ARC (reflected poly 0xA001, init 0) over
//! header + data, appended low byte first — always, although the header's CRC-mode byte is
//! 0. Layout checked against the vendor's Java SDK (`onbonlab/bx.k.java`), see
//! `hardware/displays/README.md`.

use encoding_rs::GBK;

mod decode;

pub use decode::*;

/// Frame start, repeated [`PREAMBLE_LEN`] times.
pub const PREAMBLE: u8 = 0xA5;
pub const PREAMBLE_LEN: usize = 8;
/// Frame end.
pub const TRAILER: u8 = 0x5A;
/// Destination address every card accepts (the SDK's default): single-screen buses only.
pub const BROADCAST: u16 = 0xFFFE;
/// Our (the host's) address, the source of every request.
pub const HOST_ADDRESS: u16 = 0x8000;
/// Device type "any card".
pub const ANY_DEVICE: u8 = 0xFE;
pub const PROTOCOL_VERSION: u8 = 0x02;
/// Header bytes before the data field.
pub const HEADER_LEN: usize = 14;
/// Longest packet accepted by the decoders (a dynamic area holds at most a few KiB).
pub const MAX_PACKET: usize = 8192;

/// CRC-16/ARC, the frame checksum.
pub const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_ARC);

/// Command group and code of "send dynamic area".
pub const CMD_DYNAMIC_AREA: [u8; 2] = [0xA3, 0x06];
/// Reply group; code 0 = ACK, 1 = NACK.
pub const REPLY_GROUP: u8 = 0xA0;

/// Display effects (显示方式) documented by the SDK for dynamic areas.
pub mod effect {
    pub const STATIC: u8 = 0x01;
    pub const QUICK_TYPE: u8 = 0x02;
    pub const SCROLL_LEFT: u8 = 0x03;
    pub const SCROLL_RIGHT: u8 = 0x04;
    pub const SCROLL_UP: u8 = 0x05;
    pub const SCROLL_DOWN: u8 = 0x06;
}

/// Why bytes are not a valid frame.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("frame does not start with the A5 preamble or end with 5A")]
    Framing,
    #[error("invalid escape sequence {0:02X} {1:02X}")]
    BadEscape(u8, u8),
    #[error("frame too short ({0} bytes after unescaping)")]
    TooShort(usize),
    #[error("data length {declared} does not match the {actual} bytes received")]
    Length { declared: usize, actual: usize },
    #[error("CRC mismatch: computed {computed:04X}, frame says {received:04X}")]
    Crc { computed: u16, received: u16 },
    #[error("not a dynamic-area command (starts {0:02X} {1:02X})")]
    NotDynamicArea(u8, u8),
    #[error("truncated command data")]
    Truncated,
}

/// A character that an Onbon font card (GB2312 fonts) cannot show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "character \"{ch}\" (U+{code:04X}) cannot be shown: LED font cards only have GB2312 characters"
)]
pub struct NotGb2312 {
    pub ch: char,
    pub code: u32,
}

/// GB2312 bytes of `text`: printable ASCII plus 2-byte GB2312 codes (rows A1–F7, columns
/// A1–FE). Anything else (GBK-only Hanzi, controls, newlines) is refused.
pub fn encode_gb2312(text: &str) -> Result<Vec<u8>, NotGb2312> {
    let mut out = Vec::with_capacity(text.len() * 2);
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let ok = if c.is_ascii() {
            if c == ' ' || c.is_ascii_graphic() {
                out.push(c as u8);
                true
            } else {
                false
            }
        } else {
            let (bytes, _, errors) = GBK.encode(c.encode_utf8(&mut buf));
            match *bytes {
                [lead, trail]
                    if !errors
                        && (0xA1..=0xF7).contains(&lead)
                        && (0xA1..=0xFE).contains(&trail) =>
                {
                    out.extend_from_slice(&[lead, trail]);
                    true
                }
                _ => false,
            }
        };
        if !ok {
            return Err(NotGb2312 {
                ch: c,
                code: u32::from(c),
            });
        }
    }
    Ok(out)
}

/// The first character of `text` that [`encode_gb2312`] refuses.
pub fn first_non_gb2312(text: &str) -> Option<char> {
    encode_gb2312(text).err().map(|e| e.ch)
}

/// Text from GB2312 bytes (undecodable bytes become U+FFFD).
pub fn decode_gb2312(bytes: &[u8]) -> String {
    GBK.decode_without_bom_handling(bytes).0.into_owned()
}

/// Header fields that vary (reserved, option and CRC mode are always 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub dst: u16,
    pub src: u16,
    pub display_mode: u8,
    pub device_type: u8,
    pub version: u8,
}

impl Header {
    /// A request from us to screen `dst`, any card type.
    pub fn request(dst: u16) -> Self {
        Header {
            dst,
            src: HOST_ADDRESS,
            display_mode: 0,
            device_type: ANY_DEVICE,
            version: PROTOCOL_VERSION,
        }
    }
}

/// How X and W are written: BX-5K cards count 8-pixel columns; BX-6K cards take pixels,
/// which some vendor demos send with bit 15 set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum XUnits {
    /// BX-5K: X and W in units of 8 pixels.
    #[default]
    Bytes8,
    /// BX-6K (Java SDK): plain pixels.
    Pixels,
    /// BX-6K (C# demo): pixels with bit 15 set.
    PixelsBit15,
}

impl XUnits {
    /// The field value for `pixels`.
    pub fn encode(self, pixels: u16) -> u16 {
        match self {
            XUnits::Bytes8 => pixels / 8,
            XUnits::Pixels => pixels,
            XUnits::PixelsBit15 => pixels | 0x8000,
        }
    }

    /// Pixels from a field value.
    pub fn decode(self, value: u16) -> u16 {
        match self {
            XUnits::Bytes8 => value.saturating_mul(8),
            XUnits::Pixels => value,
            XUnits::PixelsBit15 => value & 0x7FFF,
        }
    }
}

/// Every parameter of one dynamic area except its text. Geometry in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AreaParams {
    pub id: u8,
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
    pub units: XUnits,
    pub line_spacing: u8,
    /// 0 loop, 1 stay on the last page, 2 delete on timeout …
    pub run_mode: u8,
    pub timeout_secs: u16,
    pub alignment: u8,
    pub single_line: u8,
    pub auto_newline: u8,
    pub effect: u8,
    pub exit_effect: u8,
    pub speed: u8,
    pub hold: u8,
}

impl AreaParams {
    /// The SDK's defaults for a `width`×`height` area at 0,0 (id 0, timeout 5 s, quick type,
    /// hold 8).
    pub fn sdk_default(width: u16, height: u16, units: XUnits) -> Self {
        AreaParams {
            id: 0,
            x: 0,
            y: 0,
            width,
            height,
            units,
            line_spacing: 0,
            run_mode: 0,
            timeout_secs: 5,
            alignment: 0,
            single_line: 0x02,
            auto_newline: 0x01,
            effect: effect::QUICK_TYPE,
            exit_effect: 0,
            speed: 0,
            hold: 8,
        }
    }
}

/// The area record (type 0, no sound) with its text bytes.
pub fn area_record(p: &AreaParams, text: &[u8]) -> Vec<u8> {
    let mut a = Vec::with_capacity(27 + text.len());
    a.push(0x00);
    a.extend_from_slice(&p.units.encode(p.x).to_le_bytes());
    a.extend_from_slice(&p.y.to_le_bytes());
    a.extend_from_slice(&p.units.encode(p.width).to_le_bytes());
    a.extend_from_slice(&p.height.to_le_bytes());
    a.extend_from_slice(&[p.id, p.line_spacing, p.run_mode]);
    a.extend_from_slice(&p.timeout_secs.to_le_bytes());
    // sound mode 0 (no sound fields follow), no extended parameters
    a.extend_from_slice(&[0x00, 0x00]);
    a.extend_from_slice(&[
        p.alignment,
        p.single_line,
        p.auto_newline,
        p.effect,
        p.exit_effect,
        p.speed,
        p.hold,
    ]);
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    a.extend_from_slice(&len.to_le_bytes());
    a.extend_from_slice(text);
    a
}

/// The data field of `A3 06` with one area, reply requested, no area deleted.
pub fn dynamic_area_command(p: &AreaParams, text: &[u8]) -> Vec<u8> {
    let area = area_record(p, text);
    let mut d = Vec::with_capacity(9 + area.len());
    d.extend_from_slice(&CMD_DYNAMIC_AREA);
    // reply requested, process mode 0, reserved, no areas deleted, one area
    d.extend_from_slice(&[0x01, 0x00, 0x00, 0x00, 0x01]);
    let len = u16::try_from(area.len()).unwrap_or(u16::MAX);
    d.extend_from_slice(&len.to_le_bytes());
    d.extend_from_slice(&area);
    d
}

/// Header + data + CRC (low byte first), before escaping.
pub fn packet(header: &Header, data: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(HEADER_LEN + data.len() + 2);
    p.extend_from_slice(&header.dst.to_le_bytes());
    p.extend_from_slice(&header.src.to_le_bytes());
    // reserved ×3, option, CRC mode
    p.extend_from_slice(&[0, 0, 0, 0, 0]);
    p.extend_from_slice(&[header.display_mode, header.device_type, header.version]);
    let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
    p.extend_from_slice(&len.to_le_bytes());
    p.extend_from_slice(data);
    let crc = CRC.checksum(&p);
    p.extend_from_slice(&crc.to_le_bytes());
    p
}

/// Escapes one byte into `out`.
fn push_escaped(out: &mut Vec<u8>, b: u8) {
    match b {
        0xA5 => out.extend_from_slice(&[0xA6, 0x02]),
        0xA6 => out.extend_from_slice(&[0xA6, 0x01]),
        0x5A => out.extend_from_slice(&[0x5B, 0x02]),
        0x5B => out.extend_from_slice(&[0x5B, 0x01]),
        other => out.push(other),
    }
}

/// Preamble + every packet byte escaped + trailer.
pub fn wrap(packet: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(PREAMBLE_LEN + packet.len() * 2 + 1);
    out.extend_from_slice(&[PREAMBLE; PREAMBLE_LEN]);
    for &b in packet {
        push_escaped(&mut out, b);
    }
    out.push(TRAILER);
    out
}

/// The whole wire frame that shows `text` (GB2312 bytes) in area `p` of screen `dst`.
pub fn encode_dynamic_area(dst: u16, p: &AreaParams, text: &[u8]) -> Vec<u8> {
    wrap(&packet(
        &Header::request(dst),
        &dynamic_area_command(p, text),
    ))
}

/// The wire frame of a reply from screen `src`: ACK (`A0 00 00 00 00`) or NACK
/// (`A0 01 error 00 00`).
pub fn encode_reply(src: u16, ack: bool, error: u8) -> Vec<u8> {
    let header = Header {
        dst: HOST_ADDRESS,
        src,
        display_mode: 0,
        device_type: ANY_DEVICE,
        version: PROTOCOL_VERSION,
    };
    let data = if ack {
        [REPLY_GROUP, 0x00, 0x00, 0x00, 0x00]
    } else {
        [REPLY_GROUP, 0x01, error, 0x00, 0x00]
    };
    wrap(&packet(&header, &data))
}
