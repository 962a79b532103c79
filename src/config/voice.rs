//! `[voice]`: audio zones, their backends, and the wording shared by every zone.
//!
//! ```toml
//! [voice]
//! template = "请{number}号到{window}号窗口办理"
//! repeat = 2
//!
//! [[voice.zones]]
//! name = "大厅"
//! windows = []            # empty: every window
//! backend = "clips"       # clips | syn6288 | syn6658 | xfs5152 | sim | none
//! device = "default"      # clips: the output device's name
//! volume = 0.8
//! quiet_hours = [{ from = "12:00", to = "14:00", volume = 0.4 }]
//! ```

use std::collections::HashSet;
use std::path::PathBuf;

use serde::Deserialize;

use crate::config::{ClockTime, Problem};
use crate::protocol::syn;
use crate::voice::pack::{self, ClipIndex};
use crate::voice::wording::{Segment, Template};

/// `[voice]`
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceConfig {
    /// `[[voice.zones]]`; one `clips` zone for every window when absent.
    #[serde(default = "default_zones")]
    pub zones: Vec<VoiceZoneConfig>,
    /// What is said, with `{number}` and `{window}`.
    #[serde(default = "default_template")]
    pub template: String,
    /// How many times each call is said.
    #[serde(default = "default_repeat")]
    pub repeat: u8,
    /// Silence between two sayings.
    #[serde(default = "default_pause_ms")]
    pub pause_ms: u64,
    /// A chime before each call.
    #[serde(default = "default_true")]
    pub chime: bool,
    /// A call still waiting this long is dropped (and logged) instead of said late.
    #[serde(default = "default_max_age")]
    pub max_age_seconds: u64,
    /// Read 1 as 幺 in ticket numbers (A0幺2).
    #[serde(default)]
    pub one_as_yao: bool,
    /// `cardinal` (十二号窗口) or `digits` (一二号窗口).
    #[serde(default)]
    pub window_numbers: WindowNumbers,
}

impl Default for VoiceConfig {
    fn default() -> Self {
        VoiceConfig {
            zones: default_zones(),
            template: default_template(),
            repeat: default_repeat(),
            pause_ms: default_pause_ms(),
            chime: true,
            max_age_seconds: default_max_age(),
            one_as_yao: false,
            window_numbers: WindowNumbers::Cardinal,
        }
    }
}

/// `[[voice.zones]]`: one announcer with its own speakers.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceZoneConfig {
    #[serde(default = "default_zone_name")]
    pub name: String,
    /// Windows whose calls this zone announces; empty: every window.
    #[serde(default)]
    pub windows: Vec<u16>,
    #[serde(default)]
    pub backend: VoiceBackend,
    /// `clips`: the output device's name (`hallq voice devices` lists them); default: the
    /// system's default device.
    #[serde(default)]
    pub device: Option<String>,
    /// `clips`/`sim`: a voice pack directory replacing the built-in Mandarin pack.
    #[serde(default)]
    pub pack: Option<PathBuf>,
    /// Serial backends: the module's port, e.g. `/dev/ttyUSB0`.
    #[serde(default)]
    pub port: Option<PathBuf>,
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// 0.0 to 1.0.
    #[serde(default = "default_volume")]
    pub volume: f32,
    #[serde(default)]
    pub quiet_hours: Vec<QuietHoursConfig>,
    /// `sim`: write each announcement as a WAV file into this directory.
    #[serde(default)]
    pub out_dir: Option<PathBuf>,
}

impl VoiceZoneConfig {
    /// A zone with every default for `backend`.
    pub fn new(name: &str, backend: VoiceBackend) -> Self {
        VoiceZoneConfig {
            name: name.to_owned(),
            windows: Vec::new(),
            backend,
            device: None,
            pack: None,
            port: None,
            baud: default_baud(),
            volume: default_volume(),
            quiet_hours: Vec::new(),
            out_dir: None,
        }
    }

    /// Whether this zone announces calls of `window`.
    pub fn covers(&self, window: u16) -> bool {
        self.windows.is_empty() || self.windows.contains(&window)
    }
}

/// `{ from = "12:00", to = "14:00", volume = 0.4 }`; `from` after `to` spans midnight.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursConfig {
    pub from: ClockTime,
    pub to: ClockTime,
    pub volume: f32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VoiceBackend {
    /// Pre-recorded clips played with rodio.
    #[default]
    Clips,
    Syn6288,
    Syn6658,
    Xfs5152,
    /// Records, logs and (with `out_dir`) renders WAV files; no sound card needed.
    Sim,
    /// Logs the text only.
    #[serde(alias = "log")]
    None,
}

