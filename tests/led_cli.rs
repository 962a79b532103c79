//! `hallq led send` against the Onbon simulator on a PTY.

use std::process::Command;

use hallq::devices::led::sim::{OnbonSim, SimFault};

fn config(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("hall.toml");
    std::fs::write(
        &path,
        r#"
[hall]
name = "示范县政务服务中心"

[displays]
flash_seconds = 5

[[displays.screens]]
window = 3
protocol = "onbon"
port = "/dev/hallq/led"
address = 7
profile = "onbon-bx6k-96x16"
"#,
    )
    .unwrap();
    path
}

fn send(config: &std::path::Path, window: &str, port: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["led", "send", "--config"])
        .arg(config)
        .args([
            "--window",
            window,
            "--text",
            "请Z012到2楼社保处",
            "--port",
            port,
        ])
        .output()
        .unwrap()
}

#[test]
fn sends_one_text_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let sim = OnbonSim::start(&[7]).unwrap();

    let out = send(&cfg, "3", sim.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("OK: window 3 (address 7"), "{stdout}");
    let f = sim.last(7).unwrap();
    assert_eq!(f.text, "请Z012到2楼社保处");
    // BX-6K profile: X/W in plain pixels
    assert_eq!(f.area.width_raw, 96);

    sim.set_fault(7, Some(SimFault::Silent));
    let out = send(&cfg, "3", sim.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no reply from the screen within 300 ms (3 attempts)"),
        "{stderr}"
    );

    sim.set_fault(7, Some(SimFault::Nack(2)));
    let out = send(&cfg, "3", sim.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NACK, error code 2"));

    let out = send(&cfg, "9", sim.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("window 9 has no screen"));
}
