//! Connects the kiosk's UI adapters, the hall server client and the printer.
//!
//! The Slint event loop owns the UI thread; the [`Kiosk`] state machine lives there too
//! (behind an `Arc<Mutex<_>>` so background tasks can hand it inputs). Network and printer
//! work runs on a tokio runtime on other threads and comes back with
//! `slint::invoke_from_event_loop`, so the UI thread never waits for I/O.

mod bind;
mod render;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use slint::ComponentHandle;
use tokio::sync::Notify;

use super::messages::printer_status_word;
use super::printer::TicketPrinter;
use super::state::{Effect, Input, Kiosk, KioskSettings};
use super::view::View;
use super::voice::VoicePrompt;
use crate::client::{Backoff, ClientError, DeviceHealth, HallClient, PrintReport};
use crate::devices::printer::PrinterStatus;
use crate::ui::kiosk::{KioskAdapter, KioskWindow, Theme};
use crate::ui::screen::Tasks;

/// Called with every voice prompt (the audio arrives with the voice issue).
pub type VoiceHook = Arc<dyn Fn(&VoicePrompt) + Send + Sync>;

/// How often the background work runs.
#[derive(Clone, Debug)]
pub struct Timing {
    /// Refresh the service list (waiting counts, open/closed) this often.
    pub services_every: Duration,
    /// Read the printer's status this often.
    pub printer_every: Duration,
    /// Retry pacing while the server is unreachable.
    pub retry_first: Duration,
    pub retry_max: Duration,
    /// The UI timer (clock, countdowns, idle timeouts).
    pub tick: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            services_every: Duration::from_secs(3),
            printer_every: Duration::from_millis(300),
            retry_first: Duration::from_millis(500),
            retry_max: Duration::from_secs(10),
            tick: Duration::from_millis(250),
        }
    }
}

/// Everything the controller needs.
pub struct KioskDeps<P> {
    pub client: HallClient,
    pub printer: Arc<P>,
    pub settings: KioskSettings,
    pub landscape: bool,
    pub runtime: tokio::runtime::Handle,
    pub timing: Timing,
    pub voice: Option<VoiceHook>,
}

/// Keeps the controller running; dropping it stops the background tasks and the timer.
pub struct KioskGuard {
    _timer: slint::Timer,
    /// Aborted when the guard drops.
    _tasks: Tasks,
    kiosk: Arc<Mutex<Kiosk>>,
}

impl KioskGuard {
    /// Runs `f` on the state machine (for tests and diagnostics).
    pub fn with_kiosk<R>(&self, f: impl FnOnce(&Kiosk) -> R) -> R {
        f(&self.kiosk.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

struct Ctx<P> {
    kiosk: Arc<Mutex<Kiosk>>,
    last: Arc<Mutex<Option<View>>>,
    window: slint::Weak<KioskWindow>,
    rt: tokio::runtime::Handle,
    client: HallClient,
    printer: Arc<P>,
    started: Instant,
    refresh: Arc<Notify>,
    voice: Option<VoiceHook>,
    timing: Timing,
}

impl<P> Clone for Ctx<P> {
    fn clone(&self) -> Self {
        Ctx {
            kiosk: self.kiosk.clone(),
            last: self.last.clone(),
            window: self.window.clone(),
            rt: self.rt.clone(),
            client: self.client.clone(),
            printer: self.printer.clone(),
            started: self.started,
            refresh: self.refresh.clone(),
            voice: self.voice.clone(),
            timing: self.timing.clone(),
        }
    }
}

/// Shows `view` on `window` without a controller (UI thread): for screenshots and previews.
pub fn show_view(window: &KioskWindow, view: &View) {
    render::render(window, view, None);
}

/// Wires `window` to the hall server and the printer. Call on the UI thread, before or
/// after `show()`; keep the guard as long as the window runs.
pub fn start<P: TicketPrinter>(window: &KioskWindow, deps: KioskDeps<P>) -> KioskGuard {
    let kiosk = Arc::new(Mutex::new(Kiosk::new(deps.settings)));
    let ctx = Ctx {
        kiosk: kiosk.clone(),
        last: Arc::new(Mutex::new(None)),
        window: window.as_weak(),
        rt: deps.runtime,
        client: deps.client,
        printer: deps.printer,
        started: Instant::now(),
        refresh: Arc::new(Notify::new()),
        voice: deps.voice,
        timing: deps.timing,
    };
    window.global::<Theme>().set_landscape(deps.landscape);
    {
        let k = ctx.lock();
        let adapter = window.global::<KioskAdapter>();
        adapter.set_hall_name(k.settings().ticket.hall_name.as_str().into());
    }
    bind::bind(window, &ctx);
    ctx.dispatch(Input::Printer(ctx.printer.status()));

    let tasks = vec![
        ctx.rt.spawn(poll_services(ctx.clone())),
        ctx.rt.spawn(watch_printer(ctx.clone())),
    ];
    let timer = slint::Timer::default();
    let tick_ctx = ctx.clone();
    timer.start(slint::TimerMode::Repeated, ctx.timing.tick, move || {
        tick_ctx.tick();
    });
    ctx.tick();
    KioskGuard {
        _timer: timer,
        _tasks: tasks.into(),
        kiosk,
    }
}

impl<P: TicketPrinter> Ctx<P> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Kiosk> {
        self.kiosk.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> Duration {
        self.started.elapsed()
    }

    /// UI thread: one input through the state machine, then render and run the effects.
    fn dispatch(&self, input: Input) {
        let now = self.now();
        let (effects, view) = {
            let mut kiosk = self.lock();
            let effects = kiosk.handle(now, input);
            (effects, kiosk.view(now))
        };
        self.show(view);
        self.run(effects);
    }

    /// UI thread: timeouts, the clock and countdowns.
    fn tick(&self) {
        let now = self.now();
        let (effects, view, tz) = {
            let mut kiosk = self.lock();
            let effects = kiosk.handle_timeout(now);
            (
                effects,
                kiosk.view(now),
                kiosk.settings().ticket.timezone.clone(),
            )
        };
        if let Some(window) = self.window.upgrade() {
            let clock = jiff::Timestamp::now()
                .to_zoned(tz)
                .strftime("%H:%M")
                .to_string();
            window.global::<KioskAdapter>().set_clock(clock.into());
        }
        self.show(view);
        self.run(effects);
    }

    fn show(&self, view: View) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if last.as_ref() != Some(&view) {
            render::render(&window, &view, last.as_ref());
            *last = Some(view);
        }
    }

    /// Any thread: hands an input to the UI thread.
    fn post(&self, input: Input) {
        let ctx = self.clone();
        if let Err(e) = slint::invoke_from_event_loop(move || ctx.dispatch(input)) {
            tracing::debug!("kiosk: event loop gone, input dropped: {e}");
        }
    }

    fn run(&self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Issue(body) => {
                    let ctx = self.clone();
                    self.rt.spawn(async move {
                        let answer = ctx.client.issue(&body).await;
                        if let Err(e) = &answer {
                            tracing::info!("kiosk: issue refused: {e}");
                        }
                        ctx.post(Input::IssueAnswer(answer));
                    });
                }
                Effect::FetchTicket(number) => {
                    let ctx = self.clone();
                    self.rt.spawn(async move {
                        let answer = ctx.client.ticket(&number).await;
                        ctx.post(Input::TicketAnswer(answer));
                    });
                }
                Effect::Print { ticket_id, ticket } => {
                    let ctx = self.clone();
                    self.rt.spawn(async move {
                        let reprint = ticket.reprint;
                        let outcome = ctx.printer.print(ticket).await;
                        ctx.post(Input::PrintDone {
                            ticket_id,
                            reprint,
                            outcome,
                        });
                    });
                }
                Effect::ReportPrint { ticket_id, report } => {
                    self.rt.spawn(report_print(self.clone(), ticket_id, report));
                }
                Effect::ReportPrinter(status) => {
                    self.rt.spawn(report_printer(self.client.clone(), status));
                }
                Effect::RefreshServices => self.refresh.notify_one(),
                Effect::Voice(prompt) => {
                    tracing::info!(target: "hallq::voice", "{}", prompt.text_zh());
                    if let Some(hook) = &self.voice {
                        hook(&prompt);
                    }
                }
            }
        }
    }
}

