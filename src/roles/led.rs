//! `hallq led`: LED window screen tools for technicians.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use crate::config::displays::{self, DisplaysConfig, ScreenConfig};
use crate::devices::led::{LedContent, profile, send_once};

#[derive(Debug, clap::Subcommand)]
pub enum LedCommand {
    /// Send one text to the screen of a window and wait for its ACK (for installing).
    Send(SendArgs),
}

#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// hall.toml with the `[displays]` section.
    #[arg(long)]
    pub config: PathBuf,
    /// The window whose screen gets the text.
    #[arg(long)]
    pub window: u16,
    /// The text, e.g. "请A023到3号窗口".
    #[arg(long)]
    pub text: String,
    /// Use this serial device instead of the configured one.
    #[arg(long)]
    pub port: Option<PathBuf>,
}

pub fn run(command: LedCommand) -> ExitCode {
    match command {
        LedCommand::Send(args) => match send(&args) {
            Ok(message) => {
                println!("OK: {message}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        },
    }
}

/// `[displays]` of a hall.toml file (only that section is read).
pub fn load_displays(file: &Path) -> Result<DisplaysConfig, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| format!("{}: {}", file.display(), e.message()))?;
    let section = table
        .get("displays")
        .cloned()
        .ok_or_else(|| format!("{} has no [displays] section", file.display()))?;
    let config: DisplaysConfig = section
        .try_into()
        .map_err(|e: toml::de::Error| format!("[displays]: {}", e.message()))?;
    let windows: Vec<u16> = config.screens.iter().map(|s| s.window).collect();
    let mut problems = Vec::new();
    displays::check(&config, &windows, &mut problems);
    match problems.first() {
        Some(p) => Err(p.to_string()),
        None => Ok(config),
    }
}

fn send(args: &SendArgs) -> Result<String, String> {
    let config = load_displays(&args.config)?;
    let screen: &ScreenConfig = config
        .screens
        .iter()
        .find(|s| s.window == args.window)
        .ok_or_else(|| format!("window {} has no screen in [displays]", args.window))?;
    let profile = profile::load(screen.profile_name()).map_err(|e| e.to_string())?;
    let path = args.port.clone().unwrap_or_else(|| screen.port.clone());
    let mut port = serialport::new(path.to_string_lossy(), screen.baud)
        .timeout(Duration::from_millis(100))
        .open()
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let content = LedContent {
        text: args.text.clone(),
        flash: false,
    };
    let attempts = send_once(
        port.as_mut(),
        &profile,
        screen.address,
        screen.window,
        &content,
    )
    .map_err(|e| {
        format!(
            "window {} (address {} on {}): {e}",
            screen.window,
            screen.address,
            path.display()
        )
    })?;
    Ok(format!(
        "window {} (address {} on {}, profile {}) acknowledged after {attempts} attempt(s)",
        screen.window,
        screen.address,
        path.display(),
        profile.name
    ))
}
