//! Reports end to end: two simulated days (`hallq seed-day`'s engine-driven simulation) into a
//! real SQLite store, then the daily and monthly reports read back from that file. The
//! figures must agree with what the simulation did and with the store's own rows; the CSV
//! files must carry them; the PNG charts must decode and show something.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hallq::config::HallConfig;
use hallq::report::{self, Period, Report};
use hallq::roles::seed::{SeedSummary, seed_day};
use jiff::Timestamp;
use jiff::civil::Date;

const MONDAY: &str = "2026-11-23";
const TUESDAY: &str = "2026-11-24";

fn config() -> HallConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("hall.example.toml");
    HallConfig::load(&path).unwrap()
}

fn day(text: &str) -> Date {
    text.parse().unwrap()
}

/// Late in the evening after both days: every follow-up deadline of Monday is compared
/// against the same instant.
fn evening() -> Timestamp {
    "2026-11-24T12:00:00Z".parse().unwrap()
}

struct Hall {
    _dir: tempfile::TempDir,
    db: PathBuf,
    out: PathBuf,
    config: HallConfig,
    days: Vec<SeedSummary>,
}

fn seeded() -> Hall {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    let out = dir.path().join("reports");
    let config = config();
    let days = [(MONDAY, 7, 240), (TUESDAY, 8, 180)]
        .iter()
        .map(|(d, seed, n)| seed_day(&config, &db, day(d), *seed, *n).unwrap())
        .collect();
    Hall {
        _dir: dir,
        db,
        out,
        config,
        days,
    }
}

fn daily(h: &Hall, d: &str) -> Report {
    report::daily(&h.db, &h.config, day(d), evening()).unwrap()
}

fn sum(map: &BTreeMap<u8, u64>, levels: &[u8]) -> u64 {
    levels.iter().filter_map(|l| map.get(l)).sum()
}

/// One count straight from the store file (independent of the report's loader).
fn count(db: &Path, sql: &str, d: &str) -> u64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [d], |r| r.get::<_, i64>(0))
        .map(|n| u64::try_from(n).unwrap())
        .unwrap()
}

#[test]
fn the_daily_report_agrees_with_the_simulated_day_and_the_store() {
    let h = seeded();
    for (label, seeded) in [MONDAY, TUESDAY].iter().zip(&h.days) {
        let r = daily(&h, label);
        let s = &r.summary;
        assert_eq!(r.kind, "daily");
        assert_eq!(&r.period, label);

        let issued: u64 = seeded.issued.values().sum();
        assert!(issued > 100, "{label}: a realistic day, got {issued}");
        assert_eq!(s.tickets, issued, "{label}");
        assert_eq!(
            s.tickets,
            count(&h.db, "SELECT count(*) FROM tickets WHERE day = ?1", label),
            "{label}"
        );
        assert_eq!(s.finished, seeded.finished, "{label}");
        assert_eq!(s.transfers, seeded.transfers, "{label}");

        // Ratings: per level as given (the unrated-as-basic policy is off in the sample).
        for level in 1..=5u8 {
            let got = s.levels.0[usize::from(level - 1)];
            assert_eq!(
                got,
                seeded.ratings.get(&level).copied().unwrap_or(0),
                "{label} level {level}"
            );
        }
        let rated = sum(&seeded.ratings, &[1, 2, 3, 4, 5]);
        assert!(
            rated > 0 && s.finished > rated,
            "{label}: some visits unrated"
        );
        assert_eq!(s.rated, rated, "{label}");
        assert_eq!(s.unrated, s.finished - rated, "{label}");
        assert_eq!(s.counted_as_basic, 0, "{label}");
        assert_eq!(s.bad, sum(&seeded.ratings, &[1, 2]), "{label}");
        assert_eq!(s.followups.total(), seeded.followups_opened, "{label}");
        assert_eq!(
            s.followups.total(),
            s.bad,
            "{label}: every 差评 followed up"
        );

        let rate = s.satisfaction_rate.unwrap();
        let expected = sum(&seeded.ratings, &[3, 4, 5]) as f64 / rated as f64;
        assert!(
            (rate - expected).abs() < 1e-9,
            "{label}: {rate} vs {expected}"
        );
        let rating_rate = s.rating_rate.unwrap();
        assert!((rating_rate - rated as f64 / s.finished as f64).abs() < 1e-9);

        // Waits and service times come from real timestamps: ordered and plausible.
        assert_eq!(s.wait.count, s.tickets - count_never_called(&h.db, label));
        let (avg, p90) = (s.wait.avg_s.unwrap(), s.wait.p90_s.unwrap());
        assert!(avg > 0.0 && (p90 as f64) >= avg * 0.5, "{avg} {p90}");
        assert!(s.service_time.avg_s.unwrap() > 0.0);

        // The groups add up to the hall.
        let by_window: u64 = r.by_window.iter().map(|w| w.figures.finished).sum();
        assert_eq!(by_window, s.finished, "{label}");
        let by_staff: u64 = r.by_staff.iter().map(|w| w.figures.rated).sum();
        assert_eq!(by_staff, s.rated, "{label}");
        let by_service: u64 = r.by_service.iter().map(|w| w.figures.tickets).sum();
        assert_eq!(by_service, s.tickets, "{label}");
        for svc in &r.by_service {
            assert_eq!(
                svc.figures.tickets,
                seeded.issued.get(&svc.id).copied().unwrap_or(0),
                "{label} {}",
                svc.id
            );
            assert_ne!(svc.name, svc.id, "names come from the configuration");
        }
    }
}

