//! The PNG charts of a report, drawn with plotters into an RGB buffer and encoded by
//! `image`. Text uses the CJK font embedded from `ui/fonts` (no system fonts needed).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::coord::combinators::WithKeyPoints;
use plotters::coord::types::{RangedCoordf64, RangedCoordi32};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ReportError;
use super::model::Report;
use super::tables::percent;
use crate::core::RatingLevel;

/// WenQuanYi Micro Hei (face 0 of the collection; see ui/fonts/README.md).
static FONT_BYTES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/ui/fonts/wqy-microhei.ttc"
));

/// The family name the embedded font is registered under.
pub const FONT: &str = "hallq-cjk";

/// Width and height of the charts (windows.png widens with many windows).
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 700;

const INK: RGBColor = RGBColor(33, 33, 33);
const GREY: RGBColor = RGBColor(117, 117, 117);
const BLUE_AVG: RGBColor = RGBColor(66, 133, 244);
const BLUE_P90: RGBColor = RGBColor(26, 67, 140);
const COUNTED: RGBColor = RGBColor(255, 224, 130);

/// Registers the embedded font with plotters once (also as "sans-serif", the default).
fn register() -> Result<(), ReportError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        [FONT, "sans-serif"]
            .iter()
            .all(|name| plotters::style::register_font(name, FontStyle::Normal, FONT_BYTES).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(chart_err("font", "the embedded CJK font cannot be read"))
    }
}

fn chart_err(name: &str, detail: impl std::fmt::Display) -> ReportError {
    ReportError::Chart {
        name: name.to_string(),
        detail: detail.to_string(),
    }
}

/// The colour of a level: green for 非常满意 to red for 非常不满意.
pub fn level_colour(level: RatingLevel) -> RGBColor {
    match level.get() {
        5 => RGBColor(46, 125, 50),
        4 => RGBColor(102, 187, 106),
        3 => RGBColor(251, 192, 45),
        2 => RGBColor(239, 108, 0),
        _ => RGBColor(198, 40, 40),
    }
}

fn text(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

fn above(size: u32) -> TextStyle<'static> {
    text(size).pos(Pos::new(HPos::Center, VPos::Bottom))
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
type Drawn = Result<(), String>;
/// A chart with one labelled slot per bar group on x and a plain value axis.
type SlotChart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<WithKeyPoints<RangedCoordi32>, RangedCoordf64>>;

/// Draws the chart's title and `subtitle` into the top 100 px; returns the area below.
fn heading<'b>(
    area: &Area<'b>,
    report: &Report,
    what: &str,
    subtitle: String,
) -> Result<Area<'b>, String> {
    let (head, body) = area.split_vertically(100);
    head.draw(&Text::new(title(report, what), (40, 18), text(34)))
        .map_err(|e| e.to_string())?;
    head.draw(&Text::new(subtitle, (40, 62), text(22).color(&GREY)))
        .map_err(|e| e.to_string())?;
    Ok(body)
}

/// The y axis of a [`SlotChart`].
struct YAxis<'f> {
    top: f64,
    desc: &'f str,
    format: &'f dyn Fn(&f64) -> String,
    /// How many labels (plotters' default when `None`).
    labels: Option<usize>,
}

/// A chart on `body` with one slot per label (at least one) and its mesh drawn.
fn slot_chart<'a, 'b>(
    body: &'a Area<'b>,
    labels: &[String],
    y: YAxis<'_>,
    label_size: u32,
) -> Result<SlotChart<'a, 'b>, String> {
    let n = labels.len().max(1);
    let mut chart = ChartBuilder::on(body)
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d((0..slots(n)).with_key_points(centres(n)), 0.0..y.top)
        .map_err(|e| e.to_string())?;
    let formatter = |x: &i32| labels.get(slot(x)).cloned().unwrap_or_default();
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .x_label_formatter(&formatter)
        .y_label_formatter(y.format)
        .y_desc(y.desc)
        .label_style(text(label_size))
        .axis_desc_style(text(20));
    if let Some(count) = y.labels {
        mesh.y_labels(count);
    }
    mesh.draw().map_err(|e| e.to_string())?;
    Ok(chart)
}

/// The legend box in the upper right corner.
fn legend<'a, 'b: 'a>(chart: &mut SlotChart<'a, 'b>) -> Drawn {
    chart
        .configure_series_labels()
        .label_font(text(20))
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| e.to_string())
}

/// Draws with `draw` on a white `w`×`h` canvas and writes the PNG to `path`.
fn render(
    path: &Path,
    w: u32,
    h: u32,
    draw: impl FnOnce(&Area<'_>) -> Drawn,
) -> Result<(), ReportError> {
    register()?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let len = usize::try_from(u64::from(w) * u64::from(h) * 3).map_err(|e| chart_err(&name, e))?;
    let mut buf = vec![255u8; len];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&name, e))?;
        draw(&root).map_err(|e| chart_err(&name, e))?;
        root.present().map_err(|e| chart_err(&name, e))?;
    }
    image::save_buffer(path, &buf, w, h, image::ExtendedColorType::Rgb8)
        .map_err(|e| chart_err(&name, e))
}

