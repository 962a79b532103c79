//! 好差评: the national five-level rating, one per visit, and the follow-up of every bad
//! rating. Plain data and pure rules; the engine decides, the store keeps the records.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::types::{ServiceId, StaffId, TicketId, TicketNumber, WindowNo};

/// A level on the national scale: 5 非常满意 … 1 非常不满意. Levels 1 and 2 are 差评.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct RatingLevel(u8);

impl RatingLevel {
    pub const ALL: [RatingLevel; 5] = [
        RatingLevel(5),
        RatingLevel(4),
        RatingLevel(3),
        RatingLevel(2),
        RatingLevel(1),
    ];
    /// 基本满意, the level some provinces count an old unrated visit as.
    pub const BASIC: RatingLevel = RatingLevel(3);

    pub fn new(level: u8) -> Option<RatingLevel> {
        (1..=5).contains(&level).then_some(RatingLevel(level))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// 不满意 or 非常不满意.
    pub fn is_bad(self) -> bool {
        self.0 <= 2
    }

    /// Levels 3–5 count as satisfied in the satisfaction rate.
    pub fn is_satisfied(self) -> bool {
        self.0 >= 3
    }

    /// The national label.
    pub fn label(self) -> &'static str {
        match self.0 {
            5 => "非常满意",
            4 => "满意",
            3 => "基本满意",
            2 => "不满意",
            _ => "非常不满意",
        }
    }
}

impl TryFrom<u8> for RatingLevel {
    type Error = String;

    fn try_from(v: u8) -> Result<Self, String> {
        RatingLevel::new(v).ok_or_else(|| format!("rating level {v} is not 1..=5"))
    }
}

impl From<RatingLevel> for u8 {
    fn from(l: RatingLevel) -> u8 {
        l.0
    }
}

/// Where a rating was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingChannel {
    /// The touchscreen evaluator at the window (`hallq rate`).
    Evaluator,
    /// A 5-key serial evaluator on the RS-485 bus.
    Keypad,
    Kiosk,
    Qr,
}

impl RatingChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Evaluator => "evaluator",
            Self::Keypad => "keypad",
            Self::Kiosk => "kiosk",
            Self::Qr => "qr",
        }
    }
}

/// The fixed offline indicators a 差评 may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingReason {
    /// 服务效率
    Efficiency,
    /// 服务水平
    Competence,
    /// 服务态度
    Attitude,
}

impl RatingReason {
    pub const ALL: [RatingReason; 3] = [Self::Efficiency, Self::Competence, Self::Attitude];

    pub fn label(self) -> &'static str {
        match self {
            Self::Efficiency => "服务效率",
            Self::Competence => "服务水平",
            Self::Attitude => "服务态度",
        }
    }
}

/// Where a finished ticket stands with its rating (一次一评).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RatingMark {
    /// Not finished yet (or finished before ratings were recorded).
    #[default]
    None,
    /// Finished; the evaluator asks until `until`.
    Awaiting {
        until: Timestamp,
    },
    Rated {
        level: RatingLevel,
    },
    /// The time ran out, the window moved on, or the rater declined: recorded as unrated.
    Unrated,
}

impl RatingMark {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Awaiting { .. } => "awaiting",
            Self::Rated { .. } => "rated",
            Self::Unrated => "unrated",
        }
    }
}

/// What a rating binds (kept in the event and in the store's `ratings` table).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub ticket: TicketId,
    pub number: TicketNumber,
    pub service: ServiceId,
    /// The service's name (事项) when rated, for the platform record.
    #[serde(default)]
    pub service_name: String,
    pub window: WindowNo,
    pub staff: Option<StaffId>,
    pub case_number: Option<String>,
    pub channel: RatingChannel,
    pub level: RatingLevel,
    #[serde(default)]
    pub reasons: Vec<RatingReason>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A follow-up work order's id (sequence across the hall's life).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FollowUpId(pub u64);

impl std::fmt::Display for FollowUpId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// open → called back → rectified → follow-up rated → closed; one step at a time, only forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpState {
    Open,
    CalledBack,
    Rectified,
    FollowUpRated,
    Closed,
}

impl FollowUpState {
    pub const ALL: [FollowUpState; 5] = [
        Self::Open,
        Self::CalledBack,
        Self::Rectified,
        Self::FollowUpRated,
        Self::Closed,
    ];

    /// The state after this one; `None` for closed.
    pub fn next(self) -> Option<FollowUpState> {
        match self {
            Self::Open => Some(Self::CalledBack),
            Self::CalledBack => Some(Self::Rectified),
            Self::Rectified => Some(Self::FollowUpRated),
            Self::FollowUpRated => Some(Self::Closed),
            Self::Closed => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::CalledBack => "called_back",
            Self::Rectified => "rectified",
            Self::FollowUpRated => "follow_up_rated",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<FollowUpState> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "待回访",
            Self::CalledBack => "已回访",
            Self::Rectified => "已整改",
            Self::FollowUpRated => "已复评",
            Self::Closed => "已办结",
        }
    }
}

/// Which deadline a follow-up has missed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overdue {
    /// Not called back within the callback deadline.
    Callback,
    /// Not rectified within the rectification deadline.
    Rectification,
}

