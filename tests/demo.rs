//! `hallq demo` runs a whole hall: it prints where to reach it, serves the API, and the
//! simulated kiosk and windows produce calls that the console LED/voice stand-ins show.

use std::io::{BufRead, Read};
use std::process::{Command, Stdio};

#[test]
fn demo_runs_a_hall_and_stops_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("demo.log");
    // 12 s: the simulated windows start at random within a few seconds and the first call
    // must still be announced when the test machine is busy with the other tests.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args([
            "demo",
            "--for",
            "12",
            "--arrival-every",
            "1",
            "--listen",
            "127.0.0.1:0",
            "--data",
        ])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    // Read the address off the first lines, ask `hallq status` while the demo runs, then
    // read the rest.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut out = String::new();
    let base = loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break None;
        }
        out.push_str(&line);
        if let Some(url) = line.trim().strip_prefix("hall server:  ") {
            break url.strip_suffix("/api/v1/health").map(str::to_string);
        }
    };
    let health = base.as_deref().map(|base| {
        // The simulated devices report on start; give them a moment on a busy machine.
        std::thread::sleep(std::time::Duration::from_secs(2));
        let status = Command::new(env!("CARGO_BIN_EXE_hallq"))
            .args(["status", "--server", base, "--token", "admin-change-me"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&status.stdout).into_owned()
    });
    stdout.read_to_string(&mut out).unwrap();
    let status = child.wait().unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    let out = format!("{out}\n--- log ---\n{log}");
    assert!(status.success(), "{out}");
    assert!(out.contains("http://127.0.0.1:"), "{out}");
    assert!(out.contains("admin-change-me"), "tokens are printed: {out}");
    assert!(out.contains("[kiosk]  取号 "), "{out}");
    assert!(out.contains("号窗口办理"), "a call was announced: {out}");
    assert!(dir.path().join("hall.db").exists());
    // The devices the demo plays are alive in the hall's health, as real ones would be.
    let health = health.unwrap_or_else(|| panic!("no server address printed: {out}"));
    let kiosk = health
        .lines()
        .skip_while(|l| !l.starts_with("kiosk-1 "))
        .take(3)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(kiosk.contains("online"), "{health}");
    assert!(kiosk.contains("simulated by hallq demo"), "{health}");
}

#[test]
fn check_config_accepts_the_sample_and_rejects_a_broken_file() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/hall.example.toml");
    let ok = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["check-config", sample])
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("hall.toml");
    let text = std::fs::read_to_string(sample)
        .unwrap()
        .replace(r#"services = ["C"]"#, r#"services = ["Z"]"#);
    std::fs::write(&broken, text).unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .arg("check-config")
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let report = String::from_utf8_lossy(&bad.stderr);
    assert!(
        report.contains(r#"unknown service "Z""#) && report.contains("(line "),
        "{report}"
    );
}

/// Logs off a terminal (journald, a file) are plain text; under systemd (JOURNAL_STREAM)
/// without our own timestamp, since journald stamps every line.
#[test]
fn logs_are_plain_text_off_a_terminal() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/hall.example.toml");
    let run = |journal: bool| {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hallq"));
        cmd.args(["seed-day", "--config", sample, "--day", "2026-11-23"])
            .args(["--tickets", "10", "--store"])
            .arg(dir.path().join("hall.db"))
            .env_remove("JOURNAL_STREAM")
            .env("RUST_LOG", "info");
        if journal {
            cmd.env("JOURNAL_STREAM", "8:12345");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    let plain = run(false);
    assert!(plain.contains("INFO"), "{plain}");
    assert!(!plain.contains('\u{1b}'), "no colour codes: {plain:?}");
    assert!(plain.starts_with("20"), "a timestamp first: {plain}");
    let journal = run(true);
    assert!(!journal.contains('\u{1b}'), "{journal:?}");
    assert!(
        journal.starts_with(" INFO") || journal.starts_with("INFO"),
        "{journal}"
    );
}
