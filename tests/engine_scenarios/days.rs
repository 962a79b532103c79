//! Time: rollover, carry-over, clock jumps, widening, service-level alarms, closing, replay.

use hallq::core::rules::*;
use hallq::core::*;
use jiff::civil::{Date, date, time};

use crate::support::*;

pub const NEXT: Date = date(2026, 3, 11);

#[test]
fn rollover_restarts_numbers_and_expires_open_tickets() {
    let mut s = Script::new(rules());
    s.issue(at(9, 0), "A");
    s.issue(at(9, 1), "A");
    s.issue(at(9, 2), "B");
    s.call_next(at(9, 3), 1); // A001 called
    s.run(
        at(9, 4),
        Command::Finish {
            window: w(1),
            case_number: None,
        },
    )
    .unwrap();
    s.call_next(at(9, 5), 1); // A002 called
    s.run(at(9, 6), Command::Hold { window: w(1) }).unwrap();
    s.call_next(at(9, 7), 1); // B001 called
    // Before 04:00 the next morning it is still the same business day.
    s.run(on(NEXT, 3, 59), Command::Tick).unwrap();
    assert_eq!(s.e.day().map(|d| d.0), Some(DAY));
    assert!(
        s.changes()
            .iter()
            .all(|c| !matches!(c, Change::DayStarted { .. }))
    );
    assert_eq!(s.e.next_deadline(), Some(on(NEXT, 4, 0)));
    assert_eq!(s.issue(on(NEXT, 8, 40), "A"), "A001");
    let kinds = s.kinds();
    assert_eq!(
        kinds,
        [
            "ticket_expired",
            "ticket_expired",
            "day_started",
            "ticket_issued"
        ]
    );
    assert!(s.last.iter().all(|e| e.at == on(NEXT, 8, 40)));
    assert!(matches!(
        s.changes()[0],
        Change::TicketExpired {
            reason: ExpireReason::Rollover,
            ..
        }
    ));
    assert!(
        matches!(s.changes()[2], Change::DayStarted { day, previous: Some(p) } if day.0 == NEXT && p.0 == DAY)
    );
    // Yesterday's tickets left memory; windows hold nothing of them.
    assert_eq!(s.e.tickets().count(), 1);
    let w1 = s.e.window(w(1)).unwrap();
    assert_eq!(
        (w1.current, w1.held.len(), w1.last_finished),
        (None, 0, None)
    );
    assert_eq!(s.issue(on(NEXT, 8, 41), "B"), "B001");
}

#[test]
fn carry_over_keeps_open_tickets_and_today_wins_by_number() {
    let mut r = rules();
    r.carry_over = true;
    let mut s = Script::new(r);
    s.issue(at(9, 0), "B");
    s.issue(at(9, 1), "B");
    s.call_next(at(9, 2), 3);
    s.run(
        at(9, 3),
        Command::Finish {
            window: w(3),
            case_number: None,
        },
    )
    .unwrap();
    assert_eq!(s.issue(on(NEXT, 9, 0), "B"), "B001");
    // Yesterday's last visit was never rated: its timeout fires first.
    assert_eq!(
        s.kinds(),
        ["ticket_unrated", "day_started", "ticket_issued"]
    );
    // The finished B001 was dropped, the waiting B002 kept; the new B001 is today's.
    assert_eq!(s.e.tickets().count(), 2);
    assert_eq!(s.e.find_ticket(&num("B001")).unwrap().day.0, NEXT);
    assert_eq!(s.issue(on(NEXT, 9, 1), "B"), "B002");
    assert_eq!(s.e.find_ticket(&num("B002")).unwrap().day.0, NEXT);
    // The carried ticket waited longest, so it is called first.
    s.call_next(on(NEXT, 9, 2), 3);
    let current = s.e.window(w(3)).unwrap().current.unwrap();
    let carried = s.e.ticket(current).unwrap();
    assert_eq!((carried.number.as_str(), carried.day.0), ("B002", DAY));
}

