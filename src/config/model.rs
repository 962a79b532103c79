//! The shape of `hall.toml`: serde structs with defaults. Validation lives in
//! [`super::validate`]; these types only say what is syntactically allowed.

use std::fmt;
use std::net::SocketAddr;

use jiff::civil::{Date, Time, Weekday};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The whole `hall.toml`, parsed and (when obtained from [`HallConfig::parse`]) validated.
///
/// [`HallConfig::parse`]: crate::config::HallConfig::parse
#[derive(Clone, Debug)]
pub struct HallConfig {
    pub hall: HallSection,
    pub queue: QueueSection,
    pub appointments: AppointmentSection,
    pub server: ServerSection,
    pub services: Vec<ServiceConfig>,
    pub windows: Vec<WindowConfig>,
    pub staff: Vec<StaffConfig>,
    pub devices: Vec<DeviceConfig>,
    /// `[printer]`: the kiosk's ticket printer, when this hall configures one.
    pub printer: Option<super::printer::PrinterConfig>,
    /// `[kiosk]`: the ticket kiosk's screen (defaults when absent).
    pub kiosk: super::kiosk::KioskConfig,
    /// `[[buttons]]`: GPIO call buttons read by the window terminals.
    pub buttons: Vec<super::buttons::ButtonConfig>,
    /// `[voice]`: announcer zones and wording (one `clips` zone for all windows by default).
    pub voice: super::voice::VoiceConfig,
    /// `[[buses]]`: RS-485 buses the server polls (caller keypads).
    pub buses: Vec<super::bus::BusConfig>,
    /// `[displays]`: LED window screens and their templates (none by default).
    pub displays: super::displays::DisplaysConfig,
    /// `[ratings]`: 好差评 timeout, follow-up deadlines, preset comments.
    pub ratings: super::ratings::RatingsConfig,
    /// `[upload]`: the provincial platform (nothing is sent without it).
    pub upload: Option<super::upload::UploadConfig>,
}

/// `[hall]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HallSection {
    pub name: String,
    #[serde(default = "default_timezone")]
    pub timezone: String,
    #[serde(default = "default_rollover")]
    pub rollover: ClockTime,
    #[serde(default)]
    pub carry_over: bool,
    #[serde(default = "default_number_width")]
    pub number_width: u8,
    #[serde(default = "default_sessions")]
    pub sessions: Vec<SessionConfig>,
    #[serde(default = "default_weekdays")]
    pub weekdays: Vec<WeekdayName>,
    #[serde(default)]
    pub closed_dates: Vec<DateValue>,
    #[serde(default)]
    pub open_dates: Vec<DateValue>,
    #[serde(default)]
    pub stop_issuing_minutes_before_close: u32,
    #[serde(default)]
    pub expire_minutes_after_close: Option<u32>,
    /// 0 disables the automatic green channel by age.
    #[serde(default = "default_priority_age")]
    pub priority_age: Option<u8>,
    /// A window with nobody signed in cannot call (default on).
    #[serde(default = "default_true")]
    pub require_sign_in: bool,
    #[serde(default = "default_retention_days")]
    pub personal_data_retention_days: u32,
}

/// `[queue]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSection {
    #[serde(default = "default_3_u8")]
    pub recall_limit: u8,
    #[serde(default = "default_3_u32")]
    pub requeue_places: u32,
    #[serde(default = "default_1_u8")]
    pub requeue_max: u8,
    #[serde(default = "default_3_u32")]
    pub priority_streak: u32,
    #[serde(default = "default_3_u32")]
    pub appointment_ratio: u32,
}

impl Default for QueueSection {
    fn default() -> Self {
        QueueSection {
            recall_limit: 3,
            requeue_places: 3,
            requeue_max: 1,
            priority_streak: 3,
            appointment_ratio: 3,
        }
    }
}

/// `[appointments]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppointmentSection {
    #[serde(default = "default_early_minutes")]
    pub early_minutes: u32,
    #[serde(default)]
    pub grace_minutes: u32,
    #[serde(default)]
    pub late_policy: LatePolicyName,
}

impl Default for AppointmentSection {
    fn default() -> Self {
        AppointmentSection {
            early_minutes: default_early_minutes(),
            grace_minutes: 0,
            late_policy: LatePolicyName::WalkIn,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LatePolicyName {
    #[default]
    WalkIn,
    Reject,
}

/// `[server]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    /// Address the LAN API listens on; `hallq serve --listen` overrides it.
    #[serde(default)]
    pub listen: Option<SocketAddr>,
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// A device with a token that has not been heard from (no request, no open event
    /// stream) for this long counts as offline in the device health.
    #[serde(default = "default_device_offline_after_s")]
    pub device_offline_after_s: u64,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            listen: None,
            max_body_bytes: default_max_body_bytes(),
            device_offline_after_s: default_device_offline_after_s(),
        }
    }
}

