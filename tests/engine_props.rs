//! Property tests: random command sequences with random time steps (including clock jumps
//! back and whole days forward) keep the engine's invariants after every step.

use std::collections::{HashMap, HashSet};

use hallq::core::rules::*;
use hallq::core::*;
use jiff::SignedDuration;
use jiff::civil::{Weekday, date, time};
use jiff::tz::TimeZone;
use proptest::prelude::*;

const PRIORITY_STREAK: u32 = 2;
const SERVICES: [&str; 4] = ["A", "B", "C", "D"];

fn rules(carry_over: bool, expire: bool) -> Rules {
    let service = |id: &str| ServiceRules {
        id: ServiceId::new(id),
        name: id.into(),
        prefix: id.into(),
        daily_quota: None,
        slot_quotas: vec![],
        one_per_id: false,
        requires_id: false,
        expected_handle_minutes: 5,
        wait_target: None,
        handle_target: None,
        sessions: None,
    };
    let mut a = service("A");
    a.wait_target = Some(SlaTarget {
        yellow_minutes: 5,
        red_minutes: 10,
    });
    a.handle_target = Some(SlaTarget {
        yellow_minutes: 3,
        red_minutes: 8,
    });
    let mut c = service("C");
    c.requires_id = true;
    c.one_per_id = true;
    let mut d = service("D");
    d.daily_quota = Some(25);
    d.slot_quotas = vec![SlotQuota {
        from: time(9, 0, 0, 0),
        to: time(10, 0, 0, 0),
        max: 4,
    }];
    let window = |n: u16, services: &[(&str, u32)]| WindowRules {
        number: WindowNo(n),
        name: n.to_string(),
        services: services
            .iter()
            .map(|(s, w)| (ServiceId::new(*s), *w))
            .collect(),
    };
    Rules {
        tz: TimeZone::get("Asia/Shanghai").unwrap(),
        rollover: time(4, 0, 0, 0),
        number_width: 3,
        carry_over,
        hours: Hours {
            sessions: vec![
                Session {
                    open: time(5, 0, 0, 0),
                    close: time(12, 0, 0, 0),
                },
                Session {
                    open: time(12, 30, 0, 0),
                    close: time(23, 30, 0, 0),
                },
            ],
            weekdays: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
                Weekday::Saturday,
                Weekday::Sunday,
            ],
            closed_dates: vec![date(2026, 3, 13)],
            open_dates: vec![],
            stop_issuing_minutes_before_close: 5,
            expire_minutes_after_close: expire.then_some(20),
        },
        queue: QueueRules {
            recall_limit: 2,
            requeue_places: 2,
            requeue_max: 1,
            priority_streak: PRIORITY_STREAK,
            appointment_ratio: 2,
        },
        appointments: AppointmentRules::default(),
        priority_age: Some(70),
        require_sign_in: false,
        ratings: Default::default(),
        services: vec![a, service("B"), c, d],
        windows: vec![
            window(1, &[("A", 1), ("B", 2)]),
            window(2, &[("A", 1)]),
            window(3, &[("B", 1), ("C", 1)]),
            window(4, &[("C", 1), ("D", 1), ("A", 3)]),
        ],
        staff: vec![
            StaffRules {
                id: StaffId("s1".into()),
                name: "s1".into(),
                services: vec![],
            },
            StaffRules {
                id: StaffId("s2".into()),
                name: "s2".into(),
                services: vec![ServiceId::new("B")],
            },
        ],
    }
}

#[derive(Clone, Debug)]
enum Step {
    Forward(i64),
    Back(i64),
    NextDay(i64),
}

#[derive(Clone, Debug)]
enum Op {
    Tick,
    Issue {
        service: usize,
        staff_priority: bool,
        id: Option<u8>,
        old: bool,
    },
    Import,
    CheckIn(u8),
    CallNext(u16),
    CallSpecific(u16, usize),
    ResumeHeld(u16, usize),
    Recall(u16),
    NoShow(u16),
    Hold(u16),
    TransferService(u16, usize),
    TransferWindow(u16, u16),
    Pause(u16),
    Resume(u16),
    Finish(u16),
    SignIn(u16, bool),
    SignOut(u16),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        20 => (0i64..600).prop_map(Step::Forward),
        1 => (60i64..10_800).prop_map(Step::Back),
        1 => (20i64..30).prop_map(Step::NextDay),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let win = 1u16..=4;
    prop_oneof![
        2 => Just(Op::Tick),
        12 => (0usize..4, prop::bool::weighted(0.2), prop::option::of(0u8..6), prop::bool::weighted(0.3))
            .prop_map(|(service, staff_priority, id, old)| Op::Issue { service, staff_priority, id, old }),
        1 => Just(Op::Import),
        2 => (0u8..4).prop_map(Op::CheckIn),
        10 => win.clone().prop_map(Op::CallNext),
        2 => (win.clone(), 0usize..64).prop_map(|(w, i)| Op::CallSpecific(w, i)),
        2 => (win.clone(), 0usize..8).prop_map(|(w, i)| Op::ResumeHeld(w, i)),
        1 => win.clone().prop_map(Op::Recall),
        2 => win.clone().prop_map(Op::NoShow),
        2 => win.clone().prop_map(Op::Hold),
        1 => (win.clone(), 0usize..4).prop_map(|(w, s)| Op::TransferService(w, s)),
        1 => (win.clone(), win.clone()).prop_map(|(w, t)| Op::TransferWindow(w, t)),
        1 => win.clone().prop_map(Op::Pause),
        2 => win.clone().prop_map(Op::Resume),
        4 => win.clone().prop_map(Op::Finish),
        1 => (win.clone(), any::<bool>()).prop_map(|(w, b)| Op::SignIn(w, b)),
        1 => win.prop_map(Op::SignOut),
    ]
}

