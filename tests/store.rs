//! The durable store against real SQLite files.

#[path = "store/faults.rs"]
mod faults;
#[path = "store/fixtures.rs"]
mod fixtures;

use hallq::core::{
    Change, Event, ExpireReason, OrderKey, ServiceId, StaffId, Target, Ticket, TicketId,
    TicketNumber, TicketState, WindowNo,
};
use hallq::store::{Store, TicketFilter};

use fixtures::*;

#[test]
fn append_and_load_round_trip_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let first = vec![day_started(DAY1, 0), issued(1, DAY1, "A001", "A", 1)];
    let second = vec![called(1, "A001", "A", 3, 2)];
    {
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.last_seq().unwrap(), 0);
        let a = store.append(&first, None).unwrap();
        let b = store.append(&second, None).unwrap();
        assert_eq!(a.len(), 2);
        assert!(a[0] < a[1] && a[1] < b[0], "seqs {a:?} {b:?}");
        assert_eq!(store.last_seq().unwrap(), b[0]);
    }
    let mut store = Store::open(&path).unwrap();
    let loaded = store.load().unwrap();
    assert_eq!(loaded.snapshot, None);
    let expected: Vec<Event> = first.iter().chain(&second).cloned().collect();
    let got: Vec<Event> = loaded.events.iter().map(|e| e.event.clone()).collect();
    assert_eq!(got, expected);
    let seqs: Vec<u64> = loaded.events.iter().map(|e| e.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    // Numbering continues after the reopen, never reusing a seq.
    let c = store
        .append(&[issued(2, DAY1, "A002", "A", 3)], None)
        .unwrap();
    assert!(c[0] > *seqs.last().unwrap());
    // An empty batch stores nothing.
    assert_eq!(store.append(&[], None).unwrap(), Vec::<u64>::new());
    assert_eq!(store.last_seq().unwrap(), c[0]);
}

#[test]
fn rows_are_tagged_with_the_business_day_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    {
        let mut store = Store::open(&path).unwrap();
        store
            .append(
                &[day_started(DAY1, 0), issued(1, DAY1, "A001", "A", 1)],
                None,
            )
            .unwrap();
    }
    {
        let mut store = Store::open(&path).unwrap();
        store.append(&[called(1, "A001", "A", 1, 2)], None).unwrap();
        store
            .append(
                &[
                    day_started(DAY2, 90_000),
                    issued(2, DAY2, "A001", "A", 90_001),
                ],
                None,
            )
            .unwrap();
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let days: Vec<(String, String)> = conn
        .prepare("SELECT kind, day FROM events ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let d1 = DAY1.to_string();
    let d2 = DAY2.to_string();
    assert_eq!(
        days,
        vec![
            ("day_started".into(), d1.clone()),
            ("ticket_issued".into(), d1.clone()),
            ("ticket_called".into(), d1),
            ("day_started".into(), d2.clone()),
            ("ticket_issued".into(), d2),
        ]
    );
}

#[test]
fn load_returns_the_latest_snapshot_and_only_later_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = Store::open(&path).unwrap();
    store
        .append(&[day_started(DAY1, 0)], Some(b"{\"n\":0}"))
        .unwrap();
    let mut covered = 0;
    for i in 1..=5u64 {
        let seqs = store
            .append(
                &[issued(i, DAY1, &format!("A{i:03}"), "A", i as i64)],
                Some(format!("{{\"n\":{i}}}").as_bytes()),
            )
            .unwrap();
        covered = seqs[0];
    }
    let later = store
        .append(
            &[called(1, "A001", "A", 1, 10), called(2, "A002", "A", 2, 11)],
            None,
        )
        .unwrap();
    drop(store);

    let store = Store::open(&path).unwrap();
    let loaded = store.load().unwrap();
    assert_eq!(loaded.snapshot, Some((covered, b"{\"n\":5}".to_vec())));
    let seqs: Vec<u64> = loaded.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, later);
    // Only the newest three snapshots are kept.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let kept: i64 = conn
        .query_row("SELECT count(*) FROM snapshots", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 3);
}