/// `[[services]]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    pub id: String,
    pub name: String,
    pub prefix: String,
    /// Tickets per business day; absent = unlimited.
    #[serde(default)]
    pub daily_quota: Option<u32>,
    #[serde(default)]
    pub slot_quotas: Vec<SlotQuotaConfig>,
    #[serde(default = "default_true")]
    pub one_per_id: bool,
    #[serde(default)]
    pub requires_id: bool,
    #[serde(default = "default_handle_minutes")]
    pub expected_handle_minutes: u32,
    #[serde(default)]
    pub wait_target: Option<TargetConfig>,
    #[serde(default)]
    pub handle_target: Option<TargetConfig>,
    /// Replaces `[hall].sessions` for this service.
    #[serde(default)]
    pub sessions: Option<Vec<SessionConfig>>,
}

/// `{ from = "08:30", to = "10:30", max = 80 }`
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotQuotaConfig {
    pub from: ClockTime,
    pub to: ClockTime,
    pub max: u32,
}

/// `{ open = "08:30", close = "12:00" }`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    pub open: ClockTime,
    pub close: ClockTime,
}

/// `{ yellow_minutes = 30, red_minutes = 60 }`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    pub yellow_minutes: u32,
    pub red_minutes: u32,
}

/// `[[windows]]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowConfig {
    pub number: u16,
    pub name: String,
    pub services: Vec<WindowService>,
}

/// One item of a window's `services`: `"A"` or `{ service = "A", weight = 3 }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowService {
    pub service: String,
    /// Default 1.
    pub weight: u32,
}

/// `[[staff]]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffConfig {
    pub id: String,
    pub name: String,
    /// Services the staff member may handle; empty = all.
    #[serde(default)]
    pub services: Vec<String>,
    /// Argon2 hash of the sign-in PIN (`hallq hash-pin`); when set, signing in at a window
    /// needs the PIN, and a keypad (no PIN entry) refuses the staff number with 请在终端签到.
    #[serde(default)]
    pub pin_hash: Option<String>,
}

/// `[[devices]]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceConfig {
    pub name: String,
    pub role: DeviceRole,
    /// The window a `window` or `evaluator` device belongs to.
    #[serde(default)]
    pub window: Option<u16>,
    /// Bearer token; validation requires it (so a missing token is reported with the others).
    #[serde(default)]
    pub token: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceRole {
    Kiosk,
    Window,
    Display,
    Evaluator,
    Admin,
}

impl DeviceRole {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceRole::Kiosk => "kiosk",
            DeviceRole::Window => "window",
            DeviceRole::Display => "display",
            DeviceRole::Evaluator => "evaluator",
            DeviceRole::Admin => "admin",
        }
    }

    /// Window and evaluator devices belong to one window.
    pub fn needs_window(self) -> bool {
        matches!(self, DeviceRole::Window | DeviceRole::Evaluator)
    }
}

impl fmt::Display for DeviceRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `"mon"` … `"sun"` (full English names are accepted too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeekdayName {
    #[serde(alias = "monday")]
    Mon,
    #[serde(alias = "tuesday")]
    Tue,
    #[serde(alias = "wednesday")]
    Wed,
    #[serde(alias = "thursday")]
    Thu,
    #[serde(alias = "friday")]
    Fri,
    #[serde(alias = "saturday")]
    Sat,
    #[serde(alias = "sunday")]
    Sun,
}

impl WeekdayName {
    pub fn weekday(self) -> Weekday {
        match self {
            WeekdayName::Mon => Weekday::Monday,
            WeekdayName::Tue => Weekday::Tuesday,
            WeekdayName::Wed => Weekday::Wednesday,
            WeekdayName::Thu => Weekday::Thursday,
            WeekdayName::Fri => Weekday::Friday,
            WeekdayName::Sat => Weekday::Saturday,
            WeekdayName::Sun => Weekday::Sunday,
        }
    }
}

/// A local time of day written `"HH:MM"` (a bare TOML local time such as `08:30:00` is
/// accepted too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(pub Time);

impl ClockTime {
    /// Parses `"HH:MM"` (hour 0-23, minute 0-59; a one-digit hour is accepted).
    pub fn parse(text: &str) -> Option<ClockTime> {
        let (h, m) = text.trim().split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let hour: i8 = h.parse().ok()?;
        let minute: i8 = m.parse().ok()?;
        Time::new(hour, minute, 0, 0).ok().map(ClockTime)
    }

    /// Minutes since midnight.
    pub fn minutes(self) -> i32 {
        i32::from(self.0.hour()) * 60 + i32::from(self.0.minute())
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())
    }
}

