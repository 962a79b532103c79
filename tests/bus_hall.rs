//! The hall server's caller keypads end to end: Modbus RTU bytes on a PTY between the
//! keypad simulator and the real bus master, presses run through a real hall with its
//! SQLite store, the keypad of window N acts only for window N, and the LCD follows the hall;
//! the 5-key evaluator of window N rates window N's finished visit once.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use hallq::config::{BusConfig, HallConfig, ParityName};
use hallq::core::{
    Command, IssueRequest, RatingMark, ServiceId, TicketNumber, TicketState, WindowNo,
};
use hallq::devices::bus::sim::KeypadBusSim;
use hallq::devices::bus::{BusHandle, BusHealth, DeviceHealth, EvaluatorKey, KeyCode};
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
        evaluators: Vec::new(),
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

// ---- 5-key evaluators end to end: `hall_devices::start` (what `hallq serve` and
// `hallq demo` run) with a bus configured in hall.toml: keypad 1, evaluators of windows 1
// and 2 (addresses 101, 102). The device rules alone: tests/bus_evaluators.rs.

const RATING_TIMEOUT_S: u16 = 45;

fn hall_toml(port: &str) -> String {
    format!(
        "{}\n[ratings]\ntimeout_s = {RATING_TIMEOUT_S}\n\n[[buses]]\nname = \"callers\"\nport = \"{port}\"\n\
         timeout_ms = 50\npoll_ms = 5\nreprobe_ms = 1000\nkeypads = [1]\nevaluators = [1, 2]\n",
        common::CONFIG_24H
    )
}

fn device(health: &BusHealth, address: u8) -> DeviceHealth {
    health
        .devices
        .iter()
        .find(|d| d.address == address)
        .cloned()
        .unwrap_or_else(|| panic!("no device {address} in {health:#?}"))
}

struct HallRig {
    rt: tokio::runtime::Runtime,
    sim: KeypadBusSim,
    hall: Hall,
    devices: hallq::roles::hall_devices::HallDevices,
    _running: hallq::roles::serve::Running,
    _dir: tempfile::TempDir,
}

/// A hall whose bus runs on the simulator; `before` runs on the hall before the devices start.
fn hall_rig(before: impl AsyncFnOnce(&Hall)) -> HallRig {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sim = KeypadBusSim::start_with(&[1], &[101, 102]).unwrap();
    let config = HallConfig::parse(&hall_toml(sim.path())).unwrap();
    assert_eq!(config.buses[0].evaluators, [1, 2]);
    let (clock, _hand) = Clock::manual(common::monday_10am());
    let running = open_hall(config, dir.path(), clock).unwrap();
    let hall = running.hall.clone();
    rt.block_on(before(&hall));
    let devices = hallq::roles::hall_devices::start(&running.config, &hall, rt.handle());
    HallRig {
        rt,
        sim,
        hall,
        devices,
        _running: running,
        _dir: dir,
    }
}

async fn run(hall: &Hall, command: Command) {
    hall.execute(command, |_, _| ()).await.unwrap();
}

/// Issues an A ticket, calls it at window 1 and finishes it there (办结).
async fn serve_one_at_window_1(hall: &Hall) {
    issue(hall, "A").await;
    run(
        hall,
        Command::CallNext {
            window: WindowNo(1),
        },
    )
    .await;
    run(
        hall,
        Command::Finish {
            window: WindowNo(1),
            case_number: None,
        },
    )
    .await;
}

impl HallRig {
    /// The rating mark of the ticket window 1 finished last.
    fn last_mark(&self) -> Option<RatingMark> {
        self.rt
            .block_on(self.hall.query(|engine, _| {
                let id = engine.window(WindowNo(1))?.last_finished?;
                Some(engine.ticket(id)?.rating)
            }))
            .unwrap()
    }

