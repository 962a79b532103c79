//! Upload to the provincial platform against a faulty mock platform, with the uploader,
//! the hall and the platform restarted in between: every record arrives, each exactly once
//! as the platform sees it.

mod upload_support;

use std::sync::Arc;
use std::time::Duration;

use hallq::core::{
    Change, Rating, RatingChannel, RatingLevel, ServiceId, TicketId, TicketNumber, WindowNo,
};
use hallq::server::LocalDevices;
use hallq::store::outbox::{Backlog, MAX_WAIT_MS, Outbox};
use hallq::store::records::UploadRecord;
use hallq::upload::{Timing, UploadHandle, Uploader};
use upload_support::*;

const WAIT: Duration = Duration::from_secs(10);

fn spawn(db: &std::path::Path, url: &str, batch: usize, timing: Timing) -> UploadHandle {
    Uploader::spawn_with(
        db,
        Some(upload_config(url, batch)),
        std::future::pending(),
        timing,
    )
}

async fn stop(upload: &UploadHandle) {
    upload.stop();
    tokio::time::timeout(Duration::from_secs(5), upload.join())
        .await
        .expect("the uploader stops within its request timeout");
    assert!(!upload.status().running);
}

/// Rates `n` visits through the hall; its store puts each rating into the outbox.
async fn rate(hall: &HallRun, n: usize, first_level: u8) {
    let before = rating_rows(&hall.db);
    for i in 0..n {
        let level = (first_level + u8::try_from(i).unwrap()) % 5 + 1;
        hall.visit_and_rate(1 + u16::try_from(i % 2).unwrap(), level)
            .await;
    }
    assert_eq!(
        rating_rows(&hall.db),
        before + n,
        "one outbox row per rating"
    );
}

fn all_pending_delivered(db: &std::path::Path) -> bool {
    undelivered(db).is_empty()
}

