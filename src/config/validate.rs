//! Validation of a parsed [`HallConfig`]: a pure function that returns every problem it
//! finds (paths only; [`super::HallConfig::parse`] adds the lines).

use std::collections::{HashMap, HashSet};

use encoding_rs::GBK;

use super::error::Problem;
use super::hours::{check_rollover, check_sessions, check_slots, shortest_session_minutes};
use super::model::{DeviceRole, HallConfig, TargetConfig};

/// Every problem in `config`, in file order of sections. Empty means valid.
pub fn validate(config: &HallConfig) -> Vec<Problem> {
    let mut out = Vec::new();
    check_hall(config, &mut out);
    check_queue(config, &mut out);
    check_services(config, &mut out);
    check_windows(config, &mut out);
    check_staff(config, &mut out);
    check_devices(config, &mut out);
    super::kiosk::check(config, &mut out);
    let windows: Vec<u16> = config.windows.iter().map(|w| w.number).collect();
    super::buttons::check(&config.buttons, &windows, &mut out);
    super::bus::check(&config.buses, &windows, &mut out);
    super::voice::check(&config.voice, &windows, &mut out);
    super::displays::check(&config.displays, &windows, &mut out);
    super::ratings::check(&config.ratings, &mut out);
    if let Some(upload) = &config.upload {
        super::upload::check(upload, &mut out);
    }
    if let Some(printer) = &config.printer {
        super::printer::check(printer, &mut out);
    }
    out
}

/// The first character of `text` that GBK cannot encode (so no printer or LED can show it).
pub fn first_non_gbk_char(text: &str) -> Option<char> {
    let mut buf = [0u8; 4];
    text.chars().find(|c| {
        let (_, _, had_errors) = GBK.encode(c.encode_utf8(&mut buf));
        had_errors
    })
}

/// A text that is printed on tickets or shown on screens and LED boards.
fn check_text(path: String, text: &str, out: &mut Vec<Problem>) {
    if text.trim().is_empty() {
        out.push(Problem::new(path, "must not be empty"));
    } else if let Some(c) = first_non_gbk_char(text) {
        out.push(Problem::new(
            path,
            format!(
                "character \"{c}\" (U+{:04X}) cannot be printed or shown: it is not in GBK, the encoding of ticket printers and LED boards",
                u32::from(c)
            ),
        ));
    }
}

fn check_hall(config: &HallConfig, out: &mut Vec<Problem>) {
    let h = &config.hall;
    check_text("hall.name".into(), &h.name, out);
    if jiff::tz::TimeZone::get(&h.timezone).is_err() {
        out.push(Problem::new(
            "hall.timezone",
            format!(
                "unknown time zone \"{}\" (expected an IANA name like \"Asia/Shanghai\")",
                h.timezone
            ),
        ));
    }
    if !(1..=6).contains(&h.number_width) {
        out.push(Problem::new(
            "hall.number_width",
            format!("{} is out of range: use 1 to 6 digits", h.number_width),
        ));
    }
    check_sessions("hall.sessions", &h.sessions, out);
    check_rollover(h.rollover, "hall.sessions", &h.sessions, out);
    let stop = h.stop_issuing_minutes_before_close;
    if let Some(shortest) =
        shortest_session_minutes(&h.sessions).filter(|&m| i64::from(stop) >= i64::from(m))
    {
        out.push(Problem::new(
            "hall.stop_issuing_minutes_before_close",
            format!(
                "{stop} minutes is not shorter than the shortest session ({shortest} minutes): kiosks would never issue"
            ),
        ));
    }
    if h.weekdays.is_empty() && h.open_dates.is_empty() {
        out.push(Problem::new(
            "hall.weekdays",
            "the hall opens on no day: list weekdays like [\"mon\", \"tue\"]",
        ));
    }
    let mut seen = HashSet::new();
    for (i, d) in h.weekdays.iter().enumerate() {
        if !seen.insert(*d) {
            out.push(Problem::new(
                format!("hall.weekdays[{i}]"),
                "weekday listed twice",
            ));
        }
    }
    let closed: HashSet<_> = h.closed_dates.iter().collect();
    for (i, d) in h.open_dates.iter().enumerate() {
        if closed.contains(d) {
            out.push(Problem::new(
                format!("hall.open_dates[{i}]"),
                format!("{} is also in closed_dates", d.0),
            ));
        }
    }
    if let Some(age) = h.priority_age.filter(|&a| a > 120) {
        out.push(Problem::new(
            "hall.priority_age",
            format!("{age} is not a plausible age: use 1 to 120, or 0 to turn the age rule off"),
        ));
    }
    if h.personal_data_retention_days == 0 {
        out.push(Problem::new(
            "hall.personal_data_retention_days",
            "must be at least 1 day",
        ));
    }
}

