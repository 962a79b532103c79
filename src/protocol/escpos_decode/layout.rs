//! What a printer makes of the commands: [`Layout`] applies them as the print head would
//! (code page, alignment, size, boldness, QR storage) and yields [`Receipt`]s at each cut.

use encoding_rs::GBK;

use super::{Align, Command, Cut, QrFunction};

/// One printed line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextLine {
    pub text: String,
    /// Character width and height multipliers (1..=8).
    pub width: u8,
    pub height: u8,
    pub align: Align,
    pub bold: bool,
}

/// What the paper shows, top to bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Text(TextLine),
    Qr {
        data: String,
        module: u8,
        level: u8,
    },
    /// Blank lines.
    Feed(u8),
}

/// One ticket: the blocks up to a cut.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Receipt {
    pub blocks: Vec<Block>,
    pub cut: Option<Cut>,
}

impl Receipt {
    /// The printed text, one line per text line (QR codes as `[QR data]`).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            match b {
                Block::Text(l) => {
                    out.push_str(&l.text);
                    out.push('\n');
                }
                Block::Qr { data, .. } => {
                    out.push_str(&format!("[QR {data}]\n"));
                }
                Block::Feed(_) => {}
            }
        }
        out
    }

    pub fn qr_payloads(&self) -> Vec<&str> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Qr { data, .. } => Some(data.as_str()),
                _ => None,
            })
            .collect()
    }

    pub fn lines(&self) -> impl Iterator<Item = &TextLine> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Text(l) => Some(l),
            _ => None,
        })
    }
}

/// The printer's modes and its current line; turns commands into receipts.
#[derive(Debug)]
pub struct Layout {
    chinese: bool,
    align: Align,
    width: u8,
    height: u8,
    bold: bool,
    line: Vec<u8>,
    line_style: Option<(Align, u8, u8, bool)>,
    qr_data: Vec<u8>,
    qr_module: u8,
    qr_level: u8,
    current: Receipt,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            // Chinese firmwares power up in 2-byte mode.
            chinese: true,
            align: Align::Left,
            width: 1,
            height: 1,
            bold: false,
            line: Vec::new(),
            line_style: None,
            qr_data: Vec::new(),
            qr_module: 3,
            qr_level: 48,
            current: Receipt::default(),
        }
    }
}

impl Layout {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one command; returns the finished receipt when the command is a cut.
    pub fn apply(&mut self, cmd: &Command) -> Option<Receipt> {
        match cmd {
            Command::Init => {
                let chinese = self.chinese;
                let current = std::mem::take(&mut self.current);
                // ESC @ clears the print buffer (an unfinished line is lost) and the modes.
                *self = Layout {
                    chinese,
                    current,
                    ..Layout::default()
                };
            }
            Command::ChineseOn => self.chinese = true,
            Command::ChineseOff => self.chinese = false,
            Command::Align(a) => self.align = *a,
            Command::Size { width, height } => {
                self.width = *width;
                self.height = *height;
            }
            Command::ChineseQuad(on) => {
                let n = if *on { 2 } else { 1 };
                self.width = n;
                self.height = n;
            }
            Command::PrintMode(n) => {
                self.bold = n & 0x08 != 0;
                self.height = if n & 0x10 != 0 { 2 } else { 1 };
                self.width = if n & 0x20 != 0 { 2 } else { 1 };
            }
            Command::Bold(on) => self.bold = *on,
            Command::Text(bytes) => {
                if self.line.is_empty() {
                    self.line_style = Some((self.align, self.width, self.height, self.bold));
                }
                self.line.extend_from_slice(bytes);
            }
            Command::LineFeed => self.end_line(true),
            Command::FeedLines(n) => {
                let had_text = !self.line.is_empty();
                self.end_line(false);
                let extra = n.saturating_sub(u8::from(had_text));
                if extra > 0 {
                    self.current.blocks.push(Block::Feed(extra));
                }
            }
            Command::FeedDots(_) => self.end_line(false),
            Command::Qr(f) => self.qr(f),
            Command::Cut(c) => {
                self.end_line(false);
                let mut done = std::mem::take(&mut self.current);
                done.cut = Some(*c);
                return Some(done);
            }
            Command::LineSpacing(_)
            | Command::CodePage(_)
            | Command::CarriageReturn
            | Command::Status(_)
            | Command::Other { .. } => {}
        }
        None
    }

    fn qr(&mut self, f: &QrFunction) {
        match f {
            QrFunction::ModuleSize(n) => self.qr_module = *n,
            QrFunction::ErrorLevel(n) => self.qr_level = *n,
            QrFunction::Store(d) => self.qr_data = d.clone(),
            QrFunction::Print => {
                self.end_line(false);
                self.current.blocks.push(Block::Qr {
                    data: String::from_utf8_lossy(&self.qr_data).into_owned(),
                    module: self.qr_module,
                    level: self.qr_level,
                });
            }
            QrFunction::Model(_) | QrFunction::SizeInfo => {}
        }
    }

    /// Prints the buffered line; `blank_too`: a line feed on an empty buffer feeds a blank
    /// line (other commands only flush what is there).
    fn end_line(&mut self, blank_too: bool) {
        if self.line.is_empty() && !blank_too {
            self.line_style = None;
            return;
        }
        let bytes = std::mem::take(&mut self.line);
        let (align, width, height, bold) =
            self.line_style
                .take()
                .unwrap_or((self.align, self.width, self.height, self.bold));
        let text = if self.chinese {
            GBK.decode_without_bom_handling(&bytes).0.into_owned()
        } else {
            bytes.iter().map(|&b| char::from(b)).collect()
        };
        self.current.blocks.push(Block::Text(TextLine {
            text,
            width,
            height,
            align,
            bold,
        }));
    }

    /// What was printed since the last cut (a job without a cut, or one cut short).
    pub fn unfinished(&self) -> &Receipt {
        &self.current
    }

    /// The end of the stream: what was printed since the last cut, when anything was.
    pub fn finish(mut self) -> Option<Receipt> {
        self.end_line(false);
        let rest = std::mem::take(&mut self.current);
        let printed = rest.blocks.iter().any(|b| match b {
            Block::Text(l) => !l.text.is_empty(),
            _ => true,
        });
        printed.then_some(rest)
    }
}
