//! The announcer's queue with a fake speaker: order, no overlap, stale drops, zones, health.

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use hallq::voice::announcer::VoiceEvent;
use hallq::voice::config::{VoiceBackend, VoiceConfig, VoiceZoneConfig};
use hallq::voice::pack::ClipIndex;
use hallq::voice::{
    Announcement, AnnouncementKind, AnnouncerHandle, Speaker, Utterance, VoiceError, ZoneSettings,
};

#[derive(Clone, Debug)]
struct Spoken {
    caption: String,
    repeat: u8,
    started: Instant,
    ended: Instant,
}

struct Fake {
    log: Arc<Mutex<Vec<Spoken>>>,
    takes: Duration,
    fail: bool,
}

impl Speaker for Fake {
    fn backend(&self) -> &'static str {
        "fake"
    }

    fn speak(&mut self, u: &Utterance) -> Result<(), VoiceError> {
        let started = Instant::now();
        thread::sleep(self.takes);
        self.log.lock().unwrap().push(Spoken {
            caption: u.caption.clone(),
            repeat: u.repeat,
            started,
            ended: Instant::now(),
        });
        if self.fail {
            Err(VoiceError::NoDevice("unplugged".into()))
        } else {
            Ok(())
        }
    }
}

fn start(
    windows: Vec<u16>,
    takes: Duration,
    max_age: Duration,
    fail: bool,
) -> (AnnouncerHandle, Arc<Mutex<Vec<Spoken>>>) {
    let mut zone = VoiceZoneConfig::new("大厅", VoiceBackend::None);
    zone.windows = windows;
    let mut settings = ZoneSettings::new(&VoiceConfig::default(), &zone).unwrap();
    settings.max_age = max_age;
    let log = Arc::new(Mutex::new(Vec::new()));
    let fake = Fake {
        log: Arc::clone(&log),
        takes,
        fail,
    };
    let handle = AnnouncerHandle::spawn_with(
        settings,
        ClipIndex::builtin(),
        "fake",
        Box::new(move || Box::new(fake) as Box<dyn Speaker>),
    )
    .unwrap();
    (handle, log)
}

fn call(number: &str, window: u16) -> Announcement {
    Announcement::call(number, window)
}

#[test]
fn calls_are_said_in_order_one_at_a_time() {
    let (h, log) = start(
        vec![],
        Duration::from_millis(40),
        Duration::from_secs(60),
        false,
    );
    let mut events = h.subscribe();
    for i in 1..=6u16 {
        let mut a = call(&format!("A{i:03}"), i);
        if i == 4 {
            a.kind = AnnouncementKind::Recall;
        }
        h.announce(a);
    }
    assert!(h.health().queue_len > 0 || !log.lock().unwrap().is_empty());
    assert!(h.wait_idle(Duration::from_secs(5)));
    let log = log.lock().unwrap().clone();
    let captions: Vec<_> = log.iter().map(|s| s.caption.as_str()).collect();
    assert_eq!(
        captions,
        [
            "请A001号到1号窗口办理",
            "请A002号到2号窗口办理",
            "请A003号到3号窗口办理",
            "请A004号到4号窗口办理",
            "请A005号到5号窗口办理",
            "请A006号到6号窗口办理",
        ]
    );
    for pair in log.windows(2) {
        assert!(pair[1].started >= pair[0].ended, "overlap: {pair:?}");
    }
    assert!(log.iter().all(|s| s.repeat == 2));
    let health = h.health();
    assert_eq!(health.spoken, 6);
    assert_eq!(health.dropped, 0);
    assert_eq!(health.queue_len, 0);
    assert!(health.online);
    assert_eq!(health.speaking, None);
    let json = serde_json::to_value(&health).unwrap();
    assert_eq!(json["zone"], "大厅");
    assert_eq!(json["backend"], "fake");
    let mut started = 0;
    let mut finished = 0;
    while let Ok(e) = events.try_recv() {
        match e {
            VoiceEvent::Started { .. } => started += 1,
            VoiceEvent::Finished { ok, .. } => {
                assert!(ok);
                finished += 1;
            }
            VoiceEvent::Dropped { .. } => panic!("nothing is stale"),
        }
    }
    assert_eq!((started, finished), (6, 6));
}

#[test]
fn stale_calls_are_dropped_and_counted() {
    // Each call takes 300 ms; a call may wait at most 450 ms.
    let (h, log) = start(
        vec![],
        Duration::from_millis(300),
        Duration::from_millis(450),
        false,
    );
    let mut events = h.subscribe();
    for i in 1..=5u16 {
        h.announce(call(&format!("B{i}"), 1));
    }
    assert!(h.wait_idle(Duration::from_secs(5)));
    let said: Vec<_> = log
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.caption.clone())
        .collect();
    // B1 at 0 ms, B2 at ~300 ms; B3 (~600 ms old) and later are stale.
    assert_eq!(said, ["请B1号到1号窗口办理", "请B2号到1号窗口办理"]);
    let health = h.health();
    assert_eq!(health.dropped, 3);
    assert_eq!(health.spoken, 2);
    let dropped: Vec<_> = std::iter::from_fn(|| events.try_recv().ok())
        .filter_map(|e| match e {
            VoiceEvent::Dropped {
                number, waited_ms, ..
            } => Some((number, waited_ms)),
            _ => None,
        })
        .collect();
    assert_eq!(dropped.len(), 3);
    assert_eq!(dropped[0].0, "B3");
    assert!(dropped.iter().all(|(_, ms)| *ms > 450));
}

#[test]
fn a_zone_ignores_other_windows() {
    let (h, log) = start(
        vec![2, 3],
        Duration::from_millis(5),
        Duration::from_secs(60),
        false,
    );
    h.announce(call("A1", 1));
    h.announce(call("A2", 2));
    h.announce(call("A4", 4));
    h.announce(call("A3", 3));
    assert!(h.wait_idle(Duration::from_secs(5)));
    let said: Vec<_> = log
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.caption.clone())
        .collect();
    assert_eq!(said, ["请A2号到2号窗口办理", "请A3号到3号窗口办理"]);
}

#[test]
fn a_failing_speaker_makes_the_zone_offline_not_stuck() {
    let (h, log) = start(
        vec![],
        Duration::from_millis(5),
        Duration::from_secs(60),
        true,
    );
    h.announce(call("C1", 1));
    h.announce(call("C2", 1));
    assert!(h.wait_idle(Duration::from_secs(5)));
    assert_eq!(log.lock().unwrap().len(), 2);
    let health = h.health();
    assert!(!health.online);
    assert_eq!(health.spoken, 0);
    assert_eq!(
        health.last_error.as_deref(),
        Some("no audio output device: unplugged")
    );
}

#[test]
fn dropping_the_last_handle_stops_the_thread() {
    let (h, log) = start(
        vec![],
        Duration::from_millis(50),
        Duration::from_secs(60),
        false,
    );
    let clone = h.clone();
    drop(h);
    clone.announce(call("D1", 1));
    assert!(clone.wait_idle(Duration::from_secs(5)));
    drop(clone);
    thread::sleep(Duration::from_millis(100));
    assert_eq!(log.lock().unwrap().len(), 1);
}
