//! `hallq report daily|monthly`: CSV and PNG charts from the store.
//!
//! The store is opened read-only, so a report can be made while `hallq serve` runs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::config::HallConfig;
use crate::report::{self, Period};

/// Where `hallq serve` keeps its store unless told otherwise (`--data`, `HALLQ_DATA`).
pub const DEFAULT_DATA: &str = "/var/lib/hallq";
/// The hall configuration unless told otherwise (`--config`, `HALLQ_CONFIG`).
pub const DEFAULT_CONFIG: &str = "/etc/hallq/hall.toml";

#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// 日报: one business day (default: today's).
    Daily {
        /// Business day, YYYY-MM-DD.
        #[arg(long)]
        day: Option<Date>,
        #[command(flatten)]
        source: Source,
    },
    /// 月报: one month, with the window ranking (张榜公示) (default: this month).
    Monthly {
        /// Month, YYYY-MM.
        #[arg(long, value_parser = parse_month)]
        month: Option<Date>,
        #[command(flatten)]
        source: Source,
    },
}

#[derive(Debug, clap::Args)]
pub struct Source {
    /// Hall configuration (names, time zone, [ratings] policy). Without it, ids stand in
    /// for names and the unrated-as-basic policy is off.
    #[arg(long, short, env = "HALLQ_CONFIG")]
    pub config: Option<PathBuf>,
    /// The data directory of `hallq serve`; the store is DATA/hall.db.
    #[arg(long, short, env = "HALLQ_DATA", default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    /// The hall database itself (instead of DATA/hall.db).
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// Where to write report-<period>/ (default: the current directory).
    #[arg(long, short, default_value = ".")]
    pub out: PathBuf,
}

impl Source {
    fn db(&self) -> PathBuf {
        self.store
            .clone()
            .unwrap_or_else(|| self.data.join("hall.db"))
    }

    /// The configuration given, else the default one when it exists.
    fn config(&self) -> Result<Option<HallConfig>, String> {
        let (path, explicit) = match &self.config {
            Some(p) => (p.clone(), true),
            None => (PathBuf::from(DEFAULT_CONFIG), false),
        };
        if !explicit && !path.exists() {
            eprintln!(
                "hallq: no configuration at {}: names are ids and the unrated-as-basic policy is off",
                path.display()
            );
            return Ok(None);
        }
        HallConfig::load(&path)
            .map(Some)
            .map_err(|problems| format!("{}: invalid configuration:\n{problems}", path.display()))
    }
}

/// `YYYY-MM` as the first day of that month.
pub fn parse_month(text: &str) -> Result<Date, String> {
    format!("{}-01", text.trim())
        .parse::<Date>()
        .map_err(|_| format!("{text:?} is not a month (YYYY-MM)"))
}

pub fn run(command: ReportCommand) -> ExitCode {
    super::init_logging();
    let (period, source) = match &command {
        ReportCommand::Daily { day, source } => (day.map(Period::Day), source),
        ReportCommand::Monthly { month, source } => (month.map(Period::Month), source),
    };
    let monthly = matches!(command, ReportCommand::Monthly { .. });
    match generate(period, monthly, source, Timestamp::now()) {
        Ok(written) => {
            println!("{}", written.dir.display());
            for f in &written.files {
                println!("  {}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("hallq: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// Makes and writes one report; `period` defaults to the current business day or month.
fn generate(
    period: Option<Period>,
    monthly: bool,
    source: &Source,
    now: Timestamp,
) -> Result<report::Written, String> {
    let config = source.config()?;
    let as_of = report::as_of(config.as_ref(), now);
    let period = period.unwrap_or(if monthly {
        Period::Month(as_of.day)
    } else {
        Period::Day(as_of.day)
    });
    write_report(&source.db(), config.as_ref(), period, now, &source.out)
}

/// Reads `db` read-only and writes the report of `period` under `out`.
pub fn write_report(
    db: &Path,
    config: Option<&HallConfig>,
    period: Period,
    now: Timestamp,
    out: &Path,
) -> Result<report::Written, String> {
    let conn = report::load::open(db).map_err(|e| format!("{}: {e}", db.display()))?;
    let made = report::build(
        &conn,
        &report::context(config),
        period,
        report::as_of(config, now),
    )
    .map_err(|e| e.to_string())?;
    report::write(&made, out).map_err(|e| e.to_string())
}