fn command(e: &Engine, op: &Op) -> Command {
    let w = WindowNo;
    let day = e.day().map_or(date(2026, 3, 10), |d| d.0);
    match op {
        Op::Tick => Command::Tick,
        Op::Issue {
            service,
            staff_priority,
            id,
            old,
        } => Command::Issue(IssueRequest {
            service: ServiceId::new(SERVICES[*service]),
            staff_priority: *staff_priority,
            id: id.map(|i| IdDigest {
                hash: format!("h{i}"),
                last4: "0000".into(),
                birth_date: Some(if *old {
                    date(1940, 1, 1)
                } else {
                    date(1990, 1, 1)
                }),
            }),
            appointment_code: None,
        }),
        Op::Import => Command::ImportAppointments(
            (0..4u8)
                .map(|k| Appointment {
                    code: format!("{day}-{k}"),
                    service: ServiceId::new(SERVICES[usize::from(k) % 4]),
                    date: day,
                    slot_from: time(8 + 2 * k as i8, 0, 0, 0),
                    slot_to: time(9 + 2 * k as i8, 0, 0, 0),
                    id_hash: None,
                })
                .collect(),
        ),
        Op::CheckIn(k) => Command::Issue(IssueRequest {
            service: ServiceId::new("A"),
            staff_priority: false,
            id: Some(IdDigest {
                hash: format!("ap{k}"),
                last4: "0000".into(),
                birth_date: None,
            }),
            appointment_code: Some(format!("{day}-{k}")),
        }),
        Op::CallNext(n) => Command::CallNext { window: w(*n) },
        Op::CallSpecific(n, i) => {
            let numbers: Vec<_> = e.tickets().map(|t| t.number.clone()).collect();
            let number = numbers
                .get(i % numbers.len().max(1))
                .cloned()
                .unwrap_or(TicketNumber("A999".into()));
            Command::CallSpecific {
                window: w(*n),
                number,
            }
        }
        Op::ResumeHeld(n, i) => {
            let held: Vec<_> = e
                .windows()
                .flat_map(|w| w.held.iter())
                .filter_map(|id| e.ticket(*id))
                .collect();
            let number = held
                .get(i % held.len().max(1))
                .map_or(TicketNumber("B001".into()), |t| t.number.clone());
            Command::ResumeHeld {
                window: w(*n),
                number,
            }
        }
        Op::Recall(n) => Command::Recall { window: w(*n) },
        Op::NoShow(n) => Command::NoShow { window: w(*n) },
        Op::Hold(n) => Command::Hold { window: w(*n) },
        Op::TransferService(n, s) => Command::Transfer {
            window: w(*n),
            to: Target::Service(ServiceId::new(SERVICES[*s])),
        },
        Op::TransferWindow(n, t) => Command::Transfer {
            window: w(*n),
            to: Target::Window(w(*t)),
        },
        Op::Pause(n) => Command::Pause { window: w(*n) },
        Op::Resume(n) => Command::Resume { window: w(*n) },
        Op::Finish(n) => Command::Finish {
            window: w(*n),
            case_number: None,
        },
        Op::SignIn(n, first) => Command::SignIn {
            window: w(*n),
            staff: StaffId(if *first { "s1" } else { "s2" }.into()),
        },
        Op::SignOut(n) => Command::SignOut { window: w(*n) },
    }
}

/// Whether a regular (non-priority) ticket waits that call-next at this window could take.
fn regular_callable(e: &Engine, n: WindowNo) -> bool {
    let rules = e.rules();
    let Some(wr) = rules.window(n) else {
        return false;
    };
    let staff = e
        .window(n)
        .and_then(|w| w.staff.clone())
        .and_then(|s| rules.staff_member(&s).cloned());
    e.tickets().any(|t| {
        t.state == TicketState::Waiting
            && t.class != TicketClass::Priority
            && t.directed_to.is_none()
            && wr.services.iter().any(|(s, _)| *s == t.service)
            && staff
                .as_ref()
                .is_none_or(|m| m.services.is_empty() || m.services.contains(&t.service))
    })
}

