//! `hallq demo`: a whole hall on this machine. The hall server with the sample hall, a
//! fresh store, and simulated devices: a kiosk where citizens arrive, windows that call and
//! finish, and a console standing in for the LED screens and the speakers.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use jiff::civil::Time;
use jiff::{SignedDuration, Timestamp, Zoned};
use rand::Rng;

use super::serve::{open_hall, serve_until};
use crate::cli::DemoArgs;
use crate::config::HallConfig;
use crate::core::{
    Change, Command, IssueRequest, RatingChannel, RatingLevel, RatingReason, Reply, ServiceId,
    StaffId, WindowNo,
};
use crate::hall::{Clock, Hall};

/// The sample hall shipped with hallq.
pub const SAMPLE_CONFIG: &str = include_str!("../../hall.example.toml");
/// The health detail of the devices the demo simulates.
pub const SIMULATED: &str = "simulated by hallq demo";
/// The demo's simulated clock starts at this local time on the current day.
const DEMO_START: Time = Time::constant(9, 0, 0, 0);

/// Opens every weekday and drops holidays, so the demo works on any day.
fn demo_config(text: &str) -> Result<HallConfig, String> {
    let mut doc: toml_edit::DocumentMut =
        text.parse().map_err(|e| format!("sample config: {e}"))?;
    if let Some(hall) = doc.get_mut("hall").and_then(|h| h.as_table_mut()) {
        let mut days = toml_edit::Array::new();
        for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
            days.push(d);
        }
        hall.insert("weekdays", toml_edit::value(days));
        hall.insert("closed_dates", toml_edit::value(toml_edit::Array::new()));
    }
    HallConfig::parse(&doc.to_string()).map_err(|e| format!("demo configuration:\n{e}"))
}

/// How far the demo clock is ahead of (or behind) the real one: it shows 09:00 today.
fn demo_offset(config: &HallConfig) -> SignedDuration {
    let tz = config.rules().tz;
    let now: Zoned = Timestamp::now().to_zoned(tz.clone());
    now.date()
        .to_datetime(DEMO_START)
        .to_zoned(tz)
        .map(|start| now.duration_until(&start))
        .unwrap_or(SignedDuration::ZERO)
}

fn demo_dir(args: &DemoArgs) -> Result<(PathBuf, bool), String> {
    if let Some(dir) = &args.data {
        return Ok((dir.clone(), false));
    }
    let dirs = directories::ProjectDirs::from("", "", "hallq")
        .ok_or("cannot find your data directory; pass --data DIR")?;
    Ok((dirs.data_dir().join("demo"), true))
}

