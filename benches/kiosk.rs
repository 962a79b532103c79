//! Kiosk: a tap on a service tile → the complete ticket at the printer, and the kiosk's
//! resident memory after 1,000 tickets. Plain `main()` (no criterion); prints figures and
//! exits 0; timings are never asserted. Results: benches/README.md, "Kiosk".
//!
//! - The hall server runs in a child process (this same bench binary re-run with
//!   `HALLQ_BENCH_KIOSK_SERVER=1`) on 127.0.0.1:0 with its store under `target/tmp`, so the
//!   kiosk's RSS excludes it; the child's RSS is read from `/proc/<pid>/status` and printed
//!   too.
//! - This process is the kiosk role as `hallq kiosk` builds it: the real controller, a
//!   2-worker tokio runtime, `Timing::default()`, the `sim` printer (PTY simulator through
//!   the real serial adapter), in the Slint testing backend with the software renderer
//!   (window 1080×1920). The home and result pages are rendered once per ticket
//!   (`take_snapshot`, outside the timed span) so the renderer's buffers and caches count.
//! - One latency: from just before the tile's accessible default action is invoked (what a
//!   touch does) until the simulator has parsed the ticket's cut, seen from a watcher
//!   thread blocked on the simulator's condition variable. Between tickets the kiosk goes
//!   home by the result page's 完成 button, after which the printer worker is idle again.
//!
//! `HALLQ_BENCH_TICKETS=N` changes the number of tickets (default 1,000).

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use hallq::client::HallClient;
use hallq::config::{HallConfig, OnFailure, PrinterBackend, PrinterConfig};
use hallq::devices::printer::PrinterHandle;
use hallq::hall::Clock;
use hallq::kiosk::{KioskDeps, KioskSettings, Timing};
use hallq::roles::serve::{open_hall, serve_until};
use hallq::ui::kiosk::KioskWindow;
use i_slint_backend_testing::{
    AccessibleRole, ElementHandle, TestingBackend, TestingBackendOptions,
};
use slint::ComponentHandle;

const CONFIG: &str = include_str!("../tests/fixtures/hall-24h.toml");
const KIOSK_TOKEN: &str = "kiosk-token-1";
const SERVER_ROLE: &str = "HALLQ_BENCH_KIOSK_SERVER";
/// 社保医保 (service B): no ID number, no one-per-ID rule.
const TILE: &str = "社保医保";
const DONE: &str = "完成";

fn main() {
    if std::env::var_os(SERVER_ROLE).is_some() {
        run_server();
        return;
    }
    let tickets = std::env::var("HALLQ_BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000usize);
    let mut server = ServerChild::start();
    let report = run_kiosk(&server.base, tickets, server.pid());
    let server_after = proc_memory(server.pid());
    server.stop();
    report.print(tickets, server_after);
}

// ---- the hall server (child process) ----

/// Serves the fixture hall on 127.0.0.1:0, prints the address, stops at EOF on stdin.
fn run_server() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let base = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(base).expect("target/tmp");
    let dir = tempfile::tempdir_in(base).expect("data dir");
    let config = HallConfig::parse(CONFIG).expect("config");
    let at = "2026-11-23T10:00:00+08:00[Asia/Shanghai]"
        .parse::<jiff::Zoned>()
        .expect("time")
        .timestamp();
    let (clock, _hand) = Clock::manual(at);
    let running = open_hall(config, dir.path(), clock).expect("hall");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        let _ = stop_tx.send(());
    });
    rt.block_on(serve_until(
        running,
        "127.0.0.1:0".parse().expect("addr"),
        async move {
            let _ = stop_rx.await;
        },
        |addr| println!("{addr}"),
    ))
    .expect("serve");
}

struct ServerChild {
    child: Child,
    base: String,
}

