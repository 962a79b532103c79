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
    /// Run a ticket kiosk (取号机): touchscreen UI and thermal printer, talking to a hall server.
    Kiosk(KioskArgs),
    /// Print an argon2 hash of a staff PIN read from standard input (for
    /// `[kiosk].priority_pin_hash`).
    HashPin(HashPinArgs),
    /// Test or query the kiosk's ticket printer ([printer] in hall.toml).
    Printer {
        #[command(subcommand)]
        command: PrinterCommand,
    },
    /// Render a ticket as a PNG, from the bytes the printer would receive.
    TicketPreview(TicketPreviewArgs),
    /// Run a window terminal (窗口呼叫终端) for staff: call, recall, transfer, finish.
    Window(crate::roles::window::WindowArgs),
    /// Run the hall display (大厅叫号显示屏): current calls, recent calls, waiting counts and
    /// a caption of what the voice says; optionally owns a voice zone's speakers.
    Display(crate::roles::display::DisplayArgs),
    /// RS-485 bus tools for technicians (Modbus RTU caller keypads, evaluators).
    Bus {
        #[command(subcommand)]
        command: crate::roles::bus::BusCommand,
    },
    /// LED window screen tools for technicians (send one text to a screen).
    Led {
        #[command(subcommand)]
        command: crate::roles::led::LedCommand,
    },
    /// Voice announcer tools: say a call, build or check a voice pack.
    Voice {
        #[command(subcommand)]
        command: crate::roles::voice::VoiceCommand,
    },
    /// Run the evaluator (评价器) at a window: 好差评 after each 办结.
    Rate(crate::roles::rate::RateArgs),
    /// Follow-up work orders of bad ratings (差评): list and update, through the server.
    Followups {
        #[command(subcommand)]
        command: crate::roles::followups::FollowupsCommand,
    },
    /// Daily and monthly reports: CSV files and PNG charts.
    Report {
        #[command(subcommand)]
        command: crate::roles::report::ReportCommand,
    },
    /// The hall's health at a glance: devices, upload backlog, clock, store.
    Status(crate::roles::status::StatusArgs),
    /// Run a realistic simulated business day (tickets, calls, ratings, follow-ups) into a
    /// store, e.g. to try the reports.
    SeedDay(crate::roles::seed::SeedArgs),
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
pub struct KioskArgs {
    /// Hall server URL, e.g. http://192.168.1.10:8610
    #[arg(long, short, env = "HALLQ_SERVER")]
    pub server: String,
    /// This kiosk's device token (a `role = "kiosk"` device in hall.toml).
    #[arg(long, short, env = "HALLQ_TOKEN")]
    pub token: String,
    /// Hall configuration file (the same hall.toml as the server's).
    #[arg(
        long,
        short,
        default_value = "/etc/hallq/hall.toml",
        env = "HALLQ_CONFIG"
    )]
    pub config: PathBuf,
    /// Screen orientation (default: [kiosk].orientation).
    #[arg(long, value_parser = ["portrait", "landscape"])]
    pub orientation: Option<String>,
    /// Fill the whole screen.
    #[arg(long)]
    pub fullscreen: bool,
}

#[derive(Debug, clap::Args)]
pub struct HashPinArgs {}

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

#[derive(Debug, Subcommand)]
pub enum PrinterCommand {
    /// Print a test ticket on the configured printer (for technicians installing a kiosk).
    Test(PrinterTestArgs),
    /// Ask the printer for its status (DLE EOT) and print it.
    Status(PrinterStatusArgs),
}

#[derive(Debug, clap::Args)]
pub struct PrinterTestArgs {
    /// Hall configuration file with a [printer] table.
    #[arg(
        long,
        short,
        default_value = "/etc/hallq/hall.toml",
        env = "HALLQ_CONFIG"
    )]
    pub config: PathBuf,
    /// Use this backend instead of [printer].backend (serial, usblp, tcp, file, sim).
    #[arg(long, value_parser = ["serial", "usblp", "tcp", "file", "sim"])]
    pub backend: Option<String>,
    /// Use this device or file instead of [printer].path.
    #[arg(long)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct PrinterStatusArgs {
    /// Hall configuration file with a [printer] table.
    #[arg(
        long,
        short,
        default_value = "/etc/hallq/hall.toml",
        env = "HALLQ_CONFIG"
    )]
    pub config: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct TicketPreviewArgs {
    /// Hall configuration file (its [printer] gives width, header, footer, QR template).
    #[arg(
        long,
        short,
        default_value = "/etc/hallq/hall.toml",
        env = "HALLQ_CONFIG"
    )]
    pub config: PathBuf,
    /// Service id, e.g. A.
    #[arg(long, short)]
    pub service: String,
    /// Output PNG file.
    #[arg(long, short, default_value = "ticket.png")]
    pub out: PathBuf,
    /// Paper width in mm (58 or 80) instead of the configured one.
    #[arg(long)]
    pub width_mm: Option<u16>,
    /// Mark the ticket 绿色通道.
    #[arg(long)]
    pub priority: bool,
    /// Mark the ticket 补打.
    #[arg(long)]
    pub reprint: bool,
    /// Mark the ticket 预约.
    #[arg(long)]
    pub appointment: bool,
    /// Also write the raw ESC/POS bytes here.
    #[arg(long)]
    pub bytes_out: Option<PathBuf>,
}
