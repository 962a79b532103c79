//! Window commands: recall, no-show, hold, call specific, transfer, pause, finish, sign-in.

use hallq::core::*;

use crate::support::*;

#[test]
fn recall_is_capped() {
    let mut s = Script::new(rules());
    assert_eq!(
        s.fail(at(9, 0), Command::Recall { window: w(1) }),
        Rejected::NoCurrentTicket(w(1))
    );
    s.issue(at(9, 0), "A");
    s.call_next(at(9, 1), 1);
    for count in 1..=3u8 {
        assert_eq!(
            s.window_cmd(at(9, 2), Command::Recall { window: w(1) })
                .as_deref(),
            Some("A001")
        );
        assert!(
            matches!(s.changes()[..], [Change::TicketRecalled { count: c, .. }] if *c == count)
        );
    }
    assert_eq!(
        s.fail(at(9, 3), Command::Recall { window: w(1) }),
        Rejected::RecallLimit { limit: 3 }
    );
}

#[test]
fn no_show_requeues_k_places_back_then_drops() {
    let mut r = rules();
    r.queue.requeue_places = 2;
    r.queue.requeue_max = 1;
    let mut s = Script::new(r);
    for i in 0..5 {
        s.issue(at(9, i), "B");
    }
    assert_eq!(s.call_next(at(9, 10), 3), "B001");
    assert_eq!(
        s.window_cmd(at(9, 11), Command::NoShow { window: w(3) }),
        None
    );
    assert!(matches!(
        s.changes()[..],
        [Change::TicketMissed {
            requeued_at: Some(_),
            ..
        }]
    ));
    assert_eq!(s.state("B001"), TicketState::Waiting);
    let a1 = s.e.find_ticket(&num("B001")).unwrap().id;
    assert_eq!(s.e.waiting_ahead(a1), 2);
    let order: Vec<String> = (0..3).map(|i| s.call_next(at(9, 12 + i), 3)).collect();
    assert_eq!(order, ["B002", "B003", "B001"]);
    // Second no-show: dropped.
    s.window_cmd(at(9, 20), Command::NoShow { window: w(3) });
    // B003's visit ended at 9:14 and nobody rated it within the 60 s: it is
    // recorded as unrated before the no-show.
    assert!(matches!(
        s.changes()[..],
        [
            Change::TicketUnrated { .. },
            Change::TicketMissed {
                requeued_at: None,
                ..
            }
        ]
    ));
    assert_eq!(s.state("B001"), TicketState::Missed);
    assert_eq!(s.e.find_ticket(&num("B001")).unwrap().no_shows, 2);
    assert_eq!(s.call_next(at(9, 21), 3), "B004");
    // A missed ticket of today can be called back by number.
    assert_eq!(
        s.window_cmd(
            at(9, 22),
            Command::CallSpecific {
                window: w(3),
                number: num("B001")
            }
        )
        .as_deref(),
        Some("B001")
    );
    assert!(matches!(
        s.changes()[..],
        [
            Change::TicketFinished { implicit: true, .. },
            Change::TicketCalled {
                kind: CallKind::Specific,
                ..
            }
        ]
    ));
}