impl ServerChild {
    fn start() -> ServerChild {
        let exe = std::env::current_exe().expect("bench binary");
        let mut child = Command::new(exe)
            .env(SERVER_ROLE, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("server child");
        let stdout = child.stdout.take().expect("child stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("server address");
        let addr = line.trim();
        assert!(!addr.is_empty(), "the server child printed no address");
        ServerChild {
            base: format!("http://{addr}"),
            child,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn stop(&mut self) {
        drop(self.child.stdin.take());
        let status = self.child.wait().expect("server child");
        assert!(status.success(), "server child: {status}");
    }
}

// ---- the kiosk (this process) ----

#[derive(Clone, Copy, Debug, Default)]
struct Memory {
    rss_kb: u64,
    hwm_kb: u64,
}

fn proc_memory(pid: u32) -> Memory {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Memory {
        rss_kb: field("VmRSS:"),
        hwm_kb: field("VmHWM:"),
    }
}

#[derive(Default)]
struct Report {
    latencies: Vec<Duration>,
    kiosk_before: Memory,
    kiosk_after: Memory,
    server_before: Memory,
    elapsed: Duration,
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

impl Report {
    fn print(mut self, tickets: usize, server_after: Memory) {
        self.latencies.sort();
        let l = &self.latencies;
        println!(
            "kiosk touch → ticket cut at the printer simulator, {tickets} tickets in {:.1} s: \
             p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, min {:.1} ms",
            self.elapsed.as_secs_f64(),
            percentile(l, 0.50).as_secs_f64() * 1e3,
            percentile(l, 0.99).as_secs_f64() * 1e3,
            l[l.len() - 1].as_secs_f64() * 1e3,
            l[0].as_secs_f64() * 1e3,
        );
        for (who, before, after) in [
            ("kiosk process ", self.kiosk_before, self.kiosk_after),
            ("server process", self.server_before, server_after),
        ] {
            println!(
                "{who}: VmRSS {:.1} MB → {:.1} MB, VmHWM {:.1} MB → {:.1} MB \
                 (before the first ticket → after {tickets})",
                mb(before.rss_kb),
                mb(after.rss_kb),
                mb(before.hwm_kb),
                mb(after.hwm_kb),
            );
        }
    }
}

fn run_kiosk(base: &str, tickets: usize, server_pid: u32) -> Report {
    slint::platform::set_platform(Box::new(TestingBackend::new(TestingBackendOptions {
        mock_time: false,
        threading: true,
        renderer_name: Some("software".into()),
    })))
    .expect("testing backend");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kiosk-io")
        .enable_all()
        .build()
        .expect("runtime");
    let mut config = HallConfig::parse(CONFIG).expect("config");
    let mut printer_config = PrinterConfig::new(PrinterBackend::Sim);
    printer_config.on_failure = OnFailure::Block;
    let printer = Arc::new(PrinterHandle::spawn(&printer_config).expect("sim printer"));
    config.printer = Some(printer_config);

    let window = KioskWindow::new().expect("window");
    let _guard = hallq::kiosk::start(
        &window,
        KioskDeps {
            client: HallClient::new(base, KIOSK_TOKEN, Duration::from_secs(2)).expect("client"),
            printer: printer.clone(),
            settings: KioskSettings::from_config(&config).expect("settings"),
            landscape: false,
            runtime: rt.handle().clone(),
            timing: Timing::default(),
            voice: None,
        },
    );
    window
        .window()
        .set_size(slint::LogicalSize::new(1080.0, 1920.0));
    window.show().expect("show");

    // The watcher: told "wait for ticket n", answers with the instant it saw the cut.
    let (want_tx, want_rx) = mpsc::channel::<usize>();
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel::<(usize, Instant)>();
    let watched = printer.clone();
    let watcher = std::thread::spawn(move || {
        let sim = watched.simulator().expect("sim backend");
        for n in want_rx {
            let got = sim.wait_for_tickets(n, Duration::from_secs(15)).len();
            if seen_tx.send((got, Instant::now())).is_err() {
                break;
            }
        }
    });

    let out: Rc<RefCell<Option<Report>>> = Rc::new(RefCell::new(None));
    let sink = out.clone();
    let w = window.clone_strong();
    slint::spawn_local(async move {
        let mut report = Report::default();
        wait_for(&w, "the home page", 15, |w| button(w, TILE).is_some()).await;
        render(&w);
        report.kiosk_before = proc_memory(std::process::id());
        report.server_before = proc_memory(server_pid);
        let began = Instant::now();
        for i in 0..tickets {
            want_tx.send(i + 1).expect("watcher");
            let start = Instant::now();
            button(&w, TILE)
                .expect("tile")
                .invoke_accessible_default_action();
            let (got, at) = seen_rx.recv().await.expect("watcher");
            assert!(got > i, "ticket {} never reached the printer", i + 1);
            report.latencies.push(at.saturating_duration_since(start));
            wait_for(&w, "the result page", 15, |w| button(w, DONE).is_some()).await;
            render(&w);
            button(&w, DONE)
                .expect("done button")
                .invoke_accessible_default_action();
            wait_for(&w, "home again", 15, |w| button(w, TILE).is_some()).await;
            render(&w);
        }
        report.elapsed = began.elapsed();
        report.kiosk_after = proc_memory(std::process::id());
        *sink.borrow_mut() = Some(report);
        drop(want_tx);
        let _ = slint::quit_event_loop();
    })
    .expect("spawn flow");
    slint::run_event_loop_until_quit().expect("event loop");
    let _ = watcher.join();
    let report = out.borrow_mut().take();
    report.expect("the flow did not finish (see the panic above)")
}

/// Draws the window with the software renderer (as a frame on a real screen would).
fn render(window: &KioskWindow) {
    slint::platform::update_timers_and_animations();
    let _ = window.window().take_snapshot();
}

fn button(window: &KioskWindow, label: &str) -> Option<ElementHandle> {
    ElementHandle::find_by_accessible_label(window, label)
        .find(|e| e.accessible_role() == Some(AccessibleRole::Button))
}

async fn sleep(d: Duration) {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    slint::Timer::single_shot(d, move || {
        let _ = tx.send(());
    });
    let _ = rx.await;
}

/// Polls `cond` every 2 ms on the event loop; panics after `secs` seconds.
async fn wait_for(
    window: &KioskWindow,
    what: &str,
    secs: u64,
    cond: impl Fn(&KioskWindow) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond(window) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        sleep(Duration::from_millis(2)).await;
    }
}
