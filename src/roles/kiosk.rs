//! `hallq kiosk`: the ticket kiosk (取号机) — touchscreen UI, hall server client, printer.
//! Also `hallq hash-pin`, which makes `[kiosk].priority_pin_hash`.

use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use slint::ComponentHandle;

use crate::cli::{HashPinArgs, KioskArgs};
use crate::client::HallClient;
use crate::config::{HallConfig, Orientation};
use crate::devices::printer::PrinterHandle;
use crate::kiosk::{
    KioskDeps, KioskError, KioskSettings, NoPrinter, TicketPrinter, Timing, VoiceHook,
};
use crate::ui::kiosk::KioskWindow;

/// Where the kiosk connects and how it looks.
#[derive(Clone)]
pub struct KioskWindowOptions {
    /// Hall server base URL, e.g. `http://127.0.0.1:8610`.
    pub server: String,
    /// A kiosk device token.
    pub token: String,
    /// Overrides `[kiosk].orientation`.
    pub orientation: Option<Orientation>,
    pub fullscreen: bool,
    pub timing: Timing,
    pub voice: Option<VoiceHook>,
}

impl std::fmt::Debug for KioskWindowOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KioskWindowOptions")
            .field("server", &self.server)
            .field("orientation", &self.orientation)
            .field("fullscreen", &self.fullscreen)
            .finish_non_exhaustive()
    }
}

/// Is there a display the desktop Slint backend can open? It speaks X11 (on a Wayland
/// desktop through XWayland, which sets `DISPLAY` too).
pub fn display_available() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|s| !s.is_empty())
}

/// Opens the kiosk window and runs the Slint event loop until the window is closed.
///
/// Must be called on the main thread (the windowing system wants the UI there). Network
/// and printer work runs on `runtime` (a multi-thread tokio runtime the caller keeps alive).
/// The printer comes from `config.printer` (`sim`, `serial`, …); without one, numbers are
/// shown on screen only.
pub fn run_kiosk_window(
    config: &HallConfig,
    options: KioskWindowOptions,
    runtime: tokio::runtime::Handle,
) -> Result<(), KioskError> {
    match &config.printer {
        Some(printer_config) => {
            let printer = PrinterHandle::spawn(printer_config)
                .map_err(|e| KioskError::Printer(e.to_string()))?;
            run_with_printer(config, options, runtime, Arc::new(printer))
        }
        None => {
            tracing::warn!("kiosk: no [printer] configured; numbers are shown on screen only");
            run_with_printer(config, options, runtime, Arc::new(NoPrinter))
        }
    }
}

/// [`run_kiosk_window`] with a printer of the caller's choice.
pub fn run_with_printer<P: TicketPrinter>(
    config: &HallConfig,
    options: KioskWindowOptions,
    runtime: tokio::runtime::Handle,
    printer: Arc<P>,
) -> Result<(), KioskError> {
    let settings = KioskSettings::from_config(config)?;
    let client = HallClient::new(&options.server, &options.token, Duration::from_secs(5))?;
    let orientation = options.orientation.unwrap_or(config.kiosk.orientation);
    let (width, height) = orientation.size();
    let size = (width as f32, height as f32);
    let window = crate::ui::screen::open(KioskWindow::new, size, options.fullscreen)
        .map_err(KioskError::Ui)?;
    let _watchdog = super::notify::start_ui(&runtime, "kiosk"); // systemd READY=1 + watchdog
    let _guard = crate::kiosk::start(
        &window,
        KioskDeps {
            client,
            printer,
            settings,
            landscape: orientation == Orientation::Landscape,
            runtime,
            timing: options.timing,
            voice: options.voice,
        },
    );
    window.run().map_err(|e| KioskError::Ui(e.to_string()))
}

/// `hallq kiosk --server URL --token T --config hall.toml [--orientation …]`
pub fn run(args: KioskArgs) -> ExitCode {
    super::init_logging();
    let config = match HallConfig::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}: {e}", args.config.display());
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kiosk-io")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hallq kiosk: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = KioskWindowOptions {
        server: args.server,
        token: args.token,
        orientation: args.orientation.as_deref().and_then(Orientation::parse),
        fullscreen: args.fullscreen,
        timing: Timing::default(),
        voice: None,
    };
    match run_kiosk_window(&config, options, runtime.handle().clone()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hallq kiosk: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `hallq hash-pin`: reads a PIN (one line) from standard input, prints its argon2 hash.
pub fn hash_pin(_args: HashPinArgs) -> ExitCode {
    let mut line = String::new();
    if let Err(e) = std::io::stdin().lock().read_line(&mut line) {
        eprintln!("hallq hash-pin: cannot read standard input: {e}");
        return ExitCode::FAILURE;
    }
    match crate::kiosk::pin::hash_pin(line.trim()) {
        Ok(hash) => {
            println!("{hash}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hallq hash-pin: {e}");
            ExitCode::FAILURE
        }
    }
}
