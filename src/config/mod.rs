//! `hall.toml`: parsing, validation with key paths and line numbers, and conversion into
//! the engine's [`Rules`](crate::core::Rules).
//!
//! [`HallConfig::parse`] parses and validates; every problem is reported at once, each with
//! its key path (`windows[2].services`, 0-based indexes) and line. [`check_file`] is what
//! `hallq check-config FILE` prints.
//!
#![doc = include_str!("reference.md")]

pub mod bus;
mod buttons;
pub mod displays;
mod error;
mod hours;
mod kiosk;
mod locate;
mod model;
mod parse;
mod printer;
pub mod ratings;
mod rules;
pub mod upload;
mod validate;
pub mod voice;

use std::path::Path;

pub use bus::{BusConfig, ParityName};
pub use buttons::{BUTTON_PINS, ButtonAction, ButtonConfig, PullName};
pub use displays::DisplaysConfig;
pub use error::{ConfigErrors, Problem};
pub use kiosk::{KioskConfig, KioskGroup, Orientation};
pub use model::{
    AppointmentSection, ClockTime, DateValue, DeviceConfig, DeviceRole, HallConfig, HallSection,
    LatePolicyName, QueueSection, ServerSection, ServiceConfig, SessionConfig, SlotQuotaConfig,
    StaffConfig, TargetConfig, WeekdayName, WindowConfig, WindowService,
};
pub use printer::{
    CutName, FlowControlName, OnFailure, PrinterBackend, PrinterConfig, QR_PLACEHOLDERS,
    parse_cut_bytes,
};
pub use ratings::RatingsConfig;
pub use upload::UploadConfig;
pub use validate::{first_non_gbk_char, validate};
pub use voice::{VoiceConfig, VoiceZoneConfig};

/// The sample configuration shipped with hallq (`hall.example.toml`), used by `hallq demo`.
pub const EXAMPLE_TOML: &str = include_str!("../../hall.example.toml");

impl HallConfig {
    /// Parses and validates `hall.toml` text. `Err` holds every problem found: a TOML
    /// syntax error alone, otherwise every type error, or else every validation problem.
    pub fn parse(text: &str) -> Result<HallConfig, ConfigErrors> {
        let tree = parse::parse_tree(text).map_err(ConfigErrors::single)?;
        let root = tree.get_ref();
        let config = parse::build(text, root).map_err(|problems| ConfigErrors { problems })?;
        let mut problems = validate(&config);
        if problems.is_empty() {
            return Ok(config);
        }
        for p in &mut problems {
            p.line = locate::offset_of(root, &p.path).map(|o| locate::line_of(text, o));
        }
        problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
        Err(ConfigErrors { problems })
    }

    /// Reads and parses a file; an unreadable file is a problem too.
    pub fn load(path: &Path) -> Result<HallConfig, ConfigErrors> {
        let bytes = std::fs::read(path).map_err(|e| {
            ConfigErrors::single(Problem::new(
                "",
                format!("cannot read {}: {e}", path.display()),
            ))
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            ConfigErrors::single(
                Problem::new(
                    "",
                    format!(
                        "{} is not UTF-8 text: save it as UTF-8 (not GBK)",
                        path.display()
                    ),
                )
                .at_line(line),
            )
        })?;
        HallConfig::parse(&text)
    }

    /// The device that owns `token`, if any. Compares every token in constant time.
    pub fn device_by_token(&self, token: &str) -> Option<&DeviceConfig> {
        let mut found = None;
        for d in &self.devices {
            if !d.token.is_empty() && constant_time_eq(d.token.as_bytes(), token.as_bytes()) {
                found = Some(d);
            }
        }
        found
    }

    pub fn service(&self, id: &str) -> Option<&ServiceConfig> {
        self.services.iter().find(|s| s.id == id)
    }

    pub fn window(&self, number: u16) -> Option<&WindowConfig> {
        self.windows.iter().find(|w| w.number == number)
    }

    pub fn staff_member(&self, id: &str) -> Option<&StaffConfig> {
        self.staff.iter().find(|s| s.id == id)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What `hallq check-config FILE` prints (no trailing newline) and its exit code:
/// 0 when valid, 1 when not.
pub fn check_file(path: &Path) -> (String, i32) {
    let name = path.display();
    match HallConfig::load(path) {
        Ok(c) => (
            format!(
                "{name}: OK — \"{}\": {} services, {} windows, {} staff, {} devices",
                c.hall.name,
                c.services.len(),
                c.windows.len(),
                c.staff.len(),
                c.devices.len()
            ),
            0,
        ),
        Err(errors) => {
            let n = errors.problems.len();
            let plural = if n == 1 { "problem" } else { "problems" };
            (format!("{errors}\n{name}: {n} {plural} found"), 1)
        }
    }
}
