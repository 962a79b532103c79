//! Issuing: numbers, hours, quotas, one-ID-one-number, priority, appointments.

use hallq::core::rules::*;
use hallq::core::*;
use jiff::civil::{date, time};

use crate::support::*;

#[test]
fn first_command_starts_the_day_and_numbers_count_per_prefix() {
    let mut s = Script::new(rules());
    assert_eq!(s.issue(at(9, 0), "A"), "A001");
    assert_eq!(s.kinds(), ["day_started", "ticket_issued"]);
    assert!(matches!(s.changes()[0], Change::DayStarted { previous: None, day } if day.0 == DAY));
    assert_eq!(s.issue(at(9, 1), "A"), "A002");
    assert_eq!(s.issue(at(9, 2), "B"), "B001");
    assert_eq!(s.kinds(), ["ticket_issued"]);
    let Change::TicketIssued { ticket } = s.changes()[0] else {
        panic!()
    };
    assert_eq!(
        (ticket.state, ticket.class, ticket.issued_at),
        (TicketState::Waiting, TicketClass::WalkIn, at(9, 2))
    );
    assert!(s.last.iter().all(|e| e.at == at(9, 2)));
    let a2 = s.e.find_ticket(&num("A002")).unwrap().id;
    assert_eq!(s.e.waiting_ahead(a2), 1);
    // 1 ahead × 6 min / 2 windows serving A = 3.
    assert_eq!(s.e.estimated_wait_minutes(a2), 3);
    let status = s.e.services_status(at(9, 3));
    assert_eq!(
        (
            status[0].waiting,
            status[0].issued_today,
            status[0].availability
        ),
        (2, 2, Availability::Open)
    );
    assert_eq!(status[0].windows, vec![w(1), w(2)]);
    assert_eq!(
        s.e.waiting_for_window(w(1)),
        vec![(ServiceId::new("A"), 2), (ServiceId::new("B"), 1)]
    );
    assert_eq!(s.e.day().map(|d| d.0), Some(DAY));
    assert_eq!(s.e.time(), Some(at(9, 2)));
}

#[test]
fn hours_refuse_with_the_reason() {
    let mut r = rules();
    r.hours.stop_issuing_minutes_before_close = 10;
    r.services[3].sessions = Some(vec![Session {
        open: time(9, 0, 0, 0),
        close: time(11, 0, 0, 0),
    }]);
    let mut s = Script::new(r);
    let closed = |reason| Rejected::Closed {
        service: ServiceId::new("A"),
        reason,
    };
    assert_eq!(
        s.fail(at(8, 0), Command::Issue(req("A"))),
        closed(ClosedReason::NotYetOpen {
            opens_at: time(8, 30, 0, 0)
        })
    );
    assert_eq!(
        s.e.services_status(at(8, 0))[0].availability,
        Availability::Closed {
            reason: ClosedReason::NotYetOpen {
                opens_at: time(8, 30, 0, 0)
            }
        }
    );
    assert_eq!(
        s.fail(at(12, 30), Command::Issue(req("A"))),
        closed(ClosedReason::LunchBreak {
            resumes_at: time(14, 0, 0, 0)
        })
    );
    // Stop issuing 10 minutes before the morning close is lunch already.
    assert_eq!(
        s.fail(at(11, 55), Command::Issue(req("A"))),
        closed(ClosedReason::LunchBreak {
            resumes_at: time(14, 0, 0, 0)
        })
    );
    assert_eq!(
        s.fail(at(17, 25), Command::Issue(req("A"))),
        closed(ClosedReason::ClosedForTheDay)
    );
    // Service D has its own hours.
    assert!(matches!(
        s.fail(at(17, 26), Command::Issue(req("D"))),
        Rejected::Closed {
            reason: ClosedReason::ClosedForTheDay,
            ..
        }
    ));
    // Saturday and a holiday.
    assert_eq!(
        s.fail(on(date(2026, 3, 14), 10, 0), Command::Issue(req("A"))),
        closed(ClosedReason::ClosedToday)
    );
    assert_eq!(
        s.fail(on(date(2026, 3, 12), 10, 0), Command::Issue(req("A"))),
        closed(ClosedReason::ClosedToday)
    );
    assert_eq!(
        s.fail(on(date(2026, 3, 12), 10, 0), Command::Issue(req("Z"))),
        Rejected::UnknownService(ServiceId::new("Z"))
    );
}

