//! Calling latency: from a call at the window to the `ticket_called` event a display sees.
//! Plain `main()` (no criterion); prints figures and exits 0; timings are never asserted.
//! Results: benches/README.md, "Calling".
//!
//! - API path: `POST /api/v1/windows/1/call-next` with the window's token → the event on an
//!   open `GET /api/v1/events` stream (SSE over loopback), measured in this process with a
//!   real hall server on 127.0.0.1:0 and its store in `target/tmp` (WAL, synchronous=FULL).
//!   The HTTP answer time is printed too.
//! - Keypad path: a key press on the RS-485 keypad simulator (PTY) → the hall's event, through
//!   the real bus master polling at its configured interval.
//!
//! `HALLQ_BENCH_CALLS=N` changes the number of calls per path (default 500).

use std::sync::Arc;
use std::time::{Duration, Instant};

use hallq::config::HallConfig;
use hallq::hall::Clock;
use hallq::roles::serve::{open_hall, serve_until};

const CONFIG: &str = include_str!("../tests/fixtures/hall-24h.toml");
const KIOSK: &str = "kiosk-token-1";
const WINDOW1: &str = "window-token-1";
const DISPLAY: &str = "display-token-1";

fn main() {
    let calls = std::env::var("HALLQ_BENCH_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500usize);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let base = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(base).expect("target/tmp");
    let dir = tempfile::tempdir_in(base).expect("data dir");
    let config = HallConfig::parse(CONFIG).expect("config");
    let at = "2026-11-23T10:00:00+08:00[Asia/Shanghai]"
        .parse::<jiff::Zoned>()
        .expect("time")
        .timestamp();
    let (clock, _hand) = Clock::manual(at);
    let running = open_hall(config, dir.path(), clock).expect("hall");
    let hall = running.hall.clone();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let server = rt.spawn(serve_until(
        running,
        "127.0.0.1:0".parse().expect("addr"),
        async move {
            let _ = stop_rx.await;
        },
        move |addr| {
            let _ = addr_tx.send(addr);
        },
    ));
    let addr = addr_rx.recv().expect("server address");
    let base = format!("http://{addr}");
    let (to_event, answers) = rt.block_on(api_path(&base, calls));
    print_figures("API call-next → event on the SSE stream", &to_event);
    print_figures("API call-next → HTTP answer", &answers);
    let (led, voice) = effects_path(&rt, &base, &hall, calls.min(200));
    print_figures(
        "API call-next → last byte of the LED call frame on the PTY (Onbon, 9600 baud configured)",
        &led,
    );
    print_figures(
        "API call-next → voice playback started (sim backend)",
        &voice,
    );
    let poll_ms = 100;
    let keypad = keypad_path(&rt, &hall, calls.min(200), poll_ms);
    print_figures(
        &format!("keypad press on the PTY → event published (poll every {poll_ms} ms)"),
        &keypad,
    );
    drop(hall);
    let _ = stop_tx.send(());
    let _ = rt.block_on(server);
}

async fn api_path(base: &str, calls: usize) -> (Vec<Duration>, Vec<Duration>) {
    let http = hallq::net::http().build().unwrap();
    let mut events = http
        .get(format!("{base}/api/v1/events"))
        .bearer_auth(DISPLAY)
        .send()
        .await
        .expect("event stream");
    let mut buffer = String::new();
    let mut to_event = Vec::with_capacity(calls);
    let mut answers = Vec::with_capacity(calls);
    for _ in 0..calls {
        let issued = http
            .post(format!("{base}/api/v1/tickets"))
            .bearer_auth(KIOSK)
            .json(&serde_json::json!({ "service": "B" }))
            .send()
            .await
            .expect("issue");
        assert!(issued.status().is_success(), "issue failed");
        let started = Instant::now();
        let answer = http
            .post(format!("{base}/api/v1/windows/1/call-next"))
            .bearer_auth(WINDOW1);
        let events_seen = wait_for(&mut events, &mut buffer, "ticket_called");
        let (answer, ()) = tokio::join!(
            async {
                let r = answer.send().await.expect("call-next");
                let took = started.elapsed();
                assert!(r.status().is_success(), "call-next failed");
                took
            },
            events_seen
        );
        to_event.push(started.elapsed());
        answers.push(answer);
        let finished = http
            .post(format!("{base}/api/v1/windows/1/finish"))
            .bearer_auth(WINDOW1)
            .send()
            .await
            .expect("finish");
        assert!(finished.status().is_success(), "finish failed");
    }
    (to_event, answers)
}

/// A window's LED screen (Onbon simulator on a PTY through the real LED worker) and a `sim`
/// voice zone, both fed from the hall's committed events as `hallq serve` feeds them.
fn effects_path(
    rt: &tokio::runtime::Runtime,
    base: &str,
    hall: &hallq::hall::Hall,
    calls: usize,
) -> (Vec<Duration>, Vec<Duration>) {
    use std::collections::HashMap;

    use hallq::config::displays::{ScreenConfig, ScreenProtocol};
    use hallq::config::voice::VoiceBackend;
    use hallq::config::{DisplaysConfig, VoiceConfig, VoiceZoneConfig};
    use hallq::devices::led::sim::OnbonSim;
    use hallq::devices::led::{LedHandle, LedTiming};
    use hallq::voice::backends::SimSpeaker;
    use hallq::voice::pack::Pack;
    use hallq::voice::{AnnouncerHandle, VoiceEvent, ZoneSettings};

    let mut sim = OnbonSim::start(&[1]).expect("LED simulator");
    let port_path = std::path::PathBuf::from("/dev/hallq/bus-led");
    let displays = DisplaysConfig {
        screens: vec![ScreenConfig {
            window: 1,
            protocol: ScreenProtocol::Onbon,
            port: port_path.clone(),
            baud: 9600,
            address: 1,
            profile: None,
        }],
        ..DisplaysConfig::default()
    };
    let names = HashMap::from([(1u16, "综合窗口".to_string())]);
    let led = LedHandle::spawn_on(
        &displays,
        names,
        vec![(port_path, sim.take_port().expect("pty"))],
        LedTiming::default(),
    )
    .expect("LED worker");
    // The sim speaker without its real-time pacing: the figure is the dispatch to the
    // speaker, not the length of the previous announcement.
    let zone = VoiceZoneConfig::new("bench", VoiceBackend::Sim);
    let settings = ZoneSettings::new(&VoiceConfig::default(), &zone).expect("zone settings");
    let pack = Pack::load(None).expect("built-in voice pack");
    let index = pack.index().clone();
    let voice = AnnouncerHandle::spawn_with(
        settings,
        index,
        "sim",
        Box::new(move || Box::new(SimSpeaker::new(pack, None).instant())),
    )
    .expect("voice zone");
    let mut voice_events = voice.subscribe();
    let led_task = rt.spawn(hallq::roles::screens::follow_windows(
        hall.clone(),
        led.clone(),
        vec![1],
    ));
    let voice_task = rt.spawn(hallq::roles::announce::follow_calls(
        hall.clone(),
        vec![voice.clone()],
    ));
    let http = hallq::net::http().build().unwrap();
    let mut to_led = Vec::with_capacity(calls);
    let mut to_voice = Vec::with_capacity(calls);
    for _ in 0..calls {
        let number = rt.block_on(async {
            let issued: serde_json::Value = http
                .post(format!("{base}/api/v1/tickets"))
                .bearer_auth(KIOSK)
                .json(&serde_json::json!({ "service": "B" }))
                .send()
                .await
                .expect("issue")
                .json()
                .await
                .expect("issue answer");
            issued["number"].as_str().expect("number").to_string()
        });
        voice.wait_idle(Duration::from_secs(5));
        while voice_events.try_recv().is_ok() {}
        let started = Instant::now();
        rt.block_on(async {
            let r = http
                .post(format!("{base}/api/v1/windows/1/call-next"))
                .bearer_auth(WINDOW1)
                .send()
                .await
                .expect("call-next");
            assert!(r.status().is_success(), "call-next failed");
        });
        let seen = |frames: &[hallq::devices::led::sim::SimFrame]| {
            frames
                .iter()
                .any(|f| f.at > started && f.text.contains(number.as_str()))
        };
        assert!(sim.wait_until(Duration::from_secs(5), seen), "no LED frame");
        if let Some(f) = sim
            .frames()
            .iter()
            .find(|f| f.at > started && f.text.contains(number.as_str()))
        {
            to_led.push(f.at - started);
        }
        rt.block_on(async {
            loop {
                match voice_events.recv().await {
                    Ok(VoiceEvent::Started { number: n, .. }) if n == number => break,
                    Ok(_) => {}
                    Err(e) => panic!("voice events: {e}"),
                }
            }
        });
        to_voice.push(started.elapsed());
        rt.block_on(async {
            let r = http
                .post(format!("{base}/api/v1/windows/1/finish"))
                .bearer_auth(WINDOW1)
                .send()
                .await
                .expect("finish");
            assert!(r.status().is_success(), "finish failed");
        });
    }
    led_task.abort();
    voice_task.abort();
    (to_led, to_voice)
}

/// Presses 叫号 on the simulated keypad of window 1 (Modbus RTU on a PTY, polled by the real
/// bus master with the default timeout and poll interval) and waits for `ticket_called` on
/// the hall's event broadcast.
fn keypad_path(
    rt: &tokio::runtime::Runtime,
    hall: &hallq::hall::Hall,
    calls: usize,
    poll_ms: u64,
) -> Vec<Duration> {
    use hallq::config::{BusConfig, ParityName};
    use hallq::core::{Change, Command, IssueRequest, ServiceId, WindowNo};
    use hallq::devices::bus::sim::KeypadBusSim;
    use hallq::devices::bus::{BusHandle, KeyCode};
    use hallq::roles::keypads::HallKeypads;

    let config = Arc::new(HallConfig::parse(CONFIG).expect("config"));
    let sim = KeypadBusSim::start(&[1]).expect("keypad simulator");
    let bus = BusHandle::spawn_on(
        sim.take_port().expect("pty"),
        BusConfig {
            name: "bench".into(),
            port: "/dev/null".into(),
            baud: 9600,
            parity: ParityName::None,
            timeout_ms: 150,
            poll_ms,
            keypads: vec![1],
            evaluators: vec![],
            reprobe_ms: 10_000,
        },
        Arc::new(HallKeypads::new(hall.clone(), rt.handle().clone(), config)),
    )
    .expect("bus");
    assert!(sim.wait_until(Duration::from_secs(5), |s| s.requests(1) >= 2));
    let mut samples = Vec::with_capacity(calls);
    let mut phase: u64 = 0x5eed;
    for _ in 0..calls {
        rt.block_on(async {
            let issue = Command::Issue(IssueRequest {
                service: ServiceId::new("B".to_string()),
                staff_priority: false,
                id: None,
                appointment_code: None,
            });
            hall.execute(issue, |_, _| ()).await.expect("issue");
        });
        // A person presses at any moment of the polling cycle, not right after a round:
        // wait a pseudo-random part of the interval first (fixed seed, same run every time).
        phase = phase
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        std::thread::sleep(Duration::from_micros((phase >> 33) % (poll_ms * 1000)));
        let mut events = hall.subscribe();
        let started = Instant::now();
        sim.press(1, KeyCode::CallNext, 0);
        rt.block_on(async {
            loop {
                let e = events.recv().await.expect("events");
                if matches!(e.event.change, Change::TicketCalled { .. }) {
                    break;
                }
            }
        });
        samples.push(started.elapsed());
        rt.block_on(async {
            let finish = Command::Finish {
                window: WindowNo(1),
                case_number: None,
            };
            hall.execute(finish, |_, _| ()).await.expect("finish");
        });
    }
    bus.stop();
    samples
}

/// Reads the stream until an event of `kind` arrives.
async fn wait_for(stream: &mut reqwest::Response, buffer: &mut String, kind: &str) {
    let marker = format!("event: {kind}");
    loop {
        if let Some(at) = buffer.find(&marker)
            && let Some(end) = buffer[at..].find("\n\n")
        {
            buffer.drain(..at + end + 2);
            return;
        }
        let chunk = stream.chunk().await.expect("stream").expect("stream ended");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

fn print_figures(what: &str, samples: &[Duration]) {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
        sorted.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3
    );
}
