//! `[printer]`: the kiosk's ticket printer (backend, port, paper width, cut, ticket text).

use std::path::PathBuf;

use serde::Deserialize;

use super::error::Problem;
use crate::protocol::escpos_decode::{Command, parse_command};
use crate::protocol::gbk;

/// `[printer]`
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterConfig {
    pub backend: PrinterBackend,
    /// Device or file: `/dev/hallq/printer`, `/dev/usb/lp0`, an output file.
    #[serde(default)]
    pub path: Option<PathBuf>,
    #[serde(default = "default_baud")]
    pub baud: u32,
    #[serde(default)]
    pub flow_control: FlowControlName,
    /// `tcp`: the printer's address (raw port 9100).
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default = "default_port")]
    pub port: u16,
    /// 58 or 80; default: the model's width, else 80.
    #[serde(default)]
    pub width_mm: Option<u16>,
    /// `partial` (`1D 56 42 00`) or `full` (`1D 56 41 00`); default: the model's cut.
    #[serde(default)]
    pub cut: Option<CutName>,
    /// Raw cut command in hex, e.g. `"1D 56 01"`; wins over `cut`.
    #[serde(default)]
    pub cut_bytes: Option<String>,
    /// A profile under `hardware/printers/`, e.g. `"generic-80"`.
    #[serde(default)]
    pub model: Option<String>,
    /// QR content template, e.g. `"https://hall.example.gov.cn/q?n={number}&d={date}"`.
    #[serde(default)]
    pub qr_url: Option<String>,
    #[serde(default)]
    pub footer: Option<String>,
    /// Printed instead of the hall name.
    #[serde(default)]
    pub header: Option<String>,
    #[serde(default)]
    pub on_failure: OnFailure,
    /// Time to wait for each `DLE EOT` reply (300–500 ms is typical).
    #[serde(default = "default_status_timeout_ms")]
    pub status_timeout_ms: u64,
    /// Give up a write after this long (an out-of-paper USB printer stops reading).
    #[serde(default = "default_write_timeout_ms")]
    pub write_timeout_ms: u64,
    /// Seconds between status checks while idle.
    #[serde(default = "default_poll_secs")]
    pub poll_secs: u64,
    /// Wait after a job before asking "did it print?"; default: the model's value.
    #[serde(default)]
    pub settle_ms: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrinterBackend {
    Serial,
    Usblp,
    Tcp,
    File,
    Sim,
}

