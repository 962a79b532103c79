//! 5-key evaluators on the RS-485 bus: the real bus master (serialport, Modbus RTU) against
//! the PTY simulator with recording actions (the device rules), the documented frames and
//! profile, and `hallq bus scan`. End to end with a real hall and its SQLite store:
//! tests/bus_hall.rs.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use hallq::config::bus::BusConfig;
use hallq::devices::bus::sim::{KeypadBusSim, SimFault};
use hallq::devices::bus::{
    BusActions, BusError, BusHandle, BusHealth, DeviceHealth, EvaluatorActions, EvaluatorKey,
    KeyCode, KeyPress, KeypadActions, Prompt, RatingPress,
};
use hallq::protocol::modbus::{Request, encode_exception, encode_read_reply};

const BOUND: Duration = Duration::from_secs(5);
const TIMEOUT_MS: u64 = 40;
const RATING_TIMEOUT_S: u16 = 45;

/// Records keypad presses and evaluator keys.
#[derive(Default)]
struct Recorder {
    presses: Mutex<Vec<(KeyPress, Instant)>>,
    ratings: Mutex<Vec<RatingPress>>,
    changed: Condvar,
}

impl KeypadActions for Recorder {
    fn on_key(&self, press: KeyPress) -> Result<(), String> {
        let mut p = self.presses.lock().unwrap_or_else(|p| p.into_inner());
        p.push((press, Instant::now()));
        self.changed.notify_all();
        Ok(())
    }
}

impl EvaluatorActions for Recorder {
    fn on_rating(&self, press: RatingPress) -> Result<(), String> {
        self.ratings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(press);
        Err("recorded only".into())
    }
}

