//! `hallq status`: the hall's health at a glance, from a running server
//! (`GET /api/v1/health/devices`, admin token).
//!
//! Exit code: 0 all is well, 1 something needs attention, 2 the server is unreachable (or
//! answered with a server error), 3 the server refused the request (unknown or non-admin
//! token, or a server without the route).

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use serde::Deserialize;

use crate::client::ApiErrorBody;

pub const EXIT_OK: u8 = 0;
pub const EXIT_ATTENTION: u8 = 1;
pub const EXIT_UNREACHABLE: u8 = 2;
pub const EXIT_REFUSED: u8 = 3;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The hall server, e.g. http://192.168.1.10:8610.
    #[arg(long, env = "HALLQ_SERVER", default_value = "http://127.0.0.1:8610")]
    pub server: String,
    /// An admin device token (a `role = "admin"` device in hall.toml).
    #[arg(long, env = "HALLQ_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Print the server's JSON answer instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for the server.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
}

/// The answer of `GET /api/v1/health/devices` (`crate::server::health::HallHealth`). Every
/// field has a default, so an older or newer server still prints.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HallHealth {
    pub status: String,
    pub attention: Vec<String>,
    pub hall: String,
    pub version: String,
    pub uptime_s: u64,
    pub checked_at: String,
    pub clock_alarm: Option<bool>,
    pub store: StoreSize,
    pub upload: Option<UploadHealth>,
    pub devices: Vec<Device>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StoreSize {
    pub path: String,
    pub size_bytes: u64,
    pub wal_bytes: u64,
    pub last_seq: u64,
    pub status: String,
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UploadHealth {
    pub status: String,
    pub detail: Option<String>,
    pub pending: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Device {
    pub device: String,
    pub role: String,
    pub window: Option<u16>,
    pub last_report: Option<String>,
    pub components: Vec<Component>,
    pub needs_attention: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Component {
    pub component: String,
    pub status: String,
    pub detail: Option<String>,
    pub reported_at: String,
}

/// Why no health could be read.
#[derive(Debug)]
pub enum StatusError {
    /// No answer, or a server error: exit 2.
    Unreachable(String),
    /// The server said no (token, role, route): exit 3.
    Refused(String),
}

impl StatusError {
    pub fn exit_code(&self) -> u8 {
        match self {
            StatusError::Unreachable(_) => EXIT_UNREACHABLE,
            StatusError::Refused(_) => EXIT_REFUSED,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            StatusError::Unreachable(m) | StatusError::Refused(m) => m,
        }
    }
}

pub fn run(args: StatusArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hallq status: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_UNREACHABLE);
        }
    };
    let timeout = Duration::from_secs(args.timeout.max(1));
    match runtime.block_on(fetch(&args.server, &args.token, timeout)) {
        Ok((health, raw)) => {
            if args.json {
                println!("{raw}");
            } else {
                print!("{}", render(&health, &args.server));
            }
            ExitCode::from(exit_code(&health))
        }
        Err(e) => {
            eprintln!("hallq status: {}", e.message());
            ExitCode::from(e.exit_code())
        }
    }
}

/// 0 when the server says all is well, 1 otherwise.
pub fn exit_code(health: &HallHealth) -> u8 {
    if health.status == "ok" && health.attention.is_empty() {
        EXIT_OK
    } else {
        EXIT_ATTENTION
    }
}