#[test]
fn projection_follows_a_tickets_whole_life() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let n = || TicketNumber("A001".into());
    let w = WindowNo(3);
    let events = vec![
        day_started(DAY1, 0),
        issued(1, DAY1, "A001", "A", 10),
        called(1, "A001", "A", 3, 20),
        ev(
            25,
            Change::TicketRecalled {
                ticket: TicketId(1),
                number: n(),
                window: w,
                count: 1,
            },
        ),
        ev(
            30,
            Change::TicketRecalled {
                ticket: TicketId(1),
                number: n(),
                window: w,
                count: 2,
            },
        ),
        ev(
            40,
            Change::TicketMissed {
                ticket: TicketId(1),
                number: n(),
                window: w,
                requeued_at: Some(OrderKey { ms: 50_000, sub: 1 }),
            },
        ),
    ];
    store.append(&events, None).unwrap();
    let row = &all(&store, TicketFilter::default())[0];
    assert_eq!(row.state, TicketState::Waiting);
    assert_eq!((row.no_shows, row.recalls, row.window), (1, 2, None));
    assert_eq!(row.first_called_at, Some(ts(20)));

    store
        .append(
            &[
                called(1, "A001", "A", 4, 60),
                ev(
                    70,
                    Change::TicketHeld {
                        ticket: TicketId(1),
                        number: n(),
                        window: WindowNo(4),
                    },
                ),
            ],
            None,
        )
        .unwrap();
    let row = &all(&store, TicketFilter::default())[0];
    assert_eq!(
        (row.state, row.window, row.recalls),
        (TicketState::Held, Some(4), 0)
    );
    assert_eq!(
        (row.first_called_at, row.called_at),
        (Some(ts(20)), Some(ts(60)))
    );

    store
        .append(
            &[ev(
                80,
                Change::TicketTransferred {
                    ticket: TicketId(1),
                    number: n(),
                    from_window: Some(WindowNo(4)),
                    to: Target::Service(ServiceId::new("B")),
                    service: ServiceId::new("B"),
                },
            )],
            None,
        )
        .unwrap();
    let row = &all(&store, TicketFilter::default())[0];
    assert_eq!(
        (row.state, row.window, row.transfers),
        (TicketState::Waiting, None, 1)
    );
    assert_eq!(
        (row.service.as_str(), row.issued_service.as_str()),
        ("B", "A")
    );

    store
        .append(
            &[
                called(1, "A001", "B", 5, 90),
                ev(
                    120,
                    Change::TicketFinished {
                        ticket: TicketId(1),
                        number: n(),
                        window: WindowNo(5),
                        staff: Some(StaffId("S07".into())),
                        case_number: Some("BJ-2025-0001".into()),
                        implicit: false,
                    },
                ),
                issued(2, DAY1, "A002", "A", 130),
                issued(3, DAY1, "A003", "A", 131),
                called(3, "A003", "A", 1, 140),
                ev(
                    150,
                    Change::TicketMissed {
                        ticket: TicketId(3),
                        number: TicketNumber("A003".into()),
                        window: WindowNo(1),
                        requeued_at: None,
                    },
                ),
                ev(
                    200,
                    Change::TicketExpired {
                        ticket: TicketId(2),
                        number: TicketNumber("A002".into()),
                        reason: ExpireReason::Closing,
                    },
                ),
                day_started(DAY2, 90_000),
                issued(4, DAY2, "A001", "A", 90_010),
            ],
            None,
        )
        .unwrap();

    let rows = all(
        &store,
        TicketFilter {
            day: Some(DAY1),
            ..Default::default()
        },
    );
    assert_eq!(rows.len(), 3);
    let one = &rows[0];
    assert_eq!(one.id, 1);
    assert_eq!(one.state, TicketState::Finished);
    assert_eq!(one.finished_at, Some(ts(120)));
    assert_eq!(one.window, Some(5));
    assert_eq!(one.staff.as_deref(), Some("S07"));
    assert_eq!(one.case_number.as_deref(), Some("BJ-2025-0001"));
    assert_eq!((one.no_shows, one.transfers), (1, 1));
    assert_eq!(one.issued_at, ts(10));
    assert_eq!(one.id_last4.as_deref(), Some("0001"));
    assert_eq!(rows[1].state, TicketState::Expired);
    assert_eq!((rows[2].state, rows[2].no_shows), (TicketState::Missed, 1));

    let state = |day, state| {
        all(
            &store,
            TicketFilter {
                day,
                state: Some(state),
                ..Default::default()
            },
        )
        .iter()
        .map(|r| r.id)
        .collect::<Vec<_>>()
    };
    assert_eq!(state(Some(DAY1), TicketState::Finished), vec![1]);
    assert_eq!(state(Some(DAY1), TicketState::Waiting), Vec::<u64>::new());
    assert_eq!(state(Some(DAY2), TicketState::Waiting), vec![4]);
    assert_eq!(state(None, TicketState::Missed), vec![3]);
    let by_service = all(
        &store,
        TicketFilter {
            service: Some("B".into()),
            ..Default::default()
        },
    );
    assert_eq!(by_service.iter().map(|r| r.id).collect::<Vec<_>>(), vec![1]);
    let limited = all(
        &store,
        TicketFilter {
            limit: 2,
            ..Default::default()
        },
    );
    assert_eq!(limited.iter().map(|r| r.id).collect::<Vec<_>>(), vec![1, 2]);
    // The row as the API would send it: no hash.
    let json = serde_json::to_string(&rows[0]).unwrap();
    assert!(
        !json.contains("hash-1") && json.contains("\"state\":\"finished\""),
        "{json}"
    );
}