impl Recorder {
    fn ratings(&self) -> Vec<RatingPress> {
        self.ratings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Waits until `n` keypad presses were recorded; when the n-th arrived.
    fn wait_presses(&self, n: usize) -> Option<Instant> {
        let deadline = Instant::now() + BOUND;
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

fn config(path: &str, keypads: &[u16], evaluators: &[u16]) -> BusConfig {
    let mut c = BusConfig::new("callers", path);
    c.keypads = keypads.to_vec();
    c.evaluators = evaluators.to_vec();
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

/// Keypad 1, evaluators of windows 1 and 2 (addresses 101, 102).
fn rig(before_start: impl FnOnce(&KeypadBusSim)) -> Rig {
    let sim = KeypadBusSim::start_with(&[1], &[101, 102]).unwrap_or_else(|e| panic!("sim: {e}"));
    before_start(&sim);
    let actions = Arc::new(Recorder::default());
    let bus_actions = BusActions {
        keypads: actions.clone(),
        evaluators: actions.clone(),
        rating_timeout_s: RATING_TIMEOUT_S,
    };
    let port = sim.take_port().unwrap_or_else(|| panic!("port"));
    let bus = BusHandle::spawn_on_with(port, config(sim.path(), &[1], &[1, 2]), bus_actions)
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

fn online(bus: &BusHandle, address: u8) -> bool {
    device(&bus.health(), address).online
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

#[test]
fn first_contact_is_a_baseline_then_each_key_acts_once() {
    let rig = rig(|sim| sim.set_sequence(101, 7));
    let sim = &rig.sim;
    // Baseline: acknowledged, not acted on; the timeout and an idle prompt are written.
    assert!(sim.wait_until(BOUND, |s| s.acks(101) == [7] && s.prompt_writes(101) == [0]));
    assert!(sim.wait_until(BOUND, |s| s.prompt_writes(102) == [0]));
    assert_eq!(sim.timeout_writes(101), [RATING_TIMEOUT_S]);
    assert_eq!(sim.rating_timeout(102), RATING_TIMEOUT_S);
    assert!(rig.actions.ratings().is_empty());

    rig.bus.set_prompt(1, Prompt::Ask(11));
    assert!(sim.wait_until(BOUND, |s| s.prompt(101) == 1));
    // A key read in the round right after a new ask counts for the old one: wait a little.
    rounds(&rig.bus, 2);
    let seq = sim.rate(101, EvaluatorKey::Dissatisfied);
    assert_eq!(seq, 8);
    assert!(sim.wait_until(BOUND, |s| s.acks(101) == [7, 8]));
    // An asking evaluator is read every round: many more reads of the same sequence.
    let reads = sim.requests(101);
    assert!(sim.wait_until(BOUND, |s| s.requests(101) >= reads + 10));
    assert_eq!(
        rig.actions.ratings(),
        [RatingPress {
            window: 1,
            key: EvaluatorKey::Dissatisfied,
            seq: 8,
            visit: Some(11),
        }]
    );

    // Its own timeout (key 0), an unknown code, then a key whose ack reply is lost twice.
    sim.rate(101, EvaluatorKey::TimedOut);
    sim.press_code(102, 30, 0);
    assert!(sim.wait_until(BOUND, |s| s.acks(101).last() == Some(&9)));
    assert!(sim.wait_until(BOUND, |s| s.acks(102) == [0, 1]));
    sim.lose_replies(101, 6, 2);
    let seq = sim.rate(101, EvaluatorKey::VerySatisfied);
    assert!(
        sim.wait_until(BOUND, |s| s.acks(101).iter().filter(|&&a| a == seq).count()
            == 3),
        "acks {:?}",
        sim.acks(101)
    );
    rounds(&rig.bus, 5);
    let keys: Vec<(u16, EvaluatorKey, u16)> = rig
        .actions
        .ratings()
        .iter()
        .map(|p| (p.window, p.key, p.seq))
        .collect();
    assert_eq!(
        keys,
        [
            (1, EvaluatorKey::Dissatisfied, 8),
            (1, EvaluatorKey::TimedOut, 9),
            (1, EvaluatorKey::VerySatisfied, 10)
        ]
    );
    assert!(rig.actions.ratings().iter().all(|p| p.visit == Some(11)));
    let health = rig.bus.health();
    let e = device(&health, 101);
    assert_eq!(
        (e.kind.as_str(), e.window, e.events),
        ("evaluator", Some(1), 3)
    );
    assert!(e.online && e.timeouts >= 2, "{e:?}");
    assert_eq!(
        device(&health, 102).events,
        0,
        "unknown codes are not acted on"
    );
    assert_eq!(sim.bad_requests(), 0);
    assert_eq!(sim.foreign_requests(), 0);
    rig.bus.stop();
}

#[test]
fn the_prompt_is_written_once_per_ask_and_retried_until_echoed() {
    let rig = rig(|_| {});
    let sim = &rig.sim;
    assert!(sim.wait_until(BOUND, |s| s.prompt_writes(102) == [0]));
    rig.bus.set_prompt(2, Prompt::Ask(1));
    assert!(sim.wait_until(BOUND, |s| s.prompt_writes(102) == [0, 1]));
    rig.bus.set_prompt(2, Prompt::Ask(1));
    rounds(&rig.bus, 5);
    assert_eq!(
        sim.prompt_writes(102),
        [0, 1],
        "the same ask is not rewritten"
    );
    // The next finished visit: 1 again, which restarts the device's timeout.
    rig.bus.set_prompt(2, Prompt::Ask(2));
    assert!(sim.wait_until(BOUND, |s| s.prompt_writes(102) == [0, 1, 1]));
    rig.bus.set_prompt(2, Prompt::Idle);
    assert!(sim.wait_until(BOUND, |s| s.prompt_writes(102) == [0, 1, 1, 0]));
    // The write lands but its reply is lost: written again until echoed.
    sim.lose_replies(102, 6, 1);
    rig.bus.set_prompt(2, Prompt::Ask(3));
    assert!(sim.wait_until(BOUND, |s| s.prompt_writes(102) == [0, 1, 1, 0, 1, 1]));
    rounds(&rig.bus, 5);
    assert_eq!(sim.prompt(102), 1);
    assert_eq!(sim.prompt_writes(102).len(), 6);
    assert_eq!(sim.prompt_writes(101), [0], "window 1 untouched");
    assert_eq!(sim.timeout_writes(102), [RATING_TIMEOUT_S]);
    rig.bus.stop();
}

#[test]
fn idle_evaluators_are_read_once_a_second_asking_ones_every_round() {
    let rig = rig(|_| {});
    let sim = &rig.sim;
    rig.bus.set_prompt(2, Prompt::Ask(1));
    assert!(sim.wait_until(BOUND, |s| s.prompt(102) == 1 && s.prompt_writes(101) == [0]));
    rounds(&rig.bus, 2);
    let (r0, idle0, asking0, keypad0) = (
        rig.bus.health().rounds,
        sim.requests(101),
        sim.requests(102),
        sim.requests(1),
    );
    std::thread::sleep(Duration::from_millis(2100));
    let rounds = rig.bus.health().rounds - r0;
    let idle = sim.requests(101) - idle0;
    let asking = sim.requests(102) - asking0;
    let keypad = sim.requests(1) - keypad0;
    println!(
        "2.1 s: {rounds} rounds, reads: keypad {keypad}, asking evaluator {asking}, idle evaluator {idle}"
    );
    assert!(rounds >= 20, "{rounds}");
    assert!(
        asking + 2 >= rounds && keypad + 2 >= rounds,
        "{asking} {keypad} {rounds}"
    );
    assert!(
        (2..=3).contains(&idle),
        "idle evaluator read {idle} times in 2.1 s"
    );
    rig.bus.stop();
}

#[test]
fn a_dead_evaluator_goes_offline_and_the_keypad_keeps_being_served() {
    let rig = rig(|sim| sim.set_fault(101, Some(SimFault::Silent)));
    let sim = &rig.sim;
    rig.bus.set_prompt(1, Prompt::Ask(1));
    assert!(sim.wait_until(BOUND, |_| {
        let e = device(&rig.bus.health(), 101);
        e.timeouts >= 3 && !e.online
    }));
    let e = device(&rig.bus.health(), 101);
    assert!(
        e.last_error
            .as_deref()
            .is_some_and(|m| m.contains("no reply")),
        "{e:?}"
    );
    assert!(online(&rig.bus, 1) && online(&rig.bus, 102));

    let probes_before = sim.requests(101);
    let mut latencies = Vec::new();
    let mut round_us = Vec::new();
    for i in 0..20usize {
        let pressed = Instant::now();
        sim.press(1, KeyCode::CallNext, 0);
        let acted = rig
            .actions
            .wait_presses(i + 1)
            .unwrap_or_else(|| panic!("press {i} not acted on"));
        latencies.push(acted.duration_since(pressed));
        round_us.push(rig.bus.health().last_round_us);
    }
    let probes = sim.requests(101) - probes_before;
    latencies.sort();
    println!(
        "evaluator 101 offline: keypad press→action p50 {:?} max {:?}, rounds {round_us:?} µs, probes of 101: {probes}",
        latencies[latencies.len() / 2],
        latencies[latencies.len() - 1]
    );
    assert!(latencies[latencies.len() / 2] < Duration::from_millis(TIMEOUT_MS));
    let slow = round_us
        .iter()
        .filter(|&&us| us >= TIMEOUT_MS * 1000)
        .count();
    assert!(slow <= 1, "a dead evaluator slows the rounds: {round_us:?}");
    assert!(
        probes <= 2,
        "probed every 300 ms, not every round: {probes}"
    );

    // Back: re-probed, baselined (the key made while away is stale), timeout and prompt
    // written again, then keys act.
    let stale = sim.rate(101, EvaluatorKey::Satisfied);
    sim.set_fault(101, None);
    assert!(sim.wait_until(BOUND, |s| s.acks(101).contains(&stale)
        && s.prompt(101) == 1));
    assert_eq!(sim.timeout_writes(101), [RATING_TIMEOUT_S]);
    assert!(rig.actions.ratings().is_empty());
    sim.rate(101, EvaluatorKey::Basic);
    assert!(sim.wait_until(BOUND, |_| rig.actions.ratings().len() == 1));
    assert_eq!(rig.actions.ratings()[0].key, EvaluatorKey::Basic);
    rig.bus.stop();
}

#[test]
fn crc_errors_are_counted_and_never_acted_on() {
    let rig = rig(|sim| sim.set_fault(102, Some(SimFault::CorruptCrc)));
    let sim = &rig.sim;
    assert!(sim.wait_until(BOUND, |s| s.acks(101) == [0]));
    sim.rate(102, EvaluatorKey::VeryDissatisfied);
    assert!(sim.wait_until(BOUND, |_| !online(&rig.bus, 102)));
    rounds(&rig.bus, 3);
    let e = device(&rig.bus.health(), 102);
    assert!(e.crc_errors >= 3, "{e:?}");
    assert!(
        e.last_error.as_deref().is_some_and(|m| m.contains("CRC")),
        "{e:?}"
    );
    assert!(rig.actions.ratings().is_empty());
    assert!(sim.acks(102).is_empty());
    assert!(online(&rig.bus, 101) && online(&rig.bus, 1));
    rig.bus.stop();
}

#[test]
fn a_power_cycled_evaluator_is_baselined_and_written_again() {
    let rig = rig(|_| {});
    let sim = &rig.sim;
    rig.bus.set_prompt(1, Prompt::Ask(4));
    assert!(sim.wait_until(BOUND, |s| s.prompt(101) == 1));
    sim.rate(101, EvaluatorKey::Satisfied);
    assert!(sim.wait_until(BOUND, |s| s.acks(101) == [0, 1]));
    sim.reset(101);
    assert_eq!((sim.prompt(101), sim.rating_timeout(101)), (0, 30));
    // Sequence 0 / key 0 after sequence 1: a reset, not a timeout key.
    assert!(sim.wait_until(BOUND, |s| s.prompt(101) == 1
        && s.rating_timeout(101) == RATING_TIMEOUT_S));
    rounds(&rig.bus, 3);
    assert_eq!(rig.actions.ratings().len(), 1);
    assert_eq!(sim.acks(101), [0, 1, 0]);
    rig.bus.stop();
}

#[test]
fn a_keypads_only_spawn_refuses_evaluators() {
    let sim = KeypadBusSim::start_with(&[1], &[101]).unwrap_or_else(|e| panic!("{e}"));
    let actions: Arc<Recorder> = Arc::new(Recorder::default());
    let port = sim.take_port().unwrap_or_else(|| panic!("port"));
    let err = BusHandle::spawn_on(port, config(sim.path(), &[1], &[1]), actions)
        .err()
        .unwrap_or_else(|| panic!("spawned"));
    assert!(matches!(err, BusError::NoEvaluatorActions { .. }), "{err}");
    let mut bad = config(sim.path(), &[], &[200]);
    bad.keypads.clear();
    let err = BusHandle::spawn_with(bad, BusActions::keypads(Arc::new(Recorder::default())))
        .err()
        .unwrap_or_else(|| panic!("spawned"));
    assert!(
        matches!(err, BusError::EvaluatorAddress { window: 200, .. }),
        "{err}"
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_profile_and_the_documented_frames_are_what_the_code_does() {
    let doc = include_str!("../hardware/evaluators/modbus-evaluator.md");
    let write = |register, value| {
        Request::WriteSingle {
            address: 101,
            register,
            value,
        }
        .encode()
    };
    let frames = [
        Request::ReadHolding {
            address: 101,
            start: 0,
            count: 2,
        }
        .encode(),
        encode_read_reply(101, &[8, EvaluatorKey::Dissatisfied.code()]),
        encode_read_reply(101, &[9, EvaluatorKey::TimedOut.code()]),
        encode_read_reply(101, &[0, 0]),
        write(hallq::devices::bus::REG_ACK, 8),
        write(hallq::devices::bus::REG_TIMEOUT, 60),
        write(hallq::devices::bus::REG_PROMPT, 1),
        write(hallq::devices::bus::REG_PROMPT, 0),
        Request::ReadHolding {
            address: 102,
            start: 0,
            count: 2,
        }
        .encode(),
        write(2, 1),
        encode_exception(101, 6, 2),
    ];
    for frame in frames {
        let text = format!("`{}`", hex(&frame));
        assert!(doc.contains(&text), "{text} is not in modbus-evaluator.md");
    }

    let profile: toml::Value =
        toml::from_str(include_str!("../hardware/evaluators/modbus-evaluator.toml"))
            .unwrap_or_else(|e| panic!("{e}"));
    let int = |table: &str, key: &str| {
        profile[table][key]
            .as_integer()
            .unwrap_or_else(|| panic!("{table}.{key}"))
    };
    assert_eq!(int("registers", "prompt"), 0x20);
    assert_eq!(int("registers", "timeout"), 0x21);
    assert_eq!(int("registers", "ack"), 3);
    assert_eq!(int("address", "base"), 100);
    assert_eq!(int("address", "last"), 247);
    assert_eq!(
        int("serial", "idle_poll_ms") as u128,
        hallq::devices::bus::IDLE_POLL_EVERY.as_millis()
    );
    assert_eq!(int("serial", "offline_after"), 3);
    let keys = profile["keys"].as_table().unwrap_or_else(|| panic!("keys"));
    assert_eq!(keys.len(), EvaluatorKey::ALL.len());
    for key in EvaluatorKey::ALL {
        let name = serde_json::to_value(key).unwrap_or_else(|e| panic!("{e}"));
        let name = name.as_str().unwrap_or_else(|| panic!("{name}"));
        assert_eq!(
            keys[name].as_integer(),
            Some(i64::from(key.code())),
            "{name}"
        );
    }
}

#[test]
fn the_scan_names_evaluators_by_window() {
    let sim = KeypadBusSim::start_with(&[1, 3], &[101, 103]).unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args([
            "bus",
            "scan",
            "--port",
            sim.path(),
            "--from",
            "1",
            "--to",
            "104",
        ])
        .args(["--timeout-ms", "20"])
        .output()
        .unwrap_or_else(|e| panic!("hallq: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("应答的地址 (answering): 1, 3, 101, 103"),
        "{stdout}"
    );
    assert!(
        stdout.contains("呼叫器 (caller keypads): 1 → 1号窗口, 3 → 3号窗口"),
        "{stdout}"
    );
    assert!(
        stdout.contains("评价器 (evaluators): 101 → 1号窗口, 103 → 3号窗口"),
        "{stdout}"
    );
}
