//! The hall server's caller keypads end to end: Modbus RTU bytes on a PTY between the
//! keypad simulator and the real bus master, presses run through a real hall with its
//! SQLite store, the keypad of window N acts only for window N, and the LCD follows the hall.

mod common;

use std::sync::Arc;
use std::time::Duration;

use hallq::config::{BusConfig, HallConfig, ParityName};
use hallq::core::{Command, IssueRequest, ServiceId, WindowNo};
use hallq::devices::bus::sim::KeypadBusSim;
use hallq::devices::bus::{BusHandle, KeyCode};
use hallq::hall::{Clock, Hall};
use hallq::roles::keypads::{HallKeypads, follow_displays};
use hallq::roles::serve::open_hall;

const WAIT: Duration = Duration::from_secs(5);

fn bus_config(keypads: Vec<u16>) -> BusConfig {
    BusConfig {
        name: "callers".into(),
        port: "/dev/null".into(),
        baud: 9600,
        parity: ParityName::None,
        timeout_ms: 150,
        poll_ms: 10,
        keypads,
        reprobe_ms: 10_000,
    }
}

async fn issue(hall: &Hall, service: &str) {
    hall.execute(
        Command::Issue(IssueRequest {
            service: ServiceId::new(service.to_string()),
            staff_priority: false,
            id: None,
            appointment_code: None,
        }),
        |_, _| (),
    )
    .await
    .unwrap();
}

async fn current(hall: &Hall, window: u16) -> Option<String> {
    hall.query(move |engine, _| {
        engine
            .window(WindowNo(window))
            .and_then(|w| w.current)
            .and_then(|id| engine.ticket(id))
            .map(|t| t.number.as_str().to_string())
    })
    .await
    .unwrap()
}

