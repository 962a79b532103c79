//! `hallq bus`: RS-485 bus tools for technicians.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::config::bus::ParityName;
use crate::devices::bus::link::open_port;
use crate::devices::bus::scan::{ScanOptions, scan};

#[derive(Debug, clap::Subcommand)]
pub enum BusCommand {
    /// List the Modbus addresses that answer on a bus (after swapping a device): caller
    /// keypads answer at their window number, 5-key evaluators at 100 + window.
    Scan(BusScanArgs),
}

#[derive(Debug, clap::Args)]
pub struct BusScanArgs {
    /// Serial port of the bus, e.g. /dev/hallq/bus-callers
    #[arg(long, short)]
    pub port: PathBuf,
    /// 9600, 19200 or 38400
    #[arg(long, default_value_t = 9600)]
    pub baud: u32,
    #[arg(long, value_enum, default_value_t = ParityName::None)]
    pub parity: ParityName,
    /// First address to probe
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=247))]
    pub from: u8,
    /// Last address to probe
    #[arg(long, default_value_t = 247, value_parser = clap::value_parser!(u8).range(1..=247))]
    pub to: u8,
    /// Reply timeout per address
    #[arg(long, default_value_t = 100)]
    pub timeout_ms: u64,
}

pub fn run(command: BusCommand) -> ExitCode {
    super::init_logging();
    match command {
        BusCommand::Scan(args) => run_scan(&args),
    }
}

fn run_scan(args: &BusScanArgs) -> ExitCode {
    let port = match open_port(&args.port, args.baud, args.parity) {
        Ok(port) => port,
        Err(e) => {
            eprintln!(
                "hallq: 无法打开串口 {} (cannot open the port): {e}",
                args.port.display()
            );
            return ExitCode::from(2);
        }
    };
    let options = ScanOptions {
        baud: args.baud,
        from: args.from,
        to: args.to.max(args.from),
        timeout: Duration::from_millis(args.timeout_ms.max(1)),
    };
    println!(
        "扫描 {} ({} 波特, 校验 {}), 地址 {}–{} (scanning)…",
        args.port.display(),
        args.baud,
        args.parity.as_str(),
        options.from,
        options.to
    );
    match scan(port, &options) {
        Ok(report) => {
            print!("{}", report.describe());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hallq: 串口出错 (serial port error): {e}");
            ExitCode::from(2)
        }
    }
}