/// Reads the health from `server`; also returns the JSON text as received.
pub async fn fetch(
    server: &str,
    token: &str,
    timeout: Duration,
) -> Result<(HallHealth, String), StatusError> {
    let base = server.trim_end_matches('/');
    let url = format!("{base}/api/v1/health/devices");
    let http = crate::net::http()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(3)))
        .build()
        .map_err(|e| StatusError::Unreachable(format!("cannot set up HTTP: {e}")))?;
    let response = http
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| {
            StatusError::Unreachable(format!(
                "cannot reach the hall server at {base}: {}",
                error_chain(&e)
            ))
        })?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| {
        StatusError::Unreachable(format!(
            "the hall server at {base} broke off its answer: {}",
            error_chain(&e)
        ))
    })?;
    if status == 200 {
        return serde_json::from_str(&text)
            .map(|h| (h, text.clone()))
            .map_err(|e| {
                StatusError::Unreachable(format!(
                    "unexpected answer from {url}: {e} (is this a hallq server?)"
                ))
            });
    }
    let body = serde_json::from_str::<ApiErrorBody>(&text).ok();
    let said = body
        .as_ref()
        .map(|b| format!("{}: {}", b.error, b.detail))
        .unwrap_or_else(|| text.chars().take(200).collect());
    Err(match status {
        401 => StatusError::Refused(format!(
            "the hall server does not know this token ({said}); pass an admin device's token \
             with --token or HALLQ_TOKEN"
        )),
        403 => StatusError::Refused(format!(
            "this token is not an admin's ({said}); `hallq status` needs the token of a \
             role = \"admin\" device in hall.toml"
        )),
        404 => StatusError::Refused(format!(
            "{url} answered 404 ({said}): is the server an older hallq?"
        )),
        s if s >= 500 => StatusError::Unreachable(format!("the hall server answered {s}: {said}")),
        s => StatusError::Refused(format!("the hall server answered {s}: {said}")),
    })
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The health as a table for a terminal.
pub fn render(h: &HallHealth, server: &str) -> String {
    let mut out = String::new();
    let hall = if h.hall.is_empty() { "hall" } else { &h.hall };
    let _ = writeln!(
        out,
        "{hall} · hallq {} · up {} · {}",
        h.version,
        duration_text(h.uptime_s),
        server.trim_end_matches('/')
    );
    let s = &h.store;
    let mut store = format!(
        "{} {} (WAL {}), last event #{}",
        s.path,
        size_text(s.size_bytes),
        size_text(s.wal_bytes),
        s.last_seq
    );
    if let Some(e) = &s.error {
        let _ = write!(store, ", last error: {e}");
    }
    let clock = match h.clock_alarm {
        Some(false) => ("ok", "system clock in order".to_string()),
        Some(true) => (
            "ALARM",
            "the system clock went back: check time sync".to_string(),
        ),
        None => ("unknown", "the hall thread did not answer".to_string()),
    };
    let upload = match &h.upload {
        Some(u) => (
            u.status.as_str(),
            u.detail.clone().unwrap_or_else(|| match u.pending {
                Some(n) => format!("pending {n}"),
                None => "backlog unknown".to_string(),
            }),
        ),
        None => ("-", "no uploader on this server".to_string()),
    };
    let summary = vec![
        vec!["Store".to_string(), s.status.clone(), store],
        vec!["Clock".to_string(), clock.0.to_string(), clock.1],
        vec!["Upload".to_string(), upload.0.to_string(), upload.1],
    ];
    out.push_str(&table(&summary));
    out.push('\n');

    let mut rows = vec![vec![
        "DEVICE".to_string(),
        "ROLE".to_string(),
        "STATE".to_string(),
        "PART".to_string(),
        "STATUS".to_string(),
        "REPORTED".to_string(),
        "DETAIL".to_string(),
    ]];
    // Admin tokens are people's, not hardware: they never report.
    for d in h.devices.iter().filter(|d| d.role != "admin") {
        let name = match d.window {
            Some(w) if !d.device.contains(&w.to_string()) => format!("{} (#{w})", d.device),
            _ => d.device.clone(),
        };
        let state = device_state(d).to_string();
        if d.components.is_empty() {
            rows.push(vec![
                name,
                d.role.clone(),
                state,
                "-".into(),
                "-".into(),
                "never".into(),
                "no report since the server started".into(),
            ]);
            continue;
        }
        for (i, c) in d.components.iter().enumerate() {
            let first = i == 0;
            rows.push(vec![
                if first { name.clone() } else { String::new() },
                if first { d.role.clone() } else { String::new() },
                if first { state.clone() } else { String::new() },
                c.component.clone(),
                status_word(&c.status),
                ago(&c.reported_at, &h.checked_at),
                c.detail.clone().unwrap_or_else(|| "-".into()),
            ]);
        }
    }
    if h.devices.is_empty() {
        out.push_str("No devices configured.\n");
    } else {
        out.push_str(&table(&rows));
    }
    out.push('\n');
    if h.attention.is_empty() && h.status == "ok" {
        out.push_str("All is well.\n");
    } else {
        let _ = writeln!(out, "Needs attention ({}):", h.attention.len().max(1));
        for line in &h.attention {
            let _ = writeln!(out, "  - {line}");
        }
        if h.attention.is_empty() {
            let _ = writeln!(out, "  - server status: {}", h.status);
        }
    }
    out
}

/// online: it reports and not every part is offline; offline: every part is offline, or
/// the server no longer hears from it (its `link` part); unknown: no report since the
/// server started.
fn device_state(d: &Device) -> &'static str {
    if d.components.is_empty() {
        "unknown"
    } else if d.components.iter().all(|c| c.status == "offline")
        || d.components
            .iter()
            .any(|c| c.component == crate::server::LINK_COMPONENT && c.status == "offline")
    {
        "offline"
    } else {
        "online"
    }
}

/// Problems in capitals, so they stand out: `ok`, `ready`, `PAPER_OUT`, `OFFLINE`.
fn status_word(status: &str) -> String {
    match status {
        "ok" | "ready" => status.to_string(),
        other => other.to_ascii_uppercase(),
    }
}

/// "12s ago" relative to the server's `checked_at`, so the client's clock does not matter.
fn ago(at: &str, now: &str) -> String {
    let (Ok(at), Ok(now)) = (
        at.parse::<jiff::Timestamp>(),
        now.parse::<jiff::Timestamp>(),
    ) else {
        return if at.is_empty() { "-".into() } else { at.into() };
    };
    let secs = now.as_second().saturating_sub(at.as_second()).max(0);
    format!("{} ago", duration_text(secs.unsigned_abs()))
}

/// "45s", "3m 20s", "5h 02m", "3d 04h".
pub fn duration_text(s: u64) -> String {
    let (d, h, m) = (s / 86_400, s / 3600 % 24, s / 60 % 60);
    if d > 0 {
        format!("{d}d {h:02}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {:02}s", s % 60)
    } else {
        format!("{s}s")
    }
}

