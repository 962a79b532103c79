//! Engine benchmarks: `issue` and `call_next` with 1k, 10k, 20k and 100k waiting tickets
//! over 50 services and 100 windows (each window serving 1-5 services with weights), plus
//! a per-call latency distribution of `call_next` at 20k waiting. Pure engine, no store.
//! Results: benches/README.md, "Engine".

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hallq::core::rules::*;
use hallq::core::*;
use jiff::civil::{Weekday, date, time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

const SERVICES: usize = 50;
const WINDOWS: u16 = 100;
const SIZES: [usize; 4] = [1_000, 10_000, 20_000, 100_000];

/// A small deterministic generator (no external crate needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below
    }
}

fn prefix(i: usize) -> String {
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    format!("{}{}", letters[i / 26] as char, letters[i % 26] as char)
}

fn rules() -> Rules {
    let mut rng = Lcg(7);
    let services = (0..SERVICES)
        .map(|i| ServiceRules {
            id: ServiceId::new(prefix(i)),
            name: prefix(i),
            prefix: prefix(i),
            daily_quota: None,
            slot_quotas: vec![],
            one_per_id: false,
            requires_id: false,
            expected_handle_minutes: 5,
            wait_target: Some(SlaTarget {
                yellow_minutes: 600,
                red_minutes: 900,
            }),
            handle_target: Some(SlaTarget {
                yellow_minutes: 600,
                red_minutes: 900,
            }),
            sessions: None,
        })
        .collect();
    let windows = (1..=WINDOWS)
        .map(|n| {
            let mut served = vec![(ServiceId::new(prefix(usize::from(n) % SERVICES)), 1)];
            for _ in 0..rng.next(5) {
                let s = ServiceId::new(prefix(rng.next(SERVICES)));
                if !served.iter().any(|(x, _)| *x == s) {
                    served.push((s, 1 + rng.next(3) as u32));
                }
            }
            WindowRules {
                number: WindowNo(n),
                name: n.to_string(),
                services: served,
            }
        })
        .collect();
    Rules {
        tz: TimeZone::get("Asia/Shanghai").expect("tz"),
        rollover: time(4, 0, 0, 0),
        number_width: 3,
        carry_over: false,
        hours: Hours {
            sessions: vec![Session {
                open: time(0, 0, 0, 0),
                close: time(23, 59, 59, 0),
            }],
            weekdays: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
                Weekday::Saturday,
                Weekday::Sunday,
            ],
            closed_dates: vec![],
            open_dates: vec![],
            stop_issuing_minutes_before_close: 0,
            expire_minutes_after_close: None,
        },
        queue: QueueRules::default(),
        appointments: AppointmentRules::default(),
        priority_age: Some(70),
        require_sign_in: false,
        ratings: Default::default(),
        services,
        windows,
        staff: vec![],
    }
}

/// An engine with `waiting` tickets, its clock and a generator for more commands.
struct Bench {
    engine: Engine,
    now: Timestamp,
    rng: Lcg,
    window: u16,
}

impl Bench {
    fn new(waiting: usize) -> Self {
        let start = date(2026, 3, 10)
            .to_datetime(time(4, 30, 0, 0))
            .to_zoned(TimeZone::get("Asia/Shanghai").expect("tz"))
            .expect("zoned")
            .timestamp();
        let mut b = Bench {
            engine: Engine::new(rules()),
            now: start,
            rng: Lcg(42),
            window: 0,
        };
        for _ in 0..waiting {
            b.issue();
        }
        b.engine.drain_events();
        b
    }

    fn tick(&mut self) -> Timestamp {
        self.now = self
            .now
            .checked_add(SignedDuration::from_micros(50))
            .expect("time");
        self.now
    }

    fn issue_command(&mut self) -> Command {
        let service = ServiceId::new(prefix(self.rng.next(SERVICES)));
        Command::Issue(IssueRequest {
            service,
            staff_priority: self.rng.next(20) == 0,
            id: None,
            appointment_code: None,
        })
    }

    fn issue(&mut self) {
        let now = self.tick();
        let cmd = self.issue_command();
        let _ = self.engine.handle(now, cmd);
    }

    fn next_window(&mut self) -> WindowNo {
        self.window = self.window % WINDOWS + 1;
        WindowNo(self.window)
    }

    /// Calls at the next window that has something to call.
    fn call_somewhere(&mut self) {
        for _ in 0..WINDOWS {
            let now = self.tick();
            let window = self.next_window();
            if self
                .engine
                .handle(now, Command::CallNext { window })
                .is_ok()
            {
                return;
            }
        }
    }
}

fn bench_issue(c: &mut Criterion) {
    let mut group = c.benchmark_group("issue");
    for size in SIZES {
        let mut b = Bench::new(size);
        group.bench_function(BenchmarkId::from_parameter(size), |bencher| {
            bencher.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let now = b.tick();
                    let cmd = b.issue_command();
                    let start = Instant::now();
                    let reply = b.engine.handle(now, cmd);
                    total += start.elapsed();
                    black_box(reply).ok();
                    // Keep the queue size steady, outside the measurement.
                    b.call_somewhere();
                    b.engine.drain_events();
                }
                total
            });
        });
    }
    group.finish();
}

fn bench_call_next(c: &mut Criterion) {
    let mut group = c.benchmark_group("call_next");
    for size in SIZES {
        let mut b = Bench::new(size);
        group.bench_function(BenchmarkId::from_parameter(size), |bencher| {
            bencher.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    b.issue();
                    let now = b.tick();
                    let window = b.next_window();
                    let start = Instant::now();
                    let reply = b.engine.handle(now, Command::CallNext { window });
                    total += start.elapsed();
                    black_box(reply).ok();
                    b.engine.drain_events();
                }
                total
            });
        });
    }
    group.finish();
}

/// Per-call latency of `call_next` (with its implicit finish) at each size: p50/p99/max.
fn call_next_percentiles(_c: &mut Criterion) {
    for size in SIZES {
        let mut b = Bench::new(size);
        let mut samples: Vec<Duration> = Vec::with_capacity(50_000);
        for _ in 0..50_000 {
            b.issue();
            let now = b.tick();
            let window = b.next_window();
            let start = Instant::now();
            let reply = b.engine.handle(now, Command::CallNext { window });
            samples.push(start.elapsed());
            black_box(reply).ok();
            b.engine.drain_events();
        }
        samples.sort();
        let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
        println!(
            "call_next latency at {size} waiting: p50 {:?}  p99 {:?}  max {:?}",
            at(0.50),
            at(0.99),
            samples[samples.len() - 1]
        );
    }
}

criterion_group!(benches, bench_issue, bench_call_next, call_next_percentiles);
criterion_main!(benches);