#[test]
fn daily_and_slot_quotas() {
    let mut r = rules();
    r.services[1].daily_quota = Some(2);
    r.services[3].slot_quotas = vec![
        SlotQuota {
            from: time(9, 0, 0, 0),
            to: time(10, 0, 0, 0),
            max: 1,
        },
        SlotQuota {
            from: time(10, 0, 0, 0),
            to: time(11, 0, 0, 0),
            max: 1,
        },
    ];
    let mut s = Script::new(r);
    s.issue(at(9, 0), "B");
    s.issue(at(9, 1), "B");
    let daily = Rejected::QuotaReached {
        service: ServiceId::new("B"),
        kind: QuotaKind::Daily { max: 2 },
    };
    assert_eq!(s.fail(at(9, 2), Command::Issue(req("B"))), daily);
    assert_eq!(
        s.e.services_status(at(9, 2))[1].availability,
        Availability::QuotaReached {
            quota: QuotaKind::Daily { max: 2 }
        }
    );
    assert_eq!(s.issue(at(9, 5), "D"), "D001");
    assert_eq!(
        s.fail(at(9, 30), Command::Issue(req("D"))),
        Rejected::QuotaReached {
            service: ServiceId::new("D"),
            kind: QuotaKind::Slot {
                max: 1,
                next_slot: Some(time(10, 0, 0, 0))
            }
        }
    );
    assert_eq!(s.issue(at(10, 5), "D"), "D002");
    assert!(matches!(
        s.fail(at(10, 6), Command::Issue(req("D"))),
        Rejected::QuotaReached {
            kind: QuotaKind::Slot {
                next_slot: None,
                ..
            },
            ..
        }
    ));
    // Outside every slot there is no slot quota.
    assert_eq!(s.issue(at(11, 0), "D"), "D003");
}

#[test]
fn one_id_one_number_and_required_id() {
    let mut s = Script::new(rules());
    let young = date(1990, 5, 1);
    assert_eq!(
        s.fail(at(9, 0), Command::Issue(req("C"))),
        Rejected::IdNumberRequired(ServiceId::new("C"))
    );
    assert_eq!(s.issue_req(at(9, 1), with_id("C", "h1", young)), "C001");
    let c1 = s.e.find_ticket(&num("C001")).unwrap();
    assert_eq!(
        (c1.id_hash.as_deref(), c1.id_last4.as_deref()),
        (Some("h1"), Some("1234"))
    );
    let c1 = c1.id;
    assert_eq!(
        s.fail(at(9, 2), Command::Issue(with_id("C", "h1", young))),
        Rejected::DuplicateIdNumber {
            existing: num("C001"),
            ticket: c1
        }
    );
    assert_eq!(s.issue_req(at(9, 3), with_id("C", "h2", young)), "C002");
    // Another service is not limited by service C's rule.
    assert_eq!(s.issue_req(at(9, 3), with_id("A", "h1", young)), "A001");
    // Once finished, the same ID may take a new number.
    assert_eq!(s.call_next(at(9, 4), 3), "C001");
    assert_eq!(
        s.window_cmd(
            at(9, 5),
            Command::Finish {
                window: w(3),
                case_number: None
            }
        ),
        None
    );
    assert_eq!(s.issue_req(at(9, 6), with_id("C", "h1", young)), "C003");
}

#[test]
fn age_and_staff_priority_and_the_streak() {
    let mut s = Script::new(rules());
    s.issue(at(9, 0), "A"); // A001 walk-in
    s.issue(at(9, 0), "A"); // A002 walk-in
    assert_eq!(
        s.issue_req(at(9, 1), with_id("A", "old", date(1950, 1, 1))),
        "A003"
    );
    let t = s.e.find_ticket(&num("A003")).unwrap();
    assert_eq!(
        (t.class, t.priority),
        (TicketClass::Priority, Some(PriorityReason::Age))
    );
    // Turns 70 the day after: no priority yet.
    assert_eq!(
        s.issue_req(at(9, 1), with_id("A", "almost", date(1956, 3, 11))),
        "A004"
    );
    assert_eq!(
        s.e.find_ticket(&num("A004")).unwrap().class,
        TicketClass::WalkIn
    );
    for _ in 0..4 {
        s.issue_req(
            at(9, 2),
            IssueRequest {
                staff_priority: true,
                ..req("A")
            },
        );
    }
    let t = s.e.find_ticket(&num("A005")).unwrap();
    assert_eq!(
        (t.class, t.priority),
        (TicketClass::Priority, Some(PriorityReason::Staff))
    );
    // Priority A003 A005 A006, then one regular A001, then A007 A008, then A002 A004.
    let order: Vec<String> = (0..8).map(|i| s.call_next(at(9, 10 + i), 2)).collect();
    assert_eq!(
        order,
        [
            "A003", "A005", "A006", "A001", "A007", "A008", "A002", "A004"
        ]
    );
    assert_eq!(
        s.fail(at(9, 30), Command::CallNext { window: w(2) }),
        Rejected::NoTicketWaiting(w(2))
    );
    // The last ticket is still current after the refused call.
    assert_eq!(s.state("A004"), TicketState::Called);
}