#[test]
fn clock_back_across_the_rollover_and_forward_again() {
    let mut s = Script::new(rules());
    s.issue(at(16, 0), "B");
    assert_eq!(s.issue(on(NEXT, 8, 40), "B"), "B001");
    // The wall clock jumps back to yesterday evening (e.g. a Pi booting without RTC).
    assert_eq!(s.issue(at(23, 0), "B"), "B002");
    assert_eq!(s.kinds(), ["clock_went_back", "ticket_issued"]);
    assert!(matches!(s.changes()[0], Change::ClockWentBack { wall } if *wall == at(23, 0)));
    assert!(s.last.iter().all(|e| e.at == on(NEXT, 8, 40)));
    assert!(s.e.clock_alarm());
    // Still behind: no second alarm, no day regression, no duplicate.
    assert_eq!(s.issue(at(23, 30), "B"), "B003");
    assert_eq!(s.kinds(), ["ticket_issued"]);
    assert_eq!(s.e.day().map(|d| d.0), Some(NEXT));
    // Within a minute behind is no alarm.
    s.run(on(NEXT, 8, 39), Command::Tick).unwrap();
    assert!(s.last.is_empty());
    // Forward again.
    assert_eq!(s.issue(on(NEXT, 9, 0), "B"), "B004");
    assert!(!s.e.clock_alarm());
    assert_eq!(s.kinds(), ["ticket_issued"]);
    // A new jump back alarms again.
    s.run(on(NEXT, 3, 0), Command::Tick).unwrap();
    assert_eq!(s.kinds(), ["clock_went_back"]);
    let numbers: Vec<_> = s.e.tickets().map(|t| t.number.to_string()).collect();
    assert_eq!(numbers, ["B001", "B002", "B003", "B004"]);
    assert!(s.e.tickets().all(|t| t.day.0 == NEXT));
}

#[test]
fn numbers_widen_instead_of_wrapping() {
    let mut e = Engine::new(rules());
    let mut last = String::new();
    for i in 0..1000i64 {
        let now = at(9, 0)
            .checked_add(jiff::SignedDuration::from_secs(i))
            .unwrap();
        let Ok(Reply::Issued(id)) = e.handle(now, Command::Issue(req("B"))) else {
            panic!()
        };
        last = e.ticket(id).unwrap().number.to_string();
        if i == 998 {
            assert_eq!(last, "B999");
        }
    }
    assert_eq!(last, "B1000");
    e.check_invariants().unwrap();
    assert_eq!(
        e.find_ticket(&num("B1000"))
            .map(|t| t.issued_service.as_str()),
        Some("B")
    );
}

