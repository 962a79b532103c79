//! The shipped systemd units (systemd/*.service): `systemd-analyze verify` on each when it is
//! installed, and always a parse that checks the keys an appliance depends on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROLES: [&str; 5] = ["serve", "kiosk", "window", "display", "rate"];
const SCREEN_ROLES: [&str; 4] = ["kiosk", "window", "display", "rate"];

fn unit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("systemd")
}

fn unit_path(role: &str) -> PathBuf {
    unit_dir().join(format!("hallq-{role}.service"))
}

/// `section -> key -> every value` (keys may repeat, e.g. DeviceAllow).
type Unit = BTreeMap<String, BTreeMap<String, Vec<String>>>;

fn parse_unit(text: &str) -> Unit {
    let mut unit = Unit::new();
    let mut section = String::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        assert!(!line.ends_with('\\'), "line {}: no continuations", n + 1);
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("line {}: not key=value: {raw}", n + 1));
        assert!(!section.is_empty(), "line {}: key outside a section", n + 1);
        unit.entry(section.clone())
            .or_default()
            .entry(key.trim().to_string())
            .or_default()
            .push(value.trim().to_string());
    }
    unit
}

fn load(role: &str) -> Unit {
    let text = std::fs::read_to_string(unit_path(role)).unwrap();
    parse_unit(&text)
}

fn values<'a>(unit: &'a Unit, section: &str, key: &str) -> &'a [String] {
    unit.get(section)
        .and_then(|s| s.get(key))
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn one<'a>(unit: &'a Unit, section: &str, key: &str, role: &str) -> &'a str {
    match values(unit, section, key) {
        [v] => v,
        other => panic!("hallq-{role}: [{section}] {key} set {} times", other.len()),
    }
}

/// `30s`, `1min`, `500ms` or plain seconds.
fn seconds(value: &str) -> f64 {
    let split = value
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let n: f64 = number.parse().unwrap();
    match unit {
        "" | "s" | "sec" => n,
        "ms" | "msec" => n / 1000.0,
        "min" | "m" => n * 60.0,
        other => panic!("unexpected time unit {other:?} in {value:?}"),
    }
}

#[test]
fn every_role_has_a_unit_and_nothing_else_is_shipped() {
    let mut found: Vec<String> = std::fs::read_dir(unit_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".service"))
        .collect();
    found.sort();
    let mut expected: Vec<String> = ROLES.iter().map(|r| format!("hallq-{r}.service")).collect();
    expected.sort();
    assert_eq!(found, expected);
    assert!(unit_dir().join("README.md").exists());
}

#[test]
fn units_are_notify_with_a_watchdog_restart_forever_and_hardening() {
    for role in ROLES {
        let unit = load(role);
        let s = "Service";
        let expect = |key: &str, value: &str| {
            assert_eq!(one(&unit, s, key, role), value, "hallq-{role}: {key}");
        };
        expect("Type", "notify");
        expect("NotifyAccess", "main");
        expect("User", "hallq");
        expect("Group", "hallq");
        expect("StateDirectory", "hallq");
        expect("ConfigurationDirectory", "hallq");
        expect("Restart", "always");
        expect("ProtectSystem", "strict");
        expect("ProtectHome", "true");
        expect("PrivateTmp", "true");
        expect("NoNewPrivileges", "true");
        expect("DevicePolicy", "closed");
        expect("StandardOutput", "journal");
        expect("StandardError", "journal");
        assert_eq!(
            one(&unit, "Unit", "StartLimitIntervalSec", role),
            "0",
            "hallq-{role}: an appliance never stops restarting"
        );
        let watchdog = seconds(one(&unit, s, "WatchdogSec", role));
        assert!(
            (5.0..=120.0).contains(&watchdog),
            "hallq-{role}: WatchdogSec"
        );
        let restart = seconds(one(&unit, s, "RestartSec", role));
        assert!((1.0..=30.0).contains(&restart), "hallq-{role}: RestartSec");
        assert!(
            values(&unit, s, "PrivateDevices").is_empty(),
            "hallq-{role}: PrivateDevices would hide the devices"
        );
        let exec = one(&unit, s, "ExecStart", role);
        assert!(
            exec.starts_with(&format!("/usr/bin/hallq {role} ")),
            "hallq-{role}: ExecStart {exec}"
        );
        assert_eq!(
            one(&unit, s, "EnvironmentFile", role),
            format!("-/etc/hallq/{role}.env")
        );
        assert!(values(&unit, "Unit", "Wants").contains(&"network-online.target".to_string()));
        assert!(
            values(&unit, "Unit", "After")
                .iter()
                .any(|a| a.split_whitespace().any(|u| u == "network-online.target")),
            "hallq-{role}: After=network-online.target"
        );
        assert_eq!(one(&unit, "Install", "WantedBy", role), "multi-user.target");
    }
}