#[test]
fn hold_and_resume_held() {
    let mut s = Script::new(rules());
    s.issue(at(9, 0), "A");
    s.issue(at(9, 1), "A");
    s.issue(at(9, 2), "A");
    s.call_next(at(9, 5), 1);
    assert_eq!(s.window_cmd(at(9, 6), Command::Hold { window: w(1) }), None);
    assert_eq!(s.state("A001"), TicketState::Held);
    let a1 = s.e.find_ticket(&num("A001")).unwrap().id;
    assert_eq!(s.e.window(w(1)).unwrap().held, vec![a1]);
    assert_eq!(s.call_next(at(9, 7), 1), "A002");
    assert_eq!(
        s.fail(
            at(9, 8),
            Command::ResumeHeld {
                window: w(2),
                number: num("A001")
            }
        ),
        Rejected::NotYourTicket {
            number: num("A001"),
            window: w(2),
            owner: Some(w(1))
        }
    );
    assert_eq!(
        s.fail(
            at(9, 8),
            Command::CallSpecific {
                window: w(2),
                number: num("A001")
            }
        ),
        Rejected::NotYourTicket {
            number: num("A001"),
            window: w(2),
            owner: Some(w(1))
        }
    );
    assert_eq!(
        s.fail(
            at(9, 8),
            Command::ResumeHeld {
                window: w(1),
                number: num("A003")
            }
        ),
        Rejected::NotCallable {
            number: num("A003"),
            state: TicketState::Waiting
        }
    );
    assert_eq!(
        s.fail(
            at(9, 8),
            Command::ResumeHeld {
                window: w(1),
                number: num("A404")
            }
        ),
        Rejected::UnknownTicket(num("A404"))
    );
    assert_eq!(
        s.window_cmd(
            at(9, 9),
            Command::ResumeHeld {
                window: w(1),
                number: num("A001")
            }
        )
        .as_deref(),
        Some("A001")
    );
    assert!(matches!(
        s.changes()[..],
        [
            Change::TicketFinished { implicit: true, .. },
            Change::TicketCalled {
                kind: CallKind::Resumed,
                ..
            }
        ]
    ));
    assert_eq!(s.state("A002"), TicketState::Finished);
    assert!(s.e.window(w(1)).unwrap().held.is_empty());
}

#[test]
fn call_specific_checks_where_the_ticket_is() {
    let mut s = Script::new(rules());
    s.issue(at(9, 0), "A");
    s.issue(at(9, 0), "B");
    assert_eq!(
        s.fail(
            at(9, 1),
            Command::CallSpecific {
                window: w(9),
                number: num("A001")
            }
        ),
        Rejected::UnknownWindow(w(9))
    );
    assert_eq!(
        s.fail(
            at(9, 1),
            Command::CallSpecific {
                window: w(1),
                number: num("A009")
            }
        ),
        Rejected::UnknownTicket(num("A009"))
    );
    assert_eq!(
        s.fail(
            at(9, 1),
            Command::CallSpecific {
                window: w(3),
                number: num("A001")
            }
        ),
        Rejected::NotServedHere {
            window: w(3),
            service: ServiceId::new("A")
        }
    );
    assert_eq!(
        s.window_cmd(
            at(9, 2),
            Command::CallSpecific {
                window: w(2),
                number: num("A001")
            }
        )
        .as_deref(),
        Some("A001")
    );
    assert_eq!(
        s.fail(
            at(9, 3),
            Command::CallSpecific {
                window: w(1),
                number: num("A001")
            }
        ),
        Rejected::AlreadyCalled {
            number: num("A001"),
            by: w(2)
        }
    );
    s.run(
        at(9, 4),
        Command::Finish {
            window: w(2),
            case_number: Some("2026-0001".into()),
        },
    )
    .unwrap();
    assert_eq!(
        s.fail(
            at(9, 5),
            Command::CallSpecific {
                window: w(2),
                number: num("A001")
            }
        ),
        Rejected::NotCallable {
            number: num("A001"),
            state: TicketState::Finished
        }
    );
    // A staff member limited to B may not call A, and call-next skips A for them.
    s.issue(at(9, 6), "A");
    s.run(
        at(9, 6),
        Command::SignIn {
            window: w(1),
            staff: StaffId("s2".into()),
        },
    )
    .unwrap();
    assert_eq!(
        s.fail(
            at(9, 7),
            Command::CallSpecific {
                window: w(1),
                number: num("A002")
            }
        ),
        Rejected::StaffNotAllowed {
            staff: StaffId("s2".into()),
            service: ServiceId::new("A")
        }
    );
    assert_eq!(s.call_next(at(9, 8), 1), "B001");
    assert_eq!(
        s.e.find_ticket(&num("B001")).unwrap().staff,
        Some(StaffId("s2".into()))
    );
}