fn assert_each_stored_once(platform: &Platform, keys: &[String]) {
    let stored = platform.stored();
    for key in keys {
        assert_eq!(
            stored.get(key),
            Some(&1),
            "key {key} stored {:?} times",
            stored.get(key)
        );
    }
    assert_eq!(
        stored.len(),
        keys.len(),
        "the platform has only the hall's keys"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_record_arrives_exactly_once_through_faults_and_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let mut platform = Platform::start().await;
    let url = platform.url();
    let hall = HallRun::start(dir.path());
    let db = hall.db.clone();

    // Normal delivery, several batches.
    rate(&hall, 7, 0).await;
    let upload = spawn(&db, &url, 3, fast());
    upload.nudge();
    until(WAIT, "first records delivered", || {
        all_pending_delivered(&db)
    })
    .await;
    let first_phase = outbox_keys(&db).len();
    assert!(first_phase >= 7);
    assert_eq!(platform.stored().len(), first_phase);

    // 500s, then a platform that closes connections: nothing is stored, all retried.
    platform.set_fault(Fault::Error500);
    rate(&hall, 4, 1).await;
    let waiting = undelivered(&db).len();
    assert!(waiting >= 4);
    let before = platform.requests();
    upload.nudge();
    until(WAIT, "500 answered", || platform.requests() >= before + 2).await;
    platform.set_fault(Fault::Close);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(undelivered(&db).len(), waiting);

    // The uploader and the hall restart while the platform is down (refusing connections).
    stop(&upload).await;
    hall.stop();
    platform.stop().await;
    let hall = HallRun::start(dir.path());
    rate(&hall, 3, 2).await;
    let waiting = undelivered(&db).len();
    let upload = spawn(&db, &url, 3, fast());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        upload
            .status()
            .last_error
            .unwrap()
            .starts_with("cannot connect to the platform")
    );
    assert_eq!(undelivered(&db).len(), waiting);

    // Back, but answering 200 without storing: still nothing delivered.
    platform.restart().await;
    platform.set_fault(Fault::EmptyAccepted);
    let before = platform.requests();
    until(WAIT, "empty answers", || platform.requests() >= before + 2).await;
    platform.set_fault(Fault::MissingAccepted);
    let before = platform.requests();
    until(WAIT, "answers without accepted", || {
        platform.requests() >= before + 2
    })
    .await;
    assert_eq!(undelivered(&db).len(), waiting);
    assert_eq!(platform.stored().len(), first_phase, "nothing more stored");

    // Answers later than the client waits, but stores: copies arrive, dedupe keeps one.
    platform.set_fault(Fault::Delay(Duration::from_millis(700)));
    until(WAIT, "a delayed batch stored", || {
        platform.stored().len() > first_phase
    })
    .await;
    // The uploader crashes (no graceful stop) while a delayed answer may be in flight.
    upload.abort();
    platform.set_fault(Fault::AcceptFirst(1));
    let upload = spawn(&db, &url, 3, fast());
    rate(&hall, 2, 3).await;
    upload.nudge();
    until(WAIT, "partial batches drain", || all_pending_delivered(&db)).await;

    platform.set_fault(Fault::None);
    rate(&hall, 2, 4).await;
    upload.nudge();
    until(WAIT, "last records delivered", || {
        all_pending_delivered(&db)
    })
    .await;

    let keys = outbox_keys(&db);
    assert_eq!(keys.len(), 7 + 4 + 3 + 2 + 2 + follow_ups(&db));
    assert!(follow_ups(&db) > 0, "差评 opened follow-ups, uploaded too");
    let tag = key_tag(&db);
    assert!(
        keys.iter().all(|k| k.starts_with(&format!("{tag}-"))),
        "{keys:?}"
    );
    assert_each_stored_once(&platform, &keys);
    let received = platform.received();
    assert!(
        received.values().any(|n| *n > 1),
        "the delayed answers made the uploader send copies: {received:?}"
    );
    assert!(platform.hall_codes().iter().all(|c| c == HALL_CODE));
    assert_eq!(platform.unauthorized(), 0);
    // What arrived is the record that was stored.
    let first = platform.record(&keys[0]).unwrap();
    assert_eq!(first["kind"], "rating");
    assert_eq!(first["number"], "A001");
    assert_eq!(first["channel"], "evaluator");

    let backlog = upload.backlog().unwrap();
    assert_eq!((backlog.pending, backlog.failing), (0, 0));
    stop(&upload).await;
    hall.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_dedupe_no_acknowledged_record_is_ever_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut platform = Platform::start().await;
    platform.set_dedupe(false);
    let url = platform.url();
    let hall = HallRun::start(dir.path());
    let db = hall.db.clone();

    rate(&hall, 5, 0).await;
    let upload = spawn(&db, &url, 2, fast());
    upload.nudge();
    until(WAIT, "first delivery", || all_pending_delivered(&db)).await;

    let faults = [
        Fault::Error500,
        Fault::Close,
        Fault::EmptyAccepted,
        Fault::AcceptFirst(1),
        Fault::MissingAccepted,
    ];
    let mut upload = upload;
    let mut hall = hall;
    for (round, fault) in faults.into_iter().enumerate() {
        platform.set_fault(fault.clone());
        let before = platform.hits();
        rate(&hall, 3, u8::try_from(round).unwrap()).await;
        upload.nudge();
        until(WAIT, "the fault is hit", || platform.hits() > before).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        // Restart everything in between: uploader (graceful), hall, and every other round
        // the platform.
        stop(&upload).await;
        hall.stop();
        if round % 2 == 0 {
            platform.restart().await;
        }
        hall = HallRun::start(dir.path());
        upload = spawn(&db, &url, 2, fast());
        platform.set_fault(Fault::None);
        until(WAIT, "recovered after the fault", || {
            all_pending_delivered(&db)
        })
        .await;
    }

    let keys = outbox_keys(&db);
    assert!(keys.len() >= 5 + 5 * 3);
    assert_each_stored_once(&platform, &keys);
    stop(&upload).await;
    hall.stop();
}