impl VoiceBackend {
    pub fn as_str(self) -> &'static str {
        match self {
            VoiceBackend::Clips => "clips",
            VoiceBackend::Syn6288 => "syn6288",
            VoiceBackend::Syn6658 => "syn6658",
            VoiceBackend::Xfs5152 => "xfs5152",
            VoiceBackend::Sim => "sim",
            VoiceBackend::None => "none",
        }
    }

    /// The serial TTS module, for the serial backends.
    pub fn syn_model(self) -> Option<syn::SynModel> {
        match self {
            VoiceBackend::Syn6288 => Some(syn::SynModel::Syn6288),
            VoiceBackend::Syn6658 => Some(syn::SynModel::Syn6658),
            VoiceBackend::Xfs5152 => Some(syn::SynModel::Xfs5152),
            _ => None,
        }
    }

    fn uses_clips(self) -> bool {
        matches!(self, VoiceBackend::Clips | VoiceBackend::Sim)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowNumbers {
    /// 12 → 十二.
    #[default]
    Cardinal,
    /// 12 → 一二.
    Digits,
}

/// The default call, as deployed government systems say it.
pub const DEFAULT_TEMPLATE: &str = "请{number}号到{window}号窗口办理";

fn default_zones() -> Vec<VoiceZoneConfig> {
    vec![VoiceZoneConfig::new(
        &default_zone_name(),
        VoiceBackend::Clips,
    )]
}
fn default_zone_name() -> String {
    "大厅".to_owned()
}
fn default_template() -> String {
    DEFAULT_TEMPLATE.to_owned()
}
fn default_repeat() -> u8 {
    2
}
fn default_pause_ms() -> u64 {
    800
}
fn default_true() -> bool {
    true
}
fn default_max_age() -> u64 {
    60
}
fn default_baud() -> u32 {
    9600
}
fn default_volume() -> f32 {
    1.0
}

/// Problems in `[voice]`; `windows` are the hall's window numbers.
pub fn check(v: &VoiceConfig, windows: &[u16], out: &mut Vec<Problem>) {
    let template = match Template::parse(&v.template) {
        Ok(t) => Some(t),
        Err(e) => {
            out.push(Problem::new("voice.template", e.to_string()));
            None
        }
    };
    if let Some(t) = &template
        && !t.segments().contains(&Segment::Number)
    {
        out.push(Problem::new(
            "voice.template",
            "must contain {number} (e.g. \"请{number}号到{window}号窗口办理\")",
        ));
    }
    if !(1..=5).contains(&v.repeat) {
        out.push(Problem::new(
            "voice.repeat",
            format!("{} is out of range: use 1 to 5", v.repeat),
        ));
    }
    if v.pause_ms > 5000 {
        out.push(Problem::new(
            "voice.pause_ms",
            format!("{} ms is out of range: use 0 to 5000", v.pause_ms),
        ));
    }
    if !(1..=3600).contains(&v.max_age_seconds) {
        out.push(Problem::new(
            "voice.max_age_seconds",
            format!("{} s is out of range: use 1 to 3600", v.max_age_seconds),
        ));
    }
    let mut names = HashSet::new();
    for (i, zone) in v.zones.iter().enumerate() {
        let at = format!("voice.zones[{i}]");
        if zone.name.trim().is_empty() {
            out.push(Problem::new(format!("{at}.name"), "must not be empty"));
        } else if !names.insert(zone.name.as_str()) {
            out.push(Problem::new(
                format!("{at}.name"),
                format!("zone \"{}\" is defined twice", zone.name),
            ));
        }
        check_zone(zone, &at, windows, template.as_ref(), out);
    }
}

fn check_volume(path: String, volume: f32, out: &mut Vec<Problem>) {
    if !(0.0..=1.0).contains(&volume) {
        out.push(Problem::new(
            path,
            format!("{volume} is out of range: use 0.0 to 1.0"),
        ));
    }
}

fn check_zone(
    zone: &VoiceZoneConfig,
    at: &str,
    windows: &[u16],
    template: Option<&Template>,
    out: &mut Vec<Problem>,
) {
    for w in &zone.windows {
        if !windows.contains(w) {
            out.push(Problem::new(
                format!("{at}.windows"),
                format!("unknown window {w}"),
            ));
        }
    }
    check_volume(format!("{at}.volume"), zone.volume, out);
    for (j, q) in zone.quiet_hours.iter().enumerate() {
        check_volume(format!("{at}.quiet_hours[{j}].volume"), q.volume, out);
        if q.from == q.to {
            out.push(Problem::new(
                format!("{at}.quiet_hours[{j}]"),
                "`from` and `to` are the same time",
            ));
        }
    }
    if let Some(model) = zone.backend.syn_model() {
        if zone.port.as_ref().is_none_or(|p| p.as_os_str().is_empty()) {
            out.push(Problem::new(
                format!("{at}.port"),
                format!(
                    "backend \"{}\" needs `port` (e.g. \"/dev/ttyUSB0\")",
                    zone.backend.as_str()
                ),
            ));
        }
        if model == syn::SynModel::Syn6288 && syn::baud_frame(zone.baud).is_none() {
            out.push(Problem::new(
                format!("{at}.baud"),
                format!(
                    "{} is not a SYN6288 rate: use 9600, 19200 or 38400",
                    zone.baud
                ),
            ));
        }
        if let Some(t) = template {
            for text in t.literals() {
                if let Some(c) = syn::first_non_gb2312(text) {
                    out.push(Problem::new(
                        "voice.template",
                        format!(
                            "character \"{c}\" cannot be sent to zone \"{}\"'s TTS module: it is not in GB2312",
                            zone.name
                        ),
                    ));
                }
            }
        }
    }
    if zone.backend.uses_clips() {
        let index = match &zone.pack {
            None => ClipIndex::builtin(),
            Some(dir) => match pack::index_of_dir(dir) {
                Ok(index) => index,
                Err(e) => {
                    out.push(Problem::new(format!("{at}.pack"), e.to_string()));
                    return;
                }
            },
        };
        if let Some(t) = template {
            for text in t.literals() {
                if let Err(uncovered) = index.cover(text) {
                    out.push(Problem::new(
                        "voice.template",
                        format!(
                            "no voice clip says \"{uncovered}\" (zone \"{}\"): record one or change the template",
                            zone.name
                        ),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(toml_text: &str) -> Vec<String> {
        let v: VoiceConfig = toml::from_str(toml_text).unwrap();
        let mut out = Vec::new();
        check(&v, &[1, 2, 3], &mut out);
        out.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn defaults() {
        let v: VoiceConfig = toml::from_str("").unwrap();
        assert_eq!(v, VoiceConfig::default());
        assert_eq!(v.zones.len(), 1);
        assert_eq!(v.zones[0].backend, VoiceBackend::Clips);
        assert!(v.zones[0].covers(42));
        assert_eq!(v.repeat, 2);
        assert_eq!(v.pause_ms, 800);
        assert_eq!(v.max_age_seconds, 60);
        assert!(problems("").is_empty());
    }

    #[test]
    fn zones_and_quiet_hours_parse() {
        let v: VoiceConfig = toml::from_str(
            r#"
            one_as_yao = true
            window_numbers = "digits"
            [[zones]]
            name = "二楼"
            windows = [2, 3]
            backend = "syn6288"
            port = "/dev/ttyUSB0"
            quiet_hours = [{ from = "12:00", to = "14:00", volume = 0.4 }]
            [[zones]]
            name = "log"
            backend = "log"
            "#,
        )
        .unwrap();
        assert_eq!(v.window_numbers, WindowNumbers::Digits);
        assert!(v.zones[0].covers(2) && !v.zones[0].covers(1));
        assert_eq!(v.zones[0].quiet_hours[0].volume, 0.4);
        assert_eq!(v.zones[1].backend, VoiceBackend::None);
    }

    #[test]
    fn problems_are_reported() {
        let p = problems(
            r#"
            template = "请{number}号到{window}号柜台"
            repeat = 9
            [[zones]]
            name = "a"
            windows = [7]
            volume = 1.5
            [[zones]]
            name = "a"
            backend = "syn6288"
            baud = 4800
            "#,
        );
        let joined = p.join("\n");
        assert!(
            joined.contains("voice.repeat: 9 is out of range"),
            "{joined}"
        );
        assert!(
            joined.contains("voice.zones[0].windows: unknown window 7"),
            "{joined}"
        );
        assert!(joined.contains("voice.zones[0].volume"), "{joined}");
        assert!(joined.contains("zone \"a\" is defined twice"), "{joined}");
        assert!(joined.contains("voice.zones[1].port"), "{joined}");
        assert!(joined.contains("voice.zones[1].baud"), "{joined}");
        assert!(joined.contains("no voice clip says \"柜台\""), "{joined}");
    }

    #[test]
    fn template_problems() {
        let p = problems(r#"template = "{window}号窗口""#).join("\n");
        assert!(p.contains("must contain {number}"), "{p}");
        let p = problems(r#"template = "请{numbr}""#).join("\n");
        assert!(p.contains("unknown placeholder {numbr}"), "{p}");
        let p = problems(
            r#"
            template = "请{number}号到{window}号窗口办理😀"
            [[zones]]
            backend = "syn6658"
            port = "/dev/ttyUSB0"
            "#,
        )
        .join("\n");
        assert!(p.contains("not in GB2312"), "{p}");
    }
}
