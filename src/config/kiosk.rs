//! `[kiosk]`: how the ticket kiosk looks and behaves.

use std::collections::HashSet;

use serde::Deserialize;

use super::error::Problem;
use super::model::HallConfig;

/// `[kiosk]`
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskConfig {
    /// Screen orientation: portrait 1080x1920 (default) or landscape 1280x800.
    #[serde(default)]
    pub orientation: Orientation,
    /// The result page returns home after this many seconds.
    #[serde(default = "default_result_timeout")]
    pub result_timeout_seconds: u32,
    /// Any other page returns home after this many seconds without a touch.
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_seconds: u32,
    /// Start (and return after idle) in elderly mode (长辈模式).
    #[serde(default)]
    pub elderly_default: bool,
    /// Service groups on the home page; empty = one group with every service.
    #[serde(default)]
    pub groups: Vec<KioskGroup>,
    /// Argon2 PHC hash of the staff PIN that unlocks a priority ticket (`hallq hash-pin`);
    /// absent = no staff button. The hall server verifies the PIN.
    #[serde(default)]
    pub priority_pin_hash: Option<String>,
    /// Emit voice guidance prompts at each step.
    #[serde(default = "default_true")]
    pub voice_prompts: bool,
}

impl Default for KioskConfig {
    fn default() -> Self {
        KioskConfig {
            orientation: Orientation::Portrait,
            result_timeout_seconds: default_result_timeout(),
            idle_timeout_seconds: default_idle_timeout(),
            elderly_default: false,
            groups: Vec::new(),
            priority_pin_hash: None,
            voice_prompts: true,
        }
    }
}

/// `orientation = "portrait" | "landscape"`
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    #[default]
    Portrait,
    Landscape,
}

impl Orientation {
    pub fn parse(text: &str) -> Option<Orientation> {
        match text.trim() {
            "portrait" => Some(Orientation::Portrait),
            "landscape" => Some(Orientation::Landscape),
            _ => None,
        }
    }

    /// The window size in logical pixels.
    pub fn size(self) -> (u32, u32) {
        match self {
            Orientation::Portrait => (1080, 1920),
            Orientation::Landscape => (1280, 800),
        }
    }
}

/// `{ name = "社保医保类", services = ["B"] }`
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskGroup {
    pub name: String,
    pub services: Vec<String>,
}

fn default_result_timeout() -> u32 {
    15
}
fn default_idle_timeout() -> u32 {
    60
}
fn default_true() -> bool {
    true
}

/// Problems in `[kiosk]`.
pub(super) fn check(config: &HallConfig, out: &mut Vec<Problem>) {
    let kiosk = &config.kiosk;
    if kiosk.result_timeout_seconds < 3 || kiosk.result_timeout_seconds > 600 {
        out.push(Problem::new(
            "kiosk.result_timeout_seconds",
            "must be from 3 to 600 seconds",
        ));
    }
    if kiosk.idle_timeout_seconds < 10 || kiosk.idle_timeout_seconds > 3600 {
        out.push(Problem::new(
            "kiosk.idle_timeout_seconds",
            "must be from 10 to 3600 seconds",
        ));
    }
    let known: HashSet<&str> = config.services.iter().map(|s| s.id.as_str()).collect();
    let mut names = HashSet::new();
    for (i, group) in kiosk.groups.iter().enumerate() {
        let path = format!("kiosk.groups[{i}]");
        if group.name.trim().is_empty() {
            out.push(Problem::new(format!("{path}.name"), "must not be empty"));
        } else if !names.insert(group.name.trim()) {
            out.push(Problem::new(
                format!("{path}.name"),
                format!("group \"{}\" is listed twice", group.name),
            ));
        }
        if group.services.is_empty() {
            out.push(Problem::new(
                format!("{path}.services"),
                "a group needs at least one service",
            ));
        }
        for (j, service) in group.services.iter().enumerate() {
            if !known.contains(service.as_str()) {
                out.push(Problem::new(
                    format!("{path}.services[{j}]"),
                    format!("unknown service \"{service}\" (not in [[services]])"),
                ));
            }
        }
    }
    if let Some(hash) = &kiosk.priority_pin_hash
        && !crate::kiosk::pin::is_pin_hash(hash)
    {
        out.push(Problem::new(
            "kiosk.priority_pin_hash",
            "expected an argon2 hash like \"$argon2id$v=19$...\" (make one with `hallq hash-pin`)",
        ));
    }
}