#[tokio::test]
async fn a_timed_out_batch_is_sent_again_and_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::start().await;
    let hall = HallRun::start(dir.path());
    rate(&hall, 2, 2).await; // levels 3 and 4: no follow-ups
    platform.set_fault(Fault::Delay(Duration::from_millis(600)));
    let upload = spawn(&hall.db, &platform.url(), 10, fast());
    upload.nudge();
    until(WAIT, "a copy after the timeout", || {
        platform.received().values().all(|n| *n >= 2) && platform.received().len() == 2
    })
    .await;
    assert_eq!(undelivered(&hall.db).len(), 2, "no answer: not delivered");
    let status = upload.status();
    assert!(
        status
            .last_error
            .as_deref()
            .unwrap()
            .starts_with("no answer within 0.4 s"),
        "{status:?}"
    );
    platform.set_fault(Fault::None);
    until(WAIT, "delivered", || all_pending_delivered(&hall.db)).await;
    assert_each_stored_once(&platform, &outbox_keys(&hall.db));
    stop(&upload).await;
    hall.stop();
}

#[tokio::test]
async fn backlog_gauge_and_device_health_follow_the_platform() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::start().await;
    let before = jiff::Timestamp::now().as_millisecond();
    let hall = HallRun::start(dir.path());
    rate(&hall, 3, 2).await; // levels 3, 4, 5
    platform.set_fault(Fault::Error500);
    let upload = spawn(&hall.db, &platform.url(), 50, fast());
    upload.nudge();
    until(WAIT, "three records failing", || {
        upload.backlog().is_some_and(|b| b.failing == 3)
    })
    .await;
    let backlog = upload.backlog().unwrap();
    assert_eq!(backlog.pending, 3);
    let oldest = backlog.oldest_created_ms.unwrap();
    assert!(oldest >= before && oldest <= jiff::Timestamp::now().as_millisecond());

    let devices = upload.health();
    assert_eq!(devices.len(), 1);
    let d = &devices[0];
    assert_eq!(d.device, "upload");
    assert!(d.needs_attention);
    let c = &d.components[0];
    assert_eq!(c.component, "platform");
    assert_eq!(c.status, "degraded", "{c:?}");
    let detail = c.detail.as_deref().unwrap();
    assert!(detail.starts_with("pending 3, oldest "), "{detail}");
    assert!(detail.contains("failing 3"), "{detail}");
    assert!(
        detail.ends_with("; last error: the platform answered HTTP 500"),
        "{detail}"
    );
    // No personal data and no secret in the detail.
    assert!(
        !detail.contains(TOKEN) && !detail.contains("A00"),
        "{detail}"
    );

    // A record failing for over an hour makes it an error.
    let two_hours_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2);
    add_records_at(&hall.db, two_hours_ago, 0, 1);
    upload.nudge();
    until(WAIT, "four records failing", || {
        upload.backlog().is_some_and(|b| b.failing == 4)
    })
    .await;
    let c = &upload.health()[0].components[0];
    assert_eq!(c.status, "error", "{c:?}");
    assert!(
        c.detail
            .as_deref()
            .unwrap()
            .starts_with("pending 4, oldest 2h 00m, failing 4"),
        "{c:?}"
    );

    platform.set_fault(Fault::None);
    until(WAIT, "drained", || {
        upload.backlog().is_some_and(|b| b.pending == 0)
    })
    .await;
    assert_eq!(
        upload.backlog().unwrap(),
        Backlog {
            pending: 0,
            oldest_created_ms: None,
            failing: 0
        }
    );
    let c = &upload.health()[0].components[0];
    assert_eq!(
        (c.status.as_str(), c.detail.as_deref()),
        ("ok", Some("pending 0"))
    );
    assert_eq!(upload.status().delivered, 4);
    assert!(!upload.health()[0].needs_attention);
    stop(&upload).await;
    hall.stop();
}

