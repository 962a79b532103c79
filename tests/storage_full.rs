//! A full disk while the hall runs: the failing request gets a clear storage error, the
//! server keeps running, nothing half-written, and after space returns work continues with
//! no duplicate number.

use std::collections::HashSet;

use hallq::config::HallConfig;
use hallq::core::{Command, IssueRequest, Reply, ServiceId};
use hallq::hall::{self, Clock, Hall, HallError};
use hallq::store::{Store, TicketFilter};

const CONFIG: &str = include_str!("fixtures/hall-24h.toml");

async fn issue(hall: &Hall) -> Result<String, HallError> {
    let request = IssueRequest {
        service: ServiceId::new("B"),
        staff_priority: false,
        id: None,
        appointment_code: None,
    };
    hall.execute(Command::Issue(request), |engine, reply| match reply {
        Reply::Issued(id) => engine
            .ticket(id)
            .map(|t| t.number.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    })
    .await
}

#[tokio::test]
async fn disk_full_refuses_cleanly_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    let rules = HallConfig::parse(CONFIG).unwrap().rules();
    let start = "2026-11-23T10:00:00+08:00[Asia/Shanghai]"
        .parse::<jiff::Zoned>()
        .unwrap()
        .timestamp();

    let store = Store::open(&db).unwrap();
    let cap = store.set_max_page_count(1).unwrap(); // raised to the current size: no room to grow
    assert!(cap > 0);
    let (clock, _hand) = Clock::manual(start);
    let (hall, thread) = hall::start(store, rules.clone(), clock, 180).unwrap();

    let mut acknowledged = Vec::new();
    let mut failure = None;
    for _ in 0..2000 {
        match issue(&hall).await {
            Ok(number) => acknowledged.push(number),
            Err(err) => {
                failure = Some(err);
                break;
            }
        }
    }
    let failure = failure.expect("the capped database never filled up");
    match &failure {
        HallError::Storage { code, detail } => {
            assert_eq!(*code, "storage_full", "{detail}");
            assert!(
                detail.contains("hall.db"),
                "the error names the file: {detail}"
            );
        }
        other => panic!("expected a storage error, got {other:?}"),
    }
    assert!(hall.health().last_error().is_some());
    // Still running: reads work, and the engine holds only what was committed.
    let waiting = hall
        .query(|engine, _| engine.tickets().filter(|t| t.state.is_open()).count())
        .await
        .unwrap();
    assert_eq!(waiting, acknowledged.len());
    assert!(matches!(issue(&hall).await, Err(HallError::Storage { .. })));
    drop(hall);
    thread.join().unwrap();

    // Space returns (a fresh open has no cap): numbering continues after the last commit.
    let (clock, _hand) = Clock::manual(start);
    let (hall, thread) = hall::start(Store::open(&db).unwrap(), rules, clock, 180).unwrap();
    let next = issue(&hall).await.unwrap();
    assert_eq!(next, format!("B{:03}", acknowledged.len() + 1));
    drop(hall);
    thread.join().unwrap();

    let rows = Store::open_read_only(&db)
        .unwrap()
        .tickets(&TicketFilter {
            day: None,
            state: None,
            service: None,
            limit: 10_000,
        })
        .unwrap();
    assert_eq!(rows.len(), acknowledged.len() + 1);
    let unique: HashSet<_> = rows.iter().map(|r| r.number.clone()).collect();
    assert_eq!(unique.len(), rows.len());
}
