//! Printer model profiles (`hardware/printers/*.toml`, compiled in) and the settings a
//! printer runs with: `[printer]` over the model's profile over the defaults.

use std::time::Duration;

use serde::Deserialize;

use crate::config::{CutName, PrinterBackend, PrinterConfig, parse_cut_bytes};
use crate::protocol::ticket::{FULL_CUT, PARTIAL_CUT, PaperWidth, TicketLayout};

use super::PrinterError;

/// The profiles shipped with hallq. A new model: add `hardware/printers/NAME.toml` and a
/// line here (see `hardware/printers/README.md`).
const PROFILES: &[&str] = &[
    include_str!("../../../hardware/printers/generic-80.toml"),
    include_str!("../../../hardware/printers/generic-58.toml"),
];

/// One model family.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterProfile {
    pub name: String,
    pub description: String,
    pub width_mm: u16,
    /// The cut command in hex.
    pub cut_bytes: String,
    /// Answers `DLE EOT`.
    pub status: bool,
    /// Prints QR codes with `GS ( k`.
    pub qr: bool,
    #[serde(default)]
    pub qr_module: Option<u8>,
    pub settle_ms: u64,
}

/// Every shipped profile (a profile that does not parse is a build-time bug, caught by tests).
pub fn all() -> Vec<PrinterProfile> {
    PROFILES
        .iter()
        .filter_map(|text| toml::from_str(text).ok())
        .collect()
}

pub fn names() -> Vec<String> {
    all().into_iter().map(|p| p.name).collect()
}

pub fn find(name: &str) -> Option<PrinterProfile> {
    all().into_iter().find(|p| p.name == name)
}

/// What the worker runs with.
#[derive(Clone, Debug)]
pub struct Settings {
    pub layout: TicketLayout,
    /// Print the QR code (the model supports `GS ( k`).
    pub qr: bool,
    /// Ask `DLE EOT` (else: write-only, see the module docs of [`super`]).
    pub status: bool,
    pub status_timeout: Duration,
    pub write_timeout: Duration,
    pub poll: Duration,
    pub settle: Duration,
}

/// Merges `[printer]` with its model's profile.
pub fn resolve(config: &PrinterConfig) -> Result<Settings, PrinterError> {
    let profile = match &config.model {
        Some(name) => Some(
            find(name).ok_or_else(|| PrinterError::Config(format!("unknown model \"{name}\"")))?,
        ),
        None => None,
    };
    let width_mm = config
        .width_mm
        .or(profile.as_ref().map(|p| p.width_mm))
        .unwrap_or(80);
    let width = PaperWidth::from_mm(width_mm)
        .ok_or_else(|| PrinterError::Config(format!("unsupported width {width_mm} mm")))?;
    let cut = match (&config.cut_bytes, config.cut, &profile) {
        (Some(hex), _, _) => parse_cut_bytes(hex).map_err(PrinterError::Config)?,
        (None, Some(CutName::Full), _) => FULL_CUT.to_vec(),
        (None, Some(CutName::Partial), _) => PARTIAL_CUT.to_vec(),
        (None, None, Some(p)) => parse_cut_bytes(&p.cut_bytes).map_err(PrinterError::Config)?,
        (None, None, None) => PARTIAL_CUT.to_vec(),
    };
    let mut layout = TicketLayout::new(width);
    layout.header = config.header.clone();
    layout.footer = config.footer.clone();
    layout.cut = cut;
    layout.qr_module = profile.as_ref().and_then(|p| p.qr_module);
    let default_settle = match config.backend {
        PrinterBackend::Sim => 50,
        _ => 1500,
    };
    Ok(Settings {
        layout,
        qr: profile.as_ref().is_none_or(|p| p.qr),
        status: profile.as_ref().is_none_or(|p| p.status),
        status_timeout: Duration::from_millis(config.status_timeout_ms),
        write_timeout: Duration::from_millis(config.write_timeout_ms),
        poll: Duration::from_secs(config.poll_secs.max(1)),
        // The simulator prints at once, whatever model it stands in for.
        settle: Duration::from_millis(match (config.settle_ms, config.backend, &profile) {
            (Some(ms), _, _) => ms,
            (None, PrinterBackend::Sim, _) => default_settle,
            (None, _, Some(p)) => p.settle_ms,
            (None, _, None) => default_settle,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_profile_parses_and_is_valid() {
        assert_eq!(all().len(), PROFILES.len());
        for p in all() {
            assert!(PaperWidth::from_mm(p.width_mm).is_some(), "{}", p.name);
            assert!(parse_cut_bytes(&p.cut_bytes).is_ok(), "{}", p.name);
        }
        assert_eq!(names(), vec!["generic-80", "generic-58"]);
    }

    #[test]
    fn config_wins_over_profile() {
        let mut c = PrinterConfig::new(PrinterBackend::Serial);
        c.model = Some("generic-58".into());
        let s = resolve(&c).unwrap();
        assert_eq!(s.layout.width, PaperWidth::Mm58);
        assert_eq!(s.layout.cut, PARTIAL_CUT);
        assert_eq!(s.settle, Duration::from_millis(1500));
        c.width_mm = Some(80);
        c.cut = Some(CutName::Full);
        c.settle_ms = Some(20);
        let s = resolve(&c).unwrap();
        assert_eq!(
            (s.layout.width, s.layout.cut.as_slice()),
            (PaperWidth::Mm80, &FULL_CUT[..])
        );
        assert_eq!(s.settle, Duration::from_millis(20));
        c.cut_bytes = Some("1D 56 01".into());
        assert_eq!(resolve(&c).unwrap().layout.cut, vec![0x1D, 0x56, 0x01]);
        c.model = Some("nope".into());
        assert!(resolve(&c).is_err());
    }
}
