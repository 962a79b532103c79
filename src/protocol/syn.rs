//! Serial TTS modules, pure: SYN6288 (宇音天下) and SYN6658 / XFS5152 (科大讯飞) frames, the
//! decoding of frames (for the simulator) and of the module's one-byte replies.
//!
//! - SYN6288: `FD | LEN_hi LEN_lo | CMD | PARAM | TEXT… | XOR`; LEN counts CMD, PARAM, TEXT and
//!   the XOR byte; the XOR covers every byte from `FD` through the last text byte. Text ≤ 200
//!   bytes. Status query `FD 00 02 21 DE`, answered `41 4F` (idle) / `41 4E` (busy) — some
//!   documents show a lone `4F`/`4E`: both are accepted, since the `41` decodes on its own.
//! - SYN6658 / XFS5152: `FD | LEN_hi LEN_lo | 01 | ENC | TEXT…`, LEN = 2 + len(text), no
//!   checksum. Status query `FD 00 01 21`, answered `4F` / `4E`.
//! - Both: `4A` init OK (power-up or reboot), `41` frame accepted, `45` bad frame.
//!
//! Text is always sent as GB2312 (encoding 0); [`encode_gb2312`] refuses anything else.
//! Volume and prompt tones are inline text markup: `[v10]` (never `v[10]`, which is read
//! aloud), `sounda` (SYN6288), `[x1]sound101` (SYN6658 / XFS5152).

use encoding_rs::GBK;

/// Frame header byte.
pub const HEADER: u8 = 0xFD;
/// Command: synthesise text.
pub const CMD_SYNTH: u8 = 0x01;
/// Command: stop speaking.
pub const CMD_STOP: u8 = 0x02;
/// Command: query status.
pub const CMD_STATUS: u8 = 0x21;
/// Command (SYN6288): set the baud rate.
pub const CMD_BAUD: u8 = 0x31;

/// Which family of module: decides the checksum, the limits and the markup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SynModel {
    Syn6288,
    Syn6658,
    Xfs5152,
}

impl SynModel {
    pub fn as_str(self) -> &'static str {
        match self {
            SynModel::Syn6288 => "syn6288",
            SynModel::Syn6658 => "syn6658",
            SynModel::Xfs5152 => "xfs5152",
        }
    }

    /// SYN6288 frames end with an XOR byte; the iFlytek family has none.
    pub fn has_checksum(self) -> bool {
        self == SynModel::Syn6288
    }

    /// Largest text (bytes, markup included) one synthesis frame may carry.
    pub fn max_text_bytes(self) -> usize {
        match self {
            SynModel::Syn6288 => 200,
            SynModel::Syn6658 | SynModel::Xfs5152 => 4000,
        }
    }

    /// Highest `[vN]` volume level.
    pub fn max_volume(self) -> u8 {
        match self {
            SynModel::Syn6288 => 16,
            SynModel::Syn6658 | SynModel::Xfs5152 => 10,
        }
    }

    /// The built-in prompt tone used as the "叮咚" chime, as inline text.
    pub fn chime_markup(self) -> &'static str {
        match self {
            SynModel::Syn6288 => "sounda",
            SynModel::Syn6658 | SynModel::Xfs5152 => "[x1]sound101",
        }
    }

    /// `[vN]` for a volume from 0.0 to 1.0.
    pub fn volume_markup(self, volume: f32) -> String {
        let level = (volume.clamp(0.0, 1.0) * f32::from(self.max_volume())).round();
        // The clamp above keeps the level in 0..=16.
        format!("[v{}]", level as u8)
    }
}

/// Errors building a frame.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SynError {
    #[error("character \"{0}\" cannot be sent to a TTS module: it is not in GB2312")]
    NotGb2312(char),
    #[error("text is {len} bytes in GB2312, over the {max}-byte limit of {model}")]
    TooLong {
        len: usize,
        max: usize,
        model: &'static str,
    },
    #[error("background music {0} is out of range (0-15)")]
    BadMusic(u8),
}