/// A follow-up work order for one 差评.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub id: FollowUpId,
    pub ticket: TicketId,
    pub number: TicketNumber,
    pub service: ServiceId,
    pub window: WindowNo,
    pub staff: Option<StaffId>,
    pub level: RatingLevel,
    pub opened_at: Timestamp,
    pub callback_due: Timestamp,
    pub rectify_due: Timestamp,
    pub state: FollowUpState,
    pub called_back_at: Option<Timestamp>,
    pub rectified_at: Option<Timestamp>,
    /// The applicant's rating of how the complaint was handled.
    pub follow_up_level: Option<RatingLevel>,
    pub closed_at: Option<Timestamp>,
}

impl FollowUp {
    /// The deadline missed at `now`, if any (rectification wins when both are missed).
    pub fn overdue(&self, now: Timestamp) -> Option<Overdue> {
        let rectified = self.state >= FollowUpState::Rectified;
        if !rectified && now > self.rectify_due {
            Some(Overdue::Rectification)
        } else if self.state == FollowUpState::Open && now > self.callback_due {
            Some(Overdue::Callback)
        } else {
            None
        }
    }
}

/// One change to a follow-up, as staff or the hall manager report it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpUpdate {
    pub id: FollowUpId,
    /// The new state (the same state adds only a note).
    pub state: FollowUpState,
    #[serde(default)]
    pub note: Option<String>,
    /// Who made the change (staff id or manager name).
    #[serde(default)]
    pub by: Option<String>,
    /// Required when moving to `FollowUpRated`.
    #[serde(default)]
    pub follow_up_level: Option<RatingLevel>,
}

/// Rating rules from `[ratings]` in hall.toml.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RatingRules {
    /// How long the evaluator asks after a finish (default 60 s).
    pub timeout: SignedDuration,
    /// Callback deadline after a 差评 (default 1 day).
    pub callback_within: SignedDuration,
    /// Rectification deadline after a 差评 (default 15 days; 7 is also common).
    pub rectify_within: SignedDuration,
    /// Reports count a visit still unrated this many days later as 基本满意 (default off).
    /// Never applied to the stored record.
    pub unrated_as_basic_after_days: Option<u32>,
}

impl Default for RatingRules {
    fn default() -> Self {
        RatingRules {
            timeout: SignedDuration::from_secs(60),
            callback_within: SignedDuration::from_hours(24),
            rectify_within: SignedDuration::from_hours(24 * 15),
            unrated_as_basic_after_days: None,
        }
    }
}

/// Whether a follow-up may move from `from` to `to`: one step forward (a callback is never
/// skipped on the way to 整改 or 办结), or stay to add a note; a closed order stays closed.
pub fn follow_up_step_allowed(from: FollowUpState, to: FollowUpState) -> bool {
    from != FollowUpState::Closed && (to == from || from.next() == Some(to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(now: i64) -> FollowUp {
        FollowUp {
            id: FollowUpId(1),
            ticket: TicketId(7),
            number: TicketNumber("A007".into()),
            service: ServiceId::new("A"),
            window: WindowNo(3),
            staff: None,
            level: RatingLevel(1),
            opened_at: Timestamp::from_second(now).unwrap(),
            callback_due: Timestamp::from_second(now + 86_400).unwrap(),
            rectify_due: Timestamp::from_second(now + 15 * 86_400).unwrap(),
            state: FollowUpState::Open,
            called_back_at: None,
            rectified_at: None,
            follow_up_level: None,
            closed_at: None,
        }
    }

    #[test]
    fn levels_outside_one_to_five_are_refused() {
        assert!(RatingLevel::new(0).is_none());
        assert!(RatingLevel::new(6).is_none());
        assert_eq!(RatingLevel::new(2).map(RatingLevel::is_bad), Some(true));
        assert_eq!(RatingLevel::new(3).map(RatingLevel::is_bad), Some(false));
        assert!(serde_json::from_str::<RatingLevel>("9").is_err());
        assert_eq!(RatingLevel::BASIC.label(), "基本满意");
    }

    #[test]
    fn overdue_moves_with_time_and_state() {
        let t0 = 1_700_000_000;
        let mut f = order(t0);
        let at = |s: i64| Timestamp::from_second(t0 + s).unwrap();
        assert_eq!(f.overdue(at(3600)), None);
        assert_eq!(f.overdue(at(86_401)), Some(Overdue::Callback));
        f.state = FollowUpState::CalledBack;
        assert_eq!(f.overdue(at(86_401)), None);
        assert_eq!(f.overdue(at(15 * 86_400 + 1)), Some(Overdue::Rectification));
        f.state = FollowUpState::Rectified;
        assert_eq!(f.overdue(at(40 * 86_400)), None);
    }

    #[test]
    fn follow_up_only_moves_forward() {
        use FollowUpState::*;
        assert!(follow_up_step_allowed(Open, CalledBack));
        assert!(follow_up_step_allowed(Open, Open));
        assert!(!follow_up_step_allowed(Rectified, CalledBack));
        assert!(!follow_up_step_allowed(Closed, Closed));
        assert!(
            !follow_up_step_allowed(Open, Rectified),
            "no skipped callback"
        );
        assert!(!follow_up_step_allowed(Open, Closed));
        assert!(follow_up_step_allowed(FollowUpRated, Closed));
        for pair in FollowUpState::ALL.windows(2) {
            assert!(follow_up_step_allowed(pair[0], pair[1]), "{pair:?}");
        }
    }
}
