//! The LED bus thread against the Onbon simulator: real frames on a PTY pair.
//!
//! Screens: window 3 at address 1 and window 4 at address 2 on one bus (BX-5K 64×16
//! profile: ACK timeout 300 ms, 2 retries). Clocks: probe every 1 s instead of 10 s.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use hallq::config::displays::{DisplayTemplates, DisplaysConfig, ScreenConfig, ScreenProtocol};
use hallq::devices::led::sim::{OnbonSim, SimFault};
use hallq::devices::led::{LedHandle, LedTiming, ScreenHealth, WindowShow};

const PORT: &str = "/dev/hallq/led-test";

fn config(flash_seconds: u32) -> DisplaysConfig {
    let screen = |window, address| ScreenConfig {
        window,
        protocol: ScreenProtocol::Onbon,
        port: PathBuf::from(PORT),
        baud: 9600,
        address,
        profile: Some("onbon-bx5k1-64x16".into()),
    };
    DisplaysConfig {
        templates: DisplayTemplates::default(),
        flash_seconds,
        screens: vec![screen(3, 1), screen(4, 2)],
    }
}

fn timing() -> LedTiming {
    LedTiming {
        probe: Duration::from_secs(1),
        ..LedTiming::default()
    }
}

fn start(flash_seconds: u32) -> (OnbonSim, LedHandle) {
    let mut sim = OnbonSim::start(&[1, 2]).unwrap();
    let port = sim.take_port().unwrap();
    let names = HashMap::from([(3, "社保".to_string()), (4, "医保".to_string())]);
    let led = LedHandle::spawn_on(
        &config(flash_seconds),
        names,
        vec![(PathBuf::from(PORT), port)],
        timing(),
    )
    .unwrap();
    (sim, led)
}

fn health(led: &LedHandle, window: u16) -> ScreenHealth {
    led.health()
        .into_iter()
        .find(|h| h.window == window)
        .unwrap()
}

