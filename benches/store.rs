//! Durable issue through the store: `Store::append` of batches of 1, 8 and 64
//! `TicketIssued` events with `synchronous=FULL` (one fsync'd commit per batch), on a real
//! file under the target directory (not tmpfs). Results: benches/README.md, "Store".

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use hallq::core::{
    BusinessDay, Change, Event, OrderKey, ServiceId, Ticket, TicketClass, TicketId, TicketNumber,
    TicketState,
};
use hallq::store::Store;
use jiff::Timestamp;
use jiff::civil::date;

fn issued(id: u64) -> Event {
    let at = Timestamp::from_second(1_740_960_000).unwrap_or(Timestamp::UNIX_EPOCH);
    let service = ServiceId::new("A");
    Event {
        at,
        change: Change::TicketIssued {
            ticket: Box::new(Ticket {
                id: TicketId(id),
                number: TicketNumber(format!("A{id:03}")),
                day: BusinessDay(date(2025, 3, 3)),
                service: service.clone(),
                issued_service: service,
                state: TicketState::Waiting,
                class: TicketClass::WalkIn,
                priority: None,
                issued_at: at,
                order: OrderKey {
                    ms: at.as_millisecond(),
                    sub: id,
                },
                appointment_code: None,
                id_hash: Some(
                    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
                ),
                id_last4: Some("123X".into()),
                window: None,
                directed_to: None,
                staff: None,
                first_called_at: None,
                called_at: None,
                finished_at: None,
                recalls: 0,
                no_shows: 0,
                transfers: Vec::new(),
                case_number: None,
                wait_sla: None,
                handle_sla: None,
                rating: Default::default(),
            }),
        },
    }
}

fn append(c: &mut Criterion) {
    let dir = tempfile::Builder::new()
        .prefix("hallq-bench-store")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let mut group = c.benchmark_group("store_append_issued");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(8));
    for batch in [1u64, 8, 64] {
        let path = dir.path().join(format!("batch{batch}.db"));
        let mut store = Store::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let mut next = 1u64;
        group.throughput(Throughput::Elements(batch));
        group.bench_function(format!("batch_{batch}"), |b| {
            b.iter_batched(
                || {
                    let events: Vec<Event> = (next..next + batch).map(issued).collect();
                    next += batch;
                    events
                },
                |events| {
                    let seqs = store
                        .append(black_box(&events), None)
                        .unwrap_or_else(|e| panic!("{e}"));
                    black_box(seqs)
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, append);
criterion_main!(benches);
