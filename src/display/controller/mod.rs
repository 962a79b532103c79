//! Connects the display's state, its Slint UI, the hall server and (when configured) a
//! voice zone.
//!
//! The [`Display`] lives behind an `Arc<Mutex<_>>` and is driven on the UI thread. The event
//! stream, the throttled re-reads and the voice events run on a tokio runtime and come back
//! through `slint::invoke_from_event_loop`, so the UI thread never waits for the network.

mod render;
mod tasks;

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use slint::ComponentHandle;
use tokio::sync::Notify;

use super::state::{Captioner, Display, DisplaySettings, Input};
use super::view::DisplayView;
use crate::client::HallClient;
use crate::ui::display::{DisplayAdapter, HallDisplay};
use crate::ui::screen::Screen;
use crate::ui::screen::Tasks;
use crate::voice::AnnouncerHandle;

/// How often the background work runs.
#[derive(Clone, Debug)]
pub struct Timing {
    /// Reconnect pacing while the server is unreachable.
    pub retry_first: Duration,
    pub retry_max: Duration,
    /// Re-read windows and services this often even without events (a safety net).
    pub poll_every: Duration,
    /// At most one re-read of windows and services per this time.
    pub refresh_min: Duration,
    /// The UI timer (clock, highlight and caption expiry).
    pub tick: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            retry_first: Duration::from_millis(500),
            retry_max: Duration::from_secs(10),
            poll_every: Duration::from_secs(30),
            refresh_min: Duration::from_millis(500),
            tick: Duration::from_millis(250),
        }
    }
}

/// Everything the controller needs.
pub struct DisplayDeps {
    pub client: HallClient,
    pub settings: DisplaySettings,
    /// The wording of the captions shown without a voice zone.
    pub captioner: Captioner,
    pub runtime: tokio::runtime::Handle,
    pub timing: Timing,
    /// Time zone of the clock.
    pub timezone: jiff::tz::TimeZone,
    /// The hall's name in the header.
    pub title: String,
    /// The scrolling notice.
    pub notice: String,
    /// The voice zone this display owns: every call and recall is announced on it and the
    /// caption follows what it says. `settings.voice_captions` should then be true.
    pub announcer: Option<AnnouncerHandle>,
}

/// Keeps the controller running; dropping it stops the background tasks and the timer.
pub struct DisplayGuard {
    _timer: slint::Timer,
    /// Aborted when the guard drops.
    _tasks: Tasks,
    ctx: Ctx,
}

impl DisplayGuard {
    /// Runs `f` on the state (tests and diagnostics).
    pub fn with_display<R>(&self, f: impl FnOnce(&Display) -> R) -> R {
        f(&self.ctx.lock())
    }

    /// The voice zone this display owns, if any.
    pub fn announcer(&self) -> Option<&AnnouncerHandle> {
        self.ctx.announcer.as_ref()
    }
}

#[derive(Clone)]
struct Ctx {
    display: Arc<Mutex<Display>>,
    screen: Screen<HallDisplay, DisplayView>,
    rt: tokio::runtime::Handle,
    client: HallClient,
    /// Wakes the task that re-reads windows and services.
    refresh: Arc<Notify>,
    /// The last event sequence number seen on the stream.
    seq: Arc<AtomicU64>,
    timing: Timing,
    timezone: jiff::tz::TimeZone,
    announcer: Option<AnnouncerHandle>,
}

/// Shows `view` on `window` without a controller (UI thread): for screenshots and previews.
pub fn show_view(window: &HallDisplay, view: &DisplayView) {
    fit_scale(window);
    render::render(window, view);
}

/// Sets the layout's size factor from the window's logical size (1.0 at 1920x1080).
pub fn fit_scale(window: &HallDisplay) {
    let w = window.window();
    let size = w.size().to_logical(w.scale_factor());
    if size.width <= 0.0 || size.height <= 0.0 {
        return;
    }
    let k = (size.width / 1920.0).min(size.height / 1080.0);
    let adapter = window.global::<DisplayAdapter>();
    if (adapter.get_scale() - k).abs() > 0.001 {
        adapter.set_scale(k);
    }
}

/// Wires `window` to the hall server. Call on the UI thread; keep the guard while the
/// window runs.
pub fn start(window: &HallDisplay, deps: DisplayDeps) -> DisplayGuard {
    let adapter = window.global::<DisplayAdapter>();
    adapter.set_title(deps.title.clone().into());
    adapter.set_notice(deps.notice.clone().into());
    let voice_events = deps.announcer.as_ref().map(AnnouncerHandle::subscribe);
    let ctx = Ctx {
        display: Arc::new(Mutex::new(Display::new(deps.settings, deps.captioner))),
        screen: Screen::new(window, "display"),
        rt: deps.runtime,
        client: deps.client,
        refresh: Arc::new(Notify::new()),
        seq: Arc::new(AtomicU64::new(0)),
        timing: deps.timing,
        timezone: deps.timezone,
        announcer: deps.announcer,
    };
    let mut tasks = vec![
        ctx.rt.spawn(tasks::follow_events(ctx.clone())),
        ctx.rt.spawn(tasks::keep_fresh(ctx.clone())),
    ];
    if let Some(events) = voice_events {
        tasks.push(ctx.rt.spawn(tasks::follow_voice(ctx.clone(), events)));
    }
    let timer = slint::Timer::default();
    let tick_ctx = ctx.clone();
    timer.start(slint::TimerMode::Repeated, ctx.timing.tick, move || {
        tick_ctx.tick();
    });
    ctx.tick();
    DisplayGuard {
        _timer: timer,
        _tasks: tasks.into(),
        ctx,
    }
}

impl Ctx {
    fn lock(&self) -> MutexGuard<'_, Display> {
        self.display.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// UI thread: one input through the state, then render.
    fn dispatch(&self, input: Input) {
        let now = Instant::now();
        let view = {
            let mut display = self.lock();
            display.handle(now, input);
            display.view(now)
        };
        self.show(view);
    }

    /// UI thread: the clock, the size factor and the expiry of highlights and captions.
    fn tick(&self) {
        let view = self.lock().view(Instant::now());
        if let Some(window) = self.screen.window() {
            fit_scale(&window);
            let now = jiff::Timestamp::now().to_zoned(self.timezone.clone());
            let adapter = window.global::<DisplayAdapter>();
            let clock = now.strftime("%H:%M:%S").to_string();
            if adapter.get_clock() != clock.as_str() {
                adapter.set_clock(clock.into());
                adapter.set_date(render::date_text(&now).into());
            }
        }
        self.show(view);
    }

    fn show(&self, view: DisplayView) {
        self.screen.show(view, |w, v, _| render::render(w, v));
    }

    /// Any thread: hands an input to the UI thread. False when the event loop is gone.
    fn post(&self, input: Input) -> bool {
        let ctx = self.clone();
        self.screen.post(move || ctx.dispatch(input))
    }
}