fn count_never_called(db: &Path, d: &str) -> u64 {
    count(
        db,
        "SELECT count(*) FROM tickets WHERE day = ?1 AND first_called_at IS NULL",
        d,
    )
}

#[test]
fn the_monthly_report_is_the_sum_of_its_days_and_ranks_the_windows() {
    let h = seeded();
    let conn = report::load::open(&h.db).unwrap();
    let month = report::build(
        &conn,
        &report::context(Some(&h.config)),
        Period::Month(day(MONDAY)),
        report::as_of(Some(&h.config), evening()),
    )
    .unwrap();
    let days = [daily(&h, MONDAY), daily(&h, TUESDAY)];
    assert_eq!(month.period, "2026-11");
    assert_eq!(month.by_day.len(), 2);
    let total = |f: fn(&Report) -> u64| days.iter().map(f).sum::<u64>();
    assert_eq!(month.summary.tickets, total(|r| r.summary.tickets));
    assert_eq!(month.summary.finished, total(|r| r.summary.finished));
    assert_eq!(month.summary.rated, total(|r| r.summary.rated));
    assert_eq!(month.summary.bad, total(|r| r.summary.bad));
    for (row, d) in month.by_day.iter().zip(&days) {
        assert_eq!(row.figures.tickets, d.summary.tickets);
    }

    // 张榜公示: by satisfaction rate, best first; equal figures share a rank.
    let ranked: Vec<_> = month.ranking.iter().filter(|r| r.rank.is_some()).collect();
    assert!(ranked.len() >= 2, "{:?}", month.ranking);
    assert_eq!(ranked[0].rank, Some(1));
    for pair in ranked.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        assert!(a.satisfaction_rate >= b.satisfaction_rate, "{a:?} {b:?}");
        assert!(a.rank <= b.rank);
        if a.satisfaction_rate == b.satisfaction_rate && a.rated == b.rated {
            assert_eq!(a.rank, b.rank);
        }
    }
    let rated: u64 = month.ranking.iter().map(|r| r.rated).sum();
    assert_eq!(rated, month.summary.rated);
}

#[test]
fn the_files_carry_the_figures_and_the_charts_decode() {
    let h = seeded();
    let r = daily(&h, MONDAY);
    let written = report::write(&r, &h.out).unwrap();
    assert!(written.dir.ends_with(format!("report-{MONDAY}")));
    let names: Vec<String> = written
        .files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "summary.csv",
        "by_window.csv",
        "by_staff.csv",
        "by_service.csv",
        "ratings.png",
        "waits.png",
        "windows.png",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }

    // summary.csv: 项目,数值 pairs; the hall's ticket count is there as written.
    let summary = std::fs::read_to_string(written.dir.join("summary.csv")).unwrap();
    let pairs: BTreeMap<String, String> = csv::Reader::from_reader(summary.as_bytes())
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[0].to_string(), rec[1].to_string())
        })
        .collect();
    assert_eq!(pairs["取号数"], r.summary.tickets.to_string(), "{summary}");
    assert_eq!(pairs["期间"], MONDAY);

    // by_window.csv: one row per window of the report, window numbers in the first column.
    let text = std::fs::read_to_string(written.dir.join("by_window.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), r.by_window.len());
    for (row, w) in rows.iter().zip(&r.by_window) {
        assert_eq!(row[0], w.window.to_string());
    }

    for chart in ["ratings.png", "waits.png", "windows.png"] {
        let img = image::open(written.dir.join(chart)).unwrap().to_rgb8();
        assert!(img.width() >= 640 && img.height() >= 360, "{chart}");
        // A chart, not a blank canvas: white background, dark text and coloured bars.
        let mut colours = std::collections::HashSet::new();
        let mut dark = 0u64;
        for p in img.pixels() {
            colours.insert(p.0);
            if p.0.iter().all(|&c| c < 100) {
                dark += 1;
            }
        }
        assert!(colours.len() > 20, "{chart}: {} colours", colours.len());
        assert!(dark > 500, "{chart}: text drawn ({dark} dark pixels)");
    }
}

#[test]
fn the_unrated_as_basic_policy_changes_the_report_not_the_store() {
    let mut h = seeded();
    let before = count(
        &h.db,
        "SELECT count(*) FROM ratings WHERE ticket IN (SELECT id FROM tickets WHERE day = ?1)",
        MONDAY,
    );
    let plain = daily(&h, MONDAY);
    // Two days after the visit: not yet on Tuesday, so the report is unchanged.
    h.config.ratings.unrated_as_basic_after_days = Some(2);
    let early = daily(&h, MONDAY);
    assert_eq!(early.summary.counted_as_basic, 0);
    assert_eq!(early.summary.levels, plain.summary.levels);
    // One day after: Monday's unrated visits count as 基本满意 on Tuesday.
    h.config.ratings.unrated_as_basic_after_days = Some(1);
    let counted = daily(&h, MONDAY);
    assert_eq!(counted.summary.counted_as_basic, plain.summary.unrated);
    assert_eq!(
        counted.summary.levels.0[2],
        plain.summary.levels.0[2] + plain.summary.unrated
    );
    assert_eq!(counted.summary.rated, plain.summary.finished);
    assert_eq!(counted.unrated_as_basic_after_days, Some(1));
    let after = count(
        &h.db,
        "SELECT count(*) FROM ratings WHERE ticket IN (SELECT id FROM tickets WHERE day = ?1)",
        MONDAY,
    );
    assert_eq!(before, after, "the store is never rewritten");
}