fn wait_health(
    led: &LedHandle,
    window: u16,
    timeout: Duration,
    ok: impl Fn(&ScreenHealth) -> bool,
) -> ScreenHealth {
    let deadline = Instant::now() + timeout;
    loop {
        let h = health(led, window);
        if ok(&h) || Instant::now() > deadline {
            return h;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn call(number: &str) -> WindowShow {
    WindowShow::Call {
        number: number.into(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[test]
fn call_flashes_then_steady() {
    let (sim, led) = start(1);
    let t0 = Instant::now();
    led.show(3, call("A023"));
    assert!(sim.wait_until(Duration::from_secs(1), |f| !f.is_empty()));
    let first = sim.last(1).unwrap();
    assert_eq!(first.text, "请A023到3号窗口");
    // flash: quick type re-drawn with a short hold
    assert_eq!((first.area.effect, first.area.hold), (2, 1));
    assert!(sim.wait_until(Duration::from_secs(3), |f| f.len() >= 2));
    let steady = sim.last(1).unwrap();
    assert_eq!(steady.text, "请A023到3号窗口");
    // 15 columns do not fit 64 px: the steady text scrolls left
    assert_eq!((steady.area.effect, steady.area.hold), (3, 8));
    let flashed_for = steady.at - first.at;
    assert!(
        flashed_for >= Duration::from_millis(990) && flashed_for < Duration::from_millis(1500),
        "flashed for {flashed_for:?}"
    );
    let h = wait_health(&led, 3, Duration::from_secs(1), |h| h.frames_sent == 2);
    assert_eq!(h.frames_sent, 2);
    assert!(h.online);
    assert_eq!(h.showing.as_deref(), Some("请A023到3号窗口"));
    // Idle on the other window: its name, steady
    led.show(4, WindowShow::Idle);
    assert!(sim.wait_until(Duration::from_secs(1), |f| f.iter().any(|x| x.address == 2)));
    assert_eq!(sim.last(2).unwrap().text, "医保 欢迎光临");
    led.show(4, WindowShow::Paused);
    assert!(sim.wait_until(Duration::from_secs(1), |f| {
        f.iter().any(|x| x.address == 2 && x.text == "暂停服务")
    }));
    // 暂停服务 is 8 columns = 64 px: fits, static
    assert_eq!(sim.last(2).unwrap().area.effect, 1);
    assert!(sim.errors().is_empty(), "{:?}", sim.errors());
    assert!(t0.elapsed() < Duration::from_secs(5));
}

#[test]
fn latest_content_wins() {
    let (sim, led) = start(60);
    // Window 3 is slow to answer, so the shows for window 4 pile up behind it.
    sim.set_fault(1, Some(SimFault::SlowReply(Duration::from_millis(150))));
    led.show(3, call("A001"));
    std::thread::sleep(Duration::from_millis(20));
    for n in 1..=5 {
        led.show(4, call(&format!("B00{n}")));
    }
    assert!(sim.wait_until(Duration::from_secs(2), |f| {
        f.iter().any(|x| x.address == 2 && x.text.contains("B005"))
    }));
    std::thread::sleep(Duration::from_millis(100));
    let texts: Vec<String> = sim
        .frames()
        .into_iter()
        .filter(|f| f.address == 2)
        .map(|f| f.text)
        .collect();
    assert_eq!(texts, vec!["请B005到4号窗口"]);
    let h = health(&led, 3);
    assert_eq!((h.frames_sent, h.timeouts), (1, 0));
}

#[test]
fn nack_is_retried_then_counted() {
    let (sim, led) = start(60);
    sim.set_fault(1, Some(SimFault::Nack(0x05)));
    led.show(3, call("A002"));
    let h = wait_health(&led, 3, Duration::from_secs(2), |h| h.nacks >= 3);
    std::thread::sleep(Duration::from_millis(100));
    let h2 = health(&led, 3);
    assert_eq!(h.nacks, 3, "one try and two retries");
    assert_eq!(h2.nacks, 3, "no more retries after giving up");
    assert_eq!(sim.requests(1), 3);
    assert_eq!(h2.frames_sent, 0);
    assert!(h2.online, "a screen that answers NACK is online");
    assert!(h2.last_error.unwrap().contains("NACK (error code 5)"));
    sim.set_fault(1, None);
    led.show(3, call("A003"));
    let h = wait_health(&led, 3, Duration::from_secs(1), |h| h.frames_sent == 1);
    assert_eq!(h.frames_sent, 1);
    assert_eq!(sim.last(1).unwrap().text, "请A003到3号窗口");
}

#[test]
fn corrupted_and_slow_replies() {
    let (sim, led) = start(60);
    sim.set_fault(2, Some(SimFault::SlowReply(Duration::from_millis(120))));
    led.show(4, call("B001"));
    let h = wait_health(&led, 4, Duration::from_secs(1), |h| h.frames_sent == 1);
    assert_eq!(
        (h.frames_sent, h.timeouts),
        (1, 0),
        "120 ms is within 300 ms"
    );
    sim.set_fault(1, Some(SimFault::CorruptReply));
    led.show(3, call("A001"));
    let h = wait_health(&led, 3, Duration::from_secs(2), |h| h.bad_replies >= 3);
    assert_eq!(h.bad_replies, 3);
    assert!(h.last_error.unwrap().contains("CRC"));
    assert_eq!(sim.requests(1), 3);
}

#[test]
fn silent_screen_goes_offline_without_delaying_the_other() {
    let (sim, led) = start(60);
    sim.set_fault(1, Some(SimFault::Silent));
    let t0 = Instant::now();
    led.show(3, call("A001"));
    led.show(4, call("B001"));
    assert!(sim.wait_until(Duration::from_secs(2), |f| f.iter().any(|x| x.address == 2)));
    let first_other = sim.last(2).unwrap().at - t0;
    // At most one timeout of the dead screen before the other's frame.
    assert!(first_other < Duration::from_millis(450), "{first_other:?}");
    let h = wait_health(&led, 3, Duration::from_secs(2), |h| h.timeouts >= 3);
    assert_eq!(h.timeouts, 3);
    assert!(!h.online);
    assert!(h.last_error.unwrap().contains("no reply within 300 ms"));
    // Offline: only probed once a second, the other screen is served at once.
    let mut delays = Vec::new();
    for n in 2..=21 {
        let before = health(&led, 4).frames_sent;
        let t = Instant::now();
        led.show(4, call(&format!("B{n:03}")));
        wait_health(&led, 4, Duration::from_secs(1), |h| h.frames_sent > before);
        delays.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(50));
    }
    delays.sort();
    let (p50, max) = (percentile(&delays, 0.5), delays[delays.len() - 1]);
    println!("other screen while one is offline: p50 {p50:?}, max {max:?}");
    assert!(p50 < Duration::from_millis(30), "{p50:?}");
    // A probe of the dead screen (one 300 ms timeout) may be in progress.
    assert!(max < Duration::from_millis(400), "{max:?}");
    let probes = sim.requests(1);
    assert!((4..=6).contains(&probes), "probed {probes} times in ~1 s");
    // It comes back: the next probe shows the steady text.
    sim.set_fault(1, None);
    let h = wait_health(&led, 3, Duration::from_millis(2500), |h| h.online);
    assert!(h.online, "{h:?}");
    let back = sim.last(1).unwrap();
    assert_eq!(
        (back.text.as_str(), back.area.effect),
        ("请A001到3号窗口", 3)
    );
}

#[test]
fn missing_port_is_offline_not_a_crash() {
    let mut c = config(10);
    for s in &mut c.screens {
        s.port = PathBuf::from("/nonexistent/ttyLED");
    }
    let led = LedHandle::spawn_on(&c, HashMap::new(), Vec::new(), timing()).unwrap();
    led.show(3, WindowShow::Idle);
    let h = wait_health(&led, 3, Duration::from_secs(1), |h| h.last_error.is_some());
    assert!(!h.online);
    assert!(
        h.last_error
            .unwrap()
            .contains("cannot open /nonexistent/ttyLED")
    );
    assert_eq!(led.health().len(), 2);
}

/// show → the frame's last byte at the screen, and → ACK seen by the worker (the number for
/// the report; a PTY has no wire time, so this is the software's own latency).
#[test]
fn show_latency() {
    let (sim, led) = start(60);
    let mut to_frame = Vec::new();
    let mut to_ack = Vec::new();
    for n in 0..200 {
        let window = if n % 2 == 0 { 3 } else { 4 };
        let address = if window == 3 { 1 } else { 2 };
        let before = health(&led, window).frames_sent;
        let number = format!("A{n:03}");
        let t = Instant::now();
        led.show(window, call(&number));
        wait_health(&led, window, Duration::from_secs(1), |h| {
            h.frames_sent > before
        });
        to_ack.push(t.elapsed());
        let frame = sim.last(address).unwrap();
        assert!(frame.text.contains(&number));
        to_frame.push(frame.at - t);
        std::thread::sleep(Duration::from_millis(10));
    }
    to_frame.sort();
    to_ack.sort();
    let report = |name: &str, v: &[Duration]| {
        println!(
            "{name}: p50 {:?}, p99 {:?}, max {:?}",
            percentile(v, 0.5),
            percentile(v, 0.99),
            v[v.len() - 1]
        );
    };
    report("show -> frame at screen", &to_frame);
    report("show -> ACK", &to_ack);
    assert!(percentile(&to_frame, 0.99) < Duration::from_millis(30));
    assert!(percentile(&to_ack, 0.99) < Duration::from_millis(40));
}

/// The bytes of 「请A023到3号窗口」 as the screen at address 1 receives them (flash frame),
/// quoted in hardware/displays/README.md.
#[test]
fn captured_call_frame() {
    let (sim, led) = start(1);
    led.show(3, call("A023"));
    assert!(sim.wait_until(Duration::from_secs(3), |f| f.len() >= 2));
    let frames = sim.frames();
    let hex = |b: &[u8]| {
        b.iter()
            .map(|x| format!("{x:02X}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!("flash:  {}", hex(&frames[0].wire));
    println!("steady: {}", hex(&frames[1].wire));
    let expected_flash = "A5 A5 A5 A5 A5 A5 A5 A5 01 00 00 80 00 00 00 00 00 00 FE 02 33 00 A3 06 01 00 00 00 01 2A 00 00 00 00 00 00 08 00 10 00 00 00 00 05 00 00 00 00 02 01 02 00 00 01 0F 00 00 00 C7 EB 41 30 32 33 B5 BD 33 BA C5 B4 B0 BF DA";
    assert!(hex(&frames[0].wire).starts_with(expected_flash));
}
