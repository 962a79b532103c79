//! ESC/POS byte stream → commands → what the printer would print.
//!
//! [`parse_command`] reads one command with a length table (hardware notes §2.7);
//! incomplete input is `Ok(None)`, an unknown sequence is an error. [`Decoder`] keeps the
//! bytes of an unfinished command between reads (the simulator reads a PTY in pieces).
//! [`Layout`] applies commands the way a printer does and yields [`Receipt`]s: text lines
//! with size, alignment and boldness, QR payloads, feeds and the cut.

use super::status::StatusRequest;

mod layout;

pub use layout::{Block, Layout, Receipt, TextLine};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// `GS V 0|48`
    Full,
    /// `GS V 1|49`
    Partial,
    /// `GS V 65 n`: feed n units, then full cut.
    FeedFull(u8),
    /// `GS V 66 n`: feed n units, then partial cut.
    FeedPartial(u8),
}

/// `GS ( k` functions of the QR symbol (cn = 49).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QrFunction {
    /// fn 65: 49 model 1, 50 model 2, 51 micro.
    Model(u8),
    /// fn 67: dots per module.
    ModuleSize(u8),
    /// fn 69: 48 L, 49 M, 50 Q, 51 H.
    ErrorLevel(u8),
    /// fn 80: store the data.
    Store(Vec<u8>),
    /// fn 81: print the stored symbol.
    Print,
    /// fn 82: transmit size information.
    SizeInfo,
}

/// One ESC/POS command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `ESC @`
    Init,
    /// `FS &`
    ChineseOn,
    /// `FS .`
    ChineseOff,
    /// `FS W n`
    ChineseQuad(bool),
    /// `ESC a n`
    Align(Align),
    /// `GS ! n`
    Size { width: u8, height: u8 },
    /// `ESC ! n`
    PrintMode(u8),
    /// `ESC E n`
    Bold(bool),
    /// `ESC d n`
    FeedLines(u8),
    /// `ESC J n`
    FeedDots(u8),
    /// `ESC 2` / `ESC 3 n`
    LineSpacing(Option<u8>),
    /// `ESC t n`
    CodePage(u8),
    /// `LF`
    LineFeed,
    /// `CR` (ignored by printers in LF mode)
    CarriageReturn,
    /// Printable bytes (ASCII and 2-byte GBK codes).
    Text(Vec<u8>),
    /// `DLE EOT n`
    Status(StatusRequest),
    /// `GS ( k … cn=49`
    Qr(QrFunction),
    /// `GS V …`
    Cut(Cut),
    /// Known commands that do not change the decoded text: barcode settings, raster
    /// images, barcodes, status-back settings (`GS h/w/H/f/a/r`, `ESC c 4`, `GS k`, `GS v 0`).
    Other { name: &'static str, bytes: Vec<u8> },
}

/// A byte sequence the length table does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown ESC/POS sequence {}", hex(bytes))]
    Unknown { bytes: Vec<u8> },
    #[error("{command}: unsupported parameter 0x{value:02X}")]
    BadParameter { command: &'static str, value: u8 },
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

const LF: u8 = 0x0A;
const CR: u8 = 0x0D;
const DLE: u8 = 0x10;
const ESC: u8 = 0x1B;
const FS: u8 = 0x1C;
const GS: u8 = 0x1D;

type Parsed = Result<Option<(Command, usize)>, DecodeError>;

/// Parses the command at the start of `input`: `Ok(None)` when more bytes are needed.
pub fn parse_command(input: &[u8]) -> Parsed {
    let Some(&first) = input.first() else {
        return Ok(None);
    };
    match first {
        LF => Ok(Some((Command::LineFeed, 1))),
        CR => Ok(Some((Command::CarriageReturn, 1))),
        DLE => parse_dle(input),
        ESC => parse_esc(input),
        FS => parse_fs(input),
        GS => parse_gs(input),
        b if b < 0x20 || b == 0x7F => Err(DecodeError::Unknown { bytes: vec![b] }),
        _ => Ok(parse_text(input)),
    }
}

fn parse_text(input: &[u8]) -> Option<(Command, usize)> {
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b < 0x20 || b == 0x7F {
            break;
        }
        if b >= 0x81 && b != 0xFF {
            match input.get(i + 1) {
                None => break, // wait for the trail byte
                Some(&t) if (0x40..=0xFE).contains(&t) && t != 0x7F => i += 2,
                Some(_) => i += 1,
            }
        } else {
            i += 1;
        }
    }
    (i > 0).then(|| (Command::Text(input[..i].to_vec()), i))
}

/// `Ok(None)` unless `input` holds `n` bytes.
fn need(input: &[u8], n: usize) -> Option<&[u8]> {
    input.get(..n)
}