/// Draws ratings.png, waits.png and windows.png into `dir`; returns their paths.
pub fn write_all(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let ratings = dir.join("ratings.png");
    render(&ratings, WIDTH, HEIGHT, |a| ratings_chart(a, report))?;
    let waits = dir.join("waits.png");
    render(&waits, WIDTH, HEIGHT, |a| waits_chart(a, report))?;
    let windows = dir.join("windows.png");
    let n = u32::try_from(report.by_window.len()).unwrap_or(u32::MAX);
    let width = WIDTH.max(n.saturating_mul(150).saturating_add(200));
    render(&windows, width, HEIGHT, |a| windows_chart(a, report))?;
    Ok(vec![ratings, waits, windows])
}

fn title(report: &Report, what: &str) -> String {
    format!("{} {} {}", report.hall, report.period, what)
}

/// Slots on the x axis are `SLOT` units wide (integer coordinates: labelled ones).
const SLOT: i32 = 100;

/// X labels at the middle of each of `n` slots.
fn centres(n: usize) -> Vec<i32> {
    (0..n).map(|i| x_at(i, 0.5)).collect()
}

/// The x coordinate `frac` of the way into slot `i`.
fn x_at(i: usize, frac: f64) -> i32 {
    let i = i32::try_from(i).unwrap_or(i32::MAX / SLOT - 1);
    i * SLOT + (frac * f64::from(SLOT)).round() as i32
}

fn slot(x: &i32) -> usize {
    usize::try_from(x / SLOT).unwrap_or(0)
}

fn slots(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(1).saturating_mul(SLOT)
}

/// Bars per level (非常满意 … 非常不满意), with the visits counted as 基本满意 stacked on
/// 基本满意 in a lighter colour.
fn ratings_chart(area: &Area<'_>, report: &Report) -> Drawn {
    let f = &report.summary;
    let levels = RatingLevel::ALL;
    let labels: Vec<String> = levels.iter().map(|l| l.label().to_string()).collect();
    let top = levels
        .iter()
        .map(|l| f.levels.get(*l))
        .max()
        .unwrap_or(0)
        .max(1) as f64
        * 1.18;
    let subtitle = format!(
        "办结 {} · 评价 {} · 评价率 {}% · 满意率 {}% · 差评 {}",
        f.finished,
        f.rated,
        dash(percent(f.rating_rate)),
        dash(percent(f.satisfaction_rate)),
        f.bad
    );
    let body = heading(area, report, "好差评评价分布", subtitle)?;
    let y = YAxis {
        top,
        desc: "评价数",
        format: &|y| format!("{y:.0}"),
        labels: None,
    };
    let mut chart = slot_chart(&body, &labels, y, 22)?;
    for (i, level) in levels.iter().enumerate() {
        let total = f.levels.get(*level) as f64;
        let counted = if level.get() == 3 {
            f.counted_as_basic as f64
        } else {
            0.0
        };
        let given = total - counted;
        let bar = |from: f64, to: f64, colour: RGBColor| {
            Rectangle::new(
                [(x_at(i, 0.18), from), (x_at(i, 0.82), to)],
                colour.filled(),
            )
        };
        chart
            .draw_series([bar(0.0, given, level_colour(*level))])
            .map_err(|e| e.to_string())?;
        if counted > 0.0 {
            chart
                .draw_series([bar(given, total, COUNTED)])
                .map_err(|e| e.to_string())?
                .label(format!("其中未评价视为基本满意 {}", f.counted_as_basic))
                .legend(|(x, y)| Rectangle::new([(x, y - 8), (x + 16, y + 8)], COUNTED.filled()));
        }
        let share = percent(if f.rated > 0 {
            Some(total / f.rated as f64)
        } else {
            None
        });
        let label = if share.is_empty() {
            format!("{total:.0}")
        } else {
            format!("{total:.0}（{share}%）")
        };
        chart
            .draw_series([Text::new(
                label,
                (x_at(i, 0.5), total + top * 0.01),
                above(22),
            )])
            .map_err(|e| e.to_string())?;
    }
    if f.counted_as_basic > 0 {
        legend(&mut chart)?;
    }
    Ok(())
}