fn check_queue(config: &HallConfig, out: &mut Vec<Problem>) {
    if config.queue.priority_streak == 0 {
        out.push(Problem::new(
            "queue.priority_streak",
            "must be at least 1 (green-channel calls before one regular ticket)",
        ));
    }
    if config.queue.appointment_ratio == 0 {
        out.push(Problem::new(
            "queue.appointment_ratio",
            "must be at least 1 (appointments served per walk-in)",
        ));
    }
    if config.server.max_body_bytes < 1024 {
        out.push(Problem::new(
            "server.max_body_bytes",
            format!(
                "{} bytes is too small for the API: use at least 1024",
                config.server.max_body_bytes
            ),
        ));
    }
    if config.server.device_offline_after_s == 0 {
        out.push(Problem::new(
            "server.device_offline_after_s",
            "must be at least 1 (seconds)",
        ));
    }
}

fn check_target(path: String, target: Option<&TargetConfig>, out: &mut Vec<Problem>) {
    let Some(t) = target else { return };
    if t.yellow_minutes == 0 {
        out.push(Problem::new(
            format!("{path}.yellow_minutes"),
            "must be at least 1",
        ));
    }
    if t.yellow_minutes >= t.red_minutes {
        out.push(Problem::new(
            path,
            format!(
                "yellow_minutes ({}) must be less than red_minutes ({})",
                t.yellow_minutes, t.red_minutes
            ),
        ));
    }
}

fn check_services(config: &HallConfig, out: &mut Vec<Problem>) {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut prefixes: HashMap<&str, usize> = HashMap::new();
    for (i, s) in config.services.iter().enumerate() {
        let p = format!("services[{i}]");
        let id_ok = !s.id.is_empty()
            && s.id.len() <= 32
            && s.id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            out.push(Problem::new(
                format!("{p}.id"),
                format!(
                    "\"{}\" is not a usable id: use 1 to 32 ASCII letters, digits, '-' or '_'",
                    s.id
                ),
            ));
        } else if let Some(first) = ids.insert(&s.id, i) {
            out.push(Problem::new(
                format!("{p}.id"),
                format!("duplicate service id \"{}\" (also services[{first}])", s.id),
            ));
        }
        check_text(format!("{p}.name"), &s.name, out);
        let prefix_ok =
            (1..=2).contains(&s.prefix.len()) && s.prefix.chars().all(|c| c.is_ascii_uppercase());
        if !prefix_ok {
            out.push(Problem::new(
                format!("{p}.prefix"),
                format!(
                    "\"{}\" is not a valid prefix: use 1 or 2 uppercase letters A-Z",
                    s.prefix
                ),
            ));
        } else if let Some(first) = prefixes.insert(&s.prefix, i) {
            out.push(Problem::new(
                format!("{p}.prefix"),
                format!(
                    "duplicate prefix \"{}\" (also services[{first}]): numbers would collide",
                    s.prefix
                ),
            ));
        }
        if s.daily_quota == Some(0) {
            out.push(Problem::new(
                format!("{p}.daily_quota"),
                "must be at least 1 (leave it out for no daily limit)",
            ));
        }
        if s.expected_handle_minutes == 0 {
            out.push(Problem::new(
                format!("{p}.expected_handle_minutes"),
                "must be at least 1",
            ));
        }
        check_target(format!("{p}.wait_target"), s.wait_target.as_ref(), out);
        check_target(format!("{p}.handle_target"), s.handle_target.as_ref(), out);
        let sessions = match &s.sessions {
            Some(own) => {
                check_sessions(&format!("{p}.sessions"), own, out);
                check_rollover(config.hall.rollover, &format!("{p}.sessions"), own, out);
                own
            }
            None => &config.hall.sessions,
        };
        check_slots(&format!("{p}.slot_quotas"), &s.slot_quotas, sessions, out);
        let served = config
            .windows
            .iter()
            .any(|w| w.services.iter().any(|ws| ws.service == s.id));
        if id_ok && !served {
            out.push(Problem::new(
                p,
                format!(
                    "no window serves service \"{}\": its tickets would never be called",
                    s.id
                ),
            ));
        }
    }
}