#[test]
fn keypads_call_for_their_own_window_and_show_the_hall_on_their_lcd() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = common::CONFIG_24H.replace("require_sign_in = false", "require_sign_in = true");
    let config = Arc::new(HallConfig::parse(&text).unwrap());
    let (clock, _hand) = Clock::manual(common::monday_10am());
    let running = open_hall((*config).clone(), dir.path(), clock).unwrap();
    let hall = running.hall.clone();

    let sim = KeypadBusSim::start(&[1, 3]).unwrap();
    let actions = Arc::new(HallKeypads::new(
        hall.clone(),
        rt.handle().clone(),
        Arc::clone(&config),
    ));
    let bus =
        BusHandle::spawn_on(sim.take_port().unwrap(), bus_config(vec![1, 3]), actions).unwrap();
    rt.spawn(follow_displays(
        hall.clone(),
        vec![(bus.clone(), vec![1, 3])],
    ));

    // Nobody signed in: the LCD says so.
    assert!(
        sim.wait_until(WAIT, |s| s.lcd(3).trim() == "请签到"),
        "lcd: {:?}",
        sim.lcd(3)
    );
    rt.block_on(async {
        issue(&hall, "B").await;
        issue(&hall, "B").await;
        issue(&hall, "C").await;
    });
    // Let the first polls adopt the keypads' sequence numbers as the baseline.
    assert!(sim.wait_until(WAIT, |s| s.requests(3) >= 2));

    // Key 1 without a staff member: refused, and the reason shows on the LCD.
    sim.press(3, KeyCode::CallNext, 0);
    assert!(
        sim.wait_until(WAIT, |s| s.lcd(3).trim() == "请先签到"),
        "lcd: {:?}",
        sim.lcd_history(3)
    );
    assert_eq!(rt.block_on(current(&hall, 3)), None);

    // Key 8 + staff number signs in; key 1 calls the next B ticket for window 3 only.
    let signed = sim.press(3, KeyCode::SignIn, 1001);
    assert!(sim.wait_until(WAIT, |s| s.acks(3).contains(&signed)));
    let called = sim.press(3, KeyCode::CallNext, 0);
    assert!(sim.wait_until(WAIT, |s| s.acks(3).contains(&called)));
    assert_eq!(rt.block_on(current(&hall, 3)).as_deref(), Some("B001"));
    assert_eq!(rt.block_on(current(&hall, 1)), None, "window 1 untouched");
    assert!(
        sim.wait_until(WAIT, |s| s.lcd(3).trim() == "B001 等候1"),
        "lcd: {:?}",
        sim.lcd_history(3)
    );

    // Call specific by digits: 2 → B002, the only waiting ticket numbered 2 that window 3 serves.
    let specific = sim.press(3, KeyCode::CallSpecific, 2);
    assert!(sim.wait_until(WAIT, |s| s.acks(3).contains(&specific)));
    assert_eq!(rt.block_on(current(&hall, 3)).as_deref(), Some("B002"));

    // Window 1's keypad: its own sign-in and call, never window 3's.
    let one = sim.press(1, KeyCode::SignIn, 1001);
    assert!(sim.wait_until(WAIT, |s| s.acks(1).contains(&one)));
    let one = sim.press(1, KeyCode::CallNext, 0);
    assert!(sim.wait_until(WAIT, |s| s.acks(1).contains(&one)));
    assert_eq!(rt.block_on(current(&hall, 1)).as_deref(), Some("C001"));
    // Staff 1001 moved to window 1, so window 3 shows 请签到 again and keeps its ticket.
    assert_eq!(rt.block_on(current(&hall, 3)).as_deref(), Some("B002"));
    assert!(
        sim.wait_until(WAIT, |s| s.lcd(3).trim() == "请签到"),
        "lcd: {:?}",
        sim.lcd_history(3)
    );

    // Nothing waits for window 1 any more: 无人等候 on its LCD, no ticket changes.
    let none = sim.press(1, KeyCode::CallNext, 0);
    assert!(sim.wait_until(WAIT, |s| s.acks(1).contains(&none)));
    assert!(
        sim.wait_until(WAIT, |s| s
            .lcd_history(1)
            .iter()
            .any(|t| t.trim() == "无人等候")),
        "lcd: {:?}",
        sim.lcd_history(1)
    );
    // Health is published once per polling round: wait for the round that saw the last press.
    let presses = |h: &hallq::devices::bus::BusHealth| -> Vec<u64> {
        h.devices.iter().map(|d| d.events).collect()
    };
    let deadline = std::time::Instant::now() + WAIT;
    while presses(&bus.health()) != [3, 4] && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let health = bus.health();
    assert_eq!(presses(&health), [3, 4], "{health:?}");
    assert!(
        // A loaded machine may miss a reply now and then; that must never cost a press.
        health.devices.iter().all(|d| d.online),
        "{health:?}"
    );
    // As the server's device health lists it: the bus with one component per keypad.
    let dto = hallq::roles::hall_devices::bus_health(&health);
    assert_eq!(dto.device, "bus-callers");
    assert!(!dto.needs_attention, "{dto:?}");
    let components: Vec<&str> = dto
        .components
        .iter()
        .map(|c| c.component.as_str())
        .collect();
    assert_eq!(components, ["port", "keypad-1@1", "keypad-3@3"]);
    bus.stop();
}

/// A dongle missing at start is no reason to stop the server: the bus starts, says why in
/// health, and keeps trying the port.
#[test]
fn a_bus_whose_port_is_missing_at_start_reports_it_and_keeps_trying() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = Arc::new(HallConfig::parse(common::CONFIG_24H).unwrap());
    let (clock, _hand) = Clock::manual(common::monday_10am());
    let running = open_hall((*config).clone(), dir.path(), clock).unwrap();
    let actions = Arc::new(HallKeypads::new(
        running.hall.clone(),
        rt.handle().clone(),
        Arc::clone(&config),
    ));
    let mut bus = bus_config(vec![1]);
    bus.port = dir.path().join("ttyUSB-not-plugged-in");
    bus.reprobe_ms = 1000;
    let handle = BusHandle::spawn(bus, actions).expect("a missing port is not an error");
    let deadline = std::time::Instant::now() + WAIT;
    while handle.health().port_error.is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let health = handle.health();
    assert!(!health.online, "{health:?}");
    assert!(
        health
            .port_error
            .as_deref()
            .is_some_and(|e| e.contains("cannot open")),
        "{health:?}"
    );
    let dto = hallq::roles::hall_devices::bus_health(&health);
    assert!(dto.needs_attention);
    assert_eq!(dto.components[0].status, "offline");
    handle.stop();
}