fn parse_dle(input: &[u8]) -> Parsed {
    let Some(b) = need(input, 3) else {
        return Ok(None);
    };
    if b[1] != 0x04 {
        return Err(DecodeError::Unknown {
            bytes: b[..2].to_vec(),
        });
    }
    match StatusRequest::from_n(b[2]) {
        Some(r) => Ok(Some((Command::Status(r), 3))),
        None => Err(DecodeError::BadParameter {
            command: "DLE EOT",
            value: b[2],
        }),
    }
}

fn parse_esc(input: &[u8]) -> Parsed {
    let Some(&op) = input.get(1) else {
        return Ok(None);
    };
    let with_arg = |f: fn(u8) -> Command| -> Parsed { Ok(input.get(2).map(|&n| (f(n), 3))) };
    match op {
        b'@' => Ok(Some((Command::Init, 2))),
        b'2' => Ok(Some((Command::LineSpacing(None), 2))),
        b'3' => with_arg(|n| Command::LineSpacing(Some(n))),
        b'a' => with_arg(|n| {
            Command::Align(match n {
                1 | b'1' => Align::Center,
                2 | b'2' => Align::Right,
                _ => Align::Left,
            })
        }),
        b'E' => with_arg(|n| Command::Bold(n & 1 == 1)),
        b'!' => with_arg(Command::PrintMode),
        b'd' => with_arg(Command::FeedLines),
        b'J' => with_arg(Command::FeedDots),
        b't' => with_arg(Command::CodePage),
        b'c' => {
            let Some(b) = need(input, 4) else {
                return Ok(None);
            };
            if b[2] == b'4' || b[2] == b'3' {
                Ok(Some((
                    Command::Other {
                        name: "ESC c",
                        bytes: b.to_vec(),
                    },
                    4,
                )))
            } else {
                Err(DecodeError::Unknown { bytes: b.to_vec() })
            }
        }
        _ => Err(DecodeError::Unknown {
            bytes: vec![ESC, op],
        }),
    }
}

fn parse_fs(input: &[u8]) -> Parsed {
    let Some(&op) = input.get(1) else {
        return Ok(None);
    };
    match op {
        b'&' => Ok(Some((Command::ChineseOn, 2))),
        b'.' => Ok(Some((Command::ChineseOff, 2))),
        b'W' => Ok(input.get(2).map(|&n| (Command::ChineseQuad(n & 1 == 1), 3))),
        _ => Err(DecodeError::Unknown {
            bytes: vec![FS, op],
        }),
    }
}

fn other(name: &'static str, input: &[u8], len: usize) -> Parsed {
    Ok(need(input, len).map(|b| {
        (
            Command::Other {
                name,
                bytes: b.to_vec(),
            },
            len,
        )
    }))
}

fn parse_gs(input: &[u8]) -> Parsed {
    let Some(&op) = input.get(1) else {
        return Ok(None);
    };
    match op {
        b'!' => Ok(input.get(2).map(|&n| {
            (
                Command::Size {
                    width: (n >> 4) + 1,
                    height: (n & 0x0F) + 1,
                },
                3,
            )
        })),
        b'h' => other("GS h", input, 3),
        b'w' => other("GS w", input, 3),
        b'H' => other("GS H", input, 3),
        b'f' => other("GS f", input, 3),
        b'a' => other("GS a", input, 3),
        b'r' => other("GS r", input, 3),
        b'V' => parse_cut(input),
        b'(' => parse_gs_paren(input),
        b'k' => parse_barcode(input),
        b'v' => parse_raster(input),
        _ => Err(DecodeError::Unknown {
            bytes: vec![GS, op],
        }),
    }
}

fn parse_cut(input: &[u8]) -> Parsed {
    let Some(&m) = input.get(2) else {
        return Ok(None);
    };
    let cut = match m {
        0 | 48 => Cut::Full,
        1 | 49 => Cut::Partial,
        65 | 66 => {
            let Some(&n) = input.get(3) else {
                return Ok(None);
            };
            let cut = if m == 65 {
                Cut::FeedFull(n)
            } else {
                Cut::FeedPartial(n)
            };
            return Ok(Some((Command::Cut(cut), 4)));
        }
        _ => {
            return Err(DecodeError::BadParameter {
                command: "GS V",
                value: m,
            });
        }
    };
    Ok(Some((Command::Cut(cut), 3)))
}

