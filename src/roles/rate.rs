//! `hallq rate`: the evaluator (评价器) at a window.

use std::process::ExitCode;
use std::time::Duration;

use slint::ComponentHandle;

use crate::client::HallClient;
use crate::evaluator::{EvaluatorDeps, EvaluatorError, EvaluatorGuard, EvaluatorSettings, Timing};
use crate::ui::evaluator::EvaluatorWindow;

#[derive(Debug, clap::Args)]
pub struct RateArgs {
    /// The hall server, e.g. http://192.168.1.10:8610.
    #[arg(long, short, env = "HALLQ_SERVER")]
    pub server: String,
    /// This evaluator's device token (role evaluator, its window set in hall.toml).
    #[arg(long, short, env = "HALLQ_TOKEN")]
    pub token: String,
    /// The window this evaluator belongs to.
    #[arg(long, short)]
    pub window: u16,
    /// Fill the screen (the evaluator's touchscreen).
    #[arg(long)]
    pub fullscreen: bool,
    /// Start in elderly mode (长辈模式: larger text and targets); the rater can switch it.
    #[arg(long)]
    pub elderly: bool,
    /// Window size when not full screen.
    #[arg(long, default_value = "1024x600", value_parser = ["1024x600", "800x480"])]
    pub size: String,
    /// How long 「感谢您的评价」 stays, in seconds.
    #[arg(long, default_value_t = 4)]
    pub thanks_seconds: u64,
}

/// Where the evaluator connects and how it behaves.
#[derive(Clone, Debug)]
pub struct EvaluatorOptions {
    pub server: String,
    pub token: String,
    pub settings: EvaluatorSettings,
    pub fullscreen: bool,
    /// Logical window size when not full screen.
    pub size: (f32, f32),
    pub timing: Timing,
}

impl EvaluatorOptions {
    /// Defaults for window `n` (1024×600, not full screen).
    pub fn new(server: &str, token: &str, n: u16) -> Self {
        EvaluatorOptions {
            server: server.to_string(),
            token: token.to_string(),
            settings: EvaluatorSettings::new(n),
            fullscreen: false,
            size: (1024.0, 600.0),
            timing: Timing::default(),
        }
    }
}

/// Opens the evaluator window and wires it; the caller runs the event loop (or
/// `window.run()`). Keep both values alive while the window runs.
pub fn open_evaluator(
    options: EvaluatorOptions,
    runtime: tokio::runtime::Handle,
) -> Result<(EvaluatorWindow, EvaluatorGuard), EvaluatorError> {
    let client = HallClient::new(&options.server, &options.token, Duration::from_secs(5))?;
    let window = crate::ui::screen::open(EvaluatorWindow::new, options.size, options.fullscreen)
        .map_err(EvaluatorError::Ui)?;
    let guard = crate::evaluator::start(
        &window,
        EvaluatorDeps {
            client,
            settings: options.settings,
            runtime,
            timing: options.timing,
        },
    );
    Ok((window, guard))
}

fn parse_size(text: &str) -> (f32, f32) {
    match text {
        "800x480" => (800.0, 480.0),
        _ => (1024.0, 600.0),
    }
}

/// `hallq rate --server URL --token T --window N [--fullscreen] [--elderly]`
pub fn run(args: RateArgs) -> ExitCode {
    super::init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("rate-io")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("hallq rate: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut options = EvaluatorOptions::new(&args.server, &args.token, args.window);
    options.settings.elderly_default = args.elderly;
    options.settings.thanks_for = Duration::from_secs(args.thanks_seconds.clamp(1, 30));
    options.fullscreen = args.fullscreen;
    options.size = parse_size(&args.size);
    let result = open_evaluator(options, runtime.handle().clone()).and_then(|(window, _guard)| {
        // systemd READY=1 and watchdog pings while the UI thread and the runtime are alive.
        let _watchdog = super::notify::start_ui(runtime.handle(), "rate");
        window.run().map_err(|e| EvaluatorError::Ui(e.to_string()))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("hallq rate: {e}");
            ExitCode::FAILURE
        }
    }
}
