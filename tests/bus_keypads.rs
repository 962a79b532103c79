//! The real bus adapter (BusHandle: serialport, Modbus master, keypad rules) against the
//! PTY keypad simulator, real serial bytes both ways. Short timeouts (40 ms) so the whole
//! file runs in a few seconds; every wait is bounded.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use hallq::config::bus::BusConfig;
use hallq::devices::bus::sim::{KeypadBusSim, SimFault};
use hallq::devices::bus::{BusHandle, BusHealth, DeviceHealth, KeyCode, KeyPress, KeypadActions};

const BOUND: Duration = Duration::from_secs(5);
const TIMEOUT_MS: u64 = 40;

/// Records every press; answers `Err(message)` for the windows told to.
#[derive(Default)]
struct Recorder {
    presses: Mutex<Vec<(KeyPress, Instant)>>,
    changed: Condvar,
    refuse: Mutex<Vec<(u16, String)>>,
}

impl KeypadActions for Recorder {
    fn on_key(&self, press: KeyPress) -> Result<(), String> {
        let now = Instant::now();
        self.presses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((press, now));
        self.changed.notify_all();
        let refuse = self.refuse.lock().unwrap_or_else(|p| p.into_inner());
        match refuse.iter().find(|(w, _)| *w == press.window) {
            Some((_, message)) => Err(message.clone()),
            None => Ok(()),
        }
    }
}

impl Recorder {
    fn presses(&self) -> Vec<KeyPress> {
        self.presses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(p, _)| *p)
            .collect()
    }

    fn of(&self, window: u16) -> Vec<KeyPress> {
        self.presses()
            .into_iter()
            .filter(|p| p.window == window)
            .collect()
    }

    /// Waits until `n` presses in total were recorded; returns when the n-th arrived.
    fn wait_for(&self, n: usize, timeout: Duration) -> Option<Instant> {
        let deadline = Instant::now() + timeout;
        let mut presses = self.presses.lock().unwrap_or_else(|p| p.into_inner());
        while presses.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            presses = match self.changed.wait_timeout(presses, left) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
        presses.get(n - 1).map(|(_, at)| *at)
    }
}

fn config(path: &str, keypads: &[u16]) -> BusConfig {
    let mut c = BusConfig::new("callers", path);
    c.keypads = keypads.to_vec();
    c.timeout_ms = TIMEOUT_MS;
    c.poll_ms = 5;
    c.reprobe_ms = 300;
    c
}

struct Rig {
    sim: KeypadBusSim,
    bus: BusHandle,
    actions: Arc<Recorder>,
}

fn rig(windows: &[u16], before_start: impl FnOnce(&KeypadBusSim)) -> Rig {
    let addresses: Vec<u8> = windows.iter().map(|&w| w as u8).collect();
    let sim = KeypadBusSim::start(&addresses).unwrap_or_else(|e| panic!("sim: {e}"));
    before_start(&sim);
    let actions = Arc::new(Recorder::default());
    let bus = BusHandle::spawn(config(sim.path(), windows), actions.clone())
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    Rig { sim, bus, actions }
}

fn device(health: &BusHealth, address: u8) -> DeviceHealth {
    health
        .devices
        .iter()
        .find(|d| d.address == address)
        .cloned()
        .unwrap_or_else(|| panic!("no device {address} in {health:#?}"))
}

