//! The CSV files of a report: UTF-8 with a byte-order mark (so spreadsheet programs show
//! the Chinese headers), one header row, figures in minutes and percent.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::ReportError;
use super::model::{Durations, Figures, RankRow, Report};
use crate::core::{FollowUpState, RatingLevel};

/// The columns every grouped table has after its key columns.
pub fn figure_headers() -> Vec<String> {
    let mut h: Vec<String> = [
        "办结数",
        "过号数",
        "转移数",
        "平均等候(分钟)",
        "P90等候(分钟)",
        "平均办理(分钟)",
        "P90办理(分钟)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    h.extend(RatingLevel::ALL.iter().map(|l| l.label().to_string()));
    h.extend(
        [
            "其中未评价视为基本满意",
            "评价数",
            "未评价数",
            "评价率(%)",
            "满意率(%)",
            "差评数",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    h.extend(
        FollowUpState::ALL
            .iter()
            .map(|s| format!("回访{}", s.label())),
    );
    h.push("回访超期".to_string());
    h
}

/// The values under [`figure_headers`].
pub fn figure_cells(f: &Figures) -> Vec<String> {
    let mut c = vec![
        f.finished.to_string(),
        f.missed.to_string(),
        f.transfers.to_string(),
    ];
    c.extend(minutes(&f.wait));
    c.extend(minutes(&f.service_time));
    c.extend(
        RatingLevel::ALL
            .iter()
            .map(|l| f.levels.get(*l).to_string()),
    );
    c.extend([
        f.counted_as_basic.to_string(),
        f.rated.to_string(),
        f.unrated.to_string(),
        percent(f.rating_rate),
        percent(f.satisfaction_rate),
        f.bad.to_string(),
    ]);
    let u = &f.followups;
    c.extend(
        [
            u.open,
            u.called_back,
            u.rectified,
            u.follow_up_rated,
            u.closed,
            u.overdue,
        ]
        .iter()
        .map(u64::to_string),
    );
    c
}

/// Average and p90 in minutes with one decimal; empty when there is nothing to average.
fn minutes(d: &Durations) -> [String; 2] {
    [
        d.avg_s
            .map(|s| format!("{:.1}", s / 60.0))
            .unwrap_or_default(),
        d.p90_s
            .map(|s| format!("{:.1}", s as f64 / 60.0))
            .unwrap_or_default(),
    ]
}

/// A rate as a percentage with one decimal; empty when undefined.
pub fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.1}", r * 100.0))
        .unwrap_or_default()
}

/// Writes the report's CSV files into `dir` (which must exist); returns their paths.
pub fn write_all(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let mut written = Vec::new();
    let mut put = |name: &str, rows: Vec<Vec<String>>| -> Result<(), ReportError> {
        let path = dir.join(name);
        write_csv(&path, &rows)?;
        written.push(path);
        Ok(())
    };
    put("summary.csv", summary(report))?;

    let head = |keys: &[&str], first: &str| {
        let mut h: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
        h.push(first.to_string());
        h.extend(figure_headers());
        h
    };
    let mut rows = vec![head(&["窗口", "窗口名称"], "接待数")];
    rows.extend(report.by_window.iter().map(|w| {
        let mut r = vec![
            w.window.to_string(),
            w.name.clone(),
            w.figures.tickets.to_string(),
        ];
        r.extend(figure_cells(&w.figures));
        r
    }));
    put("by_window.csv", rows)?;

    let mut rows = vec![head(&["工号", "姓名"], "接待数")];
    rows.extend(report.by_staff.iter().map(|s| {
        let mut r = vec![s.id.clone(), s.name.clone(), s.figures.tickets.to_string()];
        r.extend(figure_cells(&s.figures));
        r
    }));
    put("by_staff.csv", rows)?;

    let mut rows = vec![head(&["业务", "业务名称"], "取号数")];
    rows.extend(report.by_service.iter().map(|s| {
        let mut r = vec![s.id.clone(), s.name.clone(), s.figures.tickets.to_string()];
        r.extend(figure_cells(&s.figures));
        r
    }));
    put("by_service.csv", rows)?;

    if report.kind == "monthly" {
        let mut rows = vec![head(&["日期"], "取号数")];
        rows.extend(report.by_day.iter().map(|d| {
            let mut r = vec![d.day.to_string(), d.figures.tickets.to_string()];
            r.extend(figure_cells(&d.figures));
            r
        }));
        put("by_day.csv", rows)?;
        put("ranking.csv", ranking(&report.ranking))?;
    }
    Ok(written)
}

/// Two columns, 项目 and 数值: what the report covers, then the hall's figures.
fn summary(report: &Report) -> Vec<Vec<String>> {
    let pair = |k: &str, v: String| vec![k.to_string(), v];
    let mut rows = vec![
        pair("项目", "数值".to_string()),
        pair("大厅", report.hall.clone()),
        pair(
            "报表",
            if report.kind == "monthly" {
                "月报"
            } else {
                "日报"
            }
            .to_string(),
        ),
        pair("期间", report.period.clone()),
        pair("生成时间", report.generated_local.clone()),
        pair(
            "未评价视为基本满意",
            match report.unrated_as_basic_after_days {
                Some(d) => format!("办结{d}天后仍未评价的计为基本满意（仅用于报表）"),
                None => "未启用".to_string(),
            },
        ),
        pair("取号数", report.summary.tickets.to_string()),
    ];
    rows.extend(
        figure_headers()
            .into_iter()
            .zip(figure_cells(&report.summary))
            .map(|(k, v)| vec![k, v]),
    );
    rows
}

/// 张榜公示: rank, window, satisfaction, rating counts.
pub fn ranking(rows: &[RankRow]) -> Vec<Vec<String>> {
    let mut out = vec![{
        let mut h: Vec<String> = ["名次", "窗口", "窗口名称", "满意率(%)", "评价数", "满意数"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        h.extend(RatingLevel::ALL.iter().map(|l| l.label().to_string()));
        h.push("差评数".to_string());
        h
    }];
    out.extend(rows.iter().map(|r| {
        let mut c = vec![
            r.rank.map(|n| n.to_string()).unwrap_or_default(),
            r.window.to_string(),
            r.name.clone(),
            percent(r.satisfaction_rate),
            r.rated.to_string(),
            r.satisfied.to_string(),
        ];
        c.extend(
            RatingLevel::ALL
                .iter()
                .map(|l| r.levels.get(*l).to_string()),
        );
        c.push(r.bad.to_string());
        c
    }));
    out
}

fn write_csv(path: &Path, rows: &[Vec<String>]) -> Result<(), ReportError> {
    let io = |e: std::io::Error| ReportError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    file.write_all("\u{feff}".as_bytes()).map_err(io)?;
    let mut w = csv::Writer::from_writer(file);
    for row in rows {
        w.write_record(row).map_err(|e| ReportError::Csv {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
    }
    let file = w.into_inner().map_err(|e| ReportError::Csv {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    file.into_inner()
        .map_err(|e| io(e.into_error()))?
        .sync_all()
        .map_err(io)
}