/// The GB2312 bytes of `text`: printable ASCII as one byte, Hanzi and full-width symbols as
/// two bytes in the GB2312 area (lead `A1`–`F7`, trail `A1`–`FE`).
pub fn encode_gb2312(text: &str) -> Result<Vec<u8>, SynError> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            if c == ' ' || c.is_ascii_graphic() {
                out.push(c as u8);
                continue;
            }
            return Err(SynError::NotGb2312(c));
        }
        let mut buf = [0u8; 4];
        let (bytes, _, had_errors) = GBK.encode(c.encode_utf8(&mut buf));
        match bytes.as_ref() {
            [lead, trail]
                if !had_errors && (0xA1..=0xF7).contains(lead) && (0xA1..=0xFE).contains(trail) =>
            {
                out.extend_from_slice(&[*lead, *trail]);
            }
            _ => return Err(SynError::NotGb2312(c)),
        }
    }
    Ok(out)
}

/// The first character of `text` a TTS module cannot receive.
pub fn first_non_gb2312(text: &str) -> Option<char> {
    text.chars()
        .find(|c| encode_gb2312(c.encode_utf8(&mut [0u8; 4])).is_err())
}

/// Text from GB2312 bytes (what the simulator heard).
pub fn decode_gb2312(bytes: &[u8]) -> String {
    let (text, _, _) = encoding_rs::GBK.decode(bytes);
    text.into_owned()
}

fn xor(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

/// A frame around `command` and its `data` (parameter and text), with the model's length
/// rule and checksum.
pub fn frame(model: SynModel, command: u8, data: &[u8]) -> Vec<u8> {
    let checksum = usize::from(model.has_checksum());
    let len = 1 + data.len() + checksum;
    let mut out = Vec::with_capacity(3 + len);
    out.push(HEADER);
    out.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
    out.push(command);
    out.extend_from_slice(data);
    if model.has_checksum() {
        out.push(xor(&out));
    }
    out
}

/// Synthesis frame for already encoded GB2312 text. `music` (SYN6288 background music 0–15)
/// goes into the parameter byte as `music << 3`; the iFlytek family has none and ignores it.
pub fn synth_frame_bytes(model: SynModel, text: &[u8], music: u8) -> Result<Vec<u8>, SynError> {
    if text.len() > model.max_text_bytes() {
        return Err(SynError::TooLong {
            len: text.len(),
            max: model.max_text_bytes(),
            model: model.as_str(),
        });
    }
    if music > 15 {
        return Err(SynError::BadMusic(music));
    }
    let param = match model {
        SynModel::Syn6288 => music << 3,
        SynModel::Syn6658 | SynModel::Xfs5152 => 0,
    };
    let mut data = Vec::with_capacity(1 + text.len());
    data.push(param);
    data.extend_from_slice(text);
    Ok(frame(model, CMD_SYNTH, &data))
}

/// Synthesis frame for `text` in GB2312, no background music.
pub fn synth_frame(model: SynModel, text: &str) -> Result<Vec<u8>, SynError> {
    synth_frame_bytes(model, &encode_gb2312(text)?, 0)
}

/// Status query: `FD 00 02 21 DE` (SYN6288) or `FD 00 01 21`.
pub fn status_query(model: SynModel) -> Vec<u8> {
    frame(model, CMD_STATUS, &[])
}

/// Stop: `FD 00 02 02 FD` (SYN6288) or `FD 00 01 02`.
pub fn stop_frame(model: SynModel) -> Vec<u8> {
    frame(model, CMD_STOP, &[])
}

/// SYN6288 baud rate: 9600, 19200 or 38400 (`FD 00 03 31 00 CF` → 9600).
pub fn baud_frame(baud: u32) -> Option<Vec<u8>> {
    let param = match baud {
        9600 => 0,
        19200 => 1,
        38400 => 2,
        _ => return None,
    };
    Some(frame(SynModel::Syn6288, CMD_BAUD, &[param]))
}

/// One byte sent by the module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// `4A`: initialised (power-up, or a reboot).
    InitOk,
    /// `41`: frame accepted (also the first byte of SYN6288's two-byte status).
    Accepted,
    /// `45`: bad or unknown frame.
    Error,
    /// `4F`: idle.
    Idle,
    /// `4E`: busy.
    Busy,
    Unknown(u8),
}

