//! Connects the evaluator's state machine, its Slint UI and the hall server.
//!
//! The [`Evaluator`] lives behind an `Arc<Mutex<_>>` and is driven on the UI thread. API calls
//! and the event stream run on a tokio runtime and come back through
//! `slint::invoke_from_event_loop`, so the UI thread never waits for the network.

mod bind;
mod render;
mod tasks;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::state::{Effect, Evaluator, EvaluatorSettings, Input};
use super::view::View;
use crate::client::HallClient;
use crate::ui::evaluator::EvaluatorWindow;
use crate::ui::screen::Screen;
use crate::ui::screen::Tasks;

/// How often the background work runs.
#[derive(Clone, Debug)]
pub struct Timing {
    /// Reconnect pacing while the server is unreachable.
    pub retry_first: Duration,
    pub retry_max: Duration,
    /// Re-read the window's rating state this often even without events (a safety net).
    pub poll_every: Duration,
    /// The UI timer (countdown, thanks).
    pub tick: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            retry_first: Duration::from_millis(500),
            retry_max: Duration::from_secs(10),
            poll_every: Duration::from_secs(20),
            tick: Duration::from_millis(250),
        }
    }
}

/// Everything the controller needs.
pub struct EvaluatorDeps {
    pub client: HallClient,
    pub settings: EvaluatorSettings,
    pub runtime: tokio::runtime::Handle,
    pub timing: Timing,
}

/// Keeps the controller running; dropping it stops the background tasks and the timer.
pub struct EvaluatorGuard {
    _timer: slint::Timer,
    /// Aborted when the guard drops.
    _tasks: Tasks,
    ctx: Ctx,
}

impl EvaluatorGuard {
    /// Runs `f` on the state machine (tests and diagnostics).
    pub fn with_evaluator<R>(&self, f: impl FnOnce(&Evaluator) -> R) -> R {
        f(&self.ctx.lock())
    }
}

impl std::fmt::Debug for EvaluatorGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvaluatorGuard").finish_non_exhaustive()
    }
}

#[derive(Clone)]
struct Ctx {
    evaluator: Arc<Mutex<Evaluator>>,
    screen: Screen<EvaluatorWindow, View>,
    rt: tokio::runtime::Handle,
    client: HallClient,
    number: u16,
    /// Wakes the task that re-reads the window's rating state.
    refresh: Arc<Notify>,
    timing: Timing,
}

/// Shows `view` on `window` without a controller (UI thread): for screenshots and previews.
pub fn show_view(window: &EvaluatorWindow, view: &View) {
    render::render(window, view, true);
}

/// Wires `window` to the hall server. Call on the UI thread; keep the guard while the
/// window runs.
pub fn start(window: &EvaluatorWindow, deps: EvaluatorDeps) -> EvaluatorGuard {
    let number = deps.settings.window;
    let ctx = Ctx {
        evaluator: Arc::new(Mutex::new(Evaluator::new(deps.settings))),
        screen: Screen::new(window, "evaluator"),
        rt: deps.runtime,
        client: deps.client,
        number,
        refresh: Arc::new(Notify::new()),
        timing: deps.timing,
    };
    bind::bind(window, &ctx);
    let tasks = vec![
        ctx.rt.spawn(tasks::follow_events(ctx.clone())),
        ctx.rt.spawn(tasks::keep_fresh(ctx.clone())),
    ];
    let timer = slint::Timer::default();
    let tick_ctx = ctx.clone();
    timer.start(slint::TimerMode::Repeated, ctx.timing.tick, move || {
        tick_ctx.dispatch(Input::Tick);
    });
    ctx.dispatch(Input::Tick);
    EvaluatorGuard {
        _timer: timer,
        _tasks: tasks.into(),
        ctx,
    }
}

impl Ctx {
    fn lock(&self) -> MutexGuard<'_, Evaluator> {
        self.evaluator
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// UI thread: one input through the state machine, then render and run the effects.
    fn dispatch(&self, input: Input) {
        let now = Instant::now();
        let (effects, view) = {
            let mut evaluator = self.lock();
            let effects = evaluator.handle(now, input);
            (effects, evaluator.view(now))
        };
        self.show(view);
        self.run(effects);
    }

    fn show(&self, view: View) {
        self.screen.show(view, render::render);
    }

    /// Any thread: hands an input to the UI thread. False when the event loop is gone.
    fn post(&self, input: Input) -> bool {
        let ctx = self.clone();
        self.screen.post(move || ctx.dispatch(input))
    }

    fn run(&self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Refresh => self.refresh.notify_one(),
                Effect::Submit { ticket, body } => {
                    self.rt.spawn(tasks::submit(self.clone(), ticket, body));
                }
                Effect::Decline { ticket } => {
                    self.rt.spawn(tasks::decline(self.clone(), ticket));
                }
            }
        }
    }
}
