//! `hallq bus scan` against the PTY keypad simulator: the library function and the command.

use std::process::Command;
use std::time::Duration;

use hallq::devices::bus::scan::{ScanOptions, ScanReport, scan};
use hallq::devices::bus::sim::{KeypadBusSim, SimFault};

fn faulty_bus() -> KeypadBusSim {
    let sim = KeypadBusSim::start(&[1, 2, 3, 5, 7]).unwrap_or_else(|e| panic!("sim: {e}"));
    sim.set_fault(2, Some(SimFault::Silent));
    sim.set_fault(5, Some(SimFault::CorruptCrc));
    sim.set_fault(7, Some(SimFault::WrongAddress(8)));
    sim
}

#[test]
fn scan_lists_answering_addresses_and_clashes() {
    let sim = faulty_bus();
    let port = sim.take_port().unwrap_or_else(|| panic!("port"));
    let options = ScanOptions {
        from: 1,
        to: 10,
        timeout: Duration::from_millis(30),
        ..ScanOptions::default()
    };
    let report = scan(port, &options).unwrap_or_else(|e| panic!("scan: {e}"));
    assert_eq!(
        report,
        ScanReport {
            answered: vec![1, 3],
            crc_errors: vec![5],
            wrong_address: vec![(7, 8)],
        }
    );
    // Each address got exactly one probe.
    assert_eq!(
        (sim.requests(1), sim.requests(2), sim.requests(5)),
        (1, 1, 1)
    );
    assert_eq!(sim.foreign_requests(), 5, "addresses 4, 6, 8, 9, 10");
    let text = report.describe();
    assert!(text.contains("应答的地址 (answering): 1, 3"), "{text}");
    assert!(text.contains("address clash): 5"), "{text}");
    assert!(text.contains("地址 7 由地址 8 应答"), "{text}");
}

#[test]
fn the_command_prints_the_scan() {
    let sim = faulty_bus();
    let out = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args([
            "bus",
            "scan",
            "--port",
            sim.path(),
            "--from",
            "1",
            "--to",
            "8",
        ])
        .args(["--timeout-ms", "30"])
        .output()
        .unwrap_or_else(|e| panic!("hallq: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("应答的地址 (answering): 1, 3"), "{stdout}");
    assert!(stdout.contains("address clash): 5"), "{stdout}");

    let missing = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(["bus", "scan", "--port", "/dev/hallq/no-such-bus"])
        .output()
        .unwrap_or_else(|e| panic!("hallq: {e}"));
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("无法打开串口"));
}
