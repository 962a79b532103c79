//! `hallq report daily|monthly` as a manager runs it: the binary against a store that
//! `hallq seed-day` filled, the CSV files and PNG charts it says it wrote, figures that
//! agree with the seeded day, and clear failures for a missing store or a bad month.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/hall.example.toml");

fn hallq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(args)
        .env_remove("HALLQ_CONFIG")
        .env_remove("HALLQ_DATA")
        .output()
        .unwrap()
}

/// `hallq report daily --day D` (or `monthly --month M`) with the sample config, `store`
/// and `out`.
fn report(kind: &str, period: &str, store: &Path, out: &Path) -> Output {
    let flag = if kind == "daily" { "--day" } else { "--month" };
    hallq(&[
        "report",
        kind,
        flag,
        period,
        "--config",
        SAMPLE,
        "--store",
        path(store),
        "--out",
        path(out),
    ])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The number after `label` (e.g. `取号 `) in seed-day's summary.
fn seeded(summary: &str, label: &str) -> u64 {
    let after = summary
        .split(label)
        .nth(1)
        .unwrap_or_else(|| panic!("{label:?} not in {summary}"));
    after
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no number after {label:?} in {summary}"))
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The value of `key` in summary.csv (two columns: 项目,数值).
fn summary_value(csv: &str, key: &str) -> String {
    csv.lines()
        .find_map(|l| l.strip_prefix(&format!("{key},")))
        .unwrap_or_else(|| panic!("{key} not in {csv}"))
        .trim_matches('"')
        .to_string()
}

fn is_png(p: &Path) -> bool {
    std::fs::read(p).is_ok_and(|b| b.len() > 1000 && b.starts_with(b"\x89PNG\r\n\x1a\n"))
}

#[test]
fn daily_and_monthly_reports_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    let out = dir.path().join("reports");
    let seed = hallq(&[
        "seed-day",
        "--config",
        SAMPLE,
        "--day",
        "2026-11-23",
        "--tickets",
        "60",
        "--store",
        path(&db),
    ]);
    let summary = text(&seed.stdout);
    assert!(seed.status.success(), "{summary}{}", text(&seed.stderr));
    let issued = seeded(&summary, "取号 ");
    let finished = seeded(&summary, "办结 ");
    assert!(issued > 0 && finished > 0, "{summary}");

    let daily = report("daily", "2026-11-23", &db, &out);
    let listed = text(&daily.stdout);
    assert!(daily.status.success(), "{listed}{}", text(&daily.stderr));
    let report_dir = out.join("report-2026-11-23");
    assert_eq!(listed.lines().next(), Some(path(&report_dir)), "{listed}");
    let files: Vec<PathBuf> = listed
        .lines()
        .skip(1)
        .map(|l| PathBuf::from(l.trim()))
        .collect();
    for name in [
        "summary.csv",
        "by_window.csv",
        "by_staff.csv",
        "by_service.csv",
        "ratings.png",
        "waits.png",
        "windows.png",
    ] {
        let f = report_dir.join(name);
        assert!(files.contains(&f), "{name} not listed: {listed}");
        assert!(f.exists(), "{name} not written");
    }
    for png in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "png"))
    {
        assert!(is_png(png), "{} is not a chart", png.display());
    }
    let csv = std::fs::read_to_string(report_dir.join("summary.csv")).unwrap();
    assert_eq!(summary_value(&csv, "报表"), "日报");
    assert_eq!(summary_value(&csv, "期间"), "2026-11-23");
    assert_eq!(summary_value(&csv, "取号数"), issued.to_string(), "{csv}");
    assert!(
        !files.iter().any(|f| f.ends_with("ranking.csv")),
        "ranking is monthly"
    );

    let monthly = report("monthly", "2026-11", &db, &out);
    let listed = text(&monthly.stdout);
    assert!(
        monthly.status.success(),
        "{listed}{}",
        text(&monthly.stderr)
    );
    let month_dir = out.join("report-2026-11");
    let ranking = std::fs::read_to_string(month_dir.join("ranking.csv")).unwrap();
    assert!(ranking.lines().count() >= 2, "a ranked window: {ranking}");
    let csv = std::fs::read_to_string(month_dir.join("summary.csv")).unwrap();
    assert_eq!(summary_value(&csv, "报表"), "月报");
    assert_eq!(
        summary_value(&csv, "取号数"),
        issued.to_string(),
        "one seeded day"
    );

    // What goes wrong says so and exits non-zero, writing nothing.
    let missing = report("daily", "2026-11-23", &dir.path().join("nope.db"), &out);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains("nope.db"),
        "{}",
        text(&missing.stderr)
    );
    let bad = hallq(&[
        "report",
        "monthly",
        "--month",
        "11/2026",
        "--store",
        path(&db),
    ]);
    assert_eq!(bad.status.code(), Some(2), "a usage error");
    assert!(
        text(&bad.stderr).contains("YYYY-MM"),
        "{}",
        text(&bad.stderr)
    );
}