#[test]
fn service_level_alarms_fire_by_tick_and_next_deadline() {
    let mut s = Script::new(rules());
    s.issue(at(9, 0), "A");
    assert_eq!(s.e.next_deadline(), Some(at(9, 10)));
    s.run(at(9, 9), Command::Tick).unwrap();
    assert!(s.last.is_empty());
    s.run(at(9, 10), Command::Tick).unwrap();
    assert!(matches!(
        s.changes()[..],
        [Change::SlaBreached {
            phase: SlaPhase::Waiting,
            level: SlaLevel::Yellow,
            window: None,
            ..
        }]
    ));
    assert_eq!(s.e.next_deadline(), Some(at(9, 20)));
    // Due events stay even when the command itself is refused.
    assert_eq!(
        s.fail(at(9, 25), Command::Recall { window: w(1) }),
        Rejected::NoCurrentTicket(w(1))
    );
    assert!(matches!(
        s.changes()[..],
        [Change::SlaBreached {
            level: SlaLevel::Red,
            ..
        }]
    ));
    assert_eq!(
        s.e.find_ticket(&num("A001")).unwrap().wait_sla,
        Some(SlaLevel::Red)
    );
    // Called at 09:30: handling targets from the first call.
    s.call_next(at(9, 30), 2);
    assert_eq!(s.e.next_deadline(), Some(at(9, 45)));
    s.run(at(10, 10), Command::Tick).unwrap();
    let levels: Vec<_> = s
        .changes()
        .iter()
        .map(|c| match c {
            Change::SlaBreached {
                phase: SlaPhase::Handling,
                level,
                window: Some(n),
                ..
            } if *n == w(2) => *level,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(levels, [SlaLevel::Yellow, SlaLevel::Red]);
    let counts = s.e.sla_counts();
    assert_eq!(counts.len(), 4);
    assert!(
        counts
            .iter()
            .all(|c| c.count == 1 && c.service.as_str() == "A")
    );
    // Nothing is pending but the rollover.
    assert_eq!(s.e.next_deadline(), Some(on(NEXT, 4, 0)));
}

#[test]
fn waiting_and_held_tickets_expire_after_closing() {
    let mut r = rules();
    r.hours.expire_minutes_after_close = Some(30);
    let mut s = Script::new(r);
    for _ in 0..3 {
        s.issue(at(17, 0), "B");
    }
    s.call_next(at(17, 1), 3);
    s.run(at(17, 2), Command::Hold { window: w(3) }).unwrap();
    s.call_next(at(17, 3), 3); // B002 stays called
    assert_eq!(s.e.next_deadline(), Some(at(18, 0)));
    s.run(at(18, 0), Command::Tick).unwrap();
    assert_eq!(s.kinds(), ["ticket_expired", "ticket_expired"]);
    assert!(s.changes().iter().all(|c| matches!(
        c,
        Change::TicketExpired {
            reason: ExpireReason::Closing,
            ..
        }
    )));
    assert_eq!(
        (s.state("B001"), s.state("B002"), s.state("B003")),
        (
            TicketState::Expired,
            TicketState::Called,
            TicketState::Expired
        )
    );
    assert!(s.e.window(w(3)).unwrap().held.is_empty());
    assert_eq!(s.e.next_deadline(), Some(on(NEXT, 4, 0)));
}

fn observable(e: &Engine) -> Snapshot {
    let mut snap = e.snapshot();
    // Engine time and the clock alarm follow the wall clock, not only the events.
    snap.time = None;
    snap.clock_alarm = false;
    snap
}

#[test]
fn replay_and_restore_give_the_same_state() {
    let mut r = rules();
    r.carry_over = true;
    r.services[1].slot_quotas = vec![SlotQuota {
        from: time(9, 0, 0, 0),
        to: time(12, 0, 0, 0),
        max: 50,
    }];
    let mut s = Script::new(r.clone());
    s.run(
        at(9, 0),
        Command::ImportAppointments(vec![booking(
            "ap",
            "B",
            DAY,
            time(9, 0, 0, 0),
            time(10, 0, 0, 0),
        )]),
    )
    .unwrap();
    s.run(
        at(9, 0),
        Command::SignIn {
            window: w(1),
            staff: StaffId("s1".into()),
        },
    )
    .unwrap();
    for i in 0..6 {
        s.issue(at(9, i), if i % 2 == 0 { "A" } else { "B" });
    }
    s.run(at(9, 6), check_in("ap")).unwrap();
    s.issue_req(at(9, 7), with_id("C", "h", date(1940, 1, 1)));
    s.call_next(at(9, 8), 1);
    s.run(at(9, 9), Command::NoShow { window: w(1) }).unwrap();
    s.call_next(at(9, 10), 1);
    s.run(at(9, 11), Command::Hold { window: w(1) }).unwrap();
    s.call_next(at(9, 12), 3);
    s.run(
        at(9, 13),
        Command::Transfer {
            window: w(3),
            to: Target::Window(w(4)),
        },
    )
    .unwrap();
    s.call_next(at(9, 14), 2);
    s.run(
        at(9, 40),
        Command::Finish {
            window: w(2),
            case_number: Some("X".into()),
        },
    )
    .unwrap();
    s.run(at(9, 41), Command::Pause { window: w(4) }).unwrap();
    s.issue(on(NEXT, 9, 0), "A");
    s.run(on(NEXT, 8, 0), Command::Tick).unwrap();
    s.call_next(on(NEXT, 9, 30), 2);

    let mut replayed = Engine::new(r.clone());
    for event in &s.log {
        replayed.apply(event);
    }
    replayed.check_invariants().unwrap();
    assert_eq!(observable(&replayed), observable(&s.e));
    assert!(s.e.tickets().count() >= 5);

    let snap = s.e.snapshot();
    let json = serde_json::to_string(&snap).unwrap();
    let back: Snapshot = serde_json::from_str(&json).unwrap();
    let restored = Engine::restore(r, back);
    restored.check_invariants().unwrap();
    assert_eq!(restored.snapshot(), snap);
    assert_eq!(restored.next_deadline(), s.e.next_deadline());
    assert_eq!(
        restored.services_status(on(NEXT, 9, 31)),
        s.e.services_status(on(NEXT, 9, 31))
    );
}