fn groups(unit: &Unit, role: &str) -> Vec<String> {
    one(unit, "Service", "SupplementaryGroups", role)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

fn devices(unit: &Unit) -> Vec<String> {
    values(unit, "Service", "DeviceAllow")
        .iter()
        .map(|d| d.split_whitespace().next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn each_role_gets_the_groups_and_devices_it_needs_and_no_more() {
    let serve = load("serve");
    assert_eq!(groups(&serve, "serve"), ["dialout", "audio"]);
    let d = devices(&serve);
    for needed in ["char-ttyUSB", "char-ttyACM", "char-ttyAMA", "char-alsa"] {
        assert!(d.contains(&needed.to_string()), "serve lacks {needed}");
    }
    for screen in ["char-drm", "char-input", "char-gpiochip"] {
        assert!(!d.contains(&screen.to_string()), "serve needs no {screen}");
    }

    for role in SCREEN_ROLES {
        let unit = load(role);
        let g = groups(&unit, role);
        for needed in ["video", "render", "input"] {
            assert!(
                g.contains(&needed.to_string()),
                "{role} lacks group {needed}"
            );
        }
        let d = devices(&unit);
        for needed in ["char-drm", "char-input"] {
            assert!(d.contains(&needed.to_string()), "{role} lacks {needed}");
        }
        let env = values(&unit, "Service", "Environment");
        assert!(env.contains(&"SLINT_BACKEND=linuxkms-software".to_string()));
        assert!(env.iter().any(|e| e.starts_with("SLINT_KMS_ROTATION=")));
        assert!(values(&unit, "Unit", "Conflicts").contains(&"getty@tty1.service".to_string()));
    }
    let kiosk = load("kiosk");
    assert!(groups(&kiosk, "kiosk").contains(&"dialout".to_string()));
    assert!(
        devices(&kiosk).contains(&"char-usb".to_string()),
        "usblp printer"
    );
    let window = load("window");
    assert!(groups(&window, "window").contains(&"gpio".to_string()));
    assert!(devices(&window).contains(&"char-gpiochip".to_string()));
    assert!(one(&window, "Service", "ExecStart", "window").contains("--window ${HALLQ_WINDOW}"));
    // The display may own a voice zone (--zone): speakers or a serial TTS board.
    let display = load("display");
    let g = groups(&display, "display");
    assert!(g.contains(&"audio".to_string()) && g.contains(&"dialout".to_string()));
    let d = devices(&display);
    for needed in ["char-alsa", "char-ttyUSB", "char-ttyAMA"] {
        assert!(d.contains(&needed.to_string()), "display lacks {needed}");
    }
    assert!(
        values(&display, "Unit", "After")
            .iter()
            .any(|a| a.contains("sound.target"))
    );
    // The evaluator is a touchscreen and nothing else.
    let rate = load("rate");
    assert_eq!(groups(&rate, "rate"), ["video", "render", "input"]);
    let d = devices(&rate);
    for other in ["char-alsa", "char-ttyUSB", "char-gpiochip", "char-usb"] {
        assert!(!d.contains(&other.to_string()), "rate needs no {other}");
    }
    let exec = one(&rate, "Service", "ExecStart", "rate");
    assert!(
        exec.starts_with("/usr/bin/hallq rate --fullscreen --window ${HALLQ_WINDOW}"),
        "{exec}"
    );
    assert!(
        values(&rate, "Service", "EnvironmentFile").contains(&"-/etc/hallq/rate.env".to_string())
    );
}

#[test]
fn systemd_analyze_verify_accepts_every_unit() {
    let available = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        // CI installs systemd for this check: there, a missing tool is a failure.
        assert!(
            std::env::var("HALLQ_CI").as_deref() != Ok("1"),
            "HALLQ_CI=1 but systemd-analyze is not installed"
        );
        eprintln!("systemd-analyze is not installed: only the parsed checks ran");
        return;
    }
    // verify wants ExecStart's binary to exist: point the units at the one cargo built.
    let dir = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_hallq");
    for role in ROLES {
        let text = std::fs::read_to_string(unit_path(role)).unwrap();
        assert!(text.contains("/usr/bin/hallq"));
        let copy = dir.path().join(format!("hallq-{role}.service"));
        std::fs::write(&copy, text.replace("/usr/bin/hallq", binary)).unwrap();
        let out = Command::new("systemd-analyze")
            .arg("verify")
            .arg(&copy)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Unknown keys and bad values are only warnings (exit 0): any line about our unit fails.
        let ours: Vec<&str> = stderr.lines().filter(|l| l.contains("hallq")).collect();
        assert!(
            out.status.success() && ours.is_empty(),
            "systemd-analyze verify hallq-{role}.service:\n{stderr}"
        );
    }
}

#[test]
fn the_unit_parser_catches_a_broken_unit() {
    let unit =
        parse_unit("[Service]\nType=simple\nDeviceAllow=char-drm rw\nDeviceAllow=char-input rw\n");
    assert_eq!(values(&unit, "Service", "Type"), ["simple"]);
    assert_eq!(devices(&unit), ["char-drm", "char-input"]);
    assert!(values(&unit, "Service", "WatchdogSec").is_empty());
    assert_eq!(seconds("30s"), 30.0);
    assert_eq!(seconds("1min"), 60.0);
}
