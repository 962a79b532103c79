//! Printer path: a `TicketPrint` in hand → bytes at the printer.
//!
//! - `encode/80mm`: the ESC/POS encoder alone (criterion).
//! - end to end, printed after the criterion group: `PrinterHandle::print` through the real
//!   serial adapter to the PTY simulator, timed until the simulator has parsed the cut
//!   (pre-flight `DLE EOT 1..4`, encode, channel hand-off to the worker thread, write to the
//!   PTY, parse). The post-job settle and status check come after the bytes arrived and are
//!   not part of the figure. p50/p99 over 300 tickets. Results: benches/README.md, "Printer".

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use hallq::config::{PrinterBackend, PrinterConfig};
use hallq::devices::printer::sim::PrinterSim;
use hallq::devices::printer::{PrinterHandle, TicketPrint};
use hallq::protocol::ticket::{PaperWidth, TicketLayout, encode_ticket};

fn ticket(n: usize) -> TicketPrint {
    TicketPrint {
        hall_name: "示范县政务服务中心".into(),
        service_name: "社保医保".into(),
        number: format!("B{n:03}"),
        waiting_ahead: 5,
        estimated_wait_minutes: 30,
        windows: vec![3, 4],
        issued_at: "2026-11-23 09:41".into(),
        id_last4: Some("123X".into()),
        reprint: false,
        priority: true,
        appointment: false,
        qr: Some(format!(
            "https://hall.example.gov.cn/q?n=B{n:03}&d=2026-11-23"
        )),
    }
}

fn encode(c: &mut Criterion) {
    let layout = TicketLayout::new(PaperWidth::Mm80);
    let t = ticket(23);
    c.bench_function("encode/80mm", |b| {
        b.iter(|| encode_ticket(black_box(&t), &layout))
    });
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn end_to_end() {
    const N: usize = 300;
    let sim = PrinterSim::start().expect("PTY pair");
    let mut config = PrinterConfig::new(PrinterBackend::Serial);
    config.path = Some(sim.path().into());
    config.settle_ms = Some(0);
    config.poll_secs = 3600;
    let handle = PrinterHandle::spawn(&config).expect("printer");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let mut times = Vec::with_capacity(N);
    for i in 0..N {
        let t = ticket(i);
        let h = handle.clone();
        let start = Instant::now();
        let job = rt.spawn(async move { h.print(t).await });
        let got = sim.wait_for_tickets(i + 1, Duration::from_secs(10));
        times.push(start.elapsed());
        assert_eq!(got.len(), i + 1, "ticket {i} did not arrive");
        let _ = rt.block_on(job);
    }
    times.sort();
    println!(
        "printer end to end (TicketPrint → bytes parsed by the PTY simulator), {N} tickets: \
         p50 {:?}, p99 {:?}, max {:?}",
        percentile(&times, 0.50),
        percentile(&times, 0.99),
        times[N - 1]
    );
}

criterion_group!(benches, encode);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    end_to_end();
}
