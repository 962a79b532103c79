//! The wall clock moved back across the rollover and forward again, through the hall
//! runtime and a real store: no duplicate number, no day regression, and the same after a
//! restart.

use std::collections::HashSet;

use hallq::config::HallConfig;
use hallq::core::{Change, Command, IssueRequest, Reply, ServiceId};
use hallq::hall::{self, Clock, Hall};
use hallq::store::{Store, TicketFilter};
use jiff::Timestamp;

const CONFIG: &str = include_str!("fixtures/hall-24h.toml");

fn at(text: &str) -> Timestamp {
    format!("{text}+08:00[Asia/Shanghai]")
        .parse::<jiff::Zoned>()
        .unwrap()
        .timestamp()
}

/// The 24-hour hall with a 04:00 rollover (no session may contain it: open 04:00-23:59).
fn config() -> HallConfig {
    let text = CONFIG
        .replace(r#"rollover = "00:00""#, r#"rollover = "04:00""#)
        .replace(
            r#"{ open = "00:00", close = "23:59" }"#,
            r#"{ open = "00:00", close = "04:00" }, { open = "04:00", close = "23:59" }"#,
        );
    HallConfig::parse(&text).unwrap()
}

async fn issue(hall: &Hall) -> (String, String) {
    let request = IssueRequest {
        service: ServiceId::new("A"),
        staff_priority: false,
        id: None,
        appointment_code: None,
    };
    hall.execute(Command::Issue(request), |engine, reply| {
        let Reply::Issued(id) = reply else {
            panic!("not issued")
        };
        let t = engine.ticket(id).unwrap();
        (t.day.to_string(), t.number.to_string())
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn clock_back_across_rollover_and_forward_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    let (clock, hand) = Clock::manual(at("2026-11-23T03:50:00"));
    let (hall, thread) =
        hall::start(Store::open(&db).unwrap(), config().rules(), clock, 180).unwrap();
    let mut events = hall.subscribe();

    let mut seen = Vec::new();
    seen.push(issue(&hall).await); // day 11-22 (before 04:00), A001
    seen.push(issue(&hall).await); // A002
    hand.set(at("2026-11-23T04:10:00"));
    seen.push(issue(&hall).await); // new day 11-23, A001
    hand.set(at("2026-11-23T03:55:00")); // back across the rollover
    seen.push(issue(&hall).await); // still 11-23, A002
    seen.push(issue(&hall).await); // A003
    hand.set(at("2026-11-23T04:20:00")); // forward again
    seen.push(issue(&hall).await); // A004

    let days: Vec<&str> = seen.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(
        days,
        [
            "2026-11-22",
            "2026-11-22",
            "2026-11-23",
            "2026-11-23",
            "2026-11-23",
            "2026-11-23"
        ]
    );
    let numbers: Vec<&str> = seen.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(numbers, ["A001", "A002", "A001", "A002", "A003", "A004"]);

    // The jump back raised one clock alarm.
    let mut alarms = 0;
    while let Ok(e) = events.try_recv() {
        if matches!(e.event.change, Change::ClockWentBack { .. }) {
            alarms += 1;
        }
    }
    assert_eq!(alarms, 1);

    // Restart with the clock behind again: the day and the sequence continue.
    drop(hall);
    thread.join().unwrap();
    let (clock, _hand) = Clock::manual(at("2026-11-23T03:58:00"));
    let (hall, thread) =
        hall::start(Store::open(&db).unwrap(), config().rules(), clock, 180).unwrap();
    let (day, number) = issue(&hall).await;
    assert_eq!((day.as_str(), number.as_str()), ("2026-11-23", "A005"));
    drop(hall);
    thread.join().unwrap();

    let store = Store::open_read_only(&db).unwrap();
    let rows = store
        .tickets(&TicketFilter {
            day: None,
            state: None,
            service: None,
            limit: 1000,
        })
        .unwrap();
    assert_eq!(rows.len(), 7);
    let mut unique = HashSet::new();
    for r in &rows {
        assert!(
            unique.insert((r.day, r.number.clone())),
            "duplicate {} {}",
            r.day,
            r.number
        );
    }
}