/// Waits until the bus has completed `n` more rounds.
fn rounds(bus: &BusHandle, n: u64) {
    let start = bus.health().rounds;
    let deadline = Instant::now() + BOUND;
    while bus.health().rounds < start + n {
        assert!(Instant::now() < deadline, "the bus stopped running rounds");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn online(rig: &Rig, address: u8) -> bool {
    device(&rig.bus.health(), address).online
}

#[test]
fn first_contact_is_a_baseline_then_each_press_acts_once() {
    let rig = rig(&[1, 2, 3], |sim| sim.set_sequence(2, 41));
    // The press made before the server started is acknowledged, not acted on.
    assert!(rig.sim.wait_until(BOUND, |s| s.acks(2) == vec![41]));
    rounds(&rig.bus, 3);
    assert!(rig.actions.presses().is_empty());

    let seq = rig.sim.press(2, KeyCode::CallNext, 0);
    assert_eq!(seq, 42);
    assert!(rig.actions.wait_for(1, BOUND).is_some());
    rig.sim.press(2, KeyCode::Transfer, 5);
    assert!(rig.actions.wait_for(2, BOUND).is_some());
    rig.sim.press(1, KeyCode::SignIn, 1007);
    assert!(rig.actions.wait_for(3, BOUND).is_some());
    assert!(rig.sim.wait_until(BOUND, |s| s.acks(1).last() == Some(&1)));
    rounds(&rig.bus, 5);
    let got = rig.actions.presses();
    assert_eq!(
        got,
        vec![
            KeyPress {
                window: 2,
                key: KeyCode::CallNext,
                arg: 0,
                seq: 42
            },
            KeyPress {
                window: 2,
                key: KeyCode::Transfer,
                arg: 5,
                seq: 43
            },
            KeyPress {
                window: 1,
                key: KeyCode::SignIn,
                arg: 1007,
                seq: 1
            },
        ]
    );
    assert_eq!(rig.sim.acks(2), vec![41, 42, 43]);
    let h = device(&rig.bus.health(), 2);
    assert_eq!((h.online, h.events, h.timeouts), (true, 2, 0));
    assert_eq!(rig.sim.bad_requests(), 0, "the host sends valid CRCs");
    assert_eq!(
        rig.sim.foreign_requests(),
        0,
        "only configured keypads are polled"
    );
    rig.bus.stop();
}

#[test]
fn missed_polls_and_lost_acks_never_lose_or_repeat_a_press() {
    let rig = rig(&[1, 2, 3], |_| {});
    assert!(rig.sim.wait_until(BOUND, |s| s.acks(2) == vec![0]));

    // Two polls unanswered (fewer than the 3 that make it offline), then back.
    rig.sim.set_fault(2, Some(SimFault::Silent));
    let before = rig.sim.requests(2);
    rig.sim.press(2, KeyCode::CallNext, 0);
    assert!(rig.sim.wait_until(BOUND, |s| s.requests(2) >= before + 2));
    rig.sim.set_fault(2, None);
    assert!(rig.actions.wait_for(1, BOUND).is_some());

    // Replies later than the timeout: they land in later polls (stray frames).
    rig.sim.set_fault(
        2,
        Some(SimFault::Late(Duration::from_millis(TIMEOUT_MS + 15))),
    );
    let before = rig.sim.requests(2);
    rig.sim.press(2, KeyCode::Recall, 0);
    assert!(rig.sim.wait_until(BOUND, |s| s.requests(2) >= before + 2));
    rig.sim.set_fault(2, None);
    assert!(rig.actions.wait_for(2, BOUND).is_some());

    // The acknowledgement reaches the keypad but its reply is lost twice.
    assert!(rig.sim.wait_until(BOUND, |s| s.acks(2).last() == Some(&2)));
    rounds(&rig.bus, 3);
    rig.sim.lose_replies(2, 6, 2);
    let seq = rig.sim.press(2, KeyCode::NoShow, 0);
    assert!(rig.actions.wait_for(3, BOUND).is_some());
    assert!(
        rig.sim
            .wait_until(BOUND, |s| s.acks(2).iter().filter(|&&a| a == seq).count()
                == 3),
        "acks {:?}, presses {:?}, health {:#?}",
        rig.sim.acks(2),
        rig.actions.of(2),
        rig.bus.health()
    );

    rounds(&rig.bus, 10);
    let keys: Vec<(KeyCode, u16)> = rig.actions.of(2).iter().map(|p| (p.key, p.seq)).collect();
    assert_eq!(
        keys,
        vec![
            (KeyCode::CallNext, 1),
            (KeyCode::Recall, 2),
            (KeyCode::NoShow, 3)
        ]
    );
    let h = device(&rig.bus.health(), 2);
    assert!(h.online);
    assert!(h.timeouts >= 6, "{h:?}");
    assert_eq!(rig.sim.acks(2).last(), Some(&3));
    rig.bus.stop();
}

#[test]
fn display_text_is_written_when_it_changes_and_errors_are_shown() {
    let rig = rig(&[1, 3], |_| {});
    rig.bus.set_display(1, "A023 等5人".into());
    assert!(rig.sim.wait_until(BOUND, |s| s.lcd(1) == "A023 等5人"));
    rig.bus.set_display(1, "A023 等5人".into());
    rounds(&rig.bus, 5);
    assert_eq!(rig.sim.lcd_history(1), vec!["A023 等5人".to_owned()]);
    rig.bus.set_display(1, "A024 等4人".into());
    assert!(rig.sim.wait_until(BOUND, |s| s.lcd(1) == "A024 等4人"));

    rig.actions
        .refuse
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((3, "无人等候".into()));
    rig.bus.set_display(3, "暂无".into());
    assert!(rig.sim.wait_until(BOUND, |s| s.lcd(3) == "暂无"));
    rig.sim.press(3, KeyCode::CallNext, 0);
    assert!(rig.sim.wait_until(BOUND, |s| s.lcd(3) == "无人等候"));
    // New text from the server replaces the message.
    rig.bus.set_display(3, "B001 等0人".into());
    assert!(rig.sim.wait_until(BOUND, |s| s.lcd(3) == "B001 等0人"));
    assert_eq!(rig.sim.lcd(1), "A024 等4人");
    rig.bus.stop();
}

#[test]
fn a_dead_keypad_is_isolated_and_comes_back_after_a_reprobe() {
    let rig = rig(&[1, 2, 3], |sim| sim.set_fault(2, Some(SimFault::Silent)));
    assert!(rig.sim.wait_until(BOUND, |_| {
        let h = rig.bus.health();
        h.devices.iter().any(|d| d.address == 2 && d.timeouts >= 3) && !online(&rig, 2)
    }));
    let h = device(&rig.bus.health(), 2);
    assert!(
        h.last_error
            .as_deref()
            .is_some_and(|e| e.contains("no reply")),
        "{h:?}"
    );
    assert!(online(&rig, 1) && online(&rig, 3));

    // Rounds no longer wait for it: measure them and the others' response time.
    rounds(&rig.bus, 1);
    let probes_before = rig.sim.requests(2);
    let mut round_us = Vec::new();
    let mut latencies = Vec::new();
    for i in 0..20u16 {
        let pressed = Instant::now();
        rig.sim.press(1, KeyCode::CallNext, 0);
        let acted = rig
            .actions
            .wait_for(usize::from(i) + 1, BOUND)
            .unwrap_or_else(|| panic!("press {i} not acted on"));
        latencies.push(acted.duration_since(pressed));
        round_us.push(rig.bus.health().last_round_us);
    }
    let probes = rig.sim.requests(2) - probes_before;
    latencies.sort();
    let worst = latencies[latencies.len() - 1];
    println!(
        "with keypad 2 offline: press→action max {worst:?}, rounds {:?} µs, probes of 2: {probes}",
        round_us
    );
    // A round that polled keypad 2 would last over 40 ms; only its re-probe every 300 ms
    // may (so at most one of these ~20 rounds).
    let fast = round_us
        .iter()
        .filter(|&&us| us < TIMEOUT_MS * 1000)
        .count();
    assert!(
        fast >= round_us.len() - 1,
        "a dead keypad slows the rounds: {round_us:?}"
    );
    assert!(
        latencies[latencies.len() / 2] < Duration::from_millis(TIMEOUT_MS),
        "a dead keypad slows the others: {latencies:?}"
    );
    assert!(
        probes <= 2,
        "an offline keypad is probed every 300 ms, not every round"
    );

    // Back on: probed within reprobe_ms, baselined (the press made while it was away
    // is stale), then acts again.
    let stale = rig.sim.press(2, KeyCode::CallNext, 0);
    rig.sim.set_fault(2, None);
    assert!(rig.sim.wait_until(BOUND, |_| online(&rig, 2)));
    assert!(rig.sim.wait_until(BOUND, |s| s.acks(2).contains(&stale)));
    assert!(rig.actions.of(2).is_empty());
    rig.sim.press(2, KeyCode::Pause, 0);
    assert!(rig.sim.wait_until(BOUND, |_| rig.actions.of(2).len() == 1));
    assert_eq!(rig.actions.of(2)[0].key, KeyCode::Pause);
    rig.bus.stop();
}

#[test]
fn crc_errors_and_wrong_addresses_are_counted_and_never_acted_on() {
    let rig = rig(&[1, 2, 3], |sim| {
        sim.set_fault(1, Some(SimFault::CorruptCrc));
        sim.set_fault(3, Some(SimFault::WrongAddress(9)));
    });
    assert!(rig.sim.wait_until(BOUND, |s| s.acks(2) == vec![0]));
    rig.sim.press(1, KeyCode::CallNext, 0);
    rig.sim.press(3, KeyCode::CallNext, 0);
    rig.sim.press(2, KeyCode::CallNext, 0);
    assert!(rig.actions.wait_for(1, BOUND).is_some());
    assert!(
        rig.sim
            .wait_until(BOUND, |_| !online(&rig, 1) && !online(&rig, 3))
    );
    rounds(&rig.bus, 5);
    let health = rig.bus.health();
    let one = device(&health, 1);
    let three = device(&health, 3);
    assert!(one.crc_errors >= 3, "{one:?}");
    assert!(
        one.last_error.as_deref().is_some_and(|e| e.contains("CRC")),
        "{one:?}"
    );
    assert!(three.wrong_address >= 3, "{three:?}");
    assert!(health.stray_frames >= 3, "{health:?}");
    assert_eq!(rig.actions.presses().len(), 1);
    assert_eq!(rig.actions.presses()[0].window, 2);
    assert!(rig.sim.acks(1).is_empty() && rig.sim.acks(3).is_empty());

    // Health goes out as JSON for device health on the server.
    let json = serde_json::to_value(&health).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["name"], "callers");
    assert_eq!(json["online"], true);
    assert_eq!(json["devices"][1]["kind"], "keypad");
    assert_eq!(json["devices"][1]["window"], 2);
    assert!(json["devices"][1]["last_seen"].is_string());
    assert_eq!(json["devices"][0]["online"], false);
    rig.bus.stop();
}

#[test]
fn a_vanished_port_shows_in_health() {
    let rig = rig(&[1], |_| {});
    assert!(rig.sim.wait_until(BOUND, |_| online(&rig, 1)));
    let Rig { sim, bus, .. } = rig;
    drop(sim);
    let deadline = Instant::now() + BOUND;
    while bus.health().online {
        assert!(Instant::now() < deadline, "the port loss was not noticed");
        std::thread::sleep(Duration::from_millis(5));
    }
    let h = bus.health();
    assert!(h.port_error.is_some(), "{h:?}");
    assert!(!h.devices[0].online);
    bus.stop();
}

#[test]
fn press_to_action_latency() {
    // spawn_on: the adapter gets the PTY slave object itself.
    let sim = KeypadBusSim::start(&[1, 2, 3]).unwrap_or_else(|e| panic!("{e}"));
    let actions = Arc::new(Recorder::default());
    let mut c = config(sim.path(), &[1, 2, 3]);
    c.poll_ms = 10;
    let port = sim.take_port().unwrap_or_else(|| panic!("port taken"));
    let bus = BusHandle::spawn_on(port, c, actions.clone()).unwrap_or_else(|e| panic!("{e}"));
    assert!(sim.wait_until(BOUND, |s| s.acks(3) == vec![0]));
    let mut latencies = Vec::new();
    for i in 0..200usize {
        let address = (i % 3) as u8 + 1;
        let pressed = Instant::now();
        sim.press(address, KeyCode::CallNext, 0);
        let acted = actions
            .wait_for(i + 1, BOUND)
            .unwrap_or_else(|| panic!("press {i} not acted on"));
        latencies.push(acted.duration_since(pressed));
    }
    latencies.sort();
    let p50 = latencies[latencies.len() / 2];
    let p99 = latencies[latencies.len() * 99 / 100];
    println!(
        "press→on_key over 200 presses, 3 keypads, poll_ms 10, PTY (no baud timing): p50 {p50:?} p99 {p99:?} max {:?}",
        latencies[latencies.len() - 1]
    );
    assert_eq!(actions.presses().len(), 200);
    assert!(p99 < Duration::from_millis(100), "p99 {p99:?}");
    // Example frames for hardware/callers/modbus-keypad.md.
    for (request, reply) in sim.exchanges().iter().rev().take(4) {
        println!(
            "{} → {}",
            hex::encode_upper(request),
            hex::encode_upper(reply)
        );
    }
    bus.stop();
}
