//! The command line: one binary, one subcommand per role.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "hallq",
    version,
    about = "Queue, calling and 好差评 for a government service hall (政务服务中心)",
    long_about = "hallq runs every part of a hall's queue system from one binary. The hall server \
(`serve`) owns the numbers and the queue in an embedded SQLite store; kiosks, window terminals, \
displays and evaluators talk to it over the LAN. `demo` runs a whole simulated hall on this \
machine; `check-config` validates a hall.toml before you install it."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Role,
}

#[derive(Debug, Subcommand)]
pub enum Role {
    /// Run the hall server: engine, SQLite store, LAN API and event stream.
    Serve(ServeArgs),
    /// Validate a hall configuration; print every problem with its key and line.
    CheckConfig {
        /// The hall.toml to check.
        file: PathBuf,
    },
    /// Run a whole demo hall on this machine with simulated devices.
    Demo(DemoArgs),
    /// Issue and call tickets against a running server and report throughput and latency.
    Loadtest(LoadtestArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Hall configuration file.
    #[arg(
        long,
        short,
        default_value = "/etc/hallq/hall.toml",
        env = "HALLQ_CONFIG"
    )]
    pub config: PathBuf,
    /// Directory for the store (hall.db). Created if missing.
    #[arg(long, short, default_value = "/var/lib/hallq", env = "HALLQ_DATA")]
    pub data: PathBuf,
    /// Address to listen on, e.g. 192.168.1.10:8610 (default: [server].listen from the
    /// configuration, else 0.0.0.0:8610). Port 0 picks a free port.
    #[arg(long, short)]
    pub listen: Option<SocketAddr>,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Directory for the demo's store (default: hallq/demo under your data directory).
    #[arg(long, short)]
    pub data: Option<PathBuf>,
    /// Hall configuration (default: the built-in sample hall).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, short, default_value = "127.0.0.1:8610")]
    pub listen: SocketAddr,
    /// Stop after this many seconds (default: run until Ctrl-C).
    #[arg(long = "for", value_name = "SECONDS")]
    pub duration: Option<u64>,
    /// Seconds between simulated arrivals at the kiosk.
    #[arg(long, default_value_t = 4)]
    pub arrival_every: u64,
}

#[derive(Debug, clap::Args)]
pub struct LoadtestArgs {
    /// Server URL, e.g. http://127.0.0.1:8610
    #[arg(long, short)]
    pub server: String,
    /// An admin token (it may issue and act for every window).
    #[arg(long, short)]
    pub token: String,
    /// Concurrent clients.
    #[arg(long, short, default_value_t = 8)]
    pub clients: usize,
    /// Tickets to issue in total (each is then called once).
    #[arg(long, short = 'n', default_value_t = 2000)]
    pub tickets: usize,
}