const TIME_EXPECTED: &str = "a time like \"08:30\"";

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ClockTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(TIME_EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ClockTime, E> {
                ClockTime::parse(v)
                    .ok_or_else(|| E::custom(format!("expected {TIME_EXPECTED}, found \"{v}\"")))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ClockTime, A::Error> {
                let dt =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match (dt.date, dt.time, dt.offset) {
                    (None, Some(t), None) => {
                        let second = t.second.unwrap_or(0);
                        let time = Time::new(
                            i8::try_from(t.hour).map_err(de::Error::custom)?,
                            i8::try_from(t.minute).map_err(de::Error::custom)?,
                            i8::try_from(second).map_err(de::Error::custom)?,
                            0,
                        )
                        .map_err(de::Error::custom)?;
                        Ok(ClockTime(time))
                    }
                    _ => Err(de::Error::custom(format!(
                        "expected {TIME_EXPECTED}, found {dt}"
                    ))),
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A calendar date written `"2026-10-01"` (a bare TOML date is accepted too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateValue(pub Date);

const DATE_EXPECTED: &str = "a date like \"2026-10-01\"";

impl<'de> Deserialize<'de> for DateValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DateValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(DATE_EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateValue, E> {
                let ok = v.len() == 10 && v.as_bytes().get(4) == Some(&b'-');
                v.parse::<Date>()
                    .ok()
                    .filter(|_| ok)
                    .map(DateValue)
                    .ok_or_else(|| E::custom(format!("expected {DATE_EXPECTED}, found \"{v}\"")))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DateValue, A::Error> {
                let dt =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match (dt.date, dt.time) {
                    (Some(d), None) => Date::new(
                        i16::try_from(d.year).map_err(de::Error::custom)?,
                        i8::try_from(d.month).map_err(de::Error::custom)?,
                        i8::try_from(d.day).map_err(de::Error::custom)?,
                    )
                    .map(DateValue)
                    .map_err(de::Error::custom),
                    _ => Err(de::Error::custom(format!(
                        "expected {DATE_EXPECTED}, found {dt}"
                    ))),
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for WindowService {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WindowService;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a service id like \"A\" or { service = \"A\", weight = 2 }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<WindowService, E> {
                Ok(WindowService {
                    service: v.to_owned(),
                    weight: 1,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WindowService, A::Error> {
                const FIELDS: &[&str] = &["service", "weight"];
                let mut service = None;
                let mut weight = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "service" if service.is_none() => service = Some(map.next_value()?),
                        "weight" if weight.is_none() => weight = Some(map.next_value()?),
                        "service" | "weight" => {
                            return Err(de::Error::custom(format!("`{key}` given twice")));
                        }
                        other => return Err(de::Error::unknown_field(other, FIELDS)),
                    }
                }
                Ok(WindowService {
                    service: service.ok_or_else(|| de::Error::missing_field("service"))?,
                    weight: weight.unwrap_or(1),
                })
            }
        }
        deserializer.deserialize_any(V)
    }
}

fn default_timezone() -> String {
    "Asia/Shanghai".to_owned()
}
fn default_rollover() -> ClockTime {
    ClockTime(Time::constant(4, 0, 0, 0))
}
fn default_number_width() -> u8 {
    3
}
/// 08:30-12:00 and 14:00-17:30.
pub fn default_sessions() -> Vec<SessionConfig> {
    vec![
        SessionConfig {
            open: ClockTime(Time::constant(8, 30, 0, 0)),
            close: ClockTime(Time::constant(12, 0, 0, 0)),
        },
        SessionConfig {
            open: ClockTime(Time::constant(14, 0, 0, 0)),
            close: ClockTime(Time::constant(17, 30, 0, 0)),
        },
    ]
}
fn default_weekdays() -> Vec<WeekdayName> {
    use WeekdayName::*;
    vec![Mon, Tue, Wed, Thu, Fri]
}
fn default_priority_age() -> Option<u8> {
    Some(70)
}
fn default_retention_days() -> u32 {
    180
}
fn default_3_u8() -> u8 {
    3
}
fn default_1_u8() -> u8 {
    1
}
fn default_3_u32() -> u32 {
    3
}
fn default_early_minutes() -> u32 {
    30
}
fn default_device_offline_after_s() -> u64 {
    120
}

fn default_max_body_bytes() -> usize {
    65536
}
fn default_true() -> bool {
    true
}
fn default_handle_minutes() -> u32 {
    5
}