fn parse_gs_paren(input: &[u8]) -> Parsed {
    let Some(head) = need(input, 5) else {
        return Ok(None);
    };
    if head[2] != b'k' {
        return Err(DecodeError::Unknown {
            bytes: head[..3].to_vec(),
        });
    }
    let len = usize::from(head[3]) + 256 * usize::from(head[4]);
    let total = 5 + len;
    let Some(all) = need(input, total) else {
        return Ok(None);
    };
    let body = &all[5..];
    let (Some(&cn), Some(&func)) = (body.first(), body.get(1)) else {
        return Err(DecodeError::Unknown {
            bytes: all.to_vec(),
        });
    };
    if cn != 49 {
        return Err(DecodeError::BadParameter {
            command: "GS ( k (only QR, cn = 49, is supported)",
            value: cn,
        });
    }
    let arg = body.get(2).copied().unwrap_or(0);
    let f = match func {
        65 => QrFunction::Model(arg),
        67 => QrFunction::ModuleSize(arg),
        69 => QrFunction::ErrorLevel(arg),
        80 => QrFunction::Store(body.get(3..).unwrap_or_default().to_vec()),
        81 => QrFunction::Print,
        82 => QrFunction::SizeInfo,
        _ => {
            return Err(DecodeError::BadParameter {
                command: "GS ( k QR function",
                value: func,
            });
        }
    };
    Ok(Some((Command::Qr(f), total)))
}

fn parse_barcode(input: &[u8]) -> Parsed {
    let Some(&m) = input.get(2) else {
        return Ok(None);
    };
    if m <= 6 {
        let Some(end) = input[3..].iter().position(|&b| b == 0) else {
            return Ok(None);
        };
        return other("GS k", input, 3 + end + 1);
    }
    if m >= 65 {
        let Some(&n) = input.get(3) else {
            return Ok(None);
        };
        return other("GS k", input, 4 + usize::from(n));
    }
    Err(DecodeError::BadParameter {
        command: "GS k",
        value: m,
    })
}

fn parse_raster(input: &[u8]) -> Parsed {
    let Some(h) = need(input, 8) else {
        return Ok(None);
    };
    if h[2] != b'0' && h[2] != 0 {
        return Err(DecodeError::Unknown {
            bytes: h[..3].to_vec(),
        });
    }
    let x = usize::from(h[4]) + 256 * usize::from(h[5]);
    let y = usize::from(h[6]) + 256 * usize::from(h[7]);
    other("GS v 0", input, 8 + x * y)
}

/// Streaming front end: keeps unfinished commands between reads.
#[derive(Debug, Default)]
pub struct Decoder {
    pending: Vec<u8>,
}

impl Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `bytes` and returns every complete command (and every unknown sequence,
    /// after which one byte is skipped to resynchronise).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<Command, DecodeError>> {
        self.pending.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut at = 0;
        while at < self.pending.len() {
            match parse_command(&self.pending[at..]) {
                Ok(Some((cmd, used))) => {
                    out.push(Ok(cmd));
                    at += used;
                }
                Ok(None) => break,
                Err(e) => {
                    out.push(Err(e));
                    at += 1;
                }
            }
        }
        self.pending.drain(..at);
        out
    }

    /// Bytes of an unfinished command.
    pub fn pending(&self) -> &[u8] {
        &self.pending
    }
}