/// Average and p90 wait (minutes) per service, side by side.
fn waits_chart(area: &Area<'_>, report: &Report) -> Drawn {
    let rows = &report.by_service;
    let labels: Vec<String> = rows
        .iter()
        .map(|s| format!("{} {}", s.id, s.name))
        .collect();
    let mins = |s: Option<f64>| s.map(|v| v / 60.0);
    let values: Vec<(Option<f64>, Option<f64>)> = rows
        .iter()
        .map(|s| {
            (
                mins(s.figures.wait.avg_s),
                mins(s.figures.wait.p90_s.map(|v| v as f64)),
            )
        })
        .collect();
    let max = values
        .iter()
        .flat_map(|(a, p)| [a.unwrap_or(0.0), p.unwrap_or(0.0)])
        .fold(0.0_f64, f64::max);
    let top = (max * 1.18).max(5.0);
    let sub = format!(
        "等候 = 首次叫号 − 取号（分钟）· 全厅平均 {} · P90 {}",
        minutes(report.summary.wait.avg_s),
        minutes(report.summary.wait.p90_s.map(|v| v as f64))
    );
    let body = heading(area, report, "各业务等候时间", sub)?;
    let y = YAxis {
        top,
        desc: "分钟",
        format: &|y| format!("{y:.0}"),
        labels: None,
    };
    let mut chart = slot_chart(&body, &labels, y, 22)?;
    for (series, colour, name, offset) in [
        (0, BLUE_AVG, "平均等候", 0.12),
        (1, BLUE_P90, "P90等候", 0.5),
    ] {
        let bars = values.iter().enumerate().filter_map(|(i, v)| {
            let value = if series == 0 { v.0 } else { v.1 }?;
            Some(Rectangle::new(
                [(x_at(i, offset), 0.0), (x_at(i, offset + 0.38), value)],
                colour.filled(),
            ))
        });
        chart
            .draw_series(bars)
            .map_err(|e| e.to_string())?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 8), (x + 16, y + 8)], colour.filled()));
        let labels = values.iter().enumerate().filter_map(|(i, v)| {
            let value = if series == 0 { v.0 } else { v.1 }?;
            let x = x_at(i, offset + 0.19);
            Some(Text::new(
                format!("{value:.1}"),
                (x, value + top * 0.01),
                above(20),
            ))
        });
        chart.draw_series(labels).map_err(|e| e.to_string())?;
    }
    legend(&mut chart)
}

/// One window's bar: number, label, satisfaction rate, ratings, rank.
type WindowBar = (u16, String, Option<f64>, u64, Option<u32>);

/// Satisfaction rate per window (the monthly chart in ranking order), with the hall's rate.
fn windows_chart(area: &Area<'_>, report: &Report) -> Drawn {
    let mut rows: Vec<WindowBar> = report
        .ranking
        .iter()
        .map(|r| {
            (
                r.window,
                format!("{}号 {}", r.window, r.name),
                r.satisfaction_rate,
                r.rated,
                r.rank,
            )
        })
        .collect();
    if report.kind == "daily" {
        rows.sort_by_key(|r| r.0);
    }
    let n = rows.len().max(1);
    let labels: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    let sub = format!(
        "满意率 = （非常满意 + 满意 + 基本满意）÷ 评价数 · 全厅 {}%{}",
        dash(percent(report.summary.satisfaction_rate)),
        if report.kind == "monthly" {
            " · 按满意率、评价数排名（张榜公示）"
        } else {
            ""
        }
    );
    let body = heading(area, report, "各窗口满意率", sub)?;
    let percent_label = |y: &f64| {
        if *y <= 100.0 {
            format!("{y:.0}%")
        } else {
            String::new()
        }
    };
    let y = YAxis {
        top: 118.0,
        desc: "满意率",
        format: &percent_label,
        labels: Some(7),
    };
    let mut chart = slot_chart(&body, &labels, y, 20)?;
    for (i, (_, _, rate, rated, rank)) in rows.iter().enumerate() {
        let label = match rate {
            Some(r) => {
                let pct = r * 100.0;
                let colour = if pct >= 90.0 {
                    level_colour(RatingLevel::ALL[0])
                } else if pct >= 80.0 {
                    level_colour(RatingLevel::BASIC)
                } else {
                    level_colour(RatingLevel::ALL[4])
                };
                chart
                    .draw_series([Rectangle::new(
                        [(x_at(i, 0.2), 0.0), (x_at(i, 0.8), pct)],
                        colour.filled(),
                    )])
                    .map_err(|e| e.to_string())?;
                let place = match (report.kind, rank) {
                    ("monthly", Some(k)) => format!("第{k}名 "),
                    _ => String::new(),
                };
                (format!("{place}{pct:.1}%（{rated}条）"), pct)
            }
            None => ("无评价".to_string(), 0.0),
        };
        chart
            .draw_series([Text::new(label.0, (x_at(i, 0.5), label.1 + 1.5), above(20))])
            .map_err(|e| e.to_string())?;
    }
    if let Some(hall) = report.summary.satisfaction_rate {
        let y = hall * 100.0;
        chart
            .draw_series(LineSeries::new(
                [(0, y), (slots(n), y)],
                ShapeStyle::from(&GREY).stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label(format!("全厅 {y:.1}%"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], GREY.stroke_width(2)));
        legend(&mut chart)?;
    }
    Ok(())
}

fn minutes(seconds: Option<f64>) -> String {
    seconds
        .map(|s| format!("{:.1}", s / 60.0))
        .unwrap_or_else(|| "—".to_string())
}

fn dash(s: String) -> String {
    if s.is_empty() { "—".to_string() } else { s }
}