#[test]
fn transfer_to_a_service_keeps_the_original_issue_time() {
    let mut s = Script::new(rules());
    s.issue(at(9, 0), "A");
    s.issue(at(9, 5), "B");
    s.issue(at(9, 10), "B");
    s.call_next(at(9, 20), 2);
    assert_eq!(
        s.fail(
            at(9, 21),
            Command::Transfer {
                window: w(2),
                to: Target::Service(ServiceId::new("A"))
            }
        ),
        Rejected::TransferToSelf
    );
    assert_eq!(
        s.fail(
            at(9, 21),
            Command::Transfer {
                window: w(2),
                to: Target::Service(ServiceId::new("Z"))
            }
        ),
        Rejected::UnknownService(ServiceId::new("Z"))
    );
    assert_eq!(
        s.fail(
            at(9, 21),
            Command::Transfer {
                window: w(2),
                to: Target::Window(w(9))
            }
        ),
        Rejected::UnknownWindow(w(9))
    );
    assert_eq!(
        s.fail(
            at(9, 21),
            Command::Transfer {
                window: w(2),
                to: Target::Window(w(2))
            }
        ),
        Rejected::TransferToSelf
    );
    assert_eq!(
        s.fail(
            at(9, 21),
            Command::Transfer {
                window: w(3),
                to: Target::Window(w(2))
            }
        ),
        Rejected::NoCurrentTicket(w(3))
    );
    assert_eq!(
        s.window_cmd(
            at(9, 22),
            Command::Transfer {
                window: w(2),
                to: Target::Service(ServiceId::new("B"))
            }
        ),
        None
    );
    let t = s.e.find_ticket(&num("A001")).unwrap();
    assert_eq!(
        (t.state, t.service.as_str(), t.issued_at),
        (TicketState::Waiting, "B", at(9, 0))
    );
    assert_eq!(t.transfers.len(), 1);
    assert_eq!(t.transfers[0].from_window, Some(w(2)));
    assert_eq!(s.call_next(at(9, 23), 3), "A001");
    assert_eq!(s.call_next(at(9, 24), 3), "B001");
}

#[test]
fn transfer_to_a_window_is_only_for_that_window() {
    let mut s = Script::new(rules());
    s.issue(at(9, 0), "B");
    s.issue(at(9, 1), "B");
    s.issue(at(9, 2), "A");
    s.call_next(at(9, 5), 3); // B001
    s.window_cmd(
        at(9, 6),
        Command::Transfer {
            window: w(3),
            to: Target::Window(w(2)),
        },
    );
    assert_eq!(
        s.e.find_ticket(&num("B001")).unwrap().directed_to,
        Some(w(2))
    );
    assert_eq!(
        s.fail(
            at(9, 7),
            Command::CallSpecific {
                window: w(1),
                number: num("B001")
            }
        ),
        Rejected::NotYourTicket {
            number: num("B001"),
            window: w(1),
            owner: Some(w(2))
        }
    );
    // Window 1 serves B but does not get it; window 2 (A only) gets it first.
    assert_eq!(s.call_next(at(9, 8), 1), "B002");
    assert_eq!(s.call_next(at(9, 9), 2), "B001");
    assert_eq!(s.call_next(at(9, 10), 2), "A001");
}

#[test]
fn pause_and_resume() {
    let mut s = Script::new(rules());
    s.issue(at(9, 0), "A");
    s.issue(at(9, 0), "A");
    let a2 = s.e.find_ticket(&num("A002")).unwrap().id;
    assert_eq!(s.e.estimated_wait_minutes(a2), 3);
    assert_eq!(
        s.fail(at(9, 1), Command::Resume { window: w(2) }),
        Rejected::WindowNotPaused(w(2))
    );
    s.run(at(9, 1), Command::Pause { window: w(2) }).unwrap();
    assert_eq!(s.kinds(), ["window_paused"]);
    assert!(s.e.window(w(2)).unwrap().paused);
    // One window fewer: 1 ahead × 6 min / 1 window.
    assert_eq!(s.e.estimated_wait_minutes(a2), 6);
    assert_eq!(
        s.fail(at(9, 2), Command::CallNext { window: w(2) }),
        Rejected::WindowPaused(w(2))
    );
    s.run(at(9, 3), Command::Resume { window: w(2) }).unwrap();
    assert_eq!(s.kinds(), ["window_resumed"]);
    assert_eq!(s.call_next(at(9, 4), 2), "A001");
}

