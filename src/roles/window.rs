//! `hallq window`: the window terminal (窗口呼叫终端) for staff.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use slint::ComponentHandle;

use std::sync::mpsc::Receiver;

use crate::client::HallClient;
use crate::config::{ButtonAction, ButtonConfig, HallConfig};
use crate::devices::gpio::{ButtonInput, ButtonPress};
use crate::terminal::{
    TerminalAction, TerminalDeps, TerminalError, TerminalGuard, TerminalHandle, TerminalSettings,
    Timing,
};
use crate::ui::window::TerminalWindow;

#[derive(Debug, clap::Args)]
pub struct WindowArgs {
    /// Hall server URL, e.g. http://192.168.1.10:8610
    #[arg(long, short, env = "HALLQ_SERVER")]
    pub server: String,
    /// This terminal's device token (a `role = "window"` device in hall.toml).
    #[arg(long, short, env = "HALLQ_TOKEN")]
    pub token: String,
    /// The window number this terminal belongs to.
    #[arg(long, short)]
    pub window: u16,
    /// Fill the screen (touchscreen terminals).
    #[arg(long)]
    pub fullscreen: bool,
    /// Ignore a second 叫号 within this many milliseconds (double-press guard).
    #[arg(long, default_value_t = 2000)]
    pub call_guard_ms: u64,
    /// Hall configuration with `[[buttons]]` for GPIO call buttons (optional: without the
    /// file the terminal runs without buttons).
    #[arg(long, short, env = "HALLQ_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Where the terminal connects and how it behaves.
#[derive(Clone, Debug)]
pub struct WindowTerminalOptions {
    pub server: String,
    pub token: String,
    pub settings: TerminalSettings,
    pub fullscreen: bool,
    pub timing: Timing,
}

/// Opens the terminal window and wires it; the caller runs the event loop (or `window.run()`).
/// Keep both values alive while the window runs; use [`TerminalGuard::handle`] to wire
/// outside buttons (GPIO).
pub fn open_window_terminal(
    options: WindowTerminalOptions,
    runtime: tokio::runtime::Handle,
) -> Result<(TerminalWindow, TerminalGuard), TerminalError> {
    let client = HallClient::new(&options.server, &options.token, Duration::from_secs(5))?;
    let window = crate::ui::screen::open(TerminalWindow::new, (1024.0, 600.0), options.fullscreen)
        .map_err(TerminalError::Ui)?;
    let guard = crate::terminal::start(
        &window,
        TerminalDeps {
            client,
            settings: options.settings,
            runtime,
            timing: options.timing,
            timezone: jiff::tz::TimeZone::system(),
        },
    );
    Ok((window, guard))
}

/// Opens the terminal and runs the Slint event loop until the window is closed (main thread).
/// `buttons`: the hall's `[[buttons]]`; those of this window press the terminal's keys.
pub fn run_window_terminal(
    options: WindowTerminalOptions,
    runtime: tokio::runtime::Handle,
    buttons: &[ButtonConfig],
) -> Result<(), TerminalError> {
    let number = options.settings.window;
    let _watchdog = super::notify::start_ui(&runtime, "window"); // systemd READY=1 + watchdog
    let (window, guard) = open_window_terminal(options, runtime)?;
    let mut pins = crate::devices::gpio::platform_input();
    let _pins = wire_buttons(&mut pins, buttons, number, guard.handle());
    window.run().map_err(|e| TerminalError::Ui(e.to_string()))
}

/// Starts the GPIO buttons of `window` and forwards each press to the terminal, where it
/// goes through the same checks and double-press guard as the on-screen button. Returns
/// what keeps the pins watched (nothing on a machine without GPIO).
pub fn wire_buttons(
    input: &mut dyn ButtonInput,
    buttons: &[ButtonConfig],
    window: u16,
    terminal: TerminalHandle,
) -> Option<Box<dyn Send>> {
    let (tx, rx) = std::sync::mpsc::channel();
    let pins = crate::devices::gpio::start_buttons(input, buttons, window, tx)?;
    let spawned = std::thread::Builder::new()
        .name("gpio-buttons".into())
        .spawn(move || forward_presses(rx, terminal));
    if let Err(e) = spawned {
        tracing::warn!("GPIO buttons disabled: cannot start their thread: {e}");
        return None;
    }
    Some(pins)
}

/// Forwards presses until the pins are dropped.
pub fn forward_presses(presses: Receiver<ButtonPress>, terminal: TerminalHandle) {
    for press in presses {
        let action = match press.action {
            ButtonAction::CallNext => TerminalAction::CallNext,
            ButtonAction::Recall => TerminalAction::Recall,
        };
        if !terminal.request(action) {
            tracing::info!(
                window = press.window,
                ?action,
                "GPIO press ignored by the terminal"
            );
        }
    }
}

/// `hallq window --server URL --token T --window N`
pub fn run(args: WindowArgs) -> ExitCode {
    super::init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("window-io")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("hallq window: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut settings = TerminalSettings::new(args.window);
    settings.call_guard = Duration::from_millis(args.call_guard_ms);
    let options = WindowTerminalOptions {
        server: args.server,
        token: args.token,
        settings,
        fullscreen: args.fullscreen,
        timing: Timing::default(),
    };
    let buttons = match &args.config {
        None => Vec::new(),
        Some(path) => match HallConfig::load(path) {
            Ok(config) => config.buttons,
            Err(problems) => {
                tracing::error!("{}: invalid configuration:\n{problems}", path.display());
                return ExitCode::from(2);
            }
        },
    };
    match run_window_terminal(options, runtime.handle().clone(), &buttons) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("hallq window: {e}");
            ExitCode::FAILURE
        }
    }
}