    /// (level, channel, window) of every row in the store's `ratings` table.
    fn stored_ratings(&self) -> Vec<(i64, String, i64)> {
        let db = rusqlite::Connection::open_with_flags(
            self.hall.store_path(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let mut stmt = db
            .prepare("SELECT level, channel, window FROM ratings ORDER BY seq")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn bus_health(&self) -> BusHealth {
        self.devices.buses[0].health()
    }
}

#[test]
fn a_key_on_the_evaluator_rates_the_finished_visit_exactly_once() {
    let rig = hall_rig(async |_| {});
    let sim = &rig.sim;
    assert!(sim.wait_until(WAIT, |s| s.prompt_writes(101) == [0]
        && s.prompt_writes(102) == [0]));
    assert_eq!(sim.rating_timeout(101), RATING_TIMEOUT_S);
    assert_eq!(sim.rating_timeout(102), RATING_TIMEOUT_S);

    // 办结 at window 1: its evaluator asks; window 2's does not.
    rig.rt.block_on(serve_one_at_window_1(&rig.hall));
    assert!(
        sim.wait_until(WAIT, |s| s.prompt(101) == 1),
        "{:?}",
        sim.prompt_writes(101)
    );
    assert_eq!(sim.prompt_writes(101), [0, 1]);
    assert!(matches!(rig.last_mark(), Some(RatingMark::Awaiting { .. })));

    // 不满意 (24): one rating, level 2, channel keypad, window 1; the prompt goes idle.
    let seq = sim.rate(101, EvaluatorKey::Dissatisfied);
    assert!(sim.wait_until(WAIT, |s| s.acks(101).contains(&seq)));
    assert!(
        sim.wait_until(WAIT, |s| s.prompt(101) == 0),
        "{:?}",
        sim.prompt_writes(101)
    );
    assert_eq!(sim.prompt_writes(101), [0, 1, 0]);
    match rig.last_mark() {
        Some(RatingMark::Rated { level }) => assert_eq!(level.get(), 2),
        other => panic!("{other:?}"),
    }
    assert_eq!(rig.stored_ratings(), [(2, "keypad".to_string(), 1)]);

    // Polls that read the same sequence again, and a second key: still one rating.
    let reads = sim.requests(101);
    assert!(sim.wait_until(WAIT, |s| s.requests(101) >= reads + 2));
    let again = sim.rate(101, EvaluatorKey::VerySatisfied);
    assert!(sim.wait_until(WAIT, |s| s.acks(101).contains(&again)));
    assert_eq!(rig.stored_ratings(), [(2, "keypad".to_string(), 1)]);
    assert_eq!(
        sim.prompt_writes(102),
        [0],
        "window 2's evaluator never asked"
    );

    // Device health as the server lists it.
    let deadline = Instant::now() + WAIT;
    while device(&rig.bus_health(), 101).events < 2 {
        assert!(Instant::now() < deadline, "{:?}", rig.bus_health());
        std::thread::sleep(Duration::from_millis(5));
    }
    let dto = hallq::roles::hall_devices::bus_health(&rig.bus_health());
    let components: Vec<(&str, &str)> = dto
        .components
        .iter()
        .map(|c| (c.component.as_str(), c.status.as_str()))
        .collect();
    assert_eq!(
        components,
        [
            ("port", "ok"),
            ("keypad-1@1", "ok"),
            ("evaluator-1@101", "ok"),
            ("evaluator-2@102", "ok")
        ]
    );
    assert!(!dto.needs_attention);
    let local: Vec<String> = rig
        .devices
        .local
        .iter()
        .flat_map(|d| d.health())
        .map(|d| d.device)
        .collect();
    assert!(local.contains(&"bus-callers".to_string()), "{local:?}");
    rig.devices.stopper().stop();
}

#[test]
fn a_timeout_on_the_evaluator_records_unrated_and_the_next_finish_asks_again() {
    // A visit finished before the server (re)started still waits: the evaluator asks.
    let rig = hall_rig(serve_one_at_window_1);
    let sim = &rig.sim;
    assert!(
        sim.wait_until(WAIT, |s| s.prompt(101) == 1),
        "{:?}",
        sim.prompt_writes(101)
    );
    assert!(sim.wait_until(WAIT, |s| s.acks(101) == [0]));

    // The rater lets it time out: key 0 → unrated, prompt idle, no rating row.
    sim.rate(101, EvaluatorKey::TimedOut);
    assert!(sim.wait_until(WAIT, |s| s.prompt(101) == 0));
    assert_eq!(rig.last_mark(), Some(RatingMark::Unrated));
    assert!(rig.stored_ratings().is_empty());

    // The next visit at window 1: asked again, and 基本满意 (23) rates it.
    rig.rt.block_on(serve_one_at_window_1(&rig.hall));
    assert!(sim.wait_until(WAIT, |s| s.prompt(101) == 1));
    sim.rate(101, EvaluatorKey::Basic);
    assert!(sim.wait_until(WAIT, |s| s.prompt(101) == 0));
    match rig.last_mark() {
        Some(RatingMark::Rated { level }) => assert_eq!(level.get(), 3),
        other => panic!("{other:?}"),
    }
    assert_eq!(rig.stored_ratings(), [(3, "keypad".to_string(), 1)]);
    let writes = sim.prompt_writes(101);
    assert_eq!(&writes[writes.len() - 4..], [1, 0, 1, 0], "{writes:?}");
    rig.devices.stopper().stop();
}

#[test]
fn a_timeout_of_the_previous_visit_never_declines_the_next_one() {
    let rig = hall_rig(serve_one_at_window_1);
    let sim = &rig.sim;
    assert!(sim.wait_until(WAIT, |s| s.prompt(101) == 1));
    let reads = sim.requests(101);
    assert!(sim.wait_until(WAIT, |s| s.requests(101) >= reads + 3));

    // The device's timeout for the first visit races staff finishing the second: whichever
    // the bus sees first, the second visit still waits for its rating.
    rig.rt.block_on(serve_one_at_window_1(&rig.hall));
    let timed_out = sim.rate(101, EvaluatorKey::TimedOut);
    assert!(sim.wait_until(WAIT, |s| s.acks(101).contains(&timed_out)));
    let reads = sim.requests(101);
    assert!(sim.wait_until(WAIT, |s| s.requests(101) >= reads + 3 && s.prompt(101) == 1));
    assert!(
        matches!(rig.last_mark(), Some(RatingMark::Awaiting { .. })),
        "{:?}",
        rig.last_mark()
    );

    // The rater of the second visit then rates it.
    sim.rate(101, EvaluatorKey::Satisfied);
    assert!(sim.wait_until(WAIT, |s| s.prompt(101) == 0));
    assert_eq!(rig.stored_ratings(), [(4, "keypad".to_string(), 1)]);
    rig.devices.stopper().stop();
}

/// (state, recalls, no-shows, directed-to window) of one ticket.
fn ticket_facts(rig: &HallRig, number: &str) -> (TicketState, u8, u8, Option<u16>) {
    let number = TicketNumber(number.into());
    rig.rt
        .block_on(rig.hall.query(move |engine, _| {
            let t = engine.find_ticket(&number)?;
            Some((t.state, t.recalls, t.no_shows, t.directed_to.map(|w| w.0)))
        }))
        .unwrap()
        .unwrap_or_else(|| panic!("no such ticket"))
}

/// Presses a key on window 1's keypad and waits until the host has consumed it.
fn press_1(rig: &HallRig, key: KeyCode, arg: u16) {
    let seq = rig.sim.press(1, key, arg);
    assert!(
        rig.sim.wait_until(WAIT, |s| s.acks(1).contains(&seq)),
        "{key:?} not consumed; lcd: {:?}",
        rig.sim.lcd_history(1)
    );
}

fn lcd_showed(rig: &HallRig, text: &str) -> bool {
    rig.sim
        .wait_until(WAIT, |s| s.lcd_history(1).iter().any(|t| t.trim() == text))
}

#[test]
fn every_keypad_key_runs_its_window_command_and_says_why_when_refused() {
    let rig = hall_rig(async |hall| {
        for _ in 0..3 {
            issue(hall, "B").await;
        }
    });
    assert!(rig.sim.wait_until(WAIT, |s| s.requests(1) >= 2), "polled");
    let current = || rig.rt.block_on(current(&rig.hall, 1));

    press_1(&rig, KeyCode::CallNext, 0);
    assert_eq!(current().as_deref(), Some("B001"));
    // 重呼 up to the hall's recall limit (3), then the LCD says why the next is refused.
    for _ in 0..3 {
        press_1(&rig, KeyCode::Recall, 0);
    }
    assert_eq!(ticket_facts(&rig, "B001").1, 3);
    press_1(&rig, KeyCode::Recall, 0);
    assert!(
        lcd_showed(&rig, "已达重呼上限"),
        "{:?}",
        rig.sim.lcd_history(1)
    );
    assert_eq!(ticket_facts(&rig, "B001").1, 3, "no recall past the limit");

    // 过号: the window is free, the ticket counts a no-show.
    press_1(&rig, KeyCode::NoShow, 0);
    assert_eq!(current(), None);
    assert_eq!(ticket_facts(&rig, "B001").2, 1);
    press_1(&rig, KeyCode::NoShow, 0);
    assert!(lcd_showed(&rig, "当前无号"), "{:?}", rig.sim.lcd_history(1));

    // 暂停: the LCD says so and key 1 is refused; 恢复 calls again.
    press_1(&rig, KeyCode::Pause, 0);
    assert!(
        rig.sim
            .wait_until(WAIT, |s| s.lcd(1).trim().starts_with("暂停 等候")),
        "{:?}",
        rig.sim.lcd_history(1)
    );
    press_1(&rig, KeyCode::CallNext, 0);
    assert!(
        lcd_showed(&rig, "窗口已暂停"),
        "{:?}",
        rig.sim.lcd_history(1)
    );
    assert_eq!(current(), None);
    press_1(&rig, KeyCode::Resume, 0);
    press_1(&rig, KeyCode::Resume, 0);
    assert!(
        lcd_showed(&rig, "窗口未暂停"),
        "{:?}",
        rig.sim.lcd_history(1)
    );

    // 转移 to window 3 (the argument): the ticket waits for window 3, window 1 is free.
    press_1(&rig, KeyCode::CallNext, 0);
    let transferred = current().expect("a ticket after resume");
    press_1(&rig, KeyCode::Transfer, 3);
    assert_eq!(current(), None);
    let (state, _, _, directed) = ticket_facts(&rig, &transferred);
    assert_eq!((state, directed), (TicketState::Waiting, Some(3)));

    // 办结 finishes the current ticket.
    press_1(&rig, KeyCode::CallNext, 0);
    let served = current().expect("a third ticket");
    assert_ne!(served, transferred);
    press_1(&rig, KeyCode::Finish, 0);
    assert_eq!(ticket_facts(&rig, &served).0, TicketState::Finished);
    assert_eq!(current(), None);

    // 签到 with an unknown staff number is refused on the LCD; 签退 of a signed-in one.
    press_1(&rig, KeyCode::SignIn, 4242);
    assert!(
        lcd_showed(&rig, "工号不存在"),
        "{:?}",
        rig.sim.lcd_history(1)
    );
    press_1(&rig, KeyCode::SignIn, 1001);
    let staff = || {
        rig.rt
            .block_on(rig.hall.query(|engine, _| {
                engine
                    .window(WindowNo(1))
                    .and_then(|w| w.staff.clone())
                    .map(|s| s.0)
            }))
            .unwrap()
    };
    assert_eq!(staff().as_deref(), Some("1001"));
    press_1(&rig, KeyCode::SignOut, 0);
    assert_eq!(staff(), None);
}
