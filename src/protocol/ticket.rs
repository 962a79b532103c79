//! A ticket ([`TicketPrint`]) and its layout → the ESC/POS bytes sent to the printer.
//!
//! The `escpos` crate builds the commands, with a GBK encoder; the bytes it gets wrong for
//! Chinese printers are sent raw: `FS &` (Chinese mode) and the cut (`1D 56 42 00`, feed and
//! partial cut, by default; the crate's `partial_cut()` is a full cut). Text is checked by
//! [`super::gbk`] first, so no 4-byte GB18030 code or control byte reaches the printer.

use std::sync::{Arc, Mutex};

use escpos::driver::Driver;
use escpos::errors::PrinterError as EscposError;
use escpos::printer::Printer;
use escpos::utils::{
    Encoder, JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption,
};

use super::gbk;
use crate::devices::printer::TicketPrint;

/// `GS V 66 0`: feed to the cutter and cut partially (the portable default).
pub const PARTIAL_CUT: [u8; 4] = [0x1D, 0x56, 0x42, 0x00];
/// `GS V 65 0`: feed to the cutter and cut fully.
pub const FULL_CUT: [u8; 4] = [0x1D, 0x56, 0x41, 0x00];
/// `FS &`: 2-byte (Chinese) character mode.
pub const CHINESE_MODE: [u8; 2] = [0x1C, 0x26];

/// Paper roll width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaperWidth {
    Mm58,
    Mm80,
}

impl PaperWidth {
    pub fn from_mm(mm: u16) -> Option<PaperWidth> {
        match mm {
            58 => Some(PaperWidth::Mm58),
            80 => Some(PaperWidth::Mm80),
            _ => None,
        }
    }

    pub fn mm(self) -> u16 {
        match self {
            PaperWidth::Mm58 => 58,
            PaperWidth::Mm80 => 80,
        }
    }

    /// Font A characters per line (a Hanzi takes two).
    pub fn columns(self) -> usize {
        match self {
            PaperWidth::Mm58 => 32,
            PaperWidth::Mm80 => 48,
        }
    }

    /// Printable dots per line.
    pub fn dots(self) -> u32 {
        match self {
            PaperWidth::Mm58 => 384,
            PaperWidth::Mm80 => 576,
        }
    }

    /// Size multiplier of the big number.
    fn number_size(self) -> u8 {
        match self {
            PaperWidth::Mm58 => 3,
            PaperWidth::Mm80 => 4,
        }
    }

    /// Dots per QR module.
    fn qr_module(self) -> u8 {
        match self {
            PaperWidth::Mm58 => 5,
            PaperWidth::Mm80 => 6,
        }
    }
}

/// How tickets look on one printer (from `[printer]` and the model profile).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketLayout {
    pub width: PaperWidth,
    /// Printed instead of the hall name when set.
    pub header: Option<String>,
    /// Lines at the bottom (may hold `\n`).
    pub footer: Option<String>,
    /// Raw cut command.
    pub cut: Vec<u8>,
    /// Dots per QR module (default by width).
    pub qr_module: Option<u8>,
    /// Blank lines fed before the cut.
    pub feed_before_cut: u8,
}

impl TicketLayout {
    pub fn new(width: PaperWidth) -> Self {
        TicketLayout {
            width,
            header: None,
            footer: None,
            cut: PARTIAL_CUT.to_vec(),
            qr_module: None,
            feed_before_cut: 4,
        }
    }
}

/// Why a ticket could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error("{field}: {source}")]
    Text {
        field: &'static str,
        source: gbk::UnprintableChar,
    },
    #[error("QR content: {0}")]
    Qr(String),
    #[error("ESC/POS builder: {0}")]
    Builder(String),
}

impl From<EscposError> for TicketError {
    fn from(e: EscposError) -> Self {
        TicketError::Builder(e.to_string())
    }
}

