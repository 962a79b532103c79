//! The real serial adapter (PrinterHandle, backend "serial") against the PTY simulator,
//! one test per fault; plus the file, tcp and usblp backends. Every test is time-bounded,
//! and every printer future is awaited on a current-thread runtime with each poll timed: the
//! calling thread is never blocked for 100 ms.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hallq::config::{PrinterBackend, PrinterConfig};
use hallq::devices::printer::sim::{Fault, Paper, PrinterSim};
use hallq::devices::printer::{PrintOutcome, PrinterHandle, PrinterStatus, TicketPrint};
use hallq::protocol::escpos_decode::decode_all;

const BOUND: Duration = Duration::from_secs(10);

fn ticket(number: &str) -> TicketPrint {
    TicketPrint {
        hall_name: "示范县政务服务中心".into(),
        service_name: "综合受理".into(),
        number: number.into(),
        waiting_ahead: 2,
        estimated_wait_minutes: 16,
        windows: vec![1, 2],
        issued_at: "2026-11-23 09:41".into(),
        id_last4: None,
        reprint: false,
        priority: false,
        appointment: false,
        qr: Some(format!("https://hall.example.gov.cn/q?n={number}")),
    }
}

fn serial_config(path: &str) -> PrinterConfig {
    let mut c = PrinterConfig::new(PrinterBackend::Serial);
    c.path = Some(path.into());
    c.status_timeout_ms = 200;
    c.settle_ms = Some(30);
    c.poll_secs = 3600;
    c
}

fn setup() -> (PrinterSim, PrinterHandle) {
    let sim = PrinterSim::start().unwrap();
    let handle = PrinterHandle::spawn(&serial_config(sim.path())).unwrap();
    (sim, handle)
}

/// Awaits `fut` on this (current-thread) runtime, timing every poll: a poll is the only
/// time the caller's thread runs printer code, so the longest poll is the longest the
/// caller was blocked. Panics past [`BOUND`] or on a poll of 100 ms or more.
async fn bounded<T>(fut: impl std::future::Future<Output = T>) -> T {
    let mut fut = std::pin::pin!(fut);
    let mut longest = Duration::ZERO;
    let start = Instant::now();
    let out = tokio::time::timeout(
        BOUND,
        std::future::poll_fn(|cx| {
            let t = Instant::now();
            let r = fut.as_mut().poll(cx);
            longest = longest.max(t.elapsed());
            r
        }),
    )
    .await
    .expect("the printer call did not resolve in time");
    assert!(
        longest < Duration::from_millis(100),
        "the calling thread was blocked for {longest:?} (call took {:?})",
        start.elapsed()
    );
    out
}

async fn print(handle: &PrinterHandle, number: &str) -> PrintOutcome {
    bounded(handle.print(ticket(number))).await
}

#[tokio::test(flavor = "current_thread")]
async fn healthy_printer_prints_the_issued_number() {
    let (sim, handle) = setup();
    assert_eq!(print(&handle, "A001").await, PrintOutcome::Printed);
    assert_eq!(handle.status(), PrinterStatus::Ready);
    let tickets = sim.wait_for_tickets(1, BOUND);
    assert_eq!(tickets.len(), 1);
    let text = tickets[0].text();
    assert!(text.contains("A001") && text.contains("综合受理"), "{text}");
    assert_eq!(
        tickets[0].qr_payloads(),
        vec!["https://hall.example.gov.cn/q?n=A001"]
    );
    assert!(sim.errors().is_empty(), "{:?}", sim.errors());
    // Status before and after: at least 2 × 4 DLE EOT requests.
    assert!(sim.status_requests() >= 8, "{}", sim.status_requests());
}