impl Reply {
    pub fn from_byte(b: u8) -> Reply {
        match b {
            0x4A => Reply::InitOk,
            0x41 => Reply::Accepted,
            0x45 => Reply::Error,
            0x4F => Reply::Idle,
            0x4E => Reply::Busy,
            other => Reply::Unknown(other),
        }
    }

    pub fn byte(self) -> u8 {
        match self {
            Reply::InitOk => 0x4A,
            Reply::Accepted => 0x41,
            Reply::Error => 0x45,
            Reply::Idle => 0x4F,
            Reply::Busy => 0x4E,
            Reply::Unknown(b) => b,
        }
    }
}

/// A decoded frame: its command and the bytes after it (checksum removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub command: u8,
    pub data: Vec<u8>,
}

impl Frame {
    /// Synthesis frame: `(parameter, text)`.
    pub fn synth(&self) -> Option<(u8, &[u8])> {
        if self.command != CMD_SYNTH {
            return None;
        }
        let (param, text) = self.data.split_first()?;
        Some((*param, text))
    }
}

/// What [`decode_frame`] found at the start of a buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// A frame is not complete yet.
    NeedMore,
    /// A frame that used this many bytes.
    Frame(Frame, usize),
    /// Bytes before the next `FD` that are no frame.
    Garbage(usize),
    /// A complete frame that is wrong (checksum, length): this many bytes were used.
    Bad(usize, &'static str),
}