#[test]
fn finish_explicitly_and_implicitly() {
    let mut s = Script::new(rules());
    assert_eq!(
        s.fail(
            at(9, 0),
            Command::Finish {
                window: w(1),
                case_number: None
            }
        ),
        Rejected::NoCurrentTicket(w(1))
    );
    assert_eq!(
        s.fail(at(9, 0), Command::CallNext { window: w(1) }),
        Rejected::NoTicketWaiting(w(1))
    );
    s.issue(at(9, 0), "A");
    s.issue(at(9, 0), "A");
    s.call_next(at(9, 1), 1);
    s.call_next(at(9, 7), 1);
    assert!(matches!(
        s.changes()[..],
        [
            Change::TicketFinished { implicit: true, .. },
            Change::TicketCalled { .. }
        ]
    ));
    assert_eq!(
        s.window_cmd(
            at(9, 10),
            Command::Finish {
                window: w(1),
                case_number: Some("BJ-1".into())
            }
        ),
        None
    );
    let a2 = s.e.find_ticket(&num("A002")).unwrap();
    assert_eq!(
        (a2.state, a2.case_number.as_deref(), a2.finished_at),
        (TicketState::Finished, Some("BJ-1"), Some(at(9, 10)))
    );
    assert_eq!(s.e.window(w(1)).unwrap().last_finished, Some(a2.id));
    // Average handling today is 4.5 minutes: the estimate follows it.
    s.issue(at(9, 11), "A");
    s.issue(at(9, 11), "A");
    let a4 = s.e.find_ticket(&num("A004")).unwrap().id;
    assert_eq!(s.e.estimated_wait_minutes(a4), 3); // ceil(1 × 4.5 / 2)
}

#[test]
fn sign_in_and_out() {
    let mut r = rules();
    r.require_sign_in = true;
    let mut s = Script::new(r);
    s.issue(at(9, 0), "A");
    assert_eq!(
        s.fail(at(9, 1), Command::CallNext { window: w(1) }),
        Rejected::NotSignedIn(w(1))
    );
    assert_eq!(
        s.fail(
            at(9, 1),
            Command::SignIn {
                window: w(1),
                staff: StaffId("nobody".into())
            }
        ),
        Rejected::UnknownStaff(StaffId("nobody".into()))
    );
    assert_eq!(
        s.fail(at(9, 1), Command::SignOut { window: w(1) }),
        Rejected::NotSignedIn(w(1))
    );
    assert_eq!(
        s.run(
            at(9, 1),
            Command::SignIn {
                window: w(1),
                staff: StaffId("s1".into())
            }
        ),
        Ok(Reply::Done)
    );
    assert_eq!(s.call_next(at(9, 2), 1), "A001");
    assert!(
        matches!(s.changes()[..], [Change::TicketCalled { staff: Some(st), .. }] if st.0 == "s1")
    );
    s.run(
        at(9, 3),
        Command::Finish {
            window: w(1),
            case_number: None,
        },
    )
    .unwrap();
    assert!(
        matches!(s.changes()[..], [Change::TicketFinished { staff: Some(st), .. }] if st.0 == "s1")
    );
    // Signing in elsewhere signs out here first.
    s.run(
        at(9, 4),
        Command::SignIn {
            window: w(2),
            staff: StaffId("s1".into()),
        },
    )
    .unwrap();
    // The visit finished at 9:03 went unrated (60 s timeout) before the sign-in.
    assert_eq!(
        s.kinds(),
        ["ticket_unrated", "staff_signed_out", "staff_signed_in"]
    );
    assert_eq!(s.e.window(w(1)).unwrap().staff, None);
    s.run(at(9, 5), Command::SignOut { window: w(2) }).unwrap();
    assert_eq!(s.kinds(), ["staff_signed_out"]);
}