pub fn run(args: DemoArgs) -> ExitCode {
    super::init_logging();
    match run_inner(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("hallq demo: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run_inner(args: DemoArgs) -> Result<(), String> {
    let text = match &args.config {
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => SAMPLE_CONFIG.to_string(),
    };
    let config = demo_config(&text)?;
    let (dir, fresh) = demo_dir(&args)?;
    if fresh {
        for name in ["hall.db", "hall.db-wal", "hall.db-shm"] {
            let _ = std::fs::remove_file(dir.join(name));
        }
    }
    let offset = demo_offset(&config);
    let tokens: Vec<(String, String)> = config
        .devices
        .iter()
        .map(|d| (d.name.clone(), d.token.clone()))
        .collect();
    let hall_name = config.hall.name.clone();
    let kiosk = kiosk_setup(&config);
    // With a display, window 1 is staffed from a real window terminal instead of a simulation.
    let terminal = kiosk.as_ref().and_then(|_| terminal_token(&config, 1));
    let evaluator = kiosk
        .as_ref()
        .and_then(|_| device_token(&config, crate::config::DeviceRole::Evaluator, 1));
    let screen = kiosk.as_ref().and_then(|_| display_setup(&config));
    // Devices without a window of their own here are played by the simulation: they tell
    // the server they are alive, as the real ones do, so `hallq status` shows a healthy hall.
    let windowed: Vec<&String> = [
        kiosk.as_ref().map(|(_, t)| t),
        terminal.as_ref(),
        evaluator.as_ref(),
        screen.as_ref().map(|(t, _, _)| t),
    ]
    .into_iter()
    .flatten()
    .collect();
    let simulated_tokens: Vec<String> = config
        .devices
        .iter()
        .filter(|d| d.role != crate::config::DeviceRole::Admin && !windowed.contains(&&d.token))
        .map(|d| d.token.clone())
        .collect();
    let mut running = open_hall(config, &dir, Clock::Offset(offset))?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let devices = super::hall_devices::start(&running.config, &running.hall, runtime.handle());
    running.local.extend(devices.local.iter().cloned());
    let upload = super::serve::start_upload(&mut running, runtime.handle());
    let upload_config = running.config.clone();
    let staffed_by_terminal = terminal.as_ref().map(|_| WindowNo(1));
    let stopper = devices.stopper();
    let duration = args.duration.map(Duration::from_secs);
    let arrival = Duration::from_secs(args.arrival_every.max(1));
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let with_window = kiosk.is_some();
    let server = runtime.spawn(async move {
        let hall = running.hall.clone();
        let windows: Vec<WindowNo> = running.config.windows.iter().map(|w| WindowNo(w.number)).collect();
        let services: Vec<ServiceId> = running.config.services.iter().map(|s| ServiceId::new(s.id.clone())).collect();
        let window_count = windows.len();
        let ready = move |addr: std::net::SocketAddr| {
            println!("hallq demo — {hall_name}");
            println!("  hall server:  http://{addr}/api/v1/health");
            println!("  API document: http://{addr}/api/v1/openapi.json");
            println!("  event stream: curl -N -H 'Authorization: Bearer <token>' http://{addr}/api/v1/events");
            println!("  store:        {}", dir.join("hall.db").display());
            println!("  demo clock:   starts at {DEMO_START} local time (simulated, so the hall is open)");
            println!("  tokens:");
            for (name, token) in &tokens {
                println!("    {name:<12} {token}");
            }
            println!("  simulated devices: a kiosk (arrivals every {}s), {window_count} windows, LED and voice on this console", arrival.as_secs());
            if with_window {
                println!("  windows: kiosk (printer simulated), window 1 terminal (staff 1001, no PIN) and its evaluator, hall display; close the kiosk or press Ctrl-C to stop");
            } else {
                println!("  kiosk window: no display (DISPLAY unset), running headless");
                println!("  stop with Ctrl-C");
            }
            for token in &simulated_tokens {
                match crate::client::HallClient::new(&format!("http://{addr}"), token, Duration::from_secs(3)) {
                    Ok(client) => {
                        tokio::spawn(crate::client::heartbeat(client, SIMULATED.to_string()));
                    }
                    Err(err) => tracing::warn!("demo heartbeat: {err}"),
                }
            }
            let _ = addr_tx.send(addr);
        };
        tokio::spawn(console_devices(hall.clone()));
        let mut simulated = vec![tokio::spawn(simulate_kiosk(hall.clone(), services, arrival))];
        let staff: Vec<StaffId> = running.config.staff.iter().map(|s| StaffId(s.id.clone())).collect();
        for (window, staff) in windows.clone().into_iter().zip(staff.into_iter().map(Some).chain(std::iter::repeat(None))) {
            if Some(window) == staffed_by_terminal {
                continue;
            }
            simulated.push(tokio::spawn(simulate_window(hall.clone(), window, staff, arrival * windows.len() as u32 / 2)));
        }
        drop(hall);
        let stop = async move {
            let timer = async {
                match duration {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = timer => {},
                _ = super::shutdown_signal() => {},
                _ = stop_rx => {},
            }
            // The simulated devices hold hall handles; the hall thread stops when all are gone.
            for task in simulated {
                task.abort();
            }
            let _ = tokio::task::spawn_blocking(move || stopper.stop()).await;
        };
        serve_until(running, args.listen, stop, ready).await
    });
    if let Some((config, token)) = kiosk {
        // The window wants the main thread; the server runs on the runtime's workers.
        if let Ok(addr) = addr_rx.recv_timeout(Duration::from_secs(30)) {
            // Shown now, it joins the kiosk window's event loop below.
            let _terminal = terminal.and_then(|token| {
                let options = super::window::WindowTerminalOptions {
                    server: format!("http://{addr}"),
                    token,
                    settings: crate::terminal::TerminalSettings::new(1),
                    fullscreen: false,
                    timing: Default::default(),
                };
                match super::window::open_window_terminal(options, runtime.handle().clone()) {
                    Ok((window, guard)) => {
                        if let Err(err) = slint::ComponentHandle::show(&window) {
                            eprintln!("hallq demo: window terminal: {err}");
                        }
                        Some((window, guard))
                    }
                    Err(err) => {
                        eprintln!("hallq demo: window terminal: {err}");
                        None
                    }
                }
            });
            // Window 1's evaluator (评价器): asks for a rating after each 办结 at the terminal.
            let _evaluator = evaluator.and_then(|token| {
                let mut options =
                    super::rate::EvaluatorOptions::new(&format!("http://{addr}"), &token, 1);
                options.size = (800.0, 480.0);
                match super::rate::open_evaluator(options, runtime.handle().clone()) {
                    Ok((window, guard)) => {
                        if let Err(err) = slint::ComponentHandle::show(&window) {
                            eprintln!("hallq demo: evaluator: {err}");
                        }
                        Some((window, guard))
                    }
                    Err(err) => {
                        eprintln!("hallq demo: evaluator: {err}");
                        None
                    }
                }
            });
            // The hall display (1280×720 on a desktop), captions from the voice's wording.
            let _screen = screen.and_then(|(token, title, captioner)| {
                let options = super::display::DisplayOptions {
                    server: format!("http://{addr}"),
                    token,
                    settings: Default::default(),
                    fullscreen: false,
                    size: (1280.0, 720.0),
                    title,
                    notice: crate::display::DEFAULT_NOTICE.to_string(),
                    timezone: jiff::tz::TimeZone::system(),
                    timing: Default::default(),
                };
                match super::display::open_display(
                    options,
                    captioner,
                    None,
                    runtime.handle().clone(),
                ) {
                    Ok((window, guard)) => {
                        if let Err(err) = slint::ComponentHandle::show(&window) {
                            eprintln!("hallq demo: hall display: {err}");
                        }
                        Some((window, guard))
                    }
                    Err(err) => {
                        eprintln!("hallq demo: hall display: {err}");
                        None
                    }
                }
            });
            let options = super::kiosk::KioskWindowOptions {
                server: format!("http://{addr}"),
                token,
                orientation: None,
                fullscreen: false,
                timing: Default::default(),
                voice: None,
            };
            if let Err(err) =
                super::kiosk::run_kiosk_window(&config, options, runtime.handle().clone())
            {
                eprintln!("hallq demo: kiosk window: {err}");
            }
            let _ = stop_tx.send(());
        }
    }
    let result = runtime
        .block_on(server)
        .map_err(|e| format!("demo server task failed: {e}"))?;
    runtime.block_on(super::serve::stop_upload(upload, &upload_config));
    drop(devices);
    result
}

/// The hall display's token, title and caption wording.
fn display_setup(config: &HallConfig) -> Option<(String, String, crate::display::Captioner)> {
    let token = config
        .devices
        .iter()
        .find(|d| d.role == crate::config::DeviceRole::Display)?
        .token
        .clone();
    Some((
        token,
        config.hall.name.clone(),
        crate::display::Captioner::new(&config.voice),
    ))
}

/// The token of window `n`'s terminal in the configuration.
fn terminal_token(config: &HallConfig, n: u16) -> Option<String> {
    device_token(config, crate::config::DeviceRole::Window, n)
}

/// The token of the `role` device of window `n` in the configuration.
fn device_token(config: &HallConfig, role: crate::config::DeviceRole, n: u16) -> Option<String> {
    config
        .devices
        .iter()
        .find(|d| d.role == role && d.window == Some(n))
        .map(|d| d.token.clone())
}

/// The configuration and token for the demo's kiosk window, when a display is available.
fn kiosk_setup(config: &HallConfig) -> Option<(HallConfig, String)> {
    if !super::kiosk::display_available() {
        return None;
    }
    let token = config
        .devices
        .iter()
        .find(|d| d.role == crate::config::DeviceRole::Kiosk)?
        .token
        .clone();
    let mut config = config.clone();
    config.printer = Some(crate::config::PrinterConfig::new(
        crate::config::PrinterBackend::Sim,
    ));
    Some((config, token))
}

/// Stands in for the LED window screens and the speakers: prints what they would show
/// and say, from the committed event stream.
async fn console_devices(hall: Hall) {
    let mut events = hall.subscribe();
    drop(hall);
    while let Ok(stored) = events.recv().await {
        match &stored.event.change {
            Change::TicketIssued { ticket } => {
                println!("[kiosk]  取号 {} ({})", ticket.number, ticket.service)
            }
            Change::TicketCalled { number, window, .. }
            | Change::TicketRecalled { number, window, .. } => {
                println!("[led {window}]  请{number}到{window}号窗口");
                println!("[voice]  叮咚 — 请{number}号到{window}号窗口办理 ×2");
            }
            Change::TicketFinished { number, window, .. } => {
                println!("[window {window}] 办结 {number}")
            }
            Change::TicketMissed { number, window, .. } => {
                println!("[window {window}] 过号 {number}")
            }
            Change::TicketRated { rating } => println!(
                "[评价 {}]  {} {}",
                rating.window,
                rating.number,
                rating.level.label()
            ),
            Change::TicketUnrated { number, window, .. } => {
                println!("[评价 {window}]  {number} 未评价")
            }
            Change::FollowUpOpened { followup } => {
                println!(
                    "[回访]   差评 {} → 回访工单 {}",
                    followup.number, followup.id
                )
            }
            Change::SlaBreached {
                number,
                level,
                phase,
                ..
            } => println!("[监察]   {number} {phase:?} {level:?}"),
            Change::DayStarted { day, .. } => println!("[hall]   营业日 {day} 开始"),
            _ => {}
        }
    }
}

/// Citizens arriving at the kiosk.
async fn simulate_kiosk(hall: Hall, services: Vec<ServiceId>, every: Duration) {
    loop {
        let pick = rand::rng().random_range(0..services.len().max(1));
        if let Some(service) = services.get(pick) {
            let request = IssueRequest {
                service: service.clone(),
                staff_priority: rand::rng().random_bool(0.1),
                id: None,
                appointment_code: None,
            };
            if let Err(err) = hall.execute(Command::Issue(request), |_, _| ()).await {
                tracing::debug!(%err, "demo kiosk could not issue");
            }
        }
        tokio::time::sleep(every).await;
    }
}

/// A staff member signing in at a window, then calling, serving for a while, finishing.
async fn simulate_window(hall: Hall, window: WindowNo, staff: Option<StaffId>, pace: Duration) {
    let jitter = rand::rng().random_range(0..=pace.as_millis().max(1) as u64);
    tokio::time::sleep(Duration::from_millis(jitter)).await;
    if let Some(staff) = staff
        && let Err(err) = hall
            .execute(Command::SignIn { window, staff }, |_, _| ())
            .await
    {
        tracing::warn!(%err, window = window.0, "demo staff could not sign in");
    }
    loop {
        let called = hall
            .execute(Command::CallNext { window }, |_, reply| {
                matches!(reply, Reply::Window(Some(_)))
            })
            .await
            .unwrap_or(false);
        let serve = if called { pace } else { pace / 2 };
        tokio::time::sleep(serve).await;
        if called {
            let finished = hall
                .execute(
                    Command::Finish {
                        window,
                        case_number: None,
                    },
                    |_, _| (),
                )
                .await;
            if finished.is_ok() {
                tokio::time::sleep(pace / 4).await;
                let roll: f64 = rand::rng().random();
                let _ = hall.execute(demo_rating(window, roll), |_, _| ()).await;
            }
        }
    }
}

/// What a simulated applicant does at the evaluator: mostly 非常满意 or 满意, now and then
/// 基本满意, rarely a 差评 with a reason, and sometimes walks away (unrated).
fn demo_rating(window: WindowNo, roll: f64) -> Command {
    let (level, reasons) = match roll {
        r if r < 0.55 => (5, vec![]),
        r if r < 0.80 => (4, vec![]),
        r if r < 0.88 => (3, vec![]),
        r if r < 0.91 => (2, vec![RatingReason::Efficiency]),
        r if r < 0.92 => (1, vec![RatingReason::Attitude]),
        _ => return Command::DeclineRating { window },
    };
    Command::Rate {
        window,
        level: RatingLevel::new(level).unwrap_or(RatingLevel::BASIC),
        reasons,
        comment: None,
        channel: RatingChannel::Evaluator,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_applicants_rate_on_the_whole_scale_or_walk_away() {
        let mut levels = std::collections::BTreeSet::new();
        let mut declined = false;
        for i in 0..100 {
            match demo_rating(WindowNo(1), f64::from(i) / 100.0) {
                Command::Rate { level, reasons, .. } => {
                    assert_eq!(level.is_bad(), !reasons.is_empty());
                    levels.insert(level.get());
                }
                Command::DeclineRating { .. } => declined = true,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(levels.into_iter().collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        assert!(declined);
    }

    #[test]
    fn demo_config_opens_every_day() {
        let config = demo_config(SAMPLE_CONFIG).unwrap();
        assert_eq!(config.rules().hours.weekdays.len(), 7);
        assert!(config.rules().hours.closed_dates.is_empty());
    }
}