/// Decodes the frame at the start of `buf`.
pub fn decode_frame(model: SynModel, buf: &[u8]) -> Decoded {
    if buf.is_empty() {
        return Decoded::NeedMore;
    }
    if buf[0] != HEADER {
        let skip = buf.iter().position(|&b| b == HEADER).unwrap_or(buf.len());
        return Decoded::Garbage(skip);
    }
    if buf.len() < 3 {
        return Decoded::NeedMore;
    }
    let len = usize::from(u16::from_be_bytes([buf[1], buf[2]]));
    let min = 1 + usize::from(model.has_checksum());
    if len < min || len > model.max_text_bytes() + 2 + usize::from(model.has_checksum()) {
        return Decoded::Bad(1, "length out of range");
    }
    let total = 3 + len;
    if buf.len() < total {
        return Decoded::NeedMore;
    }
    let body_end = if model.has_checksum() {
        if xor(&buf[..total - 1]) != buf[total - 1] {
            return Decoded::Bad(total, "bad XOR checksum");
        }
        total - 1
    } else {
        total
    };
    Decoded::Frame(
        Frame {
            command: buf[3],
            data: buf[4..body_end].to_vec(),
        },
        total,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        text.split_whitespace()
            .filter_map(|h| u8::from_str_radix(h, 16).ok())
            .collect()
    }

    #[test]
    fn syn6288_worked_example() {
        let f = synth_frame(SynModel::Syn6288, "请A001号到3号窗口办理").unwrap();
        assert_eq!(
            f,
            hex("FD 00 18 01 00 C7 EB 41 30 30 31 BA C5 B5 BD 33 BA C5 B4 B0 BF DA B0 EC C0 ED 93")
        );
    }

    #[test]
    fn syn6658_worked_example() {
        let f = synth_frame(SynModel::Syn6658, "请A001号到3号窗口办理").unwrap();
        assert_eq!(
            f,
            hex("FD 00 17 01 00 C7 EB 41 30 30 31 BA C5 B5 BD 33 BA C5 B4 B0 BF DA B0 EC C0 ED")
        );
        assert_eq!(
            synth_frame(SynModel::Xfs5152, "请A001号到3号窗口办理").unwrap(),
            f
        );
    }

    #[test]
    fn fixed_frames() {
        assert_eq!(status_query(SynModel::Syn6288), hex("FD 00 02 21 DE"));
        assert_eq!(status_query(SynModel::Syn6658), hex("FD 00 01 21"));
        assert_eq!(stop_frame(SynModel::Syn6288), hex("FD 00 02 02 FD"));
        assert_eq!(frame(SynModel::Syn6288, 0x03, &[]), hex("FD 00 02 03 FC"));
        assert_eq!(frame(SynModel::Syn6288, 0x04, &[]), hex("FD 00 02 04 FB"));
        assert_eq!(frame(SynModel::Syn6288, 0x88, &[]), hex("FD 00 02 88 77"));
        assert_eq!(baud_frame(9600), Some(hex("FD 00 03 31 00 CF")));
        assert_eq!(baud_frame(4800), None);
    }

    #[test]
    fn background_music_is_shifted_by_three() {
        let f = synth_frame_bytes(SynModel::Syn6288, b"a", 3).unwrap();
        assert_eq!(f[4], 3 << 3);
        assert_eq!(
            synth_frame_bytes(SynModel::Syn6288, b"a", 16),
            Err(SynError::BadMusic(16))
        );
    }

    #[test]
    fn gb2312_only() {
        assert_eq!(encode_gb2312("号").unwrap(), vec![0xBA, 0xC5]);
        // 㐀 is GB18030 only (4 bytes); 丂 is GBK only (81 40).
        assert_eq!(encode_gb2312("㐀"), Err(SynError::NotGb2312('㐀')));
        assert_eq!(encode_gb2312("丂"), Err(SynError::NotGb2312('丂')));
        assert_eq!(encode_gb2312("a\nb"), Err(SynError::NotGb2312('\n')));
        assert_eq!(first_non_gb2312("请😀"), Some('😀'));
        assert_eq!(decode_gb2312(&[0xC7, 0xEB, 0x41]), "请A");
    }

    #[test]
    fn length_limit_of_syn6288() {
        let long = "号".repeat(101);
        assert!(matches!(
            synth_frame(SynModel::Syn6288, &long),
            Err(SynError::TooLong {
                len: 202,
                max: 200,
                ..
            })
        ));
        assert!(synth_frame(SynModel::Syn6658, &long).is_ok());
    }

    #[test]
    fn decoding_round_trip_and_checksum() {
        for model in [SynModel::Syn6288, SynModel::Syn6658] {
            let mut bytes = vec![0x00, 0x13];
            let f = synth_frame(model, "[v8]请A023号到三号窗口办理").unwrap();
            bytes.extend_from_slice(&f);
            assert_eq!(decode_frame(model, &bytes), Decoded::Garbage(2));
            let Decoded::Frame(frame, used) = decode_frame(model, &bytes[2..]) else {
                panic!("no frame");
            };
            assert_eq!(used, f.len());
            let (param, text) = frame.synth().unwrap();
            assert_eq!(param, 0);
            assert_eq!(decode_gb2312(text), "[v8]请A023号到三号窗口办理");
            assert_eq!(decode_frame(model, &f[..f.len() - 1]), Decoded::NeedMore);
            let status = status_query(model);
            assert!(matches!(
                decode_frame(model, &status),
                Decoded::Frame(Frame { command: CMD_STATUS, .. }, n) if n == status.len()
            ));
        }
        let mut bad = synth_frame(SynModel::Syn6288, "请").unwrap();
        let last = bad.len() - 1;
        bad[last] ^= 0xFF;
        assert_eq!(
            decode_frame(SynModel::Syn6288, &bad),
            Decoded::Bad(bad.len(), "bad XOR checksum")
        );
    }

    #[test]
    fn replies_and_markup() {
        assert_eq!(Reply::from_byte(0x4F), Reply::Idle);
        assert_eq!(Reply::from_byte(0x4E), Reply::Busy);
        assert_eq!(Reply::from_byte(0x41), Reply::Accepted);
        assert_eq!(Reply::from_byte(0x45), Reply::Error);
        assert_eq!(Reply::from_byte(0x4A), Reply::InitOk);
        assert_eq!(Reply::from_byte(0x10), Reply::Unknown(0x10));
        assert_eq!(SynModel::Syn6288.volume_markup(1.0), "[v16]");
        assert_eq!(SynModel::Syn6658.volume_markup(0.4), "[v4]");
        assert_eq!(SynModel::Syn6288.volume_markup(-1.0), "[v0]");
    }
}
