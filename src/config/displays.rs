//! `[displays]`: the LED window screens (窗口屏) and numeric displays (数码管) driven by
//! `hallq serve`, their texts and their serial buses.
//!
//! ```toml
//! [displays]
//! flash_seconds = 10
//! [displays.templates]
//! call = "请{number}到{window}号窗口"
//! idle = "{window_name} 欢迎光临"
//! [[displays.screens]]
//! window = 3
//! protocol = "onbon"
//! port = "/dev/hallq/led"
//! address = 3
//! profile = "onbon-bx5k1-64x16"
//! ```
//!
//! Screens with the same `port` share one RS-485 bus (and one owner thread); LED screens
//! never share the keypads' Modbus bus.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::error::Problem;
use crate::devices::led::profile;
use crate::protocol::onbon;

/// `[displays]`
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisplaysConfig {
    #[serde(default)]
    pub templates: DisplayTemplates,
    /// How long a call flashes before it stays steady.
    #[serde(default = "default_flash_seconds")]
    pub flash_seconds: u32,
    #[serde(default)]
    pub screens: Vec<ScreenConfig>,
}

/// `[displays.templates]`: placeholders `{number}`, `{window}`, `{window_name}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisplayTemplates {
    #[serde(default = "default_call")]
    pub call: String,
    #[serde(default = "default_idle")]
    pub idle: String,
    #[serde(default = "default_paused")]
    pub paused: String,
    #[serde(default = "default_paused")]
    pub signed_out: String,
}

impl Default for DisplayTemplates {
    fn default() -> Self {
        DisplayTemplates {
            call: default_call(),
            idle: default_idle(),
            paused: default_paused(),
            signed_out: default_paused(),
        }
    }
}

/// How a screen is spoken to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScreenProtocol {
    /// Onbon/仰邦 BX-5K/6K font card (`A3 06` dynamic area).
    Onbon,
    /// Numeric display (数码管) over Modbus RTU, see `hardware/displays/README.md`.
    Digits,
}

impl ScreenProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            ScreenProtocol::Onbon => "onbon",
            ScreenProtocol::Digits => "digits",
        }
    }

    /// The profile used when `profile` is left out.
    pub fn default_profile(self) -> &'static str {
        match self {
            ScreenProtocol::Onbon => "onbon-bx5k1-64x16",
            ScreenProtocol::Digits => "digits-modbus",
        }
    }
}

/// `[[displays.screens]]`
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenConfig {
    pub window: u16,
    pub protocol: ScreenProtocol,
    /// Serial device of the bus, e.g. `/dev/hallq/led` (a udev symlink).
    pub port: PathBuf,
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// Onbon screen address (set with the vendor tool), or the Modbus slave address.
    #[serde(default = "default_address")]
    pub address: u16,
    /// An embedded profile (`hardware/displays/NAME.toml`) or a path to a `.toml` file.
    #[serde(default)]
    pub profile: Option<String>,
}

impl ScreenConfig {
    pub fn profile_name(&self) -> &str {
        self.profile
            .as_deref()
            .unwrap_or(self.protocol.default_profile())
    }
}

/// Baud rates a screen bus may use.
pub const BAUDS: &[u32] = &[9600, 19200, 38400, 57600, 115_200];
/// Placeholders allowed in the templates.
pub const PLACEHOLDERS: &[&str] = &["number", "window", "window_name"];

fn default_flash_seconds() -> u32 {
    10
}
fn default_call() -> String {
    "请{number}到{window}号窗口".into()
}
fn default_idle() -> String {
    "{window_name} 欢迎光临".into()
}
fn default_paused() -> String {
    "暂停服务".into()
}
fn default_baud() -> u32 {
    9600
}
fn default_address() -> u16 {
    1
}

/// Fills a template. Unknown placeholders stay as they are (validation refuses them).
pub fn render(template: &str, number: &str, window: u16, window_name: &str) -> String {
    template
        .replace("{number}", number)
        .replace("{window_name}", window_name)
        .replace("{window}", &window.to_string())
}

fn check_template(path: &str, template: &str, out: &mut Vec<Problem>) {
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push(Problem::new(path, "unclosed `{` in the template"));
            return;
        };
        let name = &after[..end];
        if !PLACEHOLDERS.contains(&name) {
            out.push(Problem::new(
                path,
                format!(
                    "unknown placeholder {{{name}}} (known: {{number}}, {{window}}, {{window_name}})"
                ),
            ));
            return;
        }
        rest = &after[end + 1..];
    }
    // Placeholder values are checked where they are configured (window names) or generated.
    let literal = render(template, "", 0, "");
    if let Some(c) = onbon::first_non_gb2312(&literal) {
        out.push(Problem::new(
            path,
            format!(
                "character \"{c}\" (U+{:04X}) cannot be shown: LED screens only have GB2312 characters (no line breaks)",
                u32::from(c)
            ),
        ));
    }
}

