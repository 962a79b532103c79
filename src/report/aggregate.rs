//! The report's figures from plain rows: a pure function, no I/O.
//!
//! Attribution:
//! - issue side (tickets, waits, no-shows, transfers): the hall, the ticket's business day,
//!   the service it was issued for, and the window / staff member that held it last;
//! - finish side (finished, service times, unrated, counted as 基本满意): the service it
//!   ended in, its window and staff member;
//! - ratings and follow-ups: the service, window and staff member recorded with them.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};

use jiff::Span;

use super::model::{
    AsOf, Context, DayRow, Durations, Facts, Figures, FollowUpCounts, FollowUpFact, LevelCounts,
    Period, RankRow, Report, ServiceRow, StaffRow, TicketFact, WindowRow,
};
use crate::core::{FollowUp, FollowUpId, RatingLevel, ServiceId, TicketId, TicketNumber, WindowNo};

#[derive(Default)]
struct Acc {
    tickets: u64,
    finished: u64,
    missed: u64,
    transfers: u64,
    waits: Vec<i64>,
    services: Vec<i64>,
    levels: LevelCounts,
    counted: u64,
    unrated: u64,
    followups: FollowUpCounts,
}

impl Acc {
    fn issued(&mut self, t: &TicketFact) {
        self.tickets += 1;
        self.transfers += u64::from(t.transfers);
        if t.missed {
            self.missed += 1;
        }
        if let Some(called) = t.first_called_at {
            self.waits
                .push(t.issued_at.duration_until(called).as_secs());
        }
    }

    fn finished(&mut self, t: &TicketFact, rating: Finish) {
        self.finished += 1;
        if let (Some(called), Some(done)) = (t.called_at, t.finished_at) {
            self.services.push(called.duration_until(done).as_secs());
        }
        match rating {
            Finish::Rated => {}
            Finish::CountedAsBasic => {
                self.levels.add(RatingLevel::BASIC, 1);
                self.counted += 1;
            }
            Finish::Unrated => self.unrated += 1,
        }
    }

    fn figures(mut self) -> Figures {
        let rated = self.levels.total();
        Figures {
            tickets: self.tickets,
            finished: self.finished,
            missed: self.missed,
            transfers: self.transfers,
            wait: durations(&mut self.waits),
            service_time: durations(&mut self.services),
            levels: self.levels,
            counted_as_basic: self.counted,
            rated,
            unrated: self.unrated,
            rating_rate: ratio(rated, self.finished),
            satisfaction_rate: ratio(self.levels.satisfied(), rated),
            bad: self.levels.bad(),
            followups: self.followups,
        }
    }
}

#[derive(Clone, Copy)]
enum Finish {
    Rated,
    CountedAsBasic,
    Unrated,
}

