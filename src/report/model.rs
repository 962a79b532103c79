//! The plain rows a report is computed from, and the figures it produces.
//!
//! Rows carry no personal data: no ID hash, no rater identity. Staff ids and names are in
//! reports (they are for the hall's managers).

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Serialize, Serializer};

use crate::core::{FollowUpState, RatingLevel};

/// One ticket, as the tickets table keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketFact {
    pub id: u64,
    pub day: Date,
    /// The service the ticket was issued for (its waits count there).
    pub issued_service: String,
    /// The service it ended in (after transfers): its service time and rating count there.
    pub service: String,
    pub issued_at: Timestamp,
    pub first_called_at: Option<Timestamp>,
    pub called_at: Option<Timestamp>,
    /// Set only for finished tickets (办结).
    pub finished_at: Option<Timestamp>,
    /// The window that held it last (called, served or missed it).
    pub window: Option<u16>,
    pub staff: Option<String>,
    /// Dropped after a no-show (过号).
    pub missed: bool,
    pub transfers: u32,
}

/// One rating (好差评), without the rater.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RatingFact {
    pub ticket: u64,
    pub day: Date,
    pub service: String,
    pub window: u16,
    pub staff: Option<String>,
    pub level: RatingLevel,
}

/// One follow-up work order of a 差评, in its current state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpFact {
    pub id: u64,
    pub ticket: u64,
    pub day: Date,
    pub service: String,
    pub window: u16,
    pub staff: Option<String>,
    pub level: RatingLevel,
    pub state: FollowUpState,
    pub opened_at: Timestamp,
    pub callback_due: Timestamp,
    pub rectify_due: Timestamp,
}

/// Everything a report is computed from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    pub tickets: Vec<TicketFact>,
    pub ratings: Vec<RatingFact>,
    pub followups: Vec<FollowUpFact>,
}

/// Names for ids, and the reporting policy (from hall.toml; ids stand in for missing names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub hall: String,
    /// The hall's time zone (local times in the files).
    pub tz: jiff::tz::TimeZone,
    pub services: BTreeMap<String, String>,
    pub windows: BTreeMap<u16, String>,
    pub staff: BTreeMap<String, String>,
    /// `[ratings].unrated_as_basic_after_days`: an unrated finished visit counts as 基本满意
    /// in the report once this many days have passed since its business day.
    pub unrated_as_basic_after_days: Option<u32>,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            hall: String::new(),
            tz: jiff::tz::TimeZone::UTC,
            services: BTreeMap::new(),
            windows: BTreeMap::new(),
            staff: BTreeMap::new(),
            unrated_as_basic_after_days: None,
        }
    }
}

/// When the report is made: for the unrated-as-basic policy and overdue follow-ups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AsOf {
    pub now: Timestamp,
    /// The hall's business day at `now`.
    pub day: Date,
}

/// Waits or service times of a group, in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Durations {
    pub count: u64,
    pub avg_s: Option<f64>,
    /// Nearest-rank 90th percentile.
    pub p90_s: Option<i64>,
}

/// Counts per rating level, serialized as `{"5": n, "4": n, …, "1": n}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LevelCounts(pub [u64; 5]);

impl LevelCounts {
    pub fn get(&self, level: RatingLevel) -> u64 {
        self.0[usize::from(level.get() - 1)]
    }

    pub fn add(&mut self, level: RatingLevel, n: u64) {
        self.0[usize::from(level.get() - 1)] += n;
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// Levels 3–5.
    pub fn satisfied(&self) -> u64 {
        self.0[2] + self.0[3] + self.0[4]
    }

    /// Levels 1–2 (差评).
    pub fn bad(&self) -> u64 {
        self.0[0] + self.0[1]
    }
}

impl Serialize for LevelCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(5))?;
        for level in RatingLevel::ALL {
            map.serialize_entry(&level.get().to_string(), &self.get(level))?;
        }
        map.end()
    }
}