#[test]
fn appointments_check_in_by_slot() {
    let mut s = Script::new(rules());
    let slot = |code: &str, h: i8| booking(code, "B", DAY, time(h, 0, 0, 0), time(h + 1, 0, 0, 0));
    let list = vec![
        slot("in", 9),
        slot("in2", 9),
        slot("in3", 9),
        slot("in4", 9),
        slot("early", 11),
        slot("late", 8),
        booking(
            "tomorrow",
            "B",
            date(2026, 3, 11),
            time(9, 0, 0, 0),
            time(10, 0, 0, 0),
        ),
    ];
    assert_eq!(
        s.run(at(9, 0), Command::ImportAppointments(list.clone())),
        Ok(Reply::Done)
    );
    assert_eq!(
        s.kinds()
            .iter()
            .filter(|k| **k == "appointment_booked")
            .count(),
        7
    );
    // Importing the same list again changes nothing; a different booking under a used code is refused.
    assert_eq!(
        s.run(at(9, 0), Command::ImportAppointments(list)),
        Ok(Reply::Done)
    );
    assert!(s.last.is_empty());
    assert_eq!(
        s.fail(at(9, 0), Command::ImportAppointments(vec![slot("in", 14)])),
        Rejected::AppointmentConflict { code: "in".into() }
    );
    assert_eq!(
        s.fail(
            at(9, 0),
            Command::ImportAppointments(vec![booking(
                "x",
                "Z",
                DAY,
                time(9, 0, 0, 0),
                time(10, 0, 0, 0)
            )])
        ),
        Rejected::UnknownService(ServiceId::new("Z"))
    );
    // Walk-in first, then check-ins.
    assert_eq!(s.issue(at(9, 5), "B"), "B001");
    assert_eq!(
        s.issue_req(
            at(9, 10),
            IssueRequest {
                appointment_code: Some("in".into()),
                ..req("A")
            }
        ),
        "B002"
    );
    assert_eq!(
        s.e.find_ticket(&num("B002")).unwrap().class,
        TicketClass::Appointment
    );
    assert_eq!(
        s.e.appointment("in")
            .unwrap()
            .checked_in
            .as_ref()
            .map(|c| c.1.clone()),
        Some(num("B002"))
    );
    assert_eq!(
        s.fail(at(9, 11), check_in("in")),
        Rejected::AppointmentUsed {
            number: num("B002")
        }
    );
    assert_eq!(
        s.fail(at(9, 11), check_in("nope")),
        Rejected::UnknownAppointment
    );
    assert_eq!(
        s.fail(at(9, 11), check_in("tomorrow")),
        Rejected::AppointmentNotToday {
            date: date(2026, 3, 11)
        }
    );
    assert_eq!(
        s.fail(at(9, 11), check_in("early")),
        Rejected::AppointmentTooEarly {
            opens_at: time(10, 30, 0, 0)
        }
    );
    // Late with the default policy: a walk-in ticket.
    assert_eq!(
        s.issue_req(
            at(9, 12),
            IssueRequest {
                appointment_code: Some("late".into()),
                ..req("B")
            }
        ),
        "B003"
    );
    assert_eq!(
        s.e.find_ticket(&num("B003")).unwrap().class,
        TicketClass::WalkIn
    );
    for code in ["in2", "in3", "in4"] {
        s.run(at(9, 13), check_in(code)).unwrap();
    }
    // 3 appointments : 1 walk-in.
    let order: Vec<String> = (0..6).map(|i| s.call_next(at(9, 20 + i), 3)).collect();
    assert_eq!(order, ["B002", "B004", "B005", "B001", "B006", "B003"]);
}

#[test]
fn late_appointments_can_be_refused() {
    let mut r = rules();
    r.appointments.late_policy = LatePolicy::Reject;
    r.appointments.grace_minutes = 5;
    let mut s = Script::new(r);
    s.run(
        at(9, 0),
        Command::ImportAppointments(vec![booking(
            "late",
            "B",
            DAY,
            time(8, 30, 0, 0),
            time(9, 0, 0, 0),
        )]),
    )
    .unwrap();
    // Inside the grace period it is still an appointment.
    s.run(at(9, 5), Command::Tick).unwrap();
    assert_eq!(
        s.fail(at(9, 6), check_in("late")),
        Rejected::AppointmentTooLate {
            ended_at: time(9, 0, 0, 0)
        }
    );
    let mut s = Script::new({
        let mut r = rules();
        r.appointments.grace_minutes = 5;
        r
    });
    s.run(
        at(9, 0),
        Command::ImportAppointments(vec![booking(
            "late",
            "B",
            DAY,
            time(8, 30, 0, 0),
            time(9, 0, 0, 0),
        )]),
    )
    .unwrap();
    s.run(at(9, 5), check_in("late")).unwrap();
    assert_eq!(
        s.e.find_ticket(&num("B001")).unwrap().class,
        TicketClass::Appointment
    );
}