#[tokio::test]
async fn without_upload_config_nothing_is_sent_and_the_backlog_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::start().await;
    let hall = HallRun::start(dir.path());
    rate(&hall, 2, 2).await;
    let timing = Timing {
        poll: Duration::from_millis(30),
        ..fast()
    };
    let upload = Uploader::spawn_with(&hall.db, None, std::future::pending(), timing);
    until(WAIT, "backlog read", || upload.backlog().is_some()).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(platform.requests(), 0);
    assert_eq!(upload.backlog().unwrap().pending, 2);
    let c = &upload.health()[0].components[0];
    assert_eq!(c.status, "degraded");
    assert!(
        c.detail
            .as_deref()
            .unwrap()
            .starts_with("not configured, nothing is sent; pending 2, oldest "),
        "{c:?}"
    );
    assert!(!upload.status().configured);
    stop(&upload).await;
    hall.stop();
}

#[tokio::test]
async fn a_failing_platform_gets_one_request_per_backoff_not_one_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    drop(hallq::store::Store::open(&db).unwrap());
    add_records(&db, 0, 40);
    let platform = Platform::start().await;
    platform.set_fault(Fault::Error500);
    let timing = Timing {
        min_backoff: Duration::from_millis(250),
        max_backoff: Duration::from_millis(250),
        ..fast()
    };
    let upload = spawn(&db, &platform.url(), 2, timing);
    upload.nudge();
    tokio::time::sleep(Duration::from_millis(900)).await;
    let requests = platform.requests();
    // 900 ms / 250 ms per pause: at most 4-5 requests, not 20 batches.
    assert!((2..=5).contains(&requests), "{requests} requests");
    let backlog = upload.backlog().unwrap();
    assert_eq!(backlog.pending, 40);
    // Oldest first: every pause ends with the same first batch due again.
    assert_eq!(backlog.failing, 2, "only sent records count as failing");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let attempts: i64 = conn
        .query_row("SELECT attempts FROM outbox WHERE key = 'k-0'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(attempts, i64::from(requests));
    stop(&upload).await;
}

#[tokio::test]
async fn a_nudge_sends_at_once_and_rating_events_nudge() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    drop(hallq::store::Store::open(&db).unwrap());
    let platform = Platform::start().await;
    let timing = Timing {
        poll: Duration::from_secs(60),
        ..fast()
    };
    let upload = spawn(&db, &platform.url(), 10, timing);
    until(WAIT, "first poll done", || upload.backlog().is_some()).await;

    add_records(&db, 0, 1);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(platform.requests(), 0, "no poll for a minute");
    upload.nudge();
    until(WAIT, "sent on the nudge", || platform.stored().len() == 1).await;

    let (tx, rx) = tokio::sync::broadcast::channel(16);
    tokio::spawn(upload.clone().nudge_on_events(rx));
    add_records(&db, 1, 1);
    tx.send(Arc::new(stored(
        1,
        Change::WindowPaused {
            window: WindowNo(1),
        },
    )))
    .ok();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(platform.stored().len(), 1, "other events do not nudge");
    let rated = Change::TicketRated {
        rating: Box::new(Rating {
            ticket: TicketId(1),
            number: TicketNumber("A001".into()),
            service: ServiceId::new("A"),
            service_name: "综合受理".into(),
            window: WindowNo(1),
            staff: None,
            case_number: None,
            channel: RatingChannel::Evaluator,
            level: RatingLevel::new(5).unwrap(),
            reasons: Vec::new(),
            comment: None,
        }),
    };
    tx.send(Arc::new(stored(2, rated))).ok();
    until(WAIT, "sent on the rating event", || {
        platform.stored().len() == 2
    })
    .await;
    stop(&upload).await;
}