/// `part / whole`, none when `whole` is 0.
pub fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Nearest-rank percentile `p` (1..=100) of sorted values: the value at rank ⌈p·n/100⌉.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let p = usize::try_from(p.clamp(1, 100)).unwrap_or(100);
    let rank = (p * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn durations(values: &mut [i64]) -> Durations {
    values.sort_unstable();
    let count = values.len() as u64;
    let sum: i64 = values.iter().sum();
    Durations {
        count,
        avg_s: (count > 0).then(|| sum as f64 / count as f64),
        p90_s: percentile(values, 90),
    }
}

/// Whether the policy counts an unrated visit of `day` as 基本满意 at `as_of`.
fn counts_as_basic(ctx: &Context, day: jiff::civil::Date, as_of: AsOf) -> bool {
    let Some(days) = ctx.unrated_as_basic_after_days else {
        return false;
    };
    day.checked_add(Span::new().days(i64::from(days)))
        .is_ok_and(|due| due <= as_of.day)
}

fn overdue(f: &FollowUpFact, as_of: AsOf) -> bool {
    let order = FollowUp {
        id: FollowUpId(f.id),
        ticket: TicketId(f.ticket),
        number: TicketNumber(String::new()),
        service: ServiceId::new(&f.service),
        window: WindowNo(f.window),
        staff: None,
        level: f.level,
        opened_at: f.opened_at,
        callback_due: f.callback_due,
        rectify_due: f.rectify_due,
        state: f.state,
        called_back_at: None,
        rectified_at: None,
        follow_up_level: None,
        closed_at: None,
    };
    order.overdue(as_of.now).is_some()
}

#[derive(Default)]
struct Groups {
    all: Acc,
    days: BTreeMap<jiff::civil::Date, Acc>,
    services: BTreeMap<String, Acc>,
    windows: BTreeMap<u16, Acc>,
    staff: BTreeMap<String, Acc>,
}

/// Computes every figure of a report from `facts` (already limited to `period`).
pub fn aggregate(facts: &Facts, ctx: &Context, period: Period, as_of: AsOf) -> Report {
    let mut g = Groups::default();
    for id in ctx.services.keys() {
        g.services.entry(id.clone()).or_default();
    }
    for n in ctx.windows.keys() {
        g.windows.entry(*n).or_default();
    }
    let rated: HashSet<u64> = facts.ratings.iter().map(|r| r.ticket).collect();
    for t in &facts.tickets {
        g.all.issued(t);
        g.days.entry(t.day).or_default().issued(t);
        g.services
            .entry(t.issued_service.clone())
            .or_default()
            .issued(t);
        if let Some(w) = t.window {
            g.windows.entry(w).or_default().issued(t);
        }
        if let Some(s) = &t.staff {
            g.staff.entry(s.clone()).or_default().issued(t);
        }
        if t.finished_at.is_none() {
            continue;
        }
        let how = if rated.contains(&t.id) {
            Finish::Rated
        } else if counts_as_basic(ctx, t.day, as_of) {
            Finish::CountedAsBasic
        } else {
            Finish::Unrated
        };
        g.all.finished(t, how);
        g.days.entry(t.day).or_default().finished(t, how);
        g.services
            .entry(t.service.clone())
            .or_default()
            .finished(t, how);
        if let Some(w) = t.window {
            g.windows.entry(w).or_default().finished(t, how);
        }
        if let Some(s) = &t.staff {
            g.staff.entry(s.clone()).or_default().finished(t, how);
        }
    }
    for r in &facts.ratings {
        for acc in g.each(r.day, &r.service, r.window, r.staff.as_deref()) {
            acc.levels.add(r.level, 1);
        }
    }
    for f in &facts.followups {
        let late = overdue(f, as_of);
        for acc in g.each(f.day, &f.service, f.window, f.staff.as_deref()) {
            acc.followups.add(f.state);
            if late {
                acc.followups.overdue += 1;
            }
        }
    }
    g.report(ctx, period, as_of)
}

impl Groups {
    /// The five accumulators a rating or follow-up counts in.
    fn each(
        &mut self,
        day: jiff::civil::Date,
        service: &str,
        window: u16,
        staff: Option<&str>,
    ) -> Vec<&mut Acc> {
        let mut out = vec![
            &mut self.all,
            self.days.entry(day).or_default(),
            self.services.entry(service.to_string()).or_default(),
            self.windows.entry(window).or_default(),
        ];
        if let Some(s) = staff {
            out.push(self.staff.entry(s.to_string()).or_default());
        }
        out
    }

    fn report(self, ctx: &Context, period: Period, as_of: AsOf) -> Report {
        let by_window: Vec<WindowRow> = self
            .windows
            .into_iter()
            .map(|(window, acc)| WindowRow {
                window,
                name: ctx
                    .windows
                    .get(&window)
                    .cloned()
                    .unwrap_or_else(|| format!("{window}号窗口")),
                figures: acc.figures(),
            })
            .collect();
        let ranking = rank(&by_window);
        Report {
            hall: ctx.hall.clone(),
            kind: period.kind(),
            period: period.label(),
            from: period.first(),
            to: period.last(),
            generated_at: as_of.now,
            generated_local: as_of
                .now
                .to_zoned(ctx.tz.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string(),
            unrated_as_basic_after_days: ctx.unrated_as_basic_after_days,
            summary: self.all.figures(),
            by_staff: self
                .staff
                .into_iter()
                .map(|(id, acc)| StaffRow {
                    name: ctx.staff.get(&id).cloned().unwrap_or_else(|| id.clone()),
                    id,
                    figures: acc.figures(),
                })
                .collect(),
            by_service: self
                .services
                .into_iter()
                .map(|(id, acc)| ServiceRow {
                    name: ctx.services.get(&id).cloned().unwrap_or_else(|| id.clone()),
                    id,
                    figures: acc.figures(),
                })
                .collect(),
            by_day: self
                .days
                .into_iter()
                .map(|(day, acc)| DayRow {
                    day,
                    figures: acc.figures(),
                })
                .collect(),
            by_window,
            ranking,
        }
    }
}

/// Satisfaction rate (exact), higher first; then more ratings; equal figures share a rank
/// (1, 2, 2, 4). Windows without ratings come last, unranked, by number.
pub fn rank(windows: &[WindowRow]) -> Vec<RankRow> {
    let mut rows: Vec<RankRow> = windows
        .iter()
        .map(|w| RankRow {
            rank: None,
            window: w.window,
            name: w.name.clone(),
            rated: w.figures.rated,
            satisfied: w.figures.levels.satisfied(),
            satisfaction_rate: w.figures.satisfaction_rate,
            bad: w.figures.bad,
            levels: w.figures.levels,
        })
        .collect();
    rows.sort_by(|a, b| compare(a, b).then(a.window.cmp(&b.window)));
    let mut last: Option<(u32, usize)> = None;
    for i in 0..rows.len() {
        if rows[i].rated == 0 {
            continue;
        }
        let rank = match last {
            Some((r, j)) if compare(&rows[j], &rows[i]) == Ordering::Equal => r,
            _ => u32::try_from(i + 1).unwrap_or(u32::MAX),
        };
        rows[i].rank = Some(rank);
        last = Some((rank, i));
    }
    rows
}

/// Better first: rated before unrated, higher satisfied/rated, then more ratings.
fn compare(a: &RankRow, b: &RankRow) -> Ordering {
    match (a.rated, b.rated) {
        (0, 0) => Ordering::Equal,
        (0, _) => Ordering::Greater,
        (_, 0) => Ordering::Less,
        _ => {
            let left = u128::from(b.satisfied) * u128::from(a.rated);
            let right = u128::from(a.satisfied) * u128::from(b.rated);
            left.cmp(&right).then(b.rated.cmp(&a.rated))
        }
    }
}