fn check_windows(config: &HallConfig, out: &mut Vec<Problem>) {
    let mut numbers: HashMap<u16, usize> = HashMap::new();
    for (i, w) in config.windows.iter().enumerate() {
        let p = format!("windows[{i}]");
        if !(1..=999).contains(&w.number) {
            out.push(Problem::new(
                format!("{p}.number"),
                format!("{} is out of range: use 1 to 999", w.number),
            ));
        } else if let Some(first) = numbers.insert(w.number, i) {
            out.push(Problem::new(
                format!("{p}.number"),
                format!(
                    "duplicate window number {} (also windows[{first}])",
                    w.number
                ),
            ));
        }
        check_text(format!("{p}.name"), &w.name, out);
        if w.services.is_empty() {
            out.push(Problem::new(
                format!("{p}.services"),
                "a window must serve at least one service",
            ));
        }
        let mut seen = HashSet::new();
        for (j, ws) in w.services.iter().enumerate() {
            if config.service(&ws.service).is_none() {
                out.push(Problem::new(
                    format!("{p}.services"),
                    format!("unknown service \"{}\"", ws.service),
                ));
            } else if !seen.insert(ws.service.as_str()) {
                out.push(Problem::new(
                    format!("{p}.services"),
                    format!("service \"{}\" listed twice", ws.service),
                ));
            }
            if ws.weight == 0 {
                out.push(Problem::new(
                    format!("{p}.services[{j}].weight"),
                    "must be at least 1",
                ));
            }
        }
    }
}

fn check_staff(config: &HallConfig, out: &mut Vec<Problem>) {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, s) in config.staff.iter().enumerate() {
        let p = format!("staff[{i}]");
        if s.id.trim().is_empty() {
            out.push(Problem::new(format!("{p}.id"), "must not be empty"));
        } else if let Some(first) = ids.insert(&s.id, i) {
            out.push(Problem::new(
                format!("{p}.id"),
                format!("duplicate staff id \"{}\" (also staff[{first}])", s.id),
            ));
        }
        check_text(format!("{p}.name"), &s.name, out);
        for service in &s.services {
            if config.service(service).is_none() {
                out.push(Problem::new(
                    format!("{p}.services"),
                    format!("unknown service \"{service}\""),
                ));
            }
        }
        match s.pin_hash.as_deref() {
            Some(h) if h.trim().is_empty() => out.push(Problem::new(
                format!("{p}.pin_hash"),
                "must not be empty (leave it out instead)",
            )),
            // A plain PIN here would never match and would sit in the file in clear text.
            Some(h) if !crate::kiosk::pin::is_pin_hash(h) => out.push(Problem::new(
                format!("{p}.pin_hash"),
                "expected an argon2 hash like \"$argon2id$v=19$...\" (make one with `hallq hash-pin`)",
            )),
            _ => {}
        }
    }
}

fn check_devices(config: &HallConfig, out: &mut Vec<Problem>) {
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut tokens: HashMap<&str, usize> = HashMap::new();
    for (i, d) in config.devices.iter().enumerate() {
        let p = format!("devices[{i}]");
        if d.name.trim().is_empty() {
            out.push(Problem::new(format!("{p}.name"), "must not be empty"));
        } else if let Some(first) = names.insert(&d.name, i) {
            out.push(Problem::new(
                format!("{p}.name"),
                format!(
                    "duplicate device name \"{}\" (also devices[{first}])",
                    d.name
                ),
            ));
        }
        if d.token.is_empty() {
            out.push(Problem::new(
                format!("{p}.token"),
                "missing token: every device needs its own secret token",
            ));
        } else if d.token.chars().count() < 8 {
            out.push(Problem::new(
                format!("{p}.token"),
                "token is too short: use at least 8 characters",
            ));
        } else if !d.token.chars().all(|c| c.is_ascii_graphic()) {
            out.push(Problem::new(
                format!("{p}.token"),
                "token must be printable ASCII without spaces (it is sent in an HTTP header)",
            ));
        } else if let Some(first) = tokens.insert(&d.token, i) {
            out.push(Problem::new(
                format!("{p}.token"),
                format!(
                    "same token as devices[{first}] (\"{}\"): every token must be unique",
                    config.devices[first].name
                ),
            ));
        }
        match (d.role.needs_window(), d.window) {
            (true, None) => out.push(Problem::new(
                p,
                format!(
                    "a {} device needs `window = N` (the window it belongs to)",
                    d.role
                ),
            )),
            (true, Some(n)) if !config.windows.iter().any(|w| w.number == n) => {
                out.push(Problem::new(
                    format!("{p}.window"),
                    format!("there is no window {n} in [[windows]]"),
                ))
            }
            (false, Some(_)) => out.push(Problem::new(
                format!("{p}.window"),
                format!("a {} device has no window: remove `window`", d.role),
            )),
            _ => {}
        }
    }
    if !config.devices.iter().any(|d| d.role == DeviceRole::Admin) {
        out.push(Problem::new(
            "devices",
            "no admin device: add a [[devices]] entry with role = \"admin\" to manage the hall",
        ));
    }
}