#[test]
fn purge_erases_personal_data_of_old_days_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = Store::open(&path).unwrap();
    store
        .append(
            &[day_started(DAY1, 0), issued(1, DAY1, "A001", "A", 1)],
            None,
        )
        .unwrap();
    let snapshot = serde_json::json!({
        "tickets": [ticket(1, DAY1, "A001", "A", 1), ticket(2, DAY2, "A001", "A", 90_001)]
    });
    store
        .append(
            &[
                day_started(DAY2, 90_000),
                issued(2, DAY2, "A001", "A", 90_001),
            ],
            Some(&serde_json::to_vec(&snapshot).unwrap()),
        )
        .unwrap();

    assert_eq!(store.purge_personal_data(DAY2).unwrap(), 1);
    assert_eq!(store.purge_personal_data(DAY2).unwrap(), 0);

    let rows = all(&store, TicketFilter::default());
    assert_eq!(rows[0].id_last4, None);
    assert_eq!(rows[1].id_last4.as_deref(), Some("0002"));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let hashes: Vec<Option<String>> = conn
        .prepare("SELECT id_hash FROM tickets ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(hashes, vec![None, Some("hash-2".into())]);

    let loaded = store.load().unwrap();
    let (_, snap) = loaded.snapshot.unwrap();
    let snap: serde_json::Value = serde_json::from_slice(&snap).unwrap();
    assert!(snap["tickets"][0]["id_hash"].is_null());
    assert_eq!(snap["tickets"][1]["id_hash"], "hash-2");
    let issued_tickets: Vec<Ticket> = store
        .events_after(0, 100)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.event.change {
            Change::TicketIssued { ticket } => Some(*ticket),
            _ => None,
        })
        .collect();
    assert_eq!(issued_tickets.len(), 2);
    assert_eq!(
        (
            issued_tickets[0].id_hash.as_deref(),
            issued_tickets[0].id_last4.as_deref()
        ),
        (None, None)
    );
    assert_eq!(issued_tickets[1].id_hash.as_deref(), Some("hash-2"));
    // Everything else of the old ticket is still history.
    assert_eq!(issued_tickets[0].number.as_str(), "A001");
    drop(store);
    drop(conn);
    // No copy of the erased hash is left anywhere in the files.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(6).any(|w| w == b"hash-1"));
    }
}

#[test]
fn salt_persists_and_differs_between_databases() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    let b = dir.path().join("b.db");
    let salt_a = Store::open(&a).unwrap().salt().to_vec();
    assert_eq!(salt_a.len(), 32);
    assert_eq!(Store::open(&a).unwrap().salt(), salt_a.as_slice());
    assert_eq!(Store::open_read_only(&a).unwrap().salt(), salt_a.as_slice());
    assert_ne!(Store::open(&b).unwrap().salt(), salt_a.as_slice());
}

#[test]
fn events_after_pages_through_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&db(&dir)).unwrap();
    let seqs = issue_many(&mut store, DAY1, 1, 25);
    let mut cursor = 0;
    let mut seen = Vec::new();
    loop {
        let page = store.events_after(cursor, 10).unwrap();
        assert!(page.len() <= 10);
        let Some(last) = page.last() else { break };
        cursor = last.seq;
        seen.extend(page.iter().map(|e| e.seq));
    }
    assert_eq!(seen, seqs);
    assert!(
        store
            .events_after(*seqs.last().unwrap(), 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.events_after(0, 0).unwrap().len(), 0);
    assert!(store.integrity_check().is_ok());
}
