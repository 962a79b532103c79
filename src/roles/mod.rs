//! Wiring for each subcommand: which parts run, nothing more.

pub mod announce;
pub mod bus;
pub mod demo;
pub mod display;
pub mod evaluators;
pub mod followups;
pub mod hall_devices;
pub mod keypads;
pub mod kiosk;
pub mod led;
pub mod loadtest;
pub mod notify;
pub mod printer;
pub mod rate;
pub mod report;
pub mod screens;
pub mod seed;
pub mod serve;
pub mod status;
pub mod voice;
pub mod window;

use std::path::Path;
use std::process::ExitCode;

/// Logs go to stderr (journald under systemd); `RUST_LOG` overrides the level.
pub fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal: journald and log files get plain text. Under systemd
    // (JOURNAL_STREAM set) journald stamps every line, so ours would be a second time.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder.without_time().try_init()
    } else {
        builder.try_init()
    };
}

/// `hallq check-config FILE`: exit 0 when valid, 1 with every problem otherwise.
pub fn check_config(file: &Path) -> ExitCode {
    let (report, code) = crate::config::check_file(file);
    if code == 0 {
        println!("{report}");
        ExitCode::SUCCESS
    } else {
        eprintln!("{report}");
        ExitCode::from(u8::try_from(code).unwrap_or(1))
    }
}

/// Resolves on Ctrl-C or SIGTERM (systemd stop).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested");
}
