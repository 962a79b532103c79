//! `[ratings]`: 好差评 at the windows.
//!
//! ```toml
//! [ratings]
//! timeout_s = 60                     # how long the evaluator asks after 办结 (10–600)
//! callback_days = 1                  # a 差评 must be called back within this many days
//! rectify_days = 15                  # … and rectified within this many (7 in some provinces)
//! # unrated_as_basic_after_days = 7  # reports count an old unrated visit as 基本满意 (off)
//! comments = ["等候时间太长", "业务不熟练", "态度不好", "材料要求不清楚"]
//! ```

use jiff::SignedDuration;
use serde::Deserialize;

use super::error::Problem;
use crate::core::RatingRules;

/// Preset comment phrases the touchscreen evaluator offers with a 差评 (no keyboard).
pub const DEFAULT_COMMENTS: &[&str] = &[
    "等候时间太长",
    "办理时间太长",
    "业务不熟练",
    "解释不清楚",
    "态度不好",
    "材料要求不清楚",
];

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingsConfig {
    #[serde(default = "default_timeout_s")]
    pub timeout_s: u32,
    #[serde(default = "default_callback_days")]
    pub callback_days: u32,
    #[serde(default = "default_rectify_days")]
    pub rectify_days: u32,
    #[serde(default)]
    pub unrated_as_basic_after_days: Option<u32>,
    #[serde(default = "default_comments")]
    pub comments: Vec<String>,
}

impl Default for RatingsConfig {
    fn default() -> Self {
        RatingsConfig {
            timeout_s: default_timeout_s(),
            callback_days: default_callback_days(),
            rectify_days: default_rectify_days(),
            unrated_as_basic_after_days: None,
            comments: default_comments(),
        }
    }
}

fn default_timeout_s() -> u32 {
    60
}
fn default_callback_days() -> u32 {
    1
}
fn default_rectify_days() -> u32 {
    15
}
fn default_comments() -> Vec<String> {
    DEFAULT_COMMENTS.iter().map(|s| s.to_string()).collect()
}

impl RatingsConfig {
    pub fn rules(&self) -> RatingRules {
        let day = |d: u32| SignedDuration::from_hours(24 * i64::from(d));
        RatingRules {
            timeout: SignedDuration::from_secs(i64::from(self.timeout_s)),
            callback_within: day(self.callback_days),
            rectify_within: day(self.rectify_days),
            unrated_as_basic_after_days: self.unrated_as_basic_after_days,
        }
    }
}

pub(super) fn check(r: &RatingsConfig, out: &mut Vec<Problem>) {
    if !(10..=600).contains(&r.timeout_s) {
        out.push(Problem::new(
            "ratings.timeout_s",
            "must be from 10 to 600 seconds",
        ));
    }
    if !(1..=30).contains(&r.callback_days) {
        out.push(Problem::new(
            "ratings.callback_days",
            "must be from 1 to 30",
        ));
    }
    if !(1..=90).contains(&r.rectify_days) {
        out.push(Problem::new("ratings.rectify_days", "must be from 1 to 90"));
    } else if r.rectify_days < r.callback_days {
        out.push(Problem::new(
            "ratings.rectify_days",
            "must not be shorter than callback_days",
        ));
    }
    if r.unrated_as_basic_after_days == Some(0) {
        out.push(Problem::new(
            "ratings.unrated_as_basic_after_days",
            "must be 1 or more (leave it out to turn the rule off)",
        ));
    }
    for (i, c) in r.comments.iter().enumerate() {
        let n = c.chars().count();
        if n == 0 || n > 20 {
            out.push(Problem::new(
                format!("ratings.comments[{i}]"),
                "must be 1 to 20 characters",
            ));
        }
    }
}
