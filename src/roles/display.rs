//! `hallq display`: the hall display (大厅叫号显示屏), optionally owning a voice zone.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use slint::ComponentHandle;

use crate::client::HallClient;
use crate::config::HallConfig;
use crate::display::{
    Captioner, DEFAULT_NOTICE, DisplayDeps, DisplayError, DisplayGuard, DisplaySettings, Timing,
};
use crate::ui::display::HallDisplay;
use crate::voice::AnnouncerHandle;

#[derive(Debug, clap::Args)]
pub struct DisplayArgs {
    /// Hall server URL, e.g. http://192.168.1.10:8610
    #[arg(long, short, env = "HALLQ_SERVER")]
    pub server: String,
    /// This display's device token (a `role = "display"` device in hall.toml).
    #[arg(long, short, env = "HALLQ_TOKEN")]
    pub token: String,
    /// Hall configuration (optional): the hall's name and time zone, the wording of the
    /// captions, and the voice zone given with --zone.
    #[arg(long, short, env = "HALLQ_CONFIG")]
    pub config: Option<PathBuf>,
    /// Say the calls on this `[[voice.zones]]` entry (by name) from this machine's speakers;
    /// the caption then shows exactly what the voice says. Needs --config.
    #[arg(long)]
    pub zone: Option<String>,
    /// Fill the screen.
    #[arg(long)]
    pub fullscreen: bool,
    /// Window size when not full screen.
    #[arg(long, default_value = "1920x1080", value_parser = ["1920x1080", "1280x720"])]
    pub size: String,
    /// The scrolling notice at the bottom.
    #[arg(long)]
    pub notice: Option<String>,
    /// How many recent calls to list.
    #[arg(long, default_value_t = 8)]
    pub recent: usize,
    /// How long a new call stays highlighted, in seconds.
    #[arg(long, default_value_t = 8)]
    pub highlight_seconds: u64,
}

/// Where the display connects and how it behaves.
#[derive(Clone, Debug)]
pub struct DisplayOptions {
    pub server: String,
    pub token: String,
    pub settings: DisplaySettings,
    pub fullscreen: bool,
    /// Logical window size when not full screen.
    pub size: (f32, f32),
    pub title: String,
    pub notice: String,
    pub timezone: jiff::tz::TimeZone,
    pub timing: Timing,
}

/// Opens the display window and wires it; the caller runs the event loop (or
/// `window.run()`). With `announcer`, calls are said on that zone and the caption follows
/// it (`options.settings.voice_captions` is set).
pub fn open_display(
    mut options: DisplayOptions,
    captioner: Captioner,
    announcer: Option<AnnouncerHandle>,
    runtime: tokio::runtime::Handle,
) -> Result<(HallDisplay, DisplayGuard), DisplayError> {
    let client = HallClient::new(&options.server, &options.token, Duration::from_secs(5))?;
    let window = crate::ui::screen::open(HallDisplay::new, options.size, options.fullscreen)
        .map_err(DisplayError::Ui)?;
    options.settings.voice_captions = announcer.is_some();
    let guard = crate::display::start(
        &window,
        DisplayDeps {
            client,
            settings: options.settings,
            captioner,
            runtime,
            timing: options.timing,
            timezone: options.timezone,
            title: options.title,
            notice: options.notice,
            announcer,
        },
    );
    Ok((window, guard))
}

/// The zone named `name` in `config`'s `[voice]`, started.
pub fn spawn_zone(config: &HallConfig, name: &str) -> Result<AnnouncerHandle, DisplayError> {
    let zone = config
        .voice
        .zones
        .iter()
        .find(|z| z.name == name)
        .ok_or_else(|| {
            let known: Vec<&str> = config.voice.zones.iter().map(|z| z.name.as_str()).collect();
            crate::voice::VoiceError::Config(format!(
                "no voice zone named {name:?} (configured: {known:?})"
            ))
        })?;
    Ok(AnnouncerHandle::spawn(zone, &config.voice)?)
}

fn parse_size(text: &str) -> (f32, f32) {
    match text {
        "1280x720" => (1280.0, 720.0),
        _ => (1920.0, 1080.0),
    }
}

/// `hallq display --server URL --token T [--config hall.toml --zone NAME]`
pub fn run(args: DisplayArgs) -> ExitCode {
    super::init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("display-io")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("hallq display: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = match &args.config {
        None => None,
        Some(path) => match HallConfig::load(path) {
            Ok(config) => Some(config),
            Err(problems) => {
                tracing::error!("{}: invalid configuration:\n{problems}", path.display());
                return ExitCode::from(2);
            }
        },
    };
    let announcer = match (&args.zone, &config) {
        (None, _) => None,
        (Some(_), None) => {
            tracing::error!("hallq display: --zone needs --config");
            return ExitCode::from(2);
        }
        (Some(name), Some(config)) => match spawn_zone(config, name) {
            Ok(handle) => Some(handle),
            Err(e) => {
                tracing::error!("hallq display: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let captioner = config
        .as_ref()
        .map_or_else(Captioner::default, |c| Captioner::new(&c.voice));
    let timezone = config
        .as_ref()
        .and_then(|c| jiff::tz::TimeZone::get(&c.hall.timezone).ok())
        .unwrap_or_else(jiff::tz::TimeZone::system);
    let title = config
        .as_ref()
        .map_or_else(|| "叫号信息".to_string(), |c| c.hall.name.clone());
    let settings = DisplaySettings {
        recent: args.recent.max(1),
        highlight: Duration::from_secs(args.highlight_seconds),
        ..DisplaySettings::default()
    };
    let options = DisplayOptions {
        server: args.server,
        token: args.token,
        settings,
        fullscreen: args.fullscreen,
        size: parse_size(&args.size),
        title,
        notice: args.notice.unwrap_or_else(|| DEFAULT_NOTICE.to_string()),
        timezone,
        timing: Timing::default(),
    };
    let result = open_display(options, captioner, announcer, runtime.handle().clone()).and_then(
        |(window, _guard)| {
            // systemd READY=1 and watchdog pings while the UI thread and the runtime are alive.
            let _watchdog = super::notify::start_ui(runtime.handle(), "display");
            window.run().map_err(|e| DisplayError::Ui(e.to_string()))
        },
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("hallq display: {e}");
            ExitCode::FAILURE
        }
    }
}