/// Decodes a whole captured stream: every receipt (a trailing one without a cut too).
/// The first unknown sequence is an error.
pub fn decode_all(bytes: &[u8]) -> Result<Vec<Receipt>, DecodeError> {
    let mut layout = Layout::new();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match parse_command(&bytes[at..])? {
            Some((cmd, used)) => {
                at += used;
                out.extend(layout.apply(&cmd));
            }
            None => {
                return Err(DecodeError::Unknown {
                    bytes: bytes[at..].to_vec(),
                });
            }
        }
    }
    out.extend(layout.finish());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The §2.5 example stream of the hardware notes.
    fn example() -> Vec<u8> {
        let mut v = vec![0x1B, 0x40, 0x1C, 0x26, 0x1B, 0x61, 0x01, 0x1D, 0x21, 0x11];
        v.extend([
            0xD5, 0xFE, 0xCE, 0xF1, 0xB7, 0xFE, 0xCE, 0xF1, 0xD6, 0xD0, 0xD0, 0xC4, 0x0A,
        ]);
        v.extend([
            0x1D, 0x21, 0x33, 0x41, 0x30, 0x30, 0x31, 0x0A, 0x1D, 0x21, 0x00,
        ]);
        v.extend([
            0xC7, 0xB0, 0xC3, 0xE6, 0xB5, 0xC8, 0xBA, 0xF2, 0x20, 0x35, 0x20, 0xC8, 0xCB, 0x0A,
        ]);
        v.extend([0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]);
        v.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06]);
        v.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]);
        let url = b"https://example.gov.cn/q?t=A001";
        v.extend([
            0x1D,
            0x28,
            0x6B,
            (url.len() + 3) as u8,
            0x00,
            0x31,
            0x50,
            0x30,
        ]);
        v.extend(url);
        v.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]);
        v.extend([0x1B, 0x64, 0x04, 0x1D, 0x56, 0x42, 0x00]);
        v
    }

    #[test]
    fn decodes_the_reference_ticket() {
        let receipts = decode_all(&example()).unwrap();
        assert_eq!(receipts.len(), 1);
        let r = &receipts[0];
        assert_eq!(r.cut, Some(Cut::FeedPartial(0)));
        assert_eq!(
            r.text(),
            "政务服务中心\nA001\n前面等候 5 人\n[QR https://example.gov.cn/q?t=A001]\n"
        );
        let lines: Vec<_> = r.lines().collect();
        assert_eq!(
            (lines[0].width, lines[0].height, lines[0].align),
            (2, 2, Align::Center)
        );
        assert_eq!((lines[1].width, lines[1].height), (4, 4));
        assert_eq!(r.blocks.last(), Some(&Block::Feed(4)));
        assert!(matches!(
            r.blocks[3],
            Block::Qr {
                module: 6,
                level: 0x31,
                ..
            }
        ));
    }

    /// Text may arrive in pieces; adjacent text commands are joined for comparison.
    fn joined(items: Vec<Result<Command, DecodeError>>) -> Vec<Result<Command, DecodeError>> {
        let mut out: Vec<Result<Command, DecodeError>> = Vec::new();
        for item in items {
            if let (Ok(Command::Text(more)), Some(Ok(Command::Text(text)))) =
                (&item, out.last_mut())
            {
                text.extend_from_slice(more);
                continue;
            }
            out.push(item);
        }
        out
    }

    #[test]
    fn every_split_point_gives_the_same_commands() {
        let bytes = example();
        let whole = joined(Decoder::new().push(&bytes));
        for split in 0..bytes.len() {
            let mut d = Decoder::new();
            let mut got = d.push(&bytes[..split]);
            got.extend(d.push(&bytes[split..]));
            assert_eq!(joined(got), whole, "split at {split}");
            assert!(d.pending().is_empty());
        }
    }

    #[test]
    fn incomplete_is_none() {
        for partial in [
            &[0x1B][..],
            &[0x1D, 0x28, 0x6B, 0x05, 0x00, 0x31],
            &[0x10, 0x04],
            &[0xC7],
        ] {
            assert_eq!(parse_command(partial), Ok(None), "{partial:02X?}");
        }
    }

    #[test]
    fn unknown_sequences_are_errors() {
        assert!(matches!(
            parse_command(&[0x1B, 0x7A, 0]),
            Err(DecodeError::Unknown { .. })
        ));
        assert!(matches!(
            parse_command(&[0x1D, 0x5A]),
            Err(DecodeError::Unknown { .. })
        ));
        assert!(matches!(
            parse_command(&[0x07]),
            Err(DecodeError::Unknown { .. })
        ));
        assert!(matches!(
            parse_command(&[0x10, 0x04, 0x09]),
            Err(DecodeError::BadParameter { .. })
        ));
        let mut d = Decoder::new();
        let out = d.push(&[0x1B, 0x7A, 0x41, 0x0A]);
        assert!(out[0].is_err());
        assert_eq!(out.last(), Some(&Ok(Command::LineFeed)));
        assert!(decode_all(&[0x1B, 0x7A]).is_err());
    }

    #[test]
    fn length_table_entries() {
        assert_eq!(
            parse_command(&[0x1D, 0x56, 0x01]),
            Ok(Some((Command::Cut(Cut::Partial), 3)))
        );
        assert_eq!(
            parse_command(&[0x1D, 0x56, 0x41, 0x03]),
            Ok(Some((Command::Cut(Cut::FeedFull(3)), 4)))
        );
        assert_eq!(
            parse_command(&[0x10, 0x04, 0x04]),
            Ok(Some((Command::Status(StatusRequest::RollPaper), 3)))
        );
        // CODE128 "A001" with function B, and a 1×2 raster image.
        let code128 = [0x1D, 0x6B, 0x49, 0x06, 0x7B, 0x42, 0x41, 0x30, 0x30, 0x31];
        assert!(matches!(
            parse_command(&code128),
            Ok(Some((Command::Other { .. }, 10)))
        ));
        let raster = [0x1D, 0x76, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00, 0xFF, 0x00];
        assert!(matches!(
            parse_command(&raster),
            Ok(Some((Command::Other { .. }, 10)))
        ));
        assert_eq!(parse_command(&raster[..9]), Ok(None));
    }
}