async fn poll_services<P: TicketPrinter>(ctx: Ctx<P>) {
    let mut backoff = Backoff::new(ctx.timing.retry_first, ctx.timing.retry_max);
    loop {
        let wait = match ctx.client.services().await {
            Ok(list) => {
                backoff.reset();
                ctx.post(Input::Services(list));
                ctx.timing.services_every
            }
            Err(e) => {
                tracing::warn!("kiosk: cannot read services: {e}");
                ctx.post(Input::ServerUnreachable);
                backoff.next_delay()
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = ctx.refresh.notified() => {}
        }
    }
}

/// The printer's status goes to the server on every change (through the state machine) and
/// again this often, so a report lost on the way or a restarted server (device health is
/// kept in memory) is put right within a minute.
const PRINTER_REPORT_EVERY: Duration = Duration::from_secs(60);

async fn watch_printer<P: TicketPrinter>(ctx: Ctx<P>) {
    let mut last: Option<PrinterStatus> = None;
    let mut reported = tokio::time::Instant::now();
    loop {
        let status = ctx.printer.status();
        if last != Some(status) {
            last = Some(status);
            reported = tokio::time::Instant::now();
            ctx.post(Input::Printer(status));
        } else if reported.elapsed() >= PRINTER_REPORT_EVERY {
            reported = tokio::time::Instant::now();
            ctx.rt.spawn(report_printer(ctx.client.clone(), status));
        }
        tokio::time::sleep(ctx.timing.printer_every).await;
    }
}

/// Records the print result; retried while the server is unreachable (the number is
/// durable, the record of its paper should be too).
async fn report_print<P: TicketPrinter>(ctx: Ctx<P>, ticket_id: u64, report: PrintReport) {
    let mut backoff = Backoff::new(ctx.timing.retry_first, ctx.timing.retry_max);
    for _ in 0..8 {
        match ctx.client.report_print(ticket_id, &report).await {
            Ok(()) => return,
            Err(e) if e.is_missing_route() => {
                tracing::debug!("kiosk: server has no print-report route: {e}");
                return;
            }
            Err(e) if e.is_unavailable() => {
                tracing::warn!("kiosk: print report for ticket {ticket_id} not sent yet: {e}");
                tokio::time::sleep(backoff.next_delay()).await;
            }
            Err(e) => {
                tracing::warn!("kiosk: print report for ticket {ticket_id} refused: {e}");
                return;
            }
        }
    }
}

async fn report_printer(client: HallClient, status: PrinterStatus) {
    let health = DeviceHealth {
        component: "printer",
        status: printer_status_word(status).to_string(),
        detail: None,
    };
    match client.report_health(&health).await {
        Ok(()) => {}
        Err(e) if e.is_missing_route() => {
            tracing::debug!("kiosk: server has no device-health route: {e}");
        }
        Err(e @ ClientError::Unreachable(_)) => {
            tracing::debug!("kiosk: printer health not reported: {e}");
        }
        Err(e) => tracing::warn!("kiosk: printer health refused: {e}"),
    }
}
