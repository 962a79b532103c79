//! Hand-computed figures for the pure aggregation, the ranking and the CSV files.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, date};

use super::aggregate::{aggregate, percentile, rank};
use super::model::*;
use crate::core::{FollowUpState, RatingLevel};

const DAY: Date = date(2026, 11, 23);

/// 2026-11-23 at `hh:mm` Beijing time.
fn at(hh: i8, mm: i8) -> Timestamp {
    DAY.at(hh, mm, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .unwrap()
        .timestamp()
}

fn ctx(policy: Option<u32>) -> Context {
    Context {
        hall: "示范县政务服务中心".into(),
        tz: jiff::tz::TimeZone::get("Asia/Shanghai").unwrap(),
        services: BTreeMap::from([
            ("A".into(), "综合受理".into()),
            ("B".into(), "社保医保".into()),
            ("C".into(), "不动产登记".into()),
            ("D".into(), "咨询".into()),
        ]),
        windows: BTreeMap::from([(1, "综合窗口".into()), (3, "社保医保窗口".into())]),
        staff: BTreeMap::from([
            ("1001".into(), "王丽".into()),
            ("1004".into(), "陈静".into()),
        ]),
        unrated_as_basic_after_days: policy,
    }
}

fn ticket(id: u64, service: &str, issued: Timestamp) -> TicketFact {
    TicketFact {
        id,
        day: DAY,
        issued_service: service.into(),
        service: service.into(),
        issued_at: issued,
        first_called_at: None,
        called_at: None,
        finished_at: None,
        window: None,
        staff: None,
        missed: false,
        transfers: 0,
    }
}

fn served(
    mut t: TicketFact,
    called: Timestamp,
    finished: Option<Timestamp>,
    window: u16,
    staff: &str,
) -> TicketFact {
    t.first_called_at = Some(called);
    t.called_at = Some(called);
    t.finished_at = finished;
    t.window = Some(window);
    t.staff = Some(staff.into());
    t
}

fn lvl(n: u8) -> RatingLevel {
    RatingLevel::new(n).unwrap()
}

fn rating(ticket: u64, service: &str, window: u16, staff: &str, level: u8) -> RatingFact {
    RatingFact {
        ticket,
        day: DAY,
        service: service.into(),
        window,
        staff: Some(staff.into()),
        level: lvl(level),
    }
}

/// T1 A 09:00→09:10→09:20 at 1 rated 5; T2 A 09:05→09:25→09:31 at 1 rated 2 (follow-up
/// open); T3 B 09:00→09:30→09:45 at 3 unrated; T4 B 09:10→09:40 missed at 3; T5 D never
/// called.
fn facts() -> Facts {
    let t1 = served(
        ticket(1, "A", at(9, 0)),
        at(9, 10),
        Some(at(9, 20)),
        1,
        "1001",
    );
    let t2 = served(
        ticket(2, "A", at(9, 5)),
        at(9, 25),
        Some(at(9, 31)),
        1,
        "1001",
    );
    let t3 = served(
        ticket(3, "B", at(9, 0)),
        at(9, 30),
        Some(at(9, 45)),
        3,
        "1004",
    );
    let mut t4 = served(ticket(4, "B", at(9, 10)), at(9, 40), None, 3, "1004");
    t4.missed = true;
    let t5 = ticket(5, "D", at(9, 20));
    Facts {
        tickets: vec![t1, t2, t3, t4, t5],
        ratings: vec![rating(1, "A", 1, "1001", 5), rating(2, "A", 1, "1001", 2)],
        followups: vec![FollowUpFact {
            id: 1,
            ticket: 2,
            day: DAY,
            service: "A".into(),
            window: 1,
            staff: Some("1001".into()),
            level: lvl(2),
            state: FollowUpState::Open,
            opened_at: at(9, 32),
            callback_due: at(9, 32)
                .checked_add(jiff::SignedDuration::from_hours(24))
                .unwrap(),
            rectify_due: at(9, 32)
                .checked_add(jiff::SignedDuration::from_hours(24 * 15))
                .unwrap(),
        }],
    }
}

fn as_of(days_later: i64, hh: i8) -> AsOf {
    let day = DAY.checked_add(jiff::Span::new().days(days_later)).unwrap();
    let now = day
        .at(hh, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .unwrap()
        .timestamp();
    AsOf { now, day }
}

#[test]
fn nearest_rank_percentile() {
    let ten: Vec<i64> = (1..=10).collect();
    assert_eq!(percentile(&ten, 90), Some(9));
    let eleven: Vec<i64> = (1..=11).collect();
    assert_eq!(percentile(&eleven, 90), Some(10));
    assert_eq!(percentile(&[42], 90), Some(42));
    assert_eq!(percentile(&[1, 2, 3, 4], 90), Some(4));
    assert_eq!(percentile(&[], 90), None);
}

#[test]
fn daily_figures_by_hand() {
    let r = aggregate(&facts(), &ctx(None), Period::Day(DAY), as_of(0, 18));
    let s = &r.summary;
    assert_eq!((s.tickets, s.finished, s.missed), (5, 3, 1));
    // Waits 10, 20, 30, 30 minutes; service times 10, 6, 15 minutes.
    assert_eq!(s.wait.count, 4);
    assert_eq!(s.wait.avg_s, Some(1350.0));
    assert_eq!(s.wait.p90_s, Some(1800));
    assert_eq!(s.service_time.avg_s, Some(620.0));
    assert_eq!(s.service_time.p90_s, Some(900));
    assert_eq!(s.levels.0, [0, 1, 0, 0, 1]);
    assert_eq!(
        (s.rated, s.unrated, s.counted_as_basic, s.bad),
        (2, 1, 0, 1)
    );
    assert_eq!(s.rating_rate, Some(2.0 / 3.0));
    assert_eq!(s.satisfaction_rate, Some(0.5));
    assert_eq!(s.followups.open, 1);
    assert_eq!(s.followups.overdue, 0, "callback due tomorrow 09:32");

    let services: Vec<(&str, &str, u64)> = r
        .by_service
        .iter()
        .map(|x| (x.id.as_str(), x.name.as_str(), x.figures.tickets))
        .collect();
    assert_eq!(
        services,
        [
            ("A", "综合受理", 2),
            ("B", "社保医保", 2),
            ("C", "不动产登记", 0),
            ("D", "咨询", 1)
        ]
    );
    let b = &r.by_service[1].figures;
    assert_eq!((b.finished, b.missed, b.unrated, b.rated), (1, 1, 1, 0));
    assert_eq!(b.wait.avg_s, Some(1800.0));
    assert_eq!(b.rating_rate, Some(0.0));
    assert_eq!(b.satisfaction_rate, None);

    let w1 = &r.by_window[0];
    assert_eq!((w1.window, w1.name.as_str()), (1, "综合窗口"));
    assert_eq!(
        (w1.figures.tickets, w1.figures.finished, w1.figures.rated),
        (2, 2, 2)
    );
    assert_eq!(w1.figures.rating_rate, Some(1.0));
    assert_eq!(w1.figures.followups.open, 1);
    let w3 = &r.by_window[1];
    assert_eq!(
        (w3.figures.tickets, w3.figures.missed, w3.figures.unrated),
        (2, 1, 1)
    );

    let staff: Vec<(&str, &str, u64)> = r
        .by_staff
        .iter()
        .map(|x| (x.id.as_str(), x.name.as_str(), x.figures.bad))
        .collect();
    assert_eq!(staff, [("1001", "王丽", 1), ("1004", "陈静", 0)]);
    assert_eq!(r.by_day.len(), 1);
    assert_eq!(r.by_day[0].figures, r.summary);
}

#[test]
fn overdue_follow_ups_move_with_the_report_time() {
    let r = aggregate(&facts(), &ctx(None), Period::Day(DAY), as_of(1, 10));
    assert_eq!(
        r.summary.followups.overdue, 1,
        "callback deadline 09:32 passed"
    );
    assert_eq!(r.by_window[0].figures.followups.overdue, 1);
    let mut f = facts();
    f.followups[0].state = FollowUpState::CalledBack;
    let r = aggregate(&f, &ctx(None), Period::Day(DAY), as_of(1, 10));
    assert_eq!(r.summary.followups.overdue, 0);
    assert_eq!(r.summary.followups.called_back, 1);
}

#[test]
fn unrated_counts_as_basic_only_when_the_policy_says_and_the_days_have_passed() {
    // Policy off: unrated stays unrated however late.
    let off = aggregate(&facts(), &ctx(None), Period::Day(DAY), as_of(30, 10));
    assert_eq!((off.summary.unrated, off.summary.counted_as_basic), (1, 0));

    // Policy 3 days, two days later: not yet.
    let early = aggregate(&facts(), &ctx(Some(3)), Period::Day(DAY), as_of(2, 23));
    assert_eq!(
        (early.summary.unrated, early.summary.counted_as_basic),
        (1, 0)
    );
    assert_eq!(early.summary.satisfaction_rate, Some(0.5));

    // Three days later: T3 counts as 基本满意, in the report only.
    let late = aggregate(&facts(), &ctx(Some(3)), Period::Day(DAY), as_of(3, 9));
    let s = &late.summary;
    assert_eq!((s.unrated, s.counted_as_basic, s.rated), (0, 1, 3));
    assert_eq!(s.levels.get(RatingLevel::BASIC), 1);
    assert_eq!(s.rating_rate, Some(1.0));
    assert_eq!(s.satisfaction_rate, Some(2.0 / 3.0));
    let w3 = &late.by_window[1].figures;
    assert_eq!(
        (w3.counted_as_basic, w3.rated, w3.satisfaction_rate),
        (1, 1, Some(1.0))
    );
    let b = &late.by_service[1].figures;
    assert_eq!(b.counted_as_basic, 1);
    // The input is untouched: no rating appeared.
    assert_eq!(facts().ratings.len(), 2);
}

fn window(n: u16, satisfied: u64, rated: u64) -> WindowRow {
    let mut levels = LevelCounts::default();
    levels.add(lvl(5), satisfied);
    levels.add(lvl(1), rated - satisfied);
    WindowRow {
        window: n,
        name: format!("{n}号窗口"),
        figures: Figures {
            levels,
            rated,
            satisfaction_rate: super::aggregate::ratio(satisfied, rated),
            bad: rated - satisfied,
            ..Figures::default()
        },
    }
}

#[test]
fn ranking_by_satisfaction_then_count_with_shared_ranks() {
    let rows = rank(&[
        window(1, 9, 10),
        window(2, 18, 20),
        window(3, 10, 10),
        window(4, 0, 0),
        window(5, 9, 10),
        window(6, 1, 3),
    ]);
    let order: Vec<(Option<u32>, u16)> = rows.iter().map(|r| (r.rank, r.window)).collect();
    assert_eq!(
        order,
        [
            (Some(1), 3),
            (Some(2), 2),
            (Some(3), 1),
            (Some(3), 5),
            (Some(5), 6),
            (None, 4)
        ]
    );
    assert_eq!(rows[1].satisfied, 18);
    assert_eq!(rows[4].bad, 2);
}

#[test]
fn monthly_groups_by_day_and_ranks_windows() {
    let mut f = facts();
    let mut other = served(
        ticket(9, "A", at(10, 0)),
        at(10, 5),
        Some(at(10, 15)),
        3,
        "1004",
    );
    other.day = date(2026, 11, 2);
    f.tickets.push(other);
    let mut r9 = rating(9, "A", 3, "1004", 4);
    r9.day = date(2026, 11, 2);
    f.ratings.push(r9);
    let r = aggregate(&f, &ctx(None), Period::Month(DAY), as_of(10, 10));
    assert_eq!((r.kind, r.period.as_str()), ("monthly", "2026-11"));
    assert_eq!((r.from, r.to), (date(2026, 11, 1), date(2026, 11, 30)));
    let days: Vec<(Date, u64)> = r
        .by_day
        .iter()
        .map(|d| (d.day, d.figures.tickets))
        .collect();
    assert_eq!(days, [(date(2026, 11, 2), 1), (DAY, 5)]);
    let ranking: Vec<(Option<u32>, u16)> = r.ranking.iter().map(|x| (x.rank, x.window)).collect();
    // Window 3: 1 of 1 satisfied; window 1: 1 of 2.
    assert_eq!(ranking, [(Some(1), 3), (Some(2), 1)]);
}

#[test]
fn json_shape() {
    let r = aggregate(&facts(), &ctx(None), Period::Day(DAY), as_of(0, 18));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["kind"], "daily");
    assert_eq!(v["period"], "2026-11-23");
    assert_eq!(v["summary"]["levels"]["5"], 1);
    assert_eq!(v["summary"]["levels"]["2"], 1);
    assert_eq!(v["summary"]["wait"]["p90_s"], 1800);
    assert_eq!(v["by_window"][0]["window"], 1);
    assert_eq!(
        v["by_window"][0]["finished"], 2,
        "figures are flattened into the row"
    );
    assert_eq!(v["by_staff"][0]["name"], "王丽");
    let text = v.to_string();
    assert!(!text.contains("rater"), "no rater identity in a report");
}

#[test]
fn csv_files_have_chinese_headers_and_the_figures() {
    let dir = tempfile::tempdir().unwrap();
    let r = aggregate(&facts(), &ctx(None), Period::Day(DAY), as_of(0, 18));
    let files = super::tables::write_all(&r, dir.path()).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "summary.csv",
            "by_window.csv",
            "by_staff.csv",
            "by_service.csv"
        ]
    );

    let read = |name: &str| -> Vec<Vec<String>> {
        let bytes = std::fs::read(dir.path().join(name)).unwrap();
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "{name} has a BOM");
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[3..]);
        rdr.records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    };
    let windows = read("by_window.csv");
    let header = &windows[0];
    assert_eq!(&header[..4], ["窗口", "窗口名称", "接待数", "办结数"]);
    assert!(header.contains(&"满意率(%)".to_string()));
    assert!(header.contains(&"回访待回访".to_string()));
    assert!(windows.iter().all(|row| row.len() == header.len()));
    let col = |row: &Vec<String>, name: &str| {
        let i = header.iter().position(|h| h == name).unwrap();
        row[i].clone()
    };
    let w1 = &windows[1];
    assert_eq!((w1[0].as_str(), w1[1].as_str()), ("1", "综合窗口"));
    assert_eq!(col(w1, "平均等候(分钟)"), "15.0");
    assert_eq!(col(w1, "P90办理(分钟)"), "10.0");
    assert_eq!(col(w1, "非常满意"), "1");
    assert_eq!(col(w1, "满意率(%)"), "50.0");
    assert_eq!(col(w1, "评价率(%)"), "100.0");
    let w3 = &windows[2];
    assert_eq!(col(w3, "满意率(%)"), "", "no rating, no rate");

    let summary = read("summary.csv");
    let get = |k: &str| summary.iter().find(|r| r[0] == k).map(|r| r[1].clone());
    assert_eq!(get("大厅").as_deref(), Some("示范县政务服务中心"));
    assert_eq!(get("期间").as_deref(), Some("2026-11-23"));
    assert_eq!(get("取号数").as_deref(), Some("5"));
    assert_eq!(get("评价率(%)").as_deref(), Some("66.7"));
    assert_eq!(get("未评价视为基本满意").as_deref(), Some("未启用"));

    let services = read("by_service.csv");
    assert_eq!(services.len(), 5);
    assert_eq!(&services[0][..3], ["业务", "业务名称", "取号数"]);
}

#[test]
fn monthly_csv_adds_ranking_and_days() {
    let dir = tempfile::tempdir().unwrap();
    let r = aggregate(&facts(), &ctx(None), Period::Month(DAY), as_of(10, 10));
    let files = super::tables::write_all(&r, dir.path()).unwrap();
    assert_eq!(files.len(), 6);
    let text = std::fs::read_to_string(dir.path().join("ranking.csv")).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("名次,窗口,窗口名称,满意率(%),评价数"));
    assert!(
        lines[1].starts_with("1,1,综合窗口,50.0,2,1,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with(",3,社保医保窗口,,0,0,"),
        "{}",
        lines[2]
    );
}
