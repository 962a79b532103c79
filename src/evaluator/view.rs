//! The evaluator's screen as plain data; the controller copies it into the Slint adapter.
//!
//! Nothing about the applicant is shown but the ticket number: the rater stays anonymous.

use std::time::Instant;

use super::state::{Connection, Evaluator, Phase};
use crate::core::{RatingLevel, RatingReason};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// The window's state is not known yet.
    Loading,
    /// Window, staff name and number.
    Idle,
    /// 请您对本次服务进行评价: the five levels.
    Question,
    /// A 差评 was chosen: reasons and preset comments.
    Reasons,
    /// 感谢您的评价
    Thanks,
    /// The server refused the rating (its words).
    Notice,
}

/// One of the five level buttons. All five look the same until one is pressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelView {
    /// 5 非常满意 … 1 非常不满意; also the star count.
    pub level: u8,
    pub label: String,
    /// Pressed and sent (never before the rater pressed it).
    pub chosen: bool,
}

/// A toggle: a reason or a preset comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChoiceView {
    pub label: String,
    pub checked: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub page: Page,
    /// 「3号窗口」
    pub window_title: String,
    /// The window's name, e.g. 「综合窗口」; may be empty.
    pub window_name: String,
    /// Empty when nobody is signed in.
    pub staff_name: String,
    /// 工号; empty when nobody is signed in.
    pub staff_id: String,
    pub offline: bool,
    pub elderly: bool,
    /// The ticket being rated, e.g. 「A023」 (shown small).
    pub number: String,
    /// The countdown, whole seconds (rounded up).
    pub seconds_left: u64,
    /// 5 … 1, left to right.
    pub levels: Vec<LevelView>,
    /// The 差评 level chosen (reasons page): label and stars.
    pub chosen_label: String,
    pub chosen_stars: u8,
    pub reasons: Vec<ChoiceView>,
    pub comments: Vec<ChoiceView>,
    /// A rating is on its way.
    pub busy: bool,
    /// A line under the question (e.g. a failed send).
    pub note: String,
    /// The refusal on the notice page.
    pub message: String,
}

/// 「★★☆☆☆」 for 2 of 5.
pub fn stars(n: u8) -> String {
    let n = usize::from(n.min(5));
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}

/// The level's label on two lines (elderly mode's larger type), e.g. 「非常\n不满意」.
pub fn label_lines(level: u8) -> &'static str {
    match level {
        5 => "非常\n满意",
        4 => "满意",
        3 => "基本\n满意",
        2 => "不满意",
        _ => "非常\n不满意",
    }
}

impl Evaluator {
    /// The screen at `now`.
    pub fn view(&self, now: Instant) -> View {
        let n = self.settings.window;
        let asking = self.asking();
        let page = match &self.phase {
            _ if !self.loaded && asking.is_none() => Page::Loading,
            Phase::Idle => Page::Idle,
            Phase::Asking(a) if a.bad.is_some() => Page::Reasons,
            Phase::Asking(_) => Page::Question,
            Phase::Thanks { .. } => Page::Thanks,
            Phase::Notice { .. } => Page::Notice,
        };
        let sent = asking.and_then(|a| a.sent);
        let levels = RatingLevel::ALL
            .iter()
            .map(|l| LevelView {
                level: l.get(),
                label: l.label().to_string(),
                chosen: sent == Some(*l),
            })
            .collect();
        let chosen = asking.and_then(|a| a.bad);
        let reasons = RatingReason::ALL
            .iter()
            .map(|r| ChoiceView {
                label: r.label().to_string(),
                checked: asking.is_some_and(|a| a.reasons.contains(r)),
            })
            .collect();
        let comments = self
            .phrases
            .iter()
            .map(|p| ChoiceView {
                label: p.clone(),
                checked: asking.is_some_and(|a| a.comments.contains(p)),
            })
            .collect();
        let seconds_left = asking.map_or(0, |a| {
            let left = a.visit.deadline.saturating_duration_since(now);
            left.as_secs() + u64::from(left.subsec_nanos() > 0)
        });
        View {
            page,
            window_title: format!("{n}号窗口"),
            window_name: self.window_name.clone(),
            staff_name: self
                .staff
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            staff_id: self
                .staff
                .as_ref()
                .map(|s| s.id.clone())
                .unwrap_or_default(),
            offline: self.connection == Connection::Offline,
            elderly: self.elderly,
            number: asking.map(|a| a.visit.number.clone()).unwrap_or_default(),
            seconds_left,
            levels,
            chosen_label: chosen.map(|l| l.label().to_string()).unwrap_or_default(),
            chosen_stars: chosen.map_or(0, RatingLevel::get),
            reasons,
            comments,
            busy: sent.is_some(),
            note: asking.and_then(|a| a.note.clone()).unwrap_or_default(),
            message: match &self.phase {
                Phase::Notice { text, .. } => text.clone(),
                _ => String::new(),
            },
        }
    }
}
