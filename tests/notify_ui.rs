//! The screen roles' watchdog (`roles::notify::start_ui`) under a notify socket: READY=1 once
//! the event loop runs, WATCHDOG=1 from the UI timer while the tokio runtime beats, and no
//! pings once the runtime is wedged. One flow: the Slint testing backend is per process.

use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use hallq::roles::notify;

/// Every datagram received so far, without waiting.
fn drain(socket: &UnixDatagram) -> Vec<String> {
    let mut buf = [0u8; 4096];
    let mut out = Vec::new();
    while let Ok(n) = socket.recv(&mut buf) {
        out.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    out
}

fn pings(messages: &[String]) -> usize {
    messages
        .iter()
        .filter(|m| m.lines().any(|l| l == "WATCHDOG=1"))
        .count()
}

/// Lets `real` pass (the runtime's heartbeat runs on real time), then moves Slint's mock clock
/// by one ping interval so the UI timer fires.
fn tick(real: Duration) {
    std::thread::sleep(real);
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(200));
}

#[test]
fn ui_pings_only_while_the_runtime_beats() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    socket.set_nonblocking(true).unwrap();
    // SAFETY: the only test in this binary, before any other thread of ours exists.
    unsafe {
        std::env::set_var("NOTIFY_SOCKET", &path);
        std::env::set_var("WATCHDOG_USEC", "400000");
        std::env::remove_var("WATCHDOG_PID");
    }
    i_slint_backend_testing::init_no_event_loop();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();

    let watchdog = notify::start_ui(runtime.handle(), "test screen");
    assert!(watchdog.is_some(), "a watchdog under systemd");
    std::thread::sleep(Duration::from_millis(50));
    i_slint_backend_testing::mock_elapsed_time(Duration::ZERO);
    let first = drain(&socket);
    assert!(
        first.iter().any(|m| m.lines().any(|l| l == "READY=1")),
        "no READY=1 in {first:?}"
    );

    for _ in 0..5 {
        tick(Duration::from_millis(150));
    }
    let healthy = drain(&socket);
    assert!(pings(&healthy) >= 4, "pings while healthy: {healthy:?}");

    // Wedge the runtime's only worker: the heartbeat stops, so must the pings.
    runtime.spawn(async { std::thread::sleep(Duration::from_millis(1500)) });
    std::thread::sleep(Duration::from_millis(250));
    let _ = drain(&socket);
    for _ in 0..4 {
        tick(Duration::from_millis(200));
    }
    let wedged = drain(&socket);
    assert_eq!(pings(&wedged), 0, "pings while wedged: {wedged:?}");

    // The runtime recovers: pings resume.
    std::thread::sleep(Duration::from_millis(800));
    for _ in 0..3 {
        tick(Duration::from_millis(150));
    }
    assert!(pings(&drain(&socket)) >= 2, "pings did not resume");
    drop(watchdog);
}