/// An `escpos` driver that keeps the bytes in memory.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Driver for Capture {
    fn name(&self) -> String {
        "capture".to_owned()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0
            .lock()
            .map_err(|_| EscposError::Io("capture buffer poisoned".to_owned()))?
            .extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// The lines of a ticket before they become bytes (also used by tests).
struct Builder {
    printer: Printer<Capture>,
    columns: usize,
}

impl Builder {
    fn new(columns: usize) -> Self {
        let protocol = Protocol::new(Encoder::new(encoding_rs::GBK));
        Builder {
            printer: Printer::new(Capture::default(), protocol, None),
            columns,
        }
    }

    /// Writes `text` (already checked) wrapped to the line width at this size.
    fn text(
        &mut self,
        field: &'static str,
        text: &str,
        size: u8,
        bold: bool,
    ) -> Result<(), TicketError> {
        self.text_wh(field, text, (size, size), bold)
    }

    /// Like [`Self::text`] with separate width and height multipliers.
    fn text_wh(
        &mut self,
        field: &'static str,
        text: &str,
        (width, height): (u8, u8),
        bold: bool,
    ) -> Result<(), TicketError> {
        gbk::encode(text).map_err(|source| TicketError::Text { field, source })?;
        let text = gbk::normalize(text);
        self.printer.size(width, height)?.bold(bold)?;
        for line in gbk::wrap(&text, self.columns / usize::from(width)) {
            self.printer.write(&line)?.custom(&[0x0A])?;
        }
        Ok(())
    }

    fn align(&mut self, mode: JustifyMode) -> Result<(), TicketError> {
        self.printer.justify(mode)?;
        Ok(())
    }

    fn rule(&mut self) -> Result<(), TicketError> {
        let dashes = "-".repeat(self.columns);
        self.text("rule", &dashes, 1, false)
    }
}

/// The printed label for the flags, e.g. `【绿色通道】【补打】`.
pub fn flags_line(t: &TicketPrint) -> String {
    let mut s = String::new();
    if t.priority {
        s.push_str("【绿色通道】");
    }
    if t.appointment {
        s.push_str("【预约】");
    }
    if t.reprint {
        s.push_str("【补打】");
    }
    s
}

/// The last four characters of an ID tail, whatever was passed.
fn last4(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

fn windows_text(windows: &[u16]) -> String {
    let list = windows
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join("、");
    format!("办理窗口：{list}号窗口")
}

/// Encodes one ticket. Text fields that cannot be printed are an error (the caller decides
/// whether to replace them; see [`gbk::lossy`]).
pub fn encode_ticket(t: &TicketPrint, layout: &TicketLayout) -> Result<Vec<u8>, TicketError> {
    let width = layout.width;
    let mut b = Builder::new(width.columns());
    b.printer.init()?.custom(&CHINESE_MODE)?;

    b.align(JustifyMode::CENTER)?;
    let header = layout.header.as_deref().unwrap_or(&t.hall_name);
    // Double width only when the header fits on one line that way (16 Hanzi at 80 mm,
    // 8 at 58 mm); otherwise double height only, which halves the wrapping.
    let header_width = if gbk::columns(header) * 2 <= width.columns() {
        2
    } else {
        1
    };
    b.text_wh("header", header, (header_width, 2), true)?;
    b.text("service_name", &t.service_name, 1, true)?;
    b.text("number", &t.number, width.number_size(), true)?;
    let flags = flags_line(t);
    if !flags.is_empty() {
        b.text("flags", &flags, 1, true)?;
    }
    b.rule()?;

    b.align(JustifyMode::LEFT)?;
    b.text(
        "waiting_ahead",
        &format!("前面等候：{} 人", t.waiting_ahead),
        1,
        false,
    )?;
    b.text(
        "estimated_wait",
        &format!("预计等候：约 {} 分钟", t.estimated_wait_minutes),
        1,
        false,
    )?;
    if !t.windows.is_empty() {
        b.text("windows", &windows_text(&t.windows), 1, false)?;
    }
    b.text("issued_at", &format!("取号时间：{}", t.issued_at), 1, false)?;
    if let Some(id) = t.id_last4.as_deref().filter(|s| !s.is_empty()) {
        b.text("id_last4", &format!("证件尾号：{}", last4(id)), 1, false)?;
    }
    b.rule()?;

    b.align(JustifyMode::CENTER)?;
    b.text("notice", "请留意大厅屏幕和语音叫号", 1, false)?;
    if let Some(qr) = t.qr.as_deref().filter(|s| !s.is_empty()) {
        if !qr.is_ascii() {
            return Err(TicketError::Qr(
                "only ASCII content (a URL) is allowed in the QR code".to_owned(),
            ));
        }
        let module = layout.qr_module.unwrap_or(width.qr_module());
        let option = QRCodeOption::new(QRCodeModel::Model2, module, QRCodeCorrectionLevel::M);
        b.printer.qrcode_option(qr, option)?;
        b.text("qr_caption", "扫码查看排队进度", 1, false)?;
    }
    if let Some(footer) = layout.footer.as_deref() {
        for line in footer.lines().filter(|l| !l.trim().is_empty()) {
            b.text("footer", line, 1, false)?;
        }
    }
    b.printer
        .feeds(layout.feed_before_cut)?
        .custom(&layout.cut)?
        .print()?;
    let bytes = b
        .printer
        .driver()
        .0
        .lock()
        .map_err(|_| TicketError::Builder("capture buffer poisoned".to_owned()))?
        .clone();
    Ok(bytes)
}

/// The ticket `hallq printer test` prints.
pub fn test_ticket(hall_name: &str, issued_at: &str) -> TicketPrint {
    TicketPrint {
        hall_name: hall_name.to_owned(),
        service_name: "打印机测试".to_owned(),
        number: "T001".to_owned(),
        waiting_ahead: 0,
        estimated_wait_minutes: 0,
        windows: vec![1],
        issued_at: issued_at.to_owned(),
        id_last4: None,
        reprint: false,
        priority: false,
        appointment: false,
        qr: Some("https://hallq.invalid/printer-test".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::escpos_decode::{Align, Cut, decode_all};

    fn ticket() -> TicketPrint {
        TicketPrint {
            hall_name: "示范县政务服务中心".into(),
            service_name: "社保医保".into(),
            number: "B023".into(),
            waiting_ahead: 5,
            estimated_wait_minutes: 30,
            windows: vec![3, 4],
            issued_at: "2026-11-23 09:41".into(),
            id_last4: Some("12345X".into()),
            reprint: true,
            priority: true,
            appointment: false,
            qr: Some("https://hall.example.gov.cn/q?n=B023".into()),
        }
    }

    #[test]
    fn starts_with_init_and_chinese_mode_and_ends_with_partial_cut() {
        let bytes = encode_ticket(&ticket(), &TicketLayout::new(PaperWidth::Mm80)).unwrap();
        assert_eq!(&bytes[..4], &[0x1B, 0x40, 0x1C, 0x26]);
        assert_eq!(
            &bytes[bytes.len() - 7..],
            &[0x1B, 0x64, 0x04, 0x1D, 0x56, 0x42, 0x00]
        );
        // GBK, not UTF-8: 请 = C7 EB.
        assert!(bytes.windows(2).any(|w| w == [0xC7, 0xEB]));
        // Big number at 4×4 on 80 mm.
        assert!(bytes.windows(3).any(|w| w == [0x1D, 0x21, 0x33]));
        // QR model 2, 6 dots, level M.
        assert!(
            bytes
                .windows(9)
                .any(|w| w == [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00])
        );
        assert!(
            bytes
                .windows(8)
                .any(|w| w == [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06])
        );
        assert!(
            bytes
                .windows(8)
                .any(|w| w == [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31])
        );
    }

    #[test]
    fn round_trips_through_the_decoder() {
        let bytes = encode_ticket(&ticket(), &TicketLayout::new(PaperWidth::Mm58)).unwrap();
        let receipts = decode_all(&bytes).unwrap();
        assert_eq!(receipts.len(), 1);
        let r = &receipts[0];
        assert_eq!(r.cut, Some(Cut::FeedPartial(0)));
        let text = r.text();
        for needle in [
            "示范县政务",
            "社保医保",
            "B023",
            "【绿色通道】【补打】",
            "前面等候：5 人",
            "预计等候：约 30 分钟",
            "办理窗口：3、4号窗口",
            "取号时间：2026-11-23 09:41",
            "证件尾号：345X",
            "[QR https://hall.example.gov.cn/q?n=B023]",
        ] {
            assert!(text.contains(needle), "{needle} not in\n{text}");
        }
        assert!(!text.contains("12345X"));
        let number = r.lines().find(|l| l.text == "B023").unwrap();
        assert_eq!(
            (number.width, number.height, number.align),
            (3, 3, Align::Center)
        );
        // 58 mm: 32 columns, so no line is wider.
        for l in r.lines() {
            assert!(gbk::columns(&l.text) * usize::from(l.width) <= 32, "{l:?}");
        }
    }

    #[test]
    fn header_footer_and_full_cut_from_layout() {
        let mut layout = TicketLayout::new(PaperWidth::Mm80);
        layout.header = Some("便民服务中心".into());
        layout.footer = Some("谢谢惠顾¥\n第二行".into());
        layout.cut = FULL_CUT.to_vec();
        let mut t = ticket();
        t.qr = None;
        let bytes = encode_ticket(&t, &layout).unwrap();
        let r = &decode_all(&bytes).unwrap()[0];
        assert_eq!(r.lines().next().unwrap().text, "便民服务中心");
        assert!(r.text().contains("谢谢惠顾￥\n第二行\n"));
        assert!(r.qr_payloads().is_empty());
        assert_eq!(r.cut, Some(Cut::FeedFull(0)));
    }

    #[test]
    fn unprintable_text_is_an_error() {
        let mut t = ticket();
        t.service_name = "𠮷".into();
        let err = encode_ticket(&t, &TicketLayout::new(PaperWidth::Mm80)).unwrap_err();
        assert!(
            matches!(
                err,
                TicketError::Text {
                    field: "service_name",
                    ..
                }
            ),
            "{err}"
        );
        let mut t = ticket();
        t.qr = Some("https://例子.cn".into());
        assert!(matches!(
            encode_ticket(&t, &TicketLayout::new(PaperWidth::Mm80)),
            Err(TicketError::Qr(_))
        ));
    }
}
