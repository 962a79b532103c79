//! `hallq serve` under a systemd-style notify socket: the real binary, a real datagram socket.
//! READY=1 once it serves, WATCHDOG=1 at half the period while healthy, STOPPING=1 on SIGTERM,
//! and no more pings once the hall thread is wedged by the test-only fault switch.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// 400 ms watchdog: pings every 200 ms.
const WATCHDOG_USEC: &str = "400000";
const HALF_PERIOD: Duration = Duration::from_millis(200);

struct Served {
    child: Child,
    addr: SocketAddr,
    started: Instant,
    /// Every datagram with the time it arrived.
    messages: mpsc::Receiver<(Instant, String)>,
    _dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `hallq serve` the way systemd would: NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID
/// (the pid of the service process itself, hence the `exec` through `sh`).
fn serve(extra_env: &[(&str, &str)]) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hall-24h.toml");
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("export WATCHDOG_PID=$$; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_hallq"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data")
        .arg(dir.path().join("data"))
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", WATCHDOG_USEC)
        .env("RUST_LOG", "warn")
        .env_remove("WATCHDOG_PID")
        .env_remove("HALLQ_FAULT_WEDGE_AFTER_MS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in extra_env {
        command.env(k, v);
    }
    let (tx, messages) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = socket.recv(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            if tx.send((Instant::now(), text)).is_err() {
                return;
            }
        }
    });
    let started = Instant::now();
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (addr_tx, addr_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if let Some(rest) = line.strip_prefix("hallq serving on http://") {
                let _ = addr_tx.send(rest.trim().to_string());
            }
        }
    });
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("hallq serve never printed its address")
        .parse()
        .unwrap();
    Served {
        child,
        addr,
        started,
        messages,
        _dir: dir,
    }
}

/// `GET /api/v1/health` over a plain socket; returns the status line.
fn health_status(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    stream
        .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: hallq\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.lines().next().unwrap_or_default().to_string()
}

/// Waits for the first datagram containing `needle`; returns when it came.
fn wait_for(served: &Served, needle: &str, within: Duration) -> Instant {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match served.messages.recv_timeout(left) {
            Ok((at, text)) if text.lines().any(|l| l == needle) => return at,
            Ok(_) => {}
            Err(_) => panic!("no {needle} within {within:?}"),
        }
    }
}

/// Every WATCHDOG=1 until `until`.
fn pings_until(served: &Served, until: Instant) -> Vec<Instant> {
    let mut pings = Vec::new();
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return pings;
        }
        match served.messages.recv_timeout(left) {
            Ok((at, text)) => {
                if text.lines().any(|l| l == "WATCHDOG=1") {
                    pings.push(at);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => return pings,
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("notify socket closed"),
        }
    }
}

fn gaps(from: Instant, pings: &[Instant]) -> Vec<Duration> {
    let mut last = from;
    pings
        .iter()
        .map(|&p| {
            let gap = p - last;
            last = p;
            gap
        })
        .collect()
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

#[test]
fn ready_then_pings_then_stopping_on_sigterm() {
    let mut served = serve(&[]);
    let ready = wait_for(&served, "READY=1", Duration::from_secs(10));
    assert!(health_status(served.addr).contains("200"));

    let pings = pings_until(&served, ready + Duration::from_millis(2500));
    assert!(pings.len() >= 6, "only {} pings in 2.5 s", pings.len());
    let median_gap = median(gaps(ready, &pings)[1..].to_vec());
    assert!(
        median_gap >= HALF_PERIOD * 3 / 4 && median_gap <= HALF_PERIOD * 2,
        "pings every {median_gap:?}, expected about {HALF_PERIOD:?}"
    );

    let status = Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    wait_for(&served, "STOPPING=1", Duration::from_secs(5));
    let deadline = Instant::now() + Duration::from_secs(5);
    let exit = loop {
        if let Some(exit) = served.child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "hallq serve did not exit on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "exit status {exit}");
}

#[test]
fn pings_stop_when_the_hall_thread_is_wedged() {
    let wedge_after = Duration::from_millis(1500);
    let mut served = serve(&[("HALLQ_FAULT_WEDGE_AFTER_MS", "1500")]);
    let ready = wait_for(&served, "READY=1", Duration::from_secs(10));
    assert!(health_status(served.addr).contains("200"));

    let end = served.started + wedge_after + Duration::from_millis(2500);
    let pings = pings_until(&served, end);
    // Healthy until the wedge: pings at about half the period.
    let before: Vec<Instant> = pings
        .iter()
        .copied()
        .filter(|&p| p < served.started + wedge_after)
        .collect();
    assert!(
        before.len() >= 3,
        "only {} pings before the wedge",
        before.len()
    );
    let median_gap = median(gaps(ready, &before));
    assert!(
        median_gap <= HALF_PERIOD * 2,
        "pings every {median_gap:?} before the wedge"
    );
    // Wedged: silence for far longer than three half-periods, while the process runs on.
    let last = *pings.last().unwrap();
    let silence = end - last;
    assert!(
        silence > HALF_PERIOD * 3 && silence >= Duration::from_millis(1500),
        "last ping only {silence:?} before the end"
    );
    assert!(
        served.child.try_wait().unwrap().is_none(),
        "hallq serve exited instead of hanging"
    );
}