/// "812 B", "4.0 KiB", "12.3 MiB", "1.20 GiB".
pub fn size_text(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KIB {
        format!("{bytes} B")
    } else if b < KIB * KIB {
        format!("{:.1} KiB", b / KIB)
    } else if b < KIB * KIB * KIB {
        format!("{:.1} MiB", b / KIB / KIB)
    } else {
        format!("{:.2} GiB", b / KIB / KIB / KIB)
    }
}

/// Columns padded to the widest cell (CJK characters count two columns); the last column is
/// not padded.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| width(c))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(widths[i] - width(cell) + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Terminal columns of `s`: wide (CJK, full-width) characters take two.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let c = c as u32;
            let wide = matches!(c,
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
                | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
            if wide { 2 } else { 1 }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(name: &str, status: &str, at: &str) -> Component {
        Component {
            component: name.into(),
            status: status.into(),
            detail: Some(format!("{name} detail")),
            reported_at: at.into(),
        }
    }

    #[test]
    fn sizes_and_durations_read_well() {
        assert_eq!(size_text(812), "812 B");
        assert_eq!(size_text(4096), "4.0 KiB");
        assert_eq!(size_text(12_900_000), "12.3 MiB");
        assert_eq!(duration_text(45), "45s");
        assert_eq!(duration_text(200), "3m 20s");
        assert_eq!(duration_text(5 * 3600 + 120), "5h 02m");
        assert_eq!(duration_text(3 * 86_400 + 4 * 3600), "3d 04h");
        assert_eq!(
            ago("2026-11-23T02:00:00Z", "2026-11-23T02:00:12Z"),
            "12s ago"
        );
    }

    #[test]
    fn cjk_cells_line_up() {
        let rows = vec![
            vec!["voice-一楼".to_string(), "x".to_string()],
            vec!["kiosk-1".to_string(), "y".to_string()],
        ];
        let t = table(&rows);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(width(lines[0]), width(lines[1]), "{t}");
        assert_eq!(width("一楼"), 4);
    }

    #[test]
    fn table_shows_each_part_and_what_needs_attention() {
        let at = "2026-11-23T02:00:00Z";
        let h = HallHealth {
            status: "attention".into(),
            attention: vec!["kiosk-1 printer: paper_out".into()],
            hall: "示范县政务服务中心".into(),
            version: "0.1.0".into(),
            uptime_s: 3725,
            checked_at: "2026-11-23T02:00:05Z".into(),
            clock_alarm: Some(false),
            store: StoreSize {
                path: "/var/lib/hallq/hall.db".into(),
                size_bytes: 2048,
                status: "ok".into(),
                last_seq: 42,
                ..StoreSize::default()
            },
            upload: None,
            devices: vec![
                Device {
                    device: "kiosk-1".into(),
                    role: "kiosk".into(),
                    components: vec![component("printer", "paper_out", at)],
                    needs_attention: true,
                    ..Device::default()
                },
                Device {
                    device: "bus-callers".into(),
                    role: "bus".into(),
                    components: vec![
                        component("port", "offline", at),
                        component("keypad-1@1", "offline", at),
                    ],
                    needs_attention: true,
                    ..Device::default()
                },
                Device {
                    device: "display-1".into(),
                    role: "display".into(),
                    ..Device::default()
                },
            ],
        };
        let text = render(&h, "http://hall:8610/");
        assert!(
            text.starts_with("示范县政务服务中心 · hallq 0.1.0 · up 1h 02m · http://hall:8610\n"),
            "{text}"
        );
        let line = |start: &str| {
            text.lines()
                .find(|l| l.starts_with(start))
                .unwrap_or_else(|| panic!("no line {start:?} in\n{text}"))
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            line("Store"),
            "Store ok /var/lib/hallq/hall.db 2.0 KiB (WAL 0 B), last event #42"
        );
        assert_eq!(line("Upload"), "Upload - no uploader on this server");
        assert_eq!(
            line("kiosk-1"),
            "kiosk-1 kiosk online printer PAPER_OUT 5s ago printer detail"
        );
        assert_eq!(
            line("bus-callers"),
            "bus-callers bus offline port OFFLINE 5s ago port detail"
        );
        assert_eq!(
            line("display-1"),
            "display-1 display unknown - - never no report since the server started"
        );
        assert!(text.contains("Needs attention (1):\n  - kiosk-1 printer: paper_out\n"));
        assert_eq!(exit_code(&h), EXIT_ATTENTION);
    }

    #[test]
    fn a_device_the_server_no_longer_hears_is_offline_whatever_it_said_last() {
        let at = "2026-11-23T02:00:00Z";
        let mut kiosk = Device {
            device: "kiosk-1".into(),
            role: "kiosk".into(),
            components: vec![
                component("link", "ok", at),
                component("printer", "ready", at),
            ],
            ..Device::default()
        };
        assert_eq!(device_state(&kiosk), "online");
        kiosk.components[0].status = "offline".into();
        assert_eq!(device_state(&kiosk), "offline");
    }
}