#[tokio::test]
async fn https_goes_through_rustls() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    drop(hallq::store::Store::open(&db).unwrap());
    add_records(&db, 0, 1);
    // The mock speaks plain HTTP: a TLS client fails in the handshake.
    let platform = Platform::start().await;
    let url = format!("https://{}/api/ratings", platform.addr);
    let upload = spawn(&db, &url, 10, fast());
    upload.nudge();
    until(WAIT, "the attempt failed", || {
        upload.status().last_error.is_some()
    })
    .await;
    let error = upload.status().last_error.unwrap();
    println!("plain-HTTP server behind https://: {error}");
    assert!(!error.contains("scheme"), "TLS support missing: {error}");
    assert!(
        error.to_lowercase().contains("tls")
            || error.contains("InvalidContentType")
            || error.contains("corrupt message"),
        "{error}"
    );
    assert_eq!(platform.stored().len(), 0);
    stop(&upload).await;
}

#[test]
fn outbox_due_delivered_failed_and_backlog() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    drop(hallq::store::Store::open(&db).unwrap());
    add_records(&db, 0, 5);
    let t0 = monday_10am().as_millisecond();
    let mut outbox = Outbox::open(&db).unwrap();

    assert_eq!(
        outbox.backlog().unwrap(),
        Backlog {
            pending: 5,
            oldest_created_ms: Some(t0),
            failing: 0
        }
    );
    let due = outbox.due(t0 + 10_000, 3).unwrap();
    let keys: Vec<&str> = due.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["k-0", "k-1", "k-2"], "oldest first, limited");
    assert!(due.iter().all(|i| i.attempts == 0));
    let UploadRecord::Rating(r) = &due[1].record else {
        panic!("a rating")
    };
    assert_eq!(r.number, "A002");
    // Records never tried are due whatever their time (the hall's clock may have been ahead).
    assert_eq!(outbox.due(t0 - 86_400_000, 10).unwrap().len(), 5);

    assert_eq!(
        outbox
            .delivered(&[due[0].id, due[1].id], t0 + 20_000)
            .unwrap(),
        2
    );
    assert_eq!(
        outbox.delivered(&[due[0].id], t0 + 30_000).unwrap(),
        0,
        "already delivered"
    );
    outbox
        .failed(due[2].id, t0 + 60_000, "the platform answered HTTP 500")
        .unwrap();
    let b = outbox.backlog().unwrap();
    assert_eq!((b.pending, b.failing), (3, 1));
    assert_eq!(b.oldest_created_ms, Some(t0 + 2_000));
    let keys: Vec<String> = outbox
        .due(t0 + 59_999, 10)
        .unwrap()
        .into_iter()
        .map(|i| i.key)
        .collect();
    assert_eq!(keys, ["k-3", "k-4"], "the failed one waits for its backoff");
    // ... unless the clock was set back further than any backoff.
    let keys: Vec<String> = outbox
        .due(t0 + 60_000 - MAX_WAIT_MS - 1, 10)
        .unwrap()
        .into_iter()
        .map(|i| i.key)
        .collect();
    assert_eq!(keys, ["k-2", "k-3", "k-4"]);
    let again = outbox.due(t0 + 60_000, 10).unwrap();
    assert_eq!(again[0].key, "k-2");
    assert_eq!(again[0].attempts, 1);
    assert_eq!(
        outbox.last_error().unwrap().as_deref(),
        Some("the platform answered HTTP 500")
    );

    // A failure is not recorded on a delivered row.
    outbox.failed(due[0].id, t0, "late").unwrap();
    assert_eq!(outbox.backlog().unwrap().failing, 1);

    // Reopened (a restart): the same state.
    drop(outbox);
    let mut outbox = Outbox::open(&db).unwrap();
    assert_eq!(outbox.backlog().unwrap().pending, 3);
    assert_eq!(delivered_ms(&db, "k-0"), Some(t0 + 20_000));

    // A body this hallq cannot read is kept, marked failing and put off, never dropped.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO outbox (seq, kind, key, body, created_ms, next_attempt_ms) \
         VALUES (99, 'rating', 'k-bad', '{\"kind\":\"hologram\"}', ?1, ?1)",
        [t0],
    )
    .unwrap();
    let keys: Vec<String> = outbox
        .due(t0 + 100_000, 10)
        .unwrap()
        .into_iter()
        .map(|i| i.key)
        .collect();
    assert_eq!(keys, ["k-2", "k-3", "k-4"]);
    let b = outbox.backlog().unwrap();
    assert_eq!((b.pending, b.failing), (4, 2));
    assert!(
        outbox
            .due(t0 + 100_000, 10)
            .unwrap()
            .iter()
            .all(|i| i.key != "k-bad")
    );
}