#[tokio::test(flavor = "current_thread")]
async fn no_reply_is_offline_and_nothing_is_sent() {
    let (sim, handle) = setup();
    sim.set_fault(Some(Fault::NoReply));
    let outcome = print(&handle, "A002").await;
    assert_eq!(
        outcome,
        PrintOutcome::NotPrinted {
            status: PrinterStatus::Offline
        }
    );
    assert_eq!(handle.status(), PrinterStatus::Offline);
    assert!(sim.tickets().is_empty());
    assert_eq!(
        sim.dropped_commands(),
        0,
        "ticket bytes were sent to a silent printer"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn late_reply_is_offline_and_stale_bytes_are_drained_after() {
    // Replies come 1.5 s late: far past the 200 ms time box of every try.
    let sim = PrinterSim::start().unwrap();
    sim.set_fault(Some(Fault::LateReply(Duration::from_millis(1500))));
    let handle = PrinterHandle::spawn(&serial_config(sim.path())).unwrap();
    let outcome = print(&handle, "A003").await;
    assert_eq!(
        outcome,
        PrintOutcome::NotPrinted {
            status: PrinterStatus::Offline
        }
    );
    assert!(sim.tickets().is_empty());
    // The printer recovers; the late bytes still arrive, and are drained, not taken as
    // answers to the next questions.
    sim.set_fault(None);
    std::thread::sleep(Duration::from_millis(1700));
    assert_eq!(bounded(handle.refresh_status()).await, PrinterStatus::Ready);
    assert_eq!(print(&handle, "A004").await, PrintOutcome::Printed);
    assert_eq!(sim.wait_for_tickets(1, BOUND).len(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn garbage_status_byte_is_offline() {
    let (sim, handle) = setup();
    sim.set_fault(Some(Fault::GarbageStatus));
    let outcome = print(&handle, "A005").await;
    assert_eq!(
        outcome,
        PrintOutcome::NotPrinted {
            status: PrinterStatus::Offline
        }
    );
    assert!(sim.tickets().is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn paper_end_before_a_job_blocks_it() {
    let (sim, handle) = setup();
    sim.set_paper(Paper::End);
    let outcome = print(&handle, "A006").await;
    assert_eq!(
        outcome,
        PrintOutcome::NotPrinted {
            status: PrinterStatus::PaperOut
        }
    );
    assert_eq!(handle.status(), PrinterStatus::PaperOut);
    assert_eq!(
        sim.dropped_commands(),
        0,
        "nothing but status requests may be sent"
    );
    // Paper reloaded: the next ticket prints.
    sim.repair();
    assert_eq!(print(&handle, "A007").await, PrintOutcome::Printed);
    assert!(sim.wait_for_tickets(1, BOUND)[0].text().contains("A007"));
}

#[tokio::test(flavor = "current_thread")]
async fn paper_end_in_the_middle_of_a_job_is_uncertain() {
    let (sim, handle) = setup();
    sim.set_fault(Some(Fault::PaperEndAfter(12)));
    let outcome = print(&handle, "A008").await;
    assert_eq!(
        outcome,
        PrintOutcome::Uncertain {
            status: PrinterStatus::PaperOut
        }
    );
    assert!(sim.tickets().is_empty(), "no complete ticket came out");
    assert!(sim.dropped_commands() > 0);
}

#[tokio::test(flavor = "current_thread")]
async fn cover_open_blocks_printing() {
    let (sim, handle) = setup();
    sim.set_cover_open(true);
    let outcome = print(&handle, "A009").await;
    assert_eq!(
        outcome,
        PrintOutcome::NotPrinted {
            status: PrinterStatus::CoverOpen
        }
    );
    assert!(sim.tickets().is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn cutter_jam_during_a_job_is_uncertain_and_blocks_the_next() {
    let (sim, handle) = setup();
    sim.set_fault(Some(Fault::CutterJamOnCut));
    let outcome = print(&handle, "A010").await;
    assert_eq!(
        outcome,
        PrintOutcome::Uncertain {
            status: PrinterStatus::CutterError
        }
    );
    assert!(sim.tickets().is_empty());
    let next = print(&handle, "A011").await;
    assert_eq!(
        next,
        PrintOutcome::NotPrinted {
            status: PrinterStatus::CutterError
        }
    );
}

#[tokio::test(flavor = "current_thread")]
async fn paper_near_end_still_prints_and_is_reported() {
    let (sim, handle) = setup();
    let mut watch = handle.watch_status();
    sim.set_paper(Paper::NearEnd);
    assert_eq!(print(&handle, "A012").await, PrintOutcome::Printed);
    assert_eq!(handle.status(), PrinterStatus::NearEnd);
    assert_eq!(*watch.borrow_and_update(), PrinterStatus::NearEnd);
    assert_eq!(sim.wait_for_tickets(1, BOUND).len(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn sim_backend_runs_the_simulator_behind_the_serial_adapter() {
    let handle = PrinterHandle::spawn(&PrinterConfig::new(PrinterBackend::Sim)).unwrap();
    assert_eq!(print(&handle, "B001").await, PrintOutcome::Printed);
    let sim = handle.simulator().expect("sim backend has a simulator");
    assert!(sim.wait_for_tickets(1, BOUND)[0].text().contains("B001"));
    sim.set_paper(Paper::End);
    let outcome = print(&handle, "B002").await;
    assert_eq!(
        outcome,
        PrintOutcome::NotPrinted {
            status: PrinterStatus::PaperOut
        }
    );
}

#[tokio::test(flavor = "current_thread")]
async fn missing_serial_device_is_offline_not_an_error() {
    let handle = PrinterHandle::spawn(&serial_config("/dev/hallq-no-such-printer")).unwrap();
    let outcome = print(&handle, "A013").await;
    assert_eq!(
        outcome,
        PrintOutcome::NotPrinted {
            status: PrinterStatus::Offline
        }
    );
}

#[tokio::test(flavor = "current_thread")]
async fn file_backend_appends_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.bin");
    let mut c = PrinterConfig::new(PrinterBackend::File);
    c.path = Some(path.clone());
    c.settle_ms = Some(0);
    let handle = PrinterHandle::spawn(&c).unwrap();
    assert_eq!(print(&handle, "C001").await, PrintOutcome::Printed);
    assert_eq!(print(&handle, "C002").await, PrintOutcome::Printed);
    assert_eq!(handle.status(), PrinterStatus::Ready);
    let receipts = decode_all(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(receipts.len(), 2);
    assert!(receipts[1].text().contains("C002"));

    let mut bad = c.clone();
    bad.path = Some(dir.path().join("no/such/dir/out.bin"));
    let handle = PrinterHandle::spawn(&bad).unwrap();
    let outcome = print(&handle, "C003").await;
    assert_eq!(
        outcome,
        PrintOutcome::NotPrinted {
            status: PrinterStatus::Offline
        }
    );
}

/// A network printer on 127.0.0.1: answers DLE EOT with `status_byte`, keeps the rest.
fn tcp_printer(status_byte: u8) -> (u16, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let got = Arc::clone(&received);
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        stream.set_read_timeout(Some(BOUND)).unwrap();
        let mut buf = [0u8; 4096];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            let mut got = got.lock().unwrap();
            got.extend_from_slice(&buf[..n]);
            // Every DLE EOT request gets a reply (requests are never split here).
            let asks = buf[..n].windows(2).filter(|w| *w == [0x10, 0x04]).count();
            drop(got);
            for _ in 0..asks {
                stream.write_all(&[status_byte]).unwrap();
            }
        }
    });
    (port, received)
}

fn tcp_config(port: u16) -> PrinterConfig {
    let mut c = PrinterConfig::new(PrinterBackend::Tcp);
    c.host = Some("127.0.0.1".into());
    c.port = port;
    c.status_timeout_ms = 200;
    c.settle_ms = Some(20);
    c.poll_secs = 3600;
    c
}

#[tokio::test(flavor = "current_thread")]
async fn tcp_backend_prints_over_port_9100_protocol() {
    let (port, received) = tcp_printer(0x12);
    let handle = PrinterHandle::spawn(&tcp_config(port)).unwrap();
    assert_eq!(print(&handle, "D001").await, PrintOutcome::Printed);
    let bytes = received.lock().unwrap().clone();
    // Strip the status requests, then decode the job.
    let job: Vec<u8> = {
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i..].starts_with(&[0x10, 0x04]) {
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        out
    };
    let receipts = decode_all(&job).unwrap();
    assert_eq!(receipts.len(), 1);
    assert!(receipts[0].text().contains("D001"));
}

#[tokio::test(flavor = "current_thread")]
async fn tcp_paper_out_and_refused_connection() {
    // n4 paper end reply for every request: 0x72 has the offline-cause bit 5 too.
    let (port, received) = tcp_printer(0x72);
    let handle = PrinterHandle::spawn(&tcp_config(port)).unwrap();
    let outcome = print(&handle, "D002").await;
    assert_eq!(
        outcome,
        PrintOutcome::NotPrinted {
            status: PrinterStatus::PaperOut
        }
    );
    assert!(
        received
            .lock()
            .unwrap()
            .iter()
            .all(|&b| b == 0x10 || b == 0x04 || b <= 4)
    );

    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let handle = PrinterHandle::spawn(&tcp_config(port)).unwrap();
    let outcome = print(&handle, "D003").await;
    assert_eq!(
        outcome,
        PrintOutcome::NotPrinted {
            status: PrinterStatus::Offline
        }
    );
}

#[tokio::test(flavor = "current_thread")]
async fn usblp_backend_uses_non_blocking_io_with_time_boxes() {
    // A PTY stands in for /dev/usb/lp0: the usblp link opens it O_NONBLOCK and polls.
    let sim = PrinterSim::start().unwrap();
    let mut c = serial_config(sim.path());
    c.backend = PrinterBackend::Usblp;
    let handle = PrinterHandle::spawn(&c).unwrap();
    assert_eq!(print(&handle, "E001").await, PrintOutcome::Printed);
    assert!(sim.wait_for_tickets(1, BOUND)[0].text().contains("E001"));
    sim.set_paper(Paper::End);
    let outcome = print(&handle, "E002").await;
    assert_eq!(
        outcome,
        PrintOutcome::NotPrinted {
            status: PrinterStatus::PaperOut
        }
    );

    // A device node that never answers DLE EOT shows offline (use a profile with
    // `status = false` for such printers), and nothing hangs.
    let dir = tempfile::tempdir().unwrap();
    let mut silent = c.clone();
    silent.path = Some(dir.path().join("lp0"));
    std::fs::write(dir.path().join("lp0"), b"").unwrap();
    let handle = PrinterHandle::spawn(&silent).unwrap();
    let outcome = print(&handle, "E003").await;
    assert_eq!(
        outcome,
        PrintOutcome::NotPrinted {
            status: PrinterStatus::Offline
        }
    );
}
