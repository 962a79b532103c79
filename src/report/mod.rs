//! Daily and monthly reports: figures from the store, CSV and PNG charts.
//!
//! - [`load`] reads the rows of a period from the store, read-only;
//! - [`aggregate::aggregate`] computes every figure from those rows (pure, no I/O);
//! - [`tables`] writes the CSV files, [`charts`] the PNG charts.
//!
//! The policy `[ratings].unrated_as_basic_after_days` is applied here only: a finished visit
//! still unrated that many days after its business day counts as 基本满意 in the report
//! (and is shown separately as such); the store is never rewritten.

pub mod aggregate;
pub mod charts;
pub mod load;
pub mod model;
pub mod tables;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use rusqlite::Connection;

use crate::config::HallConfig;
pub use model::{AsOf, Context, Facts, Figures, Period, Report};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("reading the hall store: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("unexpected value in the hall store: {0}")]
    Data(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {detail}", path.display())]
    Csv { path: PathBuf, detail: String },
    #[error("chart {name}: {detail}")]
    Chart { name: String, detail: String },
}

/// Names and policy from the hall configuration; without one, ids stand in for names, the
/// time zone is Asia/Shanghai and the unrated-as-basic policy is off.
pub fn context(config: Option<&HallConfig>) -> Context {
    let Some(c) = config else {
        return Context {
            hall: "hallq".to_string(),
            tz: default_tz(),
            ..Context::default()
        };
    };
    Context {
        hall: c.hall.name.clone(),
        tz: c.rules().tz,
        services: c
            .services
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect(),
        windows: c
            .windows
            .iter()
            .map(|w| (w.number, w.name.clone()))
            .collect(),
        staff: c
            .staff
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect(),
        unrated_as_basic_after_days: c.ratings.unrated_as_basic_after_days,
    }
}

fn default_tz() -> TimeZone {
    TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::UTC)
}

/// `now` and the hall's business day at `now` (local date, before the rollover time the
/// day before).
pub fn as_of(config: Option<&HallConfig>, now: Timestamp) -> AsOf {
    let (tz, rollover) = match config {
        Some(c) => {
            let rules = c.rules();
            (rules.tz, rules.rollover)
        }
        None => (default_tz(), Time::constant(4, 0, 0, 0)),
    };
    let local = now.to_zoned(tz).datetime();
    let day = if local.time() < rollover {
        local.date().yesterday().unwrap_or(local.date())
    } else {
        local.date()
    };
    AsOf { now, day }
}

/// Reads and aggregates the report of `period` from an open store connection.
pub fn build(
    conn: &Connection,
    ctx: &Context,
    period: Period,
    as_of: AsOf,
) -> Result<Report, ReportError> {
    let facts = load::facts(conn, period.first(), period.last())?;
    Ok(aggregate::aggregate(&facts, ctx, period, as_of))
}

/// The daily report of `day` from the database at `db` (opened read-only; works while
/// `hallq serve` runs). `now` decides overdue follow-ups and the unrated-as-basic policy.
pub fn daily(
    db: &Path,
    config: &HallConfig,
    day: Date,
    now: Timestamp,
) -> Result<Report, ReportError> {
    let conn = load::open(db)?;
    build(
        &conn,
        &context(Some(config)),
        Period::Day(day),
        as_of(Some(config), now),
    )
}

/// [`daily`] as JSON, for `GET /api/v1/reports/daily?day=` (admin). Blocking: call it from
/// `spawn_blocking`.
pub fn daily_json(
    db: &Path,
    config: &HallConfig,
    day: Date,
    now: Timestamp,
) -> Result<serde_json::Value, ReportError> {
    let report = daily(db, config, day, now)?;
    serde_json::to_value(&report).map_err(|e| ReportError::Data(e.to_string()))
}

/// What [`write`] produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
}

/// Writes the CSV files and PNG charts of `report` into `out/report-<period>/` (created;
/// files of an earlier run are replaced).
pub fn write(report: &Report, out: &Path) -> Result<Written, ReportError> {
    let dir = out.join(format!("report-{}", report.period));
    std::fs::create_dir_all(&dir).map_err(|e| ReportError::Io {
        path: dir.clone(),
        source: e,
    })?;
    let mut files = tables::write_all(report, &dir)?;
    files.extend(charts::write_all(report, &dir)?);
    Ok(Written { dir, files })
}