#[test]
fn outbox_refuses_a_missing_or_foreign_file() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Outbox::open(&dir.path().join("none.db")).is_err());
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE outbox (id INTEGER)")
        .unwrap();
    let err = Outbox::open(&other).unwrap_err();
    assert_eq!(err.code(), "storage_corrupt");
}

/// Delivered records leave the outbox once their retention is over; records the platform
/// has not taken stay, however old.
#[tokio::test]
async fn delivered_records_leave_the_outbox_after_their_retention() {
    let dir = tempfile::tempdir().unwrap();
    let mut platform = Platform::start().await;
    let url = platform.url();
    let hall = HallRun::start(dir.path());
    let short = Timing {
        keep_delivered: Duration::from_millis(300),
        prune_every: Duration::from_millis(50),
        ..fast()
    };
    let upload = spawn(&hall.db, &url, 10, short);
    rate(&hall, 3, 2).await; // 基本满意 to 非常满意: no follow-ups
    upload.nudge();
    until(WAIT, "all delivered", || all_pending_delivered(&hall.db)).await;
    assert_eq!(outbox_keys(&hall.db).len(), 3, "kept within the retention");
    until(WAIT, "delivered rows pruned", || {
        outbox_keys(&hall.db).is_empty()
    })
    .await;
    assert_eq!(platform.stored().len(), 3);

    // The platform goes away: new records wait, and pruning never takes them.
    platform.stop().await;
    rate(&hall, 2, 2).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(undelivered(&hall.db).len(), 2);
    assert_eq!(outbox_keys(&hall.db).len(), 2);
    stop(&upload).await;
    hall.stop();
}

/// HTTPS (rustls with ring) to a platform whose certificate chains to a CA no system carries
/// (some provincial platforms do): refused without `ca_file`, delivered with it; an
/// unreadable `ca_file` stops the uploader with a clear reason in the health.
#[tokio::test]
async fn https_to_a_platform_with_its_own_ca() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::start_tls().await;
    let url = platform.url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let hall = HallRun::start(dir.path());
    rate(&hall, 2, 2).await;

    // The system's roots only: the handshake fails, nothing is delivered, the error says why.
    let upload = spawn(&hall.db, &url, 10, fast());
    upload.nudge();
    until(WAIT, "a TLS failure", || {
        upload.status().last_error.is_some()
    })
    .await;
    let error = upload.status().last_error.unwrap();
    assert!(error.contains("certificate"), "{error}");
    assert!(platform.tls_failures() > 0);
    assert!(platform.stored().is_empty());
    assert_eq!(undelivered(&hall.db).len(), 2);
    stop(&upload).await;

    // A ca_file that is not there: the uploader says so and sends nothing.
    let mut config = upload_config(&url, 10);
    config.ca_file = Some(dir.path().join("missing-ca.pem"));
    let upload = Uploader::spawn_with(&hall.db, Some(config), std::future::pending(), fast());
    let fatal = upload.status().fatal.unwrap();
    assert!(fatal.starts_with("cannot read upload.ca_file"), "{fatal}");
    stop(&upload).await;

    // With the platform's CA: delivered, each record once.
    let mut config = upload_config(&url, 10);
    config.ca_file =
        Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls/ca.pem"));
    let upload = Uploader::spawn_with(&hall.db, Some(config), std::future::pending(), fast());
    upload.nudge();
    until(WAIT, "delivered over HTTPS", || {
        all_pending_delivered(&hall.db)
    })
    .await;
    assert_each_stored_once(&platform, &outbox_keys(&hall.db));
    assert_eq!(platform.stored().len(), 2);
    stop(&upload).await;
    hall.stop();
}
