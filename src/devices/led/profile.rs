//! Screen profiles (`hardware/displays/*.toml`, compiled in, or a `.toml` file given by path):
//! area geometry, effects and timing of one kind of screen.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::config::displays::ScreenProtocol;
use crate::protocol::onbon::{AreaParams, XUnits};

/// The profiles shipped with hallq. A new model: add `hardware/displays/NAME.toml` and a
/// line here (see `hardware/displays/README.md`).
const PROFILES: &[&str] = &[
    include_str!("../../../hardware/displays/onbon-bx5k1-64x16.toml"),
    include_str!("../../../hardware/displays/onbon-bx6k-96x16.toml"),
    include_str!("../../../hardware/displays/digits-modbus.toml"),
];

/// One kind of screen.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenProfile {
    pub name: String,
    pub description: String,
    pub protocol: ScreenProtocol,
    /// Wait for the reply after the frame's last byte is on the wire.
    #[serde(default = "default_ack_timeout_ms")]
    pub ack_timeout_ms: u64,
    /// Attempts after the first when a frame is not acknowledged.
    #[serde(default = "default_retries")]
    pub retries: u32,
    #[serde(default)]
    pub onbon: Option<OnbonProfile>,
    #[serde(default)]
    pub digits: Option<DigitsProfile>,
}

/// `[onbon]`: the dynamic area a window screen uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnbonProfile {
    pub units: XUnits,
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
    #[serde(default)]
    pub area_id: u8,
    #[serde(default)]
    pub run_mode: u8,
    #[serde(default = "default_area_timeout")]
    pub timeout_secs: u16,
    #[serde(default)]
    pub alignment: u8,
    #[serde(default = "default_single_line")]
    pub single_line: u8,
    #[serde(default = "default_auto_newline")]
    pub auto_newline: u8,
    /// Effect of steady text that fits the area.
    pub steady_effect: u8,
    /// Effect of steady text wider than the area (e.g. 3 = scroll left).
    pub overflow_effect: u8,
    /// Effect while a call flashes.
    pub flash_effect: u8,
    /// Hold time while a call flashes.
    pub flash_hold: u8,
    #[serde(default)]
    pub speed: u8,
    pub hold: u8,
}

/// `[digits]`: a numeric display with hallq's register layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigitsProfile {
    /// Characters on the display (registers `0..digits` hold one ASCII character each).
    pub digits: u16,
}

fn default_ack_timeout_ms() -> u64 {
    300
}
fn default_retries() -> u32 {
    2
}
fn default_area_timeout() -> u16 {
    5
}
fn default_single_line() -> u8 {
    0x02
}
fn default_auto_newline() -> u8 {
    0x01
}

/// Why a profile cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("unknown screen profile \"{name}\" (known: {known}; or a path to a .toml file)")]
    Unknown { name: String, known: String },
    #[error("cannot read screen profile {path}: {message}")]
    Read { path: String, message: String },
    #[error("screen profile {name}: {message}")]
    Invalid { name: String, message: String },
}

impl ScreenProfile {
    pub fn ack_timeout(&self) -> Duration {
        Duration::from_millis(self.ack_timeout_ms)
    }

    /// The area parameters for steady (`flash == false`) or flashing text `columns` wide
    /// (1 per ASCII character, 2 per Hanzi).
    pub fn onbon_area(&self, flash: bool, columns: usize) -> Option<AreaParams> {
        let o = self.onbon.as_ref()?;
        // A font as high as the area: ASCII is half as wide as it is high.
        let text_px = columns.saturating_mul(usize::from(o.height / 2));
        let (effect, hold) = if flash {
            (o.flash_effect, o.flash_hold)
        } else if text_px > usize::from(o.width) {
            (o.overflow_effect, o.hold)
        } else {
            (o.steady_effect, o.hold)
        };
        Some(AreaParams {
            id: o.area_id,
            x: o.x,
            y: o.y,
            width: o.width,
            height: o.height,
            units: o.units,
            line_spacing: 0,
            run_mode: o.run_mode,
            timeout_secs: o.timeout_secs,
            alignment: o.alignment,
            single_line: o.single_line,
            auto_newline: o.auto_newline,
            effect,
            exit_effect: 0,
            speed: o.speed,
            hold,
        })
    }