impl PrinterBackend {
    pub fn as_str(self) -> &'static str {
        match self {
            PrinterBackend::Serial => "serial",
            PrinterBackend::Usblp => "usblp",
            PrinterBackend::Tcp => "tcp",
            PrinterBackend::File => "file",
            PrinterBackend::Sim => "sim",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowControlName {
    #[default]
    None,
    Hardware,
    Software,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CutName {
    Partial,
    Full,
}

/// What the kiosk does when the printer cannot print.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    /// Issuing is blocked until the printer is ready.
    #[default]
    Block,
    /// The number is shown on screen only and recorded as not printed.
    ShowNumber,
}

fn default_baud() -> u32 {
    9600
}
fn default_port() -> u16 {
    9100
}
fn default_status_timeout_ms() -> u64 {
    400
}
fn default_write_timeout_ms() -> u64 {
    5000
}
fn default_poll_secs() -> u64 {
    10
}

/// Placeholders allowed in `qr_url`.
pub const QR_PLACEHOLDERS: &[&str] = &["number", "date", "service", "hall"];

impl PrinterConfig {
    /// A configuration with every default for `backend`.
    pub fn new(backend: PrinterBackend) -> Self {
        PrinterConfig {
            backend,
            path: None,
            baud: default_baud(),
            flow_control: FlowControlName::None,
            host: None,
            port: default_port(),
            width_mm: None,
            cut: None,
            cut_bytes: None,
            model: None,
            qr_url: None,
            footer: None,
            header: None,
            on_failure: OnFailure::Block,
            status_timeout_ms: default_status_timeout_ms(),
            write_timeout_ms: default_write_timeout_ms(),
            poll_secs: default_poll_secs(),
            settle_ms: None,
        }
    }

    /// The QR content for a ticket, from `qr_url`; values are percent-encoded.
    pub fn qr_content(
        &self,
        number: &str,
        date: &str,
        service: &str,
        hall: &str,
    ) -> Option<String> {
        let template = self.qr_url.as_deref()?;
        let mut out = template.to_owned();
        for (name, value) in [
            ("number", number),
            ("date", date),
            ("service", service),
            ("hall", hall),
        ] {
            out = out.replace(&format!("{{{name}}}"), &percent_encode(value));
        }
        Some(out)
    }

    /// `cut_bytes` parsed, if given and valid.
    pub fn parsed_cut_bytes(&self) -> Option<Result<Vec<u8>, String>> {
        self.cut_bytes.as_deref().map(parse_cut_bytes)
    }
}

fn percent_encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `"1D 56 42 00"` (spaces optional) → bytes, which must be exactly one ESC/POS cut command.
pub fn parse_cut_bytes(text: &str) -> Result<Vec<u8>, String> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = hex::decode(&digits)
        .map_err(|_| format!("\"{text}\" is not hex bytes like \"1D 56 42 00\""))?;
    match parse_command(&bytes) {
        Ok(Some((Command::Cut(_), used))) if used == bytes.len() => Ok(bytes),
        _ => Err(format!(
            "\"{text}\" is not one ESC/POS cut command (GS V: 1D 56 m, or 1D 56 41|42 n)"
        )),
    }
}

fn check_text(path: &str, text: &str, out: &mut Vec<Problem>) {
    for line in text.lines() {
        if let Some(c) = gbk::first_unprintable(line) {
            out.push(Problem::new(
                path,
                format!(
                    "character \"{c}\" (U+{:04X}) cannot be printed: ticket printers print only 2-byte GBK characters",
                    u32::from(c)
                ),
            ));
            return;
        }
    }
}

/// Problems in `[printer]` (paths only).
pub(super) fn check(p: &PrinterConfig, out: &mut Vec<Problem>) {
    let needs_path = matches!(
        p.backend,
        PrinterBackend::Serial | PrinterBackend::Usblp | PrinterBackend::File
    );
    if needs_path && p.path.as_ref().is_none_or(|x| x.as_os_str().is_empty()) {
        out.push(Problem::new(
            "printer.path",
            format!(
                "backend \"{}\" needs `path` (e.g. \"/dev/hallq/printer\")",
                p.backend.as_str()
            ),
        ));
    }
    if p.backend == PrinterBackend::Tcp && p.host.as_deref().is_none_or(|h| h.trim().is_empty()) {
        out.push(Problem::new(
            "printer.host",
            "backend \"tcp\" needs `host` (the printer's address; port defaults to 9100)",
        ));
    }
    if p.baud == 0 {
        out.push(Problem::new(
            "printer.baud",
            "must be a baud rate like 9600",
        ));
    }
    if let Some(w) = p.width_mm.filter(|w| ![58, 80].contains(w)) {
        out.push(Problem::new(
            "printer.width_mm",
            format!("{w} mm is not a supported paper width: use 58 or 80"),
        ));
    }
    if let Some(Err(e)) = p.parsed_cut_bytes() {
        out.push(Problem::new("printer.cut_bytes", e));
    }
    if let Some(model) = &p.model
        && crate::devices::printer::profile::find(model).is_none()
    {
        out.push(Problem::new(
            "printer.model",
            format!(
                "unknown printer model \"{model}\" (known: {}; see hardware/printers/)",
                crate::devices::printer::profile::names().join(", ")
            ),
        ));
    }
    if let Some(url) = &p.qr_url {
        check_qr_url(url, out);
    }
    if let Some(footer) = &p.footer {
        check_text("printer.footer", footer, out);
    }
    if let Some(header) = &p.header {
        if header.trim().is_empty() {
            out.push(Problem::new(
                "printer.header",
                "must not be empty (leave it out to print the hall name)",
            ));
        }
        check_text("printer.header", header, out);
    }
    if !(100..=5000).contains(&p.status_timeout_ms) {
        out.push(Problem::new(
            "printer.status_timeout_ms",
            format!(
                "{} ms is out of range: use 100 to 5000",
                p.status_timeout_ms
            ),
        ));
    }
    if !(100..=60_000).contains(&p.write_timeout_ms) {
        out.push(Problem::new(
            "printer.write_timeout_ms",
            format!(
                "{} ms is out of range: use 100 to 60000",
                p.write_timeout_ms
            ),
        ));
    }
    if !(1..=3600).contains(&p.poll_secs) {
        out.push(Problem::new(
            "printer.poll_secs",
            format!("{} s is out of range: use 1 to 3600", p.poll_secs),
        ));
    }
}

fn check_qr_url(url: &str, out: &mut Vec<Problem>) {
    if !url.is_ascii() || url.chars().any(|c| c.is_ascii_control() || c == ' ') {
        out.push(Problem::new(
            "printer.qr_url",
            "must be a URL in ASCII without spaces (placeholder values are percent-encoded)",
        ));
        return;
    }
    let mut rest = url;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push(Problem::new(
                "printer.qr_url",
                "unclosed `{` in the template",
            ));
            return;
        };
        let name = &after[..end];
        if !QR_PLACEHOLDERS.contains(&name) {
            out.push(Problem::new(
                "printer.qr_url",
                format!(
                    "unknown placeholder {{{name}}} (known: {})",
                    QR_PLACEHOLDERS
                        .iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        rest = &after[end + 1..];
    }
}
