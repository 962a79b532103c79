//! Connects the terminal's state machine, its Slint UI and the hall server.
//!
//! The [`Terminal`] lives behind an `Arc<Mutex<_>>` and is driven on the UI thread. API calls
//! and the event stream run on a tokio runtime and come back through
//! `slint::invoke_from_event_loop`, so the UI thread never waits for the network.
//! [`TerminalHandle`] lets other threads (a GPIO button) trigger actions through the same
//! path as the buttons.

mod bind;
mod render;
mod tasks;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use slint::ComponentHandle;
use tokio::sync::Notify;

use super::action::TerminalAction;
use super::state::{Effect, Input, Terminal, TerminalSettings};
use super::view::View;
use crate::client::HallClient;
use crate::ui::screen::Screen;
use crate::ui::screen::Tasks;
use crate::ui::window::{TerminalAdapter, TerminalWindow};

/// How often the background work runs.
#[derive(Clone, Debug)]
pub struct Timing {
    /// Reconnect pacing while the server is unreachable.
    pub retry_first: Duration,
    pub retry_max: Duration,
    /// Re-read the window's state this often even without events (a safety net).
    pub poll_every: Duration,
    /// The UI timer (clock, service timer).
    pub tick: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            retry_first: Duration::from_millis(500),
            retry_max: Duration::from_secs(10),
            poll_every: Duration::from_secs(30),
            tick: Duration::from_millis(250),
        }
    }
}

/// Everything the controller needs.
pub struct TerminalDeps {
    pub client: HallClient,
    pub settings: TerminalSettings,
    pub runtime: tokio::runtime::Handle,
    pub timing: Timing,
    /// Time zone of the clock in the top bar.
    pub timezone: jiff::tz::TimeZone,
}

/// Triggers terminal actions from any thread (e.g. a GPIO 叫号 button). Each request goes
/// through the same checks as the on-screen button, the double-press guard included.
#[derive(Clone)]
pub struct TerminalHandle {
    ctx: Ctx,
}

impl std::fmt::Debug for TerminalHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TerminalHandle").finish_non_exhaustive()
    }
}

impl TerminalHandle {
    /// Queues `action` on the UI thread; returns false when the terminal has stopped.
    pub fn request(&self, action: TerminalAction) -> bool {
        self.ctx.post(Input::Action(action))
    }
}

/// Keeps the controller running; dropping it stops the background tasks and the timer.
pub struct TerminalGuard {
    _timer: slint::Timer,
    /// Aborted when the guard drops.
    _tasks: Tasks,
    ctx: Ctx,
}

impl TerminalGuard {
    /// A handle for outside triggers.
    pub fn handle(&self) -> TerminalHandle {
        TerminalHandle {
            ctx: self.ctx.clone(),
        }
    }

    /// Runs `f` on the state machine (tests and diagnostics).
    pub fn with_terminal<R>(&self, f: impl FnOnce(&Terminal) -> R) -> R {
        f(&self.ctx.lock())
    }
}

#[derive(Clone)]
struct Ctx {
    terminal: Arc<Mutex<Terminal>>,
    screen: Screen<TerminalWindow, View>,
    rt: tokio::runtime::Handle,
    client: HallClient,
    number: u16,
    /// Wakes the task that re-reads the window's state.
    refresh: Arc<Notify>,
    /// Wakes the task that re-reads the staff member's own rating figures.
    figures: Arc<Notify>,
    timing: Timing,
    timezone: jiff::tz::TimeZone,
}

/// Shows `view` on `window` without a controller (UI thread): for screenshots and previews.
pub fn show_view(window: &TerminalWindow, view: &View) {
    render::render(window, view);
}

/// Wires `window` to the hall server. Call on the UI thread; keep the guard while the
/// window runs.
pub fn start(window: &TerminalWindow, deps: TerminalDeps) -> TerminalGuard {
    let number = deps.settings.window;
    let ctx = Ctx {
        terminal: Arc::new(Mutex::new(Terminal::new(deps.settings))),
        screen: Screen::new(window, "window terminal"),
        rt: deps.runtime,
        client: deps.client,
        number,
        refresh: Arc::new(Notify::new()),
        figures: Arc::new(Notify::new()),
        timing: deps.timing,
        timezone: deps.timezone,
    };
    bind::bind(window, &ctx);
    let tasks = vec![
        ctx.rt.spawn(tasks::follow_events(ctx.clone())),
        ctx.rt.spawn(tasks::keep_fresh(ctx.clone())),
        ctx.rt.spawn(tasks::keep_figures(ctx.clone())),
    ];
    let timer = slint::Timer::default();
    let tick_ctx = ctx.clone();
    timer.start(slint::TimerMode::Repeated, ctx.timing.tick, move || {
        tick_ctx.tick();
    });
    ctx.tick();
    TerminalGuard {
        _timer: timer,
        _tasks: tasks.into(),
        ctx,
    }
}

impl Ctx {
    fn lock(&self) -> MutexGuard<'_, Terminal> {
        self.terminal.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// UI thread: one input through the state machine, then render and run the effects.
    fn dispatch(&self, input: Input) {
        let now = Instant::now();
        let (effects, view) = {
            let mut terminal = self.lock();
            let effects = terminal.handle(now, input);
            (effects, terminal.view(now))
        };
        self.show(view);
        self.run(effects);
    }

    /// UI thread: the clock and the service timer.
    fn tick(&self) {
        let view = self.lock().view(Instant::now());
        if let Some(window) = self.screen.window() {
            let clock = jiff::Timestamp::now()
                .to_zoned(self.timezone.clone())
                .strftime("%H:%M:%S")
                .to_string();
            window.global::<TerminalAdapter>().set_clock(clock.into());
        }
        self.show(view);
    }

    fn show(&self, view: View) {
        self.screen.show(view, |w, v, _| render::render(w, v));
    }

    /// Any thread: hands an input to the UI thread. False when the event loop is gone.
    fn post(&self, input: Input) -> bool {
        let ctx = self.clone();
        self.screen.post(move || ctx.dispatch(input))
    }

    fn run(&self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Send(request) => {
                    self.rt.spawn(tasks::send(self.clone(), request));
                }
                Effect::Refresh => self.refresh.notify_one(),
            }
        }
    }
}