    fn validate(self) -> Result<Self, ProfileError> {
        let bad = |message: String| ProfileError::Invalid {
            name: self.name.clone(),
            message,
        };
        if !(20..=5000).contains(&self.ack_timeout_ms) {
            return Err(bad(format!(
                "ack_timeout_ms {} is out of range: use 20 to 5000",
                self.ack_timeout_ms
            )));
        }
        if self.retries > 5 {
            return Err(bad(format!(
                "retries {} is out of range: use 0 to 5",
                self.retries
            )));
        }
        match self.protocol {
            ScreenProtocol::Onbon => {
                let o = self
                    .onbon
                    .as_ref()
                    .ok_or_else(|| bad("protocol \"onbon\" needs an [onbon] table".into()))?;
                if o.width == 0 || o.height == 0 {
                    return Err(bad("width and height must not be 0".into()));
                }
                if o.units == XUnits::Bytes8 && (o.x % 8 != 0 || o.width % 8 != 0) {
                    return Err(bad(
                        "with units = \"bytes8\" (BX-5K), x and width must be multiples of 8"
                            .into(),
                    ));
                }
                if o.units == XUnits::PixelsBit15 && (o.x | o.width) & 0x8000 != 0 {
                    return Err(bad("x and width must be below 32768".into()));
                }
            }
            ScreenProtocol::Digits => {
                let d = self
                    .digits
                    .as_ref()
                    .ok_or_else(|| bad("protocol \"digits\" needs a [digits] table".into()))?;
                if !(1..=16).contains(&d.digits) {
                    return Err(bad("digits must be 1 to 16".into()));
                }
            }
        }
        Ok(self)
    }
}

/// Every shipped profile (one that does not parse is a build bug, caught by the tests).
pub fn all() -> Vec<ScreenProfile> {
    PROFILES
        .iter()
        .filter_map(|text| toml::from_str::<ScreenProfile>(text).ok())
        .collect()
}

pub fn names() -> Vec<String> {
    all().into_iter().map(|p| p.name).collect()
}

/// A shipped profile by name, or a profile file by path (anything with `/` or `.toml`).
pub fn load(name_or_path: &str) -> Result<ScreenProfile, ProfileError> {
    if let Some(p) = all().into_iter().find(|p| p.name == name_or_path) {
        return p.validate();
    }
    if !(name_or_path.contains('/') || name_or_path.ends_with(".toml")) {
        return Err(ProfileError::Unknown {
            name: name_or_path.into(),
            known: names().join(", "),
        });
    }
    let path = Path::new(name_or_path);
    let text = std::fs::read_to_string(path).map_err(|e| ProfileError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let profile: ScreenProfile = toml::from_str(&text).map_err(|e| ProfileError::Invalid {
        name: path.display().to_string(),
        message: e.message().to_owned(),
    })?;
    profile.validate()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_profiles_parse_and_validate() {
        assert_eq!(all().len(), PROFILES.len());
        for name in names() {
            assert!(load(&name).is_ok(), "{name}");
        }
        assert_eq!(
            names(),
            vec!["onbon-bx5k1-64x16", "onbon-bx6k-96x16", "digits-modbus"]
        );
        assert!(matches!(load("nope"), Err(ProfileError::Unknown { .. })));
        assert!(matches!(
            load("/nonexistent/x.toml"),
            Err(ProfileError::Read { .. })
        ));
    }

    #[test]
    fn effect_follows_flash_and_width() {
        let p = load("onbon-bx5k1-64x16").unwrap();
        // 64 px at 16 px high: 8 columns fit, 15 do not.
        assert_eq!(p.onbon_area(false, 8).unwrap().effect, 1);
        assert_eq!(p.onbon_area(false, 15).unwrap().effect, 3);
        let flash = p.onbon_area(true, 8).unwrap();
        assert_eq!((flash.effect, flash.hold), (2, 1));
        assert!(
            load("digits-modbus")
                .unwrap()
                .onbon_area(false, 1)
                .is_none()
        );
    }

    #[test]
    fn profile_file_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        let text = PROFILES[0]
            .replace("onbon-bx5k1-64x16", "mine")
            .replace("width = 64", "width = 60");
        std::fs::write(&path, text).unwrap();
        let err = load(path.to_str().unwrap()).unwrap_err().to_string();
        assert!(err.contains("multiples of 8"), "{err}");
    }
}