fn observable(e: &Engine) -> Snapshot {
    let mut snap = e.snapshot();
    snap.time = None;
    snap.clock_alarm = false;
    snap
}

/// Every ticket in exactly one state, consistent with the windows (public view).
fn check_public_view(e: &Engine) -> Result<(), TestCaseError> {
    for t in e.tickets() {
        let current = e.windows().filter(|w| w.current == Some(t.id)).count();
        let held = e.windows().filter(|w| w.held.contains(&t.id)).count();
        let expected = match t.state {
            TicketState::Called => (1, 0),
            TicketState::Held => (0, 1),
            _ => (0, 0),
        };
        prop_assert_eq!(
            (current, held),
            expected,
            "ticket {} {:?}",
            t.number,
            t.state
        );
    }
    Ok(())
}

fn run(carry_over: bool, expire: bool, script: Vec<(Step, Op)>) -> Result<(), TestCaseError> {
    let r = rules(carry_over, expire);
    let mut e = Engine::new(r.clone());
    let mut log: Vec<Event> = Vec::new();
    let mut wall = date(2026, 3, 10)
        .to_datetime(time(7, 0, 0, 0))
        .to_zoned(r.tz.clone())
        .unwrap()
        .timestamp();
    let mut issued: HashSet<(BusinessDay, TicketNumber)> = HashSet::new();
    let mut last_day: Option<BusinessDay> = None;
    let mut streak: HashMap<WindowNo, u32> = HashMap::new();
    for (step, op) in script {
        let delta = match step {
            Step::Forward(s) => SignedDuration::from_secs(s),
            Step::Back(s) => SignedDuration::from_secs(-s),
            Step::NextDay(h) => SignedDuration::from_hours(h),
        };
        wall = wall.checked_add(delta).unwrap();
        let cmd = command(&e, &op);
        let next_window = match cmd {
            Command::CallNext { window } => Some((window, regular_callable(&e, window))),
            _ => None,
        };
        let directed_before: HashSet<TicketId> = e
            .tickets()
            .filter(|t| t.directed_to.is_some())
            .map(|t| t.id)
            .collect();
        let reply = e.handle(wall, cmd);
        let events = e.drain_events();
        if reply.is_err() {
            // A refused command adds only time-driven events (a rating's time running out
            // is one).
            for ev in &events {
                prop_assert!(
                    matches!(
                        ev.change,
                        Change::DayStarted { .. }
                            | Change::ClockWentBack { .. }
                            | Change::TicketExpired { .. }
                            | Change::SlaBreached { .. }
                            | Change::TicketUnrated { .. }
                    ),
                    "refused command produced {:?}",
                    ev.change
                );
            }
        }
        for ev in &events {
            prop_assert!(Some(ev.at) == e.time() || e.time().is_some_and(|t| ev.at <= t));
            match &ev.change {
                Change::TicketIssued { ticket } => {
                    prop_assert!(
                        issued.insert((ticket.day, ticket.number.clone())),
                        "{} issued twice",
                        ticket.number
                    );
                }
                Change::TicketCalled {
                    ticket,
                    window,
                    class,
                    kind,
                    ..
                } => {
                    let count = streak.entry(*window).or_default();
                    if *kind == CallKind::Next
                        && *class == TicketClass::Priority
                        && !directed_before.contains(ticket)
                        && next_window.is_some_and(|(_, regular)| regular)
                    {
                        prop_assert!(
                            *count < PRIORITY_STREAK,
                            "priority starved regular tickets at window {}",
                            window
                        );
                    }
                    *count = if *class == TicketClass::Priority {
                        *count + 1
                    } else {
                        0
                    };
                }
                _ => {}
            }
        }
        log.extend(events);
        let day = e.day();
        prop_assert!(day >= last_day, "business day went back");
        last_day = day;
        if let Err(problem) = e.check_invariants() {
            prop_assert!(false, "{problem}");
        }
        check_public_view(&e)?;
    }
    if std::env::var("PROP_STATS").is_ok() {
        let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
        for ev in &log {
            *kinds.entry(ev.change.kind()).or_default() += 1;
        }
        eprintln!("{kinds:?}");
    }
    let mut replayed = Engine::new(r.clone());
    for ev in &log {
        replayed.apply(ev);
    }
    prop_assert_eq!(observable(&replayed), observable(&e));
    let restored = Engine::restore(r, e.snapshot());
    prop_assert_eq!(restored.snapshot(), e.snapshot());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_for_random_scripts(
        carry_over in any::<bool>(),
        expire in any::<bool>(),
        script in prop::collection::vec((step(), op()), 1..200),
    ) {
        run(carry_over, expire, script)?;
    }
}