/// Problems in `[displays]`; `windows` are the numbers of the configured windows.
pub fn check(d: &DisplaysConfig, windows: &[u16], out: &mut Vec<Problem>) {
    let t = &d.templates;
    check_template("displays.templates.call", &t.call, out);
    check_template("displays.templates.idle", &t.idle, out);
    check_template("displays.templates.paused", &t.paused, out);
    check_template("displays.templates.signed_out", &t.signed_out, out);
    if d.flash_seconds > 600 {
        out.push(Problem::new(
            "displays.flash_seconds",
            format!("{} s is out of range: use 0 to 600", d.flash_seconds),
        ));
    }
    let mut bus_baud: HashMap<&PathBuf, u32> = HashMap::new();
    let mut seen: HashMap<(&PathBuf, ScreenProtocol, u16), usize> = HashMap::new();
    let mut per_port: HashMap<&PathBuf, usize> = HashMap::new();
    for s in &d.screens {
        *per_port.entry(&s.port).or_default() += 1;
    }
    for (i, s) in d.screens.iter().enumerate() {
        let at = |key: &str| format!("displays.screens[{i}].{key}");
        if !windows.contains(&s.window) {
            out.push(Problem::new(
                at("window"),
                format!("window {} is not configured in [[windows]]", s.window),
            ));
        }
        if s.port.as_os_str().is_empty() {
            out.push(Problem::new(
                at("port"),
                "must be a serial device, e.g. \"/dev/hallq/led\"",
            ));
        }
        if !BAUDS.contains(&s.baud) {
            out.push(Problem::new(
                at("baud"),
                format!(
                    "{} is not a supported baud rate: use 9600, 19200, 38400, 57600 or 115200",
                    s.baud
                ),
            ));
        } else if let Some(&other) = bus_baud.get(&s.port)
            && other != s.baud
        {
            out.push(Problem::new(
                at("baud"),
                format!(
                    "{} baud differs from another screen on {} ({other}): one bus has one speed",
                    s.baud,
                    s.port.display()
                ),
            ));
        } else {
            bus_baud.insert(&s.port, s.baud);
        }
        match s.protocol {
            ScreenProtocol::Onbon => {
                if s.address == 0 || s.address == 0xFFFF {
                    out.push(Problem::new(
                        at("address"),
                        format!(
                            "{} is not a screen address: use 1 to 65534 (set on the card with the vendor tool)",
                            s.address
                        ),
                    ));
                } else if s.address == onbon::BROADCAST && per_port[&s.port] > 1 {
                    out.push(Problem::new(
                        at("address"),
                        "65534 (0xFFFE) reaches every screen: use it only alone on a bus",
                    ));
                }
            }
            ScreenProtocol::Digits => {
                if !(1..=247).contains(&s.address) {
                    out.push(Problem::new(
                        at("address"),
                        format!("{} is not a Modbus address: use 1 to 247", s.address),
                    ));
                }
            }
        }
        if let Some(first) = seen.insert((&s.port, s.protocol, s.address), i) {
            out.push(Problem::new(
                at("address"),
                format!(
                    "address {} on {} is already used by displays.screens[{first}]",
                    s.address,
                    s.port.display()
                ),
            ));
        }
        match profile::load(s.profile_name()) {
            Ok(p) if p.protocol != s.protocol => out.push(Problem::new(
                at("profile"),
                format!(
                    "profile \"{}\" is for protocol \"{}\", not \"{}\"",
                    p.name,
                    p.protocol.as_str(),
                    s.protocol.as_str()
                ),
            )),
            Ok(_) => {}
            Err(e) => out.push(Problem::new(at("profile"), e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen(window: u16, address: u16) -> ScreenConfig {
        ScreenConfig {
            window,
            protocol: ScreenProtocol::Onbon,
            port: "/dev/ttyUSB0".into(),
            baud: 9600,
            address,
            profile: None,
        }
    }

    #[test]
    fn defaults_from_toml() {
        let d: DisplaysConfig = toml::from_str(
            "[[screens]]\nwindow = 3\nprotocol = \"onbon\"\nport = \"/dev/ttyUSB0\"\n",
        )
        .unwrap();
        assert_eq!(d.flash_seconds, 10);
        assert_eq!(d.templates.call, "请{number}到{window}号窗口");
        assert_eq!(d.screens[0].baud, 9600);
        assert_eq!(d.screens[0].address, 1);
        assert_eq!(d.screens[0].profile_name(), "onbon-bx5k1-64x16");
        let mut out = Vec::new();
        check(&d, &[3], &mut out);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn renders_placeholders() {
        assert_eq!(
            render("请{number}到{window}号窗口", "A023", 3, "社保"),
            "请A023到3号窗口"
        );
        assert_eq!(
            render("{window_name} 欢迎光临", "", 3, "社保"),
            "社保 欢迎光临"
        );
    }

    #[test]
    fn finds_every_problem() {
        let mut d = DisplaysConfig {
            flash_seconds: 9999,
            ..Default::default()
        };
        d.templates.call = "请{num}到窗口".into();
        d.templates.idle = "欢迎光临\n".into();
        d.templates.paused = "暂停服务 镕".into();
        let mut s1 = screen(3, 1);
        s1.baud = 4800;
        let s2 = screen(4, 1);
        let mut s3 = screen(9, 0);
        s3.profile = Some("nope".into());
        let mut s4 = screen(3, 2);
        s4.protocol = ScreenProtocol::Digits;
        s4.address = 300;
        d.screens = vec![s1, s2, s3, s4];
        let mut out = Vec::new();
        check(&d, &[3, 4], &mut out);
        let paths: Vec<_> = out.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "displays.templates.call",
                "displays.templates.idle",
                "displays.templates.paused",
                "displays.flash_seconds",
                "displays.screens[0].baud",
                "displays.screens[1].address",
                "displays.screens[2].window",
                "displays.screens[2].address",
                "displays.screens[2].profile",
                "displays.screens[3].address",
            ],
            "{out:#?}"
        );
        assert!(out[2].message.contains("镕"));
    }
}