/// Follow-up work orders by current state, plus how many are overdue now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FollowUpCounts {
    pub open: u64,
    pub called_back: u64,
    pub rectified: u64,
    pub follow_up_rated: u64,
    pub closed: u64,
    pub overdue: u64,
}

impl FollowUpCounts {
    pub fn add(&mut self, state: FollowUpState) {
        match state {
            FollowUpState::Open => self.open += 1,
            FollowUpState::CalledBack => self.called_back += 1,
            FollowUpState::Rectified => self.rectified += 1,
            FollowUpState::FollowUpRated => self.follow_up_rated += 1,
            FollowUpState::Closed => self.closed += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.open + self.called_back + self.rectified + self.follow_up_rated + self.closed
    }
}

/// The figures of one group (the whole hall, a window, a staff member, a service, a day).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Tickets issued (hall, service, day) or held last (window, staff).
    pub tickets: u64,
    pub finished: u64,
    /// Tickets dropped after no-shows (过号).
    pub missed: u64,
    pub transfers: u64,
    /// First call − issue.
    pub wait: Durations,
    /// Finish − (last) call.
    pub service_time: Durations,
    /// Ratings per level, including the visits counted as 基本满意 by policy.
    pub levels: LevelCounts,
    /// Unrated visits counted as 基本满意 by `[ratings].unrated_as_basic_after_days`.
    pub counted_as_basic: u64,
    /// Rated visits (given ratings plus `counted_as_basic`).
    pub rated: u64,
    /// Finished visits without a rating (not counted by policy).
    pub unrated: u64,
    /// `rated / finished`.
    pub rating_rate: Option<f64>,
    /// Levels 3–5 over `rated`.
    pub satisfaction_rate: Option<f64>,
    /// 差评: levels 1 and 2.
    pub bad: u64,
    pub followups: FollowUpCounts,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowRow {
    pub window: u16,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StaffRow {
    pub id: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceRow {
    pub id: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DayRow {
    pub day: Date,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A line of the window ranking (张榜公示): satisfaction rate, then rating count.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RankRow {
    /// 1-based; equal figures share a rank; `None` for windows without ratings.
    pub rank: Option<u32>,
    pub window: u16,
    pub name: String,
    pub rated: u64,
    pub satisfied: u64,
    pub satisfaction_rate: Option<f64>,
    pub bad: u64,
    pub levels: LevelCounts,
}

/// A whole report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub hall: String,
    /// "daily" or "monthly".
    pub kind: &'static str,
    /// "2026-11-23" or "2026-11".
    pub period: String,
    pub from: Date,
    pub to: Date,
    pub generated_at: Timestamp,
    /// `generated_at` in the hall's time zone, "2026-11-23 18:30".
    pub generated_local: String,
    pub unrated_as_basic_after_days: Option<u32>,
    pub summary: Figures,
    pub by_window: Vec<WindowRow>,
    pub by_staff: Vec<StaffRow>,
    pub by_service: Vec<ServiceRow>,
    pub by_day: Vec<DayRow>,
    pub ranking: Vec<RankRow>,
}

/// What a report covers: one business day or one calendar month of business days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Day(Date),
    /// Any date in the month.
    Month(Date),
}

impl Period {
    pub fn first(&self) -> Date {
        match *self {
            Period::Day(d) => d,
            Period::Month(d) => d.first_of_month(),
        }
    }

    pub fn last(&self) -> Date {
        match *self {
            Period::Day(d) => d,
            Period::Month(d) => d.last_of_month(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Period::Day(_) => "daily",
            Period::Month(_) => "monthly",
        }
    }

    /// "2026-11-23" or "2026-11".
    pub fn label(&self) -> String {
        match *self {
            Period::Day(d) => d.to_string(),
            Period::Month(d) => format!("{:04}-{:02}", d.year(), d.month()),
        }
    }

    /// The folder the files go in: `report-2026-11-23` or `report-2026-11`.
    pub fn dir_name(&self) -> String {
        format!("report-{}", self.label())
    }
}
